/* central_remove.c — taking things away on the central registry's
 * operator pages, and the operators themselves.  A "Remove" link (GET
 * /remove?what=W&id=X[&of=Y]) shows a confirmation page that changes
 * nothing; only its form (POST /remove with the CSRF token and
 * confirm=yes) removes, through xr_central_remove or xr_operator_remove,
 * the functions `pencere central remove` and `operator remove` call.  The
 * operators' page lists them and adds one with a generated password,
 * shown once on the answer to that POST (never stored in clear; hashed
 * on a worker thread). */
#include "internal.h"
#include "central_ui.h"

#include <string.h>

/* Removals beside enum xr_removal's: an operator (xr_operator_remove)
 * and an access right (xr_central_grant's revoke; POST /revoke is its
 * one-click form from before, kept for scripts). */
enum { CUI_RM_OPERATOR = XR_RM_COUNT, CUI_RM_RIGHT };
#define OPERATOR "operator"
#define RIGHT "right"

/* The page that lists what a removal takes away, and draws it. */
struct list_page {
    const char *path;
    int (*render)(struct http_req *r);
};

static struct list_page page_of(int what)
{
    switch (what) {
    case XR_RM_MEMBER:
    case XR_RM_SUBSYSTEM: return (struct list_page){"/members", cui_members};
    case XR_RM_GATEWAY:
    case XR_RM_GATEWAY_CLIENT: return (struct list_page){"/gateways", cui_gateways};
    case XR_RM_SERVICE: return (struct list_page){"/services", cui_services};
    case XR_RM_GROUP:
    case XR_RM_GROUP_MEMBER:
    case CUI_RM_RIGHT: return (struct list_page){"/access", cui_access};
    default: return (struct list_page){"/operators", cui_operators};
    }
}

/* What else goes, or what must go first, said on the confirmation page. */
static enum msg consequence(int what)
{
    static const enum msg m[XR_RM_COUNT] = {
        [XR_RM_MEMBER] = M_CUI_RM_MEMBER,       [XR_RM_SUBSYSTEM] = M_CUI_RM_SUBSYSTEM,
        [XR_RM_GATEWAY] = M_CUI_RM_GATEWAY,     [XR_RM_GATEWAY_CLIENT] = M_CUI_RM_GATEWAY_CLIENT,
        [XR_RM_SERVICE] = M_CUI_RM_SERVICE,     [XR_RM_GROUP] = M_CUI_RM_GROUP,
        [XR_RM_GROUP_MEMBER] = M_CUI_RM_GROUP_MEMBER,
    };
    return what >= 0 && what < XR_RM_COUNT ? m[what] : what == CUI_RM_RIGHT ? M_CUI_RM_RIGHT : M_CUI_RM_OPERATOR;
}

void cui_remove_link(struct http_req *r, const char *what, const char *id, const char *of)
{
    /* the visible word first, then what it removes for screen readers */
    web_html(r, " <a class=\"remove\" href=\"/remove?what=%q&amp;id=%q%r%q\">%s<span class=\"visually-hidden\"> %s"
                "</span></a>", what, id, of ? "&amp;of=" : "", of ? of : "", cui_t(r, M_CUI_REMOVE), of ? of : id);
}

/* A removal asked for: its kind (an enum xr_removal, or CUI_RM_*) and its
 * identifiers, checked against their forms. */
struct removal {
    int what;
    const char *name, *id, *of;
    struct xr_id xid, xof;
};

static bool read_removal(const struct http_kvlist *kv, struct removal *rm)
{
    rm->name = http_kv_get(kv, "what");
    rm->id = http_kv_get(kv, "id");
    rm->of = http_kv_get(kv, "of");
    struct pc_err err = {0};
    if (!rm->name || !rm->id)
        return false;
    if (pc_str_eq(rm->name, OPERATOR)) {
        rm->what = CUI_RM_OPERATOR;
        rm->of = NULL;
        return strlen(rm->id) <= XR_OP_LOGIN_MAX;
    }
    if (pc_str_eq(rm->name, RIGHT)) {
        rm->what = CUI_RM_RIGHT;
        return rm->of && strlen(rm->of) <= XR_ID_MAX && !xr_id_parse_str(rm->id, XR_ID_SERVICE, &rm->xid, &err) &&
               !xr_id_parse_subject(rm->of, &rm->xof, &err);
    }
    rm->what = xr_removal_parse(rm->name);
    if (rm->what < 0 || xr_id_parse_str(rm->id, xr_removal_kind((enum xr_removal)rm->what, false), &rm->xid, &err))
        return false;
    if (!xr_removal_has_of((enum xr_removal)rm->what)) {
        rm->of = NULL;
        return true;
    }
    return rm->of && !xr_id_parse_str(rm->of, xr_removal_kind((enum xr_removal)rm->what, true), &rm->xof, &err);
}

static int confirm_page(struct http_req *r, const struct removal *rm)
{
    cui_page_begin(r, cui_t(r, M_CUI_RM_TITLE));
    /* a link (right, a gateway's client, a group's member) names both ends */
    enum msg q = rm->what == CUI_RM_RIGHT ? M_CUI_REVOKE_LABEL : rm->of ? M_CUI_RM_ASK_OF : M_CUI_RM_ASK;
    const char *ask = rm->of ? pc_arena_printf(&r->arena, cui_t(r, q), rm->of, rm->id)
                             : pc_arena_printf(&r->arena, cui_t(r, q), rm->id);
    web_html(r, "<p>%s</p>\n<p>%s</p>\n", ask, cui_t(r, consequence(rm->what)));
    web_html(r, "<form method=\"post\" action=\"/remove\">\n<input type=\"hidden\" name=\"what\" value=\"%s\">"
                "<input type=\"hidden\" name=\"id\" value=\"%s\">", rm->name, rm->id);
    if (rm->of)
        web_html(r, "<input type=\"hidden\" name=\"of\" value=\"%s\">", rm->of);
    web_html(r, "<input type=\"hidden\" name=\"confirm\" value=\"yes\">\n");
    cui_csrf_field(r);
    web_html(r, "<button type=\"submit\" class=\"warning\">%s</button> <a href=\"%s\">%s</a>\n</form>\n",
             cui_t(r, M_CUI_REMOVE), page_of(rm->what).path, cui_t(r, M_CUI_CANCEL));
    cui_page_end(r);
    return 0;
}

int cui_confirm_remove(struct http_req *r)
{
    struct removal rm;
    if (!read_removal(&r->query, &rm))
        return http_error(r, 400, "bad-parameter", "Bad request", "what and id name something to remove");
    return confirm_page(r, &rm);
}

int cui_post_remove(struct http_req *r)
{
    struct removal rm;
    if (!read_removal(&r->form, &rm))
        return http_error(r, 400, "bad-parameter", "Bad request", "what and id name something to remove");
    /* without the confirmation page's field: ask first */
    if (!pc_str_eq(http_kv_get(&r->form, "confirm"), "yes"))
        return confirm_page(r, &rm);
    struct pc_err err = {0};
    int rc = rm.what == CUI_RM_OPERATOR ? xr_operator_remove(cui_central(r), cui_actor(r), rm.id, &err)
             : rm.what == CUI_RM_RIGHT  ? xr_central_grant(cui_central(r), cui_actor(r), &rm.xid, &rm.xof, true, &err)
                                        : xr_central_remove(cui_central(r), cui_actor(r), (enum xr_removal)rm.what,
                                                            &rm.xid, rm.of ? &rm.xof : NULL, &err);
    if (!rc)
        return cui_done(r, pc_arena_printf(&r->arena, "%s?done=removed", page_of(rm.what).path));
    if (rc == PC_ECONFLICT)
        cui_ctx(r)->fail_msg = cui_t(r, M_CUI_ERR_REMOVE);
    cui_refused(r, rc, &err);
    /* a 4xx: the page it came from, with why not */
    return r->status < 500 && cui_ctx(r)->fail_msg ? page_of(rm.what).render(r) : 0;
}

/* ---- the operators ---- */

/* The page; password: a new operator's, shown once, or NULL. */
static int operators_page(struct http_req *r, const char *login, const char *password)
{
    struct pc_err err = {0};
    struct xr_operator *ops;
    size_t n = 0;
    int rc = xr_operator_list(cui_central(r), &r->arena, &ops, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    cui_page_begin(r, cui_t(r, M_CUI_OPERATORS));
    if (password)
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p><p><code class=\"password\">%s</code></p></div>\n",
                 pc_arena_printf(&r->arena, cui_t(r, M_CUI_OP_PASSWORD), login), password);
    static const enum msg cols[] = {M_CUI_LOGIN, M_CUI_SINCE, M_CUI_ADDED_BY, M_CUI_REMOVE};
    cui_table_begin(r, M_CUI_OPERATORS, cols, sizeof cols / sizeof cols[0]);
    for (size_t i = 0; i < n; i++) {
        web_html(r, "<tr><td>%s</td><td>%s</td><td>%s</td><td>", ops[i].login, cui_when(r, ops[i].created_at),
                 ops[i].created_by);
        /* no link to remove oneself (the domain refuses it too) */
        if (!pc_str_eq(ops[i].login, cui_ctx(r)->op.login))
            cui_remove_link(r, OPERATOR, ops[i].login, NULL);
        web_html(r, "</td></tr>\n");
    }
    cui_table_end(r);
    cui_form_begin(r, "/operators", M_CUI_ADD_OPERATOR);
    cui_input(r, "op-login", "login", M_CUI_LOGIN, XR_OP_LOGIN_MAX, NULL);
    cui_form_end(r, M_CUI_ADD);
    cui_page_end(r);
    return 0;
}

int cui_operators(struct http_req *r)
{
    return operators_page(r, NULL, NULL);
}

/* Adding hashes the password (Argon2id): on a worker thread, like the
 * login, then the answer on a server thread. */
struct add_job {
    char password[33];
    int rc;
    struct pc_err err;
};

static void add_work(struct http_req *r)
{
    struct add_job *j = r->deferred_arg;
    const char *login = http_kv_get(&r->form, "login");
    j->rc = xr_operator_new_password(j->password, &j->err);
    if (!j->rc)
        j->rc = xr_operator_add(cui_central(r), cui_actor(r), login ? login : "", j->password, &j->err);
}

static int add_done(struct http_req *r)
{
    struct add_job *j = r->deferred_arg;
    if (j->rc) {
        cui_refused(r, j->rc, &j->err);
        return r->status < 500 && cui_ctx(r)->fail_msg ? cui_operators(r) : 0;
    }
    /* 200, not a redirect: the password is on this answer only */
    return operators_page(r, http_kv_get(&r->form, "login"), j->password);
}

int cui_post_operator(struct http_req *r)
{
    r->deferred_arg = pc_arena_alloc(&r->arena, sizeof(struct add_job));
    return http_defer(r, add_work, add_done);
}

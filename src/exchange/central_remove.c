/* central_remove.c — taking things away from the central registry: a
 * member (only when none of its subsystems and gateways remain), a
 * subsystem (only when it provides no service), a gateway with its
 * certificate and its clients' links, a gateway's client, a service with
 * the rights on it, a global group with its members and rights, a member
 * of a group.  What goes with an object goes in the same transaction as
 * the object and its audit entry, and raises the epoch like every change
 * (xr_central_finish), so the next global configuration no longer has it
 * and a gateway refuses the calls it allowed.  The CLI (`pencere central
 * remove`) and the operator's page call xr_central_remove alone. */
#include "internal.h"
#include "../audit/audit.h"

#include <string.h>

/* What each removal is called (CLI, forms), the kinds of its one or two
 * identifiers, and its audit action. */
static const struct {
    const char *name;
    enum xr_id_kind kind, of_kind;
    bool has_of;
    const char *action;
} removals[XR_RM_COUNT] = {
    [XR_RM_MEMBER] = {"member", XR_ID_MEMBER, XR_ID_MEMBER, false, "xr.member.remove"},
    [XR_RM_SUBSYSTEM] = {"subsystem", XR_ID_SUBSYSTEM, XR_ID_SUBSYSTEM, false, "xr.subsystem.remove"},
    [XR_RM_GATEWAY] = {"gateway", XR_ID_GATEWAY, XR_ID_GATEWAY, false, "xr.gateway.remove"},
    [XR_RM_GATEWAY_CLIENT] = {"gateway-client", XR_ID_GATEWAY, XR_ID_SUBSYSTEM, true, "xr.gateway.unclient"},
    [XR_RM_SERVICE] = {"service", XR_ID_SERVICE, XR_ID_SERVICE, false, "xr.service.remove"},
    [XR_RM_GROUP] = {"group", XR_ID_GROUP, XR_ID_GROUP, false, "xr.group.remove"},
    [XR_RM_GROUP_MEMBER] = {"group-member", XR_ID_GROUP, XR_ID_CLIENT, true, "xr.group.unmember"},
};

const char *xr_removal_name(enum xr_removal what)
{
    return what < XR_RM_COUNT ? removals[what].name : "";
}

int xr_removal_parse(const char *name)
{
    for (int i = 0; name && i < XR_RM_COUNT; i++)
        if (strcmp(name, removals[i].name) == 0)
            return i;
    return -1;
}

enum xr_id_kind xr_removal_kind(enum xr_removal what, bool of)
{
    return of ? removals[what].of_kind : removals[what].kind;
}

bool xr_removal_has_of(enum xr_removal what)
{
    return removals[what].has_of;
}

/* Run a DELETE (or any statement) with one or two text parameters; the
 * rows it touched, or a negative code. */
static int64_t del(struct db_conn *k, const char *sql, const char *x, const char *y, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(k, sql, err);
    if (!s)
        return err && err->code ? err->code : PC_EIO;
    db_bind_text(s, 1, x);
    if (y)
        db_bind_text(s, 2, y);
    return db_run(s, err);
}

#define NAMES_SHOWN 10

/* The ids a query with one parameter (bound twice, for a UNION) finds,
 * joined by ", " (at most NAMES_SHOWN, then "…"); "" when none. */
static int names(struct db_conn *k, struct pc_arena *a, const char *sql, const char *key, const char **out,
                 struct pc_err *err)
{
    struct db_stmt *s = db_prepare(k, sql, err);
    if (!s)
        return err && err->code ? err->code : PC_EIO;
    db_bind_text(s, 1, key);
    if (strstr(sql, "UNION"))
        db_bind_text(s, 2, key);
    struct pc_buf b;
    pc_buf_init(&b, 4096);
    int r, n = 0;
    while ((r = db_step(s, err)) == 1)
        if (n++ < NAMES_SHOWN)
            pc_buf_printf(&b, "%s%s", n > 1 ? ", " : "", db_col_text(s, 0));
    if (n > NAMES_SHOWN)
        pc_buf_puts(&b, ", …");
    *out = pc_arena_strdup(a, b.len ? b.data : "");
    pc_buf_release(&b);
    return r < 0 ? r : 0;
}

/* Refuse (PC_ECONFLICT) while the query finds something that must go first. */
static int none_left(struct db_conn *k, struct pc_arena *a, const char *sql, const char *id, const char *what,
                     struct pc_err *err)
{
    const char *left;
    int rc = names(k, a, sql, id, &left, err);
    if (!rc && *left)
        rc = pc_err_set(err, PC_ECONFLICT, "%s still has %s: %s; remove them first", id, what, left);
    return rc;
}

/* The statements that clear what hangs on an object, in order; each takes
 * the object's id as its one parameter.  The last deletes the object. */
static int clear(struct db_conn *k, const char *const *sql, const char *id, const char *missing, struct pc_err *err)
{
    int64_t n = 0;
    for (size_t i = 0; sql[i] && n >= 0; i++)
        n = del(k, sql[i], id, NULL, err);
    return n < 0 ? (int)n : n == 0 ? pc_err_set(err, PC_ENOTFOUND, "%s", missing) : 0;
}

static int remove_in(struct db_conn *k, struct pc_arena *a, enum xr_removal what, const char *id, const char *of,
                     struct pc_err *err)
{
    int rc = 0;
    const char *missing = pc_arena_printf(a, "no %s %s", removals[what].name, id);
    switch (what) {
    case XR_RM_MEMBER: {
        rc = none_left(k, a, "SELECT id FROM xr_subsystems WHERE member = ? UNION ALL "
                             "SELECT id FROM xr_gateways WHERE owner = ? ORDER BY 1",
                       id, "subsystems or gateways", err);
        static const char *const sql[] = {"DELETE FROM xr_access WHERE subject = ?",
                                          "DELETE FROM xr_group_members WHERE client = ?",
                                          "DELETE FROM xr_members WHERE id = ?", NULL};
        return rc ? rc : clear(k, sql, id, missing, err);
    }
    case XR_RM_SUBSYSTEM: {
        rc = none_left(k, a, "SELECT id FROM xr_services WHERE provider = ? ORDER BY id", id, "services", err);
        static const char *const sql[] = {"DELETE FROM xr_access WHERE subject = ?",
                                          "DELETE FROM xr_group_members WHERE client = ?",
                                          "DELETE FROM xr_gateway_clients WHERE client = ?",
                                          "DELETE FROM xr_subsystems WHERE id = ?", NULL};
        return rc ? rc : clear(k, sql, id, missing, err);
    }
    case XR_RM_GATEWAY: {
        /* the authentication certificate is a column of the row: it goes too */
        static const char *const sql[] = {"DELETE FROM xr_gateway_clients WHERE gateway = ?",
                                          "DELETE FROM xr_gateways WHERE id = ?", NULL};
        return clear(k, sql, id, missing, err);
    }
    case XR_RM_SERVICE: {
        static const char *const sql[] = {"DELETE FROM xr_access WHERE service = ?",
                                          "DELETE FROM xr_services WHERE id = ?", NULL};
        return clear(k, sql, id, missing, err);
    }
    case XR_RM_GROUP: {
        static const char *const sql[] = {"DELETE FROM xr_access WHERE subject = ?",
                                          "DELETE FROM xr_group_members WHERE grp = ?",
                                          "DELETE FROM xr_groups WHERE id = ?", NULL};
        return clear(k, sql, id, missing, err);
    }
    case XR_RM_GATEWAY_CLIENT:
    case XR_RM_GROUP_MEMBER: {
        int64_t n = del(k, what == XR_RM_GATEWAY_CLIENT ? "DELETE FROM xr_gateway_clients WHERE gateway = ? AND "
                                                          "client = ?"
                                                        : "DELETE FROM xr_group_members WHERE grp = ? AND client = ?",
                        id, of, err);
        return n < 0 ? (int)n
                     : n == 0 ? pc_err_set(err, PC_ENOTFOUND, "%s is not %s %s", of,
                                           what == XR_RM_GATEWAY_CLIENT ? "a client of" : "in", id)
                              : 0;
    }
    case XR_RM_COUNT:
        break;
    }
    return pc_err_set(err, PC_EINVAL, "nothing of that kind can be removed");
}

int xr_central_remove(struct xr_central *c, const char *actor, enum xr_removal what, const struct xr_id *id,
                      const struct xr_id *of, struct pc_err *err)
{
    if (what >= XR_RM_COUNT || id->kind != removals[what].kind ||
        (removals[what].has_of && (!of || (of->kind != XR_ID_MEMBER && of->kind != XR_ID_SUBSYSTEM) ||
                                   (removals[what].of_kind != XR_ID_CLIENT && of->kind != removals[what].of_kind))))
        return pc_err_set(err, PC_EINVAL, "the identifiers do not fit what is removed");
    struct pc_arena a;
    pc_arena_init(&a);
    const char *sid = xr_id_str(&a, id), *sof = removals[what].has_of ? xr_id_str(&a, of) : NULL;
    struct db_conn *k;
    int rc = audit_begin(c->db, &k, err);
    if (!rc) {
        rc = remove_in(k, &a, what, sid, sof, err);
        rc = xr_central_finish(k, rc, actor, removals[what].action, xr_id_kind_name(id->kind), sid, sof, err);
    }
    pc_arena_release(&a);
    return rc;
}

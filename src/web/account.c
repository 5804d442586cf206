/* account.c — a person's own pages: setting a password with a one-time
 * code, "My data" (what the state holds and who looked at it — shown only
 * to the person's own citizen account), confirming a work login bound to
 * them, sessions, acting for a legal entity, the second factor, and
 * self-service registration and reset.  Logging in is login.c's. */
#include "internal.h"
#include "../audit/audit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const enum msg role_msgs[ID_ROLE_COUNT] = {
    [ID_ROLE_CITIZEN] = M_ROLE_CITIZEN,     [ID_ROLE_REPRESENTATIVE] = M_ROLE_REPRESENTATIVE,
    [ID_ROLE_OFFICER] = M_ROLE_OFFICER,     [ID_ROLE_AGENCY_ADMIN] = M_ROLE_AGENCY_ADMIN,
    [ID_ROLE_REGISTRAR] = M_ROLE_REGISTRAR, [ID_ROLE_OPERATOR] = M_ROLE_OPERATOR,
    [ID_ROLE_EVALUATOR] = M_ROLE_EVALUATOR, [ID_ROLE_AUDITOR] = M_ROLE_AUDITOR,
    [ID_ROLE_INSPECTOR] = M_ROLE_INSPECTOR,
    [ID_ROLE_POSTAL] = M_ROLE_POSTAL,
};

const char *web_role_label(struct http_req *r, enum id_role role)
{
    return (unsigned)role < ID_ROLE_COUNT ? web_t(r, role_msgs[role]) : "";
}

/* ---- activation with a one-time code ------------------------------------ */

static void activate_page(struct http_req *r, const char *login, const char *code,
                          const struct web_field_error *errors, int n)
{
    web_form_title(r, web_t(r, M_ACTIVATE_TITLE), n);
    web_error_summary(r, errors, n);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<form method=\"post\" action=\"/activate\" novalidate>\n",
         web_t(r, M_ACTIVATE_TITLE), web_t(r, M_ACTIVATE_LEAD));
    web_csrf_field(r);
    struct web_field fields[] = {
        {"login", web_t(r, M_LOGIN_FIELD_LOGIN), web_t(r, M_LOGIN_FIELD_LOGIN_HINT), login, "text", "username", 64},
        {"code", web_t(r, M_ACTIVATE_FIELD_CODE), web_t(r, M_ACTIVATE_FIELD_CODE_HINT), code, "text", "one-time-code", 20},
        {"password", web_t(r, M_ACTIVATE_FIELD_PASSWORD), web_t(r, M_ACTIVATE_FIELD_PASSWORD_HINT), NULL, "password",
         "new-password", ID_PASSWORD_MAX},
        {"confirm", web_t(r, M_ACTIVATE_FIELD_CONFIRM), NULL, NULL, "password", "new-password", ID_PASSWORD_MAX},
    };
    for (size_t i = 0; i < 4; i++)
        web_text_field(r, &fields[i], errors, n);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_ACTIVATE_BUTTON));
    web_page_end(r);
}

int web_page_activate(struct http_req *r)
{
    activate_page(r, http_kv_get(&r->query, "login"), NULL, NULL, 0);
    return 0;
}

int web_page_activate_post(struct http_req *r)
{
    const char *login = http_kv_get(&r->form, "login"), *code = http_kv_get(&r->form, "code");
    const char *pw = http_kv_get(&r->form, "password"), *confirm = http_kv_get(&r->form, "confirm");
    struct web_field_error errors[4];
    int n = 0;
    struct pc_err err = {0};
    if (!login || !*login)
        errors[n++] = (struct web_field_error){"login", web_t(r, M_ERR_REQUIRED_LOGIN)};
    if (!code || !*code)
        errors[n++] = (struct web_field_error){"code", web_t(r, M_ERR_REQUIRED_CODE)};
    if (id_password_check(pw, &err))
        errors[n++] = (struct web_field_error){"password", web_t(r, M_ERR_PASSWORD_RULES)};
    else if (!pc_str_eq(pw, confirm))
        errors[n++] = (struct web_field_error){"confirm", web_t(r, M_ERR_PASSWORDS_DIFFER)};
    if (!n) {
        int rc = id_code_redeem(app_of(r)->db, login, code, pw, r->remote_addr, &err);
        if (rc == 0)
            return http_redirect(r, 303, "/login?activated=1");
        if (rc == PC_ELIMIT) {
            struct web_field_error e = {"code", pc_arena_printf(&r->arena, web_t(r, M_LOGIN_THROTTLED), 15)};
            r->status = 429;
            activate_page(r, login, code, &e, 1);
            return 0;
        }
        if (rc != PC_EDENIED && rc != PC_EINVAL)
            return web_fail(r, rc, &err);
        errors[n++] = (struct web_field_error){"code", web_t(r, M_ERR_CODE_BAD)};
    }
    r->status = 400;
    activate_page(r, login, code, errors, n);
    return 0;
}

/* ---- my data --------------------------------------------------------------- */

static void fact(struct http_req *r, enum msg label, const char *value)
{
    web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, label), value && *value ? value : web_t(r, M_FIELD_NOT_GIVEN));
}

static void when(struct http_req *r, int64_t unix_secs)
{
    char ts[21];
    pc_rfc3339(unix_secs, ts);
    web_html(r, "<time datetime=\"%s\">%s</time>", ts, pc_arena_printf(&r->arena, "%.10s %.5s", ts, ts + 11));
}

#define ACCESS_SHOWN 100

/* What "My data" shows of the person behind a citizen account, read
 * before a byte of the page is written so that a failure is a 503. */
struct my_data {
    struct id_person person;
    struct id_staff *waiting;        /* work logins to confirm */
    size_t nwaiting;
    struct id_entity *ents;
    size_t nents;
    bool more_ents;
    struct access_row *looks;
    size_t nlooks;
    bool more_looks;
};

static int load_my_data(struct http_req *r, const char *fin, struct my_data *d, struct pc_err *err)
{
    struct db *db = app_of(r)->db;
    int rc = id_person_get(db, &r->arena, fin, &d->person, err);
    if (!rc)
        rc = id_staff_unconfirmed(db, &r->arena, fin, &d->waiting, &d->nwaiting, err);
    if (!rc)
        rc = id_entities_of(db, &r->arena, fin, &d->ents, &d->nents, &d->more_ents, err);
    if (!rc)
        rc = audit_access_list(db, &r->arena, fin, ACCESS_SHOWN, &d->looks, &d->nlooks, &d->more_looks, err);
    return rc;
}

static const char *agency_name(struct http_req *r, const char *id)
{
    struct cat_agency g;
    return cat_get_agency(app_of(r)->db, &r->arena, id, &g, NULL) == 0 ? pc_text_get(&g.name, web_lang_id(r)) : id;
}

/* Who read the person's data: when, in which role and for which agency
 * (never a staff member's login), what and why. */
static void access_log_table(struct http_req *r, const struct my_data *d)
{
    web_html(r, "<h2 id=\"who-looked\">%s</h2>\n<p>%s</p>\n", web_t(r, M_ACCOUNT_WHO_LOOKED), web_t(r, M_ACCOUNT_WHO_LOOKED_LEAD));
    if (d->nlooks == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_ACCOUNT_NOBODY_LOOKED));
        return;
    }
    /* in a region of its own that scrolls sideways on a narrow phone, so
     * that the page itself does not */
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"who-looked\" tabindex=\"0\">\n"
            "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
            "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
         web_t(r, M_ACCOUNT_WHO_LOOKED), web_t(r, M_COL_WHEN), web_t(r, M_COL_WHO), web_t(r, M_COL_WHAT), web_t(r, M_COL_WHY));
    for (size_t i = 0; i < d->nlooks; i++) {
        const struct access_entry *e = &d->looks[i].e;
        int role = id_role_parse(e->accessor_role);
        bool registry = pc_str_eq(e->accessor_role, "exchange"); /* once only: a registry answered the portal */
        const char *who = role >= 0 ? web_role_label(r, (enum id_role)role)
                          : pc_str_eq(e->accessor_role, "oidc-client") ? web_t(r, M_OIDC_ACCESS_WHO)
                          : registry ? web_registry_name(r, e->data_kind) : e->accessor_role;
        if (e->agency_id && *e->agency_id)
            who = pc_arena_printf(&r->arena, "%s, %s", who, agency_name(r, e->agency_id));
        /* the time as on the sessions page ("2026-11-23 11:28"); the kind
         * of data and the ground are stored as codes and shown in the
         * reader's language */
        const char *at = d->looks[i].at, *kind = e->data_kind, *ground = e->ground;
        const char *what = pc_str_eq(kind, "profile") ? web_t(r, M_DATA_PROFILE) : pc_str_eq(kind, "case") ? web_t(r, M_DATA_CASE)
                           : pc_str_eq(kind, "file") ? web_t(r, M_DATA_FILE)
                           : pc_str_eq(kind, "esafe-document") ? web_t(r, M_ESAFE_DATA_DOC)
                           : pc_str_eq(kind, "inspection") ? web_t(r, M_INSPECT_DATA_KIND)
                           : registry ? web_t(r, M_ONCE_DATA_RECORD) : kind;
        const char *why = registry ? web_once_ground(r, ground) : pc_str_eq(ground, "id-check") ? web_t(r, M_GROUND_ID_CHECK)
                          : pc_str_eq(ground, "cert-desk") ? web_t(r, M_GROUND_CERT_DESK)
                          : pc_str_eq(ground, "oidc-consent") ? web_t(r, M_OIDC_GROUND_CONSENT)
                          : pc_str_has_prefix(ground, "AZ-") ? pc_arena_printf(&r->arena, web_t(r, M_GROUND_CASE), ground) : ground;
        web_html(r, "<tr><td><time datetime=\"%s\">%s</time></td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
             at, at && strlen(at) >= 16 ? pc_arena_printf(&r->arena, "%.10s %.5s", at, at + 11) : at, who, what, why);
    }
    web_html(r, "</tbody>\n</table>\n</div>\n");
    if (d->more_looks)
        web_html(r, "<p>%s</p>\n", web_t(r, M_ACCESS_OLDER));
}

/* Work logins an administrator bound to this person, for them to confirm. */
static void staff_waiting(struct http_req *r, const struct my_data *d)
{
    if (d->nwaiting == 0)
        return;
    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n<ul class=\"entities\">\n", web_t(r, M_ACCOUNT_STAFF_WAITING),
             web_t(r, M_ACCOUNT_STAFF_WAITING_LEAD));
    for (size_t i = 0; i < d->nwaiting; i++) {
        const struct id_staff *w = &d->waiting[i];
        web_html(r, "<li><strong>%s</strong> — %s, %s\n<form method=\"post\" action=\"/account/staff/confirm\" class=\"inline\">\n",
                 w->login, web_role_label(r, w->role), agency_name(r, w->agency_id));
        web_csrf_field(r);
        web_html(r, "<input type=\"hidden\" name=\"account\" value=\"%s\"><button type=\"submit\" class=\"secondary\">%s"
                    "<span class=\"visually-hidden\"> — %s</span></button></form></li>\n",
                 w->account_id, web_t(r, M_ACCOUNT_STAFF_CONFIRM), w->login);
    }
    web_html(r, "</ul>\n");
}

static void entities_section(struct http_req *r, const struct id_principal *p, const struct my_data *d)
{
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_ACCOUNT_ENTITIES));
    if (d->nents == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_ACCOUNT_NO_ENTITIES));
        return;
    }
    web_html(r, "<ul class=\"entities\">\n");
    for (size_t i = 0; i < d->nents; i++) {
        const struct id_entity *e = &d->ents[i];
        web_html(r, "<li><strong>%s</strong> (VÖEN %s, %s)\n<form method=\"post\" action=\"/account/act-for\" class=\"inline\">\n",
             e->name, e->voen, e->legal_form);
        web_csrf_field(r);
        web_html(r, "<input type=\"hidden\" name=\"voen\" value=\"%s\"><button type=\"submit\" class=\"secondary\">%s"
                "<span class=\"visually-hidden\"> — %s</span></button></form></li>\n",
             e->voen, web_t(r, M_ACCOUNT_ACT_FOR), e->name);
    }
    web_html(r, "</ul>\n");
    if (p->acting_for) {
        web_html(r, "<form method=\"post\" action=\"/account/act-for\">\n");
        web_csrf_field(r);
        web_html(r, "<button type=\"submit\" class=\"secondary\">%s</button></form>\n", web_t(r, M_ACCOUNT_STOP_ACTING));
    }
}

int web_page_account(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    const struct id_principal *p = web_who(r);
    struct pc_err err = {0};
    /* the person's record only to their own citizen account: a work login
     * bound to them (or made up by someone else) sees none of it */
    struct id_resource self = {.fin = p->fin};
    struct my_data d = {0};
    bool own = p->fin && id_authorize(p, ID_ACT_VIEW_PERSON, &self);
    int rc = own ? load_my_data(r, p->fin, &d, &err) : PC_ENOTFOUND;
    if (rc && rc != PC_ENOTFOUND)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_ACCOUNT_TITLE));
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_ACCOUNT_TITLE));
    if (p->acting_for)
        web_html(r, "<div class=\"notice\"><p>%s</p></div>\n",
             pc_arena_printf(&r->arena, web_t(r, M_ACCOUNT_ACTING_FOR), p->acting_for));
    web_html(r, "<h2>%s</h2>\n<ul>\n", web_t(r, M_ACCOUNT_ROLES));
    for (int i = 0; i < p->ngrants; i++)
        web_html(r, "<li>%s%s%s</li>\n", web_role_label(r, p->grants[i].role), *p->grants[i].agency_id ? " — " : "",
             p->grants[i].agency_id);
    web_html(r, "</ul>\n");
    web_login_facts(r, p);
    if (rc) {
        web_html(r, "<p>%s</p>\n", web_t(r, p->kind == ID_ACCOUNT_STAFF ? M_ACCOUNT_WORK_LOGIN : M_ACCOUNT_NOT_PERSON));
    } else {
        const struct id_person *person = &d.person;
        web_html(r, "<h2>%s</h2>\n<dl class=\"facts\">\n", web_t(r, M_ACCOUNT_PERSONAL));
        fact(r, M_FIELD_FIN, person->fin);
        fact(r, M_FIELD_NAME, pc_arena_printf(&r->arena, "%s %s", person->last_name, person->first_name));
        fact(r, M_FIELD_PATRONYMIC, person->patronymic);
        fact(r, M_FIELD_BIRTH_DATE, person->birth_date);
        fact(r, M_FIELD_ID_CARD, person->id_card);
        fact(r, M_FIELD_ADDRESS, person->address);
        fact(r, M_FIELD_PHONE, person->phone);
        fact(r, M_FIELD_EMAIL, person->email);
        int lang = pc_lang_parse(person->lang);
        fact(r, M_FIELD_LANG, pc_lang_name(lang < 0 ? PC_LANG_AZ : (enum pc_lang)lang));
        web_html(r, "</dl>\n");
        staff_waiting(r, &d);
        entities_section(r, p, &d);
        access_log_table(r, &d);
    }
    web_html(r, "<ul class=\"links\">\n<li><a href=\"/account/sessions\">%s</a></li>\n"
            "<li><a href=\"/account/2fa\">%s</a></li>\n", web_t(r, M_SESSIONS_TITLE), web_t(r, M_2FA_SETUP_TITLE));
    if (p->kind == ID_ACCOUNT_CITIZEN)   /* pki-portal: one's own e-signature certificates */
        web_html(r, "<li><a href=\"/account/certificates\">%s</a></li>\n", web_t(r, M_CERTS_TITLE));
    if (p->kind == ID_ACCOUNT_CITIZEN)   /* ecert: e-certificates about oneself */
        web_html(r, "<li><a href=\"/account/e-certificates\">%s</a></li>\n", web_t(r, M_ECERT_TITLE));
    if (app_of(r)->oidc && id_authorize(p, ID_ACT_OIDC_SIGN_IN, NULL)) /* agencies' sites (oidc_consents.c) */
        web_html(r, "<li><a href=\"/account/sites\">%s</a></li>\n", web_t(r, M_OIDC_SITES_TITLE));
    web_html(r, "</ul>\n");
    web_page_end(r);
    return 0;
}

/* The person confirms a work login bound to them: the code that
 * activates it is shown to them here, never to the administrator. */
int web_page_staff_confirm_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    const char *account = http_kv_get(&r->form, "account"), *login = NULL;
    char code[ID_CODE_LEN + 1];
    struct pc_err err = {0};
    int rc = id_staff_confirm(app_of(r)->db, &r->arena, web_who(r), account ? account : "", r->remote_addr, code,
                              &login, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_code_page(r, web_t(r, M_STAFF_CONFIRMED), code,
                  pc_arena_printf(&r->arena, web_t(r, M_STAFF_CONFIRMED_LOGIN), login), "/account",
                  web_t(r, M_ACCOUNT_TITLE));
    return 0;
}

int web_page_act_for_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    const char *voen = http_kv_get(&r->form, "voen");
    struct pc_err err = {0};
    if (web_once_check_act_for(r, voen)) /* once only: the taxpayer register ties the person to it */
        return 0;
    int rc = id_session_act_for(app_of(r)->db, web_who(r), voen && *voen ? voen : NULL, &err);
    if (rc == PC_EDENIED || rc == PC_EINVAL)
        return http_error(r, 403, "forbidden", "Forbidden", err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, "/account");
}

/* ---- sessions ---------------------------------------------------------------- */

int web_page_sessions(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct id_session_info *list;
    size_t n = 0;
    bool more = false;
    struct pc_err err = {0};
    int rc = id_sessions_list(app_of(r)->db, &r->arena, web_who(r), &list, &n, &more, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_SESSIONS_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n"
            "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
            "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n"
            "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
         web_t(r, M_SESSIONS_TITLE), web_t(r, M_SESSIONS_LEAD), web_t(r, M_SESSIONS_TITLE), web_t(r, M_SESSIONS_TITLE), web_t(r, M_SESSIONS_FROM),
         web_t(r, M_SESSIONS_STARTED), web_t(r, M_SESSIONS_LAST_SEEN));
    for (size_t i = 0; i < n; i++) {
        web_html(r, "<tr><td>%s — %s%s%s%s</td><td>", list[i].ip, list[i].user_agent, list[i].current ? " <strong>(" : "",
             list[i].current ? web_t(r, M_SESSIONS_THIS) : "", list[i].current ? ")</strong>" : "");
        when(r, list[i].created_at);
        web_html(r, "</td><td>");
        when(r, list[i].last_seen_at);
        web_html(r, "</td></tr>\n");
    }
    web_html(r, "</tbody>\n</table>\n</div>\n");
    if (more)
        web_html(r, "<p>%s</p>\n", web_t(r, M_SESSIONS_MORE));
    web_html(r, "<form method=\"post\" action=\"/account/sessions/revoke-all\">\n");
    web_csrf_field(r);
    web_html(r, "<button type=\"submit\" class=\"warning\">%s</button>\n</form>\n", web_t(r, M_SESSIONS_LOGOUT_ALL));
    web_page_end(r);
    return 0;
}

int web_page_sessions_revoke_all(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    web_oidc_account_ending(r); /* the agencies' sites are told first, while the sessions still say who */
    struct pc_err err = {0};
    int rc = id_session_revoke_all(app_of(r)->db, web_who(r)->account_id, r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_set_session_cookie(r, NULL);
    return http_redirect(r, 303, "/login?out=1");
}

/* ---- the API's "who am I" ------------------------------------------------------- */

int web_api_me(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    const struct id_principal *p = web_who(r);
    json_t *roles = json_array();
    for (int i = 0; i < p->ngrants; i++) {
        json_t *g = json_pack("{s:s}", "role", id_role_name(p->grants[i].role));
        if (*p->grants[i].agency_id)
            json_object_set_new(g, "agency", json_string(p->grants[i].agency_id));
        json_array_append_new(roles, g);
    }
    json_t *j = json_pack("{s:s, s:o, s:s, s:o, s:o}", "login", p->login, "fin", p->fin ? json_string(p->fin) : json_null(),
                          "name", p->display_name, "roles", roles,
                          "acting_for", p->acting_for ? json_string(p->acting_for) : json_null());
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    http_reply_json(r, 200, s);
    free(s);
    return 0;
}

/* ---- self-service registration and password reset ------------------------ */

static void send_code_page(struct http_req *r, bool reset, const char *fin, const char *card,
                           const struct web_field_error *errors, int n)
{
    const char *title = web_t(r, reset ? M_RESET_TITLE : M_REGISTER_TITLE);
    web_form_title(r, title, n);
    web_error_summary(r, errors, n);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<form method=\"post\" action=\"%s\" novalidate>\n", title,
         web_t(r, reset ? M_RESET_LEAD : M_REGISTER_LEAD), reset ? "/reset" : "/register");
    web_csrf_field(r);
    struct web_field f_fin = {"fin", web_t(r, M_FIELD_FIN), web_t(r, M_LOGIN_FIELD_LOGIN_HINT), fin, "text", "username", 7};
    struct web_field f_card = {"id_card", web_t(r, M_FIELD_ID_CARD), web_t(r, M_FIELD_ID_CARD_HINT), card, "text", "off", 20};
    web_text_field(r, &f_fin, errors, n);
    web_text_field(r, &f_card, errors, n);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_SEND_CODE_BUTTON));
    web_page_end(r);
}

static int send_code_get(struct http_req *r, bool reset)
{
    send_code_page(r, reset, NULL, NULL, NULL, 0);
    return 0;
}

static int send_code_post(struct http_req *r, bool reset)
{
    const char *fin_in = http_kv_get(&r->form, "fin"), *card = http_kv_get(&r->form, "id_card");
    char fin[8];
    struct web_field_error errors[2];
    int n = 0;
    if (!id_fin_normalize(fin_in, fin))
        errors[n++] = (struct web_field_error){"fin", web_t(r, fin_in && *fin_in ? M_ERR_FIN_FORMAT : M_ERR_REQUIRED_LOGIN)};
    if (!card || !*card || strlen(card) > 20)
        errors[n++] = (struct web_field_error){"id_card", web_t(r, M_ERR_REQUIRED_ID_CARD)};
    if (n) {
        r->status = 400;
        send_code_page(r, reset, fin_in, card, errors, n);
        return 0;
    }
    int64_t retry = 0;
    struct pc_err err = {0};
    int rc = id_code_send(app_of(r)->db, &r->arena, fin, card, reset ? "reset" : "activate", r->remote_addr,
                          web_lang(r), &retry, &err);
    if (rc == PC_ELIMIT) {
        struct web_field_error e = {"fin", pc_arena_printf(&r->arena, web_t(r, M_LOGIN_THROTTLED), (int)(retry + 59) / 60)};
        r->status = 429;
        http_set_header(r, "Retry-After", pc_arena_printf(&r->arena, "%lld", (long long)retry));
        send_code_page(r, reset, fin_in, card, &e, 1);
        return 0;
    }
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_CODE_SENT_TITLE));
    web_html(r, "<h1>%s</h1>\n<p>%s</p>\n<p><a class=\"button\" href=\"/activate?login=%s\">%s</a></p>\n",
         web_t(r, M_CODE_SENT_TITLE), web_t(r, M_CODE_SENT_BODY), fin, web_t(r, M_CODE_SENT_NEXT));
    web_page_end(r);
    return 0;
}

int web_page_register(struct http_req *r) { return send_code_get(r, false); }
int web_page_register_post(struct http_req *r) { return send_code_post(r, false); }
int web_page_reset(struct http_req *r) { return send_code_get(r, true); }
int web_page_reset_post(struct http_req *r) { return send_code_post(r, true); }

/* ---- two-step login on and off -------------------------------------------- */

static int totp_page(struct http_req *r, const char *secret, const struct web_field_error *errors, int n)
{
    const struct id_principal *p = web_who(r);
    bool on;
    struct pc_err err = {0};
    int rc = id_totp_enabled(app_of(r)->db, p->account_id, &on, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_form_title(r, web_t(r, M_2FA_SETUP_TITLE), n);
    web_error_summary(r, errors, n);
    web_html(r, "<h1>%s</h1>\n<p>%s</p>\n<form method=\"post\" action=\"/account/2fa\" novalidate>\n",
         web_t(r, M_2FA_SETUP_TITLE), web_t(r, on ? M_2FA_IS_ON : M_2FA_IS_OFF));
    web_csrf_field(r);
    if (!on) {
        web_html(r, "<p>%s</p>\n<dl class=\"facts\"><dt>%s</dt><dd><code class=\"key\">%s</code></dd>\n"
                "<dt>URI</dt><dd><code class=\"key\">otpauth://totp/Pencere:%s?secret=%s&amp;issuer=Pencere</code></dd></dl>\n"
                "<input type=\"hidden\" name=\"secret\" value=\"%s\">\n",
             web_t(r, M_2FA_SETUP_LEAD), web_t(r, M_2FA_SETUP_KEY), secret, p->login, secret, secret);
    } else {
        web_html(r, "<p>%s</p>\n<input type=\"hidden\" name=\"off\" value=\"1\">\n", web_t(r, M_2FA_OFF_LEAD));
    }
    struct web_field f = {"otp", web_t(r, M_2FA_FIELD_CODE), web_t(r, M_2FA_FIELD_CODE_HINT), NULL, "text", "one-time-code", 6};
    web_text_field(r, &f, errors, n);
    web_html(r, "<button type=\"submit\"%r>%s</button>\n</form>\n", on ? " class=\"warning\"" : "",
         web_t(r, on ? M_2FA_TURN_OFF : M_2FA_TURN_ON));
    web_page_end(r);
    return 0;
}

int web_page_totp(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    char secret[ID_TOTP_SECRET_LEN + 1];
    struct pc_err err = {0};
    int rc = id_totp_new_secret(secret);
    if (rc) {
        pc_err_set(&err, rc, "no random bytes for a new secret");
        return web_fail(r, rc, &err);
    }
    return totp_page(r, secret, NULL, 0);
}

int web_page_totp_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    const struct id_principal *p = web_who(r);
    const char *otp = http_kv_get(&r->form, "otp"), *secret = http_kv_get(&r->form, "secret");
    bool off = pc_str_eq(http_kv_get(&r->form, "off"), "1");
    struct pc_err err = {0};
    /* turning it off needs a current code of the stored secret: identity checks it */
    int rc = off ? id_totp_disable(app_of(r)->db, p, otp, r->remote_addr, &err)
                 : id_totp_enable(app_of(r)->db, p, secret, otp, r->remote_addr, &err);
    if (rc == PC_EINVAL) {
        struct web_field_error e = {"otp", web_t(r, M_2FA_WRONG)};
        r->status = 400;
        char fresh[ID_TOTP_SECRET_LEN + 1];
        bool keep = secret && strlen(secret) == ID_TOTP_SECRET_LEN;
        if (!keep)
            id_totp_new_secret(fresh);
        return totp_page(r, keep ? secret : fresh, &e, 1);
    }
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, "/account/2fa");
}

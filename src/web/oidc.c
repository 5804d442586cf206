/* oidc.c — the OpenID Connect provider as the outside sees it: the
 * discovery document, the key set, the token and userinfo endpoints
 * (JSON under /api/v1/oidc), the authorization endpoint with the consent
 * page, and logout (RP-initiated, and the portal's own logout telling the
 * sites).  src/oidc decides; this file only turns its answers into
 * protocol replies and pages.
 *
 * The page frame's CSP has form-action 'self', and browsers apply it to
 * the redirects that follow a form post: an answer to a form (the consent,
 * the logout confirmation, a login that brought the person here) goes back
 * to the site through a small page that moves on by itself (meta refresh,
 * no script) and has a link, never through a redirect. */
#include "internal.h"
#include "../oidc/oidc.h"

#include <string.h>
#include <strings.h>

static struct oidc *provider(struct http_req *r)
{
    return app_of(r)->oidc;
}

static int not_found(struct http_req *r)
{
    return http_error(r, 404, "not-found", "Not found", "OpenID Connect is not enabled on this portal.");
}

static struct oidc_params params_of(struct http_req *r, const struct http_kvlist *l)
{
    const char **k = pc_arena_array(&r->arena, l->n + 1, sizeof *k);
    const char **v = pc_arena_array(&r->arena, l->n + 1, sizeof *v);
    for (size_t i = 0; i < l->n; i++) {
        k[i] = l->items[i].key;
        v[i] = l->items[i].value;
    }
    return (struct oidc_params){k, v, l->n};
}

/* Machines (sites, SPAs) read these from anywhere. */
static void public_json(struct http_req *r, const char *json, const char *cache)
{
    http_set_header(r, "Access-Control-Allow-Origin", "*");
    if (cache)
        http_set_header(r, "Cache-Control", cache);
    http_reply_json(r, 200, json);
}

int web_oidc_discovery(struct http_req *r)
{
    if (!provider(r))
        return not_found(r);
    public_json(r, oidc_discovery_json(provider(r), &r->arena), "public, max-age=3600");
    return 0;
}

int web_oidc_jwks(struct http_req *r)
{
    if (!provider(r))
        return not_found(r);
    const char *json;
    struct pc_err err = {0};
    int rc = oidc_jwks_json(provider(r), &r->arena, &json, &err);
    if (rc)
        return web_fail(r, rc, &err);
    /* keys are published a day before they sign: five minutes is safe */
    public_json(r, json, "public, max-age=300");
    return 0;
}

/* An OAuth error answer (RFC 6749 §5.2). */
static int oauth_error(struct http_req *r, int status, enum oidc_error e, const char *description)
{
    json_t *j = json_pack("{s:s, s:s}", "error", oidc_error_name(e), "error_description", description);
    http_set_header(r, "Pragma", "no-cache");
    http_set_header(r, "Access-Control-Allow-Origin", "*");
    return web_reply_json(r, status, j);
}

int web_oidc_token(struct http_req *r)
{
    if (!provider(r))
        return not_found(r);
    struct oidc_params p = params_of(r, &r->form);
    const char *authz = http_header(r, "Authorization");
    struct oidc_tokens t;
    enum oidc_error e;
    struct pc_err err = {0};
    int rc = oidc_token(provider(r), &r->arena, &p, authz, r->remote_addr, &t, &e, &err);
    if (rc && e == OIDC_ERR_INVALID_CLIENT) {
        if (authz)
            http_set_header(r, "WWW-Authenticate", "Basic realm=\"pencere\"");
        return oauth_error(r, 401, e, err.msg);
    }
    if (rc && e != OIDC_ERR_NONE)
        return oauth_error(r, 400, e, err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *j = json_pack("{s:s, s:s, s:i, s:s, s:s}", "access_token", t.access_token, "token_type", "Bearer",
                          "expires_in", t.expires_in, "id_token", t.id_token, "scope", t.scope);
    http_set_header(r, "Pragma", "no-cache");
    http_set_header(r, "Access-Control-Allow-Origin", "*");
    return web_reply_json(r, 200, j);
}

int web_oidc_userinfo(struct http_req *r)
{
    if (!provider(r))
        return not_found(r);
    const char *h = http_header(r, "Authorization");
    const char *token = h && strncasecmp(h, "Bearer ", 7) == 0 ? h + 7 : http_kv_get(&r->form, "access_token");
    const char *json;
    enum oidc_error e;
    struct pc_err err = {0};
    int rc = oidc_userinfo(provider(r), &r->arena, token, &json, &e, &err);
    if (rc && e == OIDC_ERR_INVALID_TOKEN) {
        http_set_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
        return oauth_error(r, 401, e, err.msg);
    }
    if (rc)
        return web_fail(r, rc, &err);
    http_set_header(r, "Access-Control-Allow-Origin", "*");
    return http_reply_json(r, 200, json);
}

/* ---- the person's side: pages ------------------------------------------- */

static const char *site_name(struct http_req *r, const struct oidc_client *c)
{
    return pc_text_get(&c->name, web_lang_id(r));
}

static int message_page(struct http_req *r, int status, enum msg title, enum msg body)
{
    r->status = status;
    web_page_begin(r, web_t(r, title));
    web_html(r, "<h1>%s</h1>\n<p>%s</p>\n<p><a href=\"/\">%s</a></p>\n", web_t(r, title), web_t(r, body),
             web_t(r, M_ERR_GO_HOME));
    web_page_end(r);
    return 0;
}

/* Back to the site after a form: a page that moves on by itself. */
static int continue_page(struct http_req *r, const char *site, const char *url)
{
    const char *title = pc_arena_printf(&r->arena, web_t(r, M_OIDC_CONTINUE_TITLE), site);
    web_page_begin(r, title);
    web_html(r, "<meta http-equiv=\"refresh\" content=\"0; url=%s\">\n<h1>%s</h1>\n<p><a href=\"%s\" id=\"continue\">%s</a></p>\n",
             url, title, url, pc_arena_printf(&r->arena, web_t(r, M_OIDC_CONTINUE_LINK), site));
    web_page_end(r);
    return 0;
}

static const enum msg claim_msgs[OIDC_CLAIM_COUNT] = {
    [OIDC_CLAIM_SUB_FIN] = M_OIDC_CLAIM_SUB_FIN,
    [OIDC_CLAIM_SUB_PAIRWISE] = M_OIDC_CLAIM_SUB_PAIRWISE,
    [OIDC_CLAIM_NAME] = M_OIDC_CLAIM_NAME,
    [OIDC_CLAIM_BIRTHDATE] = M_OIDC_CLAIM_BIRTHDATE,
    [OIDC_CLAIM_EMAIL] = M_OIDC_CLAIM_EMAIL,
    [OIDC_CLAIM_PHONE] = M_OIDC_CLAIM_PHONE,
    [OIDC_CLAIM_LOGIN_LEVEL] = M_OIDC_CLAIM_LOGIN_LEVEL,
};

const char *web_oidc_claim_text(struct http_req *r, int claim)
{
    return web_t(r, claim_msgs[claim]);
}

static int consent_page(struct http_req *r, const struct oidc_pending *p)
{
    const char *site = site_name(r, &p->client);
    struct cat_agency ag;
    struct pc_err err = {0};
    int rc = cat_get_agency(app_of(r)->db, &r->arena, p->client.agency_id, &ag, &err);
    if (rc && rc != PC_ENOTFOUND)
        return web_fail(r, rc, &err);
    const char *agency = rc ? p->client.agency_id : pc_text_get(&ag.name, web_lang_id(r));
    const char *title = pc_arena_printf(&r->arena, web_t(r, M_OIDC_CONSENT_TITLE), site);
    web_page_begin(r, title);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<ul class=\"claims\">\n", title,
             pc_arena_printf(&r->arena, web_t(r, M_OIDC_CONSENT_LEAD), site, agency));
    enum oidc_claim claims[OIDC_CLAIM_COUNT];
    size_t n = oidc_claims_of(p, claims);
    for (size_t i = 0; i < n; i++)
        web_html(r, "<li>%s</li>\n", web_oidc_claim_text(r, claims[i]));
    web_html(r, "</ul>\n<p>%s</p>\n<p>%s</p>\n<form method=\"post\" action=\"/oidc/continue/%s\">\n",
             pc_arena_printf(&r->arena, web_t(r, M_OIDC_AS), web_who(r)->display_name),
             web_t(r, M_OIDC_CONSENT_REMEMBER), p->id);
    web_csrf_field(r);
    web_html(r, "<button type=\"submit\" name=\"decision\" value=\"allow\">%s</button>\n"
                "<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">%s</button>\n</form>\n",
             web_t(r, M_OIDC_ALLOW), web_t(r, M_OIDC_DENY));
    web_page_end(r);
    return 0;
}

/* Send the answer back: a redirect, or the moving-on page after a form. */
static int back_to_site(struct http_req *r, const struct oidc_pending *p, const char *url, bool after_form)
{
    if (after_form)
        return continue_page(r, site_name(r, &p->client), url);
    return http_redirect(r, 302, url);
}

/* A checked request: log in, ask, or answer. */
static int proceed(struct http_req *r, struct oidc_pending *p, bool after_form)
{
    struct oidc *o = provider(r);
    const struct id_principal *who = web_who(r);
    struct pc_err err = {0};
    int rc;
    if (!who) {
        if (p->prompt_none)
            return back_to_site(r, p, oidc_error_redirect(&r->arena, p->redirect_uri, OIDC_ERR_LOGIN_REQUIRED, NULL,
                                                          p->state), after_form);
        if (!p->id && (rc = oidc_pending_store(o, &r->arena, p, &err)))
            return web_fail(r, rc, &err);
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/login?next=/oidc/continue/%s", p->id));
    }
    if (!id_authorize(who, ID_ACT_OIDC_SIGN_IN, NULL))
        return message_page(r, 403, M_ERR_TITLE_403, M_OIDC_STAFF);
    bool given;
    if ((rc = oidc_consent_given(o, who, p, &given, &err)))
        return web_fail(r, rc, &err);
    if (!given) {
        if (p->prompt_none)
            return back_to_site(r, p, oidc_error_redirect(&r->arena, p->redirect_uri, OIDC_ERR_CONSENT_REQUIRED, NULL,
                                                          p->state), after_form);
        if (!p->id && (rc = oidc_pending_store(o, &r->arena, p, &err)))
            return web_fail(r, rc, &err);
        return consent_page(r, p);
    }
    const char *url;
    if ((rc = oidc_authorize_finish(o, &r->arena, who, p, true, r->remote_addr, &url, &err)))
        return rc == PC_ENOTFOUND ? message_page(r, 400, M_ERR_TITLE_400, M_OIDC_EXPIRED) : web_fail(r, rc, &err);
    return back_to_site(r, p, url, after_form);
}

int web_oidc_authorize(struct http_req *r)
{
    if (!provider(r))
        return not_found(r);
    struct oidc_params params = params_of(r, &r->query);
    struct oidc_pending p;
    enum oidc_error e;
    struct pc_err err = {0};
    int rc = oidc_authorize_check(provider(r), &r->arena, &params, r->remote_addr, &p, &e, &err);
    if (rc && e == OIDC_ERR_NONE)
        return web_fail(r, rc, &err);
    if (rc && !p.redirect_uri) /* never back to a URI the site did not register */
        return message_page(r, 400, M_OIDC_BAD_TITLE, M_OIDC_BAD_BODY);
    if (rc)
        return http_redirect(r, 302, oidc_error_redirect(&r->arena, p.redirect_uri, e, err.msg, p.state));
    return proceed(r, &p, false);
}

static int pending(struct http_req *r, struct oidc_pending *p)
{
    struct pc_err err = {0};
    int rc = oidc_pending_get(provider(r), &r->arena, http_param(r, 0), p, &err);
    if (rc == PC_ENOTFOUND)
        message_page(r, 400, M_ERR_TITLE_400, M_OIDC_EXPIRED);
    else if (rc)
        web_fail(r, rc, &err);
    return rc;
}

/* After the login form: the request that was waiting for it. */
int web_oidc_continue(struct http_req *r)
{
    if (!provider(r))
        return not_found(r);
    struct oidc_pending p;
    if (pending(r, &p))
        return 0;
    return proceed(r, &p, true);
}

/* The consent page's answer. */
int web_oidc_continue_post(struct http_req *r)
{
    if (!provider(r))
        return not_found(r);
    struct oidc_pending p;
    if (pending(r, &p))
        return 0;
    const struct id_principal *who = web_who(r);
    if (!who)
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/login?next=/oidc/continue/%s", p.id));
    if (!id_authorize(who, ID_ACT_OIDC_SIGN_IN, NULL))
        return message_page(r, 403, M_ERR_TITLE_403, M_OIDC_STAFF);
    bool allow = pc_str_eq(http_kv_get(&r->form, "decision"), "allow");
    const char *url;
    struct pc_err err = {0};
    int rc = oidc_authorize_finish(provider(r), &r->arena, who, &p, allow, r->remote_addr, &url, &err);
    if (rc == PC_ENOTFOUND)
        return message_page(r, 400, M_ERR_TITLE_400, M_OIDC_EXPIRED);
    if (rc)
        return web_fail(r, rc, &err);
    return continue_page(r, site_name(r, &p.client), url);
}

/* ---- logout ------------------------------------------------------------------ */

void web_oidc_session_ending(struct http_req *r)
{
    const struct id_principal *who = web_who(r);
    struct pc_err err = {0};
    /* the portal logout goes on even when the sites cannot be told */
    if (provider(r) && who && oidc_session_ended(provider(r), who->session_hash, r->remote_addr, &err))
        pc_log(PC_LOG_WARN, "oidc.logout_not_sent", "msg", err.msg, NULL);
}

void web_oidc_account_ending(struct http_req *r)
{
    const struct id_principal *who = web_who(r);
    struct pc_err err = {0};
    if (provider(r) && who && oidc_account_sessions_ended(provider(r), who->account_id, r->remote_addr, &err))
        pc_log(PC_LOG_WARN, "oidc.logout_not_sent", "msg", err.msg, NULL);
}

/* End the portal session (and so the sites'). */
static int log_out(struct http_req *r)
{
    const char *token = web_session_token(r);
    if (!token)
        return 0;
    web_oidc_session_ending(r);
    struct pc_err err = {0};
    int rc = id_session_revoke(app_of(r)->db, token, "cookie", r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err), rc;
    web_set_session_cookie(r, NULL);
    return 0;
}

static int logout_page(struct http_req *r, const struct oidc_logout_request *q)
{
    web_page_begin(r, web_t(r, M_OIDC_LOGOUT_TITLE));
    web_html(r, "<h1>%s</h1>\n<p>%s</p>\n<form method=\"post\" action=\"/oidc/logout\">\n",
             web_t(r, M_OIDC_LOGOUT_TITLE), web_t(r, M_OIDC_LOGOUT_LEAD));
    web_csrf_field(r);
    const char *names[] = {"id_token_hint", "post_logout_redirect_uri", "state", "client_id"};
    const char *values[] = {q->id_token_hint, q->post_logout_redirect_uri, q->state, q->client_id};
    for (int i = 0; i < 4; i++)
        if (values[i])
            web_html(r, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n", names[i], values[i]);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_OIDC_LOGOUT_BUTTON));
    web_page_end(r);
    return 0;
}

static int logout(struct http_req *r, const struct http_kvlist *l, bool confirmed)
{
    if (!provider(r))
        return not_found(r);
    struct oidc_params params = params_of(r, l);
    struct oidc_logout_request q;
    const char *redirect, *sid;
    struct pc_err err = {0};
    int rc = oidc_logout_parse(&params, &q, &err);
    if (!rc)
        rc = oidc_logout_check(provider(r), &r->arena, &q, r->remote_addr, &redirect, &sid, &err);
    if (rc == PC_EINVAL)
        return message_page(r, 400, M_OIDC_BAD_TITLE, M_OIDC_BAD_BODY);
    if (rc)
        return web_fail(r, rc, &err);
    const struct id_principal *who = web_who(r);
    char mine[44] = "";
    if (who)
        oidc_sid_of(who->session_hash, mine);
    /* the site proved which session it means: no question; otherwise ask
     * (a link alone must not log anyone out) */
    if (who && !confirmed && !pc_str_eq(sid, mine))
        return logout_page(r, &q);
    if (who && log_out(r))
        return 0;
    if (redirect)
        return confirmed ? continue_page(r, redirect, redirect) : http_redirect(r, 302, redirect);
    return message_page(r, 200, M_OIDC_LOGOUT_BUTTON, M_OIDC_LOGGED_OUT);
}

int web_oidc_logout(struct http_req *r)
{
    return logout(r, &r->query, false);
}

int web_oidc_logout_post(struct http_req *r)
{
    return logout(r, &r->form, true);
}

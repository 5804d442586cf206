/* example_rp.c — "the tax ministry's cabinet": a small agency site that
 * signs people in through the portal (OpenID Connect, authorization code
 * with PKCE) and out with it (RP-initiated and back-channel logout).  It
 * shows an agency how to be a relying party and lets the demo show single
 * sign-on end to end; `pencere example-rp` runs it alone, `pencere demo`
 * runs it beside the portal.  Written with the project's own HTTP server
 * and the JOSE helpers of src/oidc, talking to the portal only over HTTP
 * like any other site.
 *
 * Its state is in memory and bounded: the last RP_LOGINS sign-ins in
 * progress and the last RP_SESSIONS sessions (older ones are forgotten). */
#include "cli.h"
#include "example_rp.h"
#include "../http/http.h"
#include "../oidc/oidc.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RP_LOGINS 256
#define RP_SESSIONS 256
#define RP_LOGIN_SECS 600
#define RP_BODY_MAX (64 * 1024)
#define COOKIE_SESSION "rp_session"
#define COOKIE_LOGIN "rp_login"

struct rp_login {
    char state[44], verifier[44], nonce[44];
    int64_t at;
};

struct rp_session {
    char id[44], sub[64], sid[64], acr[32], name[200];
    char id_token[OIDC_JWT_MAX + 1];
};

struct example_rp {
    char issuer[256], client_id[80], secret[80], public_url[256];
    char authorize_url[320], token_url[320], userinfo_url[320], jwks_url[320], logout_url[320];
    pthread_mutex_t lock;
    pthread_mutex_t discovery_lock;  /* the endpoints are read once, by one thread */
    struct rp_login logins[RP_LOGINS];
    size_t next_login;
    struct rp_session sessions[RP_SESSIONS];
    size_t next_session;
    struct http_server *srv;
};

/* ---- the words of its pages --------------------------------------------- */

enum rp_msg { RM_TITLE, RM_WELCOME, RM_LOGIN, RM_LOGOUT, RM_ANON, RM_FAILED, RM_COUNT };

static const struct pc_text rp_msgs[RM_COUNT] = {
    [RM_TITLE] = {{"Vergilər Nazirliyi — e-kabinet", "Ministry of Taxes — e-cabinet", "Министерство налогов — э-кабинет"}},
    [RM_WELCOME] = {{"Xoş gəlmisiniz", "Welcome", "Добро пожаловать"}},
    [RM_LOGIN] = {{"Pəncərə ilə daxil olun", "Log in with Pəncərə", "Войти через Pəncərə"}},
    [RM_LOGOUT] = {{"Çıxış", "Log out", "Выйти"}},
    [RM_ANON] = {{"Kabinetə daxil olmaq üçün portalın hesabınızdan istifadə edin: yenidən qeydiyyat lazım deyil.",
                  "Use your portal account to enter the cabinet: no second registration.",
                  "Войдите в кабинет с учётной записью портала: повторная регистрация не нужна."}},
    [RM_FAILED] = {{"Daxil olmaq alınmadı", "Login failed", "Войти не удалось"}},
};

static enum pc_lang rp_lang(struct http_req *r)
{
    int l = pc_lang_parse(http_kv_get(&r->query, "lang"));
    return l < 0 ? PC_LANG_AZ : (enum pc_lang)l;
}

static const char *rt(struct http_req *r, enum rp_msg m)
{
    return pc_text_get(&rp_msgs[m], rp_lang(r));
}

static int page(struct http_req *r, int status, const char *heading, const char *body_html)
{
    struct pc_buf b;
    pc_buf_init(&b, 1 << 16);
    pc_buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head><meta charset=\"utf-8\"><title>",
                  pc_lang_code(rp_lang(r)));
    pc_buf_html(&b, rt(r, RM_TITLE));
    pc_buf_puts(&b, "</title></head>\n<body>\n<header><p>");
    pc_buf_html(&b, rt(r, RM_TITLE));
    pc_buf_puts(&b, "</p></header>\n<main>\n<h1>");
    pc_buf_html(&b, heading);
    pc_buf_printf(&b, "</h1>\n%s</main>\n</body>\n</html>\n", body_html);
    int rc = http_reply(r, status, "text/html; charset=utf-8", pc_arena_strndup(&r->arena, b.data, b.len));
    pc_buf_release(&b);
    return rc;
}

static int failed(struct http_req *r, int status, const char *why)
{
    pc_log(PC_LOG_WARN, "example_rp.refused", "reason", why, NULL);
    struct pc_buf b;
    pc_buf_init(&b, 4096);
    pc_buf_puts(&b, "<p id=\"reason\">");
    pc_buf_html(&b, why);
    pc_buf_puts(&b, "</p>\n<p><a href=\"/\">&larr;</a></p>\n");
    const char *html = pc_arena_strndup(&r->arena, b.data, b.len);
    pc_buf_release(&b);
    return page(r, status, rt(r, RM_FAILED), html);
}

/* ---- talking to the portal ------------------------------------------------ */

/* GET url (form NULL) or POST the form; with user (Basic) or bearer.
 * The answer's JSON object, or NULL after a log line. */
static json_t *call(const char *url, const char *form, const char *user, const char *pass, const char *bearer,
                    long *status)
{
    struct pc_arena a;
    pc_arena_init(&a);
    const char *hdrs[] = {bearer ? pc_arena_printf(&a, "Authorization: Bearer %s", bearer) : NULL, NULL};
    /* our ids and secrets are unreserved characters: form-encoding (RFC 6749 §2.3.1) leaves them as they are */
    struct cli_request q = {.url = url, .body = form, .headers = hdrs, .user = user, .password = pass,
                            .max = RP_BODY_MAX};
    char *body;
    size_t len;
    struct pc_err err = {0};
    json_t *j = NULL;
    if (cli_fetch(&a, &q, status, &body, &len, &err))
        pc_log(PC_LOG_WARN, "example_rp.portal_unreachable", "msg", err.msg, NULL);
    else
        j = json_loadb(body, len, 0, NULL);
    pc_arena_release(&a);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* The endpoints, from the provider's discovery document (read once). */
static int discover_locked(struct example_rp *rp);

static int discover(struct example_rp *rp)
{
    pthread_mutex_lock(&rp->discovery_lock);
    int rc = discover_locked(rp);
    pthread_mutex_unlock(&rp->discovery_lock);
    return rc;
}

static int discover_locked(struct example_rp *rp)
{
    if (rp->token_url[0])
        return 0;
    long status;
    char url[320];
    snprintf(url, sizeof url, "%s/.well-known/openid-configuration", rp->issuer);
    json_t *d = call(url, NULL, NULL, NULL, NULL, &status);
    const char *names[] = {"authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
                           "end_session_endpoint"};
    char *dst[] = {rp->authorize_url, rp->token_url, rp->userinfo_url, rp->jwks_url, rp->logout_url};
    bool ok = d && status == 200 && pc_str_eq(json_string_value(json_object_get(d, "issuer")), rp->issuer);
    for (size_t i = 0; ok && i < 5; i++) {
        const char *v = json_string_value(json_object_get(d, names[i]));
        ok = v && strlen(v) < sizeof rp->token_url;
        if (ok)
            snprintf(dst[i], sizeof rp->token_url, "%s", v);
    }
    json_decref(d);
    if (!ok)
        rp->token_url[0] = 0;
    return ok ? 0 : PC_EUNAVAIL;
}

/* A token from the portal, verified: our issuer, for us, not expired,
 * signed by a key of the portal's current set. */
static int verify(struct example_rp *rp, struct pc_arena *a, const char *jwt, struct oidc_jws *j, const char **why)
{
    struct pc_err err = {0};
    long status;
    if (oidc_jws_parse(a, jwt, j, &err))
        return *why = "not a JWS", PC_EINVAL;
    json_t *set = call(rp->jwks_url, NULL, NULL, NULL, NULL, &status);
    char *text = set ? json_dumps(set, JSON_COMPACT) : NULL;
    json_decref(set);
    EVP_PKEY *key = text ? oidc_jwk_key(text, j->kid, &err) : NULL;
    free(text);
    int rc = key ? oidc_jws_verify(j, key, &err) : PC_EDENIED;
    EVP_PKEY_free(key);
    if (rc)
        return *why = "bad signature or unknown key", PC_EDENIED;
    if (!pc_str_eq(oidc_jws_claim(j, "iss"), rp->issuer) || !pc_str_eq(oidc_jws_claim(j, "aud"), rp->client_id))
        return *why = "wrong issuer or audience", PC_EDENIED;
    if (oidc_jws_claim_int(j, "exp") <= pc_now_unix())
        return *why = "expired", PC_EDENIED;
    return 0;
}

/* ---- sessions ------------------------------------------------------------- */

static struct example_rp *rp_of(struct http_req *r)
{
    return r->app;
}

/* The session of the request's cookie, copied out (false: none). */
static bool session_of(struct http_req *r, struct rp_session *out)
{
    struct example_rp *rp = rp_of(r);
    const char *id = http_kv_get(&r->cookies, COOKIE_SESSION);
    bool found = false;
    pthread_mutex_lock(&rp->lock);
    for (size_t i = 0; id && strlen(id) == 43 && i < RP_SESSIONS && !found; i++)
        if (strcmp(rp->sessions[i].id, id) == 0) {
            *out = rp->sessions[i];
            found = true;
        }
    pthread_mutex_unlock(&rp->lock);
    return found;
}

static void random_token(char out[44])
{
    unsigned char raw[32];
    pc_random_bytes(raw, sizeof raw);
    pc_b64url_encode(raw, sizeof raw, out);
}

static void set_cookie(struct http_req *r, const char *name, const char *value)
{
    http_set_header(r, "Set-Cookie", pc_arena_printf(&r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", name,
                                                     value ? value : "", value ? "" : "; Max-Age=0"));
}

/* ---- pages ---------------------------------------------------------------- */

static int home(struct http_req *r)
{
    struct rp_session s;
    struct pc_buf b;
    pc_buf_init(&b, 1 << 16);
    bool in = session_of(r, &s);
    if (in) {
        pc_buf_puts(&b, "<p id=\"who\">");
        pc_buf_html(&b, s.name[0] ? s.name : s.sub);
        pc_buf_puts(&b, "</p>\n<dl><dt>sub</dt><dd id=\"sub\">");
        pc_buf_html(&b, s.sub);
        pc_buf_puts(&b, "</dd><dt>acr</dt><dd id=\"acr\">");
        pc_buf_html(&b, s.acr);
        pc_buf_printf(&b, "</dd></dl>\n<p><a id=\"logout\" href=\"/logout\">%s</a></p>\n", rt(r, RM_LOGOUT));
    } else {
        pc_buf_printf(&b, "<p>%s</p>\n<p><a id=\"login\" href=\"/login\">%s</a></p>\n", rt(r, RM_ANON),
                      rt(r, RM_LOGIN));
    }
    const char *html = pc_arena_strndup(&r->arena, b.data, b.len);
    pc_buf_release(&b);
    return page(r, 200, in ? rt(r, RM_WELCOME) : rt(r, RM_TITLE), html);
}

static int login(struct http_req *r)
{
    struct example_rp *rp = rp_of(r);
    if (discover(rp))
        return failed(r, 503, "the portal does not answer");
    struct rp_login l = {.at = pc_now_unix()};
    random_token(l.state);
    random_token(l.verifier);
    random_token(l.nonce);
    unsigned char h[32];
    EVP_Digest(l.verifier, 43, h, NULL, EVP_sha256(), NULL);
    char challenge[44];
    pc_b64url_encode(h, sizeof h, challenge);
    pthread_mutex_lock(&rp->lock);
    rp->logins[rp->next_login++ % RP_LOGINS] = l;
    pthread_mutex_unlock(&rp->lock);
    set_cookie(r, COOKIE_LOGIN, l.state); /* the answer must come back to this browser */
    struct pc_buf b;
    pc_buf_init(&b, 4096);
    pc_buf_printf(&b, "%s?response_type=code&scope=openid%%20profile&client_id=", rp->authorize_url);
    pc_buf_urlencode(&b, rp->client_id);
    pc_buf_puts(&b, "&redirect_uri=");
    pc_buf_urlencode(&b, pc_arena_printf(&r->arena, "%s/callback", rp->public_url));
    pc_buf_printf(&b, "&state=%s&nonce=%s&code_challenge=%s&code_challenge_method=S256", l.state, l.nonce, challenge);
    const char *url = pc_arena_strndup(&r->arena, b.data, b.len);
    pc_buf_release(&b);
    return http_redirect(r, 302, url);
}

/* The sign-in in progress for this state, taken (false: none, stale or
 * another browser's). */
static bool take_login(struct http_req *r, const char *state, struct rp_login *out)
{
    struct example_rp *rp = rp_of(r);
    bool found = false;
    if (!state || !pc_str_eq(state, http_kv_get(&r->cookies, COOKIE_LOGIN)))
        return false;
    pthread_mutex_lock(&rp->lock);
    for (size_t i = 0; i < RP_LOGINS && !found; i++)
        if (strcmp(rp->logins[i].state, state) == 0) {
            *out = rp->logins[i];
            memset(&rp->logins[i], 0, sizeof rp->logins[i]);
            found = pc_now_unix() - out->at < RP_LOGIN_SECS;
        }
    pthread_mutex_unlock(&rp->lock);
    return found;
}

static int callback(struct http_req *r)
{
    struct example_rp *rp = rp_of(r);
    const char *code = http_kv_get(&r->query, "code"), *error = http_kv_get(&r->query, "error");
    struct rp_login l;
    if (!take_login(r, http_kv_get(&r->query, "state"), &l))
        return failed(r, 400, "unknown or stale state");
    set_cookie(r, COOKIE_LOGIN, NULL);
    if (error || !code)
        return failed(r, 400, error ? error : "no code");
    struct pc_buf f;
    pc_buf_init(&f, 4096);
    pc_buf_puts(&f, "grant_type=authorization_code&code=");
    pc_buf_urlencode(&f, code);
    pc_buf_puts(&f, "&redirect_uri=");
    pc_buf_urlencode(&f, pc_arena_printf(&r->arena, "%s/callback", rp->public_url));
    pc_buf_printf(&f, "&code_verifier=%s", l.verifier);
    long status;
    json_t *tok = call(rp->token_url, f.data, rp->client_id, rp->secret, NULL, &status);
    pc_buf_release(&f);
    const char *id_token = tok && status == 200 ? json_string_value(json_object_get(tok, "id_token")) : NULL;
    const char *access = tok && status == 200 ? json_string_value(json_object_get(tok, "access_token")) : NULL;
    struct oidc_jws j;
    const char *why = "the portal refused the code";
    int rc = id_token && access ? verify(rp, &r->arena, id_token, &j, &why) : PC_EDENIED;
    if (!rc && !pc_str_eq(oidc_jws_claim(&j, "nonce"), l.nonce))
        rc = (why = "wrong nonce", PC_EDENIED);
    if (!rc && (!oidc_jws_claim(&j, "sub") || strlen(oidc_jws_claim(&j, "sub")) >= 64))
        rc = (why = "no subject", PC_EDENIED);
    struct rp_session s = {0};
    if (!rc) {
        random_token(s.id);
        snprintf(s.sub, sizeof s.sub, "%s", oidc_jws_claim(&j, "sub"));
        const char *sid = oidc_jws_claim(&j, "sid"), *acr = oidc_jws_claim(&j, "acr");
        snprintf(s.sid, sizeof s.sid, "%s", sid ? sid : "");
        snprintf(s.acr, sizeof s.acr, "%s", acr ? acr : "");
        snprintf(s.id_token, sizeof s.id_token, "%s", id_token);
        json_t *info = call(rp->userinfo_url, NULL, NULL, NULL, access, &status);
        const char *name = status == 200 ? json_string_value(json_object_get(info, "name")) : NULL;
        snprintf(s.name, sizeof s.name, "%s", name ? name : "");
        json_decref(info);
    }
    json_decref(tok);
    if (rc)
        return failed(r, 400, why);
    pthread_mutex_lock(&rp->lock);
    rp->sessions[rp->next_session++ % RP_SESSIONS] = s;
    pthread_mutex_unlock(&rp->lock);
    pc_log(PC_LOG_INFO, "example_rp.signed_in", "acr", s.acr, NULL);
    set_cookie(r, COOKIE_SESSION, s.id);
    return http_redirect(r, 303, "/");
}

/* Forget sessions: the one with this id, or every one of this portal sid. */
static void forget(struct example_rp *rp, const char *id, const char *sid)
{
    pthread_mutex_lock(&rp->lock);
    for (size_t i = 0; i < RP_SESSIONS; i++) {
        struct rp_session *s = &rp->sessions[i];
        if (s->id[0] && ((id && strcmp(s->id, id) == 0) || (sid && *sid && strcmp(s->sid, sid) == 0)))
            memset(s, 0, sizeof *s);
    }
    pthread_mutex_unlock(&rp->lock);
}

/* Leave here and at the portal: the portal knows the session by the
 * id_token and sends the person back to our front page. */
static int logout(struct http_req *r)
{
    struct example_rp *rp = rp_of(r);
    struct rp_session s;
    if (!session_of(r, &s))
        return http_redirect(r, 303, "/");
    forget(rp, s.id, NULL);
    set_cookie(r, COOKIE_SESSION, NULL);
    if (discover(rp))
        return http_redirect(r, 303, "/");
    struct pc_buf b;
    pc_buf_init(&b, OIDC_JWT_MAX * 2);
    pc_buf_printf(&b, "%s?id_token_hint=%s&post_logout_redirect_uri=", rp->logout_url, s.id_token);
    pc_buf_urlencode(&b, pc_arena_printf(&r->arena, "%s/", rp->public_url));
    const char *url = pc_arena_strndup(&r->arena, b.data, b.len);
    pc_buf_release(&b);
    return http_redirect(r, 302, url);
}

/* OpenID Connect Back-Channel Logout 1.0 §2.6: a logout token signed by
 * the portal, for us, with the event and a sid, and no nonce. */
static int backchannel(struct http_req *r)
{
    struct example_rp *rp = rp_of(r);
    const char *token = http_kv_get(&r->form, "logout_token"), *why = "no logout_token";
    struct oidc_jws j;
    int rc = token && !discover(rp) ? verify(rp, &r->arena, token, &j, &why) : PC_EINVAL;
    json_t *events = rc ? NULL : json_object_get(j.payload, "events");
    if (!rc && (!json_object_get(events, "http://schemas.openid.net/event/backchannel-logout") ||
                json_object_get(j.payload, "nonce") || !oidc_jws_claim(&j, "sid")))
        rc = (why = "not a logout token", PC_EINVAL);
    if (rc) {
        pc_log(PC_LOG_WARN, "example_rp.logout_refused", "reason", why, NULL);
        return http_reply_json(r, 400, "{\"error\":\"invalid_request\"}");
    }
    forget(rp, NULL, oidc_jws_claim(&j, "sid"));
    pc_log(PC_LOG_INFO, "example_rp.logged_out", "by", "backchannel", NULL);
    return http_reply(r, 200, "text/plain; charset=utf-8", "");
}

static const struct http_route routes[] = {
    {"GET", "/", home, 0, HTTP_ROUTE_NO_STORE, "home"},
    {"GET", "/login", login, 0, HTTP_ROUTE_NO_STORE, "login"},
    {"GET", "/callback", callback, 0, HTTP_ROUTE_NO_STORE, "callback"},
    {"GET", "/logout", logout, 0, HTTP_ROUTE_NO_STORE, "logout"},
    {"POST", "/backchannel-logout", backchannel, 16384, HTTP_ROUTE_NO_STORE, "backchannel_logout"},
};

/* ---- starting and stopping -------------------------------------------------- */

struct example_rp *example_rp_start(const struct example_rp_config *c, struct pc_err *err)
{
    if (!c->issuer || !c->client_id || !c->secret || !c->listen || strlen(c->issuer) >= 256 ||
        strlen(c->client_id) >= 80 || strlen(c->secret) >= 80)
        return pc_err_set(err, PC_EINVAL, "the example site needs an issuer, a client id and its secret"), NULL;
    struct example_rp *rp = calloc(1, sizeof *rp);
    if (!rp)
        pc_oom(sizeof *rp);
    snprintf(rp->issuer, sizeof rp->issuer, "%s", c->issuer);
    snprintf(rp->client_id, sizeof rp->client_id, "%s", c->client_id);
    snprintf(rp->secret, sizeof rp->secret, "%s", c->secret);
    snprintf(rp->public_url, sizeof rp->public_url, "%s", example_rp_public_url(c));
    pthread_mutex_init(&rp->lock, NULL);
    pthread_mutex_init(&rp->discovery_lock, NULL);
    struct http_config h;
    http_config_defaults(&h);
    h.listen = c->listen;
    h.threads = 4;
    h.routes = routes;
    h.nroutes = sizeof routes / sizeof routes[0];
    h.app = rp;
    h.session_cookie = COOKIE_SESSION;
    h.cache_ms = 0;
    if (!(rp->srv = http_start(&h, err))) {
        pthread_mutex_destroy(&rp->lock);
        pthread_mutex_destroy(&rp->discovery_lock);
        free(rp);
        return NULL;
    }
    return rp;
}

void example_rp_stop(struct example_rp *rp)
{
    if (!rp)
        return;
    http_stop(rp->srv, 5);
    pthread_mutex_destroy(&rp->lock);
    pthread_mutex_destroy(&rp->discovery_lock);
    OPENSSL_cleanse(rp, sizeof *rp); /* the client secret */
    free(rp);
}

const char *example_rp_public_url(const struct example_rp_config *c)
{
    static __thread char url[256];
    if (c->public_url)
        return c->public_url;
    snprintf(url, sizeof url, "http://%s", c->listen);
    return url;
}

int cmd_example_rp(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"listen", "HOST:PORT", "address to listen on", "127.0.0.1:8081"},
        {"issuer", "URL", "the portal (its --oidc-issuer)", "http://127.0.0.1:8080"},
        {"client-id", "ID", "this site's client id in the portal's registry", NULL},
        {"client-secret-file", "FILE", "file whose first line is the client secret", NULL},
        {"public-url", "URL", "this site's address as browsers see it (default: http://LISTEN)", NULL},
        {"log-level", "LEVEL", "debug, info, warn or error", "info"},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("example-rp",
                       "Run the example agency site (the tax ministry's cabinet) that signs people in through the\n"
                       "portal.  Register it first on the portal's /operator/oidc-clients with the redirect URI\n"
                       "PUBLIC-URL/callback, the post-logout URI PUBLIC-URL/ and the back-channel logout URI\n"
                       "PUBLIC-URL/backchannel-logout.",
                       opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (cli_set_log_level(cli_get(opts, "log-level")))
        return EXIT_USAGE;
    if (!cli_get(opts, "client-id") || !cli_get(opts, "client-secret-file")) {
        fprintf(stderr, "pencere example-rp: --client-id and --client-secret-file are required\n");
        return EXIT_USAGE;
    }
    struct pc_arena a;
    pc_arena_init(&a);
    char *secret;
    size_t n;
    if (cli_read_file("example-rp", &a, cli_get(opts, "client-secret-file"), 4096, &secret, &n))
        return EXIT_FAIL;
    secret[strcspn(secret, "\r\n")] = 0;
    struct example_rp_config c = {cli_get(opts, "listen"), cli_get(opts, "issuer"), cli_get(opts, "client-id"),
                                  secret, cli_get(opts, "public-url")};
    sigset_t set;
    cli_block_stop_signals(&set);
    struct pc_err err = {0};
    struct example_rp *rp = example_rp_start(&c, &err);
    OPENSSL_cleanse(secret, n);
    pc_arena_release(&a);
    if (!rp) {
        fprintf(stderr, "pencere example-rp: %s\n", err.msg);
        return EXIT_FAIL;
    }
    pc_log(PC_LOG_INFO, "example_rp.started", "listen", c.listen, "issuer", c.issuer, NULL);
    int sig = 0;
    while (sigwait(&set, &sig) != 0 && errno == EINTR)
        ;
    example_rp_stop(rp);
    return EXIT_OK;
}

/* ---- in the demo ---------------------------------------------------------------- */

int example_rp_demo_client(struct db *db, const char *dir, struct example_rp_config *c, struct pc_arena *a,
                           struct pc_err *err)
{
    const char *port = strrchr(c->listen, ':');
    const char *id = pc_arena_printf(a, "tax-cabinet-%s", port ? port + 1 : "0");
    const char *path = pc_arena_printf(a, "%s/%s.secret", dir, id);
    const char *base = example_rp_public_url(c);
    struct oidc_client cl = {.id = id, .agency_id = "vn", .confidential = true, .subject = OIDC_SUB_PAIRWISE,
                             .name = rp_msgs[RM_TITLE]};
    cl.redirect_uris[cl.nredirect++] = pc_arena_printf(a, "%s/callback", base);
    cl.post_logout_uris[cl.npost_logout++] = pc_arena_printf(a, "%s/", base);
    cl.backchannel_logout_uri = pc_arena_printf(a, "%s/backchannel-logout", base);
    const char *got, *secret;
    int rc = oidc_client_create(db, a, &cl, "demo", "", &got, &secret, NULL, err);
    if (rc == 0) { /* registered now: keep the secret (shown once) for the next start */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        bool ok = fd >= 0 && dprintf(fd, "%s\n", secret) > 0;
        if (fd >= 0 && close(fd) != 0)
            ok = false;
        if (!ok)
            return pc_err_set(err, PC_EIO, "cannot write %s", path);
        c->secret = secret;
    } else if (rc == PC_ECONFLICT) {
        char *text;
        size_t n;
        if (cli_read_file("demo", a, path, 4096, &text, &n))
            return pc_err_set(err, PC_EIO, "the example site is registered but %s is missing", path);
        text[strcspn(text, "\r\n")] = 0;
        c->secret = text;
    } else {
        return rc;
    }
    c->client_id = id;
    return 0;
}

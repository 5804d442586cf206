/* provider.c — the provider object of a node (configuration, opening and
 * closing), the discovery document, the vocabulary (error names, scopes)
 * and the small helpers every file of the module uses. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void oidc_config_defaults(struct oidc_config *c)
{
    memset(c, 0, sizeof *c);
    c->key_period_secs = 30 * 86400;
    c->key_overlap_secs = 86400;
}

int oidc_config_check(const struct oidc_config *c, struct pc_err *err)
{
    const char *iss = c->issuer;
    if (!iss || !(pc_str_has_prefix(iss, "https://") || pc_str_has_prefix(iss, "http://")) || strlen(iss) > 200 ||
        strchr(iss, '?') || strchr(iss, '#') || iss[strlen(iss) - 1] == '/')
        return pc_err_set(err, PC_EINVAL, "the OpenID Connect issuer must be an http(s) URL without a trailing"
                                          " slash, query or fragment (e.g. https://portal.example.az)");
    if (!c->passphrase || strlen(c->passphrase) < OIDC_PASSPHRASE_MIN)
        return pc_err_set(err, PC_EINVAL, "the signing keys' passphrase must have at least %d characters",
                          OIDC_PASSPHRASE_MIN);
    if (c->key_period_secs < 3600 || c->key_overlap_secs < 2 * OIDC_KEY_RECHECK_SECS ||
        c->key_overlap_secs >= c->key_period_secs)
        return pc_err_set(err, PC_EINVAL, "a key must sign at least an hour, with an overlap shorter than that");
    return 0;
}

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        pc_oom(strlen(s));
    return d;
}

struct oidc *oidc_open(struct db *db, const struct oidc_config *cfg, struct pc_err *err)
{
    if (oidc_config_check(cfg, err))
        return NULL;
    struct oidc *o = calloc(1, sizeof *o);
    if (!o)
        pc_oom(sizeof *o);
    o->db = db;
    o->cfg = *cfg;
    o->cfg.issuer = dup_or_null(cfg->issuer);
    o->cfg.passphrase = dup_or_null(cfg->passphrase);
    pthread_mutex_init(&o->keys_lock, NULL);
    pthread_mutex_init(&o->q_lock, NULL);
    pthread_cond_init(&o->q_cond, NULL);
    struct pc_err kerr = {0};
    pthread_mutex_lock(&o->keys_lock);
    int rc = oidc__keys_refresh(o, true, &kerr);
    pthread_mutex_unlock(&o->keys_lock);
    if (rc == PC_EDENIED) { /* a wrong passphrase will not mend itself */
        *err = kerr;
        oidc_close(o);
        return NULL;
    }
    if (rc)
        pc_log(PC_LOG_WARN, "oidc.keys_not_ready", "msg", kerr.msg, NULL);
    if (oidc__sender_start(o, err)) {
        oidc_close(o);
        return NULL;
    }
    return o;
}

void oidc_close(struct oidc *o)
{
    if (!o)
        return;
    oidc__sender_stop(o);
    oidc__keys_free(o);
    pthread_mutex_destroy(&o->keys_lock);
    pthread_mutex_destroy(&o->q_lock);
    pthread_cond_destroy(&o->q_cond);
    if (o->cfg.passphrase)
        OPENSSL_cleanse((void *)o->cfg.passphrase, strlen(o->cfg.passphrase));
    free((void *)o->cfg.issuer);
    free((void *)o->cfg.passphrase);
    free(o);
}

const char *oidc_issuer(const struct oidc *o)
{
    return o->cfg.issuer;
}

const char *oidc_discovery_json(struct oidc *o, struct pc_arena *a)
{
    const char *iss = o->cfg.issuer;
    json_t *d = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[s], s:[s,s], s:[s], s:[s,s,s,s], s:[s,s,s],"
        " s:[s], s:[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s], s:[s], s:b, s:b}",
        "issuer", iss,
        "authorization_endpoint", pc_arena_printf(a, "%s/oidc/authorize", iss),
        "token_endpoint", pc_arena_printf(a, "%s/api/v1/oidc/token", iss),
        "userinfo_endpoint", pc_arena_printf(a, "%s/api/v1/oidc/userinfo", iss),
        "jwks_uri", pc_arena_printf(a, "%s/api/v1/oidc/jwks", iss),
        "end_session_endpoint", pc_arena_printf(a, "%s/oidc/logout", iss),
        "response_types_supported", "code",
        "grant_types_supported", "authorization_code",
        "subject_types_supported", "public", "pairwise",
        "id_token_signing_alg_values_supported", "ES256",
        "scopes_supported", "openid", "profile", "email", "phone",
        "token_endpoint_auth_methods_supported", "client_secret_basic", "client_secret_post", "none",
        "code_challenge_methods_supported", "S256",
        "claims_supported", "sub", "iss", "aud", "exp", "iat", "phone_number", "nonce", "acr", "amr", "sid", "name",
        "given_name", "family_name", "middle_name", "birthdate", "email",
        "response_modes_supported", "query",
        "backchannel_logout_supported", 1,
        "backchannel_logout_session_supported", 1);
    /* the login levels a session can have (identity's words) */
    json_t *acr = json_array();
    for (int l = ID_LEVEL_CODE_PASSWORD; l < ID_LEVEL_COUNT; l++)
        json_array_append_new(acr, json_string(id_level_name((enum id_level)l)));
    json_object_set_new(d, "acr_values_supported", acr);
    json_t *locales = json_array();
    for (int l = 0; l < PC_LANG_COUNT; l++)
        json_array_append_new(locales, json_string(pc_lang_code((enum pc_lang)l)));
    json_object_set_new(d, "ui_locales_supported", locales);
    char *text = json_dumps(d, JSON_COMPACT);
    const char *out = pc_arena_strdup(a, text);
    free(text);
    json_decref(d);
    return out;
}

const char *oidc_error_name(enum oidc_error e)
{
    static const char *const names[] = {
        [OIDC_ERR_NONE] = "none",
        [OIDC_ERR_INVALID_REQUEST] = "invalid_request",
        [OIDC_ERR_INVALID_CLIENT] = "invalid_client",
        [OIDC_ERR_INVALID_GRANT] = "invalid_grant",
        [OIDC_ERR_UNAUTHORIZED_CLIENT] = "unauthorized_client",
        [OIDC_ERR_UNSUPPORTED_GRANT_TYPE] = "unsupported_grant_type",
        [OIDC_ERR_UNSUPPORTED_RESPONSE_TYPE] = "unsupported_response_type",
        [OIDC_ERR_INVALID_SCOPE] = "invalid_scope",
        [OIDC_ERR_ACCESS_DENIED] = "access_denied",
        [OIDC_ERR_LOGIN_REQUIRED] = "login_required",
        [OIDC_ERR_CONSENT_REQUIRED] = "consent_required",
        [OIDC_ERR_INVALID_TOKEN] = "invalid_token",
        [OIDC_ERR_UNAVAILABLE] = "temporarily_unavailable",
    };
    return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "server_error";
}

static const struct {
    unsigned bit;
    const char *name;
} scope_names[] = {
    {OIDC_SCOPE_OPENID, "openid"},
    {OIDC_SCOPE_PROFILE, "profile"},
    {OIDC_SCOPE_EMAIL, "email"},
    {OIDC_SCOPE_PHONE, "phone"},
};

unsigned oidc__scopes_parse(const char *text)
{
    unsigned bits = 0;
    for (const char *p = text; p && *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        for (size_t i = 0; i < sizeof scope_names / sizeof scope_names[0]; i++)
            if (strlen(scope_names[i].name) == n && strncmp(p, scope_names[i].name, n) == 0)
                bits |= scope_names[i].bit;
        p += n;
    }
    return bits;
}

const char *oidc_scopes_text(struct pc_arena *a, unsigned scopes)
{
    char buf[64] = "";
    for (size_t i = 0; i < sizeof scope_names / sizeof scope_names[0]; i++)
        if (scopes & scope_names[i].bit) {
            if (*buf)
                strcat(buf, " ");
            strcat(buf, scope_names[i].name);
        }
    return pc_arena_strdup(a, buf);
}

void oidc__hash(const char *text, char out[65])
{
    pc_sha256_hex(text, strlen(text), out);
}

int oidc__token(char out[44], struct pc_err *err)
{
    unsigned char raw[32];
    if (pc_random_bytes(raw, sizeof raw))
        return pc_err_set(err, PC_EIO, "no random bytes");
    pc_b64url_encode(raw, sizeof raw, out);
    return 0;
}

void oidc__refused(struct oidc *o, const char *client_id, const char *reason, const char *ip)
{
    struct pc_err err = {0};
    struct db_conn *c;
    int rc = audit_begin(o->db, &c, &err);
    if (!rc) {
        struct audit_entry e = {.actor = "anonymous", .role = "oidc-client", .action = "oidc.refused",
                                .object_type = "oidc_client", .object_id = client_id ? client_id : "",
                                .ip = ip ? ip : "", .detail = reason};
        rc = audit_end(c, 0, &e, &err);
    }
    pc_log(PC_LOG_INFO, "oidc.refused", "client", client_id ? client_id : "", "reason", reason, "audited",
           rc ? err.msg : "yes", NULL);
}

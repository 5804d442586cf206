/* token.c — the token endpoint (a code for an access token and an
 * id_token, once) and the userinfo endpoint.  The code is claimed with
 * `UPDATE … WHERE used_at IS NULL`, so of two redemptions racing on two
 * nodes exactly one wins; a code presented again afterwards revokes what
 * it gave (RFC 6749 §4.1.2).  Tokens are kept as SHA-256 only. */
#include "internal.h"

#include <string.h>

#include <jansson.h>

static int refuse(struct oidc *o, const char *client_id, enum oidc_error e, const char *reason, const char *ip,
                  enum oidc_error *error, struct pc_err *err)
{
    oidc__refused(o, client_id, reason, ip);
    *error = e;
    return pc_err_set(err, e == OIDC_ERR_INVALID_CLIENT || e == OIDC_ERR_INVALID_GRANT ? PC_EDENIED : PC_EINVAL,
                      "%s", reason);
}

/* The client, authenticated: a confidential one by its secret. */
static int client_auth(struct oidc *o, struct pc_arena *a, const struct oidc_token_request *req,
                       struct oidc_client *cl, const char **reason, struct pc_err *err)
{
    *reason = NULL;
    if (!req->client_id) {
        *reason = "no client authentication";
        return 0;
    }
    int rc = oidc_client_get(o->db, a, req->client_id, cl, err);
    if (rc == PC_ENOTFOUND || (!rc && cl->disabled)) {
        *reason = "unknown client";
        return 0;
    }
    if (rc)
        return rc;
    struct db_conn *c = db_conn_get(o->db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT secret_hash FROM oidc_clients WHERE id = ?", err) : NULL;
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, cl->id);
    if ((rc = db_step(s, err)) < 0)
        return rc;
    const char *want = rc == 1 ? db_col_text(s, 0) : NULL;
    if (cl->confidential) {
        char got[65];
        oidc__hash(req->client_secret ? req->client_secret : "", got);
        if (!req->client_secret || !want || strlen(want) != 64 || !pc_ct_equal(got, want, 64))
            *reason = "wrong client secret";
    } else if (req->client_secret) {
        *reason = "a public client sent a secret";
    }
    db_conn_idle(c);
    return 0;
}

/* RFC 7636 §4.1: 43–128 unreserved characters; S256 of it is the challenge. */
static bool verifier_matches(const char *verifier, const char *challenge)
{
    size_t n = strlen(verifier);
    if (n < 43 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = verifier[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_' || c == '~'))
            return false;
    }
    unsigned char h[32];
    EVP_Digest(verifier, n, h, NULL, EVP_sha256(), NULL);
    char enc[44];
    pc_b64url_encode(h, sizeof h, enc);
    return strlen(challenge) == 43 && pc_ct_equal(enc, challenge, 43);
}

/* The code's row as the token endpoint needs it. */
struct code_row {
    const char *client_id, *redirect_uri, *account_id, *fin, *sid, *nonce, *challenge, *acr, *amr;
    unsigned scopes;
    int64_t expires_at;
    bool used;
};

static int code_get(struct db_conn *c, struct pc_arena *a, const char *hash, struct code_row *out, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT client_id, redirect_uri, account_id, fin, sid, nonce, code_challenge,"
                                      " acr, amr, scopes, expires_at, used_at FROM oidc_codes WHERE hash = ?", err);
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, hash);
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : PC_ENOTFOUND;
    const char **f[] = {&out->client_id, &out->redirect_uri, &out->account_id, &out->fin, &out->sid, &out->nonce,
                        &out->challenge, &out->acr, &out->amr};
    for (int i = 0; i < 9; i++)
        *f[i] = pc_arena_strdup(a, db_col_text(s, i));
    out->scopes = (unsigned)db_col_int(s, 9);
    out->expires_at = db_col_int(s, 10);
    out->used = !db_col_is_null(s, 11);
    db_conn_idle(c);
    return 0;
}

static int run2(struct db_conn *c, const char *sql, int64_t i, const char *t, int64_t *rows, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, sql, err);
    if (!s)
        return oidc__failed(err);
    db_bind_int(s, 1, i);
    db_bind_text(s, 2, t);
    int64_t n = db_run(s, err);
    if (rows)
        *rows = n;
    return oidc__ran(n);
}

/* A replayed code: revoke what it gave, record it, commit. */
static int replayed(struct db_conn *c, const char *hash, const char *client_id, const char *ip, struct pc_err *err)
{
    int rc = run2(c, "UPDATE oidc_tokens SET revoked_at = ? WHERE code_hash = ? AND revoked_at IS NULL",
                  pc_now_unix(), hash, NULL, err);
    if (!rc) {
        struct audit_entry e = {.actor = "anonymous", .role = "oidc-client", .action = "oidc.refused",
                                .object_type = "oidc_client", .object_id = client_id, .ip = ip ? ip : "",
                                .detail = "code used again: its tokens revoked"};
        int64_t seq = audit_append(c, &e, err);
        rc = seq < 0 ? (int)seq : 0;
    }
    return db_end(c, rc, err);
}

static int store_token(struct db_conn *c, const char *token, const char *code_hash, const struct code_row *cr,
                       const char *sub, struct pc_err *err)
{
    char hash[65];
    oidc__hash(token, hash);
    int64_t now = pc_now_unix();
    struct db_stmt *s = db_prepare(c, "INSERT INTO oidc_tokens (hash, code_hash, client_id, account_id, fin, scopes,"
                                      " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, hash);
    db_bind_text(s, 2, code_hash);
    db_bind_text(s, 3, cr->client_id);
    db_bind_text(s, 4, cr->account_id);
    db_bind_text(s, 5, cr->fin);
    db_bind_int(s, 6, cr->scopes);
    db_bind_int(s, 7, now + OIDC_TOKEN_SECS);
    int rc = oidc__ran(db_run(s, err));
    if (rc)
        return rc;
    s = db_prepare(c, "INSERT INTO oidc_rp_sessions (sid, client_id, account_id, sub, created_at)"
                      " VALUES (?, ?, ?, ?, ?) ON CONFLICT (sid, client_id) DO NOTHING", err);
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, cr->sid);
    db_bind_text(s, 2, cr->client_id);
    db_bind_text(s, 3, cr->account_id);
    db_bind_text(s, 4, sub);
    db_bind_int(s, 5, now);
    return oidc__ran(db_run(s, err));
}

static const char *id_token_claims(struct oidc *o, struct pc_arena *a, const struct code_row *cr, const char *sub,
                                   const char *access_token)
{
    int64_t now = pc_now_unix();
    unsigned char h[32];
    EVP_Digest(access_token, strlen(access_token), h, NULL, EVP_sha256(), NULL);
    char at_hash[24];
    pc_b64url_encode(h, 16, at_hash);
    json_t *amr = json_loads(cr->amr, 0, NULL);
    json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:o, s:s, s:s}", "iss", o->cfg.issuer, "sub", sub, "aud",
                          cr->client_id, "iat", (json_int_t)now, "exp", (json_int_t)(now + OIDC_TOKEN_SECS), "acr",
                          cr->acr, "amr", amr ? amr : json_array(), "sid", cr->sid, "at_hash", at_hash);
    if (cr->nonce)
        json_object_set_new(j, "nonce", json_string(cr->nonce));
    char *text = json_dumps(j, JSON_COMPACT);
    const char *out = pc_arena_strdup(a, text);
    free(text);
    json_decref(j);
    return out;
}

int oidc_token(struct oidc *o, struct pc_arena *a, const struct oidc_params *params, const char *authorization,
               const char *ip, struct oidc_tokens *out, enum oidc_error *error, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    *error = OIDC_ERR_NONE;
    struct oidc_token_request treq, *req = &treq;
    struct pc_err perr = {0};
    if (oidc_token_parse(a, params, authorization, req, &perr))
        return refuse(o, req->client_id, OIDC_ERR_INVALID_REQUEST, perr.msg, ip, error, err);
    struct oidc_client cl;
    const char *reason;
    int rc = client_auth(o, a, req, &cl, &reason, err);
    if (rc)
        return rc;
    if (reason)
        return refuse(o, req->client_id, OIDC_ERR_INVALID_CLIENT, reason, ip, error, err);
    if (!pc_str_eq(req->grant_type, "authorization_code"))
        return refuse(o, cl.id, OIDC_ERR_UNSUPPORTED_GRANT_TYPE, "grant_type is not authorization_code", ip, error,
                      err);
    if (!req->code)
        return refuse(o, cl.id, OIDC_ERR_INVALID_REQUEST, "no code", ip, error, err);
    if (!req->code_verifier)
        return refuse(o, cl.id, OIDC_ERR_INVALID_REQUEST, "no code_verifier (PKCE is required)", ip, error, err);
    /* the key first: looking at the key table must not happen inside the
     * transaction below */
    EVP_PKEY *key;
    char kid[44];
    if ((rc = oidc__signing_key(o, &key, kid, err)))
        return rc;
    char hash[65], token[44];
    oidc__hash(req->code, hash);
    struct db_conn *c = db_conn_get(o->db, err);
    if (!c || (rc = oidc__token(token, err)) || (rc = db_begin(c, err))) {
        EVP_PKEY_free(key);
        return c ? rc : oidc__failed(err);
    }
    struct code_row cr;
    rc = code_get(c, a, hash, &cr, err);
    const char *bad = rc == PC_ENOTFOUND ? "unknown code"
                      : rc ? NULL
                      : !pc_str_eq(cr.client_id, cl.id) ? "the code is another client's"
                      : cr.used ? "code used again"
                      : cr.expires_at <= pc_now_unix() ? "the code has expired"
                      : !pc_str_eq(cr.redirect_uri, req->redirect_uri) ? "redirect_uri differs from the request's"
                      : !verifier_matches(req->code_verifier, cr.challenge) ? "wrong code_verifier" : NULL;
    if (bad && pc_str_eq(bad, "code used again")) {
        EVP_PKEY_free(key);
        if ((rc = replayed(c, hash, cl.id, ip, err)))
            return rc;
        *error = OIDC_ERR_INVALID_GRANT;
        return pc_err_set(err, PC_EDENIED, "%s", bad);
    }
    int64_t rows = 0;
    /* a code presented with a wrong verifier is spent too: no second guess */
    if (!rc || rc == PC_ENOTFOUND)
        rc = rc ? 0 : run2(c, "UPDATE oidc_codes SET used_at = ? WHERE hash = ? AND used_at IS NULL", pc_now_unix(),
                           hash, &rows, err);
    if (!rc && !bad && rows != 1)
        bad = "code used again";
    const char *sub = NULL;
    if (!rc && !bad)
        rc = oidc__subject(o, a, &cl, cr.fin, &sub, err);
    if (!rc && !bad)
        rc = store_token(c, token, hash, &cr, sub, err);
    rc = db_end(c, rc, err);
    if (!rc && !bad)
        rc = oidc_jws_sign(a, key, kid, "JWT", id_token_claims(o, a, &cr, sub, token), &out->id_token, err);
    EVP_PKEY_free(key);
    if (rc)
        return rc;
    if (bad)
        return refuse(o, cl.id, OIDC_ERR_INVALID_GRANT, bad, ip, error, err);
    out->access_token = pc_arena_strdup(a, token);
    out->scope = oidc_scopes_text(a, cr.scopes);
    out->expires_in = OIDC_TOKEN_SECS;
    return 0;
}

int oidc_userinfo(struct oidc *o, struct pc_arena *a, const char *access_token, const char **json,
                  enum oidc_error *error, struct pc_err *err)
{
    *error = OIDC_ERR_INVALID_TOKEN;
    if (!access_token || strlen(access_token) != 43)
        return pc_err_set(err, PC_EDENIED, "no access token");
    char hash[65];
    oidc__hash(access_token, hash);
    struct db_conn *c = db_conn_get(o->db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT client_id, fin, scopes FROM oidc_tokens WHERE hash = ?"
                                          " AND expires_at > ? AND revoked_at IS NULL", err) : NULL;
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, hash);
    db_bind_int(s, 2, pc_now_unix());
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : pc_err_set(err, PC_EDENIED, "the access token is unknown, expired or revoked");
    const char *client = pc_arena_strdup(a, db_col_text(s, 0)), *fin = pc_arena_strdup(a, db_col_text(s, 1));
    unsigned scopes = (unsigned)db_col_int(s, 2);
    db_conn_idle(c);
    struct oidc_client cl;
    if ((rc = oidc_client_get(o->db, a, client, &cl, err)))
        return rc == PC_ENOTFOUND ? PC_EDENIED : rc;
    if (cl.disabled)
        return pc_err_set(err, PC_EDENIED, "the site's registration has ended");
    *error = OIDC_ERR_NONE;
    const char *sub;
    if ((rc = oidc__subject(o, a, &cl, fin, &sub, err)))
        return rc;
    json_t *j = json_pack("{s:s}", "sub", sub);
    rc = oidc__person_claims(o, a, fin, scopes, j, err);
    /* the agency's site read the person's data: their access log says so */
    struct access_entry e = {.subject_fin = fin, .accessor = cl.id, .accessor_role = "oidc-client",
                             .agency_id = cl.agency_id, .data_kind = "profile", .ground = "oidc-consent"};
    if (!rc && (scopes & (OIDC_SCOPE_PROFILE | OIDC_SCOPE_EMAIL | OIDC_SCOPE_PHONE)))
        rc = audit_access_record(c, &e, err);
    if (!rc) {
        char *text = json_dumps(j, JSON_COMPACT);
        *json = pc_arena_strdup(a, text);
        free(text);
    }
    json_decref(j);
    return rc;
}

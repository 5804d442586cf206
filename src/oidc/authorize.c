/* authorize.c — the authorization endpoint's decisions: checking a
 * request against the registry (a request that names an unknown client
 * or a redirect URI the client has not registered never goes back to that
 * URI), keeping it while the person logs in or consents, the consent
 * remembered per site, and issuing the code. */
#include "internal.h"

#include <string.h>

/* Refuse: audit, and say what to answer. */
static int refuse(struct oidc *o, const char *client_id, enum oidc_error e, const char *reason, const char *ip,
                  enum oidc_error *error, struct pc_err *err)
{
    oidc__refused(o, client_id, reason, ip);
    *error = e;
    return pc_err_set(err, PC_EINVAL, "%s", reason);
}

static bool challenge_ok(const char *c)
{
    if (!c || strlen(c) != 43)
        return false;
    for (const char *p = c; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_'))
            return false;
    return true;
}

int oidc_authorize_check(struct oidc *o, struct pc_arena *a, const struct oidc_params *params, const char *ip,
                         struct oidc_pending *out, enum oidc_error *error, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    *error = OIDC_ERR_NONE;
    struct oidc_authz_request req;
    struct pc_err perr = {0};
    int prc = oidc_authz_parse(params, &req, &perr);
    if (!req.client_id)
        return refuse(o, NULL, OIDC_ERR_INVALID_REQUEST, "no client_id", ip, error, err);
    int rc = oidc_client_get(o->db, a, req.client_id, &out->client, err);
    if (rc == PC_ENOTFOUND || (!rc && out->client.disabled))
        return refuse(o, req.client_id, OIDC_ERR_INVALID_CLIENT, "unknown client", ip, error, err);
    if (rc)
        return rc;
    bool registered = false;
    for (size_t i = 0; req.redirect_uri && i < out->client.nredirect; i++)
        registered = registered || strcmp(out->client.redirect_uris[i], req.redirect_uri) == 0;
    if (!registered)
        return refuse(o, req.client_id, OIDC_ERR_INVALID_REQUEST,
                      req.redirect_uri ? "foreign redirect_uri" : "no redirect_uri", ip, error, err);
    /* from here on the answer may go back to the site */
    out->redirect_uri = req.redirect_uri;
    out->state = req.state;
    if (prc)
        return refuse(o, req.client_id, OIDC_ERR_INVALID_REQUEST, perr.msg, ip, error, err);
    if (!pc_str_eq(req.response_type, "code"))
        return refuse(o, req.client_id, OIDC_ERR_UNSUPPORTED_RESPONSE_TYPE, "response_type is not code", ip, error,
                      err);
    if (!(req.scopes & OIDC_SCOPE_OPENID))
        return refuse(o, req.client_id, OIDC_ERR_INVALID_SCOPE, "scope has no openid", ip, error, err);
    if (!req.code_challenge)
        return refuse(o, req.client_id, OIDC_ERR_INVALID_REQUEST, "no code_challenge (PKCE is required)", ip, error,
                      err);
    if (!pc_str_eq(req.code_challenge_method, "S256"))
        return refuse(o, req.client_id, OIDC_ERR_INVALID_REQUEST, "code_challenge_method must be S256", ip, error,
                      err);
    if (!challenge_ok(req.code_challenge))
        return refuse(o, req.client_id, OIDC_ERR_INVALID_REQUEST, "code_challenge is not 43 base64url characters",
                      ip, error, err);
    out->nonce = req.nonce;
    out->code_challenge = req.code_challenge;
    out->scopes = req.scopes;
    out->prompt_none = req.prompt_none;
    out->prompt_consent = req.prompt_consent;
    return 0;
}

int oidc_pending_store(struct oidc *o, struct pc_arena *a, struct oidc_pending *p, struct pc_err *err)
{
    char id[44];
    int rc = oidc__token(id, err);
    struct db_conn *c = rc ? NULL : db_conn_get(o->db, err);
    if (rc || !c)
        return rc ? rc : oidc__failed(err);
    int64_t now = pc_now_unix();
    struct db_stmt *s = db_prepare(c, "DELETE FROM oidc_requests WHERE expires_at < ?", err);
    if (!s)
        return oidc__failed(err);
    db_bind_int(s, 1, now);
    if ((rc = oidc__ran(db_run(s, err))))
        return rc;
    s = db_prepare(c, "INSERT INTO oidc_requests (id, client_id, redirect_uri, scopes, state, nonce, code_challenge,"
                      " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, p->client.id);
    db_bind_text(s, 3, p->redirect_uri);
    /* prompt=consent is kept as a bit above the scopes */
    db_bind_int(s, 4, p->scopes | (p->prompt_consent ? 1u << 16 : 0));
    if (p->state)
        db_bind_text(s, 5, p->state);
    else
        db_bind_null(s, 5);
    if (p->nonce)
        db_bind_text(s, 6, p->nonce);
    else
        db_bind_null(s, 6);
    db_bind_text(s, 7, p->code_challenge);
    db_bind_int(s, 8, now + OIDC_REQUEST_SECS);
    if ((rc = oidc__ran(db_run(s, err))))
        return rc;
    p->id = pc_arena_strdup(a, id);
    return 0;
}

int oidc_pending_get(struct oidc *o, struct pc_arena *a, const char *id, struct oidc_pending *out,
                     struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!id || strlen(id) != 43)
        return pc_err_set(err, PC_ENOTFOUND, "no such request");
    struct db_conn *c = db_conn_get(o->db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT client_id, redirect_uri, scopes, state, nonce, code_challenge"
                                          " FROM oidc_requests WHERE id = ? AND expires_at > ?", err) : NULL;
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, id);
    db_bind_int(s, 2, pc_now_unix());
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "no such request, or it has expired");
    out->id = pc_arena_strdup(a, id);
    const char *client = pc_arena_strdup(a, db_col_text(s, 0));
    out->redirect_uri = pc_arena_strdup(a, db_col_text(s, 1));
    unsigned bits = (unsigned)db_col_int(s, 2);
    out->scopes = bits & 0xffff;
    out->prompt_consent = (bits >> 16) & 1;
    out->state = pc_arena_strdup(a, db_col_text(s, 3));
    out->nonce = pc_arena_strdup(a, db_col_text(s, 4));
    out->code_challenge = pc_arena_strdup(a, db_col_text(s, 5));
    db_conn_idle(c);
    rc = oidc_client_get(o->db, a, client, &out->client, err);
    if (!rc && out->client.disabled)
        rc = pc_err_set(err, PC_ENOTFOUND, "the site's registration has ended");
    return rc;
}

size_t oidc_claims_of(const struct oidc_pending *p, enum oidc_claim out[OIDC_CLAIM_COUNT])
{
    size_t n = 0;
    out[n++] = p->client.subject == OIDC_SUB_PAIRWISE ? OIDC_CLAIM_SUB_PAIRWISE : OIDC_CLAIM_SUB_FIN;
    if (p->scopes & OIDC_SCOPE_PROFILE) {
        out[n++] = OIDC_CLAIM_NAME;
        out[n++] = OIDC_CLAIM_BIRTHDATE;
    }
    if (p->scopes & OIDC_SCOPE_EMAIL)
        out[n++] = OIDC_CLAIM_EMAIL;
    if (p->scopes & OIDC_SCOPE_PHONE)
        out[n++] = OIDC_CLAIM_PHONE;
    out[n++] = OIDC_CLAIM_LOGIN_LEVEL;
    return n;
}

static int consent_scopes(struct db_conn *c, const char *account, const char *client, unsigned *scopes,
                          struct pc_err *err)
{
    *scopes = 0;
    struct db_stmt *s = db_prepare(c, "SELECT scopes FROM oidc_consents WHERE account_id = ? AND client_id = ?", err);
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, account);
    db_bind_text(s, 2, client);
    int rc = db_step(s, err);
    if (rc == 1)
        *scopes = (unsigned)db_col_int(s, 0);
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

int oidc_consent_given(struct oidc *o, const struct id_principal *who, const struct oidc_pending *p, bool *given,
                       struct pc_err *err)
{
    *given = false;
    struct db_conn *c = db_conn_get(o->db, err);
    if (!c)
        return oidc__failed(err);
    unsigned have;
    int rc = consent_scopes(c, who->account_id, p->client.id, &have, err);
    *given = !rc && !p->prompt_consent && (have & p->scopes) == p->scopes;
    return rc;
}

void oidc_sid_of(const char *session_hash, char out[44])
{
    char in[80];
    snprintf(in, sizeof in, "sid:%s", session_hash ? session_hash : "");
    unsigned char h[32];
    EVP_Digest(in, strlen(in), h, NULL, EVP_sha256(), NULL);
    pc_b64url_encode(h, sizeof h, out);
}

/* redirect_uri with the extra query parameters of pairs (NULL values skipped). */
static const char *with_params(struct pc_arena *a, const char *uri, const char *const *pairs, size_t n)
{
    struct pc_buf b;
    pc_buf_init(&b, 8192);
    pc_buf_puts(&b, uri);
    char sep = strchr(uri, '?') ? '&' : '?';
    for (size_t i = 0; i + 1 < n; i += 2) {
        if (!pairs[i + 1])
            continue;
        pc_buf_printf(&b, "%c%s=", sep, pairs[i]);
        pc_buf_urlencode(&b, pairs[i + 1]);
        sep = '&';
    }
    const char *out = pc_arena_strndup(a, b.data, b.len);
    pc_buf_release(&b);
    return out;
}

const char *oidc_error_redirect(struct pc_arena *a, const char *redirect_uri, enum oidc_error e,
                                const char *description, const char *state)
{
    const char *pairs[] = {"error", oidc_error_name(e), "error_description", description, "state", state};
    return with_params(a, redirect_uri, pairs, 6);
}

static int store_code(struct db_conn *c, const struct id_principal *who, const struct oidc_pending *p,
                      const char *code, struct pc_err *err)
{
    char hash[65], sid[44];
    oidc__hash(code, hash);
    oidc_sid_of(who->session_hash, sid);
    int64_t now = pc_now_unix();
    struct db_stmt *s = db_prepare(c, "DELETE FROM oidc_codes WHERE expires_at < ?", err);
    if (!s)
        return oidc__failed(err);
    db_bind_int(s, 1, now - 86400); /* kept a day after expiry: a late replay still revokes */
    int rc = oidc__ran(db_run(s, err));
    if (rc)
        return rc;
    s = db_prepare(c, "INSERT INTO oidc_codes (hash, client_id, redirect_uri, account_id, fin, sid, scopes, nonce,"
                      " code_challenge, acr, amr, auth_time, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   err);
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, hash);
    db_bind_text(s, 2, p->client.id);
    db_bind_text(s, 3, p->redirect_uri);
    db_bind_text(s, 4, who->account_id);
    db_bind_text(s, 5, who->fin);
    db_bind_text(s, 6, sid);
    db_bind_int(s, 7, p->scopes);
    if (p->nonce)
        db_bind_text(s, 8, p->nonce);
    else
        db_bind_null(s, 8);
    db_bind_text(s, 9, p->code_challenge);
    db_bind_text(s, 10, oidc__acr_of(who));
    db_bind_text(s, 11, oidc__amr_of(who));
    db_bind_int(s, 12, now);
    db_bind_int(s, 13, now + OIDC_CODE_SECS);
    return oidc__ran(db_run(s, err));
}

static int remember_consent(struct db_conn *c, const struct id_principal *who, const struct oidc_pending *p,
                            struct pc_err *err)
{
    unsigned have;
    int rc = consent_scopes(c, who->account_id, p->client.id, &have, err);
    if (rc || (have & p->scopes) == p->scopes)
        return rc;
    struct db_stmt *s = db_prepare(c, "INSERT INTO oidc_consents (account_id, client_id, scopes, granted_at)"
                                      " VALUES (?, ?, ?, ?) ON CONFLICT (account_id, client_id)"
                                      " DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at", err);
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, who->account_id);
    db_bind_text(s, 2, p->client.id);
    db_bind_int(s, 3, have | p->scopes);
    db_bind_int(s, 4, pc_now_unix());
    return oidc__ran(db_run(s, err));
}

int oidc_authorize_finish(struct oidc *o, struct pc_arena *a, const struct id_principal *who,
                          const struct oidc_pending *p, bool allow, const char *ip, const char **redirect,
                          struct pc_err *err)
{
    if (!id_authorize(who, ID_ACT_OIDC_SIGN_IN, NULL))
        return pc_err_set(err, PC_EDENIED, "only a person's own citizen account signs in to other sites");
    char code[44];
    int rc = oidc__token(code, err);
    struct db_conn *c;
    if (rc || (rc = audit_begin(o->db, &c, err)))
        return rc;
    if (p->id) { /* a stored request is answered once */
        struct db_stmt *s = db_prepare(c, "DELETE FROM oidc_requests WHERE id = ?", err);
        rc = s ? 0 : oidc__failed(err);
        if (s) {
            db_bind_text(s, 1, p->id);
            int64_t rows = db_run(s, err);
            rc = rows < 0 ? (int)rows : rows == 0 ? pc_err_set(err, PC_ENOTFOUND, "the request was answered") : 0;
        }
    }
    if (!rc && allow)
        rc = remember_consent(c, who, p, err);
    if (!rc && allow)
        rc = store_code(c, who, p, code, err);
    struct audit_entry e = {.actor = who->account_id, .role = "citizen",
                            .action = allow ? "oidc.sign_in" : "oidc.denied", .object_type = "oidc_client",
                            .object_id = p->client.id, .ip = ip ? ip : "",
                            .detail = oidc_scopes_text(a, p->scopes)};
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    if (!allow) {
        *redirect = oidc_error_redirect(a, p->redirect_uri, OIDC_ERR_ACCESS_DENIED, "the person said no", p->state);
        return 0;
    }
    const char *pairs[] = {"code", code, "state", p->state, "iss", o->cfg.issuer};
    *redirect = with_params(a, p->redirect_uri, pairs, 6);
    return 0;
}

/* logout.c — leaving: RP-initiated logout (the site sends the person to
 * the portal with the id_token it got, and the portal sends them back to
 * a post-logout URI the site registered) and back-channel logout (when a
 * portal session ends, every site it signed in to gets a logout token,
 * OpenID Connect Back-Channel Logout 1.0). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

int oidc_logout_check(struct oidc *o, struct pc_arena *a, const struct oidc_logout_request *req, const char *ip,
                      const char **redirect, const char **sid, struct pc_err *err)
{
    *redirect = NULL;
    *sid = NULL;
    const char *client_id = req->client_id;
    if (req->id_token_hint) {
        struct oidc_jws j;
        int rc = oidc_jws_parse(a, req->id_token_hint, &j, err);
        EVP_PKEY *k = rc ? NULL : oidc__public_key(o, j.kid);
        rc = rc ? rc : !k ? pc_err_set(err, PC_EINVAL, "the id_token_hint's key is not ours")
                          : oidc_jws_verify(&j, k, err) ? PC_EINVAL : 0;
        EVP_PKEY_free(k);
        const char *aud = rc ? NULL : oidc_jws_claim(&j, "aud");
        if (!rc && (!pc_str_eq(oidc_jws_claim(&j, "iss"), o->cfg.issuer) || !aud ||
                    (client_id && !pc_str_eq(client_id, aud))))
            rc = pc_err_set(err, PC_EINVAL, "the id_token_hint was not issued to this client by this portal");
        if (rc) {
            oidc__refused(o, client_id, "bad id_token_hint", ip);
            return PC_EINVAL;
        }
        client_id = pc_arena_strdup(a, aud);
        *sid = pc_arena_strdup(a, oidc_jws_claim(&j, "sid"));
    }
    if (!req->post_logout_redirect_uri)
        return 0;
    struct oidc_client cl;
    int rc = client_id ? oidc_client_get(o->db, a, client_id, &cl, err) : PC_ENOTFOUND;
    if (rc && rc != PC_ENOTFOUND)
        return rc;
    bool registered = false;
    for (size_t i = 0; !rc && i < cl.npost_logout; i++)
        registered = registered || strcmp(cl.post_logout_uris[i], req->post_logout_redirect_uri) == 0;
    if (!registered) {
        oidc__refused(o, client_id, client_id ? "foreign post_logout_redirect_uri" : "post-logout URI without a client",
                      ip);
        return pc_err_set(err, PC_EINVAL, "the post-logout URI is not one the site registered");
    }
    const char *uri = req->post_logout_redirect_uri;
    *redirect = uri;
    if (req->state) {
        struct pc_buf b;
        pc_buf_init(&b, 4096);
        pc_buf_printf(&b, "%s%cstate=", uri, strchr(uri, '?') ? '&' : '?');
        pc_buf_urlencode(&b, req->state);
        *redirect = pc_arena_strndup(a, b.data, b.len);
        pc_buf_release(&b);
    }
    return 0;
}

/* A logout token for one site (typ logout+jwt, RFC 8417 events). */
static const char *logout_claims(struct oidc *o, struct pc_arena *a, const char *client, const char *sub,
                                 const char *sid)
{
    char jti[44];
    if (oidc__token(jti, NULL))
        return NULL;
    int64_t now = pc_now_unix();
    json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:{s:{}}}", "iss", o->cfg.issuer, "aud", client, "sub",
                          sub, "iat", (json_int_t)now, "exp", (json_int_t)(now + 120), "jti", jti, "sid", sid, "events",
                          "http://schemas.openid.net/event/backchannel-logout");
    char *text = json_dumps(j, JSON_COMPACT);
    const char *out = pc_arena_strdup(a, text);
    free(text);
    json_decref(j);
    return out;
}

/* The sites of one sid (its derivation done). */
static int sid_ended(struct oidc *o, const char *sid, const char *ip, struct pc_err *err);

int oidc_session_ended(struct oidc *o, const char *session_hash, const char *ip, struct pc_err *err)
{
    char sid[44];
    oidc_sid_of(session_hash, sid);
    return sid_ended(o, sid, ip, err);
}

int oidc_account_sessions_ended(struct oidc *o, const char *account_id, const char *ip, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct db_conn *c = db_conn_get(o->db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT DISTINCT sid FROM oidc_rp_sessions WHERE account_id = ? ORDER BY sid",
                                       err) : NULL;
    int rc = s ? 0 : oidc__failed(err);
    const char *sids[64];
    size_t n = 0;
    if (s) {
        db_bind_text(s, 1, account_id);
        while ((rc = db_step(s, err)) == 1 && n < 64)
            sids[n++] = pc_arena_strdup(&a, db_col_text(s, 0));
        rc = rc < 0 ? rc : 0;
        db_conn_idle(c);
    }
    for (size_t i = 0; !rc && i < n; i++)
        rc = sid_ended(o, sids[i], ip, err);
    pc_arena_release(&a);
    return rc;
}

static int sid_ended(struct oidc *o, const char *sid, const char *ip, struct pc_err *err)
{
    /* the key first: looking at the key table (and perhaps making a key)
     * must not happen inside the transaction below */
    EVP_PKEY *key;
    char kid[44];
    struct pc_err kerr = {0};
    bool can_sign = oidc__signing_key(o, &key, kid, &kerr) == 0;
    if (!can_sign)
        pc_log(PC_LOG_WARN, "oidc.logout_unsigned", "msg", kerr.msg, NULL);
    struct pc_arena a;
    pc_arena_init(&a);
    struct db_conn *c;
    int rc = audit_begin(o->db, &c, err);
    if (rc) {
        if (can_sign)
            EVP_PKEY_free(key);
        pc_arena_release(&a);
        return rc;
    }
    struct db_stmt *s = db_prepare(c, "SELECT r.client_id, r.sub, c.backchannel_logout_uri FROM oidc_rp_sessions r"
                                      " JOIN oidc_clients c ON c.id = r.client_id WHERE r.sid = ?"
                                      " AND c.disabled_at IS NULL ORDER BY r.client_id", err);
    rc = s ? 0 : oidc__failed(err);
    const char *uris[64], *bodies[64];
    size_t n = 0, sites = 0;
    if (s) {
        db_bind_text(s, 1, sid);
        while ((rc = db_step(s, err)) == 1) {
            sites++;
            const char *uri = db_col_text(s, 2);
            if (!uri || n == 64)
                continue;
            const char *claims = logout_claims(o, &a, db_col_text(s, 0), db_col_text(s, 1), sid);
            const char *jwt;
            struct pc_err serr = {0};
            if (can_sign && claims && oidc_jws_sign(&a, key, kid, "logout+jwt", claims, &jwt, &serr) == 0) {
                uris[n] = pc_arena_strdup(&a, uri);
                bodies[n++] = jwt;
            } else if (can_sign) {
                pc_log(PC_LOG_WARN, "oidc.logout_unsigned", "client", db_col_text(s, 0), "msg", serr.msg, NULL);
            }
        }
        rc = rc < 0 ? rc : 0;
    }
    if (!rc && (s = db_prepare(c, "DELETE FROM oidc_rp_sessions WHERE sid = ?", err))) {
        db_bind_text(s, 1, sid);
        rc = oidc__ran(db_run(s, err));
    } else if (!rc) {
        rc = oidc__failed(err);
    }
    struct audit_entry e = {.actor = "system", .role = "system", .action = "oidc.logout", .object_type = "session",
                            .object_id = sid, .ip = ip ? ip : "",
                            .detail = pc_arena_printf(&a, "%zu sites, %zu told by back-channel", sites, n)};
    rc = sites ? audit_end(c, rc, &e, err) : db_end(c, rc, err);
    if (can_sign)
        EVP_PKEY_free(key);
    for (size_t i = 0; !rc && i < n; i++)
        oidc__send(o, uris[i], bodies[i]);
    pc_arena_release(&a);
    return rc;
}

/* cert_login.c — logging in with an e-signature certificate: a challenge
 * the client signs with its key (the `pencere login-sign` helper, or an
 * app through the API), the answer's parser, the login itself and the
 * check that keeps a certificate's session only while the certificate is
 * good.
 *
 * A challenge is 256 random bits, given to anyone, answered once within
 * ID_CHALLENGE_SECS; only its SHA-256 is stored.  The client signs it
 * together with the host it reached, so an answer phished for another
 * site cannot log in here.  The checks that need the certification centre
 * (chain, profile, validity, OCSP status, the signature) are behind
 * struct id_cert_checker, which pki provides. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

#include <jansson.h>
#include <string.h>

#define CERT_DER_MAX 8192            /* bytes of a certificate we read */
#define SIG_DER_MAX 1024             /* an ECDSA or RSA-4096 signature fits */
#define FAIL_FREE 20                 /* failed certificate logins from an address before waits */
#define FAIL_DELAY 1                 /* then 1 s, doubled per failure ... */
#define FAIL_DELAY_MAX 60
#define USED_KEPT 3600               /* answered challenges kept this long: a replay is named as one */

/* ---- challenges ------------------------------------------------------------- */

int id_cert_challenge(struct db *db, const char *ip, char out[ID_TOKEN_CHARS + 1], int64_t *expires_at,
                      struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    int64_t now = pc_now_unix();
    ip = ip ? ip : "";
    struct db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM cert_challenges WHERE ip = ? AND expires_at > ?"
                                      " AND used_at IS NULL", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, ip);
    db_bind_int(s, 2, now);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    int64_t live = db_col_int(s, 0);
    db_conn_idle(c);
    if (live >= ID_CHALLENGES_PER_IP)
        return pc_err_set(err, PC_ELIMIT, "too many unanswered challenges from this address");
    char hash[65];
    if ((rc = id_new_token(out, hash, err)) || (rc = db_begin(c, err)))
        return rc;
    s = db_prepare(c, "DELETE FROM cert_challenges WHERE expires_at < ?", err);
    rc = id_failed(err);
    if (s) {
        db_bind_int(s, 1, now - USED_KEPT);
        rc = id_ran(db_run(s, err));
    }
    if (!rc && (s = db_prepare(c, "INSERT INTO cert_challenges(hash, ip, created_at, expires_at) VALUES (?, ?, ?, ?)",
                               err))) {
        db_bind_text(s, 1, hash);
        db_bind_text(s, 2, ip);
        db_bind_int(s, 3, now);
        db_bind_int(s, 4, now + ID_CHALLENGE_SECS);
        rc = id_ran(db_run(s, err));
    } else if (!rc) {
        rc = id_failed(err);
    }
    *expires_at = now + ID_CHALLENGE_SECS;
    return db_end(c, rc, err);
}

const char *id_cert_to_sign(struct pc_arena *a, const char *host, const char *challenge)
{
    return pc_arena_printf(a, "PENCERE-LOGIN-1\n%s\n%s", host, challenge);
}

/* Spend the challenge (one statement, so one answer wins a race); when it
 * cannot be spent, say why. */
static int challenge_spend(struct db_conn *c, const char *challenge, int64_t now, enum id_cert_problem *problem,
                           struct pc_err *err)
{
    char hash[65];
    pc_sha256_hex(challenge, strlen(challenge), hash);
    struct db_stmt *s = db_prepare(c, "UPDATE cert_challenges SET used_at = ? WHERE hash = ? AND used_at IS NULL"
                                      " AND expires_at > ?", err);
    if (!s)
        return id_failed(err);
    db_bind_int(s, 1, now);
    db_bind_text(s, 2, hash);
    db_bind_int(s, 3, now);
    int64_t n = db_run(s, err);
    if (n != 0)
        return n < 0 ? (int)n : 0;
    s = db_prepare(c, "SELECT used_at FROM cert_challenges WHERE hash = ?", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, hash);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    *problem = rc == 0 ? ID_CERT_CHALLENGE_UNKNOWN
               : db_col_is_null(s, 0) ? ID_CERT_CHALLENGE_EXPIRED : ID_CERT_CHALLENGE_USED;
    db_conn_idle(c);
    return PC_EDENIED;
}

/* ---- the answer ------------------------------------------------------------------ */

/* Standard or URL-safe base64, padded or not, into a (at most max bytes). */
static int unbase64(struct pc_arena *a, const char *s, size_t n, size_t max, const unsigned char **out, size_t *len)
{
    while (n && s[n - 1] == '=')
        n--;
    char *t = pc_arena_strndup(a, s, n);
    for (char *p = t; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    unsigned char *buf = pc_arena_alloc(a, max);
    long got = pc_b64url_decode(t, n, buf, max);
    if (got <= 0)
        return PC_EINVAL;
    *out = buf;
    *len = (size_t)got;
    return 0;
}

/* A certificate as PEM (one) or base64 DER. */
static int cert_bytes(struct pc_arena *a, const char *s, const unsigned char **out, size_t *len)
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----", end[] = "-----END CERTIFICATE-----";
    if (!pc_str_has_prefix(s, begin))
        return unbase64(a, s, strlen(s), CERT_DER_MAX, out, len);
    const char *body = s + sizeof begin - 1, *stop = strstr(body, end);
    if (!stop)
        return PC_EINVAL;
    char *flat = pc_arena_alloc(a, (size_t)(stop - body) + 1);
    size_t n = 0;
    for (const char *p = body; p < stop; p++)
        if (*p != '\n' && *p != '\r')
            flat[n++] = *p;
    flat[n] = 0;
    for (const char *p = stop + sizeof end - 1; *p; p++)
        if (*p != '\n' && *p != '\r')
            return PC_EINVAL; /* one certificate, nothing after it */
    return unbase64(a, flat, n, CERT_DER_MAX, out, len);
}

static bool host_ok(const char *h)
{
    size_t n = strlen(h);
    if (n == 0 || n > ID_HOST_MAX)
        return false;
    for (const char *p = h; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr(".-:[]", *p)))
            return false;
    return true;
}

static bool challenge_ok(const char *c)
{
    if (strlen(c) != ID_TOKEN_CHARS)
        return false;
    for (const char *p = c; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_'))
            return false;
    return true;
}

int id_cert_response_parse(struct pc_arena *a, const char *text, size_t len, struct id_cert_response *out,
                           struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || len > ID_CERT_RESPONSE_MAX)
        return pc_err_set(err, PC_EINVAL, "the answer is empty or larger than %d bytes", ID_CERT_RESPONSE_MAX);
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return pc_err_set(err, PC_EINVAL, "the answer is not JSON: %s", je.text);
    pc_arena_defer(a, (void (*)(void *))json_decref, j);
    static const char *const keys[] = {"challenge", "host", "certificate", "signature"};
    const char *v[4];
    if (!json_is_object(j) || json_object_size(j) != 4)
        return pc_err_set(err, PC_EINVAL, "the answer must be an object with challenge, host, certificate and signature");
    for (int i = 0; i < 4; i++) {
        json_t *x = json_object_get(j, keys[i]);
        if (!json_is_string(x) || strlen(json_string_value(x)) != json_string_length(x))
            return pc_err_set(err, PC_EINVAL, "%s must be a string", keys[i]);
        v[i] = pc_arena_strdup(a, json_string_value(x));
    }
    if (!challenge_ok(v[0]))
        return pc_err_set(err, PC_EINVAL, "challenge must be %d base64url characters", ID_TOKEN_CHARS);
    if (!host_ok(v[1]))
        return pc_err_set(err, PC_EINVAL, "host must be a host name (and port) of at most %d characters", ID_HOST_MAX);
    if (cert_bytes(a, v[2], &out->cert, &out->cert_len))
        return pc_err_set(err, PC_EINVAL, "certificate must be one PEM certificate or base64 DER of at most %d bytes",
                          CERT_DER_MAX);
    if (unbase64(a, v[3], strlen(v[3]), SIG_DER_MAX, &out->sig, &out->sig_len))
        return pc_err_set(err, PC_EINVAL, "signature must be base64 of at most %d bytes", SIG_DER_MAX);
    out->challenge = v[0];
    out->host = v[1];
    return 0;
}

/* ---- logging in ---------------------------------------------------------------------- */

/* The citizen account of the certificate's person (made and activated if
 * need be, audited), once a representative's certificate is known to
 * carry a grant for its VÖEN; on c, in the caller's transaction.
 * PC_EDENIED with *problem, before anything is written. */
static int account_of_holder(struct db_conn *c, struct pc_arena *a, const struct id_cert_holder *h, const char *ip,
                             const char **account_id, enum id_cert_problem *problem, struct pc_err *err)
{
    *problem = ID_CERT_NO_PERSON;
    struct db_stmt *s = db_prepare(c, "SELECT a.id, a.status, (SELECT 1 FROM representatives r WHERE r.voen = ?"
                                      " AND r.fin = p.fin AND r.revoked_at IS NULL) FROM persons p LEFT JOIN accounts a"
                                      " ON a.fin = p.fin AND a.kind = 'citizen' WHERE p.fin = ?", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, h->voen ? h->voen : "");
    db_bind_text(s, 2, h->fin);
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : pc_err_set(err, PC_EDENIED, "no person with FİN %s", h->fin);
    const char *id = pc_arena_strdup(a, db_col_text(s, 0));
    const char *status = pc_arena_strdup(a, db_col_text(s, 1));
    bool represents = !db_col_is_null(s, 2);
    db_conn_idle(c);
    if (pc_str_eq(status, "disabled"))
        return pc_err_set(err, PC_EDENIED, "the account of %s is disabled", h->fin);
    if (h->voen && !represents) {
        *problem = ID_CERT_NOT_REPRESENTATIVE;
        return pc_err_set(err, PC_EDENIED, "%s does not represent %s", h->fin, h->voen);
    }
    *problem = ID_CERT_OK;
    if (!id && (rc = id_citizen_account_on(c, a, h->fin, "certificate", "citizen", &id, err)))
        return rc;
    *account_id = id;
    if (pc_str_eq(status, "active"))
        return 0;
    s = db_prepare(c, "UPDATE accounts SET status = 'active' WHERE id = ? AND status = 'pending'", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, id);
    if ((rc = id_ran(db_run(s, err))))
        return rc;
    struct audit_entry e = {.actor = id, .role = "citizen", .action = "account.activated", .object_type = "account",
                            .object_id = id, .ip = ip, .detail = "certificate"};
    int64_t seq = audit_append(c, &e, err);
    return seq < 0 ? (int)seq : 0;
}

/* The checks that need no database, before the transaction: the host
 * and the checker (signatures, OCSP: never inside a transaction, which
 * would hold the database while the centre answers).  PC_EDENIED with
 * *problem for the client's faults. */
static int check_answer(struct pc_arena *a, const struct id_cert_checker *ck, const struct id_cert_response *resp,
                        const char *host, struct id_cert_holder *holder, enum id_cert_problem *problem,
                        struct pc_err *err)
{
    if (!resp->challenge) /* a TLS client certificate: the handshake was the proof */
        return ck->check(ck->ctx, a, resp->cert, resp->cert_len, NULL, 0, NULL, 0, holder, problem, err);
    if (!host || strcasecmp(host, resp->host) != 0) {
        *problem = ID_CERT_WRONG_HOST;
        return pc_err_set(err, PC_EDENIED, "signed for %s, not for this site", resp->host);
    }
    const char *data = id_cert_to_sign(a, resp->host, resp->challenge);
    return ck->check(ck->ctx, a, resp->cert, resp->cert_len, data, strlen(data), resp->sig, resp->sig_len, holder,
                     problem, err);
}

/* In the login's transaction: the challenge spent by this answer, right
 * or wrong (one statement, so one answer wins a race); a challenge that
 * cannot be spent is the refusal, whatever the checks said. */
static int spend_answer(struct db_conn *c, const struct id_cert_response *resp, int64_t now, int *auth,
                        struct id_cert_holder *holder, enum id_cert_problem *problem, struct pc_err *err)
{
    if (!resp->challenge)
        return 0;
    enum id_cert_problem spent = ID_CERT_OK;
    int rc = challenge_spend(c, resp->challenge, now, &spent, err);
    if (rc != PC_EDENIED)
        return rc;
    /* refused for its challenge alone: nothing of the certificate is taken (nor audited) */
    *holder = (struct id_cert_holder){0};
    *problem = spent;
    *auth = pc_err_set(err, PC_EDENIED, "challenge %s", id_cert_problem_name(spent));
    return 0;
}

int id_login_certificate(struct db *db, struct pc_arena *a, const struct id_cert_checker *ck,
                         const struct id_cert_response *resp, const char *host, const char *ip,
                         const char *user_agent, const char *kind, char *token_out, int64_t *retry_after,
                         enum id_cert_problem *problem, struct pc_err *err)
{
    *problem = ID_CERT_OK;
    *retry_after = 0;
    token_out[0] = 0;
    ip = ip ? ip : "";
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    int64_t now = pc_now_unix();
    const char *ip_key = pc_arena_printf(a, "cert-ip:%s", ip);
    struct id_throttle t;
    int rc = id_throttle_get(c, ip_key, now, &t, err);
    if (rc)
        return rc;
    if ((*retry_after = id_throttle_delay(&t, FAIL_FREE, FAIL_DELAY, FAIL_DELAY_MAX, now)) > 0)
        return pc_err_set(err, PC_ELIMIT, "too many failed certificate logins from this address");
    struct id_cert_holder h = {0};
    int auth = check_answer(a, ck, resp, host, &h, problem, err);
    if (auth && auth != PC_EDENIED)
        return auth;
    /* one transaction: the challenge spent, the account, the session, the audit entry */
    if ((rc = db_begin(c, err)))
        return rc;
    rc = spend_answer(c, resp, now, &auth, &h, problem, err);
    const char *account_id = NULL;
    if (!rc && !auth) {
        auth = account_of_holder(c, a, &h, ip, &account_id, problem, err);
        if (auth && auth != PC_EDENIED)
            rc = auth;
    }
    struct audit_entry e = {.actor = account_id ? account_id : "anonymous", .role = "citizen",
                            .object_type = "account", .object_id = h.fin ? h.fin : "", .ip = ip};
    if (rc) {
        e.action = "session.login_error";
        e.detail = "certificate";
    } else if (auth) {
        e.action = "session.login_failed";
        e.detail = pc_arena_printf(a, "certificate %s%s%s", id_cert_problem_name(*problem), h.serial ? " " : "",
                                   h.serial ? h.serial : "");
        rc = id_throttle_hit(c, ip_key, now, err);
    } else {
        struct id_login_info how = {.method = ID_METHOD_CERTIFICATE, .cert_serial = h.serial,
                                    .only_service = h.only_service};
        e.action = "session.login";
        e.detail = pc_arena_printf(a, "certificate %s%s%s", h.serial, h.only_service ? " for " : "",
                                   h.only_service ? h.only_service : "");
        rc = id_session_insert(c, account_id, kind, &how, h.voen, ip, user_agent, token_out, err);
    }
    /* the refusal's own message survives the audit entry written for it */
    struct pc_err refusal = err ? *err : (struct pc_err){0};
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    if (auth && err)
        *err = refusal;
    return auth;
}

int id_login_tls_certificate(struct db *db, struct pc_arena *a, const struct id_cert_checker *ck,
                             const unsigned char *cert, size_t cert_len, const char *ip, const char *user_agent,
                             const char *kind, char *token_out, int64_t *retry_after, enum id_cert_problem *problem,
                             struct pc_err *err)
{
    struct id_cert_response tls = {.cert = cert, .cert_len = cert_len};
    return id_login_certificate(db, a, ck, &tls, NULL, ip, user_agent, kind, token_out, retry_after, problem, err);
}

/* ---- while the session lasts ---------------------------------------------------------- */

int id_session_recheck(struct db *db, struct pc_arena *a, const struct id_cert_checker *ck,
                       const struct id_principal *p, const char *ip, struct pc_err *err)
{
    if (!ck || !p || !p->auth.cert_serial)
        return 0;
    enum id_cert_problem problem = ID_CERT_OK;
    int rc = ck->status(ck->ctx, a, p->auth.cert_serial, &problem, err);
    if (rc != PC_EDENIED)
        return rc;
    struct db_conn *c;
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    struct db_stmt *s = db_prepare(c, "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                                   err);
    rc = id_failed(err);
    if (s) {
        db_bind_int(s, 1, pc_now_unix());
        db_bind_text(s, 2, p->session_hash);
        rc = id_ran(db_run(s, err));
    }
    struct audit_entry e = {.actor = p->account_id, .role = id_principal_role(p), .action = "session.certificate_ended",
                            .object_type = "session", .object_id = p->account_id, .ip = ip ? ip : "",
                            .detail = pc_arena_printf(a, "certificate %s %s", p->auth.cert_serial,
                                                      id_cert_problem_name(problem))};
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    return pc_err_set(err, PC_ENOTFOUND, "the session's certificate is %s", id_cert_problem_name(problem));
}

/* login.c — logging in: who may even try now (delays, challenges, a place
 * in the node's hashing queue), the code-password method, the second
 * factor, and a new session or second-factor ticket.
 *
 * Failures are counted under three keys: the login ("login:"), the client
 * address ("ip:") and the login from that address ("pair:").  The address
 * and the pair wait progressively longer: they are the stranger's own.
 * The login's count never locks it: past ACCOUNT_FREE failures each
 * client must first fetch a challenge and come back with it after a wait
 * that grows with the count, so guessing slows down for everyone while
 * the right password still gets in, and strangers cannot use up the
 * owner's turn. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define PAIR_FREE 5              /* failures of a login from one address before waits */
#define PAIR_DELAY 15            /* then 15 s, doubled per failure ... */
#define PAIR_DELAY_MAX THROTTLE_WINDOW
#define ADDR_FREE 20             /* failures from one address, any login */
#define ADDR_DELAY 1             /* then 1 s, doubled ... */
#define ADDR_DELAY_MAX 60
#define ACCOUNT_FREE 10          /* failures of a login from anywhere before challenges */
#define CHALLENGE_WAIT_MAX 60    /* a challenge asks 1 s, doubled per failure, at most this */
#define CHALLENGE_VALID 300      /* seconds after its wait during which it may be answered */
#define TICKET_SECS 300          /* the second-factor step */

/* The keys and counts of one attempt. */
struct attempt {
    char login[ID_LOGIN_KEY];
    enum id_account_kind kind;
    const char *login_key, *ip_key, *pair_key;
    struct id_throttle by_login, by_ip, by_pair;
};

static const char *kind_name(enum id_account_kind k)
{
    return k == ID_ACCOUNT_STAFF ? "staff" : "citizen";
}

/* Fill the keys (PC_EDENIED for a login that can name no account). */
static int attempt_keys(struct pc_arena *a, const struct id_login_request *req, struct attempt *at,
                        struct pc_err *err)
{
    if (!req->login || strlen(req->login) > 64 || id_login_key(req->login, at->login, &at->kind))
        return pc_err_set(err, PC_EDENIED, "wrong login or password");
    const char *ip = req->ip ? req->ip : "";
    at->login_key = pc_arena_printf(a, "login:%s", at->login);
    at->ip_key = pc_arena_printf(a, "ip:%s", ip);
    at->pair_key = pc_arena_printf(a, "pair:%s@%s", at->login, ip);
    return 0;
}

/* What a session logged in here records (its time is the session's): the
 * method by its name ("password", "mobile", "qr"). */
static struct id_login_info login_info(const struct id_login_method *m)
{
    int method = id_method_parse(m->name);
    return (struct id_login_info){.method = method < 0 ? ID_METHOD_PASSWORD : (enum id_method)method};
}

/* ---- challenges ---------------------------------------------------------- */

/* Use the client's answer: 0 when it was due and is now spent; else
 * PC_ELIMIT with the wait left (the same challenge handed back) or none
 * (retry 0: the answer was no good). */
static int challenge_use(struct db_conn *c, const char *token, const struct attempt *at, const char *ip,
                         int64_t now, int64_t *retry, struct pc_err *err)
{
    *retry = 0;
    if (!token || strlen(token) != ID_TOKEN_CHARS)
        return PC_ELIMIT;
    char hash[65];
    pc_sha256_hex(token, ID_TOKEN_CHARS, hash);
    struct db_stmt *s = db_prepare(c, "SELECT not_before FROM login_challenges WHERE hash = ? AND login = ? AND ip = ?"
                                      " AND expires_at > ? AND used_at IS NULL", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, hash);
    db_bind_text(s, 2, at->login);
    db_bind_text(s, 3, ip);
    db_bind_int(s, 4, now);
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : PC_ELIMIT;
    int64_t not_before = db_col_int(s, 0);
    db_conn_idle(c);
    if (now < not_before) {
        *retry = not_before - now;
        return PC_ELIMIT;
    }
    /* spent in one statement, so one answer admits one attempt */
    s = db_prepare(c, "UPDATE login_challenges SET used_at = ? WHERE hash = ? AND used_at IS NULL", err);
    if (!s)
        return id_failed(err);
    db_bind_int(s, 1, now);
    db_bind_text(s, 2, hash);
    int64_t n = db_run(s, err);
    return n == 1 ? 0 : n < 0 ? (int)n : PC_ELIMIT;
}

static int challenge_issue(struct db_conn *c, const struct attempt *at, const char *ip, int64_t now, int64_t wait,
                           char *token_out, struct pc_err *err)
{
    char hash[65];
    int rc = id_new_token(token_out, hash, err);
    if (!rc)
        rc = db_begin(c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "DELETE FROM login_challenges WHERE expires_at < ?", err);
    rc = id_failed(err);
    if (s) {
        db_bind_int(s, 1, now);
        rc = id_ran(db_run(s, err));
    }
    if (!rc && (s = db_prepare(c, "INSERT INTO login_challenges(hash, login, ip, not_before, expires_at)"
                                  " VALUES (?, ?, ?, ?, ?)", err))) {
        db_bind_text(s, 1, hash);
        db_bind_text(s, 2, at->login);
        db_bind_text(s, 3, ip);
        db_bind_int(s, 4, now + wait);
        db_bind_int(s, 5, now + wait + CHALLENGE_VALID);
        rc = id_ran(db_run(s, err));
    } else if (!rc) {
        rc = id_failed(err);
    }
    return db_end(c, rc, err);
}

/* ---- admission --------------------------------------------------------------- */

static int busy(int64_t *retry, struct pc_err *err)
{
    *retry = 1;
    return pc_err_set(err, PC_ELIMIT, "too many logins are being checked; try again in a moment");
}

/* The delays and the challenge, after the place in the queue is taken. */
static int admit_counted(struct db_conn *c, const struct id_login_request *req, struct attempt *at, int64_t now,
                         char *token_out, int64_t *retry, struct pc_err *err)
{
    int rc = id_throttle_get(c, at->pair_key, now, &at->by_pair, err);
    if (!rc)
        rc = id_throttle_get(c, at->login_key, now, &at->by_login, err);
    if (rc)
        return rc;
    int64_t wait = id_throttle_delay(&at->by_ip, ADDR_FREE, ADDR_DELAY, ADDR_DELAY_MAX, now);
    int64_t pair = id_throttle_delay(&at->by_pair, PAIR_FREE, PAIR_DELAY, PAIR_DELAY_MAX, now);
    if (pair > wait)
        wait = pair;
    if (wait > 0) {
        *retry = wait;
        return pc_err_set(err, PC_ELIMIT, "too many attempts");
    }
    if (at->by_login.failures < ACCOUNT_FREE)
        return 0;
    const char *ip = req->ip ? req->ip : "";
    rc = challenge_use(c, req->challenge, at, ip, now, retry, err);
    if (rc == PC_ELIMIT && *retry > 0) { /* answered too early: the same one, later */
        snprintf(token_out, ID_TOKEN_CHARS + 1, "%s", req->challenge);
        return pc_err_set(err, PC_ELIMIT, "answer the challenge in %lld s", (long long)*retry);
    }
    if (rc != PC_ELIMIT)
        return rc;
    int64_t steps = at->by_login.failures - ACCOUNT_FREE;
    *retry = steps >= 6 ? CHALLENGE_WAIT_MAX : (int64_t)1 << steps;
    if (*retry > CHALLENGE_WAIT_MAX)
        *retry = CHALLENGE_WAIT_MAX;
    if ((rc = challenge_issue(c, at, ip, now, *retry, token_out, err)))
        return rc;
    return pc_err_set(err, PC_ELIMIT, "this login has many failures: answer the challenge");
}

/* Everything before the hash; on 0 the attempt holds a place in the
 * hashing queue.  An address with failures asks for its place first, so
 * that in a flood its refusal costs one read of the database. */
static int admit(struct db_conn *c, struct pc_arena *a, const struct id_login_request *req, struct attempt *at,
                 char *token_out, int64_t *retry, struct pc_err *err)
{
    token_out[0] = 0;
    *retry = 0;
    *at = (struct attempt){0};
    int64_t now = pc_now_unix();
    int rc = attempt_keys(a, req, at, err);
    if (!rc)
        rc = id_throttle_get(c, at->ip_key, now, &at->by_ip, err);
    if (rc)
        return rc;
    bool entered = at->by_ip.failures > 0;
    if (entered && !id_hash_queue_enter(true))
        return busy(retry, err);
    rc = admit_counted(c, req, at, now, token_out, retry, err);
    /* a clean address: its place now, suspect if the pair has failures */
    if (!rc && !entered && !id_hash_queue_enter(at->by_pair.failures > 0))
        return busy(retry, err);
    if (rc && entered)
        id_hash_queue_leave();
    return rc;
}

int id_login_admit(struct db *db, struct pc_arena *a, struct id_login_request *req, char *token_out,
                   int64_t *retry_after, struct pc_err *err)
{
    struct attempt at;
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    int rc = admit(c, a, req, &at, token_out, retry_after, err);
    req->admitted = rc == 0;
    return rc;
}

/* ---- after the method ------------------------------------------------------- */

/* A 5-minute ticket between the password and the second factor. */
static int new_ticket(struct db_conn *c, const char *account_id, char *ticket_out, struct pc_err *err)
{
    char hash[65];
    int rc = id_new_token(ticket_out, hash, err);
    if (rc)
        return rc;
    int64_t now = pc_now_unix();
    struct db_stmt *s = db_prepare(c, "INSERT INTO one_time_codes(code_hash, account_id, purpose, issued_by, created_at,"
                                      " expires_at) VALUES (?, ?, 'mfa', 'login', ?, ?)", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, hash);
    db_bind_text(s, 2, account_id);
    db_bind_int(s, 3, now);
    db_bind_int(s, 4, now + TICKET_SECS);
    return id_ran(db_run(s, err));
}

/* The method has spoken (auth 0 or PC_EDENIED): the second factor, the
 * counts and the session or ticket, in one audited transaction. */
static int finish(struct db_conn *c, struct pc_arena *a, const struct id_login_method *m,
                  const struct id_login_request *req, const struct attempt *at, const char *account_id, int auth,
                  const char *kind, char *token_out, struct pc_err *err)
{
    int64_t now = pc_now_unix();
    const char *secret = NULL;
    int rc = auth == 0 ? id_totp_secret_of(c, a, account_id, &secret, err) : 0;
    if (rc)
        return rc;
    if ((rc = db_begin(c, err)))
        return rc;
    bool need_ticket = auth == 0 && secret && !req->otp;
    if (auth == 0 && secret && req->otp) {
        int t = id_totp_use(c, account_id, secret, req->otp, now, err);
        if (t == PC_EINVAL)
            auth = PC_EDENIED;
        else
            rc = t;
    }
    struct audit_entry e = {.actor = auth == 0 ? account_id : "anonymous", .role = kind_name(at->kind),
                            .object_type = "account", .object_id = at->login, .ip = req->ip ? req->ip : "",
                            .detail = m->name};
    if (rc) {
        e.action = "session.login_error";
    } else if (auth == PC_EDENIED) {
        rc = id_throttle_hit(c, at->login_key, now, err);
        if (!rc)
            rc = id_throttle_hit(c, at->ip_key, now, err);
        if (!rc)
            rc = id_throttle_hit(c, at->pair_key, now, err);
        e.action = "session.login_failed";
    } else if (need_ticket) {
        rc = new_ticket(c, account_id, token_out, err);
        e.action = "session.second_factor_asked";
    } else {
        rc = id_throttle_clear(c, at->pair_key, err);
        struct id_login_info info = login_info(m);
        if (!rc)
            rc = id_session_insert(c, account_id, kind, &info, NULL, req->ip, req->user_agent, token_out, err);
        e.action = "session.login";
    }
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    if (auth == PC_EDENIED)
        return pc_err_set(err, PC_EDENIED, "wrong login or password");
    return need_ticket ? pc_err_set(err, PC_EMORE, "second factor needed") : 0;
}

int id_login(struct db *db, struct pc_arena *a, const struct id_login_method *m,
             const struct id_login_request *req, const char *kind, char *token_out,
             int64_t *retry_after, struct pc_err *err)
{
    *retry_after = 0;
    token_out[0] = 0;
    struct db_conn *c = db_conn_get(db, err);
    if (!c) {
        if (req->admitted)
            id_hash_queue_leave();
        return id_failed(err);
    }
    struct attempt at;
    int rc = req->admitted ? attempt_keys(a, req, &at, err) : admit(c, a, req, &at, token_out, retry_after, err);
    if (rc) {
        if (req->admitted)
            id_hash_queue_leave();
        return rc;
    }
    /* the method sees the login as stored (a FİN upper-cased) */
    struct id_login_request r = *req;
    r.login = at.login;
    const char *account_id = NULL;
    int auth = m->authenticate(db, a, &r, &account_id, err);
    id_hash_queue_leave();
    if (auth != 0 && auth != PC_EDENIED)
        return auth;
    return finish(c, a, m, &r, &at, account_id, auth, kind, token_out, err);
}

int id_login_second_factor(struct db *db, struct pc_arena *a, const char *ticket, const char *otp,
                           const struct id_login_request *req, const char *kind, char *token_out,
                           int64_t *retry_after, struct pc_err *err)
{
    *retry_after = 0;
    if (!ticket || strlen(ticket) != ID_TOKEN_CHARS)
        return pc_err_set(err, PC_EDENIED, "the login has expired; start again");
    char hash[65];
    pc_sha256_hex(ticket, ID_TOKEN_CHARS, hash);
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    int64_t now = pc_now_unix();
    struct db_stmt *s = db_prepare(c, "SELECT o.account_id, a.totp_secret, a.kind FROM one_time_codes o JOIN accounts a"
                                      " ON a.id = o.account_id WHERE o.code_hash = ? AND o.purpose = 'mfa'"
                                      " AND o.used_at IS NULL AND o.expires_at > ? AND a.status = 'active'", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, hash);
    db_bind_int(s, 2, now);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_EDENIED, "the login has expired; start again");
    const char *account_id = pc_arena_strdup(a, db_col_text(s, 0));
    const char *secret = pc_arena_strdup(a, db_col_text(s, 1));
    const char *role = pc_arena_strdup(a, db_col_text(s, 2));
    const char *key = pc_arena_printf(a, "mfa:%s", account_id);
    if ((rc = id_throttle_wait(c, key, PAIR_FREE, now, retry_after, err)))
        return rc;
    if (*retry_after)
        return pc_err_set(err, PC_ELIMIT, "too many attempts");
    if ((rc = db_begin(c, err)))
        return rc;
    int t = id_totp_use(c, account_id, secret, otp, now, err);
    bool ok = t == 0;
    if (t && t != PC_EINVAL)
        rc = t;
    struct audit_entry e = {.actor = account_id, .role = role, .object_type = "account",
                            .object_id = account_id, .ip = req->ip ? req->ip : "", .detail = "totp"};
    if (rc) {
        e.action = "session.login_error";
    } else if (ok) {
        s = db_prepare(c, "UPDATE one_time_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL", err);
        rc = id_failed(err);
        if (s) {
            db_bind_int(s, 1, now);
            db_bind_text(s, 2, hash);
            int64_t n = db_run(s, err);
            /* another request used the ticket between our read and now */
            rc = n == 1 ? 0 : n < 0 ? (int)n : pc_err_set(err, PC_EDENIED, "the login has expired; start again");
        }
        if (!rc)
            rc = id_throttle_clear(c, key, err);
        /* the ticket does not say how the first step was made: the session
         * counts as a code-password one (a level too low asks to step up,
         * never the other way) */
        struct id_login_info info = {.method = ID_METHOD_PASSWORD};
        if (!rc)
            rc = id_session_insert(c, account_id, kind, &info, NULL, req->ip, req->user_agent, token_out, err);
        e.action = "session.login";
    } else {
        rc = id_throttle_hit(c, key, now, err);
        e.action = "session.second_factor_failed";
    }
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    return ok ? 0 : pc_err_set(err, PC_EINVAL, "wrong code");
}

/* ---- the code-password method ------------------------------------------------- */

static int password_authenticate(struct db *db, struct pc_arena *a, const struct id_login_request *req,
                                 const char **account_id, struct pc_err *err)
{
    char login[ID_LOGIN_KEY];
    enum id_account_kind kind;
    if (id_login_key(req->login, login, &kind))
        return pc_err_set(err, PC_EDENIED, "wrong login or password");
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT id, password_hash, status FROM accounts WHERE login = ? AND kind = ?",
                                       err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, login);
    db_bind_text(s, 2, kind_name(kind));
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    const char *id = NULL, *hash = NULL;
    bool active = false;
    if (rc == 1) {
        id = pc_arena_strdup(a, db_col_text(s, 0));
        hash = pc_arena_strdup(a, db_col_text(s, 1));
        active = pc_str_eq(db_col_text(s, 2), "active");
    }
    db_conn_idle(c);
    /* always verify, against a dummy when there is no usable hash */
    bool ok = id_password_verify(active ? hash : NULL, req->secret ? req->secret : "");
    if (!ok || !active)
        return pc_err_set(err, PC_EDENIED, "wrong login or password");
    *account_id = id;
    return 0;
}

const struct id_login_method id_login_password = {
    .name = "password",
    .authenticate = password_authenticate,
};

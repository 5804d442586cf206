/* guest.c — applying without logging in: a guest account and a session
 * of kind "guest" for a visitor applying to a service of level none, and
 * a guest's return with a proof the caller checks (an application's
 * reference and access code, cases' business), throttled like the login.
 *
 * A guest account has no person, no password and no role, and its login
 * ("guest-" and 32 hex digits) can never be typed into the login form
 * (id_login_key takes FİNs and staff logins only; lookups by login name
 * the account's kind).  id_authorize allows it nothing: what a guest may
 * do (fill and submit its own drafts to services of level none, follow
 * its own cases) is what cases allows the level none and the applicant. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

#include <string.h>

/* As the login's (login.c): an address's failures, any key ... */
#define ADDR_FREE 20
#define ADDR_DELAY 1
#define ADDR_DELAY_MAX 60
/* ... and one key's from one address */
#define PAIR_FREE 5
#define PAIR_DELAY 15
#define PAIR_DELAY_MAX THROTTLE_WINDOW

static const struct id_login_info guest_login = {.method = ID_METHOD_GUEST};

int id_guest_start(struct db *db, struct pc_arena *a, const char *ip, const char *user_agent, char *token_out,
                   const char **account_id, int64_t *retry_after, struct pc_err *err)
{
    token_out[0] = 0;
    *retry_after = 0;
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    int64_t now = pc_now_unix();
    const char *key = pc_arena_printf(a, "guest:%s", ip ? ip : "");
    int rc = id_throttle_wait(c, key, ID_GUEST_PER_WINDOW, now, retry_after, err);
    if (rc)
        return rc;
    if (*retry_after > 0)
        return pc_err_set(err, PC_ELIMIT, "too many applications without login from this address");
    char *id = pc_arena_alloc(a, 33), created[21];
    if (pc_random_hex(id, 16))
        return pc_err_set(err, PC_EIO, "no randomness");
    pc_rfc3339(now, created);
    if ((rc = db_begin(c, err)))
        return rc;
    rc = id_throttle_hit(c, key, now, err);
    struct db_stmt *s = rc ? NULL : db_prepare(c, "INSERT INTO accounts(id, login, fin, status, kind, created_by,"
                                                  " created_at) VALUES (?, ?, NULL, 'active', 'guest', 'guest', ?)", err);
    if (s) {
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, pc_arena_printf(a, "guest-%s", id));
        db_bind_text(s, 3, created);
        rc = id_ran(db_run(s, err));
    } else if (!rc) {
        rc = id_failed(err);
    }
    if (!rc)
        rc = id_session_insert(c, id, "guest", &guest_login, NULL, ip, user_agent, token_out, err);
    if ((rc = db_end(c, rc, err)))
        return rc;
    *account_id = id;
    return 0;
}

/* 0, or PC_ELIMIT with the wait when a key or address waits. */
static int guest_admit(struct db_conn *c, const char *ip_key, const char *pair_key, int64_t now, int64_t *retry,
                       struct pc_err *err)
{
    struct id_throttle by_ip, by_pair;
    int rc = id_throttle_get(c, ip_key, now, &by_ip, err);
    if (!rc)
        rc = id_throttle_get(c, pair_key, now, &by_pair, err);
    if (rc)
        return rc;
    int64_t wait = id_throttle_delay(&by_ip, ADDR_FREE, ADDR_DELAY, ADDR_DELAY_MAX, now);
    int64_t pair = id_throttle_delay(&by_pair, PAIR_FREE, PAIR_DELAY, PAIR_DELAY_MAX, now);
    *retry = pair > wait ? pair : wait;
    return *retry > 0 ? pc_err_set(err, PC_ELIMIT, "too many attempts") : 0;
}

int id_guest_login(struct db *db, struct pc_arena *a, const char *key, const struct id_guest_proof *proof,
                   const char *ip, const char *user_agent, char *token_out, int64_t *retry_after,
                   struct pc_err *err)
{
    token_out[0] = 0;
    *retry_after = 0;
    if (!key || !*key || strlen(key) > 64)
        return pc_err_set(err, PC_EDENIED, "wrong reference or access code");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    int64_t now = pc_now_unix();
    const char *ip_key = pc_arena_printf(a, "ip:%s", ip ? ip : "");
    const char *pair_key = pc_arena_printf(a, "guest:%s@%s", key, ip ? ip : "");
    int rc = guest_admit(c, ip_key, pair_key, now, retry_after, err);
    if (rc)
        return rc;
    const char *account_id = NULL;
    int auth = proof->check(proof->ctx, a, &account_id, err);
    if (auth != 0 && auth != PC_EDENIED)
        return auth;
    if ((rc = db_begin(c, err)))
        return rc;
    struct audit_entry e = {.actor = auth == 0 ? account_id : "anonymous", .role = "guest", .object_type = "guest",
                            .object_id = key, .ip = ip ? ip : "", .detail = "guest"};
    if (auth == 0) {
        e.action = "session.login";
        rc = id_throttle_clear(c, pair_key, err);
        if (!rc)
            rc = id_session_insert(c, account_id, "guest", &guest_login, NULL, ip, user_agent, token_out, err);
    } else {
        e.action = "session.login_failed";
        rc = id_throttle_hit(c, ip_key, now, err);
        if (!rc)
            rc = id_throttle_hit(c, pair_key, now, err);
    }
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    return auth ? pc_err_set(err, PC_EDENIED, "wrong reference or access code") : 0;
}

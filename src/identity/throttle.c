/* throttle.c — counting attempts per key (a login, an address, a FİN)
 * in a fixed window, so that guessing passwords or sending codes in bulk
 * stops after a few tries.  Counts live in the database: every node of a
 * deployment sees the same ones. */
#include "identity.h"
#include "internal.h"

int id_throttle_wait(struct db_conn *c, const char *key, int limit, int64_t now, int64_t *retry,
                     struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT window_start, failures FROM login_throttle WHERE key = ?", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, key);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        int64_t start = db_col_int(s, 0), fails = db_col_int(s, 1);
        if (fails >= limit && now < start + THROTTLE_WINDOW) {
            int64_t r = start + THROTTLE_WINDOW - now;
            if (r > *retry)
                *retry = r;
        }
    }
    return 0;
}

int id_throttle_hit(struct db_conn *c, const char *key, int64_t now, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO login_throttle(key, window_start, failures) VALUES (?, ?, 1)"
        " ON CONFLICT(key) DO UPDATE SET"
        " failures = CASE WHEN login_throttle.window_start + ? <= ? THEN 1 ELSE login_throttle.failures + 1 END,"
        " window_start = CASE WHEN login_throttle.window_start + ? <= ? THEN ? ELSE login_throttle.window_start END", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, key);
    db_bind_int(s, 2, now);
    db_bind_int(s, 3, THROTTLE_WINDOW);
    db_bind_int(s, 4, now);
    db_bind_int(s, 5, THROTTLE_WINDOW);
    db_bind_int(s, 6, now);
    db_bind_int(s, 7, now);
    return db_run(s, err) < 0 ? PC_EIO : 0;
}

/* throttle.c — counting failed attempts per key (a login, an address, a
 * login from one address, a FİN) in a fixed window, and the delays that
 * grow with the count.  Counts live in the database: every node of a
 * deployment sees the same ones. */
#include "identity.h"
#include "internal.h"

int id_throttle_get(struct db_conn *c, const char *key, int64_t now, struct id_throttle *out, struct pc_err *err)
{
    *out = (struct id_throttle){0};
    struct db_stmt *s = db_prepare(c, "SELECT window_start, failures, last_at FROM login_throttle WHERE key = ?", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, key);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 1 && now < db_col_int(s, 0) + THROTTLE_WINDOW) {
        out->window_start = db_col_int(s, 0);
        out->failures = db_col_int(s, 1);
        out->last_at = db_col_int(s, 2);
    }
    return 0;
}

int64_t id_throttle_delay(const struct id_throttle *t, int64_t free, int64_t base, int64_t max, int64_t now)
{
    if (t->failures < free)
        return 0;
    int64_t steps = t->failures - free, d = base;
    while (steps-- > 0 && d < max)
        d *= 2;
    if (d > max)
        d = max;
    int64_t left = t->last_at + d - now;
    return left > 0 ? left : 0;
}

int id_throttle_wait(struct db_conn *c, const char *key, int limit, int64_t now, int64_t *retry,
                     struct pc_err *err)
{
    struct id_throttle t;
    int rc = id_throttle_get(c, key, now, &t, err);
    if (rc)
        return rc;
    if (t.failures >= limit && t.window_start + THROTTLE_WINDOW - now > *retry)
        *retry = t.window_start + THROTTLE_WINDOW - now;
    return 0;
}

int id_throttle_hit(struct db_conn *c, const char *key, int64_t now, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO login_throttle(key, window_start, failures, last_at) VALUES (?, ?, 1, ?)"
        " ON CONFLICT(key) DO UPDATE SET"
        " failures = CASE WHEN login_throttle.window_start + ? <= ? THEN 1 ELSE login_throttle.failures + 1 END,"
        " window_start = CASE WHEN login_throttle.window_start + ? <= ? THEN ? ELSE login_throttle.window_start END,"
        " last_at = ?", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, key);
    db_bind_int(s, 2, now);
    db_bind_int(s, 3, now);
    db_bind_int(s, 4, THROTTLE_WINDOW);
    db_bind_int(s, 5, now);
    db_bind_int(s, 6, THROTTLE_WINDOW);
    db_bind_int(s, 7, now);
    db_bind_int(s, 8, now);
    db_bind_int(s, 9, now);
    return id_ran(db_run(s, err));
}

int id_throttle_clear(struct db_conn *c, const char *key, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "DELETE FROM login_throttle WHERE key = ?", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, key);
    return id_ran(db_run(s, err));
}

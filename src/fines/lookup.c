/* lookup.c — a look-up without login: the identifier checked, the client
 * throttled (look-ups counted per address and minute in the database, so
 * every node counts together), and only the unpaid protocols of exactly
 * that identifier answered: an identifier the register does not know and
 * one without debts look the same (no enumeration). */
#include "fines.h"

#include <string.h>

static int failed(struct pc_err *err)
{
    return err->code ? err->code : pc_err_set(err, PC_EIO, "the database did not answer");
}

int fine_throttle(struct db *db, const char *ip, int per_minute, struct pc_err *err)
{
    int64_t minute = pc_now_unix() / 60;
    if (per_minute <= 0)
        per_minute = FINE_LOOKUPS_PER_MINUTE;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "INSERT INTO fine_lookups(client, minute, n) VALUES (?, ?, 1)"
                                          " ON CONFLICT (client, minute) DO UPDATE SET n = fine_lookups.n + 1", err)
                          : NULL;
    if (!s)
        return failed(err);
    db_bind_text(s, 1, ip ? ip : "");
    db_bind_int(s, 2, minute);
    int64_t r = db_run(s, err);
    if (r < 0)
        return (int)r;
    s = db_prepare(c, "SELECT n FROM fine_lookups WHERE client = ? AND minute = ?", err);
    if (!s)
        return failed(err);
    db_bind_text(s, 1, ip ? ip : "");
    db_bind_int(s, 2, minute);
    int rc = db_step(s, err);
    int64_t n = rc == 1 ? db_col_int(s, 0) : 0;
    db_conn_idle(c);
    if (rc < 0)
        return rc;
    return n > per_minute ? pc_err_set(err, PC_ELIMIT, "too many look-ups from this address; try again in a minute")
                          : 0;
}

int fine_lookup(struct db *db, const struct fine_registry *reg, const char *ip, int per_minute, enum fine_key k,
                const char *value, struct pc_arena *a, struct fine **out, size_t *n, struct pc_err *err)
{
    *out = NULL;
    *n = 0;
    int rc = fine_id_check(k, value, err);
    if (rc || (rc = fine_throttle(db, ip, per_minute, err)))
        return rc;
    struct fine *all;
    size_t m;
    if ((rc = fine_registry_find(reg, a, k, value, &all, &m, err)))
        return rc;
    *out = all;
    for (size_t i = 0; i < m; i++)
        if (all[i].status == FINE_UNPAID)
            (*out)[(*n)++] = all[i];
    return 0;
}

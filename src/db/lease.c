/* lease.c — "one node runs this job": a named lease in the database that
 * one holder takes for a while and must renew before it runs out.  A node
 * that dies stops renewing; another takes the lease once it has expired.
 * Rows are made on first use, so a new job needs no migration. */
#include "db.h"

/* The code db_prepare reported (err is filled then), for a plain return. */
static int prepare_failed(struct pc_err *err)
{
    return err && err->code ? err->code : PC_EIO;
}

int db_lease_renew(struct db_conn *c, const char *name, const char *holder, int64_t now, int ttl,
                   struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND expires_at > ?",
                                   err);
    if (!s)
        return prepare_failed(err);
    db_bind_int(s, 1, now + ttl);
    db_bind_text(s, 2, name);
    db_bind_text(s, 3, holder);
    db_bind_int(s, 4, now);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : n > 0;
}

/* The row of a lease nobody has used yet.  Two nodes may race to make it:
 * the loser's conflict is no error. */
static int lease_row(struct db_conn *c, const char *name, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO leases(name, holder, expires_at)"
                                      " SELECT ?, '', 0 WHERE NOT EXISTS (SELECT 1 FROM leases WHERE name = ?)", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, name);
    db_bind_text(s, 2, name);
    int64_t n = db_run(s, err);
    return n < 0 && n != PC_ECONFLICT ? (int)n : 0;
}

int db_lease_acquire(struct db_conn *c, const char *name, const char *holder, int64_t now, int ttl, bool *fresh,
                     struct pc_err *err)
{
    *fresh = false;
    int rc = db_lease_renew(c, name, holder, now, ttl, err);
    if (rc != 0)
        return rc;
    /* Not ours (or ours but expired): take it if it is free or expired. */
    if ((rc = lease_row(c, name, err)))
        return rc;
    struct db_stmt *s = db_prepare(c, "UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND expires_at <= ?",
                                   err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, holder);
    db_bind_int(s, 2, now + ttl);
    db_bind_text(s, 3, name);
    db_bind_int(s, 4, now);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    *fresh = n > 0;
    return n > 0;
}

int db_lease_release(struct db_conn *c, const char *name, const char *holder, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "UPDATE leases SET holder = '', expires_at = 0 WHERE name = ? AND holder = ?",
                                   err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, name);
    db_bind_text(s, 2, holder);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

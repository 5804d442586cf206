/*
 * audit.h — the append-only audit log and the personal-data access log.
 * Owns the tables audit_log and data_access_log; other modules read and
 * write them only through the functions below.
 *
 * Audit entries form a SHA-256 chain: each entry's hash covers its own
 * fields and the previous entry's hash, so editing, deleting or inserting
 * a row breaks the chain from that row on, and audit_verify finds the
 * first broken entry.  Append inside the transaction of the change being
 * recorded, so the record and the change commit or roll back together.
 */
#ifndef PC_AUDIT_H
#define PC_AUDIT_H

#include "../base/base.h"
#include "../db/db.h"

struct audit_entry {
    const char *actor;        /* account id, or "system" */
    const char *role;         /* the role the actor acted in */
    const char *action;       /* e.g. "account.login", "person.view" */
    const char *object_type;  /* e.g. "account", "person", "session" */
    const char *object_id;
    const char *ip;           /* "" when not from a request */
    const char *detail;       /* short, never secrets */
};

/* Append one entry.  Must be called inside a transaction on c (it takes
 * the audit lock so that nodes append in turn).  Returns the new seq or a
 * negative code. */
int64_t audit_append(struct db_conn *c, const struct audit_entry *e, struct pc_err *err);

/* A change and its audit entry in one transaction:
 *
 *     struct db_conn *c;
 *     int rc = audit_begin(db, &c, err);
 *     if (rc)
 *         return rc;
 *     rc = …the change on c…;
 *     return audit_end(c, rc, &entry, err);
 *
 * audit_begin opens a transaction on the calling thread's connection.
 * audit_end appends the entry and commits when rc is 0, and rolls back
 * otherwise.  Either returns 0 or the code of what failed, unchanged (the
 * change's rc, the append's, the commit's), with its message in err. */
int audit_begin(struct db *db, struct db_conn **c, struct pc_err *err);
int audit_end(struct db_conn *c, int rc, const struct audit_entry *e, struct pc_err *err);

/* One entry as stored. */
struct audit_row {
    int64_t seq;
    const char *at;           /* RFC 3339 */
    struct audit_entry e;
};

/* Entries newest first, at most max, only those with seq < before when
 * before > 0 (keyset paging: pass the last seq of one page to get the
 * next).  *more tells whether older entries remain.  Rows live in a. */
int audit_list(struct db *db, struct pc_arena *a, int64_t before, size_t max, struct audit_row **out, size_t *n,
               bool *more, struct pc_err *err);

struct audit_report {
    int64_t entries;      /* entries checked */
    int64_t first_bad;    /* seq of the first broken entry, 0 if intact */
    char why[128];        /* what is wrong with it */
};

/* Check the whole chain.  Returns 0 when it could be read (look at
 * report->first_bad), negative on a database error. */
int audit_verify(struct db *db, struct audit_report *report, struct pc_err *err);

/* ---- personal-data access log -------------------------------------- */

struct access_entry {
    const char *subject_fin;   /* whose data */
    const char *accessor;      /* account id or system name */
    const char *accessor_role;
    const char *agency_id;     /* "" when none */
    const char *data_kind;     /* profile | contact | case | … */
    const char *ground;        /* legal ground or case reference */
};

/* Record one read of a person's data (on c, so inside the caller's
 * transaction if any).  accessor_role is the role the reader acted in:
 * take it from the grant that allowed the read (id_authorize_role), never
 * a constant, so that an agency administrator is not written down as an
 * officer. */
int audit_access_record(struct db_conn *c, const struct access_entry *e, struct pc_err *err);

struct access_row {
    const char *at;           /* RFC 3339 */
    struct access_entry e;
};

/* Who read fin's data, newest first, at most max (*more: there are
 * older ones).  The accessor is the account id as recorded: a page for the
 * person shows the role and the agency, not a staff member's login. */
int audit_access_list(struct db *db, struct pc_arena *a, const char *fin, size_t max, struct access_row **out,
                      size_t *n, bool *more, struct pc_err *err);

#endif

/*
 * audit.h — the append-only audit log and the personal-data access log.
 * Owns the tables audit_log, audit_stamps and data_access_log; other
 * modules read and write them only through the functions below.
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
    /* the time-stamps of the head (audit_check_stamps) */
    int64_t stamps;           /* tokens that prove their entry */
    int64_t last_stamped;     /* the newest entry so proven, 0 none */
    int64_t last_stamped_at;  /* … existed unaltered at this time */
    int64_t bad_stamp;        /* the entry of the first stamp that does not match, 0 none */
    char stamp_why[192];
};

/* Check the whole chain.  Returns 0 when it could be read (look at
 * report->first_bad), negative on a database error. */
int audit_verify(struct db *db, struct audit_report *report, struct pc_err *err);

/* ---- time-stamps of the chain's head (stamp.c) ------------------------ */

/* How the head is time-stamped and a kept token checked: a TSA the caller
 * knows (the certification centre's).  The imprint is the entry's hash. */
struct audit_tsa {
    /* a token (DER) over digest and its time, in a */
    int (*stamp)(void *ctx, struct pc_arena *a, const unsigned char digest[32], const unsigned char **token,
                 size_t *len, int64_t *at, struct pc_err *err);
    /* 0 when token verifies and covers digest (its time in *at) */
    int (*check)(void *ctx, struct pc_arena *a, const unsigned char *token, size_t len,
                 const unsigned char digest[32], int64_t *at, struct pc_err *err);
    void *ctx;
};

/* One round: when the newest entry is newer than the last stamp, stamp it
 * (*stamped: its seq, else 0). */
int audit_stamp_head(struct db *db, const struct audit_tsa *tsa, int64_t *stamped, struct pc_err *err);
/* A thread that runs a round every interval_ms on the node that holds the
 * "audit.stamp" lease. */
struct audit_stamper;
struct audit_stamper *audit_stamper_start(struct db *db, const struct audit_tsa *tsa, int interval_ms,
                                          struct pc_err *err);
void audit_stamper_stop(struct audit_stamper *s);
/* After audit_verify: check every stamp against the log (its entry still
 * has the stamped hash, the token verifies): report->stamps,
 * last_stamped(_at), or bad_stamp and stamp_why.  Stamps at or past a
 * broken entry are not looked at. */
int audit_check_stamps(struct db *db, const struct audit_tsa *tsa, struct audit_report *report, struct pc_err *err);
/* How many stamps there are (checked or not). */
int64_t audit_stamp_count(struct db *db, struct pc_err *err);

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

/*
 * audit.h — the append-only audit log and the personal-data access log.
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

/* Append in a transaction of its own (for events with no other write). */
int64_t audit_append_tx(struct db *db, const struct audit_entry *e, struct pc_err *err);

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

int audit_access_record(struct db_conn *c, const struct access_entry *e, struct pc_err *err);

#endif

/* internal.h — shared inside src/participation only (and its unit test). */
#ifndef PC_PARTICIPATION_INTERNAL_H
#define PC_PARTICIPATION_INTERNAL_H

#include "participation.h"
#include "../audit/audit.h"

/* The lock every vote holds shared and the count of a closing poll takes
 * alone (db_xact_lock_shared): a vote is in the count or refused. */
#define PART_LOCK_POLLS 724200150

/* db_slot of the module's state beside a database handle (db.h). */
#define PART_DB_SLOT 6
_Static_assert(PART_DB_SLOT < DB_SLOTS, "a db slot of its own");

/* The code of a call that failed with NULL (db_conn_get, db_prepare): the
 * one it wrote into err, so it reaches the caller unchanged. */
static inline int part_failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EIO;
}

/* db_run's result as a code: rows changed become 0. */
static inline int part_ran(int64_t rows)
{
    return rows < 0 ? (int)rows : 0;
}

/* The committer that votes share (the module's state in its db slot). */
struct db_committer *part_vote_committer(struct db *db);

/* Whether sql (two text parameters a1, a2) finds a row. */
int part_exists(struct db *db, const char *sql, const char *a1, const char *a2, bool *yes, struct pc_err *err);

/* A new random id: 2n hex digits into out[2n+1]. */
void part_new_id(char *out, size_t n);

/* A text a person wrote, in every language: each given, valid UTF-8,
 * at most max bytes, no control characters but new lines when multiline.
 * PC_EINVAL naming what (and the language). */
int part_text_check(const struct pc_text *t, size_t max, bool multiline, const char *what, struct pc_err *err);
/* One text of a person: NULL allowed when optional. */
int part_string_check(const char *s, size_t max, bool multiline, bool optional, const char *what,
                      struct pc_err *err);
/* Bind the three languages of t to idx, idx+1, idx+2 (az, en, ru). */
void part_text_bind(struct db_stmt *s, int idx, const struct pc_text *t);
/* Read three columns from col (az, en, ru) into a. */
void part_text_read(struct pc_arena *a, struct db_stmt *s, int col, struct pc_text *out);

/* The audit entry of a change by who acting in role (id_authorize_role),
 * or by the system when who is NULL. */
struct audit_entry part_audit(const struct id_principal *who, int role, const char *action, const char *object_type,
                              const char *object_id, const char *ip, const char *detail);

/* The service's agency in the catalogue (PC_ENOTFOUND if none is active). */
int part_service_agency(struct db *db, struct pc_arena *a, const char *service, const char **agency,
                        struct pc_err *err);

/* "YYYY-MM-DD" of a unix time in UTC, into out[11]. */
void part_day(int64_t t, char out[11]);

/* ---- the count (tally.c) ------------------------------------------------- */

/* The canonical tally document of a counted poll (what is signed). */
char *part_tally_document(struct pc_arena *a, const struct part_poll *p, int64_t voters, int64_t counted_at);

#endif

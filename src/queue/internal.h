/* internal.h — shared inside src/queue only. */
#ifndef PC_QUEUE_INTERNAL_H
#define PC_QUEUE_INTERNAL_H

#include "queue.h"
#include "../audit/audit.h"

/* The code of a call that failed with NULL (db_conn_get, db_prepare). */
static inline int q_failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EIO;
}

/* db_run's result as a code: rows changed become 0. */
static inline int q_ran(int64_t rows)
{
    return rows < 0 ? (int)rows : 0;
}

/* Days since 1970-01-01 of a "YYYY-MM-DD" (a real date), or INT64_MIN. */
int64_t q_day_number(const char *day);
/* The unix time of local midnight of day at a centre. */
int64_t q_day_start(const struct queue_centre *c, int64_t day_number);

/* The audit entry of a change by who (NULL: the system). */
struct audit_entry q_audit(const struct id_principal *who, int role, const char *action, const char *id,
                           const char *ip, const char *detail);

/* Check that who may work the desk of centre (PC_ENOTFOUND for no such
 * centre, PC_EDENIED); *role gets the role it acts in. */
int q_desk_allowed(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *centre,
                   struct queue_centre *out, int *role, struct pc_err *err);

/* The columns of a booking, and reading them from a statement. */
#define BOOKING_COLUMNS "code, slot_id, centre_id, service_id, day, start_at, counter, fin, name, phone, email, lang," \
                        " state, ticket, created_at, called_at"
void q_booking_row(struct pc_arena *a, struct db_stmt *s, struct queue_booking *out);
/* A booking's row on c (PC_ENOTFOUND). */
int q_booking_read(struct db_conn *c, struct pc_arena *a, const char *code, struct queue_booking *out,
                   struct pc_err *err);

/* Queue a message about booking bk (template queue-…) to where bk
 * reaches its person, with the centre's name in their language. */
int q_tell(struct db_conn *c, struct pc_arena *a, const struct queue_booking *bk, const struct queue_centre *centre,
           const char *template_id, struct pc_err *err);

#endif

/* desk.c — the centre's day: the staff's list, check-in with a ticket
 * number, calling the next person to a counter, no-shows; the hall's
 * display; and the background job (slots for the coming days, reminders
 * the day before). */
#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define DAY_MAX 5000
#define REMIND_BEFORE 86400          /* a reminder within a day of the visit */
#define REMIND_BATCH 500

int q_desk_allowed(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *centre,
                   struct queue_centre *out, int *role, struct pc_err *err)
{
    int rc = queue_centre_get(db, a, centre, out, err);
    if (rc)
        return rc;
    struct id_resource res = {.agency_id = out->agency_id};
    if (!out->agency_id || (*role = id_authorize_role(who, ID_ACT_CENTRE_DESK, &res)) < 0)
        return pc_err_set(err, PC_EDENIED, "only the staff of the centre's agency work its desk");
    return 0;
}

int queue_day(struct db *db, const struct id_principal *who, struct pc_arena *a, const char *centre,
              const char *day, struct queue_booking **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = NULL;
    struct queue_centre q;
    int role;
    int rc = q_desk_allowed(db, a, who, centre, &q, &role, err);
    if (rc)
        return rc;
    if (q_day_number(day) == INT64_MIN)
        return pc_err_set(err, PC_EINVAL, "a day is YYYY-MM-DD");
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " BOOKING_COLUMNS " FROM queue_bookings WHERE centre_id = ? AND day = ?"
                                          " AND state <> 'cancelled' ORDER BY start_at, counter", err) : NULL;
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, centre);
    db_bind_text(s, 2, day);
    *out = pc_arena_array(a, DAY_MAX, sizeof **out);
    while (*n < DAY_MAX && (rc = db_step(s, err)) == 1)
        q_booking_row(a, s, &(*out)[(*n)++]);
    return rc < 0 ? rc : 0;
}

/* Change one booking of the centre from state `from` (in one UPDATE, so
 * two desks cannot both do it); 0 or PC_ECONFLICT. */
static int step_booking(struct db_conn *c, const char *sql, const char *centre, const char *code, int64_t a1,
                        int64_t a2, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, sql, err);
    if (!s)
        return q_failed(err);
    db_bind_int(s, 1, a1);
    db_bind_int(s, 2, a2);
    db_bind_text(s, 3, centre);
    db_bind_text(s, 4, code);
    int64_t changed = db_run(s, err);
    return changed == 1 ? 0 : changed == 0 ? pc_err_set(err, PC_ECONFLICT, "the booking is not in that state")
                                            : (int)changed;
}

int queue_check_in(struct db *db, const struct id_principal *who, const char *centre, const char *code,
                   const char *ip, int *ticket, struct pc_err *err)
{
    *ticket = 0;
    struct pc_arena a;
    pc_arena_init(&a);
    struct queue_centre q;
    int role = -1;
    int rc = q_desk_allowed(db, &a, who, centre, &q, &role, err);
    struct db_conn *c = NULL;
    if (!rc)
        rc = audit_begin(db, &c, err);
    if (!rc) {
        struct queue_booking bk;
        char today[11];
        int64_t now = pc_now_unix();
        queue_local_day(&q, now, today);
        rc = q_booking_read(c, &a, code, &bk, err);
        if (!rc && strcmp(bk.centre, centre) != 0)
            rc = pc_err_set(err, PC_ENOTFOUND, "no such booking at this centre");
        if (!rc && strcmp(bk.day, today) != 0)
            rc = pc_err_set(err, PC_ECONFLICT, "the booking is for %s, not today", bk.day);
        if (!rc)
            rc = db_xact_lock(c, QUEUE_LOCK_TICKETS, err);
        struct db_stmt *s = rc ? NULL : db_prepare(c, "SELECT COALESCE(MAX(ticket), 0) + 1 FROM queue_bookings"
                                                      " WHERE centre_id = ? AND day = ?", err);
        if (!rc && !s)
            rc = q_failed(err);
        if (!rc) {
            db_bind_text(s, 1, centre);
            db_bind_text(s, 2, today);
            if ((rc = db_step(s, err)) == 1)
                *ticket = (int)db_col_int(s, 0);
            rc = rc < 0 ? rc : 0;
        }
        if (!rc)
            rc = step_booking(c, "UPDATE queue_bookings SET state = 'checked_in', ticket = ?, checked_in_at = ?"
                                 " WHERE centre_id = ? AND code = ? AND state = 'booked'", centre, code, *ticket, now,
                              err);
        struct audit_entry e = q_audit(who, role, "queue.check_in", code, ip, NULL);
        rc = audit_end(c, rc, &e, err);
    }
    if (rc)
        *ticket = 0;
    pc_arena_release(&a);
    return rc;
}

int queue_call_next(struct db *db, const struct id_principal *who, const char *centre, int counter, const char *ip,
                    struct pc_arena *a, struct queue_booking *out, struct pc_err *err)
{
    struct queue_centre q;
    int role = -1;
    int rc = q_desk_allowed(db, a, who, centre, &q, &role, err);
    if (!rc && (counter < 1 || counter > q.counters))
        rc = pc_err_set(err, PC_EINVAL, "the centre has counters 1 to %d", q.counters);
    struct db_conn *c = NULL;
    if (rc || (rc = audit_begin(db, &c, err)))
        return rc;
    char today[11];
    int64_t now = pc_now_unix();
    queue_local_day(&q, now, today);
    rc = db_xact_lock(c, QUEUE_LOCK_TICKETS, err); /* two counters never call the same person */
    struct db_stmt *s = rc ? NULL : db_prepare(c, "SELECT code FROM queue_bookings WHERE centre_id = ? AND day = ?"
                                                  " AND state = 'checked_in' ORDER BY ticket LIMIT 1", err);
    if (!rc && !s)
        rc = q_failed(err);
    const char *code = NULL;
    if (!rc) {
        db_bind_text(s, 1, centre);
        db_bind_text(s, 2, today);
        rc = db_step(s, err);
        if (rc == 1)
            code = pc_arena_strdup(a, db_col_text(s, 0));
        rc = rc < 0 ? rc : rc == 0 ? pc_err_set(err, PC_ENOTFOUND, "no one is waiting") : 0;
    }
    if (!rc)
        rc = step_booking(c, "UPDATE queue_bookings SET state = 'called', counter = ?, called_at = ?"
                             " WHERE centre_id = ? AND code = ? AND state = 'checked_in'", centre, code, counter, now,
                          err);
    if (!rc)
        rc = q_booking_read(c, a, code, out, err);
    struct audit_entry e = q_audit(who, role, "queue.call", code ? code : centre, ip, NULL);
    return audit_end(c, rc, &e, err);
}

int queue_no_show(struct db *db, const struct id_principal *who, const char *centre, const char *code,
                  const char *ip, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct queue_centre q;
    int role = -1;
    int rc = q_desk_allowed(db, &a, who, centre, &q, &role, err);
    struct db_conn *c = NULL;
    if (!rc)
        rc = audit_begin(db, &c, err);
    if (!rc) {
        /* only once its time has passed */
        int64_t now = pc_now_unix();
        struct db_stmt *s = db_prepare(c, "UPDATE queue_bookings SET state = 'no_show' WHERE start_at < ?"
                                          " AND centre_id = ? AND code = ? AND state = 'booked'", err);
        if (!s) {
            rc = q_failed(err);
        } else {
            db_bind_int(s, 1, now);
            db_bind_text(s, 2, centre);
            db_bind_text(s, 3, code);
            int64_t changed = db_run(s, err);
            rc = changed == 1 ? 0 : changed == 0 ? pc_err_set(err, PC_ECONFLICT, "not booked, or its time has not"
                                                                                  " come") : (int)changed;
        }
        struct audit_entry e = q_audit(who, role, "queue.no_show", code, ip, NULL);
        rc = audit_end(c, rc, &e, err);
    }
    pc_arena_release(&a);
    return rc;
}

int queue_display(struct db *db, const char *centre, int64_t now, struct queue_display *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    struct pc_arena a;
    pc_arena_init(&a);
    struct queue_centre q;
    int rc = queue_centre_get(db, &a, centre, &q, err);
    char today[11];
    if (!rc)
        queue_local_day(&q, now, today);
    pc_arena_release(&a);
    if (rc)
        return rc;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT ticket, counter, called_at FROM queue_bookings WHERE centre_id = ?"
                                          " AND day = ? AND state = 'called' ORDER BY called_at DESC, ticket DESC"
                                          " LIMIT ?", err) : NULL;
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, centre);
    db_bind_text(s, 2, today);
    db_bind_int(s, 3, QUEUE_DISPLAY_MAX);
    while (out->ncalled < QUEUE_DISPLAY_MAX && (rc = db_step(s, err)) == 1) {
        out->called[out->ncalled].ticket = (int)db_col_int(s, 0);
        out->called[out->ncalled].counter = (int)db_col_int(s, 1);
        out->called[out->ncalled++].called_at = db_col_int(s, 2);
    }
    if (rc < 0)
        return rc;
    if (!(s = db_prepare(c, "SELECT COUNT(*) FROM queue_bookings WHERE centre_id = ? AND day = ?"
                            " AND state = 'checked_in'", err)))
        return q_failed(err);
    db_bind_text(s, 1, centre);
    db_bind_text(s, 2, today);
    if ((rc = db_step(s, err)) < 0)
        return rc;
    out->waiting = db_col_int(s, 0);
    return 0;
}

/* ---- the job -------------------------------------------------------------- */

static int remind(struct db *db, struct pc_arena *a, int64_t now, int64_t *reminded, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT code FROM queue_bookings WHERE state = 'booked' AND reminded = 0"
                                          " AND start_at > ? AND start_at <= ? ORDER BY start_at LIMIT ?", err) : NULL;
    if (!s)
        return q_failed(err);
    db_bind_int(s, 1, now);
    db_bind_int(s, 2, now + REMIND_BEFORE);
    db_bind_int(s, 3, REMIND_BATCH);
    const char **codes = pc_arena_array(a, REMIND_BATCH, sizeof *codes);
    size_t n = 0;
    int rc;
    while (n < REMIND_BATCH && (rc = db_step(s, err)) == 1)
        codes[n++] = pc_arena_strdup(a, db_col_text(s, 0));
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        struct queue_booking bk;
        struct queue_centre q;
        if ((rc = db_begin(c, err)))
            return rc;
        rc = q_booking_read(c, a, codes[i], &bk, err);
        if (!rc)
            rc = queue_centre_get(db, a, bk.centre, &q, err);
        if (!rc && !(s = db_prepare(c, "UPDATE queue_bookings SET reminded = 1 WHERE code = ? AND reminded = 0", err)))
            rc = q_failed(err);
        int64_t changed = 0;
        if (!rc) {
            db_bind_text(s, 1, codes[i]);
            changed = db_run(s, err);
            rc = q_ran(changed);
        }
        if (!rc && changed == 1 && !(rc = q_tell(c, a, &bk, &q, "queue-reminder", err)))
            (*reminded)++;
        if ((rc = db_end(c, rc, err)))
            return rc;
    }
    return 0;
}

int queue_round(struct db *db, int64_t now, int64_t *reminded, struct pc_err *err)
{
    *reminded = 0;
    struct pc_arena a;
    pc_arena_init(&a);
    struct queue_centre *cs;
    size_t n;
    int rc = queue_centre_list(db, &a, &cs, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        char today[11];
        int64_t made;
        queue_local_day(&cs[i], now, today);
        rc = queue_slots_generate(db, cs[i].id, today, QUEUE_DAYS_AHEAD, &made, err);
    }
    if (!rc)
        rc = remind(db, &a, now, reminded, err);
    pc_arena_release(&a);
    return rc;
}

static int job_step(struct db *db, void *ctx, bool fresh, struct pc_err *err)
{
    (void)ctx;
    (void)fresh; /* every round starts from the tables */
    int64_t reminded;
    return queue_round(db, pc_now_unix(), &reminded, err);
}

struct db_job *queue_job_start(struct db *db, int interval_ms, struct pc_err *err)
{
    return db_job_start(db, "queue", interval_ms, 30, job_step, NULL, err);
}

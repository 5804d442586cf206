/* centre.c — service centres: storing one (its hours, counters and the
 * services it takes), reading and listing them, generating the slots of
 * the coming days, and closing a centre on a day (its bookings cancelled,
 * each person told through the outbox). */
#include "internal.h"
#include "../catalog/catalog.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CENTRE_ID_MAX 40
#define CENTRES_MAX 200

int64_t q_day_number(const char *day)
{
    if (!day || strlen(day) != 10 || day[4] != '-' || day[7] != '-')
        return INT64_MIN;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (day[i] < '0' || day[i] > '9'))
            return INT64_MIN; /* digits only: no sign, no blank that scanf would skip */
    int y = atoi(day), m = atoi(day + 5), d = atoi(day + 8);
    if (y < 2000 || y > 2200 || m < 1 || m > 12 || d < 1)
        return INT64_MIN;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return INT64_MIN;
    /* days from civil (H. Hinnant) */
    y -= m <= 2;
    int64_t era = y / 400, yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t q_day_start(const struct queue_centre *c, int64_t day_number)
{
    return day_number * 86400 - (int64_t)c->utc_offset * 60;
}

void queue_local_day(const struct queue_centre *c, int64_t t, char out[11])
{
    char ts[21];
    pc_rfc3339(t + (int64_t)c->utc_offset * 60, ts);
    memcpy(out, ts, 10);
    out[10] = 0;
}

struct audit_entry q_audit(const struct id_principal *who, int role, const char *action, const char *id,
                           const char *ip, const char *detail)
{
    return (struct audit_entry){.actor = who ? who->account_id : "system",
                                .role = who && role >= 0 ? id_role_name((enum id_role)role) : "system",
                                .action = action, .object_type = "queue", .object_id = id, .ip = ip ? ip : "",
                                .detail = detail ? detail : ""};
}

static bool id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > CENTRE_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
            return false;
    return true;
}

static int check_centre(struct db *db, const struct queue_centre *c, struct pc_err *err)
{
    if (!id_ok(c->id))
        return pc_err_set(err, PC_EINVAL, "a centre's id is 1 to %d of a-z, 0-9 and -", CENTRE_ID_MAX);
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        const char *n = c->name.s[l], *ad = c->address.s[l];
        if (!n || !*n || strlen(n) > 200 || !pc_utf8_valid(n, strlen(n)) || !ad || strlen(ad) > 300 ||
            !pc_utf8_valid(ad, strlen(ad)))
            return pc_err_set(err, PC_EINVAL, "the centre's name and address (%s) are required, valid UTF-8",
                              pc_lang_code((enum pc_lang)l));
    }
    if (c->counters < 1 || c->counters > QUEUE_COUNTERS_MAX)
        return pc_err_set(err, PC_EINVAL, "a centre has 1 to %d counters", QUEUE_COUNTERS_MAX);
    if (c->slot_minutes < 5 || c->slot_minutes > 240)
        return pc_err_set(err, PC_EINVAL, "a slot lasts 5 to 240 minutes");
    if (c->utc_offset < -720 || c->utc_offset > 840)
        return pc_err_set(err, PC_EINVAL, "utc_offset is -720 to 840 minutes");
    for (int d = 0; d < 7; d++)
        if (c->week[d].opens < 0 || c->week[d].closes > 1440 || c->week[d].opens > c->week[d].closes)
            return pc_err_set(err, PC_EINVAL, "opening hours of day %d are not within the day", d + 1);
    if (!c->service_of)
        return pc_err_set(err, PC_EINVAL, "each counter serves a service");
    struct pc_arena a;
    pc_arena_init(&a);
    int rc = 0;
    for (int i = 0; !rc && i < c->counters; i++) {
        struct cat_service s;
        const char *id = c->service_of[i];
        rc = id && strlen(id) <= 200 ? cat_get_service(db, &a, id, &s, err) : PC_ENOTFOUND;
        if (rc == PC_ENOTFOUND)
            rc = pc_err_set(err, PC_EINVAL, "counter %d: no service \"%s\" in the catalogue", i + 1, id ? id : "");
    }
    pc_arena_release(&a);
    return rc;
}

static int run_sql(struct db_conn *c, const char *sql, const char *id, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, sql, err);
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, id);
    return q_ran(db_run(s, err));
}

static int write_centre(struct db_conn *c, const struct queue_centre *q, struct pc_err *err)
{
    int rc = run_sql(c, "DELETE FROM queue_hours WHERE centre_id = ?", q->id, err);
    if (!rc)
        rc = run_sql(c, "DELETE FROM queue_counters WHERE centre_id = ?", q->id, err);
    struct db_stmt *s = rc ? NULL : db_prepare(c,
        "INSERT INTO queue_centres(id, agency_id, name_az, name_en, name_ru, address_az, address_en, address_ru,"
        " counters, slot_minutes, utc_offset, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET agency_id = excluded.agency_id, name_az = excluded.name_az,"
        " name_en = excluded.name_en, name_ru = excluded.name_ru, address_az = excluded.address_az,"
        " address_en = excluded.address_en, address_ru = excluded.address_ru, counters = excluded.counters,"
        " slot_minutes = excluded.slot_minutes, utc_offset = excluded.utc_offset, updated_at = excluded.updated_at",
        err);
    if (rc || !s)
        return rc ? rc : q_failed(err);
    db_bind_text(s, 1, q->id);
    if (q->agency_id)
        db_bind_text(s, 2, q->agency_id);
    else
        db_bind_null(s, 2);
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        db_bind_text(s, 3 + l, q->name.s[l]);
        db_bind_text(s, 6 + l, q->address.s[l]);
    }
    db_bind_int(s, 9, q->counters);
    db_bind_int(s, 10, q->slot_minutes);
    db_bind_int(s, 11, q->utc_offset);
    db_bind_int(s, 12, pc_now_unix());
    rc = q_ran(db_run(s, err));
    for (int d = 0; !rc && d < 7; d++) {
        if (!(s = db_prepare(c, "INSERT INTO queue_hours(centre_id, weekday, opens, closes) VALUES (?, ?, ?, ?)", err)))
            return q_failed(err);
        db_bind_text(s, 1, q->id);
        db_bind_int(s, 2, d);
        db_bind_int(s, 3, q->week[d].opens);
        db_bind_int(s, 4, q->week[d].closes);
        rc = q_ran(db_run(s, err));
    }
    for (int i = 0; !rc && i < q->counters; i++) {
        if (!(s = db_prepare(c, "INSERT INTO queue_counters(centre_id, counter, service_id) VALUES (?, ?, ?)", err)))
            return q_failed(err);
        db_bind_text(s, 1, q->id);
        db_bind_int(s, 2, i + 1);
        db_bind_text(s, 3, q->service_of[i]);
        rc = q_ran(db_run(s, err));
    }
    return rc;
}

int queue_centre_put(struct db *db, const struct id_principal *who, const struct queue_centre *q, const char *ip,
                     struct pc_err *err)
{
    int role = -1;
    if (who) {
        struct id_resource res = {.agency_id = q->agency_id};
        if ((role = id_authorize_role(who, ID_ACT_MANAGE_CENTRES, &res)) < 0)
            return pc_err_set(err, PC_EDENIED, "only operators, or the agency's administrators, manage centres");
    }
    int rc = check_centre(db, q, err);
    struct db_conn *c;
    if (rc || (rc = audit_begin(db, &c, err)))
        return rc;
    rc = write_centre(c, q, err);
    struct audit_entry e = q_audit(who, role, "queue.centre", q->id, ip, NULL);
    return audit_end(c, rc, &e, err);
}

#define CENTRE_COLUMNS "id, agency_id, name_az, name_en, name_ru, address_az, address_en, address_ru, counters," \
                       " slot_minutes, utc_offset"

static void read_centre(struct pc_arena *a, struct db_stmt *s, struct queue_centre *q)
{
    memset(q, 0, sizeof *q);
    q->id = pc_arena_strdup(a, db_col_text(s, 0));
    q->agency_id = pc_arena_strdup(a, db_col_text(s, 1));
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        q->name.s[l] = pc_arena_strdup(a, db_col_text(s, 2 + l));
        q->address.s[l] = pc_arena_strdup(a, db_col_text(s, 5 + l));
    }
    q->counters = (int)db_col_int(s, 8);
    q->slot_minutes = (int)db_col_int(s, 9);
    q->utc_offset = (int)db_col_int(s, 10);
}

static int read_details(struct db_conn *c, struct pc_arena *a, struct queue_centre *q, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT weekday, opens, closes FROM queue_hours WHERE centre_id = ?", err);
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, q->id);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        int64_t d = db_col_int(s, 0);
        if (d >= 0 && d < 7)
            q->week[d] = (struct queue_hours){(int)db_col_int(s, 1), (int)db_col_int(s, 2)};
    }
    if (rc < 0)
        return rc;
    if (!(s = db_prepare(c, "SELECT counter, service_id FROM queue_counters WHERE centre_id = ?", err)))
        return q_failed(err);
    db_bind_text(s, 1, q->id);
    q->service_of = pc_arena_array(a, (size_t)q->counters + 1, sizeof *q->service_of);
    while ((rc = db_step(s, err)) == 1) {
        int64_t k = db_col_int(s, 0);
        if (k >= 1 && k <= q->counters)
            q->service_of[k - 1] = pc_arena_strdup(a, db_col_text(s, 1));
    }
    return rc < 0 ? rc : 0;
}

int queue_centre_get(struct db *db, struct pc_arena *a, const char *id, struct queue_centre *out, struct pc_err *err)
{
    if (!id_ok(id))
        return pc_err_set(err, PC_ENOTFOUND, "no such centre");
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " CENTRE_COLUMNS " FROM queue_centres WHERE id = ?", err) : NULL;
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, id);
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "no such centre");
    read_centre(a, s, out);
    return read_details(c, a, out, err);
}

int queue_centre_list(struct db *db, struct pc_arena *a, struct queue_centre **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, CENTRES_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " CENTRE_COLUMNS " FROM queue_centres ORDER BY id", err) : NULL;
    if (!s)
        return q_failed(err);
    int rc;
    while (*n < CENTRES_MAX && (rc = db_step(s, err)) == 1)
        read_centre(a, s, &(*out)[(*n)++]);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < *n; i++)
        if ((rc = read_details(c, a, &(*out)[i], err)))
            return rc;
    return 0;
}

/* ---- slots ------------------------------------------------------------ */

static int is_holiday(struct db_conn *c, const char *centre, const char *day, bool *yes, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT 1 FROM queue_holidays WHERE centre_id = ? AND day = ?", err);
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, centre);
    db_bind_text(s, 2, day);
    int rc = db_step(s, err);
    *yes = rc == 1;
    return rc < 0 ? rc : 0;
}

static int generate_day(struct db_conn *c, const struct queue_centre *q, int64_t dn, int64_t *made,
                        struct pc_err *err)
{
    char day[11];
    int64_t midnight = q_day_start(q, dn);
    queue_local_day(q, midnight, day);
    bool holiday;
    int rc = is_holiday(c, q->id, day, &holiday, err);
    int wd = (int)(((dn % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday: Monday is 0 */
    const struct queue_hours *h = &q->week[wd];
    for (int m = h->opens; !rc && !holiday && m + q->slot_minutes <= h->closes; m += q->slot_minutes) {
        for (int k = 1; !rc && k <= q->counters; k++) {
            if (!q->service_of[k - 1])
                continue;
            char id[96];
            snprintf(id, sizeof id, "%s.%.4s%.2s%.2s.%02d%02d.%d", q->id, day, day + 5, day + 8, m / 60, m % 60, k);
            struct db_stmt *s = db_prepare(c, "INSERT INTO queue_slots(id, centre_id, day, start_at, counter, service_id)"
                                              " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", err);
            if (!s)
                return q_failed(err);
            db_bind_text(s, 1, id);
            db_bind_text(s, 2, q->id);
            db_bind_text(s, 3, day);
            db_bind_int(s, 4, midnight + (int64_t)m * 60);
            db_bind_int(s, 5, k);
            db_bind_text(s, 6, q->service_of[k - 1]);
            int64_t r = db_run(s, err);
            rc = q_ran(r);
            if (r > 0)
                *made += r;
        }
    }
    return rc;
}

int queue_slots_generate(struct db *db, const char *centre, const char *from, int days, int64_t *made,
                         struct pc_err *err)
{
    *made = 0;
    int64_t dn = q_day_number(from);
    if (dn == INT64_MIN || days < 1 || days > 366)
        return pc_err_set(err, PC_EINVAL, "a day YYYY-MM-DD and 1 to 366 days");
    struct pc_arena a;
    pc_arena_init(&a);
    struct queue_centre q;
    int rc = queue_centre_get(db, &a, centre, &q, err);
    struct db_conn *c = rc ? NULL : db_conn_get(db, err);
    if (!rc && !c)
        rc = q_failed(err);
    if (!rc)
        rc = db_begin(c, err);
    if (!rc) {
        for (int i = 0; !rc && i < days; i++)
            rc = generate_day(c, &q, dn + i, made, err);
        rc = db_end(c, rc, err);
    }
    pc_arena_release(&a);
    return rc;
}

/* ---- closing a day ----------------------------------------------------- */

static int cancel_day(struct db_conn *c, struct pc_arena *a, const struct queue_centre *q, const char *day,
                      int64_t *told, struct pc_err *err)
{
    enum { MAX = 5000 };
    struct db_stmt *s = db_prepare(c, "SELECT code FROM queue_bookings WHERE centre_id = ? AND day = ?"
                                      " AND state = 'booked'", err);
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, q->id);
    db_bind_text(s, 2, day);
    const char **codes = pc_arena_array(a, MAX, sizeof *codes);
    size_t n = 0;
    int rc;
    while (n < MAX && (rc = db_step(s, err)) == 1)
        codes[n++] = pc_arena_strdup(a, db_col_text(s, 0));
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        struct queue_booking bk;
        if ((rc = q_booking_read(c, a, codes[i], &bk, err)) ||
            (rc = run_sql(c, "UPDATE queue_bookings SET state = 'cancelled' WHERE code = ?", codes[i], err)) ||
            (rc = q_tell(c, a, &bk, q, "queue-closed", err)))
            return rc;
        (*told)++;
    }
    if (!(s = db_prepare(c, "DELETE FROM queue_slots WHERE centre_id = ? AND day = ?", err)))
        return q_failed(err);
    db_bind_text(s, 1, q->id);
    db_bind_text(s, 2, day);
    return q_ran(db_run(s, err));
}

int queue_holiday_add(struct db *db, const struct id_principal *who, const char *centre, const char *day,
                      const char *reason, const char *ip, int64_t *told, struct pc_err *err)
{
    *told = 0;
    if (q_day_number(day) == INT64_MIN)
        return pc_err_set(err, PC_EINVAL, "a day is YYYY-MM-DD");
    if (!reason || strlen(reason) > 200 || !pc_utf8_valid(reason, strlen(reason)))
        return pc_err_set(err, PC_EINVAL, "a reason of at most 200 bytes is required");
    struct pc_arena a;
    pc_arena_init(&a);
    struct queue_centre q;
    int rc = queue_centre_get(db, &a, centre, &q, err), role = -1;
    if (!rc && who) {
        struct id_resource res = {.agency_id = q.agency_id};
        if ((role = id_authorize_role(who, ID_ACT_MANAGE_CENTRES, &res)) < 0)
            rc = pc_err_set(err, PC_EDENIED, "only operators, or the agency's administrators, close a centre");
    }
    struct db_conn *c = NULL;
    if (!rc)
        rc = audit_begin(db, &c, err);
    if (!rc) {
        struct db_stmt *s = db_prepare(c, "INSERT INTO queue_holidays(centre_id, day, reason) VALUES (?, ?, ?)"
                                          " ON CONFLICT DO NOTHING", err);
        if (!s) {
            rc = q_failed(err);
        } else {
            db_bind_text(s, 1, centre);
            db_bind_text(s, 2, day);
            db_bind_text(s, 3, reason);
            rc = q_ran(db_run(s, err));
        }
        if (!rc)
            rc = db_xact_lock(c, QUEUE_LOCK, err); /* no booking of the day slips in meanwhile */
        if (!rc)
            rc = cancel_day(c, &a, &q, day, told, err);
        struct audit_entry e = q_audit(who, role, "queue.holiday", centre, ip, day);
        rc = audit_end(c, rc, &e, err);
    }
    pc_arena_release(&a);
    return rc;
}

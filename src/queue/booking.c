/* booking.c — slots and bookings: listing a day's slots, booking one
 * (the slot is taken by one conditional UPDATE, so never twice), the
 * limits against hoarding, cancelling and moving, and the messages that
 * confirm a booking (through the outbox, in the same transaction). */
#include "internal.h"
#include "../catalog/catalog.h"
#include "../notify/notify.h"

#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_ID_MAX 96
#define PHONE_MAX 16

static const char *const state_names[] = {"booked", "cancelled", "checked_in", "called", "no_show"};

const char *queue_state_name(enum queue_state s)
{
    return (unsigned)s < QUEUE_STATE_COUNT ? state_names[s] : "unknown";
}

static enum queue_state state_parse(const char *s)
{
    for (int i = 0; i < QUEUE_STATE_COUNT; i++)
        if (pc_str_eq(s, state_names[i]))
            return (enum queue_state)i;
    return QUEUE_CANCELLED;
}

void q_booking_row(struct pc_arena *a, struct db_stmt *s, struct queue_booking *b)
{
    memset(b, 0, sizeof *b);
    const char **t[] = {&b->code, &b->slot, &b->centre, &b->service, &b->day};
    for (int i = 0; i < 5; i++)
        *t[i] = pc_arena_strdup(a, db_col_text(s, i));
    b->start = db_col_int(s, 5);
    b->counter = (int)db_col_int(s, 6);
    b->fin = pc_arena_strdup(a, db_col_text(s, 7));
    b->name = pc_arena_strdup(a, db_col_text(s, 8));
    b->phone = pc_arena_strdup(a, db_col_text(s, 9));
    b->email = pc_arena_strdup(a, db_col_text(s, 10));
    b->lang = pc_arena_strdup(a, db_col_text(s, 11));
    b->state = state_parse(db_col_text(s, 12));
    b->ticket = (int)db_col_int(s, 13);
    b->created_at = db_col_int(s, 14);
    b->called_at = db_col_int(s, 15);
}

int q_booking_read(struct db_conn *c, struct pc_arena *a, const char *code, struct queue_booking *out,
                   struct pc_err *err)
{
    if (!code || strlen(code) != QUEUE_CODE_LEN)
        return pc_err_set(err, PC_ENOTFOUND, "no such booking");
    struct db_stmt *s = db_prepare(c, "SELECT " BOOKING_COLUMNS " FROM queue_bookings WHERE code = ?", err);
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, code);
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "no such booking");
    q_booking_row(a, s, out);
    return 0;
}

int queue_booking_get(struct db *db, struct pc_arena *a, const char *code, struct queue_booking *out,
                      struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    return c ? q_booking_read(c, a, code, out, err) : q_failed(err);
}

int queue_bookings_of(struct db *db, struct pc_arena *a, const char *fin, int64_t now, struct queue_booking **out,
                      size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, QUEUE_MINE_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " BOOKING_COLUMNS " FROM queue_bookings WHERE fin = ?"
                                          " AND start_at > ? ORDER BY start_at LIMIT ?", err) : NULL;
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, fin ? fin : "");
    db_bind_int(s, 2, now - 86400); /* today's visits stay in the list */
    db_bind_int(s, 3, QUEUE_MINE_MAX);
    int rc;
    while ((rc = db_step(s, err)) == 1)
        q_booking_row(a, s, &(*out)[(*n)++]);
    return rc < 0 ? rc : 0;
}

int q_tell(struct db_conn *c, struct pc_arena *a, const struct queue_booking *bk, const struct queue_centre *centre,
           const char *template_id, struct pc_err *err)
{
    const char *to = bk->phone ? bk->phone : bk->email;
    if (!to)
        return 0; /* no way to reach them: the portal shows the booking */
    int lang = pc_lang_parse(bk->lang);
    enum pc_lang l = lang >= 0 ? (enum pc_lang)lang : PC_LANG_AZ;
    char day[11], ts[21];
    queue_local_day(centre, bk->start, day);
    pc_rfc3339(bk->start + (int64_t)centre->utc_offset * 60, ts);
    const char *when = pc_arena_printf(a, "%s %.5s", day, ts + 11);
    json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "code", bk->code, "centre", pc_text_get(&centre->name, l), "time",
                          when, "day", day);
    char *payload = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    if (!payload)
        pc_oom(0);
    int rc = notify_enqueue(c, bk->phone ? "sms" : "email", to, template_id, pc_lang_code(l), payload, err);
    free(payload);
    return rc;
}

/* ---- slots -------------------------------------------------------------- */

static int takes_service(struct db_conn *c, const char *centre, const char *service, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT 1 FROM queue_counters WHERE centre_id = ? AND service_id = ?", err);
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, centre);
    db_bind_text(s, 2, service);
    int rc = db_step(s, err);
    return rc < 0 ? rc : rc == 1 ? 0 : pc_err_set(err, PC_ENOTFOUND, "the centre does not take this service");
}

int queue_slots(struct db *db, struct pc_arena *a, const char *centre, const char *service, const char *day,
                struct queue_slot **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = NULL;
    if (q_day_number(day) == INT64_MIN)
        return pc_err_set(err, PC_EINVAL, "date is YYYY-MM-DD");
    if (!centre || !service || strlen(centre) > 40 || strlen(service) > 200)
        return pc_err_set(err, PC_ENOTFOUND, "no such centre or service");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return q_failed(err);
    int rc = takes_service(c, centre, service, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "SELECT id, start_at, counter, booking_code IS NULL FROM queue_slots"
                                      " WHERE centre_id = ? AND day = ? AND service_id = ? ORDER BY start_at, counter",
                                   err);
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, centre);
    db_bind_text(s, 2, day);
    db_bind_text(s, 3, service);
    *out = pc_arena_array(a, QUEUE_SLOTS_MAX, sizeof **out);
    const char *svc = pc_arena_strdup(a, service);
    while (*n < QUEUE_SLOTS_MAX && (rc = db_step(s, err)) == 1)
        (*out)[(*n)++] = (struct queue_slot){pc_arena_strdup(a, db_col_text(s, 0)), svc, db_col_int(s, 1),
                                             (int)db_col_int(s, 2), db_col_int(s, 3) != 0};
    return rc < 0 ? rc : 0;
}

/* ---- booking ------------------------------------------------------------ */

static bool phone_ok(const char *p)
{
    size_t n = p ? strlen(p) : 0;
    if (n < 9 || n > PHONE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (i == 0 && p[i] == '+')))
            return false;
    return true;
}

static bool name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > QUEUE_NAME_MAX || !pc_utf8_valid(s, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

/* Who the booker is: a person with ID_ACT_VOTE, or a name and a phone
 * (then login_needed checks the service).  *role gets the role (-1: none). */
static int check_booker(const struct queue_booker *b, int *role, struct pc_err *err)
{
    *role = -1;
    if (b->who) {
        if ((*role = id_authorize_role(b->who, ID_ACT_VOTE, NULL)) < 0)
            return pc_err_set(err, PC_EDENIED, "a person books from their own citizen account");
        return 0;
    }
    if (!name_ok(b->name))
        return pc_err_set(err, PC_EINVAL, "name: 1 to %d bytes of text", QUEUE_NAME_MAX);
    if (!phone_ok(b->phone))
        return pc_err_set(err, PC_EINVAL, "phone: 9 to 15 digits, + first allowed");
    if (b->email && (strlen(b->email) > 200 || !strchr(b->email, '@')))
        return pc_err_set(err, PC_EINVAL, "email is not an e-mail address");
    return 0;
}

/* Without login only a service that needs none is booked. */
static int login_needed(struct db *db, struct pc_arena *a, const struct queue_booker *b, const char *service,
                        struct pc_err *err)
{
    if (b->who)
        return 0;
    struct cat_service s;
    int rc = cat_get_service(db, a, service, &s, err);
    if (rc)
        return rc;
    return s.login == CAT_LOGIN_NONE ? 0 : pc_err_set(err, PC_EDENIED, "this service needs a login to book");
}

bool queue_booking_mine(const struct queue_booking *bk, const struct queue_booker *b)
{
    if (b->who)
        return bk->fin && b->who->fin && strcmp(bk->fin, b->who->fin) == 0;
    return !bk->fin && bk->phone && b->phone && strcmp(bk->phone, b->phone) == 0;
}

/* The hoarding limit: bookings to come of the person (or phone). */
static int under_limit(struct db_conn *c, const struct queue_booker *b, int64_t now, struct pc_err *err)
{
    const char *key = b->who ? b->who->fin : b->phone;
    /* one person's bookings in turn, so two at once cannot both pass */
    int rc = db_xact_lock(c, ((int64_t)1 << 40) | pc_fnv1a(key, strlen(key)), err);
    struct db_stmt *s = rc ? NULL : db_prepare(c, b->who ? "SELECT COUNT(*) FROM queue_bookings WHERE fin = ?"
                                                           " AND state = 'booked' AND start_at > ?"
                                                         : "SELECT COUNT(*) FROM queue_bookings WHERE phone = ?"
                                                           " AND state = 'booked' AND start_at > ?", err);
    if (!s)
        return rc ? rc : q_failed(err);
    db_bind_text(s, 1, key);
    db_bind_int(s, 2, now);
    if ((rc = db_step(s, err)) < 0)
        return rc;
    if (db_col_int(s, 0) >= QUEUE_ACTIVE_MAX)
        return pc_err_set(err, PC_ELIMIT, "at most %d bookings to come per person and per phone", QUEUE_ACTIVE_MAX);
    return 0;
}

/* Take the slot for code: the one conditional UPDATE that no two
 * bookings can both pass.  Fills the booking's place and time. */
static int take_slot(struct db_conn *c, const char *slot, const char *code, int64_t now, struct queue_booking *bk,
                     struct pc_arena *a, struct pc_err *err)
{
    if (!slot || strlen(slot) > SLOT_ID_MAX)
        return pc_err_set(err, PC_ENOTFOUND, "no such slot");
    struct db_stmt *s = db_prepare(c, "SELECT centre_id, day, start_at, counter, service_id FROM queue_slots WHERE id = ?",
                                   err);
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, slot);
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "no such slot");
    bk->slot = pc_arena_strdup(a, slot);
    bk->centre = pc_arena_strdup(a, db_col_text(s, 0));
    bk->day = pc_arena_strdup(a, db_col_text(s, 1));
    bk->start = db_col_int(s, 2);
    bk->counter = (int)db_col_int(s, 3);
    const char *service = db_col_text(s, 4);
    if (bk->service && strcmp(bk->service, service) != 0)
        return pc_err_set(err, PC_EINVAL, "a booking moves to a slot of the same service");
    bk->service = pc_arena_strdup(a, service);
    if (bk->start <= now)
        return pc_err_set(err, PC_ECONFLICT, "the slot's time has passed");
    if (!(s = db_prepare(c, "UPDATE queue_slots SET booking_code = ? WHERE id = ? AND booking_code IS NULL", err)))
        return q_failed(err);
    db_bind_text(s, 1, code);
    db_bind_text(s, 2, slot);
    int64_t changed = db_run(s, err);
    if (changed < 0)
        return (int)changed;
    return changed == 1 ? 0 : pc_err_set(err, PC_ECONFLICT, "the slot is taken");
}

static void new_code(char out[QUEUE_CODE_LEN + 1])
{
    static const char alpha[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char rnd[QUEUE_CODE_LEN];
    if (pc_random_bytes(rnd, sizeof rnd))
        abort(); /* no randomness: codes could be guessed */
    for (int i = 0; i < QUEUE_CODE_LEN; i++)
        out[i] = alpha[rnd[i] % (sizeof alpha - 1)];
    out[QUEUE_CODE_LEN] = 0;
}

static int insert_booking(struct db_conn *c, const struct queue_booking *bk, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO queue_bookings(code, slot_id, centre_id, service_id, day, start_at,"
                                      " counter, fin, name, phone, email, lang, state, created_at)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'booked', ?)", err);
    if (!s)
        return q_failed(err);
    const char *t[] = {bk->code, bk->slot, bk->centre, bk->service, bk->day};
    for (int i = 0; i < 5; i++)
        db_bind_text(s, i + 1, t[i]);
    db_bind_int(s, 6, bk->start);
    db_bind_int(s, 7, bk->counter);
    const char *o[] = {bk->fin, bk->name, bk->phone, bk->email};
    for (int i = 0; i < 4; i++) {
        if (o[i])
            db_bind_text(s, 8 + i, o[i]);
        else
            db_bind_null(s, 8 + i);
    }
    db_bind_text(s, 12, bk->lang);
    db_bind_int(s, 13, bk->created_at);
    return q_ran(db_run(s, err));
}

/* Where a person's messages go: the booker's phone, or the record's. */
static int contact(struct db_conn *c, struct pc_arena *a, const struct queue_booker *b, struct queue_booking *bk,
                   struct pc_err *err)
{
    bk->lang = pc_lang_code(b->lang);
    if (!b->who) {
        bk->name = b->name;
        bk->phone = b->phone;
        bk->email = b->email;
        return 0;
    }
    bk->fin = b->who->fin;
    struct id_contact ct;
    int rc = id_person_contact(c, a, b->who->fin, &ct, err);
    if (rc == PC_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    bk->phone = ct.phone;
    bk->email = ct.email;
    bk->lang = pc_lang_code(ct.lang);
    return 0;
}

int queue_book(struct db *db, const struct queue_booker *b, const char *slot, const char *ip, struct pc_arena *a,
               struct queue_booking *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int role;
    int rc = check_booker(b, &role, err);
    struct db_conn *c = NULL;
    if (rc || (rc = audit_begin(db, &c, err)))
        return rc;
    char *code = pc_arena_alloc(a, QUEUE_CODE_LEN + 1);
    new_code(code);
    int64_t now = pc_now_unix();
    out->code = code;
    out->created_at = now;
    rc = db_xact_lock_shared(c, QUEUE_LOCK, err);
    if (!rc)
        rc = under_limit(c, b, now, err);
    if (!rc)
        rc = take_slot(c, slot, code, now, out, a, err);
    if (!rc)
        rc = login_needed(db, a, b, out->service, err);
    if (!rc)
        rc = contact(c, a, b, out, err);
    if (!rc)
        rc = insert_booking(c, out, err);
    struct queue_centre centre;
    if (!rc)
        rc = queue_centre_get(db, a, out->centre, &centre, err);
    if (!rc)
        rc = q_tell(c, a, out, &centre, "queue-booked", err);
    struct audit_entry e = q_audit(b->who, role, "queue.book", code, ip, slot);
    rc = audit_end(c, rc, &e, err);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

/* The booker's own booking, still booked, far enough ahead to change. */
static int changeable(struct db_conn *c, struct pc_arena *a, const struct queue_booker *b, const char *code,
                      int64_t now, struct queue_booking *bk, struct pc_err *err)
{
    int rc = q_booking_read(c, a, code, bk, err);
    if (rc)
        return rc;
    if (!queue_booking_mine(bk, b))
        return pc_err_set(err, PC_ENOTFOUND, "no such booking");
    if (bk->state != QUEUE_BOOKED)
        return pc_err_set(err, PC_ECONFLICT, "the booking is %s", queue_state_name(bk->state));
    if (bk->start - now < QUEUE_CANCEL_BEFORE)
        return pc_err_set(err, PC_ECONFLICT, "a booking is changed at least %d minutes before its time",
                          QUEUE_CANCEL_BEFORE / 60);
    return 0;
}

static int free_slot(struct db_conn *c, const struct queue_booking *bk, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "UPDATE queue_slots SET booking_code = NULL WHERE id = ? AND booking_code = ?",
                                   err);
    if (!s)
        return q_failed(err);
    db_bind_text(s, 1, bk->slot);
    db_bind_text(s, 2, bk->code);
    return q_ran(db_run(s, err));
}

int queue_cancel(struct db *db, const struct queue_booker *b, const char *code, const char *ip, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc) {
        pc_arena_release(&a);
        return rc;
    }
    struct queue_booking bk;
    rc = changeable(c, &a, b, code, pc_now_unix(), &bk, err);
    struct db_stmt *s = rc ? NULL : db_prepare(c, "UPDATE queue_bookings SET state = 'cancelled' WHERE code = ?"
                                                  " AND state = 'booked'", err);
    if (!rc && !s)
        rc = q_failed(err);
    if (!rc) {
        db_bind_text(s, 1, code);
        int64_t changed = db_run(s, err);
        rc = changed == 1 ? 0 : changed == 0 ? pc_err_set(err, PC_ECONFLICT, "the booking changed meanwhile")
                                              : (int)changed;
    }
    if (!rc)
        rc = free_slot(c, &bk, err);
    int role = b->who ? id_authorize_role(b->who, ID_ACT_VOTE, NULL) : -1;
    struct audit_entry e = q_audit(b->who, role, "queue.cancel", code, ip, NULL);
    rc = audit_end(c, rc, &e, err);
    pc_arena_release(&a);
    return rc;
}

int queue_move(struct db *db, const struct queue_booker *b, const char *code, const char *slot, const char *ip,
               struct pc_arena *a, struct queue_booking *out, struct pc_err *err)
{
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    int64_t now = pc_now_unix();
    struct queue_booking old;
    rc = changeable(c, a, b, code, now, &old, err);
    if (!rc)
        rc = db_xact_lock_shared(c, QUEUE_LOCK, err);
    *out = old;
    if (!rc)
        rc = take_slot(c, slot, old.code, now, out, a, err);
    if (!rc && strcmp(out->centre, old.centre) != 0)
        rc = pc_err_set(err, PC_EINVAL, "a booking moves within its centre");
    if (!rc)
        rc = free_slot(c, &old, err);
    struct db_stmt *s = rc ? NULL : db_prepare(c, "UPDATE queue_bookings SET slot_id = ?, day = ?, start_at = ?,"
                                                  " counter = ?, reminded = 0 WHERE code = ?", err);
    if (!rc && !s)
        rc = q_failed(err);
    if (!rc) {
        db_bind_text(s, 1, out->slot);
        db_bind_text(s, 2, out->day);
        db_bind_int(s, 3, out->start);
        db_bind_int(s, 4, out->counter);
        db_bind_text(s, 5, code);
        rc = q_ran(db_run(s, err));
    }
    struct queue_centre centre;
    if (!rc)
        rc = queue_centre_get(db, a, out->centre, &centre, err);
    if (!rc)
        rc = q_tell(c, a, out, &centre, "queue-booked", err);
    int role = b->who ? id_authorize_role(b->who, ID_ACT_VOTE, NULL) : -1;
    struct audit_entry e = q_audit(b->who, role, "queue.move", code, ip, slot);
    return audit_end(c, rc, &e, err);
}

/*
 * queue.h — the online queue of the service centres: centres with their
 * counters, the service each counter serves, opening hours and holidays;
 * slots (one per counter and start time, so of the counter's service)
 * generated for the coming days;
 * bookings (by a logged-in person, or with a name and a phone for a
 * service that needs no login) with a confirmation code, a reminder and a
 * message when the centre closes on their day; and the desk of the day:
 * check-in (a ticket number), calling the next person to a counter,
 * no-shows, and the hall's display.
 *
 * No slot is ever given twice: a booking takes its slot with one
 * conditional UPDATE (the slot's booking still empty), which both
 * backends make atomic, so of any number of requests on any number of
 * nodes exactly one wins.  Limits against hoarding: at most
 * QUEUE_ACTIVE_MAX bookings to come per person and per phone.
 *
 * Tables owned (src/queue/migrations): queue_centres, queue_hours,
 * queue_counters, queue_holidays, queue_slots, queue_bookings.
 *
 * Centres are managed by operators and the agency's administrators
 * (ID_ACT_MANAGE_CENTRES; who NULL: the system, for the demo and the
 * command line); the desk by the centre agency's staff (ID_ACT_CENTRE_DESK).
 * Times are unix seconds; a centre's days and hours are in its local time
 * (utc_offset minutes).  Results live in the caller's arena.
 */
#ifndef PC_QUEUE_H
#define PC_QUEUE_H

#include "../base/base.h"
#include "../db/db.h"
#include "../identity/identity.h"

#define QUEUE_COUNTERS_MAX 50
#define QUEUE_DAYS_AHEAD 14              /* slots are generated this far */
#define QUEUE_ACTIVE_MAX 2               /* bookings to come, per person and per phone */
#define QUEUE_CODE_LEN 8                 /* characters of a confirmation code */
#define QUEUE_NAME_MAX 100               /* bytes of a name given without login */
#define QUEUE_CANCEL_BEFORE 3600         /* a booking is cancelled or moved at least this long before */
#define QUEUE_LOCK 724200160             /* db_xact_lock: bookings share it, closing a day takes it alone */
#define QUEUE_LOCK_TICKETS 724200161     /* db_xact_lock: the ticket numbers of a day */

/* ---- centres ------------------------------------------------------------- */

struct queue_hours {
    int opens, closes;                   /* minutes after local midnight; equal: closed that day */
};

struct queue_centre {
    const char *id, *agency_id;          /* agency: whose staff work the desk */
    struct pc_text name, address;
    int counters;                        /* numbered 1..counters */
    const char **service_of;             /* [counters]: the service counter i + 1 serves */
    int slot_minutes;                    /* 5..240 */
    int utc_offset;                      /* minutes east of UTC (Baku: 240) */
    struct queue_hours week[7];          /* Monday first */
};

/* Check and store a centre (insert or replace by id), its hours and the
 * service of each counter, which must be in the catalogue (PC_EINVAL
 * naming one that is not).  Slots already made keep their service. */
int queue_centre_put(struct db *db, const struct id_principal *who, const struct queue_centre *c, const char *ip,
                     struct pc_err *err);
int queue_centre_get(struct db *db, struct pc_arena *a, const char *id, struct queue_centre *out, struct pc_err *err);
int queue_centre_list(struct db *db, struct pc_arena *a, struct queue_centre **out, size_t *n, struct pc_err *err);

/* Make the free slots of days [from, from + days) (local "YYYY-MM-DD"),
 * skipping holidays and closed days; slots that exist are kept.  *made
 * counts the new ones. */
int queue_slots_generate(struct db *db, const char *centre, const char *from, int days, int64_t *made,
                         struct pc_err *err);

/* Close the centre on a day (a holiday or an emergency): its bookings
 * that day are cancelled and each person is told (SMS or e-mail through
 * the outbox), its slots that day removed.  *told counts the bookings. */
int queue_holiday_add(struct db *db, const struct id_principal *who, const char *centre, const char *day,
                      const char *reason, const char *ip, int64_t *told, struct pc_err *err);

/* ---- slots and bookings ---------------------------------------------------- */

struct queue_slot {
    const char *id, *service;
    int64_t start;
    int counter;
    bool free;
};

#define QUEUE_SLOTS_MAX 2000
/* The slots of a centre on a local day for a service, by start time.
 * PC_ENOTFOUND for an unknown centre or a service it does not take;
 * PC_EINVAL for a bad date. */
int queue_slots(struct db *db, struct pc_arena *a, const char *centre, const char *service, const char *day,
                struct queue_slot **out, size_t *n, struct pc_err *err);

enum queue_state {
    QUEUE_BOOKED, QUEUE_CANCELLED, QUEUE_CHECKED_IN, QUEUE_CALLED, QUEUE_NO_SHOW, QUEUE_STATE_COUNT
};
const char *queue_state_name(enum queue_state s);    /* "booked", … */

struct queue_booking {
    const char *code, *slot, *centre, *service, *day;
    int64_t start;
    int counter;                         /* the slot's counter; once called, the counter calling */
    const char *fin;                     /* NULL: booked without login */
    const char *name;                    /* without login */
    const char *phone, *email, *lang;    /* where its messages go (given, or the person's) */
    enum queue_state state;
    int ticket;                          /* 0 until checked in */
    int64_t created_at, called_at;
};

/* Who books: a person logged in (who), or without login a name and a
 * phone (only for a service that needs no login: PC_EDENIED otherwise). */
struct queue_booker {
    const struct id_principal *who;
    const char *name, *phone, *email;
    enum pc_lang lang;
};

/* Book a slot (of its counter's service).  PC_ECONFLICT when the slot is
 * taken (or was in the past), PC_ENOTFOUND for no such slot, PC_ELIMIT when the person or phone holds QUEUE_ACTIVE_MAX
 * bookings to come.  A confirmation goes through the outbox. */
int queue_book(struct db *db, const struct queue_booker *b, const char *slot, const char *ip, struct pc_arena *a,
               struct queue_booking *out, struct pc_err *err);
int queue_booking_get(struct db *db, struct pc_arena *a, const char *code, struct queue_booking *out,
                      struct pc_err *err);
#define QUEUE_MINE_MAX 50
/* A person's bookings from today on (and cancelled ones), soonest first. */
int queue_bookings_of(struct db *db, struct pc_arena *a, const char *fin, int64_t now, struct queue_booking **out,
                      size_t *n, struct pc_err *err);
/* Whether b may change the booking: the person who made it, or (without
 * login) the phone it was made with. */
bool queue_booking_mine(const struct queue_booking *bk, const struct queue_booker *b);
/* Cancel, or move to another slot (of the same centre and service): the
 * booker's own (PC_ENOTFOUND otherwise), still booked, at least
 * QUEUE_CANCEL_BEFORE before its time (PC_ECONFLICT). */
int queue_cancel(struct db *db, const struct queue_booker *b, const char *code, const char *ip, struct pc_err *err);
int queue_move(struct db *db, const struct queue_booker *b, const char *code, const char *slot, const char *ip,
               struct pc_arena *a, struct queue_booking *out, struct pc_err *err);

/* ---- the desk and the hall --------------------------------------------------- */

/* The bookings of a centre on a local day, by start time (staff). */
int queue_day(struct db *db, const struct id_principal *who, struct pc_arena *a, const char *centre,
              const char *day, struct queue_booking **out, size_t *n, struct pc_err *err);
/* Check a person in on their day: a ticket number of the day.
 * PC_ECONFLICT when not booked (cancelled, checked in already). */
int queue_check_in(struct db *db, const struct id_principal *who, const char *centre, const char *code,
                   const char *ip, int *ticket, struct pc_err *err);
/* Call the next person checked in to counter; PC_ENOTFOUND when no one
 * is waiting. */
int queue_call_next(struct db *db, const struct id_principal *who, const char *centre, int counter, const char *ip,
                    struct pc_arena *a, struct queue_booking *out, struct pc_err *err);
/* Mark a booking of the day not come (booked, its time passed). */
int queue_no_show(struct db *db, const struct id_principal *who, const char *centre, const char *code,
                  const char *ip, struct pc_err *err);

#define QUEUE_DISPLAY_MAX 8
struct queue_display {
    struct { int ticket, counter; int64_t called_at; } called[QUEUE_DISPLAY_MAX]; /* newest first */
    size_t ncalled;
    int64_t waiting;                     /* checked in, not called yet */
};
/* What the hall's screen shows now (public: ticket numbers only). */
int queue_display(struct db *db, const char *centre, int64_t now, struct queue_display *out, struct pc_err *err);

/* ---- the background job ------------------------------------------------------- */

/* One round (one node: the "queue" lease): slots for the coming
 * QUEUE_DAYS_AHEAD days of every centre, and reminders (through the
 * outbox) for bookings within the next day. */
int queue_round(struct db *db, int64_t now, int64_t *reminded, struct pc_err *err);
struct db_job *queue_job_start(struct db *db, int interval_ms, struct pc_err *err);

/* The local day of a centre at t ("YYYY-MM-DD"). */
void queue_local_day(const struct queue_centre *c, int64_t t, char out[11]);

#endif

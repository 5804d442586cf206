/* clock.c — the 20-day rule.  A card version declares the date of the
 * creation or change it describes; it is due 20 days later (due_on, kept
 * on the card).  Cards not yet submitted (drafts, returned cards) whose
 * due date is near or past make the overdue list, and the body's staff
 * are reminded through the outbox: once before the deadline and once
 * when it has passed, never twice (the reminder's row is claimed first, and its key lets
 * only one node claim it, so every node may run the job). */
#include "internal.h"
#include "../notify/notify.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define OVERDUE_MAX 500
#define STAFF_MAX 20

#define OPEN_CARDS \
    "SELECT c.system_id, s.agency_id, c.version, c.status, c.name_az, c.name_en, c.name_ru, c.change_on, c.due_on " \
    "FROM isreg_cards c JOIN isreg_systems s ON s.id = c.system_id " \
    "WHERE c.status IN ('draft', 'returned') AND c.version = s.current_version AND c.due_on <= ?"

static void overdue_from_row(struct pc_arena *a, struct db_stmt *s, int64_t today, struct isreg_overdue *o)
{
    o->system_id = pc_arena_strdup(a, db_col_text(s, 0));
    o->agency_id = pc_arena_strdup(a, db_col_text(s, 1));
    o->version = (int)db_col_int(s, 2);
    o->status = pc_str_eq(db_col_text(s, 3), "returned") ? ISREG_CARD_RETURNED : ISREG_CARD_DRAFT;
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        const char *n = db_col_text(s, 4 + l);
        o->name.s[l] = pc_arena_strdup(a, n && *n ? n : db_col_text(s, 4));
    }
    snprintf(o->change_on, sizeof o->change_on, "%s", db_col_text(s, 7));
    snprintf(o->due_on, sizeof o->due_on, "%s", db_col_text(s, 8));
    int64_t due = today;
    isreg_date_parse(o->due_on, &due);
    o->days_late = (int)(today - due);
}

int isreg_overdue(struct db *db, struct pc_arena *a, const struct id_principal *who, int64_t today,
                  struct isreg_overdue **out, size_t *n, struct pc_err *err)
{
    *out = NULL;
    *n = 0;
    const char *agency = NULL;
    if (!id_authorize(who, ID_ACT_ISREG_REVIEW, NULL)) {
        agency = id_agency_of(who);
        if (!agency || !id_authorize(who, ID_ACT_ISREG_EDIT, &(struct id_resource){.agency_id = agency}))
            return pc_err_set(err, PC_EDENIED, "the overdue list is for the register's operator and bodies' staff");
    }
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code;
    char horizon[11];
    isreg_date_format(today + ISREG_REMIND_DAYS, horizon);
    struct db_query q;
    db_query_init(&q);
    db_query_text(&q, OPEN_CARDS, horizon);
    if (agency)
        db_query_text(&q, " AND s.agency_id = ?", agency);
    db_query_int(&q, " ORDER BY c.due_on, c.system_id LIMIT ?", OVERDUE_MAX);
    struct db_stmt *s = db_query_prepare(c, &q, err);
    db_query_release(&q);
    if (!s)
        return err->code;
    *out = pc_arena_alloc(a, OVERDUE_MAX * sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1)
        overdue_from_row(a, s, today, &(*out)[(*n)++]);
    return rc < 0 ? rc : 0;
}

/* Claim the reminder (version, kind) of a card: false when it was sent. */
static int claim(struct db_conn *c, const char *id, int version, const char *kind, bool *fresh, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO isreg_reminders(system_id, version, kind, sent_at) VALUES (?, ?, ?, ?) "
                                      "ON CONFLICT DO NOTHING", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, id);
    db_bind_int(s, 2, version);
    db_bind_text(s, 3, kind);
    db_bind_int(s, 4, pc_now_unix());
    int64_t n = db_run(s, err);
    *fresh = n == 1;
    return n < 0 ? (int)n : 0;
}

static int remind_one(struct db *db, const struct isreg_overdue *o, const char *kind, bool *sent, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code;
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    bool fresh = false;
    rc = claim(c, o->system_id, o->version, kind, &fresh, err);
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_contact to[STAFF_MAX];
    size_t count = 0;
    if (!rc && fresh)
        rc = id_agency_staff_contacts(c, &a, o->agency_id, NULL, to, STAFF_MAX, &count, err);
    for (size_t i = 0; i < count && !rc; i++) {
        int days = o->days_late > 0 ? o->days_late : -o->days_late;
        json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:i}", "kind", kind, "system", pc_text_get(&o->name, to[i].lang),
                              "id", o->system_id, "due", o->due_on, "days", days);
        char *text = json_dumps(p, JSON_COMPACT);
        json_decref(p);
        if (!text)
            pc_oom(0);
        rc = notify_enqueue(c, "email", to[i].email, "isreg-deadline", pc_lang_code(to[i].lang), text, err);
        free(text);
    }
    pc_arena_release(&a);
    *sent = !rc && fresh;
    return db_end(c, rc, err);
}

int isreg_remind(struct db *db, int64_t today, int *sent, struct pc_err *err)
{
    *sent = 0;
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code;
    char horizon[11];
    isreg_date_format(today + ISREG_REMIND_DAYS, horizon);
    struct db_stmt *s = db_prepare(c, OPEN_CARDS " ORDER BY c.due_on, c.system_id LIMIT 500",
                                   err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, horizon);
    struct pc_arena a;
    pc_arena_init(&a);
    struct isreg_overdue *due = pc_arena_alloc(&a, OVERDUE_MAX * sizeof *due);
    size_t n = 0;
    int rc;
    while ((rc = db_step(s, err)) == 1)
        overdue_from_row(&a, s, today, &due[n++]);
    for (size_t i = 0; i < n && rc >= 0; i++) {
        bool one = false;
        rc = remind_one(db, &due[i], due[i].days_late > 0 ? "overdue" : "before", &one, err);
        *sent += one;
    }
    pc_arena_release(&a);
    return rc < 0 ? rc : 0;
}

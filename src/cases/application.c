/* application.c — applications from draft to result: submission with an
 * idempotency key and a human-readable reference, the workflow's steps
 * with optimistic locking, the append-only case history, and lists for
 * the applicant and for the agency's inbox.  Every change writes, in the
 * same transaction, its event, its audit entry, its notification (outbox)
 * and its usage count. */
#include "cases.h"
#include "../audit/audit.h"
#include "../identity/identity.h"
#include "../notify/notify.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_DEADLINE_DAYS 15   /* when the catalogue states none */
#define REGISTER_WITHIN_SECS (2 * 86400)
#define RESPOND_WITHIN_SECS (15 * 86400)

/* ---- states and the workflow ---------------------------------------------- */

static const char *const state_names[CS_COUNT] = {
    "draft", "submitted", "registered", "in_review", "info_requested", "citizen_responded",
    "approved", "refused", "delivered", "cancelled",
};

const char *case_state_name(enum case_state s)
{
    return (unsigned)s < CS_COUNT ? state_names[s] : "unknown";
}

int case_state_parse(const char *name)
{
    for (int i = 0; i < CS_COUNT; i++)
        if (pc_str_eq(name, state_names[i]))
            return i;
    return -1;
}

bool case_state_open(enum case_state s)
{
    return s != CS_DRAFT && s != CS_APPROVED && s != CS_REFUSED && s != CS_DELIVERED && s != CS_CANCELLED;
}

enum actor { BY_OFFICER, BY_APPLICANT };

struct transition {
    const char *action;
    enum case_state from[5];       /* CS_DRAFT ends the list (never a source) */
    int to;                        /* -1: the state does not change */
    enum actor by;
    bool note_required;
    const char *template_id;       /* notification to the applicant, or NULL */
};

static const struct transition workflow[] = {
    {"register", {CS_SUBMITTED}, CS_REGISTERED, BY_OFFICER, false, "status-changed"},
    {"start_review", {CS_REGISTERED, CS_CITIZEN_RESPONDED}, CS_IN_REVIEW, BY_OFFICER, false, "status-changed"},
    {"request_info", {CS_REGISTERED, CS_IN_REVIEW}, CS_INFO_REQUESTED, BY_OFFICER, true, "more-info-requested"},
    {"respond", {CS_INFO_REQUESTED}, CS_CITIZEN_RESPONDED, BY_APPLICANT, true, NULL},
    {"approve", {CS_IN_REVIEW}, CS_APPROVED, BY_OFFICER, true, "decided"},
    {"refuse", {CS_IN_REVIEW}, CS_REFUSED, BY_OFFICER, true, "decided"},
    {"deliver", {CS_APPROVED}, CS_DELIVERED, BY_OFFICER, false, "result-ready"},
    {"cancel", {CS_SUBMITTED, CS_REGISTERED}, CS_CANCELLED, BY_APPLICANT, false, "status-changed"},
    {"assign_to_me", {CS_SUBMITTED, CS_REGISTERED, CS_IN_REVIEW, CS_INFO_REQUESTED, CS_CITIZEN_RESPONDED}, -1,
     BY_OFFICER, false, NULL},
};

static const struct transition *find_transition(const char *action)
{
    for (size_t i = 0; i < sizeof workflow / sizeof workflow[0]; i++)
        if (pc_str_eq(workflow[i].action, action))
            return &workflow[i];
    return NULL;
}

static bool allowed_from(const struct transition *t, int state)
{
    for (int i = 0; i < 5 && t->from[i] != CS_DRAFT; i++)
        if ((int)t->from[i] == state)
            return true;
    return false;
}

/* ---- rows ------------------------------------------------------------------ */

#define APP_COLUMNS "id, reference, service_id, agency_id, applicant, applicant_fin, acting_for, status, " \
                    "assigned_to, decision, lang, form_version, version, created_at, updated_at, submitted_at, " \
                    "due_at, state_due_at, decided_at, answers"

static const char *dup(struct pc_arena *a, struct db_stmt *s, int i)
{
    return pc_arena_strdup(a, db_col_text(s, i));
}

static void read_app(struct pc_arena *a, struct db_stmt *s, struct case_app *c, bool with_answers)
{
    c->id = dup(a, s, 0);
    c->reference = dup(a, s, 1);
    c->service_id = dup(a, s, 2);
    c->agency_id = dup(a, s, 3);
    c->applicant = dup(a, s, 4);
    c->applicant_fin = dup(a, s, 5);
    c->acting_for = dup(a, s, 6);
    c->status = dup(a, s, 7);
    c->assigned_to = dup(a, s, 8);
    c->decision = dup(a, s, 9);
    c->lang = dup(a, s, 10);
    c->form_version = (int)db_col_int(s, 11);
    c->version = db_col_int(s, 12);
    c->created_at = db_col_int(s, 13);
    c->updated_at = db_col_int(s, 14);
    c->submitted_at = db_col_int(s, 15);
    c->due_at = db_col_int(s, 16);
    c->state_due_at = db_col_int(s, 17);
    c->decided_at = db_col_int(s, 18);
    c->answers = with_answers ? json_loads(db_col_text(s, 19) ? db_col_text(s, 19) : "{}", 0, NULL) : NULL;
}

void case_app_release(struct case_app *c)
{
    json_decref(c->answers);
    c->answers = NULL;
}

int case_load(struct db *db, struct pc_arena *a, const char *ref_or_id, struct case_app *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!ref_or_id || strlen(ref_or_id) > 64)
        return pc_err_set(err, PC_ENOTFOUND, "no such application");
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " APP_COLUMNS " FROM applications WHERE reference = ? OR id = ?", err) : NULL;
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, ref_or_id);
    db_bind_text(s, 2, ref_or_id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such application");
    read_app(a, s, out, true);
    return 0;
}

int case_events(struct db *db, struct pc_arena *a, const char *app_id, struct case_event **out, size_t *n,
                struct pc_err *err)
{
    *n = 0;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT seq, at, actor, role, action, from_status, to_status, note"
                                          " FROM application_events WHERE application_id = ? ORDER BY seq LIMIT 500", err) : NULL;
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, app_id);
    *out = pc_arena_alloc(a, 500 * sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < 500) {
        struct case_event *e = &(*out)[(*n)++];
        e->seq = db_col_int(s, 0);
        e->at = db_col_int(s, 1);
        e->actor = dup(a, s, 2);
        e->role = dup(a, s, 3);
        e->action = dup(a, s, 4);
        e->from_status = dup(a, s, 5);
        e->to_status = dup(a, s, 6);
        e->note = dup(a, s, 7);
    }
    return rc < 0 ? rc : 0;
}

/* ---- the effects every change writes ----------------------------------------- */

static int add_event(struct db_conn *c, const char *app_id, const char *actor, const char *role, const char *action,
                     const char *from, const char *to, const char *note, int64_t now, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO application_events(application_id, seq, at, actor, role, action,"
                                      " from_status, to_status, note) SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?"
                                      " FROM application_events WHERE application_id = ?", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, app_id);
    db_bind_int(s, 2, now);
    db_bind_text(s, 3, actor);
    db_bind_text(s, 4, role);
    db_bind_text(s, 5, action);
    db_bind_text(s, 6, from);
    db_bind_text(s, 7, to);
    db_bind_text(s, 8, note);
    db_bind_text(s, 9, app_id);
    return db_run(s, err) == 1 ? 0 : PC_EIO;
}

static int count_use(struct db_conn *c, const char *service, const char *agency, const char *kind, int64_t now,
                     struct pc_err *err)
{
    char day[21];
    pc_rfc3339(now, day);
    day[10] = 0;
    struct db_stmt *s = db_prepare(c, "INSERT INTO usage_daily(day, service_id, agency_id, kind, count) VALUES (?, ?, ?, ?, 1)"
                                      " ON CONFLICT(day, service_id, kind) DO UPDATE SET count = usage_daily.count + 1", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, day);
    db_bind_text(s, 2, service);
    db_bind_text(s, 3, agency);
    db_bind_text(s, 4, kind);
    return db_run(s, err) < 0 ? PC_EIO : 0;
}

/* Tell the applicant (SMS to the phone on record, else e-mail). */
static int notify_applicant(struct db_conn *c, const char *fin, const char *lang, const char *template_id,
                            json_t *payload, struct pc_err *err)
{
    if (!fin || !template_id)
        return 0;
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_contact to;
    int rc = id_person_contact(c, &a, fin, &to, err);
    if (rc == PC_ENOTFOUND)
        rc = 0; /* no record: the citizen sees it in "My applications" */
    else if (rc == 0 && (to.phone || to.email)) {
        char *text = json_dumps(payload, JSON_COMPACT);
        rc = text ? notify_enqueue(c, to.phone ? "sms" : "email", to.phone ? to.phone : to.email, template_id, lang,
                                   text, err)
                  : pc_err_set(err, PC_ENOMEM, "out of memory");
        free(text);
    }
    pc_arena_release(&a);
    return rc;
}

/* Tell the agency's staff by e-mail (the address on their person record):
 * the officers and administrators of the agency, or only `account` when
 * the case is someone's.  At most 20: a large agency wants a digest. */
static int notify_staff(struct db_conn *c, const char *agency, const char *account, const char *template_id,
                        json_t *payload, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_contact to[20];
    size_t n = 0;
    int rc = id_agency_staff_contacts(c, &a, agency, account, to, 20, &n, err);
    char *text = rc == 0 && n > 0 ? json_dumps(payload, JSON_COMPACT) : NULL;
    if (rc == 0 && n > 0 && !text)
        rc = pc_err_set(err, PC_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = notify_enqueue(c, "email", to[i].email, template_id, pc_lang_code(to[i].lang), text, err);
    free(text);
    pc_arena_release(&a);
    return rc;
}

/* "AZ-2026-00012345": a counter per year, taken inside the transaction. */
static int next_reference(struct db_conn *c, int64_t now, char out[24], struct pc_err *err)
{
    char ts[21];
    pc_rfc3339(now, ts);
    int year = atoi(ts);
    struct db_stmt *s = db_prepare(c, "INSERT INTO reference_counters(year, last) VALUES (?, 1)"
                                      " ON CONFLICT(year) DO UPDATE SET last = reference_counters.last + 1", err);
    if (!s)
        return PC_EIO;
    db_bind_int(s, 1, year);
    if (db_run(s, err) < 0)
        return PC_EIO;
    s = db_prepare(c, "SELECT last FROM reference_counters WHERE year = ?", err);
    if (!s)
        return PC_EIO;
    db_bind_int(s, 1, year);
    if (db_step(s, err) != 1)
        return PC_EIO;
    snprintf(out, 24, "AZ-%04d-%08lld", year, (long long)db_col_int(s, 0));
    db_conn_idle(c);
    return 0;
}

struct service_info {
    char agency[64];
    int deadline_days;
};

static int service_info(struct db_conn *c, const char *service_id, struct service_info *si, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT agency_id, deadline_days FROM services WHERE id = ? AND active = 1", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, service_id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such service");
    snprintf(si->agency, sizeof si->agency, "%s", db_col_text(s, 0));
    si->deadline_days = db_col_is_null(s, 1) ? DEFAULT_DEADLINE_DAYS : (int)db_col_int(s, 1);
    db_conn_idle(c);
    return 0;
}

static int64_t state_days(const json_t *wf, const char *state, int64_t dflt_secs);

/* Inside a transaction: turn a checked application into a submitted case.
 * def is its form (for the service's own deadline to register it). */
static int write_submission(struct db_conn *c, const struct id_principal *who, const char *app_id, bool is_new,
                            const char *service_id, const struct service_info *si, const json_t *def,
                            const json_t *answers, const char *idem, const char *lang, const char *ip,
                            int64_t now, char reference[24], struct pc_err *err)
{
    int form_version = (int)json_integer_value(json_object_get(def, "version"));
    int64_t register_by = now + state_days(json_object_get(def, "workflow"), "submitted", REGISTER_WITHIN_SECS);
    int rc = next_reference(c, now, reference, err);
    if (rc)
        return rc;
    char *text = json_dumps(answers, JSON_COMPACT);
    if (!text)
        return PC_ENOMEM;
    int64_t due = now + (int64_t)si->deadline_days * 86400;
    struct db_stmt *s;
    if (is_new) {
        s = db_prepare(c, "INSERT INTO applications(id, reference, service_id, agency_id, form_version, applicant,"
                          " applicant_fin, acting_for, status, answers, version, idempotency_key, lang, created_at,"
                          " updated_at, submitted_at, due_at, state_due_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, 1, ?, ?, ?, ?, ?, ?, ?)", err);
        if (s) {
            db_bind_text(s, 1, app_id);
            db_bind_text(s, 2, reference);
            db_bind_text(s, 3, service_id);
            db_bind_text(s, 4, si->agency);
            db_bind_int(s, 5, form_version);
            db_bind_text(s, 6, who->account_id);
            db_bind_text(s, 7, who->fin);
            db_bind_text(s, 8, who->acting_for);
            db_bind_text(s, 9, text);
            db_bind_text(s, 10, idem);
            db_bind_text(s, 11, lang);
            db_bind_int(s, 12, now);
            db_bind_int(s, 13, now);
            db_bind_int(s, 14, now);
            db_bind_int(s, 15, due);
            db_bind_int(s, 16, register_by);
        }
    } else {
        s = db_prepare(c, "UPDATE applications SET reference = ?, status = 'submitted', answers = ?, version = version + 1,"
                          " updated_at = ?, submitted_at = ?, due_at = ?, state_due_at = ? WHERE id = ? AND status = 'draft'", err);
        if (s) {
            db_bind_text(s, 1, reference);
            db_bind_text(s, 2, text);
            db_bind_int(s, 3, now);
            db_bind_int(s, 4, now);
            db_bind_int(s, 5, due);
            db_bind_int(s, 6, register_by);
            db_bind_text(s, 7, app_id);
        }
    }
    free(text);
    if (!s)
        return PC_EIO;
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    if (n != 1)
        return pc_err_set(err, PC_ECONFLICT, "the application was already submitted");
    rc = add_event(c, app_id, who->account_id, "applicant", "submit", "draft", "submitted", NULL, now, err);
    struct audit_entry e = {.actor = who->account_id, .role = who->acting_for ? "representative" : "citizen",
                            .action = "application.submit", .object_type = "application", .object_id = reference,
                            .ip = ip ? ip : "", .detail = service_id};
    if (!rc && audit_append(c, &e, err) < 0)
        rc = PC_EIO;
    if (!rc)
        rc = count_use(c, service_id, si->agency, "submit", now, err);
    if (!rc) {
        json_t *payload = json_pack("{s:s, s:s}", "reference", reference, "service", service_id);
        rc = notify_applicant(c, who->fin, lang, "application-submitted", payload, err);
        if (!rc)
            rc = notify_staff(c, si->agency, NULL, "case-arrived", payload, err);
        json_decref(payload);
    }
    return rc;
}

static void today(char out[11])
{
    char ts[21];
    pc_rfc3339(pc_now_unix(), ts);
    memcpy(out, ts, 10);
    out[10] = 0;
}

/* Every file an application refers to must have been uploaded by its
 * applicant: content-addressed storage must not let one person attach (and
 * then download) another person's file by naming its hash. */
static void collect_files(const json_t *def, const json_t *answers, json_t *shas)
{
    size_t i, k, j;
    json_t *p, *q;
    json_array_foreach(json_object_get(def, "pages"), i, p) {
        json_array_foreach(json_object_get(p, "questions"), k, q) {
            const char *type = json_string_value(json_object_get(q, "type"));
            const json_t *a = json_object_get(answers, json_string_value(json_object_get(q, "id")));
            if (pc_str_eq(type, "file") && json_object_get(a, "sha256")) {
                json_object_set_new(shas, json_string_value(json_object_get(a, "sha256")),
                                json_string(json_string_value(json_object_get(q, "id"))));
            } else if (pc_str_eq(type, "group")) {
                json_t *item, *iq;
                json_array_foreach(a, j, item) {
                    size_t m;
                    json_array_foreach(json_object_get(q, "questions"), m, iq) {
                        const json_t *fa = json_object_get(item, json_string_value(json_object_get(iq, "id")));
                        if (pc_str_eq(json_string_value(json_object_get(iq, "type")), "file") && json_object_get(fa, "sha256"))
                            json_object_set_new(shas, json_string_value(json_object_get(fa, "sha256")),
                                            json_string(json_string_value(json_object_get(q, "id"))));
                    }
                }
            }
        }
    }
}

static int check_files_owned(struct db_conn *c, const json_t *def, const json_t *answers, const char *applicant,
                             struct form_issues *issues, struct pc_err *err)
{
    json_t *shas = json_object();
    const char *sha;
    json_t *qid;
    int rc = 0;
    collect_files(def, answers, shas);
    json_object_foreach(shas, sha, qid) {
        struct db_stmt *s = db_prepare(c, "SELECT 1 FROM uploads WHERE sha256 = ? AND account_id = ?", err);
        if (!s) {
            rc = PC_EIO;
            break;
        }
        db_bind_text(s, 1, sha);
        db_bind_text(s, 2, applicant);
        int st = db_step(s, err);
        if (st < 0) {
            rc = st;
            break;
        }
        if (st == 0 && issues->n < FORM_MAX_ISSUES) {
            struct form_issue *i = &issues->items[issues->n++];
            snprintf(i->field, sizeof i->field, "%.90s", json_string_value(qid));
            i->code = "unknown_file";
            i->limit = 0;
        }
    }
    json_decref(shas);
    db_conn_idle(c);
    return rc;
}

/* ---- submitting ----------------------------------------------------------------- */

int case_submit(struct db *db, const struct form_registry *reg, const struct id_principal *who,
                const char *service_id, json_t *answers, const char *idempotency_key, const char *lang,
                const char *ip, struct pc_arena *a, struct case_app *out, bool *existing,
                struct form_issues *issues, struct pc_err *err)
{
    *existing = false;
    issues->n = 0;
    memset(out, 0, sizeof *out);
    if (idempotency_key && (strlen(idempotency_key) < 8 || strlen(idempotency_key) > 128))
        return pc_err_set(err, PC_EINVAL, "Idempotency-Key must be 8–128 characters");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    /* A retry with the same key gets the first answer back. */
    if (idempotency_key) {
        struct db_stmt *s = db_prepare(c, "SELECT reference FROM applications WHERE applicant = ? AND idempotency_key = ?", err);
        if (!s)
            return PC_EIO;
        db_bind_text(s, 1, who->account_id);
        db_bind_text(s, 2, idempotency_key);
        int rc = db_step(s, err);
        if (rc == 1) {
            char *ref = pc_arena_strdup(a, db_col_text(s, 0));
            db_conn_idle(c);
            *existing = true;
            return case_load(db, a, ref, out, err);
        }
        if (rc < 0)
            return rc;
    }
    const json_t *def = form_get(reg, service_id);
    if (!def)
        return pc_err_set(err, PC_ENOTFOUND, "this service takes no electronic applications");
    char day[11];
    today(day);
    form_check_answers(def, answers, NULL, day, issues);
    int rc = issues->n ? 0 : check_files_owned(c, def, answers, who->account_id, issues, err);
    if (rc)
        return rc;
    if (issues->n)
        return pc_err_set(err, PC_EINVAL, "%d answer%s need%s attention", issues->n, issues->n == 1 ? "" : "s",
                          issues->n == 1 ? "s" : "");
    struct service_info si;
    rc = service_info(c, service_id, &si, err);
    if (rc)
        return rc;
    char id[33], reference[24];
    pc_random_hex(id, 16);
    int64_t now = pc_now_unix();
    if ((rc = db_begin(c, err)))
        return rc;
    rc = write_submission(c, who, id, true, service_id, &si, def, answers, idempotency_key, lang, ip, now,
                          reference, err);
    if (rc) {
        db_rollback(c);
        /* two retries raced: the other one won; answer with its case */
        if (rc == PC_ECONFLICT && idempotency_key) {
            struct pc_err ignore = {0};
            struct db_stmt *s = db_prepare(c, "SELECT reference FROM applications WHERE applicant = ? AND idempotency_key = ?", &ignore);
            if (s) {
                db_bind_text(s, 1, who->account_id);
                db_bind_text(s, 2, idempotency_key);
                if (db_step(s, &ignore) == 1) {
                    char *ref = pc_arena_strdup(a, db_col_text(s, 0));
                    db_conn_idle(c);
                    *existing = true;
                    return case_load(db, a, ref, out, err);
                }
            }
        }
        return rc;
    }
    if ((rc = db_commit(c, err)))
        return rc;
    return case_load(db, a, reference, out, err);
}

int case_draft_new(struct db *db, const struct form_registry *reg, const struct id_principal *who,
                   const char *service_id, const char *lang, struct pc_arena *a, const char **id_out,
                   struct pc_err *err)
{
    const json_t *def = form_get(reg, service_id);
    if (!def)
        return pc_err_set(err, PC_ENOTFOUND, "this service takes no electronic applications");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    struct service_info si;
    int rc = service_info(c, service_id, &si, err);
    if (rc)
        return rc;
    char *id = pc_arena_alloc(a, 33);
    pc_random_hex(id, 16);
    int64_t now = pc_now_unix();
    if ((rc = db_begin(c, err)))
        return rc;
    struct db_stmt *s = db_prepare(c, "INSERT INTO applications(id, service_id, agency_id, form_version, applicant,"
                                      " applicant_fin, acting_for, status, answers, version, lang, created_at, updated_at)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', '{}', 1, ?, ?, ?)", err);
    rc = PC_EIO;
    if (s) {
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, service_id);
        db_bind_text(s, 3, si.agency);
        db_bind_int(s, 4, json_integer_value(json_object_get(def, "version")));
        db_bind_text(s, 5, who->account_id);
        db_bind_text(s, 6, who->fin);
        db_bind_text(s, 7, who->acting_for);
        db_bind_text(s, 8, lang);
        db_bind_int(s, 9, now);
        db_bind_int(s, 10, now);
        rc = db_run(s, err) == 1 ? 0 : PC_EIO;
    }
    if (!rc)
        rc = count_use(c, service_id, si.agency, "start", now, err);
    if (rc) {
        db_rollback(c);
        return rc;
    }
    rc = db_commit(c, err);
    if (!rc)
        *id_out = id;
    return rc;
}

int case_draft_save(struct db *db, const struct form_registry *reg, const char *id, json_t *page_answers,
                    int64_t expected_version, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct case_app app;
    int rc = case_load(db, &a, id, &app, err);
    if (!rc && !pc_str_eq(app.status, "draft"))
        rc = pc_err_set(err, PC_ECONFLICT, "the application was already submitted");
    const json_t *def = rc ? NULL : form_get_version(reg, app.service_id, app.form_version);
    if (!rc && !def)
        rc = pc_err_set(err, PC_ENOTFOUND, "the form of this draft is gone");
    if (!rc) {
        json_object_update(app.answers, page_answers);
        form_drop_hidden(def, app.answers);
        char *text = json_dumps(app.answers, JSON_COMPACT);
        struct db_conn *c = db_conn_get(db, err);
        struct db_stmt *s = c && text ? db_prepare(c, "UPDATE applications SET answers = ?, version = version + 1,"
                                                      " updated_at = ? WHERE id = ? AND version = ? AND status = 'draft'", err) : NULL;
        rc = PC_EIO;
        if (s) {
            db_bind_text(s, 1, text);
            db_bind_int(s, 2, pc_now_unix());
            db_bind_text(s, 3, id);
            db_bind_int(s, 4, expected_version);
            int64_t n = db_run(s, err);
            rc = n == 1 ? 0 : n == 0 ? pc_err_set(err, PC_ECONFLICT, "the draft changed in another window") : PC_EIO;
        }
        free(text);
    }
    case_app_release(&app);
    pc_arena_release(&a);
    return rc;
}

int case_draft_submit(struct db *db, const struct form_registry *reg, const struct id_principal *who,
                      const char *id, const char *ip, struct pc_arena *a, struct case_app *out,
                      struct form_issues *issues, struct pc_err *err)
{
    issues->n = 0;
    struct case_app app;
    int rc = case_load(db, a, id, &app, err);
    if (rc)
        return rc;
    if (!pc_str_eq(app.status, "draft")) {
        /* a second click or a reload: the same case, no second one */
        *out = app;
        return 0;
    }
    const json_t *def = form_get_version(reg, app.service_id, app.form_version);
    char day[11];
    today(day);
    if (!def)
        rc = pc_err_set(err, PC_ENOTFOUND, "the form of this draft is gone");
    else
        form_check_answers(def, app.answers, NULL, day, issues);
    struct db_conn *c = rc ? NULL : db_conn_get(db, err);
    if (!rc && !issues->n && c)
        rc = check_files_owned(c, def, app.answers, app.applicant, issues, err);
    if (!rc && issues->n)
        rc = pc_err_set(err, PC_EINVAL, "some answers need attention");
    struct service_info si;
    if (!rc && (!c || (rc = service_info(c, app.service_id, &si, err)) != 0))
        rc = rc ? rc : PC_EIO;
    char reference[24];
    if (!rc && !(rc = db_begin(c, err))) {
        rc = write_submission(c, who, app.id, false, app.service_id, &si, def, app.answers, NULL, app.lang, ip,
                              pc_now_unix(), reference, err);
        if (rc)
            db_rollback(c);
        else
            rc = db_commit(c, err);
    }
    case_app_release(&app);
    if (rc == PC_ECONFLICT) /* submitted meanwhile by a double click */
        return case_load(db, a, id, out, err);
    return rc ? rc : case_load(db, a, id, out, err);
}

/* ---- steps of the workflow -------------------------------------------------------- */

/* A service's own workflow (the "workflow" of its form, docs/forms.md):
 * which steps it has, who may take a step, how many days a state may
 * last.  Absent keys keep the standard workflow. */
static bool service_has_step(const json_t *wf, const char *action)
{
    const json_t *steps = json_object_get(wf, "steps");
    if (!steps)
        return true;
    size_t i;
    json_t *v;
    json_array_foreach(steps, i, v) {
        if (pc_str_eq(json_string_value(v), action))
            return true;
    }
    return false;
}

static bool role_may_take(const json_t *wf, const char *action, const struct id_principal *who, const char *agency)
{
    const json_t *roles = json_object_get(json_object_get(wf, "roles"), action);
    if (!roles)
        return true;
    size_t i;
    json_t *v;
    json_array_foreach(roles, i, v) {
        int role = id_role_parse(json_string_value(v));
        for (int g = 0; role >= 0 && g < who->ngrants; g++)
            if ((int)who->grants[g].role == role && pc_str_eq(who->grants[g].agency_id, agency))
                return true;
    }
    return false;
}

static int64_t state_days(const json_t *wf, const char *state, int64_t dflt_secs)
{
    const json_t *d = json_object_get(json_object_get(wf, "deadlines"), state);
    return json_is_integer(d) ? (int64_t)json_integer_value(d) * 86400 : dflt_secs;
}

bool case_step_offered(const struct form_registry *reg, const struct case_app *app, const struct id_principal *who,
                       const char *action)
{
    const json_t *wf = json_object_get(form_get_version(reg, app->service_id, app->form_version), "workflow");
    return service_has_step(wf, action) && role_may_take(wf, action, who, app->agency_id);
}

int case_act(struct db *db, const struct form_registry *reg, const struct id_principal *who, const char *reference,
             const char *action, const char *note, int64_t expected_version, const char *ip, struct pc_arena *a,
             struct case_app *out, struct pc_err *err)
{
    const struct transition *t = find_transition(action);
    if (!t)
        return pc_err_set(err, PC_EINVAL, "unknown action");
    if (note && strlen(note) > 4000)
        return pc_err_set(err, PC_EINVAL, "the note is longer than 4000 bytes");
    if (note && !pc_utf8_valid(note, strlen(note)))
        return pc_err_set(err, PC_EINVAL, "the note is not valid text");
    if (t->note_required && (!note || !*note))
        return pc_err_set(err, PC_EINVAL, "this step needs a note (a reason or a message)");
    struct case_app app;
    int rc = case_load(db, a, reference, &app, err);
    if (rc)
        return rc;
    case_app_release(&app);
    struct id_resource res = {.owner = app.applicant, .agency_id = app.agency_id};
    bool may = t->by == BY_OFFICER ? id_authorize(who, ID_ACT_ACT_ON_CASE, &res)
                                   : pc_str_eq(who->account_id, app.applicant) && id_authorize(who, ID_ACT_VIEW_CASE, &res);
    if (!may)
        return pc_err_set(err, PC_EDENIED, "you may not take this step on this application");
    const json_t *wf = json_object_get(form_get_version(reg, app.service_id, app.form_version), "workflow");
    if (!service_has_step(wf, action))
        return pc_err_set(err, PC_EDENIED, "this service has no such step");
    if (t->by == BY_OFFICER && !role_may_take(wf, action, who, app.agency_id))
        return pc_err_set(err, PC_EDENIED, "your role may not take this step for this service");
    int state = case_state_parse(app.status);
    if (!allowed_from(t, state))
        return pc_err_set(err, PC_EDENIED, "this step is not possible while the application is %s", app.status);
    if (expected_version != app.version)
        return pc_err_set(err, PC_ECONFLICT, "someone else acted on this application; reload it");
    const char *to = t->to >= 0 ? case_state_name((enum case_state)t->to) : app.status;
    int64_t now = pc_now_unix();
    struct db_conn *c = db_conn_get(db, err);
    if (!c || (rc = db_begin(c, err)))
        return c ? rc : PC_EIO;
    /* optimistic lock: the row changes only if nobody changed it since */
    struct db_stmt *s = db_prepare(c,
        "UPDATE applications SET status = ?, version = version + 1, updated_at = ?,"
        " assigned_to = CASE WHEN ? = 1 THEN ? ELSE assigned_to END,"
        " decision = CASE WHEN ? = 1 THEN ? ELSE decision END,"
        " decided_at = CASE WHEN ? = 1 THEN ? ELSE decided_at END,"
        " state_due_at = ? WHERE id = ? AND version = ?", err);
    bool decides = t->to == CS_APPROVED || t->to == CS_REFUSED;
    bool assigns = t->by == BY_OFFICER;
    const char *to_name = t->to >= 0 ? case_state_name((enum case_state)t->to) : app.status;
    int64_t state_due = t->to == CS_INFO_REQUESTED ? now + state_days(wf, to_name, RESPOND_WITHIN_SECS)
                        : json_object_get(json_object_get(wf, "deadlines"), to_name) ? now + state_days(wf, to_name, 0)
                        : app.due_at;
    rc = PC_EIO;
    if (s) {
        db_bind_text(s, 1, to);
        db_bind_int(s, 2, now);
        db_bind_int(s, 3, assigns);
        db_bind_text(s, 4, who->account_id);
        db_bind_int(s, 5, decides);
        db_bind_text(s, 6, decides ? note : NULL);
        db_bind_int(s, 7, decides);
        db_bind_int(s, 8, now);
        db_bind_int(s, 9, state_due);
        db_bind_text(s, 10, app.id);
        db_bind_int(s, 11, expected_version);
        int64_t n = db_run(s, err);
        rc = n == 1 ? 0 : n == 0 ? pc_err_set(err, PC_ECONFLICT, "someone else acted on this application; reload it") : PC_EIO;
    }
    const char *role = t->by == BY_OFFICER ? "officer" : "applicant";
    if (!rc)
        rc = add_event(c, app.id, who->account_id, role, action, app.status, to, note, now, err);
    if (!rc) {
        struct audit_entry e = {.actor = who->account_id, .role = role, .action = pc_arena_printf(a, "application.%s", action),
                                .object_type = "application", .object_id = app.reference, .ip = ip ? ip : "",
                                .detail = to};
        rc = audit_append(c, &e, err) < 0 ? PC_EIO : 0;
    }
    if (!rc && decides)
        rc = count_use(c, app.service_id, app.agency_id, "decide", now, err);
    if (!rc && t->to == CS_CITIZEN_RESPONDED) {
        /* the officer who asked (the one it is assigned to), or the agency */
        json_t *payload = json_pack("{s:s}", "reference", app.reference);
        rc = notify_staff(c, app.agency_id, app.assigned_to, "citizen-responded", payload, err);
        json_decref(payload);
    }
    if (!rc && t->template_id) {
        json_t *payload = json_pack("{s:s, s:s, s:s}", "reference", app.reference, "status", to,
                                    "outcome", t->to == CS_APPROVED ? "approved" : t->to == CS_REFUSED ? "refused" : "");
        if (note && (t->to == CS_INFO_REQUESTED || t->to == CS_REFUSED))
            json_object_set_new(payload, t->to == CS_REFUSED ? "reason" : "message", json_string(note));
        rc = notify_applicant(c, app.applicant_fin, app.lang, t->template_id, payload, err);
        json_decref(payload);
    }
    if (rc) {
        db_rollback(c);
        return rc;
    }
    if ((rc = db_commit(c, err)))
        return rc;
    return case_load(db, a, app.id, out, err);
}

/* ---- lists ------------------------------------------------------------------------ */

int case_list(struct db *db, struct pc_arena *a, const struct case_filter *f, struct case_list *out,
              struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (f->limit < 1 || f->limit > 100)
        return pc_err_set(err, PC_EINVAL, "limit must be from 1 to 100");
    if (f->status && case_state_parse(f->status) < 0)
        return pc_err_set(err, PC_EINVAL, "unknown status");
    if (!f->applicant == !f->agency_id)
        return pc_err_set(err, PC_EINVAL, "list either an applicant's or an agency's applications");
    int64_t after_ts = 0;
    char after_id[40] = "";
    if (f->cursor) {
        char raw[80];
        long n = pc_b64url_decode(f->cursor, strlen(f->cursor), raw, sizeof raw - 1);
        char *colon = n > 0 ? (raw[n] = 0, strchr(raw, ':')) : NULL;
        long long ts;
        if (!colon || (*colon = 0, pc_parse_int(raw, 0, INT64_MAX, &ts)) || strlen(colon + 1) != 32)
            return pc_err_set(err, PC_EINVAL, "the cursor is not one this server gave out");
        after_ts = ts;
        snprintf(after_id, sizeof after_id, "%s", colon + 1);
    }
    /* the sort key: newest first, by submission (inbox) or creation (mine) */
    const char *key = f->agency_id ? "submitted_at" : "created_at";
    struct pc_buf sql;
    pc_buf_init(&sql, 4096);
    pc_buf_printf(&sql, "SELECT " APP_COLUMNS " FROM applications WHERE %s = ?", f->agency_id ? "agency_id" : "applicant");
    if (f->agency_id)
        pc_buf_puts(&sql, " AND status <> 'draft'");
    if (f->status)
        pc_buf_puts(&sql, " AND status = ?");
    if (f->service_id)
        pc_buf_puts(&sql, " AND service_id = ?");
    if (f->assigned_to)
        pc_buf_puts(&sql, " AND assigned_to = ?");
    if (f->overdue)
        pc_buf_puts(&sql, " AND due_at < ? AND status IN ('submitted', 'registered', 'in_review', 'info_requested', 'citizen_responded')");
    if (f->from)
        pc_buf_printf(&sql, " AND %s >= ?", key);
    if (f->to)
        pc_buf_printf(&sql, " AND %s < ?", key);
    if (f->cursor)
        pc_buf_printf(&sql, " AND (%s < ? OR (%s = ? AND id < ?))", key, key);
    pc_buf_printf(&sql, " ORDER BY %s DESC, id DESC LIMIT ?", key);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, sql.data, err) : NULL;
    pc_buf_release(&sql);
    if (!s)
        return PC_EIO;
    int p = 1;
    db_bind_text(s, p++, f->agency_id ? f->agency_id : f->applicant);
    if (f->status) db_bind_text(s, p++, f->status);
    if (f->service_id) db_bind_text(s, p++, f->service_id);
    if (f->assigned_to) db_bind_text(s, p++, f->assigned_to);
    if (f->overdue) db_bind_int(s, p++, pc_now_unix());
    if (f->from) db_bind_int(s, p++, f->from);
    if (f->to) db_bind_int(s, p++, f->to);
    if (f->cursor) {
        db_bind_int(s, p++, after_ts);
        db_bind_int(s, p++, after_ts);
        db_bind_text(s, p++, after_id);
    }
    db_bind_int(s, p++, f->limit + 1);
    out->items = pc_arena_alloc(a, (size_t)(f->limit + 1) * sizeof *out->items);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if ((int)out->n == f->limit) {
            const struct case_app *last = &out->items[out->n - 1];
            char raw[80], *enc = pc_arena_alloc(a, 120);
            int len = snprintf(raw, sizeof raw, "%lld:%s", (long long)(f->agency_id ? last->submitted_at : last->created_at), last->id);
            pc_b64url_encode(raw, (size_t)len, enc);
            out->next = enc;
            break;
        }
        read_app(a, s, &out->items[out->n++], false);
    }
    return rc < 0 ? rc : 0;
}

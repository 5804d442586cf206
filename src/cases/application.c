/* application.c — applications as rows: loading one with its answers and
 * its history, submission with an idempotency key and a human-readable
 * reference, and the effects every change writes in the same transaction
 * as the change (its event, its audit entry, its notifications in the
 * outbox and its usage count). */
#include "internal.h"
#include "../audit/audit.h"
#include "../catalog/catalog.h"
#include "../identity/identity.h"
#include "../notify/notify.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_DEADLINE_DAYS 15   /* when the catalogue states none */
#define REGISTER_WITHIN_SECS (2 * 86400)
#define EVENTS_MAX 500

/* ---- rows ------------------------------------------------------------------ */

static const char *dup(struct pc_arena *a, struct db_stmt *s, int i)
{
    return pc_arena_strdup(a, db_col_text(s, i));
}

static enum case_state state_of(const char *name)
{
    int s = case_state_parse(name);
    return s < 0 ? CS_DRAFT : (enum case_state)s;
}

void case_read_app(struct pc_arena *a, struct db_stmt *s, struct case_app *c, bool with_answers)
{
    c->id = dup(a, s, 0);
    c->reference = dup(a, s, 1);
    c->service_id = dup(a, s, 2);
    c->agency_id = dup(a, s, 3);
    c->applicant = dup(a, s, 4);
    c->applicant_fin = dup(a, s, 5);
    c->acting_for = dup(a, s, 6);
    c->status = state_of(db_col_text(s, 7));
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
    int ch = case_channel_parse(db_col_text(s, 19));
    c->channel = ch < 0 ? CASE_CH_WEB : (enum case_channel)ch;
    c->anonymous = c->channel == CASE_CH_ANONYMOUS;
    c->district = dup(a, s, 20);
    c->registered_by = dup(a, s, 21);
    c->paper_scan = dup(a, s, 22);
    c->decided_by = dup(a, s, 23);
    c->appealed_at = db_col_int(s, 24);
    c->answers = with_answers ? form_answers_own(a, json_loads(db_col_text(s, 25) ? db_col_text(s, 25) : "{}", 0, NULL))
                              : NULL;
}

int case_load_row(struct db *db, struct pc_arena *a, const char *ref_or_id, bool with_answers, struct case_app *out,
                  struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!ref_or_id || strlen(ref_or_id) > 64)
        return pc_err_set(err, PC_ENOTFOUND, "no such application");
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, with_answers ? "SELECT " CASE_APP_COLUMNS " FROM applications WHERE reference = ? OR id = ?"
                                                       : "SELECT " CASE_ROW_COLUMNS " FROM applications WHERE reference = ? OR id = ?",
                                       err) : NULL;
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, ref_or_id);
    db_bind_text(s, 2, ref_or_id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such application");
    case_read_app(a, s, out, with_answers);
    db_conn_idle(c);
    return 0;
}

int case_load(struct db *db, struct pc_arena *a, const char *ref_or_id, struct case_app *out, struct pc_err *err)
{
    return case_load_row(db, a, ref_or_id, true, out, err);
}

int case_events(struct db *db, struct pc_arena *a, const char *app_id, struct case_event **out, size_t *n,
                struct pc_err *err)
{
    *n = 0;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT seq, at, actor, role, action, from_status, to_status, note"
                                          " FROM application_events WHERE application_id = ? ORDER BY seq LIMIT 500", err)
                          : NULL;
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, app_id);
    *out = pc_arena_array(a, EVENTS_MAX, sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < EVENTS_MAX) {
        struct case_event *e = &(*out)[(*n)++];
        e->seq = db_col_int(s, 0);
        e->at = db_col_int(s, 1);
        e->actor = dup(a, s, 2);
        e->role = dup(a, s, 3);
        e->action = dup(a, s, 4);
        e->from_status = state_of(db_col_text(s, 5));
        e->to_status = state_of(db_col_text(s, 6));
        e->note = dup(a, s, 7);
    }
    return rc < 0 ? rc : 0;
}

/* ---- the effects every change writes ----------------------------------------- */

int case_add_event(struct db_conn *c, const char *app_id, const char *actor, const char *role, const char *action,
                   enum case_state from, enum case_state to, const char *note, int64_t now, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO application_events(application_id, seq, at, actor, role, action,"
                                      " from_status, to_status, note) SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?"
                                      " FROM application_events WHERE application_id = ?", err);
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, app_id);
    db_bind_int(s, 2, now);
    db_bind_text(s, 3, actor);
    db_bind_text(s, 4, role);
    db_bind_text(s, 5, action);
    db_bind_text(s, 6, case_state_name(from));
    db_bind_text(s, 7, case_state_name(to));
    db_bind_text(s, 8, note);
    db_bind_text(s, 9, app_id);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

int case_count_use(struct db_conn *c, const char *service, const char *agency, const char *kind, int64_t now,
                   struct pc_err *err)
{
    char day[21];
    pc_rfc3339(now, day);
    day[10] = 0;
    struct db_stmt *s = db_prepare(c, "INSERT INTO usage_daily(day, service_id, agency_id, kind, count) VALUES (?, ?, ?, ?, 1)"
                                      " ON CONFLICT(day, service_id, kind) DO UPDATE SET count = usage_daily.count + 1", err);
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, day);
    db_bind_text(s, 2, service);
    db_bind_text(s, 3, agency);
    db_bind_text(s, 4, kind);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

/* The payload of a message in one language: what the template shows, the
 * service's name and the state as words, not ids and codes. */
static char *notice_json(const struct case_notice *n, enum pc_lang lang)
{
    json_t *p = json_pack("{s:s}", "reference", n->reference);
    if (n->service)
        json_object_set_new(p, "service", json_string(pc_text_get(n->service, lang)));
    if (n->status >= 0)
        json_object_set_new(p, "status", json_string(case_state_notice((enum case_state)n->status, lang)));
    if (n->outcome)
        json_object_set_new(p, "outcome", json_string(n->outcome));
    if (n->note_key)
        json_object_set_new(p, n->note_key, json_string(n->note));
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    if (!text)
        pc_oom(0);
    return text;
}

int case_notify_to(struct db_conn *c, const char *channel, const char *address, enum pc_lang lang,
                   const struct case_notice *n, struct pc_err *err)
{
    char *text = notice_json(n, lang);
    int rc = notify_enqueue(c, channel, address, n->template_id, pc_lang_code(lang), text, err);
    free(text);
    return rc;
}

int case_notify_applicant(struct db_conn *c, const char *fin, enum pc_lang lang, const struct case_notice *n,
                          struct pc_err *err)
{
    if (!fin || !n->template_id)
        return 0;
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_contact to;
    int rc = id_person_contact(c, &a, fin, &to, err);
    if (rc == PC_ENOTFOUND)
        rc = 0; /* no record: the citizen sees it in "My applications" */
    else if (rc == 0 && (to.phone || to.email))
        rc = case_notify_to(c, to.phone ? "sms" : "email", to.phone ? to.phone : to.email, lang, n, err);
    pc_arena_release(&a);
    return rc;
}

/* The officers and administrators of the agency (the address on their
 * person record), or only `account` when the case is someone's.  At most
 * 20: a large agency wants a digest. */
int case_notify_staff(struct db_conn *c, const char *agency, const char *account, const struct case_notice *n,
                      struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_contact to[20];
    size_t count = 0;
    int rc = id_agency_staff_contacts(c, &a, agency, account, to, 20, &count, err);
    for (size_t i = 0; i < count && rc == 0; i++) {
        char *text = notice_json(n, to[i].lang);
        rc = notify_enqueue(c, "email", to[i].email, n->template_id, pc_lang_code(to[i].lang), text, err);
        free(text);
    }
    pc_arena_release(&a);
    return rc;
}

/* ---- submitting ----------------------------------------------------------------- */

/* "AZ-2026-00012345": a counter per year, taken inside the transaction. */
static int next_reference(struct db_conn *c, int64_t now, char out[24], struct pc_err *err)
{
    char ts[21];
    pc_rfc3339(now, ts);
    int year = (ts[0] - '0') * 1000 + (ts[1] - '0') * 100 + (ts[2] - '0') * 10 + (ts[3] - '0');
    struct db_stmt *s = db_prepare(c, "INSERT INTO reference_counters(year, last) VALUES (?, 1)"
                                      " ON CONFLICT(year) DO UPDATE SET last = reference_counters.last + 1", err);
    if (!s)
        return case_err(err);
    db_bind_int(s, 1, year);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    s = db_prepare(c, "SELECT last FROM reference_counters WHERE year = ?", err);
    if (!s)
        return case_err(err);
    db_bind_int(s, 1, year);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_EIO, "the reference counter of %d is missing", year);
    snprintf(out, 24, "AZ-%04d-%08lld", year, (long long)db_col_int(s, 0));
    db_conn_idle(c);
    return 0;
}

int case_service_info(struct db *db, struct pc_arena *a, const char *service_id, struct case_service *out,
                      struct pc_err *err)
{
    struct cat_service s;
    int rc = cat_get_service(db, a, service_id, &s, err);
    if (rc)
        return rc;
    out->agency = s.agency_id;
    out->name = s.name;
    out->deadline_days = s.deadline_days >= 0 ? s.deadline_days : DEFAULT_DEADLINE_DAYS;
    out->need = case_level_of(s.login);
    out->fee_qepik = s.fee_qepik > 0 ? s.fee_qepik : 0;
    return 0;
}

/* Inside a transaction: turn a checked application into a submitted case. */
int case_write_submission(struct db_conn *c, const struct id_principal *who, const char *app_id, bool is_new,
                          const struct case_service *si, const struct form_def *def, const json_t *answers,
                          const char *idem, enum pc_lang lang, const struct case_origin *o, const char *ip,
                          int64_t now, char reference[24], struct pc_err *err)
{
    int64_t register_by = now + case_state_secs(def, CS_SUBMITTED, REGISTER_WITHIN_SECS);
    int rc = next_reference(c, now, reference, err);
    if (rc)
        return rc;
    char *text = json_dumps(answers, JSON_COMPACT);
    if (!text)
        pc_oom(0);
    int64_t due = now + (int64_t)si->deadline_days * 86400;
    struct db_stmt *s;
    if (is_new) {
        s = db_prepare(c, "INSERT INTO applications(id, reference, service_id, agency_id, form_version, applicant,"
                          " applicant_fin, acting_for, status, answers, version, idempotency_key, lang, created_at,"
                          " updated_at, submitted_at, due_at, state_due_at, channel, district, kiosk_id,"
                          " registered_by, paper_scan)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
        if (s) {
            db_bind_text(s, 1, app_id);
            db_bind_text(s, 2, reference);
            db_bind_text(s, 3, def->service);
            db_bind_text(s, 4, si->agency);
            db_bind_int(s, 5, def->version);
            db_bind_text(s, 6, who->account_id);
            db_bind_text(s, 7, who->fin);
            db_bind_text(s, 8, who->acting_for);
            db_bind_text(s, 9, case_state_name(CS_SUBMITTED));
            db_bind_text(s, 10, text);
            db_bind_text(s, 11, idem);
            db_bind_text(s, 12, pc_lang_code(lang));
            db_bind_int(s, 13, now);
            db_bind_int(s, 14, now);
            db_bind_int(s, 15, now);
            db_bind_int(s, 16, due);
            db_bind_int(s, 17, register_by);
            db_bind_text(s, 18, case_channel_name(o->channel));
            db_bind_text(s, 19, o->district);
            db_bind_text(s, 20, o->kiosk_id);
            db_bind_text(s, 21, o->registered_by);
            db_bind_text(s, 22, o->paper_scan);
        }
    } else {
        s = db_prepare(c, "UPDATE applications SET reference = ?, status = ?, answers = ?, version = version + 1,"
                          " updated_at = ?, submitted_at = ?, due_at = ?, state_due_at = ?, channel = ?, district = ?,"
                          " kiosk_id = ? WHERE id = ? AND status = ?", err);
        if (s) {
            db_bind_text(s, 1, reference);
            db_bind_text(s, 2, case_state_name(CS_SUBMITTED));
            db_bind_text(s, 3, text);
            db_bind_int(s, 4, now);
            db_bind_int(s, 5, now);
            db_bind_int(s, 6, due);
            db_bind_int(s, 7, register_by);
            db_bind_text(s, 8, case_channel_name(o->channel));
            db_bind_text(s, 9, o->district);
            db_bind_text(s, 10, o->kiosk_id);
            db_bind_text(s, 11, app_id);
            db_bind_text(s, 12, case_state_name(CS_DRAFT));
        }
    }
    free(text);
    if (!s)
        return case_err(err);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    if (n != 1)
        return pc_err_set(err, PC_ECONFLICT, "the application was already submitted");
    /* a paper application is submitted by whoever registered it, for the applicant */
    const char *actor = o->registered_by ? o->registered_by : who->account_id;
    const char *role = o->registered_by ? o->registered_role : who->acting_for ? "representative" : "citizen";
    rc = case_add_event(c, app_id, actor, o->registered_by ? role : "applicant",
                        o->channel == CASE_CH_PAPER ? "submit_paper" : "submit", CS_DRAFT, CS_SUBMITTED, o->district,
                        now, err);
    char detail[160];
    snprintf(detail, sizeof detail, "%s %s", def->service, case_channel_name(o->channel));
    struct audit_entry e = {.actor = actor, .role = role, .action = "application.submit", .object_type = "application",
                            .object_id = reference, .ip = ip ? ip : "", .detail = detail};
    if (!rc) {
        int64_t seq = audit_append(c, &e, err);
        rc = seq < 0 ? (int)seq : 0;
    }
    if (!rc)
        rc = case_count_use(c, def->service, si->agency, "submit", now, err);
    if (!rc)
        rc = case_count_channel(c, o, now, err);
    struct case_notice note = {.template_id = "application-submitted", .reference = reference, .service = &si->name,
                               .status = -1};
    if (!rc)
        rc = case_notify_applicant(c, who->fin, lang, &note, err);
    note.template_id = "case-arrived";
    if (!rc)
        rc = case_notify_staff(c, si->agency, NULL, &note, err);
    return rc;
}

/* Every file an application refers to must have been uploaded by its
 * applicant: content-addressed storage must not let one person attach (and
 * then download) another person's file by naming its hash.  The upload's
 * record then says what the file is: a client that labels a PDF "image/png"
 * or states a smaller size is not believed. */
static int resolve_file(struct db_conn *c, json_t *a, const char *field, const char *applicant,
                        struct form_issues *issues, struct pc_err *err)
{
    const char *sha = json_string_value(json_object_get(a, "sha256"));
    if (!sha)
        return 0;
    struct pc_arena arena;
    pc_arena_init(&arena);
    struct case_file f;
    int rc = case_upload_find(c, applicant, sha, &f, &arena, err);
    if (rc == 0) {
        json_object_set_new(a, "name", json_string(f.name));
        json_object_set_new(a, "size", json_integer(f.size));
        json_object_set_new(a, "type", json_string(f.mime));
    } else if (rc == PC_ENOTFOUND) {
        form_issue_add(issues, field, FORM_ISSUE_UNKNOWN_FILE, 0);
        rc = 0;
    }
    pc_arena_release(&arena);
    return rc;
}

int case_resolve_files(struct db_conn *c, const struct form_def *def, json_t *answers, const char *applicant,
                       struct form_issues *issues, struct pc_err *err)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < def->npages; i++)
        for (size_t k = 0; !rc && k < def->pages[i].nquestions; k++) {
            const struct form_question *q = &def->pages[i].questions[k];
            json_t *a = json_object_get(answers, q->id);
            if (q->type == FORM_FILE)
                rc = resolve_file(c, a, q->id, applicant, issues, err);
            for (size_t j = 0; !rc && q->type == FORM_GROUP && j < json_array_size(a); j++)
                for (size_t m = 0; !rc && m < q->nquestions; m++)
                    if (q->questions[m].type == FORM_FILE)
                        rc = resolve_file(c, json_object_get(json_array_get(a, j), q->questions[m].id), q->id,
                                          applicant, issues, err);
        }
    db_conn_idle(c);
    return rc;
}

/* The application filed earlier with this key, if any (1), else 0. */
static int earlier_with_key(struct db *db, struct db_conn *c, const struct id_principal *who, const char *key,
                            struct pc_arena *a, struct case_app *out, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT reference FROM applications WHERE applicant = ? AND idempotency_key = ?",
                                   err);
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, who->account_id);
    db_bind_text(s, 2, key);
    int rc = db_step(s, err);
    if (rc != 1)
        return rc;
    char *ref = pc_arena_strdup(a, db_col_text(s, 0));
    db_conn_idle(c);
    rc = case_load(db, a, ref, out, err);
    return rc ? rc : 1;
}

int case_submit(struct db *db, const struct form_set *forms, const struct id_principal *who, const char *service_id,
                const json_t *answers, const char *idempotency_key, enum pc_lang lang, const char *ip,
                struct pc_arena *a, struct case_app *out, bool *existing, struct form_issues *issues,
                struct pc_err *err)
{
    *existing = false;
    issues->n = 0;
    memset(out, 0, sizeof *out);
    if (idempotency_key && (strlen(idempotency_key) < 8 || strlen(idempotency_key) > 128))
        return pc_err_set(err, PC_EINVAL, "Idempotency-Key must be 8–128 characters");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return case_err(err);
    /* A retry with the same key gets the first answer back. */
    int rc = idempotency_key ? earlier_with_key(db, c, who, idempotency_key, a, out, err) : 0;
    if (rc)
        return rc < 0 ? rc : (*existing = true, 0);
    const struct form_def *def = form_set_get(forms, service_id);
    if (!def)
        return pc_err_set(err, PC_ENOTFOUND, "this service takes no electronic applications");
    struct case_service si;
    if ((rc = case_service_info(db, a, service_id, &si, err)) || (rc = case_level_ok(who, service_id, &si, err)))
        return rc;
    if (def->signature == FORM_SIGN_REQUIRED) /* signed on the pages: a draft, its bytes, the signature */
        return pc_err_set(err, PC_EINVAL, "applications to this service are signed by the applicant: send them through"
                                          " the portal's pages");
    char day[11];
    form_today(day);
    struct form_answers view = {.j = (json_t *)answers};
    form_check_answers(def, &view, NULL, day, issues);
    /* the files as uploaded, not as described: checked again with what
     * they really are, and kept so */
    struct form_answers *resolved = form_answers_own(a, json_deep_copy(answers));
    rc = issues->n ? 0 : case_resolve_files(c, def, resolved->j, who->account_id, issues, err);
    if (rc)
        return rc;
    if (!issues->n)
        form_check_answers(def, resolved, NULL, day, issues);
    answers = resolved->j;
    if (issues->n)
        return pc_err_set(err, PC_EINVAL, "%d answer%s need%s attention", issues->n, issues->n == 1 ? "" : "s",
                          issues->n == 1 ? "s" : "");
    if (case_fee_first(def, &si))
        return pc_err_set(err, PC_EDENIED, "this service's fee is paid before submission: file a draft and pay it");
    char id[33], reference[24];
    pc_random_hex(id, 16);
    int64_t now = pc_now_unix();
    if ((rc = db_begin(c, err)))
        return rc;
    struct case_origin origin = case_origin_of(who, CASE_CH_API);
    rc = case_write_submission(c, who, id, true, &si, def, answers, idempotency_key, lang, &origin, ip, now,
                               reference, err);
    if (rc) {
        db_rollback(c);
        /* two retries raced: the other one won; answer with its case */
        struct pc_err ignore = {0};
        if (rc == PC_ECONFLICT && idempotency_key &&
            earlier_with_key(db, c, who, idempotency_key, a, out, &ignore) == 1) {
            *existing = true;
            return 0;
        }
        return rc;
    }
    if ((rc = db_commit(c, err)))
        return rc;
    return case_load(db, a, reference, out, err);
}

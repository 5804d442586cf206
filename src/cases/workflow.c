/* workflow.c — the workflow of an application: its states and steps, the
 * one table of which step leads from which state to which, who may take a
 * step (the applicant, or the agency's staff with the roles the service's
 * own workflow names), and taking a step with optimistic locking.  Pages
 * ask case_steps_available which buttons to show; case_act takes the same
 * decision through case_step_check, so a button shown is a step that works. */
#include "internal.h"
#include "../audit/audit.h"
#include "../identity/identity.h"

#include <string.h>

#define RESPOND_WITHIN_SECS (15 * 86400)   /* an applicant's time to answer a request */
#define NOTE_MAX 4000

/* ---- states ------------------------------------------------------------------ */

static const char *const state_names[CS_COUNT] = {
    "draft", "submitted", "registered", "in_review", "info_requested", "citizen_responded",
    "approved", "refused", "delivered", "cancelled", "appealed",
};

/* How a message to the applicant names a state, inside a sentence. */
static const struct pc_text state_notices[CS_COUNT] = {
    [CS_DRAFT] = {{"qaralama", "draft", "черновик"}},
    [CS_SUBMITTED] = {{"göndərilib", "submitted", "подано"}},
    [CS_REGISTERED] = {{"qeydə alınıb", "registered", "зарегистрировано"}},
    [CS_IN_REVIEW] = {{"baxılır", "under review", "на рассмотрении"}},
    [CS_INFO_REQUESTED] = {{"əlavə məlumat gözlənilir", "more information requested", "запрошены сведения"}},
    [CS_CITIZEN_RESPONDED] = {{"cavabınız alınıb", "your answer received", "ваш ответ получен"}},
    [CS_APPROVED] = {{"təsdiq edilib", "approved", "одобрено"}},
    [CS_REFUSED] = {{"imtina edilib", "refused", "отказано"}},
    [CS_DELIVERED] = {{"nəticə verilib", "result issued", "результат выдан"}},
    [CS_CANCELLED] = {{"ləğv edilib", "cancelled", "отменено"}},
    [CS_APPEALED] = {{"şikayətinizə baxılır", "your appeal is being reviewed", "ваша жалоба рассматривается"}},
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

bool case_state_decided(enum case_state s)
{
    return s == CS_APPROVED || s == CS_REFUSED || s == CS_DELIVERED;
}

const char *case_state_notice(enum case_state s, enum pc_lang lang)
{
    return (unsigned)s < CS_COUNT ? pc_text_get(&state_notices[s], lang) : "";
}

/* ---- steps ------------------------------------------------------------------- */

static const struct case_transition workflow[CASE_STEP_COUNT] = {
    [CASE_STEP_ASSIGN_TO_ME] = {CASE_STEP_ASSIGN_TO_ME,
                                {CS_SUBMITTED, CS_REGISTERED, CS_IN_REVIEW, CS_INFO_REQUESTED, CS_CITIZEN_RESPONDED},
                                -1, false, false, NULL},
    [CASE_STEP_REGISTER] = {CASE_STEP_REGISTER, {CS_SUBMITTED}, CS_REGISTERED, false, false, "status-changed"},
    [CASE_STEP_START_REVIEW] = {CASE_STEP_START_REVIEW, {CS_REGISTERED, CS_CITIZEN_RESPONDED}, CS_IN_REVIEW, false,
                                false, "status-changed"},
    [CASE_STEP_REQUEST_INFO] = {CASE_STEP_REQUEST_INFO, {CS_REGISTERED, CS_IN_REVIEW}, CS_INFO_REQUESTED, false, true,
                                "more-info-requested"},
    [CASE_STEP_RESPOND] = {CASE_STEP_RESPOND, {CS_INFO_REQUESTED}, CS_CITIZEN_RESPONDED, true, true, NULL},
    [CASE_STEP_APPROVE] = {CASE_STEP_APPROVE, {CS_IN_REVIEW}, CS_APPROVED, false, true, "decided"},
    [CASE_STEP_REFUSE] = {CASE_STEP_REFUSE, {CS_IN_REVIEW}, CS_REFUSED, false, true, "decided"},
    [CASE_STEP_DELIVER] = {CASE_STEP_DELIVER, {CS_APPROVED}, CS_DELIVERED, false, false, "result-ready"},
    [CASE_STEP_CANCEL] = {CASE_STEP_CANCEL, {CS_SUBMITTED, CS_REGISTERED}, CS_CANCELLED, true, false, "status-changed"},
    [CASE_STEP_APPEAL] = {CASE_STEP_APPEAL, {CS_REFUSED}, CS_APPEALED, true, true, "status-changed"},
    [CASE_STEP_UPHOLD_REFUSAL] = {CASE_STEP_UPHOLD_REFUSAL, {CS_APPEALED}, CS_REFUSED, false, true, "decided"},
    [CASE_STEP_GRANT_APPEAL] = {CASE_STEP_GRANT_APPEAL, {CS_APPEALED}, CS_IN_REVIEW, false, true, "status-changed"},
};

static const char *const step_names[CASE_STEP_COUNT] = {
    [CASE_STEP_ASSIGN_TO_ME] = "assign_to_me", [CASE_STEP_REGISTER] = "register",
    [CASE_STEP_START_REVIEW] = "start_review", [CASE_STEP_REQUEST_INFO] = "request_info",
    [CASE_STEP_RESPOND] = "respond", [CASE_STEP_APPROVE] = "approve", [CASE_STEP_REFUSE] = "refuse",
    [CASE_STEP_DELIVER] = "deliver", [CASE_STEP_CANCEL] = "cancel", [CASE_STEP_APPEAL] = "appeal",
    [CASE_STEP_UPHOLD_REFUSAL] = "uphold_refusal", [CASE_STEP_GRANT_APPEAL] = "grant_appeal",
};

const char *case_step_name(enum case_step s)
{
    return (unsigned)s < CASE_STEP_COUNT ? step_names[s] : "unknown";
}

int case_step_parse(const char *name)
{
    for (int i = 0; i < CASE_STEP_COUNT; i++)
        if (pc_str_eq(name, step_names[i]))
            return i;
    return -1;
}

const struct case_transition *case_transition_of(enum case_step step)
{
    return (unsigned)step < CASE_STEP_COUNT ? &workflow[step] : NULL;
}

bool case_step_by_applicant(enum case_step s)
{
    return (unsigned)s < CASE_STEP_COUNT && workflow[s].by_applicant;
}

bool case_step_needs_note(enum case_step s)
{
    return (unsigned)s < CASE_STEP_COUNT && workflow[s].note_required;
}

static bool allowed_from(const struct case_transition *t, enum case_state state)
{
    for (int i = 0; i < 5 && t->from[i] != CS_DRAFT; i++)
        if (t->from[i] == state)
            return true;
    return false;
}

/* The staff roles the service lets take the step (none named: any). */
static bool role_may_take(const struct form_workflow *wf, enum case_step step, const struct id_principal *who,
                          const char *agency)
{
    unsigned roles = wf ? wf->roles[step] : 0;
    if (!roles)
        return true;
    for (int g = 0; g < who->ngrants; g++)
        if ((roles & (1u << who->grants[g].role)) && pc_str_eq(who->grants[g].agency_id, agency))
            return true;
    return false;
}

/* The end of the term to appeal app's refusal, 0 when there is none to appeal. */
static int64_t appeal_until(const struct form_def *def, const struct case_app *app)
{
    if (app->status != CS_REFUSED || app->appealed_at || !app->decided_at)
        return 0;
    int days = def && def->workflow.appeal_days ? def->workflow.appeal_days : CASE_APPEAL_DAYS_DEFAULT;
    return app->decided_at + (int64_t)days * 86400;
}

/* The rules of the appeal, beyond who may take a step at all. */
static enum case_step_block appeal_rule(const struct form_def *def, const struct case_app *app,
                                        const struct id_principal *who, enum case_step step)
{
    if (step == CASE_STEP_APPEAL && app->status == CS_REFUSED && pc_now_unix() > appeal_until(def, app))
        return CASE_BLOCK_APPEAL_TERM;
    /* the review is someone else's than the decision it reviews */
    if ((step == CASE_STEP_UPHOLD_REFUSAL || step == CASE_STEP_GRANT_APPEAL) && app->decided_by &&
        pc_str_eq(app->decided_by, who->account_id))
        return CASE_BLOCK_SAME_OFFICER;
    return CASE_BLOCK_NONE;
}

static int step_check(const struct form_def *def, const struct case_app *app, const struct id_principal *who,
                      enum case_step step, enum case_step_block *block, struct pc_err *err)
{
    *block = CASE_BLOCK_NONE;
    const struct case_transition *t = case_transition_of(step);
    if (!t)
        return pc_err_set(err, PC_EINVAL, "unknown action");
    struct id_resource res = {.owner = app->applicant, .agency_id = app->agency_id};
    bool may = t->by_applicant ? who && pc_str_eq(who->account_id, app->applicant) && id_authorize(who, ID_ACT_VIEW_CASE, &res)
                               : id_authorize(who, ID_ACT_ACT_ON_CASE, &res);
    if (!may)
        return pc_err_set(err, PC_EDENIED, "you may not take this step on this application");
    /* no definition (a version gone): the standard workflow */
    const struct form_workflow *wf = def ? &def->workflow : NULL;
    if (wf && !(wf->steps & (1u << step)))
        return pc_err_set(err, PC_EDENIED, "this service has no such step");
    if (!t->by_applicant && !role_may_take(wf, step, who, app->agency_id))
        return pc_err_set(err, PC_EDENIED, "your role may not take this step for this service");
    if (!allowed_from(t, app->status) || (step == CASE_STEP_APPEAL && app->appealed_at))
        return pc_err_set(err, PC_EDENIED, "this step is not possible while the application is %s%s",
                          case_state_name(app->status), app->appealed_at ? " (its refusal was appealed once)" : "");
    *block = appeal_rule(def, app, who, step);
    if (*block == CASE_BLOCK_APPEAL_TERM) {
        char until[21];
        pc_rfc3339(appeal_until(def, app), until);
        return pc_err_set(err, PC_EDENIED, "the term for an appeal ended at %s", until);
    }
    if (*block == CASE_BLOCK_SAME_OFFICER)
        return pc_err_set(err, PC_EDENIED, "an appeal is reviewed by someone other than the officer who refused");
    return 0;
}

int case_step_check(const struct form_def *def, const struct case_app *app, const struct id_principal *who,
                    enum case_step step, struct pc_err *err)
{
    enum case_step_block block;
    return step_check(def, app, who, step, &block, err);
}

enum case_step_block case_step_blocked(const struct form_set *forms, const struct case_app *app,
                                       const struct id_principal *who, enum case_step step)
{
    enum case_step_block block;
    step_check(form_set_version(forms, app->service_id, app->form_version), app, who, step, &block, NULL);
    return block;
}

int64_t case_appeal_until(const struct form_set *forms, const struct case_app *app)
{
    return appeal_until(form_set_version(forms, app->service_id, app->form_version), app);
}

size_t case_steps_available(const struct form_set *forms, const struct case_app *app, const struct id_principal *who,
                            enum case_step *out, size_t max)
{
    const struct form_def *def = form_set_version(forms, app->service_id, app->form_version);
    size_t n = 0;
    for (int s = 0; s < CASE_STEP_COUNT && n < max; s++)
        if (case_step_check(def, app, who, (enum case_step)s, NULL) == 0)
            out[n++] = (enum case_step)s;
    return n;
}

int64_t case_state_secs(const struct form_def *def, enum case_state s, int64_t dflt)
{
    int days = def && (unsigned)s < CS_COUNT ? def->workflow.deadline_days[s] : 0;
    return days ? (int64_t)days * 86400 : dflt;
}

/* ---- taking a step ------------------------------------------------------------- */

static int check_note(const struct case_transition *t, const char *note, struct pc_err *err)
{
    if (note && strlen(note) > NOTE_MAX)
        return pc_err_set(err, PC_EINVAL, "the note is longer than %d bytes", NOTE_MAX);
    if (note && !pc_utf8_valid(note, strlen(note)))
        return pc_err_set(err, PC_EINVAL, "the note is not valid text");
    if (t->note_required && (!note || !*note))
        return pc_err_set(err, PC_EINVAL, "this step needs a note (a reason or a message)");
    return 0;
}

/* The row changes only if nobody changed it since the actor looked. */
static int update_case(struct db_conn *c, const struct case_app *app, const struct case_transition *t,
                       enum case_state to, const char *who, const char *note, int64_t now, int64_t state_due,
                       struct pc_err *err)
{
    /* a decision (not the review of an appeal, which keeps the decision
     * and its officer); a new refusal may be appealed again */
    bool decides = t->step == CASE_STEP_APPROVE || t->step == CASE_STEP_REFUSE;
    bool appeals = t->step == CASE_STEP_APPEAL;
    struct db_stmt *s = db_prepare(c,
        "UPDATE applications SET status = ?, version = version + 1, updated_at = ?,"
        " assigned_to = CASE WHEN ? = 1 THEN ? ELSE assigned_to END,"
        " decision = CASE WHEN ? = 1 THEN ? ELSE decision END,"
        " decided_at = CASE WHEN ? = 1 THEN ? ELSE decided_at END,"
        " decided_by = CASE WHEN ? = 1 THEN ? ELSE decided_by END,"
        " appealed_at = CASE WHEN ? = 1 THEN ? WHEN ? = 1 THEN NULL ELSE appealed_at END,"
        " state_due_at = ? WHERE id = ? AND version = ?", err);
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, case_state_name(to));
    db_bind_int(s, 2, now);
    db_bind_int(s, 3, !t->by_applicant);
    db_bind_text(s, 4, who);
    db_bind_int(s, 5, decides);
    db_bind_text(s, 6, decides ? note : NULL);
    db_bind_int(s, 7, decides);
    db_bind_int(s, 8, now);
    db_bind_int(s, 9, decides);
    db_bind_text(s, 10, who);
    db_bind_int(s, 11, appeals);
    db_bind_int(s, 12, now);
    db_bind_int(s, 13, decides);
    db_bind_int(s, 14, state_due);
    db_bind_text(s, 15, app->id);
    db_bind_int(s, 16, app->version);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    return n == 1 ? 0 : pc_err_set(err, PC_ECONFLICT, "someone else acted on this application; reload it");
}

/* The event, the audit entry, the usage count and the messages of a step. */
static int step_effects(struct db_conn *c, const struct case_app *app, const struct case_transition *t,
                        enum case_state to, const struct id_principal *who, const char *note, const char *ip,
                        int64_t now, struct pc_arena *a, struct pc_err *err)
{
    const char *role = t->by_applicant ? "applicant" : "officer";
    const char *action = case_step_name(t->step);
    int rc = case_add_event(c, app->id, who->account_id, role, action, app->status, to, note, now, err);
    if (!rc) {
        struct audit_entry e = {.actor = who->account_id, .role = role,
                                .action = pc_arena_printf(a, "application.%s", action), .object_type = "application",
                                .object_id = app->reference, .ip = ip ? ip : "", .detail = case_state_name(to)};
        int64_t seq = audit_append(c, &e, err);
        rc = seq < 0 ? (int)seq : 0;
    }
    if (!rc && (t->step == CASE_STEP_APPROVE || t->step == CASE_STEP_REFUSE))
        rc = case_count_use(c, app->service_id, app->agency_id, "decide", now, err);
    if (!rc && to == CS_CITIZEN_RESPONDED) {
        /* the officer who asked (the one it is assigned to), or the agency */
        struct case_notice n = {.template_id = "citizen-responded", .reference = app->reference, .status = -1};
        rc = case_notify_staff(c, app->agency_id, app->assigned_to, &n, err);
    }
    if (!rc && t->template_id) {
        struct case_notice n = {.template_id = t->template_id, .reference = app->reference, .status = (int)to,
                                .outcome = to == CS_APPROVED ? "approved" : to == CS_REFUSED ? "refused" : ""};
        if (note && (to == CS_INFO_REQUESTED || to == CS_REFUSED)) {
            n.note_key = to == CS_REFUSED ? "reason" : "message";
            n.note = note;
        }
        int lang = pc_lang_parse(app->lang);
        enum pc_lang in = lang < 0 ? PC_LANG_AZ : (enum pc_lang)lang;
        /* a guest (nologin) is told at the contact it gave, a person at their record's */
        rc = app->anonymous ? case_guest_notify(c, app->id, in, &n, err)
                            : case_notify_applicant(c, app->applicant_fin, in, &n, err);
    }
    return rc;
}

int case_act(struct db *db, const struct form_set *forms, const struct id_principal *who, const char *reference,
             enum case_step step, const char *note, int64_t expected_version, const char *ip, struct pc_arena *a,
             struct case_app *out, struct pc_err *err)
{
    return case_act_with(db, forms, who, reference, step, note, expected_version, ip, NULL, a, out, err);
}

int case_act_with(struct db *db, const struct form_set *forms, const struct id_principal *who, const char *reference,
                  enum case_step step, const char *note, int64_t expected_version, const char *ip,
                  const struct case_act_extra *extra, struct pc_arena *a, struct case_app *out, struct pc_err *err)
{
    const struct case_transition *t = case_transition_of(step);
    if (!t)
        return pc_err_set(err, PC_EINVAL, "unknown action");
    int rc = check_note(t, note, err);
    if (rc)
        return rc;
    struct case_app app;
    if ((rc = case_load_row(db, a, reference, false, &app, err)))
        return rc;
    const struct form_def *def = form_set_version(forms, app.service_id, app.form_version);
    if ((rc = case_step_check(def, &app, who, step, err)))
        return rc;
    if (expected_version != app.version)
        return pc_err_set(err, PC_ECONFLICT, "someone else acted on this application; reload it");
    enum case_state to = t->to >= 0 ? (enum case_state)t->to : app.status;
    int64_t now = extra && extra->at ? extra->at : pc_now_unix();
    int64_t state_due = to == CS_INFO_REQUESTED ? now + case_state_secs(def, to, RESPOND_WITHIN_SECS)
                        : case_state_secs(def, to, 0) ? now + case_state_secs(def, to, 0)
                        : app.due_at;
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return case_err(err);
    if ((rc = db_begin(c, err)))
        return rc;
    rc = update_case(c, &app, t, to, who->account_id, note, now, state_due, err);
    if (!rc)
        rc = step_effects(c, &app, t, to, who, note, ip, now, a, err);
    if (!rc && extra && extra->write)
        rc = extra->write(c, extra->ctx, err);
    if ((rc = db_end(c, rc, err)))
        return rc;
    return case_load(db, a, app.id, out, err);
}

/* drafts.c — the page-by-page flow: a draft is started for the newest
 * version of a service's form and keeps that version; each page posted is
 * checked and saved (so the flow can be resumed on another device or
 * node); the draft is submitted with the same checks and effects as a
 * one-step submission. */
#include "internal.h"
#include "../identity/identity.h"

#include <stdlib.h>
#include <string.h>

int case_draft_new(struct db *db, const struct form_set *forms, const struct id_principal *who,
                   const char *service_id, enum pc_lang lang, struct pc_arena *a, const char **id_out,
                   struct pc_err *err)
{
    const struct form_def *def = form_set_get(forms, service_id);
    if (!def)
        return pc_err_set(err, PC_ENOTFOUND, "this service takes no electronic applications");
    struct case_service si;
    int rc = case_service_info(db, a, service_id, &si, err);
    if (rc || (rc = case_level_ok(who, service_id, &si, err)))
        return rc;
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return case_err(err);
    char *id = pc_arena_alloc(a, 33);
    pc_random_hex(id, 16);
    int64_t now = pc_now_unix();
    if ((rc = db_begin(c, err)))
        return rc;
    struct db_stmt *s = db_prepare(c, "INSERT INTO applications(id, service_id, agency_id, form_version, applicant,"
                                      " applicant_fin, acting_for, status, answers, version, lang, created_at, updated_at)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', 1, ?, ?, ?)", err);
    rc = case_err(err);
    if (s) {
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, service_id);
        db_bind_text(s, 3, si.agency);
        db_bind_int(s, 4, def->version);
        db_bind_text(s, 5, who->account_id);
        db_bind_text(s, 6, who->fin);
        db_bind_text(s, 7, who->acting_for);
        db_bind_text(s, 8, case_state_name(CS_DRAFT));
        db_bind_text(s, 9, pc_lang_code(lang));
        db_bind_int(s, 10, now);
        db_bind_int(s, 11, now);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : 0;
    }
    if (!rc)
        rc = case_count_use(c, service_id, si.agency, "start", now, err);
    if ((rc = db_end(c, rc, err)))
        return rc;
    *id_out = id;
    return 0;
}

/* Remove the answers of pages that are hidden now (after a change). */
static void drop_hidden(const struct form_def *d, struct form_answers *a)
{
    for (size_t i = 0; i < d->npages; i++) {
        if (form_page_visible(&d->pages[i], a))
            continue;
        for (size_t k = 0; k < d->pages[i].nquestions; k++)
            json_object_del(a->j, d->pages[i].questions[k].id);
    }
}

static int save_answers(struct db *db, const char *id, const json_t *answers, int64_t expected_version,
                        struct pc_err *err)
{
    char *text = json_dumps(answers, JSON_COMPACT);
    if (!text)
        pc_oom(0);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "UPDATE applications SET answers = ?, version = version + 1, updated_at = ?"
                                          " WHERE id = ? AND version = ? AND status = ?", err) : NULL;
    int rc = case_err(err);
    if (s) {
        db_bind_text(s, 1, text);
        db_bind_int(s, 2, pc_now_unix());
        db_bind_text(s, 3, id);
        db_bind_int(s, 4, expected_version);
        db_bind_text(s, 5, case_state_name(CS_DRAFT));
        int64_t n = db_run(s, err);
        rc = n == 1 ? 0 : n == 0 ? pc_err_set(err, PC_ECONFLICT, "the draft changed in another window") : (int)n;
    }
    free(text);
    return rc;
}

/* Drop the page's issues of fields whose upload already failed (one
 * message per field: why the file was refused). */
static void merge_upload_issues(struct form_issues *issues, const struct form_issues *uploads)
{
    int keep = 0;
    for (int i = 0; i < issues->n; i++) {
        bool dup = false;
        for (int k = 0; k < uploads->n; k++)
            dup = dup || strcmp(issues->items[i].field, uploads->items[k].field) == 0;
        if (!dup)
            issues->items[keep++] = issues->items[i];
    }
    issues->n = keep;
    for (int k = 0; k < uploads->n; k++)
        form_issue_add(issues, uploads->items[k].field, uploads->items[k].code, uploads->items[k].limit);
}

int case_draft_post_page(struct db *db, const struct form_def *def, const struct id_principal *who,
                         const struct case_app *app, const struct form_page *page, const struct form_post *post,
                         struct pc_arena *a, struct case_page_result *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    out->version = app->version;
    if (app->status != CS_DRAFT)
        return pc_err_set(err, PC_ECONFLICT, "the application was already submitted");
    bool ours = false;
    for (size_t i = 0; i < def->npages; i++)
        ours = ours || &def->pages[i] == page;
    if (!ours || !pc_str_eq(def->service, app->service_id) || def->version != app->form_version)
        return pc_err_set(err, PC_EINVAL, "the page is not of this draft's form");
    for (size_t i = 0; i < post->nfiles; i++) {
        const struct form_post_file *f = &post->files[i];
        int rc = f->error ? 0 : case_upload_keep(f->part, who->account_id, &f->file, err);
        if (rc)
            return rc;
    }
    struct form_issues uploads = {0};
    out->answers = form_take_page(page, post, app->answers, a, &uploads);
    bool regroup = post->add || post->remove;
    char day[11];
    form_today(day);
    if (!regroup)
        form_check_answers(def, out->answers, page, day, &out->issues);
    merge_upload_issues(&out->issues, &uploads);
    out->show_again = regroup || out->issues.n;
    if (out->issues.n)
        return 0;
    /* saved as the applicant goes: also when adding or removing an item */
    struct form_answers *saved = form_answers_own(a, json_deep_copy(out->answers->j));
    drop_hidden(def, saved);
    int rc = save_answers(db, app->id, saved->j, post->version, err);
    if (rc)
        return rc;
    out->version = post->version + 1;
    if (!out->show_again)
        out->next = form_next_page(def, out->answers, page);
    return 0;
}

const struct form_page *case_draft_problem_page(const struct form_def *def, const struct case_app *app)
{
    struct form_issues issues;
    char day[11];
    form_today(day);
    form_check_answers(def, app->answers, NULL, day, &issues);
    return issues.n ? form_issue_page(def, app->answers, &issues.items[0]) : NULL;
}

/* Submit the draft id for who: paid_ref is the payment of a fee due
 * first (NULL: none given, and then a fee due first stops it); guest
 * what a guest's submission writes besides (NULL for an account's). */
static int submit_draft(struct db *db, const struct form_set *forms, const struct id_principal *who, const char *id,
                        const char *paid_ref, const struct case_guest_write *guest, const char *ip,
                        struct pc_arena *a, struct case_app *out, struct form_issues *issues, struct pc_err *err)
{
    issues->n = 0;
    /* a guest's case without a contact and a code could never be followed */
    if (who->kind == ID_ACCOUNT_GUEST && !guest)
        return pc_err_set(err, PC_EINVAL, "an application without login needs a contact");
    struct case_app app;
    int rc = case_load(db, a, id, &app, err);
    if (rc)
        return rc;
    if (app.status != CS_DRAFT) {
        /* a second click or a reload: the same case, no second one */
        *out = app;
        return 0;
    }
    const struct form_def *def = form_set_version(forms, app.service_id, app.form_version);
    if (!def)
        return pc_err_set(err, PC_ENOTFOUND, "the form of this draft is gone");
    struct case_service si;
    if ((rc = case_service_info(db, a, app.service_id, &si, err)))
        return rc;
    /* the login the service asks for; a paid draft is submitted by the
     * payment's callback, with only the applicant's identity, after the
     * applicant passed this check when asking to pay */
    if (!paid_ref && (rc = case_level_ok(who, app.service_id, &si, err)))
        return rc;
    char day[11];
    form_today(day);
    form_check_answers(def, app.answers, NULL, day, issues);
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return case_err(err);
    if (!issues->n && (rc = case_resolve_files(c, def, app.answers->j, app.applicant, issues, err)))
        return rc;
    if (issues->n)
        return pc_err_set(err, PC_EINVAL, "some answers need attention");
    /* a form that asks for the applicant's signature: of the answers as they are */
    if (def->signature == FORM_SIGN_REQUIRED && (rc = case_signed_now(db, a, &app, err)))
        return rc == PC_ENOTFOUND ? pc_err_set(err, PC_EINVAL, "the application must be signed (again, if the answers changed)")
                                  : rc;
    if (!paid_ref && case_fee_first(def, &si))
        return pc_err_set(err, PC_EMORE, "the fee is paid before this application is submitted");
    int lang = pc_lang_parse(app.lang);
    char reference[24];
    int64_t now = pc_now_unix();
    if ((rc = db_begin(c, err)))
        return rc;
    struct case_origin origin = case_origin_of(who, guest ? CASE_CH_ANONYMOUS : CASE_CH_WEB);
    rc = case_write_submission(c, who, app.id, false, &si, def, app.answers->j, NULL,
                               lang < 0 ? PC_LANG_AZ : (enum pc_lang)lang, &origin, ip, now, reference, err);
    if (!rc && paid_ref)
        rc = case_add_event(c, app.id, "system", "payments", "fee_paid", CS_SUBMITTED, CS_SUBMITTED, paid_ref, now, err);
    if (!rc && guest)
        rc = case_guest_record(c, app.id, reference, guest, lang < 0 ? PC_LANG_AZ : (enum pc_lang)lang, &si, now, err);
    rc = db_end(c, rc, err);
    if (rc && rc != PC_ECONFLICT) /* a conflict: submitted meanwhile by a double click */
        return rc;
    return case_load(db, a, id, out, err);
}

int case_draft_submit(struct db *db, const struct form_set *forms, const struct id_principal *who, const char *id,
                      const char *ip, struct pc_arena *a, struct case_app *out, struct form_issues *issues,
                      struct pc_err *err)
{
    return submit_draft(db, forms, who, id, NULL, NULL, ip, a, out, issues, err);
}

int case_draft_submit_guest(struct db *db, const struct form_set *forms, const struct id_principal *who,
                            const char *id, const struct case_contact *contact, const char *ip, struct pc_arena *a,
                            struct case_app *out, char code_out[CASE_ACCESS_CODE_CHARS + 1],
                            struct form_issues *issues, struct pc_err *err)
{
    code_out[0] = 0;
    issues->n = 0;
    if (who->kind != ID_ACCOUNT_GUEST)
        return pc_err_set(err, PC_EDENIED, "only a guest applies without login");
    struct case_guest_write g = {.contact = contact, .code_out = code_out};
    return submit_draft(db, forms, who, id, NULL, &g, ip, a, out, issues, err);
}

int case_draft_submit_paid(struct db *db, const struct form_set *forms, const char *id, const char *payment_ref,
                           struct pc_arena *a, struct case_app *out, struct pc_err *err)
{
    struct case_app app;
    int rc = case_load_row(db, a, id, false, &app, err);
    if (rc)
        return rc;
    /* the applicant submits it: the payment was theirs */
    struct id_principal who = {.account_id = app.applicant, .fin = app.applicant_fin, .acting_for = app.acting_for};
    struct form_issues issues;
    return submit_draft(db, forms, &who, app.id, payment_ref, NULL, "", a, out, &issues, err);
}

int case_fee_due(struct db *db, const struct form_set *forms, const struct case_app *app, struct pc_arena *a,
                 int64_t *qepik, struct pc_err *err)
{
    *qepik = 0;
    const struct form_def *def = form_set_version(forms, app->service_id, app->form_version);
    if (app->status != CS_DRAFT || !def)
        return 0;
    struct case_service si;
    int rc = case_service_info(db, a, app->service_id, &si, err);
    if (rc)
        return rc;
    *qepik = case_fee_first(def, &si) ? si.fee_qepik : 0;
    return 0;
}

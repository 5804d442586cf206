/* office.c — the agency back office: the inbox of the officer's own
 * agency (filters by status, overdue, assigned to me; paging that stays
 * fast with tens of thousands of cases), a case with its answers, the
 * applicant's record, files and history (each look, and each file
 * downloaded, goes into the applicant's personal-data access log), and
 * the steps cases says the officer may take now.
 * Two officers deciding at once: the second gets a clear conflict message. */
#include "internal.h"

#include <string.h>

static const char *short_time(struct http_req *r, int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    return pc_arena_printf(&r->arena, "%.10s", ts);
}

/* A service's name in the page's language (its id if the catalogue lacks
 * it), remembered for the rest of the request: an inbox page of fifty cases
 * names a handful of services, and each look-up is three queries. */
struct name_memo {
    const char *id[16], *name[16];
    int n;
};

static const char *service_name(struct http_req *r, struct name_memo *m, const char *id)
{
    for (int i = 0; m && i < m->n; i++)
        if (strcmp(m->id[i], id) == 0)
            return m->name[i];
    struct cat_service s;
    const char *name = cat_get_service(app_of(r)->db, &r->arena, id, &s, NULL) == 0 ? pc_text_get(&s.name, web_lang_id(r)) : id;
    if (m && m->n < 16) {
        m->id[m->n] = id;
        m->name[m->n++] = name;
    }
    return name;
}

/* The officer's agency, after checking they may see its cases. */
static const char *my_agency(struct http_req *r)
{
    const struct id_principal *who = web_who(r);
    const char *agency = id_agency_of(who);
    struct id_resource res = {.agency_id = agency ? agency : ""};
    if (!web_require(r, ID_ACT_VIEW_AGENCY_CASES, &res))
        return NULL;
    return agency;
}

int web_page_office(struct http_req *r)
{
    const char *agency = my_agency(r);
    if (!agency)
        return 0;
    const struct id_principal *who = web_who(r);
    struct case_filter f = {.agency_id = agency, .limit = 50};
    const char *status = http_kv_get(&r->query, "status");
    if (status && *status) {
        int st = case_state_parse(status);
        if (st < 0)
            return http_error(r, 400, "bad-parameter", "Bad request", "unknown status");
        f.by_status = true;
        f.status = (enum case_state)st;
    }
    f.overdue = pc_str_eq(http_kv_get(&r->query, "overdue"), "1");
    if (pc_str_eq(http_kv_get(&r->query, "mine"), "1"))
        f.assigned_to = who->account_id;
    f.cursor = http_kv_get(&r->query, "cursor");
    struct case_list list;
    struct pc_err err = {0};
    int rc = case_list(app_of(r)->db, &r->arena, &f, &list, &err);
    if (rc == PC_EINVAL)
        return http_error(r, 400, "bad-parameter", "Bad request", err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_OFFICE_TITLE));
    struct cat_agency ag;
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n<p class=\"lead\">%s</p>\n",
         cat_get_agency(app_of(r)->db, &r->arena, agency, &ag, NULL) == 0 ? pc_text_get(&ag.name, web_lang_id(r)) : agency,
         web_t(r, M_OFFICE_TITLE), web_t(r, M_OFFICE_LEAD));
    web_html(r, "<form method=\"get\" action=\"/office\" class=\"filters inline-filters\">\n<div class=\"field\">"
            "<label for=\"f-status\">%s</label>\n<select id=\"f-status\" name=\"status\">\n<option value=\"\">%s</option>\n",
         web_t(r, M_OFFICE_FILTER_STATUS), web_t(r, M_FILTER_ANY));
    for (int s = CS_SUBMITTED; s < CS_COUNT; s++)
        web_html(r, "<option value=\"%s\"%r>%s</option>\n", case_state_name((enum case_state)s),
             f.by_status && f.status == (enum case_state)s ? " selected" : "", web_state_label(r, (enum case_state)s));
    web_html(r, "</select></div>\n<div class=\"field checkbox\"><input type=\"checkbox\" id=\"f-overdue\" name=\"overdue\" value=\"1\"%r>"
            "<label for=\"f-overdue\">%s</label></div>\n<div class=\"field checkbox\"><input type=\"checkbox\" id=\"f-mine\" "
            "name=\"mine\" value=\"1\"%r><label for=\"f-mine\">%s</label></div>\n<button type=\"submit\">%s</button>\n</form>\n",
         f.overdue ? " checked" : "", web_t(r, M_OFFICE_FILTER_OVERDUE), f.assigned_to ? " checked" : "",
         web_t(r, M_OFFICE_FILTER_MINE), web_t(r, M_FILTER_APPLY));
    if (list.n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_OFFICE_NONE));
    } else {
        /* a region that scrolls sideways on a narrow phone, not the page */
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, M_OFFICE_TITLE), web_t(r, M_OFFICE_TITLE), web_t(r, M_COL_REFERENCE), web_t(r, M_COL_SERVICE), web_t(r, M_APP_SUBMITTED), web_t(r, M_COL_DUE),
             web_t(r, M_APP_STATUS));
        int64_t now = pc_now_unix();
        struct name_memo memo = {0};
        for (size_t i = 0; i < list.n; i++) {
            const struct case_app *c = &list.items[i];
            bool overdue = c->due_at && c->due_at < now && case_state_open(c->status);
            /* references and dates are not broken at their hyphens */
            web_html(r, "<tr><td><a class=\"ref\" href=\"/office/cases/%s\">%s</a></td><td>%s</td><td><time>%s</time></td>"
                    "<td><time>%s</time>%r%s%r</td><td><span class=\"tag\">%s</span></td></tr>\n",
                 c->reference, c->reference, service_name(r, &memo, c->service_id), short_time(r, c->submitted_at), short_time(r, c->due_at),
                 overdue ? " <strong class=\"overdue\">" : "", overdue ? web_t(r, M_OFFICE_OVERDUE) : "",
                 overdue ? "</strong>" : "", web_state_label(r, c->status));
        }
        web_html(r, "</tbody>\n</table>\n</div>\n");
        if (list.next) {
            struct pc_buf b;
            pc_buf_init(&b, 2048);
            pc_buf_puts(&b, "/office?");
            if (f.by_status) { pc_buf_puts(&b, "status="); pc_buf_urlencode(&b, case_state_name(f.status)); pc_buf_putc(&b, '&'); }
            if (f.overdue) pc_buf_puts(&b, "overdue=1&");
            if (f.assigned_to) pc_buf_puts(&b, "mine=1&");
            pc_buf_printf(&b, "cursor=%s", list.next);
            web_html(r, "<nav class=\"pagination\" aria-label=\"%s\"><ul><li><a href=\"%s\" rel=\"next\">%s</a></li></ul></nav>\n",
                 web_t(r, M_PAGINATION), b.data, web_t(r, M_SERVICES_NEXT));
            pc_buf_release(&b);
        }
    }
    web_page_end(r);
    return 0;
}

/* The case of the URL if it belongs to the officer's agency; else 404. */
int web_office_case(struct http_req *r, struct case_app *app)
{
    const char *agency = my_agency(r);
    if (!agency)
        return 1;
    struct pc_err err = {0};
    int rc = case_load(app_of(r)->db, &r->arena, http_param(r, 0), app, &err);
    struct id_resource res = {.agency_id = rc == 0 ? app->agency_id : ""};
    if (rc == 0 && app->reference && id_authorize(web_who(r), ID_ACT_ACT_ON_CASE, &res))
        return 0;
    if (rc && rc != PC_ENOTFOUND)
        web_fail(r, rc, &err);
    else
        http_error(r, 404, "not-found", "Page not found", NULL);
    return 1;
}

/* The case page; note_error: the step just tried needs a note (the page is
 * shown again with an error summary linking to the note field);
 * social_error: the change of a social-assistance proposal was refused. */
int web_office_case_page(struct http_req *r, const char *note_error, const char *social_error)
{
    struct case_app app;
    if (web_office_case(r, &app))
        return 0;
    const struct id_principal *who = web_who(r);
    struct pc_err err = {0};
    /* reading the applicant's record and answers is recorded for them */
    int rc = case_record_staff_read(app_of(r)->db, who, &app, CASE_READ_CASE, &err);
    if (rc)
        return web_fail(r, rc, &err);
    struct id_person person;
    bool have_person = app.applicant_fin && id_person_get(app_of(r)->db, &r->arena, app.applicant_fin, &person, NULL) == 0;
    /* pki-portal: the sealed decision, when there is one (read before a byte of the page) */
    struct pki_sealed_doc sealed;
    int src = app.decided_at ? pki_doc_get(app_of(r)->db, &r->arena, app.reference, "decision", &sealed, &err) : PC_ENOTFOUND;
    if (src && src != PC_ENOTFOUND)
        return web_fail(r, src, &err);
    const struct form_def *def = form_set_version(web_forms(r), app.service_id, app.form_version);
    struct web_field_error errs[] = {{"note", note_error}};
    web_form_title(r, pc_arena_printf(&r->arena, web_t(r, M_APP_TITLE), app.reference), note_error ? 1 : 0);
    const char *crumbs[] = {web_t(r, M_OFFICE_TITLE), "/office", app.reference, NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_error_summary(r, errs, note_error ? 1 : 0);
    /* the reference (AZ-YYYY-NNNNNNNN, nothing to escape) is not broken at its hyphens */
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%r</h1>\n", service_name(r, NULL, app.service_id),
         pc_arena_printf(&r->arena, web_t(r, M_APP_TITLE), pc_arena_printf(&r->arena, "<span class=\"ref\">%s</span>", app.reference)));
    if (http_kv_get(&r->query, "done"))
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n", web_t(r, M_OFFICE_DONE));
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd><span class=\"tag\">%s</span></dd>\n<dt>%s</dt><dd>%s</dd>\n"
            "<dt>%s</dt><dd>%s</dd>\n",
         web_t(r, M_APP_STATUS), web_state_label(r, app.status), web_t(r, M_APP_SUBMITTED), short_time(r, app.submitted_at),
         web_t(r, M_APP_DUE), short_time(r, app.due_at));
    if (have_person)
        web_html(r, "<dt>%s</dt><dd>%s %s (FİN %s)%r%s</dd>\n", web_t(r, M_OFFICE_APPLICANT), person.last_name, person.first_name,
             person.fin, person.phone ? ", " : "", person.phone ? person.phone : "");
    web_guest_facts(r, &app);
    if (app.acting_for)
        web_html(r, "<dt>VÖEN</dt><dd>%s</dd>\n", app.acting_for);
    if (app.decision)
        web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, M_APP_DECISION), app.decision);
    web_channel_facts(r, &app, pc_arena_printf(&r->arena, "/office/cases/%s", app.reference));
    web_html(r, "</dl>\n");
    if (!src)
        web_html(r, "<p>%s</p>\n<ul>\n<li><a href=\"/office/cases/%s/decision/document\" download=\"%s.txt\">%s</a></li>\n"
                    "<li><a href=\"/office/cases/%s/decision/signature\" download=\"%s.txt.p7s\">%s</a></li>\n</ul>\n",
                 web_t(r, M_RESULT_SIGNED), app.reference, app.reference, web_t(r, M_RESULT_DOC), app.reference,
                 app.reference, web_t(r, M_RESULT_SIG));
    web_appeal_files_section(r, &app, pc_arena_printf(&r->arena, "/office/cases/%s", app.reference), false);
    web_appeal_outcome(r, &app, pc_arena_printf(&r->arena, "/office/cases/%s/decision", app.reference));
    /* vemtas: a social-assistance case's evidence and proposal */
    if ((rc = web_social_section(r, &app, social_error)))
        return web_fail(r, rc, &err);
    /* the steps possible now */
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/office/cases/%s/act\">\n", web_t(r, M_OFFICE_ACT), app.reference);
    web_csrf_field(r);
    web_html(r, "<input type=\"hidden\" name=\"version\" value=\"%L\">\n<div class=\"field%r\"><label for=\"note\">%s</label>\n"
            "<p class=\"hint\" id=\"note-hint\">%s</p>\n",
         (long long)app.version, note_error ? " field-error" : "", web_t(r, M_OFFICE_NOTE), web_t(r, M_OFFICE_NOTE_HINT));
    if (note_error)
        web_html(r, "<p class=\"error-message\" id=\"note-error\">%s</p>\n", note_error);
    web_html(r, "<textarea class=\"input textarea\" id=\"note\" name=\"note\" rows=\"4\" maxlength=\"4000\" "
            "aria-describedby=\"note-hint%r\"%r></textarea></div>\n<div class=\"button-row\">\n",
         note_error ? " note-error" : "", note_error ? " aria-invalid=\"true\"" : "");
    enum case_step steps[CASE_STEP_COUNT];
    size_t n = case_steps_available(web_forms(r), &app, who, steps, CASE_STEP_COUNT);
    for (size_t i = 0; i < n; i++)
        if (!case_step_by_applicant(steps[i]))
            web_html(r, "<button type=\"submit\" name=\"action\" value=\"%s\"%r>%s</button>\n", case_step_name(steps[i]),
                 steps[i] == CASE_STEP_REFUSE || steps[i] == CASE_STEP_UPHOLD_REFUSAL ? " class=\"warning\""
                 : steps[i] == CASE_STEP_ASSIGN_TO_ME ? " class=\"secondary\"" : "",
                 web_t(r, web_step_msg(steps[i])));
    web_html(r, "</div>\n</form>\n");
    if (case_step_blocked(web_forms(r), &app, who, CASE_STEP_UPHOLD_REFUSAL) == CASE_BLOCK_SAME_OFFICER)
        web_html(r, "<p class=\"notice\">%s</p>\n", web_t(r, M_APPEAL_SAME_OFFICER));
    web_signature_facts(r, &app, pc_arena_printf(&r->arena, "/office/cases/%s", app.reference));
    web_pay_box(r, &app, true);
    web_inspection_box(r, &app);
    web_history_list(r, app.id);
    if (def) {
        web_html(r, "<h2>%s</h2>\n", web_t(r, M_APP_ANSWERS));
        web_answers_list(r, def, app.answers, NULL, pc_arena_printf(&r->arena, "/office/cases/%s", app.reference));
    }
    web_page_end(r);
    return 0;
}

int web_page_office_case(struct http_req *r)
{
    return web_office_case_page(r, NULL, NULL);
}

int web_page_office_act(struct http_req *r)
{
    struct case_app app;
    if (web_office_case(r, &app))
        return 0;
    int step = case_step_parse(http_kv_get(&r->form, "action"));
    long long version;
    if (step < 0 || pc_parse_int(http_kv_get(&r->form, "version"), 1, INT64_MAX, &version))
        return http_error(r, 400, "bad-form", "Bad request", NULL);
    const char *note = http_kv_get(&r->form, "note");
    if (note && !*note)
        note = NULL;
    struct case_app out;
    struct pc_err err = {0};
    int rc = web_case_act(r, &app, (enum case_step)step, note, version, &out, &err);
    if (rc == PC_ECONFLICT)
        return http_error(r, 409, "conflict", web_t(r, M_APPLY_CONFLICT), NULL);
    if (rc == PC_EINVAL) {
        /* the case again, the note field marked: not a dead-end error page */
        r->status = 400;
        return web_office_case_page(r, web_t(r, M_OFFICE_NOTE_REQUIRED), NULL);
    }
    if (rc == PC_EDENIED && case_step_blocked(web_forms(r), &app, web_who(r), (enum case_step)step) ==
                                CASE_BLOCK_SAME_OFFICER)
        return http_error(r, 403, "appeal-same-officer", "Forbidden", err.msg);
    if (rc == PC_EDENIED)
        return http_error(r, 403, "forbidden", "Forbidden", err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/office/cases/%s?done=1", app.reference));
}

int web_page_office_signed(struct http_req *r)
{
    struct case_app app;
    return web_office_case(r, &app) ? 0 : web_serve_signed(r, &app, http_param(r, 1));
}

int web_office_file_case(struct http_req *r, struct case_app *app)
{
    if (web_office_case(r, app))
        return 1;
    /* a citizen's file is their data: the download is in their access log */
    struct pc_err err = {0};
    int rc = case_record_staff_read(app_of(r)->db, web_who(r), app, CASE_READ_FILE, &err);
    if (rc)
        web_fail(r, rc, &err);
    return rc ? 1 : 0;
}

int web_page_office_file(struct http_req *r)
{
    struct case_app app;
    return web_office_file_case(r, &app) ? 0 : web_serve_case_file(r, &app, http_param(r, 1));
}

/* The sealed decision, for the agency's staff: /document or /signature. */
int web_page_office_decision(struct http_req *r)
{
    struct case_app app;
    if (web_office_case(r, &app))
        return 0;
    return web_send_sealed(r, &app, http_param(r, 1));
}

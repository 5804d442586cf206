/* apply.c — the citizen's application flow in HTML, GOV.UK style: a start
 * page, one page of questions at a time (answers saved as a draft after
 * each page, so the flow can be resumed on another device), an error
 * summary that keeps what was typed, "check your answers" with change
 * links, submission, a confirmation with the reference number, and "My
 * applications" with each case's history.  The rules live in src/cases,
 * which hands over typed forms, answers and steps; this file renders them. */
#include "internal.h"
#include "../once/once.h"

#include <stdlib.h>
#include <string.h>

/* ---- loading a case the caller may see -------------------------------------- */

/* The application of the URL, if it is the caller's own (a guest's own
 * too when guest_ok: guest.c); otherwise the response is written (login
 * redirect or 404) and 1 is returned. */
static int own_application_of(struct http_req *r, struct case_app *app, bool guest_ok)
{
    const struct id_principal *who = guest_ok ? web_applicant(r) : web_who(r);
    if (!who && web_guest_failed(r))
        return 1;
    if ((!who || who->kind != ID_ACCOUNT_GUEST) && !web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 1;
    struct pc_err err = {0};
    int rc = case_load(app_of(r)->db, &r->arena, http_param(r, 0), app, &err);
    if (rc == 0 && pc_str_eq(app->applicant, who->account_id))
        return 0;
    if (rc && rc != PC_ENOTFOUND)
        web_fail(r, rc, &err);
    else
        http_error(r, 404, "not-found", "Page not found", NULL);
    return 1;
}

static int own_application(struct http_req *r, struct case_app *app)
{
    return own_application_of(r, app, true);
}

/* Signing needs a person: never a guest's (a guest has no certificate). */
static int own_signed_application(struct http_req *r, struct case_app *app)
{
    return own_application_of(r, app, false);
}

/* ---- rendering one question --------------------------------------------------- */

static const struct form_issue *issue_for(const struct form_issues *is, const char *field)
{
    for (int i = 0; is && i < is->n; i++)
        if (strcmp(is->items[i].field, field) == 0)
            return &is->items[i];
    return NULL;
}

/* An element id from a field name: "members[0].fin" → "members-0--fin". */
static char *anchor_of(struct http_req *r, const char *name)
{
    char *id = pc_arena_strdup(&r->arena, name);
    for (char *p = id; *p; p++)
        if (*p == '.' || *p == '[' || *p == ']')
            *p = '-';
    return id;
}

static void text_input(struct http_req *r, const struct form_question *q, const char *id, const char *name,
                       const char *value, const char *described, bool invalid, bool readonly)
{
    const char *attrs = "";
    const char *input_type = "text";
    switch (q->type) {
    case FORM_EMAIL: input_type = "email"; attrs = " autocomplete=\"email\""; break;
    case FORM_PHONE: input_type = "tel"; attrs = " autocomplete=\"tel\""; break;
    case FORM_NUMBER: attrs = " inputmode=\"decimal\""; break;
    case FORM_DATE: input_type = "date"; break;
    case FORM_FIN: attrs = " autocapitalize=\"characters\" spellcheck=\"false\""; break;
    case FORM_VOEN: attrs = " inputmode=\"numeric\" spellcheck=\"false\""; break;
    default: break;
    }
    const char *aria = *described ? pc_arena_printf(&r->arena, " aria-describedby=\"%s\"", described) : "";
    if (q->multiline)
        web_html(r, "<textarea class=\"input textarea\" id=\"%s\" name=\"%s\" rows=\"6\"%r%r%r>%s</textarea>\n", id,
                 name, aria, invalid ? " aria-invalid=\"true\"" : "", readonly ? " readonly" : "", value ? value : "");
    else
        web_html(r, "<input class=\"input\" id=\"%s\" name=\"%s\" type=\"%s\" value=\"%s\"%r%r%r%r%r>\n", id, name,
                 input_type, value ? value : "", attrs,
                 q->max_length_given ? pc_arena_printf(&r->arena, " maxlength=\"%d\"", q->max_length) : "", aria,
                 invalid ? " aria-invalid=\"true\"" : "", readonly ? " readonly" : "");
}

/* source: "Source: Population register, at 11:32" when the answer is a
 * registry's (once only): said beside the field, which is then read-only:
 * the citizen does not type what a registry holds.  NULL otherwise. */
static void question_html(struct http_req *r, const struct form_question *q, const char *name,
                          const struct form_value *v, const struct form_issues *issues, const char *source)
{
    enum pc_lang lang = web_lang_id(r);
    const char *label = pc_text_get(&q->label, lang);
    bool optional = !q->required;
    const struct form_issue *iss = issue_for(issues, name);
    const char *err = iss ? web_issue_text(r, iss) : NULL;
    const char *id = anchor_of(r, name);
    const char *described = pc_arena_printf(&r->arena, "%s%s%s%s", q->has_hint ? id : "", q->has_hint ? "-hint" : "",
                                            err ? pc_arena_printf(&r->arena, " %s-error", id) : "",
                                            source ? pc_arena_printf(&r->arena, " %s-source", id) : "");
    while (*described == ' ')
        described++;
    bool is_choice = q->type == FORM_CHOICE;
    web_html(r, "<div class=\"field%r\">\n", err ? " field-error" : "");
    if (is_choice)
        web_html(r, "<fieldset class=\"fieldset\"%r><legend class=\"legend\">%s%r%s</legend>\n",
                 *described ? pc_arena_printf(&r->arena, " aria-describedby=\"%s\"", described) : "",
                 label, optional ? " " : "", optional ? web_t(r, M_APPLY_OPTIONAL) : "");
    else
        web_html(r, "<label for=\"%s\">%s%r%s</label>\n", id, label, optional ? " " : "",
                 optional ? web_t(r, M_APPLY_OPTIONAL) : "");
    if (q->has_hint)
        web_html(r, "<p class=\"hint\" id=\"%s-hint\">%s</p>\n", id, pc_text_get(&q->hint, lang));
    if (q->type == FORM_FILE && v->file && v->file->name)
        web_html(r, "<p class=\"hint\">%s %s</p>\n", pc_arena_printf(&r->arena, web_t(r, M_FILE_CURRENT), v->file->name),
                 web_t(r, M_FILE_REPLACE_HINT));
    if (source)
        web_html(r, "<p class=\"hint source\" id=\"%s-source\">%s</p>\n", id, source);
    if (err)
        web_html(r, "<p class=\"error-message\" id=\"%s-error\">%s</p>\n", id, err);
    switch (q->type) {
    case FORM_CHOICE:
        for (size_t i = 0; i < q->noptions; i++)
            web_html(r, "<div class=\"choice\"><input type=\"%s\" id=\"%s-%d\" name=\"%s\" value=\"%s\"%r>"
                        "<label for=\"%s-%d\">%s</label></div>\n",
                     q->multiple ? "checkbox" : "radio", id, (int)i, name, q->options[i].value,
                     v->chosen & ((uint64_t)1 << i) ? " checked" : "", id, (int)i,
                     pc_text_get(&q->options[i].label, lang));
        web_html(r, "</fieldset>\n</div>\n");
        return;
    case FORM_FILE:
        /* the file picker offers the types this question takes, not every type */
        web_html(r, "<input class=\"file-input\" id=\"%s\" name=\"%s\" type=\"file\" accept=\"%s\"%r%r>\n</div>\n",
                 id, name, q->accept_list,
                 *described ? pc_arena_printf(&r->arena, " aria-describedby=\"%s\"", described) : "",
                 err ? " aria-invalid=\"true\"" : "");
        return;
    default:
        text_input(r, q, id, name, v->text, described, err != NULL, source != NULL);
        web_html(r, "</div>\n");
        return;
    }
}

void web_question_html(struct http_req *r, const struct form_question *q, const char *name,
                       const struct form_value *v, const struct form_issues *issues)
{
    question_html(r, q, name, v, issues, NULL);
}

void web_group_html(struct http_req *r, const struct form_question *g, const struct form_answers *answers,
                    const struct form_issues *issues)
{
    enum pc_lang lang = web_lang_id(r);
    const char *label = pc_text_get(&g->label, lang);
    /* each item is named "Family member 1", not after the whole question */
    const char *item_label = pc_text_get(&g->item_label, lang);
    const struct form_issue *gi = issue_for(issues, g->id);
    /* the group itself is the target of its own errors' summary link (too few items) */
    web_html(r, "<fieldset class=\"fieldset group\"%r><legend class=\"legend\">%s</legend>\n",
             gi ? pc_arena_printf(&r->arena, " id=\"%s\" tabindex=\"-1\" aria-describedby=\"%s-error\"", g->id, g->id) : "",
             label);
    if (gi)
        web_html(r, "<p class=\"error-message\" id=\"%s-error\">%s</p>\n", g->id, web_issue_text(r, gi));
    struct form_value gv;
    form_value_of(answers, g, NULL, 0, &r->arena, &gv);
    for (size_t i = 0; i < gv.items; i++) {
        const char *item = pc_arena_printf(&r->arena, web_t(r, M_APPLY_ITEM), item_label, (int)i + 1);
        web_html(r, "<fieldset class=\"fieldset item\"><legend class=\"legend\">%s</legend>\n", item);
        for (size_t k = 0; k < g->nquestions; k++) {
            struct form_value v;
            form_value_of(answers, &g->questions[k], g, i, &r->arena, &v);
            web_question_html(r, &g->questions[k], pc_arena_printf(&r->arena, "%s[%d].%s", g->id, (int)i, g->questions[k].id),
                          &v, issues);
        }
        web_html(r, "<button type=\"submit\" class=\"secondary\" name=\"_remove\" value=\"%s:%d\">%s"
                    "<span class=\"visually-hidden\"> — %s</span></button>\n</fieldset>\n",
                 g->id, (int)i, web_t(r, M_APPLY_REMOVE_ITEM), item);
    }
    if ((int)gv.items < g->max_items)
        web_html(r, "<button type=\"submit\" class=\"secondary\" name=\"_add\" value=\"%s\">%s</button>\n", g->id,
                 web_t(r, M_APPLY_ADD_ITEM));
    web_html(r, "</fieldset>\n");
}

/* ---- a page of questions -------------------------------------------------------- */

int web_form_errors(struct http_req *r, const struct form_def *def, const struct form_issues *issues,
                    struct web_field_error *errs)
{
    int ne = 0;
    for (int i = 0; issues && i < issues->n; i++) {
        char *anchor = anchor_of(r, issues->items[i].field);
        /* a choice's first option carries the anchor (also inside a group) */
        const struct form_question *q = form_issue_question(def, issues->items[i].field);
        if (q && q->type == FORM_CHOICE)
            anchor = pc_arena_printf(&r->arena, "%s-0", anchor);
        errs[ne++] = (struct web_field_error){anchor, web_issue_text(r, &issues->items[i])};
    }
    return ne;
}

/* reg: what the registries gave this page (NULL: nothing read) */
static void question_page(struct http_req *r, const struct case_app *app, const struct form_def *def,
                          const struct form_page *page, const struct form_answers *answers,
                          const struct form_issues *issues, const struct once_prefill *reg)
{
    enum pc_lang lang = web_lang_id(r);
    const char *title = pc_text_get(&page->title, lang);
    struct web_field_error errs[FORM_MAX_ISSUES];
    int ne = web_form_errors(r, def, issues, errs);
    web_form_title(r, title, ne);
    int total, at = form_page_position(def, answers, page, &total);
    web_html(r, "<p><a class=\"back-link\" href=\"/services/%s/start\">%s</a></p>\n", app->service_id, web_t(r, M_APPLY_BACK));
    web_error_summary(r, errs, ne);
    web_html(r, "<span class=\"caption\">%s — %s</span>\n<h1>%s</h1>\n", pc_text_get(&def->title, lang),
             pc_arena_printf(&r->arena, web_t(r, M_APPLY_STEP), at, total), title);
    if (page->has_hint)
        web_html(r, "<p class=\"lead\">%s</p>\n", pc_text_get(&page->hint, lang));
    /* the route takes files: its token is checked before the body is read,
     * so it travels in the address (web_auth_admit) */
    web_html(r, "<form method=\"post\" action=\"/applications/%s/page/%s?%s\" novalidate%r>\n", app->id, page->id,
             web_csrf_query(r), page->has_files ? " enctype=\"multipart/form-data\"" : "");
    web_html(r, "<input type=\"hidden\" name=\"_version\" value=\"%L\">\n", (long long)app->version);
    for (size_t k = 0; k < page->nquestions; k++) {
        const struct form_question *q = &page->questions[k];
        if (q->type == FORM_GROUP) {
            web_group_html(r, q, answers, issues);
        } else {
            struct form_value v;
            form_value_of(answers, q, NULL, 0, &r->arena, &v);
            const char *from = reg ? reg->v[q->prefill] : NULL;
            question_html(r, q, q->id, &v, issues,
                          from && pc_str_eq(v.text, from)
                              ? web_once_source(r, reg->src[q->prefill].kind, reg->src[q->prefill].at) : NULL);
        }
    }
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n<p class=\"hint\">%s</p>\n", web_t(r, M_APPLY_CONTINUE),
             web_t(r, M_APPLY_DRAFT_SAVED));
    web_page_end(r);
}

static int to_page(struct http_req *r, const char *draft, const struct form_page *p)
{
    return http_redirect(r, 303, p ? pc_arena_printf(&r->arena, "/applications/%s/page/%s", draft, p->id)
                                   : pc_arena_printf(&r->arena, "/applications/%s/check", draft));
}

int web_page_apply_post(struct http_req *r)
{
    const char *service = http_param(r, 0);
    const struct id_principal *who = web_new_applicant(r, service);
    if (!who)
        return 0;
    const struct form_set *forms = web_forms(r);
    const struct form_def *def = form_set_get(forms, service);
    if (!def)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    const char *id;
    struct pc_err err = {0};
    int rc = case_draft_new(app_of(r)->db, forms, who, service, web_lang_id(r), &r->arena, &id, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return to_page(r, id, form_next_page(def, NULL, NULL));
}

/* The caller's draft of the URL and its form; else the answer is written. */
static int draft_and_form(struct http_req *r, struct case_app *app, const struct form_def **def)
{
    if (own_application(r, app))
        return 1;
    if (app->status != CS_DRAFT) {
        http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s", app->reference));
        return 1;
    }
    *def = form_set_version(web_forms(r), app->service_id, app->form_version);
    if (!*def) {
        http_error(r, 404, "not-found", "Page not found", NULL);
        return 1;
    }
    return 0;
}

/* The page of the URL, if it is shown with the draft's answers. */
static const struct form_page *draft_page(struct http_req *r, const struct form_def *def, const struct case_app *app)
{
    const struct form_page *page = form_find_page(def, http_param(r, 1));
    if (page && form_page_visible(page, app->answers))
        return page;
    http_error(r, 404, "not-found", "Page not found", NULL);
    return NULL;
}

/* once only: the page's registry sources read through the exchange for
 * the applicant, under the draft (a draft has no reference yet: its id is
 * the X-Road-Issue).  false when there is nothing to read or the register
 * cannot be asked now (then the citizen types). */
static bool registry_values(struct http_req *r, const struct case_app *app, const struct form_page *page,
                            struct once_prefill *reg)
{
    const struct id_principal *who = web_who(r);
    struct xc *x = app_of(r)->exchange;
    struct pc_err err = {0};
    if (!x || !who || !who->fin) /* a guest (no login) has no person to ask about */
        return false;
    if (once_prefill(x, app_of(r)->db, &r->arena, page, who->fin, app->reference ? app->reference : app->id, reg,
                     &err)) {
        pc_log(PC_LOG_WARN, "once.prefill_failed", "msg", err.msg, NULL);
        return false;
    }
    return true;
}

/* A posted page keeps the register's values, whatever was sent for them:
 * the citizen does not type (nor change) what a registry holds. */
static void keep_registry_values(struct http_req *r, const struct case_app *app, const struct form_page *page)
{
    struct once_prefill reg;
    if (!registry_values(r, app, page, &reg))
        return;
    for (size_t k = 0; k < page->nquestions; k++) {
        const struct form_question *q = &page->questions[k];
        const char *v = reg.v[q->prefill];
        if (!v || q->type == FORM_GROUP)
            continue;
        size_t i = 0;
        while (i < r->form.n && !pc_str_eq(r->form.items[i].key, q->id))
            i++;
        if (i < r->form.n)
            r->form.items[i].value = v;
        else
            http_kv_push(&r->arena, &r->form, HTTP_MAX_PARAMS + 16, q->id, v);
    }
}

int web_page_apply_page(struct http_req *r)
{
    struct case_app app;
    const struct form_def *def;
    if (draft_and_form(r, &app, &def))
        return 0;
    const struct form_page *page = draft_page(r, def, &app);
    if (!page)
        return 0;
    const struct id_principal *who = web_applicant(r);
    struct id_person person;
    if (who->fin && id_person_get(app_of(r)->db, &r->arena, who->fin, &person, NULL) == 0)
        form_prefill(page, app.answers, &person, &r->arena);
    struct once_prefill reg;
    bool from_registry = registry_values(r, &app, page, &reg);
    if (from_registry)
        form_prefill_values(page, app.answers, reg.v);
    question_page(r, &app, def, page, app.answers, NULL, from_registry ? &reg : NULL);
    return 0;
}

/* The page's post as cases reads it: the fields, the files, the buttons. */
void web_form_post(struct http_req *r, int64_t version, struct form_post *post)
{
    struct form_post_field *fields = pc_arena_array(&r->arena, r->form.n + 1, sizeof *fields);
    for (size_t i = 0; i < r->form.n; i++)
        fields[i] = (struct form_post_field){r->form.items[i].key, r->form.items[i].value};
    size_t nfiles = 0;
    for (struct http_upload *u = r->uploads; u; u = u->next)
        nfiles++;
    struct form_post_file *files = pc_arena_array(&r->arena, nfiles + 1, sizeof *files);
    nfiles = 0;
    for (struct http_upload *u = r->uploads; u; u = u->next) {
        /* a file field left empty sends a part without a name or content */
        if (!u->filename || !*u->filename || (u->size == 0 && (!u->error || u->error == PC_EINVAL)))
            continue;
        struct form_post_file *f = &files[nfiles++];
        f->field = u->field;
        f->error = u->error;
        f->part = web_upload_part(u);
        web_upload_file(u, &f->file);
    }
    *post = (struct form_post){.fields = fields, .nfields = r->form.n, .files = files, .nfiles = nfiles,
                               .add = http_kv_get(&r->form, "_add"), .remove = http_kv_get(&r->form, "_remove"),
                               .version = version};
}

int web_page_apply_page_post(struct http_req *r)
{
    struct case_app app;
    const struct form_def *def;
    if (draft_and_form(r, &app, &def))
        return 0;
    const struct form_page *page = draft_page(r, def, &app);
    if (!page)
        return 0;
    long long version;
    if (pc_parse_int(http_kv_get(&r->form, "_version"), 1, INT64_MAX, &version))
        return http_error(r, 400, "bad-form", "Bad request", NULL);
    keep_registry_values(r, &app, page);
    struct form_post post;
    web_form_post(r, version, &post);
    struct case_page_result res;
    struct pc_err err = {0};
    int rc = case_draft_post_page(app_of(r)->db, def, web_applicant(r), &app, page, &post, &r->arena, &res, &err);
    if (rc == PC_ECONFLICT)
        return http_error(r, 409, "conflict", web_t(r, M_APPLY_CONFLICT), NULL);
    if (rc)
        return web_fail(r, rc, &err);
    if (!res.show_again)
        return to_page(r, app.id, res.next);
    if (res.issues.n)
        r->status = 400;
    app.version = res.version;
    question_page(r, &app, def, page, res.answers, &res.issues, NULL);
    return 0;
}

/* "Check your answers"; a guest also gives a contact there (contact: as
 * typed, with its error when it was not good). */
static void check_page(struct http_req *r, const struct case_app *app, const struct form_def *def, const char *contact,
                       const struct web_field_error *contact_error)
{
    int ne = contact_error ? 1 : 0;
    web_form_title(r, web_t(r, M_APPLY_CHECK_TITLE), ne);
    web_error_summary(r, contact_error, ne);
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n", pc_text_get(&def->title, web_lang_id(r)),
             web_t(r, M_APPLY_CHECK_TITLE));
    const char *base = pc_arena_printf(&r->arena, "/applications/%s", app->id);
    web_answers_list(r, def, app->answers, base, base);
    bool guest = web_applicant(r)->kind == ID_ACCOUNT_GUEST;
    if (!guest)
        web_sign_section(r, def, app);
    if (!web_pay_check_button(r, app)) {
        web_html(r, "<p>%s</p>\n<form method=\"post\" action=\"/applications/%s/submit\">\n", web_t(r, M_APPLY_SUBMIT_LEAD), app->id);
        web_csrf_field(r);
        if (guest)
            web_guest_contact_field(r, contact, contact_error, ne);
        web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_APPLY_SUBMIT));
    }
    web_page_end(r);
}

int web_page_apply_check(struct http_req *r)
{
    struct case_app app;
    const struct form_def *def;
    if (draft_and_form(r, &app, &def))
        return 0;
    /* something is missing: back to the first page with a problem */
    const struct form_page *problem = case_draft_problem_page(def, &app);
    if (problem)
        return to_page(r, app.id, problem);
    check_page(r, &app, def, NULL, NULL);
    return 0;
}

/* A guest's submission: with a contact, and the access code shown once. */
static int guest_submit(struct http_req *r, const struct case_app *app)
{
    const char *typed = http_kv_get(&r->form, "contact");
    struct case_contact contact;
    struct pc_err err = {0};
    if (case_contact_parse(&r->arena, typed, &contact, &err)) {
        const struct form_def *def = form_set_version(web_forms(r), app->service_id, app->form_version);
        if (!def || app->status != CS_DRAFT)
            return http_error(r, 404, "not-found", "Page not found", NULL);
        struct web_field_error e = {"contact", web_t(r, M_GUEST_CONTACT_BAD)};
        r->status = 400;
        check_page(r, app, def, typed, &e);
        return 0;
    }
    char code[CASE_ACCESS_CODE_CHARS + 1];
    struct case_app out;
    struct form_issues issues;
    int rc = case_draft_submit_guest(app_of(r)->db, web_forms(r), web_applicant(r), app->id, &contact, r->remote_addr,
                                     &r->arena, &out, code, &issues, &err);
    if (rc == PC_EINVAL || rc == PC_EMORE) /* the check page says what is missing */
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s/check", app->id));
    if (rc)
        return web_fail(r, rc, &err);
    return web_guest_sent(r, &out, code);
}

int web_page_apply_submit(struct http_req *r)
{
    struct case_app app;
    if (own_application(r, &app))
        return 0;
    if (web_applicant(r)->kind == ID_ACCOUNT_GUEST)
        return guest_submit(r, &app);
    if (!web_require_level(r, app.service_id))
        return 0;
    struct case_app out;
    struct form_issues issues;
    struct pc_err err = {0};
    int rc = case_draft_submit(app_of(r)->db, web_forms(r), web_who(r), app.id, r->remote_addr, &r->arena, &out,
                               &issues, &err);
    if (rc == PC_EINVAL && !issues.n) /* the answers are fine: the signature is missing */
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s/check?sign=needed#sign", app.id));
    if (rc == PC_EINVAL || rc == PC_EMORE) /* issues, or the fee is paid first: the check page says */
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s/check", app.id));
    if (rc)
        return web_fail(r, rc, &err);
    if (out.channel == CASE_CH_KIOSK) /* at a kiosk: the receipt to print */
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/kiosk/receipt/%s", out.reference));
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s?sent=1", out.reference));
}

/* ---- my applications and one case --------------------------------------------------- */

int web_page_my_applications(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct case_filter f = {.applicant = web_who(r)->account_id, .limit = 50, .cursor = http_kv_get(&r->query, "cursor")};
    struct case_list list;
    struct pc_err err = {0};
    int rc = case_list(app_of(r)->db, &r->arena, &f, &list, &err);
    if (rc == PC_EINVAL)
        return http_error(r, 400, "bad-parameter", "Bad request", err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_MY_APPS_TITLE));
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_MY_APPS_TITLE));
    if (list.n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_MY_APPS_NONE));
    } else {
        /* a region that scrolls sideways on a narrow phone, not the page */
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                    "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
                 web_t(r, M_MY_APPS_TITLE), web_t(r, M_MY_APPS_TITLE), web_t(r, M_COL_REFERENCE), web_t(r, M_COL_SERVICE),
                 web_t(r, M_APP_STATUS));
        for (size_t i = 0; i < list.n; i++) {
            const struct case_app *c = &list.items[i];
            struct cat_service s;
            const char *name = cat_get_service(app_of(r)->db, &r->arena, c->service_id, &s, NULL) == 0
                                   ? pc_text_get(&s.name, web_lang_id(r)) : c->service_id;
            if (c->reference)
                web_html(r, "<tr><td><a class=\"ref\" href=\"/applications/%s\">%s</a></td>", c->reference, c->reference);
            else
                web_html(r, "<tr><td><a href=\"/applications/%s/check\">%s</a></td>", c->id, web_t(r, M_APP_CONTINUE_DRAFT));
            web_html(r, "<td>%s</td><td><span class=\"tag\">%s</span></td></tr>\n", name, web_state_label(r, c->status));
        }
        web_html(r, "</tbody>\n</table>\n</div>\n");
        if (list.next)
            web_html(r, "<nav class=\"pagination\" aria-label=\"%s\"><ul><li><a href=\"/applications?cursor=%s\" rel=\"next\">%s</a></li></ul></nav>\n",
                     web_t(r, M_PAGINATION), list.next, web_t(r, M_SERVICES_NEXT));
    }
    web_page_end(r);
    return 0;
}

static const char *when_text(struct http_req *r, int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    return pc_arena_printf(&r->arena, "%.10s %.5s", ts, ts + 11);
}

/* A step of the applicant's that takes a text (an answer, an appeal's reasons). */
static void note_form(struct http_req *r, const struct case_app *app, const char *step, const char *id, enum msg label,
                      enum msg button, bool required)
{
    web_html(r, "<form method=\"post\" action=\"/applications/%s/%s\">\n", app->reference, step);
    web_csrf_field(r);
    web_html(r, "<input type=\"hidden\" name=\"version\" value=\"%L\">\n<div class=\"field\"><label for=\"%s\">%s</label>\n"
                "<textarea class=\"input textarea\" id=\"%s\" name=\"note\" rows=\"5\" maxlength=\"4000\"%r></textarea></div>\n"
                "<button type=\"submit\">%s</button>\n</form>\n",
             (long long)app->version, id, web_t(r, label), id, required ? " required" : "", web_t(r, button));
}

/* The applicant's own steps (respond, appeal, withdraw), exactly those cases offers. */
static void applicant_steps(struct http_req *r, const struct case_app *app)
{
    enum case_step steps[CASE_STEP_COUNT];
    size_t n = case_steps_available(web_forms(r), app, web_applicant(r), steps, CASE_STEP_COUNT);
    for (size_t i = 0; i < n; i++) {
        if (steps[i] == CASE_STEP_RESPOND) {
            note_form(r, app, "respond", "note", M_APP_RESPOND_LABEL, M_APP_RESPOND, false);
        } else if (steps[i] == CASE_STEP_APPEAL) {
            char until[21];
            pc_rfc3339(case_appeal_until(web_forms(r), app), until);
            web_html(r, "<h2 id=\"appeal\">%s</h2>\n<p>", web_t(r, M_APPEAL_TITLE));
            web_html(r, web_t(r, M_APPEAL_LEAD), pc_arena_printf(&r->arena, "%.10s", until));
            web_html(r, "</p>\n");
            note_form(r, app, "appeal", "reasons", M_APPEAL_REASONS, M_ACT_APPEAL, true);
        } else if (steps[i] == CASE_STEP_CANCEL) {
            web_html(r, "<form method=\"post\" action=\"/applications/%s/cancel\">\n", app->reference);
            web_csrf_field(r);
            web_html(r, "<input type=\"hidden\" name=\"version\" value=\"%L\">\n<button type=\"submit\" class=\"warning\">%s</button>\n</form>\n",
                     (long long)app->version, web_t(r, M_APP_CANCEL));
        }
    }
    /* a refusal whose term is over says so, with the date */
    if (case_step_blocked(web_forms(r), app, web_who(r), CASE_STEP_APPEAL) == CASE_BLOCK_APPEAL_TERM)
        web_html(r, "<p class=\"notice\" id=\"appeal\">%s</p>\n", web_t(r, M_APPEAL_TERM_OVER));
}

int web_page_application(struct http_req *r)
{
    struct case_app app;
    if (own_application(r, &app))
        return 0;
    if (!app.reference)
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s/check", app.id));
    const struct form_def *def = form_set_version(web_forms(r), app.service_id, app.form_version);
    web_page_begin(r, pc_arena_printf(&r->arena, web_t(r, M_APP_TITLE), app.reference));
    if (http_kv_get(&r->query, "sent")) {
        web_html(r, "<div class=\"panel\">\n<h1>%s</h1>\n<p>%s<br><strong class=\"code\">%s</strong></p>\n</div>\n",
                 web_t(r, M_APPLY_DONE_TITLE), web_t(r, M_APPLY_DONE_REF), app.reference);
        if (def)
            web_html(r, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, M_APPLY_DONE_NEXT), pc_text_get(&def->what_next, web_lang_id(r)));
        web_html(r, "<p>%s</p>\n", web_t(r, M_APPLY_DONE_KEEP));
    } else {
        /* the reference (AZ-YYYY-NNNNNNNN, nothing to escape) is not broken at its hyphens */
        web_html(r, "<h1>%r</h1>\n", pc_arena_printf(&r->arena, web_t(r, M_APP_TITLE),
                                                     pc_arena_printf(&r->arena, "<span class=\"ref\">%s</span>", app.reference)));
    }
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd><span class=\"tag\">%s</span></dd>\n<dt>%s</dt><dd>%s</dd>\n",
             web_t(r, M_APP_STATUS), web_state_label(r, app.status), web_t(r, M_APP_SUBMITTED), when_text(r, app.submitted_at));
    if (app.due_at)
        web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, M_APP_DUE), when_text(r, app.due_at));
    if (app.decision)
        web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, M_APP_DECISION), app.decision);
    web_channel_facts(r, &app, pc_arena_printf(&r->arena, "/applications/%s", app.reference));
    web_html(r, "</dl>\n");
    web_pay_box(r, &app, false);
    if (app.decided_at)
        web_html(r, "<p><a class=\"button\" href=\"/applications/%s/result\">%s</a></p>\n", app.reference, web_t(r, M_RESULT_LINK));
    if (case_state_decided(app.status)) /* feedback (src/participation) names the application it follows */
        web_html(r, "<p><a href=\"/services/%q/feedback?application=%q\">%s</a></p>\n", app.service_id,
                 app.reference, web_t(r, M_FEEDBACK_RATE_LINK));
    applicant_steps(r, &app);
    web_appeal_files_section(r, &app, pc_arena_printf(&r->arena, "/applications/%s", app.reference), true);
    web_appeal_outcome(r, &app, pc_arena_printf(&r->arena, "/applications/%s/sealed", app.reference));
    web_social_sealed(r, &app, pc_arena_printf(&r->arena, "/applications/%s/sealed", app.reference)); /* seal2 */
    web_signature_facts(r, &app, pc_arena_printf(&r->arena, "/applications/%s", app.id));
    web_history_list(r, app.id);
    if (def) {
        web_html(r, "<h2>%s</h2>\n", web_t(r, M_APP_ANSWERS));
        web_answers_list(r, def, app.answers, NULL, pc_arena_printf(&r->arena, "/applications/%s", app.reference));
    }
    web_page_end(r);
    return 0;
}

/* respond / cancel: the applicant's own steps */
static int applicant_step(struct http_req *r, enum case_step step)
{
    struct case_app app;
    if (own_application(r, &app))
        return 0;
    long long version;
    if (pc_parse_int(http_kv_get(&r->form, "version"), 1, INT64_MAX, &version))
        return http_error(r, 400, "bad-form", "Bad request", NULL);
    struct case_app out;
    struct pc_err err = {0};
    int rc = case_act(app_of(r)->db, web_forms(r), web_applicant(r), app.reference, step, http_kv_get(&r->form, "note"),
                      version, r->remote_addr, &r->arena, &out, &err);
    if (rc == PC_ECONFLICT)
        return http_error(r, 409, "conflict", web_t(r, M_APPLY_CONFLICT), NULL);
    if (rc == PC_EDENIED && case_step_blocked(web_forms(r), &app, web_who(r), step) == CASE_BLOCK_APPEAL_TERM)
        return http_error(r, 403, "appeal-term-over", "The term for an appeal is over", err.msg);
    if (rc == PC_EINVAL || rc == PC_EDENIED)
        return http_error(r, 400, "bad-step", "Bad request", err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s", app.reference));
}

int web_page_application_respond(struct http_req *r)
{
    return applicant_step(r, CASE_STEP_RESPOND);
}

int web_page_application_cancel(struct http_req *r)
{
    return applicant_step(r, CASE_STEP_CANCEL);
}

int web_page_application_appeal(struct http_req *r)
{
    return applicant_step(r, CASE_STEP_APPEAL);
}

int web_page_apply_sign(struct http_req *r)
{
    struct case_app app;
    return own_signed_application(r, &app) ? 0 : web_sign_post(r, &app);
}

int web_page_apply_sign_mobile(struct http_req *r)
{
    struct case_app app;
    return own_signed_application(r, &app) ? 0 : web_sign_mobile_post(r, &app);
}

int web_page_apply_sign_mobile_wait(struct http_req *r)
{
    struct case_app app;
    return own_signed_application(r, &app) ? 0 : web_sign_mobile_wait(r, &app);
}

int web_page_apply_to_sign(struct http_req *r)
{
    struct case_app app;
    return own_signed_application(r, &app) ? 0 : web_serve_to_sign(r, &app);
}

int web_page_application_signed(struct http_req *r)
{
    struct case_app app;
    return own_signed_application(r, &app) ? 0 : web_serve_signed(r, &app, http_param(r, 1));
}

int web_page_application_file(struct http_req *r)
{
    struct case_app app;
    if (own_application(r, &app))
        return 0;
    return web_serve_case_file(r, &app, http_param(r, 1));
}

/* ---- the decision document ------------------------------------------------------
 * A printable page with the decision and a SHA-256 fingerprint of its
 * substance (reference, service, applicant, outcome, text, date) so that a
 * bank or a notary can check a copy against the portal.  When the agency
 * sealed it (office.c), the sealed text and its detached signature are
 * offered for download, with how to verify them. */

static const char *decision_fingerprint(struct http_req *r, const struct case_app *app)
{
    char *canon = pc_arena_printf(&r->arena, "%s\n%s\n%s\n%s\n%s\n%lld", app->reference, app->service_id,
                                  app->applicant_fin ? app->applicant_fin : "", case_state_name(app->status),
                                  app->decision ? app->decision : "", (long long)app->decided_at);
    char *hex = pc_arena_alloc(&r->arena, 65);
    pc_sha256_hex(canon, strlen(canon), hex);
    return hex;
}

int web_page_application_result(struct http_req *r)
{
    struct case_app app;
    if (own_application(r, &app))
        return 0;
    if (!app.decided_at || !case_state_decided(app.status))
        return http_error(r, 404, "not-found", "Page not found", NULL);
    struct cat_service s;
    const char *service = cat_get_service(app_of(r)->db, &r->arena, app.service_id, &s, NULL) == 0
                              ? pc_text_get(&s.name, web_lang_id(r)) : app.service_id;
    const char *agency = service != app.service_id ? pc_text_get(&s.agency_name, web_lang_id(r)) : app.agency_id;
    struct id_person person;
    const char *applicant = app.applicant_fin && id_person_get(app_of(r)->db, &r->arena, app.applicant_fin, &person, NULL) == 0
                                ? pc_arena_printf(&r->arena, "%s %s %s (FİN %s)", person.last_name, person.first_name,
                                                  person.patronymic ? person.patronymic : "", person.fin)
                                : app.applicant_fin;
    char ts[21];
    pc_rfc3339(app.decided_at, ts);
    struct pki_sealed_doc sealed = {0};
    struct pc_err err = {0};
    int rc = pki_doc_get(app_of(r)->db, &r->arena, app.reference, "decision", &sealed, &err);
    if (rc && rc != PC_ENOTFOUND)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_RESULT_TITLE));
    web_html(r, "<article class=\"document\">\n<h1>%s</h1>\n<p class=\"caption\">%s</p>\n<dl class=\"facts\">\n"
                "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
                "<dt>%s</dt><dd>%s</dd>\n</dl>\n<h2>%s</h2>\n<p class=\"decision\">%s</p>\n"
                "<h2>%s</h2>\n<p><code class=\"key\">%s</code></p>\n<p class=\"hint\">%s</p>\n<p class=\"hint\">%s</p>\n</article>\n",
             web_t(r, M_RESULT_TITLE), app.reference, web_t(r, M_RESULT_SERVICE), service, web_t(r, M_RESULT_AGENCY), agency,
             web_t(r, M_RESULT_APPLICANT), applicant ? applicant : "", web_t(r, M_RESULT_DATE),
             pc_arena_printf(&r->arena, "%.10s", ts), web_t(r, M_RESULT_OUTCOME), web_state_label(r, app.status),
             web_t(r, M_APP_DECISION), app.decision ? app.decision : "", web_t(r, M_RESULT_FINGERPRINT),
             decision_fingerprint(r, &app), web_t(r, M_RESULT_FINGERPRINT_HINT),
             sealed.document ? web_t(r, M_RESULT_SIGNED) : web_t(r, M_RESULT_UNSIGNED));
    if (sealed.document) {
        const char *base = pc_arena_printf(&r->arena, "/applications/%s/result", app.reference);
        web_html(r, "<ul>\n<li><a href=\"%s/document\" download=\"%s.txt\">%s</a></li>\n"
                    "<li><a href=\"%s/signature\" download=\"%s.txt.p7s\">%s</a></li>\n</ul>\n"
                    "<p>%s <a href=\"/verify\">%s</a></p>\n<p class=\"hint\">%s</p>\n",
                 base, app.reference, web_t(r, M_RESULT_DOC), base, app.reference, web_t(r, M_RESULT_SIG),
                 web_t(r, M_RESULT_HOW_VERIFY), web_t(r, M_VERIFY_TITLE), web_t(r, M_VERIFY_CLI));
    }
    web_page_end(r);
    return 0;
}

int web_page_application_result_document(struct http_req *r)
{
    struct case_app app;
    return own_application(r, &app) ? 0 : web_send_sealed(r, &app, "document");
}

int web_page_application_result_signature(struct http_req *r)
{
    struct case_app app;
    return own_application(r, &app) ? 0 : web_send_sealed(r, &app, "signature");
}

/* /applications/{id}/sealed/{what}: the appeal outcome's pair too */
int web_page_application_sealed(struct http_req *r)
{
    struct case_app app;
    return own_application(r, &app) ? 0 : web_send_sealed(r, &app, http_param(r, 1));
}

/* apply.c — the citizen's application flow in HTML, GOV.UK style: a start
 * page, one page of questions at a time (answers saved as a draft after
 * each page, so the flow can be resumed on another device), an error
 * summary that keeps what was typed, "check your answers" with change
 * links, submission, a confirmation with the reference number, and "My
 * applications" with each case's history.  The rules live in src/cases;
 * this file turns them into pages and forms. */
#include "internal.h"
#include "../cases/cases.h"

#include <stdlib.h>
#include <string.h>

#define MAX_GROUP_ITEMS 20

const char *web_text(struct http_req *r, const json_t *t)
{
    const char *s = json_string_value(json_object_get(t, web_lang(r)));
    return s ? s : json_string_value(json_object_get(t, "az"));
}

const char *web_state_label(struct http_req *r, const char *status)
{
    int s = case_state_parse(status);
    return s >= 0 ? web_t(r, (enum msg)(M_ST_DRAFT + s)) : status;
}

static const char *issue_text(struct http_req *r, const struct form_issue *i)
{
    static const struct { const char *code; enum msg m; } map[] = {
        {"required", M_IS_REQUIRED}, {"too_short", M_IS_TOO_SHORT}, {"too_long", M_IS_TOO_LONG},
        {"not_a_number", M_IS_NUMBER}, {"not_an_integer", M_IS_INTEGER}, {"below_min", M_IS_MIN},
        {"above_max", M_IS_MAX}, {"bad_date", M_IS_DATE}, {"date_too_early", M_IS_DATE_EARLY},
        {"date_too_late", M_IS_DATE_LATE}, {"bad_choice", M_IS_CHOICE}, {"bad_fin", M_IS_FIN},
        {"bad_voen", M_IS_VOEN}, {"bad_phone", M_IS_PHONE}, {"bad_email", M_IS_EMAIL},
        {"too_many_items", M_IS_ITEMS_MAX}, {"too_few_items", M_IS_ITEMS_MIN},
        {"file_too_big", M_IS_FILE_BIG}, {"file_type", M_IS_FILE_TYPE}, {"bad_file", M_IS_BAD_FILE},
        {"unknown_file", M_IS_BAD_FILE},
    };
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (strcmp(map[k].code, i->code) == 0)
            return pc_arena_printf(&r->arena, web_t(r, map[k].m), i->limit);
    return web_t(r, M_IS_OTHER);
}

/* ---- loading a case the caller may see -------------------------------------- */

/* The application of the URL, if it is the caller's own; otherwise the
 * response is written (login redirect or 404) and 1 is returned. */
static int own_application(struct http_req *r, struct case_app *app)
{
    const struct id_principal *who = web_who(r);
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 1;
    struct pc_err err = {0};
    int rc = case_load(app_of(r)->db, &r->arena, http_param(r, 0), app, &err);
    if (rc == 0 && pc_str_eq(app->applicant, who->account_id))
        return 0;
    if (rc == 0)
        case_app_release(app);
    if (rc && rc != PC_ENOTFOUND)
        web_fail(r, rc, &err);
    else
        http_error(r, 404, "not-found", "Page not found", NULL);
    return 1;
}

/* ---- rendering one question --------------------------------------------------- */

static const char *answer_str(struct http_req *r, const json_t *a)
{
    if (!a || json_is_null(a))
        return NULL;
    if (json_is_string(a))
        return json_string_value(a);
    if (json_is_integer(a))
        return pc_arena_printf(&r->arena, "%lld", (long long)json_integer_value(a));
    if (json_is_real(a))
        return pc_arena_printf(&r->arena, "%g", json_real_value(a));
    return NULL;
}

static const struct form_issue *issue_for(const struct form_issues *is, const char *field)
{
    for (int i = 0; is && i < is->n; i++)
        if (strcmp(is->items[i].field, field) == 0)
            return &is->items[i];
    return NULL;
}

static bool chosen(const json_t *a, const char *value)
{
    if (json_is_string(a))
        return pc_str_eq(json_string_value(a), value);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (pc_str_eq(json_string_value(v), value))
            return true;
    }
    return false;
}

static void question_html(struct http_req *r, const json_t *q, const char *name, const json_t *answer,
                          const struct form_issues *issues)
{
    const char *type = json_string_value(json_object_get(q, "type"));
    const char *label = web_text(r, json_object_get(q, "label"));
    const json_t *hint = json_object_get(q, "hint");
    bool optional = !json_is_true(json_object_get(q, "required"));
    const struct form_issue *iss = issue_for(issues, name);
    const char *err = iss ? issue_text(r, iss) : NULL;
    char *id = pc_arena_strdup(&r->arena, name);
    for (char *p = id; *p; p++)
        if (*p == '.' || *p == '[' || *p == ']')
            *p = '-';
    const char *described = pc_arena_printf(&r->arena, "%s%s%s", hint ? id : "", hint ? "-hint" : "",
                                            err ? pc_arena_printf(&r->arena, " %s-error", id) : "");
    bool is_choice = pc_str_eq(type, "choice");
    web_html(r, "<div class=\"field%r\">\n", err ? " field-error" : "");
    if (is_choice) {
        web_html(r, "<fieldset class=\"fieldset\"%r><legend class=\"legend\">%s%r%s</legend>\n",
             *described ? pc_arena_printf(&r->arena, " aria-describedby=\"%s\"", described) : "",
             label, optional ? " " : "", optional ? web_t(r, M_APPLY_OPTIONAL) : "");
    } else {
        web_html(r, "<label for=\"%s\">%s%r%s</label>\n", id, label, optional ? " " : "",
             optional ? web_t(r, M_APPLY_OPTIONAL) : "");
    }
    if (hint)
        web_html(r, "<p class=\"hint\" id=\"%s-hint\">%s</p>\n", id, web_text(r, hint));
    const char *current = pc_str_eq(type, "file") ? json_string_value(json_object_get(answer, "name")) : NULL;
    if (current)
        web_html(r, "<p class=\"hint\">%s %s</p>\n", pc_arena_printf(&r->arena, web_t(r, M_FILE_CURRENT), current),
             web_t(r, M_FILE_REPLACE_HINT));
    if (err)
        web_html(r, "<p class=\"error-message\" id=\"%s-error\">%s</p>\n", id, err);
    if (is_choice) {
        bool multiple = json_is_true(json_object_get(q, "multiple"));
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(q, "options"), i, o) {
            const char *v = json_string_value(json_object_get(o, "value"));
            web_html(r, "<div class=\"choice\"><input type=\"%s\" id=\"%s-%d\" name=\"%s\" value=\"%s\"%r>"
                    "<label for=\"%s-%d\">%s</label></div>\n",
                 multiple ? "checkbox" : "radio", id, (int)i, name, v, chosen(answer, v) ? " checked" : "",
                 id, (int)i, web_text(r, json_object_get(o, "label")));
        }
        web_html(r, "</fieldset>\n</div>\n");
        return;
    }
    if (pc_str_eq(type, "file")) {
        /* the file picker offers the types this question takes, not every type */
        const char *accept = "application/pdf,image/jpeg,image/png";
        if (json_array_size(json_object_get(q, "accept"))) {
            size_t ai;
            json_t *av;
            accept = "";
            json_array_foreach(json_object_get(q, "accept"), ai, av) {
                accept = pc_arena_printf(&r->arena, "%s%s%s", accept, ai ? "," : "", json_string_value(av));
            }
        }
        web_html(r, "<input class=\"file-input\" id=\"%s\" name=\"%s\" type=\"file\" accept=\"%s\"%r%r>\n</div>\n",
             id, name, accept, *described ? pc_arena_printf(&r->arena, " aria-describedby=\"%s\"", described) : "",
             err ? " aria-invalid=\"true\"" : "");
        return;
    }
    const char *value = answer_str(r, answer);
    bool multiline = json_is_true(json_object_get(q, "multiline"));
    json_int_t maxlen = json_integer_value(json_object_get(q, "max_length"));
    const char *attrs = "";
    const char *input_type = "text";
    if (pc_str_eq(type, "email")) { input_type = "email"; attrs = " autocomplete=\"email\""; }
    else if (pc_str_eq(type, "phone")) { input_type = "tel"; attrs = " autocomplete=\"tel\""; }
    else if (pc_str_eq(type, "number")) attrs = " inputmode=\"decimal\"";
    else if (pc_str_eq(type, "date")) input_type = "date";
    else if (pc_str_eq(type, "fin")) attrs = " autocapitalize=\"characters\" spellcheck=\"false\"";
    else if (pc_str_eq(type, "voen")) attrs = " inputmode=\"numeric\" spellcheck=\"false\"";
    if (multiline)
        web_html(r, "<textarea class=\"input textarea\" id=\"%s\" name=\"%s\" rows=\"6\"%r%r>%s</textarea>\n", id, name,
             *described ? pc_arena_printf(&r->arena, " aria-describedby=\"%s\"", described) : "",
             err ? " aria-invalid=\"true\"" : "", value ? value : "");
    else
        web_html(r, "<input class=\"input\" id=\"%s\" name=\"%s\" type=\"%s\" value=\"%s\"%r%r%r%r>\n", id, name,
             input_type, value ? value : "", attrs,
             maxlen ? pc_arena_printf(&r->arena, " maxlength=\"%lld\"", (long long)maxlen) : "",
             *described ? pc_arena_printf(&r->arena, " aria-describedby=\"%s\"", described) : "",
             err ? " aria-invalid=\"true\"" : "");
    web_html(r, "</div>\n");
}

static void group_html(struct http_req *r, const json_t *q, const json_t *answer, const struct form_issues *issues)
{
    const char *gid = json_string_value(json_object_get(q, "id"));
    const char *label = web_text(r, json_object_get(q, "label"));
    /* each item is named "Family member 1", not after the whole question */
    const char *item_label = json_object_get(q, "item_label") ? web_text(r, json_object_get(q, "item_label")) : label;
    const struct form_issue *gi = issue_for(issues, gid);
    /* the group itself is the target of its own errors' summary link (too few items) */
    web_html(r, "<fieldset class=\"fieldset group\"%r><legend class=\"legend\">%s</legend>\n",
         gi ? pc_arena_printf(&r->arena, " id=\"%s\" tabindex=\"-1\" aria-describedby=\"%s-error\"", gid, gid) : "", label);
    if (gi)
        web_html(r, "<p class=\"error-message\" id=\"%s-error\">%s</p>\n", gid, issue_text(r, gi));
    size_t n = json_is_array(answer) ? json_array_size(answer) : 0;
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(answer, i);
        web_html(r, "<fieldset class=\"fieldset item\"><legend class=\"legend\">%s</legend>\n",
             pc_arena_printf(&r->arena, web_t(r, M_APPLY_ITEM), item_label, (int)i + 1));
        size_t k;
        json_t *iq;
        json_array_foreach(json_object_get(q, "questions"), k, iq) {
            const char *qid = json_string_value(json_object_get(iq, "id"));
            question_html(r, iq, pc_arena_printf(&r->arena, "%s[%d].%s", gid, (int)i, qid),
                          json_object_get(item, qid), issues);
        }
        web_html(r, "<button type=\"submit\" class=\"secondary\" name=\"_remove\" value=\"%s:%d\">%s"
                "<span class=\"visually-hidden\"> — %s</span></button>\n</fieldset>\n",
             gid, (int)i, web_t(r, M_APPLY_REMOVE_ITEM), pc_arena_printf(&r->arena, web_t(r, M_APPLY_ITEM), item_label, (int)i + 1));
    }
    json_int_t max = json_object_get(q, "max_items") ? json_integer_value(json_object_get(q, "max_items")) : MAX_GROUP_ITEMS;
    if ((json_int_t)n < max)
        web_html(r, "<button type=\"submit\" class=\"secondary\" name=\"_add\" value=\"%s\">%s</button>\n", gid,
             web_t(r, M_APPLY_ADD_ITEM));
    web_html(r, "</fieldset>\n");
}

/* ---- reading a posted page ----------------------------------------------------- */

static json_t *parse_value(const json_t *q, const char *v)
{
    const char *type = json_string_value(json_object_get(q, "type"));
    while (v && (*v == ' ' || *v == '\t'))
        v++;
    if (!v || !*v)
        return NULL;
    size_t n = strlen(v);
    char *copy = strndup(v, n);
    while (n && (copy[n - 1] == ' ' || copy[n - 1] == '\t'))
        copy[--n] = 0;
    json_t *out;
    if (pc_str_eq(type, "number")) {
        char *end;
        for (char *p = copy; *p; p++)
            if (*p == ',')
                *p = '.'; /* 2,5 is how many people write it */
        double d = strtod(copy, &end);
        if (*end || end == copy)
            out = json_string(copy);
        else if (d == (double)(long long)d && !strchr(copy, '.'))
            out = json_integer((json_int_t)d);
        else
            out = json_real(d);
    } else if (pc_str_eq(type, "fin")) {
        for (char *p = copy; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 32);
        out = json_string(copy);
    } else {
        out = json_string(copy); /* NULL for invalid UTF-8: checked below as "not text" */
        if (!out)
            out = json_integer(0);
    }
    free(copy);
    return out;
}

/* All values of a repeated field (checkboxes). */
static json_t *all_values(struct http_req *r, const char *name)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < r->form.n; i++)
        if (strcmp(r->form.items[i].key, name) == 0 && *r->form.items[i].value)
            json_array_append_new(arr, json_string(r->form.items[i].value));
    return arr;
}

/* A file question's answer: the file uploaded with this post (recorded as
 * the applicant's), or the answer it had before; a failed upload becomes an
 * answer the checks refuse with the reason. */
static void read_file_answer(struct http_req *r, const char *name, json_t *into, const char *key,
                             const json_t *before)
{
    for (struct http_upload *u = r->uploads; u; u = u->next) {
        if (strcmp(u->field, name) != 0 || (!u->error && u->size == 0) || !u->filename || !*u->filename)
            continue;
        if (u->error == PC_EINVAL && u->size == 0)
            continue; /* the field was left empty */
        if (u->error || web_upload_record(r, u)) {
            /* an answer the page's checks refuse, for the right reason */
            static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";
            json_t *bad = json_pack("{s:s, s:s, s:I, s:s}", "sha256", u->error == PC_EIO || !u->error ? "" : zeros,
                                    "name", "-", "size", (json_int_t)(u->error == PC_ETOOBIG ? INT64_MAX / 2 : u->size),
                                    "type", u->error == PC_EINVAL ? u->mime : "");
            json_object_set_new(into, key, bad);
            return;
        }
        json_object_set_new(into, key, web_upload_answer(u));
        return;
    }
    if (before && json_object_get(before, "sha256"))
        json_object_set(into, key, (json_t *)before);
}

static void read_question(struct http_req *r, const json_t *q, const char *name, json_t *into, const char *key)
{
    const char *type = json_string_value(json_object_get(q, "type"));
    if (pc_str_eq(type, "file"))
        return; /* files are read by read_file_answer */
    if (pc_str_eq(type, "choice") && json_is_true(json_object_get(q, "multiple"))) {
        json_object_set_new(into, key, all_values(r, name));
        return;
    }
    json_t *v = parse_value(q, http_kv_get(&r->form, name));
    if (v)
        json_object_set_new(into, key, v);
    else
        json_object_del(into, key);
}

static json_t *read_page(struct http_req *r, const json_t *page, const json_t *before)
{
    json_t *answers = json_object();
    size_t k;
    json_t *q;
    json_array_foreach(json_object_get(page, "questions"), k, q) {
        const char *qid = json_string_value(json_object_get(q, "id"));
        const char *qtype = json_string_value(json_object_get(q, "type"));
        if (pc_str_eq(qtype, "file")) {
            read_file_answer(r, qid, answers, qid, json_object_get(before, qid));
            continue;
        }
        if (!pc_str_eq(qtype, "group")) {
            read_question(r, q, qid, answers, qid);
            continue;
        }
        json_t *items = json_array();
        for (int i = 0; i < MAX_GROUP_ITEMS; i++) {
            /* an item exists when any of its fields was posted */
            json_t *item = json_object();
            bool present = false;
            size_t j;
            json_t *iq;
            json_array_foreach(json_object_get(q, "questions"), j, iq) {
                const char *iid = json_string_value(json_object_get(iq, "id"));
                char *name = pc_arena_printf(&r->arena, "%s[%d].%s", qid, i, iid);
                for (size_t f = 0; f < r->form.n; f++)
                    if (strcmp(r->form.items[f].key, name) == 0)
                        present = true;
                if (pc_str_eq(json_string_value(json_object_get(iq, "type")), "file"))
                    read_file_answer(r, name, item, iid,
                                     json_object_get(json_array_get(json_object_get(before, qid), (size_t)i), iid));
                else
                    read_question(r, iq, name, item, iid);
            }
            if (!present) {
                json_decref(item);
                break;
            }
            json_array_append_new(items, item);
        }
        const char *rm = http_kv_get(&r->form, "_remove");
        size_t len = strlen(qid);
        if (rm && strncmp(rm, qid, len) == 0 && rm[len] == ':')
            json_array_remove(items, (size_t)atoi(rm + len + 1));
        if (pc_str_eq(http_kv_get(&r->form, "_add"), qid) && json_array_size(items) < MAX_GROUP_ITEMS)
            json_array_append_new(items, json_object());
        json_object_set_new(answers, qid, items);
    }
    return answers;
}

/* ---- prefill from the applicant's record ------------------------------------------ */

static void prefill(struct http_req *r, const json_t *page, json_t *answers)
{
    const struct id_principal *who = web_who(r);
    struct id_person p;
    if (!who->fin || id_person_get(app_of(r)->db, &r->arena, who->fin, &p, NULL) != 0)
        return;
    size_t k;
    json_t *q;
    json_array_foreach(json_object_get(page, "questions"), k, q) {
        const char *src = json_string_value(json_object_get(q, "prefill"));
        const char *qid = json_string_value(json_object_get(q, "id"));
        if (!src || json_object_get(answers, qid))
            continue;
        const char *v = NULL;
        if (pc_str_eq(src, "profile.fin")) v = p.fin;
        else if (pc_str_eq(src, "profile.full_name")) v = pc_arena_printf(&r->arena, "%s %s", p.first_name, p.last_name);
        else if (pc_str_eq(src, "profile.birth_date")) v = p.birth_date;
        else if (pc_str_eq(src, "profile.phone")) v = p.phone;
        else if (pc_str_eq(src, "profile.email")) v = p.email;
        else if (pc_str_eq(src, "profile.address")) v = p.address;
        else if (pc_str_eq(src, "profile.id_card")) v = p.id_card;
        if (v && *v)
            json_object_set_new(answers, qid, json_string(v));
    }
}

/* ---- pages ---------------------------------------------------------------------- */

static int page_number(const json_t *def, const json_t *answers, const char *page_id, int *total)
{
    int n = 0, at = 0;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(def, "pages"), i, p) {
        if (!form_page_visible(p, answers))
            continue;
        n++;
        if (pc_str_eq(json_string_value(json_object_get(p, "id")), page_id))
            at = n;
    }
    *total = n;
    return at;
}

static bool page_has_files(const json_t *page)
{
    size_t k, j;
    json_t *q, *iq;
    json_array_foreach(json_object_get(page, "questions"), k, q) {
        if (pc_str_eq(json_string_value(json_object_get(q, "type")), "file"))
            return true;
        json_array_foreach(json_object_get(q, "questions"), j, iq) {
            if (pc_str_eq(json_string_value(json_object_get(iq, "type")), "file"))
                return true;
        }
    }
    return false;
}

/* The question an issue is about: "q", or "g[0].q" inside a group. */
static const json_t *issue_question(const json_t *def, const char *field)
{
    const json_t *q = form_find_question(def, field, NULL);
    const char *br = strchr(field, '[');
    const char *dot = br ? strchr(br, '.') : NULL;
    if (q || !dot)
        return q;
    char gid[96];
    snprintf(gid, sizeof gid, "%.*s", (int)(br - field), field);
    size_t k;
    json_t *iq;
    json_array_foreach(json_object_get(form_find_question(def, gid, NULL), "questions"), k, iq) {
        if (pc_str_eq(json_string_value(json_object_get(iq, "id")), dot + 1))
            return iq;
    }
    return NULL;
}

static void question_page(struct http_req *r, const struct case_app *app, const json_t *def, const json_t *page,
                          const json_t *answers, const struct form_issues *issues)
{
    const char *title = web_text(r, json_object_get(page, "title"));
    const char *pid = json_string_value(json_object_get(page, "id"));
    struct web_field_error errs[FORM_MAX_ISSUES];
    int ne = 0;
    for (int i = 0; issues && i < issues->n; i++) {
        char *anchor = pc_arena_strdup(&r->arena, issues->items[i].field);
        for (char *p = anchor; *p; p++)
            if (*p == '.' || *p == '[' || *p == ']')
                *p = '-';
        /* a choice's first option carries the anchor (also inside a group) */
        const json_t *q = issue_question(def, issues->items[i].field);
        if (q && pc_str_eq(json_string_value(json_object_get(q, "type")), "choice"))
            anchor = pc_arena_printf(&r->arena, "%s-0", anchor);
        errs[ne++] = (struct web_field_error){anchor, issue_text(r, &issues->items[i])};
    }
    web_form_title(r, title, ne);
    int total, at = page_number(def, answers, pid, &total);
    web_html(r, "<p><a class=\"back-link\" href=\"/services/%s/start\">%s</a></p>\n", app->service_id, web_t(r, M_APPLY_BACK));
    web_error_summary(r, errs, ne);
    web_html(r, "<span class=\"caption\">%s — %s</span>\n<h1>%s</h1>\n",
         web_text(r, json_object_get(def, "title")), pc_arena_printf(&r->arena, web_t(r, M_APPLY_STEP), at, total), title);
    if (json_object_get(page, "hint"))
        web_html(r, "<p class=\"lead\">%s</p>\n", web_text(r, json_object_get(page, "hint")));
    web_html(r, "<form method=\"post\" action=\"/applications/%s/page/%s\" novalidate%r>\n", app->id, pid,
         page_has_files(page) ? " enctype=\"multipart/form-data\"" : "");
    web_csrf_field(r);
    web_html(r, "<input type=\"hidden\" name=\"_version\" value=\"%L\">\n", (long long)app->version);
    const json_t *qs = json_object_get(page, "questions");
    size_t k;
    json_t *q;
    json_array_foreach(qs, k, q) {
        const char *qid = json_string_value(json_object_get(q, "id"));
        if (pc_str_eq(json_string_value(json_object_get(q, "type")), "group"))
            group_html(r, q, json_object_get(answers, qid), issues);
        else
            question_html(r, q, qid, json_object_get(answers, qid), issues);
    }
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n<p class=\"hint\">%s</p>\n", web_t(r, M_APPLY_CONTINUE),
         web_t(r, M_APPLY_DRAFT_SAVED));
    web_page_end(r);
}

int web_page_apply_post(struct http_req *r)
{
    const char *service = http_param(r, 0);
    if (!web_require(r, ID_ACT_APPLY, NULL))
        return 0;
    const json_t *def = form_get(app_of(r)->forms, service);
    if (!def)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    const char *id;
    struct pc_err err = {0};
    if (case_draft_new(app_of(r)->db, app_of(r)->forms, web_who(r), service, web_lang(r), &r->arena, &id, &err))
        return web_fail(r, err.code, &err);
    json_t *none = json_object();
    const json_t *first = form_next_page(def, none, NULL);
    int rc = http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s/page/%s", id,
                                                   json_string_value(json_object_get(first, "id"))));
    json_decref(none);
    return rc;
}

static int draft_and_form(struct http_req *r, struct case_app *app, const json_t **def)
{
    if (own_application(r, app))
        return 1;
    if (!pc_str_eq(app->status, "draft")) {
        http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s", app->reference));
        case_app_release(app);
        return 1;
    }
    *def = form_get_version(app_of(r)->forms, app->service_id, app->form_version);
    if (!*def) {
        case_app_release(app);
        http_error(r, 404, "not-found", "Page not found", NULL);
        return 1;
    }
    return 0;
}

int web_page_apply_page(struct http_req *r)
{
    struct case_app app;
    const json_t *def;
    if (draft_and_form(r, &app, &def))
        return 0;
    const json_t *page = form_find_page(def, http_param(r, 1));
    if (!page || !form_page_visible(page, app.answers)) {
        case_app_release(&app);
        return http_error(r, 404, "not-found", "Page not found", NULL);
    }
    prefill(r, page, app.answers);
    question_page(r, &app, def, page, app.answers, NULL);
    case_app_release(&app);
    return 0;
}

int web_page_apply_page_post(struct http_req *r)
{
    struct case_app app;
    const json_t *def;
    if (draft_and_form(r, &app, &def))
        return 0;
    const json_t *page = form_find_page(def, http_param(r, 1));
    if (!page || !form_page_visible(page, app.answers)) {
        case_app_release(&app);
        return http_error(r, 404, "not-found", "Page not found", NULL);
    }
    long long version;
    if (pc_parse_int(http_kv_get(&r->form, "_version"), 1, INT64_MAX, &version)) {
        case_app_release(&app);
        return http_error(r, 400, "bad-form", "Bad request", NULL);
    }
    json_t *posted = read_page(r, page, app.answers);
    bool regroup = http_kv_get(&r->form, "_add") || http_kv_get(&r->form, "_remove");
    json_t *merged = json_deep_copy(app.answers);
    json_object_update(merged, posted);
    struct form_issues issues = {0};
    char day[21];
    pc_rfc3339(pc_now_unix(), day);
    day[10] = 0;
    if (!regroup)
        form_check_answers(def, merged, json_string_value(json_object_get(page, "id")), day, &issues);
    /* unknown fields cannot come from this page's form: ignore other pages' issues */
    int rc = 0;
    struct pc_err err = {0};
    /* saved as the citizen goes: also when adding or removing an item */
    if (issues.n == 0)
        rc = case_draft_save(app_of(r)->db, app_of(r)->forms, app.id, posted, version, &err);
    if (rc == 0 && regroup)
        app.version = version + 1;
    if (rc == PC_ECONFLICT) {
        json_decref(posted);
        json_decref(merged);
        case_app_release(&app);
        return http_error(r, 409, "conflict", web_t(r, M_APPLY_CONFLICT), NULL);
    }
    if (rc) {
        json_decref(posted);
        json_decref(merged);
        case_app_release(&app);
        return web_fail(r, err.code, &err);
    }
    if (issues.n || regroup) {
        if (issues.n)
            r->status = 400;
        question_page(r, &app, def, page, merged, &issues);
    } else {
        const json_t *next = form_next_page(def, merged, json_string_value(json_object_get(page, "id")));
        http_redirect(r, 303, next ? pc_arena_printf(&r->arena, "/applications/%s/page/%s", app.id,
                                                     json_string_value(json_object_get(next, "id")))
                                   : pc_arena_printf(&r->arena, "/applications/%s/check", app.id));
    }
    json_decref(posted);
    json_decref(merged);
    case_app_release(&app);
    return 0;
}

/* Show an answer in the summary list. */
static void answer_html(struct http_req *r, const json_t *q, const json_t *a, const char *file_base)
{
    const char *type = json_string_value(json_object_get(q, "type"));
    if (!a || json_is_null(a)) {
        web_html(r, "—");
        return;
    }
    if (pc_str_eq(type, "choice")) {
        size_t i;
        json_t *o;
        const char *sep = "";
        json_array_foreach(json_object_get(q, "options"), i, o) {
            if (chosen(a, json_string_value(json_object_get(o, "value")))) {
                web_html(r, "%s%s", sep, web_text(r, json_object_get(o, "label")));
                sep = ", ";
            }
        }
        return;
    }
    if (pc_str_eq(type, "group")) {
        web_html(r, "<ol class=\"items\">");
        size_t i, k;
        json_t *item, *iq;
        json_array_foreach(a, i, item) {
            web_html(r, "<li>");
            const char *sep = "";
            json_array_foreach(json_object_get(q, "questions"), k, iq) {
                /* shown like a question of its own: a choice by its label, not its value */
                const json_t *v = json_object_get(item, json_string_value(json_object_get(iq, "id")));
                if (v && !json_is_null(v)) {
                    web_html(r, "%s", sep);
                    answer_html(r, iq, v, NULL);
                    sep = "; ";
                }
            }
            web_html(r, "</li>");
        }
        web_html(r, "</ol>");
        return;
    }
    if (pc_str_eq(type, "file")) {
        const char *name = json_string_value(json_object_get(a, "name"));
        const char *sha = json_string_value(json_object_get(a, "sha256"));
        if (file_base && sha)
            web_html(r, "<a href=\"%s/files/%s\" download>%s</a>", file_base, sha, name ? name : sha);
        else
            web_html(r, "%s", name ? name : "—");
        return;
    }
    const char *v = answer_str(r, a);
    web_html(r, "%s", v ? v : "—");
}

void web_answers_list(struct http_req *r, const json_t *def, const json_t *answers, const char *change_base,
                  const char *file_base)
{
    web_html(r, "<dl class=\"facts summary\">\n");
    size_t i, k;
    json_t *p, *q;
    json_array_foreach(json_object_get(def, "pages"), i, p) {
        if (!form_page_visible(p, answers))
            continue;
        json_array_foreach(json_object_get(p, "questions"), k, q) {
            const char *qid = json_string_value(json_object_get(q, "id"));
            web_html(r, "<dt>%s</dt><dd>", web_text(r, json_object_get(q, "label")));
            answer_html(r, q, json_object_get(answers, qid), file_base);
            if (change_base)
                web_html(r, " <a class=\"change\" href=\"%s/page/%s\">%s<span class=\"visually-hidden\"> — %s</span></a>",
                     change_base, json_string_value(json_object_get(p, "id")), web_t(r, M_APPLY_CHANGE),
                     web_text(r, json_object_get(q, "label")));
            web_html(r, "</dd>\n");
        }
    }
    web_html(r, "</dl>\n");
}

int web_page_apply_check(struct http_req *r)
{
    struct case_app app;
    const json_t *def;
    if (draft_and_form(r, &app, &def))
        return 0;
    struct form_issues issues;
    char day[21];
    pc_rfc3339(pc_now_unix(), day);
    day[10] = 0;
    form_check_answers(def, app.answers, NULL, day, &issues);
    if (issues.n) {
        /* something is missing: back to the first page with a problem */
        const json_t *page = NULL;
        form_find_question(def, issues.items[0].field, &page);
        if (!page) {
            char first[sizeof issues.items[0].field];
            snprintf(first, sizeof first, "%s", issues.items[0].field);
            first[strcspn(first, "[.")] = 0;
            form_find_question(def, first, &page);
        }
        if (!page)
            page = form_next_page(def, app.answers, NULL);
        http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s/page/%s", app.id,
                                              json_string_value(json_object_get(page, "id"))));
        case_app_release(&app);
        return 0;
    }
    web_page_begin(r, web_t(r, M_APPLY_CHECK_TITLE));
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n", web_text(r, json_object_get(def, "title")),
         web_t(r, M_APPLY_CHECK_TITLE));
    const char *base = pc_arena_printf(&r->arena, "/applications/%s", app.id);
    web_answers_list(r, def, app.answers, base, base);
    web_html(r, "<p>%s</p>\n<form method=\"post\" action=\"/applications/%s/submit\">\n", web_t(r, M_APPLY_SUBMIT_LEAD), app.id);
    web_csrf_field(r);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_APPLY_SUBMIT));
    web_page_end(r);
    case_app_release(&app);
    return 0;
}

int web_page_apply_submit(struct http_req *r)
{
    struct case_app app;
    if (own_application(r, &app))
        return 0;
    case_app_release(&app);
    struct case_app out;
    struct form_issues issues;
    struct pc_err err = {0};
    int rc = case_draft_submit(app_of(r)->db, app_of(r)->forms, web_who(r), app.id, r->remote_addr, &r->arena, &out,
                               &issues, &err);
    if (rc == PC_EINVAL)
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s/check", app.id));
    if (rc)
        return web_fail(r, rc, &err);
    case_app_release(&out);
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
             web_t(r, M_MY_APPS_TITLE), web_t(r, M_MY_APPS_TITLE), web_t(r, M_COL_REFERENCE), web_t(r, M_COL_SERVICE), web_t(r, M_APP_STATUS));
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

void web_history_list(struct http_req *r, const char *app_id)
{
    struct case_event *ev;
    size_t n = 0;
    if (case_events(app_of(r)->db, &r->arena, app_id, &ev, &n, NULL))
        return;
    web_html(r, "<h2>%s</h2>\n<ol class=\"timeline\">\n", web_t(r, M_APP_HISTORY));
    for (size_t i = 0; i < n; i++) {
        web_html(r, "<li><strong>%s</strong> — %s", web_state_label(r, ev[i].to_status), when_text(r, ev[i].at));
        if (ev[i].note)
            web_html(r, "<p class=\"note\">%s</p>", ev[i].note);
        web_html(r, "</li>\n");
    }
    web_html(r, "</ol>\n");
}

int web_page_application(struct http_req *r)
{
    struct case_app app;
    if (own_application(r, &app))
        return 0;
    if (!app.reference) {
        case_app_release(&app);
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s/check", app.id));
    }
    const json_t *def = form_get_version(app_of(r)->forms, app.service_id, app.form_version);
    web_page_begin(r, pc_arena_printf(&r->arena, web_t(r, M_APP_TITLE), app.reference));
    if (http_kv_get(&r->query, "sent")) {
        web_html(r, "<div class=\"panel\">\n<h1>%s</h1>\n<p>%s<br><strong class=\"code\">%s</strong></p>\n</div>\n",
             web_t(r, M_APPLY_DONE_TITLE), web_t(r, M_APPLY_DONE_REF), app.reference);
        if (def)
            web_html(r, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, M_APPLY_DONE_NEXT), web_text(r, json_object_get(def, "what_next")));
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
    web_html(r, "</dl>\n");
    if (app.decided_at)
        web_html(r, "<p><a class=\"button\" href=\"/applications/%s/result\">%s</a></p>\n", app.reference, web_t(r, M_RESULT_LINK));
    if (pc_str_eq(app.status, "info_requested")) {
        web_html(r, "<form method=\"post\" action=\"/applications/%s/respond\">\n", app.reference);
        web_csrf_field(r);
        web_html(r, "<input type=\"hidden\" name=\"version\" value=\"%L\">\n<div class=\"field\"><label for=\"note\">%s</label>\n"
                "<textarea class=\"input textarea\" id=\"note\" name=\"note\" rows=\"5\" maxlength=\"4000\"></textarea></div>\n"
                "<button type=\"submit\">%s</button>\n</form>\n",
             (long long)app.version, web_t(r, M_APP_RESPOND_LABEL), web_t(r, M_APP_RESPOND));
    }
    if (pc_str_eq(app.status, "submitted") || pc_str_eq(app.status, "registered")) {
        web_html(r, "<form method=\"post\" action=\"/applications/%s/cancel\">\n", app.reference);
        web_csrf_field(r);
        web_html(r, "<input type=\"hidden\" name=\"version\" value=\"%L\">\n<button type=\"submit\" class=\"warning\">%s</button>\n</form>\n",
             (long long)app.version, web_t(r, M_APP_CANCEL));
    }
    web_history_list(r, app.id);
    if (def) {
        web_html(r, "<h2>%s</h2>\n", web_t(r, M_APP_ANSWERS));
        web_answers_list(r, def, app.answers, NULL, pc_arena_printf(&r->arena, "/applications/%s", app.reference));
    }
    web_page_end(r);
    case_app_release(&app);
    return 0;
}

/* respond / cancel: the applicant's own steps */
static int applicant_step(struct http_req *r, const char *action)
{
    struct case_app app;
    if (own_application(r, &app))
        return 0;
    case_app_release(&app);
    long long version;
    if (pc_parse_int(http_kv_get(&r->form, "version"), 1, INT64_MAX, &version))
        return http_error(r, 400, "bad-form", "Bad request", NULL);
    struct case_app out;
    struct pc_err err = {0};
    int rc = case_act(app_of(r)->db, app_of(r)->forms, web_who(r), app.reference, action, http_kv_get(&r->form, "note"), version,
                      r->remote_addr, &r->arena, &out, &err);
    if (rc == PC_ECONFLICT)
        return http_error(r, 409, "conflict", web_t(r, M_APPLY_CONFLICT), NULL);
    if (rc == PC_EINVAL || rc == PC_EDENIED)
        return http_error(r, 400, "bad-step", "Bad request", err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    case_app_release(&out);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s", app.reference));
}

int web_page_application_respond(struct http_req *r)
{
    return applicant_step(r, "respond");
}

int web_page_application_cancel(struct http_req *r)
{
    return applicant_step(r, "cancel");
}

int web_page_application_file(struct http_req *r)
{
    struct case_app app;
    if (own_application(r, &app))
        return 0;
    int rc = web_serve_case_file(r, app.answers, http_param(r, 1));
    case_app_release(&app);
    return rc;
}

/* ---- the decision document ------------------------------------------------------
 * A printable page with the decision and a SHA-256 fingerprint of its
 * substance (reference, service, applicant, outcome, text, date) so that a
 * bank or a notary can check a copy against the portal.  It carries no
 * e-signature yet: the certification centre will sign the same substance. */

static const char *decision_fingerprint(struct http_req *r, const struct case_app *app)
{
    char *canon = pc_arena_printf(&r->arena, "%s\n%s\n%s\n%s\n%s\n%lld", app->reference, app->service_id,
                                  app->applicant_fin ? app->applicant_fin : "", app->status,
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
    bool decided = app.decided_at && (pc_str_eq(app.status, "approved") || pc_str_eq(app.status, "refused") ||
                                      pc_str_eq(app.status, "delivered"));
    if (!decided) {
        case_app_release(&app);
        return http_error(r, 404, "not-found", "Page not found", NULL);
    }
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
    web_page_begin(r, web_t(r, M_RESULT_TITLE));
    web_html(r, "<article class=\"document\">\n<h1>%s</h1>\n<p class=\"caption\">%s</p>\n<dl class=\"facts\">\n"
            "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
            "<dt>%s</dt><dd>%s</dd>\n</dl>\n<h2>%s</h2>\n<p class=\"decision\">%s</p>\n"
            "<h2>%s</h2>\n<p><code class=\"key\">%s</code></p>\n<p class=\"hint\">%s</p>\n<p class=\"hint\">%s</p>\n</article>\n",
         web_t(r, M_RESULT_TITLE), app.reference, web_t(r, M_RESULT_SERVICE), service, web_t(r, M_RESULT_AGENCY), agency,
         web_t(r, M_RESULT_APPLICANT), applicant ? applicant : "", web_t(r, M_RESULT_DATE),
         pc_arena_printf(&r->arena, "%.10s", ts), web_t(r, M_RESULT_OUTCOME), web_state_label(r, app.status),
         web_t(r, M_APP_DECISION), app.decision ? app.decision : "", web_t(r, M_RESULT_FINGERPRINT),
         decision_fingerprint(r, &app), web_t(r, M_RESULT_FINGERPRINT_HINT), web_t(r, M_RESULT_UNSIGNED));
    web_page_end(r);
    case_app_release(&app);
    return 0;
}

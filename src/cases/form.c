/* form.c — form definitions (docs/forms.md): checking a definition, and
 * checking answers against it page by page, with conditions that show or
 * skip pages and repeating groups. */
#include "cases.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- small helpers ------------------------------------------------------ */

static const char *const types[] = {"text", "number", "date", "choice", "fin", "voen", "phone", "email",
                                    "address", "file", "group", NULL};

static bool in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static bool is_id(const char *s, bool page)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (page ? c == '-' : c == '_');
        if (!ok)
            return false;
    }
    return true;
}

static bool is_service_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 3 || n > 60)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static bool is_text(const json_t *t)
{
    if (!json_is_object(t) || json_object_size(t) != 3)
        return false;
    static const char *const langs[] = {"az", "en", "ru"};
    for (int i = 0; i < 3; i++) {
        const json_t *v = json_object_get(t, langs[i]);
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 4000)
            return false;
    }
    return true;
}

static int bad(struct pc_err *err, const char *path, const char *what)
{
    return pc_err_set(err, PC_EINVAL, "%s: %s", path, what);
}

static int check_keys(const json_t *o, const char *const *allowed, const char *path, struct pc_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) {
        if (!in_list(k, allowed))
            return pc_err_set(err, PC_EINVAL, "%s: unknown key \"%s\"", path, k);
    }
    return 0;
}

/* ---- dates --------------------------------------------------------------- */

static bool parse_date(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    *y = atoi(s);
    *m = atoi(s + 5);
    *d = atoi(s + 8);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (*y < 1900 || *y > 2200 || *m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
        return false;
    if (*m == 2 && *d == 29 && !((*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0))
        return false;
    return true;
}

/* Resolve "today", "YYYY-MM-DD", "-120y", "+30d" against today; out[11]. */
static bool resolve_bound(const char *spec, const char *today, char out[11])
{
    int y, m, d;
    if (!spec)
        return false;
    if (strcmp(spec, "today") == 0) {
        snprintf(out, 11, "%s", today);
        return true;
    }
    if (parse_date(spec, &y, &m, &d)) {
        snprintf(out, 11, "%s", spec);
        return true;
    }
    size_t n = strlen(spec);
    if (n < 3 || (spec[0] != '+' && spec[0] != '-') || (spec[n - 1] != 'y' && spec[n - 1] != 'd'))
        return false;
    long long k = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (!isdigit((unsigned char)spec[i]) || k > 100000)
            return false;
        k = k * 10 + (spec[i] - '0');
    }
    if (spec[0] == '-')
        k = -k;
    if (!parse_date(today, &y, &m, &d))
        return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    if (spec[n - 1] == 'y')
        tm.tm_year += (int)k;
    else
        tm.tm_mday += (int)k;
    time_t t = timegm(&tm);
    struct tm r;
    gmtime_r(&t, &r);
    return strftime(out, 11, "%Y-%m-%d", &r) == 10;
}

/* ---- definitions --------------------------------------------------------- */

static int check_condition(const json_t *c, const json_t *earlier_ids, const char *path, struct pc_err *err)
{
    static const char *const keys[] = {"question", "equals", "in", "answered", NULL};
    if (!json_is_object(c) || check_keys(c, keys, path, err))
        return err && err->code ? err->code : bad(err, path, "show_if must be an object");
    const char *q = json_string_value(json_object_get(c, "question"));
    if (!q || !json_object_get(earlier_ids, q))
        return bad(err, path, "show_if.question must name a question on an earlier page");
    int forms = !!json_object_get(c, "equals") + !!json_object_get(c, "in") + !!json_object_get(c, "answered");
    if (forms != 1)
        return bad(err, path, "show_if needs exactly one of equals, in, answered");
    return 0;
}

static int check_question(const json_t *q, bool in_group, json_t *ids, const char *path, struct pc_err *err)
{
    static const char *const keys[] = {"id", "type", "label", "hint", "required", "example", "prefill",
                                       "min_length", "max_length", "multiline", "min", "max", "integer",
                                       "not_before", "not_after", "options", "multiple", "max_bytes",
                                       "accept", "questions", "min_items", "max_items", "item_label", NULL};
    if (!json_is_object(q))
        return bad(err, path, "a question must be an object");
    if (check_keys(q, keys, path, err))
        return PC_EINVAL;
    const char *id = json_string_value(json_object_get(q, "id"));
    const char *type = json_string_value(json_object_get(q, "type"));
    if (!is_id(id, false))
        return bad(err, path, "id must be 1–40 characters of a-z, 0-9 and _");
    if (json_object_get(ids, id))
        return pc_err_set(err, PC_EINVAL, "%s: duplicate question id \"%s\"", path, id);
    json_object_set_new(ids, id, json_true());
    if (!in_list(type, types))
        return bad(err, path, "type is not one of the known types");
    if (!is_text(json_object_get(q, "label")))
        return bad(err, path, "label must have non-empty az, en and ru");
    const json_t *hint = json_object_get(q, "hint");
    if (hint && !is_text(hint))
        return bad(err, path, "hint must have non-empty az, en and ru");
    if (!json_object_get(q, "example"))
        return bad(err, path, "example is required");
    if (strcmp(type, "choice") == 0) {
        const json_t *opts = json_object_get(q, "options");
        if (!json_is_array(opts) || json_array_size(opts) < 2 || json_array_size(opts) > 50)
            return bad(err, path, "a choice needs 2–50 options");
        size_t i;
        json_t *o;
        json_array_foreach(opts, i, o) {
            const char *v = json_string_value(json_object_get(o, "value"));
            if (!v || !*v || strlen(v) > 60 || !is_text(json_object_get(o, "label")))
                return pc_err_set(err, PC_EINVAL, "%s.options[%zu]: needs a value and a label in az, en, ru", path, i);
        }
    }
    if (strcmp(type, "group") == 0) {
        if (in_group)
            return bad(err, path, "groups cannot be nested");
        const json_t *qs = json_object_get(q, "questions");
        if (!json_is_array(qs) || json_array_size(qs) < 1 || json_array_size(qs) > 10)
            return bad(err, path, "a group needs 1–10 questions");
        json_t *inner_ids = json_object();
        size_t i;
        json_t *iq;
        int rc = 0;
        json_array_foreach(qs, i, iq) {
            char p[160];
            snprintf(p, sizeof p, "%s.questions[%zu]", path, i);
            if ((rc = check_question(iq, true, inner_ids, p, err)))
                break;
        }
        json_decref(inner_ids);
        if (rc)
            return rc;
        json_int_t mx = json_integer_value(json_object_get(q, "max_items"));
        if (json_object_get(q, "max_items") && (mx < 1 || mx > 20))
            return bad(err, path, "max_items must be 1–20");
    }
    if (strcmp(type, "file") == 0) {
        json_int_t mb = json_integer_value(json_object_get(q, "max_bytes"));
        if (json_object_get(q, "max_bytes") && (mb < 1 || mb > 20 * 1024 * 1024))
            return bad(err, path, "max_bytes must be 1 byte to 20 MiB");
        static const char *const mimes[] = {"application/pdf", "image/jpeg", "image/png", NULL};
        const json_t *acc = json_object_get(q, "accept");
        size_t i;
        json_t *m;
        if (acc && !json_is_array(acc))
            return bad(err, path, "accept must be a list");
        json_array_foreach(acc, i, m) {
            if (!in_list(json_string_value(m), mimes))
                return bad(err, path, "accept lists application/pdf, image/jpeg, image/png only");
        }
    }
    return 0;
}

/* "workflow": {"steps": [...], "roles": {step: [roles]}, "deadlines": {state: days}} */
static int check_workflow(const json_t *wf, struct pc_err *err)
{
    static const char *const keys[] = {"steps", "roles", "deadlines", NULL};
    static const char *const steps[] = {"register", "start_review", "request_info", "respond", "approve", "refuse",
                                        "deliver", "cancel", "assign_to_me", NULL};
    static const char *const staff[] = {"officer", "agency_admin", NULL};
    static const char *const states[] = {"submitted", "registered", "in_review", "info_requested",
                                         "citizen_responded", "approved", NULL};
    if (!json_is_object(wf) || check_keys(wf, keys, "$.workflow", err))
        return bad(err, "$.workflow", "must be an object of steps, roles and deadlines");
    size_t i;
    json_t *v;
    const char *k;
    const json_t *st = json_object_get(wf, "steps");
    if (st && !json_is_array(st))
        return bad(err, "$.workflow.steps", "must be a list of steps");
    json_array_foreach(st, i, v) {
        if (!in_list(json_string_value(v), steps))
            return bad(err, "$.workflow.steps", "names a step the workflow does not have");
    }
    const json_t *ro = json_object_get(wf, "roles");
    if (ro && !json_is_object(ro))
        return bad(err, "$.workflow.roles", "must map steps to lists of roles");
    json_object_foreach((json_t *)ro, k, v) {
        size_t j;
        json_t *r;
        if (!in_list(k, steps) || !json_is_array(v) || json_array_size(v) == 0)
            return bad(err, "$.workflow.roles", "must map steps to non-empty lists of roles");
        json_array_foreach(v, j, r) {
            if (!in_list(json_string_value(r), staff))
                return bad(err, "$.workflow.roles", "roles are officer and agency_admin");
        }
    }
    const json_t *dl = json_object_get(wf, "deadlines");
    if (dl && !json_is_object(dl))
        return bad(err, "$.workflow.deadlines", "must map states to days");
    json_object_foreach((json_t *)dl, k, v) {
        if (!in_list(k, states) || !json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 365)
            return bad(err, "$.workflow.deadlines", "must map states to 1..365 days");
    }
    return 0;
}

int form_check_definition(const json_t *def, struct pc_err *err)
{
    static const char *const keys[] = {"service", "version", "title", "what_next", "pages", "workflow", NULL};
    static const char *const page_keys[] = {"id", "title", "hint", "show_if", "questions", NULL};
    if (!json_is_object(def))
        return bad(err, "$", "a form must be a JSON object");
    if (check_keys(def, keys, "$", err))
        return PC_EINVAL;
    const char *service = json_string_value(json_object_get(def, "service"));
    if (!is_service_id(service))
        return bad(err, "$.service", "must be a service id of 3–60 characters a-z, 0-9 and -");
    json_int_t version = json_integer_value(json_object_get(def, "version"));
    if (!json_is_integer(json_object_get(def, "version")) || version < 1 || version > 100000)
        return bad(err, "$.version", "must be an integer ≥ 1");
    if (!is_text(json_object_get(def, "title")))
        return bad(err, "$.title", "must have non-empty az, en and ru");
    if (!is_text(json_object_get(def, "what_next")))
        return bad(err, "$.what_next", "must have non-empty az, en and ru");
    const json_t *wf = json_object_get(def, "workflow");
    if (wf && check_workflow(wf, err))
        return PC_EINVAL;
    const json_t *pages = json_object_get(def, "pages");
    if (!json_is_array(pages) || json_array_size(pages) < 1 || json_array_size(pages) > 30)
        return bad(err, "$.pages", "must be a list of 1–30 pages");
    json_t *ids = json_object(), *page_ids = json_object();
    int rc = 0;
    size_t i;
    json_t *p;
    json_array_foreach(pages, i, p) {
        char path[64];
        snprintf(path, sizeof path, "$.pages[%zu]", i);
        if (!json_is_object(p) || check_keys(p, page_keys, path, err)) {
            rc = err && err->code ? err->code : bad(err, path, "a page must be an object");
            break;
        }
        const char *pid = json_string_value(json_object_get(p, "id"));
        if (!is_id(pid, true) || json_object_get(page_ids, pid)) {
            rc = bad(err, path, "id must be unique, 1–40 characters of a-z, 0-9 and -");
            break;
        }
        json_object_set_new(page_ids, pid, json_true());
        if (!is_text(json_object_get(p, "title")) ||
            (json_object_get(p, "hint") && !is_text(json_object_get(p, "hint")))) {
            rc = bad(err, path, "title (and hint) must have non-empty az, en and ru");
            break;
        }
        const json_t *cond = json_object_get(p, "show_if");
        if (cond && (rc = check_condition(cond, ids, path, err)))
            break;
        const json_t *qs = json_object_get(p, "questions");
        if (!json_is_array(qs) || json_array_size(qs) < 1 || json_array_size(qs) > 10) {
            rc = bad(err, path, "questions must be a list of 1–10");
            break;
        }
        size_t k;
        json_t *q;
        json_array_foreach(qs, k, q) {
            char qp[96];
            snprintf(qp, sizeof qp, "%s.questions[%zu]", path, k);
            if ((rc = check_question(q, false, ids, qp, err)))
                break;
        }
        if (rc)
            break;
    }
    json_decref(ids);
    json_decref(page_ids);
    return rc;
}

/* ---- navigation ----------------------------------------------------------- */

bool form_page_visible(const json_t *page, const json_t *answers)
{
    const json_t *c = json_object_get(page, "show_if");
    if (!c)
        return true;
    const json_t *a = json_object_get(answers, json_string_value(json_object_get(c, "question")));
    const json_t *eq = json_object_get(c, "equals"), *in = json_object_get(c, "in");
    if (json_object_get(c, "answered"))
        return a && !json_is_null(a) && !(json_is_string(a) && json_string_length(a) == 0);
    if (!a)
        return false;
    if (eq)
        return json_equal((json_t *)a, (json_t *)eq) ||
               (json_is_array(a) && json_array_size(a) && json_equal(json_array_get(a, 0), (json_t *)eq));
    size_t i;
    json_t *v;
    json_array_foreach(in, i, v) {
        if (json_equal((json_t *)a, v))
            return true;
    }
    return false;
}

const json_t *form_find_page(const json_t *def, const char *page_id)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(def, "pages"), i, p) {
        if (pc_str_eq(json_string_value(json_object_get(p, "id")), page_id))
            return p;
    }
    return NULL;
}

const json_t *form_find_question(const json_t *def, const char *question_id, const json_t **page)
{
    size_t i, k;
    json_t *p, *q;
    json_array_foreach(json_object_get(def, "pages"), i, p) {
        json_array_foreach(json_object_get(p, "questions"), k, q) {
            if (pc_str_eq(json_string_value(json_object_get(q, "id")), question_id)) {
                if (page)
                    *page = p;
                return q;
            }
        }
    }
    return NULL;
}

const json_t *form_next_page(const json_t *def, const json_t *answers, const char *page_id)
{
    bool passed = page_id == NULL;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(def, "pages"), i, p) {
        if (passed && form_page_visible(p, answers))
            return p;
        if (!passed && pc_str_eq(json_string_value(json_object_get(p, "id")), page_id))
            passed = true;
    }
    return NULL;
}

void form_drop_hidden(const json_t *def, json_t *answers)
{
    size_t i, k;
    json_t *p, *q;
    json_array_foreach(json_object_get(def, "pages"), i, p) {
        if (form_page_visible(p, answers))
            continue;
        json_array_foreach(json_object_get(p, "questions"), k, q)
            json_object_del(answers, json_string_value(json_object_get(q, "id")));
    }
}

/* ---- answers ---------------------------------------------------------------- */

static void issue(struct form_issues *out, const char *field, const char *code, long long limit)
{
    if (out->n >= FORM_MAX_ISSUES)
        return;
    struct form_issue *i = &out->items[out->n++];
    size_t n = strlen(field);
    if (n >= sizeof i->field)
        n = sizeof i->field - 1; /* paths are short: ids are at most 40 characters */
    memcpy(i->field, field, n);
    i->field[n] = 0;
    i->code = code;
    i->limit = limit;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool valid_email(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at != s && strchr(at + 1, '.') && !strchr(at + 1, '@') && strlen(s) <= 254 &&
           !strpbrk(s, " \t<>\"'(),;:") && at[1] != '.' && s[strlen(s) - 1] != '.';
}

static bool valid_fin(const char *s)
{
    if (strlen(s) != 7)
        return false;
    for (int i = 0; i < 7; i++)
        if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'A' && s[i] <= 'Z'))
            return false;
    return true;
}

static bool is_option(const json_t *q, const json_t *v)
{
    const char *s = json_string_value(v);
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(q, "options"), i, o) {
        if (s && pc_str_eq(json_string_value(json_object_get(o, "value")), s))
            return true;
    }
    return false;
}

static bool blank(const json_t *a)
{
    return !a || json_is_null(a) || (json_is_string(a) && json_string_length(a) == 0) ||
           (json_is_array(a) && json_array_size(a) == 0);
}

static void check_value(const json_t *q, const json_t *a, const char *field, const char *today,
                        struct form_issues *out);

/* A file answer is what an upload returned: {sha256, name, size, type}.
 * Whether the applicant uploaded it is checked where the database is
 * (case_submit); here the form's limits. */
static void check_file(const json_t *q, const json_t *a, const char *field, struct form_issues *out)
{
    const char *sha = json_string_value(json_object_get(a, "sha256"));
    const char *name = json_string_value(json_object_get(a, "name"));
    const char *type = json_string_value(json_object_get(a, "type"));
    json_t *size = json_object_get(a, "size");
    bool hex = sha && strlen(sha) == 64;
    for (int i = 0; hex && i < 64; i++)
        hex = isdigit((unsigned char)sha[i]) || (sha[i] >= 'a' && sha[i] <= 'f');
    if (!json_is_object(a) || !hex || !name || strlen(name) > 200 || !type || !json_is_integer(size) ||
        json_object_size(a) != 4) {
        issue(out, field, "bad_file", 0);
        return;
    }
    json_int_t max = json_object_get(q, "max_bytes") ? json_integer_value(json_object_get(q, "max_bytes"))
                                                     : 5 * 1024 * 1024;
    if (json_integer_value(size) > max)
        issue(out, field, "file_too_big", max);
    const json_t *accept = json_object_get(q, "accept");
    if (accept) {
        bool ok = false;
        size_t i;
        json_t *m;
        json_array_foreach(accept, i, m) {
            ok = ok || pc_str_eq(json_string_value(m), type);
        }
        if (!ok)
            issue(out, field, "file_type", 0);
    }
}

static void check_group(const json_t *q, const json_t *a, const char *field, const char *today,
                        struct form_issues *out)
{
    if (!json_is_array(a)) {
        issue(out, field, "not_a_list", 0);
        return;
    }
    json_int_t min = json_integer_value(json_object_get(q, "min_items"));
    json_int_t max = json_object_get(q, "max_items") ? json_integer_value(json_object_get(q, "max_items")) : 20;
    if ((json_int_t)json_array_size(a) < min)
        issue(out, field, "too_few_items", min);
    if ((json_int_t)json_array_size(a) > max) {
        issue(out, field, "too_many_items", max);
        return;
    }
    size_t i, k;
    json_t *item, *iq;
    json_array_foreach(a, i, item) {
        char base[160];
        snprintf(base, sizeof base, "%s[%zu]", field, i);
        if (!json_is_object(item)) {
            issue(out, base, "not_an_object", 0);
            continue;
        }
        const char *key;
        json_t *v;
        json_object_foreach(item, key, v) {
            bool known = false;
            json_array_foreach(json_object_get(q, "questions"), k, iq) {
                if (pc_str_eq(json_string_value(json_object_get(iq, "id")), key))
                    known = true;
            }
            if (!known) {
                char f[256];
                snprintf(f, sizeof f, "%s.%.40s", base, key);
                issue(out, f, "unknown_question", 0);
            }
        }
        json_array_foreach(json_object_get(q, "questions"), k, iq) {
            char f[256];
            snprintf(f, sizeof f, "%s.%s", base, json_string_value(json_object_get(iq, "id")));
            check_value(iq, json_object_get(item, json_string_value(json_object_get(iq, "id"))), f, today, out);
        }
    }
}

static void check_value(const json_t *q, const json_t *a, const char *field, const char *today,
                        struct form_issues *out)
{
    const char *type = json_string_value(json_object_get(q, "type"));
    if (blank(a) && strcmp(type, "group") != 0) {
        if (json_is_true(json_object_get(q, "required")))
            issue(out, field, "required", 0);
        return;
    }
    if (strcmp(type, "group") == 0) {
        if (!a || json_is_null(a)) {
            if (json_integer_value(json_object_get(q, "min_items")) > 0 || json_is_true(json_object_get(q, "required")))
                issue(out, field, "required", 0);
            return;
        }
        check_group(q, a, field, today, out);
        return;
    }
    if (strcmp(type, "number") == 0) {
        if (!json_is_number(a)) {
            issue(out, field, "not_a_number", 0);
            return;
        }
        double v = json_number_value(a);
        if (json_is_true(json_object_get(q, "integer")) && !json_is_integer(a) && v != (double)(long long)v)
            issue(out, field, "not_an_integer", 0);
        const json_t *mn = json_object_get(q, "min"), *mx = json_object_get(q, "max");
        if (mn && v < json_number_value(mn))
            issue(out, field, "below_min", (long long)json_number_value(mn));
        if (mx && v > json_number_value(mx))
            issue(out, field, "above_max", (long long)json_number_value(mx));
        return;
    }
    if (strcmp(type, "choice") == 0) {
        if (json_is_true(json_object_get(q, "multiple"))) {
            if (!json_is_array(a)) {
                issue(out, field, "not_a_list", 0);
                return;
            }
            size_t i;
            json_t *v;
            json_array_foreach(a, i, v) {
                if (!is_option(q, v)) {
                    issue(out, field, "bad_choice", 0);
                    return;
                }
            }
        } else if (!is_option(q, a)) {
            issue(out, field, "bad_choice", 0);
        }
        return;
    }
    if (strcmp(type, "file") == 0) {
        check_file(q, a, field, out);
        return;
    }
    const char *s = json_string_value(a);
    if (!s) {
        issue(out, field, "not_text", 0);
        return;
    }
    if (!pc_utf8_valid(s, strlen(s))) {
        issue(out, field, "bad_text", 0);
        return;
    }
    size_t chars = utf8_chars(s);
    if (strcmp(type, "text") == 0 || strcmp(type, "address") == 0) {
        json_int_t mx = json_object_get(q, "max_length") ? json_integer_value(json_object_get(q, "max_length"))
                                                          : (strcmp(type, "text") == 0 ? 500 : 300);
        json_int_t mn = json_integer_value(json_object_get(q, "min_length"));
        if ((json_int_t)chars > mx)
            issue(out, field, "too_long", mx);
        else if ((json_int_t)chars < mn)
            issue(out, field, "too_short", mn);
        bool multiline = json_is_true(json_object_get(q, "multiline"));
        for (const char *p = s; *p; p++)
            if ((unsigned char)*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) {
                issue(out, field, "bad_text", 0);
                break;
            }
    } else if (strcmp(type, "date") == 0) {
        int y, m, d;
        char lo[11], hi[11];
        if (!parse_date(s, &y, &m, &d))
            issue(out, field, "bad_date", 0);
        else if (resolve_bound(json_string_value(json_object_get(q, "not_before")), today, lo) && strcmp(s, lo) < 0)
            issue(out, field, "date_too_early", 0);
        else if (resolve_bound(json_string_value(json_object_get(q, "not_after")), today, hi) && strcmp(s, hi) > 0)
            issue(out, field, "date_too_late", 0);
    } else if (strcmp(type, "fin") == 0) {
        if (!valid_fin(s))
            issue(out, field, "bad_fin", 0);
    } else if (strcmp(type, "voen") == 0) {
        if (!all_digits(s, 10))
            issue(out, field, "bad_voen", 0);
    } else if (strcmp(type, "phone") == 0) {
        if (strncmp(s, "+994", 4) != 0 || !all_digits(s + 4, 9))
            issue(out, field, "bad_phone", 0);
    } else if (strcmp(type, "email") == 0) {
        if (!valid_email(s))
            issue(out, field, "bad_email", 0);
    }
}

static void check_page(const json_t *page, const json_t *answers, const char *today, struct form_issues *out)
{
    size_t k;
    json_t *q;
    json_array_foreach(json_object_get(page, "questions"), k, q) {
        const char *id = json_string_value(json_object_get(q, "id"));
        check_value(q, json_object_get(answers, id), id, today, out);
    }
}

void form_check_answers(const json_t *def, const json_t *answers, const char *page_id, const char *today,
                        struct form_issues *out)
{
    out->n = 0;
    if (!json_is_object(answers)) {
        issue(out, "answers", "not_an_object", 0);
        return;
    }
    /* every answer must belong to a question of the form */
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)answers, key, v) {
        const json_t *page = NULL;
        if (!form_find_question(def, key, &page)) {
            char f[96];
            snprintf(f, sizeof f, "%.90s", key);
            issue(out, f, "unknown_question", 0);
        } else if (!page_id && !form_page_visible(page, answers)) {
            issue(out, key, "not_applicable", 0);
        }
    }
    if (page_id) {
        const json_t *page = form_find_page(def, page_id);
        if (page)
            check_page(page, answers, today, out);
        return;
    }
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(def, "pages"), i, p) {
        if (form_page_visible(p, answers))
            check_page(p, answers, today, out);
    }
}

/* form_check.c — answers against a typed form (docs/forms.md): the checks
 * of each type with their issue codes, conditions that show or skip
 * pages, repeating groups, the navigation between pages, and the current
 * answer of a question as the web shows it.  Answers stay JSON here; what
 * leaves this file is typed. */
#include "internal.h"
#include "../identity/identity.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The stable codes of the API, one per issue. */
static const char *const issue_names[FORM_ISSUE_COUNT] = {
    [FORM_ISSUE_REQUIRED] = "required", [FORM_ISSUE_TOO_SHORT] = "too_short",
    [FORM_ISSUE_TOO_LONG] = "too_long", [FORM_ISSUE_NOT_A_NUMBER] = "not_a_number",
    [FORM_ISSUE_NOT_AN_INTEGER] = "not_an_integer", [FORM_ISSUE_BELOW_MIN] = "below_min",
    [FORM_ISSUE_ABOVE_MAX] = "above_max", [FORM_ISSUE_BAD_DATE] = "bad_date",
    [FORM_ISSUE_DATE_TOO_EARLY] = "date_too_early", [FORM_ISSUE_DATE_TOO_LATE] = "date_too_late",
    [FORM_ISSUE_BAD_CHOICE] = "bad_choice", [FORM_ISSUE_BAD_FIN] = "bad_fin", [FORM_ISSUE_BAD_VOEN] = "bad_voen",
    [FORM_ISSUE_BAD_PHONE] = "bad_phone", [FORM_ISSUE_BAD_EMAIL] = "bad_email",
    [FORM_ISSUE_TOO_MANY_ITEMS] = "too_many_items", [FORM_ISSUE_TOO_FEW_ITEMS] = "too_few_items",
    [FORM_ISSUE_FILE_TOO_BIG] = "file_too_big", [FORM_ISSUE_FILE_TYPE] = "file_type",
    [FORM_ISSUE_BAD_FILE] = "bad_file", [FORM_ISSUE_UNKNOWN_FILE] = "unknown_file",
    [FORM_ISSUE_UNKNOWN_QUESTION] = "unknown_question", [FORM_ISSUE_NOT_APPLICABLE] = "not_applicable",
    [FORM_ISSUE_NOT_A_LIST] = "not_a_list", [FORM_ISSUE_NOT_AN_OBJECT] = "not_an_object",
    [FORM_ISSUE_NOT_TEXT] = "not_text", [FORM_ISSUE_BAD_TEXT] = "bad_text",
};

const char *form_issue_name(enum form_issue_code c)
{
    return (unsigned)c < FORM_ISSUE_COUNT ? issue_names[c] : "invalid";
}

static void release_json(void *j)
{
    json_decref(j);
}

struct form_answers *form_answers_own(struct pc_arena *a, json_t *j)
{
    struct form_answers *out = pc_arena_alloc(a, sizeof *out);
    out->j = j ? j : json_object();
    pc_arena_defer(a, release_json, out->j);
    return out;
}

json_t *form_answers_json(const struct form_answers *a)
{
    return a ? json_deep_copy(a->j) : json_object();
}

struct form_answers *form_answers_from_json(struct pc_arena *a, const json_t *j)
{
    return form_answers_own(a, json_is_object(j) ? json_deep_copy(j) : NULL);
}

bool form_def_has_types(const struct form_def *d, unsigned types)
{
    for (size_t i = 0; i < d->npages; i++)
        for (size_t k = 0; k < d->pages[i].nquestions; k++) {
            const struct form_question *q = &d->pages[i].questions[k];
            if (types & (1u << q->type))
                return true;
            for (size_t g = 0; g < q->nquestions; g++)
                if (types & (1u << q->questions[g].type))
                    return true;
        }
    return false;
}

/* ---- dates --------------------------------------------------------------- */

bool form_parse_date(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (*y < 1900 || *y > 2200 || *m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
        return false;
    if (*m == 2 && *d == 29 && !((*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0))
        return false;
    return true;
}

/* Resolve "today", "YYYY-MM-DD", "-120y", "+30d" against today; out[11]. */
bool form_resolve_bound(const char *spec, const char *today, char out[11])
{
    int y, m, d;
    if (!spec)
        return false;
    if (strcmp(spec, "today") == 0) {
        snprintf(out, 11, "%s", today);
        return true;
    }
    if (form_parse_date(spec, &y, &m, &d)) {
        snprintf(out, 11, "%s", spec);
        return true;
    }
    size_t n = strlen(spec);
    if (n < 3 || n > 7 || (spec[0] != '+' && spec[0] != '-') || (spec[n - 1] != 'y' && spec[n - 1] != 'd'))
        return false;
    long long k = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (!isdigit((unsigned char)spec[i]))
            return false;
        k = k * 10 + (spec[i] - '0');
    }
    if (spec[0] == '-')
        k = -k;
    if (!form_parse_date(today, &y, &m, &d))
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

void form_today(char out[11])
{
    char ts[21];
    pc_rfc3339(pc_now_unix(), ts);
    memcpy(out, ts, 10);
    out[10] = 0;
}

/* ---- navigation ----------------------------------------------------------- */

bool form_answer_blank(const json_t *a)
{
    return !a || json_is_null(a) || (json_is_string(a) && json_string_length(a) == 0) ||
           (json_is_array(a) && json_array_size(a) == 0);
}

bool form_page_visible(const struct form_page *p, const struct form_answers *answers)
{
    const struct form_condition *c = p->show_if;
    if (!c)
        return true;
    const json_t *a = json_object_get(answers ? answers->j : NULL, c->question->id);
    if (c->kind == FORM_COND_ANSWERED)
        return a && !json_is_null(a) && !(json_is_string(a) && json_string_length(a) == 0);
    if (!a)
        return false;
    if (c->kind == FORM_COND_EQUALS)
        return json_equal((json_t *)a, c->value) ||
               (json_is_array(a) && json_array_size(a) && json_equal(json_array_get(a, 0), c->value));
    size_t i;
    json_t *v;
    json_array_foreach(c->value, i, v) {
        if (json_equal((json_t *)a, v))
            return true;
    }
    return false;
}

const struct form_page *form_find_page(const struct form_def *d, const char *page_id)
{
    for (size_t i = 0; page_id && i < d->npages; i++)
        if (strcmp(d->pages[i].id, page_id) == 0)
            return &d->pages[i];
    return NULL;
}

const struct form_question *form_find_question(const struct form_def *d, const char *id,
                                               const struct form_page **page)
{
    for (size_t i = 0; id && i < d->npages; i++)
        for (size_t k = 0; k < d->pages[i].nquestions; k++)
            if (strcmp(d->pages[i].questions[k].id, id) == 0) {
                if (page)
                    *page = &d->pages[i];
                return &d->pages[i].questions[k];
            }
    return NULL;
}

const struct form_page *form_next_page(const struct form_def *d, const struct form_answers *a,
                                       const struct form_page *after)
{
    for (size_t i = after ? (size_t)(after - d->pages) + 1 : 0; i < d->npages; i++)
        if (form_page_visible(&d->pages[i], a))
            return &d->pages[i];
    return NULL;
}

int form_page_position(const struct form_def *d, const struct form_answers *a, const struct form_page *p,
                       int *total)
{
    int n = 0, at = 0;
    for (size_t i = 0; i < d->npages; i++) {
        if (!form_page_visible(&d->pages[i], a))
            continue;
        n++;
        if (&d->pages[i] == p)
            at = n;
    }
    *total = n;
    return at;
}

const struct form_question *form_issue_question(const struct form_def *d, const char *field)
{
    const struct form_question *q = form_find_question(d, field, NULL);
    const char *br = strchr(field, '[');
    const char *dot = br ? strchr(br, '.') : NULL;
    if (q || !dot)
        return q;
    char gid[96];
    snprintf(gid, sizeof gid, "%.*s", (int)(br - field), field);
    const struct form_question *g = form_find_question(d, gid, NULL);
    for (size_t k = 0; g && k < g->nquestions; k++)
        if (strcmp(g->questions[k].id, dot + 1) == 0)
            return &g->questions[k];
    return NULL;
}

const struct form_page *form_issue_page(const struct form_def *d, const struct form_answers *a,
                                        const struct form_issue *i)
{
    char first[sizeof i->field];
    snprintf(first, sizeof first, "%s", i->field);
    first[strcspn(first, "[.")] = 0;
    const struct form_page *page = NULL;
    if (form_find_question(d, first, &page))
        return page;
    return form_next_page(d, a, NULL);
}

/* ---- checks of one answer ----------------------------------------------------- */

void form_issue_add(struct form_issues *out, const char *field, enum form_issue_code code, long long limit)
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

static bool is_option(const struct form_question *q, const json_t *v)
{
    const char *s = json_string_value(v);
    for (size_t i = 0; s && i < q->noptions; i++)
        if (strcmp(q->options[i].value, s) == 0)
            return true;
    return false;
}

/* A file answer is what an upload returned: {sha256, name, size, type}.
 * Whether the applicant uploaded it is checked where the database is
 * (case_submit); here the form's limits. */
static void check_file(const struct form_question *q, const json_t *a, const char *field, struct form_issues *out)
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
        form_issue_add(out, field, FORM_ISSUE_BAD_FILE, 0);
        return;
    }
    if (json_integer_value(size) > q->max_bytes)
        form_issue_add(out, field, FORM_ISSUE_FILE_TOO_BIG, q->max_bytes);
    if (!(q->accept & form_mime_bit(type)))
        form_issue_add(out, field, FORM_ISSUE_FILE_TYPE, 0);
}

static void check_group(const struct form_question *q, const json_t *a, const char *field, const char *today,
                        struct form_issues *out)
{
    if (!json_is_array(a)) {
        form_issue_add(out, field, FORM_ISSUE_NOT_A_LIST, 0);
        return;
    }
    if ((long long)json_array_size(a) < q->min_items)
        form_issue_add(out, field, FORM_ISSUE_TOO_FEW_ITEMS, q->min_items);
    if ((long long)json_array_size(a) > q->max_items) {
        form_issue_add(out, field, FORM_ISSUE_TOO_MANY_ITEMS, q->max_items);
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(a, i, item) {
        char base[160];
        snprintf(base, sizeof base, "%s[%zu]", field, i);
        if (!json_is_object(item)) {
            form_issue_add(out, base, FORM_ISSUE_NOT_AN_OBJECT, 0);
            continue;
        }
        const char *key;
        json_t *v;
        json_object_foreach(item, key, v) {
            bool known = false;
            for (size_t k = 0; k < q->nquestions; k++)
                known = known || strcmp(q->questions[k].id, key) == 0;
            if (!known) {
                char f[256];
                snprintf(f, sizeof f, "%s.%.40s", base, key);
                form_issue_add(out, f, FORM_ISSUE_UNKNOWN_QUESTION, 0);
            }
        }
        for (size_t k = 0; k < q->nquestions; k++) {
            char f[256];
            snprintf(f, sizeof f, "%s.%s", base, q->questions[k].id);
            form_check_value(&q->questions[k], json_object_get(item, q->questions[k].id), f, today, out);
        }
    }
}

static void check_number(const struct form_question *q, const json_t *a, const char *field, struct form_issues *out)
{
    if (!json_is_number(a)) {
        form_issue_add(out, field, FORM_ISSUE_NOT_A_NUMBER, 0);
        return;
    }
    double v = json_number_value(a);
    if (q->integer && !json_is_integer(a) && v != (double)(long long)v)
        form_issue_add(out, field, FORM_ISSUE_NOT_AN_INTEGER, 0);
    if (q->has_min && v < q->min)
        form_issue_add(out, field, FORM_ISSUE_BELOW_MIN, (long long)q->min);
    if (q->has_max && v > q->max)
        form_issue_add(out, field, FORM_ISSUE_ABOVE_MAX, (long long)q->max);
}

static void check_choice(const struct form_question *q, const json_t *a, const char *field, struct form_issues *out)
{
    if (!q->multiple) {
        if (!is_option(q, a))
            form_issue_add(out, field, FORM_ISSUE_BAD_CHOICE, 0);
        return;
    }
    if (!json_is_array(a)) {
        form_issue_add(out, field, FORM_ISSUE_NOT_A_LIST, 0);
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (!is_option(q, v)) {
            form_issue_add(out, field, FORM_ISSUE_BAD_CHOICE, 0);
            return;
        }
    }
}

/* The types answered with a string. */
static void check_string(const struct form_question *q, const char *s, const char *field, const char *today,
                         struct form_issues *out)
{
    switch (q->type) {
    case FORM_TEXT:
    case FORM_ADDRESS: {
        long long chars = (long long)utf8_chars(s);
        if (chars > q->max_length)
            form_issue_add(out, field, FORM_ISSUE_TOO_LONG, q->max_length);
        else if (chars < q->min_length)
            form_issue_add(out, field, FORM_ISSUE_TOO_SHORT, q->min_length);
        for (const char *p = s; *p; p++)
            if ((unsigned char)*p < 0x20 && !(q->multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) {
                form_issue_add(out, field, FORM_ISSUE_BAD_TEXT, 0);
                break;
            }
        return;
    }
    case FORM_DATE: {
        int y, m, d;
        char lo[11], hi[11];
        if (!form_parse_date(s, &y, &m, &d))
            form_issue_add(out, field, FORM_ISSUE_BAD_DATE, 0);
        else if (form_resolve_bound(q->not_before, today, lo) && strcmp(s, lo) < 0)
            form_issue_add(out, field, FORM_ISSUE_DATE_TOO_EARLY, 0);
        else if (form_resolve_bound(q->not_after, today, hi) && strcmp(s, hi) > 0)
            form_issue_add(out, field, FORM_ISSUE_DATE_TOO_LATE, 0);
        return;
    }
    case FORM_FIN:
        if (!valid_fin(s))
            form_issue_add(out, field, FORM_ISSUE_BAD_FIN, 0);
        return;
    case FORM_VOEN:
        if (!all_digits(s, 10))
            form_issue_add(out, field, FORM_ISSUE_BAD_VOEN, 0);
        return;
    case FORM_PHONE:
        if (strncmp(s, "+994", 4) != 0 || !all_digits(s + 4, 9))
            form_issue_add(out, field, FORM_ISSUE_BAD_PHONE, 0);
        return;
    case FORM_EMAIL:
        if (!valid_email(s))
            form_issue_add(out, field, FORM_ISSUE_BAD_EMAIL, 0);
        return;
    default:
        return;
    }
}

void form_check_value(const struct form_question *q, const json_t *a, const char *field, const char *today,
                      struct form_issues *out)
{
    if (q->type == FORM_GROUP) {
        if (!a || json_is_null(a)) {
            if (q->min_items > 0 || q->required)
                form_issue_add(out, field, FORM_ISSUE_REQUIRED, 0);
            return;
        }
        check_group(q, a, field, today, out);
        return;
    }
    if (form_answer_blank(a)) {
        if (q->required)
            form_issue_add(out, field, FORM_ISSUE_REQUIRED, 0);
        return;
    }
    switch (q->type) {
    case FORM_NUMBER:
        check_number(q, a, field, out);
        return;
    case FORM_CHOICE:
        check_choice(q, a, field, out);
        return;
    case FORM_FILE:
        check_file(q, a, field, out);
        return;
    default:
        break;
    }
    const char *s = json_string_value(a);
    if (!s)
        form_issue_add(out, field, FORM_ISSUE_NOT_TEXT, 0);
    else if (!pc_utf8_valid(s, strlen(s)))
        form_issue_add(out, field, FORM_ISSUE_BAD_TEXT, 0);
    else
        check_string(q, s, field, today, out);
}

static void check_page(const struct form_page *page, const json_t *answers, const char *today,
                       struct form_issues *out)
{
    for (size_t k = 0; k < page->nquestions; k++) {
        const struct form_question *q = &page->questions[k];
        form_check_value(q, json_object_get(answers, q->id), q->id, today, out);
    }
}

void form_check_answers(const struct form_def *d, const struct form_answers *answers, const struct form_page *page,
                        const char *today, struct form_issues *out)
{
    out->n = 0;
    const json_t *j = answers ? answers->j : NULL;
    if (!json_is_object(j)) {
        form_issue_add(out, "answers", FORM_ISSUE_NOT_AN_OBJECT, 0);
        return;
    }
    /* every answer must belong to a question of the form */
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)j, key, v) {
        const struct form_page *p = NULL;
        if (!form_find_question(d, key, &p)) {
            char f[96];
            snprintf(f, sizeof f, "%.90s", key);
            form_issue_add(out, f, FORM_ISSUE_UNKNOWN_QUESTION, 0);
        } else if (!page && !form_page_visible(p, answers)) {
            form_issue_add(out, key, FORM_ISSUE_NOT_APPLICABLE, 0);
        }
    }
    if (page) {
        check_page(page, j, today, out);
        return;
    }
    for (size_t i = 0; i < d->npages; i++)
        if (form_page_visible(&d->pages[i], answers))
            check_page(&d->pages[i], j, today, out);
}

/* ---- answers as the web shows them ---------------------------------------------- */

const struct case_file *form_file_of(const json_t *a, struct pc_arena *arena)
{
    const char *sha = json_string_value(json_object_get(a, "sha256"));
    if (!sha)
        return NULL;
    struct case_file *f = pc_arena_alloc(arena, sizeof *f);
    snprintf(f->sha256, sizeof f->sha256, "%s", sha);
    snprintf(f->mime, sizeof f->mime, "%s", json_string_value(json_object_get(a, "type")) ?
                                            json_string_value(json_object_get(a, "type")) : "");
    /* cleaned again: a name stored before the rule may hold format characters */
    char name[CASE_FILE_NAME_MAX + 1];
    case_file_name_clean(json_string_value(json_object_get(a, "name")), name);
    f->name = pc_arena_strdup(arena, name);
    f->size = json_integer_value(json_object_get(a, "size"));
    return f;
}

void form_value_of(const struct form_answers *answers, const struct form_question *q, const struct form_question *group,
                   size_t item, struct pc_arena *arena, struct form_value *out)
{
    memset(out, 0, sizeof *out);
    const json_t *j = answers ? answers->j : NULL;
    const json_t *a = group ? json_object_get(json_array_get(json_object_get(j, group->id), item), q->id)
                            : json_object_get(j, q->id);
    if (!a || json_is_null(a))
        return;
    out->given = true;
    switch (q->type) {
    case FORM_GROUP:
        out->items = json_is_array(a) ? json_array_size(a) : 0;
        return;
    case FORM_FILE:
        out->file = form_file_of(a, arena);
        return;
    case FORM_CHOICE:
        for (size_t i = 0; i < q->noptions; i++) {
            bool on = pc_str_eq(json_string_value(a), q->options[i].value);
            size_t k;
            json_t *v;
            json_array_foreach(a, k, v) {
                on = on || pc_str_eq(json_string_value(v), q->options[i].value);
            }
            if (on)
                out->chosen |= (uint64_t)1 << i;
        }
        return;
    default:
        if (json_is_string(a))
            out->text = json_string_value(a);
        else if (json_is_integer(a))
            out->text = pc_arena_printf(arena, "%lld", (long long)json_integer_value(a));
        else if (json_is_real(a))
            out->text = pc_arena_printf(arena, "%g", json_real_value(a));
        return;
    }
}

void form_prefill(const struct form_page *p, struct form_answers *answers, const struct id_person *person,
                  struct pc_arena *arena)
{
    for (size_t k = 0; person && k < p->nquestions; k++) {
        const struct form_question *q = &p->questions[k];
        if (q->prefill == FORM_PREFILL_NONE || json_object_get(answers->j, q->id))
            continue;
        const char *v = NULL;
        switch (q->prefill) {
        case FORM_PREFILL_FIN: v = person->fin; break;
        case FORM_PREFILL_FULL_NAME: v = pc_arena_printf(arena, "%s %s", person->first_name, person->last_name); break;
        case FORM_PREFILL_BIRTH_DATE: v = person->birth_date; break;
        case FORM_PREFILL_PHONE: v = person->phone; break;
        case FORM_PREFILL_EMAIL: v = person->email; break;
        case FORM_PREFILL_ADDRESS: v = person->address; break;
        case FORM_PREFILL_ID_CARD: v = person->id_card; break;
        default: break;
        }
        if (v && *v)
            json_object_set_new(answers->j, q->id, json_string(v));
    }
}

void form_prefill_values(const struct form_page *p, struct form_answers *answers, const char *const values[FORM_PREFILL_COUNT])
{
    for (size_t k = 0; k < p->nquestions; k++) {
        const struct form_question *q = &p->questions[k];
        const char *v = values[q->prefill];
        if (q->prefill != FORM_PREFILL_NONE && v && *v && !json_object_get(answers->j, q->id))
            json_object_set_new(answers->j, q->id, json_string(v));
    }
}

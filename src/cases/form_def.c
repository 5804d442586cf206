/* form_def.c — the one checker of form definitions (docs/forms.md): it
 * parses a definition's JSON into the typed model of cases.h and reports
 * every problem with its JSON path, not only the first.  The import, the
 * unit tests and `pencere admin check-forms` all use it.  Here: the shape
 * (known keys and types, ids, texts in every language, limits that agree
 * with each other, conditions that name an earlier question, the service's
 * workflow); form_lint.c adds what an import asks beyond the model. */
#include "internal.h"
#include "../identity/identity.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPTION_VALUE_MAX 60
#define DEFAULT_FILE_BYTES (5 * 1024 * 1024)
#define MAX_PAGES 30
#define MAX_PAGE_QUESTIONS 10

static const char *const qtype_names[FORM_QTYPE_COUNT] = {
    [FORM_TEXT] = "text", [FORM_NUMBER] = "number", [FORM_DATE] = "date", [FORM_CHOICE] = "choice",
    [FORM_FIN] = "fin", [FORM_VOEN] = "voen", [FORM_PHONE] = "phone", [FORM_EMAIL] = "email",
    [FORM_ADDRESS] = "address", [FORM_FILE] = "file", [FORM_GROUP] = "group",
};

/* The keys each type adds to the common ones. */
static const char *const common_keys[] = {"id", "type", "label", "hint", "required", "example", "prefill", NULL};
static const char *const type_keys[FORM_QTYPE_COUNT][5] = {
    [FORM_TEXT] = {"min_length", "max_length", "multiline"},
    [FORM_NUMBER] = {"min", "max", "integer"},
    [FORM_DATE] = {"not_before", "not_after"},
    [FORM_CHOICE] = {"options", "multiple"},
    [FORM_ADDRESS] = {"max_length"},
    [FORM_FILE] = {"max_bytes", "accept"},
    [FORM_GROUP] = {"questions", "min_items", "max_items", "item_label"},
};

/* Prefill sources and the question types each fits (a bit set of types). */
static const struct {
    const char *name;
    unsigned types;
} prefills[FORM_PREFILL_COUNT] = {
    [FORM_PREFILL_FIN] = {"profile.fin", 1u << FORM_FIN},
    [FORM_PREFILL_FULL_NAME] = {"profile.full_name", 1u << FORM_TEXT},
    [FORM_PREFILL_BIRTH_DATE] = {"profile.birth_date", 1u << FORM_DATE},
    [FORM_PREFILL_PHONE] = {"profile.phone", 1u << FORM_PHONE},
    [FORM_PREFILL_EMAIL] = {"profile.email", 1u << FORM_EMAIL},
    [FORM_PREFILL_ADDRESS] = {"profile.address", 1u << FORM_ADDRESS | 1u << FORM_TEXT},
    [FORM_PREFILL_ID_CARD] = {"profile.id_card", 1u << FORM_TEXT},
    [FORM_PREFILL_POP_FULL_NAME] = {"population.full_name", 1u << FORM_TEXT},
    [FORM_PREFILL_POP_SURNAME] = {"population.surname", 1u << FORM_TEXT},
    [FORM_PREFILL_POP_NAME] = {"population.name", 1u << FORM_TEXT},
    [FORM_PREFILL_POP_PATRONYMIC] = {"population.patronymic", 1u << FORM_TEXT},
    [FORM_PREFILL_POP_BIRTH_DATE] = {"population.birth_date", 1u << FORM_DATE},
    [FORM_PREFILL_POP_BIRTH_PLACE] = {"population.birth_place", 1u << FORM_TEXT},
    [FORM_PREFILL_POP_ADDRESS] = {"population.address", 1u << FORM_ADDRESS | 1u << FORM_TEXT},
    [FORM_PREFILL_POP_SPOUSE_FIN] = {"population.spouse_fin", 1u << FORM_FIN},
};

const char *form_prefill_name(enum form_prefill s)
{
    return s > FORM_PREFILL_NONE && s < FORM_PREFILL_COUNT ? prefills[s].name : "";
}

const char *form_prefill_registry(enum form_prefill s)
{
    return s >= FORM_PREFILL_POP_FULL_NAME && s < FORM_PREFILL_COUNT ? "population" : NULL;
}

/* File types a question may take, with the file name endings an example uses. */
static const struct {
    const char *mime;
    const char *ext[3];
} mimes[] = {
    {"application/pdf", {".pdf"}},
    {"image/jpeg", {".jpg", ".jpeg"}},
    {"image/png", {".png"}},
};
#define NMIMES (sizeof mimes / sizeof mimes[0])

unsigned form_mime_bit(const char *mime)
{
    for (size_t k = 0; k < NMIMES; k++)
        if (pc_str_eq(mime, mimes[k].mime))
            return 1u << k;
    return 0;
}

const char *form_file_endings(unsigned accept, const char *name, struct pc_arena *a)
{
    size_t n = strlen(name);
    const char *endings = "";
    for (size_t m = 0; m < NMIMES; m++) {
        if (!(accept & (1u << m)))
            continue;
        for (int e = 0; e < 3 && mimes[m].ext[e]; e++) {
            size_t k = strlen(mimes[m].ext[e]);
            if (n > k && strcasecmp(name + n - k, mimes[m].ext[e]) == 0)
                return NULL;
            endings = pc_arena_printf(a, "%s%s%s", endings, *endings ? ", " : "", mimes[m].ext[e]);
        }
    }
    return endings;
}

/* ---- reporting ----------------------------------------------------------------- */

void form_problem(struct form_parse *c, const char *path, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    c->problems++;
    if (c->rep) {
        c->rep->count++;
        if (c->rep->problem)
            c->rep->problem(c->rep->ctx, c->file ? c->file : "-", path, what);
    }
}

const char *form_path(struct form_parse *c, const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return pc_arena_strdup(c->a, buf);
}

static void print_problem(void *ctx, const char *file, const char *path, const char *what)
{
    fprintf(ctx, "%s: %s: %s\n", file, path, what);
}

struct form_report form_report_file(FILE *f)
{
    return (struct form_report){.problem = print_problem, .ctx = f};
}

/* ---- small checks ----------------------------------------------------------------- */

static bool in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static bool is_slug(const char *s, char sep, size_t min, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == sep))
            return false;
    return true;
}

bool form_has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return true;
    return false;
}

bool form_outer_space(const char *s)
{
    size_t n = strlen(s);
    return n && (strchr(" \t\n\r\f\v", s[0]) || strchr(" \t\n\r\f\v", s[n - 1]));
}

bool form_all_space(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static const char *lang_codes(struct form_parse *c)
{
    const char *out = "";
    for (int l = 0; l < PC_LANG_COUNT; l++)
        out = pc_arena_printf(c->a, "%s%s%s", out, l ? ", " : "", pc_lang_code((enum pc_lang)l));
    return out;
}

/* A text in every language: {"az": …, "en": …, "ru": …}. */
static bool text(struct form_parse *c, const json_t *v, const char *path, struct pc_text *out)
{
    if (!json_is_object(v)) {
        form_problem(c, path, "must be a text object {%s}", lang_codes(c));
        return false;
    }
    bool ok = true;
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)v, k, x) {
        if (pc_lang_parse(k) < 0) {
            form_problem(c, form_path(c, "%s.%s", path, k), "is not a language of the portal (%s)", lang_codes(c));
            ok = false;
        }
    }
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        const char *code = pc_lang_code((enum pc_lang)l);
        const char *s = json_string_value(json_object_get(v, code));
        const char *lp = form_path(c, "%s.%s", path, code);
        if (!s || form_all_space(s)) {
            form_problem(c, lp, "must be a non-empty string");
            ok = false;
            continue;
        }
        size_t n = strlen(s);
        if (c->lint)
            form_lint_text(c, s, (enum pc_lang)l, lp);
        if (out)
            out->s[l] = pc_arena_strndup(c->a, s, n);
    }
    return ok;
}

static bool optional_text(struct form_parse *c, const json_t *o, const char *key, const char *path, struct pc_text *out)
{
    const json_t *v = json_object_get(o, key);
    return v && text(c, v, form_path(c, "%s.%s", path, key), out);
}

static void unknown_keys(struct form_parse *c, const json_t *o, const char *path, const char *const *allowed,
                         const char *const *more, const char *what)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) {
        if (!in_list(k, allowed) && !(more && in_list(k, more)))
            form_problem(c, form_path(c, "%s.%s", path, k), "unknown key%s", what);
    }
}

static void required_keys(struct form_parse *c, const json_t *o, const char *path, const char *const *keys)
{
    for (; *keys; keys++)
        if (!json_object_get(o, *keys))
            form_problem(c, path, "missing key \"%s\"", *keys);
}

static bool boolean(struct form_parse *c, const json_t *o, const char *key, const char *path, bool *out)
{
    const json_t *v = json_object_get(o, key);
    *out = json_is_true(v);
    if (v && !json_is_boolean(v)) {
        form_problem(c, form_path(c, "%s.%s", path, key), "must be true or false");
        return false;
    }
    return true;
}

/* An optional integer key in [min, max]; false (reported) when it is not. */
static bool integer(struct form_parse *c, const json_t *o, const char *key, const char *path, long long min,
                    long long max, long long *out)
{
    const json_t *v = json_object_get(o, key);
    if (!v)
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        form_problem(c, form_path(c, "%s.%s", path, key), "must be an integer from %lld to %lld", min, max);
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

/* ---- questions --------------------------------------------------------------------- */

static void parse_question(struct form_parse *c, const json_t *q, const char *path, bool in_group, struct form_question *out);

static bool parse_choice(struct form_parse *c, const json_t *q, const char *path, struct form_question *out)
{
    const json_t *opts = json_object_get(q, "options");
    const char *op = form_path(c, "%s.options", path);
    bool ok = true;
    if (!json_is_array(opts) || json_array_size(opts) < 2 || json_array_size(opts) > FORM_MAX_OPTIONS) {
        form_problem(c, op, "must be a list of 2–%d options", FORM_MAX_OPTIONS);
        if (!json_is_array(opts) || json_array_size(opts) > FORM_MAX_OPTIONS)
            return false;
        ok = false;
    }
    struct form_option *o = pc_arena_array(c->a, json_array_size(opts), sizeof *o);
    size_t i;
    json_t *v;
    json_array_foreach(opts, i, v) {
        const char *ip = form_path(c, "%s[%zu]", op, i);
        if (!json_is_object(v)) {
            form_problem(c, ip, "an option must be an object {value, label}");
            ok = false;
            continue;
        }
        static const char *const keys[] = {"value", "label", NULL};
        unknown_keys(c, v, ip, keys, NULL, " in an option (value and label only)");
        required_keys(c, v, ip, keys);
        const char *val = json_string_value(json_object_get(v, "value"));
        if (!val || !*val || form_all_space(val) || form_outer_space(val) || form_has_control(val) ||
            strlen(val) > OPTION_VALUE_MAX) {
            form_problem(c, form_path(c, "%s.value", ip), "must be a string of 1–%d characters without outer spaces",
                    OPTION_VALUE_MAX);
            ok = false;
        } else {
            for (size_t k = 0; k < i; k++)
                if (pc_str_eq(o[k].value, val))
                    form_problem(c, form_path(c, "%s.value", ip), "repeats the option value \"%s\"", val);
        }
        o[i].value = pc_arena_strdup(c->a, val);
        if (json_object_get(v, "label"))
            text(c, json_object_get(v, "label"), form_path(c, "%s.label", ip), &o[i].label);
    }
    out->options = o;
    out->noptions = json_array_size(opts);
    return boolean(c, q, "multiple", path, &out->multiple) && ok;
}

static bool parse_file(struct form_parse *c, const json_t *q, const char *path, struct form_question *out)
{
    long long mb = DEFAULT_FILE_BYTES;
    bool ok = integer(c, q, "max_bytes", path, 1, FORM_FILE_MAX, &mb);
    out->max_bytes = mb;
    const json_t *acc = json_object_get(q, "accept");
    if (!acc) {
        out->accept = (1u << NMIMES) - 1;
    } else if (!json_is_array(acc) || json_array_size(acc) == 0) {
        form_problem(c, form_path(c, "%s.accept", path), "must be a non-empty list");
        return false;
    }
    size_t i;
    json_t *m;
    json_array_foreach(acc, i, m) {
        unsigned bit = form_mime_bit(json_string_value(m));
        if (!bit) {
            form_problem(c, form_path(c, "%s.accept[%zu]", path, i), "is not one of application/pdf, image/jpeg, image/png");
            ok = false;
        } else if (out->accept & bit) {
            form_problem(c, form_path(c, "%s.accept", path), "repeats a type");
        } else {
            out->accept |= bit;
        }
    }
    const char *list = "";
    for (size_t k = 0; k < NMIMES; k++)
        if (out->accept & (1u << k))
            list = pc_arena_printf(c->a, "%s%s%s", list, *list ? "," : "", mimes[k].mime);
    out->accept_list = list;
    return ok;
}

static bool parse_group(struct form_parse *c, const json_t *q, const char *path, struct form_question *out)
{
    const json_t *qs = json_object_get(q, "questions");
    const char *qp = form_path(c, "%s.questions", path);
    bool ok = true;
    if (!json_is_array(qs) || json_array_size(qs) < 1 || json_array_size(qs) > MAX_PAGE_QUESTIONS) {
        form_problem(c, qp, "must be a list of 1–%d questions", MAX_PAGE_QUESTIONS);
        if (!json_is_array(qs) || json_array_size(qs) > MAX_PAGE_QUESTIONS)
            return false;
        ok = false;
    }
    struct form_question *inner = pc_arena_array(c->a, json_array_size(qs), sizeof *inner);
    size_t i;
    json_t *iq;
    json_array_foreach(qs, i, iq) {
        const char *ip = form_path(c, "%s[%zu]", qp, i);
        int before = c->problems;
        parse_question(c, iq, ip, true, &inner[i]);
        ok = ok && c->problems == before;
        for (size_t k = 0; inner[i].id && k < i; k++)
            if (pc_str_eq(inner[k].id, inner[i].id))
                form_problem(c, form_path(c, "%s.id", ip), "repeats the question id \"%s\" in the group", inner[i].id);
    }
    out->questions = inner;
    out->nquestions = json_array_size(qs);
    long long mn = 0, mx = FORM_MAX_ITEMS;
    ok = integer(c, q, "min_items", path, 0, FORM_MAX_ITEMS, &mn) && ok;
    ok = integer(c, q, "max_items", path, 1, FORM_MAX_ITEMS, &mx) && ok;
    if (mn > mx)
        form_problem(c, path, "min_items is greater than max_items");
    out->min_items = (int)mn;
    out->max_items = (int)mx;
    out->item_label = out->label;
    optional_text(c, q, "item_label", path, &out->item_label);
    return ok && mn <= mx;
}

static bool parse_limits(struct form_parse *c, const json_t *q, const char *path, struct form_question *out)
{
    bool ok = true;
    switch (out->type) {
    case FORM_TEXT:
    case FORM_ADDRESS: {
        long long mn = 0, mx = out->type == FORM_TEXT ? 500 : 300;
        out->max_length_given = json_object_get(q, "max_length") != NULL;
        ok = integer(c, q, "min_length", path, 0, 100000, &mn) && integer(c, q, "max_length", path, 1, 100000, &mx);
        if (ok && mn > mx) {
            form_problem(c, path, "min_length is greater than max_length");
            ok = false;
        }
        out->min_length = (int)mn;
        out->max_length = (int)mx;
        return boolean(c, q, "multiline", path, &out->multiline) && ok;
    }
    case FORM_NUMBER: {
        const json_t *mn = json_object_get(q, "min"), *mx = json_object_get(q, "max");
        if (mn && !json_is_number(mn)) {
            form_problem(c, form_path(c, "%s.min", path), "must be a number");
            ok = false;
        }
        if (mx && !json_is_number(mx)) {
            form_problem(c, form_path(c, "%s.max", path), "must be a number");
            ok = false;
        }
        out->has_min = json_is_number(mn);
        out->has_max = json_is_number(mx);
        out->min = json_number_value(mn);
        out->max = json_number_value(mx);
        if (out->has_min && out->has_max && out->min > out->max) {
            form_problem(c, path, "min is greater than max");
            ok = false;
        }
        return boolean(c, q, "integer", path, &out->integer) && ok;
    }
    case FORM_DATE: {
        char lo[11] = "", hi[11] = "";
        static const char *const keys[] = {"not_before", "not_after"};
        for (int k = 0; k < 2; k++) {
            const json_t *v = json_object_get(q, keys[k]);
            if (!v)
                continue;
            if (!form_resolve_bound(json_string_value(v), c->today, k ? hi : lo)) {
                form_problem(c, form_path(c, "%s.%s", path, keys[k]),
                        "must be \"today\", \"YYYY-MM-DD\" or an offset like \"-120y\" or \"+30d\"");
                ok = false;
            }
        }
        out->not_before = pc_arena_strdup(c->a, json_string_value(json_object_get(q, "not_before")));
        out->not_after = pc_arena_strdup(c->a, json_string_value(json_object_get(q, "not_after")));
        if (c->lint && *lo && *hi && strcmp(lo, hi) > 0) {
            form_problem(c, path, "not_before is later than not_after");
            ok = false;
        }
        return ok;
    }
    case FORM_CHOICE:
        return parse_choice(c, q, path, out);
    case FORM_FILE:
        return parse_file(c, q, path, out);
    case FORM_GROUP:
        return parse_group(c, q, path, out);
    default:
        return true;
    }
}

static void parse_question(struct form_parse *c, const json_t *q, const char *path, bool in_group, struct form_question *out)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(q)) {
        form_problem(c, path, "a question must be an object");
        return;
    }
    const char *id = json_string_value(json_object_get(q, "id"));
    if (!is_slug(id, '_', 1, 40))
        form_problem(c, form_path(c, "%s.id", path), "must be 1–40 characters of a-z, 0-9 and _");
    out->id = pc_arena_strdup(c->a, id);
    const char *type = json_string_value(json_object_get(q, "type"));
    int t = 0;
    while (t < FORM_QTYPE_COUNT && !pc_str_eq(type, qtype_names[t]))
        t++;
    if (t == FORM_QTYPE_COUNT) {
        const char *known = "";
        for (int k = 0; k < FORM_QTYPE_COUNT; k++)
            known = pc_arena_printf(c->a, "%s%s%s", known, k ? ", " : "", qtype_names[k]);
        form_problem(c, form_path(c, "%s.type", path), "is not a known type (%s)", known);
        out->type = FORM_QTYPE_COUNT;
        return;
    }
    out->type = (enum form_qtype)t;
    if (in_group && t == FORM_GROUP)
        form_problem(c, form_path(c, "%s.type", path), "groups cannot be nested");
    unknown_keys(c, q, path, common_keys, type_keys[t], pc_arena_printf(c->a, " for a %s question", type));
    static const char *const needed[] = {"id", "type", "label", "example", NULL};
    required_keys(c, q, path, needed);
    if (t == FORM_CHOICE && !json_object_get(q, "options"))
        form_problem(c, path, "missing key \"options\"");
    if (t == FORM_GROUP && !json_object_get(q, "questions"))
        form_problem(c, path, "missing key \"questions\"");
    if (json_object_get(q, "label"))
        text(c, json_object_get(q, "label"), form_path(c, "%s.label", path), &out->label);
    out->has_hint = json_object_get(q, "hint") != NULL;
    optional_text(c, q, "hint", path, &out->hint);
    boolean(c, q, "required", path, &out->required);
    const json_t *pf = json_object_get(q, "prefill");
    if (pf) {
        int k = 1;
        while (k < FORM_PREFILL_COUNT && !pc_str_eq(json_string_value(pf), prefills[k].name))
            k++;
        if (k == FORM_PREFILL_COUNT)
            form_problem(c, form_path(c, "%s.prefill", path), "is not a known source (profile.fin, profile.full_name, …)");
        else if (!(prefills[k].types & (1u << t)))
            form_problem(c, form_path(c, "%s.prefill", path), "%s does not fit a %s question", prefills[k].name, type);
        else
            out->prefill = (enum form_prefill)k;
    }
    int before = c->problems;
    bool sound = parse_limits(c, q, path, out) && c->problems == before;
    const json_t *ex = json_object_get(q, "example");
    if (ex && sound && c->lint)
        form_lint_example(c, out, ex, form_path(c, "%s.example", path));
}

/* ---- conditions -------------------------------------------------------------------- */

static const struct form_condition *parse_condition(struct form_parse *c, const json_t *cond, const char *path,
                                                    const struct form_question *const *earlier, size_t nearlier)
{
    if (!json_is_object(cond)) {
        form_problem(c, path, "must be an object {question, equals | in | answered}");
        return NULL;
    }
    static const char *const keys[] = {"question", "equals", "in", "answered", NULL};
    unknown_keys(c, cond, path, keys, NULL, " in a condition");
    const char *qid = json_string_value(json_object_get(cond, "question"));
    const struct form_question *target = NULL;
    for (size_t i = 0; qid && i < nearlier; i++)
        if (pc_str_eq(earlier[i]->id, qid))
            target = earlier[i];
    if (!target)
        form_problem(c, form_path(c, "%s.question", path), "must name a question on an earlier page (outside groups)");
    int forms = !!json_object_get(cond, "equals") + !!json_object_get(cond, "in") + !!json_object_get(cond, "answered");
    if (forms != 1) {
        form_problem(c, path, "needs exactly one of equals, in, answered");
        return NULL;
    }
    struct form_condition *out = pc_arena_alloc(c->a, sizeof *out);
    out->question = target;
    if (json_object_get(cond, "answered")) {
        out->kind = FORM_COND_ANSWERED;
        if (!json_is_true(json_object_get(cond, "answered")))
            form_problem(c, form_path(c, "%s.answered", path), "must be true");
        return target ? out : NULL;
    }
    const json_t *in = json_object_get(cond, "in");
    out->kind = in ? FORM_COND_IN : FORM_COND_EQUALS;
    out->value = json_deep_copy(in ? in : json_object_get(cond, "equals"));
    pc_arena_defer(c->a, (void (*)(void *))json_decref, out->value);
    if (in && (!json_is_array(in) || json_array_size(in) == 0)) {
        form_problem(c, form_path(c, "%s.in", path), "must be a non-empty list of values");
        return NULL;
    }
    if (!target)
        return NULL;
    if (target->type == FORM_GROUP || target->type == FORM_FILE) {
        form_problem(c, path, "a %s question can only be tested with answered", qtype_names[target->type]);
        return NULL;
    }
    if (!in) {
        form_lint_condition_value(c, target, out->value, form_path(c, "%s.equals", path));
        return out;
    }
    for (size_t i = 0; i < json_array_size(in); i++) {
        for (size_t k = 0; k < i; k++)
            if (json_equal(json_array_get(in, i), json_array_get(in, k)))
                form_problem(c, form_path(c, "%s.in", path), "repeats a value");
        form_lint_condition_value(c, target, json_array_get(in, i), form_path(c, "%s.in[%zu]", path, i));
    }
    return out;
}

/* ---- the service's workflow --------------------------------------------------------- */

static void parse_workflow(struct form_parse *c, const json_t *wf, struct form_workflow *out)
{
    out->steps = (1u << CASE_STEP_COUNT) - 1;
    if (!wf)
        return;
    if (!json_is_object(wf)) {
        form_problem(c, "$.workflow", "must be an object of steps, roles and deadlines");
        return;
    }
    static const char *const keys[] = {"steps", "roles", "deadlines", "fee", "appeal_days", NULL};
    unknown_keys(c, wf, "$.workflow", keys, NULL, " in a workflow (steps, roles, deadlines, fee, appeal_days)");
    const json_t *ad = json_object_get(wf, "appeal_days");
    if (ad && (!json_is_integer(ad) || json_integer_value(ad) < 1 || json_integer_value(ad) > 365))
        form_problem(c, "$.workflow.appeal_days", "must be 1..365 days");
    else if (ad)
        out->appeal_days = (int)json_integer_value(ad);
    const json_t *fee = json_object_get(wf, "fee");
    if (fee && !pc_str_eq(json_string_value(fee), "before_submission") && !pc_str_eq(json_string_value(fee), "later"))
        form_problem(c, "$.workflow.fee", "must be \"before_submission\" or \"later\"");
    out->fee_first = pc_str_eq(json_string_value(fee), "before_submission");
    const json_t *st = json_object_get(wf, "steps");
    size_t i;
    json_t *v;
    const char *k;
    if (st) {
        out->steps = 0;
        if (!json_is_array(st))
            form_problem(c, "$.workflow.steps", "must be a list of steps");
    }
    json_array_foreach(st, i, v) {
        int s = case_step_parse(json_string_value(v));
        if (s < 0)
            form_problem(c, form_path(c, "$.workflow.steps[%zu]", i), "names a step the workflow does not have");
        else
            out->steps |= 1u << s;
    }
    const json_t *ro = json_object_get(wf, "roles");
    if (ro && !json_is_object(ro))
        form_problem(c, "$.workflow.roles", "must map steps to lists of roles");
    json_object_foreach((json_t *)ro, k, v) {
        const char *rp = form_path(c, "$.workflow.roles.%s", k);
        int s = case_step_parse(k);
        if (s < 0 || case_step_by_applicant((enum case_step)s) || !json_is_array(v) || json_array_size(v) == 0) {
            form_problem(c, rp, "must map an officer's step to a non-empty list of roles");
            continue;
        }
        size_t j;
        json_t *r;
        json_array_foreach(v, j, r) {
            int role = id_role_parse(json_string_value(r));
            if (role != ID_ROLE_OFFICER && role != ID_ROLE_AGENCY_ADMIN)
                form_problem(c, form_path(c, "%s[%zu]", rp, j), "roles are officer and agency_admin");
            else
                out->roles[s] |= 1u << role;
        }
    }
    const json_t *dl = json_object_get(wf, "deadlines");
    if (dl && !json_is_object(dl))
        form_problem(c, "$.workflow.deadlines", "must map states to days");
    json_object_foreach((json_t *)dl, k, v) {
        int s = case_state_parse(k);
        if (s < CS_SUBMITTED || s > CS_APPROVED) {
            form_problem(c, form_path(c, "$.workflow.deadlines.%s", k), "is not a state a deadline applies to");
            continue;
        }
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 365)
            form_problem(c, form_path(c, "$.workflow.deadlines.%s", k), "must be 1..365 days");
        else
            out->deadline_days[s] = (int)json_integer_value(v);
    }
}

/* ---- the whole definition -------------------------------------------------------------- */

static void parse_pages(struct form_parse *c, const json_t *pages, struct form_def *d)
{
    if (!json_is_array(pages) || json_array_size(pages) < 1 || json_array_size(pages) > MAX_PAGES) {
        form_problem(c, "$.pages", "must be a list of 1–%d pages", MAX_PAGES);
        if (!json_is_array(pages) || json_array_size(pages) > MAX_PAGES)
            return;
    }
    size_t np = json_array_size(pages);
    struct form_page *out = pc_arena_array(c->a, np, sizeof *out);
    /* top-level questions of earlier pages: what a condition may name */
    const struct form_question **earlier = pc_arena_array(c->a, np * MAX_PAGE_QUESTIONS + 1, sizeof *earlier);
    size_t nearlier = 0;
    static const char *const keys[] = {"id", "title", "hint", "show_if", "questions", NULL};
    static const char *const needed[] = {"id", "title", "questions", NULL};
    for (size_t i = 0; i < np; i++) {
        const json_t *p = json_array_get(pages, i);
        const char *pp = form_path(c, "$.pages[%zu]", i);
        struct form_page *pg = &out[i];
        if (!json_is_object(p)) {
            form_problem(c, pp, "a page must be an object");
            continue;
        }
        unknown_keys(c, p, pp, keys, NULL, " for a page");
        required_keys(c, p, pp, needed);
        const char *pid = json_string_value(json_object_get(p, "id"));
        if (!is_slug(pid, '-', 1, 40))
            form_problem(c, form_path(c, "%s.id", pp), "must be 1–40 characters of a-z, 0-9 and -");
        for (size_t k = 0; pid && k < i; k++)
            if (pc_str_eq(out[k].id, pid))
                form_problem(c, form_path(c, "%s.id", pp), "repeats the page id \"%s\"", pid);
        pg->id = pc_arena_strdup(c->a, pid);
        if (json_object_get(p, "title"))
            text(c, json_object_get(p, "title"), form_path(c, "%s.title", pp), &pg->title);
        pg->has_hint = json_object_get(p, "hint") != NULL;
        optional_text(c, p, "hint", pp, &pg->hint);
        if (json_object_get(p, "show_if"))
            pg->show_if = parse_condition(c, json_object_get(p, "show_if"), form_path(c, "%s.show_if", pp), earlier,
                                          nearlier);
        const json_t *qs = json_object_get(p, "questions");
        if (!json_is_array(qs) || json_array_size(qs) < 1 || json_array_size(qs) > MAX_PAGE_QUESTIONS) {
            form_problem(c, form_path(c, "%s.questions", pp), "must be a list of 1–%d questions", MAX_PAGE_QUESTIONS);
            if (!json_is_array(qs) || json_array_size(qs) > MAX_PAGE_QUESTIONS)
                continue;
        }
        struct form_question *q = pc_arena_array(c->a, json_array_size(qs), sizeof *q);
        for (size_t k = 0; k < json_array_size(qs); k++) {
            const char *qp = form_path(c, "%s.questions[%zu]", pp, k);
            parse_question(c, json_array_get(qs, k), qp, false, &q[k]);
            for (size_t e = 0; q[k].id && e < nearlier; e++)
                if (pc_str_eq(earlier[e]->id, q[k].id))
                    form_problem(c, form_path(c, "%s.id", qp), "repeats the question id \"%s\" of the form", q[k].id);
            earlier[nearlier++] = &q[k];
            pg->has_files = pg->has_files || q[k].type == FORM_FILE;
            for (size_t g = 0; g < q[k].nquestions; g++)
                pg->has_files = pg->has_files || q[k].questions[g].type == FORM_FILE;
        }
        pg->questions = q;
        pg->nquestions = json_array_size(qs);
    }
    d->pages = out;
    d->npages = np;
}

static const struct form_def *parse_def(struct form_parse c, const char *text_in, size_t len,
                                       const struct form_catalog *cat)
{
    struct pc_arena *a = c.a;
    const char *file = c.file;
    if (len >= 3 && memcmp(text_in, "\xEF\xBB\xBF", 3) == 0) {
        form_problem(&c, "$", "starts with a UTF-8 byte order mark");
        return NULL;
    }
    json_error_t je;
    json_t *def = json_loadb(text_in, len, JSON_REJECT_DUPLICATES, &je);
    if (!def) {
        form_problem(&c, "$", "not valid UTF-8 JSON: line %d: %s", je.line, je.text);
        return NULL;
    }
    pc_arena_defer(a, (void (*)(void *))json_decref, def);
    if (!json_is_object(def)) {
        form_problem(&c, "$", "a form must be one JSON object");
        return NULL;
    }
    struct form_def *d = pc_arena_alloc(a, sizeof *d);
    static const char *const keys[] = {"service", "version", "title", "what_next", "pages", "workflow", "signature",
                                       NULL};
    static const char *const needed[] = {"service", "version", "title", "what_next", "pages", NULL};
    unknown_keys(&c, def, "$", keys, NULL, "");
    required_keys(&c, def, "$", needed);
    const char *service = json_string_value(json_object_get(def, "service"));
    if (!is_slug(service, '-', 3, 60))
        form_problem(&c, "$.service", "must be a service id of 3–60 characters a-z, 0-9 and -");
    else if (file && !(strncmp(file, service, strlen(service)) == 0 && strcmp(file + strlen(service), ".json") == 0))
        form_problem(&c, "$.service", "\"%s\" does not match the file name %s", service, file);
    d->service = pc_arena_strdup(a, service);
    const json_t *v = json_object_get(def, "version");
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 100000)
        form_problem(&c, "$.version", "must be an integer from 1 to 100000");
    d->version = (int)json_integer_value(v);
    if (json_object_get(def, "title"))
        text(&c, json_object_get(def, "title"), "$.title", &d->title);
    if (json_object_get(def, "what_next"))
        text(&c, json_object_get(def, "what_next"), "$.what_next", &d->what_next);
    const json_t *sig = json_object_get(def, "signature");
    d->signature = sig ? form_signature_parse(json_string_value(sig)) : FORM_SIGN_NONE;
    if ((int)d->signature < 0)
        form_problem(&c, "$.signature", "must be \"optional\" or \"required\"");
    parse_workflow(&c, json_object_get(def, "workflow"), &d->workflow);
    if (json_object_get(def, "pages"))
        parse_pages(&c, json_object_get(def, "pages"), d);
    if (cat && is_slug(service, '-', 3, 60))
        form_lint_catalog(&c, def, service, cat);
    if (c.problems)
        return NULL;
    d->json = pc_arena_strndup(a, text_in, len);
    return d;
}

int form_signature_parse(const char *s)
{
    return pc_str_eq(s, "optional") ? FORM_SIGN_OPTIONAL : pc_str_eq(s, "required") ? FORM_SIGN_REQUIRED : -1;
}

const struct form_def *form_def_parse(struct pc_arena *a, const char *text, size_t len, const char *file,
                                      const struct form_catalog *cat, const char *today, struct form_report *rep)
{
    struct form_parse c = {.a = a, .file = file, .today = today, .rep = rep, .lint = true};
    return parse_def(c, text, len, cat);
}

const struct form_def *form_def_load(struct pc_arena *a, const char *text, size_t len, struct form_report *rep)
{
    char today[11];
    form_today(today);
    struct form_parse c = {.a = a, .today = today, .rep = rep};
    return parse_def(c, text, len, NULL);
}

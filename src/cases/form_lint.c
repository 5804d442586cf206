/* form_lint.c — what the checker asks of a new definition beyond the
 * model the portal needs (form_def.c): texts that read well in every
 * language (no outer spaces or control characters, Cyrillic only where
 * the language is written in it), an example that is a valid answer of its
 * question, condition values the question can take, and agreement with the
 * catalogue (the service exists, the form states its deadline and fee).
 * Stored definitions are not linted again: a rule added later never hides
 * a form the import accepted. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define TEXT_MAX 4000          /* bytes of one language's text */

/* Languages written in Cyrillic (their texts must contain some; the
 * others none: a Russian text pasted into the English column is caught). */
static const bool cyrillic_script[PC_LANG_COUNT] = {[PC_LANG_RU] = true};

static bool has_cyrillic(const char *s)
{
    /* U+0400..U+052F are encoded 0xD0 0x80 .. 0xD4 0xAF */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0xD0 && *p <= 0xD4 && p[1] >= 0x80 && p[1] <= 0xBF && !(*p == 0xD4 && p[1] > 0xAF))
            return true;
    return false;
}

/* What a person reads must read well: checked when a form is imported. */
void form_lint_text(struct form_parse *c, const char *s, enum pc_lang l, const char *path)
{
    if (strlen(s) > TEXT_MAX)
        form_problem(c, path, "is longer than %d bytes", TEXT_MAX);
    if (form_outer_space(s))
        form_problem(c, path, "has leading or trailing spaces");
    if (form_has_control(s))
        form_problem(c, path, "contains a control character (new line, tab, …)");
    if (cyrillic_script[l] && !has_cyrillic(s))
        form_problem(c, path, "contains no Cyrillic letters: is it in the right language?");
    if (!cyrillic_script[l] && has_cyrillic(s))
        form_problem(c, path, "contains Cyrillic letters");
}

/* ---- examples: a valid answer of the question ------------------------------------- */

static bool example_empty(const json_t *v)
{
    return form_answer_blank(v) || (json_is_string(v) && form_all_space(json_string_value(v))) ||
           (json_is_object(v) && json_object_size(v) == 0);
}

static void example_check(struct form_parse *c, const struct form_question *q, const json_t *v, const char *path);

static void example_file(struct form_parse *c, const struct form_question *q, const json_t *v, const char *path)
{
    const char *name = json_string_value(v);
    if (!name) {
        form_problem(c, path, "must be a file name");
        return;
    }
    if (strchr(name, '/') || strchr(name, '\\') || name[0] == '.') {
        form_problem(c, path, "must be a plain file name without folders");
        return;
    }
    const char *endings = form_file_endings(q->accept, name, c->a);
    if (endings)
        form_problem(c, path, "file name must end with one of %s (accept)", endings);
}

static void example_group(struct form_parse *c, const struct form_question *q, const json_t *v, const char *path)
{
    if (!json_is_array(v)) {
        form_problem(c, path, "must be a list of objects, one per item");
        return;
    }
    size_t lo = (size_t)(q->required && q->min_items < 1 ? 1 : q->min_items);
    if (json_array_size(v) < lo)
        form_problem(c, path, "has %zu items, at least %zu needed", json_array_size(v), lo);
    if (json_array_size(v) > (size_t)q->max_items)
        form_problem(c, path, "has %zu items, max_items is %d", json_array_size(v), q->max_items);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        const char *ip = form_path(c, "%s[%zu]", path, i);
        if (!json_is_object(item)) {
            form_problem(c, ip, "must be an object");
            continue;
        }
        const char *k;
        json_t *x;
        json_object_foreach(item, k, x) {
            bool known = false;
            for (size_t j = 0; j < q->nquestions; j++)
                known = known || strcmp(q->questions[j].id, k) == 0;
            if (!known)
                form_problem(c, form_path(c, "%s.%s", ip, k), "the group has no such question");
        }
        for (size_t j = 0; j < q->nquestions; j++) {
            const struct form_question *iq = &q->questions[j];
            const json_t *a = json_object_get(item, iq->id);
            if (example_empty(a)) {
                if (iq->required)
                    form_problem(c, form_path(c, "%s.%s", ip, iq->id), "required answer missing");
                continue;
            }
            example_check(c, iq, a, form_path(c, "%s.%s", ip, iq->id));
        }
    }
}

/* Through the answers' own checks: what the portal would refuse. */
static void example_as_answer(struct form_parse *c, const struct form_question *q, const json_t *v, const char *path)
{
    struct form_issues is = {0};
    form_check_value(q, v, "example", c->today, &is);
    for (int i = 0; i < is.n; i++)
        if (is.items[i].limit)
            form_problem(c, path, "is not a valid answer: %s (limit %lld)", form_issue_name(is.items[i].code),
                    is.items[i].limit);
        else
            form_problem(c, path, "is not a valid answer: %s", form_issue_name(is.items[i].code));
}

static void example_check(struct form_parse *c, const struct form_question *q, const json_t *v, const char *path)
{
    if (example_empty(v)) {
        form_problem(c, path, "is empty");
        return;
    }
    switch (q->type) {
    case FORM_FILE:
        example_file(c, q, v, path);
        return;
    case FORM_GROUP:
        example_group(c, q, v, path);
        return;
    case FORM_TEXT:
    case FORM_ADDRESS:
        if (json_is_string(v) && form_outer_space(json_string_value(v)))
            form_problem(c, path, "has leading or trailing spaces");
        break;
    case FORM_NUMBER:
        if (q->integer && json_is_real(v)) {
            form_problem(c, path, "must be a whole number, written without a decimal point");
            return;
        }
        break;
    case FORM_CHOICE:
        if (q->multiple && json_is_array(v)) {
            for (size_t i = 0; i < json_array_size(v); i++)
                for (size_t k = 0; k < i; k++)
                    if (json_equal(json_array_get(v, i), json_array_get(v, k)))
                        form_problem(c, path, "repeats a value");
        }
        break;
    default:
        break;
    }
    example_as_answer(c, q, v, path);
}

void form_lint_example(struct form_parse *c, const struct form_question *q, const json_t *v, const char *path)
{
    example_check(c, q, v, path);
}

/* ---- conditions -------------------------------------------------------------------- */

/* A value the target question can take (an option's value for a choice). */
void form_lint_condition_value(struct form_parse *c, const struct form_question *target, const json_t *v, const char *path)
{
    if (!c->lint)
        return;
    if (target->type == FORM_CHOICE) {
        for (size_t i = 0; i < target->noptions; i++)
            if (pc_str_eq(json_string_value(v), target->options[i].value))
                return;
        form_problem(c, path, "is not an option of \"%s\"", target->id);
        return;
    }
    struct form_issues is = {0};
    form_check_value(target, v, "value", c->today, &is);
    if (is.n || form_answer_blank(v))
        form_problem(c, path, "is not a possible answer of \"%s\"", target->id);
}

/* ---- agreement with the catalogue --------------------------------------------------- */

/* Is the number written in the text on its own (not part of another)? */
static bool number_in(const char *num, const char *text)
{
    size_t n = strlen(num);
    for (const char *p = strstr(text, num); p; p = strstr(p + 1, num)) {
        bool before = p > text && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.' || p[-1] == ',');
        bool after = p[n] >= '0' && p[n] <= '9';
        if (!before && !after)
            return true;
    }
    return false;
}

/* Does any text of the form ({az, en, ru} objects anywhere) in lang name num? */
static bool any_text_names(const json_t *v, const char *lang, const char *num)
{
    if (json_is_object(v)) {
        const json_t *s = json_object_get(v, lang);
        if (json_is_string(s) && json_object_size(v) == PC_LANG_COUNT)
            return number_in(num, json_string_value(s));
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x) {
            if (any_text_names(x, lang, num))
                return true;
        }
    }
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
        if (any_text_names(x, lang, num))
            return true;
    }
    return false;
}

void form_lint_catalog(struct form_parse *c, const json_t *def, const char *service, const struct form_catalog *cat)
{
    struct form_service svc;
    struct pc_err err = {0};
    int rc = cat->lookup(cat->ctx, service, &svc, &err);
    if (rc == PC_ENOTFOUND) {
        form_problem(c, "$.service", "\"%s\" is not a service in the catalogue", service);
        return;
    }
    if (rc) {
        form_problem(c, "$.service", "cannot look the service up in the catalogue: %s", err.msg);
        return;
    }
    const json_t *wn = json_object_get(def, "what_next");
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        const char *code = pc_lang_code((enum pc_lang)l);
        if (svc.deadline_days >= 0) {
            const char *s = json_string_value(json_object_get(wn, code));
            char num[24];
            snprintf(num, sizeof num, "%d", svc.deadline_days);
            if (s && !number_in(num, s))
                form_problem(c, form_path(c, "$.what_next.%s", code), "the catalogue gives a deadline of %d days; say so here",
                        svc.deadline_days);
        }
        if (svc.fee_qepik >= 0) {
            /* the amount as people write it: 5, 2.5, 0.35 */
            long long q = svc.fee_qepik;
            char num[32];
            if (q % 100 == 0)
                snprintf(num, sizeof num, "%lld", q / 100);
            else if (q % 10 == 0)
                snprintf(num, sizeof num, "%lld.%lld", q / 100, q % 100 / 10);
            else
                snprintf(num, sizeof num, "%lld.%02lld", q / 100, q % 100);
            if (!any_text_names(def, code, num))
                form_problem(c, "$", "the catalogue gives a fee of %s AZN; no %s text of the form states it", num, code);
        }
    }
}

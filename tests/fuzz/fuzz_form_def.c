/* fuzz_form_def.c — a form definition (outside input: an operator's file)
 * through the one checker, form_def_parse, and the stored-form loader.
 * Invariants: no crash, leak or sanitizer report; a form comes back
 * exactly when no problem was reported, and every problem has a path and
 * words; an accepted form holds what the pages and the answer checks rely
 * on (ids, 1–30 pages of 1–10 questions, known types, 2–50 options, groups
 * of 1–10 questions not nested, item limits in order, texts in every
 * language); a form the checker accepts is accepted by the loader too, and
 * walking it (navigation, checking empty answers) ends. */
#include "fuzz_common.h"

#include "../../src/cases/form_check.c"
#include "../../src/cases/form_def.c"
#include "../../src/cases/form_lint.c"

#include <string.h>

struct seen {
    int problems;
    bool bad_line;
};

static void note(void *ctx, const char *file, const char *path, const char *what)
{
    struct seen *s = ctx;
    s->problems++;
    if (!file || !path || path[0] != '$' || !what || !*what)
        s->bad_line = true;
}

static void texts_ok(const struct pc_text *t)
{
    for (int l = 0; l < PC_LANG_COUNT; l++)
        FUZZ_CHECK(t->s[l] && *t->s[l]);
}

static void question_ok(const struct form_question *q, bool in_group)
{
    FUZZ_CHECK(q->id && *q->id && strlen(q->id) <= 40);
    FUZZ_CHECK((unsigned)q->type < FORM_QTYPE_COUNT);
    texts_ok(&q->label);
    if (q->has_hint)
        texts_ok(&q->hint);
    switch (q->type) {
    case FORM_CHOICE:
        FUZZ_CHECK(q->noptions >= 2 && q->noptions <= FORM_MAX_OPTIONS);
        for (size_t i = 0; i < q->noptions; i++) {
            FUZZ_CHECK(q->options[i].value && *q->options[i].value);
            texts_ok(&q->options[i].label);
        }
        break;
    case FORM_GROUP:
        FUZZ_CHECK(!in_group);
        FUZZ_CHECK(q->nquestions >= 1 && q->nquestions <= 10);
        FUZZ_CHECK(q->min_items >= 0 && q->min_items <= q->max_items && q->max_items <= 20);
        for (size_t i = 0; i < q->nquestions; i++)
            question_ok(&q->questions[i], true);
        break;
    case FORM_FILE:
        FUZZ_CHECK(q->max_bytes >= 1 && q->max_bytes <= FORM_FILE_MAX);
        FUZZ_CHECK(q->accept && q->accept < 8 && q->accept_list && *q->accept_list);
        break;
    case FORM_TEXT:
    case FORM_ADDRESS:
        FUZZ_CHECK(q->min_length >= 0 && q->min_length <= q->max_length);
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct seen s = {0};
    struct form_report rep = {.problem = note, .ctx = &s};
    const struct form_def *d = form_def_parse(&a, (const char *)data, size, NULL, NULL, "2026-12-07", &rep);
    FUZZ_CHECK(rep.count == s.problems);
    FUZZ_CHECK(!s.bad_line);
    FUZZ_CHECK((d != NULL) == (s.problems == 0));
    if (d) {
        FUZZ_CHECK(d->service && d->version >= 1 && d->json);
        FUZZ_CHECK(d->npages >= 1 && d->npages <= 30);
        texts_ok(&d->title);
        texts_ok(&d->what_next);
        for (size_t i = 0; i < d->npages; i++) {
            const struct form_page *p = &d->pages[i];
            FUZZ_CHECK(p->id && *p->id && p->nquestions >= 1 && p->nquestions <= 10);
            texts_ok(&p->title);
            FUZZ_CHECK(form_find_page(d, p->id) == p);
            for (size_t k = 0; k < p->nquestions; k++)
                question_ok(&p->questions[k], false);
        }
        /* the stored form loads again, and walking it ends */
        struct seen again = {0};
        struct form_report rep2 = {.problem = note, .ctx = &again};
        FUZZ_CHECK(form_def_load(&a, (const char *)data, size, &rep2) != NULL);
        struct form_answers *none = form_answers_own(&a, NULL);
        size_t steps = 0;
        for (const struct form_page *p = form_next_page(d, none, NULL); p; p = form_next_page(d, none, p))
            FUZZ_CHECK(++steps <= d->npages);
        struct form_issues is;
        form_check_answers(d, none, NULL, "2026-12-07", &is);
        FUZZ_CHECK(is.n >= 0 && is.n <= FORM_MAX_ISSUES);
    }
    pc_arena_release(&a);
    return 0;
}

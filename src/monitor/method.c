/* method.c — the scoring rules of the methodology (docs/monitoring.md):
 * answers, the one checker of a questionnaire, the infrastructure index
 * (component = share of yes truncated to two decimals, index = their
 * sum), the maturity level on the 3-, 4- and 5-level models (the highest
 * k with yes/applicable ≥ k/L, so exact fractions and no rounding), the
 * bands of e-participation and e-transparency, and the report's way of
 * writing a result ("max/score"). */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- answers -------------------------------------------------------------- */

static bool word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* "63", "50.5", "7.25" (at most two decimals) as hundredths, 0..10000. */
static int parse_share(const char *s, size_t n, int *out)
{
    int whole = 0, frac = 0, fdigits = 0;
    size_t i = 0;
    if (n == 0 || s[0] < '0' || s[0] > '9')
        return -1;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        whole = whole * 10 + (s[i] - '0');
        if (whole > 100)
            return -1;
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (++fdigits > 2)
                return -1;
            frac = frac * 10 + (s[i] - '0');
        }
        if (fdigits == 0)
            return -1;
        if (fdigits == 1)
            frac *= 10;
    }
    if (i != n)
        return -1;
    *out = whole * 100 + frac;
    return *out <= 10000 ? 0 : -1;
}

int mon_answer_parse(const char *s, struct mon_answer *out, struct pc_err *err)
{
    *out = (struct mon_answer){MON_ANS_MISSING, 0};
    if (!s)
        return pc_err_set(err, PC_EINVAL, "no answer");
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0)
        return pc_err_set(err, PC_EINVAL, "no answer");
    if (word_is(s, n, "1") || word_is(s, n, "yes"))
        out->kind = MON_ANS_YES;
    else if (word_is(s, n, "0") || word_is(s, n, "no"))
        out->kind = MON_ANS_NO;
    else if (word_is(s, n, "na") || word_is(s, n, "n/a") || word_is(s, n, "null"))
        out->kind = MON_ANS_NA;
    else if (s[n - 1] == '%' && parse_share(s, n - 1, &out->share) == 0)
        out->kind = MON_ANS_SHARE;
    else
        return pc_err_set(err, PC_EINVAL, "\"%.*s\" is not an answer: write 1 (yes), 0 (no), na (not applicable) "
                                          "or a share such as 63%%", (int)(n > 40 ? 40 : n), s);
    return 0;
}

int mon__answer_json(const json_t *v, struct mon_answer *out, struct pc_err *err)
{
    *out = (struct mon_answer){MON_ANS_MISSING, 0};
    if (json_is_null(v)) {
        out->kind = MON_ANS_NA;
        return 0;
    }
    if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
        out->kind = json_integer_value(v) ? MON_ANS_YES : MON_ANS_NO;
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (n > 1 && s[n - 1] == '%' && parse_share(s, n - 1, &out->share) == 0) {
            out->kind = MON_ANS_SHARE;
            return 0;
        }
    }
    return pc_err_set(err, PC_EINVAL, "an answer is 1 (yes), 0 (no), null (not applicable) or a share such as \"63%%\"");
}

const char *mon_answer_text(struct pc_arena *a, const struct mon_answer *v)
{
    switch (v->kind) {
    case MON_ANS_YES:
        return "1";
    case MON_ANS_NO:
        return "0";
    case MON_ANS_NA:
        return "na";
    case MON_ANS_SHARE:
        return pc_arena_printf(a, "%s%%", mon_hundredths(a, v->share));
    case MON_ANS_MISSING:
        break;
    }
    return "";
}

/* ---- the one checker ----------------------------------------------------- */

bool mon_model_valid(int model)
{
    return model == 3 || model == 4 || model == 5;
}

int mon__check(const struct mon_answers *a, int model, bool paid, mon_issue_fn issue, void *ctx)
{
    size_t n;
    const struct mon_question *q = mon_questions(a->criterion, &n);
    int bad = 0;
#define ISSUE(id, what) (bad++, issue(ctx, id, what))
    if (a->criterion == MON_DEVELOPMENT && !mon_model_valid(model))
        ISSUE("", "the model must have 3, 4 or 5 levels");
    int applicable = 0;
    for (size_t i = 0; i < n; i++) {
        enum mon_answer_kind k = a->a[i].kind;
        bool free_payment = a->criterion == MON_TRANSPARENCY && q[i].payment && !paid;
        if (free_payment) {
            if (k != MON_ANS_MISSING && k != MON_ANS_NA)
                ISSUE(q[i].id, "a free service is scored out of 8: the payment questions 9 and 10 do not apply to it");
            continue;
        }
        if (k == MON_ANS_MISSING) {
            ISSUE(q[i].id, "not answered");
            continue;
        }
        if (k == MON_ANS_SHARE && !q[i].share)
            ISSUE(q[i].id, "a yes/no question: a share (per cent) applies only to 2.5-2.7, 3.2 and 3.3");
        if (k == MON_ANS_NA && a->criterion != MON_DEVELOPMENT)
            ISSUE(q[i].id, a->criterion == MON_INFRA ? "every sub-indicator of the infrastructure applies"
                                                     : "every question of this criterion applies (1 or 0)");
        if (k == MON_ANS_YES || k == MON_ANS_NO)
            applicable++;
    }
    if (a->criterion == MON_DEVELOPMENT && applicable == 0 && !bad)
        ISSUE("", "no question applies: the percentage has nothing to count");
#undef ISSUE
    return bad;
}

struct first_issue {
    struct pc_err *err;
    bool seen;
};

static void keep_first(void *ctx, const char *question, const char *what)
{
    struct first_issue *f = ctx;
    if (f->seen)
        return;
    f->seen = true;
    if (*question)
        pc_err_set(f->err, PC_EINVAL, "question %s: %s", question, what);
    else
        pc_err_set(f->err, PC_EINVAL, "%s", what);
}

static int check(const struct mon_answers *a, enum mon_criterion c, int model, bool paid, struct pc_err *err)
{
    if (a->criterion != c)
        return pc_err_set(err, PC_EINVAL, "these are answers to the %s questionnaire, not %s",
                          mon_criterion_name(a->criterion), mon_criterion_name(c));
    struct first_issue f = {err, false};
    return mon__check(a, model, paid, keep_first, &f) ? PC_EINVAL : 0;
}

static bool is_yes(const struct mon_answer *v)
{
    return v->kind == MON_ANS_YES || (v->kind == MON_ANS_SHARE && v->share > 5000);
}

/* ---- scores -------------------------------------------------------------- */

int mon_score_infra(const struct mon_answers *a, struct mon_infra_result *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = check(a, MON_INFRA, 0, false, err);
    if (rc)
        return rc;
    size_t n;
    const struct mon_question *q = mon_questions(MON_INFRA, &n);
    int yes[MON_INFRA_COMPONENTS] = {0}, all[MON_INFRA_COMPONENTS] = {0};
    for (size_t i = 0; i < n; i++) {
        all[q[i].component - 1]++;
        yes[q[i].component - 1] += is_yes(&a->a[i]);
    }
    for (int k = 0; k < MON_INFRA_COMPONENTS; k++) {
        out->component[k] = 100 * yes[k] / all[k]; /* truncated: 3/9 is 0.33, 2/3 is 0.66 */
        out->index += out->component[k];
    }
    return 0;
}

int mon_level(int model, int yes, int applicable)
{
    /* yes/applicable ≥ k/model  ⇔  yes·model ≥ k·applicable */
    return applicable > 0 ? yes * model / applicable : 0;
}

int mon_score_development(const struct mon_answers *a, int model, struct mon_dev_result *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = check(a, MON_DEVELOPMENT, model, false, err);
    if (rc)
        return rc;
    size_t n;
    mon_questions(MON_DEVELOPMENT, &n);
    out->model = model;
    for (size_t i = 0; i < n; i++) {
        if (a->a[i].kind == MON_ANS_NA)
            continue;
        out->applicable++;
        out->yes += a->a[i].kind == MON_ANS_YES;
    }
    out->percent = 10000 * out->yes / out->applicable;
    out->level = mon_level(model, out->yes, out->applicable);
    return 0;
}

int mon_score_participation(const struct mon_answers *a, struct mon_score_result *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = check(a, MON_PARTICIPATION, 0, false, err);
    if (rc)
        return rc;
    size_t n;
    mon_questions(MON_PARTICIPATION, &n);
    for (size_t i = 0; i < n; i++)
        out->score += a->a[i].kind == MON_ANS_YES;
    out->max = (int)n;
    out->band = mon_participation_band(out->score);
    return 0;
}

int mon_score_transparency(const struct mon_answers *a, bool paid, struct mon_score_result *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = check(a, MON_TRANSPARENCY, 0, paid, err);
    if (rc)
        return rc;
    size_t n;
    const struct mon_question *q = mon_questions(MON_TRANSPARENCY, &n);
    for (size_t i = 0; i < n; i++) {
        if (q[i].payment && !paid)
            continue;
        out->max++;
        out->score += a->a[i].kind == MON_ANS_YES;
    }
    out->band = mon_transparency_band(out->score, out->max);
    return 0;
}

/* ---- bands ------------------------------------------------------------------ */

static const char *const band_names[MON_BAND_COUNT] = {
    "none", "weak", "satisfactory", "good", "excellent",
    "non-transparent", "relatively transparent", "sufficiently transparent",
};

const char *mon_band_name(enum mon_band b)
{
    return (unsigned)b < MON_BAND_COUNT ? band_names[b] : "none";
}

int mon_band_parse(const char *s)
{
    for (int i = 0; s && i < MON_BAND_COUNT; i++)
        if (strcmp(s, band_names[i]) == 0)
            return i;
    return -1;
}

enum mon_band mon_participation_band(int score)
{
    if (score <= 0)
        return MON_BAND_NONE; /* 0 has no band in the methodology */
    if (score <= 3)
        return MON_BAND_WEAK;
    if (score <= 6)
        return MON_BAND_SATISFACTORY;
    if (score <= 8)
        return MON_BAND_GOOD;
    return MON_BAND_EXCELLENT;
}

enum mon_band mon_transparency_band(int score, int max)
{
    if (score <= 0)
        return MON_BAND_NONE;
    /* 10-point scale: 1–4, 5–7, 8–10; 8-point scale: 1–3, 4–5, 6–8 */
    int relatively = max == 8 ? 4 : 5, sufficiently = max == 8 ? 6 : 8;
    if (score >= sufficiently)
        return MON_BAND_SUFFICIENTLY_TRANSPARENT;
    return score >= relatively ? MON_BAND_RELATIVELY_TRANSPARENT : MON_BAND_NON_TRANSPARENT;
}

/* ---- how the report writes results ---------------------------------------- */

const char *mon_hundredths(struct pc_arena *a, int64_t v)
{
    const char *sign = v < 0 ? "-" : "";
    long long u = v < 0 ? -(long long)v : (long long)v;
    if (u % 100 == 0)
        return pc_arena_printf(a, "%s%lld", sign, u / 100);
    if (u % 10 == 0)
        return pc_arena_printf(a, "%s%lld.%lld", sign, u / 100, u % 100 / 10);
    return pc_arena_printf(a, "%s%lld.%02lld", sign, u / 100, u % 100);
}

const char *mon_printed(struct pc_arena *a, int max, int score_hundredths)
{
    return pc_arena_printf(a, "%d/%s", max, mon_hundredths(a, score_hundredths));
}

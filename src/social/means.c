/* means.c — the means test: from a typed household and the ministry's
 * parameters, the average monthly income per person, eligibility, the
 * monthly amount ((criterion − income per person) × members, at most the
 * cap) and the period, with every step of the calculation as a line that
 * names its rule.  Pure: no database, no clock.  Money is integer qəpik;
 * the income per person is rounded half up to the qəpik. */
#include "social.h"

#include <string.h>

static const char *const line_names[SOCIAL_LINE_KIND_COUNT] = {
    [SOCIAL_LINE_WAGES] = "wages",           [SOCIAL_LINE_PENSION] = "pension",
    [SOCIAL_LINE_BENEFITS] = "benefits",     [SOCIAL_LINE_NOT_COUNTED] = "not_counted",
    [SOCIAL_LINE_INCOME] = "income",         [SOCIAL_LINE_MEMBERS] = "members",
    [SOCIAL_LINE_PER_PERSON] = "income_per_person", [SOCIAL_LINE_CRITERION] = "criterion",
    [SOCIAL_LINE_DWELLINGS] = "dwellings",   [SOCIAL_LINE_VEHICLES] = "vehicles",
    [SOCIAL_LINE_ABOVE_CRITERION] = "above_criterion", [SOCIAL_LINE_AMOUNT] = "amount",
    [SOCIAL_LINE_CAPPED] = "capped",         [SOCIAL_LINE_PERIOD] = "period",
    [SOCIAL_LINE_BUSINESS] = "business",
};

const char *social_line_name(enum social_line_kind k)
{
    return (unsigned)k < SOCIAL_LINE_KIND_COUNT ? line_names[k] : "?";
}

static void line(struct social_means *m, enum social_line_kind k, const char *fin, int64_t value, enum social_rule rule)
{
    if (m->nlines < SOCIAL_LINES_MAX)
        m->lines[m->nlines++] = (struct social_line){k, fin, value, rule};
}

static bool money_ok(int64_t v)
{
    return v >= 0 && v <= SOCIAL_MONEY_MAX;
}

static int check(const struct social_params *p, const struct social_household *h, struct pc_err *err)
{
    if (!h->n || h->n > SOCIAL_MEMBERS_MAX)
        return pc_err_set(err, PC_EINVAL, "a household has 1 to %d members, not %zu", SOCIAL_MEMBERS_MAX, h->n);
    if (!money_ok(p->criterion) || p->criterion == 0 || !money_ok(p->cap) || p->months < 1 || p->months > 60)
        return pc_err_set(err, PC_EINVAL, "the parameters are out of range");
    for (size_t i = 0; i < h->n; i++) {
        const struct social_member *m = &h->members[i];
        if (!money_ok(m->wages) || !money_ok(m->pension) || !money_ok(m->benefits) || !money_ok(m->business))
            return pc_err_set(err, PC_EINVAL, "member %zu: an income is negative or above %lld qəpik", i + 1,
                              (long long)SOCIAL_MONEY_MAX);
        if (m->dwellings < 0 || m->dwellings > 1000 || m->vehicles < 0 || m->vehicles > 1000)
            return pc_err_set(err, PC_EINVAL, "member %zu: a count of properties is out of range", i + 1);
    }
    return 0;
}

/* One kind of a member's income: counted (a line of its kind) or left out. */
static int64_t income(struct social_means *m, enum social_line_kind k, const char *fin, int64_t v, bool counts)
{
    if (!v)
        return 0;
    line(m, counts ? k : SOCIAL_LINE_NOT_COUNTED, fin, v, SOCIAL_RULE_INCOME);
    return counts ? v : 0;
}

int social_means_compute(const struct social_params *p, const struct social_household *h, struct social_means *out,
                         struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = check(p, h, err);
    if (rc)
        return rc;
    int dwellings = 0, vehicles = 0;
    for (size_t i = 0; i < h->n; i++) {
        const struct social_member *mb = &h->members[i];
        out->income += income(out, SOCIAL_LINE_WAGES, mb->fin, mb->wages, p->count_wages);
        out->income += income(out, SOCIAL_LINE_PENSION, mb->fin, mb->pension, p->count_pensions);
        out->income += income(out, SOCIAL_LINE_BENEFITS, mb->fin, mb->benefits, p->count_benefits);
        out->income += income(out, SOCIAL_LINE_BUSINESS, mb->fin, mb->business, p->count_business);
        dwellings += mb->dwellings;
        vehicles += mb->vehicles;
    }
    out->members = (int)h->n;
    out->criterion = p->criterion;
    out->income_per_person = (out->income * 2 + out->members) / (2 * out->members);
    line(out, SOCIAL_LINE_INCOME, NULL, out->income, SOCIAL_RULE_INCOME);
    line(out, SOCIAL_LINE_MEMBERS, NULL, out->members, SOCIAL_RULE_INCOME);
    line(out, SOCIAL_LINE_PER_PERSON, NULL, out->income_per_person, SOCIAL_RULE_INCOME);
    line(out, SOCIAL_LINE_CRITERION, NULL, p->criterion, SOCIAL_RULE_CRITERION);
    bool excluded = false;
    if (p->max_dwellings >= 0 && dwellings > p->max_dwellings) {
        line(out, SOCIAL_LINE_DWELLINGS, NULL, dwellings, SOCIAL_RULE_PROPERTY);
        excluded = true;
    }
    if (p->max_vehicles >= 0 && vehicles > p->max_vehicles) {
        line(out, SOCIAL_LINE_VEHICLES, NULL, vehicles, SOCIAL_RULE_PROPERTY);
        excluded = true;
    }
    if (out->income_per_person >= p->criterion) {
        line(out, SOCIAL_LINE_ABOVE_CRITERION, NULL, out->income_per_person, SOCIAL_RULE_CRITERION);
        excluded = true;
    }
    if (excluded)
        return 0;
    out->amount = (p->criterion - out->income_per_person) * out->members;
    line(out, SOCIAL_LINE_AMOUNT, NULL, out->amount, SOCIAL_RULE_AMOUNT);
    if (p->cap && out->amount > p->cap) {
        out->amount = p->cap;
        line(out, SOCIAL_LINE_CAPPED, NULL, out->amount, SOCIAL_RULE_AMOUNT);
    }
    out->eligible = true;
    out->months = p->months;
    line(out, SOCIAL_LINE_PERIOD, NULL, out->months, SOCIAL_RULE_PERIOD);
    return 0;
}

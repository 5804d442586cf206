/* view.c — a VEMTAS case as the officer sees it: the evidence with its
 * source and time, the differences between the declaration and the
 * registries, and the means test's proposal computed from the evidence
 * under the parameters in force (recomputed at each read: a pure
 * function of stored data), with the officer's override.  The household's
 * incomes come from the registries: current employment contracts (wages),
 * pensions and social assistance, an active individual entrepreneur's
 * last year's income a twelfth a month; dwellings from real estate and
 * vehicles from the vehicle register; a member the registries do not know
 * counts with the income declared. */
#include "internal.h"
#include "../pay/pay.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const flag_names[SOCIAL_FLAG_COUNT] = {
    [SOCIAL_FLAG_NOT_IN_REGISTER] = "not_in_register", [SOCIAL_FLAG_NOT_DECLARED] = "not_declared",
    [SOCIAL_FLAG_NOT_FAMILY] = "not_family",           [SOCIAL_FLAG_BIRTH_DATE] = "birth_date",
    [SOCIAL_FLAG_INCOME] = "income",                   [SOCIAL_FLAG_DECEASED] = "deceased",
    [SOCIAL_FLAG_NO_FIN] = "no_fin",                   [SOCIAL_FLAG_ENTREPRENEUR] = "entrepreneur",
};

const char *social_flag_name(enum social_flag f)
{
    return (unsigned)f < SOCIAL_FLAG_COUNT ? flag_names[f] : "?";
}

/* The document of an item, released with the arena; NULL when none. */
static json_t *doc_of(struct pc_arena *a, const struct social_case *c, const char *fin, enum social_reg k)
{
    for (size_t i = 0; i < c->nitems; i++)
        if (c->items[i].kind == k && pc_str_eq(c->items[i].person, fin) && c->items[i].found) {
            json_t *j = json_loads(c->items[i].data, 0, NULL);
            if (j)
                pc_arena_defer(a, social_json_release, j);
            return j;
        }
    return NULL;
}

static int64_t azn(const json_t *v)
{
    double d = json_number_value(v);
    return d > 0 && d <= SOCIAL_MONEY_MAX / 100.0 ? (int64_t)llround(d * 100) : 0;
}

/* What the registries say of one person; false when the register does not know them. */
static bool member_of(struct pc_arena *a, const struct social_case *c, const char *fin, struct social_member *m)
{
    memset(m, 0, sizeof *m);
    m->fin = fin;
    if (!fin || !doc_of(a, c, fin, SOCIAL_REG_POPULATION))
        return false;
    json_t *j = doc_of(a, c, fin, SOCIAL_REG_EMPLOYMENT), *v;
    size_t i;
    json_array_foreach(json_object_get(j, "contracts"), i, v)
        if (json_is_null(json_object_get(v, "ended_at")))
            m->wages += azn(json_object_get(v, "salary_azn"));
    j = doc_of(a, c, fin, SOCIAL_REG_PENSIONS);
    m->pension = azn(json_object_get(json_object_get(j, "pension"), "amount_azn"));
    m->benefits = azn(json_object_get(json_object_get(j, "social_assistance"), "amount_azn"));
    j = doc_of(a, c, fin, SOCIAL_REG_REALESTATE);
    json_array_foreach(json_object_get(j, "properties"), i, v) {
        const char *kind = json_string_value(json_object_get(v, "kind"));
        m->dwellings += pc_str_eq(kind, "apartment") || pc_str_eq(kind, "house");
    }
    m->vehicles = (int)json_array_size(json_object_get(doc_of(a, c, fin, SOCIAL_REG_VEHICLES), "vehicles"));
    json_array_foreach(json_object_get(doc_of(a, c, fin, SOCIAL_REG_ENTREPRENEURS), "entrepreneurs"), i, v)
        if (pc_str_eq(json_string_value(json_object_get(v, "status")), "active"))
            m->business += azn(json_object_get(v, "income_last_year_azn")) / 12;
    return true;
}

static void diff(struct social_case *c, size_t max, enum social_flag f, const char *person, const char *declared,
                 const char *registry)
{
    if (c->ndiffs < max)
        c->diffs[c->ndiffs++] = (struct social_difference){f, person, declared, registry};
}

static bool fin_in(const json_t *list, const char *fin)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
        if (pc_str_eq(json_string_value(v), fin))
            return true;
    return false;
}

static const char *money_text(struct pc_arena *a, int64_t q)
{
    char out[32];
    pay_azn_format(q, out);
    return pc_arena_strdup(a, out);
}

/* The VÖEN of a person's active entrepreneur registration; NULL when none. */
static const char *entrepreneur_voen(struct pc_arena *a, const struct social_case *c, const char *fin)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(doc_of(a, c, fin, SOCIAL_REG_ENTREPRENEURS), "entrepreneurs"), i, v)
        if (pc_str_eq(json_string_value(json_object_get(v, "status")), "active"))
            return json_string_value(json_object_get(v, "voen"));
    return NULL;
}

/* A declared income against the registries': a difference past 10 % and
 * 10 AZN; and self-employment the tax register knows but the declaration
 * does not say. */
static void income_diff(struct pc_arena *a, struct social_case *c, size_t max, const char *fin, int64_t declared,
                        const char *employment, const struct social_member *m)
{
    const char *voen = entrepreneur_voen(a, c, fin);
    if (voen && employment && !pc_str_eq(employment, "self_employed"))
        diff(c, max, SOCIAL_FLAG_ENTREPRENEUR, fin, employment, voen);
    int64_t reg = m->wages + m->pension + m->benefits + m->business, gap = llabs(declared - reg);
    if (declared >= 0 && gap > 1000 && gap * 10 > (reg > declared ? reg : declared))
        diff(c, max, SOCIAL_FLAG_INCOME, fin, money_text(a, declared), money_text(a, reg));
}

/* The differences, and the household the means test takes. */
static void compare(struct pc_arena *a, const struct social_declaration *d, struct social_case *c,
                    struct social_member *hh)
{
    size_t max = 5 * (d->n + 1) + 8;
    c->diffs = pc_arena_array(a, max, sizeof *c->diffs);
    json_t *me = doc_of(a, c, d->applicant_fin, SOCIAL_REG_POPULATION);
    if (member_of(a, c, d->applicant_fin, &hh[0])) {
        income_diff(a, c, max, d->applicant_fin, d->applicant_income, d->applicant_employment, &hh[0]);
    } else {
        hh[0].wages = d->applicant_income > 0 ? d->applicant_income : 0;
        for (size_t i = 0; i < c->nitems; i++)
            if (c->items[i].kind == SOCIAL_REG_POPULATION && pc_str_eq(c->items[i].person, d->applicant_fin))
                diff(c, max, SOCIAL_FLAG_NOT_IN_REGISTER, d->applicant_fin, NULL, NULL); /* asked, not found */
    }
    for (size_t i = 0; i < d->n; i++) {
        const struct social_declared *m = &d->members[i];
        struct social_member *h = &hh[i + 1];
        if (!m->fin) {
            diff(c, max, SOCIAL_FLAG_NO_FIN, m->name, m->relation, NULL);
            h->wages = m->income > 0 ? m->income : 0;
            continue;
        }
        if (!member_of(a, c, m->fin, h)) {
            diff(c, max, SOCIAL_FLAG_NOT_IN_REGISTER, m->fin, m->name, NULL);
            h->wages = m->income > 0 ? m->income : 0;
            continue;
        }
        json_t *p = doc_of(a, c, m->fin, SOCIAL_REG_POPULATION);
        const char *born = json_string_value(json_object_get(p, "birth_date"));
        if (m->birth_date && born && !pc_str_eq(m->birth_date, born))
            diff(c, max, SOCIAL_FLAG_BIRTH_DATE, m->fin, m->birth_date, born);
        const char *died = json_string_value(json_object_get(p, "death_date"));
        if (died)
            diff(c, max, SOCIAL_FLAG_DECEASED, m->fin, NULL, died);
        bool spouse = pc_str_eq(m->relation, "spouse"), child = pc_str_eq(m->relation, "child");
        if (me && ((spouse && !pc_str_eq(json_string_value(json_object_get(me, "spouse_fin")), m->fin)) ||
                   (child && !fin_in(json_object_get(me, "children_fins"), m->fin))))
            diff(c, max, SOCIAL_FLAG_NOT_FAMILY, m->fin, m->relation, NULL);
        income_diff(a, c, max, m->fin, m->income, m->employment, h);
    }
    /* the register's spouse and children the applicant did not declare */
    const char *spouse = json_string_value(json_object_get(me, "spouse_fin"));
    bool found = !spouse;
    for (size_t i = 0; !found && i < d->n; i++)
        found = pc_str_eq(d->members[i].fin, spouse);
    if (!found)
        diff(c, max, SOCIAL_FLAG_NOT_DECLARED, pc_arena_strdup(a, spouse), NULL, "spouse");
    size_t k;
    json_t *v;
    json_array_foreach(json_object_get(me, "children_fins"), k, v) {
        const char *kid = json_string_value(v);
        found = !kid;
        for (size_t i = 0; !found && i < d->n; i++)
            found = pc_str_eq(d->members[i].fin, kid);
        if (!found)
            diff(c, max, SOCIAL_FLAG_NOT_DECLARED, pc_arena_strdup(a, kid), NULL, "child");
    }
}

static int read_case(struct db_conn *cn, struct pc_arena *a, const char *reference, struct social_case *out,
                     struct pc_err *err)
{
    struct db_stmt *s = db_prepare(cn,
                                   "SELECT state, waiting_for, last_error, attempts, next_try_at, updated_at, "
                                   "override_eligible, override_amount, override_reason, override_by, override_at "
                                   "FROM social_cases WHERE reference = ?",
                                   err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, reference);
    int rc = db_step(s, err);
    if (rc != 1)
        return rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "%s is not a social-assistance case taken yet", reference);
    int st = social_state_parse(db_col_text(s, 0));
    out->reference = pc_arena_strdup(a, reference);
    out->state = st < 0 ? SOCIAL_PENDING : (enum social_state)st;
    out->waiting_for = pc_arena_strdup(a, db_col_text(s, 1));
    out->last_error = pc_arena_strdup(a, db_col_text(s, 2));
    out->attempts = (int)db_col_int(s, 3);
    out->next_try_at = db_col_int(s, 4);
    out->updated_at = db_col_int(s, 5);
    if (!db_col_is_null(s, 6))
        out->override = (struct social_override){.set = true, .eligible = db_col_int(s, 6) != 0,
                                                 .amount = db_col_int(s, 7),
                                                 .reason = pc_arena_strdup(a, db_col_text(s, 8)),
                                                 .by = pc_arena_strdup(a, db_col_text(s, 9)), .at = db_col_int(s, 10)};
    db_conn_idle(cn);
    return 0;
}

static int read_suspension(struct db_conn *cn, struct pc_arena *a, const char *reference, struct social_suspension *out,
                           struct pc_err *err)
{
    struct db_stmt *s = db_prepare(cn,
                                   "SELECT suspended_kind, suspended_fin, suspended_since, suspended_at FROM social_grants "
                                   "WHERE reference = ? AND suspended_at IS NOT NULL",
                                   err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, reference);
    int rc = db_step(s, err);
    if (rc == 1)
        *out = (struct social_suspension){
            .kind = pc_str_eq(db_col_text(s, 0), "death") ? SOCIAL_CHANGE_DEATH : SOCIAL_CHANGE_EMPLOYMENT,
            .fin = pc_arena_strdup(a, db_col_text(s, 1)), .since = pc_arena_strdup(a, db_col_text(s, 2)),
            .at = db_col_int(s, 3)};
    db_conn_idle(cn);
    return rc < 0 ? rc : 0;
}

int social_case_get(struct db *db, struct pc_arena *a, const struct case_app *app, struct social_case *out,
                    struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!app->reference || !pc_str_eq(app->service_id, SOCIAL_SERVICE))
        return pc_err_set(err, PC_ENOTFOUND, "not a social-assistance case");
    struct db_conn *cn = db_conn_get(db, err);
    int rc = cn ? read_case(cn, a, app->reference, out, err) : err->code;
    if (!rc)
        rc = social_items_load(cn, a, app->reference, &out->items, &out->nitems, err);
    if (!rc)
        rc = social_payments_of(db, a, app->reference, &out->payments, &out->npayments, err);
    if (!rc)
        rc = read_suspension(cn, a, app->reference, &out->suspension, err);
    if (!rc)
        rc = social_grant_read(cn, app->reference, &out->grant, err);
    db_conn_idle(cn);
    if (rc)
        return rc;
    json_t *answers = form_answers_json(app->answers);
    pc_arena_defer(a, social_json_release, answers);
    struct social_declaration d;
    social_declaration_read(a, app->applicant_fin, answers, &d);
    struct social_member *hh = pc_arena_array(a, d.n + 1, sizeof *hh);
    compare(a, &d, out, hh);
    if (out->state != SOCIAL_COMPLETE)
        return 0;
    char today[21];
    pc_rfc3339(pc_now_unix(), today);
    today[10] = '\0';
    rc = social_params_for(db, a, today, &out->params, err);
    if (rc == PC_ENOTFOUND)
        return 0; /* no parameters in force: nothing proposed (the page says so) */
    if (rc)
        return rc;
    struct social_household h = {hh, d.n + 1};
    rc = social_means_compute(&out->params, &h, &out->means, err);
    out->computed = rc == 0;
    return rc == PC_EINVAL ? 0 : rc;
}

static json_t *money(int64_t q)
{
    return json_real((double)q / 100.0);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *time_of(int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    return json_string(ts);
}

void social_case_json(const struct social_case *c, json_t *j)
{
    json_t *ev = json_array();
    for (size_t i = 0; i < c->nitems; i++) {
        const struct social_item *it = &c->items[i];
        json_t *data = json_loads(it->data, 0, NULL);
        json_array_append_new(ev, json_pack("{s:s, s:s, s:s, s:o, s:b, s:o}", "person", it->person, "source",
                                            it->source, "kind", social_reg_name(it->kind), "fetched_at",
                                            time_of(it->fetched_at), "found", it->found, "data",
                                            data ? data : json_object()));
    }
    json_object_set_new(j, "evidence", ev);
    json_t *st = json_pack("{s:s, s:i}", "state", social_state_name(c->state), "attempts", c->attempts);
    json_object_set_new(st, "waiting_for", str_or_null(c->waiting_for));
    json_object_set_new(st, "next_try_at", c->state == SOCIAL_WAITING ? time_of(c->next_try_at) : json_null());
    json_object_set_new(j, "evidence_status", st);
    json_t *diffs = json_array();
    for (size_t i = 0; i < c->ndiffs; i++)
        json_array_append_new(diffs, json_pack("{s:s, s:o, s:o, s:o}", "flag", social_flag_name(c->diffs[i].flag),
                                               "person", str_or_null(c->diffs[i].person), "declared",
                                               str_or_null(c->diffs[i].declared), "registry",
                                               str_or_null(c->diffs[i].registry)));
    json_object_set_new(j, "differences", diffs);
    json_t *pays = json_array();
    for (size_t i = 0; i < c->npayments; i++) {
        const struct social_payment *p = &c->payments[i];
        json_array_append_new(pays, json_pack("{s:s, s:s, s:o, s:s, s:o, s:o}", "order_id", p->order_id, "month",
                                              p->month, "amount", money(p->amount), "status",
                                              social_pay_status_name(p->status), "reason", str_or_null(p->reason),
                                              "paid_in", str_or_null(p->pay_month)));
    }
    json_object_set_new(j, "payments", pays);
    const struct social_grant *g = &c->grant;
    json_object_set_new(j, "grant", !g->set ? json_null()
                                            : json_pack("{s:o, s:i, s:s, s:s, s:i, s:o, s:o, s:o}", "amount",
                                                        money(g->amount), "months", g->months, "first_month",
                                                        g->first_month, "last_month", g->last_month, "extensions",
                                                        g->extensions, "resumed_at",
                                                        g->resumed_at ? time_of(g->resumed_at) : json_null(),
                                                        "ended_at", g->ended_at ? time_of(g->ended_at) : json_null(),
                                                        "reassessment",
                                                        g->reassess_at ? json_pack("{s:o}", "started_at",
                                                                                   time_of(g->reassess_at))
                                                                       : json_null()));
    const struct social_suspension *su = &c->suspension;
    json_object_set_new(j, "suspension", su->kind ? json_pack("{s:s, s:s, s:s, s:o}", "reason",
                                                              social_change_name(su->kind), "person", su->fin, "since",
                                                              su->since, "at", time_of(su->at))
                                                  : json_null());
    if (!c->computed)
        return;
    const struct social_means *m = &c->means;
    const struct social_override *o = &c->override;
    bool eligible = o->set ? o->eligible : m->eligible;
    json_t *lines = json_array();
    for (size_t i = 0; i < m->nlines; i++) {
        const struct social_line *l = &m->lines[i];
        bool count = l->kind == SOCIAL_LINE_MEMBERS || l->kind == SOCIAL_LINE_PERIOD ||
                     l->kind == SOCIAL_LINE_DWELLINGS || l->kind == SOCIAL_LINE_VEHICLES;
        json_array_append_new(lines, json_pack("{s:s, s:o, s:o, s:s, s:s}", "kind", social_line_name(l->kind), "person",
                                               str_or_null(l->fin), "value",
                                               count ? json_integer(l->value) : money(l->value), "rule",
                                               social_rule_name(l->rule), "ref", c->params.refs[l->rule]));
    }
    json_t *mt = json_pack("{s:i, s:o, s:o, s:b, s:o, s:i, s:o, s:i, s:s, s:b, s:o}", "members", m->members,
                           "income_per_person", money(m->income_per_person), "criterion", money(m->criterion),
                           "eligible", eligible, "amount", money(o->set ? o->amount : m->amount), "months",
                           eligible ? (o->set && !m->eligible ? c->params.months : m->months) : 0, "income",
                           money(m->income), "params_version", c->params.version, "legal_ref", c->params.legal_ref,
                           "demo_parameters", c->params.demo, "lines", lines);
    json_object_set_new(mt, "proposal", json_pack("{s:b, s:o, s:i}", "eligible", m->eligible, "amount",
                                                  money(m->amount), "months", m->months));
    json_object_set_new(mt, "override", o->set ? json_pack("{s:b, s:o, s:s, s:s, s:o}", "eligible", o->eligible,
                                                           "amount", money(o->amount), "reason", o->reason, "by",
                                                           o->by, "at", time_of(o->at))
                                               : json_null());
    json_object_set_new(j, "means_test", mt);
}

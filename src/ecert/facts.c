/* facts.c — registry data into what a certificate states.  The
 * documents are the registries' JSON (src/registries, and the same over
 * the exchange layer): the population register's person, the employment
 * contracts, social insurance, and the taxpayers a person owns or
 * directs.  Only the fields a certificate prints are read; each is
 * checked for its type, and a missing optional one is NULL or 0. */
#include "ecert.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void release_json(void *p)
{
    json_decref(p);
}

/* The document as a JSON object living as long as the arena. */
static json_t *load(struct pc_arena *a, const char *json, size_t len, const char *what, struct pc_err *err)
{
    if (len > ECERT_RECORD_MAX) {
        pc_err_set(err, PC_EINVAL, "the %s record is larger than %d bytes", what, ECERT_RECORD_MAX);
        return NULL;
    }
    json_t *j = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        pc_err_set(err, PC_EINVAL, "the %s record is not a JSON object", what);
        return NULL;
    }
    pc_arena_defer(a, release_json, j);
    return j;
}

/* A string member (NULL when absent or null); *bad when of another type. */
static const char *str(struct pc_arena *a, const json_t *o, const char *key, bool *bad)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v) || json_string_length(v) > 256 || strlen(json_string_value(v)) != json_string_length(v)) {
        *bad = true;
        return NULL;
    }
    return pc_arena_strdup(a, json_string_value(v));
}

static int64_t num(const json_t *o, const char *key, bool *bad)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000000) {
        *bad = true;
        return 0;
    }
    return json_integer_value(v);
}

static int done(bool bad, const char *what, struct pc_err *err)
{
    return bad ? pc_err_set(err, PC_EINVAL, "the %s record has a field of the wrong type", what) : 0;
}

int ecert_parse_person(struct pc_arena *a, const char *json, size_t len, struct ecert_facts *f, struct pc_err *err)
{
    json_t *j = load(a, json, len, "population", err);
    if (!j)
        return err->code;
    bool bad = false;
    f->fin = str(a, j, "fin", &bad);
    f->surname = str(a, j, "surname", &bad);
    f->name = str(a, j, "name", &bad);
    f->patronymic = str(a, j, "patronymic", &bad);
    f->birth_date = str(a, j, "birth_date", &bad);
    f->registered_at = str(a, j, "registered_at", &bad);
    const json_t *addr = json_object_get(j, "address");
    if (json_is_object(addr)) {
        f->region = str(a, addr, "region", &bad);
        f->city = str(a, addr, "city", &bad);
        f->street = str(a, addr, "street", &bad);
        f->house = num(addr, "house", &bad);
        f->apartment = num(addr, "apartment", &bad);
    } else if (addr && !json_is_null(addr)) {
        bad = true;
    }
    if (!bad && (!f->fin || !f->surname || !f->name))
        return pc_err_set(err, PC_EINVAL, "the population record names no person (fin, surname, name)");
    return done(bad, "population", err);
}

static void parse_jobs(struct pc_arena *a, const json_t *list, struct ecert_facts *f, bool *bad)
{
    size_t i;
    const json_t *c;
    json_array_foreach(list, i, c) {
        if (!json_is_object(c)) {
            *bad = true;
            return;
        }
        if (f->njobs == ECERT_LIST_MAX)
            return;
        struct ecert_job *jb = &f->jobs[f->njobs++];
        jb->employer_voen = str(a, c, "employer_voen", bad);
        jb->position = str(a, c, "position", bad);
        jb->started_at = str(a, c, "started_at", bad);
        jb->ended_at = str(a, c, "ended_at", bad);
        jb->salary_azn = num(c, "salary_azn", bad);
    }
}

static void parse_insurance(struct pc_arena *a, const json_t *j, struct ecert_facts *f, bool *bad)
{
    const json_t *ins = json_object_get(j, "insured");
    if (ins && !json_is_boolean(ins))
        *bad = true;
    f->insured = json_is_true(ins);
    f->insurance_years = num(j, "insurance_years", bad);
    f->contributions_azn = num(j, "contributions_last_year_azn", bad);
    const json_t *p = json_object_get(j, "pension");
    if (json_is_object(p)) {
        f->pension = true;
        f->pension_kind = str(a, p, "kind", bad);
        f->pension_since = str(a, p, "since", bad);
        f->pension_azn = num(p, "amount_azn", bad);
    } else if (p && !json_is_null(p)) {
        *bad = true;
    }
}

static void parse_taxpayers(struct pc_arena *a, const json_t *list, struct ecert_facts *f, bool *bad)
{
    size_t i;
    const json_t *t;
    json_array_foreach(list, i, t) {
        if (!json_is_object(t)) {
            *bad = true;
            return;
        }
        if (f->ntaxpayers == ECERT_LIST_MAX)
            return;
        struct ecert_taxpayer *tp = &f->taxpayers[f->ntaxpayers++];
        tp->voen = str(a, t, "voen", bad);
        tp->name = str(a, t, "name", bad);
        tp->status = str(a, t, "status", bad);
        tp->entrepreneur = pc_str_eq(str(a, t, "kind", bad), "individual_entrepreneur");
    }
}

int ecert_parse_record(struct pc_arena *a, enum ecert_kind k, const char *json, size_t len, struct ecert_facts *f,
                       struct pc_err *err)
{
    static const char *const what[ECERT_KIND_COUNT] = {"population", "employment", "insurance", "taxpayers"};
    if ((unsigned)k >= ECERT_KIND_COUNT)
        return pc_err_set(err, PC_EINVAL, "no such kind of certificate");
    json_t *j = load(a, json, len, what[k], err);
    if (!j)
        return err->code;
    bool bad = false;
    const json_t *list;
    switch (k) {
    case ECERT_ADDRESS:
        return ecert_parse_person(a, json, len, f, err);
    case ECERT_EMPLOYMENT:
        list = json_object_get(j, "contracts");
        if (list && !json_is_array(list))
            bad = true;
        parse_jobs(a, list, f, &bad);
        break;
    case ECERT_INCOME:
        parse_insurance(a, j, f, &bad);
        break;
    case ECERT_TAXPAYER:
    case ECERT_KIND_COUNT:
        list = json_object_get(j, "taxpayers");
        if (list && !json_is_array(list))
            bad = true;
        parse_taxpayers(a, list, f, &bad);
        break;
    }
    return done(bad, what[k], err);
}

int ecert_facts_fetch(const struct ecert_source *src, struct pc_arena *a, enum ecert_kind k, const char *fin,
                      struct ecert_facts *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    out->kind = k;
    const char *json;
    int rc = src->record(src->ctx, a, k, true, fin, &json, err);
    if (!rc)
        rc = ecert_parse_person(a, json, strlen(json), out, err);
    if (!rc && !pc_str_eq(out->fin, fin))
        rc = pc_err_set(err, PC_EIO, "the population register answered about another person");
    if (!rc && k != ECERT_ADDRESS) {
        rc = src->record(src->ctx, a, k, false, fin, &json, err);
        if (!rc)
            rc = ecert_parse_record(a, k, json, strlen(json), out, err);
    }
    /* a register's document we cannot read is its fault, not the asker's */
    if (rc == PC_EINVAL) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        rc = pc_err_set(err, PC_EUNAVAIL, "a register answered what cannot be read: %s", why);
    }
    return rc;
}

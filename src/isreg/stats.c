/* stats.c — registered of known systems, per body and over the years, and
 * the fines the unregistered ones risk: the table the documents printed
 * (35 of 80 in 2013, 79 of 158 in 2015), from the register itself.
 *
 * A system counts as known from the day its card was first drafted, or
 * from the day the operator noted it without a card; as registered from
 * its first registration until it is de-registered.  The register holds
 * hundreds of systems, not millions, so the counts are made in C over
 * two small reads rather than in SQL that differs between backends. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define YEARS_MAX 64

struct fact {
    const char *agency_id;
    int64_t known_from;      /* day numbers; INT64_MAX: never */
    int64_t registered_from;
    int64_t gone_from;       /* de-registered (no longer known either) */
};

static struct isreg_count *agency_row(struct isreg_stats *st, struct pc_arena *a, const char *agency, size_t cap)
{
    for (size_t i = 0; i < st->nagencies; i++)
        if (strcmp(st->agencies[i].agency_id, agency) == 0)
            return &st->agencies[i];
    if (st->nagencies == cap)
        return NULL;
    struct isreg_count *r = &st->agencies[st->nagencies++];
    r->agency_id = pc_arena_strdup(a, agency);
    return r;
}

static void count(const struct fact *f, int64_t day, int *known, int *registered)
{
    bool gone = f->gone_from <= day;
    *known += f->known_from <= day && !gone;
    *registered += f->registered_from <= day && !gone;
}

static int read_facts(struct db_conn *c, struct pc_arena *a, struct fact **out, size_t *n, struct pc_err *err)
{
    size_t cap = 256;
    *out = pc_arena_alloc(a, cap * sizeof **out);
    *n = 0;
    static const char *const sql[2] = {
        "SELECT agency_id, created_at, COALESCE(registered_at, 0), COALESCE(deregistered_on, '') FROM isreg_systems",
        "SELECT agency_id, noted_on, 0, '' FROM isreg_known WHERE system_id IS NULL",
    };
    for (int q = 0; q < 2; q++) {
        struct db_stmt *s = db_prepare(c, sql[q], err);
        if (!s)
            return err->code;
        int rc;
        while ((rc = db_step(s, err)) == 1) {
            if (*n == cap) {
                struct fact *bigger = pc_arena_alloc(a, 2 * cap * sizeof *bigger);
                memcpy(bigger, *out, cap * sizeof *bigger);
                *out = bigger;
                cap *= 2;
            }
            struct fact *f = &(*out)[(*n)++];
            f->agency_id = pc_arena_strdup(a, db_col_text(s, 0));
            int64_t day;
            if (q == 0) {
                f->known_from = isreg_day_of(db_col_int(s, 1));
                f->registered_from = db_col_int(s, 2) ? isreg_day_of(db_col_int(s, 2)) : INT64_MAX;
                f->gone_from = isreg_date_parse(db_col_text(s, 3), &day) ? INT64_MAX : day;
            } else {
                f->known_from = isreg_date_parse(db_col_text(s, 1), &day) ? INT64_MAX : day;
                f->registered_from = f->gone_from = INT64_MAX;
            }
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int read_census(struct db_conn *c, struct pc_arena *a, struct isreg_stats *st, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT year, known, registered, source FROM isreg_census ORDER BY year", err);
    if (!s)
        return err->code;
    int rc;
    while ((rc = db_step(s, err)) == 1 && st->nyears < YEARS_MAX) {
        struct isreg_count *y = &st->years[st->nyears++];
        y->year = (int)db_col_int(s, 0);
        y->known = (int)db_col_int(s, 1);
        y->registered = (int)db_col_int(s, 2);
        y->source = pc_arena_strdup(a, db_col_text(s, 3));
    }
    return rc < 0 ? rc : 0;
}

int isreg_stats(struct db *db, struct pc_arena *a, int64_t today, struct isreg_stats *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code;
    struct fact *facts;
    size_t n;
    int rc = read_facts(c, a, &facts, &n, err);
    if (rc)
        return rc;

    out->agencies = pc_arena_alloc(a, (n + 1) * sizeof *out->agencies);
    for (size_t i = 0; i < n; i++) {
        struct isreg_count *r = agency_row(out, a, facts[i].agency_id, n + 1);
        count(&facts[i], today, &r->known, &r->registered);
        count(&facts[i], today, &out->totals.known, &out->totals.registered);
    }
    /* bodies in id order, as the API promises */
    for (size_t i = 1; i < out->nagencies; i++)
        for (size_t j = i; j > 0 && strcmp(out->agencies[j - 1].agency_id, out->agencies[j].agency_id) > 0; j--) {
            struct isreg_count t = out->agencies[j];
            out->agencies[j] = out->agencies[j - 1];
            out->agencies[j - 1] = t;
        }
    int unregistered = out->totals.known - out->totals.registered;
    out->fine_min = unregistered * ISREG_FINE_MIN;
    out->fine_max = unregistered * ISREG_FINE_MAX;
    out->totals.source = "register";

    /* the published counts, then each later year of this register's own
     * data (counted on 31 December, or today for this year) */
    out->years = pc_arena_alloc(a, YEARS_MAX * sizeof *out->years);
    rc = read_census(c, a, out, err);
    if (rc)
        return rc;
    int64_t first = today;
    for (size_t i = 0; i < n; i++)
        if (facts[i].known_from < first)
            first = facts[i].known_from;
    char d[11];
    isreg_date_format(first, d);
    int y0 = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    isreg_date_format(today, d);
    int y1 = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    /* a year already published is told by its published count */
    if (out->nyears && out->years[out->nyears - 1].year >= y0)
        y0 = out->years[out->nyears - 1].year + 1;
    for (int y = y0 > y1 - 20 ? y0 : y1 - 20; y <= y1 && n && out->nyears < YEARS_MAX; y++) {
        char end[24];
        snprintf(end, sizeof end, "%04d-12-31", y);
        int64_t day;
        isreg_date_parse(end, &day);
        if (day > today)
            day = today;
        struct isreg_count *row = &out->years[out->nyears++];
        row->year = y;
        row->source = "register";
        for (size_t i = 0; i < n; i++)
            count(&facts[i], day, &row->known, &row->registered);
    }
    return 0;
}

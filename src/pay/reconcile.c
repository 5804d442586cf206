/* reconcile.c — the nightly reconciliation: our payments of a day against
 * the provider's settlement file, merged by reference; every difference
 * is a recorded mismatch (missing, extra, amount, status), so nothing is
 * lost or counted twice without someone seeing it. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS_MAX 30
#define ITEMS_SHOWN 1000

static int day_start(const char *day, int64_t *out)
{
    struct tm tm = {0};
    const char *end = day ? strptime(day, "%Y-%m-%d", &tm) : NULL;
    if (!end || *end || strlen(day) != 10)
        return -1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

bool pay_day_valid(const char *day)
{
    int64_t t;
    return day_start(day, &t) == 0;
}

static int by_line_ref(const void *a, const void *b)
{
    return strcmp(((const struct pay_settle_line *)a)->reference, ((const struct pay_settle_line *)b)->reference);
}

struct ours {
    const char *id;
    enum pay_status status;
    int64_t amount, refunded;
};

static void add(struct pc_arena *a, struct pay_recon *r, size_t *cap, enum pay_mismatch kind, const char *id,
                const struct ours *o, const struct pay_settle_line *t)
{
    if (r->nitems == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct pay_recon_item *n = pc_arena_array(a, ncap, sizeof *n);
        if (r->nitems)
            memcpy(n, r->items, r->nitems * sizeof *n);
        r->items = n;
        *cap = ncap;
    }
    struct pay_recon_item *it = &r->items[r->nitems++];
    it->kind = kind;
    it->payment_id = id;
    it->ours_qepik = o ? o->amount - o->refunded : -1;
    it->theirs_qepik = t ? t->amount_qepik - t->refunded_qepik : -1;
    it->ours_status = o ? pay_status_name(o->status) : NULL;
    it->theirs_status = t ? pay_status_name(t->status) : NULL;
}

/* Compare one of ours with the provider's line (t NULL: not settled). */
static void compare(struct pc_arena *a, struct pay_recon *r, size_t *cap, const struct ours *o,
                    const struct pay_settle_line *t)
{
    if (!t) {
        if (o->status == PAY_SUCCESS)
            add(a, r, cap, PAY_MIS_MISSING, o->id, o, NULL);
        return;
    }
    if (t->status != o->status)
        add(a, r, cap, PAY_MIS_STATUS, o->id, o, t);
    else if (t->amount_qepik != o->amount || t->refunded_qepik != o->refunded)
        add(a, r, cap, PAY_MIS_AMOUNT, o->id, o, t);
}

static int load_ours(struct db_conn *c, struct pc_arena *a, int64_t from, struct ours **out, size_t *n,
                     struct pc_err *err)
{
    *n = 0;
    size_t cap = 64;
    *out = pc_arena_array(a, cap, sizeof **out);
    struct db_stmt *s = db_prepare(c, "SELECT id, status, amount_qepik, refunded_qepik FROM pay_payments"
                                      " WHERE created_at >= ? AND created_at < ? ORDER BY id", err);
    if (!s)
        return pay_err(err);
    db_bind_int(s, 1, from);
    db_bind_int(s, 2, from + 86400);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if (*n == cap) {
            struct ours *m = pc_arena_array(a, cap * 2, sizeof *m);
            memcpy(m, *out, cap * sizeof *m);
            *out = m;
            cap *= 2;
        }
        struct ours *o = &(*out)[(*n)++];
        o->id = pc_arena_strdup(a, db_col_text(s, 0));
        int st = pay_status_parse(db_col_text(s, 1));
        o->status = st < 0 ? PAY_ERROR : (enum pay_status)st;
        o->amount = db_col_int(s, 2);
        o->refunded = db_col_int(s, 3);
    }
    return rc < 0 ? rc : 0;
}

static int store(struct db_conn *c, const struct pay_recon *r, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO pay_recon_runs(id, day, ran_at, lines, mismatches) VALUES (?, ?, ?, ?, ?)",
                                   err);
    if (!s)
        return pay_err(err);
    db_bind_text(s, 1, r->id);
    db_bind_text(s, 2, r->day);
    db_bind_int(s, 3, r->ran_at);
    db_bind_int(s, 4, r->lines);
    db_bind_int(s, 5, r->mismatches);
    int64_t n = db_run(s, err);
    for (size_t i = 0; n >= 0 && i < r->nitems; i++) {
        const struct pay_recon_item *it = &r->items[i];
        s = db_prepare(c, "INSERT INTO pay_recon_items(run_id, seq, kind, payment_id, ours_qepik, theirs_qepik,"
                          " ours_status, theirs_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err);
        if (!s)
            return pay_err(err);
        db_bind_text(s, 1, r->id);
        db_bind_int(s, 2, (int64_t)i + 1);
        db_bind_text(s, 3, pay_mismatch_name(it->kind));
        db_bind_text(s, 4, it->payment_id);
        if (it->ours_qepik >= 0)
            db_bind_int(s, 5, it->ours_qepik);
        else
            db_bind_null(s, 5);
        if (it->theirs_qepik >= 0)
            db_bind_int(s, 6, it->theirs_qepik);
        else
            db_bind_null(s, 6);
        db_bind_text(s, 7, it->ours_status);
        db_bind_text(s, 8, it->theirs_status);
        n = db_run(s, err);
    }
    return n < 0 ? (int)n : 0;
}

int pay_reconcile(struct db *db, const char *day, const struct pay_settle_line *lines, size_t n, struct pc_arena *a,
                  struct pay_recon *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t from;
    if (day_start(day, &from))
        return pc_err_set(err, PC_EINVAL, "the day must be YYYY-MM-DD");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return pay_err(err);
    struct ours *ours;
    size_t nours;
    int rc = load_ours(c, a, from, &ours, &nours, err);
    if (rc)
        return rc;
    struct pay_settle_line *theirs = pc_arena_array(a, n ? n : 1, sizeof *theirs);
    if (n)
        memcpy(theirs, lines, n * sizeof *theirs);
    qsort(theirs, n, sizeof *theirs, by_line_ref);
    size_t cap = 0, i = 0, j = 0;
    /* both sorted by reference (ours by id, the same text): one merge */
    while (i < nours || j < n) {
        int cmp = i == nours ? 1 : j == n ? -1 : strcmp(ours[i].id, theirs[j].reference);
        if (cmp < 0) {
            compare(a, out, &cap, &ours[i++], NULL);
        } else if (cmp > 0 || (j > 0 && strcmp(theirs[j].reference, theirs[j - 1].reference) == 0)) {
            add(a, out, &cap, PAY_MIS_EXTRA, theirs[j].reference, NULL, &theirs[j]); /* unknown, or listed twice */
            j++;
        } else {
            compare(a, out, &cap, &ours[i++], &theirs[j++]);
        }
    }
    char rnd[17];
    pc_random_hex(rnd, 8);
    out->id = pc_arena_printf(a, "RC-%s", rnd);
    out->day = pc_arena_strdup(a, day);
    out->ran_at = pc_now_unix();
    out->lines = (int64_t)n;
    out->mismatches = (int64_t)out->nitems;
    if ((rc = db_begin(c, err)))
        return rc;
    rc = db_end(c, store(c, out, err), err);
    if (!rc && out->nitems)
        pc_logf(PC_LOG_WARN, "pay.reconcile_mismatch", "%s: %zu mismatches against %zu settled lines", day, out->nitems, n);
    return rc;
}

int pay_reconcile_provider(struct db *db, struct pay_provider *prov, const char *day, struct pc_arena *a,
                           struct pay_recon *out, struct pc_err *err)
{
    int64_t from;
    if (day_start(day, &from))
        return pc_err_set(err, PC_EINVAL, "the day must be YYYY-MM-DD");
    char *text;
    size_t len;
    int rc = prov->ops->settlement(prov->ctx, day, a, &text, &len, err);
    struct pay_settle_line *lines;
    size_t n;
    if (!rc)
        rc = pay_settlement_parse(a, text, len, &lines, &n, err);
    return rc ? rc : pay_reconcile(db, day, lines, n, a, out, err);
}

int pay_recon_latest(struct db *db, struct pc_arena *a, struct pay_recon **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, RUNS_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT id, day, ran_at, lines, mismatches FROM pay_recon_runs"
                                          " ORDER BY ran_at DESC, id DESC LIMIT 30", err) : NULL;
    if (!s)
        return pay_err(err);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        struct pay_recon *r = &(*out)[(*n)++];
        r->id = pc_arena_strdup(a, db_col_text(s, 0));
        r->day = pc_arena_strdup(a, db_col_text(s, 1));
        r->ran_at = db_col_int(s, 2);
        r->lines = db_col_int(s, 3);
        r->mismatches = db_col_int(s, 4);
    }
    if (rc < 0 || *n == 0)
        return rc < 0 ? rc : 0;
    struct pay_recon *r = &(*out)[0];
    s = db_prepare(c, "SELECT kind, payment_id, ours_qepik, theirs_qepik, ours_status, theirs_status"
                      " FROM pay_recon_items WHERE run_id = ? ORDER BY seq LIMIT 1000", err);
    if (!s)
        return pay_err(err);
    db_bind_text(s, 1, r->id);
    r->items = pc_arena_array(a, ITEMS_SHOWN, sizeof *r->items);
    while ((rc = db_step(s, err)) == 1) {
        struct pay_recon_item *it = &r->items[r->nitems++];
        const char *k = db_col_text(s, 0);
        it->kind = PAY_MIS_STATUS;
        for (int m = 0; m < PAY_MIS_COUNT; m++)
            if (pc_str_eq(k, pay_mismatch_name((enum pay_mismatch)m)))
                it->kind = (enum pay_mismatch)m;
        it->payment_id = pc_arena_strdup(a, db_col_text(s, 1));
        it->ours_qepik = db_col_is_null(s, 2) ? -1 : db_col_int(s, 2);
        it->theirs_qepik = db_col_is_null(s, 3) ? -1 : db_col_int(s, 3);
        it->ours_status = pc_arena_strdup(a, db_col_text(s, 4));
        it->theirs_status = pc_arena_strdup(a, db_col_text(s, 5));
    }
    return rc < 0 ? rc : 0;
}

/* evidence.c — evidence without paper: every VEMTAS application submitted
 * is taken (social_cases), and for the applicant and every declared family
 * member with a FİN the registries are asked — the population register
 * first, then employment contracts, social insurance, real estate,
 * vehicles and individual entrepreneurship for a person it knows (the last
 * two where the source names them) — each answer stored with the person, the source
 * service, the time and the document.  A registry that cannot answer
 * makes the case wait: it is tried again after 1, 2, 4 … seconds (at most
 * five minutes) and the officer sees what it waits for; what was already
 * fetched is kept.  The citizen is never asked for a paper. */
#include "internal.h"
#include "../catalog/catalog.h"
#include "../cases/cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_MAX 300
#define DUE_PER_STEP 20
#define DISCOVER_PAGES 10

static const char *const state_names[SOCIAL_STATE_COUNT] = {"pending", "waiting", "complete"};

const char *social_state_name(enum social_state s)
{
    return (unsigned)s < SOCIAL_STATE_COUNT ? state_names[s] : "?";
}

int social_state_parse(const char *name)
{
    for (int s = 0; s < SOCIAL_STATE_COUNT; s++)
        if (pc_str_eq(name, state_names[s]))
            return s;
    return -1;
}

int social_items_load(struct db_conn *c, struct pc_arena *a, const char *reference, struct social_item **out,
                      size_t *n, struct pc_err *err)
{
    *n = 0;
    struct db_stmt *s = db_prepare(c,
                                   "SELECT person, kind, source, fetched_at, found, data FROM social_evidence "
                                   "WHERE reference = ? ORDER BY fetched_at, person, kind",
                                   err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, reference);
    size_t cap = 16;
    *out = pc_arena_array(a, cap, sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        int k = social_reg_parse(db_col_text(s, 1));
        if (k < 0)
            continue;
        *out = social_grow(a, *out, &cap, *n, sizeof **out);
        (*out)[(*n)++] = (struct social_item){.person = pc_arena_strdup(a, db_col_text(s, 0)),
                                              .source = pc_arena_strdup(a, db_col_text(s, 2)),
                                              .data = pc_arena_strdup(a, db_col_text(s, 5)),
                                              .kind = (enum social_reg)k, .found = db_col_int(s, 4) != 0,
                                              .fetched_at = db_col_int(s, 3)};
    }
    return rc < 0 ? rc : 0;
}

static const struct social_item *have(const struct social_item *items, size_t n, const char *fin, enum social_reg k)
{
    for (size_t i = 0; i < n; i++)
        if (items[i].kind == k && pc_str_eq(items[i].person, fin))
            return &items[i];
    return NULL;
}

/* What a round knows of its case when it starts. */
struct due {
    const char *reference;
    int attempts;
    int64_t generation;
};

/* Keep an answer, unless "fetch again" came since the round began (its
 * own round asks anew) or a round of before it kept the same. */
static int store(struct db *db, const struct due *d, const char *fin, enum social_reg k,
                 const struct social_record *rec, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s =
        c ? db_prepare(c,
                       "INSERT INTO social_evidence (reference, person, kind, source, fetched_at, found, data) "
                       "SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), "
                       "CAST(? AS INTEGER), CAST(? AS TEXT) "
                       "WHERE EXISTS (SELECT 1 FROM social_cases WHERE reference = ? AND generation = ?) "
                       "ON CONFLICT (reference, person, kind) DO NOTHING",
                       err)
          : NULL;
    if (!s)
        return err->code ? err->code : PC_EUNAVAIL;
    db_bind_text(s, 1, d->reference);
    db_bind_text(s, 2, fin);
    db_bind_text(s, 3, social_reg_name(k));
    db_bind_text(s, 4, rec->service);
    db_bind_int(s, 5, rec->fetched_at);
    db_bind_int(s, 6, rec->found);
    db_bind_text(s, 7, rec->data);
    db_bind_text(s, 8, d->reference);
    db_bind_int(s, 9, d->generation);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

/* The case's state after a round: complete, or waiting for a registry
 * (tried again after 2^attempts seconds, at most BACKOFF_MAX); nothing
 * when "fetch again" came meanwhile (another generation). */
static int set_state(struct db *db, const struct due *d, const char *waiting_for, const char *why, int64_t now,
                     struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
                                       "UPDATE social_cases SET state = ?, waiting_for = ?, last_error = ?, attempts = ?, "
                                       "next_try_at = ?, updated_at = ? WHERE reference = ? AND generation = ?",
                                       err)
                          : NULL;
    int attempts = d->attempts;
    if (!s)
        return err->code ? err->code : PC_EUNAVAIL;
    int64_t delay = attempts > 8 ? BACKOFF_MAX : 1LL << attempts;
    db_bind_text(s, 1, social_state_name(waiting_for ? SOCIAL_WAITING : SOCIAL_COMPLETE));
    if (waiting_for) {
        db_bind_text(s, 2, waiting_for);
        db_bind_text(s, 3, why);
    } else {
        db_bind_null(s, 2);
        db_bind_null(s, 3);
    }
    db_bind_int(s, 4, waiting_for ? attempts + 1 : 0);
    db_bind_int(s, 5, waiting_for ? now + (delay < BACKOFF_MAX ? delay : BACKOFF_MAX) : 0);
    db_bind_int(s, 6, now);
    db_bind_text(s, 7, d->reference);
    db_bind_int(s, 8, d->generation);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

/* Ask what is still missing about one person; PC_EUNAVAIL stops the round. */
static int gather_person(struct db *db, const struct social_source *src, const struct due *due,
                         const struct case_app *app, const char *fin,
                         const struct social_item *items, size_t nitems, struct pc_arena *a, enum social_reg *failed,
                         struct pc_err *err)
{
    for (int k = 0; k < SOCIAL_REG_COUNT; k++) {
        const struct social_item *it = have(items, nitems, fin, (enum social_reg)k);
        if (it) {
            if (k == SOCIAL_REG_POPULATION && !it->found)
                return 0; /* not in the register: the others know nobody by that FİN either */
            continue;
        }
        struct social_record rec;
        int rc = src->fetch(src->ctx, (enum social_reg)k, fin, app->reference, app->applicant_fin, a, &rec, err);
        if (rc == PC_EINVAL)
            return 0; /* not a FİN: nothing to ask (the difference is shown from the declaration) */
        if (rc == PC_ENOTFOUND && social_reg_optional((enum social_reg)k))
            continue; /* a kind this portal's source does not name */
        if (rc) {
            *failed = (enum social_reg)k;
            return rc;
        }
        if ((rc = store(db, due, fin, (enum social_reg)k, &rec, err)))
            return rc;
        if (k == SOCIAL_REG_POPULATION && !rec.found)
            return 0;
    }
    return 0;
}

/* One round for a case: 0 unless the database failed (a registry that is
 * down is the case's state, not the job's error). */
static int gather_case(struct db *db, const struct social_source *src, const struct due *due, int64_t now,
                       struct pc_err *err)
{
    const char *reference = due->reference;
    struct pc_arena a;
    pc_arena_init(&a);
    struct case_app app;
    int rc = case_load(db, &a, reference, &app, err);
    if (rc) {
        pc_arena_release(&a);
        return rc;
    }
    json_t *answers = form_answers_json(app.answers);
    pc_arena_defer(&a, social_json_release, answers);
    struct social_declaration d;
    social_declaration_read(&a, app.applicant_fin, answers, &d);
    struct social_item *items;
    size_t nitems;
    struct db_conn *c = db_conn_get(db, err);
    rc = c ? social_items_load(c, &a, reference, &items, &nitems, err) : err->code;
    enum social_reg failed = SOCIAL_REG_POPULATION;
    int frc = rc ? rc : app.applicant_fin ? gather_person(db, src, due, &app, app.applicant_fin, items, nitems, &a, &failed, err) : 0;
    for (size_t i = 0; !frc && i < d.n; i++)
        if (d.members[i].fin)
            frc = gather_person(db, src, due, &app, d.members[i].fin, items, nitems, &a, &failed, err);
    if (frc == PC_EUNAVAIL) {
        pc_log(PC_LOG_WARN, "social.registry_down", "case", reference, "registry", social_reg_name(failed), "msg",
               err->msg, NULL);
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        rc = set_state(db, due, social_reg_name(failed), why, now, err);
    } else if (frc) {
        rc = frc;
    } else {
        rc = set_state(db, due, NULL, NULL, now, err);
    }
    pc_arena_release(&a);
    return rc;
}

/* Take the VEMTAS cases submitted since the newest taken (the agency's
 * inbox, newest first, page by page down to it). */
static int discover(struct db *db, struct pc_arena *a, int64_t now, struct pc_err *err)
{
    struct cat_service svc;
    int rc = cat_get_service(db, a, SOCIAL_SERVICE, &svc, err);
    if (rc)
        return rc == PC_ENOTFOUND ? 0 : rc; /* no such service in this catalogue: nothing to take */
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT MAX(submitted_at) FROM social_cases", err) : NULL;
    if (!s)
        return err->code ? err->code : PC_EUNAVAIL;
    if ((rc = db_step(s, err)) < 0)
        return rc;
    int64_t newest = db_col_is_null(s, 0) ? 0 : db_col_int(s, 0);
    db_conn_idle(c);
    struct case_filter f = {.agency_id = svc.agency_id, .service_id = SOCIAL_SERVICE, .limit = 100};
    for (int page = 0; page < DISCOVER_PAGES; page++) {
        struct case_list l;
        if ((rc = case_list(db, a, &f, &l, err)))
            return rc;
        bool older = false;
        for (size_t i = 0; i < l.n; i++) {
            if (l.items[i].submitted_at < newest) {
                older = true;
                break;
            }
            s = db_prepare(c,
                           "INSERT INTO social_cases (reference, submitted_at, state, next_try_at, updated_at) "
                           "VALUES (?, ?, 'pending', 0, ?) ON CONFLICT (reference) DO NOTHING",
                           err);
            if (!s)
                return err->code;
            db_bind_text(s, 1, l.items[i].reference);
            db_bind_int(s, 2, l.items[i].submitted_at);
            db_bind_int(s, 3, now);
            int64_t n = db_run(s, err);
            if (n < 0)
                return (int)n;
        }
        if (older || !l.next)
            break;
        f.cursor = l.next;
    }
    return 0;
}

int social_gather_due(struct db *db, const struct social_source *src, int64_t now, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    int rc = discover(db, &a, now, err);
    struct db_conn *c = rc ? NULL : db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
                                       "SELECT reference, attempts, generation FROM social_cases WHERE state <> 'complete' AND next_try_at <= ? "
                                       "ORDER BY next_try_at, reference LIMIT ?",
                                       err)
                          : NULL;
    struct due due[DUE_PER_STEP];
    size_t n = 0;
    if (s) {
        db_bind_int(s, 1, now);
        db_bind_int(s, 2, DUE_PER_STEP);
        while (n < DUE_PER_STEP && (rc = db_step(s, err)) == 1)
            due[n++] = (struct due){pc_arena_strdup(&a, db_col_text(s, 0)), (int)db_col_int(s, 1), db_col_int(s, 2)};
        db_conn_idle(c);
    } else if (!rc) {
        rc = err->code ? err->code : PC_EUNAVAIL;
    }
    /* one case that fails does not hold up the others: it is logged and
     * tried again next round; the step fails with the last such error */
    int failed = 0;
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        int crc = gather_case(db, src, &due[i], now, err);
        if (crc) {
            pc_log(PC_LOG_WARN, "social.case_failed", "case", due[i].reference, "code", pc_errcode_name(crc), "msg", err->msg,
                   NULL);
            failed = crc;
        }
    }
    pc_arena_release(&a);
    return rc < 0 ? rc : failed;
}

static int job_step(struct db *db, void *ctx, bool fresh, struct pc_err *err);

struct social_job {
    struct db_job *job;
    const struct social_source *src;
    int recheck_secs;
};

struct social_job *social_job_start(struct db *db, const struct social_source *src, int interval_ms,
                                    int recheck_secs, struct pc_err *err)
{
    if (!src)
        return NULL;
    struct social_job *j = calloc(1, sizeof *j);
    if (!j)
        abort(); /* out of memory: the stated policy */
    *j = (struct social_job){NULL, src, recheck_secs};
    if (!(j->job = db_job_start(db, "social.evidence", interval_ms, 30, job_step, j, err))) {
        free(j);
        return NULL;
    }
    return j;
}

void social_job_stop(struct social_job *j)
{
    if (!j)
        return;
    db_job_stop(j->job);
    free(j);
}

static int job_step(struct db *db, void *ctx, bool fresh, struct pc_err *err)
{
    (void)fresh; /* every round starts from the tables: nothing is left half done */
    const struct social_job *j = ctx;
    int64_t now = pc_now_unix();
    int started, rc = social_reassess_due(db, now, &started, err);
    if (!rc)
        rc = social_gather_due(db, j->src, now, err);
    return rc ? rc : social_recheck_due(db, j->src, now, j->recheck_secs, err);
}

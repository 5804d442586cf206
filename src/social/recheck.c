/* recheck.c — while granted assistance is paid, the registries are asked
 * again about the household (every recheck interval, by the evidence
 * job): a member the population register now records as dead, or a
 * contract of employment started on or after the decision's day,
 * suspends the payments not yet sent to the bank, and the officer sees
 * why.  The fresh answers replace the case's evidence.  Audited
 * (social.suspend, by "system").  Once the officer has lifted a
 * suspension (grant.c), only changes dated from that day on count; an
 * ended grant is not asked about. */
#include "internal.h"
#include "../audit/audit.h"

#include <stdio.h>
#include <string.h>

#define PER_ROUND 20
#define RETRY_SECS 60

static const char *const change_names[SOCIAL_CHANGE_COUNT] = {"", "death", "employment"};

const char *social_change_name(enum social_change c)
{
    return (unsigned)c < SOCIAL_CHANGE_COUNT ? change_names[c] : "?";
}

struct grant {
    const char *reference, *decided_day;   /* the day changes count from: the decision's, or the resumption's */
    bool resumed;
};

/* Replace one answer of the evidence. */
static int keep(struct db_conn *c, const char *reference, const char *fin, enum social_reg k,
                const struct social_record *rec, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "DELETE FROM social_evidence WHERE reference = ? AND person = ? AND kind = ?", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, reference);
    db_bind_text(s, 2, fin);
    db_bind_text(s, 3, social_reg_name(k));
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    s = db_prepare(c,
                   "INSERT INTO social_evidence (reference, person, kind, source, fetched_at, found, data) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, reference);
    db_bind_text(s, 2, fin);
    db_bind_text(s, 3, social_reg_name(k));
    db_bind_text(s, 4, rec->service);
    db_bind_int(s, 5, rec->fetched_at);
    db_bind_int(s, 6, rec->found);
    db_bind_text(s, 7, rec->data);
    n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

/* What the answer says changed since day: *kind and *since set. */
static void change_of(struct pc_arena *a, enum social_reg k, const struct social_record *rec, const char *day,
                      bool resumed, enum social_change *kind, const char **since)
{
    json_t *j = rec->found ? json_loads(rec->data, 0, NULL) : NULL;
    if (!j)
        return;
    pc_arena_defer(a, social_json_release, j);
    const char *died = json_string_value(json_object_get(j, "death_date"));
    if (k == SOCIAL_REG_POPULATION && died && (!resumed || strcmp(died, day) >= 0)) {
        *kind = SOCIAL_CHANGE_DEATH;
        *since = pc_arena_strdup(a, json_string_value(json_object_get(j, "death_date")));
        return;
    }
    size_t i;
    json_t *v;
    if (k == SOCIAL_REG_EMPLOYMENT)
        json_array_foreach(json_object_get(j, "contracts"), i, v) {
            const char *start = json_string_value(json_object_get(v, "started_at"));
            if (json_is_null(json_object_get(v, "ended_at")) && start && strcmp(start, day) >= 0 && !*kind) {
                *kind = SOCIAL_CHANGE_EMPLOYMENT;
                *since = pc_arena_strdup(a, start);
            }
        }
}

static int suspend(struct db *db, const char *reference, enum social_change kind, const char *fin, const char *since,
                   int64_t now, struct pc_err *err)
{
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c,
                                   "UPDATE social_grants SET suspended_at = ?, suspended_kind = ?, suspended_fin = ?, "
                                   "suspended_since = ? WHERE reference = ? AND suspended_at IS NULL",
                                   err);
    if (s) {
        db_bind_int(s, 1, now);
        db_bind_text(s, 2, social_change_name(kind));
        db_bind_text(s, 3, fin);
        db_bind_text(s, 4, since);
        db_bind_text(s, 5, reference);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : 0;
    } else {
        rc = err->code;
    }
    if (!rc && (s = db_prepare(c, "UPDATE social_payments SET status = 'suspended', updated_at = ? "
                                  "WHERE reference = ? AND status = 'scheduled'",
                               err))) {
        db_bind_int(s, 1, now);
        db_bind_text(s, 2, reference);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : 0;
    } else if (!rc) {
        rc = err->code;
    }
    char detail[96];
    snprintf(detail, sizeof detail, "%s of %s since %s", social_change_name(kind), fin, since);
    return audit_end(c, rc, &(struct audit_entry){"system", "system", "social.suspend", "application", reference, "",
                                                  detail},
                     err);
}

static int checked(struct db *db, const char *reference, int64_t at, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "UPDATE social_grants SET checked_at = ? WHERE reference = ?", err) : NULL;
    if (!s)
        return err->code ? err->code : PC_EUNAVAIL;
    db_bind_int(s, 1, at);
    db_bind_text(s, 2, reference);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

/* One granted case: every person asked for their population record and
 * contracts; the first change found suspends. */
static int recheck(struct db *db, const struct social_source *src, const struct grant *g, int64_t now, int every,
                   struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct case_app app;
    int rc = case_load(db, &a, g->reference, &app, err);
    if (rc) {
        pc_arena_release(&a);
        return rc;
    }
    json_t *answers = form_answers_json(app.answers);
    pc_arena_defer(&a, social_json_release, answers);
    struct social_declaration d;
    social_declaration_read(&a, app.applicant_fin, answers, &d);
    enum social_change kind = SOCIAL_CHANGE_NONE;
    const char *since = NULL, *who = NULL;
    bool down = false;
    static const enum social_reg asked[] = {SOCIAL_REG_POPULATION, SOCIAL_REG_EMPLOYMENT};
    for (size_t i = 0; !rc && !down && i <= d.n; i++) {
        const char *fin = i ? d.members[i - 1].fin : d.applicant_fin;
        for (size_t k = 0; fin && !rc && !down && k < 2; k++) {
            struct social_record rec;
            int frc = src->fetch(src->ctx, asked[k], fin, g->reference, app.applicant_fin, &a, &rec, err);
            if (frc == PC_EINVAL)
                break;
            if (frc) {
                down = true; /* asked again in a minute */
                break;
            }
            struct db_conn *c = db_conn_get(db, err);
            rc = c ? keep(c, g->reference, fin, asked[k], &rec, err) : err->code;
            enum social_change before = kind;
            change_of(&a, asked[k], &rec, g->decided_day, g->resumed, &kind, &since);
            if (kind != before)
                who = fin;
        }
    }
    if (!rc && kind != SOCIAL_CHANGE_NONE)
        rc = suspend(db, g->reference, kind, who, since, now, err);
    if (!rc)
        rc = checked(db, g->reference, down ? now - every + RETRY_SECS : now, err);
    pc_arena_release(&a);
    return rc;
}

int social_recheck_due(struct db *db, const struct social_source *src, int64_t now, int every_secs,
                       struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
                                       "SELECT reference, COALESCE(resumed_at, decided_at), resumed_at FROM social_grants "
                                       "WHERE outcome = 'granted' AND suspended_at IS NULL AND ended_at IS NULL AND "
                                       "COALESCE(checked_at, decided_at) <= ? "
                                       "ORDER BY COALESCE(checked_at, decided_at), reference LIMIT ?",
                                       err)
                          : NULL;
    if (!s) {
        pc_arena_release(&a);
        return err->code ? err->code : PC_EUNAVAIL;
    }
    db_bind_int(s, 1, now - every_secs);
    db_bind_int(s, 2, PER_ROUND);
    struct grant due[PER_ROUND];
    size_t n = 0;
    int rc;
    while (n < PER_ROUND && (rc = db_step(s, err)) == 1) {
        char day[21];
        pc_rfc3339(db_col_int(s, 1), day);
        day[10] = '\0';
        due[n++] = (struct grant){pc_arena_strdup(&a, db_col_text(s, 0)), pc_arena_strdup(&a, day),
                                  !db_col_is_null(s, 2)};
    }
    db_conn_idle(c);
    for (size_t i = 0; rc >= 0 && i < n; i++)
        rc = recheck(db, src, &due[i], now, every_secs, err);
    pc_arena_release(&a);
    return rc < 0 ? rc : 0;
}

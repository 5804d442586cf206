/* feedback.c — ratings and comments per service: given from the service
 * page or after a decision on one's own application (one per person,
 * service and source; again replaces it), comments moderated by the
 * operators before anyone sees them, the rating counts of a service, and
 * the aggregates per service that the monitoring pages read. */
#include "internal.h"
#include "../cases/cases.h"

#include <string.h>

static const char *const fb_states[] = {"published", "pending", "hidden"};

const char *part_feedback_state_name(enum part_feedback_state s)
{
    return (unsigned)s < PART_FB_COUNT ? fb_states[s] : "unknown";
}

static enum part_feedback_state fb_state_parse(const char *s)
{
    for (int i = 0; i < PART_FB_COUNT; i++)
        if (pc_str_eq(s, fb_states[i]))
            return (enum part_feedback_state)i;
    return PART_FB_HIDDEN;
}

/* The application reference is one's own and decided. */
static int check_source(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *service,
                        const char *reference, struct pc_err *err)
{
    struct case_app app;
    if (strlen(reference) > 40)
        return pc_err_set(err, PC_ENOTFOUND, "no such application");
    int rc = case_load(db, a, reference, &app, err);
    if (rc)
        return rc;
    if (!app.reference || strcmp(app.reference, reference) != 0 || !pc_str_eq(app.applicant_fin, who->fin) ||
        !pc_str_eq(app.service_id, service))
        return pc_err_set(err, PC_ENOTFOUND, "no such application of yours for this service");
    if (!case_state_decided(app.status))
        return pc_err_set(err, PC_ECONFLICT, "an application is rated once it is decided");
    return 0;
}

int part_feedback_give(struct db *db, const struct id_principal *who, const char *service, const char *reference,
                       int rating, const char *comment, enum pc_lang lang, const char *ip, struct pc_err *err)
{
    int role = id_authorize_role(who, ID_ACT_VOTE, NULL);
    if (role < 0)
        return pc_err_set(err, PC_EDENIED, "a person rates from their own citizen account");
    if (rating < 1 || rating > 5)
        return pc_err_set(err, PC_EINVAL, "rating is 1 to 5");
    int rc = part_string_check(comment, PART_COMMENT_MAX, true, true, "comment", err);
    if (rc)
        return rc;
    struct pc_arena a;
    pc_arena_init(&a);
    const char *agency;
    rc = part_service_agency(db, &a, service, &agency, err);
    if (!rc && reference && *reference)
        rc = check_source(db, &a, who, service, reference, err);
    struct db_conn *c = NULL;
    if (!rc)
        rc = audit_begin(db, &c, err);
    if (rc) {
        pc_arena_release(&a);
        return rc;
    }
    char id[33];
    part_new_id(id, 16);
    int64_t now = pc_now_unix();
    bool has_comment = comment && *comment;
    struct db_stmt *s = db_prepare(c, "INSERT INTO feedback(id, service_id, agency_id, fin, source, rating, comment,"
                                      " lang, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                      " ON CONFLICT (fin, service_id, source) DO UPDATE SET rating = excluded.rating,"
                                      " comment = excluded.comment, lang = excluded.lang, state = excluded.state,"
                                      " updated_at = excluded.updated_at", err);
    if (!s) {
        rc = part_failed(err);
    } else {
        const char *t[] = {id, service, agency, who->fin, reference ? reference : ""};
        for (int i = 0; i < 5; i++)
            db_bind_text(s, i + 1, t[i]);
        db_bind_int(s, 6, rating);
        if (has_comment)
            db_bind_text(s, 7, comment);
        else
            db_bind_null(s, 7);
        db_bind_text(s, 8, pc_lang_code(lang));
        db_bind_text(s, 9, part_feedback_state_name(has_comment ? PART_FB_PENDING : PART_FB_PUBLISHED));
        db_bind_int(s, 10, now);
        db_bind_int(s, 11, now);
        rc = part_ran(db_run(s, err));
    }
    struct audit_entry e = part_audit(who, role, "feedback.give", "service", service, ip, NULL);
    rc = audit_end(c, rc, &e, err);
    pc_arena_release(&a);
    return rc;
}

int part_feedback_list(struct db *db, struct pc_arena *a, const char *service, enum part_feedback_state state,
                       struct part_feedback **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, PART_FEEDBACK_LIST_MAX, sizeof **out);
    struct db_query q;
    db_query_init(&q);
    db_query_sql(&q, "SELECT id, service_id, source, rating, comment, lang, state, updated_at FROM feedback"
                     " WHERE comment IS NOT NULL");
    db_query_text(&q, " AND state = ?", part_feedback_state_name(state));
    if (service)
        db_query_text(&q, " AND service_id = ?", service);
    db_query_sql(&q, state == PART_FB_PENDING ? " ORDER BY updated_at, id" : " ORDER BY updated_at DESC, id");
    db_query_int(&q, " LIMIT ?", PART_FEEDBACK_LIST_MAX);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_query_prepare(c, &q, err) : NULL;
    db_query_release(&q);
    if (!s)
        return part_failed(err);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        struct part_feedback *f = &(*out)[(*n)++];
        f->id = pc_arena_strdup(a, db_col_text(s, 0));
        f->service_id = pc_arena_strdup(a, db_col_text(s, 1));
        f->source = pc_arena_strdup(a, db_col_text(s, 2));
        f->rating = (int)db_col_int(s, 3);
        f->comment = pc_arena_strdup(a, db_col_text(s, 4));
        f->lang = pc_arena_strdup(a, db_col_text(s, 5));
        f->state = fb_state_parse(db_col_text(s, 6));
        f->updated_at = db_col_int(s, 7);
    }
    return rc < 0 ? rc : 0;
}

int part_feedback_moderate(struct db *db, const struct id_principal *who, const char *id, bool publish,
                           const char *ip, struct pc_err *err)
{
    int role = id_authorize_role(who, ID_ACT_MODERATE, NULL);
    if (role < 0)
        return pc_err_set(err, PC_EDENIED, "only operators moderate comments");
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "UPDATE feedback SET state = ?, moderated_by = ?, moderated_at = ?"
                                      " WHERE id = ? AND comment IS NOT NULL", err);
    if (!s) {
        rc = part_failed(err);
    } else {
        db_bind_text(s, 1, part_feedback_state_name(publish ? PART_FB_PUBLISHED : PART_FB_HIDDEN));
        db_bind_text(s, 2, who->account_id);
        db_bind_int(s, 3, pc_now_unix());
        db_bind_text(s, 4, id ? id : "");
        int64_t changed = db_run(s, err);
        rc = changed == 1 ? 0 : changed == 0 ? pc_err_set(err, PC_ENOTFOUND, "no such comment") : (int)changed;
    }
    struct audit_entry e = part_audit(who, role, publish ? "feedback.publish" : "feedback.hide", "feedback", id, ip,
                                      NULL);
    return audit_end(c, rc, &e, err);
}

int part_service_ratings(struct db *db, const char *service, struct part_rating_stats *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT rating, COUNT(*) FROM feedback WHERE service_id = ?"
                                          " GROUP BY rating", err) : NULL;
    if (!s)
        return part_failed(err);
    db_bind_text(s, 1, service);
    int rc;
    int64_t sum = 0;
    while ((rc = db_step(s, err)) == 1) {
        int64_t r = db_col_int(s, 0);
        if (r >= 1 && r <= 5) {
            out->count[r - 1] = db_col_int(s, 1);
            out->total += out->count[r - 1];
            sum += r * out->count[r - 1];
        }
    }
    out->average = out->total ? (double)sum / (double)out->total : 0;
    return rc < 0 ? rc : 0;
}

/* ---- aggregates ------------------------------------------------------------ */

static struct part_service_feedback *entry(struct pc_arena *a, struct part_service_feedback *list, size_t *n,
                                           const char *service, const char *agency)
{
    for (size_t i = 0; i < *n; i++) /* newest first: rows come by service, so it is usually the last */
        if (strcmp(list[*n - 1 - i].service_id, service) == 0)
            return &list[*n - 1 - i];
    if (*n == PART_AGGREGATE_MAX)
        return NULL;
    struct part_service_feedback *f = &list[(*n)++];
    memset(f, 0, sizeof *f);
    f->service_id = pc_arena_strdup(a, service);
    f->agency_id = pc_arena_strdup(a, agency);
    return f;
}

int part_feedback_by_service(struct db *db, struct pc_arena *a, int64_t since, int64_t until,
                             struct part_service_feedback **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, PART_AGGREGATE_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT service_id, agency_id, rating, COUNT(*),"
                                          " SUM(CASE WHEN state = 'published' AND comment IS NOT NULL THEN 1 ELSE 0 END)"
                                          " FROM feedback WHERE updated_at >= ? AND updated_at < ?"
                                          " GROUP BY service_id, agency_id, rating ORDER BY service_id", err) : NULL;
    if (!s)
        return part_failed(err);
    db_bind_int(s, 1, since);
    db_bind_int(s, 2, until);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        struct part_service_feedback *f = entry(a, *out, n, db_col_text(s, 0), db_col_text(s, 1));
        int64_t r = db_col_int(s, 2);
        if (f && r >= 1 && r <= 5) {
            f->ratings[r - 1] += db_col_int(s, 3);
            f->comments += db_col_int(s, 4);
        }
    }
    if (rc < 0)
        return rc;
    if (!(s = db_prepare(c, "SELECT service_id, agency_id, kind, COUNT(*),"
                            " SUM(CASE WHEN state = 'answered' THEN 1 ELSE 0 END),"
                            " SUM(CASE WHEN state = 'open' AND due_at < ? THEN 1 ELSE 0 END)"
                            " FROM complaints WHERE created_at >= ? AND created_at < ?"
                            " GROUP BY service_id, agency_id, kind ORDER BY service_id", err)))
        return part_failed(err);
    db_bind_int(s, 1, pc_now_unix());
    db_bind_int(s, 2, since);
    db_bind_int(s, 3, until);
    while ((rc = db_step(s, err)) == 1) {
        struct part_service_feedback *f = entry(a, *out, n, db_col_text(s, 0), db_col_text(s, 1));
        int k = part_complaint_kind_parse(db_col_text(s, 2));
        if (!f)
            continue;
        f->complaints += db_col_int(s, 3);
        f->answered += db_col_int(s, 4);
        f->overdue += db_col_int(s, 5);
        if (k >= 0)
            f->by_kind[k] += db_col_int(s, 3);
    }
    return rc < 0 ? rc : 0;
}

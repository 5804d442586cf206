/* inbox.c — lists of applications: an applicant's own ("my
 * applications", newest first by creation) and an agency's inbox (newest
 * first by submission, filtered by state, service, assignee, overdue and
 * dates), paged with a keyset cursor so a page costs the same at case
 * 100,000 as at case 1. */
#include "internal.h"

#include <string.h>

/* The cursor: "<sort key>:<id>" in base64url, opaque to clients. */
static int parse_cursor(const char *cursor, int64_t *ts, char id[40], struct pc_err *err)
{
    char raw[80];
    long n = pc_b64url_decode(cursor, strlen(cursor), raw, sizeof raw - 1);
    char *colon = n > 0 ? (raw[n] = 0, strchr(raw, ':')) : NULL;
    long long v;
    if (!colon || (*colon = 0, pc_parse_int(raw, 0, INT64_MAX, &v)) || strlen(colon + 1) != 32)
        return pc_err_set(err, PC_EINVAL, "the cursor is not one this server gave out");
    *ts = v;
    snprintf(id, 40, "%s", colon + 1);
    return 0;
}

static const char *make_cursor(struct pc_arena *a, int64_t ts, const char *id)
{
    char raw[80], *enc = pc_arena_alloc(a, 120);
    int len = snprintf(raw, sizeof raw, "%lld:%s", (long long)ts, id);
    pc_b64url_encode(raw, (size_t)len, enc);
    return enc;
}

/* One list's conditions; state: one state (-1: any, or for an overdue
 * inbox every open one). */
static void add_where(struct db_query *q, const struct case_filter *f, int state, int64_t now, int64_t after_ts,
                      const char *after_id)
{
    bool inbox = f->agency_id != NULL;
    if (inbox) {
        db_query_text(q, " WHERE agency_id = ?", f->agency_id);
        if (state < 0)
            db_query_text(q, " AND status <> ?", case_state_name(CS_DRAFT));
    } else {
        db_query_text(q, " WHERE applicant = ?", f->applicant);
    }
    if (state >= 0)
        db_query_text(q, " AND status = ?", case_state_name((enum case_state)state));
    if (f->service_id)
        db_query_text(q, " AND service_id = ?", f->service_id);
    if (f->assigned_to)
        db_query_text(q, " AND assigned_to = ?", f->assigned_to);
    if (f->overdue)
        db_query_int(q, " AND due_at < ?", now);
    if (f->overdue && inbox && state >= 0) {
        /* nothing submitted within the shortest time a case of this state
         * was given can be overdue yet: the scan starts where overdue
         * cases can begin (the minimum comes from applications_lead) */
        db_query_int(q, " AND submitted_at <= ?", now);
        db_query_text(q, " - (SELECT MIN(due_at - submitted_at) FROM applications WHERE agency_id = ?", f->agency_id);
        db_query_text(q, " AND status = ?)", case_state_name((enum case_state)state));
    }
    /* the sort key: newest first, by submission (inbox) or creation (mine) */
    if (f->cursor) {
        db_query_int(q, inbox ? " AND (submitted_at < ?" : " AND (created_at < ?", after_ts);
        db_query_int(q, inbox ? " OR (submitted_at = ?" : " OR (created_at = ?", after_ts);
        db_query_text(q, " AND id < ?))", after_id);
    }
    db_query_int(q, inbox ? " ORDER BY submitted_at DESC, id DESC LIMIT ?" : " ORDER BY created_at DESC, id DESC LIMIT ?",
                 f->limit + 1);
}

/* The statement of a list.  An overdue inbox of any state is the newest of
 * each open state's newest (UNION ALL of one ordered range per state):
 * closed cases, which pile up for ever, are never read, and cases not yet
 * due are skipped (migration 011). */
static void build(struct db_query *q, const struct case_filter *f, int64_t now, int64_t after_ts,
                  const char *after_id)
{
    if (!(f->agency_id && f->overdue && !f->by_status)) {
        db_query_sql(q, "SELECT " CASE_ROW_COLUMNS " FROM applications");
        add_where(q, f, f->by_status ? (int)f->status : -1, now, after_ts, after_id);
        return;
    }
    db_query_sql(q, "SELECT " CASE_ROW_COLUMNS " FROM (");
    int n = 0;
    for (int s = 0; s < CS_COUNT; s++) {
        if (!case_state_open((enum case_state)s))
            continue;
        char alias[24];
        snprintf(alias, sizeof alias, ") AS open%d", s);
        db_query_sql(q, n++ ? " UNION ALL SELECT " CASE_ROW_COLUMNS " FROM (SELECT " CASE_ROW_COLUMNS " FROM applications"
                            : "SELECT " CASE_ROW_COLUMNS " FROM (SELECT " CASE_ROW_COLUMNS " FROM applications");
        add_where(q, f, s, now, after_ts, after_id);
        db_query_sql(q, alias);
    }
    db_query_int(q, ") AS overdue ORDER BY submitted_at DESC, id DESC LIMIT ?", f->limit + 1);
}

int case_list(struct db *db, struct pc_arena *a, const struct case_filter *f, struct case_list *out,
              struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (f->limit < 1 || f->limit > 100)
        return pc_err_set(err, PC_EINVAL, "limit must be from 1 to 100");
    if (f->by_status && (unsigned)f->status >= CS_COUNT)
        return pc_err_set(err, PC_EINVAL, "unknown status");
    if (!f->applicant == !f->agency_id)
        return pc_err_set(err, PC_EINVAL, "list either an applicant's or an agency's applications");
    int64_t after_ts = 0;
    char after_id[40] = "";
    if (f->cursor && parse_cursor(f->cursor, &after_ts, after_id, err))
        return PC_EINVAL;
    if (f->by_status && ((f->overdue && !case_state_open(f->status)) || (f->agency_id && f->status == CS_DRAFT)))
        return 0; /* a closed case is never overdue; a draft is never in an inbox */
    struct db_query q;
    db_query_init(&q);
    build(&q, f, pc_now_unix(), after_ts, after_id);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_query_prepare(c, &q, err) : NULL;
    db_query_release(&q);
    if (!s)
        return case_err(err);
    out->items = pc_arena_array(a, (size_t)f->limit + 1, sizeof *out->items);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if ((int)out->n == f->limit) {
            const struct case_app *last = &out->items[out->n - 1];
            out->next = make_cursor(a, f->agency_id ? last->submitted_at : last->created_at, last->id);
            break;
        }
        case_read_app(a, s, &out->items[out->n++], false);
    }
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

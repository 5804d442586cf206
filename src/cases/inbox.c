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

/* The states an overdue case may be in: those still waiting for someone. */
static void add_open_states(struct db_query *q)
{
    const char *sep = " AND status IN (?";
    for (int s = 0; s < CS_COUNT; s++) {
        if (!case_state_open((enum case_state)s))
            continue;
        db_query_text(q, sep, case_state_name((enum case_state)s));
        sep = ", ?";
    }
    db_query_sql(q, ")");
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
    bool inbox = f->agency_id != NULL;
    struct db_query q;
    db_query_init(&q);
    db_query_sql(&q, "SELECT " CASE_APP_COLUMNS " FROM applications");
    if (inbox) {
        db_query_text(&q, " WHERE agency_id = ?", f->agency_id);
        db_query_text(&q, " AND status <> ?", case_state_name(CS_DRAFT));
    } else {
        db_query_text(&q, " WHERE applicant = ?", f->applicant);
    }
    if (f->by_status)
        db_query_text(&q, " AND status = ?", case_state_name(f->status));
    if (f->service_id)
        db_query_text(&q, " AND service_id = ?", f->service_id);
    if (f->assigned_to)
        db_query_text(&q, " AND assigned_to = ?", f->assigned_to);
    if (f->overdue) {
        db_query_int(&q, " AND due_at < ?", pc_now_unix());
        add_open_states(&q);
    }
    /* the sort key: newest first, by submission (inbox) or creation (mine) */
    if (f->from)
        db_query_int(&q, inbox ? " AND submitted_at >= ?" : " AND created_at >= ?", f->from);
    if (f->to)
        db_query_int(&q, inbox ? " AND submitted_at < ?" : " AND created_at < ?", f->to);
    if (f->cursor) {
        db_query_int(&q, inbox ? " AND (submitted_at < ?" : " AND (created_at < ?", after_ts);
        db_query_int(&q, inbox ? " OR (submitted_at = ?" : " OR (created_at = ?", after_ts);
        db_query_text(&q, " AND id < ?))", after_id);
    }
    db_query_int(&q, inbox ? " ORDER BY submitted_at DESC, id DESC LIMIT ?" : " ORDER BY created_at DESC, id DESC LIMIT ?",
                 f->limit + 1);
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
            out->next = make_cursor(a, inbox ? last->submitted_at : last->created_at, last->id);
            break;
        }
        case_read_app(a, s, &out->items[out->n++], false);
    }
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

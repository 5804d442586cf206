/* usage.c — usage statistics kept as aggregates (mon_usage_day and
 * mon_usage_month; no person, account or address is stored).  Requests
 * count into a small table in memory beside the database handle (one
 * mutex, no database write per request); a flush adds the counts of at
 * least every MON_USAGE_FLUSH_SECONDS to both tables in one transaction,
 * so several nodes simply add up.  A period of whole months is answered
 * from the month table (a year: at most 12 rows a service), any other
 * from the day table. */
#include "internal.h"
#include "../catalog/catalog.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MON_DB_SLOT 3                 /* db_slot of the counters */
_Static_assert(MON_DB_SLOT < DB_SLOTS, "a db slot of its own");
#define SLOTS 4096                    /* distinct (day, service, metric) between two flushes */

static const char *const metric_names[MON_USE_COUNT] = {"view", "start", "search"};

const char *mon_metric_name(enum mon_metric m)
{
    return (unsigned)m < MON_USE_COUNT ? metric_names[m] : "";
}

static int metric_parse(const char *s)
{
    for (int i = 0; s && i < MON_USE_COUNT; i++)
        if (strcmp(s, metric_names[i]) == 0)
            return i;
    return -1;
}

/* ---- counting -------------------------------------------------------------- */

struct slot {
    char day[11];
    char service[64];                 /* "" portal-wide */
    enum mon_metric metric;
    int64_t count;                    /* 0: free */
};

struct counters {
    pthread_mutex_t lock;
    int64_t last_flush;
    size_t used;
    struct slot slots[SLOTS];
};

static void *counters_make(struct db *db)
{
    (void)db;
    struct counters *c = calloc(1, sizeof *c);
    if (!c)
        pc_oom(sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->last_flush = pc_now_unix();
    return c;
}

static void counters_free(void *p)
{
    struct counters *c = p;
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static struct counters *counters_of(struct db *db)
{
    return db_slot(db, MON_DB_SLOT, counters_make, counters_free);
}

static uint32_t hash(const char *day, const char *service, enum mon_metric m)
{
    uint32_t h = 2166136261u ^ (uint32_t)m;
    for (const char *p = day; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    for (const char *p = service; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

static void day_of(int64_t now, char day[11])
{
    char t[32];
    pc_rfc3339(now, t);
    memcpy(day, t, 10);
    day[10] = 0;
}

void mon_usage_count(struct db *db, enum mon_metric m, const char *service, int64_t now)
{
    if ((unsigned)m >= MON_USE_COUNT)
        return;
    if (!service)
        service = "";
    if (strlen(service) >= sizeof ((struct slot *)0)->service)
        return; /* not a catalogue id: nothing to count */
    char day[11];
    day_of(now, day);
    struct counters *c = counters_of(db);
    pthread_mutex_lock(&c->lock);
    for (uint32_t i = hash(day, service, m) % SLOTS, tries = 0; tries < SLOTS; i = (i + 1) % SLOTS, tries++) {
        struct slot *s = &c->slots[i];
        if (s->count && s->metric == m && strcmp(s->day, day) == 0 && strcmp(s->service, service) == 0) {
            s->count++;
            break;
        }
        if (!s->count) {
            if (c->used >= SLOTS * 3 / 4)
                break; /* full until the next flush (which the caller is due for): this one is not counted */
            memcpy(s->day, day, sizeof s->day);
            snprintf(s->service, sizeof s->service, "%s", service);
            s->metric = m;
            s->count = 1;
            c->used++;
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
}

static int upsert(struct db_conn *conn, const char *table, const char *col, const char *when, const char *service,
                  const char *agency, enum mon_metric m, int64_t n, struct pc_err *err)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO %s(%s, service_id, agency_id, metric, count) VALUES (?, ?, ?, ?, ?) "
             "ON CONFLICT(%s, service_id, metric) DO UPDATE SET count = %s.count + excluded.count",
             table, col, col, table);
    struct db_stmt *s = db_prepare(conn, sql, err);
    if (!s)
        return err->code ? err->code : PC_EIO;
    db_bind_text(s, 1, when);
    db_bind_text(s, 2, service);
    db_bind_text(s, 3, agency);
    db_bind_text(s, 4, mon_metric_name(m));
    db_bind_int(s, 5, n);
    int64_t r = db_run(s, err);
    return r < 0 ? (int)r : 0;
}

/* The agency of a service, from the catalogue ("" when it is not there). */
static const char *agency_of(struct db *db, struct pc_arena *a, const char *service)
{
    if (!*service)
        return "";
    struct cat_service s;
    struct pc_err err = {0};
    return cat_get_service(db, a, service, &s, &err) == 0 ? s.agency_id : "";
}

int mon_usage_flush(struct db *db, int64_t now, bool force, struct pc_err *err)
{
    int visits = mon__visits_flush(db, now, force, err); /* visits.c's counts, on the same beat */
    struct counters *c = counters_of(db);
    pthread_mutex_lock(&c->lock);
    if (!c->used || (!force && now - c->last_flush < MON_USAGE_FLUSH_SECONDS && c->used < SLOTS / 2)) {
        pthread_mutex_unlock(&c->lock);
        return visits;
    }
    size_t n = 0;
    struct slot *batch = malloc(c->used * sizeof *batch);
    if (!batch)
        pc_oom(c->used * sizeof *batch);
    for (size_t i = 0; i < SLOTS; i++)
        if (c->slots[i].count)
            batch[n++] = c->slots[i];
    memset(c->slots, 0, sizeof c->slots);
    c->used = 0;
    c->last_flush = now;
    pthread_mutex_unlock(&c->lock);

    struct pc_arena a;
    pc_arena_init(&a);
    struct db_conn *conn = db_conn_get(db, err);
    int rc = conn ? db_begin(conn, err) : (err->code ? err->code : PC_EUNAVAIL);
    for (size_t i = 0; !rc && i < n; i++) {
        const char *agency = agency_of(db, &a, batch[i].service);
        char month[8];
        memcpy(month, batch[i].day, 7);
        month[7] = 0;
        rc = upsert(conn, "mon_usage_day", "day", batch[i].day, batch[i].service, agency, batch[i].metric,
                    batch[i].count, err);
        if (!rc)
            rc = upsert(conn, "mon_usage_month", "month", month, batch[i].service, agency, batch[i].metric,
                        batch[i].count, err);
    }
    if (conn)
        rc = db_end(conn, rc, err);
    if (rc)
        pc_log(PC_LOG_WARN, "monitor.usage_flush_failed", "msg", err->msg, NULL); /* these counts are lost */
    pc_arena_release(&a);
    free(batch);
    return rc;
}

int mon_usage_add(struct db_conn *conn, const char *day, const char *service, const char *agency, enum mon_metric m,
                  int64_t n, struct pc_err *err)
{
    char month[8];
    snprintf(month, sizeof month, "%.7s", day);
    int rc = upsert(conn, "mon_usage_day", "day", day, service, agency, m, n, err);
    return rc ? rc : upsert(conn, "mon_usage_month", "month", month, service, agency, m, n, err);
}

/* ---- periods ------------------------------------------------------------- */

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int days_in(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : d[m - 1];
}

/* "YYYY-MM" or "YYYY-MM-DD"; a month is its first day (from) or last (to). */
static bool bound(const char *s, bool end, char out[11])
{
    size_t n = s ? strlen(s) : 0;
    if ((n != 7 && n != 10) || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || (n == 10 && (s[7] != '-' || !digits(s + 8, 2))))
        return false;
    int y = atoi(s), m = atoi(s + 5), d = n == 10 ? atoi(s + 8) : end ? 0 : 1;
    if (y < 2000 || y > 2999 || m < 1 || m > 12)
        return false;
    if (n == 7 && end)
        d = days_in(y, m);
    if (d < 1 || d > days_in(y, m))
        return false;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u); /* checked above */
    return true;
}

int mon_period_parse(const char *from, const char *to, struct mon_period *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!bound(from, false, out->from))
        return pc_err_set(err, PC_EINVAL, "from: write a month YYYY-MM or a day YYYY-MM-DD (2000-2999)");
    if (!bound(to ? to : from, true, out->to))
        return pc_err_set(err, PC_EINVAL, "to: write a month YYYY-MM or a day YYYY-MM-DD (2000-2999)");
    if (strcmp(out->from, out->to) > 0)
        return pc_err_set(err, PC_EINVAL, "the period ends (%s) before it begins (%s)", out->to, out->from);
    int y = atoi(out->to), m = atoi(out->to + 5);
    out->whole_months = out->from[8] == '0' && out->from[9] == '1' && atoi(out->to + 8) == days_in(y, m);
    return 0;
}

/* ---- queries ---------------------------------------------------------------- */

static void month_add(char m[8], int delta)
{
    int y = atoi(m), mo = atoi(m + 5) + delta;
    if (mo > 12)
        y++, mo = 1;
    if (mo < 1)
        y--, mo = 12;
    snprintf(m, 8, "%04u-%02u", (unsigned)y % 10000u, (unsigned)mo % 100u);
}

void mon__period_split(const struct mon_period *p, struct mon__parts *o)
{
    memset(o, 0, sizeof *o);
    char first[8], last[8];
    snprintf(first, sizeof first, "%.7s", p->from);
    snprintf(last, sizeof last, "%.7s", p->to);
    bool from_whole = strcmp(p->from + 8, "01") == 0;
    bool to_whole = atoi(p->to + 8) == days_in(atoi(p->to), atoi(p->to + 5));
    if (strcmp(first, last) == 0 && !(from_whole && to_whole)) {
        snprintf(o->head_from, sizeof o->head_from, "%s", p->from);
        snprintf(o->head_to, sizeof o->head_to, "%s", p->to);
        return;
    }
    if (!from_whole) {
        snprintf(o->head_from, sizeof o->head_from, "%s", p->from);
        snprintf(o->head_to, sizeof o->head_to, "%s-%02u", first, (unsigned)days_in(atoi(first), atoi(first + 5)) % 100u);
        month_add(first, 1);
    }
    if (!to_whole) {
        snprintf(o->tail_from, sizeof o->tail_from, "%s-01", last);
        snprintf(o->tail_to, sizeof o->tail_to, "%s", p->to);
        month_add(last, -1);
    }
    if (strcmp(first, last) <= 0) {
        memcpy(o->month_from, first, sizeof first);
        memcpy(o->month_to, last, sizeof last);
    }
}

static struct db_stmt *period_query(struct db_conn *conn, const struct mon_period *p, struct pc_err *err)
{
    struct mon__parts o;
    mon__period_split(p, &o);
    struct db_query q;
    db_query_init(&q);
    db_query_sql(&q, "SELECT m, service_id, MIN(agency_id), metric, SUM(count) FROM (");
    const char *sep = "";
    const char *days = "SELECT SUBSTR(day, 1, 7) AS m, service_id, agency_id, metric, count FROM mon_usage_day "
                       "WHERE day >= ?";
    if (*o.head_from) {
        db_query_text(&q, days, o.head_from);
        db_query_text(&q, " AND day <= ?", o.head_to);
        sep = " UNION ALL ";
    }
    if (*o.month_from) {
        db_query_sql(&q, sep);
        db_query_text(&q, "SELECT month AS m, service_id, agency_id, metric, count FROM mon_usage_month "
                          "WHERE month >= ?", o.month_from);
        db_query_text(&q, " AND month <= ?", o.month_to);
        sep = " UNION ALL ";
    }
    if (*o.tail_from) {
        db_query_sql(&q, sep);
        db_query_text(&q, days, o.tail_from);
        db_query_text(&q, " AND day <= ?", o.tail_to);
    }
    db_query_sql(&q, ") u GROUP BY m, service_id, metric ORDER BY service_id, m");
    struct db_stmt *s = db_query_prepare(conn, &q, err);
    db_query_release(&q);
    return s;
}

static int by_uses(const void *x, const void *y)
{
    const struct mon_usage_row *a = x, *b = y;
    if (a->n[MON_USE_START] != b->n[MON_USE_START])
        return a->n[MON_USE_START] < b->n[MON_USE_START] ? 1 : -1;
    if (a->n[MON_USE_VIEW] != b->n[MON_USE_VIEW])
        return a->n[MON_USE_VIEW] < b->n[MON_USE_VIEW] ? 1 : -1;
    return strcmp(a->id, b->id);
}

static int by_id(const void *x, const void *y)
{
    return strcmp(((const struct mon_usage_row *)x)->id, ((const struct mon_usage_row *)y)->id);
}

static struct mon_usage_row *row_add(struct pc_arena *a, struct mon_usage_row **v, size_t *n, size_t *cap,
                                     const char *id, const char *agency)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        struct mon_usage_row *nv = pc_arena_array(a, c, sizeof *nv);
        if (*n)
            memcpy(nv, *v, *n * sizeof *nv);
        *v = nv;
        *cap = c;
    }
    struct mon_usage_row *r = &(*v)[(*n)++];
    memset(r, 0, sizeof *r);
    r->id = pc_arena_strdup(a, id);
    r->agency = pc_arena_strdup(a, agency);
    return r;
}

/* Agencies and months: at most a few hundred, found by a scan (the last
 * one first: rows of one month or agency tend to come together). */
static struct mon_usage_row *row_in(struct pc_arena *a, struct mon_usage_row **v, size_t *n, size_t *cap,
                                    const char *id, const char *agency)
{
    for (size_t i = *n; i-- > 0;)
        if (strcmp((*v)[i].id, id) == 0)
            return &(*v)[i];
    return row_add(a, v, n, cap, id, agency);
}

int mon_usage_query(struct db *db, struct pc_arena *a, const struct mon_period *p, struct mon_usage *out,
                    struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    out->period = *p;
    mon_usage_flush(db, pc_now_unix(), true, err); /* this node's latest counts first; a failure is logged */
    struct db_conn *conn = db_conn_get(db, err);
    if (!conn)
        return err->code ? err->code : PC_EUNAVAIL;
    struct db_stmt *s = period_query(conn, p, err);
    if (!s)
        return err->code ? err->code : PC_EIO;
    size_t cap = 0, acap = 0, mcap = 0;
    struct mon_usage_row *svc = NULL;        /* rows come by service: the current one */
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        int m = metric_parse(db_col_text(s, 3));
        if (m < 0)
            continue;
        const char *month = db_col_text(s, 0), *service = db_col_text(s, 1), *agency = db_col_text(s, 2);
        int64_t n = db_col_int(s, 4);
        out->total[m] += n;
        row_in(a, &out->months, &out->nmonths, &mcap, month, "")->n[m] += n;
        if (!*service)
            continue; /* portal-wide: searches */
        if (!svc || strcmp(svc->id, service) != 0) {
            svc = row_add(a, &out->services, &out->nservices, &cap, service, agency);
            row_in(a, &out->agencies, &out->nagencies, &acap, agency, agency)->services++;
        }
        svc->n[m] += n;
        row_in(a, &out->agencies, &out->nagencies, &acap, agency, agency)->n[m] += n;
    }
    if (rc < 0)
        return rc;
    if (!out->nmonths)
        return pc_err_set(err, PC_ENOTFOUND, "no usage was recorded from %s to %s", p->from, p->to);
    if (out->nservices) { /* none when only searches were counted */
        qsort(out->services, out->nservices, sizeof *out->services, by_uses);
        qsort(out->agencies, out->nagencies, sizeof *out->agencies, by_uses);
    }
    qsort(out->months, out->nmonths, sizeof *out->months, by_id);
    return 0;
}

/* ---- downloads ----------------------------------------------------------------- */

void mon_usage_csv(const struct mon_usage *u, struct pc_buf *out)
{
    pc_buf_puts(out, "level,id,agency,services,views,starts,searches\r\n");
    const struct {
        const char *level;
        const struct mon_usage_row *v;
        size_t n;
    } parts[] = {{"service", u->services, u->nservices}, {"agency", u->agencies, u->nagencies},
                 {"month", u->months, u->nmonths}};
    for (size_t k = 0; k < sizeof parts / sizeof *parts; k++)
        for (size_t i = 0; i < parts[k].n; i++) {
            const struct mon_usage_row *r = &parts[k].v[i];
            pc_buf_printf(out, "%s,", parts[k].level);
            mon__csv_put(out, r->id);
            pc_buf_putc(out, ',');
            mon__csv_put(out, r->agency);
            pc_buf_printf(out, ",%d,%lld,%lld,%lld\r\n", r->services, (long long)r->n[MON_USE_VIEW],
                          (long long)r->n[MON_USE_START], (long long)r->n[MON_USE_SEARCH]);
        }
}

static void rows_json(struct pc_buf *out, const char *key, const struct mon_usage_row *v, size_t n, bool agency)
{
    pc_buf_printf(out, ", \"%s\": [", key);
    for (size_t i = 0; i < n; i++) {
        pc_buf_puts(out, i ? ", {\"id\": \"" : "{\"id\": \"");
        pc_buf_json_str(out, v[i].id);
        pc_buf_putc(out, '"');
        if (agency) {
            pc_buf_puts(out, ", \"agency\": \"");
            pc_buf_json_str(out, v[i].agency);
            pc_buf_putc(out, '"');
        }
        if (!agency && strcmp(key, "agencies") == 0)
            pc_buf_printf(out, ", \"services\": %d", v[i].services);
        for (int m = 0; m < MON_USE_COUNT; m++)
            if (m != MON_USE_SEARCH || strcmp(key, "months") == 0)
                pc_buf_printf(out, ", \"%ss\": %lld", mon_metric_name((enum mon_metric)m), (long long)v[i].n[m]);
        pc_buf_putc(out, '}');
    }
    pc_buf_putc(out, ']');
}

void mon_usage_json_members(const struct mon_usage *u, struct pc_buf *out)
{
    pc_buf_printf(out, "\"from\": \"%s\", \"to\": \"%s\", \"totals\": {\"views\": %lld, \"starts\": %lld, "
                       "\"searches\": %lld}",
                  u->period.from, u->period.to, (long long)u->total[MON_USE_VIEW], (long long)u->total[MON_USE_START],
                  (long long)u->total[MON_USE_SEARCH]);
    rows_json(out, "agencies", u->agencies, u->nagencies, false);
    rows_json(out, "services", u->services, u->nservices, true);
    rows_json(out, "months", u->months, u->nmonths, false);
}

void mon_usage_json(const struct mon_usage *u, struct pc_buf *out)
{
    pc_buf_putc(out, '{');
    mon_usage_json_members(u, out);
    pc_buf_puts(out, "}\n");
}

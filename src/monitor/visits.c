/* visits.c — portal visits and users, counted without keeping who
 * (mon_visit_day, mon_visit_month).  A node tells visitors apart within
 * the day by the first 64 bits of SHA-256(salt, key) in a hash set in
 * memory, with a random salt that is never written anywhere and is
 * replaced (with the set) when the day changes.  Users are told apart the
 * same way within the day and the month, with the period's salt shared
 * by the nodes through the database (mon_visit_salts), and a user's first
 * sighting in a period is claimed there (mon_visit_seen) by an INSERT
 * that only one node wins: that node counts the user, new or returning.
 * Salts and sightings older than the previous period are deleted when a
 * period begins, so a past day's hashes cannot be matched with anything.
 * Counts wait in memory like usage.c's and are added to both tables by
 * the same flush. */
#include "internal.h"
#include "../identity/identity.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VISIT_DB_SLOT 4               /* db_slot of the visitors in memory */
_Static_assert(VISIT_DB_SLOT < DB_SLOTS, "a db slot of its own");
#define PENDING 4                     /* days waiting for a flush (two at midnight) */

static const char *const field_names[MON_V_COUNT] = {"visits", "users", "new_users", "returning_users", "seconds"};

const char *mon_visit_field_name(enum mon_visit_field f)
{
    return (unsigned)f < MON_V_COUNT ? field_names[f] : "";
}

int64_t mon_visit_average(const struct mon_visit_row *r)
{
    return r->n[MON_V_VISITS] ? r->n[MON_V_SECONDS] / r->n[MON_V_VISITS] : 0;
}

/* ---- in memory ------------------------------------------------------------- */

/* Hashes of one day or month (0 marks a free place; a hash of 0 becomes 1),
 * each with the time it was last seen. */
struct set {
    char period[11];
    unsigned char salt[32];
    bool shared;                      /* the nodes' salt: first sightings are claimed in the database */
    uint64_t *keys;
    int64_t *last;
    size_t n, cap;
};

struct pending {
    char day[11];                     /* "": free */
    int64_t day_n[MON_V_COUNT], month_n[MON_V_COUNT];
};

struct visitors {
    pthread_mutex_t lock;
    struct set visitors, day_users, month_users;
    struct pending pending[PENDING];
    int64_t last_flush;
};

static void set_free(struct set *s)
{
    free(s->keys);
    free(s->last);
}

/* Empty the set for a new period, with the nodes' salt (shared) or a
 * random one of this node's. */
static void set_reset(struct set *s, const char *period, const unsigned char *shared)
{
    set_free(s);
    memset(s, 0, sizeof *s);
    snprintf(s->period, sizeof s->period, "%s", period);
    s->shared = shared != NULL;
    if (shared)
        memcpy(s->salt, shared, sizeof s->salt);
    else if (pc_random_bytes(s->salt, sizeof s->salt))
        abort(); /* no randomness: the process cannot run safely at all */
}

static void *visitors_make(struct db *db)
{
    (void)db;
    struct visitors *v = calloc(1, sizeof *v);
    if (!v)
        pc_oom(sizeof *v);
    pthread_mutex_init(&v->lock, NULL);
    v->last_flush = pc_now_unix();
    return v;
}

static void visitors_free(void *p)
{
    struct visitors *v = p;
    set_free(&v->visitors);
    set_free(&v->day_users);
    set_free(&v->month_users);
    pthread_mutex_destroy(&v->lock);
    free(v);
}

static uint64_t salted(const struct set *s, const char *key)
{
    size_t n = strlen(key);
    unsigned char *buf = malloc(sizeof s->salt + n);
    if (!buf)
        pc_oom(sizeof s->salt + n);
    memcpy(buf, s->salt, sizeof s->salt);
    memcpy(buf + sizeof s->salt, key, n);
    char hex[65];
    pc_sha256_hex(buf, sizeof s->salt + n, hex);
    free(buf);
    uint64_t h = strtoull((char[17]){hex[0], hex[1], hex[2], hex[3], hex[4], hex[5], hex[6], hex[7], hex[8], hex[9],
                                     hex[10], hex[11], hex[12], hex[13], hex[14], hex[15], 0},
                          NULL, 16);
    return h ? h : 1;
}

static void set_grow(struct set *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    uint64_t *keys = calloc(cap, sizeof *keys);
    int64_t *last = calloc(cap, sizeof *last);
    if (!keys || !last)
        pc_oom(cap * sizeof *keys);
    for (size_t i = 0; i < s->cap; i++)
        if (s->keys[i]) {
            size_t j = s->keys[i] % cap;
            while (keys[j])
                j = (j + 1) % cap;
            keys[j] = s->keys[i];
            last[j] = s->last[i];
        }
    free(s->keys);
    free(s->last);
    s->keys = keys;
    s->last = last;
    s->cap = cap;
}

/* The place of h (added when new: *seen false), or NULL when the set is
 * full (it grows until MON_VISITORS_MAX, so a free place is always left). */
static int64_t *set_find(struct set *s, uint64_t h, bool *seen)
{
    if (s->n < MON_VISITORS_MAX && s->n + 1 > s->cap / 2)
        set_grow(s);
    for (size_t i = h % s->cap;; i = (i + 1) % s->cap) {
        if (s->keys[i] == h) {
            *seen = true;
            return &s->last[i];
        }
        if (!s->keys[i]) {
            if (s->n >= MON_VISITORS_MAX)
                return NULL;
            s->keys[i] = h;
            s->n++;
            *seen = false;
            return &s->last[i];
        }
    }
}

static struct pending *pending_of(struct visitors *v, const char *day)
{
    struct pending *free_one = NULL;
    for (int i = 0; i < PENDING; i++) {
        if (strcmp(v->pending[i].day, day) == 0)
            return &v->pending[i];
        if (!v->pending[i].day[0] && !free_one)
            free_one = &v->pending[i];
    }
    if (free_one)
        snprintf(free_one->day, sizeof free_one->day, "%s", day);
    return free_one; /* NULL: days without a flush; not counted */
}

static struct visitors *visitors_of(struct db *db)
{
    return db_slot(db, VISIT_DB_SLOT, visitors_make, visitors_free);
}

/* ---- shared with the other nodes -------------------------------------------- */

/* The period before p: the day before "YYYY-MM-DD", the month before "YYYY-MM". */
static void previous(const char *p, char out[11])
{
    int y = atoi(p), m = atoi(p + 5);
    if (strlen(p) == 7) {
        snprintf(out, 11, "%04u-%02u", (unsigned)(m == 1 ? y - 1 : y) % 10000u, (unsigned)(m == 1 ? 12 : m - 1) % 100u);
        return;
    }
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = atoi(p + 8) - 1, .tm_hour = 12};
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The period's salt shared by the nodes: the first node that needs it
 * writes a random one (only one INSERT wins), every node reads the one
 * written.  Periods of the same length older than the previous one lose
 * their salt and sightings on the way. */
static int shared_salt(struct db *db, const char *period, unsigned char salt[32], struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code ? err->code : PC_EUNAVAIL;
    unsigned char rnd[32];
    char hex[65], before[11];
    if (pc_random_bytes(rnd, sizeof rnd))
        abort(); /* no randomness: the process cannot run safely at all */
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    previous(period, before);
    static const char *const sql[] = {
        "INSERT INTO mon_visit_salts(period, salt) VALUES (?, ?) ON CONFLICT(period) DO NOTHING",
        "DELETE FROM mon_visit_salts WHERE LENGTH(period) = ? AND period < ?",
        "DELETE FROM mon_visit_seen WHERE LENGTH(period) = ? AND period < ?",
    };
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof sql / sizeof *sql; i++) {
        struct db_stmt *s = db_prepare(c, sql[i], err);
        if (!s)
            return err->code;
        if (i == 0) {
            db_bind_text(s, 1, period);
            db_bind_text(s, 2, hex);
        } else {
            db_bind_int(s, 1, (int64_t)strlen(period));
            db_bind_text(s, 2, before);
        }
        rc = mon__ran(db_run(s, err));
    }
    struct db_stmt *s = rc ? NULL : db_prepare(c, "SELECT salt FROM mon_visit_salts WHERE period = ?", err);
    if (!s)
        return rc ? rc : err->code;
    db_bind_text(s, 1, period);
    rc = db_step(s, err);
    const char *got = rc == 1 ? db_col_text(s, 0) : "";
    if (rc == 1 && strlen(got) == 64)
        for (size_t i = 0; i < 32; i++)
            salt[i] = (unsigned char)strtoul((char[3]){got[2 * i], got[2 * i + 1], 0}, NULL, 16);
    bool ok = rc == 1 && strlen(got) == 64;
    if (rc == 1 && db_step(s, err) < 0) /* to its end: no read left open on the request's connection */
        return err->code;
    return rc < 0 ? rc : ok ? 0 : pc_err_set(err, PC_EIO, "no salt for %s", period);
}

/* Whether this node is the first to see user hash h in the period (the
 * database decides between the nodes; when it cannot, the node counts). */
static bool claim(struct db *db, const char *period, uint64_t h)
{
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(db, &err);
    struct db_stmt *s = c ? db_prepare(c, "INSERT INTO mon_visit_seen(period, hash) VALUES (?, ?)"
                                          " ON CONFLICT(period, hash) DO NOTHING", &err) : NULL;
    int64_t n = -1;
    if (s) {
        char hex[17];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
        db_bind_text(s, 1, period);
        db_bind_text(s, 2, hex);
        n = db_run(s, &err);
    }
    if (n < 0)
        pc_log(PC_LOG_WARN, "monitor.visit_claim_failed", "msg", err.msg, NULL);
    return n != 0;
}

/* New users' sets when the day or the month has changed, with the nodes'
 * salts (asked outside the lock; this node's own when the database cannot
 * be asked). */
static void users_period(struct db *db, struct visitors *v, const char *day, const char *month)
{
    pthread_mutex_lock(&v->lock);
    bool day_old = strcmp(v->day_users.period, day) != 0, month_old = strcmp(v->month_users.period, month) != 0;
    pthread_mutex_unlock(&v->lock);
    if (!day_old && !month_old)
        return;
    unsigned char ds[32], ms[32];
    struct pc_err err = {0};
    bool d_ok = day_old && shared_salt(db, day, ds, &err) == 0;
    bool m_ok = month_old && shared_salt(db, month, ms, &err) == 0;
    if ((day_old && !d_ok) || (month_old && !m_ok))
        pc_log(PC_LOG_WARN, "monitor.visit_salt_failed", "msg", err.msg, NULL); /* users count on this node */
    pthread_mutex_lock(&v->lock);
    if (day_old && strcmp(v->day_users.period, day) != 0)
        set_reset(&v->day_users, day, d_ok ? ds : NULL);
    if (month_old && strcmp(v->month_users.period, month) != 0)
        set_reset(&v->month_users, month, m_ok ? ms : NULL);
    pthread_mutex_unlock(&v->lock);
}

void mon_visit(struct db *db, const char *visitor, const char *account, int64_t now)
{
    if (!visitor)
        return;
    char t[21], day[11], month[8];
    pc_rfc3339(now, t);
    snprintf(day, sizeof day, "%.10s", t);
    snprintf(month, sizeof month, "%.7s", t);
    struct visitors *v = visitors_of(db);
    if (account && *account)
        users_period(db, v, day, month);
    bool first_day = false, first_month = false, seen, day_shared = false, month_shared = false;
    uint64_t day_h = 0, month_h = 0;
    pthread_mutex_lock(&v->lock);
    if (strcmp(v->visitors.period, day) != 0)
        set_reset(&v->visitors, day, NULL);
    struct pending *p = pending_of(v, day);
    int64_t *last = set_find(&v->visitors, salted(&v->visitors, visitor), &seen);
    if (p && (!last || !seen || now - *last > MON_VISIT_IDLE_SECONDS))
        p->day_n[MON_V_VISITS]++;
    else if (p && now > *last)
        p->day_n[MON_V_SECONDS] += now - *last;
    if (last)
        *last = now;
    /* a period that ended while the salt was asked for: this page's user is not counted */
    if (account && *account && strcmp(v->day_users.period, day) == 0 && strcmp(v->month_users.period, month) == 0) {
        day_h = salted(&v->day_users, account);
        month_h = salted(&v->month_users, account);
        day_shared = v->day_users.shared;
        month_shared = v->month_users.shared;
        first_day = set_find(&v->day_users, day_h, &seen) && !seen;
        first_month = set_find(&v->month_users, month_h, &seen) && !seen;
    }
    pthread_mutex_unlock(&v->lock);
    /* first seen here: is it first seen by any node? */
    if (first_day && day_shared)
        first_day = claim(db, day, day_h);
    if (first_month && month_shared)
        first_month = claim(db, month, month_h);
    if (!first_day && !first_month)
        return;
    /* new or returning: by the day the account was created (outside the lock) */
    char created[11] = "";
    struct pc_err err = {0};
    if (id_account_created_day(db, account, created, &err))
        created[0] = 0; /* unknown: returning */
    bool new_day = strcmp(created, day) == 0, new_month = strncmp(created, day, 7) == 0;
    pthread_mutex_lock(&v->lock);
    p = pending_of(v, day);
    if (p && first_day) {
        p->day_n[MON_V_USERS]++;
        p->day_n[new_day ? MON_V_NEW : MON_V_RETURNING]++;
    }
    if (p && first_month) {
        p->month_n[MON_V_USERS]++;
        p->month_n[new_month ? MON_V_NEW : MON_V_RETURNING]++;
    }
    pthread_mutex_unlock(&v->lock);
}

/* ---- to the tables ---------------------------------------------------------- */

static int upsert(struct db_conn *conn, const char *table, const char *col, const char *when,
                  const int64_t n[MON_V_COUNT], struct pc_err *err)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO %s(%s, visits, users, new_users, returning_users, seconds) VALUES (?, ?, ?, ?, ?, ?) "
             "ON CONFLICT(%s) DO UPDATE SET visits = %s.visits + excluded.visits, users = %s.users + excluded.users, "
             "new_users = %s.new_users + excluded.new_users, "
             "returning_users = %s.returning_users + excluded.returning_users, seconds = %s.seconds + excluded.seconds",
             table, col, col, table, table, table, table, table);
    struct db_stmt *s = db_prepare(conn, sql, err);
    if (!s)
        return err->code ? err->code : PC_EIO;
    db_bind_text(s, 1, when);
    for (int f = 0; f < MON_V_COUNT; f++)
        db_bind_int(s, 2 + f, n[f]);
    int64_t r = db_run(s, err);
    return r < 0 ? (int)r : 0;
}

/* A day's figures and the month's share of them: visits and seconds are
 * the day's; users are those first seen in the month. */
static int add(struct db_conn *conn, const char *day, const int64_t d[MON_V_COUNT], const int64_t m[MON_V_COUNT],
               struct pc_err *err)
{
    char month[8];
    snprintf(month, sizeof month, "%.7s", day);
    int64_t mn[MON_V_COUNT];
    memcpy(mn, m, sizeof mn);
    mn[MON_V_VISITS] = d[MON_V_VISITS];
    mn[MON_V_SECONDS] = d[MON_V_SECONDS];
    int rc = upsert(conn, "mon_visit_day", "day", day, d, err);
    return rc ? rc : upsert(conn, "mon_visit_month", "month", month, mn, err);
}

int mon_visits_add(struct db_conn *conn, const char *day, const int64_t n[MON_V_COUNT], struct pc_err *err)
{
    return add(conn, day, n, n, err);
}

int mon__visits_flush(struct db *db, int64_t now, bool force, struct pc_err *err)
{
    struct visitors *v = visitors_of(db);
    struct pending batch[PENDING];
    pthread_mutex_lock(&v->lock);
    if (!force && now - v->last_flush < MON_USAGE_FLUSH_SECONDS) {
        pthread_mutex_unlock(&v->lock);
        return 0;
    }
    memcpy(batch, v->pending, sizeof batch);
    memset(v->pending, 0, sizeof v->pending);
    v->last_flush = now;
    pthread_mutex_unlock(&v->lock);
    int n = 0;
    for (int i = 0; i < PENDING; i++)
        n += batch[i].day[0] != 0;
    if (!n)
        return 0;
    struct db_conn *conn = db_conn_get(db, err);
    int rc = conn ? db_begin(conn, err) : (err->code ? err->code : PC_EUNAVAIL);
    for (int i = 0; !rc && i < PENDING; i++)
        if (batch[i].day[0])
            rc = add(conn, batch[i].day, batch[i].day_n, batch[i].month_n, err);
    if (conn)
        rc = db_end(conn, rc, err);
    if (rc)
        pc_log(PC_LOG_WARN, "monitor.visits_flush_failed", "msg", err->msg, NULL); /* these counts are lost */
    return rc;
}

/* ---- queries ---------------------------------------------------------------- */

int mon_visits_query(struct db *db, struct pc_arena *a, const struct mon_period *p, struct mon_visits *out,
                     struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    mon__visits_flush(db, pc_now_unix(), true, err); /* this node's latest counts first; a failure is logged */
    struct mon__parts o;
    mon__period_split(p, &o);
    struct db_query q;
    db_query_init(&q);
    const char *cols = "visits, users, new_users, returning_users, seconds";
    db_query_sql(&q, "SELECT m, SUM(visits), SUM(users), SUM(new_users), SUM(returning_users), SUM(seconds) FROM (");
    const char *sep = "";
    const char *days[2][2] = {{o.head_from, o.head_to}, {o.tail_from, o.tail_to}};
    for (int k = 0; k < 3; k++) {
        const char *from = k == 1 ? o.month_from : days[k / 2][0], *to = k == 1 ? o.month_to : days[k / 2][1];
        if (!*from)
            continue;
        db_query_sql(&q, sep);
        db_query_sql(&q, k == 1 ? "SELECT month AS m, " : "SELECT SUBSTR(day, 1, 7) AS m, ");
        db_query_sql(&q, cols);
        db_query_text(&q, k == 1 ? " FROM mon_visit_month WHERE month >= ?" : " FROM mon_visit_day WHERE day >= ?",
                      from);
        db_query_text(&q, k == 1 ? " AND month <= ?" : " AND day <= ?", to);
        sep = " UNION ALL ";
    }
    db_query_sql(&q, ") u GROUP BY m ORDER BY m");
    struct db_conn *conn = db_conn_get(db, err);
    struct db_stmt *s = conn ? db_query_prepare(conn, &q, err) : NULL;
    db_query_release(&q);
    if (!s)
        return err->code ? err->code : PC_EUNAVAIL;
    size_t cap = 0;
    int rc;
    while ((rc = db_step(s, err)) > 0) {
        if (out->nmonths == cap) {
            cap = cap ? cap * 2 : 16;
            struct mon_visit_row *nv = pc_arena_array(a, cap, sizeof *nv);
            if (out->nmonths)
                memcpy(nv, out->months, out->nmonths * sizeof *nv);
            out->months = nv;
        }
        struct mon_visit_row *r = &out->months[out->nmonths++];
        r->month = pc_arena_strdup(a, db_col_text(s, 0));
        for (int f = 0; f < MON_V_COUNT; f++) {
            r->n[f] = db_col_int(s, 1 + f);
            out->total.n[f] += r->n[f];
        }
    }
    if (rc < 0)
        return rc;
    db_conn_idle(conn);
    return 0;
}

/* ---- downloads ----------------------------------------------------------------- */

static void row_csv(const struct mon_visit_row *r, struct pc_buf *out)
{
    pc_buf_puts(out, r->month ? r->month : "total");
    for (int f = 0; f < MON_V_COUNT; f++)
        pc_buf_printf(out, ",%lld", (long long)r->n[f]);
    pc_buf_printf(out, ",%lld\r\n", (long long)mon_visit_average(r));
}

void mon_visits_csv(const struct mon_visits *v, struct pc_buf *out)
{
    pc_buf_puts(out, "month");
    for (int f = 0; f < MON_V_COUNT; f++)
        pc_buf_printf(out, ",%s", field_names[f]);
    pc_buf_puts(out, ",average_seconds\r\n");
    for (size_t i = 0; i < v->nmonths; i++)
        row_csv(&v->months[i], out);
    row_csv(&v->total, out);
}

static void row_json(const struct mon_visit_row *r, struct pc_buf *out)
{
    if (r->month) {
        pc_buf_puts(out, "\"month\": \"");
        pc_buf_json_str(out, r->month);
        pc_buf_puts(out, "\", ");
    }
    for (int f = 0; f < MON_V_COUNT; f++)
        pc_buf_printf(out, "\"%s\": %lld, ", field_names[f], (long long)r->n[f]);
    pc_buf_printf(out, "\"average_seconds\": %lld", (long long)mon_visit_average(r));
}

void mon_visits_json(const struct mon_visits *v, struct pc_buf *out)
{
    pc_buf_putc(out, '{');
    row_json(&v->total, out);
    pc_buf_puts(out, ", \"months\": [");
    for (size_t i = 0; i < v->nmonths; i++) {
        pc_buf_puts(out, i ? ", {" : "{");
        row_json(&v->months[i], out);
        pc_buf_putc(out, '}');
    }
    pc_buf_puts(out, "]}");
}

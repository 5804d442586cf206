/* db.c — the backend-independent half of storage: choosing a backend by
 * URL, one connection per thread, the per-connection statement cache,
 * transactions and migrations. */
#include "backend.h"
#include "migrations.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_BUCKETS 128
#define STMT_CACHE_MAX 2048  /* SQL texts are bounded by the code: never reached in practice */
#define STMT_KEEP_RECENT 32  /* never evict the statements prepared last: a caller may hold them */

struct db_stmt {
    struct db_conn *conn;
    void *impl;
    char *sql;
    uint32_t hash;
    bool active;          /* stepped to a row and not yet finished or reset */
    int bind_rc;          /* first failed bind since prepare (sticky), 0 if none */
    int bind_idx;         /* and its parameter index */
    uint64_t used;        /* c->tick when last prepared */
    struct db_stmt *next;
};

struct db_conn {
    struct db *db;
    void *impl;
    struct db_stmt *buckets[STMT_BUCKETS];
    int nstmts;
    uint64_t tick;        /* counts db_prepare calls */
    bool in_tx;
    bool broken;          /* the server went away: reopen at the next db_conn_get */
    int64_t last_used;    /* pc_mono_usec of the last db_conn_get */
    unsigned epoch;       /* db->lost_epoch when this connection was last checked */
    struct db_conn *next_all; /* list of every open connection */
};

struct db {
    const struct db_backend *be;
    char *url;
    pthread_key_t key;
    pthread_mutex_t lock; /* guards conns and the making of slots */
    struct db_conn *conns;
    atomic_uint lost_epoch; /* raised whenever a connection is found dead */
    atomic_uint_fast64_t opened, reconnects; /* counters for /metrics */
    _Atomic(void *) slots[DB_SLOTS];
    void (*slot_free[DB_SLOTS])(void *obj);
};

static bool is_postgres_url(const char *url)
{
    return pc_str_has_prefix(url, "postgres://") || pc_str_has_prefix(url, "postgresql://");
}

static void stmt_cache_clear(struct db_conn *c)
{
    for (int i = 0; i < STMT_BUCKETS; i++) {
        struct db_stmt *s = c->buckets[i];
        while (s) {
            struct db_stmt *next = s->next;
            c->db->be->finalize(s->impl);
            free(s->sql);
            free(s);
            s = next;
        }
        c->buckets[i] = NULL;
    }
    c->nstmts = 0;
}

/* Free the statements nobody can be holding: not part-way through rows and
 * not among the last ones prepared (a caller may have one bound, unstepped). */
static void stmt_cache_evict(struct db_conn *c)
{
    for (int i = 0; i < STMT_BUCKETS; i++) {
        struct db_stmt **pp = &c->buckets[i];
        while (*pp) {
            struct db_stmt *s = *pp;
            if (!s->active && s->used + STMT_KEEP_RECENT < c->tick) {
                *pp = s->next;
                c->db->be->finalize(s->impl);
                free(s->sql);
                free(s);
                c->nstmts--;
            } else {
                pp = &s->next;
            }
        }
    }
}

static void conn_destroy(struct db_conn *c)
{
    stmt_cache_clear(c);
    c->db->be->conn_close(c->impl);
    free(c);
}

/* Thread-exit destructor: unlink and close that thread's connection. */
static void conn_thread_exit(void *p)
{
    struct db_conn *c = p;
    struct db *db = c->db;
    pthread_mutex_lock(&db->lock);
    for (struct db_conn **pp = &db->conns; *pp; pp = &(*pp)->next_all) {
        if (*pp == c) {
            *pp = c->next_all;
            break;
        }
    }
    pthread_mutex_unlock(&db->lock);
    conn_destroy(c);
}

struct db *db_open(const char *url, struct pc_err *err)
{
    if (!url || !*url) {
        pc_err_set(err, PC_EINVAL, "no database given");
        return NULL;
    }
    struct db *db = calloc(1, sizeof *db);
    if (!db) {
        pc_err_set(err, PC_ENOMEM, "out of memory");
        return NULL;
    }
    db->be = is_postgres_url(url) ? &db_postgres_backend : &db_sqlite_backend;
    db->url = strdup(url);
    pthread_mutex_init(&db->lock, NULL);
    pthread_key_create(&db->key, conn_thread_exit);
    /* Open the first connection now so a bad URL fails at start-up. */
    if (!db_conn_get(db, err)) {
        db_close(db);
        return NULL;
    }
    return db;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    /* first what modules keep here: it may have threads using connections */
    for (int i = 0; i < DB_SLOTS; i++) {
        void *obj = atomic_load(&db->slots[i]);
        if (obj)
            db->slot_free[i](obj);
    }
    pthread_setspecific(db->key, NULL);
    pthread_mutex_lock(&db->lock);
    struct db_conn *c = db->conns;
    db->conns = NULL;
    pthread_mutex_unlock(&db->lock);
    while (c) {
        struct db_conn *next = c->next_all;
        conn_destroy(c);
        c = next;
    }
    pthread_key_delete(db->key);
    pthread_mutex_destroy(&db->lock);
    free(db->url);
    free(db);
}

void *db_slot(struct db *db, int slot, void *(*make)(struct db *db), void (*free_fn)(void *obj))
{
    void *obj = atomic_load_explicit(&db->slots[slot], memory_order_acquire);
    if (obj)
        return obj;
    pthread_mutex_lock(&db->lock);
    obj = atomic_load_explicit(&db->slots[slot], memory_order_relaxed);
    if (!obj && (obj = make(db))) {
        db->slot_free[slot] = free_fn;
        atomic_store_explicit(&db->slots[slot], obj, memory_order_release);
    }
    pthread_mutex_unlock(&db->lock);
    return obj;
}

enum db_kind db_kind(const struct db *db)
{
    return db->be->kind;
}

const char *db_kind_name(const struct db *db)
{
    return db->be->name;
}

/* A connection idle this long is checked before use (a cheap look at its
 * socket): a PostgreSQL restart closes every connection, and an idle
 * thread would otherwise fail its next request on a dead one. */
#define IDLE_CHECK_USEC 100000

/* After a failure, ask the backend whether the connection survived (a
 * restarted PostgreSQL leaves it dead); if not, it is replaced at the
 * thread's next db_conn_get, so a node recovers by itself, and every other
 * thread checks its own connection before its next use.  The error then
 * says "unavailable": the caller may retry later. */
static int check_health(struct db_conn *c, int rc, struct pc_err *err)
{
    if (rc < 0 && !c->broken && c->db->be->healthy && !c->db->be->healthy(c->impl)) {
        c->broken = true;
        atomic_fetch_add(&c->db->lost_epoch, 1);
        pc_log(PC_LOG_WARN, "db.connection_lost", "backend", c->db->be->name, NULL);
    }
    if (rc < 0 && c->broken) {
        if (err)
            err->code = PC_EUNAVAIL;
        return PC_EUNAVAIL;
    }
    return rc;
}

/* Replace a connection's backend connection in place (the caller's
 * pointer stays valid); its statements go with the old one. */
static int conn_reopen(struct db_conn *c, struct pc_err *err)
{
    void *impl = c->db->be->conn_open(c->db->url, err);
    if (!impl)
        return err && err->code ? err->code : PC_EUNAVAIL;
    stmt_cache_clear(c);
    c->db->be->conn_close(c->impl);
    c->impl = impl;
    c->broken = false;
    c->in_tx = false;
    atomic_fetch_add(&c->db->reconnects, 1);
    pc_log(PC_LOG_INFO, "db.reconnected", "backend", c->db->be->name, NULL);
    return 0;
}

/* Before a connection is used again: if it sat idle, or another thread
 * found its connection dead since this one was last checked, look at it
 * (without a round trip) and mark it broken if the server went away. */
static void check_before_use(struct db_conn *c)
{
    int64_t now = pc_mono_usec();
    unsigned epoch = atomic_load(&c->db->lost_epoch);
    bool due = now - c->last_used > IDLE_CHECK_USEC || c->epoch != epoch;
    c->last_used = now;
    c->epoch = epoch;
    if (due && !c->in_tx && !c->broken && c->db->be->alive && !c->db->be->alive(c->impl))
        c->broken = true;
}

struct db_conn *db_conn_get(struct db *db, struct pc_err *err)
{
    struct db_conn *c = pthread_getspecific(db->key);
    if (c) {
        check_before_use(c);
        if (c->broken && !c->in_tx && conn_reopen(c, err))
            return NULL;
        return c;
    }
    void *impl = db->be->conn_open(db->url, err);
    if (!impl)
        return NULL;
    c = calloc(1, sizeof *c);
    if (!c)
        pc_oom(sizeof *c);
    c->db = db;
    c->impl = impl;
    atomic_fetch_add(&db->opened, 1);
    c->last_used = pc_mono_usec();
    c->epoch = atomic_load(&db->lost_epoch);
    pthread_mutex_lock(&db->lock);
    c->next_all = db->conns;
    db->conns = c;
    pthread_mutex_unlock(&db->lock);
    pthread_setspecific(db->key, c);
    return c;
}

void db_conn_release_thread(struct db *db)
{
    struct db_conn *c = pthread_getspecific(db->key);
    if (c) {
        pthread_setspecific(db->key, NULL);
        conn_thread_exit(c);
    }
}

int db_exec(struct db_conn *c, const char *sql, struct pc_err *err)
{
    return check_health(c, c->db->be->exec(c->impl, sql, err), err);
}

int db_begin(struct db_conn *c, struct pc_err *err)
{
    if (c->in_tx)
        return pc_err_set(err, PC_EINVAL, "transaction already open");
    /* A half-read SELECT would pin an old snapshot (SQLite) and make the
     * write lock fail with BUSY_SNAPSHOT: finish every statement first. */
    db_conn_idle(c);
    /* IMMEDIATE takes SQLite's write lock up front, so two writers wait on
     * the busy timeout instead of failing at their first write. */
    const char *begin = c->db->be->kind == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN";
    int rc = db_exec(c, begin, err);
    /* Nothing was done yet, so a transaction that could not begin on a
     * dead connection is safe to begin again on a fresh one. */
    if (rc == PC_EUNAVAIL && c->broken && conn_reopen(c, err) == 0)
        rc = db_exec(c, begin, err);
    if (rc == 0)
        c->in_tx = true;
    return rc;
}

int db_commit(struct db_conn *c, struct pc_err *err)
{
    int rc = db_exec(c, "COMMIT", err);
    if (rc)
        db_rollback(c);
    c->in_tx = false;
    return rc;
}

int db_end(struct db_conn *c, int rc, struct pc_err *err)
{
    if (rc) {
        db_rollback(c);
        return rc;
    }
    return db_commit(c, err);
}

static int xact_lock(struct db_conn *c, int64_t key, bool shared, struct pc_err *err)
{
    if (!c->in_tx)
        return pc_err_set(err, PC_EINVAL, "db_xact_lock outside a transaction");
    return c->db->be->xact_lock ? c->db->be->xact_lock(c->impl, key, shared, err) : 0;
}

int db_xact_lock(struct db_conn *c, int64_t key, struct pc_err *err)
{
    return xact_lock(c, key, false, err);
}

int db_xact_lock_shared(struct db_conn *c, int64_t key, struct pc_err *err)
{
    return xact_lock(c, key, true, err);
}

int db_rollback(struct db_conn *c)
{
    if (!c->in_tx)
        return 0;
    c->in_tx = false;
    return db_exec(c, "ROLLBACK", NULL);
}

struct db_stmt *db_prepare(struct db_conn *c, const char *sql, struct pc_err *err)
{
    uint32_t h = pc_fnv1a(sql, strlen(sql));
    struct db_stmt **bucket = &c->buckets[h % STMT_BUCKETS];
    for (struct db_stmt *s = *bucket; s; s = s->next) {
        if (s->hash == h && strcmp(s->sql, sql) == 0) {
            c->db->be->reset(s->impl);
            s->active = false;
            s->bind_rc = 0;
            s->used = ++c->tick;
            return s;
        }
    }
    c->tick++;
    if (c->nstmts >= STMT_CACHE_MAX && !c->in_tx)
        stmt_cache_evict(c); /* dynamic SQL must not grow the cache forever */
    void *impl = c->db->be->prepare(c->impl, sql, err);
    if (!impl) {
        check_health(c, PC_EIO, err);
        return NULL;
    }
    struct db_stmt *s = calloc(1, sizeof *s);
    char *copy = strdup(sql);
    if (!s || !copy) {
        free(s);
        free(copy);
        c->db->be->finalize(impl);
        pc_err_set(err, PC_ENOMEM, "out of memory");
        return NULL;
    }
    s->conn = c;
    s->impl = impl;
    s->sql = copy;
    s->hash = h;
    s->used = c->tick;
    bucket = &c->buckets[h % STMT_BUCKETS];
    s->next = *bucket;
    *bucket = s;
    c->nstmts++;
    return s;
}

/* A failed bind sticks to its statement (SQLite's habit with OOM): the
 * statement then refuses to run, with a message naming the parameter, so
 * callers need not check every bind and nothing runs with a NULL. */
static int bind_result(struct db_stmt *s, int idx, int rc)
{
    if (rc < 0 && s->bind_rc == 0) {
        s->bind_rc = rc;
        s->bind_idx = idx;
    }
    return rc;
}

int db_bind_textn(struct db_stmt *s, int idx, const char *v, size_t n)
{
    if (!v)
        return db_bind_null(s, idx);
    return bind_result(s, idx, s->conn->db->be->bind_text(s->impl, idx, v, n));
}

int db_bind_text(struct db_stmt *s, int idx, const char *v)
{
    return db_bind_textn(s, idx, v, v ? strlen(v) : 0);
}

int db_bind_int(struct db_stmt *s, int idx, int64_t v)
{
    return bind_result(s, idx, s->conn->db->be->bind_int(s->impl, idx, v));
}

int db_bind_null(struct db_stmt *s, int idx)
{
    return bind_result(s, idx, s->conn->db->be->bind_null(s->impl, idx));
}

int db_bind_blob(struct db_stmt *s, int idx, const void *v, size_t n)
{
    if (!v)
        return db_bind_null(s, idx);
    return bind_result(s, idx, s->conn->db->be->bind_blob(s->impl, idx, v, n));
}

int db_step(struct db_stmt *s, struct pc_err *err)
{
    if (s->bind_rc)
        return pc_err_set(err, s->bind_rc, "binding parameter %d of \"%.80s\" failed (%s)", s->bind_idx, s->sql,
                          pc_errcode_name(s->bind_rc));
    int rc = s->conn->db->be->step(s->impl, err);
    s->active = rc == 1;
    return check_health(s->conn, rc, err);
}

void db_conn_idle(struct db_conn *c)
{
    for (int i = 0; i < STMT_BUCKETS; i++)
        for (struct db_stmt *s = c->buckets[i]; s; s = s->next)
            if (s->active) {
                c->db->be->reset(s->impl);
                s->active = false;
            }
}

void db_idle(struct db *db)
{
    struct db_conn *c = pthread_getspecific(db->key);
    if (c)
        db_conn_idle(c);
}

int64_t db_run(struct db_stmt *s, struct pc_err *err)
{
    /* Outside a transaction a write must not meet a half-read SELECT of
     * this connection: on SQLite it pins an old snapshot and the write
     * fails at once with BUSY_SNAPSHOT, whatever the busy timeout. */
    if (!s->conn->in_tx) {
        bool was = s->active;
        db_conn_idle(s->conn);
        s->active = was;
    }
    int rc;
    while ((rc = db_step(s, err)) == 1)
        ;
    if (rc < 0)
        return rc;
    return s->conn->db->be->changes(s->impl);
}

int db_column_count(struct db_stmt *s)
{
    return s->conn->db->be->column_count(s->impl);
}

const char *db_col_text(struct db_stmt *s, int i)
{
    return s->conn->db->be->col_text(s->impl, i);
}

int64_t db_col_int(struct db_stmt *s, int i)
{
    return s->conn->db->be->col_int(s->impl, i);
}

bool db_col_is_null(struct db_stmt *s, int i)
{
    return s->conn->db->be->col_is_null(s->impl, i);
}

const void *db_col_blob(struct db_stmt *s, int i, size_t *len)
{
    return s->conn->db->be->col_blob(s->impl, i, len);
}

void db_metrics_write(struct db *db, struct pc_buf *out)
{
    size_t open = 0, busy = 0;
    pthread_mutex_lock(&db->lock);
    for (struct db_conn *c = db->conns; c; c = c->next_all) {
        open++;
        busy += c->in_tx;
    }
    pthread_mutex_unlock(&db->lock);
    const char *b = db->be->name;
    pc_buf_printf(out, "# HELP pencere_db_connections Open database connections (one per thread that used one).\n"
                       "# TYPE pencere_db_connections gauge\n"
                       "pencere_db_connections{backend=\"%s\"} %zu\n"
                       "# HELP pencere_db_connections_in_transaction Connections inside a transaction now.\n"
                       "# TYPE pencere_db_connections_in_transaction gauge\n"
                       "pencere_db_connections_in_transaction{backend=\"%s\"} %zu\n"
                       "# HELP pencere_db_connections_opened_total Connections opened since start.\n"
                       "# TYPE pencere_db_connections_opened_total counter\n"
                       "pencere_db_connections_opened_total{backend=\"%s\"} %llu\n"
                       "# HELP pencere_db_connections_lost_total Connections found dead (server restart, network).\n"
                       "# TYPE pencere_db_connections_lost_total counter\n"
                       "pencere_db_connections_lost_total{backend=\"%s\"} %u\n"
                       "# HELP pencere_db_reconnects_total Dead connections replaced in place.\n"
                       "# TYPE pencere_db_reconnects_total counter\n"
                       "pencere_db_reconnects_total{backend=\"%s\"} %llu\n",
                  b, open, b, busy, b, (unsigned long long)atomic_load(&db->opened), b,
                  atomic_load(&db->lost_epoch), b, (unsigned long long)atomic_load(&db->reconnects));
}

/* ---- statements built at run time ---------------------------------- */

void db_query_init(struct db_query *q)
{
    pc_buf_init(&q->sql, 16384);
    q->n = 0;
    q->bad = NULL;
}

void db_query_release(struct db_query *q)
{
    pc_buf_release(&q->sql);
}

static size_t count_marks(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '?';
    return n;
}

/* Append a fragment that carries `want` parameters and record them. */
static void query_add(struct db_query *q, const char *fragment, size_t want, const struct db_param *p)
{
    if (q->bad)
        return;
    if (count_marks(fragment) != want) {
        q->bad = "a fragment's placeholders do not match its values";
        return;
    }
    if (q->n + want > DB_QUERY_MAX_PARAMS) {
        q->bad = "too many parameters";
        return;
    }
    pc_buf_puts(&q->sql, fragment);
    if (want)
        q->params[q->n++] = *p;
}

void db_query_sql(struct db_query *q, const char *fragment)
{
    query_add(q, fragment, 0, NULL);
}

void db_query_text(struct db_query *q, const char *fragment, const char *value)
{
    struct db_param p = {.kind = value ? DB_PARAM_TEXT : DB_PARAM_NULL, .text = value};
    query_add(q, fragment, 1, &p);
}

void db_query_int(struct db_query *q, const char *fragment, int64_t value)
{
    struct db_param p = {.kind = DB_PARAM_INT, .i = value};
    query_add(q, fragment, 1, &p);
}

struct db_stmt *db_query_prepare(struct db_conn *c, const struct db_query *q, struct pc_err *err)
{
    if (q->bad) {
        pc_err_set(err, PC_EINVAL, "building SQL: %s", q->bad);
        return NULL;
    }
    if (q->sql.toobig) {
        pc_err_set(err, PC_ENOMEM, "building SQL: statement too long");
        return NULL;
    }
    struct db_stmt *s = db_prepare(c, q->sql.data, err);
    if (!s)
        return NULL;
    for (int i = 0; i < q->n; i++) {
        const struct db_param *p = &q->params[i];
        if (p->kind == DB_PARAM_TEXT)
            db_bind_text(s, i + 1, p->text);
        else if (p->kind == DB_PARAM_INT)
            db_bind_int(s, i + 1, p->i);
        else
            db_bind_null(s, i + 1);
    }
    return s;
}

/* ---- migrations ------------------------------------------------------ */

static const char create_version_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL)";

static int current_version(struct db_conn *c, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", err);
    if (!s)
        return PC_EIO;
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    int v = rc == 1 ? (int)db_col_int(s, 0) : 0;
    c->db->be->reset(s->impl);
    s->active = false;
    return v;
}

static int is_applied(struct db_conn *c, int version, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", err);
    if (!s)
        return PC_EIO;
    db_bind_int(s, 1, version);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    int n = rc == 1 ? (int)db_col_int(s, 0) : 0;
    c->db->be->reset(s->impl);
    s->active = false;
    return n > 0;
}

int db_schema_version(struct db *db, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    int rc = db_exec(c, create_version_table, err);
    return rc ? rc : current_version(c, err);
}

static int apply_one(struct db_conn *c, const struct db_migration *m, struct pc_err *err)
{
    const char *sql = c->db->be->kind == DB_POSTGRES ? m->postgres : m->sqlite;
    int rc = db_exec(c, sql, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)", err);
    if (!s)
        return PC_EIO;
    char ts[21];
    pc_rfc3339(pc_now_unix(), ts);
    db_bind_int(s, 1, m->version);
    db_bind_text(s, 2, m->name);
    db_bind_text(s, 3, ts);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

int db_migrate(struct db *db, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    int rc = db_exec(c, create_version_table, err);
    if (rc)
        return rc;
    /* one line for what this start applied, not one per migration: a new
     * database applies them all, and the operator wants the first screen */
    int applied = 0;
    const char *first = NULL, *last = NULL;
    for (size_t i = 0; i < db_migrations_count; i++) {
        const struct db_migration *m = &db_migrations[i];
        if ((rc = db_begin(c, err)))
            return rc;
        if ((rc = db_xact_lock(c, DB_LOCK_MIGRATIONS, err))) {
            db_rollback(c);
            return rc;
        }
        /* applied = recorded by version, so a migration merged later with
         * a lower number than one already applied still runs */
        int have = is_applied(c, m->version, err);
        if (have < 0) {
            db_rollback(c);
            return have;
        }
        if (have) {
            db_rollback(c);
            continue;
        }
        rc = apply_one(c, m, err);
        if (rc) {
            db_rollback(c);
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
            return pc_err_set(err, rc, "migration %d (%s): %s", m->version, m->name, msg);
        }
        if ((rc = db_commit(c, err)))
            return rc;
        /* A schema change invalidates prepared statements. */
        stmt_cache_clear(c);
        applied++;
        if (!first)
            first = m->name;
        last = m->name;
    }
    if (applied) {
        char count[16];
        snprintf(count, sizeof count, "%d", applied);
        pc_log(PC_LOG_INFO, "db.migrated", "count", count, "first", first, "last", last, NULL);
    }
    return 0;
}

/* test_db.c — unit tests of src/db: migrations, statements, NULLs,
 * conflicts, transactions, the statement cache, a connection per thread and
 * placeholder rewriting.  Every case runs on a temporary SQLite file and,
 * when PENCERE_TEST_PG_URL holds a PostgreSQL admin URL, again on a fresh
 * PostgreSQL database created for this run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "migrations.h"
#include "pgdb.h"

struct fixture {
    struct db *db;
    const char *url;       /* what db_open was given */
    bool pg;
    char dir[64];          /* SQLite: temporary directory */
    char path[128];        /* SQLite: database file */
    char pgname[40];       /* PostgreSQL: database name */
    char pgurl[512];
};

static struct fixture fx_sqlite, fx_pg;

/* ---- helpers ---------------------------------------------------------- */

#define CHECK(expr)                                                          \
    do {                                                                     \
        int rc_ = (expr);                                                    \
        if (rc_ < 0)                                                         \
            fail_msg("%s failed: %d (%s)", #expr, rc_, err.msg);             \
    } while (0)

static struct db_conn *conn(struct fixture *f)
{
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(f->db, &err);
    if (!c)
        fail_msg("db_conn_get: %s", err.msg);
    return c;
}

static void exec_ok(struct db_conn *c, const char *sql)
{
    struct pc_err err = {0};
    int rc = db_exec(c, sql, &err);
    if (rc)
        fail_msg("db_exec(%s) = %d: %s", sql, rc, err.msg);
}

static struct db_stmt *prep(struct db_conn *c, const char *sql)
{
    struct pc_err err = {0};
    struct db_stmt *s = db_prepare(c, sql, &err);
    if (!s)
        fail_msg("db_prepare(%s): %s", sql, err.msg);
    return s;
}

/* Step a statement to its end, so that it does not keep SQLite's read
 * transaction (and its snapshot) open. */
static void drain(struct db_stmt *s)
{
    struct pc_err err = {0};
    int rc;
    while ((rc = db_step(s, &err)) == 1)
        ;
    if (rc < 0)
        fail_msg("db_step: %d %s", rc, err.msg);
}

/* A one-row, one-column integer query. */
static int64_t query_int(struct db_conn *c, const char *sql)
{
    struct pc_err err = {0};
    struct db_stmt *s = prep(c, sql);
    int rc = db_step(s, &err);
    if (rc != 1)
        fail_msg("db_step(%s) = %d: %s", sql, rc, err.msg);
    int64_t v = db_col_int(s, 0);
    assert_int_equal(db_step(s, &err), 0);
    return v;
}

static void fresh_table(struct db_conn *c, const char *name)
{
    char sql[256];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", name);
    exec_ok(c, sql);
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, note TEXT, n BIGINT)", name);
    exec_ok(c, sql);
}

static void insert_row(struct db_conn *c, const char *table, int64_t id, const char *name, const char *note)
{
    struct pc_err err = {0};
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO %s (id, name, note) VALUES (?, ?, ?)", table);
    struct db_stmt *s = prep(c, sql);
    CHECK(db_bind_int(s, 1, id));
    CHECK(db_bind_text(s, 2, name));
    CHECK(db_bind_text(s, 3, note));
    int64_t n = db_run(s, &err);
    if (n != 1)
        fail_msg("insert %s: %lld (%s)", name, (long long)n, err.msg);
}

/* ---- setup and teardown ----------------------------------------------- */

static int setup_sqlite(void **state)
{
    struct fixture *f = &fx_sqlite;
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/pencere-test-db.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%.60s/test.db", f->dir);
    struct pc_err err = {0};
    f->url = f->path;
    f->db = db_open(f->url, &err);
    if (!f->db) {
        fprintf(stderr, "db_open(%s): %s\n", f->path, err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown_sqlite(void **state)
{
    struct fixture *f = *state;
    db_close(f->db);
    char p[192];
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    return 0;
}

static int setup_pg(void **state)
{
    struct fixture *f = &fx_pg;
    memset(f, 0, sizeof *f);
    f->pg = true;
    if (pgdb_create("u_db", f->pgname, f->pgurl))
        return -1;
    struct pc_err err = {0};
    f->url = f->pgurl;
    f->db = db_open(f->url, &err);
    if (!f->db) {
        fprintf(stderr, "db_open(postgres %s): %s\n", f->pgname, err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown_pg(void **state)
{
    struct fixture *f = *state;
    db_close(f->db);
    pgdb_drop(f->pgname);
    return 0;
}

/* ---- tests ------------------------------------------------------------ */

static void test_kind(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(db_kind(f->db), f->pg ? DB_POSTGRES : DB_SQLITE);
    assert_string_equal(db_kind_name(f->db), f->pg ? "postgres" : "sqlite");
}

static void test_open_errors(void **state)
{
    (void)state;
    struct pc_err err = {0};
    assert_null(db_open("", &err));
    assert_int_equal(err.code, PC_EINVAL);
    assert_null(db_open(NULL, &err));
    err = (struct pc_err){0};
    assert_null(db_open("/nonexistent-dir-pencere/x/y.db", &err));
    assert_int_equal(err.code, PC_EIO);
    assert_true(strlen(err.msg) > 0);
    err = (struct pc_err){0};
    /* nothing listens on port 1 */
    assert_null(db_open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", &err));
    assert_int_equal(err.code, PC_EIO);
    assert_non_null(strstr(err.msg, "postgres"));
}

static void test_migrate_idempotent(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    assert_true(db_migrations_count >= 1);
    CHECK(db_migrate(f->db, &err));
    int v = db_schema_version(f->db, &err);
    assert_int_equal(v, db_migrations[db_migrations_count - 1].version);
    /* a second run applies nothing and changes nothing */
    CHECK(db_migrate(f->db, &err));
    assert_int_equal(db_schema_version(f->db, &err), v);
    struct db_conn *c = conn(f);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM schema_migrations"), (int64_t)db_migrations_count);
    /* the catalogue tables exist and are empty */
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM agencies"), 0);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM services"), 0);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM service_life_events"), 0);
    /* migrations were recorded with a name and a time */
    struct db_stmt *s = prep(c, "SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
    assert_int_equal(db_step(s, &err), 1);
    assert_int_equal(db_col_int(s, 0), db_migrations[0].version);
    assert_string_equal(db_col_text(s, 1), db_migrations[0].name);
    assert_int_equal(strlen(db_col_text(s, 2)), 20);
    while (db_step(s, &err) == 1)
        ;
}

static void test_statements_and_columns(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    fresh_table(c, "t_cols");
    insert_row(c, "t_cols", 1, "bir", "birinci");
    insert_row(c, "t_cols", 2, "iki", NULL);
    insert_row(c, "t_cols", 3, "üç — Ж", "");

    struct db_stmt *s = prep(c, "SELECT id, name, note, n FROM t_cols WHERE id >= ? ORDER BY id");
    CHECK(db_bind_int(s, 1, 1));
    assert_int_equal(db_step(s, &err), 1);
    assert_int_equal(db_column_count(s), 4);
    assert_int_equal(db_col_int(s, 0), 1);
    assert_string_equal(db_col_text(s, 1), "bir");
    assert_string_equal(db_col_text(s, 2), "birinci");
    assert_false(db_col_is_null(s, 2));
    assert_true(db_col_is_null(s, 3));
    assert_null(db_col_text(s, 3));
    assert_int_equal(db_col_int(s, 3), 0);

    assert_int_equal(db_step(s, &err), 1);
    assert_int_equal(db_col_int(s, 0), 2);
    assert_true(db_col_is_null(s, 2));
    assert_null(db_col_text(s, 2));

    assert_int_equal(db_step(s, &err), 1);
    assert_string_equal(db_col_text(s, 1), "üç — Ж");
    assert_false(db_col_is_null(s, 2)); /* '' is not NULL */
    assert_string_equal(db_col_text(s, 2), "");

    assert_int_equal(db_step(s, &err), 0);

    /* 64-bit integers and explicit NULL binding */
    s = prep(c, "UPDATE t_cols SET n = ?, note = ? WHERE id = ?");
    CHECK(db_bind_int(s, 1, INT64_C(9007199254740993)));
    CHECK(db_bind_null(s, 2));
    CHECK(db_bind_int(s, 3, 1));
    assert_int_equal(db_run(s, &err), 1);
    s = prep(c, "SELECT n, note FROM t_cols WHERE id = 1");
    assert_int_equal(db_step(s, &err), 1);
    assert_true(db_col_int(s, 0) == INT64_C(9007199254740993));
    assert_true(db_col_is_null(s, 1));
    assert_int_equal(db_step(s, &err), 0);
    s = prep(c, "UPDATE t_cols SET n = ? WHERE id = ?");
    CHECK(db_bind_int(s, 1, INT64_MIN));
    CHECK(db_bind_int(s, 2, 2));
    assert_int_equal(db_run(s, &err), 1);
    assert_true(query_int(c, "SELECT n FROM t_cols WHERE id = 2") == INT64_MIN);

    /* db_bind_textn binds exactly n bytes; db_bind_text(NULL) is NULL */
    s = prep(c, "UPDATE t_cols SET note = ? WHERE id = ?");
    CHECK(db_bind_textn(s, 1, "abcdef", 3));
    CHECK(db_bind_int(s, 2, 3));
    assert_int_equal(db_run(s, &err), 1);
    s = prep(c, "SELECT note FROM t_cols WHERE id = 3");
    assert_int_equal(db_step(s, &err), 1);
    assert_string_equal(db_col_text(s, 0), "abc");
    assert_int_equal(db_step(s, &err), 0);
    s = prep(c, "UPDATE t_cols SET note = ? WHERE id = ?");
    CHECK(db_bind_text(s, 1, NULL));
    CHECK(db_bind_int(s, 2, 3));
    assert_int_equal(db_run(s, &err), 1);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_cols WHERE note IS NULL"), 3);

    /* db_run reports the rows changed */
    s = prep(c, "UPDATE t_cols SET note = ? WHERE id > ?");
    CHECK(db_bind_text(s, 1, "x"));
    CHECK(db_bind_int(s, 2, 1));
    assert_int_equal(db_run(s, &err), 2);
    s = prep(c, "DELETE FROM t_cols WHERE id = ?");
    CHECK(db_bind_int(s, 1, 99));
    assert_int_equal(db_run(s, &err), 0);

    /* a boolean expression reads as 0/1 on both backends */
    assert_int_equal(query_int(c, "SELECT EXISTS (SELECT 1 FROM t_cols WHERE id = 2)"), 1);
    assert_int_equal(query_int(c, "SELECT EXISTS (SELECT 1 FROM t_cols WHERE id = 42)"), 0);

    /* binding a parameter that does not exist is an error */
    s = prep(c, "SELECT id FROM t_cols WHERE id = ?");
    assert_true(db_bind_int(s, 2, 1) < 0);
    assert_true(db_bind_text(s, 0, "x") < 0);
}

static void test_errors(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    assert_null(db_prepare(c, "SELEC nonsense", &err));
    assert_true(strlen(err.msg) > 0);
    err = (struct pc_err){0};
    assert_null(db_prepare(c, "SELECT * FROM no_such_table", &err));
    assert_true(strlen(err.msg) > 0);
    err = (struct pc_err){0};
    assert_true(db_exec(c, "DROP TABLE no_such_table", &err) < 0);
    assert_true(strlen(err.msg) > 0);
    /* the connection still works */
    assert_int_equal(query_int(c, "SELECT 7"), 7);
}

/* A failed bind sticks to its statement: the statement refuses to run
 * (it would otherwise run with NULL in that place), the message names the
 * parameter, and the next prepare of the same SQL starts clean. */
static void test_bind_failure_is_sticky(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    fresh_table(c, "t_bind");
    insert_row(c, "t_bind", 1, "bir", NULL);
    struct db_stmt *s = prep(c, "SELECT COUNT(*) FROM t_bind WHERE id = ? OR name = ?");
    db_bind_int(s, 1, 1);
    assert_true(db_bind_text(s, 9, "no such parameter") < 0);
    db_bind_text(s, 2, "bir");
    int rc = db_step(s, &err);
    assert_true(rc < 0);
    assert_non_null(strstr(err.msg, "parameter 9"));
    err = (struct pc_err){0};
    struct db_stmt *w = prep(c, "UPDATE t_bind SET note = ? WHERE id = ?");
    db_bind_text(w, 1, "changed");
    db_bind_int(w, 3, 1);
    assert_true(db_run(w, &err) < 0);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_bind WHERE note IS NOT NULL"), 0);
    /* prepared again, the statement is clean */
    s = prep(c, "SELECT COUNT(*) FROM t_bind WHERE id = ? OR name = ?");
    CHECK(db_bind_int(s, 1, 1));
    CHECK(db_bind_text(s, 2, "x"));
    assert_int_equal(db_step(s, &err), 1);
    assert_int_equal(db_col_int(s, 0), 1);
}

/* Statements built at run time keep each fragment with its value. */
static void test_query_builder(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    fresh_table(c, "t_q");
    insert_row(c, "t_q", 1, "bir", "a");
    insert_row(c, "t_q", 2, "iki", "b");
    insert_row(c, "t_q", 3, "üç", NULL);
    for (int variant = 0; variant < 4; variant++) {
        struct db_query q;
        db_query_init(&q);
        db_query_sql(&q, "SELECT COUNT(*) FROM t_q WHERE 1 = 1");
        if (variant & 1)
            db_query_int(&q, " AND id >= ?", 2);
        if (variant & 2)
            db_query_text(&q, " AND name <> ?", "iki");
        struct db_stmt *s = db_query_prepare(c, &q, &err);
        db_query_release(&q);
        assert_non_null(s);
        assert_int_equal(db_step(s, &err), 1);
        static const int64_t want[4] = {3, 2, 2, 1};
        assert_int_equal(db_col_int(s, 0), want[variant]);
    }
    /* a fragment whose placeholders and values differ is refused */
    struct db_query q;
    db_query_init(&q);
    db_query_sql(&q, "SELECT COUNT(*) FROM t_q WHERE id = ?");
    err = (struct pc_err){0};
    assert_null(db_query_prepare(c, &q, &err));
    assert_int_equal(err.code, PC_EINVAL);
    db_query_release(&q);
    db_query_init(&q);
    db_query_text(&q, "SELECT COUNT(*) FROM t_q WHERE name = ? OR name = ?", "bir");
    assert_null(db_query_prepare(c, &q, &err));
    db_query_release(&q);
    /* NULL text binds NULL */
    db_query_init(&q);
    db_query_sql(&q, "SELECT COUNT(*) FROM t_q WHERE note IS NULL");
    db_query_text(&q, " AND (note IS NULL OR note = ?)", NULL);
    struct db_stmt *s = db_query_prepare(c, &q, &err);
    db_query_release(&q);
    assert_non_null(s);
    assert_int_equal(db_step(s, &err), 1);
    assert_int_equal(db_col_int(s, 0), 1);
}

/* A lease has one holder at a time, is taken over only once it expired,
 * is free at once when released, and leases of different jobs are
 * independent.  (Moved from test_notify.c with the lease itself.) */
static void test_lease_one_holder_at_a_time(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = conn(f);
    exec_ok(c, "DELETE FROM leases WHERE name IN ('job-a', 'job-b')");
    struct pc_err err = {0};
    bool fresh;
    int64_t t = 1800000000;
    assert_int_equal(db_lease_acquire(c, "job-a", "A", t, 30, &fresh, &err), 1);
    assert_true(fresh);
    assert_int_equal(db_lease_acquire(c, "job-a", "B", t + 1, 30, &fresh, &err), 0);
    assert_false(fresh);
    /* another job's lease is free for B */
    assert_int_equal(db_lease_acquire(c, "job-b", "B", t + 1, 30, &fresh, &err), 1);
    assert_true(fresh);
    assert_int_equal(db_lease_acquire(c, "job-a", "A", t + 10, 30, &fresh, &err), 1);
    assert_false(fresh); /* a renewal, not a take-over */
    assert_int_equal(db_lease_renew(c, "job-a", "A", t + 20, 30, &err), 1);
    assert_int_equal(db_lease_renew(c, "job-a", "B", t + 20, 30, &err), 0);
    /* A stops renewing: at t+50 its lease (t+20+30) ends and B takes it */
    assert_int_equal(db_lease_acquire(c, "job-a", "B", t + 49, 30, &fresh, &err), 0);
    assert_int_equal(db_lease_acquire(c, "job-a", "B", t + 50, 30, &fresh, &err), 1);
    assert_true(fresh);
    assert_int_equal(db_lease_renew(c, "job-a", "A", t + 51, 30, &err), 0);
    assert_int_equal(db_lease_acquire(c, "job-a", "A", t + 51, 30, &fresh, &err), 0);
    /* released: free at once */
    assert_int_equal(db_lease_release(c, "job-a", "B", &err), 0);
    assert_int_equal(db_lease_acquire(c, "job-a", "A", t + 52, 30, &fresh, &err), 1);
    assert_true(fresh);
    /* a release by a non-holder changes nothing */
    assert_int_equal(db_lease_release(c, "job-a", "B", &err), 0);
    assert_int_equal(db_lease_acquire(c, "job-a", "B", t + 53, 30, &fresh, &err), 0);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM leases WHERE name IN ('job-a', 'job-b')"), 2);
}

/* Kill this thread's server connection from outside, as a PostgreSQL
 * restart does to every connection. */
static int64_t kill_my_backend(struct fixture *f, struct db_conn *c)
{
    int64_t pid = query_int(c, "SELECT pg_backend_pid()");
    struct pc_err err = {0};
    struct db *other = db_open(f->url, &err);
    assert_non_null(other);
    struct db_conn *k = db_conn_get(other, &err);
    assert_non_null(k);
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld)", (long long)pid);
    assert_int_equal(query_int(k, sql), 1);
    db_conn_release_thread(other);
    db_close(other);
    usleep(50000); /* the server closes the socket */
    return pid;
}

/* A connection that died while idle is replaced before it is used: the
 * next request on the thread does not fail (issue: each worker thread
 * failed one request after a PostgreSQL restart, idle ones for ever). */
static void test_dead_idle_connection_replaced(void **state)
{
    struct fixture *f = *state;
    if (!f->pg)
        skip();
    struct db_conn *c = conn(f);
    int64_t before = kill_my_backend(f, c);
    usleep(150000); /* idle longer than the check interval */
    c = conn(f);
    assert_true(query_int(c, "SELECT pg_backend_pid()") != before);
    assert_int_equal(query_int(c, "SELECT 7"), 7);
}

/* A transaction that cannot begin on a dead connection begins on a fresh
 * one: nothing had been done, so it is safe. */
static void test_begin_on_dead_connection(void **state)
{
    struct fixture *f = *state;
    if (!f->pg)
        skip();
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    fresh_table(c, "t_dead");
    kill_my_backend(f, c);
    assert_int_equal(db_begin(c, &err), 0);
    insert_row(c, "t_dead", 1, "bir", NULL);
    assert_int_equal(db_commit(c, &err), 0);
    assert_int_equal(query_int(conn(f), "SELECT COUNT(*) FROM t_dead"), 1);
}

static void test_unique_conflict(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    fresh_table(c, "t_uniq");
    insert_row(c, "t_uniq", 1, "a", NULL);
    struct db_stmt *s = prep(c, "INSERT INTO t_uniq (id, name) VALUES (?, ?)");
    CHECK(db_bind_int(s, 1, 2));
    CHECK(db_bind_text(s, 2, "a"));
    err = (struct pc_err){0};
    int64_t rc = db_run(s, &err);
    assert_int_equal(rc, PC_ECONFLICT);
    assert_int_equal(err.code, PC_ECONFLICT);
    assert_true(strlen(err.msg) > 0);
    /* primary key too */
    s = prep(c, "INSERT INTO t_uniq (id, name) VALUES (?, ?)");
    CHECK(db_bind_int(s, 1, 1));
    CHECK(db_bind_text(s, 2, "b"));
    err = (struct pc_err){0};
    assert_int_equal(db_step(s, &err), PC_ECONFLICT);
    /* NOT NULL is a different failure, not a conflict */
    s = prep(c, "INSERT INTO t_uniq (id, name) VALUES (?, ?)");
    CHECK(db_bind_int(s, 1, 3));
    CHECK(db_bind_null(s, 2));
    err = (struct pc_err){0};
    rc = db_run(s, &err);
    assert_true(rc < 0);
    assert_true(rc != PC_ECONFLICT);
    /* the same statement works again with good values */
    s = prep(c, "INSERT INTO t_uniq (id, name) VALUES (?, ?)");
    CHECK(db_bind_int(s, 1, 3));
    CHECK(db_bind_text(s, 2, "c"));
    assert_int_equal(db_run(s, &err), 1);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_uniq"), 2);
}

static void test_transactions(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    fresh_table(c, "t_tx");

    CHECK(db_begin(c, &err));
    assert_int_equal(db_begin(c, &err), PC_EINVAL); /* no nesting */
    insert_row(c, "t_tx", 1, "rolled-back", NULL);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_tx"), 1); /* visible inside */
    assert_int_equal(db_rollback(c), 0);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_tx"), 0);

    CHECK(db_begin(c, &err));
    insert_row(c, "t_tx", 2, "kept", NULL);
    insert_row(c, "t_tx", 3, "kept too", NULL);
    CHECK(db_commit(c, &err));
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_tx"), 2);

    /* rollback without a transaction is harmless */
    assert_int_equal(db_rollback(c), 0);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_tx"), 2);

    /* a failed statement inside a transaction, then rollback */
    CHECK(db_begin(c, &err));
    insert_row(c, "t_tx", 4, "gone", NULL);
    struct db_stmt *s = prep(c, "INSERT INTO t_tx (id, name) VALUES (?, ?)");
    CHECK(db_bind_int(s, 1, 5));
    CHECK(db_bind_text(s, 2, "kept"));
    assert_int_equal(db_run(s, &err), PC_ECONFLICT);
    db_rollback(c);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_tx"), 2);

    /* a new transaction can start after all that */
    CHECK(db_begin(c, &err));
    insert_row(c, "t_tx", 6, "last", NULL);
    CHECK(db_commit(c, &err));
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_tx"), 3);

    /* a commit is visible to another connection; a rollback never was */
    struct pc_err e2 = {0};
    struct db *other = db_open(f->url, &e2);
    if (!other)
        fail_msg("second db_open: %s", e2.msg);
    struct db_conn *c2 = db_conn_get(other, &e2);
    assert_non_null(c2);
    assert_true(c2 != c);
    assert_int_equal(query_int(c2, "SELECT COUNT(*) FROM t_tx"), 3);
    assert_int_equal(query_int(c2, "SELECT COUNT(*) FROM t_tx WHERE name = 'rolled-back' OR name = 'gone'"), 0);
    db_close(other);
}

static void test_statement_cache(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    fresh_table(c, "t_cache");
    insert_row(c, "t_cache", 1, "a", NULL);
    insert_row(c, "t_cache", 2, "b", NULL);
    insert_row(c, "t_cache", 3, "c", NULL);

    const char *sql = "SELECT id FROM t_cache ORDER BY id";
    struct db_stmt *s1 = prep(c, sql);
    assert_int_equal(db_step(s1, &err), 1);
    assert_int_equal(db_col_int(s1, 0), 1);
    assert_int_equal(db_step(s1, &err), 1);
    assert_int_equal(db_col_int(s1, 0), 2);
    /* the same SQL gives the same statement, back at its start */
    struct db_stmt *s2 = prep(c, sql);
    assert_ptr_equal(s1, s2);
    assert_int_equal(db_step(s2, &err), 1);
    assert_int_equal(db_col_int(s2, 0), 1);
    drain(s2);
    /* a different text is a different statement */
    char other[64];
    snprintf(other, sizeof other, "%s ", sql);
    struct db_stmt *s3 = prep(c, other);
    assert_ptr_not_equal(s1, s3);

    /* bindings are cleared by the next prepare */
    const char *cnt = "SELECT COUNT(*) FROM t_cache WHERE name = ?";
    struct db_stmt *b = prep(c, cnt);
    CHECK(db_bind_text(b, 1, "b"));
    assert_int_equal(db_step(b, &err), 1);
    assert_int_equal(db_col_int(b, 0), 1);
    b = prep(c, cnt);
    assert_int_equal(db_step(b, &err), 1);
    assert_int_equal(db_col_int(b, 0), 0); /* name = NULL matches nothing */
    drain(b);

    /* many distinct statements (dynamic SQL) still work */
    for (int i = 0; i < 700; i++) {
        char q[64];
        snprintf(q, sizeof q, "SELECT %d + id FROM t_cache WHERE id = 1", i);
        assert_int_equal(query_int(c, q), i + 1);
    }
    /* and the first one still answers correctly */
    s1 = prep(c, sql);
    assert_int_equal(db_step(s1, &err), 1);
    assert_int_equal(db_col_int(s1, 0), 1);
    drain(s1);
}

/* Run fn in a child process with its own connection (so that a crash is a
 * failed test, not a dead test binary); returns the child's wait status. */
static int in_child(struct fixture *f, void (*fn)(struct db *db))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct pc_err err = {0};
        struct db *db = db_open(f->url, &err);
        if (!db)
            _exit(3);
        fn(db);
        _exit(0); /* no cleanup: the parent owns the files and connections */
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return st;
}

static void held_statement_survives(struct db *db)
{
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(db, &err);
    struct db_stmt *held = db_prepare(c, "SELECT id FROM t_held ORDER BY id", &err);
    if (!held || db_step(held, &err) != 1 || db_col_int(held, 0) != 1)
        _exit(4);
    for (int i = 0; i < 600; i++) {
        char q[64];
        snprintf(q, sizeof q, "SELECT %d", i);
        struct db_stmt *s = db_prepare(c, q, &err);
        if (!s || db_step(s, &err) != 1 || db_col_int(s, 0) != i || db_step(s, &err) != 0)
            _exit(5);
    }
    if (db_step(held, &err) != 1 || db_col_int(held, 0) != 2)
        _exit(6);
    if (db_step(held, &err) != 0)
        _exit(7);
}

/* Regression (was a bug in src/db/db.c, db_prepare): when the per-connection cache holds
 * STMT_CACHE_MAX statements, preparing a new SQL text calls
 * stmt_cache_clear(), which finalizes and frees EVERY cached statement —
 * including one the caller is still stepping (a nested query: iterate rows,
 * prepare another statement per row).  The held struct db_stmt is then used
 * after free.  cat_find_services produces over a thousand distinct SQL texts
 * (filters × number of words), so requests can fill the cache.  Fix: evict
 * only statements that are not in use — those whose `active` flag is false
 * (or an LRU over them) — instead of clearing everything.
 * The check runs in a child process: with ASan the use after free aborts. */
static void test_cache_eviction_keeps_held_statement(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = conn(f);
    fresh_table(c, "t_held");
    insert_row(c, "t_held", 1, "a", NULL);
    insert_row(c, "t_held", 2, "b", NULL);
    int st = in_child(f, held_statement_survives);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("a statement held while 600 others were prepared broke: %s %d",
                 WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

static void test_placeholders_in_literals(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    struct db_stmt *s = prep(c, "SELECT 'what?', ?, 'it''s ?', ? || '?'");
    CHECK(db_bind_text(s, 1, "one"));
    CHECK(db_bind_text(s, 2, "two"));
    assert_int_equal(db_step(s, &err), 1);
    assert_int_equal(db_column_count(s), 4);
    assert_string_equal(db_col_text(s, 0), "what?");
    assert_string_equal(db_col_text(s, 1), "one");
    assert_string_equal(db_col_text(s, 2), "it's ?");
    assert_string_equal(db_col_text(s, 3), "two?");
    assert_int_equal(db_step(s, &err), 0);

    fresh_table(c, "t_q");
    s = prep(c, "INSERT INTO t_q (id, name, note) VALUES (?, '?', ?)");
    CHECK(db_bind_int(s, 1, 1));
    CHECK(db_bind_text(s, 2, "note?"));
    assert_int_equal(db_run(s, &err), 1);
    s = prep(c, "SELECT name, note FROM t_q WHERE id = ? AND name = '?'");
    CHECK(db_bind_int(s, 1, 1));
    assert_int_equal(db_step(s, &err), 1);
    assert_string_equal(db_col_text(s, 0), "?");
    assert_string_equal(db_col_text(s, 1), "note?");
    drain(s);
    /* many parameters in one statement */
    s = prep(c, "SELECT CAST(? AS INTEGER) + CAST(? AS INTEGER) + CAST(? AS INTEGER) + CAST(? AS INTEGER)"
                " + CAST(? AS INTEGER) + CAST(? AS INTEGER) + CAST(? AS INTEGER) + CAST(? AS INTEGER)"
                " + CAST(? AS INTEGER) + CAST(? AS INTEGER) + CAST(? AS INTEGER) + CAST(? AS INTEGER)");
    for (int i = 1; i <= 12; i++)
        CHECK(db_bind_int(s, i, i));
    assert_int_equal(db_step(s, &err), 1);
    assert_int_equal(db_col_int(s, 0), 78);
    drain(s);
}



/* Read one row of a two-row result and stop: the statement stays active. */
static struct db_stmt *half_read(struct db_conn *c, const char *table)
{
    struct pc_err err = {0};
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE id >= ? ORDER BY id", table);
    struct db_stmt *s = prep(c, sql);
    CHECK(db_bind_int(s, 1, 0));
    assert_int_equal(db_step(s, &err), 1);
    return s;
}

/* Another handle on the same database (as another process would be)
 * inserts a row and commits. */
static void other_inserts(struct fixture *f, const char *table, int64_t id)
{
    struct pc_err err = {0};
    struct db *other = db_open(f->url, &err);
    if (!other)
        fail_msg("second db_open: %s", err.msg);
    struct db_conn *c2 = db_conn_get(other, &err);
    assert_non_null(c2);
    char name[32];
    snprintf(name, sizeof name, "other-%lld", (long long)id);
    insert_row(c2, table, id, name, NULL);
    db_close(other);
}

/* db_conn_idle / db_idle end half-read statements: the connection then sees
 * other connections' commits. */
static void test_idle_after_half_read(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = conn(f);
    fresh_table(c, "t_idle");
    insert_row(c, "t_idle", 1, "one", NULL);
    insert_row(c, "t_idle", 2, "two", NULL);

    half_read(c, "t_idle");
    other_inserts(f, "t_idle", 3);
    db_conn_idle(c);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_idle"), 3);

    half_read(c, "t_idle");
    other_inserts(f, "t_idle", 4);
    db_idle(f->db); /* the end of a request */
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_idle"), 4);
    /* idle with nothing active, and on a thread without a connection */
    db_conn_idle(c);
    db_conn_release_thread(f->db);
    db_idle(f->db);
    assert_int_equal(query_int(conn(f), "SELECT COUNT(*) FROM t_idle"), 4);
}

/* db_begin ends half-read statements itself, so a write transaction starts
 * even after another connection committed. */
static void test_begin_after_half_read(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    fresh_table(c, "t_begin");
    insert_row(c, "t_begin", 1, "one", NULL);
    insert_row(c, "t_begin", 2, "two", NULL);
    half_read(c, "t_begin");
    other_inserts(f, "t_begin", 3);
    int rc = db_begin(c, &err);
    if (rc)
        fail_msg("db_begin after another connection's commit: %d %s", rc, err.msg);
    insert_row(c, "t_begin", 4, "four", NULL);
    CHECK(db_commit(c, &err));
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_begin"), 4);
}

/* Regression (was a bug in src/db/db.c / src/db/sqlite.c): db_begin resets half-read
 * statements, but a single write in autocommit mode (db_run without
 * db_begin) does not.  If the connection read one row of a SELECT and
 * another connection committed since, SQLite refuses the write at once with
 * SQLITE_BUSY_SNAPSHOT ("database is locked") — the busy timeout does not
 * help.  The identity code does exactly this: id_session_lookup reads the
 * session row (not to the end) and then runs UPDATE sessions SET
 * last_seen_at in autocommit mode, so with concurrent logins the refresh
 * is silently lost (account.c, person.c, recovery.c have autocommit writes
 * too).  Fix: before stepping a statement that writes while the connection
 * is in autocommit mode, reset the other active statements, as db_begin
 * does (SQLite: !sqlite3_stmt_readonly(st) && sqlite3_get_autocommit(db));
 * or run such writes inside db_begin/db_commit. */
static void test_autocommit_write_after_half_read(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    fresh_table(c, "t_auto");
    insert_row(c, "t_auto", 1, "one", NULL);
    insert_row(c, "t_auto", 2, "two", NULL);
    half_read(c, "t_auto");
    other_inserts(f, "t_auto", 3);
    struct db_stmt *w = prep(c, "UPDATE t_auto SET note = ? WHERE id = ?");
    CHECK(db_bind_text(w, 1, "seen"));
    CHECK(db_bind_int(w, 2, 1));
    int64_t n = db_run(w, &err);
    char msg[256];
    snprintf(msg, sizeof msg, "%s", err.msg);
    db_conn_idle(c);
    if (n != 1)
        fail_msg("autocommit UPDATE after a half-read SELECT and another connection's commit: %lld (%s)",
                 (long long)n, msg);
}

struct lock_arg {
    struct fixture *f;
    int64_t locked_at, committed_at;
    int rc;
};

static void *lock_thread(void *p)
{
    struct lock_arg *t = p;
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(t->f->db, &err);
    t->rc = -100;
    if (!c)
        return NULL;
    if ((t->rc = db_begin(c, &err)) || (t->rc = db_xact_lock(c, 4242, &err))) {
        db_rollback(c);
        return NULL;
    }
    t->locked_at = pc_mono_usec();
    struct db_stmt *s = db_prepare(c, "INSERT INTO t_lock (id, name) VALUES (2, 'thread')", &err);
    t->rc = s && db_run(s, &err) == 1 ? 0 : -101;
    if (!t->rc)
        t->rc = db_commit(c, &err);
    else
        db_rollback(c);
    t->committed_at = pc_mono_usec();
    return NULL;
}

/* db_xact_lock: only inside a transaction; writers holding the same key
 * take turns (PostgreSQL advisory lock; SQLite's write lock). */
static void test_xact_lock(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    fresh_table(c, "t_lock");
    assert_int_equal(db_xact_lock(c, 4242, &err), PC_EINVAL);
    CHECK(db_begin(c, &err));
    CHECK(db_xact_lock(c, 4242, &err));
    CHECK(db_xact_lock(c, 4242, &err)); /* again in the same transaction */
    insert_row(c, "t_lock", 1, "main", NULL);

    struct lock_arg arg = {.f = f};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, lock_thread, &arg), 0);
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    int64_t main_commit = pc_mono_usec();
    CHECK(db_commit(c, &err));
    pthread_join(th, NULL);
    assert_int_equal(arg.rc, 0);
    /* the thread got the lock only after the main thread committed */
    assert_true(arg.locked_at >= main_commit);
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_lock"), 2);
    /* the lock ended with the transaction */
    CHECK(db_begin(c, &err));
    CHECK(db_xact_lock(c, 4242, &err));
    db_rollback(c);
}

/* Regression (was a bug in src/db/postgres.c, rewrite_placeholders): only single quotes are
 * tracked, so a `?` inside a double-quoted identifier becomes $n, and an
 * apostrophe inside a -- or / * * / comment flips the "quoted" state so that
 * the real placeholders after it are not rewritten.  SQLite handles both.
 * Fix: also skip "…" identifiers, -- … end-of-line and / * … * / comments
 * (and size the output buffer for 4+ digit numbers, or check n first). */
static void test_placeholders_in_identifiers_and_comments(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    struct db_stmt *s = db_prepare(c, "SELECT CAST(? AS INTEGER) AS \"why?\" -- isn't that odd?\n"
                                      ", CAST(? AS INTEGER) /* it's ? */ AS b", &err);
    if (!s)
        fail_msg("db_prepare: %s", err.msg);
    CHECK(db_bind_int(s, 1, 5));
    CHECK(db_bind_int(s, 2, 6));
    int rc = db_step(s, &err);
    if (rc != 1)
        fail_msg("db_step = %d: %s", rc, err.msg);
    assert_int_equal(db_col_int(s, 0), 5);
    assert_int_equal(db_col_int(s, 1), 6);
    drain(s);
}


/* Another connection's commit is visible to this connection, and this
 * connection can still write afterwards — provided its statements were
 * stepped to the end.  (A statement left after its first row keeps SQLite's
 * read transaction open: stale reads, and every later write on that
 * connection fails with "database is locked" until db_conn_idle/db_begin
 * resets it — see the tests below.) */
static void test_other_connections_commit(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = conn(f);
    fresh_table(c, "t_snap");
    insert_row(c, "t_snap", 1, "one", NULL);
    insert_row(c, "t_snap", 2, "two", NULL);
    /* read, to the end */
    struct db_stmt *s = prep(c, "SELECT id, name FROM t_snap WHERE id >= ? ORDER BY id");
    CHECK(db_bind_int(s, 1, 1));
    assert_int_equal(db_step(s, &err), 1);
    assert_int_equal(db_step(s, &err), 1);
    assert_int_equal(db_step(s, &err), 0);

    struct pc_err e2 = {0};
    struct db *other = db_open(f->url, &e2);
    if (!other)
        fail_msg("second db_open: %s", e2.msg);
    insert_row(db_conn_get(other, &e2), "t_snap", 3, "from another connection", NULL);
    db_close(other);

    /* this connection sees it */
    assert_int_equal(query_int(c, "SELECT COUNT(*) FROM t_snap"), 3);
    /* a single write in autocommit mode */
    struct db_stmt *w = db_prepare(c, "INSERT INTO t_snap (id, name) VALUES (4, 'four')", &err);
    int64_t rc_auto = w ? db_run(w, &err) : -1;
    char msg_auto[256];
    snprintf(msg_auto, sizeof msg_auto, "%s", err.msg);
    /* and a transaction */
    err = (struct pc_err){0};
    int rc_begin = db_begin(c, &err);
    char msg[256];
    snprintf(msg, sizeof msg, "%s", err.msg);
    int64_t rc_ins = -1;
    int rc_commit = -1;
    if (rc_begin == 0) {
        w = db_prepare(c, "INSERT INTO t_snap (id, name) VALUES (5, 'five')", &err);
        rc_ins = w ? db_run(w, &err) : -1;
        snprintf(msg, sizeof msg, "%s", err.msg);
        rc_commit = rc_ins == 1 ? db_commit(c, &err) : (db_rollback(c), -1);
    }
    /* whatever happened, give this thread a fresh connection */
    db_conn_release_thread(f->db);

    if (rc_auto != 1 || rc_begin != 0 || rc_ins != 1 || rc_commit != 0)
        fail_msg("writes after another connection's commit failed: autocommit insert %lld (%s); "
                 "begin %d, insert %lld, commit %d (%s)",
                 (long long)rc_auto, msg_auto, rc_begin, (long long)rc_ins, rc_commit, msg);
    assert_int_equal(query_int(conn(f), "SELECT COUNT(*) FROM t_snap"), 5);
}

struct thread_arg {
    struct fixture *f;
    pthread_barrier_t *barrier;
    int idx;
    struct db_conn *conn;
    int64_t count;
    int ok;
};

static void *thread_main(void *p)
{
    struct thread_arg *t = p;
    struct pc_err err = {0};
    t->conn = db_conn_get(t->f->db, &err);
    if (t->conn && db_conn_get(t->f->db, &err) == t->conn) {
        struct db_stmt *s = db_prepare(t->conn, "SELECT COUNT(*) FROM t_thr", &err);
        if (s && db_step(s, &err) == 1) {
            t->count = db_col_int(s, 0);
            t->ok = db_step(s, &err) == 0;
        }
        s = db_prepare(t->conn, "INSERT INTO t_thr (id, name) VALUES (?, ?)", &err);
        char name[32];
        snprintf(name, sizeof name, "thread-%d", t->idx);
        if (!s || db_bind_int(s, 1, 10 + t->idx) || db_bind_text(s, 2, name) ||
            db_run(s, &err) != 1)
            t->ok = 0;
    }
    /* both threads hold their connection at the same time */
    pthread_barrier_wait(t->barrier);
    return NULL;
}

static void test_connection_per_thread(void **state)
{
    struct fixture *f = *state;
    struct db_conn *main_conn = conn(f);
    fresh_table(main_conn, "t_thr");
    insert_row(main_conn, "t_thr", 1, "main", NULL);

    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, 3);
    struct thread_arg args[2] = {{.f = f, .barrier = &barrier, .idx = 1}, {.f = f, .barrier = &barrier, .idx = 2}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&barrier);

    for (int i = 0; i < 2; i++) {
        assert_non_null(args[i].conn);
        assert_true(args[i].ok);
        assert_true(args[i].count >= 1);
        assert_ptr_not_equal(args[i].conn, main_conn);
    }
    assert_ptr_not_equal(args[0].conn, args[1].conn);
    /* the main thread keeps its own connection and sees both inserts */
    assert_ptr_equal(conn(f), main_conn);
    assert_int_equal(query_int(main_conn, "SELECT COUNT(*) FROM t_thr"), 3);
}

static void test_release_thread(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = conn(f);
    assert_int_equal(query_int(c, "SELECT 41 + 1"), 42);
    db_conn_release_thread(f->db);
    struct db_conn *c2 = conn(f);
    assert_non_null(c2);
    assert_int_equal(query_int(c2, "SELECT 40 + 2"), 42);
    assert_ptr_equal(conn(f), c2);
}

#define TESTS(prefix)                                                        \
    {                                                                        \
        cmocka_unit_test(test_kind),                                         \
        cmocka_unit_test(test_migrate_idempotent),                           \
        cmocka_unit_test(test_statements_and_columns),                       \
        cmocka_unit_test(test_errors),                                       \
        cmocka_unit_test(test_bind_failure_is_sticky),                       \
        cmocka_unit_test(test_query_builder),                                \
        cmocka_unit_test(test_lease_one_holder_at_a_time),                   \
        cmocka_unit_test(test_dead_idle_connection_replaced),                \
        cmocka_unit_test(test_begin_on_dead_connection),                     \
        cmocka_unit_test(test_unique_conflict),                              \
        cmocka_unit_test(test_transactions),                                 \
        cmocka_unit_test(test_statement_cache),                              \
        cmocka_unit_test(test_placeholders_in_literals),                     \
        cmocka_unit_test(test_placeholders_in_identifiers_and_comments),     \
        cmocka_unit_test(test_connection_per_thread),                        \
        cmocka_unit_test(test_release_thread),                               \
        cmocka_unit_test(test_other_connections_commit),                     \
        cmocka_unit_test(test_idle_after_half_read),                         \
        cmocka_unit_test(test_begin_after_half_read),                        \
        cmocka_unit_test(test_autocommit_write_after_half_read),             \
        cmocka_unit_test(test_xact_lock),                                    \
        cmocka_unit_test(test_cache_eviction_keeps_held_statement),          \
    }

int main(void)
{
    int failed = 0;
    const struct CMUnitTest common[] = {
        cmocka_unit_test(test_open_errors),
    };
    failed += cmocka_run_group_tests_name("db", common, NULL, NULL);

    const struct CMUnitTest sqlite_tests[] = TESTS(sqlite);
    failed += cmocka_run_group_tests_name("db-sqlite", sqlite_tests, setup_sqlite, teardown_sqlite);

    if (pgdb_admin_url()) {
        const struct CMUnitTest pg_tests[] = TESTS(postgres);
        failed += cmocka_run_group_tests_name("db-postgres", pg_tests, setup_pg, teardown_pg);
    } else {
        printf("note: PENCERE_TEST_PG_URL is not set; the PostgreSQL half of test_db is skipped\n");
    }
    return failed;
}

/* sqlite.c — the SQLite backend: WAL journal, foreign keys on, a busy
 * timeout so concurrent writers wait instead of failing. */
#include "backend.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static int sqlite_error(sqlite3 *h, int rc, struct pc_err *err)
{
    int code = PC_EIO;
    if (rc == SQLITE_CONSTRAINT) {
        int ext = sqlite3_extended_errcode(h);
        code = (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
                   ? PC_ECONFLICT : PC_EINVAL;
    }
    return pc_err_set(err, code, "sqlite: %s", sqlite3_errmsg(h));
}

/* SQLite's memory statistics take a global mutex on every allocation;
 * nothing here reads them.  Must run before SQLite initialises. */
static pthread_once_t sq_once = PTHREAD_ONCE_INIT;

static void sq_global_init(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static void *sq_conn_open(const char *url, struct pc_err *err)
{
    pthread_once(&sq_once, sq_global_init);
    const char *path = pc_str_has_prefix(url, "sqlite:") ? url + 7 : url;
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        pc_err_set(err, PC_EIO, "sqlite: cannot open %s: %s", path, h ? sqlite3_errmsg(h) : "out of memory");
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_busy_timeout(h, 10000);
    static const char setup[] =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=FULL;"
        "PRAGMA foreign_keys=ON;";
    char *msg = NULL;
    if (sqlite3_exec(h, setup, NULL, NULL, &msg) != SQLITE_OK) {
        pc_err_set(err, PC_EIO, "sqlite: %s", msg ? msg : "setup failed");
        sqlite3_free(msg);
        sqlite3_close(h);
        return NULL;
    }
    return h;
}

static void sq_conn_close(void *conn)
{
    sqlite3_close_v2(conn);
}

static int sq_exec(void *conn, const char *sql, struct pc_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(conn, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int r = sqlite_error(conn, rc, NULL);
        pc_err_set(err, r, "sqlite: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return r;
    }
    return 0;
}

static void *sq_prepare(void *conn, const char *sql, struct pc_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite_error(conn, rc, err);
        return NULL;
    }
    return st;
}

static void sq_finalize(void *st)
{
    sqlite3_finalize(st);
}

static void sq_reset(void *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static int sq_bind_text(void *st, int idx, const char *v, size_t n)
{
    return sqlite3_bind_text64(st, idx, v, n, SQLITE_TRANSIENT, SQLITE_UTF8) == SQLITE_OK ? 0 : PC_EINVAL;
}

static int sq_bind_int(void *st, int idx, int64_t v)
{
    return sqlite3_bind_int64(st, idx, v) == SQLITE_OK ? 0 : PC_EINVAL;
}

static int sq_bind_null(void *st, int idx)
{
    return sqlite3_bind_null(st, idx) == SQLITE_OK ? 0 : PC_EINVAL;
}

static int sq_bind_blob(void *st, int idx, const void *v, size_t n)
{
    return sqlite3_bind_blob64(st, idx, v, n, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : PC_EINVAL;
}

static int sq_step(void *st, struct pc_err *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    sqlite3 *h = sqlite3_db_handle(st);
    int r = sqlite_error(h, sqlite3_errcode(h), err);
    sqlite3_reset(st);
    return r;
}

static int64_t sq_changes(void *st)
{
    return sqlite3_changes64(sqlite3_db_handle(st));
}

static int sq_column_count(void *st)
{
    return sqlite3_column_count(st);
}

static const char *sq_col_text(void *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static int64_t sq_col_int(void *st, int i)
{
    return sqlite3_column_int64(st, i);
}

static bool sq_col_is_null(void *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL;
}

static const void *sq_col_blob(void *st, int i, size_t *len)
{
    const void *p = sqlite3_column_blob(st, i);
    *len = (size_t)sqlite3_column_bytes(st, i);
    return p ? p : sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : ""; /* "" for an empty blob */
}

const struct db_backend db_sqlite_backend = {
    .name = "sqlite",
    .kind = DB_SQLITE,
    .conn_open = sq_conn_open,
    .conn_close = sq_conn_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .bind_text = sq_bind_text,
    .bind_int = sq_bind_int,
    .bind_null = sq_bind_null,
    .bind_blob = sq_bind_blob,
    .step = sq_step,
    .changes = sq_changes,
    .column_count = sq_column_count,
    .col_text = sq_col_text,
    .col_int = sq_col_int,
    .col_is_null = sq_col_is_null,
    .col_blob = sq_col_blob,
    .xact_lock = NULL, /* BEGIN IMMEDIATE already serialises writers */
};

/*
 * db.h — the storage interface.  Two backends sit behind it: SQLite (a file
 * path, the default) and PostgreSQL (a postgres:// or postgresql:// URL).
 * Nothing outside src/db knows which one is in use.
 *
 * Model:
 *  - struct db is shared by all threads; it owns the backend and the URL.
 *  - db_conn_get() returns the calling thread's own connection, opened on
 *    first use and kept until db_close() (a connection per worker thread).
 *  - SQL is written once with `?` placeholders; the PostgreSQL backend
 *    rewrites them to $1, $2, ….  Only prepared statements with bound
 *    parameters are used; statements are cached per connection by their
 *    SQL text, so db_prepare() on a hot path costs a hash lookup.
 *  - Values cross the interface as text, 64-bit integers or NULL.
 *    Booleans are stored as integers 0/1 on both backends.
 *
 * Every function returns 0 (or a row flag) on success and a negative
 * PC_E* code on failure, with the message in err.
 */
#ifndef PC_DB_H
#define PC_DB_H

#include "../base/base.h"

struct db;
struct db_conn;
struct db_stmt;

enum db_kind { DB_SQLITE, DB_POSTGRES };

/* Keys of db_xact_lock, one per sequence that must not interleave. */
#define DB_LOCK_MIGRATIONS 724200101
#define DB_LOCK_AUDIT 724200102

/* Open a database by URL: "postgres://…" / "postgresql://…" select
 * PostgreSQL, anything else is a SQLite file path.  Does not migrate. */
struct db *db_open(const char *url, struct pc_err *err);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);
const char *db_kind_name(const struct db *db);

/* The calling thread's connection (opened lazily).  NULL on failure. */
struct db_conn *db_conn_get(struct db *db, struct pc_err *err);
/* Close the calling thread's connection now (e.g. a worker thread ends). */
void db_conn_release_thread(struct db *db);

/* Apply every migration newer than the database's version, each in its own
 * transaction.  Safe to call from several nodes at once on PostgreSQL
 * (an advisory lock serialises them). */
int db_migrate(struct db *db, struct pc_err *err);
/* The highest applied migration version, or a negative code. */
int db_schema_version(struct db *db, struct pc_err *err);

/* Reset every statement of the connection that was left part-way through
 * its rows.  On SQLite such a statement holds a read snapshot: later reads
 * on the connection would not see other connections' commits, and a write
 * transaction could not start.  db_begin does this itself; a server calls
 * db_idle at the end of every request (it acts on the calling thread's
 * connection). */
void db_conn_idle(struct db_conn *c);
void db_idle(struct db *db);

/* Run SQL without parameters or results (DDL, PRAGMA, BEGIN, …). */
int db_exec(struct db_conn *c, const char *sql, struct pc_err *err);

int db_begin(struct db_conn *c, struct pc_err *err);
/* Inside a transaction: wait for and hold the lock `key` until it ends, so
 * that writers of one sequence (migrations, the audit chain) take turns
 * across nodes.  A no-op on SQLite, whose write transactions are exclusive. */
int db_xact_lock(struct db_conn *c, int64_t key, struct pc_err *err);
int db_commit(struct db_conn *c, struct pc_err *err);
int db_rollback(struct db_conn *c);
/* End a transaction by its outcome: roll back and return rc if it is an
 * error, else commit (and return the commit's result). */
int db_end(struct db_conn *c, int rc, struct pc_err *err);

/* Prepare (or fetch from the cache) a statement.  The statement is reset
 * and its bindings cleared; it belongs to the connection: do not free. */
struct db_stmt *db_prepare(struct db_conn *c, const char *sql, struct pc_err *err);

/* Bind parameter idx (1-based).  Text is copied. */
int db_bind_text(struct db_stmt *s, int idx, const char *v);
int db_bind_textn(struct db_stmt *s, int idx, const char *v, size_t n);
int db_bind_int(struct db_stmt *s, int idx, int64_t v);
int db_bind_null(struct db_stmt *s, int idx);

/* Advance: 1 = a row is available, 0 = done, < 0 = error.  A unique-key
 * violation is reported as PC_ECONFLICT. */
int db_step(struct db_stmt *s, struct pc_err *err);
/* Run a statement that returns no rows; returns rows changed or < 0. */
int64_t db_run(struct db_stmt *s, struct pc_err *err);

int db_column_count(struct db_stmt *s);
/* Column i (0-based) of the current row.  Text stays valid until the next
 * db_step/db_prepare of this statement; NULL for SQL NULL. */
const char *db_col_text(struct db_stmt *s, int i);
int64_t db_col_int(struct db_stmt *s, int i);
bool db_col_is_null(struct db_stmt *s, int i);

/* The backend vtable: each backend fills one of these (curl's vtls idea). */
struct db_backend {
    const char *name;
    enum db_kind kind;
    void *(*conn_open)(const char *url, struct pc_err *err);
    void (*conn_close)(void *conn);
    int (*exec)(void *conn, const char *sql, struct pc_err *err);
    void *(*prepare)(void *conn, const char *sql, struct pc_err *err);
    void (*finalize)(void *stmt);
    void (*reset)(void *stmt);
    int (*bind_text)(void *stmt, int idx, const char *v, size_t n);
    int (*bind_int)(void *stmt, int idx, int64_t v);
    int (*bind_null)(void *stmt, int idx);
    int (*step)(void *stmt, struct pc_err *err);
    int64_t (*changes)(void *stmt);
    int (*column_count)(void *stmt);
    const char *(*col_text)(void *stmt, int i);
    int64_t (*col_int)(void *stmt, int i);
    bool (*col_is_null)(void *stmt, int i);
    /* Is the connection still usable (after an error)?  NULL: always. */
    bool (*healthy)(void *conn);
    /* Take a lock named by key until the transaction ends (may be NULL
     * where a write transaction is already exclusive, as on SQLite). */
    int (*xact_lock)(void *conn, int64_t key, struct pc_err *err);
};

extern const struct db_backend db_sqlite_backend;
extern const struct db_backend db_postgres_backend;

#endif

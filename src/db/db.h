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

#include <pthread.h>

struct db;
struct db_conn;
struct db_stmt;

enum db_kind { DB_SQLITE, DB_POSTGRES };

/* Keys of db_xact_lock, one per sequence that must not interleave.  Each
 * module that needs one defines its own key in 7242001NN (this one is the
 * storage layer's own). */
#define DB_LOCK_MIGRATIONS 724200101

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

/* Append the storage layer's Prometheus metrics: open connections, those
 * in a transaction, connections opened, lost and replaced. */
void db_metrics_write(struct db *db, struct pc_buf *out);

/* Run SQL without parameters or results (DDL, PRAGMA, BEGIN, …). */
int db_exec(struct db_conn *c, const char *sql, struct pc_err *err);

int db_begin(struct db_conn *c, struct pc_err *err);
/* Inside a transaction: wait for and hold the lock `key` until it ends, so
 * that writers of one sequence (migrations, the audit chain) take turns
 * across nodes.  A no-op on SQLite, whose write transactions are exclusive. */
int db_xact_lock(struct db_conn *c, int64_t key, struct pc_err *err);
/* The same lock shared: any number of transactions hold it together,
 * and db_xact_lock on the key waits until all of them have ended (votes
 * share it; the count at a poll's closing takes it alone). */
int db_xact_lock_shared(struct db_conn *c, int64_t key, struct pc_err *err);
int db_commit(struct db_conn *c, struct pc_err *err);
int db_rollback(struct db_conn *c);
/* End a transaction by its outcome: roll back and return rc if it is an
 * error, else commit (and return the commit's result). */
int db_end(struct db_conn *c, int rc, struct pc_err *err);

/* Prepare (or fetch from the cache) a statement.  The statement is reset
 * and its bindings cleared; it belongs to the connection: do not free. */
struct db_stmt *db_prepare(struct db_conn *c, const char *sql, struct pc_err *err);

/* Bind parameter idx (1-based).  Text is copied.  A failed bind is kept by
 * the statement: its next db_step/db_run fails with a message naming the
 * parameter, so the results need not be checked one by one. */
int db_bind_text(struct db_stmt *s, int idx, const char *v);
int db_bind_textn(struct db_stmt *s, int idx, const char *v, size_t n);
int db_bind_int(struct db_stmt *s, int idx, int64_t v);
int db_bind_null(struct db_stmt *s, int idx);
/* Bytes (BLOB on SQLite, BYTEA on PostgreSQL, sent as binary): copied. */
int db_bind_blob(struct db_stmt *s, int idx, const void *v, size_t n);

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
/* A BLOB/BYTEA column's bytes and length, valid like text but only until
 * the next db_col_blob of the statement; NULL for SQL NULL. */
const void *db_col_blob(struct db_stmt *s, int i, size_t *len);

/* ---- what a module keeps beside a database handle --------------------- */

/* A module may keep one object per database handle (the catalogue keeps
 * its in-memory snapshot there): made on first use, freed by db_close
 * before the connections are closed (so free_fn may stop a thread of its
 * own that uses one).
 * Slots are numbered like lock keys: each module that needs one defines
 * its own below DB_SLOTS. */
#define DB_SLOTS 8      /* 0 catalog, 2 payments, 3 and 4 monitor, 5 e-certificates, 6 participation, 7 queue */
/* The object in slot, made by make(db) on first use (once, whichever
 * thread comes first; later calls cost an atomic load).  NULL only when
 * make returned NULL. */
void *db_slot(struct db *db, int slot, void *(*make)(struct db *db), void (*free_fn)(void *obj));

/* ---- leases: one node of a deployment runs a background job ---------- */

/* Take or keep the lease `name` for holder until now + ttl: 1 = held
 * (*fresh set when it was just taken, so the job should first recover
 * what a previous holder left half done), 0 = another holder has it,
 * < 0 = error.  The table is the storage layer's (src/db owns it). */
int db_lease_acquire(struct db_conn *c, const char *name, const char *holder, int64_t now, int ttl, bool *fresh,
                     struct pc_err *err);
/* Extend a lease still held (not expired): 1, or 0 when it is lost. */
int db_lease_renew(struct db_conn *c, const char *name, const char *holder, int64_t now, int ttl,
                   struct pc_err *err);
/* Give it up now (a clean stop), so another node need not wait. */
int db_lease_release(struct db_conn *c, const char *name, const char *holder, struct pc_err *err);

/* A background job of a serving node: a thread that every interval_ms
 * takes or keeps the lease `name` (ttl lease_secs) and, while this node
 * holds it, runs step (fresh: the lease was just taken, so first recover
 * what a previous holder left half done).  A failed step is logged and
 * tried again next round.  db_job_stop waits for the step in hand and
 * gives the lease up.  Stop jobs before db_close. */
struct db_job;
struct db_job *db_job_start(struct db *db, const char *name, int interval_ms, int lease_secs,
                            int (*step)(struct db *db, void *ctx, bool fresh, struct pc_err *err), void *ctx,
                            struct pc_err *err);
void db_job_stop(struct db_job *j);

/* ---- group commit: many small writes, one transaction ----------------- */

/* Writers that arrive while a commit is under way queue up; the next one
 * to find the committer free writes the whole queue (BATCH_MAX at most)
 * in one transaction, each write in a savepoint of its own, so a failed
 * write is rolled back alone.  Each caller returns once its own write is
 * committed, or with its error: one fsync serves many writes and none is
 * less durable.  A module keeps one committer per kind of write. */
struct db_commit_item;
struct db_committer {
    pthread_mutex_t lock;
    pthread_cond_t done;
    struct db_commit_item *head, *tail;  /* waiting to be written */
    bool busy;                           /* a thread is committing a batch */
    int64_t batches;
};

void db_committer_init(struct db_committer *m);
void db_committer_release(struct db_committer *m);
/* Run write(c, arg) in a transaction shared with the writes that wait
 * meanwhile; 0 once committed, else write's error (or the commit's). */
int db_commit_group(struct db *db, struct db_committer *m,
                    int (*write)(struct db_conn *c, void *arg, struct pc_err *err), void *arg, struct pc_err *err);

/* A statement whose text is built at run time (filters that may or may not
 * apply).  Each fragment is appended with its value in one call, so the
 * order of placeholders and values cannot drift apart:
 *
 *     db_query_sql(&q, "SELECT … WHERE active = 1");
 *     if (f->agency) db_query_text(&q, " AND agency_id = ?", f->agency);
 *     s = db_query_prepare(c, &q, err);
 *
 * Values are borrowed until db_query_prepare.  A fragment whose number of
 * `?` differs from its values (0 or 1) makes prepare fail. */
#define DB_QUERY_MAX_PARAMS 96   /* the overdue inbox: a branch of 11 per open state (6) */

enum db_param_kind { DB_PARAM_NULL, DB_PARAM_TEXT, DB_PARAM_INT };
struct db_param {
    enum db_param_kind kind;
    const char *text;
    int64_t i;
};

struct db_query {
    struct pc_buf sql;
    struct db_param params[DB_QUERY_MAX_PARAMS];
    int n;
    const char *bad;     /* the first misuse, reported by prepare */
};

void db_query_init(struct db_query *q);
void db_query_release(struct db_query *q);
void db_query_sql(struct db_query *q, const char *fragment);
void db_query_text(struct db_query *q, const char *fragment, const char *value);
void db_query_int(struct db_query *q, const char *fragment, int64_t value);
/* Prepare and bind (the statement is the connection's, as db_prepare's). */
struct db_stmt *db_query_prepare(struct db_conn *c, const struct db_query *q, struct pc_err *err);

#endif

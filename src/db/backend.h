/*
 * backend.h — private to src/db: the table of functions each storage
 * backend fills (curl keeps its TLS backends behind vtls_int.h the same
 * way).  Nothing outside src/db includes this.
 */
#ifndef PC_DB_BACKEND_H
#define PC_DB_BACKEND_H

#include "db.h"

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
    int (*bind_blob)(void *stmt, int idx, const void *v, size_t n);
    int (*step)(void *stmt, struct pc_err *err);
    int64_t (*changes)(void *stmt);
    int (*column_count)(void *stmt);
    const char *(*col_text)(void *stmt, int i);
    int64_t (*col_int)(void *stmt, int i);
    bool (*col_is_null)(void *stmt, int i);
    const void *(*col_blob)(void *stmt, int i, size_t *len);
    /* Is the connection still usable (after an error)?  NULL: always. */
    bool (*healthy)(void *conn);
    /* Before reuse after idling: did the server go away meanwhile?  Must
     * not block or send anything (read what the socket holds).  NULL:
     * connections do not die on their own (SQLite). */
    bool (*alive)(void *conn);
    /* Take a lock named by key until the transaction ends, exclusive or
     * shared (may be NULL where a write transaction is already exclusive,
     * as on SQLite). */
    int (*xact_lock)(void *conn, int64_t key, bool shared, struct pc_err *err);
};

extern const struct db_backend db_sqlite_backend;
extern const struct db_backend db_postgres_backend;


#endif

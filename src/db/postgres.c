/* postgres.c — the PostgreSQL backend over libpq.  Statements are prepared
 * on the server once per connection (named s1, s2, …); `?` placeholders
 * are rewritten to $1, $2, …; parameters travel as text and the server
 * infers their types.  A result is fetched whole on the first step, so
 * queries page with LIMIT rather than streaming. */
#include "backend.h"

#include <errno.h>
#include <limits.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_MAX_PARAMS DB_QUERY_MAX_PARAMS   /* as many as a statement built at run time may have */

struct pg_conn {
    PGconn *pg;
    unsigned next_id;
};

struct pg_stmt {
    struct pg_conn *conn;
    char name[24];
    int nparams;
    char *vals[PG_MAX_PARAMS];
    int lens[PG_MAX_PARAMS], formats[PG_MAX_PARAMS]; /* formats[i] 1: vals[i] is lens[i] bytes */
    unsigned char *blob; /* the last column read by pg_col_blob, unescaped */
    PGresult *res;
    int row;      /* current row, -1 before the first */
    bool executed;
};

static int pg_result_error(PGresult *res, PGconn *pg, struct pc_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    int code = PC_EIO;
    if (state && strcmp(state, "23505") == 0)
        code = PC_ECONFLICT;
    else if (state && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0))
        code = PC_EINVAL; /* data exception or other integrity violation */
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(pg);
    pc_err_set(err, code, "postgres: %.*s", (int)strcspn(msg, "\n"), msg);
    return code;
}

static void *pg_conn_open(const char *url, struct pc_err *err)
{
    PGconn *pg = PQconnectdb(url);
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        /* The message names host and database but never the password. */
        const char *m = pg ? PQerrorMessage(pg) : "out of memory";
        pc_err_set(err, PC_EIO, "postgres: cannot connect: %.*s", (int)strcspn(m, "\n"), m);
        PQfinish(pg);
        return NULL;
    }
    PGresult *r = PQexec(pg, "SET client_encoding TO 'UTF8'; SET TIME ZONE 'UTC'; SET client_min_messages TO warning");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        pc_err_set(err, PC_EIO, "postgres: session setup failed: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    struct pg_conn *c = calloc(1, sizeof *c);
    if (!c) {
        PQfinish(pg);
        pc_err_set(err, PC_ENOMEM, "out of memory");
        return NULL;
    }
    c->pg = pg;
    return c;
}

static void pg_conn_close(void *conn)
{
    struct pg_conn *c = conn;
    PQfinish(c->pg);
    free(c);
}

static int pg_exec(void *conn, const char *sql, struct pc_err *err)
{
    struct pg_conn *c = conn;
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = pg_result_error(r, c->pg, err);
    PQclear(r);
    return rc;
}

/* Rewrite `?` to $n outside string literals, quoted identifiers and
 * comments; returns malloc'd SQL with the count in *n, or NULL (out of
 * memory, or more than PG_MAX_PARAMS placeholders: *n says how many). */
static char *rewrite_placeholders(const char *sql, int *n)
{
    size_t len = strlen(sql);
    *n = 0;
    for (int pass = 0; pass < 2; pass++) {
        char *out = pass ? malloc(len + (size_t)*n * 4 + 1) : NULL; /* "$96" is 2 more bytes than "?" */
        if (pass && !out)
            return NULL;
        size_t o = 0;
        int count = 0;
        char quote = 0;          /* ' or " while inside one */
        for (size_t i = 0; i < len; i++) {
            char ch = sql[i];
            if (!quote && ch == '-' && sql[i + 1] == '-') {
                while (i < len && sql[i] != '\n') {
                    if (pass) out[o++] = sql[i];
                    i++;
                }
                if (i < len && pass)
                    out[o++] = sql[i];
                continue;
            }
            if (!quote && ch == '/' && sql[i + 1] == '*') {
                const char *end = strstr(sql + i + 2, "*/");
                size_t stop = end ? (size_t)(end - sql) + 2 : len;
                if (pass) {
                    memcpy(out + o, sql + i, stop - i);
                    o += stop - i;
                }
                i = stop - 1;
                continue;
            }
            if (ch == '\'' || ch == '"') {
                if (!quote)
                    quote = ch;
                else if (quote == ch)
                    quote = 0;
            }
            if (ch == '?' && !quote) {
                count++;
                if (pass)
                    o += (size_t)sprintf(out + o, "$%d", count);
            } else if (pass) {
                out[o++] = ch;
            }
        }
        if (!pass) {
            *n = count;
            if (count > PG_MAX_PARAMS)
                return NULL;
        } else {
            out[o] = 0;
            return out;
        }
    }
    return NULL;
}

static void *pg_prepare(void *conn, const char *sql, struct pc_err *err)
{
    struct pg_conn *c = conn;
    int n;
    char *text = rewrite_placeholders(sql, &n);
    if (!text) {
        if (n > PG_MAX_PARAMS)
            pc_err_set(err, PC_EINVAL, "postgres: too many parameters (%d, at most %d)", n, PG_MAX_PARAMS);
        else
            pc_err_set(err, PC_ENOMEM, "out of memory");
        return NULL;
    }
    struct pg_stmt *s = calloc(1, sizeof *s);
    if (!s) {
        free(text);
        pc_err_set(err, PC_ENOMEM, "out of memory");
        return NULL;
    }
    s->conn = c;
    s->nparams = n;
    s->row = -1;
    snprintf(s->name, sizeof s->name, "s%u", ++c->next_id);
    PGresult *r = PQprepare(c->pg, s->name, text, 0, NULL);
    free(text);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        pg_result_error(r, c->pg, err);
        PQclear(r);
        free(s);
        return NULL;
    }
    PQclear(r);
    return s;
}

static void clear_params(struct pg_stmt *s)
{
    for (int i = 0; i < s->nparams; i++) {
        free(s->vals[i]);
        s->vals[i] = NULL;
        s->formats[i] = 0;
    }
}

static void pg_reset(void *stmt)
{
    struct pg_stmt *s = stmt;
    PQclear(s->res);
    s->res = NULL;
    PQfreemem(s->blob);
    s->blob = NULL;
    s->row = -1;
    s->executed = false;
    clear_params(s);
}

static void pg_finalize(void *stmt)
{
    struct pg_stmt *s = stmt;
    pg_reset(s);
    char sql[48];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
    PQclear(PQexec(s->conn->pg, sql));
    free(s);
}

static int set_param(struct pg_stmt *s, int idx, char *v)
{
    if (idx < 1 || idx > s->nparams) {
        free(v);
        return PC_EINVAL;
    }
    free(s->vals[idx - 1]);
    s->vals[idx - 1] = v;
    s->formats[idx - 1] = 0;
    return 0;
}

static int pg_bind_text(void *stmt, int idx, const char *v, size_t n)
{
    char *copy = malloc(n + 1);
    if (!copy)
        return PC_ENOMEM;
    memcpy(copy, v, n);
    copy[n] = 0;
    return set_param(stmt, idx, copy);
}

static int pg_bind_int(void *stmt, int idx, int64_t v)
{
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    return pg_bind_text(stmt, idx, tmp, strlen(tmp));
}

static int pg_bind_null(void *stmt, int idx)
{
    return set_param(stmt, idx, NULL);
}

/* Bytes go as a binary parameter: no escaping, no hex doubling. */
static int pg_bind_blob(void *stmt, int idx, const void *v, size_t n)
{
    struct pg_stmt *s = stmt;
    if (n > INT_MAX)
        return PC_ETOOBIG;
    char *copy = malloc(n ? n : 1);
    if (!copy)
        return PC_ENOMEM;
    memcpy(copy, v, n);
    int rc = set_param(s, idx, copy);
    if (!rc) {
        s->lens[idx - 1] = (int)n;
        s->formats[idx - 1] = 1;
    }
    return rc;
}

static int pg_step(void *stmt, struct pc_err *err)
{
    struct pg_stmt *s = stmt;
    PQfreemem(s->blob);
    s->blob = NULL;
    if (!s->executed) {
        s->executed = true;
        s->res = PQexecPrepared(s->conn->pg, s->name, s->nparams,
                                (const char *const *)s->vals, s->lens, s->formats, 0);
        ExecStatusType st = PQresultStatus(s->res);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            int rc = pg_result_error(s->res, s->conn->pg, err);
            PQclear(s->res);
            s->res = NULL;
            return rc;
        }
    }
    if (!s->res || PQresultStatus(s->res) != PGRES_TUPLES_OK)
        return 0;
    if (s->row + 1 >= PQntuples(s->res))
        return 0;
    s->row++;
    return 1;
}

static int64_t pg_changes(void *stmt)
{
    struct pg_stmt *s = stmt;
    const char *n = s->res ? PQcmdTuples(s->res) : "";
    return *n ? strtoll(n, NULL, 10) : 0;
}

static int pg_column_count(void *stmt)
{
    struct pg_stmt *s = stmt;
    return s->res ? PQnfields(s->res) : 0;
}

static const char *pg_col_text(void *stmt, int i)
{
    struct pg_stmt *s = stmt;
    if (!s->res || s->row < 0 || i >= PQnfields(s->res) || PQgetisnull(s->res, s->row, i))
        return NULL;
    return PQgetvalue(s->res, s->row, i);
}

static int64_t pg_col_int(void *stmt, int i)
{
    const char *v = pg_col_text(stmt, i);
    if (!v)
        return 0;
    if (v[0] == 't' && v[1] == 0)
        return 1; /* a boolean expression such as EXISTS(…) */
    return strtoll(v, NULL, 10);
}

static bool pg_col_is_null(void *stmt, int i)
{
    struct pg_stmt *s = stmt;
    return !s->res || s->row < 0 || PQgetisnull(s->res, s->row, i);
}

/* Results come as text: a BYTEA column is its hex form, unescaped here. */
static const void *pg_col_blob(void *stmt, int i, size_t *len)
{
    struct pg_stmt *s = stmt;
    const char *v = pg_col_text(stmt, i);
    *len = 0;
    if (!v)
        return NULL;
    PQfreemem(s->blob);
    s->blob = PQunescapeBytea((const unsigned char *)v, len);
    if (!s->blob)
        pc_oom(strlen(v) / 2);
    return s->blob;
}

static int pg_xact_lock(void *conn, int64_t key, bool shared, struct pc_err *err)
{
    /* e.g. one node migrates at a time; the others wait and then find the
     * version already applied. */
    char sql[80];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock%s(%lld)", shared ? "_shared" : "", (long long)key);
    return pg_exec(conn, sql, err);
}

static bool pg_healthy(void *conn)
{
    struct pg_conn *c = conn;
    return PQstatus(c->pg) == CONNECTION_OK;
}

/* An idle connection's socket has nothing to read: the server only talks
 * when asked (no LISTEN here).  A server that restarted or terminated the
 * backend has sent a FATAL message and closed the socket, so anything
 * readable (or a hang-up) means the connection is gone.  poll() with a zero
 * timeout neither blocks nor sends anything. */
static bool pg_alive(void *conn)
{
    struct pg_conn *c = conn;
    if (PQstatus(c->pg) != CONNECTION_OK)
        return false;
    struct pollfd p = {.fd = PQsocket(c->pg), .events = POLLIN};
    if (p.fd < 0)
        return false;
    int n = poll(&p, 1, 0);
    return n == 0 || (n < 0 && errno == EINTR);
}

const struct db_backend db_postgres_backend = {
    .name = "postgres",
    .kind = DB_POSTGRES,
    .conn_open = pg_conn_open,
    .conn_close = pg_conn_close,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .bind_text = pg_bind_text,
    .bind_int = pg_bind_int,
    .bind_null = pg_bind_null,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .changes = pg_changes,
    .column_count = pg_column_count,
    .col_text = pg_col_text,
    .col_int = pg_col_int,
    .col_is_null = pg_col_is_null,
    .col_blob = pg_col_blob,
    .xact_lock = pg_xact_lock,
    .healthy = pg_healthy,
    .alive = pg_alive,
};

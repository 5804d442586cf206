/* pgdb.h — throw-away PostgreSQL databases for the unit tests that run on
 * both backends.  PENCERE_TEST_PG_URL names a server's admin URL
 * (postgresql://user@host:port/postgres); a test group creates a database
 * of its own with a random name and drops it afterwards, so runs never
 * share state.  Header-only (static inline) so that every test program
 * can include it whatever it uses. */
#ifndef PC_TEST_PGDB_H
#define PC_TEST_PGDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/base.h"
#include "../../src/db/db.h"

/* The admin URL, or NULL when no server is given (the PostgreSQL half is
 * then skipped). */
static inline const char *pgdb_admin_url(void)
{
    const char *u = getenv("PENCERE_TEST_PG_URL");
    return u && *u ? u : NULL;
}

/* Run one statement on the admin database; 0 on success. */
static inline int pgdb_admin_exec(const char *sql)
{
    const char *admin = pgdb_admin_url();
    if (!admin)
        return -1;
    struct pc_err err = {0};
    struct db *adm = db_open(admin, &err);
    if (!adm) {
        fprintf(stderr, "postgres admin connection: %s\n", err.msg);
        return -1;
    }
    struct db_conn *c = db_conn_get(adm, &err);
    int rc = c ? db_exec(c, sql, &err) : -1;
    if (rc)
        fprintf(stderr, "%s: %s\n", sql, err.msg);
    db_close(adm);
    return rc;
}

/* Create a database "PREFIX_" + 12 random hex digits on the admin URL's
 * server; its name goes to name[40] and a URL for it (the admin URL with
 * the database replaced, query kept) to url[512].  0 on success. */
static inline int pgdb_create(const char *prefix, char name[40], char url[512])
{
    const char *admin = pgdb_admin_url();
    const char *scheme = admin ? strstr(admin, "://") : NULL;
    if (!scheme)
        return -1;
    char hex[13];
    pc_random_hex(hex, 6);
    snprintf(name, 40, "%.20s_%s", prefix, hex);
    const char *slash = strchr(scheme + 3, '/');
    const char *query = strchr(scheme + 3, '?');
    size_t host_len = slash && (!query || slash < query) ? (size_t)(slash - admin)
                      : query ? (size_t)(query - admin) : strlen(admin);
    int n = snprintf(url, 512, "%.*s/%s%s", (int)host_len, admin, name, query ? query : "");
    if (n <= 0 || n >= 512)
        return -1;
    char sql[96];
    snprintf(sql, sizeof sql, "CREATE DATABASE %.39s", name);
    return pgdb_admin_exec(sql);
}

/* Drop it again (connections still open are ended). */
static inline void pgdb_drop(const char *name)
{
    char sql[96];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.39s WITH (FORCE)", name);
    pgdb_admin_exec(sql);
}

#endif

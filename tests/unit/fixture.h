/* fixture.h — a fresh, migrated database for the unit tests of the
 * identity and audit modules: a temporary SQLite file and, when
 * PENCERE_TEST_PG_URL holds a PostgreSQL admin URL, a new PostgreSQL
 * database created for the run.  Each test gets `struct fixture *` as its
 * state.  Included by one test program each (static functions). */
#ifndef PC_TEST_FIXTURE_H
#define PC_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/db/db.h"
#include "../../src/identity/identity.h"
#include "pgdb.h"

struct fixture {
    struct db *db;
    bool pg;
    char dir[64], path[128];
    char pgname[40], pgurl[512];
};

static struct fixture fx_sqlite, fx_pg;

static int fx_open(struct fixture *f, const char *url)
{
    struct pc_err err = {0};
    f->db = db_open(url, &err);
    if (!f->db || db_migrate(f->db, &err)) {
        fprintf(stderr, "database %s: %s\n", url, err.msg);
        return -1;
    }
    return 0;
}

static int fx_setup_sqlite(void **state)
{
    struct fixture *f = &fx_sqlite;
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/pencere-test-fx.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%.60s/test.db", f->dir);
    *state = f;
    return fx_open(f, f->path);
}

static int fx_teardown_sqlite(void **state)
{
    struct fixture *f = *state;
    db_close(f->db);
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        char p[192];
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    return 0;
}

static int fx_setup_pg(void **state)
{
    struct fixture *f = &fx_pg;
    memset(f, 0, sizeof *f);
    f->pg = true;
    if (pgdb_create("t_unit", f->pgname, f->pgurl))
        return -1;
    *state = f;
    return fx_open(f, f->pgurl);
}

static int fx_teardown_pg(void **state)
{
    struct fixture *f = *state;
    db_close(f->db);
    pgdb_drop(f->pgname);
    return 0;
}

static inline struct db_conn *fx_conn(struct fixture *f)
{
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(f->db, &err);
    if (!c)
        fail_msg("db_conn_get: %s", err.msg);
    return c;
}

static inline void fx_exec(struct db_conn *c, const char *sql)
{
    struct pc_err err = {0};
    if (db_exec(c, sql, &err))
        fail_msg("%s: %s", sql, err.msg);
}

/* Run the database tests of `name` on SQLite, then on PostgreSQL when a
 * server is given; returns the number of failures. */
static int fx_run(const char *name, const struct CMUnitTest *tests, size_t n)
{
    char group[64];
    snprintf(group, sizeof group, "%s-sqlite", name);
    int failed = _cmocka_run_group_tests(group, tests, n, fx_setup_sqlite, fx_teardown_sqlite);
    if (pgdb_admin_url()) {
        snprintf(group, sizeof group, "%s-postgres", name);
        failed += _cmocka_run_group_tests(group, tests, n, fx_setup_pg, fx_teardown_pg);
    } else {
        printf("note: PENCERE_TEST_PG_URL is not set; the PostgreSQL half of %s is skipped\n", name);
    }
    return failed;
}

/* Person number i of the synthetic population of seed, written to the
 * fixture's database and read back. */
static inline struct id_person fx_person(struct fixture *f, struct pc_arena *a, uint64_t seed, int64_t i)
{
    struct pc_err err = {0};
    if (id_population_generate(f->db, seed, i, 1, &err))
        fail_msg("population: %s", err.msg);
    char fin[8];
    id_population_fin(seed, i, fin);
    struct id_person p;
    if (id_person_get(f->db, a, fin, &p, &err))
        fail_msg("person %s: %s", fin, err.msg);
    return p;
}

#endif

/* admin.c — operator tools: `pencere admin migrate` brings the schema up
 * to date; `pencere admin import-catalog` validates the catalogue files,
 * reports every bad row with its line and imports them when all are good;
 * `pencere admin check-catalog` runs the same checks and imports nothing. */
#include "cli.h"
#include "../catalog/catalog.h"
#include "../db/db.h"
#include "../audit/audit.h"
#include "../identity/identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB_OPTS \
    {"db", "URL", "SQLite file path or postgres:// URL", NULL}, \
    {"data-dir", "DIR", "a demo folder (uses DIR/pencere.db)", NULL}

/* --db URL, or --data-dir DIR meaning DIR/pencere.db (the demo's layout). */
static struct db *open_db(struct cli_opt *opts)
{
    const char *url = cli_get(opts, "db");
    char path[4096];
    if (!url && cli_get(opts, "data-dir")) {
        snprintf(path, sizeof path, "%s/pencere.db", cli_get(opts, "data-dir"));
        url = path;
    }
    if (!url)
        url = getenv("PENCERE_DB");
    if (!url) {
        fprintf(stderr, "pencere admin: give --db URL or --data-dir DIR\n");
        return NULL;
    }
    struct pc_err err = {0};
    struct db *db = db_open(url, &err);
    if (!db) {
        fprintf(stderr, "pencere admin: %s\n", err.msg);
        return NULL;
    }
    if (db_migrate(db, &err)) {
        fprintf(stderr, "pencere admin: migration failed: %s\n", err.msg);
        db_close(db);
        return NULL;
    }
    return db;
}

static int admin_migrate(int argc, char **argv)
{
    struct cli_opt opts[] = {DB_OPTS, {NULL, NULL, NULL, NULL}};
    int rc = cli_parse("admin migrate", "Apply the database migrations that are not applied yet.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct db *db = open_db(opts);
    if (!db)
        return EXIT_FAIL;
    printf("schema version %d\n", db_schema_version(db, NULL));
    db_close(db);
    return EXIT_OK;
}

static int admin_import_catalog(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DB_OPTS,
        {"dir", "DIR", "folder with agencies.jsonl, life_events.jsonl, services.jsonl", NULL},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("admin import-catalog",
                       "Validate the catalogue files and import them. Every bad row is reported\n"
                       "as FILE:LINE: message; if there is any, nothing is imported.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *dir = cli_catalog_dir(cli_get(opts, "dir"));
    if (!dir) {
        fprintf(stderr, "pencere admin import-catalog: give --dir DIR\n");
        return EXIT_USAGE;
    }
    struct db *db = open_db(opts);
    if (!db)
        return EXIT_FAIL;
    struct cat_import_stats st;
    struct pc_err err = {0};
    rc = cat_import(db, dir, stderr, &st, &err);
    db_close(db);
    if (rc) {
        fprintf(stderr, "pencere admin import-catalog: %s\n", err.msg);
        return EXIT_FAIL;
    }
    printf("imported %d agencies, %d services, %d life situations; %d services withdrawn\n",
           st.agencies, st.services, st.life_events, st.withdrawn);
    return EXIT_OK;
}

static int admin_check_catalog(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"dir", "DIR", "folder with agencies.jsonl, life_events.jsonl, services.jsonl", NULL},
        {NULL, NULL, NULL, NULL},
    };
    /* `check-catalog DIR` as well as `check-catalog --dir DIR` */
    const char *given = argc > 0 && argv[0][0] != '-' ? argv[0] : NULL;
    int rc = cli_parse("admin check-catalog [DIR]",
                       "Check the catalogue files as the import does, and import nothing. Every bad\n"
                       "row is reported as FILE:LINE: message (exit 1); otherwise the counts (exit 0).\n"
                       "Without DIR: the catalogue the portal would import.", opts, argc - !!given, argv + !!given);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!given)
        given = cli_get(opts, "dir");
    const char *dir = cli_catalog_dir(given);
    if (!dir) {
        fprintf(stderr, "pencere admin check-catalog: give DIR\n");
        return EXIT_USAGE;
    }
    struct cat_import_stats st;
    struct pc_err err = {0};
    rc = cat_check(dir, stderr, &st, &err);
    if (rc) {
        if (rc == PC_EINVAL)
            fprintf(stderr, "pencere admin check-catalog: %d bad row%s\n", st.bad_rows, st.bad_rows == 1 ? "" : "s");
        else
            fprintf(stderr, "pencere admin check-catalog: %s\n", err.msg);
        return EXIT_FAIL;
    }
    printf("%s: %d agencies, %d life situations, %d services: OK\n", dir, st.agencies, st.life_events, st.services);
    return EXIT_OK;
}

static int admin_audit_verify(int argc, char **argv)
{
    struct cli_opt opts[] = {DB_OPTS, {NULL, NULL, NULL, NULL}};
    int rc = cli_parse("admin audit-verify", "Check the whole audit chain; exit 0 if intact, 1 naming the\n"
                       "first broken entry if not.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct db *db = open_db(opts);
    if (!db)
        return EXIT_FAIL;
    struct audit_report rep;
    struct pc_err err = {0};
    rc = audit_verify(db, &rep, &err);
    db_close(db);
    if (rc) {
        fprintf(stderr, "pencere admin audit-verify: %s\n", err.msg);
        return EXIT_FAIL;
    }
    if (rep.first_bad) {
        printf("audit chain BROKEN at entry %lld: %s (%lld entries before it are intact)\n",
               (long long)rep.first_bad, rep.why, (long long)rep.entries);
        return EXIT_FAIL;
    }
    printf("audit chain intact: %lld entries\n", (long long)rep.entries);
    return EXIT_OK;
}

static int admin_create_account(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DB_OPTS,
        {"login", "LOGIN", "the login (a FİN for citizens)", NULL},
        {"fin", "FİN", "the person the account belongs to", NULL},
        {"role", "ROLE", "citizen, representative, officer, agency_admin, registrar, operator, evaluator, auditor", NULL},
        {"agency", "ID", "the agency of an officer or agency_admin", NULL},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("admin create-account", "Create an account with one role; then give it a password with\n"
                       "'pencere admin issue-code'.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *login = cli_get(opts, "login"), *role = cli_get(opts, "role"), *agency = cli_get(opts, "agency");
    int r = id_role_parse(role);
    if (!login || r < 0) {
        fprintf(stderr, "pencere admin create-account: give --login and a known --role\n");
        return EXIT_USAGE;
    }
    if ((r == ID_ROLE_OFFICER || r == ID_ROLE_AGENCY_ADMIN) != (agency != NULL)) {
        fprintf(stderr, "pencere admin create-account: --agency goes with officer and agency_admin only, and they need it\n");
        return EXIT_USAGE;
    }
    struct db *db = open_db(opts);
    if (!db)
        return EXIT_FAIL;
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_grant g = {(enum id_role)r, agency ? agency : ""};
    const char *id;
    struct pc_err err = {0};
    rc = id_account_create(db, login, cli_get(opts, "fin"), &g, 1, "cli", "operator", &a, &id, &err);
    if (!rc)
        printf("account %s created for %s (%s)\n", id, login, role);
    else
        fprintf(stderr, "pencere admin create-account: %s\n", err.msg);
    pc_arena_release(&a);
    db_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}

static int admin_issue_code(int argc, char **argv)
{
    struct cli_opt opts[] = {DB_OPTS, {"login", "LOGIN", "the account", NULL}, {NULL, NULL, NULL, NULL}};
    int rc = cli_parse("admin issue-code", "Issue a one-time activation code (72 hours) for an account; the\n"
                       "person sets a password with it at /activate.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!cli_get(opts, "login")) {
        fprintf(stderr, "pencere admin issue-code: give --login\n");
        return EXIT_USAGE;
    }
    struct db *db = open_db(opts);
    if (!db)
        return EXIT_FAIL;
    struct pc_arena a;
    pc_arena_init(&a);
    const char *id;
    char code[ID_CODE_LEN + 1];
    struct pc_err err = {0};
    rc = id_account_find(db, &a, cli_get(opts, "login"), &id, &err);
    if (!rc)
        rc = id_code_issue(db, id, "activate", "cli", "operator", "", 72 * 3600, code, &err);
    if (!rc)
        printf("%s\n", code);
    else
        fprintf(stderr, "pencere admin issue-code: %s\n", err.msg);
    pc_arena_release(&a);
    db_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}

static int admin_seed_population(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DB_OPTS,
        {"count", "N", "how many synthetic persons (up to 10000000)", "1000"},
        {"seed", "N", "generator seed: the same seed gives the same people", "2026"},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("admin seed-population", "Add a deterministic synthetic population (Azerbaijani names)\n"
                       "for demos and scale tests.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    long long count, seed;
    if (pc_parse_int(cli_get(opts, "count"), 1, 10000000, &count) || pc_parse_int(cli_get(opts, "seed"), 0, INT64_MAX, &seed)) {
        fprintf(stderr, "pencere admin seed-population: --count 1..10000000 and a non-negative --seed\n");
        return EXIT_USAGE;
    }
    struct db *db = open_db(opts);
    if (!db)
        return EXIT_FAIL;
    struct pc_err err = {0};
    int64_t t0 = pc_mono_usec();
    rc = id_population_generate(db, (uint64_t)seed, 0, count, &err);
    db_close(db);
    if (rc) {
        fprintf(stderr, "pencere admin seed-population: %s\n", err.msg);
        return EXIT_FAIL;
    }
    printf("%lld persons in %.1f s\n", count, (double)(pc_mono_usec() - t0) / 1e6);
    return EXIT_OK;
}

static int admin_seed_demo(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DB_OPTS,
        {"out-dir", "DIR", "where to write demo-accounts.json (default: --data-dir)", NULL},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("admin seed-demo", "Add the demo's people, legal entities and one account of every role;\n"
                       "write their logins and passwords to DIR/demo-accounts.json.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *dir = cli_get(opts, "out-dir") ? cli_get(opts, "out-dir") : cli_get(opts, "data-dir");
    if (!dir) {
        fprintf(stderr, "pencere admin seed-demo: give --out-dir DIR\n");
        return EXIT_USAGE;
    }
    struct db *db = open_db(opts);
    if (!db)
        return EXIT_FAIL;
    struct pc_err err = {0};
    rc = demo_seed(db, dir, &err);
    db_close(db);
    if (rc) {
        fprintf(stderr, "pencere admin seed-demo: %s\n", err.msg);
        return EXIT_FAIL;
    }
    printf("demo accounts written to %s/demo-accounts.json\n", dir);
    return EXIT_OK;
}

int cmd_admin(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0) {
        FILE *f = argc < 1 ? stderr : stdout;
        fprintf(f, "usage: pencere admin TOOL [OPTIONS]\n\ntools:\n"
                   "  migrate          apply pending database migrations\n"
                   "  import-catalog   validate and import the e-service catalogue\n"
                   "  check-catalog    validate the catalogue files and import nothing\n"
                   "  audit-verify     check the hash chain of the audit log\n"
                   "  create-account   create a staff or citizen account with a role\n"
                   "  issue-code       issue a one-time activation code for an account\n"
                   "  seed-population  add a synthetic population for demos and scale tests\n"
                   "  seed-demo        add the demo's people and one account of every role\n");
        return argc < 1 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[0], "migrate") == 0)
        return admin_migrate(argc - 1, argv + 1);
    if (strcmp(argv[0], "import-catalog") == 0)
        return admin_import_catalog(argc - 1, argv + 1);
    if (strcmp(argv[0], "check-catalog") == 0)
        return admin_check_catalog(argc - 1, argv + 1);
    if (strcmp(argv[0], "audit-verify") == 0)
        return admin_audit_verify(argc - 1, argv + 1);
    if (strcmp(argv[0], "create-account") == 0)
        return admin_create_account(argc - 1, argv + 1);
    if (strcmp(argv[0], "issue-code") == 0)
        return admin_issue_code(argc - 1, argv + 1);
    if (strcmp(argv[0], "seed-demo") == 0)
        return admin_seed_demo(argc - 1, argv + 1);
    if (strcmp(argv[0], "seed-population") == 0)
        return admin_seed_population(argc - 1, argv + 1);
    fprintf(stderr, "pencere admin: unknown tool '%s' (see pencere admin --help)\n", argv[0]);
    return EXIT_USAGE;
}

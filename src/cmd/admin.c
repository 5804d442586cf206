/* admin.c — operator tools: `pencere admin migrate` brings the schema up
 * to date; `pencere admin import-catalog` validates the catalogue files,
 * reports every bad row with its line and imports them when all are good. */
#include "cli.h"
#include "../catalog/catalog.h"
#include "../db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    struct cli_opt opts[] = {
        {"db", "URL", "SQLite file path or postgres:// URL", NULL},
        {"data-dir", "DIR", "a demo folder (uses DIR/pencere.db)", NULL},
        {NULL, NULL, NULL, NULL},
    };
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
        {"db", "URL", "SQLite file path or postgres:// URL", NULL},
        {"data-dir", "DIR", "a demo folder (uses DIR/pencere.db)", NULL},
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

int cmd_admin(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0) {
        FILE *f = argc < 1 ? stderr : stdout;
        fprintf(f, "usage: pencere admin TOOL [OPTIONS]\n\ntools:\n"
                   "  migrate          apply pending database migrations\n"
                   "  import-catalog   validate and import the e-service catalogue\n");
        return argc < 1 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[0], "migrate") == 0)
        return admin_migrate(argc - 1, argv + 1);
    if (strcmp(argv[0], "import-catalog") == 0)
        return admin_import_catalog(argc - 1, argv + 1);
    fprintf(stderr, "pencere admin: unknown tool '%s' (see pencere admin --help)\n", argv[0]);
    return EXIT_USAGE;
}

/* social.c — the ministry administrator's tools of social assistance
 * (src/social): `pencere admin social-params` imports a file of means-test
 * parameters (a new version; a stored one never changes; audited) and
 * lists the versions stored; `social-payments` writes a month's payment
 * orders for the treasury/bank; `social-reconcile` takes the bank's answer
 * (paid, or rejected with a reason the officer then sees). */
#include "cli.h"
#include "../social/social.h"

#include <stdio.h>
#include <stdlib.h>

#define PARAMS_FILE_MAX (1024 * 1024)

static struct db *open_db(const char *cmd, struct cli_opt *opts)
{
    const char *url = cli_get(opts, "db") ? cli_get(opts, "db") : getenv("PENCERE_DB");
    struct pc_err err = {0};
    struct db *db = url ? db_open(url, &err) : NULL;
    if (!db || db_migrate(db, &err)) {
        fprintf(stderr, "pencere %s: %s\n", cmd, url ? err.msg : "--db is required");
        if (db)
            db_close(db);
        return NULL;
    }
    return db;
}

int cli_admin_social_params(int argc, char **argv)
{
    static const char cmd[] = "admin social-params";
    struct cli_opt opts[] = {
        {"db", "URL", "SQLite file path or postgres:// URL (or $PENCERE_DB)", NULL},
        {"import", "FILE", "store the versions of this file (data/social/params.json's format)", NULL},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(cmd,
                       "The means test's parameters of targeted social assistance: import a file of versions (a\n"
                       "stored version never changes: add a new one), then list the versions stored.",
                       opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct db *db = open_db(cmd, opts);
    if (!db)
        return EXIT_FAIL;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    const char *file = cli_get(opts, "import");
    if (file) {
        char *text;
        size_t len;
        int added;
        if (cli_read_file(cmd, &a, file, PARAMS_FILE_MAX, &text, &len) ||
            (rc = social_params_import(db, "cli", text, len, &added, &err))) {
            if (err.code)
                fprintf(stderr, "pencere %s: %s: %s\n", cmd, file, err.msg);
            pc_arena_release(&a);
            db_close(db);
            return EXIT_FAIL;
        }
        printf("%d new version(s) stored\n", added);
    }
    struct social_params *ps;
    size_t n;
    if ((rc = social_params_list(db, &a, &ps, &n, &err)))
        fprintf(stderr, "pencere %s: %s\n", cmd, err.msg);
    for (size_t i = 0; !rc && i < n; i++)
        printf("version %d  %s … %s  criterion %lld.%02lld AZN  %d months%s  %s\n", ps[i].version, ps[i].valid_from,
               ps[i].valid_to, (long long)(ps[i].criterion / 100), (long long)(ps[i].criterion % 100), ps[i].months,
               ps[i].demo ? "  (demo parameters)" : "", ps[i].legal_ref);
    pc_arena_release(&a);
    db_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}

int cli_admin_social_payments(int argc, char **argv)
{
    static const char cmd[] = "admin social-payments";
    struct cli_opt opts[] = {
        {"db", "URL", "SQLite file path or postgres:// URL (or $PENCERE_DB)", NULL},
        {"month", "YYYY-MM", "the month whose orders to write (required)", NULL},
        {"out", "FILE", "where to write them (required; docs/social.md gives the format)", NULL},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(cmd,
                       "Write the month's payment orders of granted social assistance for the treasury/bank: the\n"
                       "orders not yet answered by the bank (the same order ids every time).",
                       opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *month = cli_get(opts, "month"), *out = cli_get(opts, "out");
    if (!month || !out) {
        fprintf(stderr, "pencere %s: --month and --out are required\n", cmd);
        return EXIT_USAGE;
    }
    struct db *db = open_db(cmd, opts);
    if (!db)
        return EXIT_FAIL;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    char *text;
    size_t len;
    int count;
    rc = social_orders_export(db, &a, month, &text, &len, &count, &err);
    FILE *f = rc ? NULL : fopen(out, "wb");
    if (rc)
        fprintf(stderr, "pencere %s: %s\n", cmd, err.msg);
    else if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "pencere %s: cannot write %s\n", cmd, out);
        rc = PC_EIO;
    } else {
        printf("%d order(s) for %s written to %s\n", count, month, out);
    }
    pc_arena_release(&a);
    db_close(db);
    return rc == PC_EINVAL ? EXIT_USAGE : rc ? EXIT_FAIL : EXIT_OK;
}

int cli_admin_social_reconcile(int argc, char **argv)
{
    static const char cmd[] = "admin social-reconcile";
    struct cli_opt opts[] = {
        {"db", "URL", "SQLite file path or postgres:// URL (or $PENCERE_DB)", NULL},
        {"file", "FILE", "the bank's answer: ORDER_ID;PAID or ORDER_ID;REJECTED;reason per line (required)", NULL},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse(cmd,
                       "Take the bank's answer to the payment orders: each order paid or rejected (with its reason,\n"
                       "which the officer sees on the case).  Exit 0: every order known; 1: otherwise or failure.",
                       opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *file = cli_get(opts, "file");
    if (!file) {
        fprintf(stderr, "pencere %s: --file is required\n", cmd);
        return EXIT_USAGE;
    }
    struct db *db = open_db(cmd, opts);
    if (!db)
        return EXIT_FAIL;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    char *text;
    size_t len, n;
    struct social_bank_line *lines;
    struct social_recon rec = {0};
    if (cli_read_file(cmd, &a, file, SOCIAL_ANSWER_MAX, &text, &len))
        rc = PC_EIO; /* it said why */
    else if ((rc = social_bank_answer_parse(&a, text, len, &lines, &n, &err)) ||
             (rc = social_reconcile(db, lines, n, &rec, &err)))
        fprintf(stderr, "pencere %s: %s: %s\n", cmd, file, err.msg);
    else
        printf("paid %d, rejected %d, unknown %d, already answered %d\n", rec.paid, rec.rejected, rec.unknown,
               rec.unchanged);
    pc_arena_release(&a);
    db_close(db);
    return rc || rec.unknown ? EXIT_FAIL : EXIT_OK;
}

/* admin.c — operator tools: `pencere admin migrate` brings the schema up
 * to date; `pencere admin import-catalog` validates the catalogue files and
 * the forms beside them, reports every bad row and every problem of a form,
 * and imports them when all are good; `pencere admin check-catalog` and
 * `check-forms` run the same checks without a database; the identity tools
 * create the first accounts, issue their codes and end a representation;
 * audit-verify checks the audit chain; move-files copies uploaded files
 * between the files folder and the database. */
#include "cli.h"
#include "../cases/cases.h"
#include "../isreg/isreg.h"
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
        {"forms", "DIR", "folder of form definitions (default: DIR/../forms when it exists)", NULL},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("admin import-catalog",
                       "Validate the catalogue files and the forms beside them and import them.\n"
                       "Every bad row is reported as FILE:LINE: message and every problem of a\n"
                       "form as FILE: JSON-PATH: message; if there is any, nothing is imported.", opts, argc, argv);
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
    struct cli_import_stats st;
    struct pc_err err = {0};
    rc = cli_import(db, dir, cli_forms_dir(dir, cli_get(opts, "forms")), stderr, &st, &err);
    db_close(db);
    if (rc) {
        fprintf(stderr, "pencere admin import-catalog: %s\n", err.msg);
        return EXIT_FAIL;
    }
    printf("imported %d agencies, %d services, %d life situations; %d services withdrawn\n",
           st.catalog.agencies, st.catalog.services, st.catalog.life_events, st.catalog.withdrawn);
    /* on stderr: stdout keeps the one summary line scripts read */
    if (st.with_forms)
        fprintf(stderr, "forms: %d files, %d new versions stored, %d unchanged\n", st.forms.files, st.forms.stored,
                st.forms.unchanged);
    return EXIT_OK;
}

static int admin_check_forms(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"catalog", "DIR", "the catalogue the forms belong to (default: DIR/../catalog)", NULL},
        {"today", "YYYY-MM-DD", "the date examples and date limits are checked against (default: today)", NULL},
        {NULL, NULL, NULL, NULL},
    };
    /* pencere admin check-forms DIR [OPTIONS] */
    const char *dir = argc > 0 && argv[0][0] != '-' ? argv[0] : NULL;
    int rc = cli_parse("admin check-forms DIR", "Check the form definitions in the folder DIR as the import does: every\n"
                       "problem as FILE: JSON-PATH: message; exit 0 when there is none, 1 otherwise.", opts,
                       dir ? argc - 1 : argc, dir ? argv + 1 : argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *today = cli_get(opts, "today");
    char ymd[3][5] = {"", "", ""};
    long long n;
    if (today && strlen(today) == 10 && today[4] == '-' && today[7] == '-') {
        memcpy(ymd[0], today, 4);
        memcpy(ymd[1], today + 5, 2);
        memcpy(ymd[2], today + 8, 2);
    }
    if (!dir || (today && (pc_parse_int(ymd[0], 1900, 2200, &n) || pc_parse_int(ymd[1], 1, 12, &n) ||
                           pc_parse_int(ymd[2], 1, 31, &n)))) {
        fprintf(stderr, "pencere admin check-forms: give the folder of forms (and --today as YYYY-MM-DD)\n");
        return EXIT_USAGE;
    }
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    now[10] = 0;
    char catalog[4200];
    snprintf(catalog, sizeof catalog, "%s/../catalog", dir);
    struct pc_arena a;
    pc_arena_init(&a);
    struct form_catalog cat;
    struct form_report rep = form_report_file(stdout);
    struct pc_err err = {0};
    int files = 0;
    rc = form_catalog_files(cli_get(opts, "catalog") ? cli_get(opts, "catalog") : catalog, &a, &cat, &err);
    if (!rc)
        rc = form_check_dir(dir, &cat, today ? today : now, &rep, &files, &err);
    pc_arena_release(&a);
    if (rc) {
        fprintf(stderr, "pencere admin check-forms: %s\n", err.msg);
        return EXIT_FAIL;
    }
    if (rep.count) {
        fprintf(stderr, "%d problem%s in %d file%s\n", rep.count, rep.count == 1 ? "" : "s", files, files == 1 ? "" : "s");
        return EXIT_FAIL;
    }
    printf("%d form%s OK\n", files, files == 1 ? "" : "s");
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
    struct cli_opt opts[] = {DB_OPTS,
                             {"ca-url", "URL", "the certification centre whose TSA stamped the chain's head: check each stamp", NULL},
                             {NULL, NULL, NULL, NULL}};
    int rc = cli_parse("admin audit-verify", "Check the whole audit chain; exit 0 if intact, 1 naming the\n"
                       "first broken entry if not.  With --ca-url, also check every time-stamp of the\n"
                       "chain's head: the log up to the last stamped entry existed unaltered at its\n"
                       "time; a stamp that does not match fails.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct db *db = open_db(opts);
    if (!db)
        return EXIT_FAIL;
    struct audit_report rep;
    struct pc_err err = {0};
    rc = audit_verify(db, &rep, &err);
    struct cli_tsa tsa;
    const char *ca_url = cli_get(opts, "ca-url");
    cli_tsa_init(&tsa, ca_url, NULL);
    if (!rc && ca_url)
        rc = audit_check_stamps(db, &tsa.tsa, &rep, &err);
    int64_t stamps = rc || ca_url ? 0 : audit_stamp_count(db, &err);
    db_close(db);
    if (rc || stamps < 0) {
        fprintf(stderr, "pencere admin audit-verify: %s\n", err.msg);
        return EXIT_FAIL;
    }
    if (rep.first_bad) {
        printf("audit chain BROKEN at entry %lld: %s (%lld entries before it are intact)\n",
               (long long)rep.first_bad, rep.why, (long long)rep.entries);
        return EXIT_FAIL;
    }
    printf("audit chain intact: %lld entries\n", (long long)rep.entries);
    if (rep.bad_stamp) {
        printf("time-stamp of entry %lld does NOT match: %s\n", (long long)rep.bad_stamp, rep.stamp_why);
        return EXIT_FAIL;
    }
    if (ca_url && rep.last_stamped) {
        char ts[21];
        pc_rfc3339(rep.last_stamped_at, ts);
        printf("time-stamps: %lld checked; the log up to entry %lld existed unaltered at %s\n", (long long)rep.stamps,
               (long long)rep.last_stamped, ts);
    } else if (ca_url) {
        printf("time-stamps: none yet\n");
    } else if (stamps) {
        printf("time-stamps: %lld not checked (give --ca-url)\n", (long long)stamps);
    }
    return EXIT_OK;
}

static int admin_move_files(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DB_OPTS,
        {"files-dir", "DIR", "the files folder (required)", NULL},
        {"to", "KIND", "where the files go: db (from the folder) or dir (from the database)", NULL},
        {NULL, NULL, NULL, NULL}};
    int rc = cli_parse("admin move-files", "Copy every uploaded file the destination lacks into it, checking each\n"
                       "against its SHA-256; the source is left as it was.  Run it again after the\n"
                       "nodes have switched to catch files uploaded meanwhile.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int to = case_store_kind_parse(cli_get(opts, "to"));
    const char *dir = cli_get(opts, "files-dir");
    if (to < 0 || !dir) {
        fprintf(stderr, "pencere admin move-files: give --files-dir DIR and --to db or --to dir\n");
        return EXIT_USAGE;
    }
    struct db *db = open_db(opts);
    if (!db)
        return EXIT_FAIL;
    struct pc_err err = {0};
    struct case_store *dst = case_store_open((enum case_store_kind)to, dir, db, &err);
    struct case_store *src = dst ? case_store_open(to == CASE_STORE_DB ? CASE_STORE_DIR : CASE_STORE_DB, dir, db, &err)
                                 : NULL;
    struct case_move_stats st;
    rc = src ? case_store_move(src, dst, &st, &err) : err.code;
    case_store_close(src);
    case_store_close(dst);
    db_close(db);
    if (rc) {
        fprintf(stderr, "pencere admin move-files: %s\n", err.msg);
        return EXIT_FAIL;
    }
    printf("%lld files moved (%lld bytes), %lld there already, %lld damaged\n", (long long)st.moved,
           (long long)st.bytes, (long long)st.present, (long long)st.damaged);
    return st.damaged ? EXIT_FAIL : EXIT_OK;
}

static int admin_create_account(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DB_OPTS,
        {"login", "LOGIN", "a staff login (never FİN-shaped); citizens' login is their FİN", NULL},
        {"fin", "FİN", "the person the account belongs to (required)", NULL},
        {"role", "ROLE", "citizen, representative, officer, agency_admin, registrar, operator, evaluator, auditor, inspector, "
                         "postal_operator", NULL},
        {"agency", "ID", "the agency of an officer, agency_admin or inspector", NULL},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("admin create-account", "Create an account with one role; then give it a password with\n"
                       "'pencere admin issue-code'.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *login = cli_get(opts, "login"), *role = cli_get(opts, "role"), *agency = cli_get(opts, "agency");
    int r = id_role_parse(role);
    char fin[8];
    if (r < 0 || !id_fin_normalize(cli_get(opts, "fin"), fin)) {
        fprintf(stderr, "pencere admin create-account: give --fin and a known --role\n");
        return EXIT_USAGE;
    }
    enum id_account_kind kind = r == ID_ROLE_CITIZEN || r == ID_ROLE_REPRESENTATIVE ? ID_ACCOUNT_CITIZEN : ID_ACCOUNT_STAFF;
    if (kind == ID_ACCOUNT_CITIZEN)
        login = fin;
    else if (!login) {
        fprintf(stderr, "pencere admin create-account: a staff account needs --login\n");
        return EXIT_USAGE;
    }
    if ((r == ID_ROLE_OFFICER || r == ID_ROLE_AGENCY_ADMIN || r == ID_ROLE_INSPECTOR) != (agency != NULL)) {
        fprintf(stderr, "pencere admin create-account: --agency goes with officer, agency_admin and inspector only, and "
                        "they need it\n");
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
    /* the operator's command line is trusted: the account is pending, not
     * waiting for its owner's confirmation */
    rc = id_account_create(db, kind, login, fin, &g, 1, NULL, "operator", &a, &id, &err);
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

static int admin_revoke_representative(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DB_OPTS,
        {"voen", "VÖEN", "the legal entity", NULL},
        {"fin", "FİN", "the person who may no longer act for it", NULL},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("admin revoke-representative", "End a person's right to act for a legal entity; a session\n"
                       "acting for it stops doing so at its next request.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    char fin[8];
    const char *voen = cli_get(opts, "voen");
    if (!id_voen_valid(voen) || !id_fin_normalize(cli_get(opts, "fin"), fin)) {
        fprintf(stderr, "pencere admin revoke-representative: give --voen (10 digits) and --fin\n");
        return EXIT_USAGE;
    }
    struct db *db = open_db(opts);
    if (!db)
        return EXIT_FAIL;
    struct pc_err err = {0};
    rc = id_representative_revoke(db, voen, fin, NULL, "", &err);
    db_close(db);
    if (rc) {
        fprintf(stderr, "pencere admin revoke-representative: %s\n", err.msg);
        return EXIT_FAIL;
    }
    printf("%s no longer acts for %s\n", fin, voen);
    return EXIT_OK;
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

/* The register's 20-day reminders: safe on every node at once (each
 * reminder is claimed once), meant for a daily timer. */
static int admin_isreg_remind(int argc, char **argv)
{
    struct cli_opt opts[] = {DB_OPTS, {NULL, NULL, NULL, NULL}};
    int rc = cli_parse("admin isreg-remind", "Queue the reminders of the register of information systems that are\n"
                       "due today: to each body whose card is due within 5 days or overdue.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct db *db = open_db(opts);
    if (!db)
        return EXIT_FAIL;
    struct pc_err err = {0};
    int sent = 0;
    rc = isreg_remind(db, isreg_day_of(pc_now_unix()), &sent, &err);
    db_close(db);
    if (rc) {
        fprintf(stderr, "pencere admin isreg-remind: %s\n", err.msg);
        return EXIT_FAIL;
    }
    printf("reminders queued for %d cards\n", sent);
    return EXIT_OK;
}

int cmd_admin(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0) {
        FILE *f = argc < 1 ? stderr : stdout;
        fprintf(f, "usage: pencere admin TOOL [OPTIONS]\n\ntools:\n"
                   "  migrate          apply pending database migrations\n"
                   "  import-catalog   validate and import the e-service catalogue and its forms\n"
                   "  check-catalog    validate the catalogue files and import nothing\n"
                   "  check-forms      check a folder of form definitions\n"
                   "  audit-verify     check the hash chain of the audit log\n"
                   "  move-files       copy uploaded files between the files folder and the database\n"
                   "  create-account   create a staff or citizen account with a role\n"
                   "  issue-code       issue a one-time activation code for an account\n"
                   "  revoke-representative  end a person's right to act for a legal entity\n"
                   "  seed-population  add a synthetic population for demos and scale tests\n"
                   "  seed-demo        add the demo's people and one account of every role\n"
                   "  isreg-remind     queue the register's 20-day reminders (daily)\n"
                   "  oidc-rotate-keys make a new OpenID Connect signing key now\n"
                   "  pay-reconcile    give up stale payments, reconcile a day with the provider (nightly)\n"
                   "  social-params    import and list the means test's parameters (social assistance)\n"
                   "  social-payments  write a month's payment orders of social assistance for the bank\n"
                   "  social-reconcile take the bank's answer to the payment orders\n");
        return argc < 1 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[0], "migrate") == 0)
        return admin_migrate(argc - 1, argv + 1);
    if (strcmp(argv[0], "import-catalog") == 0)
        return admin_import_catalog(argc - 1, argv + 1);
    if (strcmp(argv[0], "check-forms") == 0)
        return admin_check_forms(argc - 1, argv + 1);
    if (strcmp(argv[0], "check-catalog") == 0)
        return admin_check_catalog(argc - 1, argv + 1);
    if (strcmp(argv[0], "audit-verify") == 0)
        return admin_audit_verify(argc - 1, argv + 1);
    if (strcmp(argv[0], "move-files") == 0)
        return admin_move_files(argc - 1, argv + 1);
    if (strcmp(argv[0], "create-account") == 0)
        return admin_create_account(argc - 1, argv + 1);
    if (strcmp(argv[0], "issue-code") == 0)
        return admin_issue_code(argc - 1, argv + 1);
    if (strcmp(argv[0], "revoke-representative") == 0)
        return admin_revoke_representative(argc - 1, argv + 1);
    if (strcmp(argv[0], "seed-demo") == 0)
        return admin_seed_demo(argc - 1, argv + 1);
    if (strcmp(argv[0], "pay-reconcile") == 0)
        return cli_admin_pay_reconcile(argc - 1, argv + 1);
    if (strcmp(argv[0], "social-params") == 0)
        return cli_admin_social_params(argc - 1, argv + 1);
    if (strcmp(argv[0], "social-payments") == 0)
        return cli_admin_social_payments(argc - 1, argv + 1);
    if (strcmp(argv[0], "social-reconcile") == 0)
        return cli_admin_social_reconcile(argc - 1, argv + 1);
    if (strcmp(argv[0], "isreg-remind") == 0)
        return admin_isreg_remind(argc - 1, argv + 1);
    if (strcmp(argv[0], "seed-population") == 0)
        return admin_seed_population(argc - 1, argv + 1);
    if (strcmp(argv[0], "oidc-rotate-keys") == 0)
        return admin_oidc_rotate_keys(argc - 1, argv + 1);
    fprintf(stderr, "pencere admin: unknown tool '%s' (see pencere admin --help)\n", argv[0]);
    return EXIT_USAGE;
}

/* social.c — the ministry administrator's tools of social assistance
 * (src/social): `pencere admin social-params` imports a file of means-test
 * parameters (a new version; a stored one never changes; audited) and
 * lists the versions stored; `social-payments` writes a month's payment
 * orders for the treasury/bank; `social-reconcile` takes the bank's answer
 * (paid, or rejected with a reason the officer then sees).  The demo's
 * VEMTAS case: the first demo citizen applies with a family of the
 * population register's (its first family), so that the evidence and
 * the proposal are there to look at. */
#include "cli.h"
#include "../cases/cases.h"
#include "../registries/registries.h"
#include "../social/social.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PARAMS_FILE_MAX (1024 * 1024)
#define DB_OPT {"db", "URL", "SQLite file path or postgres:// URL (or $PENCERE_DB)", NULL}

/* One tool: its options read (the required ones given), the database
 * opened, run(…) called; its error printed once; the exit code. */
struct tool {
    const char *cmd, *summary;
    const char *const *required;
    int (*run)(const char *cmd, struct db *db, struct cli_opt *opts, struct pc_arena *a, struct pc_err *err);
};

static int run_tool(const struct tool *t, struct cli_opt *opts, int argc, char **argv)
{
    int rc = cli_parse(t->cmd, t->summary, opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    for (const char *const *r = t->required; r && *r; r++)
        if (!cli_get(opts, *r)) {
            fprintf(stderr, "pencere %s: --%s is required\n", t->cmd, *r);
            return EXIT_USAGE;
        }
    const char *url = cli_get(opts, "db") ? cli_get(opts, "db") : getenv("PENCERE_DB");
    struct pc_err err = {0};
    struct db *db = url ? db_open(url, &err) : NULL;
    if (!db || db_migrate(db, &err)) {
        fprintf(stderr, "pencere %s: %s\n", t->cmd, url ? err.msg : "--db is required");
        if (db)
            db_close(db);
        return url ? EXIT_FAIL : EXIT_USAGE;
    }
    struct pc_arena a;
    pc_arena_init(&a);
    rc = t->run(t->cmd, db, opts, &a, &err);
    if (rc && err.code)
        fprintf(stderr, "pencere %s: %s\n", t->cmd, err.msg);
    pc_arena_release(&a);
    db_close(db);
    return rc == 0 ? EXIT_OK : rc == PC_EINVAL && !err.code ? EXIT_USAGE : EXIT_FAIL;
}

static int params(const char *cmd, struct db *db, struct cli_opt *opts, struct pc_arena *a, struct pc_err *err)
{
    const char *file = cli_get(opts, "import");
    if (file) {
        char *text;
        size_t len;
        int added, rc;
        if (cli_read_file(cmd, a, file, PARAMS_FILE_MAX, &text, &len))
            return PC_EIO; /* it said why */
        if ((rc = social_params_import(db, "cli", text, len, &added, err)))
            return rc;
        printf("%d new version(s) stored\n", added);
    }
    struct social_params *ps;
    size_t n;
    int rc = social_params_list(db, a, &ps, &n, err);
    for (size_t i = 0; !rc && i < n; i++)
        printf("version %d  %s … %s  criterion %lld.%02lld AZN  %d months%s  %s\n", ps[i].version, ps[i].valid_from,
               ps[i].valid_to, (long long)(ps[i].criterion / 100), (long long)(ps[i].criterion % 100), ps[i].months,
               ps[i].demo ? "  (demo parameters)" : "", ps[i].legal_ref);
    return rc;
}

int cli_admin_social_params(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DB_OPT,
        {"import", "FILE", "store the versions of this file (data/social/params.json's format)", NULL},
        {NULL, NULL, NULL, NULL},
    };
    static const struct tool t = {
        "admin social-params",
        "The means test's parameters of targeted social assistance: import a file of versions (a\n"
        "stored version never changes: add a new one), then list the versions stored.",
        NULL, params};
    return run_tool(&t, opts, argc, argv);
}

static int payments(const char *cmd, struct db *db, struct cli_opt *opts, struct pc_arena *a, struct pc_err *err)
{
    (void)cmd;
    const char *month = cli_get(opts, "month"), *out = cli_get(opts, "out");
    char *text;
    size_t len;
    int count, rc = social_orders_export(db, a, month, &text, &len, &count, err);
    if (rc)
        return rc;
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        if (f)
            fclose(f);
        return pc_err_set(err, PC_EIO, "cannot write %s", out);
    }
    printf("%d order(s) for %s written to %s\n", count, month, out);
    return 0;
}

int cli_admin_social_payments(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DB_OPT,
        {"month", "YYYY-MM", "the month whose orders to write (required)", NULL},
        {"out", "FILE", "where to write them (required; docs/social.md gives the format)", NULL},
        {NULL, NULL, NULL, NULL},
    };
    static const char *const required[] = {"month", "out", NULL};
    static const struct tool t = {
        "admin social-payments",
        "Write the month's payment orders of granted social assistance for the treasury/bank: the\n"
        "orders not yet answered by the bank (the same order ids every time).",
        required, payments};
    return run_tool(&t, opts, argc, argv);
}

static int reconcile(const char *cmd, struct db *db, struct cli_opt *opts, struct pc_arena *a, struct pc_err *err)
{
    const char *file = cli_get(opts, "file");
    char *text;
    size_t len, n;
    struct social_bank_line *lines;
    struct social_recon rec;
    if (cli_read_file(cmd, a, file, SOCIAL_ANSWER_MAX, &text, &len))
        return PC_EIO; /* it said why */
    int rc = social_bank_answer_parse(a, text, len, &lines, &n, err);
    if (!rc)
        rc = social_reconcile(db, lines, n, &rec, err);
    if (rc)
        return rc;
    printf("paid %d, rejected %d, unknown %d, already answered %d\n", rec.paid, rec.rejected, rec.unknown,
           rec.unchanged);
    return rec.unknown ? pc_err_set(err, PC_ENOTFOUND, "%d order(s) of the answer are not ours", rec.unknown) : 0;
}

int cli_admin_social_reconcile(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DB_OPT,
        {"file", "FILE", "the bank's answer: ORDER_ID;PAID or ORDER_ID;REJECTED;reason per line (required)", NULL},
        {NULL, NULL, NULL, NULL},
    };
    static const char *const required[] = {"file", NULL};
    static const struct tool t = {
        "admin social-reconcile",
        "Take the bank's answer to the payment orders: each order paid or rejected (with its reason,\n"
        "which the officer sees on the case).  Exit 0: every order known; 1: otherwise or failure.",
        required, reconcile};
    return run_tool(&t, opts, argc, argv);
}

static int reassess(const char *cmd, struct db *db, struct cli_opt *opts, struct pc_arena *a, struct pc_err *err)
{
    (void)a;
    if (!cli_get(opts, "due")) {
        fprintf(stderr, "pencere %s: --due is required (the grants whose last month is near)\n", cmd);
        return PC_EINVAL;
    }
    int started, rc = social_reassess_due(db, pc_now_unix(), &started, err);
    if (!rc)
        printf("%d grant(s) due: re-assessment begun, the registries asked again\n", started);
    return rc;
}

/* `pencere social reassess --due` (vemtas2): what the evidence job also does each round. */
int cmd_social(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "reassess") != 0) {
        fprintf(stderr, "usage: pencere social reassess --due [--db URL]\n");
        return EXIT_USAGE;
    }
    struct cli_opt opts[] = {
        DB_OPT,
        {"due", NULL, "begin the re-assessment of every grant whose last month is within the parameters' "
                      "reassess_days", NULL},
        {NULL, NULL, NULL, NULL},
    };
    static const struct tool t = {
        "social reassess",
        "Begin the re-assessment of granted social assistance before its period ends: fresh evidence is\n"
        "asked of the registries (the portal's evidence job gathers it) and the officer extends or ends.",
        NULL, reassess};
    return run_tool(&t, opts, argc - 1, argv + 1);
}

/* The demo's population register holds people 0..DEMO_REGISTRY_PEOPLE-1
 * (demo_exchange.c); its family 0 is a father, a mother and two children. */
#define DEMO_REGISTRY_PEOPLE 2000

int cli_social_demo_case(struct db *db, struct form_registry *forms, const char *dir, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    /* the first citizen of the demo's accounts (demo_seed.c) */
    json_t *list = json_load_file(pc_arena_printf(&a, "%s/demo-accounts.json", dir), 0, NULL);
    const char *fin = NULL, *account;
    size_t k;
    json_t *v;
    json_array_foreach(list, k, v) {
        if (!fin && pc_str_eq(json_string_value(json_object_get(v, "role")), "citizen"))
            fin = pc_arena_strdup(&a, json_string_value(json_object_get(v, "fin")));
    }
    json_decref(list);
    int rc = fin ? id_account_find(db, &a, fin, &account, err)
                 : pc_err_set(err, PC_ENOTFOUND, "no citizen in %s/demo-accounts.json", dir);
    json_t *members = json_array();
    static const char *const relations[] = {"spouse", "child", "child"};
    for (uint64_t i = 1; !rc && i <= 3; i++) {
        json_t *p = json_loads(reg_person_json(&a, i, DEMO_REGISTRY_PEOPLE), 0, NULL);
        json_array_append_new(members, json_pack("{s:O, s:s, s:s, s:O, s:s, s:i}", "member_fin",
                                                 json_object_get(p, "fin"), "member_name",
                                                 pc_arena_printf(&a, "%s %s", json_string_value(json_object_get(p, "surname")),
                                                                 json_string_value(json_object_get(p, "name"))),
                                                 "member_relation", relations[i - 1], "member_birth_date",
                                                 json_object_get(p, "birth_date"), "member_employment",
                                                 i == 1 ? "carer" : "student", "member_income", 0));
        json_decref(p);
    }
    json_t *answers = json_pack("{s:s, s:s, s:s, s:i, s:o, s:s, s:s, s:s, s:s, s:s}", "phone", "+994501234567", "address",
                                "Bakı, Sabunçu rayonu, Bakıxanov qəsəbəsi, S. Vurğun küçəsi 12", "applicant_employment",
                                "unemployed", "applicant_income", 0, "family_members", members, "housing_tenure", "rented",
                                "housing_condition", "needs_repair", "land_plot", "no", "bank_account_iban",
                                "AZ21NABZ00000000137010001944", "consent_fetch_certificates", "yes");
    /* the demo's applicant signed in with an e-signature, as the service asks */
    struct id_principal who = {.account_id = account, .login = fin, .kind = ID_ACCOUNT_CITIZEN, .fin = fin,
                               .grants = {{ID_ROLE_CITIZEN, ""}}, .ngrants = 1,
                               .auth = {.method = ID_METHOD_CERTIFICATE, .at = pc_now_unix()}};
    const struct form_set *set = form_set_acquire(forms);
    struct case_app app;
    bool existing;
    struct form_issues issues;
    const struct form_def *def = form_set_get(set, SOCIAL_SERVICE);
    if (!rc && def && def->signature == FORM_SIGN_REQUIRED)
        /* a form changed to be signed by the applicant (the signing tests'
         * portal): no case is sent for them; the demo goes on without it */
        pc_log(PC_LOG_INFO, "demo.social_case_skipped", "reason", "the form asks for the applicant's signature", NULL);
    else if (!rc && def)
        rc = case_submit(db, set, &who, SOCIAL_SERVICE, answers, "demo-vemtas-case", PC_LANG_AZ, "", &a, &app, &existing,
                         &issues, err);
    form_set_release(set);
    json_decref(answers);
    pc_arena_release(&a);
    return rc;
}

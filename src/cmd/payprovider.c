/* payprovider.c — `pencere payprovider`, the acquirer emulator as a
 * process of its own, and the portal's side of payments at start: the
 * provider from --pay-url with its key and secret files, or in the demo
 * the emulator inside the process with fresh random secrets. */
#include "cli.h"
#include "../http/http.h"
#include "../pay/pay.h"
#include "../payprovider/payprovider.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first line of a small file (a key or a secret) into out. */
static int first_line(const char *what, const char *path, char *out, size_t max)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) {
        fprintf(stderr, "pencere: %s: cannot read %s: %s\n", what, path ? path : "(not given)",
                path ? strerror(errno) : "give the file");
        return EXIT_USAGE;
    }
    bool ok = fgets(out, (int)max, f) != NULL;
    fclose(f);
    out[ok ? strcspn(out, "\r\n") : 0] = 0;
    if (!*out) {
        fprintf(stderr, "pencere: %s: %s has no first line\n", what, path);
        return EXIT_USAGE;
    }
    return 0;
}

int cli_pay_start(const struct cli_pay *o, bool demo, struct cli_pay_run *run)
{
    memset(run, 0, sizeof *run);
    if (!o->url && !demo)
        return 0; /* no online payment on this portal */
    char key[129], secret[129];
    const char *url = o->url;
    struct pc_err err = {0};
    if (url) {
        int rc = first_line("--pay-key-file", o->key_file, key, sizeof key);
        if (rc || (rc = first_line("--pay-secret-file", o->secret_file, secret, sizeof secret)))
            return rc;
    } else {
        /* the demo: its own bank, on a free port, secrets of the moment;
         * its settlement file carries one planted mismatch for the
         * reconciliation to find */
        pc_random_hex(key, 16);
        pc_random_hex(secret, 32);
        struct pp_config cfg = {.listen = "127.0.0.1:0", .api_key = key, .secret = secret, .plant_mismatch = true};
        run->emulator = pp_start(&cfg, &err);
        if (!run->emulator) {
            fprintf(stderr, "pencere: the payment emulator: %s\n", err.msg);
            return EXIT_FAIL;
        }
        url = pp_url(run->emulator);
    }
    run->provider = pay_acquirer_open(url, key, secret, "", 5000, &err);
    if (!run->provider) {
        fprintf(stderr, "pencere: payments: %s\n", err.msg);
        pp_stop(run->emulator);
        run->emulator = NULL;
        return EXIT_USAGE;
    }
    return 0;
}

void cli_pay_listening(struct cli_pay_run *run, const char *public_url, const char *listen, unsigned port)
{
    if (public_url) {
        snprintf(run->public_url, sizeof run->public_url, "%s", public_url);
    } else {
        const char *colon = strrchr(listen, ':');
        snprintf(run->public_url, sizeof run->public_url, "http://%.*s:%u", colon ? (int)(colon - listen) : 9, listen,
                 port);
    }
    if (run->provider)
        snprintf(run->provider->callback_url, sizeof run->provider->callback_url, "%.200s/api/v1/payments/callback",
                 run->public_url);
}

const char *cli_pay_emulator_url(const struct cli_pay_run *run)
{
    return run->emulator ? pp_url(run->emulator) : NULL;
}

void cli_pay_stop(struct cli_pay_run *run)
{
    pay_provider_close(run->provider);
    pp_stop(run->emulator);
    memset(run, 0, sizeof *run);
}

int cmd_payprovider(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"listen", "HOST:PORT", "address to listen on", "127.0.0.1:8090"},
        {"public-url", "URL", "how payers reach it (default: http://LISTEN)", NULL},
        {"key-file", "FILE", "first line is the API key the portal sends", NULL},
        {"secret-file", "FILE", "first line is the callbacks' shared secret (16+ characters)", NULL},
        {"plant-mismatch", NULL, "the settlement file says 1 AZN more for the day's first success", NULL},
        {"log-level", "LEVEL", "debug, info, warn or error", "info"},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("payprovider",
                       "An emulator of a bank/acquirer: a card page with test cards, signed callbacks to the portal,\n"
                       "refunds and the daily settlement file (docs/payments.md).",
                       opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (cli_set_log_level(cli_get(opts, "log-level")))
        return EXIT_USAGE;
    char key[129], secret[129];
    if ((rc = first_line("--key-file", cli_get(opts, "key-file"), key, sizeof key)) ||
        (rc = first_line("--secret-file", cli_get(opts, "secret-file"), secret, sizeof secret)))
        return rc;
    struct pc_err err = {0};
    if (http_listen_check(cli_get(opts, "listen"), &err)) {
        fprintf(stderr, "pencere payprovider: %s\n", err.msg);
        return EXIT_USAGE;
    }
    sigset_t set;
    cli_block_stop_signals(&set);
    struct pp_config cfg = {.listen = cli_get(opts, "listen"), .public_url = cli_get(opts, "public-url"),
                            .api_key = key, .secret = secret, .plant_mismatch = cli_get(opts, "plant-mismatch") != NULL};
    struct pp_server *s = pp_start(&cfg, &err);
    if (!s) {
        fprintf(stderr, "pencere payprovider: %s\n", err.msg);
        return err.code == PC_EINVAL ? EXIT_USAGE : EXIT_FAIL;
    }
    pc_log(PC_LOG_INFO, "payprovider.started", "url", pp_url(s), NULL);
    printf("Payment provider emulator: %s\n", pp_url(s));
    fflush(stdout);
    int sig = 0;
    while (sigwait(&set, &sig) != 0 && errno == EINTR)
        ;
    pp_stop(s);
    pc_log(PC_LOG_INFO, "payprovider.stopped", NULL);
    return EXIT_OK;
}

/* `pencere admin pay-reconcile`: the nightly job — unfinished payments
 * past PAY_EXPIRE_SECS are given up, then the day's payments are compared
 * with the provider's settlement file (or a file given). */
int cli_admin_pay_reconcile(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"db", "URL", "SQLite file path or postgres:// URL (or $PENCERE_DB)", NULL},
        {"day", "YYYY-MM-DD", "the day to reconcile (default: yesterday, UTC)", NULL},
        {"file", "FILE", "a settlement file to use instead of asking the provider", NULL},
        {"pay-url", "URL", "the payment provider's API", NULL},
        {"pay-key-file", "FILE", "file whose first line is the provider's API key", NULL},
        {"pay-secret-file", "FILE", "file whose first line is the callbacks' shared secret", NULL},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("admin pay-reconcile",
                       "Give up unfinished payments older than 90 minutes, then reconcile a day's payments with the\n"
                       "provider's settlement file; every mismatch is printed and kept for the operator's page.\n"
                       "Exit 0: no mismatch, 1: mismatches or failure.",
                       opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    char yesterday[21];
    pc_rfc3339(pc_now_unix() - 86400, yesterday);
    yesterday[10] = 0;
    const char *day = cli_get(opts, "day") ? cli_get(opts, "day") : yesterday;
    const char *file = cli_get(opts, "file");
    if (!pay_day_valid(day)) {
        fprintf(stderr, "pencere admin pay-reconcile: --day must be YYYY-MM-DD\n");
        return EXIT_USAGE;
    }
    struct cli_pay po = {.url = cli_get(opts, "pay-url"), .key_file = cli_get(opts, "pay-key-file"),
                         .secret_file = cli_get(opts, "pay-secret-file")};
    if (!file && !po.url) {
        fprintf(stderr, "pencere admin pay-reconcile: give --pay-url (with its key and secret files) or --file\n");
        return EXIT_USAGE;
    }
    const char *url = cli_get(opts, "db") ? cli_get(opts, "db") : getenv("PENCERE_DB");
    struct pc_err err = {0};
    struct db *db = url ? db_open(url, &err) : NULL;
    if (!db || db_migrate(db, &err)) {
        fprintf(stderr, "pencere admin pay-reconcile: %s\n", url ? err.msg : "--db is required");
        if (db)
            db_close(db);
        return url ? EXIT_FAIL : EXIT_USAGE;
    }
    struct cli_pay_run run = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    struct pay_recon rec;
    int64_t expired = 0;
    rc = pay_expire(db, pc_now_unix(), &expired, &err);
    if (!rc && file) {
        char *text;
        size_t len;
        struct pay_settle_line *lines;
        size_t n;
        if (cli_read_file("admin pay-reconcile", &a, file, PAY_SETTLE_MAX_BYTES, &text, &len)) {
            pc_arena_release(&a);
            db_close(db);
            return EXIT_FAIL; /* it said why */
        }
        rc = pay_settlement_parse(&a, text, len, &lines, &n, &err);
        if (!rc)
            rc = pay_reconcile(db, day, lines, n, &a, &rec, &err);
    } else if (!rc) {
        int crc = cli_pay_start(&po, false, &run);
        if (crc) {
            pc_arena_release(&a);
            db_close(db);
            return crc;
        }
        rc = pay_reconcile_provider(db, run.provider, day, &a, &rec, &err);
        cli_pay_stop(&run);
    }
    db_close(db);
    if (rc) {
        fprintf(stderr, "pencere admin pay-reconcile: %s\n", err.msg);
        pc_arena_release(&a);
        return EXIT_FAIL;
    }
    printf("%lld unfinished payments given up; %s: %lld settled lines, %lld mismatches\n", (long long)expired, day,
           (long long)rec.lines, (long long)rec.mismatches);
    for (size_t i = 0; i < rec.nitems; i++) {
        const struct pay_recon_item *it = &rec.items[i];
        printf("  %-8s %s ours %lld %s, theirs %lld %s\n", pay_mismatch_name(it->kind), it->payment_id,
               (long long)it->ours_qepik, it->ours_status ? it->ours_status : "-", (long long)it->theirs_qepik,
               it->theirs_status ? it->theirs_status : "-");
    }
    rc = rec.mismatches ? EXIT_FAIL : EXIT_OK;
    pc_arena_release(&a);
    return rc;
}

/* admin_oidc.c — `pencere admin oidc-rotate-keys`: a new OpenID Connect
 * signing key now (certified by the CA when --oidc-ca-url is given), e.g.
 * after a suspected compromise (--retire-old: the old keys leave the key
 * set at once).  Running nodes take it up within OIDC_KEY_RECHECK_SECS. */
#include "cli.h"
#include "oidc_ca.h"
#include "../db/db.h"
#include "../oidc/oidc.h"

#include <stdio.h>
#include <string.h>

int admin_oidc_rotate_keys(int argc, char **argv)
{
    struct cli_opt opts[16] = {
        {"db", "URL", "SQLite file path or postgres:// URL (or $PENCERE_DB)", NULL},
        {"passphrase-file", "FILE", "the portal's --oidc-passphrase-file", NULL},
        {"retire-old", NULL, "take the old keys out of the key set at once (a compromised key)", NULL},
    };
    size_t n = 3;
    for (const struct cli_opt *ca = cli_oidc_ca_opts; ca->name; ca++)
        opts[n++] = *ca;
    int rc = cli_parse("admin oidc-rotate-keys",
                       "Make a new OpenID Connect signing key now: it signs from 10 seconds later, and the old\n"
                       "keys stay published for the overlap (or not at all with --retire-old).", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *url = cli_get(opts, "db") ? cli_get(opts, "db") : getenv("PENCERE_DB");
    const char *pass_file = cli_get(opts, "passphrase-file");
    if (!url || !pass_file) {
        fprintf(stderr, "pencere admin oidc-rotate-keys: --db and --passphrase-file are required\n");
        return EXIT_USAGE;
    }
    struct oidc_config cfg;
    struct cli_oidc_ca ca = {0};
    oidc_config_defaults(&cfg);
    if ((rc = cli_secret_line("passphrase-file", pass_file, &cfg.passphrase)) ||
        (rc = cli_oidc_ca_read(opts, &ca, &cfg)))
        return rc;
    struct pc_err err = {0};
    struct db *db = db_open(url, &err);
    if (!db || db_migrate(db, &err)) {
        fprintf(stderr, "pencere admin oidc-rotate-keys: %s\n", err.msg);
        db_close(db);
        return EXIT_FAIL;
    }
    struct pc_arena a;
    pc_arena_init(&a);
    const char *kid;
    rc = oidc_keys_rotate(db, &cfg, cli_get(opts, "retire-old") != NULL, &a, &kid, &err);
    if (rc)
        fprintf(stderr, "pencere admin oidc-rotate-keys: %s\n", err.msg);
    else
        printf("new signing key %s%s\n", kid, cli_get(opts, "retire-old") ? " (the old keys are withdrawn)" : "");
    pc_arena_release(&a);
    db_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}

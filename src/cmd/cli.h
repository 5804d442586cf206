/* cli.h — shared by the subcommands: option parsing from one table per
 * command (name, whether it takes a value, help), usage output, and the
 * exit codes of the command-line contract. */
#ifndef PC_CMD_CLI_H
#define PC_CMD_CLI_H

#include "../base/base.h"
#include "../cases/cases.h"
#include "../catalog/catalog.h"

#include <stdio.h>

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct cli_opt {
    const char *name;      /* "listen" for --listen */
    const char *arg;       /* "HOST:PORT", or NULL for a flag */
    const char *help;
    const char *value;     /* filled: the value, "1" for a given flag, or the default */
};

/* Parse argv against opts (terminated by a NULL name).  Returns 0, or
 * EXIT_USAGE after printing what is wrong; --help prints usage and
 * returns -1 (the caller exits 0). */
int cli_parse(const char *cmd, const char *summary, struct cli_opt *opts, int argc, char **argv);
const char *cli_get(struct cli_opt *opts, const char *name);
/* cli_parse, with up to max arguments that are not options (FILE …) put
 * in pos in their order; *npos tells how many there were. */
int cli_parse_pos(const char *cmd, const char *summary, struct cli_opt *opts, int argc, char **argv,
                  const char **pos, int max, int *npos);

/* The helpers of the long-running roles and the tools (main.c). */
#include <signal.h>
/* Block the stop signals before any thread starts, so that only the main
 * thread receives them (in sigwait) and workers are never interrupted. */
void cli_block_stop_signals(sigset_t *set);
/* --log-level debug|info|warn|error; EXIT_USAGE after a message if bad. */
int cli_set_log_level(const char *lvl);
/* An unsigned option in [min,max] into *out (kept when absent). */
int cli_uint_opt(struct cli_opt *opts, const char *name, long long min, long long max, unsigned *out);
/* A whole file of at most max bytes into the arena (NUL-terminated);
 * EXIT_FAIL after a message naming cmd and the file. */
int cli_read_file(const char *cmd, struct pc_arena *a, const char *path, size_t max, char **out, size_t *len);

int cmd_portal(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_ca(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_payprovider(int argc, char **argv);

/* Payments at the portal's start (payprovider.c): the provider of
 * --pay-url, or in the demo the emulator inside the process. */
struct cli_pay {
    const char *url, *key_file, *secret_file, *public_url;
};
struct pay_provider;
struct pp_server;
struct cli_pay_run {
    struct pay_provider *provider;   /* NULL: no online payment */
    struct pp_server *emulator;      /* the demo's */
    char public_url[256];            /* the portal's address as payers reach it */
};
/* 0, or an exit code after a message. */
int cli_pay_start(const struct cli_pay *o, bool demo, struct cli_pay_run *run);
/* The portal listens on port: its public address and callback URL follow. */
void cli_pay_listening(struct cli_pay_run *run, const char *public_url, const char *listen, unsigned port);
const char *cli_pay_emulator_url(const struct cli_pay_run *run);   /* NULL unless the demo's */
void cli_pay_stop(struct cli_pay_run *run);
/* `pencere admin pay-reconcile` (payprovider.c). */
int cli_admin_pay_reconcile(int argc, char **argv);

/* Demo people and accounts (demo_seed.c). */
struct db;
int demo_seed(struct db *db, const char *dir, struct pc_err *err);
void demo_print_accounts(const char *dir);

/* Where the catalogue files are: an explicit dir, else the first of
 * $PENCERE_DATA/catalog, ./data/catalog, the source tree's data/catalog,
 * /usr/share/pencere/catalog that exists.  NULL if none. */
const char *cli_catalog_dir(const char *explicit_dir);

/* The forms beside a catalogue: an explicit dir, else catalog_dir/../forms
 * when it exists; NULL if none (import.c). */
const char *cli_forms_dir(const char *catalog_dir, const char *explicit_dir);

struct cli_import_stats {
    struct cat_import_stats catalog;
    struct form_import_stats forms;
    bool with_forms;
};

/* Import the catalogue and the forms (forms_dir may be NULL): the forms are
 * checked against the catalogue files first, so nothing is written when
 * any file is bad.  Every problem goes to report as "FILE: …". */
int cli_import(struct db *db, const char *catalog_dir, const char *forms_dir, FILE *report,
               struct cli_import_stats *st, struct pc_err *err);

#endif

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

/* One HTTP request (fetch.c): GET, or POST of body when it is set. */
struct cli_request {
    const char *url;
    const char *body;                 /* NULL: GET */
    const char *const *headers;       /* "Name: value", NULL-terminated; may be NULL */
    const char *user, *password;      /* HTTP Basic when user is set */
    size_t max;                       /* bytes of answer at most (0: 64 KiB) */
};
/* The answer's status and body (NUL-terminated, in a); PC_EUNAVAIL
 * naming the URL when there is no answer. */
int cli_fetch(struct pc_arena *a, const struct cli_request *q, long *status, char **out, size_t *len,
              struct pc_err *err);

int cmd_portal(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int admin_oidc_rotate_keys(int argc, char **argv);   /* admin_oidc.c */
int cmd_ca(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_phone(int argc, char **argv);
int cmd_login_sign(int argc, char **argv);
int cmd_central(int argc, char **argv);
int cmd_gateway(int argc, char **argv);
int cmd_registry(int argc, char **argv);
int cmd_social(int argc, char **argv);   /* social.c (vemtas2) */

/* The demo's exchange layer (demo_exchange.c): child processes set up
 * and started in the background, DATA_DIR/demo-exchange.json once ready;
 * stop waits for the setup and stops them. */
void demo_exchange_start(const char *dir);
/* The demo's people (demo_seed.c) are the population register's first
 * DEMO_POPULATION; its taxpayer register has DEMO_TAXPAYERS naming them. */
#define DEMO_POPULATION 2000
#define DEMO_TAXPAYERS 400
void demo_exchange_stop(void);
int cmd_eval(int argc, char **argv);
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
/* social.c (vemtas): the means test's parameters, payment orders, the bank's answer */
int cli_admin_social_params(int argc, char **argv);
int cli_admin_social_payments(int argc, char **argv);
int cli_admin_social_reconcile(int argc, char **argv);
struct form_registry;
/* The demo's VEMTAS case of its first citizen (submitted once: an idempotency key). */
int cli_social_demo_case(struct db *db, struct form_registry *forms, const char *dir, struct pc_err *err);
/* The demo's paper application of social assistance (demo_paper.c): once per demo folder. */
int cli_demo_paper_case(struct db *db, struct form_registry *forms, struct case_store *files, const char *dir,
                        struct pc_err *err);

/* Demo people and accounts (demo_seed.c). */
struct db;
int demo_seed(struct db *db, const char *dir, struct pc_err *err);
void demo_print_accounts(const char *dir);
/* The demo citizen's e-safe: a decided application's decision and a
 * diploma (demo_esafe.c); after demo_seed. */
int demo_esafe(struct db *db, const char *dir, struct pc_err *err);
/* The portal's checker of the demo's centre, open in this process
 * (portal_ca.c); certificates and key files for the demo's people, named
 * in demo-accounts.json (demo_ca.c). */
struct pki_ca;
struct pki_checker;
int demo_ca_checker(struct pki_ca *ca, struct pki_checker **checker, struct pc_err *err);
int demo_ca_certificates(struct pki_ca *ca, struct db *db, const char *dir, struct pc_err *err);
/* The demo's election operator signs the poll tallies: its key and
 * certificate (issued at first start, kept in DIR/ca/tally.key and .pem)
 * and the centre's TSA at ca_url into cfg, read into a. */
struct part_config;
int demo_ca_tally_signer(struct pki_ca *ca, const char *dir, const char *ca_url, struct pc_arena *a,
                         struct part_config *cfg, struct pc_err *err);

/* The agencies a demo officer works in (at most max ids; demo_seed.c). */
size_t demo_officer_agencies(const char **out, size_t max);

/* ---- the certification centre, seen from the portal (portal_ca.c) ---- */
#include "../audit/audit.h"
#include "../pki/pki.h"

/* The centre's TSA as the audit module asks for it: stamps through the RA
 * client, kept tokens checked against the chain at url/ca/chain.pem. */
struct cli_tsa {
    struct audit_tsa tsa;
    const char *url;
    struct pki_client *client;
    const char *chain_pem;       /* fetched on first check, in that call's arena */
    size_t chain_len;
};
void cli_tsa_init(struct cli_tsa *t, const char *url, struct pki_client *client);

struct http_server;
/* The portal's link to the centre: its RA client, the audit stamper, and
 * in the demo the CA itself.  Zero it (arena initialised) before use. */
struct cli_portal_ca {
    struct pc_arena arena;
    struct pki_client *client;
    struct cli_tsa tsa;
    struct audit_stamper *stamper;   /* NULL when not stamping */
    struct pki_ca *ca;               /* the demo's own */
    struct pki_api api;
    struct pki_jobs *jobs;
    struct http_server *http;
    const char *url;                 /* the demo's CA as reached */
};
/* The RA client of url with key_file; the head of the audit chain stamped
 * every stamp_interval_ms (0: never) on the node holding the lease. */
int cli_portal_ca_open(struct cli_portal_ca *pc, struct db *db, const char *url, const char *key_file,
                       int stamp_interval_ms, struct pc_err *err);
/* The demo: DATA_DIR/ca made at first start (hierarchy, the portal as
 * client, the demo agencies' seals), served on listen in this process,
 * then cli_portal_ca_open on it. */
int cli_demo_ca_start(struct cli_portal_ca *pc, const char *data_dir, const char *listen, struct db *portal_db,
                      int stamp_interval_ms, struct pc_err *err);
/* Stop and release whatever was started (safe on a zeroed one). */
void cli_portal_ca_close(struct cli_portal_ca *pc);

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

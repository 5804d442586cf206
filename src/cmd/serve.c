/* serve.c — the long-running roles: `portal` (one node, any database) and
 * `demo` (every role on SQLite files in one folder, with demo data).
 * Both stop gracefully on SIGTERM or SIGINT: no new connections, requests
 * in flight finish, then the database closes. */
#include "cli.h"
#include "../isreg/isreg.h"
#include "../cases/cases.h"
#include "../catalog/catalog.h"
#include "../db/db.h"
#include "../http/http.h"
#include "../notify/notify.h"
#include "../web/web.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The catalogue of dir and the forms beside it (data/catalog, data/forms). */
static int import_catalog(struct db *db, const char *dir)
{
    struct cli_import_stats st;
    struct pc_err err = {0};
    if (cli_import(db, dir, cli_forms_dir(dir, NULL), stderr, &st, &err)) {
        fprintf(stderr, "pencere: import from %s failed: %s\n", dir, err.msg);
        return EXIT_FAIL;
    }
    pc_logf(PC_LOG_INFO, "catalog.imported", "%d agencies, %d services, %d life situations from %s",
            st.catalog.agencies, st.catalog.services, st.catalog.life_events, dir);
    if (st.with_forms)
        pc_logf(PC_LOG_INFO, "forms.imported", "%d forms, %d new versions", st.forms.files, st.forms.stored);
    return 0;
}


enum num_kind {
    NUM_UINT,     /* unsigned *u */
    NUM_INT,      /* int *i */
    NUM_SECONDS,  /* seconds with up to three decimals ("0.5"), kept in *i as ms */
};

struct num_opt {
    const char *name, *arg, *help;
    enum num_kind kind;
    void *field;
    long long min, max;   /* NUM_SECONDS: in milliseconds */
    char shown[24];       /* the default as text */
};

#define MAX_OPTS 48
#define DEFAULT_LISTEN "127.0.0.1:8080"

struct serve_opts {
    const char *listen;
    const char *db_url;
    const char *catalog;      /* import at start when set */
    const char *demo_dir;     /* seed demo people and accounts here */
    const char *files_dir;    /* uploaded files (the database store: files being received) */
    enum case_store_kind files_store;
    struct http_config http;
    struct notify_config notify; /* delivery of the outbox (SMTP, SMS gateway) */
    struct cli_pay pay;          /* the payment provider (payprovider.c) */
    struct num_opt nums[MAX_OPTS];  /* the numeric rows of cli */
    size_t nnums;
    struct cli_opt cli[MAX_OPTS];   /* what cli_parse reads, NULL-terminated */
    size_t ncli;
};

/* Open, migrate, import, serve until a stop signal.  `banner` prints the
 * URLs once the server listens. */
static int serve(struct serve_opts *o, void (*banner)(unsigned port, const char *pay_url, void *ctx), void *ctx)
{
    sigset_t set;
    cli_block_stop_signals(&set);
    struct pc_err err = {0};
    struct db *db = db_open(o->db_url, &err);
    if (!db) {
        fprintf(stderr, "pencere: %s\n", err.msg);
        return EXIT_FAIL;
    }
    if (db_migrate(db, &err)) {
        fprintf(stderr, "pencere: database migration failed: %s\n", err.msg);
        db_close(db);
        return EXIT_FAIL;
    }
    if (o->catalog && import_catalog(db, o->catalog)) {
        db_close(db);
        return EXIT_FAIL;
    }
    if (o->demo_dir && demo_seed(db, o->demo_dir, &err)) {
        fprintf(stderr, "pencere: demo data: %s\n", err.msg);
        db_close(db);
        return EXIT_FAIL;
    }
    /* the demo's register of information systems, beside the catalogue
     * (a catalogue of one's own may come without one) */
    char isreg_dir[4200];
    struct stat st;
    if (o->demo_dir && o->catalog &&
        snprintf(isreg_dir, sizeof isreg_dir, "%s/../isreg", o->catalog) < (int)sizeof isreg_dir &&
        stat(isreg_dir, &st) == 0 && S_ISDIR(st.st_mode) && isreg_load_demo(db, isreg_dir, pc_now_unix(), &err)) {
        fprintf(stderr, "pencere: demo register: %s\n", err.msg);
        db_close(db);
        return EXIT_FAIL;
    }
    struct portal_app app = {.db = db, .demo = o->demo_dir != NULL, .secure_cookies = o->http.https};
    app.files = case_store_open(o->files_store, o->files_dir, db, &err);
    if (!app.files) {
        fprintf(stderr, "pencere: uploaded files: %s\n", err.msg);
        db_close(db);
        return EXIT_FAIL;
    }
    app.forms = form_registry_open(db, &err);
    if (!app.forms) {
        fprintf(stderr, "pencere: cannot load the forms: %s\n", err.msg);
        case_store_close(app.files);
        db_close(db);
        return EXIT_FAIL;
    }
    struct cli_pay_run pay;
    int prc = cli_pay_start(&o->pay, o->demo_dir != NULL, &pay);
    if (prc) {
        form_registry_close(app.forms);
        case_store_close(app.files);
        db_close(db);
        return prc;
    }
    app.pay = pay.provider;
    app.public_url = pay.public_url;
    struct notify_worker *sender = NULL;
    if (notify_config_enabled(&o->notify)) {
        sender = notify_worker_start(db, &o->notify, &err);
        if (!sender) {
            fprintf(stderr, "pencere: message delivery: %s\n", err.msg);
            cli_pay_stop(&pay);
            form_registry_close(app.forms);
            case_store_close(app.files);
            db_close(db);
            return EXIT_FAIL;
        }
    } else {
        pc_log(PC_LOG_INFO, "notify.disabled", "reason", "no --smtp-url or --sms-url: messages stay in the outbox",
               NULL);
    }
    o->http.listen = o->listen;
    o->http.log_requests = true;
    web_portal_http_config(&app, &o->http);
    struct http_server *srv = http_start(&o->http, &err);
    if (!srv) {
        fprintf(stderr, "pencere: %s\n", err.msg);
        notify_worker_stop(sender);
        cli_pay_stop(&pay);
        form_registry_close(app.forms);
        case_store_close(app.files);
        db_close(db);
        return EXIT_FAIL;
    }
    app.http = srv;
    cli_pay_listening(&pay, o->pay.public_url, o->listen, http_port(srv));
    if (pc_log_start_thread())
        pc_log(PC_LOG_WARN, "log.unbuffered", "reason", "no logger thread: each line is written by its caller", NULL);
    pc_log(PC_LOG_INFO, "portal.started", "listen", o->listen, "db", db_kind_name(db), NULL);
    if (banner)
        banner(http_port(srv), cli_pay_emulator_url(&pay), ctx);
    int sig = 0;
    while (sigwait(&set, &sig) != 0 && errno == EINTR)
        ;
    pc_log(PC_LOG_INFO, "portal.stopping", "signal", sig == SIGTERM ? "TERM" : "INT", NULL);
    notify_worker_request_stop(sender); /* finishes its message while HTTP drains */
    http_stop(srv, 10);
    cli_pay_stop(&pay);
    notify_worker_stop(sender);
    form_registry_close(app.forms);
    case_store_close(app.files);
    db_close(db);
    pc_log(PC_LOG_INFO, "portal.stopped", NULL);
    pc_log_stop_thread();
    return EXIT_OK;
}

/* ---- options --------------------------------------------------------------
 * The numeric options of both roles in one table: name, where the value
 * is stored, its bounds.  A default is the value already in the field when
 * the table is read, put there by http_config_defaults and
 * notify_config_defaults: each is stated once, in the module that owns it,
 * and --help shows it from here. */

static void add_opt(struct serve_opts *o, const char *name, const char *arg, const char *help, const char *value)
{
    if (o->ncli >= MAX_OPTS)
        abort(); /* the tables above are the program's own: a bigger MAX_OPTS */
    o->cli[o->ncli++] = (struct cli_opt){name, arg, help, value};
}

static void add_num(struct serve_opts *o, const char *name, const char *arg, const char *help, enum num_kind kind,
                    void *field, long long min, long long max)
{
    struct num_opt *n = &o->nums[o->nnums++];
    *n = (struct num_opt){name, arg, help, kind, field, min, max, ""};
    if (kind == NUM_UINT)
        snprintf(n->shown, sizeof n->shown, "%u", *(unsigned *)field);
    else if (kind == NUM_INT)
        snprintf(n->shown, sizeof n->shown, "%d", *(int *)field);
    else if (*(int *)field % 1000)
        snprintf(n->shown, sizeof n->shown, "%d.%03d", *(int *)field / 1000, *(int *)field % 1000);
    else
        snprintf(n->shown, sizeof n->shown, "%d", *(int *)field / 1000);
    add_opt(o, name, arg, help, n->shown);
}

/* Seconds with up to three decimals ("0.5") as milliseconds. */
static int parse_seconds_ms(const char *v, long long *out)
{
    const char *dot = strchr(v, '.');
    char whole[24] = "", frac[4] = "000";
    size_t wn = dot ? (size_t)(dot - v) : strlen(v), fn = dot ? strlen(dot + 1) : 0;
    long long w, f;
    if (wn == 0 || wn >= sizeof whole || fn > 3 || (dot && fn == 0))
        return PC_EINVAL;
    memcpy(whole, v, wn);
    memcpy(frac, dot ? dot + 1 : "", fn);
    if (pc_parse_int(whole, 0, 1000000, &w) || pc_parse_int(frac, 0, 999, &f))
        return PC_EINVAL;
    *out = w * 1000 + f;
    return 0;
}

static int read_num(struct serve_opts *o, const struct num_opt *n)
{
    const char *v = cli_get(o->cli, n->name);
    long long x;
    int rc = n->kind == NUM_SECONDS ? parse_seconds_ms(v, &x) : pc_parse_int(v, n->min, n->max, &x);
    if (rc || x < n->min || x > n->max) {
        if (n->kind == NUM_SECONDS)
            fprintf(stderr, "pencere: --%s must be a number of seconds from %g to %g\n", n->name, n->min / 1000.0,
                    n->max / 1000.0);
        else
            fprintf(stderr, "pencere: --%s must be an integer from %lld to %lld\n", n->name, n->min, n->max);
        return EXIT_USAGE;
    }
    if (n->kind == NUM_UINT)
        *(unsigned *)n->field = (unsigned)x;
    else
        *(int *)n->field = (int)x;
    return 0;
}

/* The options both roles take, after the role's own. */
static void common_opts(struct serve_opts *o)
{
    http_config_defaults(&o->http);
    notify_config_defaults(&o->notify);
    struct http_config *h = &o->http;
    struct notify_config *n = &o->notify;
    add_num(o, "threads", "N", "worker threads (0: twice the cores, at least 4)", NUM_UINT, &h->threads, 0, 256);
    add_num(o, "max-connections", "N", "open connections at most", NUM_UINT, &h->max_connections, 1, 100000);
    add_num(o, "per-ip-connections", "N",
            "connections one client address may hold (behind --trusted-proxy: requests in progress; 0: no limit)",
            NUM_UINT, &h->per_ip_connections, 0, 100000);
    add_num(o, "timeout", "SECONDS", "close connections idle this long (slow clients)", NUM_UINT, &h->timeout_secs,
            1, 3600);
    add_num(o, "header-timeout", "SECONDS",
            "a request line and headers must arrive within this (from connect or the previous answer)", NUM_UINT,
            &h->header_timeout_secs, 1, 3600);
    add_num(o, "body-timeout", "SECONDS", "a body must arrive within this, plus a second per KiB", NUM_UINT,
            &h->body_timeout_secs, 1, 3600);
    add_opt(o, "trusted-proxy", "LIST",
            "addresses or CIDR blocks of reverse proxies whose X-Forwarded-For/-Proto are believed", NULL);
    add_opt(o, "https", NULL, "reached over HTTPS (TLS at a proxy in front): Secure cookies and HSTS", NULL);
    add_num(o, "page-cache-ms", "MS", "reuse public pages this long (0: off); an import makes them stale at once",
            NUM_UINT, &h->cache_ms, 0, 3600000);
    add_opt(o, "log-level", "LEVEL", "debug, info, warn or error", "info");
    add_opt(o, "smtp-url", "URL", "send e-mail through this server: smtp://HOST[:PORT] or smtps://HOST[:PORT]", NULL);
    add_opt(o, "smtp-user", "NAME", "SMTP login (the password comes from --smtp-password-file)", NULL);
    add_opt(o, "smtp-password-file", "FILE", "file whose first line is the SMTP password", NULL);
    add_opt(o, "mail-from", "ADDRESS", "sender of e-mail: noreply@example.az or \"Name <noreply@example.az>\"", NULL);
    add_opt(o, "sms-url", "URL", "SMS gateway: JSON POST {to, text, id} to this http(s) URL", NULL);
    add_opt(o, "sms-token-file", "FILE", "file whose first line is the gateway's bearer token", NULL);
    add_opt(o, "pay-url", "URL", "the payment provider's API (the acquirer protocol, docs/payments.md)", NULL);
    add_opt(o, "pay-key-file", "FILE", "file whose first line is the provider's API key", NULL);
    add_opt(o, "pay-secret-file", "FILE", "file whose first line is the callbacks' shared secret", NULL);
    add_opt(o, "public-url", "URL", "the portal's address as payers reach it (default: http://LISTEN)", NULL);
    add_num(o, "notify-interval", "SECONDS", "how often the sender looks for due messages", NUM_SECONDS,
            &n->interval_ms, 100, 3600 * 1000);
    add_num(o, "notify-retry-base", "SECONDS", "wait before the first retry, doubled each time up to an hour",
            NUM_INT, &n->retry_base_secs, 1, 86400);
    add_num(o, "notify-max-attempts", "N", "attempts before a message is given up as failed", NUM_INT,
            &n->max_attempts, 1, 100);
    add_num(o, "notify-lease", "SECONDS", "a sender node that stops renewing is replaced after this", NUM_INT,
            &n->lease_secs, 3, 3600);
    add_opt(o, NULL, NULL, NULL, NULL);
}

static int read_common(struct serve_opts *o)
{
    struct pc_err err = {0};
    if (http_listen_check(cli_get(o->cli, "listen"), &err)) {
        fprintf(stderr, "pencere: %s\n", err.msg);
        return EXIT_USAGE;
    }
    if (cli_set_log_level(cli_get(o->cli, "log-level")))
        return EXIT_USAGE;
    for (size_t i = 0; i < o->nnums; i++)
        if (read_num(o, &o->nums[i]))
            return EXIT_USAGE;
    const char *proxies = cli_get(o->cli, "trusted-proxy");
    if (proxies && http_proxies_parse(proxies, &o->http.trusted, &err)) {
        fprintf(stderr, "pencere: %s\n", err.msg);
        return EXIT_USAGE;
    }
    o->http.https = cli_get(o->cli, "https") != NULL;
    struct notify_config *n = &o->notify;
    n->smtp_url = cli_get(o->cli, "smtp-url");
    n->smtp_user = cli_get(o->cli, "smtp-user");
    n->smtp_password_file = cli_get(o->cli, "smtp-password-file");
    n->mail_from = cli_get(o->cli, "mail-from");
    n->sms_url = cli_get(o->cli, "sms-url");
    n->sms_token_file = cli_get(o->cli, "sms-token-file");
    o->pay = (struct cli_pay){.url = cli_get(o->cli, "pay-url"), .key_file = cli_get(o->cli, "pay-key-file"),
                              .secret_file = cli_get(o->cli, "pay-secret-file"),
                              .public_url = cli_get(o->cli, "public-url")};
    if (n->retry_max_secs < n->retry_base_secs)
        n->retry_max_secs = n->retry_base_secs;
    if (notify_config_check(n, &err)) {
        fprintf(stderr, "pencere: %s\n", err.msg);
        return EXIT_USAGE;
    }
    return 0;
}

int cmd_portal(int argc, char **argv)
{
    struct serve_opts o = {0};
    add_opt(&o, "listen", "HOST:PORT", "address to listen on", DEFAULT_LISTEN);
    add_opt(&o, "db", "URL", "SQLite file path or postgres:// URL (or $PENCERE_DB)", NULL);
    add_opt(&o, "import-catalog", "DIR", "import the catalogue from DIR before serving", NULL);
    add_opt(&o, "files-store", "KIND",
            "where uploaded files are kept: dir (in --files-dir, shared by all nodes) or db (in the database)", "dir");
    add_opt(&o, "files-dir", "DIR",
            "the files folder, shared by all nodes; with --files-store db, this node's own folder for files being"
            " received (default: beside a SQLite file)", NULL);
    common_opts(&o);
    struct cli_opt *opts = o.cli;
    int rc = cli_parse("portal", "Serve the portal: HTML pages, JSON API /api/v1, /healthz, /metrics.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    o.listen = cli_get(opts, "listen");
    o.db_url = cli_get(opts, "db") ? cli_get(opts, "db") : getenv("PENCERE_DB");
    if (!o.db_url) {
        fprintf(stderr, "pencere portal: --db is required (a SQLite path or a postgres:// URL)\n");
        return EXIT_USAGE;
    }
    o.catalog = cli_get(opts, "import-catalog");
    int kind = case_store_kind_parse(cli_get(opts, "files-store"));
    if (kind < 0) {
        fprintf(stderr, "pencere portal: --files-store must be dir or db\n");
        return EXIT_USAGE;
    }
    o.files_store = (enum case_store_kind)kind;
    o.files_dir = cli_get(opts, "files-dir");
    static char beside[4096];
    if (!o.files_dir) {
        if (pc_str_has_prefix(o.db_url, "postgres://") || pc_str_has_prefix(o.db_url, "postgresql://")) {
            fprintf(stderr, "pencere portal: with PostgreSQL give --files-dir (a folder every node shares, or with"
                            " --files-store db this node's own)\n");
            return EXIT_USAGE;
        }
        const char *slash = strrchr(o.db_url, '/');
        snprintf(beside, sizeof beside, "%.*s%sfiles", slash ? (int)(slash - o.db_url) : 0, o.db_url, slash ? "/" : "");
        o.files_dir = beside;
    }
    if ((rc = read_common(&o)))
        return rc;
    return serve(&o, NULL, NULL);
}

static void demo_banner(unsigned port, const char *pay_url, void *ctx)
{
    const char *dir = ctx;
    printf("\nPəncərə demo is running.\n\n"
           "  Portal (az):   http://127.0.0.1:%u/\n"
           "  Portal (en):   http://127.0.0.1:%u/?lang=en\n"
           "  Portal (ru):   http://127.0.0.1:%u/?lang=ru\n"
           "  JSON API:      http://127.0.0.1:%u/api/v1/services\n"
           "  OpenAPI:       http://127.0.0.1:%u/api/v1/openapi.yaml\n"
           "  Health:        http://127.0.0.1:%u/healthz\n"
           "  Metrics:       http://127.0.0.1:%u/metrics\n\n"
           "  Log in:        http://127.0.0.1:%u/login\n"
           "  Data folder:   %s (SQLite database pencere.db)\n\n",
           port, port, port, port, port, port, port, port, dir);
    demo_print_accounts(dir);
    if (pay_url)
        printf("  Payment provider (test bank): %s\n  Test cards: 4242424242424242 pays, 4000000000000002 is declined,\n"
               "  4000000000003220 asks for the 3-D Secure code 123456, 4000000000000119 never answers.\n\n",
               pay_url);
    printf("Press Ctrl+C to stop.\n");
    fflush(stdout);
}

int cmd_demo(int argc, char **argv)
{
    struct serve_opts o = {0};
    add_opt(&o, "listen", "HOST:PORT", "address to listen on", DEFAULT_LISTEN);
    add_opt(&o, "data-dir", "DIR", "folder for the demo's SQLite files (created if missing)", "demo-data");
    add_opt(&o, "catalog", "DIR", "catalogue files to load (default: the project's data/catalog)", NULL);
    common_opts(&o);
    struct cli_opt *opts = o.cli;
    int rc = cli_parse("demo", "Run the portal with demo data on SQLite files in one folder.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    o.listen = cli_get(opts, "listen");
    if ((rc = read_common(&o)))
        return rc;
    const char *dir = cli_get(opts, "data-dir");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "pencere demo: cannot create %s: %s\n", dir, strerror(errno));
        return EXIT_FAIL;
    }
    o.catalog = cli_catalog_dir(cli_get(opts, "catalog"));
    if (!o.catalog) {
        fprintf(stderr, "pencere demo: catalogue files not found; give --catalog DIR\n");
        return EXIT_FAIL;
    }
    char url[4096];
    snprintf(url, sizeof url, "%s/pencere.db", dir);
    o.db_url = url;
    o.demo_dir = dir;
    char files[4096];
    snprintf(files, sizeof files, "%s/files", dir);
    o.files_dir = files;
    return serve(&o, demo_banner, (void *)dir);
}

/* serve.c — the long-running roles: `portal` (one node, any database) and
 * `demo` (every role on SQLite files in one folder, with demo data).
 * Both stop gracefully on SIGTERM or SIGINT: no new connections, requests
 * in flight finish, then the database closes. */
#include "cli.h"
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

/* The forms live beside the catalogue: data/catalog and data/forms. */
static int import_forms(struct db *db, const char *catalog_dir)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/../forms", catalog_dir);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    int count = 0;
    struct pc_err err = {0};
    if (form_import_dir(db, dir, stderr, &count, &err)) {
        fprintf(stderr, "pencere: form import from %s failed: %s\n", dir, err.msg);
        return EXIT_FAIL;
    }
    pc_logf(PC_LOG_INFO, "forms.imported", "%d forms from %s", count, dir);
    return 0;
}

static int import_catalog(struct db *db, const char *dir)
{
    struct cat_import_stats st;
    struct pc_err err = {0};
    if (cat_import(db, dir, stderr, &st, &err)) {
        fprintf(stderr, "pencere: catalogue import from %s failed: %s\n", dir, err.msg);
        return EXIT_FAIL;
    }
    pc_logf(PC_LOG_INFO, "catalog.imported", "%d agencies, %d services, %d life situations from %s",
            st.agencies, st.services, st.life_events, dir);
    return 0;
}

struct serve_opts {
    const char *listen;
    const char *db_url;
    const char *catalog;      /* import at start when set */
    const char *demo_dir;     /* seed demo people and accounts here */
    const char *files_dir;    /* uploaded files */
    struct http_config http;
    struct notify_config notify; /* delivery of the outbox (SMTP, SMS gateway) */
};

/* Open, migrate, import, serve until a stop signal.  `banner` prints the
 * URLs once the server listens. */
static int serve(struct serve_opts *o, void (*banner)(unsigned port, void *ctx), void *ctx)
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
    if (o->catalog && (import_catalog(db, o->catalog) || import_forms(db, o->catalog))) {
        db_close(db);
        return EXIT_FAIL;
    }
    if (o->demo_dir && demo_seed(db, o->demo_dir, &err)) {
        fprintf(stderr, "pencere: demo data: %s\n", err.msg);
        db_close(db);
        return EXIT_FAIL;
    }
    struct portal_app app = {.db = db, .demo = o->demo_dir != NULL, .files_dir = o->files_dir};
    app.forms = form_registry_load(db, &err);
    if (!app.forms) {
        fprintf(stderr, "pencere: cannot load the forms: %s\n", err.msg);
        db_close(db);
        return EXIT_FAIL;
    }
    struct notify_worker *sender = NULL;
    if (notify_config_enabled(&o->notify)) {
        sender = notify_worker_start(db, &o->notify, &err);
        if (!sender) {
            fprintf(stderr, "pencere: message delivery: %s\n", err.msg);
            form_registry_free(app.forms);
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
        form_registry_free(app.forms);
        db_close(db);
        return EXIT_FAIL;
    }
    app.http = srv;
    if (pc_log_start_thread())
        pc_log(PC_LOG_WARN, "log.unbuffered", "reason", "no logger thread: each line is written by its caller", NULL);
    pc_log(PC_LOG_INFO, "portal.started", "listen", o->listen, "db", db_kind_name(db), NULL);
    if (banner)
        banner(http_port(srv), ctx);
    int sig = 0;
    while (sigwait(&set, &sig) != 0 && errno == EINTR)
        ;
    pc_log(PC_LOG_INFO, "portal.stopping", "signal", sig == SIGTERM ? "TERM" : "INT", NULL);
    notify_worker_request_stop(sender); /* finishes its message while HTTP drains */
    http_stop(srv, 10);
    notify_worker_stop(sender);
    form_registry_free(app.forms);
    db_close(db);
    pc_log(PC_LOG_INFO, "portal.stopped", NULL);
    pc_log_stop_thread();
    return EXIT_OK;
}

#define COMMON_OPTS \
    {"threads", "N", "worker threads (0: twice the cores, at least 4)", NULL}, \
    {"max-connections", "N", "open connections at most", "1024"}, \
    {"per-ip-connections", "N", "connections per client address (0: no limit)", "0"}, \
    {"timeout", "SECONDS", "close connections idle this long (slow clients)", "30"}, \
    {"page-cache-ms", "MS", "reuse public pages this long (0: off); an import makes them stale at once", "10000"}, \
    {"log-level", "LEVEL", "debug, info, warn or error", "info"}, \
    {"smtp-url", "URL", "send e-mail through this server: smtp://HOST[:PORT] or smtps://HOST[:PORT]", NULL}, \
    {"smtp-user", "NAME", "SMTP login (the password comes from --smtp-password-file)", NULL}, \
    {"smtp-password-file", "FILE", "file whose first line is the SMTP password", NULL}, \
    {"mail-from", "ADDRESS", "sender of e-mail: noreply@example.az or \"Name <noreply@example.az>\"", NULL}, \
    {"sms-url", "URL", "SMS gateway: JSON POST {to, text, id} to this http(s) URL", NULL}, \
    {"sms-token-file", "FILE", "file whose first line is the gateway's bearer token", NULL}, \
    {"notify-interval", "SECONDS", "how often the sender looks for due messages", "2"}, \
    {"notify-retry-base", "SECONDS", "wait before the first retry, doubled each time up to an hour", "30"}, \
    {"notify-max-attempts", "N", "attempts before a message is given up as failed", "8"}, \
    {"notify-lease", "SECONDS", "a sender node that stops renewing is replaced after this", "30"}

/* Seconds with up to three decimals ("0.5") as milliseconds. */
static int seconds_ms_opt(struct cli_opt *opts, const char *name, long long min_ms, long long max_ms, int *out)
{
    const char *v = cli_get(opts, name);
    if (!v)
        return 0;
    const char *dot = strchr(v, '.');
    char whole[24] = "", frac[4] = "000";
    size_t wn = dot ? (size_t)(dot - v) : strlen(v), fn = dot ? strlen(dot + 1) : 0;
    long long w, f;
    bool ok = wn > 0 && wn < sizeof whole && fn <= 3 && (!dot || fn > 0);
    if (ok) {
        memcpy(whole, v, wn);
        memcpy(frac, dot ? dot + 1 : "", fn);
        ok = pc_parse_int(whole, 0, 1000000, &w) == 0 && pc_parse_int(frac, 0, 999, &f) == 0 &&
             w * 1000 + f >= min_ms && w * 1000 + f <= max_ms;
    }
    if (!ok) {
        fprintf(stderr, "pencere: --%s must be a number of seconds from %g to %g\n", name, min_ms / 1000.0,
                max_ms / 1000.0);
        return EXIT_USAGE;
    }
    *out = (int)(w * 1000 + f);
    return 0;
}

static int read_notify(struct cli_opt *opts, struct notify_config *n)
{
    notify_config_defaults(n);
    n->smtp_url = cli_get(opts, "smtp-url");
    n->smtp_user = cli_get(opts, "smtp-user");
    n->smtp_password_file = cli_get(opts, "smtp-password-file");
    n->mail_from = cli_get(opts, "mail-from");
    n->sms_url = cli_get(opts, "sms-url");
    n->sms_token_file = cli_get(opts, "sms-token-file");
    unsigned base = 30, attempts = 8, lease = 30;
    if (seconds_ms_opt(opts, "notify-interval", 100, 3600 * 1000, &n->interval_ms) ||
        cli_uint_opt(opts, "notify-retry-base", 1, 86400, &base) ||
        cli_uint_opt(opts, "notify-max-attempts", 1, 100, &attempts) ||
        cli_uint_opt(opts, "notify-lease", 3, 3600, &lease))
        return EXIT_USAGE;
    n->retry_base_secs = (int)base;
    if (n->retry_max_secs < n->retry_base_secs)
        n->retry_max_secs = n->retry_base_secs;
    n->max_attempts = (int)attempts;
    n->lease_secs = (int)lease;
    struct pc_err err = {0};
    if (notify_config_check(n, &err)) {
        fprintf(stderr, "pencere: %s\n", err.msg);
        return EXIT_USAGE;
    }
    return 0;
}

static int read_common(struct cli_opt *opts, struct serve_opts *o)
{
    struct pc_err lerr = {0};
    if (http_listen_check(cli_get(opts, "listen"), &lerr)) {
        fprintf(stderr, "pencere: %s\n", lerr.msg);
        return EXIT_USAGE;
    }
    if (cli_set_log_level(cli_get(opts, "log-level")))
        return EXIT_USAGE;
    if (cli_uint_opt(opts, "threads", 0, 256, &o->http.threads) ||
        cli_uint_opt(opts, "max-connections", 1, 100000, &o->http.max_connections) ||
        cli_uint_opt(opts, "per-ip-connections", 0, 100000, &o->http.per_ip_connections) ||
        cli_uint_opt(opts, "timeout", 1, 3600, &o->http.timeout_secs) ||
        cli_uint_opt(opts, "page-cache-ms", 0, 3600000, &o->http.cache_ms))
        return EXIT_USAGE;
    return read_notify(opts, &o->notify);
}

int cmd_portal(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"listen", "HOST:PORT", "address to listen on", "127.0.0.1:8080"},
        {"db", "URL", "SQLite file path or postgres:// URL (or $PENCERE_DB)", NULL},
        {"import-catalog", "DIR", "import the catalogue from DIR before serving", NULL},
        {"files-dir", "DIR", "where uploaded files are kept, shared by all nodes (default: beside a SQLite file)", NULL},
        COMMON_OPTS,
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("portal", "Serve the portal: HTML pages, JSON API /api/v1, /healthz, /metrics.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct serve_opts o = {.listen = cli_get(opts, "listen")};
    o.db_url = cli_get(opts, "db") ? cli_get(opts, "db") : getenv("PENCERE_DB");
    if (!o.db_url) {
        fprintf(stderr, "pencere portal: --db is required (a SQLite path or a postgres:// URL)\n");
        return EXIT_USAGE;
    }
    o.catalog = cli_get(opts, "import-catalog");
    o.files_dir = cli_get(opts, "files-dir");
    static char beside[4096];
    if (!o.files_dir) {
        if (pc_str_has_prefix(o.db_url, "postgres://") || pc_str_has_prefix(o.db_url, "postgresql://")) {
            fprintf(stderr, "pencere portal: with PostgreSQL give --files-dir (a folder every node shares)\n");
            return EXIT_USAGE;
        }
        const char *slash = strrchr(o.db_url, '/');
        snprintf(beside, sizeof beside, "%.*s%sfiles", slash ? (int)(slash - o.db_url) : 0, o.db_url, slash ? "/" : "");
        o.files_dir = beside;
    }
    if ((rc = read_common(opts, &o)))
        return rc;
    return serve(&o, NULL, NULL);
}

static void demo_banner(unsigned port, void *ctx)
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
    printf("Press Ctrl+C to stop.\n");
    fflush(stdout);
}

int cmd_demo(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"listen", "HOST:PORT", "address to listen on", "127.0.0.1:8080"},
        {"data-dir", "DIR", "folder for the demo's SQLite files (created if missing)", "demo-data"},
        {"catalog", "DIR", "catalogue files to load (default: the project's data/catalog)", NULL},
        COMMON_OPTS,
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("demo", "Run the portal with demo data on SQLite files in one folder.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct serve_opts o = {.listen = cli_get(opts, "listen")};
    if ((rc = read_common(opts, &o)))
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

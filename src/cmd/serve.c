/* serve.c — the long-running roles: `portal` (one node, any database; an
 * RA client of the certification centre when --ca-url is given) and
 * `demo` (every role on SQLite files in one folder, with demo data, the
 * centre included under its own address).
 * Both stop gracefully on SIGTERM or SIGINT: no new connections, requests
 * in flight finish, then the database closes. */
#include "cli.h"
#include "../isreg/isreg.h"
#include "example_rp.h"
#include "oidc_ca.h"
#include "../cases/cases.h"
#include "../catalog/catalog.h"
#include "../db/db.h"
#include "../esafe/esafe.h"
#include "../fines/fines.h"
#include "../http/http.h"
#include "../mobile/mobile.h"
#include "../notify/notify.h"
#include "../oidc/oidc.h"
#include "../participation/participation.h"
#include "../pki/pki.h"
#include "../queue/queue.h"
#include "../social/social.h"
#include "../web/web.h"
#include "../xclient/xclient.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

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

#define MAX_OPTS 96
#define DEFAULT_LISTEN "127.0.0.1:8080"

struct serve_opts {
    const char *listen;
    const char *db_url;
    const char *catalog;      /* import at start when set */
    const char *demo_dir;     /* seed demo people and accounts here */
    const char *files_dir;    /* uploaded files (the database store: files being received) */
    enum case_store_kind files_store;
    const char *mid_url, *mid_key, *mid_trust; /* the mobile-signature service (phone logins) */
    const char *ca_url, *ca_key_file; /* the certification centre (portal) */
    const char *ca_listen;    /* the demo's own centre */
    const char *ca_reached;   /* … its URL once it listens (for the banner) */
    int stamp_interval_ms;    /* the audit chain's head time-stamped this often */
    struct http_config http;
    struct notify_config notify; /* delivery of the outbox (SMTP, SMS gateway) */
    struct part_config part;     /* the poll tally's job and signer */
    struct pc_arena keys;        /* the tally signer's key and certificate */
    const char *ca_chain;     /* certificate login: the centre's chain (PEM file) */
    const char *ocsp_url;     /* … and its OCSP responder (NULL: each certificate's) */
    int cert_max_age;         /* seconds an OCSP answer is reused */
    const char *example_rp;   /* demo: run the example agency site here (NULL: not) */
    struct oidc_config oidc;     /* the OpenID Connect provider; issuer NULL: off */
    struct cli_oidc_ca oidc_ca;  /* … and the CA that certifies its keys; url NULL: none */
    struct cli_pay pay;          /* the payment provider (payprovider.c) */
    const char *social_registries; /* vemtas: the registries asked for social assistance's evidence */
    int social_recheck;            /* … and asked again about granted households this often (seconds) */
    struct fine_registry fines;  /* the fines register (url NULL: its pages answer 503) */
    int fines_per_minute;        /* look-ups of fines per client address and minute */
    struct xc_config exchange;   /* the portal's gateway (once only); all NULL: none */
    struct num_opt nums[MAX_OPTS];  /* the numeric rows of cli */
    size_t nnums;
    struct cli_opt cli[MAX_OPTS];   /* what cli_parse reads, NULL-terminated */
    size_t ncli;
};

/* The certification centre as the portal sees it (certificate login):
 * the chain --ca-chain names, else the demo's own centre, open in this
 * process (which also gives the demo's people their certificates), else
 * none (*out NULL).  Says why on stderr when it fails. */
static int open_checker(const struct serve_opts *o, struct db *db, struct pki_ca *demo_ca, struct pki_checker **out)
{
    *out = NULL;
    struct pc_err err = {0};
    if (!o->ca_chain && demo_ca) {
        if (demo_ca_checker(demo_ca, out, &err) || demo_ca_certificates(demo_ca, db, o->demo_dir, &err)) {
            fprintf(stderr, "pencere: the demo's certification centre: %s\n", err.msg);
            return EXIT_FAIL;
        }
        return 0;
    }
    if (!o->ca_chain)
        return 0;
    struct pc_arena a;
    pc_arena_init(&a);
    char *pem;
    size_t len;
    int rc = cli_read_file("portal", &a, o->ca_chain, 1 << 20, &pem, &len);
    struct pki_checker_config c = {.chain_pem = pem, .chain_len = len, .ocsp_url = o->ocsp_url,
                                   .max_age_secs = o->cert_max_age};
    if (rc == 0 && !(*out = pki_checker_new(&c, &err))) {
        fprintf(stderr, "pencere: --ca-chain %s: %s\n", o->ca_chain, err.msg);
        rc = EXIT_FAIL;
    }
    pc_arena_release(&a);
    return rc ? EXIT_FAIL : 0;
}

/* The demo's example agency site, registered with the portal on first use. */
static struct example_rp *demo_site(struct db *db, const struct serve_opts *o, struct pc_err *err)
{
    static struct pc_arena a; /* the site's configuration lives as long as the process */
    struct example_rp_config c = {.listen = o->example_rp, .issuer = o->oidc.issuer};
    if (example_rp_demo_client(db, o->demo_dir, &c, &a, err))
        return NULL;
    return example_rp_start(&c, err);
}

/* Open, migrate, import, serve until a stop signal.  `banner` prints the
 * URLs once the server listens. */
/* The parameters file beside the demo's catalogue (DIR/../social/params.json), when there is one. */
static int demo_social_params(struct db *db, const char *catalog, struct pc_err *err)
{
    char path[4200];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/../social/params.json", catalog) >= (int)sizeof path || stat(path, &st) != 0)
        return 0;
    struct pc_arena a;
    pc_arena_init(&a);
    char *text;
    size_t len;
    int added, rc = cli_read_file("portal", &a, path, 1024 * 1024, &text, &len)
                        ? pc_err_set(err, PC_EIO, "%s does not read", path)
                        : social_params_import(db, "demo", text, len, &added, err);
    pc_arena_release(&a);
    return rc;
}

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
    /* what is started is stopped at `out`, in the reverse order; each
     * stop takes NULL (never started) */
    struct portal_app app = {.db = db, .demo = o->demo_dir != NULL, .secure_cookies = o->http.https};
    struct cli_portal_ca ca = {0};
    pc_arena_init(&ca.arena);
    struct id_cert_checker certs;
    struct example_rp *site = NULL;
    struct cli_pay_run pay = {0};
    struct notify_worker *sender = NULL;
    struct part_jobs *tally = NULL;
    struct esafe_jobs *esafe = NULL;
    struct db_job *queue = NULL, *fines = NULL;
    struct social_source *social = NULL;
    struct social_job *social_job = NULL;
    struct http_server *srv = NULL;
    int rc = EXIT_FAIL;
    const char *what = NULL;   /* the part that failed, for the message */

    if (db_migrate(db, &err)) {
        what = "database migration failed";
        goto out;
    }
    if (o->catalog && import_catalog(db, o->catalog))
        goto out;   /* import_catalog said why */
    if (o->demo_dir && (demo_seed(db, o->demo_dir, &err) || demo_esafe(db, o->demo_dir, &err))) {
        what = "demo data";
        goto out;
    }
    /* the demo's register of information systems, beside the catalogue
     * (a catalogue of one's own may come without one) */
    char isreg_dir[4200];
    struct stat st;
    if (o->demo_dir && o->catalog &&
        snprintf(isreg_dir, sizeof isreg_dir, "%s/../isreg", o->catalog) < (int)sizeof isreg_dir &&
        stat(isreg_dir, &st) == 0 && S_ISDIR(st.st_mode) && isreg_load_demo(db, isreg_dir, pc_now_unix(), &err)) {
        what = "demo register";
        goto out;
    }
    if (!(app.files = case_store_open(o->files_store, o->files_dir, db, &err))) {
        what = "uploaded files";
        goto out;
    }
    int carc = o->ca_listen ? cli_demo_ca_start(&ca, o->demo_dir, o->ca_listen, db, o->stamp_interval_ms, &err)
               : o->ca_url  ? cli_portal_ca_open(&ca, db, o->ca_url, o->ca_key_file, o->stamp_interval_ms, &err)
                            : 0;
    if (carc) {
        what = "certification centre";
        goto out;
    }
    app.ca = ca.client;
    o->ca_reached = ca.url;
    if (!app.ca)
        pc_log(PC_LOG_INFO, "pki.disabled", "reason", "no --ca-url: certificate pages answer 503", NULL);
    if (!(app.forms = form_registry_open(db, &err))) {
        what = "cannot load the forms";
        goto out;
    }
    if (o->oidc.issuer && !(app.oidc = oidc_open(db, &o->oidc, &err))) {
        what = "OpenID Connect";
        goto out;
    }
    if (open_checker(o, db, o->demo_dir ? ca.ca : NULL, &app.checker))
        goto out;   /* open_checker said why */
    /* the demo's tallies signed by its own centre, unless --tally-key says otherwise */
    if (o->demo_dir && ca.ca && !o->part.key_pem &&
        demo_ca_tally_signer(ca.ca, o->demo_dir, ca.url, &o->keys, &o->part, &err)) {
        what = "the tally signer";
        goto out;
    }
    if (app.checker) {
        pki_checker_login(app.checker, &certs);
        app.certs = &certs;
        if (o->http.tls_cert_pem) { /* our own TLS asks browsers for their card's certificate */
            struct pki_trust trust;
            pki_checker_trust(app.checker, &trust);
            o->http.tls_client_ca_pem = trust.chain_pem;
            app.tls_login = true;
        }
    }
    if (o->mid_url && !(app.mid = mid_client_new(o->mid_url, o->mid_key, o->mid_trust, &err))) {
        what = "the mobile-signature service";
        goto out;
    }
    if (cli_pay_start(&o->pay, o->demo_dir != NULL, &pay))
        goto out;   /* cli_pay_start said why */
    app.pay = pay.provider;
    app.public_url = pay.public_url;
    app.fines_per_minute = o->fines_per_minute;
    if ((o->exchange.gateway || o->exchange.config_file) && !(app.exchange = xc_new(&o->exchange, &err))) {
        what = "the exchange";
        goto out;
    }
    /* fines: the register at --fines-url, else through the exchange */
    o->fines.xc = o->fines.url ? NULL : app.exchange;
    app.fines = o->fines.url || o->fines.xc ? &o->fines : NULL;
    if (notify_config_enabled(&o->notify)) {
        if (!(sender = notify_worker_start(db, &o->notify, &err))) {
            what = "message delivery";
            goto out;
        }
    } else {
        pc_log(PC_LOG_INFO, "notify.disabled", "reason", "no --smtp-url or --sms-url: messages stay in the outbox",
               NULL);
    }
    /* polls counted and published, queue slots and reminders: one node each */
    if (!(tally = part_jobs_start(db, &o->part, &err)) || !(queue = queue_job_start(db, o->part.interval_ms, &err))) {
        what = "participation jobs";
        goto out;
    }
    /* documents past their retention leave the e-safe: one node */
    if (!(esafe = esafe_jobs_start(db, &err))) {
        what = "e-safe jobs";
        goto out;
    }
    /* vemtas: the demo's means-test parameters; evidence from the registries
     * (their REST services named by --social-registries, else the exchange) */
    if (o->demo_dir && o->catalog &&
        (demo_social_params(db, o->catalog, &err) || cli_social_demo_case(db, app.forms, o->demo_dir, &err) ||
         cli_demo_paper_case(db, app.forms, app.files, o->demo_dir, &err))) {
        what = "demo social assistance";
        goto out;
    }
    social = o->social_registries ? social_source_http_open(o->social_registries, &err)
             : app.exchange       ? social_source_xclient(app.exchange)
                                  : NULL;
    if ((o->social_registries && !social) || (social && !(social_job = social_job_start(db, social, 500, o->social_recheck, &err)))) {
        what = "social assistance's registries";
        goto out;
    }
    /* the fines register told of payments until it knows: one node */
    if (app.fines && !(fines = fine_job_start(db, app.fines, o->part.interval_ms, &err))) {
        what = "fines job";
        goto out;
    }
    o->http.listen = o->listen;
    o->http.log_requests = true;
    web_portal_http_config(&app, &o->http);
    if (!(srv = http_start(&o->http, &err))) {
        what = "";
        goto out;
    }
    app.http = srv;
    if (o->example_rp && app.oidc && !(site = demo_site(db, o, &err)))
        pc_log(PC_LOG_WARN, "demo.example_rp", "msg", err.msg, NULL); /* the portal runs without it */
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
    example_rp_stop(site);
    site = NULL;
    http_stop(srv, 10);
    rc = EXIT_OK;
out:
    if (what)
        fprintf(stderr, "pencere: %s%s%s\n", what, *what ? ": " : "", err.msg);
    example_rp_stop(site);
    if (srv && rc != EXIT_OK)
        http_stop(srv, 10);
    social_job_stop(social_job);
    social_source_free(social);
    db_job_stop(fines);
    db_job_stop(queue);
    part_jobs_stop(tally);
    esafe_jobs_stop(esafe);
    cli_pay_stop(&pay);
    notify_worker_stop(sender);
    xc_free(app.exchange);
    mid_client_free(app.mid);
    pki_checker_free(app.checker);
    oidc_close(app.oidc); /* back-channel logouts in flight get until here */
    form_registry_close(app.forms);
    cli_portal_ca_close(&ca);
    case_store_close(app.files);
    db_close(db);
    pc_arena_release(&o->keys);
    if (rc == EXIT_OK) {
        pc_log(PC_LOG_INFO, "portal.stopped", NULL);
        pc_log_stop_thread();
    }
    return rc;
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
    add_opt(o, "tls-cert", "FILE",
            "serve HTTPS here (libmicrohttpd's TLS): the certificate chain (PEM); with --ca-chain, browsers may"
            " log in with their card's certificate at /login/tls", NULL);
    add_opt(o, "tls-key", "FILE", "the key of --tls-cert (PEM, not encrypted)", NULL);
    add_opt(o, "ca-chain", "FILE",
            "certificate login: the certification centre's chain (PEM: issuing CA and root, /ca/chain.pem)", NULL);
    add_opt(o, "ocsp-url", "URL", "certificate login: the OCSP responder (default: the one each certificate names)",
            NULL);
    o->cert_max_age = PKI_STATUS_MAX_AGE;
    add_num(o, "cert-status-max-age", "SECONDS", "reuse a certificate's OCSP status this long (0: ask every time)",
            NUM_INT, &o->cert_max_age, 0, PKI_STATUS_MAX_AGE_LIMIT);
    add_num(o, "page-cache-ms", "MS", "reuse public pages this long (0: off); an import makes them stale at once",
            NUM_UINT, &h->cache_ms, 0, 3600000);
    add_opt(o, "log-level", "LEVEL", "debug, info, warn or error", "info");
    add_opt(o, "mid-url", "URL", "the mobile-signature service (the CA role's address): logins with the phone", NULL);
    add_opt(o, "mid-client-key", "FILE", "this portal's client secret there (`pencere ca add-client`: NAME.key)", NULL);
    add_opt(o, "mid-trust", "FILE", "PEM with our root and issuing CA (what the phone's certificates chain to)", NULL);
    add_opt(o, "smtp-url", "URL", "send e-mail through this server: smtp://HOST[:PORT] or smtps://HOST[:PORT]", NULL);
    add_opt(o, "smtp-user", "NAME", "SMTP login (the password comes from --smtp-password-file)", NULL);
    add_opt(o, "smtp-password-file", "FILE", "file whose first line is the SMTP password", NULL);
    add_opt(o, "mail-from", "ADDRESS", "sender of e-mail: noreply@example.az or \"Name <noreply@example.az>\"", NULL);
    add_opt(o, "sms-url", "URL", "SMS gateway: JSON POST {to, text, id} to this http(s) URL", NULL);
    add_opt(o, "sms-token-file", "FILE", "file whose first line is the gateway's bearer token", NULL);
    add_opt(o, "pay-url", "URL", "the payment provider's API (the acquirer protocol, docs/payments.md)", NULL);
    add_opt(o, "pay-key-file", "FILE", "file whose first line is the provider's API key", NULL);
    add_opt(o, "pay-secret-file", "FILE", "file whose first line is the callbacks' shared secret", NULL);
    add_opt(o, "social-registries", "FILE",
            "social assistance: the registries' REST services as JSON {KIND: {url, service}} (default: through the"
            " exchange, when there is one)", NULL);
    o->social_recheck = 86400;
    add_num(o, "social-recheck", "SECONDS",
            "social assistance: ask the registries again about granted households this often (a death or new"
            " employment suspends the payments)", NUM_INT, &o->social_recheck, 1, 90 * 86400);
    add_opt(o, "public-url", "URL", "the portal's address as payers reach it (default: http://LISTEN)", NULL);
    add_opt(o, "fines-url", "URL",
            "the fines register's protocols (…/fines/v1/protocols) when not through the exchange: fines without login",
            NULL);
    o->fines_per_minute = 30;
    add_num(o, "fines-lookups-per-minute", "N", "look-ups of fines a client address may make in a minute", NUM_INT,
            &o->fines_per_minute, 1, 100000);
    add_opt(o, "exchange-gateway", "URL", "the portal's exchange gateway (its consumer side): registries asked there",
            NULL);
    add_opt(o, "exchange-client", "ID", "the portal's client id at its gateway (AZ/GOV/CODE/SUBSYSTEM)", NULL);
    add_opt(o, "exchange-config", "FILE",
            "a demo-exchange.json-like file: gateway, client and which service serves which registry (read when first"
            " needed; demo: DATA_DIR/demo-exchange.json)", NULL);
    add_num(o, "notify-interval", "SECONDS", "how often the sender looks for due messages", NUM_SECONDS,
            &n->interval_ms, 100, 3600 * 1000);
    add_num(o, "notify-retry-base", "SECONDS", "wait before the first retry, doubled each time up to an hour",
            NUM_INT, &n->retry_base_secs, 1, 86400);
    add_num(o, "notify-max-attempts", "N", "attempts before a message is given up as failed", NUM_INT,
            &n->max_attempts, 1, 100);
    add_num(o, "notify-lease", "SECONDS", "a sender node that stops renewing is replaced after this", NUM_INT,
            &n->lease_secs, 3, 3600);
    part_config_defaults(&o->part);
    add_opt(o, "tally-key", "FILE", "PEM key that signs the tallies of closed polls (from the certification centre)",
            NULL);
    add_opt(o, "tally-cert", "FILE", "PEM certificate of --tally-key", NULL);
    add_opt(o, "tsa-url", "URL", "time-stamp authority (RFC 3161) for the tallies' signatures", NULL);
    add_num(o, "jobs-interval", "SECONDS", "how often polls are counted and queue slots made", NUM_SECONDS,
            &o->part.interval_ms, 10, 3600 * 1000);
    o->stamp_interval_ms = 3600 * 1000;
    add_num(o, "audit-stamp-interval", "SECONDS",
            "time-stamp the audit chain's head by the centre's TSA this often (0: never)", NUM_SECONDS,
            &o->stamp_interval_ms, 0, 86400 * 1000);
    oidc_config_defaults(&o->oidc);
    add_opt(o, "oidc-issuer", "URL",
            "be an OpenID Connect provider for agencies' sites under this public base URL (demo: http://LISTEN)",
            NULL);
    add_opt(o, "oidc-passphrase-file", "FILE",
            "file whose first line (12+ characters) encrypts the OpenID Connect signing keys in the database", NULL);
    for (const struct cli_opt *ca = cli_oidc_ca_opts; ca->name; ca++)
        add_opt(o, ca->name, ca->arg, ca->help, ca->value);
    add_opt(o, NULL, NULL, NULL, NULL);
}

/* --oidc-issuer and its passphrase (demo: both made up when absent). */
static int read_oidc(struct serve_opts *o, const char *demo_dir)
{
    static char issuer[256], pass_path[4096];
    struct pc_err err = {0};
    struct oidc_config *c = &o->oidc;
    const char *pass_file = cli_get(o->cli, "oidc-passphrase-file");
    c->issuer = cli_get(o->cli, "oidc-issuer");
    if (!c->issuer && demo_dir) {
        snprintf(issuer, sizeof issuer, "http://%s", o->listen);
        c->issuer = issuer;
    }
    if (!c->issuer) {
        if (pass_file)
            fprintf(stderr, "pencere: --oidc-passphrase-file needs --oidc-issuer\n");
        return pass_file ? EXIT_USAGE : 0;
    }
    if (!pass_file && demo_dir) {
        /* the demo's own key passphrase, made once, beside its database */
        snprintf(pass_path, sizeof pass_path, "%s/oidc-passphrase", demo_dir);
        int fd = open(pass_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        char hex[66];
        if (fd >= 0) {
            pc_random_hex(hex, 32);
            strcat(hex, "\n");
            bool ok = write(fd, hex, strlen(hex)) == (ssize_t)strlen(hex);
            close(fd);
            if (!ok) {
                fprintf(stderr, "pencere demo: cannot write %s\n", pass_path);
                return EXIT_FAIL;
            }
        }
        pass_file = pass_path;
    }
    if (!pass_file) {
        fprintf(stderr, "pencere: --oidc-issuer needs --oidc-passphrase-file\n");
        return EXIT_USAGE;
    }
    int rc = cli_secret_line("oidc-passphrase-file", pass_file, &c->passphrase);
    if (rc || (rc = cli_oidc_ca_read(o->cli, &o->oidc_ca, c)))
        return rc;
    if (oidc_config_check(c, &err)) {
        fprintf(stderr, "pencere: %s\n", err.msg);
        return EXIT_USAGE;
    }
    return 0;
}

/* The tally signer's key and certificate, read once at start. */
static int read_tally_signer(struct serve_opts *o)
{
    struct part_config *p = &o->part;
    const char *key = cli_get(o->cli, "tally-key"), *cert = cli_get(o->cli, "tally-cert");
    p->tsa_url = cli_get(o->cli, "tsa-url");
    pc_arena_init(&o->keys);
    char *k = NULL, *c = NULL;
    if (key && cli_read_file("portal", &o->keys, key, 1 << 20, &k, &p->key_len))
        return EXIT_USAGE;
    if (cert && cli_read_file("portal", &o->keys, cert, 1 << 20, &c, &p->cert_len))
        return EXIT_USAGE;
    p->key_pem = k;
    p->cert_pem = c;
    struct pc_err err = {0};
    if (part_config_check(p, &err)) {
        fprintf(stderr, "pencere: %s\n", err.msg);
        return EXIT_USAGE;
    }
    return 0;
}

/* --tls-cert and --tls-key, read once for the life of the process. */
static int read_tls(struct serve_opts *o)
{
    const char *cert = cli_get(o->cli, "tls-cert"), *key = cli_get(o->cli, "tls-key");
    if (!cert && !key)
        return 0;
    if (!cert || !key) {
        fprintf(stderr, "pencere: --tls-cert and --tls-key go together\n");
        return EXIT_USAGE;
    }
    static struct pc_arena files;
    pc_arena_init(&files);
    char *c, *k;
    size_t n;
    if (cli_read_file("portal", &files, cert, 1 << 20, &c, &n) || cli_read_file("portal", &files, key, 1 << 16, &k, &n))
        return EXIT_USAGE;
    o->http.tls_cert_pem = c;
    o->http.tls_key_pem = k;
    o->http.https = true; /* Secure cookies and HSTS: we are the TLS end */
    return 0;
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
    o->mid_url = cli_get(o->cli, "mid-url");
    o->mid_key = cli_get(o->cli, "mid-client-key");
    o->mid_trust = cli_get(o->cli, "mid-trust");
    if (o->mid_url && (!o->mid_key || !o->mid_trust)) {
        fprintf(stderr, "pencere: --mid-url needs --mid-client-key and --mid-trust\n");
        return EXIT_USAGE;
    }
    o->ca_chain = cli_get(o->cli, "ca-chain");
    if (read_tls(o))
        return EXIT_USAGE;
    o->ocsp_url = cli_get(o->cli, "ocsp-url");
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
    o->social_registries = cli_get(o->cli, "social-registries");
    o->fines = (struct fine_registry){.url = cli_get(o->cli, "fines-url"), .timeout_ms = 5000};
    o->exchange = (struct xc_config){.gateway = cli_get(o->cli, "exchange-gateway"),
                                     .client = cli_get(o->cli, "exchange-client"),
                                     .config_file = cli_get(o->cli, "exchange-config")};
    struct xc *probe = o->exchange.gateway || o->exchange.client || o->exchange.config_file
                           ? xc_new(&o->exchange, &err) : NULL;
    if (err.code) {
        fprintf(stderr, "pencere: %s\n", err.msg);
        return EXIT_USAGE;
    }
    xc_free(probe); /* the options are right: serve makes the one the portal keeps */
    if (n->retry_max_secs < n->retry_base_secs)
        n->retry_max_secs = n->retry_base_secs;
    if (notify_config_check(n, &err)) {
        fprintf(stderr, "pencere: %s\n", err.msg);
        return EXIT_USAGE;
    }
    return read_tally_signer(o);
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
    add_opt(&o, "ca-url", "URL", "the certification centre (pencere ca serve): http(s)://HOST[:PORT]", NULL);
    add_opt(&o, "ca-key-file", "FILE", "the portal's RA client key (DIR/clients/ID.key of `pencere ca add-client`)",
            NULL);
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
    o.ca_url = cli_get(opts, "ca-url");
    o.ca_key_file = cli_get(opts, "ca-key-file");
    if (!o.ca_url != !o.ca_key_file) {
        fprintf(stderr, "pencere portal: --ca-url and --ca-key-file go together\n");
        return EXIT_USAGE;
    }
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
    if ((rc = read_common(&o)) || (rc = read_oidc(&o, NULL)))
        return rc;
    return serve(&o, NULL, NULL);
}

struct demo_ctx {
    const char *dir;
    const struct serve_opts *o;
};

static void demo_banner(unsigned port, const char *pay_url, void *ctx)
{
    const struct demo_ctx *d = ctx;
    const char *dir = d->dir;
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
    const char *ca = d->o->ca_reached;
    printf("  Certification centre (data in %s/ca):\n"
           "    Chain:       %s/ca/chain.pem\n"
           "    OCSP:        %s/ca/ocsp\n"
           "    TSA:         %s/ca/tsa\n"
           "    CRL:         %s/ca/crl\n"
           "    Verify:      http://127.0.0.1:%u/verify\n\n",
           dir, ca, ca, ca, ca, port);
    if (d->o->example_rp)
        printf("  Agency site:   http://%s/ (the tax ministry's cabinet: sign in with the portal)\n"
               "  OpenID Connect: http://127.0.0.1:%u/.well-known/openid-configuration\n\n",
               d->o->example_rp, port);
    demo_print_accounts(dir);
    printf("  Exchange:      %s/demo-exchange.json once its gateways are up (demo_exchange.c)\n"
           "  Central registry's operator pages: \"central_operator\" in that file (URL on 127.0.0.1, login\n"
           "                 operator, its password); the log line demo.central_operator names the URL\n\n", dir);
    if (pay_url)
        printf("  Payment provider (test bank): %s\n  Test cards: 4242424242424242 pays, 4000000000000002 is declined,\n"
               "  4000000000003220 asks for the 3-D Secure code 123456, 4000000000000119 never answers.\n\n",
               pay_url);
    printf("Press Ctrl+C to stop.\n");
    demo_exchange_start(dir);
    fflush(stdout);
}

int cmd_demo(int argc, char **argv)
{
    struct serve_opts o = {0};
    add_opt(&o, "listen", "HOST:PORT", "address to listen on", DEFAULT_LISTEN);
    add_opt(&o, "data-dir", "DIR", "folder for the demo's SQLite files (created if missing)", "demo-data");
    add_opt(&o, "catalog", "DIR", "catalogue files to load (default: the project's data/catalog)", NULL);
    add_opt(&o, "ca-listen", "HOST:PORT",
            "address of the demo's certification centre; its URL at the first start is written into its certificates "
            "(PORT 0: any free port)", "127.0.0.1:0");
    add_opt(&o, "example-rp", "HOST:PORT", "run the example agency site (sign-in through the portal) here; \"off\": not",
            "127.0.0.1:8081");
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
    if ((rc = read_oidc(&o, dir)))
        return rc;
    const char *site = cli_get(opts, "example-rp");
    if (!pc_str_eq(site, "off")) {
        struct pc_err err = {0};
        if (http_listen_check(site, &err)) {
            fprintf(stderr, "pencere demo: --example-rp: %s\n", err.msg);
            return EXIT_USAGE;
        }
        o.example_rp = site;
    }
    char files[4096];
    snprintf(files, sizeof files, "%s/files", dir);
    o.files_dir = files;
    char xconf[4096]; /* the demo's own exchange, once it is up (demo_exchange.c) */
    snprintf(xconf, sizeof xconf, "%s/demo-exchange.json", dir);
    if (!o.exchange.gateway && !o.exchange.client && !o.exchange.config_file)
        o.exchange.config_file = xconf;
    o.ca_listen = cli_get(opts, "ca-listen");
    struct pc_err err = {0};
    if (http_listen_check(o.ca_listen, &err)) {
        fprintf(stderr, "pencere demo: --ca-listen: %s\n", err.msg);
        return EXIT_USAGE;
    }
    struct demo_ctx d = {dir, &o};
    rc = serve(&o, demo_banner, &d);
    demo_exchange_stop();
    return rc;
}

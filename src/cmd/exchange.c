/* exchange.c — the exchange layer's roles.
 *
 * `pencere central …`, the central registry:
 *   init            a registry's data directory (its configuration signing key)
 *   serve           the global configuration over HTTP for the gateways
 *   member, subsystem, gateway, gateway-client, service, group,
 *   group-member, grant, revoke, ca      changes, each audited
 *   remove          take one of them away (--what), audited
 *   show            the registry as JSON
 *   operator add|list|remove   the accounts of the operator's pages
 *
 * `pencere gateway …`, a member's gateway:
 *   init            its data directory, keys and CSRs for the CA
 *   add-member, install-cert, service    what it signs for and provides
 *   serve           the consumer and provider sides over HTTP
 *   verify-log      check the message log offline (exit 1 naming the record)
 *
 * Each subcommand names the options it takes from one table, so help and
 * parsing stay in step.  Exit codes: 0 success, 1 failure, 2 usage. */
#include "cli.h"
#include "../db/db.h"
#include "../exchange/exchange.h"
#include "../http/http.h"
#include "../identity/identity.h"
#include "../web/web.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_MAX (1 << 20)

static const struct cli_opt all_opts[] = {
    {"data-dir", "DIR", "the role's data directory (central registry or gateway)", NULL},
    {"db", "URL", "SQLite path or postgres:// URL (default: DIR/central.db, DIR/gateway.db)", NULL},
    {"instance", "CODE", "the exchange's instance (one identifier part)", "AZ"},
    {"url", "URL", "central: where gateways reach it; gateway service: the system's base URL", NULL},
    {"listen", "HOST:PORT", "address to listen on", NULL},
    {"peer-listen", "HOST:PORT",
     "gateway: serve other gateways here over mutual TLS (register https://HOST:PORT as its address); "
     "--listen then serves the member's own systems only", NULL},
    {"validity", "SECONDS", "how long a global configuration is valid", "600"},
    {"log-level", "LEVEL", "debug, info, warn or error", "info"},
    {"id", "ID", "the identifier (AZ/GOV/1400000001[/…])", NULL},
    {"name", "NAME", "the member's name", NULL},
    {"address", "URL", "where other gateways send messages (http(s)://HOST:PORT)", NULL},
    {"cert", "FILE", "a certificate our CA issued (PEM): a gateway's authentication certificate", NULL},
    {"gateway", "ID", "a gateway (INSTANCE/CLASS/CODE/SERVERCODE)", NULL},
    {"client", "ID", "a subsystem (or, for a group, a member)", NULL},
    {"group", "ID", "a global group (INSTANCE/GROUPCODE)", NULL},
    {"description", "TEXT", "the group's description", ""},
    {"service", "ID", "a service (INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE)", NULL},
    {"subject", "ID", "a subsystem, a member or a global group", NULL},
    {"version", "V", "the service's version", "v1"},
    {"title", "TEXT", "the service's title", NULL},
    {"kind", "KIND", "query (requests of 10 KB by default) or document", "query"},
    {"max-request", "BYTES", "the largest request body (default: 10240 for a query, else 16 MiB)", NULL},
    {"max-response", "BYTES", "the largest response body", "16777216"},
    {"timeout-ms", "MS", "the provider's answer within this", "30000"},
    {"openapi", "FILE", "the service's OpenAPI description", NULL},
    {"ca-name", "NAME", "the certification centre's name", "Pəncərə CA"},
    {"chain", "FILE", "the CA chain (PEM: issuing CA, then root)", NULL},
    {"ocsp", "URL", "the CA's OCSP responder", NULL},
    {"tsa", "URL", "the CA's time-stamping authority", NULL},
    {"anchor", "FILE", "the central registry's anchor.json", NULL},
    {"member", "ID", "a member the gateway signs for (INSTANCE/CLASS/CODE)", NULL},
    {"message", "ID", "a message's id (X-Road-Id)", NULL},
    {"days", "N", "keep this many days of the message log in the database", "180"},
    {"which", "NAME", "auth, or the member code the certificate is for", NULL},
    {"soap", NULL, "the system speaks SOAP at this URL", NULL},
    {"gconf-interval-ms", "MS", "download the global configuration this often", "60000"},
    {"ocsp-freshness", "SECONDS", "accept OCSP answers this old at most", "3600"},
    {"ocsp-refresh", "SECONDS", "ask the CA about our own certificates this often", "60"},
    {"tsa-interval", "SECONDS", "time-stamp the message log this often (0: after every message)", "60"},
    {"no-bodies", NULL, "keep no message bodies in the log (hashes only)", NULL},
    {"admin-listen", "HOST:PORT", "central: serve the operator's pages here (default: off; bind 127.0.0.1)", NULL},
    {"admin-https", NULL, "central: the operator's pages are behind a TLS proxy (Secure cookies, HSTS)", NULL},
    {"what", "WHAT", "what to remove: member, subsystem, gateway, gateway-client, service, group, group-member",
     NULL},
    {"login", "LOGIN", "an operator's login (1-64 of A-Z a-z 0-9 . _ -)", NULL},
    {"password-stdin", NULL, "read the password from the first line of stdin (else one is generated and printed)",
     NULL},
    {"relaxed-log", NULL, "log commits do not wait for the disk (a power cut may lose the last records)", NULL},
};
#define NOPTS (sizeof all_opts / sizeof all_opts[0])

struct ctx {
    struct cli_opt opts[NOPTS + 1];
    const char *cmd;
    struct pc_arena arena;
    struct pc_err err;
};

/* Build the subcommand's option table from the names it takes. */
static void opts_for(struct ctx *c, const char *names)
{
    size_t n = 0;
    for (size_t i = 0; i < NOPTS; i++) {
        size_t len = strlen(all_opts[i].name);
        for (const char *p = strstr(names, all_opts[i].name); p; p = strstr(p + 1, all_opts[i].name))
            if ((p == names || p[-1] == ' ') && (p[len] == ' ' || p[len] == 0)) {
                c->opts[n++] = all_opts[i];
                break;
            }
    }
    c->opts[n] = (struct cli_opt){0};
}

static const char *opt(struct ctx *c, const char *name)
{
    return cli_get(c->opts, name);
}

static int failed(struct ctx *c)
{
    fprintf(stderr, "pencere %s: %s\n", c->cmd, c->err.msg);
    return EXIT_FAIL;
}

/* Identifier options of a kind; EXIT_USAGE naming what is wrong. */
static int id_opt(struct ctx *c, const char *name, enum xr_id_kind kind, struct xr_id *out)
{
    const char *v = opt(c, name);
    if (!v) {
        fprintf(stderr, "pencere %s: --%s is required (see --help)\n", c->cmd, name);
        return EXIT_USAGE;
    }
    if (xr_id_parse_str(v, kind, out, &c->err)) {
        fprintf(stderr, "pencere %s: --%s: %s\n", c->cmd, name, c->err.msg);
        return EXIT_USAGE;
    }
    return 0;
}

static int required(struct ctx *c, const char *name, const char **out)
{
    *out = opt(c, name);
    if (*out)
        return 0;
    fprintf(stderr, "pencere %s: --%s is required (see --help)\n", c->cmd, name);
    return EXIT_USAGE;
}

static int file_opt(struct ctx *c, const char *name, bool needed, char **out)
{
    const char *path = opt(c, name);
    size_t len;
    *out = NULL;
    if (!path)
        return needed ? required(c, name, &path) : 0;
    return cli_read_file(c->cmd, &c->arena, path, FILE_MAX, out, &len);
}

static const char *actor(struct ctx *c)
{
    const char *u = getenv("USER");
    return pc_arena_printf(&c->arena, "cli:%s", u && *u ? u : "unknown");
}

static struct xr_central *open_central(struct ctx *c)
{
    const char *dir;
    if (required(c, "data-dir", &dir))
        return NULL;
    struct xr_central *x = xr_central_open(dir, opt(c, "db"), &c->err);
    if (!x)
        failed(c);
    return x;
}

/* ---- the changes: each takes its identifiers and calls the registry ------ */

typedef int (*change_fn)(struct ctx *c, struct xr_central *x);

static int ch_member(struct ctx *c, struct xr_central *x)
{
    struct xr_id id;
    const char *name;
    int rc = id_opt(c, "id", XR_ID_MEMBER, &id);
    if (rc || (rc = required(c, "name", &name)))
        return rc;
    return xr_central_add_member(x, actor(c), &id, name, &c->err) ? failed(c) : 0;
}

static int ch_subsystem(struct ctx *c, struct xr_central *x)
{
    struct xr_id id;
    int rc = id_opt(c, "id", XR_ID_SUBSYSTEM, &id);
    return rc ? rc : xr_central_add_subsystem(x, actor(c), &id, &c->err) ? failed(c) : 0;
}

static int ch_gateway(struct ctx *c, struct xr_central *x)
{
    struct xr_id id;
    const char *address;
    char *pem;
    int rc = id_opt(c, "id", XR_ID_GATEWAY, &id);
    if (rc || (rc = required(c, "address", &address)) || (rc = file_opt(c, "cert", true, &pem)))
        return rc;
    return xr_central_put_gateway(x, actor(c), &id, address, pem, &c->err) ? failed(c) : 0;
}

static int ch_gateway_client(struct ctx *c, struct xr_central *x)
{
    struct xr_id gw, client;
    int rc = id_opt(c, "gateway", XR_ID_GATEWAY, &gw);
    if (rc || (rc = id_opt(c, "client", XR_ID_SUBSYSTEM, &client)))
        return rc;
    return xr_central_gateway_client(x, actor(c), &gw, &client, &c->err) ? failed(c) : 0;
}

static int ch_service(struct ctx *c, struct xr_central *x)
{
    struct xr_service_rec s = {.version = opt(c, "version"), .kind = opt(c, "kind")};
    long long req = -1, resp, tmo;
    char *openapi;
    int rc = id_opt(c, "id", XR_ID_SERVICE, &s.id);
    if (rc || (rc = required(c, "title", &s.title)) || (rc = file_opt(c, "openapi", false, &openapi)))
        return rc;
    if ((opt(c, "max-request") && pc_parse_int(opt(c, "max-request"), 1, INT32_MAX, &req)) ||
        pc_parse_int(opt(c, "max-response"), 1, INT32_MAX, &resp) ||
        pc_parse_int(opt(c, "timeout-ms"), 1, 600000, &tmo)) {
        fprintf(stderr, "pencere %s: --max-request, --max-response and --timeout-ms are positive integers\n",
                c->cmd);
        return EXIT_USAGE;
    }
    s.max_request = req > 0 ? req : pc_str_eq(s.kind, "query") ? 10240 : 16 << 20;
    s.max_response = resp;
    s.timeout_ms = (int)tmo;
    s.openapi = openapi;
    return xr_central_put_service(x, actor(c), &s, &c->err) ? failed(c) : 0;
}

static int ch_group(struct ctx *c, struct xr_central *x)
{
    struct xr_id id;
    int rc = id_opt(c, "id", XR_ID_GROUP, &id);
    return rc ? rc : xr_central_add_group(x, actor(c), &id, opt(c, "description"), &c->err) ? failed(c) : 0;
}

static int ch_group_member(struct ctx *c, struct xr_central *x)
{
    struct xr_id group, client;
    int rc = id_opt(c, "group", XR_ID_GROUP, &group);
    if (rc || (rc = id_opt(c, "client", XR_ID_CLIENT, &client)))
        return rc;
    return xr_central_group_member(x, actor(c), &group, &client, &c->err) ? failed(c) : 0;
}

static int set_access(struct ctx *c, struct xr_central *x, bool revoke)
{
    struct xr_id svc, subject;
    int rc = id_opt(c, "service", XR_ID_SERVICE, &svc);
    if (rc)
        return rc;
    const char *s;
    if ((rc = required(c, "subject", &s)))
        return rc;
    if (xr_id_parse_subject(s, &subject, &c->err)) {
        fprintf(stderr, "pencere %s: --subject: %s\n", c->cmd, c->err.msg);
        return EXIT_USAGE;
    }
    return xr_central_grant(x, actor(c), &svc, &subject, revoke, &c->err) ? failed(c) : 0;
}

static int ch_grant(struct ctx *c, struct xr_central *x)
{
    return set_access(c, x, false);
}

static int ch_revoke(struct ctx *c, struct xr_central *x)
{
    return set_access(c, x, true);
}

/* `remove --what W`: the identifiers come in the options its addition
 * takes (--id; --gateway/--group and --client for a link). */
static int ch_remove(struct ctx *c, struct xr_central *x)
{
    const char *w;
    int rc = required(c, "what", &w);
    int what = rc ? -1 : xr_removal_parse(w);
    if (!rc && what < 0) {
        fprintf(stderr, "pencere %s: --what is one of member, subsystem, gateway, gateway-client, service, group, "
                        "group-member\n", c->cmd);
        return EXIT_USAGE;
    }
    struct xr_id id, of;
    bool link = !rc && xr_removal_has_of((enum xr_removal)what);
    const char *first = !link ? "id" : what == XR_RM_GATEWAY_CLIENT ? "gateway" : "group";
    if (rc || (rc = id_opt(c, first, xr_removal_kind((enum xr_removal)what, false), &id)) ||
        (link && (rc = id_opt(c, "client", xr_removal_kind((enum xr_removal)what, true), &of))))
        return rc;
    return xr_central_remove(x, actor(c), (enum xr_removal)what, &id, link ? &of : NULL, &c->err) ? failed(c) : 0;
}

static int ch_ca(struct ctx *c, struct xr_central *x)
{
    struct xr_ca_rec ca = {.name = opt(c, "ca-name")};
    char *chain;
    int rc = file_opt(c, "chain", true, &chain);
    if (rc || (rc = required(c, "ocsp", &ca.ocsp_url)) || (rc = required(c, "tsa", &ca.tsa_url)))
        return rc;
    ca.chain_pem = chain;
    return xr_central_put_ca(x, actor(c), &ca, &c->err) ? failed(c) : 0;
}

static int ch_show(struct ctx *c, struct xr_central *x)
{
    const char *json;
    if (xr_central_dump(x, &c->arena, &json, &c->err))
        return failed(c);
    printf("%s\n", json);
    return 0;
}

/* ---- init and serve ---------------------------------------------------------- */

static int central_init(struct ctx *c)
{
    const char *dir;
    int rc = required(c, "data-dir", &dir);
    if (rc)
        return rc;
    const char *url = opt(c, "url");
    if (xr_central_init(dir, opt(c, "instance"), url && *url ? url : NULL, &c->err))
        return failed(c);
    struct xr_central *x = xr_central_open(dir, opt(c, "db"), &c->err);
    if (!x)
        return failed(c);
    printf("central registry of %s in %s; gateways need %s/certs/gconf.pem as their anchor\n", opt(c, "instance"),
           dir, dir);
    xr_central_close(x);
    return 0;
}

/* Serve until SIGTERM or SIGINT, then stop the server and close the role's
 * object (role: "central", "gateway"). */
/* Serve until SIGTERM or SIGINT; then stop the servers (peer may be
 * NULL), close the role's object and the log. */
static int serve_until_stopped(sigset_t *set, struct http_server *srv, struct http_server *peer, const char *role,
                               void (*close_fn)(void *), void *obj)
{
    int sig = 0;
    while (sigwait(set, &sig) != 0 && errno == EINTR)
        ;
    char ev[32];
    snprintf(ev, sizeof ev, "%s.stopping", role);
    pc_log(PC_LOG_INFO, ev, "signal", sig == SIGTERM ? "TERM" : "INT", NULL);
    if (peer)
        http_stop(peer, 10);
    http_stop(srv, 10);
    close_fn(obj);
    snprintf(ev, sizeof ev, "%s.stopped", role);
    pc_log(PC_LOG_INFO, ev, NULL);
    pc_log_stop_thread();
    return EXIT_OK;
}

static void close_central(void *x)
{
    xr_central_close(x);
}

static void close_gateway(void *g)
{
    xr_gateway_close(g);
}

/* The options every server takes: where it listens, the log level. */
static int server_opts(struct ctx *c, struct http_config *http, const char *default_listen)
{
    *http = (struct http_config){.listen = opt(c, "listen") ? opt(c, "listen") : default_listen,
                                 .log_requests = true};
    if (http_listen_check(http->listen, &c->err)) {
        fprintf(stderr, "pencere %s: %s\n", c->cmd, c->err.msg);
        return EXIT_USAGE;
    }
    return cli_set_log_level(opt(c, "log-level"));
}

static int central_serve(struct ctx *c)
{
    struct http_config http;
    unsigned validity = 600;
    if (server_opts(c, &http, "127.0.0.1:8095") || cli_uint_opt(c->opts, "validity", 10, 86400, &validity))
        return EXIT_USAGE;
    if (opt(c, "admin-listen") && http_listen_check(opt(c, "admin-listen"), &c->err)) {
        fprintf(stderr, "pencere %s: --admin-listen: %s\n", c->cmd, c->err.msg);
        return EXIT_USAGE;
    }
    sigset_t set;
    cli_block_stop_signals(&set);
    struct xr_central *x = open_central(c);
    if (!x)
        return EXIT_FAIL;
    xr_central_set_validity(x, (int)validity);
    struct xr_central_api app = {.central = x};
    xr_central_http_config(&app, &http);
    struct http_server *srv = http_start(&http, &c->err);
    if (!srv) {
        xr_central_close(x);
        return failed(c);
    }
    app.http = srv;
    /* the operator's pages: a listener of their own, off unless asked for */
    struct central_ui_app ui = {.central = x};
    struct http_server *admin = NULL;
    if (opt(c, "admin-listen")) {
        struct http_config acfg = {.listen = opt(c, "admin-listen"), .log_requests = true,
                                   .https = opt(c, "admin-https") != NULL};
        web_central_http_config(&ui, &acfg);
        admin = http_start(&acfg, &c->err);
        if (!admin) {
            http_stop(srv, 1);
            xr_central_close(x);
            return failed(c);
        }
        pc_log(PC_LOG_INFO, "central.admin", "listen", acfg.listen, "port",
               pc_arena_printf(&c->arena, "%u", http_port(admin)), NULL);
    }
    /* a demo listens on a port chosen at start: gateways are told this one */
    const char *url = opt(c, "url");
    if (!url || !*url)
        url = pc_arena_printf(&c->arena, "http://127.0.0.1:%u", http_port(srv));
    if (xr_central_set_url(x, url, &c->err))
        pc_log(PC_LOG_WARN, "central.url", "msg", c->err.msg, NULL);
    if (pc_log_start_thread())
        pc_log(PC_LOG_WARN, "log.unbuffered", "reason", "no logger thread: each line is written by its caller", NULL);
    pc_log(PC_LOG_INFO, "central.started", "listen", http.listen, "url", url, "db",
           db_kind_name(xr_central_db(x)), NULL);
    return serve_until_stopped(&set, srv, admin, "central", close_central, x);
}

/* ---- the central's operators ------------------------------------------------- */

static int op_add(struct ctx *c, struct xr_central *x)
{
    const char *login;
    int rc = required(c, "login", &login);
    if (rc)
        return rc;
    char pw[ID_PASSWORD_MAX + 2];
    bool generated = !opt(c, "password-stdin");
    if (!generated) {
        if (!fgets(pw, sizeof pw, stdin)) {
            fprintf(stderr, "pencere %s: no password on stdin\n", c->cmd);
            return EXIT_USAGE;
        }
        pw[strcspn(pw, "\r\n")] = 0;
    } else {
        if (xr_operator_new_password(pw, &c->err))
            return failed(c);
    }
    if (xr_operator_add(x, actor(c), login, pw, &c->err))
        return failed(c);
    if (generated)
        printf("operator %s, password (shown once): %s\n", login, pw);
    else
        printf("operator %s added\n", login);
    return 0;
}

static int op_list(struct ctx *c, struct xr_central *x)
{
    struct xr_operator *ops;
    size_t n;
    if (xr_operator_list(x, &c->arena, &ops, &n, &c->err))
        return failed(c);
    for (size_t i = 0; i < n; i++) {
        char at[21];
        pc_rfc3339(ops[i].created_at, at);
        printf("%s\t%s\t%s\n", ops[i].login, at, ops[i].created_by);
    }
    return 0;
}

static int op_remove(struct ctx *c, struct xr_central *x)
{
    const char *login;
    int rc = required(c, "login", &login);
    return rc ? rc : xr_operator_remove(x, actor(c), login, &c->err) ? failed(c) : 0;
}

/* ---- the gateway --------------------------------------------------------------- */

static int gateway_init(struct ctx *c)
{
    const char *dir, *path;
    struct xr_id id;
    char *anchor;
    size_t len;
    int rc = required(c, "data-dir", &dir);
    if (rc || (rc = id_opt(c, "id", XR_ID_GATEWAY, &id)) || (rc = required(c, "anchor", &path)) ||
        (rc = cli_read_file(c->cmd, &c->arena, path, FILE_MAX, &anchor, &len)))
        return rc;
    if (xr_gateway_init(dir, &id, anchor, &c->err))
        return failed(c);
    printf("gateway %s in %s; have the CA sign %s/auth.csr (profile gateway-auth) and %s/%s.csr (member-sign)\n",
           opt(c, "id"), dir, dir, dir, id.member);
    return 0;
}

static int gateway_add_member(struct ctx *c)
{
    const char *dir;
    struct xr_id m;
    int rc = required(c, "data-dir", &dir);
    if (rc || (rc = id_opt(c, "member", XR_ID_MEMBER, &m)))
        return rc;
    return xr_gateway_add_member(dir, &m, &c->err) ? failed(c) : 0;
}

static int gateway_install_cert(struct ctx *c)
{
    const char *dir, *which;
    char *pem;
    int rc = required(c, "data-dir", &dir);
    if (rc || (rc = required(c, "which", &which)) || (rc = file_opt(c, "cert", true, &pem)))
        return rc;
    return xr_gateway_install_cert(dir, which, pem, &c->err) ? failed(c) : 0;
}

static int gateway_service(struct ctx *c)
{
    const char *dir, *url;
    struct xr_id s;
    int rc = required(c, "data-dir", &dir);
    if (rc || (rc = id_opt(c, "service", XR_ID_SERVICE, &s)) || (rc = required(c, "url", &url)))
        return rc;
    return xr_gateway_set_service(dir, &s, url, opt(c, "soap") != NULL, &c->err) ? failed(c) : 0;
}

static int gateway_serve(struct ctx *c)
{
    struct http_config http;
    struct xr_gateway_opts o;
    xr_gateway_opts_defaults(&o);
    unsigned interval = (unsigned)o.gconf_interval_ms, fresh = (unsigned)o.ocsp_freshness_secs,
             refresh = (unsigned)o.ocsp_refresh_secs, tsa = (unsigned)o.tsa_interval_secs;
    const char *dir;
    int rc = required(c, "data-dir", &dir);
    if (rc || server_opts(c, &http, "127.0.0.1:8096") ||
        cli_uint_opt(c->opts, "gconf-interval-ms", 50, 3600000, &interval) ||
        cli_uint_opt(c->opts, "ocsp-freshness", 10, 86400, &fresh) ||
        cli_uint_opt(c->opts, "ocsp-refresh", 1, 86400, &refresh) ||
        cli_uint_opt(c->opts, "tsa-interval", 0, 86400, &tsa))
        return rc ? rc : EXIT_USAGE;
    o.db_url = opt(c, "db");
    o.gconf_interval_ms = (int)interval;
    o.ocsp_freshness_secs = (int)fresh;
    o.ocsp_refresh_secs = (int)refresh;
    o.tsa_interval_secs = (int)tsa;
    o.log_bodies = opt(c, "no-bodies") == NULL;
    o.log_relaxed = opt(c, "relaxed-log") != NULL;
    http.threads = 16; /* a request waits on the other gateway: more threads than cores */
    sigset_t set;
    cli_block_stop_signals(&set);
    if (pc_log_start_thread())
        pc_log(PC_LOG_WARN, "log.unbuffered", "reason", "no logger thread: each line is written by its caller", NULL);
    struct xr_gateway *g = xr_gateway_open(dir, &o, &c->err);
    if (!g || xr_gateway_start(g, 5000, &c->err)) {
        xr_gateway_close(g);
        return failed(c);
    }
    const char *peer_listen = opt(c, "peer-listen");
    struct xr_gateway_api app = {.gw = g, .edge = peer_listen ? XR_EDGE_SYSTEMS : XR_EDGE_ALL};
    struct xr_gateway_api peer_app = {.gw = g, .edge = XR_EDGE_PEERS};
    xr_gateway_http_config(&app, &http);
    struct http_server *srv = http_start(&http, &c->err), *peer = NULL;
    if (srv && peer_listen) {
        /* the same limits as the systems' side, TLS with the gateway's own certificate */
        struct http_config ph = http;
        ph.listen = peer_listen;
        xr_gateway_http_config(&peer_app, &ph);
        if (http_listen_check(peer_listen, &c->err) == 0 && xr_gateway_peer_tls(g, &c->arena, &ph, &c->err) == 0)
            peer = http_start(&ph, &c->err);
        if (!peer) {
            http_stop(srv, 0);
            srv = NULL;
        }
    }
    if (!srv) {
        xr_gateway_close(g);
        return failed(c);
    }
    app.http = srv;
    peer_app.http = peer;
    pc_log(PC_LOG_INFO, "gateway.started", "listen", http.listen, "peer_listen", peer_listen ? peer_listen : "",
           "dir", opt(c, "data-dir"), "db", db_kind_name(xr_gateway_db(g)), NULL);
    return serve_until_stopped(&set, srv, peer, "gateway", close_gateway, g);
}

static int gateway_verify_log(struct ctx *c)
{
    const char *dir;
    int rc = required(c, "data-dir", &dir);
    if (rc)
        return rc;
    int64_t records, stamps;
    if (xr_msglog_verify(dir, opt(c, "db"), &records, &stamps, &c->err)) {
        fprintf(stderr, "pencere %s: the message log is NOT intact: %s\n", c->cmd, c->err.msg);
        return EXIT_FAIL;
    }
    printf("the message log is intact: %lld records, %lld time-stamps verified\n", (long long)records,
           (long long)stamps);
    return 0;
}

static int gateway_evidence(struct ctx *c)
{
    const char *dir, *id, *json;
    int rc = required(c, "data-dir", &dir);
    if (rc || (rc = required(c, "message", &id)))
        return rc;
    if (xr_msglog_evidence(dir, opt(c, "db"), id, &c->arena, &json, &c->err))
        return failed(c);
    printf("%s\n", json);
    return 0;
}

static int gateway_archive(struct ctx *c)
{
    const char *dir;
    unsigned days = 180;
    int rc = required(c, "data-dir", &dir);
    if (rc || cli_uint_opt(c->opts, "days", 0, 36500, &days))
        return rc ? rc : EXIT_USAGE;
    int64_t moved;
    if (xr_msglog_archive(dir, opt(c, "db"), (int)days, &moved, &c->err))
        return failed(c);
    printf("%lld records moved to %s/archive\n", (long long)moved, dir);
    return 0;
}

/* ---- the subcommands -------------------------------------------------------------- */

struct sub {
    const char *name;
    const char *opts;
    change_fn change;                  /* a change of the central registry, or … */
    int (*run)(struct ctx *c);         /* … anything else */
    const char *help;
};

static const struct sub central_subs[] = {
    {"init", "data-dir db instance url", NULL, central_init, "make a central registry's data directory and key"},
    {"serve", "data-dir db listen url validity log-level admin-listen admin-https", NULL, central_serve,
     "serve the global configuration to gateways (and the operator's pages)"},
    {"member", "data-dir db id name", ch_member, NULL, "register a member (INSTANCE/CLASS/CODE)"},
    {"subsystem", "data-dir db id", ch_subsystem, NULL, "register a member's subsystem"},
    {"gateway", "data-dir db id address cert", ch_gateway, NULL, "register or update a gateway"},
    {"gateway-client", "data-dir db gateway client", ch_gateway_client, NULL, "a gateway serves a subsystem"},
    {"service", "data-dir db id version title kind max-request max-response timeout-ms openapi", ch_service, NULL,
     "register or update a service"},
    {"group", "data-dir db id description", ch_group, NULL, "make a global group"},
    {"group-member", "data-dir db group client", ch_group_member, NULL, "add a member or subsystem to a group"},
    {"grant", "data-dir db service subject", ch_grant, NULL, "let a client, member or group call a service"},
    {"revoke", "data-dir db service subject", ch_revoke, NULL, "withdraw a right given by grant"},
    {"ca", "data-dir db ca-name chain ocsp tsa", ch_ca, NULL, "set the trusted certification centre"},
    {"remove", "data-dir db what id gateway client group", ch_remove, NULL,
     "remove a member, subsystem, gateway, gateway-client, service, group or group-member (--what)"},
    {"show", "data-dir db", ch_show, NULL, "print the registry as JSON"},
    /* listed for help only: cmd_central hands "operator …" to operator_subs */
    {"operator", "", NULL, NULL, "add|list|remove the operators of the operator's pages (--admin-listen)"},
};

static const struct sub operator_subs[] = {
    {"add", "data-dir db login password-stdin", op_add, NULL,
     "add an operator of the operator's pages (password from stdin, or generated and printed once)"},
    {"list", "data-dir db", op_list, NULL, "list the operators (login, since, added by)"},
    {"remove", "data-dir db login", op_remove, NULL, "remove an operator and end its sessions"},
};

static const struct sub gateway_subs[] = {
    {"init", "data-dir id anchor", NULL, gateway_init, "make a gateway's data directory, keys and CSRs"},
    {"add-member", "data-dir member", NULL, gateway_add_member, "sign for another member: its key and CSR"},
    {"install-cert", "data-dir which cert", NULL, gateway_install_cert, "install a certificate the CA issued"},
    {"service", "data-dir service url soap", NULL, gateway_service, "provide a service: its system's URL"},
    {"serve", "data-dir db listen peer-listen gconf-interval-ms ocsp-freshness ocsp-refresh tsa-interval no-bodies relaxed-log log-level", NULL,
     gateway_serve, "serve the consumer and provider sides"},
    {"verify-log", "data-dir db", NULL, gateway_verify_log, "check the message log offline"},
    {"evidence", "data-dir db message", NULL, gateway_evidence, "one message with what proves it, as JSON"},
    {"archive", "data-dir db days", NULL, gateway_archive, "move time-stamped records older than --days to DIR/archive"},
};

static int dispatch(const char *group, const char *title, const struct sub *t, size_t n, int argc, char **argv)
{
    for (size_t i = 0; argc > 0 && i < n; i++) {
        if (strcmp(argv[0], t[i].name) != 0)
            continue;
        struct ctx c = {0};
        pc_arena_init(&c.arena);
        c.cmd = pc_arena_printf(&c.arena, "%s %s", group, argv[0]);
        opts_for(&c, t[i].opts);
        int rc = cli_parse(c.cmd, t[i].help, c.opts, argc - 1, argv + 1);
        if (rc) {
            rc = rc < 0 ? EXIT_OK : rc;
        } else if (t[i].change) {
            struct xr_central *x = open_central(&c);
            rc = x ? t[i].change(&c, x) : EXIT_FAIL;
            xr_central_close(x);
        } else {
            rc = t[i].run(&c);
        }
        pc_arena_release(&c.arena);
        return rc;
    }
    FILE *f = argc > 0 && strcmp(argv[0], "--help") == 0 ? stdout : stderr;
    fprintf(f, "usage: pencere %s COMMAND [OPTIONS]\n\n%s\n\ncommands:\n", group, title);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-15s %s\n", t[i].name, t[i].help);
    return f == stdout ? EXIT_OK : EXIT_USAGE;
}

int cmd_central(int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], "operator") == 0)
        return dispatch("central operator", "The operators of the central registry's pages.", operator_subs,
                        sizeof operator_subs / sizeof operator_subs[0], argc - 1, argv + 1);
    return dispatch("central", "The exchange layer's central registry.", central_subs,
                    sizeof central_subs / sizeof central_subs[0], argc, argv);
}

int cmd_gateway(int argc, char **argv)
{
    return dispatch("gateway", "A member's gateway to the exchange layer.", gateway_subs,
                    sizeof gateway_subs / sizeof gateway_subs[0], argc, argv);
}

/* demo_exchange.c — the demo's exchange layer: once the portal is up, a
 * thread sets up and starts, as child processes of this binary in
 * DATA_DIR/exchange, a certification centre (certificates, OCSP,
 * time-stamps), the central registry, the registries (the population
 * register with the demo portal's 2,000 people, the taxpayers with their
 * entrepreneurs by FİN, real estate, employment contracts, social
 * insurance and pensions, fines, vehicles), the
 * portal's gateway and the registries' gateway, then writes
 * DATA_DIR/demo-exchange.json:
 *
 *   {"gateway": the portal gateway's consumer URL, "client": the portal's
 *    client id, "calls": [{"kind", "service": id, "path": "/FİN"}, …],
 *    "services": {kind: service id, …}}
 *
 * Everything is done with the roles' own commands, as an operator would;
 * their output goes to DATA_DIR/exchange/ROLE-COMMAND.log.  The children die with
 * the demo (PR_SET_PDEATHSIG) and are stopped by it. */
#include "cli.h"
#include "../registries/registries.h"

#include <curl/curl.h>
#include <jansson.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PORTAL_MEMBER "AZ/GOV/1500000002"
#define POP_MEMBER "AZ/GOV/1400000001"
#define CLIENT PORTAL_MEMBER "/portal"
#define TAX_MEMBER "AZ/GOV/1400057421"
#define PASSPHRASE "pencere demo exchange passphrase"
#define MAX_CHILDREN 12
#define DEMO_OPERATOR "operator"   /* the central's demo operator; its password is generated */

static struct {
    char dir[1024], exe[1024];
    pid_t children[MAX_CHILDREN];
    int nchildren;
    pid_t step;              /* the setup step running now (0: none): stopped with the demo */
    pthread_t thread;
    bool started, stop;
    pthread_mutex_t lock;
    pthread_cond_t wake;
} X = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* The demo is stopping: the setup gives up at its next step. */
static bool stopping(void)
{
    pthread_mutex_lock(&X.lock);
    bool s = X.stop;
    pthread_mutex_unlock(&X.lock);
    return s;
}

static unsigned pick_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    unsigned port = 0;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(s, (struct sockaddr *)&a, &n) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0)
        close(s);
    return port;
}

/* A loopback port nobody listens on now and that this demo has not handed
 * out before: the kernel may give a port closed a moment ago again, and two
 * children told the same port would leave one of them without an address
 * (and the other answering in its name).  Only the exchange's setup thread
 * calls it. */
static unsigned free_port(void)
{
    static unsigned given[64];
    static size_t ngiven;
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned port = pick_port();
        bool seen = port == 0;
        for (size_t i = 0; i < ngiven && !seen; i++)
            seen = given[i] == port;
        if (seen)
            continue;
        if (ngiven < sizeof given / sizeof given[0])
            given[ngiven++] = port;
        return port;
    }
    return 0;
}

/* Run this binary with args (NULL-terminated); stdout to out_path (or the
 * log), stderr to the log.  wait: until it exits (its status), else the pid. */
static int spawn(const char *out_path, bool wait_exit, const char *const *args)
{
    char log[1200];
    if (stopping())
        return -1;
    snprintf(log, sizeof log, "%s/exchange/%s-%s.log", X.dir, args[0], args[1] && args[1][0] != '-' ? args[1] : "serve");
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int e = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600),
            o = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600) : e, in = open("/dev/null", O_RDONLY);
        if (e < 0 || o < 0 || in < 0)
            _exit(127);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        setenv("PENCERE_CA_PASSPHRASE", PASSPHRASE, 1);
        char *argv[40];
        int n = 0;
        argv[n++] = X.exe;
        for (int i = 0; args[i] && n < 39; i++)
            argv[n++] = (char *)args[i];
        argv[n] = NULL;
        execv(X.exe, argv);
        _exit(127);
    }
    if (!wait_exit) {
        if (X.nchildren < MAX_CHILDREN)
            X.children[X.nchildren++] = pid;
        return pid;
    }
    pthread_mutex_lock(&X.lock);
    X.step = pid;
    bool stop = X.stop;      /* asked to stop while it started: stop it too */
    pthread_mutex_unlock(&X.lock);
    if (stop)
        kill(pid, SIGTERM);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&X.lock);
    X.step = 0;
    pthread_mutex_unlock(&X.lock);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define RUN(out, ...)                                                                                   \
    do {                                                                                                \
        const char *a_[] = {__VA_ARGS__, NULL};                                                         \
        if (spawn(out, true, a_) != 0) {                                                                \
            pc_log(PC_LOG_WARN, "demo.exchange_failed", "step", a_[0], "sub", a_[1] ? a_[1] : "", NULL); \
            return -1;                                                                                  \
        }                                                                                               \
    } while (0)

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
    FILE *f = arg;
    return f ? fwrite(p, size, n, f) : size * n;
}

/* GET url; the status (0 when unreachable); the body into path when given. */
static long get(const char *url, const char *path)
{
    CURL *h = curl_easy_init();
    FILE *f = path ? fopen(path, "w") : NULL;
    long status = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (f)
        fclose(f);
    curl_easy_cleanup(h);
    return status;
}

/* Start a server and wait (60 s at most) for its /healthz to answer 200. */
static int start(unsigned port, const char *const *args)
{
    if (spawn(NULL, false, args) < 0)
        return -1;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/healthz", port);
    for (int i = 0; i < 600 && !stopping(); i++) {
        if (get(url, NULL) == 200)
            return 0;
        struct timespec ts = {0, 100 * 1000000};
        nanosleep(&ts, NULL);
    }
    pc_log(PC_LOG_WARN, "demo.exchange_failed", "step", args[0], "reason", "did not become healthy", NULL);
    return -1;
}

static const char *path(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static const char *path(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = snprintf(buf, n, "%s/exchange/", X.dir);
    vsnprintf(buf + k, n - (size_t)k, fmt, ap);
    va_end(ap);
    return buf;
}

static int concat(const char *out, const char *a, const char *b)
{
    FILE *o = fopen(out, "w");
    const char *in[] = {a, b};
    for (int i = 0; o && i < 2; i++) {
        FILE *f = fopen(in[i], "r");
        char buf[4096];
        size_t n;
        while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, o);
        if (f)
            fclose(f);
    }
    return o && fclose(o) == 0 ? 0 : -1;
}

/* A gateway: its directory, keys, certificates from the CA, registration. */
static int gateway(const char *name, const char *member, const char *code, const char *org, unsigned port,
                   const char *central, const char *anchor)
{
    char dir[1200], csr[1400], auth[1200], sign[1200], id[128], addr[64];
    path(dir, sizeof dir, "%s", name);
    snprintf(id, sizeof id, "%s/%s", member, name);
    snprintf(addr, sizeof addr, "http://127.0.0.1:%u", port);
    RUN(NULL, "gateway", "init", "--data-dir", dir, "--id", id, "--anchor", anchor);
    char cadir[1200];
    path(cadir, sizeof cadir, "ca");
    snprintf(csr, sizeof csr, "%s/auth.csr", dir);
    path(auth, sizeof auth, "%s-auth.pem", name);
    RUN(auth, "ca", "issue", "--data-dir", cadir, "--profile", "gateway-auth", "--voen", code, "--org", org,
        "--name", name, "--csr", csr);
    snprintf(csr, sizeof csr, "%s/%s.csr", dir, code);
    path(sign, sizeof sign, "%s-sign.pem", name);
    RUN(sign, "ca", "issue", "--data-dir", cadir, "--profile", "member-sign", "--voen", code, "--org", org, "--name",
        org, "--csr", csr);
    RUN(NULL, "gateway", "install-cert", "--data-dir", dir, "--which", "auth", "--cert", auth);
    RUN(NULL, "gateway", "install-cert", "--data-dir", dir, "--which", code, "--cert", sign);
    RUN(NULL, "central", "gateway", "--data-dir", central, "--id", id, "--address", addr, "--cert", auth);
    return 0;
}

/* The registries the demo runs behind the registries' gateway (gw2, which
 * signs for each of their members): kind, member, its VÖEN and name, the
 * subsystem and service codes, the register's REST path of records, and
 * the kind whose process serves it when not its own. */
static const struct demo_registry {
    const char *kind, *member, *code, *org, *subsystem, *service, *records, *title, *served_by;
} registries[] = {
    {"population", POP_MEMBER, "1400000001", "Əhali reyestri", "population", "persons", "population/v1/persons",
     "Şəxs FİN ilə", NULL},
    {"taxpayers", TAX_MEMBER, "1400057421", "Vergilər Nazirliyi", "avis", "taxpayers", "taxpayers/v1/taxpayers",
     "Vergi ödəyicisi VÖEN ilə", NULL},
    {"realestate", "AZ/GOV/1400000004", "1400000004", "Əmlak Məsələləri Dövlət Xidməti", "realestate", "properties",
     "realestate/v1/properties", "Daşınmaz əmlak FİN ilə", NULL},
    {"employment", "AZ/GOV/1400000003", "1400000003", "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi", "employment",
     "contracts", "employment/v1/contracts", "Əmək müqavilələri FİN ilə", NULL},
    {"pensions", "AZ/GOV/1400000003", "1400000003", "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi", "pensions",
     "insured", "pensions/v1/insured", "Sosial sığorta və pensiya FİN ilə", NULL},
    /* fines without login (branch fines): the interior ministry's protocols */
    {"fines", "AZ/GOV/1400000005", "1400000005", "Daxili İşlər Nazirliyi", "fines", "protocols",
     "fines/v1/protocols", "İnzibati xəta protokolları", NULL},
    /* vemtas2: İAMAS-style vehicles, and the taxpayers' entrepreneurs by FİN */
    {"vehicles", "AZ/GOV/1400000005", "1400000005", "Daxili İşlər Nazirliyi", "iamas", "vehicles",
     "vehicles/v1/owners", "Nəqliyyat vasitələri FİN ilə", NULL},
    {"entrepreneurs", TAX_MEMBER, "1400057421", "Vergilər Nazirliyi", "avis", "entrepreneurs",
     "taxpayers/v1/entrepreneurs", "Fərdi sahibkar FİN ilə", "taxpayers"},
};
#define NREG (sizeof registries / sizeof registries[0])
/* the demo portal's people (demo_seed.c) all exist in the population
 * register, and the taxpayers and holdings name them */

static const char *service_id(char *buf, size_t n, const struct demo_registry *r)
{
    snprintf(buf, n, "%s/%s/%s", r->member, r->subsystem, r->service);
    return buf;
}

/* Whether registry i's member came earlier in the table (one member may
 * hold several registries). */
static bool member_seen(size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (strcmp(registries[k].member, registries[i].member) == 0)
            return true;
    return false;
}

/* Whether registry i's subsystem came earlier in the table (entrepreneurs share the taxpayers'). */
static bool subsystem_seen(size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (strcmp(registries[k].member, registries[i].member) == 0 &&
            strcmp(registries[k].subsystem, registries[i].subsystem) == 0)
            return true;
    return false;
}

/* The central registry's members, subsystems, services and rights. */
static int central_setup(const char *central, const char *chain, const char *ca_listen)
{
    RUN(NULL, "central", "init", "--data-dir", central, "--instance", "AZ");
    char op[1200];
    RUN(path(op, sizeof op, "central-operator.txt"), "central", "operator", "add", "--data-dir", central, "--login",
        DEMO_OPERATOR);
    RUN(NULL, "central", "member", "--data-dir", central, "--id", PORTAL_MEMBER, "--name", "Elektron hökumət portalı");
    RUN(NULL, "central", "subsystem", "--data-dir", central, "--id", CLIENT);
    char ocsp[128], tsa[128], id[256], sub[256];
    snprintf(ocsp, sizeof ocsp, "http://%s/ca/ocsp", ca_listen);
    snprintf(tsa, sizeof tsa, "http://%s/ca/tsa", ca_listen);
    RUN(NULL, "central", "ca", "--data-dir", central, "--chain", chain, "--ocsp", ocsp, "--tsa", tsa);
    for (size_t i = 0; i < NREG; i++) {
        const struct demo_registry *r = &registries[i];
        if (!member_seen(i))
            RUN(NULL, "central", "member", "--data-dir", central, "--id", r->member, "--name", r->org);
        snprintf(sub, sizeof sub, "%s/%s", r->member, r->subsystem);
        if (!subsystem_seen(i))
            RUN(NULL, "central", "subsystem", "--data-dir", central, "--id", sub);
        service_id(id, sizeof id, r);
        RUN(NULL, "central", "service", "--data-dir", central, "--id", id, "--title", r->title);
        RUN(NULL, "central", "grant", "--data-dir", central, "--service", id, "--subject", CLIENT);
    }
    return 0;
}

/* Generate and start registry r; its address into listen. */
static int registry_start(const struct demo_registry *r, char listen[32])
{
    char db[1200], people[16], taxpayers[16];
    unsigned port = free_port();
    snprintf(people, sizeof people, "%d", DEMO_POPULATION);
    snprintf(taxpayers, sizeof taxpayers, "%d", DEMO_TAXPAYERS);
    snprintf(listen, 32, "127.0.0.1:%u", port);
    path(db, sizeof db, "%s.db", r->kind);
    bool tax = strcmp(r->kind, "taxpayers") == 0, fines = strcmp(r->kind, "fines") == 0;
    /* fines: 6,000 protocols of the demo's people and companies (people/5 = the taxpayers) */
    RUN(NULL, "registry", "generate", "--kind", r->kind, "--db", db, "--count", fines ? "6000" : tax ? taxpayers : people,
        "--people", tax || fines ? people : taxpayers);
    const char *args[] = {"registry", "--kind", r->kind, "--db", db, "--listen", listen, "--log-level", "warn", NULL};
    return start(port, args);
}

/* Start every registry with a process of its own; each one's records' base URL into urls. */
static int registries_start(char urls[][128])
{
    char listen[NREG][32];
    for (size_t i = 0; i < NREG; i++) {
        size_t by = i;
        for (size_t k = 0; registries[i].served_by && k < i; k++)
            if (strcmp(registries[k].kind, registries[i].served_by) == 0)
                by = k;
        if (by == i && registry_start(&registries[i], listen[i]))
            return -1;
        snprintf(urls[i], 128, "http://%s/%s", listen[by], registries[i].records);
    }
    return 0;
}

/* The registries' gateway signs for every registry's member, serves their
 * subsystems and knows where each service's system is. */
static int registries_gateway(const char *central, const char *gw2, char urls[][128])
{
    char cadir[1200], csr[1400], sign[1200], id[256], sub[256];
    path(cadir, sizeof cadir, "ca");
    for (size_t i = 0; i < NREG; i++) {
        const struct demo_registry *r = &registries[i];
        if (strcmp(r->member, POP_MEMBER) != 0 && !member_seen(i)) {
            RUN(NULL, "gateway", "add-member", "--data-dir", gw2, "--member", r->member);
            snprintf(csr, sizeof csr, "%s/%s.csr", gw2, r->code);
            path(sign, sizeof sign, "%s-sign.pem", r->code);
            RUN(sign, "ca", "issue", "--data-dir", cadir, "--profile", "member-sign", "--voen", r->code, "--org",
                r->org, "--name", r->org, "--csr", csr);
            RUN(NULL, "gateway", "install-cert", "--data-dir", gw2, "--which", r->code, "--cert", sign);
        }
        snprintf(sub, sizeof sub, "%s/%s", r->member, r->subsystem);
        if (!subsystem_seen(i))
            RUN(NULL, "central", "gateway-client", "--data-dir", central, "--gateway", POP_MEMBER "/gw2", "--client",
                sub);
        service_id(id, sizeof id, r);
        RUN(NULL, "gateway", "service", "--data-dir", gw2, "--service", id, "--url", urls[i]);
    }
    return 0;
}

/* The contract: where the portal's gateway is, what to ask it, and which
 * service serves which registry kind (what src/xclient reads). */
/* The demo operator's password, as `central operator add` printed it
 * ("operator L, password (shown once): PW") into exchange/central-operator.txt. */
static json_t *central_operator(const char *admin_listen)
{
    char p[1200], line[256] = "";
    FILE *f = fopen(path(p, sizeof p, "central-operator.txt"), "r");
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = 0;
        fclose(f);
    }
    line[strcspn(line, "\n")] = 0;
    const char *pw = strrchr(line, ' ');
    return json_pack("{s:s+, s:s, s:s}", "url", "http://", admin_listen, "login", DEMO_OPERATOR, "password",
                     pw ? pw + 1 : "");
}

static int write_contract(const char *g1_listen, const char *admin_listen)
{
    char key[11], tmp[1400], out[1200], id[256];
    json_t *calls = json_array(), *services = json_object();
    for (size_t i = 0; i < NREG; i++) {
        service_id(id, sizeof id, &registries[i]);
        json_object_set_new(services, registries[i].kind, json_string(id));
        if (strcmp(registries[i].kind, "fines") == 0)
            continue; /* its records are protocols, not people or taxpayers: named, no sample call */
        if (strcmp(registries[i].kind, "taxpayers") == 0)
            reg_voen_of(0, key);
        else
            reg_fin_of(0, key);
        json_array_append_new(calls, json_pack("{s:s, s:s, s:s+}", "kind", registries[i].kind, "service", id, "path",
                                               "/", key));
    }
    reg_fin_of(2, key); /* a child: the family links */
    json_array_append_new(calls, json_pack("{s:s, s:s, s:s+}", "kind", "population", "service",
                                           service_id(id, sizeof id, &registries[0]), "path", "/", key));
    json_t *doc = json_pack("{s:s+, s:s, s:o, s:o, s:o}", "gateway", "http://", g1_listen, "client", CLIENT, "calls",
                            calls, "services", services, "central_operator", central_operator(admin_listen));
    snprintf(out, sizeof out, "%s/demo-exchange.json", X.dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    int rc = doc && json_dump_file(doc, tmp, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0 && rename(tmp, out) == 0 ? 0
                                                                                                                : -1;
    json_decref(doc);
    if (!rc)
        pc_log(PC_LOG_INFO, "demo.exchange_ready", "gateway", g1_listen, "file", out, NULL);
    if (!rc) { /* the password is in the file, never in the log */
        char url[64];
        snprintf(url, sizeof url, "http://%s/", admin_listen);
        pc_log(PC_LOG_INFO, "demo.central_operator", "url", url, "login", DEMO_OPERATOR, "password_in", out, NULL);
    }
    return rc;
}

static int setup(void)
{
    char p[1200], ca[1200], central[1200], chain[1200], anchor[1200], gw1[1200], gw2[1200], url[5000];
    char urls[NREG][128];
    unsigned ca_port = free_port(), c_port = free_port(), g1 = free_port(), g2 = free_port(), a_port = free_port();
    char ca_listen[32], c_listen[32], g1_listen[32], g2_listen[32], a_listen[32];
    snprintf(a_listen, sizeof a_listen, "127.0.0.1:%u", a_port); /* the operator's pages: loopback only */
    snprintf(ca_listen, sizeof ca_listen, "127.0.0.1:%u", ca_port);
    snprintf(c_listen, sizeof c_listen, "127.0.0.1:%u", c_port);
    snprintf(g1_listen, sizeof g1_listen, "127.0.0.1:%u", g1);
    snprintf(g2_listen, sizeof g2_listen, "127.0.0.1:%u", g2);
    path(p, sizeof p, "%s", "");
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
        return -1;
    /* a fresh exchange each run: the demo's ports change */
    snprintf(url, sizeof url, "rm -rf '%s'/exchange/ca '%s'/exchange/central '%s'/exchange/gw1 '%s'/exchange/gw2",
             X.dir, X.dir, X.dir, X.dir);
    if (system(url) != 0)
        return -1;
    path(ca, sizeof ca, "ca");
    snprintf(url, sizeof url, "http://%s", ca_listen);
    RUN(NULL, "ca", "init", "--data-dir", ca, "--public-url", url);
    const char *ca_args[] = {"ca", "serve", "--data-dir", ca, "--listen", ca_listen, "--log-level", "warn", NULL};
    if (start(ca_port, ca_args))
        return -1;
    char cap[1400], rootp[1400];
    snprintf(cap, sizeof cap, "%s/certs/ca.pem", ca);
    snprintf(rootp, sizeof rootp, "%s/certs/root.pem", ca);
    path(chain, sizeof chain, "ca-chain.pem");
    path(central, sizeof central, "central");
    if (concat(chain, cap, rootp) || central_setup(central, chain, ca_listen))
        return -1;
    const char *c_args[] = {"central", "serve", "--data-dir", central, "--listen", c_listen, "--admin-listen",
                            a_listen, "--log-level", "warn", NULL};
    if (start(c_port, c_args))
        return -1;
    path(anchor, sizeof anchor, "anchor.json");
    snprintf(url, sizeof url, "http://%s/anchor.json", c_listen);
    if (get(url, anchor) != 200)
        return -1;
    if (registries_start(urls))
        return -1;
    if (gateway("gw1", PORTAL_MEMBER, "1500000002", "Elektron hökumət portalı", g1, central, anchor) ||
        gateway("gw2", POP_MEMBER, "1400000001", "Əhali reyestri", g2, central, anchor))
        return -1;
    RUN(NULL, "central", "gateway-client", "--data-dir", central, "--gateway", PORTAL_MEMBER "/gw1", "--client",
        CLIENT);
    path(gw1, sizeof gw1, "gw1");
    path(gw2, sizeof gw2, "gw2");
    if (registries_gateway(central, gw2, urls))
        return -1;
    const char *g1_args[] = {"gateway", "serve", "--data-dir", gw1, "--listen", g1_listen, "--gconf-interval-ms",
                             "2000", "--log-level", "warn", NULL};
    const char *g2_args[] = {"gateway", "serve", "--data-dir", gw2, "--listen", g2_listen, "--gconf-interval-ms",
                             "2000", "--log-level", "warn", NULL};
    if (start(g2, g2_args) || start(g1, g1_args))
        return -1;
    return write_contract(g1_listen, a_listen);
}

/* The children's parent-death signal follows the thread that forked
 * them: this thread lives until the demo stops, then stops them. */
static void *run(void *arg)
{
    (void)arg;
    if (setup())
        pc_log(PC_LOG_WARN, "demo.exchange_unavailable", "logs", X.dir, NULL);
    pthread_mutex_lock(&X.lock);
    while (!X.stop)
        pthread_cond_wait(&X.wake, &X.lock);
    pthread_mutex_unlock(&X.lock);
    for (int i = X.nchildren - 1; i >= 0; i--)
        kill(X.children[i], SIGTERM);
    for (int i = X.nchildren - 1; i >= 0; i--)
        waitpid(X.children[i], NULL, 0);
    return NULL;
}

void demo_exchange_start(const char *dir)
{
    snprintf(X.dir, sizeof X.dir, "%s", dir);
    ssize_t n = readlink("/proc/self/exe", X.exe, sizeof X.exe - 1);
    if (n <= 0)
        return;
    X.exe[n] = 0;
    char out[1100];
    snprintf(out, sizeof out, "%s/demo-exchange.json", dir);
    unlink(out); /* only a ready exchange writes it */
    X.started = pthread_create(&X.thread, NULL, run, NULL) == 0;
}

void demo_exchange_stop(void)
{
    if (!X.started)
        return;
    pthread_mutex_lock(&X.lock);
    X.stop = true;
    if (X.step > 0)          /* a setup step in progress ends now, not when done */
        kill(X.step, SIGTERM);
    pthread_cond_signal(&X.wake);
    pthread_mutex_unlock(&X.lock);
    pthread_join(X.thread, NULL);
}

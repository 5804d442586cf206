/* ca.c — `pencere ca …`: the certification centre's role and tools.
 *
 *   init          a whole demo hierarchy in DIR (root in DIR/root)
 *   init-root     a root CA (offline machine)
 *   init-issuing  an issuing CA's key and CSR
 *   sign-ca       the root signs an issuing CA's CSR
 *   install       the signed certificate into the issuing CA's DIR
 *   serve         the CA over HTTP: chain, CRL, OCSP, TSA, RA API
 *   issue, suspend, resume, revoke, list, publish-crl, add-client, add-seal
 *   keyd          (internal) the key process the CA starts itself
 *
 * Exit codes: 0 success, 1 failure, 2 usage. */
#include "cli.h"
#include "../db/db.h"
#include "../http/http.h"
#include "../identity/identity.h"
#include "../pki/pki.h"
#include "../mobile/mobile.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIR_OPT {"data-dir", "DIR", "the CA's data directory", NULL}
#define DB_OPT {"db", "URL", "SQLite path or postgres:// URL (default: ca.json's, else DIR/pencere.db)", NULL}
#define END_OPT {NULL, NULL, NULL, NULL}

static int parse(const char *cmd, const char *summary, struct cli_opt *opts, int argc, char **argv, int *rc)
{
    *rc = cli_parse(cmd, summary, opts, argc, argv);
    if (*rc) {
        *rc = *rc < 0 ? EXIT_OK : *rc;
        return 1;
    }
    return 0;
}

static int need(const char *cmd, struct cli_opt *opts, const char *name)
{
    if (cli_get(opts, name))
        return 0;
    fprintf(stderr, "pencere %s: --%s is required (see --help)\n", cmd, name);
    return EXIT_USAGE;
}

static int failed(const char *cmd, const struct pc_err *err)
{
    fprintf(stderr, "pencere %s: %s\n", cmd, err->msg);
    return EXIT_FAIL;
}

/* A relative --passphrase-file is relative to where we are, not to DIR. */
static const char *absolute(const char *path, char *buf)
{
    return path && path[0] != '/' && realpath(path, buf) ? buf : path;
}

#define INIT_OPTS                                                                                     \
    DIR_OPT, {"name", "NAME", "the CA's common name", NULL},                                          \
        {"org", "ORG", "the organisation (the centre)", "Milli Sertifikat Xidmətləri Mərkəzi"},         \
        {"key-type", "TYPE", "p256, rsa2048 or rsa3072", "p256"},                                     \
        {"passphrase-file", "FILE", "first line is the key files' passphrase", NULL},                 \
        {"passphrase-env", "VAR", "… or this environment variable holds it", "PENCERE_CA_PASSPHRASE"}, \
        {"days", "N", "validity in days (default: 20 years root, 10 years issuing)", NULL}

static int init_opts(const char *cmd, struct cli_opt *opts, struct pki_init_opts *o, char *buf)
{
    memset(o, 0, sizeof *o);
    o->name = cli_get(opts, "name");
    o->org = cli_get(opts, "org");
    o->passphrase_file = absolute(cli_get(opts, "passphrase-file"), buf);
    o->passphrase_env = cli_get(opts, "passphrase-env");
    int kt = pki_key_type_parse(cli_get(opts, "key-type"));
    long long days = 0;
    if (kt < 0 || (cli_get(opts, "days") && pc_parse_int(cli_get(opts, "days"), 1, 36500, &days))) {
        fprintf(stderr, "pencere %s: --key-type is p256, rsa2048 or rsa3072; --days 1 to 36500\n", cmd);
        return EXIT_USAGE;
    }
    o->key_type = (enum pki_key_type)kt;
    o->validity_days = (int)days;
    return need(cmd, opts, "data-dir");
}

static int ca_init(int argc, char **argv)
{
    struct cli_opt opts[] = {INIT_OPTS, {"public-url", "URL", "base URL written into certificates (AIA, CRL)",
                                         "http://127.0.0.1:8090"}, END_OPT};
    opts[1].value = "Pəncərə Issuing CA 1";
    int rc;
    if (parse("ca init", "Make a whole demo hierarchy in DIR: a root CA in DIR/root and an issuing CA in DIR\n"
                         "with its OCSP responder and TSA.  Without a passphrase source a random one is\n"
                         "written to DIR/passphrase.", opts, argc, argv, &rc))
        return rc;
    char buf[PATH_MAX];
    struct pki_init_opts o;
    if ((rc = init_opts("ca init", opts, &o, buf)))
        return rc;
    o.public_url = cli_get(opts, "public-url");
    if (!getenv(o.passphrase_env) && !o.passphrase_file)
        o.passphrase_env = NULL;
    struct pc_err err = {0};
    if (pki_init_demo(cli_get(opts, "data-dir"), &o, &err))
        return failed("ca init", &err);
    printf("CA hierarchy made in %s (root in %s/root)\n", cli_get(opts, "data-dir"), cli_get(opts, "data-dir"));
    return EXIT_OK;
}

static int ca_init_root(int argc, char **argv)
{
    struct cli_opt opts[] = {INIT_OPTS, END_OPT};
    int rc;
    if (parse("ca init-root", "Make a root CA in DIR: keys/root.key (encrypted PKCS#8) and certs/root.pem.\n"
                              "Run it on a machine that can stay offline.", opts, argc, argv, &rc))
        return rc;
    char buf[PATH_MAX];
    struct pki_init_opts o;
    struct pc_err err = {0};
    if ((rc = init_opts("ca init-root", opts, &o, buf)) || (rc = need("ca init-root", opts, "name")))
        return rc;
    if (pki_init_root(cli_get(opts, "data-dir"), &o, &err))
        return failed("ca init-root", &err);
    printf("root CA made: %s/certs/root.pem\n", cli_get(opts, "data-dir"));
    return EXIT_OK;
}

static int ca_init_issuing(int argc, char **argv)
{
    struct cli_opt opts[] = {
        INIT_OPTS,
        {"public-url", "URL", "base URL written into certificates (AIA, CRL)", NULL},
        {"pkcs11-uri", "URI", "the CA key is this PKCS#11 object (pkcs11:token=…;object=…)", NULL},
        {"pkcs11-module", "PATH", "the PKCS#11 library", "/usr/lib/softhsm/libsofthsm2.so"},
        {"pin-file", "FILE", "first line is the token's PIN", NULL},
        END_OPT,
    };
    int rc;
    if (parse("ca init-issuing", "Make an issuing CA's key in DIR (a file, or use a PKCS#11 key) and its CSR\n"
                                 "DIR/ca.csr for the root to sign (pencere ca sign-ca).", opts, argc, argv, &rc))
        return rc;
    char buf[PATH_MAX], pin[PATH_MAX];
    struct pki_init_opts o;
    if ((rc = init_opts("ca init-issuing", opts, &o, buf)) || (rc = need("ca init-issuing", opts, "name")) ||
        (rc = need("ca init-issuing", opts, "public-url")))
        return rc;
    o.public_url = cli_get(opts, "public-url");
    o.key.pkcs11_uri = cli_get(opts, "pkcs11-uri");
    if (o.key.pkcs11_uri) {
        if ((rc = need("ca init-issuing", opts, "pin-file")))
            return rc;
        o.key.pkcs11_module = cli_get(opts, "pkcs11-module");
        o.key.pin_file = absolute(cli_get(opts, "pin-file"), pin);
    }
    struct pc_err err = {0};
    if (pki_init_issuing(cli_get(opts, "data-dir"), &o, &err))
        return failed("ca init-issuing", &err);
    printf("issuing CA key made; CSR for the root: %s/ca.csr\n", cli_get(opts, "data-dir"));
    return EXIT_OK;
}

static int ca_sign_ca(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"data-dir", "DIR", "the root CA's directory", NULL},
        {"csr", "FILE", "the issuing CA's CSR", NULL},
        {"out", "FILE", "where to write the issuing CA's certificate (PEM)", NULL},
        {"days", "N", "validity in days", "3650"},
        END_OPT,
    };
    int rc;
    if (parse("ca sign-ca", "The root signs an issuing CA's CSR (its passphrase from $PENCERE_CA_PASSPHRASE).",
              opts, argc, argv, &rc))
        return rc;
    long long days;
    if ((rc = need("ca sign-ca", opts, "data-dir")) || (rc = need("ca sign-ca", opts, "csr")) ||
        (rc = need("ca sign-ca", opts, "out")))
        return rc;
    if (pc_parse_int(cli_get(opts, "days"), 1, 36500, &days)) {
        fprintf(stderr, "pencere ca sign-ca: --days must be 1 to 36500\n");
        return EXIT_USAGE;
    }
    struct pc_err err = {0};
    if (pki_sign_ca(cli_get(opts, "data-dir"), cli_get(opts, "csr"), cli_get(opts, "out"), (int)days, &err))
        return failed("ca sign-ca", &err);
    printf("issuing CA certificate written to %s\n", cli_get(opts, "out"));
    return EXIT_OK;
}

static int ca_install(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DIR_OPT,
        {"cert", "FILE", "the issuing CA's certificate from sign-ca", NULL},
        {"root", "FILE", "the root's certificate", NULL},
        END_OPT,
    };
    int rc;
    if (parse("ca install", "Install the issuing CA's certificate and the root's in DIR, and make the OCSP\n"
                            "responder's and the TSA's keys and certificates.", opts, argc, argv, &rc))
        return rc;
    if ((rc = need("ca install", opts, "data-dir")) || (rc = need("ca install", opts, "cert")) ||
        (rc = need("ca install", opts, "root")))
        return rc;
    struct pc_err err = {0};
    if (pki_install_issuing(cli_get(opts, "data-dir"), cli_get(opts, "cert"), cli_get(opts, "root"), &err))
        return failed("ca install", &err);
    printf("issuing CA installed in %s\n", cli_get(opts, "data-dir"));
    return EXIT_OK;
}

static int ca_add_client(int argc, char **argv)
{
    struct cli_opt opts[] = {DIR_OPT, {"id", "ID", "the client's id (a-z 0-9 -)", NULL}, END_OPT};
    int rc;
    if (parse("ca add-client", "Make a shared secret for an RA client (e.g. the portal): DIR/clients/ID.key.\n"
                               "Give the client that file; restart the CA to load it.", opts, argc, argv, &rc))
        return rc;
    if ((rc = need("ca add-client", opts, "data-dir")) || (rc = need("ca add-client", opts, "id")))
        return rc;
    struct pc_err err = {0};
    const char *path;
    if (pki_client_add(cli_get(opts, "data-dir"), cli_get(opts, "id"), &path, &err))
        return failed("ca add-client", &err);
    printf("%s\n", path);
    return EXIT_OK;
}

/* ---- commands on an open CA ------------------------------------------- */

static struct pki_ca *open_ca(const char *cmd, struct cli_opt *opts, bool keys)
{
    if (need(cmd, opts, "data-dir"))
        return NULL;
    struct pc_err err = {0};
    const char *db = cli_get(opts, "db") ? cli_get(opts, "db") : getenv("PENCERE_DB");
    struct pki_ca *ca = pki_ca_open(cli_get(opts, "data-dir"), db, keys, &err);
    if (!ca)
        fprintf(stderr, "pencere %s: %s\n", cmd, err.msg);
    return ca;
}

/* The operator at the command line. */
static struct pki_actor operator_actor(char *buf, size_t n)
{
    const char *user = getenv("USER");
    snprintf(buf, n, "cli:%s", user && *user ? user : "operator");
    return (struct pki_actor){.role = PKI_ACTOR_OPERATOR, .id = buf, .ip = ""};
}

/* After a status change: publish the CRL now unless a serving node holds
 * the job (it then publishes within a second). */
static void publish_now(struct pki_ca *ca)
{
    struct pc_err err = {0};
    bool published;
    if (pki_crl_publish(ca, false, &published, &err))
        fprintf(stderr, "pencere ca: the CRL was not published now: %s\n", err.msg);
}

static int ca_issue(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DIR_OPT, DB_OPT,
        {"profile", "ID", "citizen, citizen-auth, representative, officer, gateway-auth, …", "citizen"},
        {"fin", "FIN", "the holder's FİN", NULL},
        {"name", "NAME", "the holder's name (default: the person on record, else the FİN)", NULL},
        {"voen", "VÖEN", "the legal entity's VÖEN", NULL},
        {"org", "ORG", "the legal entity's or agency's name", NULL},
        {"agency", "ID", "an officer's agency", NULL},
        {"service", "ID", "the e-service of a single-purpose certificate", NULL},
        {"state-body", NULL, "the organisation is a state body", NULL},
        {"csr", "FILE", "the holder's PKCS#10 CSR (PEM or DER)", NULL},
        {"p12", "FILE", "instead of a CSR: make the key and write a PKCS#12 here", NULL},
        {"p12-password-file", "FILE", "first line is the PKCS#12 password", NULL},
        {"key-type", "TYPE", "the PKCS#12's key: p256, p384, rsa2048, rsa3072", "p256"},
        END_OPT,
    };
    int rc;
    if (parse("ca issue", "Issue a certificate and print it (PEM).", opts, argc, argv, &rc))
        return rc;
    const char *csr_path = cli_get(opts, "csr"), *p12_path = cli_get(opts, "p12");
    if (!csr_path == !p12_path) {
        fprintf(stderr, "pencere ca issue: give --csr FILE or --p12 FILE\n");
        return EXIT_USAGE;
    }
    int kt = pki_key_type_parse(cli_get(opts, "key-type"));
    if (kt < 0) {
        fprintf(stderr, "pencere ca issue: unknown --key-type\n");
        return EXIT_USAGE;
    }
    struct pki_ca *ca = open_ca("ca issue", opts, true);
    if (!ca)
        return EXIT_FAIL;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct pki_holder h = {
        .fin = cli_get(opts, "fin"), .name = cli_get(opts, "name"), .voen = cli_get(opts, "voen"),
        .org = cli_get(opts, "org"), .agency = cli_get(opts, "agency"), .service = cli_get(opts, "service"),
        .state_body = cli_get(opts, "state-body") != NULL,
    };
    struct id_person person;
    if (!h.name && h.fin && id_person_get(pki_ca_db(ca), &a, h.fin, &person, NULL) == 0)
        h.name = pc_arena_printf(&a, "%s %s", person.first_name, person.last_name);
    if (!h.name)
        h.name = h.fin;
    char who_buf[96];
    struct pki_actor who = operator_actor(who_buf, sizeof who_buf);
    struct pki_cert out;
    char *data = NULL;
    size_t len = 0;
    const char *input = csr_path ? csr_path : cli_get(opts, "p12-password-file");
    if (!input) {
        rc = pc_err_set(&err, PC_EINVAL, "--p12 needs --p12-password-file");
    } else if (cli_read_file("ca issue", &a, input, PKI_CSR_MAX + 1, &data, &len)) {
        rc = pc_err_set(&err, PC_EINVAL, "no input");
        err.msg[0] = 0; /* cli_read_file said why */
    } else if (csr_path) {
        rc = pki_issue_csr(ca, &a, &who, cli_get(opts, "profile"), &h, data, len, "cli", &out, &err);
    } else {
        data[strcspn(data, "\r\n")] = 0;
        const unsigned char *p12;
        size_t n;
        rc = pki_issue_p12(ca, &a, &who, cli_get(opts, "profile"), &h, (enum pki_key_type)kt, data, "cli", &out, &p12,
                           &n, &err);
        FILE *o = rc ? NULL : fopen(p12_path, "wb");
        if (!rc && (!o || fwrite(p12, 1, n, o) != n || fclose(o) != 0))
            rc = pc_err_set(&err, PC_EIO, "cannot write %s", p12_path);
    }
    if (!rc)
        fputs(out.pem, stdout);
    pc_arena_release(&a);
    pki_ca_close(ca);
    if (rc && !err.msg[0])
        return EXIT_FAIL;
    return rc ? failed("ca issue", &err) : EXIT_OK;
}

/* suspend / resume / revoke SERIAL */
static int ca_change(const char *cmd, int argc, char **argv)
{
    bool revoke = strcmp(cmd, "ca revoke") == 0;
    struct cli_opt opts[] = {
        DIR_OPT, DB_OPT,
        {"serial", "HEX", "the certificate's serial number", NULL},
        {"reason", "REASON", "RFC 5280 reason: keyCompromise, affiliationChanged, superseded, …", "unspecified"},
        END_OPT,
    };
    int rc;
    if (parse(cmd, revoke ? "Revoke a certificate; the CRL is published at once." :
                   "Suspend (certificateHold) or resume a certificate.", opts, argc, argv, &rc))
        return rc;
    int reason = pki_reason_parse(cli_get(opts, "reason"));
    if ((rc = need(cmd, opts, "serial")))
        return rc;
    if (revoke && reason < 0) {
        fprintf(stderr, "pencere %s: unknown --reason (RFC 5280 names; certificateHold is `ca suspend`)\n", cmd);
        return EXIT_USAGE;
    }
    struct pki_ca *ca = open_ca(cmd, opts, true);
    if (!ca)
        return EXIT_FAIL;
    char who_buf[96];
    struct pki_actor who = operator_actor(who_buf, sizeof who_buf);
    struct pc_err err = {0};
    const char *serial = cli_get(opts, "serial");
    rc = revoke ? pki_revoke(ca, &who, serial, reason, &err)
         : strcmp(cmd, "ca suspend") == 0 ? pki_suspend(ca, &who, serial, &err) : pki_resume(ca, &who, serial, &err);
    if (!rc) {
        publish_now(ca);
        printf("%s: done\n", serial);
    }
    pki_ca_close(ca);
    return rc ? failed(cmd, &err) : EXIT_OK;
}

/* What an operator's command works with: the CA, an arena, the operator
 * (the logged-in user) and an error; op_end releases them and turns rc
 * into the exit code. */
struct op {
    struct pki_ca *ca;
    struct pc_arena a;
    char who_buf[96];
    struct pki_actor who;
    struct pc_err err;
};

static bool op_begin(struct op *o, const char *cmd, struct cli_opt *opts, bool keys)
{
    memset(o, 0, sizeof *o);
    o->ca = open_ca(cmd, opts, keys);
    if (!o->ca)
        return false;
    pc_arena_init(&o->a);
    o->who = operator_actor(o->who_buf, sizeof o->who_buf);
    return true;
}

static int op_end(struct op *o, const char *cmd, int rc)
{
    pc_arena_release(&o->a);
    pki_ca_close(o->ca);
    return rc ? failed(cmd, &o->err) : EXIT_OK;
}

static int ca_list(int argc, char **argv)
{
    struct cli_opt opts[] = {DIR_OPT, DB_OPT, {"fin", "FIN", "the holder's FİN", NULL},
                             {"voen", "VÖEN", "… or a legal entity's VÖEN", NULL}, END_OPT};
    int rc;
    if (parse("ca list", "List a holder's certificates: serial, profile, status, validity.", opts, argc, argv, &rc))
        return rc;
    struct op o;
    if (!op_begin(&o, "ca list", opts, false))
        return EXIT_FAIL;
    struct pki_cert *certs;
    size_t n;
    rc = pki_cert_list(o.ca, &o.a, &o.who, cli_get(opts, "fin"), cli_get(opts, "voen"), &certs, &n, &o.err);
    for (size_t i = 0; !rc && i < n; i++) {
        char nb[21], na[21];
        pc_rfc3339(certs[i].not_before, nb);
        pc_rfc3339(certs[i].not_after, na);
        printf("%s  %-20s %-9s %s .. %s  %s\n", certs[i].serial, certs[i].profile, pki_status_name(certs[i].status),
               nb, na, certs[i].subject);
    }
    return op_end(&o, "ca list", rc);
}

static int ca_publish_crl(int argc, char **argv)
{
    struct cli_opt opts[] = {DIR_OPT, DB_OPT, END_OPT};
    int rc;
    if (parse("ca publish-crl", "Publish a CRL now (unless a serving node holds the job).", opts, argc, argv, &rc))
        return rc;
    struct pki_ca *ca = open_ca("ca publish-crl", opts, true);
    if (!ca)
        return EXIT_FAIL;
    struct pc_err err = {0};
    bool published;
    rc = pki_crl_publish(ca, true, &published, &err);
    pki_ca_close(ca);
    if (rc)
        return failed("ca publish-crl", &err);
    printf(published ? "CRL published\n" : "a serving node publishes the CRL\n");
    return EXIT_OK;
}

static int ca_add_seal(int argc, char **argv)
{
    struct cli_opt opts[] = {
        DIR_OPT, DB_OPT,
        {"agency", "ID", "the agency's id in the catalogue (a-z 0-9 -)", NULL},
        {"name", "NAME", "the agency's name as its seal shows it", NULL},
        END_OPT,
    };
    int rc;
    if (parse("ca add-seal", "Make an agency's electronic seal: a key only the key process holds\n"
                             "(DIR/seals/ID.key) and its certificate (DIR/seals/ID.pem), with which the\n"
                             "agency's decisions are signed.", opts, argc, argv, &rc))
        return rc;
    if ((rc = need("ca add-seal", opts, "agency")) || (rc = need("ca add-seal", opts, "name")))
        return rc;
    struct op o;
    if (!op_begin(&o, "ca add-seal", opts, true))
        return EXIT_FAIL;
    struct pki_cert out;
    rc = pki_seal_add(o.ca, &o.a, &o.who, cli_get(opts, "agency"), cli_get(opts, "name"), &out, &o.err);
    if (!rc)
        fputs(out.pem, stdout);
    return op_end(&o, "ca add-seal", rc);
}

static int ca_keyd(int argc, char **argv)
{
    struct cli_opt opts[] = {DIR_OPT, {"fd", "N", "the socket to the CA process", NULL}, END_OPT};
    int rc;
    long long fd;
    if (parse("ca keyd", "(internal) The key process; the CA starts it itself.", opts, argc, argv, &rc))
        return rc;
    if (!cli_get(opts, "data-dir") || !cli_get(opts, "fd") || pc_parse_int(cli_get(opts, "fd"), 3, 1023, &fd))
        return EXIT_USAGE;
    return pki_keyd_main(cli_get(opts, "data-dir"), (int)fd);
}

/* ---- serve ------------------------------------------------------------- */

static int ca_serve(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"listen", "HOST:PORT", "address to listen on", "127.0.0.1:8090"},
        DIR_OPT, DB_OPT,
        {"threads", "N", "worker threads (0: twice the cores, at least 4)", NULL},
        {"max-connections", "N", "open connections at most", "1024"},
        {"timeout", "SECONDS", "close connections idle this long", "30"},
        {"log-level", "LEVEL", "debug, info, warn or error", "info"},
        {"mobile-answer-secs", "N", "a phone must answer a mobile-signature request within this", "60"},
        {"mobile-qr-secs", "N", "a QR code may be scanned and answered within this", "120"},
        END_OPT,
    };
    int rc;
    if (parse("ca serve", "Serve the CA: /ca/chain.pem, /ca/crl, /ca/ocsp, /ca/tsa and the RA API /ca/api/v1.",
              opts, argc, argv, &rc))
        return rc;
    struct http_config http = {.listen = cli_get(opts, "listen"), .log_requests = true};
    struct pc_err err = {0};
    if (http_listen_check(http.listen, &err)) {
        fprintf(stderr, "pencere ca serve: %s\n", err.msg);
        return EXIT_USAGE;
    }
    if (cli_set_log_level(cli_get(opts, "log-level")) ||
        cli_uint_opt(opts, "threads", 0, 256, &http.threads) ||
        cli_uint_opt(opts, "max-connections", 1, 100000, &http.max_connections) ||
        cli_uint_opt(opts, "timeout", 1, 3600, &http.timeout_secs))
        return EXIT_USAGE;
    struct mid_config mcfg;
    mid_config_defaults(&mcfg);
    unsigned answer_secs = (unsigned)mcfg.answer_secs, qr_secs = (unsigned)mcfg.qr_secs;
    if (cli_uint_opt(opts, "mobile-answer-secs", 1, 600, &answer_secs) ||
        cli_uint_opt(opts, "mobile-qr-secs", 1, 600, &qr_secs))
        return EXIT_USAGE;
    mcfg.answer_secs = (int)answer_secs;
    mcfg.qr_secs = (int)qr_secs;
    sigset_t set;
    cli_block_stop_signals(&set);
    struct pki_ca *ca = open_ca("ca serve", opts, true);
    if (!ca)
        return EXIT_FAIL;
    struct pki_api app = {.ca = ca, .clients = pki_clients_load(cli_get(opts, "data-dir"), &err)};
    if (!pki_clients_count(app.clients))
        pc_log(PC_LOG_WARN, "ca.no_clients", "reason", "no DIR/clients/*.key: the RA API refuses every request", NULL);
    struct pki_jobs *jobs = pki_jobs_start(ca, &err);
    /* the mobile signature lives in the CA role (docs/mobile.md) */
    struct mid_service *mid = jobs ? mid_service_new(ca, &mcfg, &err) : NULL;
    if (mid)
        mid_api_mount(mid, &app);
    pki_api_http_config(&app, &http);
    struct http_server *srv = mid ? http_start(&http, &err) : NULL;
    if (!srv) {
        fprintf(stderr, "pencere ca serve: %s\n", err.msg);
        mid_service_free(mid);
        pki_api_release(&app);
        pki_jobs_stop(jobs);
        pki_clients_free(app.clients);
        pki_ca_close(ca);
        return EXIT_FAIL;
    }
    app.http = srv;
    mid_service_started(mid, srv);
    if (pc_log_start_thread())
        pc_log(PC_LOG_WARN, "log.unbuffered", "reason", "no logger thread: each line is written by its caller", NULL);
    pc_log(PC_LOG_INFO, "ca.started", "listen", http.listen, "db", db_kind_name(pki_ca_db(ca)), NULL);
    int sig = 0;
    while (sigwait(&set, &sig) != 0 && errno == EINTR)
        ;
    pc_log(PC_LOG_INFO, "ca.stopping", "signal", sig == SIGTERM ? "TERM" : "INT", NULL);
    http_stop(srv, 10);
    mid_service_free(mid);
    pki_api_release(&app);
    pki_jobs_stop(jobs);
    pki_clients_free(app.clients);
    pki_ca_close(ca);
    pc_log(PC_LOG_INFO, "ca.stopped", NULL);
    pc_log_stop_thread();
    return EXIT_OK;
}

static int ca_suspend(int argc, char **argv)
{
    return ca_change("ca suspend", argc, argv);
}

static int ca_resume(int argc, char **argv)
{
    return ca_change("ca resume", argc, argv);
}

static int ca_revoke(int argc, char **argv)
{
    return ca_change("ca revoke", argc, argv);
}

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} subcommands[] = {
    {"init", ca_init, "make a whole demo hierarchy in one directory"},
    {"init-root", ca_init_root, "make a root CA (offline)"},
    {"init-issuing", ca_init_issuing, "make an issuing CA's key and CSR"},
    {"sign-ca", ca_sign_ca, "the root signs an issuing CA's CSR"},
    {"install", ca_install, "install the issuing CA's certificate; make the OCSP and TSA certificates"},
    {"serve", ca_serve, "serve the CA over HTTP"},
    {"issue", ca_issue, "issue a certificate from a CSR, or as a PKCS#12"},
    {"suspend", ca_suspend, "suspend a certificate (certificateHold)"},
    {"resume", ca_resume, "resume a suspended certificate"},
    {"revoke", ca_revoke, "revoke a certificate"},
    {"list", ca_list, "a holder's certificates"},
    {"publish-crl", ca_publish_crl, "publish a CRL now"},
    {"add-client", ca_add_client, "make an RA client's shared secret"},
    {"add-seal", ca_add_seal, "make an agency's electronic seal (its decisions are signed with it)"},
    {"keyd", ca_keyd, NULL},
};

int cmd_ca(int argc, char **argv)
{
    size_t n = sizeof subcommands / sizeof subcommands[0];
    for (size_t i = 0; argc > 0 && i < n; i++)
        if (strcmp(argv[0], subcommands[i].name) == 0)
            return subcommands[i].fn(argc - 1, argv + 1);
    FILE *f = argc > 0 && strcmp(argv[0], "--help") == 0 ? stdout : stderr;
    fprintf(f, "usage: pencere ca COMMAND [OPTIONS]\n\nThe certification centre.\n\ncommands:\n");
    for (size_t i = 0; i < n; i++)
        if (subcommands[i].help)
            fprintf(f, "  %-13s %s\n", subcommands[i].name, subcommands[i].help);
    return f == stdout ? EXIT_OK : EXIT_USAGE;
}

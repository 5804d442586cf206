/* portal_ca.c — the portal's link to the certification centre: the RA
 * client (--ca-url and --ca-key-file), the audit chain's head stamped by
 * the centre's TSA (a lease job), the same TSA as `admin audit-verify`'s
 * judge of kept stamps, and the demo's own CA run in this process under
 * its own address (made at first start in DATA_DIR/ca, the portal its RA
 * client, a seal for every agency a demo officer works in). */
#include "cli.h"
#include "../audit/audit.h"
#include "../http/http.h"
#include "../ecert/ecert.h"
#include "../pki/pki.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the TSA, for the audit module ------------------------------------ */

static int tsa_stamp(void *ctx, struct pc_arena *a, const unsigned char digest[32], const unsigned char **token,
                     size_t *len, int64_t *at, struct pc_err *err)
{
    struct cli_tsa *t = ctx;
    return pki_client_timestamp(t->client, a, digest, token, len, at, err);
}

/* A kept token checked against the centre's chain (fetched once). */
static int tsa_check(void *ctx, struct pc_arena *a, const unsigned char *token, size_t len,
                     const unsigned char digest[32], int64_t *at, struct pc_err *err)
{
    struct cli_tsa *t = ctx;
    if (!t->chain_pem) {
        const char *pem;
        size_t n;
        int rc = pki_chain_fetch(a, t->url, &pem, &n, err);
        if (rc)
            return rc;
        t->chain_pem = pem;
        t->chain_len = n;
    }
    return pki_tsa_check(a, t->chain_pem, t->chain_len, token, len, digest, at, err);
}

void cli_tsa_init(struct cli_tsa *t, const char *url, struct pki_client *client)
{
    memset(t, 0, sizeof *t);
    t->url = url;
    t->client = client;
    t->tsa = (struct audit_tsa){tsa_stamp, tsa_check, t};
}

/* ---- the portal's CA connection --------------------------------------- */

int cli_portal_ca_open(struct cli_portal_ca *pc, struct db *db, const char *url, const char *key_file,
                       int stamp_interval_ms, struct pc_err *err)
{
    pc->client = pki_client_open(url, key_file, err);
    if (!pc->client)
        return err->code;
    cli_tsa_init(&pc->tsa, pki_client_url(pc->client), pc->client);
    if (stamp_interval_ms > 0) {
        pc->stamper = audit_stamper_start(db, &pc->tsa.tsa, stamp_interval_ms, err);
        if (!pc->stamper) {
            pki_client_close(pc->client);
            pc->client = NULL;
            return err->code;
        }
    }
    return 0;
}

/* ---- the demo's CA, in this process ----------------------------------- */

/* A seal for each agency a demo officer decides for, and for each agency
 * that issues e-certificates (kept if it exists). */
static int demo_seals(struct pki_ca *ca, struct db *portal_db, struct pc_err *err)
{
    const char *ids[16 + ECERT_KIND_COUNT];
    size_t n = demo_officer_agencies(ids, 16);
    const char *issuers[ECERT_KIND_COUNT];
    size_t ni = ecert_agencies(issuers, ECERT_KIND_COUNT);
    for (size_t k = 0; k < ni; k++) {
        size_t j = 0;
        while (j < n && strcmp(ids[j], issuers[k]) != 0)
            j++;
        if (j == n)
            ids[n++] = issuers[k];
    }
    struct pki_actor who = {.role = PKI_ACTOR_OPERATOR, .id = "cli:demo", .ip = ""};
    for (size_t i = 0; i < n; i++) {
        struct pc_arena a;
        pc_arena_init(&a);
        struct cat_agency g;
        struct pki_cert cert;
        const char *name = cat_get_agency(portal_db, &a, ids[i], &g, NULL) == 0 ? g.name.s[PC_LANG_AZ] : ids[i];
        int rc = pki_seal_add(ca, &a, &who, ids[i], name, &cert, err);
        pc_arena_release(&a);
        if (rc && rc != PC_ECONFLICT)
            return rc;
    }
    return 0;
}

/* Serve the CA's routes on listen (the CA itself is put in later, see below). */
static int demo_ca_listen(struct cli_portal_ca *pc, const char *listen, struct pc_err *err)
{
    struct http_config cfg = {.listen = listen, .log_requests = true};
    pki_api_http_config(&pc->api, &cfg);
    pc->http = http_start(&cfg, err);
    if (!pc->http)
        return err->code;
    pc->api.http = pc->http;
    return 0;
}

int cli_demo_ca_start(struct cli_portal_ca *pc, const char *data_dir, const char *listen, struct db *portal_db,
                      int stamp_interval_ms, struct pc_err *err)
{
    char dir[PATH_MAX], json[PATH_MAX + 16], key[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/ca", data_dir);
    snprintf(json, sizeof json, "%s/ca.json", dir);
    snprintf(key, sizeof key, "%s/clients/portal.key", dir);
    /* Port 0 (any free port, e.g. tests): bound first, so the CA's URL is
     * known; no one can ask it anything before that port is printed.  A
     * fixed port is bound only once the CA is open. */
    int rc;
    const char *colon = strrchr(listen, ':');
    bool any_port = colon && strcmp(colon, ":0") == 0;
    if (any_port && (rc = demo_ca_listen(pc, listen, err)))
        return rc;
    const char *url = any_port ? pc_arena_printf(&pc->arena, "http://%.*s:%u", (int)(colon - listen), listen,
                                                 http_port(pc->http))
                               : pc_arena_printf(&pc->arena, "http://%s", listen);
    pc->url = url;
    struct stat st;
    if (stat(json, &st) != 0) {
        /* the URLs written into the certificates are those of this first start */
        struct pki_init_opts o = {.name = "Pəncərə Demo Issuing CA", .org = "Milli Sertifikat Xidmətləri Mərkəzi",
                                  .key_type = PKI_KEY_P256, .public_url = url};
        const char *path;
        rc = pki_init_demo(dir, &o, err);
        if (!rc)
            rc = pki_client_add(dir, "portal", &path, err);
        if (rc)
            return rc;
    }
    struct pki_ca *ca = pki_ca_open(dir, NULL, true, err);
    if (!ca)
        return err->code;
    if ((rc = demo_seals(ca, portal_db, err))) {
        pki_ca_close(ca);
        return rc;
    }
    struct pki_clients *clients = pki_clients_load(dir, err);
    pc->jobs = pki_jobs_start(ca, err);
    if (!pc->jobs) {
        pki_clients_free(clients);
        pki_ca_close(ca);
        return err->code;
    }
    pc->api.clients = clients;
    pc->api.ca = ca;
    pc->ca = ca;
    if (!any_port && (rc = demo_ca_listen(pc, listen, err)))
        return rc;
    return cli_portal_ca_open(pc, portal_db, url, key, stamp_interval_ms, err);
}

void cli_portal_ca_close(struct cli_portal_ca *pc)
{
    audit_stamper_stop(pc->stamper);
    pki_client_close(pc->client);
    if (pc->http)
        http_stop(pc->http, 10);
    pki_api_release(&pc->api);   /* the route table pki_api_http_config made */
    pki_jobs_stop(pc->jobs);
    pki_clients_free(pc->api.clients);
    if (pc->ca)
        pki_ca_close(pc->ca);
    pc_arena_release(&pc->arena);
    memset(pc, 0, sizeof *pc);
}

/* oidc_ca.c — the portal's OpenID Connect signing keys certified by our
 * certification centre: the certifier src/oidc calls with each new key's
 * CSR, as a client of `pencere ca serve`'s RA API (a request signed with
 * the client's shared secret, docs/pki.md).  The key is certified under
 * the "member-sign" profile (an organisation's signing certificate) for
 * the portal's operator; the chain handed back is the key's certificate
 * and then the CA's (/ca/chain.pem). */
#include "cli.h"
#include "oidc_ca.h"
#include "../oidc/oidc.h"
#include "../pki/pki.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CA_TARGET "/ca/api/v1/certificates"

int cli_oidc_certify(void *ctx, struct pc_arena *a, const char *csr_pem, const char **chain_pem,
                     struct pc_err *err)
{
    const struct cli_oidc_ca *ca = ctx;
    json_t *j = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:b}}", "profile", "member-sign", "csr", csr_pem, "holder",
                          "voen", ca->voen, "org", ca->org, "name", "OpenID Connect", "state_body", 1);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return pc_err_set(err, PC_EIO, "cannot build the certificate request");
    const char *body = pc_arena_strdup(a, text);
    free(text);
    int64_t ts = pc_now_unix();
    struct pki_actor nobody = {0}; /* the portal itself asks: the CA records client:ID as an operator */
    char sig[48];
    if (pki_auth_sign(ca->secret_hex, "POST", CA_TARGET, ts, &nobody, NULL, body, strlen(body), sig))
        return pc_err_set(err, PC_EINVAL, "the CA client's secret must be 64 hex digits");
    const char *hdrs[] = {"Content-Type: application/json",
                          pc_arena_printf(a, "Authorization: PC-HMAC-SHA256 client=%s, ts=%lld, sig=%s", ca->client,
                                          (long long)ts, sig),
                          NULL};
    struct cli_request q = {.url = pc_arena_printf(a, "%s%s", ca->url, CA_TARGET), .body = body, .headers = hdrs};
    long status;
    char *answer, *chain;
    size_t len, chain_len;
    int rc = cli_fetch(a, &q, &status, &answer, &len, err);
    if (rc)
        return rc;
    json_t *cert = json_loadb(answer, len, 0, NULL);
    const char *pem = status == 201 ? json_string_value(json_object_get(cert, "pem")) : NULL;
    const char *why = json_string_value(json_object_get(cert, "detail"));
    if (pem)
        pem = pc_arena_strdup(a, pem);
    else
        rc = pc_err_set(err, status >= 500 ? PC_EUNAVAIL : PC_EDENIED, "the CA refused the signing key (%ld): %s",
                        status, why ? why : "no detail");
    json_decref(cert);
    if (rc)
        return rc;
    struct cli_request cq = {.url = pc_arena_printf(a, "%s/ca/chain.pem", ca->url)};
    if ((rc = cli_fetch(a, &cq, &status, &chain, &chain_len, err)))
        return rc;
    if (status != 200 || !strstr(chain, "-----BEGIN CERTIFICATE-----"))
        return pc_err_set(err, PC_EUNAVAIL, "the CA's chain could not be read (%ld)", status);
    *chain_pem = pc_arena_printf(a, "%s%s", pem, chain);
    pc_log(PC_LOG_INFO, "oidc.key_certified", "ca", ca->url, NULL);
    return 0;
}

/* ---- the options ---------------------------------------------------------------- */

const struct cli_opt cli_oidc_ca_opts[] = {
    {"oidc-ca-url", "URL", "certify the OpenID Connect signing keys at this certification centre (its RA API)", NULL},
    {"oidc-ca-client", "ID", "the portal's RA client id at the certification centre", "portal"},
    {"oidc-ca-secret-file", "FILE", "file whose first line is that client's shared secret (64 hex digits)", NULL},
    {"oidc-ca-voen", "VOEN", "the portal operator's VÖEN, the holder of the signing keys' certificates", NULL},
    {"oidc-ca-org", "NAME", "the portal operator's name, as in its certificates", NULL},
    {NULL, NULL, NULL, NULL},
};

int cli_secret_line(const char *opt, const char *path, const char **out)
{
    static struct pc_arena a;
    char *s;
    size_t n;
    if (cli_read_file("pencere", &a, path, 4096, &s, &n))
        return EXIT_USAGE;
    s[strcspn(s, "\r\n")] = 0;
    if (!*s) {
        fprintf(stderr, "pencere: --%s: %s has an empty first line\n", opt, path);
        return EXIT_USAGE;
    }
    *out = s;
    return 0;
}

int cli_oidc_ca_read(struct cli_opt *opts, struct cli_oidc_ca *ca, struct oidc_config *cfg)
{
    ca->url = cli_get(opts, "oidc-ca-url");
    if (!ca->url)
        return 0;
    ca->client = cli_get(opts, "oidc-ca-client");
    ca->voen = cli_get(opts, "oidc-ca-voen");
    ca->org = cli_get(opts, "oidc-ca-org");
    const char *secret = cli_get(opts, "oidc-ca-secret-file");
    if (!secret || !ca->voen || !ca->org) {
        fprintf(stderr, "pencere: --oidc-ca-url needs --oidc-ca-secret-file, --oidc-ca-voen and --oidc-ca-org\n");
        return EXIT_USAGE;
    }
    int rc = cli_secret_line("oidc-ca-secret-file", secret, &ca->secret_hex);
    if (rc)
        return rc;
    cfg->certify = cli_oidc_certify;
    cfg->certify_ctx = ca;
    return 0;
}

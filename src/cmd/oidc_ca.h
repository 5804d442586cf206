/* oidc_ca.h — the certifier of the portal's OpenID Connect signing keys
 * (oidc_ca.c): a client of the certification centre's RA API. */
#ifndef PC_CMD_OIDC_CA_H
#define PC_CMD_OIDC_CA_H

#include "../base/base.h"

struct cli_oidc_ca {
    const char *url;           /* the CA role's base URL (its --public-url), no trailing slash */
    const char *client;        /* the RA client id (`pencere ca add-client --id`) */
    const char *secret_hex;    /* its shared secret (DIR/clients/ID.key on the CA) */
    const char *voen, *org;    /* the portal's operator, the certificates' holder */
};

/* The options that name the CA (--oidc-ca-url, -client, -secret-file,
 * -voen, -org), NULL-terminated, for a command's own table. */
struct cli_opt;
extern const struct cli_opt cli_oidc_ca_opts[];
struct oidc_config;
/* Read them from opts into ca; with --oidc-ca-url, cfg's keys are then
 * certified there.  EXIT_USAGE after a message when one is missing. */
int cli_oidc_ca_read(struct cli_opt *opts, struct cli_oidc_ca *ca, struct oidc_config *cfg);
/* The first line of a small secret file (kept for the process's life);
 * EXIT_USAGE after a message naming --opt when it is empty or unreadable. */
int cli_secret_line(const char *opt, const char *path, const char **out);

/* An oidc_certify_fn: ctx is a struct cli_oidc_ca. */
int cli_oidc_certify(void *ctx, struct pc_arena *a, const char *csr_pem, const char **chain_pem,
                     struct pc_err *err);

#endif

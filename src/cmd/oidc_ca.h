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

/* An oidc_certify_fn: ctx is a struct cli_oidc_ca. */
int cli_oidc_certify(void *ctx, struct pc_arena *a, const char *csr_pem, const char **chain_pem,
                     struct pc_err *err);

#endif

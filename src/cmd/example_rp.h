/* example_rp.h — the example agency site (example_rp.c): run alone by
 * `pencere example-rp`, or beside the portal by `pencere demo`. */
#ifndef PC_CMD_EXAMPLE_RP_H
#define PC_CMD_EXAMPLE_RP_H

#include "../base/base.h"

struct example_rp_config {
    const char *listen;        /* HOST:PORT */
    const char *issuer;        /* the portal's --oidc-issuer */
    const char *client_id, *secret;
    const char *public_url;    /* NULL: http://LISTEN */
};

struct example_rp;

/* Serve the site (the portal is asked for its endpoints at the first
 * sign-in, so it may start later).  NULL with err when it cannot listen. */
struct example_rp *example_rp_start(const struct example_rp_config *c, struct pc_err *err);
void example_rp_stop(struct example_rp *rp);
/* The site's address as browsers see it: its redirect URI is this +
 * "/callback", its post-logout URI this + "/", its back-channel logout
 * URI this + "/backchannel-logout". */
const char *example_rp_public_url(const struct example_rp_config *c);

/* The demo's registration of the site (client "tax-cabinet-PORT" of the
 * Ministry of Taxes, pairwise subjects), made once: its secret is kept in
 * DIR/tax-cabinet-PORT.secret.  Fills c->client_id and c->secret. */
struct db;
int example_rp_demo_client(struct db *db, const char *dir, struct example_rp_config *c, struct pc_arena *a,
                           struct pc_err *err);

int cmd_example_rp(int argc, char **argv);

#endif

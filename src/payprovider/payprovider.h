/*
 * payprovider.h — `pencere payprovider`: an emulator of a bank/acquirer
 * that speaks the acquirer protocol of docs/payments.md.  Its own small
 * state in memory (payments, refunds), a card page with test cards
 * (success, decline, a 3-D Secure challenge, a timeout, duplicate and
 * out-of-order callbacks), signed callbacks to the portal and the daily
 * settlement file.  No tables: nothing here is kept across a restart,
 * as befits a test double.
 */
#ifndef PC_PAYPROVIDER_H
#define PC_PAYPROVIDER_H

#include "../base/base.h"

/* The test cards (docs/payments.md). */
#define PP_CARD_SUCCESS "4242424242424242"
#define PP_CARD_DECLINE "4000000000000002"
#define PP_CARD_3DS "4000000000003220"       /* asks for a code: 123456 passes, anything else fails */
#define PP_CARD_TIMEOUT "4000000000000119"   /* the bank never answers: no final callback */
#define PP_CARD_TWICE "4000000000000259"     /* success, every callback delivered twice */
#define PP_CARD_REORDER "4000000000000267"   /* success, the final callback first, the earlier ones after */
#define PP_3DS_CODE "123456"

struct pp_config {
    const char *listen;             /* "127.0.0.1:8090" */
    const char *public_url;         /* how payers reach it; NULL: http://LISTEN */
    const char *api_key;            /* what the portal sends as a bearer token */
    const char *secret;             /* the callbacks' shared secret */
    bool plant_mismatch;            /* the settlement file says 1 AZN more for its first success */
    long callback_timeout_ms;
};

struct pp_server;

struct pp_server *pp_start(const struct pp_config *cfg, struct pc_err *err);
/* The address payers and the portal use. */
const char *pp_url(const struct pp_server *s);
void pp_stop(struct pp_server *s);

#endif

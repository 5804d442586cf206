/* internal.h — shared inside src/payprovider: the emulator's state. */
#ifndef PC_PP_INTERNAL_H
#define PC_PP_INTERNAL_H

#include "payprovider.h"
#include "../http/http.h"
#include "../pay/pay.h"

#include <pthread.h>

#define PP_MAX_PAYMENTS 100000

/* How the card asked for callbacks to be delivered. */
enum pp_delivery { PP_DELIVER_NORMAL, PP_DELIVER_TWICE, PP_DELIVER_REORDER };

struct pp_payment {
    char id[40], reference[72], description[160];
    char return_url[512], callback_url[512];
    int64_t amount, refunded, created_at;
    enum pay_status status;
    int events;                     /* callbacks made so far (their ids) */
};

struct pp_server {
    struct pp_config cfg;           /* its strings point into the copies below */
    char api_key[160], secret[160], public_url[256];
    char url[256];
    struct http_server *http;
    pthread_mutex_t lock;
    struct pp_payment *payments;    /* in order of creation */
    size_t n;
};

/* Find by the provider's id; the caller holds s->lock. */
struct pp_payment *pp_find(struct pp_server *s, const char *id);
/* Move a payment through statuses and send the callbacks (outside the lock). */
void pp_finish(struct pp_server *s, const char *id, enum pay_status final, enum pp_delivery how);

int pp_card_page(struct http_req *r);
int pp_card_post(struct http_req *r);
int pp_3ds_post(struct http_req *r);
int pp_done_page(struct http_req *r);
int pp_api_create(struct http_req *r);
int pp_api_refund(struct http_req *r);
int pp_api_settlement(struct http_req *r);

static inline struct pp_server *pp_of(struct http_req *r)
{
    return r->app;
}

#endif

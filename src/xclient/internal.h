/* internal.h — what the files of src/xclient share: the configuration
 * as read (conf.c) and the client that holds it (xclient.c). */
#ifndef PC_XCLIENT_INTERNAL_H
#define PC_XCLIENT_INTERNAL_H

#include "xclient.h"
#include "../exchange/exchange.h"

#include <pthread.h>

#define XC_URL_MAX 512
#define XC_MAX_SERVICES 32
#define XC_FILE_MAX (64 << 10)   /* a configuration file larger than this is refused */

/* What the portal needs to call its gateway; immutable once made, so a
 * request thread reads it without the lock. */
struct xc_conf {
    char gateway[XC_URL_MAX + 1];
    char client[XR_ID_MAX + 1];
    size_t nservices;
    struct {
        char kind[XC_KIND_MAX + 1];
        char service[XR_ID_MAX + 1];
    } services[XC_MAX_SERVICES];
};

struct xc {
    pthread_mutex_t lock;
    struct xc_conf *conf;     /* NULL until complete (the file read) */
    struct xc_conf opts;      /* what the options said ("" where they said nothing) */
    char *file;               /* NULL: no file */
    int timeout_ms;
    size_t max_body;
};

/* Check an option's gateway URL or client id into conf (NULL: leave ""). */
int xc_conf_set(struct xc_conf *conf, const char *gateway, const char *client, struct pc_err *err);
/* The configuration to use: the options, completed by the file when
 * there is one (read now if not yet read).  PC_EUNAVAIL while the file
 * is absent. */
int xc_conf_get(struct xc *x, const struct xc_conf **out, struct pc_err *err);

#endif

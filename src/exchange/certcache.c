/* certcache.c — signers' certificates a gateway has checked.  Every
 * message carries its signer's certificate (DER); reading it and checking
 * its chain against the configuration's CA cost more than the signature
 * itself, and the same few certificates come again and again.  A checked
 * certificate is remembered by the SHA-256 of its DER together with the
 * digest of the CA chain it was checked against and the time window in
 * which that chain is valid (the latest notBefore and the earliest
 * notAfter of its certificates); a hit within the window under the same
 * CA is the same answer X509_verify_cert would give.  Revocation is not
 * remembered here: every message still carries a fresh OCSP answer,
 * checked by ocsp.c. */
#include "internal.h"

#include <string.h>

#define CERT_SLOTS 256

struct cert_slot {
    unsigned char der_md[32], trust_md[32];
    X509 *x;                           /* parsed, owned by the slot */
    int64_t not_before, not_after;     /* the chain's common window */
};

struct xr_cert_cache {
    pthread_mutex_t lock;
    struct cert_slot slots[CERT_SLOTS];
};

struct xr_cert_cache *xr_cert_cache_new(void)
{
    struct xr_cert_cache *c = calloc(1, sizeof *c);
    if (!c)
        pc_oom(sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void xr_cert_cache_free(struct xr_cert_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < CERT_SLOTS; i++)
        X509_free(c->slots[i].x);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

X509 *xr_cert_cache_get(struct xr_cert_cache *c, const struct xr_gconf *gc, const unsigned char *der, size_t len,
                        int64_t now, struct pc_err *err)
{
    unsigned char md[32];
    xr_sha256(der, len, md);
    struct cert_slot *s = &c->slots[pc_fnv1a(md, sizeof md) % CERT_SLOTS];
    X509 *x = NULL;
    pthread_mutex_lock(&c->lock);
    if (s->x && memcmp(s->der_md, md, 32) == 0 && memcmp(s->trust_md, gc->ca_md, 32) == 0 &&
        now >= s->not_before && now <= s->not_after && X509_up_ref(s->x))
        x = s->x;
    pthread_mutex_unlock(&c->lock);
    if (x)
        return x;
    if (!(x = xr_cert_from_der(der, len))) {
        pc_err_set(err, PC_EDENIED, "the signer's certificate is not DER");
        return NULL;
    }
    int64_t window[2];
    if (xr_chain_check(gc->store, x, now, window, err)) {
        X509_free(x);
        return NULL;
    }
    X509_up_ref(x);
    pthread_mutex_lock(&c->lock);
    X509_free(s->x);
    *s = (struct cert_slot){.x = x, .not_before = window[0], .not_after = window[1]};
    memcpy(s->der_md, md, 32);
    memcpy(s->trust_md, gc->ca_md, 32);
    pthread_mutex_unlock(&c->lock);
    return x;
}

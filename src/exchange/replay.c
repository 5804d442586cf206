/* replay.c — the provider side remembers the hashes of the requests it
 * accepted for a while (longer than a gateway's authentication may be off
 * the clock), so the same signed request sent again is refused
 * (DuplicateMessage) rather than executed twice.  A fixed open-addressing
 * table: an old entry is simply overwritten. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define SLOTS 65536
#define WINDOW 900 /* seconds: three times the accepted clock skew */

struct entry {
    unsigned char h[32];
    int64_t at;
};

struct xr_replay {
    pthread_mutex_t lock;
    struct entry e[SLOTS];
};

struct xr_replay *xr_replay_new(void)
{
    struct xr_replay *r = calloc(1, sizeof *r);
    if (!r)
        pc_oom(sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    return r;
}

void xr_replay_free(struct xr_replay *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r);
}

bool xr_replay_seen(struct xr_replay *r, const char *hash, int64_t now)
{
    unsigned char h[32];
    xr_sha256(hash, strlen(hash), h);
    uint32_t i = pc_fnv1a(h, sizeof h) % SLOTS;
    bool seen = false;
    pthread_mutex_lock(&r->lock);
    /* look at a few slots; the first free or stale one takes the new hash */
    int free_slot = -1;
    for (int k = 0; k < 4; k++) {
        struct entry *e = &r->e[(i + (uint32_t)k) % SLOTS];
        bool live = e->at && now - e->at < WINDOW;
        if (live && memcmp(e->h, h, 32) == 0) {
            seen = true;
            break;
        }
        if (!live && free_slot < 0)
            free_slot = (int)((i + (uint32_t)k) % SLOTS);
    }
    if (!seen) {
        struct entry *e = &r->e[free_slot >= 0 ? (uint32_t)free_slot : i];
        memcpy(e->h, h, 32);
        e->at = now;
    }
    pthread_mutex_unlock(&r->lock);
    return seen;
}

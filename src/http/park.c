/* park.c — long polls: a request waits for an event with its connection
 * suspended, so a thousand waiting clients hold no thread.  A parked
 * request is woken by a key (http_wake), or by its deadline (the
 * connection watchdog looks every 200 ms), or when the server stops; then
 * its done function answers on a server thread, as after deferred work.
 *
 * The list is the one place that knows a parked request: whoever takes
 * an entry out of it under the lock resumes the connection, exactly once,
 * so a wake and a deadline at the same moment cannot both resume it. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct http_parked {
    struct http_req *r;
    char *key;
    int64_t deadline_usec;
    struct http_parked *next;
};

void http__park_init(struct http_parking *p)
{
    pthread_mutex_init(&p->lock, NULL);
}

void http__park_release(struct http_parking *p)
{
    pthread_mutex_destroy(&p->lock);
}

int http_park(struct http_req *r, const char *key, int64_t wait_ms, int (*done)(struct http_req *r))
{
    struct http_parking *p = &r->server->parking;
    struct http_parked *e = calloc(1, sizeof *e);
    char *k = e ? strdup(key) : NULL;
    r->woken = false;
    pthread_mutex_lock(&p->lock);
    if (!k || p->stopping || wait_ms <= 0) {
        pthread_mutex_unlock(&p->lock);
        free(e);
        free(k);
        return done(r); /* nothing to wait for: answer now */
    }
    e->r = r;
    e->key = k;
    e->deadline_usec = pc_mono_usec() + wait_ms * 1000;
    e->next = p->head;
    p->head = e;
    p->count++;
    r->deferred_done = done;
    r->deferred = true;
    MHD_suspend_connection(r->conn);
    pthread_mutex_unlock(&p->lock);
    return HTTP_DEFERRED;
}

/* Take out (and resume) every entry for which pick() says so; under the
 * lock, so each is resumed once. */
static unsigned resume_where(struct http_server *s, bool (*pick)(const struct http_parked *e, const void *arg),
                             const void *arg, bool woken)
{
    struct http_parking *p = &s->parking;
    unsigned n = 0;
    pthread_mutex_lock(&p->lock);
    for (struct http_parked **pp = &p->head; *pp;) {
        struct http_parked *e = *pp;
        if (!pick(e, arg)) {
            pp = &e->next;
            continue;
        }
        *pp = e->next;
        p->count--;
        e->r->woken = woken;
        MHD_resume_connection(e->r->conn);
        free(e->key);
        free(e);
        n++;
    }
    pthread_mutex_unlock(&p->lock);
    return n;
}

static bool key_is(const struct http_parked *e, const void *arg)
{
    return strcmp(e->key, arg) == 0;
}

unsigned http_wake(struct http_server *s, const char *key)
{
    return s && key ? resume_where(s, key_is, key, true) : 0;
}

static bool past(const struct http_parked *e, const void *arg)
{
    return e->deadline_usec <= *(const int64_t *)arg;
}

void http__park_expire(struct http_server *s, int64_t now_usec)
{
    resume_where(s, past, &now_usec, false);
}

static bool any(const struct http_parked *e, const void *arg)
{
    (void)e;
    (void)arg;
    return true;
}

void http__park_stop(struct http_server *s)
{
    pthread_mutex_lock(&s->parking.lock);
    s->parking.stopping = true;
    pthread_mutex_unlock(&s->parking.lock);
    resume_where(s, any, NULL, false);
}

size_t http_parked_keys(struct http_server *s, struct pc_arena *a, const char *prefix, const char ***out)
{
    struct http_parking *p = &s->parking;
    size_t plen = prefix ? strlen(prefix) : 0, n = 0;
    pthread_mutex_lock(&p->lock);
    const char **keys = pc_arena_array(a, p->count ? p->count : 1, sizeof *keys);
    for (struct http_parked *e = p->head; e; e = e->next)
        if (!plen || strncmp(e->key, prefix, plen) == 0)
            keys[n++] = pc_arena_strdup(a, e->key);
    pthread_mutex_unlock(&p->lock);
    *out = keys;
    return n;
}

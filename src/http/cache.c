/* cache.c — the micro-cache: a small hash table of recent public answers.
 * With cache_ms of a second, a page under load is rendered about once a
 * second per node instead of for every request; the catalogue it shows
 * changes only on import, so a second's delay is the whole cost.  Each key
 * has one slot (a collision replaces the older answer), the text of an
 * answer is gzipped once when stored, and the whole cache is bounded. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_MAX_BYTES (16 * 1024 * 1024)
#define CACHE_MAX_ANSWER (256 * 1024)

void http__cache_init(struct http_cache *c)
{
    pthread_mutex_init(&c->lock, NULL);
}

void http__cache_release(struct http_cache *c)
{
    for (int i = 0; i < HTTP_CACHE_SLOTS; i++) {
        free(c->slots[i].key);
        free(c->slots[i].body);
        free(c->slots[i].gz);
    }
    pthread_mutex_destroy(&c->lock);
}

static struct http_cache_entry *slot(struct http_cache *c, const char *key)
{
    return &c->slots[pc_fnv1a(key, strlen(key)) % HTTP_CACHE_SLOTS];
}

const char *http__cache_key(struct http_req *r, const struct http_route *rt)
{
    const struct http_config *cfg = &r->server->cfg;
    if (!(rt->flags & HTTP_ROUTE_CACHE) || !cfg->cache_key || !cfg->cache_ms || r->session ||
        (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0))
        return NULL;
    const char *extra = cfg->cache_key(r);
    return extra ? pc_arena_printf(&r->arena, "%s|%s", r->raw_uri, extra) : NULL;
}

bool http__cache_get(struct http_req *r, const char *key)
{
    struct http_cache *c = &r->server->cache;
    struct http_cache_entry *e = slot(c, key);
    bool hit = false;
    pthread_mutex_lock(&c->lock);
    if (e->key && strcmp(e->key, key) == 0 && e->expires_usec > pc_mono_usec()) {
        pc_buf_reset(&r->out);
        /* compressed once when stored, not again for every browser */
        r->gzipped = e->gz && !r->no_gzip && http__accepts_gzip(r);
        hit = (r->gzipped ? pc_buf_append(&r->out, e->gz, e->gzlen) : pc_buf_append(&r->out, e->body, e->len)) == 0;
        r->content_type = e->content_type;
        r->status = 200;
    }
    pthread_mutex_unlock(&c->lock);
    if (hit)
        atomic_fetch_add(&c->hits, 1);
    return hit;
}

void http__cache_put(struct http_req *r, const char *key)
{
    if (r->status != 200 || r->headers || r->out.toobig || r->out.len > CACHE_MAX_ANSWER)
        return; /* only plain answers: nothing that sets a cookie or a header */
    struct http_cache *c = &r->server->cache;
    char *k = strdup(key), *body = malloc(r->out.len ? r->out.len : 1);
    if (!k || !body) {
        free(k);
        free(body);
        return;
    }
    memcpy(body, r->out.data, r->out.len);
    size_t gzlen = 0;
    char *gz = NULL;
    if (r->out.len >= 512 && http__is_text(r->content_type)) {
        struct pc_buf z;
        pc_buf_init(&z, r->out.len);
        if (http__gzip(r->out.data, r->out.len, &z) == 0)
            gz = pc_buf_steal(&z, &gzlen);
        pc_buf_release(&z);
    }
    struct http_cache_entry *e = slot(c, key);
    pthread_mutex_lock(&c->lock);
    size_t old_size = e->key ? e->len + e->gzlen : 0, new_size = r->out.len + gzlen;
    if (c->bytes - old_size + new_size > CACHE_MAX_BYTES) {
        pthread_mutex_unlock(&c->lock); /* full: serve without keeping */
        free(k);
        free(body);
        free(gz);
        return;
    }
    c->bytes = c->bytes - old_size + new_size;
    char *old_key = e->key, *old_body = e->body, *old_gz = e->gz;
    e->key = k;
    e->body = body;
    e->len = r->out.len;
    e->gz = gz;
    e->gzlen = gzlen;
    e->content_type = r->content_type;
    e->expires_usec = pc_mono_usec() + (int64_t)r->server->cfg.cache_ms * 1000;
    pthread_mutex_unlock(&c->lock);
    free(old_key);
    free(old_body);
    free(old_gz);
}

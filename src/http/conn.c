/* conn.c — connections, so that one client cannot hold them all (nginx's
 * limit_conn and client_header_timeout, Apache's mod_reqtimeout):
 *
 *  - each client address gets a share of the connections: a direct peer
 *    is counted per TCP connection from accept to close, and over its
 *    share (not counting connections the client has closed already) the
 *    new connection is closed at once; behind a trusted proxy (which
 *    carries everyone) each request in progress is counted under the
 *    client the proxy names (request.c asks http__share_take);
 *  - each connection has a deadline for the request in progress: its head
 *    within header_timeout of the connection being ready, its body within
 *    body_timeout plus a second per HTTP_BODY_MIN_RATE bytes.  A header
 *    line every few seconds resets libmicrohttpd's idle timeout, never
 *    this.  A watchdog thread shuts down the socket of a connection past
 *    its deadline; libmicrohttpd then sees the end of the stream and
 *    closes it on its own thread as if the client had left.
 *
 * The connection list and the share table are under one lock.  A
 * connection leaves the list in libmicrohttpd's "closed" notice, which
 * comes before the socket is closed, so the watchdog never touches a
 * socket number that was closed and reused. */
#include "internal.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WATCH_EVERY_MS 200

struct http_conn {
    int fd;
    struct http_addr peer;
    bool trusted;                /* the peer is a trusted proxy */
    bool https;                  /* the server is reached over HTTPS (--https) */
    bool counted;                /* holds a share of its address */
    bool ended;                  /* shut down by us (over the share or past the deadline) */
    _Atomic int64_t deadline;    /* monotonic usec; 0: none now */
    struct http_conn *prev, *next;
};

/* Connections (or requests) held per address; a /64 for IPv6. */
struct http_share {
    struct http_addr key;
    unsigned n;
    struct http_share *next;
};

static struct http_addr share_key(const struct http_addr *a)
{
    struct http_addr k = *a;
    if (!http_addr_is_v4(a))
        memset(k.b + 8, 0, 8); /* one IPv6 client usually has a whole /64 */
    return k;
}

static struct http_share **share_slot(struct http_conns *cs, const struct http_addr *k)
{
    struct http_share **p = &cs->shares[pc_fnv1a(k->b, sizeof k->b) % HTTP_SHARE_BUCKETS];
    while (*p && memcmp((*p)->key.b, k->b, sizeof k->b) != 0)
        p = &(*p)->next;
    return p;
}

/* Whether the client has closed its end already, and the connection only
 * waits for libmicrohttpd to notice (a busy server notices late). */
static bool peer_left(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    return fd >= 0 && getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_state == TCP_CLOSE_WAIT;
}

/* Connections of the share key k whose client has gone: they hold
 * nothing, so a client that closes and reconnects quickly is not refused
 * for connections it no longer has.  Only asked when a share is full. */
static unsigned departed_locked(struct http_conns *cs, const struct http_addr *k)
{
    unsigned n = 0;
    for (struct http_conn *c = cs->head; c; c = c->next) {
        struct http_addr ck = share_key(&c->peer);
        if (c->counted && memcmp(ck.b, k->b, sizeof k->b) == 0 && peer_left(c->fd))
            n++;
    }
    return n;
}

/* Call with the lock held; tcp: a (not a request through a
 * proxy) wants a share. */
static bool share_take_locked(struct http_server *s, const struct http_addr *a, bool tcp)
{
    unsigned limit = s->cfg.per_ip_connections;
    if (!limit)
        return true;
    struct http_addr k = share_key(a);
    struct http_share **p = share_slot(&s->conns, &k);
    if (!*p) {
        *p = calloc(1, sizeof **p);
        if (!*p)
            pc_oom(sizeof **p);
        (*p)->key = k;
    }
    if ((*p)->n >= limit && !(tcp && (*p)->n - departed_locked(&s->conns, &k) < limit))
        return false;
    (*p)->n++;
    return true;
}

static void share_drop_locked(struct http_server *s, const struct http_addr *a)
{
    if (!s->cfg.per_ip_connections)
        return;
    struct http_addr k = share_key(a);
    struct http_share **p = share_slot(&s->conns, &k);
    if (!*p)
        return;
    if (--(*p)->n == 0) {
        struct http_share *gone = *p;
        *p = gone->next;
        free(gone);
    }
}

bool http__share_take(struct http_server *s, const struct http_addr *a)
{
    pthread_mutex_lock(&s->conns.lock);
    bool ok = share_take_locked(s, a, false);
    pthread_mutex_unlock(&s->conns.lock);
    if (!ok)
        atomic_fetch_add(&s->conns.closed_share, 1);
    return ok;
}

void http__share_drop(struct http_server *s, const struct http_addr *a)
{
    pthread_mutex_lock(&s->conns.lock);
    share_drop_locked(s, a);
    pthread_mutex_unlock(&s->conns.lock);
}

static void conn_started(struct http_server *s, struct MHD_Connection *conn, void **socket_context)
{
    struct http_conn *c = calloc(1, sizeof *c);
    if (!c)
        pc_oom(sizeof *c);
    const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    c->fd = fd ? fd->connect_fd : -1;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    http_addr_from_sockaddr(ci ? ci->client_addr : NULL, &c->peer);
    c->trusted = s->cfg.trusted.n && http_proxies_contain(&s->cfg.trusted, &c->peer);
    c->https = s->cfg.https;
    atomic_store(&c->deadline, pc_mono_usec() + (int64_t)s->cfg.header_timeout_secs * 1000000);
    struct http_conns *cs = &s->conns;
    pthread_mutex_lock(&cs->lock);
    c->counted = !c->trusted && share_take_locked(s, &c->peer, true);
    c->ended = !c->trusted && !c->counted;
    c->next = cs->head;
    if (cs->head)
        cs->head->prev = c;
    cs->head = c;
    pthread_mutex_unlock(&cs->lock);
    *socket_context = c;
    atomic_fetch_add(&cs->open, 1);
    if (c->ended) {
        /* over its share: libmicrohttpd reads the end at once and closes */
        atomic_fetch_add(&cs->closed_share, 1);
        if (c->fd >= 0)
            shutdown(c->fd, SHUT_RDWR);
    }
}

static void conn_closed(struct http_server *s, void **socket_context)
{
    struct http_conn *c = *socket_context;
    if (!c)
        return;
    struct http_conns *cs = &s->conns;
    pthread_mutex_lock(&cs->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        cs->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->counted)
        share_drop_locked(s, &c->peer);
    pthread_mutex_unlock(&cs->lock);
    atomic_fetch_sub(&cs->open, 1);
    free(c);
    *socket_context = NULL;
}

void http__on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode toe)
{
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        conn_started(cls, conn, socket_context);
    else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
        conn_closed(cls, socket_context);
}

struct http_conn *http__conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

const struct http_addr *http__conn_peer(const struct http_conn *c, bool *trusted)
{
    *trusted = c->trusted;
    return &c->peer;
}

bool http__conn_https(const struct http_conn *c)
{
    return c->https;
}

void http__conn_deadline(struct http_conn *c, int64_t usec)
{
    if (c)
        atomic_store(&c->deadline, usec);
}

static void *watchdog(void *arg)
{
    struct http_server *s = arg;
    struct http_conns *cs = &s->conns;
    const struct timespec nap = {0, WATCH_EVERY_MS * 1000000L};
    while (!atomic_load(&cs->stopping)) {
        nanosleep(&nap, NULL);
        int64_t now = pc_mono_usec();
        pthread_mutex_lock(&cs->lock);
        for (struct http_conn *c = cs->head; c; c = c->next) {
            int64_t d = atomic_load(&c->deadline);
            if (c->ended || !d || d > now || c->fd < 0)
                continue;
            c->ended = true;
            shutdown(c->fd, SHUT_RDWR);
            atomic_fetch_add(&cs->closed_deadline, 1);
        }
        pthread_mutex_unlock(&cs->lock);
        http__park_expire(s, now); /* long polls whose wait is over */
    }
    return NULL;
}

int http__conns_start(struct http_server *s)
{
    pthread_mutex_init(&s->conns.lock, NULL);
    return pthread_create(&s->conns.watchdog, NULL, watchdog, s) == 0 ? 0 : PC_EIO;
}

void http__conns_stop(struct http_server *s)
{
    atomic_store(&s->conns.stopping, true);
    pthread_join(s->conns.watchdog, NULL);
}

void http__conns_release(struct http_server *s)
{
    struct http_conns *cs = &s->conns;
    for (size_t i = 0; i < HTTP_SHARE_BUCKETS; i++) {
        while (cs->shares[i]) {
            struct http_share *next = cs->shares[i]->next;
            free(cs->shares[i]);
            cs->shares[i] = next;
        }
    }
    pthread_mutex_destroy(&cs->lock);
}

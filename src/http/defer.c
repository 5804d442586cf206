/* defer.c — slow, CPU-bound work (a password hash) runs on a few threads
 * of its own while the connection is suspended, so the server's threads
 * keep answering everyone else (see http_defer in http.h). */
#include "internal.h"

#include <stdlib.h>
#include <unistd.h>

struct http_defer_job {
    struct http_req *r;
    struct http_defer_job *next;
};

static void *defer_thread(void *arg)
{
    struct http_server *s = arg;
    struct http_defer_pool *p = &s->pool;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->wake, &p->lock);
        struct http_defer_job *j = p->head;
        if (j) {
            p->head = j->next;
            if (!p->head)
                p->tail = NULL;
        }
        pthread_mutex_unlock(&p->lock);
        if (!j)
            break; /* stopping and nothing left */
        struct http_req *r = j->r;
        free(j);
        r->deferred_work(r);
        if (s->cfg.after)
            s->cfg.after(r); /* this thread's database statements */
        MHD_resume_connection(r->conn);
    }
    return NULL;
}

void http__defer_start(struct http_server *s)
{
    struct http_defer_pool *p = &s->pool;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = cores > 1 ? (int)cores - 1 : 1;
    if (n > 16)
        n = 16;
    for (int i = 0; i < n; i++)
        if (pthread_create(&p->threads[p->nthreads], NULL, defer_thread, s) == 0)
            p->nthreads++;
}

void http__defer_stop(struct http_server *s)
{
    struct http_defer_pool *p = &s->pool;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
}

int http_defer(struct http_req *r, void (*work)(struct http_req *r), int (*done)(struct http_req *r))
{
    struct http_defer_pool *p = &r->server->pool;
    struct http_defer_job *j = calloc(1, sizeof *j);
    if (!j || !p->nthreads) {
        free(j);
        work(r); /* no pool: do it here */
        return done(r);
    }
    j->r = r;
    r->deferred_work = work;
    r->deferred_done = done;
    r->deferred = true;
    MHD_suspend_connection(r->conn);
    pthread_mutex_lock(&p->lock);
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    return HTTP_DEFERRED;
}

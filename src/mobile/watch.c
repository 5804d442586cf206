/* watch.c — answers that arrive on another node.  A relying party may
 * long-poll one CA node while the phone answers another (both behind one
 * load balancer, one database).  The node that writes an answer wakes its
 * own waiters at once; this thread wakes the rest: every watch_ms, while
 * this node has long polls parked, it asks the database which of the
 * awaited sessions have ended and which of the waiting phones have new
 * requests.  Nothing is asked while nothing waits.  Every few seconds it
 * also sweeps: sessions past their time end as TIMEOUT or PHONE_ABSENT
 * (audited) even if nobody asks again, and old ones are forgotten. */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define SWEEP_EVERY_SECS 5

struct mi_watch {
    struct mid_service *m;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
};

/* Wake the parked polls of key whose ids ask(…) reports. */
static void wake_those(struct mid_service *m, struct pc_arena *a, const char *key,
                       int (*ask)(struct db_conn *c, struct pc_arena *a, const char *const *ids, size_t n,
                                  const char ***out, size_t *nout, struct pc_err *err))
{
    const char **ids, **hit;
    size_t n = mi_parked(m, a, key, &ids), nhit = 0;
    struct pc_err err = {0};
    struct db_conn *c = n ? db_conn_get(m->db, &err) : NULL;
    if (c && ask(c, a, ids, n, &hit, &nhit, &err) == 0)
        for (size_t i = 0; i < nhit; i++)
            mi_wake(m, key, hit[i]);
    if (err.code)
        pc_log(PC_LOG_WARN, "mobile.watch_failed", "msg", err.msg, NULL);
}

static int phones_waiting(struct db_conn *c, struct pc_arena *a, const char *const *ids, size_t n,
                          const char ***out, size_t *nout, struct pc_err *err)
{
    return mi_phones_waiting(c, a, ids, n, pc_now_unix(), out, nout, err);
}

static void *watch_thread(void *arg)
{
    struct mi_watch *w = arg;
    struct mid_service *m = w->m;
    int64_t swept = 0;
    pthread_mutex_lock(&w->lock);
    while (!w->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)m->cfg.watch_ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&w->wake, &w->lock, &until);
        if (w->stopping)
            break;
        pthread_mutex_unlock(&w->lock);
        struct pc_arena a;
        pc_arena_init(&a);
        wake_those(m, &a, MI_KEY_SESSION, mi_sessions_done);
        wake_those(m, &a, MI_KEY_PHONE, phones_waiting);
        int64_t now = pc_now_unix();
        if (now - swept >= SWEEP_EVERY_SECS) {
            struct pc_err err = {0};
            swept = now;
            if (mi_sweep(m, &a, &err))
                pc_log(PC_LOG_WARN, "mobile.sweep_failed", "msg", err.msg, NULL);
        }
        db_idle(m->db);
        pc_arena_release(&a);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    db_conn_release_thread(m->db);
    return NULL;
}

struct mi_watch *mi_watch_start(struct mid_service *m, struct pc_err *err)
{
    struct mi_watch *w = calloc(1, sizeof *w);
    if (!w)
        pc_oom(sizeof *w);
    w->m = m;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, watch_thread, w) != 0) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        pc_err_set(err, PC_EIO, "cannot start the mobile-signature watcher");
        return NULL;
    }
    return w;
}

void mi_watch_stop(struct mi_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

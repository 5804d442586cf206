/* ticker.c — a background thread that does one round of a job, waits
 * the interval, and does the next, until stopped; a stop wakes it at once
 * and waits for the round in progress.  The periodic jobs (the CA's CRL
 * and OCSP work, the audit chain's time-stamps) are each a round function
 * on one of these. */
#include "base.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct pc_ticker {
    void (*round)(void *ctx);
    void (*done)(void *ctx);
    void *ctx;
    int interval_ms;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

static void *run(void *arg)
{
    struct pc_ticker *t = arg;
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        pthread_mutex_unlock(&t->mu);
        t->round(t->ctx);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += t->interval_ms / 1000;
        ts.tv_nsec += (long)(t->interval_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&t->mu);
        while (!t->stop && pthread_cond_timedwait(&t->cv, &t->mu, &ts) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&t->mu);
    if (t->done)
        t->done(t->ctx);
    return NULL;
}

struct pc_ticker *pc_ticker_start(void (*round)(void *ctx), void (*done)(void *ctx), void *ctx, int interval_ms,
                                  struct pc_err *err)
{
    struct pc_ticker *t = calloc(1, sizeof *t);
    if (!t)
        pc_oom(sizeof *t);
    *t = (struct pc_ticker){.round = round, .done = done, .ctx = ctx, .interval_ms = interval_ms > 0 ? interval_ms : 1000};
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    if (pthread_create(&t->thread, NULL, run, t) != 0) {
        pthread_cond_destroy(&t->cv);
        pthread_mutex_destroy(&t->mu);
        free(t);
        pc_err_set(err, PC_EIO, "cannot start a background thread");
        return NULL;
    }
    return t;
}

void pc_ticker_stop(struct pc_ticker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

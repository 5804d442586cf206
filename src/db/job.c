/* job.c — a background job of a serving node: a thread that, every
 * interval, takes or keeps a lease (lease.c) and, while this node holds
 * it, runs one step of the job.  So exactly one node of a deployment runs
 * each job, a node that dies is replaced once its lease runs out, and a
 * clean stop gives the lease up at once. */
#include "db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct db_job {
    struct db *db;
    char name[64], holder[160];
    int interval_ms, lease_secs;
    int (*step)(struct db *db, void *ctx, bool fresh, struct pc_err *err);
    void *ctx;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, held;
};

/* One round: the lease, then the step while it is ours. */
static void round_once(struct db_job *j)
{
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(j->db, &err);
    bool fresh = false;
    int rc = c ? db_lease_acquire(c, j->name, j->holder, pc_now_unix(), j->lease_secs, &fresh, &err) : -1;
    j->held = rc == 1;
    if (rc == 1)
        rc = j->step(j->db, j->ctx, fresh, &err);
    if (rc < 0)
        pc_log(PC_LOG_WARN, "job.failed", "job", j->name, "msg", err.msg[0] ? err.msg : "(no message)", NULL);
    db_idle(j->db);
}

static void *run(void *arg)
{
    struct db_job *j = arg;
    pthread_mutex_lock(&j->mu);
    while (!j->stop) {
        pthread_mutex_unlock(&j->mu);
        round_once(j);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (int64_t)j->interval_ms * 1000000;
        ts.tv_sec += ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_mutex_lock(&j->mu);
        while (!j->stop && pthread_cond_timedwait(&j->cv, &j->mu, &ts) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&j->mu);
    struct pc_err err = {0};
    struct db_conn *c = j->held ? db_conn_get(j->db, &err) : NULL;
    if (c)
        db_lease_release(c, j->name, j->holder, &err);
    db_conn_release_thread(j->db);
    return NULL;
}

struct db_job *db_job_start(struct db *db, const char *name, int interval_ms, int lease_secs,
                            int (*step)(struct db *db, void *ctx, bool fresh, struct pc_err *err), void *ctx,
                            struct pc_err *err)
{
    struct db_job *j = calloc(1, sizeof *j);
    if (!j)
        pc_oom(sizeof *j);
    j->db = db;
    snprintf(j->name, sizeof j->name, "%s", name);
    char host[64] = "", rnd[9];
    gethostname(host, sizeof host - 1);
    pc_random_hex(rnd, 4);
    snprintf(j->holder, sizeof j->holder, "%s/%ld/%s", host, (long)getpid(), rnd);
    j->interval_ms = interval_ms > 0 ? interval_ms : 1000;
    j->lease_secs = lease_secs > 0 ? lease_secs : 30;
    j->step = step;
    j->ctx = ctx;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    if (pthread_create(&j->thread, NULL, run, j) != 0) {
        pthread_cond_destroy(&j->cv);
        pthread_mutex_destroy(&j->mu);
        free(j);
        pc_err_set(err, PC_EIO, "cannot start the job thread of %s", name);
        return NULL;
    }
    return j;
}

void db_job_stop(struct db_job *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->mu);
    j->stop = true;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    pthread_join(j->thread, NULL);
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

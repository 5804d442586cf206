/* commit.c — group commit (issuance of certificates, votes).  On SQLite
 * every commit waits for the disk (synchronous=FULL: one fsync, about a
 * millisecond here), and writers take turns, so one transaction per write
 * caps the writes at the disk's fsync rate.  Here the requests that arrive while a commit is
 * under way queue up; the next thread to find the committer free takes the
 * whole queue and writes it in one transaction, each request's writes in a
 * savepoint of its own (a failed one is rolled back alone), and tells each
 * request its own outcome.  A request returns only once its writes are
 * committed (or not): the durability of each write is unchanged. */
#include "db.h"

#include <pthread.h>

#include <stdio.h>
#include <string.h>

#define BATCH_MAX 64

struct db_commit_item {
    int (*write)(struct db_conn *c, void *arg, struct pc_err *err);
    void *arg;
    int rc;
    struct pc_err err;
    bool done;
    struct db_commit_item *next;
};

void db_committer_init(struct db_committer *m)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->done, NULL);
}

void db_committer_release(struct db_committer *m)
{
    pthread_cond_destroy(&m->done);
    pthread_mutex_destroy(&m->lock);
}

/* One item in a savepoint of the batch's transaction. */
static void write_one(struct db_conn *c, struct db_commit_item *it, int i)
{
    char sql[48];
    snprintf(sql, sizeof sql, "SAVEPOINT db_item%d", i);
    it->rc = db_exec(c, sql, &it->err);
    if (it->rc)
        return;
    it->rc = it->write(c, it->arg, &it->err);
    if (it->rc) {
        snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT db_item%d", i);
        db_exec(c, sql, NULL);
    }
    snprintf(sql, sizeof sql, "RELEASE SAVEPOINT db_item%d", i);
    db_exec(c, sql, NULL);
}

static void run_batch(struct db *db, struct db_commit_item *batch)
{
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(db, &err);
    int rc = c ? db_begin(c, &err) : (err.code ? err.code : PC_EUNAVAIL);
    if (!rc && !batch->next) {
        /* alone: no savepoint needed */
        batch->rc = batch->write(c, batch->arg, &batch->err);
        rc = db_end(c, batch->rc, &err);
        if (rc && !batch->rc) {
            batch->rc = rc;
            batch->err = err;
        }
        return;
    }
    int i = 0;
    for (struct db_commit_item *it = batch; !rc && it; it = it->next)
        write_one(c, it, i++);
    if (!rc)
        rc = db_commit(c, &err);
    if (rc && c)
        db_rollback(c);
    for (struct db_commit_item *it = batch; rc && it; it = it->next)
        if (!it->rc) {
            it->rc = rc; /* the commit failed: nothing of the batch was written */
            it->err = err;
        }
}

int db_commit_group(struct db *db, struct db_committer *m,
                    int (*write)(struct db_conn *c, void *arg, struct pc_err *err), void *arg, struct pc_err *err)
{
    struct db_commit_item item = {.write = write, .arg = arg};
    pthread_mutex_lock(&m->lock);
    if (m->tail)
        m->tail->next = &item;
    else
        m->head = &item;
    m->tail = &item;
    while (!item.done) {
        if (m->busy) {
            pthread_cond_wait(&m->done, &m->lock);
            continue;
        }
        /* become the committer of what is queued (BATCH_MAX at most) */
        struct db_commit_item *batch = m->head, *last = batch;
        for (int n = 1; n < BATCH_MAX && last->next; n++)
            last = last->next;
        m->head = last->next;
        if (!m->head)
            m->tail = NULL;
        last->next = NULL;
        m->busy = true;
        pthread_mutex_unlock(&m->lock);
        run_batch(db, batch);
        pthread_mutex_lock(&m->lock);
        for (struct db_commit_item *it = batch; it; it = it->next)
            it->done = true;
        m->busy = false;
        m->batches++;
        pthread_cond_broadcast(&m->done);
    }
    pthread_mutex_unlock(&m->lock);
    if (item.rc && err)
        *err = item.err;
    return item.rc;
}

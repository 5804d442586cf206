/* cache.c — which snapshot of the catalogue a database handle serves, and
 * when it loads the next one.
 *
 * The handle keeps the current snapshot (with a reference of its own) and
 * the newest catalogue version it has read.  A reader takes a reference
 * that its arena drops, so a thread still using an old snapshot finishes
 * with it and the last reference frees it.
 *
 * Freshness.  By default every read asks the database for the version
 * (one single-row query), so a tool or a test sees another connection's
 * import at once.  A server sets a bound instead (cat_set_max_age): a
 * poller thread of the handle reads the version every half bound while
 * the catalogue is being read, loads the new snapshot when the version
 * rose and only then publishes the version, so request threads never wait
 * on the database for the catalogue and never see a version whose snapshot
 * is not there yet.  When nobody reads, the poller asks nothing; the first
 * read after such a pause asks itself (the others wait for that one
 * query).  If the database cannot be asked, the last snapshot keeps
 * serving and the failure is logged once. */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct cat_cache {
    struct db *db;
    pthread_mutex_t lock;         /* guards current */
    pthread_mutex_t load;         /* one version query or load at a time */
    struct cat_snapshot *current; /* holds a reference of its own */
    _Atomic int64_t version;      /* newest version read, 0 before the first */
    atomic_bool failing;          /* the last query failed (logged once) */
    /* the bound and its poller */
    atomic_uint bound_ms;         /* 0: every read asks */
    atomic_bool wanted;           /* the catalogue was read since the last poll */
    atomic_bool idle;             /* the poller skipped its last turn: nobody read */
    pthread_mutex_t poll_lock;    /* guards running, stop */
    pthread_cond_t poll_wake;
    bool running, stop;
    pthread_t poller;
};

static struct cat_snapshot *current_ref(struct cat_cache *c)
{
    pthread_mutex_lock(&c->lock);
    struct cat_snapshot *s = c->current;
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&c->lock);
    return s;
}

static void raise_version(struct cat_cache *c, int64_t v)
{
    int64_t old = atomic_load(&c->version);
    while (old < v && !atomic_compare_exchange_weak(&c->version, &old, v))
        ;
}

/* Load the catalogue as it is now and make it current (c->load held); the
 * caller gets a reference of its own. */
static struct cat_snapshot *load_current(struct cat_cache *c, struct pc_err *err)
{
    int64_t t0 = pc_mono_usec();
    struct cat_snapshot *s = cat_snapshot_load(c->db, err);
    if (!s)
        return NULL;
    atomic_fetch_add(&s->refs, 1); /* the cache's own */
    pthread_mutex_lock(&c->lock);
    struct cat_snapshot *old = c->current;
    c->current = s;
    pthread_mutex_unlock(&c->lock);
    if (old)
        cat_snapshot_unref(old);
    raise_version(c, s->version);
    if (pc_log_enabled(PC_LOG_INFO))
        pc_logf(PC_LOG_INFO, "catalog.snapshot",
                "version %lld: %zu agencies, %zu life situations, %zu services, %zu bytes, loaded in %lld us",
                (long long)s->version, s->nagency_list, s->nevents, s->nservices, s->arena.total,
                (long long)(pc_mono_usec() - t0));
    return s;
}

/* Ask the version; when it rose, load that version's snapshot before
 * publishing the version (c->load held).  A failure is logged once and
 * the known version stays. */
static void refresh(struct cat_cache *c)
{
    struct pc_err err = {0};
    int64_t v = cat_read_version(c->db, &err);
    struct cat_snapshot *s = v >= 0 ? current_ref(c) : NULL;
    if (v >= 0 && (!s || s->version < v)) {
        struct cat_snapshot *loaded = load_current(c, &err);
        if (loaded)
            cat_snapshot_unref(loaded); /* the cache keeps its own reference */
        else
            v = err.code ? err.code : PC_EIO;
    }
    if (s)
        cat_snapshot_unref(s);
    if (v >= 0) {
        raise_version(c, v);
        if (atomic_exchange(&c->failing, false))
            pc_log(PC_LOG_WARN, "catalog.version_check_recovered", NULL);
    } else if (!atomic_exchange(&c->failing, true)) {
        pc_log(PC_LOG_WARN, "catalog.version_check_failed", "code", pc_errcode_name((int)v), "msg", err.msg,
               "serving", "the catalogue in memory", NULL);
    }
}

/* ---- the poller -------------------------------------------------------- */

static void *poller_main(void *arg)
{
    struct cat_cache *c = arg;
    pthread_mutex_lock(&c->poll_lock);
    while (!c->stop) {
        unsigned period_ms = atomic_load(&c->bound_ms) / 2;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        long long ns = until.tv_nsec + (long long)(period_ms ? period_ms : 1) * 1000000;
        until.tv_sec += ns / 1000000000;
        until.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&c->poll_wake, &c->poll_lock, &until);
        if (c->stop)
            break;
        pthread_mutex_unlock(&c->poll_lock);
        if (atomic_exchange(&c->wanted, false)) {
            pthread_mutex_lock(&c->load);
            refresh(c);
            pthread_mutex_unlock(&c->load);
            atomic_store(&c->idle, false);
        } else {
            atomic_store(&c->idle, true);
        }
        pthread_mutex_lock(&c->poll_lock);
    }
    pthread_mutex_unlock(&c->poll_lock);
    db_conn_release_thread(c->db);
    return NULL;
}

static void poller_stop(struct cat_cache *c)
{
    pthread_mutex_lock(&c->poll_lock);
    bool running = c->running;
    c->stop = true;
    pthread_cond_signal(&c->poll_wake);
    pthread_mutex_unlock(&c->poll_lock);
    if (running)
        pthread_join(c->poller, NULL);
    pthread_mutex_lock(&c->poll_lock);
    c->running = c->stop = false;
    pthread_mutex_unlock(&c->poll_lock);
}

/* ---- the handle's cache ------------------------------------------------ */

static void *cache_make(struct db *db)
{
    struct cat_cache *c = calloc(1, sizeof *c);
    if (!c)
        pc_oom(sizeof *c);
    c->db = db;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->load, NULL);
    pthread_mutex_init(&c->poll_lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&c->poll_wake, &attr);
    pthread_condattr_destroy(&attr);
    atomic_init(&c->idle, true);
    return c;
}

static void cache_free(void *p)
{
    struct cat_cache *c = p;
    poller_stop(c);
    if (c->current)
        cat_snapshot_unref(c->current);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->load);
    pthread_mutex_destroy(&c->poll_lock);
    pthread_cond_destroy(&c->poll_wake);
    free(c);
}

static struct cat_cache *cache_of(struct db *db)
{
    return db_slot(db, CAT_DB_SLOT, cache_make, cache_free);
}

void cat_set_max_age(struct db *db, unsigned ms)
{
    struct cat_cache *c = cache_of(db);
    if (!ms) {
        atomic_store(&c->bound_ms, 0);
        poller_stop(c);
        return;
    }
    atomic_store(&c->bound_ms, ms);
    atomic_store(&c->idle, true); /* the next read asks at once */
    pthread_mutex_lock(&c->poll_lock);
    if (c->running) {
        pthread_cond_signal(&c->poll_wake); /* take the new period now */
    } else if (pthread_create(&c->poller, NULL, poller_main, c) == 0) {
        c->running = true;
    } else {
        atomic_store(&c->bound_ms, 0); /* every read asks the version itself: fresh, only slower */
    }
    pthread_mutex_unlock(&c->poll_lock);
}

int64_t cat_version(struct db *db, struct pc_err *err)
{
    struct cat_cache *c = cache_of(db);
    if (!atomic_load(&c->bound_ms)) {
        int64_t v = cat_read_version(db, err);
        if (v >= 0)
            raise_version(c, v);
        return v;
    }
    if (!atomic_load_explicit(&c->wanted, memory_order_relaxed))
        atomic_store(&c->wanted, true);
    if (atomic_load(&c->idle) || !atomic_load(&c->version)) {
        /* the poller has not asked lately (nobody read): this reader asks */
        pthread_mutex_lock(&c->load);
        if (atomic_load(&c->idle) || !atomic_load(&c->version)) {
            refresh(c);
            atomic_store(&c->idle, false);
        }
        pthread_mutex_unlock(&c->load);
    }
    int64_t v = atomic_load(&c->version);
    return v ? v : pc_err_set(err, PC_EUNAVAIL, "the catalogue's version cannot be read yet");
}

/* The snapshot of the version cat_version gives, with a reference. */
static struct cat_snapshot *snapshot_current(struct cat_cache *c, struct pc_err *err)
{
    int64_t v = cat_version(c->db, err);
    if (v < 0)
        return NULL;
    struct cat_snapshot *s = current_ref(c);
    if (s && s->version >= v)
        return s;
    if (s)
        cat_snapshot_unref(s);
    /* The first thread that needs the new version loads it; the others
     * wait for it rather than answer from the old one, whose answers the
     * page cache would keep under the new version's key. */
    pthread_mutex_lock(&c->load);
    s = current_ref(c);
    if (!s || s->version < v) {
        if (s)
            cat_snapshot_unref(s);
        s = load_current(c, err);
    }
    pthread_mutex_unlock(&c->load);
    return s;
}

int cat_snapshot_get(struct db *db, struct pc_arena *a, const struct cat_snapshot **out, struct pc_err *err)
{
    struct pc_err mine = {0};
    struct cat_snapshot *s = snapshot_current(cache_of(db), err ? err : &mine);
    *out = s;
    if (!s)
        return (err ? err : &mine)->code ? (err ? err : &mine)->code : PC_EIO;
    pc_arena_defer(a, cat_snapshot_unref, s);
    return 0;
}

void cat_snapshot_imported(struct db *db)
{
    struct cat_cache *c = cache_of(db);
    if (!atomic_load(&c->bound_ms))
        return; /* every read asks the version anyway */
    pthread_mutex_lock(&c->load);
    refresh(c);
    pthread_mutex_unlock(&c->load);
}

size_t cat_memory_bytes(struct db *db)
{
    struct cat_snapshot *s = current_ref(cache_of(db));
    size_t n = s ? s->arena.total : 0;
    if (s)
        cat_snapshot_unref(s);
    return n;
}

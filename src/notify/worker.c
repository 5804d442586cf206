/* worker.c — the delivery thread.  Every node may run one; the lease
 * (table leases, row "notify") makes exactly one of them the sender at a
 * time.  Each pass:
 *
 *   1. record results a database failure kept from being recorded;
 *   2. renew the lease, or take it when it is free or expired — taking it
 *      over returns whatever a dead holder left in `sending` to `retry`
 *      (in the same transaction);
 *   3. claim up to NT_BATCH due messages (created/retry, next_attempt_at
 *      reached) of the configured channels: status `sending`, attempts+1,
 *      in one transaction that also renews the lease;
 *   4. for each: renew the lease (a holder that cannot is no longer the
 *      sender and gives the rest back), render, send, and record the
 *      result at once in its own short transaction;
 *   5. sleep for the poll interval (at most a third of the lease), or go
 *      on at once when the batch was full.
 *
 * Exactly once: a message is claimed by one holder and its result is
 * recorded right after the send.  The one window for a second send is a
 * crash (or a stall longer than the lease) after the SMTP server or SMS
 * gateway accepted a message and before `delivered` was committed: the
 * next holder finds it in `sending` and sends it again.  The SMS carries
 * the outbox id (JSON "id" and an Idempotency-Key header) and the e-mail
 * a Message-ID made from it, so the far side can drop such a duplicate.
 * A send never outlives the lease: it starts right after a renewal and
 * its timeout is a third of the lease. */
#include "internal.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STATS_EVERY_SECS 60
#define SECRET_MAX 4096

static atomic_uint_fast64_t stat_delivered, stat_retried, stat_failed;

void notify_stats_get(struct notify_stats *out)
{
    out->delivered = atomic_load(&stat_delivered);
    out->retried = atomic_load(&stat_retried);
    out->failed = atomic_load(&stat_failed);
}

void notify_metrics_write(struct db *db, struct pc_buf *out)
{
    struct nt_count k[32];
    size_t n = 0;
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(db, &err);
    if (!c || nt_counts(c, k, sizeof k / sizeof k[0], &n, &err))
        pc_log(PC_LOG_WARN, "notify.metrics_failed", "error", err.msg, NULL);
    pc_buf_puts(out, "# HELP pencere_outbox_messages Messages in the outbox by channel and status.\n"
                     "# TYPE pencere_outbox_messages gauge\n");
    for (size_t i = 0; i < n; i++)
        pc_buf_printf(out, "pencere_outbox_messages{channel=\"%s\",status=\"%s\"} %lld\n", k[i].channel,
                      k[i].status, (long long)k[i].count);
    struct notify_stats s;
    notify_stats_get(&s);
    pc_buf_printf(out, "# HELP pencere_notify_sent_total Messages this process handed over, by outcome.\n"
                       "# TYPE pencere_notify_sent_total counter\n"
                       "pencere_notify_sent_total{outcome=\"delivered\"} %llu\n"
                       "pencere_notify_sent_total{outcome=\"retried\"} %llu\n"
                       "pencere_notify_sent_total{outcome=\"failed\"} %llu\n",
                  (unsigned long long)s.delivered, (unsigned long long)s.retried, (unsigned long long)s.failed);
}

/* ---- configuration ------------------------------------------------------ */

void notify_config_defaults(struct notify_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->interval_ms = 2000;
    cfg->retry_base_secs = 30;
    cfg->retry_max_secs = 3600;
    cfg->max_attempts = 8;
    cfg->lease_secs = 30;
}

bool notify_config_enabled(const struct notify_config *cfg)
{
    return cfg->smtp_url || cfg->sms_url;
}

/* scheme://host[:port] only, or NULL when the URL is not usable: no
 * credentials in it (they would show in `ps`), no spaces or controls. */
static bool url_ok(const char *url, const char *const *schemes)
{
    const char *rest = NULL;
    for (; *schemes; schemes++)
        if (pc_str_has_prefix(url, *schemes))
            rest = url + strlen(*schemes);
    if (!rest || !*rest || *rest == '/')
        return false;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return false;
    size_t auth = strcspn(rest, "/?#");
    return memchr(rest, '@', auth) == NULL;
}

int notify_config_check(const struct notify_config *cfg, struct pc_err *err)
{
    static const char *const smtp_schemes[] = {"smtp://", "smtps://", NULL};
    static const char *const http_schemes[] = {"http://", "https://", NULL};
    if (cfg->smtp_url && !url_ok(cfg->smtp_url, smtp_schemes))
        return pc_err_set(err, PC_EINVAL, "--smtp-url must be smtp://HOST[:PORT] or smtps://HOST[:PORT], without"
                                          " a user or password in it (use --smtp-user and --smtp-password-file)");
    if (cfg->sms_url && !url_ok(cfg->sms_url, http_schemes))
        return pc_err_set(err, PC_EINVAL, "--sms-url must be an http:// or https:// URL without a user or password"
                                          " in it (use --sms-token-file)");
    if (!cfg->smtp_url && (cfg->smtp_user || cfg->smtp_password_file || cfg->mail_from))
        return pc_err_set(err, PC_EINVAL, "--smtp-user, --smtp-password-file and --mail-from need --smtp-url");
    if (cfg->smtp_password_file && !cfg->smtp_user)
        return pc_err_set(err, PC_EINVAL, "--smtp-password-file needs --smtp-user");
    if (cfg->sms_token_file && !cfg->sms_url)
        return pc_err_set(err, PC_EINVAL, "--sms-token-file needs --sms-url");
    if (cfg->smtp_url) {
        struct pc_arena a;
        pc_arena_init(&a);
        const char *name, *addr;
        int rc = nt_parse_mailbox(&a, cfg->mail_from, &name, &addr);
        pc_arena_release(&a);
        if (rc)
            return pc_err_set(err, PC_EINVAL, "--smtp-url needs --mail-from ADDRESS (\"noreply@example.az\" or"
                                              " \"Name <noreply@example.az>\")");
    }
    if (cfg->interval_ms < 100 || cfg->interval_ms > 3600 * 1000)
        return pc_err_set(err, PC_EINVAL, "--notify-interval must be from 0.1 to 3600 seconds");
    if (cfg->retry_base_secs < 1 || cfg->retry_base_secs > 86400 || cfg->retry_max_secs < cfg->retry_base_secs)
        return pc_err_set(err, PC_EINVAL, "--notify-retry-base must be from 1 to 86400 seconds");
    if (cfg->max_attempts < 1 || cfg->max_attempts > 100)
        return pc_err_set(err, PC_EINVAL, "--notify-max-attempts must be from 1 to 100");
    if (cfg->lease_secs < 3 || cfg->lease_secs > 3600)
        return pc_err_set(err, PC_EINVAL, "--notify-lease must be from 3 to 3600 seconds");
    return 0;
}

/* The first line of a small file, for a password or token. */
static int read_secret(const char *path, const char *what, char **out, struct pc_err *err)
{
    *out = NULL;
    if (!path)
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pc_err_set(err, PC_EIO, "cannot read the %s file %s: %s", what, path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && (st.st_mode & 077))
        pc_log(PC_LOG_WARN, "notify.secret_file_open", "file", path, "advice",
               "other users may read it: chmod 600", NULL);
    char *buf = calloc(1, SECRET_MAX + 1);
    ssize_t n = buf ? read(fd, buf, SECRET_MAX) : -1;
    close(fd);
    if (n < 0) {
        free(buf);
        return pc_err_set(err, PC_EIO, "cannot read the %s file %s", what, path);
    }
    buf[strcspn(buf, "\r\n")] = 0;
    if (!*buf) {
        free(buf);
        return pc_err_set(err, PC_EINVAL, "the %s file %s is empty", what, path);
    }
    *out = buf;
    return 0;
}

static void secret_free(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

/* scheme://host[:port] of a URL, for logs (no path: it may hold a key). */
static const char *origin(struct pc_arena *a, const char *url)
{
    if (!url)
        return "";
    const char *h = strstr(url, "://");
    size_t n = h ? (size_t)(h + 3 - url) + strcspn(h + 3, "/?#") : strlen(url);
    return pc_arena_strndup(a, url, n);
}

/* ---- policy ------------------------------------------------------------- */

int64_t nt_backoff_secs(int attempts, int base, int cap, uint32_t random)
{
    int64_t d = base;
    for (int i = 1; i < attempts && d < cap; i++)
        d *= 2;
    if (d > cap)
        d = cap;
    return d + (int64_t)(random % (uint32_t)(d / 5 + 1));
}

char *nt_redact_payload(const char *payload)
{
    json_t *p = json_loads(payload ? payload : "", 0, NULL);
    char *out = NULL;
    if (json_is_object(p) && json_object_get(p, "code")) {
        json_object_del(p, "code");
        out = json_dumps(p, JSON_COMPACT);
    }
    json_decref(p);
    return out;
}

/* ---- the worker ----------------------------------------------------------- */

enum mark_kind { MARK_DELIVERED, MARK_RETRY, MARK_FAILED };

struct pending {
    char *id, *error, *payload;
    enum mark_kind kind;
    int64_t at;
};

struct notify_worker {
    struct db *db;
    struct notify_config cfg;           /* numbers only; strings are in sender */
    struct nt_sender *sender;
    const char *ch_email, *ch_sms;      /* "email" / "sms", or NULL */
    char holder[160];
    char mail_domain[128];
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool held;
    bool db_failed;                     /* reconnect before the next pass */
    bool recover_own;                   /* the database went away: claims may be left */
    struct pending pending[NT_BATCH];
    int npending;
    int64_t stats_at;
    struct notify_stats stats_logged;
};

static bool stopping(struct notify_worker *w)
{
    pthread_mutex_lock(&w->mu);
    bool s = w->stop;
    pthread_mutex_unlock(&w->mu);
    return s;
}

static void sleep_ms(struct notify_worker *w, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &ts) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&w->mu);
}

/* A database error: logged, and the connection is replaced before the
 * next pass (a PostgreSQL server that restarted leaves it dead). */
static void db_trouble(struct notify_worker *w, const char *event, const char *id, const struct pc_err *err)
{
    w->db_failed = true;
    w->recover_own = true;
    pc_log(PC_LOG_WARN, event, "id", id ? id : "", "error", err->msg, NULL);
}

static void pending_clear(struct pending *p)
{
    free(p->id);
    free(p->error);
    free(p->payload);
    memset(p, 0, sizeof *p);
}

static int apply_mark(struct notify_worker *w, struct db_conn *c, const struct pending *p, struct pc_err *err)
{
    switch (p->kind) {
    case MARK_DELIVERED:
        return nt_mark_delivered(c, p->id, p->at, p->payload, err);
    case MARK_RETRY:
        return nt_mark_retry(c, p->id, w->holder, p->at, p->error, err);
    case MARK_FAILED:
        return nt_mark_failed(c, p->id, w->holder, p->at, p->error, p->payload, err);
    }
    return PC_EINVAL;
}

/* Record a result now, or keep it for the next pass if the database is
 * away (the message then stays `sending`, claimed by us, meanwhile). */
static void record(struct notify_worker *w, struct db_conn *c, enum mark_kind kind, const struct nt_item *it,
                   int64_t at, const char *error, char *new_payload)
{
    struct pending p = {.kind = kind, .at = at};
    p.id = strdup(it->id);
    p.error = error ? strdup(error) : NULL;
    p.payload = new_payload;
    struct pc_err err = {0};
    if (p.id && apply_mark(w, c, &p, &err) == 0) {
        pending_clear(&p);
        return;
    }
    db_trouble(w, "notify.record_failed", it->id, &err);
    if (p.id && w->npending < NT_BATCH)
        w->pending[w->npending++] = p;
    else
        pending_clear(&p);
}

static bool flush_pending(struct notify_worker *w, struct db_conn *c)
{
    int keep = 0;
    for (int i = 0; i < w->npending; i++) {
        struct pc_err err = {0};
        if (apply_mark(w, c, &w->pending[i], &err) == 0) {
            pending_clear(&w->pending[i]);
        } else {
            w->pending[keep++] = w->pending[i];
            w->db_failed = true;
        }
    }
    w->npending = keep;
    return keep == 0;
}

static void log_outcome(const char *event, const struct nt_item *it, struct pc_arena *a, const char *extra_key,
                        const char *extra)
{
    pc_log(strcmp(event, "notify.delivered") == 0 ? PC_LOG_INFO : PC_LOG_WARN, event, "id", it->id, "channel",
           it->channel, "template", it->template_id, "to", notify_mask(a, it->recipient, 2), "attempts",
           pc_arena_printf(a, "%d", it->attempts), extra_key, extra, NULL);
}

static void deliver(struct notify_worker *w, struct db_conn *c, struct pc_arena *a, const struct nt_item *it)
{
    struct nt_result res = {.outcome = NT_PERMANENT};
    struct notify_text text;
    struct pc_err err = {0};
    int64_t t0 = pc_mono_usec();
    if (notify_render(a, it->template_id, it->lang, it->payload, &text, &err)) {
        snprintf(res.error, sizeof res.error, "template: %.200s", err.msg);
    } else if (strcmp(it->channel, "sms") == 0) {
        nt_send_sms(w->sender, it->recipient, text.sms, it->id, &res);
    } else if (strcmp(it->channel, "email") == 0) {
        struct nt_mail m = {.to = it->recipient, .subject = text.subject, .body = text.body, .lang = text.lang,
                            .message_id = pc_arena_printf(a, "%s@%s", it->id, w->mail_domain),
                            .date = pc_now_unix()};
        nt_send_mail(w->sender, &m, &res);
    } else {
        snprintf(res.error, sizeof res.error, "unknown channel %s", it->channel);
    }
    int64_t now = pc_now_unix();
    const char *ms = pc_arena_printf(a, "%lld", (long long)((pc_mono_usec() - t0) / 1000));
    if (res.outcome == NT_DELIVERED) {
        record(w, c, MARK_DELIVERED, it, now, NULL, nt_redact_payload(it->payload));
        atomic_fetch_add(&stat_delivered, 1);
        log_outcome("notify.delivered", it, a, "ms", ms);
    } else if (res.outcome == NT_TEMPORARY && it->attempts < w->cfg.max_attempts) {
        uint32_t rnd = 0;
        pc_random_bytes(&rnd, sizeof rnd);
        int64_t delay = nt_backoff_secs(it->attempts, w->cfg.retry_base_secs, w->cfg.retry_max_secs, rnd);
        record(w, c, MARK_RETRY, it, now + delay, res.error, NULL);
        atomic_fetch_add(&stat_retried, 1);
        log_outcome("notify.retry", it, a, "error",
                    pc_arena_printf(a, "%s; next try in %lld s", res.error, (long long)delay));
    } else {
        const char *why = res.outcome == NT_TEMPORARY
                              ? pc_arena_printf(a, "gave up after %d attempts: %s", it->attempts, res.error)
                              : res.error;
        record(w, c, MARK_FAILED, it, now, why, nt_redact_payload(it->payload));
        atomic_fetch_add(&stat_failed, 1);
        log_outcome("notify.failed", it, a, "error", why);
    }
}

static void log_stats(struct notify_worker *w, struct db_conn *c, bool force)
{
    int64_t now = pc_now_unix();
    struct notify_stats s;
    notify_stats_get(&s);
    bool changed = memcmp(&s, &w->stats_logged, sizeof s) != 0;
    if (!force && (now - w->stats_at < STATS_EVERY_SECS || !changed))
        return;
    w->stats_at = now;
    w->stats_logged = s;
    long long queued = -1;
    struct pc_err err = {0};
    struct db_stmt *q = c ? db_prepare(c, "SELECT COUNT(*) FROM outbox WHERE status IN ('created', 'retry')", &err)
                          : NULL;
    if (q && db_step(q, &err) == 1)
        queued = (long long)db_col_int(q, 0);
    if (c)
        db_conn_idle(c);
    char d[24], r[24], f[24], qn[24];
    snprintf(d, sizeof d, "%llu", (unsigned long long)s.delivered);
    snprintf(r, sizeof r, "%llu", (unsigned long long)s.retried);
    snprintf(f, sizeof f, "%llu", (unsigned long long)s.failed);
    snprintf(qn, sizeof qn, "%lld", queued);
    pc_log(PC_LOG_INFO, "notify.stats", "delivered", d, "retried", r, "failed", f, "queued", qn, "sender",
           w->held ? "yes" : "no", NULL);
}

/* Renew or take the lease; on a take-over, recover in the same
 * transaction.  Returns whether we hold it. */
static bool hold_lease(struct notify_worker *w, struct db_conn *c)
{
    struct pc_err err = {0};
    int64_t now = pc_now_unix();
    bool fresh = false;
    int64_t recovered = 0;
    int rc = db_begin(c, &err);
    if (!rc) {
        rc = db_lease_acquire(c, NT_LEASE_NAME, w->holder, now, w->cfg.lease_secs, &fresh, &err);
        if (rc == 1 && fresh) {
            recovered = nt_recover(c, now, w->cfg.max_attempts, NULL, &err);
            if (recovered < 0)
                rc = (int)recovered;
        }
        if (rc < 0)
            db_rollback(c);
        else if (db_commit(c, &err))
            rc = PC_EIO;
    }
    bool had = w->held;
    if (rc < 0) {
        /* not known to be lost; the next pass renews it if still ours */
        db_trouble(w, "notify.db_error", NULL, &err);
        w->held = false;
        return false;
    }
    w->held = rc == 1;
    if (w->held && fresh) {
        char n[24];
        snprintf(n, sizeof n, "%lld", (long long)recovered);
        pc_log(PC_LOG_INFO, "notify.lease_taken", "holder", w->holder, "recovered", n, NULL);
    } else if (had && !w->held) {
        pc_log(PC_LOG_WARN, "notify.lease_lost", "holder", w->holder, NULL);
    }
    return w->held;
}

/* After the database came back: messages this holder claimed and could
 * neither send nor give back are still `sending` under its name, and
 * nobody else will touch them while it keeps the lease.  Results it could
 * not record were flushed first (flush_pending), so what is left was
 * never sent: due again now. */
static bool recover_own_claims(struct notify_worker *w, struct db_conn *c)
{
    struct pc_err err = {0};
    int64_t n = nt_recover(c, pc_now_unix(), w->cfg.max_attempts, w->holder, &err);
    if (n < 0) {
        db_trouble(w, "notify.db_error", NULL, &err);
        return false;
    }
    w->recover_own = false;
    if (n > 0) {
        char k[24];
        snprintf(k, sizeof k, "%lld", (long long)n);
        pc_log(PC_LOG_INFO, "notify.claims_recovered", "holder", w->holder, "recovered", k, NULL);
    }
    return true;
}

/* One pass; returns whether there may be more due right away. */
static bool pass(struct notify_worker *w, struct db_conn *c)
{
    if (!flush_pending(w, c))
        return false;
    if (!hold_lease(w, c))
        return false;
    if (w->recover_own && !recover_own_claims(w, c))
        return false;
    struct pc_arena a;
    pc_arena_init(&a);
    struct nt_item items[NT_BATCH];
    bool lost = false;
    struct pc_err err = {0};
    int n = nt_claim(c, &a, w->holder, pc_now_unix(), w->cfg.lease_secs, w->ch_email, w->ch_sms, NT_BATCH, items,
                     &lost, &err);
    if (n < 0)
        db_trouble(w, "notify.db_error", NULL, &err);
    if (lost) {
        w->held = false;
        pc_log(PC_LOG_WARN, "notify.lease_lost", "holder", w->holder, NULL);
    }
    for (int i = 0; i < n; i++) {
        bool go = !stopping(w);
        if (go && i > 0) {
            int r = db_lease_renew(c, NT_LEASE_NAME, w->holder, pc_now_unix(), w->cfg.lease_secs, &err);
            if (r < 0)
                db_trouble(w, "notify.db_error", NULL, &err);
            if (r != 1) {
                go = false;
                w->held = false;
                pc_log(PC_LOG_WARN, "notify.lease_lost", "holder", w->holder, NULL);
            }
        }
        if (!go) {
            /* give the rest back (due now) for whoever sends next */
            for (int k = i; k < n; k++)
                if (nt_unclaim(c, items[k].id, w->holder, pc_now_unix(), &err))
                    db_trouble(w, "notify.db_error", items[k].id, &err);
            break;
        }
        deliver(w, c, &a, &items[i]);
    }
    pc_arena_release(&a);
    return n == NT_BATCH && w->held;
}

static void *worker_main(void *arg)
{
    struct notify_worker *w = arg;
    struct pc_err err = {0};
    struct db_conn *c = NULL;
    int sleep_for = w->cfg.interval_ms;
    if (sleep_for > w->cfg.lease_secs * 1000 / 3)
        sleep_for = w->cfg.lease_secs * 1000 / 3;
    while (!stopping(w)) {
        if (!c && !(c = db_conn_get(w->db, &err))) {
            pc_log(PC_LOG_WARN, "notify.db_error", "error", err.msg, NULL);
            sleep_ms(w, sleep_for);
            continue;
        }
        bool more = pass(w, c);
        db_conn_idle(c);
        log_stats(w, c, false);
        if (w->db_failed) {
            db_conn_release_thread(w->db);
            c = NULL;
            w->db_failed = false;
            more = false;
        }
        if (!more)
            sleep_ms(w, sleep_for);
    }
    if (c) {
        flush_pending(w, c);
        /* conditional on being the holder: harmless when we are not */
        if (db_lease_release(c, NT_LEASE_NAME, w->holder, &err) == 0)
            w->held = false;
        log_stats(w, c, true);
    }
    for (int i = 0; i < w->npending; i++)
        pending_clear(&w->pending[i]);
    w->npending = 0;
    db_conn_release_thread(w->db);
    return NULL;
}

struct notify_worker *notify_worker_start(struct db *db, const struct notify_config *cfg, struct pc_err *err)
{
    if (notify_config_check(cfg, err))
        return NULL;
    char *password = NULL, *token = NULL;
    if (read_secret(cfg->smtp_password_file, "SMTP password", &password, err) ||
        read_secret(cfg->sms_token_file, "SMS token", &token, err)) {
        secret_free(password);
        return NULL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        secret_free(password);
        secret_free(token);
        pc_err_set(err, PC_EIO, "cannot initialise libcurl");
        return NULL;
    }
    struct notify_worker *w = calloc(1, sizeof *w);
    struct nt_sender *sender = w ? nt_sender_new(cfg, password, token, err) : NULL;
    secret_free(password);
    secret_free(token);
    if (!sender) {
        free(w);
        curl_global_cleanup();
        if (err && !err->code)
            pc_err_set(err, PC_ENOMEM, "out of memory");
        return NULL;
    }
    w->db = db;
    w->cfg = *cfg;
    w->sender = sender;
    w->ch_email = cfg->smtp_url ? "email" : NULL;
    w->ch_sms = cfg->sms_url ? "sms" : NULL;
    char host[64] = "", rnd[9];
    gethostname(host, sizeof host - 1);
    pc_random_hex(rnd, 4);
    snprintf(w->holder, sizeof w->holder, "%s/%ld/%s", host, (long)getpid(), rnd);
    snprintf(w->mail_domain, sizeof w->mail_domain, "localhost");
    if (cfg->mail_from) {
        const char *at = strrchr(cfg->mail_from, '@');
        if (at)
            snprintf(w->mail_domain, sizeof w->mail_domain, "%.*s", (int)strcspn(at + 1, ">"), at + 1);
    }
    w->stats_at = pc_now_unix();
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        nt_sender_free(w->sender);
        free(w);
        curl_global_cleanup();
        pc_err_set(err, PC_EIO, "cannot start the delivery thread");
        return NULL;
    }
    struct pc_arena a;
    pc_arena_init(&a);
    pc_log(PC_LOG_INFO, "notify.started", "holder", w->holder, "email", origin(&a, cfg->smtp_url), "sms",
           origin(&a, cfg->sms_url), NULL);
    pc_arena_release(&a);
    return w;
}

void notify_worker_request_stop(struct notify_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void notify_worker_stop(struct notify_worker *w)
{
    if (!w)
        return;
    notify_worker_request_stop(w);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    nt_sender_free(w->sender);
    free(w);
    curl_global_cleanup();
    pc_log(PC_LOG_INFO, "notify.stopped", NULL);
}

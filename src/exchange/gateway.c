/* gateway.c — a gateway's data directory, keys and background work.
 *
 *   DIR/gateway.json        {"id", "members": [ids], "services": {id: {"url", "soap"}}}
 *   DIR/anchor.json         the central registry's anchor (instance, URL, certificate)
 *   DIR/keys/auth.key       the gateway's authentication key (DIR/auth.csr for the CA)
 *   DIR/keys/CODE.key       a member's signing key (DIR/CODE.csr)
 *   DIR/certs/auth.pem, DIR/certs/CODE.pem   what the CA issued
 *   DIR/ca-chain.pem        the trusted CA, saved from the configuration (for verify-log)
 *
 * A background thread downloads the global configuration (verified with
 * the anchor), keeps fresh OCSP answers for the gateway's own
 * certificates and time-stamps the message log's head.  Request threads
 * read the configuration through a reference and never wait on the
 * network for it. */
#include "internal.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void xr_gateway_opts_defaults(struct xr_gateway_opts *o)
{
    *o = (struct xr_gateway_opts){
        .gconf_interval_ms = 60000,
        .ocsp_refresh_secs = 60,
        .ocsp_freshness_secs = 3600,
        .tsa_interval_secs = 60,
        .tsa_max_lag_secs = 14400,
        .timeout_ms = 30000,
        .max_message = 16 << 20,
        .log_bodies = true,
    };
}

/* ---- the data directory ------------------------------------------------- */

static json_t *load_json(const char *dir, const char *name, struct pc_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        pc_err_set(err, PC_EINVAL, "%s: %s", path, je.text);
    return j;
}

static int save_json(const char *dir, const char *name, json_t *j, struct pc_err *err)
{
    char path[1200], tmp[1210];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (json_dump_file(j, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) != 0 || rename(tmp, path) != 0)
        return pc_err_set(err, PC_EIO, "cannot write %s", path);
    return 0;
}

static int write_file(const char *path, const char *text, struct pc_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        return pc_err_set(err, PC_EIO, "cannot write %s", path);
    return 0;
}

int xr_gateway_add_member(const char *dir, const struct xr_id *member, struct pc_err *err)
{
    if (member->kind != XR_ID_MEMBER)
        return pc_err_set(err, PC_EINVAL, "a member is INSTANCE/CLASS/CODE");
    json_t *j = load_json(dir, "gateway.json", err);
    if (!j)
        return err->code;
    struct pc_arena a;
    pc_arena_init(&a);
    const char *id = xr_id_str(&a, member);
    json_t *members = json_object_get(j, "members"), *v;
    size_t i;
    int rc = 0;
    json_array_foreach(members, i, v)
        if (pc_str_eq(json_string_value(v), id))
            rc = pc_err_set(err, PC_ECONFLICT, "%s is a member of this gateway already", id);
    char key[1200], csr[1200];
    snprintf(key, sizeof key, "%s/keys/%s.key", dir, member->member);
    snprintf(csr, sizeof csr, "%s/%s.csr", dir, member->member);
    if (!rc)
        rc = xr_keygen(key, csr, err);
    if (!rc) {
        json_array_append_new(members, json_string(id));
        rc = save_json(dir, "gateway.json", j, err);
    }
    json_decref(j);
    pc_arena_release(&a);
    return rc;
}

int xr_gateway_init(const char *dir, const struct xr_id *gw, const char *anchor_json, struct pc_err *err)
{
    if (gw->kind != XR_ID_GATEWAY)
        return pc_err_set(err, PC_EINVAL, "a gateway is INSTANCE/CLASS/CODE/SERVERCODE");
    json_error_t je;
    json_t *anchor = json_loads(anchor_json, 0, &je);
    const char *inst = json_string_value(json_object_get(anchor, "instance")),
               *cert = json_string_value(json_object_get(anchor, "certificate"));
    X509 *x = cert ? xr_cert_from_pem(cert, strlen(cert)) : NULL;
    int rc = 0;
    if (!x || !json_string_value(json_object_get(anchor, "central_url")))
        rc = pc_err_set(err, PC_EINVAL, "the anchor lacks the central registry's URL or certificate");
    else if (!pc_str_eq(inst, gw->instance))
        rc = pc_err_set(err, PC_EINVAL, "the gateway is of instance %s, the anchor of %s", gw->instance, inst);
    X509_free(x);
    char path[1200], csr[1200];
    snprintf(path, sizeof path, "%s/gateway.json", dir);
    struct stat st;
    if (!rc && stat(path, &st) == 0)
        rc = pc_err_set(err, PC_ECONFLICT, "%s already holds a gateway", dir);
    snprintf(path, sizeof path, "%s/keys", dir);
    if (!rc && !(rc = xr_mkdirs(dir, err)) && !(rc = xr_mkdirs(path, err))) {
        snprintf(path, sizeof path, "%s/certs", dir);
        rc = xr_mkdirs(path, err);
    }
    struct pc_arena a;
    pc_arena_init(&a);
    if (!rc)
        rc = save_json(dir, "anchor.json", anchor, err);
    snprintf(path, sizeof path, "%s/keys/auth.key", dir);
    snprintf(csr, sizeof csr, "%s/auth.csr", dir);
    if (!rc)
        rc = xr_keygen(path, csr, err);
    if (!rc) {
        json_t *j = json_pack("{s:s, s:[], s:{}}", "id", xr_id_str(&a, gw), "members", "services");
        rc = save_json(dir, "gateway.json", j, err);
        json_decref(j);
    }
    struct xr_id owner;
    xr_id_member(gw, &owner);
    if (!rc)
        rc = xr_gateway_add_member(dir, &owner, err);
    json_decref(anchor);
    pc_arena_release(&a);
    return rc;
}

int xr_gateway_install_cert(const char *dir, const char *which, const char *pem, struct pc_err *err)
{
    char kp[1200], cp[1200];
    if (!which || !*which || strchr(which, '/') || which[0] == '.')
        return pc_err_set(err, PC_EINVAL, "which is \"auth\" or a member code");
    snprintf(kp, sizeof kp, "%s/keys/%s.key", dir, which);
    snprintf(cp, sizeof cp, "%s/certs/%s.pem", dir, which);
    EVP_PKEY *k = xr_key_load(kp, err);
    X509 *x = k ? xr_cert_from_pem(pem, strlen(pem)) : NULL;
    int rc = !k ? err->code : !x ? pc_err_set(err, PC_EINVAL, "the certificate is not PEM")
             : !xr_key_matches(k, x) ? pc_err_set(err, PC_EINVAL, "the certificate is not of the key %s", kp)
                                     : 0;
    if (!rc)
        rc = write_file(cp, pem, err);
    X509_free(x);
    EVP_PKEY_free(k);
    return rc;
}

int xr_gateway_set_service(const char *dir, const struct xr_id *service, const char *url, bool soap,
                           struct pc_err *err)
{
    if (service->kind != XR_ID_SERVICE)
        return pc_err_set(err, PC_EINVAL, "a service is INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE");
    if (!pc_str_has_prefix(url, "http://") && !pc_str_has_prefix(url, "https://"))
        return pc_err_set(err, PC_EINVAL, "a service's URL is http(s)");
    json_t *j = load_json(dir, "gateway.json", err);
    if (!j)
        return err->code;
    struct pc_arena a;
    pc_arena_init(&a);
    json_object_set_new(json_object_get(j, "services"), xr_id_str(&a, service),
                        json_pack("{s:s, s:b}", "url", url, "soap", soap));
    int rc = save_json(dir, "gateway.json", j, err);
    json_decref(j);
    pc_arena_release(&a);
    return rc;
}

/* ---- opening ------------------------------------------------------------ */

static int load_signer(struct xr_gateway *g, const char *which, struct xr_signer *s, struct pc_err *err)
{
    char kp[1200], cp[1200];
    snprintf(kp, sizeof kp, "%s/keys/%s.key", g->dir, which);
    snprintf(cp, sizeof cp, "%s/certs/%s.pem", g->dir, which);
    s->key = xr_key_load(kp, err);
    s->cert = s->key ? xr_cert_load(cp, err) : NULL;
    if (!s->cert)
        return pc_err_set(err, PC_EINVAL, "%s: no certificate installed for %s (pencere gateway install-cert)",
                          g->dir, which);
    xr_cert_fp(s->cert, s->fp);
    return 0;
}

static void free_signer(struct xr_signer *s)
{
    EVP_PKEY_free(s->key);
    X509_free(s->cert);
    free(s->ocsp);
}

struct xr_gateway *xr_gateway_open(const char *dir, const struct xr_gateway_opts *o, struct pc_err *err)
{
    struct xr_gateway *g = calloc(1, sizeof *g);
    if (!g)
        pc_oom(sizeof *g);
    snprintf(g->dir, sizeof g->dir, "%s", dir);
    g->o = *o;
    pc_arena_init(&g->arena);
    pthread_mutex_init(&g->lock, NULL);
    pthread_mutex_init(&g->wake_lock, NULL);
    pthread_cond_init(&g->wake, NULL);
    g->ocsp = xr_ocsp_cache_new();
    g->certs = xr_cert_cache_new();
    g->monitor = xr_monitor_new();
    g->replay = xr_replay_new();
    json_t *j = load_json(dir, "gateway.json", err), *anchor = j ? load_json(dir, "anchor.json", err) : NULL;
    int rc = anchor ? 0 : err->code;
    if (!rc)
        rc = xr_id_parse_str(json_string_value(json_object_get(j, "id")), XR_ID_GATEWAY, &g->id, err);
    if (!rc) {
        snprintf(g->id_str, sizeof g->id_str, "%s", xr_id_str(&g->arena, &g->id));
        const char *pem = json_string_value(json_object_get(anchor, "certificate"));
        g->anchor = pem ? xr_cert_from_pem(pem, strlen(pem)) : NULL;
        const char *url = json_string_value(json_object_get(anchor, "central_url"));
        g->central_url = url ? pc_arena_strdup(&g->arena, url) : NULL;
        if (!g->anchor || !g->central_url)
            rc = pc_err_set(err, PC_EINVAL, "%s/anchor.json lacks the certificate or the URL", dir);
    }
    if (!rc)
        rc = load_signer(g, "auth", &g->auth, err);
    json_t *members = json_object_get(j, "members"), *v;
    size_t i;
    g->nmembers = json_array_size(members);
    g->members = pc_arena_array(&g->arena, g->nmembers ? g->nmembers : 1, sizeof *g->members);
    json_array_foreach(members, i, v) {
        if (rc || (rc = xr_id_parse_str(json_string_value(v), XR_ID_MEMBER, &g->members[i].member, err)))
            break;
        rc = load_signer(g, g->members[i].member.member, &g->members[i], err);
    }
    json_t *svcs = json_object_get(j, "services");
    const char *key;
    g->nservices = json_object_size(svcs);
    g->services = pc_arena_array(&g->arena, g->nservices ? g->nservices : 1, sizeof *g->services);
    size_t n = 0;
    json_object_foreach(svcs, key, v) {
        struct xr_local_service *s = &g->services[n++];
        if (rc || (rc = xr_id_parse_str(key, XR_ID_SERVICE, &s->id, err)))
            break;
        const char *url = json_string_value(json_object_get(v, "url"));
        s->url = pc_arena_strdup(&g->arena, url ? url : "");
        s->soap = json_is_true(json_object_get(v, "soap"));
    }
    json_decref(j);
    json_decref(anchor);
    char dbp[1200];
    const char *url = o->db_url;
    if (!url) {
        snprintf(dbp, sizeof dbp, "%s/gateway.db", dir);
        url = dbp;
    }
    if (!rc && (!(g->db = db_open(url, err)) || db_migrate(g->db, err)))
        rc = err->code ? err->code : PC_EIO;
    if (!rc && !(g->log = xr_msglog_open(g->db, err)))
        rc = err->code ? err->code : PC_EIO;
    if (!rc && o->log_relaxed)
        xr_msglog_relax(g->log);
    if (rc) {
        xr_gateway_close(g);
        return NULL;
    }
    return g;
}

struct db *xr_gateway_db(struct xr_gateway *g)
{
    return g->db;
}

/* ---- the global configuration and certificate status --------------------------- */

static int fetch_file(void *ctx, struct pc_arena *a, const char *sha256, const char **data, size_t *len,
                      struct pc_err *err)
{
    struct xr_gateway *g = ctx;
    struct xr_http_call call = {"GET", pc_arena_printf(a, "%s/gconf/files/%s", g->central_url, sha256), NULL, 0,
                                NULL, NULL, 0, 10000, 8 << 20, NULL};
    struct xr_http_answer ans;
    enum xr_fault f;
    int rc = xr_http(a, &call, &ans, &f, err);
    if (!rc && ans.status != 200)
        rc = pc_err_set(err, PC_EUNAVAIL, "the central registry answered HTTP %ld for a file", ans.status);
    *data = (const char *)ans.body;
    *len = ans.len;
    return rc;
}

/* Download, verify and install the configuration when it is new. */
static int refresh_gconf(struct xr_gateway *g, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct xr_http_call call = {"GET", pc_arena_printf(&a, "%s/gconf", g->central_url), NULL, 0, NULL, NULL, 0,
                                10000, 1 << 20, NULL};
    struct xr_http_answer ans;
    enum xr_fault f;
    int rc = xr_http(&a, &call, &ans, &f, err);
    if (!rc && ans.status != 200)
        rc = pc_err_set(err, PC_EUNAVAIL, "the central registry answered HTTP %ld", ans.status);
    json_error_t je;
    json_t *j = rc ? NULL : json_loadb((const char *)ans.body, ans.len, 0, &je);
    if (!rc && !j)
        rc = pc_err_set(err, PC_EINVAL, "the central registry's answer is not JSON");
    struct xr_gconf *gc = NULL;
    if (!rc)
        rc = xr_gconf_load(json_string_value(json_object_get(j, "directory")),
                           json_string_value(json_object_get(j, "signature")), g->anchor, fetch_file, g, &gc, err);
    json_decref(j);
    if (!rc && !pc_str_eq(gc->instance, g->id.instance))
        rc = pc_err_set(err, PC_EINVAL, "the configuration is of instance %s", gc->instance);
    if (!rc) {
        pthread_mutex_lock(&g->lock);
        bool chain_changed = !g->gconf || !pc_str_eq(g->gconf->ca_chain, gc->ca_chain);
        struct xr_gconf *old = g->gconf;
        if (old && old->version > gc->version) {
            xr_gconf_unref(gc); /* an older one (another central node): keep ours */
            gc = NULL;
        } else {
            g->gconf = gc;
        }
        pthread_mutex_unlock(&g->lock);
        if (gc) {
            xr_gconf_unref(old);
            char path[1200];
            snprintf(path, sizeof path, "%s/ca-chain.pem", g->dir);
            if (chain_changed)
                rc = write_file(path, gc->ca_chain, err);
        }
    } else if (gc) {
        xr_gconf_unref(gc);
    }
    pc_arena_release(&a);
    return rc;
}

struct xr_gconf *xr_gateway_gconf(struct xr_gateway *g, struct pc_err *err)
{
    pthread_mutex_lock(&g->lock);
    struct xr_gconf *gc = g->gconf;
    if (gc && gc->expires > pc_now_unix())
        xr_gconf_ref(gc);
    else
        gc = NULL;
    pthread_mutex_unlock(&g->lock);
    if (!gc)
        pc_err_set(err, PC_EUNAVAIL, "the gateway holds no valid global configuration (it expired or never came)");
    return gc;
}

/* Fetch a fresh OCSP answer for one of our certificates. */
static int refresh_ocsp(struct xr_gateway *g, struct xr_gconf *gc, struct xr_signer *s, struct pc_err *err)
{
    if (!gc->ocsp_url)
        return pc_err_set(err, PC_EINVAL, "the configuration names no OCSP responder");
    struct pc_arena a;
    pc_arena_init(&a);
    unsigned char *der;
    size_t len;
    int status;
    int64_t tu;
    int rc = xr_ocsp_fetch(&a, gc->ocsp_url, gc->store, s->cert, &der, &len, &status, &tu, err);
    if (!rc) {
        unsigned char *copy = malloc(len);
        if (!copy)
            pc_oom(len);
        memcpy(copy, der, len);
        pthread_mutex_lock(&g->lock);
        free(s->ocsp);
        s->ocsp = copy;
        s->ocsp_len = len;
        s->ocsp_status = status;
        s->ocsp_this_update = tu;
        pthread_mutex_unlock(&g->lock);
    }
    pc_arena_release(&a);
    return rc;
}

static void refresh_all_ocsp(struct xr_gateway *g)
{
    struct pc_err err = {0};
    struct xr_gconf *gc = xr_gateway_gconf(g, &err);
    if (!gc)
        return;
    if (refresh_ocsp(g, gc, &g->auth, &err))
        pc_log(PC_LOG_WARN, "gateway.ocsp_failed", "cert", "auth", "msg", err.msg, NULL);
    for (size_t i = 0; i < g->nmembers; i++)
        if (refresh_ocsp(g, gc, &g->members[i], &err))
            pc_log(PC_LOG_WARN, "gateway.ocsp_failed", "cert", g->members[i].member.member, "msg", err.msg, NULL);
    xr_gconf_unref(gc);
}

int xr_gateway_own_ocsp(struct xr_gateway *g, struct xr_signer *s, struct pc_arena *a, const unsigned char **der,
                        size_t *len, struct pc_err *err)
{
    pthread_mutex_lock(&g->lock);
    int64_t age = pc_now_unix() - s->ocsp_this_update;
    int rc = !s->ocsp ? pc_err_set(err, PC_EUNAVAIL, "no OCSP answer for the certificate %s yet", s->fp)
             : s->ocsp_status != V_OCSP_CERTSTATUS_GOOD
                 ? pc_err_set(err, PC_EDENIED, "the certificate %s is not good (OCSP)", s->fp)
             : age > g->o.ocsp_freshness_secs
                 ? pc_err_set(err, PC_EUNAVAIL, "the OCSP answer for %s is %lld s old", s->fp, (long long)age)
                 : 0;
    if (!rc) {
        unsigned char *p = pc_arena_alloc(a, s->ocsp_len);
        memcpy(p, s->ocsp, s->ocsp_len);
        *der = p;
        *len = s->ocsp_len;
    }
    pthread_mutex_unlock(&g->lock);
    return rc;
}

/* ---- the background thread -------------------------------------------------- */

static void *background(void *arg)
{
    struct xr_gateway *g = arg;
    int64_t next_gconf = 0, next_ocsp = 0, next_stamp = 0;
    for (;;) {
        int64_t now = xr_now_ms();
        struct pc_err err = {0};
        if (now >= next_gconf) {
            if (refresh_gconf(g, &err)) {
                if (now - g->gconf_error_logged > 60000) {
                    pc_log(PC_LOG_WARN, "gateway.gconf_failed", "msg", err.msg, NULL);
                    g->gconf_error_logged = now;
                }
                next_gconf = now + 1000; /* soon again, without hammering */
            } else {
                next_gconf = now + g->o.gconf_interval_ms;
            }
            if (!next_ocsp)
                next_ocsp = now; /* the first configuration brings the responder's URL */
        }
        if (next_ocsp && now >= next_ocsp) {
            refresh_all_ocsp(g);
            next_ocsp = now + (int64_t)g->o.ocsp_refresh_secs * 1000;
        }
        if (g->o.tsa_interval_secs > 0 && now >= next_stamp) {
            struct xr_gconf *gc = xr_gateway_gconf(g, &err);
            if (gc && gc->tsa_url && xr_msglog_stamp(g->log, gc->tsa_url, &err))
                pc_log(PC_LOG_WARN, "gateway.stamp_failed", "msg", err.msg, NULL);
            xr_gconf_unref(gc);
            next_stamp = now + (int64_t)g->o.tsa_interval_secs * 1000;
        }
        int64_t due = next_gconf;
        if (next_ocsp && next_ocsp < due)
            due = next_ocsp;
        if (g->o.tsa_interval_secs > 0 && next_stamp < due)
            due = next_stamp;
        pthread_mutex_lock(&g->wake_lock);
        if (!g->stop) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            int64_t wait_ms = due - xr_now_ms();
            if (wait_ms < 1)
                wait_ms = 1;
            ts.tv_sec += wait_ms / 1000;
            ts.tv_nsec += (wait_ms % 1000) * 1000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&g->wake, &g->wake_lock, &ts);
        }
        bool stop = g->stop;
        pthread_mutex_unlock(&g->wake_lock);
        if (stop)
            return NULL;
    }
}

int xr_gateway_start(struct xr_gateway *g, int wait_ms, struct pc_err *err)
{
    /* A message's body is held several times over (received, answered,
     * logged): from 1 MiB (main's threshold, for Argon2id's work areas,
     * which a gateway never makes) each copy was a fresh mmap, faulted in
     * page by page and unmapped again, a quarter of a gateway's CPU for
     * 1 MB bodies.  Kept in the heap instead, freed blocks are used again
     * (a worker thread's arena keeps about its largest message). */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    if (pthread_create(&g->thread, NULL, background, g) != 0)
        return pc_err_set(err, PC_EIO, "cannot start the gateway's background thread");
    g->running = true;
    /* wait for a configuration and our OCSP answers, so the first request can go */
    for (int waited = 0; waited < wait_ms; waited += 20) {
        pthread_mutex_lock(&g->lock);
        bool ready = g->gconf && g->auth.ocsp;
        pthread_mutex_unlock(&g->lock);
        if (ready)
            return 0;
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
    return 0; /* not ready yet: requests are refused until it is, health says why */
}

void xr_gateway_close(struct xr_gateway *g)
{
    if (!g)
        return;
    if (g->running) {
        pthread_mutex_lock(&g->wake_lock);
        g->stop = true;
        pthread_cond_signal(&g->wake);
        pthread_mutex_unlock(&g->wake_lock);
        pthread_join(g->thread, NULL);
    }
    xr_msglog_close(g->log);
    if (g->db)
        db_close(g->db);
    xr_gconf_unref(g->gconf);
    xr_ocsp_cache_free(g->ocsp);
    xr_cert_cache_free(g->certs);
    xr_monitor_free(g->monitor);
    xr_replay_free(g->replay);
    free_signer(&g->auth);
    for (size_t i = 0; i < g->nmembers; i++)
        free_signer(&g->members[i]);
    X509_free(g->anchor);
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->wake_lock);
    pthread_mutex_destroy(&g->lock);
    pc_arena_release(&g->arena);
    free(g);
}

/* ---- signers, local services, proofs ------------------------------------------ */

struct xr_signer *xr_gateway_signer(struct xr_gateway *g, const struct xr_id *member)
{
    struct xr_id m;
    xr_id_member(member, &m);
    for (size_t i = 0; i < g->nmembers; i++)
        if (xr_id_eq(&g->members[i].member, &m))
            return &g->members[i];
    return NULL;
}

const struct xr_local_service *xr_gateway_local(struct xr_gateway *g, const struct xr_id *service)
{
    for (size_t i = 0; i < g->nservices; i++)
        if (xr_id_eq(&g->services[i].id, service))
            return &g->services[i];
    return NULL;
}

int xr_gateway_prove(struct xr_gateway *g, struct xr_signer *s, struct pc_arena *a, const char *hash,
                     const char *to_gateway, struct xr_proof *p, struct pc_err *err)
{
    memset(p, 0, sizeof *p);
    const char *in = xr_sig_input(a, hash);
    unsigned char *der;
    int rc = xr_sign(s->key, a, in, strlen(in), &p->signature, err);
    if (!rc)
        rc = xr_cert_der(s->cert, a, &der, &p->cert_len) ? pc_err_set(err, PC_EIO, "cannot encode a certificate")
                                                          : 0;
    if (!rc) {
        p->cert_der = der;
        rc = xr_gateway_own_ocsp(g, s, a, &p->ocsp_der, &p->ocsp_len, err);
    }
    if (!rc)
        rc = xr_gateway_own_ocsp(g, &g->auth, a, &p->auth_ocsp_der, &p->auth_ocsp_len, err);
    if (!rc) {
        p->gateway = g->id;
        p->auth_ts = pc_now_unix();
        const char *ai = xr_auth_input(a, hash, p->auth_ts, to_gateway);
        rc = xr_sign(g->auth.key, a, ai, strlen(ai), &p->auth_sig, err);
    }
    return rc;
}

#define AUTH_SKEW 300 /* seconds a gateway's authentication may be off */

int xr_gateway_check_proof(struct xr_gateway *g, const struct xr_gconf *gc, struct pc_arena *a,
                           const struct xr_proof *p, const struct xr_id *member, const char *hash, int gw_index,
                           X509 **cert, enum xr_fault *fault, struct pc_err *err)
{
    int64_t now = pc_now_unix();
    const struct xr_gc_gateway *gw = gw_index >= 0 ? &gc->gateways[gw_index] : NULL;
    *cert = NULL;
    *fault = XR_FAULT_AUTHENTICATION;
    if (!gw || !xr_id_eq(&gw->id, &p->gateway))
        return pc_err_set(err, PC_EDENIED, "the message comes from a gateway the configuration does not name for it");
    /* the content first: a changed message is a bad signature, whoever sent it */
    *fault = XR_FAULT_CERT_VALIDATION;
    X509 *x = xr_cert_cache_get(g->certs, gc, p->cert_der, p->cert_len, now, err);
    if (!x)
        return err->code;
    pc_arena_defer(a, (void (*)(void *))X509_free, x);
    int rc;
    if (!xr_cert_is_member(x, member))
        return pc_err_set(err, PC_EDENIED, "the signer's certificate is not of member %s", member->member);
    *fault = XR_FAULT_SIGNATURE;
    const char *in = xr_sig_input(a, hash);
    if (!xr_verify(x, in, strlen(in), p->signature))
        return pc_err_set(err, PC_EDENIED, "the message's signature does not verify");
    /* then who sent it: the gateway, towards us, now */
    *fault = XR_FAULT_AUTHENTICATION;
    const char *ai = xr_auth_input(a, hash, p->auth_ts, g->id_str);
    if (p->auth_ts < now - AUTH_SKEW || p->auth_ts > now + AUTH_SKEW)
        return pc_err_set(err, PC_EDENIED, "the gateway's authentication is %lld s off our clock",
                          (long long)(p->auth_ts - now));
    if (!xr_verify(gw->auth, ai, strlen(ai), p->auth_sig))
        return pc_err_set(err, PC_EDENIED, "the gateway's authentication signature does not verify");
    /* and both certificates good now */
    *fault = XR_FAULT_CERT_VALIDATION;
    if ((rc = xr_ocsp_check(g->ocsp, gc->store, gw->auth, p->auth_ocsp_der, p->auth_ocsp_len,
                            g->o.ocsp_freshness_secs, now, err)) ||
        (rc = xr_ocsp_check(g->ocsp, gc->store, x, p->ocsp_der, p->ocsp_len, g->o.ocsp_freshness_secs, now, err)))
        return rc;
    *fault = XR_FAULT_NONE;
    *cert = x;
    return 0;
}

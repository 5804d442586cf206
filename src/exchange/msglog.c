/* msglog.c — a gateway's message log: every request and response it sent
 * or received (refusals too), with its signature, in one hash chain:
 *
 *   digest = SHA-256 of the record's fields, each as "LENGTH:BYTES\n"
 *   chain  = SHA-256(previous chain (32 bytes) || digest), hex; the first
 *            record's previous chain is 32 zero bytes
 *
 * so a record changed, removed or moved breaks every chain value after
 * it.  The head is time-stamped by the certification centre's TSA (RFC
 * 3161, the imprint is the chain value): at a set interval by the
 * gateway's background thread, or after every record when configured.
 * Records are appended with group commit (one transaction, one fsync, for
 * all the records that arrived while the previous batch was written); one
 * gateway writes its own database.  Bodies are stored as bytes (body_raw,
 * migration 311): the digest covers their hash, never the stored form. */
#include "internal.h"

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TSA_ANSWER_MAX 16384

int64_t xr_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct pending;

/* Certificates known to be in xr_certs and OCSP answers known to be in
 * xr_msglog_ocsp (a gateway sees few signers and their newest answers),
 * so a record needs no look-up for them; only the batch's writer reads or
 * changes these, and a key joins once its batch is committed. */
#define KNOWN_KEYS 32

struct xr_msglog {
    struct db *db;
    pthread_mutex_t lock;
    pthread_cond_t committed;          /* a batch was written */
    bool writing;                      /* a thread is writing a batch */
    struct pending *queue, **tail;     /* records waiting for the next batch */
    bool relaxed;                      /* commits do not wait for the disk */
    int64_t seq;                       /* the last record's */
    char chain[65];
    int64_t stamped_seq;               /* the last record covered by a time-stamp */
    int64_t oldest_unstamped_ms;       /* when the first record after it was written (0: none) */
    char known[KNOWN_KEYS][72];        /* a ring of fingerprints and answers' references */
    size_t known_next;
    int64_t base_seen;                 /* the archive's base when the ring was last trusted */
    char batch_keys[KNOWN_KEYS][72];   /* stored by the batch being written */
    size_t nbatch_keys;
};

static const char *const side_names[] = {"consumer", "provider"};
static const char *const kind_names[] = {"request", "response"};

const char *xr_side_name(enum xr_side s)
{
    return side_names[s];
}

const char *xr_rec_kind_name(enum xr_rec_kind k)
{
    return kind_names[k];
}

void xr_logrec_digest(const char *const fields[], size_t n, unsigned char out[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
        pc_oom(0);
    for (size_t i = 0; i < n; i++) {
        const char *f = fields[i] ? fields[i] : "";
        char len[24];
        int l = snprintf(len, sizeof len, "%zu:", strlen(f));
        EVP_DigestUpdate(c, len, (size_t)l);
        EVP_DigestUpdate(c, f, strlen(f));
        EVP_DigestUpdate(c, "\n", 1);
    }
    EVP_DigestFinal_ex(c, out, NULL);
    EVP_MD_CTX_free(c);
}

int xr_chain_next(const char *prev_hex, const unsigned char digest[32], char out[65])
{
    unsigned char both[64] = {0};
    if (prev_hex[0]) {
        for (int i = 0; i < 32; i++) {
            unsigned v;
            if (sscanf(prev_hex + 2 * i, "%2x", &v) != 1)
                return PC_EINVAL;
            both[i] = (unsigned char)v;
        }
    }
    memcpy(both + 32, digest, 32);
    unsigned char md[32];
    xr_sha256(both, sizeof both, md);
    xr_hex(md, 32, out);
    return 0;
}

struct xr_msglog *xr_msglog_open(struct db *db, struct pc_err *err)
{
    struct db_conn *k = db_conn_get(db, err);
    if (!k)
        return NULL;
    struct xr_msglog *l = calloc(1, sizeof *l);
    if (!l)
        pc_oom(sizeof *l);
    l->db = db;
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->committed, NULL);
    l->tail = &l->queue;
    /* after archiving, the chain goes on from the base */
    int rc = xr_msglog_base(k, &l->seq, l->chain, NULL, 0, err) ? -1 : 0;
    l->base_seen = l->seq;
    struct db_stmt *s = rc ? NULL : db_prepare(k, "SELECT seq, chain FROM xr_msglog ORDER BY seq DESC LIMIT 1", err);
    rc = s ? db_step(s, err) : -1;
    if (rc == 1) {
        l->seq = db_col_int(s, 0);
        snprintf(l->chain, sizeof l->chain, "%s", db_col_text(s, 1));
    }
    s = rc >= 0 ? db_prepare(k, "SELECT COALESCE(MAX(seq), 0) FROM xr_msglog_stamps", err) : NULL;
    if (s && (rc = db_step(s, err)) == 1)
        l->stamped_seq = db_col_int(s, 0);
    s = rc >= 0 ? db_prepare(k, "SELECT COUNT(*), MIN(at_ms) FROM xr_msglog WHERE seq > ?", err) : NULL;
    if (s) {
        db_bind_int(s, 1, l->stamped_seq);
        if ((rc = db_step(s, err)) == 1)
            l->oldest_unstamped_ms = db_col_int(s, 0) ? db_col_int(s, 1) : 0;
    }
    db_idle(db);
    if (rc < 0) {
        xr_msglog_close(l);
        return NULL;
    }
    return l;
}

void xr_msglog_relax(struct xr_msglog *l)
{
    l->relaxed = true;
}

void xr_msglog_close(struct xr_msglog *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->lock);
    pthread_cond_destroy(&l->committed);
    free(l);
}

int64_t xr_msglog_records(struct xr_msglog *l)
{
    pthread_mutex_lock(&l->lock);
    int64_t n = l->seq;
    pthread_mutex_unlock(&l->lock);
    return n;
}

int64_t xr_msglog_unstamped_age(struct xr_msglog *l)
{
    pthread_mutex_lock(&l->lock);
    int64_t t = l->oldest_unstamped_ms;
    pthread_mutex_unlock(&l->lock);
    return t ? (xr_now_ms() - t) / 1000 : 0;
}

static bool known(const struct xr_msglog *l, const char *key)
{
    for (size_t i = 0; i < KNOWN_KEYS; i++)
        if (strcmp(l->known[i], key) == 0)
            return true;
    for (size_t i = 0; i < l->nbatch_keys; i++)
        if (strcmp(l->batch_keys[i], key) == 0)
            return true;
    return false;
}

/* Archiving deletes the OCSP answers no record names any more, so an
 * answer the ring remembers may be gone.  A batch shares the archive's
 * lock (an archive waits for the batch, or the batch for the archive) and,
 * once an archive has moved the base, forgets the ring: the answers are
 * looked up, and written again if missing. */
static int forget_if_archived(struct xr_msglog *l, struct db_conn *k, struct pc_err *err)
{
    int64_t base;
    char chain[65];
    int rc = db_xact_lock_shared(k, XR_LOCK_MSGLOG, err);
    if (!rc)
        rc = xr_msglog_base(k, &base, chain, NULL, 0, err);
    if (!rc && base != l->base_seen) {
        memset(l->known, 0, sizeof l->known);
        l->known_next = 0;
        l->base_seen = base;
    }
    return rc;
}

/* A row (key, value) of a table of things many records name, written
 * once: select finds the key, insert adds both.  value(ctx, arena) makes
 * the value only when it is needed. */
static int store_once(struct xr_msglog *l, struct db_conn *k, const char *select, const char *insert,
                      const char *key, const char *(*value)(const void *ctx, struct pc_arena *a), const void *ctx,
                      struct pc_err *err)
{
    if (known(l, key))
        return 0;
    struct pc_arena a;
    pc_arena_init(&a);
    struct db_stmt *s = db_prepare(k, select, err);
    int rc = -1;
    if (s) {
        db_bind_text(s, 1, key);
        rc = db_step(s, err);
    }
    if (rc == 0) {
        s = db_prepare(k, insert, err);
        if (s) {
            db_bind_text(s, 1, key);
            db_bind_text(s, 2, value(ctx, &a));
        }
        int64_t n = s ? db_run(s, err) : -1;
        rc = n < 0 ? (int)n : 0;
    }
    pc_arena_release(&a);
    if (rc >= 0 && l->nbatch_keys < KNOWN_KEYS)
        snprintf(l->batch_keys[l->nbatch_keys++], sizeof l->batch_keys[0], "%s", key);
    return rc < 0 ? (err && err->code ? err->code : PC_EIO) : 0;
}

static const char *cert_pem(const void *x, struct pc_arena *a)
{
    return xr_cert_pem(a, (X509 *)x);
}

static const char *as_is(const void *text, struct pc_arena *a)
{
    (void)a;
    return text;
}

/* Insert one record after (*seq, chain) and move them on. */
static int write_one(struct xr_msglog *l, struct db_conn *k, struct pc_arena *a, const struct xr_logrec *r,
                     int64_t *seq_io,
                     char chain_io[65], int64_t *at_out, struct pc_err *err)
{
    char fp[65] = "", ocsp_ref[72] = "";
    if (r->cert)
        xr_cert_fp(r->cert, fp);
    int rc = r->cert ? store_once(l, k, "SELECT 1 FROM xr_certs WHERE fp = ?",
                                  "INSERT INTO xr_certs (fp, pem) VALUES (?, ?)", fp, cert_pem, r->cert, err)
                     : 0;
    int64_t seq = *seq_io + 1, at_ms = r->at_ms ? r->at_ms : xr_now_ms();
    const char *ocsp = r->ocsp_len ? xr_b64(a, r->ocsp, r->ocsp_len) : "";
    const char *fields[XR_LOG_FIELDS] = {
        pc_arena_printf(a, "%lld", (long long)seq), pc_arena_printf(a, "%lld", (long long)at_ms), r->message_id,
        side_names[r->side], kind_names[r->kind], xr_proto_name(r->proto), r->client, r->service, r->user_id,
        r->issue, r->fault ? r->fault : "", r->block, r->body_hash, r->hash, r->signature ? r->signature : "", fp,
        ocsp};
    /* the same OCSP answer goes with every message until the next refresh:
     * stored once, the record names it (the digest still covers it whole) */
    if (!rc && *ocsp) {
        unsigned char md[32];
        xr_sha256(ocsp, strlen(ocsp), md);
        memcpy(ocsp_ref, XR_OCSP_REF, sizeof XR_OCSP_REF - 1);
        xr_hex(md, 32, ocsp_ref + sizeof XR_OCSP_REF - 1);
        rc = store_once(l, k, "SELECT 1 FROM xr_msglog_ocsp WHERE digest = ?",
                        "INSERT INTO xr_msglog_ocsp (digest, answer) VALUES (?, ?)", ocsp_ref, as_is, ocsp, err);
    }
    unsigned char digest[32];
    xr_logrec_digest(fields, XR_LOG_FIELDS, digest);
    char chain[65];
    xr_chain_next(chain_io, digest, chain);
    struct db_stmt *s =
        rc ? NULL
           : db_prepare(k, "INSERT INTO xr_msglog (seq, at_ms, message_id, side, kind, protocol, client, service, "
                           "user_id, issue, fault, block, body_hash, body_raw, hash, signature, cert, ocsp, prev, chain) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        err);
    if (s) {
        db_bind_int(s, 1, seq);
        db_bind_int(s, 2, at_ms);
        for (int i = 2; i < 13; i++)
            db_bind_text(s, i + 1, fields[i]);
        db_bind_blob(s, 14, r->body, r->body_len); /* NULL when bodies are not kept */
        for (int i = 13; i < 16; i++)
            db_bind_text(s, i + 2, fields[i]);
        db_bind_text(s, 18, ocsp_ref);
        db_bind_text(s, 19, chain_io);
        db_bind_text(s, 20, chain);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : 0;
    } else if (!rc) {
        rc = err && err->code ? err->code : PC_EIO;
    }
    if (!rc) {
        *seq_io = seq;
        memcpy(chain_io, chain, 65);
        *at_out = at_ms;
    }
    return rc;
}

/* --relaxed-log: commits on this thread's connection (kept until the
 * database closes) stop waiting for the disk.  Said once per connection;
 * should a new connection land at a freed one's address, it is merely
 * not relaxed (more durable, never less). */
static void relax(struct xr_msglog *l, struct db_conn *k)
{
    static _Thread_local const struct db_conn *relaxed;
    struct pc_err err = {0};
    if (k != relaxed &&
        !db_exec(k, db_kind(l->db) == DB_SQLITE ? "PRAGMA synchronous=NORMAL" : "SET synchronous_commit = off", &err))
        relaxed = k;
}

/* Group commit: whoever finds no writer at work becomes it, takes every
 * record queued so far and writes them in one transaction (one fsync for
 * all); the others wait until theirs is committed. */
struct pending {
    const struct xr_logrec *rec;
    int rc;
    bool done;
    struct pending *next;
};

int xr_msglog_append(struct xr_msglog *l, const struct xr_logrec *r, struct pc_err *err)
{
    struct pending me = {r, 0, false, NULL};
    pthread_mutex_lock(&l->lock);
    *l->tail = &me;
    l->tail = &me.next;
    while (!me.done) {
        if (l->writing) {
            pthread_cond_wait(&l->committed, &l->lock);
            continue;
        }
        l->writing = true;
        struct pending *batch = l->queue;
        l->queue = NULL;
        l->tail = &l->queue;
        int64_t seq = l->seq, first_ms = 0;
        char chain[65];
        memcpy(chain, l->chain, sizeof chain);
        pthread_mutex_unlock(&l->lock);

        struct pc_err berr = {0};
        struct pc_arena a;
        pc_arena_init(&a);
        struct db_conn *k = db_conn_get(l->db, &berr);
        if (k && l->relaxed)
            relax(l, k);
        l->nbatch_keys = 0;
        int rc = k ? db_begin(k, &berr) : (berr.code ? berr.code : PC_EUNAVAIL);
        if (!rc)
            rc = forget_if_archived(l, k, &berr);
        for (struct pending *q = batch; !rc && q; q = q->next) {
            int64_t at = 0;
            rc = write_one(l, k, &a, q->rec, &seq, chain, &at, &berr);
            if (!first_ms)
                first_ms = at;
        }
        if (k) {
            rc = db_end(k, rc, &berr);
            db_conn_idle(k);
        }
        pc_arena_release(&a);

        for (size_t i = 0; !rc && i < l->nbatch_keys; i++) {
            memcpy(l->known[l->known_next], l->batch_keys[i], sizeof l->known[0]);
            l->known_next = (l->known_next + 1) % KNOWN_KEYS;
        }
        pthread_mutex_lock(&l->lock);
        if (!rc) {
            l->seq = seq;
            memcpy(l->chain, chain, sizeof chain);
            if (!l->oldest_unstamped_ms)
                l->oldest_unstamped_ms = first_ms;
        }
        for (struct pending *q = batch, *next; q; q = next) {
            next = q->next;
            q->rc = rc;
            q->done = true;
        }
        if (rc && err)
            *err = berr; /* the writer tells its own caller; the others get the code */
        l->writing = false;
        pthread_cond_broadcast(&l->committed);
    }
    pthread_mutex_unlock(&l->lock);
    if (me.rc && err && !err->code)
        pc_err_set(err, me.rc, "the message log could not be written (a record written with it failed)");
    return me.rc;
}

/* ---- time-stamps ---------------------------------------------------------- */

int xr_tsa_stamp(struct pc_arena *a, const char *url, const unsigned char imprint[32], unsigned char **token,
                 size_t *len, struct pc_err *err)
{
    TS_REQ *q = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    ASN1_INTEGER *nonce = ASN1_INTEGER_new();
    unsigned char nb[8];
    uint64_t nv = 0;
    if (!q || !mi || !alg || !nonce || RAND_bytes(nb, sizeof nb) != 1)
        pc_oom(0);
    for (int i = 0; i < 8; i++)
        nv = nv << 8 | nb[i];
    bool ok = X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) && TS_MSG_IMPRINT_set_algo(mi, alg) &&
              TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)imprint, 32) && TS_REQ_set_version(q, 1) &&
              TS_REQ_set_msg_imprint(q, mi) && ASN1_INTEGER_set_uint64(nonce, nv >> 1) &&
              TS_REQ_set_nonce(q, nonce) && TS_REQ_set_cert_req(q, 1);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    ASN1_INTEGER_free(nonce);
    unsigned char *der = NULL;
    int n = ok ? i2d_TS_REQ(q, &der) : -1;
    int rc = n > 0 ? 0 : pc_err_set(err, PC_EIO, "cannot make a time-stamp request");
    struct xr_http_answer ans;
    if (!rc) {
        struct xr_http_call call = {"POST", url, NULL, 0, "application/timestamp-query", der, (size_t)n, 10000,
                                    TSA_ANSWER_MAX, NULL};
        enum xr_fault f;
        rc = xr_http(a, &call, &ans, &f, err);
        if (!rc && ans.status != 200)
            rc = pc_err_set(err, PC_EUNAVAIL, "the TSA answered HTTP %ld", ans.status);
    }
    OPENSSL_free(der);
    TS_RESP *r = NULL;
    if (!rc) {
        const unsigned char *p = ans.body;
        r = d2i_TS_RESP(NULL, &p, (long)ans.len);
        TS_VERIFY_CTX *v = TS_REQ_to_TS_VERIFY_CTX(q, NULL);
        if (v)
            TS_VERIFY_CTX_set_flags(v, TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
        if (!r || !v || TS_RESP_verify_response(v, r) != 1)
            rc = pc_err_set(err, PC_EUNAVAIL, "the TSA's answer is not a time-stamp of the log's head");
        TS_VERIFY_CTX_free(v);
    }
    if (!rc) {
        unsigned char *tok = NULL;
        int tl = i2d_PKCS7(TS_RESP_get_token(r), &tok);
        if (tl <= 0) {
            rc = pc_err_set(err, PC_EIO, "cannot encode the time-stamp token");
        } else {
            *token = pc_arena_alloc(a, (size_t)tl);
            memcpy(*token, tok, (size_t)tl);
            *len = (size_t)tl;
        }
        OPENSSL_free(tok);
    }
    TS_RESP_free(r);
    TS_REQ_free(q);
    ERR_clear_error();
    return rc;
}

int xr_tsa_verify(X509_STORE *st, const unsigned char *token, size_t len, const unsigned char imprint[32],
                  int64_t *gen_time, struct pc_err *err)
{
    const unsigned char *p = token;
    PKCS7 *tok = d2i_PKCS7(NULL, &p, (long)len);
    TS_TST_INFO *tst = tok ? PKCS7_to_TS_TST_INFO(tok) : NULL;
    TS_VERIFY_CTX *v = TS_VERIFY_CTX_new();
    unsigned char *im = OPENSSL_malloc(32);
    int rc = 0;
    if (!v || !im)
        pc_oom(0);
    memcpy(im, imprint, 32);
    if (!tst) {
        OPENSSL_free(im);
        rc = pc_err_set(err, PC_EINVAL, "the time-stamp token cannot be read");
    } else {
        X509_STORE_up_ref(st);
        TS_VERIFY_CTX_set_flags(v, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_IMPRINT);
        TS_VERIFY_CTX_set_imprint(v, im, 32);
        TS_VERIFY_CTX_set_store(v, st);
        if (TS_RESP_verify_token(v, tok) != 1)
            rc = pc_err_set(err, PC_EINVAL, "the time-stamp does not verify against the CA or the chain value");
        else if (gen_time) {
            struct tm tm;
            *gen_time = ASN1_TIME_to_tm(TS_TST_INFO_get_time(tst), &tm) ? (int64_t)timegm(&tm) : 0;
        }
    }
    TS_VERIFY_CTX_free(v);
    TS_TST_INFO_free(tst);
    PKCS7_free(tok);
    ERR_clear_error();
    return rc;
}

int xr_msglog_stamp(struct xr_msglog *l, const char *tsa_url, struct pc_err *err)
{
    pthread_mutex_lock(&l->lock);
    int64_t seq = l->seq;
    char chain[65];
    memcpy(chain, l->chain, sizeof chain);
    bool moved = seq > l->stamped_seq;
    pthread_mutex_unlock(&l->lock);
    if (!moved)
        return 0;
    unsigned char imprint[32];
    for (int i = 0; i < 32; i++) {
        unsigned v = 0;
        sscanf(chain + 2 * i, "%2x", &v);
        imprint[i] = (unsigned char)v;
    }
    struct pc_arena a;
    pc_arena_init(&a);
    unsigned char *tok;
    size_t len;
    int rc = xr_tsa_stamp(&a, tsa_url, imprint, &tok, &len, err);
    struct db_conn *k = rc ? NULL : db_conn_get(l->db, err);
    struct db_stmt *s =
        k ? db_prepare(k, "INSERT INTO xr_msglog_stamps (seq, chain, at, token) VALUES (?, ?, ?, ?)", err) : NULL;
    if (s) {
        db_bind_int(s, 1, seq);
        db_bind_text(s, 2, chain);
        db_bind_int(s, 3, pc_now_unix());
        db_bind_text(s, 4, xr_b64(&a, tok, len));
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : 0;
    } else if (!rc) {
        rc = err && err->code ? err->code : PC_EIO;
    }
    if (k)
        db_conn_idle(k);
    if (!rc) {
        pthread_mutex_lock(&l->lock);
        l->stamped_seq = seq;
        /* records written while the TSA answered wait for the next stamp */
        l->oldest_unstamped_ms = l->seq > seq ? xr_now_ms() : 0;
        pthread_mutex_unlock(&l->lock);
    }
    pc_arena_release(&a);
    return rc;
}

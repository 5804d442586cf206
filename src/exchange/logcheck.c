/* logcheck.c — a gateway's message log checked offline (`pencere gateway
 * verify-log`): every record in order (no gap), its chain value
 * recomputed from the previous one and its fields, its body against the
 * body hash, its message hash against its block, its signature against
 * the certificate it names; every time-stamp against the chain value of
 * the record it covers and the CA chain the gateway saved
 * (DIR/ca-chain.pem).  Nothing here trusts a stored chain value: the
 * first record that does not fit is named. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cert_row {
    char fp[65];
    X509 *x;
};

struct stamp_row {
    int64_t seq;
    char chain[65];
    const char *token;
};

struct check {
    struct pc_arena *a;                /* certificates and stamps */
    struct pc_arena *page;             /* what one page of records needs */
    struct cert_row *certs;
    size_t ncerts;
    struct stamp_row *stamps;
    size_t nstamps;
};

static X509 *cert_of(struct check *c, const char *fp)
{
    for (size_t i = 0; i < c->ncerts; i++)
        if (strcmp(c->certs[i].fp, fp) == 0)
            return c->certs[i].x;
    return NULL;
}

static int load(struct db_conn *k, struct check *c, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(k, "SELECT COUNT(*) FROM xr_certs", err);
    if (!s || db_step(s, err) != 1)
        return err && err->code ? err->code : PC_EIO;
    size_t n = (size_t)db_col_int(s, 0);
    c->certs = pc_arena_array(c->a, n + 1, sizeof *c->certs);
    s = db_prepare(k, "SELECT fp, pem FROM xr_certs", err);
    int r;
    while (s && c->ncerts < n && (r = db_step(s, err)) == 1) {
        struct cert_row *row = &c->certs[c->ncerts++];
        snprintf(row->fp, sizeof row->fp, "%s", db_col_text(s, 0));
        const char *pem = db_col_text(s, 1);
        row->x = xr_cert_from_pem(pem, strlen(pem));
    }
    s = db_prepare(k, "SELECT COUNT(*) FROM xr_msglog_stamps", err);
    if (!s || db_step(s, err) != 1)
        return err && err->code ? err->code : PC_EIO;
    n = (size_t)db_col_int(s, 0);
    c->stamps = pc_arena_array(c->a, n + 1, sizeof *c->stamps);
    s = db_prepare(k, "SELECT seq, chain, token FROM xr_msglog_stamps ORDER BY seq", err);
    while (s && c->nstamps < n && (r = db_step(s, err)) == 1) {
        struct stamp_row *row = &c->stamps[c->nstamps++];
        row->seq = db_col_int(s, 0);
        snprintf(row->chain, sizeof row->chain, "%s", db_col_text(s, 1));
        row->token = pc_arena_strdup(c->a, db_col_text(s, 2));
    }
    db_conn_idle(k);
    return 0;
}

const char *xr_read_text(struct pc_arena *a, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    struct pc_buf b;
    pc_buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        pc_buf_append(&b, chunk, n);
    fclose(f);
    const char *s = pc_arena_strndup(a, b.data ? b.data : "", b.len);
    pc_buf_release(&b);
    return s;
}

void xr_logrow_fields(struct pc_arena *a, struct db_stmt *s, const char *f[XR_LOG_FIELDS])
{
    f[0] = pc_arena_printf(a, "%lld", (long long)db_col_int(s, 0));
    f[1] = pc_arena_printf(a, "%lld", (long long)db_col_int(s, 1));
    for (int i = 2; i < XR_LOG_FIELDS; i++)
        f[i] = db_col_text(s, i);
}

enum { LOGROW_BODY = 17, LOGROW_BODY_RAW = 20 };

const char *xr_logrow_body_b64(struct pc_arena *a, struct db_stmt *s)
{
    size_t len;
    const void *raw = db_col_blob(s, LOGROW_BODY_RAW, &len);
    if (raw)
        return xr_b64(a, raw, len);
    return db_col_is_null(s, LOGROW_BODY) ? NULL : db_col_text(s, LOGROW_BODY);
}

static bool body_matches(struct pc_arena *a, const void *body, size_t len, const char *body_hash)
{
    const char *bh;
    return xr_hash(a, "", body, len, &bh) && strcmp(bh, body_hash) == 0;
}

/* One record: the row's columns in the order of XR_LOGROW_SELECT. */
static int check_record(struct check *c, struct db_stmt *s, int64_t want_seq, char prev[65], struct pc_err *err)
{
    int64_t seq = db_col_int(s, 0);
    const char *mid = db_col_text(s, 2), *where = pc_arena_printf(c->page, "record %lld (message %s, %s %s)",
                                                                     (long long)seq, mid, db_col_text(s, 3),
                                                                     db_col_text(s, 4));
    if (seq != want_seq)
        return pc_err_set(err, PC_EINVAL, "record %lld is missing (the next is %lld)", (long long)want_seq,
                          (long long)seq);
    const char *f[XR_LOG_FIELDS];
    xr_logrow_fields(c->page, s, f);
    const char *stored_prev = db_col_text(s, 18), *stored_chain = db_col_text(s, 19);
    if (strcmp(stored_prev, prev) != 0)
        return pc_err_set(err, PC_EINVAL, "%s: it does not follow the record before it", where);
    unsigned char digest[32];
    xr_logrec_digest(f, XR_LOG_FIELDS, digest);
    char chain[65];
    if (xr_chain_next(prev, digest, chain) || strcmp(chain, stored_chain) != 0)
        return pc_err_set(err, PC_EINVAL, "%s: its content does not match the hash chain", where);
    /* every form of the body stored must match its hash: the bytes, and
     * the base64 of a record written before migration 311 */
    size_t len;
    const unsigned char *raw = db_col_blob(s, LOGROW_BODY_RAW, &len);
    if (raw && !body_matches(c->page, raw, len, f[XR_LF_BODY_HASH]))
        return pc_err_set(err, PC_EINVAL, "%s: the body does not match its hash", where);
    unsigned char *old;
    if (!db_col_is_null(s, LOGROW_BODY) &&
        (xr_b64_decode_arena(c->page, db_col_text(s, LOGROW_BODY), (size_t)XR_MESSAGE_MAX, &old, &len) ||
         !body_matches(c->page, old, len, f[XR_LF_BODY_HASH])))
        return pc_err_set(err, PC_EINVAL, "%s: the body does not match its hash", where);
    const char *h = xr_hash_of(c->page, f[XR_LF_BLOCK], f[XR_LF_BODY_HASH]);
    if (!h || strcmp(h, f[XR_LF_HASH]) != 0)
        return pc_err_set(err, PC_EINVAL, "%s: the message hash does not match the message", where);
    if (f[XR_LF_SIGNATURE][0]) {
        X509 *x = cert_of(c, f[XR_LF_CERT]);
        const char *in = xr_sig_input(c->page, f[XR_LF_HASH]);
        if (!x || !xr_verify(x, in, strlen(in), f[XR_LF_SIGNATURE]))
            return pc_err_set(err, PC_EINVAL, "%s: the signature does not verify", where);
    }
    memcpy(prev, chain, 65);
    return 0;
}

static int check_stamps(struct check *c, const char *dir, struct db_conn *k, struct pc_err *err)
{
    if (!c->nstamps)
        return 0;
    char path[1200];
    snprintf(path, sizeof path, "%s/ca-chain.pem", dir);
    const char *pem = xr_read_text(c->a, path);
    if (!pem)
        return pc_err_set(err, PC_EINVAL, "%s is missing: the time-stamps cannot be checked", path);
    X509_STORE *st = xr_store_from_pem(pem);
    if (!st)
        return pc_err_set(err, PC_EINVAL, "%s holds no certificate", path);
    int rc = 0;
    for (size_t i = 0; !rc && i < c->nstamps; i++) {
        struct stamp_row *sr = &c->stamps[i];
        struct db_stmt *s = db_prepare(k, "SELECT chain FROM xr_msglog WHERE seq = ?", err);
        if (s)
            db_bind_int(s, 1, sr->seq);
        bool same = s && db_step(s, err) == 1 && strcmp(db_col_text(s, 0), sr->chain) == 0;
        db_conn_idle(k);
        unsigned char imprint[32], *tok;
        size_t tl;
        for (int j = 0; j < 32; j++) {
            unsigned v = 0;
            sscanf(sr->chain + 2 * j, "%2x", &v);
            imprint[j] = (unsigned char)v;
        }
        if (!same)
            rc = pc_err_set(err, PC_EINVAL, "the time-stamp of record %lld covers another chain value",
                            (long long)sr->seq);
        else if (xr_b64_decode_arena(c->a, sr->token, 1 << 16, &tok, &tl) ||
                 xr_tsa_verify(st, tok, tl, imprint, NULL, err))
            rc = pc_err_set(err, PC_EINVAL, "the time-stamp of record %lld does not verify", (long long)sr->seq);
    }
    X509_STORE_free(st);
    return rc;
}

int xr_msglog_verify(const char *dir, const char *db_url, int64_t *records, int64_t *stamps, struct pc_err *err)
{
    char path[1200];
    if (!db_url) {
        snprintf(path, sizeof path, "%s/gateway.db", dir);
        db_url = path;
    }
    *records = *stamps = 0;
    struct db *db = db_open(db_url, err);
    if (!db)
        return err && err->code ? err->code : PC_EIO;
    struct pc_arena a, page;
    pc_arena_init(&a);
    pc_arena_init(&page);
    struct check c = {.a = &a, .page = &page};
    struct db_conn *k = db_conn_get(db, err);
    int rc = k ? load(k, &c, err) : (err && err->code ? err->code : PC_EIO);
    /* the records in pages, so a big log needs no more memory; after
     * archiving they go on from the base */
    char prev[65] = "";
    int64_t seq = 1, base = 0;
    if (!rc && !(rc = xr_msglog_base(k, &base, prev, NULL, 0, err)))
        seq = base + 1;
    for (bool more = !rc; more && !rc;) {
        struct db_stmt *s = db_prepare(k, XR_LOGROW_SELECT " WHERE seq >= ? ORDER BY seq LIMIT 1000", err);
        if (!s) {
            rc = err && err->code ? err->code : PC_EIO;
            break;
        }
        db_bind_int(s, 1, seq);
        int r, n = 0;
        while (!rc && (r = db_step(s, err)) == 1) {
            rc = check_record(&c, s, seq, prev, err);
            seq++;
            n++;
        }
        if (!rc && r < 0)
            rc = r;
        more = n == 1000;
        db_conn_idle(k);
        pc_arena_release(&page);
        pc_arena_init(&page);
    }
    *records = seq - 1 - base;
    if (!rc)
        rc = check_stamps(&c, dir, k, err);
    if (!rc)
        *stamps = (int64_t)c.nstamps;
    for (size_t i = 0; i < c.ncerts; i++)
        X509_free(c.certs[i].x);
    pc_arena_release(&page);
    pc_arena_release(&a);
    db_close(db);
    return rc;
}

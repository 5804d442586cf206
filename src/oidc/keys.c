/* keys.c — the signing keys: ES256 (P-256) keys kept in the database with
 * the private half encrypted (PKCS#8, AES-256-CBC, PBKDF2) under the
 * node's passphrase, certified by our CA when the program supplies a
 * certifier, and rotated on a schedule with overlap:
 *
 *     key 1  |--- signs (period) ---|--- published (overlap) ---|
 *     key 2          |- published -|--- signs (period) ---| …
 *
 * A key is published `overlap` before it signs, so a site that fetched
 * the key set a little earlier already has it, and stays published
 * `overlap` after, so tokens it signed still verify.  Every node looks at
 * the table every OIDC_KEY_RECHECK_SECS; the node that finds the next key
 * missing makes it (made and certified outside the transaction, then
 * inserted under a database lock if no other node was quicker).  The
 * private key is decrypted only in this process's memory and never
 * logged. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* ---- making a key ------------------------------------------------------- */

struct new_key {
    char kid[44];
    const char *private_pem, *jwk, *chain;
};

static char *bio_text(struct pc_arena *a, BIO *b)
{
    char *p;
    long n = BIO_get_mem_data(b, &p);
    return n > 0 ? pc_arena_strndup(a, p, (size_t)n) : NULL;
}

/* An empty-subject CSR for the key: the CA writes the subject itself. */
static const char *csr_of(struct pc_arena *a, EVP_PKEY *k)
{
    X509_REQ *req = X509_REQ_new();
    BIO *b = BIO_new(BIO_s_mem());
    const char *pem = NULL;
    if (req && b && X509_REQ_set_version(req, 0) && X509_REQ_set_pubkey(req, k) &&
        X509_REQ_sign(req, k, EVP_sha256()) > 0 && PEM_write_bio_X509_REQ(b, req))
        pem = bio_text(a, b);
    BIO_free(b);
    X509_REQ_free(req);
    ERR_clear_error();
    return pem;
}

/* The DER certificates of a PEM chain as a JSON array of base64 (x5c). */
static json_t *x5c_of(const char *chain)
{
    json_t *arr = json_array();
    BIO *b = BIO_new_mem_buf(chain, -1);
    X509 *x;
    while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
        unsigned char *der = NULL;
        int len = i2d_X509(x, &der);
        if (len > 0) {
            char *enc = malloc((size_t)len * 4 / 3 + 8);
            if (!enc)
                pc_oom((size_t)len);
            EVP_EncodeBlock((unsigned char *)enc, der, len);
            json_array_append_new(arr, json_string(enc));
            free(enc);
        }
        OPENSSL_free(der);
        X509_free(x);
    }
    BIO_free(b);
    ERR_clear_error();
    return arr;
}

static int make_key(const struct oidc_config *cfg, struct pc_arena *a, struct new_key *out, struct pc_err *err)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    BIO *b = BIO_new(BIO_s_mem());
    char x[44], y[44];
    int rc = 0;
    if (!k || !b || oidc__jwk_of(k, x, y, out->kid) ||
        !PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)cfg->passphrase) ||
        !(out->private_pem = bio_text(a, b)))
        rc = pc_err_set(err, PC_EIO, "could not make a signing key");
    out->chain = NULL;
    if (!rc && cfg->certify) {
        const char *csr = csr_of(a, k);
        rc = csr ? cfg->certify(cfg->certify_ctx, a, csr, &out->chain, err)
                 : pc_err_set(err, PC_EIO, "could not make the signing key's CSR");
    }
    if (!rc) {
        json_t *jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", x, "y", y,
                                "kid", out->kid, "use", "sig", "alg", "ES256");
        if (out->chain)
            json_object_set_new(jwk, "x5c", x5c_of(out->chain));
        char *text = json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS);
        out->jwk = pc_arena_strdup(a, text);
        free(text);
        json_decref(jwk);
    }
    BIO_free(b);
    EVP_PKEY_free(k);
    ERR_clear_error();
    return rc;
}

static int insert_key(struct db_conn *c, const struct new_key *k, int64_t from, int64_t until, int64_t retire,
                      struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO oidc_keys (kid, private_pem, public_jwk, cert_pem, created_at, active_from, active_until,"
        " retire_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, k->kid);
    db_bind_text(s, 2, k->private_pem);
    db_bind_text(s, 3, k->jwk);
    if (k->chain)
        db_bind_text(s, 4, k->chain);
    else
        db_bind_null(s, 4);
    db_bind_int(s, 5, pc_now_unix());
    db_bind_int(s, 6, from);
    db_bind_int(s, 7, until);
    db_bind_int(s, 8, retire);
    int rc = oidc__ran(db_run(s, err));
    if (rc)
        return rc;
    struct audit_entry e = {.actor = "system", .role = "system", .action = "oidc.key.create",
                            .object_type = "oidc_key", .object_id = k->kid, .ip = "",
                            .detail = k->chain ? "certified by the CA" : "no certificate"};
    int64_t seq = audit_append(c, &e, err);
    return seq < 0 ? (int)seq : 0;
}

/* When the next key must start signing: 0 when none is needed yet, else
 * the start (now when no key signs now). */
static int next_key_start(struct db_conn *c, const struct oidc_config *cfg, int64_t now, int64_t *start,
                          struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "SELECT MAX(active_until), MAX(CASE WHEN active_from <= ? AND active_until > ? THEN 1 ELSE 0 END)"
        " FROM oidc_keys WHERE retire_at > ?", err);
    if (!s)
        return oidc__failed(err);
    db_bind_int(s, 1, now);
    db_bind_int(s, 2, now);
    db_bind_int(s, 3, now);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    bool signing = rc == 1 && !db_col_is_null(s, 1) && db_col_int(s, 1) == 1;
    int64_t until = rc == 1 && !db_col_is_null(s, 0) ? db_col_int(s, 0) : 0;
    db_conn_idle(c);
    if (!signing)
        *start = now;
    else if (until - now <= cfg->key_overlap_secs)
        *start = until;
    else
        *start = 0;
    return 0;
}

/* Make the next key when the schedule needs one. */
static int keys_maintain(struct db *db, const struct oidc_config *cfg, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return oidc__failed(err);
    int64_t now = pc_now_unix(), start;
    int rc = next_key_start(c, cfg, now, &start, err);
    if (rc || !start)
        return rc;
    struct pc_arena a;
    pc_arena_init(&a);
    struct new_key k;
    rc = make_key(cfg, &a, &k, err); /* outside the transaction: certifying may take a while */
    if (!rc)
        rc = db_begin(c, err);
    if (!rc) {
        int64_t again;
        rc = db_xact_lock(c, OIDC_LOCK_KEY, err);
        if (!rc)
            rc = next_key_start(c, cfg, now, &again, err);
        if (!rc && again == start)
            rc = insert_key(c, &k, start, start + cfg->key_period_secs,
                            start + cfg->key_period_secs + cfg->key_overlap_secs, err);
        rc = db_end(c, rc, err);
        if (!rc && again == start)
            pc_log(PC_LOG_INFO, "oidc.key_made", "kid", k.kid, "certified", k.chain ? "yes" : "no", NULL);
    }
    pc_arena_release(&a);
    return rc;
}

static EVP_PKEY *decrypt(const char *pem, const char *passphrase)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)passphrase) : NULL;
    BIO_free(b);
    ERR_clear_error();
    return k;
}

/* Does the passphrase open the keys in use?  (A key under another
 * passphrase would stop every node from loading the ring.) */
static int passphrase_opens(struct db *db, const struct oidc_config *cfg, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT private_pem FROM oidc_keys WHERE retire_at > ? ORDER BY kid", err)
                          : NULL;
    if (!s)
        return oidc__failed(err);
    db_bind_int(s, 1, pc_now_unix());
    int rc = db_step(s, err);
    EVP_PKEY *k = rc == 1 ? decrypt(db_col_text(s, 0), cfg->passphrase) : NULL;
    db_conn_idle(c);
    if (rc == 1 && !k)
        rc = pc_err_set(err, PC_EDENIED, "the passphrase does not open the signing keys in use");
    EVP_PKEY_free(k);
    return rc < 0 ? rc : 0;
}

int oidc_keys_rotate(struct db *db, const struct oidc_config *cfg, bool retire_old, struct pc_arena *a,
                     const char **kid, struct pc_err *err)
{
    struct new_key k;
    int rc = passphrase_opens(db, cfg, err);
    if (!rc)
        rc = make_key(cfg, a, &k, err);
    struct db_conn *c = rc ? NULL : db_conn_get(db, err);
    if (rc || !c)
        return rc ? rc : oidc__failed(err);
    int64_t now = pc_now_unix();
    int64_t from = retire_old ? now : now + 2 * OIDC_KEY_RECHECK_SECS;
    rc = db_begin(c, err);
    if (rc)
        return rc;
    rc = db_xact_lock(c, OIDC_LOCK_KEY, err);
    /* the keys signing after `from` stop then; they stay published for
     * the overlap, or not at all when they are to be retired */
    struct db_stmt *s = rc ? NULL : db_prepare(c,
        "UPDATE oidc_keys SET active_until = ?, retire_at = ? WHERE active_until > ? AND retire_at > ?", err);
    if (!rc && !s)
        rc = oidc__failed(err);
    if (!rc) {
        db_bind_int(s, 1, from);
        db_bind_int(s, 2, retire_old ? now : from + cfg->key_overlap_secs);
        db_bind_int(s, 3, retire_old ? 0 : from);
        db_bind_int(s, 4, now);
        rc = oidc__ran(db_run(s, err));
    }
    if (!rc)
        rc = insert_key(c, &k, from, from + cfg->key_period_secs,
                        from + cfg->key_period_secs + cfg->key_overlap_secs, err);
    rc = db_end(c, rc, err);
    if (!rc)
        *kid = pc_arena_strdup(a, k.kid);
    return rc;
}

/* ---- the node's ring ------------------------------------------------------ */

static void free_keys(struct oidc_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        EVP_PKEY_free(keys[i].pkey);
        free(keys[i].jwk);
    }
    free(keys);
}

void oidc__keys_free(struct oidc *o)
{
    free_keys(o->keys, o->nkeys);
    free(o->jwks);
    o->keys = NULL;
    o->jwks = NULL;
    o->nkeys = 0;
}


/* The published keys from the table; keys already held are kept, not
 * decrypted again. */
static int keys_load(struct oidc *o, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(o->db, err);
    struct db_stmt *s = c ? db_prepare(c,
        "SELECT kid, private_pem, public_jwk, active_from, active_until, retire_at FROM oidc_keys"
        " WHERE retire_at > ? ORDER BY active_from", err) : NULL;
    if (!s)
        return oidc__failed(err);
    db_bind_int(s, 1, pc_now_unix());
    struct oidc_key *keys = NULL;
    size_t n = 0;
    struct pc_buf set;
    pc_buf_init(&set, 1 << 20);
    pc_buf_puts(&set, "{\"keys\":[");
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        const char *kid = db_col_text(s, 0);
        if (strlen(kid) != 43)
            continue;
        struct oidc_key *nk = realloc(keys, (n + 1) * sizeof *keys);
        if (!nk)
            pc_oom((n + 1) * sizeof *keys);
        keys = nk;
        struct oidc_key *k = &keys[n];
        memset(k, 0, sizeof *k);
        memcpy(k->kid, kid, 44);
        for (size_t i = 0; i < o->nkeys && !k->pkey; i++)
            if (strcmp(o->keys[i].kid, kid) == 0 && EVP_PKEY_up_ref(o->keys[i].pkey))
                k->pkey = o->keys[i].pkey;
        if (!k->pkey && !(k->pkey = decrypt(db_col_text(s, 1), o->cfg.passphrase))) {
            rc = pc_err_set(err, PC_EDENIED, "cannot decrypt signing key %s: wrong --oidc-passphrase-file?", kid);
            n++;
            break;
        }
        k->jwk = strdup(db_col_text(s, 2));
        if (!k->jwk)
            pc_oom(strlen(db_col_text(s, 2)));
        k->active_from = db_col_int(s, 3);
        k->active_until = db_col_int(s, 4);
        k->retire_at = db_col_int(s, 5);
        pc_buf_printf(&set, "%s%s", n ? "," : "", k->jwk);
        n++;
    }
    db_conn_idle(c);
    pc_buf_puts(&set, "]}");
    if (rc < 0 || set.toobig) {
        free_keys(keys, n);
        pc_buf_release(&set);
        return rc < 0 ? rc : pc_err_set(err, PC_ETOOBIG, "the key set is too big");
    }
    oidc__keys_free(o);
    o->keys = keys;
    o->nkeys = n;
    o->jwks = pc_buf_steal(&set, NULL);
    return 0;
}

int oidc__keys_refresh(struct oidc *o, bool force, struct pc_err *err)
{
    int64_t now = pc_now_unix();
    if (!force && now - o->keys_checked < OIDC_KEY_RECHECK_SECS)
        return 0;
    o->keys_checked = now; /* a failure is tried again after the same pause */
    int rc = 0;
    if (!o->keys_making) {
        /* making a key may wait for the CA: not while every request waits
         * for keys_lock (the caller's; taken again before the ring changes) */
        o->keys_making = true;
        pthread_mutex_unlock(&o->keys_lock);
        rc = keys_maintain(o->db, &o->cfg, err);
        pthread_mutex_lock(&o->keys_lock);
        o->keys_making = false;
    }
    return rc ? rc : keys_load(o, err);
}

int oidc__signing_key(struct oidc *o, EVP_PKEY **key, char kid[44], struct pc_err *err)
{
    pthread_mutex_lock(&o->keys_lock);
    int rc = oidc__keys_refresh(o, false, err);
    int64_t now = pc_now_unix();
    const struct oidc_key *best = NULL;
    for (size_t i = 0; i < o->nkeys; i++)
        if (o->keys[i].active_from <= now && o->keys[i].active_until > now &&
            (!best || o->keys[i].active_from > best->active_from))
            best = &o->keys[i];
    if (best && EVP_PKEY_up_ref(best->pkey)) {
        *key = best->pkey;
        memcpy(kid, best->kid, 44);
        rc = 0;
    } else if (!rc) {
        rc = pc_err_set(err, PC_EUNAVAIL, "no signing key is ready (is the CA reachable?)");
    }
    pthread_mutex_unlock(&o->keys_lock);
    return rc;
}

EVP_PKEY *oidc__public_key(struct oidc *o, const char *kid)
{
    EVP_PKEY *k = NULL;
    pthread_mutex_lock(&o->keys_lock);
    oidc__keys_refresh(o, false, NULL);
    for (size_t i = 0; i < o->nkeys && !k; i++)
        if (pc_str_eq(o->keys[i].kid, kid) && EVP_PKEY_up_ref(o->keys[i].pkey))
            k = o->keys[i].pkey;
    pthread_mutex_unlock(&o->keys_lock);
    return k;
}

int oidc_jwks_json(struct oidc *o, struct pc_arena *a, const char **json, struct pc_err *err)
{
    pthread_mutex_lock(&o->keys_lock);
    int rc = oidc__keys_refresh(o, false, err);
    if (o->jwks) {
        *json = pc_arena_strdup(a, o->jwks);
        rc = 0;
    } else if (!rc) {
        rc = pc_err_set(err, PC_EUNAVAIL, "no signing key yet");
    }
    pthread_mutex_unlock(&o->keys_lock);
    return rc;
}

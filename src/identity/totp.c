/* totp.c — the optional second factor: time-based one-time passwords
 * (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as shown by any
 * authenticator app.  One step either side is accepted for clock drift;
 * each code works once (the last step used is kept per account).  Turning
 * it on and off happens here too, so the secret never leaves identity. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int id_totp_new_secret(char out[ID_TOTP_SECRET_LEN + 1])
{
    unsigned char key[20];
    if (pc_random_bytes(key, sizeof key))
        return PC_EIO;
    /* 20 bytes = 160 bits = 32 base32 characters exactly */
    int o = 0, bits = 0;
    uint32_t acc = 0;
    for (int i = 0; i < 20; i++) {
        acc = (acc << 8) | key[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = b32[(acc >> bits) & 31];
        }
    }
    out[o] = 0;
    return 0;
}

static int b32_decode(const char *s, unsigned char *out, size_t max)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (; *s; s++) {
        const char *p = strchr(b32, *s);
        if (!p || !*s)
            return -1;
        acc = (acc << 5) | (uint32_t)(p - b32);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (o >= max)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (int)o;
}

int id_totp_code(const char *secret, int64_t unix_secs, char out[7])
{
    unsigned char key[64], msg[8], mac[20];
    int klen = b32_decode(secret, key, sizeof key);
    if (klen <= 0)
        return PC_EINVAL;
    uint64_t counter = (uint64_t)(unix_secs / 30);
    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    unsigned int mlen = 0;
    HMAC(EVP_sha1(), key, klen, msg, sizeof msg, mac, &mlen);
    int off = mac[19] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    snprintf(out, 7, "%06u", bin % 1000000u);
    return 0;
}

int64_t id_totp_match(const char *secret, const char *code, int64_t now)
{
    if (!secret || !code || strlen(code) != 6)
        return -1;
    for (int d = -1; d <= 1; d++) {
        char want[7];
        if (id_totp_code(secret, now + d * 30, want) == 0 && pc_ct_equal(want, code, 6))
            return now / 30 + d;
    }
    return -1;
}

int id_totp_use(struct db_conn *c, const char *account_id, const char *secret, const char *code, int64_t now,
                struct pc_err *err)
{
    int64_t step = id_totp_match(secret, code, now);
    if (step < 0)
        return pc_err_set(err, PC_EINVAL, "wrong second-factor code");
    /* one statement: two requests with the same code cannot both win */
    struct db_stmt *s = db_prepare(c, "UPDATE accounts SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", err);
    if (!s)
        return id_failed(err);
    db_bind_int(s, 1, step);
    db_bind_text(s, 2, account_id);
    db_bind_int(s, 3, step);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    return n == 1 ? 0 : pc_err_set(err, PC_EINVAL, "this second-factor code was used already");
}

int id_totp_secret_of(struct db_conn *c, struct pc_arena *a, const char *account_id, const char **out,
                      struct pc_err *err)
{
    *out = NULL;
    struct db_stmt *s = db_prepare(c, "SELECT totp_secret FROM accounts WHERE id = ?", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, account_id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 1)
        *out = pc_arena_strdup(a, db_col_text(s, 0));
    db_conn_idle(c);
    return 0;
}

int id_totp_enabled(struct db *db, const char *account_id, bool *on, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    const char *secret = NULL;
    struct db_conn *c = db_conn_get(db, err);
    int rc = c ? id_totp_secret_of(c, &a, account_id, &secret, err) : id_failed(err);
    *on = rc == 0 && secret;
    pc_arena_release(&a);
    return rc;
}

/* Store secret (NULL: none) and end the account's other sessions, in the
 * transaction open on c: a change of how one logs in. */
static int store_secret(struct db_conn *c, const struct id_principal *p, const char *secret, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "UPDATE accounts SET totp_secret = ?, totp_last_step = 0 WHERE id = ?", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, secret);
    db_bind_text(s, 2, p->account_id);
    int64_t n = db_run(s, err);
    if (n != 1)
        return n < 0 ? (int)n : pc_err_set(err, PC_ENOTFOUND, "the account %s is gone", p->account_id);
    s = db_prepare(c, "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND token_hash <> ?"
                      " AND revoked_at IS NULL", err);
    if (!s)
        return id_failed(err);
    db_bind_int(s, 1, pc_now_unix());
    db_bind_text(s, 2, p->account_id);
    db_bind_text(s, 3, p->session_hash ? p->session_hash : "");
    return id_ran(db_run(s, err));
}

int id_totp_enable(struct db *db, const struct id_principal *p, const char *secret, const char *code,
                   const char *ip, struct pc_err *err)
{
    if (!secret || strlen(secret) != ID_TOTP_SECRET_LEN || id_totp_match(secret, code, pc_now_unix()) < 0)
        return pc_err_set(err, PC_EINVAL, "the code does not match; check the clock of your phone and try again");
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    /* the enrolment code only shows that the app works: the first login
     * may use it (each later code works once) */
    rc = store_secret(c, p, secret, err);
    struct audit_entry e = {.actor = p->account_id, .role = id_principal_role(p), .action = "account.totp_on",
                            .object_type = "account", .object_id = p->account_id, .ip = ip ? ip : "", .detail = ""};
    return audit_end(c, rc, &e, err);
}

int id_totp_disable(struct db *db, const struct id_principal *p, const char *code, const char *ip,
                    struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc == 0) {
        const char *secret = NULL;
        rc = id_totp_secret_of(c, &a, p->account_id, &secret, err);
        if (!rc && !secret)
            rc = pc_err_set(err, PC_EINVAL, "the second factor is off already");
        if (!rc)
            rc = id_totp_use(c, p->account_id, secret, code, pc_now_unix(), err);
        if (!rc)
            rc = store_secret(c, p, NULL, err);
        struct audit_entry e = {.actor = p->account_id, .role = id_principal_role(p), .action = "account.totp_off",
                                .object_type = "account", .object_id = p->account_id, .ip = ip ? ip : "",
                                .detail = ""};
        rc = audit_end(c, rc, &e, err);
    }
    pc_arena_release(&a);
    return rc;
}

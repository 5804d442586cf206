/* keyproc.c — the key process (`pencere ca keyd`), the only process that
 * holds the CA's private keys (OpenBSD relayd's "ca" process).  It loads
 * the keys of the data directory and then does one thing: on its socket,
 * a request "sign this digest with key K" gets a signature or an error.
 * It never learns what it signs and never sends a key.
 *
 * Hardening: not dumpable (so the network process, same user, cannot
 * ptrace it or read its memory through /proc), every other descriptor
 * closed, and it ends when the CA process does (PDEATHSIG, or EOF on the
 * socket).  A key that cannot be loaded (HSM unavailable) is tried again
 * on the next request for it, at most once a second.  Agencies' seal keys
 * (DIR/seals/ID.key) are loaded when first asked for, so a seal added
 * while the CA runs needs no restart. */
#include "internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#define SEALS_MAX 1024          /* agencies' seal keys held at once */

struct slot {
    char seal[PK_SEAL_ID_MAX + 1]; /* a seal's agency; "" for the fixed keys */
    EVP_PKEY *key;
    struct pc_err err;          /* why it is not loaded */
    int64_t tried_usec;
};

/* Load a fixed key (ref), or a seal's (ref NULL): its file is only ever
 * DIR/seals/ID.key. */
static void load(const struct pk_config *c, const struct pk_keyref *ref, const char *name, struct slot *s)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct pk_keyref seal = {.file = pc_arena_printf(&a, "%s/%s.key", PK_SEAL_DIR, s->seal)};
    s->tried_usec = pc_mono_usec();
    memset(&s->err, 0, sizeof s->err);
    s->key = pk_key_load(&a, c, ref ? ref : &seal, &s->err);
    if (!s->key)
        pc_log(PC_LOG_WARN, "keyd.key_unavailable", "key", name, "msg", s->err.msg, NULL);
    pc_arena_release(&a);
}

/* The slot of a seal, made (not yet loaded) on first use; NULL when the id
 * is not one or there are too many. */
static struct slot *seal_slot(struct slot *seals, size_t *n, const char *id)
{
    if (!pk_id_ok(id, strnlen(id, PK_SEAL_ID_MAX + 1)))
        return NULL;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(seals[i].seal, id) == 0)
            return &seals[i];
    if (*n == SEALS_MAX)
        return NULL;
    struct slot *s = &seals[(*n)++];
    memset(s, 0, sizeof *s);
    snprintf(s->seal, sizeof s->seal, "%s", id);
    s->tried_usec = -1000000;
    return s;
}

static void sign(const struct pk_keyd_req *q, EVP_PKEY *k, struct pk_keyd_resp *r)
{
    const EVP_MD *md = EVP_get_digestbynid(q->md_nid);
    if (!md || (size_t)EVP_MD_get_size(md) != q->dlen) {
        r->rc = PC_EINVAL;
        snprintf(r->msg, sizeof r->msg, "digest length %u does not fit its algorithm", q->dlen);
        return;
    }
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
    size_t n = sizeof r->sig;
    bool ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
              (!EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1) &&
              EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 && EVP_PKEY_sign(ctx, r->sig, &n, q->dgst, q->dlen) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        unsigned long e = ERR_peek_last_error();
        r->rc = PC_EUNAVAIL;
        snprintf(r->msg, sizeof r->msg, "signing failed: %s", e ? ERR_reason_error_string(e) : "unknown");
        ERR_clear_error();
        return;
    }
    r->siglen = (uint32_t)n;
}

int pki_keyd_main(const char *dir, int fd)
{
    /* no core dumps, no ptrace by the CA process, gone when it is */
    prctl(PR_SET_DUMPABLE, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGPIPE, SIG_IGN);
    for (int i = 3; i < 1024; i++)
        if (i != fd)
            close(i);
    struct pc_arena a;
    pc_arena_init(&a);
    struct pk_config cfg;
    struct pc_err err = {0};
    if (pk_config_load(&a, dir, &cfg, &err)) {
        pc_log(PC_LOG_ERROR, "keyd.config", "msg", err.msg, NULL);
        return 1;
    }
    struct slot slots[PK_KEY_COUNT] = {0};
    for (int k = 0; k < PK_KEY_COUNT; k++)
        load(&cfg, &cfg.keys[k], pk_key_name((enum pk_key_id)k), &slots[k]);
    struct slot *seals = calloc(SEALS_MAX, sizeof *seals);
    size_t nseals = 0;
    if (!seals)
        pc_oom(SEALS_MAX * sizeof *seals);
    pc_logf(PC_LOG_INFO, "keyd.started", "pid %d", (int)getpid());
    for (;;) {
        struct pk_keyd_req q;
        ssize_t n = recv(fd, &q, sizeof q, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* the CA process closed its end: done */
        struct pk_keyd_resp r = {.magic = PK_KEYD_MAGIC, .id = q.id};
        q.seal[sizeof q.seal - 1] = 0;
        struct slot *s = (size_t)n != sizeof q || q.magic != PK_KEYD_MAGIC || q.dlen > sizeof q.dgst ? NULL
                         : q.key < PK_KEY_COUNT ? &slots[q.key]
                         : q.key == PK_KEY_SEAL ? seal_slot(seals, &nseals, q.seal) : NULL;
        if (!s) {
            r.rc = PC_EINVAL;
            snprintf(r.msg, sizeof r.msg, "malformed request");
        } else {
            const char *name = s->seal[0] ? s->seal : pk_key_name((enum pk_key_id)q.key);
            if (!s->key && pc_mono_usec() - s->tried_usec >= 1000000)
                load(&cfg, s->seal[0] ? NULL : &cfg.keys[q.key], name, s);
            if (s->key) {
                sign(&q, s->key, &r);
            } else {
                r.rc = s->err.code == PC_ENOTFOUND ? PC_ENOTFOUND : s->err.code ? s->err.code : PC_EUNAVAIL;
                snprintf(r.msg, sizeof r.msg, "key %.32s: %.150s", name, s->err.msg);
            }
        }
        if (send(fd, &r, sizeof r, 0) < 0 && errno != EINTR)
            break;
    }
    for (int k = 0; k < PK_KEY_COUNT; k++)
        EVP_PKEY_free(slots[k].key);
    for (size_t i = 0; i < nseals; i++)
        EVP_PKEY_free(seals[i].key);
    free(seals);
    pc_arena_release(&a);
    return 0;
}

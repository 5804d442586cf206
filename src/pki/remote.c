/* remote.c — this side of the key process: starting it (a new image of
 * this program, so it shares no memory with us), the request/answer
 * channel, and EVP_PKEYs whose signing is done there.
 *
 * The keys are legacy EC_KEY / RSA objects with our own sign method
 * (EC_KEY_METHOD, RSA_METHOD) and only the public half: OpenSSL 3 sends
 * every EVP_DigestSign with such a "foreign" key down its legacy path to
 * the method, so X509_sign, X509_CRL_sign, OCSP_basic_sign, TS and CMS
 * signing all work unchanged.  Those methods are deprecated in OpenSSL 3;
 * this is the one file that silences that (an OpenSSL 3 provider would do
 * the same in several hundred more lines).
 *
 * The channel is one SOCK_SEQPACKET socket used by one thread at a time
 * (the key process signs one digest at a time anyway).  An answer that
 * does not come within the timeout, or a closed socket, marks the key
 * process down: it is killed, and started again by the first request a
 * second or more later; until then signing fails with PC_EUNAVAIL. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#define ANSWER_TIMEOUT_MS 10000   /* an HSM may be slow, but not this slow */
#define KEYD_FD 3

extern char **environ;

struct pk_signer {
    char *dir;
    pthread_mutex_t lock;
    int fd;                        /* -1 while down */
    pid_t pid;
    uint32_t next_id;
    int64_t started_usec;
};

static void reap(struct pk_signer *s, bool kill_it)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->pid > 0) {
        if (kill_it)
            kill(s->pid, SIGKILL);
        /* EOF makes it exit at once; do not wait for a stuck one long */
        for (int i = 0; i < 200 && waitpid(s->pid, NULL, WNOHANG) == 0; i++) {
            if (i == 100)
                kill(s->pid, SIGKILL);
            usleep(10000);
        }
    }
    s->pid = 0;
}

/* Start the key process; call with the lock held (or before sharing). */
static int spawn(struct pk_signer *s, struct pc_err *err)
{
    int sv[2];
    s->started_usec = pc_mono_usec();
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return pc_err_set(err, PC_EUNAVAIL, "key process: socketpair: %s", strerror(errno));
    /* the child's end must not already be KEYD_FD (dup2 onto itself would
     * keep close-on-exec) */
    int child = fcntl(sv[1], F_DUPFD_CLOEXEC, 16);
    close(sv[1]);
    if (child < 0) {
        close(sv[0]);
        return pc_err_set(err, PC_EUNAVAIL, "key process: %s", strerror(errno));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, child, KEYD_FD);
    char *argv[] = {"pencere", "ca", "keyd", "--data-dir", s->dir, "--fd", "3", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(child);
    if (rc != 0) {
        close(sv[0]);
        return pc_err_set(err, PC_EUNAVAIL, "cannot start the key process: %s", strerror(rc));
    }
    s->fd = sv[0];
    s->pid = pid;
    pc_logf(PC_LOG_INFO, "pki.keyd_spawned", "pid %d", (int)pid);
    return 0;
}

struct pk_signer *pk_signer_start(const char *dir, struct pc_err *err)
{
    struct pk_signer *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = strdup(dir)))
        pc_oom(sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->fd = -1;
    if (spawn(s, err)) {
        pthread_mutex_destroy(&s->lock);
        free(s->dir);
        free(s);
        return NULL;
    }
    return s;
}

void pk_signer_stop(struct pk_signer *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    reap(s, false);
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_destroy(&s->lock);
    free(s->dir);
    free(s);
}

int pk_signer_pid(struct pk_signer *s)
{
    pthread_mutex_lock(&s->lock);
    int pid = s->fd >= 0 ? (int)s->pid : 0;
    pthread_mutex_unlock(&s->lock);
    return pid;
}

/* One question and its answer; the lock is held.  A failure of the
 * channel itself marks the process down. */
static int roundtrip(struct pk_signer *s, const struct pk_keyd_req *q, struct pk_keyd_resp *r, struct pc_err *err)
{
    if (s->fd < 0) {
        if (pc_mono_usec() - s->started_usec < 1000000)
            return pc_err_set(err, PC_EUNAVAIL, "the key process is not running (restarting)");
        int rc = spawn(s, err);
        if (rc)
            return rc;
    }
    ssize_t n;
    do
        n = send(s->fd, q, sizeof *q, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof *q) {
        reap(s, true);
        return pc_err_set(err, PC_EUNAVAIL, "the key process is not running");
    }
    int64_t deadline = pc_mono_usec() + ANSWER_TIMEOUT_MS * 1000LL;
    for (;;) {
        int64_t left = (deadline - pc_mono_usec()) / 1000;
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int pr = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            reap(s, true);
            return pc_err_set(err, PC_EUNAVAIL, "the key process did not answer within %d ms", ANSWER_TIMEOUT_MS);
        }
        n = recv(s->fd, r, sizeof *r, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof *r || r->magic != PK_KEYD_MAGIC) {
            reap(s, true);
            return pc_err_set(err, PC_EUNAVAIL, "the key process is not running");
        }
        if (r->id == q->id)
            return 0;
        /* a late answer to a question given up on: skip it */
    }
}

int pk_signer_sign(struct pk_signer *s, enum pk_key_id k, const char *seal, int md_nid, const unsigned char *dgst,
                   size_t dlen, unsigned char *sig, size_t *siglen, struct pc_err *err)
{
    struct pk_keyd_req q = {.magic = PK_KEYD_MAGIC, .key = k, .md_nid = md_nid, .dlen = (uint32_t)dlen};
    if (dlen > sizeof q.dgst)
        return pc_err_set(err, PC_EINVAL, "digest too long");
    if (seal && strlen(seal) >= sizeof q.seal)
        return pc_err_set(err, PC_EINVAL, "seal id too long");
    if (seal)
        memcpy(q.seal, seal, strlen(seal));
    memcpy(q.dgst, dgst, dlen);
    struct pk_keyd_resp r;
    pthread_mutex_lock(&s->lock);
    q.id = ++s->next_id;
    int rc = roundtrip(s, &q, &r, err);
    pthread_mutex_unlock(&s->lock);
    if (rc)
        return rc;
    if (r.rc) {
        r.msg[sizeof r.msg - 1] = 0;
        return pc_err_set(err, r.rc, "%s", r.msg);
    }
    if (r.siglen > *siglen || r.siglen > sizeof r.sig)
        return pc_err_set(err, PC_EIO, "the key process sent a signature too long");
    memcpy(sig, r.sig, r.siglen);
    *siglen = r.siglen;
    return 0;
}

/* ---- EVP_PKEYs that sign over there ---------------------------------- */

struct remote_ref {
    struct pk_signer *signer;
    enum pk_key_id key;
    char seal[PK_SEAL_ID_MAX + 1];
};

static _Thread_local struct pc_err last_err;
static pthread_once_t methods_once = PTHREAD_ONCE_INIT;
static int ec_index = -1, rsa_index = -1;
static EC_KEY_METHOD *ec_method;
static RSA_METHOD *rsa_method;

int pk_remote_error(struct pc_err *err)
{
    int code = last_err.code;
    if (code)
        pc_err_set(err, code, "%s", last_err.msg);
    memset(&last_err, 0, sizeof last_err);
    return code;
}

static int remote_sign(const struct remote_ref *ref, int md_nid, const unsigned char *d, size_t dlen,
                       unsigned char *sig, size_t *siglen)
{
    if (!ref)
        return pc_err_set(&last_err, PC_EIO, "not a remote key");
    return pk_signer_sign(ref->signer, ref->key, ref->seal[0] ? ref->seal : NULL, md_nid, d, dlen, sig, siglen,
                          &last_err);
}

/* ECDSA gives the method only the digest: its length names it. */
static int md_of_length(int dlen)
{
    switch (dlen) {
    case 20: return NID_sha1;
    case 28: return NID_sha224;
    case 32: return NID_sha256;
    case 48: return NID_sha384;
    case 64: return NID_sha512;
    default: return NID_undef;
    }
}

static int ec_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig, unsigned int *siglen,
                   const BIGNUM *kinv, const BIGNUM *r, EC_KEY *eckey)
{
    (void)type;
    (void)kinv;
    (void)r;
    size_t n = (size_t)ECDSA_size(eckey);
    if (remote_sign(EC_KEY_get_ex_data(eckey, ec_index), md_of_length(dlen), dgst, (size_t)dlen, sig, &n))
        return 0;
    *siglen = (unsigned)n;
    return 1;
}

static ECDSA_SIG *ec_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv, const BIGNUM *r,
                              EC_KEY *eckey)
{
    unsigned char buf[PK_SIG_MAX];
    unsigned int n = 0;
    if ((size_t)ECDSA_size(eckey) > sizeof buf || !ec_sign(0, dgst, dlen, buf, &n, kinv, r, eckey))
        return NULL;
    const unsigned char *p = buf;
    return d2i_ECDSA_SIG(NULL, &p, n);
}

static int rsa_sign(int type, const unsigned char *m, unsigned int m_len, unsigned char *sig, unsigned int *siglen,
                    const RSA *rsa)
{
    size_t n = (size_t)RSA_size(rsa);
    if (remote_sign(RSA_get_ex_data(rsa, rsa_index), type, m, m_len, sig, &n))
        return 0;
    *siglen = (unsigned)n;
    return 1;
}

static void ref_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
    free(ptr);
}

static void methods_init(void)
{
    ec_index = EC_KEY_get_ex_new_index(0, NULL, NULL, NULL, ref_free);
    rsa_index = RSA_get_ex_new_index(0, NULL, NULL, NULL, ref_free);
    ec_method = EC_KEY_METHOD_new(EC_KEY_get_default_method());
    rsa_method = RSA_meth_dup(RSA_get_default_method());
    if (!ec_method || !rsa_method)
        pc_oom(0);
    EC_KEY_METHOD_set_sign(ec_method, ec_sign, NULL, ec_sign_sig);
    RSA_meth_set1_name(rsa_method, "pencere key process");
    RSA_meth_set_sign(rsa_method, rsa_sign);
}

static EVP_PKEY *remote_ec(EVP_PKEY *pub, struct remote_ref *ref)
{
    char curve[64];
    unsigned char point[256];
    size_t clen = 0, plen = 0;
    if (!EVP_PKEY_get_utf8_string_param(pub, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve, &clen) ||
        !EVP_PKEY_get_octet_string_param(pub, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &plen))
        return NULL;
    EC_KEY *ec = EC_KEY_new_by_curve_name(OBJ_sn2nid(curve) != NID_undef ? OBJ_sn2nid(curve) : EC_curve_nist2nid(curve));
    EVP_PKEY *k = EVP_PKEY_new();
    if (!ec || !k || !EC_KEY_set_method(ec, ec_method) || !EC_KEY_oct2key(ec, point, plen, NULL) ||
        !EC_KEY_set_ex_data(ec, ec_index, ref) || !EVP_PKEY_assign_EC_KEY(k, ec)) {
        if (ec)
            EC_KEY_set_ex_data(ec, ec_index, NULL); /* the caller frees ref */
        EC_KEY_free(ec);
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

static EVP_PKEY *remote_rsa(EVP_PKEY *pub, struct remote_ref *ref)
{
    BIGNUM *n = NULL, *e = NULL;
    RSA *rsa = RSA_new();
    EVP_PKEY *k = EVP_PKEY_new();
    if (!rsa || !k || !EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_N, &n) ||
        !EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_E, &e) || !RSA_set_method(rsa, rsa_method) ||
        !RSA_set0_key(rsa, n, e, NULL)) {
        BN_free(n);
        BN_free(e);
        RSA_free(rsa);
        EVP_PKEY_free(k);
        return NULL;
    }
    if (!RSA_set_ex_data(rsa, rsa_index, ref) || !EVP_PKEY_assign_RSA(k, rsa)) {
        RSA_set_ex_data(rsa, rsa_index, NULL); /* the caller frees ref */
        RSA_free(rsa);
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

EVP_PKEY *pk_remote_key(struct pk_signer *s, enum pk_key_id k, const char *seal, X509 *cert, struct pc_err *err)
{
    pthread_once(&methods_once, methods_init);
    EVP_PKEY *pub = X509_get0_pubkey(cert);
    struct remote_ref *ref = calloc(1, sizeof *ref);
    if (!ref)
        pc_oom(sizeof *ref);
    ref->signer = s;
    ref->key = k;
    if (seal)
        snprintf(ref->seal, sizeof ref->seal, "%s", seal);
    EVP_PKEY *out = NULL;
    if (pub && EVP_PKEY_is_a(pub, "EC"))
        out = remote_ec(pub, ref);
    else if (pub && EVP_PKEY_is_a(pub, "RSA"))
        out = remote_rsa(pub, ref);
    if (!out) {
        free(ref); /* on failure nothing took it */
        ERR_clear_error();
        pc_err_set(err, PC_EINVAL, "key %s: the certificate's public key is not EC or RSA", pk_key_name(k));
    }
    return out;
}

/* sim.c — the SIM card of the phone emulator (`pencere phone`): three
 * P-256 keys (authentication, signing, the channel to the service), PIN1
 * for the authentication key, PIN2 for the signing key and a PUK that
 * unblocks them, each with a retry counter that blocks.
 *
 * On disk, in the SIM's directory (mode 0700):
 *   auth.pem, sign.pem, channel.pem   the private keys (PKCS#8, 0600)
 *   sim.json    the number, PBKDF2 hashes of PIN1, PIN2 and PUK with
 *               their salts and tries left
 * A real SIM never lets a key out; the emulator keeps them in files.
 * Every check of a PIN takes an exclusive lock, reads the counters again,
 * and writes them back (rename) before it answers, so two processes on
 * one SIM cannot try more PINs than the counter allows. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define PBKDF2_ITER 20000

enum secret { PIN1, PIN2, PUK, NSECRETS };
static const char *const secret_names[NSECRETS] = {"pin1", "pin2", "puk"};
static const char *const key_files[] = {"auth.pem", "sign.pem", "channel.pem"};
enum { KEY_AUTH, KEY_SIGN, KEY_CHANNEL, NKEYS };

struct secret_state {
    char salt[33];     /* hex */
    char hash[65];     /* hex PBKDF2-HMAC-SHA256 */
    int tries;
};

struct mid_sim {
    char *dir;
    char phone[MID_PHONE_MAX + 1];
    EVP_PKEY *keys[NKEYS];
    struct secret_state sec[NSECRETS];
};

static void derive(const char *secret, const char *salt, char out[65])
{
    unsigned char d[32];
    PKCS5_PBKDF2_HMAC(secret, (int)strlen(secret), (const unsigned char *)salt, (int)strlen(salt), PBKDF2_ITER,
                      EVP_sha256(), sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void set_secret(struct secret_state *s, const char *value, int tries)
{
    pc_random_hex(s->salt, 16);
    derive(value, s->salt, s->hash);
    s->tries = tries;
}

static bool digits(const char *s, size_t min, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n >= min && n <= max;
}

static int tries_of(enum secret k)
{
    return k == PUK ? MID_PUK_TRIES : MID_PIN_TRIES;
}

static char *path_of(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p)
        pc_oom(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* ---- sim.json ---------------------------------------------------------------- */

static int save(const struct mid_sim *s, struct pc_err *err)
{
    json_t *j = json_pack("{s:s}", "phone", s->phone);
    for (int i = 0; i < NSECRETS; i++)
        json_object_set_new(j, secret_names[i], json_pack("{s:s, s:s, s:i}", "salt", s->sec[i].salt, "hash",
                                                          s->sec[i].hash, "tries", s->sec[i].tries));
    char *tmp = path_of(s->dir, "sim.json.tmp"), *dst = path_of(s->dir, "sim.json");
    int rc = json_dump_file(j, tmp, JSON_INDENT(2)) == 0 && rename(tmp, dst) == 0
                 ? 0
                 : pc_err_set(err, PC_EIO, "cannot write %s: %s", dst, strerror(errno));
    json_decref(j);
    free(tmp);
    free(dst);
    return rc;
}

static int load(struct mid_sim *s, struct pc_err *err)
{
    char *p = path_of(s->dir, "sim.json");
    json_error_t je;
    json_t *j = json_load_file(p, 0, &je);
    free(p);
    if (!j)
        return pc_err_set(err, PC_ENOTFOUND, "no SIM in %s (%s)", s->dir, je.text);
    const char *phone = json_string_value(json_object_get(j, "phone"));
    int rc = phone && strlen(phone) <= MID_PHONE_MAX ? 0 : PC_EINVAL;
    if (!rc)
        snprintf(s->phone, sizeof s->phone, "%s", phone);
    for (int i = 0; !rc && i < NSECRETS; i++) {
        json_t *o = json_object_get(j, secret_names[i]);
        const char *salt = json_string_value(json_object_get(o, "salt"));
        const char *hash = json_string_value(json_object_get(o, "hash"));
        json_t *t = json_object_get(o, "tries");
        if (!salt || !hash || strlen(salt) != 32 || strlen(hash) != 64 || !json_is_integer(t)) {
            rc = PC_EINVAL;
            break;
        }
        memcpy(s->sec[i].salt, salt, 33);
        memcpy(s->sec[i].hash, hash, 65);
        s->sec[i].tries = (int)json_integer_value(t);
    }
    json_decref(j);
    return rc ? pc_err_set(err, rc, "%s/sim.json is damaged", s->dir) : 0;
}

/* Hold the SIM's lock (flock on DIR/sim.lock): the fd, or -1. */
static int lock_sim(const char *dir, struct pc_err *err)
{
    char *p = path_of(dir, "sim.lock");
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    free(p);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) {
        if (fd >= 0)
            close(fd);
        pc_err_set(err, PC_EIO, "cannot lock the SIM in %s: %s", dir, strerror(errno));
        return -1;
    }
    return fd;
}

static void unlock_sim(int fd)
{
    flock(fd, LOCK_UN);
    close(fd);
}

/* ---- create and open -------------------------------------------------------------- */

int mid_sim_create(const char *dir, const char *phone, const char *pin1, const char *pin2, const char *puk,
                   struct pc_err *err)
{
    struct mid_sim s = {.dir = (char *)dir};
    if (!mid_phone_normalize(phone, s.phone))
        return pc_err_set(err, PC_EINVAL, "the phone number must be + and 8 to 15 digits");
    if (!digits(pin1, 4, 8) || !digits(pin2, 5, 8) || !digits(puk, 8, 8))
        return pc_err_set(err, PC_EINVAL, "PIN1 is 4 to 8 digits, PIN2 5 to 8, the PUK 8");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return pc_err_set(err, PC_EIO, "cannot make %s: %s", dir, strerror(errno));
    char *probe = path_of(dir, "sim.json");
    bool exists = access(probe, F_OK) == 0;
    free(probe);
    if (exists)
        return pc_err_set(err, PC_ECONFLICT, "%s already holds a SIM", dir);
    int rc = 0;
    for (int i = 0; !rc && i < NKEYS; i++) {
        EVP_PKEY *k = EVP_EC_gen("P-256");
        char *p = path_of(dir, key_files[i]);
        int fd = k ? open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!f || !PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL))
            rc = pc_err_set(err, PC_EIO, "cannot write %s", p);
        if (f)
            fclose(f);
        else if (fd >= 0)
            close(fd);
        free(p);
        EVP_PKEY_free(k);
    }
    ERR_clear_error();
    if (rc)
        return rc;
    set_secret(&s.sec[PIN1], pin1, MID_PIN_TRIES);
    set_secret(&s.sec[PIN2], pin2, MID_PIN_TRIES);
    set_secret(&s.sec[PUK], puk, MID_PUK_TRIES);
    return save(&s, err);
}

struct mid_sim *mid_sim_open(const char *dir, struct pc_err *err)
{
    struct mid_sim *s = calloc(1, sizeof *s);
    if (!s)
        pc_oom(sizeof *s);
    s->dir = strdup(dir);
    if (!s->dir)
        pc_oom(strlen(dir));
    int rc = load(s, err);
    for (int i = 0; !rc && i < NKEYS; i++) {
        char *p = path_of(dir, key_files[i]);
        FILE *f = fopen(p, "r");
        s->keys[i] = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
        if (f)
            fclose(f);
        if (!s->keys[i])
            rc = pc_err_set(err, PC_EIO, "cannot read the key %s", p);
        free(p);
    }
    ERR_clear_error();
    if (rc) {
        mid_sim_close(s);
        return NULL;
    }
    return s;
}

void mid_sim_close(struct mid_sim *s)
{
    if (!s)
        return;
    for (int i = 0; i < NKEYS; i++)
        EVP_PKEY_free(s->keys[i]);
    OPENSSL_cleanse(s->sec, sizeof s->sec);
    free(s->dir);
    free(s);
}

const char *mid_sim_phone(const struct mid_sim *s)
{
    return s->phone;
}

/* ---- the enrolment text ----------------------------------------------------------- */

static int csr_pem(EVP_PKEY *k, struct pc_buf *out)
{
    X509_REQ *req = X509_REQ_new();
    BIO *b = BIO_new(BIO_s_mem());
    int ok = req && b && X509_REQ_set_version(req, 0) && X509_REQ_set_pubkey(req, k) &&
             X509_REQ_sign(req, k, EVP_sha256()) > 0 && PEM_write_bio_X509_REQ(b, req);
    char *p;
    long n = ok ? BIO_get_mem_data(b, &p) : 0;
    if (ok)
        pc_buf_append(out, p, (size_t)n);
    X509_REQ_free(req);
    BIO_free(b);
    return ok ? 0 : -1;
}

int mid_sim_enrolment_text(struct mid_sim *s, struct pc_arena *a, const char **text, struct pc_err *err)
{
    struct pc_buf out;
    pc_buf_init(&out, MID_ENROL_MAX);
    BIO *b = BIO_new(BIO_s_mem());
    int ok = csr_pem(s->keys[KEY_AUTH], &out) == 0 && csr_pem(s->keys[KEY_SIGN], &out) == 0 && b &&
             PEM_write_bio_PUBKEY(b, s->keys[KEY_CHANNEL]);
    char *p;
    long n = ok ? BIO_get_mem_data(b, &p) : 0;
    if (ok)
        pc_buf_append(&out, p, (size_t)n);
    BIO_free(b);
    ERR_clear_error();
    if (ok && !out.toobig)
        *text = pc_arena_strndup(a, out.data, out.len);
    pc_buf_release(&out);
    return ok ? 0 : pc_err_set(err, PC_EIO, "the SIM could not make its enrolment text");
}

/* ---- PINs --------------------------------------------------------------------------- */

/* Check secret k under the SIM's lock; the counters are on disk when
 * this returns.  0, PC_EDENIED (wrong: *tries_left), PC_ELIMIT (blocked). */
static int check_secret(struct mid_sim *s, enum secret k, const char *value, int *tries_left, struct pc_err *err)
{
    int rc = load(s, err);
    if (rc)
        return rc;
    struct secret_state *st = &s->sec[k];
    *tries_left = st->tries;
    if (st->tries <= 0)
        return pc_err_set(err, PC_ELIMIT, "%s is blocked", secret_names[k]);
    char h[65];
    derive(value ? value : "", st->salt, h);
    if (CRYPTO_memcmp(h, st->hash, 64) == 0) {
        if (st->tries == tries_of(k))
            return 0;
        st->tries = tries_of(k);
        *tries_left = st->tries;
        return save(s, err);
    }
    st->tries--;
    *tries_left = st->tries;
    if ((rc = save(s, err)))
        return rc;
    return st->tries ? pc_err_set(err, PC_EDENIED, "wrong %s: %d tries left", secret_names[k], st->tries)
                     : pc_err_set(err, PC_ELIMIT, "wrong %s: it is blocked now", secret_names[k]);
}

int mid_sim_sign(struct mid_sim *s, enum mid_sim_key key, const char *pin, const unsigned char *hash, size_t n,
                 unsigned char *sig, size_t *sig_len, int *tries_left, struct pc_err *err)
{
    int fd = lock_sim(s->dir, err);
    if (fd < 0)
        return err->code;
    int rc = check_secret(s, key == MID_SIM_SIGN ? PIN2 : PIN1, pin, tries_left, err);
    unlock_sim(fd);
    if (rc)
        return rc;
    return mi_sign_digest(s->keys[key == MID_SIM_SIGN ? KEY_SIGN : KEY_AUTH], hash, n, sig, sig_len, err);
}

bool mid_sim_blocked(const struct mid_sim *s, enum mid_sim_key key)
{
    return s->sec[key == MID_SIM_SIGN ? PIN2 : PIN1].tries <= 0;
}

int mid_sim_unblock(struct mid_sim *s, enum mid_sim_key key, const char *puk, const char *new_pin, int *tries_left,
                    struct pc_err *err)
{
    enum secret k = key == MID_SIM_SIGN ? PIN2 : PIN1;
    if (!digits(new_pin, k == PIN1 ? 4 : 5, 8))
        return pc_err_set(err, PC_EINVAL, "the new PIN must be %d to 8 digits", k == PIN1 ? 4 : 5);
    int fd = lock_sim(s->dir, err);
    if (fd < 0)
        return err->code;
    int rc = check_secret(s, PUK, puk, tries_left, err);
    if (!rc) {
        set_secret(&s->sec[k], new_pin, MID_PIN_TRIES);
        rc = save(s, err);
    }
    unlock_sim(fd);
    return rc;
}

/* ---- the channel ------------------------------------------------------------------ */

int mid_sim_sign_request(struct mid_sim *s, const char *method, const char *target, const void *body, size_t len,
                         int64_t ts, char *out, size_t outlen, struct pc_err *err)
{
    unsigned char dgst[32], sig[160];
    size_t sl = sizeof sig;
    mi_sim_digest(method, target, ts, body, len, dgst);
    int rc = mi_sign_digest(s->keys[KEY_CHANNEL], dgst, sizeof dgst, sig, &sl, err);
    if (rc)
        return rc;
    char b64[224];
    pc_b64url_encode(sig, sl, b64);
    int n = snprintf(out, outlen, MI_SIM_AUTH_SCHEME " phone=%s, ts=%lld, sig=%s", s->phone, (long long)ts, b64);
    return n > 0 && (size_t)n < outlen ? 0 : pc_err_set(err, PC_EINVAL, "the header does not fit");
}

/* util.c — small helpers of src/pki: files and secrets, OpenSSL errors,
 * base64, serial numbers, certificates from PEM and DER, names, times. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

const char *pk_path(struct pc_arena *a, const char *dir, const char *name)
{
    if (!name)
        return NULL;
    if (name[0] == '/' || !dir)
        return pc_arena_strdup(a, name);
    return pc_arena_printf(a, "%s/%s", dir, name);
}

int pk_read_file(struct pc_arena *a, const char *path, size_t max, char **out, size_t *len, struct pc_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pc_err_set(err, errno == ENOENT ? PC_ENOTFOUND : PC_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return pc_err_set(err, PC_EINVAL, "%s is not a regular file", path);
    }
    if ((size_t)st.st_size > max) {
        close(fd);
        return pc_err_set(err, PC_ETOOBIG, "%s is larger than %zu bytes", path, max);
    }
    char *buf = pc_arena_alloc(a, (size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return pc_err_set(err, PC_EIO, "cannot read %s: %s", path, n < 0 ? strerror(errno) : "short read");
        }
        got += (size_t)n;
    }
    close(fd);
    buf[got] = 0;
    *out = buf;
    if (len)
        *len = got;
    return 0;
}

int pk_write_file(const char *path, const void *p, size_t n, int mode, struct pc_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return pc_err_set(err, PC_EIO, "cannot create %s: %s", tmp, strerror(errno));
    const char *s = p;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, s + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return pc_err_set(err, PC_EIO, "cannot write %s: %s", tmp, strerror(e));
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return pc_err_set(err, PC_EIO, "cannot write %s: %s", path, strerror(e));
    }
    return 0;
}

int pk_mkdirs(const char *path, struct pc_err *err)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return pc_err_set(err, PC_EINVAL, "bad directory name");
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0700) != 0 && errno != EEXIST)
                return pc_err_set(err, PC_EIO, "cannot create %s: %s", buf, strerror(errno));
            *p = c;
            if (!c)
                break;
        }
    }
    return 0;
}

int pk_read_secret(struct pc_arena *a, const char *path, char **out, struct pc_err *err)
{
    size_t len;
    int rc = pk_read_file(a, path, 4096, out, &len, err);
    if (rc)
        return rc;
    (*out)[strcspn(*out, "\r\n")] = 0;
    if (!**out)
        return pc_err_set(err, PC_EINVAL, "%s is empty", path);
    return 0;
}

int pk_passphrase(struct pc_arena *a, const struct pk_config *c, char **out, struct pc_err *err)
{
    if (c->passphrase_file)
        return pk_read_secret(a, pk_path(a, c->dir, c->passphrase_file), out, err);
    const char *v = c->passphrase_env ? getenv(c->passphrase_env) : NULL;
    if (!v || !*v)
        return pc_err_set(err, PC_EINVAL, "no passphrase for the key files: set %s or passphrase_file in %s",
                          c->passphrase_env ? c->passphrase_env : "passphrase_env", PK_CONFIG_FILE);
    *out = pc_arena_strdup(a, v);
    return 0;
}

const char *pk_ssl_error(struct pc_arena *a)
{
    char line[256], all[512] = "";
    unsigned long e;
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, line, sizeof line);
        if (!all[0])
            snprintf(all, sizeof all, "%s", line);
    }
    return a ? pc_arena_strdup(a, all) : NULL;
}

int pk_ssl_fail(struct pc_err *err, int code, const char *what)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    ERR_clear_error();
    return pc_err_set(err, code, "%s%s%s", what, reason ? ": " : "", reason ? reason : "");
}

char *pk_b64(struct pc_arena *a, const void *p, size_t n)
{
    char *out = pc_arena_alloc(a, 4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

int pk_unb64(struct pc_arena *a, const char *s, size_t n, unsigned char **out, size_t *len)
{
    if (n % 4 || n > INT32_MAX)
        return PC_EINVAL;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                  c == '/' || (c == '=' && i >= n - 2 && (i == n - 1 || s[n - 1] == '='));
        if (!ok)
            return PC_EINVAL;
    }
    unsigned char *buf = pc_arena_alloc(a, n / 4 * 3 + 1);
    int k = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
    if (k < 0)
        return PC_EINVAL;
    /* EVP_DecodeBlock counts the padding as zero bytes */
    if (n && s[n - 1] == '=')
        k--;
    if (n > 1 && s[n - 2] == '=')
        k--;
    *out = buf;
    *len = (size_t)k;
    return 0;
}

static char *bio_text(struct pc_arena *a, BIO *b, size_t *len)
{
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *s = pc_arena_strndup(a, p, n > 0 ? (size_t)n : 0);
    if (len)
        *len = n > 0 ? (size_t)n : 0;
    return s;
}

char *pk_pem_of_cert(struct pc_arena *a, X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        pc_oom(0);
    PEM_write_bio_X509(b, x);
    char *s = bio_text(a, b, NULL);
    BIO_free(b);
    return s;
}

char *pk_der_of_cert(struct pc_arena *a, X509 *x, size_t *len)
{
    int n = i2d_X509(x, NULL);
    if (n <= 0)
        return NULL;
    unsigned char *buf = pc_arena_alloc(a, (size_t)n), *p = buf;
    i2d_X509(x, &p);
    *len = (size_t)n;
    return (char *)buf;
}

X509 *pk_cert_from_der(const void *p, size_t n)
{
    const unsigned char *q = p;
    X509 *x = d2i_X509(NULL, &q, (long)n);
    if (x && q != (const unsigned char *)p + n) {
        X509_free(x);
        return NULL;
    }
    return x;
}

char *pk_serial_hex(struct pc_arena *a, const ASN1_INTEGER *i)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(i, NULL);
    if (!bn)
        pc_oom(0);
    char *h = BN_bn2hex(bn);
    char *s = pc_arena_strdup(a, h ? h : "00");
    OPENSSL_free(h);
    BN_free(bn);
    return s;
}

char *pk_serial_norm(struct pc_arena *a, const char *s)
{
    if (!s)
        return NULL;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    size_t n = strlen(s);
    if (n == 0 || n > 40)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
            return NULL;
    BIGNUM *bn = NULL;
    if (!BN_hex2bn(&bn, s))
        pc_oom(0);
    char *h = BN_is_zero(bn) ? NULL : BN_bn2hex(bn);
    char *out = h ? pc_arena_strdup(a, h) : NULL;
    OPENSSL_free(h);
    BN_free(bn);
    return out;
}

ASN1_INTEGER *pk_serial_random(void)
{
    unsigned char b[20];
    if (RAND_bytes(b, sizeof b) != 1)
        return NULL;
    b[0] &= 0x7f; /* positive in 20 octets (RFC 5280 §4.1.2.2) */
    if (!b[0])
        b[0] = 0x01; /* always 20 octets: no leading zero to strip */
    BIGNUM *bn = BN_bin2bn(b, sizeof b, NULL);
    ASN1_INTEGER *i = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    BN_free(bn);
    return i;
}

int pk_certs_from_pem(const char *pem, size_t len, STACK_OF(X509) **out, struct pc_err *err)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    STACK_OF(X509) *sk = sk_X509_new_null();
    if (!b || !sk)
        pc_oom(0);
    X509 *x;
    while (sk_X509_num(sk) < 16 && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
        sk_X509_push(sk, x);
    ERR_clear_error(); /* the end of the input reads as an error */
    BIO_free(b);
    if (sk_X509_num(sk) == 0) {
        sk_X509_free(sk);
        return pc_err_set(err, PC_EINVAL, "no PEM certificate found");
    }
    *out = sk;
    return 0;
}

X509 *pk_cert_load(const char *path, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    char *pem;
    size_t len;
    X509 *x = NULL;
    if (pk_read_file(&a, path, 65536, &pem, &len, err) == 0) {
        BIO *b = BIO_new_mem_buf(pem, (int)len);
        x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
        BIO_free(b);
        if (!x)
            pk_ssl_fail(err, PC_EINVAL, pc_arena_printf(&a, "%s holds no PEM certificate", path));
    }
    pc_arena_release(&a);
    return x;
}

int64_t pk_asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return (int64_t)timegm(&tm);
}

char *pk_name_str(struct pc_arena *a, const X509_NAME *n)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        pc_oom(0);
    X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char *s = bio_text(a, b, NULL);
    BIO_free(b);
    return s;
}

char *pk_name_get(struct pc_arena *a, const X509_NAME *n, int nid)
{
    int i = X509_NAME_get_index_by_NID(n, nid, -1);
    if (i < 0)
        return NULL;
    ASN1_STRING *v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
    unsigned char *u = NULL;
    int len = ASN1_STRING_to_UTF8(&u, v);
    if (len < 0)
        return NULL;
    if (memchr(u, 0, (size_t)len)) { /* "FIN\0anything" is not FIN */
        OPENSSL_free(u);
        return NULL;
    }
    char *s = pc_arena_strndup(a, (const char *)u, (size_t)len);
    OPENSSL_free(u);
    return s;
}

const char *pk_plain_id(const char *v)
{
    const char *dash = v ? strchr(v, '-') : NULL;
    return dash && dash - v == 5 ? dash + 1 : v;
}

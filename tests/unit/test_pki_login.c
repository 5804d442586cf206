/* test_pki_login.c — unit tests of the portal's certificate checks
 * (src/pki/checker.c, status.c) against a demo certification centre in a
 * temporary directory, asked in process: the login profiles (an
 * authentication certificate, a representative's, a single-purpose one
 * with its service; a signing-only certificate refused), the challenge's
 * signature, a foreign or expired certificate, revocation and suspension
 * seen through OCSP within the freshness limit, and pki_sign_bytes as the
 * client signs.  The checks do not depend on the database, so SQLite only.
 *
 * The key process is this program started again ("ca keyd …"). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "../../src/identity/identity.h"
#include "../../src/pki/internal.h"

struct fixture {
    char dir[64];
    struct pki_ca *ca;
};

static const struct pki_actor operator_ = {.role = PKI_ACTOR_OPERATOR, .id = "test", .ip = ""};

static int setup(void **state)
{
    static struct fixture f;
    *state = &f;
    snprintf(f.dir, sizeof f.dir, "/tmp/pencere-test-pkilogin.XXXXXX");
    if (!mkdtemp(f.dir))
        return -1;
    struct pc_err err = {0};
    struct pki_init_opts o = {.name = "Test Issuing CA", .org = "Test Centre", .public_url = "http://ca.test"};
    if (pki_init_demo(f.dir, &o, &err) || !(f.ca = pki_ca_open(f.dir, NULL, true, &err))) {
        fprintf(stderr, "ca: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pki_ca_close(f->ca);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A key and its certificate of profile for holder h; the key as PEM. */
struct issued {
    struct pki_cert cert;
    const unsigned char *der;
    size_t der_len;
    char *key_pem;
};

static struct issued issue(struct fixture *f, struct pc_arena *a, const char *profile, const struct pki_holder *h)
{
    struct pc_err err = {0};
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509_REQ *req = X509_REQ_new();
    assert_true(X509_REQ_set_pubkey(req, k) && X509_REQ_sign(req, k, EVP_sha256()));
    unsigned char *csr = NULL;
    int n = i2d_X509_REQ(req, &csr);
    struct issued out;
    if (pki_issue_csr(f->ca, a, &operator_, profile, h, csr, (size_t)n, "cli", &out.cert, &err))
        fail_msg("issue %s: %s", profile, err.msg);
    BIO *b = BIO_new_mem_buf(out.cert.pem, -1);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    out.der = (const unsigned char *)pk_der_of_cert(a, x, &out.der_len);
    BIO_free(b);
    X509_free(x);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    char *p;
    long l = BIO_get_mem_data(b, &p);
    out.key_pem = pc_arena_strndup(a, p, (size_t)l);
    BIO_free(b);
    OPENSSL_free(csr);
    X509_REQ_free(req);
    EVP_PKEY_free(k);
    return out;
}

/* Sign data with the holder's key and ask the checker. */
static int check(struct id_cert_checker *ck, struct pc_arena *a, const struct issued *i, const char *data,
                 struct id_cert_holder *h, enum id_cert_problem *problem)
{
    struct pc_err err = {0};
    const unsigned char *sig;
    size_t sl;
    assert_int_equal(pki_sign_bytes(a, i->key_pem, strlen(i->key_pem), NULL, data, strlen(data), &sig, &sl, &err), 0);
    *problem = ID_CERT_OK;
    return ck->check(ck->ctx, a, i->der, i->der_len, data, strlen(data), sig, sl, h, problem, &err);
}

/* A checker of the fixture's centre, and identity's view of it in ck. */
static struct pki_checker *checker(struct fixture *f, int max_age, struct id_cert_checker *ck)
{
    size_t len;
    const char *chain = pki_ca_chain_pem(f->ca, &len);
    struct pki_checker_config c = {.chain_pem = chain, .chain_len = len, .ca = f->ca, .max_age_secs = max_age};
    struct pc_err err = {0};
    struct pki_checker *pk = pki_checker_new(&c, &err);
    if (!pk)
        fail_msg("checker: %s", err.msg);
    pki_checker_login(pk, ck);
    return pk;
}

static void test_login_profiles(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_cert_checker ck;
    struct pki_checker *pk = checker(f, 60, &ck);
    struct id_cert_holder h;
    enum id_cert_problem problem;

    struct pki_holder person = {.fin = "5ABC123", .name = "Aysel Məmmədova"};
    struct issued auth = issue(f, &a, "citizen-auth", &person);
    assert_int_equal(check(&ck, &a, &auth, "PENCERE-LOGIN-1\nh\nc", &h, &problem), 0);
    assert_string_equal(h.fin, "5ABC123");
    assert_string_equal(h.name, "Aysel Məmmədova");
    assert_string_equal(h.serial, auth.cert.serial);
    assert_null(h.voen);
    assert_null(h.only_service);

    /* the signature must be over these very bytes */
    struct pc_err err = {0};
    const unsigned char *sig;
    size_t sl;
    assert_int_equal(pki_sign_bytes(&a, auth.key_pem, strlen(auth.key_pem), NULL, "other", 5, &sig, &sl, &err), 0);
    assert_int_equal(ck.check(ck.ctx, &a, auth.der, auth.der_len, "data", 4, sig, sl, &h, &problem, &err), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_BAD_SIGNATURE);

    /* a qualified signing certificate does not log in */
    struct issued signing = issue(f, &a, "citizen", &person);
    assert_int_equal(check(&ck, &a, &signing, "x", &h, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_WRONG_PROFILE);
    /* nor an officer's (they log in as staff) */
    struct pki_holder officer = {.fin = "5ABC124", .name = "Officer", .agency = "rytn", .org = "Nazirlik"};
    struct issued off = issue(f, &a, "officer-auth", &officer);
    assert_int_equal(check(&ck, &a, &off, "x", &h, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_WRONG_PROFILE);

    struct pki_holder rep = {.fin = "5ABC125", .name = "Rep", .voen = "1700123451", .org = "Test MMC"};
    struct issued r = issue(f, &a, "representative-auth", &rep);
    assert_int_equal(check(&ck, &a, &r, "x", &h, &problem), 0);
    assert_string_equal(h.voen, "1700123451");
    assert_string_equal(h.fin, "5ABC125");

    struct pki_holder single = {.fin = "5ABC126", .name = "Applicant", .service = "eesmn-vemtas"};
    struct issued sp = issue(f, &a, "single-purpose", &single);
    assert_int_equal(check(&ck, &a, &sp, "x", &h, &problem), 0);
    assert_string_equal(h.only_service, "eesmn-vemtas");

    /* rubbish */
    assert_int_equal(ck.check(ck.ctx, &a, (const unsigned char *)"junk", 4, "x", 1, sig, sl, &h, &problem, &err),
                     PC_EDENIED);
    assert_int_equal(problem, ID_CERT_MALFORMED);
    pki_checker_free(pk);
    pc_arena_release(&a);
}

static void test_foreign_and_expired_certificates(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_cert_checker ck;
    struct pki_checker *pk = checker(f, 60, &ck);
    struct id_cert_holder h;
    enum id_cert_problem problem;
    struct pki_holder person = {.fin = "6ABC123", .name = "Someone"};
    struct issued good = issue(f, &a, "citizen-auth", &person);

    /* the same certificate with a month in the past as its validity,
     * signed again by the CA (through the key process) */
    X509 *x = pk_cert_from_der(good.der, good.der_len);
    X509_gmtime_adj(X509_getm_notBefore(x), -60L * 86400);
    X509_gmtime_adj(X509_getm_notAfter(x), -30L * 86400);
    assert_true(X509_sign(x, f->ca->key[PK_KEY_CA], EVP_sha256()) > 0);
    struct issued expired = good;
    expired.der = (const unsigned char *)pk_der_of_cert(&a, x, &expired.der_len);
    assert_int_equal(check(&ck, &a, &expired, "x", &h, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_EXPIRED);

    /* the same again, signed by a key of our own: not our centre's */
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    assert_true(X509_sign(x, k, EVP_sha256()) > 0);
    struct issued foreign = good;
    foreign.der = (const unsigned char *)pk_der_of_cert(&a, x, &foreign.der_len);
    assert_int_equal(check(&ck, &a, &foreign, "x", &h, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_UNTRUSTED);
    EVP_PKEY_free(k);
    X509_free(x);
    pki_checker_free(pk);
    pc_arena_release(&a);
}

static void test_status_within_the_freshness_limit(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_cert_checker now, later;
    struct pki_checker *fresh = checker(f, 0, &now), *cached = checker(f, 60, &later);
    struct id_cert_holder h;
    enum id_cert_problem problem;
    struct pki_holder person = {.fin = "7ABC123", .name = "Someone"};
    struct issued c = issue(f, &a, "citizen-auth", &person);
    assert_int_equal(check(&now, &a, &c, "x", &h, &problem), 0);
    assert_int_equal(check(&later, &a, &c, "x", &h, &problem), 0);

    assert_int_equal(pki_suspend(f->ca, &operator_, c.cert.serial, &err), 0);
    assert_int_equal(check(&now, &a, &c, "x", &h, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_SUSPENDED);
    assert_int_equal(now.status(now.ctx, &a, c.cert.serial, &problem, &err), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_SUSPENDED);
    /* within the limit the cached answer stands: that is what the limit means */
    assert_int_equal(later.status(later.ctx, &a, c.cert.serial, &problem, &err), 0);

    assert_int_equal(pki_resume(f->ca, &operator_, c.cert.serial, &err), 0);
    assert_int_equal(check(&now, &a, &c, "x", &h, &problem), 0);
    assert_int_equal(pki_revoke(f->ca, &operator_, c.cert.serial, PKI_REASON_KEY_COMPROMISE, &err), 0);
    assert_int_equal(check(&now, &a, &c, "x", &h, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_REVOKED);
    assert_int_equal(now.status(now.ctx, &a, c.cert.serial, &problem, &err), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_REVOKED);
    /* a serial the centre never issued */
    assert_int_equal(now.status(now.ctx, &a, "0BADBAD0", &problem, &err), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_UNTRUSTED);
    pki_checker_free(fresh);
    pki_checker_free(cached);
    pc_arena_release(&a);
}

static void test_a_chain_without_an_issuing_ca_is_refused(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, f->ca->root);
    char *p;
    long l = BIO_get_mem_data(b, &p);
    struct pki_checker_config c = {.chain_pem = p, .chain_len = (size_t)l, .max_age_secs = 60};
    assert_null(pki_checker_new(&c, &err));
    assert_int_equal(err.code, PC_EINVAL);
    BIO_free(b);
}

int main(int argc, char **argv)
{
    if (argc >= 7 && strcmp(argv[1], "ca") == 0 && strcmp(argv[2], "keyd") == 0)
        return pki_keyd_main(argv[4], atoi(argv[6]));  /* "ca keyd --data-dir DIR --fd N" */
    unsetenv("PENCERE_CA_PASSPHRASE");
    pc_log_set_level(PC_LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_profiles),
        cmocka_unit_test(test_foreign_and_expired_certificates),
        cmocka_unit_test(test_status_within_the_freshness_limit),
        cmocka_unit_test(test_a_chain_without_an_issuing_ca_is_refused),
    };
    return cmocka_run_group_tests_name("pki-login", tests, setup, teardown);
}

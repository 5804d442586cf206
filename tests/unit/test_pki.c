/* test_pki.c — unit tests of src/pki: the profile table, the subject the
 * CA writes and its comparison with a CSR's, CSR intake (formats, proof of
 * possession, key types), serials, base64, request signatures, names of
 * reasons and categories; then, on a demo hierarchy in a temporary
 * directory, on SQLite and (when PENCERE_TEST_PG_URL holds an admin URL)
 * on a fresh PostgreSQL database: issuance with its audit entry and first
 * OCSP response, status history, OCSP answers, CRL publication under the
 * lease, TSA serials, the key process killed and started again, agencies'
 * seals and the sealed documents kept with a case; and the CA's answers
 * as the portal's RA client reads them.
 *
 * The key process is this program started again ("ca keyd …"), so main
 * hands those arguments to pki_keyd_main like pencere does. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ts.h>

#include "../../src/audit/audit.h"
#include "../../src/pki/internal.h"
#include "pgdb.h"

/* ---- helpers ------------------------------------------------------------ */

/* A CSR made here, PEM in the arena; bad_pop flips a bit of its signature. */
static char *make_csr(struct pc_arena *a, EVP_PKEY *k, const char *cn, const char *serial, bool bad_pop,
                      size_t *len)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *n = X509_NAME_new();
    if (cn)
        X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    if (serial)
        X509_NAME_add_entry_by_NID(n, NID_serialNumber, MBSTRING_UTF8, (const unsigned char *)serial, -1, -1, 0);
    assert_true(X509_REQ_set_subject_name(req, n) && X509_REQ_set_pubkey(req, k) &&
                X509_REQ_sign(req, k, EVP_PKEY_is_a(k, "ED25519") ? NULL : EVP_sha256()));
    if (bad_pop) {
        const ASN1_BIT_STRING *sig;
        X509_REQ_get0_signature(req, &sig, NULL);
        ((ASN1_BIT_STRING *)sig)->data[8] ^= 0x01;
    }
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(b, req);
    char *p;
    long l = BIO_get_mem_data(b, &p);
    char *out = pc_arena_strndup(a, p, (size_t)l);
    *len = (size_t)l;
    BIO_free(b);
    X509_NAME_free(n);
    X509_REQ_free(req);
    return out;
}

static EVP_PKEY *key_of(const char *alg, int bits_or_curve)
{
    EVP_PKEY *k = strcmp(alg, "EC") == 0 ? EVP_EC_gen(bits_or_curve == 384 ? "P-384" : bits_or_curve == 192 ? "P-192"
                                                                                                             : "P-256")
                  : strcmp(alg, "ED25519") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
                                                : EVP_RSA_gen((unsigned)bits_or_curve);
    assert_non_null(k);
    return k;
}

/* ---- pure tests --------------------------------------------------------- */

/* The CA's JSON answers as the portal's RA client reads them: typed as
 * the CA hands them out in process; anything else is "the centre's answer
 * is bad", a PC_EUNAVAIL (nothing was done as far as the portal knows). */
static void test_client_reads_answers(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    json_error_t je;
    json_t *j = json_loads("{\"serial\":\"0a1b\",\"profile\":\"citizen\",\"category\":\"citizen\",\"subject\":\"CN=A\","
                           "\"fin\":\"1ABC2D3\",\"status\":\"revoked\",\"reason\":\"keyCompromise\","
                           "\"revoked_at\":\"2026-12-07T08:00:00Z\",\"not_before\":\"2026-01-01T00:00:00Z\","
                           "\"not_after\":\"2029-01-01T00:00:00Z\",\"pem\":\"-----BEGIN CERTIFICATE-----\"}", 0, &je);
    assert_non_null(j);
    struct pki_cert c;
    assert_int_equal(pk_client_cert(&a, j, &c, &err), 0);
    assert_string_equal(c.serial, "0a1b");
    assert_string_equal(c.fin, "1ABC2D3");
    assert_int_equal(c.status, PKI_STATUS_REVOKED);
    assert_int_equal(c.reason, PKI_REASON_KEY_COMPROMISE);
    assert_int_equal(c.not_after - c.not_before, 1096 * 86400);
    json_object_set_new(j, "status", json_string("lost"));
    assert_int_equal(pk_client_cert(&a, j, &c, &err), PC_EUNAVAIL);
    json_object_set_new(j, "status", json_string("good"));
    json_object_set_new(j, "not_after", json_string("2029-13-01T00:00:00Z"));
    assert_int_equal(pk_client_cert(&a, j, &c, &err), PC_EUNAVAIL);
    json_decref(j);

    j = json_loads("{\"verdict\":\"valid\",\"signer\":{\"subject\":\"CN=A\",\"fin\":\"1ABC2D3\"},"
                   "\"signing_time\":\"2026-12-07T08:00:00Z\",\"timestamp\":{\"time\":\"2026-12-07T08:00:01Z\","
                   "\"tsa\":\"CN=TSA\"},\"status\":{\"source\":\"records\",\"status\":\"good\"},"
                   "\"chain\":[\"CN=A\",\"CN=CA\",\"CN=Root\"]}", 0, &je);
    struct pki_verify_report v;
    assert_int_equal(pk_client_report(&a, j, &v, &err), 0);
    assert_int_equal(v.verdict, PKI_VERDICT_VALID);
    assert_true(v.has_signing_time && v.has_timestamp && v.timestamp_time == v.signing_time + 1);
    assert_int_equal(v.status_source, PKI_SOURCE_RECORDS);
    assert_int_equal(v.chain_len, 3);
    json_object_set_new(j, "verdict", json_string("fine"));
    assert_int_equal(pk_client_report(&a, j, &v, &err), PC_EUNAVAIL);
    json_decref(j);

    j = json_loads("{\"categories\":{\"citizen\":{\"issued\":3,\"valid\":2},\"state\":{\"issued\":1,\"valid\":1}}}", 0, &je);
    struct pki_stats st;
    assert_int_equal(pk_client_stats(j, &st, &err), 0);
    assert_int_equal(st.issued[PKI_CAT_CITIZEN], 3);
    assert_int_equal(st.valid[PKI_CAT_STATE], 1);
    assert_int_equal(st.issued[PKI_CAT_LEGAL], 0);
    json_object_set_new(json_object_get(json_object_get(j, "categories"), "citizen"), "valid", json_integer(-1));
    assert_int_equal(pk_client_stats(j, &st, &err), PC_EUNAVAIL);
    json_decref(j);
    pc_arena_release(&a);
}

static void test_profiles_are_complete(void **state)
{
    (void)state;
    assert_true(pki_profile_count() >= 11);
    for (size_t i = 0; i < pki_profile_count(); i++) {
        const struct pki_profile *p = pki_profile_at(i);
        assert_ptr_equal(pki_profile_find(p->id), p);
        for (int l = 0; l < PC_LANG_COUNT; l++)
            assert_true(p->name.s[l] && p->name.s[l][0]);
        assert_non_null(p->policy);
        assert_true(pc_str_has_prefix(p->policy, PK_OID_ARC));
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(p->policy, pki_profile_at(j)->policy);
            assert_string_not_equal(p->id, pki_profile_at(j)->id);
        }
        assert_true(p->key_usage != 0);
        bool people = p->subject == PKI_SUBJ_PERSON || p->subject == PKI_SUBJ_REPRESENTATIVE ||
                      p->subject == PKI_SUBJ_OFFICER;
        if (people)
            assert_int_equal(p->validity_days, 3 * 365);
        if (p->ra)
            assert_true(p->revocation_info);
        /* qualified signatures: non-repudiation only */
        if (p->qualified)
            assert_int_equal(p->key_usage, PKI_KU_NON_REPUDIATION);
    }
    assert_non_null(pki_profile_find("citizen"));
    assert_null(pki_profile_find("nope"));
    assert_null(pki_profile_find(NULL));
    assert_false(pki_profile_find("ocsp")->ra);
    assert_true(pki_profile_find("ocsp")->ocsp_nocheck);
    assert_true(pki_profile_find("tsa")->eku_critical);
    assert_true(pki_profile_find("single-purpose")->single_service);
}

static void test_subject_building(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    X509_NAME *n = NULL;
    struct pki_holder h = {.fin = "1ABC234", .name = "Əli Əliyev"};
    assert_int_equal(pk_subject_build(pki_profile_find("citizen"), &h, &n, &err), 0);
    assert_string_equal(pk_name_str(&a, n), "CN=Əli Əliyev,serialNumber=PNOAZ-1ABC234,C=AZ");
    X509_NAME_free(n);
    h.voen = "1234567890";
    h.org = "Nümunə MMC";
    assert_int_equal(pk_subject_build(pki_profile_find("representative"), &h, &n, &err), 0);
    assert_string_equal(pk_name_get(&a, n, NID_organizationIdentifier), "NTRAZ-1234567890");
    X509_NAME_free(n);
    /* refusals, each naming what is wrong */
    struct {
        const char *profile;
        struct pki_holder h;
        const char *msg;
    } bad[] = {
        {"citizen", {.fin = "1abc234", .name = "X"}, "FİN"},
        {"citizen", {.fin = "1ABC23", .name = "X"}, "FİN"},
        {"citizen", {.fin = "1ABC234"}, "name"},
        {"citizen", {.fin = "1ABC234", .name = "A\nB"}, "control"},
        {"citizen", {.fin = "1ABC234", .name = "\xff\xfe"}, "not valid"},
        {"citizen", {.fin = "1ABC234", .name = "ƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏƏ"},
         "64"},
        {"representative", {.fin = "1ABC234", .name = "X", .voen = "12345", .org = "O"}, "VÖEN"},
        {"representative", {.fin = "1ABC234", .name = "X", .voen = "1234567890"}, "organisation"},
        {"officer", {.fin = "1ABC234", .name = "X", .org = "Agency"}, "agency"},
        {"single-purpose", {.fin = "1ABC234", .name = "X"}, "e-service"},
        {"gateway-auth", {.name = "gw", .org = "O"}, "VÖEN"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        n = NULL;
        assert_int_equal(pk_subject_build(pki_profile_find(bad[i].profile), &bad[i].h, &n, &err), PC_EINVAL);
        assert_null(n);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("case %zu: \"%s\" does not name %s", i, err.msg, bad[i].msg);
    }
    pc_arena_release(&a);
}

static X509_NAME *name_of(const char *cn, const char *serial, const char *ou)
{
    X509_NAME *n = X509_NAME_new();
    if (cn)
        X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    if (serial)
        X509_NAME_add_entry_by_NID(n, NID_serialNumber, MBSTRING_UTF8, (const unsigned char *)serial, -1, -1, 0);
    if (ou)
        X509_NAME_add_entry_by_NID(n, NID_organizationalUnitName, MBSTRING_UTF8, (const unsigned char *)ou, -1, -1, 0);
    return n;
}

static void test_subject_check(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    X509_NAME *ours = NULL;
    struct pki_holder h = {.fin = "1ABC234", .name = "Əli Əliyev"};
    assert_int_equal(pk_subject_build(pki_profile_find("citizen"), &h, &ours, &err), 0);
    struct {
        const char *cn, *serial, *ou;
        int rc;
    } cases[] = {
        {NULL, NULL, NULL, 0},                           /* an empty subject: all ours */
        {"Əli Əliyev", "PNOAZ-1ABC234", NULL, 0},
        {"ELI ELIYEV", "1ABC234", NULL, 0},              /* folded, and the plain FİN */
        {"ali aliyev", NULL, NULL, PC_EINVAL},           /* a → a, ə → e: another name */
        {NULL, "PNOAZ-9ZZZ999", NULL, PC_EINVAL},
        {NULL, "1ABC2345", NULL, PC_EINVAL},
        {"Əli Əliyev", NULL, "Anything", 0},             /* not written by us: ignored */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        X509_NAME *csr = name_of(cases[i].cn, cases[i].serial, cases[i].ou);
        memset(&err, 0, sizeof err);
        int rc = pk_subject_check(&a, csr, ours, &err);
        if (rc != cases[i].rc)
            fail_msg("case %zu: %d (%s)", i, rc, err.msg);
        X509_NAME_free(csr);
    }
    /* a value with a NUL byte inside never matches */
    X509_NAME *csr = X509_NAME_new();
    assert_int_equal(X509_NAME_add_entry_by_NID(csr, NID_serialNumber, V_ASN1_UTF8STRING,
                                                (const unsigned char *)"1ABC234\0x", 9, -1, 0), 1);
    assert_int_equal(pk_subject_check(&a, csr, ours, &err), PC_EINVAL);
    X509_NAME_free(csr);
    X509_NAME_free(ours);
    pc_arena_release(&a);
}

static void test_csr_intake(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    X509_REQ *req = NULL;
    size_t n;
    EVP_PKEY *k = key_of("EC", 256);
    char *pem = make_csr(&a, k, "X", NULL, false, &n);
    assert_int_equal(pk_csr_parse(pem, n, &req, &err), 0);
    /* DER too, but not with bytes after it */
    unsigned char *der = NULL;
    int dl = i2d_X509_REQ(req, &der);
    X509_REQ_free(req);
    assert_int_equal(pk_csr_parse(der, (size_t)dl, &req, &err), 0);
    X509_REQ_free(req);
    unsigned char *longer = pc_arena_alloc(&a, (size_t)dl + 1);
    memcpy(longer, der, (size_t)dl);
    assert_int_equal(pk_csr_parse(longer, (size_t)dl + 1, &req, &err), PC_EINVAL);
    assert_int_equal(pk_csr_parse(der, (size_t)dl - 1, &req, &err), PC_EINVAL);
    OPENSSL_free(der);
    assert_int_equal(pk_csr_parse("", 0, &req, &err), PC_EINVAL);
    assert_int_equal(pk_csr_parse("garbage", 7, &req, &err), PC_EINVAL);
    char *big = pc_arena_alloc(&a, PKI_CSR_MAX + 1);
    memset(big, 'A', PKI_CSR_MAX + 1);
    assert_int_equal(pk_csr_parse(big, PKI_CSR_MAX + 1, &req, &err), PC_ETOOBIG);
    /* no proof of possession */
    pem = make_csr(&a, k, "X", NULL, true, &n);
    assert_int_equal(pk_csr_parse(pem, n, &req, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "proof of possession"));
    EVP_PKEY_free(k);
    /* keys: accepted and refused */
    struct {
        const char *alg;
        int size, rc;
    } keys[] = {{"EC", 384, 0}, {"RSA", 2048, 0}, {"RSA", 1024, PC_EINVAL}, {"EC", 192, PC_EINVAL},
                {"ED25519", 0, PC_EINVAL}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        k = key_of(keys[i].alg, keys[i].size);
        pem = make_csr(&a, k, "X", NULL, false, &n);
        req = NULL;
        int rc = pk_csr_parse(pem, n, &req, &err);
        if (rc != keys[i].rc)
            fail_msg("%s %d: %d (%s)", keys[i].alg, keys[i].size, rc, err.msg);
        X509_REQ_free(req);
        EVP_PKEY_free(k);
    }
    ERR_clear_error();
    pc_arena_release(&a);
}

static void test_serials_and_base64(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    for (int i = 0; i < 200; i++) {
        ASN1_INTEGER *s = pk_serial_random();
        char *hex = pk_serial_hex(&a, s);
        assert_int_equal(strlen(hex), 40);
        assert_true(hex[0] >= '0' && hex[0] <= '7');
        assert_false(hex[0] == '0' && hex[1] == '0');
        assert_string_equal(pk_serial_norm(&a, hex), hex);
        ASN1_INTEGER_free(s);
    }
    assert_string_equal(pk_serial_norm(&a, "0x0a1b"), "0A1B");
    assert_string_equal(pk_serial_norm(&a, "A1B"), "0A1B");
    assert_null(pk_serial_norm(&a, "xyz"));
    assert_null(pk_serial_norm(&a, ""));
    assert_null(pk_serial_norm(&a, "0"));
    assert_null(pk_serial_norm(&a, "11111111111111111111111111111111111111111"));
    assert_null(pk_serial_norm(&a, "-1"));
    const char *texts[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    for (size_t i = 0; i < 7; i++) {
        char *b = pk_b64(&a, texts[i], strlen(texts[i]));
        unsigned char *back;
        size_t n;
        assert_int_equal(pk_unb64(&a, b, strlen(b), &back, &n), 0);
        assert_int_equal(n, strlen(texts[i]));
        assert_memory_equal(back, texts[i], n);
    }
    unsigned char *o;
    size_t n;
    const char *bad[] = {"Zm9v YmFy", "Zm9vY", "Zm=v", "Z===", "Zm9v\n", "Zm9v====", "Zm9*"};
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(pk_unb64(&a, bad[i], strlen(bad[i]), &o, &n), PC_EINVAL);
    pc_arena_release(&a);
}

static void test_request_signatures(void **state)
{
    (void)state;
    char dir[] = "/tmp/pencere-test-pki-auth.XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct pc_err err = {0};
    const char *path;
    assert_int_equal(pki_client_add(dir, "portal", &path, &err), 0);
    assert_int_equal(pki_client_add(dir, "Bad Id", &path, &err), PC_EINVAL);
    struct pc_arena a;
    pc_arena_init(&a);
    char *secret;
    assert_int_equal(pk_read_secret(&a, pc_arena_printf(&a, "%s/clients/portal.key", dir), &secret, &err), 0);
    struct pki_clients *cl = pki_clients_load(dir, &err);
    assert_int_equal(pki_clients_count(cl), 1);
    struct pki_actor who = {.id = "acc-1", .fin = "1ABC234"};
    char sig[48];
    int64_t now = pc_now_unix();
    assert_int_equal(pki_auth_sign(secret, "POST", "/ca/api/v1/certificates", now, &who, "holder", "{}", 2, sig), 0);
    char hdr[160];
    snprintf(hdr, sizeof hdr, "PC-HMAC-SHA256 client=portal, ts=%lld, sig=%s", (long long)now, sig);
    const char *client = NULL;
    assert_int_equal(pki_auth_check(cl, hdr, "POST", "/ca/api/v1/certificates", &who, "holder", "{}", 2, now,
                                    &client, &err), 0);
    assert_string_equal(client, "portal");
    /* anything changed: refused */
    struct pki_actor other = who;
    other.fin = "9ZZZ999";
    assert_int_equal(pki_auth_check(cl, hdr, "POST", "/ca/api/v1/certificates", &other, "holder", "{}", 2, now,
                                    &client, &err), PC_EDENIED);
    assert_int_equal(pki_auth_check(cl, hdr, "POST", "/ca/api/v1/certificates", &who, "registrar", "{}", 2, now,
                                    &client, &err), PC_EDENIED);
    assert_int_equal(pki_auth_check(cl, hdr, "POST", "/ca/api/v1/certificates", &who, "holder", "{ }", 3, now,
                                    &client, &err), PC_EDENIED);
    assert_int_equal(pki_auth_check(cl, hdr, "GET", "/ca/api/v1/certificates", &who, "holder", "{}", 2, now,
                                    &client, &err), PC_EDENIED);
    assert_int_equal(pki_auth_check(cl, hdr, "POST", "/ca/api/v1/certificates", &who, "holder", "{}", 2, now + 301,
                                    &client, &err), PC_EDENIED);
    const char *malformed[] = {NULL, "", "Bearer x", "PC-HMAC-SHA256 ", "PC-HMAC-SHA256 client=portal",
                               "PC-HMAC-SHA256 client=portal, ts=x, sig=y", "PC-HMAC-SHA256 client=a, client=b, ts=1, sig=2",
                               "PC-HMAC-SHA256 client=nobody, ts=1, sig=2"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
        assert_int_equal(pki_auth_check(cl, malformed[i], "POST", "/", &who, "holder", "", 0, now, &client, &err),
                         PC_EDENIED);
    pki_clients_free(cl);
    pc_arena_release(&a);
    unlink(path);
    char sub[96];
    snprintf(sub, sizeof sub, "%s/clients", dir);
    rmdir(sub);
    rmdir(dir);
}

static void test_names(void **state)
{
    (void)state;
    for (int r = 0; r <= 10; r++) {
        const char *n = pki_reason_name(r);
        if (n && r != PKI_REASON_HOLD)
            assert_int_equal(pki_reason_parse(n), r);
    }
    assert_int_equal(pki_reason_parse("certificateHold"), -1);
    assert_int_equal(pki_reason_parse("bogus"), -1);
    assert_null(pki_reason_name(7));
    for (int c = 0; c < PKI_CAT_COUNT; c++)
        assert_int_equal(pki_category_parse(pki_category_name((enum pki_category)c)), c);
    assert_int_equal(pki_key_type_parse(pki_key_type_name(PKI_KEY_RSA3072)), PKI_KEY_RSA3072);
    assert_int_equal(pki_key_type_parse("dsa"), -1);
    assert_string_equal(pki_verdict_name(PKI_VERDICT_STATUS_UNKNOWN), "status-unknown");
}

/* ---- a CA on a database --------------------------------------------------- */

struct fixture {
    char dir[64];
    char pgname[40], url[512];
    struct pki_ca *ca;
};

static struct fixture fx_sqlite, fx_pg;

static int open_ca(struct fixture *f, const char *url)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/pencere-test-pki.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    struct pc_err err = {0};
    struct pki_init_opts o = {.name = "Test Issuing CA", .org = "Test Centre", .public_url = "http://ca.test"};
    if (pki_init_demo(f->dir, &o, &err)) {
        fprintf(stderr, "init: %s\n", err.msg);
        return -1;
    }
    f->ca = pki_ca_open(f->dir, url, true, &err);
    if (!f->ca)
        fprintf(stderr, "open: %s\n", err.msg);
    return f->ca ? 0 : -1;
}

static int setup_sqlite(void **state)
{
    struct fixture *f = &fx_sqlite;
    memset(f, 0, sizeof *f);
    *state = f;
    return open_ca(f, NULL);
}

static int setup_pg(void **state)
{
    struct fixture *f = &fx_pg;
    memset(f, 0, sizeof *f);
    if (pgdb_create("t_pki", f->pgname, f->url))
        return -1;
    *state = f;
    return open_ca(f, f->url);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pki_ca_close(f->ca);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    if (f->pgname[0]) {
        pgdb_drop(f->pgname);
    }
    return 0;
}

static const struct pki_actor operator_ = {.role = PKI_ACTOR_OPERATOR, .id = "test", .ip = ""};

/* Issue a citizen certificate for fin; its serial in the arena. */
static const char *issue(struct fixture *f, struct pc_arena *a, const char *fin, EVP_PKEY **key_out)
{
    struct pc_err err = {0};
    EVP_PKEY *k = key_of("EC", 256);
    size_t n;
    char *csr = make_csr(a, k, "Test Holder", NULL, false, &n);
    struct pki_holder h = {.fin = fin, .name = "Test Holder"};
    struct pki_cert out;
    int rc = pki_issue_csr(f->ca, a, &operator_, "citizen", &h, csr, n, "cli", &out, &err);
    if (rc)
        fail_msg("issue: %s", err.msg);
    if (key_out)
        *key_out = k;
    else
        EVP_PKEY_free(k);
    return out.serial;
}

/* The status an OCSP answer gives for serial (via a request built here). */
static int ocsp_status(struct fixture *f, struct pc_arena *a, const char *serial, bool nonce, int *reason)
{
    BIGNUM *bn = NULL;
    BN_hex2bn(&bn, serial);
    ASN1_INTEGER *i = BN_to_ASN1_INTEGER(bn, NULL);
    OCSP_CERTID *id = OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(f->ca->cert),
                                       X509_get0_pubkey_bitstr(f->ca->cert), i);
    OCSP_REQUEST *q = OCSP_REQUEST_new();
    OCSP_request_add0_id(q, OCSP_CERTID_dup(id));
    if (nonce)
        OCSP_request_add1_nonce(q, NULL, -1);
    unsigned char *der = NULL;
    int dl = i2d_OCSP_REQUEST(q, &der);
    const unsigned char *resp;
    size_t rl;
    struct pc_err err = {0};
    assert_int_equal(pki_ocsp_respond(f->ca, a, der, (size_t)dl, &resp, &rl, &err), 0);
    OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &resp, (long)rl);
    assert_non_null(r);
    assert_int_equal(OCSP_response_status(r), OCSP_RESPONSE_STATUS_SUCCESSFUL);
    OCSP_BASICRESP *bs = OCSP_response_get1_basic(r);
    X509_STORE *st = X509_STORE_new();
    X509_STORE_add_cert(st, f->ca->root);
    assert_int_equal(OCSP_basic_verify(bs, f->ca->chain, st, 0), 1);
    if (nonce)
        assert_int_equal(OCSP_check_nonce(q, bs), 1);
    int status = -1;
    ASN1_GENERALIZEDTIME *rev, *thisupd, *nextupd;
    assert_int_equal(OCSP_resp_find_status(bs, id, &status, reason, &rev, &thisupd, &nextupd), 1);
    assert_int_equal(OCSP_check_validity(thisupd, nextupd, 60, -1), 1);
    X509_STORE_free(st);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(r);
    OPENSSL_free(der);
    OCSP_REQUEST_free(q);
    OCSP_CERTID_free(id);
    ASN1_INTEGER_free(i);
    BN_free(bn);
    return status;
}

static void test_issue_revoke_and_history(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    const char *serial = issue(f, &a, "1ABC234", NULL);
    int reason;
    assert_int_equal(ocsp_status(f, &a, serial, false, &reason), V_OCSP_CERTSTATUS_GOOD);
    assert_int_equal(ocsp_status(f, &a, serial, true, &reason), V_OCSP_CERTSTATUS_GOOD);
    /* the audit chain has the issuance and is intact */
    struct audit_report rep;
    assert_int_equal(audit_verify(pki_ca_db(f->ca), &rep, &err), 0);
    assert_int_equal(rep.first_bad, 0);
    assert_true(rep.entries >= 1);
    int64_t issued_at = pc_now_unix();
    sleep(1);
    assert_int_equal(pki_suspend(f->ca, &operator_, serial, &err), 0);
    assert_int_equal(ocsp_status(f, &a, serial, false, &reason), V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(reason, PKI_REASON_HOLD);
    assert_int_equal(pki_suspend(f->ca, &operator_, serial, &err), PC_ECONFLICT);
    sleep(1);
    assert_int_equal(pki_resume(f->ca, &operator_, serial, &err), 0);
    assert_int_equal(ocsp_status(f, &a, serial, false, &reason), V_OCSP_CERTSTATUS_GOOD);
    assert_int_equal(pki_revoke(f->ca, &operator_, serial, PKI_REASON_KEY_COMPROMISE, &err), 0);
    assert_int_equal(ocsp_status(f, &a, serial, false, &reason), V_OCSP_CERTSTATUS_REVOKED);
    assert_int_equal(reason, PKI_REASON_KEY_COMPROMISE);
    assert_int_equal(pki_revoke(f->ca, &operator_, serial, PKI_REASON_HOLD, &err), PC_EINVAL);
    assert_int_equal(pki_revoke(f->ca, &operator_, serial, 1, &err), PC_ECONFLICT);
    assert_int_equal(pki_resume(f->ca, &operator_, serial, &err), PC_ECONFLICT);
    assert_int_equal(pki_revoke(f->ca, &operator_, "0ABCDEF", 1, &err), PC_ENOTFOUND);
    /* the history: good when issued, suspended a second later, … */
    struct db_conn *c = db_conn_get(pki_ca_db(f->ca), &err);
    enum pki_status st;
    int64_t since;
    assert_int_equal(pk_store_status_at(c, serial, issued_at, &st, &reason, &since, &err), 0);
    assert_int_equal(st, PKI_STATUS_GOOD);
    assert_int_equal(pk_store_status_at(c, serial, pc_now_unix(), &st, &reason, &since, &err), 0);
    assert_int_equal(st, PKI_STATUS_REVOKED);
    assert_int_equal(pk_store_status_at(c, serial, issued_at - 100, &st, &reason, &since, &err), PC_ENOTFOUND);
    /* unknown serials, another issuer, malformed */
    assert_int_equal(ocsp_status(f, &a, "0123456789ABCDEF", false, &reason), V_OCSP_CERTSTATUS_UNKNOWN);
    const unsigned char *resp;
    size_t rl;
    assert_int_equal(pki_ocsp_respond(f->ca, &a, "\x30\x00", 2, &resp, &rl, &err), 0);
    OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &resp, (long)rl);
    assert_int_equal(OCSP_response_status(r), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    OCSP_RESPONSE_free(r);
    /* statistics count it as a citizen's, issued but not valid now */
    struct pki_stats stats;
    assert_int_equal(pki_stats(f->ca, &stats, &err), 0);
    assert_true(stats.issued[PKI_CAT_CITIZEN] >= 1);
    assert_int_equal(stats.issued[PKI_CAT_SERVICE], 0);
    pc_arena_release(&a);
}

static void test_holders_see_only_their_own(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    const char *mine = issue(f, &a, "2BCD345", NULL), *theirs = issue(f, &a, "3CDE456", NULL);
    struct pki_actor me = {.role = PKI_ACTOR_HOLDER, .id = "acc-me", .fin = "2BCD345", .ip = ""};
    struct pki_cert c;
    assert_int_equal(pki_cert_get(f->ca, &a, &me, mine, &c, &err), 0);
    assert_int_equal(pki_cert_get(f->ca, &a, &me, theirs, &c, &err), PC_EDENIED);
    assert_int_equal(pki_revoke(f->ca, &me, theirs, 1, &err), PC_EDENIED);
    assert_int_equal(pki_suspend(f->ca, &me, mine, &err), 0);
    assert_int_equal(pki_resume(f->ca, &me, mine, &err), PC_EDENIED);
    struct pki_cert *list;
    size_t n;
    assert_int_equal(pki_cert_list(f->ca, &a, &me, "3CDE456", NULL, &list, &n, &err), PC_EDENIED);
    assert_int_equal(pki_cert_list(f->ca, &a, &me, "2BCD345", NULL, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].status, PKI_STATUS_SUSPENDED);
    /* a holder applying for someone else: refused, and recorded */
    EVP_PKEY *k = key_of("EC", 256);
    size_t len;
    char *csr = make_csr(&a, k, NULL, NULL, false, &len);
    struct pki_holder h = {.fin = "3CDE456", .name = "Someone"};
    assert_int_equal(pki_issue_csr(f->ca, &a, &me, "citizen", &h, csr, len, "online", &c, &err), PC_EDENIED);
    EVP_PKEY_free(k);
    pc_arena_release(&a);
}

static void test_crl_published_once_under_the_lease(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    const char *serial = issue(f, &a, "4DEF567", NULL);
    assert_int_equal(pki_revoke(f->ca, &operator_, serial, PKI_REASON_SUPERSEDED, &err), 0);
    bool published;
    assert_int_equal(pki_crl_publish(f->ca, false, &published, &err), 0);
    assert_true(published);
    assert_int_equal(pki_crl_publish(f->ca, false, &published, &err), 0);
    assert_false(published);                      /* nothing changed, not yet due */
    /* a second node does not publish while the first holds the job */
    struct pki_ca *other = pki_ca_open(f->dir, f->pgname[0] ? f->url : NULL, true, &err);
    assert_non_null(other);
    assert_int_equal(pki_crl_publish(other, true, &published, &err), 0);
    assert_false(published);
    pki_ca_close(other);
    const unsigned char *der;
    size_t n;
    assert_int_equal(pki_crl_current(f->ca, &a, &der, &n, &err), 0);
    X509_CRL *crl = d2i_X509_CRL(NULL, &der, (long)n);
    assert_non_null(crl);
    assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(f->ca->cert)), 1);
    bool found = false;
    STACK_OF(X509_REVOKED) *rv = X509_CRL_get_REVOKED(crl);
    for (int i = 0; i < sk_X509_REVOKED_num(rv); i++)
        found = found || strcmp(pk_serial_hex(&a, X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(rv, i))),
                                serial) == 0;
    assert_true(found);
    X509_CRL_free(crl);
    pc_arena_release(&a);
}

static void test_tsa_serials_increase(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    unsigned char digest[32] = {1, 2, 3};
    TS_REQ *q = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL);
    TS_MSG_IMPRINT_set_algo(mi, alg);
    TS_MSG_IMPRINT_set_msg(mi, digest, sizeof digest);
    TS_REQ_set_version(q, 1);
    TS_REQ_set_msg_imprint(q, mi);
    unsigned char *der = NULL;
    int dl = i2d_TS_REQ(q, &der);
    long last = 0;
    for (int i = 0; i < 5; i++) {
        const unsigned char *resp;
        size_t rl;
        assert_int_equal(pki_tsa_respond(f->ca, &a, der, (size_t)dl, &resp, &rl, &err), 0);
        TS_RESP *r = d2i_TS_RESP(NULL, &resp, (long)rl);
        assert_non_null(r);
        assert_int_equal(ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(r))), TS_STATUS_GRANTED);
        long s = ASN1_INTEGER_get(TS_TST_INFO_get_serial(TS_RESP_get_tst_info(r)));
        assert_true(s > last);
        last = s;
        TS_RESP_free(r);
    }
    /* trailing bytes are not one request */
    unsigned char *longer = pc_arena_alloc(&a, (size_t)dl + 1);
    memcpy(longer, der, (size_t)dl);
    const unsigned char *resp;
    size_t rl;
    assert_int_equal(pki_tsa_respond(f->ca, &a, longer, (size_t)dl + 1, &resp, &rl, &err), 0);
    TS_RESP *r = d2i_TS_RESP(NULL, &resp, (long)rl);
    assert_int_equal(ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(r))), TS_STATUS_REJECTION);
    TS_RESP_free(r);
    OPENSSL_free(der);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    TS_REQ_free(q);
    pc_arena_release(&a);
}

static void test_key_process_killed_and_back(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    int pid = pki_ca_key_pid(f->ca);
    assert_true(pid > 0 && pid != getpid());
    kill(pid, SIGKILL);
    usleep(100000);
    EVP_PKEY *k = key_of("EC", 256);
    size_t n;
    char *csr = make_csr(&a, k, NULL, NULL, false, &n);
    struct pki_holder h = {.fin = "5EFA678", .name = "Down"};
    struct pki_cert out;
    assert_int_equal(pki_issue_csr(f->ca, &a, &operator_, "citizen", &h, csr, n, "cli", &out, &err), PC_EUNAVAIL);
    assert_non_null(strstr(err.msg, "key process"));
    struct pki_cert *list;
    size_t count;
    assert_int_equal(pki_cert_list(f->ca, &a, &operator_, "5EFA678", NULL, &list, &count, &err), 0);
    assert_int_equal(count, 0);               /* nothing half-issued */
    /* the next request starts it again (the last start was long enough ago) */
    assert_int_equal(pki_issue_csr(f->ca, &a, &operator_, "citizen", &h, csr, n, "cli", &out, &err), 0);
    assert_true(pki_ca_keys_ready(f->ca, &err));
    assert_int_not_equal(pki_ca_key_pid(f->ca), pid);
    /* killed again at once: not restarted within the second */
    kill(pki_ca_key_pid(f->ca), SIGKILL);
    usleep(100000);
    assert_false(pki_ca_keys_ready(f->ca, &err));
    assert_false(pki_ca_keys_ready(f->ca, &err));
    assert_non_null(strstr(err.msg, "restarting"));
    sleep(1);
    assert_true(pki_ca_keys_ready(f->ca, &err));
    EVP_PKEY_free(k);
    pc_arena_release(&a);
}

static void test_sign_and_verify(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    EVP_PKEY *k;
    const char *serial = issue(f, &a, "6FAB789", &k);
    struct pki_cert c;
    assert_int_equal(pki_cert_get(f->ca, &a, &operator_, serial, &c, &err), 0);
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    char *kp;
    long kl = BIO_get_mem_data(b, &kp);
    const unsigned char *sig;
    size_t sl;
    assert_int_equal(pki_cms_sign(&a, kp, (size_t)kl, NULL, c.pem, strlen(c.pem), "document", 8, NULL, &sig, &sl,
                                  &err), 0);
    size_t chain_len;
    struct pki_trust t = {.chain_pem = pki_ca_chain_pem(f->ca, &chain_len), .ca = f->ca, .no_network = true};
    t.chain_len = chain_len;
    struct pki_verify_report rep;
    assert_int_equal(pki_cms_verify(&a, &t, "document", 8, sig, sl, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_VALID);
    assert_string_equal(rep.signer_fin, "6FAB789");
    assert_string_equal(rep.signer_profile, "citizen");
    assert_true(rep.has_signing_time && !rep.has_timestamp);
    assert_int_equal(rep.status_source, PKI_SOURCE_RECORDS);
    assert_int_equal(rep.chain_len, 3);
    assert_int_equal(pki_cms_verify(&a, &t, "documenT", 8, sig, sl, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_BAD_SIGNATURE);
    /* without a time-stamp the status is the one of now */
    assert_int_equal(pki_revoke(f->ca, &operator_, serial, 1, &err), 0);
    assert_int_equal(pki_cms_verify(&a, &t, "document", 8, sig, sl, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_REVOKED);
    /* no records and no network: unknown */
    t.ca = NULL;
    assert_int_equal(pki_cms_verify(&a, &t, "document", 8, sig, sl, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_STATUS_UNKNOWN);
    /* no trust anchors at all */
    t.chain_pem = NULL;
    assert_int_equal(pki_cms_verify(&a, &t, "document", 8, sig, sl, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_UNTRUSTED);
    assert_int_equal(pki_cms_verify(&a, &t, "document", 8, "x", 1, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_MALFORMED);
    BIO_free(b);
    EVP_PKEY_free(k);
    pc_arena_release(&a);
}

/* A signature made elsewhere over the digest pki_cms_external asks for
 * (as a SIM signs: the hash only) completes a CMS that verifies; the
 * digest depends on the signing time, and another digest's signature is
 * a bad one. */
static void test_cms_external(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    EVP_PKEY *k;
    const char *serial = issue(f, &a, "6FAC321", &k);
    struct pki_cert c;
    assert_int_equal(pki_cert_get(f->ca, &a, &operator_, serial, &c, &err), 0);
    unsigned char d1[32], d2[32], d3[32], sig[128];
    const unsigned char *der = NULL;
    size_t dl = 0, sl = sizeof sig;
    assert_int_equal(pki_cms_external(&a, c.pem, "document", 8, 1800000000, NULL, 0, d1, NULL, NULL, &err), 0);
    assert_int_equal(pki_cms_external(&a, c.pem, "document", 8, 1800000000, NULL, 0, d2, NULL, NULL, &err), 0);
    assert_memory_equal(d1, d2, 32);
    assert_int_equal(pki_cms_external(&a, c.pem, "document", 8, 1800000001, NULL, 0, d3, NULL, NULL, &err), 0);
    assert_memory_not_equal(d1, d3, 32);
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(k, NULL);
    assert_int_equal(EVP_PKEY_sign_init(pc), 1);
    assert_int_equal(EVP_PKEY_sign(pc, sig, &sl, d1, 32), 1);
    assert_int_equal(pki_cms_external(&a, c.pem, "document", 8, 1800000000, sig, sl, d2, &der, &dl, &err), 0);
    size_t chain_len;
    struct pki_trust t = {.chain_pem = pki_ca_chain_pem(f->ca, &chain_len), .ca = f->ca, .no_network = true};
    t.chain_len = chain_len;
    struct pki_verify_report rep;
    assert_int_equal(pki_cms_verify(&a, &t, "document", 8, der, dl, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_VALID);
    assert_string_equal(rep.signer_fin, "6FAC321");
    assert_true(rep.has_signing_time && rep.signing_time == 1800000000);
    assert_int_equal(pki_cms_verify(&a, &t, "documenT", 8, der, dl, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_BAD_SIGNATURE);
    /* the signature of the other time's digest does not fit this one */
    sl = sizeof sig;
    assert_int_equal(EVP_PKEY_sign(pc, sig, &sl, d3, 32), 1);
    assert_int_equal(pki_cms_external(&a, c.pem, "document", 8, 1800000000, sig, sl, d2, &der, &dl, &err), 0);
    assert_int_equal(pki_cms_verify(&a, &t, "document", 8, der, dl, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_BAD_SIGNATURE);
    assert_int_equal(pki_cms_external(&a, "not a certificate", "document", 8, 1, NULL, 0, d1, NULL, NULL, &err),
                     PC_EINVAL);
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(k);
    pc_arena_release(&a);
}

/* A signature over the data itself (pki_sign_bytes, as an API client's
 * key makes it) wrapped by pki_cms_wrap verifies as any signature; another
 * key's, or another document's, is a bad one (nologin: signing through the
 * API). */
static void test_cms_wrap(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    EVP_PKEY *k, *other;
    const char *serial = issue(f, &a, "6FAC322", &k);
    issue(f, &a, "7FAC322", &other);
    struct pki_cert c;
    assert_int_equal(pki_cert_get(f->ca, &a, &operator_, serial, &c, &err), 0);
    unsigned char sig[256];
    size_t sl = sizeof sig;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k), 1);
    assert_int_equal(EVP_DigestSign(md, sig, &sl, (const unsigned char *)"document", 8), 1);
    const unsigned char *der = NULL;
    size_t dl = 0;
    assert_int_equal(pki_cms_wrap(&a, c.pem, sig, sl, &der, &dl, &err), 0);
    size_t chain_len;
    struct pki_trust t = {.chain_pem = pki_ca_chain_pem(f->ca, &chain_len), .ca = f->ca, .no_network = true};
    t.chain_len = chain_len;
    struct pki_verify_report rep;
    assert_int_equal(pki_cms_verify(&a, &t, "document", 8, der, dl, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_VALID);
    assert_string_equal(rep.signer_fin, "6FAC322");
    assert_false(rep.has_signing_time);
    assert_int_equal(pki_cms_verify(&a, &t, "documenT", 8, der, dl, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_BAD_SIGNATURE);
    /* the other person's key under this certificate */
    EVP_MD_CTX_reset(md);
    sl = sizeof sig;
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, other), 1);
    assert_int_equal(EVP_DigestSign(md, sig, &sl, (const unsigned char *)"document", 8), 1);
    assert_int_equal(pki_cms_wrap(&a, c.pem, sig, sl, &der, &dl, &err), 0);
    assert_int_equal(pki_cms_verify(&a, &t, "document", 8, der, dl, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_BAD_SIGNATURE);
    assert_int_equal(pki_cms_wrap(&a, "not a certificate", sig, sl, &der, &dl, &err), PC_EINVAL);
    assert_int_equal(pki_cms_wrap(&a, c.pem, sig, 0, &der, &dl, &err), PC_EINVAL);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
    pc_arena_release(&a);
}

/* The job re-signs pre-signed responses about to run out, and only those. */
static void test_ocsp_refresh(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    const char *serial = issue(f, &a, "7ABC890", NULL);
    struct db_conn *c = db_conn_get(pki_ca_db(f->ca), &err);
    int64_t next;
    char *b64;
    assert_int_equal(pk_store_ocsp_get(c, &a, serial, &next, &b64, &err), 0);
    assert_true(next > pc_now_unix() + f->ca->cfg.ocsp_validity_secs - 60);
    int n = -1;
    assert_int_equal(pki_ocsp_refresh(f->ca, 1000, &n, &err), 0);
    assert_int_equal(n, 0);                        /* nothing due */
    /* make it nearly stale: the job takes it */
    assert_int_equal(pk_store_ocsp_put(c, serial, pc_now_unix() - 86000, pc_now_unix() + 100, b64, &err), 0);
    assert_int_equal(pki_ocsp_refresh(f->ca, 1000, &n, &err), 0);
    assert_true(n >= 1);
    assert_int_equal(pk_store_ocsp_get(c, &a, serial, &next, &b64, &err), 0);
    assert_true(next > pc_now_unix() + f->ca->cfg.ocsp_validity_secs - 60);
    int reason;
    assert_int_equal(ocsp_status(f, &a, serial, false, &reason), V_OCSP_CERTSTATUS_GOOD);
    pc_arena_release(&a);
}

/* Group commit: writers that arrive together share transactions; one
 * that fails is rolled back alone. */
struct committer_arg {
    struct pki_ca *ca;
    int index;
    int rc;
};

static int count_write(struct db_conn *c, void *arg, struct pc_err *err)
{
    struct committer_arg *ca = arg;
    int64_t v;
    int rc = pk_counter_add(c, "test_commit", 1, &v, err);
    if (!rc && ca->index % 5 == 0)
        rc = pc_err_set(err, PC_EINVAL, "item %d refuses", ca->index); /* after writing: must be undone */
    return rc;
}

static void *committer_thread(void *p)
{
    struct committer_arg *a = p;
    struct pc_err err = {0};
    a->rc = pk_commit(a->ca, count_write, a, &err);
    db_conn_release_thread(pki_ca_db(a->ca));
    return NULL;
}

static void test_group_commit(void **state)
{
    struct fixture *f = *state;
    enum { N = 40 };
    pthread_t t[N];
    struct committer_arg args[N];
    int64_t before = f->ca->committer.batches;
    for (int i = 0; i < N; i++) {
        args[i] = (struct committer_arg){.ca = f->ca, .index = i};
        assert_int_equal(pthread_create(&t[i], NULL, committer_thread, &args[i]), 0);
    }
    int ok = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].rc, i % 5 == 0 ? PC_EINVAL : 0);
        ok += args[i].rc == 0;
    }
    struct pc_err err = {0};
    int64_t v;
    db_idle(pki_ca_db(f->ca)); /* this thread's connection: no old snapshot */
    assert_int_equal(pk_counter_get(db_conn_get(pki_ca_db(f->ca), &err), "test_commit", &v, &err), 0);
    assert_int_equal(v, ok);
    assert_true(f->ca->committer.batches - before <= N);
}

/* An agency's seal: made by an operator only, once while valid; a sealed
 * document verifies with the agency as signer and a time-stamp of ours;
 * it is kept once per object and kind. */
static void test_seals_and_sealed_docs(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct pki_cert seal, used;
    const struct pki_actor holder = {.role = PKI_ACTOR_HOLDER, .id = "acc", .fin = "1ABC2D3", .ip = ""};
    assert_int_equal(pki_seal_add(f->ca, &a, &holder, "din", "Daxili İşlər Nazirliyi", &seal, &err), PC_EDENIED);
    assert_int_equal(pki_seal_add(f->ca, &a, &operator_, "din", "Daxili İşlər Nazirliyi", &seal, &err), 0);
    assert_string_equal(seal.profile, "agency-seal");
    assert_int_equal(seal.category, PKI_CAT_STATE);
    assert_int_equal(pki_seal_add(f->ca, &a, &operator_, "din", "Daxili İşlər Nazirliyi", &seal, &err), PC_ECONFLICT);
    static const char doc[] = "Qərar / Decision\nAZ-2026-00000001\n";
    const unsigned char *sig;
    size_t sl;
    assert_int_equal(pki_seal_sign(f->ca, &a, &holder, "din", "AZ-2026-00000001", doc, sizeof doc - 1, &sig, &sl,
                                   &used, &err), PC_EDENIED);
    assert_int_equal(pki_seal_sign(f->ca, &a, &operator_, "nobody", "AZ-2026-00000001", doc, sizeof doc - 1, &sig,
                                   &sl, &used, &err), PC_ENOTFOUND);
    assert_int_equal(pki_seal_sign(f->ca, &a, &operator_, "din", "AZ-2026-00000001", doc, sizeof doc - 1, &sig, &sl,
                                   &used, &err), 0);
    assert_string_equal(used.serial, seal.serial);
    size_t chain_len;
    struct pki_trust t = {.chain_pem = pki_ca_chain_pem(f->ca, &chain_len), .ca = f->ca, .no_network = true};
    t.chain_len = chain_len;
    struct pki_verify_report rep;
    assert_int_equal(pki_cms_verify(&a, &t, doc, sizeof doc - 1, sig, sl, &rep, &err), 0);
    assert_int_equal(rep.verdict, PKI_VERDICT_VALID);
    assert_true(rep.has_timestamp);
    assert_string_equal(rep.signer_serial, seal.serial);
    /* kept with what it decides, once */
    struct pki_sealed_doc d = {.object_id = "AZ-2026-00000001", .kind = "decision", .agency = "din",
                               .created_at = pc_now_unix(), .document = doc, .document_len = sizeof doc - 1,
                               .signature = sig, .signature_len = sl, .seal_serial = seal.serial}, got;
    struct db_conn *c = db_conn_get(pki_ca_db(f->ca), &err);
    assert_int_equal(pki_doc_put(c, &d, &err), 0);
    assert_int_equal(pki_doc_put(c, &d, &err), PC_ECONFLICT);
    assert_int_equal(pki_doc_get(pki_ca_db(f->ca), &a, "AZ-2026-00000001", "decision", &got, &err), 0);
    assert_int_equal(got.signature_len, sl);
    assert_memory_equal(got.signature, sig, sl);
    assert_int_equal(got.document_len, sizeof doc - 1);
    assert_memory_equal(got.document, doc, sizeof doc - 1);
    assert_string_equal(got.seal_serial, seal.serial);
    assert_int_equal(pki_doc_get(pki_ca_db(f->ca), &a, "AZ-2026-00000002", "decision", &got, &err), PC_ENOTFOUND);
    /* a revoked seal signs nothing */
    assert_int_equal(pki_revoke(f->ca, &operator_, seal.serial, PKI_REASON_CESSATION, &err), 0);
    assert_int_equal(pki_seal_sign(f->ca, &a, &operator_, "din", "AZ-2026-00000003", doc, sizeof doc - 1, &sig, &sl,
                                   &used, &err), PC_ECONFLICT);
    pc_arena_release(&a);
}

#define DB_TESTS(setup, teardown)                                                       \
    {                                                                                    \
        cmocka_unit_test(test_issue_revoke_and_history),                                 \
        cmocka_unit_test(test_holders_see_only_their_own),                               \
        cmocka_unit_test(test_crl_published_once_under_the_lease),                       \
        cmocka_unit_test(test_tsa_serials_increase),                                     \
        cmocka_unit_test(test_sign_and_verify),                                          \
        cmocka_unit_test(test_cms_external),                                             \
        cmocka_unit_test(test_cms_wrap),                                                 \
        cmocka_unit_test(test_key_process_killed_and_back),                              \
        cmocka_unit_test(test_group_commit),                                             \
        cmocka_unit_test(test_ocsp_refresh),                                             \
        cmocka_unit_test(test_seals_and_sealed_docs),                                    \
    }

int main(int argc, char **argv)
{
    if (argc >= 7 && strcmp(argv[1], "ca") == 0 && strcmp(argv[2], "keyd") == 0)
        return pki_keyd_main(argv[4], atoi(argv[6]));  /* "ca keyd --data-dir DIR --fd N" */
    unsetenv("PENCERE_CA_PASSPHRASE");
    pc_log_set_level(PC_LOG_WARN);
    int failed = 0;
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_profiles_are_complete),
        cmocka_unit_test(test_subject_building),
        cmocka_unit_test(test_subject_check),
        cmocka_unit_test(test_csr_intake),
        cmocka_unit_test(test_serials_and_base64),
        cmocka_unit_test(test_request_signatures),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_client_reads_answers),
    };
    failed += cmocka_run_group_tests_name("pki", pure, NULL, NULL);
    const struct CMUnitTest sqlite_tests[] = DB_TESTS(setup_sqlite, teardown);
    failed += cmocka_run_group_tests_name("pki-sqlite", sqlite_tests, setup_sqlite, teardown);
    if (pgdb_admin_url()) {
        const struct CMUnitTest pg_tests[] = DB_TESTS(setup_pg, teardown);
        failed += cmocka_run_group_tests_name("pki-postgres", pg_tests, setup_pg, teardown);
    } else {
        printf("note: PENCERE_TEST_PG_URL is not set; the PostgreSQL half of test_pki is skipped\n");
    }
    return failed;
}

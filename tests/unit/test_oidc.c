/* test_oidc.c — the OpenID Connect provider's pieces that need no HTTP:
 * parameter parsing (repeats, bounds, Basic credentials), compact JWS
 * with ES256 (sign, verify, tampering, JWKs), the configuration's checks,
 * and on both databases the signing keys: encrypted at rest, certified
 * through the program's certifier (x5c), rotated with overlap, retired at
 * once when compromised, and refused under a wrong passphrase. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixture.h"
#include "../../src/oidc/oidc.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define PASS "a passphrase long enough"

static struct oidc_params params(const char *const *kv, size_t n)
{
    static const char *k[32], *v[32];
    for (size_t i = 0; i < n; i++) {
        k[i] = kv[2 * i];
        v[i] = kv[2 * i + 1];
    }
    return (struct oidc_params){k, v, n};
}

static void test_authorization_parameters(void **state)
{
    (void)state;
    struct oidc_authz_request r;
    struct pc_err err = {0};
    const char *ok[] = {"response_type", "code", "client_id", "rp-1", "scope", "openid email unknown",
                        "state", "", "prompt", "login consent"};
    struct oidc_params p = params(ok, 5);
    assert_int_equal(oidc_authz_parse(&p, &r, &err), 0);
    assert_string_equal(r.client_id, "rp-1");
    assert_int_equal(r.scopes, OIDC_SCOPE_OPENID | OIDC_SCOPE_EMAIL);
    assert_null(r.state); /* empty is absent */
    assert_true(r.prompt_consent && !r.prompt_none);

    const char *twice[] = {"client_id", "rp-1", "redirect_uri", "https://a.example/cb", "client_id", "rp-2"};
    p = params(twice, 3);
    assert_int_equal(oidc_authz_parse(&p, &r, &err), PC_EINVAL);
    assert_string_equal(r.client_id, "rp-1"); /* filled so far: the caller decides where the error goes */

    const char *control[] = {"client_id", "rp-1", "state", "a\nb"};
    p = params(control, 2);
    assert_int_equal(oidc_authz_parse(&p, &r, &err), PC_EINVAL);
    const char *none_and_consent[] = {"client_id", "rp-1", "prompt", "none consent"};
    p = params(none_and_consent, 2);
    assert_int_equal(oidc_authz_parse(&p, &r, &err), PC_EINVAL);
    const char *bad_prompt[] = {"prompt", "sometimes"};
    p = params(bad_prompt, 1);
    assert_int_equal(oidc_authz_parse(&p, &r, &err), PC_EINVAL);

    char longv[OIDC_PARAM_MAX + 2];
    memset(longv, 'x', sizeof longv - 1);
    longv[sizeof longv - 1] = 0;
    const char *too_long[] = {"nonce", longv};
    p = params(too_long, 1);
    assert_int_equal(oidc_authz_parse(&p, &r, &err), PC_EINVAL);
    longv[OIDC_PARAM_MAX] = 0;
    assert_int_equal(oidc_authz_parse(&p, &r, &err), 0);
}

static void test_token_parameters_and_basic_credentials(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct oidc_token_request r;
    struct pc_err err = {0};
    const char *form[] = {"grant_type", "authorization_code", "code", "c0de"};
    struct oidc_params p = params(form, 2);
    /* "rp%3A1:s+cret" per RFC 6749 §2.3.1: the id is "rp:1", the secret "s cret" */
    assert_int_equal(oidc_token_parse(&a, &p, "Basic cnAlM0ExOnMrY3JldA==", &r, &err), 0);
    assert_true(r.basic);
    assert_string_equal(r.client_id, "rp:1");
    assert_string_equal(r.client_secret, "s cret");
    assert_int_equal(oidc_token_parse(&a, &p, "Bearer abc", &r, &err), PC_EINVAL);
    assert_int_equal(oidc_token_parse(&a, &p, "Basic !!!!", &r, &err), PC_EINVAL);
    assert_int_equal(oidc_token_parse(&a, &p, "Basic bm9jb2xvbg==", &r, &err), PC_EINVAL); /* "nocolon" */
    const char *both[] = {"grant_type", "authorization_code", "client_secret", "x"};
    p = params(both, 2);
    assert_int_equal(oidc_token_parse(&a, &p, "Basic cnAlM0ExOnMrY3JldA==", &r, &err), PC_EINVAL);
    const char *post[] = {"client_id", "rp-1", "client_secret", "x"};
    p = params(post, 2);
    assert_int_equal(oidc_token_parse(&a, &p, NULL, &r, &err), 0);
    assert_false(r.basic);
    assert_string_equal(r.client_secret, "x");
    pc_arena_release(&a);
}

static void test_logout_parameters(void **state)
{
    (void)state;
    struct oidc_logout_request r;
    struct pc_err err = {0};
    static char hint[OIDC_JWT_MAX + 2];
    memset(hint, 'a', sizeof hint - 1);
    const char *kv[] = {"id_token_hint", hint, "state", "s"};
    struct oidc_params p = params(kv, 2);
    assert_int_equal(oidc_logout_parse(&p, &r, &err), PC_EINVAL); /* one byte too long */
    hint[OIDC_JWT_MAX] = 0;
    assert_int_equal(oidc_logout_parse(&p, &r, &err), 0); /* longer than other parameters may be */
    assert_string_equal(r.state, "s");
    const char *twice[] = {"id_token_hint", "a.b.c", "id_token_hint", "d.e.f"};
    p = params(twice, 2);
    assert_int_equal(oidc_logout_parse(&p, &r, &err), PC_EINVAL);
}

static void test_jws_sign_verify_and_tampering(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    EVP_PKEY *k = EVP_EC_gen("P-256"), *other = EVP_EC_gen("P-256");
    const char *jwt;
    assert_int_equal(oidc_jws_sign(&a, k, "kid-1", "JWT", "{\"sub\":\"X1\",\"exp\":42}", &jwt, &err), 0);
    struct oidc_jws j;
    assert_int_equal(oidc_jws_parse(&a, jwt, &j, &err), 0);
    assert_string_equal(j.alg, "ES256");
    assert_string_equal(j.kid, "kid-1");
    assert_int_equal(j.sig_len, 64); /* r and s, not DER */
    assert_string_equal(oidc_jws_claim(&j, "sub"), "X1");
    assert_int_equal(oidc_jws_claim_int(&j, "exp"), 42);
    assert_int_equal(oidc_jws_claim_int(&j, "sub"), -1);
    assert_int_equal(oidc_jws_verify(&j, k, &err), 0);
    assert_int_equal(oidc_jws_verify(&j, other, &err), PC_EDENIED);

    /* the same signature over other claims */
    const char *d1 = strchr(jwt, '.'), *d2 = strrchr(jwt, '.');
    char body[64];
    const char *other_claims = "{\"sub\":\"X2\",\"exp\":42}";
    pc_b64url_encode(other_claims, strlen(other_claims), body);
    const char *forged = pc_arena_printf(&a, "%.*s.%s%s", (int)(d1 - jwt), jwt, body, d2);
    assert_int_equal(oidc_jws_parse(&a, forged, &j, &err), 0);
    assert_int_equal(oidc_jws_verify(&j, k, &err), PC_EDENIED);

    const char *bad[] = {"", "a.b", "a.b.c.d", "e30.e30", "W10.e30.AAAA", "e30.bm90IGpzb24.AAAA"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(oidc_jws_parse(&a, bad[i], &j, &err), PC_EINVAL);
    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
    pc_arena_release(&a);
}

static void test_config_checks(void **state)
{
    (void)state;
    struct oidc_config c;
    struct pc_err err = {0};
    oidc_config_defaults(&c);
    c.passphrase = PASS;
    const char *bad[] = {NULL, "portal.example.az", "https://portal.example.az/", "https://p.example?x=1",
                         "ftp://p.example"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c.issuer = bad[i];
        assert_int_equal(oidc_config_check(&c, &err), PC_EINVAL);
    }
    c.issuer = "https://portal.example.az";
    assert_int_equal(oidc_config_check(&c, &err), 0);
    c.passphrase = "short";
    assert_int_equal(oidc_config_check(&c, &err), PC_EINVAL);
    c.passphrase = PASS;
    c.key_overlap_secs = c.key_period_secs;
    assert_int_equal(oidc_config_check(&c, &err), PC_EINVAL);
}

/* ---- keys, on a database ------------------------------------------------- */

/* A stand-in for the CA: certifies the CSR's key with a throw-away issuer. */
static int certified;

static int fake_ca(void *ctx, struct pc_arena *a, const char *csr_pem, const char **chain, struct pc_err *err)
{
    EVP_PKEY *ca = ctx;
    BIO *in = BIO_new_mem_buf(csr_pem, -1), *out = BIO_new(BIO_s_mem());
    X509_REQ *req = PEM_read_bio_X509_REQ(in, NULL, NULL, NULL);
    X509 *x = X509_new();
    EVP_PKEY *pub = req ? X509_REQ_get_pubkey(req) : NULL;
    int rc = pub && X509_REQ_verify(req, pub) == 1 && X509_set_pubkey(x, pub) && ASN1_INTEGER_set(X509_get_serialNumber(x), 7) &&
             X509_gmtime_adj(X509_getm_notBefore(x), 0) && X509_gmtime_adj(X509_getm_notAfter(x), 3600) &&
             X509_sign(x, ca, EVP_sha256()) > 0 && PEM_write_bio_X509(out, x);
    char *p;
    long n = BIO_get_mem_data(out, &p);
    *chain = rc && n > 0 ? pc_arena_strndup(a, p, (size_t)n) : NULL;
    EVP_PKEY_free(pub);
    X509_free(x);
    X509_REQ_free(req);
    BIO_free(in);
    BIO_free(out);
    certified++;
    return *chain ? 0 : pc_err_set(err, PC_EIO, "fake CA failed");
}

static json_t *key_set(struct oidc *o, struct pc_arena *a)
{
    const char *json;
    struct pc_err err = {0};
    assert_int_equal(oidc_jwks_json(o, a, &json, &err), 0);
    json_t *j = json_loads(json, 0, NULL);
    assert_non_null(j);
    return j;
}

static void test_keys_encrypted_certified_and_rotated(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    EVP_PKEY *ca = EVP_EC_gen("P-256");
    struct oidc_config cfg;
    oidc_config_defaults(&cfg);
    cfg.issuer = "https://portal.example.az";
    cfg.passphrase = PASS;
    cfg.certify = fake_ca;
    cfg.certify_ctx = ca;
    certified = 0;
    struct oidc *o = oidc_open(f->db, &cfg, &err);
    assert_non_null(o);
    assert_int_equal(certified, 1);

    json_t *set = key_set(o, &a);
    assert_int_equal(json_array_size(json_object_get(set, "keys")), 1);
    json_t *k0 = json_array_get(json_object_get(set, "keys"), 0);
    const char *kid1 = pc_arena_strdup(&a, json_string_value(json_object_get(k0, "kid")));
    assert_int_equal(json_array_size(json_object_get(k0, "x5c")), 1);
    assert_null(json_object_get(k0, "d")); /* never the private half */
    json_decref(set);

    /* at rest: encrypted PKCS#8 only */
    struct db_conn *c = fx_conn(f);
    struct db_stmt *s = db_prepare(c, "SELECT private_pem FROM oidc_keys", &err);
    assert_non_null(s);
    assert_int_equal(db_step(s, &err), 1);
    assert_non_null(strstr(db_col_text(s, 0), "BEGIN ENCRYPTED PRIVATE KEY"));
    db_conn_idle(c);

    /* rotation: the new key is published at once, the old one stays
     * published (nodes running already see it within OIDC_KEY_RECHECK_SECS) */
    const char *kid2;
    assert_int_equal(oidc_keys_rotate(f->db, &cfg, false, &a, &kid2, &err), 0);
    assert_string_not_equal(kid1, kid2);
    struct oidc *node2 = oidc_open(f->db, &cfg, &err); /* a node starting now reads the table at once */
    assert_non_null(node2);
    set = key_set(node2, &a);
    assert_int_equal(json_array_size(json_object_get(set, "keys")), 2);
    json_decref(set);
    oidc_close(node2);

    /* a compromised key: every other key leaves the set at once */
    const char *kid3;
    assert_int_equal(oidc_keys_rotate(f->db, &cfg, true, &a, &kid3, &err), 0);
    s = db_prepare(c, "SELECT COUNT(*) FROM oidc_keys WHERE retire_at > ?", &err);
    db_bind_int(s, 1, pc_now_unix());
    assert_int_equal(db_step(s, &err), 1);
    assert_int_equal(db_col_int(s, 0), 1);
    db_conn_idle(c);
    oidc_close(o);

    /* another node with a wrong passphrase cannot use the keys */
    cfg.passphrase = "not the passphrase at all";
    assert_null(oidc_open(f->db, &cfg, &err));
    assert_int_equal(err.code, PC_EDENIED);

    /* every key past its time: the next node to look makes a new one */
    cfg.passphrase = PASS;
    fx_exec(c, "UPDATE oidc_keys SET active_until = 1, retire_at = 1");
    int before = certified;
    assert_non_null(o = oidc_open(f->db, &cfg, &err));
    assert_int_equal(certified, before + 1);
    set = key_set(o, &a);
    assert_int_equal(json_array_size(json_object_get(set, "keys")), 1);
    assert_string_not_equal(json_string_value(json_object_get(json_array_get(json_object_get(set, "keys"), 0), "kid")),
                            kid3);
    json_decref(set);
    oidc_close(o);
    EVP_PKEY_free(ca);
    pc_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_authorization_parameters),
        cmocka_unit_test(test_token_parameters_and_basic_credentials),
        cmocka_unit_test(test_logout_parameters),
        cmocka_unit_test(test_jws_sign_verify_and_tampering),
        cmocka_unit_test(test_config_checks),
    };
    int failed = cmocka_run_group_tests_name("oidc", pure, NULL, NULL);
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test(test_keys_encrypted_certified_and_rotated),
    };
    return failed + fx_run("oidc-db", db_tests, sizeof db_tests / sizeof db_tests[0]);
}

/* test_mobile.c — unit tests of src/mobile without a service: the
 * vocabulary (names both ways, the verification code, phone numbers),
 * the parsers of outside bodies (relying-party requests, the phone's
 * answers, QR codes, enrolment texts, the SIM's Authorization header,
 * request views), and the SIM of the emulator (PIN counters that block
 * and survive reopening, the PUK, signatures that verify, the enrolment
 * text the desk parses, request signatures the header parser reads). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/mobile/internal.h"

#include <openssl/pem.h>

/* ---- vocabulary ------------------------------------------------------- */

static void test_names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < MID_KIND_COUNT; k++)
        assert_int_equal(mid_kind_parse(mid_kind_name((enum mid_kind)k)), k);
    for (int r = 0; r < MID_RESULT_COUNT; r++)
        assert_int_equal(mid_result_parse(mid_result_name((enum mid_result)r)), r);
    for (int h = 0; h < MID_HASH_COUNT; h++) {
        assert_int_equal(mid_hash_parse(mid_hash_name((enum mid_hash)h)), h);
        assert_int_equal(mid_hash_of_len(mid_hash_len((enum mid_hash)h)), h);
    }
    for (int l = 0; l < PC_LANG_COUNT; l++)
        assert_int_equal(mid_lang_parse(mid_lang_name((enum pc_lang)l)), l);
    assert_string_equal(mid_result_name(MID_SIGNATURE_HASH_MISMATCH), "SIGNATURE_HASH_MISMATCH");
    assert_int_equal(mid_result_parse("ok"), -1);
    assert_int_equal(mid_hash_of_len(20), -1);
}

static void test_verification_code(void **state)
{
    (void)state;
    char code[5];
    unsigned char h[32] = {0};
    mid_verification_code(h, sizeof h, code);
    assert_string_equal(code, "0000");
    /* Mobile-ID's rule: 6 high bits of the first byte, 7 low bits of the last */
    h[0] = 0xFF;
    h[31] = 0xFF;
    mid_verification_code(h, sizeof h, code);
    assert_string_equal(code, "8191"); /* 0x1FFF */
    h[0] = 0x03; /* low bits of the first byte do not count */
    h[31] = 0x80; /* nor the high bit of the last */
    mid_verification_code(h, sizeof h, code);
    assert_string_equal(code, "0000");
    h[0] = 0x04;
    h[31] = 0x01;
    mid_verification_code(h, sizeof h, code);
    assert_string_equal(code, "0129"); /* 1 << 7 | 1 */
}

static void test_phone_numbers(void **state)
{
    (void)state;
    char out[MID_PHONE_MAX + 1];
    assert_true(mid_phone_normalize("+994 50 123-45-67", out));
    assert_string_equal(out, "+994501234567");
    assert_true(mid_phone_normalize("  +37200000766", out));
    assert_string_equal(out, "+37200000766");
    const char *bad[] = {"0501234567", "+0501234567", "+9945", "+994501234567890123", "+99450x1234567", "", NULL};
    for (int i = 0; i < 6; i++) {
        assert_false(mid_phone_normalize(bad[i], out));
        assert_string_equal(out, "");
    }
    assert_false(mid_phone_normalize(bad[6], out));
}

/* ---- parsers ---------------------------------------------------------------- */

#define HASH32 "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""

static void test_parse_start(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct mid_start st;
    const char *ok = "{\"relyingPartyName\":\"Pəncərə\",\"phoneNumber\":\"+994 50 123 45 67\","
                     "\"nationalIdentityNumber\":\"5XK2M7P\",\"hashType\":\"SHA256\"," HASH32 ",\"language\":\"RUS\"}";
    assert_int_equal(mid_parse_start(&a, MID_REQ_AUTHENTICATION, ok, strlen(ok), &st, &err), 0);
    assert_string_equal(st.phone, "+994501234567");
    assert_int_equal(st.hash_len, 32);
    assert_int_equal(st.lang, PC_LANG_RU);
    /* a QR request names nobody; a certificate request needs no hash */
    const char *qr = "{\"relyingPartyName\":\"P\",\"hashType\":\"SHA256\"," HASH32 ",\"clientIp\":\"::1\"}";
    assert_int_equal(mid_parse_start(&a, MID_REQ_QR, qr, strlen(qr), &st, &err), 0);
    assert_null(st.phone);
    assert_string_equal(st.client_ip, "::1");
    const char *cert = "{\"relyingPartyName\":\"P\",\"phoneNumber\":\"+994501234567\",\"nationalIdentityNumber\":\"5XK2M7P\"}";
    assert_int_equal(mid_parse_start(&a, MID_REQ_CERTIFICATE, cert, strlen(cert), &st, &err), 0);
    const char *bad[] = {
        "[]", "{", "",
        "{\"relyingPartyName\":\"P\",\"hashType\":\"SHA256\"," HASH32 "}", /* no person */
        "{\"relyingPartyName\":\"P\",\"phoneNumber\":\"+994501234567\",\"nationalIdentityNumber\":\"5xk2m7p\","
        "\"hashType\":\"SHA256\"," HASH32 "}", /* a FİN is upper case */
        "{\"relyingPartyName\":\"P\",\"phoneNumber\":\"+994501234567\",\"nationalIdentityNumber\":\"5XK2M7P\","
        "\"hashType\":\"SHA512\"," HASH32 "}", /* the hash is not of its type */
        "{\"relyingPartyName\":\"P\",\"phoneNumber\":\"+994501234567\",\"nationalIdentityNumber\":\"5XK2M7P\","
        "\"hashType\":\"SHA256\"," HASH32 ",\"language\":\"DEU\"}",
        "{\"relyingPartyName\":\"P\\u0007\",\"hashType\":\"SHA256\"," HASH32 "}",
        "{\"relyingPartyName\":\"P\",\"relyingPartyName\":\"Q\",\"hashType\":\"SHA256\"," HASH32 "}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum mid_request k = i == 7 || i == 8 ? MID_REQ_QR : MID_REQ_AUTHENTICATION;
        assert_int_equal(mid_parse_start(&a, k, bad[i], strlen(bad[i]), &st, &err), PC_EINVAL);
    }
    char *big = pc_arena_alloc(&a, MID_BODY_MAX + 2);
    memset(big, ' ', MID_BODY_MAX + 1);
    assert_int_equal(mid_parse_start(&a, MID_REQ_QR, big, MID_BODY_MAX + 1, &st, &err), PC_ETOOBIG);
    pc_arena_release(&a);
}

static void test_parse_answer(void **state)
{
    (void)state;
    struct pc_err err = {0};
    struct mid_answer ans;
    const char *sig = "{\"answer\":\"signature\",\"signature\":\"AQID\"}";
    assert_int_equal(mid_parse_answer(sig, strlen(sig), &ans, &err), 0);
    assert_int_equal(ans.kind, MID_ANSWER_SIGNATURE);
    assert_int_equal(ans.sig_len, 3);
    const char *refuse = "{\"answer\":\"refuse\"}";
    assert_int_equal(mid_parse_answer(refuse, strlen(refuse), &ans, &err), 0);
    assert_int_equal(ans.kind, MID_ANSWER_REFUSE);
    const char *bad[] = {"{\"answer\":\"signature\"}", "{\"answer\":\"yes\"}", "{}", "null"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(mid_parse_answer(bad[i], strlen(bad[i]), &ans, &err), PC_EINVAL);
}

static void test_parse_qr(void **state)
{
    (void)state;
    struct pc_err err = {0};
    char code[MID_QR_CODE_CHARS + 1], text[MID_QR_CODE_CHARS + 8];
    assert_int_equal(mid_parse_qr("PCQR1:ABCDEFGHIJKLMNOP", 22, code, &err), 0);
    assert_string_equal(code, "ABCDEFGHIJKLMNOP");
    const char *typed = "abcd-efgh ijkl-mnop";
    assert_int_equal(mid_parse_qr(typed, strlen(typed), code, &err), 0);
    assert_string_equal(code, "ABCDEFGHIJKLMNOP");
    mid_qr_text(code, text);
    assert_string_equal(text, "PCQR1:ABCDEFGHIJKLMNOP");
    const char *bad[] = {"PCQR1:ABCDEFGHIJKLMNO", "PCQR1:ABCDEFGHIJKLMNOPQ", "PCQR1:ABCDEFGHIJKLMN01",
                         "https://example.org/", ""};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(mid_parse_qr(bad[i], strlen(bad[i]), code, &err), PC_EINVAL);
        assert_string_equal(code, "");
    }
}

static void test_parse_sim_auth(void **state)
{
    (void)state;
    struct pc_err err = {0};
    struct mid_sim_auth au;
    assert_int_equal(mid_parse_sim_auth("PC-SIM-P256 phone=+994501234567, ts=1700000000, sig=AQID", &au, &err), 0);
    assert_string_equal(au.phone, "+994501234567");
    assert_int_equal(au.ts, 1700000000);
    assert_int_equal(au.sig_len, 3);
    const char *bad[] = {NULL, "", "PC-HMAC-SHA256 client=x, ts=1, sig=AQID",
                         "PC-SIM-P256 phone=+994 50 123 45 67, ts=1, sig=AQID", /* not normalised */
                         "PC-SIM-P256 phone=+994501234567, ts=-1, sig=AQID",
                         "PC-SIM-P256 ts=1, phone=+994501234567, sig=AQID",
                         "PC-SIM-P256 phone=+994501234567, ts=1, sig=AQID, x=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(mid_parse_sim_auth(bad[i], &au, &err), PC_EDENIED);
}

static void test_parse_request_view(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct mid_request_view v = {.id = "0123456789abcdef0123456789abcdef", .kind = MID_KIND_QR,
                                 .rp_client = "portal", .rp_name = "Pəncərə", .hash_type = MID_SHA256,
                                 .lang = PC_LANG_EN, .client_ip = "203.0.113.9", .answer_by = 1796630400};
    unsigned char h[32];
    memset(h, 7, sizeof h);
    v.hash = h;
    v.hash_len = sizeof h;
    json_t *j = mi_view_json(&a, &v);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    struct mid_request_view back;
    assert_int_equal(mid_parse_request_view(&a, s, strlen(s), &back, &err), 0);
    free(s);
    assert_string_equal(back.id, v.id);
    assert_int_equal(back.kind, MID_KIND_QR);
    assert_string_equal(back.rp_name, "Pəncərə");
    assert_string_equal(back.client_ip, "203.0.113.9");
    assert_int_equal(back.answer_by, v.answer_by);
    assert_memory_equal(back.hash, h, 32);
    pc_arena_release(&a);
}

/* ---- the SIM ------------------------------------------------------------------ */

struct simdir {
    char dir[64];
};

static int sim_setup(void **state)
{
    struct simdir *d = calloc(1, sizeof *d);
    snprintf(d->dir, sizeof d->dir, "/tmp/pencere-sim-XXXXXX");
    if (!mkdtemp(d->dir))
        return -1;
    rmdir(d->dir); /* mid_sim_create makes it */
    struct pc_err err = {0};
    if (mid_sim_create(d->dir, "+994501234567", "1234", "12345", "87654321", &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *state = d;
    return 0;
}

static int sim_teardown(void **state)
{
    struct simdir *d = *state;
    const char *files[] = {"auth.pem", "sign.pem", "channel.pem", "sim.json", "sim.lock"};
    char p[128];
    for (size_t i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", d->dir, files[i]);
        unlink(p);
    }
    rmdir(d->dir);
    free(d);
    return 0;
}

static void test_sim_pins_block_and_persist(void **state)
{
    struct simdir *d = *state;
    struct pc_err err = {0};
    struct mid_sim *s = mid_sim_open(d->dir, &err);
    assert_non_null(s);
    assert_string_equal(mid_sim_phone(s), "+994501234567");
    unsigned char h[32] = {1, 2, 3}, sig[MID_SIG_MAX];
    size_t n = sizeof sig;
    int left;
    assert_int_equal(mid_sim_sign(s, MID_SIM_AUTH, "1111", h, sizeof h, sig, &n, &left, &err), PC_EDENIED);
    assert_int_equal(left, 2);
    /* the counter is on disk: a second process sees it */
    struct mid_sim *s2 = mid_sim_open(d->dir, &err);
    assert_int_equal(mid_sim_sign(s2, MID_SIM_AUTH, "1111", h, sizeof h, sig, &n, &left, &err), PC_EDENIED);
    assert_int_equal(left, 1);
    mid_sim_close(s2);
    /* PIN2 has a counter of its own */
    n = sizeof sig;
    assert_int_equal(mid_sim_sign(s, MID_SIM_SIGN, "12345", h, sizeof h, sig, &n, &left, &err), 0);
    assert_int_equal(mid_sim_sign(s, MID_SIM_AUTH, "1111", h, sizeof h, sig, &n, &left, &err), PC_ELIMIT);
    assert_int_equal(left, 0);
    assert_true(mid_sim_blocked(s, MID_SIM_AUTH));
    /* blocked: even the right PIN */
    assert_int_equal(mid_sim_sign(s, MID_SIM_AUTH, "1234", h, sizeof h, sig, &n, &left, &err), PC_ELIMIT);
    /* the PUK: a wrong one counts, the right one sets a new PIN */
    assert_int_equal(mid_sim_unblock(s, MID_SIM_AUTH, "00000000", "4321", &left, &err), PC_EDENIED);
    assert_int_equal(left, MID_PUK_TRIES - 1);
    assert_int_equal(mid_sim_unblock(s, MID_SIM_AUTH, "87654321", "12", &left, &err), PC_EINVAL);
    assert_int_equal(mid_sim_unblock(s, MID_SIM_AUTH, "87654321", "4321", &left, &err), 0);
    n = sizeof sig;
    assert_int_equal(mid_sim_sign(s, MID_SIM_AUTH, "4321", h, sizeof h, sig, &n, &left, &err), 0);
    assert_int_equal(left, MID_PIN_TRIES);
    mid_sim_close(s);
}

static void test_sim_enrolment_and_request_signature(void **state)
{
    struct simdir *d = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    struct mid_sim *s = mid_sim_open(d->dir, &err);
    const char *text;
    assert_int_equal(mid_sim_enrolment_text(s, &a, &text, &err), 0);
    struct mid_enrolment e;
    assert_int_equal(mid_parse_enrolment_text(&a, text, strlen(text), &e, &err), 0);
    assert_non_null(strstr(e.channel_key, "PUBLIC KEY"));
    /* the channel key in the text verifies the SIM's request signatures */
    char hdr[320];
    assert_int_equal(mid_sim_sign_request(s, "GET", "/mid/sim/v1/requests", NULL, 0, 1700000000, hdr, sizeof hdr,
                                          &err), 0);
    struct mid_sim_auth au;
    assert_int_equal(mid_parse_sim_auth(hdr, &au, &err), 0);
    assert_int_equal(au.ts, 1700000000);
    BIO *b = BIO_new_mem_buf(e.channel_key, -1);
    EVP_PKEY *k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    BIO_free(b);
    unsigned char dgst[32];
    mi_sim_digest("GET", "/mid/sim/v1/requests", 1700000000, NULL, 0, dgst);
    assert_int_equal(mi_verify_digest(k, dgst, 32, au.sig, au.sig_len, &err), 0);
    mi_sim_digest("POST", "/mid/sim/v1/requests", 1700000000, NULL, 0, dgst);
    assert_int_equal(mi_verify_digest(k, dgst, 32, au.sig, au.sig_len, &err), PC_EINVAL);
    EVP_PKEY_free(k);
    /* a SIM is made once */
    assert_int_equal(mid_sim_create(d->dir, "+994501234567", "1234", "12345", "87654321", &err), PC_ECONFLICT);
    mid_sim_close(s);
    pc_arena_release(&a);
}

static void test_sim_refuses_weak_pins(void **state)
{
    (void)state;
    struct pc_err err = {0};
    assert_int_equal(mid_sim_create("/tmp/never", "+994501234567", "12", "12345", "87654321", &err), PC_EINVAL);
    assert_int_equal(mid_sim_create("/tmp/never", "+994501234567", "1234", "1234", "87654321", &err), PC_EINVAL);
    assert_int_equal(mid_sim_create("/tmp/never", "+994501234567", "1234", "12345", "8765", &err), PC_EINVAL);
    assert_int_equal(mid_sim_create("/tmp/never", "0501234567", "1234", "12345", "87654321", &err), PC_EINVAL);
    assert_int_equal(access("/tmp/never", F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_verification_code),
        cmocka_unit_test(test_phone_numbers),
        cmocka_unit_test(test_parse_start),
        cmocka_unit_test(test_parse_answer),
        cmocka_unit_test(test_parse_qr),
        cmocka_unit_test(test_parse_sim_auth),
        cmocka_unit_test(test_parse_request_view),
        cmocka_unit_test_setup_teardown(test_sim_pins_block_and_persist, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(test_sim_enrolment_and_request_signature, sim_setup, sim_teardown),
        cmocka_unit_test(test_sim_refuses_weak_pins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_cert_login.c — unit tests of identity's login levels and
 * certificate login, on SQLite and PostgreSQL, with a stand-in for the
 * certification centre's checks (pki's own are tested in test_pki.c):
 * the level a session has for a service, the answer's parser, challenges
 * used once (a replay, a late answer, another site's answer), refusals
 * audited and counted, the person found by FİN (and a representative by
 * FİN and VÖEN), a single-purpose certificate's one service, and a
 * session that ends when its certificate is revoked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fixture.h"
#include "../../src/audit/audit.h"
#include "../../src/identity/internal.h"

/* ---- without a database ------------------------------------------------- */

static void test_levels_and_methods(void **state)
{
    (void)state;
    for (int l = 0; l < ID_LEVEL_COUNT; l++)
        assert_int_equal(id_level_parse(id_level_name((enum id_level)l)), l);
    assert_int_equal(id_level_parse("e_signature"), ID_LEVEL_E_SIGNATURE);
    assert_int_equal(id_level_parse("card"), -1);
    for (int m = 0; m < ID_METHOD_COUNT; m++)
        assert_int_equal(id_method_parse(id_method_name((enum id_method)m)), m);
    assert_int_equal(id_method_level(ID_METHOD_PASSWORD), ID_LEVEL_CODE_PASSWORD);
    assert_int_equal(id_method_level(ID_METHOD_CERTIFICATE), ID_LEVEL_E_SIGNATURE);
    assert_int_equal(id_method_level(ID_METHOD_COUNT), ID_LEVEL_NONE); /* a method this node does not know */
    for (int p = 0; p < ID_CERT_PROBLEM_COUNT; p++)
        assert_string_not_equal(id_cert_problem_name((enum id_cert_problem)p), "unknown");

    struct id_principal pw = {.account_id = "a", .auth = {.method = ID_METHOD_PASSWORD}};
    struct id_principal cert = {.account_id = "b", .auth = {.method = ID_METHOD_CERTIFICATE}};
    struct id_principal single = {.account_id = "c",
                                  .auth = {.method = ID_METHOD_CERTIFICATE, .only_service = "eesmn-vemtas"}};
    assert_int_equal(id_level_for(NULL, "x"), ID_LEVEL_NONE);
    assert_int_equal(id_level_for(&pw, "x"), ID_LEVEL_CODE_PASSWORD);
    assert_int_equal(id_level_for(&cert, "x"), ID_LEVEL_E_SIGNATURE);
    assert_int_equal(id_level_for(&single, "eesmn-vemtas"), ID_LEVEL_E_SIGNATURE);
    assert_int_equal(id_level_for(&single, "rytn-imei-registration"), ID_LEVEL_NONE);
}

static const char *answer_json(struct pc_arena *a, const char *challenge, const char *host, const char *cert,
                               const char *sig)
{
    return pc_arena_printf(a, "{\"challenge\":\"%s\",\"host\":\"%s\",\"certificate\":\"%s\",\"signature\":\"%s\"}",
                           challenge, host, cert, sig);
}

static void test_the_answer_parser(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_cert_response r;
    const char *ch = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const char *ok = answer_json(&a, ch, "portal.example.az:8443", "MIIB", "c2lnbmF0dXJl");
    assert_int_equal(id_cert_response_parse(&a, ok, strlen(ok), &r, &err), 0);
    assert_string_equal(r.host, "portal.example.az:8443");
    assert_int_equal(r.sig_len, 9);
    assert_memory_equal(r.sig, "signature", 9);
    assert_int_equal(r.cert_len, 3);
    /* PEM, standard base64 with padding */
    const char *pem = answer_json(&a, ch, "h", "-----BEGIN CERTIFICATE-----\\nMIIBAA==\\n-----END CERTIFICATE-----\\n",
                                  "c2lnbmF0dXJl");
    assert_int_equal(id_cert_response_parse(&a, pem, strlen(pem), &r, &err), 0);
    assert_int_equal(r.cert_len, 4);
    const char *bad[] = {
        "", "[]", "{}", "not json",
        answer_json(&a, "short", "h", "MIIB", "AA"),
        answer_json(&a, ch, "h/evil", "MIIB", "AA"),
        answer_json(&a, ch, "", "MIIB", "AA"),
        answer_json(&a, ch, "h", "!!!!", "AA"),
        answer_json(&a, ch, "h", "MIIB", ""),
        answer_json(&a, ch, "h", "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\nMIIB", "AA"),
        "{\"challenge\":1,\"host\":\"h\",\"certificate\":\"MIIB\",\"signature\":\"AA\"}",
        "{\"challenge\":\"x\",\"challenge\":\"y\",\"host\":\"h\",\"certificate\":\"MIIB\",\"signature\":\"AA\"}",
        pc_arena_printf(&a, "{\"challenge\":\"%s\",\"host\":\"h\",\"certificate\":\"MIIB\",\"signature\":\"AA\","
                            "\"extra\":1}", ch),
        pc_arena_printf(&a, "{\"challenge\":\"%s\",\"host\":\"h\\u0000x\",\"certificate\":\"MIIB\",\"signature\":\"AA\"}",
                        ch),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err = (struct pc_err){0};
        assert_int_equal(id_cert_response_parse(&a, bad[i], strlen(bad[i]), &r, &err), PC_EINVAL);
        assert_true(err.msg[0] != 0);
    }
    char *big = pc_arena_alloc(&a, ID_CERT_RESPONSE_MAX + 2);
    memset(big, ' ', ID_CERT_RESPONSE_MAX + 1);
    big[ID_CERT_RESPONSE_MAX + 1] = 0;
    assert_int_equal(id_cert_response_parse(&a, big, strlen(big), &r, &err), PC_EINVAL);
    pc_arena_release(&a);
}

/* ---- a stand-in for the certification centre ---------------------------
 * A "certificate" is the text "SERIAL|FIN|VOEN|SERVICE|PROBLEM" (empty
 * fields: none) and a good signature is "sig:" followed by the data.  The
 * status of a serial is whatever `revoked` says. */

static char revoked[64];

static int fake_check(void *ctx, struct pc_arena *a, const unsigned char *cert, size_t cert_len, const void *data,
                      size_t data_len, const unsigned char *sig, size_t sig_len, struct id_cert_holder *out,
                      enum id_cert_problem *problem, struct pc_err *err)
{
    (void)ctx;
    char *f[5] = {0};
    char *text = pc_arena_strndup(a, (const char *)cert, cert_len);
    for (int i = 0; i < 5; i++) {
        f[i] = text;
        text = strchr(text, '|');
        if (text)
            *text++ = 0;
        else
            text = "";
    }
    *out = (struct id_cert_holder){.serial = f[0], .fin = f[1], .voen = *f[2] ? f[2] : NULL, .name = "Holder",
                                   .only_service = *f[3] ? f[3] : NULL};
    *problem = (enum id_cert_problem)atoi(f[4]);
    if (*problem)
        return pc_err_set(err, PC_EDENIED, "certificate %s", id_cert_problem_name(*problem));
    if (sig_len != data_len + 4 || memcmp(sig, "sig:", 4) || memcmp(sig + 4, data, data_len)) {
        *problem = ID_CERT_BAD_SIGNATURE;
        return pc_err_set(err, PC_EDENIED, "bad signature");
    }
    if (pc_str_eq(revoked, out->serial)) {
        *problem = ID_CERT_REVOKED;
        return pc_err_set(err, PC_EDENIED, "revoked");
    }
    return 0;
}

static int fake_status(void *ctx, struct pc_arena *a, const char *serial, enum id_cert_problem *problem,
                       struct pc_err *err)
{
    (void)ctx;
    (void)a;
    if (!pc_str_eq(revoked, serial))
        return 0;
    *problem = ID_CERT_REVOKED;
    return pc_err_set(err, PC_EDENIED, "revoked");
}

static const struct id_cert_checker fake = {fake_check, fake_status, NULL};

static int64_t n_person = 100;

static struct id_person person(struct fixture *f, struct pc_arena *a)
{
    return fx_person(f, a, 11, n_person++);
}

/* A fresh challenge and the answer a client would send with cert. */
static struct id_cert_response answer(struct fixture *f, struct pc_arena *a, const char *ip, const char *host,
                                      const char *cert)
{
    struct pc_err err = {0};
    char ch[ID_TOKEN_CHARS + 1];
    int64_t exp;
    if (id_cert_challenge(f->db, ip, ch, &exp, &err))
        fail_msg("challenge: %s", err.msg);
    assert_true(exp > pc_now_unix());
    const char *data = id_cert_to_sign(a, host, ch);
    const char *sig = pc_arena_printf(a, "sig:%s", data);
    return (struct id_cert_response){.challenge = pc_arena_strdup(a, ch), .host = host,
                                     .cert = (const unsigned char *)cert, .cert_len = strlen(cert),
                                     .sig = (const unsigned char *)sig, .sig_len = strlen(sig)};
}

static int cert_login(struct fixture *f, struct pc_arena *a, const struct id_cert_response *r, const char *ip,
                      char *token, enum id_cert_problem *problem)
{
    struct pc_err err = {0};
    int64_t retry;
    return id_login_certificate(f->db, a, &fake, r, "portal.test", ip, "unit", "cookie", token, &retry, problem,
                                &err);
}

/* The detail of the newest audit entry with this action. */
static const char *last_audit(struct fixture *f, struct pc_arena *a, const char *action)
{
    struct audit_row *rows;
    size_t n;
    bool more;
    struct pc_err err = {0};
    assert_int_equal(audit_list(f->db, a, 0, 20, &rows, &n, &more, &err), 0);
    for (size_t i = 0; i < n; i++)
        if (pc_str_eq(rows[i].e.action, action))
            return rows[i].e.detail;
    return NULL;
}

static void test_a_certificate_logs_the_person_in(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_person p = person(f, &a);
    /* no account yet: the certificate makes and activates one */
    const char *cert = pc_arena_printf(&a, "0A1B|%s|||0", p.fin);
    struct id_cert_response r = answer(f, &a, "10.7.0.1", "portal.test", cert);
    char token[ID_TOKEN_CHARS + 1];
    enum id_cert_problem problem;
    int64_t before = pc_now_unix();
    assert_int_equal(cert_login(f, &a, &r, "10.7.0.1", token, &problem), 0);
    struct id_principal who;
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), 0);
    assert_string_equal(who.fin, p.fin);
    assert_int_equal(who.auth.method, ID_METHOD_CERTIFICATE);
    assert_string_equal(who.auth.cert_serial, "0A1B");
    assert_null(who.auth.only_service);
    assert_true(who.auth.at >= before && who.auth.at <= pc_now_unix());
    assert_int_equal(id_level_for(&who, "rytn-imei-registration"), ID_LEVEL_E_SIGNATURE);
    assert_string_equal(last_audit(f, &a, "session.login"), "certificate 0A1B");
    assert_non_null(last_audit(f, &a, "account.activated"));
    /* a replay of the same answer */
    char token2[ID_TOKEN_CHARS + 1];
    assert_int_equal(cert_login(f, &a, &r, "10.7.0.1", token2, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_CHALLENGE_USED);
    assert_string_equal(token2, "");
    assert_string_equal(last_audit(f, &a, "session.login_failed"), "certificate challenge-used");
    /* a challenge never given */
    r.challenge = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    assert_int_equal(cert_login(f, &a, &r, "10.7.0.1", token2, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_CHALLENGE_UNKNOWN);
    pc_arena_release(&a);
}

static void test_late_foreign_and_wrong_answers_are_refused(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_person p = person(f, &a);
    const char *cert = pc_arena_printf(&a, "0C|%s|||0", p.fin);
    char token[ID_TOKEN_CHARS + 1];
    enum id_cert_problem problem;
    /* too late */
    struct id_cert_response r = answer(f, &a, "10.7.1.1", "portal.test", cert);
    char hash[65];
    pc_sha256_hex(r.challenge, strlen(r.challenge), hash);
    struct db_conn *c = fx_conn(f);
    fx_exec(c, pc_arena_printf(&a, "UPDATE cert_challenges SET expires_at = 1 WHERE hash = '%s'", hash));
    assert_int_equal(cert_login(f, &a, &r, "10.7.1.1", token, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_CHALLENGE_EXPIRED);
    /* signed for another site: the challenge is spent all the same */
    r = answer(f, &a, "10.7.1.1", "evil.test", cert);
    assert_int_equal(cert_login(f, &a, &r, "10.7.1.1", token, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_WRONG_HOST);
    r.host = "portal.test";
    assert_int_equal(cert_login(f, &a, &r, "10.7.1.1", token, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_CHALLENGE_USED);
    /* a signature over something else */
    r = answer(f, &a, "10.7.1.1", "portal.test", cert);
    r.sig = (const unsigned char *)"sig:other";
    r.sig_len = 9;
    assert_int_equal(cert_login(f, &a, &r, "10.7.1.1", token, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_BAD_SIGNATURE);
    /* what the centre says: wrong profile, revoked */
    r = answer(f, &a, "10.7.1.1", "portal.test", pc_arena_printf(&a, "0D|%s|||%d", p.fin, ID_CERT_WRONG_PROFILE));
    assert_int_equal(cert_login(f, &a, &r, "10.7.1.1", token, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_WRONG_PROFILE);
    assert_string_equal(last_audit(f, &a, "session.login_failed"), "certificate wrong-profile 0D");
    snprintf(revoked, sizeof revoked, "0E");
    r = answer(f, &a, "10.7.1.1", "portal.test", pc_arena_printf(&a, "0E|%s|||0", p.fin));
    assert_int_equal(cert_login(f, &a, &r, "10.7.1.1", token, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_REVOKED);
    revoked[0] = 0;
    /* a person we do not know */
    r = answer(f, &a, "10.7.1.1", "portal.test", "0F|9ZZZZZZ|||0");
    assert_int_equal(cert_login(f, &a, &r, "10.7.1.1", token, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_NO_PERSON);
    pc_arena_release(&a);
}

static void test_failures_from_an_address_wait(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_person p = person(f, &a);
    char token[ID_TOKEN_CHARS + 1];
    enum id_cert_problem problem;
    struct id_cert_response r = answer(f, &a, "10.7.2.1", "portal.test", pc_arena_printf(&a, "10|%s|||0", p.fin));
    r.challenge = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";
    int rc = 0;
    for (int i = 0; i < 30 && rc != PC_ELIMIT; i++)
        rc = cert_login(f, &a, &r, "10.7.2.1", token, &problem);
    assert_int_equal(rc, PC_ELIMIT);
    /* another address is not slowed down */
    r = answer(f, &a, "10.7.2.2", "portal.test", pc_arena_printf(&a, "10|%s|||0", p.fin));
    assert_int_equal(cert_login(f, &a, &r, "10.7.2.2", token, &problem), 0);
    /* and an address cannot hoard challenges */
    struct pc_err err = {0};
    char ch[ID_TOKEN_CHARS + 1];
    int64_t exp;
    rc = 0;
    for (int i = 0; i <= ID_CHALLENGES_PER_IP && rc == 0; i++)
        rc = id_cert_challenge(f->db, "10.7.2.3", ch, &exp, &err);
    assert_int_equal(rc, PC_ELIMIT);
    pc_arena_release(&a);
}

static void test_representatives_and_single_purpose_certificates(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_person p = person(f, &a);
    struct db_conn *c = fx_conn(f);
    struct id_entity e = {.voen = "1700123451", .name = "Test MMC", .legal_form = "MMC", .status = "active"};
    assert_int_equal(db_begin(c, &err), 0);
    assert_int_equal(id_entity_put(c, &e, &err), 0);
    assert_int_equal(id_representative_grant(c, e.voen, p.fin, "full", &err), 0);
    assert_int_equal(db_commit(c, &err), 0);
    char token[ID_TOKEN_CHARS + 1];
    enum id_cert_problem problem;
    struct id_cert_response r = answer(f, &a, "10.7.3.1", "portal.test",
                                       pc_arena_printf(&a, "11|%s|%s||0", p.fin, e.voen));
    assert_int_equal(cert_login(f, &a, &r, "10.7.3.1", token, &problem), 0);
    struct id_principal who;
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), 0);
    assert_string_equal(who.acting_for, e.voen);
    /* a representative's certificate for an entity without a grant */
    r = answer(f, &a, "10.7.3.1", "portal.test", pc_arena_printf(&a, "12|%s|1700999991||0", p.fin));
    assert_int_equal(cert_login(f, &a, &r, "10.7.3.1", token, &problem), PC_EDENIED);
    assert_int_equal(problem, ID_CERT_NOT_REPRESENTATIVE);
    /* a single-purpose certificate counts for its one service */
    r = answer(f, &a, "10.7.3.1", "portal.test", pc_arena_printf(&a, "13|%s||eesmn-vemtas|0", p.fin));
    assert_int_equal(cert_login(f, &a, &r, "10.7.3.1", token, &problem), 0);
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), 0);
    assert_string_equal(who.auth.only_service, "eesmn-vemtas");
    assert_int_equal(id_level_for(&who, "eesmn-vemtas"), ID_LEVEL_E_SIGNATURE);
    assert_int_equal(id_level_for(&who, "rytn-imei-registration"), ID_LEVEL_NONE);
    assert_string_equal(last_audit(f, &a, "session.login"), "certificate 13 for eesmn-vemtas");
    pc_arena_release(&a);
}

static void test_a_revoked_certificate_ends_its_session(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_person p = person(f, &a);
    char token[ID_TOKEN_CHARS + 1];
    enum id_cert_problem problem;
    struct id_cert_response r = answer(f, &a, "10.7.4.1", "portal.test", pc_arena_printf(&a, "14|%s|||0", p.fin));
    assert_int_equal(cert_login(f, &a, &r, "10.7.4.1", token, &problem), 0);
    struct id_principal who;
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), 0);
    assert_int_equal(id_session_recheck(f->db, &a, &fake, &who, "10.7.4.1", &err), 0);
    snprintf(revoked, sizeof revoked, "14");
    assert_int_equal(id_session_recheck(f->db, &a, &fake, &who, "10.7.4.1", &err), PC_ENOTFOUND);
    revoked[0] = 0;
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), PC_ENOTFOUND);
    assert_string_equal(last_audit(f, &a, "session.certificate_ended"), "certificate 14 revoked");
    /* a password session is never asked about */
    struct id_principal pw = {.account_id = "x", .auth = {.method = ID_METHOD_PASSWORD}};
    snprintf(revoked, sizeof revoked, "14");
    assert_int_equal(id_session_recheck(f->db, &a, &fake, &pw, "10.7.4.1", &err), 0);
    revoked[0] = 0;
    pc_arena_release(&a);
}

static void test_single_purpose_requests_wait_for_the_desk(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    assert_true(id_single_offered("eesmn-vemtas"));
    assert_false(id_single_offered("rytn-imei-registration"));
    assert_null(id_single_service_at(1));
    struct id_principal who = {.account_id = "acc-sp", .kind = ID_ACCOUNT_CITIZEN, .fin = "5SPQ001",
                               .auth = {.method = ID_METHOD_PASSWORD}};
    struct id_single_request req, again, got;
    /* only after a code-password login, and only for a service that offers one */
    struct id_principal cert = who;
    cert.auth.method = ID_METHOD_CERTIFICATE;
    assert_int_equal(id_single_request(f->db, &a, &cert, "eesmn-vemtas", "10.7.5.1", &req, &err), PC_EDENIED);
    struct id_principal staff = who;
    staff.kind = ID_ACCOUNT_STAFF;
    assert_int_equal(id_single_request(f->db, &a, &staff, "eesmn-vemtas", "10.7.5.1", &req, &err), PC_EDENIED);
    assert_int_equal(id_single_request(f->db, &a, &who, "rytn-imei-registration", "10.7.5.1", &req, &err), PC_EINVAL);
    assert_int_equal(id_single_request(f->db, &a, &who, NULL, "10.7.5.1", &req, &err), PC_EINVAL);
    /* asked twice: one request */
    assert_int_equal(id_single_request(f->db, &a, &who, "eesmn-vemtas", "10.7.5.1", &req, &err), 0);
    assert_int_equal(id_single_request(f->db, &a, &who, "eesmn-vemtas", "10.7.5.1", &again, &err), 0);
    assert_string_equal(req.id, again.id);
    assert_string_equal(last_audit(f, &a, "pki.single_requested"), "eesmn-vemtas");
    struct id_single_request *w;
    size_t n;
    assert_int_equal(id_single_waiting(f->db, &a, who.fin, &w, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(w[0].service_id, "eesmn-vemtas");
    /* someone else's request is not found at another person's desk */
    assert_int_equal(id_single_get(f->db, &a, "5SPQ002", req.id, &got, &err), PC_ENOTFOUND);
    assert_int_equal(id_single_issued(f->db, "5SPQ002", req.id, "AB", "reg-1", "10.7.5.2", &err), PC_ENOTFOUND);
    assert_int_equal(id_single_get(f->db, &a, who.fin, req.id, &got, &err), 0);
    assert_int_equal(id_single_issued(f->db, who.fin, req.id, "AB", "reg-1", "10.7.5.2", &err), 0);
    assert_string_equal(last_audit(f, &a, "pki.single_issued"), "AB");
    /* done: nothing waits, and it is not issued twice */
    assert_int_equal(id_single_waiting(f->db, &a, who.fin, &w, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(id_single_get(f->db, &a, who.fin, req.id, &got, &err), PC_ENOTFOUND);
    assert_int_equal(id_single_issued(f->db, who.fin, req.id, "AC", "reg-1", "10.7.5.2", &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

int main(void)
{
    pc_log_set_level(PC_LOG_WARN);
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_levels_and_methods),
        cmocka_unit_test(test_the_answer_parser),
    };
    int failed = cmocka_run_group_tests_name("cert-login", pure, NULL, NULL);
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test(test_a_certificate_logs_the_person_in),
        cmocka_unit_test(test_late_foreign_and_wrong_answers_are_refused),
        cmocka_unit_test(test_failures_from_an_address_wait),
        cmocka_unit_test(test_representatives_and_single_purpose_certificates),
        cmocka_unit_test(test_a_revoked_certificate_ends_its_session),
        cmocka_unit_test(test_single_purpose_requests_wait_for_the_desk),
    };
    return failed + fx_run("cert-login-db", db_tests, sizeof db_tests / sizeof db_tests[0]);
}

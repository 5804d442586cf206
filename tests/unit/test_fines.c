/* test_fines.c — fines without login: the identifiers (formats, folding,
 * the masked plate), the register's synthetic protocols (numbers and
 * licences are bijections of the index, amounts and points from the
 * article, the same every time), receipts (the same bytes for the same
 * payment, the protocols named), and on SQLite and PostgreSQL: the
 * register found by each key and marked paid idempotently, and look-ups
 * throttled per address. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/fines/fines.h"
#include "../../src/pay/pay.h"
#include "../../src/registries/registries.h"
#include "fixture.h"

#include <jansson.h>

static void test_identifiers(void **state)
{
    (void)state;
    struct pc_err err = {0};
    assert_int_equal(fine_key_parse("licence"), FINE_BY_LICENCE);
    assert_int_equal(fine_key_parse("name"), -1);
    assert_string_equal(fine_key_name(FINE_BY_VOEN), "voen");
    assert_int_equal(fine_key_parse("id_card"), FINE_BY_ID_CARD);
    static const struct {
        enum fine_key k;
        const char *v;
        int rc;
    } cases[] = {
        {FINE_BY_PROTOCOL, "PR12345671", 0}, {FINE_BY_PROTOCOL, "PR1234567", PC_EINVAL},
        {FINE_BY_PROTOCOL, "pr12345671", PC_EINVAL}, {FINE_BY_PROTOCOL, "PR1234567X", PC_EINVAL},
        {FINE_BY_FIN, "0034LZB", 0}, {FINE_BY_FIN, "0034LZI", PC_EINVAL}, {FINE_BY_FIN, "0034LZ", PC_EINVAL},
        {FINE_BY_LICENCE, "AB123456", 0}, {FINE_BY_LICENCE, "A1123456", PC_EINVAL},
        {FINE_BY_LICENCE, "AB12345", PC_EINVAL}, {FINE_BY_VOEN, "1400057421", 0},
        {FINE_BY_VOEN, "140005742", PC_EINVAL}, {FINE_BY_VOEN, "14000574X1", PC_EINVAL}, {FINE_BY_VOEN, "", PC_EINVAL},
        {FINE_BY_ID_CARD, "AA1234567", 0}, {FINE_BY_ID_CARD, "AA123456", PC_EINVAL},
        {FINE_BY_ID_CARD, "A11234567", PC_EINVAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(fine_id_check(cases[i].k, cases[i].v, &err), cases[i].rc);
        if (cases[i].rc)
            assert_true(strlen(err.msg) > 0);
    }
    struct pc_arena a;
    pc_arena_init(&a);
    assert_string_equal(fine_id_fold(&a, " ab-123 456 "), "AB123456");
    assert_string_equal(fine_id_fold(&a, "0034lzb"), "0034LZB");
    assert_int_equal(strlen(fine_id_fold(&a, "0123456789012345678901234567890123456789")), 32);
    assert_string_equal(fine_id_fold(&a, NULL), "");
    assert_string_equal(fine_plate_mask(&a, "10-AB-123"), "10-**-*23");
    assert_string_equal(fine_plate_mask(&a, "90-CL-787"), "90-**-*87");
    assert_string_equal(fine_plate_mask(&a, NULL), "");
    pc_arena_release(&a);
}

static void test_protocols(void **state)
{
    (void)state;
    char no[11], prev[11] = "", lic[9];
    for (uint64_t i = 0; i < 100000; i += 7) {
        reg_protocol_of(i, no);
        assert_true(reg_protocol_ok(no));
        assert_string_not_equal(no, prev);
        memcpy(prev, no, sizeof no);
        reg_licence_of(i, lic);
        assert_true(reg_licence_ok(lic));
    }
    reg_protocol_of(0, no);
    assert_string_equal(no, "PR12345671");   /* the tests' formula: (i * 48271 + 12345671) mod 10^8 */
    reg_protocol_of(3, no);
    assert_string_equal(no, "PR12490484");
    struct pc_arena a;
    pc_arena_init(&a);
    int persons = 0, unpaid = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        struct reg_fine f, g;
        reg_fine_make(&a, i, 100, &f);
        reg_fine_make(&a, i, 100, &g);
        assert_string_equal(reg_fine_json(&a, &f), reg_fine_json(&a, &g));   /* the same every time */
        assert_true(f.amount_qepik >= 1000 && f.amount_qepik % 100 == 0);
        assert_true(reg_protocol_ok(f.protocol_no));
        if (f.fin) {
            persons++;
            assert_true(reg_index_of(f.fin) >= 0 && reg_index_of(f.fin) < 100);
            char l[9];
            reg_licence_of((uint64_t)reg_index_of(f.fin), l);
            assert_string_equal(f.licence, l);
            assert_null(f.voen);
            assert_true(strlen(f.initials) >= 4);
            assert_true(reg_id_card_ok(f.id_card));   /* the population register's card of the person */
        } else {
            assert_true(reg_voen_index(f.voen) >= 0 && reg_voen_index(f.voen) < 20);
            assert_int_equal(f.points, 0);
            assert_null(f.licence);
        }
        unpaid += f.status == REG_FINE_UNPAID;
        assert_true(f.status != REG_FINE_PAID || f.payment_ref);
    }
    assert_true(persons > 700 && persons < 900);   /* four in five */
    assert_true(unpaid > 700 && unpaid < 900);     /* eight in ten */
    pc_arena_release(&a);
}

static void test_receipts_of_fines(void **state)
{
    (void)state;
    struct pay_payment p = {.id = "PAY-0123", .status = PAY_SUCCESS, .amount_qepik = 14000, .paid_at = 1796601600,
                            .provider_id = "pp_1", .agency_id = "din"};
    struct pay_receipt_info info = {.p = &p, .service = "Rüsum və cərimələrin ödənişi",
                                    .agency = "Daxili İşlər Nazirliyi", .application_ref = "PR12345671, PR12490484",
                                    .subject_label = PAY_SUBJECT_PROTOCOLS};
    unsigned char *one, *two;
    size_t n1, n2;
    struct pc_err err = {0};
    assert_int_equal(pay_receipt_pdf(&info, &one, &n1, &err), 0);
    assert_int_equal(pay_receipt_pdf(&info, &two, &n2, &err), 0);
    /* the same payment, the same bytes: a seal made once checks any copy */
    assert_int_equal(n1, n2);
    assert_memory_equal(one, two, n1);
    free(two);
    info.subject_label = PAY_SUBJECT_APPLICATION;
    assert_int_equal(pay_receipt_pdf(&info, &two, &n2, &err), 0);
    assert_true(n1 != n2 || memcmp(one, two, n1) != 0);   /* labelled otherwise */
    free(one);
    free(two);
    /* no centre, no seal; never for a payment that did not succeed */
    const unsigned char *sig;
    size_t sig_len;
    struct pc_arena a;
    pc_arena_init(&a);
    assert_int_equal(pay_receipt_seal(NULL, &p, (const unsigned char *)"x", 1, &a, &sig, &sig_len, &err), PC_EUNAVAIL);
    assert_null(sig);
    pc_arena_release(&a);
}

/* The register's answer is outside input: only well-formed protocols of
 * exactly the identifier asked are believed. */
static void test_the_registers_answer(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct fine *f;
    size_t n;
    struct pc_err err = {0};
    const char *good = "{\"protocols\":[{\"protocol_no\":\"PR12345671\",\"date\":\"2025-05-14\",\"article\":\"327.1\","
                       "\"amount_qepik\":%s,\"points\":1,\"status\":\"%s\",\"plate\":\"90-CL-787\",\"fin\":\"%s\","
                       "\"initials\":\"R. H.\"}]}";
#define ANSWER(amount, status, fin) pc_arena_printf(&a, good, amount, status, fin)
    const char *t = ANSWER("1000", "unpaid", "0034LZB");
    assert_int_equal(fine_answer_parse(&a, t, strlen(t), FINE_BY_FIN, "0034LZB", &f, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(f[0].number, "PR12345671");
    assert_int_equal(f[0].amount_qepik, 1000);
    assert_int_equal(f[0].status, FINE_UNPAID);
    assert_string_equal(f[0].plate_masked, "90-**-*87");
    static const char *const bad[][3] = {
        {"0", "unpaid", "0034LZB"}, {"-5", "unpaid", "0034LZB"}, {"\"1000\"", "unpaid", "0034LZB"},
        {"100000001", "unpaid", "0034LZB"}, {"1000", "owed", "0034LZB"},
        {"1000", "unpaid", "1AB2C3D"},   /* someone else's */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = ANSWER(bad[i][0], bad[i][1], bad[i][2]);
        assert_int_equal(fine_answer_parse(&a, t, strlen(t), FINE_BY_FIN, "0034LZB", &f, &n, &err), PC_EUNAVAIL);
    }
#undef ANSWER
    static const char *const not_lists[] = {"", "[]", "{\"protocols\":{}}", "{\"protocols\":[1]}", "{\"protocols\":[{}]}"};
    for (size_t i = 0; i < sizeof not_lists / sizeof not_lists[0]; i++)
        assert_int_equal(fine_answer_parse(&a, not_lists[i], strlen(not_lists[i]), FINE_BY_FIN, "0034LZB", &f, &n, &err),
                         PC_EUNAVAIL);
    t = "{\"protocols\":[]}";
    assert_int_equal(fine_answer_parse(&a, t, strlen(t), FINE_BY_VOEN, "1400057421", &f, &n, &err), 0);
    assert_int_equal(n, 0);
    pc_arena_release(&a);
}

/* ---- on a database -------------------------------------------------------------- */

static json_t *found(struct fixture *f, struct pc_arena *a, enum reg_fine_key k, const char *v)
{
    struct pc_err err = {0};
    const char *json;
    assert_int_equal(reg_fines_find(f->db, a, k, v, &json, &err), 0);
    json_error_t je;
    json_t *d = json_loads(json, 0, &je);
    assert_non_null(d);
    return d;
}

static void test_the_register(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    double rate;
    assert_int_equal(reg_generate(f->db, REG_FINES, 300, 60, &rate, &err), 0);
    struct pc_arena a;
    pc_arena_init(&a);
    struct reg_fine p;
    uint64_t i = 0;
    do
        reg_fine_make(&a, i++, 60, &p);
    while (p.status != REG_FINE_UNPAID || !p.fin);
    /* by each key: exactly its protocols */
    json_t *by_no = found(f, &a, REG_FINE_BY_PROTOCOL, p.protocol_no), *by_fin = found(f, &a, REG_FINE_BY_FIN, p.fin),
           *by_lic = found(f, &a, REG_FINE_BY_LICENCE, p.licence), *by_card = found(f, &a, REG_FINE_BY_ID_CARD, p.id_card),
           *x;
    assert_int_equal(json_array_size(json_object_get(by_no, "protocols")), 1);
    assert_true(json_equal(json_object_get(by_fin, "protocols"), json_object_get(by_lic, "protocols")));
    assert_true(json_equal(json_object_get(by_fin, "protocols"), json_object_get(by_card, "protocols")));
    json_decref(by_card);
    size_t k;
    bool mine = false;
    json_array_foreach(json_object_get(by_fin, "protocols"), k, x) {
        assert_string_equal(json_string_value(json_object_get(x, "fin")), p.fin);
        mine |= pc_str_eq(json_string_value(json_object_get(x, "protocol_no")), p.protocol_no);
    }
    assert_true(mine);
    json_decref(by_no);
    json_decref(by_fin);
    json_decref(by_lic);
    json_t *none = found(f, &a, REG_FINE_BY_VOEN, "9999999999");
    assert_int_equal(json_array_size(json_object_get(none, "protocols")), 0);
    json_decref(none);
    const char *json;
    assert_int_equal(reg_fines_find(f->db, &a, REG_FINE_BY_FIN, "IIIIIII", &json, &err), PC_EINVAL);
    /* marked paid once; the same reference again is no change, another is refused */
    assert_int_equal(reg_fine_mark_paid(f->db, &a, p.protocol_no, "PAY-1", p.amount_qepik + 1, &json, &err),
                     PC_ECONFLICT);
    assert_int_equal(reg_fine_mark_paid(f->db, &a, p.protocol_no, "PAY-1", p.amount_qepik, &json, &err), 0);
    assert_non_null(strstr(json, "\"status\":\"paid\""));
    assert_int_equal(reg_fine_mark_paid(f->db, &a, p.protocol_no, "PAY-1", p.amount_qepik, &json, &err), 0);
    assert_int_equal(reg_fine_mark_paid(f->db, &a, p.protocol_no, "PAY-2", p.amount_qepik, &json, &err),
                     PC_ECONFLICT);
    assert_int_equal(reg_fine_mark_paid(f->db, &a, "PR00000001", "PAY-1", 1, &json, &err), PC_ENOTFOUND);
    assert_int_equal(reg_fine_mark_paid(f->db, &a, "PR1", "PAY-1", 1, &json, &err), PC_EINVAL);
    do
        reg_fine_make(&a, i++, 60, &p);
    while (p.status != REG_FINE_CANCELLED);
    assert_int_equal(reg_fine_mark_paid(f->db, &a, p.protocol_no, "PAY-3", p.amount_qepik, &json, &err), PC_ECONFLICT);
    pc_arena_release(&a);
}

static void test_look_ups_are_throttled(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct fine *out;
    size_t n;
    struct pc_err err = {0};
    /* no register here: a look-up that passed the throttle says so */
    for (int i = 0; i < 3; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(fine_lookup(f->db, NULL, "192.0.2.1", 3, FINE_BY_FIN, "0034LZB", &a, &out, &n, &err),
                         PC_EUNAVAIL);
    }
    assert_int_equal(fine_lookup(f->db, NULL, "192.0.2.1", 3, FINE_BY_FIN, "0034LZB", &a, &out, &n, &err), PC_ELIMIT);
    /* another address has its own count; a bad identifier is refused before it counts */
    assert_int_equal(fine_lookup(f->db, NULL, "192.0.2.2", 3, FINE_BY_FIN, "0034LZB", &a, &out, &n, &err),
                     PC_EUNAVAIL);
    assert_int_equal(fine_lookup(f->db, NULL, "192.0.2.2", 3, FINE_BY_FIN, "bad", &a, &out, &n, &err), PC_EINVAL);
    pc_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_identifiers),
        cmocka_unit_test(test_protocols),
        cmocka_unit_test(test_receipts_of_fines),
        cmocka_unit_test(test_the_registers_answer),
    };
    const struct CMUnitTest db[] = {
        cmocka_unit_test(test_the_register),
        cmocka_unit_test(test_look_ups_are_throttled),
    };
    int failed = cmocka_run_group_tests_name("fines", pure, NULL, NULL);
    return failed + fx_run("fines-db", db, sizeof db / sizeof db[0]);
}

/* test_pay.c — src/pay without a server: the status rule (out of order,
 * late success), callback signatures (forged, changed, replayed late),
 * the callback and settlement parsers, amounts in qəpik, receipts, and on
 * SQLite and PostgreSQL: callbacks taken once, mismatched amounts never a
 * success, refunds never above what was paid (a refusal gives the amount
 * back), and the reconciliation's four kinds of mismatch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/cases/cases.h"
#include "../../src/identity/identity.h"
#include "../../src/pay/pay.h"
#include "fixture.h"

/* ---- without a database ------------------------------------------------------- */

static void test_statuses_and_moves(void **state)
{
    (void)state;
    for (int s = 0; s < PAY_STATUS_COUNT; s++)
        assert_int_equal(pay_status_parse(pay_status_name((enum pay_status)s)), s);
    assert_int_equal(pay_status_parse("paid"), -1);
    assert_int_equal(pay_status_parse(NULL), -1);
    assert_false(pay_status_final(PAY_SUBMITTED));
    assert_true(pay_status_final(PAY_EXPIRED));
    /* forward */
    assert_int_equal(pay_status_move(PAY_CREATED, PAY_STARTED), PAY_MOVE_APPLY);
    assert_int_equal(pay_status_move(PAY_CREATED, PAY_SUCCESS), PAY_MOVE_APPLY);
    assert_int_equal(pay_status_move(PAY_SUBMITTED, PAY_FAILED), PAY_MOVE_APPLY);
    /* older news arriving late, or the same news again */
    assert_int_equal(pay_status_move(PAY_SUCCESS, PAY_STARTED), PAY_MOVE_STALE);
    assert_int_equal(pay_status_move(PAY_SUBMITTED, PAY_STARTED), PAY_MOVE_STALE);
    assert_int_equal(pay_status_move(PAY_STARTED, PAY_STARTED), PAY_MOVE_STALE);
    /* a final status stays, but for the money taken after the payer gave up */
    assert_int_equal(pay_status_move(PAY_SUCCESS, PAY_FAILED), PAY_MOVE_STALE);
    assert_int_equal(pay_status_move(PAY_FAILED, PAY_SUCCESS), PAY_MOVE_STALE);
    assert_int_equal(pay_status_move(PAY_EXPIRED, PAY_SUCCESS), PAY_MOVE_LATE_SUCCESS);
    assert_int_equal(pay_status_move(PAY_CANCELLED, PAY_SUCCESS), PAY_MOVE_LATE_SUCCESS);
}

static void test_signatures(void **state)
{
    (void)state;
    const char *secret = "0123456789abcdef0123", *body = "{\"a\":1}";
    char h[96];
    struct pc_err err = {0};
    pay_sign(secret, 1000000, body, strlen(body), h);
    assert_true(pc_str_has_prefix(h, "t=1000000,v1="));
    assert_int_equal(pay_verify(secret, h, body, strlen(body), 1000000, &err), 0);
    assert_int_equal(pay_verify(secret, h, body, strlen(body), 1000000 + PAY_SIG_TOLERANCE, &err), 0);
    /* replayed later, or from the future */
    assert_int_equal(pay_verify(secret, h, body, strlen(body), 1000000 + PAY_SIG_TOLERANCE + 1, &err), PC_EDENIED);
    assert_int_equal(pay_verify(secret, h, body, strlen(body), 1000000 - PAY_SIG_TOLERANCE - 1, &err), PC_EDENIED);
    /* another key, a changed body, a changed time */
    assert_int_equal(pay_verify("another-secret-123456", h, body, strlen(body), 1000000, &err), PC_EDENIED);
    assert_int_equal(pay_verify(secret, h, "{\"a\":2}", 7, 1000000, &err), PC_EDENIED);
    char moved[96];
    memcpy(moved, h, sizeof moved);
    moved[8] = moved[8] == '1' ? '2' : '1';
    assert_int_equal(pay_verify(secret, moved, body, strlen(body), 1000000, &err), PC_EDENIED);
    /* malformed */
    static const char *const bad[] = {NULL, "", "v1=abc", "t=,v1=", "t=1000000", "t=1000000,v1=00",
                                      "t=x,v1=0000000000000000000000000000000000000000000000000000000000000000",
                                      "t=1000000;v1=0000000000000000000000000000000000000000000000000000000000000000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(pay_verify(secret, bad[i], body, strlen(body), 1000000, &err), PC_EDENIED);
}

static int parse_event(const char *body, struct pay_event *ev)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    int rc = pay_event_parse(&a, body, strlen(body), ev, &err);
    pc_arena_release(&a);
    return rc;
}

static void test_callback_bodies(void **state)
{
    (void)state;
    struct pay_event ev;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    const char *good = "{\"event_id\":\"e-1\",\"payment_id\":\"pp_1\",\"reference\":\"PAY-1\",\"status\":\"success\","
                       "\"amount\":2000,\"currency\":\"AZN\"}";
    assert_int_equal(pay_event_parse(&a, good, strlen(good), &ev, &err), 0);
    assert_string_equal(ev.event_id, "e-1");
    assert_string_equal(ev.reference, "PAY-1");
    assert_int_equal(ev.status, PAY_SUCCESS);
    assert_int_equal(ev.amount_qepik, 2000);
    pc_arena_release(&a);
    static const char *const bad[] = {
        "", "[]", "null", "{}",
        "{\"event_id\":\"e 1\",\"payment_id\":\"pp_1\",\"reference\":\"PAY-1\",\"status\":\"success\",\"amount\":1,\"currency\":\"AZN\"}",
        "{\"event_id\":\"e1\",\"payment_id\":\"pp_1\",\"reference\":\"PAY-1\",\"status\":\"paid\",\"amount\":1,\"currency\":\"AZN\"}",
        "{\"event_id\":\"e1\",\"payment_id\":\"pp_1\",\"reference\":\"PAY-1\",\"status\":\"success\",\"amount\":1.5,\"currency\":\"AZN\"}",
        "{\"event_id\":\"e1\",\"payment_id\":\"pp_1\",\"reference\":\"PAY-1\",\"status\":\"success\",\"amount\":-1,\"currency\":\"AZN\"}",
        "{\"event_id\":\"e1\",\"payment_id\":\"pp_1\",\"reference\":\"PAY-1\",\"status\":\"success\",\"amount\":\"1\",\"currency\":\"AZN\"}",
        "{\"event_id\":\"e1\",\"payment_id\":\"pp_1\",\"reference\":\"PAY-1\",\"status\":\"success\",\"amount\":1,\"currency\":\"USD\"}",
        "{\"event_id\":\"e1\",\"event_id\":\"e2\",\"payment_id\":\"pp_1\",\"reference\":\"PAY-1\",\"status\":\"success\",\"amount\":1,\"currency\":\"AZN\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse_event(bad[i], &ev), PC_EINVAL);
    char big[PAY_EVENT_MAX + 2];
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(parse_event(big, &ev), PC_ETOOBIG);
}

static void test_settlement_files(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct pay_settle_line *l;
    size_t n;
    const char *good = "reference,provider_id,status,amount_qepik,refunded_qepik\r\n"
                       "PAY-1,pp_1,success,2000,500\r\nPAY-2,pp_2,failed,2000,0\n\n";
    assert_int_equal(pay_settlement_parse(&a, good, strlen(good), &l, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(l[0].reference, "PAY-1");
    assert_int_equal(l[0].refunded_qepik, 500);
    assert_int_equal(l[1].status, PAY_FAILED);
    const char *header_only = "reference,provider_id,status,amount_qepik,refunded_qepik";
    assert_int_equal(pay_settlement_parse(&a, header_only, strlen(header_only), &l, &n, &err), 0);
    assert_int_equal(n, 0);
    static const char *const bad[] = {
        "",
        "ref,provider,status,amount,refunded\nPAY-1,pp_1,success,1,0\n",
        "reference,provider_id,status,amount_qepik,refunded_qepik\nPAY-1,pp_1,success,1\n",
        "reference,provider_id,status,amount_qepik,refunded_qepik\nPAY-1,pp_1,success,1,0,9\n",
        "reference,provider_id,status,amount_qepik,refunded_qepik\nPAY-1,pp_1,paid,1,0\n",
        "reference,provider_id,status,amount_qepik,refunded_qepik\nPAY-1,pp_1,success,1.5,0\n",
        "reference,provider_id,status,amount_qepik,refunded_qepik\nPAY-1,pp_1,success,100,101\n",
        "reference,provider_id,status,amount_qepik,refunded_qepik\nPAY 1,pp_1,success,1,0\n",
        "reference,provider_id,status,amount_qepik,refunded_qepik\n,pp_1,success,1,0\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(pay_settlement_parse(&a, bad[i], strlen(bad[i]), &l, &n, &err), PC_EINVAL);
    pc_arena_release(&a);
}

static void test_amounts(void **state)
{
    (void)state;
    int64_t q;
    static const struct {
        const char *s;
        int64_t q;
    } good[] = {{"5", 500}, {"5.5", 550}, {"5,50", 550}, {"0.01", 1}, {" 20 ", 2000}, {"1100.00", 110000}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(pay_azn_parse(good[i].s, &q), 0);
        assert_int_equal(q, good[i].q);
    }
    static const char *const bad[] = {"", "-5", "5.", ".5", "5.555", "1e3", "5 AZN", "1234567890", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(pay_azn_parse(bad[i], &q), -1);
    char b[32];
    pay_azn_format(2005, b);
    assert_string_equal(b, "20.05");
    pay_azn_format(7, b);
    assert_string_equal(b, "0.07");
    assert_true(pay_day_valid("2026-12-07"));
    assert_false(pay_day_valid("2026-13-07"));
    assert_false(pay_day_valid("07.12.2026"));
    assert_false(pay_day_valid(NULL));
}

static void test_receipt_pdf(void **state)
{
    (void)state;
    struct pay_payment p = {.id = "PAY-0123", .status = PAY_SUCCESS, .amount_qepik = 2000, .refunded_qepik = 500,
                            .paid_at = 1796601600, .provider_id = "pp_1"};
    struct pay_receipt_info info = {.p = &p, .service = "Sürücülük vəsiqəsi", .agency = "Daxili İşlər Nazirliyi",
                                    .application_ref = "AZ-2026-00000001"};
    unsigned char *pdf;
    size_t len;
    struct pc_err err = {0};
    assert_int_equal(pay_receipt_pdf(&info, &pdf, &len, &err), 0);
    assert_true(len > 500);
    assert_memory_equal(pdf, "%PDF-", 5);
    assert_non_null(memmem(pdf, len, "%%EOF", 5));
    free(pdf);
    p.status = PAY_FAILED;
    assert_int_equal(pay_receipt_pdf(&info, &pdf, &len, &err), PC_ENOTFOUND);
    assert_null(pdf);
}

/* The form's rule for the fee ("workflow": {"fee": …}), read by cases. */
static int fee_rule(const char *fee, bool *first)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"service\":\"din-x\",\"version\":1,\"title\":{\"az\":\"A\",\"en\":\"A\",\"ru\":\"Ж\"},"
             "\"what_next\":{\"az\":\"B\",\"en\":\"B\",\"ru\":\"Б\"},\"pages\":[{\"id\":\"p\","
             "\"title\":{\"az\":\"T\",\"en\":\"T\",\"ru\":\"Т\"},\"questions\":[{\"id\":\"q\",\"type\":\"text\","
             "\"label\":{\"az\":\"L\",\"en\":\"L\",\"ru\":\"Л\"},\"example\":\"abc\"}]}]%s%s%s}",
             fee ? ",\"workflow\":{\"fee\":" : "", fee ? fee : "", fee ? "}" : "");
    struct pc_arena a;
    pc_arena_init(&a);
    struct form_report rep = form_report_file(stderr);
    const struct form_def *d = form_def_parse(&a, text, strlen(text), NULL, NULL, "2026-12-07", &rep);
    *first = d && d->workflow.fee_first;
    pc_arena_release(&a);
    return rep.count;
}

static void test_the_forms_fee_rule(void **state)
{
    (void)state;
    bool first;
    assert_int_equal(fee_rule(NULL, &first), 0);
    assert_false(first); /* by default the fee is paid later */
    assert_int_equal(fee_rule("\"later\"", &first), 0);
    assert_false(first);
    assert_int_equal(fee_rule("\"before_submission\"", &first), 0);
    assert_true(first);
    assert_int_equal(fee_rule("\"never\"", &first), 1);
    assert_int_equal(fee_rule("true", &first), 1);
}

/* ---- with a database: a provider that answers as told -------------------------- */

struct fake {
    int refunds, refuse;
    const char *settlement;
};

static int fake_create(void *ctx, const struct pay_create_req *req, struct pc_arena *a, struct pay_created *out,
                       struct pc_err *err)
{
    (void)ctx, (void)req, (void)a, (void)out;
    return pc_err_set(err, PC_EUNAVAIL, "not used");
}

static int fake_refund(void *ctx, const char *provider_id, const char *refund_id, int64_t amount, struct pc_err *err)
{
    (void)provider_id, (void)refund_id, (void)amount;
    struct fake *f = ctx;
    f->refunds++;
    return f->refuse ? pc_err_set(err, PC_EINVAL, "the bank refused") : 0;
}

static int fake_settlement(void *ctx, const char *day, struct pc_arena *a, char **text, size_t *len, struct pc_err *err)
{
    (void)day, (void)err;
    struct fake *f = ctx;
    *text = pc_arena_strdup(a, f->settlement);
    *len = strlen(f->settlement);
    return 0;
}

static const struct pay_provider_ops fake_ops = {.name = "fake", .create = fake_create, .refund = fake_refund,
                                                 .settlement = fake_settlement};

/* 2026-12-07 12:00 UTC */
#define NOON 1796644800

static void add_payment(struct db_conn *c, const char *id, const char *status, int64_t amount, int64_t refunded)
{
    struct pc_err err = {0};
    struct db_stmt *s = db_prepare(c, "INSERT INTO pay_payments(id, application_id, service_id, agency_id, account_id,"
                                      " amount_qepik, status, provider, provider_id, refunded_qepik, created_at, updated_at)"
                                      " VALUES (?, 'app-1', 'din-x', 'din', 'acc-1', ?, ?, 'fake', ?, ?, ?, ?)", &err);
    assert_non_null(s);
    db_bind_text(s, 1, id);
    db_bind_int(s, 2, amount);
    db_bind_text(s, 3, status);
    char pid[64];
    snprintf(pid, sizeof pid, "pp-%s", id);
    db_bind_text(s, 4, pid);
    db_bind_int(s, 5, refunded);
    db_bind_int(s, 6, NOON);
    db_bind_int(s, 7, NOON);
    if (db_run(s, &err) != 1)
        fail_msg("insert %s: %s", id, err.msg);
}

static enum pay_outcome take(struct db *db, const char *eid, const char *ref, enum pay_status st, int64_t amount)
{
    char pid[64];
    snprintf(pid, sizeof pid, "pp-%s", ref);
    struct pay_event ev = {.event_id = eid, .provider_id = pid, .reference = ref, .status = st, .amount_qepik = amount};
    enum pay_outcome o;
    struct pc_err err = {0};
    if (pay_callback(db, NULL, &ev, &o, &err))
        fail_msg("callback %s: %s", eid, err.msg);
    return o;
}

static enum pay_status status_of(struct db *db, const char *id, struct pay_payment *p)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    assert_int_equal(pay_get(db, &a, id, p, &err), 0);
    enum pay_status s = p->status;
    p->id = p->problem = p->application_id = p->service_id = p->agency_id = p->account_id = p->provider = NULL;
    p->provider_id = p->next_url = NULL;
    pc_arena_release(&a);
    return s;
}

static void test_callbacks_taken_once(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = fx_conn(f);
    add_payment(c, "PAY-cb1", "created", 2000, 0);
    add_payment(c, "PAY-cb2", "created", 2000, 0);
    add_payment(c, "PAY-cb3", "cancelled", 2000, 0);
    struct pay_payment p;
    /* out of order: the success first, the earlier news after it is stale */
    assert_int_equal(take(f->db, "e1", "PAY-cb1", PAY_SUCCESS, 2000), PAY_OUT_APPLIED);
    assert_int_equal(take(f->db, "e0", "PAY-cb1", PAY_STARTED, 2000), PAY_OUT_STALE);
    assert_int_equal(take(f->db, "e9", "PAY-cb1", PAY_FAILED, 2000), PAY_OUT_STALE);
    /* the same event twice: once */
    assert_int_equal(take(f->db, "e1", "PAY-cb1", PAY_SUCCESS, 2000), PAY_OUT_DUPLICATE);
    assert_int_equal(status_of(f->db, "PAY-cb1", &p), PAY_SUCCESS);
    assert_true(p.paid_at > 0);
    /* another amount: never a success */
    assert_int_equal(take(f->db, "e2", "PAY-cb2", PAY_SUCCESS, 200), PAY_OUT_AMOUNT_MISMATCH);
    assert_int_equal(status_of(f->db, "PAY-cb2", &p), PAY_ERROR);
    /* paid after the payer gave up: taken, flagged */
    assert_int_equal(take(f->db, "e3", "PAY-cb3", PAY_SUCCESS, 2000), PAY_OUT_LATE_SUCCESS);
    assert_int_equal(status_of(f->db, "PAY-cb3", &p), PAY_SUCCESS);
    assert_true(p.late);
    /* unknown payment, or someone else's provider id */
    struct pay_event ev = {.event_id = "e4", .provider_id = "pp-PAY-cb1", .reference = "PAY-nope", .status = PAY_SUCCESS,
                           .amount_qepik = 2000};
    enum pay_outcome o;
    struct pc_err err = {0};
    assert_int_equal(pay_callback(f->db, NULL, &ev, &o, &err), PC_ENOTFOUND);
    ev.reference = "PAY-cb2";
    assert_int_equal(pay_callback(f->db, NULL, &ev, &o, &err), PC_ENOTFOUND);
    db_conn_idle(c);
}

static struct id_principal officer(const char *agency)
{
    struct id_principal p = {.account_id = "acc-off", .login = "officer.x", .ngrants = 1};
    p.grants[0].role = ID_ROLE_OFFICER;
    p.grants[0].agency_id = agency;
    return p;
}

static void test_refunds_never_above_what_was_paid(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = fx_conn(f);
    add_payment(c, "PAY-rf1", "success", 2000, 0);
    add_payment(c, "PAY-rf2", "failed", 2000, 0);
    db_conn_idle(c);
    struct fake fk = {0};
    struct pay_provider prov = {.ops = &fake_ops, .ctx = &fk};
    struct id_principal off = officer("din"), other = officer("eesmn");
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct pay_refund r;
    assert_int_equal(pay_refund(f->db, &prov, &off, "PAY-rf1", 1500, "part", "", &a, &r, &err), 0);
    assert_string_equal(r.status, "done");
    assert_int_equal(pay_refund(f->db, &prov, &off, "PAY-rf1", 501, "more", "", &a, &r, &err), PC_EINVAL);
    assert_int_equal(fk.refunds, 1); /* the bank was never asked for too much */
    /* the bank refuses: the reservation is given back */
    fk.refuse = 1;
    assert_int_equal(pay_refund(f->db, &prov, &off, "PAY-rf1", 500, "rest", "", &a, &r, &err), PC_EINVAL);
    struct pay_payment p;
    status_of(f->db, "PAY-rf1", &p);
    assert_int_equal(p.refunded_qepik, 1500);
    fk.refuse = 0;
    assert_int_equal(pay_refund(f->db, &prov, &off, "PAY-rf1", 500, "rest", "", &a, &r, &err), 0);
    status_of(f->db, "PAY-rf1", &p);
    assert_int_equal(p.refunded_qepik, 2000);
    assert_int_equal(pay_refund(f->db, &prov, &off, "PAY-rf1", 1, "more", "", &a, &r, &err), PC_EINVAL);
    /* not paid, no amount, no reason, another agency */
    assert_int_equal(pay_refund(f->db, &prov, &off, "PAY-rf2", 1, "x", "", &a, &r, &err), PC_EINVAL);
    assert_int_equal(pay_refund(f->db, &prov, &off, "PAY-rf1", 0, "x", "", &a, &r, &err), PC_EINVAL);
    assert_int_equal(pay_refund(f->db, &prov, &off, "PAY-rf1", 1, "", "", &a, &r, &err), PC_EINVAL);
    assert_int_equal(pay_refund(f->db, &prov, &other, "PAY-rf1", 1, "x", "", &a, &r, &err), PC_ENOTFOUND);
    struct pay_refund *list;
    size_t n;
    assert_int_equal(pay_refunds_of(f->db, &a, "PAY-rf1", &list, &n, &err), 0);
    assert_int_equal(n, 3); /* 1500 done, 500 failed, 500 done */
    int64_t done = 0;
    for (size_t i = 0; i < n; i++)
        done += strcmp(list[i].status, "done") == 0 ? list[i].amount_qepik : 0;
    assert_int_equal(done, 2000);
    pc_arena_release(&a);
}

static void test_reconciliation(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = fx_conn(f);
    fx_exec(c, "DELETE FROM pay_payments"); /* the day's payments are these only */
    add_payment(c, "PAY-rc1", "success", 2000, 0);   /* settled the same: no mismatch */
    add_payment(c, "PAY-rc2", "success", 2000, 0);   /* not settled: missing */
    add_payment(c, "PAY-rc3", "success", 2000, 500); /* settled without the refund: amount */
    add_payment(c, "PAY-rc4", "expired", 2000, 0);   /* settled as paid: status */
    add_payment(c, "PAY-rc5", "failed", 2000, 0);    /* never reached the bank: nothing */
    db_conn_idle(c);
    struct fake fk = {.settlement = "reference,provider_id,status,amount_qepik,refunded_qepik\n"
                                    "PAY-rc1,pp-PAY-rc1,success,2000,0\n"
                                    "PAY-rc3,pp-PAY-rc3,success,2000,0\n"
                                    "PAY-rc4,pp-PAY-rc4,success,2000,0\n"
                                    "PAY-rc9,pp-PAY-rc9,success,700,0\n"};
    struct pay_provider prov = {.ops = &fake_ops, .ctx = &fk};
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct pay_recon rec;
    assert_int_equal(pay_reconcile_provider(f->db, &prov, "2026-12-07", &a, &rec, &err), 0);
    assert_int_equal(rec.lines, 4);
    int kinds[PAY_MIS_COUNT] = {0};
    const char *who[PAY_MIS_COUNT] = {0};
    for (size_t i = 0; i < rec.nitems; i++) {
        kinds[rec.items[i].kind]++;
        who[rec.items[i].kind] = rec.items[i].payment_id;
    }
    assert_int_equal(kinds[PAY_MIS_MISSING], 1);
    assert_string_equal(who[PAY_MIS_MISSING], "PAY-rc2");
    assert_int_equal(kinds[PAY_MIS_AMOUNT], 1);
    assert_string_equal(who[PAY_MIS_AMOUNT], "PAY-rc3");
    assert_int_equal(kinds[PAY_MIS_STATUS], 1);
    assert_string_equal(who[PAY_MIS_STATUS], "PAY-rc4");
    assert_int_equal(kinds[PAY_MIS_EXTRA], 1);
    assert_string_equal(who[PAY_MIS_EXTRA], "PAY-rc9");
    pc_arena_release(&a);
    /* the report reads the newest run back with its items */
    pc_arena_init(&a);
    struct pay_recon *runs;
    size_t n;
    assert_int_equal(pay_recon_latest(f->db, &a, &runs, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(runs[0].nitems, 4);
    assert_int_equal(runs[0].mismatches, 4);
    pc_arena_release(&a);
    /* a bad file records nothing */
    fk.settlement = "reference,provider_id,status,amount_qepik,refunded_qepik\nPAY-rc1,pp,success,x,0\n";
    pc_arena_init(&a);
    assert_int_equal(pay_reconcile_provider(f->db, &prov, "2026-12-07", &a, &rec, &err), PC_EINVAL);
    assert_int_equal(pay_reconcile_provider(f->db, &prov, "7 Dec", &a, &rec, &err), PC_EINVAL);
    assert_int_equal(pay_recon_latest(f->db, &a, &runs, &n, &err), 0);
    assert_int_equal(n, 1);
    pc_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_statuses_and_moves), cmocka_unit_test(test_signatures),
        cmocka_unit_test(test_callback_bodies),    cmocka_unit_test(test_settlement_files),
        cmocka_unit_test(test_amounts),            cmocka_unit_test(test_receipt_pdf),
        cmocka_unit_test(test_the_forms_fee_rule),
    };
    const struct CMUnitTest db[] = {
        cmocka_unit_test(test_callbacks_taken_once),
        cmocka_unit_test(test_refunds_never_above_what_was_paid),
        cmocka_unit_test(test_reconciliation),
    };
    int failed = cmocka_run_group_tests_name("pay", pure, NULL, NULL);
    return failed + fx_run("pay-db", db, sizeof db / sizeof db[0]);
}

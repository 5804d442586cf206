/* test_audit.c — unit tests of src/audit: a change and its entry in one
 * transaction that keeps the change's error code, the auditor's listing
 * with keyset paging, a person's access-log listing that says when it was
 * cut off, the chain check, and the time-stamps of the chain's head (a
 * TSA made up here: its token is the digest it was given) — on SQLite and
 * PostgreSQL. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fixture.h"
#include "../../src/audit/audit.h"

static struct audit_entry entry(const char *action, const char *detail)
{
    return (struct audit_entry){.actor = "acc1", .role = "officer", .action = action, .object_type = "case",
                                .object_id = "AZ-1", .ip = "127.0.0.1", .detail = detail};
}

static int64_t count(struct fixture *f, const char *sql)
{
    struct pc_err err = {0};
    struct db_stmt *s = db_prepare(fx_conn(f), sql, &err);
    assert_non_null(s);
    assert_int_equal(db_step(s, &err), 1);
    int64_t n = db_col_int(s, 0);
    db_conn_idle(fx_conn(f));
    return n;
}

static void test_audit_end_commits_the_change_with_its_entry(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = fx_conn(f);
    fx_exec(c, "CREATE TABLE IF NOT EXISTS t_change (k TEXT PRIMARY KEY)");
    int64_t before = count(f, "SELECT COUNT(*) FROM audit_log");
    struct pc_err err = {0};
    struct db_conn *tx;
    assert_int_equal(audit_begin(f->db, &tx, &err), 0);
    fx_exec(tx, "INSERT INTO t_change(k) VALUES ('a')");
    struct audit_entry e = entry("t.change", "first");
    assert_int_equal(audit_end(tx, 0, &e, &err), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM t_change"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log"), before + 1);
}

static void test_audit_end_keeps_the_code_of_a_failed_change(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = fx_conn(f);
    fx_exec(c, "CREATE TABLE IF NOT EXISTS t_change (k TEXT PRIMARY KEY)");
    fx_exec(c, "DELETE FROM t_change");
    fx_exec(c, "INSERT INTO t_change(k) VALUES ('dup')");
    int64_t before = count(f, "SELECT COUNT(*) FROM audit_log");
    struct pc_err err = {0};
    struct db_conn *tx;
    assert_int_equal(audit_begin(f->db, &tx, &err), 0);
    struct db_stmt *s = db_prepare(tx, "INSERT INTO t_change(k) VALUES ('dup')", &err);
    assert_non_null(s);
    int rc = (int)db_run(s, &err);
    assert_int_equal(rc, PC_ECONFLICT);
    struct audit_entry e = entry("t.change", "second");
    /* the conflict comes back as it was (not PC_EIO), with its message */
    assert_int_equal(audit_end(tx, rc, &e, &err), PC_ECONFLICT);
    assert_true(err.msg[0] != 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log"), before);
    /* and the connection is usable: the transaction was rolled back */
    assert_int_equal(audit_begin(f->db, &tx, &err), 0);
    assert_int_equal(audit_end(tx, 0, &e, &err), 0);
}

static void test_audit_list_pages_by_key(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    for (int i = 0; i < 25; i++) {
        struct db_conn *tx;
        char detail[16];
        snprintf(detail, sizeof detail, "n%d", i);
        struct audit_entry e = entry("t.page", detail);
        assert_int_equal(audit_begin(f->db, &tx, &err), 0);
        assert_int_equal(audit_end(tx, 0, &e, &err), 0);
    }
    int64_t total = count(f, "SELECT COUNT(*) FROM audit_log");
    struct pc_arena a;
    pc_arena_init(&a);
    struct audit_row *rows;
    size_t n;
    bool more;
    int64_t before = 0, seen = 0, last = INT64_MAX;
    do {
        assert_int_equal(audit_list(f->db, &a, before, 10, &rows, &n, &more, &err), 0);
        assert_true(n <= 10);
        for (size_t i = 0; i < n; i++) {
            assert_true(rows[i].seq < last); /* newest first, no repeats */
            last = rows[i].seq;
            assert_non_null(rows[i].at);
            assert_non_null(rows[i].e.action);
        }
        seen += (int64_t)n;
        before = n ? rows[n - 1].seq : 0;
        assert_true(more == (seen < total));
    } while (more);
    assert_int_equal(seen, total);
    assert_int_equal(last, 1);
    pc_arena_release(&a);
    struct audit_report rep;
    assert_int_equal(audit_verify(f->db, &rep, &err), 0);
    assert_int_equal(rep.first_bad, 0);
    assert_int_equal(rep.entries, total);
}

static void test_access_list_says_when_it_was_cut(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = fx_conn(f);
    const char *roles[] = {"registrar", "officer", "agency_admin"};
    for (int i = 0; i < 3; i++) {
        struct access_entry e = {.subject_fin = "1ABC2D3", .accessor = "acc", .accessor_role = roles[i],
                                 .agency_id = i ? "din" : "", .data_kind = "profile", .ground = "id-check"};
        assert_int_equal(audit_access_record(c, &e, &err), 0);
    }
    struct pc_arena a;
    pc_arena_init(&a);
    struct access_row *rows;
    size_t n;
    bool more;
    assert_int_equal(audit_access_list(f->db, &a, "1ABC2D3", 2, &rows, &n, &more, &err), 0);
    assert_int_equal(n, 2);
    assert_true(more);
    assert_int_equal(audit_access_list(f->db, &a, "1ABC2D3", 3, &rows, &n, &more, &err), 0);
    assert_int_equal(n, 3);
    assert_false(more);
    bool admin = false;
    for (size_t i = 0; i < n; i++)
        admin |= pc_str_eq(rows[i].e.accessor_role, "agency_admin") && pc_str_eq(rows[i].e.agency_id, "din");
    assert_true(admin);
    assert_int_equal(audit_access_list(f->db, &a, "9ZZZ9Z9", 3, &rows, &n, &more, &err), 0);
    assert_int_equal(n, 0);
    pc_arena_release(&a);
}

/* ---- the head's time-stamps --------------------------------------------- */

#define TOKEN_TAG "TOK"
#define STAMP_TIME 1700000000

static int fake_stamp(void *ctx, struct pc_arena *a, const unsigned char digest[32], const unsigned char **token,
                      size_t *len, int64_t *at, struct pc_err *err)
{
    if (ctx)
        return pc_err_set(err, PC_EUNAVAIL, "the TSA is down");
    unsigned char *t = pc_arena_alloc(a, 3 + 32);
    memcpy(t, TOKEN_TAG, 3);
    memcpy(t + 3, digest, 32);
    *token = t;
    *len = 35;
    *at = STAMP_TIME;
    return 0;
}

static int fake_check(void *ctx, struct pc_arena *a, const unsigned char *token, size_t len,
                      const unsigned char digest[32], int64_t *at, struct pc_err *err)
{
    (void)ctx;
    (void)a;
    if (len != 35 || memcmp(token, TOKEN_TAG, 3) != 0 || memcmp(token + 3, digest, 32) != 0)
        return pc_err_set(err, PC_EINVAL, "the token does not cover this digest");
    *at = STAMP_TIME;
    return 0;
}

static void append(struct fixture *f, const char *detail)
{
    struct pc_err err = {0};
    struct db_conn *tx;
    assert_int_equal(audit_begin(f->db, &tx, &err), 0);
    struct audit_entry e = entry("t.stamp", detail);
    assert_int_equal(audit_end(tx, 0, &e, &err), 0);
}

static void test_head_stamped_and_checked(void **state)
{
    struct fixture *f = *state;
    struct audit_tsa tsa = {fake_stamp, fake_check, NULL}, down = {fake_stamp, fake_check, (void *)1};
    struct pc_err err = {0};
    append(f, "before the first stamp");
    int64_t seq = -1, head = count(f, "SELECT MAX(seq) FROM audit_log");
    /* the TSA down: no stamp, its code kept */
    assert_int_equal(audit_stamp_head(f->db, &down, &seq, &err), PC_EUNAVAIL);
    assert_int_equal(seq, 0);
    assert_int_equal(audit_stamp_head(f->db, &tsa, &seq, &err), 0);
    assert_int_equal(seq, head);
    /* nothing new since: no second stamp of the same head */
    assert_int_equal(audit_stamp_head(f->db, &tsa, &seq, &err), 0);
    assert_int_equal(seq, 0);
    append(f, "after it");
    assert_int_equal(audit_stamp_head(f->db, &tsa, &seq, &err), 0);
    assert_int_equal(seq, head + 1);
    int64_t stamps = audit_stamp_count(f->db, &err);
    assert_true(stamps >= 2);
    struct audit_report rep;
    assert_int_equal(audit_verify(f->db, &rep, &err), 0);
    assert_int_equal(rep.first_bad, 0);
    assert_int_equal(audit_check_stamps(f->db, &tsa, &rep, &err), 0);
    assert_int_equal(rep.bad_stamp, 0);
    assert_int_equal(rep.stamps, stamps);
    assert_int_equal(rep.last_stamped, head + 1);
    assert_int_equal(rep.last_stamped_at, STAMP_TIME);
    /* a stamp whose entry no longer has the stamped hash is named */
    fx_exec(fx_conn(f), "UPDATE audit_stamps SET hash = '0000000000000000000000000000000000000000000000000000000000000000'"
                        " WHERE seq = (SELECT MIN(seq) FROM audit_stamps)");
    int64_t first = count(f, "SELECT MIN(seq) FROM audit_stamps");
    assert_int_equal(audit_verify(f->db, &rep, &err), 0);
    assert_int_equal(audit_check_stamps(f->db, &tsa, &rep, &err), 0);
    assert_int_equal(rep.bad_stamp, first);
    assert_true(rep.stamp_why[0] != 0);
    fx_exec(fx_conn(f), "DELETE FROM audit_stamps");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_audit_end_commits_the_change_with_its_entry),
        cmocka_unit_test(test_audit_end_keeps_the_code_of_a_failed_change),
        cmocka_unit_test(test_audit_list_pages_by_key),
        cmocka_unit_test(test_access_list_says_when_it_was_cut),
        cmocka_unit_test(test_head_stamped_and_checked),
    };
    return fx_run("audit", tests, sizeof tests / sizeof tests[0]);
}

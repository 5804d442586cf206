/* test_esafe.c — src/esafe without a server: kinds and retention, and on
 * SQLite and PostgreSQL: putting documents in (bytes kept once, a repeated
 * put is the first one, every refusal of esafe_add). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/esafe/esafe.h"
#include "fixture.h"

static const char PDF[] = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

static void test_kinds(void **state)
{
    (void)state;
    for (int k = 0; k < ESAFE_KIND_COUNT; k++)
        assert_int_equal(esafe_kind_parse(esafe_kind_name((enum esafe_kind)k)), k);
    assert_int_equal(esafe_kind_parse("diploma"), -1);
    assert_int_equal(esafe_kind_parse(NULL), -1);
    assert_true(esafe_retain_default(ESAFE_UPLOAD) == ESAFE_FOREVER);
    assert_true(esafe_retain_default(ESAFE_RECEIPT) < ESAFE_FOREVER);
}

static struct esafe_new receipt(const char *ref)
{
    return (struct esafe_new){
        .owner = {ESAFE_PERSON, "5ABCD12"}, .kind = ESAFE_RECEIPT, .title = "Qəbz: sürücülük vəsiqəsi",
        .source = "pay", .source_ref = ref, .bytes = PDF, .len = sizeof PDF - 1, .content_type = "application/pdf",
    };
}

static int64_t count(struct fixture *f, const char *sql)
{
    struct pc_err err = {0};
    struct db_stmt *s = db_prepare(fx_conn(f), sql, &err);
    assert_non_null(s);
    assert_int_equal(db_step(s, &err), 1);
    int64_t n = db_col_int(s, 0);
    db_step(s, &err);
    return n;
}

static void test_add(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    char id1[ESAFE_ID_LEN + 1], id2[ESAFE_ID_LEN + 1], id3[ESAFE_ID_LEN + 1];
    struct esafe_new d = receipt("PAY-1");
    assert_int_equal(esafe_add_db(f->db, &d, id1, &err), 0);
    assert_int_equal(strlen(id1), ESAFE_ID_LEN);
    /* the same source's document again: the first one */
    assert_int_equal(esafe_add_db(f->db, &d, id2, &err), 0);
    assert_string_equal(id1, id2);
    /* another payment with the same bytes: a second document, content kept once */
    d.source_ref = "PAY-2";
    assert_int_equal(esafe_add_db(f->db, &d, id3, &err), 0);
    assert_string_not_equal(id1, id3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM esafe_docs"), 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM esafe_contents"), 1);
    /* a receipt is kept for its default time, a file name made from the title */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM esafe_docs WHERE retain_until > created_at"
                              " AND file_name = 'qebz-suruculuk-vesiqesi.pdf' AND title_folded LIKE 'qebz surucu%'"), 2);
    /* a company's upload, a stored file, kept until deleted */
    struct esafe_new u = {
        .owner = {ESAFE_COMPANY, "1234567891"}, .kind = ESAFE_UPLOAD, .title = "Diplom", .source = "esafe",
        .source_ref = "ab", .file_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        .file_size = 1000, .content_type = "image/png", .file_name = "diplom.png",
    };
    assert_int_equal(esafe_add_db(f->db, &u, id2, &err), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM esafe_docs WHERE owner_type = 'company' AND retain_until IS NULL"
                              " AND stored_in = 'files' AND size = 1000"), 1);
    /* text: the decision as sealed */
    struct esafe_new t = receipt("AZ-2026-00000001");
    t.kind = ESAFE_DECISION;
    t.source = "cases";
    t.bytes = "Qərar: təsdiq edildi";
    t.len = strlen(t.bytes);
    t.content_type = "text/plain; charset=utf-8";
    assert_int_equal(esafe_add_db(f->db, &t, id2, &err), 0);
}

static void test_refusals(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    char id[ESAFE_ID_LEN + 1];
    struct esafe_new d;
#define REFUSED(code, change)                                                                                          \
    do {                                                                                                               \
        d = receipt("PAY-X");                                                                                          \
        change;                                                                                                        \
        err = (struct pc_err){0};                                                                                      \
        assert_int_equal(esafe_add_db(f->db, &d, id, &err), code);                                                     \
    } while (0)
    REFUSED(PC_EINVAL, d.owner.id = "12345");                         /* neither FİN nor VÖEN */
    REFUSED(PC_EINVAL, (d.owner.type = ESAFE_COMPANY)); /* a FİN is no VÖEN */
    REFUSED(PC_EINVAL, d.title = "");
    REFUSED(PC_EINVAL, d.title = "a\nb");
    REFUSED(PC_EINVAL, d.source_ref = NULL);
    REFUSED(PC_EINVAL, d.content_type = "text/html");
    REFUSED(PC_EINVAL, d.content_type = "image/png");                 /* PDF bytes called PNG */
    REFUSED(PC_EINVAL, d.bytes = NULL);                               /* no content */
    REFUSED(PC_EINVAL, d.file_sha256 = "00");                         /* both */
    REFUSED(PC_EINVAL, d.retain_until = pc_now_unix() - 1);
    REFUSED(PC_EINVAL, d.file_name = "../x.pdf");
    REFUSED(PC_EINVAL, (d.content_type = "text/plain; charset=utf-8", d.bytes = "\xff\xfe", d.len = 2));
    REFUSED(PC_ETOOBIG, d.len = ESAFE_BYTES_MAX + 1);
    REFUSED(0, (void)0);
#undef REFUSED
    assert_int_equal(count(f, "SELECT COUNT(*) FROM esafe_docs WHERE source_ref = 'PAY-X'"), 1);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_kinds),
    };
    const struct CMUnitTest db[] = {
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_refusals),
    };
    int failed = cmocka_run_group_tests_name("esafe", pure, NULL, NULL);
    return failed + fx_run("esafe-db", db, sizeof db / sizeof db[0]);
}

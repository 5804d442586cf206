/* test_esafe.c — src/esafe without a server: kinds and retention, and on
 * SQLite and PostgreSQL: putting documents in (bytes kept once, a repeated
 * put is the first one, every refusal of esafe_add). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/audit/audit.h"
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

static void test_codes_and_networks(void **state)
{
    (void)state;
    char code[ESAFE_CODE_LEN + 1], out[ESAFE_CODE_LEN + 1], net[ESAFE_NETWORK_MAX];
    esafe_code_new(code);
    assert_int_equal(strlen(code), ESAFE_CODE_LEN);
    assert_true(esafe_code_parse(code, out));
    assert_string_equal(out, code);
    assert_true(esafe_code_parse("abcd-efgh jkmn-pqrs", out));
    assert_string_equal(out, "ABCDEFGHJKMNPQRS");
    assert_false(esafe_code_parse("ABCD-EFGH-JKMN-PQR", out));     /* short */
    assert_false(esafe_code_parse("ABCD-EFGH-JKMN-PQRST", out));   /* long */
    assert_false(esafe_code_parse("ABCD-EFGH-JKMN-PQR0", out));    /* 0 is no letter of a code */
    assert_false(esafe_code_parse(NULL, out));
    esafe_network("203.0.113.9", net);
    assert_string_equal(net, "203.0.113.x");
    esafe_network("2001:db8:1:2::5", net);
    assert_string_equal(net, "2001:db8:1::/48");
    esafe_network("::1", net);
    assert_string_equal(net, "::/48");
    esafe_network("not an address", net);
    assert_string_equal(net, "unknown");
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
    fx_exec(fx_conn(f), "DELETE FROM esafe_docs");
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

static const struct esafe_owner ME = {ESAFE_PERSON, "5ABCD12"}, OTHER = {ESAFE_PERSON, "7XYZW34"};
static const struct esafe_actor BY = {"acc-1", "citizen", "203.0.113.9"};

static const char *put(struct fixture *f, const struct esafe_owner *o, enum esafe_kind k, const char *title,
                       const char *ref)
{
    static char id[8][ESAFE_ID_LEN + 1];
    static int next;
    char *out = id[next++ % 8];
    struct esafe_new d = receipt(ref);
    d.owner = *o;
    d.kind = k;
    d.title = title;
    struct pc_err err = {0};
    if (esafe_add_db(f->db, &d, out, &err))
        fail_msg("esafe_add: %s", err.msg);
    return out;
}

static void test_read(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    fx_exec(fx_conn(f), "DELETE FROM esafe_docs");
    const char *dec = put(f, &ME, ESAFE_DECISION, "Qərar: sürücülük vəsiqəsi", "AZ-1");
    put(f, &ME, ESAFE_UPLOAD, "Bakalavr diplomu", "u1");
    put(f, &OTHER, ESAFE_UPLOAD, "Diplom", "u2");
    struct esafe_doc *docs;
    size_t n;
    struct esafe_query all = {.kind = -1};
    assert_int_equal(esafe_list(f->db, &a, &ME, &all, &docs, &n, &err), 0);
    assert_int_equal(n, 2);
    /* search folds: "QERAR surucu" finds "Qərar: sürücülük …" */
    struct esafe_query q = {.kind = -1, .text = "QERAR surucu"};
    assert_int_equal(esafe_list(f->db, &a, &ME, &q, &docs, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(docs[0].id, dec);
    q.text = "diplom qerar";
    assert_int_equal(esafe_list(f->db, &a, &ME, &q, &docs, &n, &err), 0);
    assert_int_equal(n, 0);
    struct esafe_query uploads = {.kind = ESAFE_UPLOAD};
    assert_int_equal(esafe_list(f->db, &a, &ME, &uploads, &docs, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(docs[0].title, "Bakalavr diplomu");
    /* one document, its bytes; never another owner's */
    struct esafe_doc d;
    assert_int_equal(esafe_get(f->db, &a, &ME, dec, &d, &err), 0);
    assert_int_equal(d.kind, ESAFE_DECISION);
    const unsigned char *bytes;
    size_t len;
    assert_int_equal(esafe_content(f->db, &a, &d, &bytes, &len, &err), 0);
    assert_int_equal(len, sizeof PDF - 1);
    assert_memory_equal(bytes, PDF, len);
    assert_int_equal(esafe_get(f->db, &a, &OTHER, dec, &d, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

static void test_delete_and_retention(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    const char *rec = put(f, &ME, ESAFE_RECEIPT, "Qəbz", "PAY-9");
    const char *up = put(f, &ME, ESAFE_UPLOAD, "Diplom", "u9");
    /* what an agency or the portal put there stays; another's cannot be touched */
    assert_int_equal(esafe_delete(f->db, &ME, &BY, rec, &err), PC_EDENIED);
    assert_int_equal(esafe_delete(f->db, &OTHER, &BY, up, &err), PC_ENOTFOUND);
    assert_int_equal(esafe_delete(f->db, &ME, &BY, up, &err), 0);
    struct esafe_doc d;
    assert_int_equal(esafe_get(f->db, &a, &ME, up, &d, &err), PC_ENOTFOUND);
    assert_int_equal(esafe_delete(f->db, &ME, &BY, up, &err), PC_ENOTFOUND);
    /* retention: per document; past it, gone on read and then purged */
    assert_int_equal(esafe_set_retention(f->db, &ME, &BY, rec, pc_now_unix() - 5, &err), PC_EINVAL);
    assert_int_equal(esafe_set_retention(f->db, &ME, &BY, rec, ESAFE_FOREVER, &err), 0);
    assert_int_equal(esafe_get(f->db, &a, &ME, rec, &d, &err), 0);
    assert_true(d.retain_until == ESAFE_FOREVER);
    /* past 2038: times are 64-bit on both backends */
    assert_int_equal(esafe_set_retention(f->db, &ME, &BY, rec, 4102444799LL, &err), 0);
    assert_int_equal(esafe_get(f->db, &a, &ME, rec, &d, &err), 0);
    assert_true(d.retain_until == 4102444799LL);
    assert_int_equal(esafe_set_retention(f->db, &ME, &BY, rec, pc_now_unix() + 100, &err), 0);
    int64_t removed;
    assert_int_equal(esafe_purge(f->db, pc_now_unix(), &removed, &err), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(esafe_purge(f->db, pc_now_unix() + 200, &removed, &err), 0);
    assert_int_equal(removed, 1);
    assert_int_equal(esafe_get(f->db, &a, &ME, rec, &d, &err), PC_ENOTFOUND);
    /* its row stays (a gathered document is not put back), its bytes go
     * unless another document still has them */
    char id[ESAFE_ID_LEN + 1];
    struct esafe_new again = receipt("PAY-9");
    again.title = "Qəbz";
    assert_int_equal(esafe_add_db(f->db, &again, id, &err), 0);
    assert_string_equal(id, rec);
    assert_int_equal(esafe_get(f->db, &a, &ME, rec, &d, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

static void test_folders(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    char mine[ESAFE_ID_LEN + 1], theirs[ESAFE_ID_LEN + 1];
    assert_int_equal(esafe_folder_add(f->db, &ME, "Təhsil", mine, &err), 0);
    assert_int_equal(esafe_folder_add(f->db, &ME, "Təhsil", theirs, &err), PC_ECONFLICT);
    assert_int_equal(esafe_folder_add(f->db, &ME, "", theirs, &err), PC_EINVAL);
    assert_int_equal(esafe_folder_add(f->db, &OTHER, "Təhsil", theirs, &err), 0);
    const char *doc = put(f, &ME, ESAFE_UPLOAD, "Attestat", "u-f");
    /* only into one's own folder */
    assert_int_equal(esafe_move(f->db, &ME, doc, theirs, &err), PC_ENOTFOUND);
    assert_int_equal(esafe_move(f->db, &OTHER, doc, theirs, &err), PC_ENOTFOUND);
    assert_int_equal(esafe_move(f->db, &ME, doc, mine, &err), 0);
    struct esafe_folder *folders;
    size_t n;
    assert_int_equal(esafe_folders(f->db, &a, &ME, &folders, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(folders[0].docs, 1);
    struct esafe_doc *docs;
    struct esafe_query q = {.kind = -1, .folder_id = mine};
    assert_int_equal(esafe_list(f->db, &a, &ME, &q, &docs, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(docs[0].folder_id, mine);
    assert_int_equal(esafe_move(f->db, &ME, doc, NULL, &err), 0);
    assert_int_equal(esafe_list(f->db, &a, &ME, &q, &docs, &n, &err), 0);
    assert_int_equal(n, 0);
    for (int i = 1; i < ESAFE_FOLDERS_MAX; i++)
        assert_int_equal(esafe_folder_add(f->db, &ME, pc_arena_printf(&a, "F%d", i), theirs, &err), 0);
    assert_int_equal(esafe_folder_add(f->db, &ME, "one too many", theirs, &err), PC_ELIMIT);
    pc_arena_release(&a);
}

static void test_shares(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    const char *doc = put(f, &ME, ESAFE_CERTIFICATE, "Arayış: ünvan", "C-1");
    int64_t now = pc_now_unix();
    struct esafe_share_new sn = {doc, "Kapital Bank", "kredit", now + 3600, 2};
    struct esafe_share sh;
    char code[ESAFE_CODE_LEN + 1];
    /* refusals: another's document, no recipient, too long, too many openings */
    assert_int_equal(esafe_share_add(f->db, &OTHER, &BY, &sn, &a, &sh, code, &err), PC_ENOTFOUND);
    sn.recipient = "";
    assert_int_equal(esafe_share_add(f->db, &ME, &BY, &sn, &a, &sh, code, &err), PC_EINVAL);
    sn.recipient = "Kapital Bank";
    sn.expires_at = now + (ESAFE_SHARE_DAYS_MAX + 1) * 86400LL;
    assert_int_equal(esafe_share_add(f->db, &ME, &BY, &sn, &a, &sh, code, &err), PC_EINVAL);
    sn.expires_at = now + 3600;
    sn.max_opens = ESAFE_OPENS_MAX + 1;
    assert_int_equal(esafe_share_add(f->db, &ME, &BY, &sn, &a, &sh, code, &err), PC_EINVAL);
    sn.max_opens = 2;
    assert_int_equal(esafe_share_add(f->db, &ME, &BY, &sn, &a, &sh, code, &err), 0);
    assert_int_equal(strlen(code), ESAFE_CODE_LEN);
    /* opened by the code as typed: lower case, in groups */
    char typed[40];
    snprintf(typed, sizeof typed, "%.4s-%.4s %.8s", code, code + 4, code + 8);
    for (char *p = typed; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    enum esafe_share_state st;
    struct esafe_doc d;
    assert_int_equal(esafe_share_open(f->db, &a, typed, "", "198.51.100.7", &st, &d, &err), PC_EINVAL);
    assert_int_equal(esafe_share_open(f->db, &a, typed, "Kapital Bank", "198.51.100.7", &st, &d, &err), 0);
    assert_int_equal(st, ESAFE_SHARE_OPEN);
    assert_string_equal(d.id, doc);
    assert_int_equal(esafe_share_open(f->db, &a, code, "Kapital Bank", "198.51.100.8", &st, &d, &err), 0);
    assert_int_equal(st, ESAFE_SHARE_OPEN);
    /* the limit of openings */
    assert_int_equal(esafe_share_open(f->db, &a, code, "Kapital Bank", "198.51.100.8", &st, &d, &err), 0);
    assert_int_equal(st, ESAFE_SHARE_USED_UP);
    /* the owner sees every opening, the address shortened; the person's data tracker too */
    struct esafe_opening *op;
    size_t n;
    assert_int_equal(esafe_openings(f->db, &a, &ME, doc, &op, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(op[0].organisation, "Kapital Bank");
    assert_string_equal(op[0].network, "198.51.100.x");
    assert_int_equal(esafe_openings(f->db, &a, &OTHER, NULL, &op, &n, &err), 0);
    assert_int_equal(n, 0);
    struct access_row *rows;
    bool more;
    assert_int_equal(audit_access_list(f->db, &a, ME.id, 10, &rows, &n, &more, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].e.data_kind, "esafe-document");
    assert_string_equal(rows[0].e.accessor_role, "Kapital Bank");
    /* revoked and expired shares open nothing */
    sn.max_opens = 5;
    char code2[ESAFE_CODE_LEN + 1], code3[ESAFE_CODE_LEN + 1];
    struct esafe_share sh2, sh3;
    assert_int_equal(esafe_share_add(f->db, &ME, &BY, &sn, &a, &sh2, code2, &err), 0);
    assert_int_equal(esafe_share_revoke(f->db, &OTHER, &BY, sh2.id, &err), PC_ENOTFOUND);
    assert_int_equal(esafe_share_revoke(f->db, &ME, &BY, sh2.id, &err), 0);
    assert_int_equal(esafe_share_open(f->db, &a, code2, "Bank", "198.51.100.8", &st, &d, &err), 0);
    assert_int_equal(st, ESAFE_SHARE_REVOKED);
    assert_int_equal(esafe_share_add(f->db, &ME, &BY, &sn, &a, &sh3, code3, &err), 0);
    fx_exec(fx_conn(f), "UPDATE esafe_shares SET expires_at = 1");
    assert_int_equal(esafe_share_open(f->db, &a, code3, "Bank", "198.51.100.8", &st, &d, &err), 0);
    assert_int_equal(st, ESAFE_SHARE_EXPIRED);
    struct esafe_share *list;
    assert_int_equal(esafe_shares(f->db, &a, &ME, doc, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(esafe_openings(f->db, &a, &ME, doc, &op, &n, &err), 0);
    assert_int_equal(n, 2);
    /* wrong codes: not found, then throttled for the network (another network is not) */
    for (int i = 0; i < ESAFE_TRIES_MAX; i++)
        assert_int_equal(esafe_share_open(f->db, &a, i % 2 ? "AAAABBBBCCCCDDDD" : "short", "Bank", "192.0.2.1", &st,
                                          &d, &err), PC_ENOTFOUND);
    assert_int_equal(esafe_share_open(f->db, &a, code2, "Bank", "192.0.2.200", &st, &d, &err), PC_ELIMIT);
    assert_int_equal(esafe_share_open(f->db, &a, code2, "Bank", "192.0.3.1", &st, &d, &err), 0);
    pc_arena_release(&a);
}

static void test_authorize(void **state)
{
    (void)state;
    struct id_principal citizen = {.account_id = "a1", .kind = ID_ACCOUNT_CITIZEN, .fin = "5ABCD12", .ngrants = 2,
                                   .grants = {{ID_ROLE_CITIZEN, ""}, {ID_ROLE_REPRESENTATIVE, ""}}};
    struct id_resource mine = {.fin = "5ABCD12"}, theirs = {.fin = "7XYZW34"}, company = {.voen = "1234567891"};
    assert_true(id_authorize(&citizen, ID_ACT_ESAFE, &mine));
    assert_false(id_authorize(&citizen, ID_ACT_ESAFE, &theirs));
    assert_false(id_authorize(&citizen, ID_ACT_ESAFE, &company));   /* not acting for it */
    assert_false(id_authorize(NULL, ID_ACT_ESAFE, &mine));
    citizen.acting_for = "1234567891";
    assert_true(id_authorize(&citizen, ID_ACT_ESAFE, &company));
    assert_false(id_authorize(&citizen, ID_ACT_ESAFE, &mine));      /* the company's, while acting for it */
    struct id_resource other_company = {.voen = "9876543210"};
    assert_false(id_authorize(&citizen, ID_ACT_ESAFE, &other_company));
    /* staff: no e-safe at all, not even their own person's */
    struct id_principal officer = {.account_id = "s1", .kind = ID_ACCOUNT_STAFF, .fin = "5ABCD12", .ngrants = 1,
                                   .grants = {{ID_ROLE_OFFICER, "mia"}}};
    assert_false(id_authorize(&officer, ID_ACT_ESAFE, &mine));
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_authorize),
        cmocka_unit_test(test_codes_and_networks),
    };
    const struct CMUnitTest db[] = {
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_delete_and_retention),
        cmocka_unit_test(test_folders),
        cmocka_unit_test(test_shares),
    };
    int failed = cmocka_run_group_tests_name("esafe", pure, NULL, NULL);
    return failed + fx_run("esafe-db", db, sizeof db / sizeof db[0]);
}

/* test_ecert.c — e-certificates: verification codes, registry documents
 * into facts, the PDF builder, the seal carried inside the PDF (and any
 * change to the file found), and issuing with a stand-in seal: the
 * register, supersession, revocation, nothing kept when sealing fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "../../src/ecert/ecert.h"
#include "../../src/ecert/internal.h"
#include "../../src/pdf/pdf.h"
#include "../../src/http/http.h"
#include "../../src/registries/registries.h"
#include "../../src/xclient/xclient.h"
#include "fixture.h"

static void test_codes(void **state)
{
    (void)state;
    char c[ECERT_CODE_LEN + 1], n[ECERT_CODE_LEN + 1], other[ECERT_CODE_LEN + 1];
    ecert_code_new(c);
    ecert_code_new(other);
    assert_int_equal(strlen(c), ECERT_CODE_LEN);
    assert_string_not_equal(c, other);
    for (int i = 0; i < ECERT_CODE_LEN; i++) {
        if (i % 5 == 4) {
            assert_int_equal(c[i], '-');
            continue;
        }
        assert_null(strchr("01OIL", c[i]));
    }
    assert_true(ecert_code_normalize(c, n));
    assert_string_equal(c, n);
    /* as typed: lower case, spaces, no dashes */
    assert_true(ecert_code_normalize("abcd efgh-jkmnpqrs", n));
    assert_string_equal(n, "ABCD-EFGH-JKMN-PQRS");
    assert_false(ecert_code_normalize("ABCD-EFGH-JKMN-PQR", n));       /* too short */
    assert_false(ecert_code_normalize("ABCD-EFGH-JKMN-PQRST", n));     /* too long */
    assert_false(ecert_code_normalize("ABCD-EFGH-JKMN-PQR0", n));      /* a look-alike */
    assert_false(ecert_code_normalize("ABCD-EFGH-JKMN-PQR'", n));
    assert_false(ecert_code_normalize(NULL, n));
    struct pc_arena a;
    pc_arena_init(&a);
    assert_string_equal(ecert_verify_url(&a, "https://p", "X"), "https://p/verify/e-certificate?code=X");
    pc_arena_release(&a);
}

static void test_kinds(void **state)
{
    (void)state;
    for (int k = 0; k < ECERT_KIND_COUNT; k++) {
        assert_int_equal(ecert_kind_parse(ecert_kind_name(k)), k);
        assert_non_null(ecert_kind_agency(k));
    }
    assert_int_equal(ecert_kind_parse("criminal"), -1);
    assert_int_equal(ecert_state_parse("superseded"), ECERT_SUPERSEDED);
    const char *ids[8];
    assert_int_equal(ecert_agencies(ids, 8), ECERT_KIND_COUNT);
}

static void test_facts(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct ecert_facts f = {0};
    const char *person = "{\"fin\":\"034MYVE\",\"surname\":\"Quliyeva\",\"name\":\"Leyla\",\"patronymic\":\"Elnur qızı\","
                         "\"birth_date\":\"1980-03-12\",\"address\":{\"region\":\"Mil-Muğan\",\"city\":\"İmişli\","
                         "\"street\":\"Azadlıq prospekti\",\"house\":101,\"apartment\":73},\"registered_at\":\"1998-05-29\"}";
    assert_int_equal(ecert_parse_person(&a, person, strlen(person), &f, &err), 0);
    assert_string_equal(f.city, "İmişli");
    assert_int_equal(f.house, 101);
    const char *jobs = "{\"fin\":\"034MYVE\",\"contracts\":[{\"employer_voen\":\"8323989687\",\"position\":\"mühəndis\","
                       "\"salary_azn\":1915,\"started_at\":\"2008-02-16\",\"ended_at\":null}]}";
    assert_int_equal(ecert_parse_record(&a, ECERT_EMPLOYMENT, jobs, strlen(jobs), &f, &err), 0);
    assert_int_equal(f.njobs, 1);
    assert_int_equal(f.jobs[0].salary_azn, 1915);
    assert_null(f.jobs[0].ended_at);
    const char *ins = "{\"insured\":true,\"insurance_years\":16,\"contributions_last_year_azn\":5081,"
                      "\"pension\":{\"kind\":\"age\",\"amount_azn\":400,\"since\":\"2019-01-01\"}}";
    assert_int_equal(ecert_parse_record(&a, ECERT_INCOME, ins, strlen(ins), &f, &err), 0);
    assert_true(f.pension);
    assert_int_equal(f.pension_azn, 400);
    const char *tax = "{\"taxpayers\":[{\"voen\":\"1234567890\",\"kind\":\"individual_entrepreneur\",\"name\":\"X\","
                      "\"status\":\"active\"}]}";
    assert_int_equal(ecert_parse_record(&a, ECERT_TAXPAYER, tax, strlen(tax), &f, &err), 0);
    assert_int_equal(f.ntaxpayers, 1);
    assert_true(f.taxpayers[0].entrepreneur);
    /* wrong types and shapes are refused, naming the record */
    const char *bad[] = {"[]", "{\"fin\":1,\"surname\":\"a\",\"name\":\"b\"}", "{\"surname\":\"a\"}", "nonsense",
                         "{\"fin\":\"A\",\"surname\":\"a\",\"name\":\"b\",\"address\":{\"house\":\"x\"}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ecert_facts g = {0};
        assert_int_equal(ecert_parse_person(&a, bad[i], strlen(bad[i]), &g, &err), PC_EINVAL);
    }
    assert_int_equal(ecert_parse_record(&a, ECERT_EMPLOYMENT, "{\"contracts\":{}}", 16, &f, &err), PC_EINVAL);
    assert_int_equal(ecert_parse_record(&a, ECERT_INCOME, "{\"pension\":5}", 13, &f, &err), PC_EINVAL);
    /* the local registers: every kind for a FİN of the demo's population */
    struct ecert_source src = ecert_source_local();
    char fin[8];
    reg_fin_of(5, fin);
    for (int k = 0; k < ECERT_KIND_COUNT; k++) {
        assert_int_equal(ecert_facts_fetch(&src, &a, k, fin, &f, &err), 0);
        assert_string_equal(f.fin, fin);
        assert_int_equal(f.kind, k);
    }
    assert_int_equal(ecert_facts_fetch(&src, &a, ECERT_ADDRESS, "no", &f, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

/* The local taxpayer register answers what a scan of all 400 taxpayers
 * finds (it reads whom each belongs to once). */
static void test_local_taxpayers(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct ecert_source src = ecert_source_local();
    int found = 0;
    for (uint64_t i = 0; i < 1000; i += 3) {
        char fin[8];
        reg_fin_of(i, fin);
        json_t *want = json_array();
        for (uint64_t t = 0; t < 400; t++) {
            json_t *d = json_loads(reg_taxpayer_json(&a, t, 1000), 0, NULL);
            const char *o = json_string_value(json_object_get(d, "director_fin"));
            if (!o)
                o = json_string_value(json_object_get(d, "owner_fin"));
            if (o && strcmp(o, fin) == 0)
                json_array_append(want, d);
            json_decref(d);
        }
        const char *got;
        assert_int_equal(src.record(src.ctx, &a, ECERT_TAXPAYER, false, fin, &got, &err), 0);
        json_t *g = json_loads(got, 0, NULL);
        assert_true(json_equal(json_object_get(g, "taxpayers"), want));
        found += (int)json_array_size(want);
        json_decref(g);
        json_decref(want);
    }
    assert_true(found > 0);
    pc_arena_release(&a);
}

/* A PDF of one kind for a demo person. */
static void make_pdf(struct pc_arena *a, enum ecert_kind k, unsigned char **pdf, size_t *len)
{
    struct pc_err err = {0};
    struct ecert_source src = ecert_source_local();
    struct ecert_facts *f = pc_arena_alloc(a, sizeof *f);
    char fin[8];
    reg_fin_of(5, fin);
    assert_int_equal(ecert_facts_fetch(&src, a, k, fin, f, &err), 0);
    struct ecert_doc d = {.facts = f, .id = "EC-0123456789abcdef", .code = "ABCD-EFGH-JKMN-PQRS",
                          .verify_url = "https://portal.example/verify/e-certificate?code=ABCD-EFGH-JKMN-PQRS",
                          .issuer = "Daxili İşlər Nazirliyi", .issued_at = 1796601600};
    assert_int_equal(ecert_pdf_build(&d, pdf, len, &err), 0);
}

static bool has(const unsigned char *p, size_t n, const char *s)
{
    return memmem(p, n, s, strlen(s)) != NULL;
}

static void test_pdf(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    for (int k = 0; k < ECERT_KIND_COUNT; k++) {
        unsigned char *pdf;
        size_t len;
        make_pdf(&a, k, &pdf, &len);
        assert_true(len > 1000 && memcmp(pdf, "%PDF-", 5) == 0);
        assert_true(has(pdf, len, "/FontFile2"));        /* the font is embedded */
        assert_true(has(pdf, len, "/BaseFont /PencereSans"));
        assert_false(has(pdf, len, "/JavaScript") || has(pdf, len, "/JS") || has(pdf, len, "/Encrypt"));
        /* PDF/A-2b as declared: the XMP packet, the sRGB OutputIntent; the title in both */
        assert_true(has(pdf, len, "<pdfaid:part>2</pdfaid:part>") && has(pdf, len, "<pdfaid:conformance>B<"));
        assert_true(has(pdf, len, "/S /GTS_PDFA1") && has(pdf, len, "/DestOutputProfile"));
        assert_true(has(pdf, len, "<rdf:li xml:lang=\"x-default\">Yaşayış yeri haqqında arayış EC-0123456789abcdef<") ||
                    k != ECERT_ADDRESS);
        assert_true(has(pdf, len, "/Title <FEFF"));
        assert_true(has(pdf, len, "<xmp:CreateDate>2026-12-07T"));
        /* the PAdES signature field, reserved */
        assert_true(has(pdf, len, "/SubFilter /ETSI.CAdES.detached") && has(pdf, len, "/ByteRange [0 "));
        assert_true(has(pdf, len, "/CreationDate (D:20261207"));
        free(pdf);
    }
    pc_arena_release(&a);
}

/* As many contracts and taxpayers as a certificate takes: those that do
 * not fit above the foot are counted, not drawn over the QR code. */
static void test_pdf_full_lists(void **state)
{
    (void)state;
    struct ecert_facts f = {.kind = ECERT_EMPLOYMENT, .fin = "034MYVE", .surname = "Quliyeva", .name = "Leyla"};
    for (size_t i = 0; i < ECERT_LIST_MAX; i++) {
        f.jobs[f.njobs++] = (struct ecert_job){.employer_voen = "1234567890", .position = "mühəndis",
                                               .started_at = "2001-01-01", .salary_azn = 900};
        f.taxpayers[f.ntaxpayers++] = (struct ecert_taxpayer){.voen = "1234567890", .name = "Bir MMC", .status = "active"};
    }
    struct ecert_doc d = {.facts = &f, .id = "EC-1", .code = "ABCD-EFGH-JKMN-PQRS", .verify_url = "https://p/v",
                          .issuer = "X", .issued_at = 1796601600};
    struct pc_err err = {0};
    for (int k = ECERT_EMPLOYMENT; k <= ECERT_TAXPAYER; k += ECERT_TAXPAYER - ECERT_EMPLOYMENT) {
        f.kind = (enum ecert_kind)k;
        unsigned char *pdf;
        size_t len;
        assert_int_equal(ecert_pdf_build(&d, &pdf, &len, &err), 0);
        assert_true(has(pdf, len, "/Count 1"));            /* one page */
        free(pdf);
    }
}

static void test_seal_inside(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    unsigned char *pdf, *sealed;
    size_t len, sealed_len;
    make_pdf(&a, ECERT_ADDRESS, &pdf, &len);
    const unsigned char *tbs, *got, *content;
    size_t tbs_len, got_len, content_len;
    assert_int_equal(pdf_sig_content(&a, pdf, len, &tbs, &tbs_len, &err), 0);
    assert_int_equal(tbs_len, len - 2 * PDF_SIG_MAX - 2);     /* all but the reserved /Contents */
    const unsigned char sig[] = "\x30\x2A a stand-in DER value, any bytes >> endobj";
    size_t sig_n = sizeof sig - 1;
    assert_int_equal(ecert_pdf_attach(pdf, len, sig, sig_n, &sealed, &sealed_len, &err), 0);
    assert_int_equal(sealed_len, len);
    assert_int_equal(ecert_pdf_split(&a, sealed, sealed_len, &content, &content_len, &got, &got_len, &err), 0);
    assert_int_equal(content_len, tbs_len);
    assert_memory_equal(content, tbs, tbs_len);               /* the signature covers what was signed */
    assert_int_equal(got_len, sig_n);
    assert_memory_equal(got, sig, sig_n);
    /* a byte changed outside /Contents changes the signed bytes (the signature finds it) or the layout */
    for (size_t at = 0; at < sealed_len; at += 97) {
        sealed[at] ^= 0x01;
        int rc = ecert_pdf_split(&a, sealed, sealed_len, &content, &content_len, &got, &got_len, &err);
        assert_true(rc == PC_EINVAL ||
                    (rc == 0 && (content_len != tbs_len || memcmp(content, tbs, tbs_len) != 0 ||
                                 got_len != sig_n || memcmp(got, sig, sig_n) != 0)));
        sealed[at] ^= 0x01;
    }
    /* bytes added at the end, a signature field with more than the signature, a PDF without a seal */
    unsigned char *longer = malloc(sealed_len + 1);
    memcpy(longer, sealed, sealed_len);
    longer[sealed_len] = '\n';
    assert_int_equal(ecert_pdf_split(&a, longer, sealed_len + 1, &content, &content_len, &got, &got_len, &err),
                     PC_EINVAL);
    assert_non_null(strstr(err.msg, "changed after it was sealed"));
    free(longer);
    const unsigned char *field = memmem(sealed, sealed_len, "/Contents <", 11);
    assert_non_null(field);
    sealed[(size_t)(field - sealed) + 11 + 2 * sig_n + 5] = '1';
    assert_int_equal(ecert_pdf_split(&a, sealed, sealed_len, &content, &content_len, &got, &got_len, &err),
                     PC_EINVAL);
    assert_int_equal(ecert_pdf_split(&a, pdf, len, &content, &content_len, &got, &got_len, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "changed after it was sealed")); /* reserved, never filled */
    unsigned char *none;
    size_t none_len;
    assert_int_equal(ecert_pdf_split(&a, (const unsigned char *)"%PDF-1.7\n%%EOF\n", 15, &content, &content_len,
                                     &got, &got_len, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "no seal"));
    assert_int_equal(ecert_pdf_attach((const unsigned char *)"%PDF-1.3\n", 9, sig, 3, &none, &none_len, &err),
                     PC_ENOTFOUND);
    assert_null(none);
    /* a signature larger than the field */
    unsigned char *big = calloc(1, PDF_SIG_MAX + 1);
    assert_int_equal(ecert_pdf_attach(pdf, len, big, PDF_SIG_MAX + 1, &none, &none_len, &err), PC_ETOOBIG);
    free(big);
    free(sealed);
    free(pdf);
    pc_arena_release(&a);
}

/* Certificates issued before PAdES (the seal an attachment in an
 * incremental update) still give their signed bytes and seal. */
static void test_legacy_seal(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    static const char old[] = "%PDF-1.3\n1 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n"
                              "2 0 obj\n<<\n/Type /Pages\n/Kids [ ]\n/Count 0\n>>\nendobj\nxref\n0 3\n"
                              "0000000000 65535 f\r\n0000000009 00000 n\r\n0000000058 00000 n\r\n"
                              "trailer\n<<\n/Root 1 0 R\n/Size 3\n>>\nstartxref\n110\n%%EOF\n";
    const unsigned char sig[] = "\x30\x82 the seal as it was";
    unsigned char *sealed;
    size_t sealed_len, content_len, got_len;
    const unsigned char *content, *got;
    assert_int_equal(ecert_pdf_legacy_attach((const unsigned char *)old, sizeof old - 1, sig, sizeof sig, &sealed,
                                             &sealed_len, &err), 0);
    assert_true(has(sealed, sealed_len, "/PencereSignedBytes ") && has(sealed, sealed_len, "seal.p7s"));
    assert_int_equal(ecert_pdf_split(&a, sealed, sealed_len, &content, &content_len, &got, &got_len, &err), 0);
    assert_int_equal(content_len, sizeof old - 1);
    assert_memory_equal(content, old, sizeof old - 1);
    assert_int_equal(got_len, sizeof sig);
    assert_memory_equal(got, sig, sizeof sig);
    sealed[sealed_len - 40] ^= 0x01;
    assert_int_equal(ecert_pdf_split(&a, sealed, sealed_len, &content, &content_len, &got, &got_len, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "changed after it was sealed"));
    free(sealed);
    pc_arena_release(&a);
}

/* ---- issuing, with a stand-in for the agency's seal ------------------- */

struct fake_seal {
    int rc;
    int calls;
};

static int fake_seal(void *ctx, struct pc_arena *a, const char *agency, const char *ref, const void *doc, size_t len,
                     const unsigned char **sig, size_t *sig_len, const char **serial, struct pc_err *err)
{
    struct fake_seal *fs = ctx;
    fs->calls++;
    if (fs->rc)
        return pc_err_set(err, fs->rc, "the centre is down");
    char hex[65];
    pc_sha256_hex(doc, len, hex);
    /* DER-shaped (a SEQUENCE of the rest), as the PDF's signature field wants */
    char *s = pc_arena_printf(a, "00sig:%s:%s:%s", agency, ref, hex);
    s[0] = 0x30;
    s[1] = (char)(strlen(s) - 2);
    *sig = (const unsigned char *)s;
    *sig_len = strlen(s);
    *serial = "0ABC";
    return 0;
}

static int broken_record(void *ctx, struct pc_arena *a, enum ecert_kind k, bool person, const char *fin,
                         const char **json, struct pc_err *err)
{
    (void)ctx, (void)a, (void)k, (void)person, (void)fin, (void)err;
    *json = "{\"fin\": 7}";
    return 0;
}

static void test_issue_and_states(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct ecert_source src = ecert_source_local();
    struct fake_seal fs = {0};
    struct ecert_sealer sealer = {fake_seal, &fs};
    char fin[8];
    reg_fin_of(9, fin);
    struct ecert_request req = {.kind = ECERT_ADDRESS, .fin = fin, .account_id = "acc-1", .issuer = "DİN",
                                .verify_base = "https://p", .ip = "127.0.0.1"};
    struct ecert first, second, other, got;
    assert_int_equal(ecert_issue(f->db, &src, &sealer, &req, &a, &first, &err), 0);
    assert_true(pc_str_has_prefix(first.id, "EC-"));
    assert_string_equal(first.agency, "din");
    /* the stored PDF is the one the digest names, the seal inside it */
    const unsigned char *pdf;
    size_t len, signed_len, sig_len;
    const unsigned char *sig, *content;
    assert_int_equal(ecert_pdf(f->db, &a, first.id, &pdf, &len, &err), 0);
    char sha[65];
    pc_sha256_hex(pdf, len, sha);
    assert_string_equal(sha, first.sha256);
    assert_int_equal(ecert_pdf_split(&a, pdf, len, &content, &signed_len, &sig, &sig_len, &err), 0);
    assert_true(pc_str_has_prefix((const char *)sig + 2, "sig:din:"));
    /* a second one of the kind supersedes the first; another kind does not */
    assert_int_equal(ecert_issue(f->db, &src, &sealer, &req, &a, &second, &err), 0);
    req.kind = ECERT_INCOME;
    assert_int_equal(ecert_issue(f->db, &src, &sealer, &req, &a, &other, &err), 0);
    assert_int_equal(ecert_get(f->db, &a, first.id, &got, &err), 0);
    assert_int_equal(got.state, ECERT_SUPERSEDED);
    assert_string_equal(got.superseded_by, second.id);
    assert_true(got.changed_at > 0);
    assert_int_equal(ecert_by_code(f->db, &a, second.code, &got, &err), 0);
    assert_int_equal(got.state, ECERT_VALID);
    assert_string_equal(got.id, second.id);
    assert_int_equal(ecert_by_sha256(f->db, &a, other.sha256, &got, &err), 0);
    assert_int_equal(got.kind, ECERT_INCOME);
    assert_int_equal(ecert_by_code(f->db, &a, "AAAA-AAAA-AAAA-AAAA", &got, &err), PC_ENOTFOUND);
    struct ecert *list;
    size_t n;
    assert_int_equal(ecert_list(f->db, &a, fin, 10, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    /* each is in its owner's e-safe, the PDF as issued */
    struct db_conn *c = fx_conn(f);
    struct db_stmt *s = db_prepare(c, "SELECT count(*) FROM esafe_docs WHERE owner_type = 'person' AND owner_id = ?"
                                      " AND kind = 'certificate' AND source = 'ecert' AND content_type = 'application/pdf'",
                                   &err);
    assert_non_null(s);
    db_bind_text(s, 1, fin);
    assert_int_equal(db_step(s, &err), 1);
    assert_int_equal(db_col_int(s, 0), 3);
    db_step(s, NULL);
    s = db_prepare(c, "SELECT sha256 FROM esafe_docs WHERE source_ref = ?", &err);
    db_bind_text(s, 1, other.id);
    assert_int_equal(db_step(s, &err), 1);
    assert_string_equal(db_col_text(s, 0), other.sha256);
    db_step(s, NULL);
    db_conn_idle(c);
    /* revocation once */
    assert_int_equal(ecert_revoke(f->db, second.id, "acc-1", "citizen", "", &err), 0);
    assert_int_equal(ecert_get(f->db, &a, second.id, &got, &err), 0);
    assert_int_equal(got.state, ECERT_REVOKED);
    assert_int_equal(ecert_revoke(f->db, second.id, "acc-1", "citizen", "", &err), PC_ECONFLICT);
    assert_int_equal(ecert_revoke(f->db, first.id, "acc-1", "citizen", "", &err), PC_ECONFLICT);
    /* a centre that cannot seal: its code, nothing kept */
    fs.rc = PC_EUNAVAIL;
    req.kind = ECERT_TAXPAYER;
    assert_int_equal(ecert_issue(f->db, &src, &sealer, &req, &a, &got, &err), PC_EUNAVAIL);
    assert_int_equal(ecert_list(f->db, &a, fin, 10, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    /* a register that cannot be read: nothing kept either */
    struct ecert_source broken = {broken_record, NULL};
    fs.rc = 0;
    assert_int_equal(ecert_issue(f->db, &broken, &sealer, &req, &a, &got, &err), PC_EUNAVAIL);
    assert_int_equal(fs.calls, 4);
    req.kind = (enum ecert_kind)9;
    assert_int_equal(ecert_issue(f->db, &src, &sealer, &req, &a, &got, &err), PC_EINVAL);
    /* a day's limit: three issued, the fourth refused before anything is asked */
    req.kind = ECERT_ADDRESS;
    req.day_max = 3;
    int calls = fs.calls;
    assert_int_equal(ecert_issue(f->db, &src, &sealer, &req, &a, &got, &err), PC_ELIMIT);
    assert_int_equal(fs.calls, calls);
    req.day_max = 4;
    assert_int_equal(ecert_issue(f->db, &src, &sealer, &req, &a, &got, &err), 0);
    pc_arena_release(&a);
}

/* ---- the registers through the exchange (a fake gateway) -------------- */

static char missing_fin[8], last_user[16];

/* Plays the portal's gateway and the registries behind it: the
 * documents of src/registries for the FİN at the end of the target, 404
 * for missing_fin. */
static int fake_gateway(struct http_req *r)
{
    const char *u = r->raw_uri, *fin = strrchr(u, '/') + 1;
    const char *user = http_header(r, "X-Road-UserId");
    snprintf(last_user, sizeof last_user, "%s", user ? user : "");
    int64_t i = reg_index_of(fin);
    if (i < 0 || strcmp(fin, missing_fin) == 0)
        return http_reply_json(r, 404, "{\"error\":\"no such person\"}");
    const char *doc = strstr(u, "/population/") ? reg_person_json(&r->arena, (uint64_t)i, 1000)
                      : strstr(u, "/employment/") ? reg_contracts_json(&r->arena, (uint64_t)i, 400)
                                                   : reg_insurance_json(&r->arena, (uint64_t)i);
    return http_reply_json(r, 200, doc);
}

static void test_exchange_source(void **state)
{
    (void)state;
    static const struct http_route routes[] = {{"GET", "/r1/{rest*}", fake_gateway, 0, 0, "r1"}};
    struct http_config cfg;
    http_config_defaults(&cfg);
    cfg.listen = "127.0.0.1:0";
    cfg.threads = 2;
    cfg.routes = routes;
    cfg.nroutes = 1;
    struct pc_err err = {0};
    struct http_server *srv = http_start(&cfg, &err);
    assert_non_null(srv);
    char dir[] = "/tmp/pencere-ecert-x.XXXXXX", file[64];
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof file, "%s/exchange.json", dir);
    FILE *fp = fopen(file, "w");
    fprintf(fp, "{\"gateway\": \"http://127.0.0.1:%u\", \"client\": \"AZ/GOV/1500000002/portal\", \"services\": "
                "{\"population\": \"AZ/GOV/1400000001/population/persons\", \"employment\": "
                "\"AZ/GOV/1400000003/employment/contracts\", \"pensions\": \"AZ/GOV/1400000003/pensions/insured\"}}",
            http_port(srv));
    fclose(fp);
    struct xc *x = xc_new(&(struct xc_config){.config_file = file}, &err);
    assert_non_null(x);
    struct pc_arena a;
    pc_arena_init(&a);
    struct ecert_source ex = ecert_source_exchange(&a, x, false), demo = ecert_source_exchange(&a, x, true),
                        local = ecert_source_local();
    char fin[8];
    reg_fin_of(11, fin);
    reg_fin_of(12, missing_fin);
    /* the same facts as the registers computed here, the FİN as X-Road-UserId */
    for (int k = 0; k < ECERT_KIND_COUNT; k++) {
        struct ecert_facts got, want;
        assert_int_equal(ecert_facts_fetch(&ex, &a, k, fin, &got, &err), 0);
        assert_int_equal(ecert_facts_fetch(&local, &a, k, fin, &want, &err), 0);
        assert_string_equal(got.surname, want.surname);
        assert_string_equal(got.city, want.city);
        assert_int_equal(got.njobs, want.njobs);
        assert_int_equal(got.insurance_years, want.insurance_years);
        assert_int_equal(got.ntaxpayers, want.ntaxpayers);
        assert_string_equal(last_user, fin);
    }
    /* a person the register does not know: 404, except in the demo */
    struct ecert_facts f;
    assert_int_equal(ecert_facts_fetch(&ex, &a, ECERT_ADDRESS, missing_fin, &f, &err), PC_ENOTFOUND);
    assert_int_equal(ecert_facts_fetch(&demo, &a, ECERT_ADDRESS, missing_fin, &f, &err), 0);
    assert_string_equal(f.fin, missing_fin);
    /* the gateway gone: 503, except in the demo */
    http_stop(srv, 1);
    assert_int_equal(ecert_facts_fetch(&ex, &a, ECERT_INCOME, fin, &f, &err), PC_EUNAVAIL);
    assert_int_equal(ecert_facts_fetch(&demo, &a, ECERT_INCOME, fin, &f, &err), 0);
    pc_arena_release(&a);
    xc_free(x);
    unlink(file);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_codes), cmocka_unit_test(test_kinds),       cmocka_unit_test(test_facts),
        cmocka_unit_test(test_pdf),   cmocka_unit_test(test_pdf_full_lists), cmocka_unit_test(test_seal_inside),
        cmocka_unit_test(test_legacy_seal),    cmocka_unit_test(test_local_taxpayers),
        cmocka_unit_test(test_exchange_source),
    };
    const struct CMUnitTest db[] = {
        cmocka_unit_test(test_issue_and_states),
    };
    int failed = cmocka_run_group_tests_name("ecert", pure, NULL, NULL);
    return failed + fx_run("ecert-db", db, sizeof db / sizeof db[0]);
}

/* test_pdf.c — src/pdf: the embedded font's letters (Azerbaijani, Cyrillic,
 * a missing one), the cross-reference table pointing at every object, the
 * same bytes for the same input, PDF/A's XMP and information in UTF-16,
 * and the signature field: what it covers, filling it, reading it back,
 * and every way a changed layout is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../../src/pdf/internal.h"

static bool has(const unsigned char *p, size_t n, const char *s)
{
    return memmem(p, n, s, strlen(s)) != NULL;
}

static void make(const char *text, bool signature, int64_t created, unsigned char **pdf, size_t *len)
{
    struct pdf_page page;
    pdf_page_init(&page);
    pdf_text(&page, 56, 700, 12, text);
    static const unsigned char cells[9] = {1, 0, 1, 1, 1, 0, 0, 0, 1};
    pdf_cells(&page, 56, 60, 30, 3, cells);
    struct pdf_meta m = {.title = "Ödəniş «qəbzi»", .author = "Vergilər Nazirliyi", .lang = "az",
                         .created = created, .signature = signature};
    struct pc_err err = {0};
    assert_int_equal(pdf_write(&page, &m, pdf, len, &err), 0);
    pdf_page_release(&page);
}

/* The page's content stream, inflated. */
static char *content(const unsigned char *pdf, size_t len)
{
    const unsigned char *o = memmem(pdf, len, "\n4 0 obj\n", 9);
    assert_non_null(o);
    const unsigned char *st = memmem(o, len - (size_t)(o - pdf), "stream\n", 7);
    const char *l = strstr((const char *)o, "/Length ");
    assert_non_null(st);
    uLongf n = 1 << 16;
    char *out = calloc(1, n + 1);
    assert_int_equal(uncompress((Bytef *)out, &n, st + 7, strtoul(l + 8, NULL, 10)), Z_OK);
    return out;
}

static void test_font_letters(void **state)
{
    (void)state;
    const struct pdf_shared *sh = pdf_shared();
    assert_non_null(sh);
    static const uint32_t need[] = {'A', 'z', '0', 0x259, 0x18F, 0x11F, 0x131, 0x130, 0x15F, 0x15E, 0xF6, 0xFC,
                                    0xE7, 0x416, 0x44F, 0x2014, 0x2116, 0xB7};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        assert_true(sh->gid[need[i]] != 0);
    assert_int_equal(sh->gid[0x4E2D], 0); /* a letter the subset lacks */
    unsigned char *pdf;
    size_t len;
    make("Aə中", false, 0, &pdf, &len);
    char *c = content(pdf, len);
    char want[64];
    snprintf(want, sizeof want, "<%04X%04X0000> Tj", sh->gid['A'], sh->gid[0x259]);
    assert_non_null(strstr(c, want));          /* the missing one prints as glyph 0 */
    assert_non_null(strstr(c, " cm\n0 2 1 1 re\n2 2 1 1 re\n0 1 2 1 re\n2 0 1 1 re\nf Q\n")); /* runs of cells */
    free(c);
    assert_true(has((const unsigned char *)sh->bytes, sh->len, "/ToUnicode"));
    free(pdf);
}

static void test_layout_and_metadata(void **state)
{
    (void)state;
    unsigned char *one, *two;
    size_t n1, n2;
    make("Ödəniş", true, 1796601600, &one, &n1);
    make("Ödəniş", true, 1796601600, &two, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(one, two, n1);         /* the same input, the same bytes */
    /* every object where the cross-reference table says */
    const char *x = (const char *)memmem(one, n1, "\nxref\n0 ", 8);
    assert_non_null(x);
    int size = atoi(x + 8);
    assert_int_equal(size, PDF_OBJ_END);
    const char *e = strchr(x + 8, '\n') + 1 + 20;
    for (int i = 1; i < size; i++, e += 20) {
        size_t off = strtoul(e, NULL, 10);
        char head[16];
        int hn = snprintf(head, sizeof head, "%d 0 obj\n", i);
        assert_true(off < n1 && memcmp(one + off, head, (size_t)hn) == 0);
    }
    assert_true(has(one, n1, "/Title <FEFF00D6"));                 /* Ö in UTF-16 */
    assert_true(has(one, n1, "<rdf:li xml:lang=\"x-default\">Ödəniş «qəbzi»</rdf:li>"));
    assert_true(has(one, n1, "/CreationDate (D:20261207000000Z)") && has(one, n1, "2026-12-07T00:00:00Z"));
    assert_true(has(one, n1, "<pdfaid:part>2</pdfaid:part>"));
    free(one);
    free(two);
    /* no time given: no dates; no signature: no field */
    make("x", false, 0, &one, &n1);
    assert_false(has(one, n1, "/CreationDate") || has(one, n1, "CreateDate") || has(one, n1, "/ByteRange"));
    free(one);
}

static void test_signature_field(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    unsigned char *pdf;
    size_t len;
    make("imza", true, 1796601600, &pdf, &len);
    const unsigned char *c, *c2, *sig;
    size_t cl, cl2, sl;
    assert_int_equal(pdf_sig_content(&a, pdf, len, &c, &cl, &err), 0);
    assert_int_equal(cl, len - 2 * PDF_SIG_MAX - 2);
    assert_true(has(c, cl, "/Contents >>"));   /* the value alone is left out */
    static const unsigned char der[] = {0x30, 0x03, 0x02, 0x01, 0x07};
    assert_int_equal(pdf_sig_fill(pdf, len, der, sizeof der, &err), 0);
    assert_int_equal(pdf_sig_extract(&a, pdf, len, &c2, &cl2, &sig, &sl, &err), 0);
    assert_int_equal(cl2, cl);
    assert_memory_equal(c2, c, cl);
    assert_int_equal(sl, sizeof der);
    assert_memory_equal(sig, der, sizeof der);
    /* a /ByteRange that leaves out more, or less, than /Contents */
    char *br = memmem(pdf, len, "/ByteRange [0 ", 14);
    for (size_t i = 14; i < 50; i++)
        if (br[i] >= '1' && br[i] <= '9') {
            br[i]--;
            assert_int_equal(pdf_sig_extract(&a, pdf, len, &c2, &cl2, &sig, &sl, &err), PC_EINVAL);
            br[i]++;
        }
    assert_int_equal(pdf_sig_extract(&a, pdf, len - 1, &c2, &cl2, &sig, &sl, &err), PC_EINVAL);
    /* not hex, more than the signature, empty */
    unsigned char *v = memmem(pdf, len, "/Contents <", 11);
    v += 11;
    v[0] = 'X';
    assert_int_equal(pdf_sig_extract(&a, pdf, len, &c2, &cl2, &sig, &sl, &err), PC_EINVAL);
    v[0] = '3';
    v[2 * sizeof der + 3] = '1';
    assert_int_equal(pdf_sig_extract(&a, pdf, len, &c2, &cl2, &sig, &sl, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "after its signature"));
    memset(v, '0', 2 * PDF_SIG_MAX);
    assert_int_equal(pdf_sig_extract(&a, pdf, len, &c2, &cl2, &sig, &sl, &err), PC_EINVAL);
    /* too big for the field; a file without one */
    unsigned char *big = calloc(1, PDF_SIG_MAX + 1);
    assert_int_equal(pdf_sig_fill(pdf, len, big, PDF_SIG_MAX + 1, &err), PC_ETOOBIG);
    free(big);
    free(pdf);
    make("x", false, 0, &pdf, &len);
    assert_int_equal(pdf_sig_content(&a, pdf, len, &c, &cl, &err), PC_ENOTFOUND);
    free(pdf);
    pc_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_font_letters),
        cmocka_unit_test(test_layout_and_metadata),
        cmocka_unit_test(test_signature_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

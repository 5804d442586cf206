/* legacy.c — reading the seal of certificates issued before PAdES
 * (until session 5): the agency's detached CAdES signature over the PDF as
 * libhpdf made it, appended as an incremental update (ISO 32000-1 §7.5.6):
 * an embedded file "seal.p7s" (with /PencereSignedBytes, how many bytes it
 * covers), its file specification, the catalogue again with the file in
 * its EmbeddedFiles, a cross-reference section and a trailer pointing back
 * to the first.  Such files stay in the e-safe and in people's hands, and
 * `pencere verify` keeps checking them.
 *
 * The update is a function of the signed bytes and the signature alone,
 * so checking a file is: take the signature and the length out, write the
 * update again (ecert_pdf_legacy_attach) and compare it with the file's
 * end byte for byte — any change after the signed part is found there,
 * any change inside it by the signature. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK "/PencereSignedBytes "
#define SEAL_NAME "seal.p7s"

static const char *find_last(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = n >= k ? n - k + 1 : 0; i-- > 0;)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

static const char *find_first(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

/* A decimal number at p (before end), at most 10 digits; -1 when none. */
static long long number(const char *p, const char *end)
{
    long long v = 0;
    int digits = 0;
    while (p < end && *p >= '0' && *p <= '9' && digits < 10) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    return digits ? v : -1;
}

/* The number after key in [p, end) ("/Root 1 0 R" → 1); -1 when absent. */
static long long key_number(const char *p, const char *end, const char *key)
{
    const char *k = find_first(p, (size_t)(end - p), key);
    return k ? number(k + strlen(key), end) : -1;
}

struct layout {
    long long root, info, size, prev;
    const char *cat_body;             /* the catalogue's dictionary without its closing ">>" */
    size_t cat_len;
};

/* Read what the update needs from the PDF as libhpdf writes it. */
static int read_layout(const char *pdf, size_t len, struct layout *l, struct pc_err *err)
{
    const char *end = pdf + len, *tr = find_last(pdf, len, "\ntrailer\n");
    const char *sx = tr ? find_first(tr, (size_t)(end - tr), "\nstartxref\n") : NULL;
    if (!sx)
        return pc_err_set(err, PC_EINVAL, "the PDF has no trailer");
    l->root = key_number(tr, sx, "/Root ");
    l->info = key_number(tr, sx, "/Info ");
    l->size = key_number(tr, sx, "/Size ");
    l->prev = number(sx + 11, end);
    if (l->root < 1 || l->size < 2 || l->root >= l->size || l->prev < 0 || l->prev >= (long long)len)
        return pc_err_set(err, PC_EINVAL, "the PDF's trailer cannot be read");
    char head[32];
    int hn = snprintf(head, sizeof head, "\n%lld 0 obj\n<<\n", l->root);
    const char *obj = find_first(pdf, len, head);
    const char *close = obj ? find_first(obj, (size_t)(end - obj), "\n>>\nendobj\n") : NULL;
    if (!close)
        return pc_err_set(err, PC_EINVAL, "the PDF's catalogue cannot be found");
    l->cat_body = obj + hn;
    l->cat_len = (size_t)(close - l->cat_body) + 1;
    if (find_first(l->cat_body, l->cat_len, "/Names"))
        return pc_err_set(err, PC_EINVAL, "the PDF's catalogue has names already");
    return 0;
}

static void xref_entry(struct pc_buf *b, size_t off)
{
    pc_buf_printf(b, "%010zu 00000 n\r\n", off);
}

int ecert_pdf_legacy_attach(const unsigned char *pdf, size_t len, const unsigned char *sig, size_t sig_len,
                     unsigned char **out, size_t *out_len, struct pc_err *err)
{
    *out = NULL;
    *out_len = 0;
    struct layout l = {0};
    int rc = read_layout((const char *)pdf, len, &l, err);
    if (rc)
        return rc;
    if (len < 6 || memcmp(pdf + len - 6, "%%EOF\n", 6) != 0)
        return pc_err_set(err, PC_EINVAL, "the PDF does not end with %%%%EOF");
    struct pc_buf b;
    pc_buf_init(&b, len + sig_len + 4096);
    pc_buf_append(&b, pdf, len);
    long long file_obj = l.size, spec_obj = l.size + 1;
    size_t off_file = b.len;
    pc_buf_printf(&b, "%lld 0 obj\n<<\n/Type /EmbeddedFile\n/Subtype /application#2Fpkcs7-signature\n" MARK "%zu\n"
                      "/Length %zu\n>>\nstream\n", file_obj, len, sig_len);
    pc_buf_append(&b, sig, sig_len);
    pc_buf_puts(&b, "\nendstream\nendobj\n");
    size_t off_spec = b.len;
    pc_buf_printf(&b, "%lld 0 obj\n<<\n/Type /Filespec\n/F (" SEAL_NAME ")\n/UF (" SEAL_NAME ")\n"
                      "/Desc (CAdES detached signature of bytes 0 to %zu)\n/EF << /F %lld 0 R >>\n>>\nendobj\n",
                  spec_obj, len, file_obj);
    size_t off_cat = b.len;
    pc_buf_printf(&b, "%lld 0 obj\n<<\n", l.root);
    pc_buf_append(&b, l.cat_body, l.cat_len);
    pc_buf_printf(&b, "/Names << /EmbeddedFiles << /Names [ (" SEAL_NAME ") %lld 0 R ] >> >>\n>>\nendobj\n", spec_obj);
    size_t off_xref = b.len;
    pc_buf_printf(&b, "xref\n%lld 1\n", l.root);
    xref_entry(&b, off_cat);
    pc_buf_printf(&b, "%lld 2\n", file_obj);
    xref_entry(&b, off_file);
    xref_entry(&b, off_spec);
    pc_buf_printf(&b, "trailer\n<<\n/Size %lld\n/Root %lld 0 R\n", l.size + 2, l.root);
    if (l.info > 0)
        pc_buf_printf(&b, "/Info %lld 0 R\n", l.info);
    pc_buf_printf(&b, "/Prev %lld\n>>\nstartxref\n%zu\n%%%%EOF\n", l.prev, off_xref);
    if (b.toobig) {
        pc_buf_release(&b);
        return pc_err_set(err, PC_ETOOBIG, "the sealed PDF would be too large");
    }
    *out = (unsigned char *)pc_buf_steal(&b, out_len);
    return 0;
}

int ecert_pdf_legacy_split(struct pc_arena *a, const unsigned char *file, size_t len, size_t *signed_len,
                           const unsigned char **sig, size_t *sig_len, struct pc_err *err)
{
    const char *f = (const char *)file, *end = f + len;
    const char *mark = find_last(f, len, MARK);
    if (!mark)
        return pc_err_set(err, PC_ENOTFOUND, "no seal inside: this PDF carries no signature");
    long long n = number(mark + strlen(MARK), end);
    long long l = key_number(mark, end, "/Length ");
    const char *st = find_first(mark, (size_t)(end - mark), ">>\nstream\n");
    if (n <= 0 || n >= (long long)(mark - f) || l <= 0 || !st || l > end - (st + 10))
        return pc_err_set(err, PC_EINVAL, "the PDF was changed after it was sealed (the seal's entry is damaged)");
    const unsigned char *s = (const unsigned char *)st + 10;
    unsigned char *again;
    size_t again_len;
    int rc = ecert_pdf_legacy_attach(file, (size_t)n, s, (size_t)l, &again, &again_len, err);
    if (rc)
        return pc_err_set(err, PC_EINVAL, "the PDF was changed after it was sealed (%s)", "its signed part cannot be read");
    bool same = again_len == len && memcmp(again, file, len) == 0;
    free(again);
    if (!same)
        return pc_err_set(err, PC_EINVAL, "the PDF was changed after it was sealed (bytes after the signed part differ)");
    unsigned char *copy = pc_arena_alloc(a, (size_t)l);
    memcpy(copy, s, (size_t)l);
    *signed_len = (size_t)n;
    *sig = copy;
    *sig_len = (size_t)l;
    return 0;
}

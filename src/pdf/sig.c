/* sig.c — the signature field of a PDF: which bytes the signature covers
 * (its /ByteRange) and the signature itself (its /Contents, hex, padded
 * with zeros).  The reader is strict, as it reads files from outside
 * (`pencere verify`, the portal's file check): the last /ByteRange of the
 * file must be [0 a b c] with the /Contents value exactly between a and b
 * and b + c the file's end, so no byte outside /Contents escapes the
 * signature, and the padding after the signature must be zeros. */
#include "internal.h"

#include <string.h>

static const char *find_last(const unsigned char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = n >= k ? n - k + 1 : 0; i-- > 0;)
        if (memcmp(hay + i, needle, k) == 0)
            return (const char *)hay + i;
    return NULL;
}

/* A decimal number after spaces at *p (before end), at most 10 digits; -1 when none. */
static long long number(const char **p, const char *end)
{
    while (*p < end && **p == ' ')
        (*p)++;
    long long v = 0;
    int digits = 0;
    while (*p < end && **p >= '0' && **p <= '9' && digits < 10) {
        v = v * 10 + (*(*p)++ - '0');
        digits++;
    }
    return digits ? v : -1;
}

/* The /Contents value's place: [*from, *to) with the "<" and ">". */
static int ranges(const unsigned char *pdf, size_t len, size_t *from, size_t *to, struct pc_err *err)
{
    const char *f = (const char *)pdf, *end = f + len, *br = find_last(pdf, len, "/ByteRange [");
    if (!br)
        return pc_err_set(err, PC_ENOTFOUND, "no signature inside: the PDF has no signature field");
    const char *p = br + 12;
    long long r[4];
    for (int i = 0; i < 4; i++)
        r[i] = number(&p, end);
    while (p < end && *p == ' ')
        p++;
    if (p >= end || *p != ']' || r[0] != 0 || r[1] < 10 || r[2] <= r[1] + 1 || r[3] < 0 ||
        r[2] > (long long)len || r[3] != (long long)len - r[2])
        return pc_err_set(err, PC_EINVAL, "the signature's /ByteRange does not cover the whole file");
    *from = (size_t)r[1];
    *to = (size_t)r[2];
    if (memcmp(f + *from - 10, "/Contents ", 10) != 0 || f[*from] != '<' || f[*to - 1] != '>')
        return pc_err_set(err, PC_EINVAL, "the signature's /ByteRange does not leave out exactly its /Contents");
    for (size_t i = *from + 1; i + 1 < *to; i++)
        if (!strchr("0123456789abcdefABCDEF", f[i]) || !f[i])
            return pc_err_set(err, PC_EINVAL, "the signature's /Contents is not hexadecimal");
    if ((*to - *from) % 2)
        return pc_err_set(err, PC_EINVAL, "the signature's /Contents has an odd number of digits");
    return 0;
}

int pdf_sig_content(struct pc_arena *a, const unsigned char *pdf, size_t len, const unsigned char **content,
                    size_t *content_len, struct pc_err *err)
{
    size_t from, to;
    int rc = ranges(pdf, len, &from, &to, err);
    if (rc)
        return rc;
    unsigned char *c = pc_arena_alloc(a, from + (len - to) + 1);
    memcpy(c, pdf, from);
    memcpy(c + from, pdf + to, len - to);
    *content = c;
    *content_len = from + (len - to);
    return 0;
}

static int hex(unsigned char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

int pdf_sig_fill(unsigned char *pdf, size_t len, const unsigned char *sig, size_t sig_len, struct pc_err *err)
{
    size_t from, to;
    int rc = ranges(pdf, len, &from, &to, err);
    if (rc)
        return rc;
    if (2 * sig_len > to - from - 2)
        return pc_err_set(err, PC_ETOOBIG, "the signature (%zu bytes) does not fit the PDF's field (%zu)", sig_len,
                          (to - from - 2) / 2);
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < sig_len; i++) {
        pdf[from + 1 + 2 * i] = (unsigned char)digits[sig[i] >> 4];
        pdf[from + 2 + 2 * i] = (unsigned char)digits[sig[i] & 15];
    }
    return 0;
}

/* The length of the DER value at p (tag, length, contents); 0 when it is
 * not one that fits in n bytes. */
static size_t der_len(const unsigned char *p, size_t n)
{
    if (n < 2 || p[0] != 0x30)
        return 0;
    size_t head = 2, v = p[1];
    if (v & 0x80) {
        size_t k = v & 0x7F;
        if (k < 1 || k > 3 || n < 2 + k)
            return 0;
        v = 0;
        for (size_t i = 0; i < k; i++)
            v = v << 8 | p[2 + i];
        head += k;
    }
    return v <= n - head ? head + v : 0;
}

int pdf_sig_extract(struct pc_arena *a, const unsigned char *pdf, size_t len, const unsigned char **content,
                    size_t *content_len, const unsigned char **sig, size_t *sig_len, struct pc_err *err)
{
    int rc = pdf_sig_content(a, pdf, len, content, content_len, err);
    if (rc)
        return rc;
    size_t from, to;
    ranges(pdf, len, &from, &to, err);
    size_t n = (to - from - 2) / 2;
    unsigned char *s = pc_arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = (unsigned char)(hex(pdf[from + 1 + 2 * i]) << 4 | hex(pdf[from + 2 + 2 * i]));
    size_t used = der_len(s, n);
    if (!used)
        return pc_err_set(err, PC_EINVAL, "the signature field is empty or not a DER signature");
    for (size_t i = used; i < n; i++)
        if (s[i])
            return pc_err_set(err, PC_EINVAL, "the signature field has bytes after its signature");
    *sig = s;
    *sig_len = used;
    return 0;
}

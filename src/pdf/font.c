/* font.c — what every document shares, made once per process: the font
 * (a Type0 font over a CIDFontType2 with CID = glyph index, its widths,
 * its descriptor, the TrueType file compressed, and the ToUnicode map so
 * that text can be copied and searched) and the PDF/A OutputIntent with
 * its sRGB profile.  Reading the TrueType tables once is what makes a
 * document cheap: libhpdf indexed all 65,536 code points per document. */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint16_t u16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A table of the font and its length; NULL when absent or out of bounds. */
static const unsigned char *table(const char *tag, size_t *len)
{
    const unsigned char *f = pdf_font_ttf;
    size_t n = pdf_font_ttf_len, count = n >= 12 ? u16(f + 4) : 0;
    for (size_t i = 0; i < count && 12 + 16 * (i + 1) <= n; i++) {
        const unsigned char *r = f + 12 + 16 * i;
        uint32_t off = u32(r + 8), l = u32(r + 12);
        if (memcmp(r, tag, 4) == 0 && off <= n && l <= n - off) {
            *len = l;
            return f + off;
        }
    }
    return NULL;
}

/* The cmap's Windows Unicode (3, 1) subtable, format 4, into gid[]. */
static bool read_cmap(uint16_t *gid, size_t nglyphs)
{
    size_t n;
    const unsigned char *c = table("cmap", &n), *sub = NULL;
    for (size_t i = 0; c && n >= 4 && i < u16(c + 2) && 4 + 8 * (i + 1) <= n; i++) {
        const unsigned char *r = c + 4 + 8 * i;
        if (u16(r) == 3 && u16(r + 2) == 1 && u32(r + 4) + 14 <= n)
            sub = c + u32(r + 4);
    }
    if (!sub || u16(sub) != 4)
        return false;
    size_t seg = u16(sub + 6) / 2, end = (size_t)(sub - c) + 16 + 8 * seg;
    if (end > n)
        return false;
    const unsigned char *ends = sub + 14, *starts = ends + 2 * seg + 2, *deltas = starts + 2 * seg,
                        *ranges = deltas + 2 * seg;
    for (size_t s = 0; s < seg; s++) {
        uint16_t first = u16(starts + 2 * s), last = u16(ends + 2 * s), delta = u16(deltas + 2 * s),
                 ro = u16(ranges + 2 * s);
        for (uint32_t u = first; u <= last && u != 0xFFFF; u++) {
            uint16_t g = 0;
            if (!ro) {
                g = (uint16_t)(u + delta);
            } else {
                const unsigned char *p = ranges + 2 * s + ro + 2 * (u - first);
                if (p + 2 > c + n)
                    return false;
                g = u16(p) ? (uint16_t)(u16(p) + delta) : 0;
            }
            gid[u] = g < nglyphs ? g : 0;
        }
    }
    return true;
}

void pdf_put_deflated(struct pc_buf *b, int obj, const char *dict, const void *data, size_t len, int level)
{
    uLongf n = compressBound((uLong)len);
    unsigned char *z = malloc(n);
    if (!z)
        pc_oom(n);
    if (compress2(z, &n, data, (uLong)len, level) != Z_OK)
        pc_oom(n); /* only out of memory: the buffer is compressBound's */
    pc_buf_printf(b, "%d 0 obj\n<<%s /Length %lu /Filter /FlateDecode>>\nstream\n", obj, dict, (unsigned long)n);
    pc_buf_append(b, z, n);
    pc_buf_puts(b, "\nendstream\nendobj\n");
    free(z);
}

static void begin(struct pdf_shared *s, struct pc_buf *b, int obj)
{
    s->off[obj] = b->len;
    pc_buf_printf(b, "%d 0 obj\n", obj);
}

/* The ToUnicode CMap: each glyph's first code point. */
static void to_unicode(struct pdf_shared *s, struct pc_buf *b, size_t nglyphs)
{
    struct pc_buf m;
    pc_buf_init(&m, 1u << 20);
    pc_buf_puts(&m, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    bool *seen = calloc(nglyphs, sizeof *seen);
    if (!seen)
        pc_oom(nglyphs);
    size_t pending = 0;
    struct pc_buf lines;
    pc_buf_init(&lines, 1u << 20);
    for (uint32_t u = 1; u < 0x10000; u++) {
        uint16_t g = s->gid[u];
        if (!g || seen[g])
            continue;
        seen[g] = true;
        pc_buf_printf(&lines, "<%04X> <%04X>\n", g, (unsigned)u);
        if (++pending == 100) { /* a block holds at most 100 */
            pc_buf_printf(&m, "100 beginbfchar\n%.*sendbfchar\n", (int)lines.len, lines.data);
            pc_buf_reset(&lines);
            pending = 0;
        }
    }
    if (pending)
        pc_buf_printf(&m, "%zu beginbfchar\n%.*sendbfchar\n", pending, (int)lines.len, lines.data);
    pc_buf_puts(&m, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s->off[PDF_OBJ_TOUNICODE] = b->len;
    pdf_put_deflated(b, PDF_OBJ_TOUNICODE, "", m.data, m.len, Z_BEST_COMPRESSION);
    free(seen);
    pc_buf_release(&lines);
    pc_buf_release(&m);
}

static struct pdf_shared *make(void)
{
    size_t hl, hhl, ml, wl, ol;
    const unsigned char *head = table("head", &hl), *hhea = table("hhea", &hhl), *maxp = table("maxp", &ml),
                        *hmtx = table("hmtx", &wl), *os2 = table("OS/2", &ol);
    if (!head || hl < 54 || !hhea || hhl < 36 || !maxp || ml < 6 || !hmtx)
        return NULL;
    size_t nglyphs = u16(maxp + 4), nmetrics = u16(hhea + 34);
    double upem = u16(head + 18);
    if (!nglyphs || !nmetrics || nmetrics > nglyphs || wl < 4 * nmetrics || upem < 16)
        return NULL;
    struct pdf_shared *s = calloc(1, sizeof *s);
    if (!s)
        pc_oom(sizeof *s);
    if (!read_cmap(s->gid, nglyphs)) {
        free(s);
        return NULL;
    }
#define EM(v) ((int)((double)(int16_t)(v) * 1000.0 / upem))
    struct pc_buf b;
    pc_buf_init(&b, 1u << 22);
    begin(s, &b, PDF_OBJ_FONT);
    pc_buf_printf(&b, "<</Type /Font /Subtype /Type0 /BaseFont /PencereSans /Encoding /Identity-H"
                      " /DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>\nendobj\n", PDF_OBJ_CIDFONT, PDF_OBJ_TOUNICODE);
    begin(s, &b, PDF_OBJ_CIDFONT);
    pc_buf_printf(&b, "<</Type /Font /Subtype /CIDFontType2 /BaseFont /PencereSans"
                      " /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>>"
                      " /FontDescriptor %d 0 R /CIDToGIDMap /Identity /DW 1000\n/W [0 [", PDF_OBJ_DESCRIPTOR);
    for (size_t g = 0; g < nglyphs; g++) /* glyphs past the metrics share the last advance */
        pc_buf_printf(&b, "%s%d", g % 16 ? " " : "\n", EM(u16(hmtx + 4 * (g < nmetrics ? g : nmetrics - 1))));
    pc_buf_puts(&b, "]]>>\nendobj\n");
    int cap = os2 && ol >= 90 && u16(os2) >= 2 ? EM(u16(os2 + 88)) : EM(u16(hhea + 4));
    begin(s, &b, PDF_OBJ_DESCRIPTOR);
    pc_buf_printf(&b, "<</Type /FontDescriptor /FontName /PencereSans /Flags 32 /FontBBox [%d %d %d %d]"
                      " /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R>>\nendobj\n",
                  EM(u16(head + 36)), EM(u16(head + 38)), EM(u16(head + 40)), EM(u16(head + 42)), EM(u16(hhea + 4)),
                  EM(u16(hhea + 6)), cap, PDF_OBJ_FONTFILE);
#undef EM
    s->off[PDF_OBJ_FONTFILE] = b.len;
    char dict[32];
    snprintf(dict, sizeof dict, "/Length1 %zu", pdf_font_ttf_len);
    pdf_put_deflated(&b, PDF_OBJ_FONTFILE, dict, pdf_font_ttf, pdf_font_ttf_len, Z_BEST_COMPRESSION);
    to_unicode(s, &b, nglyphs);
    begin(s, &b, PDF_OBJ_INTENT);
    pc_buf_printf(&b, "<</Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1)"
                      " /Info (sRGB IEC61966-2.1) /DestOutputProfile %d 0 R>>\nendobj\n", PDF_OBJ_ICC);
    s->off[PDF_OBJ_ICC] = b.len;
    pdf_put_deflated(&b, PDF_OBJ_ICC, "/N 3", pdf_srgb_icc, pdf_srgb_icc_len, Z_BEST_COMPRESSION);
    if (b.toobig)
        pc_oom(b.len);
    s->bytes = pc_buf_steal(&b, &s->len);
    return s;
}

static const struct pdf_shared *shared;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void make_once(void)
{
    shared = make();
}

const struct pdf_shared *pdf_shared(void)
{
    pthread_once(&once, make_once);
    return shared;
}

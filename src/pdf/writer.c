/* writer.c — a page's content and the whole file: the header, the
 * document's own objects (catalogue, page, content, XMP metadata,
 * information, and when signed the signature field and its dictionary
 * with the reserved /Contents), the shared font and profile objects, the
 * cross-reference table and the trailer with its /ID. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define SIG_WIDTH 10          /* digits of each /ByteRange number, fixed so it is patched in place */

void pdf_page_init(struct pdf_page *p)
{
    pc_buf_init(&p->content, 1u << 20);
}

void pdf_page_release(struct pdf_page *p)
{
    pc_buf_release(&p->content);
}

/* The next code point of UTF-8 at *s (U+FFFD for a broken sequence). */
static uint32_t next_cp(const unsigned char **s)
{
    const unsigned char *p = *s;
    uint32_t c = *p++;
    int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (c >= 0x80 && !more) {
        *s = p;
        return 0xFFFD;
    }
    if (!more) {
        *s = p;
        return c;
    }
    c &= 0x3Fu >> more;
    for (; more; more--, p++) {
        if ((*p & 0xC0) != 0x80) {
            *s = p;
            return 0xFFFD;
        }
        c = c << 6 | (*p & 0x3F);
    }
    *s = p;
    return c;
}

void pdf_text(struct pdf_page *p, float x, float y, float size, const char *utf8)
{
    const struct pdf_shared *sh = pdf_shared();
    pc_buf_printf(&p->content, "BT /F1 %.1f Tf %.2f %.2f Td <", (double)size, (double)x, (double)y);
    for (const unsigned char *s = (const unsigned char *)utf8; sh && *s;) {
        uint32_t c = next_cp(&s);
        pc_buf_printf(&p->content, "%04X", c < 0x10000 ? sh->gid[c] : 0);
    }
    pc_buf_puts(&p->content, "> Tj ET\n");
}

void pdf_cells(struct pdf_page *p, float x, float y, float side, int width, const unsigned char *bits)
{
    if (width <= 0)
        return;
    /* in cell units (integers), each row's runs of filled cells as one rectangle */
    float cell = side / (float)width;
    pc_buf_printf(&p->content, "q %.4f 0 0 %.4f %.2f %.2f cm\n", (double)cell, (double)cell, (double)x, (double)y);
    for (int r = 0; r < width; r++)
        for (int c = 0; c < width;) {
            if (!(bits[r * width + c] & 1)) {
                c++;
                continue;
            }
            int run = c;
            while (run < width && (bits[r * width + run] & 1))
                run++;
            pc_buf_printf(&p->content, "%d %d %d 1 re\n", c, width - 1 - r, run - c);
            c = run;
        }
    pc_buf_puts(&p->content, "f Q\n");
}

/* A text string as UTF-16BE with its byte order mark, in hex. */
static void text_string(struct pc_buf *b, const char *utf8)
{
    pc_buf_puts(b, "<FEFF");
    for (const unsigned char *s = (const unsigned char *)utf8; *s;) {
        uint32_t c = next_cp(&s);
        if (c >= 0x10000) {
            c -= 0x10000;
            pc_buf_printf(b, "%04X%04X", 0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF));
        } else {
            pc_buf_printf(b, "%04X", c);
        }
    }
    pc_buf_puts(b, ">");
}

static void xmp_alt(struct pc_buf *b, const char *tag, const char *v)
{
    if (!v)
        return;
    pc_buf_printf(b, "<%s><rdf:Alt><rdf:li xml:lang=\"x-default\">", tag);
    pc_buf_html(b, v);
    pc_buf_printf(b, "</rdf:li></rdf:Alt></%s>\n", tag);
}

/* The XMP packet: PDF/A-2b's identification and the same facts as the
 * information dictionary (PDF/A wants them equal). */
static void xmp(struct pc_buf *b, const struct pdf_meta *m, const char *date)
{
    pc_buf_puts(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                   "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                   "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                   "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\""
                   " xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\""
                   " xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n"
                   "<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n"
                   "<dc:format>application/pdf</dc:format>\n");
    xmp_alt(b, "dc:title", m->title);
    if (m->author) {
        pc_buf_puts(b, "<dc:creator><rdf:Seq><rdf:li>");
        pc_buf_html(b, m->author);
        pc_buf_puts(b, "</rdf:li></rdf:Seq></dc:creator>\n");
    }
    xmp_alt(b, "dc:description", m->subject);
    if (date)
        pc_buf_printf(b, "<xmp:CreateDate>%s</xmp:CreateDate>\n<xmp:ModifyDate>%s</xmp:ModifyDate>\n", date, date);
    pc_buf_puts(b, "<xmp:CreatorTool>Pencere</xmp:CreatorTool>\n<pdf:Producer>Pencere</pdf:Producer>\n"
                   "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>");
}

static void info(struct pc_buf *b, const struct pdf_meta *m, const char *pdf_date)
{
    static const char *const keys[] = {"/Title ", "/Author ", "/Subject "};
    const char *vals[] = {m->title, m->author, m->subject};
    pc_buf_printf(b, "%d 0 obj\n<<", PDF_OBJ_INFO);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (vals[i]) {
            pc_buf_puts(b, keys[i]);
            text_string(b, vals[i]);
            pc_buf_puts(b, "\n");
        }
    if (pdf_date)
        pc_buf_printf(b, "/CreationDate (%s) /ModDate (%s)\n", pdf_date, pdf_date);
    pc_buf_puts(b, "/Creator (Pencere) /Producer (Pencere)>>\nendobj\n");
}

int pdf_write(const struct pdf_page *p, const struct pdf_meta *m, unsigned char **out, size_t *len,
              struct pc_err *err)
{
    *out = NULL;
    *len = 0;
    const struct pdf_shared *sh = pdf_shared();
    if (!sh)
        return pc_err_set(err, PC_EIO, "the PDF font built into the program cannot be read");
    if (p->content.toobig)
        return pc_err_set(err, PC_ETOOBIG, "the page's content is too large");
    char xdate[32], pdate[32];
    if (m->created) {
        time_t t = (time_t)m->created;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(xdate, sizeof xdate, "%Y-%m-%dT%H:%M:%SZ", &tm);
        strftime(pdate, sizeof pdate, "D:%Y%m%d%H%M%SZ", &tm);
    }
    size_t off[PDF_OBJ_END] = {0};
    struct pc_buf b;
    pc_buf_init(&b, PDF_FILE_MAX);
    pc_buf_puts(&b, "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
    off[PDF_OBJ_CATALOG] = b.len;
    pc_buf_printf(&b, "%d 0 obj\n<</Type /Catalog /Pages %d 0 R /Metadata %d 0 R /OutputIntents [%d 0 R] /Lang (%s)",
                  PDF_OBJ_CATALOG, PDF_OBJ_PAGES, PDF_OBJ_METADATA, PDF_OBJ_INTENT, m->lang ? m->lang : "az");
    if (m->signature)
        pc_buf_printf(&b, " /AcroForm <</Fields [%d 0 R] /SigFlags 3>>", PDF_OBJ_WIDGET);
    pc_buf_puts(&b, ">>\nendobj\n");
    off[PDF_OBJ_PAGES] = b.len;
    pc_buf_printf(&b, "%d 0 obj\n<</Type /Pages /Kids [%d 0 R] /Count 1>>\nendobj\n", PDF_OBJ_PAGES, PDF_OBJ_PAGE);
    off[PDF_OBJ_PAGE] = b.len;
    pc_buf_printf(&b, "%d 0 obj\n<</Type /Page /Parent %d 0 R /MediaBox [0 0 %.3f %.3f] /Resources <</Font <</F1 %d 0 R>>>>"
                      " /Contents %d 0 R",
                  PDF_OBJ_PAGE, PDF_OBJ_PAGES, (double)PDF_A4_WIDTH, (double)PDF_A4_HEIGHT, PDF_OBJ_FONT,
                  PDF_OBJ_CONTENT);
    if (m->signature)
        pc_buf_printf(&b, " /Annots [%d 0 R]", PDF_OBJ_WIDGET);
    pc_buf_puts(&b, ">>\nendobj\n");
    off[PDF_OBJ_CONTENT] = b.len;
    pdf_put_deflated(&b, PDF_OBJ_CONTENT, "", p->content.data, p->content.len, Z_BEST_SPEED);
    struct pc_buf x;
    pc_buf_init(&x, 1u << 20);
    xmp(&x, m, m->created ? xdate : NULL);
    off[PDF_OBJ_METADATA] = b.len;
    pc_buf_printf(&b, "%d 0 obj\n<</Type /Metadata /Subtype /XML /Length %zu>>\nstream\n", PDF_OBJ_METADATA, x.len);
    pc_buf_append(&b, x.data, x.len);
    pc_buf_puts(&b, "\nendstream\nendobj\n");
    off[PDF_OBJ_INFO] = b.len;
    info(&b, m, m->created ? pdate : NULL);
    size_t base = b.len;
    pc_buf_append(&b, sh->bytes, sh->len);
    for (int i = PDF_OBJ_FIRST_SHARED; i <= PDF_OBJ_ICC; i++)
        off[i] = base + sh->off[i];
    size_t range_at = 0, contents_at = 0;
    if (m->signature) {
        off[PDF_OBJ_WIDGET] = b.len;
        pc_buf_printf(&b, "%d 0 obj\n<</Type /Annot /Subtype /Widget /FT /Sig /T (Seal) /F 132 /Rect [0 0 0 0]"
                          " /P %d 0 R /V %d 0 R>>\nendobj\n", PDF_OBJ_WIDGET, PDF_OBJ_PAGE, PDF_OBJ_SIG);
        off[PDF_OBJ_SIG] = b.len;
        pc_buf_printf(&b, "%d 0 obj\n<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached", PDF_OBJ_SIG);
        if (m->created)
            pc_buf_printf(&b, " /M (%s)", pdate);
        pc_buf_puts(&b, "\n/ByteRange ");
        range_at = b.len;
        pc_buf_printf(&b, "[0 %*d %*d %*d]\n/Contents ", SIG_WIDTH, 0, SIG_WIDTH, 0, SIG_WIDTH, 0);
        contents_at = b.len;
        pc_buf_putc(&b, '<');
        for (size_t i = 0; i < 2 * PDF_SIG_MAX; i++)
            pc_buf_putc(&b, '0');
        pc_buf_puts(&b, ">>>\nendobj\n");
    }
    int size = m->signature ? PDF_OBJ_END : PDF_OBJ_WIDGET;
    size_t xref = b.len;
    pc_buf_printf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", size);
    for (int i = 1; i < size; i++)
        pc_buf_printf(&b, "%010zu 00000 n\r\n", off[i]);
    char id[65];
    pc_sha256_hex(p->content.data, p->content.len, id);
    pc_buf_printf(&b, "trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<%.32s> <%.32s>]>>\nstartxref\n%zu\n%%%%EOF\n",
                  size, PDF_OBJ_CATALOG, PDF_OBJ_INFO, id, id, xref);
    pc_buf_release(&x);
    if (b.toobig) {
        pc_buf_release(&b);
        return pc_err_set(err, PC_ETOOBIG, "the PDF would be too large");
    }
    if (m->signature) { /* everything but the /Contents value, "<…>" included in neither */
        size_t after = contents_at + 2 * PDF_SIG_MAX + 2;
        char r[4 * (SIG_WIDTH + 1) + 2];
        snprintf(r, sizeof r, "[0 %*zu %*zu %*zu]", SIG_WIDTH, contents_at, SIG_WIDTH, after, SIG_WIDTH,
                 b.len - after);
        memcpy(b.data + range_at, r, strlen(r));
    }
    *out = (unsigned char *)pc_buf_steal(&b, len);
    return 0;
}

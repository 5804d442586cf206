/*
 * pdf.h — the portal's own small PDF writer, for the documents it makes
 * (e-certificates, payment receipts): one A4 page of text in one font
 * (Pencere Sans, a subset of DejaVu Sans carried in the binary:
 * data/fonts, scripts/font-subset.py) and a grid of cells (a QR code).
 *
 * Every document is PDF/A-2b as declared (XMP metadata with pdfaid part 2
 * conformance B mirroring the document information, an sRGB OutputIntent
 * with the ICC profile of data/icc, the font embedded, no encryption, no
 * scripts) and may carry a PAdES signature field: a signature dictionary
 * (/Adobe.PPKLite, /ETSI.CAdES.detached) whose /ByteRange covers the whole
 * file but its /Contents, reserved empty (PDF_SIG_MAX bytes) and filled
 * after signing (pdf_sig_fill).
 *
 * The font's tables are read once per process; a document costs its own
 * content stream only.  Nothing in a document depends on the time unless
 * the caller gives one (created), so the same input gives the same bytes.
 * No module tables.  Functions return 0 or a negative PC_E* code with the
 * message in err.
 */
#ifndef PC_PDF_H
#define PC_PDF_H

#include "../base/base.h"

#define PDF_A4_WIDTH 595.276f
#define PDF_A4_HEIGHT 841.89f
#define PDF_SIG_MAX 10240     /* bytes of the CMS a signature field holds (a seal with its chain and time-stamp: ~4.5 KB) */
#define PDF_FILE_MAX (4u << 20)

/* One page being written: its content stream. */
struct pdf_page {
    struct pc_buf content;
};

void pdf_page_init(struct pdf_page *p);
void pdf_page_release(struct pdf_page *p);
/* UTF-8 text at (x, y) (points from the lower left corner), size points.
 * A character the font lacks prints as its "missing" glyph. */
void pdf_text(struct pdf_page *p, float x, float y, float size, const char *utf8);
/* A width × width grid of square cells (a QR code's modules), each side
 * points, its lower left corner at (x, y); the cell in row r (0 at the
 * top) and column c is filled black when bits[r * width + c] & 1. */
void pdf_cells(struct pdf_page *p, float x, float y, float side, int width, const unsigned char *bits);

struct pdf_meta {
    const char *title, *author, *subject;  /* UTF-8; NULL: none */
    const char *lang;                      /* the document's language ("az") */
    int64_t created;                       /* unix seconds; 0: no dates in the file */
    bool signature;                        /* reserve a PAdES signature field */
};

/* The whole file; *out is malloc'd (the caller frees it). */
int pdf_write(const struct pdf_page *p, const struct pdf_meta *m, unsigned char **out, size_t *len,
              struct pc_err *err);

/* ---- the signature field (sig.c) --------------------------------------- */

/* The bytes a signature covers: the file but its /Contents value, joined
 * (in the arena).  PC_EINVAL names what is wrong when the file has no
 * signature field, or when its /ByteRange does not cover the whole file
 * around exactly the /Contents value. */
int pdf_sig_content(struct pc_arena *a, const unsigned char *pdf, size_t len, const unsigned char **content,
                    size_t *content_len, struct pc_err *err);
/* Write sig (DER) into the reserved /Contents of pdf, in place.
 * PC_ETOOBIG when it does not fit. */
int pdf_sig_fill(unsigned char *pdf, size_t len, const unsigned char *sig, size_t sig_len, struct pc_err *err);
/* The signed bytes and the signature (DER, in the arena) of a signed file. */
int pdf_sig_extract(struct pc_arena *a, const unsigned char *pdf, size_t len, const unsigned char **content,
                    size_t *content_len, const unsigned char **sig, size_t *sig_len, struct pc_err *err);

#endif

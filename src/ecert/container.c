/* container.c — the seal inside the PDF, as PAdES: the PDF is made with
 * a signature field whose /ByteRange covers all of it but the reserved
 * /Contents (src/pdf); the agency's CAdES signature over those bytes
 * (with signing-certificate-v2, and the TSA's time-stamp token as an
 * unsigned attribute: PAdES-B-T) is written into /Contents.  Any byte
 * changed outside /Contents breaks the signature; bytes appended after
 * the file's end, or a /Contents with more than the signature, are found
 * here (`pencere verify`, docs/pki.md).  Certificates issued before
 * PAdES carry their seal as an attachment (legacy.c) and still verify. */
#include "internal.h"
#include "../pdf/pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ecert_pdf_attach(const unsigned char *pdf, size_t len, const unsigned char *sig, size_t sig_len,
                     unsigned char **out, size_t *out_len, struct pc_err *err)
{
    *out = NULL;
    *out_len = 0;
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy)
        pc_oom(len);
    memcpy(copy, pdf, len);
    int rc = pdf_sig_fill(copy, len, sig, sig_len, err);
    if (rc) {
        free(copy);
        return rc;
    }
    *out = copy;
    *out_len = len;
    return 0;
}

int ecert_pdf_split(struct pc_arena *a, const unsigned char *file, size_t len, const unsigned char **content,
                    size_t *content_len, const unsigned char **sig, size_t *sig_len, struct pc_err *err)
{
    int rc = pdf_sig_extract(a, file, len, content, content_len, sig, sig_len, err);
    if (rc == PC_ENOTFOUND) { /* issued before PAdES? */
        rc = ecert_pdf_legacy_split(a, file, len, content_len, sig, sig_len, err);
        *content = file;
        if (rc == PC_ENOTFOUND)
            return pc_err_set(err, PC_EINVAL, "no seal inside: this PDF carries no signature");
        return rc;
    }
    if (rc) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return pc_err_set(err, PC_EINVAL, "the PDF was changed after it was sealed (%s)", why);
    }
    return 0;
}

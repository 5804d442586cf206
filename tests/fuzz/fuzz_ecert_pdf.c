/* fuzz_ecert_pdf.c — a file handed to `pencere verify FILE.pdf`: taking
 * the seal out of an e-certificate's PDF (ecert_pdf_split, over the PDF
 * signature field's reader src/pdf/sig.c).  Invariants: no crash, leak or
 * sanitizer report; the answer is 0 or PC_EINVAL with a message; when 0,
 * the signed bytes are the file but a part of it, the signature is not
 * empty, and writing the signature back gives a file with the same signed
 * bytes and signature (hex digits may change case); for the form before
 * PAdES (legacy.c: the signed bytes a prefix), the very same file. */
#include "fuzz_common.h"

#include "../../src/ecert/container.c"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    size_t n = 0, sig_len = 0;
    const unsigned char *sig = NULL, *content = NULL;
    int rc = ecert_pdf_split(&a, data, size, &content, &n, &sig, &sig_len, &err);
    FUZZ_CHECK(rc == 0 || (rc == PC_EINVAL && err.msg[0]));
    if (rc == 0 && content == data) {
        FUZZ_CHECK(n > 0 && n < size && sig_len > 0);
        unsigned char *again;
        size_t again_len;
        FUZZ_CHECK(ecert_pdf_legacy_attach(data, n, sig, sig_len, &again, &again_len, &err) == 0);
        FUZZ_CHECK(again_len == size && memcmp(again, data, size) == 0);
        free(again);
    } else if (rc == 0) {
        FUZZ_CHECK(n > 0 && n < size && sig_len > 0);
        unsigned char *again;
        size_t again_len;
        const unsigned char *sig2, *content2;
        size_t n2, sig2_len;
        FUZZ_CHECK(ecert_pdf_attach(data, size, sig, sig_len, &again, &again_len, &err) == 0);
        FUZZ_CHECK(again_len == size &&
                   ecert_pdf_split(&a, again, again_len, &content2, &n2, &sig2, &sig2_len, &err) == 0);
        FUZZ_CHECK(n2 == n && memcmp(content2, content, n) == 0 && sig2_len == sig_len &&
                   memcmp(sig2, sig, sig_len) == 0);
        free(again);
    }
    pc_arena_release(&a);
    return 0;
}

/* fuzz_ecert_pdf.c — a file handed to `pencere verify FILE.pdf`: taking
 * the seal out of an e-certificate's PDF (ecert_pdf_split).  Invariants:
 * no crash, leak or sanitizer report; the answer is 0 or PC_EINVAL with
 * a message; when 0, the signed part is a proper prefix of the file, the
 * signature lies inside it, and writing the seal back gives the very
 * same file. */
#include "fuzz_common.h"

#include "../../src/ecert/container.c"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    size_t n = 0, sig_len = 0;
    const unsigned char *sig = NULL;
    int rc = ecert_pdf_split(&a, data, size, &n, &sig, &sig_len, &err);
    FUZZ_CHECK(rc == 0 || (rc == PC_EINVAL && err.msg[0]));
    if (rc == 0) {
        FUZZ_CHECK(n > 0 && n < size && sig_len > 0);
        unsigned char *again;
        size_t again_len;
        FUZZ_CHECK(ecert_pdf_attach(data, n, sig, sig_len, &again, &again_len, &err) == 0);
        FUZZ_CHECK(again_len == size && memcmp(again, data, size) == 0);
        free(again);
    }
    pc_arena_release(&a);
    return 0;
}

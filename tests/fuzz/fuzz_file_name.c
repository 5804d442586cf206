/* fuzz_file_name.c — uploaded files' names through case_file_name_clean.
 * Invariants: the result is valid UTF-8, non-empty, at most
 * CASE_FILE_NAME_MAX bytes, without surrounding blanks, without any
 * control, separator or format character (bidirectional overrides and
 * isolates among them); cleaning it again changes nothing. */
#include "fuzz_common.h"

#include "../../src/base/utf8.c"
#include "../../src/cases/file_name.c"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *name = malloc(size + 1);
    if (!name)
        return 0;
    memcpy(name, data, size);
    name[size] = 0; /* a name is text: it ends at its first NUL */
    char out[CASE_FILE_NAME_MAX + 1], again[CASE_FILE_NAME_MAX + 1];
    case_file_name_clean(name, out);
    size_t n = strlen(out);
    FUZZ_CHECK(n > 0 && n <= CASE_FILE_NAME_MAX);
    FUZZ_CHECK(pc_utf8_valid(out, n));
    FUZZ_CHECK(out[0] != ' ' && out[n - 1] != ' ');
    for (const unsigned char *s = (const unsigned char *)out; *s;) {
        uint32_t cp;
        s += next_cp(s, &cp);
        FUZZ_CHECK(!invisible(cp));
    }
    case_file_name_clean(out, again);
    FUZZ_CHECK(strcmp(out, again) == 0);
    free(name);
    return 0;
}

/* fuzz_guest.c — what a guest types (src/cases/guest.c): a contact through
 * case_contact_parse, and an access code through code_key.  Invariants:
 * a contact taken is an address with one "@" or "+994" and 9 digits, and
 * parsing it again gives itself; a code taken is 16 characters of
 * Crockford's base32 that are taken again unchanged. */
#include "fuzz_common.h"

#include "../../src/cases/guest.c"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *typed = malloc(size + 1);
    if (!typed)
        return 0;
    memcpy(typed, data, size);
    typed[size] = 0; /* a form's field is text: it ends at its first NUL */
    struct pc_arena a;
    pc_arena_init(&a);
    struct case_contact c, again;
    if (case_contact_parse(&a, typed, &c, NULL) == 0) {
        size_t n = strlen(c.address);
        if (c.kind == CASE_CONTACT_PHONE) {
            FUZZ_CHECK(n == 13 && strncmp(c.address, "+994", 4) == 0);
            for (size_t i = 4; i < n; i++)
                FUZZ_CHECK(c.address[i] >= '0' && c.address[i] <= '9');
        } else {
            FUZZ_CHECK(strchr(c.address, '@') && strchr(c.address, '@') == strrchr(c.address, '@'));
        }
        FUZZ_CHECK(case_contact_parse(&a, c.address, &again, NULL) == 0 && again.kind == c.kind &&
                   strcmp(again.address, c.address) == 0);
    }
    char key[17], key2[17];
    if (code_key(typed, key)) {
        FUZZ_CHECK(strlen(key) == 16);
        for (int i = 0; i < 16; i++)
            FUZZ_CHECK(strchr(code_alphabet, key[i]) != NULL);
        FUZZ_CHECK(code_key(key, key2) && strcmp(key, key2) == 0);
    }
    pc_arena_release(&a);
    free(typed);
    return 0;
}

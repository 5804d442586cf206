/* code.c — verification codes: what a person types from the paper to
 * reach a certificate on the portal.  Random, from an alphabet without
 * characters read as one another (0/O, 1/I/L), grouped in fours. */
#include "ecert.h"

#include <string.h>

static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"; /* 31 symbols */
#define NSYM (sizeof alphabet - 1)

void ecert_code_new(char out[ECERT_CODE_LEN + 1])
{
    size_t w = 0;
    while (w < ECERT_CODE_LEN) {
        unsigned char buf[32];
        pc_random_bytes(buf, sizeof buf);
        for (size_t i = 0; i < sizeof buf && w < ECERT_CODE_LEN; i++) {
            if (buf[i] >= 248) /* 248 = 8 × 31: no symbol more likely than another */
                continue;
            if (w % 5 == 4)
                out[w++] = '-';
            out[w++] = alphabet[buf[i] % NSYM];
        }
    }
    out[ECERT_CODE_LEN] = 0;
}

bool ecert_code_normalize(const char *in, char out[ECERT_CODE_LEN + 1])
{
    size_t w = 0, got = 0;
    for (const char *p = in ? in : ""; *p; p++) {
        char c = *p;
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!strchr(alphabet, c) || c == 0 || got == 16)
            return false;
        if (got && got % 4 == 0)
            out[w++] = '-';
        out[w++] = c;
        got++;
    }
    out[w] = 0;
    return got == 16;
}

const char *ecert_verify_url(struct pc_arena *a, const char *base, const char *code)
{
    return pc_arena_printf(a, "%s" ECERT_VERIFY_PATH "?code=%s", base ? base : "", code);
}

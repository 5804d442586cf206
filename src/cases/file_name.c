/* file_name.c — the name an uploaded file is kept and shown under.  The
 * name is the client's words: it may carry control characters, or
 * bidirectional and other invisible format characters that make
 * "photo\u202Egnp.exe" look like "photoexe.png" on an officer's screen.
 * Those are dropped (at upload, and again wherever a stored name is
 * handed out, for names kept before this rule), surrounding blanks are
 * trimmed, and the rest is cut to CASE_FILE_NAME_MAX bytes at a character
 * boundary.  Pure: the fuzz harness tests/fuzz/fuzz_file_name.c drives it. */
#include "internal.h"

#include <string.h>

/* Characters never kept in a name: C0 and C1 controls, line and paragraph
 * separators, and the format characters (Unicode category Cf), among them
 * every bidirectional embedding, override and isolate. */
static bool invisible(uint32_t cp)
{
    static const uint32_t ranges[][2] = {
        {0x0000, 0x001F}, {0x007F, 0x009F}, {0x00AD, 0x00AD}, {0x0600, 0x0605}, {0x061C, 0x061C},
        {0x06DD, 0x06DD}, {0x070F, 0x070F}, {0x0890, 0x0891}, {0x08E2, 0x08E2}, {0x180E, 0x180E},
        {0x200B, 0x200F}, {0x2028, 0x202E}, {0x2060, 0x2064}, {0x2066, 0x206F}, {0xFEFF, 0xFEFF},
        {0xFFF9, 0xFFFB}, {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3},
        {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (cp >= ranges[i][0] && cp <= ranges[i][1])
            return true;
    return false;
}

/* The code point at s (valid UTF-8, checked by the caller) and its length. */
static size_t next_cp(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
    uint32_t v = s[0] & (0x3F >> (len - 1));
    for (size_t i = 1; i < len; i++)
        v = (v << 6) | (s[i] & 0x3F);
    *cp = v;
    return len;
}

void case_file_name_clean(const char *name, char out[CASE_FILE_NAME_MAX + 1])
{
    size_t n = 0;
    if (name && pc_utf8_valid(name, strlen(name))) {
        const unsigned char *s = (const unsigned char *)name;
        while (*s) {
            uint32_t cp;
            size_t len = next_cp(s, &cp);
            if (!invisible(cp) && !(n == 0 && cp == ' ')) {
                if (n + len > CASE_FILE_NAME_MAX)
                    break; /* cut before a character that would not fit whole */
                memcpy(out + n, s, len);
                n += len;
            }
            s += len;
        }
    }
    while (n && out[n - 1] == ' ')
        n--;
    if (n == 0) {
        memcpy(out, "file", 5);
        return;
    }
    out[n] = 0;
}

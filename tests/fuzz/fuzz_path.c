/* fuzz_path.c — request paths: http_path_decode and http_path_clean on
 * arbitrary bytes.
 * Invariants: only 0 or PC_EINVAL; a decoded path is valid UTF-8 with no
 * control characters; the cleaned path starts with exactly one '/', has no
 * empty, "." or ".." segment, is no longer than its input plus one, and
 * cleaning it again changes nothing (so a link built from it can never
 * name another host or climb out of the site). */
#include "fuzz_common.h"

#include "../../src/base/utf8.c"
#include "../../src/http/parse.c"

#include <string.h>

static void check_clean(struct pc_arena *a, const char *path)
{
    const char *c = http_path_clean(a, path);
    size_t n = strlen(c);
    FUZZ_CHECK(n >= 1 && c[0] == '/');
    FUZZ_CHECK(n == 1 || c[1] != '/');
    FUZZ_CHECK(n <= strlen(path) + 1);
    FUZZ_CHECK(!strstr(c, "//"));
    for (const char *s = c; (s = strchr(s, '/')); s++) {
        size_t len = strcspn(s + 1, "/");
        FUZZ_CHECK(!(len == 1 && s[1] == '.'));
        FUZZ_CHECK(!(len == 2 && s[1] == '.' && s[2] == '.'));
    }
    FUZZ_CHECK(strcmp(http_path_clean(a, c), c) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct pc_arena a;
    pc_arena_init(&a);
    char *out = NULL;
    int rc = http_path_decode(&a, s, size, &out);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    if (rc == 0) {
        size_t n = strlen(out);
        FUZZ_CHECK(n <= size);
        FUZZ_CHECK(pc_utf8_valid(out, n));
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
        check_clean(&a, out);
    }
    /* the cleaner also takes what the decoder would refuse */
    char *raw = pc_arena_strndup(&a, s, size);
    check_clean(&a, raw);
    pc_arena_release(&a);
    return 0;
}

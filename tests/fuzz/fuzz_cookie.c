/* fuzz_cookie.c — Cookie headers through http_parse_cookies.
 * Invariants: only 0 or PC_ETOOBIG (malformed pairs are skipped, never an
 * error); at most HTTP_MAX_COOKIES pairs; names non-empty, without '=' ';'
 * or leading blanks; values without ';'; both valid UTF-8; http_kv_get
 * finds the first value of each name; a second parse is identical. */
#include "fuzz_common.h"

#include "../../src/base/utf8.c"
#include "../../src/http/parse.c"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct pc_arena a;
    pc_arena_init(&a);
    struct http_kvlist l = {0}, l2 = {0};
    int rc = http_parse_cookies(&a, s, size, &l);
    FUZZ_CHECK(rc == 0 || rc == PC_ETOOBIG);
    if (rc == 0) {
        FUZZ_CHECK(l.n <= HTTP_MAX_COOKIES);
        size_t total = 0;
        for (size_t i = 0; i < l.n; i++) {
            const char *k = l.items[i].key, *v = l.items[i].value;
            FUZZ_CHECK(k && v);
            size_t kn = strlen(k), vn = strlen(v);
            FUZZ_CHECK(kn > 0);
            FUZZ_CHECK(!strchr(k, '=') && !strchr(k, ';'));
            FUZZ_CHECK(k[0] != ' ' && k[0] != '\t');
            FUZZ_CHECK(!strchr(v, ';'));
            FUZZ_CHECK(pc_utf8_valid(k, kn));
            FUZZ_CHECK(pc_utf8_valid(v, vn));
            total += kn + vn + 1;
            size_t first = i;
            for (size_t j = 0; j < i; j++)
                if (strcmp(l.items[j].key, k) == 0) {
                    first = j;
                    break;
                }
            FUZZ_CHECK(http_kv_get(&l, k) == l.items[first].value);
        }
        FUZZ_CHECK(total <= size);
    }
    int rc2 = http_parse_cookies(&a, s, size, &l2);
    FUZZ_CHECK(rc2 == rc);
    if (rc == 0) {
        FUZZ_CHECK(l2.n == l.n);
        for (size_t i = 0; i < l.n; i++) {
            FUZZ_CHECK(strcmp(l.items[i].key, l2.items[i].key) == 0);
            FUZZ_CHECK(strcmp(l.items[i].value, l2.items[i].value) == 0);
        }
    }
    pc_arena_release(&a);
    return 0;
}

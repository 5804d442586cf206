/* fuzz_query.c — query strings: http_parse_urlencoded and http_url_decode
 * on arbitrary bytes.
 * Invariants: no crash or sanitizer report; only the documented return
 * codes; at most HTTP_MAX_PARAMS pairs; every key and value valid UTF-8
 * and no longer than the input; http_kv_get finds the first value of each
 * key; a second parse gives the same result; a successful decode
 * re-encodes and decodes back to itself. */
#include "fuzz_common.h"

#include "../../src/base/utf8.c"
#include "../../src/http/parse.c"

#include <string.h>

static size_t count_pairs(const char *s, size_t n)
{
    size_t pairs = 0, i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && s[end] != '&')
            end++;
        pairs += end > i;
        i = end + 1;
    }
    return pairs;
}

static void check_list(const struct http_kvlist *l, size_t n)
{
    FUZZ_CHECK(l->n <= HTTP_MAX_PARAMS);
    for (size_t i = 0; i < l->n; i++) {
        const char *k = l->items[i].key, *v = l->items[i].value;
        FUZZ_CHECK(k && v);
        size_t kn = strlen(k), vn = strlen(v);
        FUZZ_CHECK(kn + vn <= n);
        FUZZ_CHECK(pc_utf8_valid(k, kn));
        FUZZ_CHECK(pc_utf8_valid(v, vn));
        /* the first item with this key is what http_kv_get returns */
        size_t first = i;
        for (size_t j = 0; j < i; j++)
            if (strcmp(l->items[j].key, k) == 0) {
                first = j;
                break;
            }
        FUZZ_CHECK(http_kv_get(l, k) == l->items[first].value);
    }
}

static void same_list(const struct http_kvlist *a, const struct http_kvlist *b)
{
    FUZZ_CHECK(a->n == b->n);
    for (size_t i = 0; i < a->n; i++) {
        FUZZ_CHECK(strcmp(a->items[i].key, b->items[i].key) == 0);
        FUZZ_CHECK(strcmp(a->items[i].value, b->items[i].value) == 0);
    }
}

static void fuzz_decode(struct pc_arena *a, const char *s, size_t n, bool plus)
{
    char *out = NULL;
    int rc = http_url_decode(a, s, n, plus, &out);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    if (rc)
        return;
    size_t on = strlen(out);
    FUZZ_CHECK(on <= n);
    FUZZ_CHECK(pc_utf8_valid(out, on));
    /* nothing to decode: the output is the input */
    if (!memchr(s, '%', n) && !(plus && memchr(s, '+', n))) {
        FUZZ_CHECK(on == n);
        FUZZ_CHECK(memcmp(out, s, n) == 0);
    }
    /* encode and decode again: the same text */
    struct pc_buf b;
    pc_buf_init(&b, 0);
    FUZZ_CHECK(pc_buf_urlencode(&b, out) == 0);
    for (size_t i = 0; i < b.len; i++)
        FUZZ_CHECK(b.data[i] != '+' && b.data[i] != '&' && b.data[i] != '=');
    char *back = NULL;
    FUZZ_CHECK(http_url_decode(a, b.data, b.len, plus, &back) == 0);
    FUZZ_CHECK(strcmp(back, out) == 0);
    pc_buf_release(&b);
    /* deterministic */
    char *again = NULL;
    FUZZ_CHECK(http_url_decode(a, s, n, plus, &again) == 0);
    FUZZ_CHECK(strcmp(again, out) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct pc_arena a;
    pc_arena_init(&a);

    struct http_kvlist l = {0}, l2 = {0};
    int rc = http_parse_urlencoded(&a, s, size, &l);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL || rc == PC_ETOOBIG);
    if (rc == 0) {
        check_list(&l, size);
        FUZZ_CHECK(l.n == count_pairs(s, size));
    }
    if (rc == PC_ETOOBIG)
        FUZZ_CHECK(count_pairs(s, size) > HTTP_MAX_PARAMS);
    int rc2 = http_parse_urlencoded(&a, s, size, &l2);
    FUZZ_CHECK(rc2 == rc);
    if (rc == 0)
        same_list(&l, &l2);

    fuzz_decode(&a, s, size, true);
    fuzz_decode(&a, s, size, false);

    pc_arena_release(&a);
    return 0;
}

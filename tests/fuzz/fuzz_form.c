/* fuzz_form.c — urlencoded POST bodies as the server handles them: the body
 * arrives in pieces into a struct pc_buf with a per-route maximum, a body
 * over the limit is refused (413), and a body within it is parsed with
 * http_parse_urlencoded.
 * The first input byte picks the limit and the piece size, the rest is the
 * body.  Invariants: the buffer holds exactly the body or is "too big"
 * (sticky) exactly when the body exceeds the limit; parsing the buffer and
 * parsing the raw bytes agree; at most HTTP_MAX_PARAMS fields, each valid
 * UTF-8; PC_ETOOBIG only with more than HTTP_MAX_PARAMS non-empty pairs. */
#include "fuzz_common.h"

#include "../../src/base/utf8.c"
#include "../../src/http/parse.c"

#include <string.h>

static const size_t limits[] = {1, 16, 64, 256, 1024, 4096, 16384, 65536};

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t max = limits[data[0] & 7];
    size_t piece = (size_t)(data[0] >> 3) + 1; /* 1..32 bytes per upload call */
    const char *body = (const char *)data + 1;
    size_t n = size - 1;

    struct pc_buf b;
    pc_buf_init(&b, max);
    for (size_t off = 0; off < n; off += piece) {
        size_t k = n - off < piece ? n - off : piece;
        int rc = pc_buf_append(&b, body + off, k);
        FUZZ_CHECK(rc == 0 || rc == PC_ETOOBIG);
    }
    FUZZ_CHECK(b.toobig == (n > max));
    if (b.toobig) {
        FUZZ_CHECK(b.len <= max);
        FUZZ_CHECK(pc_buf_putc(&b, 'x') == PC_ETOOBIG); /* sticky */
        pc_buf_release(&b);
        return 0;                                       /* 413, not parsed */
    }
    FUZZ_CHECK(b.len == n);
    FUZZ_CHECK(memcmp(b.data, body, n) == 0);
    FUZZ_CHECK(b.data[n] == 0);

    struct pc_arena a;
    pc_arena_init(&a);
    struct http_kvlist form = {0}, raw = {0};
    int rc = http_parse_urlencoded(&a, b.data, b.len, &form);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL || rc == PC_ETOOBIG);
    int rc2 = http_parse_urlencoded(&a, body, n, &raw);
    FUZZ_CHECK(rc == rc2);
    size_t pairs = count_pairs(body, n);
    if (rc == PC_ETOOBIG)
        FUZZ_CHECK(pairs > HTTP_MAX_PARAMS);
    if (rc == 0) {
        FUZZ_CHECK(form.n == pairs);
        FUZZ_CHECK(form.n == raw.n);
        FUZZ_CHECK(form.n <= HTTP_MAX_PARAMS);
        size_t total = 0;
        for (size_t i = 0; i < form.n; i++) {
            size_t kn = strlen(form.items[i].key), vn = strlen(form.items[i].value);
            FUZZ_CHECK(pc_utf8_valid(form.items[i].key, kn));
            FUZZ_CHECK(pc_utf8_valid(form.items[i].value, vn));
            FUZZ_CHECK(strcmp(form.items[i].key, raw.items[i].key) == 0);
            FUZZ_CHECK(strcmp(form.items[i].value, raw.items[i].value) == 0);
            total += kn + vn;
        }
        FUZZ_CHECK(total <= n);
    }
    pc_arena_release(&a);
    pc_buf_release(&b);
    return 0;
}

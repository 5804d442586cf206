/* fuzz_forwarded.c — what a proxy (or a forger) writes about the client:
 * http_addr_parse, http_proxies_parse, http_forwarded_client and
 * http_forwarded_https on arbitrary bytes.  The input is split at the
 * first NUL: a --trusted-proxy list, then X-Forwarded-For field values
 * separated by newlines.
 * Invariants: no crash or sanitizer report; only the documented codes; at
 * most HTTP_MAX_PROXIES entries; a parsed address (and a client found)
 * formats to text that parses back to the same address; the same input
 * gives the same answer. */
#include "fuzz_common.h"

#include "../../src/http/forwarded.c"

#include <string.h>

#define MAX_VALUES 16

static void check_addr(const char *s, size_t n)
{
    struct http_addr a, b;
    int rc = http_addr_parse(s, n, &a);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    if (rc)
        return;
    char text[64];
    http_addr_format(&a, text);
    FUZZ_CHECK(http_addr_parse(text, strlen(text), &b) == 0);
    FUZZ_CHECK(memcmp(a.b, b.b, sizeof a.b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    check_addr(buf, strlen(buf));

    struct http_proxies p;
    struct pc_err err = {0};
    int prc = http_proxies_parse(buf, &p, &err);
    FUZZ_CHECK(prc == 0 || prc == PC_EINVAL);
    if (prc == 0)
        FUZZ_CHECK(p.n >= 1 && p.n <= HTTP_MAX_PROXIES);
    else
        p.n = 0;

    size_t first = strlen(buf);
    const char *values[MAX_VALUES];
    size_t n = 0;
    if (first < size) {
        char *v = buf + first + 1;
        while (n < MAX_VALUES) {
            values[n++] = v;
            char *nl = strchr(v, '\n');
            if (!nl)
                break;
            *nl = 0;
            v = nl + 1;
        }
    }
    struct http_addr client, again;
    int rc = http_forwarded_client(&p, values, n, &client);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL || rc == PC_ENOTFOUND);
    FUZZ_CHECK(http_forwarded_client(&p, values, n, &again) == rc);
    if (rc == 0) {
        FUZZ_CHECK(memcmp(client.b, again.b, sizeof client.b) == 0);
        char text[64];
        http_addr_format(&client, text);
        check_addr(text, strlen(text));
    }
    (void)http_forwarded_https(values, n);
    free(buf);
    return 0;
}

/* forwarded.c — client addresses and what a trusted reverse proxy says
 * about its client: IP address parsing, the --trusted-proxy list of
 * addresses and CIDR blocks, X-Forwarded-For and X-Forwarded-Proto.  Pure
 * parsing (no libmicrohttpd), so unit tests and a fuzzer drive it. */
#include "http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const unsigned char v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool http_addr_is_v4(const struct http_addr *a)
{
    return memcmp(a->b, v4_prefix, sizeof v4_prefix) == 0;
}

void http_addr_from_sockaddr(const struct sockaddr *sa, struct http_addr *out)
{
    memset(out, 0, sizeof *out);
    if (sa && sa->sa_family == AF_INET) {
        memcpy(out->b, v4_prefix, sizeof v4_prefix);
        memcpy(out->b + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa && sa->sa_family == AF_INET6) {
        memcpy(out->b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    }
}

/* A plain address in text[0..n): no brackets, no port. */
static int plain_addr(const char *s, size_t n, struct http_addr *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return PC_EINVAL;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (memchr(buf, ':', n))
        return inet_pton(AF_INET6, buf, out->b) == 1 ? 0 : PC_EINVAL;
    memcpy(out->b, v4_prefix, sizeof v4_prefix);
    return inet_pton(AF_INET, buf, out->b + 12) == 1 ? 0 : PC_EINVAL;
}

static bool port_ok(const char *s, size_t n)
{
    if (n == 0 || n > 5)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int http_addr_parse(const char *s, size_t n, struct http_addr *out)
{
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close)
            return PC_EINVAL;
        size_t rest = n - (size_t)(close + 1 - s);
        if (rest && (close[1] != ':' || !port_ok(close + 2, rest - 1)))
            return PC_EINVAL;
        size_t len = (size_t)(close - s - 1);
        return memchr(s + 1, ':', len) ? plain_addr(s + 1, len, out) : PC_EINVAL;
    }
    const char *colon = memchr(s, ':', n);
    if (colon && !memchr(colon + 1, ':', n - (size_t)(colon + 1 - s))) {
        /* one colon: IPv4 with a port */
        if (!port_ok(colon + 1, n - (size_t)(colon + 1 - s)))
            return PC_EINVAL;
        int rc = plain_addr(s, (size_t)(colon - s), out);
        return rc == 0 && http_addr_is_v4(out) ? 0 : PC_EINVAL;
    }
    return plain_addr(s, n, out);
}

void http_addr_format(const struct http_addr *a, char out[64])
{
    if (!inet_ntop(http_addr_is_v4(a) ? AF_INET : AF_INET6, http_addr_is_v4(a) ? a->b + 12 : a->b, out, 64))
        snprintf(out, 64, "?");
}

static bool in_block(const struct http_addr *a, const struct http_addr *net, unsigned bits)
{
    size_t whole = bits / 8;
    if (memcmp(a->b, net->b, whole) != 0)
        return false;
    if (bits % 8 == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - bits % 8));
    return (a->b[whole] & mask) == (net->b[whole] & mask);
}

bool http_proxies_contain(const struct http_proxies *p, const struct http_addr *a)
{
    for (size_t i = 0; i < p->n; i++)
        if (in_block(a, &p->items[i].net, p->items[i].bits))
            return true;
    return false;
}

/* One entry "ADDR" or "ADDR/BITS" of the list. */
static int proxy_entry(const char *s, size_t n, struct http_proxies *out, struct pc_err *err)
{
    if (out->n >= HTTP_MAX_PROXIES)
        return pc_err_set(err, PC_EINVAL, "--trusted-proxy takes at most %d entries", HTTP_MAX_PROXIES);
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    struct http_addr a;
    if (plain_addr(s, alen, &a))
        return pc_err_set(err, PC_EINVAL, "--trusted-proxy: '%.*s' is not an IP address", (int)alen, s);
    unsigned max = http_addr_is_v4(&a) ? 32 : 128, bits = max;
    if (slash) {
        char num[8];
        size_t bn = n - alen - 1;
        long long v;
        if (bn == 0 || bn >= sizeof num)
            return pc_err_set(err, PC_EINVAL, "--trusted-proxy: bad prefix length in '%.*s'", (int)n, s);
        memcpy(num, slash + 1, bn);
        num[bn] = 0;
        if (pc_parse_int(num, 0, max, &v))
            return pc_err_set(err, PC_EINVAL, "--trusted-proxy: prefix of '%.*s' must be 0 to %u", (int)n, s, max);
        bits = (unsigned)v;
    }
    out->items[out->n].net = a;
    out->items[out->n].bits = bits + (http_addr_is_v4(&a) ? 96 : 0);
    out->n++;
    return 0;
}

int http_proxies_parse(const char *list, struct http_proxies *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    for (const char *p = list ? list : ""; *p;) {
        size_t skip = strspn(p, ", \t");
        p += skip;
        size_t n = strcspn(p, ", \t");
        if (n) {
            int rc = proxy_entry(p, n, out, err);
            if (rc)
                return rc;
        }
        p += n;
    }
    if (!out->n)
        return pc_err_set(err, PC_EINVAL, "--trusted-proxy names no address");
    return 0;
}

/* The last entry of the comma list s[0..n) before position *end (moved to
 * the comma before it, or -1 at the start); blanks trimmed. */
static void last_entry(const char *s, long *end, const char **e, size_t *en)
{
    long stop = *end;
    long start = stop;
    while (start > 0 && s[start - 1] != ',')
        start--;
    *end = start - 1;
    while (start < stop && (s[start] == ' ' || s[start] == '\t'))
        start++;
    while (stop > start && (s[stop - 1] == ' ' || s[stop - 1] == '\t'))
        stop--;
    *e = s + start;
    *en = (size_t)(stop - start);
}

int http_forwarded_client(const struct http_proxies *p, const char *const *values, size_t n,
                          struct http_addr *out)
{
    bool found = false;
    for (size_t i = n; i-- > 0;) {
        const char *s = values[i];
        long end = (long)strlen(s);
        while (end >= 0) {
            const char *e;
            size_t en;
            last_entry(s, &end, &e, &en);
            struct http_addr a;
            if (http_addr_parse(e, en, &a))
                return PC_EINVAL;
            *out = a;
            found = true;
            if (!http_proxies_contain(p, &a))
                return 0;
        }
    }
    return found ? 0 : PC_ENOTFOUND;
}

bool http_forwarded_https(const char *const *values, size_t n)
{
    if (!n)
        return false;
    const char *s = values[n - 1];
    long end = (long)strlen(s);
    const char *e;
    size_t en;
    last_entry(s, &end, &e, &en);
    return en == 5 && strncasecmp(e, "https", 5) == 0;
}

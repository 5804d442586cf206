/* headers.c — the message protocol's headers from an information system:
 * the optional ids (message id, user id, issue) checked against their
 * limits, which end-to-end headers may cross the exchange, and the check
 * of the path a consumer appends to a provider's base URL. */
#include "internal.h"

#include <string.h>
#include <strings.h>

static bool msgid_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == ':';
}

static bool no_controls(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

int xr_meta_ids(struct xr_meta *m, const char *id, const char *user_id, const char *issue, enum xr_fault *fault,
                struct pc_err *err)
{
    *fault = XR_FAULT_INVALID_HEADER;
    if (id) {
        size_t n = strlen(id);
        if (n == 0 || n > XR_MSGID_MAX)
            return pc_err_set(err, PC_EINVAL, "X-Road-Id must be 1 to %d characters", XR_MSGID_MAX);
        for (size_t i = 0; i < n; i++)
            if (!msgid_char((unsigned char)id[i]))
                return pc_err_set(err, PC_EINVAL, "X-Road-Id may hold only letters, digits and - _ . :");
        memcpy(m->id, id, n + 1);
    } else {
        xr_new_message_id(m->id);
    }
    if (user_id) {
        size_t n = strlen(user_id);
        if (n == 0 || n > XR_USERID_MAX || !no_controls(user_id, n) || !pc_utf8_valid(user_id, n))
            return pc_err_set(err, PC_EINVAL, "X-Road-UserId must be 1 to %d printable characters", XR_USERID_MAX);
        memcpy(m->user_id, user_id, n + 1);
    }
    if (issue) {
        size_t n = strlen(issue);
        if (n == 0 || n > XR_ISSUE_MAX || !no_controls(issue, n) || !pc_utf8_valid(issue, n))
            return pc_err_set(err, PC_EINVAL, "X-Road-Issue must be 1 to %d printable characters", XR_ISSUE_MAX);
        memcpy(m->issue, issue, n + 1);
    }
    *fault = XR_FAULT_NONE;
    return 0;
}

void xr_new_message_id(char out[XR_MSGID_MAX + 1])
{
    unsigned char b[16];
    pc_random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* a version 4 UUID */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[b[i] >> 4];
        out[k++] = hex[b[i] & 15];
    }
    out[k] = 0;
}

/* Is name one of the comma-separated tokens of list? */
static bool listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if ((size_t)(t - p) == n && strncasecmp(p, name, n) == 0)
            return true;
        p = e;
    }
    return false;
}

bool xr_header_forwardable(const char *name, const char *connection)
{
    static const char *const never[] = {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "TE",
        "Trailer", "Trailers", "Transfer-Encoding", "Upgrade", "Host", "User-Agent", "Server", "Content-Length",
        "Content-Type", "Expect", "Cookie", "Set-Cookie", "Authorization", "Forwarded", "Via", "Date",
        /* our server's own answer headers */
        "Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
        "Strict-Transport-Security", "Cache-Control", "Vary", "Content-Encoding", "Permissions-Policy",
        "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy", "Retry-After"};
    if (!name || !*name || strncasecmp(name, "X-Road-", 7) == 0 || strncasecmp(name, "X-Forwarded-", 12) == 0)
        return false;
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (strcasecmp(name, never[i]) == 0)
            return false;
    return !listed(connection, name);
}

int xr_rest_path_check(const char *rest, struct pc_err *err)
{
    const char *q = strchr(rest, '?');
    size_t plen = q ? (size_t)(q - rest) : strlen(rest);
    if (!no_controls(rest, strlen(rest)) || memchr(rest, '\\', strlen(rest)) || strchr(rest, ' '))
        return pc_err_set(err, PC_EINVAL, "the path holds a control character, a space or a backslash");
    if (plen && rest[0] != '/')
        return pc_err_set(err, PC_EINVAL, "the path after the service id must start with /");
    /* each segment, decoded, must not be "." or ".." (nor hold '/' or '\' in escapes) */
    for (size_t i = 0; i < plen;) {
        size_t j = i + 1;
        while (j < plen && rest[j] != '/')
            j++;
        char seg[8];
        size_t k = 0;
        bool dots = true;
        for (size_t p = i + 1; p < j; p++) {
            char c = rest[p];
            if (c == '%' && p + 2 < j) {
                char h[3] = {rest[p + 1], rest[p + 2], 0};
                if (strcasecmp(h, "2e") == 0)
                    c = '.';
                else if (strcasecmp(h, "2f") == 0 || strcasecmp(h, "5c") == 0 || strcasecmp(h, "00") == 0)
                    return pc_err_set(err, PC_EINVAL, "an encoded slash, backslash or NUL in the path");
                else
                    c = 'x';
                p += 2;
            }
            if (c != '.')
                dots = false;
            if (k < sizeof seg)
                seg[k++] = c;
        }
        if (dots && k > 0 && k <= 2)
            return pc_err_set(err, PC_EINVAL, "a . or .. segment in the path");
        i = j;
    }
    return 0;
}

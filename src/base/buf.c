/* buf.c — growable, length-tracked, always NUL-terminated byte buffers
 * with a hard maximum, plus the escaping helpers built on them. */
#include "base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char empty_string[1];

void pc_buf_init(struct pc_buf *b, size_t max)
{
    b->data = empty_string;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : PC_BUF_DEFAULT_MAX;
    b->toobig = false;
}

void pc_buf_release(struct pc_buf *b)
{
    if (b->cap)
        free(b->data);
    pc_buf_init(b, b->max);
}

void pc_buf_reset(struct pc_buf *b)
{
    b->len = 0;
    b->toobig = false;
    if (b->cap)
        b->data[0] = 0;
}

static int grow(struct pc_buf *b, size_t need)
{
    if (b->toobig)
        return PC_ETOOBIG;
    if (need > b->max || need < b->len) {
        b->toobig = true;
        return PC_ETOOBIG;
    }
    if (need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need + 1)
        cap *= 2;
    char *p = realloc(b->cap ? b->data : NULL, cap);
    if (!p) {
        b->toobig = true;
        return PC_ENOMEM;
    }
    if (!b->cap)
        p[0] = 0;
    b->data = p;
    b->cap = cap;
    return 0;
}

int pc_buf_append(struct pc_buf *b, const void *p, size_t n)
{
    int rc = grow(b, b->len + n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int pc_buf_puts(struct pc_buf *b, const char *s)
{
    return pc_buf_append(b, s, strlen(s));
}

int pc_buf_putc(struct pc_buf *b, char c)
{
    return pc_buf_append(b, &c, 1);
}

int pc_buf_vprintf(struct pc_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return PC_EINVAL;
    int rc = grow(b, b->len + (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int pc_buf_printf(struct pc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = pc_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int pc_buf_html_n(struct pc_buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        pc_buf_append(b, s + start, i - start);
        pc_buf_puts(b, rep);
        start = i + 1;
    }
    return pc_buf_append(b, s + start, n - start);
}

int pc_buf_html(struct pc_buf *b, const char *s)
{
    return s ? pc_buf_html_n(b, s, strlen(s)) : 0;
}

int pc_buf_urlencode(struct pc_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            pc_buf_putc(b, (char)*p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            pc_buf_append(b, e, 3);
        }
    }
    return b->toobig ? PC_ETOOBIG : 0;
}

int pc_buf_json_str(struct pc_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = 0, i;
    for (i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        pc_buf_append(b, s + start, i - start);
        switch (c) {
        case '"': pc_buf_puts(b, "\\\""); break;
        case '\\': pc_buf_puts(b, "\\\\"); break;
        case '\n': pc_buf_puts(b, "\\n"); break;
        case '\r': pc_buf_puts(b, "\\r"); break;
        case '\t': pc_buf_puts(b, "\\t"); break;
        default: {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            pc_buf_append(b, e, 6);
        }
        }
        start = i + 1;
    }
    return pc_buf_append(b, s + start, i - start);
}

char *pc_buf_steal(struct pc_buf *b, size_t *len)
{
    char *p;
    if (b->cap) {
        p = b->data;
    } else {
        p = malloc(1);
        if (p)
            p[0] = 0;
    }
    if (len)
        *len = b->len;
    pc_buf_init(b, b->max);
    return p;
}

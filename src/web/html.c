/* html.c — the HTML writer: escaping by default, raw output only when
 * asked for. */
#include "internal.h"

void web_html(struct http_req *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct pc_buf *b = &r->out;
    const char *p = fmt, *start = fmt;
    while (*p) {
        if (*p != '%') {
            p++;
            continue;
        }
        pc_buf_append(b, start, (size_t)(p - start));
        switch (p[1]) {
        case 's': pc_buf_html(b, va_arg(ap, const char *)); break;
        case 'r': { const char *s = va_arg(ap, const char *); if (s) pc_buf_puts(b, s); break; }
        case 'q': { const char *s = va_arg(ap, const char *); if (s) pc_buf_urlencode(b, s); break; }
        case 'd': pc_buf_printf(b, "%d", va_arg(ap, int)); break;
        case 'L': pc_buf_printf(b, "%lld", va_arg(ap, long long)); break;
        case '%': pc_buf_putc(b, '%'); break;
        default: pc_buf_putc(b, '%'); p--; break; /* unknown: keep literally */
        }
        p += 2;
        start = p;
    }
    pc_buf_append(b, start, (size_t)(p - start));
    va_end(ap);
}

/* compress.c — gzip of text answers (nginx's gzip filter): which answers
 * are text, whether the client takes gzip, and the one deflate call used
 * both for answers and for the micro-cache's stored copy. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

bool http__is_text(const char *ct)
{
    return ct && (pc_str_has_prefix(ct, "text/") || strstr(ct, "json") || strstr(ct, "xml") ||
                  strstr(ct, "javascript") || strstr(ct, "yaml") || strstr(ct, "svg"));
}

/* Accept-Encoding lists codings with optional weights: "gzip;q=0" refuses. */
bool http__accepts_gzip(struct http_req *r)
{
    const char *ae = http_header(r, "Accept-Encoding");
    for (const char *p = ae; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        if ((n >= 4 && strncasecmp(p, "gzip", 4) == 0 && (n == 4 || p[4] == ';' || p[4] == ' ')) ||
            (n >= 1 && p[0] == '*' && (n == 1 || p[1] == ';' || p[1] == ' '))) {
            const char *q = memchr(p, ';', n);
            if (!q)
                return true;
            const char *eq = strstr(q, "q=");
            if (!eq || eq > p + n)
                return true;
            return strtod(eq + 2, NULL) > 0.0;
        }
        p += n;
    }
    return false;
}

int http__gzip(const void *p, size_t n, struct pc_buf *out)
{
    z_stream z = {0};
    if (deflateInit2(&z, 5, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return PC_EIO;
    pc_buf_reset(out);
    unsigned char chunk[16384];
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    int zrc;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        zrc = deflate(&z, Z_FINISH);
        if (zrc == Z_STREAM_ERROR)
            break;
        pc_buf_append(out, chunk, sizeof chunk - z.avail_out);
    } while (zrc != Z_STREAM_END && !out->toobig);
    deflateEnd(&z);
    if (out->toobig)
        return PC_ETOOBIG;
    return zrc == Z_STREAM_END ? 0 : PC_EIO;
}

/* parse.c — parsers for what arrives from outside in a request line and
 * headers: percent-encoding, paths, query strings and urlencoded forms,
 * cookies.
 * No libmicrohttpd here, so unit tests and fuzzers drive them directly. */
#include "http.h"

#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int http_url_decode(struct pc_arena *a, const char *s, size_t n, bool plus_is_space, char **out)
{
    char *d = pc_arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return PC_EINVAL;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return PC_EINVAL;
            c = (char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == 0)
            return PC_EINVAL;
        d[o++] = c;
    }
    d[o] = 0;
    if (!pc_utf8_valid(d, o))
        return PC_EINVAL;
    *out = d;
    return 0;
}

/* No control characters: bytes below 0x20 and DEL. */
static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

int http_path_decode(struct pc_arena *a, const char *s, size_t n, char **out)
{
    char *p;
    int rc = http_url_decode(a, s, n, false, &p);
    if (rc)
        return rc;
    if (!printable(p))
        return PC_EINVAL;
    *out = p;
    return 0;
}

const char *http_path_clean(struct pc_arena *a, const char *path)
{
    size_t n = strlen(path);
    char *out = pc_arena_alloc(a, n + 2);
    size_t o = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        size_t len = strcspn(p, "/");
        if (len == 0)
            break;
        if (len == 1 && p[0] == '.') {
            /* "." is this folder */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            while (o > 0 && out[--o] != '/')
                ;
        } else {
            out[o++] = '/';
            memcpy(out + o, p, len);
            o += len;
        }
        p += len;
    }
    /* keep a trailing slash ("/services/" is not "/services") */
    if (o == 0 || (n > 0 && path[n - 1] == '/'))
        out[o++] = '/';
    out[o] = 0;
    return out;
}

int http_kv_push(struct pc_arena *a, struct http_kvlist *l, size_t max, const char *k, const char *v)
{
    if (l->n >= max)
        return PC_ETOOBIG;
    if (!l->items) {
        l->items = pc_arena_alloc(a, max * sizeof *l->items);
    }
    l->items[l->n].key = k;
    l->items[l->n].value = v;
    l->n++;
    return 0;
}

int http_parse_urlencoded(struct pc_arena *a, const char *s, size_t n, struct http_kvlist *out)
{
    out->items = NULL;
    out->n = 0;
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && s[end] != '&')
            end++;
        if (end > i) {
            size_t eq = i;
            while (eq < end && s[eq] != '=')
                eq++;
            char *k, *v;
            int rc = http_url_decode(a, s + i, eq - i, true, &k);
            if (rc)
                return rc;
            if (eq < end)
                rc = http_url_decode(a, s + eq + 1, end - eq - 1, true, &v);
            else
                v = pc_arena_strdup(a, "");
            if (rc)
                return rc;
            if (!v)
                return PC_ENOMEM;
            if ((rc = http_kv_push(a, out, HTTP_MAX_PARAMS, k, v)))
                return rc;
        }
        i = end + 1;
    }
    return 0;
}


int http_parse_cookies(struct pc_arena *a, const char *s, size_t n, struct http_kvlist *out)
{
    out->items = NULL;
    out->n = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t end = i;
        while (end < n && s[end] != ';')
            end++;
        size_t eq = i;
        while (eq < end && s[eq] != '=')
            eq++;
        size_t vend = end;
        while (vend > eq + 1 && (s[vend - 1] == ' ' || s[vend - 1] == '\t'))
            vend--;
        if (eq < end && eq > i) {
            const char *v = s + eq + 1;
            size_t vn = vend - eq - 1;
            if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
                v++;
                vn -= 2;
            }
            char *k = pc_arena_strndup(a, s + i, eq - i);
            char *val = pc_arena_strndup(a, v, vn);
            if (!k || !val)
                return PC_ENOMEM;
            /* A cookie we would have to echo must be printable: no control
             * characters (bytes below 0x20, DEL) and valid UTF-8. */
            bool ok = pc_utf8_valid(k, eq - i) && pc_utf8_valid(val, vn) && printable(k) && printable(val);
            if (ok) {
                int rc = http_kv_push(a, out, HTTP_MAX_COOKIES, k, val);
                if (rc)
                    return rc;
            }
        }
        i = end + 1;
    }
    return 0;
}

const char *http_kv_get(const struct http_kvlist *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return l->items[i].value;
    return NULL;
}

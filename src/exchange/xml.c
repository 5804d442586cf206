/* xml.c — a small XML reader for SOAP messages: elements with their
 * namespaces resolved, text with the five predefined entities and
 * character references decoded, comments and processing instructions
 * skipped, CDATA kept as text.  A DOCTYPE is refused, so neither entity
 * expansion nor external resources can be asked for (the attacks a
 * general parser must be configured against).  Depth and node counts are
 * bounded; attributes other than namespace declarations are skipped. */
#include "internal.h"

#include <string.h>

struct ns {
    const char *prefix, *uri;   /* prefix "" is the default namespace */
    struct ns *next;
};

struct rd {
    struct pc_arena *a;
    const char *start, *s, *end;
    int nodes;
    struct pc_err *err;
};

static int bad(struct rd *r, const char *what)
{
    return pc_err_set(r->err, PC_EINVAL, "XML: %s at byte %ld", what, (long)(r->s - r->start));
}

static bool name_char(unsigned char c)
{
    return c >= 0x80 || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':';
}

static void skip_ws(struct rd *r)
{
    while (r->s < r->end && (*r->s == ' ' || *r->s == '\t' || *r->s == '\r' || *r->s == '\n'))
        r->s++;
}

static bool starts(struct rd *r, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(r->end - r->s) >= n && memcmp(r->s, lit, n) == 0;
}

/* Skip to just after lit; false when it never comes. */
static bool skip_past(struct rd *r, const char *lit)
{
    size_t n = strlen(lit);
    for (const char *p = r->s; p + n <= r->end; p++)
        if (memcmp(p, lit, n) == 0) {
            r->s = p + n;
            return true;
        }
    return false;
}

static const char *read_name(struct rd *r, size_t *len)
{
    const char *p = r->s;
    while (r->s < r->end && name_char((unsigned char)*r->s))
        r->s++;
    *len = (size_t)(r->s - p);
    return *len ? p : NULL;
}

static void put_utf8(struct pc_buf *b, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    pc_buf_append(b, u, n);
}

/* Decode p[0..n) (text or an attribute value) into b. */
static int decode(struct rd *r, const char *p, size_t n, struct pc_buf *b)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '&') {
            if (p[i] == '<')
                return bad(r, "'<' in a value");
            pc_buf_putc(b, p[i]);
            continue;
        }
        const char *semi = memchr(p + i, ';', n - i);
        if (!semi || semi - (p + i) > 12)
            return bad(r, "an unterminated reference");
        size_t len = (size_t)(semi - (p + i)) - 1;
        const char *e = p + i + 1;
        static const struct { const char *name, *ch; } ents[] = {
            {"lt", "<"}, {"gt", ">"}, {"amp", "&"}, {"quot", "\""}, {"apos", "'"}};
        bool done = false;
        for (size_t k = 0; k < 5 && !done; k++)
            if (strlen(ents[k].name) == len && memcmp(e, ents[k].name, len) == 0) {
                pc_buf_puts(b, ents[k].ch);
                done = true;
            }
        if (!done && len >= 2 && e[0] == '#') {
            bool hex = e[1] == 'x';
            unsigned long cp = 0;
            size_t k = hex ? 2 : 1;
            if (k == len)
                return bad(r, "an empty character reference");
            for (; k < len; k++) {
                char c = e[k];
                int d = c >= '0' && c <= '9' ? c - '0'
                        : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (d < 0)
                    return bad(r, "a bad character reference");
                cp = cp * (hex ? 16 : 10) + (unsigned long)d;
                if (cp > 0x10FFFF)
                    return bad(r, "a character reference out of range");
            }
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                return bad(r, "a character reference to no character");
            put_utf8(b, cp);
            done = true;
        }
        if (!done)
            return bad(r, "an unknown entity (only the five predefined ones are read)");
        i = (size_t)(semi - p);
    }
    return 0;
}

static const char *resolve(struct ns *scope, const char *prefix, size_t plen)
{
    for (struct ns *n = scope; n; n = n->next)
        if (strlen(n->prefix) == plen && memcmp(n->prefix, prefix, plen) == 0)
            return n->uri;
    return plen == 0 ? "" : NULL;
}

static int element(struct rd *r, struct xr_xml_node *parent, struct ns *scope, int depth, struct xr_xml_node **out);

/* After '<name': attributes up to '>' or '/>'. */
static int attributes(struct rd *r, struct ns **scope, bool *empty)
{
    for (int count = 0;; count++) {
        skip_ws(r);
        if (r->s >= r->end)
            return bad(r, "an unterminated start tag");
        if (*r->s == '>') {
            r->s++;
            *empty = false;
            return 0;
        }
        if (starts(r, "/>")) {
            r->s += 2;
            *empty = true;
            return 0;
        }
        if (count == 32)
            return bad(r, "more than 32 attributes");
        size_t nlen;
        const char *name = read_name(r, &nlen);
        if (!name)
            return bad(r, "a bad attribute name");
        skip_ws(r);
        if (r->s >= r->end || *r->s != '=')
            return bad(r, "an attribute without a value");
        r->s++;
        skip_ws(r);
        if (r->s >= r->end || (*r->s != '"' && *r->s != '\''))
            return bad(r, "an unquoted attribute value");
        char q = *r->s++;
        const char *v = r->s, *e = memchr(v, q, (size_t)(r->end - v));
        if (!e)
            return bad(r, "an unterminated attribute value");
        r->s = e + 1;
        bool def = nlen == 5 && memcmp(name, "xmlns", 5) == 0;
        if (def || (nlen > 6 && memcmp(name, "xmlns:", 6) == 0)) {
            struct pc_buf b;
            pc_buf_init(&b, 4096);
            int rc = decode(r, v, (size_t)(e - v), &b);
            struct ns *n = pc_arena_alloc(r->a, sizeof *n);
            n->prefix = def ? "" : pc_arena_strndup(r->a, name + 6, nlen - 6);
            n->uri = pc_arena_strndup(r->a, b.data, b.len);
            bool big = b.toobig;
            pc_buf_release(&b);
            if (rc)
                return rc;
            if (big)
                return bad(r, "a namespace name too long");
            n->next = *scope;
            *scope = n;
        }
    }
}

/* The content of an element up to its end tag (name[0..nlen)). */
static int content(struct rd *r, struct xr_xml_node *node, struct ns *scope, int depth, const char *name, size_t nlen)
{
    struct pc_buf text;
    pc_buf_init(&text, 1 << 20);
    struct xr_xml_node **tail = &node->child;
    int rc = 0;
    while (!rc) {
        if (r->s >= r->end) {
            rc = bad(r, "an element without its end tag");
            break;
        }
        if (starts(r, "</")) {
            r->s += 2;
            size_t elen;
            const char *ename = read_name(r, &elen);
            skip_ws(r);
            if (!ename || elen != nlen || memcmp(ename, name, nlen) != 0 || r->s >= r->end || *r->s != '>')
                rc = bad(r, "an end tag that does not match");
            else
                r->s++;
            break;
        }
        if (starts(r, "<!--")) {
            if (!skip_past(r, "-->"))
                rc = bad(r, "an unterminated comment");
            continue;
        }
        if (starts(r, "<![CDATA[")) {
            r->s += 9;
            const char *p = r->s;
            if (!skip_past(r, "]]>"))
                rc = bad(r, "an unterminated CDATA section");
            else
                pc_buf_append(&text, p, (size_t)(r->s - 3 - p));
            continue;
        }
        if (starts(r, "<?")) {
            if (!skip_past(r, "?>"))
                rc = bad(r, "an unterminated processing instruction");
            continue;
        }
        if (starts(r, "<!")) {
            rc = bad(r, "a declaration inside an element");
            break;
        }
        if (*r->s == '<') {
            struct xr_xml_node *child;
            rc = element(r, node, scope, depth + 1, &child);
            if (!rc) {
                *tail = child;
                tail = &child->next;
            }
            continue;
        }
        const char *p = r->s, *lt = memchr(p, '<', (size_t)(r->end - p));
        r->s = lt ? lt : r->end;
        rc = decode(r, p, (size_t)(r->s - p), &text);
    }
    if (!rc && text.toobig)
        rc = bad(r, "text too long");
    if (!rc)
        node->text = pc_arena_strndup(r->a, text.data, text.len);
    pc_buf_release(&text);
    return rc;
}

static int element(struct rd *r, struct xr_xml_node *parent, struct ns *scope, int depth, struct xr_xml_node **out)
{
    if (depth > XR_XML_MAX_DEPTH)
        return bad(r, "elements nested too deep");
    if (++r->nodes > XR_XML_MAX_NODES)
        return bad(r, "too many elements");
    r->s++; /* '<' */
    size_t nlen;
    const char *name = read_name(r, &nlen);
    if (!name)
        return bad(r, "a bad element name");
    bool empty = false;
    int rc = attributes(r, &scope, &empty);
    if (rc)
        return rc;
    const char *colon = memchr(name, ':', nlen);
    size_t plen = colon ? (size_t)(colon - name) : 0;
    const char *uri = resolve(scope, name, plen);
    if (!uri)
        return bad(r, "an undeclared namespace prefix");
    struct xr_xml_node *n = pc_arena_alloc(r->a, sizeof *n);
    n->ns = uri;
    n->name = colon ? pc_arena_strndup(r->a, colon + 1, nlen - plen - 1) : pc_arena_strndup(r->a, name, nlen);
    n->text = "";
    n->parent = parent;
    *out = n;
    return empty ? 0 : content(r, n, scope, depth, name, nlen);
}

int xr_xml_parse(struct pc_arena *a, const char *s, size_t n, struct xr_xml_node **root, struct pc_err *err)
{
    struct rd r = {a, s, s, s + n, 0, err};
    if (!pc_utf8_valid(s, n))
        return pc_err_set(err, PC_EINVAL, "XML: not valid UTF-8");
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        r.s += 3;
    *root = NULL;
    for (;;) {
        skip_ws(&r);
        if (r.s >= r.end)
            return *root ? 0 : bad(&r, "no element");
        if (starts(&r, "<?")) {
            if (!skip_past(&r, "?>"))
                return bad(&r, "an unterminated declaration");
        } else if (starts(&r, "<!--")) {
            if (!skip_past(&r, "-->"))
                return bad(&r, "an unterminated comment");
        } else if (starts(&r, "<!")) {
            return bad(&r, "a DOCTYPE or declaration (not accepted)");
        } else if (*r.s == '<' && !*root) {
            int rc = element(&r, NULL, NULL, 1, root);
            if (rc)
                return rc;
        } else {
            return bad(&r, *root ? "content after the root element" : "text before the root element");
        }
    }
}

struct xr_xml_node *xr_xml_child(struct xr_xml_node *n, const char *ns, const char *name)
{
    for (struct xr_xml_node *c = n ? n->child : NULL; c; c = c->next)
        if (strcmp(c->name, name) == 0 && strcmp(c->ns, ns) == 0)
            return c;
    return NULL;
}

struct xr_xml_node *xr_xml_first(struct xr_xml_node *n)
{
    return n ? n->child : NULL;
}

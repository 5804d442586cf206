/* id.c — the exchange layer's identifiers, X-Road style: a member is
 * INSTANCE/CLASS/CODE, a client or a gateway adds a fourth part (the
 * subsystem or the server's code), a service a fifth, a global group is
 * INSTANCE/GROUP.  Parts use the characters A–Z a–z 0–9 ' ( ) + , - . = ?
 * and may arrive percent-encoded (REST paths and headers); they are kept
 * decoded in fixed arrays, so an identifier is a plain value. */
#include "internal.h"

#include <string.h>

static const char *const kind_names[] = {"member", "client", "subsystem", "gateway", "service", "group"};

const char *xr_id_kind_name(enum xr_id_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "identifier";
}

bool xr_id_char_ok(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("'()+,-.=?", c) != NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One part s[0..n) into out (decoded when pct). */
static int part(const char *s, size_t n, bool pct, char out[XR_PART_MAX + 1], const char *what, struct pc_err *err)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (pct && c == '%') {
            int h = i + 2 < n ? hexval(s[i + 1]) : -1, l = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (h < 0 || l < 0)
                return pc_err_set(err, PC_EINVAL, "%s: a bad percent escape", what);
            c = (unsigned char)(h * 16 + l);
            i += 2;
        }
        if (!xr_id_char_ok(c))
            return pc_err_set(err, PC_EINVAL, "%s: the character 0x%02x is not allowed in an identifier", what, c);
        if (k == XR_PART_MAX)
            return pc_err_set(err, PC_EINVAL, "%s: a part is longer than %d characters", what, XR_PART_MAX);
        out[k++] = (char)c;
    }
    if (k == 0)
        return pc_err_set(err, PC_EINVAL, "%s: an empty part", what);
    out[k] = 0;
    return 0;
}

/* How many parts each kind has (a client: 3 or 4). */
static void parts_of(enum xr_id_kind k, int *min, int *max)
{
    switch (k) {
    case XR_ID_MEMBER: *min = *max = 3; break;
    case XR_ID_CLIENT: *min = 3; *max = 4; break;
    case XR_ID_SUBSYSTEM:
    case XR_ID_GATEWAY: *min = *max = 4; break;
    case XR_ID_SERVICE: *min = *max = 5; break;
    default: *min = *max = 2; break;   /* XR_ID_GROUP */
    }
}

int xr_id_parse(const char *s, size_t n, enum xr_id_kind kind, bool pct, struct xr_id *out, struct pc_err *err)
{
    const char *what = xr_id_kind_name(kind);
    memset(out, 0, sizeof *out);
    if (!s || n == 0)
        return pc_err_set(err, PC_EINVAL, "%s: missing", what);
    if (n > (pct ? 3 : 1) * (size_t)XR_ID_MAX)
        return pc_err_set(err, PC_EINVAL, "%s: longer than %d characters", what, XR_ID_MAX);
    int min, max;
    parts_of(kind, &min, &max);
    char *slots[5];
    if (kind == XR_ID_GROUP) {
        slots[0] = out->instance;
        slots[1] = out->code;
    } else {
        slots[0] = out->instance;
        slots[1] = out->cls;
        slots[2] = out->member;
        slots[3] = kind == XR_ID_GATEWAY ? out->code : out->subsystem;
        slots[4] = out->code;
    }
    int np = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '/')
            continue;
        if (np == max)
            return pc_err_set(err, PC_EINVAL, "%s: more than %d parts", what, max);
        int rc = part(s + start, i - start, pct, slots[np], what, err);
        if (rc)
            return rc;
        np++;
        start = i + 1;
    }
    if (np < min)
        return pc_err_set(err, PC_EINVAL, "%s: %d parts where %s%d are needed", what, np, min == max ? "" : "at least ",
                          min);
    out->kind = kind == XR_ID_CLIENT ? (np == 4 ? XR_ID_SUBSYSTEM : XR_ID_MEMBER) : kind;
    if (out->kind != XR_ID_GROUP && !xr_member_class_known(out->cls))
        return pc_err_set(err, PC_EINVAL, "%s: unknown member class %s", what, out->cls);
    return 0;
}

int xr_id_parse_str(const char *s, enum xr_id_kind kind, struct xr_id *out, struct pc_err *err)
{
    return xr_id_parse(s, s ? strlen(s) : 0, kind, false, out, err);
}

static void put(struct pc_buf *b, const char *p, bool pct)
{
    if (!pct) {
        pc_buf_puts(b, p);
        return;
    }
    for (; *p; p++) {
        /* '?', '=', '+' and ',' mean something in a URL: escape them */
        if (strchr("?=+,'()", *p))
            pc_buf_printf(b, "%%%02X", (unsigned char)*p);
        else
            pc_buf_putc(b, *p);
    }
}

void xr_id_write(struct pc_buf *b, const struct xr_id *id, bool pct)
{
    put(b, id->instance, pct);
    if (id->kind == XR_ID_GROUP) {
        pc_buf_putc(b, '/');
        put(b, id->code, pct);
        return;
    }
    const char *rest[] = {id->cls, id->member,
                          id->kind == XR_ID_GATEWAY ? id->code : id->subsystem,
                          id->kind == XR_ID_SERVICE ? id->code : ""};
    for (size_t i = 0; i < 4; i++) {
        if (!rest[i][0])
            break;
        pc_buf_putc(b, '/');
        put(b, rest[i], pct);
    }
}

const char *xr_id_str(struct pc_arena *a, const struct xr_id *id)
{
    struct pc_buf b;
    pc_buf_init(&b, 4 * XR_ID_MAX);
    xr_id_write(&b, id, false);
    char *s = pc_arena_strndup(a, b.data, b.len);
    pc_buf_release(&b);
    return s;
}

bool xr_id_eq(const struct xr_id *x, const struct xr_id *y)
{
    return x->kind == y->kind && strcmp(x->instance, y->instance) == 0 && strcmp(x->cls, y->cls) == 0 &&
           strcmp(x->member, y->member) == 0 && strcmp(x->subsystem, y->subsystem) == 0 &&
           strcmp(x->code, y->code) == 0;
}

void xr_id_member(const struct xr_id *id, struct xr_id *member)
{
    memset(member, 0, sizeof *member);
    member->kind = XR_ID_MEMBER;
    memcpy(member->instance, id->instance, sizeof member->instance);
    memcpy(member->cls, id->cls, sizeof member->cls);
    memcpy(member->member, id->member, sizeof member->member);
}

void xr_id_provider(const struct xr_id *service, struct xr_id *client)
{
    *client = *service;
    client->kind = XR_ID_SUBSYSTEM;
    memset(client->code, 0, sizeof client->code);
}

/* ---- member classes ----------------------------------------------------- */

static const char *const classes[] = {"GOV", "COM", "NGO", "PRIV"};

bool xr_member_class_known(const char *cls)
{
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (strcmp(cls, classes[i]) == 0)
            return true;
    return false;
}

/* ---- the REST target: /r1/{service id}[/path][?query] ---------------------- */

int xr_target_parse(const char *target, struct xr_id *service, const char **rest, struct pc_err *err)
{
    if (!pc_str_has_prefix(target, "/r1/"))
        return pc_err_set(err, PC_EINVAL, "the target does not start with /r1/");
    const char *p = target + 4, *end = p;
    int slashes = 0;
    /* the service id is the first five segments; the rest goes to the provider */
    while (*end && *end != '?' && *end != '#') {
        if (*end == '/' && ++slashes == 5)
            break;
        end++;
    }
    int rc = xr_id_parse(p, (size_t)(end - p), XR_ID_SERVICE, true, service, err);
    if (rc)
        return rc;
    if (*end == '#')
        return pc_err_set(err, PC_EINVAL, "a fragment in the target");
    *rest = end;
    return 0;
}

int xr_id_parse_subject(const char *s, struct xr_id *out, struct pc_err *err)
{
    bool two_parts = s && strchr(s, '/') && strchr(s, '/') == strrchr(s, '/');
    return xr_id_parse_str(s, two_parts ? XR_ID_GROUP : XR_ID_CLIENT, out, err);
}

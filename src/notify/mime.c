/* mime.c — one e-mail as the bytes SMTP carries: RFC 5322 headers (Date,
 * Message-ID, From, To, Subject as RFC 2047 encoded words when not plain
 * ASCII), MIME 1.0 with a text/plain UTF-8 body in quoted-printable, CRLF
 * line ends, no line over 78 characters. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void nt_base64(struct pc_buf *out, const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        char q[4] = {b64chars[v >> 18], b64chars[(v >> 12) & 63], b64chars[(v >> 6) & 63], b64chars[v & 63]};
        pc_buf_append(out, q, 4);
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)s[i] << 16;
        char q[4] = {b64chars[v >> 18], b64chars[(v >> 12) & 63], '=', '='};
        pc_buf_append(out, q, 4);
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
        char q[4] = {b64chars[v >> 18], b64chars[(v >> 12) & 63], b64chars[(v >> 6) & 63], '='};
        pc_buf_append(out, q, 4);
    }
}

/* ---- quoted-printable ----------------------------------------------- */

/* One source line (without its line end) as QP lines of at most 76
 * characters: soft breaks ("=" CRLF) never split an =XX triplet. */
static void qp_line(struct pc_buf *out, const unsigned char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = s[i];
        bool last = i + 1 == n;
        bool literal = (ch >= 33 && ch <= 126 && ch != '=') || ((ch == ' ' || ch == '\t') && !last);
        if (ch == '.' && col == 0)
            literal = false;  /* a line "." would end the SMTP DATA */
        if (ch == 'F' && col == 0 && n - i >= 5 && memcmp(s + i, "From ", 5) == 0)
            literal = false;  /* mbox readers would quote it otherwise */
        size_t w = literal ? 1 : 3;
        /* keep room for a soft break "=" unless this is the line's end */
        if (col + w > (last ? 76u : 75u)) {
            pc_buf_puts(out, "=\r\n");
            col = 0;
            if (ch == '.')
                literal = false, w = 3;
        }
        if (literal) {
            pc_buf_putc(out, (char)ch);
        } else {
            char t[3] = {'=', hex[ch >> 4], hex[ch & 15]};
            pc_buf_append(out, t, 3);
        }
        col += w;
    }
}

void nt_qp_encode(struct pc_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
        const unsigned char *stop = nl ? nl : end;
        size_t len = (size_t)(stop - p);
        if (len && p[len - 1] == '\r')
            len--;
        qp_line(out, p, len);
        if (!nl)
            break;
        pc_buf_puts(out, "\r\n");
        p = nl + 1;
    }
}

/* ---- headers ---------------------------------------------------------- */

static bool is_ascii_printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

/* Length in bytes of the longest prefix of s (at most max bytes) that
 * ends on a UTF-8 character boundary. */
static size_t utf8_prefix(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* RFC 2047 "B" encoded words for UTF-8 text, one per line, each line at
 * most 78 characters: the first follows `used` characters already on
 * its line, later ones follow the folding space.  A word never splits a
 * UTF-8 character. */
static void encoded_words(struct pc_buf *out, size_t used, const char *value, size_t n)
{
    size_t off = 0;
    bool first = true;
    while (off < n || first) {
        /* "=?UTF-8?B?" + base64 + "?=": 12 characters around 4 per 3 bytes */
        size_t room = 78 - (first ? used : 1) - 12;
        size_t k = utf8_prefix(value + off, n - off, room / 4 * 3);
        if (k == 0 && off < n)
            k = 1; /* invalid UTF-8: never loop */
        if (!first)
            pc_buf_puts(out, "\r\n ");
        pc_buf_puts(out, "=?UTF-8?B?");
        nt_base64(out, value + off, k);
        pc_buf_puts(out, "?=");
        off += k;
        first = false;
    }
}

/* Header `name: value` where value is UTF-8 text: as is when it is short
 * printable ASCII, else as encoded words. */
static void text_header(struct pc_buf *out, const char *name, const char *value)
{
    size_t n = strlen(value);
    pc_buf_printf(out, "%s: ", name);
    if (is_ascii_printable(value) && strlen(name) + 2 + n <= 78)
        pc_buf_append(out, value, n);
    else
        encoded_words(out, strlen(name) + 2, value, n);
    pc_buf_puts(out, "\r\n");
}

bool nt_address_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 254)
        return false;
    const char *at = NULL;
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= 0x20 || ch == 0x7f || strchr("<>()[]\\,;:\"", ch))
            return false;
        if (ch == '@') {
            if (at)
                return false;
            at = p;
        }
    }
    return at && at != s && at[1] != 0;
}

int nt_parse_mailbox(struct pc_arena *a, const char *s, const char **name, const char **addr)
{
    *name = NULL;
    *addr = NULL;
    if (!s)
        return PC_EINVAL;
    const char *lt = strchr(s, '<');
    if (!lt) {
        if (!nt_address_ok(s))
            return PC_EINVAL;
        *addr = pc_arena_strdup(a, s);
        return 0;
    }
    const char *gt = strchr(lt, '>');
    if (!gt || gt[1] != 0)
        return PC_EINVAL;
    char *ad = pc_arena_strndup(a, lt + 1, (size_t)(gt - lt - 1));
    if (!ad || !nt_address_ok(ad))
        return PC_EINVAL;
    const char *b = s, *e = lt;
    while (b < e && *b == ' ')
        b++;
    while (e > b && e[-1] == ' ')
        e--;
    if (e > b && *b == '"' && e[-1] == '"' && e - b >= 2)
        b++, e--;
    for (const char *p = b; p < e; p++)
        if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
            return PC_EINVAL;
    *name = e > b ? pc_arena_strndup(a, b, (size_t)(e - b)) : NULL;
    *addr = ad;
    return 0;
}

void nt_rfc5322_date(int64_t t, char out[32])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char buf[80];
    snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    snprintf(out, 32, "%.31s", buf);
}

/* From: with the display name quoted or encoded as needed. */
static int from_header(struct pc_buf *out, const char *from)
{
    struct pc_arena a;
    pc_arena_init(&a);
    const char *name, *addr;
    int rc = nt_parse_mailbox(&a, from, &name, &addr);
    if (!rc) {
        if (!name) {
            pc_buf_printf(out, "From: %s\r\n", addr);
        } else if (is_ascii_printable(name)) {
            pc_buf_printf(out, "From: \"%s\" <%s>\r\n", name, addr);
        } else {
            pc_buf_puts(out, "From: ");
            encoded_words(out, 6, name, strlen(name));
            pc_buf_printf(out, "\r\n <%s>\r\n", addr);
        }
    }
    pc_arena_release(&a);
    return rc;
}

int nt_mime_build(const struct nt_mail *m, struct pc_buf *out)
{
    if (!nt_address_ok(m->to) || !m->message_id || strpbrk(m->message_id, "<> \r\n"))
        return PC_EINVAL;
    char date[32];
    nt_rfc5322_date(m->date, date);
    pc_buf_printf(out, "Date: %s\r\n", date);
    if (from_header(out, m->from))
        return PC_EINVAL;
    pc_buf_printf(out, "To: %s\r\n", m->to);
    text_header(out, "Subject", m->subject ? m->subject : "");
    pc_buf_printf(out, "Message-ID: <%s>\r\n", m->message_id);
    pc_buf_puts(out, "MIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=UTF-8\r\n"
                     "Content-Transfer-Encoding: quoted-printable\r\n");
    if (m->lang && *m->lang && strspn(m->lang, "abcdefghijklmnopqrstuvwxyz-") == strlen(m->lang))
        pc_buf_printf(out, "Content-Language: %s\r\n", m->lang);
    pc_buf_puts(out, "Auto-Submitted: auto-generated\r\n\r\n");
    const char *body = m->body ? m->body : "";
    nt_qp_encode(out, body, strlen(body));
    if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
        pc_buf_puts(out, "\r\n");
    return out->toobig ? PC_ENOMEM : 0;
}

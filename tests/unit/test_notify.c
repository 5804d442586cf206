/* test_notify.c — unit tests of src/notify: every template in every
 * language renders with its sample payload and leaves no placeholder,
 * SMS lengths, the e-mail format (headers, encoded words, quoted-printable,
 * CRLF, line lengths), gateway status codes, back-off, configuration
 * checks, and the queue in the database (lease, claim, results, recovery)
 * on a temporary SQLite file and, when PENCERE_TEST_PG_URL holds a
 * PostgreSQL admin URL, on a fresh PostgreSQL database. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/notify/internal.h"
#include "../../src/cases/cases.h"
#include "fixture.h"

static const char *const LANGS[] = {"az", "en", "ru"};

/* ---- helpers ----------------------------------------------------------- */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode quoted-printable (CRLF line ends, soft breaks) back to text with
 * '\n' line ends. */
static char *qp_decode(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=' && i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 2;
        } else if (s[i] == '=' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            *o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
            /* CRLF → \n */
        } else {
            *o++ = s[i];
        }
    }
    *o = 0;
    return out;
}

static size_t b64_decode(const char *s, size_t n, unsigned char *out)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t k = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        const char *p = strchr(chars, s[i]);
        assert_non_null(p);
        acc = acc << 6 | (uint32_t)(p - chars);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (unsigned char)(acc >> bits);
        }
    }
    return k;
}

/* The unfolded value of header `name` with encoded words decoded. */
static char *header_value(const char *msg, const char *name)
{
    size_t nl = strlen(name);
    const char *p = msg;
    while (*p && !(p[0] == '\r' && p[1] == '\n')) {
        const char *eol = strstr(p, "\r\n");
        if (strncmp(p, name, nl) == 0 && p[nl] == ':') {
            char *out = calloc(1, 4096);
            size_t k = 0;
            const char *v = p + nl + 1;
            for (;;) {
                while (*v == ' ')
                    v++;
                if (strncmp(v, "=?UTF-8?B?", 10) == 0) {
                    const char *end = strstr(v + 10, "?=");
                    k += b64_decode(v + 10, (size_t)(end - v - 10), (unsigned char *)out + k);
                    v = end + 2;
                } else {
                    const char *e = strstr(v, "\r\n");
                    memcpy(out + k, v, (size_t)(e - v));
                    k += (size_t)(e - v);
                    v = e;
                }
                if (v[0] == '\r' && v[1] == '\n' && v[2] == ' ')
                    v += 2; /* folded: continue */
                else if (v[0] == '\r')
                    break;
            }
            out[k] = 0;
            return out;
        }
        p = eol + 2;
    }
    return NULL;
}

static void assert_no_placeholder(const char *s, const char *what)
{
    if (strchr(s, '{') || strchr(s, '}'))
        fail_msg("placeholder left in %s: %s", what, s);
}

/* ---- templates ---------------------------------------------------------- */

static void test_every_template_renders_in_every_language(void **state)
{
    (void)state;
    assert_true(nt_template_count() >= 8);
    for (size_t i = 0; i < nt_template_count(); i++) {
        const struct nt_template *t = nt_template_at(i);
        for (int l = 0; l < 3; l++) {
            struct pc_arena a;
            pc_arena_init(&a);
            struct notify_text out;
            struct pc_err err = {0};
            char what[96];
            snprintf(what, sizeof what, "%s/%s/%s", t->id, t->when ? t->when : "-", LANGS[l]);
            if (notify_render(&a, t->id, LANGS[l], t->sample, &out, &err))
                fail_msg("%s does not render: %s", what, err.msg);
            assert_string_equal(out.lang, LANGS[l]);
            /* the row chosen is this one (its `when` matches its sample) */
            size_t fixed = strcspn(t->subject[l], "{");
            assert_true(strncmp(out.subject, t->subject[l], fixed) == 0);
            for (int part = 0; part < 3; part++) {
                const char *s = part == 0 ? out.sms : part == 1 ? out.subject : out.body;
                assert_non_null(s);
                assert_true(strlen(s) > 10);
                assert_true(pc_utf8_valid(s, strlen(s)));
                assert_no_placeholder(s, what);
            }
            assert_null(strchr(out.subject, '\n'));
            assert_null(strchr(out.sms, '\n'));
            assert_non_null(strstr(out.body, "\n-- \nPəncərə"));
            /* every value of the sample shows somewhere (codes, references) */
            const char *ref = strstr(t->sample, "\"reference\":\"");
            if (ref) {
                char r[32];
                snprintf(r, sizeof r, "%.16s", ref + 13);
                assert_non_null(strstr(out.sms, r));
                assert_non_null(strstr(out.subject, r));
                assert_non_null(strstr(out.body, r));
            }
            if (strstr(t->sample, "K7M2P9QXA3")) {
                assert_non_null(strstr(out.sms, "K7M2P9QXA3"));
                assert_non_null(strstr(out.body, "K7M2P9QXA3"));
                assert_null(strstr(out.subject, "K7M2P9QXA3")); /* not in previews */
            }
            pc_arena_release(&a);
        }
    }
}

static void test_required_events_exist(void **state)
{
    (void)state;
    static const char *const need[][2] = {
        {"one-time-code", "purpose=activate"}, {"one-time-code", "purpose=reset"},
        {"application-submitted", NULL}, {"status-changed", NULL}, {"more-info-requested", NULL},
        {"decided", "outcome=approved"}, {"decided", "outcome=refused"}, {"result-ready", NULL},
    };
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
        bool found = false;
        for (size_t i = 0; i < nt_template_count(); i++) {
            const struct nt_template *t = nt_template_at(i);
            if (strcmp(t->id, need[k][0]) == 0 && pc_str_eq(t->when, need[k][1]))
                found = true;
        }
        if (!found)
            fail_msg("no template %s %s", need[k][0], need[k][1] ? need[k][1] : "");
    }
}

static void test_sms_fit_one_part(void **state)
{
    (void)state;
    for (size_t i = 0; i < nt_template_count(); i++) {
        const struct nt_template *t = nt_template_at(i);
        for (int l = 0; l < 3; l++) {
            struct pc_arena a;
            pc_arena_init(&a);
            struct notify_text out;
            struct pc_err err = {0};
            assert_int_equal(notify_render(&a, t->id, LANGS[l], t->sample, &out, &err), 0);
            bool ucs2;
            size_t units;
            int parts = nt_sms_parts(out.sms, &ucs2, &units);
            if (parts != 1)
                fail_msg("%s %s %s: %d parts (%zu %s units): %s", t->id, t->when ? t->when : "", LANGS[l], parts,
                         units, ucs2 ? "UCS-2" : "GSM", out.sms);
            if (l == 1 && ucs2)
                fail_msg("English SMS %s should be plain GSM-7: %s", t->id, out.sms);
            pc_arena_release(&a);
        }
    }
}

static void test_sms_parts_counting(void **state)
{
    (void)state;
    char s[400];
    bool ucs2;
    size_t units;
    memset(s, 'a', 160);
    s[160] = 0;
    assert_int_equal(nt_sms_parts(s, &ucs2, &units), 1);
    assert_false(ucs2);
    s[160] = 'a';
    s[161] = 0;
    assert_int_equal(nt_sms_parts(s, &ucs2, &units), 2);
    assert_int_equal(nt_sms_parts("", NULL, NULL), 0);
    assert_int_equal(nt_sms_parts("€[]", &ucs2, &units), 1);
    assert_false(ucs2);
    assert_int_equal(units, 6); /* the extension table costs two septets */
    /* ə is not in GSM-7: UCS-2, 70 a part, 67 when split */
    s[0] = 0;
    for (int i = 0; i < 70; i++)
        strcat(s, "ə");
    assert_int_equal(nt_sms_parts(s, &ucs2, &units), 1);
    assert_true(ucs2);
    assert_int_equal(units, 70);
    strcat(s, "ə");
    assert_int_equal(nt_sms_parts(s, &ucs2, &units), 2);
    assert_int_equal(nt_sms_parts("Код", &ucs2, &units), 1);
    assert_true(ucs2);
    assert_int_equal(units, 3);
}

static void test_render_errors_and_fallbacks(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct notify_text out;
    struct pc_err err = {0};
    assert_int_equal(notify_render(&a, "no-such-template", "az", "{}", &out, &err), PC_ENOTFOUND);
    assert_int_equal(notify_render(&a, "decided", "az", "{\"reference\":\"X\",\"outcome\":\"maybe\"}", &out, &err),
                     PC_ENOTFOUND);
    assert_int_equal(notify_render(&a, "one-time-code", "az", "{\"purpose\":\"reset\",\"minutes\":30}", &out, &err),
                     PC_EINVAL);
    assert_non_null(strstr(err.msg, "{code}"));
    assert_int_equal(notify_render(&a, "result-ready", "az", "not json", &out, &err), PC_EINVAL);
    assert_int_equal(notify_render(&a, "result-ready", "az", "[1]", &out, &err), PC_EINVAL);
    assert_int_equal(notify_render(&a, "result-ready", "az", NULL, &out, &err), PC_EINVAL);
    /* unknown language: Azerbaijani */
    assert_int_equal(notify_render(&a, "result-ready", "de", "{\"reference\":\"AZ-1\"}", &out, &err), 0);
    assert_string_equal(out.lang, "az");
    assert_non_null(strstr(out.sms, "hazırdır"));
    /* optional values may be missing */
    assert_int_equal(notify_render(&a, "decided", "en", "{\"reference\":\"AZ-1\",\"outcome\":\"refused\"}", &out,
                                   &err), 0);
    assert_non_null(strstr(out.body, "Reason: \n"));
    /* integers fill placeholders too */
    assert_int_equal(notify_render(&a, "one-time-code", "en",
                                   "{\"code\":\"ABC\",\"minutes\":15,\"purpose\":\"activate\"}", &out, &err), 0);
    assert_non_null(strstr(out.sms, "15 min"));
    pc_arena_release(&a);
}

static void test_values_cannot_break_lines_or_headers(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct notify_text out;
    struct pc_err err = {0};
    assert_int_equal(notify_render(&a, "more-info-requested", "en",
                                   "{\"reference\":\"AZ-1\\r\\nBcc: victim@example.org\","
                                   "\"message\":\"line one\\r\\nline two\\u0007\"}", &out, &err), 0);
    assert_null(strchr(out.subject, '\n'));
    assert_null(strchr(out.subject, '\r'));
    assert_null(strchr(out.sms, '\n'));
    assert_non_null(strstr(out.body, "line one\nline two "));
    assert_null(strchr(out.body, '\r'));
    assert_null(strchr(out.body, '\a'));
    pc_arena_release(&a);
}

static void test_status_labels_are_translated(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct notify_text out;
    struct pc_err err = {0};
    /* the words for a state come with the payload, from cases (case_state_notice) */
    char payload[200];
    snprintf(payload, sizeof payload, "{\"reference\":\"AZ-1\",\"status\":\"%s\"}",
             case_state_notice(CS_IN_REVIEW, PC_LANG_AZ));
    assert_int_equal(notify_render(&a, "status-changed", "az", payload, &out, &err), 0);
    assert_non_null(strstr(out.sms, "baxılır"));
    snprintf(payload, sizeof payload, "{\"reference\":\"AZ-1\",\"status\":\"%s\"}",
             case_state_notice(CS_CANCELLED, PC_LANG_RU));
    assert_int_equal(notify_render(&a, "status-changed", "ru", payload, &out, &err), 0);
    assert_non_null(strstr(out.body, "отменено"));
    assert_int_equal(notify_render(&a, "status-changed", "en", "{\"reference\":\"AZ-1\",\"status\":\"new_state\"}",
                                   &out, &err), 0);
    assert_non_null(strstr(out.body, "New status: new_state"));
    pc_arena_release(&a);
}

/* ---- e-mail format -------------------------------------------------------- */

static void test_base64_vectors(void **state)
{
    (void)state;
    static const char *const v[][2] = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
                                       {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct pc_buf b;
        pc_buf_init(&b, 1024);
        nt_base64(&b, v[i][0], strlen(v[i][0]));
        assert_string_equal(b.data, v[i][1]);
        pc_buf_release(&b);
    }
}

static char *qp(const char *s)
{
    struct pc_buf b;
    pc_buf_init(&b, 1 << 20);
    nt_qp_encode(&b, s, strlen(s));
    return pc_buf_steal(&b, NULL);
}

static void assert_qp_lines_ok(const char *enc)
{
    const char *p = enc;
    for (;;) {
        const char *e = strstr(p, "\r\n");
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > 76)
            fail_msg("QP line of %zu characters: %.*s", len, (int)len, p);
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)p[i] > 126 || ((unsigned char)p[i] < 32 && p[i] != '\t'))
                fail_msg("raw byte %02x in QP", (unsigned char)p[i]);
        if (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            fail_msg("trailing white space in QP line");
        if (len && p[0] == '.')
            fail_msg("QP line starting with a dot");
        if (!e)
            break;
        p = e + 2;
    }
    assert_null(strstr(enc, "\n\n")); /* every \n comes with \r */
}

static void test_quoted_printable(void **state)
{
    (void)state;
    char *e = qp("a=b");
    assert_string_equal(e, "a=3Db");
    free(e);
    e = qp("trailing \nnext");
    assert_string_equal(e, "trailing=20\r\nnext");
    free(e);
    e = qp(".\n.hidden");
    assert_string_equal(e, "=2E\r\n=2Ehidden");
    free(e);
    e = qp("Müraciət");
    assert_string_equal(e, "M=C3=BCraci=C9=99t");
    free(e);
    static const char *const samples[] = {
        "x",
        ("Pəncərə portalında parolunuzu bərpa etmək üçün birdəfəlik kodunuz: bu sətir çox uzundur və qırılmalıdır, "
         "çünki yetmiş altı simvoldan artıqdır. Ещё строка по-русски, тоже длинная, с буквами ё и й."),
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=bbbbbbbbbbbbbbb",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.after soft break",
        "ends with tab\t\n\nblank line above\n",
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        e = qp(samples[i]);
        assert_qp_lines_ok(e);
        char *d = qp_decode(e);
        assert_string_equal(d, samples[i]);
        free(d);
        free(e);
    }
}

static void test_mime_message(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct notify_text t;
    struct pc_err err = {0};
    assert_int_equal(notify_render(&a, "one-time-code", "ru",
                                   "{\"code\":\"K7M2P9QXA3\",\"minutes\":30,\"purpose\":\"reset\"}", &t, &err), 0);
    struct nt_mail m = {.from = "Pəncərə portalı <noreply@portal.example.az>", .to = "user@example.az",
                        .subject = t.subject, .body = t.body, .lang = t.lang,
                        .message_id = "0123abcd@portal.example.az", .date = 1795428000};
    struct pc_buf b;
    pc_buf_init(&b, 1 << 20);
    assert_int_equal(nt_mime_build(&m, &b), 0);
    const char *msg = b.data;
    /* every line ends CRLF and is at most 78 characters */
    for (const char *p = msg; *p;) {
        const char *e = strstr(p, "\r\n");
        assert_non_null(e);
        if (e - p > 78)
            fail_msg("line of %d characters: %.*s", (int)(e - p), (int)(e - p), p);
        for (const char *q = p; q < e; q++)
            assert_true(*q != '\n' && *q != '\r' && (unsigned char)*q < 128);
        p = e + 2;
    }
    char *v = header_value(msg, "Subject");
    assert_string_equal(v, t.subject);
    free(v);
    v = header_value(msg, "From");
    assert_string_equal(v, "Pəncərə portalı<noreply@portal.example.az>");
    free(v);
    v = header_value(msg, "Date");
    assert_string_equal(v, "Mon, 23 Nov 2026 10:00:00 +0000");
    free(v);
    v = header_value(msg, "Message-ID");
    assert_string_equal(v, "<0123abcd@portal.example.az>");
    free(v);
    v = header_value(msg, "To");
    assert_string_equal(v, "user@example.az");
    free(v);
    v = header_value(msg, "Content-Type");
    assert_string_equal(v, "text/plain; charset=UTF-8");
    free(v);
    v = header_value(msg, "Content-Transfer-Encoding");
    assert_string_equal(v, "quoted-printable");
    free(v);
    v = header_value(msg, "MIME-Version");
    assert_string_equal(v, "1.0");
    free(v);
    v = header_value(msg, "Content-Language");
    assert_string_equal(v, "ru");
    free(v);
    v = header_value(msg, "Auto-Submitted");
    assert_string_equal(v, "auto-generated");
    free(v);
    const char *body = strstr(msg, "\r\n\r\n");
    assert_non_null(body);
    char *d = qp_decode(body + 4);
    assert_non_null(strstr(d, "K7M2P9QXA3"));
    assert_non_null(strstr(d, "восстановления пароля"));
    free(d);
    /* an ASCII subject stays readable */
    pc_buf_reset(&b);
    m.subject = "Plain subject";
    m.from = "noreply@portal.example.az";
    assert_int_equal(nt_mime_build(&m, &b), 0);
    assert_non_null(strstr(b.data, "\r\nSubject: Plain subject\r\n"));
    assert_non_null(strstr(b.data, "\r\nFrom: noreply@portal.example.az\r\n"));
    /* recipients and ids that could add headers are refused */
    pc_buf_reset(&b);
    m.to = "a@b.az\r\nBcc: x@y.az";
    assert_int_equal(nt_mime_build(&m, &b), PC_EINVAL);
    m.to = "user@example.az";
    m.message_id = "x>\r\nBcc: y";
    assert_int_equal(nt_mime_build(&m, &b), PC_EINVAL);
    pc_buf_release(&b);
    pc_arena_release(&a);
}

static void test_mailboxes_and_addresses(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    const char *name, *addr;
    assert_int_equal(nt_parse_mailbox(&a, "noreply@example.az", &name, &addr), 0);
    assert_null(name);
    assert_string_equal(addr, "noreply@example.az");
    assert_int_equal(nt_parse_mailbox(&a, "  \"Pəncərə\" <noreply@example.az>", &name, &addr), 0);
    assert_string_equal(name, "Pəncərə");
    assert_string_equal(addr, "noreply@example.az");
    assert_int_equal(nt_parse_mailbox(&a, "Portal <noreply@example.az> x", &name, &addr), PC_EINVAL);
    assert_int_equal(nt_parse_mailbox(&a, "Portal <not an address>", &name, &addr), PC_EINVAL);
    assert_int_equal(nt_parse_mailbox(&a, "no-at-sign", &name, &addr), PC_EINVAL);
    assert_int_equal(nt_parse_mailbox(&a, NULL, &name, &addr), PC_EINVAL);
    assert_true(nt_address_ok("a.b+c@example.az"));
    assert_false(nt_address_ok("a@b@c"));
    assert_false(nt_address_ok("@example.az"));
    assert_false(nt_address_ok("user@"));
    assert_false(nt_address_ok("us er@example.az"));
    assert_false(nt_address_ok("<user@example.az>"));
    assert_false(nt_address_ok(""));
    pc_arena_release(&a);
}

/* ---- sending policy ------------------------------------------------------ */

static void test_gateway_status_codes(void **state)
{
    (void)state;
    assert_int_equal(nt_http_outcome(200), NT_DELIVERED);
    assert_int_equal(nt_http_outcome(202), NT_DELIVERED);
    assert_int_equal(nt_http_outcome(204), NT_DELIVERED);
    assert_int_equal(nt_http_outcome(400), NT_PERMANENT);
    assert_int_equal(nt_http_outcome(404), NT_PERMANENT);
    assert_int_equal(nt_http_outcome(422), NT_PERMANENT);
    assert_int_equal(nt_http_outcome(429), NT_TEMPORARY);
    assert_int_equal(nt_http_outcome(408), NT_TEMPORARY);
    assert_int_equal(nt_http_outcome(401), NT_TEMPORARY);
    assert_int_equal(nt_http_outcome(500), NT_TEMPORARY);
    assert_int_equal(nt_http_outcome(503), NT_TEMPORARY);
    assert_int_equal(nt_http_outcome(301), NT_PERMANENT);
}

static void test_sms_json(void **state)
{
    (void)state;
    struct pc_buf b;
    pc_buf_init(&b, 4096);
    nt_sms_json(&b, "+994501234567", "Kod: \"A\\B\"\nyeni sətir", "abc123");
    assert_string_equal(b.data, "{\"to\":\"+994501234567\",\"text\":\"Kod: \\\"A\\\\B\\\"\\nyeni sətir\","
                                "\"id\":\"abc123\"}");
    pc_buf_release(&b);
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(nt_backoff_secs(1, 30, 3600, 0), 30);
    assert_int_equal(nt_backoff_secs(2, 30, 3600, 0), 60);
    assert_int_equal(nt_backoff_secs(3, 30, 3600, 0), 120);
    assert_int_equal(nt_backoff_secs(7, 30, 3600, 0), 1920);
    assert_int_equal(nt_backoff_secs(8, 30, 3600, 0), 3600);
    assert_int_equal(nt_backoff_secs(100, 30, 3600, 0), 3600);
    assert_int_equal(nt_backoff_secs(1, 1, 3600, 0), 1);
    for (uint32_t r = 0; r < 5000; r += 7) {
        int64_t d = nt_backoff_secs(3, 30, 3600, r * 2654435761u);
        assert_true(d >= 120 && d <= 120 + 24);
        d = nt_backoff_secs(40, 30, 3600, r * 2654435761u);
        assert_true(d >= 3600 && d <= 3600 + 720);
    }
}

static void test_redaction(void **state)
{
    (void)state;
    char *r = nt_redact_payload("{\"code\":\"K7M2P9QXA3\",\"minutes\":30,\"purpose\":\"reset\"}");
    assert_non_null(r);
    assert_null(strstr(r, "K7M2P9QXA3"));
    assert_non_null(strstr(r, "\"purpose\":\"reset\""));
    free(r);
    assert_null(nt_redact_payload("{\"reference\":\"AZ-1\"}"));
    assert_null(nt_redact_payload("junk"));
}

static void test_config_checks(void **state)
{
    (void)state;
    struct notify_config c;
    struct pc_err err = {0};
    notify_config_defaults(&c);
    assert_false(notify_config_enabled(&c));
    assert_int_equal(notify_config_check(&c, &err), 0);
    c.sms_url = "http://127.0.0.1:9/sms";
    assert_true(notify_config_enabled(&c));
    assert_int_equal(notify_config_check(&c, &err), 0);
    c.sms_url = "http://user:secret@127.0.0.1:9/sms";
    assert_int_equal(notify_config_check(&c, &err), PC_EINVAL);
    c.sms_url = "ftp://127.0.0.1/";
    assert_int_equal(notify_config_check(&c, &err), PC_EINVAL);
    c.sms_url = "http://127.0.0.1/path with space";
    assert_int_equal(notify_config_check(&c, &err), PC_EINVAL);
    c.sms_url = NULL;
    c.smtp_url = "smtp://127.0.0.1:25";
    assert_int_equal(notify_config_check(&c, &err), PC_EINVAL); /* no --mail-from */
    c.mail_from = "Pəncərə <noreply@example.az>";
    assert_int_equal(notify_config_check(&c, &err), 0);
    c.smtp_url = "smtp://me:pw@127.0.0.1:25";
    assert_int_equal(notify_config_check(&c, &err), PC_EINVAL);
    c.smtp_url = "smtps://mail.example.az";
    c.smtp_password_file = "/etc/pencere/smtp-password";
    assert_int_equal(notify_config_check(&c, &err), PC_EINVAL); /* needs --smtp-user */
    c.smtp_user = "portal";
    assert_int_equal(notify_config_check(&c, &err), 0);
    c.lease_secs = 1;
    assert_int_equal(notify_config_check(&c, &err), PC_EINVAL);
    c.lease_secs = 30;
    c.smtp_url = NULL;
    assert_int_equal(notify_config_check(&c, &err), PC_EINVAL); /* user without server */
    assert_true(nt_send_timeout_ms(&c) == 10000);
    c.lease_secs = 6;
    assert_true(nt_send_timeout_ms(&c) == 2000);
}

/* ---- the queue in the database -------------------------------------------- */

static int64_t count_where(struct db_conn *c, const char *status)
{
    struct pc_err err = {0};
    struct db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM outbox WHERE status = ?", &err);
    assert_non_null(s);
    db_bind_text(s, 1, status);
    assert_int_equal(db_step(s, &err), 1);
    int64_t n = db_col_int(s, 0);
    db_conn_idle(c);
    return n;
}

static void enqueue(struct db_conn *c, const char *channel, const char *to)
{
    struct pc_err err = {0};
    assert_int_equal(db_begin(c, &err), 0);
    assert_int_equal(notify_enqueue(c, channel, to, "result-ready", "az", "{\"reference\":\"AZ-1\"}", &err), 0);
    assert_int_equal(db_commit(c, &err), 0);
}

static void reset_queue(struct db_conn *c)
{
    fx_exec(c, "DELETE FROM outbox");
    fx_exec(c, "UPDATE leases SET holder = '', expires_at = 0");
}

static void test_claim_and_results(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = fx_conn(f);
    reset_queue(c);
    struct pc_err err = {0};
    int64_t now = pc_now_unix();
    bool fresh, lost;
    for (int i = 0; i < 3; i++)
        enqueue(c, "sms", "+994501234567");
    enqueue(c, "email", "user@example.az");
    assert_int_equal(db_lease_acquire(c, "notify", "A", now, 30, &fresh, &err), 1);
    struct pc_arena a;
    pc_arena_init(&a);
    struct nt_item items[NT_BATCH];
    /* only the configured channel, at most max */
    int n = nt_claim(c, &a, "A", now, 30, NULL, "sms", 2, items, &lost, &err);
    assert_int_equal(n, 2);
    assert_false(lost);
    assert_string_equal(items[0].channel, "sms");
    assert_int_equal(items[0].attempts, 1);
    assert_string_equal(items[0].template_id, "result-ready");
    assert_int_equal(count_where(c, "sending"), 2);
    n = nt_claim(c, &a, "A", now, 30, NULL, "sms", 10, items + 2, &lost, &err);
    assert_int_equal(n, 1);
    assert_int_equal(nt_claim(c, &a, "A", now, 30, NULL, "sms", 10, items + 3, &lost, &err), 0);
    assert_int_equal(count_where(c, "created"), 1); /* the e-mail waits */
    /* a non-holder claims nothing and learns it has no lease */
    assert_int_equal(nt_claim(c, &a, "B", now, 30, "email", "sms", 10, items + 3, &lost, &err), 0);
    assert_true(lost);
    /* results */
    assert_int_equal(nt_mark_delivered(c, items[0].id, now, "{\"reference\":\"AZ-1\"}", &err), 0);
    assert_int_equal(nt_mark_retry(c, items[1].id, "A", now + 30, "HTTP 500", &err), 0);
    assert_int_equal(nt_mark_failed(c, items[2].id, "B", now, "not mine", NULL, &err), 0); /* no effect */
    assert_int_equal(count_where(c, "delivered"), 1);
    assert_int_equal(count_where(c, "retry"), 1);
    assert_int_equal(count_where(c, "sending"), 1);
    assert_int_equal(nt_mark_failed(c, items[2].id, "A", now, "HTTP 400", NULL, &err), 0);
    assert_int_equal(count_where(c, "failed"), 1);
    /* the retry is not due before its time, then it is, with attempts 2 */
    assert_int_equal(nt_claim(c, &a, "A", now + 29, 30, NULL, "sms", 10, items, &lost, &err), 0);
    assert_int_equal(nt_claim(c, &a, "A", now + 30, 30, NULL, "sms", 10, items, &lost, &err), 1);
    assert_int_equal(items[0].attempts, 2);
    /* given back unsent: attempts as before, due again */
    assert_int_equal(nt_unclaim(c, items[0].id, "A", now + 30, &err), 0);
    assert_int_equal(count_where(c, "retry"), 1);
    assert_int_equal(nt_claim(c, &a, "A", now + 30, 30, NULL, "sms", 10, items, &lost, &err), 1);
    assert_int_equal(items[0].attempts, 2);
    /* a delivered mark counts even when the row is no longer ours */
    assert_int_equal(nt_recover(c, now + 31, 8, NULL, &err), 1);
    assert_int_equal(nt_mark_delivered(c, items[0].id, now + 31, NULL, &err), 0);
    assert_int_equal(count_where(c, "delivered"), 2);
    pc_arena_release(&a);
}

static void test_recovery_after_a_crash(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = fx_conn(f);
    reset_queue(c);
    struct pc_err err = {0};
    int64_t now = pc_now_unix();
    bool fresh, lost;
    for (int i = 0; i < 3; i++)
        enqueue(c, "sms", "+994501234567");
    assert_int_equal(db_lease_acquire(c, "notify", "dead", now, 5, &fresh, &err), 1);
    struct pc_arena a;
    pc_arena_init(&a);
    struct nt_item items[NT_BATCH];
    assert_int_equal(nt_claim(c, &a, "dead", now, 5, "email", "sms", 10, items, &lost, &err), 3);
    /* one of them had used up its attempts */
    struct db_stmt *s = db_prepare(c, "UPDATE outbox SET attempts = 8 WHERE id = ?", &err);
    db_bind_text(s, 1, items[2].id);
    assert_int_equal(db_run(s, &err), 1);
    /* "dead" never renews; after its lease the next holder takes over */
    assert_int_equal(db_lease_acquire(c, "notify", "next", now + 5, 30, &fresh, &err), 1);
    assert_true(fresh);
    assert_int_equal(nt_recover(c, now + 5, 8, NULL, &err), 3);
    assert_int_equal(count_where(c, "sending"), 0);
    assert_int_equal(count_where(c, "retry"), 2);
    assert_int_equal(count_where(c, "failed"), 1);
    /* a late result from the dead holder cannot undo that */
    assert_int_equal(nt_mark_retry(c, items[0].id, "dead", now + 100, "late", &err), 0);
    assert_int_equal(nt_claim(c, &a, "next", now + 5, 30, "email", "sms", 10, items, &lost, &err), 2);
    assert_int_equal(items[0].attempts, 2);
    pc_arena_release(&a);
}

static void test_enqueue_and_list_still_work(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = fx_conn(f);
    reset_queue(c);
    enqueue(c, "email", "someone@example.az");
    struct pc_arena a;
    pc_arena_init(&a);
    struct notify_message *list;
    size_t n;
    struct pc_err err = {0};
    assert_int_equal(notify_list_recent(f->db, &a, 10, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].status, "created");
    assert_string_equal(list[0].channel, "email");
    assert_string_equal(notify_mask(&a, "+994501234567", 2), "+994*******67");
    pc_arena_release(&a);
}

int main(void)
{
    int failed = 0;
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_every_template_renders_in_every_language),
        cmocka_unit_test(test_required_events_exist),
        cmocka_unit_test(test_sms_fit_one_part),
        cmocka_unit_test(test_sms_parts_counting),
        cmocka_unit_test(test_render_errors_and_fallbacks),
        cmocka_unit_test(test_values_cannot_break_lines_or_headers),
        cmocka_unit_test(test_status_labels_are_translated),
        cmocka_unit_test(test_base64_vectors),
        cmocka_unit_test(test_quoted_printable),
        cmocka_unit_test(test_mime_message),
        cmocka_unit_test(test_mailboxes_and_addresses),
        cmocka_unit_test(test_gateway_status_codes),
        cmocka_unit_test(test_sms_json),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_redaction),
        cmocka_unit_test(test_config_checks),
    };
    failed += cmocka_run_group_tests_name("notify", pure, NULL, NULL);

    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test(test_claim_and_results),
        cmocka_unit_test(test_recovery_after_a_crash),
        cmocka_unit_test(test_enqueue_and_list_still_work),
    };
    failed += fx_run("notify", db_tests, sizeof db_tests / sizeof db_tests[0]);
    return failed;
}

/* test_http_parse.c — unit tests of the request parsers in src/http/parse.c
 * and src/http/forwarded.c: percent-decoding, paths, query strings /
 * urlencoded forms, Cookie headers, client addresses, trusted proxies and
 * X-Forwarded-For / X-Forwarded-Proto. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static int setup_arena(void **state)
{
    static struct pc_arena a;
    pc_arena_init(&a);
    *state = &a;
    return 0;
}

static int teardown_arena(void **state)
{
    pc_arena_release(*state);
    return 0;
}

/* Decode a NUL-terminated string. */
static int dec(struct pc_arena *a, const char *s, bool plus, char **out)
{
    return http_url_decode(a, s, strlen(s), plus, out);
}

/* ---- http_url_decode -------------------------------------------------- */

static void test_decode_valid(void **state)
{
    struct pc_arena *a = *state;
    char *out = NULL;
    assert_int_equal(dec(a, "", true, &out), 0);
    assert_string_equal(out, "");
    assert_int_equal(dec(a, "plain", true, &out), 0);
    assert_string_equal(out, "plain");
    assert_int_equal(dec(a, "a%20b", true, &out), 0);
    assert_string_equal(out, "a b");
    assert_int_equal(dec(a, "%41%62%7a%7A", true, &out), 0);
    assert_string_equal(out, "Abzz");
    assert_int_equal(dec(a, "%C9%99%c9%99", true, &out), 0);
    assert_string_equal(out, "əə");
    assert_int_equal(dec(a, "%D0%96", false, &out), 0);
    assert_string_equal(out, "Ж");
    assert_int_equal(dec(a, "%25", true, &out), 0);
    assert_string_equal(out, "%");
    assert_int_equal(dec(a, "%2525", true, &out), 0);
    assert_string_equal(out, "%25"); /* decoded once only */
    /* raw UTF-8 passes through */
    assert_int_equal(dec(a, "vəsiqə", true, &out), 0);
    assert_string_equal(out, "vəsiqə");
    /* n limits the input: the rest of the buffer is not read */
    assert_int_equal(http_url_decode(a, "ab%zz", 2, true, &out), 0);
    assert_string_equal(out, "ab");
    assert_int_equal(http_url_decode(a, "%41%", 3, true, &out), 0);
    assert_string_equal(out, "A");
}

static void test_decode_plus(void **state)
{
    struct pc_arena *a = *state;
    char *out = NULL;
    assert_int_equal(dec(a, "a+b++c", true, &out), 0);
    assert_string_equal(out, "a b  c");
    assert_int_equal(dec(a, "a+b++c", false, &out), 0);
    assert_string_equal(out, "a+b++c");
    /* an encoded plus is always a plus */
    assert_int_equal(dec(a, "1%2B1", true, &out), 0);
    assert_string_equal(out, "1+1");
    assert_int_equal(dec(a, "%2b", false, &out), 0);
    assert_string_equal(out, "+");
}

static void test_decode_invalid(void **state)
{
    struct pc_arena *a = *state;
    char *out = (char *)"untouched";
    static const char *const bad[] = {
        "%zz", "%g0", "%0g", "abc%", "abc%4", "%", "%%", "%%41",
        "%00", "a%00b",                      /* NUL */
        "%C3%28", "%ff", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "%E2%82", /* invalid UTF-8 */
        "\xff", "ok\xc3", "\xc0\xaf",         /* raw invalid UTF-8 */
        "% 1", "%-1", "%+1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = dec(a, bad[i], true, &out);
        if (rc != PC_EINVAL)
            fail_msg("http_url_decode(\"%s\") = %d, want PC_EINVAL", bad[i], rc);
    }
    assert_string_equal(out, "untouched"); /* out only set on success */
    /* a raw NUL inside the given length */
    assert_int_equal(http_url_decode(a, "a\0b", 3, true, &out), PC_EINVAL);
}

/* ---- http_parse_urlencoded -------------------------------------------- */

static void test_form_basic(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    const char *s = "q=%C5%9F%C9%99xsiyy%C9%99t+v%C9%99siq%C9%99si&lang=az&limit=20";
    assert_int_equal(http_parse_urlencoded(a, s, strlen(s), &l), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[0].key, "q");
    assert_string_equal(l.items[0].value, "şəxsiyyət vəsiqəsi");
    assert_string_equal(l.items[1].key, "lang");
    assert_string_equal(l.items[1].value, "az");
    assert_string_equal(l.items[2].key, "limit");
    assert_string_equal(l.items[2].value, "20");
    assert_string_equal(http_kv_get(&l, "lang"), "az");
    assert_null(http_kv_get(&l, "LANG"));
    assert_null(http_kv_get(&l, "missing"));
}

static void test_form_empty_pairs(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    assert_int_equal(http_parse_urlencoded(a, "", 0, &l), 0);
    assert_int_equal(l.n, 0);
    assert_null(http_kv_get(&l, "a"));
    assert_int_equal(http_parse_urlencoded(a, "&&&", 3, &l), 0);
    assert_int_equal(l.n, 0);
    assert_int_equal(http_parse_urlencoded(a, "&a=1&&b=2&", 10, &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(http_kv_get(&l, "a"), "1");
    assert_string_equal(http_kv_get(&l, "b"), "2");
}

static void test_form_no_equals(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    const char *s = "flag&x=&y=a=b&z=%3D";
    assert_int_equal(http_parse_urlencoded(a, s, strlen(s), &l), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.items[0].key, "flag");
    assert_string_equal(l.items[0].value, "");
    assert_string_equal(http_kv_get(&l, "x"), "");
    assert_string_equal(http_kv_get(&l, "y"), "a=b"); /* split at the first = */
    assert_string_equal(http_kv_get(&l, "z"), "=");
}

static void test_form_repeated_keys(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    const char *s = "a=1&b=x&a=2&a=3";
    assert_int_equal(http_parse_urlencoded(a, s, strlen(s), &l), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(http_kv_get(&l, "a"), "1"); /* first wins */
    int seen = 0;
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.items[i].key, "a") == 0)
            seen++;
    assert_int_equal(seen, 3);
    assert_string_equal(l.items[3].value, "3");
}

static void test_form_encoded_keys(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    const char *s = "f%C4%B1rst+key=v+1&%26=%26";
    assert_int_equal(http_parse_urlencoded(a, s, strlen(s), &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0].key, "fırst key");
    assert_string_equal(l.items[0].value, "v 1");
    assert_string_equal(http_kv_get(&l, "&"), "&");
}

static void test_form_invalid(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    static const char *const bad[] = {"a=%zz", "%zz=1", "a=1&b=%", "a=%00", "a=%ff", "k%C3=1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = http_parse_urlencoded(a, bad[i], strlen(bad[i]), &l);
        if (rc != PC_EINVAL)
            fail_msg("http_parse_urlencoded(\"%s\") = %d, want PC_EINVAL", bad[i], rc);
    }
}

/* "k0=0&k1=1&…" with n pairs; sep between pairs. */
static size_t make_pairs(char *buf, size_t cap, int n, const char *sep)
{
    size_t o = 0;
    for (int i = 0; i < n; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%sk%d=%d", i ? sep : "", i, i);
    return o;
}

static void test_form_limit(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    char buf[4096];
    size_t n = make_pairs(buf, sizeof buf, HTTP_MAX_PARAMS, "&");
    assert_int_equal(http_parse_urlencoded(a, buf, n, &l), 0);
    assert_int_equal(l.n, HTTP_MAX_PARAMS);
    assert_string_equal(http_kv_get(&l, "k63"), "63");
    n = make_pairs(buf, sizeof buf, HTTP_MAX_PARAMS + 1, "&");
    assert_int_equal(http_parse_urlencoded(a, buf, n, &l), PC_ETOOBIG);
    /* empty pairs do not count against the limit */
    n = make_pairs(buf, sizeof buf, HTTP_MAX_PARAMS, "&&&");
    assert_int_equal(http_parse_urlencoded(a, buf, n, &l), 0);
    assert_int_equal(l.n, HTTP_MAX_PARAMS);
    /* nor does a trailing & after the 64th */
    buf[n] = '&';
    assert_int_equal(http_parse_urlencoded(a, buf, n + 1, &l), 0);
    assert_int_equal(l.n, HTTP_MAX_PARAMS);
}

/* ---- http_parse_cookies ----------------------------------------------- */

static void test_cookies_basic(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    const char *s = "lang=en; session=abc.DEF-123_x; theme=dark";
    assert_int_equal(http_parse_cookies(a, s, strlen(s), &l), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[0].key, "lang");
    assert_string_equal(l.items[0].value, "en");
    assert_string_equal(http_kv_get(&l, "session"), "abc.DEF-123_x");
    assert_string_equal(http_kv_get(&l, "theme"), "dark");
    assert_null(http_kv_get(&l, "Lang"));
    /* values are not percent-decoded */
    s = "x=a%20b+c";
    assert_int_equal(http_parse_cookies(a, s, strlen(s), &l), 0);
    assert_string_equal(http_kv_get(&l, "x"), "a%20b+c");
    /* the empty header */
    assert_int_equal(http_parse_cookies(a, "", 0, &l), 0);
    assert_int_equal(l.n, 0);
    assert_null(http_kv_get(&l, "x"));
}

static void test_cookies_spaces(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    const char *s = "  a=1;b=2 ;\t c=3\t;   d=4   ";
    assert_int_equal(http_parse_cookies(a, s, strlen(s), &l), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(http_kv_get(&l, "a"), "1");
    assert_string_equal(http_kv_get(&l, "b"), "2");
    assert_string_equal(http_kv_get(&l, "c"), "3");
    assert_string_equal(http_kv_get(&l, "d"), "4");
    /* inner spaces of a value are kept */
    s = "msg=hello world";
    assert_int_equal(http_parse_cookies(a, s, strlen(s), &l), 0);
    assert_string_equal(http_kv_get(&l, "msg"), "hello world");
    /* an empty value is a value */
    s = "e=; f=x";
    assert_int_equal(http_parse_cookies(a, s, strlen(s), &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(http_kv_get(&l, "e"), "");
}

static void test_cookies_quotes(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    const char *s = "q=\"quoted value\"; e=\"\"; one=\"; half=\"abc; inner=a\"b";
    assert_int_equal(http_parse_cookies(a, s, strlen(s), &l), 0);
    assert_string_equal(http_kv_get(&l, "q"), "quoted value");
    assert_string_equal(http_kv_get(&l, "e"), "");
    assert_string_equal(http_kv_get(&l, "one"), "\"");
    assert_string_equal(http_kv_get(&l, "half"), "\"abc");
    assert_string_equal(http_kv_get(&l, "inner"), "a\"b");
}

static void test_cookies_malformed(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    const char *s = "noequals; =novalue; ;;; ok=1; \xff\xfe=2; bad=\xc3; good=ə";
    assert_int_equal(http_parse_cookies(a, s, strlen(s), &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(http_kv_get(&l, "ok"), "1");
    assert_string_equal(http_kv_get(&l, "good"), "ə");
    assert_null(http_kv_get(&l, "noequals"));
    assert_null(http_kv_get(&l, ""));
    assert_null(http_kv_get(&l, "bad"));
    /* a NUL byte inside the header skips that pair only */
    const char nul[] = "a=x\0y; b=2";
    assert_int_equal(http_parse_cookies(a, nul, sizeof nul - 1, &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(http_kv_get(&l, "b"), "2");
    /* first value wins for repeated names (most specific path first) */
    s = "sid=new; sid=old";
    assert_int_equal(http_parse_cookies(a, s, strlen(s), &l), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(http_kv_get(&l, "sid"), "new");
    /* n limits what is read */
    assert_int_equal(http_parse_cookies(a, "a=1; b=2", 3, &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(http_kv_get(&l, "a"), "1");
}

/* Regression (was a bug in src/http/parse.c, http_parse_cookies): the comment says "A cookie we
 * would have to echo must be printable ASCII", but the check is only
 * pc_utf8_valid(), which accepts control characters (\x01, \x1b, DEL, …).
 * Such a pair should be skipped like other malformed pairs.  Fix: also
 * reject bytes < 0x20 and 0x7f in name and value (and, if the comment is
 * meant literally, everything >= 0x80 too). */
static void test_cookies_control_chars(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    const char *s = "ok=1; ctl=a\x01" "b; esc=\x1b[31m; del=x\x7f; n\x02me=v";
    assert_int_equal(http_parse_cookies(a, s, strlen(s), &l), 0);
    assert_string_equal(http_kv_get(&l, "ok"), "1");
    assert_null(http_kv_get(&l, "ctl"));
    assert_null(http_kv_get(&l, "esc"));
    assert_null(http_kv_get(&l, "del"));
    assert_int_equal(l.n, 1);
}

static size_t make_cookies(char *buf, size_t cap, int n)
{
    size_t o = 0;
    for (int i = 0; i < n; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%sc%d=v%d", i ? "; " : "", i, i);
    return o;
}

static void test_cookies_limit(void **state)
{
    struct pc_arena *a = *state;
    struct http_kvlist l;
    char buf[2048];
    size_t n = make_cookies(buf, sizeof buf, HTTP_MAX_COOKIES);
    assert_int_equal(http_parse_cookies(a, buf, n, &l), 0);
    assert_int_equal(l.n, HTTP_MAX_COOKIES);
    assert_string_equal(http_kv_get(&l, "c31"), "v31");
    n = make_cookies(buf, sizeof buf, HTTP_MAX_COOKIES + 1);
    assert_int_equal(http_parse_cookies(a, buf, n, &l), PC_ETOOBIG);
    /* skipped (malformed) pairs do not count */
    n = make_cookies(buf, sizeof buf, HTTP_MAX_COOKIES);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "; junk; =x; ;");
    assert_int_equal(http_parse_cookies(a, buf, n, &l), 0);
    assert_int_equal(l.n, HTTP_MAX_COOKIES);
}

/* ---- http_kv_get ------------------------------------------------------ */

static void test_kv_get(void **state)
{
    (void)state;
    struct http_kv items[] = {{"a", "1"}, {"b", ""}, {"a", "2"}, {"", "empty-key"}};
    struct http_kvlist l = {items, 4};
    assert_string_equal(http_kv_get(&l, "a"), "1");
    assert_string_equal(http_kv_get(&l, "b"), "");
    assert_string_equal(http_kv_get(&l, ""), "empty-key");
    assert_null(http_kv_get(&l, "c"));
    assert_null(http_kv_get(&l, "A"));
    assert_null(http_kv_get(&l, "aa"));
    struct http_kvlist none = {NULL, 0};
    assert_null(http_kv_get(&none, "a"));
    l.n = 1;
    assert_null(http_kv_get(&l, "b")); /* only the first n items count */
}

/* ---- paths --------------------------------------------------------------- */

static void test_path_decode(void **state)
{
    struct pc_arena *a = *state;
    char *out;
    assert_int_equal(http_path_decode(a, "/a%20b/+", 8, &out), 0);
    assert_string_equal(out, "/a b/+"); /* '+' is a plus in a path */
    const char *bad[] = {"/a%0ab", "/%0d%0a", "/%09", "/%1b", "/x%7f", "/\x01", "/%00", "/%zz", "/%ff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(http_path_decode(a, bad[i], strlen(bad[i]), &out), PC_EINVAL);
    assert_int_equal(http_path_decode(a, "/v\xc9\x99", 4, &out), 0); /* UTF-8 passes */
}

static void test_path_clean(void **state)
{
    struct pc_arena *a = *state;
    const char *cases[][2] = {
        {"/", "/"},
        {"", "/"},
        {"/services", "/services"},
        {"/services/", "/services/"},
        {"//evil.example/x", "/evil.example/x"},
        {"///evil.example", "/evil.example"},
        {"/.//evil.example/", "/evil.example/"},
        {"/a/../..//evil.example/", "/evil.example/"},
        {"/services//din-id-card/./", "/services/din-id-card/"},
        {"/a/b/..", "/a"},
        {"/..", "/"},
        {"/../../..", "/"},
        {"/a/./b/.", "/a/b"},
        {"/.../x", "/.../x"},
        {"/a..b/", "/a..b/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = http_path_clean(a, cases[i][0]);
        if (strcmp(got, cases[i][1]) != 0)
            fail_msg("clean(\"%s\") = \"%s\", want \"%s\"", cases[i][0], got, cases[i][1]);
    }
}

/* ---- addresses and trusted proxies ------------------------------------- */

static void addr_is(const char *in, const char *want)
{
    struct http_addr ad;
    char text[64];
    int rc = http_addr_parse(in, strlen(in), &ad);
    if (!want) {
        if (rc != PC_EINVAL)
            fail_msg("'%s' should not parse", in);
        return;
    }
    if (rc)
        fail_msg("'%s' should parse", in);
    http_addr_format(&ad, text);
    if (strcmp(text, want) != 0)
        fail_msg("'%s' formats as '%s', want '%s'", in, text, want);
}

static void test_addr_parse(void **state)
{
    (void)state;
    addr_is("203.0.113.5", "203.0.113.5");
    addr_is("203.0.113.5:8080", "203.0.113.5");
    addr_is("2001:db8::1", "2001:db8::1");
    addr_is("[2001:db8::1]", "2001:db8::1");
    addr_is("[2001:db8::1]:443", "2001:db8::1");
    addr_is("::ffff:10.0.0.1", "10.0.0.1");
    addr_is("::1", "::1");
    const char *bad[] = {"", "x", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4:", "1.2.3.4:x", "1.2.3.4:123456",
                         "[1.2.3.4]", "[2001:db8::1", "[2001:db8::1]x", "[2001:db8::1]:", "unknown", " 1.2.3.4",
                         "1.2.3.4 ", "2001:db8::g", "fe80::1%eth0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        addr_is(bad[i], NULL);
}

static struct http_addr A(const char *s)
{
    struct http_addr a;
    assert_int_equal(http_addr_parse(s, strlen(s), &a), 0);
    return a;
}

static void test_proxies_parse(void **state)
{
    (void)state;
    struct http_proxies p;
    struct pc_err err = {0};
    assert_int_equal(http_proxies_parse("10.0.0.0/8, 192.168.1.5 ::1,2001:db8::/32", &p, &err), 0);
    assert_int_equal(p.n, 4);
    struct http_addr in[] = {A("10.0.0.1"), A("10.255.255.255"), A("192.168.1.5"), A("::1"), A("2001:db8:ffff::9")};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        assert_true(http_proxies_contain(&p, &in[i]));
    struct http_addr out[] = {A("11.0.0.1"), A("192.168.1.6"), A("::2"), A("2001:db9::1"), A("9.10.0.0")};
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++)
        assert_false(http_proxies_contain(&p, &out[i]));
    /* odd prefixes */
    assert_int_equal(http_proxies_parse("172.16.0.0/12", &p, &err), 0);
    struct http_addr edge_in = A("172.31.255.255"), edge_out = A("172.32.0.0");
    assert_true(http_proxies_contain(&p, &edge_in));
    assert_false(http_proxies_contain(&p, &edge_out));
    assert_int_equal(http_proxies_parse("0.0.0.0/0", &p, &err), 0);
    struct http_addr any4 = A("8.8.8.8"), v6 = A("2001:db8::1");
    assert_true(http_proxies_contain(&p, &any4));
    assert_false(http_proxies_contain(&p, &v6)); /* an IPv4 block holds no IPv6 */
    const char *bad[] = {"", " , ", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "host.example",
                         "10.0.0.0/-1", "[::1]", "1.2.3.4:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = 0;
        assert_int_equal(http_proxies_parse(bad[i], &p, &err), PC_EINVAL);
        assert_true(err.msg[0] != 0);
    }
    char many[2048] = "";
    for (int i = 0; i <= HTTP_MAX_PROXIES; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "10.0.0.%d,", i);
    assert_int_equal(http_proxies_parse(many, &p, &err), PC_EINVAL);
}

static void client_is(const struct http_proxies *p, const char *const *v, size_t n, int want_rc, const char *want)
{
    struct http_addr got;
    char text[64];
    int rc = http_forwarded_client(p, v, n, &got);
    if (rc != want_rc)
        fail_msg("rc %d, want %d (first value '%s')", rc, want_rc, n ? v[0] : "");
    if (rc == 0) {
        http_addr_format(&got, text);
        if (!want || strcmp(text, want) != 0)
            fail_msg("client '%s', want '%s'", text, want ? want : "(a refusal)");
    }
}

static void test_forwarded_client(void **state)
{
    (void)state;
    struct http_proxies p;
    assert_int_equal(http_proxies_parse("127.0.0.1, 10.0.0.0/8", &p, NULL), 0);
    const char *one[] = {"198.51.100.1"};
    client_is(&p, one, 1, 0, "198.51.100.1");
    /* the client's own entries are on the left and not believed */
    const char *chain[] = {"6.6.6.6, 198.51.100.2, 10.1.2.3"};
    client_is(&p, chain, 1, 0, "198.51.100.2");
    const char *fields[] = {"6.6.6.6", "198.51.100.3,10.0.0.9"};
    client_is(&p, fields, 2, 0, "198.51.100.3");
    const char *all_trusted[] = {"10.0.0.1, 10.0.0.2"};
    client_is(&p, all_trusted, 1, 0, "10.0.0.1");
    const char *ports[] = {"[2001:db8::5]:1234 ,\t 203.0.113.8:80"};
    client_is(&p, ports, 1, 0, "203.0.113.8");
    /* garbage on the way from the right: the peer stays the client */
    const char *garbage[] = {"198.51.100.4, garbage"};
    client_is(&p, garbage, 1, PC_EINVAL, NULL);
    const char *empty_entry[] = {"198.51.100.4,,10.0.0.1"};
    client_is(&p, empty_entry, 1, PC_EINVAL, NULL);
    const char *empty[] = {""};
    client_is(&p, empty, 1, PC_EINVAL, NULL);
    /* garbage left of the client is never read */
    const char *left[] = {"<script>, 198.51.100.6"};
    client_is(&p, left, 1, 0, "198.51.100.6");
    client_is(&p, NULL, 0, PC_ENOTFOUND, NULL);
}

static void test_forwarded_https(void **state)
{
    (void)state;
    const char *https[] = {"https"}, *upper[] = {"HTTPS"}, *http[] = {"http"}, *list[] = {"http, https"},
               *list2[] = {"https, http"}, *fields[] = {"http", "https"}, *junk[] = {"httpsx"}, *blank[] = {" https "};
    assert_true(http_forwarded_https(https, 1));
    assert_true(http_forwarded_https(upper, 1));
    assert_false(http_forwarded_https(http, 1));
    assert_true(http_forwarded_https(list, 1));   /* the nearest proxy's word */
    assert_false(http_forwarded_https(list2, 1));
    assert_true(http_forwarded_https(fields, 2));
    assert_false(http_forwarded_https(junk, 1));
    assert_true(http_forwarded_https(blank, 1));
    assert_false(http_forwarded_https(NULL, 0));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_arena, teardown_arena)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_decode_valid),
        T(test_decode_plus),
        T(test_decode_invalid),
        T(test_form_basic),
        T(test_form_empty_pairs),
        T(test_form_no_equals),
        T(test_form_repeated_keys),
        T(test_form_encoded_keys),
        T(test_form_invalid),
        T(test_form_limit),
        T(test_cookies_basic),
        T(test_cookies_spaces),
        T(test_cookies_quotes),
        T(test_cookies_malformed),
        T(test_cookies_control_chars),
        T(test_cookies_limit),
        T(test_kv_get),
        T(test_path_decode),
        T(test_path_clean),
        T(test_addr_parse),
        T(test_proxies_parse),
        T(test_forwarded_client),
        T(test_forwarded_https),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

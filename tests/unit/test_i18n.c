/* test_i18n.c — the message catalogue (src/web/messages.c) and the choice
 * of language (src/web/i18n.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../src/web/i18n.h"

static const char *lang_text(const struct pc_text *m, int l)
{
    return m->s[l];
}

/* The printf conversions of s, e.g. "%d|%02lld|%s|", into out.  Returns -1
 * on a malformed conversion. */
static int conversions(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    for (const char *p = s; *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        const char *start = p++;
        while (*p && strchr("-+ #0'", *p))
            p++;
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9')
                p++;
        }
        while (*p && strchr("hlLqjzt", *p))
            p++;
        if (!*p || !strchr("diouxXeEfFgGaAcsp", *p))
            return -1;
        int n = snprintf(out + o, cap - o, "%.*s|", (int)(p - start + 1), start);
        if (n < 0 || (size_t)n >= cap - o)
            return -1;
        o += (size_t)n;
    }
    return 0;
}

static void test_conversions_helper(void **state)
{
    (void)state;
    char buf[128];
    assert_int_equal(conversions("a %d b %s c %02lld %% %lld.%02lld", buf, sizeof buf), 0);
    assert_string_equal(buf, "%d|%s|%02lld|%lld|%02lld|");
    assert_int_equal(conversions("100%", buf, sizeof buf), -1);
    assert_int_equal(conversions("50%!", buf, sizeof buf), -1);
    assert_int_equal(conversions("%5.2f%-3s%%", buf, sizeof buf), 0);
    assert_string_equal(buf, "%5.2f|%-3s|");
    assert_int_equal(conversions("none", buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

static void test_all_languages_present(void **state)
{
    (void)state;
    int missing = 0;
    for (int m = 0; m < M_COUNT; m++) {
        for (int l = 0; l < PC_LANG_COUNT; l++) {
            const char *s = lang_text(&web_messages[m], l);
            if (!s || !*s) {
                printf("message %d: %s text missing or empty\n", m, pc_lang_code((enum pc_lang)l));
                missing++;
            } else if (!pc_utf8_valid(s, strlen(s))) {
                printf("message %d: %s text is not valid UTF-8\n", m, pc_lang_code((enum pc_lang)l));
                missing++;
            } else if (s[0] == ' ' || s[strlen(s) - 1] == ' ') {
                printf("message %d: %s text has leading or trailing spaces\n", m, pc_lang_code((enum pc_lang)l));
                missing++;
            }
        }
    }
    assert_int_equal(missing, 0);
}

static void test_same_conversions(void **state)
{
    (void)state;
    int bad = 0, with_args = 0;
    for (int m = 0; m < M_COUNT; m++) {
        char conv[3][128];
        for (int l = 0; l < PC_LANG_COUNT; l++) {
            const char *s = lang_text(&web_messages[m], l);
            if (conversions(s ? s : "", conv[l], sizeof conv[l])) {
                printf("message %d (%s): malformed %% conversion in \"%s\"\n", m, pc_lang_code((enum pc_lang)l), s);
                bad++;
            }
        }
        if (strcmp(conv[0], conv[1]) || strcmp(conv[0], conv[2])) {
            printf("message %d: conversions differ: az %s en %s ru %s\n", m, conv[0], conv[1], conv[2]);
            bad++;
        }
        if (conv[0][0])
            with_args++;
    }
    assert_int_equal(bad, 0);
    assert_true(with_args >= 4); /* the check looked at real conversions */
}

static void test_translations_differ(void **state)
{
    (void)state;
    int same_az_en = 0, same_en_ru = 0, cyrillic_ru = 0;
    for (int m = 0; m < M_COUNT; m++) {
        const char *az = web_messages[m].s[PC_LANG_AZ], *en = web_messages[m].s[PC_LANG_EN],
                   *ru = web_messages[m].s[PC_LANG_RU];
        if (az && en && strcmp(az, en) == 0) {
            printf("message %d: az and en are the same: \"%s\"\n", m, az);
            same_az_en++;
        }
        if (en && ru && strcmp(en, ru) == 0) {
            printf("message %d: en and ru are the same: \"%s\"\n", m, en);
            same_en_ru++;
        }
        if (ru && (strstr(ru, "\xd0") || strstr(ru, "\xd1")))
            cyrillic_ru++;
    }
    /* a handful may coincide (names, abbreviations); copies of whole rows may not */
    assert_true(same_az_en * 20 <= M_COUNT);
    assert_true(same_en_ru * 20 <= M_COUNT);
    assert_true(cyrillic_ru * 10 >= M_COUNT * 9);
}

static void test_t_lang(void **state)
{
    (void)state;
    for (int m = 0; m < M_COUNT; m++) {
        for (int l = 0; l < PC_LANG_COUNT; l++)
            assert_ptr_equal(web_t_lang((enum pc_lang)l, (enum msg)m), web_messages[m].s[l]);
        /* a language out of range falls back to Azerbaijani */
        assert_ptr_equal(web_t_lang(PC_LANG_COUNT, (enum msg)m), web_messages[m].s[PC_LANG_AZ]);
        assert_ptr_equal(web_t_lang((enum pc_lang)-1, (enum msg)m), web_messages[m].s[PC_LANG_AZ]);
    }
    assert_string_equal(web_t_lang(PC_LANG_EN, M_NAV_HOME), "Home");
    assert_string_equal(web_t_lang(PC_LANG_AZ, M_NAV_HOME), "Ana səhifə");
    assert_string_equal(web_t_lang(PC_LANG_RU, M_NAV_HOME), "Главная");
    /* out of range never crashes and never returns NULL */
    assert_string_equal(web_t_lang(PC_LANG_EN, M_COUNT), "");
}

static void test_lang_valid(void **state)
{
    (void)state;
    assert_true(pc_lang_parse("az") >= 0);
    assert_true(pc_lang_parse("en") >= 0);
    assert_true(pc_lang_parse("ru") >= 0);
    assert_false(pc_lang_parse(NULL) >= 0);
    assert_false(pc_lang_parse("") >= 0);
    assert_false(pc_lang_parse("AZ") >= 0);
    assert_false(pc_lang_parse("tr") >= 0);
    assert_false(pc_lang_parse("az ") >= 0);
    assert_false(pc_lang_parse("a") >= 0);
    assert_false(pc_lang_parse("eng") >= 0);
    assert_false(pc_lang_parse("az-AZ") >= 0);
    for (int i = 0; i < PC_LANG_COUNT; i++) {
        assert_int_equal(pc_lang_parse(pc_lang_code((enum pc_lang)i)), i);
        assert_true(strlen(pc_lang_name((enum pc_lang)i)) > 0);
    }
    assert_string_equal(pc_lang_code(PC_LANG_AZ), "az");
}

/* A request with only the parts web_lang() reads. */
static void fake_req(struct http_req *r, struct http_kv *q, size_t nq, struct http_kv *c, size_t nc)
{
    if (r->ctx)
        pc_arena_release(&r->arena); /* the language of the previous request */
    memset(r, 0, sizeof *r);
    r->query = (struct http_kvlist){q, nq};
    r->cookies = (struct http_kvlist){c, nc};
}

static void test_web_lang(void **state)
{
    (void)state;
    struct http_req r = {0};
    fake_req(&r, NULL, 0, NULL, 0);
    assert_string_equal(web_lang(&r), "az");
    assert_false(web_lang_bad(&r));
    assert_string_equal(web_t(&r, M_NAV_HOME), "Ana səhifə");

    struct http_kv q_en[] = {{"lang", "en"}};
    struct http_kv c_ru[] = {{"lang", "ru"}};
    fake_req(&r, q_en, 1, c_ru, 1);
    assert_string_equal(web_lang(&r), "en"); /* the query wins */
    assert_false(web_lang_bad(&r));
    assert_string_equal(web_t(&r, M_NAV_HOME), "Home");

    fake_req(&r, NULL, 0, c_ru, 1);
    assert_string_equal(web_lang(&r), "ru");
    assert_string_equal(web_t(&r, M_NAV_HOME), "Главная");

    struct http_kv q_bad[] = {{"lang", "xx"}};
    fake_req(&r, q_bad, 1, c_ru, 1);
    assert_string_equal(web_lang(&r), "ru"); /* invalid ?lang= is ignored */
    assert_true(web_lang_bad(&r));

    struct http_kv c_bad[] = {{"lang", "<script>"}};
    fake_req(&r, NULL, 0, c_bad, 1);
    assert_string_equal(web_lang(&r), "az");
    assert_false(web_lang_bad(&r)); /* only the query is reported */
    assert_int_equal(web_lang_id(&r), PC_LANG_AZ);
    pc_arena_release(&r.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conversions_helper),
        cmocka_unit_test(test_all_languages_present),
        cmocka_unit_test(test_same_conversions),
        cmocka_unit_test(test_translations_differ),
        cmocka_unit_test(test_t_lang),
        cmocka_unit_test(test_lang_valid),
        cmocka_unit_test(test_web_lang),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

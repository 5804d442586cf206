/* bank.c — the bank's answer to our payment orders, parsed (outside
 * input: a libFuzzer harness, tests/fuzz/fuzz_social_bank.c): one line per
 * order, ORDER_ID;PAID or ORDER_ID;REJECTED;reason, CRLF or LF, blank
 * lines ignored.  Pure: no database. */
#include "social.h"

#include <string.h>

#define REASON_MAX 200

/* An order id as we make them: AZ-YYYY-NNNNNNNN-YYYY-MM. */
static bool order_ok(const char *s, size_t n)
{
    if (n < 4 || n > 60)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-'))
            return false;
    return true;
}

int social_bank_answer_parse(struct pc_arena *a, const char *text, size_t len, struct social_bank_line **out,
                             size_t *n, struct pc_err *err)
{
    *n = 0;
    if (len > SOCIAL_ANSWER_MAX)
        return pc_err_set(err, PC_ETOOBIG, "the answer file is larger than %d bytes", SOCIAL_ANSWER_MAX);
    if (!pc_utf8_valid(text, len))
        return pc_err_set(err, PC_EINVAL, "the answer file is not UTF-8");
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    *out = pc_arena_array(a, lines, sizeof **out);
    size_t lineno = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        lineno++;
        size_t ln = (size_t)(e - p);
        if (ln && p[ln - 1] == '\r')
            ln--;
        if (ln) {
            const char *f1 = memchr(p, ';', ln);
            size_t idlen = f1 ? (size_t)(f1 - p) : ln;
            const char *st = f1 ? f1 + 1 : p + ln, *lend = p + ln;
            const char *f2 = memchr(st, ';', (size_t)(lend - st));
            size_t stlen = (size_t)((f2 ? f2 : lend) - st);
            bool paid = stlen == 4 && memcmp(st, "PAID", 4) == 0;
            bool rejected = stlen == 8 && memcmp(st, "REJECTED", 8) == 0;
            size_t rlen = f2 ? (size_t)(lend - f2 - 1) : 0;
            if (!f1 || !order_ok(p, idlen) || !(paid || rejected) || (paid && f2) || (rejected && (!rlen || rlen > REASON_MAX)))
                return pc_err_set(err, PC_EINVAL,
                                  "line %zu: ORDER_ID;PAID or ORDER_ID;REJECTED;reason (up to %d bytes)", lineno,
                                  REASON_MAX);
            for (size_t k = 0; rejected && k < rlen; k++)
                if ((unsigned char)f2[1 + k] < 0x20)
                    return pc_err_set(err, PC_EINVAL, "line %zu: a control character in the reason", lineno);
            (*out)[(*n)++] = (struct social_bank_line){.order_id = pc_arena_strndup(a, p, idlen),
                                                       .reason = rejected ? pc_arena_strndup(a, f2 + 1, rlen) : NULL,
                                                       .paid = paid};
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}


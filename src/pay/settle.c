/* settle.c — the parser of the provider's settlement file (outside
 * input: fuzzed by tests/fuzz/fuzz_pay_settlement.c).  CSV, one header
 * line "reference,provider_id,status,amount_qepik,refunded_qepik", then
 * a line per payment; no quoting (no field may hold a comma). */
#include "pay.h"

#include <string.h>

#define HEADER "reference,provider_id,status,amount_qepik,refunded_qepik"
#define FIELD_MAX 64

static bool ident_ok(const char *s, size_t n)
{
    if (n == 0 || n > FIELD_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-' || s[i] == '_' || s[i] == '.'))
            return false;
    return true;
}

static int money(struct pc_arena *a, const char *s, size_t n, int64_t *out)
{
    long long v;
    if (n == 0 || n > 15 || pc_parse_int(pc_arena_strndup(a, s, n), 0, 100000000000LL, &v))
        return -1;
    *out = v;
    return 0;
}

static int parse_line(struct pc_arena *a, const char *s, size_t n, struct pay_settle_line *out)
{
    const char *f[5];
    size_t len[5];
    int k = 0;
    const char *p = s, *end = s + n;
    for (;;) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        if (k == 5)
            return -1; /* a sixth field */
        f[k] = p;
        len[k++] = (size_t)((c ? c : end) - p);
        if (!c)
            break;
        p = c + 1;
    }
    if (k != 5)
        return -1;
    if (!ident_ok(f[0], len[0]) || !ident_ok(f[1], len[1]))
        return -1;
    out->reference = pc_arena_strndup(a, f[0], len[0]);
    out->provider_id = pc_arena_strndup(a, f[1], len[1]);
    int st = len[2] <= 16 ? pay_status_parse(pc_arena_strndup(a, f[2], len[2])) : -1;
    if (st < 0)
        return -1;
    out->status = (enum pay_status)st;
    if (money(a, f[3], len[3], &out->amount_qepik) || money(a, f[4], len[4], &out->refunded_qepik) ||
        out->refunded_qepik > out->amount_qepik)
        return -1;
    return 0;
}

int pay_settlement_parse(struct pc_arena *a, const char *text, size_t len, struct pay_settle_line **out, size_t *n,
                         struct pc_err *err)
{
    *n = 0;
    *out = NULL;
    if (len > PAY_SETTLE_MAX_BYTES)
        return pc_err_set(err, PC_ETOOBIG, "a settlement file is at most %d bytes", PAY_SETTLE_MAX_BYTES);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    if (lines > PAY_SETTLE_MAX_LINES + 1)
        return pc_err_set(err, PC_ETOOBIG, "a settlement file has at most %d lines", PAY_SETTLE_MAX_LINES);
    *out = pc_arena_array(a, lines + 1, sizeof **out);
    const char *p = text, *end = text + len;
    size_t line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = (size_t)((nl ? nl : end) - p);
        if (l && p[l - 1] == '\r')
            l--;
        line++;
        if (line == 1) {
            if (l != strlen(HEADER) || memcmp(p, HEADER, l) != 0)
                return pc_err_set(err, PC_EINVAL, "line 1: the header must be \"" HEADER "\"");
        } else if (l > 0) {
            struct pay_settle_line *sl = &(*out)[*n];
            if (parse_line(a, p, l, sl))
                return pc_err_set(err, PC_EINVAL, "line %zu: not reference,provider_id,status,amount,refunded", line);
            (*n)++;
        }
        p = nl ? nl + 1 : end;
    }
    if (line == 0)
        return pc_err_set(err, PC_EINVAL, "the settlement file is empty");
    return 0;
}

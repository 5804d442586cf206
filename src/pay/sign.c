/* sign.c — the callbacks' signature: HMAC-SHA256 over the time and the
 * exact body, with the time bounded so an old callback cannot be replayed
 * later (a replay within the bound is caught by its event id). */
#include "pay.h"

#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void mac_hex(const char *secret, int64_t t, const void *body, size_t len, char out[65])
{
    struct pc_buf m;
    pc_buf_init(&m, len + 32);
    pc_buf_printf(&m, "%lld.", (long long)t);
    pc_buf_append(&m, body, len);
    unsigned char md[32];
    unsigned n = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)m.data, m.len, md, &n);
    pc_buf_release(&m);
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = 0;
}

void pay_sign(const char *secret, int64_t t, const void *body, size_t len, char out[96])
{
    char mac[65];
    mac_hex(secret, t, body, len, mac);
    snprintf(out, 96, "t=%lld,v1=%s", (long long)t, mac);
}

int pay_verify(const char *secret, const char *header, const void *body, size_t len, int64_t now, struct pc_err *err)
{
    if (!header || strlen(header) > 120 || strncmp(header, "t=", 2) != 0)
        return pc_err_set(err, PC_EDENIED, "the callback is not signed (" PAY_SIG_HEADER ": t=…,v1=…)");
    const char *comma = strchr(header, ',');
    char ts[24];
    if (!comma || comma - header - 2 <= 0 || comma - header - 2 >= (long)sizeof ts ||
        strncmp(comma, ",v1=", 4) != 0 || strlen(comma + 4) != 64)
        return pc_err_set(err, PC_EDENIED, "the callback's signature is malformed");
    memcpy(ts, header + 2, (size_t)(comma - header - 2));
    ts[comma - header - 2] = 0;
    long long t;
    if (pc_parse_int(ts, 0, 4102444800LL, &t))
        return pc_err_set(err, PC_EDENIED, "the callback's signature has a bad time");
    if (t > now + PAY_SIG_TOLERANCE || t < now - PAY_SIG_TOLERANCE)
        return pc_err_set(err, PC_EDENIED, "the callback's time is %lld s from ours (replayed or clock wrong)",
                          (long long)(t - now));
    char want[65];
    mac_hex(secret, t, body, len, want);
    if (!pc_ct_equal(want, comma + 4, 64))
        return pc_err_set(err, PC_EDENIED, "the callback's signature does not match its body");
    return 0;
}

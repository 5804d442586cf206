/* totp.c — the optional second factor: time-based one-time passwords
 * (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as shown by any
 * authenticator app.  One step either side is accepted for clock drift. */
#include "identity.h"

#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int id_totp_new_secret(char out[ID_TOTP_SECRET_LEN + 1])
{
    unsigned char key[20];
    if (pc_random_bytes(key, sizeof key))
        return PC_EIO;
    /* 20 bytes = 160 bits = 32 base32 characters exactly */
    int o = 0, bits = 0;
    uint32_t acc = 0;
    for (int i = 0; i < 20; i++) {
        acc = (acc << 8) | key[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = b32[(acc >> bits) & 31];
        }
    }
    out[o] = 0;
    return 0;
}

static int b32_decode(const char *s, unsigned char *out, size_t max)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (; *s; s++) {
        const char *p = strchr(b32, *s);
        if (!p || !*s)
            return -1;
        acc = (acc << 5) | (uint32_t)(p - b32);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (o >= max)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (int)o;
}

int id_totp_code(const char *secret, int64_t unix_secs, char out[7])
{
    unsigned char key[64], msg[8], mac[20];
    int klen = b32_decode(secret, key, sizeof key);
    if (klen <= 0)
        return PC_EINVAL;
    uint64_t counter = (uint64_t)(unix_secs / 30);
    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    unsigned int mlen = 0;
    HMAC(EVP_sha1(), key, klen, msg, sizeof msg, mac, &mlen);
    int off = mac[19] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    snprintf(out, 7, "%06u", bin % 1000000u);
    return 0;
}

bool id_totp_check(const char *secret, const char *code, int64_t now)
{
    if (!secret || !code || strlen(code) != 6)
        return false;
    for (int d = -1; d <= 1; d++) {
        char want[7];
        if (id_totp_code(secret, now + d * 30, want) == 0 && pc_ct_equal(want, code, 6))
            return true;
    }
    return false;
}

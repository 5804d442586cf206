/* vocab.c — the words of the mobile-signature API (kinds, results, hash
 * types, languages), phone numbers and the verification code: one table
 * each, so that names and values cannot drift apart. */
#include "mobile.h"

#include <string.h>

static const char *const kinds[MID_KIND_COUNT] = {"authentication", "signature", "qr"};
static const char *const results[MID_RESULT_COUNT] = {
    "OK", "TIMEOUT", "NOT_MID_CLIENT", "USER_CANCELLED", "SIGNATURE_HASH_MISMATCH", "PHONE_ABSENT",
    "DELIVERY_ERROR", "SIM_ERROR",
};
static const char *const hashes[MID_HASH_COUNT] = {"SHA256", "SHA384", "SHA512"};
static const size_t hash_lens[MID_HASH_COUNT] = {32, 48, 64};
static const char *const langs[PC_LANG_COUNT] = {"AZE", "ENG", "RUS"};

static int find(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

const char *mid_kind_name(enum mid_kind k)
{
    return (unsigned)k < MID_KIND_COUNT ? kinds[k] : "unknown";
}

int mid_kind_parse(const char *s)
{
    return find(kinds, MID_KIND_COUNT, s);
}

const char *mid_result_name(enum mid_result r)
{
    return (unsigned)r < MID_RESULT_COUNT ? results[r] : "unknown";
}

int mid_result_parse(const char *s)
{
    return find(results, MID_RESULT_COUNT, s);
}

const char *mid_hash_name(enum mid_hash h)
{
    return (unsigned)h < MID_HASH_COUNT ? hashes[h] : "unknown";
}

int mid_hash_parse(const char *s)
{
    return find(hashes, MID_HASH_COUNT, s);
}

size_t mid_hash_len(enum mid_hash h)
{
    return (unsigned)h < MID_HASH_COUNT ? hash_lens[h] : 0;
}

int mid_hash_of_len(size_t n)
{
    for (int i = 0; i < MID_HASH_COUNT; i++)
        if (hash_lens[i] == n)
            return i;
    return -1;
}

const char *mid_lang_name(enum pc_lang l)
{
    return (unsigned)l < PC_LANG_COUNT ? langs[l] : langs[PC_LANG_AZ];
}

int mid_lang_parse(const char *s)
{
    return find(langs, PC_LANG_COUNT, s);
}

void mid_verification_code(const unsigned char *hash, size_t n, char out[5])
{
    unsigned v = n ? ((unsigned)(hash[0] & 0xFC) << 5) | (hash[n - 1] & 0x7F) : 0;
    for (int i = 3; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
    out[4] = 0;
}

bool mid_phone_normalize(const char *typed, char out[MID_PHONE_MAX + 1])
{
    out[0] = 0;
    if (!typed)
        return false;
    while (*typed == ' ')
        typed++;
    if (*typed != '+')
        return false;
    size_t n = 0;
    out[n++] = '+';
    for (const char *p = typed + 1; *p; p++) {
        if (*p == ' ' || *p == '-')
            continue; /* how people group the digits */
        if (*p < '0' || *p > '9' || n >= MID_PHONE_MAX) {
            out[0] = 0;
            return false;
        }
        out[n++] = *p;
    }
    out[n] = 0;
    if (n < 9 || out[1] == '0') { /* "+" and 8 to 15 digits; no country code starts with 0 */
        out[0] = 0;
        return false;
    }
    return true;
}

/* ids.c — the registries' keys as bijections of an index, so a record
 * can be made alone, in any order, and its key leads back to it: the FİN
 * is an invertible affine map of the index modulo 34^7 written in the 34
 * characters of FİNs (0-9 and A-Z without I and O); the VÖEN one modulo
 * 10^10 written in ten digits.  Both look random. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
#define FIN_SPACE 52523350144ULL        /* 34^7 */
#define FIN_MUL 27664903ULL             /* odd and not a multiple of 17: invertible mod 34^7 */
#define FIN_ADD 4190477ULL
#define VOEN_SPACE 10000000000ULL       /* 10^10 */
#define VOEN_MUL 3216549871ULL          /* odd and not a multiple of 5 */
#define VOEN_ADD 1000000007ULL

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m)
{
    return (uint64_t)(((unsigned __int128)a * b) % m);
}

/* mul's inverse modulo m (extended Euclid). */
static uint64_t inverse(uint64_t mul, uint64_t m)
{
    __int128 t = 0, nt = 1, r = m, nr = mul;
    while (nr) {
        __int128 q = r / nr, tmp = t - q * nt;
        t = nt;
        nt = tmp;
        tmp = r - q * nr;
        r = nr;
        nr = tmp;
    }
    return (uint64_t)(t < 0 ? t + (__int128)m : t);
}

void reg_fin_of(uint64_t i, char out[8])
{
    uint64_t v = (mulmod(i % FIN_SPACE, FIN_MUL, FIN_SPACE) + FIN_ADD) % FIN_SPACE;
    for (int k = 6; k >= 0; k--) {
        out[k] = alphabet[v % 34];
        v /= 34;
    }
    out[7] = 0;
}

int64_t reg_index_of(const char *fin)
{
    if (!fin || strlen(fin) != 7)
        return -1;
    uint64_t v = 0;
    for (int k = 0; k < 7; k++) {
        const char *p = fin[k] ? strchr(alphabet, fin[k]) : NULL;
        if (!p)
            return -1;
        v = v * 34 + (uint64_t)(p - alphabet);
    }
    return (int64_t)mulmod((v + FIN_SPACE - FIN_ADD) % FIN_SPACE, inverse(FIN_MUL, FIN_SPACE), FIN_SPACE);
}

void reg_voen_of(uint64_t i, char out[11])
{
    snprintf(out, 11, "%010llu",
             (unsigned long long)((mulmod(i % VOEN_SPACE, VOEN_MUL, VOEN_SPACE) + VOEN_ADD) % VOEN_SPACE));
}

int64_t reg_voen_index(const char *voen)
{
    if (!voen || strlen(voen) != 10 || strspn(voen, "0123456789") != 10)
        return -1;
    uint64_t v = strtoull(voen, NULL, 10);
    return (int64_t)mulmod((v + VOEN_SPACE - VOEN_ADD) % VOEN_SPACE, inverse(VOEN_MUL, VOEN_SPACE), VOEN_SPACE);
}

/* A number from the index and a salt, spread well (splitmix64). */
uint64_t reg_mix(uint64_t i, uint64_t salt)
{
    uint64_t z = i * 0x9E3779B97F4A7C15ULL + salt * 0xBF58476D1CE4E5B9ULL + 0x94D049BB133111EBULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}


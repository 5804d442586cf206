/* code.c — the outside input of sharing, parsed without a database: a
 * share's code as a person types it, and the opener's address shortened
 * to the network shown to the owner and counted by the throttle.  The
 * fuzz harness tests/fuzz/fuzz_esafe_code.c runs both. */
#include "esafe.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* The letters of a code: no 0/O, 1/I/L look-alikes (as one-time codes). */
static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

void esafe_code_new(char code[ESAFE_CODE_LEN + 1])
{
    unsigned char rnd[ESAFE_CODE_LEN];
    /* 248 is the largest multiple of 31 below 256: no letter is likelier */
    for (size_t i = 0; i < ESAFE_CODE_LEN;) {
        pc_random_bytes(rnd, sizeof rnd);
        for (size_t j = 0; j < sizeof rnd && i < ESAFE_CODE_LEN; j++)
            if (rnd[j] < 248)
                code[i++] = alphabet[rnd[j] % 31];
    }
    code[ESAFE_CODE_LEN] = 0;
}

bool esafe_code_parse(const char *typed, char out[ESAFE_CODE_LEN + 1])
{
    size_t n = 0;
    for (const char *p = typed ? typed : ""; *p; p++) {
        char ch = *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
        if (ch == ' ' || ch == '-')
            continue;
        if (n == ESAFE_CODE_LEN || !strchr(alphabet, ch))
            return false;
        out[n++] = ch;
    }
    out[n] = 0;
    return n == ESAFE_CODE_LEN;
}

void esafe_network(const char *ip, char out[ESAFE_NETWORK_MAX])
{
    unsigned char a[16];
    char text[INET6_ADDRSTRLEN];
    if (ip && inet_pton(AF_INET, ip, a) == 1) {
        snprintf(out, ESAFE_NETWORK_MAX, "%u.%u.%u.x", a[0], a[1], a[2]);
    } else if (ip && inet_pton(AF_INET6, ip, a) == 1) {
        memset(a + 6, 0, 10);
        inet_ntop(AF_INET6, a, text, sizeof text);
        snprintf(out, ESAFE_NETWORK_MAX, "%s/48", text);
    } else {
        snprintf(out, ESAFE_NETWORK_MAX, "unknown");
    }
}

/* fuzz_esafe_code.c — what a third party sends to open a share, parsed
 * without a database: the code as typed (esafe_code_parse) and the
 * address shortened to its network (esafe_network).  Invariants: a code
 * taken is ESAFE_CODE_LEN letters of the code alphabet and parses to
 * itself; a network is "unknown", an IPv4 /24 ending ".x" or an IPv6 /48
 * ending "/48", shorter than ESAFE_NETWORK_MAX, and shortening it again
 * (without its suffix) gives the same. */
#include "fuzz_common.h"

#include "../../src/esafe/code.c"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0; /* a form field is text: it ends at its first NUL */
    char code[ESAFE_CODE_LEN + 1], again[ESAFE_CODE_LEN + 1];
    if (esafe_code_parse(text, code)) {
        FUZZ_CHECK(strlen(code) == ESAFE_CODE_LEN && strspn(code, alphabet) == ESAFE_CODE_LEN);
        FUZZ_CHECK(esafe_code_parse(code, again) && strcmp(code, again) == 0);
    }
    char net[ESAFE_NETWORK_MAX], net2[ESAFE_NETWORK_MAX];
    esafe_network(text, net);
    size_t n = strlen(net);
    FUZZ_CHECK(n > 0 && n < ESAFE_NETWORK_MAX);
    bool v4 = n > 2 && strcmp(net + n - 2, ".x") == 0, v6 = n > 3 && strcmp(net + n - 3, "/48") == 0;
    FUZZ_CHECK(strcmp(net, "unknown") == 0 || v4 || v6);
    if (v4 || v6) {
        /* the network's own address (.0 for IPv4) shortens to itself */
        char base[ESAFE_NETWORK_MAX];
        snprintf(base, sizeof base, "%.*s%s", (int)(n - (v4 ? 1 : 3)), net, v4 ? "0" : "");
        esafe_network(base, net2);
        FUZZ_CHECK(strcmp(net, net2) == 0);
    }
    free(text);
    return 0;
}

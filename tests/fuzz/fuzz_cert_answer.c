/* fuzz_cert_answer.c — a certificate login's answer as a client sends it
 * (the pasted text of the login page, the body of POST
 * /api/v1/auth/certificate) through id_cert_response_parse.
 * Invariants: an accepted answer has a challenge of ID_TOKEN_CHARS
 * base64url characters, a host of at most ID_HOST_MAX characters, a
 * certificate and a signature within their limits; and the answer made
 * again from what was parsed (base64 DER) parses to the same values. */
#include "fuzz_common.h"

#include "../../src/identity/cert_login.c"

#include <string.h>

static char *b64(struct pc_arena *a, const unsigned char *p, size_t n)
{
    char *s = pc_arena_alloc(a, 4 * n / 3 + 4);
    s[pc_b64url_encode(p, n, s)] = 0;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_cert_response r, again;
    struct pc_err err = {0};
    int rc = id_cert_response_parse(&a, (const char *)data, size, &r, &err);
    if (rc) {
        FUZZ_CHECK(rc == PC_EINVAL && err.msg[0]);
    } else {
        FUZZ_CHECK(strlen(r.challenge) == ID_TOKEN_CHARS);
        FUZZ_CHECK(strlen(r.host) > 0 && strlen(r.host) <= ID_HOST_MAX);
        FUZZ_CHECK(r.cert_len > 0 && r.cert_len <= CERT_DER_MAX);
        FUZZ_CHECK(r.sig_len > 0 && r.sig_len <= SIG_DER_MAX);
        json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "challenge", r.challenge, "host", r.host, "certificate",
                              b64(&a, r.cert, r.cert_len), "signature", b64(&a, r.sig, r.sig_len));
        char *text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        FUZZ_CHECK(text && id_cert_response_parse(&a, text, strlen(text), &again, &err) == 0);
        free(text);
        FUZZ_CHECK(strcmp(again.challenge, r.challenge) == 0 && strcmp(again.host, r.host) == 0);
        FUZZ_CHECK(again.cert_len == r.cert_len && memcmp(again.cert, r.cert, r.cert_len) == 0);
        FUZZ_CHECK(again.sig_len == r.sig_len && memcmp(again.sig, r.sig, r.sig_len) == 0);
    }
    pc_arena_release(&a);
    return 0;
}

/* fuzz_pay_callback.c — a provider's callback as the portal receives it:
 * the first line is the signature header, the rest the body, through
 * pay_verify and pay_event_parse.  Invariants: no crash, leak or
 * sanitizer report; verification answers 0 or PC_EDENIED (and 0 only for
 * a header made with the secret, which random input never is); parsing
 * answers 0, PC_EINVAL or PC_ETOOBIG with a message, the same twice; an
 * accepted event has short identifiers, a known status and an amount in
 * range. */
#include "fuzz_common.h"

#include "../../src/pay/status.c"
#include "../../src/pay/sign.c"
#include "../../src/pay/event.c"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *nl = memchr(p, '\n', size);
    size_t hlen = nl ? (size_t)(nl - p) : size;
    char *header = malloc(hlen + 1);
    memcpy(header, p, hlen);
    header[hlen] = 0;
    const char *body = nl ? nl + 1 : "";
    size_t blen = nl ? size - hlen - 1 : 0;
    struct pc_err e = {0};
    int v = pay_verify("fuzz-secret-0123456789", header, body, blen, 1796644800, &e);
    FUZZ_CHECK(v == 0 || (v == PC_EDENIED && e.msg[0]));
    if (v == 0) {
        char again[96];
        long long t = strtoll(header + 2, NULL, 10);
        pay_sign("fuzz-secret-0123456789", t, body, blen, again);
        FUZZ_CHECK(strcmp(again, header) == 0);
    }
    free(header);
    struct pc_arena a;
    pc_arena_init(&a);
    struct pay_event ev, ev2;
    struct pc_err e1 = {0}, e2 = {0};
    int rc = pay_event_parse(&a, body, blen, &ev, &e1);
    int rc2 = pay_event_parse(&a, body, blen, &ev2, &e2);
    FUZZ_CHECK(rc == rc2);
    FUZZ_CHECK(rc == 0 || ((rc == PC_EINVAL || rc == PC_ETOOBIG) && e1.msg[0] && strcmp(e1.msg, e2.msg) == 0));
    if (rc == 0) {
        FUZZ_CHECK(strlen(ev.event_id) >= 1 && strlen(ev.event_id) <= 64);
        FUZZ_CHECK(strlen(ev.provider_id) >= 1 && strlen(ev.provider_id) <= 64);
        FUZZ_CHECK(strlen(ev.reference) >= 1 && strlen(ev.reference) <= 64);
        FUZZ_CHECK((unsigned)ev.status < PAY_STATUS_COUNT);
        FUZZ_CHECK(ev.amount_qepik >= 0 && ev.amount_qepik == ev2.amount_qepik);
        FUZZ_CHECK(strcmp(ev.event_id, ev2.event_id) == 0);
    }
    pc_arena_release(&a);
    return 0;
}

/* fuzz_pay_settlement.c — a provider's settlement file through
 * pay_settlement_parse.  Invariants: no crash, leak or sanitizer report;
 * only 0, PC_EINVAL or PC_ETOOBIG, with a message, the same twice; an
 * accepted file has no more lines than it has line breaks, each with
 * short identifiers, a known status and 0 <= refunded <= amount. */
#include "fuzz_common.h"

#include "../../src/pay/status.c"
#include "../../src/pay/settle.c"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct pay_settle_line *l, *l2;
    size_t n, n2;
    struct pc_err e = {0}, e2 = {0};
    int rc = pay_settlement_parse(&a, (const char *)data, size, &l, &n, &e);
    int rc2 = pay_settlement_parse(&a, (const char *)data, size, &l2, &n2, &e2);
    FUZZ_CHECK(rc == rc2);
    FUZZ_CHECK(rc == 0 || ((rc == PC_EINVAL || rc == PC_ETOOBIG) && e.msg[0] && strcmp(e.msg, e2.msg) == 0));
    if (rc == 0) {
        size_t breaks = 0;
        for (size_t i = 0; i < size; i++)
            breaks += data[i] == '\n';
        FUZZ_CHECK(n == n2 && n <= breaks);
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(strlen(l[i].reference) >= 1 && strlen(l[i].reference) <= 64);
            FUZZ_CHECK(strlen(l[i].provider_id) >= 1 && strlen(l[i].provider_id) <= 64);
            FUZZ_CHECK((unsigned)l[i].status < PAY_STATUS_COUNT);
            FUZZ_CHECK(l[i].refunded_qepik >= 0 && l[i].refunded_qepik <= l[i].amount_qepik);
            FUZZ_CHECK(strcmp(l[i].reference, l2[i].reference) == 0);
        }
    }
    pc_arena_release(&a);
    return 0;
}

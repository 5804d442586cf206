/* fuzz_fine_answer.c — the fines register's answer to a look-up as the
 * portal reads it (fine_answer_parse, src/fines/registry.c): the first
 * byte picks the identifier's kind, the rest is the answer.  Invariants:
 * no crash, leak or sanitizer report; 0 or PC_EUNAVAIL with a message,
 * the same twice; an accepted protocol has a protocol number, an amount
 * of 1..FINE_AMOUNT_MAX qəpik, a masked plate no longer than 64 bytes,
 * and at most FINE_ANSWER_MAX of them. */
#include "fuzz_common.h"

#include "../../src/fines/registry.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char *const values[FINE_KEY_COUNT] = {"PR12345671", "0034LZB", "AB123456", "1400057421"};
    enum fine_key k = (enum fine_key)(data[0] % FINE_KEY_COUNT);
    const char *text = (const char *)data + 1;
    struct pc_arena a;
    pc_arena_init(&a);
    struct fine *f, *g;
    size_t n, m;
    struct pc_err e1 = {0}, e2 = {0};
    int rc = fine_answer_parse(&a, text, size - 1, k, values[k], &f, &n, &e1);
    int rc2 = fine_answer_parse(&a, text, size - 1, k, values[k], &g, &m, &e2);
    FUZZ_CHECK(rc == rc2);
    FUZZ_CHECK(rc == 0 || (rc == PC_EUNAVAIL && e1.msg[0] && strcmp(e1.msg, e2.msg) == 0));
    if (rc == 0) {
        FUZZ_CHECK(n == m && n <= FINE_ANSWER_MAX);
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(reg_protocol_ok(f[i].number));
            FUZZ_CHECK(f[i].amount_qepik > 0 && f[i].amount_qepik <= FINE_AMOUNT_MAX);
            FUZZ_CHECK(strlen(f[i].plate_masked) <= 64);
            FUZZ_CHECK(strcmp(f[i].number, g[i].number) == 0);
        }
    }
    pc_arena_release(&a);
    return 0;
}

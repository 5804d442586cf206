/* fuzz_social_bank.c — a bank's answer to social assistance's payment
 * orders through social_bank_answer_parse.  Invariants: no crash, leak or
 * sanitizer report; only 0, PC_EINVAL or PC_ETOOBIG, with a message, the
 * same twice; an accepted file has no more lines than line breaks + 1,
 * each with an order id of 4 to 60 of [0-9A-Z-] and a reason exactly when
 * rejected. */
#include "fuzz_common.h"

#include "../../src/social/bank.c"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct social_bank_line *l, *l2;
    size_t n, n2;
    struct pc_err e = {0}, e2 = {0};
    int rc = social_bank_answer_parse(&a, (const char *)data, size, &l, &n, &e);
    int rc2 = social_bank_answer_parse(&a, (const char *)data, size, &l2, &n2, &e2);
    FUZZ_CHECK(rc == rc2);
    FUZZ_CHECK(rc == 0 || ((rc == PC_EINVAL || rc == PC_ETOOBIG) && e.msg[0] && strcmp(e.msg, e2.msg) == 0));
    if (rc == 0) {
        size_t breaks = 0;
        for (size_t i = 0; i < size; i++)
            breaks += data[i] == '\n';
        FUZZ_CHECK(n == n2 && n <= breaks + 1);
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(l[i].order_id);
            FUZZ_CHECK(len >= 4 && len <= 60 && strspn(l[i].order_id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-") == len);
            FUZZ_CHECK(l[i].paid == (l[i].reason == NULL));
            FUZZ_CHECK(l[i].paid || (strlen(l[i].reason) >= 1 && strlen(l[i].reason) <= 200));
            FUZZ_CHECK(strcmp(l[i].order_id, l2[i].order_id) == 0);
        }
    }
    pc_arena_release(&a);
    return 0;
}

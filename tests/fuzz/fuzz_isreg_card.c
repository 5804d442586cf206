/* fuzz_isreg_card.c — a registration card from an API body through
 * isreg_card_parse and then isreg_card_check.  Invariants: no crash, leak
 * or sanitizer report; only 0 or PC_EINVAL; a failure has a message; the
 * same input gives the same answer and field twice; an accepted card has
 * bounded lists whose stored form (one per line) reads back the same, and
 * its check answers 0 or PC_EINVAL with the field at fault. */
#include "fuzz_common.h"

#include "../../src/isreg/vocab.c"
#include "../../src/isreg/card.c"
#include "../../src/isreg/json.c"

#include <string.h>

static void same_list(struct pc_arena *a, const struct isreg_list *l)
{
    FUZZ_CHECK(l->n <= ISREG_SERVICES_MAX);
    bool has_newline = false;
    for (size_t i = 0; i < l->n; i++)
        has_newline |= strchr(l->items[i], '\n') != NULL || !*l->items[i];
    if (has_newline)
        return;   /* such a list never passes isreg_card_check */
    struct isreg_list back;
    isreg_list_split(a, isreg_list_join(a, l), &back);
    FUZZ_CHECK(back.n == l->n);
    for (size_t i = 0; i < l->n; i++)
        FUZZ_CHECK(strcmp(back.items[i], l->items[i]) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct isreg_card c, c2;
    const char *field = NULL, *field2 = NULL;
    struct pc_err e = {0}, e2 = {0};
    int rc = isreg_card_parse(&a, (const char *)data, size, &c, &field, &e);
    int rc2 = isreg_card_parse(&a, (const char *)data, size, &c2, &field2, &e2);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    FUZZ_CHECK(rc == rc2);
    if (rc) {
        FUZZ_CHECK(e.msg[0] != 0 && strcmp(e.msg, e2.msg) == 0);
        FUZZ_CHECK((field == NULL) == (field2 == NULL) && (!field || strcmp(field, field2) == 0));
    } else {
        same_list(&a, &c.services_offered);
        same_list(&a, &c.services_used);
        same_list(&a, &c.portal_services);
        FUZZ_CHECK(c.categories < ISREG_BIT(ISREG_CAT_COUNT));
        int64_t today;
        isreg_date_parse("2026-12-07", &today);
        int ck = isreg_card_check(&c, today, &field, &e);
        FUZZ_CHECK(ck == 0 || (ck == PC_EINVAL && field && e.msg[0]));
    }
    pc_arena_release(&a);
    return 0;
}

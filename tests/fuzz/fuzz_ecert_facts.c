/* fuzz_ecert_facts.c — a register's answer about a person as an
 * e-certificate reads it: the first byte picks the document (the
 * population register's person, or the contracts, insurance or
 * taxpayers of a kind), the rest is the JSON.  Invariants: no crash,
 * leak or sanitizer report; the answer is 0 or PC_EINVAL with a message,
 * the same twice; an accepted person has a FİN, surname and name; lists
 * stay within ECERT_LIST_MAX; amounts are never negative. */
#include "fuzz_common.h"

#include "../../src/ecert/facts.c"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int which = data[0] % (ECERT_KIND_COUNT + 1);
    const char *json = (const char *)data + 1;
    size_t len = size - 1;
    struct pc_arena a;
    pc_arena_init(&a);
    struct ecert_facts f, g;
    struct pc_err e1 = {0}, e2 = {0};
    memset(&f, 0, sizeof f);
    memset(&g, 0, sizeof g);
    int rc, rc2;
    if (which == ECERT_KIND_COUNT) {
        rc = ecert_parse_person(&a, json, len, &f, &e1);
        rc2 = ecert_parse_person(&a, json, len, &g, &e2);
        if (rc == 0)
            FUZZ_CHECK(f.fin && f.surname && f.name && f.house >= 0 && f.apartment >= 0);
    } else {
        rc = ecert_parse_record(&a, (enum ecert_kind)which, json, len, &f, &e1);
        rc2 = ecert_parse_record(&a, (enum ecert_kind)which, json, len, &g, &e2);
    }
    FUZZ_CHECK(rc == rc2);
    FUZZ_CHECK(rc == 0 || (rc == PC_EINVAL && e1.msg[0] && strcmp(e1.msg, e2.msg) == 0));
    FUZZ_CHECK(f.njobs <= ECERT_LIST_MAX && f.ntaxpayers <= ECERT_LIST_MAX);
    for (size_t i = 0; i < f.njobs; i++)
        FUZZ_CHECK(f.jobs[i].salary_azn >= 0);
    FUZZ_CHECK(f.insurance_years >= 0 && f.contributions_azn >= 0 && f.pension_azn >= 0);
    pc_arena_release(&a);
    return 0;
}

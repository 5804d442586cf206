/* fuzz_usage_period.c — the period of /statistics?from=&to= (outside
 * input) through mon_period_parse.  The input is "FROM\nTO" (no newline:
 * TO absent).  Invariants: no crash or sanitizer report; an accepted
 * period is two real days YYYY-MM-DD of 2000–2999 with from ≤ to, and
 * whole_months exactly when from is a first and to a last day of a month;
 * a refused one comes with a message. */
#include "fuzz_common.h"

#include "../../src/monitor/usage.c"

#include <string.h>

static bool real_day(const char *d)
{
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return false;
    int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);
    return y >= 2000 && y <= 2999 && m >= 1 && m <= 12 && day >= 1 && day <= days_in(y, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64)
        return 0;
    char buf[65];
    memcpy(buf, data, size);
    buf[size] = 0;
    if (strlen(buf) != size)
        return 0; /* a query value has no NUL */
    char *nl = strchr(buf, '\n');
    const char *to = NULL;
    if (nl) {
        *nl = 0;
        to = nl + 1;
    }
    struct mon_period p;
    struct pc_err err = {0};
    int rc = mon_period_parse(buf, to, &p, &err);
    if (rc) {
        FUZZ_CHECK(rc == PC_EINVAL && err.msg[0]);
        return 0;
    }
    FUZZ_CHECK(real_day(p.from) && real_day(p.to) && strcmp(p.from, p.to) <= 0);
    bool whole = strcmp(p.from + 8, "01") == 0 && atoi(p.to + 8) == days_in(atoi(p.to), atoi(p.to + 5));
    FUZZ_CHECK(p.whole_months == whole);
    struct mon__parts o;
    mon__period_split(&p, &o); /* the tables' parts of the period cover it without overlap */
    FUZZ_CHECK(*o.head_from || *o.month_from || *o.tail_from);
    if (*o.month_from)
        FUZZ_CHECK(strcmp(o.month_from, o.month_to) <= 0);
    return 0;
}

/* fuzz_queue_day.c — the dates the queue takes from outside (?date=,
 * booking days, holidays) through q_day_number.  Invariants: a string is
 * either refused (INT64_MIN) or is exactly "YYYY-MM-DD" of a real day from
 * 2000 to 2200, and then the day number written back as a date gives the
 * same string; the local day of a centre at that day's local midnight is
 * that day, whatever the centre's offset. */
#include "fuzz_common.h"

#include "../../src/queue/centre.c"

#include <limits.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64)
        return 0;
    char s[65];
    memcpy(s, data, size);
    s[size] = 0;
    int64_t dn = q_day_number(s);
    if (dn == INT64_MIN)
        return 0;
    FUZZ_CHECK(strlen(s) == 10);   /* (an input with a NUL is read up to it, as C does) */
    FUZZ_CHECK(dn >= 10957 && dn <= 84370);     /* 2000-01-01 .. 2200-12-31 */
    struct queue_centre c = {.utc_offset = 0};
    char back[11];
    queue_local_day(&c, dn * 86400, back);
    FUZZ_CHECK(strcmp(back, s) == 0);
    for (int off = -720; off <= 840; off += 390) {
        c.utc_offset = off;
        queue_local_day(&c, q_day_start(&c, dn), back);
        FUZZ_CHECK(strcmp(back, s) == 0);
    }
    return 0;
}

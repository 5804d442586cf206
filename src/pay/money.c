/* money.c — amounts as people write them ("5", "5.50", "5,5" AZN) read
 * into integer qəpik without floating point, and written back. */
#include "pay.h"

#include <stdio.h>

int pay_azn_parse(const char *s, int64_t *qepik)
{
    int64_t whole = 0;
    int digits = 0, frac = 0, fdigits = 0;
    const char *p = s;
    if (!p)
        return -1;
    while (*p == ' ')
        p++;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (digits >= 9)
            return -1;
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.' || *p == ',') {
        for (p++; *p >= '0' && *p <= '9'; p++, fdigits++) {
            if (fdigits >= 2)
                return -1;
            frac = frac * 10 + (*p - '0');
        }
        if (fdigits == 0)
            return -1;
        if (fdigits == 1)
            frac *= 10;
    }
    while (*p == ' ')
        p++;
    if (*p || digits == 0)
        return -1;
    *qepik = whole * 100 + frac;
    return 0;
}

void pay_azn_format(int64_t qepik, char out[32])
{
    snprintf(out, 32, "%s%lld.%02lld", qepik < 0 ? "-" : "", (long long)(qepik < 0 ? -qepik : qepik) / 100,
             (long long)(qepik < 0 ? -qepik : qepik) % 100);
}

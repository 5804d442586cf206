/* vocab.c — the register's words (the API's and the data files') and its
 * calendar dates.  Dates are day numbers since 1970-01-01 in the proleptic
 * Gregorian calendar, so the 20-day clock is a subtraction. */
#include "isreg.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[ISREG_KIND_COUNT] = {"resource", "personal_data"};
static const char *const status_names[ISREG_STATUS_COUNT] = {"draft", "submitted", "returned", "registered",
                                                               "deregistered"};
static const char *const card_status_names[ISREG_CARD_STATUS_COUNT] = {"draft", "submitted", "returned",
                                                                         "registered", "superseded"};
static const char *const category_names[ISREG_CAT_COUNT] = {
    "identity", "contact",   "address",   "family",   "employment", "financial",
    "health",   "education", "biometric", "criminal", "property"};
static const char *const source_names[ISREG_SRC_COUNT] = {"exchange", "catalogue", "inspection"};
static const char *const check_names[ISREG_CHECK_COUNT] = {"on_time", "portal", "fin", "exchange", "findings"};
static const char *const check_result_names[] = {"pass", "fail", "not_applicable", "unknown"};
static const char *const compliance_names[ISREG_COMPLIANCE_COUNT] = {"compliant", "findings_open",
                                                                       "not_compliant"};

static int lookup(const char *const *names, int count, const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < count; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

const char *isreg_kind_name(enum isreg_kind v) { return kind_names[v]; }
const char *isreg_status_name(enum isreg_status v) { return status_names[v]; }
const char *isreg_card_status_name(enum isreg_card_status v) { return card_status_names[v]; }
const char *isreg_category_name(enum isreg_category v) { return category_names[v]; }
const char *isreg_source_name(enum isreg_source v) { return source_names[v]; }
const char *isreg_check_name(enum isreg_check v) { return check_names[v]; }
const char *isreg_check_result_name(enum isreg_check_result v) { return check_result_names[v]; }
const char *isreg_compliance_name(enum isreg_compliance v) { return compliance_names[v]; }
int isreg_kind_parse(const char *s) { return lookup(kind_names, ISREG_KIND_COUNT, s); }
int isreg_status_parse(const char *s) { return lookup(status_names, ISREG_STATUS_COUNT, s); }
int isreg_category_parse(const char *s) { return lookup(category_names, ISREG_CAT_COUNT, s); }
int isreg_source_parse(const char *s) { return lookup(source_names, ISREG_SRC_COUNT, s); }

/* ---- dates (H. Hinnant's days-from-civil arithmetic) ------------------- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void isreg_date_format(int64_t days, char out[11])
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int64_t y = yoe + era * 400 + (m <= 2);
    snprintf(out, 11, "%04d-%02d-%02d", (int)y, m, d);
}

int isreg_date_parse(const char *s, int64_t *days)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return PC_EINVAL;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return PC_EINVAL;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1990 || y > 2200 || m < 1 || m > 12 || d < 1)
        return PC_EINVAL;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return PC_EINVAL;
    *days = days_from_civil(y, m, d);
    return 0;
}

int64_t isreg_day_of(int64_t unix_secs)
{
    return unix_secs >= 0 ? unix_secs / 86400 : -((-unix_secs + 86399) / 86400);
}

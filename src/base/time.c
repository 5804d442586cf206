/* time.c — wall clock in UTC, monotonic durations, RFC 3339 formatting. */
#include "base.h"

#include <string.h>
#include <time.h>

int64_t pc_now_unix(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t pc_mono_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void pc_rfc3339(int64_t unix_secs, char out[21])
{
    time_t t = (time_t)unix_secs;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        strcpy(out, "9999-12-31T23:59:59Z"); /* beyond RFC 3339's four-digit years */
}

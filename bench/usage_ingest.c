/* usage_ingest.c — the ingest half of bench/usage.py: a year of synthetic
 * usage counted exactly as the portal counts it (mon_usage_count in
 * memory, mon_usage_flush into the day and month aggregates), so the time
 * measured is the real path without HTTP.  Events per day = persons ×
 * events a person a year ÷ 365; a service is drawn from a Zipf law over
 * svc-001 … svc-N (the synthetic catalogue bench/usage.py imports); 70 %
 * page views, 10 % applications begun, 20 % searches.  The counters are
 * flushed once a simulated hour (a node flushes every 10 s of real time;
 * a year of those, 3 million small transactions, is not what this
 * measures: it measures counting and the rows a year leaves).
 *
 * usage: bench_usage DB_URL SERVICES PERSONS EVENTS_PER_PERSON YEAR
 * prints one JSON line: events, seconds, events_per_second. */
#include "../src/monitor/monitor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_usage DB_URL SERVICES PERSONS EVENTS_PER_PERSON YEAR\n");
        return 2;
    }
    int nsvc = atoi(argv[2]);
    long long persons = atoll(argv[3]), per = atoll(argv[4]);
    int year = atoi(argv[5]);
    if (nsvc < 1 || nsvc > 9999 || persons < 1 || per < 1 || year < 2000 || year > 2999)
        return 2;
    struct pc_err err = {0};
    struct db *db = db_open(argv[1], &err);
    if (!db || db_migrate(db, &err)) {
        fprintf(stderr, "bench_usage: %s\n", err.msg);
        return 1;
    }
    double *cum = malloc((size_t)nsvc * sizeof *cum);
    char (*ids)[16] = malloc((size_t)nsvc * sizeof *ids);
    double total = 0;
    for (int i = 0; i < nsvc; i++) {
        total += 1.0 / pow(i + 1, 1.1);
        cum[i] = total;
        snprintf(ids[i], sizeof ids[i], "svc-%03d", i + 1);
    }
    struct tm tm = {.tm_year = year - 1900, .tm_mon = 0, .tm_mday = 1};
    int64_t start = (int64_t)timegm(&tm);
    int days = ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0) ? 366 : 365;
    long long per_day = persons * per / 365, events = 0;
    long long per_flush = per_day / 24 + 1;
    int64_t t0 = pc_mono_usec();
    for (int d = 0; d < days; d++) {
        int64_t day = start + (int64_t)d * 86400;
        for (long long e = 0; e < per_day; e++) {
            uint64_t r = next();
            int pick = (int)(r % 10);
            enum mon_metric m = pick < 7 ? MON_USE_VIEW : pick < 8 ? MON_USE_START : MON_USE_SEARCH;
            const char *svc = NULL;
            if (m != MON_USE_SEARCH) {
                double x = (double)(next() >> 11) / (double)(1ull << 53) * total;
                int lo = 0, hi = nsvc - 1;
                while (lo < hi) {
                    int mid = (lo + hi) / 2;
                    if (cum[mid] < x)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                svc = ids[lo];
            }
            int64_t now = day + e * 86400 / per_day;
            mon_usage_count(db, m, svc, now);
            if ((e + 1) % per_flush == 0 && mon_usage_flush(db, now, true, &err)) {
                fprintf(stderr, "bench_usage: %s\n", err.msg);
                return 1;
            }
            events++;
        }
        if (mon_usage_flush(db, day + 86399, true, &err)) {
            fprintf(stderr, "bench_usage: %s\n", err.msg);
            return 1;
        }
    }
    double secs = (double)(pc_mono_usec() - t0) / 1e6;
    printf("{\"events\": %lld, \"seconds\": %.2f, \"events_per_second\": %.0f, \"flushes_per_day\": %lld}\n", events,
           secs, (double)events / secs, per_day / per_flush + 1);
    db_close(db);
    free(cum);
    free(ids);
    return 0;
}

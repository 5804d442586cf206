/* social.c — the domain half of bench/social.py, printing one JSON object:
 *   bench_social means N        means-test computations per second
 *       (social_means_compute, pure) for households of 1 to 8 members
 *       with wages, pensions and benefits, on one thread;
 *   bench_social gather CONFIG FIN…   the evidence of one household
 *       through the exchange (the source the portal's job uses, with a
 *       demo-exchange.json-like CONFIG): per person the population
 *       register, then employment, pensions, real estate, vehicles and
 *       entrepreneurs (these two where CONFIG names them), one call
 *       each, in turn as the job asks; the calls, their latencies and
 *       the household's total. */
#include "../src/social/social.h"
#include "../src/xclient/xclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int gather(const char *config, char **fins, int n)
{
    struct pc_err err = {0};
    struct xc *x = xc_new(&(struct xc_config){.config_file = config}, &err);
    if (!x)
        return fprintf(stderr, "%s\n", err.msg), 1;
    struct social_source *src = social_source_xclient(x);
    int64_t lat[SOCIAL_MEMBERS_MAX * SOCIAL_REG_COUNT];
    int calls = 0, found = 0;
    int64_t t0 = pc_mono_usec();
    for (int i = 0; i < n && i < SOCIAL_MEMBERS_MAX; i++)
        for (int k = 0; k < SOCIAL_REG_COUNT; k++) {
            struct pc_arena a;
            pc_arena_init(&a);
            struct social_record rec;
            int64_t t = pc_mono_usec();
            int rc = src->fetch(src->ctx, (enum social_reg)k, fins[i], "AZ-2026-99999999", fins[0], &a, &rec, &err);
            lat[calls++] = pc_mono_usec() - t;
            pc_arena_release(&a);
            if (rc == PC_ENOTFOUND && social_reg_optional((enum social_reg)k)) {
                calls--; /* not named by the configuration: not asked */
                continue;
            }
            if (rc) {
                fprintf(stderr, "%s %s: %s\n", fins[i], social_reg_name((enum social_reg)k), err.msg);
                return 1;
            }
            found += rec.found;
            if (k == SOCIAL_REG_POPULATION && !rec.found)
                break;
        }
    int64_t total = pc_mono_usec() - t0;
    qsort(lat, (size_t)calls, sizeof lat[0], cmp);
    printf("{\"members\": %d, \"calls\": %d, \"found\": %d, \"total_ms\": %.1f, \"p50_ms\": %.1f, "
           "\"max_ms\": %.1f}\n",
           n, calls, found, total / 1e3, lat[calls / 2] / 1e3, lat[calls - 1] / 1e3);
    social_source_free(src);
    xc_free(x);
    return 0;
}

static int means(long n)
{
    struct social_params p = {.version = 1, .criterion = 24600, .months = 12, .count_wages = true,
                              .count_pensions = true, .max_dwellings = 2, .max_vehicles = 1};
    for (int r = 0; r < SOCIAL_RULE_COUNT; r++)
        p.refs[r] = "ref";
    struct social_member m[8];
    for (int i = 0; i < 8; i++)
        m[i] = (struct social_member){.fin = "AAAAAAA", .wages = 9000 * i, .pension = i % 3 ? 0 : 20000,
                                      .benefits = 5000, .dwellings = i == 0};
    struct social_means out;
    struct pc_err err = {0};
    long eligible = 0;
    int64_t t0 = pc_mono_usec();
    for (long i = 0; i < n; i++) {
        struct social_household h = {m, (size_t)(1 + i % 8)};
        if (social_means_compute(&p, &h, &out, &err))
            return fprintf(stderr, "%s\n", err.msg), 1;
        eligible += out.eligible;
    }
    double secs = (double)(pc_mono_usec() - t0) / 1e6;
    printf("{\"computations\": %ld, \"seconds\": %.3f, \"per_sec\": %.0f, \"eligible\": %ld}\n", n, secs, n / secs,
           eligible);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "means") == 0)
        return means(atol(argv[2]));
    if (argc >= 4 && strcmp(argv[1], "gather") == 0)
        return gather(argv[2], argv + 3, argc - 3);
    fprintf(stderr, "usage: bench_social means N | gather CONFIG FIN...\n");
    return 2;
}

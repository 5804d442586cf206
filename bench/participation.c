/* participation.c — the domain half of bench/participation.py: votes per
 * second with exactly-once counting, and bookings per second for one hot
 * day of one centre, through the module's own functions (no HTTP), on
 * the database given.  Prints one JSON line of figures; exits 1 when a
 * check fails (a vote lost or counted twice, a slot given twice).
 *
 *   bench_participation DB_URL CATALOG_DIR [THREADS] [VOTERS] [SECONDS]
 */
#include "../src/catalog/catalog.h"
#include "../src/participation/participation.h"
#include "../src/queue/queue.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct id_principal op = {.account_id = "bench", .login = "bench", .kind = ID_ACCOUNT_STAFF,
                                       .grants = {{ID_ROLE_OPERATOR, ""}}, .ngrants = 1};

struct worker {
    struct db *db;
    const char *poll;
    int id, threads, voters;
    int64_t ok, refused;
    double *lat_ms;              /* per vote */
};

static void *vote(void *arg)
{
    struct worker *w = arg;
    for (int i = w->id; i < w->voters; i += w->threads) {
        char fin[16];
        snprintf(fin, sizeof fin, "B%06d", i);
        struct id_principal p = {.account_id = fin, .kind = ID_ACCOUNT_CITIZEN, .fin = fin,
                                 .grants = {{ID_ROLE_CITIZEN, ""}}, .ngrants = 1};
        struct part_receipt r;
        enum part_refusal why;
        struct pc_err err = {0};
        int64_t t0 = pc_mono_usec();
        int rc = part_vote(w->db, &p, w->poll, i % 2 ? "1" : "2", NULL, &r, &why, &err);
        w->lat_ms[i] = (double)(pc_mono_usec() - t0) / 1000.0;
        if (rc == 0)
            w->ok++;
        else
            w->refused++;
        if (i % 10 == 0 && part_vote(w->db, &p, w->poll, "1", NULL, &r, &why, &err) == 0)
            w->ok++; /* a second vote: must be refused */
    }
    db_conn_release_thread(w->db);
    return NULL;
}

struct booker {
    struct db *db;
    struct queue_slot *slots;
    size_t nslots;
    int id, threads;
    int64_t ok, taken;
};

static void *book(void *arg)
{
    struct booker *b = arg;
    /* every thread walks all the slots from its own place: each slot is
     * asked for by every thread, so most requests race for a taken slot */
    for (size_t k = 0; k < b->nslots; k++) {
        size_t i = (k + (size_t)b->id * b->nslots / (size_t)b->threads) % b->nslots;
        char phone[48], name[32];
        snprintf(phone, sizeof phone, "+99470%03d%04zu", b->id, k % 10000);
        snprintf(name, sizeof name, "Bench %d", b->id);
        struct queue_booker who = {.name = name, .phone = phone, .lang = PC_LANG_AZ};
        struct pc_arena a;
        pc_arena_init(&a);
        struct queue_booking bk;
        struct pc_err err = {0};
        int rc = queue_book(b->db, &who, b->slots[i].id, NULL, &a, &bk, &err);
        pc_arena_release(&a);
        if (rc == 0)
            b->ok++;
        else if (rc == PC_ECONFLICT)
            b->taken++;
        else
            fprintf(stderr, "book: %s\n", err.msg);
    }
    db_conn_release_thread(b->db);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s DB_URL CATALOG_DIR [THREADS] [VOTERS]\n", argv[0]);
        return 2;
    }
    int threads = argc > 3 ? atoi(argv[3]) : 16, voters = argc > 4 ? atoi(argv[4]) : 50000;
    if (threads < 1 || threads > 256 || voters < 1)
        return 2;
    pc_log_set_level(PC_LOG_ERROR);
    struct pc_err err = {0};
    struct db *db = db_open(argv[1], &err);
    struct cat_import_stats cst;
    if (!db || db_migrate(db, &err) || cat_import(db, argv[2], NULL, &cst, &err)) {
        fprintf(stderr, "database: %s\n", err.msg);
        return 1;
    }
    struct pc_arena a;
    pc_arena_init(&a);
    /* ---- votes ---- */
    const struct pc_text opts[] = {{{"A", "A", "A"}}, {{"B", "B", "B"}}};
    int64_t now = pc_now_unix();
    struct part_poll_new pn = {.question = {{"?", "?", "?"}}, .options = opts, .noptions = 2, .opens_at = now,
                               .closes_at = now + 86400};
    const char *poll;
    if (part_poll_create(db, &op, &pn, NULL, &a, &poll, &err)) {
        fprintf(stderr, "poll: %s\n", err.msg);
        return 1;
    }
    struct worker *w = calloc((size_t)threads, sizeof *w);
    double *lat = calloc((size_t)voters, sizeof *lat);
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    int64_t t0 = pc_mono_usec();
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){db, poll, i, threads, voters, 0, 0, lat};
        pthread_create(&t[i], NULL, vote, &w[i]);
    }
    int64_t ok = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
    }
    double vote_secs = (double)(pc_mono_usec() - t0) / 1e6;
    db_idle(db);
    struct part_poll p;
    struct part_results res;
    if (part_poll_get(db, &a, poll, &p, &err) || part_results(db, &a, &p, &res, &err)) {
        fprintf(stderr, "results: %s\n", err.msg);
        return 1;
    }
    qsort(lat, (size_t)voters, sizeof *lat, cmp_double);
    bool votes_exact = ok == voters && res.total == voters && res.voters == voters;
    /* ---- bookings: one centre, one hot day ---- */
    const char *service_of[40];
    for (int i = 0; i < 40; i++)
        service_of[i] = "din-fine-check";
    struct queue_centre c = {.id = "bench-hot", .agency_id = "din", .name = {{"B", "B", "B"}},
                             .address = {{"", "", ""}}, .counters = 40, .service_of = service_of,
                             .slot_minutes = 10, .utc_offset = 240};
    for (int d = 0; d < 7; d++)
        c.week[d] = (struct queue_hours){9 * 60, 18 * 60};
    char day[11];
    queue_local_day(&c, now + 86400, day);
    int64_t made;
    struct queue_slot *slots;
    size_t nslots;
    if (queue_centre_put(db, NULL, &c, NULL, &err) || queue_slots_generate(db, c.id, day, 1, &made, &err) ||
        queue_slots(db, &a, c.id, "din-fine-check", day, &slots, &nslots, &err)) {
        fprintf(stderr, "centre: %s\n", err.msg);
        return 1;
    }
    struct booker *b = calloc((size_t)threads, sizeof *b);
    t0 = pc_mono_usec();
    for (int i = 0; i < threads; i++) {
        b[i] = (struct booker){db, slots, nslots, i, threads, 0, 0};
        pthread_create(&t[i], NULL, book, &b[i]);
    }
    int64_t booked = 0, taken = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        booked += b[i].ok;
        taken += b[i].taken;
    }
    double book_secs = (double)(pc_mono_usec() - t0) / 1e6;
    db_idle(db);
    if (queue_slots(db, &a, c.id, "din-fine-check", day, &slots, &nslots, &err))
        return 1;
    size_t free_left = 0;
    for (size_t i = 0; i < nslots; i++)
        free_left += slots[i].free;
    bool slots_exact = booked == (int64_t)nslots && free_left == 0;
    printf("{\"db\":\"%s\",\"threads\":%d,\"voters\":%d,\"votes_ok\":%lld,\"votes_counted\":%lld,"
           "\"vote_seconds\":%.3f,\"votes_per_sec\":%.0f,\"vote_p50_ms\":%.2f,\"vote_p99_ms\":%.2f,"
           "\"votes_exact\":%s,\"slots\":%zu,\"booking_attempts\":%lld,\"booked\":%lld,\"book_seconds\":%.3f,"
           "\"bookings_per_sec\":%.0f,\"attempts_per_sec\":%.0f,\"slots_exact\":%s}\n",
           db_kind_name(db), threads, voters, (long long)ok, (long long)res.total, vote_secs,
           (double)voters / vote_secs, lat[voters / 2], lat[voters * 99 / 100], votes_exact ? "true" : "false",
           nslots, (long long)(booked + taken), (long long)booked, book_secs, (double)booked / book_secs,
           (double)(booked + taken) / book_secs, slots_exact ? "true" : "false");
    free(b);
    free(w);
    free(t);
    free(lat);
    pc_arena_release(&a);
    db_close(db);
    return votes_exact && slots_exact ? 0 : 1;
}

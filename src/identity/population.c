/* population.c — the deterministic synthetic population the demo and the
 * scale tests use: a view of the population register's own generator
 * (src/registries), so the portal's people and the register's are the
 * same people — same FİN, names, birth date and address (one source of
 * truth; docs/exchange.md "One population").  Seed s takes the register's
 * people from s × 10 million. */
#include "identity.h"
#include "internal.h"
#include "../registries/registries.h"

#include <stdio.h>

static uint64_t mix(uint64_t x)
{
    /* splitmix64 finaliser: a good spread from consecutive inputs */
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Seed s is the slice of the register's people from s × 10 million: seed
 * 0 is the register's first people (the demo's), other seeds are others. */
#define SLICE 10000000ull
#define SLICES 5000ull   /* 5000 × 10 million fit the 34^7 FİNs */

static uint64_t register_index(uint64_t seed, int64_t i)
{
    return (seed % SLICES) * SLICE + (uint64_t)i;
}

void id_population_fin(uint64_t seed, int64_t i, char out[8])
{
    reg_fin_of(register_index(seed, i), out);
}

static const char *const mobile_codes[] = {"50", "51", "55", "70", "77", "99", "10"};

#define PICK(arr, r) (arr)[(r) % (sizeof(arr) / sizeof((arr)[0]))]

/* What the population register holds (names, sex, birth date, ID card,
 * address) comes from its generator; the contact details the portal
 * keeps of its own (phone, e-mail, language) and the disability flag are
 * made here. */
static void make_person(struct pc_arena *a, uint64_t seed, int64_t i, struct id_person *p)
{
    uint64_t idx = register_index(seed, i), r = mix(idx);
    struct reg_person rp;
    reg_person_of(idx, &rp);
    p->fin = pc_arena_strdup(a, rp.fin);
    p->first_name = rp.name;
    p->last_name = pc_arena_strdup(a, rp.surname);
    p->patronymic = pc_arena_strdup(a, rp.patronymic);
    p->birth_date = pc_arena_strdup(a, rp.birth_date);
    p->gender = rp.male ? "m" : "f";
    p->id_card = pc_arena_strdup(a, rp.id_card);
    p->address = pc_arena_printf(a, "%s, %s %d, mənzil %d", rp.city, rp.street, rp.house, rp.apartment);
    p->phone = pc_arena_printf(a, "+994%s%07llu", PICK(mobile_codes, r >> 37),
                               (unsigned long long)(mix(r + 1) % 10000000ull));
    p->email = (r >> 60) % 3 == 0 ? pc_arena_printf(a, "%c%s.%lld@example.az", 'a' + (int)(r % 26),
                                                      "istifadeci", (long long)i) : NULL;
    p->lang = (r >> 62) == 1 ? "ru" : "az";
    p->disability = (mix(r + 2) % 100) < 5;
    p->source = "synthetic";
}

int id_population_generate(struct db *db, uint64_t seed, int64_t first, int64_t count, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    const int64_t batch = 5000;
    for (int64_t start = first; start < first + count; start += batch) {
        struct pc_arena a;
        pc_arena_init(&a);
        int rc = db_begin(c, err);
        if (rc) {
            pc_arena_release(&a);
            return rc;
        }
        for (int64_t i = start; !rc && i < start + batch && i < first + count; i++) {
            struct id_person p;
            make_person(&a, seed, i, &p);
            rc = id_person_put(c, &p, err);
        }
        rc = db_end(c, rc, err);
        pc_arena_release(&a);
        if (rc)
            return rc;
    }
    return 0;
}

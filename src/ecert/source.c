/* source.c — registry data computed in this process: the synthetic
 * registers of src/registries (the demo's population of 1,000 and 400
 * taxpayers), the same documents the registries serve over the exchange
 * layer.  The portal's exchange client replaces this source with one
 * function of the same shape (struct ecert_source). */
#include "ecert.h"
#include "../registries/registries.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define PEOPLE 1000       /* the demo's population register (demo_exchange.c) */
#define TAXPAYERS 400     /* … and its taxpayers */

/* Whom each taxpayer belongs to (its director, else its owner), read
 * once: a certificate then makes and parses only the person's own
 * taxpayers, not all 400 (about a fifth of issuing's CPU before,
 * averaged over the four kinds). */
static char owners[TAXPAYERS][16];
static pthread_once_t owners_once = PTHREAD_ONCE_INIT;

static void owners_read(void)
{
    struct pc_arena a;
    pc_arena_init(&a);
    for (uint64_t t = 0; t < TAXPAYERS; t++) {
        json_t *d = json_loads(reg_taxpayer_json(&a, t, PEOPLE), 0, NULL);
        const char *owner = json_string_value(json_object_get(d, "director_fin"));
        if (!owner)
            owner = json_string_value(json_object_get(d, "owner_fin"));
        snprintf(owners[t], sizeof owners[t], "%s", owner ? owner : "");
        json_decref(d);
    }
    pc_arena_release(&a);
}

/* The taxpayers person i owns or directs, as {"fin", "taxpayers": [...]}. */
static const char *taxpayers_of(struct pc_arena *a, const char *fin)
{
    pthread_once(&owners_once, owners_read);
    json_t *list = json_array();
    for (uint64_t t = 0; t < TAXPAYERS; t++)
        if (*owners[t] && pc_str_eq(owners[t], fin))
            json_array_append_new(list, json_loads(reg_taxpayer_json(a, t, PEOPLE), 0, NULL));
    json_t *doc = json_pack("{s:s, s:o}", "fin", fin, "taxpayers", list);
    char *s = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!s)
        pc_oom(0);
    const char *out = pc_arena_strdup(a, s);
    free(s);
    return out;
}

static int local_record(void *ctx, struct pc_arena *a, enum ecert_kind k, bool person, const char *fin,
                        const char **json, struct pc_err *err)
{
    (void)ctx;
    int64_t i = reg_index_of(fin);
    if (i < 0)
        return pc_err_set(err, PC_ENOTFOUND, "%s is not a FİN", fin ? fin : "");
    if (person) {
        *json = reg_person_json(a, (uint64_t)i, PEOPLE);
        return 0;
    }
    switch (k) {
    case ECERT_EMPLOYMENT:
        *json = reg_contracts_json(a, (uint64_t)i, TAXPAYERS);
        return 0;
    case ECERT_INCOME:
        *json = reg_insurance_json(a, (uint64_t)i);
        return 0;
    case ECERT_TAXPAYER:
        *json = taxpayers_of(a, fin);
        return 0;
    case ECERT_ADDRESS:
    case ECERT_KIND_COUNT:
        break;
    }
    return pc_err_set(err, PC_EINVAL, "no register for that kind of certificate");
}

struct ecert_source ecert_source_local(void)
{
    return (struct ecert_source){.record = local_record, .ctx = NULL};
}

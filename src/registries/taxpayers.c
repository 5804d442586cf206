/* taxpayers.c — synthetic taxpayers for the tax system's register (AVİS),
 * by VÖEN: legal entities (MMC, ASC) with a director and representatives
 * who may act for them, and individual entrepreneurs with their owner —
 * all people of the synthetic population by FİN, so the registers agree;
 * an entrepreneur's last simplified-tax return states the year's income.
 * Computed from the index alone, like the people (ids.c). */
#include "internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const words[] = {"Xəzər", "Günəş", "Şirvan", "Qafqaz", "Araz", "Kür", "Abşeron", "Göygöl",
                                    "Şahdağ", "Qarabağ", "Ulduz", "Çinar"};
static const char *const sectors[] = {"Tikinti", "Ticarət", "Logistika", "Aqro", "Texnologiya", "Enerji",
                                      "Xidmət", "Turizm", "Tibb", "Təhsil"};
static const char *const cities[] = {"Bakı", "Sumqayıt", "Gəncə", "Şəki", "Lənkəran", "Quba", "Şirvan", "Yevlax"};

static json_t *fin_json(uint64_t person)
{
    char f[8];
    reg_fin_of(person, f);
    return json_string(f);
}

static uint64_t director_of(uint64_t i, uint64_t people)
{
    return reg_mix(i, 22) % (people ? people : 1);
}

bool reg_entrepreneur_of(uint64_t i, uint64_t people, char fin[8])
{
    if (i % 4 != 3)
        return false;
    reg_fin_of(director_of(i, people), fin);
    return true;
}

const char *reg_taxpayer_json(struct pc_arena *a, uint64_t i, uint64_t people)
{
    char voen[11], owner[8];
    reg_voen_of(i, voen);
    bool entrepreneur = reg_entrepreneur_of(i, people, owner);
    const char *sector = REG_PICK(sectors, i, 21);
    json_t *d = json_object();
    json_object_set_new(d, "voen", json_string(voen));
    uint64_t director = director_of(i, people);
    if (entrepreneur) {
        json_object_set_new(d, "kind", json_string("individual_entrepreneur"));
        json_object_set_new(d, "name", json_string(pc_arena_printf(a, "Fərdi sahibkar (%s)", sector)));
        json_object_set_new(d, "legal_form", json_null());
        json_object_set_new(d, "income_last_year_azn", json_integer(1200 + (int)(reg_mix(i, 34) % 24000)));
    } else {
        bool jsc = reg_mix(i, 23) % 10 == 0;
        json_object_set_new(d, "kind", json_string("legal_entity"));
        json_object_set_new(d, "name", json_string(pc_arena_printf(a, "%s %s %s", REG_PICK(words, i, 24), sector,
                                                                   jsc ? "ASC" : "MMC")));
        json_object_set_new(d, "legal_form", json_string(jsc ? "ASC" : "MMC"));
    }
    int year = 1995 + (int)(reg_mix(i, 25) % 30), month = 1 + (int)(reg_mix(i, 26) % 12),
        day = 1 + (int)(reg_mix(i, 27) % 28);
    json_object_set_new(d, "registered_at", json_string(pc_arena_printf(a, "%04d-%02d-%02d", year, month, day)));
    json_object_set_new(d, "status", json_string(reg_mix(i, 28) % 20 == 0 ? "liquidated" : "active"));
    json_object_set_new(d, "activity", json_string(sector));
    json_object_set_new(d, "vat_payer", json_boolean(reg_mix(i, 29) % 3 == 0));
    json_object_set_new(d, "address", json_pack("{s:s, s:i}", "city", REG_PICK(cities, i, 30), "postcode",
                                                1000 + (int)(reg_mix(i, 31) % 8000)));
    /* who may act for it: the owner or director, and for a company up to two more */
    json_object_set_new(d, entrepreneur ? "owner_fin" : "director_fin", fin_json(director));
    json_t *reps = json_array();
    json_array_append_new(reps, fin_json(director));
    for (uint64_t k = 0; !entrepreneur && k < reg_mix(i, 32) % 3; k++)
        json_array_append_new(reps, fin_json(reg_mix(i, 33 + k) % (people ? people : 1)));
    json_object_set_new(d, "representatives", reps);
    char *s = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    const char *out = pc_arena_strdup(a, s);
    free(s);
    return out;
}

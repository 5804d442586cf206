/* holdings.c — what the other authentic sources hold about a person of
 * the synthetic population, by FİN, computed from the person's index:
 * real estate (properties with their cadastre numbers, shares and
 * encumbrances), employment contracts (employers by VÖEN from the
 * synthetic taxpayers, positions, salaries, dates) and social insurance
 * (years insured, last year's contributions, a pension when old enough,
 * social assistance) and vehicles (the interior ministry's register, İAMAS
 * style: plates as Azerbaijan writes them, 10-AB-123, make, model, year,
 * registration day, pledged to a bank or arrested). */
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = {"apartment", "house", "land", "garage"};
static const char *const banks[] = {"Kapital Bank ASC", "PAŞA Bank ASC", "ABB ASC", "Bank Respublika ASC"};
static const char *const positions[] = {"mühəndis", "mühasib", "müəllim", "həkim", "satış meneceri", "sürücü",
                                        "proqramçı", "tibb bacısı", "hüquqşünas", "operator"};
static const char *const cities[] = {"Bakı", "Sumqayıt", "Gəncə", "Şəki", "Lənkəran", "Quba", "Şirvan", "Yevlax"};

static const char *done(struct pc_arena *a, json_t *d)
{
    char *s = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    const char *out = pc_arena_strdup(a, s);
    free(s);
    return out;
}

static json_t *with_fin(uint64_t i)
{
    char fin[8];
    reg_fin_of(i, fin);
    return json_pack("{s:s}", "fin", fin);
}

static const char *date(struct pc_arena *a, uint64_t i, uint64_t salt, int from, int span)
{
    return pc_arena_printf(a, "%04d-%02d-%02d", from + (int)(reg_mix(i, salt) % (uint64_t)span),
                           1 + (int)(reg_mix(i, salt + 1) % 12), 1 + (int)(reg_mix(i, salt + 2) % 28));
}

const char *reg_properties_json(struct pc_arena *a, uint64_t i)
{
    json_t *d = with_fin(i), *list = json_array();
    for (uint64_t k = 0; k < reg_mix(i, 40) % 3; k++) {
        uint64_t h = i * 8 + k;
        json_t *p = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "cadastre_no",
                              pc_arena_printf(a, "%02d-%03d-%05d", (int)(reg_mix(h, 41) % 90) + 1,
                                              (int)(reg_mix(h, 42) % 1000), (int)(reg_mix(h, 43) % 100000)),
                              "kind", REG_PICK(kinds, h, 44), "city", REG_PICK(cities, h, 45), "area_m2",
                              20 + (int)(reg_mix(h, 46) % 400), "share", reg_mix(h, 47) % 3 ? "1/1" : "1/2",
                              "registered_at", date(a, h, 48, 1996, 29));
        json_t *enc = json_array();
        if (reg_mix(h, 51) % 4 == 0)
            json_array_append_new(enc, json_pack("{s:s, s:s, s:s}", "kind", "mortgage", "holder",
                                                 REG_PICK(banks, h, 52), "until", date(a, h, 53, 2027, 20)));
        if (reg_mix(h, 56) % 25 == 0)
            json_array_append_new(enc, json_pack("{s:s, s:s}", "kind", "arrest", "by", "İcra xidməti"));
        json_object_set_new(p, "encumbrances", enc);
        json_array_append_new(list, p);
    }
    json_object_set_new(d, "properties", list);
    return done(a, d);
}

const char *reg_contracts_json(struct pc_arena *a, uint64_t i, uint64_t taxpayers)
{
    json_t *d = with_fin(i), *list = json_array();
    /* children of the synthetic families (roles 2 and 3) are younger: fewer contracts */
    uint64_t n = i % 4 >= 2 ? reg_mix(i, 60) % 2 : 1 + reg_mix(i, 60) % 2;
    for (uint64_t k = 0; k < n; k++) {
        uint64_t h = i * 8 + k;
        char voen[11];
        reg_voen_of(reg_mix(h, 61) % (taxpayers ? taxpayers : 1), voen);
        bool current = k == n - 1 && reg_mix(h, 62) % 5;
        json_t *c = json_pack("{s:s, s:s, s:i, s:s}", "employer_voen", voen, "position",
                              REG_PICK(positions, h, 63), "salary_azn", 400 + (int)(reg_mix(h, 64) % 3000),
                              "started_at", date(a, h, 65, 2000 + (int)k * 10, 10));
        json_object_set_new(c, "ended_at", current ? json_null() : json_string(date(a, h, 68, 2021, 4)));
        json_array_append_new(list, c);
    }
    json_object_set_new(d, "contracts", list);
    return done(a, d);
}

const char *reg_insurance_json(struct pc_arena *a, uint64_t i)
{
    json_t *d = with_fin(i);
    bool parent = i % 4 < 2, old = parent && reg_mix(i / 4, 8) % 36 < 8; /* mothers born before 1958 */
    int years = parent ? 10 + (int)(reg_mix(i, 70) % 30) : (int)(reg_mix(i, 70) % 15);
    json_object_set_new(d, "insured", json_boolean(years > 0));
    json_object_set_new(d, "insurance_years", json_integer(years));
    json_object_set_new(d, "contributions_last_year_azn", json_integer(old ? 0 : 600 + (int)(reg_mix(i, 71) % 6000)));
    json_object_set_new(d, "pension", old ? json_pack("{s:s, s:i, s:s}", "kind", "age", "amount_azn",
                                                      280 + (int)(reg_mix(i, 72) % 600), "since",
                                                      date(a, i, 73, 2015, 10))
                                          : json_null());
    json_object_set_new(d, "social_assistance",
                        reg_mix(i / 4, 76) % 12 == 0
                            ? json_pack("{s:s, s:i, s:s}", "kind", "targeted", "amount_azn",
                                        100 + (int)(reg_mix(i / 4, 77) % 200), "since", date(a, i / 4, 78, 2020, 6))
                            : json_null());
    return done(a, d);
}

static const char *const plate_regions[] = {"10", "90", "77", "99", "20", "50", "45", "60", "85", "01"};
static const char plate_letters[] = "ABCDEFGHJKLMNPRSTUVXYZ"; /* no I, O, Q, W on Azerbaijani plates */
static const char *const makes[][2] = {{"Toyota", "Camry"},  {"Toyota", "Prius"},  {"Hyundai", "Elantra"},
                                       {"Kia", "Rio"},       {"LADA", "Priora"},   {"LADA", "Niva"},
                                       {"Mercedes-Benz", "E 200"}, {"Chevrolet", "Cobalt"}, {"Nissan", "Sunny"},
                                       {"Ford", "Transit"},  {"Opel", "Astra"},    {"Khazar", "LX"}};

int reg_vehicles_of(uint64_t i)
{
    if (i % 4 >= 2)
        return 0; /* children of the synthetic families */
    uint64_t r = reg_mix(i, 80) % 10;
    return r < 6 ? 0 : r < 9 ? 1 : 2;
}

const char *reg_vehicles_json(struct pc_arena *a, uint64_t i)
{
    json_t *d = with_fin(i), *list = json_array();
    for (int k = 0; k < reg_vehicles_of(i); k++) {
        uint64_t h = i * 8 + (uint64_t)k;
        const char *const *m = makes[reg_mix(h, 81) % (sizeof makes / sizeof makes[0])];
        char plate[16];
        snprintf(plate, sizeof plate, "%s-%c%c-%03d", REG_PICK(plate_regions, h, 82),
                 plate_letters[reg_mix(h, 83) % (sizeof plate_letters - 1)],
                 plate_letters[reg_mix(h, 84) % (sizeof plate_letters - 1)], (int)(reg_mix(h, 85) % 999) + 1);
        int year = 1995 + (int)(reg_mix(h, 86) % 31);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:i, s:s, s:b, s:b}", "plate", plate, "make", m[0],
                                              "model", m[1], "year", year, "registered_at",
                                              date(a, h, 87, year, 2027 - year), "pledged", reg_mix(h, 90) % 6 == 0,
                                              "arrested", reg_mix(h, 91) % 20 == 0));
    }
    json_object_set_new(d, "vehicles", list);
    return done(a, d);
}

/* population.c — synthetic people for the population register, computed
 * from a person's index alone, so any part of ten million is made in any
 * order and the same every time.  Families of four (father, mother, two
 * children) share a surname and an address; the children's patronymic is
 * the father's name; dates fit (parents born 1950–1985, children 20–40
 * years after their mother).  The FİN comes from the index (ids.c). */
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const male[] = {"Əli", "Rəşad", "Elvin", "Tural", "Orxan", "Kamran", "Murad", "Vüqar",
                                   "Elnur", "Ramil", "Anar", "Fərid", "Səbuhi", "Nicat", "Hüseyn", "Cavid",
                                   "İlkin", "Ülvi", "Emin", "Rauf"};
static const char *const female[] = {"Aysel", "Günel", "Leyla", "Nərmin", "Səbinə", "Aynur", "Könül", "Fidan",
                                     "Ülviyyə", "Nigar", "Aytən", "Lalə", "Şəbnəm", "Türkan", "Zəhra", "Sevinc",
                                     "Xədicə", "Nərgiz", "Gülnar", "İlahə"};
static const char *const surnames[] = {"Məmmədov", "Əliyev", "Həsənov", "Hüseynov", "Quliyev", "İsmayılov",
                                       "Əhmədov", "Abdullayev", "Rzayev", "Cəfərov", "Süleymanov", "Orucov",
                                       "Bağırov", "Nəsirov", "Qasımov", "Kərimov", "Şükürov", "Vəliyev",
                                       "Zeynalov", "Babayev"};
static const struct {
    const char *region, *city;
} places[] = {{"Bakı", "Bakı"},          {"Bakı", "Sumqayıt"},    {"Gəncə-Daşkəsən", "Gəncə"},
              {"Şəki-Zaqatala", "Şəki"}, {"Lənkəran-Astara", "Lənkəran"}, {"Quba-Xaçmaz", "Quba"},
              {"Mil-Muğan", "İmişli"},   {"Şirvan-Salyan", "Şirvan"},    {"Naxçıvan", "Naxçıvan"},
              {"Mərkəzi Aran", "Yevlax"}};
static const char *const streets[] = {"Nizami küçəsi", "Füzuli küçəsi", "Azadlıq prospekti", "Neftçilər prospekti",
                                      "Səməd Vurğun küçəsi", "Xətai prospekti", "Üzeyir Hacıbəyov küçəsi",
                                      "Cəfər Cabbarlı küçəsi", "Natəvan küçəsi", "İstiqlaliyyət küçəsi"};

static json_t *fin_json(uint64_t i, uint64_t n)
{
    if (i >= n)
        return json_null();
    char f[8];
    reg_fin_of(i, f);
    return json_string(f);
}

/* The day of year doy of year y as YYYY-MM-DD. */
static void date_of(int y, int doy, char out[16])
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m = 0;
    while (m < 11 && doy >= days[m]) {
        doy -= days[m];
        m++;
    }
    snprintf(out, 16, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)(m + 1) % 100u, (unsigned)(doy + 1) % 100u);
}

void reg_person_of(uint64_t i, struct reg_person *p)
{
    memset(p, 0, sizeof *p);
    uint64_t fam = i / 4;
    p->role = (int)(i % 4);
    p->male = p->role == 0 || (p->role >= 2 && reg_mix(i, 1) % 2 == 0);
    const char *father = REG_PICK(male, fam, 2);
    p->name = p->role == 0 ? father : p->role == 1 ? REG_PICK(female, fam, 3)
              : p->male ? REG_PICK(male, i, 4) : REG_PICK(female, i, 4);
    const char *sur = REG_PICK(surnames, fam, 5); /* the family's; a woman's ends in -a */
    snprintf(p->surname, sizeof p->surname, "%s%s", sur, p->male ? "" : "a");
    snprintf(p->patronymic, sizeof p->patronymic, "%s %s", p->role >= 2 ? father : REG_PICK(male, i, 7),
             p->male ? "oğlu" : "qızı");
    int mother_year = 1950 + (int)(reg_mix(fam, 8) % 36);
    p->birth_year = p->role == 0 ? mother_year - (int)(reg_mix(fam, 9) % 6) : p->role == 1 ? mother_year
                    : mother_year + 20 + (int)(reg_mix(i, 10) % 21);
    date_of(p->birth_year, (int)(reg_mix(i, 13) % 365), p->birth_date);
    int place = (int)(reg_mix(fam, 11) % (sizeof places / sizeof places[0]));
    p->birth_place = places[(place + (p->role == 1)) % 10].city;
    p->region = places[place].region;
    p->city = places[place].city;
    p->street = REG_PICK(streets, fam, 14);
    p->house = 1 + (int)(reg_mix(fam, 15) % 120);
    p->apartment = 1 + (int)(reg_mix(fam, 16) % 80);
    reg_fin_of(i, p->fin);
    snprintf(p->id_card, sizeof p->id_card, "AZE%08llu", (unsigned long long)(reg_mix(i, 12) % 100000000ULL));
}

const char *reg_person_json(struct pc_arena *a, uint64_t i, uint64_t n)
{
    struct reg_person p;
    reg_person_of(i, &p);
    uint64_t fam = i / 4;
    int role = p.role;
    char day[16];
    json_t *d = json_object();
    json_object_set_new(d, "fin", json_string(p.fin));
    json_object_set_new(d, "surname", json_string(p.surname));
    json_object_set_new(d, "name", json_string(p.name));
    json_object_set_new(d, "patronymic", json_string(p.patronymic));
    json_object_set_new(d, "sex", json_string(p.male ? "M" : "F"));
    json_object_set_new(d, "birth_date", json_string(p.birth_date));
    json_object_set_new(d, "birth_place", json_string(p.birth_place));
    json_object_set_new(d, "death_date", json_null());
    json_object_set_new(d, "citizenship", json_string("AZ"));
    json_object_set_new(d, "marital_status", json_string(role < 2 ? "married" : "single"));
    json_object_set_new(d, "father_fin", role >= 2 ? fin_json(fam * 4, n) : json_null());
    json_object_set_new(d, "mother_fin", role >= 2 ? fin_json(fam * 4 + 1, n) : json_null());
    json_object_set_new(d, "spouse_fin", role < 2 ? fin_json(fam * 4 + (uint64_t)(role ^ 1), n) : json_null());
    json_t *kids = json_array();
    for (uint64_t k = 2; role < 2 && k < 4; k++)
        if (fam * 4 + k < n)
            json_array_append_new(kids, fin_json(fam * 4 + k, n));
    json_object_set_new(d, "children_fins", kids);
    json_object_set_new(d, "address", json_pack("{s:s, s:s, s:s, s:i, s:i}", "region", p.region, "city", p.city,
                                                "street", p.street, "house", p.house, "apartment", p.apartment));
    json_object_set_new(d, "id_card", json_string(p.id_card));
    date_of(p.birth_year + (role >= 2 ? 0 : 18), (int)(reg_mix(i, 17) % 365), day);
    json_object_set_new(d, "registered_at", json_string(day));
    char *s = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    const char *out = pc_arena_strdup(a, s);
    free(s);
    return out;
}

/* population.c — synthetic people for the population register, computed
 * from a person's index alone, so any part of ten million is made in any
 * order and the same every time.  Families of four (father, mother, two
 * children) share a surname and an address; the children's patronymic is
 * the father's name; dates fit (parents born 1950–1985, children 20–40
 * years after their mother).  The FİN comes from the index (ids.c). */
#include "internal.h"

#include <jansson.h>
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

static json_t *date_json(int y, int doy)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m = 0;
    while (m < 11 && doy >= days[m]) {
        doy -= days[m];
        m++;
    }
    char s[40];
    snprintf(s, sizeof s, "%04d-%02d-%02d", y, m + 1, doy + 1);
    return json_string(s);
}

const char *reg_person_json(struct pc_arena *a, uint64_t i, uint64_t n)
{
    uint64_t fam = i / 4, role = i % 4;
    bool is_male = role == 0 || (role >= 2 && reg_mix(i, 1) % 2 == 0);
    const char *father = REG_PICK(male, fam, 2), *name = role == 0 ? father : role == 1 ? REG_PICK(female, fam, 3)
                                                     : is_male ? REG_PICK(male, i, 4) : REG_PICK(female, i, 4);
    const char *sur = REG_PICK(surnames, fam, 5); /* the family's; a woman's ends in -a */
    char patronymic[64];
    if (role >= 2)
        snprintf(patronymic, sizeof patronymic, "%s %s", father, is_male ? "oğlu" : "qızı");
    else
        snprintf(patronymic, sizeof patronymic, "%s %s", REG_PICK(male, i, 7), is_male ? "oğlu" : "qızı");
    int mother_year = 1950 + (int)(reg_mix(fam, 8) % 36);
    int year = role == 0 ? mother_year - (int)(reg_mix(fam, 9) % 6) : role == 1 ? mother_year
               : mother_year + 20 + (int)(reg_mix(i, 10) % 21);
    int place = (int)(reg_mix(fam, 11) % (sizeof places / sizeof places[0]));
    json_t *d = json_object();
    char fin[8], card[16];
    reg_fin_of(i, fin);
    snprintf(card, sizeof card, "AA%07llu", (unsigned long long)(reg_mix(i, 12) % 10000000ULL));
    json_object_set_new(d, "fin", json_string(fin));
    json_object_set_new(d, "surname", json_string(is_male ? sur : pc_arena_printf(a, "%sa", sur)));
    json_object_set_new(d, "name", json_string(name));
    json_object_set_new(d, "patronymic", json_string(patronymic));
    json_object_set_new(d, "sex", json_string(is_male ? "M" : "F"));
    json_object_set_new(d, "birth_date", date_json(year, (int)(reg_mix(i, 13) % 365)));
    json_object_set_new(d, "birth_place", json_string(places[(place + (role == 1)) % 10].city));
    json_object_set_new(d, "death_date", json_null());
    json_object_set_new(d, "citizenship", json_string("AZ"));
    json_object_set_new(d, "marital_status", json_string(role < 2 ? "married" : "single"));
    json_object_set_new(d, "father_fin", role >= 2 ? fin_json(fam * 4, n) : json_null());
    json_object_set_new(d, "mother_fin", role >= 2 ? fin_json(fam * 4 + 1, n) : json_null());
    json_object_set_new(d, "spouse_fin", role < 2 ? fin_json(fam * 4 + (role ^ 1), n) : json_null());
    json_t *kids = json_array();
    for (uint64_t k = 2; role < 2 && k < 4; k++)
        if (fam * 4 + k < n)
            json_array_append_new(kids, fin_json(fam * 4 + k, n));
    json_object_set_new(d, "children_fins", kids);
    json_object_set_new(d, "address", json_pack("{s:s, s:s, s:s, s:i, s:i}", "region", places[place].region, "city",
                                                places[place].city, "street", REG_PICK(streets, fam, 14), "house",
                                                1 + (int)(reg_mix(fam, 15) % 120), "apartment",
                                                1 + (int)(reg_mix(fam, 16) % 80)));
    json_object_set_new(d, "id_card", json_string(card));
    json_object_set_new(d, "registered_at", date_json(year + (role >= 2 ? 0 : 18), (int)(reg_mix(i, 17) % 365)));
    char *s = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    const char *out = pc_arena_strdup(a, s);
    free(s);
    return out;
}

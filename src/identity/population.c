/* population.c — the deterministic synthetic population the demo and the
 * scale tests use until the population registry is reachable through the
 * exchange layer: Azerbaijani names, addresses and phones from a seed. */
#include "identity.h"
#include "internal.h"

#include <stdio.h>

static uint64_t mix(uint64_t x)
{
    /* splitmix64 finaliser: a good spread from consecutive inputs */
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

#define FIN_SPACE 78364164096ull      /* 36^7 */
#define FIN_STEP 48271ull * 65537ull  /* coprime with 36: i ↦ FİN is one-to-one */

void id_population_fin(uint64_t seed, int64_t i, char out[8])
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint64_t v = ((uint64_t)i * FIN_STEP + mix(seed) % FIN_SPACE) % FIN_SPACE;
    for (int k = 6; k >= 0; k--) {
        out[k] = digits[v % 36];
        v /= 36;
    }
    out[7] = 0;
}

static const char *const male_names[] = {
    "Əli", "Məmməd", "Hüseyn", "Həsən", "Elçin", "Rəşad", "Orxan", "Tural", "Kamran", "Anar",
    "Elvin", "Fərid", "Cavid", "Nicat", "Ramil", "Vüqar", "Səbuhi", "İlkin", "Emin", "Zaur",
    "Rövşən", "Şahin", "Nurlan", "Murad", "Qalib", "Ülvi", "Toğrul", "Ceyhun", "Fuad", "Elşən"};
static const char *const female_names[] = {
    "Aynur", "Leyla", "Günel", "Səbinə", "Nərgiz", "Aygün", "Şəbnəm", "Ülkər", "Könül", "Aysel",
    "Lalə", "Nigar", "Fidan", "Gülnar", "Sevinc", "Türkan", "Zəhra", "İlahə", "Xədicə", "Aytən",
    "Rəna", "Mələk", "Nərmin", "Gülşən", "Elnarə", "Səadət", "Zümrüd", "Çiçək", "Ulduz", "Pərvin"};
static const char *const surname_roots[] = {
    "Məmmədov", "Əliyev", "Həsənov", "Hüseynov", "Quliyev", "İsmayılov", "Abdullayev", "Rzayev",
    "Cəfərov", "Bağırov", "Nəsirov", "Əhmədov", "Kazımov", "Süleymanov", "Mustafayev", "Orucov",
    "Qasımov", "Vəliyev", "Şükürov", "Babayev", "Zeynalov", "Kərimov", "Musayev", "Nəbiyev",
    "Sadıqov", "Tağıyev", "Xəlilov", "Yusifov", "Ağayev", "Cəbrayılov"};
static const char *const cities[] = {
    "Bakı", "Gəncə", "Sumqayıt", "Mingəçevir", "Lənkəran", "Şəki", "Naxçıvan", "Şirvan",
    "Quba", "Qəbələ", "Şamaxı", "Zaqatala"};
static const char *const streets[] = {
    "Nizami küçəsi", "Füzuli küçəsi", "Azadlıq prospekti", "Neftçilər prospekti", "Səməd Vurğun küçəsi",
    "Həsən bəy Zərdabi küçəsi", "Üzeyir Hacıbəyov küçəsi", "Cəfər Cabbarlı küçəsi", "Xətai prospekti",
    "Heydər Əliyev prospekti", "Rəşid Behbudov küçəsi", "Mirzə Fətəli Axundov küçəsi"};
static const char *const mobile_codes[] = {"50", "51", "55", "70", "77", "99", "10"};

#define PICK(arr, r) (arr)[(r) % (sizeof(arr) / sizeof((arr)[0]))]

static void make_person(struct pc_arena *a, uint64_t seed, int64_t i, struct id_person *p)
{
    uint64_t r = mix(seed ^ mix((uint64_t)i));
    char *fin = pc_arena_alloc(a, 8);
    id_population_fin(seed, i, fin);
    bool male = (r & 1) == 0;
    const char *root = PICK(surname_roots, r >> 1);
    const char *father = PICK(male_names, r >> 9);
    int year = 1940 + (int)((r >> 17) % 68), month = 1 + (int)((r >> 25) % 12), day = 1 + (int)((r >> 29) % 28);
    p->fin = fin;
    p->first_name = male ? PICK(male_names, r >> 33) : PICK(female_names, r >> 33);
    p->last_name = male ? root : pc_arena_printf(a, "%sa", root);
    p->patronymic = pc_arena_printf(a, "%s %s", father, male ? "oğlu" : "qızı");
    p->birth_date = pc_arena_printf(a, "%04d-%02d-%02d", year, month, day);
    p->gender = male ? "m" : "f";
    p->id_card = pc_arena_printf(a, "AZE%08llu", (unsigned long long)(mix(r) % 100000000ull));
    p->address = pc_arena_printf(a, "%s, %s %d, mənzil %d", PICK(cities, r >> 41), PICK(streets, r >> 45),
                                 1 + (int)((r >> 49) % 180), 1 + (int)((r >> 56) % 120));
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

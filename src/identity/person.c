/* person.c — persons (keyed by FİN) and legal entities (keyed by VÖEN),
 * and the deterministic synthetic population the demo and the scale tests
 * use until the population registry is reachable through the exchange
 * layer. */
#include "identity.h"

#include <stdio.h>
#include <string.h>

/* ---- checks ------------------------------------------------------------ */

static bool valid_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1];
}

static int check_text(const char *name, const char *v, size_t max, bool required, struct pc_err *err)
{
    if (!v || !*v)
        return required ? pc_err_set(err, PC_EINVAL, "%s is required", name) : 0;
    size_t n = strlen(v);
    if (n > max)
        return pc_err_set(err, PC_EINVAL, "%s is longer than %zu bytes", name, max);
    if (!pc_utf8_valid(v, n))
        return pc_err_set(err, PC_EINVAL, "%s is not valid UTF-8", name);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20)
            return pc_err_set(err, PC_EINVAL, "%s contains a control character", name);
    return 0;
}

static bool valid_phone(const char *s)
{
    /* +994 and 9 digits (Azerbaijani numbers), the form SMS gateways take */
    if (!s || strlen(s) != 13 || strncmp(s, "+994", 4) != 0)
        return false;
    for (int i = 4; i < 13; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool valid_email(const char *s)
{
    const char *at = s ? strchr(s, '@') : NULL;
    return at && at != s && strchr(at + 1, '.') && !strchr(at + 1, '@') && strlen(s) <= 254 &&
           !strpbrk(s, " \t<>\"'");
}

int id_person_check(const struct id_person *p, struct pc_err *err)
{
    if (!id_fin_valid(p->fin))
        return pc_err_set(err, PC_EINVAL, "FİN must be 7 characters: digits and capital Latin letters");
    int rc;
    if ((rc = check_text("last name", p->last_name, ID_NAME_MAX, true, err)) ||
        (rc = check_text("first name", p->first_name, ID_NAME_MAX, true, err)) ||
        (rc = check_text("patronymic", p->patronymic, ID_NAME_MAX, false, err)) ||
        (rc = check_text("address", p->address, ID_FIELD_MAX, false, err)) ||
        (rc = check_text("identity card", p->id_card, 20, false, err)))
        return rc;
    if (!valid_date(p->birth_date))
        return pc_err_set(err, PC_EINVAL, "birth date must be a real date written YYYY-MM-DD");
    if (!pc_str_eq(p->gender, "m") && !pc_str_eq(p->gender, "f"))
        return pc_err_set(err, PC_EINVAL, "gender must be m or f");
    if (p->phone && *p->phone && !valid_phone(p->phone))
        return pc_err_set(err, PC_EINVAL, "phone must be written +994 and 9 digits");
    if (p->email && *p->email && !valid_email(p->email))
        return pc_err_set(err, PC_EINVAL, "e-mail address is not valid");
    if (p->lang && !pc_str_eq(p->lang, "az") && !pc_str_eq(p->lang, "en") && !pc_str_eq(p->lang, "ru"))
        return pc_err_set(err, PC_EINVAL, "language must be az, en or ru");
    return 0;
}

/* ---- reading and writing ---------------------------------------------- */

#define PERSON_COLUMNS "fin, last_name, first_name, patronymic, birth_date, gender, id_card, address, " \
                       "phone, email, lang, disability, source"

static const char *col(struct pc_arena *a, struct db_stmt *s, int i)
{
    return pc_arena_strdup(a, db_col_text(s, i));
}

static void read_person(struct pc_arena *a, struct db_stmt *s, struct id_person *p)
{
    p->fin = col(a, s, 0);
    p->last_name = col(a, s, 1);
    p->first_name = col(a, s, 2);
    p->patronymic = col(a, s, 3);
    p->birth_date = col(a, s, 4);
    p->gender = col(a, s, 5);
    p->id_card = col(a, s, 6);
    p->address = col(a, s, 7);
    p->phone = col(a, s, 8);
    p->email = col(a, s, 9);
    p->lang = col(a, s, 10);
    p->disability = db_col_int(s, 11) != 0;
    p->source = col(a, s, 12);
}

int id_person_get(struct db *db, struct pc_arena *a, const char *fin, struct id_person *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " PERSON_COLUMNS " FROM persons WHERE fin = ?", err) : NULL;
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, fin);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no person with this FİN");
    read_person(a, s, out);
    return 0;
}

int id_person_contact(struct db_conn *c, struct pc_arena *a, const char *fin, struct id_contact *out,
                      struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *s = db_prepare(c, "SELECT phone, email, lang FROM persons WHERE fin = ?", err);
    if (!s)
        return err && err->code ? err->code : PC_EIO;
    db_bind_text(s, 1, fin);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no person with this FİN");
    const char *phone = db_col_text(s, 0), *email = db_col_text(s, 1);
    out->phone = phone && *phone ? pc_arena_strdup(a, phone) : NULL;
    out->email = email && *email ? pc_arena_strdup(a, email) : NULL;
    int lang = pc_lang_parse(db_col_text(s, 2));
    out->lang = lang < 0 ? PC_LANG_AZ : (enum pc_lang)lang;
    db_conn_idle(c);
    return 0;
}

int id_agency_staff_contacts(struct db_conn *c, struct pc_arena *a, const char *agency, const char *account,
                             struct id_contact *out, size_t max, size_t *n, struct pc_err *err)
{
    *n = 0;
    struct db_stmt *s = db_prepare(c,
        "SELECT DISTINCT p.email, p.lang FROM account_roles r JOIN accounts a ON a.id = r.account_id"
        " JOIN persons p ON p.fin = a.fin WHERE r.agency_id = ? AND r.role IN ('officer', 'agency_admin')"
        " AND a.status = 'active' AND p.email IS NOT NULL AND p.email <> '' AND (? = '' OR a.id = ?)"
        " ORDER BY p.email LIMIT ?", err);
    if (!s)
        return err && err->code ? err->code : PC_EIO;
    db_bind_text(s, 1, agency);
    db_bind_text(s, 2, account ? account : "");
    db_bind_text(s, 3, account ? account : "");
    db_bind_int(s, 4, (int64_t)max);
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < max) {
        struct id_contact *k = &out[(*n)++];
        k->phone = NULL;
        k->email = pc_arena_strdup(a, db_col_text(s, 0));
        int lang = pc_lang_parse(db_col_text(s, 1));
        k->lang = lang < 0 ? PC_LANG_AZ : (enum pc_lang)lang;
    }
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

int id_person_put(struct db_conn *c, const struct id_person *p, struct pc_err *err)
{
    int rc = id_person_check(p, err);
    if (rc)
        return rc;
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO persons(" PERSON_COLUMNS ", created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(fin) DO UPDATE SET last_name = excluded.last_name, first_name = excluded.first_name,"
        " patronymic = excluded.patronymic, birth_date = excluded.birth_date, gender = excluded.gender,"
        " id_card = excluded.id_card, address = excluded.address, phone = excluded.phone,"
        " email = excluded.email, lang = excluded.lang, disability = excluded.disability,"
        " source = excluded.source, updated_at = excluded.updated_at", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, p->fin);
    db_bind_text(s, 2, p->last_name);
    db_bind_text(s, 3, p->first_name);
    db_bind_text(s, 4, p->patronymic);
    db_bind_text(s, 5, p->birth_date);
    db_bind_text(s, 6, p->gender);
    db_bind_text(s, 7, p->id_card);
    db_bind_text(s, 8, p->address);
    db_bind_text(s, 9, p->phone);
    db_bind_text(s, 10, p->email);
    db_bind_text(s, 11, p->lang ? p->lang : "az");
    db_bind_int(s, 12, p->disability);
    db_bind_text(s, 13, p->source ? p->source : "local");
    db_bind_text(s, 14, now);
    db_bind_text(s, 15, now);
    return db_run(s, err) < 0 ? PC_EIO : 0;
}

int id_person_find(struct db *db, struct pc_arena *a, const char *text, struct id_person **out, size_t *n,
                   size_t max, struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_alloc(a, (max + 1) * sizeof **out);
    if (!text || !*text || strlen(text) > ID_NAME_MAX)
        return pc_err_set(err, PC_EINVAL, "give a FİN or the start of a last name");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    struct db_stmt *s;
    if (id_fin_valid(text)) {
        s = db_prepare(c, "SELECT " PERSON_COLUMNS " FROM persons WHERE fin = ?", err);
        if (!s)
            return PC_EIO;
        db_bind_text(s, 1, text);
    } else {
        /* a prefix compared with substr: no LIKE wildcards from outside and
         * the same answer under any collation on both backends */
        s = db_prepare(c, "SELECT " PERSON_COLUMNS " FROM persons WHERE substr(last_name, 1, ?) = ?"
                          " ORDER BY last_name, first_name, fin LIMIT ?", err);
        if (!s)
            return PC_EIO;
        size_t chars = 0;
        for (const char *q = text; *q; q++)
            chars += ((unsigned char)*q & 0xC0) != 0x80;
        db_bind_int(s, 1, (int64_t)chars);
        db_bind_text(s, 2, text);
        db_bind_int(s, 3, (int64_t)max);
    }
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < max)
        read_person(a, s, &(*out)[(*n)++]);
    return rc < 0 ? rc : 0;
}

int id_entities_of(struct db *db, struct pc_arena *a, const char *fin, struct id_entity **out, size_t *n,
                   struct pc_err *err)
{
    *n = 0;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
        "SELECT e.voen, e.name, e.legal_form, e.status, e.address, r.scope FROM representatives r"
        " JOIN legal_entities e ON e.voen = r.voen WHERE r.fin = ? AND r.revoked_at IS NULL"
        " ORDER BY e.name LIMIT 50", err) : NULL;
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, fin);
    *out = pc_arena_alloc(a, 50 * sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < 50) {
        struct id_entity *e = &(*out)[(*n)++];
        e->voen = col(a, s, 0);
        e->name = col(a, s, 1);
        e->legal_form = col(a, s, 2);
        e->status = col(a, s, 3);
        e->address = col(a, s, 4);
        e->scope = col(a, s, 5);
    }
    return rc < 0 ? rc : 0;
}

/* ---- synthetic population ---------------------------------------------- */

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
        return PC_EIO;
    const int64_t batch = 5000;
    for (int64_t start = first; start < first + count; start += batch) {
        struct pc_arena a;
        pc_arena_init(&a);
        int rc = db_begin(c, err);
        for (int64_t i = start; !rc && i < start + batch && i < first + count; i++) {
            struct id_person p;
            make_person(&a, seed, i, &p);
            rc = id_person_put(c, &p, err);
        }
        rc = rc ? (db_rollback(c), rc) : db_commit(c, err);
        pc_arena_release(&a);
        if (rc)
            return rc;
    }
    return 0;
}

/* demo_seed.c — the demo's people: a synthetic population, a few legal
 * entities with representatives, and one account of every role, written
 * to DATA_DIR/demo-accounts.json and printed at start; and a few persons
 * without an account (DATA_DIR/demo-persons.json) to try the registration
 * desk with, which finds people by FİN, not by browsing.  Everything goes
 * through identity's header.  Running the demo again on the same folder
 * keeps what is there.
 * Participation (its own block at the end): a service centre of the
 * agency "din" with slots for the coming days and one open poll, listed
 * in DATA_DIR/demo-participation.json (the demo contract). */
#include "cli.h"
#include "../catalog/catalog.h"
#include "../identity/identity.h"
#include "../participation/participation.h"
#include "../queue/queue.h"
#include "../registries/registries.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* seed 0: the population register's first people (identity's
 * population.c), the ones the demo's exchange puts in its register */
#define DEMO_SEED 0
#define REGISTER_REPRESENTATIVE -2 /* the person found by demo_companies */

struct demo_account {
    const char *role, *login, *agency;
    int person;                 /* synthetic person number, -1 for none */
};

static const struct demo_account demo_accounts[] = {
    {"citizen", NULL, NULL, 1},
    {"citizen", NULL, NULL, 2},
    {"representative", NULL, NULL, REGISTER_REPRESENTATIVE},
    {"officer", "officer.din", "din", 10},
    {"officer", "officer.eesmn", "eesmn", 11},
    /* an officer for each other agency that takes electronic applications */
    {"officer", "officer.emdk", "emdk", 17},
    {"officer", "officer.msk", "msk", 18},
    {"officer", "officer.rytn", "rytn", 19},
    {"officer", "officer.didk", "didk", 20},
    {"agency_admin", "admin.din", "din", 12},
    {"registrar", "registrar.baku", NULL, 13},
    {"operator", "operator", NULL, 14},
    {"evaluator", "evaluator", NULL, 15},
    {"evaluator", "evaluator.2", NULL, 21}, /* a campaign's second pair of eyes */
    {"auditor", "auditor.az", NULL, 16},
    /* field visits: social assistance, and the interior ministry's checks of an address */
    {"inspector", "inspector.eesmn", "eesmn", 23},
    {"inspector", "inspector.din", "din", 22},
    /* vemtas3: the ministry's second pair of eyes, who reviews appeals of
     * the social-assistance refusals officer.eesmn decides (never the same) */
    {"agency_admin", "admin.eesmn", "eesmn", 24},
};

size_t demo_officer_agencies(const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof demo_accounts / sizeof demo_accounts[0] && n < max; i++)
        if (pc_str_eq(demo_accounts[i].role, "officer"))
            out[n++] = demo_accounts[i].agency;
    return n;
}

/* Persons of the population that no demo account uses. */
#define SPARE_FIRST 100
#define SPARE_COUNT 5

/* The demo's companies are the taxpayer register's (the demo's exchange
 * runs it with DEMO_TAXPAYERS taxpayers naming its DEMO_POPULATION
 * people): the first person, not a demo account's, whom the register
 * lists as director or representative of two legal entities is the
 * demo's representative, for those two.  The register says who may act
 * for a company; the portal's grants follow it. */
struct demo_companies {
    int64_t person;
    uint64_t taxpayer[2];
};

static bool person_taken(int64_t person)
{
    for (size_t i = 0; i < sizeof demo_accounts / sizeof demo_accounts[0]; i++)
        if (demo_accounts[i].person == person)
            return true;
    return person >= SPARE_FIRST && person < SPARE_FIRST + SPARE_COUNT;
}

static int demo_companies(struct demo_companies *out, struct pc_err *err)
{
    static int64_t first_of[DEMO_POPULATION]; /* a person's first legal entity + 1 (0: none yet) */
    memset(first_of, 0, sizeof first_of);
    struct pc_arena a;
    pc_arena_init(&a);
    int rc = pc_err_set(err, PC_ENOTFOUND, "no person represents two companies in the taxpayer register");
    for (uint64_t t = 0; rc && t < DEMO_TAXPAYERS; t++) {
        json_t *doc = json_loads(reg_taxpayer_json(&a, t, DEMO_POPULATION), 0, NULL), *fin;
        size_t k;
        if (pc_str_eq(json_string_value(json_object_get(doc, "kind")), "legal_entity"))
            json_array_foreach(json_object_get(doc, "representatives"), k, fin) {
                int64_t p = reg_index_of(json_string_value(fin));
                if (p < 0 || p >= DEMO_POPULATION || person_taken(p))
                    continue;
                if (first_of[p] && rc) {
                    *out = (struct demo_companies){p, {(uint64_t)first_of[p] - 1, t}};
                    rc = 0;
                }
                first_of[p] = first_of[p] ? first_of[p] : (int64_t)t + 1;
            }
        json_decref(doc);
    }
    pc_arena_release(&a);
    return rc;
}

/* A password a person can type: three groups of letters and digits. */
static void make_password(char out[20])
{
    static const char alpha[] = "abcdefghjkmnpqrstuvwxyz23456789";
    unsigned char rnd[14];
    pc_random_bytes(rnd, sizeof rnd);
    int k = 0;
    for (int i = 0; i < 14; i++) {
        if (i == 4 || i == 9)
            out[k++] = '-';
        out[k++] = alpha[rnd[i] % (sizeof alpha - 1)];
    }
    out[k - 1] = '7'; /* at least one digit, always */
    out[k] = 0;
}

static int seed_entities(struct db *db, const struct demo_companies *co, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code;
    char fin[8];
    id_population_fin(DEMO_SEED, co->person, fin);
    struct pc_arena a;
    pc_arena_init(&a);
    int rc = db_begin(c, err);
    for (size_t i = 0; !rc && i < 2; i++) {
        json_t *doc = json_loads(reg_taxpayer_json(&a, co->taxpayer[i], DEMO_POPULATION), 0, NULL);
        char voen[11];
        reg_voen_of(co->taxpayer[i], voen);
        struct id_entity e = {.voen = voen, .name = json_string_value(json_object_get(doc, "name")),
                              .legal_form = json_string_value(json_object_get(doc, "legal_form")),
                              .status = "active",
                              .address = json_string_value(json_object_get(json_object_get(doc, "address"), "city"))};
        rc = id_entity_put(c, &e, err);
        if (!rc)
            rc = id_representative_grant(c, e.voen, fin, "full", err);
        json_decref(doc);
    }
    pc_arena_release(&a);
    return db_end(c, rc, err);
}

/* Staff get a work address, so that new cases reach them by e-mail. */
static int staff_email(struct db *db, struct pc_arena *a, const char *fin, const char *login, struct pc_err *err)
{
    struct id_person p;
    int rc = id_person_get(db, a, fin, &p, err);
    if (rc)
        return rc;
    p.email = pc_arena_printf(a, "%s@example.az", login);
    struct db_conn *c = db_conn_get(db, err);
    return c ? id_person_put(c, &p, err) : err->code;
}

/* Persons without an account, with what the desk asks for. */
static int write_spare_persons(struct db *db, struct pc_arena *a, const char *dir, struct pc_err *err)
{
    json_t *list = json_array();
    int rc = 0;
    for (int i = SPARE_FIRST; !rc && i < SPARE_FIRST + SPARE_COUNT; i++) {
        char fin[8];
        struct id_person p;
        id_population_fin(DEMO_SEED, i, fin);
        rc = id_person_get(db, a, fin, &p, err);
        if (!rc)
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "fin", p.fin, "last_name", p.last_name,
                                                  "first_name", p.first_name, "id_card", p.id_card));
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/demo-persons.json", dir);
    if (!rc && json_dump_file(list, path, JSON_INDENT(2)) != 0)
        rc = pc_err_set(err, PC_EIO, "cannot write %s", path);
    json_decref(list);
    return rc;
}

/* ---- participation: a centre and a poll -------------------------------- */

#define DEMO_CENTRE "asan-baki-1"
#define DEMO_AGENCY "din"

/* Two services of the demo agency: one that needs a login (booked by the
 * demo citizens) and one that needs none (booked with a name and phone). */
static int demo_services(struct db *db, struct pc_arena *a, const char **login, const char **open,
                         struct pc_err *err)
{
    struct cat_filter f = {.agency = DEMO_AGENCY, .free = -1, .limit = CAT_PAGE_MAX};
    struct cat_page page;
    int rc = cat_find_services(db, a, &f, &page, err);
    *login = *open = NULL;
    for (size_t i = 0; !rc && i < page.n; i++) {
        const char **slot = page.items[i].login == CAT_LOGIN_NONE ? open : login;
        if (!*slot)
            *slot = page.items[i].id;
    }
    if (!rc && !*login)
        *login = *open;
    if (!rc && !*open)
        *open = *login;
    return rc;
}

static int seed_centre(struct db *db, const char *login, const char *open, struct pc_err *err)
{
    const char *services[] = {login, login, open};
    struct queue_centre c = {
        .id = DEMO_CENTRE, .agency_id = DEMO_AGENCY,
        .name = {{"Bakı 1 saylı ASAN xidmət mərkəzi", "ASAN service centre No. 1, Baku",
                  "Центр ASAN xidmət № 1, Баку"}},
        .address = {{"Bakı, Heydər Əliyev pr. 1", "1 Heydar Aliyev Ave, Baku", "Баку, пр. Гейдара Алиева, 1"}},
        .counters = 3, .service_of = services, .slot_minutes = 30, .utc_offset = 240,
    };
    for (int d = 0; d < 6; d++)
        c.week[d] = (struct queue_hours){9 * 60, 18 * 60};
    int rc = queue_centre_put(db, NULL, &c, NULL, err);
    char today[11];
    queue_local_day(&c, pc_now_unix(), today);
    int64_t made;
    return rc ? rc : queue_slots_generate(db, DEMO_CENTRE, today, QUEUE_DAYS_AHEAD, &made, err);
}

/* The first day from tomorrow with a free slot of service. */
static const char *bookable_day(struct db *db, struct pc_arena *a, const char *service, struct pc_err *err)
{
    struct queue_centre c = {.utc_offset = 240};
    for (int d = 1; d <= QUEUE_DAYS_AHEAD; d++) {
        char *day = pc_arena_alloc(a, 11);
        queue_local_day(&c, pc_now_unix() + (int64_t)d * 86400, day);
        struct queue_slot *s;
        size_t n;
        if (queue_slots(db, a, DEMO_CENTRE, service, day, &s, &n, err))
            return NULL;
        for (size_t i = 0; i < n; i++)
            if (s[i].free)
                return day;
    }
    pc_err_set(err, PC_ENOTFOUND, "no free slot in the demo centre");
    return NULL;
}

static int seed_poll(struct db *db, struct pc_arena *a, const char **id, struct pc_err *err)
{
    const char *account;
    int rc = id_account_find(db, a, "operator", &account, err);
    if (rc)
        return rc;
    struct id_principal op = {.account_id = account, .login = "operator", .kind = ID_ACCOUNT_STAFF,
                              .grants = {{ID_ROLE_OPERATOR, ""}}, .ngrants = 1};
    const struct pc_text options[] = {
        {{"Bəli, hər məhəllədə", "Yes, in every neighbourhood", "Да, в каждом районе"}},
        {{"Yalnız rayon mərkəzlərində", "Only in district centres", "Только в районных центрах"}},
        {{"Xeyr, onlayn xidmətlər kifayətdir", "No, online services are enough", "Нет, онлайн-услуг достаточно"}},
    };
    int64_t now = pc_now_unix();
    struct part_poll_new p = {
        .question = {{"Yeni ASAN xidmət mərkəzləri açılmalıdırmı?", "Should new ASAN service centres be opened?",
                      "Нужно ли открывать новые центры ASAN xidmət?"}},
        .options = options, .noptions = 3, .opens_at = now, .closes_at = now + 30 * 86400,
    };
    return part_poll_create(db, &op, &p, NULL, a, id, err);
}

static int seed_participation(struct db *db, struct pc_arena *a, const char *dir, struct pc_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/demo-participation.json", dir);
    json_t *old = json_load_file(path, 0, NULL);
    struct part_poll p;
    const char *poll = json_string_value(json_object_get(old, "poll"));
    bool have = poll && part_poll_get(db, a, poll, &p, NULL) == 0;
    json_decref(old);
    if (have)
        return 0; /* an earlier run made them: the job keeps the slots coming */
    const char *login, *open;
    int rc = demo_services(db, a, &login, &open, err);
    if (rc || !login)
        return rc; /* no catalogue yet (seed-demo before an import): nothing to hang a centre on */
    const char *day;
    if ((rc = seed_centre(db, login, open, err)) || (rc = seed_poll(db, a, &poll, err)) ||
        (rc = part_poll_get(db, a, poll, &p, err)))
        return rc;
    if (!(day = bookable_day(db, a, login, err)))
        return err->code;
    json_t *opts = json_array();
    for (size_t i = 0; i < p.noptions; i++)
        json_array_append_new(opts, json_string(p.options[i].id));
    json_t *j = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s}", "poll", poll, "options", opts, "centre", DEMO_CENTRE,
                          "service", login, "service_without_login", open, "date", day);
    if (json_dump_file(j, path, JSON_INDENT(2)) != 0)
        rc = pc_err_set(err, PC_EIO, "cannot write %s", path);
    json_decref(j);
    return rc;
}

int demo_seed(struct db *db, const char *dir, struct pc_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/demo-accounts.json", dir);
    struct pc_arena a;
    pc_arena_init(&a);
    const char *probe;
    FILE *existing = fopen(path, "r");
    /* the last account of the list exists: an earlier run finished */
    const struct demo_account *last = &demo_accounts[sizeof demo_accounts / sizeof demo_accounts[0] - 1];
    bool seeded = existing && id_account_find(db, &a, last->login, &probe, NULL) == 0;
    if (existing)
        fclose(existing);
    int rc = 0;
    if (!seeded) {
        struct demo_companies co = {0};
        rc = id_population_generate(db, DEMO_SEED, 0, DEMO_POPULATION, err);
        if (!rc && !(rc = demo_companies(&co, err)))
            rc = seed_entities(db, &co, err);
        json_t *list = json_array();
        for (size_t i = 0; !rc && i < sizeof demo_accounts / sizeof demo_accounts[0]; i++) {
            const struct demo_account *d = &demo_accounts[i];
            char fin[8], password[20];
            id_population_fin(DEMO_SEED, d->person == REGISTER_REPRESENTATIVE ? co.person : d->person, fin);
            const char *login = d->login ? d->login : fin;
            struct id_grant g[2] = {{(enum id_role)id_role_parse(d->role), d->agency ? d->agency : ""},
                                    {ID_ROLE_CITIZEN, ""}};
            /* staff accounts are for work only, bound to their person */
            bool staff = g[0].role != ID_ROLE_CITIZEN && g[0].role != ID_ROLE_REPRESENTATIVE;
            int ng = g[0].role == ID_ROLE_REPRESENTATIVE ? 2 : 1;
            const char *id;
            rc = id_account_find(db, &a, login, &id, NULL) == 0 ? 0
                 : id_account_create(db, staff ? ID_ACCOUNT_STAFF : ID_ACCOUNT_CITIZEN, login, fin, g, ng, NULL, NULL,
                                     &a, &id, err);
            make_password(password);
            if (!rc)
                rc = id_password_set(db, id, password, err);
            if (!rc && staff)
                rc = staff_email(db, &a, fin, d->login, err);
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o, s:s}", "role", d->role, "login", login,
                                                  "password", password,
                                                  "agency", d->agency ? json_string(d->agency) : json_null(),
                                                  "fin", fin));
        }
        if (!rc && json_dump_file(list, path, JSON_INDENT(2)) != 0)
            rc = pc_err_set(err, PC_EIO, "cannot write %s", path);
        json_decref(list);
        if (!rc)
            rc = write_spare_persons(db, &a, dir, err);
    }
    if (!rc)
        rc = seed_participation(db, &a, dir, err);
    pc_arena_release(&a);
    return rc;
}

void demo_print_accounts(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/demo-accounts.json", dir);
    json_t *list = json_load_file(path, 0, NULL);
    if (!list)
        return;
    printf("  Demo logins (also in %s):\n", path);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        const char *agency = json_string_value(json_object_get(v, "agency"));
        printf("    %-15s %-16s %-18s%s%s\n", json_string_value(json_object_get(v, "role")),
               json_string_value(json_object_get(v, "login")), json_string_value(json_object_get(v, "password")),
               agency ? " agency " : "", agency ? agency : "");
        /* the demo centre's certificates (demo_ca.c), for certificate login */
        static const char *const certs[][3] = {{"cert_key", "cert", "  login cert."},
                                               {"sign_key", "sign_cert", "  signing cert."},
                                               {"single_key", "single_cert", "  single-purp."}};
        for (size_t k = 0; k < sizeof certs / sizeof certs[0]; k++)
            if (json_object_get(v, certs[k][1]))
                printf("    %-15s --key %s --cert %s\n", certs[k][2],
                       json_string_value(json_object_get(v, certs[k][0])),
                       json_string_value(json_object_get(v, certs[k][1])));
    }
    json_decref(list);
    snprintf(path, sizeof path, "%s/demo-persons.json", dir);
    list = json_load_file(path, 0, NULL);
    if (list) {
        printf("  Persons without an account, for the registration desk (FİN, name, identity card):\n");
        json_array_foreach(list, i, v)
            printf("    %s  %s %s  %s\n", json_string_value(json_object_get(v, "fin")),
                   json_string_value(json_object_get(v, "last_name")), json_string_value(json_object_get(v, "first_name")),
                   json_string_value(json_object_get(v, "id_card")));
        json_decref(list);
    }
    printf("\n");
}

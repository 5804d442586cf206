/* demo_seed.c — the demo's people: a synthetic population, a few legal
 * entities with representatives, and one account of every role, written
 * to DATA_DIR/demo-accounts.json and printed at start.  Running the demo
 * again on the same folder keeps what is there. */
#include "cli.h"
#include "../identity/identity.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_SEED 2026
#define DEMO_POPULATION 2000

struct demo_account {
    const char *role, *login, *agency;
    int person;                 /* synthetic person number, -1 for none */
};

static const struct demo_account demo_accounts[] = {
    {"citizen", NULL, NULL, 1},
    {"citizen", NULL, NULL, 2},
    {"representative", NULL, NULL, 3},
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
    {"auditor", "auditor", NULL, 16},
};

static const struct { const char *voen, *name, *form; int owner; } demo_entities[] = {
    {"1400057421", "\"Xəzər Logistika\" MMC", "MMC", 3},
    {"1700342112", "\"Gəncə Aqro\" ASC", "ASC", 3},
};

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

static int seed_entities(struct db *db, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c || db_begin(c, err))
        return PC_EIO;
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof demo_entities / sizeof demo_entities[0]; i++) {
        char fin[8];
        id_population_fin(DEMO_SEED, demo_entities[i].owner, fin);
        struct db_stmt *s = db_prepare(c, "INSERT INTO legal_entities(voen, name, legal_form, status, address, created_at)"
                                          " VALUES (?, ?, ?, 'active', 'Bakı', ?) ON CONFLICT(voen) DO NOTHING", err);
        if (!s) { rc = PC_EIO; break; }
        db_bind_text(s, 1, demo_entities[i].voen);
        db_bind_text(s, 2, demo_entities[i].name);
        db_bind_text(s, 3, demo_entities[i].form);
        db_bind_text(s, 4, now);
        if (db_run(s, err) < 0) { rc = PC_EIO; break; }
        s = db_prepare(c, "INSERT INTO representatives(voen, fin, scope, granted_at) VALUES (?, ?, 'full', ?)"
                          " ON CONFLICT(voen, fin) DO NOTHING", err);
        if (!s) { rc = PC_EIO; break; }
        db_bind_text(s, 1, demo_entities[i].voen);
        db_bind_text(s, 2, fin);
        db_bind_text(s, 3, now);
        if (db_run(s, err) < 0)
            rc = PC_EIO;
    }
    return db_end(c, rc, err);
}

/* Staff get a work address, so that new cases reach them by e-mail. */
static int staff_email(struct db *db, const char *fin, const char *login, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "UPDATE persons SET email = ? WHERE fin = ?", err) : NULL;
    if (!s)
        return PC_EIO;
    char email[128];
    snprintf(email, sizeof email, "%s@example.az", login);
    db_bind_text(s, 1, email);
    db_bind_text(s, 2, fin);
    return db_run(s, err) < 0 ? PC_EIO : 0;
}

int demo_seed(struct db *db, const char *dir, struct pc_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/demo-accounts.json", dir);
    struct pc_arena a;
    pc_arena_init(&a);
    const char *probe;
    FILE *existing = fopen(path, "r");
    bool seeded = existing && id_account_find(db, &a, "auditor", &probe, NULL) == 0;
    if (existing)
        fclose(existing);
    int rc = 0;
    if (!seeded) {
        rc = id_population_generate(db, DEMO_SEED, 0, DEMO_POPULATION, err);
        if (!rc)
            rc = seed_entities(db, err);
        json_t *list = json_array();
        for (size_t i = 0; !rc && i < sizeof demo_accounts / sizeof demo_accounts[0]; i++) {
            const struct demo_account *d = &demo_accounts[i];
            char fin[8], password[20];
            id_population_fin(DEMO_SEED, d->person, fin);
            const char *login = d->login ? d->login : fin;
            struct id_grant g[2] = {{(enum id_role)id_role_parse(d->role), d->agency ? d->agency : ""},
                                    {ID_ROLE_CITIZEN, ""}};
            int ng = g[0].role == ID_ROLE_CITIZEN ? 1 : 2;
            if (g[0].role != ID_ROLE_CITIZEN && g[0].role != ID_ROLE_REPRESENTATIVE)
                ng = 1; /* staff accounts are for work only */
            const char *id;
            rc = id_account_find(db, &a, login, &id, NULL) == 0 ? 0
                 : id_account_create(db, login, fin, g, ng, NULL, NULL, &a, &id, err);
            make_password(password);
            if (!rc)
                rc = id_password_set(db, id, password, err);
            if (!rc && d->login)
                rc = staff_email(db, fin, d->login, err);
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o, s:s}", "role", d->role, "login", login,
                                                  "password", password,
                                                  "agency", d->agency ? json_string(d->agency) : json_null(),
                                                  "fin", fin));
        }
        if (!rc && json_dump_file(list, path, JSON_INDENT(2)) != 0)
            rc = pc_err_set(err, PC_EIO, "cannot write %s", path);
        json_decref(list);
    }
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
    }
    printf("\n");
    json_decref(list);
}

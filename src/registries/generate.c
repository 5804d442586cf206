/* generate.c — a registry's database filled with its synthetic records in
 * batches of 100,000 per transaction (the fsyncs, not the making, cost). */
#include "internal.h"

#include <string.h>

/* Where each kind's records go and how they are made. */
static const struct {
    const char *wipe, *insert;
    bool by_voen;
} tables[REG_KIND_COUNT] = {
    [REG_POPULATION] = {"DELETE FROM reg_persons", "INSERT INTO reg_persons (fin, doc) VALUES (?, ?)", false},
    [REG_TAXPAYERS] = {"DELETE FROM reg_taxpayers", "INSERT INTO reg_taxpayers (voen, doc, owner_fin) VALUES (?, ?, ?)",
                       true},
    [REG_REALESTATE] = {"DELETE FROM reg_properties", "INSERT INTO reg_properties (fin, doc) VALUES (?, ?)", false},
    [REG_EMPLOYMENT] = {"DELETE FROM reg_contracts", "INSERT INTO reg_contracts (fin, doc) VALUES (?, ?)", false},
    [REG_PENSIONS] = {"DELETE FROM reg_insurance", "INSERT INTO reg_insurance (fin, doc) VALUES (?, ?)", false},
    [REG_FINES] = {"DELETE FROM reg_fines", "INSERT INTO reg_fines (protocol_no, fin, licence, voen, status,"
                   " payment_ref, doc, id_card) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", false},
    [REG_VEHICLES] = {"DELETE FROM reg_vehicles", "INSERT INTO reg_vehicles (fin, doc) VALUES (?, ?)", false},
};

static const char *doc_of(struct pc_arena *a, enum reg_kind k, uint64_t i, uint64_t n, uint64_t people)
{
    switch (k) {
    case REG_POPULATION: return reg_person_json(a, i, n);
    case REG_TAXPAYERS: return reg_taxpayer_json(a, i, people);
    case REG_REALESTATE: return reg_properties_json(a, i);
    case REG_EMPLOYMENT: return reg_contracts_json(a, i, people);
    case REG_VEHICLES: return reg_vehicles_json(a, i);
    default: return reg_insurance_json(a, i);
    }
}

int reg_generate(struct db *db, enum reg_kind k, uint64_t n, uint64_t people, double *per_sec, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code ? err->code : PC_EIO;
    int64_t t0 = pc_mono_usec();
    int rc = db_exec(c, tables[k].wipe, err);
    struct pc_arena a;
    pc_arena_init(&a);
    for (uint64_t i = 0; !rc && i < n;) {
        rc = db_begin(c, err);
        for (uint64_t end = i + 100000 < n ? i + 100000 : n; !rc && i < end; i++) {
            struct db_stmt *s = db_prepare(c, tables[k].insert, err);
            char key[11];
            if (!s) {
                rc = err->code ? err->code : PC_EIO;
                break;
            }
            if (k == REG_FINES) {
                reg_fine_bind(s, &a, i, people);
            } else {
                if (tables[k].by_voen)
                    reg_voen_of(i, key);
                else
                    reg_fin_of(i, key);
                db_bind_text(s, 1, key);
                db_bind_text(s, 2, doc_of(&a, k, i, n, people));
                char owner[8];
                if (k == REG_TAXPAYERS) {
                    if (reg_entrepreneur_of(i, people, owner))
                        db_bind_text(s, 3, owner);
                    else
                        db_bind_null(s, 3);
                }
            }
            int64_t r = db_run(s, err);
            rc = r < 0 ? (int)r : 0;
        }
        rc = db_end(c, rc, err);
        pc_arena_release(&a);
        pc_arena_init(&a);
    }
    pc_arena_release(&a);
    db_conn_idle(c);
    int64_t us = pc_mono_usec() - t0;
    *per_sec = us > 0 ? (double)n * 1e6 / (double)us : 0;
    return rc;
}

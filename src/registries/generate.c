/* generate.c — a registry's database filled with its synthetic records in
 * batches of 100,000 per transaction (the fsyncs, not the making, cost). */
#include "internal.h"

#include <string.h>

int reg_generate(struct db *db, enum reg_kind k, uint64_t n, uint64_t people, double *per_sec, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code ? err->code : PC_EIO;
    bool pop = k == REG_POPULATION;
    int64_t t0 = pc_mono_usec();
    int rc = db_exec(c, pop ? "DELETE FROM reg_persons" : "DELETE FROM reg_taxpayers", err);
    struct pc_arena a;
    pc_arena_init(&a);
    for (uint64_t i = 0; !rc && i < n;) {
        rc = db_begin(c, err);
        for (uint64_t end = i + 100000 < n ? i + 100000 : n; !rc && i < end; i++) {
            struct db_stmt *s = db_prepare(c, pop ? "INSERT INTO reg_persons (fin, doc) VALUES (?, ?)"
                                                  : "INSERT INTO reg_taxpayers (voen, doc) VALUES (?, ?)",
                                           err);
            char key[11];
            if (!s) {
                rc = err->code ? err->code : PC_EIO;
                break;
            }
            if (pop)
                reg_fin_of(i, key);
            else
                reg_voen_of(i, key);
            db_bind_text(s, 1, key);
            db_bind_text(s, 2, pop ? reg_person_json(&a, i, n) : reg_taxpayer_json(&a, i, people));
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

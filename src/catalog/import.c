/* import.c — the catalogue files, checked (check.c), written into the
 * database in one transaction.  A file with any bad row changes nothing:
 * the operator gets every bad row with its line number and fixes them all
 * in one go. */
#include "internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing --------------------------------------------------------- */

static const char *fold(struct pc_arena *a, const char *const *parts, size_t n)
{
    struct pc_buf b;
    pc_buf_init(&b, 64 * 1024);
    for (size_t i = 0; i < n; i++) {
        if (!parts[i])
            continue;
        if (b.len)
            pc_buf_putc(&b, ' ');
        pc_fold(parts[i], strlen(parts[i]), &b);
    }
    const char *s = pc_arena_strdup(a, b.data);
    pc_buf_release(&b);
    return s;
}

static int write_event(struct db_conn *c, struct pc_arena *a, const struct cat_life_event *e, struct pc_err *err)
{
    (void)a;
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO life_events(id, name_az, name_en, name_ru, position) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET name_az = excluded.name_az, name_en = excluded.name_en, "
        "name_ru = excluded.name_ru, position = excluded.position, active = 1", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, e->id);
    db_bind_text(s, 2, e->name.s[PC_LANG_AZ]);
    db_bind_text(s, 3, e->name.s[PC_LANG_EN]);
    db_bind_text(s, 4, e->name.s[PC_LANG_RU]);
    db_bind_int(s, 5, e->position);
    return db_run(s, err) < 0 ? PC_EIO : 0;
}

static int write_agency(struct db_conn *c, struct pc_arena *a, const struct cat_agency *g, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO agencies(id, name_az, name_en, name_ru, short_az, short_en, short_ru, kind, website, "
        "approved_services, source, name_folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET name_az = excluded.name_az, name_en = excluded.name_en, "
        "name_ru = excluded.name_ru, short_az = excluded.short_az, short_en = excluded.short_en, "
        "short_ru = excluded.short_ru, kind = excluded.kind, website = excluded.website, "
        "approved_services = excluded.approved_services, source = excluded.source, "
        "name_folded = excluded.name_folded, active = 1", err);
    if (!s)
        return PC_EIO;
    const char *parts[] = {g->name.s[PC_LANG_AZ], g->name.s[PC_LANG_EN], g->name.s[PC_LANG_RU], g->shortname.s[PC_LANG_AZ], g->shortname.s[PC_LANG_EN], g->shortname.s[PC_LANG_RU]};
    db_bind_text(s, 1, g->id);
    db_bind_text(s, 2, g->name.s[PC_LANG_AZ]);
    db_bind_text(s, 3, g->name.s[PC_LANG_EN]);
    db_bind_text(s, 4, g->name.s[PC_LANG_RU]);
    db_bind_text(s, 5, g->shortname.s[PC_LANG_AZ]);
    db_bind_text(s, 6, g->shortname.s[PC_LANG_EN]);
    db_bind_text(s, 7, g->shortname.s[PC_LANG_RU]);
    db_bind_text(s, 8, g->kind);
    db_bind_text(s, 9, g->website);
    if (g->approved_services >= 0)
        db_bind_int(s, 10, g->approved_services);
    else
        db_bind_null(s, 10);
    db_bind_text(s, 11, g->source);
    db_bind_text(s, 12, fold(a, parts, 6));
    return db_run(s, err) < 0 ? PC_EIO : 0;
}

static int write_service(struct db_conn *c, struct pc_arena *a, const struct cat_service *v, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO services(id, agency_id, name_az, name_en, name_ru, desc_az, desc_en, desc_ru, "
        "for_citizens, for_entrepreneurs, for_officials, relations, login, fee_qepik, free, deadline_days, "
        "channels, approved_list, maturity_json, source, active, name_folded, desc_folded) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET agency_id = excluded.agency_id, name_az = excluded.name_az, "
        "name_en = excluded.name_en, name_ru = excluded.name_ru, desc_az = excluded.desc_az, "
        "desc_en = excluded.desc_en, desc_ru = excluded.desc_ru, for_citizens = excluded.for_citizens, "
        "for_entrepreneurs = excluded.for_entrepreneurs, for_officials = excluded.for_officials, "
        "relations = excluded.relations, login = excluded.login, fee_qepik = excluded.fee_qepik, "
        "free = excluded.free, deadline_days = excluded.deadline_days, channels = excluded.channels, "
        "approved_list = excluded.approved_list, maturity_json = excluded.maturity_json, "
        "source = excluded.source, active = 1, name_folded = excluded.name_folded, "
        "desc_folded = excluded.desc_folded", err);
    if (!s)
        return PC_EIO;
    const char *names[] = {v->name.s[PC_LANG_AZ], v->name.s[PC_LANG_EN], v->name.s[PC_LANG_RU]};
    const char *descs[] = {v->description.s[PC_LANG_AZ], v->description.s[PC_LANG_EN], v->description.s[PC_LANG_RU]};
    db_bind_text(s, 1, v->id);
    db_bind_text(s, 2, v->agency_id);
    db_bind_text(s, 3, v->name.s[PC_LANG_AZ]);
    db_bind_text(s, 4, v->name.s[PC_LANG_EN]);
    db_bind_text(s, 5, v->name.s[PC_LANG_RU]);
    db_bind_text(s, 6, v->description.s[PC_LANG_AZ]);
    db_bind_text(s, 7, v->description.s[PC_LANG_EN]);
    db_bind_text(s, 8, v->description.s[PC_LANG_RU]);
    db_bind_int(s, 9, v->for_citizens);
    db_bind_int(s, 10, v->for_entrepreneurs);
    db_bind_int(s, 11, v->for_officials);
    db_bind_text(s, 12, cat_set_store(a, &cat_vocab_relation, v->relations));
    db_bind_text(s, 13, cat_login_name(v->login));
    if (v->fee_qepik >= 0)
        db_bind_int(s, 14, v->fee_qepik);
    else
        db_bind_null(s, 14);
    db_bind_int(s, 15, v->free);
    if (v->deadline_days > 0)
        db_bind_int(s, 16, v->deadline_days);
    else
        db_bind_null(s, 16);
    db_bind_text(s, 17, cat_set_store(a, &cat_vocab_channel, v->channels));
    db_bind_text(s, 18, v->approved_list);
    db_bind_text(s, 19, cat_maturity_store(a, v->maturity));
    db_bind_text(s, 20, v->source);
    db_bind_text(s, 21, fold(a, names, 3));
    db_bind_text(s, 22, fold(a, descs, 3));
    if (db_run(s, err) < 0)
        return PC_EIO;

    s = db_prepare(c, "DELETE FROM service_documents WHERE service_id = ?", err);
    if (!s) return PC_EIO;
    db_bind_text(s, 1, v->id);
    if (db_run(s, err) < 0) return PC_EIO;
    for (size_t i = 0; i < v->ndocuments; i++) {
        s = db_prepare(c, "INSERT INTO service_documents(service_id, position, name_az, name_en, name_ru) "
                          "VALUES (?, ?, ?, ?, ?)", err);
        if (!s) return PC_EIO;
        db_bind_text(s, 1, v->id);
        db_bind_int(s, 2, (int64_t)i + 1);
        db_bind_text(s, 3, v->documents[i].s[PC_LANG_AZ]);
        db_bind_text(s, 4, v->documents[i].s[PC_LANG_EN]);
        db_bind_text(s, 5, v->documents[i].s[PC_LANG_RU]);
        if (db_run(s, err) < 0) return PC_EIO;
    }
    s = db_prepare(c, "DELETE FROM service_life_events WHERE service_id = ?", err);
    if (!s) return PC_EIO;
    db_bind_text(s, 1, v->id);
    if (db_run(s, err) < 0) return PC_EIO;
    for (size_t i = 0; i < v->nlife_events; i++) {
        s = db_prepare(c, "INSERT INTO service_life_events(service_id, life_event_id) VALUES (?, ?) "
                          "ON CONFLICT DO NOTHING", err);
        if (!s) return PC_EIO;
        db_bind_text(s, 1, v->id);
        db_bind_text(s, 2, v->life_events[i]);
        if (db_run(s, err) < 0) return PC_EIO;
    }
    return 0;
}

/* ---- the whole import --------------------------------------------------- */

static int write_all(struct db *db, struct pc_arena *a, const struct cat_rows *r, struct cat_import_stats *st,
                     struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    /* whatever is not in the files any more is hidden, not deleted */
    static const char *const hide[] = {"UPDATE services SET active = 0", "UPDATE agencies SET active = 0",
                                       "UPDATE life_events SET active = 0",
                                       "UPDATE catalog_version SET version = version + 1"};
    struct db_stmt *s;
    for (size_t i = 0; !rc && i < sizeof hide / sizeof *hide; i++) {
        s = db_prepare(c, hide[i], err);
        rc = s && db_run(s, err) >= 0 ? 0 : PC_EIO;
    }
    for (size_t i = 0; !rc && i < r->nevents; i++)
        rc = write_event(c, a, &r->events[i].v, err);
    for (size_t i = 0; !rc && i < r->nagencies; i++)
        rc = write_agency(c, a, &r->agencies[i].v, err);
    for (size_t i = 0; !rc && i < r->nservices; i++)
        rc = write_service(c, a, &r->services[i].v, err);
    if (!rc) {
        s = db_prepare(c, "SELECT COUNT(*) FROM services WHERE active = 0", err);
        if (s && db_step(s, err) == 1) {
            st->withdrawn = (int)db_col_int(s, 0);
            db_step(s, err); /* finished: a half-read statement would keep SQLite's old snapshot */
        } else {
            rc = PC_EIO;
        }
    }
    return db_end(c, rc, err);
}

int cat_import(struct db *db, const char *dir, FILE *report, struct cat_import_stats *st, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct cat_rows rows;
    memset(st, 0, sizeof *st);
    int rc = cat_read_dir(&a, dir, report, &rows, &st->bad_rows, err);
    if (!rc) {
        rc = write_all(db, &a, &rows, st, err);
        st->agencies = (int)rows.nagencies;
        st->life_events = (int)rows.nevents;
        st->services = (int)rows.nservices;
        if (!rc)
            cat_snapshot_imported(db); /* this process sees its own import at once */
    }
    pc_arena_release(&a);
    return rc;
}

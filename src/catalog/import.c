/* import.c — reading the catalogue files (JSON Lines) with strict
 * validation, and writing them into the database in one transaction.
 * A file with any bad row changes nothing: the operator gets every bad row
 * with its line number and fixes them all in one go. */
#include "internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading files ---------------------------------------------------- */

typedef int (*line_fn)(struct pc_arena *a, const char *line, size_t n, void *item, struct pc_err *err);

struct items {
    char *data;        /* array of item_size elements */
    size_t n, cap, item_size;
    size_t line_off;   /* offset of the int line number in an item */
};

static void *items_push(struct items *it)
{
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 64;
        char *p = realloc(it->data, cap * it->item_size);
        if (!p)
            return NULL;
        it->data = p;
        it->cap = cap;
    }
    return it->data + it->n++ * it->item_size;
}

#define LINE_MAX_BYTES (64 * 1024)

static int read_file(struct pc_arena *a, const char *dir, const char *name, line_fn fn,
                     struct items *it, FILE *report, int *bad, struct pc_err *err)
{
    char *path = pc_arena_printf(a, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return pc_err_set(err, PC_EIO, "cannot open %s", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len == 0)
            continue;
        struct pc_err e = {0};
        void *item = items_push(it);
        if (!item) {
            fclose(f);
            free(line);
            return pc_err_set(err, PC_ENOMEM, "out of memory");
        }
        int rc = (size_t)len > LINE_MAX_BYTES
                     ? pc_err_set(&e, PC_EINVAL, "line longer than %d bytes", LINE_MAX_BYTES)
                     : fn(a, line, (size_t)len, item, &e);
        if (rc) {
            it->n--;
            (*bad)++;
            if (report)
                fprintf(report, "%s:%d: %s\n", name, lineno, e.msg);
        } else {
            /* remember the line for cross-checks reported later */
            *(int *)((char *)item + it->line_off) = lineno;
        }
    }
    free(line);
    fclose(f);
    return 0;
}

/* Items carry their line number after the struct. */
struct agency_row { struct cat_agency v; int line; };
struct event_row { struct cat_life_event v; int line; };
struct service_row { struct cat_service v; int line; };

static int agency_line(struct pc_arena *a, const char *l, size_t n, void *item, struct pc_err *e)
{
    return cat_parse_agency(a, l, n, &((struct agency_row *)item)->v, e);
}

static int event_line(struct pc_arena *a, const char *l, size_t n, void *item, struct pc_err *e)
{
    return cat_parse_life_event(a, l, n, &((struct event_row *)item)->v, e);
}

static int service_line(struct pc_arena *a, const char *l, size_t n, void *item, struct pc_err *e)
{
    return cat_parse_service(a, l, n, &((struct service_row *)item)->v, e);
}

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

/* ---- cross-checks and the whole import ------------------------------- */

static bool has_id(struct items *it, size_t upto, const char *id, size_t off)
{
    for (size_t i = 0; i < upto; i++)
        if (strcmp(*(const char **)(it->data + i * it->item_size + off), id) == 0)
            return true;
    return false;
}

static int cross_check(struct items *ag, struct items *ev, struct items *sv, FILE *report)
{
    int bad = 0;
    for (size_t i = 0; i < ag->n; i++) {
        struct agency_row *r = (struct agency_row *)(ag->data + i * ag->item_size);
        if (has_id(ag, i, r->v.id, 0)) {
            bad++;
            if (report) fprintf(report, "agencies.jsonl:%d: duplicate id \"%s\"\n", r->line, r->v.id);
        }
    }
    for (size_t i = 0; i < ev->n; i++) {
        struct event_row *r = (struct event_row *)(ev->data + i * ev->item_size);
        if (has_id(ev, i, r->v.id, 0)) {
            bad++;
            if (report) fprintf(report, "life_events.jsonl:%d: duplicate id \"%s\"\n", r->line, r->v.id);
        }
    }
    for (size_t i = 0; i < sv->n; i++) {
        struct service_row *r = (struct service_row *)(sv->data + i * sv->item_size);
        if (has_id(sv, i, r->v.id, 0)) {
            bad++;
            if (report) fprintf(report, "services.jsonl:%d: duplicate id \"%s\"\n", r->line, r->v.id);
        }
        if (!has_id(ag, ag->n, r->v.agency_id, 0)) {
            bad++;
            if (report) fprintf(report, "services.jsonl:%d: unknown agency \"%s\"\n", r->line, r->v.agency_id);
        }
        for (size_t k = 0; k < r->v.nlife_events; k++) {
            if (!has_id(ev, ev->n, r->v.life_events[k], 0)) {
                bad++;
                if (report) fprintf(report, "services.jsonl:%d: unknown life event \"%s\"\n", r->line, r->v.life_events[k]);
            }
        }
    }
    return bad;
}

static int write_all(struct db *db, struct pc_arena *a, struct items *ag, struct items *ev,
                     struct items *sv, struct cat_import_stats *st, struct pc_err *err)
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
    for (size_t i = 0; !rc && i < 4; i++) {
        s = db_prepare(c, hide[i], err);
        rc = s && db_run(s, err) >= 0 ? 0 : PC_EIO;
    }
    for (size_t i = 0; !rc && i < ev->n; i++)
        rc = write_event(c, a, &((struct event_row *)(ev->data + i * ev->item_size))->v, err);
    for (size_t i = 0; !rc && i < ag->n; i++)
        rc = write_agency(c, a, &((struct agency_row *)(ag->data + i * ag->item_size))->v, err);
    for (size_t i = 0; !rc && i < sv->n; i++)
        rc = write_service(c, a, &((struct service_row *)(sv->data + i * sv->item_size))->v, err);
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
    struct items ag = {.item_size = sizeof(struct agency_row), .line_off = offsetof(struct agency_row, line)};
    struct items ev = {.item_size = sizeof(struct event_row), .line_off = offsetof(struct event_row, line)};
    struct items sv = {.item_size = sizeof(struct service_row), .line_off = offsetof(struct service_row, line)};
    memset(st, 0, sizeof *st);
    int rc = read_file(&a, dir, "agencies.jsonl", agency_line, &ag, report, &st->bad_rows, err);
    if (!rc) rc = read_file(&a, dir, "life_events.jsonl", event_line, &ev, report, &st->bad_rows, err);
    if (!rc) rc = read_file(&a, dir, "services.jsonl", service_line, &sv, report, &st->bad_rows, err);
    if (!rc) {
        st->bad_rows += cross_check(&ag, &ev, &sv, report);
        if (st->bad_rows)
            rc = pc_err_set(err, PC_EINVAL, "%d bad row%s: nothing was imported", st->bad_rows,
                            st->bad_rows == 1 ? "" : "s");
    }
    if (!rc) {
        rc = write_all(db, &a, &ag, &ev, &sv, st, err);
        if (!rc)
            cat_snapshot_stale(db); /* this process sees its own import at once */
        st->agencies = (int)ag.n;
        st->life_events = (int)ev.n;
        st->services = (int)sv.n;
    }
    free(ag.data);
    free(ev.data);
    free(sv.data);
    pc_arena_release(&a);
    return rc;
}

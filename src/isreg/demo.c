/* demo.c — the demo's register: the systems the documents name (the
 * population register, İAMAS, AVİS, the real-estate register, …) with
 * their cards and histories, systems known without a card, and the counts
 * published before the register was kept here.  Data in data/isreg as JSON
 * Lines; a system already present is left alone, so loading twice is
 * harmless.  The rows are written as they would have been, with their own
 * dates (the demo's history is in the past), in one transaction. */
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int day_time(const char *date, int64_t *t)
{
    int64_t d;
    if (isreg_date_parse(date, &d))
        return PC_EINVAL;
    *t = d * 86400 + 10 * 3600;
    return 0;
}

/* One system line: {"id", "agency", "status", "cards": [card…]} where each
 * card has its own "submitted_on" and "decided_on" and the newest card's
 * fate is the system's status. */
static int load_system(struct db_conn *c, struct pc_arena *a, json_t *j, int64_t now, struct pc_err *err)
{
    const char *id = str(j, "id"), *agency = str(j, "agency");
    int st = isreg_status_parse(str(j, "status"));
    json_t *cards = json_object_get(j, "cards");
    size_t ncards = json_array_size(cards);
    if (!isreg_id_valid(id) || !agency || st < 0 || ncards == 0)
        return pc_err_set(err, PC_EINVAL, "a system needs id, agency, status and cards");
    struct isreg_head h;
    int rc = isreg_head_read(c, id, &h, err);
    if (rc != PC_ENOTFOUND)
        return rc;   /* 0: there already */
    int registered = 0;
    int64_t first_time = 0, registered_at = 0;
    for (size_t k = 0; k < ncards; k++) {
        json_t *cj = json_array_get(cards, k);
        struct isreg_card card;
        const char *field;
        rc = isreg_card_from_json(a, cj, false, &card, &field, err);
        if (!rc)
            rc = isreg_card_check(&card, isreg_day_of(now), &field, err);
        if (rc) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            return pc_err_set(err, rc, "%s card %zu: %s", id, k + 1, why);
        }
        card.version = (int)k + 1;
        card.author = "demo";
        int64_t changed = 0, submitted = 0, decided = 0;
        day_time(card.change_on, &changed);
        card.created_at = changed;
        if (!first_time)
            first_time = changed;
        bool newest = k + 1 == ncards;
        bool was_submitted = !day_time(str(cj, "submitted_on"), &submitted);
        day_time(str(cj, "decided_on"), &decided);
        card.late_days = -1;
        if (was_submitted) {
            int64_t due;
            isreg_date_parse(card.change_on, &due);
            due += ISREG_DAYS_TO_REGISTER;
            card.late_days = isreg_day_of(submitted) > due ? (int)(isreg_day_of(submitted) - due) : 0;
            card.submitted_at = submitted;
        }
        card.status = !was_submitted ? ISREG_CARD_DRAFT
                    : newest && st == ISREG_SUBMITTED ? ISREG_CARD_SUBMITTED
                    : newest && st == ISREG_RETURNED  ? ISREG_CARD_RETURNED
                                                      : ISREG_CARD_REGISTERED;
        if (card.status == ISREG_CARD_REGISTERED || card.status == ISREG_CARD_RETURNED)
            card.decided_at = decided ? decided : submitted;
        if (card.status == ISREG_CARD_REGISTERED) {
            if (registered)
                rc = isreg_card_set(c, id, registered, ISREG_CARD_SUPERSEDED, -1, -1, -1, err);
            registered = card.version;
            if (!registered_at)
                registered_at = card.decided_at;
        }
        if (!rc && k == 0) {
            struct db_stmt *s = db_prepare(c,
                "INSERT INTO isreg_systems(id, agency_id, status, current_version, created_at, updated_at) "
                "VALUES (?, ?, 'draft', 1, ?, ?)", err);
            if (!s)
                return err->code;
            db_bind_text(s, 1, id);
            db_bind_text(s, 2, agency);
            db_bind_int(s, 3, changed);
            db_bind_int(s, 4, changed);
            rc = isreg_run(s, err);
        }
        if (!rc)
            rc = isreg_card_insert(c, id, &card, err);
        if (!rc && was_submitted)
            rc = isreg_decision_add(c, id, card.version, "submitted", "", "demo", submitted, err);
        if (!rc && card.decided_at)
            rc = isreg_decision_add(c, id, card.version, card.status == ISREG_CARD_RETURNED ? "returned" : "registered",
                                    card.status == ISREG_CARD_RETURNED ? str(cj, "remarks") : "", "demo", card.decided_at,
                                    err);
        if (!rc && registered == card.version) {
            struct db_stmt *s = db_prepare(c, "UPDATE isreg_systems SET search_folded = ?, registered_at = ? WHERE id = ?",
                                           err);
            if (!s)
                return err->code;
            db_bind_text(s, 1, isreg_fold_names(a, &card.name));
            db_bind_int(s, 2, registered_at);
            db_bind_text(s, 3, id);
            rc = isreg_run(s, err);
        }
        if (rc)
            return rc;
    }
    rc = isreg_head_set(c, id, (enum isreg_status)st, (int)ncards, registered, now, err);
    if (!rc && st == ISREG_DEREGISTERED) {
        struct db_stmt *s = db_prepare(c, "UPDATE isreg_systems SET deregistered_on = ?, deregister_reason = ? WHERE id = ?",
                                       err);
        if (!s)
            return err->code;
        db_bind_text(s, 1, str(j, "deregistered_on"));
        db_bind_text(s, 2, str(j, "reason"));
        db_bind_text(s, 3, id);
        rc = isreg_run(s, err);
    }
    return rc;
}

static int load_known(struct db_conn *c, json_t *j, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO isreg_known(id, agency_id, name, source, noted_on, note, actor) VALUES (?, ?, ?, ?, ?, ?, 'demo') "
        "ON CONFLICT DO NOTHING", err);
    if (!s)
        return err->code;
    if (isreg_source_parse(str(j, "source")) < 0 || !str(j, "id") || !str(j, "agency") || !str(j, "name"))
        return pc_err_set(err, PC_EINVAL, "a known system needs id, agency, name and a source");
    db_bind_text(s, 1, str(j, "id"));
    db_bind_text(s, 2, str(j, "agency"));
    db_bind_text(s, 3, str(j, "name"));
    db_bind_text(s, 4, str(j, "source"));
    db_bind_text(s, 5, str(j, "noted_on"));
    db_bind_text(s, 6, str(j, "note") ? str(j, "note") : "");
    return isreg_run(s, err);
}

static int load_census(struct db_conn *c, json_t *j, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO isreg_census(year, known, registered, source) VALUES (?, ?, ?, ?) "
                                      "ON CONFLICT DO NOTHING", err);
    if (!s)
        return err->code;
    db_bind_int(s, 1, json_integer_value(json_object_get(j, "year")));
    db_bind_int(s, 2, json_integer_value(json_object_get(j, "known")));
    db_bind_int(s, 3, json_integer_value(json_object_get(j, "registered")));
    db_bind_text(s, 4, str(j, "source") ? str(j, "source") : "");
    return isreg_run(s, err);
}

static int load_file(struct db_conn *c, const char *dir, const char *name, int64_t now,
                     int (*one)(struct db_conn *, struct pc_arena *, json_t *, int64_t, struct pc_err *),
                     struct pc_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return pc_err_set(err, PC_ENOTFOUND, "cannot open %s", path);
    char line[65536];
    int rc = 0, n = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        n++;
        if (line[0] == '\n' || line[0] == '#')
            continue;
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        if (!j) {
            rc = pc_err_set(err, PC_EINVAL, "%s:%d: %s", name, n, je.text);
            break;
        }
        struct pc_arena a;
        pc_arena_init(&a);
        rc = one(c, &a, j, now, err);
        pc_arena_release(&a);
        json_decref(j);
        if (rc) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            pc_err_set(err, rc, "%s:%d: %s", name, n, why);
        }
    }
    fclose(f);
    return rc;
}

static int one_system(struct db_conn *c, struct pc_arena *a, json_t *j, int64_t now, struct pc_err *err)
{
    return load_system(c, a, j, now, err);
}

static int one_known(struct db_conn *c, struct pc_arena *a, json_t *j, int64_t now, struct pc_err *err)
{
    (void)a;
    (void)now;
    return load_known(c, j, err);
}

static int one_census(struct db_conn *c, struct pc_arena *a, json_t *j, int64_t now, struct pc_err *err)
{
    (void)a;
    (void)now;
    return load_census(c, j, err);
}

int isreg_load_demo(struct db *db, const char *dir, int64_t now, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code;
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    rc = load_file(c, dir, "systems.jsonl", now, one_system, err);
    if (!rc)
        rc = load_file(c, dir, "known.jsonl", now, one_known, err);
    if (!rc)
        rc = load_file(c, dir, "census.jsonl", now, one_census, err);
    return db_end(c, rc, err);
}

/* import.c — reading the catalogue files (JSON Lines) with strict
 * validation, and writing them into the database in one transaction.
 * A file with any bad row changes nothing: the operator gets every bad row
 * with its line number and fixes them all in one go. */
#include "catalog.h"

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_BYTES 400
#define DESC_MAX_BYTES 3000

/* ---- field helpers ---------------------------------------------------- */

static bool is_slug(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static int check_keys(json_t *obj, const char *const *allowed, struct pc_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool ok = false;
        for (const char *const *k = allowed; *k; k++)
            if (strcmp(*k, key) == 0)
                ok = true;
        if (!ok)
            return pc_err_set(err, PC_EINVAL, "unknown field \"%s\"", key);
    }
    return 0;
}

static int get_slug(struct pc_arena *a, json_t *o, const char *key, size_t min, size_t max,
                    const char **out, struct pc_err *err)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return pc_err_set(err, PC_EINVAL, "\"%s\" must be a string", key);
    if (!is_slug(json_string_value(v), min, max))
        return pc_err_set(err, PC_EINVAL, "\"%s\" must be %zu–%zu characters of a-z, 0-9 and -", key, min, max);
    *out = pc_arena_strdup(a, json_string_value(v));
    return 0;
}

/* Optional string: absent or null gives NULL. */
static int get_opt_string(struct pc_arena *a, json_t *o, const char *key, size_t max,
                          const char **out, struct pc_err *err)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max)
        return pc_err_set(err, PC_EINVAL, "\"%s\" must be a non-empty string of at most %zu bytes or null", key, max);
    *out = pc_arena_strdup(a, json_string_value(v));
    return 0;
}

static int get_opt_int(json_t *o, const char *key, long long min, long long max, int *out, struct pc_err *err)
{
    json_t *v = json_object_get(o, key);
    *out = -1;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return pc_err_set(err, PC_EINVAL, "\"%s\" must be an integer from %lld to %lld or null", key, min, max);
    *out = (int)json_integer_value(v);
    return 0;
}

static int get_text(struct pc_arena *a, json_t *o, const char *key, size_t max, bool required,
                    struct pc_text *out, struct pc_err *err)
{
    json_t *t = json_object_get(o, key);
    memset(out, 0, sizeof *out);
    if (!t && !required)
        return 0;
    static const char *const langs[] = {"az", "en", "ru", NULL};
    if (!json_is_object(t))
        return pc_err_set(err, PC_EINVAL, "\"%s\" must be an object with az, en and ru", key);
    if (check_keys(t, langs, err))
        return pc_err_set(err, PC_EINVAL, "\"%s\" has a language other than az, en, ru", key);
    for (int i = 0; i < PC_LANG_COUNT; i++) {
        json_t *v = json_object_get(t, langs[i]);
        if (!json_is_string(v) || json_string_length(v) == 0)
            return pc_err_set(err, PC_EINVAL, "\"%s\".%s is missing or empty", key, langs[i]);
        if (json_string_length(v) > max)
            return pc_err_set(err, PC_EINVAL, "\"%s\".%s is longer than %zu bytes", key, langs[i], max);
        if (strchr(json_string_value(v), '\n') && max == NAME_MAX_BYTES)
            return pc_err_set(err, PC_EINVAL, "\"%s\".%s contains a line break", key, langs[i]);
        out->s[i] = pc_arena_strdup(a, json_string_value(v));
    }
    return 0;
}

/* A list of strings from a fixed vocabulary, joined with commas. */
static int get_set(struct pc_arena *a, json_t *o, const char *key, const char *const *vocab,
                   const char **joined, struct pc_err *err)
{
    json_t *arr = json_object_get(o, key);
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return pc_err_set(err, PC_EINVAL, "\"%s\" must be a non-empty list", key);
    struct pc_buf b;
    pc_buf_init(&b, 1024);
    size_t i;
    json_t *v;
    int rc = 0;
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(v);
        bool ok = false;
        for (const char *const *w = vocab; s && *w; w++)
            if (strcmp(*w, s) == 0)
                ok = true;
        if (!ok) {
            rc = pc_err_set(err, PC_EINVAL, "\"%s\" has an unknown value %s%s%s", key,
                            s ? "\"" : "", s ? s : "(not a string)", s ? "\"" : "");
            break;
        }
        if (b.len)
            pc_buf_putc(&b, ',');
        pc_buf_puts(&b, s);
    }
    if (!rc)
        *joined = pc_arena_strdup(a, b.data);
    pc_buf_release(&b);
    return rc;
}

static json_t *parse_object(const char *line, size_t n, struct pc_err *err)
{
    json_error_t je;
    json_t *o = json_loadb(line, n, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        pc_err_set(err, PC_EINVAL, "not valid JSON: %s (column %d)", je.text, je.column);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        pc_err_set(err, PC_EINVAL, "each line must be one JSON object");
        return NULL;
    }
    return o;
}

/* ---- one line of each file ------------------------------------------- */

static const char *const agency_kinds[] = {"ministry", "committee", "agency", "service", "fund",
                                           "company", "commission", "court", "other", NULL};

int cat_parse_agency(struct pc_arena *a, const char *line, size_t n, struct cat_agency *out, struct pc_err *err)
{
    static const char *const keys[] = {"id", "name", "short", "kind", "website",
                                       "approved_services", "source", NULL};
    json_t *o = parse_object(line, n, err);
    if (!o)
        return PC_EINVAL;
    memset(out, 0, sizeof *out);
    int rc = check_keys(o, keys, err);
    if (!rc) rc = get_slug(a, o, "id", 2, 40, &out->id, err);
    if (!rc) rc = get_text(a, o, "name", NAME_MAX_BYTES, true, &out->name, err);
    if (!rc) rc = get_text(a, o, "short", 40, false, &out->shortname, err);
    if (!rc) {
        const char *kind = json_string_value(json_object_get(o, "kind"));
        rc = pc_err_set(err, PC_EINVAL, "\"kind\" must be one of ministry, committee, agency, service, fund, company, commission, court, other");
        for (const char *const *k = agency_kinds; kind && *k; k++)
            if (strcmp(*k, kind) == 0) {
                out->kind = pc_arena_strdup(a, kind);
                rc = 0;
            }
    }
    if (!rc) rc = get_opt_string(a, o, "website", 200, &out->website, err);
    if (!rc && out->website && !pc_str_has_prefix(out->website, "https://") && !pc_str_has_prefix(out->website, "http://"))
        rc = pc_err_set(err, PC_EINVAL, "\"website\" must be an http(s) URL");
    if (!rc) rc = get_opt_int(o, "approved_services", 0, 10000, &out->approved_services, err);
    if (!rc) rc = get_opt_string(a, o, "source", 200, &out->source, err);
    json_decref(o);
    return rc;
}

int cat_parse_life_event(struct pc_arena *a, const char *line, size_t n, struct cat_life_event *out, struct pc_err *err)
{
    static const char *const keys[] = {"id", "name", "order", NULL};
    json_t *o = parse_object(line, n, err);
    if (!o)
        return PC_EINVAL;
    memset(out, 0, sizeof *out);
    int rc = check_keys(o, keys, err);
    if (!rc) rc = get_slug(a, o, "id", 2, 40, &out->id, err);
    if (!rc) rc = get_text(a, o, "name", NAME_MAX_BYTES, true, &out->name, err);
    if (!rc) {
        rc = get_opt_int(o, "order", 1, 1000, &out->position, err);
        if (!rc && out->position < 0)
            rc = pc_err_set(err, PC_EINVAL, "\"order\" is required");
    }
    json_decref(o);
    return rc;
}

static const char *const audiences[] = {"citizens", "entrepreneurs", "officials", NULL};
static const char *const relations[] = {"G2C", "G2B", "G2E", "G2G", NULL};
static const char *const channels[] = {"portal", "agency_site", "service_centre", NULL};
static const char *const logins[] = {"none", "code_password", "e_signature", NULL};

static int parse_fee(json_t *o, struct cat_service *out, struct pc_err *err)
{
    json_t *fee = json_object_get(o, "fee_azn");
    json_t *free_v = json_object_get(o, "free");
    if (!json_is_boolean(free_v))
        return pc_err_set(err, PC_EINVAL, "\"free\" must be true or false");
    out->free = json_is_true(free_v);
    out->fee_qepik = -1;
    if (fee && !json_is_null(fee)) {
        if (!json_is_number(fee) || json_number_value(fee) < 0 || json_number_value(fee) > 1e7)
            return pc_err_set(err, PC_EINVAL, "\"fee_azn\" must be a non-negative number or null");
        double q = json_number_value(fee) * 100.0;
        out->fee_qepik = (int64_t)(q + 0.5);
        if (out->free && out->fee_qepik > 0)
            return pc_err_set(err, PC_EINVAL, "a free service cannot have a fee");
    }
    return 0;
}

static int parse_documents(struct pc_arena *a, json_t *o, struct cat_service *out, struct pc_err *err)
{
    json_t *docs = json_object_get(o, "documents");
    if (!json_is_array(docs) || json_array_size(docs) > 40)
        return pc_err_set(err, PC_EINVAL, "\"documents\" must be a list of at most 40 items");
    out->ndocuments = json_array_size(docs);
    out->documents = pc_arena_alloc(a, (out->ndocuments + 1) * sizeof *out->documents);
    for (size_t i = 0; i < out->ndocuments; i++) {
        json_t *wrap = json_pack("{sO}", "document", json_array_get(docs, i));
        int rc = get_text(a, wrap, "document", NAME_MAX_BYTES, true, &out->documents[i], err);
        json_decref(wrap);
        if (rc)
            return pc_err_set(err, PC_EINVAL, "documents[%zu] must have non-empty az, en and ru", i);
    }
    return 0;
}

static int parse_maturity(struct pc_arena *a, json_t *o, struct cat_service *out, struct pc_err *err)
{
    json_t *m = json_object_get(o, "maturity");
    out->maturity_json = NULL;
    if (!m || json_is_null(m))
        return 0;
    static const char *const keys[] = {"model", "level", "participation", "transparency", "note", NULL};
    if (!json_is_object(m) || check_keys(m, keys, NULL))
        return pc_err_set(err, PC_EINVAL, "\"maturity\" must be null or {model, level, participation, transparency, note}");
    json_int_t model = json_integer_value(json_object_get(m, "model"));
    json_t *lv = json_object_get(m, "level");
    if ((model != 3 && model != 4 && model != 5) || !json_is_integer(lv) ||
        json_integer_value(lv) < 0 || json_integer_value(lv) > model)
        return pc_err_set(err, PC_EINVAL, "\"maturity\": model must be 3, 4 or 5 and level 0..model");
    json_t *p = json_object_get(m, "participation");
    if (p && !json_is_null(p) && (!json_is_integer(p) || json_integer_value(p) < 0 || json_integer_value(p) > 10))
        return pc_err_set(err, PC_EINVAL, "\"maturity\".participation must be 0..10");
    json_t *t = json_object_get(m, "transparency");
    if (t && !json_is_null(t)) {
        json_int_t max = json_integer_value(json_object_get(t, "max"));
        json_t *sc = json_object_get(t, "score");
        if ((max != 8 && max != 10) || !json_is_integer(sc) || json_integer_value(sc) < 0 ||
            json_integer_value(sc) > max)
            return pc_err_set(err, PC_EINVAL, "\"maturity\".transparency must be {max: 8 or 10, score: 0..max}");
    }
    json_t *note = json_object_get(m, "note");
    if (note && !json_is_null(note) && !json_is_string(note))
        return pc_err_set(err, PC_EINVAL, "\"maturity\".note must be a string");
    char *s = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
    if (!s)
        return PC_ENOMEM;
    out->maturity_json = pc_arena_strdup(a, s);
    free(s);
    return 0;
}

int cat_parse_service(struct pc_arena *a, const char *line, size_t n, struct cat_service *out, struct pc_err *err)
{
    static const char *const keys[] = {"id", "agency", "name", "description", "audience", "relation",
                                       "login", "fee_azn", "free", "deadline_days", "documents",
                                       "channels", "approved_list", "maturity", "life_events",
                                       "source", NULL};
    json_t *o = parse_object(line, n, err);
    if (!o)
        return PC_EINVAL;
    memset(out, 0, sizeof *out);
    const char *aud = NULL, *login = NULL;
    int rc = check_keys(o, keys, err);
    if (!rc) rc = get_slug(a, o, "id", 3, 60, &out->id, err);
    if (!rc) rc = get_slug(a, o, "agency", 2, 40, &out->agency_id, err);
    if (!rc) rc = get_text(a, o, "name", NAME_MAX_BYTES, true, &out->name, err);
    if (!rc) rc = get_text(a, o, "description", DESC_MAX_BYTES, true, &out->description, err);
    if (!rc) rc = get_set(a, o, "audience", audiences, &aud, err);
    if (!rc) rc = get_set(a, o, "relation", relations, &out->relations, err);
    if (!rc) {
        json_t *l = json_object_get(o, "login");
        json_t *wrap = json_pack("{s[O]}", "login", l ? l : json_null());
        rc = get_set(a, wrap, "login", logins, &login, err);
        json_decref(wrap);
        out->login = login;
    }
    if (!rc) rc = parse_fee(o, out, err);
    if (!rc) rc = get_opt_int(o, "deadline_days", 1, 3650, &out->deadline_days, err);
    if (!rc) rc = parse_documents(a, o, out, err);
    if (!rc) rc = get_set(a, o, "channels", channels, &out->channels, err);
    if (!rc) rc = get_opt_string(a, o, "approved_list", 100, &out->approved_list, err);
    if (!rc) rc = parse_maturity(a, o, out, err);
    if (!rc) {
        json_t *le = json_object_get(o, "life_events");
        if (!json_is_array(le) || json_array_size(le) == 0 || json_array_size(le) > 20) {
            rc = pc_err_set(err, PC_EINVAL, "\"life_events\" must be a list of 1 to 20 ids");
        } else {
            out->nlife_events = json_array_size(le);
            out->life_events = pc_arena_alloc(a, out->nlife_events * sizeof *out->life_events);
            for (size_t i = 0; !rc && i < out->nlife_events; i++) {
                const char *id = json_string_value(json_array_get(le, i));
                if (!id || !is_slug(id, 2, 40))
                    rc = pc_err_set(err, PC_EINVAL, "\"life_events\"[%zu] is not an id", i);
                else
                    out->life_events[i] = pc_arena_strdup(a, id);
            }
        }
    }
    if (!rc) rc = get_opt_string(a, o, "source", 200, &out->source, err);
    if (!rc) {
        out->for_citizens = strstr(aud, "citizens") != NULL;
        out->for_entrepreneurs = strstr(aud, "entrepreneurs") != NULL;
        out->for_officials = strstr(aud, "officials") != NULL;
    }
    json_decref(o);
    return rc;
}

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
    db_bind_text(s, 12, pc_arena_printf(a, ",%s,", v->relations));
    db_bind_text(s, 13, v->login);
    if (v->fee_qepik >= 0)
        db_bind_int(s, 14, v->fee_qepik);
    else
        db_bind_null(s, 14);
    db_bind_int(s, 15, v->free);
    if (v->deadline_days > 0)
        db_bind_int(s, 16, v->deadline_days);
    else
        db_bind_null(s, 16);
    db_bind_text(s, 17, pc_arena_printf(a, ",%s,", v->channels));
    db_bind_text(s, 18, v->approved_list);
    db_bind_text(s, 19, v->maturity_json);
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
        if (s && db_step(s, err) == 1)
            st->withdrawn = (int)db_col_int(s, 0);
        else
            rc = PC_EIO;
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

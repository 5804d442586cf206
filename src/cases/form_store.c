/* form_store.c — form definitions in the database and in memory: the
 * import from data/forms (all files valid or nothing written), and the
 * registry of parsed definitions that request threads read. */
#include "cases.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct form_entry {
    char *service_id;
    int version;
    json_t *def;
};

struct form_registry {
    struct form_entry *items;
    size_t n;
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int form_import_dir(struct db *db, const char *dir, FILE *report, int *count, struct pc_err *err)
{
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return pc_err_set(err, PC_EIO, "cannot open %s", dir);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    json_t *defs[256];
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        json_error_t je;
        defs[i] = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        struct pc_err fe = {0};
        if (!defs[i]) {
            pc_err_set(&fe, PC_EINVAL, "line %d: %s", je.line, je.text);
        } else if (!form_check_definition(defs[i], &fe)) {
            char want[300];
            snprintf(want, sizeof want, "%s.json", json_string_value(json_object_get(defs[i], "service")));
            if (strcmp(want, names[i]) != 0)
                pc_err_set(&fe, PC_EINVAL, "$.service must match the file name");
        }
        if (fe.code) {
            bad++;
            if (report)
                fprintf(report, "%s: %s\n", names[i], fe.msg);
        }
    }
    int rc = bad ? pc_err_set(err, PC_EINVAL, "%d bad form file%s: nothing was imported", bad, bad == 1 ? "" : "s") : 0;
    struct db_conn *c = rc ? NULL : db_conn_get(db, err);
    if (!rc && (!c || db_begin(c, err)))
        rc = PC_EIO;
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    for (size_t i = 0; !rc && i < n; i++) {
        /* a stored version is never changed: a new text needs a new version */
        struct db_stmt *s = db_prepare(c, "SELECT definition FROM forms WHERE service_id = ? AND version = ?", err);
        const char *service = json_string_value(json_object_get(defs[i], "service"));
        json_int_t version = json_integer_value(json_object_get(defs[i], "version"));
        char *text = json_dumps(defs[i], JSON_COMPACT | JSON_SORT_KEYS);
        if (!s || !text) {
            free(text);
            rc = PC_EIO;
            break;
        }
        db_bind_text(s, 1, service);
        db_bind_int(s, 2, version);
        int st = db_step(s, err);
        if (st == 1 && strcmp(db_col_text(s, 0), text) != 0) {
            rc = pc_err_set(err, PC_ECONFLICT, "%s: version %lld is already stored with other content; raise \"version\"",
                            names[i], (long long)version);
            if (report)
                fprintf(report, "%s\n", err ? err->msg : "");
        } else if (st == 0) {
            s = db_prepare(c, "INSERT INTO forms(service_id, version, definition, loaded_at) VALUES (?, ?, ?, ?)", err);
            if (!s) {
                rc = PC_EIO;
            } else {
                db_bind_text(s, 1, service);
                db_bind_int(s, 2, version);
                db_bind_text(s, 3, text);
                db_bind_text(s, 4, now);
                if (db_run(s, err) < 0)
                    rc = err && err->code == PC_EINVAL
                             ? pc_err_set(err, PC_EINVAL, "%s: the service is not in the catalogue", names[i]) : PC_EIO;
            }
        } else if (st < 0) {
            rc = st;
        }
        free(text);
        if (!rc)
            (*count)++;
    }
    if (c && !bad) {
        if (rc)
            db_rollback(c);
        else
            rc = db_commit(c, err);
    }
    for (size_t i = 0; i < n; i++) {
        json_decref(defs[i]);
        free(names[i]);
    }
    return rc;
}

struct form_registry *form_registry_load(struct db *db, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT service_id, version, definition FROM forms ORDER BY service_id, version", err) : NULL;
    if (!s)
        return NULL;
    struct form_registry *reg = calloc(1, sizeof *reg);
    size_t cap = 0;
    int rc;
    while (reg && (rc = db_step(s, err)) == 1) {
        if (reg->n == cap) {
            cap = cap ? cap * 2 : 32;
            struct form_entry *bigger = realloc(reg->items, cap * sizeof *bigger);
            if (!bigger)
                break;
            reg->items = bigger;
        }
        json_t *def = json_loads(db_col_text(s, 2), 0, NULL);
        if (!def)
            continue;
        struct form_entry *e = &reg->items[reg->n++];
        e->service_id = strdup(db_col_text(s, 0));
        e->version = (int)db_col_int(s, 1);
        e->def = def;
    }
    db_conn_idle(c);
    return reg;
}

void form_registry_free(struct form_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->n; i++) {
        free(reg->items[i].service_id);
        json_decref(reg->items[i].def);
    }
    free(reg->items);
    free(reg);
}

const json_t *form_get_version(const struct form_registry *reg, const char *service_id, int version)
{
    for (size_t i = 0; reg && i < reg->n; i++)
        if (reg->items[i].version == version && strcmp(reg->items[i].service_id, service_id) == 0)
            return reg->items[i].def;
    return NULL;
}

const json_t *form_get(const struct form_registry *reg, const char *service_id)
{
    const json_t *best = NULL;
    int best_version = 0;
    for (size_t i = 0; reg && i < reg->n; i++)
        if (strcmp(reg->items[i].service_id, service_id) == 0 && reg->items[i].version > best_version) {
            best = reg->items[i].def;
            best_version = reg->items[i].version;
        }
    return best;
}

/* registry.c — the registry of approved e-services: for each government
 * body, the services the Cabinet approved (decision No. 191 of 2011), how
 * many of them are on the portal and on the body's own site, and the
 * totals, as the comparison tables of the bulletins publish them on each
 * date (data/evaluations/approved-services.jsonl).  A figure the bulletin
 * lost is -1; contradictions are kept as printed with a note.  Read once
 * per process. */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[MON_REG_COUNT] = {"approved", "approved_on_portal", "on_portal", "on_own_site",
                                                       "approved_on_own_site"};

static int row_of(struct pc_arena *a, json_t *o, int line, struct mon_reg_row *r, struct pc_err *err)
{
    memset(r, 0, sizeof *r);
    const char *date = json_string_value(json_object_get(o, "date"));
    r->total = json_is_true(json_object_get(o, "total"));
    const char *row = json_string_value(json_object_get(o, "row"));
    const char *agency = json_string_value(json_object_get(o, "agency"));
    if (!date || strlen(date) != 10 || (!r->total && (!row || !agency)))
        return pc_err_set(err, PC_EINVAL, "approved-services.jsonl line %d: a row needs date (YYYY-MM-DD), and row and "
                                          "agency unless it is the total", line);
    r->date = pc_arena_strdup(a, date);
    r->row = pc_arena_strdup(a, row);
    r->agency = pc_arena_strdup(a, agency);
    r->name = pc_arena_strdup(a, json_string_value(json_object_get(o, "name")));
    r->note = pc_arena_strdup(a, json_string_value(json_object_get(o, "note")));
    r->source = pc_arena_strdup(a, json_string_value(json_object_get(o, "source")));
    r->listed = !row || row[0] != '+';
    for (int f = 0; f < MON_REG_COUNT; f++) {
        json_t *v = json_object_get(o, field_names[f]);
        if (!json_is_null(v) && !(json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < 100000))
            return pc_err_set(err, PC_EINVAL, "approved-services.jsonl line %d: \"%s\" is a count or null", line,
                              field_names[f]);
        r->n[f] = json_is_integer(v) ? (int)json_integer_value(v) : -1;
    }
    return 0;
}

int mon_registry_load(struct pc_arena *a, const char *path, struct mon_registry *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return pc_err_set(err, PC_ENOTFOUND, "cannot open %s", path);
    size_t cap = 64;
    out->rows = pc_arena_array(a, cap, sizeof *out->rows);
    char line[8192];
    int lineno = 0, rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        if (line[0] == '\n')
            continue;
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        if (!json_is_object(o)) {
            rc = pc_err_set(err, PC_EINVAL, "%s line %d: not a JSON object", path, lineno);
        } else {
            if (out->nrows == cap) {
                struct mon_reg_row *v = pc_arena_array(a, cap * 2, sizeof *v);
                memcpy(v, out->rows, cap * sizeof *v);
                out->rows = v;
                cap *= 2;
            }
            rc = row_of(a, o, lineno, &out->rows[out->nrows], err);
            out->nrows += !rc;
        }
        json_decref(o);
    }
    fclose(f);
    if (rc)
        return rc;
    /* the dates, oldest first */
    out->dates = pc_arena_array(a, out->nrows ? out->nrows : 1, sizeof *out->dates);
    for (size_t i = 0; i < out->nrows; i++) {
        size_t k = 0;
        while (k < out->ndates && strcmp(out->dates[k], out->rows[i].date) != 0)
            k++;
        if (k == out->ndates)
            out->dates[out->ndates++] = out->rows[i].date;
    }
    for (size_t i = 1; i < out->ndates; i++)
        for (size_t k = i; k > 0 && strcmp(out->dates[k - 1], out->dates[k]) > 0; k--) {
            const char *t = out->dates[k];
            out->dates[k] = out->dates[k - 1];
            out->dates[k - 1] = t;
        }
    return 0;
}

const struct mon_reg_row *mon_registry_total(const struct mon_registry *r, const char *date)
{
    for (size_t i = 0; i < r->nrows; i++)
        if (r->rows[i].total && strcmp(r->rows[i].date, date) == 0)
            return &r->rows[i];
    return NULL;
}

static struct {
    pthread_once_t once;
    struct pc_arena arena;
    struct mon_registry reg;
    int rc;
    struct pc_err err;
} registry = {.once = PTHREAD_ONCE_INIT};

static void load_registry(void)
{
    pc_arena_init(&registry.arena);
    const char *dir = mon_evaluations_dir();
    if (!dir) {
        registry.rc = pc_err_set(&registry.err, PC_ENOTFOUND, "no data/evaluations folder");
        return;
    }
    registry.rc = mon_registry_load(&registry.arena, pc_arena_printf(&registry.arena, "%s/approved-services.jsonl", dir),
                                    &registry.reg, &registry.err);
}

int mon_registry_get(const struct mon_registry **out, struct pc_err *err)
{
    pthread_once(&registry.once, load_registry);
    if (registry.rc)
        return pc_err_set(err, registry.rc, "%s", registry.err.msg);
    *out = &registry.reg;
    return 0;
}

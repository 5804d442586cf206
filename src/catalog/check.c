/* check.c — the one checker of the catalogue files: every line through
 * its parser (parse.c), then the rules across rows and files (unique ids,
 * names and orders; services name known agencies and life situations).
 * Each bad row is reported once, as "FILE:LINE: what is wrong; …", so an
 * operator fixes them all in one go.  The import and `pencere admin
 * check-catalog` both use it. */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES (64 * 1024)

/* ---- reading the files -------------------------------------------------- */

typedef int (*line_fn)(struct pc_arena *a, const char *line, size_t n, void *item, struct pc_err *err);

static int agency_line(struct pc_arena *a, const char *l, size_t n, void *item, struct pc_err *e)
{
    return cat_parse_agency(a, l, n, &((struct cat_agency_row *)item)->v, e);
}

static int event_line(struct pc_arena *a, const char *l, size_t n, void *item, struct pc_err *e)
{
    return cat_parse_life_event(a, l, n, &((struct cat_event_row *)item)->v, e);
}

static int service_line(struct pc_arena *a, const char *l, size_t n, void *item, struct pc_err *e)
{
    return cat_parse_service(a, l, n, &((struct cat_service_row *)item)->v, e);
}

/* The good rows of one file, each with its line number (an int after the
 * item: line_off), into an arena array; bad rows go to the report. */
static int read_file(struct pc_arena *a, const char *dir, const char *name, line_fn fn, size_t item_size,
                     size_t line_off, void **rows, size_t *nrows, FILE *report, int *bad, struct pc_err *err)
{
    char *path = pc_arena_printf(a, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return pc_err_set(err, PC_EIO, "cannot open %s", path);
    struct pc_buf items;
    pc_buf_init(&items, 0);
    char *line = NULL, *item = pc_arena_alloc(a, item_size);
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
        memset(item, 0, item_size);
        int rc = (size_t)len > LINE_MAX_BYTES
                     ? pc_err_set(&e, PC_EINVAL, "line longer than %d bytes", LINE_MAX_BYTES)
                     : fn(a, line, (size_t)len, item, &e);
        if (rc) {
            (*bad)++;
            if (report)
                fprintf(report, "%s:%d: %s\n", name, lineno, e.msg);
            continue;
        }
        memcpy(item + line_off, &lineno, sizeof lineno);
        pc_buf_append(&items, item, item_size);
    }
    free(line);
    fclose(f);
    if (items.toobig) {
        pc_buf_release(&items);
        return pc_err_set(err, PC_ETOOBIG, "%s has more rows than the checker holds", name);
    }
    *nrows = items.len / item_size;
    *rows = pc_arena_alloc(a, items.len ? items.len : 1);
    memcpy(*rows, items.data, items.len);
    pc_buf_release(&items);
    return 0;
}

/* ---- rules across rows ------------------------------------------------------ */

/* What is wrong with each row of one file, joined with "; ". */
struct problems {
    const char **msg;            /* per row, NULL when fine */
    struct pc_arena *a;
};

static void problem(struct problems *p, size_t row, const char *fmt, ...) PC_PRINTF(3, 4);
static void problem(struct problems *p, size_t row, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    p->msg[row] = p->msg[row] ? pc_arena_printf(p->a, "%s; %s", p->msg[row], text) : pc_arena_strdup(p->a, text);
}

static int report_rows(const struct problems *p, const char *file, const int *lines, size_t n, FILE *report)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        if (p->msg[i]) {
            bad++;
            if (report)
                fprintf(report, "%s:%d: %s\n", file, lines[i], p->msg[i]);
        }
    return bad;
}

/* A value of a row, for finding the rows that share it. */
struct key {
    const char *scope;           /* "" or what the value is unique within */
    const char *value;
    size_t row;
};

static int by_key(const void *x, const void *y)
{
    const struct key *a = x, *b = y;
    int c = strcmp(a->scope, b->scope);
    if (!c)
        c = strcmp(a->value, b->value);
    return c ? c : a->row < b->row ? -1 : a->row > b->row;
}

/* Every row whose value an earlier row has already is a problem. */
static void repeats(struct problems *p, const int *lines, const char *what, struct key *keys, size_t n)
{
    qsort(keys, n, sizeof *keys, by_key);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(keys[i].scope, keys[first].scope) || strcmp(keys[i].value, keys[first].value))
            first = i;
        else
            problem(p, keys[i].row, "duplicate %s \"%s\" (also on line %d)", what, keys[i].value, lines[keys[first].row]);
    }
}

/* Whether id is one of the keys (sorted, scope ""). */
static bool known(const struct key *sorted, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(sorted[mid].value, id);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static int cross_check(struct pc_arena *a, const struct cat_rows *r, FILE *report)
{
    size_t na = r->nagencies, ne = r->nevents, ns = r->nservices;
    struct problems pa = {pc_arena_array(a, na + 1, sizeof(char *)), a};
    struct problems pe = {pc_arena_array(a, ne + 1, sizeof(char *)), a};
    struct problems ps = {pc_arena_array(a, ns + 1, sizeof(char *)), a};
    int *la = pc_arena_array(a, na + 1, sizeof(int)), *le = pc_arena_array(a, ne + 1, sizeof(int)),
        *ls = pc_arena_array(a, ns + 1, sizeof(int));
    struct key *ka = pc_arena_array(a, na + 1, sizeof *ka), *ke = pc_arena_array(a, ne + 1, sizeof *ke),
               *ks = pc_arena_array(a, ns + 1, sizeof *ks);

    for (size_t i = 0; i < na; i++) {
        la[i] = r->agencies[i].line;
        ka[i] = (struct key){"", r->agencies[i].v.name.s[PC_LANG_AZ], i};
    }
    for (size_t i = 0; i < ne; i++) {
        le[i] = r->events[i].line;
        ke[i] = (struct key){"", pc_arena_printf(a, "%d", r->events[i].v.position), i};
    }
    for (size_t i = 0; i < ns; i++)
        ls[i] = r->services[i].line;

    /* ids first: a copied row is reported as the copy it is */
    struct key *ids = pc_arena_array(a, na + 1, sizeof *ids);
    for (size_t i = 0; i < na; i++)
        ids[i] = (struct key){"", r->agencies[i].v.id, i};
    repeats(&pa, la, "id", ids, na);
    repeats(&pa, la, "agency name", ka, na);
    struct key *event_ids = pc_arena_array(a, ne + 1, sizeof *event_ids);
    for (size_t i = 0; i < ne; i++)
        event_ids[i] = (struct key){"", r->events[i].v.id, i};
    repeats(&pe, le, "id", event_ids, ne);
    repeats(&pe, le, "order", ke, ne);
    for (size_t i = 0; i < ns; i++)
        ks[i] = (struct key){"", r->services[i].v.id, i};
    repeats(&ps, ls, "id", ks, ns);

    /* services name agencies and life situations of the files (ids and
     * event_ids are sorted now; a repeated id is known all the same) */
    for (size_t i = 0; i < ns; i++) {
        const struct cat_service *v = &r->services[i].v;
        if (!known(ids, na, v->agency_id))
            problem(&ps, i, "unknown agency \"%s\"", v->agency_id);
        for (size_t k = 0; k < v->nlife_events; k++)
            if (!known(event_ids, ne, v->life_events[k]))
                problem(&ps, i, "unknown life event \"%s\"", v->life_events[k]);
    }
    for (size_t i = 0; i < ns; i++)
        ks[i] = (struct key){r->services[i].v.agency_id, r->services[i].v.name.s[PC_LANG_AZ], i};
    repeats(&ps, ls, "service name within its agency", ks, ns);

    return report_rows(&pa, "agencies.jsonl", la, na, report) + report_rows(&pe, "life_events.jsonl", le, ne, report) +
           report_rows(&ps, "services.jsonl", ls, ns, report);
}

int cat_read_dir(struct pc_arena *a, const char *dir, FILE *report, struct cat_rows *out, int *bad,
                 struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    *bad = 0;
    void *ag = NULL, *ev = NULL, *sv = NULL;
    out->nagencies = out->nevents = out->nservices = 0;
    int rc = read_file(a, dir, "agencies.jsonl", agency_line, sizeof(struct cat_agency_row),
                       offsetof(struct cat_agency_row, line), &ag, &out->nagencies, report, bad, err);
    if (!rc)
        rc = read_file(a, dir, "life_events.jsonl", event_line, sizeof(struct cat_event_row),
                       offsetof(struct cat_event_row, line), &ev, &out->nevents, report, bad, err);
    if (!rc)
        rc = read_file(a, dir, "services.jsonl", service_line, sizeof(struct cat_service_row),
                       offsetof(struct cat_service_row, line), &sv, &out->nservices, report, bad, err);
    if (rc)
        return rc;
    out->agencies = ag;
    out->events = ev;
    out->services = sv;
    *bad += cross_check(a, out, report);
    if (*bad)
        return pc_err_set(err, PC_EINVAL, "%d bad row%s: nothing was imported", *bad, *bad == 1 ? "" : "s");
    return 0;
}

int cat_check(const char *dir, FILE *report, struct cat_import_stats *st, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct cat_rows rows;
    memset(st, 0, sizeof *st);
    int rc = cat_read_dir(&a, dir, report, &rows, &st->bad_rows, err);
    st->agencies = (int)rows.nagencies;
    st->life_events = (int)rows.nevents;
    st->services = (int)rows.nservices;
    pc_arena_release(&a);
    return rc;
}

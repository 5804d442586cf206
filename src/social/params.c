/* params.c — the ministry's parameters of the means test as data: a file
 * of versions (data/social/params.json), each with its validity, its legal
 * reference and the reference of every rule, checked field by field and
 * stored in social_params.  A stored version never changes: the ministry
 * adds a version, and the import is one audited transaction. */
#include "internal.h"
#include "../audit/audit.h"

#include <stdlib.h>
#include <string.h>

static const char *const rule_names[SOCIAL_RULE_COUNT] = {"criterion", "income", "property", "amount", "period"};

const char *social_rule_name(enum social_rule r)
{
    return (unsigned)r < SOCIAL_RULE_COUNT ? rule_names[r] : "?";
}

static bool day_ok(const char *s)
{
    int y, m, d;
    char tail;
    return s && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && y >= 2000 && y <= 2100 &&
           m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static const char *text(struct pc_arena *a, const json_t *j, const char *key, size_t max)
{
    const json_t *v = json_object_get(j, key);
    const char *s = json_string_value(v);
    return s && *s && strlen(s) <= max && pc_utf8_valid(s, strlen(s)) ? pc_arena_strdup(a, s) : NULL;
}

/* An integer field within [min, max]; false when missing or out of range. */
static bool integer(const json_t *j, const char *key, int64_t min, int64_t max, int64_t *out)
{
    const json_t *v = json_object_get(j, key);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return false;
    *out = json_integer_value(v);
    return true;
}

int social_params_parse(struct pc_arena *a, const json_t *j, struct social_params *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(j))
        return pc_err_set(err, PC_EINVAL, "a version is an object");
    int64_t v, criterion, cap, months, dwellings, vehicles;
    if (!integer(j, "version", 1, 1000000, &v))
        return pc_err_set(err, PC_EINVAL, "version: a whole number from 1");
    out->version = (int)v;
    out->valid_from = text(a, j, "valid_from", 10);
    out->valid_to = text(a, j, "valid_to", 10);
    if (!day_ok(out->valid_from) || !day_ok(out->valid_to) || strcmp(out->valid_from, out->valid_to) > 0)
        return pc_err_set(err, PC_EINVAL, "version %d: valid_from and valid_to are days YYYY-MM-DD, in order", out->version);
    if (!(out->legal_ref = text(a, j, "legal_ref", 500)))
        return pc_err_set(err, PC_EINVAL, "version %d: legal_ref is required", out->version);
    if (!integer(j, "criterion_qepik", 1, SOCIAL_MONEY_MAX, &criterion))
        return pc_err_set(err, PC_EINVAL, "version %d: criterion_qepik: qəpik a month, above 0", out->version);
    if (!integer(j, "cap_qepik", 0, SOCIAL_MONEY_MAX, &cap))
        return pc_err_set(err, PC_EINVAL, "version %d: cap_qepik: qəpik a month, 0 for none", out->version);
    if (!integer(j, "months", 1, 60, &months))
        return pc_err_set(err, PC_EINVAL, "version %d: months: 1 to 60", out->version);
    if (!integer(j, "max_dwellings", -1, 100, &dwellings) || !integer(j, "max_vehicles", -1, 100, &vehicles))
        return pc_err_set(err, PC_EINVAL, "version %d: max_dwellings and max_vehicles: -1 (no rule) to 100",
                          out->version);
    out->criterion = criterion;
    out->cap = cap;
    out->months = (int)months;
    out->max_dwellings = (int)dwellings;
    out->max_vehicles = (int)vehicles;
    const json_t *demo = json_object_get(j, "demo");
    if (demo && !json_is_boolean(demo))
        return pc_err_set(err, PC_EINVAL, "version %d: demo is true or false", out->version);
    out->demo = json_is_true(demo);
    const json_t *count = json_object_get(j, "count");
    static const char *const counted[] = {"wages", "pensions", "benefits"};
    bool *flags[] = {&out->count_wages, &out->count_pensions, &out->count_benefits};
    for (size_t i = 0; i < 3; i++) {
        const json_t *b = json_object_get(count, counted[i]);
        if (!json_is_boolean(b))
            return pc_err_set(err, PC_EINVAL, "version %d: count.%s is true or false", out->version, counted[i]);
        *flags[i] = json_is_true(b);
    }
    /* added in version 2 of the data file: a version without it counts none */
    const json_t *business = json_object_get(count, "business");
    if (business && !json_is_boolean(business))
        return pc_err_set(err, PC_EINVAL, "version %d: count.business is true or false", out->version);
    out->count_business = json_is_true(business);
    /* the running grant's rules (vemtas2), optional: 30 days, no arrears */
    int64_t days = 30;
    if (json_object_get(j, "reassess_days") && !integer(j, "reassess_days", 0, 365, &days))
        return pc_err_set(err, PC_EINVAL, "version %d: reassess_days: 0 to 365", out->version);
    out->reassess_days = (int)days;
    const json_t *arrears = json_object_get(j, "arrears");
    if (arrears && !json_is_boolean(arrears))
        return pc_err_set(err, PC_EINVAL, "version %d: arrears is true or false", out->version);
    out->arrears = json_is_true(arrears);
    const json_t *refs = json_object_get(j, "refs");
    for (int r = 0; r < SOCIAL_RULE_COUNT; r++)
        if (!(out->refs[r] = text(a, refs, rule_names[r], 300)))
            return pc_err_set(err, PC_EINVAL, "version %d: refs.%s is required", out->version, rule_names[r]);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    out->json = pc_arena_strdup(a, s);
    free(s);
    return 0;
}

/* Store one version unless stored: 1 added, 0 the same, PC_ECONFLICT other content. */
static int store(struct db_conn *c, const struct social_params *p, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT doc FROM social_params WHERE version = ?", err);
    if (!s)
        return err->code;
    db_bind_int(s, 1, p->version);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return pc_str_eq(db_col_text(s, 0), p->json)
                   ? 0
                   : pc_err_set(err, PC_ECONFLICT, "version %d is stored with other content: add a new version",
                                p->version);
    s = db_prepare(c, "INSERT INTO social_params (version, valid_from, valid_to, doc, imported_at) VALUES (?, ?, ?, ?, ?)",
                   err);
    if (!s)
        return err->code;
    db_bind_int(s, 1, p->version);
    db_bind_text(s, 2, p->valid_from);
    db_bind_text(s, 3, p->valid_to);
    db_bind_text(s, 4, p->json);
    db_bind_int(s, 5, pc_now_unix());
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 1;
}

int social_params_import(struct db *db, const char *actor, const char *text_, size_t len, int *added,
                         struct pc_err *err)
{
    *added = 0;
    json_error_t je;
    json_t *root = json_loadb(text_, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return pc_err_set(err, PC_EINVAL, "line %d: %s", je.line, je.text);
    struct pc_arena a;
    pc_arena_init(&a);
    pc_arena_defer(&a, social_json_release, root);
    const json_t *versions = json_object_get(root, "versions");
    size_t n = json_array_size(versions);
    struct social_params *ps = pc_arena_array(&a, n ? n : 1, sizeof *ps);
    int rc = n ? 0 : pc_err_set(err, PC_EINVAL, "\"versions\": a list of at least one version");
    for (size_t i = 0; !rc && i < n; i++)
        rc = social_params_parse(&a, json_array_get(versions, i), &ps[i], err);
    struct db_conn *c;
    if (!rc && !(rc = audit_begin(db, &c, err))) {
        for (size_t i = 0; !rc && i < n; i++) {
            int r = store(c, &ps[i], err);
            if (r < 0)
                rc = r;
            else
                *added += r;
        }
        const char *detail = pc_arena_printf(&a, "%d new version(s)", *added);
        rc = audit_end(c, rc, &(struct audit_entry){actor, "agency_admin", "social.params.import", "social_params",
                                                    "means-test", "", detail},
                       err);
    }
    pc_arena_release(&a);
    if (rc)
        *added = 0;
    return rc;
}

static int read_rows(struct db *db, struct pc_arena *a, const char *sql, const char *day, struct social_params **out,
                     size_t *n, size_t max, struct pc_err *err)
{
    *n = 0;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, sql, err) : NULL;
    if (!s)
        return err->code ? err->code : PC_EUNAVAIL;
    if (day) {
        db_bind_text(s, 1, day);
        db_bind_text(s, 2, day);
    }
    size_t cap = 8;
    *out = pc_arena_array(a, cap, sizeof **out);
    int rc;
    while (*n < max && (rc = db_step(s, err)) == 1) {
        *out = social_grow(a, *out, &cap, *n, sizeof **out);
        json_t *j = json_loads(db_col_text(s, 0), 0, NULL);
        int prc = social_params_parse(a, j, &(*out)[*n], err);
        json_decref(j);
        if (prc) {
            db_conn_idle(c);
            return pc_err_set(err, PC_EIO, "a stored version of the parameters does not read: %s", err->msg);
        }
        (*n)++;
    }
    db_conn_idle(c);
    return *n == max ? 0 : rc < 0 ? rc : 0;
}

int social_params_for(struct db *db, struct pc_arena *a, const char *day, struct social_params *out,
                      struct pc_err *err)
{
    struct social_params *rows;
    size_t n;
    int rc = read_rows(db, a,
                       "SELECT doc FROM social_params WHERE valid_from <= ? AND valid_to >= ? ORDER BY version DESC",
                       day, &rows, &n, 1, err);
    if (rc)
        return rc;
    if (!n)
        return pc_err_set(err, PC_ENOTFOUND, "no means-test parameters are in force on %s", day);
    *out = rows[0];
    return 0;
}

int social_params_list(struct db *db, struct pc_arena *a, struct social_params **out, size_t *n, struct pc_err *err)
{
    return read_rows(db, a, "SELECT doc FROM social_params ORDER BY version DESC", NULL, out, n, 1000, err);
}

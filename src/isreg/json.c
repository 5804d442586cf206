/* json.c — a registration card from JSON (the API's body and the demo's
 * data): every member checked for its type, unknown members refused so an
 * integrator's typo is an error, lists bounded.  What the values must be
 * is isreg_card_check's business, not this file's. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static const char *const MEMBERS[] = {
    "kind", "name", "purpose", "legal_basis", "categories", "uses_fin", "sources", "recipients",
    "services_offered", "services_used", "portal_services", "hosting", "security", "responsible",
    "started_on", "change_on", "change_note", NULL};

static int bad(const char **field, const char *name, struct pc_err *err, const char *what)
{
    *field = name;
    return pc_err_set(err, PC_EINVAL, "%s %s", name, what);
}

static int get_str(json_t *o, const char *k, const char **out, const char **field, struct pc_err *err)
{
    json_t *v = json_object_get(o, k);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return bad(field, k, err, "must be a string");
    *out = json_string_value(v);
    return 0;
}

static int get_date(json_t *o, const char *k, char out[11], const char **field, struct pc_err *err)
{
    const char *s;
    int rc = get_str(o, k, &s, field, err);
    if (rc)
        return rc;
    if (s && strlen(s) > 10)
        return bad(field, k, err, "must be a date YYYY-MM-DD");
    snprintf(out, 11, "%s", s ? s : "");
    return 0;
}

static int get_list(struct pc_arena *a, json_t *o, const char *k, struct isreg_list *out, const char **field,
                    struct pc_err *err)
{
    json_t *v = json_object_get(o, k);
    out->items = NULL;
    out->n = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v) || json_array_size(v) > ISREG_SERVICES_MAX)
        return bad(field, k, err, "must be a list of at most 50 strings");
    out->items = pc_arena_alloc(a, (json_array_size(v) + 1) * sizeof *out->items);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        if (!json_is_string(e))
            return bad(field, k, err, "must be a list of strings");
        out->items[out->n++] = pc_arena_strdup(a, json_string_value(e));
    }
    return 0;
}

int isreg_card_from_json(struct pc_arena *a, json_t *o, bool strict, struct isreg_card *out, const char **field,
                         struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    out->late_days = -1;
    *field = NULL;
    if (!json_is_object(o))
        return bad(field, "card", err, "must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        bool known = !strict;
        for (int i = 0; MEMBERS[i] && !known; i++)
            known = strcmp(MEMBERS[i], key) == 0;
        if (!known) {
            *field = key;
            return pc_err_set(err, PC_EINVAL, "unknown member %.60s", key);
        }
    }
    const char *kind;
    int rc = get_str(o, "kind", &kind, field, err);
    if (rc)
        return rc;
    int k = isreg_kind_parse(kind);
    if (k < 0)
        return bad(field, "kind", err, "must be resource or personal_data");
    out->kind = (enum isreg_kind)k;

    json_t *name = json_object_get(o, "name");
    if (!json_is_object(name))
        return bad(field, "name", err, "must be an object of az, en and ru texts");
    static const char *const name_fields[PC_LANG_COUNT] = {"name_az", "name_en", "name_ru"};
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        json_t *t = json_object_get(name, pc_lang_code((enum pc_lang)l));
        if (t && !json_is_string(t))
            return bad(field, name_fields[l], err, "must be a string");
        out->name.s[l] = t ? json_string_value(t) : NULL;
    }

    json_t *cats = json_object_get(o, "categories");
    if (cats && !json_is_array(cats))
        return bad(field, "data_categories", err, "must be a list of categories");
    size_t i;
    json_array_foreach(cats, i, v) {
        int c = isreg_category_parse(json_string_value(v));
        if (c < 0)
            return bad(field, "data_categories", err, "names an unknown category");
        out->categories |= ISREG_BIT(c);
    }
    v = json_object_get(o, "uses_fin");
    if (v && !json_is_boolean(v))
        return bad(field, "uses_fin", err, "must be true or false");
    out->uses_fin = json_is_true(v);

    struct { const char *key; const char **to; } texts[] = {
        {"purpose", &out->purpose}, {"legal_basis", &out->legal_basis}, {"sources", &out->sources},
        {"recipients", &out->recipients}, {"hosting", &out->hosting}, {"security", &out->security},
        {"responsible", &out->responsible}, {"change_note", &out->change_note}};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0] && !rc; t++)
        rc = get_str(o, texts[t].key, texts[t].to, field, err);
    if (!rc)
        rc = get_list(a, o, "services_offered", &out->services_offered, field, err);
    if (!rc)
        rc = get_list(a, o, "services_used", &out->services_used, field, err);
    if (!rc)
        rc = get_list(a, o, "portal_services", &out->portal_services, field, err);
    if (!rc)
        rc = get_date(o, "started_on", out->started_on, field, err);
    if (!rc)
        rc = get_date(o, "change_on", out->change_on, field, err);
    /* a first card declares the system's start */
    if (!rc && !out->change_on[0])
        memcpy(out->change_on, out->started_on, sizeof out->change_on);
    return rc;
}

int isreg_card_parse(struct pc_arena *a, const char *text, size_t n, struct isreg_card *out, const char **field,
                     struct pc_err *err)
{
    json_error_t je;
    json_t *o = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        *field = NULL;
        return pc_err_set(err, PC_EINVAL, "the card is not JSON: %s", je.text);
    }
    /* the card's strings live in the arena, not in the JSON tree */
    int rc = isreg_card_from_json(a, o, true, out, field, err);
    const char **strs[] = {&out->name.s[0], &out->name.s[1], &out->name.s[2], &out->purpose, &out->legal_basis,
                           &out->sources, &out->recipients, &out->hosting, &out->security, &out->responsible,
                           &out->change_note};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        *strs[i] = pc_arena_strdup(a, *strs[i]);
    *field = pc_arena_strdup(a, *field);   /* an unknown member's name is the tree's too */
    json_decref(o);
    return rc;
}

/* parse.c — one line of a catalogue file (JSON Lines) into a typed item,
 * with strict validation and a message naming the field that is wrong.
 * The evaluation ("maturity") is read by the same code from a line and
 * from the database. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- field helpers ---------------------------------------------------- */

static bool is_slug(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max || s[0] == '-' || s[n - 1] == '-' || strstr(s, "--"))
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
        return pc_err_set(err, PC_EINVAL, "\"%s\" must be %zu–%zu characters of a-z, 0-9 and - (no hyphen first, last or doubled)",
                          key, min, max);
    *out = pc_arena_strdup(a, json_string_value(v));
    return 0;
}

/* A text a person reads or an operator writes: no white space at either
 * end, no control characters (a line break in a name would break pages
 * and logs; a tab is a typing slip). */
static int check_clean(const char *s, const char *key, const char *lang, struct pc_err *err)
{
    const char *dot = lang ? "." : "";
    lang = lang ? lang : "";
    size_t n = strlen(s);
    if (n && (strchr(" \t\n\r", s[0]) || strchr(" \t\n\r", s[n - 1])))
        return pc_err_set(err, PC_EINVAL, "\"%s\"%s%s has white space at its start or end", key, dot, lang);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            return pc_err_set(err, PC_EINVAL, "\"%s\"%s%s contains a line break", key, dot, lang);
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return pc_err_set(err, PC_EINVAL, "\"%s\"%s%s contains a control character", key, dot, lang);
    }
    return 0;
}

/* Azerbaijani is written in the Latin alphabet: a Cyrillic letter in the
 * az or en text is a typing or OCR slip (Cyrillic Ә for Latin Ə). */
static bool has_cyrillic(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0xD0 && *p <= 0xD4 && (p[1] & 0xC0) == 0x80 && (*p < 0xD4 || p[1] < 0xB0)) /* U+0400..U+052F */
            return true;
    return false;
}

/* Fields that must be present (their value may be null where allowed). */
static int check_required(json_t *obj, const char *const *required, struct pc_err *err)
{
    for (const char *const *k = required; *k; k++)
        if (!json_object_get(obj, *k))
            return pc_err_set(err, PC_EINVAL, "missing field \"%s\"", *k);
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
    if (check_clean(json_string_value(v), key, NULL, err))
        return PC_EINVAL;
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

static int get_text_value(struct pc_arena *a, json_t *t, const char *key, size_t max, struct pc_text *out,
                          struct pc_err *err)
{
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
        if (check_clean(json_string_value(v), key, langs[i], err))
            return PC_EINVAL;
        if (i != PC_LANG_RU && has_cyrillic(json_string_value(v)))
            return pc_err_set(err, PC_EINVAL, "\"%s\".%s contains Cyrillic letters", key, langs[i]);
        out->s[i] = pc_arena_strdup(a, json_string_value(v));
    }
    return 0;
}

static int get_text(struct pc_arena *a, json_t *o, const char *key, size_t max, bool required,
                    struct pc_text *out, struct pc_err *err)
{
    json_t *t = json_object_get(o, key);
    memset(out, 0, sizeof *out);
    if (!t && !required)
        return 0;
    return get_text_value(a, t, key, max, out, err);
}

static int unknown_word(const char *key, json_t *v, struct pc_err *err)
{
    const char *s = json_string_value(v);
    return pc_err_set(err, PC_EINVAL, "\"%s\" has an unknown value %s%s%s", key,
                      s ? "\"" : "", s ? s : "(not a string)", s ? "\"" : "");
}

/* One word of a vocabulary. */
static int get_word(json_t *o, const struct cat_vocab *vocab, int *out, struct pc_err *err)
{
    json_t *v = json_object_get(o, vocab->field);
    const char *s = json_string_value(v);
    *out = s ? cat_vocab_parse(vocab, s, json_string_length(v)) : -1;
    return *out < 0 ? unknown_word(vocab->field, v, err) : 0;
}

/* A non-empty list of words of a vocabulary, as a bit set. */
static int get_set(json_t *o, const struct cat_vocab *vocab, unsigned *bits, struct pc_err *err)
{
    json_t *arr = json_object_get(o, vocab->field);
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return pc_err_set(err, PC_EINVAL, "\"%s\" must be a non-empty list", vocab->field);
    size_t i;
    json_t *v;
    *bits = 0;
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(v);
        int w = s ? cat_vocab_parse(vocab, s, json_string_length(v)) : -1;
        if (w < 0)
            return unknown_word(vocab->field, v, err);
        if (*bits & CAT_BIT(w))
            return pc_err_set(err, PC_EINVAL, "\"%s\" names \"%s\" twice", vocab->field, s);
        *bits |= CAT_BIT(w);
    }
    return 0;
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

/* ---- the evaluation --------------------------------------------------- */

int cat_maturity_parse(struct pc_arena *a, json_t *m, const struct cat_maturity **out, struct pc_err *err)
{
    *out = NULL;
    if (!m || json_is_null(m))
        return 0;
    static const char *const keys[] = {"model", "level", "participation", "transparency", "note", NULL};
    if (!json_is_object(m) || check_keys(m, keys, NULL))
        return pc_err_set(err, PC_EINVAL, "\"maturity\" must be null or {model, level, participation, transparency, note}");
    struct cat_maturity *v = pc_arena_alloc(a, sizeof *v);
    json_t *model = json_object_get(m, "model"), *lv = json_object_get(m, "level");
    v->model = json_is_integer(model) ? (int)json_integer_value(model) : 0;
    if ((v->model != 3 && v->model != 4 && v->model != 5) || !json_is_integer(lv) ||
        json_integer_value(lv) < 0 || json_integer_value(lv) > v->model)
        return pc_err_set(err, PC_EINVAL, "\"maturity\": model must be 3, 4 or 5 and level 0..model");
    v->level = (int)json_integer_value(lv);
    json_t *p = json_object_get(m, "participation");
    v->participation = -1;
    if (p && !json_is_null(p)) {
        if (!json_is_integer(p) || json_integer_value(p) < 0 || json_integer_value(p) > 10)
            return pc_err_set(err, PC_EINVAL, "\"maturity\".participation must be 0..10");
        v->participation = (int)json_integer_value(p);
    }
    json_t *t = json_object_get(m, "transparency");
    static const char *const tkeys[] = {"max", "score", NULL};
    if (t && !json_is_null(t) && json_is_object(t) && check_keys(t, tkeys, NULL))
        return pc_err_set(err, PC_EINVAL, "\"maturity\".transparency has a field other than max and score");
    if (t && !json_is_null(t)) {
        json_t *max = json_object_get(t, "max"), *sc = json_object_get(t, "score");
        json_int_t mx = json_is_integer(max) ? json_integer_value(max) : 0;
        if ((mx != 8 && mx != 10) || !json_is_integer(sc) || json_integer_value(sc) < 0 ||
            json_integer_value(sc) > mx)
            return pc_err_set(err, PC_EINVAL, "\"maturity\".transparency must be {max: 8 or 10, score: 0..max}");
        v->transparency_max = (int)mx;
        v->transparency_score = (int)json_integer_value(sc);
    }
    json_t *note = json_object_get(m, "note");
    if (note && !json_is_null(note)) {
        if (!json_is_string(note) || json_string_length(note) == 0)
            return pc_err_set(err, PC_EINVAL, "\"maturity\".note must be a non-empty string");
        if (check_clean(json_string_value(note), "maturity", "note", err))
            return PC_EINVAL;
        v->note = pc_arena_strdup(a, json_string_value(note));
    }
    *out = v;
    return 0;
}

const char *cat_maturity_store(struct pc_arena *a, const struct cat_maturity *m)
{
    if (!m)
        return NULL;
    json_t *j = json_pack("{s:i, s:i, s:o, s:o}", "model", m->model, "level", m->level,
                          "participation", m->participation >= 0 ? json_integer(m->participation) : json_null(),
                          "transparency", m->transparency_max
                              ? json_pack("{s:i, s:i}", "max", m->transparency_max, "score", m->transparency_score)
                              : json_null());
    if (m->note)
        json_object_set_new(j, "note", json_string(m->note));
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    if (!s)
        pc_oom(0);
    const char *out = pc_arena_strdup(a, s);
    free(s);
    return out;
}

/* ---- one line of each file ------------------------------------------- */

/* https://host.domain[/path]: lower-case host with a dot and a top-level
 * domain of two letters or more, and no white space anywhere. */
static bool is_https_url(const char *u)
{
    if (!pc_str_has_prefix(u, "https://"))
        return false;
    const char *host = u + 8, *end = host + strcspn(host, "/");
    const char *dot = NULL;
    for (const char *p = host; p < end; p++) {
        if (*p == '.')
            dot = p;
        else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    }
    if (!dot || dot == host || end - dot - 1 < 2)
        return false;
    for (const char *p = dot + 1; p < end; p++)
        if (!(*p >= 'a' && *p <= 'z'))
            return false;
    for (const char *p = end; *p; p++)
        if ((unsigned char)*p <= ' ')
            return false;
    return true;
}

int cat_parse_agency(struct pc_arena *a, const char *line, size_t n, struct cat_agency *out, struct pc_err *err)
{
    static const char *const keys[] = {"id", "name", "short", "kind", "website",
                                       "approved_services", "source", NULL};
    json_t *o = parse_object(line, n, err);
    if (!o)
        return PC_EINVAL;
    memset(out, 0, sizeof *out);
    int rc = check_keys(o, keys, err);
    static const char *const required[] = {"id", "name", "kind", "website", "approved_services", "source", NULL};
    if (!rc) rc = check_required(o, required, err); /* "short" is the one optional field */
    if (!rc) rc = get_slug(a, o, "id", 2, 40, &out->id, err);
    if (!rc) rc = get_text(a, o, "name", CAT_NAME_MAX, true, &out->name, err);
    if (!rc) rc = get_text(a, o, "short", 40, false, &out->shortname, err);
    if (!rc) {
        int kind;
        if (get_word(o, &cat_vocab_kind, &kind, NULL))
            rc = pc_err_set(err, PC_EINVAL, "\"kind\" must be one of ministry, committee, agency, service, fund, company, commission, court, other");
        else
            out->kind = cat_vocab_name(&cat_vocab_kind, kind);
    }
    if (!rc) rc = get_opt_string(a, o, "website", 200, &out->website, err);
    if (!rc && out->website && !is_https_url(out->website))
        rc = pc_err_set(err, PC_EINVAL, "\"website\" must be an https URL: https://host.domain[/path]");
    if (!rc) rc = get_opt_int(o, "approved_services", 0, 10000, &out->approved_services, err);
    if (!rc) rc = get_opt_string(a, o, "source", 200, &out->source, err);
    if (!rc && !out->source)
        rc = pc_err_set(err, PC_EINVAL, "\"source\" must say where the agency is named");
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
    if (!rc) rc = check_required(o, keys, err);
    if (!rc) rc = get_slug(a, o, "id", 2, 40, &out->id, err);
    if (!rc) rc = get_text(a, o, "name", CAT_NAME_MAX, true, &out->name, err);
    if (!rc) {
        rc = get_opt_int(o, "order", 1, 1000, &out->position, err);
        if (!rc && out->position < 0)
            rc = pc_err_set(err, PC_EINVAL, "\"order\" is required");
    }
    json_decref(o);
    return rc;
}

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
    out->documents = pc_arena_array(a, out->ndocuments + 1, sizeof *out->documents);
    for (size_t i = 0; i < out->ndocuments; i++)
        if (get_text_value(a, json_array_get(docs, i), "document", CAT_NAME_MAX, &out->documents[i], err))
            return pc_err_set(err, PC_EINVAL, "documents[%zu] must have non-empty az, en and ru", i);
    return 0;
}

static int parse_life_events(struct pc_arena *a, json_t *o, struct cat_service *out, struct pc_err *err)
{
    json_t *le = json_object_get(o, "life_events");
    if (!json_is_array(le) || json_array_size(le) == 0 || json_array_size(le) > 20)
        return pc_err_set(err, PC_EINVAL, "\"life_events\" must be a list of 1 to 20 ids");
    out->nlife_events = json_array_size(le);
    out->life_events = pc_arena_array(a, out->nlife_events, sizeof *out->life_events);
    for (size_t i = 0; i < out->nlife_events; i++) {
        const char *id = json_string_value(json_array_get(le, i));
        if (!id || !is_slug(id, 2, 40))
            return pc_err_set(err, PC_EINVAL, "\"life_events\"[%zu] is not an id", i);
        for (size_t k = 0; k < i; k++)
            if (strcmp(out->life_events[k], id) == 0)
                return pc_err_set(err, PC_EINVAL, "\"life_events\" names \"%s\" twice", id);
        out->life_events[i] = pc_arena_strdup(a, id);
    }
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
    unsigned aud = 0;
    int login = 0;
    int rc = check_keys(o, keys, err);
    if (!rc) rc = check_required(o, keys, err);
    if (!rc) rc = get_slug(a, o, "id", 3, 60, &out->id, err);
    if (!rc) rc = get_slug(a, o, "agency", 2, 40, &out->agency_id, err);
    if (!rc) rc = get_text(a, o, "name", CAT_NAME_MAX, true, &out->name, err);
    if (!rc) rc = get_text(a, o, "description", CAT_DESC_MAX, true, &out->description, err);
    if (!rc) rc = get_set(o, &cat_vocab_audience, &aud, err);
    if (!rc) rc = get_set(o, &cat_vocab_relation, &out->relations, err);
    if (!rc) rc = get_word(o, &cat_vocab_login, &login, err);
    out->login = (enum cat_login)login;
    if (!rc) rc = parse_fee(o, out, err);
    if (!rc) rc = get_opt_int(o, "deadline_days", 1, 3650, &out->deadline_days, err);
    if (!rc) rc = parse_documents(a, o, out, err);
    if (!rc) rc = get_set(o, &cat_vocab_channel, &out->channels, err);
    if (!rc) rc = get_opt_string(a, o, "approved_list", 100, &out->approved_list, err);
    if (!rc) rc = cat_maturity_parse(a, json_object_get(o, "maturity"), &out->maturity, err);
    if (!rc) rc = parse_life_events(a, o, out, err);
    if (!rc) rc = get_opt_string(a, o, "source", 200, &out->source, err);
    if (!rc && !out->source)
        rc = pc_err_set(err, PC_EINVAL, "\"source\" must say where the service is named");
    /* the evaluation scored paid services out of 10, free ones out of 8 */
    if (!rc && out->maturity && out->maturity->transparency_max == 8 && !out->free)
        rc = pc_err_set(err, PC_EINVAL, "\"maturity\".transparency is scored out of 8 (the free-service scale) but \"free\" is false");
    out->for_citizens = aud & CAT_BIT(CAT_AUD_CITIZENS);
    out->for_entrepreneurs = aud & CAT_BIT(CAT_AUD_ENTREPRENEURS);
    out->for_officials = aud & CAT_BIT(CAT_AUD_OFFICIALS);
    json_decref(o);
    return rc;
}

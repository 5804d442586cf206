/* api.c — the JSON API /api/v1 for the catalogue: agencies, life
 * situations, services (filters, search, cursor paging).  Unknown query
 * parameters are refused, so an integrator's typo is an error and not a
 * silently ignored filter.  The catalogue's answers are written straight
 * into the output buffer (they are the portal's hottest JSON). */
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int web_reply_json(struct http_req *r, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        return PC_ENOMEM;
    http_reply_json(r, status, s);
    free(s);
    return 0;
}

/* ---- JSON written straight into the answer (no tree per request) ------ */

static void put_int(struct pc_buf *b, long long v)
{
    char tmp[24];
    size_t n = sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do
        tmp[--n] = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        tmp[--n] = '-';
    pc_buf_append(b, tmp + n, sizeof tmp - n);
}

/* A count or a number of days; null when not stated (negative). */
static void put_int_or_null(struct pc_buf *b, long long v)
{
    if (v < 0)
        pc_buf_append(b, "null", 4);
    else
        put_int(b, v);
}

static void put_str(struct pc_buf *b, const char *s)
{
    if (!s) {
        pc_buf_append(b, "null", 4);
        return;
    }
    pc_buf_putc(b, '"');
    pc_buf_json_str(b, s);
    pc_buf_putc(b, '"');
}

/* A member after the first: ,"key":value (keys are literals of this file). */
static void put_key(struct pc_buf *b, const char *key)
{
    pc_buf_append(b, ",\"", 2);
    pc_buf_puts(b, key);
    pc_buf_append(b, "\":", 2);
}

static void put_kint(struct pc_buf *b, const char *key, long long v)
{
    put_key(b, key);
    put_int(b, v);
}

static void put_kstr(struct pc_buf *b, const char *key, const char *v)
{
    put_key(b, key);
    put_str(b, v);
}

static void put_text(struct pc_buf *b, const struct pc_text *t)
{
    for (int i = 0; i < PC_LANG_COUNT; i++) {
        pc_buf_append(b, i ? ",\"" : "{\"", 2);
        pc_buf_puts(b, pc_lang_code((enum pc_lang)i));
        pc_buf_append(b, "\":", 2);
        put_str(b, t->s[i] ? t->s[i] : "");
    }
    pc_buf_putc(b, '}');
}

/* A bit set of a catalogue vocabulary as a list of its words. */
static void put_set(struct pc_buf *b, unsigned bits, int count, const char *(*name)(int))
{
    const char *sep = "[";
    for (int i = 0; i < count; i++)
        if (bits & CAT_BIT(i)) {
            pc_buf_puts(b, sep);
            put_str(b, name(i));
            sep = ",";
        }
    pc_buf_puts(b, *sep == '[' ? "[]" : "]");
}

static const char *audience_word(int i) { return cat_audience_name((enum cat_audience)i); }
static const char *relation_word(int i) { return cat_relation_name((enum cat_relation)i); }
static const char *channel_word(int i) { return cat_channel_name((enum cat_channel)i); }

/* Manat from qəpik: 500 → 5.0, 250 → 2.5, 235 → 2.35. */
static void put_azn(struct pc_buf *b, int64_t qepik)
{
    put_int(b, qepik / 100);
    pc_buf_putc(b, '.');
    int frac = (int)(qepik % 100);
    if (frac % 10 == 0) {
        put_int(b, frac / 10);
    } else {
        pc_buf_putc(b, (char)('0' + frac / 10));
        put_int(b, frac % 10);
    }
}

/* The evaluation, with its keys in the order of the stored form. */
static void put_maturity(struct pc_buf *b, const struct cat_maturity *m)
{
    if (!m) {
        pc_buf_append(b, "null", 4);
        return;
    }
    pc_buf_puts(b, "{\"level\":");
    put_int(b, m->level);
    put_kint(b, "model", m->model);
    if (m->note) {
        put_kstr(b, "note", m->note);
    }
    pc_buf_puts(b, ",\"participation\":");
    put_int_or_null(b, m->participation);
    pc_buf_puts(b, ",\"transparency\":");
    if (m->transparency_max) {
        pc_buf_puts(b, "{\"max\":");
        put_int(b, m->transparency_max);
        put_kint(b, "score", m->transparency_score);
        pc_buf_putc(b, '}');
    } else {
        pc_buf_puts(b, "null");
    }
    pc_buf_putc(b, '}');
}

/* Start a 200 application/json answer written by the put_ helpers. */
static struct pc_buf *json_answer(struct http_req *r)
{
    http_reply_json(r, 200, "");
    return &r->out;
}

/* Refuse parameters the endpoint does not know. */
bool web_only_params(struct http_req *r, const char *const *allowed)
{
    for (size_t i = 0; i < r->query.n; i++) {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, r->query.items[i].key) == 0)
                ok = true;
        if (!ok) {
            http_problem(r, 400, "unknown-parameter", "Unknown query parameter",
                         pc_arena_printf(&r->arena, "\"%s\" is not a parameter of this endpoint",
                                         r->query.items[i].key));
            return false;
        }
    }
    return true;
}

/* An agency's fields, without the closing brace. */
static void put_agency(struct pc_buf *b, const struct cat_agency *g)
{
    pc_buf_puts(b, "{\"id\":");
    put_str(b, g->id);
    pc_buf_puts(b, ",\"name\":");
    put_text(b, &g->name);
    put_kstr(b, "kind", g->kind);
    put_kstr(b, "website", g->website);
    put_kint(b, "service_count", g->service_count);
    pc_buf_puts(b, ",\"approved_services\":");
    put_int_or_null(b, g->approved_services);
    if (g->shortname.s[PC_LANG_AZ]) {
        pc_buf_puts(b, ",\"short\":");
        put_text(b, &g->shortname);
    }
}

static void put_service(struct pc_buf *b, const struct cat_service *s, bool full)
{
    pc_buf_puts(b, "{\"id\":");
    put_str(b, s->id);
    pc_buf_puts(b, ",\"agency\":{\"id\":");
    put_str(b, s->agency_id);
    pc_buf_puts(b, ",\"name\":");
    put_text(b, &s->agency_name);
    pc_buf_puts(b, "},\"name\":");
    put_text(b, &s->name);
    pc_buf_puts(b, ",\"description\":");
    put_text(b, &s->description);
    pc_buf_puts(b, ",\"audience\":");
    unsigned aud = (s->for_citizens ? CAT_BIT(CAT_AUD_CITIZENS) : 0) |
                   (s->for_entrepreneurs ? CAT_BIT(CAT_AUD_ENTREPRENEURS) : 0) |
                   (s->for_officials ? CAT_BIT(CAT_AUD_OFFICIALS) : 0);
    put_set(b, aud, CAT_AUD_COUNT, audience_word);
    pc_buf_puts(b, ",\"relations\":");
    put_set(b, s->relations, CAT_REL_COUNT, relation_word);
    put_kstr(b, "login", cat_login_name(s->login));
    pc_buf_puts(b, s->free ? ",\"fee\":{\"free\":true,\"azn\":" : ",\"fee\":{\"free\":false,\"azn\":");
    if (s->fee_qepik >= 0)
        put_azn(b, s->fee_qepik);
    else
        pc_buf_puts(b, "null");
    pc_buf_puts(b, "},\"deadline_days\":");
    put_int_or_null(b, s->deadline_days); /* -1 when not set */
    pc_buf_puts(b, ",\"channels\":");
    put_set(b, s->channels, CAT_CH_COUNT, channel_word);
    pc_buf_puts(b, ",\"evaluation\":");
    put_maturity(b, s->maturity);
    put_kstr(b, "approved_list", s->approved_list);
    pc_buf_puts(b, ",\"links\":{\"html\":\"/services/");
    pc_buf_json_str(b, s->id);
    pc_buf_puts(b, "\"}");
    if (full) {
        pc_buf_puts(b, ",\"documents\":[");
        for (size_t i = 0; i < s->ndocuments; i++) {
            if (i)
                pc_buf_putc(b, ',');
            put_text(b, &s->documents[i]);
        }
        pc_buf_puts(b, "],\"life_events\":[");
        for (size_t i = 0; i < s->nlife_events; i++) {
            if (i)
                pc_buf_putc(b, ',');
            put_str(b, s->life_events[i]);
        }
        pc_buf_puts(b, "],\"source\":");
        put_str(b, s->source);
    }
    pc_buf_putc(b, '}');
}

int web_api_agencies(struct http_req *r)
{
    static const char *const allowed[] = {NULL};
    if (!web_only_params(r, allowed))
        return 0;
    struct pc_err err = {0};
    struct cat_agency *list;
    size_t n;
    if (cat_list_agencies(app_of(r)->db, &r->arena, &list, &n, &err))
        return web_fail(r, err.code, &err);
    struct pc_buf *b = json_answer(r);
    pc_buf_puts(b, "{\"items\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            pc_buf_putc(b, ',');
        put_agency(b, &list[i]);
        pc_buf_putc(b, '}');
    }
    pc_buf_puts(b, "]}");
    return 0;
}

int web_api_agency(struct http_req *r)
{
    static const char *const allowed[] = {NULL};
    if (!web_only_params(r, allowed))
        return 0;
    struct pc_err err = {0};
    struct cat_agency g;
    int rc = cat_get_agency(app_of(r)->db, &r->arena, http_param(r, 0), &g, &err);
    if (rc == PC_ENOTFOUND)
        return http_problem(r, 404, "not-found", "No such agency", err.msg);
    if (rc)
        return web_fail(r, err.code, &err);
    struct pc_buf *b = json_answer(r);
    put_agency(b, &g);
    pc_buf_puts(b, ",\"services_href\":\"/api/v1/services?agency=");
    pc_buf_json_str(b, g.id);
    pc_buf_puts(b, "\"}");
    return 0;
}

int web_api_life_events(struct http_req *r)
{
    static const char *const allowed[] = {NULL};
    if (!web_only_params(r, allowed))
        return 0;
    struct pc_err err = {0};
    struct cat_life_event *list;
    size_t n;
    if (cat_list_life_events(app_of(r)->db, &r->arena, &list, &n, &err))
        return web_fail(r, err.code, &err);
    struct pc_buf *b = json_answer(r);
    pc_buf_puts(b, "{\"items\":[");
    for (size_t i = 0; i < n; i++) {
        pc_buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
        put_str(b, list[i].id);
        pc_buf_puts(b, ",\"name\":");
        put_text(b, &list[i].name);
        put_kint(b, "service_count", list[i].service_count);
        pc_buf_putc(b, '}');
    }
    pc_buf_puts(b, "]}");
    return 0;
}

int web_api_services(struct http_req *r)
{
    static const char *const allowed[] = {"q", "audience", "agency", "login", "free", "life_event",
                                          "cursor", "limit", NULL};
    if (!web_only_params(r, allowed))
        return 0;
    struct cat_filter f = {.free = -1, .limit = 20};
    const char *v;
    f.q = http_kv_get(&r->query, "q");
    f.audience = http_kv_get(&r->query, "audience");
    f.agency = http_kv_get(&r->query, "agency");
    f.login = http_kv_get(&r->query, "login");
    f.life_event = http_kv_get(&r->query, "life_event");
    f.cursor = http_kv_get(&r->query, "cursor");
    if ((v = http_kv_get(&r->query, "free"))) {
        if (strcmp(v, "true") == 0) f.free = 1;
        else if (strcmp(v, "false") == 0) f.free = 0;
        else return http_problem(r, 400, "bad-parameter", "Invalid parameter", "free must be true or false");
    }
    if ((v = http_kv_get(&r->query, "limit"))) {
        long long n;
        if (pc_parse_int(v, 1, CAT_PAGE_MAX, &n))
            return http_problem(r, 400, "bad-parameter", "Invalid parameter",
                                pc_arena_printf(&r->arena, "limit must be an integer from 1 to %d", CAT_PAGE_MAX));
        f.limit = (int)n;
    }
    struct pc_err err = {0};
    struct cat_page page;
    int rc = cat_find_services(app_of(r)->db, &r->arena, &f, &page, &err);
    if (rc == PC_EINVAL)
        return http_problem(r, 400, "bad-parameter", "Invalid parameter", err.msg);
    if (rc)
        return web_fail(r, err.code, &err);
    struct pc_buf *b = json_answer(r);
    pc_buf_puts(b, "{\"items\":[");
    for (size_t i = 0; i < page.n; i++) {
        if (i)
            pc_buf_putc(b, ',');
        page.items[i].maturity = web_maturity(r, &page.items[i]);
        put_service(b, &page.items[i], false);
    }
    pc_buf_puts(b, "],\"total\":");
    put_int(b, page.total);
    if (page.next) {
        put_kstr(b, "next", page.next);
    }
    pc_buf_putc(b, '}');
    return 0;
}

int web_api_service(struct http_req *r)
{
    static const char *const allowed[] = {NULL};
    if (!web_only_params(r, allowed))
        return 0;
    struct pc_err err = {0};
    struct cat_service s;
    int rc = cat_get_service(app_of(r)->db, &r->arena, http_param(r, 0), &s, &err);
    if (rc == PC_ENOTFOUND)
        return http_problem(r, 404, "not-found", "No such service", err.msg);
    if (rc)
        return web_fail(r, err.code, &err);
    s.maturity = web_maturity(r, &s);
    put_service(json_answer(r), &s, true);
    return 0;
}

/* api.c — the JSON API /api/v1 for the catalogue: agencies, life
 * situations, services (filters, search, cursor paging).  Unknown query
 * parameters are refused, so an integrator's typo is an error and not a
 * silently ignored filter. */
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

static json_t *text_json(const struct pc_text *t)
{
    json_t *o = json_object();
    for (int i = 0; i < PC_LANG_COUNT; i++)
        json_object_set_new(o, pc_lang_code((enum pc_lang)i), json_string(t->s[i] ? t->s[i] : ""));
    return o;
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *split_list(const char *s)
{
    json_t *arr = json_array();
    while (s && *s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n)
            json_array_append_new(arr, json_stringn(s, n));
        s += n + (e ? 1 : 0);
    }
    return arr;
}

/* Refuse parameters the endpoint does not know. */
static bool only_params(struct http_req *r, const char *const *allowed)
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

static json_t *agency_json(const struct cat_agency *g)
{
    json_t *j = json_pack("{s:s, s:o, s:s, s:o, s:i, s:o}",
        "id", g->id, "name", text_json(&g->name), "kind", g->kind,
        "website", string_or_null(g->website), "service_count", g->service_count,
        "approved_services", g->approved_services >= 0 ? json_integer(g->approved_services) : json_null());
    if (g->shortname.s[PC_LANG_AZ])
        json_object_set_new(j, "short", text_json(&g->shortname));
    return j;
}

static json_t *service_json(const struct cat_service *s, bool full)
{
    json_t *aud = json_array();
    if (s->for_citizens) json_array_append_new(aud, json_string("citizens"));
    if (s->for_entrepreneurs) json_array_append_new(aud, json_string("entrepreneurs"));
    if (s->for_officials) json_array_append_new(aud, json_string("officials"));
    json_t *j = json_pack("{s:s, s:{s:s, s:o}, s:o, s:o, s:o, s:o, s:s, s:{s:b, s:o}, s:o, s:o}",
        "id", s->id,
        "agency", "id", s->agency_id, "name", text_json(&s->agency_name),
        "name", text_json(&s->name),
        "description", text_json(&s->description),
        "audience", aud,
        "relations", split_list(s->relations),
        "login", s->login,
        "fee", "free", s->free, "azn", s->fee_qepik >= 0 ? json_real((double)s->fee_qepik / 100.0) : json_null(),
        "deadline_days", s->deadline_days > 0 ? json_integer(s->deadline_days) : json_null(),
        "channels", split_list(s->channels));
    json_t *m = s->maturity_json ? json_loads(s->maturity_json, 0, NULL) : NULL;
    json_object_set_new(j, "evaluation", m ? m : json_null());
    json_object_set_new(j, "approved_list", string_or_null(s->approved_list));
    char href[128];
    snprintf(href, sizeof href, "/services/%s", s->id);
    json_object_set_new(j, "links", json_pack("{s:s}", "html", href));
    if (full) {
        json_t *docs = json_array();
        for (size_t i = 0; i < s->ndocuments; i++)
            json_array_append_new(docs, text_json(&s->documents[i]));
        json_object_set_new(j, "documents", docs);
        json_t *le = json_array();
        for (size_t i = 0; i < s->nlife_events; i++)
            json_array_append_new(le, json_string(s->life_events[i]));
        json_object_set_new(j, "life_events", le);
        json_object_set_new(j, "source", string_or_null(s->source));
    }
    return j;
}

int web_api_agencies(struct http_req *r)
{
    static const char *const allowed[] = {NULL};
    if (!only_params(r, allowed))
        return 0;
    struct pc_err err = {0};
    struct cat_agency *list;
    size_t n;
    if (cat_list_agencies(app_of(r)->db, &r->arena, &list, &n, &err))
        return web_fail(r, err.code, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, agency_json(&list[i]));
    return web_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int web_api_agency(struct http_req *r)
{
    static const char *const allowed[] = {NULL};
    if (!only_params(r, allowed))
        return 0;
    struct pc_err err = {0};
    struct cat_agency g;
    int rc = cat_get_agency(app_of(r)->db, &r->arena, http_param(r, 0), &g, &err);
    if (rc == PC_ENOTFOUND)
        return http_problem(r, 404, "not-found", "No such agency", err.msg);
    if (rc)
        return web_fail(r, err.code, &err);
    json_t *j = agency_json(&g);
    json_object_set_new(j, "services_href",
                        json_string(pc_arena_printf(&r->arena, "/api/v1/services?agency=%s", g.id)));
    return web_reply_json(r, 200, j);
}

int web_api_life_events(struct http_req *r)
{
    static const char *const allowed[] = {NULL};
    if (!only_params(r, allowed))
        return 0;
    struct pc_err err = {0};
    struct cat_life_event *list;
    size_t n;
    if (cat_list_life_events(app_of(r)->db, &r->arena, &list, &n, &err))
        return web_fail(r, err.code, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:s, s:o, s:i}", "id", list[i].id,
                                               "name", text_json(&list[i].name),
                                               "service_count", list[i].service_count));
    return web_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int web_api_services(struct http_req *r)
{
    static const char *const allowed[] = {"q", "audience", "agency", "login", "free", "life_event",
                                          "cursor", "limit", NULL};
    if (!only_params(r, allowed))
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
    json_t *items = json_array();
    for (size_t i = 0; i < page.n; i++)
        json_array_append_new(items, service_json(&page.items[i], false));
    json_t *j = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)page.total);
    if (page.next)
        json_object_set_new(j, "next", json_string(page.next));
    return web_reply_json(r, 200, j);
}

int web_api_service(struct http_req *r)
{
    static const char *const allowed[] = {NULL};
    if (!only_params(r, allowed))
        return 0;
    struct pc_err err = {0};
    struct cat_service s;
    int rc = cat_get_service(app_of(r)->db, &r->arena, http_param(r, 0), &s, &err);
    if (rc == PC_ENOTFOUND)
        return http_problem(r, 404, "not-found", "No such service", err.msg);
    if (rc)
        return web_fail(r, err.code, &err);
    return web_reply_json(r, 200, service_json(&s, true));
}

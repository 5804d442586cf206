/* api_isreg.c — the JSON API of the register of information systems:
 * the public list (cursor paging, folding search), one system, the
 * statistics and a CSV export; for a body's staff and the register's
 * operator, drafting and submitting cards and the operator's decisions.
 * Who may do what is decided in src/isreg (through id_authorize); this
 * file reads requests and renders the typed answers. */
#include "internal.h"
#include "../isreg/isreg.h"

#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *time_or_null(int64_t t)
{
    if (!t)
        return json_null();
    char ts[21];
    pc_rfc3339(t, ts);
    return json_string(ts);
}

static json_t *text_json(const struct pc_text *t)
{
    json_t *o = json_object();
    for (int l = 0; l < PC_LANG_COUNT; l++)
        json_object_set_new(o, pc_lang_code((enum pc_lang)l), json_string(t->s[l] ? t->s[l] : ""));
    return o;
}

static json_t *list_json(const struct isreg_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->items[i]));
    return a;
}

static json_t *card_json(const struct isreg_card *c)
{
    json_t *cats = json_array();
    for (int i = 0; i < ISREG_CAT_COUNT; i++)
        if (c->categories & ISREG_BIT(i))
            json_array_append_new(cats, json_string(isreg_category_name((enum isreg_category)i)));
    json_t *j = json_pack("{s:i, s:s, s:s, s:o, s:s, s:s, s:o, s:b, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:o, s:s}",
                          "version", c->version, "status", isreg_card_status_name(c->status),
                          "kind", isreg_kind_name(c->kind), "name", text_json(&c->name),
                          "purpose", c->purpose, "legal_basis", c->legal_basis, "categories", cats,
                          "uses_fin", c->uses_fin, "sources", c->sources, "recipients", c->recipients,
                          "services_offered", list_json(&c->services_offered),
                          "services_used", list_json(&c->services_used),
                          "portal_services", list_json(&c->portal_services),
                          "started_on", c->started_on, "change_on", c->change_on,
                          "change_note", str_or_null(c->change_note), "due_on", c->due_on);
    json_object_set_new(j, "late_days", c->late_days < 0 ? json_null() : json_integer(c->late_days));
    json_object_set_new(j, "submitted_at", time_or_null(c->submitted_at));
    json_object_set_new(j, "decided_at", time_or_null(c->decided_at));
    if (c->hosting) {   /* staff only: the public card has none of these */
        json_object_set_new(j, "hosting", json_string(c->hosting));
        json_object_set_new(j, "security", json_string(c->security));
        json_object_set_new(j, "responsible", json_string(c->responsible));
    }
    return j;
}

static json_t *summary_json(struct http_req *r, const struct isreg_system *s)
{
    json_t *j = json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:o}", "id", s->id,
                          "name", pc_text_get(&s->card.name, web_lang_id(r)), "names", text_json(&s->card.name),
                          "owner", s->agency_id, "status", isreg_status_name(s->status),
                          "kind", json_string(isreg_kind_name(s->card.kind)),
                          "registered_at", time_or_null(s->registered_at));
    json_object_set_new(j, "deregistered_on", s->deregistered_on[0] ? json_string(s->deregistered_on) : json_null());
    json_object_set_new(j, "links", json_pack("{s:s}", "self",
                        pc_arena_printf(&r->arena, "/api/v1/information-systems/%s", s->id)));
    return j;
}

/* The list's filter from the query string; false when it was answered. */
static bool read_filter(struct http_req *r, struct isreg_filter *f)
{
    memset(f, 0, sizeof *f);
    f->q = http_kv_get(&r->query, "q");
    f->agency_id = http_kv_get(&r->query, "owner");
    f->cursor = http_kv_get(&r->query, "cursor");
    f->status = -1;
    f->limit = 50;
    const char *v;
    if ((v = http_kv_get(&r->query, "status")) && (f->status = isreg_status_parse(v)) < 0) {
        http_problem(r, 400, "bad-parameter", "Invalid parameter",
                     "status is one of draft, submitted, returned, registered, deregistered");
        return false;
    }
    if ((v = http_kv_get(&r->query, "limit"))) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > 100) {
            http_problem(r, 400, "bad-parameter", "Invalid parameter", "limit is a number from 1 to 100");
            return false;
        }
        f->limit = (int)n;
    }
    return true;
}

int web_api_isreg_list(struct http_req *r)
{
    static const char *const allowed[] = {"q", "owner", "status", "cursor", "limit", NULL};
    struct isreg_filter f;
    if (!web_only_params(r, allowed) || !read_filter(r, &f))
        return 0;
    struct isreg_page page;
    struct pc_err err = {0};
    int rc = isreg_list(app_of(r)->db, &r->arena, web_who(r), &f, &page, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < page.n; i++)
        json_array_append_new(items, summary_json(r, &page.items[i]));
    return web_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next", str_or_null(page.next)));
}

/* A system as the reader may see it: its card, versions, checks, and for
 * staff the decisions and findings. */
static json_t *system_json(struct http_req *r, const struct isreg_system *sp)
{
    const struct isreg_system s = *sp;
    json_t *j = summary_json(r, &s);
    json_object_set_new(j, "card", card_json(&s.card));
    json_t *versions = json_array(), *checks = json_object();
    for (size_t i = 0; i < s.nversions; i++)
        json_array_append_new(versions, card_json(&s.versions[i]));
    json_object_set_new(j, "versions", versions);
    for (int i = 0; i < ISREG_CHECK_COUNT; i++)
        json_object_set_new(checks, isreg_check_name((enum isreg_check)i),
                            json_string(isreg_check_result_name(s.checks[i])));
    json_object_set_new(j, "checks", checks);
    json_object_set_new(j, "compliance", json_string(isreg_compliance_name(s.compliance)));
    if (s.deregister_reason && *s.deregister_reason)
        json_object_set_new(j, "deregister_reason", json_string(s.deregister_reason));
    if (s.decisions) {   /* staff */
        json_t *d = json_array(), *fs = json_array();
        for (size_t i = 0; i < s.ndecisions; i++)
            json_array_append_new(d, json_pack("{s:i, s:s, s:s, s:s, s:o}", "version", s.decisions[i].version,
                                               "decision", s.decisions[i].decision, "remarks", s.decisions[i].remarks,
                                               "actor", s.decisions[i].actor, "at", time_or_null(s.decisions[i].at)));
        for (size_t i = 0; i < s.nfindings; i++)
            json_array_append_new(fs, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", s.findings[i].id,
                                                "text", s.findings[i].text, "follow_up_on", s.findings[i].follow_up_on,
                                                "opened_at", time_or_null(s.findings[i].opened_at),
                                                "closed_at", time_or_null(s.findings[i].closed_at),
                                                "closed_note", str_or_null(s.findings[i].closed_note)));
        json_t *docs = json_array();
        for (size_t i = 0; i < s.nfiles; i++)
            json_array_append_new(docs, json_pack("{s:i, s:s, s:s, s:s, s:I, s:o}", "version", s.files[i].version,
                                                  "sha256", s.files[i].sha256, "name", s.files[i].name,
                                                  "type", s.files[i].mime, "size", (json_int_t)s.files[i].size,
                                                  "added_at", time_or_null(s.files[i].added_at)));
        json_object_set_new(j, "decisions", d);
        json_object_set_new(j, "findings", fs);
        json_object_set_new(j, "files", docs);
    }
    return j;
}

/* The system of the path as its reader may see it, with this status. */
static int answer_system(struct http_req *r, int status, const char *id)
{
    struct isreg_system s;
    struct pc_err err = {0};
    int rc = isreg_get(app_of(r)->db, app_of(r)->exchange, &r->arena, web_who(r), id, &s, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, status, system_json(r, &s));
}

int web_api_isreg_get(struct http_req *r)
{
    static const char *const allowed[] = {NULL};
    if (!web_only_params(r, allowed))
        return 0;
    return answer_system(r, 200, http_param(r, 0));
}

static json_t *count_json(const struct isreg_count *c)
{
    json_t *j = json_pack("{s:i, s:i}", "known", c->known, "registered", c->registered);
    if (c->agency_id)
        json_object_set_new(j, "owner", json_string(c->agency_id));
    if (c->year)
        json_object_set_new(j, "year", json_integer(c->year));
    if (c->source && c->year)
        json_object_set_new(j, "source", json_string(c->source));
    return j;
}

int web_api_isreg_stats(struct http_req *r)
{
    static const char *const allowed[] = {NULL};
    if (!web_only_params(r, allowed))
        return 0;
    struct isreg_stats st;
    struct pc_err err = {0};
    int rc = isreg_stats(app_of(r)->db, &r->arena, isreg_day_of(pc_now_unix()), &st, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *agencies = json_array(), *years = json_array();
    for (size_t i = 0; i < st.nagencies; i++)
        json_array_append_new(agencies, count_json(&st.agencies[i]));
    for (size_t i = 0; i < st.nyears; i++)
        json_array_append_new(years, count_json(&st.years[i]));
    json_t *totals = count_json(&st.totals);
    json_object_set_new(totals, "unregistered", json_integer(st.totals.known - st.totals.registered));
    json_object_set_new(totals, "fine_min_azn", json_integer(st.fine_min));
    json_object_set_new(totals, "fine_max_azn", json_integer(st.fine_max));
    return web_reply_json(r, 200, json_pack("{s:o, s:o, s:o}", "agencies", agencies, "totals", totals, "years", years));
}

/* CSV of the public list (RFC 4180: quoted fields, CRLF), every page. */
static void csv_field(struct pc_buf *b, const char *s, bool last)
{
    pc_buf_putc(b, '"');
    for (; s && *s; s++) {
        if (*s == '"')
            pc_buf_putc(b, '"');
        pc_buf_putc(b, *s);
    }
    pc_buf_puts(b, last ? "\"\r\n" : "\",");
}

int web_api_isreg_csv(struct http_req *r)
{
    static const char *const allowed[] = {"q", "owner", "status", NULL};
    struct isreg_filter f;
    if (!web_only_params(r, allowed) || !read_filter(r, &f))
        return 0;
    f.limit = 100;
    struct pc_buf *b = &r->out;
    pc_buf_reset(b);
    pc_buf_puts(b, "id,name_az,name_en,name_ru,owner,status,kind,registered_at,deregistered_on\r\n");
    struct pc_err err = {0};
    for (int pages = 0; pages < 1000; pages++) {
        struct isreg_page page;
        int rc = isreg_list(app_of(r)->db, &r->arena, NULL, &f, &page, &err);
        if (rc)
            return web_fail(r, rc, &err);
        for (size_t i = 0; i < page.n; i++) {
            const struct isreg_system *s = &page.items[i];
            char at[21] = "";
            if (s->registered_at)
                pc_rfc3339(s->registered_at, at);
            csv_field(b, s->id, false);
            for (int l = 0; l < PC_LANG_COUNT; l++)
                csv_field(b, s->card.name.s[l], false);
            csv_field(b, s->agency_id, false);
            csv_field(b, isreg_status_name(s->status), false);
            csv_field(b, isreg_kind_name(s->card.kind), false);
            csv_field(b, at, false);
            csv_field(b, s->deregistered_on, true);
        }
        if (!page.next)
            break;
        f.cursor = page.next;
    }
    r->status = 200;
    r->content_type = "text/csv; charset=utf-8";
    http_set_header(r, "Content-Disposition", "attachment; filename=\"information-systems.csv\"");
    return 0;
}

/* ---- changes ------------------------------------------------------------------------- */

static void release_json(void *j)
{
    json_decref(j);
}

static json_t *body_object(struct http_req *r)
{
    json_error_t je;
    json_t *body = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (body)
        pc_arena_defer(&r->arena, release_json, body);
    if (!json_is_object(body)) {
        http_problem(r, 400, "bad-body", "Invalid request body", "Send a JSON object.");
        return NULL;
    }
    return body;
}

/* A card's problem names the member at fault. */
static int card_problem(struct http_req *r, const char *field, const struct pc_err *err)
{
    json_t *j = json_pack("{s:s, s:s, s:i, s:s, s:s, s:o}", "type", "https://pencere.az/problems/invalid-card",
                          "title", "The card needs attention", "status", 422, "detail", err->msg,
                          "instance", r->path, "field", str_or_null(field));
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    http_reply(r, 422, "application/problem+json", s ? s : "{}");
    free(s);
    return 0;
}

int web_api_isreg_create(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    json_t *body = body_object(r);
    if (!body)
        return 0;
    const char *id = json_string_value(json_object_get(body, "id"));
    const char *agency = json_string_value(json_object_get(body, "owner"));
    json_t *card_j = json_object_get(body, "card");
    if (!id || !agency || !json_is_object(card_j))
        return http_problem(r, 400, "bad-body", "Invalid request body",
                            "Send {\"id\": \"…\", \"owner\": \"agency id\", \"card\": {…}}.");
    char *text = json_dumps(card_j, JSON_COMPACT);
    struct isreg_card card;
    const char *field = NULL;
    struct pc_err err = {0};
    int rc = isreg_card_parse(&r->arena, text, strlen(text), &card, &field, &err);
    free(text);
    if (!rc)
        rc = isreg_create(app_of(r)->db, web_who(r), r->remote_addr, id, agency, &card, &field, &err);
    if (rc == PC_EINVAL)
        return card_problem(r, field, &err);
    if (rc)
        return web_fail(r, rc, &err);
    http_set_header(r, "Location", pc_arena_printf(&r->arena, "/api/v1/information-systems/%s", id));
    return answer_system(r, 201, id);
}

int web_api_isreg_card(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct isreg_card card;
    const char *field = NULL;
    struct pc_err err = {0};
    int version = 0;
    int rc = isreg_card_parse(&r->arena, r->body.data ? r->body.data : "", r->body.len, &card, &field, &err);
    if (!rc)
        rc = isreg_save_card(app_of(r)->db, web_who(r), r->remote_addr, http_param(r, 0), &card, &version, &field, &err);
    if (rc == PC_EINVAL)
        return card_problem(r, field, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return answer_system(r, 200, http_param(r, 0));
}

/* POST …/{id}/{action}: submit, register, return, deregister. */
int web_api_isreg_action(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    json_t *body = r->body.len ? body_object(r) : json_object();
    if (!body)
        return 0;
    if (!r->body.len)
        pc_arena_defer(&r->arena, release_json, body);
    const char *id = http_param(r, 0), *action = http_param(r, 1);
    struct db *db = app_of(r)->db;
    const struct id_principal *who = web_who(r);
    int64_t now = pc_now_unix();
    struct pc_err err = {0};
    int rc, late = 0;
    if (strcmp(action, "submit") == 0) {
        rc = isreg_submit(db, who, r->remote_addr, id, now, &late, &err);
    } else if (strcmp(action, "register") == 0) {
        rc = isreg_register(db, who, r->remote_addr, id, now, &err);
    } else if (strcmp(action, "return") == 0) {
        rc = isreg_return(db, who, r->remote_addr, id, json_string_value(json_object_get(body, "remarks")), now, &err);
    } else if (strcmp(action, "deregister") == 0) {
        json_t *confirm = json_object_get(body, "confirm");
        rc = isreg_deregister(db, who, r->remote_addr, id, json_string_value(json_object_get(body, "stopped_on")),
                              json_string_value(json_object_get(body, "reason")), json_is_true(confirm), now, &err);
    } else {
        return http_problem(r, 404, "not-found", "Not found",
                            "the actions are submit, register, return and deregister");
    }
    if (rc)
        return web_fail(r, rc, &err);
    return answer_system(r, 200, id);
}

int web_api_isreg_overdue(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct isreg_overdue *o;
    size_t n;
    struct pc_err err = {0};
    int rc = isreg_overdue(app_of(r)->db, &r->arena, web_who(r), isreg_day_of(pc_now_unix()), &o, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:i}", "id", o[i].system_id,
                                               "owner", o[i].agency_id, "name", pc_text_get(&o[i].name, web_lang_id(r)),
                                               "version", o[i].version, "status", isreg_card_status_name(o[i].status),
                                               "change_on", o[i].change_on, "due_on", o[i].due_on,
                                               "days_late", o[i].days_late));
    return web_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int web_api_isreg_finding(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    json_t *body = body_object(r);
    if (!body)
        return 0;
    char fid[33];
    struct pc_err err = {0};
    int rc = isreg_finding_open(app_of(r)->db, web_who(r), r->remote_addr, http_param(r, 0),
                                json_string_value(json_object_get(body, "text")),
                                json_string_value(json_object_get(body, "follow_up_on")), fid, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 201, json_pack("{s:s}", "id", fid));
}

int web_api_isreg_finding_close(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    json_t *body = body_object(r);
    if (!body)
        return 0;
    struct pc_err err = {0};
    int rc = isreg_finding_close(app_of(r)->db, web_who(r), r->remote_addr, http_param(r, 0), http_param(r, 1),
                                 json_string_value(json_object_get(body, "note")), &err);
    if (rc)
        return web_fail(r, rc, &err);
    return answer_system(r, 200, http_param(r, 0));
}

int web_api_isreg_known(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    json_t *body = body_object(r);
    if (!body)
        return 0;
    struct isreg_known k = {.agency_id = json_string_value(json_object_get(body, "owner")),
                            .name = json_string_value(json_object_get(body, "name")),
                            .note = json_string_value(json_object_get(body, "note"))};
    int src = isreg_source_parse(json_string_value(json_object_get(body, "source")));
    k.source = src < 0 ? ISREG_SRC_COUNT : (enum isreg_source)src;
    const char *noted = json_string_value(json_object_get(body, "noted_on"));
    snprintf(k.noted_on, sizeof k.noted_on, "%s", noted && strlen(noted) == 10 ? noted : "");
    char kid[33];
    struct pc_err err = {0};
    int rc = isreg_known_add(app_of(r)->db, web_who(r), r->remote_addr, &k, kid, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 201, json_pack("{s:s}", "id", kid));
}

/* api_polls.c — the JSON API of polls: list, read, create (operators and
 * agency administrators), end early, vote (a receipt; a second vote 409,
 * or 200 replacing it where the poll allows changes), check a receipt,
 * and the results (once counted, or while open where they are public)
 * with the signed, time-stamped tally.  The rules are in
 * src/participation; this file turns JSON into its typed calls. */
#include "internal.h"
#include "../participation/participation.h"

#include <stdlib.h>
#include <string.h>

static void release_json(void *j)
{
    json_decref(j);
}

json_t *web_body_object(struct http_req *r)
{
    json_t *body = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, NULL);
    if (body)
        pc_arena_defer(&r->arena, release_json, body);
    return json_is_object(body) ? body : NULL;
}

bool web_logged_in(struct http_req *r)
{
    return web_who(r) || web_require(r, ID_ACT_VOTE, NULL);
}

json_t *web_json_time(int64_t t)
{
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

static json_t *poll_json(const struct part_poll *p, int64_t now)
{
    json_t *opts = json_array();
    for (size_t i = 0; i < p->noptions; i++)
        json_array_append_new(opts, json_pack("{s:s, s:o}", "id", p->options[i].id, "label",
                                              text_json(&p->options[i].label)));
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:s, s:b, s:b, s:o}", "id", p->id, "agency",
                     p->agency_id ? json_string(p->agency_id) : json_null(), "question", text_json(&p->question),
                     "opens_at", web_json_time(p->opens_at), "closes_at", web_json_time(p->closes_at), "state",
                     part_poll_state_name(part_poll_state(p, now)), "secret", p->secret, "changeable", p->changeable,
                     "options", opts);
}

int web_api_polls(struct http_req *r)
{
    struct pc_err err = {0};
    struct part_poll *list;
    size_t n;
    int64_t now = pc_now_unix();
    int rc = part_poll_list(app_of(r)->db, &r->arena, now, 30, &list, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, poll_json(&list[i], now));
    return web_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int web_api_poll(struct http_req *r)
{
    struct pc_err err = {0};
    struct part_poll p;
    int rc = part_poll_get(app_of(r)->db, &r->arena, http_param(r, 0), &p, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 200, poll_json(&p, pc_now_unix()));
}

/* A text in every language from {"az", "en", "ru"} (or one string for all). */
static bool text_from(const json_t *j, struct pc_text *out)
{
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        const json_t *v = json_is_string(j) ? j : json_object_get(j, pc_lang_code((enum pc_lang)l));
        out->s[l] = json_string_value(v);
    }
    return true;
}

/* An RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SSZ" or unix seconds. */
static bool time_from(const json_t *j, int64_t *out)
{
    if (json_is_integer(j)) {
        *out = json_integer_value(j);
        return true;
    }
    const char *s = json_string_value(j);
    struct tm tm = {0};
    char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
    if (!end || *end)
        return false;
    *out = (int64_t)timegm(&tm);
    return true;
}

int web_api_polls_post(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    if (!b)
        return http_problem(r, 400, "bad-json", "Body is not a JSON object", NULL);
    struct part_poll_new p = {.agency_id = json_string_value(json_object_get(b, "agency")),
                              .secret = json_is_true(json_object_get(b, "secret")),
                              .changeable = json_is_true(json_object_get(b, "changeable"))};
    text_from(json_object_get(b, "question"), &p.question);
    json_t *opts = json_object_get(b, "options");
    if (!json_is_array(opts) || json_array_size(opts) > PART_OPTIONS_MAX)
        return http_problem(r, 400, "bad-request", "Bad request", "options: an array of 2 to 20 texts");
    struct pc_text *labels = pc_arena_array(&r->arena, json_array_size(opts) + 1, sizeof *labels);
    for (size_t i = 0; i < json_array_size(opts); i++)
        text_from(json_array_get(opts, i), &labels[i]);
    p.options = labels;
    p.noptions = json_array_size(opts);
    if (!time_from(json_object_get(b, "opens_at"), &p.opens_at) ||
        !time_from(json_object_get(b, "closes_at"), &p.closes_at))
        return http_problem(r, 400, "bad-request", "Bad request", "opens_at and closes_at: RFC 3339 UTC times");
    json_t *g = json_object_get(b, "group");
    if (g) {
        p.group.min_age = (int)json_integer_value(json_object_get(g, "min_age"));
        p.group.max_age = (int)json_integer_value(json_object_get(g, "max_age"));
        p.group.district = json_string_value(json_object_get(g, "district"));
    }
    struct pc_err err = {0};
    const char *id;
    int rc = part_poll_create(app_of(r)->db, web_who(r), &p, r->remote_addr, &r->arena, &id, &err);
    if (rc)
        return web_fail(r, rc, &err);
    struct part_poll out;
    if ((rc = part_poll_get(app_of(r)->db, &r->arena, id, &out, &err)))
        return web_fail(r, rc, &err);
    http_set_header(r, "Location", pc_arena_printf(&r->arena, "/api/v1/polls/%s", id));
    return web_reply_json(r, 201, poll_json(&out, pc_now_unix()));
}

int web_api_poll_close(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    struct pc_err err = {0};
    int rc = part_poll_close_now(app_of(r)->db, web_who(r), http_param(r, 0), r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_reply_json(r, 200, "{\"closed\":true}");
}

int web_api_poll_vote(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    const char *option = b ? json_string_value(json_object_get(b, "option")) : NULL;
    if (!option)
        return http_problem(r, 400, "bad-request", "Bad request", "send {\"option\": an option's id}");
    struct pc_err err = {0};
    struct part_receipt rec;
    enum part_refusal why;
    const char *poll = http_param(r, 0);
    int rc = part_vote(app_of(r)->db, web_who(r), poll, option, r->remote_addr, &rec, &why, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, rec.replaced ? 200 : 201,
                          json_pack("{s:s, s:s, s:o, s:b, s:s}", "poll", poll, "receipt", rec.ballot, "at",
                                    web_json_time(rec.at), "replaced", rec.replaced, "check",
                                    pc_arena_printf(&r->arena, "/api/v1/polls/%s/ballots/%s", poll, rec.ballot)));
}

int web_api_poll_ballot(struct http_req *r)
{
    struct pc_err err = {0};
    bool counted;
    int rc = part_ballot_counted(app_of(r)->db, http_param(r, 0), http_param(r, 1), &counted, &err);
    if (rc)
        return web_fail(r, rc, &err);
    if (!counted)
        return http_problem(r, 404, "not-found", "No such ballot", "No ballot with this receipt in this poll.");
    return http_reply_json(r, 200, "{\"counted\":true}");
}

int web_api_poll_results(struct http_req *r)
{
    struct pc_err err = {0};
    struct part_poll p;
    struct part_results res;
    int rc = part_poll_get(app_of(r)->db, &r->arena, http_param(r, 0), &p, &err);
    if (!rc)
        rc = part_results(app_of(r)->db, &r->arena, &p, &res, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *opts = json_array();
    for (size_t i = 0; i < p.noptions; i++)
        json_array_append_new(opts, json_pack("{s:s, s:o, s:I}", "id", p.options[i].id, "label",
                                              text_json(&p.options[i].label), "votes", (json_int_t)p.options[i].votes));
    json_t *j = json_pack("{s:s, s:s, s:b, s:o, s:I, s:I}", "poll", p.id, "state",
                          part_poll_state_name(part_poll_state(&p, pc_now_unix())), "final", res.final, "options",
                          opts, "total", (json_int_t)res.total, "voters", (json_int_t)res.voters);
    if (res.has_tally) {
        const struct part_tally *t = &res.tally;
        char *sig = NULL;
        if (t->signature) {
            sig = pc_arena_alloc(&r->arena, t->signature_len * 4 / 3 + 8);
            pc_b64url_encode(t->signature, t->signature_len, sig);
        }
        json_object_set_new(j, "tally", json_pack("{s:s, s:s, s:o, s:o, s:o}", "document", t->document, "sha256",
                                                  t->sha256, "signature", sig ? json_string(sig) : json_null(),
                                                  "signed_at", t->signature ? web_json_time(t->signed_at) : json_null(),
                                                  "published_at", web_json_time(t->published_at)));
    }
    return web_reply_json(r, 200, j);
}

/* api_feedback.c — the JSON API of ratings, comments and complaints:
 * rating a service (from its page or after a decision), its ratings and
 * published comments, moderation (operators), filing a complaint, the
 * complaints one may see (one's own, or one's agency's) and the agency's
 * answer.  The rules are in src/participation. */
#include "internal.h"
#include "../participation/participation.h"

static json_t *complaint_json(const struct part_complaint *c)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I}", "reference", c->reference, "service",
                          c->service_id, "agency", c->agency_id, "kind", part_complaint_kind_name(c->kind), "text",
                          c->text, "state", part_complaint_state_name(c->state), "created_at",
                          web_json_time(c->created_at), "due_at", web_json_time(c->due_at), "version",
                          (json_int_t)c->version);
    json_object_set_new(j, "application", c->application_ref ? json_string(c->application_ref) : json_null());
    json_object_set_new(j, "answer", c->answer ? json_string(c->answer) : json_null());
    json_object_set_new(j, "answered_at", c->answered_at ? web_json_time(c->answered_at) : json_null());
    return j;
}

int web_api_feedback_post(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    json_t *rating = b ? json_object_get(b, "rating") : NULL;
    if (!json_is_integer(rating))
        return http_problem(r, 400, "bad-request", "Bad request", "send {\"rating\": 1 to 5, \"comment\"?}");
    struct pc_err err = {0};
    int rc = part_feedback_give(app_of(r)->db, web_who(r), http_param(r, 0),
                                json_string_value(json_object_get(b, "application")), (int)json_integer_value(rating),
                                json_string_value(json_object_get(b, "comment")), web_lang_id(r), r->remote_addr,
                                &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_reply_json(r, 201, "{\"received\":true}");
}

int web_api_feedback(struct http_req *r)
{
    struct pc_err err = {0};
    struct part_rating_stats st;
    struct part_feedback *list;
    size_t n;
    const char *service = http_param(r, 0);
    int rc = part_service_ratings(app_of(r)->db, service, &st, &err);
    if (!rc)
        rc = part_feedback_list(app_of(r)->db, &r->arena, service, PART_FB_PUBLISHED, &list, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *counts = json_array(), *comments = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(counts, json_integer(st.count[i]));
    for (size_t i = 0; i < n; i++)
        json_array_append_new(comments, json_pack("{s:i, s:s, s:s, s:o}", "rating", list[i].rating, "comment",
                                                  list[i].comment, "lang", list[i].lang, "at",
                                                  web_json_time(list[i].updated_at)));
    return web_reply_json(r, 200, json_pack("{s:s, s:I, s:f, s:o, s:o}", "service", service, "ratings",
                                            (json_int_t)st.total, "average", st.average, "counts", counts,
                                            "comments", comments));
}

int web_api_feedback_pending(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MODERATE, NULL))
        return 0;
    struct pc_err err = {0};
    struct part_feedback *list;
    size_t n;
    int rc = part_feedback_list(app_of(r)->db, &r->arena, NULL, PART_FB_PENDING, &list, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:i, s:s, s:s}", "id", list[i].id, "service",
                                               list[i].service_id, "rating", list[i].rating, "comment",
                                               list[i].comment, "lang", list[i].lang));
    return web_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int web_api_feedback_moderate(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    json_t *publish = b ? json_object_get(b, "publish") : NULL;
    if (!json_is_boolean(publish))
        return http_problem(r, 400, "bad-request", "Bad request", "send {\"publish\": true or false}");
    struct pc_err err = {0};
    int rc = part_feedback_moderate(app_of(r)->db, web_who(r), http_param(r, 0), json_is_true(publish),
                                    r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_reply_json(r, 200, json_is_true(publish) ? "{\"state\":\"published\"}" : "{\"state\":\"hidden\"}");
}

int web_api_complaints_post(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    int kind = b ? part_complaint_kind_parse(json_string_value(json_object_get(b, "kind"))) : -1;
    if (kind < 0)
        return http_problem(r, 400, "bad-request", "Bad request",
                            "kind: delay, refusal, staff, information, technical or other");
    struct pc_err err = {0};
    struct part_complaint c;
    int rc = part_complaint_file(app_of(r)->db, web_who(r), json_string_value(json_object_get(b, "service")),
                                 json_string_value(json_object_get(b, "application")), (enum part_complaint_kind)kind,
                                 json_string_value(json_object_get(b, "text")), web_lang_id(r), r->remote_addr,
                                 &r->arena, &c, &err);
    if (rc)
        return web_fail(r, rc, &err);
    http_set_header(r, "Location", pc_arena_printf(&r->arena, "/api/v1/complaints/%s", c.reference));
    return web_reply_json(r, 201, complaint_json(&c));
}

int web_api_complaints(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    struct pc_err err = {0};
    struct part_complaint *list;
    size_t n;
    int rc = part_complaint_list(app_of(r)->db, &r->arena, web_who(r), pc_str_eq(http_kv_get(&r->query, "open"), "1"),
                                 &list, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, complaint_json(&list[i]));
    return web_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int web_api_complaint(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    struct pc_err err = {0};
    struct part_complaint c;
    int rc = part_complaint_get(app_of(r)->db, &r->arena, web_who(r), http_param(r, 0), &c, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 200, complaint_json(&c));
}

int web_api_complaint_answer(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    json_t *version = b ? json_object_get(b, "version") : NULL;
    const char *answer = b ? json_string_value(json_object_get(b, "answer")) : NULL;
    if (!json_is_integer(version) || !answer)
        return http_problem(r, 400, "bad-request", "Bad request", "send {\"answer\", \"version\"}");
    struct pc_err err = {0};
    struct part_complaint c;
    int rc = part_complaint_answer(app_of(r)->db, web_who(r), http_param(r, 0), answer, json_integer_value(version),
                                   r->remote_addr, &err);
    if (!rc)
        rc = part_complaint_get(app_of(r)->db, &r->arena, web_who(r), http_param(r, 0), &c, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 200, complaint_json(&c));
}

/* api_cases.c — the JSON API of applications, for kiosks, mobile apps and
 * agencies' systems: a service's form, filing an application (with an
 * Idempotency-Key), reading one, listing mine or my agency's, and the
 * officers' workflow steps.  The same rules as the HTML flow: the checks
 * are in src/cases, the decision who may see what in id_authorize.  An
 * answer issue carries its stable code and a message in the request's
 * language. */
#include "internal.h"
#include "../once/once.h"

#include <stdlib.h>
#include <string.h>

static json_t *time_or_null(int64_t t)
{
    if (!t)
        return json_null();
    char ts[21];
    pc_rfc3339(t, ts);
    return json_string(ts);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static void release_json(void *j)
{
    json_decref(j);
}

/* The request body as JSON, released with the request; NULL if it is not. */
static json_t *body_json(struct http_req *r)
{
    json_error_t je;
    json_t *body = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (body)
        pc_arena_defer(&r->arena, release_json, body);
    return body;
}

static int validation_problem(struct http_req *r, const struct form_issues *issues)
{
    json_t *errors = json_array();
    for (int i = 0; i < issues->n; i++) {
        json_t *e = json_pack("{s:s, s:s, s:s}", "field", issues->items[i].field,
                              "code", form_issue_name(issues->items[i].code), "message", web_issue_text(r, &issues->items[i]));
        if (issues->items[i].limit)
            json_object_set_new(e, "limit", json_integer(issues->items[i].limit));
        json_array_append_new(errors, e);
    }
    json_t *j = json_pack("{s:s, s:s, s:i, s:s, s:o}", "type", "https://pencere.az/problems/invalid-answers",
                          "title", "Some answers need attention", "status", 422, "instance", r->path, "errors", errors);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    r->status = 422;
    r->content_type = "application/problem+json";
    pc_buf_reset(&r->out);
    pc_buf_puts(&r->out, s ? s : "{}");
    free(s);
    return 0;
}

/* How much of an application an answer carries. */
enum app_view {
    APP_SUMMARY,                     /* lists, filing */
    APP_STEP,                        /* after a step: the summary and the history, not the answers */
    APP_FULL,                        /* one application: with the answers */
};

static json_t *app_json(struct http_req *r, const struct case_app *c, enum app_view view)
{
    json_t *j = json_pack("{s:o, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o}",
                          "reference", str_or_null(c->reference), "service", c->service_id, "agency", c->agency_id,
                          "status", case_state_name(c->status), "version", (json_int_t)c->version,
                          "created_at", time_or_null(c->created_at), "submitted_at", time_or_null(c->submitted_at),
                          "due_at", time_or_null(c->due_at), "decided_at", time_or_null(c->decided_at));
    json_object_set_new(j, "acting_for", str_or_null(c->acting_for));
    json_object_set_new(j, "channel", json_string(case_channel_name(c->channel)));
    json_object_set_new(j, "district", str_or_null(c->district));
    json_object_set_new(j, "decision", str_or_null(c->decision));
    json_object_set_new(j, "links", json_pack("{s:s}", "self",
                        pc_arena_printf(&r->arena, "/api/v1/applications/%s", c->reference ? c->reference : c->id)));
    if (view == APP_FULL)
        json_object_set_new(j, "answers", form_answers_json(c->answers));
    if (view != APP_SUMMARY) {
        struct case_event *ev;
        size_t n = 0;
        json_t *hist = json_array();
        if (case_events(app_of(r)->db, &r->arena, c->id, &ev, &n, NULL) == 0)
            for (size_t i = 0; i < n; i++)
                json_array_append_new(hist, json_pack("{s:I, s:o, s:s, s:s, s:s, s:o}", "seq", (json_int_t)ev[i].seq,
                                                      "at", time_or_null(ev[i].at), "action", ev[i].action,
                                                      "from", case_state_name(ev[i].from_status),
                                                      "to", case_state_name(ev[i].to_status),
                                                      "note", str_or_null(ev[i].note)));
        json_object_set_new(j, "history", hist);
    }
    return j;
}

/* Answer with what staff may read of the case, once it is in the
 * applicant's access log (nothing is sent when it cannot be written). */
static int reply_read(struct http_req *r, const struct case_app *app, enum app_view view)
{
    struct pc_err err = {0};
    int rc = case_record_staff_read(app_of(r)->db, web_who(r), app, CASE_READ_CASE, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *j = app_json(r, app, view);
    /* vemtas: a social-assistance case's evidence and means test, for its staff */
    if (view == APP_FULL && web_social_api(r, app, j)) {
        json_decref(j);
        return 0;
    }
    return web_reply_json(r, 200, j);
}

static bool need_login(struct http_req *r, enum id_action a, const struct id_resource *res)
{
    return !web_require(r, a, res);
}

int web_api_service_form(struct http_req *r)
{
    const struct form_def *def = form_set_get(web_forms(r), http_param(r, 0));
    if (!def)
        return http_problem(r, 404, "not-found", "No electronic form",
                            "This service takes no electronic applications (or does not exist).");
    http_reply_json(r, 200, def->json);
    return 0;
}

int web_api_applications_post(struct http_req *r)
{
    const struct id_principal *who = web_who(r);
    struct id_resource res = {0};
    if (who && who->acting_for) {
        res.voen = who->acting_for;
        res.granted = true; /* the session's acting_for was checked when set */
    }
    if (need_login(r, ID_ACT_APPLY, &res))
        return 0;
    const char *key = http_header(r, "Idempotency-Key");
    if (!key)
        return http_problem(r, 400, "idempotency-key-required", "Idempotency-Key header required",
                            "Send a unique key (8–128 characters) per application, the same on every retry.");
    json_t *body = body_json(r);
    const char *service = json_string_value(json_object_get(body, "service"));
    json_t *answers = json_object_get(body, "answers");
    if (!json_is_object(body) || !service || !json_is_object(answers) || json_object_size(body) != 2)
        return http_problem(r, 400, "bad-body", "Invalid request body",
                            "Send a JSON object {\"service\": \"…\", \"answers\": {…}} and nothing else.");
    if (!web_require_level(r, service))
        return 0;
    struct case_app app;
    struct form_issues issues;
    struct pc_err err = {0};
    bool existing = false;
    int rc = case_submit(app_of(r)->db, web_forms(r), who, service, answers, key, web_lang_id(r), r->remote_addr,
                         &r->arena, &app, &existing, &issues, &err);
    if (rc == PC_EINVAL && issues.n)
        return validation_problem(r, &issues);
    if (rc == PC_EINVAL)
        return http_problem(r, 400, "bad-parameter", "Invalid request", err.msg);
    if (rc == PC_ENOTFOUND)
        return http_problem(r, 422, "no-such-form", "This service takes no electronic applications", err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    http_set_header(r, "Location", pc_arena_printf(&r->arena, "/api/v1/applications/%s", app.reference));
    return web_reply_json(r, existing ? 200 : 201, app_json(r, &app, APP_SUMMARY));
}

/* A paper application typed in by an officer or a post-office operator
 * for the applicant (once_submit_paper checks the identity — in the
 * population register with an exchange — cases the role and the rest;
 * the register down is a 503 like any dependency down). */
int web_api_paper_post(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *body = body_json(r);
    struct case_paper p = {
        .service_id = json_string_value(json_object_get(body, "service")),
        .fin = json_string_value(json_object_get(body, "fin")),
        .id_card = json_string_value(json_object_get(body, "id_card")),
        .district = json_string_value(json_object_get(body, "district")),
        .scan_sha256 = json_string_value(json_object_get(body, "scan")),
        .answers = json_object_get(body, "answers"),
    };
    if (!json_is_object(body) || !p.service_id || !p.fin || !p.id_card || !p.district || !p.scan_sha256 ||
        !json_is_object(p.answers) || json_object_size(body) != 6)
        return http_problem(r, 400, "bad-body", "Invalid request body",
                            "Send {\"service\", \"fin\", \"id_card\", \"district\", \"scan\": SHA-256 of your upload,"
                            " \"answers\": {…}} and nothing else.");
    struct case_app app;
    struct form_issues issues;
    enum case_paper_problem problem;
    struct pc_err err = {0};
    struct portal_app *pa = app_of(r);
    int rc = once_submit_paper(pa->exchange, pa->db, web_forms(r), web_who(r), &p, web_lang_id(r), r->remote_addr,
                               &r->arena, &app, &issues, &problem, &err);
    if (rc == PC_EINVAL && issues.n)
        return validation_problem(r, &issues);
    if (rc && rc != PC_EUNAVAIL && problem != CASE_PAPER_OK)
        return http_problem(r, problem == CASE_PAPER_NO_PERSON ? 404 : 400, case_paper_problem_name(problem),
                            "The paper application was refused", err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    http_set_header(r, "Location", pc_arena_printf(&r->arena, "/api/v1/applications/%s", app.reference));
    return web_reply_json(r, 201, app_json(r, &app, APP_SUMMARY));
}

/* Load the case of the URL and check that the caller may see it; anyone
 * else gets the same 404 as for a case that does not exist. */
static int load_visible(struct http_req *r, struct case_app *app)
{
    const struct id_principal *who = web_who(r);
    if (!who) {
        web_require(r, ID_ACT_VIEW_CASE, NULL);
        return 1;
    }
    struct pc_err err = {0};
    int rc = case_load(app_of(r)->db, &r->arena, http_param(r, 0), app, &err);
    struct id_resource res = {.owner = app->applicant, .agency_id = app->agency_id};
    if (rc == PC_ENOTFOUND || (rc == 0 && (!app->reference || !id_authorize(who, ID_ACT_VIEW_CASE, &res)))) {
        http_problem(r, 404, "not-found", "No such application", NULL);
        return 1;
    }
    if (rc) {
        web_fail(r, rc, &err);
        return 1;
    }
    return 0;
}

int web_api_application_get(struct http_req *r)
{
    struct case_app app;
    if (load_visible(r, &app))
        return 0;
    return reply_read(r, &app, APP_FULL);
}

int web_api_applications_list(struct http_req *r)
{
    const struct id_principal *who = web_who(r);
    if (need_login(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct case_filter f = {.limit = 20};
    const char *agency = id_agency_of(who);
    const char *scope = http_kv_get(&r->query, "scope");
    /* officers see their agency's inbox; everyone else (and ?scope=mine) their own */
    if (agency && !pc_str_eq(scope, "mine")) {
        struct id_resource res = {.agency_id = agency};
        if (need_login(r, ID_ACT_VIEW_AGENCY_CASES, &res))
            return 0;
        f.agency_id = agency;
    } else {
        f.applicant = who->account_id;
    }
    static const char *const allowed[] = {"status", "service", "assigned", "overdue", "cursor", "limit", "scope", NULL};
    for (size_t i = 0; i < r->query.n; i++) {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            ok = ok || strcmp(*a, r->query.items[i].key) == 0;
        if (!ok)
            return http_problem(r, 400, "unknown-parameter", "Unknown query parameter", r->query.items[i].key);
    }
    const char *status = http_kv_get(&r->query, "status");
    if (status) {
        int st = case_state_parse(status);
        if (st < 0)
            return http_problem(r, 400, "bad-parameter", "Invalid parameter", "unknown status");
        f.by_status = true;
        f.status = (enum case_state)st;
    }
    f.service_id = http_kv_get(&r->query, "service");
    f.cursor = http_kv_get(&r->query, "cursor");
    if (pc_str_eq(http_kv_get(&r->query, "assigned"), "me"))
        f.assigned_to = who->account_id;
    f.overdue = pc_str_eq(http_kv_get(&r->query, "overdue"), "true");
    const char *lim = http_kv_get(&r->query, "limit");
    long long n;
    if (lim) {
        if (pc_parse_int(lim, 1, 100, &n))
            return http_problem(r, 400, "bad-parameter", "Invalid parameter", "limit must be 1..100");
        f.limit = (int)n;
    }
    struct case_list list;
    struct pc_err err = {0};
    int rc = case_list(app_of(r)->db, &r->arena, &f, &list, &err);
    if (rc == PC_EINVAL)
        return http_problem(r, 400, "bad-parameter", "Invalid parameter", err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < list.n; i++)
        json_array_append_new(items, app_json(r, &list.items[i], APP_SUMMARY));
    json_t *j = json_pack("{s:o}", "items", items);
    if (list.next)
        json_object_set_new(j, "next", json_string(list.next));
    return web_reply_json(r, 200, j);
}

int web_api_application_action(struct http_req *r)
{
    struct case_app app;
    if (load_visible(r, &app))
        return 0;
    json_t *body = body_json(r);
    const char *action = json_string_value(json_object_get(body, "action"));
    const char *note = json_string_value(json_object_get(body, "note"));
    json_t *ver = json_object_get(body, "version");
    if (!json_is_object(body) || !action || !json_is_integer(ver))
        return http_problem(r, 400, "bad-body", "Invalid request body",
                            "Send {\"action\": \"…\", \"version\": N, \"note\": \"…\"} where version is the one you read.");
    int step = case_step_parse(action);
    if (step < 0)
        return http_problem(r, 422, "bad-step", "The step cannot be taken as sent", "unknown action");
    struct pc_err err = {0};
    struct case_app out;
    int rc = web_case_act(r, &app, (enum case_step)step, note, json_integer_value(ver), &out, &err);
    if (rc == PC_ECONFLICT)
        return http_problem(r, 409, "conflict", "Someone else acted on this application", err.msg);
    enum case_step_block block = rc == PC_EDENIED ? case_step_blocked(web_forms(r), &app, web_who(r), (enum case_step)step)
                                                  : CASE_BLOCK_NONE;
    if (block == CASE_BLOCK_APPEAL_TERM)
        return http_problem(r, 403, "appeal-term-over", "The term for an appeal is over", err.msg);
    if (block == CASE_BLOCK_SAME_OFFICER)
        return http_problem(r, 403, "appeal-same-officer", "Another officer reviews the appeal", err.msg);
    if (rc == PC_EDENIED)
        return http_problem(r, 403, "step-not-allowed", "This step is not allowed", err.msg);
    if (rc == PC_EINVAL)
        return http_problem(r, 422, "bad-step", "The step cannot be taken as sent", err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    /* what the next step needs (its version, state and history), not the answers */
    return reply_read(r, &out, APP_STEP);
}

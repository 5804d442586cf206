/* api_surveys.c — surveys through the JSON API and the results page:
 * creating one (its questions are form pages, docs/forms.md), reading its
 * definition, answering once, and for its managers the results (JSON, and
 * a page with a bar chart per question in SVG with the same numbers as a
 * table for those who cannot see it) and every response as CSV.  The
 * rules are in src/participation. */
#include "internal.h"
#include "../participation/participation.h"

#include <math.h>
#include <string.h>

int web_api_surveys_post(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    if (!b)
        return http_problem(r, 400, "bad-json", "Body is not a JSON object", NULL);
    struct part_survey_new s = {.service_id = json_string_value(json_object_get(b, "service")),
                                .anonymous = json_is_true(json_object_get(b, "anonymous")),
                                .opens_at = json_integer_value(json_object_get(b, "opens_at")),
                                .closes_at = json_integer_value(json_object_get(b, "closes_at")),
                                .pages = json_object_get(b, "pages")};
    for (int l = 0; l < PC_LANG_COUNT; l++)
        s.title.s[l] = json_string_value(json_object_get(json_object_get(b, "title"), pc_lang_code((enum pc_lang)l)));
    if (!s.service_id)
        return http_problem(r, 400, "bad-request", "Bad request", "service is required");
    struct pc_err err = {0};
    const char *id;
    int rc = part_survey_create(app_of(r)->db, web_who(r), &s, r->remote_addr, &r->arena, &id, &err);
    if (rc)
        return web_fail(r, rc, &err);
    http_set_header(r, "Location", pc_arena_printf(&r->arena, "/api/v1/surveys/%s", id));
    return web_reply_json(r, 201, json_pack("{s:s}", "id", id));
}

int web_api_survey(struct http_req *r)
{
    struct pc_err err = {0};
    struct part_survey s;
    int rc = part_survey_get(app_of(r)->db, &r->arena, http_param(r, 0), &s, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_error_t je;
    json_t *def = json_loads(s.def->json, 0, &je);
    return web_reply_json(r, 200, json_pack("{s:s, s:s, s:b, s:o, s:o, s:o}", "id", s.id, "service", s.service_id,
                                            "anonymous", s.anonymous, "opens_at", web_json_time(s.opens_at),
                                            "closes_at", web_json_time(s.closes_at), "form",
                                            def ? def : json_null()));
}

int web_api_survey_respond(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    const json_t *answers = b ? json_object_get(b, "answers") : NULL;
    if (!json_is_object(answers))
        return http_problem(r, 400, "bad-request", "Bad request", "send {\"answers\": {question id: answer}}");
    struct pc_err err = {0};
    struct part_survey s;
    struct form_issues issues;
    int rc = part_survey_get(app_of(r)->db, &r->arena, http_param(r, 0), &s, &err);
    if (!rc)
        rc = part_survey_respond(app_of(r)->db, web_who(r), &s, answers, &issues, &err);
    if (rc == PC_EINVAL && issues.n)
        pc_err_set(&err, PC_EINVAL, "%s: %s (and %d more)", issues.items[0].field,
                   form_issue_name(issues.items[0].code), issues.n - 1);
    if (rc)
        return web_fail(r, rc, &err);
    return http_reply_json(r, 201, "{\"received\":true}");
}

/* The survey of the URL and its results, for its managers. */
static int load_results(struct http_req *r, struct part_survey *s, struct part_survey_results *res)
{
    struct pc_err err = {0};
    int rc = part_survey_get(app_of(r)->db, &r->arena, http_param(r, 0), s, &err);
    if (!rc)
        rc = part_survey_results(app_of(r)->db, web_who(r), &r->arena, s, res, &err);
    if (rc)
        web_fail(r, rc, &err);
    return rc;
}

int web_api_survey_results(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    struct part_survey s;
    struct part_survey_results res;
    if (load_results(r, &s, &res))
        return 0;
    json_t *qs = json_array();
    for (size_t i = 0; i < res.nquestions; i++) {
        const struct part_question_result *q = &res.questions[i];
        json_t *j = json_pack("{s:s, s:s, s:I}", "id", q->question_id, "label", pc_text_get(&q->label, web_lang_id(r)),
                              "answered", (json_int_t)q->answered);
        if (q->noptions) {
            json_t *opts = json_array();
            for (size_t k = 0; k < q->noptions; k++)
                json_array_append_new(opts, json_pack("{s:s, s:I}", "value", q->option_values[k], "count",
                                                      (json_int_t)q->option_counts[k]));
            json_object_set_new(j, "options", opts);
        }
        if (q->type == FORM_NUMBER && q->answered)
            json_object_set_new(j, "number", json_pack("{s:f, s:f, s:f}", "min", q->min, "max", q->max, "mean",
                                                       q->mean));
        json_array_append_new(qs, j);
    }
    return web_reply_json(r, 200, json_pack("{s:s, s:I, s:o}", "survey", s.id, "responses",
                                            (json_int_t)res.responses, "questions", qs));
}

int web_api_survey_csv(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    struct pc_err err = {0};
    struct part_survey s;
    int rc = part_survey_get(app_of(r)->db, &r->arena, http_param(r, 0), &s, &err);
    pc_buf_reset(&r->out);
    if (!rc)
        rc = part_survey_csv(app_of(r)->db, web_who(r), &s, &r->out, &err);
    if (rc)
        return web_fail(r, rc, &err);
    r->status = 200;
    r->content_type = "text/csv; charset=utf-8";
    http_set_header(r, "Content-Disposition", pc_arena_printf(&r->arena, "attachment; filename=\"survey-%s.csv\"", s.id));
    return 0;
}

/* ---- the results page ------------------------------------------------------- */

/* A horizontal bar per option; the chart is an image described by its
 * caption, and the table beside it holds the same numbers as text. */
static void bar_chart(struct http_req *r, const struct part_question_result *q, size_t idx)
{
    int64_t top = 1;
    for (size_t k = 0; k < q->noptions; k++)
        top = q->option_counts[k] > top ? q->option_counts[k] : top;
    int h = 28 * (int)q->noptions + 8;
    web_html(r, "<svg role=\"img\" aria-labelledby=\"chart-%d\" width=\"100%%\" height=\"%d\" viewBox=\"0 0 400 %d\">\n"
                "<title id=\"chart-%d\">%s</title>\n", (int)idx, h, h, (int)idx, pc_text_get(&q->label, web_lang_id(r)));
    for (size_t k = 0; k < q->noptions; k++) {
        int w = (int)lround(260.0 * (double)q->option_counts[k] / (double)top);
        web_html(r, "<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>"
                    "<rect x=\"120\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"#1d4f91\"></rect>"
                    "<text x=\"%d\" y=\"%d\" font-size=\"12\">%L</text>\n", (int)k * 28 + 20,
                 pc_text_get(&q->option_labels[k], web_lang_id(r)), (int)k * 28 + 6, w, 126 + w, (int)k * 28 + 20,
                 (long long)q->option_counts[k]);
    }
    web_html(r, "</svg>\n");
}

int web_page_survey_results(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    struct part_survey s;
    struct part_survey_results res;
    if (load_results(r, &s, &res))
        return 0;
    const char *title = pc_text_get(&s.title, web_lang_id(r));
    web_page_begin(r, title);
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n<p class=\"lead\">%s: %L</p>\n",
             web_t(r, M_SURVEY_RESULTS), title, web_t(r, M_SURVEY_RESPONSES), (long long)res.responses);
    for (size_t i = 0; i < res.nquestions; i++) {
        const struct part_question_result *q = &res.questions[i];
        web_html(r, "<section>\n<h2>%s</h2>\n<p>%s: %L</p>\n", pc_text_get(&q->label, web_lang_id(r)),
                 web_t(r, M_SURVEY_ANSWERED), (long long)q->answered);
        if (q->noptions) {
            bar_chart(r, q, i);
            web_html(r, "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                        "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
                     pc_text_get(&q->label, web_lang_id(r)), web_t(r, M_POLL_OPTION), web_t(r, M_SURVEY_COUNT));
            for (size_t k = 0; k < q->noptions; k++)
                web_html(r, "<tr><td>%s</td><td>%L</td></tr>\n", pc_text_get(&q->option_labels[k], web_lang_id(r)),
                         (long long)q->option_counts[k]);
            web_html(r, "</tbody>\n</table>\n");
        } else if (q->type == FORM_NUMBER && q->answered) {
            web_html(r, "<p>%r</p>\n", pc_arena_printf(&r->arena, web_t(r, M_SURVEY_NUMBER), q->min, q->mean, q->max));
        }
        web_html(r, "</section>\n");
    }
    web_html(r, "<p><a href=\"/api/v1/surveys/%s/responses.csv\">%s</a></p>\n", s.id, web_t(r, M_SURVEY_CSV));
    web_page_end(r);
    return 0;
}

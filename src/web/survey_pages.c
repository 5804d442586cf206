/* survey_pages.c — answering a survey in HTML, without JavaScript: its
 * questions (form pages of src/cases) rendered by the same code as an
 * application's, every page of the survey on one page under its title;
 * errors shown with their summary and the answers kept, as on an
 * application's pages.  A page whose condition the answers before it do
 * not meet is not taken (no script hides it).  The rules are in
 * src/participation. */
#include "internal.h"
#include "../participation/participation.h"

/* The survey of the URL for a person who may answer; else the answer is
 * written and 1 returned. */
static int load(struct http_req *r, struct part_survey *s)
{
    if (!web_require(r, ID_ACT_VOTE, NULL))
        return 1;
    struct pc_err err = {0};
    int rc = part_survey_get(app_of(r)->db, &r->arena, http_param(r, 0), s, &err);
    if (rc)
        web_fail(r, rc, &err);
    return rc ? 1 : 0;
}

static void survey_page(struct http_req *r, const struct part_survey *s, const struct form_answers *answers,
                        const struct form_issues *issues, bool answered)
{
    enum pc_lang lang = web_lang_id(r);
    const struct form_def *def = s->def;
    const char *title = pc_text_get(&s->title, lang);
    struct web_field_error errs[FORM_MAX_ISSUES];
    int ne = web_form_errors(r, def, issues, errs);
    web_form_title(r, title, ne);
    web_error_summary(r, errs, ne);
    struct cat_service svc;
    if (cat_get_service(app_of(r)->db, &r->arena, s->service_id, &svc, NULL) == 0)
        web_html(r, "<span class=\"caption\">%s</span>\n", pc_text_get(&svc.name, lang));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", title,
             web_t(r, s->anonymous ? M_SURVEY_ANONYMOUS : M_SURVEY_IDENTIFIED));
    int64_t now = pc_now_unix();
    if (answered || now < s->opens_at || now >= s->closes_at) {
        web_html(r, "<p class=\"notice\">%s</p>\n", web_t(r, answered ? M_SURVEY_DONE_ALREADY : M_SURVEY_NOT_OPEN));
        web_page_end(r);
        return;
    }
    web_html(r, "<form method=\"post\" action=\"/surveys/%q\" novalidate>\n", s->id);
    web_csrf_field(r);
    for (size_t p = 0; p < def->npages; p++) {
        const struct form_page *page = &def->pages[p];
        if (def->npages > 1)
            web_html(r, "<h2>%s</h2>\n", pc_text_get(&page->title, lang));
        if (page->has_hint)
            web_html(r, "<p class=\"hint\">%s</p>\n", pc_text_get(&page->hint, lang));
        for (size_t k = 0; k < page->nquestions; k++) {
            struct form_value v;
            form_value_of(answers, &page->questions[k], NULL, 0, &r->arena, &v);
            web_question_html(r, &page->questions[k], page->questions[k].id, &v, issues);
        }
    }
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_SURVEY_SEND));
    web_page_end(r);
}

int web_page_survey(struct http_req *r)
{
    struct part_survey s;
    if (load(r, &s))
        return 0;
    bool answered;
    struct pc_err err = {0};
    if (part_survey_answered(app_of(r)->db, s.id, web_who(r)->fin, &answered, &err))
        return web_fail(r, err.code, &err);
    survey_page(r, &s, form_answers_from_json(&r->arena, NULL), NULL, answered);
    return 0;
}

int web_page_survey_post(struct http_req *r)
{
    struct part_survey s;
    if (load(r, &s))
        return 0;
    struct form_post post;
    web_form_post(r, 0, &post);
    /* the pages in order, each taken when the answers before it show it */
    struct form_answers *answers = form_answers_from_json(&r->arena, NULL);
    struct form_issues unused;
    for (const struct form_page *p = form_next_page(s.def, answers, NULL); p; p = form_next_page(s.def, answers, p))
        answers = form_take_page(p, &post, answers, &r->arena, &unused);
    json_t *j = form_answers_json(answers);
    struct form_issues issues;
    struct pc_err err = {0};
    int rc = part_survey_respond(app_of(r)->db, web_who(r), &s, j, &issues, &err);
    json_decref(j);
    if (rc == PC_EINVAL && issues.n) {
        r->status = 400;
        survey_page(r, &s, answers, &issues, false);
        return 0;
    }
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_SURVEY_THANKS));
    web_html(r, "<div class=\"panel\">\n<h1>%s</h1>\n</div>\n<p><a href=\"/services/%q\">%s</a></p>\n",
             web_t(r, M_SURVEY_THANKS), s.service_id, web_t(r, M_SURVEY_BACK));
    web_page_end(r);
    return 0;
}

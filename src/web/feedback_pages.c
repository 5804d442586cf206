/* feedback_pages.c — the pages of ratings, comments and complaints, all
 * without JavaScript: a service's ratings and published comments with the
 * forms to rate it and to complain about it; one's complaints (or one's
 * agency's) and a complaint with the agency's answer form; the operators'
 * moderation of comments.  The rules are in src/participation. */
#include "internal.h"
#include "../participation/participation.h"

#include <string.h>

/* The words of a complaint's kind (the messages follow the enum). */
static enum msg kind_msg(enum part_complaint_kind k)
{
    _Static_assert(M_COMPLAINT_KIND_OTHER - M_COMPLAINT_KIND_DELAY == PART_CK_OTHER - PART_CK_DELAY &&
                       PART_CK_OTHER + 1 == PART_CK_COUNT, "a message per kind, in order");
    return (enum msg)(M_COMPLAINT_KIND_DELAY + (int)k);
}

static const char *service_title(struct http_req *r, const char *id)
{
    struct cat_service s;
    return cat_get_service(app_of(r)->db, &r->arena, id, &s, NULL) == 0 ? pc_text_get(&s.name, web_lang_id(r)) : id;
}

int web_ratings_load(struct http_req *r, const char *service, struct web_ratings *out, struct pc_err *err)
{
    struct part_rating_stats st;
    int rc = part_service_ratings(app_of(r)->db, service, &st, err);
    if (rc)
        return rc;
    memcpy(out->count, st.count, sizeof out->count);
    out->total = st.total;
    out->average = st.average;
    return part_feedback_list(app_of(r)->db, &r->arena, service, PART_FB_PUBLISHED, &out->comments,
                              &out->ncomments, err);
}

void web_ratings_html(struct http_req *r, const struct web_ratings *w, int h)
{
    web_html(r, "<p class=\"lead\">%r</p>\n", pc_arena_printf(&r->arena, web_t(r, M_FEEDBACK_SUMMARY), w->average,
                                                           (long long)w->total));
    web_html(r, "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, M_FEEDBACK_TITLE), web_t(r, M_FEEDBACK_STARS), web_t(r, M_SURVEY_COUNT));
    for (int i = 5; i >= 1; i--)
        web_html(r, "<tr><td>%d</td><td>%L</td></tr>\n", i, (long long)w->count[i - 1]);
    web_html(r, "</tbody>\n</table>\n<h%d>%s</h%d>\n", h, web_t(r, M_FEEDBACK_COMMENTS), h);
    if (!w->ncomments)
        web_html(r, "<p>%s</p>\n", web_t(r, M_FEEDBACK_NO_COMMENTS));
    for (size_t i = 0; i < w->ncomments; i++)
        web_html(r, "<blockquote lang=\"%s\"><p>%s</p><footer>%d / 5</footer></blockquote>\n", w->comments[i].lang,
                 w->comments[i].comment, w->comments[i].rating);
}

int web_page_feedback(struct http_req *r)
{
    const char *service = http_param(r, 0);
    struct pc_err err = {0};
    struct cat_service svc;
    struct web_ratings w;
    int rc = cat_get_service(app_of(r)->db, &r->arena, service, &svc, &err);
    if (!rc)
        rc = web_ratings_load(r, service, &w, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_FEEDBACK_TITLE));
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n", pc_text_get(&svc.name, web_lang_id(r)),
             web_t(r, M_FEEDBACK_TITLE));
    if (pc_str_eq(http_kv_get(&r->query, "thanks"), "1"))
        web_html(r, "<p class=\"notice\" role=\"status\">%s</p>\n", web_t(r, M_FEEDBACK_THANKS));
    web_ratings_html(r, &w, 2);
    if (!web_who(r)) {
        web_html(r, "<p><a href=\"/login?next=/services/%s/feedback\">%s</a></p>\n", service, web_t(r, M_FEEDBACK_LOG_IN));
        web_page_end(r);
        return 0;
    }
    const char *application = http_kv_get(&r->query, "application");
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/services/%s/feedback\">\n", web_t(r, M_FEEDBACK_RATE),
             service);
    web_csrf_field(r);
    if (application)
        web_html(r, "<input type=\"hidden\" name=\"application\" value=\"%s\">\n", application);
    web_html(r, "<fieldset class=\"fieldset\">\n<legend class=\"legend\">%s</legend>\n", web_t(r, M_FEEDBACK_STARS));
    for (int i = 5; i >= 1; i--)
        web_html(r, "<div class=\"choice\"><input type=\"radio\" id=\"rate-%d\" name=\"rating\" value=\"%d\"%r>"
                    "<label for=\"rate-%d\">%d</label></div>\n", i, i, i == 5 ? " required" : "", i, i);
    web_html(r, "</fieldset>\n<div class=\"field\"><label for=\"fb-comment\">%s</label>\n<p class=\"hint\" "
                "id=\"fb-comment-hint\">%s</p>\n<textarea class=\"textarea\" id=\"fb-comment\" name=\"comment\" rows=\"4\" "
                "maxlength=\"%d\" aria-describedby=\"fb-comment-hint\"></textarea></div>\n<button type=\"submit\">%s"
                "</button>\n</form>\n", web_t(r, M_FEEDBACK_COMMENT), web_t(r, M_FEEDBACK_COMMENT_HINT),
             PART_COMMENT_MAX, web_t(r, M_FEEDBACK_SEND));
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/complaints\">\n", web_t(r, M_COMPLAINT_FILE));
    web_csrf_field(r);
    web_html(r, "<input type=\"hidden\" name=\"service\" value=\"%s\">\n", service);
    if (application)
        web_html(r, "<input type=\"hidden\" name=\"application\" value=\"%s\">\n", application);
    web_html(r, "<div class=\"field\"><label for=\"c-kind\">%s</label>\n<select id=\"c-kind\" name=\"kind\">\n",
             web_t(r, M_COMPLAINT_KIND));
    for (int k = 0; k < PART_CK_COUNT; k++)
        web_html(r, "<option value=\"%s\">%s</option>\n", part_complaint_kind_name((enum part_complaint_kind)k),
                 web_t(r, kind_msg((enum part_complaint_kind)k)));
    web_html(r, "</select></div>\n<div class=\"field\"><label for=\"c-text\">%s</label>\n<textarea class=\"textarea\" "
                "id=\"c-text\" name=\"text\" rows=\"6\" maxlength=\"%d\" required></textarea></div>\n"
                "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_COMPLAINT_TEXT), PART_COMPLAINT_MAX,
             web_t(r, M_COMPLAINT_SEND));
    web_page_end(r);
    return 0;
}

int web_page_feedback_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VOTE, NULL))
        return 0;
    long long rating = 0;
    struct pc_err err = {0};
    const char *service = http_param(r, 0), *comment = http_kv_get(&r->form, "comment");
    int rc = pc_parse_int(http_kv_get(&r->form, "rating"), 1, 5, &rating)
                 ? pc_err_set(&err, PC_EINVAL, "choose 1 to 5 stars")
                 : part_feedback_give(app_of(r)->db, web_who(r), service, http_kv_get(&r->form, "application"),
                                      (int)rating, comment && *comment ? comment : NULL, web_lang_id(r),
                                      r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/services/%s/feedback?thanks=1", service));
}

/* ---- complaints ------------------------------------------------------------ */

int web_page_complaint_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VOTE, NULL))
        return 0;
    struct pc_err err = {0};
    struct part_complaint c;
    int kind = part_complaint_kind_parse(http_kv_get(&r->form, "kind"));
    const char *application = http_kv_get(&r->form, "application");
    int rc = kind < 0 ? pc_err_set(&err, PC_EINVAL, "choose what the complaint is about")
                      : part_complaint_file(app_of(r)->db, web_who(r), http_kv_get(&r->form, "service"),
                                            application && *application ? application : NULL,
                                            (enum part_complaint_kind)kind, http_kv_get(&r->form, "text"),
                                            web_lang_id(r), r->remote_addr, &r->arena, &c, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/complaints/%s", c.reference));
}

static const char *date_of(struct http_req *r, int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    return pc_arena_printf(&r->arena, "%.10s", ts);
}

int web_page_complaints(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    struct pc_err err = {0};
    struct part_complaint *list;
    size_t n;
    int rc = part_complaint_list(app_of(r)->db, &r->arena, web_who(r), false, &list, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_COMPLAINTS_TITLE));
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_COMPLAINTS_TITLE));
    if (!n)
        web_html(r, "<p>%s</p>\n", web_t(r, M_COMPLAINTS_NONE));
    else
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                    "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
                 web_t(r, M_COMPLAINTS_TITLE), web_t(r, M_COMPLAINTS_TITLE), web_t(r, M_COL_REFERENCE),
                 web_t(r, M_RESULT_SERVICE), web_t(r, M_COL_DUE), web_t(r, M_APP_STATUS));
    for (size_t i = 0; i < n; i++)
        web_html(r, "<tr><td><a class=\"ref\" href=\"/complaints/%s\">%s</a></td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
                 list[i].reference, list[i].reference, service_title(r, list[i].service_id), date_of(r, list[i].due_at),
                 web_t(r, list[i].state == PART_COMPLAINT_ANSWERED ? M_COMPLAINT_ANSWERED : M_COMPLAINT_OPEN));
    if (n)
        web_html(r, "</tbody>\n</table>\n</div>\n");
    web_page_end(r);
    return 0;
}

int web_page_complaint(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    struct pc_err err = {0};
    struct part_complaint c;
    int rc = part_complaint_get(app_of(r)->db, &r->arena, web_who(r), http_param(r, 0), &c, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, c.reference);
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n<dl class=\"facts\">\n<dt>%s</dt><dd>%s</dd>\n"
                "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n</dl>\n<h2>%s</h2>\n<p>%s</p>\n",
             web_t(r, M_COMPLAINTS_TITLE), c.reference, web_t(r, M_RESULT_SERVICE), service_title(r, c.service_id),
             web_t(r, M_COMPLAINT_KIND), web_t(r, kind_msg(c.kind)), web_t(r, M_COL_DUE), date_of(r, c.due_at),
             web_t(r, M_APP_STATUS),
             web_t(r, c.state == PART_COMPLAINT_ANSWERED ? M_COMPLAINT_ANSWERED : M_COMPLAINT_OPEN),
             web_t(r, M_COMPLAINT_TEXT), c.text);
    struct id_resource res = {.agency_id = c.agency_id};
    if (c.answer) {
        web_html(r, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, M_COMPLAINT_ANSWER), c.answer);
    } else if (id_authorize(web_who(r), ID_ACT_ANSWER_COMPLAINT, &res)) {
        web_html(r, "<form method=\"post\" action=\"/complaints/%s/answer\">\n", c.reference);
        web_csrf_field(r);
        web_html(r, "<input type=\"hidden\" name=\"version\" value=\"%L\">\n<div class=\"field\"><label for=\"c-answer\">"
                    "%s</label>\n<textarea class=\"textarea\" id=\"c-answer\" name=\"answer\" rows=\"6\" maxlength=\"%d\" "
                    "required></textarea></div>\n<button type=\"submit\">%s</button>\n</form>\n", (long long)c.version,
                 web_t(r, M_COMPLAINT_ANSWER), PART_COMPLAINT_MAX, web_t(r, M_COMPLAINT_SEND));
    }
    web_page_end(r);
    return 0;
}

int web_page_complaint_answer_post(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    long long version = 0;
    struct pc_err err = {0};
    int rc = pc_parse_int(http_kv_get(&r->form, "version"), 1, INT32_MAX, &version)
                 ? pc_err_set(&err, PC_EINVAL, "the form lost its version: open the complaint again")
                 : part_complaint_answer(app_of(r)->db, web_who(r), http_param(r, 0), http_kv_get(&r->form, "answer"),
                                         version, r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/complaints/%s", http_param(r, 0)));
}

/* ---- moderation (operators) ------------------------------------------------- */

int web_page_moderation(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MODERATE, NULL))
        return 0;
    struct pc_err err = {0};
    struct part_feedback *list;
    size_t n;
    int rc = part_feedback_list(app_of(r)->db, &r->arena, NULL, PART_FB_PENDING, &list, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_MODERATION_TITLE));
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_MODERATION_TITLE));
    if (!n)
        web_html(r, "<p>%s</p>\n", web_t(r, M_MODERATION_NONE));
    for (size_t i = 0; i < n; i++) {
        web_html(r, "<section class=\"card\">\n<h2>%s</h2>\n<blockquote lang=\"%s\"><p>%s</p></blockquote>\n",
                 service_title(r, list[i].service_id), list[i].lang, list[i].comment);
        for (int publish = 1; publish >= 0; publish--) {
            web_html(r, "<form method=\"post\" action=\"/operator/feedback/%s\">", list[i].id);
            web_csrf_field(r);
            web_html(r, "<input type=\"hidden\" name=\"publish\" value=\"%d\"><button type=\"submit\"%r>%s</button>"
                        "</form>\n", publish, publish ? "" : " class=\"warning\"",
                     web_t(r, publish ? M_MODERATION_PUBLISH : M_MODERATION_HIDE));
        }
        web_html(r, "</section>\n");
    }
    web_page_end(r);
    return 0;
}

int web_page_moderation_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MODERATE, NULL))
        return 0;
    struct pc_err err = {0};
    int rc = part_feedback_moderate(app_of(r)->db, web_who(r), http_param(r, 0),
                                    pc_str_eq(http_kv_get(&r->form, "publish"), "1"), r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, "/operator/feedback");
}

/* poll_pages.c — the citizen's pages of polls: the list, one poll with
 * its voting form (radio buttons, no JavaScript) and, when they may be
 * shown, its results with the published tally's fingerprint and
 * signature; voting answers with the receipt.  The rules are in
 * src/participation; a refusal is shown by web_fail's error page. */
#include "internal.h"
#include "../participation/participation.h"

static const char *when(struct http_req *r, int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    return pc_arena_printf(&r->arena, "%.10s %.5s UTC", ts, ts + 11);
}

static enum msg state_msg(enum part_poll_state s)
{
    switch (s) {
    case PART_POLL_UPCOMING: return M_POLL_UPCOMING;
    case PART_POLL_OPEN: return M_POLL_OPEN;
    case PART_POLL_CLOSED: return M_POLL_CLOSED;
    default: return M_POLL_COUNTED;
    }
}

int web_page_polls(struct http_req *r)
{
    struct pc_err err = {0};
    struct part_poll *list;
    size_t n;
    int64_t now = pc_now_unix();
    int rc = part_poll_list(app_of(r)->db, &r->arena, now, 30, &list, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_POLLS_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_POLLS_TITLE), web_t(r, M_POLLS_LEAD));
    if (n == 0)
        web_html(r, "<p>%s</p>\n", web_t(r, M_POLLS_NONE));
    else
        web_html(r, "<ul class=\"items\">\n");
    for (size_t i = 0; i < n; i++)
        web_html(r, "<li><a href=\"/polls/%s\">%s</a> <span class=\"tag\">%s</span> <span class=\"meta\">%s %s</span>"
                    "</li>\n", list[i].id, pc_text_get(&list[i].question, web_lang_id(r)),
                 web_t(r, state_msg(part_poll_state(&list[i], now))), web_t(r, M_POLL_CLOSES),
                 when(r, list[i].closes_at));
    if (n)
        web_html(r, "</ul>\n");
    web_page_end(r);
    return 0;
}

static void results(struct http_req *r, struct part_poll *p)
{
    struct part_results res;
    struct pc_err err = {0};
    if (part_results(app_of(r)->db, &r->arena, p, &res, &err))
        return; /* secret and not counted yet: no results to show */
    web_html(r, "<h2>%s</h2>\n<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, M_POLL_RESULTS), web_t(r, M_POLL_RESULTS), web_t(r, M_POLL_RESULTS), web_t(r, M_POLL_OPTION),
             web_t(r, M_POLL_VOTES));
    for (size_t i = 0; i < p->noptions; i++)
        web_html(r, "<tr><td>%s</td><td>%L</td></tr>\n", pc_text_get(&p->options[i].label, web_lang_id(r)),
                 (long long)p->options[i].votes);
    web_html(r, "</tbody>\n</table>\n</div>\n<p>%s: %L</p>\n", web_t(r, M_POLL_VOTERS), (long long)res.voters);
    if (!res.final) {
        web_html(r, "<p class=\"hint\">%s</p>\n", web_t(r, M_POLL_NOT_FINAL));
        return;
    }
    if (!res.has_tally) {
        web_html(r, "<p class=\"hint\">%s</p>\n", web_t(r, M_POLL_TALLY_WAITS));
        return;
    }
    web_html(r, "<h2>%s</h2>\n<dl class=\"facts\">\n<dt>%s</dt><dd><code>%s</code></dd>\n", web_t(r, M_POLL_TALLY),
             web_t(r, M_RESULT_FINGERPRINT), res.tally.sha256);
    if (res.tally.signature)
        web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, M_POLL_SIGNED_AT), when(r, res.tally.signed_at));
    else
        web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, M_POLL_SIGNED_AT), web_t(r, M_POLL_UNSIGNED));
    web_html(r, "</dl>\n<p><a href=\"/api/v1/polls/%s/results\">%s</a></p>\n", p->id, web_t(r, M_POLL_TALLY_LINK));
}

int web_page_poll(struct http_req *r)
{
    struct pc_err err = {0};
    struct part_poll p;
    int rc = part_poll_get(app_of(r)->db, &r->arena, http_param(r, 0), &p, &err);
    if (rc)
        return web_fail(r, rc, &err);
    int64_t now = pc_now_unix();
    enum part_poll_state st = part_poll_state(&p, now);
    const char *question = pc_text_get(&p.question, web_lang_id(r));
    web_page_begin(r, question);
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n<p class=\"meta\"><span class=\"tag\">%s</span> %s %s</p>\n",
             web_t(r, M_POLLS_TITLE), question, web_t(r, state_msg(st)), web_t(r, M_POLL_CLOSES),
             when(r, p.closes_at));
    const struct id_principal *who = web_who(r);
    bool voted = false;
    if (who && who->fin && part_voted(app_of(r)->db, p.id, who->fin, &voted, &err))
        return web_fail(r, err.code, &err);
    if (st == PART_POLL_OPEN && !who) {
        web_html(r, "<p><a href=\"/login?next=/polls/%s\">%s</a></p>\n", p.id, web_t(r, M_POLL_LOG_IN));
    } else if (st == PART_POLL_OPEN && (!voted || p.changeable)) {
        web_html(r, "<form method=\"post\" action=\"/polls/%s/vote\">\n", p.id);
        web_csrf_field(r);
        web_html(r, "<fieldset class=\"fieldset\">\n<legend class=\"legend\">%s</legend>\n", question);
        for (size_t i = 0; i < p.noptions; i++)
            web_html(r, "<div class=\"choice\"><input type=\"radio\" id=\"o-%s\" name=\"option\" value=\"%s\"%r>"
                        "<label for=\"o-%s\">%s</label></div>\n", p.options[i].id, p.options[i].id,
                     i == 0 ? " required" : "", p.options[i].id, pc_text_get(&p.options[i].label, web_lang_id(r)));
        web_html(r, "</fieldset>\n<button type=\"submit\">%s</button>\n</form>\n",
                 web_t(r, voted ? M_POLL_CHANGE : M_POLL_VOTE));
    } else if (voted) {
        web_html(r, "<p class=\"notice\">%s</p>\n", web_t(r, M_POLL_VOTED));
    }
    results(r, &p);
    web_page_end(r);
    return 0;
}

int web_page_poll_vote(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VOTE, NULL))
        return 0;
    struct pc_err err = {0};
    struct part_receipt rec;
    enum part_refusal why;
    const char *option = http_kv_get(&r->form, "option");
    int rc = part_vote(app_of(r)->db, web_who(r), http_param(r, 0), option ? option : "", r->remote_addr, &rec,
                       &why, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_POLL_THANKS));
    web_html(r, "<div class=\"panel\">\n<h1>%s</h1>\n<p>%s</p>\n<p class=\"code\">%s</p>\n</div>\n"
                "<p><a href=\"/polls/%s\">%s</a></p>\n", web_t(r, M_POLL_THANKS), web_t(r, M_POLL_RECEIPT), rec.ballot,
             http_param(r, 0), web_t(r, M_POLL_BACK));
    web_page_end(r);
    return 0;
}

/* campaigns.c — evaluation campaigns made in the portal (monitor's
 * campaign.c decides and stores; this file renders).  Evaluators list and
 * create campaigns, pick services and their models, answer each question
 * group (an infrastructure component, or one questionnaire of a service)
 * in one form post with its evidence, ask for review; a second evaluator
 * agrees or sends back.  A closed campaign's results are shown like the
 * published campaigns (evaluation.c's report, CSV and JSON); an agency's
 * staff see only their own services and the recommendations. */
#include "internal.h"
#include "../monitor/monitor.h"

#include <stdlib.h>
#include <string.h>

static const enum msg state_msg[MON_CAMPAIGN_STATE_COUNT] = {
    [MON_CAMPAIGN_OPEN] = M_CG_STATE_OPEN,
    [MON_CAMPAIGN_SUBMITTED] = M_CG_STATE_SUBMITTED,
    [MON_CAMPAIGN_CLOSED] = M_CG_STATE_CLOSED,
};

static const enum msg criterion_msg[MON_CRITERION_COUNT] = {
    [MON_INFRA] = M_EV_INFRA,
    [MON_DEVELOPMENT] = M_EV_DEVELOPMENT,
    [MON_PARTICIPATION] = M_EV_PARTICIPATION,
    [MON_TRANSPARENCY] = M_EV_TRANSPARENCY,
};

static struct mon_campaign *campaign_of(struct http_req *r)
{
    struct mon_campaign *c = pc_arena_alloc(&r->arena, sizeof *c);
    struct pc_err err = {0};
    int rc = mon_campaign_get(app_of(r)->db, &r->arena, http_param(r, 0), c, &err);
    if (rc) {
        web_fail(r, rc, &err);
        return NULL;
    }
    return c;
}

static const char *service_name(struct http_req *r, const char *id)
{
    struct cat_service s;
    struct pc_err err = {0};
    return cat_get_service(app_of(r)->db, &r->arena, id, &s, &err) == 0 ? pc_text_get(&s.name, web_lang_id(r)) : id;
}

/* Whether a group asks question q: the infrastructure's component k (k >
 * 0), and the payment questions of paid services only. */
static bool asked(const struct mon_question *q, int k, bool paid)
{
    return (!k || q->component == k) && (!q->payment || paid);
}

/* How many questions of c (of infrastructure component k when k > 0)
 * have an answer, and how many there are. */
static void answered(const struct mon_answers *a, enum mon_criterion c, int k, bool paid, int *yes, int *all)
{
    size_t n;
    const struct mon_question *q = mon_questions(c, &n);
    *yes = *all = 0;
    for (size_t i = 0; i < n; i++)
        if (asked(&q[i], k, paid)) {
            (*all)++;
            *yes += a->a[i].kind != MON_ANS_MISSING;
        }
}

static const char *progress(struct http_req *r, const struct mon_answers *a, enum mon_criterion c, int k, bool paid)
{
    int yes, all;
    answered(a, c, k, paid, &yes, &all);
    return pc_arena_printf(&r->arena, web_t(r, M_CG_ANSWERED), yes, all);
}

/* ---- the list --------------------------------------------------------------- */

/* The form to create one; sent back (posted) with what was typed and
 * what is wrong. */
static void new_campaign_form(struct http_req *r, bool posted, const struct web_field_error *errors, int nerrors)
{
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/campaigns\" novalidate>\n", web_t(r, M_CG_NEW));
    web_csrf_field(r);
    const char *v[3] = {NULL, NULL, NULL};
    if (posted) {
        v[0] = http_kv_get(&r->form, "name");
        v[1] = http_kv_get(&r->form, "from");
        v[2] = http_kv_get(&r->form, "to");
    }
    struct web_field name = {"name", web_t(r, M_CG_NAME), NULL, v[0], "text", "off", MON_CAMPAIGN_NAME_MAX};
    struct web_field from = {"from", web_t(r, M_CG_FROM), web_t(r, M_CG_PERIOD_HINT), v[1], "text", "off", 10};
    struct web_field to = {"to", web_t(r, M_CG_TO), web_t(r, M_CG_PERIOD_HINT), v[2], "text", "off", 10};
    web_text_field(r, &name, errors, nerrors);
    web_text_field(r, &from, errors, nerrors);
    web_text_field(r, &to, errors, nerrors);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_CG_CREATE));
}

static int campaigns_page(struct http_req *r, const struct web_field_error *errors, int nerrors)
{
    const struct id_principal *p = web_who(r);
    const char *agency = id_agency_of(p);
    struct id_resource own = {.agency_id = agency};
    bool evaluator = id_authorize(p, ID_ACT_EVALUATE, NULL);
    if (!evaluator && !web_require(r, ID_ACT_VIEW_EVALUATION, agency ? &own : NULL))
        return 0;
    struct mon_campaign *list;
    size_t n;
    struct pc_err err = {0};
    /* an agency's staff: the closed campaigns that evaluated their agency */
    bool whole = evaluator || id_authorize(p, ID_ACT_VIEW_EVALUATION, NULL);
    int rc = mon_campaign_list(app_of(r)->db, &r->arena, !evaluator, whole ? NULL : agency, &list, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_form_title(r, web_t(r, M_CG_TITLE), nerrors);
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", web_t(r, M_CG_TITLE), NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_error_summary(r, errors, nerrors);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_CG_TITLE), web_t(r, M_CG_LEAD));
    if (!n) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_CG_NONE));
    } else {
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                    "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n"
                    "<tbody>\n",
                 web_t(r, M_CG_TITLE), web_t(r, M_CG_TITLE), web_t(r, M_CG_NAME), web_t(r, M_CG_PERIOD),
                 web_t(r, M_CG_STATE));
        for (size_t i = 0; i < n; i++) {
            const struct mon_campaign *c = &list[i];
            /* evaluators work on it; readers go to the results */
            web_html(r, "<tr><td><a href=\"/campaigns/%q%r\">%s</a></td><td>%s – %s</td><td>%s</td></tr>\n", c->id,
                     evaluator ? "" : "/report", c->name, c->period.from, c->period.to,
                     web_t(r, state_msg[c->state]));
        }
        web_html(r, "</tbody>\n</table>\n</div>\n");
    }
    if (evaluator)
        new_campaign_form(r, nerrors > 0, errors, nerrors);
    web_page_end(r);
    return 0;
}

int web_page_campaigns(struct http_req *r)
{
    return campaigns_page(r, NULL, 0);
}

int web_page_campaigns_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_EVALUATE, NULL))
        return 0;
    const char *id = NULL, *field = NULL;
    struct pc_err err = {0};
    int rc = mon_campaign_create(app_of(r)->db, web_who(r), http_kv_get(&r->form, "name"),
                                 http_kv_get(&r->form, "from"), http_kv_get(&r->form, "to"), r->remote_addr,
                                 &r->arena, &id, &field, &err);
    if (field) { /* the form again, as typed, with what is wrong */
        enum msg m = pc_str_eq(field, "name") ? M_CG_ERR_NAME : pc_str_eq(field, "from") ? M_CG_ERR_FROM : M_CG_ERR_TO;
        struct web_field_error e = {field, web_t(r, m)};
        r->status = rc == PC_ETOOBIG ? 413 : 400;
        return campaigns_page(r, &e, 1);
    }
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/campaigns/%s", id));
}

/* ---- one campaign, for evaluators ------------------------------------------- */

static void infra_links(struct http_req *r, const struct mon_campaign *c)
{
    enum pc_lang lang = web_lang_id(r);
    web_html(r, "<h2>%s</h2>\n<ul class=\"links\">\n", web_t(r, M_EV_INFRA));
    for (int k = 1; k <= MON_INFRA_COMPONENTS; k++)
        web_html(r, "<li><a href=\"/campaigns/%q/infrastructure/%d\">%d. %s</a> — %s</li>\n", c->id, k, k,
                 pc_text_get(mon_component_name(k), lang), progress(r, &c->infra.answers[MON_INFRA], MON_INFRA, k, false));
    web_html(r, "</ul>\n");
}

static void service_table(struct http_req *r, const struct mon_campaign *c)
{
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_CG_SERVICES));
    if (!c->nservices) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_CG_NO_SERVICES));
        return;
    }
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "</tr></thead>\n<tbody>\n",
             web_t(r, M_CG_SERVICES), web_t(r, M_CG_SERVICES), web_t(r, M_EV_SERVICE), web_t(r, M_CG_MODEL),
             web_t(r, M_EV_DEVELOPMENT), web_t(r, M_EV_PARTICIPATION), web_t(r, M_EV_TRANSPARENCY));
    for (size_t i = 0; i < c->nservices; i++) {
        const struct mon_campaign_subject *s = &c->services[i];
        web_html(r, "<tr><td>%s <span class=\"hint\">(%s; %s)</span></td><td>%s</td>", service_name(r, s->service),
                 s->agency, web_t(r, s->paid ? M_CG_PAID : M_CG_FREE),
                 pc_arena_printf(&r->arena, web_t(r, M_CG_MODEL_N), s->model));
        for (int k = MON_DEVELOPMENT; k < MON_CRITERION_COUNT; k++)
            web_html(r, "<td><a href=\"/campaigns/%q/services/%q/%q\">%s<span class=\"visually-hidden\"> — %s, "
                        "%s</span></a></td>",
                     c->id, s->service, mon_criterion_name((enum mon_criterion)k),
                     progress(r, &s->answers[k], (enum mon_criterion)k, 0, s->paid), service_name(r, s->service),
                     web_t(r, criterion_msg[k]));
        web_html(r, "</tr>\n");
    }
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

static void add_service_form(struct http_req *r, const struct mon_campaign *c)
{
    enum pc_lang lang = web_lang_id(r);
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/campaigns/%q/services\">\n", web_t(r, M_CG_ADD), c->id);
    web_csrf_field(r);
    web_html(r, "<div class=\"field\">\n<label for=\"service\">%s</label>\n"
                "<select class=\"input\" id=\"service\" name=\"service\">\n", web_t(r, M_EV_SERVICE));
    struct cat_filter f = {.free = -1, .limit = CAT_PAGE_MAX};
    do {
        struct cat_page page;
        struct pc_err err = {0};
        if (cat_find_services(app_of(r)->db, &r->arena, &f, &page, &err))
            break; /* the list ends; the form still works with what it has */
        for (size_t i = 0; i < page.n; i++)
            web_html(r, "<option value=\"%s\">%s — %s</option>\n", page.items[i].id,
                     pc_text_get(&page.items[i].name, lang), pc_text_get(&page.items[i].agency_name, lang));
        f.cursor = page.next;
    } while (f.cursor);
    web_html(r, "</select>\n</div>\n<div class=\"field\">\n<label for=\"model\">%s</label>\n"
                "<select class=\"input\" id=\"model\" name=\"model\">\n",
             web_t(r, M_CG_MODEL));
    for (int m = 3; m <= 5; m++)
        web_html(r, "<option value=\"%d\">%s</option>\n", m, pc_arena_printf(&r->arena, web_t(r, M_CG_MODEL_N), m));
    web_html(r, "</select>\n</div>\n<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_CG_ADD_BUTTON));
}

static void review_form(struct http_req *r, const struct mon_campaign *c)
{
    struct id_resource res = {.owner = c->created_by};
    if (!id_authorize(web_who(r), ID_ACT_REVIEW_EVALUATION, &res)) {
        web_html(r, "<p class=\"notice\">%s</p>\n", web_t(r, M_CG_OWN));
        return;
    }
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/campaigns/%q/review\">\n", web_t(r, M_CG_REVIEW), c->id);
    web_csrf_field(r);
    web_html(r, "<fieldset class=\"fieldset\">\n<legend class=\"legend\">%s</legend>\n"
                "<div class=\"choice\"><input type=\"radio\" id=\"d-agree\" name=\"decision\" value=\"agree\" required>"
                "<label for=\"d-agree\">%s</label></div>\n"
                "<div class=\"choice\"><input type=\"radio\" id=\"d-return\" name=\"decision\" value=\"return\">"
                "<label for=\"d-return\">%s</label></div>\n</fieldset>\n"
                "<div class=\"field\">\n<label for=\"comment\">%s</label>\n"
                "<textarea class=\"input textarea\" id=\"comment\" name=\"comment\" rows=\"4\" maxlength=\"%d\">"
                "</textarea>\n</div>\n<button type=\"submit\">%s</button>\n</form>\n",
             web_t(r, M_CG_REVIEW), web_t(r, M_CG_AGREE), web_t(r, M_CG_RETURN), web_t(r, M_CG_COMMENT),
             MON_EVIDENCE_NOTE_MAX, web_t(r, M_CG_REVIEW_BUTTON));
}

int web_page_campaign(struct http_req *r)
{
    if (!web_require(r, ID_ACT_EVALUATE, NULL))
        return 0;
    struct mon_campaign *c = campaign_of(r);
    if (!c)
        return 0;
    web_page_begin(r, c->name);
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", web_t(r, M_CG_TITLE), "/campaigns", c->name, NULL};
    web_page_breadcrumbs(r, crumbs, 3);
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n<dl class=\"facts\">\n<dt>%s</dt><dd>%s – %s</dd>\n"
                "<dt>%s</dt><dd>%s</dd>\n</dl>\n",
             web_t(r, M_CG_TITLE), c->name, web_t(r, M_CG_PERIOD), c->period.from, c->period.to,
             web_t(r, M_CG_STATE), web_t(r, state_msg[c->state]));
    if (http_kv_get(&r->query, "saved"))
        web_html(r, "<p class=\"notice\" role=\"status\">%s</p>\n", web_t(r, M_CG_SAVED));
    if (c->state == MON_CAMPAIGN_OPEN && c->review_comment)
        web_html(r, "<div class=\"panel\">\n<h2>%s</h2>\n<p>%s</p>\n</div>\n", web_t(r, M_CG_SENT_BACK),
                 c->review_comment);
    if (c->state == MON_CAMPAIGN_CLOSED)
        web_html(r, "<p><a href=\"/campaigns/%q/report\">%s</a></p>\n", c->id, web_t(r, M_CG_REPORT));
    infra_links(r, c);
    service_table(r, c);
    if (c->state == MON_CAMPAIGN_OPEN) {
        add_service_form(r, c);
        web_html(r, "<h2>%s</h2>\n<p>%s</p>\n<form method=\"post\" action=\"/campaigns/%q/submit\">\n",
                 web_t(r, M_CG_SUBMIT), web_t(r, M_CG_SUBMIT_LEAD), c->id);
        web_csrf_field(r);
        web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_CG_SUBMIT));
    } else if (c->state == MON_CAMPAIGN_SUBMITTED) {
        review_form(r, c);
    }
    web_page_end(r);
    return 0;
}

int web_page_campaign_service_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_EVALUATE, NULL))
        return 0;
    const char *model = http_kv_get(&r->form, "model");
    struct pc_err err = {0};
    int rc = mon_campaign_add_service(app_of(r)->db, web_who(r), http_param(r, 0), http_kv_get(&r->form, "service"),
                                      model ? atoi(model) : 0, r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/campaigns/%s", http_param(r, 0)));
}

/* ---- one question group ----------------------------------------------------- */

/* The group a page answers: an infrastructure component (k 1..7), or one
 * questionnaire of a service of the campaign. */
struct group {
    const struct mon_campaign_subject *subject;
    const char *service;             /* NULL: the infrastructure */
    enum mon_criterion criterion;
    int component;                   /* infrastructure only */
    const char *action;
};

static int group_of(struct http_req *r, const struct mon_campaign *c, struct group *g)
{
    memset(g, 0, sizeof *g);
    struct pc_err err = {0};
    const char *what = http_param(r, 1);
    if (r->nparams == 2) {
        char *end;
        long k = strtol(what, &end, 10);
        if (*end || k < 1 || k > MON_INFRA_COMPONENTS)
            return web_fail(r, pc_err_set(&err, PC_ENOTFOUND, "no infrastructure component \"%.10s\"", what), &err);
        g->subject = &c->infra;
        g->criterion = MON_INFRA;
        g->component = (int)k;
        g->action = pc_arena_printf(&r->arena, "/campaigns/%s/infrastructure/%d", c->id, g->component);
        return 1;
    }
    int crit = mon_criterion_parse(http_param(r, 2));
    for (size_t i = 0; i < c->nservices && crit > MON_INFRA; i++)
        if (strcmp(c->services[i].service, what) == 0) {
            g->subject = &c->services[i];
            g->service = c->services[i].service;
            g->criterion = (enum mon_criterion)crit;
            g->action = pc_arena_printf(&r->arena, "/campaigns/%s/services/%s/%s", c->id, g->service,
                                        mon_criterion_name(g->criterion));
            return 1;
        }
    return web_fail(r, pc_err_set(&err, PC_ENOTFOUND, "the campaign has no questionnaire %.60s/%.20s", what,
                                  http_param(r, 2)), &err);
}

static const char *answer_value(const struct mon_answer *a)
{
    return a->kind == MON_ANS_YES ? "yes" : a->kind == MON_ANS_NO ? "no" : a->kind == MON_ANS_NA ? "na" : "";
}

/* A file of evidence: the one kept (a link to it) and an input to send
 * one (replacing it); closes the question's fieldset. */
static void file_field(struct http_req *r, const char *campaign, const struct mon_question *q,
                         const struct mon_evidence *ev)
{
    web_html(r, "<div class=\"field\">\n<label for=\"file-%s\">%s</label>\n", q->id, web_t(r, M_CG_FILE));
    if (ev->file.sha256[0])
        web_html(r, "<p class=\"hint\"><a href=\"/campaigns/%q/files/%q\">%s</a> (%L KB)</p>\n", campaign,
                 ev->file.sha256, ev->file.name, (long long)(ev->file.size + 1023) / 1024);
    web_html(r, "<input class=\"input\" type=\"file\" id=\"file-%s\" name=\"file-%s\" "
                "accept=\"application/pdf,image/jpeg,image/png\">\n</div>\n</fieldset>\n",
             q->id, q->id);
}

/* One question: yes / no / not applicable, a note and a link; values from
 * the form sent back (posted) or as stored. */
static void question(struct http_req *r, const char *campaign, const struct mon_question *q,
                     const struct mon_answer *a, const struct mon_evidence *ev, bool posted)
{
    const char *val = posted ? http_kv_get(&r->form, pc_arena_printf(&r->arena, "a-%s", q->id)) : answer_value(a);
    const char *note = posted ? http_kv_get(&r->form, pc_arena_printf(&r->arena, "note-%s", q->id)) : ev->note;
    const char *link = posted ? http_kv_get(&r->form, pc_arena_printf(&r->arena, "link-%s", q->id)) : ev->link;
    static const char *const values[] = {"yes", "no", "na"};
    static const enum msg labels[] = {M_EV_ANS_YES, M_EV_ANS_NO, M_EV_ANS_NA};
    web_html(r, "<fieldset class=\"fieldset\">\n<legend class=\"legend\">%s. %s</legend>\n", q->id,
             pc_text_get(&q->text, web_lang_id(r)));
    for (int i = 0; i < 3; i++)
        web_html(r, "<div class=\"choice\"><input type=\"radio\" id=\"a-%s-%s\" name=\"a-%s\" value=\"%s\"%r>"
                    "<label for=\"a-%s-%s\">%s</label></div>\n",
                 q->id, values[i], q->id, values[i], pc_str_eq(val, values[i]) ? " checked" : "", q->id, values[i],
                 web_t(r, labels[i]));
    web_html(r, "<div class=\"field\">\n<label for=\"note-%s\">%s</label>\n<textarea class=\"input textarea\" "
                "id=\"note-%s\" name=\"note-%s\" rows=\"2\" maxlength=\"%d\">%s</textarea>\n</div>\n"
                "<div class=\"field\">\n<label for=\"link-%s\">%s</label>\n<input class=\"input\" type=\"url\" "
                "id=\"link-%s\" name=\"link-%s\" maxlength=\"%d\" value=\"%s\">\n</div>\n",
             q->id, web_t(r, M_CG_NOTE), q->id, q->id, MON_EVIDENCE_NOTE_MAX, note ? note : "", q->id,
             web_t(r, M_CG_LINK), q->id, q->id, MON_EVIDENCE_LINK_MAX, link ? link : "");
    file_field(r, campaign, q, ev);
}

static int group_page(struct http_req *r, const struct mon_campaign *c, const struct group *g,
                      const struct pc_err *problem)
{
    enum pc_lang lang = web_lang_id(r);
    const char *title = g->service ? pc_arena_printf(&r->arena, "%s — %s", web_t(r, criterion_msg[g->criterion]),
                                                     service_name(r, g->service))
                                   : pc_arena_printf(&r->arena, "%s — %d. %s", web_t(r, M_EV_INFRA), g->component,
                                                     pc_text_get(mon_component_name(g->component), lang));
    web_page_begin(r, title);
    const char *url = pc_arena_printf(&r->arena, "/campaigns/%s", c->id);
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", web_t(r, M_CG_TITLE), "/campaigns", c->name, url, title, NULL};
    web_page_breadcrumbs(r, crumbs, 4);
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n", c->name, title);
    if (problem)
        web_html(r, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\">\n<h2>%s</h2>\n"
                    "<p lang=\"en\">%s</p>\n</div>\n",
                 web_t(r, M_CG_NOT_SAVED), problem->msg);
    bool open = c->state == MON_CAMPAIGN_OPEN;
    if (!open)
        web_html(r, "<p class=\"notice\">%s</p>\n", web_t(r, state_msg[c->state]));
    else /* a form with files carries its CSRF token in the address */
        web_html(r, "<form method=\"post\" action=\"%s?%s\" enctype=\"multipart/form-data\">\n", g->action,
                 web_csrf_query(r));
    size_t n;
    const struct mon_question *q = mon_questions(g->criterion, &n);
    for (size_t i = 0; i < n; i++)
        if (asked(&q[i], g->component, g->subject->paid))
            question(r, c->id, &q[i], &g->subject->answers[g->criterion].a[i], &g->subject->evidence[g->criterion][i],
                     problem != NULL);
    if (open)
        web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_CG_SAVE));
    web_html(r, "<p><a href=\"/campaigns/%q\">%s</a></p>\n", c->id, web_t(r, M_CG_BACK));
    web_page_end(r);
    return 0;
}

/* The campaign and group of an evaluator's request, or NULL with the
 * answer written. */
static struct mon_campaign *group_request(struct http_req *r, struct group *g)
{
    if (!web_require(r, ID_ACT_EVALUATE, NULL))
        return NULL;
    struct mon_campaign *c = campaign_of(r);
    return c && group_of(r, c, g) == 1 ? c : NULL;
}

int web_page_campaign_group(struct http_req *r)
{
    struct group g;
    struct mon_campaign *c = group_request(r, &g);
    return c ? group_page(r, c, &g, NULL) : 0;
}

/* The question ids of the form: "a-ID", "note-ID", "link-ID" fields and
 * "file-ID" files (an unknown ID is the domain's to refuse), each once. */
static size_t add_question(struct mon_answer_in *out, size_t n, size_t max, const char *key)
{
    const char *id = strchr(key, '-');
    if (!id || n >= max)
        return n;
    for (size_t k = 0; k < n; k++)
        if (strcmp(out[k].question, id + 1) == 0)
            return n;
    out[n] = (struct mon_answer_in){.question = id + 1};
    return n + 1;
}

/* A file of evidence sent for a question: stored for good through cases
 * and recorded as this person's upload before an answer refers to it.
 * 0 (*f NULL: none sent), or a code with err set. */
static int posted_file(struct http_req *r, const char *question, const struct mon_evidence_file **f,
                       struct pc_err *err)
{
    *f = NULL;
    const char *field = pc_arena_printf(&r->arena, "file-%s", question);
    for (struct http_upload *u = r->uploads; u; u = u->next) {
        if (!pc_str_eq(u->field, field) || !u->filename || !*u->filename)
            continue; /* a file input left empty */
        if (u->error)
            return pc_err_set(err, u->error == PC_ETOOBIG ? PC_ETOOBIG : PC_EINVAL,
                              "question %s: the file is too big or not a PDF, JPEG or PNG", question);
        struct case_file cf;
        web_upload_file(u, &cf);
        int rc = case_upload_keep(web_upload_part(u), web_who(r)->account_id, &cf, err);
        if (rc)
            return rc;
        struct mon_evidence_file *out = pc_arena_alloc(&r->arena, sizeof *out);
        memcpy(out->sha256, cf.sha256, sizeof out->sha256);
        memcpy(out->mime, cf.mime, sizeof out->mime);
        out->name = cf.name;
        out->size = cf.size;
        *f = out;
    }
    return 0;
}

/* Every question the form answers, with its evidence. */
static int posted_answers(struct http_req *r, struct mon_answer_in *out, size_t max, size_t *n, struct pc_err *err)
{
    *n = 0;
    for (size_t i = 0; i < r->form.n; i++) {
        const char *key = r->form.items[i].key;
        if (!strncmp(key, "a-", 2) || !strncmp(key, "note-", 5) || !strncmp(key, "link-", 5))
            *n = add_question(out, *n, max, key);
    }
    for (struct http_upload *u = r->uploads; u; u = u->next)
        if (u->field && !strncmp(u->field, "file-", 5) && u->filename && *u->filename)
            *n = add_question(out, *n, max, u->field);
    for (size_t i = 0; i < *n; i++) {
        const char *q = out[i].question;
        out[i].answer = http_kv_get(&r->form, pc_arena_printf(&r->arena, "a-%s", q));
        out[i].note = http_kv_get(&r->form, pc_arena_printf(&r->arena, "note-%s", q));
        out[i].link = http_kv_get(&r->form, pc_arena_printf(&r->arena, "link-%s", q));
        int rc = posted_file(r, q, &out[i].file, err);
        if (rc)
            return rc;
    }
    return 0;
}

int web_page_campaign_group_post(struct http_req *r)
{
    struct group g;
    struct mon_campaign *c = group_request(r, &g);
    if (!c)
        return 0;
    struct mon_answer_in in[MON_MAX_QUESTIONS + 1];
    size_t n;
    struct pc_err err = {0};
    int rc = posted_answers(r, in, sizeof in / sizeof in[0], &n, &err);
    if (!rc)
        rc = mon_campaign_answer(app_of(r)->db, web_who(r), c->id, g.service, g.criterion, in, n, r->remote_addr,
                                 &err);
    if (rc == PC_EINVAL || rc == PC_ETOOBIG) { /* the form again, as typed, with what is wrong */
        r->status = rc == PC_EINVAL ? 400 : 413;
        return group_page(r, c, &g, &err);
    }
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/campaigns/%s?saved=1", c->id));
}

int web_page_campaign_submit_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_EVALUATE, NULL))
        return 0;
    struct pc_err err = {0};
    int rc = mon_campaign_submit(app_of(r)->db, web_who(r), http_param(r, 0), r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/campaigns/%s", http_param(r, 0)));
}

int web_page_campaign_review_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_EVALUATE, NULL))
        return 0;
    const char *decision = http_kv_get(&r->form, "decision");
    struct pc_err err = {0};
    if (!pc_str_eq(decision, "agree") && !pc_str_eq(decision, "return"))
        return web_fail(r, pc_err_set(&err, PC_EINVAL, "the decision is agree or return"), &err);
    int rc = mon_campaign_review(app_of(r)->db, web_who(r), http_param(r, 0), pc_str_eq(decision, "agree"),
                                 http_kv_get(&r->form, "comment"), r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/campaigns/%s", http_param(r, 0)));
}

/* ---- the results ------------------------------------------------------------ */

static void agency_name(void *ctx, const char *agency, struct pc_text *out)
{
    struct http_req *r = ctx;
    struct cat_agency g;
    struct pc_err err = {0};
    if (cat_get_agency(app_of(r)->db, &r->arena, agency, &g, &err) == 0)
        *out = g.name;
}

/* A closed campaign's results for the asker, or NULL with the answer
 * written: the whole campaign for evaluators, auditors and operators, one
 * agency's rows for its staff (*agency set), nothing for anyone else. */
static const struct mon_results *results_of(struct http_req *r, struct mon_campaign **cp, const char **agency,
                                            bool *agency_only)
{
    const struct id_principal *p = web_who(r);
    *agency = NULL;
    *agency_only = !id_authorize(p, ID_ACT_VIEW_EVALUATION, NULL);
    if (*agency_only) {
        struct id_resource own = {.agency_id = id_agency_of(p)};
        if (!web_require(r, ID_ACT_VIEW_EVALUATION, own.agency_id ? &own : NULL))
            return NULL;
        *agency = own.agency_id;
    }
    struct mon_campaign *c = campaign_of(r);
    if (!c)
        return NULL;
    struct pc_err err = {0};
    if (c->state != MON_CAMPAIGN_CLOSED) {
        web_fail(r, pc_err_set(&err, PC_ENOTFOUND, "campaign %s has no results until it is reviewed", c->id), &err);
        return NULL;
    }
    struct mon_results *res = pc_arena_alloc(&r->arena, sizeof *res);
    int rc = mon_campaign_results(&r->arena, c, res, &err);
    if (rc) {
        web_fail(r, rc, &err);
        return NULL;
    }
    *cp = c;
    return res;
}

int web_page_campaign_report(struct http_req *r)
{
    const char *agency;
    bool agency_only;
    struct mon_campaign *c;
    const struct mon_results *res = results_of(r, &c, &agency, &agency_only);
    if (!res)
        return 0;
    if (!agency_only) {
        agency = http_kv_get(&r->query, "agency");
        agency = agency && *agency ? agency : NULL;
    }
    struct mon_published *shown = pc_arena_alloc(&r->arena, sizeof *shown);
    mon_campaign_published(&r->arena, c, res, agency_name, r, shown);
    return web_evaluation_report(r, shown, agency, agency_only, web_t(r, M_CG_TITLE), "/campaigns",
                                 pc_arena_printf(&r->arena, "/campaigns/%s/report", c->id),
                                 pc_arena_printf(&r->arena, "/campaigns/%s", c->id));
}

/* The engine's results as `pencere eval campaign` writes them: per
 * service, per agency and overall. */
static int download(struct http_req *r, bool csv)
{
    const char *agency;
    bool agency_only;
    struct mon_campaign *c;
    const struct mon_results *res = results_of(r, &c, &agency, &agency_only);
    if (!res)
        return 0;
    if (agency_only) { /* the file holds every agency's figures */
        struct pc_err err = {0};
        return web_fail(r, pc_err_set(&err, PC_EDENIED, "the downloads hold every agency's results"), &err);
    }
    r->status = 200;
    r->content_type = csv ? "text/csv; charset=utf-8" : "application/json";
    if (csv)
        mon_results_csv(res, &r->out);
    else
        mon_results_json(res, &r->out);
    http_set_header(r, "Content-Disposition", pc_arena_printf(&r->arena, "attachment; filename=\"campaign-%s.%s\"",
                                                              c->id, csv ? "csv" : "json"));
    return 0;
}

int web_page_campaign_csv(struct http_req *r)
{
    return download(r, true);
}

int web_page_campaign_json(struct http_req *r)
{
    return download(r, false);
}

/* A file of evidence: to those who read the whole campaign, when one of
 * its answers refers to it. */
int web_page_campaign_file(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_EVALUATION, NULL))
        return 0;
    struct mon_evidence_file f;
    struct pc_err err = {0};
    struct case_file_reader *rd = NULL;
    struct case_file info;
    int rc = mon_campaign_file(app_of(r)->db, &r->arena, http_param(r, 0), http_param(r, 1), &f, &err);
    if (!rc)
        rc = case_file_open_stored(app_of(r)->files, f.sha256, &rd, &info, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_send_stored_file(r, rd, &info);
}

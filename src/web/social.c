/* social.c — social assistance (VEMTAS) in the office and the API: the
 * evidence from the registries with its source and time, the differences
 * from the declaration, the means test's proposal line by line with its
 * rules, the officer's "accept" or "change" (with a reason, audited) and
 * "fetch again"; the running grant's acts, each decision sealed by the
 * centre before the act when the portal has one (seal2), and the sealed
 * decisions listed for the officer and the applicant.  Everything is
 * decided in src/social; this renders it.
 * Only staff who may act on the case see it (the applicant's API answer
 * does not carry it); the applicant's page shows only the sealed
 * decisions (web_social_sealed). */
#include "internal.h"
#include "../pay/pay.h"
#include "../social/social.h"

#include <string.h>

static const enum msg line_msgs[SOCIAL_LINE_KIND_COUNT] = {
    [SOCIAL_LINE_WAGES] = M_SOC_LINE_WAGES,       [SOCIAL_LINE_PENSION] = M_SOC_LINE_PENSION,
    [SOCIAL_LINE_BENEFITS] = M_SOC_LINE_BENEFITS, [SOCIAL_LINE_NOT_COUNTED] = M_SOC_LINE_NOT_COUNTED,
    [SOCIAL_LINE_INCOME] = M_SOC_LINE_INCOME,     [SOCIAL_LINE_MEMBERS] = M_SOC_LINE_MEMBERS,
    [SOCIAL_LINE_PER_PERSON] = M_SOC_LINE_PER_PERSON, [SOCIAL_LINE_CRITERION] = M_SOC_LINE_CRITERION,
    [SOCIAL_LINE_DWELLINGS] = M_SOC_LINE_DWELLINGS, [SOCIAL_LINE_VEHICLES] = M_SOC_LINE_VEHICLES,
    [SOCIAL_LINE_ABOVE_CRITERION] = M_SOC_LINE_ABOVE, [SOCIAL_LINE_AMOUNT] = M_SOC_LINE_AMOUNT,
    [SOCIAL_LINE_CAPPED] = M_SOC_LINE_CAPPED,     [SOCIAL_LINE_PERIOD] = M_SOC_LINE_PERIOD,
    [SOCIAL_LINE_BUSINESS] = M_SOC_LINE_BUSINESS,
};

static const enum msg flag_msgs[SOCIAL_FLAG_COUNT] = {
    [SOCIAL_FLAG_NOT_IN_REGISTER] = M_SOC_FLAG_NOT_IN_REGISTER, [SOCIAL_FLAG_NOT_DECLARED] = M_SOC_FLAG_NOT_DECLARED,
    [SOCIAL_FLAG_NOT_FAMILY] = M_SOC_FLAG_NOT_FAMILY,           [SOCIAL_FLAG_BIRTH_DATE] = M_SOC_FLAG_BIRTH_DATE,
    [SOCIAL_FLAG_INCOME] = M_SOC_FLAG_INCOME,                   [SOCIAL_FLAG_DECEASED] = M_SOC_FLAG_DECEASED,
    [SOCIAL_FLAG_NO_FIN] = M_SOC_FLAG_NO_FIN,                   [SOCIAL_FLAG_ENTREPRENEUR] = M_SOC_FLAG_ENTREPRENEUR,
};

/* Whether who may act on the case: its agency's officers. */
static bool staff_of(struct http_req *r, const struct case_app *app)
{
    struct id_resource res = {.agency_id = app->agency_id};
    return web_who(r) && id_authorize(web_who(r), ID_ACT_ACT_ON_CASE, &res);
}

static const char *azn(struct http_req *r, int64_t q)
{
    char out[32];
    pay_azn_format(q, out);
    return pc_arena_strdup(&r->arena, out);
}

static const char *when(struct http_req *r, int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    return pc_arena_printf(&r->arena, "%.10s %.5s UTC", ts, ts + 11);
}

int web_social_api(struct http_req *r, const struct case_app *app, json_t *j)
{
    if (!pc_str_eq(app->service_id, SOCIAL_SERVICE) || !staff_of(r, app))
        return 0;
    struct social_case c;
    struct pc_err err = {0};
    int rc = social_case_get(app_of(r)->db, &r->arena, app, &c, &err);
    if (rc == PC_ENOTFOUND) {
        /* submitted a moment ago: not taken by the job yet */
        json_object_set_new(j, "evidence", json_array());
        json_object_set_new(j, "evidence_status", json_pack("{s:s}", "state", social_state_name(SOCIAL_PENDING)));
        return 0;
    }
    if (rc) {
        web_fail(r, rc, &err);
        return 1;
    }
    social_case_json(&c, j);
    return 0;
}

/* A table's opening with its column heads, in a region that scrolls
 * sideways on a narrow phone (not the page); table_end closes both. */
static void table_head(struct http_req *r, enum msg label, const enum msg *cols, size_t n)
{
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                "<table class=\"table\">\n<thead><tr>", web_t(r, label));
    for (size_t i = 0; i < n; i++)
        web_html(r, "<th scope=\"col\">%s</th>", web_t(r, cols[i]));
    web_html(r, "</tr></thead>\n<tbody>\n");
}

static void table_end(struct http_req *r)
{
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

static void evidence_table(struct http_req *r, const struct social_case *c)
{
    web_html(r, "<h2 id=\"social-evidence\">%s</h2>\n", web_t(r, M_SOC_EVIDENCE_TITLE));
    if (c->state == SOCIAL_PENDING)
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n", web_t(r, M_SOC_PENDING));
    else if (c->state == SOCIAL_WAITING)
        web_html(r, "<div class=\"notice warning\" role=\"status\"><p>%s</p></div>\n",
                 pc_arena_printf(&r->arena, web_t(r, M_SOC_WAITING), c->waiting_for,
                                 pc_arena_printf(&r->arena, "%d", c->attempts), when(r, c->next_try_at)));
    if (c->nitems) {
        static const enum msg cols[] = {M_SOC_COL_PERSON, M_SOC_COL_SOURCE, M_SOC_COL_FETCHED, M_SOC_COL_RESULT};
        table_head(r, M_SOC_EVIDENCE_TITLE, cols, 4);
        for (size_t i = 0; i < c->nitems; i++) {
            const struct social_item *it = &c->items[i];
            web_html(r, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s", it->person, it->source,
                     when(r, it->fetched_at), web_t(r, it->found ? M_SOC_FOUND : M_SOC_NOT_FOUND));
            if (it->found)
                web_html(r, "<details><summary>%s</summary><pre class=\"data\">%s</pre></details>", web_t(r, M_SOC_DATA),
                         it->data);
            web_html(r, "</td></tr>\n");
        }
        table_end(r);
    }
    web_html(r, "<form method=\"post\" action=\"/office/cases/%s/social/refetch\">\n", c->reference);
    web_csrf_field(r);
    web_html(r, "<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n", web_t(r, M_SOC_REFETCH));
}

static void differences(struct http_req *r, const struct social_case *c)
{
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_SOC_DIFF_TITLE));
    if (!c->ndiffs) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_SOC_DIFF_NONE));
        return;
    }
    static const enum msg cols[] = {M_SOC_COL_PERSON, M_SOC_COL_DIFF, M_SOC_COL_DECLARED, M_SOC_COL_REGISTRY};
    table_head(r, M_SOC_DIFF_TITLE, cols, 4);
    for (size_t i = 0; i < c->ndiffs; i++) {
        const struct social_difference *d = &c->diffs[i];
        web_html(r, "<tr><td>%s</td><td><strong>%s</strong></td><td>%s</td><td>%s</td></tr>\n",
                 d->person ? d->person : "", web_t(r, flag_msgs[d->flag]), d->declared ? d->declared : "",
                 d->registry ? d->registry : "");
    }
    table_end(r);
}

static bool is_count(enum social_line_kind k)
{
    return k == SOCIAL_LINE_MEMBERS || k == SOCIAL_LINE_PERIOD || k == SOCIAL_LINE_DWELLINGS ||
           k == SOCIAL_LINE_VEHICLES;
}

static void decide_form(struct http_req *r, const struct social_case *c, const char *error)
{
    web_html(r, "<h3>%s</h3>\n<form method=\"post\" action=\"/office/cases/%s/social/proposal\" novalidate>\n",
             web_t(r, M_SOC_DECIDE_TITLE), c->reference);
    web_csrf_field(r);
    if (error)
        web_html(r, "<p class=\"error-message\" id=\"social-error\">%s</p>\n", error);
    web_html(r, "<fieldset class=\"field\"><legend>%s</legend>\n"
                "<div class=\"choice\"><input type=\"radio\" id=\"social-yes\" name=\"eligible\" value=\"yes\"%r>"
                "<label for=\"social-yes\">%s</label></div>\n"
                "<div class=\"choice\"><input type=\"radio\" id=\"social-no\" name=\"eligible\" value=\"no\"%r>"
                "<label for=\"social-no\">%s</label></div>\n</fieldset>\n",
             web_t(r, M_SOC_CHANGE), c->means.eligible ? " checked" : "", web_t(r, M_SOC_ELIGIBLE),
             c->means.eligible ? "" : " checked", web_t(r, M_SOC_NOT_ELIGIBLE));
    web_html(r, "<div class=\"field\"><label for=\"social-amount\">%s</label>\n<p class=\"hint\" id=\"social-amount-hint\">"
                "%s</p>\n<input class=\"input\" id=\"social-amount\" name=\"amount\" inputmode=\"decimal\" "
                "aria-describedby=\"social-amount-hint\" value=\"%s\"></div>\n",
             web_t(r, M_SOC_AMOUNT), web_t(r, M_SOC_AMOUNT_HINT), azn(r, c->means.amount));
    web_html(r, "<div class=\"field\"><label for=\"social-reason\">%s</label>\n<p class=\"hint\" id=\"social-reason-hint\">"
                "%s</p>\n<textarea class=\"input textarea\" id=\"social-reason\" name=\"reason\" rows=\"3\" "
                "maxlength=\"1000\" aria-describedby=\"social-reason-hint%r\"></textarea></div>\n",
             web_t(r, M_SOC_REASON), web_t(r, M_SOC_REASON_HINT), error ? " social-error" : "");
    web_html(r, "<div class=\"button-row\"><button type=\"submit\" name=\"do\" value=\"accept\">%s</button>\n"
                "<button type=\"submit\" name=\"do\" value=\"change\" class=\"secondary\">%s</button></div>\n</form>\n",
             web_t(r, M_SOC_ACCEPT), web_t(r, M_SOC_CHANGE));
}

static void proposal(struct http_req *r, const struct social_case *c, bool decided, const char *error)
{
    web_html(r, "<h2 id=\"social-means\">%s</h2>\n", web_t(r, M_SOC_MEANS_TITLE));
    if (!c->computed) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_SOC_MEANS_NONE));
        return;
    }
    const struct social_means *m = &c->means;
    web_html(r, "<p>%s</p>\n",
             pc_arena_printf(&r->arena, web_t(r, M_SOC_PARAMS), pc_arena_printf(&r->arena, "%d", c->params.version),
                             c->params.demo ? web_t(r, M_SOC_DEMO) : c->params.legal_ref));
    static const enum msg cols[] = {M_SOC_COL_LINE, M_SOC_COL_PERSON, M_SOC_COL_VALUE, M_SOC_COL_RULE};
    table_head(r, M_SOC_MEANS_TITLE, cols, 4);
    for (size_t i = 0; i < m->nlines; i++) {
        const struct social_line *l = &m->lines[i];
        web_html(r, "<tr><td>%s</td><td>%s</td><td class=\"num\">%s</td><td>%s</td></tr>\n", web_t(r, line_msgs[l->kind]),
                 l->fin ? l->fin : "",
                 is_count(l->kind) ? pc_arena_printf(&r->arena, "%lld", (long long)l->value) : azn(r, l->value),
                 c->params.refs[l->rule]);
    }
    table_end(r);
    const struct social_override *o = &c->override;
    bool eligible = o->set ? o->eligible : m->eligible;
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd><strong>%s</strong></dd>\n<dt>%s</dt><dd>%s</dd>\n"
                "<dt>%s</dt><dd>%d</dd>\n</dl>\n",
             web_t(r, M_APP_DECISION), web_t(r, eligible ? M_SOC_ELIGIBLE : M_SOC_NOT_ELIGIBLE),
             web_t(r, M_SOC_AMOUNT), azn(r, o->set ? o->amount : m->amount), web_t(r, M_SOC_MONTHS),
             eligible ? c->params.months : 0);
    if (o->set)
        web_html(r, "<p>%s</p>\n", pc_arena_printf(&r->arena, web_t(r, M_SOC_OVERRIDDEN), o->reason));
    if (!decided)
        decide_form(r, c, error);
}

static void payments(struct http_req *r, const struct social_case *c)
{
    if (!c->npayments)
        return;
    bool rejected = false;
    for (size_t i = 0; i < c->npayments; i++)
        rejected |= c->payments[i].status == SOCIAL_PAY_REJECTED;
    web_html(r, "<h2 id=\"social-payments\">%s</h2>\n", web_t(r, M_SOC_PAY_TITLE));
    if (rejected)
        web_html(r, "<div class=\"notice warning\" role=\"status\"><p>%s</p></div>\n", web_t(r, M_SOC_PAY_REJECTED_NOTICE));
    const struct social_suspension *su = &c->suspension;
    if (su->kind)
        web_html(r, "<div class=\"notice warning\" role=\"status\"><p>%s</p></div>\n",
                 pc_arena_printf(&r->arena,
                                 web_t(r, su->kind == SOCIAL_CHANGE_DEATH ? M_SOC_SUSPENDED_DEATH : M_SOC_SUSPENDED_EMPLOYMENT),
                                 su->fin, su->since));
    static const enum msg cols[] = {M_SOC_COL_MONTH, M_SOC_AMOUNT, M_SOC_COL_STATUS};
    table_head(r, M_SOC_PAY_TITLE, cols, 3);
    static const enum msg status_msgs[SOCIAL_PAY_STATUS_COUNT] = {M_SOC_PAY_SCHEDULED, M_SOC_PAY_ORDERED, M_SOC_PAY_PAID,
                                                                  M_SOC_PAY_REJECTED, M_SOC_PAY_SUSPENDED,
                                                                  M_SOC_PAY_SKIPPED,   M_SOC_PAY_CANCELLED};
    for (size_t i = 0; i < c->npayments; i++) {
        const struct social_payment *p = &c->payments[i];
        const char *status = p->status == SOCIAL_PAY_REJECTED
                                 ? pc_arena_printf(&r->arena, web_t(r, M_SOC_PAY_REJECTED), p->reason ? p->reason : "")
                                 : web_t(r, status_msgs[p->status]);
        if (p->pay_month)
            status = pc_arena_printf(&r->arena, "%s — %s", status,
                                     pc_arena_printf(&r->arena, web_t(r, M_SOC_PAY_ARREARS), p->pay_month));
        web_html(r, "<tr><td>%s</td><td class=\"num\">%s</td><td>%r%s%r</td></tr>\n", p->month, azn(r, p->amount),
                 p->status == SOCIAL_PAY_REJECTED ? "<strong>" : "", status,
                 p->status == SOCIAL_PAY_REJECTED ? "</strong>" : "");
    }
    table_end(r);
}

/* The running grant: its figures, and the officer's acts on it — lift a
 * suspension or end it; extend or end it under re-assessment. */
#define SEALED_MAX 24 /* later decisions listed (the newest are the last) */

/* A sealed later decision's name: "Extension 2", "Resumption 1", "Ending". */
static const char *sealed_label(struct http_req *r, const char *kind)
{
    static const struct {
        const char *prefix;
        enum msg label;
    } labels[] = {{"grant-extended-", M_SOC_SEALED_EXTENDED}, {"grant-resumed-", M_SOC_SEALED_RESUMED}};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strncmp(kind, labels[i].prefix, strlen(labels[i].prefix)) == 0)
            return pc_arena_printf(&r->arena, web_t(r, labels[i].label), kind + strlen(labels[i].prefix));
    return web_t(r, M_SOC_SEALED_ENDED);
}

/* seal2: the grant's sealed later decisions, each with its signature, under
 * base, headed at level (2 on the applicant's page, 3 in the grant's section). */
static void sealed_list(struct http_req *r, const char *reference, const struct social_grant *g, const char *base,
                        int level)
{
    const char *kinds[SEALED_MAX];
    size_t n = social_grant_kinds(&r->arena, g, kinds, SEALED_MAX);
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        struct pki_sealed_doc d;
        struct pc_err err = {0};
        int rc = pki_doc_get(app_of(r)->db, &r->arena, reference, kinds[i], &d, &err);
        if (rc) { /* none (not sealed: no centre then): not listed; the page goes on without a failed one */
            if (rc != PC_ENOTFOUND)
                pc_log(PC_LOG_WARN, "web.social_sealed_failed", "msg", err.msg, NULL);
            continue;
        }
        if (!any)
            web_html(r, "<h%d id=\"social-sealed\">%s</h%d>\n<p>%s</p>\n<ul>\n", level, web_t(r, M_SOC_SEALED_TITLE),
                     level, web_t(r, M_SOC_SEALED_HINT));
        any = true;
        const char *what = sealed_label(r, kinds[i]);
        /* each link names its decision to a screen reader too (the visible words repeat) */
        web_html(r, "<li>%s (%s): <a href=\"%s/%s-document\" download=\"%s-%s.txt\">%s"
                    "<span class=\"visually-hidden\"> — %s</span></a>, <a href=\"%s/%s-signature\" "
                    "download=\"%s-%s.txt.p7s\">%s<span class=\"visually-hidden\"> — %s</span></a></li>\n",
                 what, when(r, d.created_at), base, kinds[i], reference, kinds[i], web_t(r, M_APPEAL_OUTCOME_DOC),
                 what, base, kinds[i], reference, kinds[i], web_t(r, M_APPEAL_OUTCOME_SIG), what);
    }
    if (any)
        web_html(r, "</ul>\n<p>%s <a href=\"/verify\">%s</a></p>\n", web_t(r, M_RESULT_HOW_VERIFY),
                 web_t(r, M_VERIFY_TITLE));
}

void web_social_sealed(struct http_req *r, const struct case_app *app, const char *base)
{
    if (!pc_str_eq(app->service_id, SOCIAL_SERVICE) || !app->reference)
        return;
    struct social_case c;
    struct pc_err err = {0};
    int rc = social_case_get(app_of(r)->db, &r->arena, app, &c, &err);
    if (rc && rc != PC_ENOTFOUND) /* the page goes on without it */
        pc_log(PC_LOG_WARN, "web.social_sealed_failed", "msg", err.msg, NULL);
    if (!rc)
        sealed_list(r, app->reference, &c.grant, base, 2);
}

static void grant(struct http_req *r, const struct social_case *c, const char *error)
{
    const struct social_grant *g = &c->grant;
    if (!g->set)
        return;
    web_html(r, "<h2 id=\"social-grant\">%s</h2>\n<p>%s</p>\n", web_t(r, M_SOC_GRANT_TITLE),
             pc_arena_printf(&r->arena, web_t(r, M_SOC_GRANT_RUNNING), azn(r, g->amount), g->first_month, g->last_month,
                             pc_arena_printf(&r->arena, "%d", g->months)));
    sealed_list(r, c->reference, g, pc_arena_printf(&r->arena, "/office/cases/%s/decision", c->reference), 3);
    if (g->ended_at) {
        web_html(r, "<p><strong>%s</strong></p>\n", web_t(r, M_SOC_GRANT_ENDED));
        return;
    }
    bool suspended = c->suspension.kind != SOCIAL_CHANGE_NONE;
    if (!suspended && !g->reassess_at)
        return;
    web_html(r, "<div class=\"notice%r\" role=\"status\"><p>%s</p></div>\n", suspended ? " warning" : "",
             web_t(r, suspended ? M_SOC_RESUME_HINT : M_SOC_REASSESSING));
    web_html(r, "<form method=\"post\" action=\"/office/cases/%s/social/grant\" novalidate>\n", c->reference);
    web_csrf_field(r);
    if (error)
        web_html(r, "<p class=\"error-message\" id=\"grant-error\">%s</p>\n", error);
    web_html(r, "<div class=\"field\"><label for=\"grant-reason\">%s</label>\n<textarea class=\"input textarea\" "
                "id=\"grant-reason\" name=\"reason\" rows=\"3\" maxlength=\"1000\"%r></textarea></div>\n",
             web_t(r, M_SOC_REASON), error ? " aria-describedby=\"grant-error\"" : "");
    web_html(r, "<div class=\"button-row\"><button type=\"submit\" name=\"do\" value=\"%s\">%s</button>\n"
                "<button type=\"submit\" name=\"do\" value=\"end\" class=\"secondary\">%s</button></div>\n</form>\n",
             suspended ? "resume" : "extend", web_t(r, suspended ? M_SOC_RESUME : M_SOC_EXTEND), web_t(r, M_SOC_END));
}

/* The section of the officer's case page; nothing for another service. */
int web_social_section(struct http_req *r, const struct case_app *app, const char *error)
{
    if (!pc_str_eq(app->service_id, SOCIAL_SERVICE))
        return 0;
    struct social_case c;
    struct pc_err err = {0};
    int rc = social_case_get(app_of(r)->db, &r->arena, app, &c, &err);
    if (rc == PC_ENOTFOUND) {
        web_html(r, "<h2 id=\"social-evidence\">%s</h2>\n<div class=\"notice\" role=\"status\"><p>%s</p></div>\n",
                 web_t(r, M_SOC_EVIDENCE_TITLE), web_t(r, M_SOC_PENDING));
        return 0;
    }
    if (rc)
        return rc;
    grant(r, &c, c.grant.set ? error : NULL);
    payments(r, &c);
    evidence_table(r, &c);
    differences(r, &c);
    proposal(r, &c, case_state_decided(app->status), error);
    return 0;
}

/* seal2: an extension, a resumption or an ending sealed by the centre before the act
 * (no network call inside its transaction) when the portal has one. */
static int grant_act(struct http_req *r, const struct case_app *app, enum social_grant_act act, const char *reason,
                     int64_t now, struct pc_err *err)
{
    struct db *db = app_of(r)->db;
    const char *actor = web_who(r)->account_id;
    struct pki_sealed_doc sealed, *s = NULL;
    if (app_of(r)->ca) {
        struct social_grant_doc doc;
        int rc = social_grant_document(db, &r->arena, app->reference, act, reason, now, &doc, err);
        if (!rc)
            rc = web_seal_text(r, app, doc.kind, doc.text, now, &sealed, err);
        if (rc)
            return rc;
        s = &sealed;
    }
    switch (act) {
    case SOCIAL_GRANT_EXTEND: return social_extend(db, actor, app->reference, reason, now, s, err);
    case SOCIAL_GRANT_RESUME: return social_resume(db, actor, app->reference, reason, now, s, err);
    case SOCIAL_GRANT_END: break;
    }
    return social_end(db, actor, app->reference, reason, now, s, err);
}

/* POST do=resume | extend | end with a reason (vemtas2). */
int web_page_office_social_grant(struct http_req *r)
{
    struct case_app app;
    if (web_office_case(r, &app))
        return 0;
    const char *act = http_kv_get(&r->form, "do"), *reason = http_kv_get(&r->form, "reason");
    struct pc_err err = {0};
    int64_t now = pc_now_unix();
    int rc = pc_str_eq(act, "resume")   ? grant_act(r, &app, SOCIAL_GRANT_RESUME, reason, now, &err)
             : pc_str_eq(act, "extend") ? grant_act(r, &app, SOCIAL_GRANT_EXTEND, reason, now, &err)
             : pc_str_eq(act, "end")    ? grant_act(r, &app, SOCIAL_GRANT_END, reason, now, &err)
                                        : pc_err_set(&err, PC_EINVAL, "do is resume, extend or end");
    if (rc == PC_EINVAL) {
        r->status = 400;
        return web_office_case_page(r, NULL, web_t(r, M_SOC_GRANT_NO_REASON));
    }
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/office/cases/%s?done=1#social-grant", app.reference));
}

int web_page_office_social_refetch(struct http_req *r)
{
    struct case_app app;
    if (web_office_case(r, &app))
        return 0;
    struct pc_err err = {0};
    int rc = social_refetch(app_of(r)->db, web_who(r)->account_id, app.reference, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/office/cases/%s?done=1#social-evidence", app.reference));
}

int web_page_office_social_proposal(struct http_req *r)
{
    struct case_app app;
    if (web_office_case(r, &app))
        return 0;
    struct social_case c;
    struct pc_err err = {0};
    int rc = social_case_get(app_of(r)->db, &r->arena, &app, &c, &err);
    if (rc)
        return web_fail(r, rc, &err);
    if (!c.computed)
        return web_fail(r, pc_err_set(&err, PC_ECONFLICT, "no proposal to accept yet"), &err);
    bool accept = pc_str_eq(http_kv_get(&r->form, "do"), "accept");
    const char *reason = http_kv_get(&r->form, "reason");
    bool eligible = c.means.eligible;
    int64_t amount = c.means.amount;
    if (accept) {
        if (!reason || !*reason)
            reason = "Təklif qəbul edildi / accepted as proposed";
    } else {
        eligible = pc_str_eq(http_kv_get(&r->form, "eligible"), "yes");
        if (pay_azn_parse(http_kv_get(&r->form, "amount"), &amount))
            amount = -1;
    }
    rc = social_override_set(app_of(r)->db, web_who(r)->account_id, app.reference, eligible, amount, reason, &err);
    if (rc == PC_EINVAL) {
        r->status = 400;
        return web_office_case_page(r, NULL, web_t(r, M_SOC_BAD_CHANGE));
    }
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/office/cases/%s?done=1#social-means", app.reference));
}

/* case_view.c — what the application pages share (apply.c, office.c,
 * api_cases.c): the request's snapshot of the forms, the words for the
 * typed values cases hands over (a state, a step, an answer issue: one
 * table each, a message for every value), the list of answers ("check
 * your answers", a case's page) and a case's history. */
#include "internal.h"
#include "../cases/cases.h"

#include <string.h>

static const enum msg state_msgs[CS_COUNT] = {
    [CS_DRAFT] = M_ST_DRAFT, [CS_SUBMITTED] = M_ST_SUBMITTED, [CS_REGISTERED] = M_ST_REGISTERED,
    [CS_IN_REVIEW] = M_ST_IN_REVIEW, [CS_INFO_REQUESTED] = M_ST_INFO_REQUESTED,
    [CS_CITIZEN_RESPONDED] = M_ST_CITIZEN_RESPONDED, [CS_APPROVED] = M_ST_APPROVED, [CS_REFUSED] = M_ST_REFUSED,
    [CS_DELIVERED] = M_ST_DELIVERED, [CS_CANCELLED] = M_ST_CANCELLED, [CS_APPEALED] = M_ST_APPEALED,
};

static const enum msg step_msgs[CASE_STEP_COUNT] = {
    [CASE_STEP_ASSIGN_TO_ME] = M_ACT_ASSIGN_TO_ME, [CASE_STEP_REGISTER] = M_ACT_REGISTER,
    [CASE_STEP_START_REVIEW] = M_ACT_START_REVIEW, [CASE_STEP_REQUEST_INFO] = M_ACT_REQUEST_INFO,
    [CASE_STEP_RESPOND] = M_ACT_RESPOND, [CASE_STEP_APPROVE] = M_ACT_APPROVE, [CASE_STEP_REFUSE] = M_ACT_REFUSE,
    [CASE_STEP_DELIVER] = M_ACT_DELIVER, [CASE_STEP_CANCEL] = M_ACT_CANCEL, [CASE_STEP_APPEAL] = M_ACT_APPEAL,
    [CASE_STEP_UPHOLD_REFUSAL] = M_ACT_UPHOLD_REFUSAL, [CASE_STEP_GRANT_APPEAL] = M_ACT_GRANT_APPEAL,
};

/* A message per issue; those with a limit take it as their %lld. */
static const enum msg issue_msgs[FORM_ISSUE_COUNT] = {
    [FORM_ISSUE_REQUIRED] = M_IS_REQUIRED, [FORM_ISSUE_TOO_SHORT] = M_IS_TOO_SHORT,
    [FORM_ISSUE_TOO_LONG] = M_IS_TOO_LONG, [FORM_ISSUE_NOT_A_NUMBER] = M_IS_NUMBER,
    [FORM_ISSUE_NOT_AN_INTEGER] = M_IS_INTEGER, [FORM_ISSUE_BELOW_MIN] = M_IS_MIN,
    [FORM_ISSUE_ABOVE_MAX] = M_IS_MAX, [FORM_ISSUE_BAD_DATE] = M_IS_DATE,
    [FORM_ISSUE_DATE_TOO_EARLY] = M_IS_DATE_EARLY, [FORM_ISSUE_DATE_TOO_LATE] = M_IS_DATE_LATE,
    [FORM_ISSUE_BAD_CHOICE] = M_IS_CHOICE, [FORM_ISSUE_BAD_FIN] = M_IS_FIN, [FORM_ISSUE_BAD_VOEN] = M_IS_VOEN,
    [FORM_ISSUE_BAD_PHONE] = M_IS_PHONE, [FORM_ISSUE_BAD_EMAIL] = M_IS_EMAIL,
    [FORM_ISSUE_TOO_MANY_ITEMS] = M_IS_ITEMS_MAX, [FORM_ISSUE_TOO_FEW_ITEMS] = M_IS_ITEMS_MIN,
    [FORM_ISSUE_FILE_TOO_BIG] = M_IS_FILE_BIG, [FORM_ISSUE_FILE_TYPE] = M_IS_FILE_TYPE,
    [FORM_ISSUE_BAD_FILE] = M_IS_BAD_FILE, [FORM_ISSUE_UNKNOWN_FILE] = M_IS_BAD_FILE,
    [FORM_ISSUE_UNKNOWN_QUESTION] = M_IS_UNKNOWN_QUESTION, [FORM_ISSUE_NOT_APPLICABLE] = M_IS_NOT_APPLICABLE,
    [FORM_ISSUE_NOT_A_LIST] = M_IS_NOT_A_LIST, [FORM_ISSUE_NOT_AN_OBJECT] = M_IS_NOT_AN_OBJECT,
    [FORM_ISSUE_NOT_TEXT] = M_IS_NOT_TEXT, [FORM_ISSUE_BAD_TEXT] = M_IS_BAD_TEXT,
};

enum msg web_state_msg(enum case_state s)
{
    return state_msgs[(unsigned)s < CS_COUNT ? s : CS_DRAFT];
}

enum msg web_step_msg(enum case_step s)
{
    return step_msgs[(unsigned)s < CASE_STEP_COUNT ? s : CASE_STEP_REGISTER];
}

enum msg web_issue_msg(enum form_issue_code c)
{
    return issue_msgs[(unsigned)c < FORM_ISSUE_COUNT ? c : FORM_ISSUE_BAD_TEXT];
}

const char *web_state_label(struct http_req *r, enum case_state s)
{
    return web_t(r, web_state_msg(s));
}

const char *web_issue_text(struct http_req *r, const struct form_issue *i)
{
    return pc_arena_printf(&r->arena, web_t(r, web_issue_msg(i->code)), i->limit);
}

static void release_forms(void *set)
{
    form_set_release(set);
}

const struct form_set *web_forms(struct http_req *r)
{
    /* one snapshot for the whole request: a form and its pages must not
     * come from two versions of the forms */
    struct web_ctx *c = web_ctx(r);
    if (!c->forms) {
        c->forms = form_set_acquire(app_of(r)->forms);
        pc_arena_defer(&r->arena, release_forms, (void *)c->forms);
    }
    return c->forms;
}

/* ---- a case's answers and history ------------------------------------------------ */

static void file_html(struct http_req *r, const struct case_file *f, const char *file_base)
{
    if (file_base)
        web_html(r, "<a href=\"%s/files/%s\" download>%s</a>", file_base, f->sha256, f->name ? f->name : f->sha256);
    else
        web_html(r, "%s", f->name ? f->name : "—");
}

/* One answer as the summary shows it: a choice by its labels, a group as
 * a list of its items, a file by its name (a link when file_base). */
static void answer_html(struct http_req *r, const struct form_answers *a, const struct form_question *q,
                        const struct form_question *group, size_t item, const char *file_base)
{
    struct form_value v;
    form_value_of(a, q, group, item, &r->arena, &v);
    if (!v.given) {
        web_html(r, "—");
        return;
    }
    switch (q->type) {
    case FORM_CHOICE: {
        const char *sep = "";
        for (size_t i = 0; i < q->noptions; i++)
            if (v.chosen & ((uint64_t)1 << i)) {
                web_html(r, "%s%s", sep, pc_text_get(&q->options[i].label, web_lang_id(r)));
                sep = ", ";
            }
        return;
    }
    case FORM_GROUP:
        web_html(r, "<ol class=\"items\">");
        for (size_t i = 0; i < v.items; i++) {
            web_html(r, "<li>");
            const char *sep = "";
            for (size_t k = 0; k < q->nquestions; k++) {
                struct form_value iv;
                form_value_of(a, &q->questions[k], q, i, &r->arena, &iv);
                if (!iv.given)
                    continue;
                web_html(r, "%s", sep);
                answer_html(r, a, &q->questions[k], q, i, NULL);
                sep = "; ";
            }
            web_html(r, "</li>");
        }
        web_html(r, "</ol>");
        return;
    case FORM_FILE:
        if (v.file)
            file_html(r, v.file, file_base);
        else
            web_html(r, "—");
        return;
    default:
        web_html(r, "%s", v.text ? v.text : "—");
        return;
    }
}

void web_answers_list(struct http_req *r, const struct form_def *def, const struct form_answers *answers,
                      const char *change_base, const char *file_base)
{
    web_html(r, "<dl class=\"facts summary\">\n");
    for (size_t i = 0; i < def->npages; i++) {
        const struct form_page *p = &def->pages[i];
        if (!form_page_visible(p, answers))
            continue;
        for (size_t k = 0; k < p->nquestions; k++) {
            const struct form_question *q = &p->questions[k];
            const char *label = pc_text_get(&q->label, web_lang_id(r));
            web_html(r, "<dt>%s</dt><dd>", label);
            answer_html(r, answers, q, NULL, 0, file_base);
            if (change_base)
                web_html(r, " <a class=\"change\" href=\"%s/page/%s\">%s<span class=\"visually-hidden\"> — %s</span></a>",
                         change_base, p->id, web_t(r, M_APPLY_CHANGE), label);
            web_html(r, "</dd>\n");
        }
    }
    web_html(r, "</dl>\n");
}

static const char *when_text(struct http_req *r, int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    return pc_arena_printf(&r->arena, "%.10s %.5s", ts, ts + 11);
}

void web_history_list(struct http_req *r, const char *app_id)
{
    struct case_event *ev;
    size_t n = 0;
    if (case_events(app_of(r)->db, &r->arena, app_id, &ev, &n, NULL))
        return;
    web_html(r, "<h2>%s</h2>\n<ol class=\"timeline\">\n", web_t(r, M_APP_HISTORY));
    for (size_t i = 0; i < n; i++) {
        web_html(r, "<li><strong>%s</strong> — %s", web_state_label(r, ev[i].to_status), when_text(r, ev[i].at));
        if (ev[i].note)
            web_html(r, "<p class=\"note\">%s</p>", ev[i].note);
        web_html(r, "</li>\n");
    }
    web_html(r, "</ol>\n");
}

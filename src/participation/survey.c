/* survey.c — surveys about a service: the questions are the pages of a
 * form definition (docs/forms.md), built into a whole definition and
 * checked by the one checker of src/cases (no files: a survey takes no
 * uploads); answers are checked against the whole form; one response per
 * person, with who answered kept apart from the answers when the survey
 * is anonymous; results per question (choices counted, numbers' range and
 * mean) and every response as CSV, for who manages the survey. */
#include "internal.h"
#include "../cases/cases.h"

#include <stdlib.h>
#include <string.h>

#define SURVEY_COLUMNS "id, agency_id, service_id, title_az, title_en, title_ru, anonymous, opens_at, closes_at," \
                       " definition"

/* The first problem the form checker reports, as err's message. */
struct first_problem {
    char msg[200];
};

static void keep_first(void *ctx, const char *file, const char *path, const char *what)
{
    (void)file;
    struct first_problem *p = ctx;
    if (!p->msg[0])
        snprintf(p->msg, sizeof p->msg, "%s: %s", path ? path : "pages", what);
}

static const struct form_def *parse_def(struct pc_arena *a, const char *text, struct pc_err *err)
{
    struct first_problem first = {{0}};
    struct form_report rep = {.problem = keep_first, .ctx = &first};
    char today[11];
    part_day(pc_now_unix(), today);
    /* no catalogue checks: they are about an application's fee and
     * deadline, not a survey's (its service is checked on creation) */
    const struct form_def *d = form_def_parse(a, text, strlen(text), NULL, NULL, today, &rep);
    if (!d) {
        pc_err_set(err, PC_EINVAL, "%s", first.msg[0] ? first.msg : "the questions are not a form definition");
        return NULL;
    }
    if (form_def_has_types(d, 1u << FORM_FILE | 1u << FORM_GROUP)) {
        pc_err_set(err, PC_EINVAL, "a survey asks no files and no groups");
        return NULL;
    }
    return d;
}

/* The whole definition: the survey's service and title around its pages. */
static char *definition(struct pc_arena *a, const struct part_survey_new *s)
{
    json_t *title = json_object(), *next = json_object();
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        json_object_set_new(title, pc_lang_code((enum pc_lang)l), json_string(s->title.s[l]));
        json_object_set_new(next, pc_lang_code((enum pc_lang)l), json_string(s->title.s[l]));
    }
    json_t *d = json_pack("{s:s, s:i, s:o, s:o, s:O}", "service", s->service_id, "version", 1, "title", title,
                          "what_next", next, "pages", s->pages);
    char *text = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    char *out = text ? pc_arena_strdup(a, text) : NULL;
    free(text);
    return out;
}

int part_survey_create(struct db *db, const struct id_principal *who, const struct part_survey_new *s,
                       const char *ip, struct pc_arena *a, const char **id, struct pc_err *err)
{
    const char *agency;
    int rc = part_service_agency(db, a, s->service_id, &agency, err);
    if (rc)
        return rc == PC_ENOTFOUND ? pc_err_set(err, PC_EINVAL, "no service \"%s\"", s->service_id) : rc;
    struct id_resource res = {.agency_id = agency};
    int role = id_authorize_role(who, ID_ACT_MANAGE_POLLS, &res);
    if (role < 0)
        return pc_err_set(err, PC_EDENIED, "only operators, or the agency's administrators, make surveys");
    if ((rc = part_text_check(&s->title, PART_QUESTION_MAX, false, "the title", err)))
        return rc;
    int64_t now = pc_now_unix();
    if (s->closes_at <= s->opens_at || s->closes_at <= now || s->closes_at - s->opens_at > 366 * 86400LL)
        return pc_err_set(err, PC_EINVAL, "closes_at after opens_at, in the future, within 366 days");
    if (!json_is_array(s->pages))
        return pc_err_set(err, PC_EINVAL, "pages: an array of form pages");
    char *text = definition(a, s);
    if (!text || strlen(text) > PART_SURVEY_JSON_MAX)
        return pc_err_set(err, PC_EINVAL, "the questions take at most %d bytes", PART_SURVEY_JSON_MAX);
    if (!parse_def(a, text, err))
        return PC_EINVAL;
    char *sid = pc_arena_alloc(a, 17);
    part_new_id(sid, 8);
    struct db_conn *c;
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    struct db_stmt *st = db_prepare(c, "INSERT INTO surveys(id, agency_id, service_id, title_az, title_en, title_ru,"
                                       " anonymous, opens_at, closes_at, definition, created_by, created_at)"
                                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!st) {
        rc = part_failed(err);
    } else {
        db_bind_text(st, 1, sid);
        db_bind_text(st, 2, agency);
        db_bind_text(st, 3, s->service_id);
        part_text_bind(st, 4, &s->title);
        db_bind_int(st, 7, s->anonymous);
        db_bind_int(st, 8, s->opens_at);
        db_bind_int(st, 9, s->closes_at);
        db_bind_text(st, 10, text);
        db_bind_text(st, 11, who->account_id);
        db_bind_int(st, 12, now);
        rc = part_ran(db_run(st, err));
    }
    struct audit_entry e = part_audit(who, role, "survey.create", "survey", sid, ip, NULL);
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    *id = sid;
    return 0;
}

int part_survey_get(struct db *db, struct pc_arena *a, const char *id, struct part_survey *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " SURVEY_COLUMNS " FROM surveys WHERE id = ?", err) : NULL;
    if (!s)
        return part_failed(err);
    db_bind_text(s, 1, id ? id : "");
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "no such survey");
    memset(out, 0, sizeof *out);
    out->id = pc_arena_strdup(a, db_col_text(s, 0));
    out->agency_id = pc_arena_strdup(a, db_col_text(s, 1));
    out->service_id = pc_arena_strdup(a, db_col_text(s, 2));
    part_text_read(a, s, 3, &out->title);
    out->anonymous = db_col_int(s, 6) != 0;
    out->opens_at = db_col_int(s, 7);
    out->closes_at = db_col_int(s, 8);
    const char *text = pc_arena_strdup(a, db_col_text(s, 9));
    out->def = parse_def(a, text, err);
    return out->def ? 0 : pc_err_set(err, PC_EIO, "survey %s: its stored questions no longer parse", id);
}

int part_survey_answered(struct db *db, const char *survey, const char *fin, bool *answered, struct pc_err *err)
{
    return part_exists(db, "SELECT 1 FROM survey_respondents WHERE survey_id = ? AND fin = ?", survey, fin, answered,
                       err);
}

int part_survey_respond(struct db *db, const struct id_principal *who, const struct part_survey *s,
                        const json_t *answers, struct form_issues *issues, struct pc_err *err)
{
    issues->n = 0;
    int role = id_authorize_role(who, ID_ACT_VOTE, NULL);
    if (role < 0)
        return pc_err_set(err, PC_EDENIED, "a person answers from their own citizen account");
    int64_t now = pc_now_unix();
    if (now < s->opens_at || now >= s->closes_at)
        return pc_err_set(err, PC_ECONFLICT, "the survey is not open");
    struct pc_arena a;
    pc_arena_init(&a);
    char today[11];
    part_day(now, today);
    struct form_answers *fa = form_answers_from_json(&a, answers);
    form_check_answers(s->def, fa, NULL, today, issues);
    char *text = json_is_object(answers) ? json_dumps(answers, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    int rc = issues->n || !text ? pc_err_set(err, PC_EINVAL, "some answers need attention") : 0;
    struct db_conn *c = NULL;
    if (!rc)
        rc = audit_begin(db, &c, err);
    if (!rc) {
        struct db_stmt *st = db_prepare(c, "INSERT INTO survey_respondents(survey_id, fin, answered_at) VALUES (?, ?, ?)"
                                           " ON CONFLICT DO NOTHING", err);
        int64_t added = 0;
        if (!st) {
            rc = part_failed(err);
        } else {
            db_bind_text(st, 1, s->id);
            db_bind_text(st, 2, who->fin);
            db_bind_int(st, 3, now);
            added = db_run(st, err);
            rc = added < 0 ? (int)added : added == 0 ? pc_err_set(err, PC_ECONFLICT, "you have answered already") : 0;
        }
        if (!rc && !(st = db_prepare(c, "INSERT INTO survey_responses(survey_id, id, fin, answers) VALUES (?, ?, ?, ?)",
                                     err)))
            rc = part_failed(err);
        if (!rc) {
            char rid[33];
            part_new_id(rid, 16);
            db_bind_text(st, 1, s->id);
            db_bind_text(st, 2, rid);
            if (s->anonymous)
                db_bind_null(st, 3);
            else
                db_bind_text(st, 3, who->fin);
            db_bind_text(st, 4, text);
            rc = part_ran(db_run(st, err));
        }
        struct audit_entry e = part_audit(who, role, "survey.respond", "survey", s->id, NULL, NULL);
        rc = audit_end(c, rc, &e, err);
    }
    free(text);
    pc_arena_release(&a);
    return rc;
}

/* ---- results ------------------------------------------------------------- */

static int may_manage(const struct id_principal *who, const struct part_survey *s, struct pc_err *err)
{
    struct id_resource res = {.agency_id = s->agency_id};
    return id_authorize(who, ID_ACT_MANAGE_POLLS, &res)
               ? 0 : pc_err_set(err, PC_EDENIED, "only the survey's managers see its answers");
}

/* Each response's answers in turn: fn(ctx, answers). */
static int each_response(struct db *db, const struct part_survey *s, void (*fn)(void *ctx, const json_t *answers),
                         void *ctx, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *st = c ? db_prepare(c, "SELECT answers FROM survey_responses WHERE survey_id = ? ORDER BY id LIMIT ?",
                                        err) : NULL;
    if (!st)
        return part_failed(err);
    db_bind_text(st, 1, s->id);
    db_bind_int(st, 2, PART_SURVEY_RESPONSES_MAX);
    int rc;
    while ((rc = db_step(st, err)) == 1) {
        json_t *j = json_loads(db_col_text(st, 0), 0, NULL);
        fn(ctx, j);
        json_decref(j);
    }
    return rc < 0 ? rc : 0;
}

struct tally_ctx {
    struct part_survey_results *out;
    double *sum;
};

static bool chosen(const json_t *v, const char *value)
{
    if (json_is_string(v))
        return strcmp(json_string_value(v), value) == 0;
    size_t i;
    const json_t *x;
    json_array_foreach(v, i, x)
        if (json_is_string(x) && strcmp(json_string_value(x), value) == 0)
            return true;
    return false;
}

static void count_one(void *ctx, const json_t *answers)
{
    struct tally_ctx *t = ctx;
    t->out->responses++;
    for (size_t i = 0; i < t->out->nquestions; i++) {
        struct part_question_result *q = &t->out->questions[i];
        const json_t *v = json_object_get(answers, q->question_id);
        if (!v || json_is_null(v))
            continue;
        q->answered++;
        if (q->type == FORM_NUMBER && json_is_number(v)) {
            double x = json_number_value(v);
            q->min = q->answered == 1 || x < q->min ? x : q->min;
            q->max = q->answered == 1 || x > q->max ? x : q->max;
            t->sum[i] += x;
        }
        for (size_t k = 0; k < q->noptions; k++)
            q->option_counts[k] += chosen(v, q->option_values[k]);
    }
}

/* The questions of the form, in order, into out (counts zero). */
static void questions(struct pc_arena *a, const struct form_def *d, struct part_survey_results *out)
{
    size_t n = 0;
    for (size_t i = 0; i < d->npages; i++)
        n += d->pages[i].nquestions;
    out->questions = pc_arena_array(a, n + 1, sizeof *out->questions);
    for (size_t i = 0; i < d->npages; i++)
        for (size_t k = 0; k < d->pages[i].nquestions; k++) {
            const struct form_question *fq = &d->pages[i].questions[k];
            struct part_question_result *q = &out->questions[out->nquestions++];
            memset(q, 0, sizeof *q);
            q->question_id = fq->id;
            q->label = fq->label;
            q->type = fq->type;
            q->noptions = fq->noptions;
            q->option_values = pc_arena_array(a, fq->noptions + 1, sizeof *q->option_values);
            struct pc_text *labels = pc_arena_array(a, fq->noptions + 1, sizeof *labels);
            q->option_counts = pc_arena_array(a, fq->noptions + 1, sizeof *q->option_counts);
            for (size_t o = 0; o < fq->noptions; o++) {
                q->option_values[o] = fq->options[o].value;
                labels[o] = fq->options[o].label;
            }
            q->option_labels = labels;
        }
}

int part_survey_results(struct db *db, const struct id_principal *who, struct pc_arena *a,
                        const struct part_survey *s, struct part_survey_results *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = may_manage(who, s, err);
    if (rc)
        return rc;
    questions(a, s->def, out);
    struct tally_ctx t = {out, pc_arena_array(a, out->nquestions + 1, sizeof *t.sum)};
    if ((rc = each_response(db, s, count_one, &t, err)))
        return rc;
    for (size_t i = 0; i < out->nquestions; i++)
        if (out->questions[i].type == FORM_NUMBER && out->questions[i].answered)
            out->questions[i].mean = t.sum[i] / (double)out->questions[i].answered;
    return 0;
}

/* ---- CSV ----------------------------------------------------------------- */

/* One cell: quoted when it holds a comma, quote or line break; a leading
 * = + - @ (a formula to a spreadsheet) gets a ' before it. */
static void csv_cell(struct pc_buf *b, const char *s)
{
    bool formula = *s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r';
    pc_buf_putc(b, '"');
    if (formula)
        pc_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '"')
            pc_buf_putc(b, '"');
        pc_buf_putc(b, *s);
    }
    pc_buf_putc(b, '"');
}

struct csv_ctx {
    struct pc_buf *out;
    const struct part_survey_results *q;
};

static void csv_row(void *ctx, const json_t *answers)
{
    struct csv_ctx *c = ctx;
    for (size_t i = 0; i < c->q->nquestions; i++) {
        const json_t *v = json_object_get(answers, c->q->questions[i].question_id);
        if (i)
            pc_buf_putc(c->out, ',');
        if (json_is_array(v)) {
            struct pc_buf joined;
            pc_buf_init(&joined, PART_SURVEY_JSON_MAX);
            size_t k;
            const json_t *x;
            json_array_foreach(v, k, x) {
                if (k)
                    pc_buf_puts(&joined, "; ");
                pc_buf_puts(&joined, json_is_string(x) ? json_string_value(x) : "");
            }
            csv_cell(c->out, joined.data);
            pc_buf_release(&joined);
        } else if (json_is_string(v)) {
            csv_cell(c->out, json_string_value(v));
        } else if (json_is_number(v)) {
            pc_buf_printf(c->out, "%.15g", json_number_value(v));
        } else if (json_is_boolean(v)) {
            pc_buf_puts(c->out, json_is_true(v) ? "true" : "false");
        }
    }
    pc_buf_puts(c->out, "\r\n");
}

int part_survey_csv(struct db *db, const struct id_principal *who, const struct part_survey *s, struct pc_buf *out,
                    struct pc_err *err)
{
    int rc = may_manage(who, s, err);
    if (rc)
        return rc;
    struct pc_arena a;
    pc_arena_init(&a);
    struct part_survey_results q = {0};
    questions(&a, s->def, &q);
    for (size_t i = 0; i < q.nquestions; i++) {
        if (i)
            pc_buf_putc(out, ',');
        csv_cell(out, q.questions[i].question_id);
    }
    pc_buf_puts(out, "\r\n");
    struct csv_ctx ctx = {out, &q};
    rc = each_response(db, s, csv_row, &ctx, err);
    pc_arena_release(&a);
    return rc;
}

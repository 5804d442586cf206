/* campaign.c — evaluation campaigns made in the portal: an evaluator
 * creates one (name, period), picks services of the catalogue and each
 * one's model, answers every questionnaire a group at a time with its
 * evidence (a note, a link), and submits it; a second evaluator agrees
 * (the campaign is closed) or sends it back with a comment.  Every change
 * is authorized by id_authorize and written with its audit entry; state
 * changes are conditional UPDATEs, so two reviewers cannot both decide.
 * Scoring is the engine's (campaign_results.c). */
#include "internal.h"
#include "../catalog/catalog.h"
#include "../identity/identity.h"

#include <stdlib.h>
#include <string.h>

static const char *const state_names[MON_CAMPAIGN_STATE_COUNT] = {"open", "submitted", "closed"};

const char *mon_campaign_state_name(enum mon_campaign_state s)
{
    return (unsigned)s < MON_CAMPAIGN_STATE_COUNT ? state_names[s] : "unknown";
}

static enum mon_campaign_state state_parse(const char *s)
{
    for (int i = 0; i < MON_CAMPAIGN_STATE_COUNT; i++)
        if (pc_str_eq(s, state_names[i]))
            return (enum mon_campaign_state)i;
    return MON_CAMPAIGN_CLOSED; /* unknown: nothing may change it */
}

struct audit_entry mon__audit(const struct id_principal *who, int role, const char *action, const char *type,
                              const char *id, const char *ip, const char *detail)
{
    return (struct audit_entry){.actor = who->account_id, .role = id_role_name((enum id_role)role),
                                .action = action, .object_type = type, .object_id = id,
                                .ip = ip ? ip : "", .detail = detail ? detail : ""};
}

char *mon__new_id(struct pc_arena *a)
{
    char *id = pc_arena_alloc(a, 17);
    if (pc_random_hex(id, 8))
        abort(); /* no randomness: ids could collide */
    return id;
}

int mon__ran(int64_t n)
{
    return n < 0 ? (int)n : 0;
}

static struct audit_entry entry(const struct id_principal *who, int role, const char *action, const char *id,
                                const char *ip, const char *detail)
{
    return mon__audit(who, role, action, "evaluation_campaign", id, ip, detail);
}

static int evaluator_role(const struct id_principal *who, struct pc_err *err)
{
    int role = id_authorize_role(who, ID_ACT_EVALUATE, NULL);
    return role < 0 ? pc_err_set(err, PC_EDENIED, "only evaluators make and answer evaluation campaigns") : role;
}

int mon__text_check(const char *s, size_t max, bool required, bool multiline, const char *what, struct pc_err *err)
{
    if (!s || !*s)
        return required ? pc_err_set(err, PC_EINVAL, "%s is required", what) : 0;
    size_t n = strlen(s);
    if (n > max)
        return pc_err_set(err, PC_ETOOBIG, "%s is longer than %zu bytes", what, max);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && !(multiline && (ch == '\n' || ch == '\r' || ch == '\t'))) || ch == 0x7f)
            return pc_err_set(err, PC_EINVAL, "%s has a control character", what);
    }
    return 0;
}

/* ---- creating and picking --------------------------------------------------- */

int mon_campaign_create(struct db *db, const struct id_principal *who, const char *name, const char *from,
                        const char *to, const char *ip, struct pc_arena *a, const char **id, const char **field,
                        struct pc_err *err)
{
    *field = NULL;
    int role = evaluator_role(who, err);
    if (role < 0)
        return role;
    struct mon_period p;
    int rc = mon__text_check(name, MON_CAMPAIGN_NAME_MAX, true, false, "the name", err);
    if (rc)
        *field = "name";
    else if ((rc = mon_period_parse(from, NULL, &p, err)))
        *field = "from";
    else if ((rc = mon_period_parse(from, to && *to ? to : NULL, &p, err)))
        *field = "to";
    if (rc)
        return rc;
    char *cid = mon__new_id(a);
    struct db_conn *c;
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    struct db_stmt *s = db_prepare(c, "INSERT INTO mon_campaigns(id, name, period_from, period_to, state, created_by,"
                                      " created_at) VALUES (?, ?, ?, ?, 'open', ?, ?)", err);
    if (!s) {
        rc = err->code;
    } else {
        db_bind_text(s, 1, cid);
        db_bind_text(s, 2, name);
        db_bind_text(s, 3, p.from);
        db_bind_text(s, 4, p.to);
        db_bind_text(s, 5, who->account_id);
        db_bind_int(s, 6, pc_now_unix());
        rc = mon__ran(db_run(s, err));
    }
    struct audit_entry e = entry(who, role, "evaluation.create", cid, ip, NULL);
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    *id = cid;
    return 0;
}

/* The campaign's state and creator, read inside the change's transaction. */
static int state_of(struct db_conn *c, struct pc_arena *a, const char *id, enum mon_campaign_state *state,
                    const char **creator, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT state, created_by FROM mon_campaigns WHERE id = ?", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no evaluation campaign \"%.40s\"", id);
    *state = state_parse(db_col_text(s, 0));
    if (creator)
        *creator = pc_arena_strdup(a, db_col_text(s, 1));
    return 0;
}

static int must_be_open(struct db_conn *c, struct pc_arena *a, const char *id, struct pc_err *err)
{
    enum mon_campaign_state st;
    int rc = state_of(c, a, id, &st, NULL, err);
    if (!rc && st != MON_CAMPAIGN_OPEN)
        rc = pc_err_set(err, PC_ECONFLICT, "the campaign is %s: its answers can no longer change",
                        mon_campaign_state_name(st));
    return rc;
}

static int insert_service(struct db_conn *c, const char *id, const struct cat_service *svc, int model,
                          struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT COUNT(*), SUM(CASE WHEN service_id = ? THEN 1 ELSE 0 END)"
                                      " FROM mon_campaign_services WHERE campaign_id = ?", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, svc->id);
    db_bind_text(s, 2, id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    int64_t count = db_col_int(s, 0);
    if (db_col_int(s, 1) > 0)
        return pc_err_set(err, PC_ECONFLICT, "the campaign evaluates %s already", svc->id);
    if (count >= MON_CAMPAIGN_SERVICES_MAX)
        return pc_err_set(err, PC_ELIMIT, "a campaign evaluates at most %d services", MON_CAMPAIGN_SERVICES_MAX);
    s = db_prepare(c, "INSERT INTO mon_campaign_services(campaign_id, service_id, agency_id, model, paid, position)"
                      " VALUES (?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, svc->id);
    db_bind_text(s, 3, svc->agency_id);
    db_bind_int(s, 4, model);
    db_bind_int(s, 5, !svc->free);
    db_bind_int(s, 6, count);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

int mon_campaign_add_service(struct db *db, const struct id_principal *who, const char *id, const char *service,
                             int model, const char *ip, struct pc_err *err)
{
    int role = evaluator_role(who, err);
    if (role < 0)
        return role;
    if (!mon_model_valid(model))
        return pc_err_set(err, PC_EINVAL, "the model has 3, 4 or 5 levels");
    struct pc_arena a;
    pc_arena_init(&a);
    struct cat_service svc;
    int rc = cat_get_service(db, &a, service ? service : "", &svc, err);
    if (rc == PC_ENOTFOUND)
        rc = pc_err_set(err, PC_EINVAL, "no service \"%.60s\" in the catalogue", service ? service : "");
    struct db_conn *c = NULL;
    if (!rc)
        rc = audit_begin(db, &c, err);
    if (!rc) {
        rc = must_be_open(c, &a, id, err);
        if (!rc)
            rc = insert_service(c, id, &svc, model, err);
        struct audit_entry e = entry(who, role, "evaluation.add_service", id, ip, svc.id);
        rc = audit_end(c, rc, &e, err);
    }
    pc_arena_release(&a);
    return rc;
}

/* ---- answering -------------------------------------------------------------- */

static int service_in(struct db_conn *c, const char *id, const char *service, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT 1 FROM mon_campaign_services WHERE campaign_id = ? AND service_id = ?",
                                   err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, service);
    int rc = db_step(s, err);
    return rc < 0 ? rc : rc == 0 ? pc_err_set(err, PC_ENOTFOUND, "the campaign does not evaluate \"%.60s\"", service) : 0;
}

/* Check every question of the group before anything is written. */
static int check_group(struct pc_arena *a, enum mon_criterion c, const struct mon_answer_in *in, size_t n,
                       const char **texts, struct pc_err *err)
{
    size_t nq;
    mon_questions(c, &nq);
    if (n > nq)
        return pc_err_set(err, PC_EINVAL, "%zu answers for the %zu questions of %s", n, nq, mon_criterion_name(c));
    for (size_t i = 0; i < n; i++) {
        int q = mon_question_index(c, in[i].question ? in[i].question : "");
        if (q < 0)
            return pc_err_set(err, PC_EINVAL, "%s has no question \"%.20s\"", mon_criterion_name(c),
                              in[i].question ? in[i].question : "");
        for (size_t k = 0; k < i; k++)
            if (pc_str_eq(in[k].question, in[i].question))
                return pc_err_set(err, PC_EINVAL, "question %s is answered twice", in[i].question);
        texts[i] = NULL;
        if (in[i].answer && *in[i].answer) {
            struct mon_answer v;
            int rc = mon_answer_parse(in[i].answer, &v, err);
            if (rc)
                return pc_err_set(err, rc, "question %s: %s", in[i].question, err->msg);
            texts[i] = mon_answer_text(a, &v);
        }
        int rc = mon__text_check(in[i].note, MON_EVIDENCE_NOTE_MAX, false, true, "the note", err);
        if (!rc)
            rc = mon__text_check(in[i].link, MON_EVIDENCE_LINK_MAX, false, false, "the link", err);
        if (!rc && in[i].file)
            rc = mon__text_check(in[i].file->name, MON_CAMPAIGN_NAME_MAX, true, false, "the file's name", err);
        if (!rc && in[i].link && *in[i].link && strncmp(in[i].link, "https://", 8) != 0 &&
            strncmp(in[i].link, "http://", 7) != 0)
            rc = pc_err_set(err, PC_EINVAL, "the link begins with https:// or http://");
        if (rc)
            return pc_err_set(err, rc, "question %s: %s", in[i].question, err->msg);
    }
    return 0;
}

/* One question's answer and evidence, added or replaced (a file given
 * replaces the one kept, none keeps it). */
static int write_answer(struct db_conn *c, const char *id, const char *subject, enum mon_criterion crit,
                        const struct mon_answer_in *in, const char *text, const char *by, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO mon_campaign_answers(campaign_id, subject, criterion, question,"
                                      " answer, note, link, file_sha256, file_name, file_mime, file_size, answered_by,"
                                      " answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                      " ON CONFLICT(campaign_id, subject, criterion, question) DO UPDATE SET"
                                      " answer = excluded.answer, note = excluded.note, link = excluded.link,"
                                      " file_sha256 = COALESCE(excluded.file_sha256, mon_campaign_answers.file_sha256),"
                                      " file_name = COALESCE(excluded.file_name, mon_campaign_answers.file_name),"
                                      " file_mime = COALESCE(excluded.file_mime, mon_campaign_answers.file_mime),"
                                      " file_size = COALESCE(excluded.file_size, mon_campaign_answers.file_size),"
                                      " answered_by = excluded.answered_by, answered_at = excluded.answered_at", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, subject);
    db_bind_text(s, 3, mon_criterion_name(crit));
    db_bind_text(s, 4, in->question);
    db_bind_text(s, 5, text ? text : "");
    db_bind_text(s, 6, in->note ? in->note : "");
    db_bind_text(s, 7, in->link ? in->link : "");
    if (in->file) {
        db_bind_text(s, 8, in->file->sha256);
        db_bind_text(s, 9, in->file->name ? in->file->name : "");
        db_bind_text(s, 10, in->file->mime);
        db_bind_int(s, 11, in->file->size);
    } else {
        for (int i = 8; i <= 11; i++)
            db_bind_null(s, i);
    }
    db_bind_text(s, 12, by);
    db_bind_int(s, 13, pc_now_unix());
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

int mon_campaign_answer(struct db *db, const struct id_principal *who, const char *id, const char *service,
                        enum mon_criterion crit, const struct mon_answer_in *in, size_t n, const char *ip,
                        struct pc_err *err)
{
    int role = evaluator_role(who, err);
    if (role < 0)
        return role;
    if ((unsigned)crit >= MON_CRITERION_COUNT || (crit == MON_INFRA) != (service == NULL))
        return pc_err_set(err, PC_EINVAL, "the infrastructure is answered for the campaign, the other questionnaires "
                                          "for a service");
    struct pc_arena a;
    pc_arena_init(&a);
    const char **texts = pc_arena_array(&a, n ? n : 1, sizeof *texts);
    int rc = check_group(&a, crit, in, n, texts, err);
    struct db_conn *c = NULL;
    if (!rc)
        rc = audit_begin(db, &c, err);
    if (!rc) {
        rc = must_be_open(c, &a, id, err);
        if (!rc && service)
            rc = service_in(c, id, service, err);
        for (size_t i = 0; !rc && i < n; i++)
            rc = write_answer(c, id, service ? service : "", crit, &in[i], texts[i], who->account_id, err);
        const char *what = pc_arena_printf(&a, "%s %s", service ? service : "-", mon_criterion_name(crit));
        struct audit_entry e = entry(who, role, "evaluation.answer", id, ip, what);
        rc = audit_end(c, rc, &e, err);
    }
    pc_arena_release(&a);
    return rc;
}

/* ---- submitting and reviewing ----------------------------------------------- */

/* Every questionnaire complete and valid, or PC_EINVAL naming the first. */
static int complete(struct db *db, struct pc_arena *a, const char *id, struct pc_err *err)
{
    struct mon_campaign cp;
    int rc = mon_campaign_get(db, a, id, &cp, err);
    if (rc)
        return rc;
    if (!cp.nservices)
        return pc_err_set(err, PC_EINVAL, "the campaign evaluates no service yet");
    struct mon_results r;
    return mon_campaign_results(a, &cp, &r, err);
}

/* Move the campaign from one state to another, naming who did it (the
 * submitter, or the reviewer); PC_ECONFLICT when it is not in `from` any
 * more. */
static int move(struct db_conn *c, const char *id, enum mon_campaign_state from, enum mon_campaign_state to,
                bool review, const char *by, const char *comment, struct pc_err *err)
{
    struct db_query q;
    db_query_init(&q);
    db_query_text(&q, "UPDATE mon_campaigns SET state = ?", mon_campaign_state_name(to));
    db_query_text(&q, review ? ", reviewed_by = ?" : ", submitted_by = ?", by);
    if (comment)
        db_query_text(&q, ", review_comment = ?", comment);
    if (to == MON_CAMPAIGN_CLOSED)
        db_query_int(&q, ", closed_at = ?", pc_now_unix());
    db_query_text(&q, " WHERE id = ?", id);
    db_query_text(&q, " AND state = ?", mon_campaign_state_name(from));
    struct db_stmt *s = db_query_prepare(c, &q, err);
    db_query_release(&q);
    if (!s)
        return err->code;
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    return n == 1 ? 0 : pc_err_set(err, PC_ECONFLICT, "the campaign is no longer %s", mon_campaign_state_name(from));
}

int mon_campaign_submit(struct db *db, const struct id_principal *who, const char *id, const char *ip,
                        struct pc_err *err)
{
    int role = evaluator_role(who, err);
    if (role < 0)
        return role;
    struct pc_arena a;
    pc_arena_init(&a);
    int rc = complete(db, &a, id, err);
    struct db_conn *c = NULL;
    if (!rc)
        rc = audit_begin(db, &c, err);
    if (!rc) {
        rc = move(c, id, MON_CAMPAIGN_OPEN, MON_CAMPAIGN_SUBMITTED, false, who->account_id, NULL, err);
        struct audit_entry e = entry(who, role, "evaluation.submit", id, ip, NULL);
        rc = audit_end(c, rc, &e, err);
    }
    pc_arena_release(&a);
    return rc;
}

int mon_campaign_review(struct db *db, const struct id_principal *who, const char *id, bool agree,
                        const char *comment, const char *ip, struct pc_err *err)
{
    if (evaluator_role(who, err) < 0)
        return err->code;
    int rc = agree ? mon__text_check(comment, MON_EVIDENCE_NOTE_MAX, false, true, "the comment", err)
                   : mon__text_check(comment, MON_EVIDENCE_NOTE_MAX, true, true, "the comment", err);
    if (rc)
        return rc;
    struct pc_arena a;
    pc_arena_init(&a);
    struct db_conn *c = NULL;
    rc = audit_begin(db, &c, err);
    if (rc) {
        pc_arena_release(&a);
        return rc;
    }
    enum mon_campaign_state st;
    const char *creator = NULL;
    int role = -1;
    rc = state_of(c, &a, id, &st, &creator, err);
    if (!rc) {
        struct id_resource res = {.owner = creator};
        role = id_authorize_role(who, ID_ACT_REVIEW_EVALUATION, &res);
        if (role < 0)
            rc = pc_err_set(err, PC_EDENIED, "a campaign is reviewed by an evaluator who did not make it");
    }
    if (!rc)
        rc = move(c, id, MON_CAMPAIGN_SUBMITTED, agree ? MON_CAMPAIGN_CLOSED : MON_CAMPAIGN_OPEN, true,
                  who->account_id, agree ? NULL : comment, err);
    struct audit_entry e = entry(who, role < 0 ? ID_ROLE_EVALUATOR : role,
                                 agree ? "evaluation.agree" : "evaluation.send_back", id, ip, NULL);
    rc = audit_end(c, rc, &e, err);
    pc_arena_release(&a);
    return rc;
}

/* ---- reading ---------------------------------------------------------------- */

#define CAMPAIGN_COLUMNS "id, name, period_from, period_to, state, created_by, created_at, submitted_by, " \
                         "reviewed_by, review_comment, closed_at"

static const char *opt_text(struct pc_arena *a, struct db_stmt *s, int i)
{
    return db_col_is_null(s, i) ? NULL : pc_arena_strdup(a, db_col_text(s, i));
}

static void read_campaign(struct pc_arena *a, struct db_stmt *s, struct mon_campaign *c)
{
    memset(c, 0, sizeof *c);
    c->id = pc_arena_strdup(a, db_col_text(s, 0));
    c->name = pc_arena_strdup(a, db_col_text(s, 1));
    snprintf(c->period.from, sizeof c->period.from, "%s", db_col_text(s, 2));
    snprintf(c->period.to, sizeof c->period.to, "%s", db_col_text(s, 3));
    c->state = state_parse(db_col_text(s, 4));
    c->created_by = pc_arena_strdup(a, db_col_text(s, 5));
    c->created_at = db_col_int(s, 6);
    c->submitted_by = opt_text(a, s, 7);
    c->reviewed_by = opt_text(a, s, 8);
    c->review_comment = opt_text(a, s, 9);
    c->closed_at = db_col_is_null(s, 10) ? 0 : db_col_int(s, 10);
}

static int read_services(struct db_conn *c, struct pc_arena *a, struct mon_campaign *cp, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT service_id, agency_id, model, paid FROM mon_campaign_services"
                                      " WHERE campaign_id = ? ORDER BY position", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, cp->id);
    cp->services = pc_arena_array(a, MON_CAMPAIGN_SERVICES_MAX, sizeof *cp->services);
    int rc;
    while ((rc = db_step(s, err)) == 1 && cp->nservices < MON_CAMPAIGN_SERVICES_MAX) {
        struct mon_campaign_subject *x = &cp->services[cp->nservices++];
        x->service = pc_arena_strdup(a, db_col_text(s, 0));
        x->agency = pc_arena_strdup(a, db_col_text(s, 1));
        x->model = (int)db_col_int(s, 2);
        x->paid = db_col_int(s, 3) != 0;
    }
    return rc < 0 ? rc : 0;
}

/* A file's four columns from column i on. */
static void read_file(struct pc_arena *a, struct db_stmt *s, int i, struct mon_evidence_file *f)
{
    snprintf(f->sha256, sizeof f->sha256, "%s", db_col_text(s, i));
    f->name = pc_arena_strdup(a, db_col_text(s, i + 1));
    snprintf(f->mime, sizeof f->mime, "%s", db_col_text(s, i + 2));
    f->size = db_col_int(s, i + 3);
}

static struct mon_campaign_subject *subject_of(struct mon_campaign *cp, const char *subject)
{
    if (!*subject)
        return &cp->infra;
    for (size_t i = 0; i < cp->nservices; i++)
        if (strcmp(cp->services[i].service, subject) == 0)
            return &cp->services[i];
    return NULL;
}

static int read_answers(struct db_conn *c, struct pc_arena *a, struct mon_campaign *cp, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT subject, criterion, question, answer, note, link, file_sha256,"
                                      " file_name, file_mime, file_size FROM mon_campaign_answers"
                                      " WHERE campaign_id = ?", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, cp->id);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        struct mon_campaign_subject *x = subject_of(cp, db_col_text(s, 0));
        int crit = mon_criterion_parse(db_col_text(s, 1));
        int q = crit < 0 ? -1 : mon_question_index((enum mon_criterion)crit, db_col_text(s, 2));
        if (!x || q < 0)
            continue; /* a service taken out of the catalogue's questionnaire: nothing to show */
        struct mon_answer v = {MON_ANS_MISSING, 0};
        const char *text = db_col_text(s, 3);
        if (*text && mon_answer_parse(text, &v, err))
            v.kind = MON_ANS_MISSING; /* written by this file: cannot happen */
        x->answers[crit].a[q] = v;
        struct mon_evidence *ev = &x->evidence[crit][q];
        ev->note = pc_arena_strdup(a, db_col_text(s, 4));
        ev->link = pc_arena_strdup(a, db_col_text(s, 5));
        if (!db_col_is_null(s, 6))
            read_file(a, s, 6, &ev->file);
    }
    return rc < 0 ? rc : 0;
}

static void init_subject(struct mon_campaign_subject *x)
{
    for (int k = 0; k < MON_CRITERION_COUNT; k++) {
        x->answers[k].criterion = (enum mon_criterion)k;
        for (int q = 0; q < MON_MAX_QUESTIONS; q++)
            x->evidence[k][q] = (struct mon_evidence){.note = "", .link = ""};
    }
}

int mon_campaign_get(struct db *db, struct pc_arena *a, const char *id, struct mon_campaign *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " CAMPAIGN_COLUMNS " FROM mon_campaigns WHERE id = ?", err) : NULL;
    if (!s)
        return err->code;
    db_bind_text(s, 1, id ? id : "");
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no evaluation campaign \"%.40s\"", id ? id : "");
    read_campaign(a, s, out);
    if ((rc = read_services(c, a, out, err)))
        return rc;
    init_subject(&out->infra);
    for (size_t i = 0; i < out->nservices; i++)
        init_subject(&out->services[i]);
    return read_answers(c, a, out, err);
}

int mon_campaign_file(struct db *db, struct pc_arena *a, const char *id, const char *sha256,
                      struct mon_evidence_file *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT file_sha256, file_name, file_mime, file_size FROM"
                                          " mon_campaign_answers WHERE campaign_id = ? AND file_sha256 = ?", err)
                          : NULL;
    if (!s)
        return err->code;
    db_bind_text(s, 1, id ? id : "");
    db_bind_text(s, 2, sha256 ? sha256 : "");
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such file of evidence in campaign \"%.40s\"", id ? id : "");
    read_file(a, s, 0, out);
    return 0;
}

int mon_campaign_list(struct db *db, struct pc_arena *a, bool closed_only, const char *agency,
                      struct mon_campaign **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, MON_CAMPAIGN_LIST_MAX, sizeof **out);
    struct db_query q;
    db_query_init(&q);
    db_query_sql(&q, "SELECT " CAMPAIGN_COLUMNS " FROM mon_campaigns c WHERE 1 = 1");
    if (closed_only)
        db_query_sql(&q, " AND state = 'closed'");
    if (agency)
        db_query_text(&q, " AND EXISTS (SELECT 1 FROM mon_campaign_services s WHERE s.campaign_id = c.id"
                          " AND s.agency_id = ?)", agency);
    db_query_int(&q, " ORDER BY created_at DESC, id LIMIT ?", MON_CAMPAIGN_LIST_MAX);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_query_prepare(c, &q, err) : NULL;
    db_query_release(&q);
    if (!s)
        return err->code;
    int rc;
    while ((rc = db_step(s, err)) == 1)
        read_campaign(a, s, &(*out)[(*n)++]);
    return rc < 0 ? rc : 0;
}

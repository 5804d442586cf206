/* complaint.c — complaints about a service (and maybe one's own
 * application): routed to the service's agency with a deadline, its staff
 * told by e-mail, answered once by its officers (optimistic version), the
 * person told through the outbox.  Who may read one: its author and the
 * agency's staff; anyone else is told it does not exist. */
#include "internal.h"
#include "../cases/cases.h"
#include "../notify/notify.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define STAFF_TOLD_MAX 20

static const char *const kinds[] = {"delay", "refusal", "staff", "information", "technical", "other"};
static const char *const states[] = {"open", "answered"};

const char *part_complaint_kind_name(enum part_complaint_kind k)
{
    return (unsigned)k < PART_CK_COUNT ? kinds[k] : "other";
}

int part_complaint_kind_parse(const char *s)
{
    for (int i = 0; i < PART_CK_COUNT; i++)
        if (pc_str_eq(s, kinds[i]))
            return i;
    return -1;
}

const char *part_complaint_state_name(enum part_complaint_state s)
{
    return (unsigned)s <= PART_COMPLAINT_ANSWERED ? states[s] : "open";
}

#define COMPLAINT_COLUMNS "reference, service_id, agency_id, application_ref, account_id, fin, kind, text, lang," \
                          " state, created_at, due_at, answered_at, version, answer"

static void read_complaint(struct pc_arena *a, struct db_stmt *s, struct part_complaint *c)
{
    memset(c, 0, sizeof *c);
    const char **t[] = {&c->reference, &c->service_id, &c->agency_id, &c->application_ref, &c->account_id, &c->fin};
    for (int i = 0; i < 6; i++)
        *t[i] = pc_arena_strdup(a, db_col_text(s, i));
    int k = part_complaint_kind_parse(db_col_text(s, 6));
    c->kind = k >= 0 ? (enum part_complaint_kind)k : PART_CK_OTHER;
    c->text = pc_arena_strdup(a, db_col_text(s, 7));
    c->lang = pc_arena_strdup(a, db_col_text(s, 8));
    c->state = pc_str_eq(db_col_text(s, 9), "answered") ? PART_COMPLAINT_ANSWERED : PART_COMPLAINT_OPEN;
    c->created_at = db_col_int(s, 10);
    c->due_at = db_col_int(s, 11);
    c->answered_at = db_col_int(s, 12);
    c->version = db_col_int(s, 13);
    c->answer = pc_arena_strdup(a, db_col_text(s, 14));
}

/* Queue template to `to` with {reference, service?} in lang. */
static int tell(struct db_conn *c, const char *channel, const char *to, const char *template_id, const char *lang,
                const char *reference, const char *service, struct pc_err *err)
{
    json_t *p = json_pack("{s:s, s:s}", "reference", reference, "service", service ? service : "");
    char *payload = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    if (!payload)
        pc_oom(0);
    int rc = notify_enqueue(c, channel, to, template_id, lang, payload, err);
    free(payload);
    return rc;
}

static int insert(struct db_conn *c, const struct part_complaint *p, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO complaints(reference, service_id, agency_id, application_ref,"
                                      " account_id, fin, kind, text, lang, state, created_at, due_at, version)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, 1)", err);
    if (!s)
        return part_failed(err);
    db_bind_text(s, 1, p->reference);
    db_bind_text(s, 2, p->service_id);
    db_bind_text(s, 3, p->agency_id);
    if (p->application_ref)
        db_bind_text(s, 4, p->application_ref);
    else
        db_bind_null(s, 4);
    db_bind_text(s, 5, p->account_id);
    db_bind_text(s, 6, p->fin);
    db_bind_text(s, 7, part_complaint_kind_name(p->kind));
    db_bind_text(s, 8, p->text);
    db_bind_text(s, 9, p->lang);
    db_bind_int(s, 10, p->created_at);
    db_bind_int(s, 11, p->due_at);
    return part_ran(db_run(s, err));
}

/* The agency's staff, told of a new complaint by e-mail. */
static int tell_staff(struct db_conn *c, struct pc_arena *a, const struct part_complaint *p, struct pc_err *err)
{
    struct id_contact to[STAFF_TOLD_MAX];
    size_t n = 0;
    int rc = id_agency_staff_contacts(c, a, p->agency_id, NULL, to, STAFF_TOLD_MAX, &n, err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = tell(c, "email", to[i].email, "complaint-filed", pc_lang_code(to[i].lang), p->reference, p->service_id,
                  err);
    return rc;
}

int part_complaint_file(struct db *db, const struct id_principal *who, const char *service, const char *application,
                        enum part_complaint_kind kind, const char *text, enum pc_lang lang, const char *ip,
                        struct pc_arena *a, struct part_complaint *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int role = id_authorize_role(who, ID_ACT_VOTE, NULL);
    if (role < 0)
        return pc_err_set(err, PC_EDENIED, "a person complains from their own citizen account");
    if ((unsigned)kind >= PART_CK_COUNT)
        return pc_err_set(err, PC_EINVAL, "kind is one of delay, refusal, staff, information, technical, other");
    int rc = part_string_check(text, PART_COMPLAINT_MAX, true, false, "text", err);
    const char *agency = NULL;
    if (!rc)
        rc = part_service_agency(db, a, service, &agency, err);
    if (!rc && application && *application) {
        struct case_app app;
        rc = strlen(application) > 40 ? pc_err_set(err, PC_ENOTFOUND, "no such application")
                                      : case_load(db, a, application, &app, err);
        if (!rc && (!pc_str_eq(app.applicant_fin, who->fin) || !pc_str_eq(app.service_id, service)))
            rc = pc_err_set(err, PC_ENOTFOUND, "no such application of yours for this service");
    }
    struct db_conn *c = NULL;
    if (rc || (rc = audit_begin(db, &c, err)))
        return rc;
    char hex[9], year[21];
    part_new_id(hex, 4);
    for (char *p = hex; *p; p++)
        *p = (char)(*p >= 'a' ? *p - 'a' + 'A' : *p);
    int64_t now = pc_now_unix();
    pc_rfc3339(now, year);
    *out = (struct part_complaint){.reference = pc_arena_printf(a, "SK-%.4s-%s", year, hex), .service_id = service,
                                   .agency_id = agency, .application_ref = application && *application ? application
                                                                                                      : NULL,
                                   .account_id = who->account_id, .fin = who->fin, .kind = kind, .text = text,
                                   .lang = pc_lang_code(lang), .state = PART_COMPLAINT_OPEN, .created_at = now,
                                   .due_at = now + (int64_t)PART_COMPLAINT_DAYS * 86400, .version = 1};
    rc = insert(c, out, err);
    if (!rc)
        rc = tell_staff(c, a, out, err);
    struct audit_entry e = part_audit(who, role, "complaint.file", "complaint", out->reference, ip,
                                      part_complaint_kind_name(kind));
    rc = audit_end(c, rc, &e, err);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

/* Whether who may read p: its author, or its agency's staff. */
static bool may_read(const struct id_principal *who, const struct part_complaint *p)
{
    struct id_resource res = {.agency_id = p->agency_id};
    return (who && pc_str_eq(who->account_id, p->account_id)) || id_authorize(who, ID_ACT_ANSWER_COMPLAINT, &res);
}

int part_complaint_get(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *reference,
                       struct part_complaint *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " COMPLAINT_COLUMNS " FROM complaints WHERE reference = ?", err)
                          : NULL;
    if (!s)
        return part_failed(err);
    db_bind_text(s, 1, reference ? reference : "");
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 1)
        read_complaint(a, s, out);
    return rc == 1 && may_read(who, out) ? 0 : pc_err_set(err, PC_ENOTFOUND, "no such complaint");
}

int part_complaint_list(struct db *db, struct pc_arena *a, const struct id_principal *who, bool open_only,
                        struct part_complaint **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, PART_COMPLAINT_LIST_MAX, sizeof **out);
    if (!who)
        return pc_err_set(err, PC_EDENIED, "log in to see complaints");
    const char *agency = id_agency_of(who);
    struct id_resource res = {.agency_id = agency};
    struct db_query q;
    db_query_init(&q);
    db_query_sql(&q, "SELECT " COMPLAINT_COLUMNS " FROM complaints WHERE");
    if (agency && id_authorize(who, ID_ACT_ANSWER_COMPLAINT, &res))
        db_query_text(&q, " agency_id = ?", agency);
    else
        db_query_text(&q, " account_id = ?", who->account_id);
    if (open_only)
        db_query_sql(&q, " AND state = 'open'");
    db_query_int(&q, " ORDER BY created_at DESC, reference LIMIT ?", PART_COMPLAINT_LIST_MAX);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_query_prepare(c, &q, err) : NULL;
    db_query_release(&q);
    if (!s)
        return part_failed(err);
    int rc;
    while ((rc = db_step(s, err)) == 1)
        read_complaint(a, s, &(*out)[(*n)++]);
    return rc < 0 ? rc : 0;
}

int part_complaint_answer(struct db *db, const struct id_principal *who, const char *reference, const char *answer,
                          int64_t expected_version, const char *ip, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct part_complaint p;
    int rc = part_complaint_get(db, &a, who, reference, &p, err), role = -1;
    struct id_resource res = {.agency_id = rc ? NULL : p.agency_id};
    if (!rc && (role = id_authorize_role(who, ID_ACT_ANSWER_COMPLAINT, &res)) < 0)
        rc = pc_err_set(err, PC_EDENIED, "only the agency's officers answer its complaints");
    if (!rc)
        rc = part_string_check(answer, PART_COMPLAINT_MAX, true, false, "answer", err);
    struct db_conn *c = NULL;
    if (rc || (rc = audit_begin(db, &c, err))) {
        pc_arena_release(&a);
        return rc;
    }
    struct db_stmt *s = db_prepare(c, "UPDATE complaints SET state = 'answered', answer = ?, answered_by = ?,"
                                      " answered_at = ?, version = version + 1 WHERE reference = ? AND version = ?"
                                      " AND state = 'open'", err);
    if (!s) {
        rc = part_failed(err);
    } else {
        db_bind_text(s, 1, answer);
        db_bind_text(s, 2, who->account_id);
        db_bind_int(s, 3, pc_now_unix());
        db_bind_text(s, 4, reference);
        db_bind_int(s, 5, expected_version);
        int64_t changed = db_run(s, err);
        rc = changed == 1 ? 0 : changed == 0 ? pc_err_set(err, PC_ECONFLICT, "the complaint was answered meanwhile")
                                              : (int)changed;
    }
    struct id_contact to = {0};
    if (!rc && (rc = id_person_contact(c, &a, p.fin, &to, err)) == PC_ENOTFOUND)
        rc = 0; /* no record to reach them by: the answer is on the portal */
    if (!rc && (to.phone || to.email))
        rc = tell(c, to.phone ? "sms" : "email", to.phone ? to.phone : to.email, "complaint-answered",
                  pc_lang_code(to.lang), reference, NULL, err);
    struct audit_entry e = part_audit(who, role, "complaint.answer", "complaint", reference, ip, NULL);
    rc = audit_end(c, rc, &e, err);
    pc_arena_release(&a);
    return rc;
}

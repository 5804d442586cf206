/* payment.c — payments of an application's fee: the fee from the
 * catalogue, starting a payment at the provider (an unfinished one is
 * reused, an old one given up), reading payments, and submitting the
 * application whose fee is paid. */
#include "internal.h"
#include "../cases/cases.h"
#include "../catalog/catalog.h"
#include "../identity/identity.h"

#include <string.h>

static const char *dup(struct pc_arena *a, struct db_stmt *s, int i)
{
    return pc_arena_strdup(a, db_col_text(s, i));
}

void pay_read_row(struct pc_arena *a, struct db_stmt *s, struct pay_payment *p)
{
    p->id = dup(a, s, 0);
    p->application_id = dup(a, s, 1);
    p->service_id = dup(a, s, 2);
    p->agency_id = dup(a, s, 3);
    p->account_id = dup(a, s, 4);
    p->provider = dup(a, s, 5);
    p->provider_id = dup(a, s, 6);
    p->next_url = dup(a, s, 7);
    p->problem = dup(a, s, 8);
    int st = pay_status_parse(db_col_text(s, 9));
    p->status = st < 0 ? PAY_ERROR : (enum pay_status)st;
    p->amount_qepik = db_col_int(s, 10);
    p->refunded_qepik = db_col_int(s, 11);
    p->late = db_col_int(s, 12) != 0;
    p->created_at = db_col_int(s, 13);
    p->updated_at = db_col_int(s, 14);
    p->paid_at = db_col_int(s, 15);
}

int pay_load(struct db_conn *c, struct pc_arena *a, const char *id, struct pay_payment *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!id || strlen(id) > 64)
        return pc_err_set(err, PC_ENOTFOUND, "no such payment");
    struct db_stmt *s = db_prepare(c, "SELECT " PAY_COLUMNS " FROM pay_payments WHERE id = ?", err);
    if (!s)
        return pay_err(err);
    db_bind_text(s, 1, id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such payment");
    pay_read_row(a, s, out);
    return 0;
}

int pay_get(struct db *db, struct pc_arena *a, const char *id, struct pay_payment *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return pay_err(err);
    int rc = pay_load(c, a, id, out, err);
    db_conn_idle(c);
    return rc;
}

int pay_list_for(struct db *db, struct pc_arena *a, const char *application_id, struct pay_payment **out, size_t *n,
                 struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, 20, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " PAY_COLUMNS " FROM pay_payments WHERE application_id = ?"
                                          " ORDER BY created_at DESC, id LIMIT 20", err) : NULL;
    if (!s)
        return pay_err(err);
    db_bind_text(s, 1, application_id);
    int rc;
    while ((rc = db_step(s, err)) == 1)
        pay_read_row(a, s, &(*out)[(*n)++]);
    return rc < 0 ? rc : 0;
}

bool pay_may_view(const struct id_principal *who, const struct pay_payment *p)
{
    if (!who)
        return false;
    if (pc_str_eq(who->account_id, p->account_id))
        return true;
    struct id_resource res = {.agency_id = p->agency_id};
    return id_authorize(who, ID_ACT_VIEW_AGENCY_CASES, &res);
}

int pay_fee_of(struct db *db, struct pc_arena *a, const char *service_id, int64_t *qepik, struct pc_err *err)
{
    struct cat_service s;
    int rc = cat_get_service(db, a, service_id, &s, err);
    *qepik = rc == 0 && s.fee_qepik > 0 ? s.fee_qepik : 0;
    return rc;
}

/* The newest payment of the application that is paid or still going. */
static int current_payment(struct db_conn *c, struct pc_arena *a, const char *app_id, struct pay_payment *out,
                           bool *found, struct pc_err *err)
{
    *found = false;
    struct db_stmt *s = db_prepare(c, "SELECT " PAY_COLUMNS " FROM pay_payments WHERE application_id = ? AND"
                                      " ((status = 'success' AND refunded_qepik < amount_qepik) OR status IN"
                                      " ('created', 'started', 'submitted')) ORDER BY status = 'success' DESC,"
                                      " created_at DESC LIMIT 1", err);
    if (!s)
        return pay_err(err);
    db_bind_text(s, 1, app_id);
    int rc = db_step(s, err);
    if (rc == 1) {
        pay_read_row(a, s, out);
        *found = true;
    }
    return rc < 0 ? rc : 0;
}

static int set_status(struct db_conn *c, const char *id, enum pay_status st, const char *problem, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "UPDATE pay_payments SET status = ?, problem = COALESCE(?, problem),"
                                      " updated_at = ? WHERE id = ?", err);
    if (!s)
        return pay_err(err);
    db_bind_text(s, 1, pay_status_name(st));
    db_bind_text(s, 2, problem);
    db_bind_int(s, 3, pc_now_unix());
    db_bind_text(s, 4, id);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

static const char *service_name(struct db *db, struct pc_arena *a, const char *id)
{
    struct cat_service s;
    return cat_get_service(db, a, id, &s, NULL) == 0 ? pc_text_get(&s.name, PC_LANG_AZ) : id;
}

/* A new payment row, then the provider asked for it; the payer comes back
 * to return_base + return_fmt (with the payment's id). */
static int create(struct db_conn *c, struct pay_provider *prov, const struct pay_order *o, const char *return_base,
                  const char *return_fmt, int64_t now, struct pc_arena *a, struct pay_payment *out, struct pc_err *err)
{
    char rnd[25];
    pc_random_hex(rnd, 12);
    const char *id = pc_arena_printf(a, "PAY-%s", rnd);
    struct db_stmt *s = db_prepare(c, "INSERT INTO pay_payments(id, application_id, service_id, agency_id, account_id,"
                                      " amount_qepik, status, provider, created_at, updated_at)"
                                      " VALUES (?, ?, ?, ?, ?, ?, 'created', ?, ?, ?)", err);
    if (!s)
        return pay_err(err);
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, o->subject);
    db_bind_text(s, 3, o->service_id);
    db_bind_text(s, 4, o->agency_id);
    db_bind_text(s, 5, o->account_id ? o->account_id : "");
    db_bind_int(s, 6, o->amount_qepik);
    db_bind_text(s, 7, prov->ops->name);
    db_bind_int(s, 8, now);
    db_bind_int(s, 9, now);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    /* the row exists before the provider is asked: a callback for it can
     * never find nothing, even if our call times out */
    struct pay_create_req req = {
        .reference = id, .amount_qepik = o->amount_qepik, .description = o->description,
        .return_url = pc_arena_printf(a, "%s%s", return_base, pc_arena_printf(a, return_fmt, id)),
        .callback_url = prov->callback_url,
    };
    struct pay_created made;
    int rc = prov->ops->create(prov->ctx, &req, a, &made, err);
    if (rc) {
        struct pc_err e2 = {0};
        set_status(c, id, PAY_ERROR, err->msg, &e2);
        pc_log(PC_LOG_WARN, "pay.create_failed", "payment", id, "msg", err->msg, NULL);
        /* to the payer a refusal is the provider being unusable: try later */
        struct pc_err why = *err;
        return rc == PC_EUNAVAIL ? rc : pc_err_set(err, PC_EUNAVAIL, "%s", why.msg);
    }
    s = db_prepare(c, "UPDATE pay_payments SET provider_id = ?, next_url = ?, updated_at = ? WHERE id = ?", err);
    if (!s)
        return pay_err(err);
    db_bind_text(s, 1, made.provider_id);
    db_bind_text(s, 2, made.next_url);
    db_bind_int(s, 3, now);
    db_bind_text(s, 4, id);
    if ((n = db_run(s, err)) < 0)
        return (int)n;
    return pay_load(c, a, id, out, err);
}

int pay_start_order(struct db *db, struct pay_provider *prov, const struct pay_order *o, const char *return_base,
                    const char *return_fmt, struct pc_arena *a, struct pay_payment *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (o->amount_qepik <= 0)
        return pc_err_set(err, PC_EINVAL, "nothing to pay");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return pay_err(err);
    return create(c, prov, o, return_base, return_fmt, pc_now_unix(), a, out, err);
}

int pay_start(struct db *db, const struct form_set *forms, struct pay_provider *prov, const struct id_principal *who,
              const char *ref_or_id, const char *return_base, struct pc_arena *a, struct pay_payment *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    struct case_app app;
    int rc = case_load(db, a, ref_or_id, &app, err);
    if (rc)
        return rc;
    struct id_resource res = {.owner = app.applicant};
    if (!who || !pc_str_eq(who->account_id, app.applicant) || !id_authorize(who, ID_ACT_VIEW_CASE, &res))
        return pc_err_set(err, PC_ENOTFOUND, "no such application");
    if (app.status == CS_CANCELLED)
        return pc_err_set(err, PC_EINVAL, "the application was cancelled");
    /* a draft is paid for only once it could be submitted: no money is
     * taken for answers that would stop it */
    const struct form_def *def = app.status == CS_DRAFT && forms
                                     ? form_set_version(forms, app.service_id, app.form_version) : NULL;
    if (def && case_draft_problem_page(def, &app))
        return pc_err_set(err, PC_EINVAL, "some answers need attention before paying");
    int64_t fee;
    if ((rc = pay_fee_of(db, a, app.service_id, &fee, err)))
        return rc;
    if (fee <= 0)
        return pc_err_set(err, PC_EINVAL, "this service has no fee");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return pay_err(err);
    bool found;
    if ((rc = current_payment(c, a, app.id, out, &found, err)))
        return rc;
    int64_t now = pc_now_unix();
    if (found && out->status == PAY_SUCCESS) {
        /* paid already: make sure the draft went in, then say so */
        if ((rc = pay_settle_application(db, forms, out, err)))
            return rc;
        return pc_err_set(err, PC_ECONFLICT, "the fee of this application is paid");
    }
    if (found && out->next_url && now - out->created_at < PAY_EXPIRE_SECS)
        return 0; /* the payment under way: the same page, no second charge */
    if (found && (rc = set_status(c, out->id, PAY_EXPIRED, NULL, err)))
        return rc;
    struct pay_order order = {.subject = app.id, .service_id = app.service_id, .agency_id = app.agency_id,
                              .account_id = app.applicant, .amount_qepik = fee,
                              .description = service_name(db, a, app.service_id)};
    return create(c, prov, &order, return_base, "/payments/%s/return", now, a, out, err);
}

int pay_settle_application(struct db *db, const struct form_set *forms, const struct pay_payment *p,
                           struct pc_err *err)
{
    if (p->status != PAY_SUCCESS)
        return 0;
    struct pc_arena a;
    pc_arena_init(&a);
    struct case_app app;
    int rc = case_load(db, &a, p->application_id, &app, err);
    if (rc == 0 && app.status == CS_DRAFT && forms) {
        struct case_app out;
        rc = case_draft_submit_paid(db, forms, app.id, p->id, &a, &out, err);
        if (rc == 0)
            pc_log(PC_LOG_INFO, "pay.application_submitted", "payment", p->id, "reference", out.reference, NULL);
    }
    pc_arena_release(&a);
    return rc;
}

int pay_expire(struct db *db, int64_t now, int64_t *n, struct pc_err *err)
{
    *n = 0;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "UPDATE pay_payments SET status = 'expired', updated_at = ?"
                                          " WHERE status IN ('created', 'started', 'submitted') AND created_at < ?", err)
                          : NULL;
    if (!s)
        return pay_err(err);
    db_bind_int(s, 1, now);
    db_bind_int(s, 2, now - PAY_EXPIRE_SECS);
    *n = db_run(s, err);
    return *n < 0 ? (int)*n : 0;
}

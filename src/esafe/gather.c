/* gather.c — what the e-safe takes from the other modules through their
 * headers, never their tables: the decisions of the owner's decided
 * applications (cases; the agency's sealed text from pki when there is
 * one), the sealed outcome of an appeal (pki, kind "appeal") and the receipts of their successful payments (pay).  Run before
 * the owner's e-safe is shown; each document goes in once (esafe_add's
 * key), and one removed by retention keeps its row, so it is not put
 * back.  Decisions made before the e-safe existed arrive the same way. */
#include "internal.h"

#include "../cases/cases.h"
#include "../catalog/catalog.h"
#include "../pay/pay.h"
#include "../pki/pki.h"

#include <stdlib.h>
#include <string.h>

#define GATHER_PAGES 5               /* up to 500 of the newest applications */

/* Is (owner, kind, source, ref) in the e-safe already (even removed)? */
static int known(struct db *db, const struct esafe_owner *o, enum esafe_kind k, const char *source, const char *ref,
                 bool *yes, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT 1 FROM esafe_docs WHERE owner_type = ? AND owner_id = ? AND kind = ?"
                                          " AND source = ? AND source_ref = ?", err) : NULL;
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, es_owner_type_name(o->type));
    db_bind_text(s, 2, o->id);
    db_bind_text(s, 3, esafe_kind_name(k));
    db_bind_text(s, 4, source);
    db_bind_text(s, 5, ref);
    int rc = db_step(s, err);
    *yes = rc == 1;
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

static const char *service_name(struct db *db, struct pc_arena *a, const char *id)
{
    struct cat_service s;
    return cat_get_service(db, a, id, &s, NULL) == 0 ? pc_text_get(&s.name, PC_LANG_AZ) : id;
}

/* The decision as the agency sealed it, or else its facts as text. */
static const char *decision_text(struct db *db, struct pc_arena *a, const struct case_app *app, const char *service)
{
    struct pki_sealed_doc sealed;
    if (pki_doc_get(db, a, app->reference, "decision", &sealed, NULL) == 0)
        return sealed.document;
    char at[21];
    pc_rfc3339(app->decided_at, at);
    return pc_arena_printf(a, "%s\n%s\n%s\n%s\n%s\n", app->reference, service, case_state_notice(app->status, PC_LANG_AZ),
                           at, app->decision ? app->decision : "");
}

static int gather_decision(struct db *db, struct pc_arena *a, const struct esafe_owner *o, const struct case_app *app,
                           const char *service, struct pc_err *err)
{
    bool yes;
    int rc = known(db, o, ESAFE_DECISION, "cases", app->reference, &yes, err);
    if (rc || yes)
        return rc;
    const char *text = decision_text(db, a, app, service);
    struct esafe_new d = {
        .owner = *o, .kind = ESAFE_DECISION, .title = pc_arena_printf(a, "%.150s — %s", service, app->reference),
        .source = "cases", .source_ref = app->reference, .bytes = text, .len = strlen(text),
        .content_type = "text/plain; charset=utf-8", .file_name = pc_arena_printf(a, "%s.txt", app->reference),
    };
    char id[ESAFE_ID_LEN + 1];
    return esafe_add_db(db, &d, id, err);
}

/* The agency's sealed decision on an appeal of the application, if any
 * (whatever the state: a granted appeal sends the case back to review). */
static int gather_appeal(struct db *db, struct pc_arena *a, const struct esafe_owner *o, const struct case_app *app,
                         const char *service, struct pc_err *err)
{
    struct pki_sealed_doc sealed;
    if (!app->decided_at || pki_doc_get(db, a, app->reference, "appeal", &sealed, NULL))
        return 0;
    const char *ref = pc_arena_printf(a, "%s/appeal", app->reference);
    bool yes;
    int rc = known(db, o, ESAFE_DECISION, "cases", ref, &yes, err);
    if (rc || yes)
        return rc;
    struct esafe_new d = {
        .owner = *o, .kind = ESAFE_DECISION,
        .title = pc_arena_printf(a, "Şikayət üzrə qərar / Decision on the appeal: %.120s — %s", service, app->reference),
        .source = "cases", .source_ref = ref, .bytes = sealed.document, .len = sealed.document_len,
        .content_type = "text/plain; charset=utf-8", .file_name = pc_arena_printf(a, "%s-appeal.txt", app->reference),
    };
    char id[ESAFE_ID_LEN + 1];
    return esafe_add_db(db, &d, id, err);
}

static int gather_receipts(struct db *db, struct pc_arena *a, const struct esafe_owner *o, const struct case_app *app,
                           const char *service, struct pc_err *err)
{
    struct pay_payment *list;
    size_t n;
    int rc = pay_list_for(db, a, app->id, &list, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        if (list[i].status != PAY_SUCCESS)
            continue;
        bool yes;
        if ((rc = known(db, o, ESAFE_RECEIPT, "pay", list[i].id, &yes, err)) || yes)
            continue;
        struct cat_agency ag;
        struct pay_receipt_info info = {
            .p = &list[i], .service = service, .application_ref = app->reference ? app->reference : "—",
            .agency = cat_get_agency(db, a, list[i].agency_id, &ag, NULL) == 0 ? pc_text_get(&ag.name, PC_LANG_AZ)
                                                                              : list[i].agency_id,
        };
        unsigned char *pdf;
        size_t len;
        if ((rc = pay_receipt_pdf(&info, &pdf, &len, err)))
            break;
        struct esafe_new d = {
            .owner = *o, .kind = ESAFE_RECEIPT, .title = pc_arena_printf(a, "Qəbz %s — %.150s", list[i].id, service),
            .source = "pay", .source_ref = list[i].id, .bytes = pdf, .len = len, .content_type = "application/pdf",
            .file_name = pc_arena_printf(a, "%s.pdf", list[i].id),
        };
        char id[ESAFE_ID_LEN + 1];
        rc = esafe_add_db(db, &d, id, err);
        free(pdf);
    }
    return rc;
}

int esafe_gather(struct db *db, const struct esafe_owner *o, const char *account_id, struct pc_err *err)
{
    if (es_owner_check(o, err))
        return err->code;
    struct pc_arena a;
    pc_arena_init(&a);
    struct case_filter f = {.applicant = account_id, .limit = 100};
    int rc = 0;
    for (int page = 0; !rc && page < GATHER_PAGES; page++) {
        struct case_list l;
        if ((rc = case_list(db, &a, &f, &l, err)))
            break;
        for (size_t i = 0; !rc && i < l.n; i++) {
            const struct case_app *app = &l.items[i];
            /* a person's own applications, or those filed for this company */
            bool theirs = o->type == ESAFE_PERSON ? !app->acting_for || !*app->acting_for
                                                  : pc_str_eq(app->acting_for, o->id);
            if (!theirs || !app->reference)
                continue;
            const char *service = service_name(db, &a, app->service_id);
            if (case_state_decided(app->status))
                rc = gather_decision(db, &a, o, app, service, err);
            if (!rc)
                rc = gather_appeal(db, &a, o, app, service, err);
            if (!rc)
                rc = gather_receipts(db, &a, o, app, service, err);
        }
        if (!l.next)
            break;
        f.cursor = l.next;
    }
    pc_arena_release(&a);
    return rc;
}

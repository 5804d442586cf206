/* reads.c — "who looked at my data" for applications: the one place that
 * writes a staff member's read of a case (the office page, the API's
 * answer, a step's answer, a downloaded file) into the applicant's
 * personal-data access log, with the role the read was allowed by. */
#include "internal.h"
#include "../audit/audit.h"
#include "../identity/identity.h"

static const char *const read_kinds[] = {[CASE_READ_CASE] = "case", [CASE_READ_FILE] = "file"};

int case_record_staff_read(struct db *db, const struct id_principal *who, const struct case_app *app,
                           enum case_read what, struct pc_err *err)
{
    /* the applicant's own reads, and cases of nobody on record, are no one else's business */
    if (!app->applicant_fin || pc_str_eq(who->account_id, app->applicant))
        return 0;
    struct id_resource res = {.owner = app->applicant, .agency_id = app->agency_id};
    int role = id_authorize_role(who, ID_ACT_VIEW_CASE, &res);
    if (role < 0)
        return pc_err_set(err, PC_EDENIED, "no role of this account may read case %s",
                          app->reference ? app->reference : app->id);
    struct access_entry e = {.subject_fin = app->applicant_fin, .accessor = who->account_id,
                             .accessor_role = id_role_name((enum id_role)role), .agency_id = app->agency_id,
                             .data_kind = read_kinds[what], .ground = app->reference};
    struct db_conn *c = db_conn_get(db, err);
    return c ? audit_access_record(c, &e, err) : case_err(err);
}

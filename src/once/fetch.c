/* fetch.c — the one way src/once asks a registry: through the portal's
 * gateway with the citizen's FİN and the matter, and the answer written
 * into the citizen's personal-data access log ("who looked at my data":
 * which registry answered, when, for what). */
#include "internal.h"
#include "../audit/audit.h"

#include <stdio.h>
#include <string.h>

const char *once_str(struct pc_arena *a, const json_t *doc, const char *key)
{
    const char *s = json_string_value(json_object_get(doc, key));
    return s ? pc_arena_strdup(a, s) : NULL;
}

int once_fetch(struct xc *x, struct db *db, struct pc_arena *a, const char *kind, const char *path, const char *fin,
               const char *issue, json_t **doc, struct once_source *src, struct pc_err *err)
{
    memset(src, 0, sizeof *src);
    if (!x)
        return pc_err_set(err, PC_EUNAVAIL, "the portal is not connected to the exchange (no --exchange-gateway)");
    struct xc_answer ans;
    int rc = xc_get_json(x, a, kind, path, fin, issue, doc, &ans, err);
    *src = (struct once_source){kind, ans.service, ans.message_id, ans.at};
    /* Only the register's own answer decides (a record, or 404: none).  The
     * exchange refusing (an X-Road fault: UnknownService, AccessDenied …),
     * or no service named for the kind, means the register could not be
     * asked: to the citizen and the desk that is "not available now", never
     * "no such person" or "not allowed". */
    if (rc && ((ans.fault_type && *ans.fault_type) || !ans.status) && rc != PC_EUNAVAIL && rc != PC_EINVAL) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err ? err->msg : "");
        return pc_err_set(err, PC_EUNAVAIL, "the %s register could not be asked: %s", kind, why);
    }
    if (rc && rc != PC_ENOTFOUND)
        return rc;
    /* the register answered (a record, or none): the citizen is told it was asked */
    int lrc = 0;
    if (fin && ans.status) {
        struct access_entry e = {.subject_fin = fin, .accessor = ans.service, .accessor_role = "exchange",
                                 .agency_id = "", .data_kind = kind, .ground = issue ? issue : ""};
        struct db_conn *c = db_conn_get(db, err);
        lrc = c ? audit_access_record(c, &e, err) : err->code ? err->code : PC_EIO;
    }
    return lrc ? lrc : rc;
}

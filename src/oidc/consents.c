/* consents.c — the person's own view of the sites they let in: the list
 * of their consents, and withdrawing one (the consent forgotten, so the
 * site asks again, and the site's access tokens for the person revoked
 * at once). */
#include "internal.h"

#include <string.h>

int oidc_consent_list(struct oidc *o, struct pc_arena *a, const char *account_id, struct oidc_consent **out,
                      size_t *n, struct pc_err *err)
{
    *out = NULL;
    *n = 0;
    struct db_conn *c = db_conn_get(o->db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT client_id, scopes, granted_at FROM oidc_consents"
                                          " WHERE account_id = ? ORDER BY granted_at DESC, client_id", err) : NULL;
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, account_id);
    struct oidc_consent *list = pc_arena_array(a, OIDC_CONSENTS_MAX, sizeof *list);
    const char *ids[OIDC_CONSENTS_MAX];
    size_t k = 0;
    int rc;
    while (k < OIDC_CONSENTS_MAX && (rc = db_step(s, err)) == 1) {
        ids[k] = pc_arena_strdup(a, db_col_text(s, 0));
        list[k].scopes = (unsigned)db_col_int(s, 1);
        list[k++].granted_at = db_col_int(s, 2);
    }
    db_conn_idle(c);
    if (k < OIDC_CONSENTS_MAX && rc < 0)
        return rc;
    /* the clients after the rows: a lookup must not reset the statement being read */
    for (size_t i = 0; i < k; i++) {
        if ((rc = oidc_client_get(o->db, a, ids[i], &list[*n].client, err)) == PC_ENOTFOUND)
            continue;
        if (rc)
            return rc;
        list[*n].scopes = list[i].scopes;
        list[*n].granted_at = list[i].granted_at;
        (*n)++;
    }
    *out = list;
    return 0;
}

int oidc_consent_withdraw(struct oidc *o, const struct id_principal *who, const char *client_id, const char *ip,
                          struct pc_err *err)
{
    struct db_conn *c;
    int rc = audit_begin(o->db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "DELETE FROM oidc_consents WHERE account_id = ? AND client_id = ?", err);
    int64_t rows = s ? 0 : -1;
    if (s) {
        db_bind_text(s, 1, who->account_id);
        db_bind_text(s, 2, client_id);
        rows = db_run(s, err);
    }
    rc = rows < 0 ? oidc__failed(err) : rows == 0 ? pc_err_set(err, PC_ENOTFOUND, "no consent for this site") : 0;
    if (!rc && (s = db_prepare(c, "UPDATE oidc_tokens SET revoked_at = ? WHERE account_id = ? AND client_id = ?"
                                  " AND revoked_at IS NULL", err))) {
        db_bind_int(s, 1, pc_now_unix());
        db_bind_text(s, 2, who->account_id);
        db_bind_text(s, 3, client_id);
        rc = oidc__ran(db_run(s, err));
    } else if (!rc) {
        rc = oidc__failed(err);
    }
    struct audit_entry e = {.actor = who->account_id, .role = "citizen", .action = "oidc.consent.withdraw",
                            .object_type = "oidc_client", .object_id = client_id, .ip = ip ? ip : "",
                            .detail = "the site's tokens for the person revoked"};
    return audit_end(c, rc, &e, err);
}

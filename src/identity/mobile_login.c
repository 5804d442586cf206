/* mobile_login.c — the two login methods of the phone (issue 10): the
 * mobile signature ("mobile": the person types their number and FİN and
 * approves on the phone) and QR login ("qr": the phone scans the code the
 * login page shows).  Neither holds a secret identity could check: the
 * web has the relying party's client verify the phone's signature over
 * its own challenge and the certificate's chain, status and FİN
 * (mid_client_verify) before it calls id_login with one of these methods
 * and the proven FİN as the login.  The method then only finds the
 * person's citizen account — made and activated if the person has none
 * yet, since the SIM was bound at a registration desk that checked the ID
 * card — and refuses a disabled one.  id_login does the rest: throttling, the
 * audited session, the second factor when the account has one. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

static int proven_authenticate(struct db *db, struct pc_arena *a, const struct id_login_request *req,
                               const char **account_id, struct pc_err *err)
{
    char fin[ID_LOGIN_KEY];
    enum id_account_kind kind;
    if (id_login_key(req->login, fin, &kind) || kind != ID_ACCOUNT_CITIZEN)
        return pc_err_set(err, PC_EDENIED, "the phone proved no FİN");
    int rc = id_citizen_account(db, a, fin, NULL, "mobile-signature", account_id, err);
    if (rc == PC_ENOTFOUND || rc == PC_EINVAL)
        return pc_err_set(err, PC_EDENIED, "no person with FİN %s", fin);
    if (rc)
        return rc;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT status FROM accounts WHERE id = ?", err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, *account_id);
    rc = db_step(s, err);
    if (rc < 0)
        return rc;
    bool active = rc == 1 && pc_str_eq(db_col_text(s, 0), "active");
    bool pending = rc == 1 && pc_str_eq(db_col_text(s, 0), "pending");
    db_conn_idle(c);
    if (active)
        return 0;
    if (!pending)
        return pc_err_set(err, PC_EDENIED, "the account of FİN %s is disabled", fin);
    /* a pending account is activated by the proof (it has no password
     * yet: the code-password is still set with an activation code) */
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    s = db_prepare(c, "UPDATE accounts SET status = 'active' WHERE id = ? AND status = 'pending'", err);
    if (s)
        db_bind_text(s, 1, *account_id);
    int64_t n = s ? db_run(s, err) : -1;
    struct audit_entry e = {.actor = *account_id, .role = "citizen", .action = "account.activated",
                            .object_type = "account", .object_id = *account_id, .ip = req->ip ? req->ip : "",
                            .detail = "by the mobile signature"};
    return audit_end(c, n < 0 ? id_failed(err) : 0, &e, err);
}

const struct id_login_method id_login_mobile = {
    .name = "mobile",
    .authenticate = proven_authenticate,
};

const struct id_login_method id_login_qr = {
    .name = "qr",
    .authenticate = proven_authenticate,
};

/* enrol.c — the registration desk binds a SIM to a person: the CA
 * issues the certificates of the SIM's authentication and signing keys
 * (profiles mobile-auth and mobile-sign, from the SIM's own CSRs: the
 * keys never leave it), then the number is bound to the person, the two
 * serials and the SIM's channel key, with an audit entry.
 *
 * The certificates are committed by the CA before the binding: if a later
 * step fails, what was issued is revoked again (cessationOfOperation), so
 * no certificate stays valid for a SIM that is not bound.  A number bound
 * before gets the new SIM and the old SIM's certificates are revoked
 * (superseded): one number, one SIM. */
#include "internal.h"
#include "../pki/pki.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <string.h>

/* The channel key must be an EC P-256 public key (what the SIM signs its
 * requests with); its DER, base64url. */
static int channel_key(struct pc_arena *a, const char *pem, const char **b64, struct pc_err *err)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    ERR_clear_error();
    char curve[32] = "";
    size_t len = 0;
    bool ok = k && EVP_PKEY_is_a(k, "EC") && EVP_PKEY_get_utf8_string_param(k, "group", curve, sizeof curve, &len) &&
              strcmp(curve, "prime256v1") == 0;
    *b64 = ok ? mi_spki_b64(a, k) : NULL;
    EVP_PKEY_free(k);
    ERR_clear_error();
    return ok && *b64 ? 0 : pc_err_set(err, PC_EINVAL, "the SIM's channel key must be an EC P-256 public key");
}

/* Undo an issuance whose binding did not happen; a failure here is
 * logged (the operator revokes by hand). */
static void take_back(struct mid_service *m, const struct pki_actor *who, const char *serial, int reason)
{
    struct pc_err err = {0};
    if (serial && pki_revoke(m->ca, who, serial, reason, &err) && err.code != PC_ECONFLICT)
        pc_log(PC_LOG_ERROR, "mobile.revoke_failed", "serial", serial, "msg", err.msg, NULL);
}

int mid_enrol(struct mid_service *m, struct pc_arena *a, const struct pki_actor *who, const struct mid_enrolment *e,
              struct mid_binding *out, struct pc_err *err)
{
    if (who->role == PKI_ACTOR_HOLDER)
        return pc_err_set(err, PC_EDENIED, "a SIM is bound at a registration desk");
    char phone[MID_PHONE_MAX + 1];
    if (!mid_phone_normalize(e->phone, phone))
        return pc_err_set(err, PC_EINVAL, "the phone number must be + and 8 to 15 digits");
    const char *key;
    int rc = channel_key(a, e->channel_key, &key, err);
    if (rc)
        return rc;
    struct pki_holder h = {.fin = e->fin, .name = e->name};
    struct pki_cert auth, sign;
    if ((rc = pki_issue_csr(m->ca, a, who, "mobile-auth", &h, e->auth_csr, strlen(e->auth_csr), "desk", &auth, err)))
        return rc;
    if ((rc = pki_issue_csr(m->ca, a, who, "mobile-sign", &h, e->sign_csr, strlen(e->sign_csr), "desk", &sign, err))) {
        take_back(m, who, auth.serial, PKI_REASON_CESSATION);
        return rc;
    }
    struct db_conn *c = db_conn_get(m->db, err);
    struct mi_client_row old = {0}, row = {.phone = phone, .fin = e->fin, .name = e->name,
                                           .auth_serial = auth.serial, .sign_serial = sign.serial, .channel_key = key};
    rc = c ? db_begin(c, err) : err->code ? err->code : PC_EUNAVAIL;
    if (!rc) {
        int had = mi_client_get(c, a, phone, &old, err);
        rc = had == PC_ENOTFOUND ? 0 : had;
        if (!rc)
            rc = mi_client_put(c, &row, who->id ? who->id : "unknown", err);
        if (!rc)
            rc = mi_audit(c, who->id ? who->id : "unknown", who->role == PKI_ACTOR_REGISTRAR ? "registrar" : "operator",
                          "mobile.enrolled", phone, who->ip,
                          pc_arena_printf(a, "fin=%s auth=%s sign=%s%s%s", e->fin, auth.serial, sign.serial,
                                          old.phone ? " replaces " : "", old.phone ? old.auth_serial : ""), err);
        rc = db_end(c, rc, err);
    }
    if (rc) {
        take_back(m, who, auth.serial, PKI_REASON_CESSATION);
        take_back(m, who, sign.serial, PKI_REASON_CESSATION);
        return rc;
    }
    if (old.phone) {
        take_back(m, who, old.auth_serial, PKI_REASON_SUPERSEDED);
        take_back(m, who, old.sign_serial, PKI_REASON_SUPERSEDED);
    }
    *out = (struct mid_binding){.phone = pc_arena_strdup(a, phone), .fin = e->fin, .auth_serial = auth.serial,
                                .sign_serial = sign.serial};
    return 0;
}

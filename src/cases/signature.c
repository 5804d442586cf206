/* signature.c — signed applications (issue 10): the canonical bytes of an
 * application (what its applicant signs: the service, the form's version,
 * who applies and for whom, and the answers, which carry the attached
 * files' SHA-256 digests), the applicant's detached CMS signature over
 * them checked with pki (valid, trusted, not revoked, made by the
 * applicant with a signing certificate, a card's or a mobile
 * signature's, or with the single-purpose certificate of this very
 * service), and the signature kept with the
 * bytes it signs (table case_signatures). */
#include "internal.h"
#include "../audit/audit.h"
#include "../pki/pki.h"

#include <string.h>

const char *case_canonical(struct pc_arena *a, const struct case_app *app, size_t *len)
{
    json_t *j = json_pack("{s:s, s:s, s:i, s:s, s:O}", "application", app->id, "service", app->service_id,
                          "form_version", app->form_version, "applicant_fin", app->applicant_fin ? app->applicant_fin : "",
                          "answers", app->answers->j);
    if (app->acting_for)
        json_object_set_new(j, "acting_for", json_string(app->acting_for));
    char *text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(j);
    if (!text)
        pc_oom(0);
    const char *out = pc_arena_strdup(a, text);
    free(text);
    *len = strlen(out);
    return out;
}

/* The profiles an applicant signs with: the qualified signing
 * certificates of a person and a representative, and a single-purpose one
 * for its own service. */
static enum case_sign_problem signer_problem(const struct pki_verify_report *v, const struct case_app *app)
{
    switch (v->verdict) {
    case PKI_VERDICT_VALID:
        break;
    case PKI_VERDICT_UNTRUSTED:
        return CASE_SIGN_UNTRUSTED;
    case PKI_VERDICT_REVOKED:
        return CASE_SIGN_REVOKED;
    case PKI_VERDICT_STATUS_UNKNOWN:
        return CASE_SIGN_STATUS_UNKNOWN;
    default:
        return CASE_SIGN_BAD;
    }
    if (!v->signer_fin || !app->applicant_fin || !pc_str_eq(v->signer_fin, app->applicant_fin))
        return CASE_SIGN_NOT_APPLICANT;
    const char *p = v->signer_profile ? v->signer_profile : "";
    if (pc_str_eq(p, "citizen") || pc_str_eq(p, "representative") || pc_str_eq(p, "mobile-sign"))
        return CASE_SIGN_OK;
    if (pc_str_eq(p, "single-purpose") && v->signer_service && pc_str_eq(v->signer_service, app->service_id))
        return CASE_SIGN_OK;
    return CASE_SIGN_WRONG_PROFILE;
}

static int store(struct db_conn *c, const struct case_signature *s, const char *app_id, struct pc_err *err)
{
    struct db_stmt *st = db_prepare(c, "INSERT INTO case_signatures(app_id, signed_text, digest, cms, signer_name,"
                                       " signer_fin, signer_serial, signer_profile, signing_time, verified_at)"
                                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(app_id) DO UPDATE SET"
                                       " signed_text = excluded.signed_text, digest = excluded.digest, cms = excluded.cms,"
                                       " signer_name = excluded.signer_name, signer_fin = excluded.signer_fin,"
                                       " signer_serial = excluded.signer_serial, signer_profile = excluded.signer_profile,"
                                       " signing_time = excluded.signing_time, verified_at = excluded.verified_at", err);
    if (!st)
        return case_err(err);
    db_bind_text(st, 1, app_id);
    db_bind_text(st, 2, s->signed_text);
    db_bind_text(st, 3, s->digest);
    db_bind_text(st, 4, s->cms_b64);
    db_bind_text(st, 5, s->signer_name);
    db_bind_text(st, 6, s->signer_fin);
    db_bind_text(st, 7, s->signer_serial);
    db_bind_text(st, 8, s->signer_profile);
    if (s->signing_time)
        db_bind_int(st, 9, s->signing_time);
    else
        db_bind_null(st, 9);
    db_bind_int(st, 10, s->verified_at);
    int64_t n = db_run(st, err);
    return n < 0 ? (int)n : 0;
}

int case_sign(struct db *db, const struct pki_trust *trust, const struct id_principal *who, const char *app_id,
              const void *cms, size_t cms_len, const char *ip, struct pc_arena *a, struct case_signature *out,
              enum case_sign_problem *problem, struct pc_err *err)
{
    *problem = CASE_SIGN_BAD;
    struct case_app app;
    int rc = case_load(db, a, app_id, &app, err);
    if (rc)
        return rc;
    if (!who || !pc_str_eq(who->account_id, app.applicant))
        return pc_err_set(err, PC_ENOTFOUND, "no such application");
    if (app.status != CS_DRAFT)
        return pc_err_set(err, PC_ECONFLICT, "the application was sent already: it can no longer be signed");
    if (cms_len == 0 || cms_len > PKI_SIG_MAX)
        return pc_err_set(err, PC_EINVAL, "the signature is empty or larger than %d bytes", PKI_SIG_MAX);
    size_t len;
    const char *text = case_canonical(a, &app, &len);
    struct pki_verify_report v;
    if ((rc = pki_cms_verify(a, trust, text, len, cms, cms_len, &v, err)))
        return rc;
    *problem = signer_problem(&v, &app);
    if (*problem == CASE_SIGN_STATUS_UNKNOWN)
        return pc_err_set(err, PC_EUNAVAIL, "the signing certificate's status cannot be learned now: %s",
                          v.detail ? v.detail : "");
    struct db_conn *c;
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    struct audit_entry e = {.actor = who->account_id, .role = who->acting_for ? "representative" : "citizen",
                            .object_type = "application", .object_id = app.id, .ip = ip ? ip : ""};
    if (*problem != CASE_SIGN_OK) {
        e.action = "application.sign_refused";
        e.detail = pc_arena_printf(a, "%s%s%s", case_sign_problem_name(*problem), v.signer_serial ? " " : "",
                                   v.signer_serial ? v.signer_serial : "");
        if ((rc = audit_end(c, 0, &e, err)))
            return rc;
        return pc_err_set(err, PC_EINVAL, "the signature is refused: %s", case_sign_problem_name(*problem));
    }
    char digest[65];
    pc_sha256_hex(text, len, digest);
    char *b64 = pc_arena_alloc(a, 4 * cms_len / 3 + 4);
    b64[pc_b64url_encode(cms, cms_len, b64)] = 0;
    *out = (struct case_signature){.signed_text = text, .signed_len = len, .digest = pc_arena_strdup(a, digest),
                                   .cms_b64 = b64, .signer_name = v.signer_name ? v.signer_name : "",
                                   .signer_fin = v.signer_fin, .signer_serial = v.signer_serial ? v.signer_serial : "",
                                   .signer_profile = v.signer_profile,
                                   .signing_time = v.has_signing_time ? v.signing_time : 0,
                                   .verified_at = pc_now_unix()};
    e.action = "application.signed";
    e.detail = pc_arena_printf(a, "certificate %s", out->signer_serial);
    return audit_end(c, store(c, out, app.id, err), &e, err);
}

int case_signature_get(struct db *db, struct pc_arena *a, const char *app_id, struct case_signature *out,
                       struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return case_err(err);
    struct db_stmt *s = db_prepare(c, "SELECT signed_text, digest, cms, signer_name, signer_fin, signer_serial,"
                                      " signer_profile, signing_time, verified_at FROM case_signatures WHERE app_id = ?",
                                   err);
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, app_id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        db_conn_idle(c);
        return pc_err_set(err, PC_ENOTFOUND, "the application is not signed");
    }
    const char *f[7];
    for (int i = 0; i < 7; i++)
        f[i] = pc_arena_strdup(a, db_col_text(s, i));
    *out = (struct case_signature){.signed_text = f[0], .signed_len = strlen(f[0]), .digest = f[1], .cms_b64 = f[2],
                                   .signer_name = f[3], .signer_fin = f[4], .signer_serial = f[5],
                                   .signer_profile = f[6], .signing_time = db_col_int(s, 7),
                                   .verified_at = db_col_int(s, 8)};
    db_conn_idle(c);
    return 0;
}

int case_signature_der(struct pc_arena *a, const struct case_signature *s, const unsigned char **der, size_t *len)
{
    size_t n = strlen(s->cms_b64);
    unsigned char *buf = pc_arena_alloc(a, n + 1);
    long got = pc_b64url_decode(s->cms_b64, n, buf, n + 1);
    if (got <= 0)
        return PC_EIO;
    *der = buf;
    *len = (size_t)got;
    return 0;
}

/* Whether the draft as it is now carries a signature of its own bytes. */
int case_signed_now(struct db *db, struct pc_arena *a, const struct case_app *app, struct pc_err *err)
{
    struct case_signature s;
    int rc = case_signature_get(db, a, app->id, &s, err);
    if (rc)
        return rc;
    size_t len;
    const char *text = case_canonical(a, app, &len);
    char digest[65];
    pc_sha256_hex(text, len, digest);
    return pc_str_eq(digest, s.digest) ? 0 : pc_err_set(err, PC_ENOTFOUND, "the answers changed after signing");
}

static const char *const problem_names[CASE_SIGN_PROBLEM_COUNT] = {
    [CASE_SIGN_OK] = "ok",
    [CASE_SIGN_BAD] = "bad-signature",
    [CASE_SIGN_UNTRUSTED] = "untrusted",
    [CASE_SIGN_REVOKED] = "revoked",
    [CASE_SIGN_STATUS_UNKNOWN] = "status-unknown",
    [CASE_SIGN_NOT_APPLICANT] = "not-the-applicant",
    [CASE_SIGN_WRONG_PROFILE] = "wrong-profile",
};

const char *case_sign_problem_name(enum case_sign_problem p)
{
    return (unsigned)p < CASE_SIGN_PROBLEM_COUNT ? problem_names[p] : "unknown";
}

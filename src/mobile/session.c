/* session.c — the life of a mobile-signature session: a relying party
 * starts it, the phone fetches it (or scans its QR code), answers with a
 * signature, a refusal or a blocked PIN, and the relying party reads how
 * it ended.  Every end is written by one UPDATE that expects the session
 * to be running, together with its audit entry; then this node's long
 * polls for it are woken (other nodes' within watch_ms, watch.c).
 *
 * Times: a session must be answered by answer_by; one still running then
 * ends as TIMEOUT if the phone had fetched it and PHONE_ABSENT if it never
 * asked (or a QR code nobody scanned: TIMEOUT), whenever it is next
 * looked at or by the watcher's sweep.  At expires_at it is forgotten: its
 * id answers 404, as Mobile-ID's do after five minutes. */
#include "internal.h"
#include "../pki/pki.h"

#include <string.h>

#define PURGE_BATCH 500

static const struct pki_actor service_actor = {.role = PKI_ACTOR_OPERATOR, .id = "mobile-service", .ip = ""};

static const char *end_action(enum mid_result r)
{
    static const char *const names[MID_RESULT_COUNT] = {
        "mobile.ok", "mobile.timeout", "mobile.not_mid_client", "mobile.user_cancelled",
        "mobile.signature_hash_mismatch", "mobile.phone_absent", "mobile.delivery_error", "mobile.sim_error",
    };
    return (unsigned)r < MID_RESULT_COUNT ? names[r] : "mobile.unknown";
}

static const char *describe(struct pc_arena *a, const struct mi_session_row *r)
{
    return pc_arena_printf(a, "%s rp=%s phone=%s fin=%s", mid_kind_name(r->kind), r->client,
                           r->phone ? r->phone : "-", r->fin ? r->fin : "-");
}

static struct db_conn *conn(struct mid_service *m, struct pc_err *err)
{
    return db_conn_get(m->db, err);
}

static int conn_failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EUNAVAIL;
}

/* The certificate of serial if it is good and valid now (PEM), else
 * PC_ENOTFOUND (NOT_MID_CLIENT). */
static int cert_good(struct mid_service *m, struct pc_arena *a, const char *serial, const char **pem,
                     struct pc_err *err)
{
    struct pki_cert cert;
    int rc = pki_cert_get(m->ca, a, &service_actor, serial, &cert, err);
    if (rc == PC_ENOTFOUND || rc == PC_EINVAL)
        return pc_err_set(err, PC_ENOTFOUND, "the SIM's certificate is not known");
    if (rc)
        return rc;
    int64_t now = pc_now_unix();
    if (cert.status != PKI_STATUS_GOOD || now < cert.not_before || now >= cert.not_after)
        return pc_err_set(err, PC_ENOTFOUND, "the SIM's certificate is %s", cert.status == PKI_STATUS_GOOD ?
                          "not valid now" : pki_status_name(cert.status));
    *pem = cert.pem;
    return 0;
}

/* End a running session with result, audited, in one transaction; then
 * wake whoever waits for it here.  0 when it ended now, PC_ECONFLICT when
 * it was no longer running. */
static int finish(struct mid_service *m, struct pc_arena *a, const struct mi_session_row *r, const char *phone,
                  enum mid_result result, const char *sig_b64, const char *serial, const char *actor, const char *why,
                  struct pc_err *err)
{
    struct db_conn *c = conn(m, err);
    if (!c)
        return conn_failed(err);
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    int n = mi_session_finish(c, r->id, phone, result, sig_b64, serial, pc_now_unix(), err);
    if (n == 1)
        rc = mi_audit(c, actor, phone ? "holder" : "system", end_action(result), r->id, "",
                      why ? pc_arena_printf(a, "%s: %s", describe(a, r), why) : describe(a, r), err);
    else
        rc = n < 0 ? n : pc_err_set(err, PC_ECONFLICT, "the session has already ended");
    rc = db_end(c, rc, err);
    if (!rc)
        mi_wake(m, MI_KEY_SESSION, r->id);
    return rc;
}

/* A running session past its time: TIMEOUT or PHONE_ABSENT. */
static int finish_overdue(struct mid_service *m, struct pc_arena *a, const struct mi_session_row *r,
                          struct pc_err *err)
{
    enum mid_result res = r->delivered_at || r->kind == MID_KIND_QR ? MID_TIMEOUT : MID_PHONE_ABSENT;
    int rc = finish(m, a, r, NULL, res, NULL, NULL, "system", NULL, err);
    return rc == PC_ECONFLICT ? 0 : rc; /* someone else ended it: read again */
}

/* ---- the relying party ------------------------------------------------------ */

static void new_qr_code(char out[MID_QR_CODE_CHARS + 1])
{
    unsigned char raw[10]; /* 80 bits, 16 characters of 5 bits */
    pc_random_bytes(raw, sizeof raw);
    for (int i = 0; i < MID_QR_CODE_CHARS; i++) {
        int bit = i * 5;
        unsigned v = ((unsigned)raw[bit / 8] << 8 | (bit / 8 + 1 < 10 ? raw[bit / 8 + 1] : 0)) >> (11 - bit % 8);
        out[i] = mi_base32[v & 31];
    }
    out[MID_QR_CODE_CHARS] = 0;
}

/* Does phone carry an active mobile signature for fin (the key kind
 * needs)?  0, PC_ENOTFOUND (no), or a failure. */
static int active_for(struct mid_service *m, struct db_conn *c, struct pc_arena *a, const char *phone,
                      const char *fin, enum mid_kind kind, struct mi_client_row *row, const char **pem,
                      struct pc_err *err)
{
    int rc = mi_client_get(c, a, phone, row, err);
    if (!rc && fin && strcmp(row->fin, fin) != 0)
        rc = pc_err_set(err, PC_ENOTFOUND, "%s is bound to another person", phone);
    if (!rc)
        rc = cert_good(m, a, kind == MID_KIND_SIGN ? row->sign_serial : row->auth_serial, pem, err);
    return rc;
}

int mid_session_start(struct mid_service *m, struct pc_arena *a, const char *client, enum mid_kind kind,
                      const struct mid_start *req, const char **session_id, const char **qr_code,
                      struct pc_err *err)
{
    int64_t now = pc_now_unix();
    char *id = pc_arena_alloc(a, MID_SESSION_ID_CHARS + 1);
    pc_random_hex(id, MID_SESSION_ID_CHARS / 2);
    struct mi_session_row r = {
        .id = id, .client = client, .rp_name = req->rp_name, .kind = kind, .hash_type = req->hash_type,
        .hash_len = req->hash_len, .lang = req->lang, .display_text = req->display_text, .created_at = now,
        .answer_by = now + (kind == MID_KIND_QR ? m->cfg.qr_secs : m->cfg.answer_secs),
        .expires_at = now + m->cfg.keep_secs,
    };
    if (r.expires_at < r.answer_by + 60)
        r.expires_at = r.answer_by + 60; /* a result can always be read for a minute */
    memcpy(r.hash, req->hash, req->hash_len);
    *session_id = id;
    *qr_code = NULL;
    struct db_conn *c = conn(m, err);
    if (!c)
        return conn_failed(err);
    int rc;
    if (kind == MID_KIND_QR) {
        char *code = pc_arena_alloc(a, MID_QR_CODE_CHARS + 1);
        char qr_hash[65];
        new_qr_code(code);
        pc_sha256_hex(code, MID_QR_CODE_CHARS, qr_hash);
        r.client_ip = req->client_ip;
        if ((rc = mi_session_insert(c, &r, qr_hash, err)))
            return rc;
        *qr_code = code;
        return 0;
    }
    r.phone = req->phone;
    r.fin = req->fin;
    struct mi_client_row binding;
    const char *pem;
    rc = active_for(m, c, a, req->phone, req->fin, kind, &binding, &pem, err);
    if (rc == PC_ENOTFOUND) {
        const char *why = pc_arena_strdup(a, err->msg);
        /* Mobile-ID answers this through the session too: one path for the
         * relying party, and the reason is in the audit log */
        r.complete = true;
        r.result = MID_NOT_MID_CLIENT;
        if ((rc = db_begin(c, err)))
            return rc;
        rc = mi_session_insert(c, &r, NULL, err);
        if (!rc)
            rc = mi_audit(c, pc_arena_printf(a, "client:%s", client), "relying-party", end_action(r.result), id, "",
                          pc_arena_printf(a, "%s: %s", describe(a, &r), why), err);
        return db_end(c, rc, err);
    }
    if (rc)
        return rc;
    int64_t running;
    if ((rc = mi_session_running(c, req->phone, now, &running, err)))
        return rc;
    if (running >= m->cfg.max_running)
        return pc_err_set(err, PC_ELIMIT, "%lld requests already wait for this phone", (long long)running);
    if ((rc = mi_session_insert(c, &r, NULL, err)))
        return rc;
    mi_wake(m, MI_KEY_PHONE, req->phone);
    return 0;
}

int mid_session_status(struct mid_service *m, struct pc_arena *a, const char *client, const char *id,
                       struct mid_status *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_conn *c = conn(m, err);
    if (!c)
        return conn_failed(err);
    struct mi_session_row r;
    int rc = strlen(id) == MID_SESSION_ID_CHARS ? mi_session_get(c, a, id, &r, err) : PC_ENOTFOUND;
    int64_t now = pc_now_unix();
    if (rc == PC_ENOTFOUND || (!rc && (strcmp(r.client, client) != 0 || now >= r.expires_at)))
        return pc_err_set(err, PC_ENOTFOUND, "no session %.40s (unknown, another's, or forgotten)", id);
    if (rc)
        return rc;
    if (!r.complete && now >= r.answer_by) {
        if ((rc = finish_overdue(m, a, &r, err)) || (rc = mi_session_get(c, a, id, &r, err)))
            return rc;
    }
    out->complete = r.complete;
    out->result = r.result;
    out->kind = r.kind;
    out->answer_by = r.answer_by;
    if (r.complete && r.result == MID_OK && r.signature && r.cert_serial) {
        unsigned char *sig = pc_arena_alloc(a, MID_SIG_MAX);
        long n = pc_b64url_decode(r.signature, strlen(r.signature), sig, MID_SIG_MAX);
        struct pki_cert cert;
        if (n <= 0)
            return pc_err_set(err, PC_EIO, "the stored signature of %s is damaged", id);
        if ((rc = pki_cert_get(m->ca, a, &service_actor, r.cert_serial, &cert, err)))
            return rc;
        out->sig = sig;
        out->sig_len = (size_t)n;
        out->cert_pem = cert.pem;
    }
    return 0;
}

int mid_certificate(struct mid_service *m, struct pc_arena *a, const char *phone, const char *fin,
                    const char **pem, struct pc_err *err)
{
    struct db_conn *c = conn(m, err);
    if (!c)
        return conn_failed(err);
    struct mi_client_row row;
    return active_for(m, c, a, phone, fin, MID_KIND_SIGN, &row, pem, err);
}

/* ---- the phone ----------------------------------------------------------------- */

static void view_of(const struct mi_session_row *r, struct mid_request_view *v)
{
    *v = (struct mid_request_view){.id = r->id, .kind = r->kind, .rp_client = r->client, .rp_name = r->rp_name,
                                   .display_text = r->display_text, .lang = r->lang, .hash_type = r->hash_type,
                                   .hash = r->hash, .hash_len = r->hash_len, .client_ip = r->client_ip,
                                   .answer_by = r->answer_by};
}

int mid_sim_pending(struct mid_service *m, struct pc_arena *a, const char *phone, struct mid_request_view **out,
                    size_t *n, size_t max, struct pc_err *err)
{
    struct db_conn *c = conn(m, err);
    if (!c)
        return conn_failed(err);
    struct mi_session_row *rows;
    int rc = mi_session_pending(c, a, phone, pc_now_unix(), max, &rows, n, err);
    if (rc)
        return rc;
    *out = pc_arena_array(a, *n ? *n : 1, sizeof **out);
    for (size_t i = 0; i < *n; i++)
        view_of(&rows[i], &(*out)[i]);
    return 0;
}

/* An audited refusal of a QR code (in a transaction of its own);
 * returns code with the message. */
static int qr_refused(struct mid_service *m, struct pc_arena *a, const char *phone, const char *id,
                      const char *action, int code, const char *why, struct pc_err *err)
{
    struct pc_err e2 = {0};
    struct db_conn *c = conn(m, &e2);
    if (c && db_begin(c, &e2) == 0)
        db_end(c, mi_audit(c, pc_arena_printf(a, "sim:%s", phone), "holder", action, id, "", why, &e2), &e2);
    if (e2.code)
        pc_log(PC_LOG_WARN, "mobile.refusal_not_recorded", "msg", e2.msg, NULL);
    return pc_err_set(err, code, "%s", why);
}

int mid_sim_claim_qr(struct mid_service *m, struct pc_arena *a, const char *phone, const char *code,
                     struct mid_request_view *out, struct pc_err *err)
{
    char qr_hash[65];
    pc_sha256_hex(code, strlen(code), qr_hash);
    struct db_conn *c = conn(m, err);
    if (!c)
        return conn_failed(err);
    struct mi_session_row r;
    int rc = mi_session_by_qr(c, a, qr_hash, &r, err);
    int64_t now = pc_now_unix();
    if (rc == PC_ENOTFOUND)
        return qr_refused(m, a, phone, NULL, "mobile.qr_unknown", PC_ENOTFOUND, "no such QR code", err);
    if (rc)
        return rc;
    if (r.phone)
        return qr_refused(m, a, phone, r.id, "mobile.qr_replayed", PC_ECONFLICT, "this QR code has been used", err);
    if (r.complete || now >= r.answer_by)
        return qr_refused(m, a, phone, r.id, "mobile.qr_expired", PC_EDENIED, "this QR code has expired", err);
    struct mi_client_row binding;
    const char *pem;
    if ((rc = active_for(m, c, a, phone, NULL, MID_KIND_QR, &binding, &pem, err))) {
        if (rc != PC_ENOTFOUND)
            return rc;
        const char *why = pc_arena_strdup(a, err->msg);
        r.phone = phone;
        finish(m, a, &r, NULL, MID_NOT_MID_CLIENT, NULL, NULL, pc_arena_printf(a, "sim:%s", phone), why, err);
        return pc_err_set(err, PC_EDENIED, "the mobile signature of %s is not active", phone);
    }
    int n = mi_session_claim(c, r.id, phone, binding.fin, now, err);
    if (n < 0)
        return n;
    if (n == 0) /* another phone was quicker */
        return qr_refused(m, a, phone, r.id, "mobile.qr_replayed", PC_ECONFLICT, "this QR code has been used", err);
    r.phone = phone;
    r.fin = binding.fin;
    view_of(&r, out);
    return 0;
}

int mid_sim_answer(struct mid_service *m, struct pc_arena *a, const char *phone, const char *id,
                   const struct mid_answer *ans, enum mid_result *result, struct pc_err *err)
{
    struct db_conn *c = conn(m, err);
    if (!c)
        return conn_failed(err);
    struct mi_session_row r;
    int rc = strlen(id) == MID_SESSION_ID_CHARS ? mi_session_get(c, a, id, &r, err) : PC_ENOTFOUND;
    if (rc == PC_ENOTFOUND || (!rc && !pc_str_eq(r.phone, phone)))
        return pc_err_set(err, PC_ENOTFOUND, "no request %.40s for this phone", id);
    if (rc)
        return rc;
    if (r.complete)
        return pc_err_set(err, PC_ECONFLICT, "the request has ended (%s)", mid_result_name(r.result));
    if (pc_now_unix() >= r.answer_by) {
        if ((rc = finish_overdue(m, a, &r, err)))
            return rc;
        return pc_err_set(err, PC_ECONFLICT, "the time to answer is over");
    }
    const char *sig_b64 = NULL, *serial = NULL, *why = NULL;
    enum mid_result res = ans->kind == MID_ANSWER_REFUSE ? MID_USER_CANCELLED : MID_SIM_ERROR;
    if (ans->kind == MID_ANSWER_SIGNATURE) {
        struct mi_client_row binding;
        const char *pem;
        struct pc_err why_err = {0};
        rc = active_for(m, c, a, phone, r.fin, r.kind, &binding, &pem, &why_err);
        if (rc && rc != PC_ENOTFOUND)
            return pc_err_set(err, rc, "%s", why_err.msg);
        if (rc) {
            res = MID_NOT_MID_CLIENT; /* revoked or suspended while the request waited */
        } else if (mid_signature_check(pem, r.hash, r.hash_len, ans->sig, ans->sig_len, &why_err)) {
            res = MID_SIGNATURE_HASH_MISMATCH;
        } else {
            res = MID_OK;
            sig_b64 = mi_b64url(a, ans->sig, ans->sig_len);
            serial = r.kind == MID_KIND_SIGN ? binding.sign_serial : binding.auth_serial;
        }
        why = res == MID_OK ? NULL : pc_arena_strdup(a, why_err.msg);
    }
    if ((rc = finish(m, a, &r, phone, res, sig_b64, serial, pc_arena_printf(a, "sim:%s", phone), why, err)))
        return rc;
    *result = res;
    return 0;
}

/* ---- the sweep (watch.c calls it) -------------------------------------------- */

int mi_sweep(struct mid_service *m, struct pc_arena *a, struct pc_err *err)
{
    struct db_conn *c = conn(m, err);
    if (!c)
        return conn_failed(err);
    int64_t now = pc_now_unix();
    const char **ids;
    size_t n;
    int rc = mi_session_overdue(c, a, now, 100, &ids, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        struct mi_session_row r;
        rc = mi_session_get(c, a, ids[i], &r, err);
        if (!rc && !r.complete)
            rc = finish_overdue(m, a, &r, err);
        if (rc == PC_ENOTFOUND)
            rc = 0; /* purged meanwhile */
    }
    return rc ? rc : mi_session_purge(c, now, PURGE_BATCH, err);
}

/* api.c — the CA role's HTTP edge (`pencere ca serve`), the only file of
 * src/pki that knows HTTP.  Public: /ca/chain.pem, /ca/ca.crt, /ca/crl,
 * /ca/ocsp (POST, and GET /ca/ocsp/BASE64), /ca/tsa, /ca/api/v1/profiles,
 * /healthz, /metrics.  For RA clients (signed requests, auth.c): the JSON
 * API under /ca/api/v1 (docs/api/openapi.yaml), agencies' seals included.  A domain error becomes an
 * answer in one place, fail(): its status and problem type come from the
 * code, the cause is logged once, a 5xx tells the client nothing more. */
#include "internal.h"
#include "../http/http.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define API "/ca/api/v1"
#define JSON_MAX (64 * 1024)
#define DOC_MAX (16 << 20)               /* a document to verify, decoded */
#define VERIFY_BODY_MAX (24 << 20)       /* … as base64 in JSON, with the signature */
#define FIELD_MAX 256
#define SEAL_BODY_MAX (2 << 20)          /* a document to seal as base64 in JSON */

static struct pki_api *app_of(struct http_req *r)
{
    return r->app;
}

/* ---- the one edge for domain errors ---------------------------------- */

static const struct {
    int code, status;
    const char *type, *title;
} problems[] = {
    {PC_EINVAL, 400, "bad-request", "Bad request"},
    {PC_EDENIED, 403, "forbidden", "Forbidden"},
    {PC_ENOTFOUND, 404, "not-found", "Not found"},
    {PC_ECONFLICT, 409, "conflict", "Conflict"},
    {PC_ETOOBIG, 413, "too-big", "Too big"},
    {PC_ELIMIT, 429, "too-many-requests", "Too many requests"},
    {PC_EUNAVAIL, 503, "unavailable", "Service unavailable"},
};

static int fail(struct http_req *r, int rc, const struct pc_err *err)
{
    if (rc == 0 && err)
        rc = err->code;
    int status = 500;
    const char *type = "internal", *title = "Internal error";
    for (size_t i = 0; i < sizeof problems / sizeof problems[0]; i++)
        if (problems[i].code == rc) {
            status = problems[i].status;
            type = problems[i].type;
            title = problems[i].title;
        }
    const char *msg = err && err->msg[0] ? err->msg : "(no message)";
    pc_log(status >= 500 ? PC_LOG_ERROR : PC_LOG_INFO, "ca.failed", "route", http_route_name(r), "code",
           pc_errcode_name(rc), "msg", msg, NULL);
    /* the key process being down is worth saying; other 5xx say nothing */
    http_problem(r, status, type, title, status < 500 || status == 503 ? msg : NULL);
    if (status == 503)
        http_set_header(r, "Retry-After", "5");
    return 0;
}

static int reply_json(struct http_req *r, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        pc_oom(0);
    http_reply_json(r, status, s);
    free(s);
    return 0;
}

static int reply_bytes(struct http_req *r, const char *type, const void *p, size_t n)
{
    r->status = 200;
    r->content_type = type;
    pc_buf_reset(&r->out);
    pc_buf_append(&r->out, p, n);
    return 0;
}

static json_t *time_or_null(int64_t t)
{
    char s[21];
    if (!t)
        return json_null();
    pc_rfc3339(t, s);
    return json_string(s);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *cert_json(const struct pki_cert *c)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:s}", "serial", c->serial,
                     "profile", c->profile, "category", pki_category_name(c->category), "subject", c->subject, "fin",
                     str_or_null(c->fin), "voen", str_or_null(c->voen), "status", pki_status_name(c->status), "reason",
                     c->status == PKI_STATUS_GOOD ? json_null() : str_or_null(pki_reason_name(c->reason)),
                     "revoked_at", time_or_null(c->revoked_at), "not_before", time_or_null(c->not_before),
                     "not_after", time_or_null(c->not_after), "renewed_from", str_or_null(c->renewed_from), "pem",
                     c->pem);
}

/* ---- requests: who acts, and what they sent -------------------------- */

struct call {
    struct pki_actor who;
    const char *client;          /* the RA client's id */
    json_t *body;
};

static const char *header_value(struct http_req *r, const char *name)
{
    const char *v = http_header(r, name);
    return v && *v ? v : NULL;
}

static void json_free(void *p)
{
    json_decref(p);
}

/* Check the signature and read the actor the client vouches for; 1 when
 * the answer (a refusal) is already written. */
static int authenticate(struct http_req *r, struct call *c)
{
    struct pc_err err = {0};
    const char *role = header_value(r, "X-Pencere-Actor-Role");
    c->who = (struct pki_actor){
        .id = header_value(r, "X-Pencere-Actor"), .fin = header_value(r, "X-Pencere-Actor-Fin"),
        .voen = header_value(r, "X-Pencere-Actor-Voen"), .ip = header_value(r, "X-Pencere-Actor-Ip"),
    };
    const char *client;
    int rc = pki_auth_check(app_of(r)->clients, http_header(r, "Authorization"), r->method, r->raw_uri, &c->who,
                            role, r->body.data, r->body.len, pc_now_unix(), &client, &err);
    if (rc) {
        pc_log(PC_LOG_WARN, "ca.unauthenticated", "msg", err.msg, "ip", r->remote_addr, NULL);
        http_problem(r, 401, "unauthenticated", "Unauthenticated", err.msg);
        http_set_header(r, "WWW-Authenticate", "PC-HMAC-SHA256");
        return 1;
    }
    if (!role || !c->who.id) {
        /* no person behind it: the client system acts as an operator */
        c->who.role = PKI_ACTOR_OPERATOR;
        c->who.id = pc_arena_printf(&r->arena, "client:%s", client);
    } else if (strcmp(role, "holder") == 0 || strcmp(role, "registrar") == 0 || strcmp(role, "operator") == 0) {
        c->who.role = role[0] == 'h' ? PKI_ACTOR_HOLDER : role[0] == 'r' ? PKI_ACTOR_REGISTRAR : PKI_ACTOR_OPERATOR;
        c->who.id = pc_arena_printf(&r->arena, "%s:%.64s", client, c->who.id);
    } else {
        fail(r, pc_err_set(&err, PC_EINVAL, "X-Pencere-Actor-Role must be holder, registrar or operator"), &err);
        return 1;
    }
    if (!c->who.ip)
        c->who.ip = r->remote_addr;
    c->client = pc_arena_strdup(&r->arena, client);
    if (r->body.len) {
        json_error_t je;
        c->body = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
        if (!c->body || !json_is_object(c->body)) {
            json_decref(c->body);
            fail(r, pc_err_set(&err, PC_EINVAL, "the body is not a JSON object: %s", je.text), &err);
            return 1;
        }
        pc_arena_defer(&r->arena, json_free, c->body);
    }
    return 0;
}

/* A string member of at most max bytes, or NULL when absent. */
static int field(json_t *o, const char *key, size_t max, const char **out, struct pc_err *err)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) > max || strlen(json_string_value(v)) != json_string_length(v))
        return pc_err_set(err, PC_EINVAL, "\"%s\" must be a string of at most %zu bytes", key, max);
    *out = json_string_value(v);
    return 0;
}

static int holder_of(json_t *body, struct pki_holder *h, struct pc_err *err)
{
    json_t *o = json_object_get(body, "holder");
    if (!json_is_object(o))
        return pc_err_set(err, PC_EINVAL, "\"holder\" must be an object");
    int rc;
    if ((rc = field(o, "fin", 16, &h->fin, err)) || (rc = field(o, "name", FIELD_MAX, &h->name, err)) ||
        (rc = field(o, "voen", 16, &h->voen, err)) || (rc = field(o, "org", FIELD_MAX, &h->org, err)) ||
        (rc = field(o, "agency", FIELD_MAX, &h->agency, err)) || (rc = field(o, "service", FIELD_MAX, &h->service, err)))
        return rc;
    h->state_body = json_is_true(json_object_get(o, "state_body"));
    return 0;
}

/* ---- public answers --------------------------------------------------- */

static int h_chain(struct http_req *r)
{
    size_t n;
    const char *pem = pki_ca_chain_pem(app_of(r)->ca, &n);
    return reply_bytes(r, "application/pem-certificate-chain", pem, n);
}

static int h_ca_cert(struct http_req *r)
{
    size_t n;
    char *der = pk_der_of_cert(&r->arena, app_of(r)->ca->cert, &n);
    return reply_bytes(r, "application/pkix-cert", der, n);
}

static int h_crl(struct http_req *r)
{
    struct pc_err err = {0};
    const unsigned char *der;
    size_t n;
    int rc = pki_crl_current(app_of(r)->ca, &r->arena, &der, &n, &err);
    return rc ? fail(r, rc, &err) : reply_bytes(r, "application/pkix-crl", der, n);
}

static int ocsp_answer(struct http_req *r, const void *req, size_t len)
{
    struct pc_err err = {0};
    const unsigned char *resp;
    size_t n;
    int rc = pki_ocsp_respond(app_of(r)->ca, &r->arena, req, len, &resp, &n, &err);
    if (rc)
        return fail(r, rc, &err);
    if (err.code)
        pc_log(PC_LOG_INFO, "ca.ocsp_refused", "msg", err.msg, NULL);
    r->no_gzip = true;
    return reply_bytes(r, "application/ocsp-response", resp, n);
}

static int h_ocsp_post(struct http_req *r)
{
    return ocsp_answer(r, r->body.data, r->body.len);
}

/* RFC 6960 appendix A.1: GET {url}/{url-encoded base64 of the request}.
 * Read from the target as sent (then percent-decoded here), not from the
 * routed path: base64 may hold "//", which path clean-up would fold. */
static int h_ocsp_get(struct http_req *r)
{
    static const char prefix[] = "/ca/ocsp/";
    const char *raw = r->raw_uri ? r->raw_uri : "";
    char *b64 = NULL;
    unsigned char *der;
    size_t len;
    if (strncmp(raw, prefix, sizeof prefix - 1) == 0) {
        raw += sizeof prefix - 1;
        size_t n = strcspn(raw, "?#");
        if (n > PKI_OCSP_REQ_MAX * 2 || http_url_decode(&r->arena, raw, n, false, &b64))
            b64 = NULL;
    }
    if (!b64 || pk_unb64(&r->arena, b64, strlen(b64), &der, &len))
        return ocsp_answer(r, "", 0); /* malformedRequest */
    int rc = ocsp_answer(r, der, len);
    if (r->status == 200)
        http_set_header(r, "Cache-Control", "max-age=60, public, no-transform, must-revalidate");
    return rc;
}

static int h_tsa(struct http_req *r)
{
    struct pc_err err = {0};
    const unsigned char *resp;
    size_t n;
    int rc = pki_tsa_respond(app_of(r)->ca, &r->arena, r->body.data, r->body.len, &resp, &n, &err);
    if (rc && !n)
        return fail(r, rc, &err);
    if (rc || err.code)
        pc_log(rc ? PC_LOG_ERROR : PC_LOG_INFO, "ca.tsa_refused", "msg", err.msg, NULL);
    r->no_gzip = true;
    reply_bytes(r, "application/timestamp-reply", resp, n);
    if (rc == PC_EUNAVAIL) {
        r->status = 503; /* the answer inside says systemFailure */
        http_set_header(r, "Retry-After", "5");
    }
    return 0;
}

static int h_profiles(struct http_req *r)
{
    json_t *list = json_array();
    for (size_t i = 0; i < pki_profile_count(); i++) {
        const struct pki_profile *p = pki_profile_at(i);
        if (!p->ra)
            continue;
        json_t *name = json_object();
        for (int l = 0; l < PC_LANG_COUNT; l++)
            json_object_set_new(name, pc_lang_code((enum pc_lang)l), json_string(pc_text_get(&p->name, (enum pc_lang)l)));
        json_array_append_new(list, json_pack("{s:s, s:o, s:s, s:s, s:b, s:i}", "id", p->id, "name", name, "category",
                                              p->category == PKI_CAT_COUNT ? "holder" : pki_category_name(p->category),
                                              "policy", p->policy, "qualified", p->qualified, "validity_days",
                                              p->validity_days));
    }
    return reply_json(r, 200, json_pack("{s:o}", "profiles", list));
}

static int h_health(struct http_req *r)
{
    struct pc_err err = {0};
    bool keys = pki_ca_keys_ready(app_of(r)->ca, &err);
    return reply_json(r, 200, json_pack("{s:s, s:b, s:i, s:o}", "status", keys ? "ok" : "degraded", "keys", keys,
                                        "key_process", pki_ca_key_pid(app_of(r)->ca), "detail",
                                        keys ? json_null() : json_string(err.msg)));
}

static int h_metrics(struct http_req *r)
{
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4";
    if (app_of(r)->http)
        http_metrics_write(app_of(r)->http, &r->out);
    return 0;
}

/* ---- the RA ----------------------------------------------------------- */

static const char *channel_of(struct call *c)
{
    const char *ch = NULL;
    field(c->body, "channel", 16, &ch, NULL);
    return ch ? ch : "api";
}

static int h_issue(struct http_req *r)
{
    struct call c = {0};
    if (authenticate(r, &c))
        return 0;
    struct pc_err err = {0};
    struct pki_holder h = {0};
    const char *profile, *csr;
    int rc;
    if ((rc = field(c.body, "profile", 64, &profile, &err)) || (rc = field(c.body, "csr", PKI_CSR_MAX, &csr, &err)) ||
        (rc = holder_of(c.body, &h, &err)))
        return fail(r, rc, &err);
    if (!csr)
        return fail(r, pc_err_set(&err, PC_EINVAL, "\"csr\" (PEM) is required"), &err);
    struct pki_cert out;
    rc = pki_issue_csr(app_of(r)->ca, &r->arena, &c.who, profile, &h, csr, strlen(csr), channel_of(&c), &out, &err);
    return rc ? fail(r, rc, &err) : reply_json(r, 201, cert_json(&out));
}

/* PKCS#12: the key pair is made off the server threads (RSA takes long). */
struct p12_job {
    struct call c;
    struct pki_holder h;
    const char *profile, *password;
    enum pki_key_type kt;
    struct pki_cert out;
    const unsigned char *p12;
    size_t p12_len;
    int rc;
    struct pc_err err;
};

static void p12_work(struct http_req *r)
{
    struct p12_job *j = r->deferred_arg;
    j->rc = pki_issue_p12(app_of(r)->ca, &r->arena, &j->c.who, j->profile, &j->h, j->kt, j->password,
                          channel_of(&j->c), &j->out, &j->p12, &j->p12_len, &j->err);
    db_conn_release_thread(app_of(r)->ca->db); /* the worker's connection is not kept */
}

static int p12_done(struct http_req *r)
{
    struct p12_job *j = r->deferred_arg;
    if (j->rc)
        return fail(r, j->rc, &j->err);
    return reply_json(r, 201, json_pack("{s:o, s:s}", "certificate", cert_json(&j->out), "pkcs12",
                                        pk_b64(&r->arena, j->p12, j->p12_len)));
}

static int h_issue_p12(struct http_req *r)
{
    struct p12_job *j = pc_arena_alloc(&r->arena, sizeof *j);
    if (authenticate(r, &j->c))
        return 0;
    const char *kt = NULL;
    int rc;
    if ((rc = field(j->c.body, "profile", 64, &j->profile, &j->err)) ||
        (rc = field(j->c.body, "password", PKI_P12_PASSWORD_MAX, &j->password, &j->err)) ||
        (rc = field(j->c.body, "key_type", 16, &kt, &j->err)) || (rc = holder_of(j->c.body, &j->h, &j->err)))
        return fail(r, rc, &j->err);
    int t = kt ? pki_key_type_parse(kt) : PKI_KEY_P256;
    if (t < 0)
        return fail(r, pc_err_set(&j->err, PC_EINVAL, "key_type must be p256, p384, rsa2048, rsa3072 or rsa4096"),
                    &j->err);
    j->kt = (enum pki_key_type)t;
    r->deferred_arg = j;
    return http_defer(r, p12_work, p12_done);
}

static int h_list(struct http_req *r)
{
    struct call c = {0};
    if (authenticate(r, &c))
        return 0;
    struct pc_err err = {0};
    struct pki_cert *certs;
    size_t n;
    int rc = pki_cert_list(app_of(r)->ca, &r->arena, &c.who, http_kv_get(&r->query, "fin"),
                           http_kv_get(&r->query, "voen"), &certs, &n, &err);
    if (rc)
        return fail(r, rc, &err);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, cert_json(&certs[i]));
    return reply_json(r, 200, json_pack("{s:o}", "certificates", list));
}

static int h_get(struct http_req *r)
{
    struct call c = {0};
    if (authenticate(r, &c))
        return 0;
    struct pc_err err = {0};
    struct pki_cert out;
    int rc = pki_cert_get(app_of(r)->ca, &r->arena, &c.who, http_param(r, 0), &out, &err);
    return rc ? fail(r, rc, &err) : reply_json(r, 200, cert_json(&out));
}

/* suspend, resume, revoke (with_reason): the new state of the certificate. */
static int status_change(struct http_req *r, int (*op)(struct pki_ca *, const struct pki_actor *, const char *, int,
                                                         struct pc_err *), bool with_reason)
{
    struct call c = {0};
    if (authenticate(r, &c))
        return 0;
    struct pc_err err = {0};
    const char *reason = NULL;
    int rc = field(c.body, "reason", 32, &reason, &err), code = 0;
    if (!rc && with_reason && (code = reason ? pki_reason_parse(reason) : PKI_REASON_UNSPECIFIED) < 0)
        rc = pc_err_set(&err, PC_EINVAL, "unknown reason %s (RFC 5280 names, e.g. keyCompromise)", reason);
    if (!rc)
        rc = op(app_of(r)->ca, &c.who, http_param(r, 0), code, &err);
    struct pki_cert out;
    if (!rc)
        rc = pki_cert_get(app_of(r)->ca, &r->arena, &c.who, http_param(r, 0), &out, &err);
    return rc ? fail(r, rc, &err) : reply_json(r, 200, cert_json(&out));
}

static int do_suspend(struct pki_ca *ca, const struct pki_actor *who, const char *s, int reason, struct pc_err *err)
{
    (void)reason;
    return pki_suspend(ca, who, s, err);
}

static int do_resume(struct pki_ca *ca, const struct pki_actor *who, const char *s, int reason, struct pc_err *err)
{
    (void)reason;
    return pki_resume(ca, who, s, err);
}

static int h_suspend(struct http_req *r)
{
    return status_change(r, do_suspend, false);
}

static int h_resume(struct http_req *r)
{
    return status_change(r, do_resume, false);
}

static int h_revoke(struct http_req *r)
{
    return status_change(r, pki_revoke, true);
}

static int h_renew(struct http_req *r)
{
    struct call c = {0};
    if (authenticate(r, &c))
        return 0;
    struct pc_err err = {0};
    const char *csr;
    int rc = field(c.body, "csr", PKI_CSR_MAX, &csr, &err);
    if (!rc && !csr)
        rc = pc_err_set(&err, PC_EINVAL, "\"csr\" (PEM) is required");
    struct pki_cert out;
    if (!rc)
        rc = pki_renew(app_of(r)->ca, &r->arena, &c.who, http_param(r, 0), csr, strlen(csr), channel_of(&c), &out,
                       &err);
    return rc ? fail(r, rc, &err) : reply_json(r, 201, cert_json(&out));
}

static int h_stats(struct http_req *r)
{
    struct call c = {0};
    if (authenticate(r, &c))
        return 0;
    struct pc_err err = {0};
    struct pki_stats st;
    int rc = pki_stats(app_of(r)->ca, &st, &err);
    if (rc)
        return fail(r, rc, &err);
    json_t *cats = json_object();
    for (int i = 0; i < PKI_CAT_COUNT; i++)
        json_object_set_new(cats, pki_category_name((enum pki_category)i),
                            json_pack("{s:I, s:I}", "issued", (json_int_t)st.issued[i], "valid", (json_int_t)st.valid[i]));
    return reply_json(r, 200, json_pack("{s:o}", "categories", cats));
}

static json_t *report_json(const struct pki_verify_report *v)
{
    static const char *const sources[] = {"none", "records", "ocsp"};
    json_t *chain = json_array();
    for (int i = 0; i < v->chain_len; i++)
        json_array_append_new(chain, json_string(v->chain[i]));
    json_t *signer = v->signer_subject
                         ? json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "subject", v->signer_subject, "name",
                                     str_or_null(v->signer_name), "fin", str_or_null(v->signer_fin), "voen",
                                     str_or_null(v->signer_voen), "serial", str_or_null(v->signer_serial), "profile",
                                     str_or_null(v->signer_profile))
                         : json_null();
    json_t *ts = v->has_timestamp && v->timestamp_time
                     ? json_pack("{s:o, s:o, s:o}", "time", time_or_null(v->timestamp_time), "serial",
                                 str_or_null(v->timestamp_serial), "tsa", str_or_null(v->tsa_name))
                     : json_null();
    json_t *status = json_pack("{s:s, s:o, s:o, s:o}", "source", sources[v->status_source], "status",
                               v->status_source ? json_string(pki_status_name(v->status)) : json_null(), "revoked_at",
                               time_or_null(v->revoked_at), "reason",
                               v->revoked_at ? str_or_null(pki_reason_name(v->reason)) : json_null());
    return json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "verdict", pki_verdict_name(v->verdict), "valid",
                     v->verdict == PKI_VERDICT_VALID, "detail", str_or_null(v->detail), "signer", signer,
                     "signing_time", v->has_signing_time ? time_or_null(v->signing_time) : json_null(), "timestamp",
                     ts, "checked_at", time_or_null(v->checked_at), "status", status, "chain", chain);
}

static int h_verify(struct http_req *r)
{
    struct call c = {0};
    if (authenticate(r, &c))
        return 0;
    struct pc_err err = {0};
    const char *doc, *sig;
    int rc;
    if ((rc = field(c.body, "document", VERIFY_BODY_MAX, &doc, &err)) ||
        (rc = field(c.body, "signature", PKI_SIG_MAX * 2, &sig, &err)))
        return fail(r, rc, &err);
    unsigned char *d, *s;
    size_t dn, sn;
    if (!doc || !sig || pk_unb64(&r->arena, doc, strlen(doc), &d, &dn) || pk_unb64(&r->arena, sig, strlen(sig), &s, &sn))
        return fail(r, pc_err_set(&err, PC_EINVAL, "\"document\" and \"signature\" must be base64"), &err);
    if (dn > DOC_MAX)
        return fail(r, pc_err_set(&err, PC_ETOOBIG, "the document is larger than %d bytes", DOC_MAX), &err);
    struct pki_ca *ca = app_of(r)->ca;
    size_t chain_len;
    struct pki_trust t = {.chain_pem = pki_ca_chain_pem(ca, &chain_len), .ca = ca, .no_network = true};
    t.chain_len = chain_len;
    struct pki_verify_report rep;
    rc = pki_cms_verify(&r->arena, &t, d, dn, s, sn, &rep, &err);
    return rc ? fail(r, rc, &err) : reply_json(r, 200, report_json(&rep));
}

/* An agency's seal on a document (a decision): the signature and the
 * seal's certificate. */
static int h_seal(struct http_req *r)
{
    struct call c = {0};
    if (authenticate(r, &c))
        return 0;
    struct pc_err err = {0};
    const char *doc, *ref;
    int rc;
    if ((rc = field(c.body, "document", SEAL_BODY_MAX, &doc, &err)) || (rc = field(c.body, "reference", 64, &ref, &err)))
        return fail(r, rc, &err);
    unsigned char *d;
    size_t dn;
    if (!doc || pk_unb64(&r->arena, doc, strlen(doc), &d, &dn))
        return fail(r, pc_err_set(&err, PC_EINVAL, "\"document\" must be base64"), &err);
    const unsigned char *sig;
    size_t sn;
    struct pki_cert seal;
    rc = pki_seal_sign(app_of(r)->ca, &r->arena, &c.who, http_param(r, 0), ref, d, dn, &sig, &sn, &seal, &err);
    return rc ? fail(r, rc, &err)
              : reply_json(r, 200, json_pack("{s:s, s:o}", "signature", pk_b64(&r->arena, sig, sn), "certificate",
                                             cert_json(&seal)));
}

/* ---- routes -------------------------------------------------------------- */

static const struct http_route routes[] = {
    {"GET", "/healthz", h_health, 0, HTTP_ROUTE_NO_STORE, "healthz"},
    {"GET", "/metrics", h_metrics, 0, HTTP_ROUTE_NO_STORE, "metrics"},
    {"GET", "/ca/chain.pem", h_chain, 0, 0, "chain"},
    {"GET", "/ca/ca.crt", h_ca_cert, 0, 0, "ca-cert"},
    {"GET", "/ca/crl", h_crl, 0, 0, "crl"},
    {"POST", "/ca/ocsp", h_ocsp_post, PKI_OCSP_REQ_MAX, HTTP_ROUTE_NO_STORE, "ocsp"},
    {"GET", "/ca/ocsp/{req*}", h_ocsp_get, 0, 0, "ocsp-get"},
    {"POST", "/ca/tsa", h_tsa, PKI_TSA_REQ_MAX, HTTP_ROUTE_NO_STORE, "tsa"},
    {"GET", API "/profiles", h_profiles, 0, 0, "profiles"},
    {"POST", API "/certificates", h_issue, JSON_MAX, HTTP_ROUTE_NO_STORE, "issue"},
    {"POST", API "/certificates/pkcs12", h_issue_p12, JSON_MAX, HTTP_ROUTE_NO_STORE, "issue-pkcs12"},
    {"GET", API "/certificates", h_list, 0, HTTP_ROUTE_NO_STORE, "list"},
    {"GET", API "/certificates/{serial}", h_get, 0, HTTP_ROUTE_NO_STORE, "certificate"},
    {"POST", API "/certificates/{serial}/suspend", h_suspend, JSON_MAX, HTTP_ROUTE_NO_STORE, "suspend"},
    {"POST", API "/certificates/{serial}/resume", h_resume, JSON_MAX, HTTP_ROUTE_NO_STORE, "resume"},
    {"POST", API "/certificates/{serial}/revoke", h_revoke, JSON_MAX, HTTP_ROUTE_NO_STORE, "revoke"},
    {"POST", API "/certificates/{serial}/renew", h_renew, JSON_MAX, HTTP_ROUTE_NO_STORE, "renew"},
    {"GET", API "/statistics", h_stats, 0, HTTP_ROUTE_NO_STORE, "statistics"},
    {"POST", API "/verify", h_verify, VERIFY_BODY_MAX, HTTP_ROUTE_NO_STORE, "verify"},
    {"POST", API "/seals/{agency}/sign", h_seal, SEAL_BODY_MAX, HTTP_ROUTE_NO_STORE, "seal"},
};

static void after(struct http_req *r)
{
    db_idle(app_of(r)->ca->db);
}

void pki_api_http_config(struct pki_api *app, struct http_config *cfg)
{
    size_t n = sizeof routes / sizeof routes[0];
    app->routes = calloc(n + app->next_routes, sizeof *app->routes);
    if (!app->routes)
        pc_oom(n + app->next_routes);
    memcpy(app->routes, routes, sizeof routes);
    if (app->next_routes)
        memcpy(app->routes + n, app->ext_routes, app->next_routes * sizeof *app->routes);
    cfg->routes = app->routes;
    cfg->nroutes = n + app->next_routes;
    cfg->app = app;
    cfg->after = after;
}

void pki_api_release(struct pki_api *app)
{
    free(app->routes);
    app->routes = NULL;
}

/* ---- for the services mounted beside the API (ext) --------------------- */

int pki_api_fail(struct http_req *r, int rc, const struct pc_err *err)
{
    return fail(r, rc, err);
}

int pki_api_caller(struct http_req *r, struct pki_actor *who, const char **client)
{
    struct call c = {0};
    if (authenticate(r, &c))
        return 1;
    *who = c.who;
    *client = c.client;
    return 0;
}

/* api.c — the HTTP edge of the mobile-signature service, mounted on the
 * CA role (`pencere ca serve`, docs/mobile.md, docs/api/openapi.yaml):
 *
 *   relying parties (signed like the RA API's clients, pki_api_caller):
 *     POST /mid/v1/certificate      phone + FİN: the signing certificate
 *     POST /mid/v1/authentication   phone + FİN + hash: a session
 *     POST /mid/v1/signature        the same, for the signing key
 *     POST /mid/v1/qr               hash: a session and its one-time QR code
 *     GET  /mid/v1/session/{id}?timeoutMs=N   long poll for the result
 *     POST /mid/v1/enrolments       the registration desk binds a SIM
 *   the phone (signed by its SIM's channel key, mid_sim_check):
 *     GET  /mid/sim/v1/requests?timeoutMs=N   long poll for requests
 *     POST /mid/sim/v1/qr           claim a scanned QR code
 *     POST /mid/sim/v1/requests/{id}   the answer
 *
 * Long polls park the request (http_park) under MI_KEY_SESSION + id or
 * MI_KEY_PHONE + number; whoever ends a session or adds a request wakes
 * them (mi_wake), watch.c does it for what other nodes did. */
#include "internal.h"
#include "../http/http.h"
#include "../pki/pki.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_PENDING_MAX 8

static struct mid_service *svc(struct http_req *r)
{
    return ((struct pki_api *)r->app)->ext;
}

void mi_wake(struct mid_service *m, const char *key, const char *id)
{
    struct http_server *s = atomic_load(&m->http);
    if (s) {
        char k[64];
        snprintf(k, sizeof k, "%s%s", key, id);
        http_wake(s, k);
    }
}

size_t mi_parked(struct mid_service *m, struct pc_arena *a, const char *key, const char ***out)
{
    struct http_server *s = atomic_load(&m->http);
    *out = NULL;
    if (!s)
        return 0;
    size_t n = http_parked_keys(s, a, key, out), kl = strlen(key);
    for (size_t i = 0; i < n; i++)
        (*out)[i] += kl;
    return n;
}

static int reply(struct http_req *r, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        pc_oom(0);
    http_reply_json(r, status, s);
    free(s);
    return 0;
}

/* ?timeoutMs=N, at most the service's longest poll. */
static int wait_ms(struct http_req *r, struct pc_err *err, int64_t *out)
{
    const char *v = http_kv_get(&r->query, "timeoutMs");
    long long n = 0;
    if (v && pc_parse_int(v, 0, 120000, &n))
        return pc_err_set(err, PC_EINVAL, "timeoutMs must be 0 to 120000");
    int max = svc(r)->cfg.wait_max_ms;
    *out = n > max ? max : n;
    return 0;
}

/* ---- relying parties ------------------------------------------------------- */

/* The relying party's client id (the actor it vouches for does not
 * matter here: sessions belong to the system that opened them). */
static const char *rp_client(struct http_req *r, struct pki_actor *who)
{
    const char *client;
    return pki_api_caller(r, who, &client) ? NULL : client;
}

static int h_certificate(struct http_req *r)
{
    struct pki_actor who;
    const char *client = rp_client(r, &who), *pem;
    if (!client)
        return 0;
    struct pc_err err = {0};
    struct mid_start st;
    int rc = mid_parse_start(&r->arena, MID_REQ_CERTIFICATE, r->body.data, r->body.len, &st, &err);
    if (!rc)
        rc = mid_certificate(svc(r), &r->arena, st.phone, st.fin, &pem, &err);
    if (rc == PC_ENOTFOUND)
        return reply(r, 200, json_pack("{s:s}", "result", "NOT_FOUND"));
    if (rc)
        return pki_api_fail(r, rc, &err);
    return reply(r, 200, json_pack("{s:s, s:s}", "result", "OK", "cert", pem));
}

static int start(struct http_req *r, enum mid_request req, enum mid_kind kind)
{
    struct pki_actor who;
    const char *client = rp_client(r, &who);
    if (!client)
        return 0;
    struct pc_err err = {0};
    struct mid_start st;
    const char *id, *code;
    int rc = mid_parse_start(&r->arena, req, r->body.data, r->body.len, &st, &err);
    if (!rc)
        rc = mid_session_start(svc(r), &r->arena, client, kind, &st, &id, &code, &err);
    if (rc)
        return pki_api_fail(r, rc, &err);
    char vc[5];
    mid_verification_code(st.hash, st.hash_len, vc);
    json_t *j = json_pack("{s:s, s:s}", "sessionID", id, "verificationCode", vc);
    if (code) {
        char text[MID_QR_CODE_CHARS + 8];
        mid_qr_text(code, text);
        json_object_set_new(j, "qrCode", json_string(code));
        json_object_set_new(j, "qrText", json_string(text));
    }
    return reply(r, 200, j);
}

static int h_auth(struct http_req *r)
{
    return start(r, MID_REQ_AUTHENTICATION, MID_KIND_AUTH);
}

static int h_sign(struct http_req *r)
{
    return start(r, MID_REQ_SIGNATURE, MID_KIND_SIGN);
}

static int h_qr(struct http_req *r)
{
    return start(r, MID_REQ_QR, MID_KIND_QR);
}

/* What a long poll for a session keeps between parking and answering. */
struct poll {
    const char *client, *id;
};

static int answer_status(struct http_req *r)
{
    struct poll *p = r->deferred_arg;
    struct pc_err err = {0};
    struct mid_status st;
    int rc = mid_session_status(svc(r), &r->arena, p->client, p->id, &st, &err);
    if (rc)
        return pki_api_fail(r, rc, &err);
    json_t *j = json_pack("{s:s}", "state", st.complete ? "COMPLETE" : "RUNNING");
    if (st.complete)
        json_object_set_new(j, "result", json_string(mid_result_name(st.result)));
    if (st.sig) {
        json_object_set_new(j, "signature", json_pack("{s:s, s:s}", "value", mi_b64url(&r->arena, st.sig, st.sig_len),
                                                      "algorithm", "SHA256WithECEncryption"));
        json_object_set_new(j, "cert", json_string(st.cert_pem));
    }
    return reply(r, 200, j);
}

static int h_session(struct http_req *r)
{
    struct pki_actor who;
    const char *client = rp_client(r, &who);
    if (!client)
        return 0;
    struct pc_err err = {0};
    struct poll *p = pc_arena_alloc(&r->arena, sizeof *p);
    *p = (struct poll){.client = client, .id = http_param(r, 0)};
    r->deferred_arg = p;
    struct mid_status st;
    int64_t wait = 0;
    int rc = wait_ms(r, &err, &wait);
    if (!rc)
        rc = mid_session_status(svc(r), &r->arena, client, p->id, &st, &err);
    if (rc)
        return pki_api_fail(r, rc, &err);
    if (st.complete || wait <= 0)
        return answer_status(r);
    int64_t left = (st.answer_by - pc_now_unix()) * 1000 + 500; /* wake for the timeout itself */
    return http_park(r, pc_arena_printf(&r->arena, "%s%s", MI_KEY_SESSION, p->id), wait < left ? wait : left,
                     answer_status);
}

static int h_enrol(struct http_req *r)
{
    struct pki_actor who;
    if (!rp_client(r, &who))
        return 0;
    struct pc_err err = {0};
    struct mid_enrolment e;
    struct mid_binding b;
    int rc = mid_parse_enrolment(&r->arena, r->body.data, r->body.len, &e, &err);
    if (!rc)
        rc = mid_enrol(svc(r), &r->arena, &who, &e, &b, &err);
    if (rc)
        return pki_api_fail(r, rc, &err);
    return reply(r, 201, json_pack("{s:s, s:s, s:s, s:s}", "phoneNumber", b.phone, "nationalIdentityNumber", b.fin,
                                   "authSerial", b.auth_serial, "signSerial", b.sign_serial));
}

/* ---- the phone ---------------------------------------------------------------- */

json_t *mi_view_json(struct pc_arena *a, const struct mid_request_view *v)
{
    char by[21];
    pc_rfc3339(v->answer_by, by);
    json_t *j = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s}", "id", v->id, "kind", mid_kind_name(v->kind),
                          "relyingParty", "client", v->rp_client, "name", v->rp_name, "hashType",
                          mid_hash_name(v->hash_type), "hash", mi_b64url(a, v->hash, v->hash_len), "language",
                          mid_lang_name(v->lang), "answerBy", by);
    if (v->display_text)
        json_object_set_new(j, "displayText", json_string(v->display_text));
    if (v->client_ip)
        json_object_set_new(j, "clientIp", json_string(v->client_ip));
    return j;
}

/* The phone that signed this request; NULL when the refusal is written. */
static const char *sim_of(struct http_req *r)
{
    struct pc_err err = {0};
    const char *phone;
    if (mid_sim_check(svc(r), &r->arena, http_header(r, "Authorization"),
                      r->method, r->raw_uri, r->body.data, r->body.len, &phone, &err) == 0)
        return phone;
    pc_log(PC_LOG_WARN, "mobile.sim_refused", "msg", err.msg, "ip", r->remote_addr, NULL);
    http_problem(r, 401, "unauthenticated", "Unauthenticated", err.msg);
    http_set_header(r, "WWW-Authenticate", MI_SIM_AUTH_SCHEME);
    return NULL;
}

static int answer_pending(struct http_req *r)
{
    const char *phone = r->deferred_arg;
    struct pc_err err = {0};
    struct mid_request_view *v;
    size_t n;
    int rc = mid_sim_pending(svc(r), &r->arena, phone, &v, &n, SIM_PENDING_MAX, &err);
    if (rc)
        return pki_api_fail(r, rc, &err);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, mi_view_json(&r->arena, &v[i]));
    return reply(r, 200, json_pack("{s:o}", "requests", list));
}

static int h_pending(struct http_req *r)
{
    const char *phone = sim_of(r);
    if (!phone)
        return 0;
    struct pc_err err = {0};
    int64_t wait = 0;
    int rc = wait_ms(r, &err, &wait);
    if (rc)
        return pki_api_fail(r, rc, &err);
    r->deferred_arg = (void *)phone;
    if (wait <= 0)
        return answer_pending(r);
    /* a long poll waits for something new: it answers at once only when a
     * request has not been fetched yet (the rest the phone has seen) */
    struct db_conn *c = db_conn_get(svc(r)->db, &err);
    if (!c)
        return pki_api_fail(r, err.code ? err.code : PC_EUNAVAIL, &err);
    const char **fresh;
    size_t nfresh;
    if ((rc = mi_phones_waiting(c, &r->arena, &phone, 1, pc_now_unix(), &fresh, &nfresh, &err)))
        return pki_api_fail(r, rc, &err);
    if (nfresh)
        return answer_pending(r);
    return http_park(r, pc_arena_printf(&r->arena, "%s%s", MI_KEY_PHONE, phone), wait, answer_pending);
}

static int h_sim_qr(struct http_req *r)
{
    const char *phone = sim_of(r);
    if (!phone)
        return 0;
    struct pc_err err = {0};
    struct pc_arena *a = &r->arena;
    json_t *o;
    const char *text;
    char code[MID_QR_CODE_CHARS + 1];
    struct mid_request_view v;
    int rc = mi_json_object(a, r->body.data, r->body.len, &o, &err);
    if (!rc)
        rc = mi_str(a, o, "code", 64, true, &text, &err);
    if (!rc)
        rc = mid_parse_qr(text, strlen(text), code, &err);
    if (!rc)
        rc = mid_sim_claim_qr(svc(r), a, phone, code, &v, &err);
    return rc ? pki_api_fail(r, rc, &err) : reply(r, 200, mi_view_json(a, &v));
}

static int h_sim_answer(struct http_req *r)
{
    const char *phone = sim_of(r);
    if (!phone)
        return 0;
    struct pc_err err = {0};
    struct mid_answer ans;
    enum mid_result res;
    int rc = mid_parse_answer(r->body.data, r->body.len, &ans, &err);
    if (!rc)
        rc = mid_sim_answer(svc(r), &r->arena, phone, http_param(r, 0), &ans, &res, &err);
    return rc ? pki_api_fail(r, rc, &err) : reply(r, 200, json_pack("{s:s}", "result", mid_result_name(res)));
}

static const struct http_route routes[] = {
    {"POST", "/mid/v1/certificate", h_certificate, MID_BODY_MAX, HTTP_ROUTE_NO_STORE, "mid-certificate"},
    {"POST", "/mid/v1/authentication", h_auth, MID_BODY_MAX, HTTP_ROUTE_NO_STORE, "mid-authentication"},
    {"POST", "/mid/v1/signature", h_sign, MID_BODY_MAX, HTTP_ROUTE_NO_STORE, "mid-signature"},
    {"POST", "/mid/v1/qr", h_qr, MID_BODY_MAX, HTTP_ROUTE_NO_STORE, "mid-qr"},
    {"GET", "/mid/v1/session/{id}", h_session, 0, HTTP_ROUTE_NO_STORE, "mid-session"},
    {"POST", "/mid/v1/enrolments", h_enrol, MID_BODY_MAX, HTTP_ROUTE_NO_STORE, "mid-enrol"},
    {"GET", "/mid/sim/v1/requests", h_pending, 0, HTTP_ROUTE_NO_STORE, "mid-sim-requests"},
    {"POST", "/mid/sim/v1/qr", h_sim_qr, MID_BODY_MAX, HTTP_ROUTE_NO_STORE, "mid-sim-qr"},
    {"POST", "/mid/sim/v1/requests/{id}", h_sim_answer, MID_BODY_MAX, HTTP_ROUTE_NO_STORE, "mid-sim-answer"},
};

void mid_api_mount(struct mid_service *m, struct pki_api *app)
{
    app->ext = m;
    app->ext_routes = routes;
    app->next_routes = sizeof routes / sizeof routes[0];
}

void mid_service_started(struct mid_service *m, struct http_server *s)
{
    atomic_store(&m->http, s);
}

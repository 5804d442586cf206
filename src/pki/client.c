/* client.c — the portal's side of the CA's RA API: a client id and its
 * shared secret (DIR/clients/ID.key as `pencere ca add-client` made it),
 * every request signed as auth.c checks it, the acting person in the
 * X-Pencere-Actor headers the signature covers, and the CA's JSON answers
 * read back into the same typed values the CA hands out in process
 * (struct pki_cert, pki_verify_report, pki_stats).
 *
 * Errors keep their meaning across the hop: the CA's 400/403/404/409/413
 * come back as PC_EINVAL/EDENIED/ENOTFOUND/ECONFLICT/ETOOBIG with its
 * words; a CA that cannot be reached, is down (503) or refuses our key is
 * PC_EUNAVAIL, so the portal says the centre is unavailable and nothing
 * was done.  The answers are outside bytes: their reading is fuzzed
 * (tests/fuzz/fuzz_pki_client.c). */
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ANSWER_MAX (4 << 20)      /* a list of 200 certificates, a PKCS#12 */
#define API "/ca/api/v1"

struct pki_client {
    char url[512];                /* scheme://host[:port], no trailing slash */
    char id[PK_SEAL_ID_MAX + 1];
    char secret[65];              /* hex */
};

static const char *const role_names[] = {"holder", "registrar", "operator"};

struct pki_client *pki_client_open(const char *url, const char *key_file, struct pc_err *err)
{
    size_t ulen = url ? strlen(url) : 0;
    while (ulen && url[ulen - 1] == '/')
        ulen--;
    if (!url || (!pc_str_has_prefix(url, "http://") && !pc_str_has_prefix(url, "https://")) || ulen < 8 ||
        ulen >= sizeof ((struct pki_client *)0)->url) {
        pc_err_set(err, PC_EINVAL, "the CA's URL must be http(s)://HOST[:PORT]");
        return NULL;
    }
    const char *base = key_file ? strrchr(key_file, '/') : NULL;
    base = base ? base + 1 : key_file;
    size_t blen = base ? strlen(base) : 0;
    if (blen < 5 || strcmp(base + blen - 4, ".key") != 0 || !pk_id_ok(base, blen - 4)) {
        pc_err_set(err, PC_EINVAL, "the CA key file must be named ID.key (as `pencere ca add-client` makes it)");
        return NULL;
    }
    struct pc_arena a;
    pc_arena_init(&a);
    char *hex;
    struct pki_client *cl = NULL;
    if (pk_read_secret(&a, key_file, &hex, err) == 0) {
        if (strlen(hex) != 64 || strspn(hex, "0123456789abcdefABCDEF") != 64) {
            pc_err_set(err, PC_EINVAL, "%s does not hold a client key (64 hex digits)", key_file);
        } else {
            cl = calloc(1, sizeof *cl);
            if (!cl)
                pc_oom(sizeof *cl);
            memcpy(cl->url, url, ulen);
            memcpy(cl->id, base, blen - 4);
            memcpy(cl->secret, hex, 64);
        }
        OPENSSL_cleanse(hex, strlen(hex));
    }
    pc_arena_release(&a);
    return cl;
}

void pki_client_close(struct pki_client *cl)
{
    if (cl)
        OPENSSL_cleanse(cl, sizeof *cl);
    free(cl);
}

const char *pki_client_url(const struct pki_client *cl)
{
    return cl->url;
}

/* ---- one signed request ---------------------------------------------------- */

/* A header value we send: printable, no line breaks (the MAC covers it). */
static int header_ok(const char *what, const char *v, struct pc_err *err)
{
    for (const unsigned char *p = (const unsigned char *)v; p && *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return pc_err_set(err, PC_EINVAL, "the actor's %s has a control character", what);
    if (v && strlen(v) > 200)
        return pc_err_set(err, PC_EINVAL, "the actor's %s is too long", what);
    return 0;
}

static void json_free(void *p)
{
    json_decref(p);
}

/* The CA's refusal as our code, with its words (problem+json "detail"). */
static int refusal(const struct pk_http_answer *ans, struct pc_err *err)
{
    json_t *j = json_loadb((const char *)ans->body, ans->len, 0, NULL);
    const char *detail = json_string_value(json_object_get(j, "detail"));
    char words[200];
    snprintf(words, sizeof words, "%s", detail ? detail : "no detail");
    json_decref(j);
    int code;
    switch (ans->status) {
    case 400: code = PC_EINVAL; break;
    case 403: code = PC_EDENIED; break;
    case 404: code = PC_ENOTFOUND; break;
    case 409: code = PC_ECONFLICT; break;
    case 413: code = PC_ETOOBIG; break;
    case 429: code = PC_ELIMIT; break;
    case 401:
        return pc_err_set(err, PC_EUNAVAIL, "the certification centre refuses the portal's key: %s", words);
    default:
        return pc_err_set(err, PC_EUNAVAIL, "the certification centre answered HTTP %ld: %s", ans->status, words);
    }
    return pc_err_set(err, code, "%s", words);
}

/* method target (a path under the CA) as who (NULL: the portal itself,
 * an operator to the CA); the answer's JSON object in *out (freed with a). */
static int call(struct pki_client *cl, struct pc_arena *a, const char *method, const char *target,
                const struct pki_actor *who, json_t *body, json_t **out, struct pc_err *err)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (body && !text)
        pc_oom(0);
    size_t len = text ? strlen(text) : 0;
    int rc = 0;
    if (who && ((rc = header_ok("id", who->id, err)) || (rc = header_ok("FİN", who->fin, err)) ||
                (rc = header_ok("VÖEN", who->voen, err)) || (rc = header_ok("address", who->ip, err)))) {
        free(text);
        return rc;
    }
    const char *role = who ? role_names[who->role] : NULL;
    int64_t ts = pc_now_unix();
    char sig[48];
    pki_auth_sign(cl->secret, method, target, ts, who, role, text, len, sig);
    const char *h[9];
    int n = 0;
    h[n++] = pc_arena_printf(a, "Authorization: PC-HMAC-SHA256 client=%s, ts=%lld, sig=%s", cl->id, (long long)ts, sig);
    if (text)
        h[n++] = "Content-Type: application/json";
    if (who) {
        const char *names[] = {"X-Pencere-Actor", "X-Pencere-Actor-Role", "X-Pencere-Actor-Fin",
                               "X-Pencere-Actor-Voen", "X-Pencere-Actor-Ip"};
        const char *values[] = {who->id, role, who->fin, who->voen, who->ip};
        for (int i = 0; i < 5; i++)
            if (values[i] && *values[i])
                h[n++] = pc_arena_printf(a, "%s: %s", names[i], values[i]);
    }
    h[n] = NULL;
    struct pk_http_answer ans;
    rc = pk_http_request(a, method, pc_arena_printf(a, "%s%s", cl->url, target), h, text, len, ANSWER_MAX, &ans, err);
    free(text);
    if (rc) {
        char why[200];
        snprintf(why, sizeof why, "%.199s", err ? err->msg : "");
        return pc_err_set(err, PC_EUNAVAIL, "the certification centre cannot be reached: %s", why);
    }
    if (ans.status < 200 || ans.status > 299)
        return refusal(&ans, err);
    json_error_t je;
    json_t *j = json_loadb((const char *)ans.body, ans.len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(j)) {
        json_decref(j);
        return pc_err_set(err, PC_EUNAVAIL, "the certification centre's answer is not JSON: %s", je.text);
    }
    pc_arena_defer(a, json_free, j);
    *out = j;
    return 0;
}

/* ---- the answers, typed ---------------------------------------------------- */

static int bad(struct pc_err *err, const char *what)
{
    return pc_err_set(err, PC_EUNAVAIL, "the certification centre's answer has no valid %s", what);
}

/* A string member (copied), NULL when absent or null; -1 when of another type. */
static int str(struct pc_arena *a, json_t *o, const char *key, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return -1;
    *out = pc_arena_strdup(a, json_string_value(v));
    return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ" (what the CA writes); 0 for null. */
static int when(json_t *o, const char *key, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    const char *s = json_string_value(v);
    struct tm tm = {0};
    char tail = 0;
    if (!s || strlen(s) != 20 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tail) != 6)
        return -1;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

int pk_client_cert(struct pc_arena *a, json_t *o, struct pki_cert *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(o))
        return bad(err, "certificate");
    const char *category, *status, *reason;
    if (str(a, o, "serial", &out->serial) || !out->serial || !pk_serial_norm(a, out->serial))
        return bad(err, "serial");
    if (str(a, o, "profile", &out->profile) || !out->profile || str(a, o, "subject", &out->subject) ||
        !out->subject || str(a, o, "fin", &out->fin) || str(a, o, "voen", &out->voen) ||
        str(a, o, "renewed_from", &out->renewed_from) || str(a, o, "pem", &out->pem) || !out->pem)
        return bad(err, "certificate");
    int c, s;
    if (str(a, o, "category", &category) || (c = pki_category_parse(category)) < 0)
        return bad(err, "category");
    if (str(a, o, "status", &status) || (s = pki_status_parse(status)) < 0)
        return bad(err, "status");
    out->category = (enum pki_category)c;
    out->status = (enum pki_status)s;
    if (str(a, o, "reason", &reason) || (reason && (out->reason = pk_reason_value(reason)) < 0))
        return bad(err, "reason");
    if (when(o, "revoked_at", &out->revoked_at) || when(o, "not_before", &out->not_before) ||
        when(o, "not_after", &out->not_after))
        return bad(err, "time");
    return 0;
}

int pk_client_report(struct pc_arena *a, json_t *o, struct pki_verify_report *out, struct pc_err *err)
{
    static const char *const sources[] = {"none", "records", "ocsp"};
    memset(out, 0, sizeof *out);
    const char *verdict, *src, *status, *reason;
    int v;
    if (!json_is_object(o) || str(a, o, "verdict", &verdict) || (v = pki_verdict_parse(verdict)) < 0)
        return bad(err, "verdict");
    out->verdict = (enum pki_verdict)v;
    if (str(a, o, "detail", &out->detail))
        return bad(err, "detail");
    json_t *signer = json_object_get(o, "signer");
    if (json_is_object(signer) &&
        (str(a, signer, "subject", &out->signer_subject) || str(a, signer, "name", &out->signer_name) ||
         str(a, signer, "fin", &out->signer_fin) || str(a, signer, "voen", &out->signer_voen) ||
         str(a, signer, "serial", &out->signer_serial) || str(a, signer, "profile", &out->signer_profile)))
        return bad(err, "signer");
    if (when(o, "signing_time", &out->signing_time) || when(o, "checked_at", &out->checked_at))
        return bad(err, "time");
    out->has_signing_time = out->signing_time != 0;
    json_t *ts = json_object_get(o, "timestamp");
    if (json_is_object(ts)) {
        if (when(ts, "time", &out->timestamp_time) || str(a, ts, "serial", &out->timestamp_serial) ||
            str(a, ts, "tsa", &out->tsa_name))
            return bad(err, "time-stamp");
        out->has_timestamp = true;
    }
    json_t *st = json_object_get(o, "status");
    if (!json_is_object(st) || str(a, st, "source", &src) || str(a, st, "status", &status) ||
        str(a, st, "reason", &reason) || when(st, "revoked_at", &out->revoked_at))
        return bad(err, "status");
    for (int i = 0; i < 3; i++)
        if (pc_str_eq(src, sources[i]))
            out->status_source = (enum pki_status_source)i;
    int s = status ? pki_status_parse(status) : 0;
    if (!src || (status && s < 0) || (reason && (out->reason = pk_reason_value(reason)) < 0))
        return bad(err, "status");
    out->status = (enum pki_status)s;
    json_t *chain = json_object_get(o, "chain"), *item;
    size_t i;
    json_array_foreach(chain, i, item) {
        if (out->chain_len == (int)(sizeof out->chain / sizeof out->chain[0]) || !json_is_string(item))
            break;
        out->chain[out->chain_len++] = pc_arena_strdup(a, json_string_value(item));
    }
    return 0;
}

int pk_client_stats(json_t *o, struct pki_stats *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    json_t *cats = json_object_get(o, "categories");
    if (!json_is_object(cats))
        return bad(err, "statistics");
    for (int c = 0; c < PKI_CAT_COUNT; c++) {
        json_t *row = json_object_get(cats, pki_category_name((enum pki_category)c));
        json_t *issued = json_object_get(row, "issued"), *valid = json_object_get(row, "valid");
        if (!row)
            continue;
        if (!json_is_integer(issued) || !json_is_integer(valid) || json_integer_value(issued) < 0 ||
            json_integer_value(valid) < 0)
            return bad(err, "statistics");
        out->issued[c] = json_integer_value(issued);
        out->valid[c] = json_integer_value(valid);
    }
    return 0;
}

/* ---- the calls ------------------------------------------------------------- */

static json_t *holder_json(const struct pki_holder *h)
{
    json_t *o = json_object();
    const char *keys[] = {"fin", "name", "voen", "org", "agency", "service"};
    const char *vals[] = {h->fin, h->name, h->voen, h->org, h->agency, h->service};
    for (int i = 0; i < 6; i++)
        if (vals[i])
            json_object_set_new(o, keys[i], json_string(vals[i]));
    if (h->state_body)
        json_object_set_new(o, "state_body", json_true());
    return o;
}

/* A serial as a path segment: hex only (the CA normalises it). */
static const char *serial_path(struct pc_arena *a, const char *serial, const char *then, struct pc_err *err)
{
    const char *sn = pk_serial_norm(a, serial);
    if (!sn) {
        pc_err_set(err, PC_EINVAL, "a serial number is up to 40 hex digits");
        return NULL;
    }
    return pc_arena_printf(a, API "/certificates/%s%s", sn, then);
}

int pki_client_issue_csr(struct pki_client *cl, struct pc_arena *a, const struct pki_actor *who, const char *profile,
                         const struct pki_holder *h, const void *csr, size_t csr_len, const char *channel,
                         struct pki_cert *out, struct pc_err *err)
{
    if (csr_len > PKI_CSR_MAX)
        return pc_err_set(err, PC_ETOOBIG, "the CSR is larger than %d bytes", PKI_CSR_MAX);
    if (!pc_utf8_valid(csr, csr_len) || memchr(csr, 0, csr_len))
        return pc_err_set(err, PC_EINVAL, "the CSR must be PEM text");
    json_t *ans;
    int rc = call(cl, a, "POST", API "/certificates", who,
                  json_pack("{s:s, s:s%, s:o, s:s}", "profile", profile, "csr", (const char *)csr, csr_len, "holder",
                            holder_json(h), "channel", channel), &ans, err);
    return rc ? rc : pk_client_cert(a, ans, out, err);
}

int pki_client_issue_p12(struct pki_client *cl, struct pc_arena *a, const struct pki_actor *who, const char *profile,
                         const struct pki_holder *h, enum pki_key_type kt, const char *password, const char *channel,
                         struct pki_cert *out, const unsigned char **p12, size_t *p12_len, struct pc_err *err)
{
    json_t *ans;
    const char *b64;
    unsigned char *der;
    int rc = call(cl, a, "POST", API "/certificates/pkcs12", who,
                  json_pack("{s:s, s:s, s:s, s:o, s:s}", "profile", profile, "password", password ? password : "",
                            "key_type", pki_key_type_name(kt), "holder", holder_json(h), "channel", channel),
                  &ans, err);
    if (!rc)
        rc = pk_client_cert(a, json_object_get(ans, "certificate"), out, err);
    if (!rc && (str(a, ans, "pkcs12", &b64) || !b64 || pk_unb64(a, b64, strlen(b64), &der, p12_len)))
        rc = bad(err, "PKCS#12");
    if (!rc)
        *p12 = der;
    return rc;
}

int pki_client_get(struct pki_client *cl, struct pc_arena *a, const struct pki_actor *who, const char *serial,
                   struct pki_cert *out, struct pc_err *err)
{
    const char *path = serial_path(a, serial, "", err);
    json_t *ans;
    int rc = path ? call(cl, a, "GET", path, who, NULL, &ans, err) : PC_EINVAL;
    return rc ? rc : pk_client_cert(a, ans, out, err);
}

int pki_client_list(struct pki_client *cl, struct pc_arena *a, const struct pki_actor *who, const char *fin,
                    const char *voen, struct pki_cert **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    const char *id = fin ? fin : voen;
    if (!id || strspn(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(id) || strlen(id) > 16)
        return pc_err_set(err, PC_EINVAL, "give a FİN or a VÖEN");
    json_t *ans;
    int rc = call(cl, a, "GET", pc_arena_printf(a, API "/certificates?%s=%s", fin ? "fin" : "voen", id), who, NULL,
                  &ans, err);
    if (rc)
        return rc;
    json_t *list = json_object_get(ans, "certificates"), *item;
    if (!json_is_array(list))
        return bad(err, "list");
    *out = pc_arena_array(a, json_array_size(list) ? json_array_size(list) : 1, sizeof **out);
    size_t i;
    json_array_foreach(list, i, item) {
        if ((rc = pk_client_cert(a, item, &(*out)[i], err)))
            return rc;
        (*n)++;
    }
    return 0;
}

int pki_client_change(struct pki_client *cl, struct pc_arena *a, const struct pki_actor *who, const char *serial,
                      enum pki_status to, int reason, struct pki_cert *out, struct pc_err *err)
{
    const char *op = to == PKI_STATUS_SUSPENDED ? "/suspend" : to == PKI_STATUS_REVOKED ? "/revoke" : "/resume";
    if (to == PKI_STATUS_REVOKED && (!pki_reason_name(reason) || reason == PKI_REASON_HOLD))
        return pc_err_set(err, PC_EINVAL, "not a revocation reason");
    const char *path = serial_path(a, serial, op, err);
    json_t *ans;
    int rc = path ? call(cl, a, "POST", path, who,
                         to == PKI_STATUS_REVOKED ? json_pack("{s:s}", "reason", pki_reason_name(reason)) : json_object(),
                         &ans, err)
                  : PC_EINVAL;
    return rc ? rc : pk_client_cert(a, ans, out, err);
}

int pki_client_stats(struct pki_client *cl, struct pc_arena *a, struct pki_stats *out, struct pc_err *err)
{
    json_t *ans;
    int rc = call(cl, a, "GET", API "/statistics", NULL, NULL, &ans, err);
    return rc ? rc : pk_client_stats(ans, out, err);
}

int pki_client_verify(struct pki_client *cl, struct pc_arena *a, const void *doc, size_t doc_len, const void *sig,
                      size_t sig_len, struct pki_verify_report *out, struct pc_err *err)
{
    json_t *ans;
    int rc = call(cl, a, "POST", API "/verify", NULL,
                  json_pack("{s:s, s:s}", "document", pk_b64(a, doc, doc_len), "signature", pk_b64(a, sig, sig_len)),
                  &ans, err);
    return rc ? rc : pk_client_report(a, ans, out, err);
}

int pki_client_seal(struct pki_client *cl, struct pc_arena *a, const char *agency, const char *ref, const void *doc,
                    size_t len, const unsigned char **sig, size_t *sig_len, struct pki_cert *seal, struct pc_err *err)
{
    if (!agency || !pk_id_ok(agency, strlen(agency)))
        return pc_err_set(err, PC_EINVAL, "an agency id is 1 to %d characters a-z 0-9 -", PK_SEAL_ID_MAX);
    json_t *ans;
    const char *b64;
    unsigned char *der;
    int rc = call(cl, a, "POST", pc_arena_printf(a, API "/seals/%s/sign", agency), NULL,
                  json_pack("{s:s, s:s}", "document", pk_b64(a, doc, len), "reference", ref), &ans, err);
    if (!rc)
        rc = pk_client_cert(a, json_object_get(ans, "certificate"), seal, err);
    if (!rc && (str(a, ans, "signature", &b64) || !b64 || pk_unb64(a, b64, strlen(b64), &der, sig_len)))
        rc = bad(err, "signature");
    if (!rc)
        *sig = der;
    return rc;
}

int pki_client_timestamp(struct pki_client *cl, struct pc_arena *a, const unsigned char digest[32],
                         const unsigned char **token, size_t *len, int64_t *gen_time, struct pc_err *err)
{
    struct pc_err why = {0};
    int rc = pki_tsa_stamp(a, pc_arena_printf(a, "%s/ca/tsa", cl->url), digest, token, len, gen_time, &why);
    /* whatever went wrong, the centre's TSA did not give a time-stamp now */
    return rc ? pc_err_set(err, PC_EUNAVAIL, "%s", why.msg) : 0;
}

int pki_chain_fetch(struct pc_arena *a, const char *url, const char **pem, size_t *len, struct pc_err *err)
{
    struct pk_http_answer ans;
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        n--;
    int rc = pk_http_request(a, "GET", pc_arena_printf(a, "%.*s/ca/chain.pem", (int)n, url), NULL, NULL, 0, 65536,
                             &ans, err);
    if (!rc && ans.status != 200)
        rc = pc_err_set(err, PC_EUNAVAIL, "the certification centre answered HTTP %ld for its chain", ans.status);
    if (!rc) {
        *pem = (const char *)ans.body;
        *len = ans.len;
    }
    return rc;
}

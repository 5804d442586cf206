/* parse.c — every body and text of the mobile-signature API that comes
 * from outside: a relying party's requests, the phone's answers, QR codes
 * and the SIM's enrolment text.  Each has a limit, each field is checked
 * before anything uses it, and tests/fuzz/fuzz_mobile.c feeds them all. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void json_free(void *p)
{
    json_decref(p);
}

int mi_json_object(struct pc_arena *a, const void *body, size_t len, json_t **out, struct pc_err *err)
{
    *out = NULL;
    if (len > MID_BODY_MAX)
        return pc_err_set(err, PC_ETOOBIG, "the body is larger than %d bytes", MID_BODY_MAX);
    json_error_t je;
    json_t *j = len ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!j)
        return pc_err_set(err, PC_EINVAL, "the body is not JSON: %s", len ? je.text : "empty");
    pc_arena_defer(a, json_free, j);
    if (!json_is_object(j))
        return pc_err_set(err, PC_EINVAL, "the body must be a JSON object");
    *out = j;
    return 0;
}

/* Characters of valid UTF-8 (continuation bytes do not count). */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

int mi_str(struct pc_arena *a, json_t *o, const char *key, size_t max, bool required, const char **out,
           struct pc_err *err)
{
    (void)a;
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? pc_err_set(err, PC_EINVAL, "\"%s\" is required", key) : 0;
    if (!json_is_string(v))
        return pc_err_set(err, PC_EINVAL, "\"%s\" must be a string", key);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n || !pc_utf8_valid(s, n))
        return pc_err_set(err, PC_EINVAL, "\"%s\" must be text", key);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            return pc_err_set(err, PC_EINVAL, "\"%s\" may not hold control characters", key);
    if (n > 4 * max || chars(s) > max)
        return pc_err_set(err, PC_EINVAL, "\"%s\" is longer than %zu characters", key, max);
    if (required && n == 0)
        return pc_err_set(err, PC_EINVAL, "\"%s\" is required", key);
    *out = s;
    return 0;
}

int mi_bytes(json_t *o, const char *key, unsigned char *buf, size_t cap, size_t *len, struct pc_err *err)
{
    json_t *v = json_object_get(o, key);
    const char *s = json_string_value(v);
    size_t n = s ? json_string_length(v) : 0;
    long k = s && n <= (cap * 4 + 2) / 3 + 1 ? pc_b64url_decode(s, n, buf, cap) : -1;
    if (k <= 0)
        return pc_err_set(err, PC_EINVAL, "\"%s\" must be base64url of at most %zu bytes", key, cap);
    *len = (size_t)k;
    return 0;
}

char *mi_b64url(struct pc_arena *a, const void *p, size_t n)
{
    char *out = pc_arena_alloc(a, 4 * n / 3 + 4);
    pc_b64url_encode(p, n, out);
    return out;
}

/* ---- a relying party's requests ------------------------------------------- */

static int start_hash(json_t *o, struct mid_start *out, struct pc_err *err)
{
    const char *type = json_string_value(json_object_get(o, "hashType"));
    int t = type ? mid_hash_parse(type) : -1;
    if (t < 0)
        return pc_err_set(err, PC_EINVAL, "\"hashType\" must be SHA256, SHA384 or SHA512");
    out->hash_type = (enum mid_hash)t;
    int rc = mi_bytes(o, "hash", out->hash, sizeof out->hash, &out->hash_len, err);
    if (!rc && out->hash_len != mid_hash_len(out->hash_type))
        rc = pc_err_set(err, PC_EINVAL, "\"hash\" must be %zu bytes for %s", mid_hash_len(out->hash_type), type);
    return rc;
}

static int start_person(struct pc_arena *a, json_t *o, struct mid_start *out, struct pc_err *err)
{
    const char *phone, *fin;
    int rc;
    if ((rc = mi_str(a, o, "phoneNumber", 32, true, &phone, err)) ||
        (rc = mi_str(a, o, "nationalIdentityNumber", 16, true, &fin, err)))
        return rc;
    char *norm = pc_arena_alloc(a, MID_PHONE_MAX + 1);
    if (!mid_phone_normalize(phone, norm))
        return pc_err_set(err, PC_EINVAL, "\"phoneNumber\" must be + and 8 to 15 digits");
    /* a FİN is 7 characters [0-9A-Z] (identity checks the same shape) */
    bool ok = strlen(fin) == 7;
    for (size_t i = 0; ok && i < 7; i++)
        ok = (fin[i] >= '0' && fin[i] <= '9') || (fin[i] >= 'A' && fin[i] <= 'Z');
    if (!ok)
        return pc_err_set(err, PC_EINVAL, "\"nationalIdentityNumber\" must be a FİN: 7 of 0-9 A-Z");
    out->phone = norm;
    out->fin = fin;
    return 0;
}

int mid_parse_start(struct pc_arena *a, enum mid_request kind, const void *body, size_t len, struct mid_start *out,
                    struct pc_err *err)
{
    *out = (struct mid_start){.lang = PC_LANG_AZ};
    json_t *o;
    int rc = mi_json_object(a, body, len, &o, err);
    if (rc || (rc = mi_str(a, o, "relyingPartyName", MID_RP_NAME_MAX, true, &out->rp_name, err)))
        return rc;
    if (kind != MID_REQ_QR && (rc = start_person(a, o, out, err)))
        return rc;
    if (kind == MID_REQ_CERTIFICATE)
        return 0;
    const char *lang = NULL;
    if ((rc = start_hash(o, out, err)) || (rc = mi_str(a, o, "displayText", MID_DISPLAY_MAX, false, &out->display_text, err)) ||
        (rc = mi_str(a, o, "language", 3, false, &lang, err)))
        return rc;
    if (lang) {
        int l = mid_lang_parse(lang);
        if (l < 0)
            return pc_err_set(err, PC_EINVAL, "\"language\" must be AZE, ENG or RUS");
        out->lang = (enum pc_lang)l;
    }
    if (kind == MID_REQ_QR)
        rc = mi_str(a, o, "clientIp", 45, false, &out->client_ip, err);
    return rc;
}

/* ---- the phone's answers ---------------------------------------------------- */

int mid_parse_answer(const void *body, size_t len, struct mid_answer *out, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    json_t *o;
    const char *what = NULL;
    int rc = mi_json_object(&a, body, len, &o, err);
    if (!rc)
        rc = mi_str(&a, o, "answer", 16, true, &what, err);
    memset(out, 0, sizeof *out);
    if (!rc) {
        if (strcmp(what, "signature") == 0) {
            out->kind = MID_ANSWER_SIGNATURE;
            rc = mi_bytes(o, "signature", out->sig, sizeof out->sig, &out->sig_len, err);
        } else if (strcmp(what, "refuse") == 0) {
            out->kind = MID_ANSWER_REFUSE;
        } else if (strcmp(what, "pin-blocked") == 0) {
            out->kind = MID_ANSWER_PIN_BLOCKED;
        } else {
            rc = pc_err_set(err, PC_EINVAL, "\"answer\" must be signature, refuse or pin-blocked");
        }
    }
    pc_arena_release(&a);
    return rc;
}

/* ---- QR codes --------------------------------------------------------------- */

#define QR_PREFIX "PCQR1:"
/* RFC 4648 base32, the standard alphabet, so that any tool can make and
 * read it (a code is typed rarely). */
const char mi_base32[33] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int mid_parse_qr(const char *text, size_t len, char out[MID_QR_CODE_CHARS + 1], struct pc_err *err)
{
    out[0] = 0;
    if (len > 64)
        return pc_err_set(err, PC_EINVAL, "not a QR code of this service");
    if (len >= sizeof QR_PREFIX - 1 && memcmp(text, QR_PREFIX, sizeof QR_PREFIX - 1) == 0) {
        text += sizeof QR_PREFIX - 1;
        len -= sizeof QR_PREFIX - 1;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '-' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!c || !strchr(mi_base32, c) || n == MID_QR_CODE_CHARS) {
            out[0] = 0;
            return pc_err_set(err, PC_EINVAL, "not a QR code of this service");
        }
        out[n++] = c;
    }
    out[n] = 0;
    if (n != MID_QR_CODE_CHARS) {
        out[0] = 0;
        return pc_err_set(err, PC_EINVAL, "not a QR code of this service");
    }
    return 0;
}

void mid_qr_text(const char *code, char out[MID_QR_CODE_CHARS + 8])
{
    memcpy(out, QR_PREFIX, sizeof QR_PREFIX - 1);
    memcpy(out + sizeof QR_PREFIX - 1, code, MID_QR_CODE_CHARS);
    out[sizeof QR_PREFIX - 1 + MID_QR_CODE_CHARS] = 0;
}

/* ---- enrolment ------------------------------------------------------------- */

/* The next PEM block of type label in text[*pos..len): its text (arena). */
static int pem_block(struct pc_arena *a, const char *text, size_t len, size_t *pos, const char *label,
                     const char **out, struct pc_err *err)
{
    char begin[64], end[64];
    snprintf(begin, sizeof begin, "-----BEGIN %s-----", label);
    snprintf(end, sizeof end, "-----END %s-----", label);
    const char *p = text + *pos;
    size_t left = len - *pos;
    while (left && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) {
        p++;
        left--;
    }
    size_t bl = strlen(begin), el = strlen(end);
    if (left < bl || memcmp(p, begin, bl) != 0)
        return pc_err_set(err, PC_EINVAL, "the enrolment text must hold, in order, two CERTIFICATE REQUEST blocks"
                                          " and a PUBLIC KEY block (no %s here)", label);
    const char *e = memmem(p + bl, left - bl, end, el);
    if (!e)
        return pc_err_set(err, PC_EINVAL, "the %s block has no end", label);
    for (const char *q = p + bl; q < e; q++)
        if (!(*q == '\n' || *q == '\r' || (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
              (*q >= '0' && *q <= '9') || *q == '+' || *q == '/' || *q == '='))
            return pc_err_set(err, PC_EINVAL, "the %s block is not base64", label);
    size_t n = (size_t)(e + el - p);
    *out = pc_arena_strndup(a, p, n);
    *pos = (size_t)(e + el - text);
    return 0;
}

int mid_parse_enrolment_text(struct pc_arena *a, const char *text, size_t len, struct mid_enrolment *out,
                             struct pc_err *err)
{
    if (len > MID_ENROL_MAX)
        return pc_err_set(err, PC_ETOOBIG, "the enrolment text is larger than %d bytes", MID_ENROL_MAX);
    if (memchr(text, 0, len))
        return pc_err_set(err, PC_EINVAL, "the enrolment text holds a NUL byte");
    size_t pos = 0;
    int rc;
    if ((rc = pem_block(a, text, len, &pos, "CERTIFICATE REQUEST", &out->auth_csr, err)) ||
        (rc = pem_block(a, text, len, &pos, "CERTIFICATE REQUEST", &out->sign_csr, err)) ||
        (rc = pem_block(a, text, len, &pos, "PUBLIC KEY", &out->channel_key, err)))
        return rc;
    for (; pos < len; pos++)
        if (text[pos] != ' ' && text[pos] != '\n' && text[pos] != '\r' && text[pos] != '\t')
            return pc_err_set(err, PC_EINVAL, "the enrolment text goes on after the PUBLIC KEY block");
    return 0;
}

int mid_parse_enrolment(struct pc_arena *a, const void *body, size_t len, struct mid_enrolment *out,
                        struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    json_t *o;
    const char *phone, *sim;
    int rc = mi_json_object(a, body, len, &o, err);
    if (rc || (rc = mi_str(a, o, "phoneNumber", 32, true, &phone, err)) ||
        (rc = mi_str(a, o, "nationalIdentityNumber", 16, true, &out->fin, err)) ||
        (rc = mi_str(a, o, "name", 128, true, &out->name, err)))
        return rc;
    /* PEM text has line breaks: checked by mid_parse_enrolment_text */
    json_t *v = json_object_get(o, "sim");
    if (!json_is_string(v))
        return pc_err_set(err, PC_EINVAL, "\"sim\" must be the SIM's enrolment text");
    sim = json_string_value(v);
    if (strlen(sim) != json_string_length(v))
        return pc_err_set(err, PC_EINVAL, "the enrolment text holds a NUL byte");
    char *norm = pc_arena_alloc(a, MID_PHONE_MAX + 1);
    if (!mid_phone_normalize(phone, norm))
        return pc_err_set(err, PC_EINVAL, "\"phoneNumber\" must be + and 8 to 15 digits");
    out->phone = norm;
    return mid_parse_enrolment_text(a, sim, strlen(sim), out, err);
}

/* ---- the SIM's signature on its requests ------------------------------------ */

int mid_parse_sim_auth(const char *header, struct mid_sim_auth *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    const char *bad = "expected Authorization: " MI_SIM_AUTH_SCHEME " phone=…, ts=…, sig=…";
    size_t sl = strlen(MI_SIM_AUTH_SCHEME);
    if (!header || strlen(header) > 400 || strncmp(header, MI_SIM_AUTH_SCHEME " ", sl + 1) != 0)
        return pc_err_set(err, PC_EDENIED, "%s", bad);
    char phone[40] = "", ts[24] = "", sig[240] = "";
    struct {
        const char *name;
        char *buf;
        size_t cap;
    } parts[] = {{"phone=", phone, sizeof phone}, {"ts=", ts, sizeof ts}, {"sig=", sig, sizeof sig}};
    const char *p = header + sl + 1;
    for (size_t i = 0; i < 3; i++) {
        while (*p == ' ')
            p++;
        size_t nl = strlen(parts[i].name), vl;
        if (strncmp(p, parts[i].name, nl) != 0)
            return pc_err_set(err, PC_EDENIED, "%s", bad);
        p += nl;
        vl = strcspn(p, ",");
        if (vl == 0 || vl >= parts[i].cap)
            return pc_err_set(err, PC_EDENIED, "%s", bad);
        memcpy(parts[i].buf, p, vl);
        parts[i].buf[vl] = 0;
        p += vl;
        if (i < 2 && *p++ != ',')
            return pc_err_set(err, PC_EDENIED, "%s", bad);
    }
    long long t;
    long k;
    if (*p || !mid_phone_normalize(phone, out->phone) || strcmp(phone, out->phone) != 0 ||
        pc_parse_int(ts, 0, INT64_MAX / 2, &t) ||
        (k = pc_b64url_decode(sig, strlen(sig), out->sig, sizeof out->sig)) <= 0)
        return pc_err_set(err, PC_EDENIED, "%s", bad);
    out->ts = t;
    out->sig_len = (size_t)k;
    return 0;
}

/* ---- the request views the service sends the phone ---------------------------- */

int mi_view_from_json(struct pc_arena *a, json_t *o, struct mid_request_view *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(o))
        return pc_err_set(err, PC_EINVAL, "a request must be a JSON object");
    const char *kind, *type, *lang;
    json_t *rp = json_object_get(o, "relyingParty");
    int rc;
    if ((rc = mi_str(a, o, "id", MID_SESSION_ID_CHARS, true, &out->id, err)) ||
        (rc = mi_str(a, o, "kind", 16, true, &kind, err)) || (rc = mi_str(a, o, "hashType", 8, true, &type, err)) ||
        (rc = mi_str(a, o, "language", 3, true, &lang, err)) ||
        (rc = mi_str(a, o, "displayText", MID_DISPLAY_MAX, false, &out->display_text, err)) ||
        (rc = mi_str(a, o, "clientIp", 45, false, &out->client_ip, err)))
        return rc;
    if (!json_is_object(rp))
        return pc_err_set(err, PC_EINVAL, "\"relyingParty\" must be an object");
    if ((rc = mi_str(a, rp, "client", 32, true, &out->rp_client, err)) ||
        (rc = mi_str(a, rp, "name", MID_RP_NAME_MAX, true, &out->rp_name, err)))
        return rc;
    int k = mid_kind_parse(kind), t = mid_hash_parse(type), l = mid_lang_parse(lang);
    if (k < 0 || t < 0 || l < 0)
        return pc_err_set(err, PC_EINVAL, "unknown kind, hash type or language");
    out->kind = (enum mid_kind)k;
    out->hash_type = (enum mid_hash)t;
    out->lang = (enum pc_lang)l;
    unsigned char *h = pc_arena_alloc(a, 64);
    if ((rc = mi_bytes(o, "hash", h, 64, &out->hash_len, err)))
        return rc;
    if (out->hash_len != mid_hash_len(out->hash_type))
        return pc_err_set(err, PC_EINVAL, "the hash does not fit its type");
    out->hash = h;
    const char *by;
    struct tm tm = {0};
    if ((rc = mi_str(a, o, "answerBy", 20, true, &by, err)))
        return rc;
    const char *end = strptime(by, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end)
        return pc_err_set(err, PC_EINVAL, "\"answerBy\" must be an RFC 3339 time in UTC");
    out->answer_by = (int64_t)timegm(&tm);
    return 0;
}

int mid_parse_request_view(struct pc_arena *a, const void *body, size_t len, struct mid_request_view *out,
                           struct pc_err *err)
{
    json_t *o;
    int rc = mi_json_object(a, body, len, &o, err);
    return rc ? rc : mi_view_from_json(a, o, out, err);
}

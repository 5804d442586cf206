/* link.c — the phone's link to the service: the three requests of the
 * SIM API (fetch the waiting requests, claim a scanned QR code, answer),
 * each signed with the SIM's channel key, over libcurl.  An answer's
 * status becomes a PC_E* code here, once; its problem detail the message. */
#include "internal.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define ANSWER_MAX (64 * 1024)

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    return pc_buf_append(arg, p, size * n) ? 0 : size * n;
}

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int code_of(long status)
{
    switch (status) {
    case 400: return PC_EINVAL;
    case 401:
    case 403: return PC_EDENIED;
    case 404: return PC_ENOTFOUND;
    case 409: return PC_ECONFLICT;
    case 413: return PC_ETOOBIG;
    case 429: return PC_ELIMIT;
    default: return PC_EUNAVAIL;
    }
}

/* One signed request; the answer's JSON object (arena) when it is 200. */
static int call(struct mid_sim *s, const char *base_url, struct pc_arena *a, const char *method, const char *target,
                const char *body, int timeout_ms, json_t **out, struct pc_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, curl_init);
    if (!pc_str_has_prefix(base_url, "http://") && !pc_str_has_prefix(base_url, "https://"))
        return pc_err_set(err, PC_EINVAL, "%s is not an http(s) URL", base_url);
    size_t blen = body ? strlen(body) : 0;
    char auth[320] = "Authorization: ";
    int rc = mid_sim_sign_request(s, method, target, body, blen, pc_now_unix(), auth + 15, sizeof auth - 15, err);
    if (rc)
        return rc;
    CURL *h = curl_easy_init();
    if (!h)
        return pc_err_set(err, PC_EUNAVAIL, "libcurl could not start");
    struct pc_buf b;
    pc_buf_init(&b, ANSWER_MAX);
    struct curl_slist *hdrs = curl_slist_append(NULL, auth);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    char *url = pc_arena_printf(a, "%s%s", base_url, target);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (body) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)blen);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms + 15000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    json_t *j = NULL;
    struct pc_err perr = {0};
    if (cc == CURLE_OK && b.len)
        mi_json_object(a, b.data, b.len, &j, &perr);
    if (cc != CURLE_OK)
        rc = pc_err_set(err, PC_EUNAVAIL, "%s: %s", url, curl_easy_strerror(cc));
    else if (status != 200) {
        const char *detail = json_string_value(json_object_get(j, "detail"));
        rc = pc_err_set(err, code_of(status), "%s", detail ? detail : pc_arena_printf(a, "HTTP %ld", status));
    } else if (!j)
        rc = pc_err_set(err, PC_EIO, "the service's answer is not JSON: %s", perr.msg);
    pc_buf_release(&b);
    *out = j;
    return rc;
}

int mid_link_fetch(struct mid_sim *s, const char *base_url, struct pc_arena *a, int wait_ms,
                   struct mid_request_view **out, size_t *n, struct pc_err *err)
{
    json_t *j;
    char target[64];
    snprintf(target, sizeof target, "/mid/sim/v1/requests?timeoutMs=%d", wait_ms > 0 ? wait_ms : 0);
    int rc = call(s, base_url, a, "GET", target, NULL, wait_ms, &j, err);
    if (rc)
        return rc;
    json_t *list = json_object_get(j, "requests");
    if (!json_is_array(list))
        return pc_err_set(err, PC_EIO, "the service's answer has no requests");
    *n = json_array_size(list);
    *out = pc_arena_array(a, *n ? *n : 1, sizeof **out);
    for (size_t i = 0; i < *n; i++)
        if ((rc = mi_view_from_json(a, json_array_get(list, i), &(*out)[i], err)))
            return rc;
    return 0;
}

int mid_link_scan(struct mid_sim *s, const char *base_url, struct pc_arena *a, const char *text,
                  struct mid_request_view *out, struct pc_err *err)
{
    char code[MID_QR_CODE_CHARS + 1];
    int rc = mid_parse_qr(text, strlen(text), code, err);
    if (rc)
        return rc;
    json_t *body = json_pack("{s:s}", "code", code), *j;
    char *s_body = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s_body)
        pc_oom(0);
    rc = call(s, base_url, a, "POST", "/mid/sim/v1/qr", s_body, 0, &j, err);
    free(s_body);
    return rc ? rc : mi_view_from_json(a, j, out, err);
}

int mid_link_answer(struct mid_sim *s, const char *base_url, struct pc_arena *a, const char *id,
                    const struct mid_answer *ans, const char **result, struct pc_err *err)
{
    static const char *const words[] = {"signature", "refuse", "pin-blocked"};
    json_t *body = json_pack("{s:s}", "answer", words[ans->kind]), *j;
    if (ans->kind == MID_ANSWER_SIGNATURE)
        json_object_set_new(body, "signature", json_string(mi_b64url(a, ans->sig, ans->sig_len)));
    char *s_body = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s_body)
        pc_oom(0);
    char *target = pc_arena_printf(a, "/mid/sim/v1/requests/%s", id);
    int rc = call(s, base_url, a, "POST", target, s_body, 0, &j, err);
    free(s_body);
    if (rc)
        return rc;
    *result = pc_arena_strdup(a, json_string_value(json_object_get(j, "result")));
    return *result ? 0 : pc_err_set(err, PC_EIO, "the service's answer has no result");
}

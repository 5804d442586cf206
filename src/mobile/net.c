/* net.c — the one HTTP client of src/mobile (libcurl): the phone's link
 * and the relying party's client both send a JSON body (or none) with an
 * Authorization header and read a JSON object back.  An answer's status
 * becomes a PC_E* code here, once, and its problem detail the message. */
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

int mi_http_json(struct pc_arena *a, const char *method, const char *url, const char *const *headers,
                 const char *body, int wait_ms, json_t **out, struct pc_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, curl_init);
    *out = NULL;
    if (!pc_str_has_prefix(url, "http://") && !pc_str_has_prefix(url, "https://"))
        return pc_err_set(err, PC_EINVAL, "%s is not an http(s) URL", url);
    CURL *h = curl_easy_init();
    if (!h)
        return pc_err_set(err, PC_EUNAVAIL, "libcurl could not start");
    struct pc_buf b;
    pc_buf_init(&b, ANSWER_MAX);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    for (size_t i = 0; headers && headers[i]; i++)
        hdrs = curl_slist_append(hdrs, headers[i]);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(wait_ms > 0 ? wait_ms : 0) + 15000L);
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
    int rc = 0;
    if (cc != CURLE_OK) {
        rc = pc_err_set(err, PC_EUNAVAIL, "%s: %s", url, curl_easy_strerror(cc));
    } else if (status < 200 || status > 299) {
        const char *detail = json_string_value(json_object_get(j, "detail"));
        rc = pc_err_set(err, code_of(status), "%s", detail ? detail : pc_arena_printf(a, "HTTP %ld", status));
    } else if (!j) {
        rc = pc_err_set(err, PC_EIO, "the service's answer is not JSON: %s", perr.msg);
    }
    pc_buf_release(&b);
    *out = rc ? NULL : j;
    return rc;
}

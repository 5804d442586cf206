/* client.c — one bounded HTTP request over libcurl (client.h). */
#include "client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <string.h>

static size_t keep(char *p, size_t size, size_t n, void *arg)
{
    return pc_buf_append(arg, p, size * n) ? 0 : size * n; /* too big: curl stops */
}

static void start_curl(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int pay_http_do(const struct pay_http *req, struct pc_arena *a, long *status, char **answer, size_t *len,
                struct pc_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, start_curl);
    *status = 0;
    if (!pc_str_has_prefix(req->url, "http://") && !pc_str_has_prefix(req->url, "https://"))
        return pc_err_set(err, PC_EINVAL, "%s is not an http(s) URL", req->url);
    CURL *h = curl_easy_init();
    if (!h)
        return pc_err_set(err, PC_EUNAVAIL, "libcurl could not start");
    struct pc_buf b;
    pc_buf_init(&b, req->max_answer);
    struct curl_slist *hdrs = NULL;
    for (const char *const *p = req->headers; p && *p; p++)
        hdrs = curl_slist_append(hdrs, *p);
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (strcmp(req->method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    int rc = 0;
    if (cc == CURLE_WRITE_ERROR)
        rc = pc_err_set(err, PC_ETOOBIG, "%s answered more than %zu bytes", req->url, req->max_answer);
    else if (cc != CURLE_OK)
        rc = pc_err_set(err, PC_EUNAVAIL, "%s: %s", req->url, curl_easy_strerror(cc));
    if (!rc) {
        *answer = pc_arena_strndup(a, b.data ? b.data : "", b.len);
        *len = b.len;
    }
    pc_buf_release(&b);
    return rc;
}

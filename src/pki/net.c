/* net.c — the requests pki makes itself, over libcurl: a time-stamp from
 * a TSA (when signing, when stamping the audit chain), an OCSP status
 * (when verifying without the centre's records) and the portal's calls to
 * the CA's RA API (client.c).  Bounded answers, short timeouts, no
 * redirects, http and https only. */
#include "internal.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

struct sink {
    struct pc_buf *b;
};

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    if (pc_buf_append(s->b, p, size * n))
        return 0; /* too big: curl stops with a write error */
    return size * n;
}

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int pk_http_request(struct pc_arena *a, const char *method, const char *url, const char *const *headers,
                    const void *body, size_t len, size_t max, struct pk_http_answer *out, struct pc_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, curl_init);
    memset(out, 0, sizeof *out);
    if (!pc_str_has_prefix(url, "http://") && !pc_str_has_prefix(url, "https://"))
        return pc_err_set(err, PC_EINVAL, "%s is not an http(s) URL", url);
    CURL *h = curl_easy_init();
    if (!h)
        return pc_err_set(err, PC_EUNAVAIL, "libcurl could not start");
    struct pc_buf b;
    pc_buf_init(&b, max);
    struct sink s = {&b};
    struct curl_slist *hdrs = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        hdrs = curl_slist_append(hdrs, headers[i]);
    hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip for a bigger body */
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    int rc = 0;
    if (cc != CURLE_OK)
        rc = pc_err_set(err, b.toobig ? PC_ETOOBIG : PC_EUNAVAIL, "%s: %s", url,
                        b.toobig ? "answer too large" : curl_easy_strerror(cc));
    if (!rc) {
        out->body = pc_arena_alloc(a, b.len + 1);
        memcpy(out->body, b.data, b.len);
        out->body[b.len] = 0;
        out->len = b.len;
    }
    pc_buf_release(&b);
    return rc;
}

int pk_http_post(struct pc_arena *a, const char *url, const char *content_type, const void *body, size_t len,
                 size_t max, unsigned char **out, size_t *out_len, struct pc_err *err)
{
    const char *headers[] = {pc_arena_printf(a, "Content-Type: %s", content_type), NULL};
    struct pk_http_answer ans;
    int rc = pk_http_request(a, "POST", url, headers, body, len, max, &ans, err);
    if (!rc && ans.status != 200)
        rc = pc_err_set(err, PC_EUNAVAIL, "%s answered HTTP %ld", url, ans.status);
    if (!rc) {
        *out = ans.body;
        *out_len = ans.len;
    }
    return rc;
}

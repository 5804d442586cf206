/* net.c — the two requests pki makes itself, over libcurl: a time-stamp
 * from a TSA (when signing) and an OCSP status (when verifying without
 * the centre's records).  One POST, bounded answer, short timeouts, no
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

int pk_http_post(struct pc_arena *a, const char *url, const char *content_type, const void *body, size_t len,
                 size_t max, unsigned char **out, size_t *out_len, struct pc_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, curl_init);
    if (!pc_str_has_prefix(url, "http://") && !pc_str_has_prefix(url, "https://"))
        return pc_err_set(err, PC_EINVAL, "%s is not an http(s) URL", url);
    CURL *h = curl_easy_init();
    if (!h)
        return pc_err_set(err, PC_EUNAVAIL, "libcurl could not start");
    struct pc_buf b;
    pc_buf_init(&b, max);
    struct sink s = {&b};
    char ct[128];
    snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
    struct curl_slist *hdrs = curl_slist_append(NULL, ct);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    int rc = 0;
    if (cc != CURLE_OK)
        rc = pc_err_set(err, b.toobig ? PC_ETOOBIG : PC_EUNAVAIL, "%s: %s", url,
                        b.toobig ? "answer too large" : curl_easy_strerror(cc));
    else if (status != 200)
        rc = pc_err_set(err, PC_EUNAVAIL, "%s answered HTTP %ld", url, status);
    if (!rc) {
        *out = pc_arena_alloc(a, b.len ? b.len : 1);
        memcpy(*out, b.data, b.len);
        *out_len = b.len;
    }
    pc_buf_release(&b);
    return rc;
}

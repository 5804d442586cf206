/* fetch.c — the few HTTP requests the commands make themselves (the
 * example agency site to the portal, the portal to the CA's RA API for
 * its OpenID Connect keys): one request over libcurl, http and https
 * only, no redirects, a 10 s limit, a bounded answer. */
#include "cli.h"

#include <curl/curl.h>
#include <string.h>

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    return pc_buf_append(arg, p, size * n) ? 0 : size * n; /* too big: curl stops with a write error */
}

int cli_fetch(struct pc_arena *a, const struct cli_request *q, long *status, char **out, size_t *len,
              struct pc_err *err)
{
    CURL *h = curl_easy_init();
    if (!h)
        return pc_err_set(err, PC_EIO, "cannot start an HTTP request");
    struct pc_buf b;
    pc_buf_init(&b, q->max ? q->max : 65536);
    struct curl_slist *hdrs = NULL;
    for (const char *const *p = q->headers; p && *p; p++)
        hdrs = curl_slist_append(hdrs, *p);
    curl_easy_setopt(h, CURLOPT_URL, q->url);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    if (q->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(q->body));
    }
    if (q->user) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, q->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, q->password);
    }
    CURLcode rc = curl_easy_perform(h);
    *status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    int ret = rc == CURLE_OK ? 0 : pc_err_set(err, PC_EUNAVAIL, "%s: %s", q->url, curl_easy_strerror(rc));
    if (!ret) {
        *out = pc_arena_strndup(a, b.data ? b.data : "", b.len);
        *len = b.len;
    }
    pc_buf_release(&b);
    return ret;
}

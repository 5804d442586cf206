/* net.c — the gateway's outbound HTTP over libcurl: to the other gateway,
 * to a provider's system, to the central registry, the OCSP responder and
 * the TSA.  One easy handle per thread, kept, so connections are reused
 * (keep-alive matters more than anything else for the exchange's speed).
 * Redirects are never followed; the answer is bounded; every request has
 * a deadline; only http and https.  Headers are sent exactly as given:
 * curl's own defaults (Accept, Expect, a form Content-Type) are removed so
 * that what was signed is what arrives. */
#include "internal.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t handle_key;

static void free_handle(void *h)
{
    curl_easy_cleanup(h);
}

static void init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_key_create(&handle_key, free_handle);
}

static CURL *handle(void)
{
    pthread_once(&once, init);
    CURL *h = pthread_getspecific(handle_key);
    if (!h) {
        h = curl_easy_init();
        if (h)
            pthread_setspecific(handle_key, h);
    } else {
        curl_easy_reset(h); /* options go, the connection cache stays */
    }
    return h;
}

struct sink {
    struct pc_arena *a;
    struct xr_http_answer *out;
    struct pc_buf body;
    bool head_too_big;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    if (pc_buf_append(&s->body, p, size * n))
        return 0; /* too big: curl stops with a write error */
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n;
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        s->out->nhdrs = 0; /* a new answer (after a 100 Continue) */
        return len;
    }
    const char *colon = memchr(p, ':', len);
    if (!colon)
        return len;
    if (s->out->nhdrs == sizeof s->out->hdrs / sizeof s->out->hdrs[0] || len > XR_HEADER_VALUE_MAX + 128) {
        s->head_too_big = true;
        return len;
    }
    const char *v = colon + 1, *e = p + len;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    struct xr_hdr *h = &s->out->hdrs[s->out->nhdrs++];
    h->name = pc_arena_strndup(s->a, p, (size_t)(colon - p));
    h->value = pc_arena_strndup(s->a, v, (size_t)(e - v));
    return len;
}

const char *xr_answer_header(void *answer, const char *name)
{
    struct xr_http_answer *a = answer;
    for (size_t i = 0; i < a->nhdrs; i++)
        if (strcasecmp(a->hdrs[i].name, name) == 0)
            return a->hdrs[i].value;
    return NULL;
}

int xr_http(struct pc_arena *a, const struct xr_http_call *c, struct xr_http_answer *out, enum xr_fault *fault,
            struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    *fault = XR_FAULT_NETWORK;
    if (!pc_str_has_prefix(c->url, "http://") && !pc_str_has_prefix(c->url, "https://"))
        return pc_err_set(err, PC_EINVAL, "%s is not an http(s) URL", c->url);
    CURL *h = handle();
    if (!h)
        return pc_err_set(err, PC_EUNAVAIL, "libcurl could not start");
    struct sink s = {a, out, {0}, false};
    pc_buf_init(&s.body, c->max_response ? c->max_response : (size_t)16 << 20);
    struct curl_slist *hl = NULL;
    hl = curl_slist_append(hl, "Expect:");
    bool accept = false;
    for (size_t i = 0; i < c->nhdrs; i++) {
        char *line = pc_arena_printf(a, "%s: %s", c->hdrs[i].name, c->hdrs[i].value);
        hl = curl_slist_append(hl, line);
        accept = accept || strcasecmp(c->hdrs[i].name, "Accept") == 0;
    }
    if (!accept)
        hl = curl_slist_append(hl, "Accept:");
    hl = curl_slist_append(hl, c->content_type && *c->content_type
                                   ? pc_arena_printf(a, "Content-Type: %s", c->content_type)
                                   : "Content-Type:");
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_USERAGENT, NULL);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &s);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(c->timeout_ms < 5000 ? c->timeout_ms : 5000));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    if (c->tls) {
        /* the peer proves the key the configuration names; its name is not checked */
        curl_easy_setopt(h, CURLOPT_SSLCERT, c->tls->cert_path);
        curl_easy_setopt(h, CURLOPT_SSLKEY, c->tls->key_path);
        curl_easy_setopt(h, CURLOPT_CAINFO, c->tls->ca_path);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, c->tls->pin);
    }
    if (strcmp(c->method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(c->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body ? c->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->len);
        if (strcmp(c->method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
    }
    if (c->body && c->len && strcmp(c->method, "GET") == 0) {
        /* a GET with a body: send it as is */
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->len);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "GET");
    }
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    int rc = 0;
    if (cc == CURLE_OK && s.head_too_big) {
        *fault = XR_FAULT_SERVICE_FAILED;
        rc = pc_err_set(err, PC_ETOOBIG, "%s answered with too many or too long headers", c->url);
    } else if (cc == CURLE_WRITE_ERROR && s.body.toobig) {
        *fault = XR_FAULT_TOO_LARGE;
        rc = pc_err_set(err, PC_ETOOBIG, "the answer of %s is larger than %zu bytes", c->url, s.body.max);
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        *fault = XR_FAULT_TIMEOUT;
        rc = pc_err_set(err, PC_EUNAVAIL, "%s did not answer within %d ms", c->url, c->timeout_ms);
    } else if (cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || cc == CURLE_PEER_FAILED_VERIFICATION) {
        *fault = XR_FAULT_AUTHENTICATION;
        rc = pc_err_set(err, PC_EDENIED, "%s is not the gateway the configuration names: %s", c->url,
                        curl_easy_strerror(cc));
    } else if (cc != CURLE_OK) {
        rc = pc_err_set(err, PC_EUNAVAIL, "%s: %s", c->url, curl_easy_strerror(cc));
    }
    if (!rc) {
        *fault = XR_FAULT_NONE;
        out->content_type = xr_answer_header(out, "Content-Type");
        out->len = s.body.len;
        if (s.body.cap) {
            /* the buffer becomes the arena's: a big answer is not copied again */
            out->body = (unsigned char *)s.body.data;
            pc_arena_defer(a, free, s.body.data);
            s.body.cap = 0;
        } else {
            out->body = pc_arena_alloc(a, 1);
            out->body[0] = 0;
        }
    }
    pc_buf_release(&s.body);
    return rc;
}

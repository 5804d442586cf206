/* xclient.c — calls through the portal's gateway (xclient.h): the REST
 * message protocol (/r1/{service id}{path}, X-Road-Client, -Id, -UserId,
 * -Issue) over libcurl, one handle per call; never a redirect followed,
 * the answer bounded, a deadline; the gateway's X-Road errors turned into
 * the program's codes with their type and message kept. */
#include "internal.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct xc *xc_new(const struct xc_config *c, struct pc_err *err)
{
    if (!c->config_file && (!c->gateway || !c->client)) {
        pc_err_set(err, PC_EINVAL, "the exchange needs a gateway and a client, or a configuration file");
        return NULL;
    }
    struct xc_conf opts = {0};
    if (xc_conf_set(&opts, c->gateway, c->client, err))
        return NULL;
    struct xc *x = calloc(1, sizeof *x);
    if (!x)
        pc_oom(sizeof *x);
    pthread_mutex_init(&x->lock, NULL);
    x->opts = opts;
    x->file = c->config_file ? strdup(c->config_file) : NULL;
    if (c->config_file && !x->file)
        pc_oom(strlen(c->config_file));
    x->timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : XC_DEFAULT_TIMEOUT_MS;
    x->max_body = c->max_body ? c->max_body : XC_DEFAULT_MAX_BODY;
    return x;
}

void xc_free(struct xc *x)
{
    if (!x)
        return;
    pthread_mutex_destroy(&x->lock);
    free(x->conf);
    free(x->file);
    free(x);
}

int xc_service(struct xc *x, const char *kind, struct pc_arena *a, const char **service, struct pc_err *err)
{
    const struct xc_conf *c;
    int rc = xc_conf_get(x, &c, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < c->nservices; i++)
        if (strcmp(c->services[i].kind, kind) == 0) {
            *service = pc_arena_strdup(a, c->services[i].service);
            return 0;
        }
    return pc_err_set(err, PC_ENOTFOUND, "the exchange configuration names no service for the %.40s registry", kind);
}

/* ---- one call ---------------------------------------------------------------- */

static void start_curl(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
    struct pc_arena *a;
    struct pc_buf body;
    const char *id, *hash, *error, *type;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    return pc_buf_append(&s->body, p, size * n) ? 0 : size * n; /* too big: curl stops */
}

static bool named(const char *p, size_t n, const char *name)
{
    return n == strlen(name) && strncasecmp(p, name, n) == 0;
}

/* Keep the few answer headers the caller is told about. */
static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n;
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        s->id = s->hash = s->error = s->type = NULL; /* a new answer (after a 100 Continue) */
        return len;
    }
    const char *colon = memchr(p, ':', len);
    if (!colon || len > 4096)
        return len;
    const char *v = colon + 1, *e = p + len;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    size_t k = (size_t)(colon - p);
    const char **slot = named(p, k, "X-Road-Id")             ? &s->id
                        : named(p, k, "X-Road-Request-Hash") ? &s->hash
                        : named(p, k, "X-Road-Error")        ? &s->error
                        : named(p, k, "Content-Type")        ? &s->type
                                                             : NULL;
    if (slot)
        *slot = pc_arena_strndup(s->a, v, (size_t)(e - v));
    return len;
}

/* The gateway's X-Road error (its type in the header, {type, message,
 * detail} in the body) into out and err, with the code of its type. */
static int exchange_fault(struct pc_arena *a, struct xc_answer *out, const char *type, struct pc_err *err)
{
    json_t *j = json_loadb(out->body, out->len, 0, NULL);
    const char *msg = json_string_value(json_object_get(j, "message"));
    out->fault_type = type;
    out->fault_message = pc_arena_strdup(a, msg ? msg : "");
    json_decref(j);
    enum xr_fault f = xr_fault_parse(type, NULL);
    int code = f == XR_FAULT_COUNT ? PC_EUNAVAIL : xr_fault_pc(f);
    return pc_err_set(err, code, "%.100s: %.140s", type, out->fault_message);
}

/* The request's URL: the gateway, /r1/, the service id (its parts
 * percent-encoded), the path checked as the gateway will check it. */
static int target(struct pc_arena *a, const struct xc_conf *c, const struct xc_call *call, const char **url,
                  struct pc_err *err)
{
    struct xr_id svc;
    struct pc_err e = {0};
    if (!call->service || xr_id_parse_str(call->service, XR_ID_SERVICE, &svc, &e))
        return pc_err_set(err, PC_EINVAL, "the exchange service: %s", e.msg[0] ? e.msg : "none given");
    const char *rest = call->path ? call->path : "";
    if (*rest && *rest != '/' && *rest != '?')
        return pc_err_set(err, PC_EINVAL, "the path below a service begins with / or ?");
    if (strlen(rest) > 2048)
        return pc_err_set(err, PC_EINVAL, "the path below the service is longer than 2048 characters");
    if (xr_rest_path_check(rest, err))
        return PC_EINVAL;
    struct pc_buf b;
    pc_buf_init(&b, 4096);
    pc_buf_printf(&b, "%s/r1/", c->gateway);
    xr_id_write(&b, &svc, true);
    pc_buf_puts(&b, rest);
    *url = pc_arena_strndup(a, b.data, b.len);
    pc_buf_release(&b);
    return 0;
}

int xc_call(struct xc *x, struct pc_arena *a, const struct xc_call *call, struct xc_answer *out, struct pc_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    memset(out, 0, sizeof *out);
    out->body = "";
    out->message_id = out->request_hash = out->fault_type = out->fault_message = "";
    out->service = call->service ? pc_arena_strdup(a, call->service) : "";
    const struct xc_conf *c;
    const char *url;
    struct xr_meta meta = {0};
    enum xr_fault bad;
    int rc = xc_conf_get(x, &c, err);
    if (rc || (rc = target(a, c, call, &url, err)))
        return rc;
    if (xr_meta_ids(&meta, NULL, call->user_id, call->issue, &bad, err))
        return PC_EINVAL; /* a user id or issue the gateway would refuse (it said which) */
    out->message_id = pc_arena_strdup(a, meta.id);
    pthread_once(&once, start_curl);
    CURL *h = curl_easy_init();
    if (!h)
        return pc_err_set(err, PC_EUNAVAIL, "libcurl could not start");
    struct sink s = {.a = a};
    pc_buf_init(&s.body, call->max_body ? call->max_body : x->max_body);
    struct curl_slist *hl = curl_slist_append(NULL, "Expect:");
    hl = curl_slist_append(hl, pc_arena_printf(a, "X-Road-Client: %s", c->client));
    hl = curl_slist_append(hl, pc_arena_printf(a, "X-Road-Id: %s", meta.id));
    if (meta.user_id[0])
        hl = curl_slist_append(hl, pc_arena_printf(a, "X-Road-UserId: %s", meta.user_id));
    if (meta.issue[0])
        hl = curl_slist_append(hl, pc_arena_printf(a, "X-Road-Issue: %s", meta.issue));
    hl = curl_slist_append(hl, "Accept: application/json");
    const char *method = call->method ? call->method : "GET";
    int timeout = call->timeout_ms > 0 ? call->timeout_ms : x->timeout_ms;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &s);
    if (strcmp(method, "GET") != 0) {
        hl = curl_slist_append(hl, pc_arena_printf(a, "Content-Type: %s",
                                                   call->content_type ? call->content_type : "application/json"));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, call->body ? call->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->len);
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    int64_t t0 = pc_mono_usec();
    CURLcode cc = curl_easy_perform(h);
    out->usec = pc_mono_usec() - t0;
    out->at = pc_now_unix();
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    if (cc == CURLE_WRITE_ERROR && s.body.toobig)
        rc = pc_err_set(err, PC_ETOOBIG, "the answer of %.200s is larger than %zu bytes", call->service, s.body.max);
    else if (cc == CURLE_OPERATION_TIMEDOUT)
        rc = pc_err_set(err, PC_EUNAVAIL, "%.200s did not answer within %d ms", call->service, timeout);
    else if (cc != CURLE_OK)
        rc = pc_err_set(err, PC_EUNAVAIL, "the exchange gateway %.200s: %s", c->gateway, curl_easy_strerror(cc));
    if (!rc) {
        out->body = pc_arena_strndup(a, s.body.data ? s.body.data : "", s.body.len);
        out->len = s.body.len;
        out->content_type = s.type;
        if (s.id)
            out->message_id = s.id;
        if (s.hash)
            out->request_hash = s.hash;
        if (s.error)
            rc = exchange_fault(a, out, s.error, err);
    }
    pc_buf_release(&s.body);
    return rc;
}

static void release_json(void *j)
{
    json_decref(j);
}

int xc_get_json(struct xc *x, struct pc_arena *a, const char *kind, const char *path, const char *user_id,
                const char *issue, json_t **json, struct xc_answer *out, struct pc_err *err)
{
    *json = NULL;
    const char *service;
    int rc = xc_service(x, kind, a, &service, err);
    if (rc) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    struct xc_call call = {.service = service, .path = path, .user_id = user_id, .issue = issue};
    if ((rc = xc_call(x, a, &call, out, err)))
        return rc;
    if (out->status == 404)
        return pc_err_set(err, PC_ENOTFOUND, "the %.40s registry has no %.200s", kind, path);
    if (out->status >= 400 && out->status < 500)
        return pc_err_set(err, PC_EINVAL, "the %.40s registry refused %.200s (%ld)", kind, path, out->status);
    if (out->status != 200)
        return pc_err_set(err, PC_EUNAVAIL, "the %.40s registry answered %ld", kind, out->status);
    json_error_t je;
    if (!(*json = json_loadb(out->body, out->len, JSON_REJECT_DUPLICATES, &je)))
        return pc_err_set(err, PC_EUNAVAIL, "the %.40s registry's answer is not JSON: %s", kind, je.text);
    pc_arena_defer(a, release_json, *json);
    return 0;
}

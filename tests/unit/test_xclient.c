/* test_xclient.c — unit tests of the portal's exchange client
 * (src/xclient) against a small local HTTP server that plays the
 * portal's gateway: the request it sends (target, X-Road headers), the
 * configuration file read late, the lookup of services by registry kind,
 * X-Road errors kept with their type, redirects not followed, the
 * answer's limit and the deadline, and the refusal of bad arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/xclient/xclient.h"
#include "../../src/http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PERSONS "AZ/GOV/1400000001/population/persons"
#define CLIENT "AZ/GOV/1500000002/portal"

/* The fake gateway: answers by the last segment of the target. */
static int fake_gateway(struct http_req *r)
{
    const char *u = r->raw_uri;
    if (strstr(u, "/fault")) {
        http_set_header(r, "X-Road-Error", "Server.ServerProxy.AccessDenied");
        return http_reply_json(r, 403, "{\"type\":\"Server.ServerProxy.AccessDenied\",\"message\":\"no right\","
                                       "\"detail\":\"x\"}");
    }
    if (strstr(u, "/down")) {
        http_set_header(r, "X-Road-Error", "Server.ServerProxy.ServiceFailed");
        return http_reply_json(r, 502, "{\"type\":\"Server.ServerProxy.ServiceFailed\",\"message\":\"refused\"}");
    }
    if (strstr(u, "/redirect"))
        return http_redirect(r, 302, "/r1/elsewhere");
    if (strstr(u, "/missing"))
        return http_reply_json(r, 404, "{\"error\":\"no such person\"}");
    if (strstr(u, "/text"))
        return http_reply(r, 200, "text/plain", "not json");
    if (strstr(u, "/big")) {
        char *big = pc_arena_alloc(&r->arena, 5000);
        memset(big, 'a', 4999);
        return http_reply(r, 200, "text/plain", big);
    }
    if (strstr(u, "/slow")) {
        struct timespec ts = {0, 400 * 1000000};
        nanosleep(&ts, NULL);
    }
    const char *c = http_header(r, "X-Road-Client"), *id = http_header(r, "X-Road-Id"),
               *user = http_header(r, "X-Road-UserId"), *issue = http_header(r, "X-Road-Issue");
    http_set_header(r, "X-Road-Id", id ? id : "");
    http_set_header(r, "X-Road-Request-Hash", "HASH");
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "target", u, "method", r->method, "client", c ? c : "",
                          "user", user ? user : "", "issue", issue ? issue : "", "body", r->body.data ? r->body.data : "");
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    int rc = http_reply_json(r, 200, pc_arena_strdup(&r->arena, s));
    free(s);
    return rc;
}

static const struct http_route routes[] = {
    {"GET", "/r1/{rest*}", fake_gateway, 0, 0, "r1"},
    {"POST", "/r1/{rest*}", fake_gateway, 4096, 0, "r1"},
};

static struct http_server *srv;
static char gateway[64], dir[64], file[128];

static int setup(void **state)
{
    (void)state;
    struct http_config cfg;
    http_config_defaults(&cfg);
    cfg.listen = "127.0.0.1:0";
    cfg.threads = 2;
    cfg.routes = routes;
    cfg.nroutes = sizeof routes / sizeof routes[0];
    struct pc_err err = {0};
    if (!(srv = http_start(&cfg, &err))) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    snprintf(gateway, sizeof gateway, "http://127.0.0.1:%u", http_port(srv));
    snprintf(dir, sizeof dir, "/tmp/pencere-xclient.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(file, sizeof file, "%s/demo-exchange.json", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    http_stop(srv, 1);
    unlink(file);
    rmdir(dir);
    return 0;
}

static void write_conf(const char *text)
{
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A call carries the client, a fresh message id, the user and the issue;
 * the service id and path make the target; the answer is typed. */
static void test_call(void **state)
{
    (void)state;
    struct pc_err err = {0};
    struct xc *x = xc_new(&(struct xc_config){.gateway = gateway, .client = CLIENT}, &err);
    assert_non_null(x);
    struct pc_arena a;
    pc_arena_init(&a);
    struct xc_answer ans;
    struct xc_call call = {.service = PERSONS, .path = "/0034LZB?x=1", .user_id = "0034LZB", .issue = "ASAN-2026-000123"};
    int64_t before = pc_now_unix();
    assert_int_equal(xc_call(x, &a, &call, &ans, &err), 0);
    assert_int_equal(ans.status, 200);
    json_t *j = json_loadb(ans.body, ans.len, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "target")), "/r1/" PERSONS "/0034LZB?x=1");
    assert_string_equal(json_string_value(json_object_get(j, "client")), CLIENT);
    assert_string_equal(json_string_value(json_object_get(j, "user")), "0034LZB");
    assert_string_equal(json_string_value(json_object_get(j, "issue")), "ASAN-2026-000123");
    json_decref(j);
    assert_true(strlen(ans.message_id) >= 16);
    assert_string_equal(ans.request_hash, "HASH");
    assert_string_equal(ans.service, PERSONS);
    assert_string_equal(ans.fault_type, "");
    assert_true(ans.at >= before && ans.usec > 0);
    assert_true(pc_str_has_prefix(ans.content_type, "application/json"));
    /* two calls, two message ids */
    const char *first = ans.message_id;
    assert_int_equal(xc_call(x, &a, &call, &ans, &err), 0);
    assert_string_not_equal(first, ans.message_id);
    /* no user, no issue: the headers are absent; a POST carries its body */
    call = (struct xc_call){.service = PERSONS, .method = "POST", .body = "{\"a\":1}", .len = 7};
    assert_int_equal(xc_call(x, &a, &call, &ans, &err), 0);
    j = json_loadb(ans.body, ans.len, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "user")), "");
    assert_string_equal(json_string_value(json_object_get(j, "method")), "POST");
    assert_string_equal(json_string_value(json_object_get(j, "body")), "{\"a\":1}");
    json_decref(j);
    /* with options only, no kind is known */
    const char *svc;
    assert_int_equal(xc_service(x, XC_POPULATION, &a, &svc, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
    xc_free(x);
}

/* X-Road errors keep their type and message and give the type's code;
 * redirects are not followed; limits and deadlines hold. */
static void test_faults(void **state)
{
    (void)state;
    struct pc_err err = {0};
    struct xc *x = xc_new(&(struct xc_config){.gateway = gateway, .client = CLIENT, .max_body = 1024}, &err);
    struct pc_arena a;
    pc_arena_init(&a);
    struct xc_answer ans;
    assert_int_equal(xc_call(x, &a, &(struct xc_call){.service = PERSONS, .path = "/fault"}, &ans, &err), PC_EDENIED);
    assert_string_equal(ans.fault_type, "Server.ServerProxy.AccessDenied");
    assert_string_equal(ans.fault_message, "no right");
    assert_int_equal(ans.status, 403);
    assert_non_null(strstr(err.msg, "AccessDenied"));
    assert_int_equal(xc_call(x, &a, &(struct xc_call){.service = PERSONS, .path = "/down"}, &ans, &err), PC_EUNAVAIL);
    assert_string_equal(ans.fault_type, "Server.ServerProxy.ServiceFailed");
    /* a redirect is the answer, not followed */
    assert_int_equal(xc_call(x, &a, &(struct xc_call){.service = PERSONS, .path = "/redirect"}, &ans, &err), 0);
    assert_int_equal(ans.status, 302);
    /* the answer's limit */
    assert_int_equal(xc_call(x, &a, &(struct xc_call){.service = PERSONS, .path = "/big"}, &ans, &err), PC_ETOOBIG);
    assert_int_equal(xc_call(x, &a, &(struct xc_call){.service = PERSONS, .path = "/big", .max_body = 8192}, &ans, &err),
                     0);
    assert_int_equal(ans.len, 4999);
    /* the deadline */
    assert_int_equal(xc_call(x, &a, &(struct xc_call){.service = PERSONS, .path = "/slow", .timeout_ms = 100}, &ans,
                             &err), PC_EUNAVAIL);
    assert_non_null(strstr(err.msg, "100 ms"));
    /* bad arguments never leave the portal */
    const struct xc_call bad[] = {
        {.service = "AZ/GOV/1400000001/population"},                 /* not a service id */
        {.service = NULL},
        {.service = PERSONS, .path = "x"},                           /* not below the service */
        {.service = PERSONS, .path = "/../admin"},
        {.service = PERSONS, .path = "/a b"},
        {.service = PERSONS, .user_id = "0034LZB\r\nX-Evil: 1"},    /* no header injection */
        {.service = PERSONS, .issue = ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(xc_call(x, &a, &bad[i], &ans, &err), PC_EINVAL);
    xc_free(x);
    /* the gateway unreachable */
    x = xc_new(&(struct xc_config){.gateway = "http://127.0.0.1:1", .client = CLIENT}, &err);
    assert_int_equal(xc_call(x, &a, &(struct xc_call){.service = PERSONS, .path = "/0034LZB"}, &ans, &err),
                     PC_EUNAVAIL);
    assert_int_equal(ans.status, 0);
    xc_free(x);
    pc_arena_release(&a);
}

/* The configuration file: absent (PC_EUNAVAIL, read again), then read;
 * the services by kind; the JSON helper's codes. */
static void test_config_file(void **state)
{
    (void)state;
    struct pc_err err = {0};
    unlink(file);
    struct xc *x = xc_new(&(struct xc_config){.config_file = file}, &err);
    assert_non_null(x);
    struct pc_arena a;
    pc_arena_init(&a);
    const char *svc;
    struct xc_answer ans;
    json_t *j;
    assert_int_equal(xc_service(x, XC_POPULATION, &a, &svc, &err), PC_EUNAVAIL);
    assert_int_equal(xc_get_json(x, &a, XC_POPULATION, "/0034LZB", "0034LZB", NULL, &j, &ans, &err), PC_EUNAVAIL);
    char text[512];
    snprintf(text, sizeof text,
             "{\"gateway\": \"%s/\", \"client\": \"%s\", \"calls\": [],"
             " \"services\": {\"population\": \"%s\", \"taxpayers\": \"AZ/GOV/1400057421/avis/taxpayers\"}}",
             gateway, CLIENT, PERSONS);
    write_conf(text);
    assert_int_equal(xc_service(x, XC_POPULATION, &a, &svc, &err), 0);
    assert_string_equal(svc, PERSONS);
    assert_int_equal(xc_service(x, XC_TAXPAYERS, &a, &svc, &err), 0);
    assert_string_equal(svc, "AZ/GOV/1400057421/avis/taxpayers");
    assert_int_equal(xc_service(x, XC_PENSIONS, &a, &svc, &err), PC_ENOTFOUND);
    assert_int_equal(xc_get_json(x, &a, XC_POPULATION, "/0034LZB", "0034LZB", "draft-17", &j, &ans, &err), 0);
    assert_string_equal(json_string_value(json_object_get(j, "issue")), "draft-17");
    assert_string_equal(json_string_value(json_object_get(j, "target")), "/r1/" PERSONS "/0034LZB");
    assert_int_equal(xc_get_json(x, &a, XC_POPULATION, "/missing", NULL, NULL, &j, &ans, &err), PC_ENOTFOUND);
    assert_int_equal(xc_get_json(x, &a, XC_POPULATION, "/text", NULL, NULL, &j, &ans, &err), PC_EUNAVAIL);
    assert_int_equal(xc_get_json(x, &a, XC_POPULATION, "/fault", NULL, NULL, &j, &ans, &err), PC_EDENIED);
    /* once read, kept: a changed file does not matter to this process */
    write_conf("{}");
    assert_int_equal(xc_service(x, XC_POPULATION, &a, &svc, &err), 0);
    xc_free(x);
    /* options win over the file; a bad file is refused, naming it */
    x = xc_new(&(struct xc_config){.config_file = file, .client = "AZ/GOV/1/other"}, &err);
    assert_int_equal(xc_service(x, XC_POPULATION, &a, &svc, &err), PC_EINVAL); /* "{}": no gateway */
    assert_non_null(strstr(err.msg, file));
    xc_free(x);
    const char *bad[] = {"not json", "{\"gateway\":\"ftp://x\",\"client\":\"" CLIENT "\"}",
                         "{\"gateway\":\"http://x\",\"client\":\"AZ/GOV\"}",
                         "{\"gateway\":\"http://x\",\"client\":\"" CLIENT "\",\"services\":{\"Pop\":\"" PERSONS "\"}}",
                         "{\"gateway\":\"http://x\",\"client\":\"" CLIENT "\",\"services\":{\"pop\":\"AZ/GOV\"}}",
                         "{\"gateway\":\"http://x\",\"client\":\"" CLIENT "\",\"services\":[]}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_conf(bad[i]);
        x = xc_new(&(struct xc_config){.config_file = file}, &err);
        assert_int_equal(xc_service(x, XC_POPULATION, &a, &svc, &err), PC_EINVAL);
        xc_free(x);
    }
    /* options are checked at once */
    assert_null(xc_new(&(struct xc_config){.gateway = gateway}, &err));
    assert_null(xc_new(&(struct xc_config){.gateway = "file:///etc/passwd", .client = CLIENT}, &err));
    assert_null(xc_new(&(struct xc_config){.gateway = gateway, .client = "portal"}, &err));
    assert_null(xc_new(&(struct xc_config){.gateway = "http://a b", .client = CLIENT}, &err));
    pc_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_config_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

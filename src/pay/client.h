/* client.h — one HTTP request over libcurl, for the acquirer adapter and
 * the emulator's callbacks (src/payprovider). */
#ifndef PC_PAY_CLIENT_H
#define PC_PAY_CLIENT_H

#include "../base/base.h"

struct pay_http {
    const char *method;             /* "GET" or "POST" */
    const char *url;                /* http or https only, no redirects followed */
    const char *const *headers;     /* "Name: value", NULL-terminated; may be NULL */
    const char *body;               /* POST */
    size_t body_len;
    size_t max_answer;              /* bytes of the answer kept at most (more: PC_ETOOBIG) */
    long timeout_ms;
};

/* 0 with *status and the answer (NUL-terminated, in arena a); PC_EUNAVAIL
 * when the server cannot be reached or does not answer in time. */
int pay_http_do(const struct pay_http *req, struct pc_arena *a, long *status, char **answer, size_t *len,
                struct pc_err *err);

#endif

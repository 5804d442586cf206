/* fail.c — the one edge where a domain error becomes an answer: its code
 * picks the status and problem type, its cause is logged once.  (Kept
 * apart from the page frame, which the answer's page is drawn with through
 * the error-page hook, so that neither file needs the other.) */
#include "internal.h"

int web_fail(struct http_req *r, int rc, const struct pc_err *err)
{
    if (rc == 0 && err)
        rc = err->code; /* a caller that only tested for failure */
    int status = 503;
    const char *type = "unavailable", *title = "Service unavailable";
    switch (rc) {
    case PC_ENOTFOUND: status = 404; type = "not-found"; title = "Not found"; break;
    case PC_EINVAL: status = 400; type = "bad-request"; title = "Bad request"; break;
    case PC_EDENIED: status = 403; type = "forbidden"; title = "Forbidden"; break;
    case PC_ECONFLICT: status = 409; type = "conflict"; title = "Conflict"; break;
    case PC_ELIMIT: status = 429; type = "too-many-requests"; title = "Too many requests"; break;
    case PC_ETOOBIG: status = 413; type = "too-big"; title = "Too big"; break;
    default: break;
    }
    const char *msg = err && err->msg[0] ? err->msg : "(no message)";
    pc_log(status >= 500 ? PC_LOG_ERROR : PC_LOG_INFO, "web.failed", "route", http_route_name(r), "code",
           pc_errcode_name(rc), "msg", msg, NULL);
    /* a 5xx says nothing of the cause to the client; a 4xx explains itself */
    http_error(r, status, type, title, status >= 500 ? NULL : msg);
    /* after http_error, which drops the headers of a half-built answer */
    if (status == 503 || status == 429)
        http_set_header(r, "Retry-After", status == 503 ? "5" : "60");
    return 0;
}

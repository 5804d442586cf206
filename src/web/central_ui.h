/* central_ui.h — what the central registry's operator pages share
 * (central_ui.c: the request's language, session, CSRF check and layout;
 * central_pages.c: the pages and forms).  Private to src/web. */
#ifndef PC_WEB_CENTRAL_UI_H
#define PC_WEB_CENTRAL_UI_H

#include "i18n.h"
#include "web.h"
#include "../exchange/exchange.h"

struct cui_ctx {
    enum pc_lang lang;
    bool logged_in;
    struct xr_op_session op;
    const char *token;
    /* a refused change, shown above the page it came from */
    int fail_rc;
    const char *fail_msg;      /* the localized reason */
    const char *fail_detail;   /* the domain's message, or NULL */
};

struct cui_ctx *cui_ctx(struct http_req *r);
struct xr_central *cui_central(struct http_req *r);
const char *cui_t(struct http_req *r, enum msg m);
/* "op:LOGIN": who acts, for the audit trail. */
const char *cui_actor(struct http_req *r);

void cui_page_begin(struct http_req *r, const char *title);
void cui_page_end(struct http_req *r);
/* The hidden field every form carries. */
void cui_csrf_field(struct http_req *r);
/* A domain call failed: remember why (by its code) for the page that
 * follows, with the status; 5xx are logged and answered at once. */
int cui_refused(struct http_req *r, int rc, const struct pc_err *err);
/* After a change: back to page with a notice (303). */
int cui_done(struct http_req *r, const char *page);

/* The pages (central_pages.c). */
int cui_overview(struct http_req *r);
int cui_members(struct http_req *r);
int cui_gateways(struct http_req *r);
int cui_services(struct http_req *r);
int cui_openapi(struct http_req *r);
int cui_access(struct http_req *r);
int cui_audit(struct http_req *r);
int cui_post_member(struct http_req *r);
int cui_post_subsystem(struct http_req *r);
int cui_post_gateway(struct http_req *r);
int cui_post_gateway_client(struct http_req *r);
int cui_post_service(struct http_req *r);
int cui_post_group(struct http_req *r);
int cui_post_group_member(struct http_req *r);
int cui_post_grant(struct http_req *r);
int cui_post_revoke(struct http_req *r);
int cui_post_publish(struct http_req *r);
int cui_post_ca(struct http_req *r);

#endif

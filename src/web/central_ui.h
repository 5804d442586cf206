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

/* Pieces of the pages (central_pages.c). */
const char *cui_when(struct http_req *r, int64_t t);
void cui_form_begin(struct http_req *r, const char *action, enum msg legend);
void cui_form_end(struct http_req *r, enum msg button);
/* A text input; id must be unique on the page, hint an example or NULL. */
void cui_input(struct http_req *r, const char *id, const char *name, enum msg label, int max, const char *hint);
void cui_table_begin(struct http_req *r, enum msg caption, const enum msg *cols, size_t n);
void cui_table_end(struct http_req *r);

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

/* Removing, and the operators (central_remove.c).  The link to the
 * confirmation of a removal: what is xr_removal_name's word (or
 * "operator"), of the second identifier of a link, or NULL. */
void cui_remove_link(struct http_req *r, const char *what, const char *id, const char *of);
int cui_confirm_remove(struct http_req *r);
int cui_post_remove(struct http_req *r);
int cui_operators(struct http_req *r);
int cui_post_operator(struct http_req *r);

#endif

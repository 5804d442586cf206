/* internal.h — shared inside src/web only: the HTML writer, the page
 * frame, and the handlers each file registers in portal.c. */
#ifndef PC_WEB_INTERNAL_H
#define PC_WEB_INTERNAL_H

#include "web.h"
#include "i18n.h"
#include "../catalog/catalog.h"

/* Append to r->out.  Conversions: %s text (HTML-escaped), %r raw trusted
 * HTML, %q text percent-encoded for a URL, %d int, %L long long, %%.
 * Escaping is the default on purpose: raw output has to be asked for. */
void html(struct http_req *r, const char *fmt, ...);

/* The page frame: <head>, header with language switch and menu, <main>. */
void page_begin(struct http_req *r, const char *title);
void page_end(struct http_req *r);
/* Breadcrumb trail: pairs of (label, href), last href NULL = current page. */
void page_breadcrumbs(struct http_req *r, const char *const *items, int n);

/* The portal's app from a request. */
static inline struct portal_app *app_of(struct http_req *r)
{
    return r->app;
}

/* Language-specific pieces of the catalogue. */
const char *login_label(struct http_req *r, const char *login);
const char *audience_label(struct http_req *r, const char *audience);

/* Error page hook for http (404, 400, …), in the request's language. */
void web_error_page(struct http_req *r, int status, const char *title, const char *detail);
/* Hook run before every handler: language checks and cookie. */
int web_before(struct http_req *r);

/* page handlers (pages.c) */
int page_home(struct http_req *r);
int page_agencies(struct http_req *r);
int page_agency(struct http_req *r);
int page_services(struct http_req *r);
int page_search(struct http_req *r);
int page_no_registration(struct http_req *r);
int page_service(struct http_req *r);
int page_service_start(struct http_req *r);

/* API handlers (api.c) */
int api_agencies(struct http_req *r);
int api_agency(struct http_req *r);
int api_services(struct http_req *r);
int api_service(struct http_req *r);
int api_life_events(struct http_req *r);

#endif

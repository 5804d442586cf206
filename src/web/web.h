/*
 * web.h — the portal as the outside sees it: HTML pages (Azerbaijani
 * first, English and Russian), the JSON API under /api/v1, /healthz and
 * /metrics.  It turns domain modules' answers into responses; it holds no
 * business rules of its own.
 */
#ifndef PC_WEB_H
#define PC_WEB_H

#include "../base/base.h"
#include "../db/db.h"
#include "../http/http.h"

struct form_registry;
struct case_store;
struct mid_client;
struct pki_client;
struct id_cert_checker;
struct pki_checker;
struct oidc;
struct pay_provider;
struct fine_registry;
struct xc;

struct portal_app {
    struct db *db;
    struct form_registry *forms;   /* electronic forms: a request reads a snapshot (web_forms) */
    struct http_server *http;  /* set once started (for /metrics) */
    bool secure_cookies;       /* add Secure to cookies (served over TLS) */
    bool demo;                 /* demo: the operator's screen shows codes */
    struct case_store *files;  /* uploaded files, stored by SHA-256 (a folder or the database) */
    struct mid_client *mid;    /* the mobile-signature service (NULL: no phone logins) */
    struct pki_client *ca;     /* the certification centre's RA API; NULL: none (its pages answer 503) */
    /* the certification centre as the portal sees it (both NULL when none
     * is configured: certificate login and signed applications are off) */
    const struct id_cert_checker *certs;  /* certificate login and its sessions */
    struct pki_checker *checker;          /* the same trust, for signatures */
    bool tls_login;            /* served over our own TLS that asks for client certificates */
    struct oidc *oidc;         /* the OpenID Connect provider; NULL: not enabled */
    struct pay_provider *pay;  /* fees are paid through it; NULL: no online payment */
    const char *public_url;    /* the portal's address as payers reach it (the bank sends them back there) */
    const struct fine_registry *fines; /* the interior ministry's fines register (NULL: its pages answer 503) */
    int fines_per_minute;      /* look-ups of fines per client address and minute */
    struct xc *exchange;       /* the registries through the portal's gateway (src/xclient); NULL: not configured */
};

/* The route table of the portal role. */
const struct http_route *web_portal_routes(size_t *n);
/* Fill an http_config with the portal's routes and hooks. */
void web_portal_http_config(struct portal_app *app, struct http_config *cfg);

/* The central registry's operator pages (central_ui.c, central_pages.c):
 * `pencere central serve --admin-listen`, a listener of their own.  The
 * operators are the central's own accounts (xr_operator_*). */
struct xr_central;
struct central_ui_app {
    struct xr_central *central;
};
void web_central_http_config(struct central_ui_app *app, struct http_config *cfg);

#endif

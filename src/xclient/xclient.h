/*
 * xclient.h — the portal's client of its own exchange gateway (issue 11,
 * "once only"): the portal is an information system that asks the
 * authentic-source registries (population, taxpayers, real estate, …)
 * through the X-Road-style exchange of src/exchange instead of asking
 * the citizen.  A call names the service, the path below it, the person
 * it is about (X-Road-UserId: the citizen's FİN) and the matter
 * (X-Road-Issue: the case reference); the gateway signs, logs and
 * forwards it.
 *
 * Configured by the portal's options: the gateway's consumer URL and the
 * portal's client id, or a file like the demo's demo-exchange.json
 * (read when first needed and read again while it is absent, so the
 * exchange may come up after the portal).  The file also says which
 * service serves which registry kind, so callers never hard-code
 * service ids:
 *
 *   {"gateway": "http://127.0.0.1:8096", "client": "AZ/GOV/1500000002/portal",
 *    "services": {"population": "AZ/GOV/1400000001/population/persons", …}}
 *
 * Thread-safe: one struct xc per process, shared by every request thread.
 * Owns no tables.  Every function returns 0 or a negative PC_E* code with
 * the message in err; results live in the caller's arena.
 */
#ifndef PC_XCLIENT_H
#define PC_XCLIENT_H

#include "../base/base.h"

#include <jansson.h>
#include <stdint.h>

/* Registry kinds (the names in the file's "services"; more may follow). */
#define XC_POPULATION "population"
#define XC_TAXPAYERS "taxpayers"
#define XC_REALESTATE "realestate"
#define XC_EMPLOYMENT "employment"
#define XC_PENSIONS "pensions"

#define XC_KIND_MAX 32                 /* characters of a kind: a-z 0-9 _ - */
#define XC_DEFAULT_TIMEOUT_MS 5000
#define XC_DEFAULT_MAX_BODY ((size_t)1 << 20)

struct xc_config {
    const char *gateway;      /* the gateway's consumer URL, http(s)://HOST:PORT; NULL: from the file */
    const char *client;       /* the portal's client (subsystem) id; NULL: from the file */
    const char *config_file;  /* demo-exchange.json-like; NULL: none (then gateway and client are needed) */
    int timeout_ms;           /* a call's deadline; 0: XC_DEFAULT_TIMEOUT_MS */
    size_t max_body;          /* largest answer accepted; 0: XC_DEFAULT_MAX_BODY */
};

struct xc;

/* Check the options (a URL, a client id, a file or both of the others)
 * and make the client; the file is not read yet.  NULL with PC_EINVAL in
 * err when the options are wrong. */
struct xc *xc_new(const struct xc_config *c, struct pc_err *err);
void xc_free(struct xc *x);   /* NULL is fine */

/* The service id that serves registry kind (XC_POPULATION, …), in the
 * arena.  PC_ENOTFOUND when the configuration names none; PC_EUNAVAIL
 * while the configuration file is absent. */
int xc_service(struct xc *x, const char *kind, struct pc_arena *a, const char **service, struct pc_err *err);

struct xc_call {
    const char *service;      /* e.g. AZ/GOV/1400000001/population/persons */
    const char *path;         /* after the service id: "/1ABCDEF", "?q=…", "" */
    const char *method;       /* NULL: GET */
    const char *body;         /* NULL: none */
    size_t len;
    const char *content_type; /* of the body */
    const char *user_id;      /* X-Road-UserId (the citizen's FİN); NULL: none */
    const char *issue;        /* X-Road-Issue (the case reference); NULL: none */
    int timeout_ms;           /* 0: the client's */
    size_t max_body;          /* 0: the client's */
};

struct xc_answer {
    long status;              /* the provider's HTTP status (0: no answer) */
    const char *content_type; /* NULL when none */
    char *body;               /* NUL-terminated ("" when empty) */
    size_t len;
    const char *message_id;   /* X-Road-Id: ours, or the gateway's answer's */
    const char *request_hash; /* X-Road-Request-Hash ("" when none) */
    const char *service;      /* the service called */
    int64_t at;               /* when the answer came (Unix seconds) */
    int64_t usec;             /* how long the call took */
    /* When the exchange refused or failed: the X-Road error type
     * ("Server.ServerProxy.ServiceFailed") and its message; "" otherwise. */
    const char *fault_type;
    const char *fault_message;
};

/* One call through the gateway: no redirects followed, the answer
 * bounded (PC_ETOOBIG), a deadline (PC_EUNAVAIL).  0 when the provider
 * answered, whatever its status; an X-Road error gives the code of its
 * type (AccessDenied → PC_EDENIED, ServiceFailed → PC_EUNAVAIL, …) with
 * "TYPE: message" in err and fault_type/fault_message in out; the
 * gateway unreachable or the configuration absent is PC_EUNAVAIL.  Bad
 * arguments (service id, path, user id, issue) are PC_EINVAL.  out is
 * filled as far as the call got. */
int xc_call(struct xc *x, struct pc_arena *a, const struct xc_call *c, struct xc_answer *out, struct pc_err *err);

/* GET path of the service of registry kind and read its JSON answer
 * (the tree is released with the arena).  200 is 0; 404 PC_ENOTFOUND;
 * another 4xx PC_EINVAL; anything else or an answer that is not JSON
 * PC_EUNAVAIL; errors of xc_call and xc_service as they are. */
int xc_get_json(struct xc *x, struct pc_arena *a, const char *kind, const char *path, const char *user_id,
                const char *issue, json_t **json, struct xc_answer *out, struct pc_err *err);

#endif

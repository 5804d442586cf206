/*
 * exchange.h — the exchange layer (EHDİS) in the X-Road manner: the
 * central registry (`pencere central`: members, subsystems, gateways,
 * services, global groups, access rights, and the signed global
 * configuration it publishes) and the gateway (`pencere gateway`: the
 * consumer side an information system calls with the REST or SOAP message
 * protocol, the provider side that forwards to the provider's system,
 * message signing, the hash-chained message log time-stamped by the
 * certification centre's TSA, operational monitoring, health).  Anything
 * not declared here is private to src/exchange.
 *
 * Tables owned: xr_members, xr_subsystems, xr_gateways, xr_gateway_clients,
 * xr_services, xr_groups, xr_group_members, xr_access, xr_settings,
 * xr_gconf, xr_epoch (the central registry's); xr_msglog,
 * xr_msglog_stamps, xr_msglog_base, xr_msglog_ocsp, xr_certs (a gateway's
 * message log).
 * A deployment gives each role its own database.
 *
 * Every function returns 0 or a negative PC_E* code with the message in
 * err; results live in the caller's arena.
 */
#ifndef PC_EXCHANGE_H
#define PC_EXCHANGE_H

#include "../base/base.h"
#include "../db/db.h"

/* ---- identifiers --------------------------------------------------------- */

#define XR_PART_MAX 64           /* characters of one part of an identifier */
/* Characters of a whole identifier, decoded (five parts and their
 * slashes); percent-encoded it may arrive three times as long. */
#define XR_ID_MAX (5 * XR_PART_MAX + 4)

enum xr_id_kind {
    XR_ID_MEMBER,      /* INSTANCE/CLASS/CODE */
    XR_ID_CLIENT,      /* to parse: a member or a subsystem */
    XR_ID_SUBSYSTEM,   /* INSTANCE/CLASS/CODE/SUBSYSTEM */
    XR_ID_GATEWAY,     /* INSTANCE/CLASS/CODE/SERVERCODE (the owner and the server's code) */
    XR_ID_SERVICE,     /* INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE */
    XR_ID_GROUP,       /* INSTANCE/GROUPCODE: a global access group */
};

struct xr_id {
    enum xr_id_kind kind;    /* never XR_ID_CLIENT once parsed */
    char instance[XR_PART_MAX + 1];
    char cls[XR_PART_MAX + 1];        /* GOV, COM, NGO, PRIV */
    char member[XR_PART_MAX + 1];     /* the member code (a VÖEN) */
    char subsystem[XR_PART_MAX + 1];
    char code[XR_PART_MAX + 1];       /* service, server or group code */
};

const char *xr_id_kind_name(enum xr_id_kind k);
/* Whether c may appear in an identifier part: A–Z a–z 0–9 ' ( ) + , - . = ? */
bool xr_id_char_ok(unsigned char c);
/* Parse "AZ/GOV/1400000001/population/person" (parts percent-decoded when
 * pct).  XR_ID_CLIENT takes a member or a subsystem.  PC_EINVAL naming
 * what is wrong otherwise. */
int xr_id_parse(const char *s, size_t n, enum xr_id_kind kind, bool pct, struct xr_id *out, struct pc_err *err);
int xr_id_parse_str(const char *s, enum xr_id_kind kind, struct xr_id *out, struct pc_err *err);
/* The subject of an access right: a global group (two parts), else a
 * client (a member or a subsystem). */
int xr_id_parse_subject(const char *s, struct xr_id *out, struct pc_err *err);
/* Append the identifier ('/' between parts; percent-encoded for a URL). */
void xr_id_write(struct pc_buf *b, const struct xr_id *id, bool pct);
const char *xr_id_str(struct pc_arena *a, const struct xr_id *id);
bool xr_id_eq(const struct xr_id *x, const struct xr_id *y);
/* The member a client, gateway or service belongs to. */
void xr_id_member(const struct xr_id *id, struct xr_id *member);
/* The subsystem that provides a service. */
void xr_id_provider(const struct xr_id *service, struct xr_id *client);
bool xr_member_class_known(const char *cls);

/* Split a REST target "/r1/{service id}[/path][?query]": the service (its
 * five parts percent-decoded) and *rest, the raw remainder from the
 * first '/' or '?' after it ("" when none). */
int xr_target_parse(const char *target, struct xr_id *service, const char **rest, struct pc_err *err);
/* Whether the remainder is safe to append to a provider's base URL: no
 * "." or ".." segment (also percent-encoded), no control character, no
 * backslash.  PC_EINVAL saying why. */
int xr_rest_path_check(const char *rest, struct pc_err *err);

/* ---- faults: what a client is told ----------------------------------------- */

enum xr_origin { XR_ORIGIN_CLIENT, XR_ORIGIN_CONSUMER, XR_ORIGIN_PROVIDER };

enum xr_fault {
    XR_FAULT_NONE,
    XR_FAULT_INVALID_REQUEST,
    XR_FAULT_INVALID_CLIENT,
    XR_FAULT_INVALID_SERVICE,
    XR_FAULT_INVALID_HEADER,
    XR_FAULT_INVALID_SOAP,
    XR_FAULT_TOO_LARGE,
    XR_FAULT_UNKNOWN_MEMBER,
    XR_FAULT_UNKNOWN_SERVICE,
    XR_FAULT_ACCESS_DENIED,
    XR_FAULT_OUTDATED_GLOBALCONF,
    XR_FAULT_SIGNATURE,
    XR_FAULT_CERT_VALIDATION,
    XR_FAULT_AUTHENTICATION,
    XR_FAULT_INVALID_MESSAGE,
    XR_FAULT_NETWORK,
    XR_FAULT_TIMEOUT,
    XR_FAULT_SERVICE_FAILED,
    XR_FAULT_TIMESTAMPING,
    XR_FAULT_REPLAY,
    XR_FAULT_INTERNAL,
    XR_FAULT_COUNT
};

/* "AccessDenied", … */
const char *xr_fault_code(enum xr_fault f);
/* "Server.ServerProxy.AccessDenied": origin and code. */
const char *xr_fault_type(struct pc_arena *a, enum xr_origin o, enum xr_fault f);
int xr_fault_status(enum xr_fault f);
int xr_fault_pc(enum xr_fault f);
enum xr_fault xr_fault_of_pc(int code);
/* The fault of a type string; XR_FAULT_COUNT when unknown. */
enum xr_fault xr_fault_parse(const char *type, enum xr_origin *origin);

/* ---- the message protocol's headers -------------------------------------- */

#define XR_MSGID_MAX 128
#define XR_USERID_MAX 64
#define XR_ISSUE_MAX 256

/* What an information system says about its request (REST headers or the
 * SOAP header): who asks, for which service, under which ids. */
struct xr_meta {
    struct xr_id client, service;
    char id[XR_MSGID_MAX + 1];           /* X-Road-Id; made when absent */
    char user_id[XR_USERID_MAX + 1];     /* X-Road-UserId; "" when absent */
    char issue[XR_ISSUE_MAX + 1];        /* X-Road-Issue; "" when absent */
};

/* Check and copy the optional ids (NULL: absent).  An absent message id is
 * made (random).  Which field is bad goes into *fault. */
int xr_meta_ids(struct xr_meta *m, const char *id, const char *user_id, const char *issue, enum xr_fault *fault,
                struct pc_err *err);

/* Whether an end-to-end header may cross the exchange: not hop-by-hop
 * (nor named in Connection), not Host, User-Agent, Server, Content-Length,
 * Expect, Cookie, Authorization, Forwarded or X-Forwarded-*, not X-Road-*. */
bool xr_header_forwardable(const char *name, const char *connection);

/* ---- SOAP (the X-Road message protocol's header) ---------------------------- */

#define XR_SOAP_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define XR_XROAD_NS "http://x-road.eu/xsd/xroad.xsd"
#define XR_IDEN_NS "http://x-road.eu/xsd/identifiers"

/* Parse a SOAP 1.1 envelope with X-Road header elements (client, service,
 * id, userId, issue, protocolVersion 4.0) into meta; *op is the local name
 * of the body's first element.  No DTD, no external entities.  A bad
 * message gives XR_FAULT_INVALID_SOAP (or the header's fault) in *fault. */
int xr_soap_parse(struct pc_arena *a, const char *xml, size_t n, struct xr_meta *meta, const char **op,
                  enum xr_fault *fault, struct pc_err *err);
/* A SOAP fault with the fault code as type and the message as string. */
void xr_soap_fault(struct pc_buf *out, const char *type, const char *message, const char *detail);
/* Append the X-Road header elements of meta (a SOAP header's inside). */
void xr_soap_header(struct pc_buf *out, const struct xr_meta *meta);

/* A tiny XML reader (no DTD, no external anything), enough for SOAP:
 * elements with namespace-resolved names, attributes, text. */
struct xr_xml_node {
    const char *ns, *name;            /* resolved namespace URI ("" when none), local name */
    const char *text;                 /* the text directly inside, entities decoded */
    struct xr_xml_node *child, *next, *parent;
};
#define XR_XML_MAX_DEPTH 32
#define XR_XML_MAX_NODES 2048
int xr_xml_parse(struct pc_arena *a, const char *s, size_t n, struct xr_xml_node **root, struct pc_err *err);
/* The first child with this namespace and local name, or NULL. */
struct xr_xml_node *xr_xml_child(struct xr_xml_node *n, const char *ns, const char *name);
/* The first element child whatever its name, or NULL. */
struct xr_xml_node *xr_xml_first(struct xr_xml_node *n);

/* ---- the central registry ------------------------------------------------- */

struct xr_central;

/* Open the central registry of a data directory (made by xr_central_init:
 * central.json, its configuration signing key and certificate); the
 * database is db_url, else DIR/central.db. */
int xr_central_init(const char *dir, const char *instance, const char *public_url, struct pc_err *err);
struct xr_central *xr_central_open(const char *dir, const char *db_url, struct pc_err *err);
void xr_central_close(struct xr_central *c);
struct db *xr_central_db(struct xr_central *c);
/* The configuration anchor gateways need (instance, URL, signing
 * certificate), as JSON text in the arena. */
const char *xr_central_anchor(struct xr_central *c, struct pc_arena *a);
/* Public URL where gateways fetch the global configuration (may change:
 * a demo listens on a port chosen at start). */
int xr_central_set_url(struct xr_central *c, const char *url, struct pc_err *err);

struct xr_member {
    struct xr_id id;
    const char *name;
};
struct xr_gateway_rec {
    struct xr_id id;
    const char *address;               /* http(s)://host:port of its provider side */
    const char *auth_cert_pem;
    const char **clients;              /* subsystem ids it serves */
    size_t nclients;
};
struct xr_service_rec {
    struct xr_id id;
    const char *version;               /* "v1" */
    const char *title;
    const char *kind;                  /* "query" (10 KB requests by default) or "document" */
    int64_t max_request, max_response; /* bytes */
    int timeout_ms;
    const char *openapi;               /* the OpenAPI description (text), may be NULL */
};
struct xr_ca_rec {
    const char *name;
    const char *chain_pem;             /* issuing CA then root */
    const char *ocsp_url, *tsa_url;
};

/* Changes to the registry, each with its audit entry in one transaction;
 * actor names who asks ("cli:USER", an operator's account). */
int xr_central_add_member(struct xr_central *c, const char *actor, const struct xr_id *member, const char *name,
                          struct pc_err *err);
int xr_central_add_subsystem(struct xr_central *c, const char *actor, const struct xr_id *subsystem,
                             struct pc_err *err);
/* Add or update (address, certificate) a gateway. */
int xr_central_put_gateway(struct xr_central *c, const char *actor, const struct xr_id *gw, const char *address,
                           const char *cert_pem, struct pc_err *err);
int xr_central_gateway_client(struct xr_central *c, const char *actor, const struct xr_id *gw,
                              const struct xr_id *subsystem, struct pc_err *err);
int xr_central_put_service(struct xr_central *c, const char *actor, const struct xr_service_rec *s,
                           struct pc_err *err);
int xr_central_add_group(struct xr_central *c, const char *actor, const struct xr_id *group, const char *description,
                         struct pc_err *err);
int xr_central_group_member(struct xr_central *c, const char *actor, const struct xr_id *group,
                            const struct xr_id *client, struct pc_err *err);
/* Let a client (subsystem or member) or every member of a group call a
 * service; deny is the default.  revoke undoes it. */
int xr_central_grant(struct xr_central *c, const char *actor, const struct xr_id *service, const struct xr_id *subject,
                     bool revoke, struct pc_err *err);
/* Taking things away (central_remove.c), each audited and in the next
 * global configuration.  A member goes only when no subsystem or gateway
 * of it is left, a subsystem only when it provides no service (PC_ECONFLICT
 * naming what remains); what hangs on the object goes with it: a
 * gateway's certificate and client links, a service's rights, a group's
 * members and rights, a client's rights and memberships. */
enum xr_removal {
    XR_RM_MEMBER,
    XR_RM_SUBSYSTEM,
    XR_RM_GATEWAY,
    XR_RM_GATEWAY_CLIENT, /* id: the gateway, of: the subsystem */
    XR_RM_SERVICE,
    XR_RM_GROUP,
    XR_RM_GROUP_MEMBER,   /* id: the group, of: the member or subsystem */
    XR_RM_COUNT
};
/* "member", "gateway-client" …: the CLI's and the forms' word for it. */
const char *xr_removal_name(enum xr_removal what);
/* The removal of that name, or -1. */
int xr_removal_parse(const char *name);
/* The kind of identifier its id (of: its second one) is parsed as. */
enum xr_id_kind xr_removal_kind(enum xr_removal what, bool of);
bool xr_removal_has_of(enum xr_removal what);
int xr_central_remove(struct xr_central *c, const char *actor, enum xr_removal what, const struct xr_id *id,
                      const struct xr_id *of, struct pc_err *err);
/* The trusted certification centre (one; replaced when put again). */
int xr_central_put_ca(struct xr_central *c, const char *actor, const struct xr_ca_rec *ca, struct pc_err *err);

/* The whole registry for the operator's page and the CLI, as a JSON text
 * (members with subsystems, gateways, services, groups, access rights). */
int xr_central_dump(struct xr_central *c, struct pc_arena *a, const char **json, struct pc_err *err);

/* The global configuration, X-Road style: a directory (instance, version,
 * generated, expires, and each file's name, size and SHA-256) signed with
 * the configuration signing key, and the files it lists.  Regenerated when
 * the registry changes or half its validity has passed. */
struct xr_gconf_pub {
    const char *directory;             /* JSON text: what the signature covers */
    const char *signature;             /* base64 ECDSA-SHA256 over directory */
    const char *cert_pem;              /* the signing certificate */
};
int xr_central_gconf(struct xr_central *c, struct pc_arena *a, struct xr_gconf_pub *out, struct pc_err *err);
/* One file of the current configuration by its SHA-256 (hex). */
int xr_central_gconf_file(struct xr_central *c, struct pc_arena *a, const char *sha256, const char **data,
                          size_t *len, struct pc_err *err);
/* Seconds a configuration is valid (X-Road: 600) and how often it is made. */
void xr_central_set_validity(struct xr_central *c, int validity_secs);

/* Sign a new global configuration now (the operator's "publish"), audited;
 * *version is the one published. */
int xr_central_publish(struct xr_central *c, const char *actor, int64_t *version, struct pc_err *err);

/* ---- the registry as the operator sees it (central_view.c) ---- */

struct xr_view_member {
    const char *id, *name;
    const char **subsystems;
    size_t nsubsystems;
};
struct xr_view_gateway {
    const char *id, *address;
    const char **clients;
    size_t nclients;
    /* its authentication certificate */
    const char *subject, *serial;      /* one-line subject, serial in hex */
    int64_t not_before, not_after;     /* unix seconds */
    char fingerprint[65];              /* SHA-256 of the DER, hex */
};
struct xr_view_service {
    const char *id, *version, *title, *kind;
    int64_t max_request, max_response;
    int timeout_ms;
    bool has_openapi;
};
struct xr_view_group {
    const char *id, *description;
    const char **members;
    size_t nmembers;
};
struct xr_view_right {
    const char *service, *subject;
};
struct xr_view {
    const char *instance;
    int64_t epoch;
    /* the configuration published last (version 0: none yet) */
    int64_t gconf_version, gconf_generated, gconf_expires;
    int validity;                      /* seconds */
    const char *ca_name, *ocsp_url, *tsa_url; /* "" when not set */
    struct xr_view_member *members;
    size_t nmembers;
    struct xr_view_gateway *gateways;
    size_t ngateways;
    struct xr_view_service *services;
    size_t nservices;
    struct xr_view_group *groups;
    size_t ngroups;
    struct xr_view_right *rights;
    size_t nrights;
};
/* The whole registry, typed, in a (one read snapshot). */
int xr_central_view(struct xr_central *c, struct pc_arena *a, struct xr_view *out, struct pc_err *err);
/* A service's OpenAPI description (PC_ENOTFOUND: no service or none). */
int xr_central_openapi(struct xr_central *c, struct pc_arena *a, const char *service, const char **text,
                       struct pc_err *err);

/* ---- the central's operators (operator.c) ---- */

/* Operators are accounts of the central's own database (xr_operators,
 * xr_operator_sessions, xr_operator_throttle; never the portal's
 * identity), with passwords hashed by identity's KDF.  A login is 1-64 of
 * A-Z a-z 0-9 . _ - */
#define XR_OP_LOGIN_MAX 64
#define XR_OP_IDLE_SECS 900            /* a session ends after 15 idle minutes */
#define XR_OP_SESSION_MAX_SECS 28800   /* and after 8 hours whatever happens */
#define XR_OP_FAILURES 5               /* failed logins of one login … */
#define XR_OP_FAILURES_ADDR 20         /* … or from one address (operators may share one) … */
#define XR_OP_WINDOW_SECS 900          /* … in this window, then PC_ELIMIT until it ends */
struct xr_operator {
    const char *login, *created_by;
    int64_t created_at;
};
int xr_operator_add(struct xr_central *c, const char *actor, const char *login, const char *password,
                    struct pc_err *err);
/* A new operator's password: 128 random bits in hex, which
 * id_password_check accepts (shown once, never stored in clear). */
int xr_operator_new_password(char out[33], struct pc_err *err);
/* Remove an operator and end its sessions (PC_ENOTFOUND: none).  An
 * operator does not remove itself (actor "op:LOGIN"), and the last one
 * stays (PC_ECONFLICT both). */
int xr_operator_remove(struct xr_central *c, const char *actor, const char *login, struct pc_err *err);
int xr_operator_list(struct xr_central *c, struct pc_arena *a, struct xr_operator **out, size_t *n,
                     struct pc_err *err);
/* A session for login and password (token_out: 44 bytes, the cookie's
 * value).  PC_EDENIED for a wrong login or password (the same answer),
 * PC_ELIMIT after XR_OP_FAILURES failures of the login (XR_OP_FAILURES_ADDR of
 * the address) in the window. */
int xr_operator_login(struct xr_central *c, const char *login, const char *password, const char *ip,
                      char token_out[44], struct pc_err *err);
struct xr_op_session {
    char login[XR_OP_LOGIN_MAX + 1];
    char csrf[33];
};
/* The live session of a token (touching it); PC_EDENIED when none, idle
 * too long or too old. */
int xr_operator_session(struct xr_central *c, const char *token, struct xr_op_session *out, struct pc_err *err);
int xr_operator_logout(struct xr_central *c, const char *token, struct pc_err *err);

/* The central role's HTTP edge (`pencere central serve`): GET /gconf
 * (the signed directory, its signature and the signing certificate),
 * GET /gconf/files/{sha256}, GET /anchor.json, /healthz, /metrics.  The
 * registry is changed through the CLI on the central's machine. */
struct http_config;
struct http_server;
struct xr_central_api {
    struct xr_central *central;
    struct http_server *http;
};
void xr_central_http_config(struct xr_central_api *app, struct http_config *cfg);

/* ---- the gateway --------------------------------------------------------- */

struct xr_gateway;

/* What a gateway needs beyond its data directory (gateway.json). */
struct xr_gateway_opts {
    const char *db_url;                /* NULL: DIR/gateway.db */
    int gconf_interval_ms;             /* download the global configuration this often (60 s) */
    int ocsp_refresh_secs;             /* fetch fresh OCSP answers for our certificates (60 s) */
    int ocsp_freshness_secs;           /* accept an OCSP answer this old at most (3600 s) */
    int tsa_interval_secs;             /* time-stamp the log's head this often (60 s); 0: after every message */
    int tsa_max_lag_secs;              /* refuse messages when a record waited this long for a stamp (4 h) */
    int timeout_ms;                    /* a provider's answer within this, unless the service says less */
    int64_t max_message;               /* bytes of any message body (16 MiB) */
    bool log_bodies;                   /* keep bodies in the message log (true) */
    bool log_relaxed;                  /* the log's commits do not wait for the disk (false) */
};
void xr_gateway_opts_defaults(struct xr_gateway_opts *o);

/* Make a gateway's data directory: gateway.json with its id, the anchor
 * (JSON text, the central registry's /anchor.json), the authentication key
 * and the owner member's signing key with their CSRs (DIR/auth.csr,
 * DIR/CODE.csr) for the certification centre. */
int xr_gateway_init(const char *dir, const struct xr_id *gw, const char *anchor_json, struct pc_err *err);
/* Add a member this gateway signs for: its key and CSR. */
int xr_gateway_add_member(const char *dir, const struct xr_id *member, struct pc_err *err);
/* Install a certificate the CA issued for a CSR made here ("auth" or a
 * member code); PC_EINVAL when it is not of the key. */
int xr_gateway_install_cert(const char *dir, const char *which, const char *pem, struct pc_err *err);
/* Map a service this gateway provides to its system's base URL (soap:
 * the system speaks SOAP at that URL). */
int xr_gateway_set_service(const char *dir, const struct xr_id *service, const char *url, bool soap,
                           struct pc_err *err);

struct xr_gateway *xr_gateway_open(const char *dir, const struct xr_gateway_opts *o, struct pc_err *err);
/* Start the background work (configuration downloads, OCSP refresh,
 * time-stamps); waits up to wait_ms for a first configuration. */
int xr_gateway_start(struct xr_gateway *g, int wait_ms, struct pc_err *err);
void xr_gateway_close(struct xr_gateway *g);
struct db *xr_gateway_db(struct xr_gateway *g);

/* The gateway's HTTP edge: the consumer side (/r1/{service id}/… for
 * REST, POST / for SOAP), the provider side (POST /xr/v1/message from
 * other gateways), /healthz (keys, configuration, OCSP, time-stamps,
 * database) and /metrics with the operational monitoring.  One listener
 * serves both sides over plain HTTP (gateways then prove themselves by
 * signed headers only), or two: the consumer side for the member's own
 * systems, and the provider side over mutual TLS, where the other
 * gateway's client certificate must be its authentication certificate of
 * the global configuration. */
enum xr_edge {
    XR_EDGE_ALL,            /* both sides, plain HTTP */
    XR_EDGE_SYSTEMS,        /* the consumer side, health and metrics */
    XR_EDGE_PEERS,          /* the provider side over mutual TLS, and health */
};
struct xr_gateway_api {
    struct xr_gateway *gw;
    struct http_server *http;
    enum xr_edge edge;
};
void xr_gateway_http_config(struct xr_gateway_api *app, struct http_config *cfg);
/* The TLS of the peers' listener: the gateway's authentication
 * certificate and key, and the CA chain of the configuration its peers'
 * certificates are asked under; read into a (which must outlive the
 * server).  PC_ENOTFOUND when the certificate is not installed yet. */
int xr_gateway_peer_tls(struct xr_gateway *g, struct pc_arena *a, struct http_config *cfg, struct pc_err *err);

/* ---- the message log, offline ------------------------------------------- */

/* Verify a gateway's message log (its database: db_url, else
 * DIR/gateway.db): the hash chain, every record's body, hash and
 * signature, every time-stamp against the chain value it covers and the
 * CA chain in DIR/ca-chain.pem.  0 when intact; otherwise PC_EINVAL with
 * the first bad record named in err.  *records and *stamps count what
 * was checked. */
int xr_msglog_verify(const char *dir, const char *db_url, int64_t *records, int64_t *stamps, struct pc_err *err);
/* Everything a third party needs to check one message (its records with
 * bodies, signatures, certificates and OCSP answers; the digests of the
 * records after them up to the first time-stamped head; that time-stamp;
 * the CA chain) as JSON text in the arena.  PC_ENOTFOUND when the log
 * holds no such message. */
int xr_msglog_evidence(const char *dir, const char *db_url, const char *message_id, struct pc_arena *a,
                       const char **json, struct pc_err *err);
/* Retention: move the records older than days (up to the last
 * time-stamped one among them) to a JSON-lines file in DIR/archive,
 * chained to the previous file, then delete them; *moved counts them.
 * verify-log goes on from where the archive ends. */
int xr_msglog_archive(const char *dir, const char *db_url, int days, int64_t *moved, struct pc_err *err);

#endif

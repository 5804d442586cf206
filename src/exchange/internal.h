/*
 * internal.h — private to src/exchange: the calls its files make to each
 * other.  Names shared between files carry xr_ like the public ones; what
 * one file alone uses is static there.
 *
 *   id.c, headers.c   identifiers, the protocol's headers, paths
 *   fault.c           fault types, statuses, codes
 *   xml.c, soap.c     the SOAP side: a small XML reader, the X-Road header
 *   crypto.c          keys, certificates, signatures, base64, hashes
 *   message.c         the signed blocks of requests and responses, hashes
 *   envelope.c        the transport between gateways: headers in and out
 *   central.c         the central registry's tables
 *   gconf.c           the global configuration: made, signed, read, checked
 *   central_api.c     the central role's HTTP edge
 *   msglog.c          the message log: a hash chain, TSA stamps
 *   logcheck.c        the log offline: verify-log
 *   evidence.c        one message with what proves it
 *   archive.c         retention: old stamped records to archive files
 *   monitor.c         operational monitoring per service and client
 *   replay.c          requests seen recently (replays refused)
 *   gateway.c         a gateway's directory, keys, background work, proofs
 *   consumer.c        the consumer side (an information system calls us)
 *   provider.c        the provider side (another gateway calls us)
 *   gateway_api.c     the gateway's HTTP edge, health, metrics
 *   net.c             outbound HTTP (libcurl): no redirects, bounded, timed
 *   ocsp.c            certificate status from the CA's OCSP, with freshness
 */
#ifndef PC_EXCHANGE_INTERNAL_H
#define PC_EXCHANGE_INTERNAL_H

#include "exchange.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdatomic.h>

/* ---- helpers (headers.c, crypto.c) --------------------------------------- */

void xr_new_message_id(char out[XR_MSGID_MAX + 1]);
/* Wall-clock milliseconds (msglog.c). */
int64_t xr_now_ms(void);

size_t xr_b64_encode(const void *p, size_t n, char *out);
const char *xr_b64(struct pc_arena *a, const void *p, size_t n);
/* Standard base64 into out[0..max); the length, or -1 when bad or too long. */
long xr_b64_decode(const char *s, size_t n, unsigned char *out, size_t max);
int xr_b64_decode_arena(struct pc_arena *a, const char *s, size_t max, unsigned char **out, size_t *len);
void xr_sha512(const void *p, size_t n, unsigned char out[64]);
void xr_sha256(const void *p, size_t n, unsigned char out[32]);
void xr_hex(const unsigned char *p, size_t n, char *out);

EVP_PKEY *xr_key_load(const char *path, struct pc_err *err);
X509 *xr_cert_load(const char *path, struct pc_err *err);
X509 *xr_cert_from_pem(const char *pem, size_t len);
X509 *xr_cert_from_der(const unsigned char *der, size_t len);
int xr_cert_der(X509 *x, struct pc_arena *a, unsigned char **der, size_t *len);
const char *xr_cert_pem(struct pc_arena *a, X509 *x);
void xr_cert_fp(X509 *x, char out[65]);
void xr_cert_pin(X509 *x, char out[56]);
void xr_cert_org_id(X509 *x, char *out, size_t max);
/* Whether the certificate's organizationIdentifier is NTRAZ-{member code}. */
bool xr_cert_is_member(X509 *x, const struct xr_id *member);
bool xr_cert_has_usage(X509 *x, uint32_t ku);
bool xr_key_matches(EVP_PKEY *key, X509 *x);
/* ECDSA (or RSA) with SHA-256, base64. */
int xr_sign(EVP_PKEY *k, struct pc_arena *a, const void *data, size_t len, const char **b64, struct pc_err *err);
bool xr_verify(X509 *x, const void *data, size_t len, const char *b64);
/* A P-256 key (PEM, mode 0600) and a CSR for it with no subject of its own. */
int xr_keygen(const char *key_path, const char *csr_path, struct pc_err *err);
int xr_selfsigned(const char *key_path, const char *cert_path, const char *cn, int days, struct pc_err *err);
X509_STORE *xr_store_from_pem(const char *chain_pem);
/* The issuer of x among the store's certificates (a reference), or NULL. */
X509 *xr_issuer_in(X509_STORE *st, X509 *x);
/* An ASN.1 time as Unix seconds (0 when it cannot be read). */
int64_t xr_asn1_unix(const ASN1_TIME *t);
/* Whether x leads to the store's CA at the time at (PC_EDENIED why not);
 * window (may be NULL) gets the span in which every certificate of the
 * chain is valid: the latest notBefore and the earliest notAfter. */
int xr_chain_check(X509_STORE *st, X509 *x, int64_t at, int64_t window[2], struct pc_err *err);

/* ---- messages (message.c) ----------------------------------------------- */

enum xr_proto { XR_PROTO_REST, XR_PROTO_SOAP };
const char *xr_proto_name(enum xr_proto p);

#define XR_MAX_FWD_HEADERS 32
#define XR_HEADER_VALUE_MAX 8192

struct xr_hdr {
    const char *name;       /* lower case */
    const char *value;
};

/* A request as it crosses the exchange. */
struct xr_msg {
    enum xr_proto proto;
    struct xr_meta meta;
    const char *method;
    const char *path;                  /* REST: the raw remainder after the service id; SOAP: "" */
    const char *content_type;          /* "" when none */
    struct xr_hdr hdrs[XR_MAX_FWD_HEADERS];   /* end-to-end headers, sorted by name */
    size_t nhdrs;
    const void *body;
    size_t body_len;
};

/* A response as it crosses back. */
struct xr_reply {
    int status;
    const char *content_type;
    const char *fault;                 /* the X-Road-Error type, or NULL */
    struct xr_hdr hdrs[XR_MAX_FWD_HEADERS];
    size_t nhdrs;
    const void *body;
    size_t body_len;
};

/* Add an end-to-end header (kept sorted by name); PC_ETOOBIG past the limit. */
int xr_hdr_add(struct pc_arena *a, struct xr_hdr *h, size_t *n, const char *name, const char *value);
/* The canonical block every signature covers, and the message's hash:
 * base64(SHA-512(SHA-512(block) || SHA-512(body))), X-Road's request hash. */
const char *xr_msg_block(struct pc_arena *a, const struct xr_msg *m);
const char *xr_reply_block(struct pc_arena *a, const struct xr_reply *r, const char *request_hash,
                           const char *message_id);
const char *xr_hash(struct pc_arena *a, const char *block, const void *body, size_t len, const char **body_hash);
/* The same from a block and the body's base64 SHA-512 (the log keeps these). */
const char *xr_hash_of(struct pc_arena *a, const char *block, const char *body_hash);
/* What a member's signature and a gateway's authentication signature cover. */
const char *xr_sig_input(struct pc_arena *a, const char *hash);
const char *xr_auth_input(struct pc_arena *a, const char *hash, int64_t ts, const char *to_gateway);

/* ---- the transport between gateways (envelope.c) -------------------------- */

/* What proves a message: the member's signature with its certificate and
 * a fresh OCSP answer, and the sending gateway's authentication. */
struct xr_proof {
    const char *signature;             /* base64 */
    const unsigned char *cert_der;
    size_t cert_len;
    const unsigned char *ocsp_der;
    size_t ocsp_len;
    struct xr_id gateway;              /* the gateway that sent it */
    int64_t auth_ts;
    const char *auth_sig;              /* base64 */
    const unsigned char *auth_ocsp_der;
    size_t auth_ocsp_len;
};

/* A header lookup over whatever holds them (a request, a curl answer). */
typedef const char *(*xr_get_header)(void *ctx, const char *name);

/* Read a transport request's headers into m (its body set by the caller)
 * and p.  PC_EINVAL naming the bad header. */
int xr_envelope_parse(struct pc_arena *a, xr_get_header get, void *ctx, struct xr_msg *m, struct xr_proof *p,
                      struct pc_err *err);
/* Read a transport response's headers (status and body set by the caller). */
int xr_envelope_parse_reply(struct pc_arena *a, xr_get_header get, void *ctx, struct xr_reply *r,
                            struct xr_proof *p, const char **request_hash, struct pc_err *err);
/* The transport headers of a request or a response, as "Name: value" lines. */
void xr_envelope_write(struct pc_arena *a, const struct xr_msg *m, const struct xr_proof *p,
                       const char *to_gateway, struct xr_hdr *out, size_t *n, size_t max);
void xr_envelope_write_reply(struct pc_arena *a, const struct xr_reply *r, const struct xr_proof *p,
                             const struct xr_meta *meta, const char *request_hash, struct xr_hdr *out, size_t *n,
                             size_t max);

/* ---- the central registry (central.c, gconf.c) ----------------------------- */

#define XR_GCONF_VALIDITY 600              /* X-Road's: a configuration expires after 10 minutes */
#define XR_MESSAGE_MAX (64 << 20)          /* bytes of any body a service may declare */
#define XR_QUERY_MAX_REQUEST 10240         /* the 2014 requirements: a query of at most 10 KB */

struct xr_central {
    char dir[1024];
    char instance[XR_PART_MAX + 1];
    char *public_url;                      /* under lock */
    int validity;                          /* seconds */
    struct db *db;
    EVP_PKEY *key;                         /* configuration signing */
    X509 *cert;
    pthread_mutex_t lock;
    /* the configuration published last */
    int64_t cur_epoch, cur_version, cur_generated, cur_expires;
    char *cur_directory, *cur_signature;
    json_t *cur_files;                     /* sha256 hex -> content */
};

int xr_mkdirs(const char *dir, struct pc_err *err);
/* The registry as the shared parameters of the global configuration, and
 * the epoch it reflects. */
int xr_central_params(struct xr_central *c, json_t **out, int64_t *epoch, struct pc_err *err);
/* The end of a change begun with audit_begin: when rc is 0 the epoch is
 * raised (the next global configuration is signed anew); the audit entry
 * is written and the transaction committed, or rolled back on rc. */
int xr_central_finish(struct db_conn *c, int rc, const char *actor, const char *action, const char *type,
                      const char *object, const char *detail, struct pc_err *err);

/* ---- the global configuration (gconf.c) ---------------------------------- */

struct xr_gc_gateway {
    struct xr_id id;
    const char *id_str;
    const char *address;
    X509 *auth;
    char auth_fp[65];                  /* SHA-256 of the certificate, hex */
    char auth_pin[56];                 /* "sha256//" + base64 SHA-256 of its public key (TLS pinning) */
    struct xr_id *clients;
    size_t nclients;
};

struct xr_gc_service {
    struct xr_id id;
    const char *id_str;
    const char *version, *title, *kind;
    int64_t max_request, max_response;
    int timeout_ms;
    const char *openapi;
    int gateway;                       /* index of the provider's gateway, -1 when none */
};

struct xr_gc_access {
    int service;
    struct xr_id subject;              /* a client, a member, or a group */
};

struct xr_gc_group {
    struct xr_id id;
    struct xr_id *members;
    size_t n;
};

/* A global configuration as a gateway holds it: immutable once made,
 * shared by request threads through references. */
struct xr_gconf {
    atomic_int refs;
    char instance[XR_PART_MAX + 1];
    int64_t version, generated, expires;
    struct pc_arena arena;
    json_t *root;
    struct xr_gc_gateway *gateways;
    size_t ngateways;
    struct xr_gc_service *services;
    size_t nservices;
    struct xr_gc_access *access;
    size_t naccess;
    struct xr_gc_group *groups;
    size_t ngroups;
    struct xr_id *subsystems;          /* every registered client subsystem */
    size_t nsubsystems;
    const char *ca_chain, *ocsp_url, *tsa_url;
    unsigned char ca_md[32];           /* SHA-256 of ca_chain: which trust a checked certificate had */
    X509_STORE *store;                 /* the trusted CA */
};

/* Check a signed directory against the anchor's certificate, then the
 * files (fetched by fetch) against their digests, and build the
 * configuration.  PC_EINVAL / PC_EDENIED naming the problem. */
typedef int (*xr_fetch_file)(void *ctx, struct pc_arena *a, const char *sha256, const char **data, size_t *len,
                             struct pc_err *err);
int xr_gconf_load(const char *directory, const char *signature, X509 *anchor, xr_fetch_file fetch, void *ctx,
                  struct xr_gconf **out, struct pc_err *err);
void xr_gconf_ref(struct xr_gconf *g);
void xr_gconf_unref(struct xr_gconf *g);
const struct xr_gc_service *xr_gconf_service(const struct xr_gconf *g, const struct xr_id *id);
int xr_gconf_gateway_index(const struct xr_gconf *g, const struct xr_id *id);
/* Whether gateway gw serves client (a subsystem, or any of a member's). */
bool xr_gconf_serves(const struct xr_gconf *g, int gw, const struct xr_id *client);
bool xr_gconf_client_known(const struct xr_gconf *g, const struct xr_id *client);
/* Deny by default: a grant to the client, its member, or a group it is in. */
bool xr_gconf_allowed(const struct xr_gconf *g, const struct xr_gc_service *s, const struct xr_id *client);

/* ---- outbound HTTP (net.c) ------------------------------------------------- */

/* Mutual TLS towards another gateway: our authentication certificate and
 * key (files), the CA chain to check the peer's with, and the peer's
 * public key as the global configuration names it ("sha256//BASE64"),
 * which stands in for a host name: gateways are known by their keys. */
struct xr_tls {
    const char *cert_path, *key_path, *ca_path, *pin;
};

struct xr_http_call {
    const char *method;
    const char *url;
    const struct xr_hdr *hdrs;
    size_t nhdrs;
    const char *content_type;          /* NULL: none */
    const void *body;
    size_t len;
    int timeout_ms;
    size_t max_response;
    const struct xr_tls *tls;          /* https between gateways; NULL otherwise */
};

struct xr_http_answer {
    long status;
    struct xr_hdr hdrs[64];
    size_t nhdrs;
    const char *content_type;
    unsigned char *body;
    size_t len;
};

/* One request on this thread's reused connection: no redirects followed,
 * the answer bounded (XR_FAULT_TOO_LARGE), timed (XR_FAULT_TIMEOUT),
 * unreachable is XR_FAULT_NETWORK.  The answer lives in the arena. */
int xr_http(struct pc_arena *a, const struct xr_http_call *c, struct xr_http_answer *out, enum xr_fault *fault,
            struct pc_err *err);
const char *xr_answer_header(void *answer, const char *name);

/* ---- certificate status (ocsp.c) ------------------------------------------ */

/* Signers' certificates already checked (certcache.c): the certificate
 * of DER, parsed and checked against gc's CA at now (a reference the
 * caller frees), from the cache when it was checked under the same CA and
 * now is within its chain's validity; NULL (PC_EDENIED) when it is not DER
 * or does not lead to the CA. */
struct xr_cert_cache;
struct xr_cert_cache *xr_cert_cache_new(void);
void xr_cert_cache_free(struct xr_cert_cache *c);
X509 *xr_cert_cache_get(struct xr_cert_cache *c, const struct xr_gconf *gc, const unsigned char *der, size_t len,
                        int64_t now, struct pc_err *err);

struct xr_ocsp_cache;
struct xr_ocsp_cache *xr_ocsp_cache_new(void);
void xr_ocsp_cache_free(struct xr_ocsp_cache *c);
/* Ask the responder about x (issuer from the store) with a nonce, so the
 * answer is made now; verify it; DER and status out. */
int xr_ocsp_fetch(struct pc_arena *a, const char *url, X509_STORE *st, X509 *x, unsigned char **der, size_t *len,
                  int *status, int64_t *this_update, struct pc_err *err);
/* Check an OCSP answer (DER) for x: signed by the CA's responder, about
 * this certificate, good, and made at most freshness seconds ago.
 * Verified answers are remembered by their digest.  PC_EDENIED saying
 * why not. */
int xr_ocsp_check(struct xr_ocsp_cache *c, X509_STORE *st, X509 *x, const unsigned char *der, size_t len,
                  int freshness, int64_t now, struct pc_err *err);

/* ---- the message log (msglog.c, logcheck.c) -------------------------------- */

enum xr_side { XR_SIDE_CONSUMER, XR_SIDE_PROVIDER };
enum xr_rec_kind { XR_REC_REQUEST, XR_REC_RESPONSE };
const char *xr_side_name(enum xr_side s);
const char *xr_rec_kind_name(enum xr_rec_kind k);

/* A record as a gateway writes it. */
struct xr_logrec {
    int64_t at_ms;                     /* 0: now */
    const char *message_id;
    enum xr_side side;
    enum xr_rec_kind kind;
    enum xr_proto proto;
    const char *client, *service, *user_id, *issue;
    const char *fault;                 /* NULL unless refused or failed */
    const char *block;
    const char *body_hash;             /* base64 SHA-512 */
    const void *body;                  /* NULL when bodies are not kept */
    size_t body_len;
    const char *hash;                  /* the message hash (the signed value) */
    const char *signature;             /* NULL: unsigned (a refusal) */
    X509 *cert;                        /* the signer's, or NULL */
    const unsigned char *ocsp;
    size_t ocsp_len;
};

/* A record's fields as text, in the order the digest covers them (and the
 * columns of xr_msglog): seq, at_ms, message_id, side, kind, protocol,
 * client, service, user_id, issue, fault, block, body_hash, hash,
 * signature, cert, ocsp. */
#define XR_LOG_FIELDS 17
enum { XR_LF_BLOCK = 11, XR_LF_BODY_HASH, XR_LF_HASH, XR_LF_SIGNATURE, XR_LF_CERT };
void xr_logrec_digest(const char *const fields[], size_t n, unsigned char out[32]);
/* A record as stored: the fields in digest order, then body (base64, records
 * written before migration 311), prev, chain, body_raw (the body's bytes). */
/* A record's ocsp column holds XR_OCSP_REF and the SHA-256 (hex) of the
 * base64 answer kept once in xr_msglog_ocsp (records written before
 * migration 310 hold the answer itself); the select gives the answer. */
#define XR_OCSP_REF "sha256:"
/* db_xact_lock: a log batch shares it; archiving, which deletes the OCSP
 * answers no record names any more, takes it alone. */
#define XR_LOCK_MSGLOG 724200170
#define XR_LOGROW_SELECT                                                                                     \
    "SELECT seq, at_ms, message_id, side, kind, protocol, client, service, user_id, issue, fault, block, "   \
    "body_hash, hash, signature, cert, COALESCE(o.answer, xr_msglog.ocsp), body, prev, chain, body_raw "   \
    "FROM xr_msglog "                                                                                        \
    "LEFT JOIN xr_msglog_ocsp o ON o.digest = xr_msglog.ocsp"
/* Where the log in the database starts after archiving (archive.c): the
 * last archived record's seq and chain value (0 and "" when none), and
 * "FILE SHA256" of the last archive (when archive is given). */
int xr_msglog_base(struct db_conn *k, int64_t *seq, char chain[65], char *archive, size_t max, struct pc_err *err);
/* A small text file (1 MiB at most) into the arena; NULL when unreadable. */
const char *xr_read_text(struct pc_arena *a, const char *path);
/* The digest fields of a row of XR_LOGROW_SELECT (valid until the next step). */
struct db_stmt;
void xr_logrow_fields(struct pc_arena *a, struct db_stmt *s, const char *f[XR_LOG_FIELDS]);
/* The body of such a row as base64 (the form of evidence and archives), or
 * NULL when not kept. */
const char *xr_logrow_body_b64(struct pc_arena *a, struct db_stmt *s);
/* The next chain value (hex) from the previous one ("" for the first). */
int xr_chain_next(const char *prev_hex, const unsigned char digest[32], char out[65]);

struct xr_msglog;
struct xr_msglog *xr_msglog_open(struct db *db, struct pc_err *err);
void xr_msglog_close(struct xr_msglog *l);
/* Commits no longer wait for the disk (SQLite WAL synchronous=NORMAL,
 * PostgreSQL synchronous_commit off): a power cut may lose the last
 * records, a crash of the gateway loses none, the chain stays whole. */
void xr_msglog_relax(struct xr_msglog *l);
/* Append a record; returns once it is committed. */
int xr_msglog_append(struct xr_msglog *l, const struct xr_logrec *rec, struct pc_err *err);
/* Time-stamp the head at the TSA if it moved since the last stamp. */
int xr_msglog_stamp(struct xr_msglog *l, const char *tsa_url, struct pc_err *err);
/* Seconds the oldest record not yet time-stamped has waited (0: none). */
int64_t xr_msglog_unstamped_age(struct xr_msglog *l);
int64_t xr_msglog_records(struct xr_msglog *l);

/* The TSA's token for a 32-byte imprint (SHA-256), checked to answer it. */
int xr_tsa_stamp(struct pc_arena *a, const char *url, const unsigned char imprint[32], unsigned char **token,
                 size_t *len, struct pc_err *err);
/* Whether a token covers imprint and verifies against the store. */
int xr_tsa_verify(X509_STORE *st, const unsigned char *token, size_t len, const unsigned char imprint[32],
                  int64_t *gen_time, struct pc_err *err);

/* ---- operational monitoring (monitor.c) ------------------------------------ */

struct xr_monitor;
struct xr_monitor *xr_monitor_new(void);
void xr_monitor_free(struct xr_monitor *m);
void xr_monitor_record(struct xr_monitor *m, enum xr_side side, const char *service, const char *client, bool ok,
                       int64_t usec, size_t in_bytes, size_t out_bytes);
void xr_monitor_write(struct xr_monitor *m, struct pc_buf *out);

/* A request seen within the window (replay.c), remembered by its hash. */
struct xr_replay;
struct xr_replay *xr_replay_new(void);
void xr_replay_free(struct xr_replay *r);
bool xr_replay_seen(struct xr_replay *r, const char *hash, int64_t now);

/* ---- the gateway (gateway.c) ------------------------------------------------ */

/* A key this gateway signs with and its certificate. */
struct xr_signer {
    struct xr_id member;               /* the member (unused for the authentication key) */
    EVP_PKEY *key;
    X509 *cert;
    char fp[65];
    /* the newest OCSP answer for cert (under the gateway's lock) */
    unsigned char *ocsp;
    size_t ocsp_len;
    int ocsp_status;
    int64_t ocsp_this_update;
};

struct xr_local_service {
    struct xr_id id;
    const char *url;
    bool soap;
};

struct xr_gateway {
    char dir[1024];
    struct xr_gateway_opts o;
    struct xr_id id;
    char id_str[XR_ID_MAX + 1];
    struct db *db;
    X509 *anchor;                      /* the central's configuration signing certificate */
    const char *central_url;
    struct xr_signer auth;             /* the gateway's authentication key */
    struct xr_signer *members;
    size_t nmembers;
    struct xr_local_service *services;
    size_t nservices;
    struct pc_arena arena;             /* what the above point into */

    pthread_mutex_t lock;              /* gconf, OCSP answers */
    struct xr_gconf *gconf;
    struct xr_ocsp_cache *ocsp;
    struct xr_cert_cache *certs;       /* signers' certificates checked */
    struct xr_msglog *log;
    struct xr_monitor *monitor;
    struct xr_replay *replay;

    pthread_t thread;                  /* configuration, OCSP, time-stamps */
    bool running;
    pthread_mutex_t wake_lock;
    pthread_cond_t wake;
    bool stop;
    int64_t gconf_error_logged;
};

/* The current configuration (a reference), or NULL (PC_EUNAVAIL) when
 * there is none or it has expired. */
struct xr_gconf *xr_gateway_gconf(struct xr_gateway *g, struct pc_err *err);
/* The signer of a member (or of a client's member), or NULL. */
struct xr_signer *xr_gateway_signer(struct xr_gateway *g, const struct xr_id *member);
const struct xr_local_service *xr_gateway_local(struct xr_gateway *g, const struct xr_id *service);
/* Our own OCSP answer for a signer, copied into the arena; refused when
 * it is missing, not good or not fresh. */
int xr_gateway_own_ocsp(struct xr_gateway *g, struct xr_signer *s, struct pc_arena *a, const unsigned char **der,
                        size_t *len, struct pc_err *err);
/* Sign a message hash as signer s, and as this gateway towards to_gateway. */
int xr_gateway_prove(struct xr_gateway *g, struct xr_signer *s, struct pc_arena *a, const char *hash,
                     const char *to_gateway, struct xr_proof *p, struct pc_err *err);
/* Check a proof from the gateway gw_index of the configuration: its
 * authentication towards us (fresh, good OCSP), the member's certificate
 * (our CA, the member's own, fresh and good) and signature.  *fault says
 * which check failed; *cert is the signer's (freed with the arena). */
int xr_gateway_check_proof(struct xr_gateway *g, const struct xr_gconf *gc, struct pc_arena *a,
                           const struct xr_proof *p, const struct xr_id *member, const char *hash, int gw_index,
                           X509 **cert, enum xr_fault *fault, struct pc_err *err);

/* The two sides (consumer.c, provider.c) behind the HTTP edge. */
struct http_req;
int xr_consumer_rest(struct http_req *r);
int xr_consumer_soap(struct http_req *r);
int xr_provider_message(struct http_req *r);
/* Answer a fault to an information system: REST {type, message, detail}
 * or a SOAP fault, with X-Road-Error. */
int xr_answer_fault(struct http_req *r, enum xr_proto proto, enum xr_origin o, enum xr_fault f, const char *message);
/* The header getter over a request. */
const char *xr_req_header(void *req, const char *name);

#endif

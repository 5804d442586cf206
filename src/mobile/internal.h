/* internal.h — what the files of src/mobile share (prefix mi_).  Not for
 * other modules. */
#ifndef PC_MOBILE_INTERNAL_H
#define PC_MOBILE_INTERNAL_H

#include "mobile.h"

#include <jansson.h>
#include <stdatomic.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* ---- JSON (parse.c) ----------------------------------------------------- */

/* Parse a JSON object of at most MID_BODY_MAX bytes; the tree is the
 * arena's (released with it). */
int mi_json_object(struct pc_arena *a, const void *body, size_t len, json_t **out, struct pc_err *err);
/* A string member: valid UTF-8, no NUL, at most max characters; NULL
 * when absent (PC_EINVAL when required). */
int mi_str(struct pc_arena *a, json_t *o, const char *key, size_t max, bool required, const char **out,
           struct pc_err *err);
/* A base64url member decoded into buf (at most cap bytes). */
int mi_bytes(json_t *o, const char *key, unsigned char *buf, size_t cap, size_t *len, struct pc_err *err);
/* A request view from its JSON object. */
int mi_view_from_json(struct pc_arena *a, json_t *o, struct mid_request_view *out, struct pc_err *err);
/* … and back (api.c). */
json_t *mi_view_json(struct pc_arena *a, const struct mid_request_view *v);

/* The alphabet of QR codes: RFC 4648 base32. */
extern const char mi_base32[33];
/* base64url of n bytes (arena). */
char *mi_b64url(struct pc_arena *a, const void *p, size_t n);

/* ---- HTTP client (net.c) ------------------------------------------------ */

/* method url with the extra headers (NULL-terminated, may be NULL) and a
 * JSON body (or NULL); the answer's JSON object (arena) on 2xx, else the
 * status's code with the problem's detail.  wait_ms: a long poll's wait. */
int mi_http_json(struct pc_arena *a, const char *method, const char *url, const char *const *headers,
                 const char *body, int wait_ms, json_t **out, struct pc_err *err);

/* ---- keys and signatures (crypto.c) --------------------------------------- */

/* A signature of a digest (DER ECDSA) with a private key. */
int mi_sign_digest(EVP_PKEY *k, const unsigned char *dgst, size_t n, unsigned char *sig, size_t *sig_len,
                   struct pc_err *err);
/* Verify a signature of a digest with a public key: 0 or PC_EINVAL. */
int mi_verify_digest(EVP_PKEY *k, const unsigned char *dgst, size_t n, const unsigned char *sig, size_t sig_len,
                     struct pc_err *err);
/* A certificate from PEM (one), or NULL. */
X509 *mi_cert_from_pem(const char *pem);
/* The DER SubjectPublicKeyInfo of a key, base64url (arena). */
char *mi_spki_b64(struct pc_arena *a, EVP_PKEY *k);
/* A public key from base64url DER SubjectPublicKeyInfo, or NULL. */
EVP_PKEY *mi_spki_parse(const char *b64);
/* The message the SIM signs for one request (simauth.c). */
void mi_sim_digest(const char *method, const char *target, int64_t ts, const void *body, size_t len,
                   unsigned char dgst[32]);

#define MI_SIM_AUTH_SCHEME "PC-SIM-P256"
#define MI_SIM_WINDOW_SECS 300   /* a SIM request is good this long either side of our clock */

/* ---- the database (store.c) ------------------------------------------------ */

struct mi_client_row {
    const char *phone, *fin, *name, *auth_serial, *sign_serial, *channel_key;
};
/* PC_ENOTFOUND when the number is not bound. */
int mi_client_get(struct db_conn *c, struct pc_arena *a, const char *phone, struct mi_client_row *out,
                  struct pc_err *err);
/* Bind (insert or replace) inside the caller's transaction. */
int mi_client_put(struct db_conn *c, const struct mi_client_row *r, const char *by, struct pc_err *err);

struct mi_session_row {
    const char *id, *client, *rp_name, *phone, *fin, *display_text, *client_ip, *signature, *cert_serial;
    enum mid_kind kind;
    enum mid_hash hash_type;
    unsigned char hash[64];
    size_t hash_len;
    enum pc_lang lang;
    bool complete;
    enum mid_result result;
    int64_t delivered_at, created_at, answer_by, expires_at;
};
int mi_session_insert(struct db_conn *c, const struct mi_session_row *r, const char *qr_hash, struct pc_err *err);
int mi_session_get(struct db_conn *c, struct pc_arena *a, const char *id, struct mi_session_row *out,
                   struct pc_err *err);
/* By the hash of its QR code (PC_ENOTFOUND when none). */
int mi_session_by_qr(struct db_conn *c, struct pc_arena *a, const char *qr_hash, struct mi_session_row *out,
                     struct pc_err *err);
/* End a running session (only if still running and, when phone is set,
 * this phone's): 1 ended now, 0 it was not running. */
int mi_session_finish(struct db_conn *c, const char *id, const char *phone, enum mid_result result,
                      const char *signature, const char *cert_serial, int64_t now, struct pc_err *err);
/* The running, undelivered-or-not sessions of a phone still open at now;
 * marks them delivered. */
int mi_session_pending(struct db_conn *c, struct pc_arena *a, const char *phone, int64_t now, size_t max,
                       struct mi_session_row **out, size_t *n, struct pc_err *err);
/* How many sessions wait for a phone now. */
int mi_session_running(struct db_conn *c, const char *phone, int64_t now, int64_t *n, struct pc_err *err);
/* A QR session claimed by a phone (if still unclaimed and open): 1 or 0. */
int mi_session_claim(struct db_conn *c, const char *id, const char *phone, const char *fin, int64_t now,
                     struct pc_err *err);
/* Running sessions whose time to answer is over (at most max), oldest first. */
int mi_session_overdue(struct db_conn *c, struct pc_arena *a, int64_t now, size_t max, const char ***out, size_t *n,
                       struct pc_err *err);
/* Forget sessions past their keeping time (at most max). */
int mi_session_purge(struct db_conn *c, int64_t now, int max, struct pc_err *err);
/* Of the ids given, those complete now; of the phones given, those with
 * requests not yet delivered (for waking long polls on other nodes). */
int mi_sessions_done(struct db_conn *c, struct pc_arena *a, const char *const *ids, size_t n, const char ***out,
                     size_t *nout, struct pc_err *err);
int mi_phones_waiting(struct db_conn *c, struct pc_arena *a, const char *const *phones, size_t n, int64_t now,
                      const char ***out, size_t *nout, struct pc_err *err);

/* The long-poll keys: a session's result, a phone's new requests. */
#define MI_KEY_SESSION "mid-s:"
#define MI_KEY_PHONE "mid-p:"

/* ---- the service's state (service.c) ---------------------------------------- */

struct mi_watch;

struct mid_service {
    struct pki_ca *ca;
    struct db *db;
    struct mid_config cfg;
    struct http_server *_Atomic http;     /* set once started: to wake long polls */
    struct mi_watch *watch;
};

/* Wake the long polls waiting for key + id on this node (api.c). */
void mi_wake(struct mid_service *m, const char *key, const char *id);
/* The ids (after the key prefix) of this node's long polls (api.c). */
size_t mi_parked(struct mid_service *m, struct pc_arena *a, const char *key, const char ***out);
/* End the overdue sessions (audited) and forget the old ones (session.c). */
int mi_sweep(struct mid_service *m, struct pc_arena *a, struct pc_err *err);
/* The thread that wakes this node's long polls for what other nodes did,
 * and sweeps now and then (watch.c). */
struct mi_watch *mi_watch_start(struct mid_service *m, struct pc_err *err);
void mi_watch_stop(struct mi_watch *w);

/* Audit entry of the service (in the caller's transaction). */
int mi_audit(struct db_conn *c, const char *actor, const char *role, const char *action, const char *object_id,
             const char *ip, const char *detail, struct pc_err *err);

#endif

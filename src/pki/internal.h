/* internal.h — what the files of src/pki share with each other and with
 * tests/unit/test_pki*.c (prefix pk_).  Not for other modules. */
#ifndef PC_PKI_INTERNAL_H
#define PC_PKI_INTERNAL_H

#include "pki.h"

#include <pthread.h>
#include <stdatomic.h>

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

/* ---- object identifiers ---------------------------------------------- */

/* Our policies live under a UUID arc (ITU-T X.667, 2.25.UUID): anyone may
 * mint one without registration, and no registered arc is borrowed.  A
 * national deployment replaces it with the arc it registers. */
#define PK_OID_ARC "2.25.311209436307128402150960425627364853515"
#define PK_OID_POLICY(n) PK_OID_ARC ".1." #n
#define PK_OID_TSA_POLICY PK_OID_ARC ".2.1"

/* ---- files of a CA data directory ------------------------------------ */

#define PK_CONFIG_FILE "ca.json"
#define PK_ROOT_CERT "certs/root.pem"
#define PK_CA_CERT "certs/ca.pem"
#define PK_OCSP_CERT "certs/ocsp.pem"
#define PK_TSA_CERT "certs/tsa.pem"
#define PK_CA_CSR "ca.csr"

/* The keys of a serving CA, each held by the key process. */
enum pk_key_id { PK_KEY_CA, PK_KEY_OCSP, PK_KEY_TSA, PK_KEY_COUNT };
const char *pk_key_name(enum pk_key_id k);   /* "ca", "ocsp", "tsa" */

/* Where one key is: a PKCS#8 file (relative to the data directory), or a
 * PKCS#11 object. */
struct pk_keyref {
    const char *file;
    const char *pkcs11_uri, *pkcs11_module, *pin_file;
};

/* ca.json, the configuration of a data directory. */
struct pk_config {
    const char *dir;
    const char *name, *org;
    const char *public_url;
    const char *db;                       /* NULL: DIR/pencere.db */
    const char *passphrase_file;          /* relative to dir, or absolute */
    const char *passphrase_env;
    struct pk_keyref keys[PK_KEY_COUNT];
    int ocsp_validity_secs;               /* nextUpdate − thisUpdate */
    int ocsp_refresh_secs;                /* re-sign when less than this is left */
    int crl_validity_secs;
    int crl_period_secs;                  /* publish at least this often */
    int tsa_accuracy_ms;
};

void pk_config_defaults(struct pk_config *c);
/* Read DIR/ca.json into the arena. */
int pk_config_load(struct pc_arena *a, const char *dir, struct pk_config *c, struct pc_err *err);
int pk_config_save(const struct pk_config *c, struct pc_err *err);
/* DIR/name unless name is absolute (arena). */
const char *pk_path(struct pc_arena *a, const char *dir, const char *name);

/* ---- small helpers (util.c) ----------------------------------------- */

/* Read a whole file (at most max bytes) into the arena, NUL-terminated. */
int pk_read_file(struct pc_arena *a, const char *path, size_t max, char **out, size_t *len, struct pc_err *err);
/* Write a file atomically (a temporary name, then rename), with mode. */
int pk_write_file(const char *path, const void *p, size_t n, int mode, struct pc_err *err);
int pk_mkdirs(const char *path, struct pc_err *err);
/* The first line of a file, for passphrases and PINs (never logged). */
int pk_read_secret(struct pc_arena *a, const char *path, char **out, struct pc_err *err);
/* The passphrase of the key files: from the file, else the variable. */
int pk_passphrase(struct pc_arena *a, const struct pk_config *c, char **out, struct pc_err *err);

/* The OpenSSL errors queued on this thread as one line (then cleared). */
const char *pk_ssl_error(struct pc_arena *a);
/* Set err from the OpenSSL error queue: "what: reason". */
int pk_ssl_fail(struct pc_err *err, int code, const char *what);

char *pk_b64(struct pc_arena *a, const void *p, size_t n);
/* Standard base64 (padding required, whitespace not allowed). */
int pk_unb64(struct pc_arena *a, const char *s, size_t n, unsigned char **out, size_t *len);
char *pk_pem_of_cert(struct pc_arena *a, X509 *x);
char *pk_der_of_cert(struct pc_arena *a, X509 *x, size_t *len);
X509 *pk_cert_from_der(const void *p, size_t n);

/* Serial numbers as upper-case hex, whole bytes (like openssl prints). */
char *pk_serial_hex(struct pc_arena *a, const ASN1_INTEGER *i);
/* Normalise a serial from outside ("0a1B", "0x0A1B"); NULL if not hex
 * or longer than 20 bytes. */
char *pk_serial_norm(struct pc_arena *a, const char *s);
/* A fresh serial: 20 random bytes, positive, first byte non-zero. */
ASN1_INTEGER *pk_serial_random(void);

/* Load the PEM certificates of a file or buffer (at most max). */
int pk_certs_from_pem(const char *pem, size_t len, STACK_OF(X509) **out, struct pc_err *err);
X509 *pk_cert_load(const char *path, struct pc_err *err);
int64_t pk_asn1_time(const ASN1_TIME *t);
/* One line RFC 2253 form of a name (arena). */
char *pk_name_str(struct pc_arena *a, const X509_NAME *n);
/* The first value of a name attribute (UTF-8, arena), or NULL. */
char *pk_name_get(struct pc_arena *a, const X509_NAME *n, int nid);

/* ---- keys (keys.c) --------------------------------------------------- */

EVP_PKEY *pk_key_generate(enum pki_key_type t, struct pc_err *err);
/* Encrypted PKCS#8 PEM (AES-256-CBC, PBKDF2) to path, mode 0600. */
int pk_key_save(EVP_PKEY *k, const char *path, const char *passphrase, struct pc_err *err);
EVP_PKEY *pk_key_load_file(const char *path, const char *passphrase, struct pc_err *err);
EVP_PKEY *pk_key_from_pem(const char *pem, size_t len, const char *passphrase, struct pc_err *err);
/* Load a key by its reference (file or PKCS#11). */
EVP_PKEY *pk_key_load(struct pc_arena *a, const struct pk_config *c, const struct pk_keyref *ref,
                      struct pc_err *err);
/* The type of a public key, or PC_EINVAL naming what is not accepted. */
int pk_key_check(EVP_PKEY *k, enum pki_key_type *out, struct pc_err *err);

/* PKCS#11 through libengine-pkcs11-openssl (hsm.c): the only file that
 * uses OpenSSL's ENGINE API. */
EVP_PKEY *pk_hsm_load(struct pc_arena *a, const struct pk_keyref *ref, struct pc_err *err);

/* ---- the key process and its keys here (keyproc.c, remote.c) --------- */

/* One request and one answer per datagram (SOCK_SEQPACKET). */
#define PK_KEYD_MAGIC 0x504b4931u   /* "PKI1" */
#define PK_SIG_MAX 1024

struct pk_keyd_req {
    uint32_t magic;
    uint32_t id;                    /* echoed, to pair answers with questions */
    uint32_t key;                   /* enum pk_key_id */
    int32_t md_nid;                 /* the digest's algorithm */
    uint32_t dlen;
    unsigned char dgst[64];
};

struct pk_keyd_resp {
    uint32_t magic;
    uint32_t id;
    int32_t rc;                     /* 0 or a PC_E* code */
    uint32_t siglen;
    unsigned char sig[PK_SIG_MAX];
    char msg[200];
};

struct pk_signer;
/* Start the key process for the data directory (a new image of this
 * program: argv "ca keyd --data-dir DIR --fd 3"). */
struct pk_signer *pk_signer_start(const char *dir, struct pc_err *err);
void pk_signer_stop(struct pk_signer *s);
int pk_signer_pid(struct pk_signer *s);
/* Sign a digest with key k.  A key process that died or stopped answering
 * is started again (at most once a second); PC_EUNAVAIL meanwhile. */
int pk_signer_sign(struct pk_signer *s, enum pk_key_id k, int md_nid, const unsigned char *dgst, size_t dlen,
                   unsigned char *sig, size_t *siglen, struct pc_err *err);
/* An EVP_PKEY with the certificate's public key whose signing goes to
 * the key process (EC_KEY_METHOD / RSA_METHOD: the only file with those
 * deprecated APIs).  The caller frees it. */
EVP_PKEY *pk_remote_key(struct pk_signer *s, enum pk_key_id k, X509 *cert, struct pc_err *err);
/* The error of the last remote signing on this thread (code 0 if none);
 * OpenSSL only sees "failed", this says why.  Clears it. */
int pk_remote_error(struct pc_err *err);

/* ---- group commit of issuance ------------------------------------------- */

struct pki_ca;
/* Run write(c, arg) in a transaction shared with the other issuances that
 * wait meanwhile (db_commit_group on the CA's committer). */
int pk_commit(struct pki_ca *ca, int (*write)(struct db_conn *c, void *arg, struct pc_err *err), void *arg,
              struct pc_err *err);

/* ---- the open CA (ca.c) --------------------------------------------- */

/* A cached pre-signed OCSP response (ocsp.c). */
struct pk_ocsp_slot;

struct pki_ca {
    struct pc_arena arena;          /* the configuration and certificates */
    struct pk_config cfg;
    struct db *db;
    bool own_db;
    struct pk_signer *signer;
    X509 *root, *cert, *ocsp_cert, *tsa_cert;
    STACK_OF(X509) *chain;          /* issuing CA, root */
    EVP_PKEY *key[PK_KEY_COUNT];    /* remote keys */
    char *chain_pem;
    size_t chain_pem_len;
    const char *issuer_id;          /* hex SHA-1 of the issuing CA's key */
    const char *aia_ocsp, *aia_issuer, *crl_url;
    OCSP_CERTID *ids[4];            /* our CertID per hash: SHA-1, 256, 384, 512 */

    /* pre-signed OCSP responses of this node (ocsp.c) */
    pthread_mutex_t ocsp_lock;
    struct pk_ocsp_slot *ocsp_slots;
    size_t ocsp_nslots;
    int64_t status_epoch;           /* of the database, last seen */
    atomic_llong epoch_checked_usec;

    /* the newest CRL, cached (crl.c) */
    pthread_mutex_t crl_lock;
    unsigned char *crl_der;
    size_t crl_len;
    int64_t crl_checked_usec;

    struct db_committer committer;  /* issuance writes (pk_commit) */

    /* time-stamp serials: a block reserved in the database (tsa.c) */
    pthread_mutex_t tsa_lock;
    int64_t tsa_next, tsa_end;

    char holder[96];                /* this node, for leases */
};

/* The jobs one node runs at a time (db leases), given up by pki_ca_close. */
#define PK_LEASE_CRL "pki.crl"
#define PK_LEASE_OCSP "pki.ocsp"
#define PK_LEASE_SECS 30

/* 0 when the CA has key k (opened with keys), else PC_EUNAVAIL. */
int pk_need_key(struct pki_ca *ca, enum pk_key_id k, struct pc_err *err);

/* How long a node trusts its memory before asking the database whether a
 * status changed elsewhere (another node revoked). */
#define PK_EPOCH_CHECK_USEC 250000

/* ---- profiles and certificates (profiles.c, issue.c) ----------------- */

/* The subject the CA writes for a profile and holder (PC_EINVAL naming a
 * missing or bad field). */
int pk_subject_build(const struct pki_profile *p, const struct pki_holder *h, X509_NAME **out, struct pc_err *err);
/* Compare a CSR's subject with the one the CA writes: every attribute the
 * CSR names must carry the same value (PC_EINVAL naming the first that
 * does not); attributes the CA does not write are ignored, never copied. */
int pk_subject_check(struct pc_arena *a, const X509_NAME *csr, const X509_NAME *ours, struct pc_err *err);
/* Parse a PEM or DER CSR, check its proof of possession and key. */
int pk_csr_parse(const void *p, size_t n, X509_REQ **out, struct pc_err *err);
/* The profile whose policy a certificate carries, or NULL. */
const struct pki_profile *pk_profile_of_cert(X509 *x);
/* The category of a certificate of profile p for holder h. */
enum pki_category pk_category_of(const struct pki_profile *p, const struct pki_holder *h);

/* Build and sign a certificate (not stored).  issuer_key signs; valid
 * from now for the profile's days, never past the issuer's end. */
struct pk_issue {
    const struct pki_profile *profile;
    X509_NAME *subject;
    EVP_PKEY *pubkey;
    const X509_PUBKEY *spki;        /* instead of pubkey: copied as it is (a CSR's) */
    X509 *issuer;                   /* NULL: self-signed (the root) */
    EVP_PKEY *issuer_key;
    const char *service;            /* single-service notice */
    const char *aia_ocsp, *aia_issuer, *crl_url;
    int validity_days;              /* 0: the profile's */
    bool ca;                        /* a CA certificate (basicConstraints cA) */
    int path_len;                   /* for a CA: -1 none */
};
X509 *pk_cert_make(const struct pk_issue *is, struct pc_err *err);
/* The e-service a single-purpose certificate is limited to, or NULL. */
const char *pk_cert_service(struct pc_arena *a, X509 *x);

/* ---- storage (store.c) ---------------------------------------------- */

struct pk_row {
    const char *serial, *issuer, *profile, *subject, *fin, *voen, *renewed_from, *der_b64;
    enum pki_category category;
    enum pki_status status;
    int reason;
    int64_t revoked_at, not_before, not_after, created_at;
};

int pk_store_insert(struct db_conn *c, const struct pk_row *r, struct pc_err *err);
int pk_store_get(struct db_conn *c, struct pc_arena *a, const char *serial, struct pk_row *out, struct pc_err *err);
int pk_store_set_status(struct db_conn *c, const char *serial, enum pki_status st, int reason, int64_t at,
                        struct pc_err *err);
/* The status of serial at time t from its events (PC_ENOTFOUND if none). */
int pk_store_status_at(struct db_conn *c, const char *serial, int64_t t, enum pki_status *st, int *reason,
                       int64_t *since, struct pc_err *err);
int pk_store_event(struct db_conn *c, const char *serial, int64_t at, enum pki_status st, int reason,
                   const char *actor, struct pc_err *err);
int pk_store_request(struct db_conn *c, const char *id, int64_t at, const char *kind, const char *profile,
                     const struct pki_holder *h, const char *channel, const char *actor, const char *status,
                     const char *serial, const char *detail, struct pc_err *err);
int pk_store_list(struct db_conn *c, struct pc_arena *a, const char *fin, const char *voen, size_t max,
                  struct pk_row **out, size_t *n, struct pc_err *err);
/* Revoked and suspended certificates of issuer not yet expired at now. */
int pk_store_revoked(struct db_conn *c, struct pc_arena *a, const char *issuer, int64_t now, struct pk_row **out,
                     size_t *n, struct pc_err *err);
int pk_store_stats(struct db_conn *c, int64_t now, struct pki_stats *out, struct pc_err *err);

/* Named counters (pki_counters): add delta and return the new value. */
int pk_counter_add(struct db_conn *c, const char *name, int64_t delta, int64_t *value, struct pc_err *err);
int pk_counter_get(struct db_conn *c, const char *name, int64_t *value, struct pc_err *err);
#define PK_COUNTER_EPOCH "status_epoch"   /* bumped by every status change */
#define PK_COUNTER_TSA "tsa_serial"

/* Pre-signed OCSP responses (pki_ocsp). */
int pk_store_ocsp_put(struct db_conn *c, const char *serial, int64_t produced, int64_t next_update, const char *b64,
                      struct pc_err *err);
int pk_store_ocsp_get(struct db_conn *c, struct pc_arena *a, const char *serial, int64_t *next_update, char **b64,
                      struct pc_err *err);
/* Serials whose response runs out before `before` (at most max). */
int pk_store_ocsp_due(struct db_conn *c, struct pc_arena *a, int64_t before, size_t max, char ***serials, size_t *n,
                      struct pc_err *err);

int pk_store_crl_put(struct db_conn *c, const char *issuer, int64_t number, int64_t this_update,
                     int64_t next_update, int64_t epoch, const char *b64, struct pc_err *err);
/* The newest CRL of issuer: number, epoch, this_update and DER (b64). */
int pk_store_crl_last(struct db_conn *c, struct pc_arena *a, const char *issuer, int64_t *number, int64_t *epoch,
                      int64_t *this_update, char **b64, struct pc_err *err);

/* ---- revocation status (ocsp.c, crl.c) ------------------------------ */

/* Sign the single response for serial's current status (known: the row
 * as the caller just wrote it, else read) and store it, in the caller's
 * transaction on c. */
int pk_ocsp_presign(struct pki_ca *ca, struct db_conn *c, const char *serial, const struct pk_row *known,
                    struct pc_err *err);
/* Forget what this node cached (a status changed). */
void pk_ocsp_forget(struct pki_ca *ca);
int pk_ocsp_init(struct pki_ca *ca, struct pc_err *err);
void pk_ocsp_release(struct pki_ca *ca);

/* ---- outbound requests (net.c) ------------------------------------- */

/* POST body to url; the 200 answer's bytes (at most max) in *out. */
int pk_http_post(struct pc_arena *a, const char *url, const char *content_type, const void *body, size_t len,
                 size_t max, unsigned char **out, size_t *out_len, struct pc_err *err);

/* ---- audit ------------------------------------------------------------ */

/* Append an audit entry for a pki step in the caller's transaction. */
int pk_audit(struct db_conn *c, const struct pki_actor *who, const char *action, const char *serial,
             const char *detail, struct pc_err *err);

#endif

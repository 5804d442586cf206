/*
 * pki.h — the national certification centre: the CA hierarchy and its
 * keys, certificate profiles, the registration authority (issue from a
 * CSR or as a PKCS#12, suspend, resume, revoke, renew, list), revocation
 * status (CRL, OCSP), time-stamping (RFC 3161) and detached CMS/CAdES-T
 * signatures with their verification.  Anything not declared here is
 * private to src/pki.
 *
 * Tables owned: pki_certs, pki_cert_events, pki_requests, pki_ocsp,
 * pki_crls, pki_counters (the CA's); pki_sealed_docs (the portal's: sealed
 * documents kept with what they decide).
 *
 * Key isolation (OpenBSD relayd's "ca" process): the private keys of the
 * issuing CA, the OCSP responder and the TSA live only in a key process
 * that pki_ca_open starts (a fresh image of this program, `pencere ca
 * keyd`).  It loads the keys, from passphrase-protected PKCS#8 files or
 * through PKCS#11, and then only answers "sign this digest with key K"
 * over a socket pair.  This process holds EVP_PKEYs whose signing goes to
 * it, so X509_sign, X509_CRL_sign, OCSP_basic_sign and TS signing work as
 * usual while no private key is ever in this address space.  When the key
 * process is down, signing fails with PC_EUNAVAIL and nothing is written.
 *
 * Every function returns 0 or a negative PC_E* code with the message in
 * err; results live in the caller's arena.
 */
#ifndef PC_PKI_H
#define PC_PKI_H

#include "../base/base.h"
#include "../db/db.h"

#include <time.h>

struct pki_ca;

/* ---- vocabulary ------------------------------------------------------ */

/* Who the holder is, for the statistics of the monitoring pages. */
enum pki_category {
    PKI_CAT_CITIZEN,      /* a person for themself */
    PKI_CAT_LEGAL,        /* a legal entity (its representative, its gateway) */
    PKI_CAT_STATE,        /* a state body (its officers, its gateway) */
    PKI_CAT_SERVICE,      /* the centre's own OCSP responder and TSA */
    PKI_CAT_COUNT
};
const char *pki_category_name(enum pki_category c);   /* "citizen", … */
int pki_category_parse(const char *s);                 /* -1 if unknown */

enum pki_status { PKI_STATUS_GOOD, PKI_STATUS_SUSPENDED, PKI_STATUS_REVOKED };
const char *pki_status_name(enum pki_status s);        /* "good", "suspended", "revoked" */
int pki_status_parse(const char *s);                   /* -1 if unknown */

/* RFC 5280 CRLReason values (7 is unused there). */
enum pki_reason {
    PKI_REASON_UNSPECIFIED = 0,
    PKI_REASON_KEY_COMPROMISE = 1,
    PKI_REASON_CA_COMPROMISE = 2,
    PKI_REASON_AFFILIATION_CHANGED = 3,
    PKI_REASON_SUPERSEDED = 4,
    PKI_REASON_CESSATION = 5,
    PKI_REASON_HOLD = 6,                 /* certificateHold: a suspension */
    PKI_REASON_PRIVILEGE_WITHDRAWN = 9,
};
/* "keyCompromise", … (RFC 5280 spelling); NULL for a value not above. */
const char *pki_reason_name(int reason);
/* Parse the RFC 5280 name; -1 if unknown.  certificateHold is not a
 * revocation reason (suspend instead) and is refused here too. */
int pki_reason_parse(const char *s);

/* Key types: the CA's own keys are one of the first three; a holder's
 * CSR may carry any of them. */
enum pki_key_type { PKI_KEY_P256, PKI_KEY_RSA2048, PKI_KEY_RSA3072, PKI_KEY_P384, PKI_KEY_RSA4096 };
int pki_key_type_parse(const char *s);                 /* "p256", "rsa2048", …; -1 if unknown */
const char *pki_key_type_name(enum pki_key_type t);

/* ---- profiles: what a certificate says, as data ---------------------- */

/* What identity a profile's subject carries. */
enum pki_subject_kind {
    PKI_SUBJ_PERSON,          /* C, serialNumber PNOAZ-FİN, CN name */
    PKI_SUBJ_REPRESENTATIVE,  /* … plus O and organizationIdentifier NTRAZ-VÖEN */
    PKI_SUBJ_OFFICER,         /* … plus O agency name, OU agency id */
    PKI_SUBJ_ORGANISATION,    /* a system: C, O, organizationIdentifier, CN name */
    PKI_SUBJ_SERVICE,         /* the centre's responder or TSA: C, O, CN */
    PKI_SUBJ_AGENCY,          /* a state agency's seal: C, O agency name, OU agency id, CN */
};

enum {
    PKI_KU_DIGITAL_SIGNATURE = 1 << 0,
    PKI_KU_NON_REPUDIATION = 1 << 1,
    PKI_KU_KEY_ENCIPHERMENT = 1 << 2,
    PKI_KU_KEY_AGREEMENT = 1 << 3,
};

enum {
    PKI_EKU_CLIENT_AUTH = 1 << 0,
    PKI_EKU_SERVER_AUTH = 1 << 1,
    PKI_EKU_EMAIL = 1 << 2,
    PKI_EKU_OCSP_SIGNING = 1 << 3,
    PKI_EKU_TIME_STAMPING = 1 << 4,
};

struct pki_profile {
    const char *id;                  /* "citizen", "citizen-auth", … */
    struct pc_text name;             /* for people, in every language */
    enum pki_subject_kind subject;
    enum pki_category category;      /* PKI_CAT_COUNT: the holder says (state body or not) */
    unsigned key_usage;              /* PKI_KU_* */
    unsigned ext_key_usage;          /* PKI_EKU_*; 0: no extension */
    bool eku_critical;               /* RFC 3161 wants timeStamping critical */
    const char *policy;              /* certificate policy OID */
    bool qualified;                  /* qcStatements: EU-style qualified signature */
    bool single_service;             /* the policy's notice names one e-service */
    bool ocsp_nocheck;               /* the OCSP responder's own certificate */
    bool revocation_info;            /* AIA (OCSP, CA issuers) and CRL DP */
    int validity_days;
    bool ra;                         /* the RA may issue it (not the centre's own) */
};

/* The profile of that id, or NULL. */
const struct pki_profile *pki_profile_find(const char *id);
/* Every profile, in a stable order (for lists and documentation). */
const struct pki_profile *pki_profile_at(size_t i);
size_t pki_profile_count(void);

/* ---- the CA: open, start, close --------------------------------------- */

/* Open the CA of a data directory (created by pki_init_*): read ca.json
 * and the certificates, open the database (db_url, else the one ca.json
 * names, else DIR/pencere.db) and migrate it, start the key process and
 * check that it holds the keys of the certificates.  A key that cannot be
 * loaded (HSM unavailable) does not stop the CA from opening: signing with
 * it fails with PC_EUNAVAIL until the key process can load it.  Without
 * keys (a verifier, a report) no key process is started and everything
 * that signs fails with PC_EUNAVAIL.
 *
 * The key process is this program started again with the arguments
 * "ca keyd --data-dir DIR --fd 3": a program that opens a CA with keys
 * must hand those to pki_keyd_main (pencere's `ca` command does). */
struct pki_ca *pki_ca_open(const char *dir, const char *db_url, bool keys, struct pc_err *err);
void pki_ca_close(struct pki_ca *ca);
struct db *pki_ca_db(struct pki_ca *ca);
/* The chain for /ca/chain.pem: the issuing CA, then the root (PEM). */
const char *pki_ca_chain_pem(struct pki_ca *ca, size_t *len);
/* Whether the key process runs and holds every key (for /healthz). */
bool pki_ca_keys_ready(struct pki_ca *ca, struct pc_err *err);
/* The process id of the key process, 0 when it is not running. */
int pki_ca_key_pid(struct pki_ca *ca);

/* ---- the registration authority ------------------------------------- */

/* Who asks, as the RA client (the portal) vouches for: a holder acting for
 * themself (identity proven by login), a registrar at a registration
 * centre's desk (who checked the ID card), or an operator (command line,
 * back-office systems).  Authorization is decided in one place (ra.c). */
enum pki_actor_role { PKI_ACTOR_HOLDER, PKI_ACTOR_REGISTRAR, PKI_ACTOR_OPERATOR };

struct pki_actor {
    enum pki_actor_role role;
    const char *id;           /* account id, "cli:USER", or a client id */
    const char *fin;          /* a holder's own FİN */
    const char *voen;         /* a VÖEN the RA has checked the holder may act for */
    const char *ip;           /* "" when not from a request */
};

/* Who the certificate is for.  Which fields a profile needs: person → fin,
 * name; representative → also voen, org; officer → also agency, org;
 * organisation → voen, org, name (the system's name); single-service →
 * also service. */
struct pki_holder {
    const char *fin;
    const char *name;          /* the person's (or system's) full name */
    const char *voen;
    const char *org;           /* legal entity's or agency's name */
    const char *agency;        /* an officer's agency id */
    const char *service;       /* the one e-service of a single-purpose certificate */
    bool state_body;           /* for organisation profiles: a state body */
};

#define PKI_CSR_MAX 16384      /* bytes of a PEM or DER CSR */
#define PKI_NAME_MAX 128

struct pki_cert {
    const char *serial;        /* upper-case hex, as `openssl x509 -serial` prints it */
    const char *profile;
    enum pki_category category;
    const char *subject;       /* RFC 2253 */
    const char *fin, *voen;    /* NULL when none */
    enum pki_status status;
    int reason;                /* when revoked or suspended */
    int64_t revoked_at;        /* unix seconds; 0 when good */
    int64_t not_before, not_after;
    const char *renewed_from;  /* NULL when not a renewal */
    const char *pem;
};

/* Issue from a PKCS#10 CSR (PEM or DER).  The CSR's signature must verify
 * (proof of possession), its key must be P-256/P-384 or RSA 2048–4096;
 * the subject is written from the profile and the holder, never copied:
 * a CSR whose subject names someone else is refused (PC_EINVAL).  The
 * certificate, the request, its first OCSP response and the audit entry
 * commit together or not at all. */
int pki_issue_csr(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *profile,
                  const struct pki_holder *h, const void *csr, size_t csr_len, const char *channel,
                  struct pki_cert *out, struct pc_err *err);

#define PKI_P12_PASSWORD_MIN 8
#define PKI_P12_PASSWORD_MAX 128
/* Make a key pair for the holder, issue, and hand back a PKCS#12 (DER)
 * under the password (AES-256, PBKDF2).  The key is not kept. */
int pki_issue_p12(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *profile,
                  const struct pki_holder *h, enum pki_key_type kt, const char *password, const char *channel,
                  struct pki_cert *out, const unsigned char **p12, size_t *p12_len, struct pc_err *err);

int pki_cert_get(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *serial,
                 struct pki_cert *out, struct pc_err *err);
/* The certificates of a FİN (or VÖEN when fin is NULL), newest first. */
int pki_cert_list(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *fin,
                  const char *voen, struct pki_cert **out, size_t *n, struct pc_err *err);

int pki_suspend(struct pki_ca *ca, const struct pki_actor *who, const char *serial, struct pc_err *err);
int pki_resume(struct pki_ca *ca, const struct pki_actor *who, const char *serial, struct pc_err *err);
int pki_revoke(struct pki_ca *ca, const struct pki_actor *who, const char *serial, int reason,
               struct pc_err *err);
/* A new certificate of the same profile and holder for a new CSR (the old
 * one stays valid until it expires or is revoked). */
int pki_renew(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *serial,
              const void *csr, size_t csr_len, const char *channel, struct pki_cert *out, struct pc_err *err);

/* Certificates by holder category: every one issued, and those valid now. */
struct pki_stats {
    int64_t issued[PKI_CAT_COUNT];
    int64_t valid[PKI_CAT_COUNT];
};
int pki_stats(struct pki_ca *ca, struct pki_stats *out, struct pc_err *err);

/* ---- agencies' seals (seal.c) ---------------------------------------- */

/* Make an agency's seal: a key in DIR/seals (encrypted like the CA's,
 * held only by the key process) and its certificate (profile agency-seal:
 * O and CN the agency's name, OU its id), issued and recorded now.
 * Operators only; PC_ECONFLICT while the agency has a valid seal. */
int pki_seal_add(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *agency,
                 const char *name, struct pki_cert *out, struct pc_err *err);

/* Seal a document for an agency (ref names it in the audit log, e.g. a
 * case reference): a detached CAdES-T signature made with the agency's key
 * in the key process and time-stamped by our TSA; *seal is the seal's
 * certificate.  Operators only (the system seals, not a person).
 * PC_ENOTFOUND: the agency has no seal; PC_ECONFLICT: it is revoked,
 * suspended or expired; PC_EUNAVAIL: the key process cannot sign now. */
#define PKI_SEAL_DOC_MAX (1 << 20)
int pki_seal_sign(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *agency,
                  const char *ref, const void *doc, size_t len, const unsigned char **sig, size_t *sig_len,
                  struct pki_cert *seal, struct pc_err *err);

/* A sealed document kept with what it decides (pki_sealed_docs, in the
 * portal's database). */
struct pki_sealed_doc {
    const char *object_id;          /* an application's reference */
    const char *kind;               /* "decision" */
    const char *agency;
    int64_t created_at;
    const char *document;           /* the signed bytes: UTF-8 text */
    size_t document_len;
    const unsigned char *signature; /* detached CMS, DER */
    size_t signature_len;
    const char *seal_serial;
};
/* Keep one, on c (inside the caller's transaction: the decision's);
 * PC_ECONFLICT if that object has one of that kind already. */
int pki_doc_put(struct db_conn *c, const struct pki_sealed_doc *d, struct pc_err *err);
/* A later document of the same kind replaces the object's one (a new
 * decision after a granted appeal, a second appeal): the earlier one is
 * kept, under kind "KIND@created_at" (its bytes and signature unchanged),
 * and pki_doc_get finds the new one.  On c, before pki_doc_put. */
int pki_doc_supersede(struct db_conn *c, const char *object_id, const char *kind, struct pc_err *err);
/* PC_ENOTFOUND when there is none. */
int pki_doc_get(struct db *db, struct pc_arena *a, const char *object_id, const char *kind, struct pki_sealed_doc *out,
                struct pc_err *err);

/* ---- revocation status ---------------------------------------------- */

/* Answer a DER OCSP request (RFC 6960).  Always produces a DER response
 * when it returns 0: malformedRequest, unauthorized (not our issuer) and
 * tryLater are answers too.  A request without a nonce for one
 * certificate is answered from the pre-signed responses. */
#define PKI_OCSP_REQ_MAX 8192
int pki_ocsp_respond(struct pki_ca *ca, struct pc_arena *a, const void *req, size_t len, const unsigned char **resp,
                     size_t *resp_len, struct pc_err *err);

/* The newest CRL (DER); PC_ENOTFOUND before the first publication. */
int pki_crl_current(struct pki_ca *ca, struct pc_arena *a, const unsigned char **der, size_t *len,
                    struct pc_err *err);
/* Publish a CRL now if this node holds the "pki.crl" lease and one is due
 * (a status changed since the last one, or it is older than the period,
 * or force).  *published tells whether one was. */
int pki_crl_publish(struct pki_ca *ca, bool force, bool *published, struct pc_err *err);

/* The background jobs of a serving node: CRL publication and refreshing
 * pre-signed OCSP responses, each on one node at a time (leases). */
struct pki_jobs;
struct pki_jobs *pki_jobs_start(struct pki_ca *ca, struct pc_err *err);
void pki_jobs_stop(struct pki_jobs *j);
/* Re-sign the pre-signed OCSP responses that are due (the job's step). */
int pki_ocsp_refresh(struct pki_ca *ca, int max, int *refreshed, struct pc_err *err);

/* ---- time-stamping (RFC 3161) ---------------------------------------- */

#define PKI_TSA_REQ_MAX 4096
/* Answer a DER TimeStampReq with a TimeStampResp (granted, or rejected
 * with the reason for a bad request).  PC_EUNAVAIL (with a systemFailure
 * response in *resp) when the TSA key cannot sign now. */
int pki_tsa_respond(struct pki_ca *ca, struct pc_arena *a, const void *req, size_t len, const unsigned char **resp,
                    size_t *resp_len, struct pc_err *err);

/* A time-stamp from the TSA at url over a SHA-256 digest (e.g. the audit
 * chain's head): the DER TimeStampToken, checked to answer this question,
 * and its time. */
#define PKI_TOKEN_MAX 16384
int pki_tsa_stamp(struct pc_arena *a, const char *url, const unsigned char digest[32], const unsigned char **token,
                  size_t *len, int64_t *gen_time, struct pc_err *err);
/* Check a kept token: it verifies against the trust anchors of chain_pem
 * (the self-signed ones; the rest help build the chain) and covers
 * digest.  Its time in *gen_time; PC_EINVAL naming what is wrong. */
int pki_tsa_check(struct pc_arena *a, const char *chain_pem, size_t chain_len, const void *token, size_t len,
                  const unsigned char digest[32], int64_t *gen_time, struct pc_err *err);

/* ---- signing and verifying documents (CMS, CAdES-T) ------------------ */

/* A detached CMS SignedData over data with signing-time and
 * signing-certificate-v2, and, when tsa_url is set, a signature
 * time-stamp from that TSA as an unsigned attribute (CAdES-T).  key_pem
 * may be encrypted (passphrase then given).  The DER goes to *der. */
int pki_cms_sign(struct pc_arena *a, const char *key_pem, size_t key_len, const char *passphrase,
                 const char *cert_pem, size_t cert_len, const void *data, size_t data_len, const char *tsa_url,
                 const unsigned char **der, size_t *der_len, struct pc_err *err);

/* The same detached CMS over data for a signature made elsewhere (the
 * mobile signature's SIM signs a hash): cert_pem is the signer's
 * certificate (then its chain), signing_time fixed by the caller.  With
 * sig NULL, only *digest: the SHA-256 the signer must sign; called again
 * with the same inputs and the signature (DER ECDSA or RSA PKCS#1), the
 * CMS in *der.  Whether the signature is right is pki_cms_verify's. */
int pki_cms_external(struct pc_arena *a, const char *cert_pem, const void *data, size_t data_len,
                     int64_t signing_time, const unsigned char *sig, size_t sig_len, unsigned char digest[32],
                     const unsigned char **der, size_t *der_len, struct pc_err *err);

/* The detached CMS (no signed attributes) around a signature made
 * elsewhere over the data itself, as pki_sign_bytes makes it (SHA-256,
 * ECDSA DER or RSA PKCS#1 v1.5): what an API client that signs with its
 * own key sends (nologin: signing an application through the API), so
 * that pki_cms_verify judges it as any signature.  cert_pem: the
 * signer's certificate (then its chain). */
int pki_cms_wrap(struct pc_arena *a, const char *cert_pem, const unsigned char *sig, size_t sig_len,
                 const unsigned char **der, size_t *der_len, struct pc_err *err);

#define PKI_SIG_MAX (1 << 20)  /* bytes of a CMS signature we read */

/* The verdict of a signature, typed for the pages (which choose their
 * words by it). */
enum pki_verdict {
    PKI_VERDICT_VALID,
    PKI_VERDICT_MALFORMED,          /* not a CMS signature we can read */
    PKI_VERDICT_BAD_SIGNATURE,      /* the document or the signature was altered */
    PKI_VERDICT_UNTRUSTED,          /* the signer's chain does not lead to our root */
    PKI_VERDICT_REVOKED,            /* revoked or suspended when it signed */
    PKI_VERDICT_BAD_TIMESTAMP,      /* a time-stamp that does not verify */
    PKI_VERDICT_STATUS_UNKNOWN,     /* neither our records nor an OCSP responder could say */
};
const char *pki_verdict_name(enum pki_verdict v);
int pki_verdict_parse(const char *s);                  /* -1 if unknown */

/* Where the certificate status at signing time came from. */
enum pki_status_source { PKI_SOURCE_NONE, PKI_SOURCE_RECORDS, PKI_SOURCE_OCSP };

struct pki_verify_report {
    enum pki_verdict verdict;
    const char *detail;             /* English, for logs and the command line */
    const char *signer_subject, *signer_name, *signer_fin, *signer_voen, *signer_serial, *signer_profile;
    const char *signer_service;     /* a single-purpose certificate's one e-service, else NULL */
    bool has_signing_time;
    int64_t signing_time;           /* claimed by the signer (signed attribute) */
    bool has_timestamp;
    int64_t timestamp_time;         /* genTime of the signature time-stamp */
    const char *timestamp_serial, *tsa_name;
    int64_t checked_at;             /* the time the status and chain were checked for */
    enum pki_status_source status_source;
    enum pki_status status;         /* at checked_at, when status_source is not NONE */
    int64_t revoked_at;
    int reason;
    const char *chain[8];           /* subjects, signer first, root last */
    int chain_len;
};

/* Trust for verification: our root (and the issuing CA) from PEM, and
 * optionally the CA whose records give the status at signing time. */
struct pki_trust {
    const char *chain_pem;          /* PEM certificates: the trust anchors are the self-signed ones */
    size_t chain_len;
    struct pki_ca *ca;              /* NULL: status from the OCSP responder of the certificate, if reachable */
    bool no_network;                /* never ask an OCSP responder */
};

/* Verify a detached signature over data.  Returns 0 whenever a report
 * was made (look at report->verdict); an error only when verification
 * could not be attempted (the records could not be read). */
int pki_cms_verify(struct pc_arena *a, const struct pki_trust *t, const void *data, size_t data_len,
                   const void *sig, size_t sig_len, struct pki_verify_report *out, struct pc_err *err);

/* ---- checking certificates for the portal (checker.c) ---------------- */

/* The portal's view of the centre: the trust anchors and the status of
 * certificates through OCSP, each answer reused for at most max_age_secs
 * (the freshness limit: a revocation is seen within it), the responder
 * asked for its pre-signed answers.  Thread-safe. */
struct pki_checker;

struct pki_checker_config {
    const char *chain_pem;          /* the issuing CA, then the root (PEM, /ca/chain.pem) */
    size_t chain_len;
    const char *ocsp_url;           /* NULL: the responder each certificate names (AIA) */
    struct pki_ca *ca;              /* the centre in this process (the demo): asked directly */
    int max_age_secs;               /* 0: ask the responder every time */
};

#define PKI_STATUS_MAX_AGE 60       /* the portal's default freshness limit, seconds */
#define PKI_STATUS_MAX_AGE_LIMIT 3600

struct pki_checker *pki_checker_new(const struct pki_checker_config *c, struct pc_err *err);
void pki_checker_free(struct pki_checker *ck);

/* Identity's interface (struct id_cert_checker) backed by this checker:
 * login profiles are citizen-auth, representative-auth and
 * single-purpose (counted for its one service only). */
struct id_cert_checker;
void pki_checker_login(struct pki_checker *ck, struct id_cert_checker *out);

/* What the checker trusts, for pki_cms_verify (status by OCSP, fresh). */
void pki_checker_trust(const struct pki_checker *ck, struct pki_trust *out);

/* Sign bytes with a private key (PEM, maybe encrypted: passphrase) the way
 * a certificate login's answer is signed: SHA-256, ECDSA (DER) or RSA
 * PKCS#1 v1.5.  The client side (`pencere login-sign`). */
int pki_sign_bytes(struct pc_arena *a, const char *key_pem, size_t key_len, const char *passphrase, const void *data,
                   size_t len, const unsigned char **sig, size_t *sig_len, struct pc_err *err);
/* The key (unencrypted PKCS#8) and certificate of a PKCS#12 (DER), as PEM
 * in the arena: what the centre hands out (pki_issue_p12) made usable by
 * `pencere login-sign` and the demo's key files. */
int pki_p12_to_pem(struct pc_arena *a, const unsigned char *p12, size_t len, const char *password, const char **key_pem,
                   const char **cert_pem, struct pc_err *err);

/* ---- building a hierarchy (offline ceremonies and the demo) ---------- */

struct pki_key_source {
    const char *pkcs11_uri;         /* NULL: a PKCS#8 file made here */
    const char *pkcs11_module;      /* the PKCS#11 library */
    const char *pin_file;           /* first line is the PIN */
};

struct pki_init_opts {
    const char *name;               /* the CA's common name */
    const char *org;                /* organisation, e.g. the centre's name */
    enum pki_key_type key_type;
    const char *passphrase_file;    /* protects the key files; first line */
    const char *passphrase_env;     /* … or this variable (never on the command line) */
    const char *public_url;         /* base of the AIA/CRL URLs, e.g. http://ca.example.az */
    struct pki_key_source key;      /* the CA key (init-issuing) */
    int validity_days;
};

/* A root CA in dir: key (encrypted file) and self-signed certificate. */
int pki_init_root(const char *dir, const struct pki_init_opts *o, struct pc_err *err);
/* An issuing CA's key in dir (file or PKCS#11) and its CSR at DIR/ca.csr. */
int pki_init_issuing(const char *dir, const struct pki_init_opts *o, struct pc_err *err);
/* The root in root_dir signs an issuing CA's CSR: PEM certificate to out. */
int pki_sign_ca(const char *root_dir, const char *csr_path, const char *out_path, int validity_days,
                struct pc_err *err);
/* Install the issuing CA's certificate and the root's in dir, then make
 * the OCSP responder's and the TSA's keys and certificates (signed by the
 * new CA's key) and write ca.json. */
int pki_install_issuing(const char *dir, const char *cert_path, const char *root_path, struct pc_err *err);
/* A whole demo hierarchy in one step: DIR/root (the offline root) and an
 * issuing CA in DIR with its responder and TSA. */
int pki_init_demo(const char *dir, const struct pki_init_opts *o, struct pc_err *err);

/* ---- the clients of the CA's JSON API (auth.c) ----------------------- */

/* An RA client's shared secret: DIR/clients/ID.key (made if missing). */
int pki_client_add(const char *dir, const char *id, const char **path, struct pc_err *err);

struct pki_clients;
/* Every DIR/clients/ID.key (none is no error: the API then refuses all). */
struct pki_clients *pki_clients_load(const char *dir, struct pc_err *err);
void pki_clients_free(struct pki_clients *cl);
size_t pki_clients_count(const struct pki_clients *cl);

/* The signature of a request (the client side: the portal), base64url
 * into out (44 characters and NUL).  role is the actor's role as sent. */
int pki_auth_sign(const char *secret_hex, const char *method, const char *target, int64_t ts,
                  const struct pki_actor *who, const char *role, const void *body, size_t len, char out[48]);
/* Check a request's Authorization header (the CA side): *client gets the
 * client's id.  PC_EDENIED with the reason otherwise. */
int pki_auth_check(const struct pki_clients *cl, const char *header, const char *method, const char *target,
                   const struct pki_actor *who, const char *role, const void *body, size_t len, int64_t now,
                   const char **client, struct pc_err *err);

/* ---- the CA role's HTTP edge (api.c) --------------------------------- */

struct http_config;
struct http_server;
struct http_route;
struct pki_api {
    struct pki_ca *ca;
    struct pki_clients *clients;
    struct http_server *http;       /* set once started (for /metrics) */
    /* Further services of the CA role on the same address (the mobile
     * signature): their routes are served after the CA's, and their
     * handlers find their own state in ext. */
    const struct http_route *ext_routes;
    size_t next_routes;
    void *ext;
    struct http_route *routes;      /* the CA's and ext's (pki_api_http_config) */
};
/* Fill an http_config with the CA role's routes (and ext's) and hooks. */
void pki_api_http_config(struct pki_api *app, struct http_config *cfg);
/* Free what pki_api_http_config made (after http_stop). */
void pki_api_release(struct pki_api *app);
/* For the services mounted beside the CA's API (ext): answer a domain
 * error as the CA's API does (status and problem type from the code), and
 * check an RA client's signed request (its body, if any, a JSON object),
 * reading the actor it vouches for and the client's id (1: the refusal is
 * already written). */
struct http_req;
int pki_api_fail(struct http_req *r, int rc, const struct pc_err *err);
int pki_api_caller(struct http_req *r, struct pki_actor *who, const char **client);

/* ---- the portal's client of the CA's RA API (client.c) --------------- */

/* The portal reaches the CA at url (scheme://host[:port]) and signs its
 * requests with the key file `pencere ca add-client` made (DIR/clients/
 * ID.key: the client id is the file's name).  Each call below does what
 * the function of the same name does in process, over the API, as who
 * (the acting person; NULL for the portal itself).  The CA's refusals
 * keep their codes; a CA that is down, unreachable or refuses the key is
 * PC_EUNAVAIL. */
struct pki_client;
struct pki_client *pki_client_open(const char *url, const char *key_file, struct pc_err *err);
void pki_client_close(struct pki_client *cl);
const char *pki_client_url(const struct pki_client *cl);

int pki_client_issue_csr(struct pki_client *cl, struct pc_arena *a, const struct pki_actor *who, const char *profile,
                         const struct pki_holder *h, const void *csr, size_t csr_len, const char *channel,
                         struct pki_cert *out, struct pc_err *err);
int pki_client_issue_p12(struct pki_client *cl, struct pc_arena *a, const struct pki_actor *who, const char *profile,
                         const struct pki_holder *h, enum pki_key_type kt, const char *password, const char *channel,
                         struct pki_cert *out, const unsigned char **p12, size_t *p12_len, struct pc_err *err);
int pki_client_get(struct pki_client *cl, struct pc_arena *a, const struct pki_actor *who, const char *serial,
                   struct pki_cert *out, struct pc_err *err);
int pki_client_list(struct pki_client *cl, struct pc_arena *a, const struct pki_actor *who, const char *fin,
                    const char *voen, struct pki_cert **out, size_t *n, struct pc_err *err);
/* Suspend (to SUSPENDED), resume (GOOD) or revoke with reason (REVOKED);
 * the certificate as it is now in *out. */
int pki_client_change(struct pki_client *cl, struct pc_arena *a, const struct pki_actor *who, const char *serial,
                      enum pki_status to, int reason, struct pki_cert *out, struct pc_err *err);
int pki_client_stats(struct pki_client *cl, struct pc_arena *a, struct pki_stats *out, struct pc_err *err);
/* The CA's report on a detached signature (its records give the status at
 * the time of signing). */
int pki_client_verify(struct pki_client *cl, struct pc_arena *a, const void *doc, size_t doc_len, const void *sig,
                      size_t sig_len, struct pki_verify_report *out, struct pc_err *err);
int pki_client_seal(struct pki_client *cl, struct pc_arena *a, const char *agency, const char *ref, const void *doc,
                    size_t len, const unsigned char **sig, size_t *sig_len, struct pki_cert *seal, struct pc_err *err);
/* A time-stamp from the CA's TSA (URL/ca/tsa) and its time; PC_EUNAVAIL
 * when none came. */
int pki_client_timestamp(struct pki_client *cl, struct pc_arena *a, const unsigned char digest[32],
                         const unsigned char **token, size_t *len, int64_t *gen_time, struct pc_err *err);
/* A CA's chain from its public URL (URL/ca/chain.pem): the issuing CA,
 * then the root. */
int pki_chain_fetch(struct pc_arena *a, const char *url, const char **pem, size_t *len, struct pc_err *err);

/* The key process's main loop (`pencere ca keyd`): serve fd until the
 * other end closes.  Returns the exit status. */
int pki_keyd_main(const char *dir, int fd);

#endif

/*
 * mobile.h — the mobile signature (the "ASAN İmza" of the documents), in
 * the style of Estonia's Mobile-ID REST API, and QR login from the phone.
 * Anything not declared here is private to src/mobile.
 *
 * Owns the tables mobile_clients (a SIM bound to a person: phone number,
 * FİN, the certificates of its two keys, the public key of its channel)
 * and mobile_sessions (one request to a phone and its result).
 *
 * Four parts:
 *  - the service (service.c, session.c, enrol.c, api.c), hosted by the CA
 *    role (`pencere ca serve`, same address, paths /mid/…): a relying party
 *    (the portal, signed like the RA API's clients) starts an
 *    authentication or signing session with phone number, FİN and a hash;
 *    the phone fetches it, shows the 4-digit verification code derived
 *    from the hash and answers with a signature (PIN) or a refusal; the
 *    relying party long-polls for the result; the registration desk binds
 *    a SIM (the CA issues the certificates of its keys);
 *  - the relying party's client (client.c), which also checks a result
 *    itself: the signature over its own hash, the certificate's chain to
 *    our root, its profile and the FİN in it;
 *  - the SIM (sim.c): keys, PIN1 (authentication), PIN2 (signing) and a
 *    PUK with retry counters that block, and the phone's link to the
 *    service (link.c) — the emulator `pencere phone` is built from them;
 *  - the parsers of everything that comes from outside (parse.c), each
 *    with a libFuzzer harness.
 *
 * Every function returns 0 or a negative PC_E* code with the message in
 * err; results live in the caller's arena.
 */
#ifndef PC_MOBILE_H
#define PC_MOBILE_H

#include "../base/base.h"
#include "../db/db.h"

struct pki_ca;
struct pki_api;
struct pki_actor;
struct http_server;

/* ---- vocabulary -------------------------------------------------------- */

/* What a session asks of the phone. */
enum mid_kind {
    MID_KIND_AUTH,     /* "authentication": log in (the authentication key, PIN1) */
    MID_KIND_SIGN,     /* "signature": sign a document's hash (the signing key, PIN2) */
    MID_KIND_QR,       /* "qr": log in by a QR code the phone scans (no number typed; PIN1) */
    MID_KIND_COUNT
};
const char *mid_kind_name(enum mid_kind k);
int mid_kind_parse(const char *s);     /* -1 if unknown */

/* How a session ended (Mobile-ID's words, so that relying parties built
 * for it understand ours). */
enum mid_result {
    MID_OK,
    MID_TIMEOUT,                 /* the phone had it, nobody answered in time */
    MID_NOT_MID_CLIENT,          /* no active mobile signature for this number and FİN */
    MID_USER_CANCELLED,          /* refused on the phone */
    MID_SIGNATURE_HASH_MISMATCH, /* the answer does not verify against the hash and certificate */
    MID_PHONE_ABSENT,            /* the phone never fetched it (off, out of reach) */
    MID_DELIVERY_ERROR,          /* the request could not be delivered */
    MID_SIM_ERROR,               /* the SIM cannot sign: its PIN is blocked */
    MID_RESULT_COUNT
};
const char *mid_result_name(enum mid_result r);   /* "OK", "TIMEOUT", … */
int mid_result_parse(const char *s);              /* -1 if unknown */

enum mid_hash { MID_SHA256, MID_SHA384, MID_SHA512, MID_HASH_COUNT };
const char *mid_hash_name(enum mid_hash h);       /* "SHA256", … */
int mid_hash_parse(const char *s);
size_t mid_hash_len(enum mid_hash h);             /* 32, 48, 64 */
/* The hash type of a digest length, or -1. */
int mid_hash_of_len(size_t n);

/* Languages as the API names them ("AZE", "ENG", "RUS"). */
const char *mid_lang_name(enum pc_lang l);
int mid_lang_parse(const char *s);

/* The 4-digit verification code both the web page and the phone show:
 * the top 6 bits of the first byte of the hash and the low 7 bits of the
 * last, as a 13-bit number in decimal with leading zeros. */
void mid_verification_code(const unsigned char *hash, size_t n, char out[5]);

#define MID_PHONE_MAX 16          /* "+" and at most 15 digits (E.164) */
/* A phone number as people type it ("+994 50 123-45-67", "(050) …" is not
 * international and is refused) into "+994501234567".  false, out empty,
 * when it is not "+" and 8 to 15 digits. */
bool mid_phone_normalize(const char *typed, char out[MID_PHONE_MAX + 1]);

#define MID_RP_NAME_MAX 40        /* characters of the relying party's name */
#define MID_DISPLAY_MAX 40        /* characters of the text the phone shows */
#define MID_SIG_MAX 512           /* bytes of a signature the phone sends */
#define MID_BODY_MAX 16384        /* bytes of a JSON body of the API */
#define MID_QR_CODE_CHARS 16      /* the QR code's one-time secret: 80 bits in base32 */
#define MID_SESSION_ID_CHARS 32   /* 128 random bits in hex */
#define MID_ENROL_MAX 12288       /* bytes of a SIM's enrolment text */

/* ---- what comes from outside (parse.c; fuzzed) -------------------------- */

/* A relying party's request: POST /mid/v1/certificate (phone, FİN),
 * /authentication and /signature (phone, FİN, hash), /qr (hash; the phone
 * says who it is when it scans). */
enum mid_request { MID_REQ_CERTIFICATE, MID_REQ_AUTHENTICATION, MID_REQ_SIGNATURE, MID_REQ_QR };

struct mid_start {
    const char *rp_name;              /* relyingPartyName, shown on the phone */
    const char *phone;                /* normalised; NULL for QR */
    const char *fin;                  /* NULL for QR */
    enum mid_hash hash_type;
    unsigned char hash[64];
    size_t hash_len;
    enum pc_lang lang;
    const char *display_text;         /* may be NULL */
    const char *client_ip;            /* QR: the browser that shows the code (told to the phone) */
};

int mid_parse_start(struct pc_arena *a, enum mid_request kind, const void *body, size_t len, struct mid_start *out,
                    struct pc_err *err);

/* The phone's answer to one request: POST /mid/sim/v1/requests/{id}. */
enum mid_answer_kind { MID_ANSWER_SIGNATURE, MID_ANSWER_REFUSE, MID_ANSWER_PIN_BLOCKED };
struct mid_answer {
    enum mid_answer_kind kind;
    unsigned char sig[MID_SIG_MAX];
    size_t sig_len;
};
int mid_parse_answer(const void *body, size_t len, struct mid_answer *out, struct pc_err *err);

/* A scanned QR code ("PCQR1:CODE") or its code typed from the page
 * ("ABCD-EFGH-…", any case, dashes and spaces ignored): the code,
 * normalised, into out. */
int mid_parse_qr(const char *text, size_t len, char out[MID_QR_CODE_CHARS + 1], struct pc_err *err);
/* The text a QR code carries for a code. */
void mid_qr_text(const char *code, char out[MID_QR_CODE_CHARS + 8]);

/* What the registration desk binds: the phone number, the person, and the
 * SIM's enrolment text — three PEM blocks in this order: the CSR of the
 * authentication key, the CSR of the signing key, the public key of the
 * SIM's channel to the service. */
struct mid_enrolment {
    const char *phone, *fin, *name;
    const char *auth_csr, *sign_csr;  /* PEM */
    const char *channel_key;          /* PEM public key */
};
/* The SIM's enrolment text alone (the desk's form). */
int mid_parse_enrolment_text(struct pc_arena *a, const char *text, size_t len, struct mid_enrolment *out,
                             struct pc_err *err);
/* POST /mid/v1/enrolments: {phoneNumber, nationalIdentityNumber, name, sim}. */
int mid_parse_enrolment(struct pc_arena *a, const void *body, size_t len, struct mid_enrolment *out,
                        struct pc_err *err);

/* The SIM's request signature (simauth.c):
 *   Authorization: PC-SIM-P256 phone=+994…, ts=UNIX, sig=BASE64URL
 *   sig = ECDSA-P256-SHA256(channel key, "PCSIM1\n" METHOD "\n" TARGET "\n"
 *                           TS "\n" hex(SHA-256(body)))   (DER) */
struct mid_sim_auth {
    char phone[MID_PHONE_MAX + 1];
    int64_t ts;
    unsigned char sig[160];
    size_t sig_len;
};
int mid_parse_sim_auth(const char *header, struct mid_sim_auth *out, struct pc_err *err);

/* ---- the service (the CA role) ------------------------------------------- */

struct mid_config {
    int answer_secs;      /* the phone must answer within this (authentication, signature) */
    int qr_secs;          /* a QR code may be scanned and answered within this */
    int keep_secs;        /* a session's result is kept this long after it began, then it is gone */
    int max_running;      /* sessions one phone may have waiting at once (push flooding) */
    int wait_max_ms;      /* the longest long poll */
    int watch_ms;         /* how often a node asks the database for other nodes' answers */
};
/* The defaults, stated once: 60 s to answer, 120 s for a QR code, 300 s
 * kept (Mobile-ID's five minutes), 3 waiting per phone, 30 s polls, 100 ms. */
void mid_config_defaults(struct mid_config *c);

struct mid_service;
/* The service on an open CA (its database and its records of the SIMs'
 * certificates).  Starts the thread that wakes long polls for answers
 * that arrive on other nodes. */
struct mid_service *mid_service_new(struct pki_ca *ca, const struct mid_config *cfg, struct pc_err *err);
void mid_service_free(struct mid_service *m);
/* Add the service's routes to the CA role's (before pki_api_http_config),
 * and tell it the server once started (to wake long polls). */
void mid_api_mount(struct mid_service *m, struct pki_api *app);
void mid_service_started(struct mid_service *m, struct http_server *s);

/* One request as the phone sees it (and the service's answer to the
 * relying party's poll). */
struct mid_request_view {
    const char *id;
    enum mid_kind kind;
    const char *rp_client, *rp_name;  /* the relying party: its client id and the name it gave */
    const char *display_text;         /* NULL when none */
    enum pc_lang lang;
    enum mid_hash hash_type;
    const unsigned char *hash;
    size_t hash_len;
    const char *client_ip;            /* QR: where the code is shown */
    int64_t answer_by;                /* unix seconds */
};

struct mid_status {
    bool complete;
    enum mid_result result;           /* when complete */
    enum mid_kind kind;
    const unsigned char *sig;         /* OK: the signature (DER ECDSA) */
    size_t sig_len;
    const char *cert_pem;             /* OK (and /certificate): the key's certificate */
    int64_t answer_by;
};

/* A relying party (client id, as authenticated) starts a session; for QR
 * *qr_code gets the one-time code the page shows (else NULL).  A number
 * and FİN with no active mobile signature still get a session, complete
 * with NOT_MID_CLIENT (Mobile-ID's behaviour).  PC_ELIMIT when the phone
 * has max_running sessions waiting. */
int mid_session_start(struct mid_service *m, struct pc_arena *a, const char *client, enum mid_kind kind,
                      const struct mid_start *req, const char **session_id, const char **qr_code,
                      struct pc_err *err);
/* The state of a session of this client (PC_ENOTFOUND for another's, an
 * unknown or a forgotten one).  A session past its time ends here as
 * TIMEOUT (the phone had it) or PHONE_ABSENT (it never asked). */
int mid_session_status(struct mid_service *m, struct pc_arena *a, const char *client, const char *id,
                       struct mid_status *out, struct pc_err *err);
/* The signing certificate of an active number and FİN (PEM);
 * PC_ENOTFOUND otherwise. */
int mid_certificate(struct mid_service *m, struct pc_arena *a, const char *phone, const char *fin,
                    const char **pem, struct pc_err *err);

/* The phone's side, authenticated by its channel key (mid_sim_check). */
int mid_sim_check(struct mid_service *m, struct pc_arena *a, const char *header, const char *method,
                  const char *target, const void *body, size_t len, const char **phone, struct pc_err *err);
/* The requests waiting for this phone (marked delivered), at most max. */
int mid_sim_pending(struct mid_service *m, struct pc_arena *a, const char *phone, struct mid_request_view **out,
                    size_t *n, size_t max, struct pc_err *err);
/* Claim a QR session by its code: it becomes this phone's request.  A
 * used code is PC_ECONFLICT (a replay), an expired one PC_EDENIED, an
 * unknown one PC_ENOTFOUND; each is audited. */
int mid_sim_claim_qr(struct mid_service *m, struct pc_arena *a, const char *phone, const char *code,
                     struct mid_request_view *out, struct pc_err *err);
/* The phone's answer; *result says how the session ended.  PC_ENOTFOUND
 * for another phone's or an unknown session, PC_ECONFLICT when it had
 * already ended (e.g. timed out). */
int mid_sim_answer(struct mid_service *m, struct pc_arena *a, const char *phone, const char *id,
                   const struct mid_answer *ans, enum mid_result *result, struct pc_err *err);

/* The registration desk binds a SIM: the CA issues the certificates of
 * its two keys (profiles mobile-auth and mobile-sign) to the person, and
 * the number is bound to them and the channel key.  A number bound
 * before is bound anew and the old SIM's certificates are revoked
 * (superseded).  Audited. */
struct mid_binding {
    const char *phone, *fin;
    const char *auth_serial, *sign_serial;
};
int mid_enrol(struct mid_service *m, struct pc_arena *a, const struct pki_actor *who, const struct mid_enrolment *e,
              struct mid_binding *out, struct pc_err *err);

/* Verify a DER ECDSA (or RSA PKCS#1) signature of a hash with a PEM
 * certificate's key: 0, or PC_EINVAL when it does not verify. */
int mid_signature_check(const char *cert_pem, const unsigned char *hash, size_t hash_len, const unsigned char *sig,
                        size_t sig_len, struct pc_err *err);

/* ---- the relying party's client (the portal) ------------------------- */

struct mid_client;
/* base_url: the service (the CA role's address); key_file: the RA client
 * secret made by `pencere ca add-client` (its name without ".key" is the
 * client id); trust_file: PEM with our root (and the issuing CA). */
struct mid_client *mid_client_new(const char *base_url, const char *key_file, const char *trust_file,
                                  struct pc_err *err);
void mid_client_free(struct mid_client *c);

/* Start a session (kind auth, sign or qr); *qr_code for QR. */
int mid_client_start(struct mid_client *c, struct pc_arena *a, enum mid_kind kind, const struct mid_start *req,
                     const char **session_id, const char **qr_code, struct pc_err *err);
/* Poll a session, waiting up to wait_ms for it to end. */
int mid_client_status(struct mid_client *c, struct pc_arena *a, const char *session_id, int wait_ms,
                      struct mid_status *out, struct pc_err *err);

/* The signing certificate (PEM) of req's number and FİN (req: the
 * relying party's name, the number and the FİN), to build what the
 * phone will sign; PC_ENOTFOUND when they have no active mobile
 * signature. */
int mid_client_certificate(struct mid_client *c, struct pc_arena *a, const struct mid_start *req, const char **pem,
                           struct pc_err *err);

/* Who an OK authentication proved, checked here, not taken on trust: the
 * signature is over our hash by the certificate's key, the certificate
 * chains to our root, is in its validity, is a mobile authentication
 * certificate, and names a FİN (the one asked for, when fin is set). */
struct mid_identity {
    const char *fin, *name, *serial;
};
int mid_client_verify(struct mid_client *c, struct pc_arena *a, const struct mid_status *st,
                      const unsigned char *hash, size_t hash_len, const char *fin, struct mid_identity *out,
                      struct pc_err *err);

/* The desk: bind a SIM (the registrar is the actor the client vouches for). */
int mid_client_enrol(struct mid_client *c, struct pc_arena *a, const struct pki_actor *who,
                     const struct mid_enrolment *e, struct mid_binding *out, struct pc_err *err);

/* ---- the SIM (the emulator's card) ------------------------------------ */

enum mid_sim_key { MID_SIM_AUTH, MID_SIM_SIGN };

#define MID_PIN_TRIES 3           /* wrong PINs before one blocks */
#define MID_PUK_TRIES 10

struct mid_sim;
/* A new SIM in dir: three P-256 keys (authentication, signing, channel),
 * PIN1 (4–8 digits), PIN2 (5–8 digits) and PUK (8 digits), stored as
 * salted hashes with their counters in DIR/sim.json. */
int mid_sim_create(const char *dir, const char *phone, const char *pin1, const char *pin2, const char *puk,
                   struct pc_err *err);
struct mid_sim *mid_sim_open(const char *dir, struct pc_err *err);
void mid_sim_close(struct mid_sim *s);
const char *mid_sim_phone(const struct mid_sim *s);
/* The enrolment text for the desk (see struct mid_enrolment). */
int mid_sim_enrolment_text(struct mid_sim *s, struct pc_arena *a, const char **text, struct pc_err *err);
/* Sign a hash with a key after its PIN.  A wrong PIN: PC_EDENIED with
 * *tries_left; a blocked PIN (now or before): PC_ELIMIT.  The counters
 * are written to disk before the answer. */
int mid_sim_sign(struct mid_sim *s, enum mid_sim_key key, const char *pin, const unsigned char *hash, size_t n,
                 unsigned char *sig, size_t *sig_len, int *tries_left, struct pc_err *err);
bool mid_sim_blocked(const struct mid_sim *s, enum mid_sim_key key);
/* Unblock a PIN with the PUK and set a new one.  A wrong PUK: PC_EDENIED
 * (*tries_left); the PUK blocked: PC_ELIMIT (the SIM is done). */
int mid_sim_unblock(struct mid_sim *s, enum mid_sim_key key, const char *puk, const char *new_pin, int *tries_left,
                    struct pc_err *err);
/* The Authorization header of a request to the service (out: 300 bytes). */
int mid_sim_sign_request(struct mid_sim *s, const char *method, const char *target, const void *body, size_t len,
                         int64_t ts, char *out, size_t outlen, struct pc_err *err);

/* ---- the phone's link to the service (link.c) ------------------------- */

/* Wait up to wait_ms for requests to this SIM. */
int mid_link_fetch(struct mid_sim *s, const char *base_url, struct pc_arena *a, int wait_ms,
                   struct mid_request_view **out, size_t *n, struct pc_err *err);
/* Scan a QR code (its text, or the code typed): the request it opens. */
int mid_link_scan(struct mid_sim *s, const char *base_url, struct pc_arena *a, const char *text,
                  struct mid_request_view *out, struct pc_err *err);
/* Send an answer; *result is how the service ended the session. */
int mid_link_answer(struct mid_sim *s, const char *base_url, struct pc_arena *a, const char *id,
                    const struct mid_answer *ans, const char **result, struct pc_err *err);

/* A request view from the JSON the service sends (link.c; fuzzed with the
 * rest of the API bodies). */
int mid_parse_request_view(struct pc_arena *a, const void *body, size_t len, struct mid_request_view *out,
                           struct pc_err *err);

#endif

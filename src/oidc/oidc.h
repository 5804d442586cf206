/*
 * oidc.h — the portal as an OpenID Connect provider for agencies' own
 * sites: the client registry (kept by the portal operator), the
 * authorization code flow with PKCE (S256 only), the token endpoint,
 * id_tokens and userinfo (the FİN as subject, or a pairwise subject per
 * agency), consent remembered per site, ES256 signing keys certified by
 * our CA and rotated with overlap, RP-initiated and back-channel logout.
 * The JOSE helpers at the end serve relying parties too (the example
 * agency site).  Anything not declared here is private to src/oidc.
 *
 * Owns the tables oidc_clients, oidc_client_uris, oidc_requests,
 * oidc_codes, oidc_tokens, oidc_consents, oidc_rp_sessions, oidc_keys
 * and oidc_secrets.
 *
 * Knows nothing of HTTP: parameters come in as name/value pairs, answers
 * go out as typed values (enum oidc_error) that the web turns into
 * protocol replies.  Every refusal of outside input is audited
 * ("oidc.refused") with its reason.
 */
#ifndef PC_OIDC_H
#define PC_OIDC_H

#include "../base/base.h"
#include "../db/db.h"
#include "../identity/identity.h"

#include <openssl/evp.h>

struct oidc;

/* ---- the provider of one node ------------------------------------------- */

/* Certify a new signing key: the CSR (PEM) in, the certificate chain
 * (PEM, the key's certificate first) out, in a.  Supplied by the program
 * (the CA's RA), so that src/oidc needs no CA of its own. */
typedef int (*oidc_certify_fn)(void *ctx, struct pc_arena *a, const char *csr_pem, const char **chain_pem,
                               struct pc_err *err);

struct oidc_config {
    const char *issuer;            /* the portal's public base URL, no trailing slash */
    const char *passphrase;        /* protects the signing keys in the database (12+ characters) */
    int64_t key_period_secs;       /* a key signs this long */
    int64_t key_overlap_secs;      /* … is published this long before and after */
    oidc_certify_fn certify;       /* NULL: keys without a certificate (x5c) */
    void *certify_ctx;
};

#define OIDC_PASSPHRASE_MIN 12
#define OIDC_CODE_SECS 60          /* an authorization code lives this long */
#define OIDC_TOKEN_SECS 600        /* access and id tokens */
#define OIDC_REQUEST_SECS 900      /* a request waiting for a login or consent */
#define OIDC_KEY_RECHECK_SECS 5    /* nodes look for new keys this often */

/* 30 days of signing, a day of overlap. */
void oidc_config_defaults(struct oidc_config *c);
/* Check the configuration (issuer an absolute http(s) URL, passphrase
 * long enough); PC_EINVAL naming what is wrong. */
int oidc_config_check(const struct oidc_config *c, struct pc_err *err);
/* Open the provider: load (or make) the signing keys and start the
 * back-channel logout sender.  The strings of cfg are copied. */
struct oidc *oidc_open(struct db *db, const struct oidc_config *cfg, struct pc_err *err);
/* Stop the sender (what is queued gets until then) and free. */
void oidc_close(struct oidc *o);
const char *oidc_issuer(const struct oidc *o);

/* The discovery document (/.well-known/openid-configuration), JSON. */
const char *oidc_discovery_json(struct oidc *o, struct pc_arena *a);
/* The published keys as a JWK set, JSON. */
int oidc_jwks_json(struct oidc *o, struct pc_arena *a, const char **json, struct pc_err *err);
/* Make a new signing key now, published at once and signing from
 * now + 2 × OIDC_KEY_RECHECK_SECS (every node has seen it by then); the
 * current key stops signing then and stays published for the overlap.
 * With retire_old (a compromised key) the old keys leave the set at once.
 * Audited. *kid gets the new key's id.  PC_EDENIED when cfg's passphrase
 * does not open the keys in use. */
int oidc_keys_rotate(struct db *db, const struct oidc_config *cfg, bool retire_old, struct pc_arena *a,
                     const char **kid, struct pc_err *err);

/* ---- vocabulary ----------------------------------------------------------- */

/* The OAuth 2.0 / OpenID Connect error codes we answer with. */
enum oidc_error {
    OIDC_ERR_NONE,
    OIDC_ERR_INVALID_REQUEST,
    OIDC_ERR_INVALID_CLIENT,
    OIDC_ERR_INVALID_GRANT,
    OIDC_ERR_UNAUTHORIZED_CLIENT,
    OIDC_ERR_UNSUPPORTED_GRANT_TYPE,
    OIDC_ERR_UNSUPPORTED_RESPONSE_TYPE,
    OIDC_ERR_INVALID_SCOPE,
    OIDC_ERR_ACCESS_DENIED,
    OIDC_ERR_LOGIN_REQUIRED,
    OIDC_ERR_CONSENT_REQUIRED,
    OIDC_ERR_INVALID_TOKEN,
    OIDC_ERR_UNAVAILABLE,          /* temporarily_unavailable: the database or the CA */
};
/* "invalid_request", … (the wire name). */
const char *oidc_error_name(enum oidc_error e);

/* Scopes we know; others in a request are ignored (RFC 6749 §3.3). */
enum {
    OIDC_SCOPE_OPENID = 1 << 0,
    OIDC_SCOPE_PROFILE = 1 << 1,
    OIDC_SCOPE_EMAIL = 1 << 2,
    OIDC_SCOPE_PHONE = 1 << 3,
};
/* "openid profile" for a set of scopes. */
const char *oidc_scopes_text(struct pc_arena *a, unsigned scopes);

/* What a site learns, for the consent page (which has a message for each). */
enum oidc_claim {
    OIDC_CLAIM_SUB_FIN,            /* the FİN as identifier */
    OIDC_CLAIM_SUB_PAIRWISE,       /* an identifier of its own for this agency */
    OIDC_CLAIM_NAME,               /* name, given, family and middle (patronymic) names */
    OIDC_CLAIM_BIRTHDATE,
    OIDC_CLAIM_EMAIL,
    OIDC_CLAIM_PHONE,
    OIDC_CLAIM_LOGIN_LEVEL,        /* how the person logged in (acr, amr) */
    OIDC_CLAIM_COUNT
};

/* ---- clients (the operator's registry) ----------------------------------- */

enum oidc_subject { OIDC_SUB_PUBLIC, OIDC_SUB_PAIRWISE };

#define OIDC_URIS_MAX 8
#define OIDC_URI_MAX 512
#define OIDC_CLIENTS_MAX 500
#define OIDC_SECRET_CHARS 43       /* 256 bits in base64url */

struct oidc_client {
    const char *id;
    struct pc_text name;           /* shown on the consent page */
    const char *agency_id;
    bool confidential;
    enum oidc_subject subject;
    const char *redirect_uris[OIDC_URIS_MAX];
    size_t nredirect;
    const char *post_logout_uris[OIDC_URIS_MAX];
    size_t npost_logout;
    const char *backchannel_logout_uri;    /* NULL: none */
    int64_t created_at;
    bool disabled;
};

/* Which field of a registration was refused (for the operator's form). */
enum oidc_client_field {
    OIDC_FIELD_NONE,
    OIDC_FIELD_ID,
    OIDC_FIELD_NAME,               /* in the language of .lang */
    OIDC_FIELD_AGENCY,
    OIDC_FIELD_REDIRECT_URIS,
    OIDC_FIELD_POST_LOGOUT_URIS,
    OIDC_FIELD_BACKCHANNEL_URI,
};
struct oidc_client_problem {
    enum oidc_client_field field;
    enum pc_lang lang;
};

/* Register a client (id and the other fields from in; in->id NULL makes
 * one).  URIs are absolute https URLs (http only to a loopback host),
 * without a fragment; the agency must be in the catalogue.  A
 * confidential client's secret (OIDC_SECRET_CHARS) is handed back once in
 * *secret, never stored.  Audited.  PC_EINVAL naming the field (and
 * *bad, when given, saying which), PC_ECONFLICT when the id is taken. */
int oidc_client_create(struct db *db, struct pc_arena *a, const struct oidc_client *in, const char *by,
                       const char *ip, const char **client_id, const char **secret, struct oidc_client_problem *bad,
                       struct pc_err *err);
/* A client (disabled ones too); PC_ENOTFOUND. */
int oidc_client_get(struct db *db, struct pc_arena *a, const char *id, struct oidc_client *out, struct pc_err *err);
/* Every client, newest first, at most OIDC_CLIENTS_MAX. */
int oidc_client_list(struct db *db, struct pc_arena *a, struct oidc_client **out, size_t *n, struct pc_err *err);
/* Stop a client: its codes and tokens stop working at once.  Audited. */
int oidc_client_disable(struct db *db, const char *id, const char *by, const char *ip, struct pc_err *err);

/* ---- parameters from outside (parse.c: fuzzed) --------------------------- */

#define OIDC_PARAM_MAX 512         /* bytes of one parameter value */
#define OIDC_JWT_MAX 8192          /* bytes of a JWT we read */

/* The name/value pairs of a query or form, as the web parsed them. */
struct oidc_params {
    const char *const *keys;
    const char *const *values;
    size_t n;
};

struct oidc_authz_request {
    const char *response_type, *client_id, *redirect_uri, *scope, *state, *nonce;
    const char *code_challenge, *code_challenge_method, *prompt;
    unsigned scopes;               /* the known scopes of scope */
    bool prompt_none, prompt_consent;
};
/* Read an authorization request.  Only syntax: a repeated parameter, an
 * over-long or control-character value, an unknown prompt is PC_EINVAL
 * (what is present is still filled, so the caller can tell whether the
 * error may be sent to the redirect URI). */
int oidc_authz_parse(const struct oidc_params *p, struct oidc_authz_request *out, struct pc_err *err);

struct oidc_token_request {
    const char *grant_type, *code, *redirect_uri, *code_verifier;
    const char *client_id, *client_secret;
    bool basic;                    /* the client authenticated with HTTP Basic */
};
/* Read a token request: the form, and the Authorization header (Basic
 * client_id:client_secret, each form-urlencoded per RFC 6749 §2.3.1) or
 * NULL.  PC_EINVAL for a repeated parameter, a malformed header, or
 * credentials both in the header and in the form. */
int oidc_token_parse(struct pc_arena *a, const struct oidc_params *p, const char *authorization,
                     struct oidc_token_request *out, struct pc_err *err);

/* ---- the authorization endpoint ------------------------------------------ */

/* A checked request, as stored while the person logs in or consents. */
struct oidc_pending {
    const char *id;                /* 0 until stored */
    struct oidc_client client;
    const char *redirect_uri, *state, *nonce, *code_challenge;
    unsigned scopes;
    bool prompt_none, prompt_consent;
};

/* Read (oidc_authz_parse) and check a request against the registry.  On
 * 0, out is ready.
 * Otherwise *error says what to answer and out->redirect_uri whether it
 * may go back to the site: NULL when the client is unknown or disabled or
 * the redirect URI is not one of its own (then the person gets a page,
 * never a redirect).  Refusals are audited. */
int oidc_authorize_check(struct oidc *o, struct pc_arena *a, const struct oidc_params *params, const char *ip,
                         struct oidc_pending *out, enum oidc_error *error, struct pc_err *err);
/* Keep a checked request for OIDC_REQUEST_SECS; fills p->id. */
int oidc_pending_store(struct oidc *o, struct pc_arena *a, struct oidc_pending *p, struct pc_err *err);
/* A stored request (with its client); PC_ENOTFOUND when unknown or expired. */
int oidc_pending_get(struct oidc *o, struct pc_arena *a, const char *id, struct oidc_pending *out,
                     struct pc_err *err);

/* The claims a site would learn from a request, in display order. */
size_t oidc_claims_of(const struct oidc_pending *p, enum oidc_claim out[OIDC_CLAIM_COUNT]);
/* Has the person already allowed this site everything the request asks? */
int oidc_consent_given(struct oidc *o, const struct id_principal *who, const struct oidc_pending *p, bool *given,
                       struct pc_err *err);

/* The sites a person has let in (their consents), newest first. */
#define OIDC_CONSENTS_MAX 100
struct oidc_consent {
    struct oidc_client client;
    unsigned scopes;
    int64_t granted_at;
};
int oidc_consent_list(struct oidc *o, struct pc_arena *a, const char *account_id, struct oidc_consent **out,
                      size_t *n, struct pc_err *err);
/* Withdraw a consent: the site asks again next time, and its access
 * tokens for the person stop working at once.  Audited
 * ("oidc.consent.withdraw").  PC_ENOTFOUND when there is none. */
int oidc_consent_withdraw(struct oidc *o, const struct id_principal *who, const char *client_id, const char *ip,
                          struct pc_err *err);

/* The person's answer: with allow, remember the consent (when the
 * request asked), issue a code and fill *redirect with the site's URI
 * carrying code and state; otherwise *redirect carries
 * error=access_denied.  The principal must be allowed ID_ACT_OIDC_SIGN_IN
 * (the web checks it first; here it is checked again).  The pending
 * request is used up.  Audited ("oidc.sign_in" or "oidc.denied"). */
int oidc_authorize_finish(struct oidc *o, struct pc_arena *a, const struct id_principal *who,
                          const struct oidc_pending *p, bool allow, const char *ip, const char **redirect,
                          struct pc_err *err);
/* The site's redirect URI with error (and state): for refusals that may
 * go back. */
const char *oidc_error_redirect(struct pc_arena *a, const char *redirect_uri, enum oidc_error e,
                                const char *description, const char *state);

/* ---- the token endpoint and userinfo --------------------------------------- */

struct oidc_tokens {
    const char *access_token, *id_token, *scope;
    int expires_in;
};

/* Read a token request (oidc_token_parse; the Authorization header may
 * be NULL) and redeem its code: the client authenticated (a confidential one by its
 * secret, a public one by its client_id), the code its own, unused and
 * fresh, the redirect_uri the one of the request, SHA-256(code_verifier)
 * its code_challenge.  A code used a second time also revokes the tokens
 * issued for it (RFC 6749 §4.1.2).  On refusal *error is set (invalid_client,
 * invalid_grant, invalid_request, unsupported_grant_type) and the refusal
 * audited. */
int oidc_token(struct oidc *o, struct pc_arena *a, const struct oidc_params *params, const char *authorization,
               const char *ip, struct oidc_tokens *out, enum oidc_error *error, struct pc_err *err);

/* The claims of an access token as a JSON object (sub and the claims of
 * its scopes).  An unknown, expired or revoked token: PC_EDENIED with
 * OIDC_ERR_INVALID_TOKEN.  The read is recorded in the person's access log
 * (the agency of the site, ground: their consent). */
int oidc_userinfo(struct oidc *o, struct pc_arena *a, const char *access_token, const char **json,
                  enum oidc_error *error, struct pc_err *err);

/* ---- logout ------------------------------------------------------------------ */

/* The session id (sid claim) of a portal session: derived from its hash,
 * never the token. */
void oidc_sid_of(const char *session_hash, char out[44]);

struct oidc_logout_request {
    const char *id_token_hint, *post_logout_redirect_uri, *state, *client_id;
};
int oidc_logout_parse(const struct oidc_params *p, struct oidc_logout_request *out, struct pc_err *err);

/* Check an RP-initiated logout: the hint must be an id_token of ours
 * (expired ones too) for the client; the post-logout URI must be one the
 * client registered.  *redirect gets the URI with state (NULL when none
 * was asked), *sid the hint's session id (NULL without a hint).
 * PC_EINVAL (audited) for a bad hint or a foreign URI. */
int oidc_logout_check(struct oidc *o, struct pc_arena *a, const struct oidc_logout_request *req, const char *ip,
                      const char **redirect, const char **sid, struct pc_err *err);

/* The portal session with this hash has ended: tell every site it signed
 * in to that has a back-channel logout URI (a logout token each, sent by
 * the provider's sender thread, retried a few times), and forget them. */
int oidc_session_ended(struct oidc *o, const char *session_hash, const char *ip, struct pc_err *err);
/* The same for every session of an account ("log out everywhere"; at
 * most the 64 sessions with sites). */
int oidc_account_sessions_ended(struct oidc *o, const char *account_id, const char *ip, struct pc_err *err);

/* ---- JOSE, for the provider and for relying parties (jose.c) ---------------- */

/* A compact JWS, split and decoded.  header and payload are jansson
 * objects owned by the arena. */
struct oidc_jws {
    const char *signing_input;     /* header.payload, as received */
    size_t signing_len;
    void *header, *payload;        /* json_t * */
    unsigned char sig[64];
    size_t sig_len;
    const char *alg, *kid;
};
/* Split and decode a JWS (at most OIDC_JWT_MAX bytes); PC_EINVAL when it
 * is not one. */
int oidc_jws_parse(struct pc_arena *a, const char *jwt, struct oidc_jws *out, struct pc_err *err);
/* Verify an ES256 signature with a P-256 public key: 0 or PC_EDENIED. */
int oidc_jws_verify(const struct oidc_jws *j, EVP_PKEY *key, struct pc_err *err);
/* Sign the claims (a JSON object text) as an ES256 JWS with key and kid. */
int oidc_jws_sign(struct pc_arena *a, EVP_PKEY *key, const char *kid, const char *typ, const char *claims,
                  const char **jwt, struct pc_err *err);
/* The public key of a JWK (JSON text of one key, or a set with keys[] and
 * then the one of kid).  Caller frees with EVP_PKEY_free. */
EVP_PKEY *oidc_jwk_key(const char *json, const char *kid, struct pc_err *err);
/* A string claim of a parsed JWS's payload, or NULL. */
const char *oidc_jws_claim(const struct oidc_jws *j, const char *name);
/* An integer claim, or -1. */
int64_t oidc_jws_claim_int(const struct oidc_jws *j, const char *name);

#endif

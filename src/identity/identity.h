/*
 * identity.h — who is who and who may do what: persons (FİN), legal
 * entities (VÖEN) and their representatives, accounts with credentials
 * and roles, login methods, sessions, and the one authorization function.
 *
 * Owns the tables persons, legal_entities, representatives, accounts,
 * account_roles, one_time_codes, sessions, login_throttle,
 * login_challenges, cert_challenges, single_cert_requests and kiosks;
 * other modules reach them only through this header.
 *
 * Two kinds of account: a citizen account (its login is the person's FİN,
 * one per person) and a staff account (a login that can never be read as
 * a FİN, bound to the staff member's own person record, and usable only
 * once that person, or a registration desk, has confirmed it).
 *
 * Login methods sit behind struct id_login_method so that certificate and
 * mobile-signature login plug in beside the code-password.  Every change
 * is written in a transaction together with its audit entry.
 */
#ifndef PC_IDENTITY_H
#define PC_IDENTITY_H

#include "../base/base.h"
#include "../db/db.h"

/* ---- identifiers ---------------------------------------------------- */

bool id_fin_valid(const char *s);   /* 7 characters [0-9A-Z] */
/* A FİN as people type it: surrounding spaces dropped, Latin letters
 * upper-cased ("  1abc2d3 " gives "1ABC2D3").  false, with out empty, when
 * the result is not a valid FİN. */
bool id_fin_normalize(const char *typed, char out[8]);
bool id_voen_valid(const char *s);  /* 10 digits */

/* ---- persons and legal entities -------------------------------------- */

struct id_person {
    const char *fin;
    const char *last_name, *first_name, *patronymic;
    const char *birth_date;         /* YYYY-MM-DD */
    const char *gender;             /* m | f */
    const char *id_card;
    const char *address, *phone, *email;
    const char *lang;
    bool disability;
    const char *source;
};

#define ID_NAME_MAX 100
#define ID_FIELD_MAX 300

/* Check a person record from outside; PC_EINVAL names the field. */
int id_person_check(const struct id_person *p, struct pc_err *err);
int id_person_get(struct db *db, struct pc_arena *a, const char *fin, struct id_person *out, struct pc_err *err);
/* Where to reach a person: the phone and e-mail on record (NULL when
 * none) and the language they chose. */
struct id_contact {
    const char *phone, *email;
    enum pc_lang lang;
};

/* A person's contact (on c, so inside the caller's transaction if any).
 * PC_ENOTFOUND when there is no such person. */
int id_person_contact(struct db_conn *c, struct pc_arena *a, const char *fin, struct id_contact *out,
                      struct pc_err *err);
/* The work e-mail addresses of an agency's active officers and
 * administrators (only `account`'s when it is not NULL), at most max, in
 * address order: who to tell about a new case. */
int id_agency_staff_contacts(struct db_conn *c, struct pc_arena *a, const char *agency, const char *account,
                             struct id_contact *out, size_t max, size_t *n, struct pc_err *err);
/* Insert or update (by FİN) inside the caller's transaction. */
int id_person_put(struct db_conn *c, const struct id_person *p, struct pc_err *err);

/* What the registration desk may search by: a FİN alone (exact, any
 * case), or a last name together with an identity-card number (case,
 * spaces and dashes in the card ignored).  Never a name alone: the desk
 * identifies the person in front of it, it does not browse the
 * population. */
struct id_person_query {
    const char *fin;
    const char *last_name, *id_card;
};

/* The persons matching q, at most max (*more: there were others).
 * PC_EINVAL when q is neither form above. */
int id_person_find(struct db *db, struct pc_arena *a, const struct id_person_query *q, struct id_person **out,
                   size_t *n, size_t max, bool *more, struct pc_err *err);

struct id_entity {
    const char *voen, *name, *legal_form, *status, *address;
    const char *scope;              /* the representative's scope, in lists */
};

#define ID_ENTITIES_MAX 50

/* Entities the person may act for (active grants only), at most
 * ID_ENTITIES_MAX (*more: there are others). */
int id_entities_of(struct db *db, struct pc_arena *a, const char *fin, struct id_entity **out, size_t *n,
                   bool *more, struct pc_err *err);
/* Insert or update a legal entity (by VÖEN; scope is not stored here)
 * inside the caller's transaction. */
int id_entity_put(struct db_conn *c, const struct id_entity *e, struct pc_err *err);
/* Let fin act for voen with scope (full | applications | tax), inside the
 * caller's transaction; a revoked grant is granted again. */
int id_representative_grant(struct db_conn *c, const char *voen, const char *fin, const char *scope,
                            struct pc_err *err);
/* End fin's grant for voen.  Takes effect at once: a session acting for
 * the entity stops doing so on its next request.  Audited; PC_ENOTFOUND
 * when there is no active grant. */
int id_representative_revoke(struct db *db, const char *voen, const char *fin, const char *by, const char *ip,
                             struct pc_err *err);

/* Deterministic synthetic population with Azerbaijani names: persons
 * number [first, first+count) of the sequence given by seed.  The same
 * seed and number always give the same person. */
int id_population_generate(struct db *db, uint64_t seed, int64_t first, int64_t count, struct pc_err *err);
/* The FİN of synthetic person number i (for tests and demos). */
void id_population_fin(uint64_t seed, int64_t i, char out[8]);

/* ---- groups of the population (who may take part in a poll) ---------- */

/* Persons aged min_age..max_age on a day (0: no bound) whose registered
 * address is in a district (its first part: the city or district, "Bakı";
 * NULL: anywhere). */
struct id_group {
    int min_age, max_age;
    const char *district;
};

#define ID_AGE_MAX 150
#define ID_DISTRICT_MAX 60          /* bytes of a district's name */

/* Check a group from outside; PC_EINVAL names the field. */
int id_group_check(const struct id_group *g, struct pc_err *err);
/* Whether the person fin is in g on day ("YYYY-MM-DD"), read on c (so
 * inside the caller's transaction).  PC_ENOTFOUND when there is no such
 * person. */
int id_group_member(struct db_conn *c, const char *fin, const struct id_group *g, const char *day, bool *member,
                    struct pc_err *err);
/* ---- login levels: how strongly a person proved who they are -------- */

/* The one model of levels (issue 10) every module uses: the catalogue
 * states each service's minimum, cases enforce it when an application is
 * started or submitted, the web offers the ways to reach it.  The words
 * are the catalogue's ("none", "code_password", "e_signature").
 *
 * A login method reaches one level (id_method_level).  To add one (the
 * mobile signature, QR login from the phone) add its value to enum
 * id_method and its row to the table in level.c; the mobile signature
 * counts as an e-signature.  A session logged in with a single-purpose
 * certificate has its level for that certificate's one service only, and
 * none for any other (id_level_for). */
enum id_level { ID_LEVEL_NONE, ID_LEVEL_CODE_PASSWORD, ID_LEVEL_E_SIGNATURE, ID_LEVEL_COUNT };

const char *id_level_name(enum id_level l);
int id_level_parse(const char *s);          /* -1 if unknown */

enum id_method {
    ID_METHOD_PASSWORD,             /* the simplified code-password (and its second factor) */
    ID_METHOD_CERTIFICATE,          /* an e-signature certificate: a signed challenge or TLS */
    ID_METHOD_MOBILE,               /* the mobile signature, the number and FİN typed */
    ID_METHOD_QR,                   /* the mobile signature, from a QR code the phone scanned */
    ID_METHOD_GUEST,                /* no login: a guest applying to a service of level none (guest.c) */
    ID_METHOD_COUNT
};

const char *id_method_name(enum id_method m);  /* "password", "certificate", "mobile", "qr", "guest" */
int id_method_parse(const char *s);            /* -1 if unknown */
enum id_level id_method_level(enum id_method m);

/* How and when a session was logged in (the citizen's data page shows it). */
struct id_login_info {
    enum id_method method;
    int64_t at;                     /* unix seconds */
    const char *cert_serial;        /* the certificate a certificate login used (hex), else NULL */
    const char *only_service;       /* a single-purpose certificate's one e-service, else NULL */
    /* logged in at a post-office kiosk (kiosk.c): its id and district, else NULL */
    const char *kiosk_id, *kiosk_district;
};

/* ---- roles and the principal ---------------------------------------- */

enum id_role {
    ID_ROLE_CITIZEN,
    ID_ROLE_REPRESENTATIVE,
    ID_ROLE_OFFICER,
    ID_ROLE_AGENCY_ADMIN,
    ID_ROLE_REGISTRAR,
    ID_ROLE_OPERATOR,
    ID_ROLE_EVALUATOR,
    ID_ROLE_AUDITOR,
    ID_ROLE_INSPECTOR,             /* an agency's field inspector (src/inspect) */
    ID_ROLE_POSTAL,                 /* a post-office operator: registers paper applications */
    ID_ROLE_COUNT
};

const char *id_role_name(enum id_role r);
int id_role_parse(const char *name);   /* -1 if unknown */

#define ID_MAX_ROLES 8

struct id_grant {
    enum id_role role;
    const char *agency_id;          /* "" when the role has none */
};

/* A guest account (guest.c) belongs to no person and has no login, no
 * password and no role: it is the applicant of applications filed without
 * logging in, and id_authorize allows it nothing. */
enum id_account_kind { ID_ACCOUNT_CITIZEN, ID_ACCOUNT_STAFF, ID_ACCOUNT_GUEST };

/* Who is making the request: the logged-in account and its roles. */
struct id_principal {
    const char *account_id;
    const char *login;
    enum id_account_kind kind;
    const char *fin;                /* the person the account belongs to (NULL: none) */
    const char *display_name;
    struct id_grant grants[ID_MAX_ROLES];
    int ngrants;
    const char *acting_for;         /* VÖEN when acting for an entity (checked at every lookup) */
    const char *session_hash;       /* which session (for revocation lists) */
    const char *csrf;               /* the session's CSRF token */
    struct id_login_info auth;      /* how and when the session was logged in */
};

bool id_has_role(const struct id_principal *p, enum id_role r);
/* The level p has for a service (NULL p: none).  A single-purpose
 * certificate's session has none for any service but its own. */
enum id_level id_level_for(const struct id_principal *p, const char *service_id);
/* The agency of the principal's officer/agency-admin grant, or NULL. */
const char *id_agency_of(const struct id_principal *p);

/* ---- authorization: one function decides, deny by default ----------- */

enum id_action {
    ID_ACT_VIEW_OWN_DATA,          /* my account: roles, sessions, second factor */
    ID_ACT_VIEW_PERSON,            /* a person's record, res.fin: one's own (citizen account only) or the desk's */
    ID_ACT_ISSUE_CODE,             /* issue an activation code for res.fin */
    ID_ACT_ACT_FOR_ENTITY,         /* act for res.voen (res.granted says a grant exists) */
    ID_ACT_VIEW_AGENCY_CASES,      /* res.agency_id */
    ID_ACT_MANAGE_AGENCY_STAFF,    /* res.agency_id */
    ID_ACT_VIEW_AUDIT,
    ID_ACT_VIEW_STATISTICS,
    ID_ACT_MANAGE_CATALOG,
    ID_ACT_APPLY,                  /* file an application (res.voen when for an entity) */
    ID_ACT_VIEW_CASE,              /* one application: res.owner, res.agency_id */
    ID_ACT_ACT_ON_CASE,            /* an officer's step on res.agency_id's case */
    /* the register of information systems (src/isreg) */
    ID_ACT_ISREG_EDIT,             /* draft, submit, de-register res.agency_id's systems */
    ID_ACT_ISREG_REVIEW,           /* register or return cards, findings, known systems */
    /* participation and the online queue (src/participation, src/queue) */
    ID_ACT_VOTE,                   /* vote, rate, complain, book: a person from their own citizen account, for themself */
    ID_ACT_MANAGE_POLLS,           /* polls and surveys: operators; res.agency_id's administrators for its own */
    ID_ACT_ANSWER_COMPLAINT,       /* res.agency_id's complaints: its officers and administrators */
    ID_ACT_MODERATE,               /* feedback comments: operators */
    ID_ACT_MANAGE_CENTRES,         /* service centres, counters, hours, holidays: operators; res.agency_id's administrators */
    ID_ACT_CENTRE_DESK,            /* check in and call at res.agency_id's centres: its officers and administrators */
    /* the certification centre in the portal (web/certs.c, desk_certs.c) */
    ID_ACT_MANAGE_OWN_CERTS,       /* apply for, see, suspend, revoke res.fin's certificates: their own citizen account */
    ID_ACT_ISSUE_CERT_AT_DESK,     /* issue a certificate to res.fin, whose ID card the registrar checked */
    /* OpenID Connect provider (src/oidc) */
    ID_ACT_OIDC_SIGN_IN,           /* sign in to an agency's own site: a citizen account, as oneself */
    ID_ACT_MANAGE_OIDC_CLIENTS,    /* register and disable agencies' sites (the portal operator) */
    /* payments of fees (src/pay) */
    ID_ACT_PAY_REFUND,             /* refund res.agency_id's payments */
    ID_ACT_PAY_RECONCILE,          /* run and read the reconciliation with the provider */
    /* field inspections (src/inspect) */
    ID_ACT_INSPECT,                /* record the visit res.owner (the inspector's account) was given at res.agency_id */
    /* the e-safe (src/esafe) */
    ID_ACT_ESAFE,                  /* read and keep res.fin's e-safe (their own citizen account, for themself)
                                      or res.voen's (a representative acting for it); staff never */
    /* evaluation campaigns in the portal (src/monitor campaign.c) */
    ID_ACT_EVALUATE,               /* create a campaign, pick services, answer, submit: evaluators */
    ID_ACT_REVIEW_EVALUATION,      /* agree or send back: an evaluator other than res.owner (its creator) */
    ID_ACT_VIEW_EVALUATION,        /* a closed campaign's results: evaluators, auditors, operators; res.agency_id's staff */
    /* ecert: e-certificates ("arayış") */
    ID_ACT_ECERT_OWN,              /* order, see, download, revoke res.fin's e-certificates: their own citizen account */
    ID_ACT_ECERT_REVOKE,           /* revoke e-certificates res.agency_id issued: its officers and administrators */
    /* channels of applications: kiosks and paper (issue 17, branch kiosk) */
    ID_ACT_MANAGE_KIOSKS,          /* register and withdraw post-office kiosks (the portal operator) */
    ID_ACT_FILE_PAPER,             /* register a paper application to res.agency_id: its officers, post-office operators */
    ID_ACT_UPLOAD,                 /* upload a file for an application: who may apply or register paper ones */
};

struct id_resource {
    const char *owner;          /* account id of an application's applicant */
    const char *fin;
    const char *voen;
    const char *agency_id;
    bool granted;               /* a representative grant exists for voen */
};

/* NULL principal = anonymous.  Returns true only when some grant allows. */
bool id_authorize(const struct id_principal *p, enum id_action a, const struct id_resource *res);
/* The role of the grant that allows the action (the role the principal
 * acts in, for the audit and access logs), or -1 when none does. */
int id_authorize_role(const struct id_principal *p, enum id_action a, const struct id_resource *res);

/* ---- accounts and credentials --------------------------------------- */

#define ID_PASSWORD_MIN 10
#define ID_PASSWORD_MAX 128
#define ID_CODE_LEN 10          /* one-time codes: 10 characters, no look-alikes */

/* Create an account with roles; audited in the same transaction.
 *  - ID_ACCOUNT_CITIZEN: the person's own account; login must be fin (a
 *    person has one).  Status pending until a code sets its password.
 *  - ID_ACCOUNT_STAFF: login is a staff login (3–64 of [a-z0-9._-], never
 *    FİN-shaped, so no citizen can ever be handed it), bound to the staff
 *    member's person fin.  Created by an account (by != NULL, e.g. an
 *    agency administrator) it is 'unconfirmed': no code can be issued for
 *    it until its owner confirms it (id_staff_confirm).  Created by the
 *    system (by == NULL: an operator's command line) it is pending.
 * PC_ECONFLICT when the login is taken. */
int id_account_create(struct db *db, enum id_account_kind kind, const char *login, const char *fin,
                      const struct id_grant *grants, int ngrants, const char *by, const char *by_role,
                      struct pc_arena *a, const char **account_id, struct pc_err *err);
/* The person's citizen account, created (pending, with the citizen role,
 * and the representative role when the person represents an entity) if
 * there is none yet.  Audited when created. */
int id_citizen_account(struct db *db, struct pc_arena *a, const char *fin, const char *by, const char *by_role,
                       const char **account_id, struct pc_err *err);
/* Is this text a staff login (and so never a FİN)? */
bool id_staff_login_valid(const char *login);
/* The account id of a login, or PC_ENOTFOUND. */
int id_account_find(struct db *db, struct pc_arena *a, const char *login, const char **account_id,
                    struct pc_err *err);
/* monitor (usage statistics): the citizen accounts active with a
 * code-password now, and the day (YYYY-MM-DD, UTC) an account was
 * created.  Counts and a date only: nothing about the person. */
int id_code_password_holders(struct db *db, int64_t *n, struct pc_err *err);
int id_account_created_day(struct db *db, const char *account_id, char day[11], struct pc_err *err);
/* Issue a one-time activation (or reset) code; the previous unused codes
 * of the account stop working.  code_out gets ID_CODE_LEN + 1 bytes.
 * PC_EDENIED for a staff account its owner has not confirmed. */
int id_code_issue(struct db *db, const char *account_id, const char *purpose, const char *by,
                  const char *by_role, const char *ip, int64_t valid_secs, char *code_out, struct pc_err *err);
/* Self-service registration and password reset: when fin and the
 * identity-card number match the person's record, create the account if
 * needed and send a code (30 minutes) to the phone or e-mail on record
 * through the outbox.  Returns 0 whether or not they matched (the caller
 * must answer the same either way); PC_ELIMIT when throttled. */
int id_code_send(struct db *db, struct pc_arena *a, const char *fin, const char *id_card, const char *purpose,
                 const char *ip, const char *lang, int64_t *retry_after, struct pc_err *err);
/* Use a code to set the password (and activate the account).  login is
 * as typed (a FİN in any case).  The code is checked before the new
 * password is hashed, so guessing codes costs no hashing.  PC_EDENIED for
 * a wrong, used or expired code; PC_ELIMIT when throttled. */
int id_code_redeem(struct db *db, const char *login, const char *code, const char *password,
                   const char *ip, struct pc_err *err);
/* Set a password directly (demo seeding and operators' CLI). */
int id_password_set(struct db *db, const char *account_id, const char *password, struct pc_err *err);
/* Check a new password against the rules; PC_EINVAL with the reason. */
int id_password_check(const char *password, struct pc_err *err);

/* The KDF of passwords, also for accounts outside identity (the central
 * registry's operators).  Hash a new password into out (encoded: parameters, salt, hash). */
int id_password_hash(const char *password, char *out, size_t outlen, struct pc_err *err);
/* Check a password against an encoded hash; NULL encoded checks against a
 * dummy, so an unknown login costs the same time and always fails. */
bool id_password_verify(const char *encoded, const char *password);
/* A fresh token for the client (256 random bits, base64url: out gets
 * ID_TOKEN_CHARS + 1) and the SHA-256 the database keeps instead of it. */
int id_new_token(char *token_out, char hash[65], struct pc_err *err);
/* Argon2id parameters: chosen so that one hash takes ~50–100 ms here. */
void id_password_params(uint32_t *t_cost, uint32_t *m_cost_kib, uint32_t *parallelism);
/* Override (tests use cheap parameters). */
void id_password_set_params(uint32_t t_cost, uint32_t m_cost_kib);

#define ID_STAFF_MAX 500

/* Officers and administrators of an agency (status: unconfirmed, pending,
 * active or disabled). */
struct id_staff {
    const char *account_id, *login, *name, *status;
    enum id_role role;
    const char *agency_id;
};
/* At most ID_STAFF_MAX (*more: there are others). */
int id_agency_staff(struct db *db, struct pc_arena *a, const char *agency_id, struct id_staff **out, size_t *n,
                    bool *more, struct pc_err *err);
/* The staff accounts waiting for fin's confirmation (at most 8). */
int id_staff_unconfirmed(struct db *db, struct pc_arena *a, const char *fin, struct id_staff **out, size_t *n,
                         struct pc_err *err);
/* Confirm an unconfirmed staff account and issue its activation code
 * (code_out: ID_CODE_LEN + 1 bytes, valid 72 hours; *login: the account's
 * login, in a), in one audited
 * transaction.  Only the person it is bound to (from their own citizen
 * account) or a registration desk may confirm, and never the account that
 * created it.  PC_ENOTFOUND when there is no such unconfirmed account for
 * this confirmer; PC_EDENIED when the confirmer may not. */
int id_staff_confirm(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *account_id,
                     const char *ip, char *code_out, const char **login, struct pc_err *err);
/* Take a role away (and end the account's sessions); audited. */
int id_grant_remove(struct db *db, const char *account_id, enum id_role role, const char *agency_id,
                    const char *by, const char *ip, struct pc_err *err);

/* ---- second factor (TOTP, RFC 6238) ---------------------------------- */

#define ID_TOTP_SECRET_LEN 32     /* base32 characters of a 160-bit key */

int id_totp_new_secret(char out[ID_TOTP_SECRET_LEN + 1]);
/* The 6-digit code for a moment (tests and the enrolment check). */
int id_totp_code(const char *secret, int64_t unix_secs, char out[7]);
/* The 30-second step (unix time / 30) whose code is `code`: now's, or one
 * step before or after; -1 when none matches.  A code is accepted once:
 * identity remembers the last step used per account. */
int64_t id_totp_match(const char *secret, const char *code, int64_t now);
/* Turn the second factor on after checking a code made with the new
 * secret; audited, and the account's other sessions end.  PC_EINVAL when
 * the code does not match. */
int id_totp_enable(struct db *db, const struct id_principal *p, const char *secret, const char *code,
                   const char *ip, struct pc_err *err);
/* Turn it off: the code must be a current one of the stored secret (the
 * secret never leaves identity); checked and cleared in one audited
 * transaction, and the account's other sessions end.  PC_EINVAL for a
 * wrong (or already used) code. */
int id_totp_disable(struct db *db, const struct id_principal *p, const char *code, const char *ip,
                    struct pc_err *err);
/* Is the second factor on for the account (*on)? */
int id_totp_enabled(struct db *db, const char *account_id, bool *on, struct pc_err *err);

/* ---- login methods and sessions ------------------------------------- */

struct id_login_request {
    const char *login;          /* as typed: a FİN in any case, or a staff login */
    const char *secret;         /* the password, for the code-password method */
    const char *otp;            /* the second factor's code, when the account has one */
    const char *challenge;      /* the answer to an earlier challenge (see id_login), or NULL */
    const char *ip;
    const char *user_agent;
    bool admitted;              /* set by id_login_admit: waiting for a hash */
};

struct id_login_method {
    const char *name;           /* "password", later "certificate", "mobile" */
    /* Fill account_id on success; PC_EDENIED for wrong credentials (the
     * same answer whether or not the account exists). */
    int (*authenticate)(struct db *db, struct pc_arena *a, const struct id_login_request *req,
                        const char **account_id, struct pc_err *err);
};

extern const struct id_login_method id_login_password;
/* The phone's methods (mobile_login.c): req->login is a FİN the caller
 * has already proven with the mobile signature (src/mobile's
 * mid_client_verify), typed by the person ("mobile") or from a QR code
 * their phone scanned ("qr"); req->secret is not used.  Never call them
 * with a FİN that was not proven. */
extern const struct id_login_method id_login_mobile;
extern const struct id_login_method id_login_qr;

/* Session limits. */
#define ID_SESSION_IDLE_SECS (30 * 60)
#define ID_SESSION_ABSOLUTE_SECS (12 * 3600)
#define ID_TOKEN_CHARS 43       /* 256 bits in base64url */

/* Log in with a method.  Failures are counted per login, per address and
 * per login from one address (in the database, so every node sees them):
 *  - an address with many failures, or a login with several failures from
 *    that address, waits progressively longer before its next attempt is
 *    even looked at (PC_ELIMIT, retry_after);
 *  - a login with many failures from anywhere is never locked: an attempt
 *    on it first gets a challenge (PC_ELIMIT, token_out holds it) that the
 *    same client sends back as req->challenge after retry_after seconds,
 *    a wait that grows with the failures.  Strangers' failures thus slow
 *    every guess down without ever refusing the right password;
 *  - password hashing is limited per node (see id_login_admit).
 * Then the method, the second factor, a new session.  PC_EDENIED for wrong
 * credentials.  When the account has a second factor and req->otp is
 * missing: PC_EMORE, and token_out holds a 5-minute ticket for
 * id_login_second_factor instead of a session.  token_out gets
 * ID_TOKEN_CHARS + 1 bytes ("" when there is nothing to hand back). */
int id_login(struct db *db, struct pc_arena *a, const struct id_login_method *m,
             const struct id_login_request *req, const char *kind, char *token_out,
             int64_t *retry_after, struct pc_err *err);
/* The cheap half of id_login, for the thread that answers: the delays,
 * the challenge and a place in the node's queue of attempts waiting to be
 * hashed.  Attempts from an address or for a login with recent failures
 * get a place only while the queue is short, anyone while it is not full,
 * so a flood of wrong passwords cannot make a real login wait behind it.
 * On 0, req->admitted is set and the caller must run id_login (which
 * gives the place back) — typically on a worker thread; otherwise the
 * answer is id_login's: PC_ELIMIT with retry_after (and maybe a
 * challenge in token_out). */
int id_login_admit(struct db *db, struct pc_arena *a, struct id_login_request *req, char *token_out,
                   int64_t *retry_after, struct pc_err *err);
/* The second step: a ticket from id_login and the code.  On success
 * token_out holds the session token (the ticket is used up).  A wrong
 * code: PC_EINVAL (the ticket stays, another try is allowed); an expired
 * or used ticket: PC_EDENIED; throttled: PC_ELIMIT. */
int id_login_second_factor(struct db *db, struct pc_arena *a, const char *ticket, const char *otp,
                           const struct id_login_request *req, const char *kind, char *token_out,
                           int64_t *retry_after, struct pc_err *err);

/* ---- guests: applying without logging in (guest.c) ------------------- */

/* A service whose level is none is applied to without an account: the
 * visitor gets a guest account of their own (no person, no login, no
 * role) and a session of kind "guest" (its own cookie: never a page's or
 * the API's session), whose level is none.  At most ID_GUEST_PER_WINDOW
 * guests per address in the throttle's window (PC_ELIMIT, retry_after).
 * token_out gets ID_TOKEN_CHARS + 1 bytes; *account_id the new account. */
#define ID_GUEST_PER_WINDOW 30
int id_guest_start(struct db *db, struct pc_arena *a, const char *ip, const char *user_agent, char *token_out,
                   const char **account_id, int64_t *retry_after, struct pc_err *err);

/* What proves a returning guest: the caller's check of its own secret
 * (an application's reference and access code).  0 with *account_id (a
 * guest account), or PC_EDENIED — the same for an unknown key and a wrong
 * secret. */
struct id_guest_proof {
    int (*check)(void *ctx, struct pc_arena *a, const char **account_id, struct pc_err *err);
    void *ctx;
};

/* A guest comes back: throttled like the login (the address's failures
 * count with its login failures; the key from one address waits
 * progressively after a few), the proof checked, audited either way,
 * and on success a new session of kind "guest" in token_out.  key names
 * what is guessed (the reference).  PC_EDENIED, PC_ELIMIT (retry_after). */
int id_guest_login(struct db *db, struct pc_arena *a, const char *key, const struct id_guest_proof *proof,
                   const char *ip, const char *user_agent, char *token_out, int64_t *retry_after,
                   struct pc_err *err);

/* Look a token up: of this kind ("cookie" or "bearer": a token works only
 * where it was issued), valid, not revoked, not idle or past its absolute
 * limit.  Refreshes last_seen.  acting_for is checked against the
 * representative grants each time.  PC_ENOTFOUND when the session is no
 * good; any other code is a failure of the database, not an answer. */
int id_session_lookup(struct db *db, struct pc_arena *a, const char *token, const char *kind,
                      struct id_principal *out, struct pc_err *err);
/* End the session of a token of this kind (a logout); 0 if it had ended. */
int id_session_revoke(struct db *db, const char *token, const char *kind, const char *ip, struct pc_err *err);
/* Revoke every session of the account (log out everywhere). */
int id_session_revoke_all(struct db *db, const char *account_id, const char *ip, struct pc_err *err);

struct id_session_info {
    const char *hash_prefix;    /* first 12 hex digits: shown, never the token */
    int64_t created_at, last_seen_at;
    const char *ip, *user_agent, *kind;
    bool current;
};

#define ID_SESSIONS_MAX 50

/* The account's live sessions, at most ID_SESSIONS_MAX (*more: others). */
int id_sessions_list(struct db *db, struct pc_arena *a, const struct id_principal *p,
                     struct id_session_info **out, size_t *n, bool *more, struct pc_err *err);
/* Switch who the session acts for (NULL: oneself).  Checks the grant. */
int id_session_act_for(struct db *db, const struct id_principal *p, const char *voen, struct pc_err *err);

/* ---- certificate login (issue 10) ------------------------------------ */

/* Why a certificate login was refused: each has words in every language
 * on the pages and a stable name in the API (id_cert_problem_name). */
enum id_cert_problem {
    ID_CERT_OK,
    ID_CERT_MALFORMED,              /* the answer or the certificate cannot be read */
    ID_CERT_CHALLENGE_UNKNOWN,      /* a challenge this portal never gave (or long gone) */
    ID_CERT_CHALLENGE_EXPIRED,      /* answered too late */
    ID_CERT_CHALLENGE_USED,         /* answered before: a replay */
    ID_CERT_WRONG_HOST,             /* signed for another site */
    ID_CERT_BAD_SIGNATURE,          /* the signature does not verify with the certificate's key */
    ID_CERT_UNTRUSTED,              /* not issued by our certification centre */
    ID_CERT_EXPIRED,                /* outside its validity */
    ID_CERT_REVOKED,
    ID_CERT_SUSPENDED,
    ID_CERT_WRONG_PROFILE,          /* not a certificate for logging in (or for this service) */
    ID_CERT_NO_PERSON,              /* no one of that FİN in our records, or the account is disabled */
    ID_CERT_NOT_REPRESENTATIVE,     /* a representative's certificate without a grant for its VÖEN */
    ID_CERT_PROBLEM_COUNT
};
const char *id_cert_problem_name(enum id_cert_problem p);

/* ---- free single-purpose certificates (single.c) --------------------- */

/* A citizen asks, after a code-password login, for the free certificate
 * of a service that offers one (a list kept as data in single.c); the
 * request waits until a registrar, with the person and their ID card in
 * front of them, issues it (the certificate names the service). */
struct id_single_request {
    const char *id;
    const char *fin;
    const char *service_id;
    int64_t created_at;
};

/* Whether service_id offers the free single-purpose certificate. */
bool id_single_offered(const char *service_id);
/* The i-th such service (NULL past the end). */
const char *id_single_service_at(size_t i);
/* who (their own citizen account, logged in with the code-password: else
 * PC_EDENIED) asks for service_id's (PC_EINVAL if it offers none); a
 * request already waiting for the same service is answered again.
 * Audited. */
int id_single_request(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *service_id,
                      const char *ip, struct id_single_request *out, struct pc_err *err);
/* fin's waiting requests, oldest first. */
int id_single_waiting(struct db *db, struct pc_arena *a, const char *fin, struct id_single_request **out, size_t *n,
                      struct pc_err *err);
/* fin's waiting request id (PC_ENOTFOUND: none such, or someone else's). */
int id_single_get(struct db *db, struct pc_arena *a, const char *fin, const char *id, struct id_single_request *out,
                  struct pc_err *err);
/* The desk issued certificate serial for fin's waiting request id, as
 * registrar by: the request is done (PC_ENOTFOUND if it is not waiting).
 * Audited. */
int id_single_issued(struct db *db, const char *fin, const char *id, const char *serial, const char *by, const char *ip,
                     struct pc_err *err);
   /* "challenge-used", … */

/* What a checked certificate says of its holder (in the caller's arena). */
struct id_cert_holder {
    const char *serial;             /* upper-case hex */
    const char *fin;
    const char *voen;               /* a representative's entity, else NULL */
    const char *name;
    const char *only_service;       /* a single-purpose certificate's e-service, else NULL */
};

/* The checks that need the certification centre.  pki provides them
 * (pki_checker_login), so identity never depends on pki. */
struct id_cert_checker {
    /* The certificate (DER) chains to our root, is valid now, is of a
     * login profile, and its status (OCSP, no older than the checker's
     * freshness limit) is good; and sig is its key's signature over data.
     * 0 with out filled; PC_EDENIED with *problem; PC_EUNAVAIL when the
     * status cannot be learned now.  sig NULL: the holder proved the key
     * in a TLS handshake (a client certificate), nothing else to verify. */
    int (*check)(void *ctx, struct pc_arena *a, const unsigned char *cert, size_t cert_len, const void *data,
                 size_t data_len, const unsigned char *sig, size_t sig_len, struct id_cert_holder *out,
                 enum id_cert_problem *problem, struct pc_err *err);
    /* The status now of a certificate accepted earlier (by serial): 0
     * good, PC_EDENIED with *problem (revoked, suspended, expired),
     * PC_EUNAVAIL when it cannot be learned. */
    int (*status)(void *ctx, struct pc_arena *a, const char *serial, enum id_cert_problem *problem,
                  struct pc_err *err);
    void *ctx;
};

#define ID_CHALLENGE_SECS 120         /* a challenge must be answered within this */
#define ID_CHALLENGES_PER_IP 20       /* unanswered live challenges one address may hold */

/* A fresh challenge (ID_TOKEN_CHARS of base64url: 256 random bits) that
 * one answer may use within ID_CHALLENGE_SECS.  PC_ELIMIT when ip holds
 * too many unanswered ones. */
int id_cert_challenge(struct db *db, const char *ip, char out[ID_TOKEN_CHARS + 1], int64_t *expires_at,
                      struct pc_err *err);

/* The bytes a client signs: "PENCERE-LOGIN-1\n" HOST "\n" CHALLENGE, HOST
 * as the client reached the portal (so an answer made for another site is
 * worth nothing here). */
const char *id_cert_to_sign(struct pc_arena *a, const char *host, const char *challenge);

/* An answer as a client sends it: a JSON object
 *   {"challenge": "…", "host": "…", "certificate": "base64 DER or PEM",
 *    "signature": "base64 DER"}
 * (what `pencere login-sign` prints).  Binary values are decoded into a. */
struct id_cert_response {
    const char *challenge, *host;
    const unsigned char *cert, *sig;
    size_t cert_len, sig_len;
};

#define ID_CERT_RESPONSE_MAX 16384
#define ID_HOST_MAX 255

/* Parse an answer (outside bytes: fuzzed).  PC_EINVAL naming what is
 * wrong. */
int id_cert_response_parse(struct pc_arena *a, const char *text, size_t len, struct id_cert_response *out,
                           struct pc_err *err);

/* Log in with a checked certificate: the challenge is spent first (an
 * answer is tried once), the host must be the one the request reached,
 * then the checker, then the person's citizen account by the
 * certificate's FİN (made and activated if the person has none yet: the
 * certificate proves who they are as a desk does), acting for the VÖEN of
 * a representative's certificate.  A session of kind (token_out:
 * ID_TOKEN_CHARS + 1) that records the method, the certificate and, for a
 * single-purpose one, its service.  Every attempt is audited.
 * PC_EDENIED with *problem; PC_ELIMIT (retry_after) when the address
 * failed too often. */
int id_login_certificate(struct db *db, struct pc_arena *a, const struct id_cert_checker *ck,
                         const struct id_cert_response *resp, const char *host, const char *ip,
                         const char *user_agent, const char *kind, char *token_out, int64_t *retry_after,
                         enum id_cert_problem *problem, struct pc_err *err);

/* Log in with a TLS client certificate (DER) the portal's own TLS
 * received: the handshake proved the key, so there is no challenge; the
 * rest is id_login_certificate's (checker, person, session, audit, the
 * address's delays). */
int id_login_tls_certificate(struct db *db, struct pc_arena *a, const struct id_cert_checker *ck,
                             const unsigned char *cert, size_t cert_len, const char *ip, const char *user_agent,
                             const char *kind, char *token_out, int64_t *retry_after, enum id_cert_problem *problem,
                             struct pc_err *err);

/* A session logged in with a certificate stays only while the certificate
 * does: ask the checker again (its answers are cached for the freshness
 * limit) and end the session, audited, when the certificate was revoked,
 * suspended or ran out — PC_ENOTFOUND then, as for a session that is no
 * good.  0 for any other session. */
int id_session_recheck(struct db *db, struct pc_arena *a, const struct id_cert_checker *ck,
                       const struct id_principal *p, const char *ip, struct pc_err *err);

/* ---- post-office kiosks (kiosk.c; table kiosks) ------------------------ */

/* A kiosk the operator registered: where it stands, and how long a
 * session at it may stay idle before it ends (and the screen is wiped). */
struct id_kiosk {
    const char *id, *post_office, *district;
    int idle_secs;
    int64_t created_at;
};

#define ID_KIOSK_IDLE_DEFAULT 120
#define ID_KIOSK_IDLE_MIN 5
#define ID_KIOSK_IDLE_MAX 1800
#define ID_KIOSK_TEXT_MAX 100   /* a post office's or district's name, bytes */
#define ID_KIOSKS_MAX 200

/* Register the device in front of the operator (ID_ACT_MANAGE_KIOSKS):
 * token_out (ID_TOKEN_CHARS + 1) is the device's credential, given once
 * (the portal puts it in the device's cookie).  Audited.  PC_EINVAL for a
 * name that is empty or too long or an idle time out of bounds. */
int id_kiosk_register(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *post_office,
                      const char *district, int idle_secs, const char *ip, struct id_kiosk *out, char *token_out,
                      struct pc_err *err);
/* The registered kiosk whose token this is; PC_ENOTFOUND for an unknown
 * or withdrawn one. */
int id_kiosk_by_token(struct db *db, struct pc_arena *a, const char *token, struct id_kiosk *out, struct pc_err *err);
/* The kiosks in service, newest first (the operator's list). */
int id_kiosks_list(struct db *db, struct pc_arena *a, const struct id_principal *who, struct id_kiosk **out,
                   size_t *n, struct pc_err *err);
/* Withdraw a kiosk: its token stops working and its sessions end. */
int id_kiosk_withdraw(struct db *db, const struct id_principal *who, const char *kiosk_id, const char *ip,
                      struct pc_err *err);
/* Bind p's session to the kiosk it is used at: from now on it ends after
 * the kiosk's idle time, and p->auth names the kiosk at every lookup. */
int id_session_bind_kiosk(struct db *db, const struct id_principal *p, const struct id_kiosk *k, struct pc_err *err);

/* ---- paper applications: the applicant's identity checked (person.c) ---- */

/* Is fin a person on record whose identity card is id_card (case, spaces
 * and dashes ignored)?  0 with *out filled; PC_ENOTFOUND for no such
 * person; PC_EINVAL when the card is not theirs. */
int id_person_check_card(struct db *db, struct pc_arena *a, const char *fin, const char *id_card,
                         struct id_person *out, struct pc_err *err);
/* Is typed the number of the card on record (case, spaces and dashes
 * ignored)?  False for a missing, empty or over-long (> 20 bytes) one;
 * src/once compares the population register's card with it (idcheck). */
bool id_card_same(const char *on_record, const char *typed);

#endif

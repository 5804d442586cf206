/*
 * cases.h — electronic applications: form definitions (parsed once into
 * typed structs and checked by one checker), the checking of answers,
 * applications from draft to result, the workflow with its deadlines and
 * an append-only history, attachments (uploaded files stored by content),
 * the agency's inbox.
 *
 * Tables owned (src/cases/migrations): forms, forms_version,
 * reference_counters, applications, application_events, usage_daily,
 * uploads, stored_files, stored_file_chunks, case_signatures, channel_monthly,
 * case_guests, appeal_files.
 *
 * The web gets typed values from here (a form's pages and questions, an
 * answer's current value, the steps a person may take now, issue codes)
 * and renders them; it never reads a definition's or an answer's JSON.
 * Form definitions live in the database with versions; every node keeps
 * the stored forms in memory as an immutable snapshot and swaps it when
 * an import adds a version (form_set_acquire).
 */
#ifndef PC_CASES_H
#define PC_CASES_H

#include "../base/base.h"
#include "../db/db.h"
#include "../identity/identity.h"

#include <jansson.h>
#include <stdio.h>

/* ---- the workflow: states and steps ----------------------------------- */

enum case_state {
    CS_DRAFT, CS_SUBMITTED, CS_REGISTERED, CS_IN_REVIEW, CS_INFO_REQUESTED, CS_CITIZEN_RESPONDED,
    CS_APPROVED, CS_REFUSED, CS_DELIVERED, CS_CANCELLED,
    CS_APPEALED,                     /* the applicant appealed a refusal; a reviewer decides (branch kiosk) */
    CS_COUNT
};

/* The stable name ("in_review"), as stored and as the API shows it. */
const char *case_state_name(enum case_state s);
int case_state_parse(const char *name);      /* -1 if unknown */
bool case_state_open(enum case_state s);     /* still waiting for someone */
bool case_state_decided(enum case_state s);  /* approved, refused or delivered */
/* How a notification names the state, inside a sentence ("baxılır"). */
const char *case_state_notice(enum case_state s, enum pc_lang lang);

/* The steps of the workflow, in the order the office shows its buttons. */
enum case_step {
    CASE_STEP_ASSIGN_TO_ME, CASE_STEP_REGISTER, CASE_STEP_START_REVIEW, CASE_STEP_REQUEST_INFO,
    CASE_STEP_RESPOND, CASE_STEP_APPROVE, CASE_STEP_REFUSE, CASE_STEP_DELIVER, CASE_STEP_CANCEL,
    /* the appeal of a refusal: the applicant's, within the term; the
     * reviewer's (never the officer who refused): the refusal stands, or
     * the case goes back to review */
    CASE_STEP_APPEAL, CASE_STEP_UPHOLD_REFUSAL, CASE_STEP_GRANT_APPEAL,
    CASE_STEP_COUNT
};

const char *case_step_name(enum case_step s); /* "start_review" */
int case_step_parse(const char *name);       /* -1 if unknown */
bool case_step_by_applicant(enum case_step s); /* respond, cancel, appeal; the rest are the officers' */
bool case_step_needs_note(enum case_step s);  /* request_info, respond, approve, refuse and the appeal's */

/* Why a step the asker would take is not possible now, when it is a rule
 * the pages and the API explain in words of their own. */
enum case_step_block {
    CASE_BLOCK_NONE,                 /* possible, or refused for the usual reasons (state, role, service) */
    CASE_BLOCK_APPEAL_TERM,          /* the term for an appeal is over */
    CASE_BLOCK_SAME_OFFICER,         /* the officer who refused does not review the appeal */
};

#define CASE_APPEAL_DAYS_DEFAULT 30  /* from the refusal, unless the service's workflow says otherwise */

/* ---- form definitions: the typed model (docs/forms.md) ----------------- */

enum form_qtype {
    FORM_TEXT, FORM_NUMBER, FORM_DATE, FORM_CHOICE, FORM_FIN, FORM_VOEN, FORM_PHONE, FORM_EMAIL,
    FORM_ADDRESS, FORM_FILE, FORM_GROUP, FORM_QTYPE_COUNT
};

/* Where a first answer comes from: the applicant's record (profile.*),
 * or a registry through the exchange (population.*: src/once reads it). */
enum form_prefill {
    FORM_PREFILL_NONE, FORM_PREFILL_FIN, FORM_PREFILL_FULL_NAME, FORM_PREFILL_BIRTH_DATE, FORM_PREFILL_PHONE,
    FORM_PREFILL_EMAIL, FORM_PREFILL_ADDRESS, FORM_PREFILL_ID_CARD,
    /* once only: the population register's record of the applicant */
    FORM_PREFILL_POP_FULL_NAME, FORM_PREFILL_POP_SURNAME, FORM_PREFILL_POP_NAME, FORM_PREFILL_POP_PATRONYMIC,
    FORM_PREFILL_POP_BIRTH_DATE, FORM_PREFILL_POP_BIRTH_PLACE, FORM_PREFILL_POP_ADDRESS, FORM_PREFILL_POP_SPOUSE_FIN,
    FORM_PREFILL_COUNT
};
/* "profile.fin", "population.surname", …: the source's name in a form file. */
const char *form_prefill_name(enum form_prefill s);
/* The registry a source reads ("population"), NULL for the applicant's record. */
const char *form_prefill_registry(enum form_prefill s);

#define FORM_FILE_MAX (20 * 1024 * 1024)    /* no question takes more */
#define FORM_MAX_OPTIONS 50                 /* so a choice's answer fits a 64-bit set */

struct form_option {
    const char *value;
    struct pc_text label;
};

struct form_question {
    const char *id;
    enum form_qtype type;
    struct pc_text label;
    struct pc_text hint;
    bool has_hint;
    bool required;
    enum form_prefill prefill;
    /* text and address */
    int min_length, max_length;      /* max_length: as given, else 500 (text) or 300 (address) */
    bool max_length_given;
    bool multiline;
    /* number */
    bool has_min, has_max, integer;
    double min, max;
    /* date: "today", "YYYY-MM-DD" or an offset such as "-120y", "+30d"; NULL none */
    const char *not_before, *not_after;
    /* choice */
    const struct form_option *options;
    size_t noptions;
    bool multiple;
    /* file */
    int64_t max_bytes;               /* 5 MiB unless given */
    unsigned accept;                 /* bit set: 1 PDF, 2 JPEG, 4 PNG */
    const char *accept_list;         /* the same as MIME types, "application/pdf,image/png" */
    /* group: a list of items, each answering these questions */
    const struct form_question *questions;
    size_t nquestions;
    int min_items, max_items;
    struct pc_text item_label;       /* the group's label when the form gives none */
};

struct form_condition;               /* a page's show_if (evaluated here) */

struct form_page {
    const char *id;
    struct pc_text title, hint;
    bool has_hint;
    const struct form_condition *show_if;    /* NULL: always shown */
    const struct form_question *questions;
    size_t nquestions;
    bool has_files;                  /* a question (or a group's) takes a file */
};

/* A service's own workflow: which steps it has, who may take each, how
 * long a state may last. */
struct form_workflow {
    unsigned steps;                          /* bit set of enum case_step */
    unsigned roles[CASE_STEP_COUNT];         /* bit set of enum id_role; 0: any staff role */
    int deadline_days[CS_COUNT];             /* 0: the default */
    bool fee_first;                          /* "fee": "before_submission": paid before it is submitted */
    int appeal_days;                         /* "appeal_days": the term to appeal a refusal; 0: the default */
};

/* Whether the applicant signs the application with their e-signature when
 * submitting it (the definition's "signature"; none when absent). */
enum form_signature { FORM_SIGN_NONE, FORM_SIGN_OPTIONAL, FORM_SIGN_REQUIRED };
int form_signature_parse(const char *s);   /* "optional", "required"; -1 otherwise */

struct form_def {
    const char *service;
    int version;
    struct pc_text title, what_next;
    const struct form_page *pages;
    size_t npages;
    struct form_workflow workflow;
    enum form_signature signature;
    const char *json;                /* the definition as stored (the API serves it) */
};

/* ---- checking definitions: one checker for import, tests and CLI ------ */

/* What the checker needs to know of a service in the catalogue. */
struct form_service {
    int deadline_days;               /* -1 when the catalogue states none */
    int64_t fee_qepik;               /* -1 when none */
};

/* Where the checker looks services up: 0 and *out filled, PC_ENOTFOUND, or
 * another code on failure. */
struct form_catalog {
    int (*lookup)(void *ctx, const char *service_id, struct form_service *out, struct pc_err *err);
    void *ctx;
};

/* The catalogue in the database (the active services). */
struct form_catalog form_catalog_db(struct db *db);
/* The catalogue files of dir (services.jsonl), read into arena a. */
int form_catalog_files(const char *dir, struct pc_arena *a, struct form_catalog *out, struct pc_err *err);

/* Where problems go: each with its file, its JSON path ("$.pages[2].id")
 * and what is wrong.  count is raised for each. */
struct form_report {
    void (*problem)(void *ctx, const char *file, const char *path, const char *what);
    void *ctx;
    int count;
};

/* A report that prints "FILE: PATH: what" lines to f. */
struct form_report form_report_file(FILE *f);

/* Parse and check one definition.  file names it in reports (and must be
 * SERVICE.json when given); cat may be NULL (no catalogue checks); today
 * is "YYYY-MM-DD" (date bounds and examples).  Every problem is reported;
 * the typed form (in a) only when there is none, else NULL. */
const struct form_def *form_def_parse(struct pc_arena *a, const char *text, size_t len, const char *file,
                                      const struct form_catalog *cat, const char *today, struct form_report *rep);

/* Check every *.json of dir; *files counts them.  0 when the folder could
 * be read (problems are in rep->count), else a code. */
int form_check_dir(const char *dir, const struct form_catalog *cat, const char *today, struct form_report *rep,
                   int *files, struct pc_err *err);

/* ---- stored forms and the snapshot requests read ----------------------- */

struct form_import_stats {
    int files, stored, unchanged;
};

/* Check every file of dir against cat and store the new versions in one
 * transaction, raising the forms' version: all files good or nothing is
 * written (PC_EINVAL, problems in rep).  A stored version is never
 * changed: other content under the same version is PC_ECONFLICT. */
int form_import_dir(struct db *db, const char *dir, const struct form_catalog *cat, struct form_report *rep,
                    struct form_import_stats *st, struct pc_err *err);

/* The forms a node serves: every stored version of every form, parsed,
 * as one immutable snapshot shared by all threads. */
struct form_registry;
struct form_set;

/* Load the stored forms now. */
struct form_registry *form_registry_open(struct db *db, struct pc_err *err);
void form_registry_close(struct form_registry *reg);
/* The current snapshot, with a reference the caller gives back with
 * form_set_release.  At most every FORM_RECHECK_MS the stored version is
 * read; when an import raised it, the new forms are loaded and replace the
 * snapshot for every later caller (a failed reload keeps the old one). */
#define FORM_RECHECK_MS 5
const struct form_set *form_set_acquire(struct form_registry *reg);
void form_set_release(const struct form_set *set);
/* Whether the service takes electronic applications now. */
bool form_offered(struct form_registry *reg, const char *service_id);

/* The newest definition for a service, or a given version; NULL if none.
 * Borrowed from the snapshot. */
const struct form_def *form_set_get(const struct form_set *set, const char *service_id);
const struct form_def *form_set_version(const struct form_set *set, const char *service_id, int version);

/* ---- answers ------------------------------------------------------------ */

/* An application's answers (cases keeps them as JSON; the web reads them
 * through form_value_of). */
struct form_answers;

enum form_issue_code {
    FORM_ISSUE_REQUIRED, FORM_ISSUE_TOO_SHORT, FORM_ISSUE_TOO_LONG, FORM_ISSUE_NOT_A_NUMBER,
    FORM_ISSUE_NOT_AN_INTEGER, FORM_ISSUE_BELOW_MIN, FORM_ISSUE_ABOVE_MAX, FORM_ISSUE_BAD_DATE,
    FORM_ISSUE_DATE_TOO_EARLY, FORM_ISSUE_DATE_TOO_LATE, FORM_ISSUE_BAD_CHOICE, FORM_ISSUE_BAD_FIN,
    FORM_ISSUE_BAD_VOEN, FORM_ISSUE_BAD_PHONE, FORM_ISSUE_BAD_EMAIL, FORM_ISSUE_TOO_MANY_ITEMS,
    FORM_ISSUE_TOO_FEW_ITEMS, FORM_ISSUE_FILE_TOO_BIG, FORM_ISSUE_FILE_TYPE, FORM_ISSUE_BAD_FILE,
    FORM_ISSUE_UNKNOWN_FILE, FORM_ISSUE_UNKNOWN_QUESTION, FORM_ISSUE_NOT_APPLICABLE, FORM_ISSUE_NOT_A_LIST,
    FORM_ISSUE_NOT_AN_OBJECT, FORM_ISSUE_NOT_TEXT, FORM_ISSUE_BAD_TEXT,
    FORM_ISSUE_COUNT
};

/* The stable code of the API ("too_short"). */
const char *form_issue_name(enum form_issue_code c);

struct form_issue {
    char field[96];                  /* "reason", "members[2].fin" */
    enum form_issue_code code;
    long long limit;                 /* the bound broken (length, count, number), when there is one */
};

#define FORM_MAX_ISSUES 64

struct form_issues {
    struct form_issue items[FORM_MAX_ISSUES];
    int n;
};

/* Check the answers of one page, or of the whole form (page NULL).
 * Answers to questions the form does not have, and to hidden pages when
 * checking the whole form, are issues too.  Files are checked by their
 * description here (content is checked at upload).  today: "YYYY-MM-DD". */
void form_check_answers(const struct form_def *d, const struct form_answers *a, const struct form_page *page,
                        const char *today, struct form_issues *out);

/* Navigation. */
bool form_page_visible(const struct form_page *p, const struct form_answers *a);
const struct form_page *form_find_page(const struct form_def *d, const char *page_id);
/* The first page shown after `after` (NULL: the first shown); NULL at the end. */
const struct form_page *form_next_page(const struct form_def *d, const struct form_answers *a,
                                       const struct form_page *after);
/* Which of the shown pages p is (1-based), and how many are shown. */
int form_page_position(const struct form_def *d, const struct form_answers *a, const struct form_page *p,
                       int *total);
/* The question an issue is about ("q", or "g[0].q" inside a group), and
 * the page to show for it (the first shown page when none). */
const struct form_question *form_issue_question(const struct form_def *d, const char *field);
const struct form_page *form_issue_page(const struct form_def *d, const struct form_answers *a,
                                        const struct form_issue *i);

/* A file as stored: by its SHA-256, with the name it was uploaded under. */
struct case_file {
    char sha256[65];
    char mime[64];
    const char *name;
    int64_t size;
};

/* The current answer of a question, ready to show: group and item say
 * which item's answer when q is inside a group (group NULL otherwise). */
struct form_value {
    bool given;                      /* answered at all (an empty list counts) */
    const char *text;                /* text-like types: what the field shows; NULL when unanswered */
    uint64_t chosen;                 /* choice: bit i set when option i is chosen */
    const struct case_file *file;    /* file: the file given, or NULL */
    size_t items;                    /* group: how many items */
};

void form_value_of(const struct form_answers *a, const struct form_question *q, const struct form_question *group,
                   size_t item, struct pc_arena *arena, struct form_value *out);
/* Fill unanswered questions of the page from the applicant's record. */
void form_prefill(const struct form_page *p, struct form_answers *a, const struct id_person *person,
                  struct pc_arena *arena);
/* Fill unanswered questions of the page whose source has a value in
 * values[source] (registry sources: what src/once read; NULL: none). */
void form_prefill_values(const struct form_page *p, struct form_answers *a, const char *const values[FORM_PREFILL_COUNT]);
/* The answers as a new JSON reference, for an API response. */
json_t *form_answers_json(const struct form_answers *a);

/* ---- answers outside an application (surveys reuse the forms) ------------ */

struct form_post;                    /* a posted page: below */

/* Answers from a JSON object (copied; NULL: none yet), for the life of
 * arena a: to check with form_check_answers and walk with form_next_page. */
struct form_answers *form_answers_from_json(struct pc_arena *a, const json_t *j);
/* before's answers with a posted page of questions taken in (as a draft's
 * page is read: see struct form_post), as new answers in a.  Files refused
 * at upload become upload_issues.  The page is not checked here. */
struct form_answers *form_take_page(const struct form_page *page, const struct form_post *post,
                                    const struct form_answers *before, struct pc_arena *a,
                                    struct form_issues *upload_issues);
/* Whether any question of the definition (a group's included) is of a
 * type in `types`, a bit set of 1u << enum form_qtype. */
bool form_def_has_types(const struct form_def *d, unsigned types);

/* ---- attachments: files stored once by content -------------------------- */

/* Where uploaded files are kept: a folder (the default; several nodes
 * share one: NFS, an object-store mount) or the database itself, for
 * nodes without a shared folder (in rows of a few hundred KiB, never a
 * whole file in memory).  Either way a file is kept once, under its
 * SHA-256, and never changed.  Files being received wait in DIR/tmp, a
 * folder of the node's own with the database store, until a handler keeps
 * them; nothing else of a request stays. */
enum case_store_kind { CASE_STORE_DIR, CASE_STORE_DB };
struct case_store;

const char *case_store_kind_name(enum case_store_kind k);   /* "dir", "db" */
int case_store_kind_parse(const char *name);                /* -1 if neither */
/* Open a store: dir is the files folder, or with the database store where
 * files being received wait; db is needed for the database store (and to
 * record uploads).  Parts that stopped processes left half-received in
 * dir/tmp are removed now.  NULL with err when a folder cannot be made or
 * belongs to another user. */
struct case_store *case_store_open(enum case_store_kind kind, const char *dir, struct db *db, struct pc_err *err);
void case_store_close(struct case_store *st);

/* Copy every file of `from` that `to` lacks into `to` (checked against
 * its SHA-256 on the way; a damaged file is logged and counted, not
 * copied).  `from` is not changed; running it again copies nothing twice. */
struct case_move_stats {
    int64_t moved, present, damaged, bytes;
};
int case_store_move(struct case_store *from, struct case_store *to, struct case_move_stats *stats,
                    struct pc_err *err);

/* One file being received, chunk by chunk, hashed as it goes. */
struct case_file_writer;

struct case_file_writer *case_file_writer_new(struct case_store *st, struct pc_err *err);
/* PC_ETOOBIG past FORM_FILE_MAX (sticky), PC_EIO when the disk fails. */
int case_file_write(struct case_file_writer *w, const void *p, size_t n);
/* All of it has arrived: the type is told from the content (PDF, JPEG and
 * PNG only).  0 with out filled; PC_EINVAL for an empty file or a type not
 * taken (out->mime says what it is); PC_ETOOBIG; PC_EIO.  out->size is
 * set in every case.  Nothing is stored yet: see case_upload_keep. */
int case_file_finish(struct case_file_writer *w, struct case_file *out, struct pc_err *err);
/* Store a finished file for good, under its SHA-256 (synced to disk, or
 * committed), before anything may refer to it.  Keeping twice is once. */
int case_file_keep(struct case_file_writer *w, struct pc_err *err);
/* Keep the file and record that the account uploaded it (one row per
 * uploader, so an application may only refer to its applicant's own
 * files; the name is kept cleaned). */
int case_upload_keep(struct case_file_writer *w, const char *account_id, const struct case_file *f,
                     struct pc_err *err);
/* Release w: a file not kept is deleted.  NULL is fine. */
void case_file_writer_free(struct case_file_writer *w);
/* A file as an answer (and as the upload API returns it):
 * {"sha256", "name", "size", "type"}. */
json_t *case_file_json(const struct case_file *f);

/* One stored file being read back, piece by piece. */
struct case_file_reader;

/* Up to n bytes of the file; 0 at its end, a negative code when the store
 * fails (logged). */
int64_t case_file_read(struct case_file_reader *rd, void *buf, size_t n);
void case_file_reader_free(struct case_file_reader *rd);

/* ---- applications --------------------------------------------------------- */

/* The level of login a service asks for (the catalogue's) and whether who
 * has it for that service (id_level_for): 0, or PC_EDENIED with *need set,
 * for the web to offer the ways up and the API to name the level.
 * Starting and submitting an application check it themselves too. */
int case_login_check(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *service_id,
                     enum id_level *need, struct pc_err *err);

/* ---- channels: how an application arrived (channels.c, paper.c) -------- */

enum case_channel { CASE_CH_WEB, CASE_CH_API, CASE_CH_KIOSK, CASE_CH_PAPER, CASE_CH_ANONYMOUS, CASE_CH_COUNT };

const char *case_channel_name(enum case_channel c);   /* "kiosk", as stored and in the API */
int case_channel_parse(const char *name);             /* -1 if unknown */
/* The services a post-office kiosk offers (data, here only), by index
 * (NULL past the last), and whether one is. */
const char *case_kiosk_service_at(size_t i);
bool case_kiosk_offered(const char *service_id);

struct case_app {
    const char *id, *reference, *service_id, *agency_id, *applicant, *applicant_fin, *acting_for;
    enum case_state status;
    enum case_channel channel;
    const char *district;            /* the kiosk's or the paper's district, NULL when none */
    const char *registered_by;       /* a paper application's officer or operator (account id) */
    const char *paper_scan;          /* a paper application's scan (SHA-256) */
    const char *decided_by;          /* the officer who approved or refused it */
    int64_t appealed_at;             /* when its refusal was appealed (0: not) */
    const char *assigned_to, *decision, *lang;
    bool anonymous;                  /* filed without login, by a guest (channel "anonymous": guest.c) */
    int form_version;
    int64_t version, created_at, updated_at, submitted_at, due_at, state_due_at, decided_at;
    struct form_answers *answers;    /* lives as long as the arena it was loaded into */
};

/* ---- signed applications (signature.c) ---------------------------------- */

struct pki_trust;

/* The canonical bytes of an application, what its applicant signs: one
 * line of JSON with sorted keys (application, service, form_version,
 * applicant_fin, acting_for when set, answers, which name attached files
 * by their SHA-256). */
const char *case_canonical(struct pc_arena *a, const struct case_app *app, size_t *len);

/* Why a signature is refused (each has words in the pages' languages). */
enum case_sign_problem {
    CASE_SIGN_OK,
    CASE_SIGN_BAD,                   /* not a signature of these bytes (or not a CMS signature) */
    CASE_SIGN_UNTRUSTED,             /* not by a certificate of our centre */
    CASE_SIGN_REVOKED,               /* the certificate was revoked or suspended */
    CASE_SIGN_STATUS_UNKNOWN,        /* the centre could not say (PC_EUNAVAIL) */
    CASE_SIGN_NOT_APPLICANT,         /* signed by someone else */
    CASE_SIGN_WRONG_PROFILE,         /* a login-only certificate, or a single-purpose one of another service */
    CASE_SIGN_PROBLEM_COUNT
};
const char *case_sign_problem_name(enum case_sign_problem p);

struct case_signature {
    const char *signed_text;         /* the canonical bytes signed */
    size_t signed_len;
    const char *digest;              /* their SHA-256, hex */
    const char *cms_b64;             /* the detached CMS signature (base64url) */
    const char *signer_name, *signer_fin, *signer_serial, *signer_profile;
    int64_t signing_time, verified_at;   /* 0: the signer claimed no time */
};

/* The applicant signs their draft: cms (DER) must be a valid signature of
 * its canonical bytes now, by the applicant, with a signing certificate
 * (or the single-purpose one of this service) of the centre trust names,
 * not revoked.  Kept with the bytes (replacing an earlier signature).
 * Audited, refusals too.  PC_EINVAL with *problem; PC_EUNAVAIL when the
 * status cannot be learned. */
int case_sign(struct db *db, const struct pki_trust *trust, const struct id_principal *who, const char *app_id,
              const void *cms, size_t cms_len, const char *ip, struct pc_arena *a, struct case_signature *out,
              enum case_sign_problem *problem, struct pc_err *err);
/* The signature of an application, PC_ENOTFOUND when it has none. */
int case_signature_get(struct db *db, struct pc_arena *a, const char *app_id, struct case_signature *out,
                       struct pc_err *err);
/* The signature's DER bytes (the bundle's .p7s). */
int case_signature_der(struct pc_arena *a, const struct case_signature *s, const unsigned char **der, size_t *len);
/* 0 when the draft's answers as they are now carry a signature,
 * PC_ENOTFOUND when unsigned or changed since. */
int case_signed_now(struct db *db, struct pc_arena *a, const struct case_app *app, struct pc_err *err);

struct case_event {
    int64_t seq, at;
    const char *actor, *role, *action, *note;
    enum case_state from_status, to_status;
};

/* Submit a complete application in one step (API, kiosks): checks every
 * answer, allocates the reference, writes the case, its first event, the
 * audit entry, the notifications and the usage count in one transaction.
 * The same idempotency key from the same applicant returns the first
 * application (PC_OK, *existing = true) instead of a second one.
 * Answers with issues: PC_EINVAL and issues filled. */
int case_submit(struct db *db, const struct form_set *forms, const struct id_principal *who, const char *service_id,
                const json_t *answers, const char *idempotency_key, enum pc_lang lang, const char *ip,
                struct pc_arena *a, struct case_app *out, bool *existing, struct form_issues *issues,
                struct pc_err *err);

/* Drafts for the page-by-page flow. */
int case_draft_new(struct db *db, const struct form_set *forms, const struct id_principal *who,
                   const char *service_id, enum pc_lang lang, struct pc_arena *a, const char **id,
                   struct pc_err *err);

/* One page of a draft as posted: the fields in order, the files uploaded
 * with it (error 0: stored as file, else why not), and the buttons that
 * add or remove an item of a group ("members", "members:1"). */
struct form_post_field {
    const char *name, *value;
};

struct form_post_file {
    const char *field;
    int error;                       /* 0, PC_ETOOBIG, PC_EINVAL (type not taken) or another code */
    struct case_file file;
    struct case_file_writer *part;   /* the received file, kept when the page is taken */
};

struct form_post {
    const struct form_post_field *fields;
    size_t nfields;
    const struct form_post_file *files;
    size_t nfiles;
    const char *add, *remove;
    int64_t version;                 /* the draft's version the page showed */
};

struct case_page_result {
    struct form_answers *answers;    /* the draft's answers with this page's, to show again */
    struct form_issues issues;
    bool show_again;                 /* issues, or an item was added or removed */
    const struct form_page *next;    /* after a clean save: the next page, NULL for "check your answers" */
    int64_t version;                 /* the draft's version now */
};

/* Take a posted page (of def, the draft's form) of the applicant's draft: read the fields (numbers
 * with a decimal comma, FİN in capitals, items of groups), record the
 * files uploaded with it, check the page and save it when it has no issue
 * (and always when an item was added or removed; answers of pages now
 * hidden are dropped).  PC_ECONFLICT when the draft changed meanwhile. */
int case_draft_post_page(struct db *db, const struct form_def *def, const struct id_principal *who,
                         const struct case_app *app, const struct form_page *page, const struct form_post *post,
                         struct pc_arena *a, struct case_page_result *out, struct pc_err *err);
/* The first page of the draft with a problem (where "check your answers"
 * sends the applicant back to), or NULL when every answer is good. */
const struct form_page *case_draft_problem_page(const struct form_def *def, const struct case_app *app);
/* Submit a draft: the same checks and effects as case_submit. */
int case_draft_submit(struct db *db, const struct form_set *forms, const struct id_principal *who, const char *id,
                      const char *ip, struct pc_arena *a, struct case_app *out, struct form_issues *issues,
                      struct pc_err *err);

/* ---- applications without login (guest.c) ------------------------------ */

/* A service of level none is applied to from a guest account
 * (id_guest_start): the same drafts, pages, checks and files as anyone's
 * (files under the guest account, so with the same limits and the same
 * "only one's own files" rule).  Submitting asks for a contact, records
 * the channel "anonymous" and gives a one-time access code, shown once and
 * kept only as its SHA-256, with which the applicant follows the case
 * later (case_guest_check, through id_guest_login). */
enum case_contact_kind { CASE_CONTACT_EMAIL, CASE_CONTACT_PHONE };

struct case_contact {
    enum case_contact_kind kind;
    const char *address;             /* "a@b.az", or "+994501234567" */
};

/* A contact as typed: an e-mail address (it has an "@"), or a phone
 * number (spaces, dashes and brackets dropped; "0501234567" read as
 * "+994501234567"), checked as the forms check theirs.  PC_EINVAL. */
int case_contact_parse(struct pc_arena *a, const char *typed, struct case_contact *out, struct pc_err *err);

/* "ABCD-EFGH-JKMN-PQRS": 16 characters of Crockford's base32 (80 bits). */
#define CASE_ACCESS_CODE_CHARS 19

/* Submit a guest's draft: as case_draft_submit, and in the same
 * transaction the channel, the contact (told of the submission) and a
 * new access code into code_out ("" when the draft had been submitted
 * already: the code was shown then).  who must be a guest. */
int case_draft_submit_guest(struct db *db, const struct form_set *forms, const struct id_principal *who,
                            const char *id, const struct case_contact *contact, const char *ip, struct pc_arena *a,
                            struct case_app *out, char code_out[CASE_ACCESS_CODE_CHARS + 1],
                            struct form_issues *issues, struct pc_err *err);

/* The contact given with a guest's application (PC_ENOTFOUND for an
 * account's), for its officers. */
int case_guest_contact(struct db *db, struct pc_arena *a, const char *app_id, struct case_contact *out,
                       struct pc_err *err);

/* The guest account that filed application `reference`, when code is its
 * access code (in any case, with or without dashes and spaces): 0 and
 * *account_id; PC_EDENIED for a wrong code and an unknown reference
 * alike. */
int case_guest_check(struct db *db, struct pc_arena *a, const char *reference, const char *code,
                     const char **account_id, struct pc_err *err);

/* A draft whose service's fee is paid before submission
 * (workflow "fee": "before_submission" and a fee in the catalogue) is not
 * submitted by case_draft_submit (PC_EMORE: the fee is due first) nor by
 * case_submit (PC_EDENIED); once the payments module has the payment,
 * it submits the draft with this, for its applicant, the payment's
 * reference in the history.  A draft already submitted: 0, out is the
 * case (a second callback submits nothing twice).  The fee's rule for the
 * web: case_fee_due says whether the draft waits for its fee. */
int case_draft_submit_paid(struct db *db, const struct form_set *forms, const char *id, const char *payment_ref,
                           struct pc_arena *a, struct case_app *out, struct pc_err *err);
/* The fee (qəpik) that must be paid before the draft is submitted, 0 when
 * none must. */
int case_fee_due(struct db *db, const struct form_set *forms, const struct case_app *app, struct pc_arena *a,
                 int64_t *qepik, struct pc_err *err);

/* Load by reference (AZ-…) or draft id; the answers are released with the
 * arena.  PC_ENOTFOUND if there is none; the caller decides who may see
 * it (id_authorize ID_ACT_VIEW_CASE). */
int case_load(struct db *db, struct pc_arena *a, const char *ref_or_id, struct case_app *out, struct pc_err *err);
int case_events(struct db *db, struct pc_arena *a, const char *app_id, struct case_event **out, size_t *n,
                struct pc_err *err);

/* Open one of the application's files for reading: PC_ENOTFOUND unless
 * its answers refer to it and it is stored.  info: its name (from the
 * answers, cleaned; in arena a), its size and type (from the stored
 * content).  The caller frees *out. */
int case_file_open(struct case_store *st, const struct case_app *app, const char *sha256,
                   struct case_file_reader **out, struct case_file *info, struct pc_arena *a, struct pc_err *err);
/* Open a stored file by its SHA-256 for a caller that has decided itself
 * who may read it (another module's attachments, e.g. a registration
 * card's documents): info gets its size and the type its content has (no
 * name).  PC_ENOTFOUND when it is not stored. */
int case_file_open_stored(struct case_store *st, const char *sha256, struct case_file_reader **out,
                          struct case_file *info, struct pc_err *err);

/* A step of the workflow by an officer or the applicant.  expected_version
 * is the version the actor saw: if someone acted meanwhile, PC_ECONFLICT
 * and nothing changes.  A step not possible in the current state, not the
 * actor's to take, or not in the service's own workflow: PC_EDENIED.  A
 * step that needs a note without one: PC_EINVAL. */
int case_act(struct db *db, const struct form_set *forms, const struct id_principal *who, const char *reference,
             enum case_step step, const char *note, int64_t expected_version, const char *ip, struct pc_arena *a,
             struct case_app *out, struct pc_err *err);

/* What a step may carry besides itself: the time it is taken at (0: now;
 * a document signed before the step names its time) and a write of the
 * caller's in the step's own transaction (the signed decision kept beside
 * the case), so that both commit together or not at all. */
struct case_act_extra {
    int64_t at;
    int (*write)(struct db_conn *c, void *ctx, struct pc_err *err);
    void *ctx;
};
int case_act_with(struct db *db, const struct form_set *forms, const struct id_principal *who, const char *reference,
                  enum case_step step, const char *note, int64_t expected_version, const char *ip,
                  const struct case_act_extra *extra, struct pc_arena *a, struct case_app *out, struct pc_err *err);

/* The steps `who` may take on the application now (its state, the
 * service's own workflow, the person's roles), in enum order.  Exactly
 * the steps case_act would accept (but for the note and the version). */
size_t case_steps_available(const struct form_set *forms, const struct case_app *app, const struct id_principal *who,
                            enum case_step *out, size_t max);

/* ---- paper applications and channel statistics (paper.c, channels.c) ---- */

/* A paper application as an officer of the agency or a post-office
 * operator types it in: the applicant (FİN and the number of the identity
 * card shown), the answers of the service's form, the scanned paper (an
 * upload of the operator's, by SHA-256) and the district it was handed
 * in at. */
struct case_paper {
    const char *service_id, *fin, *id_card, *district, *scan_sha256;
    const json_t *answers;
    const struct case_id_check *identity;   /* who checks the applicant: NULL, identity's own person record */
};

/* Another source of the applicant's identity (src/once: the population
 * register, once_submit_paper): check(ctx, …) answers as
 * id_person_check_card does — 0; PC_ENOTFOUND no such person; PC_EINVAL
 * a card that is not theirs — or PC_EUNAVAIL when it cannot be asked
 * now.  fin is normalized. */
struct case_id_check {
    int (*check)(void *ctx, struct pc_arena *a, const char *fin, const char *id_card, struct pc_err *err);
    void *ctx;
};

#define CASE_DISTRICT_MAX 100

/* Register it on the applicant's behalf (ID_ACT_FILE_PAPER for the
 * service's agency): the person must be on record with that card
 * (PC_ENOTFOUND no such person, PC_EINVAL a card that is not theirs), the
 * answers pass the form's checks (PC_EINVAL with issues), the scan is the
 * operator's upload (PC_EINVAL); *problem says which of these refused it
 * (p->identity, when set, is asked instead of the person record; it down
 * is PC_EUNAVAIL with CASE_PAPER_UNCHECKED).  The case is the applicant's (their citizen account,
 * made if need be) with channel "paper", the operator in its history and
 * the audit log, and counted with the channels. */
enum case_paper_problem {
    CASE_PAPER_OK,
    CASE_PAPER_NO_PERSON,            /* no person on record with this FİN */
    CASE_PAPER_WRONG_CARD,           /* the identity card is not the person's */
    CASE_PAPER_NO_SCAN,              /* the scan is not an upload of the operator's */
    CASE_PAPER_BAD_FIN,              /* the FİN is not 7 digits and Latin letters */
    CASE_PAPER_BAD_DISTRICT,         /* the district is not one line of 1–CASE_DISTRICT_MAX bytes */
    CASE_PAPER_UNCHECKED,            /* the identity's source cannot be asked now (PC_EUNAVAIL): nothing stored */
};
const char *case_paper_problem_name(enum case_paper_problem p);   /* "wrong-id-card", for the API */
int case_submit_paper(struct db *db, const struct form_set *forms, const struct id_principal *who,
                      const struct case_paper *p, enum pc_lang lang, const char *ip, struct pc_arena *a,
                      struct case_app *out, struct form_issues *issues, enum case_paper_problem *problem,
                      struct pc_err *err);

/* Applications submitted per month, district and channel ('' district
 * when none is known), months from..to inclusive ("YYYY-MM"), for the
 * monitoring pages. */
struct case_channel_count {
    const char *month, *district;
    enum case_channel channel;
    int64_t count;
};
#define CASE_CHANNEL_ROWS_MAX 2000
int case_channel_counts(struct db *db, struct pc_arena *a, const char *from_month, const char *to_month,
                        struct case_channel_count **out, size_t *n, struct pc_err *err);

/* ---- appeals of a refusal (workflow.c) ------------------------------------ */

/* Until when the refusal of app may be appealed (unix seconds), or 0 when
 * it is not a refusal that may be appealed (not refused, or appealed
 * already). */
int64_t case_appeal_until(const struct form_set *forms, const struct case_app *app);
/* Which rule, if any, keeps who from taking step on app now. */
enum case_step_block case_step_blocked(const struct form_set *forms, const struct case_app *app,
                                       const struct id_principal *who, enum case_step step);

/* Files of the applicant's for their appeal (appeal_files.c, table
 * appeal_files), attached while it is under review (CS_APPEALED, else
 * PC_ECONFLICT; not the applicant: PC_ENOTFOUND): SHA-256s of uploads of
 * who's own (one not theirs: PC_EINVAL), at most CASE_APPEAL_FILES_MAX in
 * all (PC_ETOOBIG), kept together or not at all.  The case's appeal
 * files, and one of them opened for reading (PC_ENOTFOUND unless it is
 * one). */
#define CASE_APPEAL_FILES_MAX 5
int case_appeal_attach(struct db *db, const struct id_principal *who, const char *reference, const char *const *files,
                       size_t nfiles, struct pc_arena *a, struct pc_err *err);
int case_appeal_files(struct db *db, struct pc_arena *a, const char *app_id, struct case_file **out, size_t *n,
                      struct pc_err *err);
int case_appeal_file_open(struct db *db, struct case_store *st, const struct case_app *app, const char *sha256,
                          struct case_file_reader **out, struct case_file *info, struct pc_arena *a, struct pc_err *err);

/* ---- who looked: staff reads of a case ----------------------------------- */

/* What of a case was read. */
enum case_read {
    CASE_READ_CASE,                  /* its answers, history and the applicant's details */
    CASE_READ_FILE,                  /* one of its files */
};

/* Record in the applicant's personal-data access log that `who` read the
 * case or one of its files, with the role the read was allowed by
 * (id_authorize_role), never a constant.  Nothing is recorded for the
 * applicant's own reads; PC_EDENIED when no grant allows the read.  Every
 * staff read of a case (office page, API answers, file downloads) goes
 * through here. */
int case_record_staff_read(struct db *db, const struct id_principal *who, const struct case_app *app,
                           enum case_read what, struct pc_err *err);

/* ---- lists: the applicant's own, or an agency's inbox -------------------- */

struct case_filter {
    const char *applicant;           /* account id: "my applications" */
    const char *agency_id;           /* the inbox of an agency */
    bool by_status;                  /* only cases in `status` */
    enum case_state status;
    const char *service_id;
    const char *assigned_to;         /* account id */
    bool overdue;                    /* past due_at and still open */
    const char *cursor;
    int limit;                       /* 1..100 */
};

struct case_list {
    struct case_app *items;          /* without answers */
    size_t n;
    const char *next;
};

int case_list(struct db *db, struct pc_arena *a, const struct case_filter *f, struct case_list *out,
              struct pc_err *err);

#endif

/* internal.h — what the files of src/cases share with each other (and
 * with tests/unit/test_cases.c).  Not for other modules. */
#ifndef PC_CASES_INTERNAL_H
#define PC_CASES_INTERNAL_H

#include "cases.h"
#include "../catalog/catalog.h"

/* The code an error carries (PC_EIO when the callee left none). */
static inline int case_err(const struct pc_err *err)
{
    return err && err->code ? err->code : PC_EIO;
}

/* ---- definitions (form_def.c) ------------------------------------------ */

/* Parse a definition the import accepted (from the forms table): only
 * what the model needs is checked, not its wording, examples or catalogue,
 * so a rule added later never hides a stored form. */
const struct form_def *form_def_load(struct pc_arena *a, const char *text, size_t len, struct form_report *rep);
/* The bit of a file type in form_question.accept (0 for a type not taken). */
unsigned form_mime_bit(const char *mime);
/* NULL when the file name ends as a type of accept allows (".png"), else
 * the endings it could have had (".pdf, .png"), for a message. */
const char *form_file_endings(unsigned accept, const char *name, struct pc_arena *a);

/* One definition being checked (form_def.c builds the model, form_lint.c
 * checks what an import asks beyond it). */
struct form_parse {
    struct pc_arena *a;
    const char *file;
    const char *today;
    bool lint;                       /* a new definition: wording, examples, catalogue too */
    struct form_report *rep;
    int problems;
};

void form_problem(struct form_parse *c, const char *path, const char *fmt, ...) PC_PRINTF(3, 4);
/* A JSON path in the parse's arena. */
const char *form_path(struct form_parse *c, const char *fmt, ...) PC_PRINTF(2, 3);
bool form_has_control(const char *s);
bool form_outer_space(const char *s);
bool form_all_space(const char *s);
/* The import's checks (form_lint.c), each reporting through form_problem. */
void form_lint_text(struct form_parse *c, const char *s, enum pc_lang l, const char *path);
void form_lint_example(struct form_parse *c, const struct form_question *q, const json_t *v, const char *path);
void form_lint_condition_value(struct form_parse *c, const struct form_question *target, const json_t *v,
                               const char *path);
void form_lint_catalog(struct form_parse *c, const json_t *def, const char *service, const struct form_catalog *cat);

/* ---- answers (form_check.c) ------------------------------------------- */

#define FORM_MAX_ITEMS 20            /* items of a group at most */

/* The answers are a JSON object, owned by an arena (released with it). */
struct form_answers {
    json_t *j;
};

/* Wrap j (the reference is taken over) for the life of arena a. */
struct form_answers *form_answers_own(struct pc_arena *a, json_t *j);

/* A page's show_if: the answer of `question` equals `value`, is one of
 * `value` (a list), or is given at all. */
enum form_cond_kind { FORM_COND_EQUALS, FORM_COND_IN, FORM_COND_ANSWERED };

struct form_condition {
    const struct form_question *question;
    enum form_cond_kind kind;
    json_t *value;                   /* owned by the snapshot's arena */
};

/* Check one answer (a may be NULL) of question q, as field; issues go to out. */
void form_check_value(const struct form_question *q, const json_t *a, const char *field, const char *today,
                      struct form_issues *out);
void form_issue_add(struct form_issues *out, const char *field, enum form_issue_code code, long long limit);
/* Whether an answer counts as not given (absent, null, "", []). */
bool form_answer_blank(const json_t *a);
/* The top-level question with this id, and its page. */
const struct form_question *form_find_question(const struct form_def *d, const char *id,
                                               const struct form_page **page);
/* A file answer {sha256, name, size, type} as a struct (arena), or NULL. */
const struct case_file *form_file_of(const json_t *a, struct pc_arena *arena);

/* "YYYY-MM-DD" of now (UTC) into out[11]. */
void form_today(char out[11]);
/* A date "YYYY-MM-DD" that exists; a bound resolved against today. */
bool form_parse_date(const char *s, int *y, int *m, int *d);
bool form_resolve_bound(const char *spec, const char *today, char out[11]);

/* ---- reading a posted page (form_post.c) -------------------------------- */

/* The page's answers from a post: fields, groups (with the add/remove
 * buttons) and files; `before` holds the draft's answers (files kept when
 * none is chosen again).  Files refused at upload become issues. */
json_t *form_read_page(const struct form_page *page, const struct form_post *post, const json_t *before,
                       struct form_issues *upload_issues);

/* ---- the workflow (workflow.c) ------------------------------------------ */

struct case_transition {
    enum case_step step;
    enum case_state from[5];         /* CS_DRAFT ends the list (never a source) */
    int to;                          /* -1: the state does not change */
    bool by_applicant;
    bool note_required;
    const char *template_id;         /* notification to the applicant, or NULL */
};

const struct case_transition *case_transition_of(enum case_step step);
/* 0 when who may take the step on app now (state, service, roles, who);
 * else PC_EDENIED with the reason. */
int case_step_check(const struct form_def *def, const struct case_app *app, const struct id_principal *who,
                    enum case_step step, struct pc_err *err);
/* Seconds a state may last under the service's workflow, else dflt. */
int64_t case_state_secs(const struct form_def *def, enum case_state s, int64_t dflt);

/* ---- the effects every change writes (application.c) -------------------- */

int case_add_event(struct db_conn *c, const char *app_id, const char *actor, const char *role, const char *action,
                   enum case_state from, enum case_state to, const char *note, int64_t now, struct pc_err *err);
int case_count_use(struct db_conn *c, const char *service, const char *agency, const char *kind, int64_t now,
                   struct pc_err *err);

/* What a notification about a case says (each recipient's language). */
struct case_notice {
    const char *template_id;
    const char *reference;
    const struct pc_text *service;   /* the service's name, or NULL */
    int status;                      /* enum case_state, or -1 */
    const char *outcome;             /* "approved" | "refused" | "" or NULL */
    const char *note_key, *note;     /* "message" or "reason" with the officer's words */
};

/* Tell the applicant (SMS to the phone on record, else e-mail), in lang. */
int case_notify_applicant(struct db_conn *c, const char *fin, enum pc_lang lang, const struct case_notice *n,
                          struct pc_err *err);
/* The notice to one address by channel ("sms" or "email"). */
int case_notify_to(struct db_conn *c, const char *channel, const char *address, enum pc_lang lang,
                   const struct case_notice *n, struct pc_err *err);
/* Tell the agency's staff by e-mail: all of them, or only `account`. */
int case_notify_staff(struct db_conn *c, const char *agency, const char *account, const struct case_notice *n,
                      struct pc_err *err);

/* What a submission needs of its service (the catalogue's). */
struct case_service {
    const char *agency;
    int deadline_days;               /* the catalogue's, else the default */
    struct pc_text name;
    enum id_level need;              /* the login the catalogue asks for */
    int64_t fee_qepik;               /* the catalogue's fee, 0 when none */
};

int case_service_info(struct db *db, struct pc_arena *a, const char *service_id, struct case_service *out,
                      struct pc_err *err);
/* The level a catalogue login value asks for, and PC_EDENIED unless
 * who's login is enough for the service (level.c). */
enum id_level case_level_of(enum cat_login login);
int case_level_ok(const struct id_principal *who, const char *service_id, const struct case_service *si,
                  struct pc_err *err);
/* The service's fee must be paid before its applications are submitted. */
static inline bool case_fee_first(const struct form_def *def, const struct case_service *si)
{
    return def->workflow.fee_first && si->fee_qepik > 0;
}
/* Inside a transaction: turn a checked application into a submitted case
 * (a new row, or the draft app_id when !is_new) with all its effects. */
/* Where a submission comes from (channels.c): its channel and district,
 * the kiosk, and for paper who registered it (the history's and the audit
 * entry's actor, in registered_role) and the scan. */
struct case_origin {
    enum case_channel channel;
    const char *district, *kiosk_id;
    const char *registered_by, *registered_role, *paper_scan;
};
/* What who submits through ch (web or api): a session at a kiosk makes it
 * the kiosk's, with the kiosk's district. */
struct case_origin case_origin_of(const struct id_principal *who, enum case_channel ch);
/* Count one submission with its month, district and channel. */
int case_count_channel(struct db_conn *c, const struct case_origin *o, int64_t now, struct pc_err *err);
int case_write_submission(struct db_conn *c, const struct id_principal *who, const char *app_id, bool is_new,
                          const struct case_service *si, const struct form_def *def, const json_t *answers,
                          const char *idem, enum pc_lang lang, const struct case_origin *o, const char *ip,
                          int64_t now, char reference[24], struct pc_err *err);
/* Every file the answers name must be the applicant's own upload (else
 * an issue unknown_file), and its name, size and type in the answers
 * become those recorded at upload: what a client states about a file is
 * never believed (answers is changed in place). */
int case_resolve_files(struct db_conn *c, const struct form_def *def, json_t *answers, const char *applicant,
                       struct form_issues *issues, struct pc_err *err);

/* The rows of applications (inbox.c reads them too). */
#define CASE_ROW_COLUMNS "id, reference, service_id, agency_id, applicant, applicant_fin, acting_for, status, " \
                         "assigned_to, decision, lang, form_version, version, created_at, updated_at, submitted_at, " \
                         "due_at, state_due_at, decided_at, channel, district, registered_by, paper_scan, decided_by, appealed_at"
#define CASE_APP_COLUMNS CASE_ROW_COLUMNS ", answers"

/* ---- applications without login (guest.c) ------------------------------ */

/* What a guest's submission writes besides a submission's effects. */
struct case_guest_write {
    const struct case_contact *contact;
    char *code_out;                  /* CASE_ACCESS_CODE_CHARS + 1 bytes */
};
/* Inside the submission's transaction: the channel, the contact, the
 * code's hash, and the notice to the contact. */
int case_guest_record(struct db_conn *c, const char *app_id, const char *reference, const struct case_guest_write *g,
                      enum pc_lang lang, const struct case_service *si, int64_t now, struct pc_err *err);
/* Tell a guest's contact (a step of the workflow): the notice to the
 * address given with the application. */
int case_guest_notify(struct db_conn *c, const char *app_id, enum pc_lang lang, const struct case_notice *n,
                      struct pc_err *err);

void case_read_app(struct pc_arena *a, struct db_stmt *s, struct case_app *c, bool with_answers);
/* case_load, with or without parsing the answers (a step needs none). */
int case_load_row(struct db *db, struct pc_arena *a, const char *ref_or_id, bool with_answers, struct case_app *out,
                  struct pc_err *err);

/* The file as the account uploaded it (uploads, attachments.c): its
 * name, size and type as recorded then, into out (name in arena a).
 * PC_ENOTFOUND when the account never uploaded it. */
int case_upload_find(struct db_conn *c, const char *account_id, const char *sha256, struct case_file *out,
                     struct pc_arena *a, struct pc_err *err);

/* ---- the file store (file_store.c) ------------------------------------------- */

#define CASE_CHUNK (256 * 1024)      /* bytes of a file per database row, and what the type is told from */
#define CASE_PATH_MAX 4096

/* A new empty file in the store's tmp folder for a part being received:
 * its descriptor (read and write; the caller closes it), its name in
 * path.  A negative code when it cannot be made. */
int case_store_part_new(struct case_store *st, char path[CASE_PATH_MAX], struct pc_err *err);
/* Store the received file (fd, size bytes with this SHA-256) for good:
 * synced to disk or committed before it returns 0.  A part the folder
 * store moved in gets path[0] = 0 (nothing left to remove). */
int case_store_keep(struct case_store *st, int fd, char *path, const char *sha256, int64_t size,
                    struct pc_err *err);
/* Open a stored file; PC_ENOTFOUND when it is not stored.  Its first
 * bytes are read already (case_store_peek). */
int case_store_reader_open(struct case_store *st, const char *sha256, struct case_file_reader **out,
                           struct pc_err *err);
/* The database a store records uploads in (NULL if opened without one). */
struct db *case_store_db(const struct case_store *st);
int64_t case_file_reader_size(const struct case_file_reader *rd);
/* Call fn with the SHA-256 of every stored file (in no set order for the
 * folder, by name for the database) until it returns non-zero, which is
 * returned; 0 when all were seen, or a code. */
int case_store_each(struct case_store *st, int (*fn)(void *ctx, const char *sha256), void *ctx, struct pc_err *err);
/* 64 lowercase hex digits, and nothing else. */
bool case_is_sha256(const char *s);
/* The bytes read ahead and not handed out yet (after opening: the
 * beginning of the file, up to a chunk), without consuming them. */
void case_store_peek(const struct case_file_reader *rd, const void **p, size_t *n);

/* ---- file names (file_name.c) ------------------------------------------------ */

#define CASE_FILE_NAME_MAX 200
/* The name a file is kept and shown under: valid UTF-8 without control
 * characters, line separators or format characters (bidirectional
 * overrides and isolates, zero-width characters …), without surrounding
 * blanks, at most CASE_FILE_NAME_MAX bytes; "file" when nothing is left. */
void case_file_name_clean(const char *name, char out[CASE_FILE_NAME_MAX + 1]);

#endif

/*
 * cases.h — electronic applications: form definitions and the checking
 * of answers, applications from draft to result, the workflow with its
 * deadlines and an append-only history, the agency's inbox.
 *
 * Form definitions are JSON (docs/forms.md), parsed once when loaded and
 * shared read-only by all threads afterwards; request threads only read
 * them (borrowed references), so no reference count changes across threads.
 */
#ifndef PC_CASES_H
#define PC_CASES_H

#include "../base/base.h"
#include "../db/db.h"

#include <jansson.h>
#include <stdio.h>

/* ---- form definitions ------------------------------------------------- */

struct form_registry;

/* Check a definition; on failure err names the JSON path of the problem. */
int form_check_definition(const json_t *def, struct pc_err *err);
/* Validate and store every .json file of dir (one transaction); bad files
 * are reported to `report` as "FILE: message" and nothing is written. */
int form_import_dir(struct db *db, const char *dir, FILE *report, int *count, struct pc_err *err);
/* Load the newest version of every stored form into memory. */
struct form_registry *form_registry_load(struct db *db, struct pc_err *err);
void form_registry_free(struct form_registry *reg);
/* The newest definition for a service (borrowed), or NULL. */
const json_t *form_get(const struct form_registry *reg, const char *service_id);
/* A given version (borrowed), or NULL. */
const json_t *form_get_version(const struct form_registry *reg, const char *service_id, int version);

/* ---- answers ----------------------------------------------------------- */

struct form_issue {
    char field[96];      /* "reason", "members[2].fin" */
    const char *code;    /* stable: required, too_short, bad_fin, unknown_question, … */
    long long limit;     /* the bound broken (length, count, number), when there is one */
};

#define FORM_MAX_ISSUES 64

struct form_issues {
    struct form_issue items[FORM_MAX_ISSUES];
    int n;
};

/* Is the page shown, given the answers so far? */
bool form_page_visible(const json_t *page, const json_t *answers);
/* Check the answers of one page (page_id) or of the whole form (NULL).
 * Answers to questions the form does not have, and to hidden pages when
 * checking the whole form, are issues too.  Files are checked by name
 * only here (content is checked at upload).  today: "YYYY-MM-DD". */
void form_check_answers(const json_t *def, const json_t *answers, const char *page_id, const char *today,
                        struct form_issues *out);
/* Remove the answers of pages that are hidden now (after a change). */
void form_drop_hidden(const json_t *def, json_t *answers);
/* The page after `page_id` that is visible (NULL: the first one); NULL at the end. */
const json_t *form_next_page(const json_t *def, const json_t *answers, const char *page_id);
const json_t *form_find_page(const json_t *def, const char *page_id);
const json_t *form_find_question(const json_t *def, const char *question_id, const json_t **page);

#endif

/* ---- applications ------------------------------------------------------- */

struct id_principal;

/* The workflow: states and the actions between them. */
enum case_state {
    CS_DRAFT, CS_SUBMITTED, CS_REGISTERED, CS_IN_REVIEW, CS_INFO_REQUESTED, CS_CITIZEN_RESPONDED,
    CS_APPROVED, CS_REFUSED, CS_DELIVERED, CS_CANCELLED, CS_COUNT
};

const char *case_state_name(enum case_state s);
int case_state_parse(const char *name);      /* -1 if unknown */
bool case_state_open(enum case_state s);     /* still waiting for someone */

struct case_app {
    const char *id, *reference, *service_id, *agency_id, *applicant, *applicant_fin, *acting_for;
    const char *status, *assigned_to, *decision, *lang;
    int form_version;
    int64_t version, created_at, updated_at, submitted_at, due_at, state_due_at, decided_at;
    json_t *answers;          /* owned: json_decref when done (case_app_release) */
};

void case_app_release(struct case_app *c);

struct case_event {
    int64_t seq, at;
    const char *actor, *role, *action, *from_status, *to_status, *note;
};

/* Submit a complete application in one step (API, kiosks): checks every
 * answer, allocates the reference, writes the case, its first event, the
 * audit entry, the notification and the usage count in one transaction.
 * The same idempotency key from the same applicant returns the first
 * application (PC_OK, *existing = true) instead of a second one.
 * Answers with issues: PC_EINVAL and issues filled. */
int case_submit(struct db *db, const struct form_registry *reg, const struct id_principal *who,
                const char *service_id, json_t *answers, const char *idempotency_key, const char *lang,
                const char *ip, struct pc_arena *a, struct case_app *out, bool *existing,
                struct form_issues *issues, struct pc_err *err);

/* Drafts for the page-by-page flow. */
int case_draft_new(struct db *db, const struct form_registry *reg, const struct id_principal *who,
                   const char *service_id, const char *lang, struct pc_arena *a, const char **id,
                   struct pc_err *err);
/* Merge one page's answers into a draft (drop answers of pages now hidden). */
int case_draft_save(struct db *db, const struct form_registry *reg, const char *id, json_t *page_answers,
                    int64_t expected_version, struct pc_err *err);
/* Submit a draft: the same checks and effects as case_submit. */
int case_draft_submit(struct db *db, const struct form_registry *reg, const struct id_principal *who,
                      const char *id, const char *ip, struct pc_arena *a, struct case_app *out,
                      struct form_issues *issues, struct pc_err *err);

/* Load by reference (AZ-…) or draft id.  PC_ENOTFOUND if there is none;
 * the caller decides who may see it (id_authorize ID_ACT_VIEW_CASE). */
int case_load(struct db *db, struct pc_arena *a, const char *ref_or_id, struct case_app *out, struct pc_err *err);
int case_events(struct db *db, struct pc_arena *a, const char *app_id, struct case_event **out, size_t *n,
                struct pc_err *err);

/* A step of the workflow by an officer or the applicant.  expected_version
 * is the version the actor saw: if someone acted meanwhile, PC_ECONFLICT
 * and nothing changes.  An action not allowed in the current state or for
 * the actor's role (or not in the service's own workflow, the "workflow" of
 * its form): PC_EDENIED.  A refusal or a request for information
 * without a note: PC_EINVAL. */
int case_act(struct db *db, const struct form_registry *reg, const struct id_principal *who, const char *reference,
             const char *action, const char *note, int64_t expected_version, const char *ip, struct pc_arena *a,
             struct case_app *out, struct pc_err *err);

/* Whether the service's workflow has the step and lets this person take
 * it (for showing only the buttons that will work). */
bool case_step_offered(const struct form_registry *reg, const struct case_app *app, const struct id_principal *who,
                       const char *action);

/* Lists: the applicant's own, or an agency's inbox. */
struct case_filter {
    const char *applicant;       /* account id: "my applications" */
    const char *agency_id;       /* the inbox of an agency */
    const char *status;          /* one state, or NULL */
    const char *service_id;
    const char *assigned_to;     /* account id */
    bool overdue;                /* past due_at and still open */
    int64_t from, to;            /* submitted_at range, 0 = open */
    const char *cursor;
    int limit;                   /* 1..100 */
};

struct case_list {
    struct case_app *items;
    size_t n;
    const char *next;
};

int case_list(struct db *db, struct pc_arena *a, const struct case_filter *f, struct case_list *out,
              struct pc_err *err);

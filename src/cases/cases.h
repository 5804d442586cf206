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

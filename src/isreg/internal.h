/* internal.h — what the files of src/isreg share: the card's columns in
 * one order, reading a card row, writing a card, and the decision log. */
#ifndef PC_ISREG_INTERNAL_H
#define PC_ISREG_INTERNAL_H

#include "isreg.h"

#include <jansson.h>

/* The card's columns, in the order card_from_row reads them. */
#define ISREG_CARD_COLUMNS                                                                                    \
    "version, status, kind, name_az, name_en, name_ru, purpose, legal_basis, data_categories, uses_fin, "    \
    "sources, recipients, services_offered, services_used, portal_services, hosting, security, responsible, " \
    "started_on, change_on, change_note, due_on, late_days, author, created_at, submitted_at, decided_at"
#define ISREG_CARD_NCOLUMNS 27
/* The same columns of a card joined as "c". */
#define ISREG_CARD_COLUMNS_C                                                                                   \
    "c.version, c.status, c.kind, c.name_az, c.name_en, c.name_ru, c.purpose, c.legal_basis, "                \
    "c.data_categories, c.uses_fin, c.sources, c.recipients, c.services_offered, c.services_used, "           \
    "c.portal_services, c.hosting, c.security, c.responsible, c.started_on, c.change_on, c.change_note, "     \
    "c.due_on, c.late_days, c.author, c.created_at, c.submitted_at, c.decided_at"

/* Read a card from columns first..first+26 of s (copied into a). */
void isreg_card_from_row(struct pc_arena *a, struct db_stmt *s, int first, struct isreg_card *out);
/* Insert card version c->version of system id (status, dates and author
 * as in c). */
int isreg_card_insert(struct db_conn *c, const char *id, const struct isreg_card *card, struct pc_err *err);
/* Set a card version's status (and its decided_at / submitted_at /
 * late_days when given, >= 0). */
int isreg_card_set(struct db_conn *c, const char *id, int version, enum isreg_card_status st, int64_t submitted_at,
                   int64_t decided_at, int late_days, struct pc_err *err);
/* Append a decision to the system's log. */
int isreg_decision_add(struct db_conn *c, const char *id, int version, const char *decision, const char *remarks,
                       const char *actor, int64_t at, struct pc_err *err);

/* The system's owner and status, for the checks before a change
 * (PC_ENOTFOUND when there is no such system). */
struct isreg_head {
    char agency_id[64];
    enum isreg_status status;
    int current_version, registered_version;
};
int isreg_head_read(struct db_conn *c, const char *id, struct isreg_head *out, struct pc_err *err);
int isreg_head_set(struct db_conn *c, const char *id, enum isreg_status st, int current_version,
                   int registered_version, int64_t now, struct pc_err *err);

/* Is the principal allowed to edit agency's cards / review them?  Fills
 * err (PC_EDENIED) when not; *role is the role that allows. */
int isreg_may_edit(const struct id_principal *who, const char *agency_id, const char **role, struct pc_err *err);
int isreg_may_review(const struct id_principal *who, const char **role, struct pc_err *err);

/* A list of identifiers as stored (one per line) and back. */
char *isreg_list_join(struct pc_arena *a, const struct isreg_list *l);
void isreg_list_split(struct pc_arena *a, const char *s, struct isreg_list *out);

/* The search form of a card's names. */
char *isreg_fold_names(struct pc_arena *a, const struct pc_text *name);

/* Run a statement that returns no rows: 0 or its error code. */
int isreg_run(struct db_stmt *s, struct pc_err *err);

/* A card from a JSON object; strict refuses members a card does not have
 * (the demo's data carry their own dates beside the card).  Strings stay
 * the tree's. */
int isreg_card_from_json(struct pc_arena *a, json_t *o, bool strict, struct isreg_card *out, const char **field,
                         struct pc_err *err);

/* End the transaction audit_begin opened on c: the entry is appended and
 * the change committed when rc is 0, rolled back otherwise (audit_end). */
int isreg_audited(struct db_conn *c, int rc, const struct id_principal *who, const char *role, const char *action,
                  const char *type, const char *id, const char *ip, const char *detail, struct pc_err *err);

/* The documents of every version of sys (files.c), for staff views. */
int isreg_files_read(struct db_conn *c, struct pc_arena *a, struct isreg_system *sys, struct pc_err *err);

/* The system's id is [a-z0-9-], 2..ISREG_ID_MAX, starting with a letter. */
bool isreg_id_valid(const char *id);

#endif

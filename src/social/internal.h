/* internal.h — what the files of src/social share: the applicant's
 * declaration read from the answers, and the evidence a case has. */
#ifndef PC_SOCIAL_INTERNAL_H
#define PC_SOCIAL_INTERNAL_H

#include "social.h"

/* A declared family member (the form's family_members group). */
struct social_declared {
    const char *fin;                     /* NULL: declared without FİN */
    const char *name, *relation, *birth_date;
    const char *employment;              /* the form's choice (self_employed, …); NULL when not given */
    int64_t income;                      /* qəpik a month; -1 when not given */
};

struct social_declaration {
    const char *applicant_fin;
    int64_t applicant_income;            /* -1 when not given */
    const char *applicant_employment;
    struct social_declared *members;
    size_t n;
};

/* The declaration in the answers (JSON of cases' form_answers_json). */
void social_declaration_read(struct pc_arena *a, const char *applicant_fin, const json_t *answers,
                             struct social_declaration *out);

/* The evidence stored for a case, in the order fetched. */
int social_items_load(struct db_conn *c, struct pc_arena *a, const char *reference, struct social_item **out,
                      size_t *n, struct pc_err *err);

/* Room for item n of an array of cap items (doubled in the arena when
 * full): the array to use. */
void *social_grow(struct pc_arena *a, void *items, size_t *cap, size_t n, size_t size);

/* json_decref for pc_arena_defer. */
void social_json_release(void *j);

/* The state names as stored. */
int social_state_parse(const char *name);

#endif

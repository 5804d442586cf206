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

/* YYYY-MM of the month k months after the one after `at` (k = 0: the next month; -1: at's own). */
void social_month_after(int64_t at, int k, char out[24]);
/* YYYY-MM k months after YYYY-MM month (k ≥ 0). */
void social_month_add(const char *month, int k, char out[24]);

/* Evidence asked again in c's transaction: the case pending, a new generation, its answers gone. */
int social_refetch_in(struct db_conn *c, const char *reference, struct pc_err *err);

/* Monthly orders of months [from_k, from_k + n) after first_month (k = 0
 * is first_month) at amount, scheduled, in c's transaction. */
int social_schedule(struct db_conn *c, const char *reference, const char *first_month, int from_k, int n,
                    int64_t amount, const char *iban, const char *fin, int64_t now, struct pc_err *err);

/* The case's grant when one was granted (out->set), in c (grant.c). */
int social_grant_read(struct db_conn *c, const char *reference, struct social_grant *out, struct pc_err *err);

/* The state names as stored. */
int social_state_parse(const char *name);

#endif

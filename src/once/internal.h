/* internal.h — what the files of src/once share. */
#ifndef PC_ONCE_INTERNAL_H
#define PC_ONCE_INTERNAL_H

#include "once.h"

#include <jansson.h>

/* GET path of registry kind about the person fin (X-Road-UserId) under
 * issue, its JSON answer in *doc, which registry answered when in src,
 * and the answer written into fin's personal-data access log. */
int once_fetch(struct xc *x, struct db *db, struct pc_arena *a, const char *kind, const char *path, const char *fin,
               const char *issue, json_t **doc, struct once_source *src, struct pc_err *err);

/* A string member of a registry's answer in the arena, NULL when absent. */
const char *once_str(struct pc_arena *a, const json_t *doc, const char *key);

/* The population register's answer for fin, typed (PC_EUNAVAIL when it is
 * of another FİN or lacks names or birth date). */
int once_person_parse(struct pc_arena *a, const char *fin, const json_t *doc, struct once_person *out,
                      struct pc_err *err);
/* Whether the taxpayer register's answer names fin as director or a
 * representative. */
bool once_may_act_for(const json_t *doc, const char *fin);

#endif

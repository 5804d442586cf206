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

#endif

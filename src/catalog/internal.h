/* internal.h — shared inside src/catalog only: limits of the file format,
 * the vocabularies as tables, the stored form of sets and evaluations. */
#ifndef PC_CATALOG_INTERNAL_H
#define PC_CATALOG_INTERNAL_H

#include "catalog.h"

#include <jansson.h>

#define CAT_NAME_MAX 400          /* bytes of a name (one language) */
#define CAT_DESC_MAX 3000         /* bytes of a description */

/* A fixed vocabulary: the words of an enum, in the enum's order. */
struct cat_vocab {
    const char *field;            /* the field of the data files it belongs to */
    const char *const *words;
    int n;
};
extern const struct cat_vocab cat_vocab_login, cat_vocab_audience, cat_vocab_relation, cat_vocab_channel,
    cat_vocab_kind;

const char *cat_vocab_name(const struct cat_vocab *v, int i);
/* The value of the word s[0..n), or -1. */
int cat_vocab_parse(const struct cat_vocab *v, const char *s, size_t n);

/* Sets as the services table stores them (",G2C,G2B,"), and back. */
const char *cat_set_store(struct pc_arena *a, const struct cat_vocab *v, unsigned bits);
unsigned cat_set_load(const struct cat_vocab *v, const char *s);

/* The "maturity" object of a services.jsonl line (also the stored form):
 * checked, into the arena; *out NULL for null.  PC_EINVAL with a message. */
int cat_maturity_parse(struct pc_arena *a, json_t *m, const struct cat_maturity **out, struct pc_err *err);
/* The stored form: compact JSON with sorted keys (the API's "evaluation"). */
const char *cat_maturity_store(struct pc_arena *a, const struct cat_maturity *m);

#endif

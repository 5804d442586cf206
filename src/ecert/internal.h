/* internal.h — shared inside src/ecert only. */
#ifndef PC_ECERT_INTERNAL_H
#define PC_ECERT_INTERNAL_H

#include "ecert.h"

#define ECERT_DB_SLOT 5      /* db_slot: the group committer of issuing */

/* The code an error left in err, else PC_EIO (a statement that failed to prepare). */
int ecert_failed(const struct pc_err *err);

/* How many certificates fin got since (unix seconds). */
int ecert_count_since(struct db *db, const char *fin, int64_t since, int64_t *n, struct pc_err *err);

/* The seal of certificates issued before PAdES (legacy.c): an embedded
 * "seal.p7s" appended as an incremental update.  attach writes that update
 * (split writes it again to compare); split takes the signed prefix and the
 * signature out, PC_ENOTFOUND when the file has no such seal. */
int ecert_pdf_legacy_attach(const unsigned char *pdf, size_t len, const unsigned char *sig, size_t sig_len,
                            unsigned char **out, size_t *out_len, struct pc_err *err);
int ecert_pdf_legacy_split(struct pc_arena *a, const unsigned char *file, size_t len, size_t *signed_len,
                           const unsigned char **sig, size_t *sig_len, struct pc_err *err);

#endif

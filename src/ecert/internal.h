/* internal.h — shared inside src/ecert only. */
#ifndef PC_ECERT_INTERNAL_H
#define PC_ECERT_INTERNAL_H

#include "ecert.h"

#define ECERT_DB_SLOT 5      /* db_slot: the group committer of issuing */

/* The code an error left in err, else PC_EIO (a statement that failed to prepare). */
int ecert_failed(const struct pc_err *err);

/* How many certificates fin got since (unix seconds). */
int ecert_count_since(struct db *db, const char *fin, int64_t since, int64_t *n, struct pc_err *err);

#endif

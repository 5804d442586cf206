/* internal.h — what the files of src/esafe share and nobody else sees. */
#ifndef PC_ESAFE_INTERNAL_H
#define PC_ESAFE_INTERNAL_H

#include "esafe.h"

/* The code of a failure whose err may be unset (a statement not prepared). */
static inline int es_failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EIO;
}

const char *es_owner_type_name(enum esafe_owner_type t);   /* "person", "company" */
/* A FİN for a person, a VÖEN for a company: 0, else PC_EINVAL in err. */
int es_owner_check(const struct esafe_owner *o, struct pc_err *err);


/* The columns es_doc_row reads, in its order. */
#define ES_DOC_COLS "id, title, source, source_ref, sha256, content_type, file_name, folder_id, kind, stored_in, size," \
                    " created_at, retain_until"
/* What an owner still has: theirs, not removed, not past its retention
 * (owner type, owner id and now bound from `first`). */
#define ES_VISIBLE "owner_type = ? AND owner_id = ? AND removed_at IS NULL AND (retain_until IS NULL OR retain_until > ?)"
void es_doc_row(struct db_stmt *s, struct pc_arena *a, struct esafe_doc *out);
void es_bind_visible(struct db_stmt *s, int first, const struct esafe_owner *o, int64_t now);

/* fn(c, ctx, err) in a transaction of its own on the thread's connection. */
int es_xact(struct db *db, int (*fn)(struct db_conn *c, void *ctx, struct pc_err *err), void *ctx, struct pc_err *err);
/* A change of the owner's and its audit entry in one transaction. */
struct es_change {
    const char *action, *object_type, *object_id, *detail;
};
int es_audited(struct db *db, const struct esafe_actor *by, const struct es_change *ch,
               int (*fn)(struct db_conn *c, void *ctx, struct pc_err *err), void *ctx, struct pc_err *err);

#endif

/* docs.c — sealed documents kept with what they decide (pki_sealed_docs):
 * the bytes an agency's seal signed and the detached signature.  The
 * portal writes one in the transaction of the decision and reads it back
 * for the applicant's download. */
#include "internal.h"

#include <string.h>

static int failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EIO;
}

int pki_doc_put(struct db_conn *c, const struct pki_sealed_doc *d, struct pc_err *err)
{
    if (!pc_utf8_valid(d->document, d->document_len) || memchr(d->document, 0, d->document_len))
        return pc_err_set(err, PC_EINVAL, "a sealed document is UTF-8 text");
    struct pc_arena a;
    pc_arena_init(&a);
    struct db_stmt *s = db_prepare(c, "INSERT INTO pki_sealed_docs(object_id, kind, agency, created_at, document,"
                                      " signature, seal_serial) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
    int rc = s ? 0 : failed(err);
    if (!rc) {
        db_bind_text(s, 1, d->object_id);
        db_bind_text(s, 2, d->kind);
        db_bind_text(s, 3, d->agency);
        db_bind_int(s, 4, d->created_at);
        db_bind_text(s, 5, pc_arena_strndup(&a, d->document, d->document_len));
        db_bind_text(s, 6, pk_b64(&a, d->signature, d->signature_len));
        db_bind_text(s, 7, d->seal_serial);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : 0;
    }
    pc_arena_release(&a);
    return rc;
}

int pki_doc_supersede(struct db_conn *c, const char *object_id, const char *kind, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "UPDATE pki_sealed_docs SET kind = kind || '@' || CAST(created_at AS TEXT)"
                                      " WHERE object_id = ? AND kind = ?", err);
    if (!s)
        return failed(err);
    db_bind_text(s, 1, object_id);
    db_bind_text(s, 2, kind);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

int pki_doc_get(struct db *db, struct pc_arena *a, const char *object_id, const char *kind, struct pki_sealed_doc *out,
                struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT agency, created_at, document, signature, seal_serial"
                                          " FROM pki_sealed_docs WHERE object_id = ? AND kind = ?", err) : NULL;
    if (!s)
        return failed(err);
    db_bind_text(s, 1, object_id);
    db_bind_text(s, 2, kind);
    int rc = db_step(s, err);
    if (rc == 0)
        rc = pc_err_set(err, PC_ENOTFOUND, "no sealed %s for %s", kind, object_id);
    if (rc == 1) {
        const char *b64 = db_col_text(s, 3);
        unsigned char *sig;
        *out = (struct pki_sealed_doc){
            .object_id = pc_arena_strdup(a, object_id), .kind = pc_arena_strdup(a, kind),
            .agency = pc_arena_strdup(a, db_col_text(s, 0)), .created_at = db_col_int(s, 1),
            .document = pc_arena_strdup(a, db_col_text(s, 2)), .seal_serial = pc_arena_strdup(a, db_col_text(s, 4)),
        };
        out->document_len = strlen(out->document);
        rc = pk_unb64(a, b64, strlen(b64), &sig, &out->signature_len)
                 ? pc_err_set(err, PC_EIO, "the signature kept for %s cannot be read", object_id) : 0;
        out->signature = sig;
        db_step(s, NULL);
    }
    db_conn_idle(c);
    return rc;
}

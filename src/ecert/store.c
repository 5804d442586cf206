/* store.c — the register of certificates (ecert_certs): reading one by
 * id, code or digest, a person's list, the PDF as issued, and revocation
 * with its audit entry. */
#include "internal.h"
#include "../audit/audit.h"

#include <string.h>

#define COLS "id, code, fin, account_id, kind, agency, issuer, seal_serial, state, superseded_by, issued_at," \
             " changed_at, sha256"

int ecert_failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EIO;
}

static void row(struct db_stmt *s, struct pc_arena *a, struct ecert *e)
{
    int kind = ecert_kind_parse(db_col_text(s, 4)), state = ecert_state_parse(db_col_text(s, 8));
    *e = (struct ecert){
        .id = pc_arena_strdup(a, db_col_text(s, 0)), .code = pc_arena_strdup(a, db_col_text(s, 1)),
        .fin = pc_arena_strdup(a, db_col_text(s, 2)), .account_id = pc_arena_strdup(a, db_col_text(s, 3)),
        .kind = kind < 0 ? ECERT_ADDRESS : (enum ecert_kind)kind, .agency = pc_arena_strdup(a, db_col_text(s, 5)),
        .issuer = pc_arena_strdup(a, db_col_text(s, 6)), .seal_serial = pc_arena_strdup(a, db_col_text(s, 7)),
        .state = state < 0 ? ECERT_REVOKED : (enum ecert_state)state,
        .superseded_by = pc_arena_strdup(a, db_col_text(s, 9)), .issued_at = db_col_int(s, 10),
        .changed_at = db_col_int(s, 11), .sha256 = pc_arena_strdup(a, db_col_text(s, 12)),
    };
}

/* One certificate where column = value. */
static int get_by(struct db *db, struct pc_arena *a, const char *sql, const char *value, struct ecert *out,
                  struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, sql, err) : NULL;
    if (!s)
        return ecert_failed(err);
    db_bind_text(s, 1, value);
    int rc = db_step(s, err);
    if (rc == 1) {
        row(s, a, out);
        db_step(s, NULL);
        rc = 0;
    } else if (rc == 0) {
        rc = pc_err_set(err, PC_ENOTFOUND, "no such e-certificate");
    }
    db_conn_idle(c);
    return rc;
}

int ecert_get(struct db *db, struct pc_arena *a, const char *id, struct ecert *out, struct pc_err *err)
{
    return get_by(db, a, "SELECT " COLS " FROM ecert_certs WHERE id = ?", id, out, err);
}

int ecert_by_code(struct db *db, struct pc_arena *a, const char *code, struct ecert *out, struct pc_err *err)
{
    return get_by(db, a, "SELECT " COLS " FROM ecert_certs WHERE code = ?", code, out, err);
}

int ecert_by_sha256(struct db *db, struct pc_arena *a, const char *sha256, struct ecert *out, struct pc_err *err)
{
    return get_by(db, a, "SELECT " COLS " FROM ecert_certs WHERE sha256 = ?", sha256, out, err);
}

int ecert_list(struct db *db, struct pc_arena *a, const char *fin, size_t max, struct ecert **out, size_t *n,
               struct pc_err *err)
{
    *out = NULL;
    *n = 0;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " COLS " FROM ecert_certs WHERE fin = ?"
                                          " ORDER BY issued_at DESC, id DESC LIMIT ?", err) : NULL;
    if (!s)
        return ecert_failed(err);
    db_bind_text(s, 1, fin);
    db_bind_int(s, 2, (int64_t)max);
    struct ecert *list = pc_arena_array(a, max ? max : 1, sizeof *list);
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < max)
        row(s, a, &list[(*n)++]);
    db_conn_idle(c);
    *out = list;
    return rc < 0 ? rc : 0;
}

int ecert_count_since(struct db *db, const char *fin, int64_t since, int64_t *n, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT count(*) FROM ecert_certs WHERE fin = ? AND issued_at >= ?", err)
                          : NULL;
    if (!s)
        return ecert_failed(err);
    db_bind_text(s, 1, fin);
    db_bind_int(s, 2, since);
    int rc = db_step(s, err);
    *n = rc == 1 ? db_col_int(s, 0) : 0;
    if (rc == 1)
        db_step(s, NULL);
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

int ecert_pdf(struct db *db, struct pc_arena *a, const char *id, const unsigned char **pdf, size_t *len,
              struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT pdf FROM ecert_certs WHERE id = ?", err) : NULL;
    if (!s)
        return ecert_failed(err);
    db_bind_text(s, 1, id);
    int rc = db_step(s, err);
    if (rc == 1) {
        const char *b64 = db_col_text(s, 0);
        size_t n = strlen(b64);
        unsigned char *buf = pc_arena_alloc(a, n);
        long got = pc_b64url_decode(b64, n, buf, n);
        rc = got < 0 ? pc_err_set(err, PC_EIO, "the PDF kept for %s cannot be read", id) : 0;
        *pdf = buf;
        *len = got < 0 ? 0 : (size_t)got;
        db_step(s, NULL);
    } else if (rc == 0) {
        rc = pc_err_set(err, PC_ENOTFOUND, "no such e-certificate");
    }
    db_conn_idle(c);
    return rc;
}

int ecert_revoke(struct db *db, const char *id, const char *by, const char *by_role, const char *ip,
                 struct pc_err *err)
{
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "UPDATE ecert_certs SET state = 'revoked', changed_at = ?"
                                      " WHERE id = ? AND state = 'valid'", err);
    rc = s ? 0 : ecert_failed(err);
    if (!rc) {
        db_bind_int(s, 1, pc_now_unix());
        db_bind_text(s, 2, id);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : n == 0 ? pc_err_set(err, PC_ECONFLICT, "the e-certificate %s is not valid now", id) : 0;
    }
    struct audit_entry e = {.actor = by, .role = by_role, .action = "ecert.revoke", .object_type = "ecert",
                            .object_id = id, .ip = ip ? ip : "", .detail = ""};
    return audit_end(c, rc, &e, err);
}

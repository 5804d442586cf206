/* files.c — documents attached to a registration card: the body's
 * application, the order that created or changed the system.  The bytes
 * are cases' (stored once by SHA-256, whoever refers to them); this file
 * keeps which card version refers to which, and decides who reads them:
 * the owning body's staff and the operator, never the public. */
#include "internal.h"
#include "../audit/audit.h"

#include <stdio.h>
#include <string.h>

static void file_from_row(struct pc_arena *a, struct db_stmt *s, struct isreg_file *f)
{
    memset(f, 0, sizeof *f);
    f->version = (int)db_col_int(s, 0);
    snprintf(f->sha256, sizeof f->sha256, "%s", db_col_text(s, 1));
    f->name = pc_arena_strdup(a, db_col_text(s, 2));
    snprintf(f->mime, sizeof f->mime, "%s", db_col_text(s, 3));
    f->size = db_col_int(s, 4);
    f->added_by = pc_arena_strdup(a, db_col_text(s, 5));
    f->added_at = db_col_int(s, 6);
}

#define FILE_COLUMNS "version, sha256, name, mime, size, added_by, added_at"

int isreg_file_add(struct db *db, const struct id_principal *who, const char *ip, const char *id,
                   const struct isreg_file *f, struct pc_err *err)
{
    size_t n = f->name ? strlen(f->name) : 0;
    if (strlen(f->sha256) != 64 || n == 0 || n > ISREG_NAME_MAX || !pc_utf8_valid(f->name, n))
        return pc_err_set(err, PC_EINVAL, "a document needs its stored file and a name");
    const char *role = NULL;
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct isreg_head h;
    rc = isreg_head_read(c, id, &h, err);
    if (!rc)
        rc = isreg_may_edit(who, h.agency_id, &role, err);
    if (!rc && h.status != ISREG_DRAFT && h.status != ISREG_RETURNED)
        rc = pc_err_set(err, PC_ECONFLICT, "documents are attached to a draft or returned card (%s is %s)", id,
                        isreg_status_name(h.status));
    struct db_stmt *s = rc ? NULL : db_prepare(c, "SELECT COUNT(*) FROM isreg_files WHERE system_id = ? AND version = ?",
                                               err);
    if (!rc && !s)
        rc = err->code;
    if (s) {
        db_bind_text(s, 1, id);
        db_bind_int(s, 2, h.current_version);
        rc = db_step(s, err);
        rc = rc < 0 ? rc : db_col_int(s, 0) >= ISREG_FILES_MAX
                               ? pc_err_set(err, PC_ELIMIT, "a card holds at most %d documents", ISREG_FILES_MAX)
                               : 0;
    }
    s = rc ? NULL : db_prepare(c, "INSERT INTO isreg_files(system_id, " FILE_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                                  "ON CONFLICT DO NOTHING", err);
    if (!rc && !s)
        rc = err->code;
    if (s) {
        db_bind_text(s, 1, id);
        db_bind_int(s, 2, h.current_version);
        db_bind_text(s, 3, f->sha256);
        db_bind_text(s, 4, f->name);
        db_bind_text(s, 5, f->mime);
        db_bind_int(s, 6, f->size);
        db_bind_text(s, 7, who->account_id);
        db_bind_int(s, 8, pc_now_unix());
        rc = isreg_run(s, err);
    }
    return isreg_audited(c, rc, who, role, "isreg.file.add", "information_system", id, ip, f->sha256, err);
}

/* Staff of the body or the operator? */
static bool staff(const struct id_principal *who, const char *agency_id)
{
    struct id_resource res = {.agency_id = agency_id};
    return id_authorize(who, ID_ACT_ISREG_EDIT, &res) || id_authorize(who, ID_ACT_ISREG_REVIEW, NULL);
}

int isreg_files_read(struct db_conn *c, struct pc_arena *a, struct isreg_system *sys, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT " FILE_COLUMNS " FROM isreg_files WHERE system_id = ? "
                                      "ORDER BY version DESC, added_at DESC, sha256 LIMIT 200", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, sys->id);
    sys->files = pc_arena_alloc(a, 200 * sizeof *sys->files);
    int rc;
    while ((rc = db_step(s, err)) == 1)
        file_from_row(a, s, &sys->files[sys->nfiles++]);
    return rc < 0 ? rc : 0;
}

int isreg_file_get(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *id,
                   const char *sha256, struct isreg_file *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code;
    struct isreg_head h;
    int rc = isreg_head_read(c, id, &h, err);
    if (rc)
        return rc;
    if (!staff(who, h.agency_id))
        return pc_err_set(err, PC_ENOTFOUND, "no such document");
    struct db_stmt *s = db_prepare(c, "SELECT " FILE_COLUMNS " FROM isreg_files WHERE system_id = ? AND sha256 = ? "
                                      "ORDER BY version DESC LIMIT 1", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, sha256);
    rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such document");
    file_from_row(a, s, out);
    return 0;
}

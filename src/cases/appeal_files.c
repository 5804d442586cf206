/* appeal_files.c — the files an applicant attaches to the appeal of a
 * refusal while it is under review (table appeal_files): uploads of the
 * applicant's own, at most CASE_APPEAL_FILES_MAX, listed with the case
 * and read back only for it. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* One file, the applicant's upload, kept with the case on c. */
static int keep_one(struct db_conn *c, const struct id_principal *who, const char *app_id, const char *sha256,
                    int64_t now, struct pc_arena *a, struct pc_err *err)
{
    struct case_file f;
    int rc = case_upload_find(c, who->account_id, sha256, &f, a, err);
    if (rc == PC_ENOTFOUND)
        return pc_err_set(err, PC_EINVAL, "a file of the appeal is not an upload of yours");
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "INSERT INTO appeal_files (application_id, sha256, name, mime, size, added_at)"
                                      " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (application_id, sha256) DO NOTHING", err);
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, app_id);
    db_bind_text(s, 2, f.sha256);
    db_bind_text(s, 3, f.name);
    db_bind_text(s, 4, f.mime);
    db_bind_int(s, 5, f.size);
    db_bind_int(s, 6, now);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

int case_appeal_attach(struct db *db, const struct id_principal *who, const char *reference, const char *const *files,
                       size_t nfiles, struct pc_arena *a, struct pc_err *err)
{
    struct case_app app;
    int rc = case_load(db, a, reference, &app, err);
    if (rc)
        return rc;
    if (!who || !pc_str_eq(app.applicant, who->account_id))
        return pc_err_set(err, PC_ENOTFOUND, "no such application of yours");
    if (app.status != CS_APPEALED)
        return pc_err_set(err, PC_ECONFLICT, "files are attached to an appeal while it is under review");
    struct case_file *had;
    size_t nhad;
    if ((rc = case_appeal_files(db, a, app.id, &had, &nhad, err)))
        return rc;
    if (nhad + nfiles > CASE_APPEAL_FILES_MAX)
        return pc_err_set(err, PC_ETOOBIG, "an appeal takes at most %d files", CASE_APPEAL_FILES_MAX);
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return case_err(err);
    if ((rc = db_begin(c, err)))
        return rc;
    int64_t now = pc_now_unix();
    for (size_t i = 0; !rc && i < nfiles; i++)
        rc = keep_one(c, who, app.id, files[i], now, a, err);
    return db_end(c, rc, err);
}

int case_appeal_files(struct db *db, struct pc_arena *a, const char *app_id, struct case_file **out, size_t *n,
                      struct pc_err *err)
{
    *out = NULL;
    *n = 0;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT sha256, name, mime, size FROM appeal_files WHERE application_id = ?"
                                          " ORDER BY added_at, sha256", err) : NULL;
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, app_id);
    struct case_file *list = pc_arena_array(a, CASE_APPEAL_FILES_MAX, sizeof *list);
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < CASE_APPEAL_FILES_MAX) {
        struct case_file *f = &list[(*n)++];
        snprintf(f->sha256, sizeof f->sha256, "%s", db_col_text(s, 0));
        f->name = pc_arena_strdup(a, db_col_text(s, 1));
        snprintf(f->mime, sizeof f->mime, "%s", db_col_text(s, 2));
        f->size = db_col_int(s, 3);
    }
    db_conn_idle(c);
    *out = list;
    return rc < 0 ? rc : 0;
}

int case_appeal_file_open(struct db *db, struct case_store *st, const struct case_app *app, const char *sha256,
                          struct case_file_reader **out, struct case_file *info, struct pc_arena *a, struct pc_err *err)
{
    struct case_file *list;
    size_t n;
    int rc = case_appeal_files(db, a, app->id, &list, &n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (pc_str_eq(list[i].sha256, sha256)) {
            rc = case_file_open_stored(st, sha256, out, info, err);
            if (!rc)
                info->name = list[i].name;
            return rc;
        }
    return pc_err_set(err, PC_ENOTFOUND, "no such file with this appeal");
}

/* docs.c — reading an owner's e-safe and the owner's own changes: the
 * list with its search and filters, one document and its bytes, delete
 * (own uploads only), retention, folders, and the job that removes what
 * is past its retention.  Every read is of one owner: the caller (the
 * web, after id_authorize) says whose. */
#include "internal.h"

#include "../audit/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PURGE_EVERY_MS (10 * 60 * 1000)
#define PURGE_LEASE_SECS 120

void es_bind_visible(struct db_stmt *s, int first, const struct esafe_owner *o, int64_t now)
{
    db_bind_text(s, first, es_owner_type_name(o->type));
    db_bind_text(s, first + 1, o->id);
    db_bind_int(s, first + 2, now);
}

void es_doc_row(struct db_stmt *s, struct pc_arena *a, struct esafe_doc *out)
{
    *out = (struct esafe_doc){
        .id = pc_arena_strdup(a, db_col_text(s, 0)), .title = pc_arena_strdup(a, db_col_text(s, 1)),
        .source = pc_arena_strdup(a, db_col_text(s, 2)), .source_ref = pc_arena_strdup(a, db_col_text(s, 3)),
        .sha256 = pc_arena_strdup(a, db_col_text(s, 4)), .content_type = pc_arena_strdup(a, db_col_text(s, 5)),
        .file_name = pc_arena_strdup(a, db_col_text(s, 6)), .folder_id = pc_arena_strdup(a, db_col_text(s, 7)),
        .kind = (enum esafe_kind)esafe_kind_parse(db_col_text(s, 8)), .in_files = pc_str_eq(db_col_text(s, 9), "files"),
        .size = db_col_int(s, 10), .created_at = db_col_int(s, 11),
        .retain_until = db_col_is_null(s, 12) ? ESAFE_FOREVER : db_col_int(s, 12),
    };
}

int es_audited(struct db *db, const struct esafe_actor *by, const struct es_change *ch,
               int (*fn)(struct db_conn *c, void *ctx, struct pc_err *err), void *ctx, struct pc_err *err)
{
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    rc = fn(c, ctx, err);
    struct audit_entry e = {.actor = by->account_id, .role = by->role, .action = ch->action,
                            .object_type = ch->object_type, .object_id = ch->object_id, .ip = by->ip ? by->ip : "",
                            .detail = ch->detail ? ch->detail : ""};
    return audit_end(c, rc, &e, err);
}

int es_xact(struct db *db, int (*fn)(struct db_conn *c, void *ctx, struct pc_err *err), void *ctx, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return es_failed(err);
    int rc = db_begin(c, err);
    return rc ? rc : db_end(c, fn(c, ctx, err), err);
}

/* ---- reads -------------------------------------------------------------------------- */

int esafe_list(struct db *db, struct pc_arena *a, const struct esafe_owner *o, const struct esafe_query *q,
               struct esafe_doc **out, size_t *n, struct pc_err *err)
{
    *out = NULL;
    *n = 0;
    if (es_owner_check(o, err))
        return err->code;
    if (q->text && strlen(q->text) > ESAFE_QUERY_MAX)
        return pc_err_set(err, PC_EINVAL, "a search is at most %d bytes", ESAFE_QUERY_MAX);
    if (q->kind >= ESAFE_KIND_COUNT)
        return pc_err_set(err, PC_EINVAL, "unknown kind of e-safe document");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return es_failed(err);
    struct db_query dq;
    db_query_init(&dq);
    db_query_text(&dq, "SELECT " ES_DOC_COLS " FROM esafe_docs WHERE owner_type = ?", es_owner_type_name(o->type));
    db_query_text(&dq, " AND owner_id = ?", o->id);
    db_query_int(&dq, " AND removed_at IS NULL AND (retain_until IS NULL OR retain_until > ?)", pc_now_unix());
    if (q->kind >= 0)
        db_query_text(&dq, " AND kind = ?", esafe_kind_name((enum esafe_kind)q->kind));
    if (q->folder_id)
        db_query_text(&dq, " AND folder_id = ?", q->folder_id);
    /* each word of the search, folded as the titles are, somewhere in the
     * title (folded text has letters, digits and single spaces only, so a
     * word carries no LIKE wildcard) */
    struct pc_buf words;
    pc_buf_init(&words, 4 * ESAFE_QUERY_MAX + 8);
    if (q->text)
        pc_fold(q->text, strlen(q->text), &words);
    char *w = words.len ? pc_arena_strndup(a, words.data, words.len) : NULL;
    pc_buf_release(&words);
    for (char *save = NULL, *t = w ? strtok_r(w, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save))
        db_query_text(&dq, " AND title_folded LIKE ?", pc_arena_printf(a, "%%%s%%", t));
    db_query_int(&dq, " ORDER BY created_at DESC, id LIMIT ?", ESAFE_LIST_MAX);
    struct db_stmt *s = db_query_prepare(c, &dq, err);
    db_query_release(&dq);
    if (!s)
        return es_failed(err);
    *out = pc_arena_array(a, ESAFE_LIST_MAX, sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1)
        es_doc_row(s, a, &(*out)[(*n)++]);
    return rc;
}

int esafe_get(struct db *db, struct pc_arena *a, const struct esafe_owner *o, const char *id, struct esafe_doc *out,
              struct pc_err *err)
{
    if (es_owner_check(o, err))
        return err->code;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " ES_DOC_COLS " FROM esafe_docs WHERE id = ? AND " ES_VISIBLE, err)
                          : NULL;
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, id);
    es_bind_visible(s, 2, o, pc_now_unix());
    int rc = db_step(s, err);
    if (rc == 1)
        es_doc_row(s, a, out);
    db_conn_idle(c);
    return rc == 1 ? 0 : rc == 0 ? pc_err_set(err, PC_ENOTFOUND, "no such document in this e-safe") : rc;
}

int esafe_content(struct db *db, struct pc_arena *a, const struct esafe_doc *d, const unsigned char **bytes,
                  size_t *len, struct pc_err *err)
{
    if (d->in_files)
        return pc_err_set(err, PC_EINVAL, "document %s is in the files store", d->id);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT data FROM esafe_contents WHERE sha256 = ?", err) : NULL;
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, d->sha256);
    int rc = db_step(s, err);
    if (rc == 1) {
        const char *text = db_col_text(s, 0);
        unsigned char *buf = pc_arena_alloc(a, (size_t)d->size + 4);
        long got = pc_b64url_decode(text, strlen(text), buf, (size_t)d->size + 4);
        rc = got == d->size ? 0 : pc_err_set(err, PC_EIO, "the content of document %s is damaged", d->id);
        *bytes = buf;
        *len = (size_t)d->size;
    } else if (rc == 0) {
        rc = pc_err_set(err, PC_EIO, "the content of document %s is missing", d->id);
    }
    db_conn_idle(c);
    return rc;
}

/* ---- the owner's changes --------------------------------------------------------------- */

struct doc_change {
    const struct esafe_owner *o;
    const char *id, *folder_id;
    int64_t until;
};

static int run_changed(struct db_stmt *s, struct pc_err *err)
{
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : n == 0 ? pc_err_set(err, PC_ENOTFOUND, "no such document in this e-safe") : 0;
}

static int do_delete(struct db_conn *c, void *ctx, struct pc_err *err)
{
    struct doc_change *d = ctx;
    struct db_stmt *s = db_prepare(c, "SELECT kind FROM esafe_docs WHERE id = ? AND " ES_VISIBLE, err);
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, d->id);
    es_bind_visible(s, 2, d->o, pc_now_unix());
    int rc = db_step(s, err);
    bool upload = rc == 1 && pc_str_eq(db_col_text(s, 0), esafe_kind_name(ESAFE_UPLOAD));
    db_conn_idle(c);
    if (rc <= 0)
        return rc ? rc : pc_err_set(err, PC_ENOTFOUND, "no such document in this e-safe");
    if (!upload)
        return pc_err_set(err, PC_EDENIED, "only documents the owner uploaded can be deleted");
    s = db_prepare(c, "UPDATE esafe_docs SET removed_at = ? WHERE id = ? AND removed_at IS NULL", err);
    if (!s)
        return es_failed(err);
    db_bind_int(s, 1, pc_now_unix());
    db_bind_text(s, 2, d->id);
    return run_changed(s, err);
}

int esafe_delete(struct db *db, const struct esafe_owner *o, const struct esafe_actor *by, const char *id,
                 struct pc_err *err)
{
    if (es_owner_check(o, err))
        return err->code;
    struct doc_change d = {.o = o, .id = id};
    struct es_change ch = {"esafe.delete", "esafe_doc", id, NULL};
    return es_audited(db, by, &ch, do_delete, &d, err);
}

static int do_retention(struct db_conn *c, void *ctx, struct pc_err *err)
{
    struct doc_change *d = ctx;
    struct db_stmt *s = db_prepare(c, "UPDATE esafe_docs SET retain_until = ? WHERE id = ? AND " ES_VISIBLE, err);
    if (!s)
        return es_failed(err);
    if (d->until == ESAFE_FOREVER)
        db_bind_null(s, 1);
    else
        db_bind_int(s, 1, d->until);
    db_bind_text(s, 2, d->id);
    es_bind_visible(s, 3, d->o, pc_now_unix());
    return run_changed(s, err);
}

int esafe_set_retention(struct db *db, const struct esafe_owner *o, const struct esafe_actor *by, const char *id,
                        int64_t until, struct pc_err *err)
{
    if (es_owner_check(o, err))
        return err->code;
    if (until != ESAFE_FOREVER && until <= pc_now_unix())
        return pc_err_set(err, PC_EINVAL, "a document cannot be kept until a time already past");
    struct doc_change d = {.o = o, .id = id, .until = until};
    char detail[32];
    snprintf(detail, sizeof detail, "%lld", until == ESAFE_FOREVER ? 0LL : (long long)until);
    struct es_change ch = {"esafe.retention", "esafe_doc", id, detail};
    return es_audited(db, by, &ch, do_retention, &d, err);
}

/* ---- retention: the job -------------------------------------------------------------------- */

struct purge {
    int64_t now, removed;
};

static int do_purge(struct db_conn *c, void *ctx, struct pc_err *err)
{
    struct purge *p = ctx;
    struct db_stmt *s = db_prepare(c, "UPDATE esafe_docs SET removed_at = ? WHERE removed_at IS NULL"
                                      " AND retain_until IS NOT NULL AND retain_until <= ?", err);
    if (!s)
        return es_failed(err);
    db_bind_int(s, 1, p->now);
    db_bind_int(s, 2, p->now);
    if ((p->removed = db_run(s, err)) < 0)
        return (int)p->removed;
    /* the bytes of documents no longer shown, unless another still is */
    s = db_prepare(c, "DELETE FROM esafe_contents WHERE sha256 NOT IN (SELECT sha256 FROM esafe_docs"
                      " WHERE removed_at IS NULL AND stored_in = 'esafe')", err);
    int64_t n = s ? db_run(s, err) : es_failed(err);
    return n < 0 ? (int)n : 0;
}

int esafe_purge(struct db *db, int64_t now, int64_t *removed, struct pc_err *err)
{
    struct purge p = {now, 0};
    int rc = es_xact(db, do_purge, &p, err);
    *removed = rc ? 0 : p.removed;
    if (*removed)
        pc_logf(PC_LOG_INFO, "esafe.purged", "%lld documents past their retention removed", (long long)*removed);
    return rc;
}

static int purge_step(struct db *db, void *ctx, bool fresh, struct pc_err *err)
{
    (void)ctx;
    (void)fresh;
    int64_t n;
    return esafe_purge(db, pc_now_unix(), &n, err);
}

struct esafe_jobs {
    struct db_job *purge;
};

struct esafe_jobs *esafe_jobs_start(struct db *db, struct pc_err *err)
{
    struct db_job *j = db_job_start(db, "esafe.purge", PURGE_EVERY_MS, PURGE_LEASE_SECS, purge_step, NULL, err);
    if (!j)
        return NULL;
    struct esafe_jobs *jobs = calloc(1, sizeof *jobs);
    if (!jobs)
        pc_oom(sizeof *jobs);
    jobs->purge = j;
    return jobs;
}

void esafe_jobs_stop(struct esafe_jobs *j)
{
    if (!j)
        return;
    db_job_stop(j->purge);
    free(j);
}

/* ---- folders ----------------------------------------------------------------------------------- */

struct folder_add {
    const struct esafe_owner *o;
    const char *name;
    char *id;
};

static int do_folder_add(struct db_conn *c, void *ctx, struct pc_err *err)
{
    struct folder_add *x = ctx;
    struct db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM esafe_folders WHERE owner_type = ? AND owner_id = ?", err);
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, es_owner_type_name(x->o->type));
    db_bind_text(s, 2, x->o->id);
    int rc = db_step(s, err);
    int64_t have = rc == 1 ? db_col_int(s, 0) : 0;
    db_conn_idle(c);
    if (rc < 0)
        return rc;
    if (have >= ESAFE_FOLDERS_MAX)
        return pc_err_set(err, PC_ELIMIT, "an e-safe has at most %d folders", ESAFE_FOLDERS_MAX);
    s = db_prepare(c, "INSERT INTO esafe_folders(id, owner_type, owner_id, name, created_at) VALUES (?, ?, ?, ?, ?)", err);
    if (!s)
        return es_failed(err);
    pc_random_hex(x->id, ESAFE_ID_LEN / 2);
    db_bind_text(s, 1, x->id);
    db_bind_text(s, 2, es_owner_type_name(x->o->type));
    db_bind_text(s, 3, x->o->id);
    db_bind_text(s, 4, x->name);
    db_bind_int(s, 5, pc_now_unix());
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

int esafe_folder_add(struct db *db, const struct esafe_owner *o, const char *name, char id[ESAFE_ID_LEN + 1],
                     struct pc_err *err)
{
    if (es_owner_check(o, err))
        return err->code;
    if (!pc_text_line(name, ESAFE_FOLDER_NAME_MAX))
        return pc_err_set(err, PC_EINVAL, "a folder's name is 1 to %d bytes of text", ESAFE_FOLDER_NAME_MAX);
    struct folder_add x = {o, name, id};
    return es_xact(db, do_folder_add, &x, err);
}

int esafe_folders(struct db *db, struct pc_arena *a, const struct esafe_owner *o, struct esafe_folder **out,
                  size_t *n, struct pc_err *err)
{
    *out = NULL;
    *n = 0;
    if (es_owner_check(o, err))
        return err->code;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT f.id, f.name, (SELECT COUNT(*) FROM esafe_docs d WHERE d.folder_id = f.id"
                                          " AND d.removed_at IS NULL AND (d.retain_until IS NULL OR d.retain_until > ?))"
                                          " FROM esafe_folders f WHERE f.owner_type = ? AND f.owner_id = ?"
                                          " ORDER BY f.name", err) : NULL;
    if (!s)
        return es_failed(err);
    db_bind_int(s, 1, pc_now_unix());
    db_bind_text(s, 2, es_owner_type_name(o->type));
    db_bind_text(s, 3, o->id);
    *out = pc_arena_array(a, ESAFE_FOLDERS_MAX, sizeof **out);
    int rc;
    while (*n < ESAFE_FOLDERS_MAX && (rc = db_step(s, err)) == 1)
        (*out)[(*n)++] = (struct esafe_folder){pc_arena_strdup(a, db_col_text(s, 0)),
                                               pc_arena_strdup(a, db_col_text(s, 1)), db_col_int(s, 2)};
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

int esafe_move(struct db *db, const struct esafe_owner *o, const char *id, const char *folder_id, struct pc_err *err)
{
    if (es_owner_check(o, err))
        return err->code;
    struct db_conn *c = db_conn_get(db, err);
    /* the folder must be the same owner's: checked in the statement itself */
    struct db_stmt *s = c ? db_prepare(c, folder_id
        ? "UPDATE esafe_docs SET folder_id = (SELECT f.id FROM esafe_folders f WHERE f.id = ? AND f.owner_type ="
          " esafe_docs.owner_type AND f.owner_id = esafe_docs.owner_id) WHERE id = ? AND " ES_VISIBLE
          " AND EXISTS (SELECT 1 FROM esafe_folders f WHERE f.id = ? AND f.owner_type = esafe_docs.owner_type"
          " AND f.owner_id = esafe_docs.owner_id)"
        : "UPDATE esafe_docs SET folder_id = NULL WHERE id = ? AND " ES_VISIBLE, err) : NULL;
    if (!s)
        return es_failed(err);
    int i = 1;
    if (folder_id)
        db_bind_text(s, i++, folder_id);
    db_bind_text(s, i++, id);
    es_bind_visible(s, i, o, pc_now_unix());
    if (folder_id)
        db_bind_text(s, i + 3, folder_id);
    return run_changed(s, err);
}

/* form_store.c — form definitions in the database and in memory.
 *
 * The import checks every file of a folder with the one checker and
 * stores the new versions in one transaction (all files good or nothing
 * written), raising forms_version.  Every node keeps all stored versions
 * parsed as one immutable snapshot (struct form_set) that request threads
 * share; at most every FORM_RECHECK_MS a request reads forms_version, and
 * when an import on any node raised it the snapshot is rebuilt and swapped
 * in.  A snapshot is reference-counted: a request that holds the old one
 * finishes with it, and the last release frees it. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FORM_FILES 1000
#define MAX_FORM_BYTES (1024 * 1024)

/* ---- the import ------------------------------------------------------------ */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json files of dir, sorted, in arena a. */
static int list_forms(const char *dir, struct pc_arena *a, char ***out, size_t *n, struct pc_err *err)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return pc_err_set(err, PC_EIO, "cannot open %s: %s", dir, strerror(errno));
    char **names = pc_arena_array(a, MAX_FORM_FILES, sizeof *names);
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0 || e->d_name[0] == '.')
            continue;
        if (*n == MAX_FORM_FILES) {
            rc = pc_err_set(err, PC_ETOOBIG, "%s holds more than %d form files", dir, MAX_FORM_FILES);
            break;
        }
        names[(*n)++] = pc_arena_strdup(a, e->d_name);
    }
    closedir(d);
    qsort(names, *n, sizeof *names, cmp_names);
    *out = names;
    return rc;
}

static char *read_file(const char *path, struct pc_arena *a, size_t *len, struct pc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        pc_err_set(err, PC_EIO, "cannot read: %s", strerror(errno));
        return NULL;
    }
    char *buf = pc_arena_alloc(a, MAX_FORM_BYTES + 1);
    *len = fread(buf, 1, MAX_FORM_BYTES + 1, f);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        pc_err_set(err, PC_EIO, "cannot read: %s", strerror(errno));
        return NULL;
    }
    if (*len > MAX_FORM_BYTES) {
        pc_err_set(err, PC_ETOOBIG, "is larger than %d bytes", MAX_FORM_BYTES);
        return NULL;
    }
    buf[*len] = 0;
    return buf;
}

/* Check every file; the definitions (NULL where a file has problems). */
static int check_all(const char *dir, const struct form_catalog *cat, const char *today, struct form_report *rep,
                     struct pc_arena *a, const struct form_def ***defs, size_t *n, struct pc_err *err)
{
    char **names = NULL;
    int rc = list_forms(dir, a, &names, n, err);
    if (rc)
        return rc;
    *defs = pc_arena_array(a, *n + 1, sizeof **defs);
    for (size_t i = 0; i < *n; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t len;
        struct pc_err fe = {0};
        const char *text = read_file(path, a, &len, &fe);
        if (!text) {
            rep->count++;
            if (rep->problem)
                rep->problem(rep->ctx, names[i], "$", fe.msg);
            continue;
        }
        (*defs)[i] = form_def_parse(a, text, len, names[i], cat, today, rep);
    }
    return 0;
}

int form_check_dir(const char *dir, const struct form_catalog *cat, const char *today, struct form_report *rep,
                   int *files, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    const struct form_def **defs;
    size_t n = 0;
    int rc = check_all(dir, cat, today, rep, &a, &defs, &n, err);
    *files = (int)n;
    pc_arena_release(&a);
    return rc;
}

/* The stored text of a definition: compact, keys sorted (a version's text
 * is compared with what is stored: the same form imported again is no
 * change). */
static char *canonical(const struct form_def *d)
{
    json_t *j = json_loads(d->json, JSON_REJECT_DUPLICATES, NULL);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    if (!text)
        pc_oom(strlen(d->json));
    return text;
}

/* Store one version: 1 stored, 0 the same was there, < 0 an error. */
static int store_one(struct db_conn *c, const struct form_def *d, const char *text, int64_t now,
                     struct form_report *rep, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT definition FROM forms WHERE service_id = ? AND version = ?", err);
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, d->service);
    db_bind_int(s, 2, d->version);
    int st = db_step(s, err);
    if (st < 0)
        return st;
    if (st == 1) {
        if (strcmp(db_col_text(s, 0), text) == 0)
            return 0;
        char file[200];
        snprintf(file, sizeof file, "%s.json", d->service);
        rep->count++;
        if (rep->problem)
            rep->problem(rep->ctx, file, "$.version", "this version is already stored with other content; raise it");
        return pc_err_set(err, PC_ECONFLICT, "%s: version %d is already stored with other content; raise \"version\"",
                          file, d->version);
    }
    char at[21];
    pc_rfc3339(now, at);
    s = db_prepare(c, "INSERT INTO forms(service_id, version, definition, loaded_at) VALUES (?, ?, ?, ?)", err);
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, d->service);
    db_bind_int(s, 2, d->version);
    db_bind_text(s, 3, text);
    db_bind_text(s, 4, at);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 1;
}

static int store_all(struct db *db, const struct form_def *const *defs, size_t n, struct form_report *rep,
                     struct form_import_stats *st, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return case_err(err);
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    int64_t now = pc_now_unix();
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        char *text = canonical(defs[i]);
        rc = store_one(c, defs[i], text, now, rep, err);
        free(text);
        if (rc == 1)
            st->stored++;
        else if (rc == 0)
            st->unchanged++;
    }
    if (rc >= 0 && st->stored) {
        /* every node sees the new forms at its next check */
        struct db_stmt *s = db_prepare(c, "UPDATE forms_version SET version = version + 1 WHERE id = 1", err);
        int64_t changed = s ? db_run(s, err) : case_err(err);
        rc = changed < 0 ? (int)changed : 0;
    }
    return db_end(c, rc < 0 ? rc : 0, err);
}

int form_import_dir(struct db *db, const char *dir, const struct form_catalog *cat, struct form_report *rep,
                    struct form_import_stats *st, struct pc_err *err)
{
    memset(st, 0, sizeof *st);
    struct form_report quiet = {0};
    if (!rep)
        rep = &quiet;
    struct pc_arena a;
    pc_arena_init(&a);
    const struct form_def **defs;
    size_t n = 0;
    char today[11];
    form_today(today);
    int before = rep->count;
    int rc = check_all(dir, cat, today, rep, &a, &defs, &n, err);
    st->files = (int)n;
    if (!rc && rep->count > before)
        rc = pc_err_set(err, PC_EINVAL, "%d problem%s in the forms of %s: nothing was imported", rep->count - before,
                        rep->count - before == 1 ? "" : "s", dir);
    if (!rc)
        rc = store_all(db, defs, n, rep, st, err);
    pc_arena_release(&a);
    return rc;
}

/* ---- snapshots -------------------------------------------------------------------- */

struct form_set {
    struct pc_arena arena;
    const struct form_def **defs;    /* by service, then version */
    size_t n;
    int64_t version;                 /* forms_version when loaded */
    atomic_int refs;
};

struct form_registry {
    struct db *db;
    pthread_mutex_t lock;            /* guards current (and taking a reference to it) */
    struct form_set *current;
    pthread_mutex_t reload;          /* one thread checks and reloads at a time */
    _Atomic int64_t next_check_usec;
    bool failing;                    /* the last check failed (logged once) */
};

static void set_free(struct form_set *s)
{
    pc_arena_release(&s->arena);
    free(s);
}

void form_set_release(const struct form_set *set)
{
    struct form_set *s = (struct form_set *)set;
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        set_free(s);
}

static int64_t stored_version(struct db_conn *c, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT version FROM forms_version WHERE id = 1", err);
    if (!s)
        return case_err(err);
    int rc = db_step(s, err);
    int64_t v = rc == 1 ? db_col_int(s, 0) : rc < 0 ? rc : pc_err_set(err, PC_EIO, "forms_version has no row");
    db_conn_idle(c);
    return v;
}

static void log_bad(void *ctx, const char *file, const char *path, const char *what)
{
    (void)file;
    pc_log(PC_LOG_ERROR, "forms.stored_form_unusable", "service", (const char *)ctx, "path", path, "msg", what, NULL);
}

static struct form_set *load_set(struct db *db, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return NULL;
    int64_t version = stored_version(c, err);
    struct db_stmt *s = version < 0 ? NULL
                                    : db_prepare(c, "SELECT service_id, definition FROM forms"
                                                    " ORDER BY service_id, version", err);
    if (!s)
        return NULL;
    struct form_set *set = calloc(1, sizeof *set);
    if (!set)
        pc_oom(sizeof *set);
    pc_arena_init(&set->arena);
    set->version = version;
    atomic_init(&set->refs, 1);
    size_t cap = 0;
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if (set->n == cap) {
            cap = cap ? cap * 2 : 32;
            const struct form_def **bigger = pc_arena_array(&set->arena, cap, sizeof *bigger);
            if (set->n)
                memcpy(bigger, set->defs, set->n * sizeof *bigger);
            set->defs = bigger;
        }
        const char *text = db_col_text(s, 1);
        char *service = pc_arena_strdup(&set->arena, db_col_text(s, 0));
        struct form_report rep = {.problem = log_bad, .ctx = service};
        const struct form_def *d = text ? form_def_load(&set->arena, text, strlen(text), &rep) : NULL;
        if (d)
            set->defs[set->n++] = d;
    }
    db_conn_idle(c);
    if (rc < 0) {
        set_free(set);
        return NULL;
    }
    return set;
}

struct form_registry *form_registry_open(struct db *db, struct pc_err *err)
{
    struct form_set *set = load_set(db, err);
    if (!set)
        return NULL;
    struct form_registry *reg = calloc(1, sizeof *reg);
    if (!reg)
        pc_oom(sizeof *reg);
    reg->db = db;
    reg->current = set;
    pthread_mutex_init(&reg->lock, NULL);
    pthread_mutex_init(&reg->reload, NULL);
    atomic_init(&reg->next_check_usec, pc_mono_usec() + FORM_RECHECK_MS * 1000);
    return reg;
}

void form_registry_close(struct form_registry *reg)
{
    if (!reg)
        return;
    form_set_release(reg->current);
    pthread_mutex_destroy(&reg->lock);
    pthread_mutex_destroy(&reg->reload);
    free(reg);
}

/* Read the stored version; when it moved, load the forms and swap them in. */
static void refresh(struct form_registry *reg)
{
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(reg->db, &err);
    int64_t v = c ? stored_version(c, &err) : case_err(&err);
    struct form_set *fresh = v >= 0 && v != reg->current->version ? load_set(reg->db, &err) : NULL;
    bool failed = v < 0 || (v != reg->current->version && !fresh);
    if (failed && !reg->failing)
        pc_log(PC_LOG_WARN, "forms.reload_failed", "msg", err.msg, "code", pc_errcode_name(err.code), NULL);
    reg->failing = failed;
    if (!fresh)
        return;
    pthread_mutex_lock(&reg->lock);
    struct form_set *old = reg->current;
    reg->current = fresh;
    pthread_mutex_unlock(&reg->lock);
    form_set_release(old);
    pc_logf(PC_LOG_INFO, "forms.reloaded", "forms version %lld: %zu definitions", (long long)fresh->version, fresh->n);
}

const struct form_set *form_set_acquire(struct form_registry *reg)
{
    int64_t now = pc_mono_usec();
    if (now >= atomic_load(&reg->next_check_usec) && pthread_mutex_trylock(&reg->reload) == 0) {
        atomic_store(&reg->next_check_usec, now + FORM_RECHECK_MS * 1000);
        refresh(reg);
        pthread_mutex_unlock(&reg->reload);
    }
    pthread_mutex_lock(&reg->lock);
    struct form_set *s = reg->current;
    atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(&reg->lock);
    return s;
}

const struct form_def *form_set_version(const struct form_set *set, const char *service_id, int version)
{
    for (size_t i = 0; set && service_id && i < set->n; i++)
        if (set->defs[i]->version == version && strcmp(set->defs[i]->service, service_id) == 0)
            return set->defs[i];
    return NULL;
}

const struct form_def *form_set_get(const struct form_set *set, const char *service_id)
{
    const struct form_def *best = NULL;
    for (size_t i = 0; set && service_id && i < set->n; i++)
        if (strcmp(set->defs[i]->service, service_id) == 0 && (!best || set->defs[i]->version > best->version))
            best = set->defs[i];
    return best;
}

bool form_offered(struct form_registry *reg, const char *service_id)
{
    const struct form_set *set = form_set_acquire(reg);
    bool yes = form_set_get(set, service_id) != NULL;
    form_set_release(set);
    return yes;
}

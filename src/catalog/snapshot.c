/* snapshot.c — the catalogue in memory: an immutable snapshot of every
 * active agency, life situation and service of one catalogue version, with
 * the search index (search.c), loaded from the database, which stays the
 * source of truth (imports write there).  Which snapshot is current, and
 * when a new one is loaded, is cache.c's. */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- references --------------------------------------------------------- */

static void snapshot_free(struct cat_snapshot *s)
{
    pc_arena_release(&s->arena);
    free(s);
}

void cat_snapshot_unref(void *p)
{
    struct cat_snapshot *s = p;
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        snapshot_free(s);
}

int64_t cat_query_int(struct db *db, const char *sql, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, sql, err) : NULL;
    if (!s)
        return PC_EIO;
    int rc = db_step(s, err);
    if (rc != 1)
        return rc < 0 ? rc : pc_err_set(err, PC_EIO, "no row from %s", sql);
    int64_t v = db_col_int(s, 0);
    db_step(s, err); /* finish it: a half-read statement would pin SQLite's snapshot */
    return v;
}

int64_t cat_read_version(struct db *db, struct pc_err *err)
{
    return cat_query_int(db, "SELECT version FROM catalog_version WHERE id = 1", err);
}

/* ---- loading ------------------------------------------------------------- */

/* A growable array on the heap while rows arrive; copied into the
 * snapshot's arena at its final size. */
struct vec {
    char *p;
    size_t n, cap, size;
};

static void *vec_push(struct vec *v)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 64;
        char *p = realloc(v->p, v->cap * v->size);
        if (!p)
            pc_oom(v->cap * v->size);
        v->p = p;
    }
    return memset(v->p + v->n++ * v->size, 0, v->size);
}

static void *vec_keep(struct vec *v, struct pc_arena *a, size_t *n)
{
    *n = v->n;
    void *out = pc_arena_array(a, v->n ? v->n : 1, v->size);
    if (v->n)
        memcpy(out, v->p, v->n * v->size);
    free(v->p);
    *v = (struct vec){.size = v->size};
    return out;
}

static const char *col(struct pc_arena *a, struct db_stmt *s, int i)
{
    return pc_arena_strdup(a, db_col_text(s, i));
}

static struct pc_text col_text(struct pc_arena *a, struct db_stmt *s, int first)
{
    struct pc_text t;
    for (int i = 0; i < PC_LANG_COUNT; i++)
        t.s[i] = col(a, s, first + i);
    return t;
}

static int64_t col_int_or(struct db_stmt *s, int i, int64_t dflt)
{
    return db_col_is_null(s, i) ? dflt : db_col_int(s, i);
}

/* The stored evaluation (written by the import, so it parses). */
static const struct cat_maturity *col_maturity(struct pc_arena *a, struct db_stmt *s, int i)
{
    const struct cat_maturity *m = NULL;
    json_t *j = db_col_text(s, i) ? json_loads(db_col_text(s, i), 0, NULL) : NULL;
    if (j && cat_maturity_parse(a, j, &m, NULL))
        m = NULL;
    json_decref(j);
    return m;
}

static void read_agency(struct pc_arena *a, struct db_stmt *s, void *item)
{
    struct snap_agency *g = item;
    g->v.id = col(a, s, 0);
    g->v.name = col_text(a, s, 1);
    g->v.shortname = col_text(a, s, 4);
    g->v.kind = col(a, s, 7);
    g->v.website = col(a, s, 8);
    g->v.approved_services = (int)col_int_or(s, 9, -1);
    g->v.source = col(a, s, 10);
    g->folded = col(a, s, 11);
    g->active = db_col_int(s, 12) != 0;
}

static void read_service(struct pc_arena *a, struct db_stmt *s, void *item)
{
    struct snap_service *x = item;
    struct cat_service *v = &x->v;
    v->id = col(a, s, 0);
    v->agency_id = col(a, s, 1);
    v->name = col_text(a, s, 2);
    v->description = col_text(a, s, 5);
    v->for_citizens = db_col_int(s, 8) != 0;
    v->for_entrepreneurs = db_col_int(s, 9) != 0;
    v->for_officials = db_col_int(s, 10) != 0;
    v->relations = cat_set_load(&cat_vocab_relation, db_col_text(s, 11));
    int login = cat_login_parse(db_col_text(s, 12));
    v->login = login < 0 ? CAT_LOGIN_E_SIGNATURE : (enum cat_login)login; /* never: the import checked it */
    v->fee_qepik = col_int_or(s, 13, -1);
    v->free = db_col_int(s, 14) != 0;
    v->deadline_days = (int)col_int_or(s, 15, -1);
    v->channels = cat_set_load(&cat_vocab_channel, db_col_text(s, 16));
    v->approved_list = col(a, s, 17);
    v->maturity = col_maturity(a, s, 18);
    v->source = col(a, s, 19);
    x->name_folded = col(a, s, 20);
    x->desc_folded = col(a, s, 21);
    x->audiences = (v->for_citizens ? CAT_BIT(CAT_AUD_CITIZENS) : 0) |
                   (v->for_entrepreneurs ? CAT_BIT(CAT_AUD_ENTREPRENEURS) : 0) |
                   (v->for_officials ? CAT_BIT(CAT_AUD_OFFICIALS) : 0);
}

/* A document or a life situation of a service, before it is sorted in. */
struct link {
    const char *service;
    int64_t position;             /* documents: their order */
    struct pc_text text;          /* documents: the names */
    const char *id;               /* life situations: the id */
};

static void read_document(struct pc_arena *a, struct db_stmt *s, void *item)
{
    struct link *l = item;
    l->service = col(a, s, 0);
    l->position = db_col_int(s, 1);
    l->text = col_text(a, s, 2);
}

static void read_life_event_link(struct pc_arena *a, struct db_stmt *s, void *item)
{
    struct link *l = item;
    l->service = col(a, s, 0);
    l->id = col(a, s, 1);
}

static void read_life_event(struct pc_arena *a, struct db_stmt *s, void *item)
{
    struct cat_life_event *e = item;
    e->id = col(a, s, 0);
    e->name = col_text(a, s, 1);
    e->position = (int)db_col_int(s, 4);
}

/* Every row of a query into v, read by fn.  The statement is stepped to its
 * end, so it holds nothing afterwards. */
static int load_rows(struct db_conn *c, struct pc_arena *a, const char *sql, struct vec *v,
                     void (*fn)(struct pc_arena *a, struct db_stmt *s, void *item), struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, sql, err);
    if (!s)
        return PC_EIO;
    int rc;
    while ((rc = db_step(s, err)) == 1)
        fn(a, s, vec_push(v));
    return rc;
}

/* ---- putting the rows in order ------------------------------------------ */

static int by_agency_id(const void *x, const void *y)
{
    return strcmp(((const struct snap_agency *)x)->v.id, ((const struct snap_agency *)y)->v.id);
}

static int by_agency_name(const void *x, const void *y)
{
    const struct cat_agency *a = x, *b = y;
    int c = strcmp(a->name.s[PC_LANG_AZ], b->name.s[PC_LANG_AZ]);
    return c ? c : strcmp(a->id, b->id);
}

static int by_event_order(const void *x, const void *y)
{
    const struct cat_life_event *a = x, *b = y;
    return a->position != b->position ? (a->position < b->position ? -1 : 1) : strcmp(a->id, b->id);
}

static int by_service_id(const void *x, const void *y)
{
    return strcmp(((const struct snap_service *)x)->v.id, ((const struct snap_service *)y)->v.id);
}

static int by_service_then_position(const void *x, const void *y)
{
    const struct link *a = x, *b = y;
    int c = strcmp(a->service, b->service);
    return c ? c : a->position != b->position ? (a->position < b->position ? -1 : 1) : 0;
}

static int by_service_then_id(const void *x, const void *y)
{
    const struct link *a = x, *b = y;
    int c = strcmp(a->service, b->service);
    return c ? c : strcmp(a->id, b->id);
}

static int by_event_id(const void *x, const void *y)
{
    return strcmp((*(const struct cat_life_event *const *)x)->id, (*(const struct cat_life_event *const *)y)->id);
}

const struct snap_service *cat_snapshot_service(const struct cat_snapshot *s, const char *id)
{
    struct snap_service key = {.v.id = id};
    return bsearch(&key, s->services, s->nservices, sizeof key, by_service_id);
}

const struct snap_agency *cat_snapshot_agency(const struct cat_snapshot *s, const char *id)
{
    struct snap_agency key = {.v.id = id};
    return bsearch(&key, s->agencies, s->nagencies, sizeof key, by_agency_id);
}

/* Sort, link services to their agency, documents and life situations,
 * count, and build the search index. */
static void snapshot_finish(struct cat_snapshot *s, struct link *docs, size_t ndocs, struct link *events,
                            size_t nlinks)
{
    struct pc_arena *a = &s->arena;
    qsort(s->agencies, s->nagencies, sizeof *s->agencies, by_agency_id);
    qsort(s->services, s->nservices, sizeof *s->services, by_service_id);
    qsort(docs, ndocs, sizeof *docs, by_service_then_position);
    qsort(events, nlinks, sizeof *events, by_service_then_id);
    qsort(s->events, s->nevents, sizeof *s->events, by_event_order);

    /* services whose agency is missing would not have joined in SQL either */
    size_t kept = 0, d = 0, e = 0;
    for (size_t i = 0; i < s->nservices; i++) {
        struct snap_service *x = &s->services[i];
        struct snap_agency *g = (struct snap_agency *)cat_snapshot_agency(s, x->v.agency_id);
        const char *id = x->v.id;
        while (d < ndocs && strcmp(docs[d].service, id) < 0)
            d++;
        size_t d0 = d;
        while (d < ndocs && strcmp(docs[d].service, id) == 0)
            d++;
        while (e < nlinks && strcmp(events[e].service, id) < 0)
            e++;
        size_t e0 = e;
        while (e < nlinks && strcmp(events[e].service, id) == 0)
            e++;
        if (!g)
            continue;
        x->agency = (uint32_t)(g - s->agencies);
        x->v.agency_name = g->v.name;
        if (g->active)
            g->v.service_count++;
        x->v.ndocuments = d - d0;
        x->v.documents = pc_arena_array(a, x->v.ndocuments ? x->v.ndocuments : 1, sizeof *x->v.documents);
        for (size_t k = 0; k < x->v.ndocuments; k++)
            x->v.documents[k] = docs[d0 + k].text;
        x->v.nlife_events = e - e0;
        x->v.life_events = pc_arena_array(a, x->v.nlife_events ? x->v.nlife_events : 1, sizeof *x->v.life_events);
        for (size_t k = 0; k < x->v.nlife_events; k++)
            x->v.life_events[k] = events[e0 + k].id;
        s->services[kept++] = *x;
    }
    s->nservices = kept;

    /* life situations count the active services under them */
    const struct cat_life_event **by_id = pc_arena_array(a, s->nevents ? s->nevents : 1, sizeof *by_id);
    for (size_t i = 0; i < s->nevents; i++)
        by_id[i] = &s->events[i];
    qsort(by_id, s->nevents, sizeof *by_id, by_event_id);
    for (size_t i = 0; i < s->nservices; i++)
        for (size_t k = 0; k < s->services[i].v.nlife_events; k++) {
            struct cat_life_event key = {.id = s->services[i].v.life_events[k]};
            const struct cat_life_event *kp = &key;
            const struct cat_life_event **hit = bsearch(&kp, by_id, s->nevents, sizeof *by_id, by_event_id);
            if (hit)
                ((struct cat_life_event *)*hit)->service_count++;
        }

    s->nagency_list = 0;
    s->agency_list = pc_arena_array(a, s->nagencies ? s->nagencies : 1, sizeof *s->agency_list);
    for (size_t i = 0; i < s->nagencies; i++)
        if (s->agencies[i].active)
            s->agency_list[s->nagency_list++] = s->agencies[i].v;
    qsort(s->agency_list, s->nagency_list, sizeof *s->agency_list, by_agency_name);
    cat_index_build(s);
}

#define LOAD_TRIES 5

/* Read every row of one version: the version is read before and after, and
 * the rows kept only when it did not move (an import commits all its rows
 * and the new version at once, so no import fell in between). */
struct cat_snapshot *cat_snapshot_load(struct db *db, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return NULL;
    for (int attempt = 0; attempt < LOAD_TRIES; attempt++) {
        struct cat_snapshot *s = calloc(1, sizeof *s);
        if (!s)
            pc_oom(sizeof *s);
        pc_arena_init(&s->arena);
        struct pc_arena *a = &s->arena;
        struct pc_arena scratch;
        pc_arena_init(&scratch);
        struct vec ag = {.size = sizeof(struct snap_agency)}, ev = {.size = sizeof(struct cat_life_event)},
                   sv = {.size = sizeof(struct snap_service)}, docs = {.size = sizeof(struct link)},
                   links = {.size = sizeof(struct link)};
        int64_t v1 = cat_read_version(db, err), v2 = -1;
        int rc = v1 < 0 ? (int)v1 : 0;
        if (!rc)
            rc = load_rows(c, a,
                "SELECT id, name_az, name_en, name_ru, short_az, short_en, short_ru, kind, website, "
                "approved_services, source, name_folded, active FROM agencies", &ag,
                read_agency, err);
        if (!rc)
            rc = load_rows(c, a, "SELECT id, name_az, name_en, name_ru, position FROM life_events WHERE active = 1",
                &ev, read_life_event, err);
        if (!rc)
            rc = load_rows(c, a,
                "SELECT id, agency_id, name_az, name_en, name_ru, desc_az, desc_en, desc_ru, for_citizens, "
                "for_entrepreneurs, for_officials, relations, login, fee_qepik, free, deadline_days, channels, "
                "approved_list, maturity_json, source, name_folded, desc_folded FROM services WHERE active = 1",
                &sv, read_service, err);
        if (!rc)
            rc = load_rows(c, a,
                "SELECT d.service_id, d.position, d.name_az, d.name_en, d.name_ru FROM service_documents d"
                " JOIN services s ON s.id = d.service_id WHERE s.active = 1", &docs,
                read_document, err);
        if (!rc)
            rc = load_rows(c, a,
                "SELECT le.service_id, le.life_event_id FROM service_life_events le"
                " JOIN services s ON s.id = le.service_id WHERE s.active = 1", &links,
                read_life_event_link, err);
        if (!rc && (v2 = cat_read_version(db, err)) < 0)
            rc = (int)v2;
        s->agencies = vec_keep(&ag, a, &s->nagencies);
        s->events = vec_keep(&ev, a, &s->nevents);
        s->services = vec_keep(&sv, a, &s->nservices);
        size_t ndocs, nlinks;
        struct link *d = vec_keep(&docs, &scratch, &ndocs), *l = vec_keep(&links, &scratch, &nlinks);
        if (!rc && v1 == v2) {
            s->version = v1;
            atomic_init(&s->refs, 1);
            snapshot_finish(s, d, ndocs, l, nlinks);
            pc_arena_release(&scratch);
            return s;
        }
        pc_arena_release(&scratch);
        snapshot_free(s);
        if (rc)
            return NULL;
    }
    pc_err_set(err, PC_EUNAVAIL, "the catalogue changed during each of %d reads of it", LOAD_TRIES);
    return NULL;
}

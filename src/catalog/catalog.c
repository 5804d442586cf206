/* catalog.c — reading the catalogue: agencies, life situations, one
 * service, services by filters (search.c), all from the snapshot of the
 * current version (snapshot.c).  Items are copied into the caller's
 * arena; their strings stay in the snapshot, which the arena holds. */
#include "internal.h"

#include <string.h>

int cat_list_agencies(struct db *db, struct pc_arena *a, struct cat_agency **out, size_t *n, struct pc_err *err)
{
    const struct cat_snapshot *s;
    int rc = cat_snapshot_get(db, a, &s, err);
    if (rc)
        return rc;
    *n = s->nagency_list;
    *out = pc_arena_array(a, *n ? *n : 1, sizeof **out);
    memcpy(*out, s->agency_list, *n * sizeof **out);
    return 0;
}

int cat_get_agency(struct db *db, struct pc_arena *a, const char *id, struct cat_agency *out, struct pc_err *err)
{
    const struct cat_snapshot *s;
    int rc = cat_snapshot_get(db, a, &s, err);
    if (rc)
        return rc;
    const struct snap_agency *g = cat_snapshot_agency(s, id);
    if (!g || !g->active)
        return pc_err_set(err, PC_ENOTFOUND, "no agency \"%s\"", id);
    *out = g->v;
    return 0;
}

int cat_list_life_events(struct db *db, struct pc_arena *a, struct cat_life_event **out, size_t *n, struct pc_err *err)
{
    const struct cat_snapshot *s;
    int rc = cat_snapshot_get(db, a, &s, err);
    if (rc)
        return rc;
    *n = s->nevents;
    *out = pc_arena_array(a, *n ? *n : 1, sizeof **out);
    memcpy(*out, s->events, *n * sizeof **out);
    return 0;
}

int cat_find_services(struct db *db, struct pc_arena *a, const struct cat_filter *f, struct cat_page *out,
                      struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    const struct cat_snapshot *s;
    int rc = cat_filter_check(f, err);
    if (!rc)
        rc = cat_snapshot_get(db, a, &s, err);
    if (rc)
        return rc;
    return cat_index_find(s, a, f, out, err);
}

int cat_get_service(struct db *db, struct pc_arena *a, const char *id, struct cat_service *out, struct pc_err *err)
{
    const struct cat_snapshot *s;
    int rc = cat_snapshot_get(db, a, &s, err);
    if (rc)
        return rc;
    const struct snap_service *x = cat_snapshot_service(s, id);
    if (!x)
        return pc_err_set(err, PC_ENOTFOUND, "no service \"%s\"", id);
    *out = x->v;
    return 0;
}

int64_t cat_count_services(struct db *db, struct pc_err *err)
{
    return cat_query_int(db, "SELECT COUNT(*) FROM services", err);
}

/* approved.c — the registry of approved e-services as the operator keeps
 * it in the portal: the Cabinet's decisions (number, date), each body's
 * services on a decision's list (or on none), and since when each is on
 * the portal and on the body's own site.  The comparison tables of the
 * dates after the seed's (data/evaluations/approved-services.jsonl, the
 * bulletins' tables) are computed from these rows, so the page shows the
 * published history and then the kept one in the same shape. */
#include "internal.h"
#include "../catalog/catalog.h"
#include "../identity/identity.h"

#include <stdlib.h>
#include <string.h>

#define KEPT_DATES_MAX 24   /* tables shown from the kept rows: the latest */

static int operator_role(const struct id_principal *who, struct pc_err *err)
{
    int role = id_authorize_role(who, ID_ACT_MANAGE_CATALOG, NULL);
    return role < 0 ? pc_err_set(err, PC_EDENIED, "only the portal's operators keep the registry") : role;
}

/* A day YYYY-MM-DD (NULL or "" allowed when optional). */
static int day_check(const char *s, bool optional, const char *what, struct pc_err *err)
{
    if (!s || !*s)
        return optional ? 0 : pc_err_set(err, PC_EINVAL, "%s is required (YYYY-MM-DD)", what);
    struct mon_period p;
    if (strlen(s) != 10 || mon_period_parse(s, NULL, &p, err))
        return pc_err_set(err, PC_EINVAL, "%s: write a day YYYY-MM-DD", what);
    return 0;
}

int mon_decision_add(struct db *db, const struct id_principal *who, const char *number, const char *date,
                     const char *ip, struct pc_arena *a, const char **id, struct pc_err *err)
{
    int role = operator_role(who, err);
    if (role < 0)
        return role;
    int rc = mon__text_check(number, 40, true, false, "the decision's number", err);
    if (!rc)
        rc = day_check(date, false, "the decision's date", err);
    if (rc)
        return rc;
    char *did = mon__new_id(a);
    struct db_conn *c;
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    struct db_stmt *s = db_prepare(c, "INSERT INTO mon_decisions(id, number, decided_on, created_by, created_at)"
                                      " VALUES (?, ?, ?, ?, ?)", err);
    if (!s) {
        rc = err->code;
    } else {
        db_bind_text(s, 1, did);
        db_bind_text(s, 2, number);
        db_bind_text(s, 3, date);
        db_bind_text(s, 4, who->account_id);
        db_bind_int(s, 5, pc_now_unix());
        rc = mon__ran(db_run(s, err));
    }
    struct audit_entry e = mon__audit(who, role, "registry.decision_add", "cabinet_decision", did, ip, NULL);
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    *id = did;
    return 0;
}

/* The date of a decision (PC_EINVAL when there is none such). */
static int decision_date(struct db_conn *c, struct pc_arena *a, const char *id, const char **date,
                         struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT decided_on FROM mon_decisions WHERE id = ?", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_EINVAL, "no decision \"%.40s\"", id);
    *date = pc_arena_strdup(a, db_col_text(s, 0));
    return 0;
}

int mon_reg_entry_add(struct db *db, const struct id_principal *who, const char *decision, const char *agency,
                      const char *name, const char *service, const char *ip, struct pc_arena *a, const char **id,
                      struct pc_err *err)
{
    int role = operator_role(who, err);
    if (role < 0)
        return role;
    int rc = mon__text_check(name, MON_REG_NAME_MAX, true, false, "the service's name", err);
    struct cat_agency ag;
    if (!rc && (rc = cat_get_agency(db, a, agency ? agency : "", &ag, err)) == PC_ENOTFOUND)
        rc = pc_err_set(err, PC_EINVAL, "no agency \"%.40s\" in the catalogue", agency ? agency : "");
    struct cat_service svc;
    if (!rc && service && *service && (rc = cat_get_service(db, a, service, &svc, err)) == PC_ENOTFOUND)
        rc = pc_err_set(err, PC_EINVAL, "no service \"%.60s\" in the catalogue", service);
    if (!rc && service && *service && strcmp(svc.agency_id, agency) != 0)
        rc = pc_err_set(err, PC_EINVAL, "the service %s is another agency's", service);
    if (rc)
        return rc;
    char *eid = mon__new_id(a);
    struct db_conn *c;
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    const char *date;
    if (decision && *decision)
        rc = decision_date(c, a, decision, &date, err);
    struct db_stmt *s = rc ? NULL : db_prepare(c, "INSERT INTO mon_reg_entries(id, decision_id, agency_id, name,"
                                                  " service_id, created_at) VALUES (?, ?, ?, ?, ?, ?)", err);
    if (s) {
        db_bind_text(s, 1, eid);
        if (decision && *decision)
            db_bind_text(s, 2, decision);
        else
            db_bind_null(s, 2);
        db_bind_text(s, 3, agency);
        db_bind_text(s, 4, name);
        if (service && *service)
            db_bind_text(s, 5, service);
        else
            db_bind_null(s, 5);
        db_bind_int(s, 6, pc_now_unix());
        rc = mon__ran(db_run(s, err));
    } else if (!rc) {
        rc = err->code;
    }
    struct audit_entry e = mon__audit(who, role, "registry.entry_add", "approved_service", eid, ip, NULL);
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    *id = eid;
    return 0;
}

static void bind_opt(struct db_stmt *s, int i, const char *v)
{
    if (v && *v)
        db_bind_text(s, i, v);
    else
        db_bind_null(s, i);
}

int mon_reg_entry_mark(struct db *db, const struct id_principal *who, const char *id, const char *on_portal,
                       const char *on_own_site, const char *ip, struct pc_err *err)
{
    int role = operator_role(who, err);
    if (role < 0)
        return role;
    int rc = day_check(on_portal, true, "on the portal since", err);
    if (!rc)
        rc = day_check(on_own_site, true, "on its own site since", err);
    if (rc)
        return rc;
    struct db_conn *c;
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    struct db_stmt *s = db_prepare(c, "UPDATE mon_reg_entries SET on_portal_since = ?, on_own_site_since = ?"
                                      " WHERE id = ?", err);
    if (!s) {
        rc = err->code;
    } else {
        bind_opt(s, 1, on_portal);
        bind_opt(s, 2, on_own_site);
        db_bind_text(s, 3, id ? id : "");
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : n == 0 ? pc_err_set(err, PC_ENOTFOUND, "no registry entry \"%.40s\"", id ? id : "") : 0;
    }
    struct audit_entry e = mon__audit(who, role, "registry.entry_mark", "approved_service", id ? id : "", ip, NULL);
    return audit_end(c, rc, &e, err);
}

/* ---- reading ---------------------------------------------------------------- */

static const char *opt(struct pc_arena *a, struct db_stmt *s, int i)
{
    return db_col_is_null(s, i) ? NULL : pc_arena_strdup(a, db_col_text(s, i));
}

int mon_decisions_list(struct db *db, struct pc_arena *a, struct mon_decision **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, MON_REG_DECISIONS_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT id, number, decided_on FROM mon_decisions"
                                          " ORDER BY decided_on, number LIMIT ?", err) : NULL;
    if (!s)
        return err->code;
    db_bind_int(s, 1, MON_REG_DECISIONS_MAX);
    int rc;
    while ((rc = db_step(s, err)) == 1)
        (*out)[(*n)++] = (struct mon_decision){opt(a, s, 0), opt(a, s, 1), opt(a, s, 2)};
    return rc < 0 ? rc : 0;
}

int mon_reg_entries_list(struct db *db, struct pc_arena *a, struct mon_reg_entry **out, size_t *n,
                         struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, MON_REG_ENTRIES_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT id, decision_id, agency_id, name, service_id, on_portal_since,"
                                          " on_own_site_since FROM mon_reg_entries ORDER BY agency_id, created_at, id"
                                          " LIMIT ?", err) : NULL;
    if (!s)
        return err->code;
    db_bind_int(s, 1, MON_REG_ENTRIES_MAX);
    int rc;
    while ((rc = db_step(s, err)) == 1)
        (*out)[(*n)++] = (struct mon_reg_entry){opt(a, s, 0), opt(a, s, 1), opt(a, s, 2), opt(a, s, 3),
                                                opt(a, s, 4), opt(a, s, 5), opt(a, s, 6)};
    return rc < 0 ? rc : 0;
}

/* ---- the tables of the kept rows -------------------------------------------- */

static bool by(const char *since, const char *day)
{
    return since && strcmp(since, day) <= 0;
}

static const char *approved_on(const struct mon_decision *d, size_t nd, const struct mon_reg_entry *e)
{
    for (size_t i = 0; e->decision && i < nd; i++)
        if (strcmp(d[i].id, e->decision) == 0)
            return d[i].date;
    return NULL;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The distinct dates of decisions and marks after `after`, oldest first,
 * the latest KEPT_DATES_MAX of them. */
static size_t kept_dates(struct pc_arena *a, const struct mon_decision *d, size_t nd, const struct mon_reg_entry *e,
                         size_t ne, const char *after, const char ***out)
{
    const char **v = pc_arena_array(a, nd + 2 * ne + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < nd; i++)
        v[n++] = d[i].date;
    for (size_t i = 0; i < ne; i++) {
        if (e[i].on_portal)
            v[n++] = e[i].on_portal;
        if (e[i].on_own_site)
            v[n++] = e[i].on_own_site;
    }
    qsort(v, n, sizeof *v, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if ((!after || strcmp(v[i], after) > 0) && (k == 0 || strcmp(v[k - 1], v[i]) != 0))
            v[k++] = v[i];
    size_t skip = k > KEPT_DATES_MAX ? k - KEPT_DATES_MAX : 0;
    *out = v + skip;
    return k - skip;
}

/* One body's (agency NULL: every body's) figures on day. */
static void count(const struct mon_decision *d, size_t nd, const struct mon_reg_entry *e, size_t ne,
                  const char *agency, const char *day, int n[MON_REG_COUNT])
{
    memset(n, 0, MON_REG_COUNT * sizeof *n);
    for (size_t i = 0; i < ne; i++) {
        if (agency && strcmp(e[i].agency, agency) != 0)
            continue;
        bool approved = by(approved_on(d, nd, &e[i]), day);
        bool portal = by(e[i].on_portal, day), own = by(e[i].on_own_site, day);
        n[MON_REG_APPROVED] += approved;
        n[MON_REG_APPROVED_ON_PORTAL] += approved && portal;
        n[MON_REG_ON_PORTAL] += portal;
        n[MON_REG_ON_OWN_SITE] += own;
        n[MON_REG_APPROVED_ON_OWN_SITE] += approved && own;
    }
}

static bool any(const int n[MON_REG_COUNT])
{
    for (int f = 0; f < MON_REG_COUNT; f++)
        if (n[f])
            return true;
    return false;
}

void mon_registry_add_kept(struct pc_arena *a, const struct mon_decision *d, size_t nd,
                           const struct mon_reg_entry *e, size_t ne, struct mon_registry *reg)
{
    const char **dates;
    size_t ndates = kept_dates(a, d, nd, e, ne, reg->ndates ? reg->dates[reg->ndates - 1] : NULL, &dates);
    if (!ndates)
        return;
    /* the bodies, each once, in the entries' order (by agency id) */
    const char **bodies = pc_arena_array(a, ne ? ne : 1, sizeof *bodies);
    size_t nbodies = 0;
    for (size_t i = 0; i < ne; i++)
        if (!nbodies || strcmp(bodies[nbodies - 1], e[i].agency) != 0)
            bodies[nbodies++] = e[i].agency;
    struct mon_reg_row *rows = pc_arena_array(a, reg->nrows + ndates * (nbodies + 1), sizeof *rows);
    memcpy(rows, reg->rows, reg->nrows * sizeof *rows);
    const char **all = pc_arena_array(a, reg->ndates + ndates, sizeof *all);
    memcpy(all, reg->dates, reg->ndates * sizeof *all);
    size_t nrows = reg->nrows;
    for (size_t k = 0; k < ndates; k++) {
        int shown = 0;
        for (size_t b = 0; b < nbodies; b++) {
            struct mon_reg_row *r = &rows[nrows];
            memset(r, 0, sizeof *r);
            count(d, nd, e, ne, bodies[b], dates[k], r->n);
            if (!any(r->n))
                continue;
            r->date = dates[k];
            r->row = pc_arena_printf(a, "%d", ++shown);
            r->agency = bodies[b];
            r->listed = r->n[MON_REG_APPROVED] > 0;
            nrows++;
        }
        struct mon_reg_row *t = &rows[nrows++];
        memset(t, 0, sizeof *t);
        count(d, nd, e, ne, NULL, dates[k], t->n);
        t->date = dates[k];
        t->total = true;
        all[reg->ndates + k] = dates[k];
    }
    reg->rows = rows;
    reg->nrows = nrows;
    reg->dates = all;
    reg->ndates += ndates;
}

int mon_registry_current(struct db *db, struct pc_arena *a, struct mon_registry *out, struct pc_err *err)
{
    const struct mon_registry *seed;
    int rc = mon_registry_get(&seed, err);
    if (rc == PC_ENOTFOUND)
        memset(out, 0, sizeof *out); /* no seed: the kept rows alone */
    else if (rc)
        return rc;
    else
        *out = *seed;
    struct mon_decision *d;
    struct mon_reg_entry *e;
    size_t nd, ne;
    if ((rc = mon_decisions_list(db, a, &d, &nd, err)) || (rc = mon_reg_entries_list(db, a, &e, &ne, err)))
        return rc;
    mon_registry_add_kept(a, d, nd, e, ne, out);
    return 0;
}

/* entity.c — legal entities (keyed by VÖEN) and the persons who may act
 * for them: granting, listing, and revoking a representation, which ends
 * any session acting for the entity at once. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

int id_entities_of(struct db *db, struct pc_arena *a, const char *fin, struct id_entity **out, size_t *n,
                   bool *more, struct pc_err *err)
{
    *n = 0;
    *more = false;
    *out = pc_arena_array(a, ID_ENTITIES_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
        "SELECT e.voen, e.name, e.legal_form, e.status, e.address, r.scope FROM representatives r"
        " JOIN legal_entities e ON e.voen = r.voen WHERE r.fin = ? AND r.revoked_at IS NULL"
        " ORDER BY e.name, e.voen LIMIT ?", err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, fin);
    db_bind_int(s, 2, ID_ENTITIES_MAX + 1);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if (*n == ID_ENTITIES_MAX) {
            *more = true;
            break;
        }
        struct id_entity *e = &(*out)[(*n)++];
        e->voen = pc_arena_strdup(a, db_col_text(s, 0));
        e->name = pc_arena_strdup(a, db_col_text(s, 1));
        e->legal_form = pc_arena_strdup(a, db_col_text(s, 2));
        e->status = pc_arena_strdup(a, db_col_text(s, 3));
        e->address = pc_arena_strdup(a, db_col_text(s, 4));
        e->scope = pc_arena_strdup(a, db_col_text(s, 5));
    }
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

int id_entity_put(struct db_conn *c, const struct id_entity *e, struct pc_err *err)
{
    if (!id_voen_valid(e->voen))
        return pc_err_set(err, PC_EINVAL, "VÖEN must be 10 digits");
    if (!e->name || !*e->name || !e->legal_form || !*e->legal_form)
        return pc_err_set(err, PC_EINVAL, "a legal entity needs a name and a legal form");
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO legal_entities(voen, name, legal_form, status, address, created_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(voen) DO UPDATE SET name = excluded.name, legal_form = excluded.legal_form,"
        " status = excluded.status, address = excluded.address", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, e->voen);
    db_bind_text(s, 2, e->name);
    db_bind_text(s, 3, e->legal_form);
    db_bind_text(s, 4, e->status ? e->status : "active");
    db_bind_text(s, 5, e->address);
    db_bind_text(s, 6, now);
    return id_ran(db_run(s, err));
}

int id_representative_grant(struct db_conn *c, const char *voen, const char *fin, const char *scope,
                            struct pc_err *err)
{
    if (!id_voen_valid(voen) || !id_fin_valid(fin))
        return pc_err_set(err, PC_EINVAL, "a representation needs a VÖEN and a FİN");
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    struct db_stmt *s = db_prepare(c, "INSERT INTO representatives(voen, fin, scope, granted_at) VALUES (?, ?, ?, ?)"
                                      " ON CONFLICT(voen, fin) DO UPDATE SET scope = excluded.scope,"
                                      " granted_at = excluded.granted_at, revoked_at = NULL", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, voen);
    db_bind_text(s, 2, fin);
    db_bind_text(s, 3, scope ? scope : "full");
    db_bind_text(s, 4, now);
    return id_ran(db_run(s, err));
}

int id_representative_revoke(struct db *db, const char *voen, const char *fin, const char *by, const char *ip,
                             struct pc_err *err)
{
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    struct db_stmt *s = db_prepare(c, "UPDATE representatives SET revoked_at = ? WHERE voen = ? AND fin = ?"
                                      " AND revoked_at IS NULL", err);
    rc = id_failed(err);
    if (s) {
        db_bind_text(s, 1, now);
        db_bind_text(s, 2, voen);
        db_bind_text(s, 3, fin);
        int64_t n = db_run(s, err);
        rc = n == 1 ? 0 : n < 0 ? (int)n : pc_err_set(err, PC_ENOTFOUND, "%s has no active grant for %s", fin, voen);
    }
    /* sessions lose it at their next lookup anyway; clearing them here
     * keeps the stored state honest */
    if (!rc && (s = db_prepare(c, "UPDATE sessions SET acting_for = NULL WHERE acting_for = ?"
                                  " AND account_id IN (SELECT id FROM accounts WHERE fin = ?)", err))) {
        db_bind_text(s, 1, voen);
        db_bind_text(s, 2, fin);
        rc = id_ran(db_run(s, err));
    } else if (!rc) {
        rc = id_failed(err);
    }
    struct audit_entry e = {.actor = by ? by : "system", .role = by ? "operator" : "system",
                            .action = "representative.revoke", .object_type = "legal_entity", .object_id = voen,
                            .ip = ip ? ip : "", .detail = fin};
    return audit_end(c, rc, &e, err);
}

/* single.c — the free single-purpose certificate's request: the services
 * that offer one (data, here only), a citizen's request after a
 * code-password login, the desk's list of what waits for a person and
 * its word that the certificate was issued.  The certificate itself is
 * the certification centre's (profile single-purpose, the service in its
 * policy notice); this table only remembers who asked for which. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

/* The services whose applicants get the free certificate valid for that
 * service only (issue 10: targeted social assistance). */
static const char *const single_services[] = {"eesmn-vemtas"};
#define NSINGLE (sizeof single_services / sizeof single_services[0])

#define REQUEST_COLS "id, fin, service_id, created_at"

bool id_single_offered(const char *service_id)
{
    for (size_t i = 0; i < NSINGLE; i++)
        if (pc_str_eq(service_id, single_services[i]))
            return true;
    return false;
}

const char *id_single_service_at(size_t i)
{
    return i < NSINGLE ? single_services[i] : NULL;
}

static void row_of(struct db_stmt *s, struct pc_arena *a, struct id_single_request *out)
{
    *out = (struct id_single_request){.id = pc_arena_strdup(a, db_col_text(s, 0)),
                                      .fin = pc_arena_strdup(a, db_col_text(s, 1)),
                                      .service_id = pc_arena_strdup(a, db_col_text(s, 2)),
                                      .created_at = db_col_int(s, 3)};
}

/* fin's waiting request that sql (fin, then key) selects: 1 found, 0
 * none, or a code. */
static int one_waiting(struct db_conn *c, struct pc_arena *a, const char *sql, const char *fin, const char *key,
                       struct id_single_request *out, struct pc_err *err)
{
    struct db_stmt *s = c ? db_prepare(c, sql, err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, fin);
    db_bind_text(s, 2, key);
    int rc = db_step(s, err);
    if (rc == 1)
        row_of(s, a, out);
    return rc;
}

#define BY_SERVICE \
    "SELECT " REQUEST_COLS " FROM single_cert_requests WHERE fin = ? AND service_id = ? AND status = 'waiting'"
#define BY_ID "SELECT " REQUEST_COLS " FROM single_cert_requests WHERE fin = ? AND id = ? AND status = 'waiting'"

int id_single_request(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *service_id,
                      const char *ip, struct id_single_request *out, struct pc_err *err)
{
    if (!who || who->kind != ID_ACCOUNT_CITIZEN || !who->fin)
        return pc_err_set(err, PC_EDENIED, "only a person's own citizen account may ask for a certificate");
    /* the documents: online after a code-password login, then the desk */
    if (who->auth.method != ID_METHOD_PASSWORD)
        return pc_err_set(err, PC_EDENIED, "the free single-purpose certificate is asked for after a code-password login");
    if (!id_single_offered(service_id))
        return pc_err_set(err, PC_EINVAL, "the service %s offers no single-purpose certificate",
                          service_id ? service_id : "(none)");
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    int found = one_waiting(c, a, BY_SERVICE, who->fin, service_id, out, err);
    /* asked already: the same request (the asking is audited again) */
    rc = found < 0 ? found : 0;
    char id[33];
    if (!found && pc_random_hex(id, 16))
        rc = pc_err_set(err, PC_EIO, "no randomness");
    struct db_stmt *s = NULL;
    if (!rc && !found &&
        !(s = db_prepare(c, "INSERT INTO single_cert_requests(id, fin, service_id, account_id, status, created_at)"
                            " VALUES (?, ?, ?, ?, 'waiting', ?)", err)))
        rc = id_failed(err);
    int64_t now = pc_now_unix();
    if (s) {
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, who->fin);
        db_bind_text(s, 3, service_id);
        db_bind_text(s, 4, who->account_id);
        db_bind_int(s, 5, now);
        rc = id_ran(db_run(s, err));
        if (!rc)
            *out = (struct id_single_request){.id = pc_arena_strdup(a, id), .fin = who->fin,
                                              .service_id = pc_arena_strdup(a, service_id), .created_at = now};
    }
    struct audit_entry e = {.actor = who->account_id, .role = "citizen", .action = "pki.single_requested",
                            .object_type = "person", .object_id = who->fin, .ip = ip, .detail = service_id};
    return audit_end(c, rc, &e, err);
}

int id_single_waiting(struct db *db, struct pc_arena *a, const char *fin, struct id_single_request **out, size_t *n,
                      struct pc_err *err)
{
    *out = NULL;
    *n = 0;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " REQUEST_COLS " FROM single_cert_requests"
                                          " WHERE fin = ? AND status = 'waiting' ORDER BY created_at, id", err)
                          : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, fin);
    /* at most one waiting request per offered service (the unique index) */
    *out = pc_arena_array(a, NSINGLE, sizeof **out);
    int rc;
    while (*n < NSINGLE && (rc = db_step(s, err)) == 1)
        row_of(s, a, &(*out)[(*n)++]);
    return *n == NSINGLE || rc >= 0 ? 0 : rc;
}

int id_single_get(struct db *db, struct pc_arena *a, const char *fin, const char *id, struct id_single_request *out,
                  struct pc_err *err)
{
    int rc = one_waiting(db_conn_get(db, err), a, BY_ID, fin, id, out, err);
    return rc == 1 ? 0 : rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "no waiting single-purpose request %s", id ? id : "");
}

int id_single_issued(struct db *db, const char *fin, const char *id, const char *serial, const char *by, const char *ip,
                     struct pc_err *err)
{
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "UPDATE single_cert_requests SET status = 'issued', serial = ?, issued_by = ?,"
                                      " issued_at = ? WHERE id = ? AND fin = ? AND status = 'waiting'", err);
    if (!s) {
        rc = id_failed(err);
    } else {
        db_bind_text(s, 1, serial);
        db_bind_text(s, 2, by);
        db_bind_int(s, 3, pc_now_unix());
        db_bind_text(s, 4, id);
        db_bind_text(s, 5, fin);
        int64_t n = db_run(s, err);
        rc = n == 1 ? 0 : n < 0 ? (int)n : pc_err_set(err, PC_ENOTFOUND, "no waiting single-purpose request %s", id);
    }
    struct audit_entry e = {.actor = by, .role = "registrar", .action = "pki.single_issued", .object_type = "person",
                            .object_id = fin, .ip = ip, .detail = serial};
    return audit_end(c, rc, &e, err);
}

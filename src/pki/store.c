/* store.c — the tables of src/pki (see migrations/040_pki.sql): the
 * certificates and their status history, requests, pre-signed OCSP
 * responses, CRLs and named counters.  Every function runs on the
 * caller's connection, so it joins the caller's transaction. */
#include "internal.h"

#include <string.h>

static const char *const category_names[PKI_CAT_COUNT] = {"citizen", "legal", "state", "service"};
static const char *const status_names[] = {"good", "suspended", "revoked"};

const char *pki_category_name(enum pki_category c)
{
    return c < PKI_CAT_COUNT ? category_names[c] : "?";
}

int pki_category_parse(const char *s)
{
    for (int i = 0; i < PKI_CAT_COUNT; i++)
        if (pc_str_eq(s, category_names[i]))
            return i;
    return -1;
}

const char *pki_status_name(enum pki_status s)
{
    return (unsigned)s < 3 ? status_names[s] : "?";
}

int pki_status_parse(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (pc_str_eq(s, status_names[i]))
            return i;
    return -1;
}

static const struct {
    int value;
    const char *name;
} reasons[] = {
    {PKI_REASON_UNSPECIFIED, "unspecified"},
    {PKI_REASON_KEY_COMPROMISE, "keyCompromise"},
    {PKI_REASON_CA_COMPROMISE, "cACompromise"},
    {PKI_REASON_AFFILIATION_CHANGED, "affiliationChanged"},
    {PKI_REASON_SUPERSEDED, "superseded"},
    {PKI_REASON_CESSATION, "cessationOfOperation"},
    {PKI_REASON_HOLD, "certificateHold"},
    {PKI_REASON_PRIVILEGE_WITHDRAWN, "privilegeWithdrawn"},
};

const char *pki_reason_name(int reason)
{
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].value == reason)
            return reasons[i].name;
    return NULL;
}

int pk_reason_value(const char *s)
{
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (pc_str_eq(s, reasons[i].name))
            return reasons[i].value;
    return -1;
}

int pki_reason_parse(const char *s)
{
    int v = pk_reason_value(s);
    return v == PKI_REASON_HOLD ? -1 : v;
}

/* The code db_prepare reported (err is filled then). */
static int prepare_failed(struct pc_err *err)
{
    return err && err->code ? err->code : PC_EIO;
}

static int run(struct db_stmt *s, struct pc_err *err)
{
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

static void bind_opt(struct db_stmt *s, int i, const char *v)
{
    if (v && *v)
        db_bind_text(s, i, v);
    else
        db_bind_null(s, i);
}

#define CERT_COLUMNS                                                                                           \
    "serial, issuer, profile, category, subject, holder_fin, holder_voen, status, reason, revoked_at, "       \
    "not_before, not_after, renewed_from, created_at, der"

static char *col(struct pc_arena *a, struct db_stmt *s, int i)
{
    return db_col_is_null(s, i) ? NULL : pc_arena_strdup(a, db_col_text(s, i));
}

static void read_row(struct pc_arena *a, struct db_stmt *s, struct pk_row *r)
{
    r->serial = col(a, s, 0);
    r->issuer = col(a, s, 1);
    r->profile = col(a, s, 2);
    int cat = pki_category_parse(db_col_text(s, 3));
    r->category = cat < 0 ? PKI_CAT_CITIZEN : (enum pki_category)cat;
    r->subject = col(a, s, 4);
    r->fin = col(a, s, 5);
    r->voen = col(a, s, 6);
    int st = pki_status_parse(db_col_text(s, 7));
    r->status = st < 0 ? PKI_STATUS_REVOKED : (enum pki_status)st; /* unknown text: fail safe */
    r->reason = db_col_is_null(s, 8) ? 0 : (int)db_col_int(s, 8);
    r->revoked_at = db_col_is_null(s, 9) ? 0 : db_col_int(s, 9);
    r->not_before = db_col_int(s, 10);
    r->not_after = db_col_int(s, 11);
    r->renewed_from = col(a, s, 12);
    r->created_at = db_col_int(s, 13);
    r->der_b64 = col(a, s, 14);
}

int pk_store_insert(struct db_conn *c, const struct pk_row *r, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO pki_certs(" CERT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                      "?, ?, ?, ?, ?)", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, r->serial);
    db_bind_text(s, 2, r->issuer);
    db_bind_text(s, 3, r->profile);
    db_bind_text(s, 4, pki_category_name(r->category));
    db_bind_text(s, 5, r->subject);
    bind_opt(s, 6, r->fin);
    bind_opt(s, 7, r->voen);
    db_bind_text(s, 8, pki_status_name(r->status));
    db_bind_null(s, 9);
    db_bind_null(s, 10);
    db_bind_int(s, 11, r->not_before);
    db_bind_int(s, 12, r->not_after);
    bind_opt(s, 13, r->renewed_from);
    db_bind_int(s, 14, r->created_at);
    db_bind_text(s, 15, r->der_b64);
    return run(s, err);
}

int pk_store_get(struct db_conn *c, struct pc_arena *a, const char *serial, struct pk_row *out, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT " CERT_COLUMNS " FROM pki_certs WHERE serial = ?", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, serial);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no certificate with serial %s", serial);
    read_row(a, s, out);
    db_step(s, NULL);
    return 0;
}

int pk_store_set_status(struct db_conn *c, const char *serial, enum pki_status st, int reason, int64_t at,
                        struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "UPDATE pki_certs SET status = ?, reason = ?, revoked_at = ? WHERE serial = ?",
                                   err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, pki_status_name(st));
    if (st == PKI_STATUS_GOOD) {
        db_bind_null(s, 2);
        db_bind_null(s, 3);
    } else {
        db_bind_int(s, 2, reason);
        db_bind_int(s, 3, at);
    }
    db_bind_text(s, 4, serial);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    return n ? 0 : pc_err_set(err, PC_ENOTFOUND, "no certificate with serial %s", serial);
}

int pk_store_event(struct db_conn *c, const char *serial, int64_t at, enum pki_status st, int reason,
                   const char *actor, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO pki_cert_events(serial, n, at, status, reason, actor) SELECT ?, "
                                      "COALESCE(MAX(n), 0) + 1, ?, ?, ?, ? FROM pki_cert_events WHERE serial = ?", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, serial);
    db_bind_int(s, 2, at);
    db_bind_text(s, 3, pki_status_name(st));
    if (st == PKI_STATUS_GOOD)
        db_bind_null(s, 4);
    else
        db_bind_int(s, 4, reason);
    db_bind_text(s, 5, actor);
    db_bind_text(s, 6, serial);
    return run(s, err);
}

int pk_store_status_at(struct db_conn *c, const char *serial, int64_t t, enum pki_status *st, int *reason,
                       int64_t *since, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT status, reason, at FROM pki_cert_events WHERE serial = ? AND at <= ? "
                                      "ORDER BY n DESC LIMIT 1", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, serial);
    db_bind_int(s, 2, t);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "certificate %s had no status at that time", serial);
    int v = pki_status_parse(db_col_text(s, 0));
    *st = v < 0 ? PKI_STATUS_REVOKED : (enum pki_status)v;
    *reason = db_col_is_null(s, 1) ? 0 : (int)db_col_int(s, 1);
    *since = db_col_int(s, 2);
    db_step(s, NULL);
    return 0;
}

int pk_store_request(struct db_conn *c, const char *id, int64_t at, const char *kind, const char *profile,
                     const struct pki_holder *h, const char *channel, const char *actor, const char *status,
                     const char *serial, const char *detail, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO pki_requests(id, at, kind, profile, holder_fin, holder_voen, "
                                      "channel, actor, status, serial, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, id);
    db_bind_int(s, 2, at);
    db_bind_text(s, 3, kind);
    db_bind_text(s, 4, profile ? profile : "");
    bind_opt(s, 5, h ? h->fin : NULL);
    bind_opt(s, 6, h ? h->voen : NULL);
    db_bind_text(s, 7, channel);
    db_bind_text(s, 8, actor);
    db_bind_text(s, 9, status);
    bind_opt(s, 10, serial);
    db_bind_text(s, 11, detail ? detail : "");
    return run(s, err);
}

static int read_rows(struct db_stmt *s, struct pc_arena *a, size_t max, struct pk_row **out, size_t *n,
                     struct pc_err *err)
{
    size_t cap = 16;
    struct pk_row *rows = pc_arena_array(a, cap, sizeof *rows);
    *n = 0;
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < max) {
        if (*n == cap) {
            struct pk_row *bigger = pc_arena_array(a, cap * 2, sizeof *rows);
            memcpy(bigger, rows, cap * sizeof *rows);
            rows = bigger;
            cap *= 2;
        }
        read_row(a, s, &rows[(*n)++]);
    }
    *out = rows;
    return rc < 0 ? rc : 0;
}

int pk_store_list(struct db_conn *c, struct pc_arena *a, const char *fin, const char *voen, size_t max,
                  struct pk_row **out, size_t *n, struct pc_err *err)
{
    struct db_stmt *s = fin ? db_prepare(c, "SELECT " CERT_COLUMNS " FROM pki_certs WHERE holder_fin = ? "
                                            "ORDER BY created_at DESC, serial LIMIT ?", err)
                            : db_prepare(c, "SELECT " CERT_COLUMNS " FROM pki_certs WHERE holder_voen = ? "
                                            "ORDER BY created_at DESC, serial LIMIT ?", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, fin ? fin : voen);
    db_bind_int(s, 2, (int64_t)max);
    return read_rows(s, a, max, out, n, err);
}

int pk_store_revoked(struct db_conn *c, struct pc_arena *a, const char *issuer, int64_t now, struct pk_row **out,
                     size_t *n, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT " CERT_COLUMNS " FROM pki_certs WHERE issuer = ? AND status <> 'good' "
                                      "AND not_after > ? ORDER BY serial", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, issuer);
    db_bind_int(s, 2, now);
    return read_rows(s, a, SIZE_MAX, out, n, err);
}

int pk_store_stats(struct db_conn *c, int64_t now, struct pki_stats *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *s = db_prepare(c, "SELECT category, COUNT(*), SUM(CASE WHEN status = 'good' AND not_after > ? "
                                      "THEN 1 ELSE 0 END) FROM pki_certs GROUP BY category", err);
    if (!s)
        return prepare_failed(err);
    db_bind_int(s, 1, now);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        int cat = pki_category_parse(db_col_text(s, 0));
        if (cat < 0)
            continue;
        out->issued[cat] = db_col_int(s, 1);
        out->valid[cat] = db_col_int(s, 2);
    }
    return rc < 0 ? rc : 0;
}

int pk_counter_add(struct db_conn *c, const char *name, int64_t delta, int64_t *value, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO pki_counters(name, value) VALUES (?, ?) ON CONFLICT (name) "
                                      "DO UPDATE SET value = pki_counters.value + excluded.value RETURNING value", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, name);
    db_bind_int(s, 2, delta);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_EIO, "counter %s: no value returned", name);
    *value = db_col_int(s, 0);
    db_step(s, NULL);
    return 0;
}

int pk_counter_get(struct db_conn *c, const char *name, int64_t *value, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT value FROM pki_counters WHERE name = ?", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, name);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    *value = rc ? db_col_int(s, 0) : 0;
    if (rc)
        db_step(s, NULL);
    return 0;
}

int pk_store_ocsp_put(struct db_conn *c, const char *serial, int64_t produced, int64_t next_update, const char *b64,
                      struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO pki_ocsp(serial, produced_at, next_update, der) VALUES (?, ?, ?, ?) "
                                      "ON CONFLICT (serial) DO UPDATE SET produced_at = excluded.produced_at, "
                                      "next_update = excluded.next_update, der = excluded.der", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, serial);
    db_bind_int(s, 2, produced);
    db_bind_int(s, 3, next_update);
    db_bind_text(s, 4, b64);
    return run(s, err);
}

int pk_store_ocsp_get(struct db_conn *c, struct pc_arena *a, const char *serial, int64_t *next_update, char **b64,
                      struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT next_update, der FROM pki_ocsp WHERE serial = ?", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, serial);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return PC_ENOTFOUND; /* not an error worth a message: sign one */
    *next_update = db_col_int(s, 0);
    *b64 = pc_arena_strdup(a, db_col_text(s, 1));
    db_step(s, NULL);
    return 0;
}

int pk_store_ocsp_due(struct db_conn *c, struct pc_arena *a, int64_t before, size_t max, char ***serials, size_t *n,
                      struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT o.serial FROM pki_ocsp o JOIN pki_certs c ON c.serial = o.serial "
                                      "WHERE o.next_update < ? AND c.not_after > ? ORDER BY o.next_update LIMIT ?", err);
    if (!s)
        return prepare_failed(err);
    db_bind_int(s, 1, before);
    db_bind_int(s, 2, pc_now_unix());
    db_bind_int(s, 3, (int64_t)max);
    char **out = pc_arena_array(a, max ? max : 1, sizeof *out);
    *n = 0;
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < max)
        out[(*n)++] = pc_arena_strdup(a, db_col_text(s, 0));
    *serials = out;
    return rc < 0 ? rc : 0;
}

int pk_store_crl_put(struct db_conn *c, const char *issuer, int64_t number, int64_t this_update,
                     int64_t next_update, int64_t epoch, const char *b64, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO pki_crls(issuer, number, this_update, next_update, epoch, der) "
                                      "VALUES (?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, issuer);
    db_bind_int(s, 2, number);
    db_bind_int(s, 3, this_update);
    db_bind_int(s, 4, next_update);
    db_bind_int(s, 5, epoch);
    db_bind_text(s, 6, b64);
    return run(s, err);
}

int pk_store_crl_last(struct db_conn *c, struct pc_arena *a, const char *issuer, int64_t *number, int64_t *epoch,
                      int64_t *this_update, char **b64, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT number, epoch, this_update, der FROM pki_crls WHERE issuer = ? "
                                      "ORDER BY number DESC LIMIT 1", err);
    if (!s)
        return prepare_failed(err);
    db_bind_text(s, 1, issuer);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no CRL has been published yet");
    *number = db_col_int(s, 0);
    *epoch = db_col_int(s, 1);
    *this_update = db_col_int(s, 2);
    if (b64)
        *b64 = pc_arena_strdup(a, db_col_text(s, 3));
    db_step(s, NULL);
    return 0;
}

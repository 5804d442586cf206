/* share.c — sharing one document with a named third party: a code (and a
 * link carrying it) that opens the document without an account until it
 * expires, is revoked or has been opened as often as the owner allowed.
 * Only the code's SHA-256 is kept; each opening is counted by one
 * conditional UPDATE (two openers racing for the last opening cannot both
 * have it) and recorded with the organisation's name and the opener's
 * network (the address shortened), for the owner's e-safe and, for a
 * person, in the data tracker (audit_access_record).  Wrong codes are
 * counted per network and throttled. */
#include "internal.h"

#include "../audit/audit.h"

#include <stdio.h>
#include <string.h>

#define DAY (24 * 3600)
#define SHARE_COLS "t.id, t.doc_id, d.title, t.recipient, t.purpose, t.created_at, t.expires_at, t.revoked_at," \
                   " t.max_opens, t.opens"

static void code_hash(const char *canonical, char out[65])
{
    pc_sha256_hex(canonical, ESAFE_CODE_LEN, out);
}

static enum esafe_share_state state_of(int64_t now, int64_t expires_at, int64_t revoked_at, int opens, int max)
{
    return revoked_at ? ESAFE_SHARE_REVOKED : expires_at <= now ? ESAFE_SHARE_EXPIRED
         : opens >= max ? ESAFE_SHARE_USED_UP : ESAFE_SHARE_OPEN;
}

static void share_row(struct db_stmt *s, struct pc_arena *a, int64_t now, struct esafe_share *out)
{
    *out = (struct esafe_share){
        .id = pc_arena_strdup(a, db_col_text(s, 0)), .doc_id = pc_arena_strdup(a, db_col_text(s, 1)),
        .doc_title = pc_arena_strdup(a, db_col_text(s, 2)), .recipient = pc_arena_strdup(a, db_col_text(s, 3)),
        .purpose = pc_arena_strdup(a, db_col_text(s, 4)), .created_at = db_col_int(s, 5),
        .expires_at = db_col_int(s, 6), .revoked_at = db_col_is_null(s, 7) ? 0 : db_col_int(s, 7),
        .max_opens = (int)db_col_int(s, 8), .opens = (int)db_col_int(s, 9),
    };
    out->state = state_of(now, out->expires_at, out->revoked_at, out->opens, out->max_opens);
}

/* ---- the owner's side ------------------------------------------------------------------- */

struct share_add {
    const struct esafe_owner *o;
    const struct esafe_share_new *s;
    struct pc_arena *a;
    struct esafe_share *out;
    const char *code_sha;
};

static int do_share_add(struct db_conn *c, void *ctx, struct pc_err *err)
{
    struct share_add *x = ctx;
    int64_t now = pc_now_unix();
    /* the document must be the owner's and still there */
    struct db_stmt *s = db_prepare(c, "SELECT title FROM esafe_docs WHERE id = ? AND " ES_VISIBLE, err);
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, x->s->doc_id);
    es_bind_visible(s, 2, x->o, now);
    int rc = db_step(s, err);
    const char *title = rc == 1 ? pc_arena_strdup(x->a, db_col_text(s, 0)) : NULL;
    db_conn_idle(c);
    if (rc <= 0)
        return rc ? rc : pc_err_set(err, PC_ENOTFOUND, "no such document in this e-safe");
    char id[ESAFE_ID_LEN + 1];
    pc_random_hex(id, ESAFE_ID_LEN / 2);
    s = db_prepare(c, "INSERT INTO esafe_shares(id, code_sha256, doc_id, owner_type, owner_id, recipient, purpose,"
                      " created_at, expires_at, max_opens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, x->code_sha);
    db_bind_text(s, 3, x->s->doc_id);
    db_bind_text(s, 4, es_owner_type_name(x->o->type));
    db_bind_text(s, 5, x->o->id);
    db_bind_text(s, 6, x->s->recipient);
    db_bind_text(s, 7, x->s->purpose);
    db_bind_int(s, 8, now);
    db_bind_int(s, 9, x->s->expires_at);
    db_bind_int(s, 10, x->s->max_opens);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    *x->out = (struct esafe_share){
        .id = pc_arena_strdup(x->a, id), .doc_id = pc_arena_strdup(x->a, x->s->doc_id), .doc_title = title,
        .recipient = pc_arena_strdup(x->a, x->s->recipient), .purpose = pc_arena_strdup(x->a, x->s->purpose),
        .state = ESAFE_SHARE_OPEN, .created_at = now, .expires_at = x->s->expires_at, .max_opens = x->s->max_opens,
    };
    return 0;
}

int esafe_share_add(struct db *db, const struct esafe_owner *o, const struct esafe_actor *by,
                    const struct esafe_share_new *s, struct pc_arena *a, struct esafe_share *out,
                    char code[ESAFE_CODE_LEN + 1], struct pc_err *err)
{
    if (es_owner_check(o, err))
        return err->code;
    int64_t now = pc_now_unix();
    if (!pc_text_line(s->recipient, ESAFE_PARTY_MAX) || !pc_text_line(s->purpose, ESAFE_PARTY_MAX))
        return pc_err_set(err, PC_EINVAL, "a share names who may open it and why, each in 1 to %d bytes", ESAFE_PARTY_MAX);
    if (s->expires_at <= now || s->expires_at > now + ESAFE_SHARE_DAYS_MAX * DAY)
        return pc_err_set(err, PC_EINVAL, "a share lasts until a time within %d days", ESAFE_SHARE_DAYS_MAX);
    if (s->max_opens < 1 || s->max_opens > ESAFE_OPENS_MAX)
        return pc_err_set(err, PC_EINVAL, "a share opens 1 to %d times", ESAFE_OPENS_MAX);
    esafe_code_new(code);
    char sha[65];
    code_hash(code, sha);
    struct share_add x = {o, s, a, out, sha};
    struct es_change ch = {"esafe.share", "esafe_doc", s->doc_id, s->recipient};
    int rc = es_audited(db, by, &ch, do_share_add, &x, err);
    if (rc)
        code[0] = 0;
    return rc;
}

/* The statement of one owner's rows (the table's alias is t; of one
 * document when doc_id), in `order`: select names the columns and any join. */
static struct db_stmt *owner_rows(struct db *db, const struct esafe_owner *o, const char *select, const char *doc_id,
                                  const char *order, struct pc_err *err)
{
    if (es_owner_check(o, err))
        return NULL;
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return NULL;
    struct db_query q;
    db_query_init(&q);
    db_query_sql(&q, select);
    db_query_text(&q, " WHERE t.owner_type = ?", es_owner_type_name(o->type));
    db_query_text(&q, " AND t.owner_id = ?", o->id);
    if (doc_id)
        db_query_text(&q, " AND t.doc_id = ?", doc_id);
    db_query_sql(&q, order);
    db_query_int(&q, " LIMIT ?", ESAFE_SHARES_MAX);
    struct db_stmt *s = db_query_prepare(c, &q, err);
    db_query_release(&q);
    return s;
}

int esafe_shares(struct db *db, struct pc_arena *a, const struct esafe_owner *o, const char *doc_id,
                 struct esafe_share **out, size_t *n, struct pc_err *err)
{
    *out = pc_arena_array(a, ESAFE_SHARES_MAX, sizeof **out);
    *n = 0;
    struct db_stmt *s = owner_rows(db, o, "SELECT " SHARE_COLS " FROM esafe_shares t JOIN esafe_docs d ON d.id = t.doc_id",
                                   doc_id, " ORDER BY t.created_at DESC, t.id", err);
    if (!s)
        return es_failed(err);
    int64_t now = pc_now_unix();
    int rc;
    while ((rc = db_step(s, err)) == 1)
        share_row(s, a, now, &(*out)[(*n)++]);
    return rc;
}

struct share_revoke {
    const struct esafe_owner *o;
    const char *id;
};

static int do_revoke(struct db_conn *c, void *ctx, struct pc_err *err)
{
    struct share_revoke *x = ctx;
    struct db_stmt *s = db_prepare(c, "UPDATE esafe_shares SET revoked_at = ? WHERE id = ? AND owner_type = ?"
                                      " AND owner_id = ? AND revoked_at IS NULL", err);
    if (!s)
        return es_failed(err);
    db_bind_int(s, 1, pc_now_unix());
    db_bind_text(s, 2, x->id);
    db_bind_text(s, 3, es_owner_type_name(x->o->type));
    db_bind_text(s, 4, x->o->id);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : n == 0 ? pc_err_set(err, PC_ENOTFOUND, "no open share %s in this e-safe", x->id) : 0;
}

int esafe_share_revoke(struct db *db, const struct esafe_owner *o, const struct esafe_actor *by, const char *share_id,
                       struct pc_err *err)
{
    if (es_owner_check(o, err))
        return err->code;
    struct share_revoke x = {o, share_id};
    struct es_change ch = {"esafe.share_revoke", "esafe_share", share_id, NULL};
    return es_audited(db, by, &ch, do_revoke, &x, err);
}

int esafe_openings(struct db *db, struct pc_arena *a, const struct esafe_owner *o, const char *doc_id,
                   struct esafe_opening **out, size_t *n, struct pc_err *err)
{
    *out = pc_arena_array(a, ESAFE_SHARES_MAX, sizeof **out);
    *n = 0;
    struct db_stmt *s = owner_rows(db, o, "SELECT t.share_id, t.doc_id, t.organisation, t.network, t.at FROM esafe_openings t",
                                   doc_id, " ORDER BY t.at DESC, t.id", err);
    if (!s)
        return es_failed(err);
    int rc;
    while ((rc = db_step(s, err)) == 1)
        (*out)[(*n)++] = (struct esafe_opening){
            pc_arena_strdup(a, db_col_text(s, 0)), pc_arena_strdup(a, db_col_text(s, 1)),
            pc_arena_strdup(a, db_col_text(s, 2)), pc_arena_strdup(a, db_col_text(s, 3)), db_col_int(s, 4)};
    return rc;
}

/* ---- the third party's side ------------------------------------------------------------------- */

/* Whether the network may try a code now (fewer than ESAFE_TRIES_MAX
 * wrong ones in the window): 0, or PC_ELIMIT. */
static int tries_left(struct db_conn *c, const char *network, int64_t now, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT failures FROM esafe_attempts WHERE network = ? AND window_start > ?", err);
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, network);
    db_bind_int(s, 2, now - ESAFE_TRIES_WINDOW);
    int rc = db_step(s, err);
    int64_t failures = rc == 1 ? db_col_int(s, 0) : 0;
    db_conn_idle(c);
    if (rc < 0)
        return rc;
    return failures >= ESAFE_TRIES_MAX ? pc_err_set(err, PC_ELIMIT, "too many wrong codes from %s", network) : 0;
}

static int count_failure(struct db *db, const char *network, int64_t now, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "INSERT INTO esafe_attempts(network, window_start, failures) VALUES (?, ?, 1)"
                                          " ON CONFLICT(network) DO UPDATE SET"
                                          " failures = CASE WHEN esafe_attempts.window_start > ? THEN esafe_attempts.failures + 1"
                                          " ELSE 1 END,"
                                          " window_start = CASE WHEN esafe_attempts.window_start > ?"
                                          " THEN esafe_attempts.window_start ELSE ? END", err) : NULL;
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, network);
    db_bind_int(s, 2, now);
    db_bind_int(s, 3, now - ESAFE_TRIES_WINDOW);
    db_bind_int(s, 4, now - ESAFE_TRIES_WINDOW);
    db_bind_int(s, 5, now);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

struct share_open {
    struct pc_arena *a;
    const char *code_sha, *organisation, *network;
    int64_t now;
    enum esafe_share_state state;
    bool found;
    struct esafe_doc *doc;
};

static int record_opening(struct db_conn *c, struct share_open *x, const char *share_id, const char *owner_type,
                          const char *owner_id, const char *purpose, struct pc_err *err)
{
    char id[ESAFE_ID_LEN + 1];
    pc_random_hex(id, ESAFE_ID_LEN / 2);
    struct db_stmt *s = db_prepare(c, "INSERT INTO esafe_openings(id, share_id, doc_id, owner_type, owner_id,"
                                      " organisation, network, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, share_id);
    db_bind_text(s, 3, x->doc->id);
    db_bind_text(s, 4, owner_type);
    db_bind_text(s, 5, owner_id);
    db_bind_text(s, 6, x->organisation);
    db_bind_text(s, 7, x->network);
    db_bind_int(s, 8, x->now);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    if (!pc_str_eq(owner_type, "person"))
        return 0;
    /* the person's data tracker: who (as they named themselves) read
     * which document of theirs, and the purpose the owner gave */
    struct access_entry e = {.subject_fin = owner_id, .accessor = x->organisation, .accessor_role = x->organisation,
                             .agency_id = "", .data_kind = "esafe-document",
                             .ground = pc_arena_printf(x->a, "%s: %s", purpose, x->doc->title)};
    return audit_access_record(c, &e, err);
}

static int do_open(struct db_conn *c, struct share_open *x, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT s.id, s.owner_type, s.owner_id, s.purpose, s.expires_at, s.revoked_at,"
                                      " s.opens, s.max_opens, s.doc_id FROM esafe_shares s WHERE s.code_sha256 = ?", err);
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, x->code_sha);
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc;
    x->found = true;
    const char *id = pc_arena_strdup(x->a, db_col_text(s, 0)), *otype = pc_arena_strdup(x->a, db_col_text(s, 1)),
               *oid = pc_arena_strdup(x->a, db_col_text(s, 2)), *purpose = pc_arena_strdup(x->a, db_col_text(s, 3)),
               *doc_id = pc_arena_strdup(x->a, db_col_text(s, 8));
    x->state = state_of(x->now, db_col_int(s, 4), db_col_is_null(s, 5) ? 0 : db_col_int(s, 5), (int)db_col_int(s, 6),
                        (int)db_col_int(s, 7));
    db_conn_idle(c);
    if (x->state != ESAFE_SHARE_OPEN)
        return 0;
    /* the document must still be there: one deleted or past its
     * retention is as good as revoked */
    struct esafe_owner o = {pc_str_eq(otype, "company") ? ESAFE_COMPANY : ESAFE_PERSON, oid};
    s = db_prepare(c, "SELECT " ES_DOC_COLS " FROM esafe_docs WHERE id = ? AND " ES_VISIBLE, err);
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, doc_id);
    es_bind_visible(s, 2, &o, x->now);
    rc = db_step(s, err);
    if (rc == 1)
        es_doc_row(s, x->a, x->doc);
    db_conn_idle(c);
    if (rc <= 0) {
        x->state = ESAFE_SHARE_REVOKED;
        return rc;
    }
    s = db_prepare(c, "UPDATE esafe_shares SET opens = opens + 1 WHERE id = ? AND revoked_at IS NULL"
                      " AND expires_at > ? AND opens < max_opens", err);
    if (!s)
        return es_failed(err);
    db_bind_text(s, 1, id);
    db_bind_int(s, 2, x->now);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    if (n == 0) {
        x->state = ESAFE_SHARE_USED_UP; /* another opener took the last one */
        return 0;
    }
    return record_opening(c, x, id, otype, oid, purpose, err);
}

int esafe_share_open(struct db *db, struct pc_arena *a, const char *code, const char *organisation, const char *ip,
                     enum esafe_share_state *state, struct esafe_doc *doc, struct pc_err *err)
{
    if (!pc_text_line(organisation, ESAFE_PARTY_MAX))
        return pc_err_set(err, PC_EINVAL, "name the organisation that opens the document (1 to %d bytes)",
                          ESAFE_PARTY_MAX);
    char network[ESAFE_NETWORK_MAX], canonical[ESAFE_CODE_LEN + 1], sha[65];
    esafe_network(ip, network);
    int64_t now = pc_now_unix();
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return es_failed(err);
    int rc = tries_left(c, network, now, err);
    if (rc)
        return rc;
    struct share_open x = {.a = a, .organisation = organisation, .network = network, .now = now, .doc = doc};
    if (esafe_code_parse(code, canonical)) {
        code_hash(canonical, sha);
        x.code_sha = sha;
        rc = db_begin(c, err);
        if (rc)
            return rc;
        rc = db_end(c, do_open(c, &x, err), err);
        if (rc)
            return rc;
    }
    if (!x.found) {
        rc = count_failure(db, network, now, err);
        return rc ? rc : pc_err_set(err, PC_ENOTFOUND, "no share has this code");
    }
    *state = x.state;
    return 0;
}

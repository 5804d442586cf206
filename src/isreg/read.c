/* read.c — reading the register: one system with its versions, decisions,
 * findings and compliance checks, and the lists (public, a body's, the
 * operator's).  Who reads decides what is read: the public never sees a
 * system that was not registered, a draft or returned card, or the
 * confidential fields. */
#include "internal.h"
#include "../catalog/catalog.h"

#include <stdio.h>
#include <string.h>

#define LIST_MAX 100

static enum isreg_view view_of(const struct id_principal *who, const char *agency_id)
{
    struct id_resource res = {.agency_id = agency_id};
    if (id_authorize(who, ID_ACT_ISREG_EDIT, &res) || id_authorize(who, ID_ACT_ISREG_REVIEW, NULL))
        return ISREG_STAFF;
    return ISREG_PUBLIC;
}

static void hide_confidential(struct isreg_card *c)
{
    c->hosting = c->security = c->responsible = NULL;
    c->author = NULL;
}

/* The public status of a system: registered until it is de-registered,
 * whatever change its body is drafting. */
static enum isreg_status public_status(enum isreg_status st)
{
    return st == ISREG_DEREGISTERED ? ISREG_DEREGISTERED : ISREG_REGISTERED;
}

static int read_versions(struct db_conn *c, struct pc_arena *a, struct isreg_system *sys, enum isreg_view v,
                         struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, v == ISREG_PUBLIC
        ? "SELECT " ISREG_CARD_COLUMNS " FROM isreg_cards WHERE system_id = ? "
          "AND status IN ('registered', 'superseded') ORDER BY version DESC"
        : "SELECT " ISREG_CARD_COLUMNS " FROM isreg_cards WHERE system_id = ? ORDER BY version DESC", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, sys->id);
    sys->versions = pc_arena_alloc(a, (size_t)(sys->current_version + 1) * sizeof *sys->versions);
    int rc;
    while ((rc = db_step(s, err)) == 1 && sys->nversions <= (size_t)sys->current_version) {
        struct isreg_card *card = &sys->versions[sys->nversions++];
        isreg_card_from_row(a, s, 0, card);
        if (v == ISREG_PUBLIC)
            hide_confidential(card);
    }
    return rc < 0 ? rc : 0;
}

static int read_decisions(struct db_conn *c, struct pc_arena *a, struct isreg_system *sys, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT version, decision, remarks, actor, at FROM isreg_decisions "
                                      "WHERE system_id = ? ORDER BY seq DESC LIMIT 200", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, sys->id);
    sys->decisions = pc_arena_alloc(a, 200 * sizeof *sys->decisions);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        struct isreg_decision *d = &sys->decisions[sys->ndecisions++];
        d->version = (int)db_col_int(s, 0);
        d->decision = pc_arena_strdup(a, db_col_text(s, 1));
        d->remarks = pc_arena_strdup(a, db_col_text(s, 2));
        d->actor = pc_arena_strdup(a, db_col_text(s, 3));
        d->at = db_col_int(s, 4);
    }
    return rc < 0 ? rc : 0;
}

static int read_findings(struct db_conn *c, struct pc_arena *a, struct isreg_system *sys, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT id, text, follow_up_on, opened_by, opened_at, closed_at, closed_note "
                                      "FROM isreg_findings WHERE system_id = ? ORDER BY opened_at DESC, id LIMIT 200",
                                   err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, sys->id);
    sys->findings = pc_arena_alloc(a, 200 * sizeof *sys->findings);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        struct isreg_finding *f = &sys->findings[sys->nfindings++];
        f->id = pc_arena_strdup(a, db_col_text(s, 0));
        f->text = pc_arena_strdup(a, db_col_text(s, 1));
        snprintf(f->follow_up_on, sizeof f->follow_up_on, "%s", db_col_text(s, 2));
        f->opened_by = pc_arena_strdup(a, db_col_text(s, 3));
        f->opened_at = db_col_int(s, 4);
        f->closed_at = db_col_int(s, 5);
        f->closed_note = pc_arena_strdup(a, db_col_text(s, 6));
    }
    return rc < 0 ? rc : 0;
}

/* Open findings past their follow-up date (on c). */
static int overdue_findings(struct db_conn *c, const char *id, int64_t today, int *open, int *late, struct pc_err *err)
{
    char day[11];
    isreg_date_format(today, day);
    struct db_stmt *s = db_prepare(c, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN follow_up_on < ? THEN 1 ELSE 0 END), 0) "
                                      "FROM isreg_findings WHERE system_id = ? AND closed_at IS NULL", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, day);
    db_bind_text(s, 2, id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    *open = (int)db_col_int(s, 0);
    *late = (int)db_col_int(s, 1);
    return 0;
}

static bool listed(const char *id, const char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (pc_str_eq(ids[i], id))
            return true;
    return false;
}

/* The exchange-layer services the card offers and uses are in the
 * exchange's global configuration, as the portal's gateway lists them
 * (listMethods).  Unknown, rather than a guess, when the portal has no
 * gateway or the gateway cannot say. */
static enum isreg_check_result exchange_check(struct xc *exchange, struct pc_arena *a, const struct isreg_card *card)
{
    if (!card->services_offered.n && !card->services_used.n)
        return ISREG_CHECK_NOT_APPLICABLE;
    const char **ids;
    size_t n;
    struct pc_err e = {0};
    if (!exchange || xc_exchange_services(exchange, a, &ids, &n, &e)) {
        if (exchange)
            pc_log(PC_LOG_WARN, "isreg.exchange_unknown", "msg", e.msg, NULL);
        return ISREG_CHECK_UNKNOWN;
    }
    const struct isreg_list *lists[] = {&card->services_offered, &card->services_used};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++)
            if (!listed(lists[l]->items[i], ids, n))
                return ISREG_CHECK_FAIL;
    return ISREG_CHECK_PASS;
}

/* What the platform itself can check of the card (see enum isreg_check). */
static int run_checks(struct db *db, struct xc *exchange, struct db_conn *c, struct pc_arena *a,
                      struct isreg_system *sys, struct pc_err *err)
{
    const struct isreg_card *card = &sys->card;
    enum isreg_check_result *r = sys->checks;

    /* on time: every card the body submitted, within its 20 days */
    struct db_stmt *s = db_prepare(c, "SELECT COUNT(*), COALESCE(MAX(late_days), 0) FROM isreg_cards "
                                      "WHERE system_id = ? AND late_days IS NOT NULL", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, sys->id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    r[ISREG_CHECK_ON_TIME] = db_col_int(s, 0) == 0 ? ISREG_CHECK_NOT_APPLICABLE
                           : db_col_int(s, 1) > 0  ? ISREG_CHECK_FAIL
                                                   : ISREG_CHECK_PASS;

    /* its portal services exist in the catalogue and are its body's */
    r[ISREG_CHECK_PORTAL] = card->portal_services.n ? ISREG_CHECK_PASS : ISREG_CHECK_NOT_APPLICABLE;
    for (size_t i = 0; i < card->portal_services.n; i++) {
        struct cat_service svc;
        rc = cat_get_service(db, a, card->portal_services.items[i], &svc, err);
        if (rc == PC_ENOTFOUND || (!rc && !pc_str_eq(svc.agency_id, sys->agency_id)))
            r[ISREG_CHECK_PORTAL] = ISREG_CHECK_FAIL;
        else if (rc)
            return rc;
    }

    /* a system that uses the FİN holds identity data, and says so */
    r[ISREG_CHECK_FIN] = !card->uses_fin ? ISREG_CHECK_NOT_APPLICABLE
                       : (card->categories & ISREG_BIT(ISREG_CAT_IDENTITY)) ? ISREG_CHECK_PASS
                                                                           : ISREG_CHECK_FAIL;

    r[ISREG_CHECK_EXCHANGE] = exchange_check(exchange, a, card);

    int open = 0, late = 0;
    rc = overdue_findings(c, sys->id, isreg_day_of(pc_now_unix()), &open, &late, err);
    if (rc)
        return rc;
    r[ISREG_CHECK_FINDINGS] = late ? ISREG_CHECK_FAIL : ISREG_CHECK_PASS;

    sys->compliance = ISREG_COMPLIANT;
    if (open)
        sys->compliance = ISREG_FINDINGS_OPEN;
    for (int i = 0; i < ISREG_CHECK_COUNT; i++)
        if (r[i] == ISREG_CHECK_FAIL)
            sys->compliance = ISREG_NOT_COMPLIANT;
    return 0;
}

#define SYSTEM_COLUMNS "s.id, s.agency_id, s.status, s.current_version, COALESCE(s.registered_version, 0), " \
                       "COALESCE(s.registered_at, 0), COALESCE(s.deregistered_on, ''), s.deregister_reason, "  \
                       "s.created_at, s.updated_at"
#define SYSTEM_NCOLUMNS 10

static void system_from_row(struct pc_arena *a, struct db_stmt *s, struct isreg_system *out)
{
    memset(out, 0, sizeof *out);
    out->id = pc_arena_strdup(a, db_col_text(s, 0));
    out->agency_id = pc_arena_strdup(a, db_col_text(s, 1));
    int st = isreg_status_parse(db_col_text(s, 2));
    out->status = st < 0 ? ISREG_DRAFT : (enum isreg_status)st;
    out->current_version = (int)db_col_int(s, 3);
    out->registered_version = (int)db_col_int(s, 4);
    out->registered_at = db_col_int(s, 5);
    snprintf(out->deregistered_on, sizeof out->deregistered_on, "%s", db_col_text(s, 6));
    out->deregister_reason = pc_arena_strdup(a, db_col_text(s, 7));
    out->created_at = db_col_int(s, 8);
    out->updated_at = db_col_int(s, 9);
}

int isreg_get(struct db *db, struct xc *exchange, struct pc_arena *a, const struct id_principal *who, const char *id,
              struct isreg_system *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code;
    struct db_stmt *s = db_prepare(c, "SELECT " SYSTEM_COLUMNS " FROM isreg_systems s WHERE s.id = ?", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no information system %s", id);
    system_from_row(a, s, out);
    enum isreg_view v = view_of(who, out->agency_id);
    if (v == ISREG_PUBLIC && !out->registered_version)
        return pc_err_set(err, PC_ENOTFOUND, "no information system %s", id);
    if (v == ISREG_PUBLIC)
        out->status = public_status(out->status);
    rc = read_versions(c, a, out, v, err);
    if (rc)
        return rc;
    int want = v == ISREG_PUBLIC ? out->registered_version : out->current_version;
    for (size_t i = 0; i < out->nversions; i++)
        if (out->versions[i].version == want)
            out->card = out->versions[i];
    if (v == ISREG_STAFF && ((rc = read_decisions(c, a, out, err)) || (rc = read_findings(c, a, out, err)) ||
                             (rc = isreg_files_read(c, a, out, err))))
        return rc;
    return run_checks(db, exchange, c, a, out, err);
}

int isreg_list(struct db *db, struct pc_arena *a, const struct id_principal *who, const struct isreg_filter *f,
               struct isreg_page *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int limit = f->limit < 1 || f->limit > LIST_MAX ? LIST_MAX : f->limit;
    if (f->q && strlen(f->q) > 200)
        return pc_err_set(err, PC_EINVAL, "q is longer than 200 bytes");
    if (f->cursor && !isreg_id_valid(f->cursor))
        return pc_err_set(err, PC_EINVAL, "bad cursor");
    /* the operator sees every system; a body's staff theirs; the public
     * what was registered */
    bool operator = id_authorize(who, ID_ACT_ISREG_REVIEW, NULL);
    const char *own = NULL;
    if (!operator && f->agency_id && id_authorize(who, ID_ACT_ISREG_EDIT, &(struct id_resource){.agency_id = f->agency_id}))
        own = f->agency_id;
    bool staff = operator || own;
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code;

    struct db_query q;
    db_query_init(&q);
    db_query_sql(&q, "SELECT " SYSTEM_COLUMNS ", ");
    db_query_sql(&q, ISREG_CARD_COLUMNS_C);
    db_query_sql(&q, staff ? " FROM isreg_systems s JOIN isreg_cards c ON c.system_id = s.id AND c.version = s.current_version WHERE 1 = 1"
                           : " FROM isreg_systems s JOIN isreg_cards c ON c.system_id = s.id AND c.version = s.registered_version WHERE 1 = 1");
    if (f->agency_id)
        db_query_text(&q, " AND s.agency_id = ?", f->agency_id);
    if (f->status >= 0 && staff)
        db_query_text(&q, " AND s.status = ?", isreg_status_name((enum isreg_status)f->status));
    else if (f->status == ISREG_DEREGISTERED)
        db_query_sql(&q, " AND s.status = 'deregistered'");
    else if (f->status == ISREG_REGISTERED)
        db_query_sql(&q, " AND s.status <> 'deregistered'");
    else if (f->status >= 0)
        db_query_sql(&q, " AND 1 = 0");  /* the public has no drafts to list */
    if (f->q && *f->q) {
        /* every folded word of the query is somewhere in the folded names */
        struct pc_buf folded;
        pc_buf_init(&folded, 1024);
        pc_fold(f->q, strlen(f->q), &folded);
        char *words = pc_arena_strdup(a, folded.data ? folded.data : "");
        pc_buf_release(&folded);
        int nwords = 0;
        for (char *save = NULL, *w = strtok_r(words, " ", &save); w && nwords < 8; w = strtok_r(NULL, " ", &save), nwords++)
            db_query_text(&q, " AND s.search_folded LIKE ?", pc_arena_printf(a, "%%%s%%", w));
    }
    if (f->cursor)
        db_query_text(&q, " AND s.id > ?", f->cursor);
    db_query_int(&q, " ORDER BY s.id LIMIT ?", limit + 1);
    struct db_stmt *s = db_query_prepare(c, &q, err);
    db_query_release(&q);
    if (!s)
        return err->code;
    out->items = pc_arena_alloc(a, (size_t)(limit + 1) * sizeof *out->items);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if (out->n == (size_t)limit) {
            out->next = out->items[out->n - 1].id;
            break;
        }
        struct isreg_system *sys = &out->items[out->n++];
        system_from_row(a, s, sys);
        isreg_card_from_row(a, s, SYSTEM_NCOLUMNS, &sys->card);
        if (!staff) {
            sys->status = public_status(sys->status);
            hide_confidential(&sys->card);
        }
    }
    return rc < 0 ? rc : 0;
}

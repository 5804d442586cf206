/* flow.c — the life of a card: a body's staff create a system and draft
 * its card, declare changes as new versions and submit them; the operator
 * registers a submitted card or returns it with remarks; a system that
 * stopped is de-registered with its date and reason.  Each change and its
 * audit entry commit together (audit_begin/audit_end); the permission is
 * checked here, against the system's owner read inside the transaction. */
#include "internal.h"
#include "../audit/audit.h"
#include "../catalog/catalog.h"

#include <stdio.h>
#include <string.h>

static int read_card(struct db_conn *c, struct pc_arena *a, const char *id, int version, struct isreg_card *out,
                     struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT " ISREG_CARD_COLUMNS " FROM isreg_cards WHERE system_id = ? AND version = ?",
                                   err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, id);
    db_bind_int(s, 2, version);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no card %d of %s", version, id);
    isreg_card_from_row(a, s, 0, out);
    return 0;
}

static int delete_card(struct db_conn *c, const char *id, int version, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "DELETE FROM isreg_cards WHERE system_id = ? AND version = ?", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, id);
    db_bind_int(s, 2, version);
    return isreg_run(s, err);
}

/* A card as the staff member wrote it, made a draft of `version`. */
static struct isreg_card draft_of(const struct isreg_card *in, int version, const struct id_principal *who,
                                  int64_t now)
{
    struct isreg_card d = *in;
    d.version = version;
    d.status = ISREG_CARD_DRAFT;
    d.late_days = -1;
    d.author = who->account_id;
    d.created_at = now;
    d.submitted_at = d.decided_at = 0;
    return d;
}

int isreg_create(struct db *db, const struct id_principal *who, const char *ip, const char *id,
                 const char *agency_id, const struct isreg_card *card, const char **field, struct pc_err *err)
{
    const char *role;
    int64_t now = pc_now_unix();
    *field = NULL;
    if (!isreg_id_valid(id)) {
        *field = "id";
        return pc_err_set(err, PC_EINVAL, "a system's id is 2 to %d of a-z, 0-9 and -, starting with a letter",
                          ISREG_ID_MAX);
    }
    int rc = isreg_may_edit(who, agency_id, &role, err);
    if (rc)
        return rc;
    rc = isreg_card_check(card, isreg_day_of(now), field, err);
    if (rc)
        return rc;
    struct pc_arena a;
    pc_arena_init(&a);
    struct cat_agency ag;
    rc = cat_get_agency(db, &a, agency_id, &ag, err);
    pc_arena_release(&a);
    if (rc == PC_ENOTFOUND) {
        *field = "owner";
        return pc_err_set(err, PC_EINVAL, "no state body %s", agency_id);
    }
    if (rc)
        return rc;

    struct db_conn *c;
    rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO isreg_systems(id, agency_id, status, current_version, created_at, updated_at) "
        "VALUES (?, ?, 'draft', 1, ?, ?)", err);
    rc = s ? 0 : err->code;
    if (s) {
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, agency_id);
        db_bind_int(s, 3, now);
        db_bind_int(s, 4, now);
        rc = isreg_run(s, err);
        if (rc == PC_ECONFLICT)
            pc_err_set(err, PC_ECONFLICT, "a system with the id %s exists", id);
    }
    if (!rc) {
        struct isreg_card d = draft_of(card, 1, who, now);
        rc = isreg_card_insert(c, id, &d, err);
    }
    return isreg_audited(c, rc, who, role, "isreg.create", "information_system", id, ip, agency_id, err);
}

int isreg_save_card(struct db *db, const struct id_principal *who, const char *ip, const char *id,
                    const struct isreg_card *card, int *version, const char **field, struct pc_err *err)
{
    const char *role;
    int64_t now = pc_now_unix();
    int rc = isreg_card_check(card, isreg_day_of(now), field, err);
    if (rc)
        return rc;
    struct db_conn *c;
    rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct isreg_head h;
    rc = isreg_head_read(c, id, &h, err);
    if (!rc)
        rc = isreg_may_edit(who, h.agency_id, &role, err);
    if (!rc && h.status == ISREG_DEREGISTERED)
        rc = pc_err_set(err, PC_ECONFLICT, "%s is de-registered; its cards cannot change", id);
    if (!rc && h.status == ISREG_SUBMITTED)
        rc = pc_err_set(err, PC_ECONFLICT, "card %d of %s waits for the operator's decision", h.current_version, id);
    if (rc)
        return isreg_audited(c, rc, who, NULL, "isreg.save", "information_system", id, ip, NULL, err);

    /* a draft or returned card is rewritten; a registered one stays and
     * the change becomes the next version */
    int v = h.status == ISREG_REGISTERED ? h.current_version + 1 : h.current_version;
    if (v == h.current_version)
        rc = delete_card(c, id, v, err);
    struct isreg_card d = draft_of(card, v, who, now);
    if (!rc)
        rc = isreg_card_insert(c, id, &d, err);
    if (!rc)
        rc = isreg_head_set(c, id, h.status == ISREG_REGISTERED ? ISREG_DRAFT : h.status, v, 0, now, err);
    *version = v;
    char detail[32];
    snprintf(detail, sizeof detail, "version %d", v);
    return isreg_audited(c, rc, who, role, "isreg.save", "information_system", id, ip, detail, err);
}

int isreg_submit(struct db *db, const struct id_principal *who, const char *ip, const char *id, int64_t now,
                 int *late_days, struct pc_err *err)
{
    const char *role = NULL, *field;
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct pc_arena a;
    pc_arena_init(&a);
    struct isreg_head h;
    struct isreg_card card;
    rc = isreg_head_read(c, id, &h, err);
    if (!rc)
        rc = isreg_may_edit(who, h.agency_id, &role, err);
    if (!rc && h.status != ISREG_DRAFT && h.status != ISREG_RETURNED)
        rc = pc_err_set(err, PC_ECONFLICT, "%s has no draft or returned card to submit (it is %s)", id,
                        isreg_status_name(h.status));
    if (!rc)
        rc = read_card(c, &a, id, h.current_version, &card, err);
    int64_t today = isreg_day_of(now), due = 0;
    if (!rc)
        rc = isreg_card_check(&card, today, &field, err);
    if (!rc) {
        isreg_date_parse(card.due_on, &due);
        *late_days = today > due ? (int)(today - due) : 0;
        rc = isreg_card_set(c, id, h.current_version, ISREG_CARD_SUBMITTED, now, -1, *late_days, err);
    }
    if (!rc)
        rc = isreg_head_set(c, id, ISREG_SUBMITTED, h.current_version, 0, now, err);
    char detail[64];
    snprintf(detail, sizeof detail, "version %d, %d days late", h.current_version, rc ? 0 : *late_days);
    if (!rc)
        rc = isreg_decision_add(c, id, h.current_version, "submitted", detail, who->account_id, now, err);
    pc_arena_release(&a);
    return isreg_audited(c, rc, who, role, "isreg.submit", "information_system", id, ip, detail, err);
}

/* The operator's decision on the submitted card. */
static int decide(struct db *db, const struct id_principal *who, const char *ip, const char *id, bool do_register,
                  const char *remarks, int64_t now, struct pc_err *err)
{
    const char *role = NULL;
    int rc = isreg_may_review(who, &role, err);
    if (rc)
        return rc;
    if (!do_register && (!remarks || !*remarks || strlen(remarks) > ISREG_TEXT_MAX ||
                         !pc_utf8_valid(remarks, strlen(remarks))))
        return pc_err_set(err, PC_EINVAL, "a returned card needs remarks (at most %d bytes)", ISREG_TEXT_MAX);
    struct db_conn *c;
    rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct pc_arena a;
    pc_arena_init(&a);
    struct isreg_head h;
    rc = isreg_head_read(c, id, &h, err);
    if (!rc && h.status != ISREG_SUBMITTED)
        rc = pc_err_set(err, PC_ECONFLICT, "%s has no submitted card (it is %s)", id, isreg_status_name(h.status));
    int v = h.current_version;
    if (!rc && do_register) {
        struct isreg_card card;
        rc = read_card(c, &a, id, v, &card, err);
        if (!rc && h.registered_version)
            rc = isreg_card_set(c, id, h.registered_version, ISREG_CARD_SUPERSEDED, -1, -1, -1, err);
        if (!rc)
            rc = isreg_card_set(c, id, v, ISREG_CARD_REGISTERED, -1, now, -1, err);
        if (!rc)
            rc = isreg_head_set(c, id, ISREG_REGISTERED, v, v, now, err);
        struct db_stmt *s = rc ? NULL : db_prepare(c,
            "UPDATE isreg_systems SET search_folded = ?, registered_at = COALESCE(registered_at, ?) WHERE id = ?", err);
        if (!rc && !s)
            rc = err->code;
        if (s) {
            db_bind_text(s, 1, isreg_fold_names(&a, &card.name));
            db_bind_int(s, 2, now);
            db_bind_text(s, 3, id);
            rc = isreg_run(s, err);
        }
    } else if (!rc) {
        rc = isreg_card_set(c, id, v, ISREG_CARD_RETURNED, -1, now, -1, err);
        if (!rc)
            rc = isreg_head_set(c, id, ISREG_RETURNED, v, 0, now, err);
    }
    const char *decision = do_register ? "registered" : "returned";
    if (!rc)
        rc = isreg_decision_add(c, id, v, decision, do_register ? "" : remarks, who->account_id, now, err);
    char detail[48];
    snprintf(detail, sizeof detail, "%s version %d", decision, v);
    pc_arena_release(&a);
    return isreg_audited(c, rc, who, role, do_register ? "isreg.register" : "isreg.return", "information_system", id,
                         ip, detail, err);
}

int isreg_register(struct db *db, const struct id_principal *who, const char *ip, const char *id, int64_t now,
                   struct pc_err *err)
{
    return decide(db, who, ip, id, true, NULL, now, err);
}

int isreg_return(struct db *db, const struct id_principal *who, const char *ip, const char *id, const char *remarks,
                 int64_t now, struct pc_err *err)
{
    return decide(db, who, ip, id, false, remarks, now, err);
}

int isreg_deregister(struct db *db, const struct id_principal *who, const char *ip, const char *id,
                     const char *stopped_on, const char *reason, bool confirmed, int64_t now, struct pc_err *err)
{
    int64_t stopped;
    if (isreg_date_parse(stopped_on, &stopped))
        return pc_err_set(err, PC_EINVAL, "stopped_on must be a date YYYY-MM-DD");
    if (stopped > isreg_day_of(now))
        return pc_err_set(err, PC_EINVAL, "stopped_on is in the future: de-register a system when it has stopped");
    if (!reason || !*reason || strlen(reason) > ISREG_TEXT_MAX || !pc_utf8_valid(reason, strlen(reason)))
        return pc_err_set(err, PC_EINVAL, "a de-registration needs a reason (at most %d bytes)", ISREG_TEXT_MAX);
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct pc_arena a;
    pc_arena_init(&a);
    const char *role = NULL;
    struct isreg_head h;
    struct isreg_card card;
    rc = isreg_head_read(c, id, &h, err);
    /* the owner declares it; the operator may record it too */
    if (!rc && isreg_may_edit(who, h.agency_id, &role, err) && isreg_may_review(who, &role, err))
        rc = PC_EDENIED;
    if (!rc && (h.status == ISREG_DEREGISTERED || !h.registered_version))
        rc = pc_err_set(err, PC_ECONFLICT, "%s is %s: only a registered system is de-registered", id,
                        h.status == ISREG_DEREGISTERED ? "de-registered already" : "not registered");
    if (!rc)
        rc = read_card(c, &a, id, h.registered_version, &card, err);
    if (!rc && card.services_offered.n && !confirmed)
        rc = pc_err_set(err, PC_ECONFLICT,
                        "%s still declares %zu exchange-layer services (first: %s); confirm to de-register it anyway",
                        id, card.services_offered.n, card.services_offered.items[0]);
    struct db_stmt *s = rc ? NULL : db_prepare(c,
        "UPDATE isreg_systems SET status = 'deregistered', deregistered_on = ?, deregister_reason = ?, updated_at = ? "
        "WHERE id = ?", err);
    if (!rc && !s)
        rc = err->code;
    if (s) {
        db_bind_text(s, 1, stopped_on);
        db_bind_text(s, 2, reason);
        db_bind_int(s, 3, now);
        db_bind_text(s, 4, id);
        rc = isreg_run(s, err);
    }
    int late = (int)(isreg_day_of(now) - stopped - ISREG_DAYS_TO_REGISTER);
    char remarks[ISREG_TEXT_MAX + 64];
    snprintf(remarks, sizeof remarks, "stopped %s, %d days late: %s", stopped_on, late > 0 ? late : 0, reason);
    if (!rc)
        rc = isreg_decision_add(c, id, h.registered_version, "deregistered", remarks, who->account_id, now, err);
    pc_arena_release(&a);
    return isreg_audited(c, rc, who, role, "isreg.deregister", "information_system", id, ip, stopped_on, err);
}

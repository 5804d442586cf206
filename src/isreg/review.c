/* review.c — the operator's compliance work besides decisions on cards:
 * findings with a follow-up date, and systems known to exist that have no
 * card (from the exchange layer, the catalogue or an inspection). */
#include "internal.h"
#include "../audit/audit.h"

#include <stdio.h>
#include <string.h>

static int check_text(const char *v, const char *name, size_t max, struct pc_err *err)
{
    size_t n = v ? strlen(v) : 0;
    if (n == 0 || n > max || !pc_utf8_valid(v, n))
        return pc_err_set(err, PC_EINVAL, "%s is required (at most %zu bytes of UTF-8)", name, max);
    return 0;
}

int isreg_finding_open(struct db *db, const struct id_principal *who, const char *ip, const char *id,
                       const char *text, const char *follow_up_on, char out_id[33], struct pc_err *err)
{
    const char *role;
    int64_t day;
    int rc = isreg_may_review(who, &role, err);
    if (!rc)
        rc = check_text(text, "text", ISREG_TEXT_MAX, err);
    if (!rc && isreg_date_parse(follow_up_on, &day))
        rc = pc_err_set(err, PC_EINVAL, "follow_up_on must be a date YYYY-MM-DD");
    if (rc)
        return rc;
    if (pc_random_hex(out_id, 16))
        return pc_err_set(err, PC_EIO, "no random bytes");
    struct db_conn *c;
    rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct isreg_head h;
    rc = isreg_head_read(c, id, &h, err);
    struct db_stmt *s = rc ? NULL : db_prepare(c,
        "INSERT INTO isreg_findings(id, system_id, text, follow_up_on, opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?)",
        err);
    if (!rc && !s)
        rc = err->code;
    if (s) {
        db_bind_text(s, 1, out_id);
        db_bind_text(s, 2, id);
        db_bind_text(s, 3, text);
        db_bind_text(s, 4, follow_up_on);
        db_bind_text(s, 5, who->account_id);
        db_bind_int(s, 6, pc_now_unix());
        rc = isreg_run(s, err);
    }
    return isreg_audited(c, rc, who, role, "isreg.finding.open", "information_system", id, ip, out_id, err);
}

int isreg_finding_close(struct db *db, const struct id_principal *who, const char *ip, const char *id,
                        const char *finding_id, const char *note, struct pc_err *err)
{
    const char *role;
    int rc = isreg_may_review(who, &role, err);
    if (!rc)
        rc = check_text(note, "note", ISREG_TEXT_MAX, err);
    if (rc)
        return rc;
    struct db_conn *c;
    rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "UPDATE isreg_findings SET closed_at = ?, closed_note = ? "
                                      "WHERE id = ? AND system_id = ? AND closed_at IS NULL", err);
    rc = s ? 0 : err->code;
    if (s) {
        db_bind_int(s, 1, pc_now_unix());
        db_bind_text(s, 2, note);
        db_bind_text(s, 3, finding_id);
        db_bind_text(s, 4, id);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : n == 0 ? pc_err_set(err, PC_ENOTFOUND, "no open finding %.40s of %s", finding_id, id) : 0;
    }
    return isreg_audited(c, rc, who, role, "isreg.finding.close", "information_system", id, ip, finding_id, err);
}

int isreg_known_add(struct db *db, const struct id_principal *who, const char *ip, const struct isreg_known *k,
                    char out_id[33], struct pc_err *err)
{
    const char *role;
    int64_t day;
    int rc = isreg_may_review(who, &role, err);
    if (!rc)
        rc = check_text(k->name, "name", ISREG_NAME_MAX, err);
    if (!rc)
        rc = check_text(k->agency_id, "agency", 64, err);
    if (!rc && (unsigned)k->source >= ISREG_SRC_COUNT)
        rc = pc_err_set(err, PC_EINVAL, "source must be exchange, catalogue or inspection");
    if (!rc && (isreg_date_parse(k->noted_on, &day) || day > isreg_day_of(pc_now_unix())))
        rc = pc_err_set(err, PC_EINVAL, "noted_on must be a date YYYY-MM-DD, not in the future");
    if (!rc && k->note && (strlen(k->note) > ISREG_TEXT_MAX || !pc_utf8_valid(k->note, strlen(k->note))))
        rc = pc_err_set(err, PC_EINVAL, "note is longer than %d bytes or not UTF-8", ISREG_TEXT_MAX);
    if (rc)
        return rc;
    if (pc_random_hex(out_id, 16))
        return pc_err_set(err, PC_EIO, "no random bytes");
    struct db_conn *c;
    rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO isreg_known(id, agency_id, name, source, noted_on, note, actor) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
    rc = s ? 0 : err->code;
    if (s) {
        db_bind_text(s, 1, out_id);
        db_bind_text(s, 2, k->agency_id);
        db_bind_text(s, 3, k->name);
        db_bind_text(s, 4, isreg_source_name(k->source));
        db_bind_text(s, 5, k->noted_on);
        db_bind_text(s, 6, k->note ? k->note : "");
        db_bind_text(s, 7, who->account_id);
        rc = isreg_run(s, err);
    }
    return isreg_audited(c, rc, who, role, "isreg.known.add", "known_system", out_id, ip, k->agency_id, err);
}

int isreg_known_link(struct db *db, const struct id_principal *who, const char *ip, const char *known_id,
                     const char *system_id, struct pc_err *err)
{
    const char *role;
    int rc = isreg_may_review(who, &role, err);
    if (rc)
        return rc;
    struct db_conn *c;
    rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct isreg_head h;
    rc = isreg_head_read(c, system_id, &h, err);
    struct db_stmt *s = rc ? NULL : db_prepare(c,
        "UPDATE isreg_known SET system_id = ? WHERE id = ? AND agency_id = ? AND system_id IS NULL", err);
    if (!rc && !s)
        rc = err->code;
    if (s) {
        db_bind_text(s, 1, system_id);
        db_bind_text(s, 2, known_id);
        db_bind_text(s, 3, h.agency_id);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n
           : n == 0 ? pc_err_set(err, PC_ENOTFOUND, "no unlinked known system %.40s of the body %s", known_id, h.agency_id)
                    : 0;
    }
    return isreg_audited(c, rc, who, role, "isreg.known.link", "known_system", known_id, ip, system_id, err);
}

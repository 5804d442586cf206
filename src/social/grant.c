/* grant.c — granted assistance while it runs (issue 17, items 4 and 5):
 * the officer lifts a suspension (recheck.c) with a reason, and the months
 * skipped meanwhile are paid in arrears in the next month's orders or
 * not, as the parameters in force say; the officer ends a grant; and
 * before the period ends the grant is re-assessed: reassess_days before
 * its last month the evidence is asked of the registries again (the same
 * path as a new case: evidence.c gathers it), the officer sees the new
 * proposal beside the running grant and extends it (the parameters'
 * months more at the new amount, the schedule continued) or ends it.  The
 * applicant finds each decision in the e-safe and is told by SMS or
 * e-mail.  Every act is one audited
 * transaction; who may act is decided by the caller.
 *
 * seal2: an extension's, a resumption's and an ending's decision text is
 * built by one function here, before the act (social_grant_document) so
 * that the caller has the centre seal it outside any transaction, and
 * again inside the act; the act keeps the sealed copy (pki_sealed_docs,
 * kind "grant-extended-N" / "grant-resumed-N" / "grant-ended") in its own
 * transaction only when the two texts are the same bytes, else the grant
 * changed meanwhile (PC_ECONFLICT, nothing done). */
#include "internal.h"
#include "../audit/audit.h"
#include "../esafe/esafe.h"
#include "../identity/identity.h"
#include "../notify/notify.h"
#include "../pay/pay.h"
#include "../pki/pki.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define REASON_MAX 1000
#define DUE_MAX 200

static int reason_ok(const char *reason, struct pc_err *err)
{
    if (!reason || !*reason || strlen(reason) > REASON_MAX || !pc_utf8_valid(reason, strlen(reason)))
        return pc_err_set(err, PC_EINVAL, "a reason (1 to %d characters) is required", REASON_MAX);
    return 0;
}

static void day_of(int64_t t, char out[21])
{
    pc_rfc3339(t, out);
    out[10] = '\0';
}

/* The grant as stored, with what is needed to continue its schedule. */
struct row {
    struct social_grant g;
    int64_t suspended_at;
    const char *iban, *fin;
};

int social_grant_read(struct db_conn *c, const char *reference, struct social_grant *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *s = db_prepare(c,
                                   "SELECT amount, months, first_month, decided_at, resumed_at, ended_at, reassess_at, "
                                   "extensions, resumptions FROM social_grants WHERE reference = ? AND outcome = 'granted'",
                                   err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, reference);
    int rc = db_step(s, err);
    if (rc == 1) {
        *out = (struct social_grant){.set = true, .amount = db_col_int(s, 0), .months = (int)db_col_int(s, 1),
                                     .decided_at = db_col_int(s, 3), .resumed_at = db_col_int(s, 4),
                                     .ended_at = db_col_int(s, 5), .reassess_at = db_col_int(s, 6),
                                     .extensions = (int)db_col_int(s, 7), .resumptions = (int)db_col_int(s, 8)};
        snprintf(out->first_month, sizeof out->first_month, "%s", db_col_text(s, 2) ? db_col_text(s, 2) : "");
        social_month_add(out->first_month, out->months - 1, out->last_month);
    }
    return rc < 0 ? rc : 0;
}

/* A running grant (granted, not ended) in c's transaction; PC_ENOTFOUND otherwise. */
static int load(struct db_conn *c, struct pc_arena *a, const char *reference, struct row *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = social_grant_read(c, reference, &out->g, err);
    if (rc)
        return rc;
    if (!out->g.set || out->g.ended_at)
        return pc_err_set(err, PC_ENOTFOUND, "%s has no running grant of social assistance", reference);
    struct db_stmt *s =
        db_prepare(c, "SELECT COALESCE(suspended_at, 0), iban, fin FROM social_grants WHERE reference = ?", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, reference);
    if ((rc = db_step(s, err)) != 1)
        return rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "%s has no grant", reference);
    out->suspended_at = db_col_int(s, 0);
    out->iban = pc_arena_strdup(a, db_col_text(s, 1));
    out->fin = pc_arena_strdup(a, db_col_text(s, 2));
    return 0;
}

/* One UPDATE binding ni integers first, then n texts; *changed rows (NULL: not wanted). */
static int update_ints(struct db_conn *c, const char *sql, const int64_t *ints, size_t ni, const char *const *texts,
                       size_t n, int64_t *changed, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, sql, err);
    if (!s)
        return err->code;
    for (size_t i = 0; i < ni; i++)
        db_bind_int(s, (int)i + 1, ints[i]);
    for (size_t i = 0; i < n; i++)
        db_bind_text(s, (int)(ni + i) + 1, texts[i]);
    int64_t r = db_run(s, err);
    if (r < 0)
        return (int)r;
    if (changed)
        *changed = r;
    return 0;
}

/* The same with the time as the one integer. */
static int update(struct db_conn *c, const char *sql, int64_t now, const char *const *texts, size_t n,
                  int64_t *changed, struct pc_err *err)
{
    return update_ints(c, sql, &now, 1, texts, n, changed, err);
}

/* The decisions' words, in Azerbaijani with English beside them. */
static const char *end_text(struct pc_arena *a, const char *reference, const char *reason)
{
    return pc_arena_printf(a,
                           "Ünvanlı dövlət sosial yardımına xitam verilir / Targeted state social assistance "
                           "is ended.\nMüraciət / Application: %s\nSəbəb / Reason: %s\n",
                           reference, reason);
}

/* A suspension lifted from month next on; the months before it paid then, or not. */
static const char *resume_text(struct pc_arena *a, const char *reference, const char *reason, const char *next,
                               bool arrears)
{
    return pc_arena_printf(a,
                           "Ünvanlı dövlət sosial yardımının ödənişləri bərpa edilir / Payments of targeted state "
                           "social assistance are resumed.\nMüraciət / Application: %s\nAydan / From the month: %s\n"
                           "Dayandırılmış aylar / Suspended months: %s\nSəbəb / Reason: %s\n",
                           reference, next,
                           arrears ? pc_arena_printf(a, "%s ayında ödənilir / paid in arrears in %s", next, next)
                                   : "ödənilmir / not paid",
                           reason);
}

/* An extension by months from the month after last (the grant's last month now). */
struct plan {
    int64_t amount;
    int months, version, extensions;
    char money[32], last[24];
};

static const char *extend_text(struct pc_arena *a, const char *reference, const struct plan *p, const char *last)
{
    char first[24], until[24];
    social_month_add(last, 1, first);
    social_month_add(last, p->months, until);
    return pc_arena_printf(a,
                           "Ünvanlı dövlət sosial yardımı yenidən qiymətləndirmə ilə uzadılır / Targeted state "
                           "social assistance is extended after re-assessment.\n"
                           "Müraciət / Application: %s\nAylıq məbləğ / Monthly amount: %s AZN\n"
                           "Müddət / Period: %d ay / months, %s – %s\nParametrlər / Parameters: v%d\n",
                           reference, p->money, p->months, first, until, p->version);
}

/* The kind of an act's sealed copy; n: the grant's extensions or resumptions before the act. */
static const char *doc_kind(struct pc_arena *a, enum social_grant_act act, int n)
{
    switch (act) {
    case SOCIAL_GRANT_EXTEND: return pc_arena_printf(a, "grant-extended-%d", n + 1);
    case SOCIAL_GRANT_RESUME: return pc_arena_printf(a, "grant-resumed-%d", n + 1);
    case SOCIAL_GRANT_END: break;
    }
    return "grant-ended";
}

size_t social_grant_kinds(struct pc_arena *a, const struct social_grant *g, const char **out, size_t max)
{
    size_t n = 0;
    for (int i = 0; g->set && i < g->extensions && n < max; i++)
        out[n++] = doc_kind(a, SOCIAL_GRANT_EXTEND, i);
    for (int i = 0; g->set && i < g->resumptions && n < max; i++)
        out[n++] = doc_kind(a, SOCIAL_GRANT_RESUME, i);
    if (g->set && g->ended_at && n < max)
        out[n++] = doc_kind(a, SOCIAL_GRANT_END, 0);
    return n;
}

/* The sealed copy of text (none: nothing to keep), on c in the act's transaction. */
static int keep_sealed(struct db_conn *c, const char *reference, const char *kind, const char *text,
                       const struct pki_sealed_doc *sealed, struct pc_err *err)
{
    if (!sealed)
        return 0;
    if (!pc_str_eq(sealed->kind, kind) || sealed->document_len != strlen(text) ||
        memcmp(sealed->document, text, sealed->document_len) != 0)
        return pc_err_set(err, PC_ECONFLICT, "the grant of %s changed while its decision was sealed: try again",
                          reference);
    struct pki_sealed_doc d = *sealed;
    d.object_id = reference;
    int rc = pki_doc_supersede(c, reference, kind, err);
    return rc ? rc : pki_doc_put(c, &d, err);
}

/* The decision's document in the applicant's e-safe (source "social", one
 * per act), and an SMS (else an e-mail) to the contact on record saying so
 * (template social-grant, payload: kind extended or ended, reference, …;
 * NULL: no message, the e-safe is the notice). */
static int tell(struct db_conn *c, struct pc_arena *a, const struct row *g, const char *reference, const char *act,
                const char *title, const char *text, const char *payload, struct pc_err *err)
{
    if (!g->fin || !*g->fin)
        return 0;
    char ref[96], id[ESAFE_ID_LEN + 1];
    snprintf(ref, sizeof ref, "%.40s-%s-%d", reference, act, g->g.extensions);
    struct esafe_new doc = {.owner = {ESAFE_PERSON, g->fin}, .kind = ESAFE_DECISION, .title = title,
                            .source = "social", .source_ref = ref, .bytes = text, .len = strlen(text),
                            .content_type = "text/plain; charset=utf-8"};
    int rc = esafe_add(c, &doc, id, err);
    struct id_contact to;
    if (!rc && payload && !(rc = id_person_contact(c, a, g->fin, &to, err)) && (to.phone || to.email))
        rc = notify_enqueue(c, to.phone ? "sms" : "email", to.phone ? to.phone : to.email, "social-grant",
                            pc_lang_code(to.lang), payload, err);
    return rc == PC_ENOTFOUND ? 0 : rc; /* no person on record: the e-safe is the notice */
}

/* What a resumption at now depends on, before its transaction: the month
 * payments go on from (next) and whether the months before it are paid then. */
static int resume_plan(struct db *db, struct pc_arena *a, const char *reason, int64_t now, char next[24],
                       bool *arrears, struct pc_err *err)
{
    int rc = reason_ok(reason, err);
    if (rc)
        return rc;
    char today[21];
    day_of(now, today);
    social_month_after(now, 0, next);
    struct social_params p;
    rc = social_params_for(db, a, today, &p, err);
    *arrears = rc == 0 && p.arrears; /* no parameters in force: nothing in arrears */
    return rc == PC_ENOTFOUND ? 0 : rc;
}

int social_resume(struct db *db, const char *actor, const char *reference, const char *reason, int64_t now,
                  const struct pki_sealed_doc *sealed, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    char next[24];
    bool arrears;
    struct db_conn *c;
    int rc = resume_plan(db, &a, reason, now, next, &arrears, err);
    if (rc || (rc = audit_begin(db, &c, err))) {
        pc_arena_release(&a);
        return rc;
    }
    struct row g;
    int64_t back = 0;
    rc = load(c, &a, reference, &g, err);
    if (!rc && !g.suspended_at)
        rc = pc_err_set(err, PC_ECONFLICT, "%s is not suspended", reference);
    /* from the next month on as scheduled; the months before it skipped, or paid in the next month's orders */
    if (!rc)
        rc = update(c,
                    "UPDATE social_payments SET updated_at = ?, status = 'scheduled' "
                    "WHERE reference = ? AND status = 'suspended' AND month >= ?",
                    now, (const char *[]){reference, next}, 2, NULL, err);
    if (!rc && arrears)
        rc = update(c,
                    "UPDATE social_payments SET updated_at = ?, status = 'scheduled', pay_month = ? "
                    "WHERE reference = ? AND status = 'suspended'",
                    now, (const char *[]){next, reference}, 2, &back, err);
    else if (!rc)
        rc = update(c, "UPDATE social_payments SET updated_at = ?, status = 'skipped' "
                       "WHERE reference = ? AND status = 'suspended'",
                    now, (const char *[]){reference}, 1, &back, err);
    /* checked now: the registries are asked again only after the interval */
    if (!rc)
        rc = update_ints(c,
                         "UPDATE social_grants SET resumed_at = ?, checked_at = ?, suspended_at = NULL, "
                         "suspended_kind = NULL, suspended_fin = NULL, suspended_since = NULL, "
                         "resumptions = resumptions + 1 WHERE reference = ?",
                         (const int64_t[]){now, now}, 2, (const char *[]){reference}, 1, NULL, err);
    /* seal2: the decision, sealed or not, in the e-safe (the payments' own notices tell the rest) */
    const char *text = resume_text(&a, reference, reason, next, arrears);
    if (!rc)
        rc = keep_sealed(c, reference, doc_kind(&a, SOCIAL_GRANT_RESUME, g.g.resumptions), text, sealed, err);
    if (!rc)
        rc = tell(c, &a, &g, reference, pc_arena_printf(&a, "resume-%d", g.g.resumptions + 1),
                  "Ünvanlı dövlət sosial yardımının ödənişləri bərpa edildi / Social assistance resumed", text, NULL,
                  err);
    char detail[1200];
    snprintf(detail, sizeof detail, "%lld month(s) %s; %s", (long long)back, arrears ? "in arrears" : "skipped",
             reason);
    rc = audit_end(c, rc, &(struct audit_entry){actor, "officer", "social.resume", "application", reference, "", detail},
                   err);
    pc_arena_release(&a);
    return rc;
}

int social_end(struct db *db, const char *actor, const char *reference, const char *reason, int64_t now,
               const struct pki_sealed_doc *sealed, struct pc_err *err)
{
    int rc = reason_ok(reason, err);
    struct db_conn *c;
    if (rc || (rc = audit_begin(db, &c, err)))
        return rc;
    struct pc_arena a;
    pc_arena_init(&a);
    struct row g;
    rc = load(c, &a, reference, &g, err);
    if (!rc)
        rc = update(c, "UPDATE social_grants SET ended_at = ?, reassess_at = NULL WHERE reference = ?", now,
                    (const char *[]){reference}, 1, NULL, err);
    if (!rc)
        rc = update(c,
                    "UPDATE social_payments SET updated_at = ?, status = 'cancelled' "
                    "WHERE reference = ? AND status IN ('scheduled', 'suspended')",
                    now, (const char *[]){reference}, 1, NULL, err);
    const char *text = end_text(&a, reference, reason);
    if (!rc)
        rc = keep_sealed(c, reference, doc_kind(&a, SOCIAL_GRANT_END, 0), text, sealed, err);
    if (!rc)
        rc = tell(c, &a, &g, reference, "end", "Ünvanlı dövlət sosial yardımına xitam verildi / Social assistance ended",
                  text, pc_arena_printf(&a, "{\"kind\":\"ended\",\"reference\":\"%s\"}", reference), err);
    rc = audit_end(c, rc, &(struct audit_entry){actor, "officer", "social.end", "application", reference, "", reason},
                   err);
    pc_arena_release(&a);
    return rc;
}

/* The first second of month YYYY-MM (UTC); -1 when it is not one. */
static int64_t month_start(const char *month)
{
    struct tm tm = {0};
    if (sscanf(month, "%4d-%2d", &tm.tm_year, &tm.tm_mon) != 2)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_mday = 1;
    return (int64_t)timegm(&tm);
}

int social_reassess_due(struct db *db, int64_t now, int *started, struct pc_err *err)
{
    *started = 0;
    struct pc_arena a;
    pc_arena_init(&a);
    char today[21];
    day_of(now, today);
    struct social_params p;
    int rc = social_params_for(db, &a, today, &p, err);
    if (rc) {
        pc_arena_release(&a);
        return rc == PC_ENOTFOUND ? 0 : rc; /* no parameters in force: nothing could be proposed */
    }
    /* only grants whose last month is at most the month reassess_days from now (NULL: granted before
     * the column) are looked at: the rest are not near their end */
    char horizon[24];
    social_month_after(now + (int64_t)p.reassess_days * 86400, -1, horizon);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
                                       "SELECT reference FROM social_grants WHERE outcome = 'granted' AND ended_at IS NULL "
                                       "AND suspended_at IS NULL AND reassess_at IS NULL "
                                       "AND (last_month IS NULL OR last_month <= ?) ORDER BY last_month, reference LIMIT ?",
                                       err)
                          : NULL;
    if (!s) {
        pc_arena_release(&a);
        return err->code ? err->code : PC_EUNAVAIL;
    }
    db_bind_text(s, 1, horizon);
    db_bind_int(s, 2, DUE_MAX);
    const char *due[DUE_MAX];
    size_t n = 0;
    while (n < DUE_MAX && (rc = db_step(s, err)) == 1)
        due[n++] = pc_arena_strdup(&a, db_col_text(s, 0));
    db_conn_idle(c);
    /* one grant that fails does not hold up the others: logged, tried next round */
    int failed = 0;
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        struct social_grant g;
        if (!(c = db_conn_get(db, err)) || (rc = social_grant_read(c, due[i], &g, err)))
            break;
        db_conn_idle(c);
        int64_t last = month_start(g.last_month);
        if (last < 0 || now + (int64_t)p.reassess_days * 86400 < last)
            continue;
        if ((rc = audit_begin(db, &c, err)))
            break;
        int64_t began = 0;
        int grc = update(c, "UPDATE social_grants SET reassess_at = ? WHERE reference = ? AND reassess_at IS NULL",
                         now, (const char *[]){due[i]}, 1, &began, err);
        /* the officer's change of the first decision does not carry over */
        if (!grc && began)
            grc = update(c,
                         "UPDATE social_cases SET override_eligible = NULL, override_amount = NULL, "
                         "override_reason = NULL, override_by = NULL, override_at = NULL, updated_at = ? "
                         "WHERE reference = ?",
                         now, (const char *[]){due[i]}, 1, NULL, err);
        if (!grc && began)
            grc = social_refetch_in(c, due[i], err);
        grc = audit_end(c, grc, &(struct audit_entry){"system", "system", "social.reassess", "application", due[i],
                                                      "", pc_arena_printf(&a, "the last month %s is near", g.last_month)},
                        err);
        if (grc) {
            pc_log(PC_LOG_WARN, "social.reassess_failed", "case", due[i], "code", pc_errcode_name(grc), "msg",
                   err->msg, NULL);
            failed = grc;
        }
        *started += !grc && began;
    }
    pc_arena_release(&a);
    return rc < 0 ? rc : failed;
}

/* The checks and figures of an extension, before its transaction. */
static int extend_plan(struct db *db, struct pc_arena *a, const char *reference, const char *reason, struct plan *out,
                       struct pc_err *err)
{
    int rc = reason_ok(reason, err);
    struct case_app app;
    struct social_case sc;
    if (!rc)
        rc = case_load(db, a, reference, &app, err);
    if (!rc)
        rc = social_case_get(db, a, &app, &sc, err);
    if (rc)
        return rc;
    if (!sc.grant.set || sc.grant.ended_at || !sc.grant.reassess_at)
        return pc_err_set(err, PC_ECONFLICT, "%s is not being re-assessed", reference);
    if (!sc.computed)
        return pc_err_set(err, PC_ECONFLICT, "%s: the fresh evidence is not complete yet", reference);
    bool eligible = sc.override.set ? sc.override.eligible : sc.means.eligible;
    int64_t amount = sc.override.set ? sc.override.amount : sc.means.amount;
    if (!eligible || amount <= 0)
        return pc_err_set(err, PC_EDENIED, "%s is not eligible by the new means test: end the grant", reference);
    *out = (struct plan){.amount = amount, .months = sc.params.months, .version = sc.params.version,
                         .extensions = sc.grant.extensions};
    pay_azn_format(amount, out->money);
    snprintf(out->last, sizeof out->last, "%s", sc.grant.last_month);
    return 0;
}

/* The running grant, outside a transaction (what an act checks again inside its own). */
static int running(struct db *db, struct pc_arena *a, const char *reference, struct row *g, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code ? err->code : PC_EUNAVAIL;
    int rc = load(c, a, reference, g, err);
    db_conn_idle(c);
    return rc;
}

int social_grant_document(struct db *db, struct pc_arena *a, const char *reference, enum social_grant_act act,
                          const char *reason, int64_t now, struct social_grant_doc *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    struct plan p;
    struct row g;
    char next[24];
    bool arrears;
    int rc;
    switch (act) {
    case SOCIAL_GRANT_EXTEND:
        if ((rc = extend_plan(db, a, reference, reason, &p, err)))
            return rc;
        *out = (struct social_grant_doc){extend_text(a, reference, &p, p.last), doc_kind(a, act, p.extensions)};
        return 0;
    case SOCIAL_GRANT_RESUME:
        if ((rc = resume_plan(db, a, reason, now, next, &arrears, err)) || (rc = running(db, a, reference, &g, err)))
            return rc;
        if (!g.suspended_at)
            return pc_err_set(err, PC_ECONFLICT, "%s is not suspended", reference);
        *out = (struct social_grant_doc){resume_text(a, reference, reason, next, arrears),
                                         doc_kind(a, act, g.g.resumptions)};
        return 0;
    case SOCIAL_GRANT_END: break;
    }
    if ((rc = reason_ok(reason, err)) || (rc = running(db, a, reference, &g, err)))
        return rc;
    *out = (struct social_grant_doc){end_text(a, reference, reason), doc_kind(a, act, 0)};
    return 0;
}

int social_extend(struct db *db, const char *actor, const char *reference, const char *reason, int64_t now,
                  const struct pki_sealed_doc *sealed, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct plan p;
    int rc = extend_plan(db, &a, reference, reason, &p, err);
    struct db_conn *c;
    if (rc || (rc = audit_begin(db, &c, err))) {
        pc_arena_release(&a);
        return rc;
    }
    struct row g;
    char last[24];
    rc = load(c, &a, reference, &g, err);
    if (!rc)
        rc = social_schedule(c, reference, g.g.first_month, g.g.months, p.months, p.amount, g.iban, g.fin ? g.fin : "",
                             now, err);
    social_month_add(g.g.last_month, p.months, last);
    if (!rc)
        rc = update_ints(c,
                         "UPDATE social_grants SET checked_at = ?, amount = ?, months = months + ?, "
                         "extensions = extensions + 1, reassess_at = NULL, last_month = ? WHERE reference = ?",
                         (const int64_t[]){now, p.amount, p.months}, 3, (const char *[]){last, reference}, 2, NULL,
                         err);
    const char *text = extend_text(&a, reference, &p, g.g.last_month);
    if (!rc)
        rc = keep_sealed(c, reference, doc_kind(&a, SOCIAL_GRANT_EXTEND, g.g.extensions), text, sealed, err);
    if (!rc)
        rc = tell(c, &a, &g, reference, "extend", "Ünvanlı dövlət sosial yardımı uzadıldı / Social assistance extended",
                  text,
                  pc_arena_printf(&a, "{\"kind\":\"extended\",\"reference\":\"%s\",\"amount\":\"%s\",\"until\":\"%s\"}",
                                  reference, p.money, last),
                  err);
    rc = audit_end(c, rc, &(struct audit_entry){actor, "officer", "social.extend", "application", reference, "",
                                                pc_arena_printf(&a, "%d month(s) at %s AZN; %s", p.months, p.money, reason)},
                   err);
    pc_arena_release(&a);
    return rc;
}

/* payments.c — the decision on a VEMTAS case and what follows it: the
 * figures the decision states (the officer's override, else the means
 * test's proposal) and the lines of the sealed document; when granted, a
 * payment order per month from the month after the decision to the IBAN
 * of the application, all in the workflow step's transaction; the month's
 * orders as a file for the treasury/bank (a month's own and those paid in
 * arrears in it); the bank's answer (bank.c)
 * reconciled: paid, or rejected with its reason for the officer. */
#include "internal.h"
#include "../esafe/esafe.h"
#include "../pay/pay.h"

#include <stdio.h>
#include <string.h>

#define IBAN_MAX 34

static const char *const pay_names[SOCIAL_PAY_STATUS_COUNT] = {"scheduled", "ordered",   "paid",     "rejected",
                                                                "suspended", "skipped", "cancelled"};

const char *social_pay_status_name(enum social_pay_status s)
{
    return (unsigned)s < SOCIAL_PAY_STATUS_COUNT ? pay_names[s] : "?";
}

static int payment_status_parse(const char *s)
{
    for (int i = 0; i < SOCIAL_PAY_STATUS_COUNT; i++)
        if (pc_str_eq(s, pay_names[i]))
            return i;
    return -1;
}

/* An IBAN as the bank takes it: AZ, two check digits, 4 letters, 20 characters (28). */
static bool iban_ok(const char *s)
{
    if (!s || strlen(s) != 28 || s[0] != 'A' || s[1] != 'Z')
        return false;
    for (const char *p = s + 2; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z')))
            return false;
    return true;
}

void social_month_after(int64_t at, int k, char out[24])
{
    char ts[21];
    pc_rfc3339(at, ts);
    int y = (ts[0] - '0') * 1000 + (ts[1] - '0') * 100 + (ts[2] - '0') * 10 + (ts[3] - '0');
    /* the decision's month, 1-based, is the next month 0-based; then k months on */
    int m = (ts[5] - '0') * 10 + (ts[6] - '0') + k;
    snprintf(out, 24, "%04d-%02d", y + m / 12, m % 12 + 1);
}

int social_decision_prepare(struct db *db, struct pc_arena *a, const struct case_app *app, bool approve, int64_t at,
                            struct social_decision *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!pc_str_eq(app->service_id, SOCIAL_SERVICE) || !app->reference)
        return 0;
    out->applies = true;
    out->reference = app->reference;
    out->fin = app->applicant_fin;
    struct social_case c;
    int rc = social_case_get(db, a, app, &c, err);
    if (rc && rc != PC_ENOTFOUND)
        return rc;
    if (!approve) {
        out->text = "Ünvanlı dövlət sosial yardımı təyin edilmir / Targeted state social assistance is refused.\n"
                    "Səbəblər yuxarıda göstərilib / The reasons are given above.\n"
                    "Şikayət: qərarı aldığınız gündən bir ay ərzində Əmək və Əhalinin Sosial Müdafiəsi Nazirliyinə "
                    "və ya məhkəməyə / Appeal: within one month of receiving this decision, to the Ministry of Labour "
                    "and Social Protection of Population or to a court.\n";
        return 0;
    }
    if (rc || !c.computed)
        return pc_err_set(err, PC_EDENIED, "%s has no means-test proposal yet: the evidence is not complete",
                          app->reference);
    bool eligible = c.override.set ? c.override.eligible : c.means.eligible;
    out->amount = c.override.set ? c.override.amount : c.means.amount;
    out->months = c.means.months ? c.means.months : c.params.months;
    if (!eligible || out->amount <= 0)
        return pc_err_set(err, PC_EDENIED, "%s is not eligible by the means test: change the proposal or refuse",
                          app->reference);
    json_t *answers = form_answers_json(app->answers);
    out->iban = pc_arena_strdup(a, json_string_value(json_object_get(answers, "bank_account_iban")));
    json_decref(answers);
    if (!iban_ok(out->iban))
        return pc_err_set(err, PC_EDENIED, "%s has no valid IBAN to pay to", app->reference);
    out->granted = true;
    social_month_after(at, 0, out->first_month);
    char last[24], amount[32];
    social_month_after(at, out->months - 1, last);
    pay_azn_format(out->amount, amount);
    out->text = pc_arena_printf(a,
                                "Ünvanlı dövlət sosial yardımı təyin edilir / Targeted state social assistance is "
                                "granted.\n"
                                "Aylıq məbləğ / Monthly amount: %s AZN\n"
                                "Müddət / Period: %d ay / months, %s – %s\n"
                                "Hesab / Account: %s\n"
                                "Vəsait yoxlaması / Means test: %d nəfər / members, parametrlər / parameters v%d%s\n",
                                amount, out->months, out->first_month, last, out->iban, c.means.members,
                                c.params.version, c.override.set ? ", məmurun düzəlişi ilə / with the officer's change" : "");
    return 0;
}

int social_decision_write(struct db_conn *c, const struct social_decision *d, struct pc_err *err)
{
    if (!d->applies)
        return 0;
    struct db_stmt *s = db_prepare(c,
                                   "INSERT INTO social_grants (reference, outcome, amount, months, first_month, iban, fin, "
                                   "decided_at, last_month) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   err);
    if (!s)
        return err->code;
    int64_t now = pc_now_unix();
    db_bind_text(s, 1, d->reference);
    db_bind_text(s, 2, d->granted ? "granted" : "refused");
    db_bind_int(s, 3, d->granted ? d->amount : 0);
    db_bind_int(s, 4, d->granted ? d->months : 0);
    if (d->granted) {
        db_bind_text(s, 5, d->first_month);
        db_bind_text(s, 6, d->iban);
    } else {
        db_bind_null(s, 5);
        db_bind_null(s, 6);
    }
    if (d->fin)
        db_bind_text(s, 7, d->fin);
    else
        db_bind_null(s, 7);
    db_bind_int(s, 8, now);
    char last[24];
    if (d->granted) {
        social_month_add(d->first_month, d->months - 1, last);
        db_bind_text(s, 9, last);
    } else {
        db_bind_null(s, 9);
    }
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    /* the application's decision in the applicant's e-safe at once, under
     * the key the e-safe gathers decisions by (kind decision, source
     * "cases", the reference): it is there once, whoever puts it first */
    if (d->fin && d->document) {
        char id[ESAFE_ID_LEN + 1];
        struct esafe_new doc = {
            .owner = {ESAFE_PERSON, d->fin}, .kind = ESAFE_DECISION,
            .title = d->granted ? "Ünvanlı dövlət sosial yardımı təyin edildi / Social assistance granted"
                                : "Ünvanlı dövlət sosial yardımından imtina / Social assistance refused",
            .source = "cases", .source_ref = d->reference, .bytes = d->document, .len = strlen(d->document),
            .content_type = "text/plain; charset=utf-8"};
        int rc = esafe_add(c, &doc, id, err);
        if (rc)
            return rc;
    }
    return d->granted ? social_schedule(c, d->reference, d->first_month, 0, d->months, d->amount, d->iban,
                                        d->fin ? d->fin : "", now, err)
                      : 0;
}

void social_month_add(const char *month, int k, char out[24])
{
    int y = 0, m = 1;
    sscanf(month, "%4d-%2d", &y, &m);
    m += k;
    snprintf(out, 24, "%04d-%02d", (y + (m - 1) / 12) % 10000, (m - 1) % 12 + 1);
}

int social_schedule(struct db_conn *c, const char *reference, const char *first_month, int from_k, int n,
                    int64_t amount, const char *iban, const char *fin, int64_t now, struct pc_err *err)
{
    int y, m;
    if (sscanf(first_month, "%4d-%2d", &y, &m) != 2)
        return pc_err_set(err, PC_EIO, "a stored first month is not YYYY-MM: %s", first_month);
    m += from_k;
    y += (m - 1) / 12;
    m = (m - 1) % 12 + 1;
    for (int k = 0; k < n; k++, m++) {
        if (m > 12) {
            m = 1;
            y++;
        }
        char month[24], order[80];
        snprintf(month, sizeof month, "%04d-%02d", y, m);
        snprintf(order, sizeof order, "%.40s-%s", reference, month);
        struct db_stmt *s = db_prepare(c,
                                       "INSERT INTO social_payments (order_id, reference, month, amount, iban, fin, "
                                       "status, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'scheduled', ?)",
                                       err);
        if (!s)
            return err->code;
        db_bind_text(s, 1, order);
        db_bind_text(s, 2, reference);
        db_bind_text(s, 3, month);
        db_bind_int(s, 4, amount);
        db_bind_text(s, 5, iban);
        db_bind_text(s, 6, fin);
        db_bind_int(s, 7, now);
        int64_t r = db_run(s, err);
        if (r < 0)
            return (int)r;
    }
    return 0;
}

static int read_payments(struct db_stmt *s, struct pc_arena *a, struct social_payment **out, size_t *n,
                         struct pc_err *err)
{
    size_t cap = 16;
    *n = 0;
    *out = pc_arena_array(a, cap, sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        *out = social_grow(a, *out, &cap, *n, sizeof **out);
        int st = payment_status_parse(db_col_text(s, 6));
        (*out)[(*n)++] = (struct social_payment){
            .order_id = pc_arena_strdup(a, db_col_text(s, 0)), .month = pc_arena_strdup(a, db_col_text(s, 1)),
            .amount = db_col_int(s, 2), .iban = pc_arena_strdup(a, db_col_text(s, 3)),
            .fin = pc_arena_strdup(a, db_col_text(s, 4)), .reason = pc_arena_strdup(a, db_col_text(s, 5)),
            .status = st < 0 ? SOCIAL_PAY_SCHEDULED : (enum social_pay_status)st,
            .pay_month = pc_arena_strdup(a, db_col_text(s, 7))};
    }
    return rc < 0 ? rc : 0;
}

#define PAYMENT_COLS "order_id, month, amount, iban, fin, reason, status, pay_month"

int social_payments_of(struct db *db, struct pc_arena *a, const char *reference, struct social_payment **out,
                       size_t *n, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " PAYMENT_COLS " FROM social_payments WHERE reference = ? ORDER BY month",
                                       err)
                          : NULL;
    if (!s)
        return err->code ? err->code : PC_EUNAVAIL;
    db_bind_text(s, 1, reference);
    int rc = read_payments(s, a, out, n, err);
    db_conn_idle(c);
    return rc;
}

static bool month_ok(const char *m)
{
    int y, mo;
    char tail;
    return m && strlen(m) == 7 && sscanf(m, "%4d-%2d%c", &y, &mo, &tail) == 2 && y >= 2000 && y <= 2100 && mo >= 1 &&
           mo <= 12;
}

int social_orders_export(struct db *db, struct pc_arena *a, const char *month, char **text, size_t *len, int *count,
                         struct pc_err *err)
{
    *count = 0;
    if (!month_ok(month))
        return pc_err_set(err, PC_EINVAL, "a month is YYYY-MM");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code;
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c,
                                   "UPDATE social_payments SET status = 'ordered', updated_at = ? "
                                   "WHERE COALESCE(pay_month, month) = ? AND status = 'scheduled'",
                                   err);
    struct social_payment *p = NULL;
    size_t n = 0;
    if (s) {
        db_bind_int(s, 1, pc_now_unix());
        db_bind_text(s, 2, month);
        int64_t ch = db_run(s, err);
        rc = ch < 0 ? (int)ch : 0;
    } else {
        rc = err->code;
    }
    if (!rc && (s = db_prepare(c,
                               "SELECT " PAYMENT_COLS " FROM social_payments WHERE COALESCE(pay_month, month) = ? "
                               "AND status = 'ordered' "
                               "ORDER BY order_id",
                               err))) {
        db_bind_text(s, 1, month);
        rc = read_payments(s, a, &p, &n, err);
    } else if (!rc) {
        rc = err->code;
    }
    if ((rc = db_end(c, rc, err)))
        return rc;
    struct pc_buf b;
    pc_buf_init(&b, PC_BUF_DEFAULT_MAX);
    int64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += p[i].amount;
    char amount[32];
    pay_azn_format(total, amount);
    pc_buf_printf(&b, "PENCERE-SOCIAL-PAYMENTS;1;%s;%zu;%s\n", month, n, amount);
    for (size_t i = 0; i < n; i++) {
        pay_azn_format(p[i].amount, amount);
        pc_buf_printf(&b, "%s;%s;%s;%s\n", p[i].order_id, p[i].iban, amount, p[i].fin);
    }
    *text = pc_arena_strndup(a, b.data, b.len);
    *len = b.len;
    pc_buf_release(&b);
    *count = (int)n;
    return 0;
}

int social_reconcile(struct db *db, const struct social_bank_line *lines, size_t n, struct social_recon *out,
                     struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code;
    int rc = db_begin(c, err);
    for (size_t i = 0; !rc && i < n; i++) {
        struct db_stmt *s = db_prepare(c, "SELECT status FROM social_payments WHERE order_id = ?", err);
        if (!s) {
            rc = err->code;
            break;
        }
        db_bind_text(s, 1, lines[i].order_id);
        int st = db_step(s, err);
        if (st < 0) {
            rc = st;
            break;
        }
        if (st == 0) {
            out->unknown++;
            pc_log(PC_LOG_WARN, "social.unknown_order", "order", lines[i].order_id, NULL);
            continue;
        }
        if (!pc_str_eq(db_col_text(s, 0), "ordered")) {
            out->unchanged++; /* answered already, or never sent */
            continue;
        }
        s = db_prepare(c, "UPDATE social_payments SET status = ?, reason = ?, updated_at = ? WHERE order_id = ?", err);
        if (!s) {
            rc = err->code;
            break;
        }
        db_bind_text(s, 1, lines[i].paid ? "paid" : "rejected");
        if (lines[i].reason)
            db_bind_text(s, 2, lines[i].reason);
        else
            db_bind_null(s, 2);
        db_bind_int(s, 3, pc_now_unix());
        db_bind_text(s, 4, lines[i].order_id);
        int64_t ch = db_run(s, err);
        if (ch < 0)
            rc = (int)ch;
        else if (lines[i].paid)
            out->paid++;
        else
            out->rejected++;
    }
    return db_end(c, rc, err);
}

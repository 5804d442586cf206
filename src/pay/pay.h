/*
 * pay.h — payments of fees: the fee of an application's service taken
 * from the catalogue, payments through a provider (create → the payer is
 * sent to the provider's page → return page + a signed server-to-server
 * callback), statuses, refunds by the agency's officers, receipts, and
 * the nightly reconciliation against the provider's settlement file.
 *
 * Tables owned (src/pay/migrations): pay_payments, pay_events,
 * pay_refunds, pay_recon_runs, pay_recon_items.
 *
 * Money is integer qəpik (1/100 AZN) everywhere.  The portal talks to a
 * provider only through struct pay_provider (provider ops below); the
 * HTTP acquirer protocol of docs/payments.md is one adapter
 * (acquirer.c), a real acquirer is one more.
 */
#ifndef PC_PAY_H
#define PC_PAY_H

#include "../base/base.h"
#include "../db/db.h"

struct id_principal;
struct form_set;

/* ---- amounts ------------------------------------------------------------- */

/* "5", "5.5", "5,50" (AZN) into qəpik; -1 for anything else (at most two
 * decimals, no sign, under ten million manat). */
int pay_azn_parse(const char *s, int64_t *qepik);
/* "5.50" */
void pay_azn_format(int64_t qepik, char out[32]);

/* ---- statuses ------------------------------------------------------------ */

enum pay_status {
    PAY_CREATED, PAY_STARTED, PAY_SUBMITTED, PAY_SUCCESS, PAY_FAILED, PAY_CANCELLED, PAY_ERROR, PAY_EXPIRED,
    PAY_STATUS_COUNT
};

const char *pay_status_name(enum pay_status s);    /* "success", as stored and sent */
int pay_status_parse(const char *name);            /* -1 if unknown */
bool pay_status_final(enum pay_status s);          /* success, failed, cancelled, error, expired */

/* What a report of status `to` does to a payment now in `from`:
 * news moves a payment forward (created → started → submitted → a final
 * status); older news arriving late is stale and changes nothing; a
 * success after the payer gave up (expired, cancelled) is taken — the
 * money was taken — and flagged late; nothing else leaves a final
 * status (a success is undone only by a refund). */
enum pay_move { PAY_MOVE_APPLY, PAY_MOVE_STALE, PAY_MOVE_LATE_SUCCESS };
enum pay_move pay_status_move(enum pay_status from, enum pay_status to);

/* ---- signed callbacks ---------------------------------------------------- */

#define PAY_SIG_HEADER "Pay-Signature"
#define PAY_SIG_TOLERANCE 300       /* seconds a callback's time may be off ours */
#define PAY_SECRET_MIN 16           /* bytes of a shared secret at least */

/* The signature header's value for body sent at time t:
 * "t=UNIX,v1=HEX(HMAC-SHA256(secret, "UNIX." + body))". */
void pay_sign(const char *secret, int64_t t, const void *body, size_t len, char out[96]);
/* Check a header against the exact body: PC_EDENIED for a missing or
 * malformed header, a wrong MAC, or a time more than PAY_SIG_TOLERANCE
 * from now (an old callback replayed later). */
int pay_verify(const char *secret, const char *header, const void *body, size_t len, int64_t now, struct pc_err *err);

/* A callback's body (JSON): {"event_id", "payment_id" (the provider's),
 * "reference" (ours), "status", "amount" (qəpik), "currency": "AZN"}. */
struct pay_event {
    const char *event_id, *provider_id, *reference;
    enum pay_status status;
    int64_t amount_qepik;
};

/* Parse a body of at most PAY_EVENT_MAX bytes; PC_EINVAL says what is wrong. */
#define PAY_EVENT_MAX 4096
int pay_event_parse(struct pc_arena *a, const char *body, size_t len, struct pay_event *out, struct pc_err *err);

/* ---- the provider: what any acquirer adapter does ------------------------- */

struct pay_create_req {
    const char *reference;          /* ours */
    int64_t amount_qepik;
    const char *description;
    const char *return_url;         /* where the payer comes back */
    const char *callback_url;       /* where the provider posts callbacks */
};

struct pay_created {
    const char *provider_id;
    const char *next_url;           /* the provider's payment page */
};

struct pay_provider_ops {
    const char *name;               /* stored with each payment */
    /* Create a payment at the provider; PC_EUNAVAIL when it cannot be
     * reached or does not answer in time. */
    int (*create)(void *ctx, const struct pay_create_req *req, struct pc_arena *a, struct pay_created *out,
                  struct pc_err *err);
    /* Refund part or all of a payment; refund_id makes a retry one refund. */
    int (*refund)(void *ctx, const char *provider_id, const char *refund_id, int64_t amount_qepik, struct pc_err *err);
    /* The settlement file of a day (YYYY-MM-DD), into arena a. */
    int (*settlement)(void *ctx, const char *day, struct pc_arena *a, char **text, size_t *len, struct pc_err *err);
    void (*close)(void *ctx);
};

struct pay_provider {
    const struct pay_provider_ops *ops;
    void *ctx;
    char secret[128];               /* the callbacks' shared secret */
    char callback_url[256];         /* our callback address as the provider reaches it */
};

/* The HTTP acquirer of docs/payments.md (what `pencere payprovider`
 * speaks) at base_url ("http://127.0.0.1:8090"), with an API key and the
 * callbacks' secret.  timeout_ms bounds every call. */
struct pay_provider *pay_acquirer_open(const char *base_url, const char *api_key, const char *secret,
                                       const char *callback_url, long timeout_ms, struct pc_err *err);
void pay_provider_close(struct pay_provider *p);

/* ---- payments ------------------------------------------------------------- */

#define PAY_EXPIRE_SECS (90 * 60)   /* an unfinished payment is given up after this */

struct pay_payment {
    const char *id, *application_id, *service_id, *agency_id, *account_id, *provider, *provider_id, *next_url,
        *problem;
    enum pay_status status;
    int64_t amount_qepik, refunded_qepik;
    bool late;
    int64_t created_at, updated_at, paid_at;
};

/* The fee of an application's service (the catalogue's fixed amount):
 * 0 when it has none. */
int pay_fee_of(struct db *db, struct pc_arena *a, const char *service_id, int64_t *qepik, struct pc_err *err);

/* Start paying the fee of the application ref_or_id (a draft or a case)
 * for its applicant `who`: an unfinished payment younger than
 * PAY_EXPIRE_SECS is reused (no second charge), an older one is marked
 * expired; a paid fee is PC_ECONFLICT (its draft submitted, if it was not); a service without a fee PC_EINVAL;
 * someone else's application PC_ENOTFOUND.  return_base is the portal's
 * address ("https://portal"), to which the payer comes back.  A provider
 * that cannot be reached: the payment is marked error and PC_EUNAVAIL. */
int pay_start(struct db *db, const struct form_set *forms, struct pay_provider *prov, const struct id_principal *who,
              const char *ref_or_id, const char *return_base, struct pc_arena *a, struct pay_payment *out, struct pc_err *err);

/* A payment of something other than an application's fee (a fine paid
 * without login): the subject is the caller's own id for what is paid
 * (kept as the payment's application_id, so pay_list_for finds its
 * payments), account_id may be NULL (no account).  The payer comes back to
 * return_base + return_fmt with the payment's id for %s.  Every check of
 * what may be paid is the caller's; a provider that cannot be reached: the
 * payment is marked error and PC_EUNAVAIL. */
struct pay_order {
    const char *subject, *service_id, *agency_id, *account_id, *description;
    int64_t amount_qepik;
};
int pay_start_order(struct db *db, struct pay_provider *prov, const struct pay_order *o, const char *return_base,
                    const char *return_fmt, struct pc_arena *a, struct pay_payment *out, struct pc_err *err);

int pay_get(struct db *db, struct pc_arena *a, const char *id, struct pay_payment *out, struct pc_err *err);
/* The payments of an application, newest first (at most 20). */
int pay_list_for(struct db *db, struct pc_arena *a, const char *application_id, struct pay_payment **out, size_t *n,
                 struct pc_err *err);
/* May `who` see the payment (its payer, or staff of its agency)? */
bool pay_may_view(const struct id_principal *who, const struct pay_payment *p);

/* What a callback did. */
enum pay_outcome {
    PAY_OUT_APPLIED, PAY_OUT_STALE, PAY_OUT_LATE_SUCCESS, PAY_OUT_AMOUNT_MISMATCH, PAY_OUT_DUPLICATE
};
const char *pay_outcome_name(enum pay_outcome o);

/* Take a verified callback: in one transaction the event is recorded
 * (its id a second time: PAY_OUT_DUPLICATE, nothing else happens) and
 * the payment moved by pay_status_move; an amount other than ours puts
 * the payment in error (never success).  A payment that newly succeeded
 * submits its application if it is a draft waiting for its fee (forms
 * may be NULL: not now).  PC_ENOTFOUND for a payment we do not have or a
 * provider id that does not match it. */
int pay_callback(struct db *db, const struct form_set *forms, const struct pay_event *ev, enum pay_outcome *outcome,
                 struct pc_err *err);

/* The application of a succeeded payment is submitted (a draft waiting
 * for its fee); nothing when it already is.  Safe to run again. */
int pay_settle_application(struct db *db, const struct form_set *forms, const struct pay_payment *p,
                           struct pc_err *err);

/* Give up unfinished payments older than PAY_EXPIRE_SECS: *n counted. */
int pay_expire(struct db *db, int64_t now, int64_t *n, struct pc_err *err);

/* ---- refunds ---------------------------------------------------------------- */

struct pay_refund {
    const char *id, *payment_id, *by_account, *reason, *status;
    int64_t amount_qepik, created_at;
};

/* Refund amount_qepik of a succeeded payment, by an officer or
 * administrator of its agency (else PC_ENOTFOUND, so ids cannot be
 * probed).  The amount is reserved first in one statement that cannot
 * go above what was paid less what was refunded (PC_EINVAL: above what
 * remains, also against a concurrent refund), then asked of the provider;
 * a refusal gives the reservation back (the refund row says failed). */
int pay_refund(struct db *db, struct pay_provider *prov, const struct id_principal *who, const char *payment_id,
               int64_t amount_qepik, const char *reason, const char *ip, struct pc_arena *a, struct pay_refund *out,
               struct pc_err *err);
int pay_refunds_of(struct db *db, struct pc_arena *a, const char *payment_id, struct pay_refund **out, size_t *n,
                   struct pc_err *err);

/* ---- receipts ----------------------------------------------------------------- */

/* A receipt as a PDF (src/pdf) in *out (malloc'd, the caller frees):
 * the payment's reference, amount, date, service and agency names, and
 * what was paid for (an application's reference, or fines' protocol
 * numbers).  The same payment gives the same bytes. */
enum pay_subject { PAY_SUBJECT_APPLICATION, PAY_SUBJECT_PROTOCOLS };
struct pay_receipt_info {
    const struct pay_payment *p;
    const char *service, *agency, *application_ref;
    enum pay_subject subject_label;     /* how application_ref is labelled */
};
int pay_receipt_pdf(const struct pay_receipt_info *info, unsigned char **out, size_t *len, struct pc_err *err);
/* The receipt's seal: a detached CMS signature (CAdES, .p7s) of the PDF's
 * bytes with the seal of the payment's agency, made by the certification
 * centre.  Anyone checks it on the portal's /verify page or with
 * `openssl cms -verify -binary -inform DER -content receipt.pdf`.
 * PC_EUNAVAIL when the centre cannot seal for the agency now. */
struct pki_client;
int pay_receipt_seal(struct pki_client *ca, const struct pay_payment *p, const unsigned char *pdf, size_t len,
                     struct pc_arena *a, const unsigned char **sig, size_t *sig_len, struct pc_err *err);

/* ---- reconciliation ------------------------------------------------------------- */

/* A line of the provider's settlement file (CSV with a header:
 * reference,provider_id,status,amount_qepik,refunded_qepik). */
struct pay_settle_line {
    const char *reference, *provider_id;
    enum pay_status status;
    int64_t amount_qepik, refunded_qepik;
};

#define PAY_SETTLE_MAX_LINES 100000
#define PAY_SETTLE_MAX_BYTES (16 * 1024 * 1024)
/* Parse a whole file; PC_EINVAL names the bad line. */
int pay_settlement_parse(struct pc_arena *a, const char *text, size_t len, struct pay_settle_line **out, size_t *n,
                         struct pc_err *err);

enum pay_mismatch { PAY_MIS_MISSING, PAY_MIS_EXTRA, PAY_MIS_AMOUNT, PAY_MIS_STATUS, PAY_MIS_COUNT };
const char *pay_mismatch_name(enum pay_mismatch m);   /* "missing" */

struct pay_recon_item {
    enum pay_mismatch kind;
    const char *payment_id;
    int64_t ours_qepik, theirs_qepik;   /* -1: none */
    const char *ours_status, *theirs_status;
};

struct pay_recon {
    const char *id, *day;
    int64_t ran_at, lines, mismatches;
    struct pay_recon_item *items;
    size_t nitems;
};

/* Is day a date YYYY-MM-DD? */
bool pay_day_valid(const char *day);

/* Compare the payments of day (YYYY-MM-DD, UTC: those created that day)
 * with the settlement file's lines and record the run and every
 * mismatch: missing (ours succeeded, not settled), extra (settled, not
 * ours), amount (paid or refunded differ), status (settled as success,
 * ours not, or the reverse). */
int pay_reconcile(struct db *db, const char *day, const struct pay_settle_line *lines, size_t n, struct pc_arena *a,
                  struct pay_recon *out, struct pc_err *err);
/* Fetch the day's file from the provider, then pay_reconcile. */
int pay_reconcile_provider(struct db *db, struct pay_provider *prov, const char *day, struct pc_arena *a,
                           struct pay_recon *out, struct pc_err *err);
/* The newest runs (at most 30), the newest with its items. */
int pay_recon_latest(struct db *db, struct pc_arena *a, struct pay_recon **out, size_t *n, struct pc_err *err);

#endif

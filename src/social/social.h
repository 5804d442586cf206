/*
 * social.h — targeted state social assistance (VEMTAS, issue 17): the
 * ministry's means-test parameters as versioned data, the means test as a
 * pure function of a typed household, the evidence about the applicant
 * and every declared family member asked of the registries on submission
 * (stored with its source and time, retried with back-off while a
 * registry is down), the differences between the declaration and the
 * registries, the officer's override of the proposal; the decision's
 * figures, the monthly payment schedule, payment orders for the bank and
 * the reconciliation of its answer.
 *
 * Tables owned (src/social/migrations): social_params, social_cases,
 * social_evidence, social_grants, social_payments.
 *
 * Cases stay cases': this module reads an application only through
 * cases.h (case_load, case_list, form_answers_json) and keeps its own rows
 * beside it by the case's reference.
 */
#ifndef PC_SOCIAL_H
#define PC_SOCIAL_H

#include "../base/base.h"
#include "../db/db.h"
#include "../cases/cases.h"

#include <jansson.h>

struct pki_sealed_doc; /* pki.h */

/* The e-service whose applications this module serves. */
#define SOCIAL_SERVICE "eesmn-vemtas"

/* ---- parameters of the means test (params.c) ----------------------------- */

/* The rules a line of the calculation refers to; each has its legal
 * reference in the parameters. */
enum social_rule {
    SOCIAL_RULE_CRITERION,           /* the need criterion per person */
    SOCIAL_RULE_INCOME,              /* what income counts */
    SOCIAL_RULE_PROPERTY,            /* dwellings and vehicles that exclude */
    SOCIAL_RULE_AMOUNT,              /* (criterion − income per person) × members, the cap */
    SOCIAL_RULE_PERIOD,              /* for how many months */
    SOCIAL_RULE_COUNT
};
const char *social_rule_name(enum social_rule r);   /* "criterion", … */

struct social_params {
    int version;
    const char *valid_from, *valid_to;   /* YYYY-MM-DD, both days included */
    const char *legal_ref;               /* the act that sets them */
    const char *refs[SOCIAL_RULE_COUNT]; /* the article of each rule */
    bool demo;                           /* a figure not taken from the documents */
    int64_t criterion;                   /* qəpik per person per month */
    int64_t cap;                         /* a household's monthly amount at most; 0: none */
    int months;                          /* the period granted */
    bool count_wages, count_pensions, count_benefits;
    bool count_business;                 /* an individual entrepreneur's income (optional; false) */
    int max_dwellings;                   /* owning more: not eligible; -1: no such rule */
    int max_vehicles;                    /* the same for vehicles */
    int reassess_days;                   /* re-assessed this many days before a grant's last month (optional; 30) */
    bool arrears;                        /* months skipped while suspended are paid when resumed (optional; false) */
    const char *json;                    /* the version as stored */
};

#define SOCIAL_MONEY_MAX 100000000LL     /* 1,000,000 AZN a month: past it a figure is absurd */
#define SOCIAL_MEMBERS_MAX 21            /* the applicant and the form's 20 members */

/* One version from its JSON (a member of the data file's "versions"):
 * every field checked; PC_EINVAL naming the first bad one. */
int social_params_parse(struct pc_arena *a, const json_t *j, struct social_params *out, struct pc_err *err);
/* Store every version of a data file ({"versions": [...]}) in one audited
 * transaction: a version already stored with the same content is left
 * alone, with other content PC_ECONFLICT (a version never changes; the
 * ministry adds one).  *added counts the new ones. */
int social_params_import(struct db *db, const char *actor, const char *text, size_t len, int *added,
                         struct pc_err *err);
/* The version in force on day (YYYY-MM-DD): the highest version whose
 * validity covers it.  PC_ENOTFOUND when none does. */
int social_params_for(struct db *db, struct pc_arena *a, const char *day, struct social_params *out,
                      struct pc_err *err);
/* Every stored version, newest first. */
int social_params_list(struct db *db, struct pc_arena *a, struct social_params **out, size_t *n, struct pc_err *err);

/* ---- the means test (means.c): pure, no database ------------------------- */

struct social_member {
    const char *fin;                     /* NULL: not known */
    int64_t wages, pension, benefits;    /* qəpik a month, as the registries hold them */
    int64_t business;                    /* an individual entrepreneur's income, qəpik a month */
    int dwellings, vehicles;
};

struct social_household {
    const struct social_member *members; /* the applicant first */
    size_t n;
};

enum social_line_kind {
    SOCIAL_LINE_WAGES,                   /* a member's wages (counted) */
    SOCIAL_LINE_PENSION,
    SOCIAL_LINE_BENEFITS,
    SOCIAL_LINE_NOT_COUNTED,             /* income the rules leave out */
    SOCIAL_LINE_INCOME,                  /* the household's monthly income */
    SOCIAL_LINE_MEMBERS,
    SOCIAL_LINE_PER_PERSON,              /* income ÷ members */
    SOCIAL_LINE_CRITERION,
    SOCIAL_LINE_DWELLINGS,               /* too many: not eligible */
    SOCIAL_LINE_VEHICLES,
    SOCIAL_LINE_ABOVE_CRITERION,         /* income per person not below the criterion */
    SOCIAL_LINE_AMOUNT,                  /* (criterion − per person) × members */
    SOCIAL_LINE_CAPPED,                  /* cut to the cap */
    SOCIAL_LINE_PERIOD,                  /* months */
    SOCIAL_LINE_BUSINESS,                /* a member's income as an individual entrepreneur (counted) */
    SOCIAL_LINE_KIND_COUNT
};
const char *social_line_name(enum social_line_kind k);   /* "wages", … (the API's) */

struct social_line {
    enum social_line_kind kind;
    const char *fin;                     /* a member's line; NULL otherwise */
    int64_t value;                       /* qəpik, or a count (members, months, dwellings) */
    enum social_rule rule;               /* its legal reference: params->refs[rule] */
};

#define SOCIAL_LINES_MAX (SOCIAL_MEMBERS_MAX * 5 + 16)

struct social_means {
    int members;
    int64_t income, income_per_person, criterion, amount;   /* qəpik a month */
    bool eligible;
    int months;                          /* 0 when not eligible */
    struct social_line lines[SOCIAL_LINES_MAX];
    size_t nlines;
};

/* The proposal for a household under p, with the calculation line by
 * line.  PC_EINVAL for no member, too many, or a negative or absurd figure. */
int social_means_compute(const struct social_params *p, const struct social_household *h, struct social_means *out,
                         struct pc_err *err);

/* ---- the registries (source.c) ------------------------------------------- */

enum social_reg { SOCIAL_REG_POPULATION, SOCIAL_REG_EMPLOYMENT, SOCIAL_REG_PENSIONS, SOCIAL_REG_REALESTATE,
                  SOCIAL_REG_VEHICLES, SOCIAL_REG_ENTREPRENEURS, SOCIAL_REG_COUNT };
const char *social_reg_name(enum social_reg k);          /* "population", … as the registries name their kind */
/* Vehicles and entrepreneurs are asked where the source names them (a
 * portal configured before they existed gathers the other four). */
bool social_reg_optional(enum social_reg k);
int social_reg_parse(const char *name);                  /* -1 if unknown */

/* One answer of a registry about a person. */
struct social_record {
    bool found;                          /* false: the registry has no record of the person */
    const char *service;                 /* the registry's service id */
    const char *data;                    /* its JSON document ("{}" when not found) */
    int64_t fetched_at;
};

/* Where evidence comes from: one function, so that the exchange layer's
 * client plugs in as one call.  0 with out filled (found or not);
 * PC_EUNAVAIL when the registry cannot answer now; PC_ENOTFOUND when the
 * source names no service for an optional kind (not asked).  issue: the case's
 * reference (X-Road-Issue); user: on whose behalf (X-Road-UserId). */
struct social_source {
    int (*fetch)(void *ctx, enum social_reg k, const char *fin, const char *issue, const char *user,
                 struct pc_arena *a, struct social_record *out, struct pc_err *err);
    void *ctx;
};

/* The registries' REST services (GET /population/v1/persons/{fin}, …)
 * as a JSON file names them: {"population": {"url": "http://…",
 * "service": "AZ/GOV/…/population/persons"}, …}.  NULL and err when the
 * file is missing or wrong. */
struct social_source *social_source_http_open(const char *config_file, struct pc_err *err);
/* The registries through the portal's exchange client (xsource.c): the
 * services named by its configuration per kind.  x stays the caller's. */
struct xc;
struct social_source *social_source_xclient(struct xc *x);
/* Either source; NULL is fine. */
void social_source_free(struct social_source *s);
/* 7 characters 0-9 A-Z: what may be asked. */
bool social_fin_ok(const char *fin);

/* ---- evidence and the case (evidence.c, job.c) ---------------------------- */

enum social_state { SOCIAL_PENDING, SOCIAL_WAITING, SOCIAL_COMPLETE, SOCIAL_STATE_COUNT };
const char *social_state_name(enum social_state s);

/* Take the new VEMTAS applications and gather what is due (a job step;
 * one node runs it). */
int social_gather_due(struct db *db, const struct social_source *src, int64_t now, struct pc_err *err);
/* Ask the registries again about the households of granted cases last
 * asked more than every_secs ago (recheck.c): a member's death or a
 * contract started since the decision suspends the payments not yet sent
 * (audited, shown to the officer).  A registry down: asked again in a
 * minute. */
int social_recheck_due(struct db *db, const struct social_source *src, int64_t now, int every_secs,
                       struct pc_err *err);
/* The background job doing both every interval_ms (NULL src: none is
 * started and NULL returned without an error); stopped before db_close
 * (NULL is fine). */
struct social_job;
struct social_job *social_job_start(struct db *db, const struct social_source *src, int interval_ms,
                                    int recheck_secs, struct pc_err *err);
void social_job_stop(struct social_job *j);

/* Ask the registries again for everything about the case (the officer's
 * "fetch again"; audited).  PC_ENOTFOUND when it is not a VEMTAS case. */
int social_refetch(struct db *db, const char *actor, const char *reference, struct pc_err *err);

/* ---- what the officer sees (view.c) ---------------------------------------- */

enum social_flag {
    SOCIAL_FLAG_NOT_IN_REGISTER,         /* a declared member the population register does not know */
    SOCIAL_FLAG_NOT_DECLARED,            /* the register's spouse or child, not declared */
    SOCIAL_FLAG_NOT_FAMILY,              /* declared as spouse or child, not so in the register */
    SOCIAL_FLAG_BIRTH_DATE,              /* the declared birth date differs */
    SOCIAL_FLAG_INCOME,                  /* declared income differs from the registries' by more than 10 % */
    SOCIAL_FLAG_DECEASED,                /* the register records a death */
    SOCIAL_FLAG_NO_FIN,                  /* a member declared without FİN: not asked */
    SOCIAL_FLAG_ENTREPRENEUR,            /* an active individual entrepreneur, not declared self-employed */
    SOCIAL_FLAG_COUNT
};
const char *social_flag_name(enum social_flag f);

struct social_item {
    const char *person, *source, *data;
    enum social_reg kind;
    bool found;
    int64_t fetched_at;
};

struct social_difference {
    enum social_flag flag;
    const char *person;                  /* FİN, or the declared name when no FİN */
    const char *declared, *registry;     /* the two values, when there are */
};

struct social_override {
    bool set;
    bool eligible;
    int64_t amount;                      /* qəpik a month */
    const char *reason, *by;
    int64_t at;
};

enum social_pay_status { SOCIAL_PAY_SCHEDULED, SOCIAL_PAY_ORDERED, SOCIAL_PAY_PAID, SOCIAL_PAY_REJECTED,
                         SOCIAL_PAY_SUSPENDED,
                         SOCIAL_PAY_SKIPPED,     /* a month suspended, not paid after the resumption (no arrears) */
                         SOCIAL_PAY_CANCELLED,   /* the grant was ended before it was sent */
                         SOCIAL_PAY_STATUS_COUNT };

/* Why granted assistance was suspended: what a registry reported about a
 * member of the household. */
enum social_change { SOCIAL_CHANGE_NONE, SOCIAL_CHANGE_DEATH, SOCIAL_CHANGE_EMPLOYMENT, SOCIAL_CHANGE_COUNT };
const char *social_change_name(enum social_change c);   /* "death", "employment" */

struct social_suspension {
    enum social_change kind;             /* NONE: not suspended */
    const char *fin, *since;             /* the member, the registry's date */
    int64_t at;
};
const char *social_pay_status_name(enum social_pay_status s);

struct social_payment {
    const char *order_id, *month, *iban, *fin, *reason;
    const char *pay_month;               /* paid in arrears in this month; NULL: in its own */
    int64_t amount;
    enum social_pay_status status;
};

/* The running grant (grant.c): its figures and where it stands. */
struct social_grant {
    bool set;                            /* a grant was decided (granted) */
    int64_t amount;                      /* qəpik a month, the latest */
    int months, extensions, resumptions; /* resumptions: suspensions lifted (seal2) */
    char first_month[24], last_month[24]; /* YYYY-MM */
    int64_t decided_at, resumed_at, ended_at, reassess_at;   /* 0: not */
};

struct social_case {
    const char *reference;
    enum social_state state;
    const char *waiting_for;             /* the registry being waited for (SOCIAL_WAITING) */
    const char *last_error;
    int attempts;
    int64_t next_try_at, updated_at;
    struct social_item *items;
    size_t nitems;
    struct social_difference *diffs;
    size_t ndiffs;
    bool computed;                       /* complete evidence and parameters in force */
    struct social_params params;
    struct social_means means;           /* the proposal */
    struct social_override override;
    struct social_payment *payments;     /* the schedule once granted */
    size_t npayments;
    struct social_suspension suspension;
    struct social_grant grant;
};

/* The case's evidence, differences and proposal, for those who may see the
 * case (the caller checks).  PC_ENOTFOUND while the case is not taken yet
 * or not a VEMTAS case. */
int social_case_get(struct db *db, struct pc_arena *a, const struct case_app *app, struct social_case *out,
                    struct pc_err *err);
/* The API's part: "evidence" and, once computed, "means_test" (set on j). */
void social_case_json(const struct social_case *c, json_t *j);

/* The officer accepts the proposal (accept) or overrides eligibility and
 * amount with a reason; audited.  PC_EINVAL for a missing reason or an
 * amount out of range; PC_ENOTFOUND when not a VEMTAS case. */
int social_override_set(struct db *db, const char *actor, const char *reference, bool eligible, int64_t amount,
                        const char *reason, struct pc_err *err);

/* ---- decision and payments (payments.c) ------------------------------------ */

/* What a decision on a VEMTAS case states and keeps. */
struct social_decision {
    bool applies;                        /* a VEMTAS case and an approve or refuse step */
    bool granted;
    int64_t amount;                      /* qəpik a month */
    int months;
    char first_month[24];               /* YYYY-MM */
    const char *iban, *fin, *reference;
    const char *text;                    /* the lines the decision document carries (az / en) */
    const char *document;                /* the whole decision as sealed (or its words): to the e-safe */
};

/* Before an approve (granted) or refuse step of app at time `at`: the
 * figures (the override, else the proposal) and the document's lines.
 * Granting needs a computed proposal that is eligible and an IBAN:
 * PC_EDENIED otherwise (the step is not possible now: change the
 * proposal, or refuse).  Another
 * service or step: 0 with applies false. */
int social_decision_prepare(struct db *db, struct pc_arena *a, const struct case_app *app, bool approve, int64_t at,
                            struct social_decision *out, struct pc_err *err);
/* Keep the decision, put its document in the applicant's e-safe and, when
 * granted, the schedule (a payment order per month), in the step's own
 * transaction. */
int social_decision_write(struct db_conn *c, const struct social_decision *d, struct pc_err *err);

/* A case's schedule, month by month. */
int social_payments_of(struct db *db, struct pc_arena *a, const char *reference, struct social_payment **out,
                       size_t *n, struct pc_err *err);

/* The payment orders of a month (YYYY-MM) for the treasury/bank, as a file
 * (docs/social.md): the month's orders not yet answered, those scheduled
 * now marked ordered.  Exporting again gives the same orders. */
int social_orders_export(struct db *db, struct pc_arena *a, const char *month, char **text, size_t *len, int *count,
                         struct pc_err *err);

/* One line of the bank's answer: ORDER_ID;PAID or ORDER_ID;REJECTED;reason. */
struct social_bank_line {
    const char *order_id, *reason;
    bool paid;
};
#define SOCIAL_ANSWER_MAX (8 * 1024 * 1024)
/* Parse the bank's answer file (pure): PC_EINVAL naming the first bad line. */
int social_bank_answer_parse(struct pc_arena *a, const char *text, size_t len, struct social_bank_line **out,
                             size_t *n, struct pc_err *err);

struct social_recon {
    int paid, rejected, unknown, unchanged;
};
/* Apply the bank's answer: ordered orders become paid or rejected (with
 * the reason, shown to the officer); an order we do not know is counted,
 * an order already answered is left as it is. */
int social_reconcile(struct db *db, const struct social_bank_line *lines, size_t n, struct social_recon *out,
                     struct pc_err *err);

/* ---- the running grant (grant.c) ------------------------------------------- */

/* Lift a suspension with a reason (audited): the months from the next one
 * on are scheduled again; those skipped before it are paid in arrears in
 * the next month's orders or marked skipped, as the parameters in force
 * say (arrears); the decision goes to the applicant's e-safe (seal2;
 * sealed: see social_grant_document).  PC_ENOTFOUND: no running grant;
 * PC_ECONFLICT: not suspended; PC_EINVAL: no reason. */
int social_resume(struct db *db, const char *actor, const char *reference, const char *reason, int64_t now,
                  const struct pki_sealed_doc *sealed, struct pc_err *err);
/* End a running grant with a reason (audited): nothing more is paid (the
 * orders not sent are cancelled) and the decision goes to the applicant's
 * e-safe.  PC_ENOTFOUND: no running grant. */
int social_end(struct db *db, const char *actor, const char *reference, const char *reason, int64_t now,
               const struct pki_sealed_doc *sealed, struct pc_err *err);
/* Begin the re-assessment of every running grant whose last month begins
 * within the parameters' reassess_days of now: its evidence is asked of
 * the registries again (the evidence job gathers it as for a new case)
 * and the officer's earlier change is cleared.  *started counts them
 * (audited "social.reassess" each). */
int social_reassess_due(struct db *db, int64_t now, int *started, struct pc_err *err);
/* Extend a grant under re-assessment with the new proposal (or the
 * officer's change): the parameters' months more from the month after
 * its last, at the new amount, scheduled; the decision in the
 * applicant's e-safe; audited.  PC_ECONFLICT: not under re-assessment or
 * the fresh evidence is not complete; PC_EDENIED: not eligible now (end
 * it instead). */
int social_extend(struct db *db, const char *actor, const char *reference, const char *reason, int64_t now,
                  const struct pki_sealed_doc *sealed, struct pc_err *err);

/* seal2: the later decisions sealed by the agency.  The acts that give
 * the applicant a decision document: */
enum social_grant_act { SOCIAL_GRANT_EXTEND, SOCIAL_GRANT_END, SOCIAL_GRANT_RESUME };
/* The document an act at now will write, known before it (so that the
 * caller can have the centre seal it outside any transaction): its exact
 * text (UTF-8) and the kind its sealed copy is kept under with the case
 * (pki_sealed_docs: "grant-extended-N" / "grant-resumed-N", N the
 * extension's or resumption's number from 1, or "grant-ended").  Fails as
 * the act itself would (PC_EINVAL no reason, PC_ENOTFOUND, PC_ECONFLICT,
 * PC_EDENIED).  The act is then called with the same now and
 * sealed: that text sealed, with that kind (object_id is set by the act);
 * NULL: the document stays plain text.  The act keeps it in its own
 * transaction, or fails with PC_ECONFLICT (nothing done) when the grant
 * changed meanwhile and its text is no longer the sealed one. */
struct social_grant_doc {
    const char *text, *kind;
};
int social_grant_document(struct db *db, struct pc_arena *a, const char *reference, enum social_grant_act act,
                          const char *reason, int64_t now, struct social_grant_doc *out, struct pc_err *err);
/* The kinds of the grant's sealed later decisions there may be
 * ("grant-extended-1" …, "grant-resumed-1" …, then "grant-ended"); at
 * most max. */
size_t social_grant_kinds(struct pc_arena *a, const struct social_grant *g, const char **out, size_t max);

#endif

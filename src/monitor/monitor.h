/*
 * monitor.h — monitoring and evaluation: the evaluation methodology of
 * the e-Governance Academy (2012) as a library (docs/monitoring.md), the
 * questionnaires, campaign files and their results (`pencere eval`),
 * published campaigns, the registry of approved e-services, the live
 * self-assessment of hosted services, and usage statistics kept as
 * aggregates.  Anything not declared here is
 * private to src/monitor.
 *
 * Tables owned (src/monitor/migrations): mon_usage_day, mon_usage_month,
 * mon_visit_day, mon_visit_month, mon_campaigns, mon_campaign_services,
 * mon_campaign_answers, mon_decisions, mon_reg_entries, mon_visit_salts,
 * mon_visit_seen.
 *
 * Every function that can fail returns 0 or a negative PC_E* code with
 * the message in err; results live in the caller's arena.  Texts a
 * person reads come as struct pc_text; values from the methodology are
 * enums and the web renders them.
 */
#ifndef PC_MONITOR_H
#define PC_MONITOR_H

#include "../base/base.h"
#include "../db/db.h"

#include <stdio.h>

/* ---- the methodology: questionnaires ---------------------------------- */

/* The four questionnaires: the country's infrastructure, and a service's
 * e-development (maturity), e-participation and e-transparency. */
enum mon_criterion { MON_INFRA, MON_DEVELOPMENT, MON_PARTICIPATION, MON_TRANSPARENCY, MON_CRITERION_COUNT };
/* "infrastructure", "development", "participation", "transparency". */
const char *mon_criterion_name(enum mon_criterion c);
int mon_criterion_parse(const char *s);      /* -1 if unknown */

#define MON_INFRA_COMPONENTS 7
#define MON_MAX_QUESTIONS 25                 /* the infrastructure's 25 sub-indicators */

struct mon_question {
    const char *id;          /* "1.1" … "7.2" (infrastructure), "1" … "15" */
    struct pc_text text;
    int component;           /* infrastructure: 1..7; else 0 */
    bool share;              /* a share of services or providers: 0–50 % scores 0, 51–100 % scores 1 */
    bool payment;            /* transparency 9 and 10: paid services only */
};

/* The questions of a questionnaire, in order; *n gets how many. */
const struct mon_question *mon_questions(enum mon_criterion c, size_t *n);
/* The index of question id in mon_questions(c), or -1. */
int mon_question_index(enum mon_criterion c, const char *id);
/* The name of infrastructure component k (1..7). */
const struct pc_text *mon_component_name(int k);

/* ---- the methodology: answers and scores ------------------------------ */

enum mon_answer_kind { MON_ANS_MISSING, MON_ANS_YES, MON_ANS_NO, MON_ANS_NA, MON_ANS_SHARE };

struct mon_answer {
    enum mon_answer_kind kind;
    int share;               /* MON_ANS_SHARE: hundredths of a per cent, 0..10000 */
};

/* The answers to one questionnaire, by question index. */
struct mon_answers {
    enum mon_criterion criterion;
    struct mon_answer a[MON_MAX_QUESTIONS];
};

/* Read one answer as written in a file or a form: "1", "0", "yes", "no",
 * "na"/"null" (not applicable), or a share "63%" / "50.5%".  PC_EINVAL
 * with the reason otherwise. */
int mon_answer_parse(const char *s, struct mon_answer *out, struct pc_err *err);
/* The answer as a file writes it ("1", "0", "na", "63%", "50.5%"). */
const char *mon_answer_text(struct pc_arena *a, const struct mon_answer *v);

/* Bands of e-participation and e-transparency; MON_BAND_NONE for 0. */
enum mon_band {
    MON_BAND_NONE, MON_BAND_WEAK, MON_BAND_SATISFACTORY, MON_BAND_GOOD, MON_BAND_EXCELLENT,
    MON_BAND_NON_TRANSPARENT, MON_BAND_RELATIVELY_TRANSPARENT, MON_BAND_SUFFICIENTLY_TRANSPARENT, MON_BAND_COUNT
};
/* "none", "weak", "satisfactory", "good", "excellent", "non-transparent",
 * "relatively transparent", "sufficiently transparent". */
const char *mon_band_name(enum mon_band b);
int mon_band_parse(const char *s);           /* -1 if unknown */
enum mon_band mon_participation_band(int score);            /* 0..10 */
enum mon_band mon_transparency_band(int score, int max);    /* max 8 or 10 */

/* Scores are kept in hundredths, truncated (never rounded): 3 of 9 is 33,
 * 2 of 3 is 66, as the report prints them. */
struct mon_infra_result {
    int component[MON_INFRA_COMPONENTS];     /* 0..100 */
    int index;                               /* the sum: 0..700 */
};

struct mon_dev_result {
    int model;                               /* 3, 4 or 5 levels */
    int yes, applicable;
    int percent;                             /* hundredths of a per cent, truncated */
    int level;                               /* 0..model: the highest k with yes/applicable ≥ k/model */
};

struct mon_score_result {
    int score, max;                          /* max 10, or 8 (transparency of a free service) */
    enum mon_band band;
};

/* Check the answers of a questionnaire against its rules and score them.
 * PC_EINVAL names the first question at fault: not answered, a share on a
 * yes/no question, "not applicable" where the methodology has none (the
 * infrastructure, e-participation, transparency 1–8), a free service
 * answering the payment questions, no applicable question at all. */
int mon_score_infra(const struct mon_answers *a, struct mon_infra_result *out, struct pc_err *err);
int mon_score_development(const struct mon_answers *a, int model, struct mon_dev_result *out, struct pc_err *err);
int mon_score_participation(const struct mon_answers *a, struct mon_score_result *out, struct pc_err *err);
int mon_score_transparency(const struct mon_answers *a, bool paid, struct mon_score_result *out,
                           struct pc_err *err);
/* The level for yes of applicable answers on a model of `model` levels. */
int mon_level(int model, int yes, int applicable);
bool mon_model_valid(int model);

/* The answers of `pencere eval`: {"components": {"1": 0.33, …}, "index":
 * 4.99}; {"percent": 66.66, "level": 2}; {"score": 7, "band": "good"}. */
void mon_infra_json(const struct mon_infra_result *r, struct pc_buf *out);
void mon_dev_json(const struct mon_dev_result *r, struct pc_buf *out);
void mon_score_json(const struct mon_score_result *r, struct pc_buf *out);

/* Hundredths as the report writes a decimal: 33 → "0.33", 100 → "1",
 * 499 → "4.99", 50 → "0.5" (no trailing zeros). */
const char *mon_hundredths(struct pc_arena *a, int64_t v);
/* "max/score" as the report prints results: "4/3", "10/8", "7/4.99". */
const char *mon_printed(struct pc_arena *a, int max, int score_hundredths);

/* ---- questionnaire and campaign files (`pencere eval`) ------------------ */

/* One questionnaire file: a JSON object {"1.1": 1, "2.5": "63%", "7": null}
 * or CSV lines "question,answer" (a header line "question,answer" may come
 * first).  Every question of the criterion must be answered (for a free
 * service's transparency, 9 and 10 may be left out); unknown questions,
 * questions given twice and values other than 1, 0, null/na and a share
 * are errors.  Every problem is reported to `report` (CSV with its line);
 * PC_EINVAL when there was any. */
int mon_sheet_parse(const char *text, size_t len, enum mon_criterion c, bool free_service, FILE *report,
                    struct mon_answers *out, struct pc_err *err);

/* A whole campaign in a file: JSON Lines, one subject a line —
 *   {"infrastructure": {"1.1": 1, …}}
 *   {"service": "din-id-card", "agency": "din", "model": 3, "paid": true,
 *    "development": {…}, "participation": {…}, "transparency": {…}}
 * — or CSV "subject,agency,model,paid,criterion,question,answer" with
 * "infrastructure" as the subject of the infrastructure's rows and the
 * same agency, model and paid on every row of a service. */
struct mon_sheet_service {
    const char *service, *agency;
    int model;
    bool paid;
    bool has[MON_CRITERION_COUNT];
    struct mon_answers answers[MON_CRITERION_COUNT];
    int line;                                /* where the service first appears */
};

struct mon_sheet {
    bool has_infra;
    struct mon_answers infra;
    struct mon_sheet_service *services;
    size_t nservices;
};

#define MON_SHEET_MAX_SERVICES 1000

/* Read a campaign file (JSON Lines when its first character is '{').
 * Every bad row is reported as "line N: what"; PC_EINVAL when there was
 * any, and then nothing of the file is used. */
int mon_campaign_file_parse(struct pc_arena *a, const char *text, size_t len, FILE *report, struct mon_sheet *out,
                            struct pc_err *err);

/* The results of a campaign file: per service, per agency (the mean of
 * its services' percentages and scores, and its lowest level), overall. */
struct mon_service_result {
    const char *service, *agency;
    bool has[MON_CRITERION_COUNT];
    struct mon_dev_result development;
    struct mon_score_result participation, transparency;
};

struct mon_results {
    bool has_infra;
    struct mon_infra_result infra;
    struct mon_service_result *services;
    size_t nservices;
};

/* Score every questionnaire of the sheet.  PC_EINVAL with the service and
 * question at fault when one breaks a rule. */
int mon_results_of(struct pc_arena *a, const struct mon_sheet *s, struct mon_results *out, struct pc_err *err);
/* Write the results as JSON ({"infrastructure": …, "services": […],
 * "agencies": […], "overall": …}) or CSV (a row per service). */
void mon_results_json(const struct mon_results *r, struct pc_buf *out);
void mon_results_csv(const struct mon_results *r, struct pc_buf *out);

/* ---- published campaigns (data/evaluations) ---------------------------- */

/* A figure as the report prints it: "max/score" and the band's words. */
struct mon_published_score {
    int max, score;
    const char *words;       /* as printed, in Azerbaijani; "" for none */
};

struct mon_published_service {
    const char *service, *agency, *group, *row, *name, *source;
    int model;
    bool paid;               /* scored on the 10-point transparency scale */
    struct mon_published_score development, participation, transparency;
    enum mon_band participation_band, transparency_band; /* the engine's band of the published score */
    const char **discrepancies;                          /* where the report contradicts itself */
    size_t ndiscrepancies;
};

struct mon_group {
    const char *id;
    struct pc_text name;
};

struct mon_discrepancy {
    const char *subject, *what;
};

struct mon_published {
    const char *id, *source;
    struct pc_text title;
    struct mon_group *groups;
    size_t ngroups;
    bool has_infra;
    struct mon_answers infra_answers;
    struct mon_infra_result infra;       /* the engine's scores of the published answers */
    const char *infra_printed_index;     /* as the report prints the index: "7/5" */
    const char *infra_source;
    struct mon_published_service *services;
    size_t nservices;
    struct mon_discrepancy *discrepancies;
    size_t ndiscrepancies;
};

/* The evaluations folder: $PENCERE_DATA/evaluations, ./data/evaluations,
 * the source tree's, /usr/share/pencere/evaluations; NULL if none. */
const char *mon_evaluations_dir(void);
/* Read one campaign folder (campaign.json, its infrastructure answers,
 * services.jsonl) into the arena; PC_EINVAL names the file and line. */
int mon_published_load(struct pc_arena *a, const char *dir, struct mon_published *out, struct pc_err *err);
/* Every campaign of the evaluations folder, newest id first, read once
 * per process (PC_ENOTFOUND when there is no folder). */
int mon_published_list(const struct mon_published **out, size_t *n, struct pc_err *err);
int mon_published_get(const char *id, const struct mon_published **out, struct pc_err *err);
/* The service's row in a campaign, or NULL. */
const struct mon_published_service *mon_published_service(const struct mon_published *c, const char *service);
/* The campaign's figures as JSON (services with published and engine
 * bands, infrastructure, discrepancies) or as one CSV table. */
void mon_published_json(const struct mon_published *c, struct pc_buf *out);
void mon_published_csv(const struct mon_published *c, struct pc_buf *out);

/* ---- live self-assessment of the services hosted here ------------------ */

struct cat_service;
struct form_def;

struct mon_live {
    int model;                       /* the published model, else 4 with a form and 3 without */
    struct mon_answers answers;      /* e-development, answered from the platform (live.c says how) */
    struct mon_dev_result result;
};

/* Answer the e-development questionnaire from the service's catalogue
 * entry and its electronic form (NULL: none) and score it on `model`
 * (0: chosen as above). */
int mon_live_assess(const struct cat_service *s, const struct form_def *form, int model, struct mon_live *out,
                    struct pc_err *err);
/* Whether a level claimed elsewhere (declared, or published) on a model of
 * claimed_model levels is higher than the platform measures. */
bool mon_live_below_claim(const struct mon_live *l, int claimed_level, int claimed_model);

/* ---- usage statistics (aggregates only) -------------------------------- */

/* What is counted: a service page seen, an application begun on the
 * portal, a search (portal-wide). */
enum mon_metric { MON_USE_VIEW, MON_USE_START, MON_USE_SEARCH, MON_USE_COUNT };
const char *mon_metric_name(enum mon_metric m);      /* "view", "start", "search" */

#define MON_USAGE_FLUSH_SECONDS 10

/* Count one event of service (NULL or "" portal-wide) on the day of now,
 * in memory: nothing about who did it is kept. */
void mon_usage_count(struct db *db, enum mon_metric m, const char *service, int64_t now);
/* Add the counts in memory to the aggregates when MON_USAGE_FLUSH_SECONDS
 * have passed (or force); cheap otherwise.  A failure is logged and those
 * counts are lost. */
int mon_usage_flush(struct db *db, int64_t now, bool force, struct pc_err *err);
/* Add n events of a day directly (imports, the benchmark's synthetic year). */
int mon_usage_add(struct db_conn *conn, const char *day, const char *service, const char *agency, enum mon_metric m,
                  int64_t n, struct pc_err *err);

/* A period of whole days, inclusive: "YYYY-MM-DD", from ≤ to. */
struct mon_period {
    char from[11], to[11];
    bool whole_months;                       /* answered from the month table */
};
/* from and to as "YYYY-MM" (a month: its first or last day) or
 * "YYYY-MM-DD"; to NULL is from's month or day.  PC_EINVAL otherwise. */
int mon_period_parse(const char *from, const char *to, struct mon_period *out, struct pc_err *err);

struct mon_usage_row {
    const char *id;                          /* service, agency or month "YYYY-MM" */
    const char *agency;                      /* services: their agency */
    int services;                            /* agencies: how many of their services were used */
    int64_t n[MON_USE_COUNT];
};

/* Usage of a period: services and agencies by uses (applications begun,
 * then page views), the months in order, the totals.  PC_ENOTFOUND when
 * nothing was recorded in the period. */
struct mon_usage {
    struct mon_period period;
    struct mon_usage_row *services, *agencies, *months;
    size_t nservices, nagencies, nmonths;
    int64_t total[MON_USE_COUNT];
};
int mon_usage_query(struct db *db, struct pc_arena *a, const struct mon_period *p, struct mon_usage *out,
                    struct pc_err *err);
void mon_usage_csv(const struct mon_usage *u, struct pc_buf *out);
void mon_usage_json(const struct mon_usage *u, struct pc_buf *out);
/* The members of mon_usage_json's object ("from": …, "months": […]), for an
 * answer that adds its own. */
void mon_usage_json_members(const struct mon_usage *u, struct pc_buf *out);

/* ---- portal visits and users (visits.c; aggregates only) --------------- */

/* What is counted per day and per month (mon_visit_day, mon_visit_month):
 * visits (a visitor's pages with no pause over MON_VISIT_IDLE_SECONDS),
 * signed-in users (distinct within the day, and within the month), of
 * them the new (account created that day / month) and the returning, and
 * the seconds between a visit's pages (average session = seconds/visits). */
enum mon_visit_field { MON_V_VISITS, MON_V_USERS, MON_V_NEW, MON_V_RETURNING, MON_V_SECONDS, MON_V_COUNT };

#define MON_VISIT_IDLE_SECONDS 1800
#define MON_VISITORS_MAX (1u << 20) /* visitors (and users) told apart in a day on a node */

/* One page answered.  visitor tells visitors apart for the day (the
 * portal gives the address and the browser); account is the signed-in
 * account or NULL.  Both are only hashed.  Visitors with a salt that
 * lives in memory for the day and is never stored: visits are a node's
 * (a visitor whose pages two nodes answer counts on each).  Users with
 * the day's (the month's) salt shared by the nodes through the database,
 * and a user's first sighting is claimed there by one INSERT that only
 * one node wins, so users and new/returning are distinct across nodes;
 * salts and sightings older than the previous period are deleted.  When
 * the database cannot be asked, the node falls back to a salt of its own
 * (users then count on each node, as before).  Counts go to the tables
 * with mon_usage_flush.  Beyond MON_VISITORS_MAX a node counts every page
 * of an untold visitor as a visit. */
void mon_visit(struct db *db, const char *visitor, const char *account, int64_t now);
/* Add a day's figures directly (the month gets the same; tests, imports). */
int mon_visits_add(struct db_conn *conn, const char *day, const int64_t n[MON_V_COUNT], struct pc_err *err);

/* A period's visits: per month (whole months from the month table; for a
 * month cut by the period, users are the sum of its days' distinct users)
 * and the totals (users: the sum of the months'). */
struct mon_visit_row {
    const char *month;                       /* "YYYY-MM"; NULL for the total */
    int64_t n[MON_V_COUNT];
};
struct mon_visits {
    struct mon_visit_row total;
    struct mon_visit_row *months;
    size_t nmonths;
};
int mon_visits_query(struct db *db, struct pc_arena *a, const struct mon_period *p, struct mon_visits *out,
                     struct pc_err *err);
/* The average visit in whole seconds (0 without visits). */
int64_t mon_visit_average(const struct mon_visit_row *r);
const char *mon_visit_field_name(enum mon_visit_field f); /* "visits", "users", "new_users", … */
/* The visits as CSV ("month,visits,users,new_users,returning_users,
 * seconds,average_seconds", a row a month and one "total") and as a JSON
 * object {"visits": …, …, "average_seconds": …, "months": [{"month": …}]}. */
void mon_visits_csv(const struct mon_visits *v, struct pc_buf *out);
void mon_visits_json(const struct mon_visits *v, struct pc_buf *out);

/* ---- the registry of approved e-services ------------------------------- */

/* The columns of the bulletins' comparison tables. */
enum mon_reg_field {
    MON_REG_APPROVED,                /* approved by the Cabinet (decision No. 191 and later) */
    MON_REG_APPROVED_ON_PORTAL,      /* of those, on the portal */
    MON_REG_ON_PORTAL,               /* all the body's services on the portal */
    MON_REG_ON_OWN_SITE,             /* all on its own site */
    MON_REG_APPROVED_ON_OWN_SITE,    /* approved ones on its own site */
    MON_REG_COUNT
};

struct mon_reg_row {
    const char *date;                /* of the table, YYYY-MM-DD */
    const char *row, *agency, *name; /* as printed; NULL for the total */
    bool total;                      /* the table's published total */
    bool listed;                     /* on the approved list (else a body listed below it) */
    int n[MON_REG_COUNT];            /* -1: the bulletin lost the figure */
    const char *note, *source;       /* a contradiction or a loss, as kept; where it is printed */
};

struct mon_registry {
    struct mon_reg_row *rows;
    size_t nrows;
    const char **dates;              /* oldest first */
    size_t ndates;
};

int mon_registry_load(struct pc_arena *a, const char *path, struct mon_registry *out, struct pc_err *err);
/* data/evaluations/approved-services.jsonl, read once per process. */
int mon_registry_get(const struct mon_registry **out, struct pc_err *err);
/* The published total of a date's table, or NULL. */
const struct mon_reg_row *mon_registry_total(const struct mon_registry *r, const char *date);

/* ---- evaluation campaigns in the portal (campaign.c, campaign_results.c) */

/* open: being answered; submitted: waiting for a second evaluator;
 * closed: agreed, its results final.  Sent back, it is open again. */
enum mon_campaign_state { MON_CAMPAIGN_OPEN, MON_CAMPAIGN_SUBMITTED, MON_CAMPAIGN_CLOSED, MON_CAMPAIGN_STATE_COUNT };
const char *mon_campaign_state_name(enum mon_campaign_state s);   /* "open", "submitted", "closed" */

#define MON_CAMPAIGN_NAME_MAX 200
#define MON_CAMPAIGN_SERVICES_MAX 200
#define MON_CAMPAIGN_LIST_MAX 200
#define MON_EVIDENCE_NOTE_MAX 2000
#define MON_EVIDENCE_LINK_MAX 500

/* A file of evidence as cases stored it (case_upload_keep). */
struct mon_evidence_file {
    char sha256[65];
    char mime[64];
    const char *name;
    int64_t size;
};

/* What supports an answer: a note and a link (http or https), "" none;
 * and a file (file.sha256 "" none). */
struct mon_evidence {
    const char *note, *link;
    struct mon_evidence_file file;
};

/* The infrastructure (service NULL, answers[MON_INFRA]) or one service
 * (answers[MON_DEVELOPMENT … MON_TRANSPARENCY]); unanswered questions are
 * MON_ANS_MISSING. */
struct mon_campaign_subject {
    const char *service, *agency;
    int model;
    bool paid;
    struct mon_answers answers[MON_CRITERION_COUNT];
    struct mon_evidence evidence[MON_CRITERION_COUNT][MON_MAX_QUESTIONS];
};

struct mon_campaign {
    const char *id, *name;
    struct mon_period period;
    enum mon_campaign_state state;
    const char *created_by, *submitted_by, *reviewed_by;   /* account ids; NULL when not yet */
    const char *review_comment;                            /* the last "send back"; NULL none */
    int64_t created_at, closed_at;
    struct mon_campaign_subject infra;
    struct mon_campaign_subject *services;
    size_t nservices;
};

struct id_principal;

/* Every change below is decided by id_authorize (ID_ACT_EVALUATE; the
 * review ID_ACT_REVIEW_EVALUATION, never by the campaign's creator) and
 * written with its audit entry; PC_ECONFLICT when the campaign is not in
 * the state the change needs (answers only while open). */
/* *field names the input at fault on PC_EINVAL or PC_ETOOBIG: "name",
 * "from" or "to". */
int mon_campaign_create(struct db *db, const struct id_principal *who, const char *name, const char *from,
                        const char *to, const char *ip, struct pc_arena *a, const char **id, const char **field,
                        struct pc_err *err);
/* Add a service of the catalogue with its model (3, 4 or 5); its agency
 * and whether it is paid come from the catalogue. */
int mon_campaign_add_service(struct db *db, const struct id_principal *who, const char *id, const char *service,
                             int model, const char *ip, struct pc_err *err);

/* One question of a group as a form sends it: answer "yes", "no", "na"
 * (or what mon_answer_parse reads), "" to leave it unanswered; a file
 * (stored by the caller through cases) replaces the question's, NULL
 * keeps it. */
struct mon_answer_in {
    const char *question, *answer, *note, *link;
    const struct mon_evidence_file *file;
};
/* Save one questionnaire of a subject (service NULL: the infrastructure)
 * in one transaction: an unknown question, an answer out of range, a
 * link that is not http(s) or evidence too long is PC_EINVAL and nothing
 * is saved. */
int mon_campaign_answer(struct db *db, const struct id_principal *who, const char *id, const char *service,
                        enum mon_criterion c, const struct mon_answer_in *in, size_t n, const char *ip,
                        struct pc_err *err);
/* Ask for review: PC_EINVAL naming the first questionnaire that is not
 * complete and valid (every service's three, and the infrastructure). */
int mon_campaign_submit(struct db *db, const struct id_principal *who, const char *id, const char *ip,
                        struct pc_err *err);
/* A second evaluator agrees (the campaign is closed) or sends it back
 * with a comment (required; it is open again). */
int mon_campaign_review(struct db *db, const struct id_principal *who, const char *id, bool agree,
                        const char *comment, const char *ip, struct pc_err *err);

int mon_campaign_get(struct db *db, struct pc_arena *a, const char *id, struct mon_campaign *out, struct pc_err *err);
/* A file of evidence of the campaign by its SHA-256 (PC_ENOTFOUND unless
 * one of its answers refers to it): its name, type and size. */
int mon_campaign_file(struct db *db, struct pc_arena *a, const char *id, const char *sha256,
                      struct mon_evidence_file *out, struct pc_err *err);
/* Campaigns newest first (at most MON_CAMPAIGN_LIST_MAX), without their
 * answers; closed_only for readers of results; agency (NULL: any) those
 * that evaluated a service of that agency. */
int mon_campaign_list(struct db *db, struct pc_arena *a, bool closed_only, const char *agency,
                      struct mon_campaign **out, size_t *n, struct pc_err *err);

/* The campaign's answers as a campaign file's sheet, scored by the engine
 * (PC_EINVAL names the service and question at fault). */
void mon_campaign_sheet(struct pc_arena *a, const struct mon_campaign *c, struct mon_sheet *out);
int mon_campaign_results(struct pc_arena *a, const struct mon_campaign *c, struct mon_results *out,
                         struct pc_err *err);
/* The results in the shape of a published campaign, so that they are
 * shown and downloaded like one: a group per agency (named by
 * agency_name(ctx, id) in each language), the printed figures from the
 * engine's levels and scores. */
typedef void (*mon_agency_name_fn)(void *ctx, const char *agency, struct pc_text *out);
void mon_campaign_published(struct pc_arena *a, const struct mon_campaign *c, const struct mon_results *r,
                            mon_agency_name_fn agency_name, void *ctx, struct mon_published *out);

/* ---- the registry kept in the portal (approved.c) ----------------------- */

/* The operator (id_authorize ID_ACT_MANAGE_CATALOG) records the Cabinet's
 * decisions and their lists per body, and marks since when each service
 * is on the portal and on the body's own site; the comparison tables of
 * the dates after the seed's come from these rows. */
#define MON_REG_ENTRIES_MAX 5000
#define MON_REG_DECISIONS_MAX 200
#define MON_REG_NAME_MAX 300

struct mon_decision {
    const char *id, *number, *date;          /* date YYYY-MM-DD */
};

struct mon_reg_entry {
    const char *id;
    const char *decision;                    /* NULL: on no approved list */
    const char *agency, *name, *service;     /* service: the catalogue's id, or NULL */
    const char *on_portal, *on_own_site;     /* since (YYYY-MM-DD), or NULL */
};

int mon_decision_add(struct db *db, const struct id_principal *who, const char *number, const char *date,
                     const char *ip, struct pc_arena *a, const char **id, struct pc_err *err);
/* An agency of the catalogue; decision NULL or "" for none. */
int mon_reg_entry_add(struct db *db, const struct id_principal *who, const char *decision, const char *agency,
                      const char *name, const char *service, const char *ip, struct pc_arena *a, const char **id,
                      struct pc_err *err);
/* Since when the entry is on the portal and on its body's site (NULL or
 * "": not). */
int mon_reg_entry_mark(struct db *db, const struct id_principal *who, const char *id, const char *on_portal,
                       const char *on_own_site, const char *ip, struct pc_err *err);
int mon_decisions_list(struct db *db, struct pc_arena *a, struct mon_decision **out, size_t *n, struct pc_err *err);
int mon_reg_entries_list(struct db *db, struct pc_arena *a, struct mon_reg_entry **out, size_t *n,
                         struct pc_err *err);

/* The comparison tables of the kept rows, one on each date a decision
 * was taken or a service came to the portal or a site (after the seed's
 * last date only), with their totals, added to `reg` (rows and dates). */
void mon_registry_add_kept(struct pc_arena *a, const struct mon_decision *d, size_t nd,
                           const struct mon_reg_entry *e, size_t ne, struct mon_registry *reg);
/* The seed (mon_registry_get) and the kept rows: what the page shows. */
int mon_registry_current(struct db *db, struct pc_arena *a, struct mon_registry *out, struct pc_err *err);

/* ---- charts ------------------------------------------------------------ */

/* A horizontal bar chart as inline SVG (role="img", a <title> and a
 * <desc> naming every bar and its value): n bars with labels (already in
 * the reader's language) and values in hundredths out of max_hundredths.
 * The text alternative a page also shows is the table beside it. */
struct mon_bar {
    const char *label;
    int64_t value;           /* hundredths */
};
void mon_svg_bars(struct pc_buf *out, const char *id, const char *title, const struct mon_bar *bars, size_t n,
                  int64_t max_hundredths);

#endif

/*
 * participation.h — e-participation: polls with identified voters, one
 * vote per person and secret ballots, counted exactly and published with
 * a signed, time-stamped tally; ratings, comments and complaints per
 * service, with their aggregates (which the monitoring pages read); and
 * surveys whose questions are a typed form definition of src/cases.
 *
 * Tables owned (src/participation/migrations): polls, poll_options,
 * poll_voters, poll_ballots, poll_tallies, feedback, complaints, surveys,
 * survey_respondents, survey_responses.
 *
 * Who may do what is decided by id_authorize (ID_ACT_VOTE,
 * ID_ACT_MANAGE_POLLS, ID_ACT_ANSWER_COMPLAINT, ID_ACT_MODERATE); the
 * functions below check it again where they change something, so no
 * caller can skip it.  Every change is written with its audit entry.
 * Values come back typed (enums, structs); texts in every language
 * (struct pc_text).  Results live in the caller's arena.
 */
#ifndef PC_PARTICIPATION_H
#define PC_PARTICIPATION_H

#include "../base/base.h"
#include "../db/db.h"
#include "../identity/identity.h"

#include <jansson.h>

/* ---- configuration ----------------------------------------------------- */

struct part_config {
    /* The tally's signer: a key and certificate issued by the
     * certification centre (PEM; the key may be encrypted, passphrase
     * then given), and its TSA for the signature's time-stamp (CAdES-T).
     * Without a key, tallies are published unsigned (and say so). */
    const char *key_pem, *cert_pem, *passphrase;
    size_t key_len, cert_len;
    const char *tsa_url;
    int interval_ms;             /* how often the job looks for polls to count (1000) */
    int lease_secs;              /* a node that stops renewing loses the job after this (30) */
};

void part_config_defaults(struct part_config *cfg);
/* Check the configuration (a key needs its certificate). */
int part_config_check(const struct part_config *cfg, struct pc_err *err);

/* ---- polls --------------------------------------------------------------- */

#define PART_QUESTION_MAX 500        /* bytes of a question, each language */
#define PART_LABEL_MAX 200           /* bytes of an option's label */
#define PART_OPTIONS_MIN 2
#define PART_OPTIONS_MAX 20
#define PART_POLL_MAX_DAYS 366       /* open at most this long */
#define PART_RECEIPT_LEN 32          /* hex digits of a ballot id */

enum part_poll_state {
    PART_POLL_UPCOMING,              /* not open yet */
    PART_POLL_OPEN,
    PART_POLL_CLOSED,                /* past closes_at, being counted */
    PART_POLL_COUNTED,               /* counted: the tally exists */
};
const char *part_poll_state_name(enum part_poll_state s);   /* "open", … */

struct part_option {
    const char *id;                  /* "1", "2", … */
    struct pc_text label;
    int64_t votes;                   /* filled by part_results */
};

struct part_poll {
    const char *id, *agency_id;      /* agency NULL: the portal's own poll */
    struct pc_text question;
    int64_t opens_at, closes_at, created_at;
    bool secret;                     /* results only once counted */
    bool changeable;                 /* a vote may be changed until closing */
    struct id_group group;           /* who may vote (all zero: any resident) */
    bool counted;
    struct part_option *options;
    size_t noptions;
};

/* The state at `now`. */
enum part_poll_state part_poll_state(const struct part_poll *p, int64_t now);

struct part_poll_new {
    const char *agency_id;           /* NULL: the portal's own (operators only) */
    struct pc_text question;         /* every language */
    const struct pc_text *options;
    size_t noptions;
    int64_t opens_at, closes_at;
    bool secret, changeable;
    struct id_group group;
};

/* Check a new poll (PC_EINVAL naming the field), authorize (PC_EDENIED)
 * and store it with its audit entry; *id gets its id. */
int part_poll_create(struct db *db, const struct id_principal *who, const struct part_poll_new *p, const char *ip,
                     struct pc_arena *a, const char **id, struct pc_err *err);
int part_poll_get(struct db *db, struct pc_arena *a, const char *id, struct part_poll *out, struct pc_err *err);

#define PART_LIST_MAX 50
/* Polls open now and those that closed within the last `recent_days`,
 * closing soonest first (at most PART_LIST_MAX). */
int part_poll_list(struct db *db, struct pc_arena *a, int64_t now, int recent_days, struct part_poll **out,
                   size_t *n, struct pc_err *err);
/* Bring the closing forward to now (an operator ends a poll early, or
 * the demo); audited.  PC_ECONFLICT when it has closed already. */
int part_poll_close_now(struct db *db, const struct id_principal *who, const char *id, const char *ip,
                        struct pc_err *err);

/* ---- voting ------------------------------------------------------------------ */

/* Why a vote was refused, for the answer's wording (the code says the
 * status: PC_ENOTFOUND, PC_ECONFLICT, PC_EDENIED, PC_EINVAL). */
enum part_refusal {
    PART_REFUSAL_NONE,
    PART_REFUSAL_NO_POLL,            /* PC_ENOTFOUND */
    PART_REFUSAL_NOT_OPEN,           /* PC_ECONFLICT: not open yet */
    PART_REFUSAL_CLOSED,             /* PC_ECONFLICT: closed (or counted) */
    PART_REFUSAL_ALREADY_VOTED,      /* PC_ECONFLICT: and the poll takes no changes */
    PART_REFUSAL_NOT_ALLOWED,        /* PC_EDENIED: not a person voting from their own citizen account */
    PART_REFUSAL_NOT_ELIGIBLE,       /* PC_EDENIED: not in the poll's group */
    PART_REFUSAL_BAD_OPTION,         /* PC_EINVAL: no such option */
};
const char *part_refusal_name(enum part_refusal r);   /* "already-voted", … (problem types) */

struct part_receipt {
    char ballot[PART_RECEIPT_LEN + 1]; /* the ballot's id: the voter can check it is counted */
    int64_t at;
    bool replaced;                   /* an earlier vote of this person was changed */
};

/* Cast who's vote for option.  Exactly one vote per person and poll,
 * whatever arrives at once from how many sessions or nodes: a second is
 * refused (PART_REFUSAL_ALREADY_VOTED), or replaces the first where the
 * poll allows changes.  The ballot is written without the voter; who
 * voted is written apart (poll_voters, and the audit log: "poll.vote",
 * never the option).  Votes share transactions with the votes arriving at
 * the same moment (db_commit_group); each returns once it is committed. */
int part_vote(struct db *db, const struct id_principal *who, const char *poll, const char *option, const char *ip,
              struct part_receipt *out, enum part_refusal *why, struct pc_err *err);
/* Whether the person fin has voted in the poll. */
int part_voted(struct db *db, const char *poll, const char *fin, bool *voted, struct pc_err *err);
/* Whether a ballot id (a receipt) is among the poll's ballots. */
int part_ballot_counted(struct db *db, const char *poll, const char *ballot, bool *counted, struct pc_err *err);

/* ---- results and the tally ------------------------------------------------- */

/* The published count: a canonical JSON document (what is signed), its
 * SHA-256, and the detached CMS signature with a time-stamp (DER). */
struct part_tally {
    const char *document;
    size_t len;
    const char *sha256;
    const unsigned char *signature;  /* NULL: published unsigned (no signer configured) */
    size_t signature_len;
    int64_t counted_at, signed_at, published_at;
};

struct part_results {
    int64_t total, voters;
    bool final;                      /* counted: these numbers never change */
    bool has_tally;                  /* the tally is published */
    struct part_tally tally;
};

/* The poll's counts into p->options[i].votes: once counted, from the
 * count; before, where the results are public, counted now.  PC_EDENIED
 * for a secret poll not counted yet. */
int part_results(struct db *db, struct pc_arena *a, struct part_poll *p, struct part_results *out,
                 struct pc_err *err);

/* One round of the tally job (one node: the "participation.tally" lease):
 * count every poll past its closing (under the lock votes share, so a vote
 * is either in the count or refused as closed), erase the key of its
 * ballot ids, then sign each unpublished tally (retried next round when
 * the signer or the TSA fails).  *counted and *published say how many. */
int part_tally_round(struct db *db, const struct part_config *cfg, int *counted, int *published,
                     struct pc_err *err);

/* The background job of a serving node (stop it before closing db). */
struct part_jobs;
struct part_jobs *part_jobs_start(struct db *db, const struct part_config *cfg, struct pc_err *err);
void part_jobs_stop(struct part_jobs *j);

/* ---- feedback: ratings and comments per service --------------------------- */

#define PART_COMMENT_MAX 2000        /* bytes */

enum part_feedback_state { PART_FB_PUBLISHED, PART_FB_PENDING, PART_FB_HIDDEN, PART_FB_COUNT };
const char *part_feedback_state_name(enum part_feedback_state s);

struct part_feedback {
    const char *id, *service_id;
    const char *source;              /* an application's reference, or "" (the service page) */
    int rating;                      /* 1..5 */
    const char *comment;             /* NULL: none */
    const char *lang;
    enum part_feedback_state state;  /* of the comment: shown once published */
    int64_t updated_at;
};

/* Rate a service (1..5) with an optional comment, from its page
 * (reference NULL) or after a decision on one's own application (its
 * reference).  Again from the same source replaces the earlier one.  A
 * comment waits for moderation; a rating counts at once.  PC_ENOTFOUND
 * for an unknown service or an application not one's own; PC_ECONFLICT
 * for an application not decided yet. */
int part_feedback_give(struct db *db, const struct id_principal *who, const char *service, const char *reference,
                       int rating, const char *comment, enum pc_lang lang, const char *ip, struct pc_err *err);

#define PART_FEEDBACK_LIST_MAX 100
/* Comments of a service in one state, newest first (service NULL: of
 * every service; at most PART_FEEDBACK_LIST_MAX). */
int part_feedback_list(struct db *db, struct pc_arena *a, const char *service, enum part_feedback_state state,
                       struct part_feedback **out, size_t *n, struct pc_err *err);
/* Publish or hide a comment (operators); audited. */
int part_feedback_moderate(struct db *db, const struct id_principal *who, const char *id, bool publish,
                           const char *ip, struct pc_err *err);

struct part_rating_stats {
    int64_t count[5];                /* ratings of 1..5 stars */
    int64_t total;
    double average;                  /* 0 when none */
};
int part_service_ratings(struct db *db, const char *service, struct part_rating_stats *out, struct pc_err *err);

/* ---- complaints --------------------------------------------------------------- */

#define PART_COMPLAINT_MAX 4000      /* bytes of a complaint or an answer */
#define PART_COMPLAINT_DAYS 15       /* an agency answers within this */

enum part_complaint_kind {
    PART_CK_DELAY, PART_CK_REFUSAL, PART_CK_STAFF, PART_CK_INFORMATION, PART_CK_TECHNICAL, PART_CK_OTHER,
    PART_CK_COUNT
};
const char *part_complaint_kind_name(enum part_complaint_kind k);  /* "delay", … */
int part_complaint_kind_parse(const char *s);                      /* -1 if unknown */

enum part_complaint_state { PART_COMPLAINT_OPEN, PART_COMPLAINT_ANSWERED };
const char *part_complaint_state_name(enum part_complaint_state s);

struct part_complaint {
    const char *reference, *service_id, *agency_id, *application_ref;
    const char *account_id, *fin;
    enum part_complaint_kind kind;
    const char *text, *lang;
    enum part_complaint_state state;
    int64_t created_at, due_at, answered_at, version;
    const char *answer;
};

/* File a complaint about a service (and maybe one's own application),
 * routed to the service's agency with a deadline of PART_COMPLAINT_DAYS;
 * the agency's staff are told by e-mail.  PC_ENOTFOUND for an unknown
 * service or an application not one's own. */
int part_complaint_file(struct db *db, const struct id_principal *who, const char *service, const char *application,
                        enum part_complaint_kind kind, const char *text, enum pc_lang lang, const char *ip,
                        struct pc_arena *a, struct part_complaint *out, struct pc_err *err);
/* One complaint, for its author or its agency's staff (PC_ENOTFOUND
 * for anyone else). */
int part_complaint_get(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *reference,
                       struct part_complaint *out, struct pc_err *err);

#define PART_COMPLAINT_LIST_MAX 100
/* The complaints who may see: an agency's staff those of their agency,
 * anyone else their own; newest first. */
int part_complaint_list(struct db *db, struct pc_arena *a, const struct id_principal *who, bool open_only,
                        struct part_complaint **out, size_t *n, struct pc_err *err);
/* The agency's answer (its officers and administrators); the person is
 * told through the outbox.  PC_ECONFLICT when answered meanwhile (version). */
int part_complaint_answer(struct db *db, const struct id_principal *who, const char *reference, const char *answer,
                          int64_t expected_version, const char *ip, struct pc_err *err);

/* ---- aggregates for the monitoring pages --------------------------------------- */

/* What people said about one service in a period, for the e-participation
 * questions of the evaluation methodology (feedback and complaints
 * possible and used, complaints classified and answered).  No personal
 * data. */
struct part_service_feedback {
    const char *service_id, *agency_id;
    int64_t ratings[5];              /* ratings of 1..5 stars given in the period */
    int64_t comments;                /* published comments */
    int64_t complaints, answered, overdue; /* filed in the period; answered; open past their deadline now */
    int64_t by_kind[PART_CK_COUNT];
};

#define PART_AGGREGATE_MAX 5000      /* services at most */
/* Every service with a rating or complaint in [since, until), by id. */
int part_feedback_by_service(struct db *db, struct pc_arena *a, int64_t since, int64_t until,
                             struct part_service_feedback **out, size_t *n, struct pc_err *err);

/* ---- surveys ------------------------------------------------------------------ */

struct form_def;
struct form_issues;

#define PART_SURVEY_JSON_MAX (64 * 1024)  /* bytes of a survey's pages */
#define PART_SURVEY_RESPONSES_MAX 100000  /* read for results and CSV */

struct part_survey {
    const char *id, *agency_id, *service_id;
    struct pc_text title;
    bool anonymous;
    int64_t opens_at, closes_at;
    const struct form_def *def;      /* the questions (cases' typed form) */
};

struct part_survey_new {
    const char *service_id;          /* the service it asks about (its agency's survey) */
    struct pc_text title;
    bool anonymous;
    int64_t opens_at, closes_at;
    const json_t *pages;             /* the pages of a form definition (docs/forms.md); no files */
};

/* Check and store a survey: its pages are checked by the one checker of
 * src/cases (the first problem is err's message, PC_EINVAL).  Operators
 * and the service agency's administrators (ID_ACT_MANAGE_POLLS); audited. */
int part_survey_create(struct db *db, const struct id_principal *who, const struct part_survey_new *s,
                       const char *ip, struct pc_arena *a, const char **id, struct pc_err *err);
int part_survey_get(struct db *db, struct pc_arena *a, const char *id, struct part_survey *out, struct pc_err *err);

/* Whether the person of fin has answered the survey. */
int part_survey_answered(struct db *db, const char *survey, const char *fin, bool *answered, struct pc_err *err);
/* Answer a survey (a person, once: PC_ECONFLICT; open: PC_ECONFLICT),
 * the answers checked against the whole form (issues: PC_EINVAL).  An
 * anonymous survey keeps who answered apart from the answers. */
int part_survey_respond(struct db *db, const struct id_principal *who, const struct part_survey *s,
                        const json_t *answers, struct form_issues *issues, struct pc_err *err);

/* The count of one question's answers. */
struct part_question_result {
    const char *question_id;
    struct pc_text label;
    int type;                        /* enum form_qtype */
    int64_t answered;
    size_t noptions;                 /* a choice: each option's value, label and count */
    const char **option_values;
    const struct pc_text *option_labels;
    int64_t *option_counts;
    double min, max, mean;           /* a number */
};

struct part_survey_results {
    int64_t responses;
    struct part_question_result *questions;
    size_t nquestions;
};

/* Results and CSV: for who manages the survey (PC_EDENIED otherwise). */
int part_survey_results(struct db *db, const struct id_principal *who, struct pc_arena *a,
                        const struct part_survey *s, struct part_survey_results *out, struct pc_err *err);
/* Every response as CSV: a column per question (a choice of many: its
 * values joined by "; "); a cell a spreadsheet would take for a formula
 * is written as text. */
int part_survey_csv(struct db *db, const struct id_principal *who, const struct part_survey *s, struct pc_buf *out,
                    struct pc_err *err);

#endif

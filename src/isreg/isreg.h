/*
 * isreg.h — the state register of information resources and systems.
 *
 * Every state body must register each information resource and each
 * personal-data information system it runs within 20 days of creating or
 * changing it, and de-register it when it stops.  A body's staff describe
 * a system on a registration card, versioned: each creation or change is a
 * new card version that declares the date of the change, which starts the
 * 20-day clock.  The register's operator registers a submitted card or
 * returns it with remarks; the public sees the registered card of every
 * registered or de-registered system, never drafts, returned cards or the
 * confidential fields (hosting, security measures, responsible person).
 *
 * The operator also records systems known to exist without a card, and
 * findings from compliance checks; the statistics count registered of
 * known systems per body, as the documents' tables did.
 *
 * Tables owned: isreg_systems, isreg_cards, isreg_decisions, isreg_known,
 * isreg_findings, isreg_reminders, isreg_census, isreg_files.
 *
 * Every change is audited in its own transaction.  Who may do what is
 * decided by id_authorize (ID_ACT_ISREG_EDIT for res.agency_id,
 * ID_ACT_ISREG_REVIEW); the functions take the principal and refuse with
 * PC_EDENIED themselves, so no caller can forget.
 */
#ifndef PC_ISREG_H
#define PC_ISREG_H

#include "../base/base.h"
#include "../db/db.h"
#include "../identity/identity.h"
#include "../xclient/xclient.h"

#include <stdbool.h>
#include <stdint.h>

#define ISREG_DAYS_TO_REGISTER 20   /* the rule: register a change within 20 days */
#define ISREG_REMIND_DAYS 5         /* remind this many days before the deadline */
#define ISREG_FINE_MIN 300          /* manat risked by a body per unregistered system */
#define ISREG_FINE_MAX 500
#define ISREG_ID_MAX 40             /* a system's id: [a-z0-9-], 2..40 */
#define ISREG_TEXT_MAX 4000         /* bytes of a free-text field */
#define ISREG_NAME_MAX 300
#define ISREG_SERVICES_MAX 50       /* identifiers in one list */

enum isreg_kind { ISREG_KIND_RESOURCE, ISREG_KIND_PERSONAL_DATA, ISREG_KIND_COUNT };

/* A system's state in the register. */
enum isreg_status {
    ISREG_DRAFT,          /* never submitted */
    ISREG_SUBMITTED,      /* a card waits for the operator */
    ISREG_RETURNED,       /* the operator returned the newest card with remarks */
    ISREG_REGISTERED,
    ISREG_DEREGISTERED,
    ISREG_STATUS_COUNT
};

/* A card version's state; a registered card becomes superseded when a
 * newer one is registered. */
enum isreg_card_status {
    ISREG_CARD_DRAFT,
    ISREG_CARD_SUBMITTED,
    ISREG_CARD_RETURNED,
    ISREG_CARD_REGISTERED,
    ISREG_CARD_SUPERSEDED,
    ISREG_CARD_STATUS_COUNT
};

/* Categories of personal data a system holds (a bit set, ISREG_BIT). */
enum isreg_category {
    ISREG_CAT_IDENTITY,     /* names, FİN, identity documents */
    ISREG_CAT_CONTACT,
    ISREG_CAT_ADDRESS,
    ISREG_CAT_FAMILY,
    ISREG_CAT_EMPLOYMENT,
    ISREG_CAT_FINANCIAL,
    ISREG_CAT_HEALTH,
    ISREG_CAT_EDUCATION,
    ISREG_CAT_BIOMETRIC,
    ISREG_CAT_CRIMINAL,
    ISREG_CAT_PROPERTY,
    ISREG_CAT_COUNT
};
#define ISREG_BIT(v) (1u << (unsigned)(v))

/* Where the operator learned of a system that has no card. */
enum isreg_source { ISREG_SRC_EXCHANGE, ISREG_SRC_CATALOGUE, ISREG_SRC_INSPECTION, ISREG_SRC_COUNT };

/* The words of the API and the data files ("personal_data", "returned",
 * "health", "inspection") and back (-1 for NULL or an unknown word). */
const char *isreg_kind_name(enum isreg_kind v);
const char *isreg_status_name(enum isreg_status v);
const char *isreg_card_status_name(enum isreg_card_status v);
const char *isreg_category_name(enum isreg_category v);
const char *isreg_source_name(enum isreg_source v);
int isreg_kind_parse(const char *s);
int isreg_status_parse(const char *s);
int isreg_category_parse(const char *s);
int isreg_source_parse(const char *s);

/* ---- dates ------------------------------------------------------------ */

/* Days since 1970-01-01 of a date "YYYY-MM-DD"; PC_EINVAL when it is not
 * a real date between 1990 and 2200. */
int isreg_date_parse(const char *s, int64_t *days);
/* The date of a day number, "YYYY-MM-DD" into out[11]. */
void isreg_date_format(int64_t days, char out[11]);
/* The UTC day number of a Unix time. */
int64_t isreg_day_of(int64_t unix_secs);

/* ---- the registration card -------------------------------------------- */

struct isreg_list { const char **items; size_t n; };
/* A list typed one item per line (spaces around items and empty lines
 * dropped), copied into a. */
void isreg_list_from_lines(struct pc_arena *a, const char *text, struct isreg_list *out);

struct isreg_card {
    int version;
    enum isreg_card_status status;
    enum isreg_kind kind;
    struct pc_text name;
    const char *purpose;
    const char *legal_basis;
    unsigned categories;              /* ISREG_BIT(enum isreg_category) */
    bool uses_fin;
    const char *sources, *recipients;
    struct isreg_list services_offered;   /* exchange-layer ids */
    struct isreg_list services_used;
    struct isreg_list portal_services;    /* catalogue service ids */
    const char *hosting, *security, *responsible;   /* confidential */
    char started_on[11];
    char change_on[11];               /* the creation or change this version declares */
    const char *change_note;
    char due_on[11];                  /* change_on + 20 days */
    int late_days;                    /* -1 until submitted */
    const char *author;
    int64_t created_at, submitted_at, decided_at;
};

/* A card from the API's JSON body (members as in docs/api/openapi.yaml);
 * PC_EINVAL with the member at fault in *field.  Strings are copied into a. */
int isreg_card_parse(struct pc_arena *a, const char *text, size_t n, struct isreg_card *out, const char **field,
                     struct pc_err *err);

/* Check a card as a body submits it, with `today` (a day number) for the
 * dates.  Fills `field` with the name of the first field at fault. */
int isreg_card_check(const struct isreg_card *c, int64_t today, const char **field, struct pc_err *err);

/* ---- systems ------------------------------------------------------------ */

struct isreg_decision {
    int version;
    const char *decision;   /* submitted | registered | returned | deregistered */
    const char *remarks;
    const char *actor;
    int64_t at;
};

/* A document attached to a card version (stored by cases, by SHA-256). */
struct isreg_file {
    int version;
    char sha256[65];
    const char *name;
    char mime[64];
    int64_t size;
    const char *added_by;
    int64_t added_at;
};

struct isreg_finding {
    const char *id;
    const char *text;
    char follow_up_on[11];
    const char *opened_by;
    int64_t opened_at, closed_at;    /* closed_at 0 while open */
    const char *closed_note;
};

/* Compliance, as far as the platform knows the answer. */
enum isreg_check_result { ISREG_CHECK_PASS, ISREG_CHECK_FAIL, ISREG_CHECK_NOT_APPLICABLE, ISREG_CHECK_UNKNOWN };
enum isreg_check {
    ISREG_CHECK_ON_TIME,        /* every card submitted within 20 days */
    ISREG_CHECK_PORTAL,         /* the portal services it declares exist and are its body's */
    ISREG_CHECK_FIN,            /* a system using the FİN declares personal data with identity */
    ISREG_CHECK_EXCHANGE,       /* its exchange-layer services are in the exchange's configuration (exchange: the portal's gateway) */
    ISREG_CHECK_FINDINGS,       /* no open finding past its follow-up date */
    ISREG_CHECK_COUNT
};
const char *isreg_check_name(enum isreg_check v);
const char *isreg_check_result_name(enum isreg_check_result v);

enum isreg_compliance { ISREG_COMPLIANT, ISREG_FINDINGS_OPEN, ISREG_NOT_COMPLIANT, ISREG_COMPLIANCE_COUNT };
const char *isreg_compliance_name(enum isreg_compliance v);

struct isreg_system {
    const char *id;
    const char *agency_id;
    enum isreg_status status;
    int current_version;
    int registered_version;          /* 0: never registered */
    int64_t registered_at;
    char deregistered_on[11];        /* "" while running */
    const char *deregister_reason;
    int64_t created_at, updated_at;
    struct isreg_card card;          /* the public card (registered) or the newest for its body */
    /* With isreg_get(..., ISREG_FULL): */
    struct isreg_card *versions;     /* newest first; public view: registered ones only */
    size_t nversions;
    struct isreg_decision *decisions;
    size_t ndecisions;
    struct isreg_finding *findings;
    size_t nfindings;
    struct isreg_file *files;        /* staff only: the documents of every version, newest first */
    size_t nfiles;
    enum isreg_check_result checks[ISREG_CHECK_COUNT];
    enum isreg_compliance compliance;
};

/* What a reader may see: the public (registered cards, no confidential
 * fields), or the owning body's staff and the operator (everything). */
enum isreg_view { ISREG_PUBLIC, ISREG_STAFF };

/* One system.  A public reader gets PC_ENOTFOUND for a system that was
 * never registered; `who` decides the view (NULL: public).  The catalogue
 * (for the portal check) is read through cat_get_service, the exchange's
 * services through the portal's gateway (exchange; NULL: none, the check
 * is then "unknown"). */
int isreg_get(struct db *db, struct xc *exchange, struct pc_arena *a, const struct id_principal *who, const char *id,
              struct isreg_system *out, struct pc_err *err);

struct isreg_filter {
    const char *q;                    /* folded search over the names, NULL: all */
    const char *agency_id;            /* NULL: every body */
    int status;                       /* -1: registered and de-registered (public) */
    const char *cursor;               /* from a previous page's next */
    int limit;                        /* 1..100 */
};
struct isreg_page {
    struct isreg_system *items;       /* summary fields and the card's name */
    size_t n;
    const char *next;                 /* NULL at the end */
};
/* The public list (registered and de-registered systems, by id), or for
 * staff of a body / the operator, their systems in any status. */
int isreg_list(struct db *db, struct pc_arena *a, const struct id_principal *who, const struct isreg_filter *f,
               struct isreg_page *out, struct pc_err *err);

/* ---- a body's staff ----------------------------------------------------- */

/* Create a system with its first card (a draft) for agency_id.  A card
 * that fails isreg_card_check names its member at fault in *field. */
int isreg_create(struct db *db, const struct id_principal *who, const char *ip, const char *id,
                 const char *agency_id, const struct isreg_card *card, const char **field, struct pc_err *err);
/* Replace the newest card while it is a draft or returned; on a registered
 * system, start a new version (a declared change).  *version is the card's. */
int isreg_save_card(struct db *db, const struct id_principal *who, const char *ip, const char *id,
                    const struct isreg_card *card, int *version, const char **field, struct pc_err *err);
/* Submit the newest card; its late days are recorded (0 when on time). */
int isreg_submit(struct db *db, const struct id_principal *who, const char *ip, const char *id, int64_t now,
                 int *late_days, struct pc_err *err);
/* De-register: the date the system stopped and why.  A system that still
 * offers exchange-layer services is refused with PC_ECONFLICT unless
 * `confirmed` (the caller showed the warning). */
int isreg_deregister(struct db *db, const struct id_principal *who, const char *ip, const char *id,
                     const char *stopped_on, const char *reason, bool confirmed, int64_t now, struct pc_err *err);

#define ISREG_FILES_MAX 20           /* documents on one card version */
/* Attach a file to the newest card while it is a draft or returned (a
 * registered card's documents do not change: declare a change first).
 * The caller has stored the file through cases (case_upload_keep); name,
 * type and size are the stored file's.  Staff of the owning body. */
int isreg_file_add(struct db *db, const struct id_principal *who, const char *ip, const char *id,
                   const struct isreg_file *f, struct pc_err *err);
/* The document sha256 of system id, for staff of the body and the
 * operator; PC_ENOTFOUND for anyone else (the public never reads them:
 * they may hold what the card keeps confidential). */
int isreg_file_get(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *id,
                   const char *sha256, struct isreg_file *out, struct pc_err *err);

/* ---- the register's operator -------------------------------------------- */

int isreg_register(struct db *db, const struct id_principal *who, const char *ip, const char *id, int64_t now,
                   struct pc_err *err);
int isreg_return(struct db *db, const struct id_principal *who, const char *ip, const char *id, const char *remarks,
                 int64_t now, struct pc_err *err);
int isreg_finding_open(struct db *db, const struct id_principal *who, const char *ip, const char *id,
                       const char *text, const char *follow_up_on, char out_id[33], struct pc_err *err);
int isreg_finding_close(struct db *db, const struct id_principal *who, const char *ip, const char *id,
                        const char *finding_id, const char *note, struct pc_err *err);

struct isreg_known {
    const char *id;
    const char *agency_id;
    const char *name;
    enum isreg_source source;
    char noted_on[11];
    const char *note;
    const char *system_id;            /* NULL until registered */
};
int isreg_known_add(struct db *db, const struct id_principal *who, const char *ip, const struct isreg_known *k,
                    char out_id[33], struct pc_err *err);
/* Link a known system to the card that now describes it. */
int isreg_known_link(struct db *db, const struct id_principal *who, const char *ip, const char *known_id,
                     const char *system_id, struct pc_err *err);

/* ---- the 20-day clock ----------------------------------------------------- */

struct isreg_overdue {
    const char *system_id, *agency_id;
    struct pc_text name;
    int version;
    enum isreg_card_status status;    /* draft or returned */
    char change_on[11], due_on[11];
    int days_late;                    /* > 0 overdue; <= 0 days left as a negative */
};
/* Cards not yet submitted whose clock runs: due within ISREG_REMIND_DAYS
 * or past due, oldest due first; the operator sees every body's, staff
 * their own body's. */
int isreg_overdue(struct db *db, struct pc_arena *a, const struct id_principal *who, int64_t today,
                  struct isreg_overdue **out, size_t *n, struct pc_err *err);
/* Send the reminders due on `today` through the outbox to the body's staff
 * (one per card version and kind: before the deadline, when overdue).
 * Safe to run on every node at once.  *sent counts the cards reminded. */
int isreg_remind(struct db *db, int64_t today, int *sent, struct pc_err *err);

/* ---- statistics ------------------------------------------------------------ */

struct isreg_count {
    const char *agency_id;            /* NULL for a year's row */
    int year;                         /* 0 for an agency's row */
    int known, registered;
    const char *source;               /* a year's: "register" or where it was published */
};
struct isreg_stats {
    struct isreg_count *agencies;     /* by agency id */
    size_t nagencies;
    struct isreg_count totals;
    int fine_min, fine_max;           /* manat risked by unregistered systems */
    struct isreg_count *years;        /* published counts, then this register's by year */
    size_t nyears;
};
/* Known = systems with a card (any status but de-registered) + known
 * systems without one; registered = registered now. */
int isreg_stats(struct db *db, struct pc_arena *a, int64_t today, struct isreg_stats *out, struct pc_err *err);

/* ---- data --------------------------------------------------------------- */

/* Load the demo's systems (data/isreg: systems.jsonl, known.jsonl, census.jsonl),
 * as the operator "demo"; existing ids are kept. */
int isreg_load_demo(struct db *db, const char *dir, int64_t now, struct pc_err *err);

#endif

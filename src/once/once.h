/*
 * once.h — "once only" (issue 11, item 7): what the portal asks the
 * authentic-source registries through its exchange gateway (src/xclient)
 * instead of asking the citizen, as typed values:
 *  - the population register's record of a person (once_person_get), and
 *    the check at registration that the person is there under the names
 *    and birth date the portal holds (once_check_registration);
 *  - the taxpayer register's word on who may act for a company: its
 *    director or a listed representative (once_check_representative);
 *  - form prefill from registry sources (population.*: once_prefill);
 *  - a paper application's applicant: FİN and identity card as the
 *    population register holds them (once_submit_paper).
 *
 * Every call carries the citizen's FİN as X-Road-UserId and the matter
 * (the case reference, the draft id, "registration", "act-for VÖEN") as
 * X-Road-Issue, and every answer is written into the citizen's
 * personal-data access log (audit_access_record: accessor_role
 * "exchange", accessor the service id, data_kind the registry kind,
 * ground the issue), so "My data" shows which registry answered when.
 *
 * Owns no tables.  Returns 0 or a negative PC_E* code with the message in
 * err; the exchange down or not yet configured is PC_EUNAVAIL.
 */
#ifndef PC_ONCE_H
#define PC_ONCE_H

#include "../base/base.h"
#include "../db/db.h"
#include "../cases/cases.h"
#include "../identity/identity.h"
#include "../xclient/xclient.h"

/* Which registry answered, when, under which message id. */
struct once_source {
    const char *kind;          /* XC_POPULATION, … */
    const char *service;
    const char *message_id;
    int64_t at;                /* Unix seconds */
};

#define ONCE_CHILDREN_MAX 8

/* A person as the population register holds them. */
struct once_person {
    const char *fin, *surname, *name, *patronymic;
    bool male;
    const char *birth_date, *birth_place;     /* YYYY-MM-DD */
    const char *marital_status;               /* "married", "single", … as the register says */
    const char *father_fin, *mother_fin, *spouse_fin;  /* NULL when none */
    const char *children_fins[ONCE_CHILDREN_MAX];
    size_t nchildren;
    const char *region, *city, *street;
    int house, apartment;
    const char *address;                      /* "City, Street House, mənzil Apartment": as the portal writes it */
    const char *id_card;
};

/* The register's record of fin; issue is the X-Road-Issue (NULL: none).
 * PC_ENOTFOUND when the register has no such person. */
int once_person_get(struct xc *x, struct db *db, struct pc_arena *a, const char *fin, const char *issue,
                    struct once_person *out, struct once_source *src, struct pc_err *err);

/* What differs between the portal's record and the register's. */
enum once_mismatch {
    ONCE_MATCH,
    ONCE_MISMATCH_SURNAME,
    ONCE_MISMATCH_NAME,
    ONCE_MISMATCH_PATRONYMIC,
    ONCE_MISMATCH_BIRTH_DATE,
};

/* Registration (an account made at the desk): the person must be in the
 * population register under the same surname, name, patronymic and birth
 * date.  0 and ONCE_MATCH when so; PC_ENOTFOUND when the register has no
 * such FİN; PC_ECONFLICT with *why when it holds other names or date.
 * Nothing is created here: the caller creates only after 0. */
int once_check_registration(struct xc *x, struct db *db, struct pc_arena *a, const struct id_person *p,
                            enum once_mismatch *why, struct once_source *src, struct pc_err *err);

/* Whether fin may act for the company voen in the taxpayer register: its
 * director or one of its listed representatives.  0 when so; PC_EDENIED
 * when not; PC_ENOTFOUND when the register has no such VÖEN. */
int once_check_representative(struct xc *x, struct db *db, struct pc_arena *a, const char *voen, const char *fin,
                              struct once_source *src, struct pc_err *err);

/* Registry prefill for one page of a form: the registry sources its
 * questions name (population.*) read once for fin, under issue.
 * vals->v[source] is the value of each source read (NULL elsewhere);
 * src[source] says which registry answered when.  Nothing to read is 0
 * with no call made. */
struct once_prefill {
    const char *v[FORM_PREFILL_COUNT];
    struct once_source src[FORM_PREFILL_COUNT];
};
int once_prefill(struct xc *x, struct db *db, struct pc_arena *a, const struct form_page *page, const char *fin,
                 const char *issue, struct once_prefill *out, struct pc_err *err);

/* Paper applications (issue 17 item 1): is id_card the identity card the
 * population register holds for fin (case, spaces and dashes ignored)?
 * 0 when so; PC_ENOTFOUND when the register has no such FİN; PC_EINVAL
 * when the card is another; PC_EUNAVAIL when it cannot be asked. */
int once_check_card(struct xc *x, struct db *db, struct pc_arena *a, const char *fin, const char *id_card,
                    const char *issue, struct once_source *src, struct pc_err *err);

/* case_submit_paper with the applicant checked in the population register
 * (once_check_card, issue "paper-application") when the portal has an
 * exchange (x); without one (x NULL), against identity's person record as
 * before.  The register down: PC_EUNAVAIL, *problem CASE_PAPER_UNCHECKED,
 * nothing stored.  The one call of the back office's page and the API. */
int once_submit_paper(struct xc *x, struct db *db, const struct form_set *forms, const struct id_principal *who,
                      const struct case_paper *p, enum pc_lang lang, const char *ip, struct pc_arena *a,
                      struct case_app *out, struct form_issues *issues, enum case_paper_problem *problem,
                      struct pc_err *err);

#endif

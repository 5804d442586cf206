/* paper.c — a paper application registered on the applicant's behalf by
 * an officer of the agency or a post-office operator: the applicant's
 * identity checked against the person's record (FİN and the identity
 * card shown; or, through p->identity, in the population register), the
 * answers checked by the same checker as every channel, the scanned
 * paper kept with the case, and the case then the applicant's
 * like any other, with channel "paper" and the operator in its history. */
#include "internal.h"

#include <string.h>

const char *case_paper_problem_name(enum case_paper_problem p)
{
    switch (p) {
    case CASE_PAPER_OK: return "ok";
    case CASE_PAPER_NO_PERSON: return "no-such-person";
    case CASE_PAPER_WRONG_CARD: return "wrong-id-card";
    case CASE_PAPER_NO_SCAN: return "no-scan";
    case CASE_PAPER_BAD_FIN: return "bad-fin";
    case CASE_PAPER_BAD_DISTRICT: return "bad-district";
    case CASE_PAPER_UNCHECKED: return "identity-unchecked";
    }
    return "ok";
}

/* The applicant's identity: the person on record with this card, or as
 * p->identity (the population register) knows them; their FİN in fin. */
static int applicant_of(struct db *db, struct pc_arena *a, const struct case_paper *p, char fin[8],
                        enum case_paper_problem *problem, struct pc_err *err)
{
    if (!id_fin_normalize(p->fin, fin))
        return *problem = CASE_PAPER_BAD_FIN, pc_err_set(err, PC_EINVAL, "FİN must be 7 characters: digits and Latin letters");
    struct id_person person;
    int rc = p->identity ? p->identity->check(p->identity->ctx, a, fin, p->id_card, err)
                         : id_person_check_card(db, a, fin, p->id_card, &person, err);
    if (rc == PC_ENOTFOUND)
        *problem = CASE_PAPER_NO_PERSON;
    else if (rc == PC_EINVAL)
        *problem = CASE_PAPER_WRONG_CARD;
    else if (rc == PC_EUNAVAIL)
        *problem = CASE_PAPER_UNCHECKED;
    return rc;
}

/* The answers as the form checks them, their files (and the scan) the
 * operator's uploads: 0 with *resolved and *scan, or PC_EINVAL with the
 * issues. */
static int check_answers(struct db *db, const struct form_def *def, const struct id_principal *who,
                         const struct case_paper *p, struct pc_arena *a, struct form_answers **resolved,
                         struct case_file *scan, struct form_issues *issues, enum case_paper_problem *problem,
                         struct pc_err *err)
{
    char day[11];
    form_today(day);
    struct form_answers view = {.j = (json_t *)p->answers};
    form_check_answers(def, &view, NULL, day, issues);
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return case_err(err);
    *resolved = form_answers_own(a, json_deep_copy(p->answers));
    int rc = issues->n ? 0 : case_resolve_files(c, def, (*resolved)->j, who->account_id, issues, err);
    if (rc)
        return rc;
    if (!issues->n) /* again, with the files as they were uploaded */
        form_check_answers(def, *resolved, NULL, day, issues);
    if (issues->n)
        return pc_err_set(err, PC_EINVAL, "%d answer%s need%s attention", issues->n, issues->n == 1 ? "" : "s",
                          issues->n == 1 ? "s" : "");
    rc = case_upload_find(c, who->account_id, p->scan_sha256, scan, a, err);
    db_conn_idle(c);
    if (rc == PC_ENOTFOUND)
        return *problem = CASE_PAPER_NO_SCAN, pc_err_set(err, PC_EINVAL, "the scanned paper must be uploaded first, by you");
    return rc;
}

int case_submit_paper(struct db *db, const struct form_set *forms, const struct id_principal *who,
                      const struct case_paper *p, enum pc_lang lang, const char *ip, struct pc_arena *a,
                      struct case_app *out, struct form_issues *issues, enum case_paper_problem *problem,
                      struct pc_err *err)
{
    issues->n = 0;
    *problem = CASE_PAPER_OK;
    memset(out, 0, sizeof *out);
    int rc;
    if (!pc_text_line(p->district, CASE_DISTRICT_MAX))
        return *problem = CASE_PAPER_BAD_DISTRICT, pc_err_set(err, PC_EINVAL, "the district must be one line of 1–%d bytes", CASE_DISTRICT_MAX);
    if (!case_is_sha256(p->scan_sha256))
        return *problem = CASE_PAPER_NO_SCAN, pc_err_set(err, PC_EINVAL, "the scanned paper is missing");
    if (!json_is_object(p->answers))
        return pc_err_set(err, PC_EINVAL, "answers must be an object");
    const struct form_def *def = p->service_id ? form_set_get(forms, p->service_id) : NULL;
    if (!def)
        return pc_err_set(err, PC_ENOTFOUND, "this service takes no applications through the portal");
    struct case_service si;
    if ((rc = case_service_info(db, a, p->service_id, &si, err)))
        return rc;
    struct id_resource res = {.agency_id = si.agency};
    int role = id_authorize_role(who, ID_ACT_FILE_PAPER, &res);
    if (role < 0)
        return pc_err_set(err, PC_EDENIED, "only the agency's officers and post-office operators register paper applications");
    if (case_fee_first(def, &si))
        return pc_err_set(err, PC_EDENIED, "this service's fee is paid before submission: it takes no paper applications");
    char fin[8];
    struct form_answers *resolved;
    struct case_file scan;
    const char *account;
    const char *role_name = id_role_name((enum id_role)role);
    /* the answers first: the applicant's source (a register, through the
     * exchange, into the person's access log) is asked for a complete
     * application only, not for every post of a page being corrected */
    if ((rc = check_answers(db, def, who, p, a, &resolved, &scan, issues, problem, err)) ||
        (rc = applicant_of(db, a, p, fin, problem, err)))
        return rc;
    /* the case is the applicant's: their citizen account, made (pending) if
     * they have none yet; they log in later with a desk's code and find it */
    if ((rc = id_citizen_account(db, a, fin, who->account_id, role_name, &account, err)))
        return rc;
    struct id_principal applicant = {.account_id = account, .fin = fin, .kind = ID_ACCOUNT_CITIZEN};

    struct case_origin origin = {.channel = CASE_CH_PAPER, .district = p->district, .registered_by = who->account_id,
                                 .registered_role = role_name, .paper_scan = scan.sha256};
    char id[33], reference[24];
    pc_random_hex(id, 16);
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return case_err(err);
    if ((rc = db_begin(c, err)))
        return rc;
    rc = case_write_submission(c, &applicant, id, true, &si, def, resolved->j, NULL, lang, &origin, ip, pc_now_unix(),
                               reference, err);
    if ((rc = db_end(c, rc, err)))
        return rc;
    return case_load(db, a, reference, out, err);
}

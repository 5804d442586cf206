/* paper.c — a paper application's applicant checked in the population
 * register (issue 17 item 1, branch idcheck): the FİN and the identity
 * card shown must be the register's, asked through the portal's gateway
 * with the FİN as X-Road-UserId and "paper-application" as X-Road-Issue
 * (the case has no reference before it is stored), the answer written to
 * the person's data tracker by once_fetch.  cases does the rest
 * (case_submit_paper, with this check as its p->identity). */
#include "internal.h"

#define PAPER_ISSUE "paper-application"

int once_check_card(struct xc *x, struct db *db, struct pc_arena *a, const char *fin, const char *id_card,
                    const char *issue, struct once_source *src, struct pc_err *err)
{
    struct once_person reg;
    int rc = once_person_get(x, db, a, fin, issue, &reg, src, err);
    if (rc == PC_ENOTFOUND)
        return pc_err_set(err, PC_ENOTFOUND, "the population register has no person with FİN %s", fin);
    if (rc)
        return rc;
    if (!id_card_same(reg.id_card, id_card))
        return pc_err_set(err, PC_EINVAL, "the identity card is not the one the population register holds for %s", fin);
    return 0;
}

struct paper_ctx {
    struct xc *x;
    struct db *db;
};

static int register_check(void *ctx, struct pc_arena *a, const char *fin, const char *id_card, struct pc_err *err)
{
    const struct paper_ctx *c = ctx;
    struct once_source src;
    return once_check_card(c->x, c->db, a, fin, id_card, PAPER_ISSUE, &src, err);
}

int once_submit_paper(struct xc *x, struct db *db, const struct form_set *forms, const struct id_principal *who,
                      const struct case_paper *p, enum pc_lang lang, const char *ip, struct pc_arena *a,
                      struct case_app *out, struct form_issues *issues, enum case_paper_problem *problem,
                      struct pc_err *err)
{
    struct paper_ctx ctx = {x, db};
    struct case_id_check check = {register_check, &ctx};
    struct case_paper asked = *p;
    if (x) /* without an exchange, identity's own person record */
        asked.identity = &check;
    return case_submit_paper(db, forms, who, &asked, lang, ip, a, out, issues, problem, err);
}

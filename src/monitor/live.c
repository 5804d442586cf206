/* live.c — the live self-assessment of a service hosted here: the
 * e-development questionnaire answered from the platform's own
 * configuration (the catalogue entry and the electronic form), scored by
 * the same engine as any campaign.  Each answer is what the platform does
 * today, not what an agency says:
 *   1 a page of its own on the portal — every catalogue service has one;
 *   2 name, substance and documents posted — a description in the catalogue;
 *   3 administrative regulation posted — the catalogue has no field for it: no;
 *   4, 5 forms online and electronic application — an electronic form;
 *   6 own data from the service's database — not applicable (not measured);
 *   7 through the single window — the portal is one of its channels;
 *   8 no re-request of data other agencies hold — a form that asks for no
 *     uploaded document (the applicant's data comes from the registry);
 *   9 progress notices — every application's changes are notified;
 *  10 e-signature — a login that accepts it (code-password or e-signature);
 *  11, 12 cashless and online payment — no payment is configured on the
 *     platform: no for a paid service, not applicable for a free one;
 *  13 entirely on the web — a form whose workflow decides and delivers
 *     online, and no fee left to pay elsewhere;
 *  14 forms filled automatically — a question prefilled from the registry;
 *  15 proactive — no service is delivered without an application: no. */
#include "internal.h"
#include "../catalog/catalog.h"
#include "../cases/cases.h"

#include <string.h>

static struct mon_answer yn(bool v)
{
    return (struct mon_answer){v ? MON_ANS_YES : MON_ANS_NO, 0};
}

static bool form_asks_files(const struct form_def *f)
{
    for (size_t p = 0; p < f->npages; p++)
        if (f->pages[p].has_files)
            return true;
    return false;
}

static bool form_prefills(const struct form_def *f)
{
    for (size_t p = 0; p < f->npages; p++)
        for (size_t q = 0; q < f->pages[p].nquestions; q++) {
            const struct form_question *x = &f->pages[p].questions[q];
            if (x->prefill != FORM_PREFILL_NONE)
                return true;
            for (size_t k = 0; k < x->nquestions; k++)
                if (x->questions[k].prefill != FORM_PREFILL_NONE)
                    return true;
        }
    return false;
}

static bool decides_online(const struct form_def *f)
{
    return f->workflow.steps & (1u << CASE_STEP_APPROVE);
}

int mon_live_assess(const struct cat_service *s, const struct form_def *form, int model, struct mon_live *out,
                    struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    out->model = mon_model_valid(model) ? model : form ? 4 : 3;
    struct mon_answers *a = &out->answers;
    a->criterion = MON_DEVELOPMENT;
    bool paid = !s->free;
    const char *desc = s->description.s[PC_LANG_AZ];
    a->a[0] = yn(true);
    a->a[1] = yn(desc && *desc);
    a->a[2] = yn(false);
    a->a[3] = yn(form != NULL);
    a->a[4] = yn(form != NULL);
    a->a[5] = (struct mon_answer){MON_ANS_NA, 0};
    a->a[6] = yn(s->channels & CAT_BIT(CAT_CH_PORTAL));
    a->a[7] = yn(form && !form_asks_files(form));
    a->a[8] = yn(form != NULL);
    a->a[9] = yn(s->login != CAT_LOGIN_NONE);
    a->a[10] = paid ? yn(false) : (struct mon_answer){MON_ANS_NA, 0};
    a->a[11] = a->a[10];
    a->a[12] = yn(form && decides_online(form) && !paid);
    a->a[13] = yn(form && form_prefills(form));
    a->a[14] = yn(false);
    return mon_score_development(a, out->model, &out->result, err);
}

bool mon_live_below_claim(const struct mon_live *l, int claimed_level, int claimed_model)
{
    /* claimed/claimed_model > measured/model, on exact fractions */
    return mon_model_valid(claimed_model) && claimed_level * l->model > l->result.level * claimed_model;
}

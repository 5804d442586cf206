/* prefill.c — a form page's registry sources (population.*) read from
 * the register once per page, for the applicant, under the draft. */
#include "internal.h"

#include <string.h>

int once_prefill(struct xc *x, struct db *db, struct pc_arena *a, const struct form_page *page, const char *fin,
                 const char *issue, struct once_prefill *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    bool wanted = false;
    for (size_t k = 0; k < page->nquestions; k++)
        wanted = wanted || pc_str_eq(form_prefill_registry(page->questions[k].prefill), XC_POPULATION);
    if (!wanted)
        return 0;
    struct once_person p;
    struct once_source src;
    int rc = once_person_get(x, db, a, fin, issue, &p, &src, err);
    if (rc)
        return rc;
    const char *v[FORM_PREFILL_COUNT] = {
        [FORM_PREFILL_POP_FULL_NAME] = pc_arena_printf(a, "%s %s", p.name, p.surname),
        [FORM_PREFILL_POP_SURNAME] = p.surname,
        [FORM_PREFILL_POP_NAME] = p.name,
        [FORM_PREFILL_POP_PATRONYMIC] = p.patronymic,
        [FORM_PREFILL_POP_BIRTH_DATE] = p.birth_date,
        [FORM_PREFILL_POP_BIRTH_PLACE] = p.birth_place,
        [FORM_PREFILL_POP_ADDRESS] = p.address,
        [FORM_PREFILL_POP_SPOUSE_FIN] = p.spouse_fin,
    };
    for (int s = 0; s < FORM_PREFILL_COUNT; s++)
        if (v[s] && pc_str_eq(form_prefill_registry((enum form_prefill)s), XC_POPULATION)) {
            out->v[s] = v[s];
            out->src[s] = src;
        }
    return 0;
}

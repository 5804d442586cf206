/* declared.c — what the applicant declared about the household, read from
 * the application's answers (eesmn-vemtas.json: applicant_income and the
 * family_members group with member_fin, member_name, member_relation,
 * member_birth_date, member_income).  Incomes are manat, kept as qəpik.
 * And two small helpers the module's files share. */
#include "internal.h"

#include <math.h>
#include <string.h>

static int64_t qepik(const json_t *v)
{
    if (!json_is_number(v))
        return -1;
    double d = json_number_value(v);
    return d >= 0 && d <= SOCIAL_MONEY_MAX / 100.0 ? (int64_t)llround(d * 100) : -1;
}

static const char *str(struct pc_arena *a, const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? pc_arena_strdup(a, s) : NULL;
}

void social_declaration_read(struct pc_arena *a, const char *applicant_fin, const json_t *answers,
                             struct social_declaration *out)
{
    memset(out, 0, sizeof *out);
    out->applicant_fin = applicant_fin;
    out->applicant_income = qepik(json_object_get(answers, "applicant_income"));
    out->applicant_employment = str(a, answers, "applicant_employment");
    const json_t *list = json_object_get(answers, "family_members");
    size_t n = json_array_size(list);
    if (n > SOCIAL_MEMBERS_MAX - 1)
        n = SOCIAL_MEMBERS_MAX - 1; /* the form allows 20 */
    out->members = pc_arena_array(a, n ? n : 1, sizeof *out->members);
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_array_get(list, i);
        out->members[out->n++] = (struct social_declared){
            .fin = str(a, m, "member_fin"), .name = str(a, m, "member_name"),
            .relation = str(a, m, "member_relation"), .birth_date = str(a, m, "member_birth_date"),
            .employment = str(a, m, "member_employment"),
            .income = qepik(json_object_get(m, "member_income"))};
    }
}

void social_json_release(void *j)
{
    json_decref(j);
}

void *social_grow(struct pc_arena *a, void *items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return items;
    void *more = pc_arena_array(a, *cap * 2, size);
    memcpy(more, items, *cap * size);
    *cap *= 2;
    return more;
}

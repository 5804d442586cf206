/* person.c — the population register's record of a person, typed, and
 * the check at registration that the portal's record is the register's. */
#include "internal.h"

#include <string.h>

static const char *fin_or_null(struct pc_arena *a, const json_t *doc, const char *key)
{
    const char *s = once_str(a, doc, key);
    return s && *s ? s : NULL;
}

int once_person_get(struct xc *x, struct db *db, struct pc_arena *a, const char *fin, const char *issue,
                    struct once_person *out, struct once_source *src, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    char key[8];
    if (!id_fin_normalize(fin, key))
        return pc_err_set(err, PC_EINVAL, "not a FİN");
    json_t *doc;
    int rc = once_fetch(x, db, a, XC_POPULATION, pc_arena_printf(a, "/%s", key), key, issue, &doc, src, err);
    if (rc)
        return rc;
    return once_person_parse(a, key, doc, out, err);
}

int once_person_parse(struct pc_arena *a, const char *fin, const json_t *doc, struct once_person *out,
                      struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!pc_str_eq(json_string_value(json_object_get(doc, "fin")), fin))
        return pc_err_set(err, PC_EUNAVAIL, "the population register answered for another FİN");
    const json_t *addr = json_object_get(doc, "address"), *kids = json_object_get(doc, "children_fins");
    *out = (struct once_person){
        .fin = pc_arena_strdup(a, fin), .surname = once_str(a, doc, "surname"), .name = once_str(a, doc, "name"),
        .patronymic = once_str(a, doc, "patronymic"), .male = pc_str_eq(json_string_value(json_object_get(doc, "sex")), "M"),
        .birth_date = once_str(a, doc, "birth_date"), .birth_place = once_str(a, doc, "birth_place"),
        .marital_status = once_str(a, doc, "marital_status"), .father_fin = fin_or_null(a, doc, "father_fin"),
        .mother_fin = fin_or_null(a, doc, "mother_fin"), .spouse_fin = fin_or_null(a, doc, "spouse_fin"),
        .region = once_str(a, addr, "region"), .city = once_str(a, addr, "city"), .street = once_str(a, addr, "street"),
        .house = (int)json_integer_value(json_object_get(addr, "house")),
        .apartment = (int)json_integer_value(json_object_get(addr, "apartment")), .id_card = once_str(a, doc, "id_card")};
    size_t i;
    json_t *k;
    json_array_foreach(kids, i, k) if (json_is_string(k) && out->nchildren < ONCE_CHILDREN_MAX)
        out->children_fins[out->nchildren++] = pc_arena_strdup(a, json_string_value(k));
    if (!out->surname || !out->name || !out->birth_date)
        return pc_err_set(err, PC_EUNAVAIL, "the population register's record of %s has no names or birth date", fin);
    if (out->city && out->street)
        out->address = pc_arena_printf(a, "%s, %s %d, mənzil %d", out->city, out->street, out->house, out->apartment);
    return 0;
}

int once_check_registration(struct xc *x, struct db *db, struct pc_arena *a, const struct id_person *p,
                            enum once_mismatch *why, struct once_source *src, struct pc_err *err)
{
    *why = ONCE_MATCH;
    struct once_person reg;
    int rc = once_person_get(x, db, a, p->fin, "registration", &reg, src, err);
    if (rc == PC_ENOTFOUND)
        return pc_err_set(err, PC_ENOTFOUND, "the population register has no person with FİN %s", p->fin);
    if (rc)
        return rc;
    /* the register's spelling is the one; the portal's must be the same */
    *why = !pc_str_eq(reg.surname, p->last_name)       ? ONCE_MISMATCH_SURNAME
           : !pc_str_eq(reg.name, p->first_name)       ? ONCE_MISMATCH_NAME
           : !pc_str_eq(reg.patronymic, p->patronymic) ? ONCE_MISMATCH_PATRONYMIC
           : !pc_str_eq(reg.birth_date, p->birth_date) ? ONCE_MISMATCH_BIRTH_DATE
                                                       : ONCE_MATCH;
    if (*why != ONCE_MATCH)
        return pc_err_set(err, PC_ECONFLICT, "the population register holds %s %s %s, born %s, for FİN %s",
                          reg.surname, reg.name, reg.patronymic ? reg.patronymic : "", reg.birth_date, p->fin);
    return 0;
}

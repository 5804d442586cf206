/* represent.c — who may act for a company, as the taxpayer register
 * (AVİS) says: its director or one of its listed representatives. */
#include "internal.h"

#include <string.h>

int once_check_representative(struct xc *x, struct db *db, struct pc_arena *a, const char *voen, const char *fin,
                              struct once_source *src, struct pc_err *err)
{
    memset(src, 0, sizeof *src);
    if (!id_voen_valid(voen))
        return pc_err_set(err, PC_EINVAL, "a VÖEN is 10 digits");
    json_t *doc;
    const char *issue = pc_arena_printf(a, "act-for %s", voen);
    int rc = once_fetch(x, db, a, XC_TAXPAYERS, pc_arena_printf(a, "/%s", voen), fin, issue, &doc, src, err);
    if (rc == PC_ENOTFOUND)
        return pc_err_set(err, PC_ENOTFOUND, "the taxpayer register has no VÖEN %s", voen);
    if (rc)
        return rc;
    if (once_may_act_for(doc, fin))
        return 0;
    return pc_err_set(err, PC_EDENIED, "the taxpayer register does not list %s as director or representative of %s",
                      fin, voen);
}

bool once_may_act_for(const json_t *doc, const char *fin)
{
    if (!fin || !*fin)
        return false;
    if (pc_str_eq(json_string_value(json_object_get(doc, "director_fin")), fin))
        return true;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(doc, "representatives"), i, v) if (pc_str_eq(json_string_value(v), fin))
        return true;
    return false;
}

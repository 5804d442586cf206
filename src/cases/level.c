/* level.c — the login a service asks for (the catalogue's login field as
 * identity's level), checked when an application is started and when it
 * is submitted: a session below it is refused, and told which level. */
#include "internal.h"

enum id_level case_level_of(enum cat_login login)
{
    switch (login) {
    case CAT_LOGIN_NONE: return ID_LEVEL_NONE;
    case CAT_LOGIN_CODE_PASSWORD: return ID_LEVEL_CODE_PASSWORD;
    case CAT_LOGIN_E_SIGNATURE: return ID_LEVEL_E_SIGNATURE;
    case CAT_LOGIN_COUNT: break;
    }
    return ID_LEVEL_E_SIGNATURE; /* a value this node does not know: the strictest */
}

int case_level_ok(const struct id_principal *who, const char *service_id, const struct case_service *si,
                  struct pc_err *err)
{
    if (id_level_for(who, service_id) >= si->need)
        return 0;
    return pc_err_set(err, PC_EDENIED, "%s needs a login with %s", service_id, id_level_name(si->need));
}

int case_login_check(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *service_id,
                     enum id_level *need, struct pc_err *err)
{
    struct case_service si;
    int rc = case_service_info(db, a, service_id, &si, err);
    if (rc)
        return rc;
    *need = si.need;
    return case_level_ok(who, service_id, &si, err);
}

/* once_pages.c — what the portal's pages show of "once only" (src/once):
 * the registrar's refusal when the population register does not know a
 * person or knows them otherwise, the refusal to act for a company the
 * taxpayer register does not tie the person to, the note "Source: the
 * population register, at HH:MM" beside a prefilled answer, and the
 * registries' names and grounds in "who looked at my data". */
#include "internal.h"
#include "../once/once.h"

#include <string.h>

static const struct {
    const char *kind;
    enum msg name;
} registries[] = {
    {XC_POPULATION, M_ONCE_REGISTRY_POPULATION}, {XC_TAXPAYERS, M_ONCE_REGISTRY_TAXPAYERS},
    {XC_REALESTATE, M_ONCE_REGISTRY_REALESTATE}, {XC_EMPLOYMENT, M_ONCE_REGISTRY_EMPLOYMENT},
    {XC_PENSIONS, M_ONCE_REGISTRY_PENSIONS},
};

const char *web_registry_name(struct http_req *r, const char *kind)
{
    for (size_t i = 0; i < sizeof registries / sizeof registries[0]; i++)
        if (pc_str_eq(kind, registries[i].kind))
            return web_t(r, registries[i].name);
    return kind;
}

const char *web_once_source(struct http_req *r, const char *kind, int64_t at)
{
    char ts[21];
    pc_rfc3339(at, ts);
    return pc_arena_printf(&r->arena, web_t(r, M_ONCE_FROM_REGISTRY), web_registry_name(r, kind),
                           pc_arena_printf(&r->arena, "%.5s", ts + 11));
}

const char *web_once_ground(struct http_req *r, const char *ground)
{
    if (pc_str_eq(ground, "registration"))
        return web_t(r, M_ONCE_GROUND_REGISTRATION);
    if (pc_str_eq(ground, "paper-application"))
        return web_t(r, M_ONCE_GROUND_PAPER);
    if (pc_str_has_prefix(ground, "act-for "))
        return pc_arena_printf(&r->arena, web_t(r, M_ONCE_GROUND_ACT_FOR), ground + 8);
    if (pc_str_has_prefix(ground, "AZ-"))
        return pc_arena_printf(&r->arena, web_t(r, M_GROUND_CASE), ground);
    return web_t(r, M_ONCE_GROUND_DRAFT); /* a draft's id: it has no reference yet */
}

int web_once_check_person(struct http_req *r, const struct id_person *p)
{
    struct portal_app *app = app_of(r);
    if (!app->exchange)
        return 0; /* no exchange configured: the portal's own record is all there is */
    enum once_mismatch why;
    struct once_source src;
    struct pc_err err = {0};
    int rc = once_check_registration(app->exchange, app->db, &r->arena, p, &why, &src, &err);
    if (rc == 0)
        return 0;
    if (rc != PC_ENOTFOUND && rc != PC_ECONFLICT) {
        web_fail(r, rc, &err); /* the register could not be asked: the registrar is told, nothing made */
        return 1;
    }
    static const enum msg fields[] = {[ONCE_MISMATCH_SURNAME] = M_ONCE_FIELD_SURNAME,
                                      [ONCE_MISMATCH_NAME] = M_ONCE_FIELD_NAME,
                                      [ONCE_MISMATCH_PATRONYMIC] = M_ONCE_FIELD_PATRONYMIC,
                                      [ONCE_MISMATCH_BIRTH_DATE] = M_ONCE_FIELD_BIRTH_DATE};
    pc_log(PC_LOG_INFO, "once.registration_refused", "msg", err.msg, NULL);
    r->status = rc == PC_ENOTFOUND ? 404 : 409;
    web_page_begin(r, web_t(r, M_ONCE_REG_REFUSED_TITLE));
    web_html(r, "<h1>%s</h1>\n<div class=\"notice error-summary\" role=\"alert\"><p>%s</p></div>\n",
             web_t(r, M_ONCE_REG_REFUSED_TITLE),
             rc == PC_ENOTFOUND ? web_t(r, M_ONCE_REG_NOT_FOUND)
                                : pc_arena_printf(&r->arena, web_t(r, M_ONCE_REG_MISMATCH), web_t(r, fields[why])));
    web_html(r, "<p class=\"hint\">%s</p>\n<p><a href=\"/registrar/persons/%s\">%s</a></p>\n",
             web_once_source(r, src.kind, src.at), p->fin, web_t(r, M_ONCE_REG_BACK));
    web_page_end(r);
    return 1;
}

int web_once_check_act_for(struct http_req *r, const char *voen)
{
    struct portal_app *app = app_of(r);
    const struct id_principal *who = web_who(r);
    if (!app->exchange || !voen || !*voen || !who->fin)
        return 0; /* no exchange, or leaving a company: nothing to ask */
    struct once_source src;
    struct pc_err err = {0};
    int rc = once_check_representative(app->exchange, app->db, &r->arena, voen, who->fin, &src, &err);
    if (rc == 0)
        return 0;
    if (rc != PC_EDENIED && rc != PC_ENOTFOUND && rc != PC_EINVAL) {
        web_fail(r, rc, &err);
        return 1;
    }
    pc_log(PC_LOG_INFO, "once.act_for_refused", "msg", err.msg, NULL);
    r->status = 403;
    web_page_begin(r, web_t(r, M_ONCE_ACT_FOR_TITLE));
    web_html(r, "<h1>%s</h1>\n<div class=\"notice error-summary\" role=\"alert\"><p>%s</p></div>\n",
             web_t(r, M_ONCE_ACT_FOR_TITLE), web_t(r, M_ONCE_ACT_FOR_DENIED));
    if (src.kind) /* the register answered (not a VÖEN refused before asking) */
        web_html(r, "<p class=\"hint\">%s</p>\n", web_once_source(r, src.kind, src.at));
    web_html(r, "<p><a href=\"/account\">%s</a></p>\n", web_t(r, M_ACCOUNT_TITLE));
    web_page_end(r);
    return 1;
}

/* xsource.c — the registries through the portal's exchange client
 * (src/xclient): the evidence's source when the portal has a gateway.
 * Each kind's service comes from the exchange's configuration; the FİN
 * is the path below it, the case's reference the X-Road-Issue, the
 * applicant's FİN the X-Road-UserId.  200 is a record, 404 none; anything
 * else (the gateway or the registry down, a refusal) makes the case wait
 * with the exchange's message for the officer.  Vehicles and entrepreneurs
 * are asked when the configuration names a service for them. */
#include "social.h"
#include "../xclient/xclient.h"

#include <stdlib.h>
#include <string.h>

struct xsource {
    struct social_source src;
    struct xc *xc;
};

static int xfetch(void *ctx, enum social_reg k, const char *fin, const char *issue, const char *user,
                  struct pc_arena *a, struct social_record *out, struct pc_err *err)
{
    struct xsource *xs = ctx;
    memset(out, 0, sizeof *out);
    if (!social_fin_ok(fin))
        return pc_err_set(err, PC_EINVAL, "not a FİN");
    const char *service;
    if (social_reg_optional(k) && xc_service(xs->xc, social_reg_name(k), a, &service, err) == PC_ENOTFOUND)
        return PC_ENOTFOUND; /* the exchange's configuration names none: not asked */
    json_t *j = NULL;
    struct xc_answer ans;
    memset(&ans, 0, sizeof ans);
    int rc = xc_get_json(xs->xc, a, social_reg_name(k), pc_arena_printf(a, "/%s", fin), user, issue, &j, &ans, err);
    if (rc && rc != PC_ENOTFOUND) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return pc_err_set(err, PC_EUNAVAIL, "the %s registry through the exchange: %s", social_reg_name(k), why);
    }
    out->service = ans.service ? ans.service : social_reg_name(k);
    out->fetched_at = ans.at ? ans.at : pc_now_unix();
    out->found = rc == 0 && json_is_object(j);
    if (!out->found) {
        out->data = "{}";
        return 0;
    }
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    out->data = pc_arena_strdup(a, s);
    free(s);
    return 0;
}

struct social_source *social_source_xclient(struct xc *x)
{
    struct xsource *xs = calloc(1, sizeof *xs);
    if (!xs)
        abort(); /* out of memory: the stated policy */
    xs->src = (struct social_source){xfetch, xs};
    xs->xc = x;
    return &xs->src;
}

/* xsource.c — registry data through the portal's exchange gateway
 * (src/xclient): the population register, the employment contracts and
 * social insurance by the person's FİN, each call carrying the FİN as
 * X-Road-UserId and the certificate as its matter.  AVİS serves
 * taxpayers by VÖEN only, so "the taxpayers a person owns or directs"
 * still comes from the local register (source.c) until it offers a
 * search by person.  In the demo, a person the exchange's synthetic
 * registers do not know (the demo accounts are another population), or
 * an exchange still starting, is answered from the local registers,
 * flagged in the log. */
#include "ecert.h"
#include "../xclient/xclient.h"

#include <stdlib.h>

struct xsource {
    struct xc *x;
    bool demo;
};

static int exchange_record(void *ctx, struct pc_arena *a, enum ecert_kind k, bool person, const char *fin,
                           const char **json, struct pc_err *err)
{
    struct xsource *xs = ctx;
    struct ecert_source local = ecert_source_local();
    const char *kind = person ? XC_POPULATION : k == ECERT_EMPLOYMENT ? XC_EMPLOYMENT : k == ECERT_INCOME ? XC_PENSIONS : NULL;
    if (!kind)
        return local.record(local.ctx, a, k, person, fin, json, err);
    json_t *doc;
    struct xc_answer ans;
    int rc = xc_get_json(xs->x, a, kind, pc_arena_printf(a, "/%s", fin), fin, "e-certificate", &doc, &ans, err);
    if ((rc == PC_ENOTFOUND || rc == PC_EUNAVAIL) && xs->demo) {
        pc_log(PC_LOG_WARN, "ecert.demo_local_registers", "kind", kind, "msg", err->msg, NULL);
        return local.record(local.ctx, a, k, person, fin, json, err);
    }
    if (rc)
        return rc;
    char *s = json_dumps(doc, JSON_COMPACT);
    if (!s)
        pc_oom(0);
    *json = pc_arena_strdup(a, s);
    free(s);
    return 0;
}

struct ecert_source ecert_source_exchange(struct pc_arena *a, struct xc *x, bool demo)
{
    struct xsource *xs = pc_arena_alloc(a, sizeof *xs);
    *xs = (struct xsource){.x = x, .demo = demo};
    return (struct ecert_source){.record = exchange_record, .ctx = xs};
}

/* service.c — the mobile-signature service as an object: its settings
 * (stated once), its database (the CA's), the thread that watches for
 * other nodes' answers, and its audit entries.  (The long polls
 * themselves are the HTTP edge's, api.c.) */
#include "internal.h"
#include "../audit/audit.h"
#include "../pki/pki.h"

#include <stdlib.h>

void mid_config_defaults(struct mid_config *c)
{
    *c = (struct mid_config){.answer_secs = 60, .qr_secs = 120, .keep_secs = 300, .max_running = 3,
                             .wait_max_ms = 30000, .watch_ms = 100};
}

struct mid_service *mid_service_new(struct pki_ca *ca, const struct mid_config *cfg, struct pc_err *err)
{
    struct mid_service *m = calloc(1, sizeof *m);
    if (!m)
        pc_oom(sizeof *m);
    m->ca = ca;
    m->db = pki_ca_db(ca);
    if (cfg)
        m->cfg = *cfg;
    else
        mid_config_defaults(&m->cfg);
    m->watch = mi_watch_start(m, err);
    if (!m->watch) {
        free(m);
        return NULL;
    }
    return m;
}

void mid_service_free(struct mid_service *m)
{
    if (!m)
        return;
    mi_watch_stop(m->watch);
    free(m);
}

int mi_audit(struct db_conn *c, const char *actor, const char *role, const char *action, const char *object_id,
             const char *ip, const char *detail, struct pc_err *err)
{
    struct audit_entry e = {.actor = actor, .role = role, .action = action, .object_type = "mobile-session",
                            .object_id = object_id ? object_id : "", .ip = ip ? ip : "",
                            .detail = detail ? detail : ""};
    int64_t seq = audit_append(c, &e, err);
    return seq < 0 ? (int)seq : 0;
}

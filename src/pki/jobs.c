/* jobs.c — the background work of a serving CA node, on one thread:
 * every second, publish a CRL if one is due (lease "pki.crl", crl.c) and
 * re-sign the pre-signed OCSP responses that will run out within
 * ocsp_refresh_secs (lease "pki.ocsp", here).  Each lease makes one node
 * of a deployment do the job; a node that stops renewing (it died) is
 * replaced once its lease expires; a clean stop gives both up at once. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define REFRESH_BATCH 200          /* responses re-signed per round */

int pki_ocsp_refresh(struct pki_ca *ca, int max, int *refreshed, struct pc_err *err)
{
    *refreshed = 0;
    struct db_conn *c = db_conn_get(ca->db, err);
    if (!c)
        return err ? err->code : PC_EUNAVAIL;
    bool fresh;
    int rc = db_lease_acquire(c, PK_LEASE_OCSP, ca->holder, pc_now_unix(), PK_LEASE_SECS, &fresh, err);
    if (rc <= 0)
        return rc;
    struct pc_arena a;
    pc_arena_init(&a);
    char **serials;
    size_t n;
    rc = pk_store_ocsp_due(c, &a, pc_now_unix() + ca->cfg.ocsp_refresh_secs, (size_t)max, &serials, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        if (!(rc = db_begin(c, err)))
            rc = db_end(c, pk_ocsp_presign(ca, c, serials[i], NULL, err), err);
        if (!rc)
            (*refreshed)++;
    }
    pc_arena_release(&a);
    return rc;
}

struct pki_jobs {
    struct pki_ca *ca;
    struct pc_ticker *ticker;
};

static void round_(void *arg)
{
    struct pki_jobs *j = arg;
    struct pc_err err = {0};
    bool published;
    int refreshed;
    if (pki_crl_publish(j->ca, false, &published, &err))
        pc_log(PC_LOG_WARN, "pki.crl_failed", "msg", err.msg, NULL);
    memset(&err, 0, sizeof err);
    if (pki_ocsp_refresh(j->ca, REFRESH_BATCH, &refreshed, &err))
        pc_log(PC_LOG_WARN, "pki.ocsp_refresh_failed", "msg", err.msg, NULL);
    else if (refreshed)
        pc_logf(PC_LOG_INFO, "pki.ocsp_refreshed", "%d responses", refreshed);
    db_idle(j->ca->db);
}

static void done(void *arg)
{
    db_conn_release_thread(((struct pki_jobs *)arg)->ca->db);
}

struct pki_jobs *pki_jobs_start(struct pki_ca *ca, struct pc_err *err)
{
    struct pki_jobs *j = calloc(1, sizeof *j);
    if (!j)
        pc_oom(sizeof *j);
    j->ca = ca;
    j->ticker = pc_ticker_start(round_, done, j, 1000, err);
    if (!j->ticker) {
        free(j);
        return NULL;
    }
    return j;
}

void pki_jobs_stop(struct pki_jobs *j)
{
    if (!j)
        return;
    pc_ticker_stop(j->ticker);
    free(j);
}

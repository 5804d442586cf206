/* simauth.c — how the service knows a request comes from the SIM it
 * names: the SIM signs method, target, time and the body's hash with its
 * channel key, whose public half the registration desk bound to the
 * number (the part SIM over-the-air keys play for real SIMs).  The
 * channel key signs no document and needs no PIN: it only proves that
 * the phone asking for requests, or answering one, holds that SIM, so
 * nobody else can read what a person is asked or refuse it for them.  A
 * copied request can be repeated within five minutes: fetching again
 * shows the same requests, answering again finds the session ended. */
#include "internal.h"

#include <string.h>

void mi_sim_digest(const char *method, const char *target, int64_t ts, const void *body, size_t len,
                   unsigned char dgst[32])
{
    char body_hex[65];
    pc_sha256_hex(body ? body : "", body ? len : 0, body_hex);
    struct pc_buf b;
    pc_buf_init(&b, 16384);
    pc_buf_printf(&b, "PCSIM1\n%s\n%s\n%lld\n%s", method, target, (long long)ts, body_hex);
    EVP_Digest(b.data, b.len, dgst, NULL, EVP_sha256(), NULL);
    pc_buf_release(&b);
}

int mid_sim_check(struct mid_service *m, struct pc_arena *a, const char *header, const char *method,
                  const char *target, const void *body, size_t len, const char **phone, struct pc_err *err)
{
    struct mid_sim_auth au;
    int rc = mid_parse_sim_auth(header, &au, err);
    if (rc)
        return rc;
    int64_t now = pc_now_unix();
    if (au.ts < now - MI_SIM_WINDOW_SECS || au.ts > now + MI_SIM_WINDOW_SECS)
        return pc_err_set(err, PC_EDENIED, "the request's time is more than %d s from ours", MI_SIM_WINDOW_SECS);
    struct db_conn *c = db_conn_get(m->db, err);
    if (!c)
        return err->code ? err->code : PC_EUNAVAIL;
    struct mi_client_row row;
    rc = mi_client_get(c, a, au.phone, &row, err);
    if (rc == PC_ENOTFOUND)
        return pc_err_set(err, PC_EDENIED, "no SIM is bound to %s", au.phone);
    if (rc)
        return rc;
    unsigned char dgst[32];
    mi_sim_digest(method, target, au.ts, body, len, dgst);
    EVP_PKEY *k = mi_spki_parse(row.channel_key);
    rc = mi_verify_digest(k, dgst, sizeof dgst, au.sig, au.sig_len, err);
    EVP_PKEY_free(k);
    if (rc)
        return pc_err_set(err, PC_EDENIED, "the request is not signed by the SIM bound to %s", au.phone);
    *phone = pc_arena_strdup(a, au.phone);
    return 0;
}

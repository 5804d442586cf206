/* fuzz_pki_client.c — the CA's answers as the portal's RA client reads
 * them (client.c): the bytes are a JSON answer read as a certificate, a
 * verification report and the statistics.
 * Invariants: each reader returns 0 or a negative code, never crashes; a
 * certificate read has a serial, a profile and a known status; a report
 * read has a verdict from the list and at most 8 chain entries; the same
 * input reads the same twice; no leak. */
#include "fuzz_common.h"

#include "../../src/pki/internal.h"
#include "../../src/pki/client.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pc_log_set_level(PC_LOG_ERROR);
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!j)
        return 0;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct pki_cert c, c2;
    int rc = pk_client_cert(&a, j, &c, &err);
    FUZZ_CHECK(rc <= 0);
    if (rc == 0)
        FUZZ_CHECK(c.serial && c.profile && c.status <= PKI_STATUS_REVOKED && c.category <= PKI_CAT_COUNT);
    FUZZ_CHECK(pk_client_cert(&a, j, &c2, &err) == rc);
    struct pki_verify_report v;
    rc = pk_client_report(&a, j, &v, &err);
    FUZZ_CHECK(rc <= 0);
    if (rc == 0)
        FUZZ_CHECK(v.verdict <= PKI_VERDICT_STATUS_UNKNOWN && v.chain_len >= 0 && v.chain_len <= 8);
    struct pki_stats st;
    FUZZ_CHECK(pk_client_stats(j, &st, &err) <= 0);
    json_decref(j);
    pc_arena_release(&a);
    return 0;
}

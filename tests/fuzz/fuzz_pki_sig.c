/* fuzz_pki_sig.c — a signature upload through pki_cms_verify: the input
 * is the signature over a fixed document, checked against a demo CA's
 * chain without records and without the network.
 * Invariants: always 0 with a report; a verdict from the list and a
 * detail for every verdict but valid; a valid verdict names a signer and
 * a chain that ends at the root; the same input gives the same verdict
 * twice; no leak. */
#include "fuzz_pki_common.h"

#include "../../src/pki/verify.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pki_ca *ca = fuzz_ca();
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    size_t len;
    struct pki_trust t = {.chain_pem = pki_ca_chain_pem(ca, &len), .no_network = true};
    t.chain_len = len;
    static const char doc[] = "fuzz document\n";
    struct pki_verify_report rep, rep2;
    FUZZ_CHECK(pki_cms_verify(&a, &t, doc, sizeof doc - 1, data, size, &rep, &err) == 0);
    FUZZ_CHECK(rep.verdict <= PKI_VERDICT_STATUS_UNKNOWN);
    FUZZ_CHECK(rep.verdict == PKI_VERDICT_VALID || rep.detail != NULL);
    FUZZ_CHECK(rep.verdict != PKI_VERDICT_VALID); /* no records, no network: never proven */
    if (rep.verdict == PKI_VERDICT_STATUS_UNKNOWN)
        FUZZ_CHECK(rep.signer_subject && rep.chain_len >= 2);
    FUZZ_CHECK(pki_cms_verify(&a, &t, doc, sizeof doc - 1, data, size, &rep2, &err) == 0);
    FUZZ_CHECK(rep2.verdict == rep.verdict);
    ERR_clear_error();
    pc_arena_release(&a);
    return 0;
}

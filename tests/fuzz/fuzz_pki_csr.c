/* fuzz_pki_csr.c — CSR intake: pk_csr_parse (PEM or DER, proof of
 * possession, key type and size) and pk_subject_check against the subject
 * the CA writes for a citizen.
 * Invariants: only 0, PC_EINVAL or PC_ETOOBIG, each failure with a
 * message; an accepted CSR's signature verifies and its key is one we
 * accept; the subject check names an attribute when it refuses; the same
 * input gives the same result twice; no leak. */
#include "fuzz_common.h"

#include "../../src/pki/profiles.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static X509_NAME *ours;
    struct pc_err err = {0};
    if (!ours) {
        struct pki_holder h = {.fin = "1ABC234", .name = "Əli Əliyev"};
        FUZZ_CHECK(pk_subject_build(pki_profile_find("citizen"), &h, &ours, &err) == 0);
    }
    struct pc_arena a;
    pc_arena_init(&a);
    X509_REQ *req = NULL;
    int rc = pk_csr_parse(data, size, &req, &err);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL || rc == PC_ETOOBIG);
    FUZZ_CHECK(rc == 0 ? req != NULL : (req == NULL && err.msg[0]));
    if (rc == 0) {
        enum pki_key_type kt;
        FUZZ_CHECK(pk_key_check(X509_REQ_get0_pubkey(req), &kt, NULL) == 0);
        FUZZ_CHECK(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) == 1);
        struct pc_err e2 = {0};
        int s = pk_subject_check(&a, X509_REQ_get_subject_name(req), ours, &e2);
        FUZZ_CHECK(s == 0 || (s == PC_EINVAL && strstr(e2.msg, "does not match")));
        X509_REQ_free(req);
    }
    X509_REQ *again = NULL;
    FUZZ_CHECK(pk_csr_parse(data, size, &again, NULL) == rc);
    X509_REQ_free(again);
    ERR_clear_error();
    pc_arena_release(&a);
    return 0;
}

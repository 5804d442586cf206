/* fuzz_pki_tsa.c — time-stamp requests through pki_tsa_respond of a demo
 * CA (the TSA's key in this process; serials from a block already held).
 * Invariants: always 0 and a DER TimeStampResp that parses back; a granted
 * one's token verifies for the request's imprint and its serial is larger
 * than any before; anything that is not exactly one DER TimeStampReq is
 * rejected; no leak. */
#include "fuzz_pki_common.h"

#include "../../src/pki/tsa.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static long last;
    struct pki_ca *ca = fuzz_ca();
    if (!ca->tsa_end) {
        ca->tsa_next = 1; /* no database round for serials */
        ca->tsa_end = INT64_MAX;
    }
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    const unsigned char *resp;
    size_t n;
    FUZZ_CHECK(pki_tsa_respond(ca, &a, data, size, &resp, &n, &err) == 0);
    const unsigned char *p = resp;
    TS_RESP *r = d2i_TS_RESP(NULL, &p, (long)n);
    FUZZ_CHECK(r != NULL && p == resp + n);
    long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(r)));
    const unsigned char *q = data;
    TS_REQ *req = size <= PKI_TSA_REQ_MAX ? d2i_TS_REQ(NULL, &q, (long)size) : NULL;
    bool exact = req && q == data + size;
    if (status == TS_STATUS_GRANTED) {
        FUZZ_CHECK(exact);
        TS_VERIFY_CTX *v = TS_REQ_to_TS_VERIFY_CTX(req, NULL);
        X509_STORE *st = X509_STORE_new();
        X509_STORE_add_cert(st, ca->root);
        STACK_OF(X509) *untrusted = sk_X509_new_null();
        sk_X509_push(untrusted, ca->cert);
        sk_X509_push(untrusted, ca->tsa_cert);
        X509_up_ref(ca->cert);
        X509_up_ref(ca->tsa_cert);
        TS_VERIFY_CTX_set_store(v, st);
        TS_VERIFY_CTX_set_certs(v, untrusted);
        TS_VERIFY_CTX_add_flags(v, TS_VFY_SIGNATURE);
        FUZZ_CHECK(TS_RESP_verify_response(v, r) == 1);
        TS_VERIFY_CTX_free(v);
        long s = ASN1_INTEGER_get(TS_TST_INFO_get_serial(TS_RESP_get_tst_info(r)));
        FUZZ_CHECK(s > last);
        last = s;
    } else {
        FUZZ_CHECK(status == TS_STATUS_REJECTION);
    }
    TS_REQ_free(req);
    TS_RESP_free(r);
    ERR_clear_error();
    pc_arena_release(&a);
    return 0;
}

/* fuzz_pki_ocsp.c — OCSP requests through pki_ocsp_respond of a demo CA
 * (a SQLite database, the responder's key in this process).  An input
 * whose first byte is 0xA5 or 0xA6 is not sent as it is: the rest is the
 * serial of a well-formed request for this CA (SHA-1 without a nonce, or
 * SHA-256 with one), so the answering paths are reached too; anything
 * else is sent as it is.
 * Invariants: always 0 and a DER OCSPResponse that parses back; a
 * successful one is a basic response signed by the responder that
 * verifies against the root and has one single response per request
 * entry; a request that is not one DER OCSPRequest is malformedRequest;
 * no leak. */
#include "fuzz_pki_common.h"

#include "../../src/pki/ocsp.c"

/* A DER request for this CA's certificate serial (the bytes, positive). */
static unsigned char *request_for(struct pki_ca *ca, const uint8_t *serial, size_t n, bool sha256, size_t *len)
{
    BIGNUM *bn = BN_bin2bn(serial, (int)(n > 24 ? 24 : n), NULL);
    ASN1_INTEGER *i = BN_to_ASN1_INTEGER(bn, NULL);
    OCSP_CERTID *id = OCSP_cert_id_new(sha256 ? EVP_sha256() : EVP_sha1(), X509_get_subject_name(ca->cert),
                                       X509_get0_pubkey_bitstr(ca->cert), i);
    OCSP_REQUEST *q = OCSP_REQUEST_new();
    OCSP_request_add0_id(q, id);
    if (sha256)
        OCSP_request_add1_nonce(q, NULL, -1);
    unsigned char *der = NULL;
    int l = i2d_OCSP_REQUEST(q, &der);
    *len = l > 0 ? (size_t)l : 0;
    OCSP_REQUEST_free(q);
    ASN1_INTEGER_free(i);
    BN_free(bn);
    return der;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pki_ca *ca = fuzz_ca();
    unsigned char *built = NULL;
    if (size >= 1 && (data[0] == 0xA5 || data[0] == 0xA6)) {
        built = request_for(ca, data + 1, size - 1, data[0] == 0xA6, &size);
        data = built;
    }
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    const unsigned char *resp;
    size_t n;
    FUZZ_CHECK(pki_ocsp_respond(ca, &a, data, size, &resp, &n, &err) == 0);
    const unsigned char *p = resp;
    OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)n);
    FUZZ_CHECK(r != NULL && p == resp + n);
    int status = OCSP_response_status(r);
    const unsigned char *q = data;
    OCSP_REQUEST *req = size <= PKI_OCSP_REQ_MAX ? d2i_OCSP_REQUEST(NULL, &q, (long)size) : NULL;
    bool exact = req && q == data + size;
    if (!exact)
        FUZZ_CHECK(status == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
    if (status == OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        FUZZ_CHECK(exact);
        OCSP_BASICRESP *bs = OCSP_response_get1_basic(r);
        FUZZ_CHECK(bs != NULL);
        X509_STORE *st = X509_STORE_new();
        X509_STORE_add_cert(st, ca->root);
        FUZZ_CHECK(OCSP_basic_verify(bs, ca->chain, st, 0) == 1);
        FUZZ_CHECK(OCSP_resp_count(bs) == OCSP_request_onereq_count(req));
        X509_STORE_free(st);
        OCSP_BASICRESP_free(bs);
    } else {
        FUZZ_CHECK(status == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST || status == OCSP_RESPONSE_STATUS_UNAUTHORIZED);
    }
    OCSP_REQUEST_free(req);
    OCSP_RESPONSE_free(r);
    ERR_clear_error();
    pc_arena_release(&a);
    OPENSSL_free(built);
    db_idle(ca->db);
    return 0;
}

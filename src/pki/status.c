/* status.c — asking an OCSP responder about one certificate, as a client:
 * the request (with a nonce or, to be answered from the pre-signed
 * responses, without), the transport (HTTP to the responder's URL, or
 * the centre in this process directly), and the checks of the answer
 * (signed by a responder our trust anchors vouch for, about this
 * certificate, within its validity).  verify.c asks it for a signature's
 * status; checker.c for logins, through a cache with a freshness limit. */
#include "internal.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#define OCSP_ANSWER_MAX 65536
#define SKEW_SECS 300                /* clocks may differ this much */

int pk_ocsp_ask(struct pc_arena *a, struct pki_ca *local, const char *url, const OCSP_CERTID *id, bool nonce,
                STACK_OF(X509) *untrusted, X509_STORE *store, struct pk_ocsp_answer *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!local && !url)
        return pc_err_set(err, PC_EUNAVAIL, "no OCSP responder is known for the certificate");
    OCSP_REQUEST *q = OCSP_REQUEST_new();
    OCSP_CERTID *mine = OCSP_CERTID_dup(id);
    if (!q || !mine || !OCSP_request_add0_id(q, mine) || (nonce && !OCSP_request_add1_nonce(q, NULL, -1)))
        pc_oom(0);
    unsigned char *der = NULL;
    const unsigned char *ans = NULL;
    size_t alen = 0;
    int n = i2d_OCSP_REQUEST(q, &der);
    int rc = n <= 0 ? pk_ssl_fail(err, PC_EIO, "OCSP request")
             : local ? pki_ocsp_respond(local, a, der, (size_t)n, &ans, &alen, err)
                     : pk_http_post(a, url, "application/ocsp-request", der, (size_t)n, OCSP_ANSWER_MAX,
                                    (unsigned char **)&ans, &alen, err);
    OCSP_RESPONSE *r = NULL;
    OCSP_BASICRESP *bs = NULL;
    if (!rc) {
        const unsigned char *p = ans;
        r = d2i_OCSP_RESPONSE(NULL, &p, (long)alen);
        bs = r && OCSP_response_status(r) == OCSP_RESPONSE_STATUS_SUCCESSFUL ? OCSP_response_get1_basic(r) : NULL;
        ASN1_GENERALIZEDTIME *rev, *thisupd, *nextupd;
        if (!bs)
            rc = pc_err_set(err, PC_EUNAVAIL, "the OCSP responder gave no status (response status %d)",
                            r ? OCSP_response_status(r) : -1);
        else if (nonce && OCSP_check_nonce(q, bs) != 1)
            rc = pc_err_set(err, PC_EUNAVAIL, "the OCSP answer does not echo our nonce");
        else if (OCSP_basic_verify(bs, untrusted, store, 0) != 1)
            rc = pc_err_set(err, PC_EUNAVAIL, "the OCSP answer is not signed by a responder we trust: %s",
                            pk_ssl_error(a));
        else if (OCSP_resp_find_status(bs, (OCSP_CERTID *)id, &out->status, &out->reason, &rev, &thisupd,
                                       &nextupd) != 1)
            rc = pc_err_set(err, PC_EUNAVAIL, "the OCSP answer is about another certificate");
        else if (OCSP_check_validity(thisupd, nextupd, SKEW_SECS, -1) != 1)
            rc = pc_err_set(err, PC_EUNAVAIL, "the OCSP answer is out of date");
        else {
            out->revoked_at = out->status == V_OCSP_CERTSTATUS_REVOKED ? pk_asn1_time(rev) : 0;
            out->this_update = pk_asn1_time(thisupd);
            out->next_update = nextupd ? pk_asn1_time(nextupd) : 0;
            if (out->reason < 0)
                out->reason = 0;
        }
    }
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(r);
    OPENSSL_free(der);
    OCSP_REQUEST_free(q);
    ERR_clear_error();
    return rc;
}

const char *pk_ocsp_url(struct pc_arena *a, X509 *x)
{
    STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(x);
    const char *url = sk_OPENSSL_STRING_num(urls) > 0 ? pc_arena_strdup(a, sk_OPENSSL_STRING_value(urls, 0)) : NULL;
    X509_email_free(urls);
    return url;
}

/* tsa.c — the time-stamping authority (RFC 3161) on OpenSSL's TS
 * responder: SHA-256/384/512 imprints, our policy only, genTime to the
 * millisecond with the configured accuracy, signing-certificate-v2, the
 * issuing CA's certificate included when the request asks for
 * certificates, and the signature made by the TSA key in the key process.
 *
 * Serial numbers are monotonic on a node and unique across nodes: each
 * node reserves a block of them in the database (pki_counters) and hands
 * them out in order, so a time-stamp costs no database write. */
#include "internal.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/ts.h>

#define SERIAL_BLOCK 1024

static ASN1_INTEGER *next_serial(TS_RESP_CTX *ctx, void *data)
{
    struct pki_ca *ca = data;
    int64_t serial = 0;
    pthread_mutex_lock(&ca->tsa_lock);
    if (ca->tsa_next >= ca->tsa_end) {
        struct pc_err err = {0};
        struct db_conn *c = db_conn_get(ca->db, &err);
        int64_t end;
        if (c && pk_counter_add(c, PK_COUNTER_TSA, SERIAL_BLOCK, &end, &err) == 0) {
            ca->tsa_next = end - SERIAL_BLOCK + 1;
            ca->tsa_end = end + 1;
        } else {
            pc_log(PC_LOG_ERROR, "pki.tsa_serial", "msg", err.msg, NULL);
        }
    }
    if (ca->tsa_next < ca->tsa_end)
        serial = ca->tsa_next++;
    pthread_mutex_unlock(&ca->tsa_lock);
    ASN1_INTEGER *i = serial ? ASN1_INTEGER_new() : NULL;
    if (i && !ASN1_INTEGER_set_int64(i, serial)) {
        ASN1_INTEGER_free(i);
        i = NULL;
    }
    if (!i) {
        TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION, "Unable to generate a serial number.");
        TS_RESP_CTX_add_failure_info(ctx, TS_INFO_ADD_INFO_NOT_AVAILABLE);
    }
    return i;
}

static TS_RESP_CTX *context(struct pki_ca *ca)
{
    TS_RESP_CTX *ctx = TS_RESP_CTX_new();
    ASN1_OBJECT *policy = OBJ_txt2obj(PK_OID_TSA_POLICY, 1);
    STACK_OF(X509) *certs = sk_X509_new_null();
    if (!ctx || !policy || !certs)
        pc_oom(0);
    sk_X509_push(certs, ca->cert);
    int ms = ca->cfg.tsa_accuracy_ms;
    bool ok = TS_RESP_CTX_set_signer_cert(ctx, ca->tsa_cert) && TS_RESP_CTX_set_signer_key(ctx, ca->key[PK_KEY_TSA]) &&
              TS_RESP_CTX_set_certs(ctx, certs) && TS_RESP_CTX_set_def_policy(ctx, policy) &&
              TS_RESP_CTX_add_md(ctx, EVP_sha256()) && TS_RESP_CTX_add_md(ctx, EVP_sha384()) &&
              TS_RESP_CTX_add_md(ctx, EVP_sha512()) && TS_RESP_CTX_set_accuracy(ctx, ms / 1000, ms % 1000, 0) &&
              TS_RESP_CTX_set_clock_precision_digits(ctx, 3) && TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256()) &&
              TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256());
    sk_X509_free(certs);
    ASN1_OBJECT_free(policy);
    if (!ok) {
        TS_RESP_CTX_free(ctx);
        return NULL;
    }
    TS_RESP_CTX_set_serial_cb(ctx, next_serial, ca);
    return ctx;
}

int pki_tsa_respond(struct pki_ca *ca, struct pc_arena *a, const void *req, size_t len, const unsigned char **resp,
                    size_t *resp_len, struct pc_err *err)
{
    int rc = pk_need_key(ca, PK_KEY_TSA, err);
    if (rc)
        return rc;
    /* Only exactly one well-formed request goes to the responder (which
     * would ignore bytes after it); anything else reads as nothing, which
     * it answers with badDataFormat. */
    const unsigned char *p = req;
    TS_REQ *tq = len && len <= PKI_TSA_REQ_MAX ? d2i_TS_REQ(NULL, &p, (long)len) : NULL;
    bool well_formed = tq && p == (const unsigned char *)req + len;
    TS_REQ_free(tq);
    ERR_clear_error();
    TS_RESP_CTX *ctx = context(ca);
    if (!ctx)
        return pk_ssl_fail(err, PC_EIO, "cannot set up the time-stamp responder");
    BIO *in = BIO_new_mem_buf(well_formed ? req : "", well_formed ? (int)len : 0);
    TS_RESP *r = in ? TS_RESP_create_response(ctx, in) : NULL;
    BIO_free(in);
    TS_RESP_CTX_free(ctx);
    rc = pk_remote_error(err);
    ERR_clear_error();
    if (!r)
        return rc ? rc : pc_err_set(err, PC_EIO, "the time-stamp responder failed");
    int n = i2d_TS_RESP(r, NULL);
    unsigned char *buf = pc_arena_alloc(a, n > 0 ? (size_t)n : 1), *q = buf;
    i2d_TS_RESP(r, &q);
    long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(r)));
    TS_RESP_free(r);
    *resp = buf;
    *resp_len = n > 0 ? (size_t)n : 0;
    if (rc)
        return rc; /* systemFailure in the answer: the key could not sign */
    if (status != TS_STATUS_GRANTED && status != TS_STATUS_GRANTED_WITH_MODS)
        pc_err_set(err, PC_EINVAL, "time-stamp request refused (%s)", well_formed ? "not acceptable" : "malformed");
    return 0;
}

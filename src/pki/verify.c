/* verify.c — checking a detached CMS signature and telling what it says,
 * as a typed report the pages render and the command line prints:
 *
 *   1. it is a CMS SignedData, detached, with one signer whose certificate
 *      is inside (else MALFORMED);
 *   2. a signature time-stamp, if there is one, verifies against our trust
 *      anchors and covers this signature value (else BAD_TIMESTAMP);
 *   3. the document and the signed attributes match the signature
 *      (else BAD_SIGNATURE);
 *   4. the signer's chain leads to a trust anchor at the time of checking:
 *      the time-stamp's time when there is one, else now — a signing-time
 *      attribute is the signer's own claim and is only reported
 *      (else UNTRUSTED);
 *   5. the certificate was neither revoked nor suspended at that time:
 *      from the centre's records (pki_cert_events) when we have them, else
 *      from the OCSP responder the certificate names (else REVOKED, or
 *      STATUS_UNKNOWN when neither can say). */
#include "internal.h"

#include <string.h>

#include <openssl/pem.h> /* before cms.h: its PEM functions need it */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

static const char *const verdict_names[] = {"valid", "malformed", "bad-signature", "untrusted", "revoked",
                                            "bad-timestamp", "status-unknown"};

const char *pki_verdict_name(enum pki_verdict v)
{
    return (unsigned)v < sizeof verdict_names / sizeof verdict_names[0] ? verdict_names[v] : "?";
}

int pki_verdict_parse(const char *s)
{
    for (size_t i = 0; i < sizeof verdict_names / sizeof verdict_names[0]; i++)
        if (pc_str_eq(s, verdict_names[i]))
            return (int)i;
    return -1;
}

static int verdict(struct pki_verify_report *out, enum pki_verdict v, const char *detail)
{
    out->verdict = v;
    out->detail = detail;
    return 0;
}

static void describe_signer(struct pc_arena *a, X509 *x, struct pki_verify_report *out)
{
    const X509_NAME *n = X509_get_subject_name(x);
    out->signer_subject = pk_name_str(a, n);
    out->signer_name = pk_name_get(a, n, NID_commonName);
    out->signer_fin = pk_plain_id(pk_name_get(a, n, NID_serialNumber));
    out->signer_voen = pk_plain_id(pk_name_get(a, n, NID_organizationIdentifier));
    out->signer_serial = pk_serial_hex(a, X509_get0_serialNumber(x));
    const struct pki_profile *p = pk_profile_of_cert(x);
    out->signer_profile = p ? p->id : NULL;
    out->signer_service = p && p->single_service ? pk_cert_service(a, x) : NULL;
}

static X509_STORE *store_of(STACK_OF(X509) *anchors)
{
    X509_STORE *s = X509_STORE_new();
    if (!s)
        pc_oom(0);
    for (int i = 0; i < sk_X509_num(anchors); i++)
        X509_STORE_add_cert(s, sk_X509_value(anchors, i));
    return s;
}

/* The signature time-stamp, if any: 1 when present and good, 0 when
 * absent, -1 when it does not verify (out says why). */
static int check_timestamp(struct pc_arena *a, CMS_SignerInfo *si, STACK_OF(X509) *anchors,
                           STACK_OF(X509) *untrusted, struct pki_verify_report *out)
{
    int idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
    if (idx < 0)
        return 0;
    out->has_timestamp = true;
    ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, idx), 0);
    if (!t || t->type != V_ASN1_SEQUENCE) {
        out->detail = "the time-stamp attribute is not a token";
        return -1;
    }
    const unsigned char *p = t->value.sequence->data;
    PKCS7 *tok = d2i_PKCS7(NULL, &p, t->value.sequence->length);
    int rc = -1;
    if (!tok) {
        out->detail = "the time-stamp token cannot be read";
    } else {
        ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
        TS_TST_INFO *tst = PKCS7_to_TS_TST_INFO(tok);
        const EVP_MD *md = tst ? EVP_get_digestbyobj(TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(tst))->algorithm)
                               : NULL;
        unsigned char imprint[EVP_MAX_MD_SIZE];
        unsigned int ilen = 0;
        struct pc_err err = {0};
        if (!md || !EVP_Digest(ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig), imprint, &ilen, md, NULL))
            out->detail = "the time-stamp token cannot be read";
        else if (pk_tsa_verify(a, tok, anchors, untrusted, imprint, ilen, &out->timestamp_time, &out->timestamp_serial,
                               &out->tsa_name, &err))
            out->detail = pc_arena_strdup(a, err.msg);
        else {
            rc = 1;
            out->detail = NULL;
        }
        TS_TST_INFO_free(tst);
    }
    PKCS7_free(tok);
    ERR_clear_error();
    return rc;
}

/* The status at out->checked_at from the responder the certificate names
 * (a fresh answer: with a nonce). */
static int status_by_ocsp(struct pc_arena *a, X509 *signer, X509 *issuer, STACK_OF(X509) *anchors,
                          STACK_OF(X509) *untrusted, struct pki_verify_report *out)
{
    const char *url = issuer ? pk_ocsp_url(a, signer) : NULL;
    OCSP_CERTID *id = url ? OCSP_cert_to_id(NULL, signer, issuer) : NULL;
    if (!id)
        return -1;
    X509_STORE *st = store_of(anchors);
    struct pk_ocsp_answer ans;
    int rc = pk_ocsp_ask(a, NULL, url, id, true, untrusted, st, &ans, NULL);
    X509_STORE_free(st);
    OCSP_CERTID_free(id);
    if (rc || ans.status == V_OCSP_CERTSTATUS_UNKNOWN)
        return -1;
    out->status_source = PKI_SOURCE_OCSP;
    out->status = PKI_STATUS_GOOD;
    if (ans.status == V_OCSP_CERTSTATUS_REVOKED) {
        out->revoked_at = ans.revoked_at;
        out->reason = ans.reason;
        if (out->revoked_at <= out->checked_at)
            out->status = ans.reason == PKI_REASON_HOLD ? PKI_STATUS_SUSPENDED : PKI_STATUS_REVOKED;
    }
    return 0;
}

/* The status from the centre's records: 0, 1 when the certificate is not
 * ours, or a database error. */
static int status_by_records(struct pki_ca *ca, X509 *signer, struct pki_verify_report *out, struct pc_err *err)
{
    if (X509_check_issued(ca->cert, signer) != X509_V_OK)
        return 1;
    struct db_conn *c = db_conn_get(ca->db, err);
    if (!c)
        return err ? err->code : PC_EUNAVAIL;
    enum pki_status st;
    int reason;
    int64_t since;
    int rc = pk_store_status_at(c, out->signer_serial, out->checked_at, &st, &reason, &since, err);
    if (rc == PC_ENOTFOUND)
        return 1;
    if (rc)
        return rc;
    out->status_source = PKI_SOURCE_RECORDS;
    out->status = st;
    out->reason = reason;
    out->revoked_at = st == PKI_STATUS_GOOD ? 0 : since;
    return 0;
}

static X509 *signer_of(CMS_SignerInfo *si)
{
    X509 *x = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, &x, NULL, NULL);
    return x;
}

static CMS_ContentInfo *parse(const void *sig, size_t len)
{
    if (memmem(sig, len, "-----BEGIN", 10)) {
        BIO *b = BIO_new_mem_buf(sig, (int)len);
        CMS_ContentInfo *cms = b ? PEM_read_bio_CMS(b, NULL, NULL, NULL) : NULL;
        BIO_free(b);
        return cms;
    }
    const unsigned char *p = sig;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    if (cms && p != (const unsigned char *)sig + len) {
        CMS_ContentInfo_free(cms);
        return NULL;
    }
    return cms;
}

/* Steps 3 to 5 once the signature is read. */
static int check(struct pc_arena *a, const struct pki_trust *t, CMS_ContentInfo *cms, CMS_SignerInfo *si,
                 X509 *signer, STACK_OF(X509) *anchors, STACK_OF(X509) *untrusted, const void *data, size_t data_len,
                 struct pki_verify_report *out, struct pc_err *err)
{
    int ts = check_timestamp(a, si, anchors, untrusted, out);
    if (ts < 0)
        return verdict(out, PKI_VERDICT_BAD_TIMESTAMP, out->detail);
    out->checked_at = ts > 0 ? out->timestamp_time : pc_now_unix();
    /* a buffer BIO over the memory: OpenSSL 3.0's CMS_verify copies a bare
     * memory BIO and loses the copy on some error paths (a leak per bad
     * signature, found by fuzz_pki_sig) */
    BIO *in = BIO_push(BIO_new(BIO_f_buffer()), BIO_new_mem_buf(data, (int)data_len));
    X509_STORE *none = X509_STORE_new();
    bool sig_ok = in && none && CMS_verify(cms, NULL, none, in, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1;
    X509_STORE_free(none);
    BIO_free_all(in);
    if (!sig_ok)
        return verdict(out, PKI_VERDICT_BAD_SIGNATURE,
                       pc_arena_printf(a, "the document or the signature was altered (%s)", pk_ssl_error(a)));
    X509_STORE *st = store_of(anchors);
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (!ctx)
        pc_oom(0);
    X509_STORE_CTX_init(ctx, st, signer, untrusted);
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SMIME_SIGN);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)out->checked_at);
    bool chain_ok = X509_verify_cert(ctx) == 1;
    const char *why = chain_ok ? NULL : X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
    STACK_OF(X509) *chain = X509_STORE_CTX_get1_chain(ctx);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(st);
    ERR_clear_error();
    for (int i = 0; i < sk_X509_num(chain) && i < 8; i++)
        out->chain[out->chain_len++] = pk_name_str(a, X509_get_subject_name(sk_X509_value(chain, i)));
    X509 *issuer = sk_X509_num(chain) > 1 ? sk_X509_value(chain, 1) : NULL;
    int rc = 0;
    if (!chain_ok) {
        verdict(out, PKI_VERDICT_UNTRUSTED, pc_arena_printf(a, "the signer's certificate is not trusted: %s", why));
    } else {
        int r = t->ca ? status_by_records(t->ca, signer, out, err) : 1;
        if (r == 1 && !t->no_network)
            status_by_ocsp(a, signer, issuer, anchors, untrusted, out);
        if (r < 0)
            rc = r;
        else if (out->status_source == PKI_SOURCE_NONE)
            verdict(out, PKI_VERDICT_STATUS_UNKNOWN, "the certificate's status at the time of signing is unknown");
        else if (out->status != PKI_STATUS_GOOD)
            verdict(out, PKI_VERDICT_REVOKED, out->status == PKI_STATUS_SUSPENDED
                                                  ? "the certificate was suspended when it signed"
                                                  : "the certificate was revoked when it signed");
        else
            verdict(out, PKI_VERDICT_VALID, NULL);
    }
    sk_X509_pop_free(chain, X509_free);
    return rc;
}

int pki_cms_verify(struct pc_arena *a, const struct pki_trust *t, const void *data, size_t data_len,
                   const void *sig, size_t sig_len, struct pki_verify_report *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    verdict(out, PKI_VERDICT_MALFORMED, "not a CMS signature");
    if (sig_len == 0 || sig_len > PKI_SIG_MAX)
        return verdict(out, PKI_VERDICT_MALFORMED, "the signature is empty or larger than 1 MiB");
    if (data_len > INT32_MAX)
        return pc_err_set(err, PC_ETOOBIG, "the document is too large");
    CMS_ContentInfo *cms = parse(sig, sig_len);
    ERR_clear_error();
    if (!cms)
        return 0;
    STACK_OF(X509) *anchors = sk_X509_new_null(), *untrusted = sk_X509_new_null(), *given = NULL, *in_cms = NULL;
    if (!anchors || !untrusted)
        pc_oom(0);
    if (t->chain_pem && pk_certs_from_pem(t->chain_pem, t->chain_len, &given, NULL) == 0) {
        for (int i = 0; i < sk_X509_num(given); i++) {
            X509 *x = sk_X509_value(given, i);
            sk_X509_push(X509_check_issued(x, x) == X509_V_OK ? anchors : untrusted, x);
        }
    }
    in_cms = CMS_get1_certs(cms);
    for (int i = 0; i < sk_X509_num(in_cms); i++)
        sk_X509_push(untrusted, sk_X509_value(in_cms, i));
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    X509 *signer = NULL;
    int rc = 0;
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed || CMS_is_detached(cms) != 1)
        verdict(out, PKI_VERDICT_MALFORMED, "not a detached CMS SignedData");
    else if (sk_CMS_SignerInfo_num(sis) != 1)
        verdict(out, PKI_VERDICT_MALFORMED, "a signature must have exactly one signer");
    else if (CMS_set1_signers_certs(cms, NULL, 0) < 0 || !(signer = signer_of(sk_CMS_SignerInfo_value(sis, 0))))
        verdict(out, PKI_VERDICT_MALFORMED, "the signer's certificate is not in the signature");
    else {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
        describe_signer(a, signer, out);
        int i = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
        ASN1_TYPE *st = i >= 0 ? X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, i), 0) : NULL;
        if (st && (st->type == V_ASN1_UTCTIME || st->type == V_ASN1_GENERALIZEDTIME)) {
            out->has_signing_time = true;
            out->signing_time = pk_asn1_time(st->value.utctime);
        }
        rc = check(a, t, cms, si, signer, anchors, untrusted, data, data_len, out, err);
    }
    ERR_clear_error();
    sk_X509_free(anchors);
    sk_X509_free(untrusted);
    sk_X509_pop_free(given, X509_free);
    sk_X509_pop_free(in_cms, X509_free);
    CMS_ContentInfo_free(cms);
    return rc;
}

/* issue.c — one certificate from a profile: version 3, a random serial,
 * validity from now for the profile's days (never past the issuer's end),
 * and the extensions the profile asks for: basic constraints, key usage,
 * extended key usage, subject and authority key identifiers, certificate
 * policies (with the e-service named in a user notice for single-purpose
 * certificates), ETSI qcStatements for qualified signatures, AIA (OCSP
 * and CA issuers), CRL distribution point, OCSP no-check.  Signed with the
 * issuer's key, which is normally one the key process holds. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* QCStatements: QcCompliance, and QcType esign (ETSI EN 319 412-5). */
static const unsigned char qc_statements[] = {
    0x30, 0x1f, 0x30, 0x08, 0x06, 0x06, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x01, 0x30, 0x13, 0x06, 0x06, 0x04,
    0x00, 0x8e, 0x46, 0x01, 0x06, 0x30, 0x09, 0x06, 0x07, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x06, 0x01,
};

static int add_conf(X509 *x, X509V3_CTX *ctx, int nid, const char *value, struct pc_err *err)
{
    X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
    int ok = e && X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    if (!ok) {
        ERR_clear_error();
        return pc_err_set(err, PC_EIO, "cannot write the extension %s = %s", OBJ_nid2sn(nid), value);
    }
    return 0;
}

static void bits_text(char *out, size_t max, bool critical, unsigned bits, const char *const *names, int n)
{
    snprintf(out, max, "%s", critical ? "critical" : "");
    for (int i = 0; i < n; i++)
        if (bits & (1u << i))
            snprintf(out + strlen(out), max - strlen(out), "%s%s", out[0] ? "," : "", names[i]);
}

static int add_policy(X509 *x, const struct pk_issue *is, struct pc_err *err)
{
    CERTIFICATEPOLICIES *pols = CERTIFICATEPOLICIES_new();
    POLICYINFO *pi = POLICYINFO_new();
    if (!pols || !pi)
        pc_oom(0);
    sk_POLICYINFO_push(pols, pi);
    pi->policyid = OBJ_txt2obj(is->profile->policy, 1);
    int ok = pi->policyid != NULL;
    if (ok && is->profile->single_service) {
        /* the one e-service the certificate may be used for */
        POLICYQUALINFO *q = POLICYQUALINFO_new();
        USERNOTICE *un = USERNOTICE_new();
        char text[200];
        snprintf(text, sizeof text, "e-service:%s", is->service ? is->service : "");
        if (!q || !un)
            pc_oom(0);
        pi->qualifiers = sk_POLICYQUALINFO_new_null();
        sk_POLICYQUALINFO_push(pi->qualifiers, q);
        q->pqualid = OBJ_nid2obj(NID_id_qt_unotice);
        q->d.usernotice = un;
        un->exptext = ASN1_UTF8STRING_new();
        ok = un->exptext && ASN1_STRING_set(un->exptext, text, -1);
    }
    ok = ok && X509_add1_ext_i2d(x, NID_certificate_policies, pols, 0, X509V3_ADD_DEFAULT) == 1;
    CERTIFICATEPOLICIES_free(pols);
    return ok ? 0 : pk_ssl_fail(err, PC_EIO, "extension certificatePolicies");
}

static int add_der(X509 *x, const char *oid, const unsigned char *der, size_t n, struct pc_err *err)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
    X509_EXTENSION *e = NULL;
    int ok = o && v && ASN1_OCTET_STRING_set(v, der, (int)n) &&
             (e = X509_EXTENSION_create_by_OBJ(NULL, o, 0, v)) != NULL && X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(v);
    ASN1_OBJECT_free(o);
    return ok ? 0 : pk_ssl_fail(err, PC_EIO, "extension qcStatements");
}

static int extensions(X509 *x, const struct pk_issue *is, X509 *issuer, struct pc_err *err)
{
    static const char *const ku_names[] = {"digitalSignature", "nonRepudiation", "keyEncipherment", "keyAgreement"};
    static const char *const eku_names[] = {"clientAuth", "serverAuth", "emailProtection", "OCSPSigning",
                                            "timeStamping"};
    const struct pki_profile *p = is->profile;
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    char buf[512];
    int rc;
    if (is->ca) {
        if (is->path_len >= 0)
            snprintf(buf, sizeof buf, "critical,CA:TRUE,pathlen:%d", is->path_len);
        else
            snprintf(buf, sizeof buf, "critical,CA:TRUE");
        if ((rc = add_conf(x, &ctx, NID_basic_constraints, buf, err)) ||
            (rc = add_conf(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign", err)))
            return rc;
    } else {
        bits_text(buf, sizeof buf, true, p->key_usage, ku_names, 4);
        if ((rc = add_conf(x, &ctx, NID_basic_constraints, "critical,CA:FALSE", err)) ||
            (rc = add_conf(x, &ctx, NID_key_usage, buf, err)))
            return rc;
        if (p->ext_key_usage) {
            bits_text(buf, sizeof buf, p->eku_critical, p->ext_key_usage, eku_names, 5);
            if ((rc = add_conf(x, &ctx, NID_ext_key_usage, buf, err)))
                return rc;
        }
    }
    if ((rc = add_conf(x, &ctx, NID_subject_key_identifier, "hash", err)))
        return rc;
    if (issuer != x && (rc = add_conf(x, &ctx, NID_authority_key_identifier, "keyid:always", err)))
        return rc;
    if (p->policy && (rc = add_policy(x, is, err)))
        return rc;
    if (p->qualified && (rc = add_der(x, "1.3.6.1.5.5.7.1.3", qc_statements, sizeof qc_statements, err)))
        return rc;
    if (p->revocation_info && is->aia_ocsp) {
        snprintf(buf, sizeof buf, "OCSP;URI:%s,caIssuers;URI:%s", is->aia_ocsp, is->aia_issuer);
        if ((rc = add_conf(x, &ctx, NID_info_access, buf, err)))
            return rc;
        snprintf(buf, sizeof buf, "URI:%s", is->crl_url);
        if ((rc = add_conf(x, &ctx, NID_crl_distribution_points, buf, err)))
            return rc;
    }
    if (p->ocsp_nocheck && (rc = add_conf(x, &ctx, NID_id_pkix_OCSP_noCheck, "ignored", err)))
        return rc;
    return 0;
}

/* The subject public key copied as it is from a CSR's SubjectPublicKeyInfo:
 * X509_set_pubkey would encode the EVP_PKEY again through OpenSSL 3's
 * encoder and decoder, a fifth of an issuance's CPU. */
static int copy_spki(X509 *x, const X509_PUBKEY *from)
{
    ASN1_OBJECT *alg;
    const unsigned char *bits;
    int n;
    X509_ALGOR *params;
    if (!X509_PUBKEY_get0_param(&alg, &bits, &n, &params, from))
        return 0;
    const ASN1_OBJECT *pobj = NULL;
    int ptype;
    const void *pval;
    X509_ALGOR_get0(&pobj, &ptype, &pval, params);
    void *pcopy = NULL;
    if (ptype == V_ASN1_OBJECT)
        pcopy = OBJ_dup(pval);
    else if (ptype == V_ASN1_SEQUENCE)
        pcopy = ASN1_STRING_dup(pval);
    else if (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF)
        return 0;
    unsigned char *copy = OPENSSL_memdup(bits, (size_t)n);
    if (!copy || (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF && !pcopy) ||
        !X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), OBJ_dup(alg), ptype, pcopy, copy, n)) {
        OPENSSL_free(copy);
        return 0;
    }
    return 1;
}

X509 *pk_cert_make(const struct pk_issue *is, struct pc_err *err)
{
    X509 *x = X509_new();
    ASN1_INTEGER *serial = pk_serial_random();
    if (!x || !serial)
        pc_oom(0);
    X509 *issuer = is->issuer ? is->issuer : x;
    int days = is->validity_days > 0 ? is->validity_days : is->profile->validity_days;
    time_t now = time(NULL);
    /* a minute back for clocks a little behind ours */
    bool ok = X509_set_version(x, 2) && X509_set_serialNumber(x, serial) &&
              X509_set_subject_name(x, is->subject) &&
              X509_set_issuer_name(x, is->issuer ? X509_get_subject_name(is->issuer) : is->subject) &&
              (is->spki ? copy_spki(x, is->spki) : X509_set_pubkey(x, is->pubkey)) && X509_time_adj_ex(X509_getm_notBefore(x), 0, -60, &now) &&
              X509_time_adj_ex(X509_getm_notAfter(x), days, 0, &now);
    ASN1_INTEGER_free(serial);
    if (ok && is->issuer && ASN1_TIME_compare(X509_get0_notAfter(x), X509_get0_notAfter(is->issuer)) > 0)
        ok = X509_set1_notAfter(x, X509_get0_notAfter(is->issuer));
    if (!ok) {
        pk_ssl_fail(err, PC_EIO, "cannot fill the certificate");
        X509_free(x);
        return NULL;
    }
    if (extensions(x, is, issuer, err)) {
        X509_free(x);
        return NULL;
    }
    if (!X509_sign(x, is->issuer_key, EVP_sha256())) {
        if (!pk_remote_error(err))
            pk_ssl_fail(err, PC_EIO, "signing the certificate failed");
        ERR_clear_error();
        X509_free(x);
        return NULL;
    }
    return x;
}

const char *pk_cert_service(struct pc_arena *a, X509 *x)
{
    CERTIFICATEPOLICIES *pols = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
    const char *found = NULL;
    for (int i = 0; pols && !found && i < sk_POLICYINFO_num(pols); i++) {
        POLICYINFO *pi = sk_POLICYINFO_value(pols, i);
        for (int j = 0; !found && j < sk_POLICYQUALINFO_num(pi->qualifiers); j++) {
            POLICYQUALINFO *q = sk_POLICYQUALINFO_value(pi->qualifiers, j);
            if (OBJ_obj2nid(q->pqualid) != NID_id_qt_unotice || !q->d.usernotice->exptext)
                continue;
            const ASN1_STRING *t = q->d.usernotice->exptext;
            size_t n = (size_t)ASN1_STRING_length(t);
            const char *s = (const char *)ASN1_STRING_get0_data(t);
            if (n > 10 && memcmp(s, "e-service:", 10) == 0 && !memchr(s, 0, n))
                found = pc_arena_strndup(a, s + 10, n - 10);
        }
    }
    CERTIFICATEPOLICIES_free(pols);
    ERR_clear_error();
    return found;
}

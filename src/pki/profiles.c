/* profiles.c — the certificate profiles as data (one row each: subject
 * kind, holder category, key usages, extended key usages, policy,
 * qualified or not, validity), the subject the CA writes for a holder,
 * and the intake of a holder's CSR (format, proof of possession, key,
 * subject compared with the applicant's).
 *
 * Subject identifiers follow ETSI EN 319 412-1 §5.1.3/§5.1.4:
 * serialNumber "PNOAZ-" + FİN (PNO: a national personal number — the FİN
 * is the person's, not the ID card's, so it survives a new card) and
 * organizationIdentifier "NTRAZ-" + VÖEN (NTR: the national register; in
 * Azerbaijan the tax service registers legal entities under their VÖEN).
 * A CSR may carry either the prefixed or the plain identifier. */
#include "internal.h"
#include "../identity/identity.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define DAYS_PEOPLE (3 * 365)     /* "valid 3 years" for people */

static const struct pki_profile profiles[] = {
    {"citizen", {{"Vətəndaşın imza sertifikatı", "Citizen's signature certificate", "Сертификат подписи гражданина"}},
     PKI_SUBJ_PERSON, PKI_CAT_CITIZEN, PKI_KU_NON_REPUDIATION, 0, false, PK_OID_POLICY(1), true, false, false, true,
     DAYS_PEOPLE, true},
    {"citizen-auth",
     {{"Vətəndaşın autentifikasiya sertifikatı", "Citizen's authentication certificate",
       "Сертификат аутентификации гражданина"}},
     PKI_SUBJ_PERSON, PKI_CAT_CITIZEN, PKI_KU_DIGITAL_SIGNATURE, PKI_EKU_CLIENT_AUTH | PKI_EKU_EMAIL, false,
     PK_OID_POLICY(2), false, false, false, true, DAYS_PEOPLE, true},
    {"representative",
     {{"Hüquqi şəxsin nümayəndəsinin imza sertifikatı", "Legal entity representative's signature certificate",
       "Сертификат подписи представителя юридического лица"}},
     PKI_SUBJ_REPRESENTATIVE, PKI_CAT_LEGAL, PKI_KU_NON_REPUDIATION, 0, false, PK_OID_POLICY(3), true, false, false,
     true, DAYS_PEOPLE, true},
    {"representative-auth",
     {{"Hüquqi şəxsin nümayəndəsinin autentifikasiya sertifikatı",
       "Legal entity representative's authentication certificate",
       "Сертификат аутентификации представителя юридического лица"}},
     PKI_SUBJ_REPRESENTATIVE, PKI_CAT_LEGAL, PKI_KU_DIGITAL_SIGNATURE, PKI_EKU_CLIENT_AUTH | PKI_EKU_EMAIL, false,
     PK_OID_POLICY(4), false, false, false, true, DAYS_PEOPLE, true},
    {"officer",
     {{"Dövlət orqanı əməkdaşının imza sertifikatı", "State agency officer's signature certificate",
       "Сертификат подписи сотрудника государственного органа"}},
     PKI_SUBJ_OFFICER, PKI_CAT_STATE, PKI_KU_NON_REPUDIATION, 0, false, PK_OID_POLICY(5), true, false, false, true,
     DAYS_PEOPLE, true},
    {"officer-auth",
     {{"Dövlət orqanı əməkdaşının autentifikasiya sertifikatı", "State agency officer's authentication certificate",
       "Сертификат аутентификации сотрудника государственного органа"}},
     PKI_SUBJ_OFFICER, PKI_CAT_STATE, PKI_KU_DIGITAL_SIGNATURE, PKI_EKU_CLIENT_AUTH | PKI_EKU_EMAIL, false,
     PK_OID_POLICY(6), false, false, false, true, DAYS_PEOPLE, true},
    {"gateway-auth",
     {{"Mübadilə şlüzünün autentifikasiya sertifikatı", "Exchange gateway authentication certificate",
       "Сертификат аутентификации шлюза обмена"}},
     PKI_SUBJ_ORGANISATION, PKI_CAT_COUNT, PKI_KU_DIGITAL_SIGNATURE, PKI_EKU_CLIENT_AUTH | PKI_EKU_SERVER_AUTH, false,
     PK_OID_POLICY(7), false, false, false, true, 2 * 365, true},
    {"member-sign",
     {{"Mübadilə üzvünün imza sertifikatı", "Exchange member signing certificate",
       "Сертификат подписи участника обмена"}},
     PKI_SUBJ_ORGANISATION, PKI_CAT_COUNT, PKI_KU_NON_REPUDIATION | PKI_KU_DIGITAL_SIGNATURE, 0, false,
     PK_OID_POLICY(8), false, false, false, true, 2 * 365, true},
    {"single-purpose",
     {{"Bir e-xidmət üçün imza sertifikatı", "Single-service signature certificate",
       "Сертификат подписи для одной э-услуги"}},
     PKI_SUBJ_PERSON, PKI_CAT_CITIZEN, PKI_KU_NON_REPUDIATION | PKI_KU_DIGITAL_SIGNATURE, 0, false, PK_OID_POLICY(9),
     false, true, false, true, DAYS_PEOPLE, true},
    /* a SIM's two keys (the mobile signature, src/mobile): issued only at
     * a desk, where the registrar binds the phone number to the person
     * (ra.c); policies 13 and 14 (12 is the agency seal's) */
    {"mobile-auth",
     {{"Mobil imzanın autentifikasiya sertifikatı", "Mobile signature authentication certificate",
       "Сертификат аутентификации мобильной подписи"}},
     PKI_SUBJ_PERSON, PKI_CAT_CITIZEN, PKI_KU_DIGITAL_SIGNATURE, PKI_EKU_CLIENT_AUTH, false, PK_OID_POLICY(13),
     false, false, false, true, DAYS_PEOPLE, true},
    {"mobile-sign",
     {{"Mobil imzanın imza sertifikatı", "Mobile signature signing certificate",
       "Сертификат подписи мобильной подписи"}},
     PKI_SUBJ_PERSON, PKI_CAT_CITIZEN, PKI_KU_NON_REPUDIATION, 0, false, PK_OID_POLICY(14), true, false, false, true,
     DAYS_PEOPLE, true},
    {"ocsp", {{"OCSP cavabvericisi", "OCSP responder", "OCSP-ответчик"}}, PKI_SUBJ_SERVICE, PKI_CAT_SERVICE,
     PKI_KU_DIGITAL_SIGNATURE, PKI_EKU_OCSP_SIGNING, false, PK_OID_POLICY(10), false, false, true, false, 365, false},
    {"tsa", {{"Vaxt damğası xidməti", "Time-stamping authority", "Служба штампов времени"}}, PKI_SUBJ_SERVICE,
     PKI_CAT_SERVICE, PKI_KU_DIGITAL_SIGNATURE | PKI_KU_NON_REPUDIATION, PKI_EKU_TIME_STAMPING, true,
     PK_OID_POLICY(11), false, false, false, true, 5 * 365, false},
    /* an agency's electronic seal: its decisions are signed with it in the
     * key process (seal.c); made by an operator, never through the RA */
    {"agency-seal",
     {{"Dövlət orqanının elektron möhürü", "State agency's electronic seal", "Электронная печать государственного органа"}},
     PKI_SUBJ_AGENCY, PKI_CAT_STATE, PKI_KU_NON_REPUDIATION | PKI_KU_DIGITAL_SIGNATURE, 0, false, PK_OID_POLICY(12),
     false, false, false, true, 3 * 365, false},
};
#define NPROFILES (sizeof profiles / sizeof profiles[0])

const struct pki_profile *pki_profile_find(const char *id)
{
    for (size_t i = 0; i < NPROFILES; i++)
        if (pc_str_eq(profiles[i].id, id))
            return &profiles[i];
    return NULL;
}

const struct pki_profile *pki_profile_at(size_t i)
{
    return i < NPROFILES ? &profiles[i] : NULL;
}

size_t pki_profile_count(void)
{
    return NPROFILES;
}

const struct pki_profile *pk_profile_of_cert(X509 *x)
{
    CERTIFICATEPOLICIES *pols = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
    const struct pki_profile *found = NULL;
    char oid[128];
    for (int i = 0; pols && !found && i < sk_POLICYINFO_num(pols); i++) {
        OBJ_obj2txt(oid, sizeof oid, sk_POLICYINFO_value(pols, i)->policyid, 1);
        for (size_t k = 0; !found && k < NPROFILES; k++)
            if (pc_str_eq(profiles[k].policy, oid))
                found = &profiles[k];
    }
    CERTIFICATEPOLICIES_free(pols);
    ERR_clear_error();
    return found;
}

enum pki_category pk_category_of(const struct pki_profile *p, const struct pki_holder *h)
{
    if (p->category != PKI_CAT_COUNT)
        return p->category;
    return h->state_body ? PKI_CAT_STATE : PKI_CAT_LEGAL;
}

/* ---- the subject the CA writes --------------------------------------- */

/* A name a person reads: UTF-8, 1–64 characters (X.520's bound), no
 * control characters. */
static int check_text(const char *what, const char *s, struct pc_err *err)
{
    if (!s || !*s)
        return pc_err_set(err, PC_EINVAL, "the holder's %s is required for this profile", what);
    size_t n = strlen(s), chars = 0;
    if (n > 4 * 64 || !pc_utf8_valid(s, n))
        return pc_err_set(err, PC_EINVAL, "the holder's %s is not valid text of at most 64 characters", what);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return pc_err_set(err, PC_EINVAL, "the holder's %s contains a control character", what);
        chars += (c & 0xc0) != 0x80;
    }
    if (chars > 64)
        return pc_err_set(err, PC_EINVAL, "the holder's %s is longer than 64 characters", what);
    return 0;
}

static int add(X509_NAME *n, int nid, const char *v, struct pc_err *err)
{
    if (!X509_NAME_add_entry_by_NID(n, nid, MBSTRING_UTF8, (const unsigned char *)v, -1, -1, 0))
        return pk_ssl_fail(err, PC_EINVAL, "cannot write the subject");
    return 0;
}

int pk_subject_build(const struct pki_profile *p, const struct pki_holder *h, X509_NAME **out, struct pc_err *err)
{
    int rc = 0;
    bool person = p->subject == PKI_SUBJ_PERSON || p->subject == PKI_SUBJ_REPRESENTATIVE ||
                  p->subject == PKI_SUBJ_OFFICER;
    bool entity = p->subject == PKI_SUBJ_REPRESENTATIVE || p->subject == PKI_SUBJ_ORGANISATION;
    if (person && !id_fin_valid(h->fin))
        return pc_err_set(err, PC_EINVAL, "the holder's FİN must be 7 characters 0-9 A-Z");
    if (entity && !id_voen_valid(h->voen))
        return pc_err_set(err, PC_EINVAL, "the VÖEN must be 10 digits");
    if ((rc = check_text("name", h->name, err)))
        return rc;
    if (p->subject != PKI_SUBJ_PERSON && (rc = check_text("organisation", h->org, err)))
        return rc;
    bool unit = p->subject == PKI_SUBJ_OFFICER || p->subject == PKI_SUBJ_AGENCY;
    if (unit && (rc = check_text("agency", h->agency, err)))
        return rc;
    if (p->single_service && (rc = check_text("e-service", h->service, err)))
        return rc;
    X509_NAME *n = X509_NAME_new();
    if (!n)
        pc_oom(0);
    char id[32];
    rc = add(n, NID_countryName, "AZ", err);
    if (!rc && p->subject != PKI_SUBJ_PERSON)
        rc = add(n, NID_organizationName, h->org, err);
    if (!rc && unit)
        rc = add(n, NID_organizationalUnitName, h->agency, err);
    if (!rc && entity) {
        snprintf(id, sizeof id, "NTRAZ-%s", h->voen);
        rc = add(n, NID_organizationIdentifier, id, err);
    }
    if (!rc && person) {
        snprintf(id, sizeof id, "PNOAZ-%s", h->fin);
        rc = add(n, NID_serialNumber, id, err);
    }
    if (!rc)
        rc = add(n, NID_commonName, h->name, err);
    if (rc) {
        X509_NAME_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

/* Whether a CSR's value says the same as ours: the identifiers with or
 * without their ETSI prefix, names folded (case, Azerbaijani letters). */
static bool same_value(int nid, const char *csr, const char *ours)
{
    if (nid == NID_serialNumber || nid == NID_organizationIdentifier) {
        const char *plain = strchr(ours, '-') ? strchr(ours, '-') + 1 : ours;
        return strcmp(csr, ours) == 0 || strcmp(csr, plain) == 0;
    }
    struct pc_buf a, b;
    pc_buf_init(&a, 1024);
    pc_buf_init(&b, 1024);
    pc_fold(csr, strlen(csr), &a);
    pc_fold(ours, strlen(ours), &b);
    bool same = !a.toobig && !b.toobig && strcmp(a.data, b.data) == 0;
    pc_buf_release(&a);
    pc_buf_release(&b);
    return same;
}

int pk_subject_check(struct pc_arena *a, const X509_NAME *csr, const X509_NAME *ours, struct pc_err *err)
{
    for (int i = 0; i < X509_NAME_entry_count(csr); i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(csr, i);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
        char *want = pk_name_get(a, ours, nid);
        if (!want)
            continue; /* not an attribute we write: ignored, never copied */
        unsigned char *u = NULL;
        int len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e));
        bool ok = len >= 0 && !memchr(u, 0, (size_t)len);
        char *got = ok ? pc_arena_strndup(a, (const char *)u, (size_t)len) : NULL;
        OPENSSL_free(u);
        if (!ok || !pc_utf8_valid(got, strlen(got)) || !same_value(nid, got, want))
            return pc_err_set(err, PC_EINVAL, "the CSR's subject %s does not match the applicant's",
                              OBJ_nid2sn(nid));
    }
    return 0;
}

int pk_csr_parse(const void *p, size_t n, X509_REQ **out, struct pc_err *err)
{
    if (n == 0)
        return pc_err_set(err, PC_EINVAL, "the CSR is empty");
    if (n > PKI_CSR_MAX)
        return pc_err_set(err, PC_ETOOBIG, "the CSR is larger than %d bytes", PKI_CSR_MAX);
    X509_REQ *req = NULL;
    if (memmem(p, n, "-----BEGIN", 10)) {
        BIO *b = BIO_new_mem_buf(p, (int)n);
        if (!b)
            pc_oom(0);
        req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL);
        BIO_free(b);
    } else {
        const unsigned char *q = p;
        req = d2i_X509_REQ(NULL, &q, (long)n);
        if (req && q != (const unsigned char *)p + n) {
            X509_REQ_free(req);
            req = NULL;
        }
    }
    if (!req) {
        ERR_clear_error();
        return pc_err_set(err, PC_EINVAL, "not a PKCS#10 certificate request (PEM or DER)");
    }
    EVP_PKEY *k = X509_REQ_get0_pubkey(req);
    enum pki_key_type kt;
    int rc = k ? pk_key_check(k, &kt, err) : pc_err_set(err, PC_EINVAL, "the CSR's public key cannot be read");
    if (!rc && X509_REQ_verify(req, k) != 1)
        rc = pc_err_set(err, PC_EINVAL, "the CSR's signature does not verify: no proof of possession of the key");
    ERR_clear_error();
    if (rc) {
        X509_REQ_free(req);
        return rc;
    }
    *out = req;
    return 0;
}

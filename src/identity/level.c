/* level.c — the login levels and the methods that reach them: one table
 * of words and levels, the level a session has for a service, and the
 * stable names of a certificate login's refusals. */
#include "identity.h"

static const char *const level_names[ID_LEVEL_COUNT] = {
    [ID_LEVEL_NONE] = "none",
    [ID_LEVEL_CODE_PASSWORD] = "code_password",
    [ID_LEVEL_E_SIGNATURE] = "e_signature",
};

/* Every method with its word and the level it reaches.  A new method
 * (mobile signature, QR) is one more row. */
static const struct {
    const char *name;
    enum id_level level;
} methods[ID_METHOD_COUNT] = {
    [ID_METHOD_PASSWORD] = {"password", ID_LEVEL_CODE_PASSWORD},
    [ID_METHOD_CERTIFICATE] = {"certificate", ID_LEVEL_E_SIGNATURE},
    /* the mobile signature counts as an e-signature (issue 10) */
    [ID_METHOD_MOBILE] = {"mobile", ID_LEVEL_E_SIGNATURE},
    [ID_METHOD_QR] = {"qr", ID_LEVEL_E_SIGNATURE},
    [ID_METHOD_GUEST] = {"guest", ID_LEVEL_NONE},
};

static const char *const problem_names[ID_CERT_PROBLEM_COUNT] = {
    [ID_CERT_OK] = "ok",
    [ID_CERT_MALFORMED] = "malformed",
    [ID_CERT_CHALLENGE_UNKNOWN] = "challenge-unknown",
    [ID_CERT_CHALLENGE_EXPIRED] = "challenge-expired",
    [ID_CERT_CHALLENGE_USED] = "challenge-used",
    [ID_CERT_WRONG_HOST] = "wrong-host",
    [ID_CERT_BAD_SIGNATURE] = "bad-signature",
    [ID_CERT_UNTRUSTED] = "untrusted",
    [ID_CERT_EXPIRED] = "expired",
    [ID_CERT_REVOKED] = "revoked",
    [ID_CERT_SUSPENDED] = "suspended",
    [ID_CERT_WRONG_PROFILE] = "wrong-profile",
    [ID_CERT_NO_PERSON] = "no-person",
    [ID_CERT_NOT_REPRESENTATIVE] = "not-representative",
};

const char *id_level_name(enum id_level l)
{
    return (unsigned)l < ID_LEVEL_COUNT ? level_names[l] : "none";
}

int id_level_parse(const char *s)
{
    for (int i = 0; i < ID_LEVEL_COUNT; i++)
        if (pc_str_eq(s, level_names[i]))
            return i;
    return -1;
}

const char *id_method_name(enum id_method m)
{
    return (unsigned)m < ID_METHOD_COUNT ? methods[m].name : "unknown";
}

int id_method_parse(const char *s)
{
    for (int i = 0; i < ID_METHOD_COUNT; i++)
        if (pc_str_eq(s, methods[i].name))
            return i;
    return -1;
}

enum id_level id_method_level(enum id_method m)
{
    return (unsigned)m < ID_METHOD_COUNT ? methods[m].level : ID_LEVEL_NONE;
}

enum id_level id_level_for(const struct id_principal *p, const char *service_id)
{
    if (!p || !p->account_id)
        return ID_LEVEL_NONE;
    if (p->auth.only_service && !pc_str_eq(p->auth.only_service, service_id))
        return ID_LEVEL_NONE;
    return id_method_level(p->auth.method);
}

const char *id_cert_problem_name(enum id_cert_problem p)
{
    return (unsigned)p < ID_CERT_PROBLEM_COUNT ? problem_names[p] : "unknown";
}

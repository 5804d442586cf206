/* claims.c — what a site learns about a person: the subject (the FİN, or
 * a pairwise value per agency: HMAC-SHA256 under a key every node shares,
 * of the agency and the FİN, so two agencies cannot join their records
 * while two sites of one agency see the same person), the login level and
 * method (acr, amr), and the userinfo claims of each scope from the
 * person's record. */
#include "internal.h"

#include <string.h>

#include <jansson.h>
#include <openssl/hmac.h>

/* The level the session's login reached, in the catalogue's words
 * ("code_password", "e_signature"). */
const char *oidc__acr_of(const struct id_principal *p)
{
    return id_level_name(id_method_level(p->auth.method));
}

/* How it was reached, in RFC 8176's values: a password ("pwd"); a key
 * held in hardware, proven by a signature ("hwk", "pop") for a card's
 * certificate; a phone's key with its PIN ("swk", "pin", "mfa") for the
 * mobile signature. */
const char *oidc__amr_of(const struct id_principal *p)
{
    switch (p->auth.method) {
    case ID_METHOD_CERTIFICATE: return "[\"hwk\",\"pop\"]";
    case ID_METHOD_MOBILE:
    case ID_METHOD_QR: return "[\"swk\",\"pin\",\"mfa\"]";
    default: return "[\"pwd\"]";
    }
}

/* The pairwise key: made once by whichever node comes first. */
static int pairwise_key(struct oidc *o, char out[65], struct pc_err *err)
{
    struct db_conn *c = db_conn_get(o->db, err);
    if (!c)
        return oidc__failed(err);
    for (int attempt = 0; attempt < 2; attempt++) {
        struct db_stmt *s = db_prepare(c, "SELECT value FROM oidc_secrets WHERE name = 'pairwise'", err);
        if (!s)
            return oidc__failed(err);
        int rc = db_step(s, err);
        if (rc < 0)
            return rc;
        if (rc == 1 && strlen(db_col_text(s, 0)) == 64) {
            memcpy(out, db_col_text(s, 0), 65);
            db_conn_idle(c);
            return 0;
        }
        char fresh[65];
        if (pc_random_hex(fresh, 32))
            return pc_err_set(err, PC_EIO, "no random bytes");
        s = db_prepare(c, "INSERT INTO oidc_secrets (name, value) VALUES ('pairwise', ?) ON CONFLICT (name) DO NOTHING",
                       err);
        if (!s)
            return oidc__failed(err);
        db_bind_text(s, 1, fresh);
        if ((rc = oidc__ran(db_run(s, err))))
            return rc;
    }
    return pc_err_set(err, PC_EIO, "the pairwise key could not be made");
}

int oidc__subject(struct oidc *o, struct pc_arena *a, const struct oidc_client *c, const char *fin,
                  const char **sub, struct pc_err *err)
{
    if (c->subject == OIDC_SUB_PUBLIC) {
        *sub = pc_arena_strdup(a, fin);
        return 0;
    }
    char key[65];
    int rc = pairwise_key(o, key, err);
    if (rc)
        return rc;
    char msg[160];
    snprintf(msg, sizeof msg, "%s\n%s", c->agency_id, fin);
    unsigned char mac[32];
    unsigned len = 0;
    HMAC(EVP_sha256(), key, 64, (const unsigned char *)msg, strlen(msg), mac, &len);
    OPENSSL_cleanse(key, sizeof key);
    char *out = pc_arena_alloc(a, 44);
    pc_b64url_encode(mac, sizeof mac, out);
    *sub = out;
    return 0;
}

/* Set a claim when the record has a value. */
static void set_if(json_t *j, const char *name, const char *v)
{
    if (v && *v)
        json_object_set_new(j, name, json_string(v));
}

int oidc__person_claims(struct oidc *o, struct pc_arena *a, const char *fin, unsigned scopes, void *claims,
                        struct pc_err *err)
{
    if (!(scopes & (OIDC_SCOPE_PROFILE | OIDC_SCOPE_EMAIL | OIDC_SCOPE_PHONE)))
        return 0;
    struct id_person p;
    int rc = id_person_get(o->db, a, fin, &p, err);
    if (rc)
        return rc;
    json_t *j = claims;
    if (scopes & OIDC_SCOPE_PROFILE) {
        if (p.first_name && p.last_name)
            json_object_set_new(j, "name", json_string(pc_arena_printf(a, "%s %s", p.first_name, p.last_name)));
        set_if(j, "given_name", p.first_name);
        set_if(j, "family_name", p.last_name);
        set_if(j, "middle_name", p.patronymic);
        set_if(j, "birthdate", p.birth_date);
    }
    if (scopes & OIDC_SCOPE_EMAIL)
        set_if(j, "email", p.email);
    if (scopes & OIDC_SCOPE_PHONE)
        set_if(j, "phone_number", p.phone);
    return 0;
}

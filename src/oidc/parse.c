/* parse.c — reading the parameters of the authorization, token and
 * logout endpoints and the token endpoint's HTTP Basic credentials.
 * Syntax only (the registry decides the rest): each parameter at most
 * once (RFC 6749 §3.1, §3.2), values bounded and free of control
 * characters.  Outside bytes: tests/fuzz/fuzz_oidc.c drives every
 * function here. */
#include "internal.h"

#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

struct slot {
    const char *name;
    const char **dst;
};

/* Fill the slots from p; PC_EINVAL for a repeated or bad value (the
 * slots read so far stay filled). */
static int read_params(const struct oidc_params *p, const struct slot *slots, size_t nslots, struct pc_err *err)
{
    for (size_t i = 0; i < p->n; i++) {
        for (size_t k = 0; k < nslots; k++) {
            if (!pc_str_eq(p->keys[i], slots[k].name))
                continue;
            const char *v = p->values[i] ? p->values[i] : "";
            if (*slots[k].dst)
                return pc_err_set(err, PC_EINVAL, "parameter %s is given more than once", slots[k].name);
            size_t n = strnlen(v, OIDC_PARAM_MAX + 1);
            if (n > OIDC_PARAM_MAX)
                return pc_err_set(err, PC_EINVAL, "parameter %s is longer than %d bytes", slots[k].name,
                                  OIDC_PARAM_MAX);
            for (size_t c = 0; c < n; c++)
                if ((unsigned char)v[c] < 0x20 || v[c] == 0x7f)
                    return pc_err_set(err, PC_EINVAL, "parameter %s has a control character", slots[k].name);
            *slots[k].dst = v;
        }
    }
    /* an empty value is treated as absent (RFC 6749 §3.1) */
    for (size_t k = 0; k < nslots; k++)
        if (*slots[k].dst && !**slots[k].dst)
            *slots[k].dst = NULL;
    return 0;
}

int oidc_authz_parse(const struct oidc_params *p, struct oidc_authz_request *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    const struct slot slots[] = {
        {"response_type", &out->response_type}, {"client_id", &out->client_id},
        {"redirect_uri", &out->redirect_uri},   {"scope", &out->scope},
        {"state", &out->state},                 {"nonce", &out->nonce},
        {"code_challenge", &out->code_challenge}, {"code_challenge_method", &out->code_challenge_method},
        {"prompt", &out->prompt},
    };
    int rc = read_params(p, slots, sizeof slots / sizeof slots[0], err);
    out->scopes = oidc__scopes_parse(out->scope);
    for (const char *s = out->prompt; !rc && s && *s;) {
        while (*s == ' ')
            s++;
        size_t n = strcspn(s, " ");
        if (n == 4 && strncmp(s, "none", 4) == 0)
            out->prompt_none = true;
        else if (n == 7 && strncmp(s, "consent", 7) == 0)
            out->prompt_consent = true;
        else if (!(n == 5 && strncmp(s, "login", 5) == 0) && !(n == 14 && strncmp(s, "select_account", 14) == 0) &&
                 n)
            rc = pc_err_set(err, PC_EINVAL, "unknown prompt value");
        s += n;
    }
    if (!rc && out->prompt_none && out->prompt_consent)
        rc = pc_err_set(err, PC_EINVAL, "prompt=none cannot be combined with other values");
    return rc;
}

int oidc_logout_parse(const struct oidc_params *p, struct oidc_logout_request *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    const struct slot slots[] = {
        {"id_token_hint", &out->id_token_hint}, {"post_logout_redirect_uri", &out->post_logout_redirect_uri},
        {"state", &out->state}, {"client_id", &out->client_id},
    };
    /* a hint is a JWT, longer than other parameters: read it apart */
    struct oidc_params rest = *p;
    const char *hint = NULL;
    const char *keys[64], *values[64];
    size_t n = 0;
    for (size_t i = 0; i < p->n && n < 64; i++) {
        if (pc_str_eq(p->keys[i], "id_token_hint")) {
            if (hint)
                return pc_err_set(err, PC_EINVAL, "parameter id_token_hint is given more than once");
            hint = p->values[i] ? p->values[i] : "";
            continue;
        }
        keys[n] = p->keys[i];
        values[n++] = p->values[i];
    }
    rest.keys = keys;
    rest.values = values;
    rest.n = n;
    int rc = read_params(&rest, slots + 1, sizeof slots / sizeof slots[0] - 1, err);
    if (hint && strnlen(hint, OIDC_JWT_MAX + 1) > OIDC_JWT_MAX)
        return rc ? rc : pc_err_set(err, PC_EINVAL, "id_token_hint is longer than %d bytes", OIDC_JWT_MAX);
    out->id_token_hint = hint && *hint ? hint : NULL;
    return rc;
}

/* ---- the token endpoint --------------------------------------------------- */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* application/x-www-form-urlencoded decoding of s[0..n) (RFC 6749 §2.3.1
 * encodes the Basic credentials so). */
static char *form_decode(struct pc_arena *a, const char *s, size_t n)
{
    char *out = pc_arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%') {
            int h = i + 2 < n ? hexval(s[i + 1]) : -1, l = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (h < 0 || l < 0 || (h == 0 && l == 0))
                return NULL;
            *o++ = (char)(h * 16 + l);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = 0;
    return pc_utf8_valid(out, (size_t)(o - out)) ? out : NULL;
}

/* "Basic BASE64(id:secret)" into id and secret. */
static int basic_credentials(struct pc_arena *a, const char *h, const char **id, const char **secret,
                             struct pc_err *err)
{
    if (strncasecmp(h, "Basic ", 6) != 0)
        return pc_err_set(err, PC_EINVAL, "the Authorization header is not Basic");
    h += 6;
    while (*h == ' ')
        h++;
    size_t n = strnlen(h, 1025);
    if (n == 0 || n > 1024 || n % 4)
        return pc_err_set(err, PC_EINVAL, "the Basic credentials are not base64");
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        bool pad = c == '=' && i >= n - 2 && (i == n - 1 || h[n - 1] == '=');
        if (!pad && !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                      c == '/'))
            return pc_err_set(err, PC_EINVAL, "the Basic credentials are not base64");
    }
    unsigned char *raw = pc_arena_alloc(a, n);
    int len = EVP_DecodeBlock(raw, (const unsigned char *)h, (int)n);
    if (len < 0)
        return pc_err_set(err, PC_EINVAL, "the Basic credentials are not base64");
    len -= (h[n - 1] == '=') + (h[n - 2] == '=');
    const char *colon = memchr(raw, ':', (size_t)len);
    if (!colon)
        return pc_err_set(err, PC_EINVAL, "the Basic credentials have no ':'");
    *id = form_decode(a, (const char *)raw, (size_t)(colon - (const char *)raw));
    *secret = form_decode(a, colon + 1, (size_t)len - (size_t)(colon + 1 - (const char *)raw));
    if (!*id || !*secret || !**id)
        return pc_err_set(err, PC_EINVAL, "the Basic credentials are badly encoded");
    return 0;
}

int oidc_token_parse(struct pc_arena *a, const struct oidc_params *p, const char *authorization,
                     struct oidc_token_request *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    const struct slot slots[] = {
        {"grant_type", &out->grant_type}, {"code", &out->code}, {"redirect_uri", &out->redirect_uri},
        {"code_verifier", &out->code_verifier}, {"client_id", &out->client_id},
        {"client_secret", &out->client_secret},
    };
    int rc = read_params(p, slots, sizeof slots / sizeof slots[0], err);
    if (rc || !authorization)
        return rc;
    const char *id = NULL, *secret = NULL;
    if ((rc = basic_credentials(a, authorization, &id, &secret, err)))
        return rc;
    if (out->client_secret || (out->client_id && !pc_str_eq(out->client_id, id)))
        return pc_err_set(err, PC_EINVAL, "client credentials both in the header and in the body");
    out->client_id = id;
    out->client_secret = secret;
    out->basic = true;
    return 0;
}

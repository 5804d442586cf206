/* fuzz_oidc.c — the OpenID Connect provider's outside input: the
 * parameters of the authorization, token and logout endpoints
 * (oidc_authz_parse, oidc_token_parse with its HTTP Basic credentials,
 * oidc_logout_parse) and compact JWS (oidc_jws_parse: id_token_hint).
 * The input is "AUTHORIZATION-HEADER\nQUERY": the first line is the
 * header (none when empty), the rest a query string parsed as the web
 * parses it.
 * Invariants: no crash or sanitizer report; only 0 or PC_EINVAL; on
 * success every value read is non-empty, at most OIDC_PARAM_MAX bytes
 * (a hint OIDC_JWT_MAX) and free of control characters, the known scopes
 * are those of scope, prompt=none never comes with consent, Basic
 * credentials give a non-empty client_id; the same input gives the same
 * answer; a parsed JWS has a header and claims object and a signature of
 * at most 64 bytes. */
#include "fuzz_common.h"

#include "../../src/oidc/parse.c"
#include "../../src/oidc/jose.c"
#include "../../src/http/http.h"

#include <string.h>

static void check_value(const char *v, size_t max)
{
    if (!v)
        return;
    size_t n = strlen(v);
    FUZZ_CHECK(n > 0 && n <= max);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK((unsigned char)v[i] >= 0x20 && v[i] != 0x7f);
}

static void fuzz_authz(const struct oidc_params *p)
{
    struct oidc_authz_request r, again;
    struct pc_err err = {0};
    int rc = oidc_authz_parse(p, &r, &err);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    FUZZ_CHECK(oidc_authz_parse(p, &again, &err) == rc);
    if (rc)
        return;
    const char *all[] = {r.response_type, r.client_id, r.redirect_uri, r.scope, r.state, r.nonce,
                         r.code_challenge, r.code_challenge_method, r.prompt};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        check_value(all[i], OIDC_PARAM_MAX);
    FUZZ_CHECK(r.scopes == oidc__scopes_parse(r.scope));
    FUZZ_CHECK(!(r.prompt_none && r.prompt_consent));
}

static void fuzz_token(struct pc_arena *a, const struct oidc_params *p, const char *authz)
{
    struct oidc_token_request r, again;
    struct pc_err err = {0};
    int rc = oidc_token_parse(a, p, authz, &r, &err);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    FUZZ_CHECK(oidc_token_parse(a, p, authz, &again, &err) == rc);
    if (rc)
        return;
    FUZZ_CHECK(r.basic == (authz != NULL));
    if (r.basic) {
        FUZZ_CHECK(r.client_id && *r.client_id && r.client_secret);
        FUZZ_CHECK(pc_str_eq(r.client_id, again.client_id) && pc_str_eq(r.client_secret, again.client_secret));
        return; /* the decoded credentials may hold any UTF-8 */
    }
    const char *all[] = {r.grant_type, r.code, r.redirect_uri, r.code_verifier, r.client_id, r.client_secret};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        check_value(all[i], OIDC_PARAM_MAX);
}

static void fuzz_logout(const struct oidc_params *p)
{
    struct oidc_logout_request r;
    struct pc_err err = {0};
    int rc = oidc_logout_parse(p, &r, &err);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    if (rc)
        return;
    FUZZ_CHECK(!r.id_token_hint || (*r.id_token_hint && strlen(r.id_token_hint) <= OIDC_JWT_MAX));
    check_value(r.post_logout_redirect_uri, OIDC_PARAM_MAX);
    check_value(r.state, OIDC_PARAM_MAX);
    check_value(r.client_id, OIDC_PARAM_MAX);
}

static void fuzz_jws(struct pc_arena *a, const char *s)
{
    struct oidc_jws j;
    struct pc_err err = {0};
    int rc = oidc_jws_parse(a, s, &j, &err);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    if (rc)
        return;
    FUZZ_CHECK(j.header && j.payload && j.sig_len <= sizeof j.sig);
    FUZZ_CHECK(j.signing_len <= strlen(s) && strncmp(j.signing_input, s, j.signing_len) == 0);
    (void)oidc_jws_claim(&j, "sub");
    (void)oidc_jws_claim_int(&j, "exp");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pc_arena a;
    pc_arena_init(&a);
    char *text = pc_arena_strndup(&a, (const char *)data, size);
    size_t tn = strlen(text); /* up to the first NUL, as a header or a field would be */
    char *nl = memchr(text, '\n', tn);
    const char *authz = NULL, *query = text;
    if (nl) {
        *nl = 0;
        authz = *text ? text : NULL;
        query = nl + 1;
    }
    struct http_kvlist l = {0};
    if (http_parse_urlencoded(&a, query, strlen(query), &l) == 0) {
        const char **k = pc_arena_array(&a, l.n + 1, sizeof *k), **v = pc_arena_array(&a, l.n + 1, sizeof *v);
        for (size_t i = 0; i < l.n; i++) {
            k[i] = l.items[i].key;
            v[i] = l.items[i].value;
        }
        struct oidc_params p = {k, v, l.n};
        fuzz_authz(&p);
        fuzz_token(&a, &p, authz);
        fuzz_logout(&p);
    }
    fuzz_jws(&a, text);
    pc_arena_release(&a);
    return 0;
}

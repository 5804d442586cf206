/* api_ecert.c — e-certificates in the JSON API: a citizen orders one
 * (bearer token) and gets its id, verification code and address and the
 * signed PDF's URL; lists and downloads their own, revokes one; anyone
 * checks one by its code without logging in. */
#include "internal.h"

#define API_BASE "/api/v1/e-certificates"

static json_t *ecert_json(struct http_req *r, const struct ecert *e)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "id", e->id, "code", e->code, "kind",
                          ecert_kind_name(e->kind), "state", ecert_state_name(e->state), "verify_url",
                          web_ecert_verify_url(r, e->code), "pdf",
                          pc_arena_printf(&r->arena, API_BASE "/%s/pdf", e->id), "issued_at",
                          web_json_time(e->issued_at), "issuer", e->issuer, "sha256", e->sha256);
    return j;
}

int web_api_ecert_create(struct http_req *r)
{
    if (!web_ecert_owner(r))
        return 0;
    json_t *b = web_body_object(r);
    if (!b)
        return http_problem(r, 400, "bad-json", "Body is not a JSON object", NULL);
    int kind = ecert_kind_parse(json_string_value(json_object_get(b, "kind")));
    if (kind < 0 || json_object_size(b) != 1)
        return http_problem(r, 400, "bad-parameter", "Bad request",
                            "the body is {\"kind\": K}, K one of address, employment, income, taxpayer");
    struct ecert e;
    struct pc_err err = {0};
    int rc = web_ecert_issue(r, (enum ecert_kind)kind, &e, &err);
    if (rc)
        return web_fail(r, rc, &err);
    http_set_header(r, "Location", pc_arena_printf(&r->arena, API_BASE "/%s", e.id));
    return web_reply_json(r, 201, ecert_json(r, &e));
}

int web_api_ecert_list(struct http_req *r)
{
    struct ecert *list;
    size_t n;
    if (web_ecert_mine(r, &list, &n))
        return 0;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, ecert_json(r, &list[i]));
    return web_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int web_api_ecert_get(struct http_req *r)
{
    struct ecert e;
    if (web_ecert_visible(r, http_param(r, 0), &e))
        return 0;
    return web_reply_json(r, 200, ecert_json(r, &e));
}

int web_api_ecert_revoke(struct http_req *r)
{
    struct ecert e;
    if (web_ecert_revoke(r, &e))
        return 0;
    struct pc_err err = {0};
    int rc = ecert_get(app_of(r)->db, &r->arena, e.id, &e, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 200, ecert_json(r, &e));
}

/* Anyone: what the certificate of a code is now.  valid is true only for
 * a certificate neither revoked nor superseded. */
int web_api_ecert_verify(struct http_req *r)
{
    char code[ECERT_CODE_LEN + 1];
    struct ecert e;
    struct pc_err err = {0};
    int rc = ecert_code_normalize(http_param(r, 0), code)
                 ? ecert_by_code(app_of(r)->db, &r->arena, code, &e, &err)
                 : pc_err_set(&err, PC_ENOTFOUND, "no e-certificate has that code");
    if (rc)
        return web_fail(r, rc, &err);
    json_t *j = json_pack("{s:b, s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "valid", e.state == ECERT_VALID, "state",
                          ecert_state_name(e.state), "kind", ecert_kind_name(e.kind), "code", e.code, "issued_at",
                          web_json_time(e.issued_at), "issuer", e.issuer, "agency", e.agency, "sha256", e.sha256);
    if (e.changed_at)
        json_object_set_new(j, "changed_at", web_json_time(e.changed_at));
    return web_reply_json(r, 200, j);
}

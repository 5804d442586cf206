/* ecert.c — what the e-certificate pages and API share: issuing for the
 * logged-in person (the registers' data through the one source, the
 * issuing agency's seal through the certification centre), finding a
 * certificate the asker may see, who may revoke it, and the words of
 * kinds and states. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

const enum msg web_ecert_kind_msgs[ECERT_KIND_COUNT] = {
    [ECERT_ADDRESS] = M_ECERT_KIND_ADDRESS, [ECERT_EMPLOYMENT] = M_ECERT_KIND_EMPLOYMENT,
    [ECERT_INCOME] = M_ECERT_KIND_INCOME, [ECERT_TAXPAYER] = M_ECERT_KIND_TAXPAYER};
const enum msg web_ecert_state_msgs[ECERT_STATE_COUNT] = {
    [ECERT_VALID] = M_ECERT_STATE_VALID, [ECERT_REVOKED] = M_ECERT_STATE_REVOKED,
    [ECERT_SUPERSEDED] = M_ECERT_STATE_SUPERSEDED};

/* Where registry data comes from: the portal's exchange gateway when it
 * has one, else the registers computed in this process. */
static struct ecert_source source(struct http_req *r)
{
    struct portal_app *app = app_of(r);
    return app->exchange ? ecert_source_exchange(&r->arena, app->exchange, app->demo) : ecert_source_local();
}

/* The agency's seal, by the centre.  An agency without a (valid) seal is
 * the sealing service missing for the person who asks, not a missing
 * page or a conflict of theirs. */
static int seal(void *ctx, struct pc_arena *a, const char *agency, const char *ref, const void *doc, size_t len,
                const unsigned char **sig, size_t *sig_len, const char **serial, struct pc_err *err)
{
    struct pki_cert cert;
    int rc = pki_client_seal(ctx, a, agency, ref, doc, len, sig, sig_len, &cert, err);
    if (rc == PC_ENOTFOUND || rc == PC_ECONFLICT) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return pc_err_set(err, PC_EUNAVAIL, "the agency %s cannot seal e-certificates now: %s", agency, why);
    }
    *serial = rc ? NULL : cert.serial;
    return rc;
}

/* The portal's address for the QR code: --public-url, else the Host the
 * request came to (letters, digits, dots, dashes, a port). */
static const char *verify_base(struct http_req *r)
{
    if (app_of(r)->public_url)
        return app_of(r)->public_url;
    const char *host = http_header(r, "Host");
    if (!host || !*host || strlen(host) > 255 || host[strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                  "0123456789.-:[]")])
        host = "localhost";
    return pc_arena_printf(&r->arena, "http://%s", host);
}

const char *web_ecert_verify_url(struct http_req *r, const char *code)
{
    return ecert_verify_url(&r->arena, verify_base(r), code);
}

int web_ecert_issue(struct http_req *r, enum ecert_kind kind, struct ecert *out, struct pc_err *err)
{
    struct pki_client *ca = app_of(r)->ca;
    if (!ca)
        return pc_err_set(err, PC_EUNAVAIL, "this portal has no certification centre (--ca-url): nothing can be sealed");
    const struct id_principal *who = web_who(r);
    const char *agency = ecert_kind_agency(kind);
    struct cat_agency g;
    const char *issuer = agency && cat_get_agency(app_of(r)->db, &r->arena, agency, &g, NULL) == 0 &&
                                 g.name.s[PC_LANG_AZ]
                             ? g.name.s[PC_LANG_AZ]
                             : agency;
    struct ecert_source src = source(r);
    struct ecert_sealer sealer = {seal, ca};
    struct ecert_request req = {.kind = kind, .fin = who->fin, .account_id = who->account_id, .issuer = issuer,
                                .verify_base = verify_base(r), .ip = r->remote_addr};
    return ecert_issue(app_of(r)->db, &src, &sealer, &req, &r->arena, out, err);
}

/* May the logged-in person act on their own e-certificates?  (NULL with
 * the answer written when not.) */
const char *web_ecert_owner(struct http_req *r)
{
    const struct id_principal *who = web_who(r);
    struct id_resource res = {.fin = who && who->fin ? who->fin : "-"};
    return web_require(r, ID_ACT_ECERT_OWN, &res) ? who->fin : NULL;
}

int web_ecert_mine(struct http_req *r, struct ecert **list, size_t *n)
{
    const char *fin = web_ecert_owner(r);
    if (!fin)
        return 1;
    struct pc_err err = {0};
    int rc = ecert_list(app_of(r)->db, &r->arena, fin, WEB_ECERT_LIST_MAX, list, n, &err);
    if (rc)
        web_fail(r, rc, &err);
    return rc ? 1 : 0;
}

int web_ecert_visible(struct http_req *r, const char *id, struct ecert *out)
{
    const struct id_principal *who = web_who(r);
    if (!who) {
        web_require(r, ID_ACT_ECERT_OWN, NULL);
        return 1;
    }
    struct pc_err err = {0};
    int rc = ecert_get(app_of(r)->db, &r->arena, id ? id : "", out, &err);
    struct id_resource res = {.fin = rc ? "-" : out->fin, .agency_id = rc ? NULL : out->agency};
    if (rc == 0 && !id_authorize(who, ID_ACT_ECERT_OWN, &res))
        rc = pc_err_set(&err, PC_ENOTFOUND, "no such e-certificate");
    if (rc) {
        web_fail(r, rc, &err);
        return 1;
    }
    return 0;
}

int web_ecert_revoke_role(struct http_req *r, const struct ecert *e)
{
    struct id_resource own = {.fin = e->fin}, agency = {.agency_id = e->agency};
    int role = id_authorize_role(web_who(r), ID_ACT_ECERT_OWN, &own);
    return role >= 0 ? role : id_authorize_role(web_who(r), ID_ACT_ECERT_REVOKE, &agency);
}

int web_ecert_revoke(struct http_req *r, struct ecert *e)
{
    if (!web_who(r)) {
        web_require(r, ID_ACT_ECERT_OWN, NULL); /* 401, or the login page */
        return 1;
    }
    struct pc_err err = {0};
    int rc = ecert_get(app_of(r)->db, &r->arena, http_param(r, 0), e, &err);
    int role = rc ? -1 : web_ecert_revoke_role(r, e);
    if (!rc && role < 0)
        rc = pc_err_set(&err, PC_ENOTFOUND, "no such e-certificate");
    if (!rc)
        rc = ecert_revoke(app_of(r)->db, e->id, web_who(r)->account_id, id_role_name((enum id_role)role),
                          r->remote_addr, &err);
    if (rc)
        web_fail(r, rc, &err);
    return rc ? 1 : 0;
}

int web_ecert_send_pdf(struct http_req *r, const struct ecert *e)
{
    const unsigned char *pdf;
    size_t len;
    struct pc_err err = {0};
    int rc = ecert_pdf(app_of(r)->db, &r->arena, e->id, &pdf, &len, &err);
    if (rc)
        return web_fail(r, rc, &err);
    pc_buf_reset(&r->out);
    pc_buf_append(&r->out, pdf, len);
    r->status = 200;
    r->content_type = "application/pdf";
    r->no_gzip = true;
    http_set_header(r, "Content-Disposition", pc_arena_printf(&r->arena, "attachment; filename=\"%s.pdf\"", e->id));
    return 0;
}

/* central_view.c — the registry as the operator sees it: the same read as
 * the published configuration (xr_central_params), turned into typed
 * values in the caller's arena, with what the gateways' authentication
 * certificates say (subject, serial, validity, fingerprint) and the last
 * configuration published.  The operator's page renders this and nothing
 * else of the registry. */
#include "internal.h"

#include <string.h>

static const char *str(struct pc_arena *a, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return pc_arena_strdup(a, s ? s : "");
}

static const char **strs(struct pc_arena *a, json_t *arr, size_t *n)
{
    *n = json_array_size(arr);
    const char **out = pc_arena_alloc(a, (*n + 1) * sizeof *out);
    for (size_t i = 0; i < *n; i++)
        out[i] = pc_arena_strdup(a, json_string_value(json_array_get(arr, i)));
    return out;
}

static int64_t asn1_unix(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return (int64_t)timegm(&tm);
}

static void cert_facts(struct pc_arena *a, const char *pem, struct xr_view_gateway *g)
{
    X509 *x = xr_cert_from_pem(pem, strlen(pem));
    g->subject = g->serial = "";
    if (!x)
        return;
    char *subj = X509_NAME_oneline(X509_get_subject_name(x), NULL, 0);
    g->subject = pc_arena_strdup(a, subj ? subj : "");
    OPENSSL_free(subj);
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    g->serial = pc_arena_strdup(a, hex ? hex : "");
    OPENSSL_free(hex);
    BN_free(bn);
    g->not_before = asn1_unix(X509_get0_notBefore(x));
    g->not_after = asn1_unix(X509_get0_notAfter(x));
    xr_cert_fp(x, g->fingerprint);
    X509_free(x);
}

static int last_gconf(struct xr_central *c, struct xr_view *v, struct pc_err *err)
{
    struct db_conn *k = db_conn_get(c->db, err);
    struct db_stmt *s = k ? db_prepare(k, "SELECT version, generated, expires FROM xr_gconf "
                                          "ORDER BY version DESC LIMIT 1", err) : NULL;
    if (!s)
        return err && err->code ? err->code : PC_EIO;
    int r = db_step(s, err);
    if (r == 1) {
        v->gconf_version = db_col_int(s, 0);
        v->gconf_generated = db_col_int(s, 1);
        v->gconf_expires = db_col_int(s, 2);
    }
    db_conn_idle(k);
    return r < 0 ? r : 0;
}

int xr_central_view(struct xr_central *c, struct pc_arena *a, struct xr_view *v, struct pc_err *err)
{
    json_t *p;
    memset(v, 0, sizeof *v);
    int rc = xr_central_params(c, &p, &v->epoch, err);
    if (rc)
        return rc;
    v->instance = pc_arena_strdup(a, c->instance);
    pthread_mutex_lock(&c->lock);
    v->validity = c->validity;
    pthread_mutex_unlock(&c->lock);
    json_t *o, *arr = json_object_get(p, "members");
    size_t i;
    v->nmembers = json_array_size(arr);
    v->members = pc_arena_alloc(a, (v->nmembers + 1) * sizeof *v->members);
    json_array_foreach(arr, i, o) {
        v->members[i] = (struct xr_view_member){str(a, o, "id"), str(a, o, "name"), NULL, 0};
        v->members[i].subsystems = strs(a, json_object_get(o, "subsystems"), &v->members[i].nsubsystems);
    }
    arr = json_object_get(p, "gateways");
    v->ngateways = json_array_size(arr);
    v->gateways = pc_arena_alloc(a, (v->ngateways + 1) * sizeof *v->gateways);
    json_array_foreach(arr, i, o) {
        struct xr_view_gateway *g = &v->gateways[i];
        memset(g, 0, sizeof *g);
        g->id = str(a, o, "id");
        g->address = str(a, o, "address");
        g->clients = strs(a, json_object_get(o, "clients"), &g->nclients);
        cert_facts(a, str(a, o, "auth_cert"), g);
    }
    arr = json_object_get(p, "services");
    v->nservices = json_array_size(arr);
    v->services = pc_arena_alloc(a, (v->nservices + 1) * sizeof *v->services);
    json_array_foreach(arr, i, o)
        v->services[i] = (struct xr_view_service){
            str(a, o, "id"), str(a, o, "version"), str(a, o, "title"), str(a, o, "kind"),
            json_integer_value(json_object_get(o, "max_request")), json_integer_value(json_object_get(o, "max_response")),
            (int)json_integer_value(json_object_get(o, "timeout_ms")), json_is_string(json_object_get(o, "openapi"))};
    arr = json_object_get(p, "groups");
    v->ngroups = json_array_size(arr);
    v->groups = pc_arena_alloc(a, (v->ngroups + 1) * sizeof *v->groups);
    json_array_foreach(arr, i, o) {
        v->groups[i] = (struct xr_view_group){str(a, o, "id"), str(a, o, "description"), NULL, 0};
        v->groups[i].members = strs(a, json_object_get(o, "members"), &v->groups[i].nmembers);
    }
    arr = json_object_get(p, "access");
    v->nrights = json_array_size(arr);
    v->rights = pc_arena_alloc(a, (v->nrights + 1) * sizeof *v->rights);
    json_array_foreach(arr, i, o)
        v->rights[i] = (struct xr_view_right){str(a, o, "service"), str(a, o, "subject")};
    json_t *ca = json_object_get(p, "ca");
    v->ca_name = str(a, ca, "ca_name");
    v->ocsp_url = str(a, ca, "ocsp_url");
    v->tsa_url = str(a, ca, "tsa_url");
    json_decref(p);
    return last_gconf(c, v, err);
}

int xr_central_openapi(struct xr_central *c, struct pc_arena *a, const char *service, const char **text,
                       struct pc_err *err)
{
    struct db_conn *k = db_conn_get(c->db, err);
    struct db_stmt *s = k ? db_prepare(k, "SELECT openapi FROM xr_services WHERE id = ?", err) : NULL;
    if (!s)
        return err && err->code ? err->code : PC_EIO;
    db_bind_text(s, 1, service);
    *text = NULL;
    int r = db_step(s, err);
    if (r == 1 && !db_col_is_null(s, 0))
        *text = pc_arena_strdup(a, db_col_text(s, 0));
    db_conn_idle(k);
    if (r < 0)
        return r;
    return r == 1 && *text ? 0 : pc_err_set(err, PC_ENOTFOUND, "no OpenAPI description of %s", service);
}

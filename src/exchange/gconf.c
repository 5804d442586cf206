/* gconf.c — the global configuration, both ends.  The central registry
 * publishes it X-Road style: a directory (instance, version, when made,
 * when it expires, and each file's name, size and SHA-256) signed with the
 * configuration signing key, and the files it lists (here one,
 * shared-params.json: members, subsystems, gateways with their
 * authentication certificates and clients, services with their limits and
 * OpenAPI descriptions, global groups, access rights, the trusted
 * certification centre).  A new one is signed when the registry changes
 * or half the validity has passed.  A gateway checks the signature with
 * the certificate of its anchor, each file against its digest, and builds
 * the immutable struct xr_gconf its request threads share. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define PARAMS "shared-params.json"
#define FILE_MAX (8 << 20)

/* ---- publishing (the central registry) ----------------------------------- */

static int epoch_now(struct xr_central *c, int64_t *epoch, struct pc_err *err)
{
    /* a statement left half-read would pin an old snapshot (SQLite) */
    db_idle(c->db);
    struct db_conn *k = db_conn_get(c->db, err);
    struct db_stmt *s = k ? db_prepare(k, "SELECT epoch FROM xr_epoch WHERE id = 1", err) : NULL;
    if (!s)
        return err && err->code ? err->code : PC_EIO;
    int rc = db_step(s, err);
    if (rc == 1)
        *epoch = db_col_int(s, 0);
    db_idle(c->db);
    return rc == 1 ? 0 : rc < 0 ? rc : pc_err_set(err, PC_EIO, "the registry has no epoch");
}

static int publish(struct xr_central *c, int64_t now, struct pc_err *err)
{
    json_t *params;
    int64_t epoch;
    int rc = xr_central_params(c, &params, &epoch, err);
    if (rc)
        return rc;
    char *text = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(params);
    if (!text)
        pc_oom(0);
    unsigned char md[32];
    char hex[65];
    xr_sha256(text, strlen(text), md);
    xr_hex(md, 32, hex);
    struct db_conn *k = db_conn_get(c->db, err);
    if (!k) {
        free(text);
        return err && err->code ? err->code : PC_EIO;
    }
    int64_t version = 1;
    rc = db_begin(k, err);
    struct db_stmt *s = rc ? NULL : db_prepare(k, "SELECT COALESCE(MAX(version), 0) + 1 FROM xr_gconf", err);
    if (s && db_step(s, err) == 1)
        version = db_col_int(s, 0);
    else if (!rc)
        rc = err && err->code ? err->code : PC_EIO;
    char gen[21], exp[21];
    pc_rfc3339(now, gen);
    pc_rfc3339(now + c->validity, exp);
    json_t *dir = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s, s:[{s:s, s:s, s:I}]}", "instance", c->instance, "version",
                            (json_int_t)version, "generated", (json_int_t)now, "expires",
                            (json_int_t)(now + c->validity), "generated_at", gen, "expires_at", exp, "files", "name",
                            PARAMS, "sha256", hex, "size", (json_int_t)strlen(text));
    char *dtext = json_dumps(dir, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(dir);
    struct pc_arena a;
    pc_arena_init(&a);
    const char *sig = NULL;
    if (!rc)
        rc = xr_sign(c->key, &a, dtext, strlen(dtext), &sig, err);
    json_t *files = json_pack("{s:s}", hex, text);
    char *ftext = json_dumps(files, JSON_COMPACT);
    s = rc ? NULL : db_prepare(k, "INSERT INTO xr_gconf (version, generated, expires, registry_epoch, directory, "
                                  "signature, files) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
    if (s) {
        db_bind_int(s, 1, version);
        db_bind_int(s, 2, now);
        db_bind_int(s, 3, now + c->validity);
        db_bind_int(s, 4, epoch);
        db_bind_text(s, 5, dtext);
        db_bind_text(s, 6, sig);
        db_bind_text(s, 7, ftext);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : 0;
    }
    rc = db_end(k, rc, err);
    db_idle(c->db);
    if (!rc) {
        free(c->cur_directory);
        free(c->cur_signature);
        json_decref(c->cur_files);
        c->cur_directory = dtext;
        c->cur_signature = strdup(sig);
        c->cur_files = files;
        c->cur_epoch = epoch;
        c->cur_version = version;
        c->cur_generated = now;
        c->cur_expires = now + c->validity;
        pc_logf(PC_LOG_INFO, "central.gconf_published", "version %lld, epoch %lld, %zu bytes", (long long)version,
                (long long)epoch, strlen(text));
        dtext = NULL;
        files = NULL;
    }
    free(dtext);
    json_decref(files);
    free(ftext);
    free(text);
    pc_arena_release(&a);
    return rc;
}

int xr_central_gconf(struct xr_central *c, struct pc_arena *a, struct xr_gconf_pub *out, struct pc_err *err)
{
    int64_t epoch = 0, now = pc_now_unix();
    int rc = epoch_now(c, &epoch, err);
    if (rc)
        return rc;
    pthread_mutex_lock(&c->lock);
    if (!c->cur_directory || epoch != c->cur_epoch || now >= c->cur_generated + c->validity / 2)
        rc = publish(c, now, err);
    if (!rc) {
        out->directory = pc_arena_strdup(a, c->cur_directory);
        out->signature = pc_arena_strdup(a, c->cur_signature);
        out->cert_pem = xr_cert_pem(a, c->cert);
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int xr_central_gconf_file(struct xr_central *c, struct pc_arena *a, const char *sha256, const char **data, size_t *len,
                          struct pc_err *err)
{
    int rc = PC_ENOTFOUND;
    pthread_mutex_lock(&c->lock);
    const char *v = c->cur_files ? json_string_value(json_object_get(c->cur_files, sha256)) : NULL;
    if (v) {
        *data = pc_arena_strdup(a, v);
        *len = strlen(v);
        rc = 0;
    }
    pthread_mutex_unlock(&c->lock);
    if (rc)
        pc_err_set(err, rc, "no file %s in the current configuration", sha256);
    return rc;
}

/* ---- reading (a gateway) ---------------------------------------------------- */

static int id_of(struct xr_gconf *g, json_t *v, enum xr_id_kind k, struct xr_id *out, struct pc_err *err)
{
    const char *s = json_string_value(v);
    if (!s)
        return pc_err_set(err, PC_EINVAL, "the configuration has a %s that is not a string", xr_id_kind_name(k));
    (void)g;
    return xr_id_parse_str(s, k, out, err);
}

static int ids_of(struct xr_gconf *g, json_t *arr, enum xr_id_kind k, struct xr_id **out, size_t *n,
                  struct pc_err *err)
{
    *n = json_array_size(arr);
    *out = pc_arena_array(&g->arena, *n ? *n : 1, sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        int rc = id_of(g, json_array_get(arr, i), k, &(*out)[i], err);
        if (rc)
            return rc;
    }
    return 0;
}

static const char *str_of(struct xr_gconf *g, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? pc_arena_strdup(&g->arena, s) : NULL;
}

static int build(struct xr_gconf *g, json_t *p, struct pc_err *err)
{
    const char *inst = json_string_value(json_object_get(p, "instance"));
    if (!inst || strcmp(inst, g->instance) != 0)
        return pc_err_set(err, PC_EINVAL, "the shared parameters are of another instance");
    json_t *v;
    size_t i;
    int rc = 0;
    /* subsystems of every member */
    size_t nsub = 0;
    json_array_foreach(json_object_get(p, "members"), i, v)
        nsub += json_array_size(json_object_get(v, "subsystems"));
    g->subsystems = pc_arena_array(&g->arena, nsub ? nsub : 1, sizeof *g->subsystems);
    json_array_foreach(json_object_get(p, "members"), i, v) {
        json_t *s;
        size_t k;
        json_array_foreach(json_object_get(v, "subsystems"), k, s)
            if (!rc)
                rc = id_of(g, s, XR_ID_SUBSYSTEM, &g->subsystems[g->nsubsystems++], err);
    }
    json_t *gws = json_object_get(p, "gateways");
    g->ngateways = json_array_size(gws);
    g->gateways = pc_arena_array(&g->arena, g->ngateways ? g->ngateways : 1, sizeof *g->gateways);
    json_array_foreach(gws, i, v) {
        struct xr_gc_gateway *gw = &g->gateways[i];
        if (rc || (rc = id_of(g, json_object_get(v, "id"), XR_ID_GATEWAY, &gw->id, err)))
            break;
        gw->id_str = str_of(g, v, "id");
        gw->address = str_of(g, v, "address");
        const char *pem = json_string_value(json_object_get(v, "auth_cert"));
        gw->auth = pem ? xr_cert_from_pem(pem, strlen(pem)) : NULL;
        if (!gw->address || !gw->auth) {
            rc = pc_err_set(err, PC_EINVAL, "gateway %s lacks its address or certificate", gw->id_str);
            break;
        }
        xr_cert_fp(gw->auth, gw->auth_fp);
        xr_cert_pin(gw->auth, gw->auth_pin);
        rc = ids_of(g, json_object_get(v, "clients"), XR_ID_SUBSYSTEM, &gw->clients, &gw->nclients, err);
    }
    json_t *svcs = json_object_get(p, "services");
    g->nservices = json_array_size(svcs);
    g->services = pc_arena_array(&g->arena, g->nservices ? g->nservices : 1, sizeof *g->services);
    json_array_foreach(svcs, i, v) {
        struct xr_gc_service *s = &g->services[i];
        if (rc || (rc = id_of(g, json_object_get(v, "id"), XR_ID_SERVICE, &s->id, err)))
            break;
        s->id_str = str_of(g, v, "id");
        s->version = str_of(g, v, "version");
        s->title = str_of(g, v, "title");
        s->kind = str_of(g, v, "kind");
        s->openapi = str_of(g, v, "openapi");
        s->max_request = json_integer_value(json_object_get(v, "max_request"));
        s->max_response = json_integer_value(json_object_get(v, "max_response"));
        s->timeout_ms = (int)json_integer_value(json_object_get(v, "timeout_ms"));
        struct xr_id prov;
        xr_id_provider(&s->id, &prov);
        s->gateway = -1;
        for (size_t k = 0; k < g->ngateways && s->gateway < 0; k++)
            if (xr_gconf_serves(g, (int)k, &prov))
                s->gateway = (int)k;
    }
    json_t *groups = json_object_get(p, "groups");
    g->ngroups = json_array_size(groups);
    g->groups = pc_arena_array(&g->arena, g->ngroups ? g->ngroups : 1, sizeof *g->groups);
    json_array_foreach(groups, i, v) {
        struct xr_gc_group *gr = &g->groups[i];
        if (rc || (rc = id_of(g, json_object_get(v, "id"), XR_ID_GROUP, &gr->id, err)))
            break;
        rc = ids_of(g, json_object_get(v, "members"), XR_ID_CLIENT, &gr->members, &gr->n, err);
    }
    json_t *acc = json_object_get(p, "access");
    g->access = pc_arena_array(&g->arena, json_array_size(acc) ? json_array_size(acc) : 1, sizeof *g->access);
    json_array_foreach(acc, i, v) {
        struct xr_id svc;
        if (rc || (rc = id_of(g, json_object_get(v, "service"), XR_ID_SERVICE, &svc, err)))
            break;
        const char *subj = json_string_value(json_object_get(v, "subject"));
        struct xr_gc_access *a = &g->access[g->naccess];
        if (!subj || (xr_id_parse_str(subj, XR_ID_CLIENT, &a->subject, NULL) &&
                      xr_id_parse_str(subj, XR_ID_GROUP, &a->subject, NULL))) {
            rc = pc_err_set(err, PC_EINVAL, "an access right names no client, member or group");
            break;
        }
        const struct xr_gc_service *s = xr_gconf_service(g, &svc);
        if (s) {
            a->service = (int)(s - g->services);
            g->naccess++;
        }
    }
    json_t *ca = json_object_get(p, "ca");
    g->ca_chain = str_of(g, ca, "ca_chain");
    g->ocsp_url = str_of(g, ca, "ocsp_url");
    g->tsa_url = str_of(g, ca, "tsa_url");
    if (!rc && (!g->ca_chain || !(g->store = xr_store_from_pem(g->ca_chain))))
        rc = pc_err_set(err, PC_EINVAL, "the configuration names no trusted certification centre");
    if (!rc)
        xr_sha256(g->ca_chain, strlen(g->ca_chain), g->ca_md);
    return rc;
}

int xr_gconf_load(const char *directory, const char *signature, X509 *anchor, xr_fetch_file fetch, void *ctx,
                  struct xr_gconf **out, struct pc_err *err)
{
    if (!directory || !signature || !xr_verify(anchor, directory, strlen(directory), signature))
        return pc_err_set(err, PC_EDENIED, "the global configuration's signature does not verify with the anchor");
    json_error_t je;
    json_t *d = json_loads(directory, 0, &je);
    const char *inst = json_string_value(json_object_get(d, "instance"));
    json_t *files = json_object_get(d, "files");
    if (!d || !inst || strlen(inst) > XR_PART_MAX || !json_is_array(files)) {
        json_decref(d);
        return pc_err_set(err, PC_EINVAL, "the configuration's directory is not one");
    }
    struct xr_gconf *g = calloc(1, sizeof *g);
    if (!g)
        pc_oom(sizeof *g);
    atomic_init(&g->refs, 1);
    pc_arena_init(&g->arena);
    snprintf(g->instance, sizeof g->instance, "%s", inst);
    g->version = json_integer_value(json_object_get(d, "version"));
    g->generated = json_integer_value(json_object_get(d, "generated"));
    g->expires = json_integer_value(json_object_get(d, "expires"));
    int rc = 0;
    json_t *f;
    size_t i;
    json_array_foreach(files, i, f) {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *sha = json_string_value(json_object_get(f, "sha256"));
        if (!name || !sha || strlen(sha) != 64) {
            rc = pc_err_set(err, PC_EINVAL, "a file of the directory lacks its name or digest");
            break;
        }
        if (strcmp(name, PARAMS) != 0)
            continue;
        const char *data;
        size_t len;
        struct pc_arena tmp;
        pc_arena_init(&tmp);
        rc = fetch(ctx, &tmp, sha, &data, &len, err);
        unsigned char md[32];
        char hex[65];
        if (!rc) {
            xr_sha256(data, len, md);
            xr_hex(md, 32, hex);
            if (strcmp(hex, sha) != 0 || len > FILE_MAX)
                rc = pc_err_set(err, PC_EDENIED, "%s does not match its digest in the signed directory", name);
        }
        if (!rc) {
            g->root = json_loadb(data, len, 0, &je);
            rc = g->root ? build(g, g->root, err)
                         : pc_err_set(err, PC_EINVAL, "%s is not JSON: %s", name, je.text);
        }
        pc_arena_release(&tmp);
        if (rc)
            break;
    }
    if (!rc && !g->root)
        rc = pc_err_set(err, PC_EINVAL, "the directory lists no %s", PARAMS);
    json_decref(d);
    if (rc) {
        xr_gconf_unref(g);
        return rc;
    }
    *out = g;
    return 0;
}

void xr_gconf_ref(struct xr_gconf *g)
{
    atomic_fetch_add(&g->refs, 1);
}

void xr_gconf_unref(struct xr_gconf *g)
{
    if (!g || atomic_fetch_sub(&g->refs, 1) != 1)
        return;
    for (size_t i = 0; i < g->ngateways; i++)
        X509_free(g->gateways[i].auth);
    X509_STORE_free(g->store);
    json_decref(g->root);
    pc_arena_release(&g->arena);
    free(g);
}

const struct xr_gc_service *xr_gconf_service(const struct xr_gconf *g, const struct xr_id *id)
{
    for (size_t i = 0; i < g->nservices; i++)
        if (xr_id_eq(&g->services[i].id, id))
            return &g->services[i];
    return NULL;
}

int xr_gconf_gateway_index(const struct xr_gconf *g, const struct xr_id *id)
{
    for (size_t i = 0; i < g->ngateways; i++)
        if (xr_id_eq(&g->gateways[i].id, id))
            return (int)i;
    return -1;
}

bool xr_gconf_serves(const struct xr_gconf *g, int gw, const struct xr_id *client)
{
    if (gw < 0 || (size_t)gw >= g->ngateways)
        return false;
    const struct xr_gc_gateway *x = &g->gateways[gw];
    for (size_t i = 0; i < x->nclients; i++) {
        struct xr_id m;
        xr_id_member(&x->clients[i], &m);
        if (xr_id_eq(&x->clients[i], client) || xr_id_eq(&m, client))
            return true;
    }
    return false;
}

bool xr_gconf_client_known(const struct xr_gconf *g, const struct xr_id *client)
{
    for (size_t i = 0; i < g->nsubsystems; i++) {
        struct xr_id m;
        xr_id_member(&g->subsystems[i], &m);
        if (xr_id_eq(&g->subsystems[i], client) || xr_id_eq(&m, client))
            return true;
    }
    return false;
}

bool xr_gconf_allowed(const struct xr_gconf *g, const struct xr_gc_service *s, const struct xr_id *client)
{
    int si = (int)(s - g->services);
    struct xr_id member;
    xr_id_member(client, &member);
    for (size_t i = 0; i < g->naccess; i++) {
        const struct xr_gc_access *a = &g->access[i];
        if (a->service != si)
            continue;
        if (xr_id_eq(&a->subject, client) || xr_id_eq(&a->subject, &member))
            return true;
        if (a->subject.kind != XR_ID_GROUP)
            continue;
        for (size_t k = 0; k < g->ngroups; k++) {
            if (!xr_id_eq(&g->groups[k].id, &a->subject))
                continue;
            for (size_t m = 0; m < g->groups[k].n; m++)
                if (xr_id_eq(&g->groups[k].members[m], client) || xr_id_eq(&g->groups[k].members[m], &member))
                    return true;
        }
    }
    return false;
}

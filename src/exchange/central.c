/* central.c — the central registry (`pencere central`): its data
 * directory (central.json, the configuration signing key and its
 * self-signed certificate, which gateways receive as their anchor), and
 * its tables (migrations/050_exchange.sql).  Every change is one
 * transaction with its audit entry and raises the registry's epoch, which
 * tells the publisher (gconf.c) to sign a new global configuration. */
#include "internal.h"
#include "../audit/audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int xr_mkdirs(const char *dir, struct pc_err *err)
{
    char p[1200];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0700);
            *s = '/';
        }
    if (mkdir(p, 0700) && errno != EEXIST)
        return pc_err_set(err, PC_EIO, "cannot create %s: %s", dir, strerror(errno));
    return 0;
}

int xr_central_init(const char *dir, const char *instance, const char *public_url, struct pc_err *err)
{
    struct xr_id probe;
    char gid[XR_ID_MAX];
    snprintf(gid, sizeof gid, "%s/x", instance ? instance : "");
    if (xr_id_parse_str(gid, XR_ID_GROUP, &probe, err))
        return pc_err_set(err, PC_EINVAL, "the instance must be one identifier part (e.g. AZ)");
    char path[1200], key[1200], cert[1200];
    int rc = xr_mkdirs(dir, err);
    snprintf(path, sizeof path, "%s/keys", dir);
    if (!rc)
        rc = xr_mkdirs(path, err);
    snprintf(path, sizeof path, "%s/certs", dir);
    if (!rc)
        rc = xr_mkdirs(path, err);
    snprintf(path, sizeof path, "%s/clients", dir);
    if (!rc)
        rc = xr_mkdirs(path, err);
    snprintf(key, sizeof key, "%s/keys/gconf.key", dir);
    snprintf(cert, sizeof cert, "%s/certs/gconf.pem", dir);
    if (rc)
        return rc;
    struct stat st;
    if (stat(key, &st) == 0)
        return pc_err_set(err, PC_ECONFLICT, "%s already holds a central registry", dir);
    char cn[128];
    snprintf(cn, sizeof cn, "%s global configuration signing", instance);
    if ((rc = xr_selfsigned(key, cert, cn, 3650, err)))
        return rc;
    json_t *j = json_pack("{s:s, s:s, s:i}", "instance", instance, "public_url", public_url ? public_url : "",
                          "validity_secs", XR_GCONF_VALIDITY);
    snprintf(path, sizeof path, "%s/central.json", dir);
    if (json_dump_file(j, path, JSON_INDENT(2)) != 0)
        rc = pc_err_set(err, PC_EIO, "cannot write %s", path);
    json_decref(j);
    return rc;
}

struct xr_central *xr_central_open(const char *dir, const char *db_url, struct pc_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/central.json", dir);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    const char *inst = j ? json_string_value(json_object_get(j, "instance")) : NULL;
    if (!inst || strlen(inst) > XR_PART_MAX) {
        json_decref(j);
        pc_err_set(err, PC_EINVAL, "%s: not a central registry's configuration", path);
        return NULL;
    }
    struct xr_central *c = calloc(1, sizeof *c);
    if (!c)
        pc_oom(sizeof *c);
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    snprintf(c->instance, sizeof c->instance, "%s", inst);
    const char *url = json_string_value(json_object_get(j, "public_url"));
    c->public_url = strdup(url ? url : "");
    json_int_t v = json_integer_value(json_object_get(j, "validity_secs"));
    c->validity = v > 0 ? (int)v : XR_GCONF_VALIDITY;
    json_decref(j);
    pthread_mutex_init(&c->lock, NULL);
    snprintf(path, sizeof path, "%s/keys/gconf.key", dir);
    c->key = xr_key_load(path, err);
    snprintf(path, sizeof path, "%s/certs/gconf.pem", dir);
    c->cert = c->key ? xr_cert_load(path, err) : NULL;
    if (!c->cert) {
        xr_central_close(c);
        return NULL;
    }
    char dbp[1200];
    if (!db_url) {
        snprintf(dbp, sizeof dbp, "%s/central.db", dir);
        db_url = dbp;
    }
    c->db = db_open(db_url, err);
    if (!c->db || db_migrate(c->db, err)) {
        xr_central_close(c);
        return NULL;
    }
    return c;
}

void xr_central_close(struct xr_central *c)
{
    if (!c)
        return;
    if (c->db)
        db_close(c->db);
    EVP_PKEY_free(c->key);
    X509_free(c->cert);
    json_decref(c->cur_files);
    free(c->cur_directory);
    free(c->cur_signature);
    free(c->public_url);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

struct db *xr_central_db(struct xr_central *c)
{
    return c->db;
}

void xr_central_set_validity(struct xr_central *c, int validity_secs)
{
    pthread_mutex_lock(&c->lock);
    c->validity = validity_secs;
    c->cur_epoch = -1; /* publish again with the new validity */
    pthread_mutex_unlock(&c->lock);
}

int xr_central_set_url(struct xr_central *c, const char *url, struct pc_err *err)
{
    if (!pc_str_has_prefix(url, "http://") && !pc_str_has_prefix(url, "https://"))
        return pc_err_set(err, PC_EINVAL, "the central registry's URL must be http(s)");
    pthread_mutex_lock(&c->lock);
    free(c->public_url);
    c->public_url = strdup(url);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

const char *xr_central_anchor(struct xr_central *c, struct pc_arena *a)
{
    pthread_mutex_lock(&c->lock);
    json_t *j = json_pack("{s:s, s:s, s:s}", "instance", c->instance, "central_url", c->public_url, "certificate",
                          xr_cert_pem(a, c->cert));
    pthread_mutex_unlock(&c->lock);
    char *s = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    const char *out = pc_arena_strdup(a, s);
    free(s);
    return out;
}

/* ---- changes ---------------------------------------------------------------- */

static int run(struct db_stmt *s, struct pc_err *err)
{
    int64_t n = s ? db_run(s, err) : (err && err->code ? err->code : PC_EIO);
    return n < 0 ? (int)n : 0;
}

static int bump(struct db_conn *c, struct pc_err *err)
{
    return run(db_prepare(c, "UPDATE xr_epoch SET epoch = epoch + 1 WHERE id = 1", err), err);
}

/* Whether a row with this key exists in one of the registry's tables. */
static int exists(struct db_conn *c, const char *sql, const char *key, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, sql, err);
    if (!s)
        return err && err->code ? err->code : PC_EIO;
    db_bind_text(s, 1, key);
    return db_step(s, err);
}

/* Insert a row of two texts (and the time, when the statement has a third
 * parameter); a duplicate is PC_ECONFLICT with the message dup. */
static int insert(struct db_conn *k, const char *sql, const char *x, const char *y, const char *dup,
                  struct pc_err *err)
{
    struct db_stmt *s = db_prepare(k, sql, err);
    if (s) {
        db_bind_text(s, 1, x);
        db_bind_text(s, 2, y);
        if (strstr(sql, "?, ?, ?"))
            db_bind_int(s, 3, pc_now_unix());
    }
    int rc = run(s, err);
    if (rc == PC_ECONFLICT)
        pc_err_set(err, rc, "%s", dup);
    return rc;
}

int xr_central_finish(struct db_conn *c, int rc, const char *actor, const char *action, const char *type,
                      const char *object, const char *detail, struct pc_err *err)
{
    if (!rc)
        rc = bump(c, err);
    struct audit_entry e = {actor, "operator", action, type, object, "", detail ? detail : ""};
    rc = audit_end(c, rc, &e, err);
    db_conn_idle(c); /* no half-read statement keeps the snapshot */
    return rc;
}

static int same_instance(const struct xr_central *c, const struct xr_id *id, struct pc_err *err)
{
    if (strcmp(id->instance, c->instance) != 0)
        return pc_err_set(err, PC_EINVAL, "%s belongs to instance %s, not %s", xr_id_kind_name(id->kind),
                          id->instance, c->instance);
    return 0;
}

int xr_central_add_member(struct xr_central *c, const char *actor, const struct xr_id *member, const char *name,
                          struct pc_err *err)
{
    if (member->kind != XR_ID_MEMBER)
        return pc_err_set(err, PC_EINVAL, "a member is INSTANCE/CLASS/CODE");
    if (!name || !*name || strlen(name) > 200 || !pc_utf8_valid(name, strlen(name)))
        return pc_err_set(err, PC_EINVAL, "a member needs a name of at most 200 characters");
    int rc = same_instance(c, member, err);
    struct pc_arena a;
    pc_arena_init(&a);
    const char *id = xr_id_str(&a, member);
    struct db_conn *k;
    if (!rc && !(rc = audit_begin(c->db, &k, err))) {
        rc = insert(k, "INSERT INTO xr_members (id, name, created_at) VALUES (?, ?, ?)", id, name,
                    pc_arena_printf(&a, "the member %s is registered already", id), err);
        rc = xr_central_finish(k, rc, actor, "xr.member.add", "member", id, name, err);
    }
    pc_arena_release(&a);
    return rc;
}

int xr_central_add_subsystem(struct xr_central *c, const char *actor, const struct xr_id *sub, struct pc_err *err)
{
    if (sub->kind != XR_ID_SUBSYSTEM)
        return pc_err_set(err, PC_EINVAL, "a subsystem is INSTANCE/CLASS/CODE/SUBSYSTEM");
    int rc = same_instance(c, sub, err);
    struct pc_arena a;
    pc_arena_init(&a);
    struct xr_id m;
    xr_id_member(sub, &m);
    const char *id = xr_id_str(&a, sub), *mid = xr_id_str(&a, &m);
    struct db_conn *k;
    if (!rc && !(rc = audit_begin(c->db, &k, err))) {
        rc = exists(k, "SELECT 1 FROM xr_members WHERE id = ?", mid, err);
        if (rc == 0)
            rc = pc_err_set(err, PC_ENOTFOUND, "no member %s", mid);
        else if (rc == 1)
            rc = insert(k, "INSERT INTO xr_subsystems (id, member, created_at) VALUES (?, ?, ?)", id, mid,
                        pc_arena_printf(&a, "the subsystem %s is registered already", id), err);
        rc = xr_central_finish(k, rc, actor, "xr.subsystem.add", "subsystem", id, NULL, err);
    }
    pc_arena_release(&a);
    return rc;
}

int xr_central_put_gateway(struct xr_central *c, const char *actor, const struct xr_id *gw, const char *address,
                           const char *cert_pem, struct pc_err *err)
{
    if (gw->kind != XR_ID_GATEWAY)
        return pc_err_set(err, PC_EINVAL, "a gateway is INSTANCE/CLASS/CODE/SERVERCODE");
    if (!pc_str_has_prefix(address, "http://") && !pc_str_has_prefix(address, "https://"))
        return pc_err_set(err, PC_EINVAL, "a gateway's address is an http(s) URL");
    if (strlen(address) > 512)
        return pc_err_set(err, PC_EINVAL, "the address is too long");
    X509 *x = cert_pem ? xr_cert_from_pem(cert_pem, strlen(cert_pem)) : NULL;
    if (!x)
        return pc_err_set(err, PC_EINVAL, "the authentication certificate is not PEM");
    struct xr_id owner;
    xr_id_member(gw, &owner);
    bool owned = xr_cert_is_member(x, &owner);
    X509_free(x);
    if (!owned)
        return pc_err_set(err, PC_EINVAL, "the authentication certificate is not the owner member's (NTRAZ-%s)",
                          gw->member);
    int rc = same_instance(c, gw, err);
    struct pc_arena a;
    pc_arena_init(&a);
    const char *id = xr_id_str(&a, gw), *mid = xr_id_str(&a, &owner);
    struct db_conn *k;
    if (!rc && !(rc = audit_begin(c->db, &k, err))) {
        rc = exists(k, "SELECT 1 FROM xr_members WHERE id = ?", mid, err);
        if (rc == 0)
            rc = pc_err_set(err, PC_ENOTFOUND, "no member %s", mid);
        else if (rc == 1) {
            struct db_stmt *s = db_prepare(k, "UPDATE xr_gateways SET address = ?, auth_cert = ?, updated_at = ? "
                                              "WHERE id = ?", err);
            if (s) {
                db_bind_text(s, 1, address);
                db_bind_text(s, 2, cert_pem);
                db_bind_int(s, 3, pc_now_unix());
                db_bind_text(s, 4, id);
            }
            int64_t n = s ? db_run(s, err) : PC_EIO;
            rc = n < 0 ? (int)n : 0;
            if (n == 0) {
                s = db_prepare(k, "INSERT INTO xr_gateways (id, owner, address, auth_cert, updated_at) "
                                  "VALUES (?, ?, ?, ?, ?)", err);
                if (s) {
                    db_bind_text(s, 1, id);
                    db_bind_text(s, 2, mid);
                    db_bind_text(s, 3, address);
                    db_bind_text(s, 4, cert_pem);
                    db_bind_int(s, 5, pc_now_unix());
                }
                rc = run(s, err);
            }
        }
        rc = xr_central_finish(k, rc, actor, "xr.gateway.put", "gateway", id, address, err);
    }
    pc_arena_release(&a);
    return rc;
}

int xr_central_gateway_client(struct xr_central *c, const char *actor, const struct xr_id *gw,
                              const struct xr_id *sub, struct pc_err *err)
{
    if (gw->kind != XR_ID_GATEWAY || sub->kind != XR_ID_SUBSYSTEM)
        return pc_err_set(err, PC_EINVAL, "a gateway and a subsystem are needed");
    struct pc_arena a;
    pc_arena_init(&a);
    const char *gid = xr_id_str(&a, gw), *sid = xr_id_str(&a, sub);
    struct db_conn *k;
    int rc = audit_begin(c->db, &k, err);
    if (!rc) {
        rc = exists(k, "SELECT 1 FROM xr_gateways WHERE id = ?", gid, err);
        if (rc == 1)
            rc = exists(k, "SELECT 1 FROM xr_subsystems WHERE id = ?", sid, err);
        if (rc == 0)
            rc = pc_err_set(err, PC_ENOTFOUND, "no gateway %s or no subsystem %s", gid, sid);
        if (rc == 1)
            rc = insert(k, "INSERT INTO xr_gateway_clients (gateway, client) VALUES (?, ?)", gid, sid,
                        pc_arena_printf(&a, "%s is a client of %s already", sid, gid), err);
        rc = xr_central_finish(k, rc, actor, "xr.gateway.client", "gateway", gid, sid, err);
    }
    pc_arena_release(&a);
    return rc;
}

int xr_central_put_service(struct xr_central *c, const char *actor, const struct xr_service_rec *sv,
                           struct pc_err *err)
{
    if (sv->id.kind != XR_ID_SERVICE)
        return pc_err_set(err, PC_EINVAL, "a service is INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE");
    bool query = pc_str_eq(sv->kind, "query");
    if (!query && !pc_str_eq(sv->kind, "document"))
        return pc_err_set(err, PC_EINVAL, "a service's kind is query or document");
    if (!sv->version || !*sv->version || strlen(sv->version) > 32 || !sv->title || strlen(sv->title) > 200 ||
        !pc_utf8_valid(sv->title, strlen(sv->title)))
        return pc_err_set(err, PC_EINVAL, "a service needs a version (at most 32) and a title (at most 200)");
    if (sv->max_request < 0 || sv->max_request > XR_MESSAGE_MAX || sv->max_response < 0 ||
        sv->max_response > XR_MESSAGE_MAX || sv->timeout_ms < 0 || sv->timeout_ms > 600000)
        return pc_err_set(err, PC_EINVAL, "limits: bodies up to %d bytes, a timeout up to 600 s", XR_MESSAGE_MAX);
    if (sv->openapi && (strlen(sv->openapi) > 1 << 20 || !pc_utf8_valid(sv->openapi, strlen(sv->openapi))))
        return pc_err_set(err, PC_EINVAL, "the OpenAPI description must be UTF-8 of at most 1 MiB");
    struct pc_arena a;
    pc_arena_init(&a);
    struct xr_id prov;
    xr_id_provider(&sv->id, &prov);
    const char *id = xr_id_str(&a, &sv->id), *pid = xr_id_str(&a, &prov);
    /* the technical requirements of 2014: a query of at most 10 KB */
    int64_t maxreq = sv->max_request ? sv->max_request : query ? XR_QUERY_MAX_REQUEST : XR_MESSAGE_MAX;
    int64_t maxres = sv->max_response ? sv->max_response : XR_MESSAGE_MAX;
    struct db_conn *k;
    int rc = same_instance(c, &sv->id, err);
    if (!rc && !(rc = audit_begin(c->db, &k, err))) {
        rc = exists(k, "SELECT 1 FROM xr_subsystems WHERE id = ?", pid, err);
        if (rc == 0)
            rc = pc_err_set(err, PC_ENOTFOUND, "no subsystem %s", pid);
        if (rc == 1) {
            struct db_stmt *s = db_prepare(k, "DELETE FROM xr_services WHERE id = ? AND NOT EXISTS "
                                              "(SELECT 1 FROM xr_access WHERE service = ?)", err);
            if (s) {
                db_bind_text(s, 1, id);
                db_bind_text(s, 2, id);
            }
            rc = run(s, err);
            s = rc ? NULL : db_prepare(k, "UPDATE xr_services SET version = ?, title = ?, kind = ?, max_request = ?, "
                                          "max_response = ?, timeout_ms = ?, openapi = ?, updated_at = ? WHERE id = ?",
                                       err);
            int64_t n = 0;
            if (s) {
                db_bind_text(s, 1, sv->version);
                db_bind_text(s, 2, sv->title);
                db_bind_text(s, 3, sv->kind);
                db_bind_int(s, 4, maxreq);
                db_bind_int(s, 5, maxres);
                db_bind_int(s, 6, sv->timeout_ms);
                if (sv->openapi)
                    db_bind_text(s, 7, sv->openapi);
                else
                    db_bind_null(s, 7);
                db_bind_int(s, 8, pc_now_unix());
                db_bind_text(s, 9, id);
                n = db_run(s, err);
                rc = n < 0 ? (int)n : 0;
            }
            if (!rc && n == 0) {
                s = db_prepare(k, "INSERT INTO xr_services (id, provider, version, title, kind, max_request, "
                                  "max_response, timeout_ms, openapi, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               err);
                if (s) {
                    db_bind_text(s, 1, id);
                    db_bind_text(s, 2, pid);
                    db_bind_text(s, 3, sv->version);
                    db_bind_text(s, 4, sv->title);
                    db_bind_text(s, 5, sv->kind);
                    db_bind_int(s, 6, maxreq);
                    db_bind_int(s, 7, maxres);
                    db_bind_int(s, 8, sv->timeout_ms);
                    if (sv->openapi)
                        db_bind_text(s, 9, sv->openapi);
                    else
                        db_bind_null(s, 9);
                    db_bind_int(s, 10, pc_now_unix());
                }
                rc = run(s, err);
            }
        }
        rc = xr_central_finish(k, rc, actor, "xr.service.put", "service", id, sv->version, err);
    }
    pc_arena_release(&a);
    return rc;
}

int xr_central_add_group(struct xr_central *c, const char *actor, const struct xr_id *group, const char *description,
                         struct pc_err *err)
{
    if (group->kind != XR_ID_GROUP)
        return pc_err_set(err, PC_EINVAL, "a global group is INSTANCE/GROUPCODE");
    if (!description || strlen(description) > 200 || !pc_utf8_valid(description, strlen(description)))
        return pc_err_set(err, PC_EINVAL, "a group's description is at most 200 characters");
    struct pc_arena a;
    pc_arena_init(&a);
    const char *id = xr_id_str(&a, group);
    struct db_conn *k;
    int rc = same_instance(c, group, err);
    if (!rc && !(rc = audit_begin(c->db, &k, err))) {
        rc = insert(k, "INSERT INTO xr_groups (id, description) VALUES (?, ?)", id, description,
                    pc_arena_printf(&a, "the group %s exists already", id), err);
        rc = xr_central_finish(k, rc, actor, "xr.group.add", "group", id, description, err);
    }
    pc_arena_release(&a);
    return rc;
}

/* A client, member or group that the registry knows. */
static int subject_known(struct db_conn *k, const struct xr_id *id, const char *sid, struct pc_err *err)
{
    const char *sql = id->kind == XR_ID_GROUP      ? "SELECT 1 FROM xr_groups WHERE id = ?"
                      : id->kind == XR_ID_MEMBER   ? "SELECT 1 FROM xr_members WHERE id = ?"
                                                   : "SELECT 1 FROM xr_subsystems WHERE id = ?";
    int rc = exists(k, sql, sid, err);
    if (rc == 0)
        rc = pc_err_set(err, PC_ENOTFOUND, "no %s %s", xr_id_kind_name(id->kind), sid);
    return rc == 1 ? 0 : rc;
}

int xr_central_group_member(struct xr_central *c, const char *actor, const struct xr_id *group,
                            const struct xr_id *client, struct pc_err *err)
{
    if (group->kind != XR_ID_GROUP || (client->kind != XR_ID_MEMBER && client->kind != XR_ID_SUBSYSTEM))
        return pc_err_set(err, PC_EINVAL, "a group and a member or subsystem are needed");
    struct pc_arena a;
    pc_arena_init(&a);
    const char *gid = xr_id_str(&a, group), *cid = xr_id_str(&a, client);
    struct db_conn *k;
    int rc = audit_begin(c->db, &k, err);
    if (!rc) {
        rc = subject_known(k, group, gid, err);
        if (!rc)
            rc = subject_known(k, client, cid, err);
        if (!rc)
            rc = insert(k, "INSERT INTO xr_group_members (grp, client) VALUES (?, ?)", gid, cid,
                        pc_arena_printf(&a, "%s is in %s already", cid, gid), err);
        rc = xr_central_finish(k, rc, actor, "xr.group.member", "group", gid, cid, err);
    }
    pc_arena_release(&a);
    return rc;
}

int xr_central_grant(struct xr_central *c, const char *actor, const struct xr_id *service, const struct xr_id *subject,
                     bool revoke, struct pc_err *err)
{
    if (service->kind != XR_ID_SERVICE)
        return pc_err_set(err, PC_EINVAL, "access is granted to a service");
    struct pc_arena a;
    pc_arena_init(&a);
    const char *sv = xr_id_str(&a, service), *sub = xr_id_str(&a, subject);
    struct db_conn *k;
    int rc = audit_begin(c->db, &k, err);
    if (!rc) {
        rc = exists(k, "SELECT 1 FROM xr_services WHERE id = ?", sv, err);
        rc = rc == 1 ? subject_known(k, subject, sub, err)
             : rc == 0 ? pc_err_set(err, PC_ENOTFOUND, "no service %s", sv) : rc;
        struct db_stmt *s = NULL;
        if (!rc && revoke) {
            s = db_prepare(k, "DELETE FROM xr_access WHERE service = ? AND subject = ?", err);
        } else if (!rc) {
            s = db_prepare(k, "INSERT INTO xr_access (service, subject, granted_at) VALUES (?, ?, ?)", err);
            if (s)
                db_bind_int(s, 3, pc_now_unix());
        }
        if (s) {
            db_bind_text(s, 1, sv);
            db_bind_text(s, 2, sub);
        }
        if (!rc) {
            int64_t n = s ? db_run(s, err) : PC_EIO;
            rc = n < 0 ? (int)n : 0;
            if (rc == PC_ECONFLICT)
                pc_err_set(err, rc, "%s may call %s already", sub, sv);
            else if (!rc && n == 0)
                rc = pc_err_set(err, PC_ENOTFOUND, "%s had no access to %s", sub, sv);
        }
        rc = xr_central_finish(k, rc, actor, revoke ? "xr.access.revoke" : "xr.access.grant", "service", sv, sub, err);
    }
    pc_arena_release(&a);
    return rc;
}

/* The registry's epoch moves with an audit entry of its own, so the next
 * read of the configuration (here, at once) signs a new version, on every
 * process sharing the database. */
int xr_central_publish(struct xr_central *c, const char *actor, int64_t *version, struct pc_err *err)
{
    struct db_conn *k;
    int rc = audit_begin(c->db, &k, err);
    if (!rc)
        rc = xr_central_finish(k, 0, actor, "xr.gconf.publish", "gconf", c->instance, NULL, err);
    struct pc_arena a;
    pc_arena_init(&a);
    struct xr_gconf_pub pub;
    if (!rc && !(rc = xr_central_gconf(c, &a, &pub, err))) {
        pthread_mutex_lock(&c->lock);
        *version = c->cur_version;
        pthread_mutex_unlock(&c->lock);
    }
    pc_arena_release(&a);
    return rc;
}

static int put_setting(struct db_conn *k, const char *name, const char *value, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(k, "DELETE FROM xr_settings WHERE name = ?", err);
    if (s)
        db_bind_text(s, 1, name);
    int rc = run(s, err);
    s = rc ? NULL : db_prepare(k, "INSERT INTO xr_settings (name, value) VALUES (?, ?)", err);
    if (s) {
        db_bind_text(s, 1, name);
        db_bind_text(s, 2, value ? value : "");
    }
    return rc ? rc : run(s, err);
}

int xr_central_put_ca(struct xr_central *c, const char *actor, const struct xr_ca_rec *ca, struct pc_err *err)
{
    X509_STORE *st = ca->chain_pem ? xr_store_from_pem(ca->chain_pem) : NULL;
    if (!st)
        return pc_err_set(err, PC_EINVAL, "the CA chain is not PEM certificates");
    X509_STORE_free(st);
    if (!pc_str_has_prefix(ca->ocsp_url, "http") || !pc_str_has_prefix(ca->tsa_url, "http"))
        return pc_err_set(err, PC_EINVAL, "the OCSP and TSA URLs must be http(s)");
    struct db_conn *k;
    int rc = audit_begin(c->db, &k, err);
    if (!rc) {
        rc = put_setting(k, "ca_name", ca->name, err);
        if (!rc)
            rc = put_setting(k, "ca_chain", ca->chain_pem, err);
        if (!rc)
            rc = put_setting(k, "ocsp_url", ca->ocsp_url, err);
        if (!rc)
            rc = put_setting(k, "tsa_url", ca->tsa_url, err);
        rc = xr_central_finish(k, rc, actor, "xr.ca.put", "ca", ca->name ? ca->name : "", ca->ocsp_url, err);
    }
    return rc;
}

/* ---- the registry as JSON (shared parameters, the operator's view) ----------- */

static json_t *strings(struct db_conn *k, const char *sql, const char *key, struct pc_err *err, int *rc)
{
    json_t *arr = json_array();
    struct db_stmt *s = db_prepare(k, sql, err);
    if (!s) {
        *rc = err && err->code ? err->code : PC_EIO;
        return arr;
    }
    if (key)
        db_bind_text(s, 1, key);
    int r;
    while ((r = db_step(s, err)) == 1)
        json_array_append_new(arr, json_string(db_col_text(s, 0)));
    if (r < 0)
        *rc = r;
    return arr;
}

int xr_central_params(struct xr_central *c, json_t **out, int64_t *epoch, struct pc_err *err)
{
    struct db_conn *k = db_conn_get(c->db, err);
    if (!k)
        return err && err->code ? err->code : PC_EIO;
    int rc = db_begin(k, err);
    if (rc)
        return rc;
    json_t *root = json_pack("{s:s}", "instance", c->instance);
    struct db_stmt *s = db_prepare(k, "SELECT epoch FROM xr_epoch WHERE id = 1", err);
    rc = !s ? PC_EIO : db_step(s, err) == 1 ? 0 : pc_err_set(err, PC_EIO, "the registry has no epoch");
    if (!rc)
        *epoch = db_col_int(s, 0);
    json_t *members = json_array();
    json_object_set_new(root, "members", members);
    s = rc ? NULL : db_prepare(k, "SELECT id, name FROM xr_members ORDER BY id", err);
    int r = s ? 0 : -1;
    json_t *ids = json_array();
    while (s && (r = db_step(s, err)) == 1) {
        json_array_append_new(members, json_pack("{s:s, s:s}", "id", db_col_text(s, 0), "name", db_col_text(s, 1)));
        json_array_append_new(ids, json_string(db_col_text(s, 0)));
    }
    if (!rc && r < 0)
        rc = r;
    for (size_t i = 0; !rc && i < json_array_size(ids); i++)
        json_object_set_new(json_array_get(members, i), "subsystems",
                            strings(k, "SELECT id FROM xr_subsystems WHERE member = ? ORDER BY id",
                                    json_string_value(json_array_get(ids, i)), err, &rc));
    json_decref(ids);
    json_t *gws = json_array();
    json_object_set_new(root, "gateways", gws);
    s = rc ? NULL : db_prepare(k, "SELECT id, address, auth_cert FROM xr_gateways ORDER BY id", err);
    while (s && (r = db_step(s, err)) == 1)
        json_array_append_new(gws, json_pack("{s:s, s:s, s:s}", "id", db_col_text(s, 0), "address",
                                             db_col_text(s, 1), "auth_cert", db_col_text(s, 2)));
    if (!rc && s && r < 0)
        rc = r;
    for (size_t i = 0; !rc && i < json_array_size(gws); i++) {
        json_t *g = json_array_get(gws, i);
        json_object_set_new(g, "clients", strings(k, "SELECT client FROM xr_gateway_clients WHERE gateway = ? "
                                                     "ORDER BY client",
                                                  json_string_value(json_object_get(g, "id")), err, &rc));
    }
    json_t *svcs = json_array();
    json_object_set_new(root, "services", svcs);
    s = rc ? NULL : db_prepare(k, "SELECT id, version, title, kind, max_request, max_response, timeout_ms, openapi "
                                  "FROM xr_services ORDER BY id", err);
    while (s && (r = db_step(s, err)) == 1) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:i}", "id", db_col_text(s, 0), "version",
                              db_col_text(s, 1), "title", db_col_text(s, 2), "kind", db_col_text(s, 3), "max_request",
                              (json_int_t)db_col_int(s, 4), "max_response", (json_int_t)db_col_int(s, 5),
                              "timeout_ms", (int)db_col_int(s, 6));
        json_object_set_new(o, "openapi", db_col_is_null(s, 7) ? json_null() : json_string(db_col_text(s, 7)));
        json_array_append_new(svcs, o);
    }
    if (!rc && s && r < 0)
        rc = r;
    json_t *groups = json_array();
    json_object_set_new(root, "groups", groups);
    s = rc ? NULL : db_prepare(k, "SELECT id, description FROM xr_groups ORDER BY id", err);
    while (s && (r = db_step(s, err)) == 1)
        json_array_append_new(groups, json_pack("{s:s, s:s}", "id", db_col_text(s, 0), "description",
                                                db_col_text(s, 1)));
    if (!rc && s && r < 0)
        rc = r;
    for (size_t i = 0; !rc && i < json_array_size(groups); i++) {
        json_t *g = json_array_get(groups, i);
        json_object_set_new(g, "members", strings(k, "SELECT client FROM xr_group_members WHERE grp = ? "
                                                     "ORDER BY client",
                                                  json_string_value(json_object_get(g, "id")), err, &rc));
    }
    json_t *access = json_array();
    json_object_set_new(root, "access", access);
    s = rc ? NULL : db_prepare(k, "SELECT service, subject FROM xr_access ORDER BY service, subject", err);
    while (s && (r = db_step(s, err)) == 1)
        json_array_append_new(access, json_pack("{s:s, s:s}", "service", db_col_text(s, 0), "subject",
                                                db_col_text(s, 1)));
    if (!rc && s && r < 0)
        rc = r;
    json_t *ca = json_object();
    json_object_set_new(root, "ca", ca);
    s = rc ? NULL : db_prepare(k, "SELECT name, value FROM xr_settings ORDER BY name", err);
    while (s && (r = db_step(s, err)) == 1)
        json_object_set_new(ca, db_col_text(s, 0), json_string(db_col_text(s, 1)));
    if (!rc && s && r < 0)
        rc = r;
    db_rollback(k); /* a read: one snapshot for all of it */
    db_conn_idle(k);
    if (rc) {
        json_decref(root);
        return rc;
    }
    *out = root;
    return 0;
}

int xr_central_dump(struct xr_central *c, struct pc_arena *a, const char **json, struct pc_err *err)
{
    json_t *root;
    int64_t epoch;
    int rc = xr_central_params(c, &root, &epoch, err);
    if (rc)
        return rc;
    /* the operator sees no certificates, only whose they are */
    json_t *g;
    size_t i;
    json_array_foreach(json_object_get(root, "gateways"), i, g) {
        const char *pem = json_string_value(json_object_get(g, "auth_cert"));
        X509 *x = pem ? xr_cert_from_pem(pem, strlen(pem)) : NULL;
        char fp[65] = "";
        if (x)
            xr_cert_fp(x, fp);
        X509_free(x);
        json_object_set_new(g, "auth_cert", json_string(fp));
    }
    json_t *sv;
    json_array_foreach(json_object_get(root, "services"), i, sv)
        json_object_set_new(sv, "openapi", json_boolean(json_is_string(json_object_get(sv, "openapi"))));
    json_object_del(json_object_get(root, "ca"), "ca_chain");
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    *json = pc_arena_strdup(a, s);
    free(s);
    return 0;
}

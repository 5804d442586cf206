/* clients.c — the registry of agencies' sites that may sign people in
 * through the portal, kept by the portal operator: names in every
 * language, the agency (the sector of pairwise subjects), confidential or
 * public, the subject type, and the exact redirect, post-logout and
 * back-channel logout URIs. */
#include "internal.h"
#include "../catalog/catalog.h"

#include <string.h>

/* An absolute https URL (http only to this machine, for development and
 * the demo), no fragment, no spaces or control characters. */
static bool uri_ok(const char *u)
{
    size_t n = u ? strlen(u) : 0;
    if (n == 0 || n > OIDC_URI_MAX || strchr(u, '#'))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f || u[i] == '"' || u[i] == '<' || u[i] == '>' || u[i] == '\\')
            return false;
    const char *host;
    if (pc_str_has_prefix(u, "https://"))
        host = u + 8;
    else if (pc_str_has_prefix(u, "http://"))
        host = u + 7;
    else
        return false;
    size_t hl = strcspn(host, "/?");
    if (hl == 0 || host[0] == '@' || memchr(host, '@', hl))
        return false;
    if (host == u + 8)
        return true;
    static const char *const loopback[] = {"127.0.0.1", "localhost", "[::1]"};
    for (size_t i = 0; i < sizeof loopback / sizeof loopback[0]; i++) {
        size_t ln = strlen(loopback[i]);
        if (strncmp(host, loopback[i], ln) == 0 && (host[ln] == ':' || host[ln] == '/' || host[ln] == 0 ||
                                                     host[ln] == '?'))
            return true;
    }
    return false;
}

static bool id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n < 3 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-' || id[i] == '_' ||
              id[i] == '.'))
            return false;
    return true;
}

/* Refuse a field: PC_EINVAL, and which field in *bad. */
static int refuse(struct oidc_client_problem *bad, enum oidc_client_field f, int lang, struct pc_err *err,
                  const char *msg)
{
    *bad = (struct oidc_client_problem){f, (enum pc_lang)lang};
    return pc_err_set(err, PC_EINVAL, "%s", msg);
}

static int check_client(struct db *db, struct pc_arena *a, const struct oidc_client *in,
                        struct oidc_client_problem *bad, struct pc_err *err)
{
    if (in->id && !id_ok(in->id))
        return refuse(bad, OIDC_FIELD_ID, 0, err, "client id: 3–64 of a-z, 0-9, '.', '_', '-'");
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        const char *s = in->name.s[l];
        if (!s || !*s || strlen(s) > 100 || !pc_utf8_valid(s, strlen(s)))
            return refuse(bad, OIDC_FIELD_NAME, l, err, "a name: 1–100 characters in every language");
    }
    struct cat_agency ag;
    struct pc_err aerr = {0};
    int rc = in->agency_id ? cat_get_agency(db, a, in->agency_id, &ag, &aerr) : PC_ENOTFOUND;
    if (rc == PC_ENOTFOUND)
        return refuse(bad, OIDC_FIELD_AGENCY, 0, err, "agency: not in the catalogue");
    if (rc) {
        *err = aerr;
        return rc;
    }
    bool ok = in->nredirect > 0 && in->nredirect <= OIDC_URIS_MAX;
    for (size_t i = 0; ok && i < in->nredirect; i++)
        ok = uri_ok(in->redirect_uris[i]);
    if (!ok)
        return refuse(bad, OIDC_FIELD_REDIRECT_URIS, 0, err,
                      "redirect URIs: 1 to 8 https URLs without a fragment (http only to this machine)");
    ok = in->npost_logout <= OIDC_URIS_MAX;
    for (size_t i = 0; ok && i < in->npost_logout; i++)
        ok = uri_ok(in->post_logout_uris[i]);
    if (!ok)
        return refuse(bad, OIDC_FIELD_POST_LOGOUT_URIS, 0, err,
                      "post-logout URIs: up to 8 https URLs without a fragment (http only to this machine)");
    if (in->backchannel_logout_uri && !uri_ok(in->backchannel_logout_uri))
        return refuse(bad, OIDC_FIELD_BACKCHANNEL_URI, 0, err,
                      "back-channel logout URI: an https URL without a fragment (http only to this machine)");
    return 0;
}

static int insert_uris(struct db_conn *c, const char *id, const char *kind, const char *const *uris, size_t n,
                       struct pc_err *err)
{
    for (size_t i = 0; i < n; i++) {
        bool again = false; /* the same URI twice (a failed insert would end a PostgreSQL transaction) */
        for (size_t j = 0; j < i; j++)
            again = again || strcmp(uris[i], uris[j]) == 0;
        struct db_stmt *s = again ? NULL
                                  : db_prepare(c, "INSERT INTO oidc_client_uris (client_id, kind, uri) VALUES (?, ?, ?)",
                                               err);
        if (again)
            continue;
        if (!s)
            return oidc__failed(err);
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, kind);
        db_bind_text(s, 3, uris[i]);
        int rc = oidc__ran(db_run(s, err));
        if (rc)
            return rc;
    }
    return 0;
}

int oidc_client_create(struct db *db, struct pc_arena *a, const struct oidc_client *in, const char *by,
                       const char *ip, const char **client_id, const char **secret, struct oidc_client_problem *bad,
                       struct pc_err *err)
{
    struct oidc_client_problem ignored;
    int rc = check_client(db, a, in, bad ? bad : &ignored, err);
    if (rc)
        return rc;
    char made[24], sec[44], hash[65];
    const char *id = in->id;
    if (!id) {
        pc_random_hex(made, 8);
        memmove(made + 3, made, 17);
        memcpy(made, "rp-", 3);
        id = made;
    }
    *secret = NULL;
    if (in->confidential) {
        if ((rc = oidc__token(sec, err)))
            return rc;
        oidc__hash(sec, hash);
    }
    struct db_conn *c;
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO oidc_clients (id, name_az, name_en, name_ru, agency_id, confidential, secret_hash,"
        " subject_type, backchannel_logout_uri, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
    rc = s ? 0 : oidc__failed(err);
    if (s) {
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, in->name.s[PC_LANG_AZ]);
        db_bind_text(s, 3, in->name.s[PC_LANG_EN]);
        db_bind_text(s, 4, in->name.s[PC_LANG_RU]);
        db_bind_text(s, 5, in->agency_id);
        db_bind_int(s, 6, in->confidential);
        if (in->confidential)
            db_bind_text(s, 7, hash);
        else
            db_bind_null(s, 7);
        db_bind_text(s, 8, in->subject == OIDC_SUB_PAIRWISE ? "pairwise" : "public");
        if (in->backchannel_logout_uri)
            db_bind_text(s, 9, in->backchannel_logout_uri);
        else
            db_bind_null(s, 9);
        db_bind_int(s, 10, pc_now_unix());
        db_bind_text(s, 11, by);
        rc = oidc__ran(db_run(s, err));
        if (rc == PC_ECONFLICT)
            pc_err_set(err, PC_ECONFLICT, "client id %s is taken", id);
    }
    if (!rc)
        rc = insert_uris(c, id, "redirect", in->redirect_uris, in->nredirect, err);
    if (!rc)
        rc = insert_uris(c, id, "post_logout", in->post_logout_uris, in->npost_logout, err);
    struct audit_entry e = {.actor = by, .role = "operator", .action = "oidc.client.create",
                            .object_type = "oidc_client", .object_id = id, .ip = ip ? ip : "",
                            .detail = pc_arena_printf(a, "%s, %s subject, agency %s",
                                                      in->confidential ? "confidential" : "public",
                                                      in->subject == OIDC_SUB_PAIRWISE ? "pairwise" : "public",
                                                      in->agency_id)};
    rc = audit_end(c, rc, &e, err);
    if (rc)
        return rc;
    *client_id = pc_arena_strdup(a, id);
    if (in->confidential)
        *secret = pc_arena_strdup(a, sec);
    OPENSSL_cleanse(sec, sizeof sec);
    return 0;
}

#define CLIENT_COLUMNS "id, name_az, name_en, name_ru, agency_id, confidential, subject_type," \
                       " backchannel_logout_uri, created_at, disabled_at"

static void client_row(struct pc_arena *a, struct db_stmt *s, struct oidc_client *out)
{
    memset(out, 0, sizeof *out);
    out->id = pc_arena_strdup(a, db_col_text(s, 0));
    for (int l = 0; l < PC_LANG_COUNT; l++)
        out->name.s[l] = pc_arena_strdup(a, db_col_text(s, 1 + l));
    out->agency_id = pc_arena_strdup(a, db_col_text(s, 4));
    out->confidential = db_col_int(s, 5) != 0;
    out->subject = pc_str_eq(db_col_text(s, 6), "pairwise") ? OIDC_SUB_PAIRWISE : OIDC_SUB_PUBLIC;
    out->backchannel_logout_uri = pc_arena_strdup(a, db_col_text(s, 7));
    out->created_at = db_col_int(s, 8);
    out->disabled = !db_col_is_null(s, 9);
}

/* Add the URIs of the clients in list (all of them when id is NULL). */
static int load_uris(struct db_conn *c, struct pc_arena *a, const char *id, struct oidc_client *list, size_t n,
                     struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, id ? "SELECT client_id, kind, uri FROM oidc_client_uris WHERE client_id = ?"
                                            " ORDER BY uri"
                                         : "SELECT client_id, kind, uri FROM oidc_client_uris ORDER BY uri", err);
    if (!s)
        return oidc__failed(err);
    if (id)
        db_bind_text(s, 1, id);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        for (size_t i = 0; i < n; i++) {
            struct oidc_client *cl = &list[i];
            if (!pc_str_eq(cl->id, db_col_text(s, 0)))
                continue;
            bool redirect = pc_str_eq(db_col_text(s, 1), "redirect");
            size_t *k = redirect ? &cl->nredirect : &cl->npost_logout;
            if (*k < OIDC_URIS_MAX)
                (redirect ? cl->redirect_uris : cl->post_logout_uris)[(*k)++] = pc_arena_strdup(a, db_col_text(s, 2));
        }
    }
    return rc < 0 ? rc : 0;
}

int oidc_client_get(struct db *db, struct pc_arena *a, const char *id, struct oidc_client *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " CLIENT_COLUMNS " FROM oidc_clients WHERE id = ?", err) : NULL;
    if (!s)
        return oidc__failed(err);
    db_bind_text(s, 1, id ? id : "");
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such client");
    client_row(a, s, out);
    db_conn_idle(c);
    return load_uris(c, a, out->id, out, 1, err);
}

int oidc_client_list(struct db *db, struct pc_arena *a, struct oidc_client **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " CLIENT_COLUMNS " FROM oidc_clients ORDER BY created_at DESC, id"
                                          " LIMIT 500", err) : NULL;
    if (!s)
        return oidc__failed(err);
    *out = pc_arena_array(a, OIDC_CLIENTS_MAX, sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < OIDC_CLIENTS_MAX)
        client_row(a, s, &(*out)[(*n)++]);
    if (rc < 0)
        return rc;
    db_conn_idle(c);
    return load_uris(c, a, NULL, *out, *n, err);
}

int oidc_client_disable(struct db *db, const char *id, const char *by, const char *ip, struct pc_err *err)
{
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    int64_t now = pc_now_unix();
    struct db_stmt *s = db_prepare(c, "UPDATE oidc_clients SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL",
                                   err);
    rc = s ? 0 : oidc__failed(err);
    if (s) {
        db_bind_int(s, 1, now);
        db_bind_text(s, 2, id);
        int64_t rows = db_run(s, err);
        rc = rows < 0 ? (int)rows : rows == 0 ? pc_err_set(err, PC_ENOTFOUND, "no such active client") : 0;
    }
    if (!rc && !(s = db_prepare(c, "UPDATE oidc_tokens SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL",
                                err)))
        rc = oidc__failed(err);
    if (!rc) {
        db_bind_int(s, 1, now);
        db_bind_text(s, 2, id);
        rc = oidc__ran(db_run(s, err));
    }
    struct audit_entry e = {.actor = by, .role = "operator", .action = "oidc.client.disable",
                            .object_type = "oidc_client", .object_id = id, .ip = ip ? ip : "", .detail = ""};
    return audit_end(c, rc, &e, err);
}

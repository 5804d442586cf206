/* api_esafe.c — the e-safe in the JSON API (bearer tokens): the owner's
 * documents, upload, download, delete, shares and their revocation, and
 * the third party's opening by code without an account.  The same calls
 * of src/esafe as the pages; the same refusals. */
#include "internal.h"

#include <string.h>

#define DAY (24 * 3600)

static json_t *time_json(int64_t t)
{
    char ts[21];
    if (t == ESAFE_FOREVER || t == 0)
        return json_null();
    pc_rfc3339(t, ts);
    return json_string(ts);
}

static json_t *doc_json(const struct esafe_doc *d)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "id", d->id, "kind", esafe_kind_name(d->kind),
                          "title", d->title, "content_type", d->content_type, "file_name", d->file_name,
                          "size", (json_int_t)d->size, "sha256", d->sha256, "source", d->source, "source_ref",
                          d->source_ref);
    json_object_set_new(j, "folder", d->folder_id ? json_string(d->folder_id) : json_null());
    json_object_set_new(j, "created_at", time_json(d->created_at));
    json_object_set_new(j, "retain_until", time_json(d->retain_until));
    return j;
}

static const char *const state_names[] = {[ESAFE_SHARE_OPEN] = "open", [ESAFE_SHARE_EXPIRED] = "expired",
                                          [ESAFE_SHARE_REVOKED] = "revoked", [ESAFE_SHARE_USED_UP] = "used_up"};

static json_t *share_json(const struct esafe_share *s)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i}", "id", s->id, "document", s->doc_id, "recipient",
                          s->recipient, "purpose", s->purpose, "state", state_names[s->state], "max_opens", s->max_opens,
                          "opens", s->opens);
    json_object_set_new(j, "created_at", time_json(s->created_at));
    json_object_set_new(j, "expires_at", time_json(s->expires_at));
    json_object_set_new(j, "revoked_at", time_json(s->revoked_at));
    return j;
}

static void release_json(void *p)
{
    json_decref(p);
}

/* A string member of the JSON object body (NULL when absent or not a
 * string); *bad is set when the body is not a JSON object. */
static const char *member(struct http_req *r, const char *key, json_t **body)
{
    if (!*body) {
        *body = json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, NULL);
        if (*body)
            pc_arena_defer(&r->arena, release_json, *body);
    }
    return json_is_object(*body) ? json_string_value(json_object_get(*body, key)) : NULL;
}

static int64_t int_member(json_t *body, const char *key, int64_t fallback)
{
    json_t *v = json_is_object(body) ? json_object_get(body, key) : NULL;
    return !v ? fallback : json_is_integer(v) ? json_integer_value(v) : -1;
}

int web_api_esafe_list(struct http_req *r)
{
    struct esafe_owner o;
    if (!web_esafe_owner(r, &o))
        return 0;
    static const char *const allowed[] = {"q", "kind", "folder", NULL};
    if (!web_only_params(r, allowed))
        return 0;
    struct pc_err err = {0};
    int rc = esafe_gather(app_of(r)->db, &o, web_who(r)->account_id, &err);
    if (rc)
        pc_log(PC_LOG_WARN, "esafe.gather_failed", "msg", err.msg, NULL); /* the e-safe shows what it has */
    const char *kind = http_kv_get(&r->query, "kind");
    struct esafe_query q = {.kind = kind ? esafe_kind_parse(kind) : -1, .text = http_kv_get(&r->query, "q"),
                            .folder_id = http_kv_get(&r->query, "folder")};
    struct esafe_doc *docs;
    size_t n;
    rc = kind && q.kind < 0 ? pc_err_set(&err, PC_EINVAL, "unknown kind %.32s", kind)
                            : esafe_list(app_of(r)->db, &r->arena, &o, &q, &docs, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, doc_json(&docs[i]));
    return web_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int web_api_esafe_upload(struct http_req *r)
{
    struct esafe_owner o;
    char id[ESAFE_ID_LEN + 1];
    if (web_esafe_keep_upload(r, &o, id))
        return 0;
    struct esafe_doc d;
    struct pc_err err = {0};
    int rc = esafe_get(app_of(r)->db, &r->arena, &o, id, &d, &err);
    return rc ? web_fail(r, rc, &err) : web_reply_json(r, 201, doc_json(&d));
}

int web_api_esafe_get(struct http_req *r)
{
    struct web_esafe_view v;
    if (web_esafe_view(r, &v))
        return 0;
    const struct esafe_share *sh = v.shares;
    const struct esafe_opening *op = v.openings;
    size_t ns = v.nshares, nop = v.nopenings;
    json_t *j = doc_json(&v.d), *shares = json_array(), *openings = json_array();
    for (size_t i = 0; i < ns; i++)
        json_array_append_new(shares, share_json(&sh[i]));
    for (size_t i = 0; i < nop; i++) {
        json_t *e = json_pack("{s:s, s:s, s:s}", "share", op[i].share_id, "organisation", op[i].organisation, "network",
                              op[i].network);
        json_object_set_new(e, "at", time_json(op[i].at));
        json_array_append_new(openings, e);
    }
    json_object_set_new(j, "shares", shares);
    json_object_set_new(j, "openings", openings);
    return web_reply_json(r, 200, j);
}

int web_api_esafe_delete(struct http_req *r)
{
    struct pc_err err = {0};
    int rc = web_esafe_change(r, esafe_delete, &err);
    if (rc)
        return rc == 1 ? 0 : web_fail(r, rc, &err);
    return web_reply_json(r, 200, json_pack("{s:s, s:b}", "id", http_param(r, 0), "deleted", 1));
}

int web_api_esafe_share(struct http_req *r)
{
    struct esafe_owner o;
    struct esafe_doc d;
    if (web_esafe_doc(r, &o, &d))
        return 0;
    json_t *body = NULL;
    const char *recipient = member(r, "recipient", &body), *purpose = member(r, "purpose", &body);
    int64_t days = int_member(body, "days", 7), opens = int_member(body, "max_opens", 3);
    struct pc_err err = {0};
    if (!json_is_object(body))
        return web_fail(r, pc_err_set(&err, PC_EINVAL, "the body must be a JSON object"), &err);
    if (days < 1 || days > ESAFE_SHARE_DAYS_MAX)
        return web_fail(r, pc_err_set(&err, PC_EINVAL, "days is 1 to %d", ESAFE_SHARE_DAYS_MAX), &err);
    struct esafe_share_new sn = {d.id, recipient, purpose, pc_now_unix() + days * DAY,
                                 opens < 1 || opens > ESAFE_OPENS_MAX ? -1 : (int)opens};
    struct esafe_share sh;
    char code[ESAFE_CODE_LEN + 1];
    struct esafe_actor by = web_esafe_actor(r);
    int rc = esafe_share_add(app_of(r)->db, &o, &by, &sn, &r->arena, &sh, code, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *j = share_json(&sh);
    json_object_set_new(j, "code", json_string(code));
    json_object_set_new(j, "url", json_string(pc_arena_printf(&r->arena, "%s/esafe/open?code=%s",
                                                              app_of(r)->public_url ? app_of(r)->public_url : "", code)));
    return web_reply_json(r, 201, j);
}

int web_api_esafe_revoke(struct http_req *r)
{
    struct pc_err err = {0};
    int rc = web_esafe_change(r, esafe_share_revoke, &err);
    if (rc)
        return rc == 1 ? 0 : web_fail(r, rc, &err);
    return web_reply_json(r, 200, json_pack("{s:s, s:s}", "id", http_param(r, 0), "state", "revoked"));
}

int web_api_esafe_open(struct http_req *r)
{
    json_t *body = NULL;
    const char *code = member(r, "code", &body), *org = member(r, "organisation", &body);
    enum esafe_share_state st;
    struct esafe_doc d;
    struct pc_err err = {0};
    int rc = esafe_share_open(app_of(r)->db, &r->arena, code, org, r->remote_addr, &st, &d, &err);
    if (rc)
        return web_fail(r, rc, &err);
    if (st != ESAFE_SHARE_OPEN)
        return http_problem(r, 410, pc_arena_printf(&r->arena, "share-%s", state_names[st]), "The share is closed",
                            st == ESAFE_SHARE_EXPIRED ? "It has expired." : st == ESAFE_SHARE_REVOKED
                                ? "The owner revoked it." : "It has been opened as many times as the owner allowed.");
    return web_esafe_send(r, &d);
}

/* esafe_pages.c — the e-safe in HTML: the owner's documents (search by
 * title, kinds, folders), upload, one document (download, folder,
 * retention, delete of own uploads, shares and who opened them), and the
 * page where a third party opens a shared document by its code without
 * an account.  src/esafe decides; this file renders. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY (24 * 3600)

/* ---- shared with the API ---------------------------------------------------------- */

bool web_esafe_owner(struct http_req *r, struct esafe_owner *o)
{
    const struct id_principal *p = web_who(r);
    if (!p || p->kind != ID_ACCOUNT_CITIZEN || !p->fin)
        return web_require(r, ID_ACT_ESAFE, NULL); /* a login, or 403: staff have no e-safe */
    *o = p->acting_for ? (struct esafe_owner){ESAFE_COMPANY, p->acting_for} : (struct esafe_owner){ESAFE_PERSON, p->fin};
    struct id_resource res = {.fin = p->acting_for ? NULL : p->fin, .voen = p->acting_for};
    return web_require(r, ID_ACT_ESAFE, &res);
}

struct esafe_actor web_esafe_actor(struct http_req *r)
{
    const struct id_principal *p = web_who(r);
    int role = id_authorize_role(p, ID_ACT_ESAFE, &(struct id_resource){.fin = p->acting_for ? NULL : p->fin,
                                                                          .voen = p->acting_for});
    return (struct esafe_actor){p->account_id, role >= 0 ? id_role_name((enum id_role)role) : "", r->remote_addr};
}

int web_esafe_send(struct http_req *r, const struct esafe_doc *d)
{
    struct pc_err err = {0};
    if (d->in_files) {
        struct case_file_reader *rd;
        struct case_file info;
        int rc = case_file_open_stored(app_of(r)->files, d->sha256, &rd, &info, &err);
        return rc ? web_fail(r, rc, &err) : web_send_stored_file(r, rd, &info);
    }
    const unsigned char *bytes;
    size_t len;
    int rc = esafe_content(app_of(r)->db, &r->arena, d, &bytes, &len, &err);
    if (rc)
        return web_fail(r, rc, &err);
    pc_buf_reset(&r->out);
    pc_buf_append(&r->out, bytes, len);
    r->status = 200;
    r->content_type = d->content_type;
    r->no_gzip = true;
    /* never shown inline: the name is the e-safe's own (no quotes in it) */
    http_set_header(r, "Content-Disposition", pc_arena_printf(&r->arena, "attachment; filename=\"%s\"", d->file_name));
    return 0;
}

int web_esafe_keep_upload(struct http_req *r, struct esafe_owner *o, char *id)
{
    if (!web_esafe_owner(r, o))
        return 1;
    const char *title = http_kv_get(&r->form, "title");
    struct http_upload *u = r->uploads;
    if (!u || u->next || u->error == PC_ETOOBIG || u->error == PC_EINVAL || !title || !*title) {
        int status = u && u->error == PC_ETOOBIG ? 413 : u && u->error == PC_EINVAL ? 415 : 400;
        const char *type = status == 413 ? "file-too-large" : status == 415 ? "file-type" : "bad-file";
        enum msg m = status == 413 ? M_ESAFE_FILE_TOO_BIG : status == 415 ? M_ESAFE_FILE_TYPE : M_ESAFE_FILE_BAD;
        if (r->is_api)
            http_problem(r, status, type, web_t_lang(PC_LANG_EN, m), NULL);
        else
            http_error(r, status, type, web_t(r, m), NULL);
        return 1;
    }
    struct case_file f;
    web_upload_file(u, &f);
    struct pc_err err = {0};
    /* stored for good and recorded as this account's upload, then put in the e-safe */
    int rc = u->error ? pc_err_set(&err, u->error, "the file could not be stored")
                      : case_upload_keep(web_upload_part(u), web_who(r)->account_id, &f, &err);
    char ref[ESAFE_ID_LEN + 1];
    pc_random_hex(ref, ESAFE_ID_LEN / 2); /* each upload is a document of its own */
    struct esafe_new d = {.owner = *o, .kind = ESAFE_UPLOAD, .title = title, .source = "esafe", .source_ref = ref,
                          .file_sha256 = f.sha256, .file_size = f.size, .content_type = f.mime};
    if (!rc)
        rc = esafe_add_db(app_of(r)->db, &d, id, &err);
    if (rc) {
        web_fail(r, rc, &err);
        return 1;
    }
    return 0;
}

/* ---- words ----------------------------------------------------------------------------- */

static const char *kind_label(struct http_req *r, enum esafe_kind k)
{
    static const enum msg m[ESAFE_KIND_COUNT] = {
        [ESAFE_DECISION] = M_ESAFE_KIND_DECISION, [ESAFE_RESULT] = M_ESAFE_KIND_RESULT,
        [ESAFE_CERTIFICATE] = M_ESAFE_KIND_CERTIFICATE, [ESAFE_RECEIPT] = M_ESAFE_KIND_RECEIPT,
        [ESAFE_UPLOAD] = M_ESAFE_KIND_UPLOAD,
    };
    return web_t(r, m[k]);
}

static const char *state_label(struct http_req *r, enum esafe_share_state s)
{
    static const enum msg m[] = {[ESAFE_SHARE_OPEN] = M_ESAFE_ST_OPEN, [ESAFE_SHARE_EXPIRED] = M_ESAFE_ST_EXPIRED,
                                 [ESAFE_SHARE_REVOKED] = M_ESAFE_ST_REVOKED, [ESAFE_SHARE_USED_UP] = M_ESAFE_ST_USED_UP};
    return web_t(r, m[s]);
}

static const char *day_of(struct http_req *r, int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    return pc_arena_printf(&r->arena, "%.10s", ts);
}

static const char *when(struct http_req *r, int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    return pc_arena_printf(&r->arena, "%.10s %.5s", ts, ts + 11);
}

static const char *kept_until(struct http_req *r, int64_t t)
{
    return t == ESAFE_FOREVER ? web_t(r, M_ESAFE_FOREVER) : day_of(r, t);
}

/* A page of the e-safe's own with a title, a sentence and a link back. */
static int message_page(struct http_req *r, int status, enum msg title, enum msg body, const char *back, enum msg back_label)
{
    web_page_begin(r, web_t(r, title));
    web_html(r, "<h1>%s</h1>\n<p>%s</p>\n", web_t(r, title), web_t(r, body));
    if (back)
        web_html(r, "<p><a href=\"%s\">%s</a></p>\n", back, web_t(r, back_label));
    web_page_end(r);
    r->status = status;
    return 0;
}

/* A document id from the address: 32 hex digits, else nothing. */
static bool doc_id_ok(const char *id)
{
    if (!id || strlen(id) != ESAFE_ID_LEN)
        return false;
    for (; *id; id++)
        if (!((*id >= '0' && *id <= '9') || (*id >= 'a' && *id <= 'f')))
            return false;
    return true;
}

static int back_to_doc(struct http_req *r, const char *id)
{
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/esafe/documents/%s", id));
}

/* ---- the list ------------------------------------------------------------------------------ */

static void search_form(struct http_req *r, const struct esafe_query *q, const struct esafe_folder *folders, size_t nf)
{
    web_html(r, "<form method=\"get\" action=\"/esafe\" class=\"filters\">\n<div class=\"field\"><label for=\"q\">%s</label>\n"
                "<input class=\"input\" type=\"search\" id=\"q\" name=\"q\" maxlength=\"%d\" value=\"%s\"></div>\n"
                "<div class=\"field\"><label for=\"kind\">%s</label>\n<select class=\"input\" id=\"kind\" name=\"kind\">\n"
                "<option value=\"\">%s</option>\n",
             web_t(r, M_ESAFE_SEARCH), ESAFE_QUERY_MAX, q->text ? q->text : "", web_t(r, M_ESAFE_KIND),
             web_t(r, M_ESAFE_ALL_KINDS));
    for (int k = 0; k < ESAFE_KIND_COUNT; k++)
        web_html(r, "<option value=\"%s\"%r>%s</option>\n", esafe_kind_name((enum esafe_kind)k),
                 q->kind == k ? " selected" : "", kind_label(r, (enum esafe_kind)k));
    web_html(r, "</select></div>\n<div class=\"field\"><label for=\"folder\">%s</label>\n"
                "<select class=\"input\" id=\"folder\" name=\"folder\">\n<option value=\"\">%s</option>\n",
             web_t(r, M_ESAFE_FOLDER), web_t(r, M_ESAFE_ALL_FOLDERS));
    for (size_t i = 0; i < nf; i++)
        web_html(r, "<option value=\"%s\"%r>%s</option>\n", folders[i].id,
                 pc_str_eq(q->folder_id, folders[i].id) ? " selected" : "", folders[i].name);
    web_html(r, "</select></div>\n<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n", web_t(r, M_ESAFE_FIND));
}

/* A table's start in a region of its own that scrolls sideways on a
 * narrow phone (labelled by the heading heading_id), with its columns. */
static void table_begin(struct http_req *r, const char *heading_id, enum msg caption, const enum msg *cols, size_t n)
{
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>", heading_id, web_t(r, caption));
    for (size_t i = 0; i < n; i++)
        web_html(r, "<th scope=\"col\">%s</th>", web_t(r, cols[i]));
    web_html(r, "</tr></thead>\n<tbody>\n");
}

static const char *folder_name(const struct esafe_folder *folders, size_t nf, const char *id)
{
    for (size_t i = 0; id && i < nf; i++)
        if (pc_str_eq(folders[i].id, id))
            return folders[i].name;
    return "";
}

static void docs_table(struct http_req *r, const struct esafe_doc *docs, size_t n, const struct esafe_folder *folders,
                       size_t nf)
{
    web_html(r, "<h2 id=\"docs\">%s</h2>\n", web_t(r, M_ESAFE_DOCUMENTS));
    if (n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_ESAFE_EMPTY));
        return;
    }
    static const enum msg cols[] = {M_ESAFE_COL_TITLE, M_ESAFE_KIND, M_ESAFE_FOLDER, M_ESAFE_COL_ADDED,
                                    M_ESAFE_KEPT_UNTIL};
    table_begin(r, "docs", M_ESAFE_DOCUMENTS, cols, sizeof cols / sizeof cols[0]);
    for (size_t i = 0; i < n; i++)
        web_html(r, "<tr><td><a href=\"/esafe/documents/%s\">%s</a></td><td><span class=\"tag\">%s</span></td><td>%s</td>"
                    "<td>%s</td><td>%s</td></tr>\n",
                 docs[i].id, docs[i].title, kind_label(r, docs[i].kind), folder_name(folders, nf, docs[i].folder_id),
                 day_of(r, docs[i].created_at), kept_until(r, docs[i].retain_until));
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

static void upload_form(struct http_req *r)
{
    /* a form with files carries its CSRF token in the address */
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/esafe/upload?%s\" enctype=\"multipart/form-data\">\n"
                "<div class=\"field\"><label for=\"title\">%s</label>\n"
                "<input class=\"input\" type=\"text\" id=\"title\" name=\"title\" maxlength=\"%d\" required></div>\n"
                "<div class=\"field\"><label for=\"file\">%s</label>\n<p class=\"hint\" id=\"file-hint\">%s</p>\n"
                "<input class=\"input\" type=\"file\" id=\"file\" name=\"file\" aria-describedby=\"file-hint\" "
                "accept=\"application/pdf,image/jpeg,image/png\" required></div>\n"
                "<button type=\"submit\">%s</button>\n</form>\n",
             web_t(r, M_ESAFE_UPLOAD), web_csrf_query(r), web_t(r, M_ESAFE_DOC_TITLE), ESAFE_TITLE_MAX,
             web_t(r, M_ESAFE_FILE), web_t(r, M_ESAFE_UPLOAD_HINT), web_t(r, M_ESAFE_UPLOAD_BUTTON));
}

static void folders_section(struct http_req *r, const struct esafe_folder *folders, size_t nf)
{
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_ESAFE_FOLDERS));
    if (nf == 0)
        web_html(r, "<p>%s</p>\n", web_t(r, M_ESAFE_NO_FOLDERS));
    else
        web_html(r, "<ul>\n");
    for (size_t i = 0; i < nf; i++)
        web_html(r, "<li><a href=\"/esafe?folder=%q\">%s</a> (%L)</li>\n", folders[i].id, folders[i].name,
                 (long long)folders[i].docs);
    if (nf)
        web_html(r, "</ul>\n");
    web_html(r, "<form method=\"post\" action=\"/esafe/folders\">\n");
    web_csrf_field(r);
    web_html(r, "<div class=\"field\"><label for=\"name\">%s</label>\n"
                "<input class=\"input\" type=\"text\" id=\"name\" name=\"name\" maxlength=\"%d\" required></div>\n"
                "<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n",
             web_t(r, M_ESAFE_FOLDER_NAME), ESAFE_FOLDER_NAME_MAX, web_t(r, M_ESAFE_FOLDER_ADD));
}

static void openings_table(struct http_req *r, const struct esafe_opening *op, size_t n, const char *heading_id)
{
    web_html(r, "<h2 id=\"%s\">%s</h2>\n", heading_id, web_t(r, M_ESAFE_OPENINGS));
    if (n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_ESAFE_NO_OPENINGS));
        return;
    }
    static const enum msg cols[] = {M_COL_WHEN, M_ESAFE_COL_ORG, M_ESAFE_COL_NETWORK};
    table_begin(r, heading_id, M_ESAFE_OPENINGS, cols, sizeof cols / sizeof cols[0]);
    for (size_t i = 0; i < n; i++)
        web_html(r, "<tr><td>%s</td><td>%s</td><td>%s</td></tr>\n", when(r, op[i].at), op[i].organisation, op[i].network);
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

int web_page_esafe(struct http_req *r)
{
    struct esafe_owner o;
    if (!web_esafe_owner(r, &o))
        return 0;
    static const char *const allowed[] = {"q", "kind", "folder", "lang", NULL};
    if (!web_only_params(r, allowed))
        return 0;
    struct pc_err err = {0};
    /* what the owner's applications and payments produced since the last look */
    if (esafe_gather(app_of(r)->db, &o, web_who(r)->account_id, &err))
        pc_log(PC_LOG_WARN, "esafe.gather_failed", "msg", err.msg, NULL); /* the e-safe shows what it has */
    const char *kind = http_kv_get(&r->query, "kind"), *folder = http_kv_get(&r->query, "folder");
    struct esafe_query q = {.kind = kind && *kind ? esafe_kind_parse(kind) : -1, .text = http_kv_get(&r->query, "q"),
                            .folder_id = folder && *folder ? folder : NULL};
    if (kind && *kind && q.kind < 0)
        return web_fail(r, pc_err_set(&err, PC_EINVAL, "unknown kind %s", kind), &err);
    struct esafe_folder *folders;
    struct esafe_doc *docs;
    struct esafe_opening *op;
    size_t nf, n, nop;
    int rc = esafe_folders(app_of(r)->db, &r->arena, &o, &folders, &nf, &err);
    if (!rc)
        rc = esafe_list(app_of(r)->db, &r->arena, &o, &q, &docs, &n, &err);
    if (!rc)
        rc = esafe_openings(app_of(r)->db, &r->arena, &o, NULL, &op, &nop, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_ESAFE_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_ESAFE_TITLE),
             o.type == ESAFE_COMPANY ? pc_arena_printf(&r->arena, web_t(r, M_ESAFE_LEAD_COMPANY), o.id)
                                     : web_t(r, M_ESAFE_LEAD_PERSON));
    search_form(r, &q, folders, nf);
    docs_table(r, docs, n, folders, nf);
    upload_form(r);
    folders_section(r, folders, nf);
    openings_table(r, op, nop, "openings");
    web_page_end(r);
    return 0;
}

int web_page_esafe_upload(struct http_req *r)
{
    struct esafe_owner o;
    char id[ESAFE_ID_LEN + 1];
    return web_esafe_keep_upload(r, &o, id) ? 0 : back_to_doc(r, id);
}

int web_page_esafe_folder_post(struct http_req *r)
{
    struct esafe_owner o;
    if (!web_esafe_owner(r, &o))
        return 0;
    struct pc_err err = {0};
    char id[ESAFE_ID_LEN + 1];
    int rc = esafe_folder_add(app_of(r)->db, &o, http_kv_get(&r->form, "name"), id, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/esafe?folder=%s", id));
}

/* ---- one document ------------------------------------------------------------------------------ */

int web_esafe_doc(struct http_req *r, struct esafe_owner *o, struct esafe_doc *d)
{
    if (!web_esafe_owner(r, o))
        return 1;
    struct pc_err err = {0};
    const char *id = http_param(r, 0);
    int rc = doc_id_ok(id) ? esafe_get(app_of(r)->db, &r->arena, o, id, d, &err)
                           : pc_err_set(&err, PC_ENOTFOUND, "no such document");
    if (rc) {
        web_fail(r, rc, &err);
        return 1;
    }
    return 0;
}

int web_esafe_view(struct http_req *r, struct web_esafe_view *v)
{
    if (web_esafe_doc(r, &v->o, &v->d))
        return 1;
    struct pc_err err = {0};
    int rc = esafe_shares(app_of(r)->db, &r->arena, &v->o, v->d.id, &v->shares, &v->nshares, &err);
    if (!rc)
        rc = esafe_openings(app_of(r)->db, &r->arena, &v->o, v->d.id, &v->openings, &v->nopenings, &err);
    if (rc) {
        web_fail(r, rc, &err);
        return 1;
    }
    return 0;
}

static void doc_actions(struct http_req *r, const struct esafe_doc *d, const struct esafe_folder *folders, size_t nf)
{
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/esafe/documents/%s/move\">\n", web_t(r, M_ESAFE_MOVE), d->id);
    web_csrf_field(r);
    web_html(r, "<div class=\"field\"><label for=\"folder\">%s</label>\n<select class=\"input\" id=\"folder\" name=\"folder\">\n"
                "<option value=\"\">%s</option>\n", web_t(r, M_ESAFE_FOLDER), web_t(r, M_ESAFE_NO_FOLDER));
    for (size_t i = 0; i < nf; i++)
        web_html(r, "<option value=\"%s\"%r>%s</option>\n", folders[i].id,
                 pc_str_eq(d->folder_id, folders[i].id) ? " selected" : "", folders[i].name);
    web_html(r, "</select></div>\n<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n",
             web_t(r, M_ESAFE_MOVE_BUTTON));
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/esafe/documents/%s/retention\">\n", web_t(r, M_ESAFE_RETENTION),
             d->id);
    web_csrf_field(r);
    web_html(r, "<div class=\"field\"><label for=\"until\">%s</label>\n<p class=\"hint\" id=\"until-hint\">%s</p>\n"
                "<input class=\"input\" type=\"date\" id=\"until\" name=\"until\" aria-describedby=\"until-hint\" value=\"%s\"></div>\n"
                "<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n",
             web_t(r, M_ESAFE_RETENTION), web_t(r, M_ESAFE_RETENTION_HINT),
             d->retain_until == ESAFE_FOREVER ? "" : day_of(r, d->retain_until), web_t(r, M_ESAFE_RETENTION_BUTTON));
    if (d->kind != ESAFE_UPLOAD) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_ESAFE_SYSTEM_DOC));
        return;
    }
    web_html(r, "<form method=\"post\" action=\"/esafe/documents/%s/delete\">\n", d->id);
    web_csrf_field(r);
    web_html(r, "<button type=\"submit\" class=\"warning\">%s</button>\n</form>\n", web_t(r, M_ESAFE_DELETE));
}

static void share_form(struct http_req *r, const struct esafe_doc *d)
{
    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n<form method=\"post\" action=\"/esafe/documents/%s/shares\">\n",
             web_t(r, M_ESAFE_SHARE), web_t(r, M_ESAFE_SHARE_LEAD), d->id);
    web_csrf_field(r);
    web_html(r, "<div class=\"field\"><label for=\"recipient\">%s</label>\n"
                "<input class=\"input\" type=\"text\" id=\"recipient\" name=\"recipient\" maxlength=\"%d\" required></div>\n"
                "<div class=\"field\"><label for=\"purpose\">%s</label>\n"
                "<input class=\"input\" type=\"text\" id=\"purpose\" name=\"purpose\" maxlength=\"%d\" required></div>\n"
                "<div class=\"field\"><label for=\"days\">%s</label>\n"
                "<input class=\"input\" type=\"number\" id=\"days\" name=\"days\" min=\"1\" max=\"%d\" value=\"7\" required></div>\n"
                "<div class=\"field\"><label for=\"opens\">%s</label>\n"
                "<input class=\"input\" type=\"number\" id=\"opens\" name=\"opens\" min=\"1\" max=\"%d\" value=\"3\" required></div>\n"
                "<button type=\"submit\">%s</button>\n</form>\n",
             web_t(r, M_ESAFE_RECIPIENT), ESAFE_PARTY_MAX, web_t(r, M_ESAFE_PURPOSE), ESAFE_PARTY_MAX,
             web_t(r, M_ESAFE_DAYS), ESAFE_SHARE_DAYS_MAX, web_t(r, M_ESAFE_MAX_OPENS), ESAFE_OPENS_MAX,
             web_t(r, M_ESAFE_SHARE_BUTTON));
}

static void shares_table(struct http_req *r, const struct esafe_doc *d, const struct esafe_share *sh, size_t n)
{
    web_html(r, "<h2 id=\"shares\">%s</h2>\n", web_t(r, M_ESAFE_SHARES));
    if (n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_ESAFE_NO_SHARES));
        return;
    }
    static const enum msg cols[] = {M_ESAFE_COL_ORG, M_ESAFE_PURPOSE, M_ESAFE_COL_UNTIL, M_ESAFE_COL_OPENS,
                                    M_ESAFE_COL_STATE, M_ESAFE_REVOKE};
    table_begin(r, "shares", M_ESAFE_SHARES, cols, sizeof cols / sizeof cols[0]);
    for (size_t i = 0; i < n; i++) {
        web_html(r, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%d / %d</td><td><span class=\"tag\">%s</span></td><td>",
                 sh[i].recipient, sh[i].purpose, when(r, sh[i].expires_at), sh[i].opens, sh[i].max_opens,
                 state_label(r, sh[i].state));
        if (sh[i].state == ESAFE_SHARE_OPEN) {
            web_html(r, "<form method=\"post\" action=\"/esafe/shares/%s/revoke\" class=\"inline\">\n"
                        "<input type=\"hidden\" name=\"doc\" value=\"%s\">\n", sh[i].id, d->id);
            web_csrf_field(r);
            web_html(r, "<button type=\"submit\" class=\"link-button\" aria-label=\"%s: %s\">%s</button></form>",
                     web_t(r, M_ESAFE_REVOKE), sh[i].recipient, web_t(r, M_ESAFE_REVOKE));
        }
        web_html(r, "</td></tr>\n");
    }
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

int web_page_esafe_doc(struct http_req *r)
{
    struct web_esafe_view v;
    if (web_esafe_view(r, &v))
        return 0;
    const struct esafe_doc *dp = &v.d;
    struct pc_err err = {0};
    struct esafe_folder *folders;
    size_t nf;
    int rc = esafe_folders(app_of(r)->db, &r->arena, &v.o, &folders, &nf, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, dp->title);
    const char *crumbs[] = {web_t(r, M_ESAFE_TITLE), "/esafe", dp->title, NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_html(r, "<h1>%s</h1>\n<dl class=\"facts\">\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
                "<dt>%s</dt><dd>%L KB</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n</dl>\n"
                "<p><a class=\"button\" href=\"/esafe/documents/%s/file\">%s</a></p>\n",
             dp->title, web_t(r, M_ESAFE_KIND), kind_label(r, dp->kind), web_t(r, M_ESAFE_COL_ADDED), when(r, dp->created_at),
             web_t(r, M_ESAFE_TYPE), dp->content_type, web_t(r, M_ESAFE_SIZE), (long long)(dp->size + 1023) / 1024,
             web_t(r, M_ESAFE_KEPT_UNTIL), kept_until(r, dp->retain_until), web_t(r, M_ESAFE_FOLDER),
             dp->folder_id ? folder_name(folders, nf, dp->folder_id) : web_t(r, M_ESAFE_NO_FOLDER), dp->id,
             web_t(r, M_ESAFE_DOWNLOAD));
    share_form(r, dp);
    shares_table(r, dp, v.shares, v.nshares);
    openings_table(r, v.openings, v.nopenings, "doc-openings");
    doc_actions(r, dp, folders, nf);
    web_page_end(r);
    return 0;
}

int web_page_esafe_file(struct http_req *r)
{
    struct esafe_owner o;
    struct esafe_doc d;
    return web_esafe_doc(r, &o, &d) ? 0 : web_esafe_send(r, &d);
}

int web_page_esafe_move(struct http_req *r)
{
    struct esafe_owner o;
    struct esafe_doc d;
    if (web_esafe_doc(r, &o, &d))
        return 0;
    const char *folder = http_kv_get(&r->form, "folder");
    struct pc_err err = {0};
    int rc = esafe_move(app_of(r)->db, &o, d.id, folder && *folder ? folder : NULL, &err);
    return rc ? web_fail(r, rc, &err) : back_to_doc(r, d.id);
}

/* "YYYY-MM-DD" as the end of that day (UTC); "" as until deleted. */
static int parse_until(const char *s, int64_t *out)
{
    if (!s || !*s) {
        *out = ESAFE_FOREVER;
        return 0;
    }
    int y, m, day;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &day, &tail) != 3 || y < 2000 || y > 2200 || m < 1 ||
        m > 12 || day < 1 || day > 31)
        return -1;
    /* days from the civil date (Howard Hinnant's algorithm) */
    int yy = y - (m <= 2);
    int era = yy / 400, yoe = yy - era * 400, mp = (m + 9) % 12;
    int doy = (153 * mp + 2) / 5 + day - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    *out = days * DAY + DAY - 1;
    return 0;
}

int web_page_esafe_retention(struct http_req *r)
{
    struct esafe_owner o;
    struct esafe_doc d;
    if (web_esafe_doc(r, &o, &d))
        return 0;
    int64_t until;
    struct pc_err err = {0};
    if (parse_until(http_kv_get(&r->form, "until"), &until) || (until != ESAFE_FOREVER && until <= pc_now_unix()))
        return message_page(r, 400, M_ESAFE_RETENTION, M_ESAFE_RETENTION_BAD,
                            pc_arena_printf(&r->arena, "/esafe/documents/%s", d.id), M_ESAFE_BACK);
    struct esafe_actor by = web_esafe_actor(r);
    int rc = esafe_set_retention(app_of(r)->db, &o, &by, d.id, until, &err);
    return rc ? web_fail(r, rc, &err) : back_to_doc(r, d.id);
}

int web_esafe_change(struct http_req *r, web_esafe_change_fn fn, struct pc_err *err)
{
    struct esafe_owner o;
    if (!web_esafe_owner(r, &o))
        return 1;
    struct esafe_actor by = web_esafe_actor(r);
    return fn(app_of(r)->db, &o, &by, http_param(r, 0), err);
}

int web_page_esafe_delete(struct http_req *r)
{
    struct pc_err err = {0};
    int rc = web_esafe_change(r, esafe_delete, &err);
    if (rc == PC_EDENIED)
        return message_page(r, 403, M_ESAFE_DELETE, M_ESAFE_SYSTEM_DOC,
                            pc_arena_printf(&r->arena, "/esafe/documents/%s", http_param(r, 0)), M_ESAFE_BACK);
    return rc == 1 ? 0 : rc ? web_fail(r, rc, &err) : http_redirect(r, 303, "/esafe");
}

/* The share form's numbers: 0, or -1 when one is missing or out of bounds. */
static int parse_count(const char *s, long long max, int *out)
{
    long long v;
    if (!s || pc_parse_int(s, 1, max, &v))
        return -1;
    *out = (int)v;
    return 0;
}

int web_page_esafe_share(struct http_req *r)
{
    struct esafe_owner o;
    struct esafe_doc d;
    if (web_esafe_doc(r, &o, &d))
        return 0;
    int days, opens;
    const char *back = pc_arena_printf(&r->arena, "/esafe/documents/%s", d.id);
    if (parse_count(http_kv_get(&r->form, "days"), ESAFE_SHARE_DAYS_MAX, &days) ||
        parse_count(http_kv_get(&r->form, "opens"), ESAFE_OPENS_MAX, &opens))
        return message_page(r, 400, M_ESAFE_SHARE, M_ESAFE_SHARE_BAD, back, M_ESAFE_BACK);
    struct esafe_share_new sn = {d.id, http_kv_get(&r->form, "recipient"), http_kv_get(&r->form, "purpose"),
                                 pc_now_unix() + (int64_t)days * DAY, opens};
    struct esafe_share sh;
    char code[ESAFE_CODE_LEN + 1];
    struct pc_err err = {0};
    struct esafe_actor by = web_esafe_actor(r);
    int rc = esafe_share_add(app_of(r)->db, &o, &by, &sn, &r->arena, &sh, code, &err);
    if (rc == PC_EINVAL)
        return message_page(r, 400, M_ESAFE_SHARE, M_ESAFE_SHARE_BAD, back, M_ESAFE_BACK);
    if (rc)
        return web_fail(r, rc, &err);
    /* shown once: the code in groups of four, and a link that carries it
     * in its query (which the request log never writes down) */
    const char *base = app_of(r)->public_url ? app_of(r)->public_url : "";
    web_page_begin(r, web_t(r, M_ESAFE_CODE_TITLE));
    const char *grouped = pc_arena_printf(&r->arena, "%.4s-%.4s-%.4s-%.4s", code, code + 4, code + 8, code + 12);
    web_html(r, "<div class=\"panel\">\n<h1>%s</h1>\n<p>%s</p>\n<p class=\"code\"><strong>%s</strong></p>\n"
                "<p>%s: %s</p>\n</div>\n<p>%s <a href=\"%s/esafe/open?code=%q\">%s/esafe/open?code=%s</a></p>\n"
                "<p><a href=\"%s\">%s</a></p>\n",
             web_t(r, M_ESAFE_CODE_TITLE), pc_arena_printf(&r->arena, web_t(r, M_ESAFE_CODE_LEAD), sh.recipient), grouped,
             web_t(r, M_ESAFE_COL_UNTIL), when(r, sh.expires_at), web_t(r, M_ESAFE_CODE_LINK), base, code, base, code,
             back, web_t(r, M_ESAFE_BACK));
    web_page_end(r);
    r->status = 201;
    return 0;
}

int web_page_esafe_revoke(struct http_req *r)
{
    struct pc_err err = {0};
    int rc = web_esafe_change(r, esafe_share_revoke, &err);
    if (rc)
        return rc == 1 ? 0 : web_fail(r, rc, &err);
    const char *doc = http_kv_get(&r->form, "doc");
    return doc_id_ok(doc) ? back_to_doc(r, doc) : http_redirect(r, 303, "/esafe");
}

/* ---- a third party opens a share --------------------------------------------------------------------- */

static void open_form(struct http_req *r, const char *code, const char *org, enum msg problem)
{
    web_page_begin(r, web_t(r, M_ESAFE_OPEN_TITLE));
    web_html(r, "<h1>%s</h1>\n<p>%s</p>\n", web_t(r, M_ESAFE_OPEN_TITLE), web_t(r, M_ESAFE_OPEN_LEAD));
    if (problem)
        web_html(r, "<div class=\"error-summary\" role=\"alert\"><p>%s</p></div>\n", web_t(r, problem));
    web_html(r, "<form method=\"post\" action=\"/esafe/open\">\n");
    web_csrf_field(r);
    web_html(r, "<div class=\"field\"><label for=\"code\">%s</label>\n"
                "<input class=\"input\" type=\"text\" id=\"code\" name=\"code\" maxlength=\"40\" autocomplete=\"off\" "
                "spellcheck=\"false\" value=\"%s\" required></div>\n"
                "<div class=\"field\"><label for=\"organisation\">%s</label>\n"
                "<input class=\"input\" type=\"text\" id=\"organisation\" name=\"organisation\" maxlength=\"%d\" "
                "autocomplete=\"organization\" value=\"%s\" required></div>\n"
                "<button type=\"submit\">%s</button>\n</form>\n",
             web_t(r, M_ESAFE_CODE), code ? code : "", web_t(r, M_ESAFE_ORG), ESAFE_PARTY_MAX, org ? org : "",
             web_t(r, M_ESAFE_OPEN_BUTTON));
    web_page_end(r);
}

int web_page_esafe_open(struct http_req *r)
{
    static const char *const allowed[] = {"code", "lang", NULL};
    if (!web_only_params(r, allowed))
        return 0;
    const char *code = http_kv_get(&r->query, "code");
    open_form(r, code && strlen(code) <= 40 ? code : NULL, NULL, 0);
    return 0;
}

int web_page_esafe_open_post(struct http_req *r)
{
    const char *code = http_kv_get(&r->form, "code"), *org = http_kv_get(&r->form, "organisation");
    enum esafe_share_state st;
    struct esafe_doc d;
    struct pc_err err = {0};
    int rc = esafe_share_open(app_of(r)->db, &r->arena, code, org, r->remote_addr, &st, &d, &err);
    if (rc == PC_EINVAL || rc == PC_ENOTFOUND) {
        r->status = rc == PC_EINVAL ? 400 : 404;
        open_form(r, code && strlen(code) <= 40 ? code : NULL, org && strlen(org) <= ESAFE_PARTY_MAX ? org : NULL,
                  rc == PC_EINVAL ? M_ESAFE_OPEN_BAD : M_ESAFE_OPEN_NOT_FOUND);
        return 0;
    }
    if (rc == PC_ELIMIT)
        return message_page(r, 429, M_ESAFE_OPEN_TITLE, M_ESAFE_OPEN_LIMIT, NULL, 0);
    if (rc)
        return web_fail(r, rc, &err);
    if (st != ESAFE_SHARE_OPEN) {
        /* closed: says why, and nothing of the document */
        enum msg m = st == ESAFE_SHARE_EXPIRED ? M_ESAFE_OPEN_EXPIRED
                   : st == ESAFE_SHARE_REVOKED ? M_ESAFE_OPEN_REVOKED : M_ESAFE_OPEN_USED_UP;
        return message_page(r, 410, M_ESAFE_OPEN_CLOSED, m, NULL, 0);
    }
    return web_esafe_send(r, &d);
}

/* appeal_files.c — the files of an appeal in HTML: while the appeal is
 * under review the applicant attaches documents to it (a form that takes
 * files, without JavaScript; the same upload sink, limits and content
 * checks as every upload), and the applicant and the agency's staff see
 * and download them on the case's pages.  The rules (who, when, how many)
 * are cases' (case_appeal_attach). */
#include "internal.h"

#include <string.h>

void web_appeal_files_section(struct http_req *r, const struct case_app *app, const char *base, bool applicant)
{
    struct case_file *files;
    size_t n;
    struct pc_err err = {0};
    if (case_appeal_files(app_of(r)->db, &r->arena, app->id, &files, &n, &err)) {
        pc_log(PC_LOG_WARN, "web.appeal_files_failed", "msg", err.msg, NULL); /* the page goes on without them */
        return;
    }
    bool may_add = applicant && app->status == CS_APPEALED && n < CASE_APPEAL_FILES_MAX;
    if (!n && !may_add)
        return;
    web_html(r, "<h2 id=\"appeal-files\">%s</h2>\n", web_t(r, M_APPEAL_FILES_TITLE));
    if (n) {
        web_html(r, "<ul>\n");
        for (size_t i = 0; i < n; i++)
            web_html(r, "<li><a href=\"%s/appeal-files/%s\" download>%s</a></li>\n", base, files[i].sha256,
                     files[i].name);
        web_html(r, "</ul>\n");
    }
    if (!may_add)
        return;
    /* the route takes files: its token travels in the address (web_auth_admit) */
    web_html(r, "<form method=\"post\" action=\"/applications/%s/appeal/files?%s\" enctype=\"multipart/form-data\">\n"
                "<div class=\"field\"><label for=\"appeal-file\">%s</label>\n<p class=\"hint\" id=\"appeal-file-hint\">",
             app->reference, web_csrf_query(r), web_t(r, M_APPEAL_FILES_LABEL));
    web_html(r, web_t(r, M_APPEAL_FILES_HINT), CASE_APPEAL_FILES_MAX);
    web_html(r, "</p>\n<input id=\"appeal-file\" name=\"files\" type=\"file\" multiple"
                " accept=\"application/pdf,image/jpeg,image/png\" aria-describedby=\"appeal-file-hint\"></div>\n"
                "<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n",
             web_t(r, M_APPEAL_FILES_SEND));
}

/* Refused: the page says why, with the way back. */
static int refused(struct http_req *r, const struct case_app *app, int status, const char *why)
{
    r->status = status;
    web_page_begin(r, web_t(r, M_APPEAL_FILES_REFUSED));
    web_html(r, "<h1>%s</h1>\n<p>%s</p>\n<p><a href=\"/applications/%s#appeal-files\">%s</a></p>\n",
             web_t(r, M_APPEAL_FILES_REFUSED), why, app->reference, web_t(r, M_APPEAL_FILES_BACK));
    web_page_end(r);
    return 0;
}

/* The applicant's own case of the URL, else answered (login, 404). */
static int own_case(struct http_req *r, struct case_app *app)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 1;
    struct pc_err err = {0};
    int rc = case_load(app_of(r)->db, &r->arena, http_param(r, 0), app, &err);
    if (rc && rc != PC_ENOTFOUND)
        return web_fail(r, rc, &err), 1;
    if (rc || !app->reference || !pc_str_eq(app->applicant, web_who(r)->account_id))
        return http_error(r, 404, "not-found", "Page not found", NULL), 1;
    return 0;
}

int web_page_application_appeal_files_post(struct http_req *r)
{
    struct case_app app;
    if (own_case(r, &app))
        return 0;
    /* every file looked at before any is kept: too many, too big, a type not taken */
    size_t n = 0;
    for (struct http_upload *u = r->uploads; u; u = u->next) {
        if (!u->filename || !*u->filename) /* the field left empty */
            continue;
        if (++n > CASE_APPEAL_FILES_MAX)
            return refused(r, &app, 413, pc_arena_printf(&r->arena, web_t(r, M_APPEAL_FILES_TOO_MANY), CASE_APPEAL_FILES_MAX));
        struct form_issue is = {.code = u->error == PC_ETOOBIG ? FORM_ISSUE_FILE_TOO_BIG : FORM_ISSUE_FILE_TYPE,
                                .limit = FORM_FILE_MAX};
        if (u->error == PC_ETOOBIG || u->error == PC_EINVAL)
            return refused(r, &app, u->error == PC_ETOOBIG ? 413 : 415, web_issue_text(r, &is));
    }
    const char *sha[CASE_APPEAL_FILES_MAX];
    n = 0;
    for (struct http_upload *u = r->uploads; u; u = u->next) {
        if (!u->filename || !*u->filename)
            continue;
        struct case_file f;
        web_upload_file(u, &f);
        struct pc_err err = {0};
        int rc = u->error ? pc_err_set(&err, u->error, "the file could not be stored")
                          : case_upload_keep(web_upload_part(u), web_who(r)->account_id, &f, &err);
        if (rc)
            return web_fail(r, rc, &err);
        sha[n++] = pc_arena_strdup(&r->arena, f.sha256);
    }
    if (!n)
        return refused(r, &app, 400, web_t(r, M_APPEAL_FILES_NONE));
    struct pc_err err = {0};
    int rc = case_appeal_attach(app_of(r)->db, web_who(r), app.reference, sha, n, &r->arena, &err);
    if (rc == PC_ETOOBIG)
        return refused(r, &app, 413, pc_arena_printf(&r->arena, web_t(r, M_APPEAL_FILES_TOO_MANY), CASE_APPEAL_FILES_MAX));
    if (rc == PC_ECONFLICT)
        return refused(r, &app, 409, web_t(r, M_APPEAL_FILES_CLOSED));
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s#appeal-files", app.reference));
}

static int send_file(struct http_req *r, const struct case_app *app)
{
    struct case_file_reader *rd;
    struct case_file info;
    struct pc_err err = {0};
    int rc = case_appeal_file_open(app_of(r)->db, app_of(r)->files, app, http_param(r, 1), &rd, &info, &r->arena, &err);
    if (rc == PC_ENOTFOUND)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc)
        return web_fail(r, rc, &err);
    return web_send_stored_file(r, rd, &info);
}

int web_page_application_appeal_file(struct http_req *r)
{
    struct case_app app;
    return own_case(r, &app) ? 0 : send_file(r, &app);
}

int web_page_office_appeal_file(struct http_req *r)
{
    struct case_app app;
    return web_office_file_case(r, &app) ? 0 : send_file(r, &app);
}

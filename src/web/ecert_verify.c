/* ecert_verify.c — the public verification page of e-certificates
 * (/verify/e-certificate, where the QR code leads): anyone, without
 * logging in, types the code printed on the paper and reads what the
 * certificate is now (valid, revoked, superseded), who issued it and
 * when, and the SHA-256 of its PDF; an upload field checks that a PDF
 * someone was handed is that very file (its digest is compared in memory
 * and the file is not kept).  The issuing agency's officer revokes it
 * from here.  Plain forms, no JavaScript. */
#include "internal.h"

#include <string.h>

#define FILE_MAX (2u << 20) /* a certificate's PDF is about 100 KB */

size_t web_ecert_mem_route(struct http_req *r)
{
    return pc_str_eq(r->method, "POST") && pc_str_eq(r->path, ECERT_VERIFY_PATH) ? FILE_MAX : 0;
}

static const enum msg result_msgs[ECERT_STATE_COUNT] = {
    [ECERT_VALID] = M_ECERT_RESULT_VALID, [ECERT_REVOKED] = M_ECERT_RESULT_REVOKED,
    [ECERT_SUPERSEDED] = M_ECERT_RESULT_SUPERSEDED};

static void fact_time(struct http_req *r, enum msg label, int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    web_html(r, "<dt>%s</dt><dd><time datetime=\"%s\">%s UTC</time></dd>\n", web_t(r, label), ts,
             pc_arena_printf(&r->arena, "%.10s %.8s", ts, ts + 11));
}

static void code_form(struct http_req *r, const char *typed, bool error)
{
    struct web_field_error e[] = {{"code", web_t(r, M_ECERT_CODE_BAD)}};
    web_error_summary(r, e, error ? 1 : 0);
    web_html(r, "<form method=\"get\" action=\"" ECERT_VERIFY_PATH "\" novalidate>\n<div class=\"field%r\">"
                "<label for=\"code\">%s</label>\n<p class=\"hint\" id=\"code-hint\">%s</p>\n",
             error ? " field-error" : "", web_t(r, M_ECERT_CODE), web_t(r, M_ECERT_CODE_HINT));
    if (error)
        web_html(r, "<p class=\"error-message\" id=\"code-error\">%s</p>\n", web_t(r, M_ECERT_CODE_BAD));
    web_html(r, "<input class=\"input\" type=\"text\" id=\"code\" name=\"code\" value=\"%s\" maxlength=\"40\" "
                "autocomplete=\"off\" spellcheck=\"false\" aria-describedby=\"code-hint%r\"%r></div>\n"
                "<button type=\"submit\">%s</button>\n</form>\n",
             typed ? typed : "", error ? " code-error" : "", error ? " aria-invalid=\"true\"" : "",
             web_t(r, M_ECERT_CHECK));
}

/* The certificate now, and (when a file was sent) whether the file is it. */
static void result(struct http_req *r, const struct ecert *e, const char *file_sha)
{
    bool ok = e->state == ECERT_VALID;
    web_html(r, "<section aria-labelledby=\"result\">\n<h2 id=\"result\">%s</h2>\n<div class=\"%s\" role=\"status\">"
                "<p><strong>%s</strong></p></div>\n<dl class=\"facts\">\n",
             web_t(r, M_ECERT_RESULT), ok ? "notice" : "error-summary", web_t(r, result_msgs[e->state]));
    web_html(r, "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd><code>%s</code></dd>\n",
             web_t(r, M_ECERT_COL_KIND), web_t(r, web_ecert_kind_msgs[e->kind]), web_t(r, M_ECERT_ISSUER), e->issuer,
             web_t(r, M_ECERT_CODE), e->code);
    fact_time(r, M_ECERT_ISSUED_AT, e->issued_at);
    if (e->changed_at)
        fact_time(r, M_ECERT_CHANGED_AT, e->changed_at);
    web_html(r, "<dt>%s</dt><dd><code class=\"key\">%s</code></dd>\n</dl>\n", web_t(r, M_ECERT_SHA256), e->sha256);
    if (file_sha) {
        bool same = pc_str_eq(file_sha, e->sha256);
        web_html(r, "<div class=\"%s\" role=\"status\"><p><strong>%s</strong></p><p>%s <code class=\"key\">%s</code>"
                    "</p></div>\n",
                 same ? "notice" : "error-summary", web_t(r, same ? M_ECERT_FILE_MATCH : M_ECERT_FILE_NO_MATCH),
                 web_t(r, M_ECERT_FILE_SHA), file_sha);
    }
    web_html(r, "</section>\n");
}

static void file_form(struct http_req *r, const struct ecert *e, bool error)
{
    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, M_ECERT_FILE_TITLE), web_t(r, M_ECERT_FILE_LEAD));
    /* a form with files carries its token in the address (web_auth_admit) */
    web_html(r, "<form method=\"post\" action=\"" ECERT_VERIFY_PATH "?code=%q&amp;%s\" enctype=\"multipart/form-data\" "
                "novalidate>\n<div class=\"field%r\"><label for=\"pdf\">%s</label>\n",
             e->code, web_csrf_query(r), error ? " field-error" : "", web_t(r, M_ECERT_FILE_LABEL));
    if (error)
        web_html(r, "<p class=\"error-message\" id=\"pdf-error\">%s</p>\n", web_t(r, M_ECERT_FILE_MISSING));
    web_html(r, "<input class=\"input\" type=\"file\" id=\"pdf\" name=\"pdf\" accept=\".pdf,application/pdf\"%r></div>\n"
                "<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n<p class=\"hint\">%s</p>\n",
             error ? " aria-describedby=\"pdf-error\" aria-invalid=\"true\"" : "", web_t(r, M_ECERT_FILE_CHECK),
             web_t(r, M_ECERT_OFFLINE));
    /* the issuing agency's officer may revoke it here */
    if (e->state == ECERT_VALID && web_who(r) && !pc_str_eq(web_who(r)->fin, e->fin) && web_ecert_revoke_role(r, e) >= 0) {
        web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/e-certificates/%s/revoke\">\n",
                 web_t(r, M_ECERT_AGENCY_REVOKE), e->id);
        web_csrf_field(r);
        web_html(r, "<button type=\"submit\" class=\"warning\">%s</button>\n</form>\n", web_t(r, M_ECERT_REVOKE));
    }
}

/* The page for the code of the address, with the file's digest when one was sent. */
static int page(struct http_req *r, const char *file_sha, bool file_error)
{
    const char *typed = http_kv_get(&r->query, "code");
    char code[ECERT_CODE_LEN + 1];
    bool bad = typed && *typed && !ecert_code_normalize(typed, code);
    struct ecert e;
    int rc = PC_ENOTFOUND;
    struct pc_err err = {0};
    if (typed && *typed && !bad) {
        rc = ecert_by_code(app_of(r)->db, &r->arena, code, &e, &err);
        if (rc && rc != PC_ENOTFOUND)
            return web_fail(r, rc, &err);
    }
    if (bad || file_error)
        r->status = 400;
    else if (typed && *typed && rc)
        r->status = 404;
    web_form_title(r, web_t(r, M_ECERT_VERIFY_TITLE), bad ? 1 : 0);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_ECERT_VERIFY_TITLE), web_t(r, M_ECERT_VERIFY_LEAD));
    if (!rc)
        result(r, &e, file_sha);
    else if (typed && *typed && !bad)
        web_html(r, "<div class=\"error-summary\" role=\"status\"><p><strong>%s</strong></p></div>\n",
                 web_t(r, M_ECERT_NOT_FOUND));
    if (!rc)
        file_form(r, &e, file_error);
    web_html(r, "<h2>%s</h2>\n", web_t(r, rc ? M_ECERT_CHECK : M_ECERT_CHECK_ANOTHER));
    code_form(r, typed, bad);
    web_page_end(r);
    return 0;
}

int web_page_ecert_verify(struct http_req *r)
{
    return page(r, NULL, false);
}

int web_page_ecert_verify_post(struct http_req *r)
{
    const struct web_mem_file *f = web_mem_file(r, "pdf");
    if (!f || !f->buf.len)
        return page(r, NULL, true);
    char sha[65];
    pc_sha256_hex(f->buf.data, f->buf.len, sha);
    return page(r, pc_arena_strdup(&r->arena, sha), false);
}

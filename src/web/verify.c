/* verify.c — the public verification page: anyone uploads a document and
 * its detached signature (.p7s) and reads a report in their language —
 * the verdict, the signer, the signing time, the time-stamp, the
 * certificate's status at signing time and the chain — rendered from the
 * certification centre's typed report (the centre's records give the
 * status at that time).  A plain form post: no JavaScript.  Nothing
 * uploaded is kept: the files stay in the request's memory. */
#include "internal.h"

#include <string.h>

#define DOC_MAX (4u << 20)            /* a document to verify on the page */
#define VERIFY_PATH "/verify"

size_t web_mem_route(struct http_req *r)
{
    if (pc_str_eq(r->method, "POST") && pc_str_eq(r->path, VERIFY_PATH))
        return DOC_MAX;
    return web_ecert_mem_route(r); /* e-certificates' page (ecert_verify.c) */
}

static const enum msg verdict_msgs[] = {
    [PKI_VERDICT_VALID] = M_VERIFY_VALID,
    [PKI_VERDICT_MALFORMED] = M_VERIFY_MALFORMED,
    [PKI_VERDICT_BAD_SIGNATURE] = M_VERIFY_BAD_SIGNATURE,
    [PKI_VERDICT_UNTRUSTED] = M_VERIFY_UNTRUSTED,
    [PKI_VERDICT_REVOKED] = M_VERIFY_REVOKED,
    [PKI_VERDICT_BAD_TIMESTAMP] = M_VERIFY_BAD_TIMESTAMP,
    [PKI_VERDICT_STATUS_UNKNOWN] = M_VERIFY_STATUS_UNKNOWN,
};

static const enum msg status_msgs[] = {
    [PKI_STATUS_GOOD] = M_CERT_GOOD, [PKI_STATUS_SUSPENDED] = M_CERT_SUSPENDED, [PKI_STATUS_REVOKED] = M_CERT_REVOKED};

static void form(struct http_req *r, bool error)
{
    struct web_field_error e[] = {{"document", web_t(r, M_VERIFY_ERR_FILES)}};
    web_error_summary(r, e, error ? 1 : 0);
    /* a form with files carries its token in the address (web_auth_admit) */
    web_html(r, "<form method=\"post\" action=\"" VERIFY_PATH "?%s\" enctype=\"multipart/form-data\" novalidate>\n",
             web_csrf_query(r));
    web_html(r, "<div class=\"field%r\"><label for=\"document\">%s</label>\n", error ? " field-error" : "",
             web_t(r, M_VERIFY_DOC));
    if (error)
        web_html(r, "<p class=\"error-message\" id=\"document-error\">%s</p>\n", web_t(r, M_VERIFY_ERR_FILES));
    web_html(r, "<input class=\"input\" type=\"file\" id=\"document\" name=\"document\"%r></div>\n"
                "<div class=\"field\"><label for=\"signature\">%s</label>\n"
                "<input class=\"input\" type=\"file\" id=\"signature\" name=\"signature\" accept=\".p7s,.p7m,.der\"></div>\n"
                "<button type=\"submit\">%s</button>\n</form>\n<p class=\"hint\">%s</p>\n",
             error ? " aria-describedby=\"document-error\" aria-invalid=\"true\"" : "", web_t(r, M_VERIFY_SIG),
             web_t(r, M_VERIFY_BUTTON), web_t(r, M_VERIFY_CLI));
}

int web_page_verify(struct http_req *r)
{
    web_page_begin(r, web_t(r, M_VERIFY_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_VERIFY_TITLE), web_t(r, M_VERIFY_LEAD));
    form(r, false);
    web_page_end(r);
    return 0;
}

static void fact_time(struct http_req *r, enum msg label, bool has, int64_t t, const char *extra)
{
    web_html(r, "<dt>%s</dt><dd>", web_t(r, label));
    if (has) {
        char ts[21];
        pc_rfc3339(t, ts);
        web_html(r, "<time datetime=\"%s\">%s UTC</time>%s", ts, pc_arena_printf(&r->arena, "%.10s %.8s", ts, ts + 11),
                 extra ? extra : "");
    } else {
        web_html(r, "%s", web_t(r, M_VERIFY_NONE));
    }
    web_html(r, "</dd>\n");
}

static void report(struct http_req *r, const struct pki_verify_report *v)
{
    bool ok = v->verdict == PKI_VERDICT_VALID;
    web_html(r, "<section aria-labelledby=\"report\">\n<h2 id=\"report\">%s</h2>\n<div class=\"%s\" role=\"status\">"
                "<p><strong>%s</strong></p></div>\n<dl class=\"facts\">\n",
             web_t(r, M_VERIFY_REPORT), ok ? "notice" : "error-summary",
             web_t(r, (unsigned)v->verdict < sizeof verdict_msgs / sizeof verdict_msgs[0] ? verdict_msgs[v->verdict]
                                                                                         : M_VERIFY_MALFORMED));
    if (v->signer_subject) {
        const char *who = v->signer_name ? v->signer_name : v->signer_subject;
        web_html(r, "<dt>%s</dt><dd>%s", web_t(r, M_VERIFY_SIGNER), who);
        if (v->signer_fin)
            web_html(r, " (FİN %s)", v->signer_fin);
        if (v->signer_voen)
            web_html(r, " (VÖEN %s)", v->signer_voen);
        web_html(r, "<br><span class=\"hint\">%s</span></dd>\n", v->signer_subject);
    }
    fact_time(r, M_VERIFY_SIGNING_TIME, v->has_signing_time, v->signing_time, NULL);
    fact_time(r, M_VERIFY_TIMESTAMP, v->has_timestamp, v->timestamp_time,
              v->tsa_name ? pc_arena_printf(&r->arena, " — %s", v->tsa_name) : NULL);
    if (v->status_source != PKI_SOURCE_NONE)
        web_html(r, "<dt>%s</dt><dd><span class=\"tag\">%s</span></dd>\n", web_t(r, M_VERIFY_STATUS_AT),
                 web_t(r, status_msgs[v->status]));
    web_html(r, "</dl>\n");
    if (v->chain_len > 0) {
        web_html(r, "<h3>%s</h3>\n<ol>\n", web_t(r, M_VERIFY_CHAIN));
        for (int i = 0; i < v->chain_len; i++)
            web_html(r, "<li>%s</li>\n", v->chain[i]);
        web_html(r, "</ol>\n");
    }
    web_html(r, "</section>\n");
}

int web_page_verify_post(struct http_req *r)
{
    struct pki_client *ca;
    if (web_certs_ca(r, &ca))
        return 0;
    const struct web_mem_file *doc = web_mem_file(r, "document"), *sig = web_mem_file(r, "signature");
    bool ok = doc && sig && doc->buf.len > 0 && sig->buf.len > 0 && sig->buf.len <= PKI_SIG_MAX;
    struct pki_verify_report v;
    if (ok) {
        struct pc_err err = {0};
        int rc = pki_client_verify(ca, &r->arena, doc->buf.data, doc->buf.len, sig->buf.data, sig->buf.len, &v, &err);
        if (rc)
            return web_fail(r, rc, &err);
    }
    if (!ok)
        r->status = 400;
    web_form_title(r, web_t(r, M_VERIFY_TITLE), ok ? 0 : 1);
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_VERIFY_TITLE));
    if (ok) {
        report(r, &v);
        web_html(r, "<h2>%s</h2>\n", web_t(r, M_VERIFY_AGAIN));
    }
    form(r, !ok);
    web_page_end(r);
    return 0;
}

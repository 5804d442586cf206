/* audit_page.c — the auditor's read-only view of the audit log, newest
 * first in pages of 100, with an on-demand check of the whole chain. */
#include "internal.h"
#include "../audit/audit.h"

#define AUDIT_PAGE 100

int web_page_audit(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_AUDIT, NULL))
        return 0;
    long long before = 0;
    const char *b = http_kv_get(&r->query, "before");
    if (b && pc_parse_int(b, 1, INT64_MAX, &before))
        return http_error(r, 400, "bad-parameter", "Bad request", "before must be an entry number");
    struct pc_err err = {0};
    web_page_begin(r, web_t(r, M_AUDIT_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_AUDIT_TITLE), web_t(r, M_AUDIT_LEAD));
    if (http_kv_get(&r->query, "verify")) {
        struct audit_report rep;
        if (audit_verify(app_of(r)->db, &rep, &err))
            return web_fail(r, err.code, &err);
        if (rep.first_bad)
            web_html(r, "<div class=\"error-summary\" role=\"alert\"><p>%s</p></div>\n",
                 pc_arena_printf(&r->arena, web_t(r, M_AUDIT_BROKEN), (long long)rep.first_bad, rep.why));
        else
            web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n",
                 pc_arena_printf(&r->arena, web_t(r, M_AUDIT_INTACT), (long long)rep.entries));
    } else {
        web_html(r, "<form method=\"get\" action=\"/audit\"><input type=\"hidden\" name=\"verify\" value=\"1\">"
                "<button type=\"submit\" class=\"secondary\">%s</button></form>\n", web_t(r, M_AUDIT_VERIFY));
    }
    struct db_conn *c = db_conn_get(app_of(r)->db, &err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT seq, at, actor, role, action, object_type, object_id, ip"
                                          " FROM audit_log WHERE (? = 0 OR seq < ?) ORDER BY seq DESC LIMIT ?", &err) : NULL;
    if (!s)
        return web_fail(r, err.code, &err);
    db_bind_int(s, 1, before);
    db_bind_int(s, 2, before);
    db_bind_int(s, 3, AUDIT_PAGE);
    int rows = 0;
    long long last = 0;
    while (db_step(s, &err) == 1) {
        /* a region that scrolls sideways on a narrow phone, not the page */
        if (rows++ == 0)
            web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                    "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                    "<th scope=\"col\">№</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
                 web_t(r, M_AUDIT_TITLE), web_t(r, M_AUDIT_TITLE), web_t(r, M_COL_WHEN), web_t(r, M_COL_WHO), web_t(r, M_COL_ACTION),
                 web_t(r, M_COL_OBJECT), web_t(r, M_COL_ADDRESS));
        last = (long long)db_col_int(s, 0);
        web_html(r, "<tr><td>%L</td><td>%s</td><td>%s (%s)</td><td>%s</td><td>%s %s</td><td>%s</td></tr>\n", last,
             db_col_text(s, 1), db_col_text(s, 2), db_col_text(s, 3), db_col_text(s, 4), db_col_text(s, 5),
             db_col_text(s, 6), db_col_text(s, 7));
    }
    if (rows) {
        web_html(r, "</tbody>\n</table>\n</div>\n");
        if (rows == AUDIT_PAGE && last > 1)
            web_html(r, "<nav class=\"pagination\" aria-label=\"%s\"><ul><li><a href=\"/audit?before=%L\">%s</a></li></ul></nav>\n",
                 web_t(r, M_PAGINATION), last, web_t(r, M_AUDIT_OLDER));
    } else {
        web_html(r, "<p>%s</p>\n", web_t(r, M_AUDIT_EMPTY));
    }
    web_page_end(r);
    return 0;
}

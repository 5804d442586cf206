/* audit_page.c — the auditor's read-only view of the audit log (audit_list), newest
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
        int rc = audit_verify(app_of(r)->db, &rep, &err);
        if (rc)
            return web_fail(r, rc, &err);
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
    struct audit_row *list;
    size_t n = 0;
    bool more = false;
    int rc = audit_list(app_of(r)->db, &r->arena, before, AUDIT_PAGE, &list, &n, &more, &err);
    if (rc)
        return web_fail(r, rc, &err);
    if (n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_AUDIT_EMPTY));
    } else {
        /* a region that scrolls sideways on a narrow phone, not the page */
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                "<th scope=\"col\">№</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, M_AUDIT_TITLE), web_t(r, M_AUDIT_TITLE), web_t(r, M_COL_WHEN), web_t(r, M_COL_WHO), web_t(r, M_COL_ACTION),
             web_t(r, M_COL_OBJECT), web_t(r, M_COL_ADDRESS));
        for (size_t i = 0; i < n; i++) {
            const struct audit_entry *e = &list[i].e;
            web_html(r, "<tr><td>%L</td><td>%s</td><td>%s (%s)</td><td>%s</td><td>%s %s</td><td>%s</td></tr>\n",
                 (long long)list[i].seq, list[i].at, e->actor, e->role, e->action, e->object_type, e->object_id, e->ip);
        }
        web_html(r, "</tbody>\n</table>\n</div>\n");
        /* keyset paging: the next page starts below the last entry shown */
        if (more)
            web_html(r, "<nav class=\"pagination\" aria-label=\"%s\"><ul><li><a href=\"/audit?before=%L\">%s</a></li></ul></nav>\n",
                 web_t(r, M_PAGINATION), (long long)list[n - 1].seq, web_t(r, M_AUDIT_OLDER));
    }
    web_page_end(r);
    return 0;
}

/* operator.c — the portal operator's screens.  The outbox screen lists
 * the SMS and e-mail queue; in the demo, where no SMS gateway is
 * connected, it shows the codes so that a tester can use them. */
#include "internal.h"
#include "../notify/notify.h"

#include <jansson.h>

static const char *message_text(struct http_req *r, const struct notify_message *m)
{
    json_t *p = json_loads(m->payload, 0, NULL);
    const char *code = json_string_value(json_object_get(p, "code"));
    int minutes = (int)json_integer_value(json_object_get(p, "minutes"));
    const char *text;
    if (pc_str_eq(m->template_id, "one-time-code") && code)
        text = pc_arena_printf(&r->arena, web_t_lang(pc_lang_parse(m->lang) < 0 ? PC_LANG_AZ : (enum pc_lang)pc_lang_parse(m->lang), M_OUTBOX_CODE_TEXT),
                               app_of(r)->demo ? code : "**********", minutes);
    else
        text = m->template_id;
    json_decref(p);
    return text;
}

int web_page_outbox(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MANAGE_CATALOG, NULL))
        return 0;
    struct notify_message *list;
    size_t n = 0;
    struct pc_err err = {0};
    if (notify_list_recent(app_of(r)->db, &r->arena, 100, &list, &n, &err))
        return web_fail(r, err.code, &err);
    web_page_begin(r, web_t(r, M_OUTBOX_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_OUTBOX_TITLE), web_t(r, M_OUTBOX_LEAD));
    if (n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_OUTBOX_EMPTY));
    } else {
        /* a region that scrolls sideways on a narrow phone, not the page */
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, M_OUTBOX_TITLE), web_t(r, M_OUTBOX_TITLE), web_t(r, M_COL_WHEN), web_t(r, M_COL_CHANNEL), web_t(r, M_COL_TO), web_t(r, M_COL_MESSAGE),
             web_t(r, M_COL_STATUS));
        for (size_t i = 0; i < n; i++) {
            char ts[21];
            pc_rfc3339(list[i].created_at, ts);
            web_html(r, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", ts, list[i].channel,
                 app_of(r)->demo ? list[i].recipient : notify_mask(&r->arena, list[i].recipient, 2),
                 message_text(r, &list[i]), list[i].status);
        }
        web_html(r, "</tbody>\n</table>\n</div>\n");
    }
    web_page_end(r);
    return 0;
}

/* queue_pages.c — the hall's display of a service centre: the tickets
 * called last and the counters they go to, and how many wait.  Public
 * (ticket numbers only, never names); it refreshes itself every few
 * seconds with the Refresh header, so it needs no JavaScript. */
#include "internal.h"
#include "../queue/queue.h"

#define DISPLAY_REFRESH "10"

int web_page_queue_display(struct http_req *r)
{
    struct pc_err err = {0};
    struct queue_centre c;
    struct queue_display d;
    int rc = queue_centre_get(app_of(r)->db, &r->arena, http_param(r, 0), &c, &err);
    if (!rc)
        rc = queue_display(app_of(r)->db, c.id, pc_now_unix(), &d, &err);
    if (rc)
        return web_fail(r, rc, &err);
    http_set_header(r, "Refresh", DISPLAY_REFRESH);
    const char *name = pc_text_get(&c.name, web_lang_id(r));
    web_page_begin(r, web_t(r, M_QUEUE_DISPLAY_TITLE));
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n", name, web_t(r, M_QUEUE_DISPLAY_TITLE));
    if (d.ncalled == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_QUEUE_DISPLAY_NONE));
    } else {
        web_html(r, "<table class=\"display\">\n<caption>%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
                    "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
                 web_t(r, M_QUEUE_DISPLAY_CALLED), web_t(r, M_QUEUE_TICKET), web_t(r, M_QUEUE_COUNTER));
        for (size_t i = 0; i < d.ncalled; i++)
            web_html(r, "<tr><td>%d</td><td>%d</td></tr>\n", d.called[i].ticket, d.called[i].counter);
        web_html(r, "</tbody>\n</table>\n");
    }
    web_html(r, "<p role=\"status\">%s: %L</p>\n", web_t(r, M_QUEUE_WAITING), (long long)d.waiting);
    web_page_end(r);
    return 0;
}

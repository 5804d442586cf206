/* channels.c — the channels of applications in words, and the table of
 * applications per month, district and channel on the statistics page
 * (the counts are cases', read through cases.h). */
#include "internal.h"

const char *web_channel_label(struct http_req *r, enum case_channel ch)
{
    static const enum msg msgs[CASE_CH_COUNT] = {
        [CASE_CH_WEB] = M_CHANNEL_WEB, [CASE_CH_API] = M_CHANNEL_API,
        [CASE_CH_KIOSK] = M_CHANNEL_KIOSK, [CASE_CH_PAPER] = M_CHANNEL_PAPER,
        [CASE_CH_ANONYMOUS] = M_CHANNEL_ANONYMOUS,
    };
    return (unsigned)ch < CASE_CH_COUNT ? web_t(r, msgs[ch]) : "";
}

void web_channel_facts(struct http_req *r, const struct case_app *app, const char *base)
{
    web_html(r, "<dt>%s</dt><dd>%s", web_t(r, M_CHANNEL_LABEL), web_channel_label(r, app->channel));
    if (app->district)
        web_html(r, " — %s", app->district);
    web_html(r, "</dd>\n");
    if (app->paper_scan && base)
        web_html(r, "<dt>%s</dt><dd><a href=\"%s/files/%s\" download>%s</a></dd>\n", web_t(r, M_PAPER_SCAN), base,
                 app->paper_scan, web_t(r, M_PAPER_SCAN));
}

void web_channel_stats(struct http_req *r, const char *from_month, const char *to_month)
{
    struct case_channel_count *rows;
    size_t n = 0;
    struct pc_err err = {0};
    int rc = case_channel_counts(app_of(r)->db, &r->arena, from_month, to_month, &rows, &n, &err);
    web_html(r, "<h2 id=\"channels\">%s</h2>\n", web_t(r, M_CHANNEL_STATS_TITLE));
    if (rc) {
        pc_log(PC_LOG_WARN, "web.channel_stats_failed", "msg", err.msg, NULL);
        web_html(r, "<p>%s</p>\n", web_t(r, M_ERR_BODY_500));
        return;
    }
    if (n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_CHANNEL_STATS_NONE));
        return;
    }
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\""
                " id=\"channel-stats\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>",
             web_t(r, M_CHANNEL_STATS_TITLE), web_t(r, M_CHANNEL_STATS_TITLE), web_t(r, M_CHANNEL_STATS_MONTH),
             web_t(r, M_KIOSKS_DISTRICT));
    for (int c = 0; c < CASE_CH_COUNT; c++)
        web_html(r, "<th scope=\"col\" class=\"num\">%s</th>", web_channel_label(r, (enum case_channel)c));
    web_html(r, "</tr></thead>\n<tbody>\n");
    /* rows come sorted by month and district: one line per pair */
    for (size_t i = 0; i < n;) {
        int64_t counts[CASE_CH_COUNT] = {0};
        size_t j = i;
        for (; j < n && pc_str_eq(rows[j].month, rows[i].month) && pc_str_eq(rows[j].district, rows[i].district); j++)
            counts[rows[j].channel] += rows[j].count;
        web_html(r, "<tr><th scope=\"row\">%s</th><td>%s</td>", rows[i].month,
                 *rows[i].district ? rows[i].district : web_t(r, M_CHANNEL_NO_DISTRICT));
        for (int c = 0; c < CASE_CH_COUNT; c++)
            web_html(r, "<td class=\"num\" data-channel=\"%s\">%L</td>", case_channel_name((enum case_channel)c),
                     (long long)counts[c]);
        web_html(r, "</tr>\n");
        i = j;
    }
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

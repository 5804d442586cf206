/* chart.c — server-rendered SVG charts for the reports: horizontal bars,
 * a label above each bar and its value beside it, so long Azerbaijani
 * labels never overlap.  The SVG is an image with a title and a
 * description that reads every bar; pages put a table of the same figures
 * beside it (the text alternative for those who cannot see it). */
#include "monitor.h"

#include <string.h>

#define WIDTH 640
#define ROW 44
#define BAR_X 8
#define BAR_W 520

void mon_svg_bars(struct pc_buf *out, const char *id, const char *title, const struct mon_bar *bars, size_t n,
                  int64_t max_hundredths)
{
    struct pc_arena a;
    pc_arena_init(&a);
    int height = (int)n * ROW + 8;
    pc_buf_printf(out, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
                       "viewBox=\"0 0 %d %d\" width=\"100%%\" aria-labelledby=\"", WIDTH, height);
    pc_buf_html(out, id);
    pc_buf_puts(out, "-t ");
    pc_buf_html(out, id);
    pc_buf_puts(out, "-d\">\n<title id=\"");
    pc_buf_html(out, id);
    pc_buf_puts(out, "-t\">");
    pc_buf_html(out, title);
    pc_buf_puts(out, "</title>\n<desc id=\"");
    pc_buf_html(out, id);
    pc_buf_puts(out, "-d\">");
    for (size_t i = 0; i < n; i++) {
        pc_buf_html(out, bars[i].label);
        pc_buf_puts(out, ": ");
        pc_buf_puts(out, mon_hundredths(&a, bars[i].value));
        pc_buf_puts(out, i + 1 < n ? "; " : ".");
    }
    pc_buf_puts(out, "</desc>\n");
    for (size_t i = 0; i < n; i++) {
        int y = (int)i * ROW + 4;
        int64_t v = bars[i].value < 0 ? 0 : bars[i].value > max_hundredths ? max_hundredths : bars[i].value;
        int w = max_hundredths > 0 ? (int)((double)BAR_W * (double)v / (double)max_hundredths) : 0;
        pc_buf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"chart-label\">", BAR_X, y + 14);
        pc_buf_html(out, bars[i].label);
        pc_buf_printf(out, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" class=\"chart-bar\"/>\n", BAR_X,
                      y + 20, w > 0 ? w : 1);
        pc_buf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"chart-value\">%s</text>\n", BAR_X + w + 6, y + 33,
                      mon_hundredths(&a, bars[i].value));
    }
    pc_buf_puts(out, "</svg>\n");
    pc_arena_release(&a);
}

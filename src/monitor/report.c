/* report.c — a published campaign written for download: JSON (the
 * figures as printed, the engine's band of each, the infrastructure's
 * computed scores beside the printed index, every discrepancy) and CSV
 * (one row a service).  Decimals come from hundredths, never a double. */
#include "internal.h"

static void put_str(struct pc_buf *b, const char *s)
{
    pc_buf_putc(b, '"');
    pc_buf_json_str(b, s ? s : "");
    pc_buf_putc(b, '"');
}

static void put_score(struct pc_buf *b, const char *key, const struct mon_published_score *p, const char *band)
{
    pc_buf_printf(b, ", \"%s\": {\"max\": %d, \"score\": %d, \"printed\": \"%d/%d\", \"words\": ", key, p->max,
                  p->score, p->max, p->score);
    put_str(b, p->words);
    if (band) {
        pc_buf_puts(b, ", \"band\": ");
        put_str(b, band);
    }
    pc_buf_putc(b, '}');
}

void mon_published_json(const struct mon_published *c, struct pc_buf *out)
{
    pc_buf_puts(out, "{\"id\": ");
    put_str(out, c->id);
    pc_buf_puts(out, ", \"title\": {");
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        pc_buf_printf(out, "%s\"%s\": ", l ? ", " : "", pc_lang_code((enum pc_lang)l));
        put_str(out, c->title.s[l]);
    }
    pc_buf_puts(out, "}");
    if (c->has_infra) {
        pc_buf_puts(out, ", \"infrastructure\": ");
        mon_infra_json(&c->infra, out);
        out->len--; /* reopen the object: the printed index goes beside the computed one */
        pc_buf_puts(out, ", \"printed_index\": ");
        put_str(out, c->infra_printed_index);
        pc_buf_putc(out, '}');
    }
    pc_buf_puts(out, ", \"services\": [");
    for (size_t i = 0; i < c->nservices; i++) {
        const struct mon_published_service *s = &c->services[i];
        pc_buf_puts(out, i ? ",\n{\"service\": " : "\n{\"service\": ");
        put_str(out, s->service);
        pc_buf_puts(out, ", \"agency\": ");
        put_str(out, s->agency);
        pc_buf_puts(out, ", \"group\": ");
        put_str(out, s->group);
        pc_buf_puts(out, ", \"row\": ");
        put_str(out, s->row);
        pc_buf_puts(out, ", \"name\": ");
        put_str(out, s->name);
        pc_buf_printf(out, ", \"model\": %d, \"paid\": %s", s->model, s->paid ? "true" : "false");
        put_score(out, "development", &s->development, NULL);
        put_score(out, "participation", &s->participation, mon_band_name(s->participation_band));
        put_score(out, "transparency", &s->transparency, mon_band_name(s->transparency_band));
        pc_buf_puts(out, ", \"source\": ");
        put_str(out, s->source);
        pc_buf_puts(out, ", \"discrepancies\": [");
        for (size_t k = 0; k < s->ndiscrepancies; k++) {
            if (k)
                pc_buf_puts(out, ", ");
            put_str(out, s->discrepancies[k]);
        }
        pc_buf_puts(out, "]}");
    }
    pc_buf_puts(out, "], \"discrepancies\": [");
    for (size_t i = 0; i < c->ndiscrepancies; i++) {
        pc_buf_puts(out, i ? ", {\"subject\": " : "{\"subject\": ");
        put_str(out, c->discrepancies[i].subject);
        pc_buf_puts(out, ", \"what\": ");
        put_str(out, c->discrepancies[i].what);
        pc_buf_putc(out, '}');
    }
    pc_buf_puts(out, "]}\n");
}

void mon_published_csv(const struct mon_published *c, struct pc_buf *out)
{
    pc_buf_puts(out, "service,agency,group,row,model,development,participation,participation_band,transparency,"
                     "transparency_band,discrepancies\r\n");
    for (size_t i = 0; i < c->nservices; i++) {
        const struct mon_published_service *s = &c->services[i];
        const char *f[] = {s->service, s->agency, s->group, s->row};
        for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
            mon__csv_put(out, f[k]);
            pc_buf_putc(out, ',');
        }
        pc_buf_printf(out, "%d,%d/%d,%d/%d,", s->model, s->development.max, s->development.score,
                      s->participation.max, s->participation.score);
        mon__csv_put(out, mon_band_name(s->participation_band));
        pc_buf_printf(out, ",%d/%d,", s->transparency.max, s->transparency.score);
        mon__csv_put(out, mon_band_name(s->transparency_band));
        pc_buf_printf(out, ",%zu\r\n", s->ndiscrepancies);
    }
}

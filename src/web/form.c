/* form.c — GOV.UK-style form pieces shared by every form: the error
 * summary that links to each field, text fields with hint and error
 * message, and the submit button.  Typed values are kept on error. */
#include "internal.h"

void web_error_summary(struct http_req *r, const struct web_field_error *errors, int n)
{
    if (n == 0)
        return;
    web_html(r, "<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\" tabindex=\"-1\">\n"
            "<h2 id=\"error-summary-title\">%s</h2>\n<ul>\n", web_t(r, M_ERR_SUMMARY));
    for (int i = 0; i < n; i++)
        web_html(r, "<li><a href=\"#%s\">%s</a></li>\n", errors[i].field, errors[i].message);
    web_html(r, "</ul>\n</div>\n");
}

static const char *error_for(const struct web_field_error *errors, int n, const char *field)
{
    for (int i = 0; i < n; i++)
        if (pc_str_eq(errors[i].field, field))
            return errors[i].message;
    return NULL;
}

void web_text_field(struct http_req *r, const struct web_field *f, const struct web_field_error *errors, int nerrors)
{
    const char *err = error_for(errors, nerrors, f->id);
    web_html(r, "<div class=\"field%r\">\n<label for=\"%s\">%s</label>\n", err ? " field-error" : "", f->id, f->label);
    const char *described = "";
    if (f->hint) {
        web_html(r, "<p class=\"hint\" id=\"%s-hint\">%s</p>\n", f->id, f->hint);
        described = pc_arena_printf(&r->arena, "%s-hint", f->id);
    }
    if (err) {
        web_html(r, "<p class=\"error-message\" id=\"%s-error\">%s</p>\n", f->id, err);
        described = pc_arena_printf(&r->arena, "%s%s%s-error", described, *described ? " " : "", f->id);
    }
    web_html(r, "<input class=\"input\" id=\"%s\" name=\"%s\" type=\"%s\"", f->id, f->id, f->type ? f->type : "text");
    if (f->value && !pc_str_eq(f->type, "password"))
        web_html(r, " value=\"%s\"", f->value);
    if (f->autocomplete)
        web_html(r, " autocomplete=\"%s\"", f->autocomplete);
    if (*described)
        web_html(r, " aria-describedby=\"%s\"", described);
    if (err)
        web_html(r, " aria-invalid=\"true\"");
    web_html(r, " maxlength=\"%d\" spellcheck=\"false\">\n</div>\n", f->maxlength ? f->maxlength : 200);
}

void web_form_title(struct http_req *r, const char *title, int nerrors)
{
    /* "Error: " first, so a screen reader hears it before anything else */
    if (nerrors)
        web_page_begin(r, pc_arena_printf(&r->arena, "%s: %s", web_t(r, M_ERR_SUMMARY), title));
    else
        web_page_begin(r, title);
}

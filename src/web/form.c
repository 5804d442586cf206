/* form.c — GOV.UK-style form pieces shared by every form: the error
 * summary that links to each field, text fields with hint and error
 * message, and the submit button.  Typed values are kept on error. */
#include "internal.h"

void form_error_summary(struct http_req *r, const struct form_error *errors, int n)
{
    if (n == 0)
        return;
    html(r, "<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\" tabindex=\"-1\">\n"
            "<h2 id=\"error-summary-title\">%s</h2>\n<ul>\n", t(r, M_ERR_SUMMARY));
    for (int i = 0; i < n; i++)
        html(r, "<li><a href=\"#%s\">%s</a></li>\n", errors[i].field, errors[i].message);
    html(r, "</ul>\n</div>\n");
}

static const char *error_for(const struct form_error *errors, int n, const char *field)
{
    for (int i = 0; i < n; i++)
        if (pc_str_eq(errors[i].field, field))
            return errors[i].message;
    return NULL;
}

void form_text(struct http_req *r, const struct form_field *f, const struct form_error *errors, int nerrors)
{
    const char *err = error_for(errors, nerrors, f->id);
    html(r, "<div class=\"field%r\">\n<label for=\"%s\">%s</label>\n", err ? " field-error" : "", f->id, f->label);
    const char *described = "";
    if (f->hint) {
        html(r, "<p class=\"hint\" id=\"%s-hint\">%s</p>\n", f->id, f->hint);
        described = pc_arena_printf(&r->arena, "%s-hint", f->id);
    }
    if (err) {
        html(r, "<p class=\"error-message\" id=\"%s-error\">%s</p>\n", f->id, err);
        described = pc_arena_printf(&r->arena, "%s%s%s-error", described, *described ? " " : "", f->id);
    }
    html(r, "<input class=\"input\" id=\"%s\" name=\"%s\" type=\"%s\"", f->id, f->id, f->type ? f->type : "text");
    if (f->value && !pc_str_eq(f->type, "password"))
        html(r, " value=\"%s\"", f->value);
    if (f->autocomplete)
        html(r, " autocomplete=\"%s\"", f->autocomplete);
    if (*described)
        html(r, " aria-describedby=\"%s\"", described);
    if (err)
        html(r, " aria-invalid=\"true\"");
    html(r, " maxlength=\"%d\" spellcheck=\"false\">\n</div>\n", f->maxlength ? f->maxlength : 200);
}

void form_title(struct http_req *r, const char *title, int nerrors)
{
    /* "Error: " first, so a screen reader hears it before anything else */
    if (nerrors)
        page_begin(r, pc_arena_printf(&r->arena, "%s: %s", t(r, M_ERR_SUMMARY), title));
    else
        page_begin(r, title);
}

/* form.c — GOV.UK-style form pieces shared by every form: the error
 * summary that links to each field, text fields with hint and error
 * message, and the submit button.  Typed values are kept on error, and
 * on a failure of the service (web_retry_form). */
#include "internal.h"

#include <string.h>

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

/* Never sent back to the browser: passwords, their confirmation, and
 * second-factor codes (used once anyway). */
static bool secret_field(const char *name)
{
    return strstr(name, "password") || pc_str_eq(name, "confirm") || pc_str_eq(name, "otp");
}

void web_retry_form(struct http_req *r)
{
    if (r->is_api || !pc_str_eq(r->method, "POST") || r->form.n == 0)
        return;
    /* the route that matched: a local path (never "//host") */
    const char *action = r->raw_uri && r->raw_uri[0] == '/' && r->raw_uri[1] != '/' ? r->raw_uri : "/";
    web_html(r, "<form method=\"post\" action=\"%s\">\n<p>%s</p>\n", action, web_t(r, M_ERR_RETRY_LEAD));
    for (size_t i = 0; i < r->form.n; i++)
        if (!secret_field(r->form.items[i].key))
            web_html(r, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n", r->form.items[i].key,
                     r->form.items[i].value);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_ERR_RETRY_BUTTON));
}

void web_code_page(struct http_req *r, const char *title, const char *code, const char *what_to_do,
                   const char *back_href, const char *back_label)
{
    web_page_begin(r, title);
    /* the code's name as text for screen readers: an aria-label on a <p>
     * is either ignored or read instead of the code itself */
    web_html(r, "<div class=\"panel\">\n<h1>%s</h1>\n<p class=\"code\"><span class=\"visually-hidden\">%s: </span>%s</p>\n"
                "</div>\n<p>%s</p>\n<p>%s</p>\n<p><a href=\"%s\">%s</a></p>\n",
             title, web_t(r, M_ACTIVATE_FIELD_CODE), pc_arena_printf(&r->arena, "%.4s-%.4s-%.2s", code, code + 4, code + 8),
             what_to_do, web_t(r, M_REG_CODE_VALID), back_href, back_label);
    web_page_end(r);
}

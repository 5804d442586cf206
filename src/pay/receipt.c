/* receipt.c — a payment's receipt as a PDF (libhpdf): reference, amount,
 * date, service, agency, application (or the fines' protocols).  Text in
 * Azerbaijani and English with a Unicode font (DejaVu Sans) when the
 * system has it, else ASCII in a standard font.  Nothing in it depends on
 * when it is made (no creation date), so the same payment gives the same
 * bytes, and the agency's seal — a detached CMS signature made by the
 * certification centre (pay_receipt_seal) — checks against any copy.
 * PAdES (the signature inside the PDF) would need a PDF writer that
 * leaves a byte range for it; libhpdf does not. */
#include "pay.h"
#include "../pki/pki.h"

#include <hpdf.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FONT_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

struct guard {
    jmp_buf jb;
    HPDF_STATUS code;
};

static void on_error(HPDF_STATUS code, HPDF_STATUS detail, void *data)
{
    (void)detail;
    struct guard *g = data;
    g->code = code;
    longjmp(g->jb, 1);
}

/* Without the Unicode font, letters outside ASCII become '?'. */
static const char *plain(struct pc_arena *a, const char *s, bool unicode)
{
    if (unicode || !s)
        return s ? s : "";
    char *o = pc_arena_alloc(a, strlen(s) + 1), *w = o;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x80)
            *w++ = (char)*p;
        else if ((*p & 0xC0) != 0x80)
            *w++ = '?';
    *w = 0;
    return o;
}

int pay_receipt_seal(struct pki_client *ca, const struct pay_payment *p, const unsigned char *pdf, size_t len,
                     struct pc_arena *a, const unsigned char **sig, size_t *sig_len, struct pc_err *err)
{
    *sig = NULL;
    *sig_len = 0;
    if (!ca)
        return pc_err_set(err, PC_EUNAVAIL, "no certification centre is configured to seal receipts");
    if (p->status != PAY_SUCCESS)
        return pc_err_set(err, PC_ENOTFOUND, "a receipt exists only for a paid payment");
    struct pki_cert seal;
    int rc = pki_client_seal(ca, a, p->agency_id, p->id, pdf, len, sig, sig_len, &seal, err);
    /* an agency without a (valid) seal: the sealing service is missing for
     * it, not the payment (what 404 or 409 would say) */
    if (rc == PC_ENOTFOUND || rc == PC_ECONFLICT) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return pc_err_set(err, PC_EUNAVAIL, "the agency %s cannot seal receipts now: %s", p->agency_id, why);
    }
    return rc;
}

static void line(HPDF_Page page, HPDF_Font font, float size, float y, const char *label, const char *value)
{
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, font, size);
    HPDF_Page_TextOut(page, 56, y, label);
    if (value)
        HPDF_Page_TextOut(page, 260, y, value);
    HPDF_Page_EndText(page);
}

int pay_receipt_pdf(const struct pay_receipt_info *info, unsigned char **out, size_t *len, struct pc_err *err)
{
    *out = NULL;
    *len = 0;
    const struct pay_payment *p = info->p;
    if (p->status != PAY_SUCCESS)
        return pc_err_set(err, PC_ENOTFOUND, "a receipt exists only for a paid payment");
    struct guard g = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    HPDF_Doc pdf = HPDF_New(on_error, &g);
    if (!pdf)
        pc_oom(0);
    if (setjmp(g.jb)) {
        HPDF_Free(pdf);
        pc_arena_release(&a);
        free(*out);
        *out = NULL;
        return pc_err_set(err, PC_EIO, "the receipt could not be made (libhpdf error 0x%04X)", (unsigned)g.code);
    }
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    bool unicode = access(FONT_PATH, R_OK) == 0;
    HPDF_Font font;
    if (unicode) {
        HPDF_UseUTFEncodings(pdf);
        font = HPDF_GetFont(pdf, HPDF_LoadTTFontFromFile(pdf, FONT_PATH, HPDF_TRUE), "UTF-8");
    } else {
        font = HPDF_GetFont(pdf, "Helvetica", NULL);
    }
    HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, plain(&a, p->id, unicode));
    HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "Pencere");
    HPDF_Page page = HPDF_AddPage(pdf);
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    float y = HPDF_Page_GetHeight(page) - 80;
    line(page, font, 18, y, plain(&a, unicode ? "Ödəniş qəbzi / Payment receipt" : "Payment receipt", unicode), NULL);
    char paid[21];
    pc_rfc3339(p->paid_at, paid);
    const char *rows[][2] = {
        {unicode ? "Ödənişin nömrəsi / Reference" : "Reference", p->id},
        {unicode ? "Məbləğ / Amount" : "Amount",
         pc_arena_printf(&a, "%lld.%02lld AZN", (long long)(p->amount_qepik / 100), (long long)(p->amount_qepik % 100))},
        {unicode ? "Qaytarılıb / Refunded" : "Refunded",
         pc_arena_printf(&a, "%lld.%02lld AZN", (long long)(p->refunded_qepik / 100), (long long)(p->refunded_qepik % 100))},
        {unicode ? "Tarix / Paid at (UTC)" : "Paid at (UTC)", paid},
        {unicode ? "Xidmət / Service" : "Service", info->service},
        {unicode ? "Qurum / Agency" : "Agency", info->agency},
        {info->subject_label == PAY_SUBJECT_PROTOCOLS ? (unicode ? "Protokollar / Protocols" : "Protocols")
                                                      : (unicode ? "Ərizə / Application" : "Application"),
         info->application_ref},
        {unicode ? "Provayderin nömrəsi / Provider id" : "Provider id", p->provider_id},
    };
    y -= 40;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++, y -= 22)
        line(page, font, 11, y, plain(&a, rows[i][0], unicode), plain(&a, rows[i][1], unicode));
    HPDF_SaveToStream(pdf);
    HPDF_UINT32 size = HPDF_GetStreamSize(pdf);
    *out = malloc(size ? size : 1);
    if (!*out)
        pc_oom(size);
    HPDF_UINT32 got = size;
    HPDF_ReadFromStream(pdf, *out, &got);
    *len = got;
    HPDF_Free(pdf);
    pc_arena_release(&a);
    return 0;
}

/* receipt.c — a payment's receipt as a PDF (src/pdf: PDF/A-2b as
 * declared, the portal's font embedded): reference, amount, date,
 * service, agency, application (or the fines' protocols), in Azerbaijani
 * and English.  Nothing in it depends on when it is made (no creation
 * date), so the same payment gives the same bytes, and the agency's seal
 * — a detached CMS signature made by the certification centre
 * (pay_receipt_seal) — checks against any copy. */
#include "pay.h"
#include "../pdf/pdf.h"
#include "../pki/pki.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int pay_receipt_pdf(const struct pay_receipt_info *info, unsigned char **out, size_t *len, struct pc_err *err)
{
    *out = NULL;
    *len = 0;
    const struct pay_payment *p = info->p;
    if (p->status != PAY_SUCCESS)
        return pc_err_set(err, PC_ENOTFOUND, "a receipt exists only for a paid payment");
    struct pc_arena a;
    pc_arena_init(&a);
    struct pdf_page page;
    pdf_page_init(&page);
    float y = PDF_A4_HEIGHT - 80;
    pdf_text(&page, 56, y, 18, "Ödəniş qəbzi / Payment receipt");
    char paid[21];
    pc_rfc3339(p->paid_at, paid);
    const char *rows[][2] = {
        {"Ödənişin nömrəsi / Reference", p->id},
        {"Məbləğ / Amount",
         pc_arena_printf(&a, "%lld.%02lld AZN", (long long)(p->amount_qepik / 100), (long long)(p->amount_qepik % 100))},
        {"Qaytarılıb / Refunded",
         pc_arena_printf(&a, "%lld.%02lld AZN", (long long)(p->refunded_qepik / 100), (long long)(p->refunded_qepik % 100))},
        {"Tarix / Paid at (UTC)", paid},
        {"Xidmət / Service", info->service},
        {"Qurum / Agency", info->agency},
        {info->subject_label == PAY_SUBJECT_PROTOCOLS ? "Protokollar / Protocols" : "Ərizə / Application",
         info->application_ref},
        {"Provayderin nömrəsi / Provider id", p->provider_id},
    };
    y -= 40;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++, y -= 22) {
        pdf_text(&page, 56, y, 11, rows[i][0]);
        if (rows[i][1])
            pdf_text(&page, 260, y, 11, rows[i][1]);
    }
    struct pdf_meta m = {.title = p->id, .lang = "az"};
    int rc = pdf_write(&page, &m, out, len, err);
    pdf_page_release(&page);
    pc_arena_release(&a);
    return rc;
}

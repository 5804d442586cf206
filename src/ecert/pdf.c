/* pdf.c — the certificate as a PDF (src/pdf: PDF/A-2b as declared, the
 * font embedded, a PAdES signature field reserved for the agency's seal).
 * Azerbaijani text: a heading naming the kind, the certificate's number,
 * date and issuing agency, the person, the kind's facts, and at the foot
 * the QR code of the verification address (drawn as filled squares), the
 * address and the verification code. */
#include "ecert.h"

#include "../pdf/pdf.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN 56.0f
#define VALUE_X 250.0f
#define FOOT_TOP 215.0f   /* the QR code and the verification text are below */
#define ENTRY_HEIGHT 76.0f /* a contract or a taxpayer: four rows and a gap */

struct writer {
    struct pc_arena *a;
    struct pdf_page page;
    float y;
};

static void text(struct writer *w, float x, float size, const char *s)
{
    pdf_text(&w->page, x, w->y, size, s);
}

/* A label and its value on one line ("—" for a value the register does not have). */
static void row(struct writer *w, const char *label, const char *value)
{
    text(w, MARGIN, 10, label);
    text(w, VALUE_X, 10, value && *value ? value : "—");
    w->y -= 17;
}

static void heading(struct writer *w, const char *s)
{
    w->y -= 8;
    text(w, MARGIN, 12, s);
    w->y -= 20;
}

static const char *azn(struct pc_arena *a, int64_t v)
{
    return pc_arena_printf(a, "%lld AZN", (long long)v);
}

static void address(struct writer *w, const struct ecert_facts *f)
{
    heading(w, "Qeydiyyatda olduğu ünvan");
    row(w, "Region", f->region);
    row(w, "Şəhər / rayon", f->city);
    row(w, "Küçə", f->street);
    row(w, "Ev", f->house ? pc_arena_printf(w->a, "%lld", (long long)f->house) : NULL);
    row(w, "Mənzil", f->apartment ? pc_arena_printf(w->a, "%lld", (long long)f->apartment) : NULL);
    row(w, "Qeydiyyat tarixi", f->registered_at);
}

/* Whether another entry fits above the foot; when not, say how many are left out. */
static bool room(struct writer *w, size_t left)
{
    if (w->y - ENTRY_HEIGHT >= FOOT_TOP)
        return true;
    row(w, "…", pc_arena_printf(w->a, "daha %zu qeyd (reyestrdə)", left));
    return false;
}

static void employment(struct writer *w, const struct ecert_facts *f)
{
    heading(w, "Əmək müqavilələri (əmək müqavilələri reyestri)");
    if (!f->njobs)
        row(w, "Əmək müqaviləsi", "qeydə alınmayıb");
    for (size_t i = 0; i < f->njobs && room(w, f->njobs - i); i++) {
        const struct ecert_job *j = &f->jobs[i];
        row(w, "İşəgötürənin VÖEN-i", j->employer_voen);
        row(w, "Vəzifə", j->position);
        row(w, "Əmək haqqı", azn(w->a, j->salary_azn));
        row(w, "Müddət", pc_arena_printf(w->a, "%s — %s", j->started_at ? j->started_at : "?",
                                          j->ended_at ? j->ended_at : "hazırda"));
        w->y -= 4;
    }
}

static void income(struct writer *w, const struct ecert_facts *f)
{
    heading(w, "Sosial sığorta (Dövlət Sosial Müdafiə Fondu)");
    row(w, "Sığortalıdır", f->insured ? "bəli" : "xeyr");
    row(w, "Sığorta stajı", pc_arena_printf(w->a, "%lld il", (long long)f->insurance_years));
    row(w, "Ötən ilin ödənişləri", azn(w->a, f->contributions_azn));
    row(w, "Pensiya", f->pension ? azn(w->a, f->pension_azn) : "təyin edilməyib");
    if (f->pension) {
        row(w, "Pensiyanın növü", pc_str_eq(f->pension_kind, "age") ? "yaşa görə" : f->pension_kind);
        row(w, "Təyin edildiyi tarix", f->pension_since);
    }
}

static void taxpayer(struct writer *w, const struct ecert_facts *f)
{
    heading(w, "Vergi ödəyicisi kimi uçot (AVİS)");
    if (!f->ntaxpayers)
        row(w, "Vergi uçotu", "fərdi sahibkar və ya hüquqi şəxsin rəhbəri kimi qeydə alınmayıb");
    for (size_t i = 0; i < f->ntaxpayers && room(w, f->ntaxpayers - i); i++) {
        const struct ecert_taxpayer *t = &f->taxpayers[i];
        row(w, "VÖEN", t->voen);
        row(w, "Ad", t->name);
        row(w, "Şəxsin statusu", t->entrepreneur ? "fərdi sahibkar" : "hüquqi şəxsin rəhbəri");
        row(w, "Vergi ödəyicisinin vəziyyəti", pc_str_eq(t->status, "active") ? "fəaliyyətdədir" : "ləğv edilib");
        w->y -= 4;
    }
}

/* The QR code of the address with a quiet zone of four modules each
 * side, its lower left corner at (x, y). */
static void qr(struct pdf_page *page, const char *url, float x, float y, float side)
{
    QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        pc_oom(0); /* only out of memory, for a URL of bounded length */
    float m = side / (float)(q->width + 8);
    pdf_cells(page, x + 4 * m, y + 4 * m, m * (float)q->width, q->width, q->data);
    QRcode_free(q);
}

int ecert_pdf_build(const struct ecert_doc *d, unsigned char **out, size_t *len, struct pc_err *err)
{
    *out = NULL;
    *len = 0;
    const struct ecert_facts *f = d->facts;
    if ((unsigned)f->kind >= ECERT_KIND_COUNT)
        return pc_err_set(err, PC_EINVAL, "no such kind of certificate");
    struct pc_arena a;
    pc_arena_init(&a);
    struct writer w = {.a = &a, .y = PDF_A4_HEIGHT - 72};
    pdf_page_init(&w.page);
    char when[21];
    pc_rfc3339(d->issued_at, when);
    text(&w, MARGIN, 9, "AZƏRBAYCAN RESPUBLİKASI · ELEKTRON HÖKUMƏT PORTALI");
    w.y -= 30;
    text(&w, MARGIN, 16, ecert_kind_title(f->kind));
    w.y -= 30;
    row(&w, "Arayışın nömrəsi", d->id);
    row(&w, "Verilmə tarixi (UTC)", pc_arena_printf(&a, "%.10s %.8s", when, when + 11));
    row(&w, "Arayışı verən qurum", d->issuer);
    heading(&w, "Şəxs (əhalinin dövlət reyestri)");
    row(&w, "FİN", f->fin);
    row(&w, "Soyadı, adı, atasının adı",
        pc_arena_printf(&a, "%s %s %s", f->surname ? f->surname : "", f->name ? f->name : "",
                        f->patronymic ? f->patronymic : ""));
    row(&w, "Doğum tarixi", f->birth_date);
    static void (*const facts[ECERT_KIND_COUNT])(struct writer *, const struct ecert_facts *) = {
        [ECERT_ADDRESS] = address, [ECERT_EMPLOYMENT] = employment, [ECERT_INCOME] = income,
        [ECERT_TAXPAYER] = taxpayer};
    facts[f->kind](&w, f);
    /* the foot: how anyone checks it */
    qr(&w.page, d->verify_url, MARGIN - 12, 60, 130);
    w.y = 160;
    text(&w, 190, 10, "Arayışın həqiqiliyini yoxlamaq üçün QR kodu oxudun və ya");
    w.y -= 15;
    text(&w, 190, 10, "portalda yoxlama kodunu daxil edin:");
    w.y -= 22;
    text(&w, 190, 14, d->code);
    w.y -= 18;
    text(&w, 190, 7, d->verify_url);
    w.y -= 15;
    text(&w, 190, 8, "Sənəd qurumun elektron möhürü ilə imzalanıb (PAdES, faylın içində).");
    struct pdf_meta m = {.title = pc_arena_printf(&a, "%s %s", ecert_kind_title(f->kind), d->id),
                         .author = d->issuer, .subject = pc_arena_printf(&a, "Yoxlama kodu %s", d->code),
                         .lang = "az", .created = d->issued_at, .signature = true};
    int rc = pdf_write(&w.page, &m, out, len, err);
    pdf_page_release(&w.page);
    pc_arena_release(&a);
    return rc;
}

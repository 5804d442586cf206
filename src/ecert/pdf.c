/* pdf.c — the certificate as a PDF (libhpdf).  PDF/A-like: the one font
 * (DejaVu Sans) embedded, document information (title, author, subject,
 * creator, dates), no scripts, no links, no encryption.  Azerbaijani
 * text: a heading naming the kind, the certificate's number, date and
 * issuing agency, the person, the kind's facts, and at the foot the QR
 * code of the verification address (drawn as vector squares), the
 * address and the verification code. */
#include "ecert.h"

#include <hpdf.h>
#include <qrencode.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FONT_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define MARGIN 56.0f
#define VALUE_X 250.0f
#define FOOT_TOP 215.0f   /* the QR code and the verification text are below */
#define ENTRY_HEIGHT 76.0f /* a contract or a taxpayer: four rows and a gap */

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

struct writer {
    struct pc_arena *a;
    HPDF_Page page;
    HPDF_Font font;
    float y;
};

static void text(struct writer *w, float x, float size, const char *s)
{
    HPDF_Page_BeginText(w->page);
    HPDF_Page_SetFontAndSize(w->page, w->font, size);
    HPDF_Page_TextOut(w->page, x, w->y, s);
    HPDF_Page_EndText(w->page);
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

/* Document information strings are PDFDocEncoding, not UTF-8: the
 * Azerbaijani letters folded to their Latin bases (ə → e, ş → s, …). */
static const char *ascii(struct pc_arena *a, const char *s)
{
    static const char *const from[] = {"ə", "Ə", "ş", "Ş", "ç", "Ç", "ğ", "Ğ", "ı", "İ", "ö", "Ö", "ü", "Ü"};
    static const char to[] = "eEsScCgGiIoOuU";
    char *o = pc_arena_alloc(a, strlen(s) + 1), *w = o;
    while (*s) {
        size_t i = 0;
        while (i < sizeof from / sizeof from[0] && strncmp(s, from[i], strlen(from[i])) != 0)
            i++;
        if (i < sizeof from / sizeof from[0]) {
            *w++ = to[i];
            s += strlen(from[i]);
        } else if ((unsigned char)*s < 0x80) {
            *w++ = *s++;
        } else {
            *w++ = '?';
            for (s++; (*s & 0xC0) == 0x80; s++)
                ;
        }
    }
    return o;
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

/* The QR code of the address, modules as filled squares, its lower left corner at (x, y). */
static void qr(HPDF_Page page, const char *url, float x, float y, float side)
{
    QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        pc_oom(0); /* only out of memory, for a URL of bounded length */
    float m = side / (float)(q->width + 8); /* a quiet zone of four modules each side */
    HPDF_Page_SetGrayFill(page, 0);
    for (int r = 0; r < q->width; r++)
        for (int c = 0; c < q->width; c++)
            if (q->data[r * q->width + c] & 1)
                HPDF_Page_Rectangle(page, x + (float)(c + 4) * m, y + side - (float)(r + 5) * m, m, m);
    HPDF_Page_Fill(page);
    QRcode_free(q);
}

/* Each thread keeps one libhpdf handle: HPDF_FreeDoc keeps the loaded
 * font, so the TrueType font is read and its glyphs indexed once per
 * thread instead of once per certificate (most of the time a document
 * takes).  The handle goes with its thread (the key's destructor). */
struct maker {
    HPDF_Doc pdf;
    struct guard g;
    const char *font;            /* the loaded font's name (libhpdf's) */
};

static pthread_key_t maker_key;
static pthread_once_t maker_once = PTHREAD_ONCE_INIT;

static void maker_free(void *p)
{
    struct maker *m = p;
    HPDF_Free(m->pdf);
    free(m);
}

static void maker_key_make(void)
{
    if (pthread_key_create(&maker_key, maker_free))
        pc_oom(0);
}

static struct maker *maker_new(void)
{
    struct maker *m = calloc(1, sizeof *m);
    if (!m)
        pc_oom(sizeof *m);
    m->pdf = HPDF_New(on_error, &m->g);
    if (!m->pdf)
        pc_oom(0);
    pthread_setspecific(maker_key, m);
    return m;
}

static struct maker *maker_get(void)
{
    pthread_once(&maker_once, maker_key_make);
    struct maker *m = pthread_getspecific(maker_key);
    return m ? m : maker_new();
}

/* After a libhpdf error the handle is not trusted again. */
static void maker_drop(struct maker *m)
{
    pthread_setspecific(maker_key, NULL);
    maker_free(m);
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
    struct maker *volatile m = maker_get();
    HPDF_Doc pdf = m->pdf;
    if (setjmp(m->g.jb)) {
        unsigned code = (unsigned)m->g.code;
        maker_drop(m);
        pc_arena_release(&a);
        free(*out);
        *out = NULL;
        return pc_err_set(err, PC_EIO, "the certificate's PDF could not be made (libhpdf error 0x%04X)", code);
    }
    HPDF_NewDoc(pdf);
    if (!m->font) {
        HPDF_UseUTFEncodings(pdf);
        m->font = HPDF_LoadTTFontFromFile(pdf, FONT_PATH, HPDF_TRUE);
    }
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    struct writer w = {.a = &a};
    w.font = HPDF_GetFont(pdf, m->font, "UTF-8");
    char when[21];
    pc_rfc3339(d->issued_at, when);
    HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, ascii(&a, pc_arena_printf(&a, "%s %s", ecert_kind_title(f->kind), d->id)));
    HPDF_SetInfoAttr(pdf, HPDF_INFO_AUTHOR, ascii(&a, d->issuer));
    HPDF_SetInfoAttr(pdf, HPDF_INFO_SUBJECT, pc_arena_printf(&a, "Yoxlama kodu %s", d->code));
    HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "Pencere");
    HPDF_SetInfoAttr(pdf, HPDF_INFO_PRODUCER, "Pencere (libhpdf)");
    time_t t = (time_t)d->issued_at;
    struct tm tm;
    gmtime_r(&t, &tm);
    HPDF_Date date = {.year = tm.tm_year + 1900, .month = tm.tm_mon + 1, .day = tm.tm_mday, .hour = tm.tm_hour,
                      .minutes = tm.tm_min, .seconds = tm.tm_sec, .ind = 'Z'};
    HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, date);
    HPDF_SetInfoDateAttr(pdf, HPDF_INFO_MOD_DATE, date);
    w.page = HPDF_AddPage(pdf);
    HPDF_Page_SetSize(w.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    w.y = HPDF_Page_GetHeight(w.page) - 72;
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
    qr(w.page, d->verify_url, MARGIN - 12, 60, 130);
    w.y = 160;
    text(&w, 190, 10, "Arayışın həqiqiliyini yoxlamaq üçün QR kodu oxudun və ya");
    w.y -= 15;
    text(&w, 190, 10, "portalda yoxlama kodunu daxil edin:");
    w.y -= 22;
    text(&w, 190, 14, d->code);
    w.y -= 18;
    text(&w, 190, 7, d->verify_url);
    w.y -= 15;
    text(&w, 190, 8, "Sənəd qurumun elektron möhürü ilə imzalanıb (CAdES-T, faylın içində).");
    HPDF_SaveToStream(pdf);
    HPDF_UINT32 size = HPDF_GetStreamSize(pdf);
    *out = malloc(size ? size : 1);
    if (!*out)
        pc_oom(size);
    HPDF_UINT32 got = size;
    HPDF_ReadFromStream(pdf, *out, &got);
    *len = got;
    HPDF_FreeDoc(pdf);
    pc_arena_release(&a);
    return 0;
}

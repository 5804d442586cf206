/* utf8.c — UTF-8 validation and the search folding shared by indexing and
 * querying, so that "sexsiyyet vesiqesi" and "ŞƏXSİYYƏT" meet
 * "şəxsiyyət vəsiqəsi" on every storage backend. */
#include "base.h"

/* Decode one code point at s[0..n); returns its length, or 0 if the bytes
 * are not well-formed UTF-8 (overlongs, surrogates and > U+10FFFF rejected). */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2; v = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3; v = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4; v = c & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

bool pc_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = decode(p + i, n - i, &cp);
        if (!len || cp == 0)
            return false;
        i += len;
    }
    return true;
}

static void put_cp(struct pc_buf *out, uint32_t cp)
{
    char e[4];
    if (cp < 0x80) {
        e[0] = (char)cp;
        pc_buf_append(out, e, 1);
    } else if (cp < 0x800) {
        e[0] = (char)(0xC0 | (cp >> 6));
        e[1] = (char)(0x80 | (cp & 0x3F));
        pc_buf_append(out, e, 2);
    } else if (cp < 0x10000) {
        e[0] = (char)(0xE0 | (cp >> 12));
        e[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        e[2] = (char)(0x80 | (cp & 0x3F));
        pc_buf_append(out, e, 3);
    } else {
        e[0] = (char)(0xF0 | (cp >> 18));
        e[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        e[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        e[3] = (char)(0x80 | (cp & 0x3F));
        pc_buf_append(out, e, 4);
    }
}

/* Map one code point to its folded form; 0 means "separator". */
static uint32_t fold_cp(uint32_t cp)
{
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            return cp + 32;
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
            return cp;
        return 0;
    }
    switch (cp) {
    case 0x0259: case 0x018F: case 0x04D8: case 0x04D9: return 'e'; /* ə Ə (and Cyrillic look-alikes) */
    case 0x0131: case 0x0130: return 'i';                           /* ı İ */
    case 0x015F: case 0x015E: return 's';                           /* ş Ş */
    case 0x00E7: case 0x00C7: return 'c';                           /* ç Ç */
    case 0x011F: case 0x011E: return 'g';                           /* ğ Ğ */
    case 0x00F6: case 0x00D6: return 'o';                           /* ö Ö */
    case 0x00FC: case 0x00DC: return 'u';                           /* ü Ü */
    case 0x0401: case 0x0451: return 0x0435;                        /* Ё ё → е */
    case 0x00D7: case 0x00F7: return 0;                             /* × ÷ */
    default: break;
    }
    if (cp >= 0x00C0 && cp <= 0x00FF) {
        /* Other Latin-1 letters: strip the accent. */
        static const char latin1[] = "aaaaaaaceeeeiiiidnooooo ouuuuyts"
                                     "aaaaaaaceeeeiiiidnooooo ouuuuyty";
        char c = latin1[cp - 0xC0];
        return c == ' ' ? 0 : (uint32_t)c;
    }
    if (cp >= 0x0410 && cp <= 0x042F)
        return cp + 0x20;                    /* Cyrillic capitals */
    if (cp < 0x00C0 || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F))
        return 0;                            /* spaces, quotes, dashes, … */
    return cp;
}

int pc_fold(const char *s, size_t n, struct pc_buf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    bool pending_space = false;
    size_t start_len = out->len;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = decode(p + i, n - i, &cp);
        if (!len) {
            i++;        /* drop a bad byte */
            continue;
        }
        i += len;
        uint32_t f = fold_cp(cp);
        if (!f) {
            pending_space = out->len > start_len;
            continue;
        }
        if (pending_space) {
            pc_buf_putc(out, ' ');
            pending_space = false;
        }
        put_cp(out, f);
    }
    return out->toobig ? PC_ETOOBIG : 0;
}

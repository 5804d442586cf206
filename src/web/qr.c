/* qr.c — a QR code as a PNG image in a data: URI (the login page shows
 * it; the page's CSP allows data: images): libqrencode makes the
 * modules, zlib the PNG's image data.  Black on white, 6 pixels a module
 * and the quiet zone of 4 modules the standard asks for, so that any
 * camera (and zbarimg in the tests) reads it. */
#include "internal.h"

#include <openssl/evp.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SCALE 6
#define QUIET 4

static void put32(struct pc_buf *b, uint32_t v)
{
    unsigned char p[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                          (unsigned char)v};
    pc_buf_append(b, p, 4);
}

static void chunk(struct pc_buf *b, const char type[4], const unsigned char *data, size_t n)
{
    put32(b, (uint32_t)n);
    size_t at = b->len;
    pc_buf_append(b, type, 4);
    pc_buf_append(b, data, n);
    put32(b, (uint32_t)crc32(0, (const unsigned char *)b->data + at, (uInt)(n + 4)));
}

const char *web_qr_data_uri(struct http_req *r, const char *text)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return NULL;
    uint32_t side = (uint32_t)(q->width + 2 * QUIET) * SCALE;
    /* 8-bit grey, a filter byte (0: none) before each row */
    size_t row = side + 1, raw_len = row * side;
    unsigned char *raw = pc_arena_alloc(&r->arena, raw_len);
    for (uint32_t y = 0; y < side; y++) {
        unsigned char *line = raw + y * row;
        line[0] = 0;
        int my = (int)(y / SCALE) - QUIET;
        for (uint32_t x = 0; x < side; x++) {
            int mx = (int)(x / SCALE) - QUIET;
            bool dark = my >= 0 && mx >= 0 && my < q->width && mx < q->width && (q->data[my * q->width + mx] & 1);
            line[1 + x] = dark ? 0 : 255;
        }
    }
    QRcode_free(q);
    uLongf zlen = compressBound((uLong)raw_len);
    unsigned char *z = pc_arena_alloc(&r->arena, zlen);
    if (compress2(z, &zlen, raw, (uLong)raw_len, 9) != Z_OK)
        return NULL;
    struct pc_buf png;
    pc_buf_init(&png, 1 << 20);
    pc_buf_append(&png, "\x89PNG\r\n\x1a\n", 8);
    unsigned char ihdr[13] = {0};
    for (int i = 0; i < 2; i++) {
        ihdr[i * 4] = (unsigned char)(side >> 24);
        ihdr[i * 4 + 1] = (unsigned char)(side >> 16);
        ihdr[i * 4 + 2] = (unsigned char)(side >> 8);
        ihdr[i * 4 + 3] = (unsigned char)side;
    }
    ihdr[8] = 8; /* bit depth; colour type 0 (grey), compression, filter, interlace 0 */
    chunk(&png, "IHDR", ihdr, sizeof ihdr);
    chunk(&png, "IDAT", z, zlen);
    chunk(&png, "IEND", NULL, 0);
    const char *uri = NULL;
    if (!png.toobig) { /* standard base64 for the data: URI */
        unsigned char *b64 = pc_arena_alloc(&r->arena, 4 * ((png.len + 2) / 3) + 1);
        EVP_EncodeBlock(b64, (const unsigned char *)png.data, (int)png.len);
        uri = pc_arena_printf(&r->arena, "data:image/png;base64,%s", (const char *)b64);
    }
    pc_buf_release(&png);
    return uri;
}

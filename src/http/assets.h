/* assets.h — the static files compiled into the binary (generated table). */
#ifndef PC_HTTP_ASSETS_H
#define PC_HTTP_ASSETS_H

#include <stddef.h>

struct web_asset {
    const char *name;
    const char *type;
    const char *etag;     /* quoted, from the content's SHA-256 */
    size_t size;
    const char *data;
};

extern const struct web_asset web_assets[];
extern const size_t web_assets_count;

#endif

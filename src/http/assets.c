/* assets.c — serving the embedded static files.  Names are looked up in a
 * fixed table, so no request can reach the file system; anything with a
 * slash or ".." is refused before the lookup. */
#include "http.h"
#include "assets.h"

#include <string.h>

static const struct web_asset *find_asset(const char *name)
{
    for (size_t i = 0; i < web_assets_count; i++)
        if (strcmp(web_assets[i].name, name) == 0)
            return &web_assets[i];
    return NULL;
}

int http_serve_asset(struct http_req *r, const char *name)
{
    if (strstr(name, "..") || strchr(name, '/') || strchr(name, '\\'))
        return http_error(r, 400, "bad-asset-path", "Bad request", "Asset names cannot contain paths.");
    const struct web_asset *a = find_asset(name);
    if (!a)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    /* A versioned URL never changes content: cache it for a year. */
    const char *v = http_kv_get(&r->query, "v");
    bool versioned = v && strlen(v) + 2 == strlen(a->etag) && strncmp(v, a->etag + 1, strlen(v)) == 0;
    http_set_header(r, "Cache-Control", versioned ? "public, max-age=31536000, immutable" : "public, max-age=3600");
    http_set_header(r, "ETag", a->etag);
    const char *inm = http_header(r, "If-None-Match");
    if (inm && strstr(inm, a->etag)) {
        r->status = 304;
        r->content_type = NULL;
        pc_buf_reset(&r->out);
        return 0;
    }
    r->status = 200;
    r->content_type = a->type;
    pc_buf_reset(&r->out);
    return pc_buf_append(&r->out, a->data, a->size);
}

const char *http_asset_url(struct http_req *r, const char *name)
{
    const struct web_asset *a = find_asset(name);
    if (!a)
        return NULL;
    /* etag is "\"hex\"": strip the quotes for the query value. */
    return pc_arena_printf(&r->arena, "/assets/%s?v=%.*s", name, (int)strlen(a->etag) - 2, a->etag + 1);
}

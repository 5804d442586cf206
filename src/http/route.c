/* route.c — which handler answers a request: the route table given in
 * http_config is matched in order, first match wins; "{name}" captures
 * one path segment. */
#include "internal.h"

#include <string.h>

/* Match path against "/a/{x}/b"; captures go to r->params.  A last
 * capture "{x*}" takes the rest of the path, slashes included (an OCSP
 * GET carries base64, which has them). */
static bool match_pattern(struct http_req *r, const char *pattern, const char *path)
{
    int n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *se = pe && pe[-1] == '*' ? NULL : strchr(s, '/');
            size_t len = se ? (size_t)(se - s) : strlen(s);
            if (!pe || len == 0 || n >= 8)
                return false;
            r->params[n++] = pc_arena_strndup(&r->arena, s, len);
            p = pe + 1;
            s += len;
        } else if (*p++ != *s++) {
            return false;
        }
    }
    if (*p || *s)
        return false;
    r->nparams = n;
    return true;
}

int http__route_find(struct http_req *r, bool *path_exists)
{
    const struct http_config *cfg = &r->server->cfg;
    *path_exists = false;
    for (size_t i = 0; i < cfg->nroutes; i++) {
        const struct http_route *rt = &cfg->routes[i];
        if (!match_pattern(r, rt->pattern, r->path))
            continue;
        *path_exists = true;
        bool same = strcmp(rt->method, r->method) == 0 ||
                    (strcmp(rt->method, "GET") == 0 && strcmp(r->method, "HEAD") == 0);
        if (same)
            return (int)i;
    }
    r->nparams = 0;
    return -1;
}

const char *http_route_name(const struct http_req *r)
{
    if (r->route_index < 0 || !r->server)
        return "unmatched";
    const char *name = r->server->cfg.routes[r->route_index].name;
    return name ? name : r->server->cfg.routes[r->route_index].pattern;
}

const char *http_param(struct http_req *r, int i)
{
    return i >= 0 && i < r->nparams ? r->params[i] : NULL;
}

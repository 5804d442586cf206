/* listen.c — the --listen address: HOST:PORT or [V6]:PORT, checked
 * without binding so a typo is a usage error, not a failed start. */
#include "internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

int http__parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6, struct pc_err *err)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return pc_err_set(err, PC_EINVAL, "--listen wants HOST:PORT, got '%s'", listen);
    long long port;
    if (pc_parse_int(colon + 1, 0, 65535, &port))
        return pc_err_set(err, PC_EINVAL, "bad port in '%s'", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[') {
        size_t hl = strlen(host);
        if (hl < 3 || host[hl - 1] != ']')
            return pc_err_set(err, PC_EINVAL, "bad IPv6 address in '%s'", listen);
        host[hl - 1] = 0;
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
            return pc_err_set(err, PC_EINVAL, "bad IPv6 address in '%s'", listen);
        *v6 = true;
        return 0;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    const char *h = strcmp(host, "localhost") == 0 ? "127.0.0.1" : (host[0] ? host : "0.0.0.0");
    if (inet_pton(AF_INET, h, &a->sin_addr) != 1)
        return pc_err_set(err, PC_EINVAL, "bad IPv4 address in '%s'", listen);
    *v6 = false;
    return 0;
}

int http_listen_check(const char *listen, struct pc_err *err)
{
    struct sockaddr_storage ss;
    bool v6;
    return http__parse_listen(listen ? listen : "", &ss, &v6, err);
}

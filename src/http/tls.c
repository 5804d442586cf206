/* tls.c — TLS served by this process (libmicrohttpd with GnuTLS), for a
 * portal that terminates TLS itself: the options that turn it on, and the
 * client certificate a connection presented (certificate login).  With a
 * client CA the server asks every client for a certificate but requires
 * none; whether one is good is the handler's to decide (the certification
 * centre's checks), the handshake having proved the client holds its key. */
#include "internal.h"

#include <gnutls/gnutls.h>

size_t http__tls_options(const struct http_config *c, struct MHD_OptionItem out[4])
{
    size_t n = 0;
    if (c->tls_cert_pem && c->tls_key_pem) {
        out[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)c->tls_key_pem};
        out[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)c->tls_cert_pem};
        if (c->tls_client_ca_pem)
            out[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, (void *)c->tls_client_ca_pem};
    }
    out[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    return n;
}

int http_client_cert(struct http_req *r, const unsigned char **der, size_t *len)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session)
        return PC_ENOTFOUND;
    unsigned n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers((gnutls_session_t)ci->tls_session, &n);
    if (!certs || n == 0 || certs[0].size == 0)
        return PC_ENOTFOUND;
    *der = certs[0].data;
    *len = certs[0].size;
    return 0;
}

/* auth.c — how the CA's JSON API knows its clients (the portal, other
 * systems): a shared secret per client, used to MAC every request, never
 * sent.
 *
 *   Authorization: PC-HMAC-SHA256 client=ID, ts=UNIX, sig=BASE64URL
 *   sig = HMAC-SHA256(secret, "PC1\n" METHOD "\n" TARGET "\n" TS "\n"
 *                     ACTOR "\n" ROLE "\n" FIN "\n" VOEN "\n" IP "\n"
 *                     hex(SHA-256(body)))
 *
 * ACTOR…IP are the X-Pencere-Actor, -Actor-Role, -Actor-Fin, -Actor-Voen
 * and -Actor-Ip headers (empty when absent): who the client says is
 * acting, so a client cannot be made to speak for someone else by a
 * changed header.  A request is good for five minutes either side of our
 * clock.  Why not mutual TLS: our HTTP server speaks plain HTTP behind a
 * TLS-terminating proxy, so a client certificate would end at the proxy
 * and reach us as a header, as strong as the hop behind it; a MAC covers
 * method, target, actor and body end to end across any proxy, needs no
 * PKI for the PKI's own clients, and costs one SHA-256 pass.  A copied
 * request can be replayed within the window (use TLS between the hops);
 * the state-changing operations it could replay are idempotent or only
 * re-issue to the same holder and key.
 *
 * Secrets are DIR/clients/ID.key (64 hex digits, mode 0600), read at
 * start. */
#include "internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>

#define WINDOW_SECS 300

struct pki_client {
    char id[33];
    unsigned char secret[32];
};

struct pki_clients {
    struct pki_client *items;
    size_t n;
};

static int unhex(const char *s, unsigned char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[2 * i + k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0)
                return -1;
            v = v * 16 + (unsigned)d;
        }
        out[i] = (unsigned char)v;
    }
    return s[2 * n] ? -1 : 0;
}

int pki_client_add(const char *dir, const char *id, const char **path, struct pc_err *err)
{
    static char p[4200];
    if (!id || !pk_id_ok(id, strlen(id)))
        return pc_err_set(err, PC_EINVAL, "a client id is 1 to 32 characters a-z 0-9 -");
    snprintf(p, sizeof p, "%s/clients", dir);
    int rc = pk_mkdirs(p, err);
    if (rc)
        return rc;
    snprintf(p, sizeof p, "%s/clients/%s.key", dir, id);
    *path = p;
    FILE *f = fopen(p, "r");
    if (f) {
        fclose(f);
        return 0; /* kept: a client may already use it */
    }
    char hex[65];
    pc_random_hex(hex, 32);
    hex[64] = '\n';
    rc = pk_write_file(p, hex, 65, 0600, err);
    OPENSSL_cleanse(hex, sizeof hex);
    return rc;
}

struct pki_clients *pki_clients_load(const char *dir, struct pc_err *err)
{
    struct pki_clients *cl = calloc(1, sizeof *cl);
    if (!cl)
        pc_oom(sizeof *cl);
    struct pc_arena a;
    pc_arena_init(&a);
    const char *d = pc_arena_printf(&a, "%s/clients", dir);
    DIR *dh = opendir(d);
    struct dirent *e;
    while (dh && (e = readdir(dh)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".key") != 0 || !pk_id_ok(e->d_name, n - 4))
            continue;
        char *hex;
        struct pc_err rerr = {0};
        if (pk_read_secret(&a, pc_arena_printf(&a, "%s/%s", d, e->d_name), &hex, &rerr))
            continue;
        struct pki_client c = {0};
        memcpy(c.id, e->d_name, n - 4);
        if (strlen(hex) != 64 || unhex(hex, c.secret, 32)) {
            pc_log(PC_LOG_WARN, "pki.client_key_bad", "client", c.id, NULL);
            continue;
        }
        struct pki_client *more = realloc(cl->items, (cl->n + 1) * sizeof *more);
        if (!more)
            pc_oom(0);
        cl->items = more;
        cl->items[cl->n++] = c;
        OPENSSL_cleanse(&c, sizeof c);
    }
    if (dh)
        closedir(dh);
    pc_arena_release(&a);
    (void)err;
    return cl;
}

void pki_clients_free(struct pki_clients *cl)
{
    if (!cl)
        return;
    OPENSSL_cleanse(cl->items, cl->n * sizeof *cl->items);
    free(cl->items);
    free(cl);
}

size_t pki_clients_count(const struct pki_clients *cl)
{
    return cl ? cl->n : 0;
}

static void mac(const unsigned char *secret, const char *method, const char *target, int64_t ts,
                const struct pki_actor *who, const char *role, const void *body, size_t len, unsigned char out[32])
{
    char bh[65];
    pc_sha256_hex(body ? body : "", len, bh);
    struct pc_buf m;
    pc_buf_init(&m, 1 << 16);
    pc_buf_printf(&m, "PC1\n%s\n%s\n%lld\n%s\n%s\n%s\n%s\n%s\n%s", method, target, (long long)ts,
                  who && who->id ? who->id : "", role ? role : "", who && who->fin ? who->fin : "",
                  who && who->voen ? who->voen : "", who && who->ip ? who->ip : "", bh);
    unsigned int n = 32;
    HMAC(EVP_sha256(), secret, 32, (const unsigned char *)m.data, m.len, out, &n);
    pc_buf_release(&m);
}

int pki_auth_sign(const char *secret_hex, const char *method, const char *target, int64_t ts,
                  const struct pki_actor *who, const char *role, const void *body, size_t len, char out[48])
{
    unsigned char secret[32], m[32];
    if (!secret_hex || strlen(secret_hex) != 64 || unhex(secret_hex, secret, 32))
        return PC_EINVAL;
    mac(secret, method, target, ts, who, role, body, len, m);
    pc_b64url_encode(m, sizeof m, out);
    OPENSSL_cleanse(secret, sizeof secret);
    return 0;
}

/* "client=ID, ts=N, sig=S" → the three values (in place). */
static int parse_header(char *h, char **client, char **ts, char **sig)
{
    *client = *ts = *sig = NULL;
    for (char *p = strtok_r(h, ",", &h); p; p = strtok_r(NULL, ",", &h)) {
        while (*p == ' ')
            p++;
        char *eq = strchr(p, '=');
        if (!eq)
            return -1;
        *eq = 0;
        char **dst = strcmp(p, "client") == 0 ? client : strcmp(p, "ts") == 0 ? ts : strcmp(p, "sig") == 0 ? sig : NULL;
        if (!dst || *dst)
            return -1;
        *dst = eq + 1;
    }
    return *client && *ts && *sig ? 0 : -1;
}

int pki_auth_check(const struct pki_clients *cl, const char *header, const char *method, const char *target,
                   const struct pki_actor *who, const char *role, const void *body, size_t len, int64_t now,
                   const char **client, struct pc_err *err)
{
    static const char scheme[] = "PC-HMAC-SHA256 ";
    if (!header || strncmp(header, scheme, sizeof scheme - 1) != 0 || strlen(header) > 512)
        return pc_err_set(err, PC_EDENIED, "the request is not signed (Authorization: PC-HMAC-SHA256 …)");
    char h[513], *cid, *ts, *sig;
    snprintf(h, sizeof h, "%s", header + sizeof scheme - 1);
    long long t;
    if (parse_header(h, &cid, &ts, &sig) || pc_parse_int(ts, 0, INT64_MAX / 2, &t))
        return pc_err_set(err, PC_EDENIED, "malformed Authorization header");
    if (t < now - WINDOW_SECS || t > now + WINDOW_SECS)
        return pc_err_set(err, PC_EDENIED, "the request's time is more than %d seconds from ours", WINDOW_SECS);
    const struct pki_client *c = NULL;
    for (size_t i = 0; cl && i < cl->n && !c; i++)
        if (strcmp(cl->items[i].id, cid) == 0)
            c = &cl->items[i];
    unsigned char want[32];
    char want64[48];
    /* compute even for an unknown client: the same time either way */
    static const unsigned char zero[32];
    mac(c ? c->secret : zero, method, target, t, who, role, body, len, want);
    pc_b64url_encode(want, sizeof want, want64);
    size_t n = strlen(want64);
    if (!c || strlen(sig) != n || !pc_ct_equal(sig, want64, n))
        return pc_err_set(err, PC_EDENIED, "the request's signature is not valid");
    *client = c->id;
    return 0;
}

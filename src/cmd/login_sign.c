/* login_sign.c — `pencere login-sign`: the desktop helper of certificate
 * login.  It signs the portal's challenge with the holder's key (a key
 * file; a card's key through an OpenSSL provider is the same call) and
 * prints the answer the login page takes pasted and the API takes as the
 * body of POST /api/v1/auth/certificate:
 *
 *   pencere login-sign --key KEY --cert CERT --host HOST --challenge C
 *
 * The bytes signed are identity's (id_cert_to_sign): the host is part of
 * them, so an answer made for one site is worth nothing on another.
 *
 * With --application FILE (the JSON answer of GET
 * /api/v1/applications/{id}/signing) it signs the draft's document
 * instead, checked against its SHA-256, and prints the body of POST
 * /api/v1/applications/{id}/signature:
 *
 *   pencere login-sign --key KEY --cert CERT --application signing.json */
#include "cli.h"
#include "../identity/identity.h"
#include "../pki/pki.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEM_MAX 65536

/* The first certificate of a PEM file (a chain may follow it). */
static const char *first_cert(struct pc_arena *a, const char *pem)
{
    static const char end[] = "-----END CERTIFICATE-----";
    const char *b = strstr(pem, "-----BEGIN CERTIFICATE-----"), *e = b ? strstr(b, end) : NULL;
    return e ? pc_arena_printf(a, "%.*s", (int)(e - b + sizeof end - 1), b) : NULL;
}

/* The document and challenge of an application's signing answer, its
 * bytes checked against their SHA-256; nonzero (said) when it is not one. */
static int application_document(struct pc_arena *a, const char *path, const char **data, size_t *len,
                                const char **challenge)
{
    char *text;
    size_t n;
    if (cli_read_file("login-sign", a, path, 4 * PEM_MAX * 16, &text, &n))
        return 1;
    json_t *j = json_loadb(text, n, 0, NULL);
    const char *doc = json_string_value(json_object_get(j, "document"));
    const char *sha = json_string_value(json_object_get(j, "sha256"));
    const char *chal = json_string_value(json_object_get(j, "challenge"));
    char *bytes = doc ? pc_arena_alloc(a, strlen(doc) + 1) : NULL;
    long got = doc ? pc_b64url_decode(doc, strlen(doc), bytes, strlen(doc) + 1) : -1;
    char hex[65] = "";
    if (got > 0)
        pc_sha256_hex(bytes, (size_t)got, hex);
    int rc = got > 0 && chal && pc_str_eq(hex, sha) ? 0 : 1;
    if (rc)
        fprintf(stderr, "pencere login-sign: %s is not an application's signing answer (document, sha256, "
                        "challenge), or its document does not match its SHA-256\n", path);
    *data = bytes;
    *len = got > 0 ? (size_t)got : 0;
    *challenge = chal ? pc_arena_strdup(a, chal) : NULL;
    json_decref(j);
    return rc;
}

int cmd_login_sign(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"key", "FILE", "the holder's private key (PEM; encrypted or not)", NULL},
        {"cert", "FILE", "the holder's login certificate (PEM; a chain after it is ignored)", NULL},
        {"host", "HOST", "the portal's host as the login page shows it", NULL},
        {"challenge", "TEXT", "the challenge the login page (or POST /api/v1/auth/challenge) gave", NULL},
        {"passphrase-file", "FILE", "first line is the key's passphrase (or $PENCERE_KEY_PASSPHRASE)", NULL},
        {"application", "FILE", "sign an application instead: the answer of GET /api/v1/applications/ID/signing",
         NULL},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("login-sign", "Sign a certificate-login challenge and print the answer to paste or POST.",
                       opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *host = cli_get(opts, "host"), *challenge = cli_get(opts, "challenge");
    const char *application = cli_get(opts, "application");
    if (!cli_get(opts, "key") || !cli_get(opts, "cert") || (application ? host || challenge : !host || !challenge)) {
        fprintf(stderr, "pencere login-sign: usage: pencere login-sign --key KEY --cert CERT --host HOST "
                        "--challenge TEXT\n       pencere login-sign --key KEY --cert CERT --application FILE\n");
        return EXIT_USAGE;
    }
    struct pc_arena a;
    pc_arena_init(&a);
    char *key, *cert, *pass = getenv("PENCERE_KEY_PASSPHRASE");
    size_t klen, clen, plen;
    if (cli_read_file("login-sign", &a, cli_get(opts, "key"), PEM_MAX, &key, &klen) ||
        cli_read_file("login-sign", &a, cli_get(opts, "cert"), PEM_MAX, &cert, &clen) ||
        (cli_get(opts, "passphrase-file") &&
         cli_read_file("login-sign", &a, cli_get(opts, "passphrase-file"), 4096, &pass, &plen))) {
        pc_arena_release(&a);
        return EXIT_FAIL;
    }
    if (pass && cli_get(opts, "passphrase-file"))
        pass[strcspn(pass, "\r\n")] = 0;
    const char *one = first_cert(&a, cert);
    if (!one) {
        fprintf(stderr, "pencere login-sign: %s holds no PEM certificate\n", cli_get(opts, "cert"));
        pc_arena_release(&a);
        return EXIT_FAIL;
    }
    const char *data;
    size_t data_len;
    if (application ? application_document(&a, application, &data, &data_len, &challenge)
                    : (data = id_cert_to_sign(&a, host, challenge), data_len = strlen(data), 0)) {
        pc_arena_release(&a);
        return EXIT_FAIL;
    }
    const unsigned char *sig;
    size_t n;
    struct pc_err err = {0};
    if (pki_sign_bytes(&a, key, klen, pass, data, data_len, &sig, &n, &err)) {
        fprintf(stderr, "pencere login-sign: %s\n", err.msg);
        pc_arena_release(&a);
        return EXIT_FAIL;
    }
    char *b64 = pc_arena_alloc(&a, 4 * n / 3 + 4);
    b64[pc_b64url_encode(sig, n, b64)] = 0;
    json_t *j = json_pack("{s:s, s:s, s:s}", "challenge", challenge, "certificate", one, "signature", b64);
    if (host)
        json_object_set_new(j, "host", json_string(host));
    char *text = json_dumps(j, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
    json_decref(j);
    pc_arena_release(&a);
    return EXIT_OK;
}

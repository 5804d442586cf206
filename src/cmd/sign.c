/* sign.c — `pencere sign` and `pencere verify`: detached CMS signatures
 * of files for their holders and for anyone who checks them.
 *
 *   pencere sign --key KEY --cert CERT [--tsa URL] FILE    → FILE.p7s
 *   pencere verify FILE FILE.p7s                           → the report;
 *       exit 0 only for a valid signature
 *   pencere verify CERTIFICATE.pdf                         → the same for an
 *       e-certificate, whose seal is inside the PDF (src/ecert)
 *
 * Trust for verify: --trust FILE (PEM: the root, and the issuing CA), or
 * --data-dir of a CA (its chain, and its records for the status at the
 * time of signing), else $PENCERE_CA_CHAIN or $PENCERE_CA_DIR. */
#include "cli.h"
#include "../ecert/ecert.h"
#include "../pki/pki.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOC_MAX ((size_t)256 << 20)
#define PEM_MAX 65536

int cmd_sign(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"key", "FILE", "the signer's private key (PEM; encrypted or not)", NULL},
        {"cert", "FILE", "the signer's certificate (PEM), optionally followed by its chain", NULL},
        {"tsa", "URL", "time-stamp the signature here (CAdES-T), e.g. http://ca.example.az/ca/tsa", NULL},
        {"passphrase-file", "FILE", "first line is the key's passphrase (or $PENCERE_KEY_PASSPHRASE)", NULL},
        {"out", "FILE", "where to write the signature", "FILE.p7s"},
        {NULL, NULL, NULL, NULL},
    };
    const char *pos[1];
    int npos;
    int rc = cli_parse_pos("sign", "Sign FILE: a detached CMS signature (DER) in FILE.p7s with signing-time,\n"
                                   "signing-certificate-v2 and, with --tsa, a signature time-stamp.",
                           opts, argc, argv, pos, 1, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (npos != 1 || !cli_get(opts, "key") || !cli_get(opts, "cert")) {
        fprintf(stderr, "pencere sign: usage: pencere sign --key KEY --cert CERT [--tsa URL] FILE\n");
        return EXIT_USAGE;
    }
    struct pc_arena a;
    pc_arena_init(&a);
    char *key, *cert, *doc, *pass = getenv("PENCERE_KEY_PASSPHRASE");
    size_t klen, clen, dlen, plen;
    if (cli_read_file("sign", &a, cli_get(opts, "key"), PEM_MAX, &key, &klen) ||
        cli_read_file("sign", &a, cli_get(opts, "cert"), PEM_MAX, &cert, &clen) ||
        cli_read_file("sign", &a, pos[0], DOC_MAX, &doc, &dlen) ||
        (cli_get(opts, "passphrase-file") && cli_read_file("sign", &a, cli_get(opts, "passphrase-file"), 4096, &pass, &plen))) {
        pc_arena_release(&a);
        return EXIT_FAIL;
    }
    if (pass && cli_get(opts, "passphrase-file"))
        pass[strcspn(pass, "\r\n")] = 0;
    struct pc_err err = {0};
    const unsigned char *der;
    size_t n;
    rc = pki_cms_sign(&a, key, klen, pass, cert, clen, doc, dlen, cli_get(opts, "tsa"), &der, &n, &err);
    const char *out = cli_get(opts, "out");
    if (strcmp(out, "FILE.p7s") == 0)
        out = pc_arena_printf(&a, "%s.p7s", pos[0]);
    FILE *f = rc ? NULL : fopen(out, "wb");
    if (!rc && (!f || fwrite(der, 1, n, f) != n || fclose(f) != 0))
        rc = pc_err_set(&err, PC_EIO, "cannot write %s", out);
    if (!rc)
        printf("%s\n", out);
    else
        fprintf(stderr, "pencere sign: %s\n", err.msg);
    pc_arena_release(&a);
    return rc ? EXIT_FAIL : EXIT_OK;
}

/* "label:" padded to 12 characters (not bytes: FİN, VÖEN) and the value. */
static void line(const char *label, const char *value)
{
    size_t chars = 0;
    for (const char *p = label; *p; p++)
        chars += ((unsigned char)*p & 0xc0) != 0x80;
    printf("%s%*s %s\n", label, chars < 12 ? (int)(12 - chars) : 0, "", value);
}

static const char *when(struct pc_arena *a, int64_t t)
{
    char s[21];
    pc_rfc3339(t, s);
    return pc_arena_strdup(a, s);
}

static void print_report(struct pc_arena *a, const struct pki_verify_report *v)
{
    static const char *const sources[] = {"not established", "the centre's records", "the OCSP responder"};
    line("signature:", v->verdict == PKI_VERDICT_VALID ? "VALID" : pc_arena_printf(a, "NOT VALID (%s)",
                                                                                   pki_verdict_name(v->verdict)));
    if (v->detail)
        line("why:", v->detail);
    if (v->signer_subject) {
        line("signer:", v->signer_name ? v->signer_name : v->signer_subject);
        if (v->signer_fin)
            line("FİN:", v->signer_fin);
        if (v->signer_voen)
            line("VÖEN:", v->signer_voen);
        line("subject:", v->signer_subject);
        line("serial:", v->signer_serial);
        if (v->signer_profile)
            line("profile:", v->signer_profile);
    }
    if (v->has_signing_time)
        line("signed at:", pc_arena_printf(a, "%s (the signer's claim)", when(a, v->signing_time)));
    if (v->has_timestamp && v->timestamp_time)
        line("time-stamp:", pc_arena_printf(a, "%s by %s, serial %s", when(a, v->timestamp_time),
                                             v->tsa_name ? v->tsa_name : "?", v->timestamp_serial));
    if (v->checked_at)
        line("checked at:", when(a, v->checked_at));
    if (v->checked_at && v->verdict != PKI_VERDICT_UNTRUSTED && v->verdict != PKI_VERDICT_BAD_SIGNATURE) {
        const char *st = v->status_source ? pki_status_name(v->status) : "unknown";
        if (v->revoked_at)
            st = pc_arena_printf(a, "%s (revoked or suspended %s, %s)", st, when(a, v->revoked_at),
                                 pki_reason_name(v->reason) ? pki_reason_name(v->reason) : "unspecified");
        line("status:", pc_arena_printf(a, "%s, from %s", st, sources[v->status_source]));
    }
    for (int i = 0; i < v->chain_len; i++)
        line(i == 0 ? "chain:" : "", v->chain[i]);
}

/* Does the file start as a PDF does?  (One FILE alone must be one.) */
static bool is_pdf(const char *path)
{
    FILE *f = fopen(path, "rb");
    char head[5] = {0};
    bool yes = f && fread(head, 1, sizeof head, f) == sizeof head && memcmp(head, "%PDF-", 5) == 0;
    if (f)
        fclose(f);
    return yes;
}

int cmd_verify(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"trust", "FILE", "trusted certificates (PEM): the root, and the issuing CA", NULL},
        {"data-dir", "DIR", "a CA's directory: its chain, and its records for the status", NULL},
        {"db", "URL", "with --data-dir: the CA's database", NULL},
        {"no-network", NULL, "never ask an OCSP responder", NULL},
        {NULL, NULL, NULL, NULL},
    };
    const char *pos[2];
    int npos;
    int rc = cli_parse_pos("verify", "Verify FILE against its detached signature SIG and print the report; exit 0\n"
                                     "only for a valid signature.  usage: pencere verify FILE SIG, or\n"
                                     "pencere verify CERTIFICATE.pdf for an e-certificate (its seal is inside)",
                           opts, argc, argv, pos, 2, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (npos != 2 && (npos != 1 || !is_pdf(pos[0]))) {
        fprintf(stderr, "pencere verify: usage: pencere verify FILE FILE.p7s | CERTIFICATE.pdf [--trust FILE | "
                        "--data-dir DIR] (one FILE alone is an e-certificate's PDF, its seal inside)\n");
        return EXIT_USAGE;
    }
    const char *trust = cli_get(opts, "trust"), *dir = cli_get(opts, "data-dir");
    if (!trust && !dir) {
        trust = getenv("PENCERE_CA_CHAIN");
        dir = trust ? NULL : getenv("PENCERE_CA_DIR");
    }
    struct pc_arena a;
    pc_arena_init(&a);
    char *doc, *sig, *chain = NULL;
    size_t dlen, slen, clen = 0;
    if (cli_read_file("verify", &a, pos[0], DOC_MAX, &doc, &dlen) ||
        (npos == 2 && cli_read_file("verify", &a, pos[1], PKI_SIG_MAX, &sig, &slen)) ||
        (trust && cli_read_file("verify", &a, trust, PEM_MAX, &chain, &clen))) {
        pc_arena_release(&a);
        return EXIT_FAIL;
    }
    struct pc_err err = {0};
    if (npos == 1) { /* an e-certificate: the signed bytes are the PDF but its signature field's value */
        const unsigned char *inside, *content;
        size_t whole = dlen;
        if (ecert_pdf_split(&a, (const unsigned char *)doc, whole, &content, &dlen, &inside, &slen, &err)) {
            line("signature:", "NOT VALID (tampered)");
            line("why:", err.msg);
            pc_arena_release(&a);
            return EXIT_FAIL;
        }
        sig = (char *)inside;
        line("document:", (const char *)content == doc
                              ? pc_arena_printf(&a, "e-certificate PDF, sealed bytes 0 to %zu (its seal attached)", dlen)
                              : pc_arena_printf(&a, "e-certificate PDF (PAdES), sealed: %zu of its %zu bytes", dlen,
                                                whole));
        doc = (char *)content;
    }
    struct pki_trust t = {.chain_pem = chain, .chain_len = clen, .no_network = cli_get(opts, "no-network") != NULL};
    if (dir) {
        t.ca = pki_ca_open(dir, cli_get(opts, "db"), false, &err);
        if (!t.ca) {
            fprintf(stderr, "pencere verify: %s\n", err.msg);
            pc_arena_release(&a);
            return EXIT_FAIL;
        }
        t.chain_pem = pki_ca_chain_pem(t.ca, &t.chain_len);
    }
    if (!t.chain_pem)
        fprintf(stderr, "pencere verify: no trust anchors (give --trust FILE or --data-dir DIR): nothing can be "
                        "trusted\n");
    struct pki_verify_report rep;
    rc = pki_cms_verify(&a, &t, doc, dlen, sig, slen, &rep, &err);
    if (rc)
        fprintf(stderr, "pencere verify: %s\n", err.msg);
    else
        print_report(&a, &rep);
    pki_ca_close(t.ca);
    pc_arena_release(&a);
    return !rc && rep.verdict == PKI_VERDICT_VALID ? EXIT_OK : EXIT_FAIL;
}

/* demo_ca.c — the demo's certification centre, so that certificate login
 * and the services that ask for an e-signature can be tried: a demo
 * hierarchy in DATA_DIR/ca (made once, served in process by the demo's
 * centre: portal_ca.c), asked in process for certificate status, and for each citizen and representative of the demo a login
 * certificate with its key as files (DATA_DIR/certs/LOGIN.key, .pem, named
 * in demo-accounts.json as "cert_key" and "cert") and a signing one
 * ("sign_key", "sign_cert": LOGIN-sign.key, .pem), as an identity card
 * holds both; the first citizen also gets the free single-purpose
 * certificate of social assistance ("single_key", "single_cert").  Key files are the demo's stand-in for a
 * card: `pencere login-sign` signs with them.  The election operator's
 * signing certificate (DATA_DIR/ca/tally.key, .pem) signs the demo's poll
 * tallies. */
#include "cli.h"
#include "../identity/identity.h"
#include "../participation/participation.h"
#include "../pki/pki.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SINGLE_PURPOSE_SERVICE "eesmn-vemtas"    /* targeted social assistance */

static const struct pki_actor demo_operator = {.role = PKI_ACTOR_OPERATOR, .id = "cli:demo", .ip = ""};

int demo_ca_checker(struct pki_ca *ca, struct pki_checker **checker, struct pc_err *err)
{
    size_t len;
    const char *chain = pki_ca_chain_pem(ca, &len);
    struct pki_checker_config c = {.chain_pem = chain, .chain_len = len, .ca = ca, .max_age_secs = PKI_STATUS_MAX_AGE};
    *checker = pki_checker_new(&c, err);
    return *checker ? 0 : err->code ? err->code : PC_EIO;
}

static int write_text(const char *path, const char *text, struct pc_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return pc_err_set(err, PC_EIO, "cannot write %s: %s", path, strerror(errno));
    chmod(path, 0600);
    bool ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : pc_err_set(err, PC_EIO, "cannot write %s", path);
}

/* A certificate of profile for the person of fin, its key and certificate
 * written to DIR/certs/NAME.key and .pem; their paths into acc. */
static int issue_files(struct pki_ca *ca, struct db *db, struct pc_arena *a, const char *dir, const char *fin,
                       const char *profile, const char *service, const char *name, json_t *acc, const char *key_field,
                       const char *cert_field, struct pc_err *err)
{
    struct id_person p;
    int rc = id_person_get(db, a, fin, &p, err);
    if (rc)
        return rc;
    struct pki_holder h = {.fin = fin, .name = pc_arena_printf(a, "%s %s", p.first_name, p.last_name),
                           .service = service};
    char password[33];
    pc_random_hex(password, 16);
    struct pki_cert cert;
    const unsigned char *p12;
    size_t n;
    const char *key_pem, *cert_pem;
    if ((rc = pki_issue_p12(ca, a, &demo_operator, profile, &h, PKI_KEY_P256, password, "cli", &cert, &p12, &n, err)) ||
        (rc = pki_p12_to_pem(a, p12, n, password, &key_pem, &cert_pem, err)))
        return rc;
    const char *key_path = pc_arena_printf(a, "%s/certs/%s.key", dir, name);
    const char *cert_path = pc_arena_printf(a, "%s/certs/%s.pem", dir, name);
    if ((rc = write_text(key_path, key_pem, err)) || (rc = write_text(cert_path, cert_pem, err)))
        return rc;
    json_object_set_new(acc, key_field, json_string(key_path));
    json_object_set_new(acc, cert_field, json_string(cert_path));
    return 0;
}

int demo_ca_certificates(struct pki_ca *ca, struct db *db, const char *dir, struct pc_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/demo-accounts.json", dir);
    json_t *list = json_load_file(path, 0, NULL);
    if (!list)
        return pc_err_set(err, PC_EIO, "cannot read %s", path);
    snprintf(path, sizeof path, "%s/certs", dir);
    int rc = mkdir(path, 0700) != 0 && errno != EEXIST ? pc_err_set(err, PC_EIO, "cannot create %s", path) : 0;
    struct pc_arena a;
    pc_arena_init(&a);
    bool changed = false, single_done = false;
    size_t i;
    json_t *acc;
    json_array_foreach(list, i, acc) {
        const char *role = json_string_value(json_object_get(acc, "role"));
        const char *fin = json_string_value(json_object_get(acc, "fin"));
        const char *login = json_string_value(json_object_get(acc, "login"));
        bool person = pc_str_eq(role, "citizen") || pc_str_eq(role, "representative");
        if (rc || !person || !fin || !login)
            continue;
        if (!json_object_get(acc, "cert")) {
            rc = issue_files(ca, db, &a, dir, fin, "citizen-auth", NULL, login, acc, "cert_key", "cert", err);
            changed = true;
        }
        if (!rc && !json_object_get(acc, "sign_cert")) {
            rc = issue_files(ca, db, &a, dir, fin, "citizen", NULL, pc_arena_printf(&a, "%s-sign", login), acc,
                             "sign_key", "sign_cert", err);
            changed = true;
        }
        if (!rc && pc_str_eq(role, "citizen") && !single_done && !json_object_get(acc, "single_cert")) {
            rc = issue_files(ca, db, &a, dir, fin, "single-purpose", SINGLE_PURPOSE_SERVICE,
                             pc_arena_printf(&a, "%s-single", login), acc, "single_key", "single_cert", err);
            changed = true;
        }
        single_done = single_done || pc_str_eq(role, "citizen");
    }
    snprintf(path, sizeof path, "%s/demo-accounts.json", dir);
    if (!rc && changed && json_dump_file(list, path, JSON_INDENT(2)) != 0)
        rc = pc_err_set(err, PC_EIO, "cannot write %s", path);
    json_decref(list);
    pc_arena_release(&a);
    return rc;
}

/* The election operator: the portal's operator, an organisation (the
 * "member-sign" profile, as the OpenID Connect keys are certified). */
#define TALLY_VOEN "1400000000"
#define TALLY_ORG "Pencere portal operator"
#define TALLY_NAME "Election operator"

int demo_ca_tally_signer(struct pki_ca *ca, const char *dir, const char *ca_url, struct pc_arena *a,
                         struct part_config *cfg, struct pc_err *err)
{
    const char *key_path = pc_arena_printf(a, "%s/ca/tally.key", dir);
    const char *cert_path = pc_arena_printf(a, "%s/ca/tally.pem", dir);
    const char *key_pem, *cert_pem;
    struct stat st;
    int rc;
    if (stat(key_path, &st) == 0 && stat(cert_path, &st) == 0) {
        char *k, *c;
        if (cli_read_file("demo", a, key_path, 1 << 20, &k, &cfg->key_len) ||
            cli_read_file("demo", a, cert_path, 1 << 20, &c, &cfg->cert_len))
            return pc_err_set(err, PC_EIO, "cannot read the tally signer %s", key_path);
        key_pem = k;
        cert_pem = c;
    } else {
        struct pki_holder h = {.voen = TALLY_VOEN, .org = TALLY_ORG, .name = TALLY_NAME, .state_body = true};
        char password[33];
        pc_random_hex(password, 16);
        struct pki_cert cert;
        const unsigned char *p12;
        size_t n;
        if ((rc = pki_issue_p12(ca, a, &demo_operator, "member-sign", &h, PKI_KEY_P256, password, "cli", &cert, &p12,
                                &n, err)) ||
            (rc = pki_p12_to_pem(a, p12, n, password, &key_pem, &cert_pem, err)) ||
            (rc = write_text(key_path, key_pem, err)) || (rc = write_text(cert_path, cert_pem, err)))
            return rc;
        cfg->key_len = strlen(key_pem);
        cfg->cert_len = strlen(cert_pem);
    }
    cfg->key_pem = key_pem;
    cfg->cert_pem = cert_pem;
    cfg->passphrase = NULL;
    cfg->tsa_url = pc_arena_printf(a, "%s/ca/tsa", ca_url);
    return 0;
}

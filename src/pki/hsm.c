/* hsm.c — keys behind PKCS#11 (an HSM; SoftHSM2 in the tests) through
 * libengine-pkcs11-openssl.  Runs only in the key process.  OpenSSL 3
 * deprecates the ENGINE API that this engine needs; the deprecation is
 * silenced here and nowhere else.
 *
 * The engine is opened once and kept for the life of the key process
 * (releasing it would unload the module under the keys it gave); the PIN
 * comes from a file and is wiped once the engine has it. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/engine.h>
#include <openssl/err.h>

#ifndef PENCERE_ENGINES_DIR
#define PENCERE_ENGINES_DIR "/usr/lib/x86_64-linux-gnu/engines-3"
#endif

/* The engine's file: $PENCERE_PKCS11_ENGINE, else the Debian place. */
static const char *engine_path(void)
{
    const char *p = getenv("PENCERE_PKCS11_ENGINE");
    return p && *p ? p : PENCERE_ENGINES_DIR "/pkcs11.so";
}

static ENGINE *engine_open(const char *module, struct pc_err *err)
{
    ENGINE *e = ENGINE_by_id("dynamic");
    if (!e) {
        pk_ssl_fail(err, PC_EUNAVAIL, "HSM: OpenSSL has no dynamic engine loader");
        return NULL;
    }
    if (!ENGINE_ctrl_cmd_string(e, "SO_PATH", engine_path(), 0) || !ENGINE_ctrl_cmd_string(e, "ID", "pkcs11", 0) ||
        !ENGINE_ctrl_cmd_string(e, "LOAD", NULL, 0)) {
        ENGINE_free(e);
        pk_ssl_fail(err, PC_EUNAVAIL, "HSM: cannot load the PKCS#11 engine (libengine-pkcs11-openssl)");
        return NULL;
    }
    if (!ENGINE_ctrl_cmd_string(e, "MODULE_PATH", module, 0) || !ENGINE_init(e)) {
        ENGINE_free(e);
        ERR_clear_error();
        pc_err_set(err, PC_EUNAVAIL, "HSM: cannot open the PKCS#11 module %s", module);
        return NULL;
    }
    return e;
}

/* The key process is single-threaded: one engine, opened on first use. */
static ENGINE *engine;
static char engine_module[1024];

EVP_PKEY *pk_hsm_load(struct pc_arena *a, const struct pk_keyref *ref, struct pc_err *err)
{
    char *pin;
    if (pk_read_secret(a, ref->pin_file, &pin, err)) {
        pc_err_set(err, PC_EUNAVAIL, "HSM: %s", err ? err->msg : "no PIN");
        return NULL;
    }
    if (engine && strcmp(engine_module, ref->pkcs11_module) != 0) {
        OPENSSL_cleanse(pin, strlen(pin));
        pc_err_set(err, PC_EINVAL, "HSM: every PKCS#11 key must use the same module");
        return NULL;
    }
    if (!engine) {
        engine = engine_open(ref->pkcs11_module, err);
        if (!engine) {
            OPENSSL_cleanse(pin, strlen(pin));
            return NULL;
        }
        snprintf(engine_module, sizeof engine_module, "%s", ref->pkcs11_module);
    }
    int ok = ENGINE_ctrl_cmd_string(engine, "PIN", pin, 0);
    OPENSSL_cleanse(pin, strlen(pin));
    EVP_PKEY *k = ok ? ENGINE_load_private_key(engine, ref->pkcs11_uri, NULL, NULL) : NULL;
    if (!k) {
        ERR_clear_error();
        pc_err_set(err, PC_EUNAVAIL, "HSM: no usable key at %s (token absent, wrong PIN or no such object)",
                   ref->pkcs11_uri);
    }
    return k;
}

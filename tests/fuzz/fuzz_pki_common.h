/* fuzz_pki_common.h — shared by the pki harnesses: a demo CA made once
 * per process in a temporary directory and opened without its key
 * process; the harness then gives it the responder's and the TSA's keys
 * in this process, so that answering (and signing) runs here, under the
 * fuzzer, without a second process or a socket. */
#ifndef PC_FUZZ_PKI_COMMON_H
#define PC_FUZZ_PKI_COMMON_H

#include "fuzz_common.h"

#include "../../src/pki/internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct pki_ca *fuzz_ca(void)
{
    static struct pki_ca *ca;
    if (ca)
        return ca;
    pc_log_set_level(PC_LOG_ERROR);
    unsetenv("PENCERE_CA_PASSPHRASE");
    static char dir[] = "/tmp/pencere-fuzz-pki.XXXXXX";
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    struct pc_err err = {0};
    struct pki_init_opts o = {.name = "Fuzz CA", .org = "Fuzz", .public_url = "http://ca.fuzz"};
    FUZZ_CHECK(pki_init_demo(dir, &o, &err) == 0);
    ca = pki_ca_open(dir, NULL, false, &err);
    FUZZ_CHECK(ca != NULL);
    struct pc_arena a;
    pc_arena_init(&a);
    char *pass;
    FUZZ_CHECK(pk_read_secret(&a, pc_arena_printf(&a, "%s/passphrase", dir), &pass, &err) == 0);
    ca->key[PK_KEY_OCSP] = pk_key_load_file(pc_arena_printf(&a, "%s/keys/ocsp.key", dir), pass, &err);
    ca->key[PK_KEY_TSA] = pk_key_load_file(pc_arena_printf(&a, "%s/keys/tsa.key", dir), pass, &err);
    FUZZ_CHECK(ca->key[PK_KEY_OCSP] && ca->key[PK_KEY_TSA]);
    pc_arena_release(&a);
    return ca;
}

#endif

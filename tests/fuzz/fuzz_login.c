/* fuzz_login.c — what people type as a login (or a FİN in any form)
 * through id_fin_normalize, id_staff_login_valid and id_login_key.
 * Invariants: a normalized FİN is valid and normalizes to itself; no text
 * is both a staff login and a FİN (the two namespaces never meet); the
 * key of a login is a valid FİN for a citizen and the text itself, a
 * valid staff login, for staff; anything else is refused. */
#include "fuzz_common.h"

#include "../../src/identity/authz.c"
#include "../../src/identity/account.c"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[128];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = 0;
    char fin[8], again[8], key[ID_LOGIN_KEY];
    bool is_fin = id_fin_normalize(s, fin);
    if (is_fin) {
        FUZZ_CHECK(id_fin_valid(fin));
        FUZZ_CHECK(id_fin_normalize(fin, again) && strcmp(fin, again) == 0);
    } else {
        FUZZ_CHECK(fin[0] == 0);
    }
    bool staff = id_staff_login_valid(s);
    FUZZ_CHECK(!(staff && is_fin));
    enum id_account_kind kind;
    int rc = id_login_key(s, key, &kind);
    if (rc == 0 && kind == ID_ACCOUNT_CITIZEN)
        FUZZ_CHECK(is_fin && strcmp(key, fin) == 0);
    else if (rc == 0)
        FUZZ_CHECK(staff && strcmp(key, s) == 0);
    else
        FUZZ_CHECK(rc == PC_EINVAL && !is_fin && !staff);
    return 0;
}

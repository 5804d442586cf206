/* ids.c — the identifiers a fine is looked up by, checked against the
 * registers' own formats (src/registries: the protocol number, the FİN,
 * the ID card, the driving licence, the VÖEN), folded from what people type, and the
 * vehicle plate masked. */
#include "fines.h"
#include "../registries/registries.h"

#include <ctype.h>
#include <string.h>

static const char *const key_names[FINE_KEY_COUNT] = {"protocol", "fin", "licence", "voen", "id_card"};

int fine_key_parse(const char *name)
{
    for (int k = 0; k < FINE_KEY_COUNT; k++)
        if (pc_str_eq(name, key_names[k]))
            return k;
    return -1;
}

const char *fine_key_name(enum fine_key k)
{
    return key_names[k];
}

int fine_id_check(enum fine_key k, const char *v, struct pc_err *err)
{
    switch (k) {
    case FINE_BY_PROTOCOL:
        return reg_protocol_ok(v) ? 0 : pc_err_set(err, PC_EINVAL, "a protocol number is PR and 8 digits");
    case FINE_BY_FIN:
        return reg_index_of(v) >= 0 ? 0
                                    : pc_err_set(err, PC_EINVAL, "a FİN is 7 characters 0-9 A-Z without I and O");
    case FINE_BY_LICENCE:
        return reg_licence_ok(v) ? 0 : pc_err_set(err, PC_EINVAL, "a driving licence is 2 letters and 6 digits");
    case FINE_BY_ID_CARD:
        return reg_id_card_ok(v) ? 0 : pc_err_set(err, PC_EINVAL, "an ID card's number is AZE and 8 digits, or 2 letters and 7 digits");
    default:
        return reg_voen_index(v) >= 0 ? 0 : pc_err_set(err, PC_EINVAL, "a VÖEN is 10 digits");
    }
}

const char *fine_id_fold(struct pc_arena *a, const char *s)
{
    char out[33];
    size_t n = 0;
    for (size_t i = 0; s && s[i] && i < 64 && n < sizeof out - 1; i++)
        if (s[i] != ' ' && s[i] != '-' && s[i] != '\t')
            out[n++] = (char)toupper((unsigned char)s[i]);
    out[n] = 0;
    return pc_arena_strdup(a, out);
}

const char *fine_plate_mask(struct pc_arena *a, const char *plate)
{
    char *m = pc_arena_strdup(a, plate ? plate : "");
    size_t len = strlen(m);
    /* the region (before the first dash) and the last two characters stay */
    char *dash = strchr(m, '-');
    for (size_t i = dash ? (size_t)(dash - m) + 1 : 0; i + 2 < len; i++)
        if (m[i] != '-')
            m[i] = '*';
    return m;
}

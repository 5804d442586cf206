/* kind.c — the vocabulary of e-certificates: kinds, the agency issuing
 * each, states. */
#include "ecert.h"

static const char *const kind_names[ECERT_KIND_COUNT] = {
    [ECERT_ADDRESS] = "address", [ECERT_EMPLOYMENT] = "employment", [ECERT_INCOME] = "income",
    [ECERT_TAXPAYER] = "taxpayer"};

/* The population register is the interior ministry's, the contracts
 * register the labour ministry's, social insurance the State Social
 * Protection Fund's, AVİS the tax ministry's (catalogue ids). */
static const char *const kind_agencies[ECERT_KIND_COUNT] = {
    [ECERT_ADDRESS] = "din", [ECERT_EMPLOYMENT] = "eesmn", [ECERT_INCOME] = "dsmf", [ECERT_TAXPAYER] = "vn"};

static const char *const kind_titles[ECERT_KIND_COUNT] = {
    [ECERT_ADDRESS] = "Yaşayış yeri haqqında arayış",
    [ECERT_EMPLOYMENT] = "Əmək fəaliyyəti haqqında arayış",
    [ECERT_INCOME] = "Sosial sığorta, gəlir və pensiya haqqında arayış",
    [ECERT_TAXPAYER] = "Vergi ödəyicisi statusu haqqında arayış",
};

static const char *const state_names[ECERT_STATE_COUNT] = {
    [ECERT_VALID] = "valid", [ECERT_REVOKED] = "revoked", [ECERT_SUPERSEDED] = "superseded"};

const char *ecert_kind_name(enum ecert_kind k)
{
    return (unsigned)k < ECERT_KIND_COUNT ? kind_names[k] : "unknown";
}

int ecert_kind_parse(const char *s)
{
    for (int i = 0; i < ECERT_KIND_COUNT; i++)
        if (pc_str_eq(s, kind_names[i]))
            return i;
    return -1;
}

const char *ecert_kind_agency(enum ecert_kind k)
{
    return (unsigned)k < ECERT_KIND_COUNT ? kind_agencies[k] : NULL;
}

const char *ecert_kind_title(enum ecert_kind k)
{
    return (unsigned)k < ECERT_KIND_COUNT ? kind_titles[k] : "Arayış";
}

size_t ecert_agencies(const char **ids, size_t max)
{
    size_t n = 0;
    for (int k = 0; k < ECERT_KIND_COUNT && n < max; k++)
        ids[n++] = kind_agencies[k]; /* one kind per agency */
    return n;
}

const char *ecert_state_name(enum ecert_state s)
{
    return (unsigned)s < ECERT_STATE_COUNT ? state_names[s] : "unknown";
}

int ecert_state_parse(const char *s)
{
    for (int i = 0; i < ECERT_STATE_COUNT; i++)
        if (pc_str_eq(s, state_names[i]))
            return i;
    return -1;
}

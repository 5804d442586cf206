/*
 * registries.h — the authentic sources behind the exchange layer
 * (`pencere registry`): each kind is a provider information system with
 * its own database, its REST API and a SOAP service with a WSDL, and a
 * deterministic generator of synthetic data (Azerbaijani names and
 * places): the population register (by FİN), the taxpayers' register
 * AVİS (by VÖEN), and by a person's FİN the real-estate register, the
 * employment contracts and social insurance with pensions; the interior
 * ministry's administrative offence protocols (fines) by protocol number,
 * FİN, driving licence or VÖEN, and its vehicle register by the owner's
 * FİN; individual entrepreneurs by their owner's FİN in the taxpayers'.
 *
 * Tables owned: reg_persons, reg_taxpayers, reg_properties, reg_contracts,
 * reg_insurance, reg_fines, reg_vehicles.
 */
#ifndef PC_REGISTRIES_H
#define PC_REGISTRIES_H

#include "../base/base.h"
#include "../db/db.h"

enum reg_kind { REG_POPULATION, REG_TAXPAYERS, REG_REALESTATE, REG_EMPLOYMENT, REG_PENSIONS, REG_FINES, REG_VEHICLES,
                REG_KIND_COUNT };

/* "population", "taxpayers", "realestate", "employment", "pensions", "fines", "vehicles" → the
 * kind; -1 when unknown. */
int reg_kind_parse(const char *name);
const char *reg_kind_name(enum reg_kind k);

/* ---- keys (ids.c) ----------------------------------------------------------- */

/* The FİN of person i (0 ≤ i < 34^7): a bijection, so a FİN names one
 * person and the index comes back from it. */
void reg_fin_of(uint64_t i, char out[8]);
/* The index of a FİN; -1 when it is not one. */
int64_t reg_index_of(const char *fin);
/* The VÖEN of taxpayer i (ten digits), and back; -1 when not a VÖEN. */
void reg_voen_of(uint64_t i, char out[11]);
int64_t reg_voen_index(const char *voen);

/* ---- synthetic records (population.c, taxpayers.c) ------------------------- */

/* Person i of the population register, typed: what the portal's own
 * synthetic population takes from the register (identity's population.c:
 * one source of names, dates and addresses).  Strings without an array
 * here are static. */
struct reg_person {
    char fin[8];
    int role;                       /* in the family of four: 0 father, 1 mother, 2 and 3 children */
    bool male;
    const char *name;
    char surname[64], patronymic[64];
    int birth_year;
    char birth_date[16];            /* YYYY-MM-DD */
    const char *birth_place;
    const char *region, *city, *street;
    int house, apartment;
    char id_card[16];
};
void reg_person_of(uint64_t i, struct reg_person *p);

/* Person i of a population of n as the register's JSON document (in the
 * arena): names, sex, birth date and place, citizenship, marital status,
 * parents', spouse's and children's FİN, address, ID card, … Families of
 * four (father, mother, two children) share a surname and an address. */
const char *reg_person_json(struct pc_arena *a, uint64_t i, uint64_t n);

/* Taxpayer i as the tax register's JSON document: VÖEN, kind (legal
 * entity or individual entrepreneur), name, legal form, registration,
 * status, activity, VAT, address, director or owner and the
 * representatives who may act for it (FİNs of people 0..people-1). */
const char *reg_taxpayer_json(struct pc_arena *a, uint64_t i, uint64_t people);

/* By person i's FİN (holdings.c): properties with encumbrances;
 * employment contracts (employers among taxpayers 0..taxpayers-1);
 * social insurance, pension and assistance. */
const char *reg_properties_json(struct pc_arena *a, uint64_t i);
const char *reg_contracts_json(struct pc_arena *a, uint64_t i, uint64_t taxpayers);
const char *reg_insurance_json(struct pc_arena *a, uint64_t i);
/* Person i's vehicles ({"fin", "vehicles": [{plate, make, model, year,
 * registered_at, pledged, arrested}]}) and how many (0 to 2). */
const char *reg_vehicles_json(struct pc_arena *a, uint64_t i);
int reg_vehicles_of(uint64_t i);
/* Whether taxpayer i is an individual entrepreneur, and then the FİN of
 * its owner (a person of a population of people) in fin. */
bool reg_entrepreneur_of(uint64_t i, uint64_t people, char fin[8]);

/* Fill the database with records 0..n-1 of a kind (replacing what was
 * there; taxpayers name people of a population of people); *per_sec
 * tells how fast it went (generate.c). */
int reg_generate(struct db *db, enum reg_kind k, uint64_t n, uint64_t people, double *per_sec, struct pc_err *err);

/* ---- fines: administrative offence protocols (fines.c) ----------------------- */

enum reg_fine_status { REG_FINE_UNPAID, REG_FINE_PAID, REG_FINE_CANCELLED };
enum reg_fine_key { REG_FINE_BY_PROTOCOL, REG_FINE_BY_FIN, REG_FINE_BY_LICENCE, REG_FINE_BY_VOEN, REG_FINE_BY_ID_CARD };

struct reg_fine {
    const char *protocol_no, *date, *article, *plate, *fin, *licence, *voen, *initials, *payment_ref, *id_card;
    int64_t amount_qepik;
    int points;
    enum reg_fine_status status;
};

/* Protocol i's number ("PR" and 8 digits, a bijection of i < 10^8) and
 * whether a string is one; a driving licence (2 letters, 6 digits) of
 * person i, and whether a string is one. */
void reg_protocol_of(uint64_t i, char out[11]);
bool reg_protocol_ok(const char *s);
void reg_licence_of(uint64_t person, char out[9]);
bool reg_licence_ok(const char *s);
/* An ID card's number as the population register writes it: 2 letters, 7 digits. */
bool reg_id_card_ok(const char *s);
const char *reg_fine_status_name(enum reg_fine_status s);   /* "unpaid", "paid", "cancelled" */

/* Protocol i of a register naming people 0..people-1 (and taxpayers
 * 0..people/5-1), and its JSON document. */
int reg_fine_make(struct pc_arena *a, uint64_t i, uint64_t people, struct reg_fine *out);
const char *reg_fine_json(struct pc_arena *a, const struct reg_fine *f);
/* Bind protocol i to "INSERT INTO reg_fines (protocol_no, fin, licence,
 * voen, status, payment_ref, doc, id_card)" (generate.c). */
int reg_fine_bind(struct db_stmt *s, struct pc_arena *a, uint64_t i, uint64_t people);

/* {"protocols": [documents]} matching exactly one key (at most 50; none
 * is an empty list); PC_EINVAL for a value not of the key's format. */
int reg_fines_find(struct db *db, struct pc_arena *a, enum reg_fine_key key, const char *value, const char **json,
                   struct pc_err *err);
/* Mark a protocol paid by the payment `reference` for amount_qepik: the
 * same reference again changes nothing; PC_ECONFLICT when it was paid by
 * another reference, was cancelled, or the amount is not the protocol's;
 * PC_ENOTFOUND for no such protocol.  The document as it is now. */
int reg_fine_mark_paid(struct db *db, struct pc_arena *a, const char *protocol_no, const char *reference,
                       int64_t amount_qepik, const char **json, struct pc_err *err);

/* ---- the provider's HTTP edge (api.c) ------------------------------------- */

/* Per kind GET /KIND/v1/RECORDS/{key} (JSON), POST /KIND/soap (one SOAP
 * operation), GET /KIND/wsdl; /healthz, /metrics (docs/exchange.md). */
struct http_config;
struct http_server;
struct reg_api {
    enum reg_kind kind;
    struct db *db;
    struct http_server *http;
};
void reg_http_config(struct reg_api *app, struct http_config *cfg);

#endif

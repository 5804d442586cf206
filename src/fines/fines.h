/*
 * fines.h — fines and duties paid without login (issue 14, item 3): the
 * interior ministry's protocols looked up by one identifier (protocol
 * number, FİN, ID card, driving licence or VÖEN) in its register, chosen, paid
 * through src/pay (a payment without an account), and the register told
 * once the payment succeeded — at once, and by a job until it knows
 * (nothing lost, nothing paid twice: a protocol paid or being paid is
 * refused before money moves).
 *
 * Tables owned (src/fines/migrations): fine_orders, fine_claims,
 * fine_lookups.
 *
 * The register is reached in one place (registry.c): its REST API
 * through the portal's exchange gateway (src/xclient, the service of
 * kind "fines"), or directly at a URL.
 */
#ifndef PC_FINES_H
#define PC_FINES_H

#include "../base/base.h"
#include "../db/db.h"

struct pay_provider;
struct pay_payment;
struct xc;

/* ---- identifiers (ids.c) ---------------------------------------------------- */

/* the same order as the register's enum reg_fine_key */
enum fine_key { FINE_BY_PROTOCOL, FINE_BY_FIN, FINE_BY_LICENCE, FINE_BY_VOEN, FINE_BY_ID_CARD, FINE_KEY_COUNT };

/* "protocol", "fin", "licence", "voen", "id_card" → the key; -1 when unknown. */
int fine_key_parse(const char *name);
const char *fine_key_name(enum fine_key k);
/* Is value an identifier of kind k (upper case, no spaces)?  PC_EINVAL
 * saying the format otherwise.  Lower case and spaces around are the
 * caller's to fold first (fine_id_fold). */
int fine_id_check(enum fine_key k, const char *value, struct pc_err *err);
/* Upper-cased without spaces or dashes, in the arena (at most 32 bytes
 * are looked at: longer is no identifier). */
const char *fine_id_fold(struct pc_arena *a, const char *s);
/* "10-AB-123" → "10-**-*23": enough to recognise one's car, not to find it. */
const char *fine_plate_mask(struct pc_arena *a, const char *plate);

/* ---- the register (registry.c) ---------------------------------------------- */

enum fine_status { FINE_UNPAID, FINE_PAID, FINE_CANCELLED };

/* A protocol as the portal shows it: only what is needed to pay. */
struct fine {
    const char *number, *date, *article, *plate_masked, *initials;
    int64_t amount_qepik;
    int points;
    enum fine_status status;
};

/* Where the register is: its protocols' base URL (…/fines/v1/protocols),
 * else the portal's exchange client (the service of kind "fines"). */
struct fine_registry {
    const char *url;
    struct xc *xc;
    long timeout_ms;
};

#define FINE_ANSWER_MAX 50               /* protocols in one answer at most */
#define FINE_AMOUNT_MAX 100000000        /* qəpik of one protocol at most (1 million manat) */

/* The register's answer to a look-up by k = value, typed: every protocol
 * well formed (its number, an amount of 1..FINE_AMOUNT_MAX qəpik, a known
 * status) and of exactly that identifier, else PC_EUNAVAIL (the register
 * is not to be believed now). */
int fine_answer_parse(struct pc_arena *a, const char *text, size_t len, enum fine_key k, const char *value,
                      struct fine **out, size_t *n, struct pc_err *err);
/* The protocols matching exactly one identifier (already checked), typed;
 * PC_EUNAVAIL when the register cannot be reached. */
int fine_registry_find(const struct fine_registry *reg, struct pc_arena *a, enum fine_key k, const char *value,
                       struct fine **out, size_t *n, struct pc_err *err);
/* Tell the register a protocol is paid by payment `reference` (for the
 * order `issue`: X-Road-Issue): 0 also when it knew; PC_ECONFLICT when it
 * refuses (paid by another payment, cancelled, another amount);
 * PC_EUNAVAIL when it cannot be reached. */
int fine_registry_paid(const struct fine_registry *reg, struct pc_arena *a, const char *number, const char *reference,
                       int64_t amount_qepik, const char *issue, struct pc_err *err);

/* ---- looking up (lookup.c) -------------------------------------------------------- */

#define FINE_LOOKUPS_PER_MINUTE 30   /* per client address, by default */

/* Count one request of a client at address ip that asks the register
 * (a look-up, or starting a payment): PC_ELIMIT beyond per_minute in
 * this minute (<= 0: FINE_LOOKUPS_PER_MINUTE). */
int fine_throttle(struct db *db, const char *ip, int per_minute, struct pc_err *err);

/* The unpaid protocols of one identifier for a client at address ip: the
 * identifier checked (PC_EINVAL), the client throttled (PC_ELIMIT after
 * per_minute look-ups in a minute).  An identifier the register does not
 * know and one without unpaid protocols answer the same: none. */
int fine_lookup(struct db *db, const struct fine_registry *reg, const char *ip, int per_minute, enum fine_key k,
                const char *value, struct pc_arena *a, struct fine **out, size_t *n, struct pc_err *err);

/* ---- paying (order.c) ------------------------------------------------------------- */

#define FINE_ORDER_MAX 20            /* protocols paid together at most */

struct fine_order {
    const char *id;
    const char **numbers;
    int64_t *amounts;
    size_t n;
    int64_t amount_qepik;
    const char *state, *problem;      /* open, told, refused, void (no money came) */
    int64_t created_at, told_at;
};

/* Start paying protocols numbers[0..n) whose amounts the payer was shown
 * add up to shown_qepik, for a client at address ip (throttled with the
 * look-ups: PC_ELIMIT): each is read again from the register and must be
 * unpaid (PC_ECONFLICT: paid, cancelled, or being paid by another payment
 * now; PC_EINVAL: no such protocol), the sum must be shown_qepik
 * (PC_ECONFLICT: the amounts changed), then the payment is made at the
 * provider (the payer comes back to return_base/fines/paid/PAY-…). */
struct fine_client {
    const char *ip;
    int per_minute;
};
int fine_pay_start(struct db *db, struct pay_provider *prov, const struct fine_registry *reg,
                   const struct fine_client *who, const char *const *numbers, size_t n, int64_t shown_qepik,
                   const char *return_base, struct pc_arena *a, struct pay_payment *out, struct pc_err *err);

/* The order a payment pays (the payment's subject); PC_ENOTFOUND. */
int fine_order_get(struct db *db, struct pc_arena *a, const char *order_id, struct fine_order *out,
                   struct pc_err *err);

/* Tell the register of an order whose payment succeeded (safe to repeat);
 * an open order whose payment failed or was given up frees its protocols. */
int fine_order_settle(struct db *db, const struct fine_registry *reg, const char *order_id, struct pc_err *err);

/* A fine payment by its id (PC_ENOTFOUND for any other payment) and its
 * order; a finished one is settled first (the register told, if it can
 * be now; the claims of one that brought nothing freed). */
int fine_payment_get(struct db *db, const struct fine_registry *reg, struct pc_arena *a, const char *payment_id,
                     struct pay_payment *p, struct fine_order *o, struct pc_err *err);

/* One round of the job: every open order settled; *told counted. */
int fine_round(struct db *db, const struct fine_registry *reg, int64_t *told, struct pc_err *err);

/* The job on a serving node (one node at a time, db_job). */
struct db_job *fine_job_start(struct db *db, const struct fine_registry *reg, int interval_ms, struct pc_err *err);

#endif

/* internal.h — shared inside src/catalog only: limits of the file format,
 * the vocabularies as tables, the stored form of sets and evaluations. */
#ifndef PC_CATALOG_INTERNAL_H
#define PC_CATALOG_INTERNAL_H

#include "catalog.h"

#include <jansson.h>
#include <stdatomic.h>

#define CAT_NAME_MAX 400          /* bytes of a name (one language) */
#define CAT_DESC_MAX 3000         /* bytes of a description */

/* A fixed vocabulary: the words of an enum, in the enum's order. */
struct cat_vocab {
    const char *field;            /* the field of the data files it belongs to */
    const char *const *words;
    int n;
};
extern const struct cat_vocab cat_vocab_login, cat_vocab_audience, cat_vocab_relation, cat_vocab_channel,
    cat_vocab_kind;

const char *cat_vocab_name(const struct cat_vocab *v, int i);
/* The value of the word s[0..n), or -1. */
int cat_vocab_parse(const struct cat_vocab *v, const char *s, size_t n);

/* Sets as the services table stores them (",G2C,G2B,"), and back. */
const char *cat_set_store(struct pc_arena *a, const struct cat_vocab *v, unsigned bits);
unsigned cat_set_load(const struct cat_vocab *v, const char *s);

/* The "maturity" object of a services.jsonl line (also the stored form):
 * checked, into the arena; *out NULL for null.  PC_EINVAL with a message. */
int cat_maturity_parse(struct pc_arena *a, json_t *m, const struct cat_maturity **out, struct pc_err *err);
/* The stored form: compact JSON with sorted keys (the API's "evaluation"). */
const char *cat_maturity_store(struct pc_arena *a, const struct cat_maturity *m);

/* ---- the files (check.c) ----------------------------------------------- */

/* The good rows of the three files, each with its line. */
struct cat_agency_row { struct cat_agency v; int line; };
struct cat_event_row { struct cat_life_event v; int line; };
struct cat_service_row { struct cat_service v; int line; };
struct cat_rows {
    struct cat_agency_row *agencies;
    size_t nagencies;
    struct cat_event_row *events;
    size_t nevents;
    struct cat_service_row *services;
    size_t nservices;
};

/* Read and check dir's three files into the arena; every bad row is
 * reported as "FILE:LINE: message" and counted in *bad.  PC_EIO when a
 * file cannot be read, PC_EINVAL when any row is bad. */
int cat_read_dir(struct pc_arena *a, const char *dir, FILE *report, struct cat_rows *out, int *bad,
                 struct pc_err *err);

/* ---- the catalogue in memory (snapshot.c) ----------------------------- */

#define CAT_DB_SLOT 0             /* db_slot of the snapshot cache */
_Static_assert(CAT_DB_SLOT < DB_SLOTS, "a db slot of its own");

struct snap_agency {
    struct cat_agency v;          /* service_count: active services */
    const char *folded;           /* search form of the names (import.c) */
    bool active;                  /* still in the files (withdrawn services may name it) */
};

struct snap_service {
    struct cat_service v;         /* documents and life_events filled, score 0 */
    const char *name_folded, *desc_folded;
    uint32_t agency;              /* index into agencies */
    unsigned audiences;           /* CAT_BIT(enum cat_audience)s */
};

struct cat_index;

/* Everything a reader needs of one catalogue version; never changed once
 * built, so every thread reads it without locks. */
struct cat_snapshot {
    atomic_int refs;
    int64_t version;
    struct pc_arena arena;        /* every byte below */
    struct snap_agency *agencies; /* every agency, by id */
    size_t nagencies;
    struct cat_agency *agency_list; /* the active ones, by Azerbaijani name */
    size_t nagency_list;
    struct cat_life_event *events;  /* active, by order then id */
    size_t nevents;
    struct snap_service *services;  /* active, by id */
    size_t nservices;
    struct cat_index *index;        /* search.c */
};

/* Load every active row of the current version into a new snapshot (one
 * reference, the caller's).  snapshot.c. */
struct cat_snapshot *cat_snapshot_load(struct db *db, struct pc_err *err);
/* Drop a reference (the last frees the snapshot). */
void cat_snapshot_unref(void *snapshot);
/* The catalogue's version as the database has it now. */
int64_t cat_read_version(struct db *db, struct pc_err *err);
/* The integer of a query's one row (the statement is finished). */
int64_t cat_query_int(struct db *db, const char *sql, struct pc_err *err);

/* The snapshot of the current version (as cat_version sees it), held
 * until the arena a is released.  cache.c. */
int cat_snapshot_get(struct db *db, struct pc_arena *a, const struct cat_snapshot **out, struct pc_err *err);
/* An import through db has just committed: a server loads and publishes
 * it now (tools and tests ask the version at every read anyway). */
void cat_snapshot_imported(struct db *db);

/* The service or agency with this id (agencies: also inactive ones), or NULL. */
const struct snap_service *cat_snapshot_service(const struct cat_snapshot *s, const char *id);
const struct snap_agency *cat_snapshot_agency(const struct cat_snapshot *s, const char *id);

/* ---- search (search.c) ------------------------------------------------- */

/* Build the word index of a snapshot (in its arena). */
void cat_index_build(struct cat_snapshot *s);
/* cat_find_services on a snapshot (f passed cat_filter_check). */
int cat_index_find(const struct cat_snapshot *s, struct pc_arena *a, const struct cat_filter *f,
                   struct cat_page *out, struct pc_err *err);

#endif

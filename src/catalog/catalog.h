/*
 * catalog.h — the e-service catalogue: agencies (state bodies), their
 * e-services and the life situations that group services for citizens.
 * Reading (lists, one item, filtered search with cursor paging) and the
 * validated import from data/catalog (JSON Lines files).
 *
 * Tables owned: agencies, life_events, services, service_documents,
 * service_life_events, catalog_version.
 *
 * Items returned are copied into the caller's arena; their strings belong
 * to the in-memory snapshot of the catalogue, which the arena holds until
 * it is released.  Every text that a person reads comes in the three
 * portal languages (struct pc_text); every value from a fixed vocabulary
 * is an enum or a bit set of one.
 */
#ifndef PC_CATALOG_H
#define PC_CATALOG_H

#include "../base/base.h"
#include "../db/db.h"

#include <stdio.h>

/* ---- vocabularies --------------------------------------------------- */

/* How a person proves who they are before using a service. */
enum cat_login { CAT_LOGIN_NONE, CAT_LOGIN_CODE_PASSWORD, CAT_LOGIN_E_SIGNATURE, CAT_LOGIN_COUNT };
/* The portal's three sections. */
enum cat_audience { CAT_AUD_CITIZENS, CAT_AUD_ENTREPRENEURS, CAT_AUD_OFFICIALS, CAT_AUD_COUNT };
/* Government-to-citizen, -business, -employee, -government. */
enum cat_relation { CAT_REL_G2C, CAT_REL_G2B, CAT_REL_G2E, CAT_REL_G2G, CAT_REL_COUNT };
/* Where the service can be used. */
enum cat_channel { CAT_CH_PORTAL, CAT_CH_AGENCY_SITE, CAT_CH_SERVICE_CENTRE, CAT_CH_COUNT };

/* A set of values of one of the enums above. */
#define CAT_BIT(v) (1u << (unsigned)(v))

/* The word for a value in the data files and the API ("code_password",
 * "G2B", "service_centre"), and back (-1 for NULL or an unknown word). */
const char *cat_login_name(enum cat_login v);
const char *cat_audience_name(enum cat_audience v);
const char *cat_relation_name(enum cat_relation v);
const char *cat_channel_name(enum cat_channel v);
int cat_login_parse(const char *s);
int cat_audience_parse(const char *s);
int cat_relation_parse(const char *s);
int cat_channel_parse(const char *s);

/* ---- items ------------------------------------------------------------ */

struct cat_agency {
    const char *id;
    struct pc_text name;
    struct pc_text shortname;    /* fields NULL when the agency has none */
    const char *kind;
    const char *website;          /* NULL when unknown */
    int approved_services;        /* -1 when unknown */
    int service_count;            /* active services in the catalogue */
    const char *source;
};

struct cat_life_event {
    const char *id;
    struct pc_text name;
    int position;
    int service_count;
};

/* The published 2014 evaluation of a service. */
struct cat_maturity {
    int model;                    /* levels of the maturity model: 3, 4 or 5 */
    int level;                    /* 0..model */
    int participation;            /* e-participation 0..10, -1 when not given */
    int transparency_max;         /* 8 or 10; 0 when transparency was not scored */
    int transparency_score;       /* 0..transparency_max */
    const char *note;             /* NULL when none */
};

struct cat_service {
    const char *id;
    const char *agency_id;
    struct pc_text agency_name;
    struct pc_text name;
    struct pc_text description;
    bool for_citizens, for_entrepreneurs, for_officials;
    unsigned relations;           /* CAT_BIT(enum cat_relation)s */
    enum cat_login login;
    int64_t fee_qepik;            /* -1 when not stated */
    bool free;
    int deadline_days;            /* -1 when not set */
    unsigned channels;            /* CAT_BIT(enum cat_channel)s */
    const char *approved_list;    /* NULL when unknown */
    const struct cat_maturity *maturity; /* NULL when not evaluated */
    const char *source;
    struct pc_text *documents;   /* filled by cat_get_service only */
    size_t ndocuments;
    const char **life_events;     /* ids; cat_get_service only */
    size_t nlife_events;
    int score;                    /* search rank (0 without a query) */
};

#define CAT_QUERY_MAX 200         /* bytes of a search query */
#define CAT_PAGE_MAX 100

struct cat_filter {
    const char *q;                /* free text; folded before matching */
    const char *audience;         /* citizens | entrepreneurs | officials */
    const char *agency;           /* agency id */
    const char *login;            /* none | code_password | e_signature */
    int free;                     /* -1 any, 0 paid, 1 free */
    const char *life_event;       /* life-event id */
    const char *cursor;           /* from a previous page's next */
    int limit;                    /* 1..CAT_PAGE_MAX */
};

struct cat_page {
    struct cat_service *items;
    size_t n;
    const char *next;             /* cursor of the next page, NULL at the end */
    int64_t total;                /* all matches, every page */
};

/* Validation of filter values from outside; PC_EINVAL with a message. */
int cat_filter_check(const struct cat_filter *f, struct pc_err *err);

int cat_list_agencies(struct db *db, struct pc_arena *a, struct cat_agency **out, size_t *n, struct pc_err *err);
int cat_get_agency(struct db *db, struct pc_arena *a, const char *id, struct cat_agency *out, struct pc_err *err);
int cat_list_life_events(struct db *db, struct pc_arena *a, struct cat_life_event **out, size_t *n, struct pc_err *err);
int cat_find_services(struct db *db, struct pc_arena *a, const struct cat_filter *f, struct cat_page *out, struct pc_err *err);
int cat_get_service(struct db *db, struct pc_arena *a, const char *id, struct cat_service *out, struct pc_err *err);

/* ---- the catalogue in memory ------------------------------------------ */

/* Every read above answers from an immutable in-memory snapshot of the
 * whole catalogue, loaded from the database once per catalogue version and
 * shared by all threads; returned strings point into it, and it stays
 * alive until the caller's arena is released.
 *
 * The catalogue's version: raised by every import (answers built from an
 * older version are stale).  By default it is read from the database on
 * every call, so an import is seen by the next read.  Negative on error. */
int64_t cat_version(struct db *db, struct pc_err *err);
/* A server's bound: from now on a thread of db reads the version every
 * ms/2 milliseconds while the catalogue is read, and loads a new snapshot
 * before it publishes a new version, so reads never wait on the database
 * (an import anywhere is answered within ms plus its load); when the
 * database cannot be asked, the last snapshot keeps serving.  0 stops the
 * thread (every read asks again). */
void cat_set_max_age(struct db *db, unsigned ms);
/* The bound the portal uses (docs/operations.md). */
#define CAT_PORTAL_MAX_AGE_MS 5
/* Bytes held by the current snapshot (0 before the first read). */
size_t cat_memory_bytes(struct db *db);
/* Rows of the services table, withdrawn ones included, counted by the
 * database itself (a health check that the database answers). */
int64_t cat_count_services(struct db *db, struct pc_err *err);

/* ---- import ----------------------------------------------------------- */

struct cat_import_stats {
    int agencies, services, life_events, withdrawn;
    int bad_rows;
};

/* Parse and validate one line of each file.  On failure err says what is
 * wrong (the caller adds file and line). */
int cat_parse_agency(struct pc_arena *a, const char *line, size_t n, struct cat_agency *out, struct pc_err *err);
int cat_parse_life_event(struct pc_arena *a, const char *line, size_t n, struct cat_life_event *out, struct pc_err *err);
int cat_parse_service(struct pc_arena *a, const char *line, size_t n, struct cat_service *out, struct pc_err *err);

/* Check dir/agencies.jsonl, dir/life_events.jsonl, dir/services.jsonl as
 * cat_import does, and write nothing: every bad row is reported to
 * `report`; PC_EINVAL if there is any, PC_EIO if a file cannot be read.
 * stats counts the good rows of each file and the bad ones. */
int cat_check(const char *dir, FILE *report, struct cat_import_stats *stats, struct pc_err *err);

/* Import dir/agencies.jsonl, dir/life_events.jsonl, dir/services.jsonl.
 * Every bad row is reported to `report` as "FILE:LINE: message"; if there
 * is any, nothing is written and PC_EINVAL is returned.  Otherwise the
 * catalogue is brought to the files' content in one transaction
 * (services no longer listed are withdrawn, not deleted). */
int cat_import(struct db *db, const char *dir, FILE *report, struct cat_import_stats *stats, struct pc_err *err);

#endif

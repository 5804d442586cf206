/*
 * inspect.h — field inspection of a household (issue 17, item 4): an
 * officer gives an application's visit to one of the agency's
 * inspectors; the inspector records what they found (the home, its
 * condition, which of the declared family members were there, notes and
 * photos) on a phone, offline if need be, and the record is synced when
 * the phone is back online; the officer sees it on the case at once.
 *
 * Syncing is safe to repeat and never loses a record:
 *  - the phone names each record with an id of its own (client_id); the
 *    same record synced twice is taken once (INSPECT_SYNC_REPEATED);
 *  - the first record of a visit is its result; a different record from
 *    another phone or a second try is kept as a revision, shown to the
 *    officer beside the result (INSPECT_SYNC_REVISION);
 *  - a record that arrives after the case was decided is kept and marked
 *    late (INSPECT_SYNC_LATE): the officer is shown it, the decision is
 *    not changed by it;
 *  - photos are stored once by their SHA-256 (a retry is a no-op), at most
 *    INSPECT_PHOTOS_MAX a visit, JPEG or PNG only.
 *
 * Authorization: giving a visit is an officer's step on the case
 * (ID_ACT_ACT_ON_CASE); reading the result is reading the case
 * (ID_ACT_VIEW_CASE, and a read of the case is recorded); recording it is
 * ID_ACT_INSPECT, the inspector the visit was given to only.
 *
 * Tables owned (src/inspect/migrations): inspections,
 * inspection_records, inspection_photos.  Photos' bytes are in the
 * applications' file store (cases.h), referred to by SHA-256.
 */
#ifndef PC_INSPECT_H
#define PC_INSPECT_H

#include "../base/base.h"
#include "../cases/cases.h"
#include "../db/db.h"
#include "../identity/identity.h"

#define INSPECT_MEMBERS_MAX 20           /* family members one visit can name */
#define INSPECT_NOTES_MAX 2000           /* bytes of notes */
#define INSPECT_PHOTOS_MAX 12            /* photos a visit */
#define INSPECT_PHOTO_MAX (4 << 20)      /* bytes of one photo */
#define INSPECT_ROOMS_MAX 50
#define INSPECT_LIST_MAX 300             /* visits an inspector is shown */

enum inspect_state { INSPECT_ASSIGNED, INSPECT_DONE, INSPECT_STATE_COUNT };
enum inspect_housing {
    INSPECT_HOUSING_OWN,
    INSPECT_HOUSING_RENTED,
    INSPECT_HOUSING_RELATIVES,
    INSPECT_HOUSING_SHELTER,
    INSPECT_HOUSING_OTHER,
    INSPECT_HOUSING_COUNT
};
enum inspect_condition {
    INSPECT_CONDITION_GOOD,
    INSPECT_CONDITION_SATISFACTORY,
    INSPECT_CONDITION_POOR,
    INSPECT_CONDITION_UNFIT,
    INSPECT_CONDITION_COUNT
};

const char *inspect_state_name(enum inspect_state s);
const char *inspect_housing_name(enum inspect_housing h);        /* "own", "rented", … */
int inspect_housing_parse(const char *s);                          /* -1 if unknown */
const char *inspect_condition_name(enum inspect_condition c);    /* "good", … */
int inspect_condition_parse(const char *s);

/* What the inspector found.  Strings live in the caller's arena. */
struct inspect_record {
    const char *client_id;           /* the phone's id of this record: 8–64 of [A-Za-z0-9_-] */
    int64_t visited_at;              /* when the inspector was there (the phone's clock, unix seconds) */
    enum inspect_housing housing;
    enum inspect_condition condition;
    int rooms;                       /* 0..INSPECT_ROOMS_MAX */
    bool water, gas, electricity, heating;
    const char *present[INSPECT_MEMBERS_MAX]; /* FİNs of declared members who were there */
    size_t npresent;
    const char *notes;               /* "" when none */
    /* as stored: */
    int64_t synced_at;
    bool late;                       /* arrived after the case was decided */
};

/* Check a record from outside (ids, ranges, FİNs, lengths, a visit not in
 * the future and not before the visit was given): 0, or PC_EINVAL naming
 * the field. */
int inspect_record_check(const struct inspect_record *r, int64_t assigned_at, int64_t now, struct pc_err *err);

struct inspect_photo {
    const char *sha256, *type;       /* "image/jpeg" or "image/png" */
    int64_t size, uploaded_at;
};

/* A declared family member, for the inspector to tick. */
struct inspect_member {
    const char *fin, *name;
};

struct inspection {
    const char *id, *case_ref, *case_id, *agency_id, *service_id;
    const char *inspector, *inspector_login; /* the inspector's account id and login */
    const char *assigned_by;
    enum inspect_state state;
    int64_t assigned_at;
    const char *address;             /* the declared address ("" when none) */
    struct inspect_member members[INSPECT_MEMBERS_MAX + 1]; /* the applicant first */
    size_t nmembers;
    bool has_result;
    struct inspect_record result;    /* the first record synced */
    struct inspect_record *revisions; /* later different records, kept */
    size_t nrevisions;
    struct inspect_photo *photos;
    size_t nphotos;
};

/* ---- the officer -------------------------------------------------------------- */

/* Give the application's visit to the inspector whose login is given (an
 * inspector of the case's agency): PC_ENOTFOUND for no such case,
 * PC_EDENIED when who may not act on it, PC_EINVAL when the login is not an
 * inspector of the agency, PC_ECONFLICT when the case is decided or its
 * visit is done.  Giving it again to another inspector moves it. *id gets
 * the visit's id (in a).  Audited. */
int inspect_assign(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *case_ref,
                   const char *inspector_login, const char *ip, const char **id, struct pc_err *err);

/* The logins of the agency's inspectors (at most 100), for the officer's choice. */
int inspect_inspectors(struct db *db, struct pc_arena *a, const char *agency_id, const char ***logins, size_t *n,
                       struct pc_err *err);

/* The visit of an application, for staff who may see the case (their read
 * is recorded by cases): PC_ENOTFOUND when none was given. */
int inspect_of_case(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *case_ref,
                    const char *ip, struct inspection *out, struct pc_err *err);

/* ---- the inspector ------------------------------------------------------------ */

/* The visits given to who and not done (newest first), each with the
 * address and the members to tick. */
int inspect_mine(struct db *db, struct pc_arena *a, const struct id_principal *who, struct inspection **out,
                 size_t *n, struct pc_err *err);
/* One visit for its inspector (or for staff who see the case). */
int inspect_get(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *id,
                struct inspection *out, struct pc_err *err);

enum inspect_sync {
    INSPECT_SYNC_TAKEN,              /* the visit's result */
    INSPECT_SYNC_REPEATED,           /* this record was synced before: nothing changed */
    INSPECT_SYNC_REVISION,           /* a different record after the result: kept beside it */
    INSPECT_SYNC_LATE,               /* the case was decided before it arrived: kept, marked late */
};
const char *inspect_sync_name(enum inspect_sync s);

/* Sync a record of the visit `id` (the inspector it was given to only:
 * PC_EDENIED otherwise; PC_EINVAL for a bad record).  Audited. */
int inspect_sync(struct db *db, const struct id_principal *who, const char *id, const struct inspect_record *rec,
                 const char *ip, enum inspect_sync *outcome, struct pc_err *err);

/* Keep a photo of the visit that the applications' file store received
 * (w, finished as f: cases told its type from the content): JPEG or PNG
 * of at most INSPECT_PHOTO_MAX, recorded once by SHA-256 (*repeated when
 * it was there; the inspector it was given to only).  PC_EINVAL for
 * another type, PC_ETOOBIG, PC_ECONFLICT past INSPECT_PHOTOS_MAX; out's
 * strings in out_arena.  Audited. */
int inspect_photo_keep(struct db *db, const struct id_principal *who, const char *id, struct case_file_writer *w,
                       const struct case_file *f, const char *ip, struct pc_arena *out_arena,
                       struct inspect_photo *out, bool *repeated, struct pc_err *err);

/* A photo of the visit for its inspector or staff who see the case: the
 * reader of its bytes (free with case_file_reader_free). */
int inspect_photo_open(struct db *db, struct case_store *store, struct pc_arena *a, const struct id_principal *who,
                       const char *id, const char *sha256, struct inspect_photo *out,
                       struct case_file_reader **rd, struct pc_err *err);

#endif

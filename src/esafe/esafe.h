/*
 * esafe.h — the e-safe: each person's (FİN) and each company's (VÖEN)
 * documents in one place — decisions and results of their applications,
 * e-certificates, receipts of payments, and documents they upload
 * themselves — with folders, search, retention and sharing with a named
 * third party.
 *
 * Tables owned (src/esafe/migrations): esafe_docs, esafe_contents,
 * esafe_folders, esafe_shares, esafe_openings, esafe_attempts.
 *
 * Other modules put a document in with esafe_add (inside their own
 * transaction: the document exists exactly when what made it commits);
 * nothing else of theirs is needed.  Who may read an e-safe is decided by
 * id_authorize (the web asks before it calls the reads).
 */
#ifndef PC_ESAFE_H
#define PC_ESAFE_H

#include "../base/base.h"
#include "../db/db.h"

/* ---- kinds and owners ------------------------------------------------------ */

enum esafe_kind {
    ESAFE_DECISION,                  /* an application's decision (cases) */
    ESAFE_RESULT,                    /* an application's result document (cases) */
    ESAFE_CERTIFICATE,               /* an e-certificate ("arayış") the person requested */
    ESAFE_RECEIPT,                   /* a receipt of a payment (pay) */
    ESAFE_UPLOAD,                    /* a document the owner uploaded (a diploma) */
    ESAFE_KIND_COUNT
};
const char *esafe_kind_name(enum esafe_kind k);   /* "decision", as stored and in the API */
int esafe_kind_parse(const char *name);            /* -1 if unknown */

enum esafe_owner_type { ESAFE_PERSON, ESAFE_COMPANY };
struct esafe_owner {
    enum esafe_owner_type type;
    const char *id;                  /* a person's FİN or a company's VÖEN */
};

/* ---- putting a document in --------------------------------------------------- */

#define ESAFE_ID_LEN 32              /* a document's id: 32 hex digits */
#define ESAFE_TITLE_MAX 200          /* bytes of UTF-8 */
#define ESAFE_REF_MAX 128            /* bytes of a source's reference */
#define ESAFE_BYTES_MAX (4 * 1024 * 1024) /* bytes handed to esafe_add directly */
#define ESAFE_FOREVER INT64_MAX      /* retain_until: kept until the owner deletes it */

struct esafe_new {
    struct esafe_owner owner;
    enum esafe_kind kind;
    const char *title;               /* shown and searched; 1..ESAFE_TITLE_MAX bytes, no control characters */
    const char *source;              /* the module that puts it: "cases", "pay", "ecert", "esafe" (uploads) */
    const char *source_ref;          /* its reference there (AZ-…, PAY-…, a certificate's code) */
    /* the content: either the bytes themselves (kept by the e-safe) … */
    const void *bytes;
    size_t len;
    /* … or a file already kept in the files store (cases' case_store, by
     * its SHA-256, e.g. an upload) and its size; bytes must then be NULL */
    const char *file_sha256;
    int64_t file_size;
    const char *content_type;        /* application/pdf, image/jpeg, image/png or text/plain; charset=utf-8 */
    const char *file_name;           /* the download's name; NULL: made from the title */
    int64_t retain_until;            /* unix time; 0: the kind's default (esafe_retain_default); ESAFE_FOREVER */
};

/* Put a document in owner's e-safe, on c inside the caller's transaction
 * (no commit here).  id gets the document's id.  The same (owner, kind,
 * source, source_ref) put again is the first one (id of the existing
 * document, nothing changed), so a caller may repeat a put safely.
 * PC_EINVAL: an owner that is not a FİN or VÖEN, an empty or too long
 * title, both or neither of bytes and file_sha256, a content type not
 * taken or bytes that are not of that type, a retention in the past;
 * PC_ETOOBIG: more than ESAFE_BYTES_MAX bytes. */
int esafe_add(struct db_conn *c, const struct esafe_new *d, char id[ESAFE_ID_LEN + 1], struct pc_err *err);

/* The same in a transaction of its own, for a caller that has none. */
int esafe_add_db(struct db *db, const struct esafe_new *d, char id[ESAFE_ID_LEN + 1], struct pc_err *err);

/* How long a kind is kept by default, in seconds (ESAFE_FOREVER: until
 * the owner deletes it). */
int64_t esafe_retain_default(enum esafe_kind k);

/* ---- reading an e-safe ---------------------------------------------------------- */

/* Every read below is of one owner's e-safe: a document of another owner,
 * one removed or past its retention is PC_ENOTFOUND (an expired document
 * is gone on read; esafe_purge removes it for good). */
struct esafe_doc {
    const char *id, *title, *source, *source_ref, *sha256, *content_type, *file_name;
    const char *folder_id;           /* NULL: in no folder of the owner's */
    enum esafe_kind kind;
    bool in_files;                   /* the content is in the files store (case_file_open_stored) */
    int64_t size, created_at;
    int64_t retain_until;            /* ESAFE_FOREVER: until the owner deletes it */
};

#define ESAFE_LIST_MAX 200           /* documents in one list at most */
#define ESAFE_QUERY_MAX 100          /* bytes of a search */

struct esafe_query {
    int kind;                        /* an enum esafe_kind, or -1 for all */
    const char *folder_id;           /* NULL: every folder */
    const char *text;                /* words of the title (folded: "qerar" finds "Qərar"); NULL or "": all */
};
/* Newest first, at most ESAFE_LIST_MAX. */
int esafe_list(struct db *db, struct pc_arena *a, const struct esafe_owner *o, const struct esafe_query *q,
               struct esafe_doc **out, size_t *n, struct pc_err *err);
int esafe_get(struct db *db, struct pc_arena *a, const struct esafe_owner *o, const char *id, struct esafe_doc *out,
              struct pc_err *err);
/* The bytes of a document the e-safe keeps itself (!in_files), in a. */
int esafe_content(struct db *db, struct pc_arena *a, const struct esafe_doc *d, const unsigned char **bytes,
                  size_t *len, struct pc_err *err);

/* ---- the owner's changes (each audited: actor is the account, ip its address) --- */

struct esafe_actor {
    const char *account_id, *role, *ip;
};
/* Delete a document: the owner's own uploads only (PC_EDENIED for what an
 * agency or the portal put there: decisions, receipts, certificates). */
int esafe_delete(struct db *db, const struct esafe_owner *o, const struct esafe_actor *by, const char *id,
                 struct pc_err *err);
/* Keep a document until `until` (a future time, or ESAFE_FOREVER). */
int esafe_set_retention(struct db *db, const struct esafe_owner *o, const struct esafe_actor *by, const char *id,
                        int64_t until, struct pc_err *err);
/* Remove what is past its retention (and content nothing refers to any
 * more); *removed counts the documents.  The serving node runs it as a
 * job (esafe_jobs_start). */
int esafe_purge(struct db *db, int64_t now, int64_t *removed, struct pc_err *err);
struct esafe_jobs;
struct esafe_jobs *esafe_jobs_start(struct db *db, struct pc_err *err);
void esafe_jobs_stop(struct esafe_jobs *j);

/* Own folders: a name (1..ESAFE_FOLDER_NAME_MAX bytes of text), unique per
 * owner (PC_ECONFLICT), at most ESAFE_FOLDERS_MAX (PC_ELIMIT). */
#define ESAFE_FOLDER_NAME_MAX 80
#define ESAFE_FOLDERS_MAX 50
struct esafe_folder {
    const char *id, *name;
    int64_t docs;
};
int esafe_folder_add(struct db *db, const struct esafe_owner *o, const char *name, char id[ESAFE_ID_LEN + 1],
                     struct pc_err *err);
int esafe_folders(struct db *db, struct pc_arena *a, const struct esafe_owner *o, struct esafe_folder **out,
                  size_t *n, struct pc_err *err);
/* Put a document into a folder of the owner's (folder_id NULL: none). */
int esafe_move(struct db *db, const struct esafe_owner *o, const char *id, const char *folder_id, struct pc_err *err);

/* ---- sharing with a named third party ------------------------------------------- */

/* A share lets one organisation (a bank) open one document without an
 * account, by a code (or a link carrying it), until it expires, is
 * revoked, or has been opened max_opens times.  The code is 16 characters
 * of a 31-letter alphabet (79 bits; only its SHA-256 is kept); wrong codes
 * are throttled per network. */
#define ESAFE_CODE_LEN 16
#define ESAFE_SHARE_DAYS_MAX 90
#define ESAFE_OPENS_MAX 20
#define ESAFE_PARTY_MAX 120          /* bytes of an organisation's name or a purpose */
#define ESAFE_SHARES_MAX 200         /* shares of one owner listed at most */

struct esafe_share_new {
    const char *doc_id;
    const char *recipient;           /* who may open it ("Kapital Bank") */
    const char *purpose;             /* why ("loan application") */
    int64_t expires_at;              /* after now, at most ESAFE_SHARE_DAYS_MAX days on */
    int max_opens;                   /* 1..ESAFE_OPENS_MAX */
};

enum esafe_share_state { ESAFE_SHARE_OPEN, ESAFE_SHARE_EXPIRED, ESAFE_SHARE_REVOKED, ESAFE_SHARE_USED_UP };

struct esafe_share {
    const char *id, *doc_id, *doc_title, *recipient, *purpose;
    enum esafe_share_state state;
    int64_t created_at, expires_at, revoked_at;
    int max_opens, opens;
};
/* code gets the code, shown to the owner once. */
int esafe_share_add(struct db *db, const struct esafe_owner *o, const struct esafe_actor *by,
                    const struct esafe_share_new *s, struct pc_arena *a, struct esafe_share *out,
                    char code[ESAFE_CODE_LEN + 1], struct pc_err *err);
/* The owner's shares (doc_id NULL: of every document), newest first. */
int esafe_shares(struct db *db, struct pc_arena *a, const struct esafe_owner *o, const char *doc_id,
                 struct esafe_share **out, size_t *n, struct pc_err *err);
int esafe_share_revoke(struct db *db, const struct esafe_owner *o, const struct esafe_actor *by, const char *share_id,
                       struct pc_err *err);

/* One opening of a share, as the owner sees it. */
struct esafe_opening {
    const char *share_id, *doc_id, *organisation, *network;  /* network: the address shortened (203.0.113.x) */
    int64_t at;
};
int esafe_openings(struct db *db, struct pc_arena *a, const struct esafe_owner *o, const char *doc_id,
                   struct esafe_opening **out, size_t *n, struct pc_err *err);

/* A third party opens a share by its code (any case, spaces and dashes
 * ignored) naming its organisation, from address ip.  0 with *state
 * ESAFE_SHARE_OPEN and the document (one opening counted, recorded for
 * the owner and in a person's data tracker); 0 with another state and
 * nothing else for a share no longer open; PC_ENOTFOUND for a code that
 * opens nothing; PC_ELIMIT when the network tried too many wrong codes;
 * PC_EINVAL without an organisation's name. */
int esafe_share_open(struct db *db, struct pc_arena *a, const char *code, const char *organisation, const char *ip,
                     enum esafe_share_state *state, struct esafe_doc *doc, struct pc_err *err);
#define ESAFE_TRIES_MAX 10           /* wrong codes from one network … */
#define ESAFE_TRIES_WINDOW 600       /* … in this many seconds */

/* A new code (random), and a code as typed into its canonical form (upper
 * case, spaces and dashes dropped): false when it cannot be a code. */
void esafe_code_new(char code[ESAFE_CODE_LEN + 1]);
bool esafe_code_parse(const char *typed, char out[ESAFE_CODE_LEN + 1]);
/* An address shortened to its network, as the owner sees an opening and
 * the throttle counts: "203.0.113.x" for IPv4, the /48 for IPv6
 * ("2001:db8:1::/48"), "unknown" for anything else. */
#define ESAFE_NETWORK_MAX 64
void esafe_network(const char *ip, char out[ESAFE_NETWORK_MAX]);

/* ---- what the e-safe gathers from the other modules ------------------------------ */

/* Put the decisions of the owner's decided applications (the sealed text
 * when the agency sealed one) and the receipts of their successful
 * payments into the e-safe, once each (a document already there, or
 * deleted by retention, is not put again): called before the owner's e-safe
 * is shown.  account_id is the applicant whose applications are read;
 * a company's e-safe gathers what this representative filed for it. */
int esafe_gather(struct db *db, const struct esafe_owner *o, const char *account_id, struct pc_err *err);

#endif

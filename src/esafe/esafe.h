/*
 * esafe.h — the e-safe: each person's (FİN) and each company's (VÖEN)
 * documents in one place — decisions and results of their applications,
 * e-certificates, receipts of payments, and documents they upload
 * themselves — with folders, search, retention and sharing with a named
 * third party.
 *
 * Tables owned (src/esafe/migrations): esafe_docs, esafe_contents.
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

#endif

/*
 * ecert.h — verifiable e-certificates ("arayış") about a person: address
 * (population register), employment (employment contracts register),
 * income and pension (social insurance) and taxpayer status (AVİS).  A
 * certificate is a PDF in Azerbaijani made from registry data, with a QR
 * code of its verification address and a human-readable verification
 * code, sealed by the issuing agency (PAdES-B-T: a CAdES signature with
 * its time-stamp, made by the certification centre, in the PDF's
 * signature field), so the file alone can be verified offline (`pencere
 * verify FILE.pdf`, docs/pki.md).
 *
 * Tables owned (src/ecert/migrations): ecert_certs.  Each certificate
 * issued is also put in its owner's e-safe (esafe_add, in the same
 * transaction).
 *
 * States: valid; revoked (by the owner or the issuing agency's officer);
 * superseded (a newer certificate of the same kind for the same person
 * replaced it).  Only the state changes after issue; the PDF and its
 * signature are kept as issued.
 *
 * Every function returns 0 or a negative PC_E* code with the message in
 * err; results live in the caller's arena.
 */
#ifndef PC_ECERT_H
#define PC_ECERT_H

#include "../base/base.h"
#include "../db/db.h"

/* ---- kinds ------------------------------------------------------------ */

enum ecert_kind { ECERT_ADDRESS, ECERT_EMPLOYMENT, ECERT_INCOME, ECERT_TAXPAYER, ECERT_KIND_COUNT };

const char *ecert_kind_name(enum ecert_kind k);   /* "address", "employment", "income", "taxpayer" */
int ecert_kind_parse(const char *s);              /* -1 when unknown */
/* The agency that issues (and seals) certificates of a kind: its id in
 * the catalogue and the name printed when its seal names none. */
const char *ecert_kind_agency(enum ecert_kind k);
/* The document's title, in Azerbaijani (the PDF's heading, the e-safe's entry). */
const char *ecert_kind_title(enum ecert_kind k);
/* Every issuing agency once (for seeding their seals), at most max. */
size_t ecert_agencies(const char **ids, size_t max);

enum ecert_state { ECERT_VALID, ECERT_REVOKED, ECERT_SUPERSEDED, ECERT_STATE_COUNT };
const char *ecert_state_name(enum ecert_state s); /* "valid", "revoked", "superseded" */
int ecert_state_parse(const char *s);

/* ---- the facts: registry data, typed ----------------------------------- */

#define ECERT_LIST_MAX 8      /* contracts or taxpayers printed on one certificate */

struct ecert_job {
    const char *employer_voen, *position, *started_at, *ended_at; /* ended_at NULL: current */
    int64_t salary_azn;
};

struct ecert_taxpayer {
    const char *voen, *name, *status;  /* status: "active", "liquidated" */
    bool entrepreneur;                 /* an individual entrepreneur (else a legal entity the person directs) */
};

/* What a certificate states.  Every kind has the person (population
 * register); the rest is the kind's. */
struct ecert_facts {
    enum ecert_kind kind;
    const char *fin, *surname, *name, *patronymic, *birth_date;
    /* address */
    const char *region, *city, *street, *registered_at;
    int64_t house, apartment;         /* 0: none */
    /* employment */
    struct ecert_job jobs[ECERT_LIST_MAX];
    size_t njobs;
    /* income and pension */
    bool insured;
    int64_t insurance_years, contributions_azn;
    bool pension;
    const char *pension_kind, *pension_since;
    int64_t pension_azn;
    /* taxpayer status */
    struct ecert_taxpayer taxpayers[ECERT_LIST_MAX];
    size_t ntaxpayers;
};

/* The registries' JSON documents (the shapes of src/registries and of the
 * exchange layer's answers) into facts.  PC_EINVAL names what is wrong. */
#define ECERT_RECORD_MAX (64 * 1024)
int ecert_parse_person(struct pc_arena *a, const char *json, size_t len, struct ecert_facts *f, struct pc_err *err);
/* The kind's own document: contracts, insurance, or {"taxpayers": [...]}
 * (the taxpayers where the person is owner or director). */
int ecert_parse_record(struct pc_arena *a, enum ecert_kind k, const char *json, size_t len, struct ecert_facts *f,
                       struct pc_err *err);

/* Where registry data comes from: the one seam for the exchange client.
 * record() hands back the JSON of one registry about a FİN: which
 * registry is named by the kind (the population register when person is
 * true).  PC_ENOTFOUND: the register does not know the person;
 * PC_EUNAVAIL: it cannot be asked now. */
struct ecert_source {
    int (*record)(void *ctx, struct pc_arena *a, enum ecert_kind k, bool person, const char *fin, const char **json,
                  struct pc_err *err);
    void *ctx;
};
/* The synthetic registers of src/registries computed in this process
 * (people persons, taxpayers taxpayers: the demo's sizes), until the
 * portal's exchange client answers instead. */
struct ecert_source ecert_source_local(void);
/* The registers through the portal's exchange client x (src/xclient),
 * living as long as a; demo: a person the exchange's registers do not
 * know (the demo's accounts are another synthetic population), or an
 * exchange not up yet, is answered from the local ones. */
struct xc;
struct ecert_source ecert_source_exchange(struct pc_arena *a, struct xc *x, bool demo);
/* Ask the source for everything a certificate of kind k needs. */
int ecert_facts_fetch(const struct ecert_source *src, struct pc_arena *a, enum ecert_kind k, const char *fin,
                      struct ecert_facts *out, struct pc_err *err);

/* ---- verification codes (code.c) ---------------------------------------- */

/* 16 characters of an alphabet without look-alikes (digits 2-9, letters
 * but I, L and O), grouped XXXX-XXXX-XXXX-XXXX: 79 random bits. */
#define ECERT_CODE_LEN 19
void ecert_code_new(char out[ECERT_CODE_LEN + 1]);
/* A code as typed (any case, spaces or dashes anywhere) into its
 * canonical form; false when it cannot be one. */
bool ecert_code_normalize(const char *in, char out[ECERT_CODE_LEN + 1]);

/* ---- the document (pdf.c, container.c) --------------------------------- */

struct ecert_doc {
    const struct ecert_facts *facts;
    const char *id, *code, *verify_url;
    const char *issuer;                /* the agency's name */
    int64_t issued_at;
};

/* The PDF (src/pdf): PDF/A-2b as declared, the font embedded, no
 * scripts; the facts in Azerbaijani, the issuer, the time, the QR code of
 * verify_url and the code; a PAdES signature field reserved for the seal,
 * whose signed bytes pdf_sig_content gives.  *pdf is malloc'd (the caller
 * frees it). */
int ecert_pdf_build(const struct ecert_doc *d, unsigned char **pdf, size_t *len, struct pc_err *err);

/* Carry the agency's detached CAdES signature (over the signed bytes)
 * inside the PDF: written into its signature field's /Contents.  *out is
 * malloc'd; PC_ETOOBIG when the signature does not fit. */
int ecert_pdf_attach(const unsigned char *pdf, size_t len, const unsigned char *sig, size_t sig_len,
                     unsigned char **out, size_t *out_len, struct pc_err *err);
/* The other way: the signed bytes (the file but the signature's
 * /Contents, in the arena; for a certificate issued before PAdES, the PDF
 * before its attached seal: a prefix of file) and the signature.  PC_EINVAL names the
 * reason: no seal inside, or the file changed after sealing (a /ByteRange
 * that leaves anything but /Contents out, bytes appended, more than the
 * signature in /Contents). */
int ecert_pdf_split(struct pc_arena *a, const unsigned char *file, size_t len, const unsigned char **content,
                    size_t *content_len, const unsigned char **sig, size_t *sig_len, struct pc_err *err);

/* ---- issuing and the register of certificates (issue.c, store.c) ------- */

/* How the agency seals: a detached CAdES-T signature over doc by the
 * agency's seal (the portal's: pki_client_seal) and the seal's
 * certificate serial. */
struct ecert_sealer {
    int (*seal)(void *ctx, struct pc_arena *a, const char *agency, const char *ref, const void *doc, size_t len,
                const unsigned char **sig, size_t *sig_len, const char **serial, struct pc_err *err);
    void *ctx;
};

struct ecert {
    const char *id, *code, *fin, *account_id, *agency, *issuer, *sha256, *seal_serial;
    enum ecert_kind kind;
    enum ecert_state state;
    const char *superseded_by;         /* NULL unless superseded */
    int64_t issued_at, changed_at;     /* changed_at: revoked or superseded (0: never) */
};

struct ecert_request {
    enum ecert_kind kind;
    const char *fin, *account_id;      /* the person, as logged in */
    const char *issuer;                /* the issuing agency's name, as printed (ecert_kind_agency's) */
    const char *verify_base;           /* "https://portal": the QR code's address starts so */
    const char *ip;
    int day_max;                       /* certificates a person may get in 24 hours; 0: ECERT_DAY_MAX */
};

/* Each costs the registers, the centre and ~100 KB kept twice: a person
 * (or a script with their login) gets at most this many a day. */
#define ECERT_DAY_MAX 1000

/* Issue: the facts from src, the PDF, the agency's seal, kept in one
 * transaction with its audit entry; an older valid certificate of the
 * same kind for the same person becomes superseded.  PC_ELIMIT when the
 * person had day_max in the last 24 hours.  The sealer's and the source's
 * codes pass unchanged (PC_EUNAVAIL: nothing issued). */
int ecert_issue(struct db *db, const struct ecert_source *src, const struct ecert_sealer *sealer,
                const struct ecert_request *req, struct pc_arena *a, struct ecert *out, struct pc_err *err);

#define ECERT_VERIFY_PATH "/verify/e-certificate"
/* The verification address of a code under base. */
const char *ecert_verify_url(struct pc_arena *a, const char *base, const char *code);

int ecert_get(struct db *db, struct pc_arena *a, const char *id, struct ecert *out, struct pc_err *err);
/* By canonical verification code, or by the SHA-256 (hex) of the PDF. */
int ecert_by_code(struct db *db, struct pc_arena *a, const char *code, struct ecert *out, struct pc_err *err);
int ecert_by_sha256(struct db *db, struct pc_arena *a, const char *sha256, struct ecert *out, struct pc_err *err);
/* A person's certificates, newest first (at most max). */
int ecert_list(struct db *db, struct pc_arena *a, const char *fin, size_t max, struct ecert **out, size_t *n,
               struct pc_err *err);
/* The signed PDF as issued (in the arena). */
int ecert_pdf(struct db *db, struct pc_arena *a, const char *id, const unsigned char **pdf, size_t *len,
              struct pc_err *err);
/* Revoke a valid certificate (the caller has checked who may: the owner
 * or the issuing agency's officer); audited as by/by_role.  PC_ECONFLICT
 * when it is no longer valid. */
int ecert_revoke(struct db *db, const char *id, const char *by, const char *by_role, const char *ip,
                 struct pc_err *err);

#endif

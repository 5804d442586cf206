/* issue.c — issuing a certificate: the facts from the registers, the
 * PDF, the agency's seal over its signed bytes, written into its
 * signature field, and
 * the record with its audit entry in one transaction that also marks the
 * person's older certificate of the kind superseded.  Nothing is written
 * before the seal is made: a register or a centre that cannot answer
 * leaves nothing behind. */
#include "internal.h"
#include "../audit/audit.h"
#include "../esafe/esafe.h"
#include "../pdf/pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct issued {
    struct pc_arena *a;
    const struct ecert_request *req;
    const char *id, *code, *agency, *serial, *sha256, *sig_b64, *pdf_b64;
    const unsigned char *pdf;          /* as sealed, for the e-safe */
    size_t pdf_len;
    int64_t at;
};

static const char *b64(struct pc_arena *a, const unsigned char *p, size_t n)
{
    char *out = pc_arena_alloc(a, 4 * ((n + 2) / 3) + 1);
    pc_b64url_encode(p, n, out);
    return out;
}

/* One person's certificates of one kind are issued in turn: the newest
 * alone stays valid. */
static int64_t person_lock(const char *fin, enum ecert_kind k)
{
    char key[32];
    size_t n = (size_t)snprintf(key, sizeof key, "ecert:%s:%d", fin, (int)k);
    return ((int64_t)3 << 40) | pc_fnv1a(key, n);
}

static int keep_write(struct db_conn *c, void *arg, struct pc_err *err)
{
    const struct issued *is = arg;
    const struct ecert_request *req = is->req;
    int rc = db_xact_lock(c, person_lock(req->fin, req->kind), err);
    struct db_stmt *s = rc ? NULL : db_prepare(c, "UPDATE ecert_certs SET state = 'superseded', superseded_by = ?,"
                                                  " changed_at = ? WHERE fin = ? AND kind = ? AND state = 'valid'", err);
    if (!rc && !s)
        rc = ecert_failed(err);
    if (!rc) {
        db_bind_text(s, 1, is->id);
        db_bind_int(s, 2, is->at);
        db_bind_text(s, 3, req->fin);
        db_bind_text(s, 4, ecert_kind_name(req->kind));
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : 0;
    }
    if (!rc && !(s = db_prepare(c, "INSERT INTO ecert_certs(id, code, fin, account_id, kind, agency, issuer,"
                                   " seal_serial, state, issued_at, sha256, signature, pdf)"
                                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'valid', ?, ?, ?, ?)", err)))
        rc = ecert_failed(err);
    if (!rc) {
        db_bind_text(s, 1, is->id);
        db_bind_text(s, 2, is->code);
        db_bind_text(s, 3, req->fin);
        db_bind_text(s, 4, req->account_id);
        db_bind_text(s, 5, ecert_kind_name(req->kind));
        db_bind_text(s, 6, is->agency);
        db_bind_text(s, 7, req->issuer);
        db_bind_text(s, 8, is->serial);
        db_bind_int(s, 9, is->at);
        db_bind_text(s, 10, is->sha256);
        db_bind_text(s, 11, is->sig_b64);
        db_bind_text(s, 12, is->pdf_b64);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : 0;
    }
    if (!rc) { /* the owner's e-safe keeps it from the moment it exists */
        struct esafe_new d = {.owner = {ESAFE_PERSON, req->fin}, .kind = ESAFE_CERTIFICATE,
                              .title = pc_arena_printf(is->a, "%s %s", ecert_kind_title(req->kind), is->id),
                              .source = "ecert", .source_ref = is->id, .bytes = is->pdf, .len = is->pdf_len,
                              .content_type = "application/pdf",
                              .file_name = pc_arena_printf(is->a, "%s.pdf", is->id)};
        char doc_id[ESAFE_ID_LEN + 1];
        rc = esafe_add(c, &d, doc_id, err);
    }
    if (!rc) {
        struct audit_entry e = {.actor = req->account_id, .role = "citizen", .action = "ecert.issue",
                                .object_type = "ecert", .object_id = is->id, .ip = req->ip ? req->ip : "",
                                .detail = ecert_kind_name(req->kind)};
        int64_t seq = audit_append(c, &e, err);
        rc = seq < 0 ? (int)seq : 0;
    }
    return rc;
}

static void *committer_make(struct db *db)
{
    (void)db;
    struct db_committer *m = calloc(1, sizeof *m);
    if (!m)
        pc_oom(sizeof *m);
    db_committer_init(m);
    return m;
}

static void committer_free(void *p)
{
    db_committer_release(p);
    free(p);
}

/* Certificates issued at the same time share a transaction (and on
 * SQLite one fsync): writers queue instead of retrying for the lock. */
static int keep(struct db *db, struct issued *is, struct pc_err *err)
{
    return db_commit_group(db, db_slot(db, ECERT_DB_SLOT, committer_make, committer_free), keep_write, is, err);
}

int ecert_issue(struct db *db, const struct ecert_source *src, const struct ecert_sealer *sealer,
                const struct ecert_request *req, struct pc_arena *a, struct ecert *out, struct pc_err *err)
{
    if ((unsigned)req->kind >= ECERT_KIND_COUNT)
        return pc_err_set(err, PC_EINVAL, "no such kind of certificate");
    if (!req->fin || !*req->fin)
        return pc_err_set(err, PC_EINVAL, "a certificate is about a person (FİN)");
    int64_t recent, max = req->day_max > 0 ? req->day_max : ECERT_DAY_MAX;
    int rc = ecert_count_since(db, req->fin, pc_now_unix() - 86400, &recent, err);
    if (rc)
        return rc;
    if (recent >= max)
        return pc_err_set(err, PC_ELIMIT, "at most %lld e-certificates a day; try again tomorrow", (long long)max);
    struct ecert_facts facts;
    rc = ecert_facts_fetch(src, a, req->kind, req->fin, &facts, err);
    if (rc)
        return rc;
    char hex[17], code[ECERT_CODE_LEN + 1];
    pc_random_hex(hex, 8);
    ecert_code_new(code);
    struct issued is = {.a = a, .req = req, .id = pc_arena_printf(a, "EC-%s", hex), .code = pc_arena_strdup(a, code),
                        .agency = ecert_kind_agency(req->kind), .at = pc_now_unix()};
    struct ecert_doc doc = {.facts = &facts, .id = is.id, .code = is.code,
                            .verify_url = ecert_verify_url(a, req->verify_base, is.code), .issuer = req->issuer,
                            .issued_at = is.at};
    unsigned char *pdf = NULL, *sealed = NULL;
    size_t pdf_len, sealed_len = 0;
    const unsigned char *sig, *tbs;
    size_t sig_len, tbs_len;
    rc = ecert_pdf_build(&doc, &pdf, &pdf_len, err);
    if (!rc)
        rc = pdf_sig_content(a, pdf, pdf_len, &tbs, &tbs_len, err);
    if (!rc)
        rc = sealer->seal(sealer->ctx, a, is.agency, is.id, tbs, tbs_len, &sig, &sig_len, &is.serial, err);
    if (!rc)
        rc = ecert_pdf_attach(pdf, pdf_len, sig, sig_len, &sealed, &sealed_len, err);
    free(pdf);
    if (!rc) {
        char sha[65];
        pc_sha256_hex(sealed, sealed_len, sha);
        is.sha256 = pc_arena_strdup(a, sha);
        is.sig_b64 = b64(a, sig, sig_len);
        is.pdf_b64 = b64(a, sealed, sealed_len);
        is.pdf = sealed;
        is.pdf_len = sealed_len;
        rc = keep(db, &is, err);
    }
    free(sealed);
    if (rc)
        return rc;
    *out = (struct ecert){.id = is.id, .code = is.code, .fin = req->fin, .account_id = req->account_id,
                          .agency = is.agency, .issuer = req->issuer, .sha256 = is.sha256, .seal_serial = is.serial,
                          .kind = req->kind, .state = ECERT_VALID, .issued_at = is.at};
    return 0;
}

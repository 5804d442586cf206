/* tally.c — the count of a poll and its publication.  One node runs the
 * tally job (lease "participation.tally"): it counts each poll past its
 * closing under the polls lock held alone (votes hold it shared, so each
 * vote is in the count or was refused as closed), erases the key of the
 * ballot ids of a changeable poll (from then on no one can tell whose
 * ballot is whose), and stores the count as a canonical JSON document.
 * Then it signs each unpublished document with the certification
 * centre's CMS signing and its TSA (CAdES-T, src/pki); a failed signature
 * is tried again next round.  Without a configured signer the tally is
 * published unsigned and says so.  Results while a poll is open are
 * counted on the spot where the poll's results are public. */
#include "internal.h"
#include "../pki/pki.h"

#include <openssl/evp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGN_ATTEMPTS_MAX 1000   /* a tally that never signs stops costing rounds */

void part_config_defaults(struct part_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->interval_ms = 1000;
    cfg->lease_secs = 30;
}

int part_config_check(const struct part_config *cfg, struct pc_err *err)
{
    if (cfg->key_pem && !cfg->cert_pem)
        return pc_err_set(err, PC_EINVAL, "the tally signing key needs its certificate");
    if (cfg->interval_ms < 10 || cfg->lease_secs < 2)
        return pc_err_set(err, PC_EINVAL, "the tally job needs an interval of 10 ms or more and a lease of 2 s or more");
    return 0;
}

char *part_tally_document(struct pc_arena *a, const struct part_poll *p, int64_t voters, int64_t counted_at)
{
    json_t *opts = json_array();
    int64_t total = 0;
    for (size_t i = 0; i < p->noptions; i++) {
        json_array_append_new(opts, json_pack("{s:s, s:s, s:I}", "id", p->options[i].id, "label",
                                              p->options[i].label.s[PC_LANG_AZ], "votes",
                                              (json_int_t)p->options[i].votes));
        total += p->options[i].votes;
    }
    char opened[21], closed[21], counted[21];
    pc_rfc3339(p->opens_at, opened);
    pc_rfc3339(p->closes_at, closed);
    pc_rfc3339(counted_at, counted);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:I, s:I}", "poll", p->id, "question",
                            p->question.s[PC_LANG_AZ], "opens_at", opened, "closes_at", closed, "counted_at", counted,
                            "secret", p->secret, "options", opts, "total", (json_int_t)total, "voters",
                            (json_int_t)voters);
    char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(doc);
    if (!s)
        pc_oom(0);
    char *out = pc_arena_strdup(a, s);
    free(s);
    return out;
}

/* The votes of each option of p and the number of voters, on c. */
static int count(struct db_conn *c, struct part_poll *p, int64_t *voters, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT option_id, COUNT(*) FROM poll_ballots WHERE poll_id = ? GROUP BY option_id",
                                   err);
    if (!s)
        return part_failed(err);
    db_bind_text(s, 1, p->id);
    for (size_t i = 0; i < p->noptions; i++)
        p->options[i].votes = 0;
    int rc;
    while ((rc = db_step(s, err)) == 1)
        for (size_t i = 0; i < p->noptions; i++)
            if (strcmp(p->options[i].id, db_col_text(s, 0)) == 0)
                p->options[i].votes = db_col_int(s, 1);
    if (rc < 0)
        return rc;
    s = db_prepare(c, "SELECT COUNT(*) FROM poll_voters WHERE poll_id = ?", err);
    if (!s)
        return part_failed(err);
    db_bind_text(s, 1, p->id);
    if ((rc = db_step(s, err)) < 0)
        return rc;
    *voters = db_col_int(s, 0);
    return 0;
}

static int read_tally(struct db_conn *c, struct pc_arena *a, const char *poll, struct part_results *out,
                      struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT document, sha256, signature, signed_at, counted_at, published_at"
                                      " FROM poll_tallies WHERE poll_id = ?", err);
    if (!s)
        return part_failed(err);
    db_bind_text(s, 1, poll);
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : pc_err_set(err, PC_EIO, "a counted poll without its tally");
    struct part_tally *t = &out->tally;
    t->document = pc_arena_strdup(a, db_col_text(s, 0));
    t->len = strlen(t->document);
    t->sha256 = pc_arena_strdup(a, db_col_text(s, 1));
    const char *sig = db_col_text(s, 2);
    if (sig) {
        size_t n = strlen(sig);
        unsigned char *der = pc_arena_alloc(a, n / 4 * 3 + 3);
        int len = EVP_DecodeBlock(der, (const unsigned char *)sig, (int)n);
        if (len < 0)
            return pc_err_set(err, PC_EIO, "the stored tally signature is not base64");
        while (n > 0 && sig[n - 1] == '=' && len > 0) /* DecodeBlock counts the padding */
            n--, len--;
        t->signature = der;
        t->signature_len = (size_t)len;
    }
    t->signed_at = db_col_int(s, 3);
    t->counted_at = db_col_int(s, 4);
    t->published_at = db_col_int(s, 5);
    out->has_tally = !db_col_is_null(s, 5);
    return 0;
}

int part_results(struct db *db, struct pc_arena *a, struct part_poll *p, struct part_results *out,
                 struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (p->secret && !p->counted)
        return pc_err_set(err, PC_EDENIED, "the results of a secret poll are published once it is counted");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return part_failed(err);
    int rc = count(c, p, &out->voters, err);
    for (size_t i = 0; !rc && i < p->noptions; i++)
        out->total += p->options[i].votes;
    out->final = p->counted;
    if (!rc && p->counted)
        rc = read_tally(c, a, p->id, out, err);
    return rc;
}

/* Count one poll past its closing (the job holds the lease). */
static int count_poll(struct db *db, const char *id, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct part_poll p;
    int rc = part_poll_get(db, &a, id, &p, err);
    struct db_conn *c = NULL;
    if (!rc)
        rc = audit_begin(db, &c, err);
    if (rc) {
        pc_arena_release(&a);
        return rc;
    }
    int64_t now = pc_now_unix(), voters = 0;
    rc = db_xact_lock(c, PART_LOCK_POLLS, err);
    if (!rc)
        rc = count(c, &p, &voters, err);
    char *doc = rc ? NULL : part_tally_document(&a, &p, voters, now);
    char sha[65] = "";
    if (doc)
        pc_sha256_hex(doc, strlen(doc), sha);
    struct db_stmt *s = rc ? NULL : db_prepare(c, "UPDATE polls SET counted = 1, ballot_key = NULL WHERE id = ?"
                                                  " AND counted = 0", err);
    if (!rc && !s)
        rc = part_failed(err);
    if (!rc) {
        db_bind_text(s, 1, id);
        rc = part_ran(db_run(s, err));
    }
    if (!rc && !(s = db_prepare(c, "INSERT INTO poll_tallies(poll_id, document, sha256, counted_at) VALUES (?, ?, ?, ?)",
                                err)))
        rc = part_failed(err);
    if (!rc) {
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, doc);
        db_bind_text(s, 3, sha);
        db_bind_int(s, 4, now);
        rc = part_ran(db_run(s, err));
    }
    struct audit_entry e = part_audit(NULL, -1, "poll.count", "poll", id, NULL, sha);
    rc = audit_end(c, rc, &e, err);
    pc_arena_release(&a);
    return rc;
}

/* Sign one counted tally (or publish it unsigned without a signer). */
static int publish(struct db *db, const struct part_config *cfg, const char *poll, const char *doc,
                   struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    const unsigned char *der = NULL;
    size_t der_len = 0;
    int rc = 0;
    if (cfg->key_pem)
        rc = pki_cms_sign(&a, cfg->key_pem, cfg->key_len, cfg->passphrase, cfg->cert_pem, cfg->cert_len, doc,
                          strlen(doc), cfg->tsa_url, &der, &der_len, err);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, rc ? "UPDATE poll_tallies SET attempts = attempts + 1 WHERE poll_id = ?"
                                             : "UPDATE poll_tallies SET signature = ?, signed_at = ?, published_at = ?"
                                               " WHERE poll_id = ? AND published_at IS NULL", err)
                      : NULL;
    if (!s) {
        pc_arena_release(&a);
        return rc ? rc : part_failed(err);
    }
    if (rc) {
        struct pc_err ignored = {0};
        db_bind_text(s, 1, poll);
        db_run(s, &ignored); /* the signer's error is the one to report */
        pc_arena_release(&a);
        return rc;
    }
    int64_t now = pc_now_unix();
    if (der) {
        char *b64 = pc_arena_alloc(&a, (der_len + 2) / 3 * 4 + 1);
        EVP_EncodeBlock((unsigned char *)b64, der, (int)der_len);
        db_bind_text(s, 1, b64);
        db_bind_int(s, 2, now);
    } else {
        db_bind_null(s, 1);
        db_bind_null(s, 2);
    }
    db_bind_int(s, 3, now);
    db_bind_text(s, 4, poll);
    rc = part_ran(db_run(s, err));
    pc_arena_release(&a);
    return rc;
}

/* The ids (and documents, when docs) that a query of one text parameter
 * or none returns, into a (at most max). */
static int ids(struct db *db, struct pc_arena *a, const char *sql, int64_t now, bool docs, const char ***out,
               const char ***doc_out, size_t *n, struct pc_err *err)
{
    enum { MAX = 100 };
    *n = 0;
    *out = pc_arena_array(a, MAX, sizeof **out);
    *doc_out = pc_arena_array(a, MAX, sizeof **doc_out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, sql, err) : NULL;
    if (!s)
        return part_failed(err);
    db_bind_int(s, 1, now);
    int rc;
    while (*n < MAX && (rc = db_step(s, err)) == 1) {
        (*out)[*n] = pc_arena_strdup(a, db_col_text(s, 0));
        (*doc_out)[(*n)++] = docs ? pc_arena_strdup(a, db_col_text(s, 1)) : NULL;
    }
    return *n == MAX ? 0 : rc < 0 ? rc : 0;
}

int part_tally_round(struct db *db, const struct part_config *cfg, int *counted, int *published,
                     struct pc_err *err)
{
    *counted = *published = 0;
    struct pc_arena a;
    pc_arena_init(&a);
    const char **due, **docs;
    size_t n;
    int rc = ids(db, &a, "SELECT id FROM polls WHERE counted = 0 AND closes_at <= ? ORDER BY closes_at", pc_now_unix(),
                 false, &due, &docs, &n, err);
    for (size_t i = 0; !rc && i < n; i++)
        if (!(rc = count_poll(db, due[i], err)))
            (*counted)++;
    if (!rc)
        rc = ids(db, &a, "SELECT poll_id, document FROM poll_tallies WHERE published_at IS NULL AND attempts < ?"
                         " ORDER BY counted_at", SIGN_ATTEMPTS_MAX, true, &due, &docs, &n, err);
    for (size_t i = 0; !rc && i < n; i++)
        if (!(rc = publish(db, cfg, due[i], docs[i], err)))
            (*published)++;
    pc_arena_release(&a);
    return rc;
}

/* ---- the job -------------------------------------------------------------- */

struct part_jobs {
    struct part_config cfg;
    struct db_job *tally;
};

static int tally_step(struct db *db, void *ctx, bool fresh, struct pc_err *err)
{
    (void)fresh; /* each round starts from the tables: nothing half done to recover */
    struct part_jobs *j = ctx;
    int counted, published;
    int rc = part_tally_round(db, &j->cfg, &counted, &published, err);
    if (counted || published) {
        char c[24], p[24];
        snprintf(c, sizeof c, "%d", counted);
        snprintf(p, sizeof p, "%d", published);
        pc_log(PC_LOG_INFO, "poll.tally", "counted", c, "published", p, NULL);
    }
    return rc;
}

struct part_jobs *part_jobs_start(struct db *db, const struct part_config *cfg, struct pc_err *err)
{
    if (part_config_check(cfg, err))
        return NULL;
    struct part_jobs *j = calloc(1, sizeof *j);
    if (!j)
        pc_oom(sizeof *j);
    j->cfg = *cfg;
    j->tally = db_job_start(db, "participation.tally", cfg->interval_ms, cfg->lease_secs, tally_step, j, err);
    if (!j->tally) {
        free(j);
        return NULL;
    }
    return j;
}

void part_jobs_stop(struct part_jobs *j)
{
    if (!j)
        return;
    db_job_stop(j->tally);
    free(j);
}

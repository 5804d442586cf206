/* vote.c — casting a vote.  One person, one vote: poll_voters has one
 * row per person and poll, and the ballot (an option and a random id,
 * never the voter) is written in the same transaction, so the two tables
 * always hold as many rows as each other.  Who voted also goes into the
 * audit log ("poll.vote", never the option).  Where a poll allows changes
 * the ballot's id is a keyed hash of the person (the key is erased when
 * the poll is counted), so a second vote finds and replaces the first.
 * Votes arriving together share one transaction (db_commit_group), each
 * in its own savepoint, and all of them hold the polls lock shared: the
 * count of a closing poll takes it alone, so every vote is either in the
 * count or refused as closed. */
#include "internal.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

static const char *const refusal_names[] = {
    [PART_REFUSAL_NONE] = "none",
    [PART_REFUSAL_NO_POLL] = "not-found",
    [PART_REFUSAL_NOT_OPEN] = "poll-not-open",
    [PART_REFUSAL_CLOSED] = "poll-closed",
    [PART_REFUSAL_ALREADY_VOTED] = "already-voted",
    [PART_REFUSAL_NOT_ALLOWED] = "not-allowed",
    [PART_REFUSAL_NOT_ELIGIBLE] = "not-eligible",
    [PART_REFUSAL_BAD_OPTION] = "bad-option",
};

const char *part_refusal_name(enum part_refusal r)
{
    return (unsigned)r < sizeof refusal_names / sizeof refusal_names[0] ? refusal_names[r] : "unknown";
}

struct vote_job {
    const struct id_principal *who;
    int role;
    const char *poll, *option, *ip;
    int64_t now;
    struct part_receipt *out;
    enum part_refusal why;
};

static int refuse(struct vote_job *v, enum part_refusal why, int code, const char *msg, struct pc_err *err)
{
    v->why = why;
    return pc_err_set(err, code, "%s", msg);
}

/* The ballot's id of a changeable poll: HMAC-SHA256 of the person under
 * the poll's key, so only whoever holds the key can tell whose it is. */
static void keyed_ballot(const char *key, const char *fin, char out[PART_RECEIPT_LEN + 1])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)fin, strlen(fin), mac, &len);
    for (int i = 0; i < PART_RECEIPT_LEN / 2; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

/* What the vote needs of its poll, read after the shared lock. */
struct poll_row {
    int64_t opens_at, closes_at;
    bool counted, changeable, option_ok;
    char key[65];
    struct id_group group;
    char district[ID_DISTRICT_MAX + 1];
};

static int read_poll(struct db_conn *c, struct vote_job *v, struct poll_row *p, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT opens_at, closes_at, counted, changeable, ballot_key, min_age, max_age,"
                                      " district, (SELECT COUNT(*) FROM poll_options o WHERE o.poll_id = p.id"
                                      " AND o.id = ?) FROM polls p WHERE p.id = ?", err);
    if (!s)
        return part_failed(err);
    db_bind_text(s, 1, v->option);
    db_bind_text(s, 2, v->poll);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return refuse(v, PART_REFUSAL_NO_POLL, PC_ENOTFOUND, "no such poll", err);
    memset(p, 0, sizeof *p);
    p->opens_at = db_col_int(s, 0);
    p->closes_at = db_col_int(s, 1);
    p->counted = db_col_int(s, 2) != 0;
    p->changeable = db_col_int(s, 3) != 0;
    snprintf(p->key, sizeof p->key, "%s", db_col_text(s, 4) ? db_col_text(s, 4) : "");
    p->group.min_age = (int)db_col_int(s, 5);
    p->group.max_age = (int)db_col_int(s, 6);
    if (db_col_text(s, 7)) {
        snprintf(p->district, sizeof p->district, "%s", db_col_text(s, 7));
        p->group.district = p->district;
    }
    p->option_ok = db_col_int(s, 8) == 1;
    return 0;
}

static int check_poll(struct db_conn *c, struct vote_job *v, const struct poll_row *p, struct pc_err *err)
{
    if (p->counted || v->now >= p->closes_at)
        return refuse(v, PART_REFUSAL_CLOSED, PC_ECONFLICT, "the poll has closed", err);
    if (v->now < p->opens_at)
        return refuse(v, PART_REFUSAL_NOT_OPEN, PC_ECONFLICT, "the poll is not open yet", err);
    if (!p->option_ok)
        return refuse(v, PART_REFUSAL_BAD_OPTION, PC_EINVAL, "no such option in this poll", err);
    if (!p->group.min_age && !p->group.max_age && !p->group.district)
        return 0;
    char day[11];
    part_day(v->now, day);
    bool member = false;
    int rc = id_group_member(c, v->who->fin, &p->group, day, &member, err);
    if (rc && rc != PC_ENOTFOUND)
        return rc;
    return member ? 0 : refuse(v, PART_REFUSAL_NOT_ELIGIBLE, PC_EDENIED, "this poll is for another group", err);
}

/* Run sql with texts t[0..n) then, when i >= 0, the integer i bound;
 * *rows (if given) gets the rows changed. */
static int run(struct db_conn *c, const char *sql, const char *const *t, int n, int64_t i, int64_t *rows,
               struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, sql, err);
    if (!s)
        return part_failed(err);
    for (int k = 0; k < n; k++)
        db_bind_text(s, k + 1, t[k]);
    if (i >= 0)
        db_bind_int(s, n + 1, i);
    int64_t r = db_run(s, err);
    if (rows)
        *rows = r;
    return part_ran(r);
}

static int vote_write(struct db_conn *c, void *arg, struct pc_err *err)
{
    struct vote_job *v = arg;
    struct poll_row p;
    int rc = db_xact_lock_shared(c, PART_LOCK_POLLS, err);
    if (!rc)
        rc = read_poll(c, v, &p, err);
    if (!rc)
        rc = check_poll(c, v, &p, err);
    if (rc)
        return rc;
    /* the audit entry first: its lock is then the first each vote of a
     * batch waits for, so two batches never wait for each other's rows */
    struct audit_entry e = part_audit(v->who, v->role, "poll.vote", "poll", v->poll, v->ip, NULL);
    int64_t seq = audit_append(c, &e, err);
    if (seq < 0)
        return (int)seq;
    const char *fin = v->who->fin;
    int64_t added = 0;
    /* DO NOTHING rather than an error: a transaction may go on after it */
    rc = run(c, "INSERT INTO poll_voters(poll_id, fin, voted_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
             (const char *[]){v->poll, fin}, 2, v->now, &added, err);
    if (rc)
        return rc;
    struct part_receipt *out = v->out;
    out->at = v->now;
    if (added == 0 && !p.changeable)
        return refuse(v, PART_REFUSAL_ALREADY_VOTED, PC_ECONFLICT, "you have voted in this poll already", err);
    if (p.changeable)
        keyed_ballot(p.key, fin, out->ballot);
    else
        part_new_id(out->ballot, PART_RECEIPT_LEN / 2);
    if (added == 1)
        return run(c, "INSERT INTO poll_ballots(poll_id, ballot, option_id) VALUES (?, ?, ?)",
                   (const char *[]){v->poll, out->ballot, v->option}, 3, -1, NULL, err);
    out->replaced = true;
    rc = run(c, "UPDATE poll_voters SET changes = changes + 1 WHERE poll_id = ? AND fin = ?",
             (const char *[]){v->poll, fin}, 2, -1, NULL, err);
    if (!rc)
        rc = run(c, "UPDATE poll_ballots SET option_id = ? WHERE poll_id = ? AND ballot = ?",
                 (const char *[]){v->option, v->poll, out->ballot}, 3, -1, NULL, err);
    return rc;
}

int part_vote(struct db *db, const struct id_principal *who, const char *poll, const char *option, const char *ip,
              struct part_receipt *out, enum part_refusal *why, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    *why = PART_REFUSAL_NONE;
    int role = id_authorize_role(who, ID_ACT_VOTE, NULL);
    if (role < 0) {
        *why = PART_REFUSAL_NOT_ALLOWED;
        return pc_err_set(err, PC_EDENIED, "a person votes from their own citizen account");
    }
    if (!poll || !option || strlen(option) > 8) {
        *why = PART_REFUSAL_BAD_OPTION;
        return pc_err_set(err, PC_EINVAL, "no such option in this poll");
    }
    struct vote_job v = {.who = who, .role = role, .poll = poll, .option = option, .ip = ip, .now = pc_now_unix(),
                         .out = out};
    int rc = db_commit_group(db, part_vote_committer(db), vote_write, &v, err);
    *why = rc ? v.why : PART_REFUSAL_NONE;
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int part_voted(struct db *db, const char *poll, const char *fin, bool *voted, struct pc_err *err)
{
    return part_exists(db, "SELECT 1 FROM poll_voters WHERE poll_id = ? AND fin = ?", poll, fin, voted, err);
}

int part_ballot_counted(struct db *db, const char *poll, const char *ballot, bool *counted, struct pc_err *err)
{
    return part_exists(db, "SELECT 1 FROM poll_ballots WHERE poll_id = ? AND ballot = ?", poll, ballot, counted, err);
}

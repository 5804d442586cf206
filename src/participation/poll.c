/* poll.c — polls: creating one (question and options in every language,
 * an opening and a closing time, who may vote, secret or public results,
 * whether a vote may be changed), reading and listing them, and ending
 * one early.  Voting is in vote.c, the count in tally.c. */
#include "internal.h"
#include "../catalog/catalog.h"

#include <stdio.h>
#include <string.h>

#define POLL_COLUMNS "id, agency_id, question_az, question_en, question_ru, opens_at, closes_at, secret, " \
                     "changeable, min_age, max_age, district, counted, created_at"

static const char *const state_names[] = {"upcoming", "open", "closed", "counted"};

const char *part_poll_state_name(enum part_poll_state s)
{
    return (unsigned)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "unknown";
}

enum part_poll_state part_poll_state(const struct part_poll *p, int64_t now)
{
    if (p->counted)
        return PART_POLL_COUNTED;
    if (now < p->opens_at)
        return PART_POLL_UPCOMING;
    return now < p->closes_at ? PART_POLL_OPEN : PART_POLL_CLOSED;
}

static int check_new(struct db *db, struct pc_arena *a, const struct part_poll_new *p, int64_t now,
                     struct pc_err *err)
{
    int rc = part_text_check(&p->question, PART_QUESTION_MAX, true, "the question", err);
    if (rc)
        return rc;
    if (p->noptions < PART_OPTIONS_MIN || p->noptions > PART_OPTIONS_MAX)
        return pc_err_set(err, PC_EINVAL, "a poll has %d to %d options", PART_OPTIONS_MIN, PART_OPTIONS_MAX);
    for (size_t i = 0; i < p->noptions; i++) {
        char what[32];
        snprintf(what, sizeof what, "option %zu", i + 1);
        if ((rc = part_text_check(&p->options[i], PART_LABEL_MAX, false, what, err)))
            return rc;
    }
    if (p->opens_at < now - 300)
        return pc_err_set(err, PC_EINVAL, "opens_at is in the past");
    if (p->closes_at <= p->opens_at || p->closes_at <= now)
        return pc_err_set(err, PC_EINVAL, "closes_at must be after opens_at and in the future");
    if (p->closes_at - p->opens_at > (int64_t)PART_POLL_MAX_DAYS * 86400)
        return pc_err_set(err, PC_EINVAL, "a poll is open at most %d days", PART_POLL_MAX_DAYS);
    if ((rc = id_group_check(&p->group, err)))
        return rc;
    struct cat_agency ag;
    if (p->agency_id && (rc = cat_get_agency(db, a, p->agency_id, &ag, err)))
        return rc == PC_ENOTFOUND ? pc_err_set(err, PC_EINVAL, "no agency \"%s\"", p->agency_id) : rc;
    return 0;
}

static int insert_poll(struct db_conn *c, const char *id, const struct id_principal *who, const struct part_poll_new *p,
                       int64_t now, struct pc_err *err)
{
    char key[65] = "";
    if (p->changeable)
        part_new_id(key, 32);
    struct db_stmt *s = db_prepare(c, "INSERT INTO polls(id, agency_id, question_az, question_en, question_ru, opens_at,"
                                      " closes_at, secret, changeable, min_age, max_age, district, ballot_key,"
                                      " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   err);
    if (!s)
        return part_failed(err);
    db_bind_text(s, 1, id);
    if (p->agency_id)
        db_bind_text(s, 2, p->agency_id);
    else
        db_bind_null(s, 2);
    part_text_bind(s, 3, &p->question);
    db_bind_int(s, 6, p->opens_at);
    db_bind_int(s, 7, p->closes_at);
    db_bind_int(s, 8, p->secret);
    db_bind_int(s, 9, p->changeable);
    db_bind_int(s, 10, p->group.min_age);
    db_bind_int(s, 11, p->group.max_age);
    if (p->group.district)
        db_bind_text(s, 12, p->group.district);
    else
        db_bind_null(s, 12);
    if (*key)
        db_bind_text(s, 13, key);
    else
        db_bind_null(s, 13);
    db_bind_text(s, 14, who->account_id);
    db_bind_int(s, 15, now);
    int rc = part_ran(db_run(s, err));
    for (size_t i = 0; !rc && i < p->noptions; i++) {
        s = db_prepare(c, "INSERT INTO poll_options(poll_id, id, position, label_az, label_en, label_ru)"
                          " VALUES (?, ?, ?, ?, ?, ?)", err);
        if (!s)
            return part_failed(err);
        char oid[24];
        snprintf(oid, sizeof oid, "%zu", i + 1);
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, oid);
        db_bind_int(s, 3, (int64_t)i);
        part_text_bind(s, 4, &p->options[i]);
        rc = part_ran(db_run(s, err));
    }
    return rc;
}

int part_poll_create(struct db *db, const struct id_principal *who, const struct part_poll_new *p, const char *ip,
                     struct pc_arena *a, const char **id, struct pc_err *err)
{
    struct id_resource res = {.agency_id = p->agency_id};
    int role = id_authorize_role(who, ID_ACT_MANAGE_POLLS, &res);
    if (role < 0)
        return pc_err_set(err, PC_EDENIED, "only operators, or an agency's administrators for it, make polls");
    int64_t now = pc_now_unix();
    int rc = check_new(db, a, p, now, err);
    if (rc)
        return rc;
    char *pid = pc_arena_alloc(a, 17);
    part_new_id(pid, 8);
    struct db_conn *c;
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    rc = insert_poll(c, pid, who, p, now, err);
    struct audit_entry e = part_audit(who, role, "poll.create", "poll", pid, ip, NULL);
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    *id = pid;
    return 0;
}

static void read_poll(struct pc_arena *a, struct db_stmt *s, struct part_poll *p)
{
    memset(p, 0, sizeof *p);
    p->id = pc_arena_strdup(a, db_col_text(s, 0));
    p->agency_id = pc_arena_strdup(a, db_col_text(s, 1));
    part_text_read(a, s, 2, &p->question);
    p->opens_at = db_col_int(s, 5);
    p->closes_at = db_col_int(s, 6);
    p->secret = db_col_int(s, 7) != 0;
    p->changeable = db_col_int(s, 8) != 0;
    p->group.min_age = (int)db_col_int(s, 9);
    p->group.max_age = (int)db_col_int(s, 10);
    p->group.district = pc_arena_strdup(a, db_col_text(s, 11));
    p->counted = db_col_int(s, 12) != 0;
    p->created_at = db_col_int(s, 13);
}

static int read_options(struct db_conn *c, struct pc_arena *a, struct part_poll *p, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT id, label_az, label_en, label_ru FROM poll_options WHERE poll_id = ?"
                                      " ORDER BY position", err);
    if (!s)
        return part_failed(err);
    db_bind_text(s, 1, p->id);
    p->options = pc_arena_array(a, PART_OPTIONS_MAX, sizeof *p->options);
    p->noptions = 0;
    int rc;
    while ((rc = db_step(s, err)) == 1 && p->noptions < PART_OPTIONS_MAX) {
        struct part_option *o = &p->options[p->noptions++];
        o->id = pc_arena_strdup(a, db_col_text(s, 0));
        part_text_read(a, s, 1, &o->label);
    }
    return rc < 0 ? rc : 0;
}

int part_poll_get(struct db *db, struct pc_arena *a, const char *id, struct part_poll *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " POLL_COLUMNS " FROM polls WHERE id = ?", err) : NULL;
    if (!s)
        return part_failed(err);
    db_bind_text(s, 1, id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no poll \"%s\"", id);
    read_poll(a, s, out);
    return read_options(c, a, out, err);
}

int part_poll_list(struct db *db, struct pc_arena *a, int64_t now, int recent_days, struct part_poll **out,
                   size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, PART_LIST_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " POLL_COLUMNS " FROM polls WHERE closes_at > ? AND opens_at <= ?"
                                          " ORDER BY closes_at, id LIMIT ?", err) : NULL;
    if (!s)
        return part_failed(err);
    db_bind_int(s, 1, now - (int64_t)recent_days * 86400);
    db_bind_int(s, 2, now);
    db_bind_int(s, 3, PART_LIST_MAX);
    int rc;
    while ((rc = db_step(s, err)) == 1)
        read_poll(a, s, &(*out)[(*n)++]);
    for (size_t i = 0; rc == 0 && i < *n; i++)
        rc = read_options(c, a, &(*out)[i], err);
    return rc < 0 ? rc : 0;
}

int part_poll_close_now(struct db *db, const struct id_principal *who, const char *id, const char *ip,
                        struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct part_poll p;
    int rc = part_poll_get(db, &a, id, &p, err);
    struct id_resource res = {.agency_id = rc == 0 ? p.agency_id : NULL};
    int role = rc ? -1 : id_authorize_role(who, ID_ACT_MANAGE_POLLS, &res);
    if (!rc && role < 0)
        rc = pc_err_set(err, PC_EDENIED, "only operators, or the poll's agency administrators, end a poll");
    struct db_conn *c = NULL;
    if (!rc)
        rc = audit_begin(db, &c, err);
    if (!rc) {
        int64_t now = pc_now_unix();
        struct db_stmt *s = db_prepare(c, "UPDATE polls SET closes_at = ?, opens_at = CASE WHEN opens_at > ? THEN ?"
                                          " ELSE opens_at END WHERE id = ? AND closes_at > ? AND counted = 0", err);
        if (!s) {
            rc = part_failed(err);
        } else {
            db_bind_int(s, 1, now);
            db_bind_int(s, 2, now);
            db_bind_int(s, 3, now);
            db_bind_text(s, 4, id);
            db_bind_int(s, 5, now);
            int64_t changed = db_run(s, err);
            rc = changed == 1 ? 0 : changed == 0 ? pc_err_set(err, PC_ECONFLICT, "the poll has closed already")
                                                  : (int)changed;
        }
        struct audit_entry e = part_audit(who, role, "poll.close", "poll", id, ip, "closed early");
        rc = audit_end(c, rc, &e, err);
    }
    pc_arena_release(&a);
    return rc;
}

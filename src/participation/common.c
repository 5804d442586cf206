/* common.c — what the files of the module share: the module's state in
 * its db slot (the committer votes share), random ids, checking and
 * storing texts in every language, audit entries, the service's agency. */
#include "internal.h"
#include "../catalog/catalog.h"

#include <stdlib.h>
#include <string.h>

struct part_state {
    struct db_committer votes;
};

static void *state_make(struct db *db)
{
    (void)db;
    struct part_state *s = calloc(1, sizeof *s);
    if (!s)
        pc_oom(sizeof *s);
    db_committer_init(&s->votes);
    return s;
}

static void state_free(void *p)
{
    struct part_state *s = p;
    db_committer_release(&s->votes);
    free(s);
}

struct db_committer *part_vote_committer(struct db *db)
{
    struct part_state *s = db_slot(db, PART_DB_SLOT, state_make, state_free);
    return &s->votes;
}

void part_new_id(char *out, size_t n)
{
    if (pc_random_hex(out, n))
        abort(); /* no randomness: nothing this module makes would be safe */
}

int part_string_check(const char *s, size_t max, bool multiline, bool optional, const char *what,
                      struct pc_err *err)
{
    if (!s || !*s)
        return optional ? 0 : pc_err_set(err, PC_EINVAL, "%s is required", what);
    size_t n = strlen(s);
    if (n > max)
        return pc_err_set(err, PC_EINVAL, "%s is longer than %zu bytes", what, max);
    if (!pc_utf8_valid(s, n))
        return pc_err_set(err, PC_EINVAL, "%s is not valid UTF-8", what);
    bool blank = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && !(multiline && (ch == '\n' || ch == '\r' || ch == '\t'))) || ch == 0x7f)
            return pc_err_set(err, PC_EINVAL, "%s contains a control character", what);
        blank = blank && (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t');
    }
    if (blank)
        return optional ? 0 : pc_err_set(err, PC_EINVAL, "%s is required", what);
    return 0;
}

int part_text_check(const struct pc_text *t, size_t max, bool multiline, const char *what, struct pc_err *err)
{
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        char name[96];
        snprintf(name, sizeof name, "%s (%s)", what, pc_lang_code((enum pc_lang)l));
        int rc = part_string_check(t->s[l], max, multiline, false, name, err);
        if (rc)
            return rc;
    }
    return 0;
}

void part_text_bind(struct db_stmt *s, int idx, const struct pc_text *t)
{
    for (int l = 0; l < PC_LANG_COUNT; l++)
        db_bind_text(s, idx + l, t->s[l]);
}

void part_text_read(struct pc_arena *a, struct db_stmt *s, int col, struct pc_text *out)
{
    for (int l = 0; l < PC_LANG_COUNT; l++)
        out->s[l] = pc_arena_strdup(a, db_col_text(s, col + l));
}

struct audit_entry part_audit(const struct id_principal *who, int role, const char *action, const char *object_type,
                              const char *object_id, const char *ip, const char *detail)
{
    return (struct audit_entry){.actor = who ? who->account_id : "system",
                                .role = who && role >= 0 ? id_role_name((enum id_role)role) : "system",
                                .action = action,
                                .object_type = object_type, .object_id = object_id, .ip = ip ? ip : "",
                                .detail = detail ? detail : ""};
}

int part_service_agency(struct db *db, struct pc_arena *a, const char *service, const char **agency,
                        struct pc_err *err)
{
    struct cat_service s;
    if (!service || !*service)
        return pc_err_set(err, PC_EINVAL, "a service is required");
    int rc = cat_get_service(db, a, service, &s, err);
    if (rc)
        return rc;
    *agency = s.agency_id;
    return 0;
}

void part_day(int64_t t, char out[11])
{
    char ts[21];
    pc_rfc3339(t, ts);
    memcpy(out, ts, 10);
    out[10] = 0;
}

int part_exists(struct db *db, const char *sql, const char *a1, const char *a2, bool *yes, struct pc_err *err)
{
    *yes = false;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, sql, err) : NULL;
    if (!s)
        return part_failed(err);
    db_bind_text(s, 1, a1);
    db_bind_text(s, 2, a2);
    int rc = db_step(s, err);
    *yes = rc == 1;
    return rc < 0 ? rc : 0;
}

/* outbox.c — writing messages to the outbox and listing them. */
#include "notify.h"

#include <string.h>

int notify_enqueue(struct db_conn *c, const char *channel, const char *recipient, const char *template_id,
                   const char *lang, const char *payload_json, struct pc_err *err)
{
    char id[33];
    if (pc_random_hex(id, 16))
        return pc_err_set(err, PC_EIO, "no randomness");
    int64_t now = pc_now_unix();
    struct db_stmt *s = db_prepare(c, "INSERT INTO outbox(id, created_at, channel, recipient, template, lang, payload,"
                                      " status, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'created', 0, ?)", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, id);
    db_bind_int(s, 2, now);
    db_bind_text(s, 3, channel);
    db_bind_text(s, 4, recipient);
    db_bind_text(s, 5, template_id);
    db_bind_text(s, 6, lang);
    db_bind_text(s, 7, payload_json);
    db_bind_int(s, 8, now);
    return db_run(s, err) < 0 ? PC_EIO : 0;
}

int notify_list_recent(struct db *db, struct pc_arena *a, size_t max, struct notify_message **out, size_t *n,
                       struct pc_err *err)
{
    *n = 0;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT id, channel, recipient, template, lang, payload, status, created_at,"
                                          " attempts FROM outbox ORDER BY created_at DESC, id LIMIT ?", err) : NULL;
    if (!s)
        return PC_EIO;
    db_bind_int(s, 1, (int64_t)max);
    *out = pc_arena_alloc(a, (max + 1) * sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < max) {
        struct notify_message *m = &(*out)[(*n)++];
        m->id = pc_arena_strdup(a, db_col_text(s, 0));
        m->channel = pc_arena_strdup(a, db_col_text(s, 1));
        m->recipient = pc_arena_strdup(a, db_col_text(s, 2));
        m->template_id = pc_arena_strdup(a, db_col_text(s, 3));
        m->lang = pc_arena_strdup(a, db_col_text(s, 4));
        m->payload = pc_arena_strdup(a, db_col_text(s, 5));
        m->status = pc_arena_strdup(a, db_col_text(s, 6));
        m->created_at = db_col_int(s, 7);
        m->attempts = (int)db_col_int(s, 8);
    }
    return rc < 0 ? rc : 0;
}

const char *notify_mask(struct pc_arena *a, const char *recipient, size_t keep)
{
    size_t n = recipient ? strlen(recipient) : 0;
    if (n <= keep)
        return pc_arena_strdup(a, recipient ? recipient : "");
    char *out = pc_arena_alloc(a, n + 1);
    const char *at = strchr(recipient, '@');
    for (size_t i = 0; i < n; i++) {
        bool visible = at ? (recipient + i >= at || i == 0) : (i >= n - keep || i < 4);
        out[i] = visible ? recipient[i] : '*';
    }
    return out;
}

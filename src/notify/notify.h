/*
 * notify.h — the outbox: every message to a person (SMS, e-mail) is first
 * a row written in the same transaction as the change that causes it, so
 * a message is never sent for a change that rolled back and never lost
 * for one that committed.  Delivery (SMTP, the SMS gateway, retries with
 * back-off under a lease) reads the same table.
 */
#ifndef PC_NOTIFY_H
#define PC_NOTIFY_H

#include "../base/base.h"
#include "../db/db.h"

/* Queue a message inside the caller's transaction.  payload is a JSON
 * object with the template's values.  channel: "sms" or "email". */
int notify_enqueue(struct db_conn *c, const char *channel, const char *recipient, const char *template_id,
                   const char *lang, const char *payload_json, struct pc_err *err);

struct notify_message {
    const char *id, *channel, *recipient, *template_id, *lang, *payload, *status;
    int64_t created_at;
    int attempts;
};

/* The newest messages (for the operator's screen), at most max. */
int notify_list_recent(struct db *db, struct pc_arena *a, size_t max, struct notify_message **out, size_t *n,
                       struct pc_err *err);

/* Hide all but the last `keep` characters of a phone or e-mail. */
const char *notify_mask(struct pc_arena *a, const char *recipient, size_t keep);

#endif

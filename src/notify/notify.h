/*
 * notify.h — the outbox: every message to a person (SMS, e-mail) is first
 * a row written in the same transaction as the change that causes it, so
 * a message is never sent for a change that rolled back and never lost
 * for one that committed.  Delivery (SMTP, the SMS gateway, retries with
 * back-off under a lease) reads the same table.
 *
 * A row moves   created ──► sending ──► delivered
 *                  ▲           │ ├────► failed   (permanent error, or too
 *                  │           ▼ │                many attempts)
 *                  └──────── retry ◄── (temporary error; next_attempt_at
 *                                       pushed back exponentially)
 * Only the node holding the "notify" lease (table leases) moves rows out
 * of created/retry, so one node sends at a time; see worker.c.
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

/* ---- templates --------------------------------------------------------
 * Templates (templates.c) and their payload fields:
 *   one-time-code          code, minutes, purpose (activate | reset)
 *   application-submitted  reference, service (the service's name in the
 *                          message's language)
 *   status-changed         reference, status (the case's state in words, in
 *                          the message's language)
 *   more-info-requested    reference, message (the officer's words; optional)
 *   decided                reference, outcome (approved | refused), reason
 *                          (optional)
 *   result-ready           reference
 *   social-grant           kind (extended | ended), reference; extended:
 *                          amount (AZN), until (YYYY-MM)
 * Languages: az, en, ru; anything else is rendered in az. */
struct notify_text {
    const char *lang;      /* the language actually used */
    const char *sms;       /* the SMS text */
    const char *subject;   /* e-mail subject, one line */
    const char *body;      /* e-mail body, plain UTF-8 text, '\n' line ends */
};

/* Render a template with a JSON payload into arena memory.  PC_ENOTFOUND
 * for an unknown template (or a variant the payload selects that does not
 * exist), PC_EINVAL when the payload lacks a value or is not valid JSON. */
int notify_render(struct pc_arena *a, const char *template_id, const char *lang, const char *payload_json,
                  struct notify_text *out, struct pc_err *err);

/* ---- delivery ---------------------------------------------------------- */

struct notify_config {
    const char *smtp_url;           /* smtp://host[:port] or smtps://…; NULL: e-mail stays queued */
    const char *smtp_user;          /* optional login */
    const char *smtp_password_file; /* the password, read at start (never from the command line) */
    const char *mail_from;          /* "addr@domain" or "Name <addr@domain>"; needed with smtp_url */
    const char *sms_url;            /* http(s):// gateway taking JSON {to, text, id}; NULL: SMS stays queued */
    const char *sms_token_file;     /* bearer token for the gateway, read at start */
    int interval_ms;                /* how often to look for due messages (2000) */
    int retry_base_secs;            /* first back-off; doubled per attempt (30) */
    int retry_max_secs;             /* back-off cap (3600) */
    int max_attempts;               /* then failed (8) */
    int lease_secs;                 /* a holder that stops renewing loses the lease after this (30) */
};

void notify_config_defaults(struct notify_config *cfg);
/* Whether any channel is configured (otherwise no worker is started). */
bool notify_config_enabled(const struct notify_config *cfg);
/* Check the configuration without touching files or the network. */
int notify_config_check(const struct notify_config *cfg, struct pc_err *err);

/* Start the delivery thread (reads the secret files first).  Call after
 * the stop signals are blocked, so the thread never receives them. */
struct notify_worker;
struct notify_worker *notify_worker_start(struct db *db, const struct notify_config *cfg, struct pc_err *err);
/* Ask the worker to stop (returns at once); notify_worker_stop waits: the
 * message in hand is finished and recorded, messages claimed but not yet
 * sent go back to the queue, the lease is released. */
void notify_worker_request_stop(struct notify_worker *w);
void notify_worker_stop(struct notify_worker *w);

/* Process-wide delivery counters (also logged as notify.stats). */
struct notify_stats {
    uint64_t delivered, retried, failed;
};
void notify_stats_get(struct notify_stats *out);
/* Append Prometheus metrics: the outbox by channel and status (queued =
 * created + retry, sending, delivered, failed) and this process's delivery
 * counters.  Reads the outbox (one grouped query). */
void notify_metrics_write(struct db *db, struct pc_buf *out);

#endif

/* internal.h — what the files of src/notify share with each other and with
 * tests/unit/test_notify.c.  Not for other modules. */
#ifndef PC_NOTIFY_INTERNAL_H
#define PC_NOTIFY_INTERNAL_H

#include "notify.h"

#define NT_LEASE_NAME "notify"
#define NT_BATCH 10                /* messages claimed at a time */
#define NT_VALUE_MAX 4000          /* bytes of one payload value used in a text */

/* ---- templates (templates.c) ---------------------------------------- */

struct nt_template {
    const char *id;
    const char *when;              /* NULL, or "field=value": the row applies only then */
    const char *sample;            /* a payload that renders the row (tests, docs) */
    const char *sms[PC_LANG_COUNT];      /* by enum pc_lang */
    const char *subject[PC_LANG_COUNT];
    const char *body[PC_LANG_COUNT];
};

size_t nt_template_count(void);
const struct nt_template *nt_template_at(size_t i);
/* How many SMS parts the text takes: GSM 03.38 (160, or 153 per part)
 * when every character has a GSM-7 code, else UCS-2 (70, or 67 per part).
 * *ucs2 (if not NULL) tells which; *units the length in that alphabet. */
int nt_sms_parts(const char *text, bool *ucs2, size_t *units);

/* ---- e-mail (mime.c) -------------------------------------------------- */

struct nt_mail {
    const char *from;              /* "addr" or "Name <addr>" */
    const char *to;                /* a bare address */
    const char *subject;           /* UTF-8, one line */
    const char *body;              /* UTF-8, '\n' line ends */
    const char *lang;              /* Content-Language */
    const char *message_id;        /* without angle brackets */
    int64_t date;                  /* unix seconds */
};

/* The whole message (headers and quoted-printable body), CRLF line ends,
 * no line longer than 78 characters. */
int nt_mime_build(const struct nt_mail *m, struct pc_buf *out);
/* Base64 (RFC 4648 with padding) and quoted-printable (RFC 2045; lines of
 * at most 76 characters, CRLF for every '\n', '.' at a line start encoded
 * for SMTP's sake). */
void nt_base64(struct pc_buf *out, const void *p, size_t n);
void nt_qp_encode(struct pc_buf *out, const char *s, size_t n);
/* RFC 5322 date in UTC, e.g. "Mon, 23 Nov 2026 10:00:00 +0000", into out[32]. */
void nt_rfc5322_date(int64_t t, char out[32]);
/* Split a sender "Name <addr>" or "addr": *addr gets the address (arena),
 * *name the display name or NULL.  PC_EINVAL for anything else. */
int nt_parse_mailbox(struct pc_arena *a, const char *s, const char **name, const char **addr);
/* A plain addr-spec without spaces, controls, quotes or angle brackets,
 * one '@' with text on both sides. */
bool nt_address_ok(const char *s);

/* ---- sending (send.c) ------------------------------------------------- */

enum nt_outcome { NT_DELIVERED, NT_TEMPORARY, NT_PERMANENT };

struct nt_result {
    enum nt_outcome outcome;
    char error[240];               /* why, for last_error and the log */
};

/* What an SMS gateway's HTTP status means: 2xx delivered; 408, 425, 429,
 * 401, 403 and 5xx temporary (retry); other 4xx and anything else
 * permanent. */
enum nt_outcome nt_http_outcome(long status);
/* The JSON body sent to the gateway. */
void nt_sms_json(struct pc_buf *out, const char *to, const char *text, const char *id);

struct nt_sender;
/* smtp_password / sms_token may be NULL; they are copied. */
struct nt_sender *nt_sender_new(const struct notify_config *cfg, const char *smtp_password, const char *sms_token,
                                struct pc_err *err);
void nt_sender_free(struct nt_sender *s);
void nt_send_sms(struct nt_sender *s, const char *to, const char *text, const char *id, struct nt_result *r);
void nt_send_mail(struct nt_sender *s, const struct nt_mail *m, struct nt_result *r);
/* Seconds a single send may take at most (connect + transfer). */
int nt_send_timeout_ms(const struct notify_config *cfg);

/* ---- the queue in the database (queue.c) ---------------------------- */

struct nt_item {
    char *id, *channel, *recipient, *template_id, *lang, *payload;
    int attempts;                  /* including the one just claimed */
};

/* Return rows left in `sending` to `retry`, or to `failed` when they have
 * had max_attempts: all of them (holder "" or NULL: a new holder taking
 * over from a dead one), or only holder's own (a holder whose database
 * went away mid-batch and came back).  Returns the number of rows. */
int64_t nt_recover(struct db_conn *c, int64_t now, int max_attempts, const char *holder, struct pc_err *err);

/* How many messages of each channel are in each status (for /metrics). */
struct nt_count {
    char channel[16], status[16];
    int64_t count;
};
int nt_counts(struct db_conn *c, struct nt_count *out, size_t max, size_t *n, struct pc_err *err);
/* Under a still-valid lease: renew it and move up to max due rows of the
 * given channels (NULL = not configured) to `sending`, attempts + 1.
 * Returns the number claimed (items in arena a), 0 when none or when the
 * lease is lost (*lost set), < 0 on error. */
int nt_claim(struct db_conn *c, struct pc_arena *a, const char *holder, int64_t now, int ttl, const char *ch1,
             const char *ch2, int max, struct nt_item *out, bool *lost, struct pc_err *err);
/* Record outcomes.  Delivered is recorded whatever the row's state (the
 * message did go out); retry/failed/unclaim only while the row is still
 * this holder's claim.  new_payload (may be NULL: unchanged) replaces the
 * payload, e.g. with secrets removed. */
int nt_mark_delivered(struct db_conn *c, const char *id, int64_t now, const char *new_payload, struct pc_err *err);
int nt_mark_retry(struct db_conn *c, const char *id, const char *holder, int64_t next, const char *error,
                  struct pc_err *err);
int nt_mark_failed(struct db_conn *c, const char *id, const char *holder, int64_t now, const char *error,
                   const char *new_payload, struct pc_err *err);
/* Give a claimed but unsent message back (attempts - 1, due now). */
int nt_unclaim(struct db_conn *c, const char *id, const char *holder, int64_t now, struct pc_err *err);

/* ---- policy (worker.c) ---------------------------------------------- */

/* Delay before attempt attempts + 1 after attempts failures:
 * base × 2^(attempts − 1), at most cap, plus up to a fifth more from
 * `random` (any 32-bit value). */
int64_t nt_backoff_secs(int attempts, int base, int cap, uint32_t random);
/* The payload with the one-time code removed (delivered or failed codes
 * need not stay readable); NULL when there is nothing to remove.
 * Caller frees. */
char *nt_redact_payload(const char *payload);

#endif

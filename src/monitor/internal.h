/* internal.h — shared inside src/monitor only. */
#ifndef PC_MONITOR_INTERNAL_H
#define PC_MONITOR_INTERNAL_H

#include "monitor.h"

#include "../audit/audit.h"

#include <jansson.h>

/* Every way a questionnaire breaks the methodology's rules, each told to
 * issue(ctx, question id, what is wrong); model 0 when not development,
 * paid only for transparency.  Returns the number of issues. */
typedef void (*mon_issue_fn)(void *ctx, const char *question, const char *what);
int mon__check(const struct mon_answers *a, int model, bool paid, mon_issue_fn issue, void *ctx);

/* A JSON value as an answer: 1, 0, null, or a share string "63%". */
int mon__answer_json(const json_t *v, struct mon_answer *out, struct pc_err *err);

/* Read a questionnaire object {"id": value, …} into out (criterion c):
 * unknown ids and bad values are told to issue. */
void mon__answers_json(const json_t *o, enum mon_criterion c, struct mon_answers *out, mon_issue_fn issue,
                       void *ctx);

/* A CSV line split into at most max fields (RFC 4180 quotes; fields point
 * into a copy in a).  Returns the number of fields, or -1 for a quote
 * left open or more than max fields. */
int mon__csv_fields(struct pc_arena *a, const char *line, size_t n, const char **out, int max);
/* Append s as a CSV field (quoted when it needs to be). */
void mon__csv_put(struct pc_buf *b, const char *s);

/* A period as the aggregate tables answer it: the whole months inside it
 * from a month table, the days before the first and after the last whole
 * month from a day table (usage.c, visits.c). */
struct mon__parts {
    char head_from[11], head_to[11];         /* days; empty: none */
    char month_from[8], month_to[8];         /* whole months; empty: none */
    char tail_from[11], tail_to[11];
};
void mon__period_split(const struct mon_period *p, struct mon__parts *o);

/* ---- shared by the portal's records (campaign.c, approved.c, visits.c) ---- */

struct id_principal;
struct audit_entry;
/* A random id of 16 hex digits in a. */
char *mon__new_id(struct pc_arena *a);
/* A text a person typed: present when required, at most max bytes, no
 * control characters (newlines and tabs allowed when multiline). */
int mon__text_check(const char *s, size_t max, bool required, bool multiline, const char *what, struct pc_err *err);
/* db_run's count as a code: 0, or the negative code. */
int mon__ran(int64_t n);
/* The audit entry of a change by who, acting in role. */
struct audit_entry mon__audit(const struct id_principal *who, int role, const char *action, const char *type,
                              const char *id, const char *ip, const char *detail);

/* Add visits.c's counts in memory to its tables (as mon_usage_flush). */
int mon__visits_flush(struct db *db, int64_t now, bool force, struct pc_err *err);

#endif

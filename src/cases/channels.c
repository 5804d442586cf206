/* channels.c — how applications arrive (web, api, kiosk, paper): the
 * channel's names, the services a post-office kiosk offers, the origin of
 * a submission, and the counts per month, district and channel that the
 * monitoring pages show (kept as submissions happen, so reading them
 * costs one small query on either backend). */
#include "internal.h"

#include <string.h>

static const char *const channel_names[CASE_CH_COUNT] = {
    [CASE_CH_WEB] = "web", [CASE_CH_API] = "api", [CASE_CH_KIOSK] = "kiosk", [CASE_CH_PAPER] = "paper",
    [CASE_CH_ANONYMOUS] = "anonymous",
};

const char *case_channel_name(enum case_channel c)
{
    return (unsigned)c < CASE_CH_COUNT ? channel_names[c] : "web";
}

int case_channel_parse(const char *name)
{
    for (int i = 0; i < CASE_CH_COUNT; i++)
        if (pc_str_eq(name, channel_names[i]))
            return i;
    return -1;
}

/* The services offered at the kiosks of post offices (issue 17: targeted
 * social assistance). */
static const char *const kiosk_services[] = {"eesmn-vemtas"};
#define NKIOSK (sizeof kiosk_services / sizeof kiosk_services[0])

const char *case_kiosk_service_at(size_t i)
{
    return i < NKIOSK ? kiosk_services[i] : NULL;
}

bool case_kiosk_offered(const char *service_id)
{
    for (size_t i = 0; i < NKIOSK; i++)
        if (pc_str_eq(service_id, kiosk_services[i]))
            return true;
    return false;
}

struct case_origin case_origin_of(const struct id_principal *who, enum case_channel ch)
{
    if (who && who->auth.kiosk_id)
        return (struct case_origin){.channel = CASE_CH_KIOSK, .district = who->auth.kiosk_district,
                                    .kiosk_id = who->auth.kiosk_id};
    return (struct case_origin){.channel = ch};
}

int case_count_channel(struct db_conn *c, const struct case_origin *o, int64_t now, struct pc_err *err)
{
    char month[21];
    pc_rfc3339(now, month);
    month[7] = 0;
    struct db_stmt *s = db_prepare(c, "INSERT INTO channel_monthly(month, district, channel, count) VALUES (?, ?, ?, 1)"
                                      " ON CONFLICT(month, district, channel) DO UPDATE SET count = channel_monthly.count + 1",
                                   err);
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, month);
    db_bind_text(s, 2, o->district ? o->district : "");
    db_bind_text(s, 3, case_channel_name(o->channel));
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

static bool month_ok(const char *m)
{
    if (!m || strlen(m) != 7 || m[4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (m[i] < '0' || m[i] > '9'))
            return false;
    return (m[5] == '0' && m[6] >= '1') || (m[5] == '1' && m[6] <= '2');
}

int case_channel_counts(struct db *db, struct pc_arena *a, const char *from_month, const char *to_month,
                        struct case_channel_count **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    if (!month_ok(from_month) || !month_ok(to_month))
        return pc_err_set(err, PC_EINVAL, "months are YYYY-MM");
    *out = pc_arena_array(a, CASE_CHANNEL_ROWS_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT month, district, channel, count FROM channel_monthly"
                                          " WHERE month >= ? AND month <= ? ORDER BY month, district, channel LIMIT ?",
                                       err) : NULL;
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, from_month);
    db_bind_text(s, 2, to_month);
    db_bind_int(s, 3, CASE_CHANNEL_ROWS_MAX);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        int ch = case_channel_parse(db_col_text(s, 2));
        if (ch < 0)
            continue; /* a newer node's channel */
        (*out)[(*n)++] = (struct case_channel_count){.month = pc_arena_strdup(a, db_col_text(s, 0)),
                                                     .district = pc_arena_strdup(a, db_col_text(s, 1)),
                                                     .channel = (enum case_channel)ch, .count = db_col_int(s, 3)};
    }
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

/* catalog.c — reading the catalogue: agencies, life situations, services
 * with filters, search and cursor paging.
 *
 * Search works on folded text (pc_fold) with LIKE on both backends: the
 * catalogue has hundreds of rows, so a scan costs microseconds and gives
 * identical answers on SQLite and PostgreSQL.  Each query word must match
 * the start of a word in the name, the description or the agency name.
 * Words of six letters or more also match by their stem (the word less its
 * last three letters, at least five kept) because Azerbaijani adds
 * suffixes: "vəsiqəsi" finds "vəsiqə" and "vəsiqənin".  A name match
 * ranks above a description match; an exact word start above a stem. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TERMS 8

static const char *col(struct pc_arena *a, struct db_stmt *s, int i)
{
    return pc_arena_strdup(a, db_col_text(s, i));
}

static int64_t col_int_or(struct db_stmt *s, int i, int64_t dflt)
{
    return db_col_is_null(s, i) ? dflt : db_col_int(s, i);
}

/* ---- agencies and life events ---------------------------------------- */

#define AGENCY_COLUMNS \
    "a.id, a.name_az, a.name_en, a.name_ru, a.short_az, a.short_en, a.short_ru, a.kind, a.website, " \
    "a.approved_services, a.source, " \
    "(SELECT COUNT(*) FROM services s WHERE s.agency_id = a.id AND s.active = 1)"

static void read_agency(struct pc_arena *a, struct db_stmt *s, struct cat_agency *g)
{
    g->id = col(a, s, 0);
    g->name = (struct pc_text){{col(a, s, 1), col(a, s, 2), col(a, s, 3)}};
    g->shortname = (struct pc_text){{col(a, s, 4), col(a, s, 5), col(a, s, 6)}};
    g->kind = col(a, s, 7);
    g->website = col(a, s, 8);
    g->approved_services = (int)col_int_or(s, 9, -1);
    g->source = col(a, s, 10);
    g->service_count = (int)db_col_int(s, 11);
}

int cat_list_agencies(struct db *db, struct pc_arena *a, struct cat_agency **out, size_t *n, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " AGENCY_COLUMNS " FROM agencies a WHERE a.active = 1 ORDER BY a.name_az", err) : NULL;
    if (!s)
        return PC_EIO;
    size_t cap = 64;
    *n = 0;
    *out = pc_arena_alloc(a, cap * sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if (*n == cap) {
            struct cat_agency *bigger = pc_arena_alloc(a, cap * 2 * sizeof *bigger);
            memcpy(bigger, *out, cap * sizeof *bigger);
            *out = bigger;
            cap *= 2;
        }
        read_agency(a, s, &(*out)[(*n)++]);
    }
    return rc < 0 ? rc : 0;
}

int cat_get_agency(struct db *db, struct pc_arena *a, const char *id, struct cat_agency *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " AGENCY_COLUMNS " FROM agencies a WHERE a.id = ? AND a.active = 1", err) : NULL;
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no agency \"%s\"", id);
    read_agency(a, s, out);
    return 0;
}

int cat_list_life_events(struct db *db, struct pc_arena *a, struct cat_life_event **out, size_t *n, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
        "SELECT e.id, e.name_az, e.name_en, e.name_ru, e.position, "
        "(SELECT COUNT(*) FROM service_life_events le JOIN services s ON s.id = le.service_id "
        " WHERE le.life_event_id = e.id AND s.active = 1) "
        "FROM life_events e WHERE e.active = 1 ORDER BY e.position, e.id", err) : NULL;
    if (!s)
        return PC_EIO;
    size_t cap = 32;
    *n = 0;
    *out = pc_arena_alloc(a, cap * sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if (*n == cap) {
            struct cat_life_event *bigger = pc_arena_alloc(a, cap * 2 * sizeof *bigger);
            memcpy(bigger, *out, cap * sizeof *bigger);
            *out = bigger;
            cap *= 2;
        }
        struct cat_life_event *e = &(*out)[(*n)++];
        e->id = col(a, s, 0);
        e->name = (struct pc_text){{col(a, s, 1), col(a, s, 2), col(a, s, 3)}};
        e->position = (int)db_col_int(s, 4);
        e->service_count = (int)db_col_int(s, 5);
    }
    return rc < 0 ? rc : 0;
}

/* ---- services --------------------------------------------------------- */

#define SERVICE_COLUMNS \
    "s.id, s.agency_id, a.name_az, a.name_en, a.name_ru, s.name_az, s.name_en, s.name_ru, " \
    "s.desc_az, s.desc_en, s.desc_ru, s.for_citizens, s.for_entrepreneurs, s.for_officials, " \
    "s.relations, s.login, s.fee_qepik, s.free, s.deadline_days, s.channels, s.approved_list, " \
    "s.maturity_json, s.source"

/* The stored evaluation (written by the import, so it parses). */
static const struct cat_maturity *load_maturity(struct pc_arena *a, const char *stored)
{
    const struct cat_maturity *m = NULL;
    json_t *j = stored ? json_loads(stored, 0, NULL) : NULL;
    if (j && cat_maturity_parse(a, j, &m, NULL))
        m = NULL;
    json_decref(j);
    return m;
}

static void read_service(struct pc_arena *a, struct db_stmt *s, struct cat_service *v)
{
    v->id = col(a, s, 0);
    v->agency_id = col(a, s, 1);
    v->agency_name = (struct pc_text){{col(a, s, 2), col(a, s, 3), col(a, s, 4)}};
    v->name = (struct pc_text){{col(a, s, 5), col(a, s, 6), col(a, s, 7)}};
    v->description = (struct pc_text){{col(a, s, 8), col(a, s, 9), col(a, s, 10)}};
    v->for_citizens = db_col_int(s, 11) != 0;
    v->for_entrepreneurs = db_col_int(s, 12) != 0;
    v->for_officials = db_col_int(s, 13) != 0;
    v->relations = cat_set_load(&cat_vocab_relation, db_col_text(s, 14));
    int login = cat_login_parse(db_col_text(s, 15));
    v->login = login < 0 ? CAT_LOGIN_E_SIGNATURE : (enum cat_login)login; /* never: the import checked it */
    v->fee_qepik = col_int_or(s, 16, -1);
    v->free = db_col_int(s, 17) != 0;
    v->deadline_days = (int)col_int_or(s, 18, -1);
    v->channels = cat_set_load(&cat_vocab_channel, db_col_text(s, 19));
    v->approved_list = col(a, s, 20);
    v->maturity = load_maturity(a, db_col_text(s, 21));
    v->source = col(a, s, 22);
}

static bool is_slug(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 60)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

int cat_filter_check(const struct cat_filter *f, struct pc_err *err)
{
    if (f->q && strlen(f->q) > CAT_QUERY_MAX)
        return pc_err_set(err, PC_EINVAL, "the search text is longer than %d bytes", CAT_QUERY_MAX);
    if (f->audience && cat_audience_parse(f->audience) < 0)
        return pc_err_set(err, PC_EINVAL, "audience must be citizens, entrepreneurs or officials");
    if (f->login && cat_login_parse(f->login) < 0)
        return pc_err_set(err, PC_EINVAL, "login must be none, code_password or e_signature");
    if (f->agency && !is_slug(f->agency))
        return pc_err_set(err, PC_EINVAL, "agency is not an agency id");
    if (f->life_event && !is_slug(f->life_event))
        return pc_err_set(err, PC_EINVAL, "life_event is not a life-situation id");
    if (f->limit < 1 || f->limit > CAT_PAGE_MAX)
        return pc_err_set(err, PC_EINVAL, "limit must be from 1 to %d", CAT_PAGE_MAX);
    return 0;
}

/* Cursor: base64url of "SCORE:ID" of the last item of the page. */
static const char *make_cursor(struct pc_arena *a, int score, const char *id)
{
    char raw[96];
    int n = snprintf(raw, sizeof raw, "%d:%s", score, id);
    char *out = pc_arena_alloc(a, (size_t)n * 4 / 3 + 8);
    if (out)
        pc_b64url_encode(raw, (size_t)n, out);
    return out;
}

static int parse_cursor(const char *cur, int *score, char id[64])
{
    char raw[96];
    long n = pc_b64url_decode(cur, strlen(cur), raw, sizeof raw - 1);
    if (n <= 0)
        return PC_EINVAL;
    raw[n] = 0;
    char *colon = strchr(raw, ':');
    if (!colon)
        return PC_EINVAL;
    *colon = 0;
    long long sc;
    if (pc_parse_int(raw, 0, 100000, &sc) || !is_slug(colon + 1) || strlen(colon + 1) >= 64)
        return PC_EINVAL;
    *score = (int)sc;
    strcpy(id, colon + 1);
    return 0;
}

struct terms {
    const char *word[MAX_TERMS];  /* "% word%" patterns */
    const char *stem[MAX_TERMS];
    int n;
};

/* Split the folded query into LIKE patterns (fold leaves only letters,
 * digits and single spaces, so no LIKE wildcard can come from outside). */
static int make_terms(struct pc_arena *a, const char *q, struct terms *t)
{
    t->n = 0;
    if (!q)
        return 0;
    struct pc_buf b;
    pc_buf_init(&b, 4 * CAT_QUERY_MAX);
    pc_fold(q, strlen(q), &b);
    const char *p = b.data;
    while (*p && t->n < MAX_TERMS) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        /* count letters, not bytes, for the stem rule */
        size_t letters = 0, cut = len;
        for (size_t i = 0; i < len; i++)
            if (((unsigned char)p[i] & 0xC0) != 0x80)
                letters++;
        if (letters >= 6) {
            size_t keep = letters - 3 < 5 ? 5 : letters - 3, seen = 0;
            for (cut = 0; cut < len; cut++) {
                if (((unsigned char)p[cut] & 0xC0) != 0x80 && seen++ == keep)
                    break;
            }
        }
        t->word[t->n] = pc_arena_printf(a, "%% %.*s%%", (int)len, p);
        t->stem[t->n] = pc_arena_printf(a, "%% %.*s%%", (int)cut, p);
        t->n++;
        p += len;
        if (*p == ' ')
            p++;
    }
    pc_buf_release(&b);
    return 0;
}

int cat_find_services(struct db *db, struct pc_arena *a, const struct cat_filter *f,
                      struct cat_page *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = cat_filter_check(f, err);
    if (rc)
        return rc;
    int after_score = 0;
    char after_id[64] = "";
    if (f->cursor && parse_cursor(f->cursor, &after_score, after_id))
        return pc_err_set(err, PC_EINVAL, "the cursor is not one this server gave out");
    struct terms t;
    make_terms(a, f->q, &t);

    /* The SQL is assembled from fixed fragments only; every value is bound. */
    struct pc_buf where, score;
    pc_buf_init(&where, 8192);
    pc_buf_init(&score, 8192);
    pc_buf_puts(&where, " WHERE s.active = 1");
    if (f->audience)
        pc_buf_printf(&where, " AND s.for_%s = 1", f->audience); /* checked against a fixed set */
    if (f->agency)
        pc_buf_puts(&where, " AND s.agency_id = ?");
    if (f->login)
        pc_buf_puts(&where, " AND s.login = ?");
    if (f->free >= 0)
        pc_buf_puts(&where, " AND s.free = ?");
    if (f->life_event)
        pc_buf_puts(&where, " AND EXISTS (SELECT 1 FROM service_life_events le"
                            " WHERE le.service_id = s.id AND le.life_event_id = ?)");
    for (int i = 0; i < t.n; i++)
        pc_buf_puts(&where, " AND ((' ' || s.name_folded) LIKE ? OR (' ' || s.desc_folded) LIKE ?"
                            " OR (' ' || a.name_folded) LIKE ?)");
    pc_buf_puts(&score, "0");
    for (int i = 0; i < t.n; i++)
        pc_buf_puts(&score, " + CASE WHEN (' ' || s.name_folded) LIKE ? THEN 10"
                            " WHEN (' ' || s.name_folded) LIKE ? THEN 6"
                            " WHEN (' ' || s.desc_folded) LIKE ? THEN 2 ELSE 1 END");

    /* Parameters in textual order: score terms, then the filters. */
    char *list_sql = pc_arena_printf(a,
        "SELECT * FROM (SELECT " SERVICE_COLUMNS ", %s AS score FROM services s"
        " JOIN agencies a ON a.id = s.agency_id%s) t"
        " WHERE (? = 0 OR score < ? OR (score = ? AND id > ?))"
        " ORDER BY score DESC, id LIMIT ?", score.data, where.data);
    char *count_sql = pc_arena_printf(a,
        "SELECT COUNT(*) FROM services s JOIN agencies a ON a.id = s.agency_id%s", where.data);
    pc_buf_release(&where);
    pc_buf_release(&score);
    if (!list_sql || !count_sql)
        return PC_ENOMEM;

    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    for (int pass = 0; pass < 2; pass++) {
        struct db_stmt *s = db_prepare(c, pass == 0 ? count_sql : list_sql, err);
        if (!s)
            return PC_EIO;
        int p = 1;
        if (pass == 1) {
            for (int i = 0; i < t.n; i++) {
                db_bind_text(s, p++, t.word[i]);
                db_bind_text(s, p++, t.stem[i]);
                db_bind_text(s, p++, t.word[i]);
            }
        }
        if (f->agency) db_bind_text(s, p++, f->agency);
        if (f->login) db_bind_text(s, p++, f->login);
        if (f->free >= 0) db_bind_int(s, p++, f->free);
        if (f->life_event) db_bind_text(s, p++, f->life_event);
        for (int i = 0; i < t.n; i++) {
            db_bind_text(s, p++, t.stem[i]);
            db_bind_text(s, p++, t.stem[i]);
            db_bind_text(s, p++, t.stem[i]);
        }
        if (pass == 0) {
            if ((rc = db_step(s, err)) != 1)
                return rc < 0 ? rc : PC_EIO;
            out->total = db_col_int(s, 0);
            continue;
        }
        db_bind_int(s, p++, f->cursor ? 1 : 0);
        db_bind_int(s, p++, after_score);
        db_bind_int(s, p++, after_score);
        db_bind_text(s, p++, after_id);
        db_bind_int(s, p++, f->limit + 1);
        out->items = pc_arena_alloc(a, (size_t)(f->limit + 1) * sizeof *out->items);
        while ((rc = db_step(s, err)) == 1) {
            if ((int)out->n == f->limit) {
                struct cat_service *last = &out->items[out->n - 1];
                out->next = make_cursor(a, last->score, last->id);
                break;
            }
            struct cat_service *v = &out->items[out->n++];
            read_service(a, s, v);
            v->score = (int)db_col_int(s, 23);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

int cat_get_service(struct db *db, struct pc_arena *a, const char *id, struct cat_service *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " SERVICE_COLUMNS " FROM services s"
                                          " JOIN agencies a ON a.id = s.agency_id"
                                          " WHERE s.id = ? AND s.active = 1", err) : NULL;
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no service \"%s\"", id);
    memset(out, 0, sizeof *out);
    read_service(a, s, out);

    s = db_prepare(c, "SELECT name_az, name_en, name_ru FROM service_documents"
                      " WHERE service_id = ? ORDER BY position", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, id);
    size_t cap = 40;
    out->documents = pc_arena_alloc(a, cap * sizeof *out->documents);
    while ((rc = db_step(s, err)) == 1 && out->ndocuments < cap)
        out->documents[out->ndocuments++] = (struct pc_text){{col(a, s, 0), col(a, s, 1), col(a, s, 2)}};
    if (rc < 0)
        return rc;

    s = db_prepare(c, "SELECT life_event_id FROM service_life_events WHERE service_id = ?"
                      " ORDER BY life_event_id", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, id);
    cap = 20;
    out->life_events = pc_arena_alloc(a, cap * sizeof *out->life_events);
    while ((rc = db_step(s, err)) == 1 && out->nlife_events < cap)
        out->life_events[out->nlife_events++] = col(a, s, 0);
    return rc < 0 ? rc : 0;
}

int64_t cat_version(struct db *db, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT version FROM catalog_version WHERE id = 1", err) : NULL;
    if (!s)
        return PC_EIO;
    int rc = db_step(s, err);
    int64_t v = rc == 1 ? db_col_int(s, 0) : PC_EIO;
    db_conn_idle(c);
    return v;
}

int64_t cat_count_services(struct db *db, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT COUNT(*) FROM services", err) : NULL;
    if (!s)
        return PC_EIO;
    int rc = db_step(s, err);
    if (rc != 1)
        return rc < 0 ? rc : pc_err_set(err, PC_EIO, "COUNT(*) gave no row");
    int64_t n = db_col_int(s, 0);
    db_step(s, err); /* finish the statement */
    return n;
}

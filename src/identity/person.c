/* person.c — persons (keyed by FİN): checking a record from outside,
 * reading and writing it, a person's contact, an agency's staff contacts,
 * and the registration desk's narrow search. */
#include "identity.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* ---- checks ------------------------------------------------------------ */

static bool valid_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1];
}

static int check_text(const char *name, const char *v, size_t max, bool required, struct pc_err *err)
{
    if (!v || !*v)
        return required ? pc_err_set(err, PC_EINVAL, "%s is required", name) : 0;
    size_t n = strlen(v);
    if (n > max)
        return pc_err_set(err, PC_EINVAL, "%s is longer than %zu bytes", name, max);
    if (!pc_utf8_valid(v, n))
        return pc_err_set(err, PC_EINVAL, "%s is not valid UTF-8", name);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20)
            return pc_err_set(err, PC_EINVAL, "%s contains a control character", name);
    return 0;
}

static bool valid_phone(const char *s)
{
    /* +994 and 9 digits (Azerbaijani numbers), the form SMS gateways take */
    if (!s || strlen(s) != 13 || strncmp(s, "+994", 4) != 0)
        return false;
    for (int i = 4; i < 13; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool valid_email(const char *s)
{
    const char *at = s ? strchr(s, '@') : NULL;
    return at && at != s && strchr(at + 1, '.') && !strchr(at + 1, '@') && strlen(s) <= 254 &&
           !strpbrk(s, " \t<>\"'");
}

int id_person_check(const struct id_person *p, struct pc_err *err)
{
    if (!id_fin_valid(p->fin))
        return pc_err_set(err, PC_EINVAL, "FİN must be 7 characters: digits and capital Latin letters");
    int rc;
    if ((rc = check_text("last name", p->last_name, ID_NAME_MAX, true, err)) ||
        (rc = check_text("first name", p->first_name, ID_NAME_MAX, true, err)) ||
        (rc = check_text("patronymic", p->patronymic, ID_NAME_MAX, false, err)) ||
        (rc = check_text("address", p->address, ID_FIELD_MAX, false, err)) ||
        (rc = check_text("identity card", p->id_card, 20, false, err)))
        return rc;
    if (!valid_date(p->birth_date))
        return pc_err_set(err, PC_EINVAL, "birth date must be a real date written YYYY-MM-DD");
    if (!pc_str_eq(p->gender, "m") && !pc_str_eq(p->gender, "f"))
        return pc_err_set(err, PC_EINVAL, "gender must be m or f");
    if (p->phone && *p->phone && !valid_phone(p->phone))
        return pc_err_set(err, PC_EINVAL, "phone must be written +994 and 9 digits");
    if (p->email && *p->email && !valid_email(p->email))
        return pc_err_set(err, PC_EINVAL, "e-mail address is not valid");
    if (p->lang && !pc_str_eq(p->lang, "az") && !pc_str_eq(p->lang, "en") && !pc_str_eq(p->lang, "ru"))
        return pc_err_set(err, PC_EINVAL, "language must be az, en or ru");
    return 0;
}

/* ---- reading and writing ---------------------------------------------- */

#define PERSON_COLUMNS "fin, last_name, first_name, patronymic, birth_date, gender, id_card, address, " \
                       "phone, email, lang, disability, source"

static const char *col(struct pc_arena *a, struct db_stmt *s, int i)
{
    return pc_arena_strdup(a, db_col_text(s, i));
}

static void read_person(struct pc_arena *a, struct db_stmt *s, struct id_person *p)
{
    p->fin = col(a, s, 0);
    p->last_name = col(a, s, 1);
    p->first_name = col(a, s, 2);
    p->patronymic = col(a, s, 3);
    p->birth_date = col(a, s, 4);
    p->gender = col(a, s, 5);
    p->id_card = col(a, s, 6);
    p->address = col(a, s, 7);
    p->phone = col(a, s, 8);
    p->email = col(a, s, 9);
    p->lang = col(a, s, 10);
    p->disability = db_col_int(s, 11) != 0;
    p->source = col(a, s, 12);
}

int id_person_get(struct db *db, struct pc_arena *a, const char *fin, struct id_person *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " PERSON_COLUMNS " FROM persons WHERE fin = ?", err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, fin);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no person with this FİN");
    read_person(a, s, out);
    db_conn_idle(c);
    return 0;
}

int id_person_contact(struct db_conn *c, struct pc_arena *a, const char *fin, struct id_contact *out,
                      struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *s = db_prepare(c, "SELECT phone, email, lang FROM persons WHERE fin = ?", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, fin);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no person with this FİN");
    const char *phone = db_col_text(s, 0), *email = db_col_text(s, 1);
    out->phone = phone && *phone ? pc_arena_strdup(a, phone) : NULL;
    out->email = email && *email ? pc_arena_strdup(a, email) : NULL;
    int lang = pc_lang_parse(db_col_text(s, 2));
    out->lang = lang < 0 ? PC_LANG_AZ : (enum pc_lang)lang;
    db_conn_idle(c);
    return 0;
}

int id_agency_staff_contacts(struct db_conn *c, struct pc_arena *a, const char *agency, const char *account,
                             struct id_contact *out, size_t max, size_t *n, struct pc_err *err)
{
    *n = 0;
    struct db_stmt *s = db_prepare(c,
        "SELECT DISTINCT p.email, p.lang FROM account_roles r JOIN accounts a ON a.id = r.account_id"
        " JOIN persons p ON p.fin = a.fin WHERE r.agency_id = ? AND r.role IN ('officer', 'agency_admin')"
        " AND a.status = 'active' AND p.email IS NOT NULL AND p.email <> '' AND (? = '' OR a.id = ?)"
        " ORDER BY p.email LIMIT ?", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, agency);
    db_bind_text(s, 2, account ? account : "");
    db_bind_text(s, 3, account ? account : "");
    db_bind_int(s, 4, (int64_t)max);
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < max) {
        struct id_contact *k = &out[(*n)++];
        k->phone = NULL;
        k->email = pc_arena_strdup(a, db_col_text(s, 0));
        int lang = pc_lang_parse(db_col_text(s, 1));
        k->lang = lang < 0 ? PC_LANG_AZ : (enum pc_lang)lang;
    }
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

int id_person_put(struct db_conn *c, const struct id_person *p, struct pc_err *err)
{
    int rc = id_person_check(p, err);
    if (rc)
        return rc;
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO persons(" PERSON_COLUMNS ", created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(fin) DO UPDATE SET last_name = excluded.last_name, first_name = excluded.first_name,"
        " patronymic = excluded.patronymic, birth_date = excluded.birth_date, gender = excluded.gender,"
        " id_card = excluded.id_card, address = excluded.address, phone = excluded.phone,"
        " email = excluded.email, lang = excluded.lang, disability = excluded.disability,"
        " source = excluded.source, updated_at = excluded.updated_at", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, p->fin);
    db_bind_text(s, 2, p->last_name);
    db_bind_text(s, 3, p->first_name);
    db_bind_text(s, 4, p->patronymic);
    db_bind_text(s, 5, p->birth_date);
    db_bind_text(s, 6, p->gender);
    db_bind_text(s, 7, p->id_card);
    db_bind_text(s, 8, p->address);
    db_bind_text(s, 9, p->phone);
    db_bind_text(s, 10, p->email);
    db_bind_text(s, 11, p->lang ? p->lang : "az");
    db_bind_int(s, 12, p->disability);
    db_bind_text(s, 13, p->source ? p->source : "local");
    db_bind_text(s, 14, now);
    db_bind_text(s, 15, now);
    return id_ran(db_run(s, err));
}

/* Identity-card numbers as typed: upper case, no spaces or dashes. */
static void card_key(const char *in, char *out, size_t cap)
{
    size_t k = 0;
    for (; in && *in && k + 1 < cap; in++)
        if (*in != ' ' && *in != '-')
            out[k++] = *in >= 'a' && *in <= 'z' ? (char)(*in - 32) : *in;
    out[k] = 0;
}

int id_person_find(struct db *db, struct pc_arena *a, const struct id_person_query *q, struct id_person **out,
                   size_t *n, size_t max, bool *more, struct pc_err *err)
{
    *n = 0;
    *more = false;
    *out = pc_arena_array(a, max, sizeof **out);
    char fin[8], card[24];
    bool by_fin = q->fin && *q->fin;
    if (by_fin && !id_fin_normalize(q->fin, fin))
        return pc_err_set(err, PC_EINVAL, "FİN must be 7 characters: digits and Latin letters");
    card_key(q->id_card, card, sizeof card);
    if (!by_fin && (!q->last_name || !*q->last_name || strlen(q->last_name) > ID_NAME_MAX || !*card ||
                    strlen(q->id_card) > 20))
        return pc_err_set(err, PC_EINVAL, "give a FİN, or a last name with an identity-card number");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    struct db_stmt *s;
    if (by_fin) {
        s = db_prepare(c, "SELECT " PERSON_COLUMNS " FROM persons WHERE fin = ? LIMIT ?", err);
        if (!s)
            return id_failed(err);
        db_bind_text(s, 1, fin);
    } else {
        /* the card compared without spaces and dashes, in upper case, on
         * both backends alike */
        s = db_prepare(c, "SELECT " PERSON_COLUMNS " FROM persons WHERE last_name = ?"
                          " AND upper(replace(replace(id_card, ' ', ''), '-', '')) = ? ORDER BY fin LIMIT ?", err);
        if (!s)
            return id_failed(err);
        db_bind_text(s, 1, q->last_name);
        db_bind_text(s, 2, card);
    }
    db_bind_int(s, by_fin ? 2 : 3, (int64_t)max + 1);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if (*n == max) {
            *more = true;
            break;
        }
        read_person(a, s, &(*out)[(*n)++]);
    }
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

bool id_card_same(const char *on_record, const char *typed)
{
    char have[24], want[24];
    if (!on_record || !typed || strlen(on_record) > 20 || strlen(typed) > 20)
        return false;
    card_key(on_record, have, sizeof have);
    card_key(typed, want, sizeof want);
    return *want && pc_str_eq(have, want);
}

int id_person_check_card(struct db *db, struct pc_arena *a, const char *fin, const char *id_card,
                         struct id_person *out, struct pc_err *err)
{
    char want[24];
    if (!id_card || strlen(id_card) > 20)
        return pc_err_set(err, PC_EINVAL, "the identity card's number is missing or too long");
    card_key(id_card, want, sizeof want);
    if (!*want)
        return pc_err_set(err, PC_EINVAL, "the identity card's number is missing");
    struct id_person *found;
    size_t n;
    bool more;
    struct id_person_query q = {.fin = fin};
    int rc = id_person_find(db, a, &q, &found, &n, 1, &more, err);
    if (rc)
        return rc;
    if (n == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no person with this FİN on record");
    if (!id_card_same(found[0].id_card, id_card))
        return pc_err_set(err, PC_EINVAL, "the identity card is not this person's");
    *out = found[0];
    return 0;
}

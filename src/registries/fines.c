/* fines.c — the interior ministry's register of administrative offence
 * protocols (fines): synthetic protocols computed from their index, found
 * by protocol number, by the offender's FİN, ID card, driving licence or
 * company VÖEN, and marked paid with the payment's reference (idempotent: the
 * same reference again changes nothing, another one is refused).
 *
 * A protocol number is "PR" and eight digits, a bijection of the index
 * like the FİN (ids.c); a driving licence two letters and six digits, a
 * bijection of the holder's index.  Four protocols in five are a
 * person's (traffic offences: a plate, the licence, points), one in five
 * a company's vehicle's (by VÖEN, no licence, no points).  One in ten is
 * paid already, one in ten cancelled. */
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROTO_SPACE 100000000ULL       /* 10^8 */
#define PROTO_MUL 48271ULL              /* odd, not a multiple of 5: invertible mod 10^8 */
#define PROTO_ADD 12345671ULL
#define LIC_SPACE 676000000ULL          /* 26 * 26 * 10^6 */
#define LIC_MUL 7919ULL                 /* prime, coprime with 676 * 10^6 */
#define LIC_ADD 104729ULL

/* Articles of the Code of Administrative Offences used by the generator. */
static const struct {
    const char *article;
    int64_t qepik;
    int points;
} articles[] = {
    {"327.1", 1000, 0}, {"327.2", 10000, 3}, {"328.1", 4000, 1}, {"333.2", 6000, 3},
    {"341.1", 4000, 1}, {"342.1", 4000, 1}, {"345.1", 2000, 0}, {"347.1", 10000, 4},
};
static const char *const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const int regions[] = {10, 77, 90, 99, 20, 50, 11, 85};

void reg_protocol_of(uint64_t i, char out[11])
{
    uint64_t v = ((i % PROTO_SPACE) * PROTO_MUL % PROTO_SPACE + PROTO_ADD) % PROTO_SPACE;
    snprintf(out, 11, "PR%08llu", (unsigned long long)v);
}

bool reg_protocol_ok(const char *s)
{
    return s && strlen(s) == 10 && s[0] == 'P' && s[1] == 'R' && strspn(s + 2, "0123456789") == 8;
}

void reg_licence_of(uint64_t person, char out[9])
{
    uint64_t v = ((person % LIC_SPACE) * LIC_MUL % LIC_SPACE + LIC_ADD) % LIC_SPACE;
    snprintf(out, 9, "%c%c%06llu", letters[v / 1000000 / 26], letters[v / 1000000 % 26],
             (unsigned long long)(v % 1000000));
}

/* An identity card's number: the new cards' "AZE" and 8 digits, or the
 * older cards' 2 letters and 7 digits. */
bool reg_id_card_ok(const char *s)
{
    if (s && strlen(s) == 11 && strncmp(s, "AZE", 3) == 0)
        return strspn(s + 3, "0123456789") == 8;
    return s && strlen(s) == 9 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
           strspn(s + 2, "0123456789") == 7;
}

bool reg_licence_ok(const char *s)
{
    return s && strlen(s) == 8 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
           strspn(s + 2, "0123456789") == 6;
}

const char *reg_fine_status_name(enum reg_fine_status s)
{
    static const char *const names[] = {"unpaid", "paid", "cancelled"};
    return names[s];
}

/* The first letter (one UTF-8 character) of s and a dot. */
static void initial(struct pc_buf *b, const char *s)
{
    if (!s || !*s)
        return;
    size_t n = 1;
    while (s[n] && ((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    pc_buf_append(b, s, n);
    pc_buf_puts(b, ".");
}

/* The person's initials and ID card number from the population register. */
static const char *initials_of(struct pc_arena *a, uint64_t person, uint64_t people, const char **id_card)
{
    json_error_t je;
    json_t *p = json_loads(reg_person_json(a, person, people), 0, &je);
    *id_card = pc_arena_strdup(a, json_string_value(json_object_get(p, "id_card")));
    struct pc_buf b;
    pc_buf_init(&b, 64);
    initial(&b, json_string_value(json_object_get(p, "name")));
    pc_buf_puts(&b, " ");
    initial(&b, json_string_value(json_object_get(p, "surname")));
    json_decref(p);
    const char *s = pc_arena_strndup(a, b.data, b.len);
    pc_buf_release(&b);
    return s;
}

int reg_fine_make(struct pc_arena *a, uint64_t i, uint64_t people, struct reg_fine *out)
{
    memset(out, 0, sizeof *out);
    if (!people)
        people = 1;
    char no[11];
    reg_protocol_of(i, no);
    out->protocol_no = pc_arena_strdup(a, no);
    size_t art = reg_mix(i, 90) % (sizeof articles / sizeof articles[0]);
    out->article = articles[art].article;
    out->amount_qepik = articles[art].qepik;
    uint64_t d = reg_mix(i, 91) % 600; /* within 600 days before 2026-12-01 */
    int64_t at = 1764547200 /* 2025-12-01 */ + 365 * 86400LL - (int64_t)d * 86400;
    char day[21];
    pc_rfc3339(at, day);
    day[10] = 0;
    out->date = pc_arena_strdup(a, day);
    out->plate = pc_arena_printf(a, "%02d-%c%c-%03d", regions[reg_mix(i, 92) % 8], letters[reg_mix(i, 93) % 26],
                                 letters[reg_mix(i, 94) % 26], (int)(reg_mix(i, 95) % 1000));
    uint64_t st = reg_mix(i, 96) % 10;
    out->status = st == 0 ? REG_FINE_PAID : st == 1 ? REG_FINE_CANCELLED : REG_FINE_UNPAID;
    if (out->status == REG_FINE_PAID)
        out->payment_ref = pc_arena_printf(a, "BANK-%llu", (unsigned long long)(reg_mix(i, 97) % 1000000000));
    if (reg_mix(i, 98) % 5 == 0) {
        /* a company's vehicle: its VÖEN, among the first people/5 taxpayers */
        char voen[11];
        reg_voen_of(reg_mix(i, 99) % (people / 5 ? people / 5 : 1), voen);
        out->voen = pc_arena_strdup(a, voen);
        out->initials = "";
    } else {
        uint64_t person = reg_mix(i, 100) % people;
        char fin[8], lic[9];
        reg_fin_of(person, fin);
        reg_licence_of(person, lic);
        out->fin = pc_arena_strdup(a, fin);
        out->licence = pc_arena_strdup(a, lic);
        out->points = articles[art].points;
        out->initials = initials_of(a, person, people, &out->id_card);
    }
    return 0;
}

const char *reg_fine_json(struct pc_arena *a, const struct reg_fine *f)
{
    json_t *d = json_pack("{s:s, s:s, s:s, s:I, s:i, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:s?}", "protocol_no",
                          f->protocol_no, "date", f->date, "article", f->article, "amount_qepik",
                          (json_int_t)f->amount_qepik, "points", f->points, "status", reg_fine_status_name(f->status),
                          "plate", f->plate, "fin", f->fin, "id_card", f->id_card, "licence", f->licence, "voen",
                          f->voen, "initials", f->initials ? f->initials : "", "payment_ref", f->payment_ref);
    char *s = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    const char *out = pc_arena_strdup(a, s);
    free(s);
    return out;
}

int reg_fine_bind(struct db_stmt *s, struct pc_arena *a, uint64_t i, uint64_t people)
{
    struct reg_fine f;
    reg_fine_make(a, i, people, &f);
    db_bind_text(s, 1, f.protocol_no);
    db_bind_text(s, 2, f.fin);
    db_bind_text(s, 3, f.licence);
    db_bind_text(s, 4, f.voen);
    db_bind_text(s, 5, reg_fine_status_name(f.status));
    db_bind_text(s, 6, f.payment_ref);
    db_bind_text(s, 7, reg_fine_json(a, &f));
    db_bind_text(s, 8, f.id_card);
    return 0;
}

/* ---- the register's answers ----------------------------------------------- */

#define FINES_LIST_MAX 50

int reg_fines_find(struct db *db, struct pc_arena *a, enum reg_fine_key key, const char *value, const char **json,
                   struct pc_err *err)
{
    static const char *const sql[] = {
        [REG_FINE_BY_PROTOCOL] = "SELECT doc FROM reg_fines WHERE protocol_no = ?",
        [REG_FINE_BY_FIN] = "SELECT doc FROM reg_fines WHERE fin = ? ORDER BY protocol_no LIMIT 50",
        [REG_FINE_BY_LICENCE] = "SELECT doc FROM reg_fines WHERE licence = ? ORDER BY protocol_no LIMIT 50",
        [REG_FINE_BY_VOEN] = "SELECT doc FROM reg_fines WHERE voen = ? ORDER BY protocol_no LIMIT 50",
        [REG_FINE_BY_ID_CARD] = "SELECT doc FROM reg_fines WHERE id_card = ? ORDER BY protocol_no LIMIT 50",
    };
    bool ok = key == REG_FINE_BY_PROTOCOL ? reg_protocol_ok(value)
              : key == REG_FINE_BY_FIN    ? reg_index_of(value) >= 0
              : key == REG_FINE_BY_LICENCE ? reg_licence_ok(value)
              : key == REG_FINE_BY_ID_CARD ? reg_id_card_ok(value)
                                           : reg_voen_index(value) >= 0;
    if (!ok)
        return pc_err_set(err, PC_EINVAL, "a protocol number is PR and 8 digits, a FİN 7 characters 0-9 A-Z "
                                          "without I and O, a driving licence 2 letters and 6 digits, a VÖEN 10 digits, "
                                          "an ID card 2 letters and 7 digits");
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, sql[key], err) : NULL;
    if (!s)
        return err->code ? err->code : PC_EUNAVAIL;
    db_bind_text(s, 1, value);
    struct pc_buf b;
    pc_buf_init(&b, 1 << 16);
    pc_buf_puts(&b, "{\"protocols\":[");
    int rc, n = 0;
    while ((rc = db_step(s, err)) == 1 && n < FINES_LIST_MAX)
        pc_buf_printf(&b, "%s%s", n++ ? "," : "", db_col_text(s, 0));
    pc_buf_puts(&b, "]}");
    db_conn_idle(c);
    *json = pc_arena_strndup(a, b.data, b.len);
    pc_buf_release(&b);
    return rc < 0 ? rc : 0;
}

int reg_fine_mark_paid(struct db *db, struct pc_arena *a, const char *protocol_no, const char *reference,
                       int64_t amount_qepik, const char **json, struct pc_err *err)
{
    if (!reg_protocol_ok(protocol_no))
        return pc_err_set(err, PC_EINVAL, "a protocol number is PR and 8 digits");
    if (!reference || !*reference || strlen(reference) > 64)
        return pc_err_set(err, PC_EINVAL, "the payment reference is 1 to 64 characters");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return err->code ? err->code : PC_EUNAVAIL;
    int rc = db_begin(c, err);
    struct db_stmt *s = rc ? NULL : db_prepare(c, "SELECT doc, status, payment_ref FROM reg_fines WHERE protocol_no = ?",
                                               err);
    if (!rc && !s)
        rc = err->code ? err->code : PC_EIO;
    json_t *d = NULL;
    if (!rc) {
        db_bind_text(s, 1, protocol_no);
        int got = db_step(s, err);
        if (got < 0)
            rc = got;
        else if (got == 0)
            rc = pc_err_set(err, PC_ENOTFOUND, "no protocol %s", protocol_no);
        else {
            json_error_t je;
            d = json_loads(db_col_text(s, 0), 0, &je);
            const char *status = db_col_text(s, 1), *ref = db_col_text(s, 2);
            if (!d)
                rc = pc_err_set(err, PC_EIO, "protocol %s is not readable", protocol_no);
            else if (pc_str_eq(status, "paid") && pc_str_eq(ref, reference))
                ; /* told again: nothing changes */
            else if (pc_str_eq(status, "paid"))
                rc = pc_err_set(err, PC_ECONFLICT, "protocol %s was paid by another payment", protocol_no);
            else if (pc_str_eq(status, "cancelled"))
                rc = pc_err_set(err, PC_ECONFLICT, "protocol %s was cancelled", protocol_no);
            else if (json_integer_value(json_object_get(d, "amount_qepik")) != amount_qepik)
                rc = pc_err_set(err, PC_ECONFLICT, "protocol %s is %lld qəpik, not %lld", protocol_no,
                                (long long)json_integer_value(json_object_get(d, "amount_qepik")),
                                (long long)amount_qepik);
            else {
                json_object_set_new(d, "status", json_string("paid"));
                json_object_set_new(d, "payment_ref", json_string(reference));
                char *text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
                struct db_stmt *u = db_prepare(c, "UPDATE reg_fines SET status = 'paid', payment_ref = ?, doc = ?"
                                                  " WHERE protocol_no = ? AND status = 'unpaid'", err);
                int64_t n = u ? (db_bind_text(u, 1, reference), db_bind_text(u, 2, text),
                                 db_bind_text(u, 3, protocol_no), db_run(u, err))
                              : (err->code ? err->code : PC_EIO);
                free(text);
                rc = n < 0 ? (int)n : 0;
            }
        }
    }
    rc = db_end(c, rc, err);
    db_conn_idle(c);
    if (!rc) {
        char *text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
        *json = pc_arena_strdup(a, text);
        free(text);
    }
    json_decref(d);
    return rc;
}

/* guest.c — applications without login (issue 10): the contact a guest
 * gives, the access code a guest's submission hands out once (only its
 * SHA-256 is kept, beside the contact and the reference, in case_guests),
 * and the check of a reference and code when the guest comes back.
 *
 * The code has 80 random bits, so a single SHA-256 is enough (no slow
 * hash: nothing short to guess), and identity throttles the attempts like
 * logins.  An unknown reference and a wrong code get the same answer, and
 * a hash is compared either way. */
#include "internal.h"

#include <ctype.h>
#include <string.h>

#define CONTACT_MAX 254
/* Crockford's base32: no I, L, O or U to misread */
static const char code_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int case_contact_parse(struct pc_arena *a, const char *typed, struct case_contact *out, struct pc_err *err)
{
    if (!typed || strlen(typed) > CONTACT_MAX)
        return pc_err_set(err, PC_EINVAL, "give an e-mail address or a phone number");
    char *s = pc_arena_alloc(a, strlen(typed) + 5);
    size_t n = 0;
    bool email = strchr(typed, '@') != NULL;
    while (isspace((unsigned char)*typed))
        typed++;
    for (const char *p = typed; *p; p++) /* an address loses its surrounding spaces, a number its separators */
        if (email || !strchr(" -()\t", *p))
            s[n++] = *p;
    while (email && n && isspace((unsigned char)s[n - 1]))
        n--;
    s[n] = 0;
    if (!email && s[0] == '0' && n == 10) { /* the national form, 050 123 45 67 */
        memmove(s + 4, s + 1, n);
        memcpy(s, "+994", 4);
    }
    /* checked by the forms' own checker, as a question of that type */
    struct form_question q = {.type = email ? FORM_EMAIL : FORM_PHONE, .max_length = CONTACT_MAX};
    struct form_issues issues = {0};
    json_t *v = json_string(s);
    if (!v)
        return pc_err_set(err, PC_EINVAL, "the contact is not UTF-8 text");
    char day[11];
    form_today(day);
    form_check_value(&q, v, "contact", day, &issues);
    json_decref(v);
    if (issues.n || !*s)
        return pc_err_set(err, PC_EINVAL, email ? "not an e-mail address" : "not a phone number (+994 and 9 digits)");
    *out = (struct case_contact){.kind = email ? CASE_CONTACT_EMAIL : CASE_CONTACT_PHONE, .address = s};
    return 0;
}

/* The code as kept: its characters without dashes or spaces, in capitals
 * (O read as 0, I and L as 1, as Crockford's base32 does); false when it
 * cannot be a code. */
static bool code_key(const char *typed, char out[17])
{
    size_t n = 0;
    for (const char *p = typed; p && *p; p++) {
        char ch = (char)toupper((unsigned char)*p);
        if (ch == '-' || ch == ' ')
            continue;
        if (ch == 'O')
            ch = '0';
        else if (ch == 'I' || ch == 'L')
            ch = '1';
        if (n == 16 || !strchr(code_alphabet, ch) || !ch)
            return false;
        out[n++] = ch;
    }
    out[n] = 0;
    return n == 16;
}

static void code_hash(const char key[17], char hash[65])
{
    pc_sha256_hex(key, 16, hash);
}

int case_guest_record(struct db_conn *c, const char *app_id, const char *reference, const struct case_guest_write *g,
                      enum pc_lang lang, const struct case_service *si, int64_t now, struct pc_err *err)
{
    unsigned char raw[10];
    if (pc_random_bytes(raw, sizeof raw))
        return pc_err_set(err, PC_EIO, "no randomness");
    char key[17];
    for (int i = 0; i < 16; i++) { /* 5 bits each: 80 bits */
        int bit = i * 5, v = ((raw[bit / 8] << 8 | (bit / 8 + 1 < 10 ? raw[bit / 8 + 1] : 0)) >> (11 - bit % 8)) & 31;
        key[i] = code_alphabet[v];
    }
    key[16] = 0;
    char hash[65];
    code_hash(key, hash);
    /* the channel ("anonymous") was written with the submission */
    struct db_stmt *s = db_prepare(c, "INSERT INTO case_guests(application_id, reference, code_hash, contact_kind, contact, created_at)"
                      " VALUES (?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return case_err(err);
    bool email = g->contact->kind == CASE_CONTACT_EMAIL;
    db_bind_text(s, 1, app_id);
    db_bind_text(s, 2, reference);
    db_bind_text(s, 3, hash);
    db_bind_text(s, 4, email ? "email" : "phone");
    db_bind_text(s, 5, g->contact->address);
    db_bind_int(s, 6, now);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    struct case_notice note = {.template_id = "application-submitted", .reference = reference, .service = &si->name,
                               .status = -1};
    int rc = case_notify_to(c, email ? "email" : "sms", g->contact->address, lang, &note, err);
    if (rc)
        return rc;
    /* shown once, grouped in fours */
    snprintf(g->code_out, CASE_ACCESS_CODE_CHARS + 1, "%.4s-%.4s-%.4s-%.4s", key, key + 4, key + 8, key + 12);
    return 0;
}

int case_guest_check(struct db *db, struct pc_arena *a, const char *reference, const char *code,
                     const char **account_id, struct pc_err *err)
{
    char key[17], hash[65];
    bool well_formed = code_key(code, key);
    if (!well_formed)
        memset(key, '0', 16), key[16] = 0;
    code_hash(key, hash);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT g.code_hash, a.applicant FROM case_guests g"
                                          " JOIN applications a ON a.id = g.application_id WHERE g.reference = ?", err)
                          : NULL;
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, reference && strlen(reference) <= 64 ? reference : "");
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    /* unknown or wrong: compared all the same, answered alike */
    static const char none[65] = "----------------------------------------------------------------";
    const char *stored = rc == 1 ? db_col_text(s, 0) : NULL;
    bool known = stored && strlen(stored) == 64;
    bool match = pc_ct_equal(hash, known ? stored : none, 64) && well_formed && known;
    const char *applicant = rc == 1 ? pc_arena_strdup(a, db_col_text(s, 1)) : NULL;
    db_conn_idle(c);
    if (!match)
        return pc_err_set(err, PC_EDENIED, "wrong reference or access code");
    *account_id = applicant;
    return 0;
}

/* The contact of a guest's application, read on c (PC_ENOTFOUND for an
 * account's). */
static int contact_on(struct db_conn *c, struct pc_arena *a, const char *app_id, struct case_contact *out,
                      struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT contact_kind, contact FROM case_guests WHERE application_id = ?", err);
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, app_id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        db_conn_idle(c);
        return pc_err_set(err, PC_ENOTFOUND, "not filed without login");
    }
    out->kind = pc_str_eq(db_col_text(s, 0), "phone") ? CASE_CONTACT_PHONE : CASE_CONTACT_EMAIL;
    out->address = pc_arena_strdup(a, db_col_text(s, 1));
    db_conn_idle(c);
    return 0;
}

int case_guest_contact(struct db *db, struct pc_arena *a, const char *app_id, struct case_contact *out,
                       struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    return c ? contact_on(c, a, app_id, out, err) : case_err(err);
}

int case_guest_notify(struct db_conn *c, const char *app_id, enum pc_lang lang, const struct case_notice *n,
                      struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct case_contact to = {0};
    int rc = contact_on(c, &a, app_id, &to, err);
    if (rc == 0)
        rc = case_notify_to(c, to.kind == CASE_CONTACT_PHONE ? "sms" : "email", to.address, lang, n, err);
    pc_arena_release(&a);
    return rc;
}

/* card.c — the registration card: its checks, its row, and the small
 * writes every change of the register is made of (a card, a system's
 * head, a decision). */
#include "internal.h"
#include "../audit/audit.h"

#include <stdio.h>
#include <string.h>

bool isreg_id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n < 2 || n > ISREG_ID_MAX || id[0] < 'a' || id[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
            return false;
    return true;
}

/* An exchange-layer service id: INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE
 * (e.g. AZ/GOV/1400000001/population/person), printable ASCII. */
static bool exchange_id_valid(const char *s)
{
    int slashes = 0;
    size_t n = strlen(s);
    if (n < 9 || n > 200)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= ' ' || ch > '~')
            return false;
        if (ch == '/') {
            if (i == 0 || s[i - 1] == '/' || i + 1 == n)
                return false;
            slashes++;
        }
    }
    return slashes == 4;
}

/* A catalogue service id: [a-z0-9._-], 1..80. */
static bool catalogue_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 80)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i])))
            return false;
    return true;
}

static int text_field(const char *v, const char *name, size_t max, bool required, const char **field,
                      struct pc_err *err)
{
    size_t n = v ? strlen(v) : 0;
    if (required && n == 0) {
        *field = name;
        return pc_err_set(err, PC_EINVAL, "%s is required", name);
    }
    if (n > max || (n && !pc_utf8_valid(v, n))) {
        *field = name;
        return pc_err_set(err, PC_EINVAL, "%s is too long or not UTF-8 (at most %zu bytes)", name, max);
    }
    return 0;
}

static int list_field(const struct isreg_list *l, const char *name, bool exchange, const char **field,
                      struct pc_err *err)
{
    if (l->n > ISREG_SERVICES_MAX) {
        *field = name;
        return pc_err_set(err, PC_EINVAL, "%s has more than %d entries", name, ISREG_SERVICES_MAX);
    }
    for (size_t i = 0; i < l->n; i++) {
        bool ok = exchange ? exchange_id_valid(l->items[i]) : catalogue_id_valid(l->items[i]);
        if (!ok) {
            *field = name;
            return pc_err_set(err, PC_EINVAL, "%s: \"%.60s\" is not a valid identifier", name, l->items[i]);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(l->items[i], l->items[j]) == 0) {
                *field = name;
                return pc_err_set(err, PC_EINVAL, "%s names %.60s twice", name, l->items[i]);
            }
    }
    return 0;
}

int isreg_card_check(const struct isreg_card *c, int64_t today, const char **field, struct pc_err *err)
{
    static const char *const name_fields[PC_LANG_COUNT] = {"name_az", "name_en", "name_ru"};
    int rc = 0;
    *field = NULL;
    if ((unsigned)c->kind >= ISREG_KIND_COUNT) {
        *field = "kind";
        return pc_err_set(err, PC_EINVAL, "kind must be resource or personal_data");
    }
    /* the Azerbaijani name is required; the others fall back to it */
    for (int l = 0; l < PC_LANG_COUNT && !rc; l++)
        rc = text_field(c->name.s[l], name_fields[l], ISREG_NAME_MAX, l == PC_LANG_AZ, field, err);
    if (!rc)
        rc = text_field(c->purpose, "purpose", ISREG_TEXT_MAX, true, field, err);
    if (!rc)
        rc = text_field(c->legal_basis, "legal_basis", ISREG_TEXT_MAX, true, field, err);
    if (!rc)
        rc = text_field(c->sources, "sources", ISREG_TEXT_MAX, false, field, err);
    if (!rc)
        rc = text_field(c->recipients, "recipients", ISREG_TEXT_MAX, false, field, err);
    if (!rc)
        rc = text_field(c->hosting, "hosting", ISREG_TEXT_MAX, true, field, err);
    if (!rc)
        rc = text_field(c->security, "security", ISREG_TEXT_MAX, true, field, err);
    if (!rc)
        rc = text_field(c->responsible, "responsible", ISREG_NAME_MAX, true, field, err);
    if (!rc)
        rc = text_field(c->change_note, "change_note", ISREG_TEXT_MAX, false, field, err);
    if (!rc)
        rc = list_field(&c->services_offered, "services_offered", true, field, err);
    if (!rc)
        rc = list_field(&c->services_used, "services_used", true, field, err);
    if (!rc)
        rc = list_field(&c->portal_services, "portal_services", false, field, err);
    if (rc)
        return rc;
    if (c->categories >> ISREG_CAT_COUNT) {
        *field = "data_categories";
        return pc_err_set(err, PC_EINVAL, "unknown personal-data category");
    }
    if (c->kind == ISREG_KIND_PERSONAL_DATA && !c->categories) {
        *field = "data_categories";
        return pc_err_set(err, PC_EINVAL, "a personal-data system declares the categories of data it holds");
    }
    if (c->kind == ISREG_KIND_RESOURCE && (c->categories || c->uses_fin)) {
        *field = "kind";
        return pc_err_set(err, PC_EINVAL, "a system that holds personal data or uses the FİN is a personal-data system");
    }
    int64_t started, changed;
    if (isreg_date_parse(c->started_on, &started)) {
        *field = "started_on";
        return pc_err_set(err, PC_EINVAL, "started_on must be a date YYYY-MM-DD");
    }
    if (isreg_date_parse(c->change_on, &changed)) {
        *field = "change_on";
        return pc_err_set(err, PC_EINVAL, "change_on must be a date YYYY-MM-DD");
    }
    if (started > today) {
        *field = "started_on";
        return pc_err_set(err, PC_EINVAL, "started_on is in the future");
    }
    if (changed > today) {
        *field = "change_on";
        return pc_err_set(err, PC_EINVAL, "a change is declared when it has happened: change_on is in the future");
    }
    if (changed < started) {
        *field = "change_on";
        return pc_err_set(err, PC_EINVAL, "change_on is before started_on");
    }
    return 0;
}

/* ---- lists and search ------------------------------------------------------ */

char *isreg_list_join(struct pc_arena *a, const struct isreg_list *l)
{
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->items[i]) + 1;
    char *s = pc_arena_alloc(a, len), *p = s;
    for (size_t i = 0; i < l->n; i++) {
        size_t k = strlen(l->items[i]);
        memcpy(p, l->items[i], k);
        p += k;
        if (i + 1 < l->n)
            *p++ = '\n';
    }
    *p = '\0';
    return s;
}

void isreg_list_split(struct pc_arena *a, const char *s, struct isreg_list *out)
{
    out->n = 0;
    out->items = NULL;
    if (!s || !*s)
        return;
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += *p == '\n';
    out->items = pc_arena_alloc(a, n * sizeof *out->items);
    const char *start = s;
    for (const char *p = s;; p++)
        if (*p == '\n' || *p == '\0') {
            char *item = pc_arena_alloc(a, (size_t)(p - start) + 1);
            memcpy(item, start, (size_t)(p - start));
            out->items[out->n++] = item;
            if (!*p)
                break;
            start = p + 1;
        }
}

void isreg_list_from_lines(struct pc_arena *a, const char *text, struct isreg_list *out)
{
    out->n = 0;
    out->items = NULL;
    size_t cap = 1;
    for (const char *p = text; p && *p; p++)
        cap += *p == '\n';
    out->items = pc_arena_alloc(a, cap * sizeof *out->items);
    for (const char *p = text; p && *p;) {
        size_t n = strcspn(p, "\r\n");
        const char *start = p, *end = p + n;
        while (start < end && (*start == ' ' || *start == '\t'))
            start++;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end > start && out->n < cap) {
            char *item = pc_arena_alloc(a, (size_t)(end - start) + 1);
            memcpy(item, start, (size_t)(end - start));
            out->items[out->n++] = item;
        }
        p += n;
        p += strspn(p, "\r\n");
    }
}

char *isreg_fold_names(struct pc_arena *a, const struct pc_text *name)
{
    struct pc_buf b;
    pc_buf_init(&b, 4 * ISREG_NAME_MAX * PC_LANG_COUNT + 16);
    for (int l = 0; l < PC_LANG_COUNT; l++)
        if (name->s[l]) {
            pc_fold(name->s[l], strlen(name->s[l]), &b);
            pc_buf_putc(&b, ' ');
        }
    char *s = pc_arena_strdup(a, b.data ? b.data : "");
    pc_buf_release(&b);
    return s;
}

int isreg_run(struct db_stmt *s, struct pc_err *err)
{
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

/* ---- rows ------------------------------------------------------------------ */

static const char *col(struct pc_arena *a, struct db_stmt *s, int i)
{
    return pc_arena_strdup(a, db_col_text(s, i) ? db_col_text(s, i) : "");
}

static void copy_date(char out[11], const char *s)
{
    out[0] = '\0';
    if (s)
        snprintf(out, 11, "%s", s);
}

void isreg_card_from_row(struct pc_arena *a, struct db_stmt *s, int f, struct isreg_card *out)
{
    memset(out, 0, sizeof *out);
    out->version = (int)db_col_int(s, f + 0);
    for (int i = 0; i < ISREG_CARD_STATUS_COUNT; i++)
        if (strcmp(isreg_card_status_name((enum isreg_card_status)i), db_col_text(s, f + 1)) == 0)
            out->status = (enum isreg_card_status)i;
    int kind = isreg_kind_parse(db_col_text(s, f + 2));
    out->kind = kind < 0 ? ISREG_KIND_RESOURCE : (enum isreg_kind)kind;
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        out->name.s[l] = col(a, s, f + 3 + l);
        if (!*out->name.s[l])
            out->name.s[l] = out->name.s[PC_LANG_AZ];
    }
    out->purpose = col(a, s, f + 6);
    out->legal_basis = col(a, s, f + 7);
    out->categories = (unsigned)db_col_int(s, f + 8);
    out->uses_fin = db_col_int(s, f + 9) != 0;
    out->sources = col(a, s, f + 10);
    out->recipients = col(a, s, f + 11);
    isreg_list_split(a, db_col_text(s, f + 12), &out->services_offered);
    isreg_list_split(a, db_col_text(s, f + 13), &out->services_used);
    isreg_list_split(a, db_col_text(s, f + 14), &out->portal_services);
    out->hosting = col(a, s, f + 15);
    out->security = col(a, s, f + 16);
    out->responsible = col(a, s, f + 17);
    copy_date(out->started_on, db_col_text(s, f + 18));
    copy_date(out->change_on, db_col_text(s, f + 19));
    out->change_note = col(a, s, f + 20);
    copy_date(out->due_on, db_col_text(s, f + 21));
    out->late_days = db_col_is_null(s, f + 22) ? -1 : (int)db_col_int(s, f + 22);
    out->author = col(a, s, f + 23);
    out->created_at = db_col_int(s, f + 24);
    out->submitted_at = db_col_int(s, f + 25);
    out->decided_at = db_col_int(s, f + 26);
}

int isreg_card_insert(struct db_conn *c, const char *id, const struct isreg_card *card, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO isreg_cards(system_id, " ISREG_CARD_COLUMNS ") VALUES "
        "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err);
    int rc = s ? 0 : err->code;
    if (s) {
        int64_t changed = 0;
        char due[11];
        isreg_date_parse(card->change_on, &changed);
        isreg_date_format(changed + ISREG_DAYS_TO_REGISTER, due);
        int i = 1;
        db_bind_text(s, i++, id);
        db_bind_int(s, i++, card->version);
        db_bind_text(s, i++, isreg_card_status_name(card->status));
        db_bind_text(s, i++, isreg_kind_name(card->kind));
        for (int l = 0; l < PC_LANG_COUNT; l++)
            db_bind_text(s, i++, card->name.s[l] ? card->name.s[l] : "");
        db_bind_text(s, i++, card->purpose);
        db_bind_text(s, i++, card->legal_basis);
        db_bind_int(s, i++, card->categories);
        db_bind_int(s, i++, card->uses_fin);
        db_bind_text(s, i++, card->sources ? card->sources : "");
        db_bind_text(s, i++, card->recipients ? card->recipients : "");
        db_bind_text(s, i++, isreg_list_join(&a, &card->services_offered));
        db_bind_text(s, i++, isreg_list_join(&a, &card->services_used));
        db_bind_text(s, i++, isreg_list_join(&a, &card->portal_services));
        db_bind_text(s, i++, card->hosting);
        db_bind_text(s, i++, card->security);
        db_bind_text(s, i++, card->responsible);
        db_bind_text(s, i++, card->started_on);
        db_bind_text(s, i++, card->change_on);
        db_bind_text(s, i++, card->change_note ? card->change_note : "");
        db_bind_text(s, i++, due);
        if (card->late_days < 0)
            db_bind_null(s, i++);
        else
            db_bind_int(s, i++, card->late_days);
        db_bind_text(s, i++, card->author ? card->author : "");
        db_bind_int(s, i++, card->created_at);
        db_bind_int(s, i++, card->submitted_at);
        db_bind_int(s, i++, card->decided_at);
        rc = isreg_run(s, err);
    }
    pc_arena_release(&a);
    return rc;
}

int isreg_card_set(struct db_conn *c, const char *id, int version, enum isreg_card_status st, int64_t submitted_at,
                   int64_t decided_at, int late_days, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "UPDATE isreg_cards SET status = ?, "
        "submitted_at = CASE WHEN ? >= 0 THEN ? ELSE submitted_at END, "
        "decided_at = CASE WHEN ? >= 0 THEN ? ELSE decided_at END, "
        "late_days = CASE WHEN ? >= 0 THEN ? ELSE late_days END "
        "WHERE system_id = ? AND version = ?", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, isreg_card_status_name(st));
    db_bind_int(s, 2, submitted_at);
    db_bind_int(s, 3, submitted_at);
    db_bind_int(s, 4, decided_at);
    db_bind_int(s, 5, decided_at);
    db_bind_int(s, 6, late_days);
    db_bind_int(s, 7, late_days);
    db_bind_text(s, 8, id);
    db_bind_int(s, 9, version);
    return isreg_run(s, err);
}

int isreg_decision_add(struct db_conn *c, const char *id, int version, const char *decision, const char *remarks,
                       const char *actor, int64_t at, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO isreg_decisions(system_id, seq, version, decision, remarks, actor, at) "
        "SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ? FROM isreg_decisions WHERE system_id = ?", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, id);
    db_bind_int(s, 2, version);
    db_bind_text(s, 3, decision);
    db_bind_text(s, 4, remarks ? remarks : "");
    db_bind_text(s, 5, actor);
    db_bind_int(s, 6, at);
    db_bind_text(s, 7, id);
    return isreg_run(s, err);
}

int isreg_head_read(struct db_conn *c, const char *id, struct isreg_head *out, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "SELECT agency_id, status, current_version, COALESCE(registered_version, 0) FROM isreg_systems "
        "WHERE id = ?", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no information system %s", id);
    snprintf(out->agency_id, sizeof out->agency_id, "%s", db_col_text(s, 0));
    int st = isreg_status_parse(db_col_text(s, 1));
    out->status = st < 0 ? ISREG_DRAFT : (enum isreg_status)st;
    out->current_version = (int)db_col_int(s, 2);
    out->registered_version = (int)db_col_int(s, 3);
    return 0;
}

int isreg_head_set(struct db_conn *c, const char *id, enum isreg_status st, int current_version,
                   int registered_version, int64_t now, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "UPDATE isreg_systems SET status = ?, current_version = ?, "
        "registered_version = CASE WHEN ? > 0 THEN ? ELSE registered_version END, updated_at = ? WHERE id = ?", err);
    if (!s)
        return err->code;
    db_bind_text(s, 1, isreg_status_name(st));
    db_bind_int(s, 2, current_version);
    db_bind_int(s, 3, registered_version);
    db_bind_int(s, 4, registered_version);
    db_bind_int(s, 5, now);
    db_bind_text(s, 6, id);
    return isreg_run(s, err);
}

int isreg_may_edit(const struct id_principal *who, const char *agency_id, const char **role, struct pc_err *err)
{
    struct id_resource res = {.agency_id = agency_id};
    int r = id_authorize_role(who, ID_ACT_ISREG_EDIT, &res);
    if (r < 0)
        return pc_err_set(err, PC_EDENIED, "only the staff of the owning body may change its systems' cards");
    *role = id_role_name((enum id_role)r);
    return 0;
}

int isreg_may_review(const struct id_principal *who, const char **role, struct pc_err *err)
{
    int r = id_authorize_role(who, ID_ACT_ISREG_REVIEW, NULL);
    if (r < 0)
        return pc_err_set(err, PC_EDENIED, "only the register's operator may decide on cards");
    *role = id_role_name((enum id_role)r);
    return 0;
}

int isreg_audited(struct db_conn *c, int rc, const struct id_principal *who, const char *role, const char *action,
                  const char *type, const char *id, const char *ip, const char *detail, struct pc_err *err)
{
    struct audit_entry e = {.actor = who && who->account_id ? who->account_id : "anonymous",
                            .role = role ? role : "", .action = action, .object_type = type, .object_id = id,
                            .ip = ip ? ip : "", .detail = detail ? detail : ""};
    return audit_end(c, rc, &e, err);
}

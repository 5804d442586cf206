/* inspect.c — field inspections: giving a visit, reading it, syncing the
 * records a phone made offline, photos.  The rules are in inspect.h. */
#include "inspect.h"

#include "../audit/audit.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const state_names[INSPECT_STATE_COUNT] = {"assigned", "done"};
static const char *const housing_names[INSPECT_HOUSING_COUNT] = {"own", "rented", "relatives", "shelter", "other"};
static const char *const condition_names[INSPECT_CONDITION_COUNT] = {"good", "satisfactory", "poor", "unfit"};
static const char *const sync_names[] = {"taken", "repeated", "revision", "late"};

const char *inspect_state_name(enum inspect_state s)
{
    return (unsigned)s < INSPECT_STATE_COUNT ? state_names[s] : "unknown";
}

const char *inspect_housing_name(enum inspect_housing h)
{
    return (unsigned)h < INSPECT_HOUSING_COUNT ? housing_names[h] : "unknown";
}

const char *inspect_condition_name(enum inspect_condition c)
{
    return (unsigned)c < INSPECT_CONDITION_COUNT ? condition_names[c] : "unknown";
}

const char *inspect_sync_name(enum inspect_sync s)
{
    return (unsigned)s < sizeof sync_names / sizeof sync_names[0] ? sync_names[s] : "unknown";
}

static int parse_name(const char *s, const char *const *names, int n)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int inspect_housing_parse(const char *s)
{
    return parse_name(s, housing_names, INSPECT_HOUSING_COUNT);
}

int inspect_condition_parse(const char *s)
{
    return parse_name(s, condition_names, INSPECT_CONDITION_COUNT);
}

static int failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EIO;
}

/* ---- checking a record ---------------------------------------------------------- */

static bool client_id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 8 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return false;
    return true;
}

static bool fin_ok(const char *s)
{
    if (!s || strlen(s) != 7)
        return false;
    for (int i = 0; i < 7; i++)
        if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'A' && s[i] <= 'Z'))
            return false;
    return true;
}

int inspect_record_check(const struct inspect_record *r, int64_t assigned_at, int64_t now, struct pc_err *err)
{
    if (!client_id_ok(r->client_id))
        return pc_err_set(err, PC_EINVAL, "client_id: 8 to 64 letters, digits, '-' or '_'");
    /* the phone's clock may be a little ahead; a visit before it was given is a mistake */
    if (r->visited_at > now + 600 || r->visited_at < assigned_at - 600)
        return pc_err_set(err, PC_EINVAL, "visited_at: between the visit being given and now");
    if ((unsigned)r->housing >= INSPECT_HOUSING_COUNT)
        return pc_err_set(err, PC_EINVAL, "housing: own, rented, relatives, shelter or other");
    if ((unsigned)r->condition >= INSPECT_CONDITION_COUNT)
        return pc_err_set(err, PC_EINVAL, "condition: good, satisfactory, poor or unfit");
    if (r->rooms < 0 || r->rooms > INSPECT_ROOMS_MAX)
        return pc_err_set(err, PC_EINVAL, "rooms: 0 to %d", INSPECT_ROOMS_MAX);
    if (r->npresent > INSPECT_MEMBERS_MAX)
        return pc_err_set(err, PC_EINVAL, "present: at most %d members", INSPECT_MEMBERS_MAX);
    for (size_t i = 0; i < r->npresent; i++)
        if (!fin_ok(r->present[i]))
            return pc_err_set(err, PC_EINVAL, "present: FİNs of 7 letters and digits");
    if (!r->notes || strlen(r->notes) > INSPECT_NOTES_MAX || !pc_utf8_valid(r->notes, strlen(r->notes)))
        return pc_err_set(err, PC_EINVAL, "notes: text of at most %d bytes", INSPECT_NOTES_MAX);
    return 0;
}

/* The record as stored: JSON of what the inspector found. */
static char *record_json(const struct inspect_record *r)
{
    json_t *present = json_array();
    for (size_t i = 0; i < r->npresent; i++)
        json_array_append_new(present, json_string(r->present[i]));
    json_t *j = json_pack("{s:s, s:s, s:i, s:b, s:b, s:b, s:b, s:o, s:s}", "housing", inspect_housing_name(r->housing),
                          "condition", inspect_condition_name(r->condition), "rooms", r->rooms, "water", r->water,
                          "gas", r->gas, "electricity", r->electricity, "heating", r->heating, "present", present,
                          "notes", r->notes);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

/* A stored record back (it was checked on the way in). */
static void record_from_row(struct pc_arena *a, struct db_stmt *s, int col, struct inspect_record *r)
{
    memset(r, 0, sizeof *r);
    r->client_id = pc_arena_strdup(a, db_col_text(s, col));
    r->visited_at = db_col_int(s, col + 1);
    r->synced_at = db_col_int(s, col + 2);
    r->late = db_col_int(s, col + 3) != 0;
    json_t *j = json_loads(db_col_text(s, col + 4), 0, NULL);
    int h = inspect_housing_parse(json_string_value(json_object_get(j, "housing"))),
        c = inspect_condition_parse(json_string_value(json_object_get(j, "condition")));
    r->housing = h < 0 ? INSPECT_HOUSING_OTHER : (enum inspect_housing)h;
    r->condition = c < 0 ? INSPECT_CONDITION_POOR : (enum inspect_condition)c;
    r->rooms = (int)json_integer_value(json_object_get(j, "rooms"));
    r->water = json_is_true(json_object_get(j, "water"));
    r->gas = json_is_true(json_object_get(j, "gas"));
    r->electricity = json_is_true(json_object_get(j, "electricity"));
    r->heating = json_is_true(json_object_get(j, "heating"));
    json_t *p = json_object_get(j, "present");
    for (size_t i = 0; i < json_array_size(p) && r->npresent < INSPECT_MEMBERS_MAX; i++)
        r->present[r->npresent++] = pc_arena_strdup(a, json_string_value(json_array_get(p, i)));
    const char *notes = json_string_value(json_object_get(j, "notes"));
    r->notes = pc_arena_strdup(a, notes ? notes : "");
    json_decref(j);
}

/* ---- what the visit needs from the application ----------------------------------- */

/* The declared address (a text, or the parts of an address joined) and
 * the applicant and declared family members, from the answers. */
static void visit_details(struct db *db, struct pc_arena *a, const struct case_app *app, struct inspection *v)
{
    json_t *j = form_answers_json(app->answers);
    json_t *addr = json_object_get(j, "address");
    if (json_is_string(addr)) {
        v->address = pc_arena_strdup(a, json_string_value(addr));
    } else if (json_is_object(addr)) {
        struct pc_buf b;
        pc_buf_init(&b, 1024);
        const char *k;
        json_t *part;
        json_object_foreach(addr, k, part) {
            if (json_is_string(part) && *json_string_value(part)) {
                if (b.len)
                    pc_buf_puts(&b, ", ");
                pc_buf_puts(&b, json_string_value(part));
            }
        }
        v->address = pc_arena_strndup(a, b.data ? b.data : "", b.len);
        pc_buf_release(&b);
    } else {
        v->address = "";
    }
    v->nmembers = 0;
    if (app->applicant_fin) {
        struct id_person p;
        struct pc_err err = {0};
        const char *name = id_person_get(db, a, app->applicant_fin, &p, &err) == 0
                               ? pc_arena_printf(a, "%s %s", p.first_name, p.last_name) : "";
        v->members[v->nmembers++] = (struct inspect_member){app->applicant_fin, name};
    }
    json_t *family = json_object_get(j, "family_members");
    for (size_t i = 0; i < json_array_size(family) && v->nmembers < INSPECT_MEMBERS_MAX + 1; i++) {
        json_t *m = json_array_get(family, i);
        const char *fin = json_string_value(json_object_get(m, "member_fin")),
                   *name = json_string_value(json_object_get(m, "member_name"));
        if (fin_ok(fin))
            v->members[v->nmembers++] = (struct inspect_member){pc_arena_strdup(a, fin),
                                                                pc_arena_strdup(a, name ? name : "")};
    }
    json_decref(j);
}

/* ---- reading visits --------------------------------------------------------------- */

#define VISIT_COLUMNS "id, case_id, case_ref, agency_id, inspector, assigned_by, assigned_at, state, result_client_id"

static void visit_row(struct pc_arena *a, struct db_stmt *s, struct inspection *v, const char **result_client)
{
    memset(v, 0, sizeof *v);
    v->id = pc_arena_strdup(a, db_col_text(s, 0));
    v->case_id = pc_arena_strdup(a, db_col_text(s, 1));
    v->case_ref = pc_arena_strdup(a, db_col_text(s, 2));
    v->agency_id = pc_arena_strdup(a, db_col_text(s, 3));
    v->inspector = pc_arena_strdup(a, db_col_text(s, 4));
    v->assigned_by = pc_arena_strdup(a, db_col_text(s, 5));
    v->assigned_at = db_col_int(s, 6);
    v->state = pc_str_eq(db_col_text(s, 7), "done") ? INSPECT_DONE : INSPECT_ASSIGNED;
    *result_client = db_col_is_null(s, 8) ? NULL : pc_arena_strdup(a, db_col_text(s, 8));
}

/* The visit's records (the result and the revisions) and photos. */
static int visit_records(struct db_conn *c, struct pc_arena *a, struct inspection *v, const char *result_client,
                         struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT client_id, visited_at, synced_at, late, record FROM inspection_records"
                                      " WHERE inspection_id = ? ORDER BY synced_at, client_id", err);
    if (!s)
        return failed(err);
    db_bind_text(s, 1, v->id);
    v->revisions = pc_arena_array(a, 16, sizeof *v->revisions);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        struct inspect_record r;
        record_from_row(a, s, 0, &r);
        if (result_client && pc_str_eq(r.client_id, result_client)) {
            v->result = r;
            v->has_result = true;
        } else if (v->nrevisions < 16) {
            v->revisions[v->nrevisions++] = r;
        }
    }
    if (rc < 0)
        return rc;
    s = db_prepare(c, "SELECT sha256, type, size, uploaded_at FROM inspection_photos WHERE inspection_id = ?"
                      " ORDER BY uploaded_at, sha256", err);
    if (!s)
        return failed(err);
    db_bind_text(s, 1, v->id);
    v->photos = pc_arena_array(a, INSPECT_PHOTOS_MAX, sizeof *v->photos);
    while (v->nphotos < INSPECT_PHOTOS_MAX && (rc = db_step(s, err)) == 1)
        v->photos[v->nphotos++] = (struct inspect_photo){pc_arena_strdup(a, db_col_text(s, 0)),
                                                         pc_arena_strdup(a, db_col_text(s, 1)), db_col_int(s, 2),
                                                         db_col_int(s, 3)};
    return rc < 0 ? rc : 0;
}

/* One visit by its id or its application's id. */
static int visit_load(struct db *db, struct pc_arena *a, const char *where, const char *key, struct inspection *v,
                      struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, pc_arena_printf(a, "SELECT " VISIT_COLUMNS " FROM inspections WHERE %s = ?",
                                                            where), err) : NULL;
    if (!s)
        return failed(err);
    db_bind_text(s, 1, key);
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "no such visit");
    const char *result_client;
    visit_row(a, s, v, &result_client);
    db_conn_idle(c);
    return visit_records(c, a, v, result_client, err);
}

/* The inspectors of an agency with their account ids. */
static int agency_inspectors(struct db *db, struct pc_arena *a, const char *agency_id, struct id_staff **out,
                             size_t *n, struct pc_err *err)
{
    struct id_staff *all;
    size_t total;
    bool more;
    int rc = id_agency_staff(db, a, agency_id, &all, &total, &more, err);
    if (rc)
        return rc;
    *out = pc_arena_array(a, total ? total : 1, sizeof **out);
    *n = 0;
    for (size_t i = 0; i < total; i++)
        if (all[i].role == ID_ROLE_INSPECTOR && pc_str_eq(all[i].status, "active"))
            (*out)[(*n)++] = all[i];
    return 0;
}

static const char *login_of(struct id_staff *list, size_t n, const char *account)
{
    for (size_t i = 0; i < n; i++)
        if (pc_str_eq(list[i].account_id, account))
            return list[i].login;
    return "";
}

int inspect_inspectors(struct db *db, struct pc_arena *a, const char *agency_id, const char ***logins, size_t *n,
                       struct pc_err *err)
{
    struct id_staff *list;
    size_t k;
    int rc = agency_inspectors(db, a, agency_id, &list, &k, err);
    if (rc)
        return rc;
    *n = k < 100 ? k : 100;
    *logins = pc_arena_array(a, *n ? *n : 1, sizeof **logins);
    for (size_t i = 0; i < *n; i++)
        (*logins)[i] = list[i].login;
    return 0;
}

/* ---- the officer ------------------------------------------------------------------ */

static struct audit_entry audit_of(const struct id_principal *who, int role, const char *action, const char *id,
                                   const char *ip, const char *detail)
{
    return (struct audit_entry){.actor = who->account_id, .role = id_role_name((enum id_role)role),
                                .action = action, .object_type = "inspection", .object_id = id, .ip = ip ? ip : "",
                                .detail = detail ? detail : ""};
}

int inspect_assign(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *case_ref,
                   const char *inspector_login, const char *ip, const char **id, struct pc_err *err)
{
    *id = NULL;
    struct case_app app;
    int rc = case_load(db, a, case_ref, &app, err);
    if (rc)
        return rc;
    struct id_resource res = {.owner = app.applicant, .agency_id = app.agency_id};
    int role = id_authorize_role(who, ID_ACT_ACT_ON_CASE, &res);
    if (role < 0 || !app.reference)
        return pc_err_set(err, role < 0 ? PC_EDENIED : PC_ENOTFOUND,
                          role < 0 ? "only the agency's officers give its visits" : "no such application");
    if (case_state_decided(app.status))
        return pc_err_set(err, PC_ECONFLICT, "the application is decided");
    struct id_staff *inspectors;
    size_t n;
    if ((rc = agency_inspectors(db, a, app.agency_id, &inspectors, &n, err)))
        return rc;
    const char *inspector = NULL;
    for (size_t i = 0; i < n && !inspector; i++)
        if (pc_str_eq(inspectors[i].login, inspector_login))
            inspector = inspectors[i].account_id;
    if (!inspector)
        return pc_err_set(err, PC_EINVAL, "%s is not an inspector of the agency", inspector_login ? inspector_login : "");
    char fresh[33];
    pc_random_hex(fresh, 16);
    struct db_conn *c;
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    /* a visit not done moves to the new inspector; a done one stays */
    struct db_stmt *s = db_prepare(c, "SELECT id, state FROM inspections WHERE case_id = ?", err);
    if (!s)
        rc = failed(err);
    const char *existing = NULL;
    if (!rc) {
        db_bind_text(s, 1, app.id);
        int step = db_step(s, err);
        if (step < 0)
            rc = step;
        else if (step == 1 && pc_str_eq(db_col_text(s, 1), "done"))
            rc = pc_err_set(err, PC_ECONFLICT, "the visit is done");
        else if (step == 1)
            existing = pc_arena_strdup(a, db_col_text(s, 0));
        db_conn_idle(c);
    }
    if (!rc && existing) {
        s = db_prepare(c, "UPDATE inspections SET inspector = ?, assigned_by = ?, assigned_at = ? WHERE id = ?"
                          " AND state = 'assigned'", err);
        if (!s)
            rc = failed(err);
        else {
            db_bind_text(s, 1, inspector);
            db_bind_text(s, 2, who->account_id);
            db_bind_int(s, 3, pc_now_unix());
            db_bind_text(s, 4, existing);
            int64_t changed = db_run(s, err);
            rc = changed < 0 ? (int)changed : changed == 1 ? 0 : pc_err_set(err, PC_ECONFLICT, "the visit is done");
        }
        *id = existing;
    } else if (!rc) {
        s = db_prepare(c, "INSERT INTO inspections (id, case_id, case_ref, agency_id, inspector, assigned_by,"
                          " assigned_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'assigned')", err);
        if (!s)
            rc = failed(err);
        else {
            db_bind_text(s, 1, fresh);
            db_bind_text(s, 2, app.id);
            db_bind_text(s, 3, app.reference);
            db_bind_text(s, 4, app.agency_id);
            db_bind_text(s, 5, inspector);
            db_bind_text(s, 6, who->account_id);
            db_bind_int(s, 7, pc_now_unix());
            int64_t added = db_run(s, err);
            rc = added < 0 ? (int)added : 0;
        }
        *id = pc_arena_strdup(a, fresh);
    }
    struct audit_entry e = audit_of(who, role, "inspection.assign", *id ? *id : "", ip,
                                    pc_arena_printf(a, "%s to %s", app.reference, inspector_login));
    rc = audit_end(c, rc, &e, err);
    if (rc)
        *id = NULL;
    return rc;
}

int inspect_of_case(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *case_ref,
                    const char *ip, struct inspection *out, struct pc_err *err)
{
    (void)ip;
    struct case_app app;
    int rc = case_load(db, a, case_ref, &app, err);
    if (rc)
        return rc;
    struct id_resource res = {.owner = app.applicant, .agency_id = app.agency_id};
    if (!id_authorize(who, ID_ACT_VIEW_CASE, &res) || (who && pc_str_eq(who->account_id, app.applicant)))
        return pc_err_set(err, PC_EDENIED, "only the agency's staff see its visits");
    if ((rc = visit_load(db, a, "case_id", app.id, out, err)))
        return rc;
    if ((rc = case_record_staff_read(db, who, &app, CASE_READ_CASE, err)))
        return rc;
    out->service_id = app.service_id;
    visit_details(db, a, &app, out);
    struct id_staff *inspectors;
    size_t n;
    if (agency_inspectors(db, a, app.agency_id, &inspectors, &n, err) == 0)
        out->inspector_login = login_of(inspectors, n, out->inspector);
    return 0;
}

/* ---- the inspector ---------------------------------------------------------------- */

/* The inspector may read the visit: it is theirs.  Their read of the
 * household's details is recorded in each person's access log. */
static int inspector_reads(struct db *db, struct pc_arena *a, const struct id_principal *who, struct inspection *v,
                           struct pc_err *err)
{
    struct id_resource res = {.owner = v->inspector, .agency_id = v->agency_id};
    int role = id_authorize_role(who, ID_ACT_INSPECT, &res);
    if (role < 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such visit");
    struct case_app app;
    int rc = case_load(db, a, v->case_id, &app, err);
    if (rc)
        return rc;
    v->service_id = app.service_id;
    visit_details(db, a, &app, v);
    v->inspector_login = who->login;
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return failed(err);
    for (size_t i = 0; i < v->nmembers; i++) {
        struct access_entry e = {.subject_fin = v->members[i].fin, .accessor = who->account_id,
                                 .accessor_role = id_role_name((enum id_role)role), .agency_id = v->agency_id,
                                 .data_kind = "inspection", .ground = v->case_ref};
        if ((rc = audit_access_record(c, &e, err)))
            return rc;
    }
    return 0;
}

int inspect_get(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *id,
                struct inspection *out, struct pc_err *err)
{
    int rc = visit_load(db, a, "id", id, out, err);
    if (rc)
        return rc == PC_ENOTFOUND ? pc_err_set(err, PC_ENOTFOUND, "no such visit") : rc;
    return inspector_reads(db, a, who, out, err);
}

int inspect_mine(struct db *db, struct pc_arena *a, const struct id_principal *who, struct inspection **out,
                 size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = NULL;
    if (!who || !id_has_role(who, ID_ROLE_INSPECTOR))
        return pc_err_set(err, PC_EDENIED, "only inspectors have visits");
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " VISIT_COLUMNS " FROM inspections WHERE inspector = ?"
                                          " AND state = 'assigned' ORDER BY assigned_at DESC, id LIMIT ?", err) : NULL;
    if (!s)
        return failed(err);
    db_bind_text(s, 1, who->account_id);
    db_bind_int(s, 2, INSPECT_LIST_MAX);
    *out = pc_arena_array(a, INSPECT_LIST_MAX, sizeof **out);
    int rc;
    const char *result_client;
    while (*n < INSPECT_LIST_MAX && (rc = db_step(s, err)) == 1)
        visit_row(a, s, &(*out)[(*n)++], &result_client);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < *n; i++)
        if ((rc = inspector_reads(db, a, who, &(*out)[i], err)))
            return rc;
    return 0;
}

/* The visit `id` for the inspector it was given to, with the role the
 * grant allowed it in; anyone else: PC_ENOTFOUND (no probing). */
static int own_visit(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *id,
                     struct inspection *v, int *role, struct pc_err *err)
{
    *role = -1;
    int rc = visit_load(db, a, "id", id, v, err);
    if (rc && rc != PC_ENOTFOUND)
        return rc;
    struct id_resource res = {.owner = rc ? NULL : v->inspector, .agency_id = rc ? NULL : v->agency_id};
    if (rc || (*role = id_authorize_role(who, ID_ACT_INSPECT, &res)) < 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such visit");
    return 0;
}

int inspect_sync(struct db *db, const struct id_principal *who, const char *id, const struct inspect_record *rec,
                 const char *ip, enum inspect_sync *outcome, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct inspection v;
    int role;
    int rc = own_visit(db, &a, who, id, &v, &role, err);
    int64_t now = pc_now_unix();
    if (!rc)
        rc = inspect_record_check(rec, v.assigned_at, now, err);
    struct case_app app;
    if (!rc)
        rc = case_load(db, &a, v.case_id, &app, err);
    struct db_conn *c = NULL;
    if (!rc)
        rc = audit_begin(db, &c, err);
    if (rc) {
        pc_arena_release(&a);
        return rc;
    }
    /* the same record again: nothing to do */
    struct db_stmt *s = db_prepare(c, "SELECT 1 FROM inspection_records WHERE inspection_id = ? AND client_id = ?", err);
    int seen = failed(err);
    if (s) {
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, rec->client_id);
        seen = db_step(s, err);
        db_conn_idle(c);
    }
    bool decided = case_state_decided(app.status);
    char *json = NULL;
    if (seen < 0) {
        rc = seen;
    } else if (seen == 1) {
        *outcome = INSPECT_SYNC_REPEATED;
    } else {
        json = record_json(rec);
        s = db_prepare(c, "INSERT INTO inspection_records (inspection_id, client_id, inspector, visited_at, synced_at,"
                          " late, record) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
        if (!s) {
            rc = failed(err);
        } else {
            db_bind_text(s, 1, id);
            db_bind_text(s, 2, rec->client_id);
            db_bind_text(s, 3, who->account_id);
            db_bind_int(s, 4, rec->visited_at);
            db_bind_int(s, 5, now);
            db_bind_int(s, 6, decided ? 1 : 0);
            db_bind_text(s, 7, json);
            int64_t added = db_run(s, err);
            rc = added < 0 ? (int)added : 0;
        }
        /* the first record is the result: one conditional UPDATE, so two
         * phones syncing at once cannot both be it */
        s = rc ? NULL : db_prepare(c, "UPDATE inspections SET state = 'done', result_client_id = ? WHERE id = ?"
                                      " AND result_client_id IS NULL", err);
        if (!rc && !s)
            rc = failed(err);
        if (!rc) {
            db_bind_text(s, 1, rec->client_id);
            db_bind_text(s, 2, id);
            int64_t took = db_run(s, err);
            if (took < 0)
                rc = (int)took;
            else
                *outcome = decided ? INSPECT_SYNC_LATE : took == 1 ? INSPECT_SYNC_TAKEN : INSPECT_SYNC_REVISION;
        }
    }
    struct audit_entry e = audit_of(who, role, "inspection.sync", id, ip,
                                    rc ? "" : pc_arena_printf(&a, "%s %s", rec->client_id, inspect_sync_name(*outcome)));
    if (!rc && *outcome == INSPECT_SYNC_REPEATED)
        rc = db_end(c, 0, err); /* nothing changed, nothing to audit */
    else
        rc = audit_end(c, rc, &e, err);
    free(json);
    pc_arena_release(&a);
    return rc;
}

/* ---- photos ----------------------------------------------------------------------- */

int inspect_photo_keep(struct db *db, const struct id_principal *who, const char *id, struct case_file_writer *w,
                       const struct case_file *f, const char *ip, struct pc_arena *out_arena,
                       struct inspect_photo *out, bool *repeated, struct pc_err *err)
{
    *repeated = false;
    memset(out, 0, sizeof *out);
    if (f->size > INSPECT_PHOTO_MAX)
        return pc_err_set(err, PC_ETOOBIG, "a photo is at most %d bytes", INSPECT_PHOTO_MAX);
    if (!pc_str_eq(f->mime, "image/jpeg") && !pc_str_eq(f->mime, "image/png"))
        return pc_err_set(err, PC_EINVAL, "a photo is a JPEG or PNG image, not %s", f->mime);
    struct pc_arena a;
    pc_arena_init(&a);
    struct inspection v;
    int role;
    int rc = own_visit(db, &a, who, id, &v, &role, err);
    for (size_t i = 0; !rc && i < v.nphotos; i++)
        if (pc_str_eq(v.photos[i].sha256, f->sha256))
            *repeated = true;
    if (!rc && !*repeated && v.nphotos >= INSPECT_PHOTOS_MAX)
        rc = pc_err_set(err, PC_ECONFLICT, "a visit has at most %d photos", INSPECT_PHOTOS_MAX);
    /* the bytes are stored for good before the row refers to them */
    if (!rc && !*repeated)
        rc = case_file_keep(w, err);
    int64_t now = pc_now_unix();
    struct db_conn *c;
    if (!rc && !*repeated && (rc = audit_begin(db, &c, err)) == 0) {
        struct db_stmt *s = db_prepare(c, "INSERT INTO inspection_photos (inspection_id, sha256, type, size,"
                                          " uploaded_at) VALUES (?, ?, ?, ?, ?)", err);
        if (!s) {
            rc = failed(err);
        } else {
            db_bind_text(s, 1, id);
            db_bind_text(s, 2, f->sha256);
            db_bind_text(s, 3, f->mime);
            db_bind_int(s, 4, f->size);
            db_bind_int(s, 5, now);
            int64_t added = db_run(s, err);
            rc = added < 0 ? (int)added : 0;
        }
        struct audit_entry e = audit_of(who, role, "inspection.photo", id, ip, f->sha256);
        rc = audit_end(c, rc, &e, err);
    }
    if (!rc)
        *out = (struct inspect_photo){pc_arena_strdup(out_arena, f->sha256),
                                      pc_str_eq(f->mime, "image/png") ? "image/png" : "image/jpeg", f->size, now};
    pc_arena_release(&a);
    return rc;
}

int inspect_photo_open(struct db *db, struct case_store *store, struct pc_arena *a, const struct id_principal *who,
                       const char *id, const char *sha256, struct inspect_photo *out,
                       struct case_file_reader **rd, struct pc_err *err)
{
    *rd = NULL;
    struct inspection v;
    int rc = visit_load(db, a, "id", id, &v, err);
    if (rc)
        return rc == PC_ENOTFOUND ? pc_err_set(err, PC_ENOTFOUND, "no such photo") : rc;
    struct id_resource mine = {.owner = v.inspector, .agency_id = v.agency_id};
    if (!id_authorize(who, ID_ACT_INSPECT, &mine)) {
        /* staff who see the case: the read is the case's */
        struct case_app app;
        if ((rc = case_load(db, a, v.case_id, &app, err)))
            return rc;
        struct id_resource res = {.owner = app.applicant, .agency_id = app.agency_id};
        if (!id_authorize(who, ID_ACT_VIEW_CASE, &res) || (who && pc_str_eq(who->account_id, app.applicant)))
            return pc_err_set(err, PC_ENOTFOUND, "no such photo");
        if ((rc = case_record_staff_read(db, who, &app, CASE_READ_FILE, err)))
            return rc;
    }
    for (size_t i = 0; i < v.nphotos; i++)
        if (pc_str_eq(v.photos[i].sha256, sha256)) {
            *out = v.photos[i];
            struct case_file info;
            return case_file_open_stored(store, sha256, rd, &info, err);
        }
    return pc_err_set(err, PC_ENOTFOUND, "no such photo");
}

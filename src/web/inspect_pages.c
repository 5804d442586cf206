/* inspect_pages.c — field visits in the portal (src/inspect): the
 * inspector's list (/inspect/visits) and the record of one visit
 * (/inspect/visits/{id}), the visit's photos, and on the officer's case
 * page the box that gives the visit and shows what was found.
 *
 * The inspector's pages are plain forms that work without JavaScript.  On
 * a phone, assets/inspect.js adds what a visit far from a network needs:
 * the service worker (/inspect/sw.js) keeps the pages for offline use, a
 * record made offline is kept on the phone (IndexedDB) with its photos and
 * sent to the same address when the phone is back online, each record
 * under an id of its own so that sending it twice is taken once. */
#include "internal.h"
#include "../inspect/inspect.h"

#include <stdio.h>
#include <string.h>

#define VISITS "/inspect/visits"

static const enum msg housing_msgs[INSPECT_HOUSING_COUNT] = {
    M_INSPECT_HOUSING_OWN, M_INSPECT_HOUSING_RENTED, M_INSPECT_HOUSING_RELATIVES, M_INSPECT_HOUSING_SHELTER,
    M_INSPECT_HOUSING_OTHER};
static const enum msg condition_msgs[INSPECT_CONDITION_COUNT] = {
    M_INSPECT_COND_GOOD, M_INSPECT_COND_SATISFACTORY, M_INSPECT_COND_POOR, M_INSPECT_COND_UNFIT};
static const enum msg sync_msgs[] = {
    [INSPECT_SYNC_TAKEN] = M_INSPECT_SENT_TAKEN, [INSPECT_SYNC_REPEATED] = M_INSPECT_SENT_REPEATED,
    [INSPECT_SYNC_REVISION] = M_INSPECT_SENT_REVISION, [INSPECT_SYNC_LATE] = M_INSPECT_SENT_LATE};

static const char *day_of(struct http_req *r, int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    return pc_arena_printf(&r->arena, "%.10s %.5s", ts, ts + 11);
}

/* The inspector's pages: logged in (else to the login) with an inspector's grant. */
static bool inspector_only(struct http_req *r)
{
    const struct id_principal *who = web_who(r);
    if (!who) {
        http_redirect(r, 303, pc_arena_printf(&r->arena, "/login?next=%s", r->path));
        return false;
    }
    if (!id_has_role(who, ID_ROLE_INSPECTOR)) {
        http_error(r, 403, "forbidden", "Forbidden", NULL);
        return false;
    }
    return true;
}

/* The script that keeps records offline, on the inspector's pages only. */
static void offline_script(struct http_req *r)
{
    web_html(r, "<div id=\"inspect-offline\" role=\"status\" aria-live=\"polite\" hidden"
                " data-saved=\"%s\" data-waiting=\"%s\" data-login=\"%s\"></div>\n"
                "<script src=\"%s\" defer></script>\n",
             web_t(r, M_INSPECT_OFFLINE_SAVED), web_t(r, M_INSPECT_OFFLINE_WAITING), web_t(r, M_INSPECT_LOGIN_AGAIN),
             http_asset_url(r, "inspect.js"));
}

int web_page_inspect_visits(struct http_req *r)
{
    if (!inspector_only(r))
        return 0;
    struct inspection *v;
    size_t n;
    struct pc_err err = {0};
    int rc = inspect_mine(app_of(r)->db, &r->arena, web_who(r), &v, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_INSPECT_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_INSPECT_TITLE), web_t(r, M_INSPECT_LEAD));
    int outcome = -1;
    const char *synced = http_kv_get(&r->query, "synced");
    for (int i = 0; synced && i < (int)(sizeof sync_msgs / sizeof sync_msgs[0]); i++)
        if (pc_str_eq(synced, inspect_sync_name((enum inspect_sync)i)))
            outcome = i;
    if (outcome >= 0)
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n", web_t(r, sync_msgs[outcome]));
    offline_script(r);
    if (n == 0)
        web_html(r, "<p>%s</p>\n", web_t(r, M_INSPECT_NONE));
    else
        web_html(r, "<ul class=\"list\">\n");
    for (size_t i = 0; i < n; i++)
        web_html(r, "<li><a href=\"" VISITS "/%q\">%s</a><br>%s<br><span class=\"hint\">%s: %s · %s: %d</span></li>\n",
                 v[i].id, pc_arena_printf(&r->arena, web_t(r, M_INSPECT_VISIT_TITLE), v[i].case_ref),
                 v[i].address, web_t(r, M_INSPECT_GIVEN), day_of(r, v[i].assigned_at), web_t(r, M_INSPECT_MEMBERS),
                 (int)v[i].nmembers);
    if (n)
        web_html(r, "</ul>\n");
    web_page_end(r);
    return 0;
}

/* A group of radio buttons for one choice. */
static void radios(struct http_req *r, const char *name, enum msg legend, const enum msg *labels, int n, int chosen,
                   const char *const *values)
{
    web_html(r, "<fieldset class=\"field\"><legend>%s</legend>\n", web_t(r, legend));
    for (int i = 0; i < n; i++)
        web_html(r, "<div class=\"choice\"><input type=\"radio\" id=\"%s-%d\" name=\"%s\" value=\"%s\"%r required>"
                    "<label for=\"%s-%d\">%s</label></div>\n",
                 name, i, name, values[i], chosen == i ? " checked" : "", name, i, web_t(r, labels[i]));
    web_html(r, "</fieldset>\n");
}

static void visit_form(struct http_req *r, const struct inspection *v, bool bad_record)
{
    web_form_title(r, pc_arena_printf(&r->arena, web_t(r, M_INSPECT_VISIT_TITLE), v->case_ref), bad_record);
    const char *crumbs[] = {web_t(r, M_INSPECT_TITLE), VISITS, v->case_ref, NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    if (bad_record)
        web_html(r, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><p>%s</p></div>\n",
                 web_t(r, M_INSPECT_BAD_RECORD));
    web_html(r, "<h1>%s</h1>\n<dl class=\"facts\">\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n</dl>\n",
             pc_arena_printf(&r->arena, web_t(r, M_INSPECT_VISIT_TITLE), v->case_ref), web_t(r, M_INSPECT_ADDRESS),
             v->address, web_t(r, M_INSPECT_GIVEN), day_of(r, v->assigned_at));
    offline_script(r);
    /* the record's id: made here for a form sent at once; the script makes
     * a fresh one whenever the form is shown again (a page kept offline) */
    char client_id[33];
    pc_random_hex(client_id, 16);
    web_html(r, "<form method=\"post\" action=\"" VISITS "/%q?%r\" enctype=\"multipart/form-data\" "
                "class=\"inspect-form\" novalidate>\n<input type=\"hidden\" name=\"client_id\" value=\"%s\">\n"
                "<input type=\"hidden\" name=\"visited_at\" value=\"%L\">\n",
             v->id, web_csrf_query(r), client_id, (long long)pc_now_unix());
    const char *housing_values[INSPECT_HOUSING_COUNT], *condition_values[INSPECT_CONDITION_COUNT];
    for (int i = 0; i < INSPECT_HOUSING_COUNT; i++)
        housing_values[i] = inspect_housing_name((enum inspect_housing)i);
    for (int i = 0; i < INSPECT_CONDITION_COUNT; i++)
        condition_values[i] = inspect_condition_name((enum inspect_condition)i);
    int housing = inspect_housing_parse(http_kv_get(&r->form, "housing")),
        condition = inspect_condition_parse(http_kv_get(&r->form, "condition"));
    radios(r, "housing", M_INSPECT_HOUSING, housing_msgs, INSPECT_HOUSING_COUNT, housing, housing_values);
    radios(r, "condition", M_INSPECT_CONDITION, condition_msgs, INSPECT_CONDITION_COUNT, condition, condition_values);
    const char *rooms = http_kv_get(&r->form, "rooms");
    web_html(r, "<div class=\"field\"><label for=\"rooms\">%s</label>\n<input class=\"input input-short\" id=\"rooms\" "
                "name=\"rooms\" type=\"text\" inputmode=\"numeric\" pattern=\"[0-9]*\" maxlength=\"2\" value=\"%s\"></div>\n",
             web_t(r, M_INSPECT_ROOMS), rooms ? rooms : "");
    static const char *const utilities[] = {"water", "gas", "electricity", "heating"};
    static const enum msg utility_msgs[] = {M_INSPECT_WATER, M_INSPECT_GAS, M_INSPECT_ELECTRICITY, M_INSPECT_HEATING};
    web_html(r, "<fieldset class=\"field\"><legend>%s</legend>\n", web_t(r, M_INSPECT_UTILITIES));
    for (size_t i = 0; i < 4; i++)
        web_html(r, "<div class=\"checkbox\"><input type=\"checkbox\" id=\"%s\" name=\"%s\" value=\"1\"%r>"
                    "<label for=\"%s\">%s</label></div>\n",
                 utilities[i], utilities[i], http_kv_get(&r->form, utilities[i]) ? " checked" : "", utilities[i],
                 web_t(r, utility_msgs[i]));
    web_html(r, "</fieldset>\n<fieldset class=\"field\"><legend>%s</legend>\n", web_t(r, M_INSPECT_PRESENT));
    for (size_t i = 0; i < v->nmembers; i++) {
        const char *name = pc_arena_printf(&r->arena, "present_%s", v->members[i].fin);
        web_html(r, "<div class=\"checkbox\"><input type=\"checkbox\" id=\"%s\" name=\"%s\" value=\"1\"%r>"
                    "<label for=\"%s\">%s (FİN %s)</label></div>\n",
                 name, name, http_kv_get(&r->form, name) ? " checked" : "", name, v->members[i].name,
                 v->members[i].fin);
    }
    const char *notes = http_kv_get(&r->form, "notes");
    web_html(r, "</fieldset>\n<div class=\"field\"><label for=\"notes\">%s</label>\n"
                "<textarea class=\"input textarea\" id=\"notes\" name=\"notes\" rows=\"5\" maxlength=\"%d\">%s</textarea>"
                "</div>\n<div class=\"field\"><label for=\"photos\">%s</label>\n"
                "<input class=\"input\" id=\"photos\" name=\"photo\" type=\"file\" accept=\"image/jpeg,image/png\" "
                "capture=\"environment\" multiple></div>\n<button type=\"submit\">%s</button>\n</form>\n",
             web_t(r, M_INSPECT_NOTES), INSPECT_NOTES_MAX, notes ? notes : "", web_t(r, M_INSPECT_PHOTOS),
             web_t(r, M_INSPECT_SEND));
    web_page_end(r);
}

int web_page_inspect_visit(struct http_req *r)
{
    if (!inspector_only(r))
        return 0;
    struct inspection v;
    struct pc_err err = {0};
    int rc = inspect_get(app_of(r)->db, &r->arena, web_who(r), http_param(r, 0), &v, &err);
    if (rc)
        return web_fail(r, rc, &err);
    visit_form(r, &v, false);
    return 0;
}

/* The posted form as a record (strings in the request's arena); the
 * members are those of the visit that were ticked. */
static void posted_record(struct http_req *r, const struct inspection *v, struct inspect_record *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->client_id = http_kv_get(&r->form, "client_id");
    long long at = -1, rooms = -1;
    pc_parse_int(http_kv_get(&r->form, "visited_at"), 0, INT64_MAX, &at);
    const char *rooms_text = http_kv_get(&r->form, "rooms");
    if (rooms_text && !*rooms_text)
        rooms = 0;
    else
        pc_parse_int(rooms_text, 0, INSPECT_ROOMS_MAX, &rooms);
    rec->visited_at = at;
    rec->rooms = (int)rooms;
    int h = inspect_housing_parse(http_kv_get(&r->form, "housing")),
        c = inspect_condition_parse(http_kv_get(&r->form, "condition"));
    rec->housing = h < 0 ? INSPECT_HOUSING_COUNT : (enum inspect_housing)h;
    rec->condition = c < 0 ? INSPECT_CONDITION_COUNT : (enum inspect_condition)c;
    rec->water = http_kv_get(&r->form, "water") != NULL;
    rec->gas = http_kv_get(&r->form, "gas") != NULL;
    rec->electricity = http_kv_get(&r->form, "electricity") != NULL;
    rec->heating = http_kv_get(&r->form, "heating") != NULL;
    for (size_t i = 0; i < v->nmembers && rec->npresent < INSPECT_MEMBERS_MAX; i++)
        if (http_kv_get(&r->form, pc_arena_printf(&r->arena, "present_%s", v->members[i].fin)))
            rec->present[rec->npresent++] = v->members[i].fin;
    const char *notes = http_kv_get(&r->form, "notes");
    rec->notes = notes ? notes : "";
}

/* Whether the page's script sent the form (it wants JSON, not a page). */
static bool wants_json(struct http_req *r)
{
    const char *accept = http_header(r, "Accept");
    return accept && strstr(accept, "application/json");
}

int web_page_inspect_visit_post(struct http_req *r)
{
    if (!inspector_only(r))
        return 0;
    struct db *db = app_of(r)->db;
    const struct id_principal *who = web_who(r);
    struct inspection v;
    struct pc_err err = {0};
    int rc = inspect_get(db, &r->arena, who, http_param(r, 0), &v, &err);
    if (rc)
        return web_fail(r, rc, &err);
    struct inspect_record rec;
    posted_record(r, &v, &rec);
    enum inspect_sync outcome = INSPECT_SYNC_TAKEN;
    rc = inspect_sync(db, who, v.id, &rec, r->remote_addr, &outcome, &err);
    if (rc == PC_EINVAL) {
        if (wants_json(r))
            return http_problem(r, 422, "bad-record", web_t(r, M_INSPECT_BAD_RECORD), err.msg);
        r->status = 400;
        visit_form(r, &v, true);
        return 0;
    }
    if (rc)
        return web_fail(r, rc, &err);
    /* the photos, after the record: a photo refused never loses the record */
    int kept = 0, refused = 0;
    for (struct http_upload *u = r->uploads; u; u = u->next) {
        if (!u->size && !u->error)
            continue; /* an empty file input */
        struct case_file f;
        web_upload_file(u, &f);
        struct inspect_photo photo;
        bool repeated;
        struct pc_err perr = {0};
        int prc = u->error ? u->error
                           : inspect_photo_keep(db, who, v.id, web_upload_part(u), &f, r->remote_addr, &r->arena,
                                                &photo, &repeated, &perr);
        if (prc == 0)
            kept++;
        else if (prc == PC_EINVAL || prc == PC_ETOOBIG || prc == PC_ECONFLICT)
            refused++;
        else
            return web_fail(r, prc, &perr);
    }
    if (wants_json(r)) {
        http_reply_json(r, 200, pc_arena_printf(&r->arena, "{\"outcome\":\"%s\",\"photos\":%d,\"refused\":%d}",
                                                inspect_sync_name(outcome), kept, refused));
        return 0;
    }
    if (refused) {
        web_page_begin(r, web_t(r, M_INSPECT_TITLE));
        web_html(r, "<h1>%s</h1>\n<div class=\"notice\" role=\"status\"><p>%s</p></div>\n<p>%s</p>\n"
                    "<p><a href=\"" VISITS "\">%s</a></p>\n",
                 web_t(r, M_INSPECT_TITLE), web_t(r, sync_msgs[outcome]), web_t(r, M_INSPECT_BAD_PHOTO),
                 web_t(r, M_INSPECT_TITLE));
        web_page_end(r);
        return 0;
    }
    return http_redirect(r, 303, pc_arena_printf(&r->arena, VISITS "?synced=%s", inspect_sync_name(outcome)));
}

/* A photo of a visit: for its inspector here, for the agency's staff from the case page. */
int web_page_inspect_photo(struct http_req *r)
{
    struct inspect_photo photo;
    struct case_file_reader *rd;
    struct pc_err err = {0};
    int rc = inspect_photo_open(app_of(r)->db, app_of(r)->files, &r->arena, web_who(r), http_param(r, 0),
                                http_param(r, 1), &photo, &rd, &err);
    if (rc == PC_ENOTFOUND || rc == PC_EDENIED)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc)
        return web_fail(r, rc, &err);
    struct case_file info = {.size = photo.size, .name = pc_arena_printf(&r->arena, "%.12s.%s", photo.sha256,
                                                                          pc_str_eq(photo.type, "image/png") ? "png" : "jpg")};
    snprintf(info.sha256, sizeof info.sha256, "%s", photo.sha256);
    snprintf(info.mime, sizeof info.mime, "%s", photo.type);
    return web_send_stored_file(r, rd, &info);
}

/* The service worker, from /inspect/ so that its scope is the inspector's pages. */
int web_page_inspect_worker(struct http_req *r)
{
    int rc = http_serve_asset(r, "inspect-sw.js");
    http_set_header(r, "Cache-Control", "no-cache");
    return rc;
}

/* ---- the officer's case page ------------------------------------------------------- */

static void record_html(struct http_req *r, const struct inspection *v, const struct inspect_record *rec)
{
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd>%s%r</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
                "<dt>%s</dt><dd>%d</dd>\n<dt>%s</dt><dd>",
             web_t(r, M_INSPECT_VISITED), day_of(r, rec->visited_at),
             rec->late ? pc_arena_printf(&r->arena, " <span class=\"tag\">%s</span>", web_t(r, M_INSPECT_LATE)) : "",
             web_t(r, M_INSPECT_HOUSING), web_t(r, housing_msgs[rec->housing]), web_t(r, M_INSPECT_CONDITION),
             web_t(r, condition_msgs[rec->condition]), web_t(r, M_INSPECT_ROOMS), rec->rooms,
             web_t(r, M_INSPECT_UTILITIES));
    const bool on[] = {rec->water, rec->gas, rec->electricity, rec->heating};
    static const enum msg utility_msgs[] = {M_INSPECT_WATER, M_INSPECT_GAS, M_INSPECT_ELECTRICITY, M_INSPECT_HEATING};
    for (int i = 0; i < 4; i++)
        web_html(r, "%s%s: %s", i ? "; " : "", web_t(r, utility_msgs[i]), web_t(r, on[i] ? M_INSPECT_YES : M_INSPECT_NO));
    web_html(r, "</dd>\n<dt>%s</dt><dd><ul>\n", web_t(r, M_INSPECT_PRESENT));
    for (size_t i = 0; i < v->nmembers; i++) {
        bool met = false;
        for (size_t k = 0; k < rec->npresent; k++)
            met = met || pc_str_eq(rec->present[k], v->members[i].fin);
        web_html(r, "<li>%s (FİN %s): %s</li>\n", v->members[i].name, v->members[i].fin,
                 web_t(r, met ? M_INSPECT_MET : M_INSPECT_NOT_MET));
    }
    web_html(r, "</ul></dd>\n");
    if (*rec->notes)
        web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, M_INSPECT_NOTES), rec->notes);
    web_html(r, "</dl>\n");
}

void web_inspection_box(struct http_req *r, const struct case_app *app)
{
    struct db *db = app_of(r)->db;
    const struct id_principal *who = web_who(r);
    struct inspection v;
    struct pc_err err = {0};
    int rc = inspect_of_case(db, &r->arena, who, app->reference, r->remote_addr, &v, &err);
    const char **logins = NULL;
    size_t n = 0;
    if (rc == PC_ENOTFOUND && inspect_inspectors(db, &r->arena, app->agency_id, &logins, &n, &err) == 0 && n == 0)
        return; /* an agency without inspectors: no box */
    if (rc && rc != PC_ENOTFOUND) {
        pc_log(PC_LOG_WARN, "inspect.box_failed", "msg", err.msg, NULL);
        return;
    }
    web_html(r, "<h2 id=\"inspection\">%s</h2>\n", web_t(r, M_INSPECT_BOX));
    if (http_kv_get(&r->query, "inspection"))
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n", web_t(r, M_INSPECT_DONE));
    if (rc == 0) {
        web_html(r, "<p>%s</p>\n", pc_arena_printf(&r->arena, web_t(r, M_INSPECT_ASSIGNED_TO), v.inspector_login,
                                                   day_of(r, v.assigned_at)));
        if (!v.has_result) {
            web_html(r, "<p>%s</p>\n", web_t(r, M_INSPECT_WAITING));
        } else {
            web_html(r, "<h3>%s</h3>\n", web_t(r, M_INSPECT_RESULT));
            record_html(r, &v, &v.result);
        }
        if (v.nphotos) {
            web_html(r, "<ul class=\"photos\">\n");
            for (size_t i = 0; i < v.nphotos; i++)
                web_html(r, "<li><a href=\"/inspect/visits/%q/photos/%q\">%s %d</a></li>\n", v.id, v.photos[i].sha256,
                         web_t(r, M_INSPECT_PHOTOS), (int)i + 1);
            web_html(r, "</ul>\n");
        }
        if (v.nrevisions) {
            web_html(r, "<h3>%s</h3>\n", web_t(r, M_INSPECT_REVISIONS));
            for (size_t i = 0; i < v.nrevisions; i++)
                record_html(r, &v, &v.revisions[i]);
        }
    }
    if (case_state_decided(app->status) || (rc == 0 && v.state == INSPECT_DONE))
        return;
    if (!logins && inspect_inspectors(db, &r->arena, app->agency_id, &logins, &n, &err)) {
        pc_log(PC_LOG_WARN, "inspect.box_failed", "msg", err.msg, NULL);
        return;
    }
    if (n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_INSPECT_NO_INSPECTORS));
        return;
    }
    web_html(r, "<form method=\"post\" action=\"/office/cases/%s/inspection\">\n", app->reference);
    web_csrf_field(r);
    web_html(r, "<div class=\"field\"><label for=\"inspector\">%s</label>\n<select class=\"input\" id=\"inspector\" "
                "name=\"inspector\">\n", web_t(r, M_INSPECT_ASSIGN_LABEL));
    for (size_t i = 0; i < n; i++)
        web_html(r, "<option value=\"%s\"%r>%s</option>\n", logins[i],
                 rc == 0 && pc_str_eq(logins[i], v.inspector_login) ? " selected" : "", logins[i]);
    web_html(r, "</select></div>\n<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n",
             web_t(r, M_INSPECT_ASSIGN));
}

int web_page_office_inspection_post(struct http_req *r)
{
    const char *id;
    struct pc_err err = {0};
    if (!web_who(r))
        return http_redirect(r, 303, "/login");
    int rc = inspect_assign(app_of(r)->db, &r->arena, web_who(r), http_param(r, 0), http_kv_get(&r->form, "inspector"),
                            r->remote_addr, &id, &err);
    if (rc == PC_ENOTFOUND || rc == PC_EDENIED)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc == PC_EINVAL)
        return http_error(r, 400, "bad-form", "Bad request", err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/office/cases/%s?inspection=1#inspection",
                                                 http_param(r, 0)));
}

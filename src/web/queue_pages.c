/* queue_pages.c — the pages of the online queue, all without
 * JavaScript: the hall's display of a centre (the tickets called last and
 * their counters, how many wait; public, ticket numbers only, refreshed
 * by the Refresh header); the centres, a day's free slots of a service,
 * booking, moving and cancelling (a person logged in); and the desk of
 * the day (check-in, call the next person, no-show) for the staff of the
 * centre's agency.  The rules are in src/queue. */
#include "internal.h"
#include "../queue/queue.h"

#define DISPLAY_REFRESH "10"

int web_page_queue_display(struct http_req *r)
{
    struct pc_err err = {0};
    struct queue_centre c;
    struct queue_display d;
    int rc = queue_centre_get(app_of(r)->db, &r->arena, http_param(r, 0), &c, &err);
    if (!rc)
        rc = queue_display(app_of(r)->db, c.id, pc_now_unix(), &d, &err);
    if (rc)
        return web_fail(r, rc, &err);
    http_set_header(r, "Refresh", DISPLAY_REFRESH);
    const char *name = pc_text_get(&c.name, web_lang_id(r));
    web_page_begin(r, web_t(r, M_QUEUE_DISPLAY_TITLE));
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n", name, web_t(r, M_QUEUE_DISPLAY_TITLE));
    if (d.ncalled == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_QUEUE_DISPLAY_NONE));
    } else {
        web_html(r, "<table class=\"display\">\n<caption>%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
                    "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
                 web_t(r, M_QUEUE_DISPLAY_CALLED), web_t(r, M_QUEUE_TICKET), web_t(r, M_QUEUE_COUNTER));
        for (size_t i = 0; i < d.ncalled; i++)
            web_html(r, "<tr><td>%d</td><td>%d</td></tr>\n", d.called[i].ticket, d.called[i].counter);
        web_html(r, "</tbody>\n</table>\n");
    }
    web_html(r, "<p role=\"status\">%s: %L</p>\n", web_t(r, M_QUEUE_WAITING), (long long)d.waiting);
    web_page_end(r);
    return 0;
}

/* ---- booking a visit (a person logged in) ------------------------------------ */

static const char *local_time(struct http_req *r, const struct queue_centre *c, int64_t t)
{
    char ts[21];
    pc_rfc3339(t + (int64_t)c->utc_offset * 60, ts);
    return pc_arena_printf(&r->arena, "%.10s %.5s", ts, ts + 11);
}

/* The name of a service in the page's language (its id when unknown). */
static const char *service_name(struct http_req *r, const char *id)
{
    struct cat_service s;
    return cat_get_service(app_of(r)->db, &r->arena, id, &s, NULL) == 0 ? pc_text_get(&s.name, web_lang_id(r)) : id;
}

/* Whether the service is booked without login (a name and a phone). */
static bool without_login(struct http_req *r, const char *id)
{
    struct cat_service s;
    return cat_get_service(app_of(r)->db, &r->arena, id, &s, NULL) == 0 && s.login == CAT_LOGIN_NONE;
}

int web_page_queue(struct http_req *r)
{
    struct pc_err err = {0};
    struct queue_centre *cs;
    size_t n;
    int rc = queue_centre_list(app_of(r)->db, &r->arena, &cs, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_QUEUE_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_QUEUE_TITLE), web_t(r, M_QUEUE_LEAD));
    if (web_who(r))
        web_html(r, "<p><a href=\"/queue/bookings\">%s</a></p>\n", web_t(r, M_QUEUE_MINE));
    for (size_t i = 0; i < n; i++) {
        web_html(r, "<section class=\"card\">\n<h2>%s</h2>\n<p>%s</p>\n<ul>\n", pc_text_get(&cs[i].name, web_lang_id(r)),
                 pc_text_get(&cs[i].address, web_lang_id(r)));
        for (int k = 0; k < cs[i].counters; k++) {
            bool seen = false; /* a service served at several counters is listed once */
            for (int j = 0; j < k; j++)
                seen = seen || pc_str_eq(cs[i].service_of[j], cs[i].service_of[k]);
            if (!seen && cs[i].service_of[k])
                web_html(r, "<li><a href=\"/queue/centres/%s?service=%q\">%s</a></li>\n", cs[i].id, cs[i].service_of[k],
                         service_name(r, cs[i].service_of[k]));
        }
        web_html(r, "</ul>\n<p><a href=\"/queue/centres/%s/display\">%s</a></p>\n</section>\n", cs[i].id,
                 web_t(r, M_QUEUE_DISPLAY_TITLE));
    }
    web_page_end(r);
    return 0;
}

int web_page_queue_centre(struct http_req *r)
{
    struct pc_err err = {0};
    struct queue_centre c;
    int rc = queue_centre_get(app_of(r)->db, &r->arena, http_param(r, 0), &c, &err);
    if (rc)
        return web_fail(r, rc, &err);
    const char *service = http_kv_get(&r->query, "service"), *date = http_kv_get(&r->query, "date"),
               *move = http_kv_get(&r->query, "move");
    char days[QUEUE_DAYS_AHEAD][11];
    for (int d = 0; d < QUEUE_DAYS_AHEAD; d++)
        queue_local_day(&c, pc_now_unix() + (int64_t)d * 86400, days[d]);
    if (!date)
        date = days[1];
    struct queue_slot *slots;
    size_t n;
    if (!service || (rc = queue_slots(app_of(r)->db, &r->arena, c.id, service, date, &slots, &n, &err)))
        return web_fail(r, service ? rc : PC_EINVAL, service ? &err : NULL);
    const char *name = pc_text_get(&c.name, web_lang_id(r));
    web_page_begin(r, name);
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", service_name(r, service), name,
             pc_text_get(&c.address, web_lang_id(r)));
    web_html(r, "<form method=\"get\" action=\"/queue/centres/%s\" class=\"filters inline-filters\">\n"
                "<input type=\"hidden\" name=\"service\" value=\"%s\">\n", c.id, service);
    if (move)
        web_html(r, "<input type=\"hidden\" name=\"move\" value=\"%s\">\n", move);
    web_html(r, "<div class=\"field\"><label for=\"q-date\">%s</label>\n<select id=\"q-date\" name=\"date\">\n",
             web_t(r, M_QUEUE_DAY));
    for (int d = 0; d < QUEUE_DAYS_AHEAD; d++)
        web_html(r, "<option value=\"%s\"%r>%s</option>\n", days[d], pc_str_eq(days[d], date) ? " selected" : "", days[d]);
    web_html(r, "</select></div>\n<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_QUEUE_SHOW));
    size_t free_n = 0;
    for (size_t i = 0; i < n; i++)
        free_n += slots[i].free;
    if (!free_n) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_QUEUE_NO_SLOTS));
    } else if (!web_who(r) && (move || !without_login(r, service))) {
        web_html(r, "<p><a href=\"/login?next=/queue/centres/%s\">%s</a></p>\n", c.id, web_t(r, M_QUEUE_LOG_IN));
    } else {
        if (move)
            web_html(r, "<form method=\"post\" action=\"/queue/bookings/%s/move\">\n", move);
        else
            web_html(r, "<form method=\"post\" action=\"/queue/book\">\n");
        web_csrf_field(r);
        web_html(r, "<fieldset class=\"fieldset\">\n<legend class=\"legend\">%s</legend>\n", web_t(r, M_QUEUE_CHOOSE));
        bool first = true;
        for (size_t i = 0; i < n; i++) {
            if (!slots[i].free)
                continue;
            web_html(r, "<div class=\"choice\"><input type=\"radio\" id=\"s-%L\" name=\"slot\" value=\"%s\"%r>"
                        "<label for=\"s-%L\">%s, %s %d</label></div>\n", (long long)i, slots[i].id,
                     first ? " required" : "", (long long)i, local_time(r, &c, slots[i].start), web_t(r, M_QUEUE_COUNTER),
                     slots[i].counter);
            first = false;
        }
        web_html(r, "</fieldset>\n");
        if (!web_who(r)) { /* a service without login: a name and a phone instead */
            struct web_field f_name = {"name", web_t(r, M_COL_NAME), NULL, NULL, "text", "name", QUEUE_NAME_MAX};
            struct web_field f_phone = {"phone", web_t(r, M_QUEUE_PHONE), web_t(r, M_QUEUE_PHONE_HINT), NULL, "tel",
                                        "tel", 16};
            web_text_field(r, &f_name, NULL, 0);
            web_text_field(r, &f_phone, NULL, 0);
        }
        web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, move ? M_QUEUE_MOVE : M_QUEUE_BOOK));
    }
    web_page_end(r);
    return 0;
}

/* The words of a booking's state (the messages follow enum queue_state). */
static const char *state_label(struct http_req *r, enum queue_state st)
{
    _Static_assert(M_QUEUE_STATE_NO_SHOW - M_QUEUE_STATE_BOOKED == QUEUE_NO_SHOW - QUEUE_BOOKED &&
                       QUEUE_NO_SHOW + 1 == QUEUE_STATE_COUNT, "a message per state, in order");
    return web_t(r, (enum msg)(M_QUEUE_STATE_BOOKED + (int)st));
}

/* Who books or looks: the person logged in, or (a service without login)
 * the name and phone of the form, or the phone of the address. */
static struct queue_booker page_booker(struct http_req *r)
{
    struct queue_booker b = {.who = web_who(r), .lang = web_lang_id(r)};
    if (!b.who) {
        b.name = http_kv_get(&r->form, "name");
        b.phone = http_kv_get(&r->form, "phone");
        if (!b.phone)
            b.phone = http_kv_get(&r->query, "phone");
    }
    return b;
}

/* The booking's page; without login, its phone goes along. */
static int to_booking(struct http_req *r, const char *code, const struct queue_booker *b)
{
    struct pc_buf u;
    pc_buf_init(&u, 256);
    pc_buf_printf(&u, "/queue/bookings/%s", code);
    if (!b->who && b->phone) {
        pc_buf_puts(&u, "?phone=");
        pc_buf_urlencode(&u, b->phone);
    }
    int rc = http_redirect(r, 303, pc_arena_strdup(&r->arena, u.data));
    pc_buf_release(&u);
    return rc;
}

int web_page_queue_book_post(struct http_req *r)
{
    if (!web_who(r) && !http_kv_get(&r->form, "phone") && !web_require(r, ID_ACT_VOTE, NULL))
        return 0;
    struct queue_booker b = page_booker(r);
    struct pc_err err = {0};
    struct queue_booking bk;
    const char *slot = http_kv_get(&r->form, "slot");
    int rc = queue_book(app_of(r)->db, &b, slot ? slot : "", r->remote_addr, &r->arena, &bk, &err);
    return rc ? web_fail(r, rc, &err) : to_booking(r, bk.code, &b);
}

int web_page_queue_booking(struct http_req *r)
{
    struct queue_booker b = page_booker(r);
    if (!b.who && !b.phone && !web_require(r, ID_ACT_VOTE, NULL))
        return 0;
    struct pc_err err = {0};
    struct queue_booking bk;
    struct queue_centre c;
    int rc = queue_booking_get(app_of(r)->db, &r->arena, http_param(r, 0), &bk, &err);
    if (!rc && !queue_booking_mine(&bk, &b))
        rc = pc_err_set(&err, PC_ENOTFOUND, "no such booking");
    if (!rc)
        rc = queue_centre_get(app_of(r)->db, &r->arena, bk.centre, &c, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_QUEUE_BOOKING));
    web_html(r, "<h1>%s</h1>\n<dl class=\"facts\">\n<dt>%s</dt><dd class=\"code\">%s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
                "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s, %s %d</dd>\n<dt>%s</dt><dd>%s</dd>\n</dl>\n",
             web_t(r, M_QUEUE_BOOKING), web_t(r, M_QUEUE_CODE), bk.code, web_t(r, M_QUEUE_CENTRE),
             pc_text_get(&c.name, web_lang_id(r)), web_t(r, M_RESULT_SERVICE), service_name(r, bk.service),
             web_t(r, M_QUEUE_TIME), local_time(r, &c, bk.start), web_t(r, M_QUEUE_COUNTER), bk.counter,
             web_t(r, M_APP_STATUS), state_label(r, bk.state));
    if (bk.state == QUEUE_BOOKED) {
        if (b.who)
            web_html(r, "<p><a href=\"/queue/centres/%s?service=%q&amp;move=%s\">%s</a></p>\n", bk.centre,
                     bk.service, bk.code, web_t(r, M_QUEUE_MOVE));
        web_html(r, "<form method=\"post\" action=\"/queue/bookings/%s/cancel\">\n", bk.code);
        web_csrf_field(r);
        if (!b.who)
            web_html(r, "<input type=\"hidden\" name=\"phone\" value=\"%s\">\n", b.phone);
        web_html(r, "<button type=\"submit\" class=\"warning\">%s</button>\n</form>\n", web_t(r, M_QUEUE_CANCEL));
    }
    if (b.who)
        web_html(r, "<p><a href=\"/queue/bookings\">%s</a></p>\n", web_t(r, M_QUEUE_MINE));
    web_page_end(r);
    return 0;
}

int web_page_queue_mine(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VOTE, NULL))
        return 0;
    struct pc_err err = {0};
    struct queue_booking *list;
    size_t n;
    int rc = queue_bookings_of(app_of(r)->db, &r->arena, web_who(r)->fin, pc_now_unix(), &list, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_QUEUE_MINE));
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_QUEUE_MINE));
    if (!n)
        web_html(r, "<p>%s <a href=\"/queue\">%s</a></p>\n", web_t(r, M_QUEUE_MINE_NONE), web_t(r, M_QUEUE_TITLE));
    else
        web_html(r, "<ul class=\"items\">\n");
    for (size_t i = 0; i < n; i++) {
        struct queue_centre c;
        if ((rc = queue_centre_get(app_of(r)->db, &r->arena, list[i].centre, &c, &err)))
            return web_fail(r, rc, &err);
        web_html(r, "<li><a href=\"/queue/bookings/%s\">%s, %s</a> <span class=\"tag\">%s</span></li>\n", list[i].code,
                 local_time(r, &c, list[i].start), pc_text_get(&c.name, web_lang_id(r)), state_label(r, list[i].state));
    }
    if (n)
        web_html(r, "</ul>\n");
    web_page_end(r);
    return 0;
}

int web_page_queue_cancel_post(struct http_req *r)
{
    struct queue_booker b = page_booker(r);
    if (!b.who && !b.phone && !web_require(r, ID_ACT_VOTE, NULL))
        return 0;
    struct pc_err err = {0};
    int rc = queue_cancel(app_of(r)->db, &b, http_param(r, 0), r->remote_addr, &err);
    return rc ? web_fail(r, rc, &err) : to_booking(r, http_param(r, 0), &b);
}

int web_page_queue_move_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VOTE, NULL))
        return 0;
    struct queue_booker b = page_booker(r);
    struct pc_err err = {0};
    struct queue_booking bk;
    const char *slot = http_kv_get(&r->form, "slot");
    int rc = queue_move(app_of(r)->db, &b, http_param(r, 0), slot ? slot : "", r->remote_addr, &r->arena, &bk, &err);
    return rc ? web_fail(r, rc, &err) : to_booking(r, bk.code, &b);
}

/* ---- the desk (the staff of the centre's agency) ------------------------------- */

int web_page_queue_desk(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    struct pc_err err = {0};
    struct queue_centre c;
    int rc = queue_centre_get(app_of(r)->db, &r->arena, http_param(r, 0), &c, &err);
    if (rc)
        return web_fail(r, rc, &err);
    char today[11];
    queue_local_day(&c, pc_now_unix(), today);
    struct queue_booking *list;
    size_t n;
    if ((rc = queue_day(app_of(r)->db, web_who(r), &r->arena, c.id, today, &list, &n, &err)))
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_QUEUE_DESK));
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n<p class=\"lead\">%s</p>\n",
             pc_text_get(&c.name, web_lang_id(r)), web_t(r, M_QUEUE_DESK), today);
    web_html(r, "<form method=\"post\" action=\"/queue/centres/%s/desk/call\" class=\"filters inline-filters\">\n", c.id);
    web_csrf_field(r);
    web_html(r, "<div class=\"field\"><label for=\"d-counter\">%s</label>\n<select id=\"d-counter\" name=\"counter\">\n",
             web_t(r, M_QUEUE_COUNTER));
    for (int k = 1; k <= c.counters; k++)
        web_html(r, "<option value=\"%d\">%d</option>\n", k, k);
    web_html(r, "</select></div>\n<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_QUEUE_CALL_NEXT));
    if (n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_QUEUE_DESK_NONE));
        web_page_end(r);
        return 0;
    }
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "</tr></thead>\n<tbody>\n", web_t(r, M_QUEUE_DESK), web_t(r, M_QUEUE_DESK), web_t(r, M_QUEUE_TIME),
             web_t(r, M_QUEUE_CODE), web_t(r, M_APP_STATUS), web_t(r, M_QUEUE_TICKET), web_t(r, M_QUEUE_ACTION));
    int64_t now = pc_now_unix();
    for (size_t i = 0; i < n; i++) {
        const struct queue_booking *b = &list[i];
        web_html(r, "<tr><td>%s</td><td class=\"code\">%s</td><td>%s</td><td>%r</td><td>", local_time(r, &c, b->start),
                 b->code, state_label(r, b->state),
                 b->ticket ? pc_arena_printf(&r->arena, "%d", b->ticket) : "");
        if (b->state == QUEUE_BOOKED) {
            bool past = b->start < now;
            web_html(r, "<form method=\"post\" action=\"/queue/centres/%s/desk/%s\">", c.id, past ? "no-show" : "check-in");
            web_csrf_field(r);
            web_html(r, "<input type=\"hidden\" name=\"code\" value=\"%s\"><button type=\"submit\">%s"
                        "<span class=\"visually-hidden\"> — %s</span></button></form>", b->code,
                     web_t(r, past ? M_QUEUE_NO_SHOW : M_QUEUE_CHECK_IN), b->code);
        }
        web_html(r, "</td></tr>\n");
    }
    web_html(r, "</tbody>\n</table>\n</div>\n");
    web_page_end(r);
    return 0;
}

int web_page_queue_desk_post(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    const char *centre = http_param(r, 0), *action = http_param(r, 1), *code = http_kv_get(&r->form, "code");
    struct pc_err err = {0};
    int rc;
    if (pc_str_eq(action, "check-in")) {
        int ticket;
        rc = queue_check_in(app_of(r)->db, web_who(r), centre, code ? code : "", r->remote_addr, &ticket, &err);
    } else if (pc_str_eq(action, "no-show")) {
        rc = queue_no_show(app_of(r)->db, web_who(r), centre, code ? code : "", r->remote_addr, &err);
    } else if (pc_str_eq(action, "call")) {
        long long counter = 0;
        struct queue_booking bk;
        rc = pc_parse_int(http_kv_get(&r->form, "counter"), 1, QUEUE_COUNTERS_MAX, &counter) ? PC_EINVAL : 0;
        if (rc)
            pc_err_set(&err, rc, "a counter's number");
        else
            rc = queue_call_next(app_of(r)->db, web_who(r), centre, (int)counter, r->remote_addr, &r->arena, &bk, &err);
    } else {
        rc = pc_err_set(&err, PC_ENOTFOUND, "no such action");
    }
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/queue/centres/%s/desk", centre));
}

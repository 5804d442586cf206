/* api_queue.c — the JSON API of the online queue: centres, a day's slots
 * of a service, booking (bearer token, or a name and a phone for a
 * service without login), reading, moving and cancelling a booking, and
 * the centre staff's desk (the day's list, check-in, calling the next
 * person, no-shows) and closing a day.  The rules are in src/queue. */
#include "internal.h"
#include "../queue/queue.h"

#include <string.h>

static json_t *booking_json(struct http_req *r, const struct queue_booking *b)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:s}", "code", b->code, "slot", b->slot, "centre",
                          b->centre, "service", b->service, "date", b->day, "start", web_json_time(b->start),
                          "counter", b->counter, "state", queue_state_name(b->state));
    if (b->ticket)
        json_object_set_new(j, "ticket", json_integer(b->ticket));
    json_object_set_new(j, "links", json_pack("{s:s}", "self",
                                              pc_arena_printf(&r->arena, "/api/v1/queue/bookings/%s", b->code)));
    return j;
}

/* Who books: the bearer's person, or a name and phone from the body (or
 * the query, for DELETE). */
static struct queue_booker booker(struct http_req *r, const json_t *body)
{
    struct queue_booker b = {.who = web_who(r), .lang = web_lang_id(r)};
    if (!b.who) {
        b.name = json_string_value(json_object_get(body, "name"));
        b.phone = body ? json_string_value(json_object_get(body, "phone")) : http_kv_get(&r->query, "phone");
        b.email = json_string_value(json_object_get(body, "email"));
    }
    return b;
}

int web_api_queue_centres(struct http_req *r)
{
    struct pc_err err = {0};
    struct queue_centre *cs;
    size_t n;
    int rc = queue_centre_list(app_of(r)->db, &r->arena, &cs, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *counters = json_array();
        for (int k = 0; k < cs[i].counters; k++)
            json_array_append_new(counters, json_pack("{s:i, s:o}", "number", k + 1, "service",
                                                      cs[i].service_of[k] ? json_string(cs[i].service_of[k])
                                                                          : json_null()));
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:i, s:o}", "id", cs[i].id, "name",
                                               pc_text_get(&cs[i].name, web_lang_id(r)), "address",
                                               pc_text_get(&cs[i].address, web_lang_id(r)), "slot_minutes",
                                               cs[i].slot_minutes, "counters", counters));
    }
    return web_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int web_api_queue_slots(struct http_req *r)
{
    const char *centre = http_kv_get(&r->query, "centre"), *service = http_kv_get(&r->query, "service"),
               *date = http_kv_get(&r->query, "date");
    if (!centre || !service || !date)
        return http_problem(r, 400, "bad-request", "Bad request", "centre, service and date are required");
    struct pc_err err = {0};
    struct queue_slot *slots;
    size_t n;
    int rc = queue_slots(app_of(r)->db, &r->arena, centre, service, date, &slots, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:s, s:o, s:b, s:i}", "id", slots[i].id, "start",
                                               web_json_time(slots[i].start), "free", slots[i].free, "counter",
                                               slots[i].counter));
    return web_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int web_api_queue_book(struct http_req *r)
{
    json_t *b = web_body_object(r);
    const char *slot = b ? json_string_value(json_object_get(b, "slot")) : NULL;
    if (!slot)
        return http_problem(r, 400, "bad-request", "Bad request", "send {\"slot\": a slot's id}");
    struct queue_booker who = booker(r, b);
    struct pc_err err = {0};
    struct queue_booking bk;
    int rc = queue_book(app_of(r)->db, &who, slot, r->remote_addr, &r->arena, &bk, &err);
    if (rc)
        return web_fail(r, rc, &err);
    http_set_header(r, "Location", pc_arena_printf(&r->arena, "/api/v1/queue/bookings/%s", bk.code));
    return web_reply_json(r, 201, booking_json(r, &bk));
}

int web_api_queue_booking(struct http_req *r)
{
    struct queue_booker who = booker(r, NULL);
    struct pc_err err = {0};
    struct queue_booking bk;
    int rc = queue_booking_get(app_of(r)->db, &r->arena, http_param(r, 0), &bk, &err);
    if (!rc && !queue_booking_mine(&bk, &who))
        rc = pc_err_set(&err, PC_ENOTFOUND, "no such booking");
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 200, booking_json(r, &bk));
}

int web_api_queue_cancel(struct http_req *r)
{
    struct queue_booker who = booker(r, NULL);
    struct pc_err err = {0};
    int rc = queue_cancel(app_of(r)->db, &who, http_param(r, 0), r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    if (strcmp(r->method, "DELETE") == 0) {
        r->status = 204;
        return 0;
    }
    return http_reply_json(r, 200, "{\"state\":\"cancelled\"}");
}

int web_api_queue_move(struct http_req *r)
{
    json_t *b = web_body_object(r);
    const char *slot = b ? json_string_value(json_object_get(b, "slot")) : NULL;
    if (!slot)
        return http_problem(r, 400, "bad-request", "Bad request", "send {\"slot\": a slot's id}");
    struct queue_booker who = booker(r, b);
    struct pc_err err = {0};
    struct queue_booking bk;
    int rc = queue_move(app_of(r)->db, &who, http_param(r, 0), slot, r->remote_addr, &r->arena, &bk, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 200, booking_json(r, &bk));
}

/* ---- the desk (centre staff) ------------------------------------------------ */

int web_api_queue_day(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    const char *date = http_kv_get(&r->query, "date");
    if (!date)
        return http_problem(r, 400, "bad-request", "Bad request", "date (YYYY-MM-DD) is required");
    struct pc_err err = {0};
    struct queue_booking *list;
    size_t n;
    int rc = queue_day(app_of(r)->db, web_who(r), &r->arena, http_param(r, 0), date, &list, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, booking_json(r, &list[i]));
    return web_reply_json(r, 200, json_pack("{s:s, s:o}", "date", date, "items", items));
}

int web_api_queue_check_in(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    const char *code = b ? json_string_value(json_object_get(b, "code")) : NULL;
    if (!code)
        return http_problem(r, 400, "bad-request", "Bad request", "send {\"code\": a booking's code}");
    struct pc_err err = {0};
    int ticket;
    int rc = queue_check_in(app_of(r)->db, web_who(r), http_param(r, 0), code, r->remote_addr, &ticket, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 200, json_pack("{s:s, s:i}", "code", code, "ticket", ticket));
}

int web_api_queue_call(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    json_t *counter = b ? json_object_get(b, "counter") : NULL;
    if (!json_is_integer(counter))
        return http_problem(r, 400, "bad-request", "Bad request", "send {\"counter\": a counter's number}");
    struct pc_err err = {0};
    struct queue_booking bk;
    int rc = queue_call_next(app_of(r)->db, web_who(r), http_param(r, 0), (int)json_integer_value(counter),
                             r->remote_addr, &r->arena, &bk, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 200, booking_json(r, &bk));
}

int web_api_queue_no_show(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    const char *code = b ? json_string_value(json_object_get(b, "code")) : NULL;
    if (!code)
        return http_problem(r, 400, "bad-request", "Bad request", "send {\"code\": a booking's code}");
    struct pc_err err = {0};
    int rc = queue_no_show(app_of(r)->db, web_who(r), http_param(r, 0), code, r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_reply_json(r, 200, "{\"state\":\"no_show\"}");
}

int web_api_queue_holiday(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    const char *day = b ? json_string_value(json_object_get(b, "date")) : NULL;
    const char *reason = b ? json_string_value(json_object_get(b, "reason")) : NULL;
    if (!day || !reason)
        return http_problem(r, 400, "bad-request", "Bad request", "send {\"date\", \"reason\"}");
    struct pc_err err = {0};
    int64_t told;
    int rc = queue_holiday_add(app_of(r)->db, web_who(r), http_param(r, 0), day, reason, r->remote_addr, &told, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 200, json_pack("{s:s, s:I}", "date", day, "cancelled", (json_int_t)told));
}

/* ---- centres (operators, the agency's administrators) ------------------------ */

/* A centre from {"name", "address", "agency", "slot_minutes", "utc_offset",
 * "counters": [service ids], "hours": [[opens, closes] × 7, minutes]}. */
static int centre_from(struct http_req *r, const json_t *b, struct queue_centre *c)
{
    memset(c, 0, sizeof *c);
    c->id = http_param(r, 0);
    c->agency_id = json_string_value(json_object_get(b, "agency"));
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        const char *code = pc_lang_code((enum pc_lang)l);
        c->name.s[l] = json_string_value(json_object_get(json_object_get(b, "name"), code));
        c->address.s[l] = json_string_value(json_object_get(json_object_get(b, "address"), code));
    }
    c->slot_minutes = (int)json_integer_value(json_object_get(b, "slot_minutes"));
    c->utc_offset = (int)json_integer_value(json_object_get(b, "utc_offset"));
    const json_t *counters = json_object_get(b, "counters"), *hours = json_object_get(b, "hours");
    if (!json_is_array(counters) || json_array_size(counters) > QUEUE_COUNTERS_MAX || !json_is_array(hours) ||
        json_array_size(hours) != 7)
        return http_problem(r, 400, "bad-request", "Bad request", "counters: service ids; hours: 7 [opens, closes]");
    c->counters = (int)json_array_size(counters);
    c->service_of = pc_arena_array(&r->arena, json_array_size(counters) + 1, sizeof *c->service_of);
    for (size_t i = 0; i < json_array_size(counters); i++)
        c->service_of[i] = json_string_value(json_array_get(counters, i));
    for (int d = 0; d < 7; d++) {
        const json_t *h = json_array_get(hours, (size_t)d);
        c->week[d].opens = (int)json_integer_value(json_array_get(h, 0));
        c->week[d].closes = (int)json_integer_value(json_array_get(h, 1));
    }
    return 1;
}

int web_api_queue_centre_put(struct http_req *r)
{
    if (!web_logged_in(r))
        return 0;
    json_t *b = web_body_object(r);
    if (!b)
        return http_problem(r, 400, "bad-json", "Body is not a JSON object", NULL);
    struct queue_centre c;
    if (centre_from(r, b, &c) != 1)
        return 0;
    struct pc_err err = {0};
    int rc = queue_centre_put(app_of(r)->db, web_who(r), &c, r->remote_addr, &err);
    char today[11];
    int64_t made = 0;
    queue_local_day(&c, pc_now_unix(), today);
    if (!rc)
        rc = queue_slots_generate(app_of(r)->db, c.id, today, QUEUE_DAYS_AHEAD, &made, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 200, json_pack("{s:s, s:I}", "id", c.id, "slots_made", (json_int_t)made));
}

/* link.c — the phone's link to the service: the three requests of the
 * SIM API (fetch the waiting requests, claim a scanned QR code, answer),
 * each signed with the SIM's channel key (net.c sends them). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One request signed by the SIM; the answer's JSON object (arena). */
static int call(struct mid_sim *s, const char *base_url, struct pc_arena *a, const char *method, const char *target,
                const char *body, int wait_ms, json_t **out, struct pc_err *err)
{
    char auth[320] = "Authorization: ";
    int rc = mid_sim_sign_request(s, method, target, body, body ? strlen(body) : 0, pc_now_unix(), auth + 15,
                                  sizeof auth - 15, err);
    const char *headers[] = {auth, NULL};
    return rc ? rc : mi_http_json(a, method, pc_arena_printf(a, "%s%s", base_url, target), headers, body, wait_ms,
                                  out, err);
}

int mid_link_fetch(struct mid_sim *s, const char *base_url, struct pc_arena *a, int wait_ms,
                   struct mid_request_view **out, size_t *n, struct pc_err *err)
{
    json_t *j;
    char target[64];
    snprintf(target, sizeof target, "/mid/sim/v1/requests?timeoutMs=%d", wait_ms > 0 ? wait_ms : 0);
    int rc = call(s, base_url, a, "GET", target, NULL, wait_ms, &j, err);
    if (rc)
        return rc;
    json_t *list = json_object_get(j, "requests");
    if (!json_is_array(list))
        return pc_err_set(err, PC_EIO, "the service's answer has no requests");
    *n = json_array_size(list);
    *out = pc_arena_array(a, *n ? *n : 1, sizeof **out);
    for (size_t i = 0; i < *n; i++)
        if ((rc = mi_view_from_json(a, json_array_get(list, i), &(*out)[i], err)))
            return rc;
    return 0;
}

int mid_link_scan(struct mid_sim *s, const char *base_url, struct pc_arena *a, const char *text,
                  struct mid_request_view *out, struct pc_err *err)
{
    char code[MID_QR_CODE_CHARS + 1];
    int rc = mid_parse_qr(text, strlen(text), code, err);
    if (rc)
        return rc;
    json_t *body = json_pack("{s:s}", "code", code), *j;
    char *s_body = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s_body)
        pc_oom(0);
    rc = call(s, base_url, a, "POST", "/mid/sim/v1/qr", s_body, 0, &j, err);
    free(s_body);
    return rc ? rc : mi_view_from_json(a, j, out, err);
}

int mid_link_answer(struct mid_sim *s, const char *base_url, struct pc_arena *a, const char *id,
                    const struct mid_answer *ans, const char **result, struct pc_err *err)
{
    static const char *const words[] = {"signature", "refuse", "pin-blocked"};
    json_t *body = json_pack("{s:s}", "answer", words[ans->kind]), *j;
    if (ans->kind == MID_ANSWER_SIGNATURE)
        json_object_set_new(body, "signature", json_string(mi_b64url(a, ans->sig, ans->sig_len)));
    char *s_body = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s_body)
        pc_oom(0);
    char *target = pc_arena_printf(a, "/mid/sim/v1/requests/%s", id);
    int rc = call(s, base_url, a, "POST", target, s_body, 0, &j, err);
    free(s_body);
    if (rc)
        return rc;
    *result = pc_arena_strdup(a, json_string_value(json_object_get(j, "result")));
    return *result ? 0 : pc_err_set(err, PC_EIO, "the service's answer has no result");
}

/* fuzz_xr_id.c — the exchange layer's identifiers and the message
 * protocol's headers on arbitrary bytes: xr_id_parse (every kind, with
 * and without percent-decoding), xr_target_parse, xr_rest_path_check,
 * xr_meta_ids and xr_header_forwardable.  The first byte picks the kind;
 * the rest, split at NULs, gives the identifier, then the message id,
 * user id and issue.
 * Invariants: only PC_EINVAL as an error; a parsed identifier has parts
 * of allowed characters, writes (plain and percent-encoded) to text that
 * parses back to the same identifier; an accepted REST target's remainder
 * starts with '/' or '?' or is empty; a path that passes the check holds
 * no ".." segment; accepted ids fit their limits. */
#include "fuzz_common.h"

#include "../../src/exchange/id.c"
#include "../../src/exchange/headers.c"

static void parts_ok(const struct xr_id *id)
{
    const char *parts[] = {id->instance, id->cls, id->member, id->subsystem, id->code};
    for (size_t i = 0; i < 5; i++)
        for (const char *p = parts[i]; *p; p++)
            FUZZ_CHECK(xr_id_char_ok((unsigned char)*p));
}

static void roundtrip(const struct xr_id *id, enum xr_id_kind kind)
{
    parts_ok(id);
    for (int pct = 0; pct < 2; pct++) {
        struct pc_buf b;
        pc_buf_init(&b, 4 * XR_ID_MAX);
        xr_id_write(&b, id, pct);
        struct xr_id again;
        struct pc_err err = {0};
        FUZZ_CHECK(xr_id_parse(b.data, b.len, kind, pct, &again, &err) == 0);
        FUZZ_CHECK(xr_id_eq(id, &again));
        pc_buf_release(&b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum xr_id_kind kind = (enum xr_id_kind)(data[0] % 6);
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = 0;
    const char *field[4] = {buf, NULL, NULL, NULL};
    size_t nf = 1;
    for (size_t i = 0; i + 1 < size && nf < 4; i++)
        if (buf[i] == 0)
            field[nf++] = buf + i + 1;
    size_t n = strlen(buf);

    struct pc_err err = {0};
    struct xr_id id;
    for (int pct = 0; pct < 2; pct++) {
        int rc = xr_id_parse(buf, n, kind, pct, &id, &err);
        FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
        if (rc == 0)
            roundtrip(&id, kind == XR_ID_CLIENT ? XR_ID_CLIENT : kind);
    }

    const char *rest;
    int rc = xr_target_parse(buf, &id, &rest, &err);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    if (rc == 0) {
        FUZZ_CHECK(id.kind == XR_ID_SERVICE);
        FUZZ_CHECK(!*rest || *rest == '/' || *rest == '?');
        roundtrip(&id, XR_ID_SERVICE);
    }
    rc = xr_rest_path_check(buf, &err);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    if (rc == 0) {
        const char *q = strchr(buf, '?');
        size_t plen = q ? (size_t)(q - buf) : n;
        for (size_t i = 0; i + 2 < plen; i++)
            FUZZ_CHECK(!(buf[i] == '/' && buf[i + 1] == '.' && buf[i + 2] == '.' &&
                         (i + 3 == plen || buf[i + 3] == '/')));
    }

    struct xr_meta m;
    enum xr_fault f;
    memset(&m, 0, sizeof m);
    rc = xr_meta_ids(&m, field[1], field[2], field[3], &f, &err);
    FUZZ_CHECK(rc == 0 || (rc == PC_EINVAL && f == XR_FAULT_INVALID_HEADER));
    if (rc == 0) {
        FUZZ_CHECK(f == XR_FAULT_NONE);
        FUZZ_CHECK(strlen(m.id) >= 1 && strlen(m.id) <= XR_MSGID_MAX);
        FUZZ_CHECK(strlen(m.user_id) <= XR_USERID_MAX && strlen(m.issue) <= XR_ISSUE_MAX);
    }
    if (xr_header_forwardable(buf, field[1]))
        FUZZ_CHECK(strncasecmp(buf, "X-Road-", 7) != 0 && strcasecmp(buf, "Connection") != 0);
    free(buf);
    return 0;
}

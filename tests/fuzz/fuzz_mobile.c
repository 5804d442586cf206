/* fuzz_mobile.c — every body of the mobile-signature API that comes from
 * outside, through src/mobile/parse.c: the first byte picks the parser
 * (a relying party's certificate, authentication, signature and QR
 * requests; the phone's answer; a QR code; the SIM's enrolment text and
 * the desk's enrolment body; the SIM's Authorization header; a request
 * view as the phone reads it), the rest is the input.
 * Invariants: only 0 or PC_EINVAL/PC_ETOOBIG/PC_EDENIED (never a crash or
 * another code); what is accepted is within the limits (a normalised
 * phone number, a hash of its type's length, names within their lengths,
 * a QR code of 16 base32 letters, a signature within MID_SIG_MAX); the
 * same input gives the same answer twice. */
#include "fuzz_common.h"

#include "../../src/mobile/parse.c"

#include <string.h>

static bool bad_code(int rc)
{
    return rc != 0 && rc != PC_EINVAL && rc != PC_ETOOBIG && rc != PC_EDENIED;
}

static void check_start(const struct mid_start *s, enum mid_request kind)
{
    FUZZ_CHECK(s->rp_name && strlen(s->rp_name) <= 4 * MID_RP_NAME_MAX);
    if (kind != MID_REQ_QR) {
        char again[MID_PHONE_MAX + 1];
        FUZZ_CHECK(mid_phone_normalize(s->phone, again) && strcmp(again, s->phone) == 0);
        FUZZ_CHECK(strlen(s->fin) == 7);
    }
    if (kind != MID_REQ_CERTIFICATE)
        FUZZ_CHECK(s->hash_len == mid_hash_len(s->hash_type));
    FUZZ_CHECK((unsigned)s->lang < PC_LANG_COUNT);
}

static int once(struct pc_arena *a, unsigned which, const char *s, size_t n)
{
    struct pc_err err = {0};
    int rc;
    switch (which % 9) {
    case 0:
    case 1:
    case 2:
    case 3: {
        struct mid_start st;
        rc = mid_parse_start(a, (enum mid_request)(which % 9), s, n, &st, &err);
        if (!rc)
            check_start(&st, (enum mid_request)(which % 9));
        break;
    }
    case 4: {
        struct mid_answer ans;
        rc = mid_parse_answer(s, n, &ans, &err);
        if (!rc)
            FUZZ_CHECK(ans.kind != MID_ANSWER_SIGNATURE || (ans.sig_len > 0 && ans.sig_len <= MID_SIG_MAX));
        break;
    }
    case 5: {
        char code[MID_QR_CODE_CHARS + 1];
        rc = mid_parse_qr(s, n, code, &err);
        if (!rc) {
            FUZZ_CHECK(strlen(code) == MID_QR_CODE_CHARS);
            FUZZ_CHECK(strspn(code, mi_base32) == MID_QR_CODE_CHARS);
        }
        break;
    }
    case 6: {
        struct mid_enrolment e = {0};
        rc = which & 0x10 ? mid_parse_enrolment(a, s, n, &e, &err) : mid_parse_enrolment_text(a, s, n, &e, &err);
        if (!rc)
            FUZZ_CHECK(strstr(e.auth_csr, "-----END CERTIFICATE REQUEST-----") &&
                       strstr(e.channel_key, "-----END PUBLIC KEY-----"));
        break;
    }
    case 7: {
        char *h = pc_arena_strndup(a, s, n);
        struct mid_sim_auth au;
        rc = mid_parse_sim_auth(h, &au, &err);
        if (!rc)
            FUZZ_CHECK(au.phone[0] == '+' && au.sig_len > 0 && au.sig_len <= sizeof au.sig);
        break;
    }
    default: {
        struct mid_request_view v;
        rc = mid_parse_request_view(a, s, n, &v, &err);
        if (!rc)
            FUZZ_CHECK(v.hash_len == mid_hash_len(v.hash_type) && strlen(v.id) <= MID_SESSION_ID_CHARS);
        break;
    }
    }
    FUZZ_CHECK(!bad_code(rc));
    FUZZ_CHECK(rc == 0 || err.msg[0]);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct pc_arena a;
    pc_arena_init(&a);
    const char *s = (const char *)data + 1;
    int rc = once(&a, data[0], s, size - 1);
    FUZZ_CHECK(once(&a, data[0], s, size - 1) == rc);
    pc_arena_release(&a);
    return 0;
}

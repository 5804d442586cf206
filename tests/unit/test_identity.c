/* test_identity.c — unit tests of src/identity: FİNs typed in any case,
 * the namespaces of citizen and staff logins, the role an action is taken
 * in, progressive delays, and on SQLite and PostgreSQL: staff accounts
 * that wait for their owner's confirmation, codes checked before any
 * hashing, second-factor codes used once, tokens bound to their kind,
 * acting-for re-checked at every lookup, challenges instead of lockouts,
 * the hashing queue, the desk's narrow search, and errors that keep their
 * cause. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fixture.h"
#include "../../src/identity/internal.h"

#define PW "Parol-1234567"

/* ---- without a database ------------------------------------------------- */

static void test_fin_normalize(void **state)
{
    (void)state;
    char out[8];
    assert_true(id_fin_normalize("1abc2d3", out));
    assert_string_equal(out, "1ABC2D3");
    assert_true(id_fin_normalize("  5XYZ12A ", out));
    assert_string_equal(out, "5XYZ12A");
    assert_false(id_fin_normalize("1abc2d", out));
    assert_string_equal(out, "");
    assert_false(id_fin_normalize("1abc2d3x", out));
    assert_false(id_fin_normalize("1ab-2d3", out));
    assert_false(id_fin_normalize("ÇÇÇ", out));
    assert_false(id_fin_normalize(NULL, out));
}

static void test_staff_logins_are_never_fins(void **state)
{
    (void)state;
    assert_true(id_staff_login_valid("officer.din"));
    assert_true(id_staff_login_valid("auditor.az"));
    assert_true(id_staff_login_valid("operator"));     /* 8 characters */
    assert_false(id_staff_login_valid("auditor"));     /* "AUDITOR" is a FİN */
    assert_false(id_staff_login_valid("1ABC2D3"));
    assert_false(id_staff_login_valid("1abc2d3"));
    assert_false(id_staff_login_valid("ab"));
    assert_false(id_staff_login_valid("a b.c"));
    char key[ID_LOGIN_KEY];
    enum id_account_kind kind;
    assert_int_equal(id_login_key("1abc2d3", key, &kind), 0);
    assert_string_equal(key, "1ABC2D3");
    assert_int_equal(kind, ID_ACCOUNT_CITIZEN);
    assert_int_equal(id_login_key("officer.din", key, &kind), 0);
    assert_int_equal(kind, ID_ACCOUNT_STAFF);
    assert_int_equal(id_login_key("' OR 1=1", key, &kind), PC_EINVAL);
}

static void test_the_role_an_action_is_taken_in(void **state)
{
    (void)state;
    struct id_principal admin = {.account_id = "a1", .kind = ID_ACCOUNT_STAFF, .fin = "1ABC2D3", .ngrants = 1,
                                 .grants = {{ID_ROLE_AGENCY_ADMIN, "din"}}};
    struct id_resource case_res = {.agency_id = "din", .owner = "someone"};
    assert_int_equal(id_authorize_role(&admin, ID_ACT_VIEW_CASE, &case_res), ID_ROLE_AGENCY_ADMIN);
    struct id_principal officer = admin;
    officer.grants[0].role = ID_ROLE_OFFICER;
    assert_int_equal(id_authorize_role(&officer, ID_ACT_VIEW_CASE, &case_res), ID_ROLE_OFFICER);
    case_res.agency_id = "eesmn";
    assert_int_equal(id_authorize_role(&officer, ID_ACT_VIEW_CASE, &case_res), -1);
    /* one's own record only through one's citizen account */
    struct id_resource self = {.fin = "1ABC2D3"};
    struct id_principal staff_as_citizen = {.account_id = "a2", .kind = ID_ACCOUNT_STAFF, .fin = "1ABC2D3",
                                            .ngrants = 1, .grants = {{ID_ROLE_CITIZEN, ""}}};
    assert_false(id_authorize(&staff_as_citizen, ID_ACT_VIEW_PERSON, &self));
    staff_as_citizen.kind = ID_ACCOUNT_CITIZEN;
    assert_int_equal(id_authorize_role(&staff_as_citizen, ID_ACT_VIEW_PERSON, &self), ID_ROLE_CITIZEN);
}

/* Evaluation campaigns: evaluators make them, another evaluator reviews,
 * an agency's staff read their own agency's results, citizens nothing. */
static void test_evaluation_campaign_rights(void **state)
{
    (void)state;
    struct id_principal ev = {.account_id = "e1", .kind = ID_ACCOUNT_STAFF, .ngrants = 1,
                              .grants = {{ID_ROLE_EVALUATOR, ""}}};
    struct id_resource mine = {.owner = "e1"}, theirs = {.owner = "e2"};
    assert_true(id_authorize(&ev, ID_ACT_EVALUATE, NULL));
    assert_false(id_authorize(&ev, ID_ACT_REVIEW_EVALUATION, &mine));
    assert_false(id_authorize(&ev, ID_ACT_REVIEW_EVALUATION, NULL));
    assert_int_equal(id_authorize_role(&ev, ID_ACT_REVIEW_EVALUATION, &theirs), ID_ROLE_EVALUATOR);
    assert_true(id_authorize(&ev, ID_ACT_VIEW_EVALUATION, NULL));
    struct id_principal officer = {.account_id = "o1", .kind = ID_ACCOUNT_STAFF, .ngrants = 1,
                                   .grants = {{ID_ROLE_OFFICER, "din"}}};
    struct id_resource din = {.agency_id = "din"}, vn = {.agency_id = "vn"};
    assert_false(id_authorize(&officer, ID_ACT_EVALUATE, NULL));
    assert_false(id_authorize(&officer, ID_ACT_VIEW_EVALUATION, NULL));
    assert_true(id_authorize(&officer, ID_ACT_VIEW_EVALUATION, &din));
    assert_false(id_authorize(&officer, ID_ACT_VIEW_EVALUATION, &vn));
    struct id_principal citizen = {.account_id = "c1", .kind = ID_ACCOUNT_CITIZEN, .fin = "1ABC2D3", .ngrants = 1,
                                   .grants = {{ID_ROLE_CITIZEN, ""}}};
    assert_false(id_authorize(&citizen, ID_ACT_VIEW_EVALUATION, &din));
    assert_false(id_authorize(&citizen, ID_ACT_EVALUATE, NULL));
}

static void test_delays_grow_with_failures(void **state)
{
    (void)state;
    struct id_throttle t = {.window_start = 1000, .failures = 4, .last_at = 1000};
    assert_int_equal(id_throttle_delay(&t, 5, 15, 900, 1000), 0);
    t.failures = 5;
    assert_int_equal(id_throttle_delay(&t, 5, 15, 900, 1000), 15);
    assert_int_equal(id_throttle_delay(&t, 5, 15, 900, 1010), 5);
    assert_int_equal(id_throttle_delay(&t, 5, 15, 900, 1020), 0);
    t.failures = 7;
    assert_int_equal(id_throttle_delay(&t, 5, 15, 900, 1000), 60);
    t.failures = 40;
    assert_int_equal(id_throttle_delay(&t, 5, 15, 900, 1000), 900);
}

static void test_totp_steps(void **state)
{
    (void)state;
    char secret[ID_TOTP_SECRET_LEN + 1], code[7];
    assert_int_equal(id_totp_new_secret(secret), 0);
    int64_t now = 1800000015;
    assert_int_equal(id_totp_code(secret, now, code), 0);
    assert_int_equal(id_totp_match(secret, code, now), now / 30);
    assert_int_equal(id_totp_match(secret, code, now + 30), now / 30);     /* a step late: still this one */
    assert_int_equal(id_totp_match(secret, code, now + 90), -1);
    assert_int_equal(id_totp_match(secret, "12345", now), -1);
}

static void test_the_hashing_queue_keeps_room_for_clean_attempts(void **state)
{
    (void)state;
    int suspects = 0;
    while (id_hash_queue_enter(true))
        suspects++;
    assert_true(suspects >= 1 && suspects <= 4);
    assert_true(id_hash_queue_enter(false)); /* a clean attempt still gets in */
    id_hash_queue_leave();
    while (suspects--)
        id_hash_queue_leave();
    assert_true(id_hash_queue_enter(true));
    id_hash_queue_leave();
}

/* ---- with a database ----------------------------------------------------- */

static int n_person;

/* A person of the synthetic population (a new one each call). */
static struct id_person person(struct fixture *f, struct pc_arena *a)
{
    return fx_person(f, a, 7, n_person++);
}

/* An active citizen account of p with password PW. */
static const char *citizen(struct fixture *f, struct pc_arena *a, const struct id_person *p)
{
    struct pc_err err = {0};
    const char *id;
    if (id_citizen_account(f->db, a, p->fin, NULL, NULL, &id, &err) || id_password_set(f->db, id, PW, &err))
        fail_msg("citizen account: %s", err.msg);
    return id;
}

static int login(struct fixture *f, struct pc_arena *a, const char *who, const char *pw, const char *otp,
                 const char *ip, const char *kind, char *token, int64_t *retry)
{
    struct id_login_request req = {.login = who, .secret = pw, .otp = otp, .ip = ip, .user_agent = "unit"};
    struct pc_err err = {0};
    return id_login(f->db, a, &id_login_password, &req, kind, token, retry, &err);
}

static void test_staff_accounts_wait_for_their_owner(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_person p = person(f, &a), other = person(f, &a);
    const char *admin = "admin-account-id";
    struct id_grant g = {ID_ROLE_OFFICER, "din"};
    const char *staff;
    /* never a FİN as a staff login, in any case */
    assert_int_equal(id_account_create(f->db, ID_ACCOUNT_STAFF, p.fin, p.fin, &g, 1, admin, "agency_admin", &a,
                                       &staff, &err), PC_EINVAL);
    assert_int_equal(id_account_create(f->db, ID_ACCOUNT_STAFF, "w.officer", p.fin, &g, 1, admin, "agency_admin",
                                       &a, &staff, &err), 0);
    assert_int_equal(id_account_create(f->db, ID_ACCOUNT_STAFF, "w.officer", other.fin, &g, 1, admin, "agency_admin",
                                       &a, &staff, &err), PC_ECONFLICT);
    /* no code until confirmed */
    char code[ID_CODE_LEN + 1];
    assert_int_equal(id_code_issue(f->db, staff, "activate", admin, "agency_admin", "", 3600, code, &err), PC_EDENIED);
    struct id_staff *list;
    size_t n;
    assert_int_equal(id_staff_unconfirmed(f->db, &a, p.fin, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].login, "w.officer");
    assert_string_equal(list[0].agency_id, "din");
    /* the person's own citizen account is a different one */
    const char *mine = citizen(f, &a, &p);
    assert_string_not_equal(mine, staff);
    const char *found;
    char lower[8];
    for (int i = 0; i < 8; i++)
        lower[i] = p.fin[i] >= 'A' && p.fin[i] <= 'Z' ? (char)(p.fin[i] + 32) : p.fin[i];
    assert_int_equal(id_account_find(f->db, &a, lower, &found, &err), 0);
    assert_string_equal(found, mine);
    /* who may confirm: not the creator, not another citizen; the person */
    const char *got = NULL;
    struct id_principal creator = {.account_id = admin, .kind = ID_ACCOUNT_CITIZEN, .fin = p.fin, .ngrants = 1,
                                   .grants = {{ID_ROLE_REGISTRAR, ""}}};
    assert_int_equal(id_staff_confirm(f->db, &a, &creator, staff, "", code, &got, &err), PC_EDENIED);
    struct id_principal stranger = {.account_id = "x", .kind = ID_ACCOUNT_CITIZEN, .fin = other.fin, .ngrants = 1,
                                    .grants = {{ID_ROLE_CITIZEN, ""}}};
    assert_int_equal(id_staff_confirm(f->db, &a, &stranger, staff, "", code, &got, &err), PC_ENOTFOUND);
    struct id_principal owner_at_work = {.account_id = "y", .kind = ID_ACCOUNT_STAFF, .fin = p.fin, .ngrants = 1,
                                         .grants = {{ID_ROLE_OFFICER, "din"}}};
    assert_int_equal(id_staff_confirm(f->db, &a, &owner_at_work, staff, "", code, &got, &err), PC_EDENIED);
    struct id_principal owner = {.account_id = mine, .kind = ID_ACCOUNT_CITIZEN, .fin = p.fin, .ngrants = 1,
                                 .grants = {{ID_ROLE_CITIZEN, ""}}};
    assert_int_equal(id_staff_confirm(f->db, &a, &owner, staff, "", code, &got, &err), 0);
    assert_string_equal(got, "w.officer");
    assert_int_equal(id_staff_confirm(f->db, &a, &owner, staff, "", code, &got, &err), PC_ENOTFOUND);
    assert_int_equal(id_code_redeem(f->db, "w.officer", code, "Is-parolu-2026", "", &err), 0);
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry;
    assert_int_equal(login(f, &a, "w.officer", "Is-parolu-2026", NULL, "10.0.0.1", "cookie", token, &retry), 0);
    struct id_principal who;
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), 0);
    assert_int_equal(who.kind, ID_ACCOUNT_STAFF);
    assert_string_equal(who.fin, p.fin);
    pc_arena_release(&a);
}

static void test_codes_are_checked_before_hashing(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_person p = person(f, &a);
    const char *id = citizen(f, &a, &p);
    char code[ID_CODE_LEN + 1];
    assert_int_equal(id_code_issue(f->db, id, "reset", NULL, NULL, "", 3600, code, &err), 0);
    /* a hash now costs seconds: a wrong code must not pay it */
    uint32_t t, m, par;
    id_password_params(&t, &m, &par);
    id_password_set_params(64, 65536);
    int64_t t0 = pc_mono_usec();
    int rc = id_code_redeem(f->db, p.fin, "AAAA-BBBB-CC", "Yeni-parol-2026", "10.9.9.9", &err);
    int64_t took = pc_mono_usec() - t0;
    id_password_set_params(t, m);
    assert_int_equal(rc, PC_EDENIED);
    assert_true(took < 500000);
    /* the right one (typed in lower case, the FİN too) sets the password */
    char typed[ID_CODE_LEN + 1], fin[8];
    for (int i = 0; i <= ID_CODE_LEN; i++)
        typed[i] = code[i] >= 'A' && code[i] <= 'Z' ? (char)(code[i] + 32) : code[i];
    for (int i = 0; i < 8; i++)
        fin[i] = p.fin[i] >= 'A' && p.fin[i] <= 'Z' ? (char)(p.fin[i] + 32) : p.fin[i];
    assert_int_equal(id_code_redeem(f->db, fin, typed, "Yeni-parol-2026", "10.9.9.9", &err), 0);
    assert_int_equal(id_code_redeem(f->db, fin, typed, "Yeni-parol-2027", "10.9.9.9", &err), PC_EDENIED);
    pc_arena_release(&a);
}

static void test_a_second_factor_code_works_once(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_person p = person(f, &a);
    const char *id = citizen(f, &a, &p);
    struct id_principal me = {.account_id = id, .kind = ID_ACCOUNT_CITIZEN, .fin = p.fin, .session_hash = "none"};
    char secret[ID_TOTP_SECRET_LEN + 1], now_code[7], next_code[7];
    id_totp_new_secret(secret);
    int64_t now = pc_now_unix();
    id_totp_code(secret, now, now_code);
    id_totp_code(secret, now + 30, next_code);
    assert_int_equal(id_totp_enable(f->db, &me, secret, "000000", "", &err), PC_EINVAL);
    assert_int_equal(id_totp_enable(f->db, &me, secret, now_code, "", &err), 0);
    bool on;
    assert_int_equal(id_totp_enabled(f->db, id, &on, &err), 0);
    assert_true(on);
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry;
    assert_int_equal(login(f, &a, p.fin, PW, NULL, "10.1.0.1", "cookie", token, &retry), PC_EMORE);
    assert_int_equal(login(f, &a, p.fin, PW, now_code, "10.1.0.1", "cookie", token, &retry), 0);
    /* the same code again: refused, even a moment later */
    assert_int_equal(login(f, &a, p.fin, PW, now_code, "10.1.0.1", "cookie", token, &retry), PC_EDENIED);
    /* turning it off takes a code not used yet, checked inside identity */
    assert_int_equal(id_totp_disable(f->db, &me, now_code, "", &err), PC_EINVAL);
    assert_int_equal(id_totp_enabled(f->db, id, &on, &err), 0);
    assert_true(on);
    assert_int_equal(id_totp_disable(f->db, &me, next_code, "", &err), 0);
    assert_int_equal(id_totp_enabled(f->db, id, &on, &err), 0);
    assert_false(on);
    assert_int_equal(id_totp_disable(f->db, &me, next_code, "", &err), PC_EINVAL);
    pc_arena_release(&a);
}

static void test_tokens_only_work_in_their_own_place(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_person p = person(f, &a);
    citizen(f, &a, &p);
    char cookie[ID_TOKEN_CHARS + 1], bearer[ID_TOKEN_CHARS + 1];
    int64_t retry;
    assert_int_equal(login(f, &a, p.fin, PW, NULL, "10.2.0.1", "cookie", cookie, &retry), 0);
    assert_int_equal(login(f, &a, p.fin, PW, NULL, "10.2.0.1", "bearer", bearer, &retry), 0);
    struct id_principal who;
    assert_int_equal(id_session_lookup(f->db, &a, cookie, "cookie", &who, &err), 0);
    assert_int_equal(id_session_lookup(f->db, &a, cookie, "bearer", &who, &err), PC_ENOTFOUND);
    assert_int_equal(id_session_lookup(f->db, &a, bearer, "cookie", &who, &err), PC_ENOTFOUND);
    /* a bearer token cannot end a cookie session, and an API logout ends its own */
    assert_int_equal(id_session_revoke(f->db, cookie, "bearer", "", &err), 0);
    assert_int_equal(id_session_lookup(f->db, &a, cookie, "cookie", &who, &err), 0);
    assert_int_equal(id_session_revoke(f->db, bearer, "bearer", "", &err), 0);
    assert_int_equal(id_session_lookup(f->db, &a, bearer, "bearer", &who, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

static void test_acting_for_is_checked_at_every_lookup(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_person p = person(f, &a);
    struct db_conn *c = fx_conn(f);
    assert_int_equal(db_begin(c, &err), 0);
    struct id_entity e = {.voen = "1234567890", .name = "Test MMC", .legal_form = "MMC", .address = "Bakı"};
    assert_int_equal(id_entity_put(c, &e, &err), 0);
    assert_int_equal(id_representative_grant(c, e.voen, p.fin, "full", &err), 0);
    assert_int_equal(db_commit(c, &err), 0);
    citizen(f, &a, &p); /* with the representative role: p represents an entity */
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry;
    assert_int_equal(login(f, &a, p.fin, PW, NULL, "10.3.0.1", "cookie", token, &retry), 0);
    struct id_principal who;
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), 0);
    assert_int_equal(id_session_act_for(f->db, &who, e.voen, &err), 0);
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), 0);
    assert_string_equal(who.acting_for, e.voen);
    struct id_entity *list;
    size_t n;
    bool more;
    assert_int_equal(id_entities_of(f->db, &a, p.fin, &list, &n, &more, &err), 0);
    assert_int_equal(n, 1);
    assert_false(more);
    assert_int_equal(id_representative_revoke(f->db, e.voen, p.fin, NULL, "", &err), 0);
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), 0);
    assert_null(who.acting_for);
    /* a second revocation says what is missing */
    assert_int_equal(id_representative_revoke(f->db, e.voen, p.fin, NULL, "", &err), PC_ENOTFOUND);
    assert_non_null(strstr(err.msg, e.voen));
    pc_arena_release(&a);
}

static void test_strangers_get_a_challenge_not_a_lockout(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_person p = person(f, &a);
    citizen(f, &a, &p);
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry;
    /* ten strangers, one wrong password each */
    for (int i = 0; i < 10; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "10.4.0.%d", i + 1);
        assert_int_equal(login(f, &a, p.fin, "wrong-password-1", NULL, ip, "cookie", token, &retry), PC_EDENIED);
    }
    /* the owner waits for a challenge; early is the same challenge again */
    assert_int_equal(login(f, &a, p.fin, PW, NULL, "10.4.1.1", "cookie", token, &retry), PC_ELIMIT);
    assert_int_equal(strlen(token), ID_TOKEN_CHARS);
    assert_true(retry >= 1 && retry <= 60);
    char challenge[ID_TOKEN_CHARS + 1];
    memcpy(challenge, token, sizeof challenge);
    struct id_login_request req = {.login = p.fin, .secret = PW, .challenge = challenge, .ip = "10.4.1.1"};
    struct pc_err err = {0};
    assert_int_equal(id_login(f->db, &a, &id_login_password, &req, "cookie", token, &retry, &err), PC_ELIMIT);
    assert_string_equal(token, challenge);
    sleep((unsigned)retry + 1);
    /* at another address the challenge is worth nothing */
    req.ip = "10.4.2.2";
    assert_int_equal(id_login(f->db, &a, &id_login_password, &req, "cookie", token, &retry, &err), PC_ELIMIT);
    assert_string_not_equal(token, challenge);
    /* answered in time, by the client it was given to: in, once */
    req.ip = "10.4.1.1";
    assert_int_equal(id_login_admit(f->db, &a, &req, token, &retry, &err), 0);
    assert_true(req.admitted);
    assert_int_equal(id_login(f->db, &a, &id_login_password, &req, "cookie", token, &retry, &err), 0);
    req.admitted = false;
    assert_int_equal(id_login(f->db, &a, &id_login_password, &req, "cookie", token, &retry, &err), PC_ELIMIT);
    pc_arena_release(&a);
}

static void test_the_desk_searches_narrowly(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_person p = person(f, &a);
    struct id_person *list;
    size_t n;
    bool more;
    struct id_person_query by_name = {.last_name = p.last_name};
    assert_int_equal(id_person_find(f->db, &a, &by_name, &list, &n, 5, &more, &err), PC_EINVAL);
    char lower[8];
    for (int i = 0; i < 8; i++)
        lower[i] = p.fin[i] >= 'A' && p.fin[i] <= 'Z' ? (char)(p.fin[i] + 32) : p.fin[i];
    struct id_person_query by_fin = {.fin = lower};
    assert_int_equal(id_person_find(f->db, &a, &by_fin, &list, &n, 5, &more, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].fin, p.fin);
    char card[32];
    snprintf(card, sizeof card, "%.3s %s", p.id_card, p.id_card + 3);
    for (char *c = card; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c + 32);
    struct id_person_query by_card = {.last_name = p.last_name, .id_card = card};
    assert_int_equal(id_person_find(f->db, &a, &by_card, &list, &n, 5, &more, &err), 0);
    assert_int_equal(n, 1);
    assert_false(more);
    by_card.id_card = "AZE00000000";
    assert_int_equal(id_person_find(f->db, &a, &by_card, &list, &n, 5, &more, &err), 0);
    assert_int_equal(n, 0);
    pc_arena_release(&a);
}

static void test_a_broken_database_is_not_a_missing_session(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_person p = person(f, &a);
    citizen(f, &a, &p);
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry;
    assert_int_equal(login(f, &a, p.fin, PW, NULL, "10.5.0.1", "cookie", token, &retry), 0);
    struct db_conn *c = fx_conn(f);
    fx_exec(c, "ALTER TABLE sessions RENAME TO sessions_away");
    struct id_principal who;
    int rc = id_session_lookup(f->db, &a, token, "cookie", &who, &err);
    fx_exec(c, "ALTER TABLE sessions_away RENAME TO sessions");
    assert_true(rc < 0 && rc != PC_ENOTFOUND);
    assert_true(err.msg[0] != 0);
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), 0);
    pc_arena_release(&a);
}

/* ---- kiosks and paper applications (branch kiosk) ------------------------------ */

static void test_kiosk_and_paper_permissions(void **state)
{
    (void)state;
    struct id_principal op = {.account_id = "o1", .kind = ID_ACCOUNT_STAFF, .ngrants = 1,
                              .grants = {{ID_ROLE_OPERATOR, ""}}};
    struct id_principal postal = {.account_id = "p1", .kind = ID_ACCOUNT_STAFF, .ngrants = 1,
                                  .grants = {{ID_ROLE_POSTAL, ""}}};
    struct id_principal officer = {.account_id = "f1", .kind = ID_ACCOUNT_STAFF, .ngrants = 1,
                                   .grants = {{ID_ROLE_OFFICER, "eesmn"}}};
    struct id_principal citizen = {.account_id = "c1", .kind = ID_ACCOUNT_CITIZEN, .fin = "1ABC2D3", .ngrants = 1,
                                   .grants = {{ID_ROLE_CITIZEN, ""}}};
    struct id_resource eesmn = {.agency_id = "eesmn"}, din = {.agency_id = "din"};
    assert_true(id_authorize(&op, ID_ACT_MANAGE_KIOSKS, NULL));
    assert_false(id_authorize(&postal, ID_ACT_MANAGE_KIOSKS, NULL));
    assert_false(id_authorize(&citizen, ID_ACT_MANAGE_KIOSKS, NULL));
    assert_int_equal(id_authorize_role(&postal, ID_ACT_FILE_PAPER, &din), ID_ROLE_POSTAL);
    assert_int_equal(id_authorize_role(&officer, ID_ACT_FILE_PAPER, &eesmn), ID_ROLE_OFFICER);
    assert_false(id_authorize(&officer, ID_ACT_FILE_PAPER, &din));   /* another agency's */
    assert_false(id_authorize(&citizen, ID_ACT_FILE_PAPER, &eesmn));
    assert_false(id_authorize(&op, ID_ACT_FILE_PAPER, &eesmn));
    /* files: who applies, and who registers paper */
    assert_true(id_authorize(&citizen, ID_ACT_UPLOAD, NULL));
    assert_true(id_authorize(&postal, ID_ACT_UPLOAD, NULL));
    assert_true(id_authorize(&officer, ID_ACT_UPLOAD, NULL));
    assert_false(id_authorize(&op, ID_ACT_UPLOAD, NULL));
    assert_false(id_authorize(NULL, ID_ACT_UPLOAD, NULL));
    assert_string_equal(id_role_name(ID_ROLE_POSTAL), "postal_operator");
    assert_int_equal(id_role_parse("postal_operator"), ID_ROLE_POSTAL);
}

static void test_a_kiosk_session_lives_as_long_as_the_kiosk_says(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_person p = person(f, &a), o = person(f, &a);
    citizen(f, &a, &p);
    const char *op_id;
    struct id_grant g = {ID_ROLE_OPERATOR, ""};
    assert_int_equal(id_account_create(f->db, ID_ACCOUNT_STAFF, "kiosk.operator", o.fin, &g, 1, NULL, NULL, &a, &op_id,
                                       &err), 0);
    struct id_principal op = {.account_id = op_id, .kind = ID_ACCOUNT_STAFF, .ngrants = 1, .grants = {g}};
    struct id_kiosk k;
    char device[ID_TOKEN_CHARS + 1];
    /* bounds and the operator only */
    assert_int_equal(id_kiosk_register(f->db, &a, &op, "AZ1000", "Nəsimi", 4, "", &k, device, &err), PC_EINVAL);
    assert_int_equal(id_kiosk_register(f->db, &a, &op, "", "Nəsimi", 60, "", &k, device, &err), PC_EINVAL);
    assert_int_equal(id_kiosk_register(f->db, &a, &op, "AZ1000", "a\nb", 60, "", &k, device, &err), PC_EINVAL);
    struct id_principal not_op = op;
    not_op.grants[0].role = ID_ROLE_AUDITOR;
    assert_int_equal(id_kiosk_register(f->db, &a, &not_op, "AZ1000", "Nəsimi", 60, "", &k, device, &err), PC_EDENIED);
    assert_int_equal(id_kiosk_register(f->db, &a, &op, "AZ1000", "Nəsimi", 60, "", &k, device, &err), 0);
    assert_int_equal(strlen(device), ID_TOKEN_CHARS);
    struct id_kiosk found;
    assert_int_equal(id_kiosk_by_token(f->db, &a, device, &found, &err), 0);
    assert_string_equal(found.id, k.id);
    assert_string_equal(found.district, "Nəsimi");
    assert_int_equal(found.idle_secs, 60);
    assert_int_equal(id_kiosk_by_token(f->db, &a, "nope", &found, &err), PC_ENOTFOUND);

    /* a session bound to the kiosk names it, and ends after its idle time */
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry;
    assert_int_equal(login(f, &a, p.fin, PW, NULL, "10.9.0.1", "cookie", token, &retry), 0);
    struct id_principal who;
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), 0);
    assert_null(who.auth.kiosk_id);
    assert_int_equal(id_session_bind_kiosk(f->db, &who, &found, &err), 0);
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), 0);
    assert_string_equal(who.auth.kiosk_id, k.id);
    assert_string_equal(who.auth.kiosk_district, "Nəsimi");
    struct db_conn *c = fx_conn(f);
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE sessions SET last_seen_at = last_seen_at - 61 WHERE kiosk_id = '%s'", k.id);
    fx_exec(c, sql);
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), PC_ENOTFOUND);

    /* a withdrawn kiosk: its token and its sessions stop */
    assert_int_equal(login(f, &a, p.fin, PW, NULL, "10.9.0.1", "cookie", token, &retry), 0);
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), 0);
    assert_int_equal(id_session_bind_kiosk(f->db, &who, &found, &err), 0);
    struct id_kiosk *list;
    size_t n;
    assert_int_equal(id_kiosks_list(f->db, &a, &op, &list, &n, &err), 0);
    assert_true(n >= 1);
    assert_int_equal(id_kiosk_withdraw(f->db, &op, k.id, "", &err), 0);
    assert_int_equal(id_kiosk_withdraw(f->db, &op, k.id, "", &err), PC_ENOTFOUND);
    assert_int_equal(id_kiosk_by_token(f->db, &a, device, &found, &err), PC_ENOTFOUND);
    assert_int_equal(id_session_lookup(f->db, &a, token, "cookie", &who, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

static void test_the_identity_card_is_checked(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_person p = person(f, &a), out;
    assert_non_null(p.id_card);
    char typed[40];
    snprintf(typed, sizeof typed, " %s", p.id_card);
    for (char *x = typed; *x; x++)
        if (*x >= 'A' && *x <= 'Z')
            *x = (char)(*x + 32);
    assert_int_equal(id_person_check_card(f->db, &a, p.fin, typed, &out, &err), 0);
    assert_string_equal(out.fin, p.fin);
    assert_int_equal(id_person_check_card(f->db, &a, p.fin, "AZE00000000", &out, &err), PC_EINVAL);
    assert_int_equal(id_person_check_card(f->db, &a, p.fin, "", &out, &err), PC_EINVAL);
    assert_int_equal(id_person_check_card(f->db, &a, "0000000", p.id_card, &out, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

int main(void)
{
    id_password_set_params(1, 8); /* cheap hashes: these tests are about rules */
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_fin_normalize),
        cmocka_unit_test(test_staff_logins_are_never_fins),
        cmocka_unit_test(test_the_role_an_action_is_taken_in),
        cmocka_unit_test(test_evaluation_campaign_rights),
        cmocka_unit_test(test_delays_grow_with_failures),
        cmocka_unit_test(test_totp_steps),
        cmocka_unit_test(test_the_hashing_queue_keeps_room_for_clean_attempts),
        cmocka_unit_test(test_kiosk_and_paper_permissions),
    };
    int failed = cmocka_run_group_tests_name("identity", pure, NULL, NULL);
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test(test_staff_accounts_wait_for_their_owner),
        cmocka_unit_test(test_codes_are_checked_before_hashing),
        cmocka_unit_test(test_a_second_factor_code_works_once),
        cmocka_unit_test(test_tokens_only_work_in_their_own_place),
        cmocka_unit_test(test_acting_for_is_checked_at_every_lookup),
        cmocka_unit_test(test_strangers_get_a_challenge_not_a_lockout),
        cmocka_unit_test(test_the_desk_searches_narrowly),
        cmocka_unit_test(test_a_broken_database_is_not_a_missing_session),
        cmocka_unit_test(test_a_kiosk_session_lives_as_long_as_the_kiosk_says),
        cmocka_unit_test(test_the_identity_card_is_checked),
    };
    return failed + fx_run("identity-db", db_tests, sizeof db_tests / sizeof db_tests[0]);
}

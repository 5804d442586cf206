/* recovery.c — the two ways a person gets a code without a registration
 * centre: self-service registration (FİN plus identity-card number) and
 * password reset.  Either way the code goes only to the phone or e-mail
 * already on the person's record, through the outbox; the answer on the
 * page is the same whether or not the details matched, so the form tells
 * nobody who has an account. */
#include "identity.h"
#include "internal.h"
#include "../audit/audit.h"
#include "../notify/notify.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define SEND_PER_IP 10          /* code requests per address per window */
#define SEND_PER_FIN 3          /* per person per window */
#define SENT_CODE_VALID_SECS (30 * 60)

static bool same_card(const char *a, const char *b)
{
    /* typed cards differ in case and spacing only */
    if (!a || !b)
        return false;
    while (*a && *b) {
        if (*a == ' ' || *a == '-') { a++; continue; }
        if (*b == ' ' || *b == '-') { b++; continue; }
        char x = (*a >= 'a' && *a <= 'z') ? (char)(*a - 32) : *a;
        char y = (*b >= 'a' && *b <= 'z') ? (char)(*b - 32) : *b;
        if (x != y)
            return false;
        a++;
        b++;
    }
    while (*a == ' ' || *a == '-') a++;
    while (*b == ' ' || *b == '-') b++;
    return !*a && !*b;
}

int id_code_send(struct db *db, struct pc_arena *a, const char *fin, const char *id_card, const char *purpose,
                 const char *ip, const char *lang, int64_t *retry_after, struct pc_err *err)
{
    *retry_after = 0;
    char norm[8];
    if (!id_fin_normalize(fin, norm) || !id_card || !*id_card || strlen(id_card) > 20)
        return pc_err_set(err, PC_EINVAL, "FİN or identity-card number is not valid");
    fin = norm;
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    int64_t now = pc_now_unix();
    const char *ip_key = pc_arena_printf(a, "code:ip:%s", ip ? ip : "");
    const char *fin_key = pc_arena_printf(a, "code:fin:%s", fin);
    int rc = id_throttle_wait(c, ip_key, SEND_PER_IP, now, retry_after, err);
    if (!rc)
        rc = id_throttle_wait(c, fin_key, SEND_PER_FIN, now, retry_after, err);
    if (rc)
        return rc;
    if (*retry_after)
        return pc_err_set(err, PC_ELIMIT, "too many requests");

    struct id_person p;
    rc = id_person_get(db, a, fin, &p, err);
    if (rc && rc != PC_ENOTFOUND)
        return rc;
    bool match = rc == 0 && same_card(p.id_card, id_card) && ((p.phone && *p.phone) || (p.email && *p.email));
    if ((rc = db_begin(c, err)))
        return rc;
    rc = id_throttle_hit(c, ip_key, now, err);
    if (!rc)
        rc = id_throttle_hit(c, fin_key, now, err);
    if (!rc && match) {
        const char *account;
        char code[ID_CODE_LEN + 1];
        rc = id_citizen_account_on(c, a, fin, NULL, "self-service", &account, err);
        if (!rc)
            rc = id_code_insert(c, account, purpose, "self-service", "citizen", ip, SENT_CODE_VALID_SECS, code, err);
        if (!rc) {
            bool sms = p.phone && *p.phone;
            json_t *payload = json_pack("{s:s, s:s, s:i}", "code", code, "purpose", purpose, "minutes",
                                        SENT_CODE_VALID_SECS / 60);
            char *pj = json_dumps(payload, JSON_COMPACT);
            json_decref(payload);
            rc = pj ? notify_enqueue(c, sms ? "sms" : "email", sms ? p.phone : p.email, "one-time-code",
                                     lang ? lang : p.lang, pj, err)
                    : pc_err_set(err, PC_ENOMEM, "cannot write the message");
            free(pj);
        }
    } else if (!rc) {
        struct audit_entry e = {.actor = "anonymous", .role = "citizen", .action = "account.code_refused",
                                .object_type = "person", .object_id = fin, .ip = ip ? ip : "",
                                .detail = "details do not match the record"};
        int64_t seq = audit_append(c, &e, err);
        rc = seq < 0 ? (int)seq : 0;
    }
    return db_end(c, rc, err);
}

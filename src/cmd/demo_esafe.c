/* demo_esafe.c — the demo citizen's e-safe: an appeal to the election
 * commission filed and approved through cases (so its decision arrives
 * the way every decision does, by esafe_gather) and a diploma (PDF) the
 * citizen "uploaded".  Runs after the demo's people and forms exist;
 * without the form (seed-demo before an import) only the diploma is put.
 * A second run adds nothing (the idempotency key, esafe_add's key). */
#include "cli.h"
#include "../cases/cases.h"
#include "../esafe/esafe.h"
#include "../identity/identity.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define DEMO_SERVICE "msk-online-appeal"

/* A one-page PDF saying what it is (not a real diploma). */
static const char diploma_pdf[] =
    "%PDF-1.4\n"
    "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>endobj\n"
    "4 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    "5 0 obj<</Length 88>>stream\n"
    "BT /F1 18 Tf 72 760 Td (Bakalavr diplomu - demo) Tj 0 -28 Td (Baki Dovlet Universiteti) Tj ET\n"
    "endstream endobj\n"
    "trailer<</Root 1 0 R>>\n%%EOF\n";

static int demo_decision(struct db *db, struct pc_arena *a, const char *fin, const char *citizen, struct pc_err *err)
{
    const char *officer;
    if (id_account_find(db, a, "officer.msk", &officer, NULL))
        return 0; /* no officer of the commission: no decision */
    struct form_registry *reg = form_registry_open(db, err);
    if (!reg)
        return err->code;
    const struct form_set *forms = form_set_acquire(reg);
    int rc = 0;
    if (form_set_get(forms, DEMO_SERVICE)) {
        struct id_principal who = {.account_id = citizen, .login = fin, .kind = ID_ACCOUNT_CITIZEN, .fin = fin,
                                   .grants = {{ID_ROLE_CITIZEN, ""}}, .ngrants = 1,
                                   .auth = {.method = ID_METHOD_CERTIFICATE, .at = pc_now_unix()}};
        json_t *answers = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "topic", "voter_list", "district_number", 23,
                                    "full_name", "Demo vətəndaş", "appeal_text",
                                    "Seçici siyahısında adım yoxdur; siyahıya daxil edilməyimi xahiş edirəm.",
                                    "reply_channel", "email", "reply_email", "demo@example.com");
        struct case_app app;
        bool existing;
        struct form_issues issues = {0};
        rc = case_submit(db, forms, &who, DEMO_SERVICE, answers, "demo-esafe-decision", PC_LANG_AZ, "", a, &app,
                         &existing, &issues, err);
        json_decref(answers);
        struct id_principal off = {.account_id = officer, .login = "officer.msk", .kind = ID_ACCOUNT_STAFF,
                                   .grants = {{ID_ROLE_OFFICER, "msk"}}, .ngrants = 1};
        static const enum case_step steps[] = {CASE_STEP_REGISTER, CASE_STEP_START_REVIEW, CASE_STEP_APPROVE};
        for (size_t i = 0; !rc && !case_state_decided(app.status) && i < sizeof steps / sizeof steps[0]; i++)
            rc = case_act(db, forms, &off, app.reference, steps[i],
                          steps[i] == CASE_STEP_APPROVE ? "Siyahıya daxil edildiniz." : NULL, app.version, "", a, &app,
                          err);
    }
    form_set_release(forms);
    form_registry_close(reg);
    return rc;
}

int demo_esafe(struct db *db, const char *dir, struct pc_err *err)
{
    /* the demo citizen: the first citizen of demo-accounts.json */
    char path[4096];
    snprintf(path, sizeof path, "%s/demo-accounts.json", dir);
    json_t *list = json_load_file(path, 0, NULL);
    char fin[8] = "";
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (pc_str_eq(json_string_value(json_object_get(v, "role")), "citizen")) {
            snprintf(fin, sizeof fin, "%s", json_string_value(json_object_get(v, "fin")));
            break;
        }
    }
    json_decref(list);
    if (!*fin)
        return pc_err_set(err, PC_EIO, "no demo citizen in %s", path);
    struct pc_arena a;
    pc_arena_init(&a);
    const char *citizen;
    int rc = id_account_find(db, &a, fin, &citizen, err);
    if (!rc)
        rc = demo_decision(db, &a, fin, citizen, err);
    struct esafe_owner me = {ESAFE_PERSON, fin};
    struct esafe_new diploma = {
        .owner = me, .kind = ESAFE_UPLOAD, .title = "Bakalavr diplomu (demo)", .source = "esafe",
        .source_ref = "demo-diploma", .bytes = diploma_pdf, .len = sizeof diploma_pdf - 1,
        .content_type = "application/pdf", .file_name = "diplom.pdf",
    };
    char id[ESAFE_ID_LEN + 1];
    if (!rc)
        rc = esafe_add_db(db, &diploma, id, err);
    if (!rc)
        rc = esafe_gather(db, &me, citizen, err);
    pc_arena_release(&a);
    return rc;
}

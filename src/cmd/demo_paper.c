/* demo_paper.c — the demo's paper application (issue 17 item 1; branch
 * vemtas3): officer.eesmn registers, on the second demo citizen's behalf,
 * a social-assistance application handed in on paper in Sabunçu, the
 * scan a one-page PDF, through case_submit_paper like the back office's
 * page.  Once per demo folder: a paper case of that citizen's is kept. */
#include "cli.h"
#include "../cases/cases.h"

#include <jansson.h>
#include <string.h>

#define DEMO_PAPER_SERVICE "eesmn-vemtas"
#define DEMO_PAPER_OFFICER "officer.eesmn"

/* The second citizen of demo-accounts.json: their FİN, or NULL. */
static const char *second_citizen(struct pc_arena *a, const char *dir)
{
    json_t *list = json_load_file(pc_arena_printf(a, "%s/demo-accounts.json", dir), 0, NULL);
    const char *fin = NULL;
    int seen = 0;
    size_t k;
    json_t *v;
    json_array_foreach(list, k, v) {
        if (pc_str_eq(json_string_value(json_object_get(v, "role")), "citizen") && ++seen == 2)
            fin = pc_arena_strdup(a, json_string_value(json_object_get(v, "fin")));
    }
    json_decref(list);
    return fin;
}

/* Has the applicant a paper application already? */
static int has_paper(struct db *db, struct pc_arena *a, const char *account, bool *yes, struct pc_err *err)
{
    struct case_filter f = {.applicant = account, .service_id = DEMO_PAPER_SERVICE, .limit = 100};
    struct case_list l;
    int rc = case_list(db, a, &f, &l, err);
    *yes = false;
    for (size_t i = 0; !rc && i < l.n; i++)
        *yes |= l.items[i].channel == CASE_CH_PAPER;
    return rc;
}

/* The scan: the officer's upload of a small PDF. */
static int scan_upload(struct case_store *files, const char *officer, struct case_file *f, struct pc_err *err)
{
    static const char pdf[] = "%PDF-1.4\n% Ünvanlı sosial yardım üçün ərizə (demo skan)\n1 0 obj <<>> endobj\n"
                              "trailer <<>>\n%%EOF\n";
    struct case_file_writer *w = case_file_writer_new(files, err);
    if (!w)
        return err->code;
    int rc = case_file_write(w, pdf, sizeof pdf - 1);
    if (!rc)
        rc = case_file_finish(w, f, err);
    if (!rc) {
        f->name = "ariza-skan.pdf";
        rc = case_upload_keep(w, officer, f, err);
    }
    case_file_writer_free(w);
    return rc;
}

int cli_demo_paper_case(struct db *db, struct form_registry *forms, struct case_store *files, const char *dir,
                        struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    const char *fin = second_citizen(&a, dir), *applicant, *officer;
    struct id_person person;
    bool done = false;
    int rc = fin ? 0 : pc_err_set(err, PC_ENOTFOUND, "no second citizen in %s/demo-accounts.json", dir);
    if (!rc && !(rc = id_account_find(db, &a, fin, &applicant, err)))
        rc = has_paper(db, &a, applicant, &done, err);
    if (!rc && !done && !(rc = id_account_find(db, &a, DEMO_PAPER_OFFICER, &officer, err)))
        rc = id_person_get(db, &a, fin, &person, err);
    struct case_file scan;
    if (!rc && !done)
        rc = scan_upload(files, officer, &scan, err);
    if (rc || done) {
        pc_arena_release(&a);
        return rc;
    }
    json_t *answers = json_pack("{s:s, s:s, s:s, s:i, s:[], s:s, s:s, s:s, s:s, s:s}", "phone", "+994502223344",
                                "address", "Bakı, Sabunçu rayonu, Zabrat qəsəbəsi, 2-ci küçə 7", "applicant_employment",
                                "unemployed", "applicant_income", 150, "family_members", "housing_tenure", "owned",
                                "housing_condition", "good", "land_plot", "no", "bank_account_iban",
                                "AZ21NABZ00000000137010001944", "consent_fetch_certificates", "yes");
    struct id_principal who = {.account_id = officer, .login = DEMO_PAPER_OFFICER, .kind = ID_ACCOUNT_STAFF,
                               .grants = {{ID_ROLE_OFFICER, "eesmn"}}, .ngrants = 1};
    struct case_paper p = {.service_id = DEMO_PAPER_SERVICE, .fin = fin, .id_card = person.id_card,
                           .district = "Sabunçu", .scan_sha256 = scan.sha256, .answers = answers};
    const struct form_set *set = form_set_acquire(forms);
    struct case_app app;
    struct form_issues issues;
    enum case_paper_problem problem;
    rc = form_set_get(set, DEMO_PAPER_SERVICE)
             ? case_submit_paper(db, set, &who, &p, PC_LANG_AZ, "", &a, &app, &issues, &problem, err)
             : 0;
    form_set_release(set);
    json_decref(answers);
    pc_arena_release(&a);
    return rc;
}

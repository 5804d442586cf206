/* import.c — one import of the catalogue and the forms beside it, for
 * `pencere admin import-catalog` and `pencere portal --import-catalog`.
 * The forms are checked against the catalogue files before anything is
 * written, so a bad form stops the import whole; then the catalogue is
 * imported, then the forms (against the catalogue now stored). */
#include "cli.h"
#include "../cases/cases.h"
#include "../catalog/catalog.h"

#include <stdio.h>
#include <sys/stat.h>

const char *cli_forms_dir(const char *catalog_dir, const char *explicit_dir)
{
    if (explicit_dir)
        return explicit_dir;
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/../forms", catalog_dir);
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? dir : NULL;
}

int cli_import(struct db *db, const char *catalog_dir, const char *forms_dir, FILE *report,
               struct cli_import_stats *st, struct pc_err *err)
{
    *st = (struct cli_import_stats){.with_forms = forms_dir != NULL};
    if (forms_dir) {
        struct pc_arena a;
        pc_arena_init(&a);
        struct form_catalog files;
        struct form_report rep = form_report_file(report);
        char today[21];
        pc_rfc3339(pc_now_unix(), today);
        today[10] = 0;
        int n = 0;
        int rc = form_catalog_files(catalog_dir, &a, &files, err);
        if (!rc)
            rc = form_check_dir(forms_dir, &files, today, &rep, &n, err);
        if (!rc && rep.count)
            rc = pc_err_set(err, PC_EINVAL, "%d problem%s in the forms of %s: nothing was imported", rep.count,
                            rep.count == 1 ? "" : "s", forms_dir);
        pc_arena_release(&a);
        if (rc)
            return rc;
    }
    int rc = cat_import(db, catalog_dir, report, &st->catalog, err);
    if (rc || !forms_dir)
        return rc;
    struct form_catalog stored = form_catalog_db(db);
    struct form_report rep = form_report_file(report);
    return form_import_dir(db, forms_dir, &stored, &rep, &st->forms, err);
}

/* form_catalog.c — where the form checker looks a service up: the
 * catalogue in the database (an import into a running deployment), or
 * the catalogue files beside the forms (checking a folder, and checking
 * the forms before an import writes anything). */
#include "internal.h"
#include "../catalog/catalog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int from_db(void *ctx, const char *service_id, struct form_service *out, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct cat_service s;
    int rc = cat_get_service(ctx, &a, service_id, &s, err);
    if (!rc) {
        out->deadline_days = s.deadline_days;
        out->fee_qepik = s.fee_qepik;
    }
    pc_arena_release(&a);
    return rc;
}

struct form_catalog form_catalog_db(struct db *db)
{
    return (struct form_catalog){.lookup = from_db, .ctx = db};
}

struct file_catalog {
    const char **ids;
    struct form_service *facts;
    size_t n;
};

static int from_files(void *ctx, const char *service_id, struct form_service *out, struct pc_err *err)
{
    const struct file_catalog *fc = ctx;
    for (size_t i = 0; i < fc->n; i++)
        if (strcmp(fc->ids[i], service_id) == 0) {
            *out = fc->facts[i];
            return 0;
        }
    return pc_err_set(err, PC_ENOTFOUND, "no service \"%s\"", service_id);
}

int form_catalog_files(const char *dir, struct pc_arena *a, struct form_catalog *out, struct pc_err *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/services.jsonl", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return pc_err_set(err, PC_EIO, "cannot read %s: %s", path, strerror(errno));
    struct file_catalog *fc = pc_arena_alloc(a, sizeof *fc);
    size_t cap = 0;
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    while ((len = getline(&line, &linecap, f)) > 0) {
        struct cat_service s;
        /* a bad row is the catalogue import's to report; its id is unknown here */
        if (len <= 1 || cat_parse_service(a, line, (size_t)len, &s, NULL) != 0)
            continue;
        if (fc->n == cap) {
            cap = cap ? cap * 2 : 256;
            const char **ids = pc_arena_array(a, cap, sizeof *ids);
            struct form_service *facts = pc_arena_array(a, cap, sizeof *facts);
            if (fc->n) {
                memcpy(ids, fc->ids, fc->n * sizeof *ids);
                memcpy(facts, fc->facts, fc->n * sizeof *facts);
            }
            fc->ids = ids;
            fc->facts = facts;
        }
        fc->ids[fc->n] = s.id;
        fc->facts[fc->n++] = (struct form_service){.deadline_days = s.deadline_days, .fee_qepik = s.fee_qepik};
    }
    free(line);
    fclose(f);
    *out = (struct form_catalog){.lookup = from_files, .ctx = fc};
    return 0;
}

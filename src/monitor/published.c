/* published.c — published campaigns from data/evaluations (one folder a
 * campaign: campaign.json, infrastructure.json, services.jsonl, described
 * in data/evaluations/README.md).  The published figures are kept as
 * printed ("max/score" and the band's words); the engine scores the
 * infrastructure answers and gives each published score its band, so a
 * page can show both and where they differ.  The campaigns are read once
 * per process (they change with a release, not at run time). */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILE_MAX (4 * 1024 * 1024)

static bool is_dir(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *mon_evaluations_dir(void)
{
    static char buf[4096];
    const char *env = getenv("PENCERE_DATA");
    if (env) {
        snprintf(buf, sizeof buf, "%s/evaluations", env);
        if (is_dir(buf))
            return buf;
    }
    if (is_dir("data/evaluations"))
        return "data/evaluations";
#ifdef PENCERE_SOURCE_DATA
    if (is_dir(PENCERE_SOURCE_DATA "/evaluations"))
        return PENCERE_SOURCE_DATA "/evaluations";
#endif
    return is_dir("/usr/share/pencere/evaluations") ? "/usr/share/pencere/evaluations" : NULL;
}

static int read_all(struct pc_arena *a, const char *path, char **out, size_t *len, struct pc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pc_err_set(err, errno == ENOENT ? PC_ENOTFOUND : PC_EIO, "cannot open %s: %s", path, strerror(errno));
    struct pc_buf b;
    pc_buf_init(&b, FILE_MAX);
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !b.toobig)
        pc_buf_append(&b, chunk, n);
    bool bad = ferror(f), big = b.toobig;
    fclose(f);
    if (bad || big) {
        pc_buf_release(&b);
        return pc_err_set(err, big ? PC_ETOOBIG : PC_EIO, "cannot read %s%s", path, big ? ": too large" : "");
    }
    *out = pc_arena_strndup(a, b.data, b.len);
    *len = b.len;
    pc_buf_release(&b);
    return 0;
}

static const char *str(struct pc_arena *a, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? pc_arena_strdup(a, s) : NULL;
}

static bool text_of(struct pc_arena *a, json_t *o, struct pc_text *out)
{
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        out->s[l] = str(a, o, pc_lang_code((enum pc_lang)l));
        if (!out->s[l])
            return false;
    }
    return true;
}

/* {"printed": "10/7", "words": "yaxşı"}: max/score within bounds. */
static bool printed_of(struct pc_arena *a, json_t *o, int max_lo, int max_hi, struct mon_published_score *out)
{
    const char *p = json_string_value(json_object_get(o, "printed"));
    const char *w = json_string_value(json_object_get(o, "words"));
    char tail;
    if (!p || !w || sscanf(p, "%d/%d%c", &out->max, &out->score, &tail) != 2)
        return false;
    out->words = pc_arena_strdup(a, w);
    return out->max >= max_lo && out->max <= max_hi && out->score >= 0 && out->score <= out->max;
}

static int service_of(struct pc_arena *a, json_t *o, int line, struct mon_published_service *s, struct pc_err *err)
{
    memset(s, 0, sizeof *s);
    s->service = str(a, o, "service");
    s->agency = str(a, o, "agency");
    s->group = str(a, o, "group");
    s->row = str(a, o, "row");
    s->name = str(a, o, "name");
    s->source = str(a, o, "source");
    s->model = (int)json_integer_value(json_object_get(o, "model"));
    s->paid = json_is_true(json_object_get(o, "paid"));
    if (!s->service || !s->agency || !s->group || !s->row || !s->name || !mon_model_valid(s->model) ||
        !json_is_boolean(json_object_get(o, "paid")) ||
        !printed_of(a, json_object_get(o, "development"), s->model, s->model, &s->development) ||
        !printed_of(a, json_object_get(o, "participation"), 10, 10, &s->participation) ||
        !printed_of(a, json_object_get(o, "transparency"), s->paid ? 10 : 8, s->paid ? 10 : 8, &s->transparency))
        return pc_err_set(err, PC_EINVAL, "services.jsonl line %d: a service needs service, agency, group, row, name, "
                                          "model, paid and the printed development, participation and transparency "
                                          "(max/score within the methodology's scales)", line);
    s->participation_band = mon_participation_band(s->participation.score);
    s->transparency_band = mon_transparency_band(s->transparency.score, s->transparency.max);
    json_t *d = json_object_get(o, "discrepancies");
    s->ndiscrepancies = json_array_size(d);
    s->discrepancies = pc_arena_array(a, s->ndiscrepancies ? s->ndiscrepancies : 1, sizeof *s->discrepancies);
    for (size_t i = 0; i < s->ndiscrepancies; i++) {
        const char *t = json_string_value(json_array_get(d, i));
        if (!t)
            return pc_err_set(err, PC_EINVAL, "services.jsonl line %d: a discrepancy is a text", line);
        s->discrepancies[i] = pc_arena_strdup(a, t);
    }
    return 0;
}

static int load_services(struct pc_arena *a, const char *dir, struct mon_published *out, struct pc_err *err)
{
    char *text;
    size_t len;
    int rc = read_all(a, pc_arena_printf(a, "%s/services.jsonl", dir), &text, &len, err);
    if (rc)
        return rc;
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += text[i] == '\n';
    out->services = pc_arena_array(a, cap, sizeof *out->services);
    int line = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        json_error_t je;
        json_t *o = json_loads(l, 0, &je);
        if (!json_is_object(o)) {
            json_decref(o);
            return pc_err_set(err, PC_EINVAL, "%s/services.jsonl line %d: not a JSON object", dir, line);
        }
        rc = service_of(a, o, line, &out->services[out->nservices], err);
        json_decref(o);
        if (rc)
            return rc;
        bool known = false;
        for (size_t g = 0; g < out->ngroups; g++)
            known |= strcmp(out->groups[g].id, out->services[out->nservices].group) == 0;
        if (!known)
            return pc_err_set(err, PC_EINVAL, "%s/services.jsonl line %d: the group is not in campaign.json", dir, line);
        out->nservices++;
    }
    return 0;
}

static int load_infra(struct pc_arena *a, const char *dir, json_t *infra, struct mon_published *out,
                      struct pc_err *err)
{
    const char *file = json_string_value(json_object_get(infra, "answers"));
    const char *index = json_string_value(json_object_get(json_object_get(infra, "published"), "index"));
    if (!file || strchr(file, '/') || !index)
        return pc_err_set(err, PC_EINVAL, "%s/campaign.json: \"infrastructure\" needs \"answers\" (a file beside it) "
                                          "and \"published\".\"index\"", dir);
    char *text;
    size_t len;
    int rc = read_all(a, pc_arena_printf(a, "%s/%s", dir, file), &text, &len, err);
    if (rc)
        return rc;
    struct mon_answers ans;
    rc = mon_sheet_parse(text, len, MON_INFRA, false, NULL, &ans, err);
    if (!rc)
        rc = mon_score_infra(&ans, &out->infra, err);
    if (rc)
        return pc_err_set(err, rc, "%s/%s: %s", dir, file, err->msg);
    out->has_infra = true;
    out->infra_answers = ans;
    out->infra_printed_index = pc_arena_strdup(a, index);
    out->infra_source = str(a, infra, "source");
    return 0;
}

int mon_published_load(struct pc_arena *a, const char *dir, struct mon_published *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    char *text;
    size_t len;
    int rc = read_all(a, pc_arena_printf(a, "%s/campaign.json", dir), &text, &len, err);
    if (rc)
        return rc;
    json_error_t je;
    json_t *c = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(c)) {
        json_decref(c);
        return pc_err_set(err, PC_EINVAL, "%s/campaign.json: not a JSON object (line %d: %s)", dir, je.line, je.text);
    }
    out->id = str(a, c, "id");
    out->source = str(a, c, "source");
    json_t *groups = json_object_get(c, "groups"), *d = json_object_get(c, "discrepancies");
    out->ngroups = json_array_size(groups);
    out->groups = pc_arena_array(a, out->ngroups ? out->ngroups : 1, sizeof *out->groups);
    bool ok = out->id && text_of(a, json_object_get(c, "title"), &out->title) && out->ngroups > 0;
    for (size_t i = 0; ok && i < out->ngroups; i++) {
        out->groups[i].id = str(a, json_array_get(groups, i), "id");
        ok = out->groups[i].id && text_of(a, json_object_get(json_array_get(groups, i), "name"), &out->groups[i].name);
    }
    out->ndiscrepancies = json_array_size(d);
    out->discrepancies = pc_arena_array(a, out->ndiscrepancies ? out->ndiscrepancies : 1, sizeof *out->discrepancies);
    for (size_t i = 0; ok && i < out->ndiscrepancies; i++) {
        out->discrepancies[i].subject = str(a, json_array_get(d, i), "subject");
        out->discrepancies[i].what = str(a, json_array_get(d, i), "what");
        ok = out->discrepancies[i].subject && out->discrepancies[i].what;
    }
    if (!ok) {
        json_decref(c);
        return pc_err_set(err, PC_EINVAL, "%s/campaign.json: needs \"id\", \"title\" in every language, \"groups\" "
                                          "with id and name, and discrepancies with subject and what", dir);
    }
    json_t *infra = json_object_get(c, "infrastructure");
    rc = infra ? load_infra(a, dir, infra, out, err) : 0;
    json_decref(c);
    return rc ? rc : load_services(a, dir, out, err);
}

/* ---- every campaign of the data folder, read once ---------------------------- */

static struct {
    pthread_once_t once;
    struct pc_arena arena;
    struct mon_published *list;
    size_t n;
    int rc;
    struct pc_err err;
} campaigns = {.once = PTHREAD_ONCE_INIT};

static int by_id_desc(const void *x, const void *y)
{
    return strcmp(((const struct mon_published *)y)->id, ((const struct mon_published *)x)->id);
}

static void load_all(void)
{
    pc_arena_init(&campaigns.arena);
    const char *dir = mon_evaluations_dir();
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) {
        campaigns.rc = pc_err_set(&campaigns.err, PC_ENOTFOUND, "no data/evaluations folder");
        return;
    }
    size_t cap = 8;
    campaigns.list = pc_arena_array(&campaigns.arena, cap, sizeof *campaigns.list);
    struct dirent *e;
    while ((e = readdir(d)) && !campaigns.rc) {
        const char *sub = pc_arena_printf(&campaigns.arena, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || !is_dir(sub))
            continue;
        if (campaigns.n == cap) {
            struct mon_published *v = pc_arena_array(&campaigns.arena, cap * 2, sizeof *v);
            memcpy(v, campaigns.list, cap * sizeof *v);
            campaigns.list = v;
            cap *= 2;
        }
        campaigns.rc = mon_published_load(&campaigns.arena, sub, &campaigns.list[campaigns.n], &campaigns.err);
        campaigns.n += !campaigns.rc;
    }
    closedir(d);
    qsort(campaigns.list, campaigns.n, sizeof *campaigns.list, by_id_desc);
}

int mon_published_list(const struct mon_published **out, size_t *n, struct pc_err *err)
{
    pthread_once(&campaigns.once, load_all);
    if (campaigns.rc) {
        *n = 0;
        return pc_err_set(err, campaigns.rc, "%s", campaigns.err.msg);
    }
    *out = campaigns.list;
    *n = campaigns.n;
    return 0;
}

int mon_published_get(const char *id, const struct mon_published **out, struct pc_err *err)
{
    const struct mon_published *list;
    size_t n;
    int rc = mon_published_list(&list, &n, err);
    if (rc)
        return rc;
    for (size_t i = 0; id && i < n; i++)
        if (strcmp(list[i].id, id) == 0) {
            *out = &list[i];
            return 0;
        }
    return pc_err_set(err, PC_ENOTFOUND, "no published campaign \"%.40s\"", id ? id : "");
}

const struct mon_published_service *mon_published_service(const struct mon_published *c, const char *service)
{
    for (size_t i = 0; c && service && i < c->nservices; i++)
        if (strcmp(c->services[i].service, service) == 0)
            return &c->services[i];
    return NULL;
}

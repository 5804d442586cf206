/* form_post.c — one page of a form as a browser posts it, read into
 * answers: values trimmed, numbers written with a decimal comma, a FİN in
 * capitals, the checkboxes of a multiple choice, the items of a group
 * ("members[0].fin") with its add and remove buttons, and the files
 * uploaded with the post (a file not chosen again keeps the one before). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static const char *post_value(const struct form_post *p, const char *name)
{
    for (size_t i = 0; i < p->nfields; i++)
        if (strcmp(p->fields[i].name, name) == 0)
            return p->fields[i].value;
    return NULL;
}

static bool posted(const struct form_post *p, const char *name)
{
    return post_value(p, name) != NULL;
}

/* A typed value from what was typed; NULL when nothing was. */
static json_t *parse_value(const struct form_question *q, const char *v)
{
    while (v && (*v == ' ' || *v == '\t'))
        v++;
    if (!v || !*v)
        return NULL;
    size_t n = strlen(v);
    char *copy = strndup(v, n);
    if (!copy)
        pc_oom(n);
    while (n && (copy[n - 1] == ' ' || copy[n - 1] == '\t'))
        copy[--n] = 0;
    json_t *out;
    if (q->type == FORM_NUMBER) {
        char *end;
        for (char *p = copy; *p; p++)
            if (*p == ',')
                *p = '.'; /* 2,5 is how many people write it */
        double d = strtod(copy, &end);
        if (*end || end == copy)
            out = json_string(copy); /* refused by the checks as "not a number" */
        else if (d == (double)(long long)d && !strchr(copy, '.'))
            out = json_integer((json_int_t)d);
        else
            out = json_real(d);
    } else {
        if (q->type == FORM_FIN)
            for (char *p = copy; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                    *p = (char)(*p - 32);
        out = json_string(copy);
        if (!out)
            out = json_integer(0); /* not UTF-8: refused by the checks as "not text" */
    }
    free(copy);
    return out;
}

/* All values of a repeated field (checkboxes). */
static json_t *all_values(const struct form_post *p, const char *name)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < p->nfields; i++)
        if (strcmp(p->fields[i].name, name) == 0 && *p->fields[i].value)
            json_array_append_new(arr, json_string(p->fields[i].value));
    return arr;
}

/* A file question: the file uploaded with this post, or the answer it had
 * before; a file refused at upload is an issue of the field. */
static void read_file(const struct form_question *q, const struct form_post *p, const char *name, json_t *into,
                      const json_t *before, struct form_issues *issues)
{
    for (size_t i = 0; i < p->nfiles; i++) {
        const struct form_post_file *f = &p->files[i];
        if (strcmp(f->field, name) != 0)
            continue;
        if (f->error == PC_ETOOBIG)
            form_issue_add(issues, name, FORM_ISSUE_FILE_TOO_BIG, q->max_bytes);
        else if (f->error == PC_EINVAL)
            form_issue_add(issues, name, FORM_ISSUE_FILE_TYPE, 0);
        else if (f->error)
            form_issue_add(issues, name, FORM_ISSUE_BAD_FILE, 0);
        else {
            json_object_set_new(into, q->id, case_file_json(&f->file));
            return;
        }
        break;
    }
    if (json_object_get(before, "sha256"))
        json_object_set(into, q->id, (json_t *)before);
}

static void read_question(const struct form_question *q, const struct form_post *p, const char *name, json_t *into,
                          const json_t *before, struct form_issues *issues)
{
    if (q->type == FORM_FILE) {
        read_file(q, p, name, into, before, issues);
        return;
    }
    if (q->type == FORM_CHOICE && q->multiple) {
        json_object_set_new(into, q->id, all_values(p, name));
        return;
    }
    json_t *v = parse_value(q, post_value(p, name));
    if (v)
        json_object_set_new(into, q->id, v);
    else
        json_object_del(into, q->id);
}

static json_t *read_group(const struct form_question *g, const struct form_post *p, const json_t *before,
                          struct form_issues *issues)
{
    json_t *items = json_array();
    for (int i = 0; i < FORM_MAX_ITEMS; i++) {
        /* an item exists when any of its fields was posted */
        json_t *item = json_object();
        bool present = false;
        for (size_t k = 0; k < g->nquestions; k++) {
            const struct form_question *iq = &g->questions[k];
            char name[160];
            snprintf(name, sizeof name, "%s[%d].%s", g->id, i, iq->id);
            present = present || posted(p, name);
            read_question(iq, p, name, item, json_object_get(json_array_get(before, (size_t)i), iq->id), issues);
        }
        if (!present) {
            json_decref(item);
            break;
        }
        json_array_append_new(items, item);
    }
    size_t len = strlen(g->id);
    long long at;
    if (p->remove && strncmp(p->remove, g->id, len) == 0 && p->remove[len] == ':' &&
        pc_parse_int(p->remove + len + 1, 0, FORM_MAX_ITEMS, &at) == 0)
        json_array_remove(items, (size_t)at);
    if (pc_str_eq(p->add, g->id) && json_array_size(items) < FORM_MAX_ITEMS)
        json_array_append_new(items, json_object());
    return items;
}

json_t *form_read_page(const struct form_page *page, const struct form_post *post, const json_t *before,
                       struct form_issues *upload_issues)
{
    json_t *answers = json_object();
    for (size_t k = 0; k < page->nquestions; k++) {
        const struct form_question *q = &page->questions[k];
        if (q->type == FORM_GROUP)
            json_object_set_new(answers, q->id, read_group(q, post, json_object_get(before, q->id), upload_issues));
        else
            read_question(q, post, q->id, answers, json_object_get(before, q->id), upload_issues);
    }
    return answers;
}

struct form_answers *form_take_page(const struct form_page *page, const struct form_post *post,
                                    const struct form_answers *before, struct pc_arena *a,
                                    struct form_issues *upload_issues)
{
    json_t *posted = form_read_page(page, post, before ? before->j : NULL, upload_issues);
    struct form_answers *out = form_answers_own(a, before ? json_deep_copy(before->j) : NULL);
    json_object_update(out->j, posted);
    json_decref(posted);
    return out;
}

/* sheet.c — questionnaire and campaign files, the outside input of
 * `pencere eval` (fuzzed: tests/fuzz/fuzz_eval_sheet.c).  A questionnaire
 * is a JSON object or "question,answer" CSV; a campaign is JSON Lines (a
 * subject a line) or CSV "subject,agency,model,paid,criterion,question,
 * answer".  Every problem is reported with its line where there is one,
 * and the rules of the methodology are checked by the one checker
 * (method.c) after reading, so nothing half-read is ever scored. */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES (64 * 1024)

struct rep {
    FILE *f;
    int count;
    int line;                /* of the problems being told, 0 for none */
    const char *subject;     /* "service din-id-card, development", or NULL */
};

static void say(struct rep *r, const char *fmt, ...) PC_PRINTF(2, 3);
static void say(struct rep *r, const char *fmt, ...)
{
    r->count++;
    if (!r->f)
        return;
    if (r->line)
        fprintf(r->f, "line %d: ", r->line);
    if (r->subject)
        fprintf(r->f, "%s: ", r->subject);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->f, fmt, ap);
    va_end(ap);
    fputc('\n', r->f);
}

static void issue_to_rep(void *ctx, const char *question, const char *what)
{
    struct rep *r = ctx;
    if (*question)
        say(r, "question %s: %s", question, what);
    else
        say(r, "%s", what);
}

static int problems(struct rep *r, struct pc_err *err)
{
    if (!r->count)
        return 0;
    return pc_err_set(err, PC_EINVAL, "%d problem%s in the file: nothing was scored", r->count,
                      r->count == 1 ? "" : "s");
}

/* ---- CSV -------------------------------------------------------------------- */

int mon__csv_fields(struct pc_arena *a, const char *line, size_t n, const char **out, int max)
{
    char *buf = pc_arena_alloc(a, n + 1);
    size_t o = 0, i = 0;
    int nf = 0;
    while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
        n--;
    for (;;) {
        if (nf == max)
            return -1;
        out[nf++] = buf + o;
        if (i < n && line[i] == '"') {
            for (i++;; i++) {
                if (i >= n)
                    return -1; /* a quote left open */
                if (line[i] == '"') {
                    if (i + 1 < n && line[i + 1] == '"') {
                        buf[o++] = '"';
                        i++;
                        continue;
                    }
                    i++;
                    break;
                }
                buf[o++] = line[i];
            }
            if (i < n && line[i] != ',')
                return -1;
        } else {
            while (i < n && line[i] != ',')
                buf[o++] = line[i++];
        }
        buf[o++] = 0;
        if (i >= n)
            return nf;
        i++; /* the comma */
    }
}

void mon__csv_put(struct pc_buf *b, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        pc_buf_puts(b, s);
        return;
    }
    pc_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            pc_buf_putc(b, '"');
        pc_buf_putc(b, *s);
    }
    pc_buf_putc(b, '"');
}

/* The next line of text[*pos..len): its start and length (without the
 * newline); false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= len)
        return false;
    const char *s = text + *pos, *nl = memchr(s, '\n', len - *pos);
    *line = s;
    *n = nl ? (size_t)(nl - s) : len - *pos;
    *pos += *n + (nl != NULL);
    if (*n && s[*n - 1] == '\r')
        (*n)--;
    return true;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

/* Skip a UTF-8 byte-order mark and leading white space. */
static size_t text_start(const char *text, size_t len)
{
    size_t i = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    return i;
}

static const char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
    return s;
}

/* One answer of a questionnaire, from any file: where it was first seen
 * (lines[i]) so a second answer can name it. */
static void put_answer(struct rep *r, enum mon_criterion c, struct mon_answers *out, int *lines, const char *qid,
                       const char *value)
{
    int i = mon_question_index(c, qid);
    if (i < 0) {
        say(r, "unknown %s question \"%.20s\"", mon_criterion_name(c), qid);
        return;
    }
    if (out->a[i].kind != MON_ANS_MISSING) {
        if (lines && lines[i])
            say(r, "question %s is answered twice (first on line %d)", qid, lines[i]);
        else
            say(r, "question %s is answered twice", qid);
        return;
    }
    struct pc_err e = {0};
    if (mon_answer_parse(value, &out->a[i], &e)) {
        say(r, "question %s: %s", qid, e.msg);
        return;
    }
    if (lines)
        lines[i] = r->line;
}

/* ---- JSON ------------------------------------------------------------------------- */

void mon__answers_json(const json_t *o, enum mon_criterion c, struct mon_answers *out, mon_issue_fn issue, void *ctx)
{
    memset(out, 0, sizeof *out);
    out->criterion = c;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) {
        int i = mon_question_index(c, k);
        if (i < 0) {
            issue(ctx, k, "no such question in this questionnaire");
            continue;
        }
        struct pc_err e = {0};
        if (mon__answer_json(v, &out->a[i], &e))
            issue(ctx, k, e.msg);
    }
}

static void json_issue(void *ctx, const char *question, const char *what)
{
    issue_to_rep(ctx, question, what);
}

static json_t *load_json(struct rep *r, const char *text, size_t len, int line_base)
{
    json_error_t je;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        int saved = r->line;
        r->line = line_base ? line_base : je.line;
        say(r, "not valid JSON: %s (column %d)", je.text, je.column);
        r->line = saved;
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        say(r, "must be one JSON object");
        return NULL;
    }
    return o;
}

/* ---- one questionnaire ---------------------------------------------------------- */

int mon_sheet_parse(const char *text, size_t len, enum mon_criterion c, bool free_service, FILE *report,
                    struct mon_answers *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    out->criterion = c;
    struct rep r = {.f = report};
    size_t start = text_start(text, len);
    size_t first = start;
    while (first < len && (text[first] == ' ' || text[first] == '\t' || text[first] == '\r' || text[first] == '\n'))
        first++;
    if (first >= len)
        return pc_err_set(err, PC_EINVAL, "the file is empty");
    if (text[first] == '{') {
        json_t *o = load_json(&r, text + start, len - start, 0);
        if (o) {
            mon__answers_json(o, c, out, json_issue, &r);
            json_decref(o);
        }
    } else {
        struct pc_arena a;
        pc_arena_init(&a);
        int lines[MON_MAX_QUESTIONS] = {0};
        size_t pos = start;
        const char *line;
        size_t n;
        int lineno = 0;
        bool header_seen = false;
        while (next_line(text, len, &pos, &line, &n)) {
            r.line = ++lineno;
            if (blank(line, n))
                continue;
            if (n > LINE_MAX_BYTES) {
                say(&r, "the line is longer than %d bytes", LINE_MAX_BYTES);
                continue;
            }
            const char *f[3];
            int nf = mon__csv_fields(&a, line, n, f, 3);
            if (nf != 2) {
                say(&r, "a line is \"question,answer\"");
                continue;
            }
            const char *q = trim((char *)f[0]), *v = trim((char *)f[1]);
            if (!header_seen && strcmp(q, "question") == 0 && strcmp(v, "answer") == 0) {
                header_seen = true;
                continue;
            }
            header_seen = true;
            put_answer(&r, c, out, lines, q, v);
        }
        pc_arena_release(&a);
        r.line = 0;
    }
    if (!r.count)
        mon__check(out, c == MON_DEVELOPMENT ? 3 : 0, !free_service, issue_to_rep, &r);
    return problems(&r, err);
}

/* ---- campaign files ----------------------------------------------------------- */

struct campaign_reader {
    struct pc_arena *a;
    struct rep r;
    struct mon_sheet *s;
    int infra_line;
    size_t cap;
};

static bool slug_ok(const char *s, size_t min, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n < min || n > max || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-') ||
            (s[i] == '-' && s[i + 1] == '-'))
            return false;
    return true;
}

static struct mon_sheet_service *find_service(struct mon_sheet *s, const char *id)
{
    for (size_t i = 0; i < s->nservices; i++)
        if (strcmp(s->services[i].service, id) == 0)
            return &s->services[i];
    return NULL;
}

static struct mon_sheet_service *add_service(struct campaign_reader *cr, const char *id, int line)
{
    struct mon_sheet *s = cr->s;
    if (s->nservices == MON_SHEET_MAX_SERVICES) {
        say(&cr->r, "more than %d services in one campaign", MON_SHEET_MAX_SERVICES);
        return NULL;
    }
    if (s->nservices == cr->cap) {
        size_t cap = cr->cap ? cr->cap * 2 : 32;
        struct mon_sheet_service *v = pc_arena_array(cr->a, cap, sizeof *v);
        if (s->nservices)
            memcpy(v, s->services, s->nservices * sizeof *v);
        s->services = v;
        cr->cap = cap;
    }
    struct mon_sheet_service *v = &s->services[s->nservices++];
    memset(v, 0, sizeof *v);
    v->service = pc_arena_strdup(cr->a, id);
    v->line = line;
    v->model = 0;
    for (int c = 0; c < MON_CRITERION_COUNT; c++)
        v->answers[c].criterion = (enum mon_criterion)c;
    return v;
}

static int parse_model(const char *s)
{
    long long m;
    return pc_parse_int(s, 3, 5, &m) == 0 ? (int)m : 0;
}

static int parse_bool(const char *s)
{
    if (pc_str_eq(s, "1") || pc_str_eq(s, "true") || pc_str_eq(s, "yes"))
        return 1;
    if (pc_str_eq(s, "0") || pc_str_eq(s, "false") || pc_str_eq(s, "no"))
        return 0;
    return -1;
}

static void jsonl_line(struct campaign_reader *cr, const char *line, size_t n)
{
    struct rep *r = &cr->r;
    json_t *o = load_json(r, line, n, r->line);
    if (!o)
        return;
    json_t *infra = json_object_get(o, "infrastructure");
    if (infra) {
        if (json_object_size(o) != 1 || !json_is_object(infra)) {
            say(r, "an infrastructure line is {\"infrastructure\": {\"1.1\": 1, …}} and nothing else");
        } else if (cr->s->has_infra) {
            say(r, "the infrastructure is answered twice (first on line %d)", cr->infra_line);
        } else {
            cr->s->has_infra = true;
            cr->infra_line = r->line;
            r->subject = "infrastructure";
            mon__answers_json(infra, MON_INFRA, &cr->s->infra, json_issue, r);
            r->subject = NULL;
        }
        json_decref(o);
        return;
    }
    static const char *const keys[] = {"service", "agency", "model", "paid", "development", "participation",
                                       "transparency", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        bool known = false;
        for (int i = 0; keys[i]; i++)
            known |= strcmp(k, keys[i]) == 0;
        if (!known)
            say(r, "unknown field \"%.40s\"", k);
    }
    const char *id = json_string_value(json_object_get(o, "service"));
    const char *agency = json_string_value(json_object_get(o, "agency"));
    if (!slug_ok(id, 3, 60)) {
        say(r, "\"service\" must be a service id (3-60 of a-z, 0-9 and single hyphens)");
        json_decref(o);
        return;
    }
    struct mon_sheet_service *prev = find_service(cr->s, id);
    if (prev) {
        say(r, "service %s is given twice (first on line %d)", id, prev->line);
        json_decref(o);
        return;
    }
    struct mon_sheet_service *s = add_service(cr, id, r->line);
    if (!s) {
        json_decref(o);
        return;
    }
    if (!slug_ok(agency, 2, 40))
        say(r, "\"agency\" must be an agency id (2-40 of a-z, 0-9 and single hyphens)");
    else
        s->agency = pc_arena_strdup(cr->a, agency);
    json_t *model = json_object_get(o, "model"), *paid = json_object_get(o, "paid");
    if (model && !(json_is_integer(model) && mon_model_valid((int)json_integer_value(model))))
        say(r, "\"model\" must be 3, 4 or 5");
    else if (model)
        s->model = (int)json_integer_value(model);
    if (paid && !json_is_boolean(paid))
        say(r, "\"paid\" must be true or false");
    s->paid = json_is_true(paid);
    bool any = false;
    for (int c = MON_DEVELOPMENT; c < MON_CRITERION_COUNT; c++) {
        json_t *q = json_object_get(o, mon_criterion_name((enum mon_criterion)c));
        if (!q)
            continue;
        any = true;
        r->subject = pc_arena_printf(cr->a, "%s, %s", id, mon_criterion_name((enum mon_criterion)c));
        if (!json_is_object(q))
            say(r, "the answers are an object {\"1\": 1, …}");
        else {
            s->has[c] = true;
            mon__answers_json(q, (enum mon_criterion)c, &s->answers[c], json_issue, r);
        }
        r->subject = NULL;
    }
    if (!any)
        say(r, "service %s has no answers: give \"development\", \"participation\" or \"transparency\"", id);
    if (s->has[MON_DEVELOPMENT] && !model)
        say(r, "\"model\" (3, 4 or 5) is needed with the development answers");
    if (s->has[MON_TRANSPARENCY] && !paid)
        say(r, "\"paid\" (true or false) is needed with the transparency answers");
    json_decref(o);
}

enum { COL_SUBJECT, COL_AGENCY, COL_MODEL, COL_PAID, COL_CRITERION, COL_QUESTION, COL_ANSWER, NCOLS };
static const char *const csv_header[NCOLS] = {"subject", "agency", "model", "paid", "criterion", "question", "answer"};

struct csv_state {
    int lines[MON_SHEET_MAX_SERVICES + 1][MON_CRITERION_COUNT][MON_MAX_QUESTIONS];
};

static void csv_line(struct campaign_reader *cr, struct csv_state *st, const char **f)
{
    struct rep *r = &cr->r;
    const char *subject = f[COL_SUBJECT];
    int c = mon_criterion_parse(f[COL_CRITERION]);
    if (strcmp(subject, "infrastructure") == 0) {
        if (c != MON_INFRA || *f[COL_AGENCY] || *f[COL_MODEL] || *f[COL_PAID]) {
            say(r, "an infrastructure row has criterion \"infrastructure\" and no agency, model or paid");
            return;
        }
        if (!cr->s->has_infra) {
            cr->s->has_infra = true;
            cr->infra_line = r->line;
            cr->s->infra.criterion = MON_INFRA;
        }
        put_answer(r, MON_INFRA, &cr->s->infra, st->lines[MON_SHEET_MAX_SERVICES][MON_INFRA], f[COL_QUESTION],
                   f[COL_ANSWER]);
        return;
    }
    if (!slug_ok(subject, 3, 60)) {
        say(r, "the subject must be \"infrastructure\" or a service id (3-60 of a-z, 0-9 and single hyphens)");
        return;
    }
    if (c <= MON_INFRA) {
        say(r, "the criterion of a service is development, participation or transparency");
        return;
    }
    int model = parse_model(f[COL_MODEL]), paid = parse_bool(f[COL_PAID]);
    struct mon_sheet_service *s = find_service(cr->s, subject);
    if (!s) {
        s = add_service(cr, subject, r->line);
        if (!s)
            return;
        if (!slug_ok(f[COL_AGENCY], 2, 40))
            say(r, "the agency must be an agency id (2-40 of a-z, 0-9 and single hyphens)");
        else
            s->agency = pc_arena_strdup(cr->a, f[COL_AGENCY]);
        if (!model)
            say(r, "the model must be 3, 4 or 5");
        if (paid < 0)
            say(r, "paid must be 1 or 0 (true or false)");
        s->model = model;
        s->paid = paid == 1;
    } else if (!pc_str_eq(s->agency, f[COL_AGENCY]) || s->model != model || (int)s->paid != paid) {
        say(r, "service %s has another agency, model or paid than on line %d", subject, s->line);
        return;
    }
    s->has[c] = true;
    size_t idx = (size_t)(s - cr->s->services);
    r->subject = pc_arena_printf(cr->a, "%s, %s", subject, mon_criterion_name((enum mon_criterion)c));
    put_answer(r, (enum mon_criterion)c, &s->answers[c], st->lines[idx][c], f[COL_QUESTION], f[COL_ANSWER]);
    r->subject = NULL;
}

static void read_csv(struct campaign_reader *cr, const char *text, size_t len, size_t start)
{
    struct csv_state *st = calloc(1, sizeof *st);
    if (!st)
        pc_oom(sizeof *st);
    struct rep *r = &cr->r;
    size_t pos = start;
    const char *line;
    size_t n;
    int lineno = 0;
    bool header = false;
    while (next_line(text, len, &pos, &line, &n)) {
        r->line = ++lineno;
        if (blank(line, n))
            continue;
        if (n > LINE_MAX_BYTES) {
            say(r, "the line is longer than %d bytes", LINE_MAX_BYTES);
            continue;
        }
        const char *f[NCOLS];
        int nf = mon__csv_fields(cr->a, line, n, f, NCOLS);
        if (nf != NCOLS) {
            say(r, "a row has %d fields: %s", NCOLS, "subject,agency,model,paid,criterion,question,answer");
            continue;
        }
        for (int i = 0; i < NCOLS; i++)
            f[i] = trim((char *)f[i]);
        if (!header) {
            header = true;
            bool ok = true;
            for (int i = 0; i < NCOLS; i++)
                ok &= strcmp(f[i], csv_header[i]) == 0;
            if (!ok)
                say(r, "the first row must be the header subject,agency,model,paid,criterion,question,answer");
            continue;
        }
        csv_line(cr, st, f);
    }
    free(st);
}

int mon_campaign_file_parse(struct pc_arena *a, const char *text, size_t len, FILE *report, struct mon_sheet *out,
                            struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    out->infra.criterion = MON_INFRA;
    struct campaign_reader cr = {.a = a, .r = {.f = report}, .s = out};
    size_t start = text_start(text, len), first = start;
    while (first < len && (text[first] == ' ' || text[first] == '\t' || text[first] == '\r' || text[first] == '\n'))
        first++;
    if (first >= len)
        return pc_err_set(err, PC_EINVAL, "the file is empty");
    if (text[first] == '{') {
        size_t pos = start;
        const char *line;
        size_t n;
        int lineno = 0;
        while (next_line(text, len, &pos, &line, &n)) {
            cr.r.line = ++lineno;
            if (blank(line, n))
                continue;
            if (n > LINE_MAX_BYTES)
                say(&cr.r, "the line is longer than %d bytes", LINE_MAX_BYTES);
            else
                jsonl_line(&cr, line, n);
        }
    } else {
        read_csv(&cr, text, len, start);
    }
    /* the methodology's rules, once every row is in */
    if (out->has_infra) {
        cr.r.line = cr.infra_line;
        cr.r.subject = "infrastructure";
        mon__check(&out->infra, 0, false, issue_to_rep, &cr.r);
    }
    for (size_t i = 0; i < out->nservices; i++) {
        struct mon_sheet_service *s = &out->services[i];
        cr.r.line = s->line;
        for (int c = MON_DEVELOPMENT; c < MON_CRITERION_COUNT; c++) {
            if (!s->has[c])
                continue;
            cr.r.subject = pc_arena_printf(a, "%s, %s", s->service, mon_criterion_name((enum mon_criterion)c));
            mon__check(&s->answers[c], c == MON_DEVELOPMENT && s->model ? s->model : 3, s->paid, issue_to_rep,
                       &cr.r);
        }
    }
    cr.r.subject = NULL;
    cr.r.line = 0;
    if (!out->has_infra && out->nservices == 0 && !cr.r.count)
        say(&cr.r, "the file has neither infrastructure answers nor services");
    return problems(&cr.r, err);
}

/* search.c — services by filters and search words, from the snapshot.
 *
 * Search works on folded text (pc_fold), stored by the import for the
 * services' names and descriptions and the agencies' names.  Each query
 * word must start a word of the service's name, its description or its
 * agency's name.  Words of six letters or more also match by their stem
 * (the word less its last three letters, at least five kept) because
 * Azerbaijani adds suffixes: "vəsiqəsi" finds "vəsiqə" and "vəsiqənin".
 * A name match ranks above a description match; an exact word start above
 * a stem.  (These are the rules the SQL LIKE search had; the results are
 * the same, in the same order.)
 *
 * The index is every distinct word of those texts, sorted, each with the
 * services and fields it occurs in: the words a query word starts are one
 * run of the sorted list, found by binary search. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TERMS 8

enum field { F_NAME, F_DESC, F_AGENCY };

/* Bits of a service's mask for one query word: the stem matched a word
 * start of the field (1 << 2f), the whole query word did (2 << 2f). */
#define STEM_IN(f) (1u << (2 * (f)))
#define WORD_IN(f) (2u << (2 * (f)))

struct word {
    const char *p;
    uint32_t len;
    uint32_t first;               /* its postings: post[first .. next word's first) */
};

struct cat_index {
    struct word *words;           /* nwords + 1: the last only ends the postings */
    size_t nwords;
    uint32_t *post;               /* service index << 2 | enum field */
};

/* ---- building ------------------------------------------------------------- */

struct token {
    const char *p;
    uint32_t len, post;
};

struct tokens {
    struct token *t;
    size_t n, cap;
};

static void add_words(struct tokens *tk, const char *text, uint32_t service, enum field f)
{
    for (const char *p = text; p && *p;) {
        size_t len = strcspn(p, " ");
        if (len) {
            if (tk->n == tk->cap) {
                tk->cap = tk->cap ? tk->cap * 2 : 4096;
                struct token *t = realloc(tk->t, tk->cap * sizeof *t);
                if (!t)
                    pc_oom(tk->cap * sizeof *t);
                tk->t = t;
            }
            tk->t[tk->n++] = (struct token){p, (uint32_t)len, service << 2 | (uint32_t)f};
        }
        p += len + (p[len] == ' ');
    }
}

static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : alen < blen ? -1 : alen > blen;
}

static int by_word_then_post(const void *x, const void *y)
{
    const struct token *a = x, *b = y;
    int c = cmp_bytes(a->p, a->len, b->p, b->len);
    return c ? c : a->post < b->post ? -1 : a->post > b->post;
}

void cat_index_build(struct cat_snapshot *s)
{
    struct tokens tk = {0};
    for (size_t i = 0; i < s->nservices; i++) {
        const struct snap_service *x = &s->services[i];
        add_words(&tk, x->name_folded, (uint32_t)i, F_NAME);
        add_words(&tk, x->desc_folded, (uint32_t)i, F_DESC);
        add_words(&tk, s->agencies[x->agency].folded, (uint32_t)i, F_AGENCY);
    }
    if (tk.n) /* an empty catalogue has no words (and qsort no NULL) */
        qsort(tk.t, tk.n, sizeof *tk.t, by_word_then_post);
    size_t nwords = 0, npost = 0;
    for (size_t i = 0; i < tk.n; i++) {
        bool new_word = i == 0 || cmp_bytes(tk.t[i].p, tk.t[i].len, tk.t[i - 1].p, tk.t[i - 1].len) != 0;
        nwords += new_word;
        npost += new_word || tk.t[i].post != tk.t[i - 1].post;
    }
    struct cat_index *ix = pc_arena_alloc(&s->arena, sizeof *ix);
    ix->words = pc_arena_array(&s->arena, nwords + 1, sizeof *ix->words);
    ix->post = pc_arena_array(&s->arena, npost ? npost : 1, sizeof *ix->post);
    size_t w = 0, k = 0;
    for (size_t i = 0; i < tk.n; i++) {
        bool new_word = i == 0 || cmp_bytes(tk.t[i].p, tk.t[i].len, tk.t[i - 1].p, tk.t[i - 1].len) != 0;
        if (new_word)
            ix->words[w++] = (struct word){tk.t[i].p, tk.t[i].len, (uint32_t)k};
        if (new_word || tk.t[i].post != tk.t[i - 1].post)
            ix->post[k++] = tk.t[i].post;
    }
    ix->words[w].first = (uint32_t)k;
    ix->nwords = nwords;
    s->index = ix;
    free(tk.t);
}

/* ---- filters and cursors --------------------------------------------------- */

static bool is_slug(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 60)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

int cat_filter_check(const struct cat_filter *f, struct pc_err *err)
{
    if (f->q && strlen(f->q) > CAT_QUERY_MAX)
        return pc_err_set(err, PC_EINVAL, "the search text is longer than %d bytes", CAT_QUERY_MAX);
    if (f->audience && cat_audience_parse(f->audience) < 0)
        return pc_err_set(err, PC_EINVAL, "audience must be citizens, entrepreneurs or officials");
    if (f->login && cat_login_parse(f->login) < 0)
        return pc_err_set(err, PC_EINVAL, "login must be none, code_password or e_signature");
    if (f->agency && !is_slug(f->agency))
        return pc_err_set(err, PC_EINVAL, "agency is not an agency id");
    if (f->life_event && !is_slug(f->life_event))
        return pc_err_set(err, PC_EINVAL, "life_event is not a life-situation id");
    if (f->limit < 1 || f->limit > CAT_PAGE_MAX)
        return pc_err_set(err, PC_EINVAL, "limit must be from 1 to %d", CAT_PAGE_MAX);
    return 0;
}

/* Cursor: base64url of "SCORE:ID" of the last item of the page. */
static const char *make_cursor(struct pc_arena *a, int score, const char *id)
{
    char raw[96];
    int n = snprintf(raw, sizeof raw, "%d:%s", score, id);
    char *out = pc_arena_alloc(a, (size_t)n * 4 / 3 + 8);
    pc_b64url_encode(raw, (size_t)n, out);
    return out;
}

static int parse_cursor(const char *cur, int *score, char id[64])
{
    char raw[96];
    long n = pc_b64url_decode(cur, strlen(cur), raw, sizeof raw - 1);
    if (n <= 0)
        return PC_EINVAL;
    raw[n] = 0;
    char *colon = strchr(raw, ':');
    if (!colon)
        return PC_EINVAL;
    *colon = 0;
    long long sc;
    if (pc_parse_int(raw, 0, 100000, &sc) || !is_slug(colon + 1) || strlen(colon + 1) >= 64)
        return PC_EINVAL;
    *score = (int)sc;
    memcpy(id, colon + 1, strlen(colon + 1) + 1);
    return 0;
}

/* ---- query words ------------------------------------------------------------ */

struct term {
    const char *word;             /* folded: letters and digits only */
    size_t len, stem;             /* bytes of the word and of its stem */
};

/* Split the folded query into words and their stems. */
static int make_terms(struct pc_arena *a, const char *q, struct term *t)
{
    if (!q)
        return 0;
    struct pc_buf b;
    pc_buf_init(&b, 4 * CAT_QUERY_MAX);
    pc_fold(q, strlen(q), &b);
    const char *p = pc_arena_strndup(a, b.data, b.len);
    pc_buf_release(&b);
    int n = 0;
    while (*p && n < MAX_TERMS) {
        size_t len = strcspn(p, " ");
        /* count letters, not bytes, for the stem rule */
        size_t letters = 0, cut = len;
        for (size_t i = 0; i < len; i++)
            if (((unsigned char)p[i] & 0xC0) != 0x80)
                letters++;
        if (letters >= 6) {
            size_t keep = letters - 3 < 5 ? 5 : letters - 3, seen = 0;
            for (cut = 0; cut < len; cut++) {
                if (((unsigned char)p[cut] & 0xC0) != 0x80 && seen++ == keep)
                    break;
            }
        }
        t[n++] = (struct term){p, len, cut};
        p += len + (p[len] == ' ');
    }
    return n;
}

/* The first word not below key[0..n). */
static size_t lower_bound(const struct cat_index *ix, const char *key, size_t n)
{
    size_t lo = 0, hi = ix->nwords;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_bytes(ix->words[mid].p, ix->words[mid].len, key, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Mark in mask[service] where the term's stem, and the whole term, start a word. */
static void mark(const struct cat_index *ix, const struct term *t, uint8_t *mask)
{
    for (size_t i = lower_bound(ix, t->word, t->stem); i < ix->nwords; i++) {
        const struct word *w = &ix->words[i];
        if (w->len < t->stem || memcmp(w->p, t->word, t->stem) != 0)
            break;
        unsigned bits = w->len >= t->len && memcmp(w->p, t->word, t->len) == 0 ? 3u : 1u;
        for (uint32_t k = w->first; k < w[1].first; k++)
            mask[ix->post[k] >> 2] |= (uint8_t)(bits << (2 * (ix->post[k] & 3)));
    }
}

/* The rank a term gives a service it matches (0: no match). */
static int term_score(unsigned m)
{
    if (!(m & (STEM_IN(F_NAME) | STEM_IN(F_DESC) | STEM_IN(F_AGENCY))))
        return 0;
    return m & WORD_IN(F_NAME) ? 10 : m & STEM_IN(F_NAME) ? 6 : m & WORD_IN(F_DESC) ? 2 : 1;
}

/* ---- the search ----------------------------------------------------------------- */

struct hit {
    uint32_t service;
    int score;
};

static int by_rank(const void *x, const void *y)
{
    const struct hit *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->service < b->service ? -1 : a->service > b->service; /* services are in id order */
}

static bool has_life_event(const struct cat_service *v, const char *id)
{
    for (size_t i = 0; i < v->nlife_events; i++)
        if (strcmp(v->life_events[i], id) == 0)
            return true;
    return false;
}

int cat_index_find(const struct cat_snapshot *s, struct pc_arena *a, const struct cat_filter *f,
                   struct cat_page *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    int after_score = 0;
    char after_id[64] = "";
    if (f->cursor && parse_cursor(f->cursor, &after_score, after_id))
        return pc_err_set(err, PC_EINVAL, "the cursor is not one this server gave out");
    out->items = pc_arena_array(a, (size_t)f->limit + 1, sizeof *out->items);

    const struct snap_agency *agency = f->agency ? cat_snapshot_agency(s, f->agency) : NULL;
    if (f->agency && !agency)
        return 0;
    uint32_t agency_ix = agency ? (uint32_t)(agency - s->agencies) : 0;
    unsigned audience = f->audience ? CAT_BIT(cat_audience_parse(f->audience)) : 0;
    int login = f->login ? cat_login_parse(f->login) : -1;

    struct term terms[MAX_TERMS];
    int nterms = make_terms(a, f->q, terms);
    uint8_t *masks = NULL;
    if (nterms) {
        masks = pc_arena_array(a, s->nservices * (size_t)nterms + 1, 1);
        for (int t = 0; t < nterms; t++)
            mark(s->index, &terms[t], masks + s->nservices * (size_t)t);
    }

    struct hit *hits = pc_arena_array(a, s->nservices + 1, sizeof *hits);
    size_t nhits = 0;
    for (size_t i = 0; i < s->nservices; i++) {
        const struct snap_service *x = &s->services[i];
        if ((agency && x->agency != agency_ix) || (audience && !(x->audiences & audience)) ||
            (login >= 0 && x->v.login != (enum cat_login)login) || (f->free >= 0 && x->v.free != (f->free != 0)) ||
            (f->life_event && !has_life_event(&x->v, f->life_event)))
            continue;
        int score = 0, t;
        for (t = 0; t < nterms; t++) {
            int ts = term_score(masks[s->nservices * (size_t)t + i]);
            if (!ts)
                break;
            score += ts;
        }
        if (t == nterms)
            hits[nhits++] = (struct hit){(uint32_t)i, score};
    }
    if (nterms)
        qsort(hits, nhits, sizeof *hits, by_rank);
    out->total = (int64_t)nhits;

    size_t k = 0;
    if (f->cursor)
        while (k < nhits && !(hits[k].score < after_score ||
                              (hits[k].score == after_score && strcmp(s->services[hits[k].service].v.id, after_id) > 0)))
            k++;
    for (; k < nhits && out->n < (size_t)f->limit; k++) {
        struct cat_service *v = &out->items[out->n++];
        *v = s->services[hits[k].service].v;
        v->score = hits[k].score;
        v->documents = NULL; /* the lists carry no documents or life situations */
        v->ndocuments = 0;
        v->life_events = NULL;
        v->nlife_events = 0;
    }
    if (k < nhits)
        out->next = make_cursor(a, out->items[out->n - 1].score, out->items[out->n - 1].id);
    return 0;
}

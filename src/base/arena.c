/* arena.c — bump allocator: one per request or job, freed all at once. */
#include "base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pc_arena_chunk {
    struct pc_arena_chunk *next;
    size_t used, size;
    max_align_t data[];
};

#define CHUNK_MIN 8192

void pc_arena_init(struct pc_arena *a)
{
    a->head = NULL;
    a->total = 0;
}

void *pc_arena_alloc(struct pc_arena *a, size_t n)
{
    size_t align = sizeof(max_align_t);
    if (n > SIZE_MAX / 2)
        return NULL; /* no such request is real; rounding it up would wrap */
    n = (n + align - 1) / align * align;
    if (n == 0)
        n = align;
    struct pc_arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;
        c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->total += size;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *pc_arena_strndup(struct pc_arena *a, const char *s, size_t n)
{
    char *p = pc_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

char *pc_arena_strdup(struct pc_arena *a, const char *s)
{
    return s ? pc_arena_strndup(a, s, strlen(s)) : NULL;
}

char *pc_arena_printf(struct pc_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = n >= 0 ? pc_arena_alloc(a, (size_t)n + 1) : NULL;
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void pc_arena_free(struct pc_arena *a)
{
    struct pc_arena_chunk *c = a->head;
    while (c) {
        struct pc_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}

/* arena.c — bump allocator: one per request or job, released all at once,
 * with cleanups for the heap objects that share its life. */
#include "base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pc_arena_chunk {
    struct pc_arena_chunk *next;
    size_t used, size;
    max_align_t data[];
};

struct pc_arena_cleanup {
    struct pc_arena_cleanup *next;
    void (*fn)(void *);
    void *p;
};

#define CHUNK_MIN 8192

_Noreturn void pc_oom(size_t n)
{
    /* No allocation here: write a fixed line and stop. */
    char line[128];
    int len = snprintf(line, sizeof line, "{\"level\":\"error\",\"event\":\"out-of-memory\",\"bytes\":\"%zu\"}\n", n);
    if (len > 0) {
        ssize_t w = write(STDERR_FILENO, line, (size_t)len);
        (void)w;
    }
    abort();
}

void pc_arena_init(struct pc_arena *a)
{
    a->head = NULL;
    a->cleanups = NULL;
    a->total = 0;
}

void *pc_arena_alloc(struct pc_arena *a, size_t n)
{
    size_t align = sizeof(max_align_t);
    if (n > SIZE_MAX / 2)
        pc_oom(n); /* no such request is real; rounding it up would wrap */
    n = (n + align - 1) / align * align;
    if (n == 0)
        n = align;
    struct pc_arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;
        c = malloc(sizeof *c + size);
        if (!c)
            pc_oom(size);
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

void *pc_arena_array(struct pc_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / 2 / size)
        pc_oom(SIZE_MAX);
    return pc_arena_alloc(a, n * size);
}

char *pc_arena_strndup(struct pc_arena *a, const char *s, size_t n)
{
    char *p = pc_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
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
    if (n < 0)
        n = 0; /* an encoding error: an empty string, as with a bad argument */
    char *p = pc_arena_alloc(a, (size_t)n + 1);
    if (n > 0)
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void pc_arena_defer(struct pc_arena *a, void (*fn)(void *), void *p)
{
    struct pc_arena_cleanup *c = pc_arena_alloc(a, sizeof *c);
    c->fn = fn;
    c->p = p;
    c->next = a->cleanups;
    a->cleanups = c;
}

void pc_arena_release(struct pc_arena *a)
{
    /* Cleanups first: their records live in the chunks freed below. */
    while (a->cleanups) {
        struct pc_arena_cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->p);
    }
    struct pc_arena_chunk *c = a->head;
    while (c) {
        struct pc_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}

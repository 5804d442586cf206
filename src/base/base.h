/*
 * base.h — the building blocks every other module uses: errors, arenas,
 * growable buffers, JSON log lines, UTF-8 checks and Azerbaijani folding,
 * time, random bytes.  Anything not declared here is private to src/base.
 *
 * Invariants worth knowing before reading the rest of the code:
 *  - a struct pc_buf is never NULL-data after pc_buf_init() and is always
 *    NUL-terminated; it refuses to grow past its max and then stays
 *    "too big" (sticky flag) so callers check once at the end;
 *  - arena memory lives until pc_arena_release(); nothing from an arena is
 *    freed on its own, and cleanups registered with pc_arena_defer() run
 *    then, newest first;
 *  - out of memory is fatal (Redis's zmalloc policy): pc_arena_alloc and
 *    friends never return NULL, they log and abort.  Sizes that come from
 *    outside are bounded by limits long before memory runs out, so the
 *    only way to get there is a machine already in trouble;
 *  - functions that can fail return 0 or a negative PC_E* code and, when
 *    given a struct pc_err, write a human message into it once.
 */
#ifndef PC_BASE_H
#define PC_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define PC_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ---- errors ---------------------------------------------------------- */

enum pc_errcode {
    PC_OK = 0,
    PC_EINVAL = -1,   /* bad input from outside */
    PC_ENOMEM = -2,   /* allocation failed or a limit was reached */
    PC_EIO = -3,      /* file, socket or database failure */
    PC_ENOTFOUND = -4,
    PC_ECONFLICT = -5, /* unique key or optimistic-lock conflict */
    PC_EDENIED = -6,
    PC_ETOOBIG = -7,
    PC_EMORE = -8,    /* a further step is needed (e.g. a second factor) */
    PC_ELIMIT = -9,   /* throttled: too many attempts or requests; retry later */
    PC_EUNAVAIL = -10, /* a dependency (the database) is down for now: retry later */
};

struct pc_err {
    int code;
    char msg[256];
};

/* Fill err (if not NULL) and return code, so callers can write
 * `return pc_err_set(err, PC_EINVAL, "bad FİN %s", s);`. */
int pc_err_set(struct pc_err *err, int code, const char *fmt, ...) PC_PRINTF(3, 4);
const char *pc_errcode_name(int code);

/* ---- arenas ---------------------------------------------------------- */

struct pc_arena_chunk;
struct pc_arena_cleanup;
struct pc_arena {
    struct pc_arena_chunk *head;
    struct pc_arena_cleanup *cleanups;
    size_t total;
};

void pc_arena_init(struct pc_arena *a);
/* Zeroed memory that lives until pc_arena_release.  Never NULL: out of
 * memory aborts (see the top of this file). */
void *pc_arena_alloc(struct pc_arena *a, size_t n);
/* n elements of size bytes each; aborts if n * size overflows. */
void *pc_arena_array(struct pc_arena *a, size_t n, size_t size);
char *pc_arena_strndup(struct pc_arena *a, const char *s, size_t n);
char *pc_arena_strdup(struct pc_arena *a, const char *s); /* NULL stays NULL */
char *pc_arena_printf(struct pc_arena *a, const char *fmt, ...) PC_PRINTF(2, 3);
/* Run fn(p) when the arena is released (newest first): for heap objects
 * whose life is the request's, such as a jansson tree (nginx's pool
 * cleanups, h2o's dispose callbacks). */
void pc_arena_defer(struct pc_arena *a, void (*fn)(void *), void *p);
/* Run the cleanups and free every chunk; the arena can be used again. */
void pc_arena_release(struct pc_arena *a);
/* Log "out of memory" with what was asked for and abort. */
_Noreturn void pc_oom(size_t n);

/* ---- growable buffers ------------------------------------------------ */

struct pc_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;   /* hard limit on len */
    bool toobig;  /* sticky: an append hit max or allocation failed */
};

#define PC_BUF_DEFAULT_MAX ((size_t)64 << 20)

void pc_buf_init(struct pc_buf *b, size_t max);
void pc_buf_release(struct pc_buf *b);
void pc_buf_reset(struct pc_buf *b);
int pc_buf_append(struct pc_buf *b, const void *p, size_t n);
int pc_buf_puts(struct pc_buf *b, const char *s);
int pc_buf_putc(struct pc_buf *b, char c);
int pc_buf_printf(struct pc_buf *b, const char *fmt, ...) PC_PRINTF(2, 3);
int pc_buf_vprintf(struct pc_buf *b, const char *fmt, va_list ap);
/* Append s with & < > " ' escaped for HTML text and attribute values. */
int pc_buf_html(struct pc_buf *b, const char *s);
int pc_buf_html_n(struct pc_buf *b, const char *s, size_t n);
/* Append s percent-encoded for a URL query value. */
int pc_buf_urlencode(struct pc_buf *b, const char *s);
/* Append s as the inside of a JSON string (no quotes). */
int pc_buf_json_str(struct pc_buf *b, const char *s);
/* Take ownership of the data (caller frees); b is left empty. */
char *pc_buf_steal(struct pc_buf *b, size_t *len);

/* ---- languages: one list for the whole program ------------------------- */

/* The portal's languages, Azerbaijani first.  A fourth language is one
 * more constant here, one more code in base/lang.c, and its translations. */
enum pc_lang { PC_LANG_AZ, PC_LANG_EN, PC_LANG_RU, PC_LANG_COUNT };

/* A text a person reads, in every language (NULL where missing). */
struct pc_text {
    const char *s[PC_LANG_COUNT];
};

/* "az", "en", "ru". */
const char *pc_lang_code(enum pc_lang lang);
/* The language's own name ("Azərbaycanca", "English", "Русский"). */
const char *pc_lang_name(enum pc_lang lang);
/* The language of a code, or -1 for NULL or an unknown code. */
int pc_lang_parse(const char *code);
/* The text in lang, else in Azerbaijani, else "" (never NULL). */
const char *pc_text_get(const struct pc_text *t, enum pc_lang lang);

/* ---- logging: one JSON object per line on stderr ---------------------- */

enum pc_log_level { PC_LOG_DEBUG, PC_LOG_INFO, PC_LOG_WARN, PC_LOG_ERROR };

void pc_log_set_level(enum pc_log_level lvl);
bool pc_log_enabled(enum pc_log_level lvl);
/* msg is the event name; the optional fields are "key", value pairs of
 * strings ending with NULL.  Values are JSON-escaped; never pass secrets. */
void pc_log(enum pc_log_level lvl, const char *event, ...) __attribute__((sentinel));
void pc_logf(enum pc_log_level lvl, const char *event, const char *fmt, ...) PC_PRINTF(3, 4);
/* From now on lines go into a buffer that a logger thread writes out
 * (every 50 ms, or sooner when it fills), so a request thread never waits
 * on the disk (nginx's buffered access_log).  Error lines are handed to
 * the thread at once.  Without this call every line is written by the
 * caller, as command-line tools want. */
int pc_log_start_thread(void);
/* Write out what is buffered and stop the thread (at exit; idempotent). */
void pc_log_stop_thread(void);

/* ---- UTF-8 and Azerbaijani folding ----------------------------------- */

bool pc_utf8_valid(const char *s, size_t n);
/* Fold for search: lower case, ə→e ı/İ→i ş→s ç→c ğ→g ö→o ü→u, Russian ё→е,
 * every run of non-letters/digits becomes one space, trimmed.  Cyrillic is
 * lower-cased.  Invalid UTF-8 bytes are dropped.  Result in out. */
int pc_fold(const char *s, size_t n, struct pc_buf *out);

/* ---- time and randomness -------------------------------------------- */

int64_t pc_now_unix(void);          /* wall clock, seconds, UTC */
int64_t pc_mono_usec(void);         /* monotonic, microseconds */
/* RFC 3339 UTC, e.g. 2026-11-23T10:00:00Z, into out[21]. */
void pc_rfc3339(int64_t unix_secs, char out[21]);
int pc_random_bytes(void *p, size_t n);
/* n random bytes as 2n lowercase hex digits into out[2n+1]. */
int pc_random_hex(char *out, size_t n);
/* SHA-256 of p[0..n) as 64 lowercase hex digits into out[65]. */
void pc_sha256_hex(const void *p, size_t n, char out[65]);
/* Base64url without padding of n bytes into out (needs 4*n/3+4 bytes). */
size_t pc_b64url_encode(const void *p, size_t n, char *out);
/* Decode; returns decoded length or -1 on bad input or overflow. */
long pc_b64url_decode(const char *s, size_t n, void *out, size_t outmax);

/* ---- periodic jobs (ticker.c) ------------------------------------------ */

/* A thread that calls round(ctx) at once and then every interval_ms
 * until pc_ticker_stop, which wakes it, lets the round in progress end and
 * joins it; done(ctx), if given, runs last on the thread (release what the
 * thread holds).  NULL with err when no thread could be started. */
struct pc_ticker;
struct pc_ticker *pc_ticker_start(void (*round)(void *ctx), void (*done)(void *ctx), void *ctx, int interval_ms,
                                  struct pc_err *err);
void pc_ticker_stop(struct pc_ticker *t);  /* NULL: nothing */

/* ---- strings -------------------------------------------------------- */

/* Parse a decimal integer in [min,max]; whole string must be digits. */
int pc_parse_int(const char *s, long long min, long long max, long long *out);
bool pc_str_eq(const char *a, const char *b);    /* NULL-safe */
bool pc_str_has_prefix(const char *s, const char *prefix);
/* One line of UTF-8 text of 1..max bytes without control characters (a
 * name typed into a form: a post office, a district). */
bool pc_text_line(const char *s, size_t max);
/* Constant-time comparison of two byte strings of equal length. */
bool pc_ct_equal(const void *a, const void *b, size_t n);
/* FNV-1a of n bytes: the one hash of the in-memory tables (the statement
 * cache, the micro-cache, connections per address).  Not keyed: use it
 * where a collision costs a slot or a short walk, never more. */
uint32_t pc_fnv1a(const void *p, size_t n);

#endif

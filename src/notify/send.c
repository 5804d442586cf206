/* send.c — handing one message to the outside world with libcurl: e-mail
 * to an SMTP server (smtp:// with STARTTLS when offered — required when a
 * password is sent to a host other than this machine — or smtps://), SMS
 * as a JSON POST to an HTTP gateway.  Each result is one of delivered,
 * temporary (try again later) or permanent (never will work).
 *
 * One curl handle per channel is kept and reset between messages, so a
 * connection to the gateway is reused while it stays open.  Secrets live
 * only in this struct (wiped when it is freed) and in curl's copies;
 * curl's verbose output is never switched on. */
#include "internal.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

struct nt_sender {
    char *smtp_url, *smtp_user, *smtp_password, *mail_from, *envelope_from;
    char *sms_url, *sms_token;
    bool smtp_require_tls;
    long timeout_ms, connect_ms;
    CURL *smtp, *http;
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void wipe_free(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

int nt_send_timeout_ms(const struct notify_config *cfg)
{
    /* A send must end well inside the lease, which is renewed before
     * every message: a third of it, between 1 and 10 seconds. */
    long ms = (long)cfg->lease_secs * 1000 / 3;
    if (ms > 10000)
        ms = 10000;
    if (ms < 1000)
        ms = 1000;
    return (int)ms;
}

/* Is the URL's host this machine (a loopback address or "localhost")? */
static bool loopback_host(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    size_t n = strcspn(h, ":/?#");
    if (pc_str_has_prefix(h, "[::1]"))
        return true;
    if (n == 9 && strncmp(h, "localhost", 9) == 0)
        return true;
    if (!pc_str_has_prefix(h, "127."))
        return false;
    for (size_t i = 4; i < n; i++)
        if (!(h[i] == '.' || (h[i] >= '0' && h[i] <= '9')))
            return false;
    return true;
}

struct nt_sender *nt_sender_new(const struct notify_config *cfg, const char *smtp_password, const char *sms_token,
                                struct pc_err *err)
{
    struct nt_sender *s = calloc(1, sizeof *s);
    if (!s) {
        pc_err_set(err, PC_ENOMEM, "out of memory");
        return NULL;
    }
    s->timeout_ms = nt_send_timeout_ms(cfg);
    s->connect_ms = s->timeout_ms < 5000 ? s->timeout_ms : 5000;
    if (cfg->smtp_url) {
        struct pc_arena a;
        pc_arena_init(&a);
        const char *name, *addr;
        int rc = nt_parse_mailbox(&a, cfg->mail_from, &name, &addr);
        s->envelope_from = rc ? NULL : pc_arena_printf(&a, "<%s>", addr);
        s->envelope_from = s->envelope_from ? strdup(s->envelope_from) : NULL;
        pc_arena_release(&a);
        s->smtp_url = strdup(cfg->smtp_url);
        s->smtp_user = dup_or_null(cfg->smtp_user);
        s->smtp_password = dup_or_null(smtp_password);
        s->mail_from = strdup(cfg->mail_from);
        s->smtp_require_tls = s->smtp_user && pc_str_has_prefix(cfg->smtp_url, "smtp://") &&
                              !loopback_host(cfg->smtp_url);
        s->smtp = curl_easy_init();
        if (!s->envelope_from || !s->smtp_url || !s->mail_from || !s->smtp) {
            nt_sender_free(s);
            pc_err_set(err, PC_EINVAL, "cannot set up e-mail (is --mail-from an address?)");
            return NULL;
        }
    }
    if (cfg->sms_url) {
        s->sms_url = strdup(cfg->sms_url);
        s->sms_token = dup_or_null(sms_token);
        s->http = curl_easy_init();
        if (!s->sms_url || !s->http) {
            nt_sender_free(s);
            pc_err_set(err, PC_ENOMEM, "cannot set up the SMS client");
            return NULL;
        }
    }
    return s;
}

void nt_sender_free(struct nt_sender *s)
{
    if (!s)
        return;
    if (s->smtp)
        curl_easy_cleanup(s->smtp);
    if (s->http)
        curl_easy_cleanup(s->http);
    free(s->smtp_url);
    free(s->smtp_user);
    wipe_free(s->smtp_password);
    free(s->mail_from);
    free(s->envelope_from);
    free(s->sms_url);
    wipe_free(s->sms_token);
    free(s);
}

/* Printable, short: for last_error and logs (gateway replies are not
 * trusted to be either).  A gateway may echo the text back, so runs of
 * six or more capitals and digits — a one-time code — are masked. */
static void clean_text(char *dst, size_t cap, const char *src, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        unsigned char ch = (unsigned char)src[i];
        dst[k++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : ' ';
    }
    dst[k] = 0;
    for (size_t i = 0; i < k;) {
        size_t j = i;
        while (j < k && ((dst[j] >= 'A' && dst[j] <= 'Z') || (dst[j] >= '0' && dst[j] <= '9')))
            j++;
        if (j - i >= 6)
            memset(dst + i, '*', j - i);
        i = j > i ? j : i + 1;
    }
}

static void set_result(struct nt_result *r, enum nt_outcome o, const char *fmt, ...) PC_PRINTF(3, 4);
static void set_result(struct nt_result *r, enum nt_outcome o, const char *fmt, ...)
{
    r->outcome = o;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
}

/* ---- SMS ---------------------------------------------------------------- */

enum nt_outcome nt_http_outcome(long status)
{
    if (status >= 200 && status < 300)
        return NT_DELIVERED;
    if (status >= 500 && status < 600)
        return NT_TEMPORARY;
    /* 401/403: the gateway refuses our credentials, not this message
     * (e.g. a token being rotated); 408/425/429: come back later. */
    if (status == 401 || status == 403 || status == 408 || status == 425 || status == 429)
        return NT_TEMPORARY;
    return NT_PERMANENT;
}

void nt_sms_json(struct pc_buf *out, const char *to, const char *text, const char *id)
{
    pc_buf_puts(out, "{\"to\":\"");
    pc_buf_json_str(out, to);
    pc_buf_puts(out, "\",\"text\":\"");
    pc_buf_json_str(out, text);
    pc_buf_puts(out, "\",\"id\":\"");
    pc_buf_json_str(out, id);
    pc_buf_puts(out, "\"}");
}

struct reply {
    char data[200];
    size_t len;
};

static size_t keep_reply(char *p, size_t size, size_t nmemb, void *ud)
{
    struct reply *r = ud;
    size_t n = size * nmemb, room = sizeof r->data - r->len;
    memcpy(r->data + r->len, p, n < room ? n : room);
    r->len += n < room ? n : room;
    return n;
}

void nt_send_sms(struct nt_sender *s, const char *to, const char *text, const char *id, struct nt_result *r)
{
    if (!s->http) {
        set_result(r, NT_TEMPORARY, "no SMS gateway configured");
        return;
    }
    struct pc_buf body;
    pc_buf_init(&body, 64 * 1024);
    nt_sms_json(&body, to, text, id);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    char idem[96];
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", id);
    hdrs = curl_slist_append(hdrs, idem);
    char *auth = NULL;
    if (s->sms_token) {
        size_t n = strlen(s->sms_token) + 32;
        auth = malloc(n);
        if (auth) {
            snprintf(auth, n, "Authorization: Bearer %s", s->sms_token);
            hdrs = curl_slist_append(hdrs, auth);
            OPENSSL_cleanse(auth, strlen(auth));
            free(auth);
        }
    }
    struct reply rep = {.len = 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *h = s->http;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, s->sms_url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "pencere/" PENCERE_VERSION);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_reply);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &rep);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, s->connect_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, s->timeout_ms);
    CURLcode res = body.toobig ? CURLE_OUT_OF_MEMORY : curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    for (struct curl_slist *l = hdrs; l; l = l->next)
        OPENSSL_cleanse(l->data, strlen(l->data)); /* the token */
    curl_slist_free_all(hdrs);
    pc_buf_release(&body);
    if (res != CURLE_OK) {
        /* the network, the peer and TLS can all be fixed without the
         * message changing: always worth another try */
        set_result(r, NT_TEMPORARY, "sms gateway: %s", errbuf[0] ? errbuf : curl_easy_strerror(res));
        return;
    }
    char said[120];
    clean_text(said, sizeof said, rep.data, rep.len);
    enum nt_outcome o = nt_http_outcome(status);
    if (o == NT_DELIVERED)
        set_result(r, o, "HTTP %ld", status);
    else
        set_result(r, o, "sms gateway: HTTP %ld%s%s", status, said[0] ? ": " : "", said);
}

/* ---- e-mail ------------------------------------------------------------- */

struct upload {
    const char *data;
    size_t len, off;
};

static size_t give_upload(char *p, size_t size, size_t nmemb, void *ud)
{
    struct upload *u = ud;
    size_t room = size * nmemb, left = u->len - u->off, n = left < room ? left : room;
    memcpy(p, u->data + u->off, n);
    u->off += n;
    return n;
}

void nt_send_mail(struct nt_sender *s, const struct nt_mail *m, struct nt_result *r)
{
    if (!s->smtp) {
        set_result(r, NT_TEMPORARY, "no SMTP server configured");
        return;
    }
    struct nt_mail mail = *m;
    mail.from = s->mail_from;
    struct pc_buf msg;
    pc_buf_init(&msg, 1 << 20);
    if (nt_mime_build(&mail, &msg)) {
        pc_buf_release(&msg);
        set_result(r, NT_PERMANENT, "not a valid e-mail address or message");
        return;
    }
    char rcpt[300];
    snprintf(rcpt, sizeof rcpt, "<%s>", m->to);
    struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
    struct upload up = {msg.data, msg.len, 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *h = s->smtp;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, s->smtp_url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, s->envelope_from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, give_upload);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, s->connect_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, s->timeout_ms);
    if (pc_str_has_prefix(s->smtp_url, "smtp://"))
        curl_easy_setopt(h, CURLOPT_USE_SSL, (long)(s->smtp_require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (s->smtp_user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, s->smtp_user);
        if (s->smtp_password)
            curl_easy_setopt(h, CURLOPT_PASSWORD, s->smtp_password);
    }
    CURLcode res = msg.toobig ? CURLE_OUT_OF_MEMORY : curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
    curl_easy_setopt(h, CURLOPT_PASSWORD, NULL);
    curl_slist_free_all(rcpts);
    pc_buf_release(&msg);
    if (res == CURLE_OK) {
        set_result(r, NT_DELIVERED, "SMTP %ld", code);
        return;
    }
    const char *why = errbuf[0] ? errbuf : curl_easy_strerror(res);
    /* A 5xx reply to RCPT (no such mailbox) or to the message itself
     * (content refused) is the server's final word about this message.
     * Anything else — no connection, 4xx, a refused login or sender, TLS —
     * is about the server or our configuration and worth another try. */
    bool refused_rcpt = pc_str_has_prefix(errbuf, "RCPT");
    bool refused_content = res == CURLE_WEIRD_SERVER_REPLY && up.off == up.len;
    if (code >= 500 && code < 600 && (refused_rcpt || refused_content))
        set_result(r, NT_PERMANENT, "smtp: %s", why);
    else
        set_result(r, NT_TEMPORARY, "smtp: %s", why);
}

/* sender.c — the back-channel logout sender: one thread per node that
 * POSTs logout tokens to the sites (form field logout_token, 5 s timeout)
 * and tries a failed delivery again after 1, 2 and 4 seconds.  Delivery
 * is best effort, as the specification says: a site that stays down
 * keeps its own session until that ends by itself.  The queue lives in
 * memory; a stop gives what is queued one last attempt. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define SEND_ATTEMPTS 4
#define SEND_TIMEOUT_SECS 5

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static bool post(struct oidc_outgoing *m)
{
    CURL *h = curl_easy_init();
    if (!h)
        return false;
    long status = 0;
    curl_easy_setopt(h, CURLOPT_URL, m->uri);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, m->body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)SEND_TIMEOUT_SECS);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    pc_log(status == 200 || status == 204 ? PC_LOG_INFO : PC_LOG_WARN, "oidc.backchannel", "uri", m->uri, "status",
           rc == CURLE_OK ? (status == 200 ? "200" : status == 204 ? "204" : "refused") : curl_easy_strerror(rc),
           NULL);
    return status == 200 || status == 204;
}

static void item_free(struct oidc_outgoing *m)
{
    free(m->uri);
    free(m->body);
    free(m);
}

static void *sender_main(void *arg)
{
    struct oidc *o = arg;
    pthread_mutex_lock(&o->q_lock);
    for (;;) {
        struct oidc_outgoing **pp = &o->q_head, *due = NULL;
        int64_t now = pc_mono_usec(), next = 0;
        for (; *pp; pp = &(*pp)->next) {
            if (o->stopping || (*pp)->due_usec <= now) {
                due = *pp;
                *pp = due->next;
                break;
            }
            if (!next || (*pp)->due_usec < next)
                next = (*pp)->due_usec;
        }
        if (!due && o->stopping)
            break;
        if (!due) {
            if (next) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                int64_t wait = next - now;
                ts.tv_sec += (time_t)(wait / 1000000);
                ts.tv_nsec += (long)(wait % 1000000) * 1000;
                if (ts.tv_nsec >= 1000000000) {
                    ts.tv_sec++;
                    ts.tv_nsec -= 1000000000;
                }
                pthread_cond_timedwait(&o->q_cond, &o->q_lock, &ts);
            } else {
                pthread_cond_wait(&o->q_cond, &o->q_lock);
            }
            continue;
        }
        bool stopping = o->stopping;
        pthread_mutex_unlock(&o->q_lock);
        bool ok = post(due);
        pthread_mutex_lock(&o->q_lock);
        if (ok || stopping || ++due->attempts >= SEND_ATTEMPTS) {
            item_free(due);
        } else {
            due->due_usec = pc_mono_usec() + ((int64_t)1000000 << (due->attempts - 1));
            due->next = o->q_head;
            o->q_head = due;
        }
    }
    pthread_mutex_unlock(&o->q_lock);
    return NULL;
}

void oidc__send(struct oidc *o, const char *uri, const char *logout_token)
{
    struct oidc_outgoing *m = calloc(1, sizeof *m);
    struct pc_buf b;
    pc_buf_init(&b, OIDC_JWT_MAX * 2);
    pc_buf_puts(&b, "logout_token=");
    pc_buf_urlencode(&b, logout_token);
    if (!m || !(m->uri = strdup(uri)))
        pc_oom(strlen(uri));
    m->body = pc_buf_steal(&b, NULL);
    m->due_usec = pc_mono_usec();
    pthread_mutex_lock(&o->q_lock);
    m->next = o->q_head;
    o->q_head = m;
    pthread_cond_signal(&o->q_cond);
    pthread_mutex_unlock(&o->q_lock);
}

int oidc__sender_start(struct oidc *o, struct pc_err *err)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (pthread_create(&o->sender, NULL, sender_main, o) != 0)
        return pc_err_set(err, PC_EIO, "cannot start the back-channel logout sender");
    o->sender_running = true;
    return 0;
}

void oidc__sender_stop(struct oidc *o)
{
    if (!o->sender_running)
        return;
    pthread_mutex_lock(&o->q_lock);
    o->stopping = true;
    pthread_cond_signal(&o->q_cond);
    pthread_mutex_unlock(&o->q_lock);
    pthread_join(o->sender, NULL);
    o->sender_running = false;
}

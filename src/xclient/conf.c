/* conf.c — the client's configuration: the portal's options, completed
 * by a file like the demo's demo-exchange.json.  The file is read when a
 * call first needs it and read again while it is absent (the demo's
 * exchange comes up after the portal); once read it is kept, immutable. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int check_url(const char *url, struct pc_err *err)
{
    if (!pc_str_has_prefix(url, "http://") && !pc_str_has_prefix(url, "https://"))
        return pc_err_set(err, PC_EINVAL, "the exchange gateway must be an http(s) URL, not \"%.80s\"", url);
    if (strlen(url) > XC_URL_MAX)
        return pc_err_set(err, PC_EINVAL, "the exchange gateway's URL is longer than %d characters", XC_URL_MAX);
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == '?' || *p == '#')
            return pc_err_set(err, PC_EINVAL, "the exchange gateway's URL has a character it may not have");
    return 0;
}

int xc_conf_set(struct xc_conf *conf, const char *gateway, const char *client, struct pc_err *err)
{
    if (gateway) {
        int rc = check_url(gateway, err);
        if (rc)
            return rc;
        size_t n = strlen(gateway);
        while (n > 0 && gateway[n - 1] == '/')
            n--;
        snprintf(conf->gateway, sizeof conf->gateway, "%.*s", (int)n, gateway);
    }
    if (client) {
        struct xr_id id;
        struct pc_err e = {0};
        if (xr_id_parse_str(client, XR_ID_SUBSYSTEM, &id, &e))
            return pc_err_set(err, PC_EINVAL, "the exchange client: %s", e.msg);
        snprintf(conf->client, sizeof conf->client, "%s", client);
    }
    return 0;
}

static bool kind_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > XC_KIND_MAX)
        return false;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
            return false;
    return true;
}

/* The file's "gateway", "client" and "services" into conf, the options
 * (already in conf) winning. */
static int read_file(const char *path, struct xc_conf *conf, struct pc_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return pc_err_set(err, PC_EUNAVAIL, "the exchange is not configured yet: %s is absent", path);
        return pc_err_set(err, PC_EIO, "%s: %s", path, strerror(errno));
    }
    if (st.st_size > XC_FILE_MAX)
        return pc_err_set(err, PC_EINVAL, "%s is larger than %d bytes", path, XC_FILE_MAX);
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return pc_err_set(err, PC_EINVAL, "%s: line %d: %s", path, je.line, je.text);
    int rc = 0;
    const char *gw = json_string_value(json_object_get(j, "gateway")),
               *client = json_string_value(json_object_get(j, "client"));
    json_t *svcs = json_object_get(j, "services");
    if ((rc = xc_conf_set(conf, conf->gateway[0] ? NULL : gw, conf->client[0] ? NULL : client, err)))
        goto out;
    if (svcs && !json_is_object(svcs)) {
        rc = pc_err_set(err, PC_EINVAL, "%s: \"services\" must be an object of kind: service id", path);
        goto out;
    }
    const char *kind;
    json_t *v;
    json_object_foreach(svcs, kind, v) {
        struct xr_id id;
        struct pc_err e = {0};
        if (!kind_ok(kind) || !json_is_string(v) ||
            xr_id_parse_str(json_string_value(v), XR_ID_SERVICE, &id, &e)) {
            rc = pc_err_set(err, PC_EINVAL, "%s: the service of kind \"%.40s\": %s", path, kind,
                            e.msg[0] ? e.msg : "a kind is 1-32 of a-z 0-9 _ - and names a service id");
            goto out;
        }
        if (conf->nservices == XC_MAX_SERVICES) {
            rc = pc_err_set(err, PC_EINVAL, "%s: more than %d services", path, XC_MAX_SERVICES);
            goto out;
        }
        snprintf(conf->services[conf->nservices].kind, XC_KIND_MAX + 1, "%s", kind);
        snprintf(conf->services[conf->nservices].service, XR_ID_MAX + 1, "%s", json_string_value(v));
        conf->nservices++;
    }
out:
    json_decref(j);
    return rc;
}

int xc_conf_get(struct xc *x, const struct xc_conf **out, struct pc_err *err)
{
    pthread_mutex_lock(&x->lock);
    int rc = 0;
    if (!x->conf) {
        struct xc_conf *c = malloc(sizeof *c);
        if (!c)
            pc_oom(sizeof *c);
        *c = x->opts;
        if (x->file)
            rc = read_file(x->file, c, err);
        if (!rc && (!c->gateway[0] || !c->client[0]))
            rc = pc_err_set(err, PC_EINVAL, "%s names no gateway or no client", x->file ? x->file : "the options");
        if (rc)
            free(c);
        else
            x->conf = c;
    }
    *out = x->conf;
    pthread_mutex_unlock(&x->lock);
    return rc;
}

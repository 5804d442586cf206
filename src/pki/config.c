/* config.c — ca.json, the configuration of a CA data directory: the CA's
 * name, its public URL (written into certificates), the database, where
 * each key is (a PKCS#8 file or a PKCS#11 object) and where the key
 * files' passphrase comes from (a file or an environment variable, never
 * the command line), and the lifetimes of OCSP responses and CRLs.
 *
 * Every setting is declared once in the table below: name, type, bounds
 * and default. */
#include "internal.h"

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum kind { STR, INT };

static const struct setting {
    const char *name;
    enum kind kind;
    size_t off;
    int min, max, def;
} settings[] = {
    {"name", STR, offsetof(struct pk_config, name), 0, 0, 0},
    {"org", STR, offsetof(struct pk_config, org), 0, 0, 0},
    {"public_url", STR, offsetof(struct pk_config, public_url), 0, 0, 0},
    {"db", STR, offsetof(struct pk_config, db), 0, 0, 0},
    {"passphrase_file", STR, offsetof(struct pk_config, passphrase_file), 0, 0, 0},
    {"passphrase_env", STR, offsetof(struct pk_config, passphrase_env), 0, 0, 0},
    {"ocsp_validity_secs", INT, offsetof(struct pk_config, ocsp_validity_secs), 300, 7 * 86400, 86400},
    {"ocsp_refresh_secs", INT, offsetof(struct pk_config, ocsp_refresh_secs), 60, 7 * 86400, 43200},
    {"crl_validity_secs", INT, offsetof(struct pk_config, crl_validity_secs), 600, 30 * 86400, 86400},
    {"crl_period_secs", INT, offsetof(struct pk_config, crl_period_secs), 60, 30 * 86400, 3600},
    {"tsa_accuracy_ms", INT, offsetof(struct pk_config, tsa_accuracy_ms), 1, 60000, 1000},
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

static const char *const key_names[PK_KEY_COUNT] = {"ca", "ocsp", "tsa"};

const char *pk_key_name(enum pk_key_id k)
{
    return k < PK_KEY_COUNT ? key_names[k] : k == PK_KEY_SEAL ? "seal" : "?";
}

bool pk_id_ok(const char *s, size_t n)
{
    if (!s || n == 0 || n > PK_SEAL_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

void pk_config_defaults(struct pk_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NSETTINGS; i++)
        if (settings[i].kind == INT)
            *(int *)((char *)c + settings[i].off) = settings[i].def;
}

static int get_str(struct pc_arena *a, json_t *o, const char *key, const char **out, struct pc_err *err)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 1024)
        return pc_err_set(err, PC_EINVAL, "%s: \"%s\" must be a non-empty string", PK_CONFIG_FILE, key);
    *out = pc_arena_strdup(a, json_string_value(v));
    return 0;
}

static int load_keyref(struct pc_arena *a, json_t *o, const char *name, struct pk_keyref *k, struct pc_err *err)
{
    if (!json_is_object(o))
        return pc_err_set(err, PC_EINVAL, "%s: keys.%s must be an object", PK_CONFIG_FILE, name);
    int rc;
    if ((rc = get_str(a, o, "file", &k->file, err)) || (rc = get_str(a, o, "pkcs11", &k->pkcs11_uri, err)) ||
        (rc = get_str(a, o, "module", &k->pkcs11_module, err)) || (rc = get_str(a, o, "pin_file", &k->pin_file, err)))
        return rc;
    if (!k->file == !k->pkcs11_uri)
        return pc_err_set(err, PC_EINVAL, "%s: keys.%s needs exactly one of \"file\" and \"pkcs11\"", PK_CONFIG_FILE,
                          name);
    if (k->pkcs11_uri && (!k->pkcs11_module || !k->pin_file))
        return pc_err_set(err, PC_EINVAL, "%s: keys.%s: a PKCS#11 key needs \"module\" and \"pin_file\"",
                          PK_CONFIG_FILE, name);
    return 0;
}

static void json_free(void *p)
{
    json_decref(p);
}

int pk_config_load(struct pc_arena *a, const char *dir, struct pk_config *c, struct pc_err *err)
{
    pk_config_defaults(c);
    c->dir = pc_arena_strdup(a, dir);
    char *text;
    size_t len;
    int rc = pk_read_file(a, pk_path(a, dir, PK_CONFIG_FILE), 65536, &text, &len, err);
    if (rc)
        return rc == PC_ENOTFOUND ? pc_err_set(err, rc, "%s is not a CA data directory (no %s): run `pencere ca "
                                                        "init` first", dir, PK_CONFIG_FILE)
                                  : rc;
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return pc_err_set(err, PC_EINVAL, "%s/%s: line %d: %s", dir, PK_CONFIG_FILE, je.line, je.text);
    }
    pc_arena_defer(a, json_free, root);
    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *s = &settings[i];
        if (s->kind == STR) {
            if ((rc = get_str(a, root, s->name, (const char **)((char *)c + s->off), err)))
                return rc;
            continue;
        }
        json_t *v = json_object_get(root, s->name);
        if (!v)
            continue;
        if (!json_is_integer(v) || json_integer_value(v) < s->min || json_integer_value(v) > s->max)
            return pc_err_set(err, PC_EINVAL, "%s: \"%s\" must be an integer from %d to %d", PK_CONFIG_FILE, s->name,
                              s->min, s->max);
        *(int *)((char *)c + s->off) = (int)json_integer_value(v);
    }
    if (!c->name || !c->public_url)
        return pc_err_set(err, PC_EINVAL, "%s: \"name\" and \"public_url\" are required", PK_CONFIG_FILE);
    if (c->ocsp_refresh_secs >= c->ocsp_validity_secs)
        return pc_err_set(err, PC_EINVAL, "%s: ocsp_refresh_secs must be less than ocsp_validity_secs",
                          PK_CONFIG_FILE);
    json_t *keys = json_object_get(root, "keys");
    for (int k = 0; k < PK_KEY_COUNT; k++) {
        json_t *o = keys ? json_object_get(keys, key_names[k]) : NULL;
        if (!o)
            return pc_err_set(err, PC_EINVAL, "%s: keys.%s is missing", PK_CONFIG_FILE, key_names[k]);
        if ((rc = load_keyref(a, o, key_names[k], &c->keys[k], err)))
            return rc;
    }
    return 0;
}

static void set_str(json_t *o, const char *key, const char *v)
{
    if (v)
        json_object_set_new(o, key, json_string(v));
}

int pk_config_save(const struct pk_config *c, struct pc_err *err)
{
    json_t *root = json_object(), *keys = json_object();
    if (!root || !keys)
        pc_oom(0);
    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *s = &settings[i];
        if (s->kind == STR)
            set_str(root, s->name, *(const char *const *)((const char *)c + s->off));
        else
            json_object_set_new(root, s->name, json_integer(*(const int *)((const char *)c + s->off)));
    }
    for (int k = 0; k < PK_KEY_COUNT; k++) {
        const struct pk_keyref *r = &c->keys[k];
        json_t *o = json_object();
        set_str(o, "file", r->file);
        set_str(o, "pkcs11", r->pkcs11_uri);
        set_str(o, "module", r->pkcs11_module);
        set_str(o, "pin_file", r->pin_file);
        json_object_set_new(keys, key_names[k], o);
    }
    json_object_set_new(root, "keys", keys);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        pc_oom(0);
    struct pc_arena a;
    pc_arena_init(&a);
    int rc = pk_write_file(pk_path(&a, c->dir, PK_CONFIG_FILE), text, strlen(text), 0600, err);
    pc_arena_release(&a);
    free(text);
    return rc;
}

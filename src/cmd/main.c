/* main.c — the pencere program: one binary, one subcommand per role or
 * tool.  Exit codes: 0 success, 1 failure, 2 usage error. */
#include "cli.h"
#include "example_rp.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} commands[] = {
    {"portal", cmd_portal, "serve the citizen portal, back office and JSON API"},
    {"demo", cmd_demo, "run every role with demo data on SQLite files in a folder"},
    {"admin", cmd_admin, "operator tools: migrate, import-catalog"},
    {"ca", cmd_ca, "the certification centre: CA hierarchy, RA, CRL, OCSP, TSA"},
    {"sign", cmd_sign, "sign a file: detached CMS (CAdES-T with --tsa)"},
    {"verify", cmd_verify, "verify a detached signature and print the report"},
    {"phone", cmd_phone, "a phone with a mobile signature (SIM emulator)"},
    {"login-sign", cmd_login_sign, "sign a certificate-login challenge (the desktop helper)"},
    {"example-rp", cmd_example_rp, "an example agency site that signs people in through the portal"},
    {"central", cmd_central, "the exchange layer's central registry and its global configuration"},
    {"registry", cmd_registry, "an authentic source (population, taxpayers, real estate, …) behind a gateway"},
    {"gateway", cmd_gateway, "a member's gateway to the exchange layer (REST and SOAP, signed, logged)"},
    {"eval", cmd_eval, "score evaluation questionnaires and campaign files (the 2012 methodology)"},
    {"payprovider", cmd_payprovider, "an emulator of a bank/acquirer for payments (test cards)"},
    {"social", cmd_social, "social assistance: re-assess the grants due (reassess --due)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: pencere COMMAND [OPTIONS]\n\n"
               "Pəncərə — one-window e-government platform.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'pencere COMMAND --help' describes the options of a command.\n");
}

int cli_parse(const char *cmd, const char *summary, struct cli_opt *opts, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: pencere %s [OPTIONS]\n\n%s\n\noptions:\n", cmd, summary);
            for (struct cli_opt *o = opts; o->name; o++) {
                char left[64];
                snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
                printf("  %-26s %s%s%s%s\n", left, o->help, o->value ? " (default: " : "",
                       o->value ? o->value : "", o->value ? ")" : "");
            }
            return -1;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "pencere %s: unexpected argument '%s' (see --help)\n", cmd, a);
            return EXIT_USAGE;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        struct cli_opt *o = opts;
        for (; o->name; o++)
            if (strlen(o->name) == nlen && strncmp(o->name, name, nlen) == 0)
                break;
        if (!o->name) {
            fprintf(stderr, "pencere %s: unknown option '%s' (see --help)\n", cmd, a);
            return EXIT_USAGE;
        }
        if (!o->arg) {
            o->value = "1";
        } else if (eq) {
            o->value = eq + 1;
        } else if (i + 1 < argc) {
            o->value = argv[++i];
        } else {
            fprintf(stderr, "pencere %s: option --%s needs a value %s\n", cmd, o->name, o->arg);
            return EXIT_USAGE;
        }
    }
    return 0;
}

int cli_parse_pos(const char *cmd, const char *summary, struct cli_opt *opts, int argc, char **argv,
                  const char **pos, int max, int *npos)
{
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest)
        pc_oom((size_t)argc + 1);
    int nrest = 0;
    *npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 && strcmp(a, "-h") != 0) {
            if (*npos == max) {
                fprintf(stderr, "pencere %s: unexpected argument '%s' (see --help)\n", cmd, a);
                free(rest);
                return EXIT_USAGE;
            }
            pos[(*npos)++] = a;
            continue;
        }
        rest[nrest++] = argv[i];
        const char *name = a + 2;
        for (struct cli_opt *o = opts; o->name && !strchr(a, '='); o++)
            if (strcmp(o->name, name) == 0 && o->arg && i + 1 < argc) {
                rest[nrest++] = argv[++i]; /* its value, whatever it looks like */
                break;
            }
    }
    int rc = cli_parse(cmd, summary, opts, nrest, rest);
    free(rest);
    return rc;
}

const char *cli_get(struct cli_opt *opts, const char *name)
{
    for (struct cli_opt *o = opts; o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o->value;
    return NULL;
}

void cli_block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int cli_set_log_level(const char *lvl)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++) {
        if (pc_str_eq(lvl, names[i])) {
            pc_log_set_level((enum pc_log_level)i);
            return 0;
        }
    }
    fprintf(stderr, "pencere: --log-level must be debug, info, warn or error\n");
    return EXIT_USAGE;
}

int cli_uint_opt(struct cli_opt *opts, const char *name, long long min, long long max, unsigned *out)
{
    const char *v = cli_get(opts, name);
    long long n;
    if (!v)
        return 0;
    if (pc_parse_int(v, min, max, &n)) {
        fprintf(stderr, "pencere: --%s must be an integer from %lld to %lld\n", name, min, max);
        return EXIT_USAGE;
    }
    *out = (unsigned)n;
    return 0;
}

int cli_read_file(const char *cmd, struct pc_arena *a, const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "pencere %s: cannot open %s: %s\n", cmd, path, strerror(errno));
        return EXIT_FAIL;
    }
    struct pc_buf b;
    pc_buf_init(&b, max);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !b.toobig)
        pc_buf_append(&b, chunk, n);
    bool bad = ferror(f) || b.toobig;
    fclose(f);
    if (bad) {
        fprintf(stderr, "pencere %s: cannot read %s%s\n", cmd, path, b.toobig ? ": too large" : "");
        pc_buf_release(&b);
        return EXIT_FAIL;
    }
    *out = pc_arena_alloc(a, b.len + 1);
    memcpy(*out, b.data, b.len);
    (*out)[b.len] = 0;
    *len = b.len;
    pc_buf_release(&b);
    return 0;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *cli_catalog_dir(const char *explicit_dir)
{
    if (explicit_dir)
        return explicit_dir;
    static char buf[4096];
    const char *env = getenv("PENCERE_DATA");
    if (env) {
        snprintf(buf, sizeof buf, "%s/catalog", env);
        if (is_dir(buf))
            return buf;
    }
    if (is_dir("data/catalog"))
        return "data/catalog";
#ifdef PENCERE_SOURCE_DATA
    if (is_dir(PENCERE_SOURCE_DATA "/catalog"))
        return PENCERE_SOURCE_DATA "/catalog";
#endif
    if (is_dir("/usr/share/pencere/catalog"))
        return "/usr/share/pencere/catalog";
    return NULL;
}

int main(int argc, char **argv)
{
    /* Large blocks (an Argon2id work area is 19 MiB) straight from and back
     * to the system: otherwise each thread that hashed keeps its 19 MiB. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("pencere %s\n", PENCERE_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 2, argv + 2);
    fprintf(stderr, "pencere: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}

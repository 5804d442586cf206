/* phone.c — `pencere phone`, the SIM emulator: a phone with a mobile
 * signature, driven from the command line (the demo, the tests, the
 * benchmark).  The SIM lives in a directory (src/mobile/sim.c).
 *
 *   pencere phone init --dir D --phone +994… --pin1 … --pin2 … --puk …
 *       make the SIM; print its enrolment text for the registration desk
 *   pencere phone enrolment --dir D         print the enrolment text again
 *   pencere phone enrol --dir D --url URL --client-key K --trust T --fin F --name N
 *       bind it as a registration desk would (the demo)
 *   pencere phone requests --dir D --url URL [--wait MS]
 *       the requests waiting: ID KIND CODE RELYING-PARTY [TEXT], one a line
 *   pencere phone scan --dir D --url URL TEXT     scan a QR code (its text)
 *   pencere phone approve --dir D --url URL --pin PIN ID
 *   pencere phone refuse --dir D --url URL ID
 *   pencere phone unblock --dir D --key auth|sign --puk PUK --pin NEW
 *   pencere phone auto --dir D --url URL --pin1 … --pin2 …
 *       answer every request with the PINs until stopped (the demo's
 *       phone, the benchmark's)
 *
 * Exit 0 when the service answered OK (approve: the result), 1 otherwise
 * with the reason on stderr, 2 for bad usage. */
#include "cli.h"
#include "../mobile/mobile.h"
#include "../pki/pki.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DIR_OPT {"dir", "DIR", "the SIM's directory", NULL}
#define URL_OPT {"url", "URL", "the mobile-signature service (the CA role)", "http://127.0.0.1:8090"}
#define END_OPT {NULL, NULL, NULL, NULL}

static int failed(const char *cmd, const struct pc_err *err)
{
    fprintf(stderr, "pencere phone %s: %s\n", cmd, err->msg);
    return EXIT_FAIL;
}

static struct mid_sim *open_sim(const char *cmd, struct cli_opt *opts)
{
    struct pc_err err = {0};
    if (!cli_get(opts, "dir")) {
        fprintf(stderr, "pencere phone %s: --dir is required\n", cmd);
        return NULL;
    }
    struct mid_sim *s = mid_sim_open(cli_get(opts, "dir"), &err);
    if (!s)
        failed(cmd, &err);
    return s;
}

static void print_request(const struct mid_request_view *v)
{
    char code[5];
    mid_verification_code(v->hash, v->hash_len, code);
    printf("%s\t%s\t%s\t%s", v->id, mid_kind_name(v->kind), code, v->rp_name);
    if (v->display_text)
        printf("\t%s", v->display_text);
    if (v->client_ip)
        printf("\tfrom %s", v->client_ip);
    printf("\n");
}

static int print_enrolment(struct mid_sim *s)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    const char *text;
    int rc = mid_sim_enrolment_text(s, &a, &text, &err);
    if (!rc)
        fputs(text, stdout);
    pc_arena_release(&a);
    return rc ? failed("enrolment", &err) : EXIT_OK;
}

static int p_init(int argc, char **argv)
{
    struct cli_opt opts[] = {DIR_OPT, {"phone", "+994…", "the SIM's number", NULL},
                             {"pin1", "PIN", "PIN1 (authentication, 4-8 digits)", NULL},
                             {"pin2", "PIN", "PIN2 (signing, 5-8 digits)", NULL},
                             {"puk", "PUK", "the PUK (8 digits)", NULL}, END_OPT};
    int rc = cli_parse("phone init", "Make a SIM and print its enrolment text for the registration desk.", opts,
                       argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct pc_err err = {0};
    if (!cli_get(opts, "dir") || mid_sim_create(cli_get(opts, "dir"), cli_get(opts, "phone"), cli_get(opts, "pin1"),
                                                cli_get(opts, "pin2"), cli_get(opts, "puk"), &err)) {
        if (!err.code)
            pc_err_set(&err, PC_EINVAL, "--dir is required");
        return failed("init", &err);
    }
    struct mid_sim *s = open_sim("init", opts);
    rc = s ? print_enrolment(s) : EXIT_FAIL;
    mid_sim_close(s);
    return rc;
}

static int p_enrolment(int argc, char **argv)
{
    struct cli_opt opts[] = {DIR_OPT, END_OPT};
    int rc = cli_parse("phone enrolment", "Print the SIM's enrolment text.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct mid_sim *s = open_sim("enrolment", opts);
    rc = s ? print_enrolment(s) : EXIT_FAIL;
    mid_sim_close(s);
    return rc;
}

static int p_requests(int argc, char **argv)
{
    struct cli_opt opts[] = {DIR_OPT, URL_OPT, {"wait", "MS", "wait this long for a request", "0"}, END_OPT};
    int rc = cli_parse("phone requests", "List the requests waiting for this phone.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    unsigned wait = 0;
    if (cli_uint_opt(opts, "wait", 0, 120000, &wait))
        return EXIT_USAGE;
    struct mid_sim *s = open_sim("requests", opts);
    if (!s)
        return EXIT_FAIL;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct mid_request_view *v;
    size_t n;
    rc = mid_link_fetch(s, cli_get(opts, "url"), &a, (int)wait, &v, &n, &err);
    for (size_t i = 0; !rc && i < n; i++)
        print_request(&v[i]);
    pc_arena_release(&a);
    mid_sim_close(s);
    return rc ? failed("requests", &err) : EXIT_OK;
}

static int p_scan(int argc, char **argv)
{
    struct cli_opt opts[] = {DIR_OPT, URL_OPT, END_OPT};
    const char *pos[1];
    int npos;
    int rc = cli_parse_pos("phone scan", "Scan a QR code: TEXT is what the code carries (or the code typed).", opts,
                           argc, argv, pos, 1, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (npos != 1)
        return EXIT_USAGE;
    struct mid_sim *s = open_sim("scan", opts);
    if (!s)
        return EXIT_FAIL;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct mid_request_view v;
    rc = mid_link_scan(s, cli_get(opts, "url"), &a, pos[0], &v, &err);
    if (!rc)
        print_request(&v);
    pc_arena_release(&a);
    mid_sim_close(s);
    return rc ? failed("scan", &err) : EXIT_OK;
}

/* Answer one request the phone holds (fetched again to know its hash):
 * with the PIN's signature, a refusal (pin NULL), or, once the PIN is
 * blocked, "pin-blocked".  *result: the service's word. */
static int answer(struct mid_sim *s, const char *url, struct pc_arena *a, const struct mid_request_view *v,
                  const char *pin, const char **result, struct pc_err *err)
{
    struct mid_answer ans = {.kind = MID_ANSWER_REFUSE};
    if (pin) {
        enum mid_sim_key key = v->kind == MID_KIND_SIGN ? MID_SIM_SIGN : MID_SIM_AUTH;
        int tries;
        ans.kind = MID_ANSWER_SIGNATURE;
        ans.sig_len = sizeof ans.sig;
        int rc = mid_sim_sign(s, key, pin, v->hash, v->hash_len, ans.sig, &ans.sig_len, &tries, err);
        if (rc == PC_ELIMIT) {
            struct pc_err e2 = {0};
            ans.kind = MID_ANSWER_PIN_BLOCKED; /* the service learns it: SIM_ERROR */
            if (mid_link_answer(s, url, a, v->id, &ans, result, &e2) == 0)
                fprintf(stderr, "pencere phone: the PIN is blocked; the service answered %s\n", *result);
            return rc;
        }
        if (rc)
            return rc; /* a wrong PIN: nothing is sent, the person may try again */
    }
    return mid_link_answer(s, url, a, v->id, &ans, result, err);
}

static int find_request(struct mid_sim *s, const char *url, struct pc_arena *a, const char *id,
                        struct mid_request_view *out, struct pc_err *err)
{
    struct mid_request_view *v;
    size_t n;
    int rc = mid_link_fetch(s, url, a, 0, &v, &n, err);
    for (size_t i = 0; !rc && i < n; i++)
        if (strcmp(v[i].id, id) == 0) {
            *out = v[i];
            return 0;
        }
    return rc ? rc : pc_err_set(err, PC_ENOTFOUND, "no request %s waits for this phone", id);
}

static int approve_or_refuse(const char *cmd, bool approve, int argc, char **argv)
{
    struct cli_opt opts[] = {DIR_OPT, URL_OPT, {"pin", "PIN", "PIN1 (log in) or PIN2 (sign)", NULL}, END_OPT};
    const char *pos[1];
    int npos;
    int rc = cli_parse_pos(cmd, approve ? "Approve request ID with the PIN." : "Refuse request ID.", opts, argc,
                           argv, pos, 1, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (npos != 1 || (approve && !cli_get(opts, "pin"))) {
        fprintf(stderr, "pencere %s: usage: pencere %s --dir D --url URL%s ID\n", cmd, cmd, approve ? " --pin PIN" : "");
        return EXIT_USAGE;
    }
    struct mid_sim *s = open_sim(cmd + 6, opts);
    if (!s)
        return EXIT_FAIL;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct mid_request_view v;
    const char *result = NULL;
    rc = find_request(s, cli_get(opts, "url"), &a, pos[0], &v, &err);
    if (!rc)
        rc = answer(s, cli_get(opts, "url"), &a, &v, approve ? cli_get(opts, "pin") : NULL, &result, &err);
    if (!rc)
        printf("%s\n", result);
    bool ok = !rc && (strcmp(result, "OK") == 0 || !approve);
    pc_arena_release(&a);
    mid_sim_close(s);
    if (rc)
        return failed(cmd + 6, &err);
    return ok ? EXIT_OK : EXIT_FAIL;
}

static int p_approve(int argc, char **argv)
{
    return approve_or_refuse("phone approve", true, argc, argv);
}

static int p_refuse(int argc, char **argv)
{
    return approve_or_refuse("phone refuse", false, argc, argv);
}

static int p_unblock(int argc, char **argv)
{
    struct cli_opt opts[] = {DIR_OPT, {"key", "auth|sign", "which PIN: PIN1 (auth) or PIN2 (sign)", NULL},
                             {"puk", "PUK", "the PUK", NULL}, {"pin", "PIN", "the new PIN", NULL}, END_OPT};
    int rc = cli_parse("phone unblock", "Unblock a PIN with the PUK and set a new one.", opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *key = cli_get(opts, "key");
    if (!key || (strcmp(key, "auth") != 0 && strcmp(key, "sign") != 0))
        return EXIT_USAGE;
    struct mid_sim *s = open_sim("unblock", opts);
    if (!s)
        return EXIT_FAIL;
    struct pc_err err = {0};
    int tries;
    rc = mid_sim_unblock(s, key[0] == 's' ? MID_SIM_SIGN : MID_SIM_AUTH, cli_get(opts, "puk"), cli_get(opts, "pin"),
                         &tries, &err);
    mid_sim_close(s);
    return rc ? failed("unblock", &err) : EXIT_OK;
}

/* The desk's binding from the command line (the demo, operators): the
 * SIM's enrolment text goes to the service as the registrar "cli:USER". */
static int p_enrol(int argc, char **argv)
{
    struct cli_opt opts[] = {DIR_OPT, URL_OPT,
                             {"client-key", "FILE", "an RA client's secret (`pencere ca add-client`: NAME.key)", NULL},
                             {"trust", "FILE", "PEM with our root and issuing CA", NULL},
                             {"fin", "FİN", "the person's FİN (their identity card checked)", NULL},
                             {"name", "NAME", "the person's name", NULL}, END_OPT};
    int rc = cli_parse("phone enrol", "Bind this SIM to a person at the service, as a registration desk does.", opts,
                       argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!cli_get(opts, "client-key") || !cli_get(opts, "trust") || !cli_get(opts, "fin") || !cli_get(opts, "name")) {
        fprintf(stderr, "pencere phone enrol: --client-key, --trust, --fin and --name are required\n");
        return EXIT_USAGE;
    }
    struct mid_sim *s = open_sim("enrol", opts);
    if (!s)
        return EXIT_FAIL;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct mid_client *c = mid_client_new(cli_get(opts, "url"), cli_get(opts, "client-key"), cli_get(opts, "trust"),
                                          &err);
    const char *text, *user = getenv("USER");
    struct mid_enrolment e;
    struct mid_binding b;
    struct pki_actor desk = {.role = PKI_ACTOR_REGISTRAR, .id = pc_arena_printf(&a, "cli:%s", user ? user : "desk")};
    rc = c ? mid_sim_enrolment_text(s, &a, &text, &err) : err.code;
    if (!rc)
        rc = mid_parse_enrolment_text(&a, text, strlen(text), &e, &err);
    if (!rc) {
        e.phone = mid_sim_phone(s);
        e.fin = cli_get(opts, "fin");
        e.name = cli_get(opts, "name");
        rc = mid_client_enrol(c, &a, &desk, &e, &b, &err);
    }
    if (!rc)
        printf("%s\t%s\t%s\t%s\n", b.phone, b.fin, b.auth_serial, b.sign_serial);
    mid_client_free(c);
    mid_sim_close(s);
    pc_arena_release(&a);
    return rc ? failed("enrol", &err) : EXIT_OK;
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
    (void)sig;
    stop = 1;
}

static int p_auto(int argc, char **argv)
{
    struct cli_opt opts[] = {DIR_OPT, URL_OPT, {"pin1", "PIN", "answer log-ins with this PIN1", NULL},
                             {"pin2", "PIN", "answer signing requests with this PIN2", NULL},
                             {"quiet", NULL, "print nothing for each answer", NULL}, END_OPT};
    int rc = cli_parse("phone auto", "Answer every request with the PINs until stopped (TERM or INT).", opts, argc,
                       argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct mid_sim *s = open_sim("auto", opts);
    if (!s)
        return EXIT_FAIL;
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    const char *url = cli_get(opts, "url");
    bool quiet = cli_get(opts, "quiet") != NULL;
    fprintf(stderr, "pencere phone auto: the phone %s answers requests from %s\n", mid_sim_phone(s), url);
    /* requests it could not answer (a wrong PIN given): not tried again,
     * so that a wrong --pin1 cannot block the SIM */
    char skip[16][MID_SESSION_ID_CHARS + 1] = {{0}};
    unsigned nskip = 0;
    while (!stop) {
        struct pc_arena a;
        pc_arena_init(&a);
        struct pc_err err = {0};
        struct mid_request_view *v;
        size_t n;
        if (mid_link_fetch(s, url, &a, 2000, &v, &n, &err)) {
            fprintf(stderr, "pencere phone auto: %s\n", err.msg);
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL); /* the service is away: try again in a moment */
        }
        for (size_t i = 0; !err.code && i < n; i++) {
            bool skipped = false;
            for (unsigned k = 0; k < 16 && !skipped; k++)
                skipped = strcmp(skip[k], v[i].id) == 0;
            if (skipped)
                continue;
            const char *result = NULL;
            struct pc_err e = {0};
            const char *pin = cli_get(opts, v[i].kind == MID_KIND_SIGN ? "pin2" : "pin1");
            if (answer(s, url, &a, &v[i], pin, &result, &e)) {
                fprintf(stderr, "pencere phone auto: %s: %s\n", v[i].id, e.msg);
                snprintf(skip[nskip++ % 16], sizeof skip[0], "%s", v[i].id);
            } else if (!quiet) {
                printf("%s\t%s\n", v[i].id, result);
                fflush(stdout);
            }
        }
        pc_arena_release(&a);
    }
    mid_sim_close(s);
    return EXIT_OK;
}

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} subcommands[] = {
    {"init", p_init, "make a SIM and print its enrolment text"},
    {"enrolment", p_enrolment, "print the SIM's enrolment text"},
    {"enrol", p_enrol, "bind the SIM to a person at the service (as a desk)"},
    {"requests", p_requests, "list the requests waiting for this phone"},
    {"scan", p_scan, "scan a QR code"},
    {"approve", p_approve, "approve a request with the PIN"},
    {"refuse", p_refuse, "refuse a request"},
    {"unblock", p_unblock, "unblock a PIN with the PUK"},
    {"auto", p_auto, "answer every request until stopped"},
};

int cmd_phone(int argc, char **argv)
{
    size_t n = sizeof subcommands / sizeof subcommands[0];
    for (size_t i = 0; argc > 0 && i < n; i++)
        if (strcmp(argv[0], subcommands[i].name) == 0)
            return subcommands[i].fn(argc - 1, argv + 1);
    FILE *f = argc > 0 && strcmp(argv[0], "--help") == 0 ? stdout : stderr;
    fprintf(f, "usage: pencere phone COMMAND [OPTIONS]\n\nA phone with a mobile signature (SIM emulator).\n\ncommands:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].help);
    return f == stdout ? EXIT_OK : EXIT_USAGE;
}

/* registry.c — `pencere registry`: an authentic source as a provider
 * information system behind a gateway.
 *
 *   pencere registry --kind K [--db URL] [--listen HOST:PORT]   serve it
 *   pencere registry generate --kind K --db URL --count N         fill it with synthetic data
 *
 * Exit codes: 0 success, 1 failure, 2 usage. */
#include "cli.h"
#include "../db/db.h"
#include "../http/http.h"
#include "../registries/registries.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static int kind_of(struct cli_opt *opts)
{
    int k = reg_kind_parse(cli_get(opts, "kind"));
    if (k < 0)
        fprintf(stderr, "pencere registry: --kind is population, taxpayers, realestate, employment, pensions, fines or vehicles\n");
    return k;
}

static struct db *open_db(const char *url, struct pc_err *err)
{
    struct db *db = db_open(url, err);
    if (db && db_migrate(db, err)) {
        db_close(db);
        db = NULL;
    }
    if (!db)
        fprintf(stderr, "pencere registry: %s\n", err->msg);
    return db;
}

static int generate(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"kind", "KIND", "population, taxpayers, realestate, employment, pensions, fines or vehicles", NULL},
        {"db", "URL", "SQLite path or postgres:// URL", "registry.db"},
        {"count", "N", "how many records (up to 10 million and more)", "1000"},
        {"people", "N", "taxpayers, fines: the population they name; employment: the taxpayers employing", "1000"},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("registry generate", "Fill a registry's database with deterministic synthetic data.", opts,
                       argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    long long n, people;
    int k = kind_of(opts);
    if (k < 0 || pc_parse_int(cli_get(opts, "count"), 1, 100000000, &n) ||
        pc_parse_int(cli_get(opts, "people"), 1, 100000000, &people)) {
        if (k >= 0)
            fprintf(stderr, "pencere registry generate: --count and --people are 1 to 100000000\n");
        return EXIT_USAGE;
    }
    struct pc_err err = {0};
    struct db *db = open_db(cli_get(opts, "db"), &err);
    if (!db)
        return EXIT_FAIL;
    double rate;
    rc = reg_generate(db, (enum reg_kind)k, (uint64_t)n, (uint64_t)people, &rate, &err);
    db_close(db);
    if (rc) {
        fprintf(stderr, "pencere registry generate: %s\n", err.msg);
        return EXIT_FAIL;
    }
    char first[11];
    if (k == REG_TAXPAYERS)
        reg_voen_of(0, first);
    else if (k == REG_FINES)
        reg_protocol_of(0, first);
    else
        reg_fin_of(0, first);
    printf("%lld records in the %s register (%.0f a second); the first key is %s\n", n, reg_kind_name(k), rate,
           first);
    return EXIT_OK;
}

int cmd_registry(int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], "generate") == 0)
        return generate(argc - 1, argv + 1);
    struct cli_opt opts[] = {
        {"kind", "KIND", "population, taxpayers, realestate, employment, pensions, fines or vehicles", NULL},
        {"db", "URL", "SQLite path or postgres:// URL", "registry.db"},
        {"listen", "HOST:PORT", "address to listen on", "127.0.0.1:8097"},
        {"log-level", "LEVEL", "debug, info, warn or error", "info"},
        {NULL, NULL, NULL, NULL},
    };
    int rc = cli_parse("registry", "Serve an authentic source (REST, SOAP and its WSDL) behind a gateway; "
                                   "'pencere registry generate' fills it.",
                       opts, argc, argv);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    int k = kind_of(opts);
    struct pc_err err = {0};
    struct http_config http = {.listen = cli_get(opts, "listen"), .log_requests = true};
    if (k < 0 || cli_set_log_level(cli_get(opts, "log-level")))
        return EXIT_USAGE;
    if (http_listen_check(http.listen, &err)) {
        fprintf(stderr, "pencere registry: %s\n", err.msg);
        return EXIT_USAGE;
    }
    sigset_t set;
    cli_block_stop_signals(&set);
    struct reg_api app = {.kind = (enum reg_kind)k, .db = open_db(cli_get(opts, "db"), &err)};
    if (!app.db)
        return EXIT_FAIL;
    reg_http_config(&app, &http);
    struct http_server *srv = http_start(&http, &err);
    if (!srv) {
        fprintf(stderr, "pencere registry: %s\n", err.msg);
        db_close(app.db);
        return EXIT_FAIL;
    }
    app.http = srv;
    if (pc_log_start_thread())
        pc_log(PC_LOG_WARN, "log.unbuffered", "reason", "no logger thread: each line is written by its caller", NULL);
    pc_log(PC_LOG_INFO, "registry.started", "kind", reg_kind_name(k), "listen", http.listen, NULL);
    int sig = 0;
    while (sigwait(&set, &sig) != 0 && errno == EINTR)
        ;
    pc_log(PC_LOG_INFO, "registry.stopping", "signal", sig == SIGTERM ? "TERM" : "INT", NULL);
    http_stop(srv, 10);
    db_close(app.db);
    pc_log_stop_thread();
    return EXIT_OK;
}

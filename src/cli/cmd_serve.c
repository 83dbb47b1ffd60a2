/* stad serve: the HTTP API and the dashboard, until Ctrl-C or SIGTERM. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_ingest_common.h"
#include "cli_serve_config.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int serve(cli_env *env, int argc, char **argv, const stad_settings *cfg)
{
    stad_server_opts so;
    stad_server_opts_init(&so);
    stad_ingest_opts io = {0};
    io.area_tolerance = -1;
    int has_ingest = 0;
    long v;
    stad_session_policy sp;
    stad_session_policy_init(&sp);
    so.session = &sp;
    if (cfg)
        cli_serve_apply_config(env, cfg, &so);
    enum { OPT_PORT = 256, OPT_BIND, OPT_WEB, OPT_WATCH, OPT_THREADS, OPT_CERT, OPT_KEY,
           OPT_SECURE, OPT_IDLE, OPT_LOCK, OPT_CONFIG, OPT_SOCIAL, OPT_OPENDATA };
    static const struct option opts[] = {
        {"config", required_argument, NULL, OPT_CONFIG},
        {"port", required_argument, NULL, OPT_PORT},
        {"bind", required_argument, NULL, OPT_BIND},
        {"web", required_argument, NULL, OPT_WEB},
        {"watch", required_argument, NULL, OPT_WATCH},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"tls-cert", required_argument, NULL, OPT_CERT},
        {"tls-key", required_argument, NULL, OPT_KEY},
        {"secure-cookies", no_argument, NULL, OPT_SECURE},
        {"idle-minutes", required_argument, NULL, OPT_IDLE},
        {"lock-after", required_argument, NULL, OPT_LOCK},
        {"social-db", required_argument, NULL, OPT_SOCIAL},
        {"opendata", required_argument, NULL, OPT_OPENDATA},
        CLI_INGEST_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, CLI_INGEST_SHORTOPTS, opts, NULL)) != -1) {
        switch (c) {
        case OPT_CONFIG:
            break; /* read before the other options (run) */
        case OPT_PORT:
            if (parse_int(optarg, 0, 65535, &v))
                return cli_usage_error(&cmd_serve, "--port must be 0..65535");
            so.port = (int)v;
            break;
        case OPT_BIND:
            so.bind = optarg;
            break;
        case OPT_WEB:
            so.web_root = optarg;
            break;
        case OPT_WATCH:
            so.watch_dir = optarg;
            break;
        case OPT_THREADS:
            if (parse_int(optarg, 1, 16, &v))
                return cli_usage_error(&cmd_serve, "--threads must be 1..16");
            so.threads = (int)v;
            break;
        case OPT_CERT:
            so.tls_cert = optarg;
            break;
        case OPT_KEY:
            so.tls_key = optarg;
            break;
        case OPT_SECURE:
            so.secure_cookies = 1;
            break;
        case OPT_IDLE:
            if (parse_int(optarg, 1, 24 * 60, &v))
                return cli_usage_error(&cmd_serve, "--idle-minutes must be 1..1440");
            sp.idle_seconds = v * 60;
            break;
        case OPT_LOCK:
            if (parse_int(optarg, 0, 1000, &v))
                return cli_usage_error(&cmd_serve, "--lock-after must be 0..1000");
            sp.lock_after = (int)v;
            break;
        case OPT_SOCIAL:
            so.social_db = optarg;
            break;
        case OPT_OPENDATA:
            so.opendata_dir = optarg;
            break;
        default:
            if (!cli_ingest_option(c, optarg, &io))
                return cli_usage_error(&cmd_serve, "unknown option");
            has_ingest = 1;
        }
    }
    if (optind != argc)
        return cli_usage_error(&cmd_serve, "unexpected argument '%s'", argv[optind]);
    if (!so.web_root)
        so.web_root = stad_web_dir();
    so.store_path = env->store_path;
    so.ingest = has_ingest ? &io : NULL;
    so.log = cli_serve_log_fn(cfg);
    so.log_level = env->quiet     ? STAD_LOG_ERROR
                   : env->verbose ? STAD_LOG_DEBUG
                   : cfg          ? cfg->log_level
                                  : STAD_LOG_INFO;
    stad_set_logger(env->ctx, so.log_level, so.log, NULL);
    if (cli_serve_prepare_store(env, cfg))
        return CLI_FAIL;

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client that hangs up must not end the server */
    stad_set_progress(env->ctx, NULL, NULL);

    stad_server *srv = NULL;
    int rc = stad_server_start(env->ctx, &so, &srv);
    if (rc)
        return cli_error(env, rc);
    int v6 = strchr(so.bind, ':') != NULL;
    printf("stad serve: %s://%s%s%s:%d/ (Ctrl-C to stop)\n", so.tls_cert ? "https" : "http",
           v6 ? "[" : "", so.bind,
           v6 ? "]" : "", stad_server_port(srv));
    if (!env->quiet) {
        printf("  store %s\n", env->store_path);
        printf("  web   %s\n", so.web_root ? so.web_root : "(none: API only)");
        if (so.watch_dir)
            printf("  watch %s\n", so.watch_dir);
        if (so.social_db)
            printf("  social store %s (read-only%s)\n", so.social_db,
                   so.opendata_dir ? "; its open-data ledger is written" : "");
    }
    fflush(stdout);
    while (!stop_requested) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    stad_server_stop(srv);
    if (!env->quiet)
        printf("stad serve: stopped\n");
    return CLI_OK;
}

static int run(cli_env *env, int argc, char **argv)
{
    /* --config is read first, so that options given with it override the file. */
    const char *path = cli_serve_config_arg(argc, argv);
    stad_settings *cfg = NULL;
    if (path) {
        int rc = stad_settings_load(env->ctx, path, &cfg);
        if (rc)
            return cli_error(env, rc);
    }
    int status = serve(env, argc, argv, cfg);
    stad_settings_free(cfg);
    return status;
}

const cli_command cmd_serve = {
    "serve",
    "serve the dashboard and its JSON API over HTTP",
    "usage: stad serve [--config FILE] [--port 8080] [--bind 127.0.0.1] [--web DIR] [--watch DIR]\n"
    "                  [--opendata DIR] [--social-db FILE]\n"
    "                  [--threads N] [--tls-cert PEM --tls-key PEM] [--secure-cookies]\n"
    "                  [--idle-minutes 30] [--lock-after N]\n"
    "                  [ingest options for --watch]\n"
    "\n"
    "Serves the JSON API of docs/api.md under /api/ and the built dashboard under /,\n"
    "until Ctrl-C or SIGTERM. Responses are cached by the store's data version, so\n"
    "repeated requests are cheap and new data is seen at once.\n"
    "\n"
    "  --config FILE read the service configuration (e.g. /etc/stad/stad.conf, see\n"
    "                `stad config`): store, listen address, TLS, watch folder, log.\n"
    "                Options given as well override it. With --config a missing store\n"
    "                is created for [city]. An older store is first backed up (into\n"
    "                [store] backup_dir, else beside it), then upgraded\n"
    "  --port N      port to listen on (default 8080; 0 = any free port, printed)\n"
    "  --bind ADDR   address to listen on (default 127.0.0.1: this machine only)\n"
    "  --web DIR     the built dashboard (default: $STAD_WEB_DIR, else the installed\n"
    "                one, else web/dist of the source tree, else the API only)\n"
    "  --watch DIR   ingest files dropped into DIR while serving; open dashboards\n"
    "                refresh by themselves, and bad files show in their status panel\n"
    "  --threads N   request threads, 1..16 (default 4)\n"
    "  --tls-cert F, --tls-key F\n"
    "                serve HTTPS with this PEM certificate (chain) and private key\n"
    "  --secure-cookies  mark the session cookie Secure without --tls-cert: for a\n"
    "                server behind a TLS reverse proxy (docs/privacy.md)\n"
    "  --idle-minutes N  a session unused this long ends (default 30; every session\n"
    "                ends 12 hours after login)\n"
    "  --lock-after N    lock an account after N failed logins in a row (default 0:\n"
    "                never; failed logins always back off, 1 s doubling to 15 min)\n"
    "  --opendata DIR    publish the open data (stad publish) into DIR at start and\n"
    "                after every new batch, and serve it under /opendata/ without login\n"
    "  --social-db FILE  the social store of `stad social import`, opened read-only,\n"
    "                for the social-domain page (/sociaal.html; docs/social-dashboard.md);\n"
    "                with --opendata its sources the register allows are published too\n"
    "                (which records the release in its ledger)\n"
    "\n"
    "Every route but /api/health needs a session: log in on the dashboard with an\n"
    "account made by `stad user add`. Sources are shown once a privacy officer has\n"
    "approved them (`stad source approve`).\n"
    "\n"
    CLI_INGEST_HELP
    "\n"
    "With -v every request is logged (method, route, status, duration).\n"
    "STAD_LOG_FORMAT=journal (or [log] format = journal) writes log lines as\n"
    "'<6>level=info msg=\"...\"' for the systemd journal.\n",
    run,
};

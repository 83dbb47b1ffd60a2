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

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* --web, else $STAD_WEB_DIR, else the built dashboard next to the config folder
 * (a source checkout), else none. */
static const char *default_web(char *buf, size_t size)
{
    const char *env = getenv("STAD_WEB_DIR");
    if (env && *env)
        return env;
    snprintf(buf, size, "%s/../web/dist", stad_config_dir());
    return is_dir(buf) ? buf : NULL;
}

static int run(cli_env *env, int argc, char **argv)
{
    stad_server_opts so;
    stad_server_opts_init(&so);
    stad_ingest_opts io = {0};
    io.area_tolerance = -1;
    int has_ingest = 0;
    long v;
    enum { OPT_PORT = 256, OPT_BIND, OPT_WEB, OPT_WATCH, OPT_THREADS };
    static const struct option opts[] = {
        {"port", required_argument, NULL, OPT_PORT},
        {"bind", required_argument, NULL, OPT_BIND},
        {"web", required_argument, NULL, OPT_WEB},
        {"watch", required_argument, NULL, OPT_WATCH},
        {"threads", required_argument, NULL, OPT_THREADS},
        CLI_INGEST_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, CLI_INGEST_SHORTOPTS, opts, NULL)) != -1) {
        switch (c) {
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
        default:
            if (!cli_ingest_option(c, optarg, &io))
                return cli_usage_error(&cmd_serve, "unknown option");
            has_ingest = 1;
        }
    }
    if (optind != argc)
        return cli_usage_error(&cmd_serve, "unexpected argument '%s'", argv[optind]);
    if (access(env->store_path, R_OK) != 0) {
        fprintf(stderr, "stad: no store at %s (create one with `stad init`)\n",
                env->store_path);
        return CLI_FAIL;
    }
    char webbuf[4096];
    if (!so.web_root)
        so.web_root = default_web(webbuf, sizeof webbuf);
    so.store_path = env->store_path;
    so.ingest = has_ingest ? &io : NULL;
    so.log = stad_log_stderr;
    so.log_level = env->quiet ? STAD_LOG_ERROR : env->verbose ? STAD_LOG_DEBUG : STAD_LOG_INFO;

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
    printf("stad serve: http://%s%s%s:%d/ (Ctrl-C to stop)\n", v6 ? "[" : "", so.bind,
           v6 ? "]" : "", stad_server_port(srv));
    if (!env->quiet) {
        printf("  store %s\n", env->store_path);
        printf("  web   %s\n", so.web_root ? so.web_root : "(none: API only)");
        if (so.watch_dir)
            printf("  watch %s\n", so.watch_dir);
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

const cli_command cmd_serve = {
    "serve",
    "serve the dashboard and its JSON API over HTTP",
    "usage: stad serve [--port 8080] [--bind 127.0.0.1] [--web DIR] [--watch DIR]\n"
    "                  [--threads N] [ingest options for --watch]\n"
    "\n"
    "Serves the JSON API of docs/api.md under /api/ and the built dashboard under /,\n"
    "until Ctrl-C or SIGTERM. Responses are cached by the store's data version, so\n"
    "repeated requests are cheap and new data is seen at once.\n"
    "\n"
    "  --port N      port to listen on (default 8080; 0 = any free port, printed)\n"
    "  --bind ADDR   address to listen on (default 127.0.0.1: this machine only)\n"
    "  --web DIR     the built dashboard (default: $STAD_WEB_DIR, else web/dist of the\n"
    "                source tree when it exists, else the API only)\n"
    "  --watch DIR   ingest files dropped into DIR while serving; open dashboards\n"
    "                refresh by themselves, and bad files show in their status panel\n"
    "  --threads N   request threads, 1..16 (default 4)\n"
    "\n"
    CLI_INGEST_HELP
    "\n"
    "With -v every request is logged (method, route, status, duration).\n",
    run,
};

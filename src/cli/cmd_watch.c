/* stad watch DIR: ingest every file dropped into a folder. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>

#include "cli_ingest_common.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int should_stop(void *user)
{
    (void)user;
    return stop_requested;
}

typedef struct watch_state {
    cli_env *env;
} watch_state;

static void on_report(void *user, const char *path, int rc, const stad_ingest_report *r)
{
    watch_state *w = user;
    /* Failures go to the same stream as the reports, so one log tells the story. */
    if (rc)
        printf("%s: not loaded: %s\n", path, stad_errmsg(w->env->ctx));
    else if (!w->env->quiet)
        cli_print_report(stdout, path, r);
    fflush(stdout);
}

static int run(cli_env *env, int argc, char **argv)
{
    stad_ingest_opts o = {0};
    o.area_tolerance = -1;
    static const struct option opts[] = {CLI_INGEST_LONGOPTS, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, CLI_INGEST_SHORTOPTS, opts, NULL)) != -1)
        if (!cli_ingest_option(c, optarg, &o))
            return cli_usage_error(&cmd_watch, "unknown option");
    if (optind != argc - 1)
        return cli_usage_error(&cmd_watch, "give one folder to watch");
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* Progress bars would interleave with the reports of a long-running watcher. */
    stad_set_progress(env->ctx, NULL, NULL);
    if (!env->quiet)
        printf("watching %s (Ctrl-C to stop)\n", argv[optind]);
    fflush(stdout);
    watch_state w = {env};
    int rc = stad_watch_dir(env->ctx, s, argv[optind], &o, on_report, should_stop, &w);
    stad_store_close(s);
    if (rc)
        return cli_error(env, rc);
    return CLI_OK;
}

const cli_command cmd_watch = {
    "watch",
    "ingest every file that is dropped into a folder",
    "usage: stad watch DIR [ingest options]\n"
    "\n"
    "Ingests the files already in DIR, then each new or changed file as soon as it is\n"
    "completely written or moved in (hidden files, ~$ lock files, .tmp and .part are\n"
    "ignored), printing each batch report. A bad file is reported and skipped; the\n"
    "watch goes on until Ctrl-C or SIGTERM.\n"
    "\n"
    CLI_INGEST_HELP,
    run,
};

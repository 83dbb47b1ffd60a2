/* stad: the command-line entry point and the command table. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_man.h"

static const cli_command *const commands[] = {
    &cmd_init, &cmd_areas, &cmd_ingest, &cmd_assets, &cmd_sources, &cmd_batches,
    &cmd_rejects, &cmd_events, &cmd_stats, &cmd_watch, &cmd_hotspots, &cmd_flexteam,
    &cmd_serve,
    &cmd_user, &cmd_source, &cmd_retention, &cmd_audit,
    &cmd_backup, &cmd_restore,
    &cmd_predict, &cmd_backtest,
    &cmd_bikes,
    &cmd_pseudo, &cmd_social,
    &cmd_tables,
    &cmd_config,
    &cmd_publish,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: stad [--store FILE] [-v|-q] <command> [options]\n"
            "\n"
            "stad turns police, enforcement and municipal files into mapped events per\n"
            "wijk and buurt, kept in one SQLite store.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out,
            "\n"
            "global options:\n"
            "  --store FILE   the store (default: $STAD_STORE, else ./stad.db)\n"
            "  -v, --verbose  more messages;  -q, --quiet  errors only\n"
            "  --version      print the version\n"
            "\n"
            "`stad <command> --help` explains each command.\n");
}

/* STAD_LOG_FORMAT=journal (set by the systemd unit): logfmt lines with priorities. */
static stad_log_fn log_fn_from_env(void)
{
    const char *f = getenv("STAD_LOG_FORMAT");
    return f && stad_log_format_parse(f) == STAD_LOG_JOURNAL ? stad_log_journal
                                                              : stad_log_stderr;
}

int main(int argc, char **argv)
{
    cli_env env = {0};
    env.store_path = getenv("STAD_STORE");
    if (!env.store_path || !*env.store_path)
        env.store_path = "stad.db";

    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--store") == 0 && i + 1 < argc) {
            env.store_path = argv[++i];
        } else if (strncmp(a, "--store=", 8) == 0) {
            env.store_path = a + 8;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            env.verbose = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            env.quiet = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_help(stdout);
            return CLI_OK;
        } else if (strcmp(a, "--version") == 0) {
            printf("stad %s\n", STAD_VERSION);
            return CLI_OK;
        } else {
            fprintf(stderr, "stad: unknown option '%s'\n\n", a);
            print_help(stderr);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        print_help(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[i];
    if (strcmp(name, "help") == 0) {
        if (i + 1 < argc && strcmp(argv[i + 1], "--man") == 0)
            return cli_print_man(stdout, print_help, commands, N_COMMANDS);
        if (i + 1 < argc)
            for (size_t k = 0; k < N_COMMANDS; k++)
                if (strcmp(commands[k]->name, argv[i + 1]) == 0) {
                    fputs(commands[k]->usage, stdout);
                    return CLI_OK;
                }
        print_help(stdout);
        return CLI_OK;
    }
    const cli_command *cmd = NULL;
    for (size_t k = 0; k < N_COMMANDS; k++)
        if (strcmp(commands[k]->name, name) == 0)
            cmd = commands[k];
    if (!cmd) {
        fprintf(stderr, "stad: unknown command '%s'\n\n", name);
        print_help(stderr);
        return CLI_USAGE;
    }
    if (stad_ctx_new(&env.ctx)) {
        fprintf(stderr, "stad: out of memory\n");
        return CLI_FAIL;
    }
    stad_set_logger(env.ctx,
                    /* Commands print their own reports; the library's info lines
                     * (meant for the server's journal) appear with --verbose. */
                    env.quiet ? STAD_LOG_ERROR : env.verbose ? STAD_LOG_DEBUG : STAD_LOG_WARN,
                    log_fn_from_env(), NULL);
    if (!env.quiet)
        stad_set_progress(env.ctx, stad_progress_terminal, NULL);
    int sub_argc = argc - i;
    char **sub_argv = argv + i;
    optind = 1;
    int rc = cli_wants_help(cmd, sub_argc, sub_argv) ? CLI_OK : cmd->run(&env, sub_argc, sub_argv);
    stad_ctx_free(env.ctx);
    return rc;
}

/* stad retention run: delete events past their source's retention period. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static int print_row(void *user, const stad_retention_row *r)
{
    const int *dry = user;
    printf("%-30s %6d days  %6" PRId64 " batches  %9" PRId64 " events %s\n", r->source,
           r->retention_days, r->batches, r->events, *dry ? "to delete" : "deleted");
    return 0;
}

static int run(cli_env *env, int argc, char **argv)
{
    int dry = 0;
    static const struct option opts[] = {{"dry-run", no_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || strcmp(argv[1], "run") != 0)
        return cli_usage_error(&cmd_retention, "say `stad retention run`");
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "n", opts, NULL)) != -1)
        if (c == 'n')
            dry = 1;
        else
            return cli_usage_error(&cmd_retention, "unknown option");
    if (optind != argc)
        return cli_usage_error(&cmd_retention, "unexpected argument '%s'", argv[optind]);
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    stad_principal me;
    stad_privacy_cli_principal(&me);
    int rc = stad_privacy_retention_run(s, me.name, "cli", (int64_t)time(NULL), dry,
                                        env->quiet ? NULL : print_row, &dry);
    if (rc)
        cli_error(env, rc);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_retention = {
    "retention",
    "delete events past their source's retention period",
    "usage: stad retention run [--dry-run]\n"
    "\n"
    "For every source with a retention period (`stad source set --retention-days`),\n"
    "deletes the events of the batches loaded longer ago than that, marks those\n"
    "batches expired (the record that the file came and went stays), and writes the\n"
    "counts per source to the audit log. --dry-run only prints what would go.\n"
    "Run it daily, e.g. from cron or a systemd timer.\n",
    run,
};

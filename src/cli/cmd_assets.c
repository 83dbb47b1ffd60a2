/* stad assets load|list: street lights, containers, bike racks. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ingest_common.h"
#include "cli_table.h"

static int load(cli_env *env, int argc, char **argv)
{
    stad_ingest_opts o = {0};
    o.target = STAD_INGEST_ASSETS;
    o.area_tolerance = -1;
    static const struct option opts[] = {CLI_INGEST_LONGOPTS, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, CLI_INGEST_SHORTOPTS, opts, NULL)) != -1)
        if (!cli_ingest_option(c, optarg, &o))
            return cli_usage_error(&cmd_assets, "unknown option");
    if (!o.kind)
        return cli_usage_error(&cmd_assets, "--kind is required (streetlight, container, ...)");
    if (optind >= argc)
        return cli_usage_error(&cmd_assets, "no file given");
    return cli_ingest_files(env, optind, argc, argv, &o);
}

static int add_count(void *user, const char *kind, int64_t n)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, n);
    const char *cells[] = {kind, num};
    return cli_table_add(user, cells) ? STAD_ENOMEM : 0;
}

static int fill(stad_store *s, cli_table *t)
{
    return stad_store_assets_count_each(s, add_count, t);
}

static int list(cli_env *env, int argc, char **argv)
{
    static const char *names[] = {"kind", "assets"};
    static const int numeric[] = {0, 1};
    return cli_list(env, &cmd_assets, argc, argv, 2, names, numeric, fill);
}

static int run(cli_env *env, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(&cmd_assets, "say load or list");
    if (strcmp(argv[1], "load") == 0)
        return load(env, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return list(env, argc - 1, argv + 1);
    return cli_usage_error(&cmd_assets, "unknown subcommand '%s'", argv[1]);
}

const cli_command cmd_assets = {
    "assets",
    "load or count street lights, containers, bike racks",
    "usage: stad assets load FILE... --kind KIND [options]\n"
    "       stad assets list [--format table|csv|json]\n"
    "\n"
    "load   reads things that stand somewhere (street lights, waste containers, bike\n"
    "       racks) from the same file formats as `stad ingest`, with their location\n"
    "       (x_rd/y_rd, lat/lon or a point geometry) and wijk/buurt.\n"
    "list   counts the assets per kind.\n"
    "\n"
    CLI_INGEST_HELP,
    run,
};

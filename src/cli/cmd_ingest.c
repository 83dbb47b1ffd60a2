/* stad ingest: load police, enforcement and complaint files as events. */
#include <getopt.h>
#include <stdlib.h>

#include "cli_ingest_common.h"

static int run(cli_env *env, int argc, char **argv)
{
    stad_ingest_opts o = {0};
    o.area_tolerance = -1;
    static const struct option opts[] = {CLI_INGEST_LONGOPTS, {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, CLI_INGEST_SHORTOPTS, opts, NULL)) != -1)
        if (!cli_ingest_option(c, optarg, &o))
            return cli_usage_error(&cmd_ingest, "unknown option");
    if (optind >= argc)
        return cli_usage_error(&cmd_ingest, "no file given");
    return cli_ingest_files(env, optind, argc, argv, &o);
}

const cli_command cmd_ingest = {
    "ingest",
    "load event files (police monitors, enforcement, complaints)",
    "usage: stad ingest FILE... [options]\n"
    "\n"
    "Loads each file as one batch: xlsx, xls, ods, csv (any delimiter, UTF-8 or\n"
    "Latin-1, decimal commas; also .csv.gz), GeoJSON, Shapefile, GeoPackage. Columns are\n"
    "recognised by their headers (begin_datumtijd, pleegdatum, x_rd, lat, straat,\n"
    "incidentsoort, ...); categories become kinds through the taxonomy. The same file\n"
    "twice changes nothing; a corrected file with the same name replaces its rows.\n"
    "Rows that cannot be used are kept as rejects with line, column and reason.\n"
    "\n"
    CLI_INGEST_HELP,
    run,
};

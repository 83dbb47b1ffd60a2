/* Shared by `stad ingest`, `stad assets load` and `stad watch`: ingest options
 * from the command line and the batch report as printed text. */
#ifndef STAD_CLI_INGEST_COMMON_H
#define STAD_CLI_INGEST_COMMON_H

#include "cli.h"

/* Handles one ingest option (getopt code c with optarg); 1 if it was one. */
int cli_ingest_option(int c, const char *arg, stad_ingest_opts *o);
#define CLI_INGEST_SHORTOPTS "s:m:t:k:L:T:N:"
#define CLI_INGEST_LONGOPTS                                                    \
    {"source", required_argument, NULL, 's'},                                  \
    {"mapping", required_argument, NULL, 'm'},                                 \
    {"taxonomy", required_argument, NULL, 't'},                                \
    {"kind", required_argument, NULL, 'k'},                                    \
    {"layer", required_argument, NULL, 'L'},                                   \
    {"tolerance", required_argument, NULL, 'T'},                              \
    {"table", required_argument, NULL, 'N'}
#define CLI_INGEST_HELP                                                        \
    "  --source NAME     the registered source (default: the file name)\n"     \
    "  --mapping FILE    column mapping file ([columns] role = header)\n"      \
    "  --taxonomy FILE   category -> kind mapping (default: config/taxonomy.conf)\n" \
    "  --kind SLUG       kind for every row when the file has no category column\n" \
    "  --layer NAME      sheet or layer to read (default: the first)\n"        \
    "  --tolerance M     metres outside a buurt border still assigned (default 25)\n" \
    "  --table N         .docx/.odt/.pdf: read table N only (see stad tables; default:\n" \
    "                    the first table and every later one with the same header)\n"

/* Ingests argv[first..argc) one by one with the report of each; CLI_FAIL if any
 * file failed (the others are still loaded). */
int cli_ingest_files(cli_env *env, int first, int argc, char **argv,
                     const stad_ingest_opts *o);

/* Prints the batch report of one file. */
void cli_print_report(FILE *out, const char *path, const stad_ingest_report *r);

#endif

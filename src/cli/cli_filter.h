/* The event filter options shared by `stad events` and `stad stats`. */
#ifndef STAD_CLI_FILTER_H
#define STAD_CLI_FILTER_H

#include "cli.h"

typedef struct cli_filter {
    stad_event_filter f;
    const char **kinds; /* owned; points into kinds_text */
    char *kinds_text;
} cli_filter;

#define CLI_FILTER_SHORTOPTS "k:F:U:a:b:n:"
#define CLI_FILTER_LONGOPTS                                                    \
    {"kind", required_argument, NULL, 'k'},                                    \
    {"from", required_argument, NULL, 'F'},                                    \
    {"to", required_argument, NULL, 'U'},                                      \
    {"area", required_argument, NULL, 'a'},                                    \
    {"bbox", required_argument, NULL, 'b'},                                    \
    {"limit", required_argument, NULL, 'n'}
#define CLI_FILTER_HELP                                                        \
    "  --kind K1,K2      kinds (a kind includes its sub-kinds: burglary matches\n" \
    "                    burglary.residential)\n"                              \
    "  --from DATE       events that began on or after DATE (2017-01-01, 2017-09)\n" \
    "  --to DATE         ... and before the end of DATE\n"                    \
    "  --area CODE       one wijk or buurt (code as in `stad areas list`)\n"  \
    "  --bbox W,S,E,N    WGS84 bounding box: minlon,minlat,maxlon,maxlat\n"    \
    "  --limit N         at most N events\n"

/* Handles a filter option: 1 if handled, 0 if not a filter option, -1 if invalid
 * (message printed). */
int cli_filter_option(cli_filter *cf, const cli_command *cmd, int c, const char *arg);
void cli_filter_free(cli_filter *cf);

#endif

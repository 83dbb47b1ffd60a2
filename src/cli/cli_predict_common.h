/* Options shared by `stad predict` and `stad backtest`. */
#ifndef STAD_CLI_PREDICT_COMMON_H
#define STAD_CLI_PREDICT_COMMON_H

#include "cli.h"

typedef struct cli_predict {
    stad_predict_opts o;
    char *kinds_text;      /* owned */
    const char **kinds;    /* owned; points into kinds_text */
    stad_conf *conf;       /* config/forecast.conf, or NULL */
    int64_t from, to;      /* --from/--to, 0 when not given */
    int has_from, has_to;
    const char *methods;   /* --method(s) text */
    int format;            /* FMT_* */
} cli_predict;

#define CLI_PREDICT_LONGOPTS                                                   \
    {"kind", required_argument, NULL, 'k'},                                    \
    {"history-from", required_argument, NULL, 'S'},                            \
    {"cell", required_argument, NULL, 'c'},                                    \
    {"horizon", required_argument, NULL, 'H'},                                 \
    {"mask", required_argument, NULL, 'M'},                                    \
    {"layers", required_argument, NULL, 'L'},                                  \
    {"figures", required_argument, NULL, 'G'},                                 \
    {"format", required_argument, NULL, 'f'}
#define CLI_PREDICT_SHORTOPTS "k:S:c:H:M:L:G:f:"
#define CLI_PREDICT_HELP                                                       \
    "  --kind K1,K2        kinds to forecast (default: [forecast] kind in\n"    \
    "                      config/forecast.conf, i.e. burglary and its sub-kinds)\n" \
    "  --history-from DATE ignore events before DATE (default: all history)\n" \
    "  --cell M            cell size in metres of the city CRS (default 125)\n" \
    "  --horizon DAYS      forecast window (default 14)\n"                    \
    "  --mask N            study area: cells within N cells of a past event\n"  \
    "                      (default 2; 'all' = every grid cell)\n"             \
    "  --layers K1,K2      asset kinds used as covariates (default: [layers] in\n" \
    "                      config/forecast.conf: streetlight, container)\n"     \
    "  --figures F1,F2     area-figure keys used as covariates (default: [figures])\n"

/* Defaults from config/forecast.conf; 0 or CLI_FAIL (message printed). */
int cli_predict_init(cli_env *env, cli_predict *p);
/* Handles one option: 1 handled, 0 not ours, -1 invalid (message printed). */
int cli_predict_option(cli_predict *p, const cli_command *cmd, int c, const char *arg);
void cli_predict_free(cli_predict *p);
/* "12.3%" or "-" for NaN into buf. */
void cli_predict_pct(double v, char *buf, size_t size);

#endif

/* stad flexteam: where to send K flex-team shifts in the next period. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_filter.h"
#include "stad/predict.h"
#include "cli_table.h"

/* A positive whole number; -1 when not. */
static int parse_count(const char *s, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 1 || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static int run(cli_env *env, int argc, char **argv)
{
    cli_filter cf = {0};
    int fmt = FMT_TABLE;
    stad_flexteam_opts o = {0};
    static const struct option opts[] = {CLI_FILTER_LONGOPTS,
                                         {"format", required_argument, NULL, 'f'},
                                         {"shifts", required_argument, NULL, 'K'},
                                         {"horizon", required_argument, NULL, 'H'},
                                         {"recent", required_argument, NULL, 'R'},
                                         {"cell", required_argument, NULL, 'c'},
                                         {"no-forecast", no_argument, NULL, 'N'},
                                         {NULL, 0, NULL, 0}};
    int use_forecast = 1;
    int c, bad = 0;
    while (!bad && (c = getopt_long(argc, argv, CLI_FILTER_SHORTOPTS "f:K:H:R:c:N", opts,
                                    NULL)) != -1) {
        if (c == 'f') {
            if ((fmt = cli_format_parse(optarg, 0)) < 0)
                bad = cli_usage_error(&cmd_flexteam, "unknown format '%s'", optarg);
        } else if (c == 'K') {
            if (parse_count(optarg, 1000, &o.shifts))
                bad = cli_usage_error(&cmd_flexteam, "--shifts needs a number from 1 to 1000");
        } else if (c == 'H') {
            if (parse_count(optarg, 366, &o.horizon_days))
                bad = cli_usage_error(&cmd_flexteam, "--horizon needs days from 1 to 366");
        } else if (c == 'R') {
            if (parse_count(optarg, 366, &o.recent_days))
                bad = cli_usage_error(&cmd_flexteam, "--recent needs days from 1 to 366");
        } else if (c == 'N') {
            use_forecast = 0;
        } else if (c == 'c') {
            int cell;
            if (parse_count(optarg, 10000, &cell))
                bad = cli_usage_error(&cmd_flexteam, "--cell needs whole metres > 0");
            else
                o.hotspot.cell = cell;
        } else {
            int r = cli_filter_option(&cf, &cmd_flexteam, c, optarg);
            if (r == 0)
                cli_usage_error(&cmd_flexteam, "unknown option");
            bad = r <= 0;
        }
    }
    if (!bad && o.shifts < 1)
        bad = cli_usage_error(&cmd_flexteam, "--shifts K is required");
    if (bad) {
        cli_filter_free(&cf);
        return CLI_USAGE;
    }
    stad_store *s = cli_open_store(env);
    if (!s) {
        cli_filter_free(&cf);
        return CLI_FAIL;
    }
    stad_flexteam *ft = NULL;
    /* the forecast when the kind has the history for it, else the recent rate */
    stad_flexteam_forecast hook;
    stad_predict_data *pd = NULL;
    char why[256] = "expected events from the recent rate (--no-forecast)";
    int rc = use_forecast ? stad_predict_flexteam_prepare(env->ctx, s, &cf.f, &o, &hook, &pd,
                                                          why, sizeof why)
                          : 0;
    if (!rc)
        rc = stad_flexteam_compute(env->ctx, s, &cf.f, &o, &ft);
    cli_table *t = NULL;
    if (!rc) {
        static const char *names[] = {"rank", "hotspot", "buurt", "expected", "recent",
                                      "lon", "lat", "reason"};
        static const int numeric[] = {1, 1, 0, 1, 1, 1, 1, 0};
        t = cli_table_new(8, names, numeric);
        rc = t ? 0 : STAD_ENOMEM;
        for (size_t i = 0; i < ft->n && !rc; i++) {
            const stad_flexteam_pick *p = &ft->picks[i];
            char rank[16], hot[16], ex[32], rec[32], lon[32], lat[32];
            snprintf(rank, sizeof rank, "%d", p->rank);
            snprintf(hot, sizeof hot, "%d", p->hotspot);
            snprintf(ex, sizeof ex, "%.1f", p->expected);
            snprintf(rec, sizeof rec, "%" PRId64, p->recent);
            snprintf(lon, sizeof lon, "%.6f", p->lon);
            snprintf(lat, sizeof lat, "%.6f", p->lat);
            const char *cells[] = {rank, p->hotspot ? hot : NULL, p->area_name, ex, rec,
                                   isfinite(p->lon) ? lon : NULL,
                                   isfinite(p->lat) ? lat : NULL, p->reason};
            rc = cli_table_add(t, cells) ? STAD_ENOMEM : 0;
        }
    }
    if (rc) {
        cli_error(env, rc);
    } else {
        if (fmt == FMT_TABLE) {
            char from[16], to[16];
            stad_date_format(ft->from, from, sizeof from);
            stad_date_format(ft->to - 1, to, sizeof to);
            printf("%zu of %d shifts proposed for %s to %s (%.1f events expected in all)\n",
                   ft->n, ft->shifts, from, to, ft->expected_total);
            if (*why)
                printf("%s\n", why);
        }
        cli_table_print(t, fmt, stdout);
    }
    cli_table_free(t);
    stad_flexteam_free(ft);
    stad_predict_data_free(pd);
    cli_filter_free(&cf);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_flexteam = {
    "flexteam",
    "propose where K flex-team shifts go in the next period",
    "usage: stad flexteam --shifts K [filters] [--horizon 14] [--recent 28] [--cell 100]\n"
    "                     [--no-forecast] [--format table|csv|json]\n"
    "\n"
    "Finds the hotspots of the last --recent days before the end of the period (--to,\n"
    "or the latest event) and gives each of the K shifts to the place with the most\n"
    "expected events in the next --horizon days: hotspots first, then buurten for the\n"
    "events outside them. Expected events come from the forecast (the self-exciting\n"
    "point process of `stad predict --method sepp`, fitted on the two years before the\n"
    "next period) when the kind has at least 30 located events in those two years, and\n"
    "otherwise from the recent rate (recent events per day x horizon); the output says\n"
    "which, and each choice comes with a one-line reason ending in \"(forecast)\" when\n"
    "the forecast was used.\n"
    "\n"
    "  --no-forecast       use the recent rate even when a forecast is possible\n"
    "\n"
    CLI_FILTER_HELP,
    run,
};

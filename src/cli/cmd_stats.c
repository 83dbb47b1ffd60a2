/* stad stats: counts per area x kind x week or month. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "cli_filter.h"
#include "cli_table.h"

static int add_stat(void *user, const stad_stat_row *r)
{
    char n[32];
    snprintf(n, sizeof n, "%" PRId64, r->count);
    const char *cells[] = {r->area_code[0] ? r->area_code : "(none)", r->area_name, r->kind,
                           r->period, n};
    return cli_table_add(user, cells) ? STAD_ENOMEM : 0;
}

static int run(cli_env *env, int argc, char **argv)
{
    cli_filter cf = {0};
    int fmt = FMT_TABLE;
    const char *level = "wijk", *period = "all";
    static const struct option opts[] = {CLI_FILTER_LONGOPTS,
                                         {"format", required_argument, NULL, 'f'},
                                         {"level", required_argument, NULL, 'l'},
                                         {"period", required_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    int c, bad = 0;
    while (!bad && (c = getopt_long(argc, argv, CLI_FILTER_SHORTOPTS "f:l:p:", opts, NULL)) != -1) {
        if (c == 'f') {
            if ((fmt = cli_format_parse(optarg, 0)) < 0)
                bad = cli_usage_error(&cmd_stats, "unknown format '%s'", optarg);
        } else if (c == 'l') {
            level = optarg;
        } else if (c == 'p') {
            period = optarg;
            if (strcmp(period, "week") && strcmp(period, "month") && strcmp(period, "all"))
                bad = cli_usage_error(&cmd_stats, "--period is week, month or all");
        } else {
            int r = cli_filter_option(&cf, &cmd_stats, c, optarg);
            if (r == 0)
                cli_usage_error(&cmd_stats, "unknown option");
            bad = r <= 0;
        }
    }
    if (bad) {
        cli_filter_free(&cf);
        return CLI_USAGE;
    }
    stad_store *s = cli_open_store(env);
    if (!s) {
        cli_filter_free(&cf);
        return CLI_FAIL;
    }
    static const char *names[] = {"area", "name", "kind", "period", "events"};
    static const int numeric[] = {0, 0, 0, 0, 1};
    cli_table *t = cli_table_new(5, names, numeric);
    int rc = t ? stad_store_stats_each(s, &cf.f, level, period, add_stat, t) : STAD_ENOMEM;
    if (rc)
        cli_error(env, rc);
    else if (cli_audit_read(env, s, "stats", argc, argv, (int64_t)cli_table_rows(t)))
        rc = STAD_ESTORE;
    else
        cli_table_print(t, fmt, stdout);
    cli_table_free(t);
    cli_filter_free(&cf);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_stats = {
    "stats",
    "count events per wijk or buurt, kind and week or month",
    "usage: stad stats [--level wijk|buurt] [--period all|week|month] [filters]\n"
    "                  [--format table|csv|json]\n"
    "\n"
    "Counts events (a row that stands for several counts them all) per area of the\n"
    "level (default wijk), kind and period (default: the whole period). Weeks are ISO\n"
    "weeks (2017-W38), months 2017-09. Events outside every area count under (none).\n"
    "\n"
    CLI_FILTER_HELP,
    run,
};

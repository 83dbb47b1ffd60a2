/* stad backtest: how good each forecasting method has been on past windows. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_predict_common.h"
#include "cli_table.h"

static void print_summary(const stad_backtest *b)
{
    char from[16], to[16], hist[16];
    stad_date_format(b->from, from, sizeof from);
    stad_date_format(b->to - 1, to, sizeof to);
    stad_date_format(b->history_from, hist, sizeof hist);
    int64_t ev = b->n ? b->rows[0].events : 0, all = b->n ? b->rows[0].events_all : 0;
    printf("backtest: %d windows from %s to %s; %zu study cells; %" PRId64
           " events in the windows (%" PRId64 " in the study area); history from %s (%" PRId64
           " events before the test start)\n",
           b->windows, from, to, b->study_cells, all, ev, hist, b->events_history);
}

static int print_table(const stad_backtest *b, int detail)
{
    const char *names[] = {"method", "HR@1%", "HR@2%", "HR@3%", "HR@5%", "HR@10%", "HR@20%",
                           "PAI@5%", "PEI@5%", "calib@5%", "seconds", "used"};
    static const int numeric[] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    cli_table *t = cli_table_new(12, names, numeric);
    if (!t)
        return STAD_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < b->n && !rc; i++) {
        const stad_backtest_row *r = &b->rows[i];
        char hr[6][16], pai[16], pei[16], cal[16], sec[16];
        for (int j = 0; j < 6; j++)
            cli_predict_pct(r->hit[j], hr[j], sizeof hr[j]);
        snprintf(pai, sizeof pai, "%.2f", r->pai[3]);
        cli_predict_pct(r->pei[3], pei, sizeof pei);
        if (isfinite(r->calib[3]))
            snprintf(cal, sizeof cal, "%.2f", r->calib[3]);
        else
            snprintf(cal, sizeof cal, "-");
        snprintf(sec, sizeof sec, "%.2f", r->seconds);
        const char *cells[] = {r->method, hr[0], hr[1], hr[2], hr[3], hr[4], hr[5], pai, pei,
                               cal, sec, strcmp(r->used, r->method) ? r->used : ""};
        rc = cli_table_add(t, cells) ? STAD_ENOMEM : 0;
    }
    if (!rc)
        cli_table_print(t, FMT_TABLE, stdout);
    cli_table_free(t);
    for (size_t i = 0; detail && i < b->n && !rc; i++) {
        const stad_backtest_row *r = &b->rows[i];
        printf("\n%s (%d windows, %" PRId64 " events)\n", r->method, r->windows, r->events);
        const char *dn[] = {"coverage", "cells", "hit rate", "PAI", "PEI", "calibration"};
        static const int dnum[] = {1, 1, 1, 1, 1, 1};
        cli_table *d = cli_table_new(6, dn, dnum);
        if (!d)
            return STAD_ENOMEM;
        for (int j = 0; j < STAD_PREDICT_N_COVERAGE && !rc; j++) {
            char cov[16], cells[16], hr[16], pai[16], pei[16], cal[16];
            snprintf(cov, sizeof cov, "%g%%", stad_predict_coverage[j]);
            snprintf(cells, sizeof cells, "%zu", r->cells[j]);
            cli_predict_pct(r->hit[j], hr, sizeof hr);
            snprintf(pai, sizeof pai, "%.2f", r->pai[j]);
            cli_predict_pct(r->pei[j], pei, sizeof pei);
            if (isfinite(r->calib[j]))
                snprintf(cal, sizeof cal, "%.2f", r->calib[j]);
            else
                snprintf(cal, sizeof cal, "-");
            const char *row[] = {cov, cells, hr, pai, pei, cal};
            rc = cli_table_add(d, row) ? STAD_ENOMEM : 0;
        }
        if (!rc)
            cli_table_print(d, FMT_TABLE, stdout);
        cli_table_free(d);
    }
    return rc;
}

static void json_num(stad_strbuf *b, double v)
{
    if (isfinite(v))
        stad_strbuf_printf(b, "%.6g", v);
    else
        stad_strbuf_append(b, "null");
}

static int print_long(const stad_backtest *b, int fmt)
{
    stad_strbuf s = STAD_STRBUF_INIT;
    if (fmt == FMT_CSV) {
        stad_strbuf_append(&s, "method,used,windows,events,coverage,cells,hit_rate,pai,pei,"
                               "calibration\n");
        for (size_t i = 0; i < b->n; i++)
            for (int j = 0; j < STAD_PREDICT_N_COVERAGE; j++) {
                const stad_backtest_row *r = &b->rows[i];
                stad_strbuf_printf(&s, "%s,%s,%d,%" PRId64 ",%g,%zu,", r->method, r->used,
                                   r->windows, r->events, stad_predict_coverage[j], r->cells[j]);
                json_num(&s, r->hit[j]);
                stad_strbuf_append_char(&s, ',');
                json_num(&s, r->pai[j]);
                stad_strbuf_append_char(&s, ',');
                json_num(&s, r->pei[j]);
                stad_strbuf_append_char(&s, ',');
                if (isfinite(r->calib[j]))
                    json_num(&s, r->calib[j]);
                stad_strbuf_append_char(&s, '\n');
            }
    } else {
        char from[16], to[16];
        stad_date_format(b->from, from, sizeof from);
        stad_date_format(b->to - 1, to, sizeof to);
        stad_strbuf_printf(&s, "{\"from\":\"%s\",\"to\":\"%s\",\"windows\":%d,\"study_cells\":%zu,"
                               "\"events_history\":%" PRId64 ",\"notes\":",
                           from, to, b->windows, b->study_cells, b->events_history);
        stad_strbuf_append_json(&s, b->notes);
        stad_strbuf_append(&s, ",\"coverage\":[1,2,3,5,10,20],\"methods\":[");
        for (size_t i = 0; i < b->n; i++) {
            const stad_backtest_row *r = &b->rows[i];
            stad_strbuf_printf(&s, "%s\n{\"method\":\"%s\",\"used\":\"%s\",\"events\":%" PRId64
                                   ",\"seconds\":%.3f",
                               i ? "," : "", r->method, r->used, r->events, r->seconds);
            const char *keys[] = {"hit_rate", "pai", "pei", "calibration"};
            const double *vals[] = {r->hit, r->pai, r->pei, r->calib};
            for (int k = 0; k < 4; k++) {
                stad_strbuf_printf(&s, ",\"%s\":[", keys[k]);
                for (int j = 0; j < STAD_PREDICT_N_COVERAGE; j++) {
                    if (j)
                        stad_strbuf_append_char(&s, ',');
                    json_num(&s, vals[k][j]);
                }
                stad_strbuf_append_char(&s, ']');
            }
            stad_strbuf_append_char(&s, '}');
        }
        stad_strbuf_append(&s, "\n]}\n");
    }
    int rc = s.oom ? STAD_ENOMEM : 0;
    if (!rc)
        fputs(stad_strbuf_str(&s), stdout);
    stad_strbuf_free(&s);
    return rc;
}

static int run(cli_env *env, int argc, char **argv)
{
    cli_predict p;
    if (cli_predict_init(env, &p))
        return CLI_FAIL;
    int detail = 0;
    static const struct option opts[] = {CLI_PREDICT_LONGOPTS,
                                         {"from", required_argument, NULL, 'F'},
                                         {"to", required_argument, NULL, 'U'},
                                         {"methods", required_argument, NULL, 'm'},
                                         {"method", required_argument, NULL, 'm'},
                                         {"detail", no_argument, NULL, 'D'},
                                         {NULL, 0, NULL, 0}};
    int c, bad = 0;
    while (!bad && (c = getopt_long(argc, argv, CLI_PREDICT_SHORTOPTS "F:U:m:D", opts, NULL)) !=
                       -1) {
        if (c == 'm') {
            p.methods = optarg;
        } else if (c == 'D') {
            detail = 1;
        } else {
            int r = cli_predict_option(&p, &cmd_backtest, c, optarg);
            if (r == 0)
                cli_usage_error(&cmd_backtest, "unknown option");
            bad = r <= 0;
        }
    }
    if (!bad && optind < argc)
        bad = cli_usage_error(&cmd_backtest, "unexpected argument '%s'", argv[optind]) != 0;
    if (!bad && !p.has_from)
        bad = cli_usage_error(&cmd_backtest, "--from DATE (the test start) is required") != 0;
    if (!bad && p.format == FMT_GEOJSON)
        bad = cli_usage_error(&cmd_backtest, "--format is table, csv or json") != 0;
    char *mtext = NULL;
    const char **methods = NULL;
    size_t nm = 0;
    if (!bad) {
        mtext = strdup(p.methods ? p.methods : "");
        methods = mtext ? cli_split_list(mtext, &nm) : NULL;
        if (!methods) {
            bad = 1;
        } else if (nm == 0) {
            free(methods);
            methods = NULL;
            nm = stad_predict_n_methods;
        }
        for (size_t i = 0; methods && i < nm && !bad; i++)
            if (!stad_predict_method_known(methods[i]))
                bad = cli_usage_error(&cmd_backtest, "unknown method '%s'", methods[i]) != 0;
    }
    if (bad) {
        free(methods);
        free(mtext);
        cli_predict_free(&p);
        return CLI_USAGE;
    }
    stad_store *s = cli_open_store(env);
    if (!s) {
        free(methods);
        free(mtext);
        cli_predict_free(&p);
        return CLI_FAIL;
    }
    int64_t to = p.has_to ? p.to : p.from + 365 * (int64_t)86400;
    stad_predict_data *d = NULL;
    stad_backtest *b = NULL;
    int rc = stad_predict_data_load(env->ctx, s, &p.o, to, &d);
    if (!rc)
        rc = stad_predict_backtest(env->ctx, d,
                                   methods ? methods : (const char *const *)stad_predict_methods,
                                   nm, p.from, to, &b);
    if (!rc) {
        if (p.format == FMT_TABLE) {
            print_summary(b);
            rc = print_table(b, detail);
            if (!rc && *b->notes)
                printf("\nnotes:\n%s", b->notes);
        } else {
            rc = print_long(b, p.format);
        }
    }
    if (rc)
        cli_error(env, rc);
    stad_backtest_free(b);
    stad_predict_data_free(d);
    stad_store_close(s);
    free(methods);
    free(mtext);
    cli_predict_free(&p);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_backtest = {
    "backtest",
    "score forecasting methods on past two-week windows (hit rate, PAI, PEI)",
    "usage: stad backtest --from DATE [--to DATE] [--methods M1,M2] [--detail]\n"
    "                     [forecast options] [--format table|csv|json]\n"
    "\n"
    "Rolling-origin backtest (docs/forecasting.md): the study area is every cell within\n"
    "--mask cells of an event before --from; from --from on, consecutive --horizon-day\n"
    "windows (whole windows up to --to; default one year) are each forecast from the\n"
    "events before the window alone, with every model fitted afresh. For 1, 2, 3, 5, 10\n"
    "and 20% of the study area it reports the hit rate (share of the windows' events in\n"
    "the top cells, pooled), PAI (hit rate / area share), PEI (captured / the most any\n"
    "set of that many cells could have captured) and, for methods that give expected\n"
    "counts, calibration (predicted / observed events in the flagged cells).\n"
    "\n"
    "Methods: last, count365, count56, longrun, prospective, prospective8, decay,\n"
    "sepp, covariate, ensemble (default: all). --detail prints one table per method.\n"
    "\n"
    "  --from DATE         first day of the test period (required)\n"
    "  --to DATE           last day of the test period (default: a year after --from)\n"
    CLI_PREDICT_HELP,
    run,
};

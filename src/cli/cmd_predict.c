/* stad predict: where events are most likely in the next window, cell by cell. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_predict_common.h"
#include "cli_table.h"

static int print_csv_geojson(stad_store *s, cli_env *env, const stad_forecast *f, int fmt,
                             size_t top)
{
    stad_transform *tr = NULL;
    int rc = stad_hotspot_transform(env->ctx, s, &tr);
    if (rc)
        return rc;
    stad_strbuf b = STAD_STRBUF_INIT;
    if (fmt == FMT_CSV)
        stad_strbuf_append(&b, "cell,rank,risk,recent,x,y,lon,lat,reason\n");
    else
        stad_strbuf_append(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
    size_t n = top && top < f->n ? top : f->n;
    for (size_t i = 0; i < n; i++) {
        const stad_forecast_cell *c = &f->cells[i];
        if (fmt == FMT_CSV) {
            double lon = c->x, lat = c->y;
            if (stad_transform_point(tr, &lon, &lat))
                lon = lat = NAN;
            stad_strbuf_printf(&b, "%zu,%d,%.6g,%" PRId64 ",%.1f,%.1f,%.7f,%.7f,", c->cell,
                               c->rank, c->risk, c->recent, c->x, c->y, lon, lat);
            stad_strbuf_append_csv(&b, c->reason);
            stad_strbuf_append_char(&b, '\n');
        } else {
            double ring[10];
            if (stad_hotspot_cell_ring(tr, &f->grid, c->cell, ring))
                continue;
            stad_strbuf_append(&b, i ? ",\n" : "\n");
            stad_strbuf_append(&b, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\","
                                   "\"coordinates\":[[");
            for (int k = 0; k < 5; k++)
                stad_strbuf_printf(&b, "%s[%.7f,%.7f]", k ? "," : "", ring[2 * k],
                                   ring[2 * k + 1]);
            stad_strbuf_printf(&b, "]]},\"properties\":{\"cell\":%zu,\"rank\":%d,\"risk\":%.6g,"
                                   "\"recent\":%" PRId64 ",\"reason\":",
                               c->cell, c->rank, c->risk, c->recent);
            stad_strbuf_append_json(&b, c->reason);
            stad_strbuf_append(&b, "}}");
        }
    }
    if (fmt != FMT_CSV) {
        char from[16], to[16];
        stad_date_format(f->from, from, sizeof from);
        stad_date_format(f->to - 1, to, sizeof to);
        stad_strbuf_printf(&b, "\n],\"properties\":{\"from\":\"%s\",\"to\":\"%s\",\"method\":\"%s\","
                               "\"used\":\"%s\",\"rate\":%s,\"cells\":%zu,\"note\":",
                           from, to, f->method, f->used, f->rate ? "true" : "false", f->n);
        stad_strbuf_append_json(&b, f->note);
        stad_strbuf_append(&b, "}}\n");
    }
    rc = b.oom ? STAD_ENOMEM : 0;
    if (!rc)
        fputs(stad_strbuf_str(&b), stdout);
    stad_strbuf_free(&b);
    stad_transform_free(tr);
    return rc;
}

static int print_table(const stad_forecast *f, size_t top)
{
    char from[16], to[16];
    stad_date_format(f->from, from, sizeof from);
    stad_date_format(f->to - 1, to, sizeof to);
    printf("forecast %s to %s by %s%s%s%s: %zu study cells", from, to, f->method,
           strcmp(f->used, f->method) ? " (fell back to " : "",
           strcmp(f->used, f->method) ? f->used : "", strcmp(f->used, f->method) ? ")" : "",
           f->n);
    if (f->rate)
        printf(", %.1f events expected", f->expected_total);
    printf("\n");
    static const char *names[] = {"rank", "cell", "risk", "last year", "x", "y", "reason"};
    static const int numeric[] = {1, 1, 1, 1, 1, 1, 0};
    cli_table *t = cli_table_new(7, names, numeric);
    if (!t)
        return STAD_ENOMEM;
    int rc = 0;
    size_t n = top && top < f->n ? top : f->n;
    for (size_t i = 0; i < n && !rc; i++) {
        const stad_forecast_cell *c = &f->cells[i];
        char rank[16], cell[32], risk[32], rec[32], x[32], y[32];
        snprintf(rank, sizeof rank, "%d", c->rank);
        snprintf(cell, sizeof cell, "%zu", c->cell);
        snprintf(risk, sizeof risk, "%.3g", c->risk);
        snprintf(rec, sizeof rec, "%" PRId64, c->recent);
        snprintf(x, sizeof x, "%.0f", c->x);
        snprintf(y, sizeof y, "%.0f", c->y);
        const char *row[] = {rank, cell, risk, rec, x, y, c->reason};
        rc = cli_table_add(t, row) ? STAD_ENOMEM : 0;
    }
    if (!rc)
        cli_table_print(t, FMT_TABLE, stdout);
    cli_table_free(t);
    if (!rc && f->n_coef) {
        printf("\ncovariate model (standardised coefficients, log rate per sd):\n");
        for (size_t i = 0; i < f->n_coef; i++)
            printf("  %+.3f  %s\n", f->coef[i], f->coef_name[i]);
    }
    if (!rc && *f->note)
        printf("\nnotes:\n%s", f->note);
    return rc;
}

static int run(cli_env *env, int argc, char **argv)
{
    cli_predict p;
    if (cli_predict_init(env, &p))
        return CLI_FAIL;
    int64_t at = 0;
    int has_at = 0;
    long top = -1;
    static const struct option opts[] = {CLI_PREDICT_LONGOPTS,
                                         {"at", required_argument, NULL, 'A'},
                                         {"method", required_argument, NULL, 'm'},
                                         {"top", required_argument, NULL, 'T'},
                                         {NULL, 0, NULL, 0}};
    int c, bad = 0;
    while (!bad &&
           (c = getopt_long(argc, argv, CLI_PREDICT_SHORTOPTS "A:m:T:", opts, NULL)) != -1) {
        if (c == 'A') {
            if (cli_parse_time(optarg, &at, 0))
                bad = cli_usage_error(&cmd_predict, "--at: cannot read the date '%s'", optarg);
            has_at = 1;
        } else if (c == 'm') {
            p.methods = optarg;
            if (!stad_predict_method_known(optarg))
                bad = cli_usage_error(&cmd_predict, "unknown method '%s'", optarg);
        } else if (c == 'T') {
            char *end;
            top = strtol(optarg, &end, 10);
            if (end == optarg || *end || top < 0)
                bad = cli_usage_error(&cmd_predict, "--top needs a whole number >= 0");
        } else {
            int r = cli_predict_option(&p, &cmd_predict, c, optarg);
            if (r == 0)
                cli_usage_error(&cmd_predict, "unknown option");
            bad = r <= 0;
        }
    }
    if (!bad && optind < argc)
        bad = cli_usage_error(&cmd_predict, "unexpected argument '%s'", argv[optind]);
    if (!bad && p.format == FMT_JSON)
        bad = cli_usage_error(&cmd_predict, "--format is table, csv or geojson");
    if (bad) {
        cli_predict_free(&p);
        return CLI_USAGE;
    }
    stad_store *s = cli_open_store(env);
    if (!s) {
        cli_predict_free(&p);
        return CLI_FAIL;
    }
    stad_predict_data *d = NULL;
    stad_forecast *f = NULL;
    int rc = stad_predict_data_load(env->ctx, s, &p.o, has_at ? at : 0, &d);
    if (!rc && !has_at) {
        /* the day after the latest event */
        stad_event_filter none = {0};
        int64_t from, to;
        none.kinds = p.o.kinds;
        none.n_kinds = p.o.n_kinds;
        rc = stad_hotspot_period(env->ctx, s, &none, &from, &to);
        at = to;
    }
    if (!rc)
        rc = stad_predict_forecast(env->ctx, d, p.methods ? p.methods : "covariate", at, &f);
    if (!rc) {
        size_t n = top >= 0 ? (size_t)top : (p.format == FMT_TABLE ? 20 : 0);
        if (p.format == FMT_TABLE)
            rc = print_table(f, n);
        else
            rc = print_csv_geojson(s, env, f, p.format, n);
    }
    if (rc)
        cli_error(env, rc);
    stad_forecast_free(f);
    stad_predict_data_free(d);
    stad_store_close(s);
    cli_predict_free(&p);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_predict = {
    "predict",
    "forecast where events are most likely in the next two weeks, per grid cell",
    "usage: stad predict [--at DATE] [--method M] [--top N] [forecast options]\n"
    "                    [--format table|csv|geojson]\n"
    "\n"
    "Forecasts, from the events before --at (default: the day after the latest event),\n"
    "the risk of every cell of the study area (cells within --mask cells of a past\n"
    "event) for the --horizon days from --at, ranks the cells and gives each the main\n"
    "reasons in plain words. The default method is the covariate model (a regularised\n"
    "Poisson regression on lagged counts, neighbours, near-repeats, street lights,\n"
    "containers, area figures and season); with too little history it falls back to\n"
    "the smoothed long-run count and says so. `stad backtest` shows how good each\n"
    "method has been; docs/forecasting.md has the figures.\n"
    "\n"
    "  --at DATE           start of the forecast window\n"
    "  --method M          last, count365, count56, longrun, prospective, prospective8,\n"
    "                      decay, sepp, covariate (default), ensemble\n"
    "  --top N             only the N highest-risk cells (table: 20; csv/geojson: all)\n"
    CLI_PREDICT_HELP,
    run,
};

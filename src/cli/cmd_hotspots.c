/* stad hotspots: Gi* hotspots of a period with their trend; table, JSON or GeoJSON. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_filter.h"
#include "cli_table.h"

/* A positive number option; -1 when not. */
static int parse_positive(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v > 0) || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* JSON number, or null for NaN/infinity (JSON has neither). */
static void json_num(stad_strbuf *b, double v, const char *fmt)
{
    if (isfinite(v))
        stad_strbuf_printf(b, fmt, v);
    else
        stad_strbuf_append(b, "null");
}

static void day_text(int64_t t, char *buf, size_t size)
{
    stad_date_format(t, buf, size);
}

static int print_table(const stad_hotspots *h)
{
    static const char *names[] = {"rank", "events", "share", "cells", "wijk", "buurt",
                                  "streets", "previous", "ratio", "p"};
    static const int numeric[] = {1, 1, 1, 1, 0, 0, 0, 1, 1, 1};
    cli_table *t = cli_table_new(10, names, numeric);
    if (!t)
        return STAD_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < h->n && !rc; i++) {
        const stad_hotspot *it = &h->items[i];
        char rank[16], n[32], share[32], cells[32], prev[32], ratio[32], p[32];
        snprintf(rank, sizeof rank, "%d", it->rank);
        snprintf(n, sizeof n, "%" PRId64, it->count);
        snprintf(share, sizeof share, "%.1f%%", 100 * it->share);
        snprintf(cells, sizeof cells, "%zu", it->n_cells);
        snprintf(prev, sizeof prev, "%" PRId64, it->previous);
        snprintf(ratio, sizeof ratio, isfinite(it->ratio) ? "%.2f" : "new", it->ratio);
        snprintf(p, sizeof p, "%.3g", it->p_value);
        stad_strbuf st = STAD_STRBUF_INIT;
        for (size_t k = 0; k < it->n_streets; k++)
            stad_strbuf_printf(&st, "%s%s", k ? ", " : "", it->streets[k]);
        const char *cellv[] = {rank, n, share, cells, it->wijk_name, it->buurt_name,
                               stad_strbuf_str(&st), prev, ratio, p};
        rc = cli_table_add(t, cellv) ? STAD_ENOMEM : 0;
        stad_strbuf_free(&st);
    }
    if (!rc) {
        char from[16], to[16], pf[16];
        day_text(h->from, from, sizeof from);
        day_text(h->to - 1, to, sizeof to);
        day_text(h->prev_from, pf, sizeof pf);
        printf("%zu hotspots, %" PRId64 " events on the map, %s to %s (trend against %s "
               "onwards)\n",
               h->n, h->total, from, to, pf);
        if (h->n)
            cli_table_print(t, FMT_TABLE, stdout);
    }
    cli_table_free(t);
    return rc;
}

static void geojson_cells(stad_strbuf *b, const stad_hotspots *h, stad_transform *tr)
{
    stad_strbuf_append(b, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (size_t i = 0; i < h->n_hot; i++) {
        const stad_hotspot_cell *c = &h->cells[i];
        double ring[10];
        if (stad_hotspot_cell_ring(tr, &h->grid, c->cell, ring))
            continue;
        stad_strbuf_append(b, i ? ",\n" : "\n");
        stad_strbuf_append(b, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\","
                              "\"coordinates\":[[");
        for (int k = 0; k < 5; k++)
            stad_strbuf_printf(b, "%s[%.7f,%.7f]", k ? "," : "", ring[2 * k], ring[2 * k + 1]);
        stad_strbuf_printf(b, "]]},\"properties\":{\"hotspot\":%d,\"z\":", c->hotspot);
        json_num(b, c->z, "%.3f");
        stad_strbuf_printf(b, ",\"count\":%" PRId64 ",\"density\":", c->count);
        json_num(b, c->density, "%.2f");
        stad_strbuf_append(b, "}}");
    }
    stad_strbuf_append(b, "\n]}");
}

static void json_hotspots(stad_strbuf *b, const stad_hotspots *h, stad_transform *tr)
{
    char from[16], to[16];
    day_text(h->from, from, sizeof from);
    day_text(h->to - 1, to, sizeof to);
    stad_strbuf_printf(b, "{\"from\":\"%s\",\"to\":\"%s\",\"total\":%" PRId64 ",\"hotspots\":[",
                       from, to, h->total);
    for (size_t i = 0; i < h->n; i++) {
        const stad_hotspot *it = &h->items[i];
        stad_strbuf_printf(b, "%s\n{\"rank\":%d,\"count\":%" PRId64 ",\"share\":%.4f,"
                              "\"cells\":%zu,\"wijk\":",
                           i ? "," : "", it->rank, it->count, it->share, it->n_cells);
        stad_strbuf_append_json(b, it->wijk_name);
        stad_strbuf_append(b, ",\"buurt\":");
        stad_strbuf_append_json(b, it->buurt_name);
        stad_strbuf_append(b, ",\"streets\":[");
        for (size_t k = 0; k < it->n_streets; k++) {
            if (k)
                stad_strbuf_append_char(b, ',');
            stad_strbuf_append_json(b, it->streets[k]);
        }
        stad_strbuf_printf(b, "],\"trend\":{\"previous\":%" PRId64 ",\"ratio\":", it->previous);
        json_num(b, it->ratio, "%.4g");
        stad_strbuf_append(b, ",\"p_value\":");
        json_num(b, it->p_value, "%.4g");
        stad_strbuf_append(b, "},\"centroid\":[");
        json_num(b, it->lon, "%.7f");
        stad_strbuf_append_char(b, ',');
        json_num(b, it->lat, "%.7f");
        stad_strbuf_append(b, "]}");
    }
    stad_strbuf_append(b, "\n],\"cells\":");
    geojson_cells(b, h, tr);
    stad_strbuf_append(b, "}\n");
}

static int run(cli_env *env, int argc, char **argv)
{
    cli_filter cf = {0};
    int fmt = FMT_TABLE;
    stad_hotspot_opts o = {0};
    static const struct option opts[] = {CLI_FILTER_LONGOPTS,
                                         {"format", required_argument, NULL, 'f'},
                                         {"cell", required_argument, NULL, 'c'},
                                         {"bandwidth", required_argument, NULL, 'w'},
                                         {"distance", required_argument, NULL, 'd'},
                                         {"kernel", required_argument, NULL, 'K'},
                                         {"fdr", required_argument, NULL, 'q'},
                                         {"all-cells", no_argument, NULL, 'A'},
                                         {"max-cells", required_argument, NULL, 'M'},
                                         {NULL, 0, NULL, 0}};
    int c, bad = 0;
    while (!bad && (c = getopt_long(argc, argv, CLI_FILTER_SHORTOPTS "f:c:w:d:K:q:AM:", opts,
                                    NULL)) != -1) {
        if (c == 'f') {
            fmt = cli_format_parse(optarg, 1);
            if (fmt < 0 || fmt == FMT_CSV)
                bad = cli_usage_error(&cmd_hotspots, "--format is table, json or geojson");
        } else if (c == 'c') {
            if (parse_positive(optarg, &o.cell))
                bad = cli_usage_error(&cmd_hotspots, "--cell needs metres > 0");
        } else if (c == 'w') {
            if (parse_positive(optarg, &o.bandwidth))
                bad = cli_usage_error(&cmd_hotspots, "--bandwidth needs metres > 0");
        } else if (c == 'd') {
            if (parse_positive(optarg, &o.distance))
                bad = cli_usage_error(&cmd_hotspots, "--distance needs metres > 0");
        } else if (c == 'K') {
            if (strcmp(optarg, "quartic") == 0)
                o.kernel = STAD_KDE_QUARTIC;
            else if (strcmp(optarg, "gaussian") == 0)
                o.kernel = STAD_KDE_GAUSSIAN;
            else
                bad = cli_usage_error(&cmd_hotspots, "--kernel is quartic or gaussian");
        } else if (c == 'q') {
            if (parse_positive(optarg, &o.fdr) || o.fdr >= 1)
                bad = cli_usage_error(&cmd_hotspots, "--fdr is between 0 and 1");
        } else if (c == 'A') {
            o.all_cells = 1;
        } else if (c == 'M') {
            double m;
            if (parse_positive(optarg, &m) || m != (double)(size_t)m)
                bad = cli_usage_error(&cmd_hotspots, "--max-cells needs a whole number > 0");
            else
                o.max_cells = (size_t)m;
        } else {
            int r = cli_filter_option(&cf, &cmd_hotspots, c, optarg);
            if (r == 0)
                cli_usage_error(&cmd_hotspots, "unknown option");
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
    stad_hotspots *h = NULL;
    stad_transform *tr = NULL;
    int rc = stad_hotspot_compute(env->ctx, s, &cf.f, &o, &h);
    if (!rc && fmt != FMT_TABLE)
        rc = stad_hotspot_transform(env->ctx, s, &tr);
    int audit_failed = 0;
    if (!rc && cli_audit_read(env, s, "hotspots", argc, argv, (int64_t)h->n)) {
        audit_failed = 1; /* reported already */
        rc = STAD_ESTORE;
    }
    if (!rc) {
        if (fmt == FMT_TABLE) {
            rc = print_table(h);
        } else {
            stad_strbuf b = STAD_STRBUF_INIT;
            if (fmt == FMT_GEOJSON) {
                geojson_cells(&b, h, tr);
                stad_strbuf_append_char(&b, '\n');
            } else {
                json_hotspots(&b, h, tr);
            }
            if (b.oom)
                rc = STAD_ENOMEM;
            else
                fputs(stad_strbuf_str(&b), stdout);
            stad_strbuf_free(&b);
        }
    }
    if (rc && !audit_failed)
        cli_error(env, rc);
    stad_transform_free(tr);
    stad_hotspot_free(h);
    cli_filter_free(&cf);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_hotspots = {
    "hotspots",
    "Getis-Ord Gi* hotspots of a period, with streets, areas and trend",
    "usage: stad hotspots [filters] [--cell 100] [--bandwidth 250] [--distance M]\n"
    "                     [--kernel quartic|gaussian] [--fdr 0.05] [--all-cells]\n"
    "                     [--max-cells 25] [--format table|json|geojson]\n"
    "\n"
    "Counts events per grid cell (--cell metres) in the period (--from/--to; without\n"
    "them the 28 days up to the latest event), computes the Getis-Ord Gi* z-score of\n"
    "every cell with the cells within --distance metres (default: the bandwidth), keeps\n"
    "the cells that stay significant after false-discovery-rate control (--fdr) and\n"
    "merges touching hot cells into hotspots, ranked by events. A hot area larger than\n"
    "--max-cells cells (where a whole district is hot) is cut back to its cores: the\n"
    "cells above its median z, repeatedly, until each part is small enough to patrol.\n"
    "A hot area without events of its own (hot only through its neighbours) is no\n"
    "hotspot. Each hotspot gets its\n"
    "wijk and buurt, its main streets, its share of all events, and its trend against\n"
    "the previous period of the same length (exact Poisson rate test). Cells are tested\n"
    "only inside the loaded buurten/wijken unless --all-cells.\n"
    "--format geojson prints the hot cells as WGS84 polygons with hotspot, z, count\n"
    "and kernel density (events per km², --kernel, --bandwidth metres).\n"
    "\n"
    CLI_FILTER_HELP,
    run,
};

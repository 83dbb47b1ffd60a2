/* stad events: query events by kind, period, area and bounding box. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_filter.h"
#include "cli_table.h"

/* Area id -> code, for printing. */
typedef struct area_codes {
    int64_t *ids;
    char **codes;
    size_t n, cap;
} area_codes;

static int collect_area(void *user, const stad_area_row *a)
{
    area_codes *ac = user;
    if (ac->n == ac->cap) {
        size_t cap = ac->cap ? ac->cap * 2 : 256;
        int64_t *ids = realloc(ac->ids, cap * sizeof *ids);
        if (ids)
            ac->ids = ids;
        char **codes = realloc(ac->codes, cap * sizeof *codes);
        if (codes)
            ac->codes = codes;
        if (!ids || !codes)
            return STAD_ENOMEM;
        ac->cap = cap;
    }
    ac->ids[ac->n] = a->id;
    ac->codes[ac->n] = strdup(a->code ? a->code : "");
    if (!ac->codes[ac->n])
        return STAD_ENOMEM;
    ac->n++;
    return 0;
}

static const char *area_code(const area_codes *ac, int64_t id)
{
    if (!id)
        return "";
    for (size_t i = 0; i < ac->n; i++) /* areas are few; a scan is fine */
        if (ac->ids[i] == id)
            return ac->codes[i];
    return "";
}

static void area_codes_free(area_codes *ac)
{
    for (size_t i = 0; i < ac->n; i++)
        free(ac->codes[i]);
    free(ac->codes);
    free(ac->ids);
}

typedef struct events_out {
    int fmt;
    cli_table *t;
    area_codes areas;
    stad_strbuf b;
    int64_t n;
} events_out;

static int emit_geojson(events_out *o, const stad_event_row *e, const char *t_from,
                        const char *t_to)
{
    stad_strbuf *b = &o->b;
    stad_strbuf_clear(b);
    stad_strbuf_append(b, o->n ? ",\n" : "\n");
    stad_strbuf_append(b, "{\"type\":\"Feature\",\"geometry\":");
    if (e->has_xy)
        stad_strbuf_printf(b, "{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}", e->lon, e->lat);
    else
        stad_strbuf_append(b, "null");
    stad_strbuf_printf(b, ",\"properties\":{\"id\":%" PRId64 ",\"kind\":", e->id);
    stad_strbuf_append_json(b, e->kind);
    stad_strbuf_append(b, ",\"t_from\":");
    stad_strbuf_append_json(b, t_from);
    stad_strbuf_append(b, ",\"t_to\":");
    stad_strbuf_append_json(b, t_to);
    stad_strbuf_append(b, ",\"wijk\":");
    stad_strbuf_append_json(b, area_code(&o->areas, e->wijk_id));
    stad_strbuf_append(b, ",\"buurt\":");
    stad_strbuf_append_json(b, area_code(&o->areas, e->buurt_id));
    stad_strbuf_append(b, ",\"street\":");
    stad_strbuf_append_json(b, e->street);
    stad_strbuf_printf(b, ",\"count\":%d}}", (int)e->count);
    if (b->oom)
        return STAD_ENOMEM;
    fputs(stad_strbuf_str(b), stdout);
    return 0;
}

static int add_event(void *user, const stad_event_row *e)
{
    events_out *o = user;
    char id[32], t_from[32], t_to[32], x[32], y[32], lon[32], lat[32], count[16];
    stad_time_format(e->t_from, t_from, sizeof t_from);
    stad_time_format(e->t_to, t_to, sizeof t_to);
    int rc;
    if (o->fmt == FMT_GEOJSON) {
        rc = emit_geojson(o, e, t_from, t_to);
    } else {
        snprintf(id, sizeof id, "%" PRId64, e->id);
        snprintf(count, sizeof count, "%d", (int)e->count);
        if (e->has_xy) {
            snprintf(x, sizeof x, "%.1f", e->x);
            snprintf(y, sizeof y, "%.1f", e->y);
            snprintf(lon, sizeof lon, "%.6f", e->lon);
            snprintf(lat, sizeof lat, "%.6f", e->lat);
        } else {
            x[0] = y[0] = lon[0] = lat[0] = '\0';
        }
        const char *cells[] = {id, e->kind, t_from, t_to, x, y, lon, lat,
                               area_code(&o->areas, e->wijk_id),
                               area_code(&o->areas, e->buurt_id), e->street, count};
        rc = cli_table_add(o->t, cells) ? STAD_ENOMEM : 0;
    }
    o->n++;
    return rc;
}

static int run(cli_env *env, int argc, char **argv)
{
    cli_filter cf = {0};
    int fmt = FMT_TABLE;
    static const struct option opts[] = {
        CLI_FILTER_LONGOPTS, {"format", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
    int c, bad = 0;
    while (!bad && (c = getopt_long(argc, argv, CLI_FILTER_SHORTOPTS "f:", opts, NULL)) != -1) {
        if (c == 'f') {
            if ((fmt = cli_format_parse(optarg, 1)) < 0) {
                cli_usage_error(&cmd_events, "unknown format '%s'", optarg);
                bad = 1;
            }
            continue;
        }
        int r = cli_filter_option(&cf, &cmd_events, c, optarg);
        if (r == 0)
            cli_usage_error(&cmd_events, "unknown option");
        bad = r <= 0;
    }
    if (!bad && optind < argc) {
        cli_usage_error(&cmd_events, "unexpected argument '%s'", argv[optind]);
        bad = 1;
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
    static const char *names[] = {"id", "kind", "t_from", "t_to", "x", "y", "lon", "lat",
                                  "wijk", "buurt", "street", "count"};
    static const int numeric[] = {1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1};
    events_out o = {.fmt = fmt};
    o.b = (stad_strbuf)STAD_STRBUF_INIT;
    int rc = stad_store_areas_each(s, NULL, collect_area, &o.areas);
    if (!rc && fmt != FMT_GEOJSON && !(o.t = cli_table_new(12, names, numeric)))
        rc = STAD_ENOMEM;
    if (!rc && fmt == FMT_GEOJSON)
        fputs("{\"type\":\"FeatureCollection\",\"features\":[", stdout);
    if (!rc)
        rc = stad_store_events_each(s, &cf.f, add_event, &o);
    if (fmt == FMT_GEOJSON)
        fputs("\n]}\n", stdout);
    else if (!rc)
        cli_table_print(o.t, fmt, stdout);
    if (!rc && cli_audit_read(env, s, "events", argc, argv, o.n))
        rc = STAD_ESTORE;
    else if (rc)
        cli_error(env, rc);
    cli_table_free(o.t);
    stad_strbuf_free(&o.b);
    area_codes_free(&o.areas);
    cli_filter_free(&cf);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_events = {
    "events",
    "query events by kind, period, area and bounding box",
    "usage: stad events [filters] [--format table|csv|json|geojson]\n"
    "\n"
    "Prints the events that match, with their time window (local time), coordinates in\n"
    "the city's CRS and in WGS84, wijk, buurt and street.\n"
    "\n"
    CLI_FILTER_HELP,
    run,
};

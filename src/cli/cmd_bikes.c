/* stad bikes: enforcement campaigns (orphan bikes, or another theme): street
 * segments, the plan for a day, follow-ups, recording results, and the simulator. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_table.h"

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int64_t today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return stad_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400;
}

/* Writes the whole buffer (text or a PDF) to path, or stdout. A file is written
 * beside the destination and renamed, so a failed write leaves no half a sheet. */
static int write_out(const char *path, const stad_strbuf *b)
{
    if (!path) {
        if (b->len && fwrite(b->s, 1, b->len, stdout) != b->len) {
            fprintf(stderr, "stad bikes: cannot write to standard output\n");
            return CLI_FAIL;
        }
        return CLI_OK;
    }
    stad_strbuf tmp = STAD_STRBUF_INIT;
    stad_strbuf_printf(&tmp, "%s.tmp", path);
    const char *t = stad_strbuf_str(&tmp);
    FILE *f = tmp.oom ? NULL : fopen(t, "wb");
    int ok = f != NULL;
    if (f) {
        ok = (!b->len || fwrite(b->s, 1, b->len, f) == b->len);
        ok = (fclose(f) == 0) && ok;
        ok = ok && rename(t, path) == 0;
        if (!ok)
            remove(t);
    }
    stad_strbuf_free(&tmp);
    if (!ok) {
        fprintf(stderr, "stad bikes: cannot write %s\n", path);
        return CLI_FAIL;
    }
    return CLI_OK;
}

extern const cli_command cmd_bikes;

/* ---- streets load / name ---- */

/* Street names from the asset points near each unnamed segment (bikes_names.c). */
static int name_streets(cli_env *env, stad_store *s, double within)
{
    size_t named = 0, points = 0;
    int rc = stad_bikes_streets_name_from_assets(env->ctx, s, within, &named, &points);
    if (rc)
        return rc;
    if (points)
        printf("%zu street segments named after %zu asset points with a street name within "
               "%g m\n", named, points, within);
    else
        printf("no asset points with a street name (stad assets load): segments keep their "
               "numbers\n");
    /* what the sheets will say of the rest */
    stad_bikes_streets *st = NULL;
    if ((rc = stad_bikes_streets_from_store(env->ctx, s, &st)))
        return rc;
    size_t unnamed = 0, near = 0;
    for (size_t i = 0; i < st->n; i++)
        if (!st->name[i] || !*st->name[i]) {
            unnamed++;
            near += st->near[i] != NULL;
        }
    if (unnamed)
        printf("%zu of %zu segments have no name; %zu of them lie within %.0f m of a named "
               "one and are shown as \"bij <street>\"\n",
               unnamed, st->n, near, STAD_BIKES_NEAR_M);
    stad_bikes_streets_free(st);
    return 0;
}

static int run_streets(cli_env *env, int argc, char **argv)
{
    /* street lights stand at the kerb; farther out they belong to the next street:
     * 15 m names 73% of the Groningen links, 87.5% like the police's address
     * (docs/bikes.md) */
    double within = 15;
    int load = argc == 3 && !strcmp(argv[1], "load");
    int name = (argc == 2 || argc == 4) && !strcmp(argv[1], "name");
    if (name && argc == 4 && (strcmp(argv[2], "--within") || parse_num(argv[3], 1, 500, &within)))
        name = 0;
    if (!load && !name)
        return cli_usage_error(&cmd_bikes, "use: stad bikes streets load FILE, or stad bikes "
                                           "streets name [--within METRES]");
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    size_t n = 0;
    int rc = load ? stad_bikes_streets_load(env->ctx, s, argv[2], &n) : 0;
    if (!rc && load)
        printf("%s: %zu street segments loaded\n", argv[2], n);
    if (!rc)
        rc = name_streets(env, s, within);
    stad_store_close(s);
    return rc ? cli_error(env, rc) : CLI_OK;
}

/* The stops of a plan as an aligned table (cli_table counts characters, so street
 * names with accents line up) appended to b. */
static int plan_table(const stad_bikes_streets *st, const stad_bikes_plan *p, stad_strbuf *b)
{
    static const char *names[] = {"enforcer", "order", "at", "street", "name", "kind",
                                  "length_m", "task", "expected", "interval"};
    static const int numeric[] = {1, 1, 0, 1, 0, 0, 1, 0, 1, 0};
    cli_table *t = cli_table_new(10, names, numeric);
    for (size_t i = 0; t && i < p->n_stops; i++) {
        const stad_bikes_stop *sp = &p->stops[i];
        int m = (int)(sp->arrive_s / 60 + 0.5);
        char e[16], o[16], at[16], id[32], len[32], ex[32], iv[64], near[160] = "";
        const char *name = st->name ? st->name[sp->street] : NULL;
        if (!name && st->near && st->near[sp->street])
            snprintf(near, sizeof near, "bij %s", st->near[sp->street]);
        snprintf(e, sizeof e, "%d", sp->enforcer + 1);
        snprintf(o, sizeof o, "%d", sp->order);
        snprintf(at, sizeof at, "%d:%02d", m / 60, m % 60);
        snprintf(id, sizeof id, "%lld", (long long)st->id[sp->street]);
        snprintf(len, sizeof len, "%.0f", st->length[sp->street]);
        snprintf(ex, sizeof ex, "%.2f", sp->expected);
        snprintf(iv, sizeof iv, "%.2f-%.2f", sp->lo, sp->hi);
        const char *cells[] = {e, o, at, id, name ? name : near, st->kind[sp->street], len,
                               sp->action == STAD_BIKES_FOLLOWUP ? "followup" : "label", ex, iv};
        if (cli_table_add(t, cells)) {
            cli_table_free(t);
            t = NULL;
        }
    }
    char *text = NULL;
    size_t n = 0;
    FILE *mem = t ? open_memstream(&text, &n) : NULL;
    if (mem) {
        cli_table_print(t, FMT_TABLE, mem);
        if (fclose(mem))
            n = 0;
    }
    cli_table_free(t);
    if (!text) /* out of memory somewhere above */
        return STAD_ENOMEM;
    stad_strbuf_append_n(b, text, n);
    free(text);
    return b->oom ? STAD_ENOMEM : 0;
}

/* ---- plan ---- */
static int run_plan(cli_env *env, int argc, char **argv)
{
    static const struct option opts[] = {
        {"date", required_argument, NULL, 'd'},    {"enforcers", required_argument, NULL, 'n'},
        {"hours", required_argument, NULL, 'H'},   {"theme", required_argument, NULL, 't'},
        {"depot", required_argument, NULL, 'D'},   {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},     {"straight", no_argument, NULL, 'S'},
        {"seed", required_argument, NULL, 's'},    {"candidates", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0}};
    int64_t date = today();
    long enforcers = 2, seed = 1, cands = 0;
    double hours = 6, depot[2] = {0, 0};
    int has_depot = 0, straight = 0;
    const char *theme = "bikes", *format = "table", *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (cli_parse_time(optarg, &date, 0))
                return cli_usage_error(&cmd_bikes, "--date: not a date: '%s'", optarg);
            break;
        case 'n':
            if (parse_int(optarg, 1, 100, &enforcers))
                return cli_usage_error(&cmd_bikes, "--enforcers: 1 to 100");
            break;
        case 'H':
            if (parse_num(optarg, 0.25, 24, &hours))
                return cli_usage_error(&cmd_bikes, "--hours: 0.25 to 24");
            break;
        case 't': theme = optarg; break;
        case 'D': {
            char *end;
            depot[0] = strtod(optarg, &end);
            if (*end != ',' || (depot[1] = strtod(end + 1, &end), *end))
                return cli_usage_error(&cmd_bikes, "--depot: LON,LAT");
            has_depot = 1;
            break;
        }
        case 'f': format = optarg; break;
        case 'o': out = optarg; break;
        case 'S': straight = 1; break;
        case 's':
            if (parse_int(optarg, 0, 1000000000L, &seed))
                return cli_usage_error(&cmd_bikes, "--seed: a number");
            break;
        case 'c':
            if (parse_int(optarg, 10, 5000, &cands))
                return cli_usage_error(&cmd_bikes, "--candidates: 10 to 5000");
            break;
        default: return cli_usage_error(&cmd_bikes, "unknown option");
        }
    }
    if (strcmp(format, "table") && strcmp(format, "json") && strcmp(format, "html") &&
        strcmp(format, "pdf") && strcmp(format, "gpx") && strcmp(format, "geojson"))
        return cli_usage_error(&cmd_bikes, "--format: table, json, html, pdf, gpx or geojson");
    if (!strcmp(format, "pdf") && !out && isatty(STDOUT_FILENO))
        return cli_usage_error(&cmd_bikes, "--format pdf: give --out FILE (or a pipe)");
    stad_bikes_theme th;
    int rc = stad_bikes_theme_load(env->ctx, theme, &th);
    if (rc)
        return cli_error(env, rc);
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    stad_bikes_streets *st = NULL;
    stad_bikes_obs obs = {0};
    stad_bikes_yield *y = NULL;
    stad_bikes_plan *p = NULL;
    stad_route_graph *g = NULL;
    stad_bikes_area_names *wijken = NULL;
    stad_scope *sc = NULL;
    stad_strbuf b = STAD_STRBUF_INIT;
    int code = CLI_OK;
    /* the sources campaign planning may read, as the server's plan does */
    stad_event_filter scope = {0};
    if ((rc = stad_privacy_scope_of_role(s, STAD_BIKES_PLANNING_ROLE, &sc)))
        goto fail;
    stad_privacy_scope_apply(sc, &scope);
    if ((rc = stad_bikes_streets_from_store(env->ctx, s, &st)) ||
        (rc = stad_bikes_streets_hint_from_store(env->ctx, s, &th, st, &scope)) ||
        /* what was recorded before the day: the plan the dashboard and the handhelds
         * show, which stays the same while the team records that day's results */
        (rc = stad_bikes_obs_from_store(env->ctx, s, &th, st, date, &scope, &obs)) ||
        (rc = stad_bikes_yield_fit(env->ctx, &th, st, &obs, date, &y)))
        goto fail;
    stad_bikes_plan_opts po = {.date = date, .enforcers = (int)enforcers, .hours = hours,
                               .seed = (uint64_t)seed, .max_candidates = (size_t)cands};
    rc = has_depot ? stad_bikes_depot_set(env->ctx, s, depot[0], depot[1], &po)
                   : stad_bikes_depot_from_theme(env->ctx, s, &th, &po);
    if (rc)
        goto fail;
    if (!straight) {
        /* street distances over the segments themselves */
        void *graph = NULL;
        rc = stad_bikes_streets_graph(env->ctx, s, st, &graph);
        g = graph;
        if (rc)
            goto fail;
        po.graph = g;
    }
    if ((rc = stad_bikes_plan_make(env->ctx, &th, st, y, &po, &p)) ||
        (rc = stad_bikes_plan_trace(env->ctx, s, g, st, p)))
        goto fail;
    if (!strcmp(format, "html"))
        rc = stad_bikes_plan_html(&th, st, p, &b);
    else if (!strcmp(format, "pdf")) {
        if (!(rc = stad_bikes_area_names_load(env->ctx, s, "wijk", &wijken)))
            rc = stad_bikes_plan_pdf(env->ctx, &th, st, p, wijken, &b);
    }
    else if (!strcmp(format, "gpx"))
        rc = stad_bikes_plan_gpx(st, p, &b);
    else if (!strcmp(format, "geojson") || !strcmp(format, "json"))
        rc = stad_bikes_plan_geojson(st, p, &b);
    else {
        char day[16];
        stad_date_format(date, day, sizeof day);
        stad_strbuf_printf(&b, "plan %s for %d enforcers x %.1f h: %zu stops, %zu of %zu "
                               "follow-ups due, %.1f items expected to label\n",
                           day, p->enforcers, p->hours, p->n_stops, p->followups_planned,
                           p->followups_due, p->expected_total);
        rc = plan_table(st, p, &b);
        for (int e = 0; e < p->enforcers; e++)
            stad_strbuf_printf(&b, "enforcer %d: %.0f of %.0f minutes, take %d labels\n", e + 1,
                               p->route_s[e] / 60, hours * 60,
                               stad_bikes_plan_labels_to_take(p, e));
    }
    if (rc)
        goto fail;
    code = write_out(out, &b);
    goto done;
fail:
    code = cli_error(env, rc);
done:
    stad_strbuf_free(&b);
    stad_bikes_area_names_free(wijken);
    stad_route_graph_free(g);
    stad_bikes_plan_free(p);
    stad_bikes_yield_free(y);
    stad_bikes_obs_clear(&obs);
    stad_bikes_streets_free(st);
    stad_privacy_scope_free(sc);
    stad_store_close(s);
    return code;
}

/* ---- followup ---- */
static int run_followup(cli_env *env, int argc, char **argv)
{
    static const struct option opts[] = {{"date", required_argument, NULL, 'd'},
                                         {"horizon", required_argument, NULL, 'h'},
                                         {"theme", required_argument, NULL, 't'},
                                         {"format", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    int64_t date = today();
    long horizon = 0;
    const char *theme = "bikes";
    int fmt = FMT_TABLE, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd' && !cli_parse_time(optarg, &date, 0))
            continue;
        if (c == 'h' && !parse_int(optarg, 0, 365, &horizon))
            continue;
        if (c == 't') {
            theme = optarg;
            continue;
        }
        if (c == 'f' && (fmt = cli_format_parse(optarg, 0)) >= 0)
            continue;
        return cli_usage_error(&cmd_bikes, "followup: bad option");
    }
    stad_bikes_theme th;
    int rc = stad_bikes_theme_load(env->ctx, theme, &th);
    if (rc)
        return cli_error(env, rc);
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    stad_bikes_streets *st = NULL;
    stad_bikes_obs obs = {0};
    stad_bikes_followup *f = NULL;
    size_t n = 0;
    /* the labels out as the plan sees them: also those of campaign results ingested
     * from files of the sources planning may read, as of the horizon's last day */
    stad_scope *sc = NULL;
    stad_event_filter scope = {0};
    if (!(rc = stad_privacy_scope_of_role(s, STAD_BIKES_PLANNING_ROLE, &sc)))
        stad_privacy_scope_apply(sc, &scope);
    int64_t until = date + (horizon + 1) * 86400;
    if (rc || (rc = stad_bikes_streets_from_store(env->ctx, s, &st)) ||
        (rc = stad_bikes_obs_from_store(env->ctx, s, &th, st, until, &scope, &obs)) ||
        (rc = stad_bikes_followups(env->ctx, &th, &obs, date, (int)horizon, &f, &n))) {
        stad_bikes_obs_clear(&obs);
        stad_bikes_streets_free(st);
        stad_privacy_scope_free(sc);
        stad_store_close(s);
        return cli_error(env, rc);
    }
    stad_privacy_scope_free(sc);
    static const char *names[] = {"street", "name", "near", "labelled", "labels", "due", "lon",
                                  "lat"};
    static const int numeric[] = {1, 0, 0, 0, 1, 0, 1, 1};
    cli_table *t = cli_table_new(8, names, numeric);
    for (size_t i = 0; t && i < n; i++) {
        char id[32], lab[16], cnt[16], due[16], lon[32], lat[32];
        snprintf(id, sizeof id, "%lld", (long long)st->id[f[i].street]);
        stad_date_format(f[i].labelled_t, lab, sizeof lab);
        snprintf(cnt, sizeof cnt, "%d", f[i].labels);
        stad_date_format(f[i].due_t, due, sizeof due);
        snprintf(lon, sizeof lon, "%.6f", st->lon[f[i].street]);
        snprintf(lat, sizeof lat, "%.6f", st->lat[f[i].street]);
        const char *cells[] = {id, st->name ? st->name[f[i].street] : NULL,
                               st->near ? st->near[f[i].street] : NULL, lab, cnt, due, lon, lat};
        cli_table_add(t, cells);
    }
    if (fmt == FMT_TABLE)
        printf("%zu streets due for follow-up (%d days after labelling)\n", n, th.waiting_days);
    if (t && (n || fmt != FMT_TABLE))
        cli_table_print(t, (cli_format)fmt, stdout);
    cli_table_free(t);
    free(f);
    stad_bikes_obs_clear(&obs);
    stad_bikes_streets_free(st);
    stad_store_close(s);
    return CLI_OK;
}

/* ---- record ---- */
static int run_record(cli_env *env, int argc, char **argv)
{
    static const struct option opts[] = {
        {"street", required_argument, NULL, 'S'}, {"action", required_argument, NULL, 'a'},
        {"labels", required_argument, NULL, 'l'}, {"removed", required_argument, NULL, 'r'},
        {"returned", required_argument, NULL, 'R'}, {"date", required_argument, NULL, 'd'},
        {"key", required_argument, NULL, 'k'},    {"remark", required_argument, NULL, 'm'},
        {"theme", required_argument, NULL, 't'},  {NULL, 0, NULL, 0}};
    stad_bikes_record r = {.t = today() + 12 * 3600, .action = -1};
    long v = 0;
    const char *theme = "bikes";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'S':
            if (parse_int(optarg, 1, 1L << 40, &v))
                return cli_usage_error(&cmd_bikes, "--street: a street id");
            r.street_id = v;
            break;
        case 'a':
            r.action = !strcmp(optarg, "label") ? STAD_BIKES_LABEL
                       : !strcmp(optarg, "followup") ? STAD_BIKES_FOLLOWUP : -2;
            break;
        case 'l':
        case 'r':
        case 'R':
            if (parse_int(optarg, 0, 10000, &v))
                return cli_usage_error(&cmd_bikes, "counts: 0 to 10000");
            *(c == 'l' ? &r.labels : c == 'r' ? &r.removed : &r.returned) = (int)v;
            break;
        case 'd':
            if (cli_parse_time(optarg, &r.t, 0))
                return cli_usage_error(&cmd_bikes, "--date: not a date: '%s'", optarg);
            break;
        case 'k': r.idem_key = optarg; break;
        case 'm': r.remark = optarg; break;
        case 't': theme = optarg; break;
        default: return cli_usage_error(&cmd_bikes, "record: bad option");
        }
    }
    if (!r.street_id || r.action < 0)
        return cli_usage_error(&cmd_bikes, "record needs --street ID and --action label|followup");
    stad_bikes_theme th;
    int rc = stad_bikes_theme_load(env->ctx, theme, &th);
    if (rc)
        return cli_error(env, rc);
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    int dup = 0;
    rc = stad_bikes_record_visit(env->ctx, s, &th, &r, &dup);
    stad_store_close(s);
    if (rc)
        return cli_error(env, rc);
    printf("%s\n", dup ? "already recorded (same key): nothing changed" : "recorded");
    return CLI_OK;
}

/* ---- simulate ---- */
static int run_simulate(cli_env *env, int argc, char **argv)
{
    static const struct option opts[] = {
        {"streets", required_argument, NULL, 'S'}, {"policy", required_argument, NULL, 'p'},
        {"seed", required_argument, NULL, 's'},    {"seeds", required_argument, NULL, 'N'},
        {"days", required_argument, NULL, 'd'},    {"enforcers", required_argument, NULL, 'n'},
        {"hours", required_argument, NULL, 'H'},   {"every", required_argument, NULL, 'e'},
        {"abandon", required_argument, NULL, 'a'}, {"heterogeneity", required_argument, NULL, 'g'},
        {"theme", required_argument, NULL, 't'},   {"format", required_argument, NULL, 'f'},
        {"iterations", required_argument, NULL, 'i'}, {"stock-days", required_argument, NULL, 'k'},
        {"min-yield", required_argument, NULL, 'm'}, {"parked", required_argument, NULL, 'P'},
        {NULL, 0, NULL, 0}};
    stad_bikes_sim_opts o;
    stad_bikes_sim_opts_init(&o);
    const char *streets = NULL, *policy = "all", *theme = "bikes";
    long seed = 1, seeds = 1, v = 0;
    double min_yield = -1; /* -1: the theme's */
    int fmt = FMT_TABLE, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'S': streets = optarg; break;
        case 'p': policy = optarg; break;
        case 's': bad = parse_int(optarg, 0, 1000000000L, &seed); break;
        case 'N': bad = parse_int(optarg, 1, 100, &seeds); break;
        case 'd': bad = parse_int(optarg, 60, 3650, &v); o.days = (int)v; break;
        case 'n': bad = parse_int(optarg, 1, 100, &v); o.enforcers = (int)v; break;
        case 'H': bad = parse_num(optarg, 0.25, 24, &o.hours); break;
        case 'e': bad = parse_int(optarg, 1, 60, &v); o.campaign_every = (int)v; break;
        case 'a': bad = parse_num(optarg, 0.01, 10000, &o.abandon_per_day); break;
        case 'g': bad = parse_num(optarg, 0, 5, &o.heterogeneity); break;
        case 't': theme = optarg; break;
        case 'f': bad = (fmt = cli_format_parse(optarg, 0)) < 0; break;
        case 'i': bad = parse_int(optarg, 1, 100000, &v); o.iterations = v; break;
        case 'k': bad = parse_int(optarg, 0, 3650, &v); o.stock_days = (int)v; break;
        case 'm': bad = parse_num(optarg, 0, 10000, &min_yield); break;
        case 'P': bad = parse_num(optarg, 0, 1000, &o.parked_labels); break;
        default: bad = 1;
        }
        if (bad)
            return cli_usage_error(&cmd_bikes, "simulate: bad value for an option");
    }
    int pol[3], npol = 0;
    if (!strcmp(policy, "all") || !strcmp(policy, "planner"))
        pol[npol++] = STAD_BIKES_POLICY_PLANNER;
    if (!strcmp(policy, "all") || !strcmp(policy, "old"))
        pol[npol++] = STAD_BIKES_POLICY_OLD;
    if (!strcmp(policy, "all") || !strcmp(policy, "random"))
        pol[npol++] = STAD_BIKES_POLICY_RANDOM;
    if (!strcmp(policy, "oracle")) /* not in "all": it sees what no city sees */
        pol[npol++] = STAD_BIKES_POLICY_ORACLE;
    if (!npol)
        return cli_usage_error(&cmd_bikes, "--policy: planner, old, random, all or oracle");
    stad_bikes_theme th;
    int rc = stad_bikes_theme_load(env->ctx, theme, &th);
    if (rc)
        return cli_error(env, rc);
    if (min_yield >= 0)
        th.min_yield_per_hour = min_yield;
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    stad_bikes_streets *st = NULL;
    double *tx = NULL, *ty = NULL, *px = NULL, *py = NULL;
    size_t nt = 0, np = 0;
    char *crs = NULL;
    rc = stad_city_crs(env->ctx, s, &crs);
    if (!rc)
        rc = streets ? stad_bikes_streets_read(env->ctx, streets, crs, &st)
                     : stad_bikes_streets_from_store(env->ctx, s, &st);
    free(crs);
    if (!rc)
        rc = stad_bikes_sim_inputs(env->ctx, s, &tx, &ty, &nt, &px, &py, &np);
    /* what the planner may know of every street beforehand (bike thefts nearby) */
    if (!rc)
        /* a simulation: the thefts of every source drive it */
        rc = stad_bikes_streets_hint_from_store(env->ctx, s, &th, st, NULL);
    if (rc) {
        stad_bikes_streets_free(st);
        free(tx), free(ty), free(px), free(py);
        stad_store_close(s);
        return cli_error(env, rc);
    }
    o.theft_x = tx;
    o.theft_y = ty;
    o.n_thefts = nt;
    o.parking_x = px;
    o.parking_y = py;
    o.n_parkings = np;
    enum { NCOL = 16 };
    static const char *names[NCOL] = {"policy", "seed", "removed", "enforcer_hours",
                                      "removed_per_hour", "worked_hours",
                                      "removed_per_worked_hour", "share_8w", "stock",
                                      "abandoned", "labels", "visits", "followups",
                                      "false_removals", "complaints", "empty_visits"};
    static const int numeric[NCOL] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    static const char *pname[] = {"planner", "old", "random", "oracle"};
    cli_table *t = cli_table_new(NCOL, names, numeric);
    if (fmt == FMT_TABLE)
        printf("simulating %d days on %zu street segments (%zu thefts, %zu parkings as "
               "inputs), %d enforcers x %.1f h every %d days\n",
               o.days, st->n, nt, np, o.enforcers, o.hours, o.campaign_every);
    for (long k = 0; k < seeds && !rc; k++)
        for (int q = 0; q < npol && !rc; q++) {
            stad_bikes_sim_result r;
            o.seed = (uint64_t)(seed + k);
            o.policy = pol[q];
            if ((rc = stad_bikes_simulate(env->ctx, &th, st, &o, &r)))
                break;
            char cells[NCOL][32];
            snprintf(cells[0], 32, "%s", pname[pol[q]]);
            snprintf(cells[1], 32, "%lld", (long long)o.seed);
            snprintf(cells[2], 32, "%" PRId64, r.removed);
            snprintf(cells[3], 32, "%.0f", r.enforcer_hours);
            snprintf(cells[4], 32, "%.3f", r.removed_per_hour);
            snprintf(cells[5], 32, "%.1f", r.worked_hours);
            snprintf(cells[6], 32, "%.3f", r.removed_per_worked_hour);
            snprintf(cells[7], 32, "%.3f", r.share_8w);
            snprintf(cells[8], 32, "%" PRId64, r.stock);
            snprintf(cells[9], 32, "%" PRId64, r.abandoned);
            snprintf(cells[10], 32, "%" PRId64, r.labels);
            snprintf(cells[11], 32, "%" PRId64, r.visits);
            snprintf(cells[12], 32, "%" PRId64, r.followups);
            snprintf(cells[13], 32, "%" PRId64, r.false_removals);
            snprintf(cells[14], 32, "%" PRId64, r.complaints);
            snprintf(cells[15], 32, "%" PRId64, r.empty_visits);
            const char *cp[NCOL];
            for (int i = 0; i < NCOL; i++)
                cp[i] = cells[i];
            if (t)
                cli_table_add(t, cp);
        }
    if (!rc && t)
        cli_table_print(t, (cli_format)fmt, stdout);
    cli_table_free(t);
    stad_bikes_streets_free(st);
    free(tx), free(ty), free(px), free(py);
    stad_store_close(s);
    return rc ? cli_error(env, rc) : CLI_OK;
}

static int run(cli_env *env, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(&cmd_bikes, "which subcommand?");
    const char *sub = argv[1];
    if (!strcmp(sub, "streets"))
        return run_streets(env, argc - 1, argv + 1);
    if (!strcmp(sub, "plan"))
        return run_plan(env, argc - 1, argv + 1);
    if (!strcmp(sub, "followup"))
        return run_followup(env, argc - 1, argv + 1);
    if (!strcmp(sub, "record"))
        return run_record(env, argc - 1, argv + 1);
    if (!strcmp(sub, "simulate"))
        return run_simulate(env, argc - 1, argv + 1);
    return cli_usage_error(&cmd_bikes, "unknown subcommand '%s'", sub);
}

const cli_command cmd_bikes = {
    "bikes",
    "orphan-bike (or other theme) campaigns: plan, follow up, record, simulate",
    "usage: stad bikes <subcommand> [options]\n"
    "\n"
    "Campaigns on street segments: label what stands too long, remove what is still\n"
    "labelled after the waiting period. --theme NAME (default bikes) reads\n"
    "config/themes/NAME.conf: kinds, waiting period, service times, model settings.\n"
    "\n"
    "  streets load FILE        street segments (GeoJSON, Shapefile, ...; .gz too) into\n"
    "                           the store, named after the file's name attribute or\n"
    "                           else the street names of asset points within 15 m\n"
    "  streets name [--within M] name unnamed segments after asset points (street\n"
    "                           lights, containers) loaded since\n"
    "  plan [options]           the streets to visit on a date and the route per enforcer\n"
    "      --date D (today) --enforcers N (2) --hours H (6)\n"
    "      --depot LON,LAT (where the routes start and end; default the theme's\n"
    "      depot, else the middle of the streets). Uses what was recorded before D:\n"
    "      the plan the dashboard and the handhelds show for that day\n"
    "      --format table|json|geojson|html|pdf|gpx (html, pdf: printable route\n"
    "      sheets, per enforcer a map and the stop table)\n"
    "      --out FILE  --straight (no street network distances)  --seed S\n"
    "  followup [--date D] [--horizon DAYS] [--format table|csv|json]\n"
    "                           streets whose waiting period has ended, labels out\n"
    "  record --street ID --action label|followup [--labels N] [--removed N]\n"
    "         [--returned N] [--date D] [--key KEY] [--remark TEXT]\n"
    "                           store a visit (also one that found nothing); a KEY\n"
    "                           already recorded is ignored (safe to resend)\n"
    "  simulate [--streets FILE] [--policy planner|old|random|all|oracle] [--seed S]\n"
    "         [--seeds N] [--days 365] [--enforcers 2] [--hours 6] [--every 7]\n"
    "         [--abandon 10] [--heterogeneity 1.0] [--stock-days 60]\n"
    "         [--parked 0.5] [--min-yield R] [--format table|csv|json]\n"
    "                           a year of orphan bikes on real streets; bike thefts and\n"
    "                           bike parkings in the store drive where they appear\n",
    run,
};

/* stad areas load|list: the city's wijken and buurten. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_table.h"

static int load(cli_env *env, int argc, char **argv)
{
    stad_area_load_opts o = {0};
    static const struct option opts[] = {
        {"level", required_argument, NULL, 'l'},
        {"code-field", required_argument, NULL, 'c'},
        {"name-field", required_argument, NULL, 'n'},
        {"parent-level", required_argument, NULL, 'p'},
        {"layer", required_argument, NULL, 'L'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "l:c:n:p:L:", opts, NULL)) != -1) {
        switch (c) {
        case 'l': o.level = optarg; break;
        case 'c': o.code_field = optarg; break;
        case 'n': o.name_field = optarg; break;
        case 'p': o.parent_level = optarg; break;
        case 'L': o.layer = optarg; break;
        default: return cli_usage_error(&cmd_areas, "unknown option");
        }
    }
    if (!o.level)
        return cli_usage_error(&cmd_areas, "--level is required (wijk, buurt, ...)");
    if (optind >= argc)
        return cli_usage_error(&cmd_areas, "no file given");
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    char *crs = NULL;
    int status = CLI_OK, crs_rc = stad_city_crs(env->ctx, s, &crs);
    if (crs_rc) {
        status = cli_error(env, crs_rc);
        stad_store_close(s);
        return status;
    }
    o.city_crs = crs;
    for (int i = optind; i < argc; i++) {
        size_t n = 0;
        int rc = stad_areas_load_file(env->ctx, s, argv[i], &o, &n);
        if (rc) {
            status = cli_error(env, rc);
            continue;
        }
        if (!env->quiet)
            printf("%s: %zu areas at level %s\n", argv[i], n, o.level);
    }
    free(crs);
    stad_store_close(s);
    return status;
}

typedef struct list_state {
    cli_table *t;
    stad_store *s;
} list_state;

static int add_area(void *user, const stad_area_row *a)
{
    list_state *st = user;
    char id[32], parent[32], bbox[128];
    snprintf(id, sizeof id, "%" PRId64, a->id);
    snprintf(parent, sizeof parent, "%" PRId64, a->parent_id);
    snprintf(bbox, sizeof bbox, "%.0f,%.0f,%.0f,%.0f", a->minx, a->miny, a->maxx, a->maxy);
    const char *cells[] = {id, a->level, a->code, a->name, a->parent_id ? parent : "", bbox};
    return cli_table_add(st->t, cells) ? STAD_ENOMEM : 0;
}

static int list(cli_env *env, int argc, char **argv)
{
    const char *level = NULL;
    int fmt = FMT_TABLE;
    static const struct option opts[] = {
        {"level", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "l:f:", opts, NULL)) != -1) {
        switch (c) {
        case 'l': level = optarg; break;
        case 'f':
            if ((fmt = cli_format_parse(optarg, 0)) < 0)
                return cli_usage_error(&cmd_areas, "unknown format '%s'", optarg);
            break;
        default: return cli_usage_error(&cmd_areas, "unknown option");
        }
    }
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    static const char *names[] = {"id", "level", "code", "name", "parent", "bbox"};
    static const int numeric[] = {1, 0, 0, 0, 1, 0};
    list_state st = {cli_table_new(6, names, numeric), s};
    int rc = st.t ? stad_store_areas_each(s, level, add_area, &st) : STAD_ENOMEM;
    if (rc)
        cli_error(env, rc);
    else
        cli_table_print(st.t, fmt, stdout);
    cli_table_free(st.t);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

static int figures(cli_env *env, int argc, char **argv)
{
    const char *code_column = NULL, *layer = NULL;
    static const struct option opts[] = {
        {"code-column", required_argument, NULL, 'c'},
        {"layer", required_argument, NULL, 'L'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "c:L:", opts, NULL)) != -1) {
        switch (c) {
        case 'c': code_column = optarg; break;
        case 'L': layer = optarg; break;
        default: return cli_usage_error(&cmd_areas, "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(&cmd_areas, "give one file with key figures");
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    stad_figures_report r;
    int rc = stad_ingest_area_figures(env->ctx, s, argv[optind], code_column, layer, &r);
    if (rc)
        cli_error(env, rc);
    else if (!env->quiet)
        printf("%s: %zu figures for each of %zu areas (%zu rows matched no loaded area)\n",
               argv[optind], r.columns, r.matched, r.unmatched);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

static int run(cli_env *env, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(&cmd_areas, "say load or list");
    if (strcmp(argv[1], "load") == 0)
        return load(env, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return list(env, argc - 1, argv + 1);
    if (strcmp(argv[1], "figures") == 0)
        return figures(env, argc - 1, argv + 1);
    return cli_usage_error(&cmd_areas, "unknown subcommand '%s'", argv[1]);
}

const cli_command cmd_areas = {
    "areas",
    "load or list wijken and buurten, attach key figures",
    "usage: stad areas load FILE... --level LEVEL [--code-field F] [--name-field F]\n"
    "                   [--parent-level LEVEL] [--layer NAME]\n"
    "       stad areas list [--level LEVEL] [--format table|csv|json]\n"
    "       stad areas figures FILE [--code-column COLUMN] [--layer NAME]\n"
    "\n"
    "load   reads polygons from GeoJSON, Shapefile or GeoPackage (any CRS; they are\n"
    "       projected to the city's CRS). Codes and names are found in the usual CBS\n"
    "       and municipal fields (BU_CODE, WK_CODE, CODE, BU_NAAM, NAAM, ...) unless\n"
    "       given. Each area gets as parent the area of the level above (buurt -> wijk\n"
    "       -> city) that contains it. Loading again updates areas by code.\n"
    "list   prints the areas with their parent and bounding box (city CRS).\n"
    "figures attaches key figures (e.g. CBS kerncijfers wijken en buurten) to the\n"
    "       loaded areas: one row per area code (gwb_code_10, bu_code, wk_code, code),\n"
    "       every other column a figure; CBS's '.' and -99999999 become missing.\n",
    run,
};

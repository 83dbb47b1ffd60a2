/* stad init: create a store and set the city it serves. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(cli_env *env, int argc, char **argv)
{
    const char *city = NULL, *crs = NULL, *name = NULL;
    static const struct option opts[] = {
        {"city", required_argument, NULL, 'c'},
        {"crs", required_argument, NULL, 'r'},
        {"name", required_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "c:r:n:", opts, NULL)) != -1) {
        switch (c) {
        case 'c': city = optarg; break;
        case 'r': crs = optarg; break;
        case 'n': name = optarg; break;
        default: return cli_usage_error(&cmd_init, "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error(&cmd_init, "unexpected argument '%s'", argv[optind]);

    stad_conf *profile = NULL;
    if (city) {
        char path[4096];
        if (strchr(city, '/'))
            snprintf(path, sizeof path, "%s", city);
        else
            snprintf(path, sizeof path, "%s/cities/%s.conf", stad_config_dir(), city);
        int rc = stad_conf_load(env->ctx, path, &profile);
        if (rc) {
            fprintf(stderr, "stad init: no city profile '%s' (%s)\n", city, stad_errmsg(env->ctx));
            return CLI_FAIL;
        }
        if (!crs)
            crs = stad_conf_get(profile, "city", "crs");
        if (!name)
            name = stad_conf_get(profile, "city", "name");
    }
    if (!crs)
        crs = STAD_CRS_DEFAULT;

    /* Check the CRS before writing anything. */
    stad_transform *tr = NULL;
    if (stad_crs_check_city(env->ctx, crs) ||
        stad_transform_new(env->ctx, crs, STAD_CRS_WGS84, &tr)) {
        stad_conf_free(profile);
        return cli_error(env, STAD_EGEO);
    }
    stad_transform_free(tr);

    stad_store *s = cli_open_store(env);
    int rc = s ? 0 : STAD_ESTORE;
    if (!rc)
        rc = stad_store_meta_set(s, "city.crs", crs);
    if (!rc && name)
        rc = stad_store_meta_set(s, "city.name", name);
    if (rc) {
        cli_error(env, rc);
    } else if (!env->quiet) {
        printf("store %s ready for %s (CRS %s)\n", env->store_path, name ? name : "the city", crs);
        printf("next: stad --store %s areas load WIJKEN.geojson --level wijk\n", env->store_path);
    }
    stad_store_close(s);
    stad_conf_free(profile);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_init = {
    "init",
    "create the store and set the city (CRS)",
    "usage: stad init [--city NAME|FILE] [--crs CRS] [--name NAME]\n"
    "\n"
    "Creates the store (or opens and upgrades an existing one) and records the city's\n"
    "projected coordinate system, in which stad keeps all geometry.\n"
    "\n"
    "  --city NAME   a city profile from the configuration (utrecht, groningen,\n"
    "                cincinnati) or a profile file with [city] name = ..., crs = ...\n"
    "  --crs CRS     the projected CRS in metres, e.g. EPSG:28992 (RD New, the\n"
    "                default) or EPSG:32616 (UTM zone 16N); overrides the profile\n"
    "  --name NAME   the city's name\n",
    run,
};

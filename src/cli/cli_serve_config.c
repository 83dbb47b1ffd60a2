/* `stad serve --config FILE`: the service configuration applied to the server options,
 * and the store made ready before serving (created from the city settings when
 * missing; upgraded with a backup first when older). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_serve_config.h"

const char *cli_serve_config_arg(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            path = argv[i] + 9;
    }
    return path;
}

void cli_serve_apply_config(cli_env *env, const stad_settings *s, stad_server_opts *so)
{
    /* Options on the command line are applied after this and win. */
    env->store_path = s->store_path;
    so->bind = s->bind;
    so->port = s->port;
    so->threads = s->threads;
    if (*s->web_root)
        so->web_root = s->web_root;
    if (*s->tls_cert) {
        so->tls_cert = s->tls_cert;
        so->tls_key = s->tls_key;
    }
    if (*s->watch_folder)
        so->watch_dir = s->watch_folder;
    so->log_level = s->log_level;
}

stad_log_fn cli_serve_log_fn(const stad_settings *s)
{
    const char *f = getenv("STAD_LOG_FORMAT");
    int format = f && *f ? stad_log_format_parse(f) : s ? s->log_format : STAD_LOG_TEXT;
    return format == STAD_LOG_JOURNAL ? stad_log_journal : stad_log_stderr;
}

static void unlink_store(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        char p[4200];
        if (snprintf(p, sizeof p, "%s%s", path, suffix[i]) < (int)sizeof p)
            unlink(p);
    }
}

static int stop_at_first(void *user, const stad_area_row *a)
{
    (void)user;
    (void)a;
    return 1;
}

/* The configured city in the store. A new store gets the CRS and name of the profile
 * (or city.crs); any store gets the configured wijken and buurten while it has no
 * areas of that level, so that a city set in stad.conf after the first start (the
 * package starts the service at once) still arrives. A new store is removed again if
 * a step fails. */
static int setup_city(cli_env *env, const stad_settings *set, int created)
{
    stad_conf *profile = NULL;
    const char *crs = *set->city_crs ? set->city_crs : NULL, *name = NULL;
    int rc = 0;
    if (*set->city_profile) {
        char path[4096];
        if (strchr(set->city_profile, '/'))
            snprintf(path, sizeof path, "%s", set->city_profile);
        else
            snprintf(path, sizeof path, "%s/cities/%s.conf", stad_config_dir(),
                     set->city_profile);
        rc = stad_conf_load(env->ctx, path, &profile);
        if (rc)
            return cli_error(env, rc);
        if (!crs)
            crs = stad_conf_get(profile, "city", "crs");
        name = stad_conf_get(profile, "city", "name");
    }
    if (created && crs && (rc = stad_crs_check_city(env->ctx, crs))) {
        stad_conf_free(profile);
        return cli_error(env, rc);
    }
    stad_store *s = NULL;
    char *store_crs = NULL;
    rc = stad_store_open(env->ctx, env->store_path, &s);
    if (!rc && created && crs)
        rc = stad_store_meta_set(s, "city.crs", crs);
    if (!rc && created && name)
        rc = stad_store_meta_set(s, "city.name", name);
    if (!rc && (rc = stad_city_crs(env->ctx, s, &store_crs)) == 0)
        crs = store_crs; /* areas go into the CRS the store already has */
    const char *files[2] = {set->city_wijken, set->city_buurten};
    const char *levels[2] = {"wijk", "buurt"};
    for (int i = 0; i < 2 && !rc; i++) {
        if (!*files[i] || stad_store_areas_each(s, levels[i], stop_at_first, NULL) == 1)
            continue;
        stad_area_load_opts o = {0};
        o.level = levels[i];
        o.city_crs = crs;
        size_t n = 0;
        rc = stad_areas_load_file(env->ctx, s, files[i], &o, &n);
        if (!rc)
            stad_log(env->ctx, STAD_LOG_INFO, "loaded %zu areas at level %s from the configuration",
                     n, levels[i]);
    }
    stad_store_close(s);
    if (rc) {
        cli_error(env, rc);
        if (created)
            unlink_store(env->store_path);
    } else if (created) {
        stad_log(env->ctx, STAD_LOG_INFO, "created the store %s for %s", env->store_path,
                 name ? name : crs ? crs : "the default CRS");
    }
    free(store_crs); /* name and crs point into these */
    stad_conf_free(profile);
    return rc ? CLI_FAIL : CLI_OK;
}

int cli_serve_prepare_store(cli_env *env, const stad_settings *set)
{
    struct stat st;
    if (stat(env->store_path, &st) != 0) {
        if (!set) {
            fprintf(stderr, "stad: no store at %s (create one with `stad init`)\n",
                    env->store_path);
            return CLI_FAIL;
        }
        return setup_city(env, set, 1);
    }
    stad_upgrade_info info;
    int rc = stad_store_upgrade(env->ctx, env->store_path, set ? set->backup_dir : NULL, &info);
    if (rc)
        return cli_error(env, rc);
    if (info.from != info.to && !env->quiet)
        printf("stad serve: store upgraded from schema %d to %d%s%s\n", info.from, info.to,
               *info.backup ? "; the store as it was is in " : "", info.backup);
    return set ? setup_city(env, set, 0) : CLI_OK;
}

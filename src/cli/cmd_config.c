/* stad config check|defaults: the service configuration file (stad/settings.h). */
#include <string.h>

#include "cli.h"

static int run(cli_env *env, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(&cmd_config, "give a subcommand: check or defaults");
    const char *sub = argv[1];
    if (strcmp(sub, "defaults") == 0) {
        if (argc != 2)
            return cli_usage_error(&cmd_config, "config defaults takes no arguments");
        return stad_settings_write_defaults(stdout) ? CLI_FAIL : CLI_OK;
    }
    if (strcmp(sub, "check") != 0)
        return cli_usage_error(&cmd_config, "unknown subcommand '%s'", sub);
    if (argc > 3)
        return cli_usage_error(&cmd_config, "config check takes one file");
    for (int i = 2; i < argc; i++)
        if (argv[i][0] == '-')
            return cli_usage_error(&cmd_config, "unknown option '%s'", argv[i]);
    const char *path = argc == 3 ? argv[2] : STAD_SETTINGS_PATH;
    stad_settings *s = NULL;
    int rc = stad_settings_load(env->ctx, path, &s);
    if (rc)
        return cli_error(env, rc);
    if (!env->quiet) {
        int v6 = strchr(s->bind, ':') != NULL;
        printf("%s: ok\n", path);
        printf("  store   %s (backups before upgrades in %s)\n", s->store_path, s->backup_dir);
        printf("  listen  %s://%s%s%s:%d/\n", *s->tls_cert ? "https" : "http", v6 ? "[" : "",
               s->bind, v6 ? "]" : "", s->port);
        if (*s->watch_folder)
            printf("  watch   %s\n", s->watch_folder);
        if (*s->city_profile || *s->city_crs)
            printf("  city    %s%s%s\n", s->city_profile, *s->city_crs ? " " : "", s->city_crs);
    }
    stad_settings_free(s);
    return CLI_OK;
}

const cli_command cmd_config = {
    "config",
    "check the service configuration file, or print its defaults",
    "usage: stad config check [FILE]\n"
    "       stad config defaults\n"
    "\n"
    "check     reads FILE (default " STAD_SETTINGS_PATH ") as `stad serve --config`\n"
    "          does and reports the first error with its line, or 'ok' and the main\n"
    "          values. Unknown sections and keys, keys set twice, values of the wrong\n"
    "          type, relative paths, a TLS certificate without its key and missing\n"
    "          files are errors. Exit status 0 ok, 1 an error in the file.\n"
    "defaults  prints the documented configuration file with every key and its\n"
    "          default (the file installed as " STAD_SETTINGS_PATH ").\n",
    run,
};

/* stad backup FILE / stad restore FILE: the store as one file, while serving. */
#include <getopt.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "cli.h"

static void print_info(const char *verb, const char *file, const stad_backup_info *i)
{
    printf("%s %s: schema %d, %" PRId64 " batches, %" PRId64 " events, %" PRId64
           " areas, %" PRId64 " bytes\n",
           verb, file, i->schema_version, i->batches, i->events, i->areas, i->bytes);
}

static int run_backup(cli_env *env, int argc, char **argv)
{
    int force = 0;
    static const struct option opts[] = {{"force", no_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1)
        if (c == 'f')
            force = 1;
        else
            return cli_usage_error(&cmd_backup, "unknown option");
    if (optind + 1 != argc)
        return cli_usage_error(&cmd_backup, "give one backup file");
    /* Opening would create an empty store: back up only one that exists. */
    struct stat sb;
    if (stat(env->store_path, &sb) != 0) {
        fprintf(stderr, "stad: no store at %s\n", env->store_path);
        return CLI_FAIL;
    }
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    stad_backup_info info;
    int rc = stad_store_backup(s, argv[optind], force, &info);
    stad_store_close(s);
    if (rc)
        return cli_error(env, rc);
    if (!env->quiet)
        print_info("backup", argv[optind], &info);
    return CLI_OK;
}

static int run_restore(cli_env *env, int argc, char **argv)
{
    int check_only = 0;
    static const struct option opts[] = {{"check", no_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "c", opts, NULL)) != -1)
        if (c == 'c')
            check_only = 1;
        else
            return cli_usage_error(&cmd_restore, "unknown option");
    if (optind + 1 != argc)
        return cli_usage_error(&cmd_restore, "give one backup file");
    stad_backup_info info;
    int rc = check_only ? stad_store_verify_file(env->ctx, argv[optind], &info)
                        : stad_store_restore(env->ctx, env->store_path, argv[optind], &info);
    if (rc)
        return cli_error(env, rc);
    if (!env->quiet)
        print_info(check_only ? "checked" : "restored", argv[optind], &info);
    return CLI_OK;
}

const cli_command cmd_backup = {
    "backup",
    "copy the store to one file, also while it is being served",
    "usage: stad backup [--force] FILE\n"
    "\n"
    "Copies the store (--store) to FILE with SQLite's online backup: one consistent\n"
    "snapshot, taken while `stad serve` or `stad watch` keep running. The copy is\n"
    "checked (integrity, schema) before it is renamed to FILE, so FILE is complete or\n"
    "absent. An existing FILE is kept unless --force.\n",
    run_backup,
};

const cli_command cmd_restore = {
    "restore",
    "replace the store with a backup (the store must not be in use)",
    "usage: stad restore [--check] FILE\n"
    "\n"
    "Checks FILE (integrity, a stad schema no newer than this stad) and copies it over\n"
    "the store (--store; created when missing). A store that a running stad serve,\n"
    "watch or ingest has open is refused: stop it first. --check only checks FILE.\n",
    run_restore,
};

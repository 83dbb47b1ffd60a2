/* stad rejects BATCH: the rows of a batch that could not be used, and why. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_table.h"

static int add_reject(void *user, const stad_reject_row *r)
{
    char line[32];
    snprintf(line, sizeof line, "%" PRId64, r->line);
    const char *cells[] = {line, r->column, r->reason, r->raw};
    return cli_table_add(user, cells) ? STAD_ENOMEM : 0;
}

static int found_batch(void *user, const stad_batch_row *b)
{
    *(int *)user = 1;
    (void)b;
    return 0;
}

static int run(cli_env *env, int argc, char **argv)
{
    int fmt = FMT_TABLE;
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1)
        if (c != 'f' || (fmt = cli_format_parse(optarg, 0)) < 0)
            return cli_usage_error(&cmd_rejects, "unknown option or format");
    if (optind != argc - 1)
        return cli_usage_error(&cmd_rejects, "give one batch id (see `stad batches`)");
    char *end;
    long long id = strtoll(argv[optind], &end, 10);
    if (*end || id <= 0)
        return cli_usage_error(&cmd_rejects, "'%s' is not a batch id", argv[optind]);
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    int exists = 0;
    int rc = stad_store_batch_get(s, id, found_batch, &exists);
    if (!rc && !exists)
        rc = stad_fail(env->ctx, STAD_ENOTFOUND, "no batch %lld (see `stad batches`)", id);
    static const char *names[] = {"line", "column", "reason", "value"};
    static const int numeric[] = {1, 0, 0, 0};
    cli_table *t = cli_table_new(4, names, numeric);
    if (!rc)
        rc = t ? stad_store_rejects_each(s, id, add_reject, t) : STAD_ENOMEM;
    if (rc)
        cli_error(env, rc);
    else
        cli_table_print(t, fmt, stdout);
    cli_table_free(t);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_rejects = {
    "rejects",
    "show the rejected rows of a batch",
    "usage: stad rejects BATCH [--format table|csv|json]\n"
    "\n"
    "Every row of the file that could not be loaded, with its line (CSV) or row\n"
    "(spreadsheet), the column, the reason and the offending value, so the file can be\n"
    "corrected at the source and ingested again.\n",
    run,
};

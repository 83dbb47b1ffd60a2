/* stad sources: the registered data sources. */
#include <getopt.h>
#include <inttypes.h>

#include "cli.h"
#include "cli_table.h"

static int add_source(void *user, const stad_source_row *r)
{
    char id[32], batches[32], events[32], retention[32];
    snprintf(id, sizeof id, "%" PRId64, r->id);
    snprintf(batches, sizeof batches, "%" PRId64, r->n_batches);
    snprintf(events, sizeof events, "%" PRId64, r->n_events);
    snprintf(retention, sizeof retention, "%d", r->retention_days);
    const char *cells[] = {id, r->name, r->status, r->holder, r->purpose,
                           r->retention_days ? retention : "", batches, events};
    return cli_table_add(user, cells) ? STAD_ENOMEM : 0;
}

static int run(cli_env *env, int argc, char **argv)
{
    int fmt = FMT_TABLE;
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1)
        if (c != 'f' || (fmt = cli_format_parse(optarg, 0)) < 0)
            return cli_usage_error(&cmd_sources, "unknown option or format");
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    static const char *names[] = {"id", "name", "status", "holder", "purpose",
                                  "retention_days", "batches", "events"};
    static const int numeric[] = {1, 0, 0, 0, 0, 1, 1, 1};
    cli_table *t = cli_table_new(8, names, numeric);
    int rc = t ? stad_store_sources_each(s, add_source, t) : STAD_ENOMEM;
    if (rc)
        cli_error(env, rc);
    else
        cli_table_print(t, fmt, stdout);
    cli_table_free(t);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_sources = {
    "sources",
    "list the data sources and what they hold",
    "usage: stad sources [--format table|csv|json]\n"
    "\n"
    "Lists every source (one per kind of file a holder delivers) with its register\n"
    "status, holder, purpose, retention and how many batches and events it holds.\n"
    "A source is created the first time a file is ingested for it.\n",
    run,
};

/* stad sources: the registered data sources. */
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

static int fill(stad_store *s, cli_table *t)
{
    return stad_store_sources_each(s, add_source, t);
}

static int run(cli_env *env, int argc, char **argv)
{
    static const char *names[] = {"id", "name", "status", "holder", "purpose",
                                  "retention_days", "batches", "events"};
    static const int numeric[] = {1, 0, 0, 0, 0, 1, 1, 1};
    return cli_list(env, &cmd_sources, argc, argv, 8, names, numeric, fill);
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

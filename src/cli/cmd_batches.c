/* stad batches: every file that was loaded, with its counts. */
#include <inttypes.h>

#include "cli.h"
#include "cli_table.h"

static int add_batch(void *user, const stad_batch_row *b)
{
    char id[32], read[32], acc[32], rej[32], started[32], repl[32];
    snprintf(id, sizeof id, "%" PRId64, b->id);
    snprintf(read, sizeof read, "%" PRId64, b->rows_read);
    snprintf(acc, sizeof acc, "%" PRId64, b->rows_accepted);
    snprintf(rej, sizeof rej, "%" PRId64, b->rows_rejected);
    snprintf(repl, sizeof repl, "%" PRId64, b->replaces);
    /* started is UTC unix time; show it as UTC. */
    stad_time_format(b->started, started, sizeof started);
    const char *cells[] = {id,  b->source_name, b->file_name, b->target, b->status, read,
                           acc, rej,            started,      b->replaces ? repl : "",
                           b->sha256};
    return cli_table_add(user, cells) ? STAD_ENOMEM : 0;
}

static int fill(stad_store *s, cli_table *t)
{
    return stad_store_batches_each(s, add_batch, t);
}

static int run(cli_env *env, int argc, char **argv)
{
    static const char *names[] = {"id",       "source",   "file",     "target",
                                  "status",   "read",     "accepted", "rejected",
                                  "started_utc", "replaces", "sha256"};
    static const int numeric[] = {1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0};
    return cli_list(env, &cmd_batches, argc, argv, 11, names, numeric, fill);
}

const cli_command cmd_batches = {
    "batches",
    "list the loaded files (batches) with their counts",
    "usage: stad batches [--format table|csv|json]\n"
    "\n"
    "One batch per ingested file: source, file name, rows read/accepted/rejected,\n"
    "when it was loaded (UTC), its SHA-256, and whether a later version of the same\n"
    "file replaced it.\n",
    run,
};

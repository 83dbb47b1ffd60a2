/* The stad command: shared option handling for the thin command files. Commands parse
 * arguments, call the public API and print; no analysis lives here. */
#ifndef STAD_CLI_H
#define STAD_CLI_H

#include <stdio.h>

#include "stad.h"

/* Options every command takes. */
typedef struct cli_env {
    stad_ctx *ctx;
    const char *store_path; /* --store, $STAD_STORE, or ./stad.db */
    int verbose, quiet;
} cli_env;

typedef struct cli_command {
    const char *name;
    const char *summary; /* one line for `stad --help` */
    const char *usage;   /* full help text for `stad <command> --help` */
    int (*run)(cli_env *env, int argc, char **argv);
} cli_command;

/* Exit codes: 0 ok, 1 the work failed (bad file, not found), 2 bad usage. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Opens the store named by env; prints the error and returns NULL on failure. */
stad_store *cli_open_store(cli_env *env);
/* Prints "stad: <message>" for the context's last error; returns CLI_FAIL. */
int cli_error(cli_env *env, int rc);
/* Prints a usage error and the command's usage; returns CLI_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* True if argv holds -h or --help; prints the usage then. */
int cli_wants_help(const cli_command *cmd, int argc, char **argv);
/* Parses a period bound ("2017-01-01", "2017-09"); returns 0 or -1. */
int cli_parse_time(const char *s, int64_t *t, int is_end);
/* Parses "minlon,minlat,maxlon,maxlat". */
int cli_parse_bbox(const char *s, double bbox[4]);
/* Writes the audit row of a read of source data through the CLI (actor cli:<os user>):
 * the command, its arguments (filters; they carry no personal values) and the rows
 * printed. A failure to audit is reported and makes the command fail (exit 1). */
int cli_audit_read(cli_env *env, stad_store *s, const char *command, int argc, char **argv,
                   int64_t rows);
/* Splits a comma-separated list into a NULL-terminated malloc'ed array of
 * pointers into `s` (modified in place); sets *n. */
const char **cli_split_list(char *s, size_t *n);

extern const cli_command cmd_init, cmd_areas, cmd_ingest, cmd_assets, cmd_sources,
    cmd_batches, cmd_rejects, cmd_events, cmd_stats, cmd_watch, cmd_hotspots,
    cmd_flexteam, cmd_serve;
extern const cli_command cmd_user, cmd_source, cmd_retention, cmd_audit;
extern const cli_command cmd_backup, cmd_restore;
extern const cli_command cmd_predict, cmd_backtest;
extern const cli_command cmd_pseudo, cmd_social;
extern const cli_command cmd_tables;
extern const cli_command cmd_bikes;
extern const cli_command cmd_config;
extern const cli_command cmd_publish;

#endif

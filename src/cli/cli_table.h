/* Tabular output in the formats the commands offer: aligned text, CSV, JSON.
 * The table copies every cell it is given. */
#ifndef STAD_CLI_TABLE_H
#define STAD_CLI_TABLE_H

#include <stdio.h>

typedef enum { FMT_TABLE, FMT_CSV, FMT_JSON, FMT_GEOJSON } cli_format;

/* Parses "table", "csv", "json" (and "geojson" when allow_geojson); -1 if unknown. */
int cli_format_parse(const char *s, int allow_geojson);

typedef struct cli_table cli_table;

/* `numeric` marks columns written as JSON numbers and right-aligned. */
cli_table *cli_table_new(int ncols, const char *const *names, const int *numeric);
/* Adds a row of ncols cells (NULL prints as empty / JSON null); 0 or -1 (no memory). */
int cli_table_add(cli_table *t, const char *const *cells);
size_t cli_table_rows(const cli_table *t);
void cli_table_print(const cli_table *t, cli_format fmt, FILE *out);
void cli_table_free(cli_table *t);

struct cli_env;
struct cli_command;
struct stad_store;
/* The body of a listing command that takes only --format: opens the store, lets
 * fill() add the rows, prints them. Returns the exit code. */
int cli_list(struct cli_env *env, const struct cli_command *cmd, int argc, char **argv,
             int ncols, const char *const *names, const int *numeric,
             int (*fill)(struct stad_store *s, cli_table *t));

#endif

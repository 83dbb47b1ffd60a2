/* stad tables: preview the tables stad finds in a .docx, .odt or PDF file. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_table.h"

static int parse_count(const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

static void print_one(const stad_table_info *ti, cli_format fmt, int describe)
{
    if (describe) {
        printf("table %d: %zu columns, %zu rows", ti->index, ti->ncols, ti->nrows);
        if (ti->first_page)
            printf(", page%s %d", ti->last_page > ti->first_page ? "s" : "", ti->first_page);
        if (ti->last_page > ti->first_page)
            printf("-%d", ti->last_page);
        if (ti->same_header_as != ti->index)
            printf(" (same header as table %d: read together)", ti->same_header_as);
        putchar('\n');
    }
    int *numeric = calloc(ti->ncols + 1, sizeof *numeric);
    cli_table *t = numeric ? cli_table_new((int)ti->ncols, (const char *const *)ti->headers,
                                           numeric) : NULL;
    for (size_t r = 0; t && r < ti->nsample; r++)
        if (cli_table_add(t, (const char *const *)ti->sample[r]))
            break;
    if (t)
        cli_table_print(t, fmt, stdout);
    if (describe && ti->nrows > ti->nsample)
        printf("... %zu more rows\n", ti->nrows - ti->nsample);
    if (describe)
        putchar('\n');
    cli_table_free(t);
    free(numeric);
}

static int run(cli_env *env, int argc, char **argv)
{
    static const struct option opts[] = {
        {"table", required_argument, NULL, 'n'},
        {"rows", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0}};
    long table = 0, rows = 5;
    int fmt = FMT_TABLE;
    int c;
    while ((c = getopt_long(argc, argv, "n:r:f:", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (parse_count(optarg, &table) || table < 1)
                return cli_usage_error(&cmd_tables, "--table wants a number from 1");
            break;
        case 'r':
            if (parse_count(optarg, &rows))
                return cli_usage_error(&cmd_tables, "--rows wants a number (0: all)");
            break;
        case 'f':
            if ((fmt = cli_format_parse(optarg, 0)) < 0)
                return cli_usage_error(&cmd_tables, "unknown format '%s'", optarg);
            break;
        default:
            return cli_usage_error(&cmd_tables, "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error(&cmd_tables, "give one file");
    const char *path = argv[optind];
    stad_tables *ts;
    int rc = stad_tables_read(env->ctx, path, rows ? (size_t)rows : (size_t)-1, &ts);
    if (rc)
        return cli_error(env, rc);
    if (table > 0 && (size_t)table > ts->n) {
        fprintf(stderr, "stad: %s: there is no table %ld; the file has %zu\n", path, table,
                ts->n);
        stad_tables_free(ts);
        return CLI_FAIL;
    }
    int describe = fmt == FMT_TABLE;
    if (describe) {
        printf("%s: %s", path, ts->format);
        if (ts->pages)
            printf(", %d page%s", ts->pages, ts->pages == 1 ? "" : "s");
        printf(", %zu table%s\n\n", ts->n, ts->n == 1 ? "" : "s");
    }
    for (size_t i = 0; i < ts->n; i++)
        if (table == 0 || (size_t)table == i + 1)
            print_one(&ts->table[i], (cli_format)fmt, describe);
    if (describe && table == 0 && ts->n)
        printf("stad ingest reads the first table with rows and every later table with its "
               "header;\n--table N reads table N only.\n");
    stad_tables_free(ts);
    return CLI_OK;
}

const cli_command cmd_tables = {
    "tables",
    "preview the tables in a Word, OpenDocument or PDF file",
    "usage: stad tables FILE [--table N] [--rows K] [--format table|csv|json]\n"
    "\n"
    "Shows the tables stad finds in a .docx, .odt or text PDF file, as `stad ingest`\n"
    "would read them: their number, pages, header and first rows. PDF tables are\n"
    "rebuilt from the position of the words: columns from aligned text, rows from\n"
    "baselines, page headers and footers dropped, a table over several pages joined.\n"
    "A scanned PDF (no text) needs OCR first.\n"
    "\n"
    "  --table N     only table N (1-based); `stad ingest --table N` loads it\n"
    "  --rows K      rows to show per table (default 5; 0: all)\n"
    "  --format F    table (default), csv or json: the rows only, for checking\n",
    run,
};

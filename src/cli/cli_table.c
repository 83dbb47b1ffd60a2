/* Tabular output: aligned text for people, CSV and JSON for programs. */
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "cli.h"
#include "cli_table.h"
#include "stad.h"

struct cli_table {
    int ncols;
    char **names;
    int *numeric;
    char **cells; /* rows * ncols */
    size_t rows, cap;
};

int cli_format_parse(const char *s, int allow_geojson)
{
    if (strcmp(s, "table") == 0)
        return FMT_TABLE;
    if (strcmp(s, "csv") == 0)
        return FMT_CSV;
    if (strcmp(s, "json") == 0)
        return FMT_JSON;
    if (allow_geojson && strcmp(s, "geojson") == 0)
        return FMT_GEOJSON;
    return -1;
}

cli_table *cli_table_new(int ncols, const char *const *names, const int *numeric)
{
    cli_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = ncols;
    t->names = calloc((size_t)ncols, sizeof *t->names);
    t->numeric = calloc((size_t)ncols, sizeof *t->numeric);
    if (!t->names || !t->numeric) {
        cli_table_free(t);
        return NULL;
    }
    for (int i = 0; i < ncols; i++) {
        t->names[i] = strdup(names[i]);
        t->numeric[i] = numeric ? numeric[i] : 0;
        if (!t->names[i]) {
            cli_table_free(t);
            return NULL;
        }
    }
    return t;
}

int cli_table_add(cli_table *t, const char *const *cells)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **c = realloc(t->cells, cap * (size_t)t->ncols * sizeof *c);
        if (!c)
            return -1;
        t->cells = c;
        t->cap = cap;
    }
    char **row = t->cells + t->rows * (size_t)t->ncols;
    for (int i = 0; i < t->ncols; i++) {
        row[i] = cells[i] ? strdup(cells[i]) : NULL;
        if (cells[i] && !row[i]) {
            while (i-- > 0)
                free(row[i]);
            return -1;
        }
    }
    t->rows++;
    return 0;
}

size_t cli_table_rows(const cli_table *t) { return t->rows; }

/* Display width in characters, counting UTF-8 sequences once. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; s && *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void print_text(const cli_table *t, FILE *out)
{
    size_t *w = calloc((size_t)t->ncols, sizeof *w);
    if (!w)
        return;
    for (int c = 0; c < t->ncols; c++) {
        w[c] = width(t->names[c]);
        for (size_t r = 0; r < t->rows; r++) {
            size_t cw = width(t->cells[r * (size_t)t->ncols + (size_t)c]);
            if (cw > w[c])
                w[c] = cw > 60 ? 60 : cw;
        }
    }
    for (size_t r = 0; r <= t->rows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = r == 0 ? t->names[c] : t->cells[(r - 1) * (size_t)t->ncols + (size_t)c];
            if (!s)
                s = "";
            size_t pad = w[c] > width(s) ? w[c] - width(s) : 0;
            if (c)
                fputs("  ", out);
            if (t->numeric[c] && r > 0)
                fprintf(out, "%*s%s", (int)pad, "", s);
            else if (c == t->ncols - 1)
                fputs(s, out);
            else
                fprintf(out, "%s%*s", s, (int)pad, "");
        }
        fputc('\n', out);
    }
    free(w);
}

static void print_csv(const cli_table *t, FILE *out)
{
    stad_strbuf b = STAD_STRBUF_INIT;
    for (size_t r = 0; r <= t->rows; r++) {
        stad_strbuf_clear(&b);
        for (int c = 0; c < t->ncols; c++) {
            const char *s = r == 0 ? t->names[c] : t->cells[(r - 1) * (size_t)t->ncols + (size_t)c];
            if (c)
                stad_strbuf_append_char(&b, ',');
            stad_strbuf_append_csv(&b, s ? s : "");
        }
        fprintf(out, "%s\n", stad_strbuf_str(&b));
    }
    stad_strbuf_free(&b);
}

static void print_json(const cli_table *t, FILE *out)
{
    stad_strbuf b = STAD_STRBUF_INIT;
    fputs("[", out);
    for (size_t r = 0; r < t->rows; r++) {
        stad_strbuf_clear(&b);
        stad_strbuf_append(&b, r ? ",\n{" : "\n{");
        for (int c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];
            if (c)
                stad_strbuf_append_char(&b, ',');
            stad_strbuf_append_json(&b, t->names[c]);
            stad_strbuf_append_char(&b, ':');
            if (!s || (t->numeric[c] && !*s))
                stad_strbuf_append(&b, "null");
            else if (t->numeric[c])
                stad_strbuf_append(&b, s);
            else
                stad_strbuf_append_json(&b, s);
        }
        stad_strbuf_append_char(&b, '}');
        fputs(stad_strbuf_str(&b), out);
    }
    fputs("\n]\n", out);
    stad_strbuf_free(&b);
}

void cli_table_print(const cli_table *t, cli_format fmt, FILE *out)
{
    if (fmt == FMT_CSV)
        print_csv(t, out);
    else if (fmt == FMT_JSON)
        print_json(t, out);
    else
        print_text(t, out);
}

void cli_table_free(cli_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    if (t->names)
        for (int i = 0; i < t->ncols; i++)
            free(t->names[i]);
    free(t->names);
    free(t->numeric);
    free(t);
}

int cli_list(cli_env *env, const cli_command *cmd, int argc, char **argv, int ncols,
             const char *const *names, const int *numeric,
             int (*fill)(stad_store *s, cli_table *t))
{
    int fmt = FMT_TABLE;
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1)
        if (c != 'f' || (fmt = cli_format_parse(optarg, 0)) < 0)
            return cli_usage_error(cmd, "unknown option or format");
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    cli_table *t = cli_table_new(ncols, names, numeric);
    int rc = t ? fill(s, t) : STAD_ENOMEM;
    if (rc)
        cli_error(env, rc);
    else
        cli_table_print(t, fmt, stdout);
    cli_table_free(t);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

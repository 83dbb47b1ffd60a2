/* Ingest options and batch reports for the commands that load files. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ingest_common.h"

int cli_ingest_option(int c, const char *arg, stad_ingest_opts *o)
{
    switch (c) {
    case 's': o->source = arg; return 1;
    case 'm': o->mapping_path = arg; return 1;
    case 't': o->taxonomy_path = arg; return 1;
    case 'k': o->kind = arg; return 1;
    case 'L': o->layer = arg; return 1;
    case 'T': o->area_tolerance = strtod(arg, NULL); return 1;
    case 'N': o->table = (int)strtol(arg, NULL, 10); return o->table > 0 ? 1 : 0;
    default: return 0;
    }
}

void cli_print_report(FILE *out, const char *path, const stad_ingest_report *r)
{
    if (r->unchanged) {
        fprintf(out, "%s: unchanged, already loaded as batch %" PRId64 "\n", path, r->batch_id);
        return;
    }
    fprintf(out, "%s: batch %" PRId64 ": %" PRId64 " rows read, %" PRId64 " accepted, %" PRId64
                 " rejected",
            path, r->batch_id, r->rows_read, r->accepted, r->rejected);
    if (r->replaced_batch)
        fprintf(out, " (replaces batch %" PRId64 ")", r->replaced_batch);
    fputc('\n', out);
    if (r->columns && *r->columns)
        fprintf(out, "  columns: %s\n", r->columns);
    if (r->accepted && r->no_buurten) {
        fprintf(out, "  no buurten in the store: rows are not assigned to areas (stad areas "
                     "load FILE --level buurt)\n");
    } else if (r->accepted) {
        double pct = 100.0 * (double)(r->accepted - r->without_area) / (double)r->accepted;
        fprintf(out, "  assigned to a buurt: %" PRId64 " of %" PRId64 " (%.1f%%)\n",
                r->accepted - r->without_area, r->accepted, pct);
    }
    if (r->dates_month_first && r->dates_order_line)
        fprintf(out, "  note: dates are written month first (line %" PRId64 " shows it)\n",
                r->dates_order_line);
    if (r->dates_ambiguous && !r->dates_order_line && !r->dates_month_first)
        fprintf(out,
                "  note: %" PRId64 " rows have dates such as 03/04 that no date in the file "
                "shows to be day or month first; read day first (set date_format = mdy in "
                "a mapping's [source] if the file writes month first)\n",
                r->dates_ambiguous);
    if (r->swapped_axes)
        fprintf(out, "  note: the file's coordinate columns were swapped; stad corrected that\n");
    for (size_t i = 0; i < r->n_kinds; i++)
        fprintf(out, "  kind %-28s %" PRId64 "\n", r->kinds[i].name, r->kinds[i].n);
    for (size_t i = 0; i < r->n_unmapped; i++) {
        if (strcmp(r->unmapped[i].name, STAD_INGEST_NO_CATEGORY) == 0)
            fprintf(out, "  no category column: %" PRId64 " rows loaded as 'unmapped' (give "
                         "their kind with --kind, e.g. --kind burglary.residential)\n",
                    r->unmapped[i].n);
        else
            fprintf(out, "  unmapped category \"%s\": %" PRId64 " rows (add it to the "
                         "taxonomy)\n",
                    r->unmapped[i].name, r->unmapped[i].n);
    }
    if (r->rejected)
        fprintf(out, "  see the rejects: stad rejects %" PRId64 "\n", r->batch_id);
}

int cli_ingest_files(cli_env *env, int first, int argc, char **argv,
                     const stad_ingest_opts *o)
{
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    int status = CLI_OK;
    for (int i = first; i < argc; i++) {
        stad_ingest_report r = {0};
        int rc = stad_ingest_file(env->ctx, s, argv[i], o, &r);
        if (rc)
            status = cli_error(env, rc);
        else if (!env->quiet)
            cli_print_report(stdout, argv[i], &r);
        stad_ingest_report_free(&r);
    }
    stad_store_close(s);
    return status;
}

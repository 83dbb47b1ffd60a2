/* Key figures per area (CBS kerncijfers wijken en buurten and the like): a table with
 * one row per area code, every other column a figure. They are attached to the areas
 * already in the store as a JSON object, numbers as numbers, missing values as null. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest_internal.h"

/* Columns that carry the area code, most specific first (CBS: gwb_code_10). */
static const char *const code_columns[] = {"gwb_code_10", "gwb_code", "bu_code", "wk_code",
                                           "buurtcode", "wijkcode", "code", "regiocode"};

static int find_code_column(const ingest_reader *rd, const char *wanted)
{
    for (size_t i = 0; i < rd->ncols; i++)
        if (wanted && strcasecmp(rd->headers[i], wanted) == 0)
            return (int)i;
    if (wanted)
        return -1;
    for (size_t k = 0; k < sizeof code_columns / sizeof code_columns[0]; k++)
        for (size_t i = 0; i < rd->ncols; i++)
            if (strcasecmp(rd->headers[i], code_columns[k]) == 0)
                return (int)i;
    return -1;
}

/* CBS marks secret or unknown values with "." or -99999999 (older releases -99999998). */
static int is_missing(const char *v, double num, int numeric)
{
    while (*v == ' ')
        v++;
    return !*v || strcmp(v, ".") == 0 || (numeric && num <= -99999990.0);
}

static int row_json(const ingest_reader *rd, const ingest_row *row, int code_col,
                    stad_strbuf *out)
{
    stad_strbuf_clear(out);
    stad_strbuf_append_char(out, '{');
    int first = 1;
    for (size_t i = 0; i < rd->ncols && i < row->n; i++) {
        if ((int)i == code_col)
            continue;
        const char *v = row->field[i];
        double num = 0;
        int numeric = ingest_parse_number(v, &num) == 0 && isfinite(num);
        if (!first)
            stad_strbuf_append_char(out, ',');
        first = 0;
        stad_strbuf_append_json(out, rd->headers[i]);
        stad_strbuf_append_char(out, ':');
        if (is_missing(v, num, numeric)) {
            stad_strbuf_append(out, "null");
        } else if (numeric) {
            stad_strbuf_printf(out, "%.17g", num);
        } else {
            /* trim the padding some CBS exports carry */
            while (*v == ' ')
                v++;
            size_t n = strlen(v);
            while (n && v[n - 1] == ' ')
                n--;
            stad_strbuf tmp = STAD_STRBUF_INIT;
            stad_strbuf_append_n(&tmp, v, n);
            stad_strbuf_append_json(out, stad_strbuf_str(&tmp));
            stad_strbuf_free(&tmp);
        }
    }
    stad_strbuf_append_char(out, '}');
    return out->oom ? STAD_ENOMEM : 0;
}

int stad_ingest_area_figures(stad_ctx *ctx, stad_store *s, const char *path,
                             const char *code_column, const char *layer,
                             stad_figures_report *report)
{
    memset(report, 0, sizeof *report);
    ingest_reader *rd = NULL;
    ingest_reader_opts ro = {.layer = layer, .encoding = INGEST_ENC_AUTO};
    int rc = ingest_reader_open(ctx, path, &ro, &rd);
    if (rc)
        return rc;
    int code_col = find_code_column(rd, code_column);
    if (code_col < 0) {
        rc = stad_fail(ctx, STAD_ECOLUMNS,
                       "%s: no area code column (looked for %s; give --code-column)", path,
                       code_column ? code_column : "gwb_code_10, bu_code, wk_code, code");
        ingest_reader_close(rd);
        return rc;
    }
    stad_strbuf json = STAD_STRBUF_INIT;
    if ((rc = stad_store_begin(s)) == 0) {
        ingest_row row;
        int got;
        while ((got = ingest_reader_next(rd, &row)) == 1) {
            if ((size_t)code_col >= row.n)
                continue;
            char code[64];
            const char *v = row.field[code_col];
            while (*v == ' ')
                v++;
            size_t n = strcspn(v, " ");
            if (n == 0 || n >= sizeof code) {
                report->unmatched++;
                continue;
            }
            memcpy(code, v, n);
            code[n] = '\0';
            if ((rc = row_json(rd, &row, code_col, &json)))
                break;
            rc = stad_store_area_set_figures(s, code, json.s);
            if (rc == STAD_ENOTFOUND) {
                report->unmatched++;
                rc = 0;
                continue;
            }
            if (rc)
                break;
            report->matched++;
        }
        if (got < 0)
            rc = got;
        report->columns = rd->ncols ? rd->ncols - 1 : 0;
        if (rc)
            stad_store_rollback(s);
        else
            rc = stad_store_commit(s);
    }
    if (rc == STAD_ENOMEM)
        stad_fail(ctx, rc, "%s: out of memory", path);
    stad_strbuf_free(&json);
    ingest_reader_close(rd);
    return rc;
}

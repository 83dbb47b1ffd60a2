/* The row reader interface: CSV through the streaming reader, tables of .docx/.odt/
 * .pdf documents through ingest_doctable.c, everything else through OGR. Both hand out rows of UTF-8 text with a line number. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest_internal.h"

int ingest_path_is_csv(const char *path)
{
    static const char *const ext[] = {".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz"};
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t k = strlen(ext[i]);
        if (n > k && strcasecmp(path + n - k, ext[i]) == 0)
            return 1;
    }
    return 0;
}

int ingest_reader_open(stad_ctx *ctx, const char *path, const ingest_reader_opts *o,
                       ingest_reader **out)
{
    *out = NULL;
    if (stad_tables_path_is_document(path))
        return ingest_doc_open(ctx, path, o, out);
    if (ingest_path_is_csv(path) && !(o && o->force_ogr))
        return ingest_csv_open(ctx, path, o, out);
    return ingest_ogr_open(ctx, path, o, out);
}

int ingest_reader_next(ingest_reader *r, ingest_row *row)
{
    return r->ops->next(r, row);
}

void ingest_reader_close(ingest_reader *r)
{
    if (!r)
        return;
    if (r->ops)
        r->ops->close(r);
    for (size_t i = 0; r->headers && i < r->ncols; i++)
        free(r->headers[i]);
    free(r->headers);
    free(r->geom_crs);
    free(r->path);
    free(r);
}

int ingest_row_raw(const ingest_reader *r, const ingest_row *row, stad_strbuf *out)
{
    char delim[2] = {r->delimiter ? r->delimiter : ',', '\0'};
    for (size_t i = 0; i < row->n; i++) {
        const char *v = row->field[i];
        if (i)
            stad_strbuf_append(out, delim);
        if (strchr(v, delim[0]) || strpbrk(v, "\"\r\n")) {
            stad_strbuf_append_char(out, '"');
            for (const char *p = v; *p; p++) {
                if (*p == '"')
                    stad_strbuf_append_char(out, '"');
                stad_strbuf_append_char(out, *p);
            }
            stad_strbuf_append_char(out, '"');
        } else {
            stad_strbuf_append(out, v);
        }
    }
    return out->oom ? STAD_ENOMEM : 0;
}

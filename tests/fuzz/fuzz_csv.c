/* libFuzzer target: the streaming CSV reader (src/ingest/ingest_csv.c). Any bytes
 * either fail to open with a message or give rows whose fields are strings, at least
 * as many as the header has columns, with line numbers that only go forward, in
 * UTF-8 unless the caller said the file is UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "ingest/ingest_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[600];
    /* The first byte picks the encoding option, like a mapping file would. */
    int enc = size ? data[0] % 3 : 0;
    if (fuzz_write("in.csv", data, size, path, sizeof path))
        return 0;
    stad_ctx *ctx;
    if (stad_ctx_new(&ctx))
        return 0;
    ingest_reader_opts o = {.encoding = enc};
    ingest_reader *r = NULL;
    int rc = ingest_reader_open(ctx, path, &o, &r);
    if (rc) {
        if (r || !stad_errmsg(ctx)[0])
            abort(); /* failure must leave no reader and say why */
    } else {
        if (r->ncols == 0 || !r->headers)
            abort();
        for (size_t i = 0; i < r->ncols; i++)
            if (!r->headers[i])
                abort();
        ingest_row row;
        int64_t last = 0;
        stad_strbuf raw = STAD_STRBUF_INIT;
        while ((rc = ingest_reader_next(r, &row)) == 1) {
            if (row.n < r->ncols || row.line <= last)
                abort();
            last = row.line;
            for (size_t i = 0; i < row.n; i++)
                if (!row.field[i] || (enc != INGEST_ENC_UTF8 &&
                                      !ingest_utf8_valid(row.field[i], strlen(row.field[i]))))
                    abort(); /* auto and cp1252 always hand out UTF-8 */
            stad_strbuf_clear(&raw);
            if (ingest_row_raw(r, &row, &raw))
                abort();
        }
        if (rc < 0 && !stad_errmsg(ctx)[0])
            abort();
        stad_strbuf_free(&raw);
    }
    ingest_reader_close(r);
    stad_ctx_free(ctx);
    return 0;
}

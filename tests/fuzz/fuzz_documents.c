/* libFuzzer target: the readers of documents and spreadsheets — xlsx and ods through
 * GDAL/OGR, docx and odt through minizip and libxml2, text PDFs through poppler. The
 * first byte of the input picks the kind, the rest is the file. Any bytes either fail
 * to open with a message and no reader, or give rows whose fields are strings, at
 * least as many as the header has columns. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "ingest/ingest_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"in.xlsx", "in.ods", "in.docx", "in.odt", "in.pdf"};
    if (size < 1)
        return 0;
    const char *name = names[data[0] % (sizeof names / sizeof names[0])];
    char path[600];
    if (fuzz_write(name, data + 1, size - 1, path, sizeof path))
        return 0;
    stad_ctx *ctx;
    if (stad_ctx_new(&ctx))
        return 0;
    ingest_reader_opts o = {.encoding = INGEST_ENC_AUTO};
    ingest_reader *r = NULL;
    int rc = ingest_reader_open(ctx, path, &o, &r);
    if (rc) {
        if (r || !stad_errmsg(ctx)[0])
            abort(); /* failure must leave no reader and say why */
    } else {
        for (size_t i = 0; i < r->ncols; i++)
            if (!r->headers || !r->headers[i])
                abort();
        ingest_row row;
        size_t rows = 0;
        while ((rc = ingest_reader_next(r, &row)) == 1 && rows++ < 100000) {
            if (row.n < r->ncols)
                abort();
            for (size_t i = 0; i < row.n; i++)
                if (!row.field[i])
                    abort();
        }
        if (rc < 0 && !stad_errmsg(ctx)[0])
            abort(); /* a reader that breaks off says why */
        ingest_reader_close(r);
    }
    stad_ctx_free(ctx);
    return 0;
}

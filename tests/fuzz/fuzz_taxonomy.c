/* libFuzzer target: taxonomy files (src/ingest/ingest_taxonomy.c) and category lookup.
 * Input: the taxonomy text, then a line "----", then source categories to look up,
 * one per line as "code|text" or "text". A taxonomy that loads answers every lookup
 * with NULL or one of its own kinds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "ingest/ingest_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n_conf, n_rest;
    const uint8_t *rest;
    fuzz_split(data, size, "\n----\n", &n_conf, &rest, &n_rest);
    char path[600];
    if (fuzz_write("taxonomy.conf", data, n_conf, path, sizeof path))
        abort();
    stad_ctx *ctx;
    if (stad_ctx_new(&ctx))
        return 0;
    ingest_taxonomy *t = NULL;
    if (ingest_taxonomy_load(ctx, path, &t) != 0) {
        if (t || !stad_errmsg(ctx)[0])
            abort();
        stad_ctx_free(ctx);
        return 0;
    }
    char *lines = malloc(n_rest + 1);
    if (!lines)
        abort();
    memcpy(lines, rest, n_rest);
    lines[n_rest] = '\0';
    char *p = lines;
    while (p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        char *bar = strchr(p, '|');
        const char *code = NULL, *text = p;
        if (bar) {
            *bar = '\0';
            code = p;
            text = bar + 1;
        }
        const char *kind = ingest_taxonomy_lookup(t, code, text);
        if (kind && !ingest_taxonomy_has(t, kind))
            abort();
        p = nl ? nl + 1 : NULL;
    }
    free(lines);
    ingest_taxonomy_free(t);
    stad_ctx_free(ctx);
    return 0;
}

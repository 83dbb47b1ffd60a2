/* libFuzzer target: column synonyms and mapping files (src/ingest/ingest_columns.c).
 * Input: a configuration text, then a line "----", then a header line (comma
 * separated). The text is tried as a synonyms file (config/columns.conf) and as a
 * mapping file against the built-in synonyms; every role found must point at a
 * column of the header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "ingest/ingest_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ingest_synonyms *g_builtin;

static void check(stad_ctx *ctx, const ingest_synonyms *syn, const stad_conf *map,
                  char *const *headers, size_t n)
{
    ingest_columns c;
    int rc = ingest_columns_detect(ctx, syn, map, "fuzz.csv", headers, n, &c);
    if (rc) {
        if (!stad_errmsg(ctx)[0])
            abort();
        return;
    }
    for (int r = 0; r < INGEST_ROLE_N_; r++)
        if (c.col[r] < -1 || c.col[r] >= (int)n)
            abort();
    stad_strbuf b = STAD_STRBUF_INIT;
    if (ingest_columns_describe(&c, headers, &b))
        abort();
    stad_strbuf_free(&b);
    ingest_columns_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stad_ctx *ctx;
    if (stad_ctx_new(&ctx))
        return 0;
    if (!g_builtin) {
        stad_strbuf p = STAD_STRBUF_INIT;
        if (ingest_config_path("columns.conf", &p) ||
            ingest_synonyms_load(ctx, stad_strbuf_str(&p), &g_builtin))
            abort();
        stad_strbuf_free(&p);
    }
    size_t n_conf, n_rest;
    const uint8_t *rest;
    fuzz_split(data, size, "\n----\n", &n_conf, &rest, &n_rest);
    char path[600];
    if (fuzz_write("columns.conf", data, n_conf, path, sizeof path))
        abort();

    /* the header line, split at commas (at most 64 columns) */
    char *line = malloc(n_rest + 1);
    if (!line)
        abort();
    memcpy(line, rest, n_rest);
    line[n_rest] = '\0';
    char *headers[64];
    size_t n = 0;
    for (char *p = line; p && n < 64;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        headers[n++] = p;
        p = comma ? comma + 1 : NULL;
    }

    ingest_synonyms *syn = NULL;
    if (ingest_synonyms_load(ctx, path, &syn) == 0)
        check(ctx, syn, NULL, headers, n);
    else if (syn || !stad_errmsg(ctx)[0])
        abort();
    ingest_synonyms_free(syn);

    stad_conf *map = NULL;
    if (stad_conf_load(ctx, path, &map) == 0)
        check(ctx, g_builtin, map, headers, n);
    stad_conf_free(map);

    free(line);
    stad_ctx_free(ctx);
    return 0;
}

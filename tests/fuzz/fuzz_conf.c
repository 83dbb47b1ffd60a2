/* libFuzzer target: configuration files (taxonomy, mapping, city profiles). */
#include <stdint.h>
#include <stdlib.h>

#include "stad.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stad_ctx *ctx;
    if (stad_ctx_new(&ctx))
        return 0;
    stad_conf *c = NULL;
    if (stad_conf_parse(ctx, "fuzz.conf", (const char *)data, size, &c) == 0) {
        for (size_t i = 0; i < stad_conf_count(c); i++) {
            const stad_conf_entry *e = stad_conf_at(c, i);
            if (!e->key[0] || e->line < 1)
                abort();
            (void)stad_conf_get(c, e->section, e->key);
        }
    }
    stad_conf_free(c);
    stad_ctx_free(ctx);
    return 0;
}

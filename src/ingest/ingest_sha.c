/* SHA-256 of a file, streamed, so the same file ingested twice is recognised
 * without reading it into memory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ingest/ingest_internal.h"

int ingest_sha256_file(stad_ctx *ctx, const char *path, char hex[65])
{
    if (sodium_init() < 0)
        return stad_fail(ctx, STAD_EIO, "libsodium cannot initialise");
    FILE *f = fopen(path, "rb");
    if (!f)
        return stad_fail(ctx, STAD_EIO, "%s: cannot open: %s", path, strerror(errno));
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_hash_sha256_update(&st, buf, got);
    int err = ferror(f);
    fclose(f);
    if (err)
        return stad_fail(ctx, STAD_EIO, "%s: read error", path);
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, out);
    sodium_bin2hex(hex, 65, out, sizeof out);
    return 0;
}

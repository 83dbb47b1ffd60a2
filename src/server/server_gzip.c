/* Gzip for large responses (zlib deflate with a gzip header, RFC 1952). */
#include <stdlib.h>
#include <zlib.h>

#include "server/server_internal.h"

int srv_gzip(const char *in, size_t len, char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (len > (size_t)UINT32_MAX)
        return -1;
    z_stream z = {0};
    /* windowBits 15 + 16: a gzip wrapper instead of zlib's; level 6 is zlib's
     * balance of speed and size, right for text computed once and then cached. */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    uLong bound = deflateBound(&z, (uLong)len);
    char *buf = malloc(bound);
    if (!buf) {
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)buf;
    z.avail_out = (uInt)bound;
    int rc = deflate(&z, Z_FINISH);
    size_t n = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = n;
    return 0;
}

/* The city's CRS, as the store was made for it. */
#include <stdlib.h>
#include <string.h>

#include "stad/geo.h"

int stad_city_crs(stad_ctx *ctx, stad_store *s, char **out)
{
    *out = NULL;
    int rc = stad_store_meta_get(s, "city.crs", out);
    if (rc && rc != STAD_ENOTFOUND)
        return rc;
    if (rc || !*out || !**out) { /* a store made without one is in the default */
        free(*out);
        stad_clear_error(ctx);
        *out = strdup(STAD_CRS_DEFAULT);
        if (!*out)
            return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    }
    return 0;
}

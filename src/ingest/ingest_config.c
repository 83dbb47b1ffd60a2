/* Where ingest finds its configuration: $STAD_CONFIG_DIR, else the directory
 * compiled in (the source tree's config/ in a build, share/stad/config installed). */
#include <stdlib.h>

#include "ingest/ingest_internal.h"

#ifndef STAD_CONFIGDIR
#define STAD_CONFIGDIR "/usr/local/share/stad/config"
#endif

int ingest_config_path(const char *name, stad_strbuf *out)
{
    const char *dir = getenv("STAD_CONFIG_DIR");
    if (!dir || !*dir)
        dir = STAD_CONFIGDIR;
    stad_strbuf_clear(out);
    stad_strbuf_printf(out, "%s/%s", dir, name);
    return out->oom ? STAD_ENOMEM : 0;
}

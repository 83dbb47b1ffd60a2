/* Where ingest finds its configuration: stad_config_dir() ($STAD_CONFIG_DIR, else
 * share/stad/config beside an installed binary, else the source tree's config/). */
#include "stad/conf.h"
#include "ingest/ingest_internal.h"

int ingest_config_path(const char *name, stad_strbuf *out)
{
    stad_strbuf_clear(out);
    stad_strbuf_printf(out, "%s/%s", stad_config_dir(), name);
    return out->oom ? STAD_ENOMEM : 0;
}

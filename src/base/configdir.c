/* Where the default configuration files live. */
#include <stdlib.h>

#include "stad/conf.h"

#ifndef STAD_CONFIGDIR
#define STAD_CONFIGDIR "/usr/share/stad/config"
#endif

const char *stad_config_dir(void)
{
    const char *dir = getenv("STAD_CONFIG_DIR");
    return dir && *dir ? dir : STAD_CONFIGDIR;
}

/* Where the default configuration files and the built dashboard live.
 *
 * An installed stad finds them beside its binary (<prefix>/bin/stad ->
 * <prefix>/share/stad/{config,web}), so the same build works under /usr, /usr/local
 * or a DESTDIR; a binary in a build tree uses the source tree's, compiled in. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stad/conf.h"

#ifndef STAD_CONFIGDIR
#define STAD_CONFIGDIR "/usr/share/stad/config"
#endif
#ifndef STAD_WEBDIR
#define STAD_WEBDIR "/usr/share/stad/web"
#endif

/* Written once under pthread_once, read-only afterwards. */
static char installed_config[PATH_MAX], installed_web[PATH_MAX];
static pthread_once_t installed_once = PTHREAD_ONCE_INIT;

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void find_installed(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0'; /* <prefix>/bin */
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s/../share/stad/config", exe) < (int)sizeof buf &&
        is_dir(buf) && realpath(buf, installed_config)) {
        if (snprintf(buf, sizeof buf, "%s/../share/stad/web", exe) < (int)sizeof buf &&
            is_dir(buf) && !realpath(buf, installed_web))
            installed_web[0] = '\0';
    } else {
        installed_config[0] = '\0';
    }
}

const char *stad_config_dir(void)
{
    const char *dir = getenv("STAD_CONFIG_DIR");
    if (dir && *dir)
        return dir;
    pthread_once(&installed_once, find_installed);
    return installed_config[0] ? installed_config : STAD_CONFIGDIR;
}

const char *stad_web_dir(void)
{
    const char *dir = getenv("STAD_WEB_DIR");
    if (dir && *dir)
        return dir;
    pthread_once(&installed_once, find_installed);
    if (installed_config[0])
        return installed_web[0] ? installed_web : NULL;
    return is_dir(STAD_WEBDIR) ? STAD_WEBDIR : NULL;
}

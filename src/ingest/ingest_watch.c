/* Folder watch: every file closed after writing or moved into the folder is
 * ingested, and so is every file already there at start. A bad file is reported and
 * the watch goes on. Editors' and browsers' temporary files are ignored. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest_internal.h"

static int ignored(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.' || strncmp(name, "~$", 2) == 0 || name[n ? n - 1 : 0] == '~')
        return 1;
    static const char *const temp[] = {".tmp", ".part", ".crdownload", ".swp", ".lock"};
    for (size_t i = 0; i < sizeof temp / sizeof temp[0]; i++) {
        size_t k = strlen(temp[i]);
        if (n > k && strcasecmp(name + n - k, temp[i]) == 0)
            return 1;
    }
    return 0;
}

static void ingest_one(stad_ctx *ctx, stad_store *s, const char *dir, const char *name,
                       const stad_ingest_opts *opts, stad_watch_report_fn on_report,
                       void *user)
{
    if (ignored(name))
        return;
    stad_strbuf path = STAD_STRBUF_INIT;
    stad_strbuf_printf(&path, "%s/%s", dir, name);
    if (path.oom)
        return;
    struct stat st;
    if (stat(path.s, &st) != 0 || !S_ISREG(st.st_mode)) {
        stad_strbuf_free(&path);
        return;
    }
    stad_ingest_report rep;
    stad_clear_error(ctx);
    int rc = stad_ingest_file(ctx, s, path.s, opts, &rep);
    /* The callback reports failures itself; log them only when nobody listens. */
    if (on_report)
        on_report(user, path.s, rc, &rep);
    else if (rc)
        stad_log(ctx, STAD_LOG_ERROR, "%s", stad_errmsg(ctx));
    stad_ingest_report_free(&rep);
    stad_strbuf_free(&path);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files already in the folder, oldest name first (daily exports sort by date). */
static int ingest_existing(stad_ctx *ctx, stad_store *s, const char *dir,
                           const stad_ingest_opts *opts, stad_watch_report_fn on_report,
                           int (*stop)(void *), void *user)
{
    DIR *d = opendir(dir);
    if (!d)
        return stad_fail(ctx, STAD_EIO, "%s: cannot open folder: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (ignored(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = STAD_ENOMEM;
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = STAD_ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (!rc && n) /* names is NULL for an empty folder, and qsort wants a pointer */
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (!rc && !(stop && stop(user)))
            ingest_one(ctx, s, dir, names[i], opts, on_report, user);
        free(names[i]);
    }
    free(names);
    return rc ? stad_fail(ctx, rc, "%s: out of memory listing the folder", dir) : 0;
}

int stad_watch_dir(stad_ctx *ctx, stad_store *s, const char *dir,
                   const stad_ingest_opts *opts, stad_watch_report_fn on_report,
                   int (*stop)(void *user), void *user)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return stad_fail(ctx, STAD_EIO, "cannot watch folders: %s", strerror(errno));
    /* watch first, then list: a file arriving in between is seen twice, and the
     * second time is an unchanged no-op, rather than not at all */
    if (inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE_SELF |
                                       IN_MOVE_SELF) < 0) {
        int err = errno;
        close(fd);
        return stad_fail(ctx, STAD_EIO, "%s: cannot watch: %s", dir, strerror(err));
    }
    int rc = ingest_existing(ctx, s, dir, opts, on_report, stop, user);
    stad_log(ctx, STAD_LOG_INFO, "watching %s for new files", dir);
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    while (!rc && !(stop && stop(user))) {
        struct pollfd p = {fd, POLLIN, 0};
        int k = poll(&p, 1, 1000);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            rc = stad_fail(ctx, STAD_EIO, "%s: watch failed: %s", dir, strerror(errno));
            break;
        }
        if (k == 0)
            continue;
        ssize_t len = read(fd, buf, sizeof buf);
        if (len < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            rc = stad_fail(ctx, STAD_EIO, "%s: watch failed: %s", dir, strerror(errno));
            break;
        }
        for (char *p2 = buf; p2 < buf + len;) {
            struct inotify_event *ev = (struct inotify_event *)p2;
            p2 += sizeof *ev + ev->len;
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                rc = stad_fail(ctx, STAD_EIO, "%s: the watched folder went away", dir);
                break;
            }
            if (ev->len && (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) &&
                !(ev->mask & IN_ISDIR))
                ingest_one(ctx, s, dir, ev->name, opts, on_report, user);
            if (stop && stop(user))
                break;
        }
    }
    close(fd);
    return rc;
}

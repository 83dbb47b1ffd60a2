/* Static files of the dashboard. The path is checked twice: first for anything that
 * could walk out of the web root ("..", backslash, control characters; encoded forms
 * were refused before decoding), then the resolved real path must still lie inside
 * the root, which also catches symbolic links that point out. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/server_internal.h"

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".geojson", "application/geo+json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".csv", "text/csv; charset=utf-8"},
    {".ttl", "text/turtle; charset=utf-8"},
    {".jsonld", "application/ld+json; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
    {".wasm", "application/wasm"},
};

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcasecmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

static int path_suspect(const char *url)
{
    if (url[0] != '/')
        return 1;
    for (const char *p = url; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f || c == '\\')
            return 1;
        /* ".." as a whole segment, or anywhere: no dashboard file needs it */
        if (c == '.' && p[1] == '.')
            return 1;
        if (c == '/' && p[1] == '/')
            return 1;
    }
    return 0;
}

static enum MHD_Result not_found(srv_req *rq)
{
    srv_fail(rq, 404, NULL, "not found");
    return srv_respond_error(rq);
}

/* Serves url (already checked) from the folder root (a realpath). */
static enum MHD_Result serve_file(srv_req *rq, const char *root, const char *url)
{
    /* The query string plays no part in static files; refuse nothing for it. */
    char path[PATH_MAX];
    size_t ul = strlen(url);
    /* A folder means its index.html ("/opendata" alone is the folder too). */
    const char *tail = ul == 0 ? "/index.html" : url[ul - 1] == '/' ? "index.html" : "";
    int n = snprintf(path, sizeof path, "%s%s%s", root, url, tail);
    if (n < 0 || (size_t)n >= sizeof path) {
        srv_fail(rq, 414, NULL, "path too long");
        return srv_respond_error(rq);
    }
    char real[PATH_MAX];
    if (!realpath(path, real))
        return not_found(rq);
    size_t rl = strlen(root);
    if (strncmp(real, root, rl) != 0 || (real[rl] != '/' && real[rl] != '\0'))
        return not_found(rq); /* a link out of the root: as if it were not there */

    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return not_found(rq);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return not_found(rq);
    }
    char etag[64];
    snprintf(etag, sizeof etag, "\"f%llx-%llx\"", (unsigned long long)st.st_mtime,
             (unsigned long long)st.st_size);
    if (srv_etag_matches(rq, etag)) {
        close(fd);
        return srv_respond_304(rq, etag);
    }
    /* MHD sends the file with sendfile where it can and closes fd. */
    struct MHD_Response *r = MHD_create_response_from_fd((size_t)st.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(real));
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(rq->conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    rq->status = 200;
    return ret;
}

enum MHD_Result srv_static(srv_req *rq)
{
    stad_server *srv = rq->srv;
    const char *url = rq->url;
    if (path_suspect(url)) {
        srv_fail(rq, 400, NULL, "path refused");
        return srv_respond_error(rq);
    }
    /* Open data is public: served without a session, from its own folder. */
    if (strncmp(url, "/opendata", 9) == 0 && (url[9] == '/' || url[9] == '\0')) {
        if (!srv->opendata_root)
            return not_found(rq);
        rq->route = "/opendata/";
        return serve_file(rq, srv->opendata_root, url + 9);
    }
    if (!srv->web_root)
        return not_found(rq);
    return serve_file(rq, srv->web_root, url);
}

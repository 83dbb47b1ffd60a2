/* Starting and stopping the server: libmicrohttpd in thread-pool mode with limits
 * that keep slow or greedy clients from starving the others, and the callbacks
 * that turn a connection into a srv_req. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sodium.h>

#include "stad/opendata.h"
#include <time.h>

#include "server/server_internal.h"
#include "stad/social.h"
#include "stad/strbuf.h"

#define CONNECTION_LIMIT 512
#define PER_IP_LIMIT 64          /* a dashboard opens a handful; tests open ~25 */
#define CONNECTION_TIMEOUT 15    /* seconds of silence before a client is dropped */
#define CONNECTION_MEMORY 32768  /* request line + headers; more is 413/414/431 */

void srv_log(stad_server *srv, int level, const char *fmt, ...)
{
    if (!srv->log || level < srv->log_level)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    srv->log(srv->log_user, level, msg);
}

void stad_server_opts_init(stad_server_opts *o)
{
    memset(o, 0, sizeof *o);
    o->bind = "127.0.0.1";
    o->port = STAD_SERVER_PORT_DEFAULT;
    o->threads = 4;
    o->log_level = STAD_LOG_INFO;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Markers handed from the URI callback to the first call of the access handler:
 * whether the raw (still encoded) path hides a separator, a dot or a NUL. */
static char uri_clean, uri_suspect;

static int hex_is(const char *p, const char *code)
{
    return p[0] == '%' && (p[1] | 0x20) == code[0] && (p[2] | 0x20) == code[1];
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    for (const char *p = uri; *p && *p != '?'; p++)
        if (*p == '%' && (hex_is(p, "2e") || hex_is(p, "2f") || hex_is(p, "5c") ||
                          hex_is(p, "00")))
            return &uri_suspect;
    return &uri_clean;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    stad_server *srv = cls;
    if (*con_cls != &uri_clean && *con_cls != &uri_suspect && *con_cls != NULL) {
        /* Later calls: body chunks of a POST, then (size 0) the complete request;
         * answer it now. Answering in the first call would make MHD close the
         * connection. */
        srv_req *rq = *con_cls;
        if (*upload_data_size) {
            size_t n = *upload_data_size;
            *upload_data_size = 0;
            if (!rq->is_post || rq->body_too_big)
                return MHD_YES;
            if (rq->body_len + n > SRV_MAX_BODY) {
                rq->body_too_big = 1;
                return MHD_YES;
            }
            char *b = realloc(rq->body, rq->body_len + n + 1);
            if (!b)
                return MHD_NO;
            memcpy(b + rq->body_len, upload_data, n);
            rq->body = b;
            rq->body_len += n;
            b[rq->body_len] = '\0';
            return MHD_YES;
        }
        if (rq->body_too_big) {
            srv_fail(rq, 413, NULL, "the body is larger than %d bytes", SRV_MAX_BODY);
            return srv_respond_error(rq);
        }
        return srv_dispatch(rq);
    }
    srv_req *rq = calloc(1, sizeof *rq);
    if (!rq)
        return MHD_NO;
    rq->bad_uri = *con_cls == &uri_suspect;
    *con_cls = rq;
    rq->srv = srv;
    rq->conn = conn;
    rq->method = method;
    rq->url = url;
    rq->route = "-";
    rq->t0_ns = now_ns();

    /* Refusals go out at once, which also makes MHD drop any body and close. */
    rq->is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0 &&
        !(rq->is_post && srv_route_is_post(url))) {
        srv_fail(rq, 405, NULL, "only GET and HEAD (and POST to the API) are supported");
        return srv_respond_error(rq);
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (!rq->is_post && (te || (cl && strcmp(cl, "0") != 0))) {
        srv_fail(rq, 413, NULL, "requests with a body are not accepted");
        return srv_respond_error(rq);
    }
    if (rq->is_post) {
        /* A JSON body of known, small length: also what makes a cross-site form
         * unable to post here (it cannot send application/json without CORS). */
        const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_TYPE);
        char *end = NULL;
        unsigned long long n = cl ? strtoull(cl, &end, 10) : 0;
        if (te || !cl || end == cl || *end || n > SRV_MAX_BODY) {
            srv_fail(rq, 413, NULL, "POST needs a Content-Length of at most %d bytes",
                     SRV_MAX_BODY);
            return srv_respond_error(rq);
        }
        if (!ct || strncmp(ct, "application/json", 16) != 0) {
            srv_fail(rq, 415, NULL, "POST bodies must be application/json");
            return srv_respond_error(rq);
        }
    }
    if (rq->bad_uri) {
        srv_fail(rq, 400, NULL, "encoded dots, slashes, backslashes or NUL in the path");
        return srv_respond_error(rq);
    }
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    stad_server *srv = cls;
    srv_req *rq = *con_cls;
    if (rq == (void *)&uri_clean || rq == (void *)&uri_suspect || !rq)
        return;
    /* Method, route, status, duration: never the query, which may hold addresses. */
    double ms = (double)(now_ns() - rq->t0_ns) / 1e6;
    srv_log(srv, rq->status >= 500 ? STAD_LOG_WARN : STAD_LOG_DEBUG,
            "%s %s %d %.1f ms%s", rq->method, rq->route, rq->status, ms,
            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    stad_privacy_scope_free(rq->scope);
    if (rq->body)
        sodium_memzero(rq->body, rq->body_len); /* may hold a password */
    free(rq->body);
    free(rq->set_cookie);
    free(rq->file);
    free(rq);
    *con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    stad_server *srv = cls;
    if (!srv->log || STAD_LOG_DEBUG < srv->log_level)
        return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    srv->log(srv->log_user, STAD_LOG_DEBUG, msg);
}

/* A whole small file (PEM) as a NUL-terminated string; NULL when unreadable. */
static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    int bad = ferror(f) || !feof(f) || n == 0;
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* The read-write connection for logins, register changes and audit rows. */
static int open_writer(stad_server *srv, const char *path, stad_ctx *ctx)
{
    pthread_mutex_init(&srv->wr_mu, NULL);
    pthread_mutex_init(&srv->throttle_mu, NULL);
    if (stad_ctx_new(&srv->wr_ctx))
        return stad_fail(ctx, STAD_ENOMEM, "server: out of memory");
    stad_set_logger(srv->wr_ctx, srv->log ? srv->log_level : STAD_LOG_QUIET, srv->log,
                    srv->log_user);
    if (stad_store_open(srv->wr_ctx, path, &srv->wr))
        return stad_fail(ctx, STAD_ESTORE, "server: %s", stad_errmsg(srv->wr_ctx));
    return 0;
}

static int load_taxonomy(stad_server *srv)
{
    stad_ctx *ctx = NULL;
    if (stad_ctx_new(&ctx))
        return STAD_ENOMEM;
    stad_strbuf path = STAD_STRBUF_INIT;
    stad_strbuf_printf(&path, "%s/taxonomy.conf", stad_config_dir());
    /* Labels are a nicety: without the file the kinds go out with their slugs. */
    if (!path.oom && stad_conf_load(ctx, stad_strbuf_str(&path), &srv->taxonomy) != 0)
        srv_log(srv, STAD_LOG_WARN, "server: no kind labels: %s", stad_errmsg(ctx));
    stad_strbuf_free(&path);
    stad_ctx_free(ctx);
    return 0;
}

int stad_server_start(stad_ctx *ctx, const stad_server_opts *opts, stad_server **out)
{
    *out = NULL;
    if (!opts || !opts->store_path || !*opts->store_path)
        return stad_fail(ctx, STAD_EINVAL, "server: no store given");
    if (opts->port < 0 || opts->port > 65535)
        return stad_fail(ctx, STAD_EINVAL, "server: port %d is not 0..65535", opts->port);
    int threads = opts->threads ? opts->threads : 4;
    if (threads < 1 || threads > 16)
        return stad_fail(ctx, STAD_EINVAL, "server: threads must be 1..16, not %d", threads);

    /* The address first: a typo should fail before anything is opened. */
    const char *bind = opts->bind && *opts->bind ? opts->bind : "127.0.0.1";
    struct sockaddr_in sa4 = {0};
    struct sockaddr_in6 sa6 = {0};
    const struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (inet_pton(AF_INET, bind, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons((uint16_t)opts->port);
        sa = (const struct sockaddr *)&sa4;
    } else if (inet_pton(AF_INET6, bind, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)opts->port);
        sa = (const struct sockaddr *)&sa6;
        flags |= MHD_USE_IPv6;
    } else {
        return stad_fail(ctx, STAD_EINVAL, "server: '%s' is not an IP address", bind);
    }

    stad_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return stad_fail(ctx, STAD_ENOMEM, "server: out of memory");
    srv->log = opts->log;
    srv->log_user = opts->log_user;
    srv->log_level = opts->log_level;
    pthread_mutex_init(&srv->mon_mu, NULL);
    pthread_cond_init(&srv->mon_cv, NULL);
    pthread_mutex_init(&srv->sse_mu, NULL);
    pthread_mutex_init(&srv->extent_mu, NULL);
    int rc = 0;
    char *tls_key = NULL, *tls_cert = NULL;
    if (opts->session)
        srv->session = *opts->session;
    else
        stad_session_policy_init(&srv->session);
    srv->secure_cookies = opts->secure_cookies;
    if ((rc = open_writer(srv, opts->store_path, ctx)))
        goto fail;
    srv->has_writer = 1;

    if (opts->tls_cert || opts->tls_key) {
        if (!opts->tls_cert || !opts->tls_key) {
            rc = stad_fail(ctx, STAD_EINVAL, "server: TLS needs both a certificate and a key");
            goto fail;
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            rc = stad_fail(ctx, STAD_EINVAL, "server: this libmicrohttpd has no TLS support");
            goto fail;
        }
        /* Kept until stop: MHD holds the pointers. */
        tls_cert = srv->tls_cert = read_pem(opts->tls_cert);
        tls_key = srv->tls_key = read_pem(opts->tls_key);
        if (!tls_cert || !tls_key) {
            rc = stad_fail(ctx, STAD_EIO, "server: cannot read %s",
                           tls_cert ? opts->tls_key : opts->tls_cert);
            goto fail;
        }
        flags |= MHD_USE_TLS;
        srv->tls = 1;
        srv->secure_cookies = 1;
    }

    if (opts->web_root) {
        char real[PATH_MAX];
        struct stat st;
        if (!realpath(opts->web_root, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
            rc = stad_fail(ctx, STAD_ENOTFOUND, "server: web root %s is not a folder",
                           opts->web_root);
            goto fail;
        }
        size_t n = strlen(real);
        while (n > 1 && real[n - 1] == '/')
            real[--n] = '\0';
        srv->web_root = strdup(real);
        if (!srv->web_root) {
            rc = stad_fail(ctx, STAD_ENOMEM, "server: out of memory");
            goto fail;
        }
    }

    if (opts->social_db) {
        /* Opened read-only per request (handlers_social.c); here once so that a wrong
         * path fails now (and before the open data, which publishes its sources too). */
        stad_social_db *sdb = NULL;
        if ((rc = stad_social_db_open_readonly(ctx, opts->social_db, &sdb)))
            goto fail;
        stad_social_db_close(sdb);
        if (!(srv->social_db = strdup(opts->social_db))) {
            rc = stad_fail(ctx, STAD_ENOMEM, "server: out of memory");
            goto fail;
        }
    }

    if (opts->opendata_dir) {
        /* Publish once at start so the folder exists and is current; a city without
         * public sources still gets a folder with an empty catalogue page. */
        srv_opendata_publish(srv, ctx, NULL, opts->store_path, opts->opendata_dir);
        mkdir(opts->opendata_dir, 0755); /* an empty catalogue is still a catalogue */
        char real[PATH_MAX];
        if (!realpath(opts->opendata_dir, real)) {
            rc = stad_fail(ctx, STAD_ENOTFOUND, "server: open-data folder %s does not exist",
                           opts->opendata_dir);
            goto fail;
        }
        if (!(srv->opendata_root = strdup(real))) {
            rc = stad_fail(ctx, STAD_ENOMEM, "server: out of memory");
            goto fail;
        }
    }

    /* Open the store once here so that a bad path fails now, not per request. */
    stad_store *probe = NULL;
    rc = stad_store_open(ctx, opts->store_path, &probe);
    if (rc)
        goto fail;
    int64_t v = 0;
    stad_store_data_version(probe, &v);
    atomic_store(&srv->version, v);
    stad_store_close(probe);

    if (srv_pool_init(&srv->pool, opts->store_path, (size_t)threads + 2, opts->log,
                      opts->log_user, opts->log_level) ||
        srv_cache_new(opts->cache_bytes ? opts->cache_bytes : (size_t)64 << 20, &srv->cache) ||
        srv_sessions_new(SRV_SESSIONS_MAX, &srv->sessions) || load_taxonomy(srv) ||
        srv_audit_start(srv)) {
        rc = stad_fail(ctx, STAD_ENOMEM, "server: out of memory");
        goto fail;
    }

    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_KEY, 0, tls_key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, tls_cert},
        {MHD_OPTION_END, 0, NULL},
    };
    if (!srv->tls)
        tls_opts[0].option = MHD_OPTION_END;

    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv,
        MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
        MHD_OPTION_ARRAY, tls_opts,
        MHD_OPTION_END);
    if (!srv->daemon) {
        rc = stad_fail(ctx, STAD_EIO, "server: cannot listen on %s port %d (in use?)", bind,
                       opts->port);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? (int)info->port : opts->port;

    rc = srv_monitor_start(srv);
    if (rc) {
        rc = stad_fail(ctx, rc, "server: cannot start the version monitor");
        goto fail;
    }
    if (opts->watch_dir) {
        rc = srv_watch_start(srv, ctx, opts->watch_dir, opts->ingest);
        if (rc)
            goto fail;
    }
    srv_log(srv, STAD_LOG_DEBUG, "server: listening on %s port %d with %d threads%s", bind,
            srv->port, threads, srv->tls ? " (TLS)" : "");
    *out = srv;
    return 0;

fail:
    stad_server_stop(srv);
    return rc;
}

int stad_server_port(const stad_server *srv)
{
    return srv ? srv->port : 0;
}

void stad_server_stop(stad_server *srv)
{
    if (!srv)
        return;
    atomic_store(&srv->stopping, 1);
    srv_watch_stop(srv);
    /* Streams are suspended connections: they must be resumed and ended before
     * MHD_stop_daemon (an API rule of libmicrohttpd). */
    srv_monitor_stop(srv);
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    srv_audit_stop(srv); /* after the daemon: no request queues rows any more */
    if (srv->tls_key)
        sodium_memzero(srv->tls_key, strlen(srv->tls_key));
    free(srv->tls_key);
    free(srv->tls_cert);
    if (srv->has_writer) {
        stad_store_close(srv->wr);
        stad_ctx_free(srv->wr_ctx);
        pthread_mutex_destroy(&srv->wr_mu);
        pthread_mutex_destroy(&srv->throttle_mu);
    }
    srv_pool_destroy(&srv->pool);
    srv_cache_free(srv->cache);
    srv_sessions_free(srv->sessions);
    stad_conf_free(srv->taxonomy);
    free(srv->web_root);
    free(srv->opendata_root);
    free(srv->social_db);
    pthread_mutex_destroy(&srv->mon_mu);
    pthread_cond_destroy(&srv->mon_cv);
    pthread_mutex_destroy(&srv->sse_mu);
    pthread_mutex_destroy(&srv->extent_mu);
    free(srv);
}

/* stad server: the HTTP API of docs/api.md and the dashboard's static files.
 *
 * libmicrohttpd in thread-pool mode. Every pool thread borrows its own context and
 * read-only store connection from a small pool (SQLite connections are not shared
 * between threads); responses are cached by route, query and the store's data
 * version. With a watch folder, a thread of its own ingests new files while serving.
 *
 * Ownership: stad_server_start hands out a server released by stad_server_stop
 * (which accepts NULL). The options' strings are copied, except opts->ingest, which
 * (with its strings) must stay valid until stad_server_stop. */
#ifndef STAD_SERVER_H
#define STAD_SERVER_H

#include <stddef.h>

#include "base.h"
#include "ingest.h"
#include "privacy.h"

#define STAD_SERVER_PORT_DEFAULT 8080

typedef struct stad_server_opts {
    const char *store_path;   /* required */
    const char *bind;         /* address to listen on; NULL: "127.0.0.1" */
    int port;                 /* 1..65535, or 0 for any free port (stad_server_port) */
    const char *web_root;     /* the built dashboard; NULL: no static files (404) */
    const char *watch_dir;    /* ingest files dropped here while serving; NULL: none */
    const stad_ingest_opts *ingest; /* options for the watcher; NULL: defaults */
    int threads;              /* request threads, 1..16; 0: 4 */
    size_t cache_bytes;       /* response cache limit; 0: 64 MiB */
    stad_log_fn log;          /* request log (method, route, status, duration) and */
    void *log_user;           /* watcher messages; NULL: silent */
    int log_level;            /* STAD_LOG_*; requests are logged at DEBUG */
    /* Access (docs/privacy.md): every route but /api/health and /api/login needs a
     * session. */
    const char *tls_cert;     /* PEM certificate (chain) file: serve HTTPS; NULL: HTTP */
    const char *tls_key;      /* PEM private key file, with tls_cert */
    int secure_cookies;       /* mark cookies Secure (set by TLS; use behind a TLS proxy) */
    const stad_session_policy *session; /* NULL: stad_session_policy_init defaults */
    /* The social store (stad social import) for /api/social/...; opened read-only.
     * NULL: those routes answer 404. */
    const char *social_db;
    /* Open data (stad publish) served under /opendata/ without a session, and
     * published again after every new batch from the watched folder. NULL: none. */
    const char *opendata_dir;
} stad_server_opts;

typedef struct stad_server stad_server;

/* Fills opts with the defaults (127.0.0.1, port 8080, 4 threads). */
void stad_server_opts_init(stad_server_opts *opts);

/* Opens the store, starts listening and, with a watch folder, the watcher.
 * Errors (store cannot be opened, port in use, web root missing, TLS files
 * unreadable or TLS not in this libmicrohttpd) go to ctx. */
int stad_server_start(stad_ctx *ctx, const stad_server_opts *opts, stad_server **out);
/* The port actually bound (useful with port 0). */
int stad_server_port(const stad_server *srv);
/* Stops listening, ends open event streams and the watcher, frees everything. */
void stad_server_stop(stad_server *srv);

#endif

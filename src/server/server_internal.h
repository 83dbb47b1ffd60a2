/* Internals of the server module: the server struct, the request, and the parts
 * (pool, cache, params, JSON, static files, event stream, watcher) that the
 * server_*.c and handlers_*.c files share. Not a public header. */
#ifndef STAD_SERVER_INTERNAL_H
#define STAD_SERVER_INTERNAL_H

#include <microhttpd.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "stad/base.h"
#include "stad/conf.h"
#include "stad/privacy.h"
#include "stad/server.h"
#include "stad/store.h"

#define SRV_MAX_PARAMS 24       /* more query parameters than this: 400 */
#define SRV_GZIP_MIN 1024       /* bodies above this are gzip'ed for clients that ask */
#define SRV_MAX_SPAN_DAYS 7306  /* 20 years of 365.25 days, plus a day */
#define SRV_STATUS_REPORTS 20   /* watch reports kept for /api/status */
#define SRV_SESSIONS_MAX 4096   /* sessions kept in the session cache */

/* ---- connection pool (server_pool.c) ---------------------------------------
 * A context and a read-only store connection, borrowed by one request at a time. */
typedef struct srv_conn {
    stad_ctx *ctx;
    stad_store *store;
    /* BEGIN and ROLLBACK, prepared once: every request runs both. */
    struct sqlite3_stmt *begin, *rollback;
    struct srv_conn *next;
} srv_conn;

typedef struct srv_pool {
    pthread_mutex_t mu;
    srv_conn *free_list;
    size_t n_free, max_free;
    char *store_path;
    stad_log_fn log;
    void *log_user;
    int log_level;
} srv_pool;

int srv_pool_init(srv_pool *p, const char *store_path, size_t max_free, stad_log_fn log,
                  void *log_user, int log_level);
/* A connection, opened when none is free; NULL when the store cannot be opened
 * (the reason is logged). */
srv_conn *srv_pool_acquire(srv_pool *p);
/* Starts the request's read transaction (ended by srv_pool_release). */
void srv_conn_begin(srv_conn *c);
void srv_pool_release(srv_pool *p, srv_conn *c);
void srv_pool_destroy(srv_pool *p);

/* ---- response cache (server_cache.c, server_gzip.c) ------------------------ */
typedef struct srv_cache srv_cache;

int srv_cache_new(size_t max_bytes, srv_cache **out);
void srv_cache_free(srv_cache *c);
/* On a hit for (key, version): *body is a malloc'ed copy (the gzip'ed variant when
 * want_gzip and it has one: *gzip = 1), returns 1. A miss returns 0. */
int srv_cache_get(srv_cache *c, const char *key, int64_t version, int want_gzip,
                  char **body, size_t *len, int *gzip);
/* Stores a copy of body (and of gz when not NULL); older versions of key go. */
void srv_cache_put(srv_cache *c, const char *key, int64_t version, const char *body,
                   size_t len, const char *gz, size_t gz_len);
/* Gzip (RFC 1952) of in; *out is malloc'ed. Returns 0 or -1. */
int srv_gzip(const char *in, size_t len, char **out, size_t *out_len);

/* ---- session cache (server_sessions.c) --------------------------------------
 * Sessions the store accepted, by the digest of their token, with the caller's scope
 * once computed. Entries are valid for one access generation (stad_store_versions):
 * a get with another generation empties the cache, so a change by any process counts
 * from the next request on. Bounded (least recently used entries go); thread-safe. */
typedef struct srv_sessions srv_sessions;

int srv_sessions_new(size_t max_entries, srv_sessions **out);
void srv_sessions_free(srv_sessions *c);
/* 1 on a hit at generation gen whose row passes stad_privacy_session_usable at now:
 * *ss is filled (its last_seen moved to now when *touch is set), *scope is a copy of
 * the cached scope (the caller's) or NULL when none is cached yet. 0 otherwise; an
 * entry that fails the rule is dropped. gen < 0 never hits. */
int srv_sessions_get(srv_sessions *c, const unsigned char digest[STAD_TOKEN_DIGEST_LEN],
                     int64_t gen, const stad_session_policy *pol, int64_t now,
                     stad_session_state *ss, stad_scope **scope, int *touch);
/* Keeps a session read from the store at generation gen (ignored when the cache has
 * moved to another generation meanwhile). */
void srv_sessions_put(srv_sessions *c, const unsigned char digest[STAD_TOKEN_DIGEST_LEN],
                      int64_t gen, const stad_session_state *ss);
/* Keeps a copy of the session's scope with its entry, if the entry is still there. */
void srv_sessions_put_scope(srv_sessions *c, const unsigned char digest[STAD_TOKEN_DIGEST_LEN],
                            int64_t gen, const stad_scope *scope);
void srv_sessions_drop(srv_sessions *c, const unsigned char digest[STAD_TOKEN_DIGEST_LEN]);
/* Hits and misses so far and the entries held (tests, logs). */
void srv_sessions_counts(srv_sessions *c, uint64_t *hits, uint64_t *misses, size_t *n);

/* ---- open data (server_opendata.c) -------------------------------------------- */
/* Publishes the open data into dir (with store s, or a connection of its own to
 * store_path when s is NULL); failures are logged, never fatal. */
void srv_opendata_publish(stad_server *srv, stad_ctx *ctx, stad_store *s,
                          const char *store_path, const char *dir);

/* ---- watch reports (server_watch.c) ---------------------------------------- */
typedef struct srv_report {
    char *file;    /* base name */
    int ok;
    char *message;
    int64_t batch_id;
    int64_t time;  /* unix seconds */
} srv_report;

typedef struct srv_watch {
    pthread_t thread;
    int running;
    char *dir;
    stad_ctx *ctx;       /* the watcher thread's own */
    stad_store *store;   /* read-write, the watcher thread's own */
    stad_ingest_opts opts;
    int has_opts;
    pthread_mutex_t mu;  /* guards the fields below */
    int64_t files;
    srv_report reports[SRV_STATUS_REPORTS]; /* ring, newest at (next - 1) */
    size_t next, n;
    char *fatal;         /* the watch stopped with this error */
} srv_watch;

/* ---- event streams (server_sse.c) ------------------------------------------ */
typedef struct srv_sse srv_sse;

/* ---- access (server_auth.c, server_audit.c) -------------------------------- */
#define SRV_COOKIE "stad_session"
#define SRV_CSRF_HEADER "X-CSRF-Token"
#define SRV_MAX_BODY 16384      /* POST bodies (JSON) larger than this: 413 */
#define SRV_THROTTLE_SLOTS 512  /* client addresses remembered for login back-off */

typedef struct srv_throttle_slot {
    char addr[48];
    int failures;
    int64_t last_failure;
} srv_throttle_slot;

typedef struct srv_audit srv_audit; /* queue of audit rows and session touches */

/* ---- the server ------------------------------------------------------------ */
struct stad_server {
    struct MHD_Daemon *daemon;
    int port;
    char *web_root;        /* realpath, no trailing slash; NULL = no static files */
    char *social_db;       /* path of the social store; NULL = no social routes */
    char *opendata_root;   /* realpath of the open-data folder; NULL = /opendata/ is 404 */
    srv_pool pool;
    srv_cache *cache;
    srv_sessions *sessions;
    stad_conf *taxonomy;   /* kind labels; NULL when unreadable */
    stad_log_fn log;
    void *log_user;
    int log_level;

    atomic_int stopping;
    atomic_llong version;  /* data version as last seen by the monitor */

    /* Monitor: polls the data version each second, wakes event streams. */
    pthread_t monitor;
    int monitor_running;
    pthread_mutex_t mon_mu;
    pthread_cond_t mon_cv;

    pthread_mutex_t sse_mu; /* guards the stream list */
    srv_sse *sse;
    size_t n_sse;

    /* The city's extent in WGS84 for bbox checks, per data version. */
    pthread_mutex_t extent_mu;
    int64_t extent_version;
    int has_extent;
    double extent[4];

    int has_watch;
    srv_watch watch;

    /* Access: the session policy, cookies, the one read-write connection (logins,
     * register changes, audit rows) and the audit writer. */
    stad_session_policy session;
    int secure_cookies;
    int tls;
    char *tls_key, *tls_cert; /* PEM text, kept while the daemon runs */
    int has_writer;        /* wr_mu, throttle_mu initialised */
    pthread_mutex_t wr_mu;
    stad_ctx *wr_ctx;
    stad_store *wr;
    srv_audit *audit;
    pthread_mutex_t throttle_mu;
    srv_throttle_slot throttle[SRV_THROTTLE_SLOTS];
};

/* Logs through the server's logger (thread-safe as long as the logger is). */
void srv_log(stad_server *srv, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- a request ------------------------------------------------------------- */
typedef struct srv_kv {
    const char *key, *value; /* owned by MHD, valid during the request */
} srv_kv;

typedef struct srv_req {
    stad_server *srv;
    struct MHD_Connection *conn;
    const char *method, *url;
    int64_t t0_ns;
    int status;             /* what was answered, for the log */
    int bad_uri;            /* the raw URI had an encoded separator or NUL */
    const char *route;      /* for the log: the route path or "static" */
    srv_kv params[SRV_MAX_PARAMS];
    size_t n_params;
    int too_many_params;
    int nul_in_params;      /* a decoded key or value held a NUL (would be cut short) */
    /* set while a data handler runs */
    stad_ctx *ctx;
    stad_store *store;
    int64_t version;
    int64_t auth_gen;       /* access generation read with version; -1 = unknown */
    /* access, set by srv_authorize */
    int authed;
    stad_principal who;
    stad_scope *scope;      /* owned by the request */
    char token[STAD_TOKEN_LEN + 1]; /* session cookie when valid, else "" */
    int64_t rows;           /* rows returned, for the audit log; -1 = unknown */
    /* POST body (JSON), collected before dispatch */
    int is_post;
    char *body;
    size_t body_len;
    int body_too_big;
    int retry_after;        /* seconds, for a 429 */
    char *set_cookie;       /* Set-Cookie header to send, malloc'ed */
    /* a SRV_FILE route's answer: the bytes (malloc'ed, freed with the request), their
     * type and the file name offered for saving */
    char *file;
    size_t file_len;
    const char *file_type;
    char file_name[96];
    /* error to answer */
    int err_status;
    char err_param[64];     /* "" = none */
    char err_msg[256];
} srv_req;

/* Records an error answer (status 4xx/5xx, parameter name or NULL) and returns -1. */
int srv_fail(srv_req *rq, int status, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Records a 500 for a failed library call: the context's message goes to the log,
 * the client gets a generic message. Returns -1. */
int srv_fail_internal(srv_req *rq, const char *what);

/* ---- query parameters (server_params.c) ------------------------------------ */
/* Collects the query arguments into rq->params. */
void srv_params_collect(srv_req *rq);
/* Every parameter must be in `allowed` (NULL-terminated) and appear once. */
int srv_params_check(srv_req *rq, const char *const *allowed);
/* The value of key, or NULL. */
const char *srv_param(const srv_req *rq, const char *key);
/* "k1=v1&k2=v2" sorted by key, so equal queries make equal cache keys; malloc'ed. */
char *srv_params_normalised(const srv_req *rq);
int srv_param_int(srv_req *rq, const char *key, long min, long max, long def, long *out);
int srv_param_double(srv_req *rq, const char *key, double min, double max, double def,
                     double *out);
/* One of the NULL-terminated `values`; *out = its index (def when absent). */
int srv_param_enum(srv_req *rq, const char *key, const char *const *values, int def,
                   int *out);

/* The common filter parameters (kind, from, to, area, bbox) as an event filter.
 * The filter points into fb, which lives as long as the request. */
typedef struct srv_filter_buf {
    char kinds_text[512];
    const char *kinds[32];
    char area[64];
} srv_filter_buf;
int srv_params_filter(srv_req *rq, stad_event_filter *f, srv_filter_buf *fb);
#define SRV_FILTER_PARAMS "kind", "from", "to", "area", "bbox"

/* The city's WGS84 extent for the current data version (server_extent.c);
 * 0 and *has = 0 when the store has no areas. */
int srv_city_extent(srv_req *rq, double ext[4], int *has);

/* ---- JSON (server_json.c) -------------------------------------------------- */
/* Serialises and takes ownership of j; NULL when out of memory. */
char *srv_json_dump(json_t *j, size_t *len);
/* JSON text of an error answer {"error":..,"parameter":..}; malloc'ed. */
char *srv_json_error(const char *msg, const char *param, size_t *len);
json_t *srv_json_time(int64_t t);   /* "YYYY-MM-DDTHH:MM:SS" */
json_t *srv_json_date(int64_t t);   /* "YYYY-MM-DD" */
json_t *srv_json_utc(int64_t t);    /* unix seconds as "YYYY-MM-DDTHH:MM:SSZ" */
json_t *srv_json_number(double v);  /* null for NaN and infinities */
/* A string from data or files; invalid UTF-8 bytes become '?'. NULL s -> null. */
json_t *srv_json_str(const char *s);
/* GeoJSON helpers */
json_t *srv_geojson_collection(json_t *features); /* steals features */
json_t *srv_geojson_feature(json_t *geometry, json_t *properties); /* steals both */
json_t *srv_geojson_point(double lon, double lat);

/* ---- answering (server_respond.c) ------------------------------------------ */
/* Queues a response with body (copied) and the usual headers. etag may be NULL. */
enum MHD_Result srv_respond(srv_req *rq, int status, const char *ctype, const char *body,
                            size_t len, int gzip, const char *etag, int no_store);
/* Queues the error recorded by srv_fail. */
enum MHD_Result srv_respond_error(srv_req *rq);
enum MHD_Result srv_respond_304(srv_req *rq, const char *etag);
/* 1 when the client's If-None-Match lists etag (or is "*"). */
int srv_etag_matches(srv_req *rq, const char *etag);
/* 1 when the client accepts gzip. */
int srv_accepts_gzip(srv_req *rq);
uint32_t srv_fnv1a(const char *s, uint32_t h);
#define SRV_FNV_INIT 2166136261u
#define SRV_CT_JSON "application/json; charset=utf-8"
#define SRV_CT_GEOJSON "application/geo+json; charset=utf-8"

/* ---- routes (server_router.c, handlers_*.c) -------------------------------- */
typedef int (*srv_handler)(srv_req *rq, json_t **out);

enum {
    SRV_DATA = 1,    /* reads the store: ETag, 304 and cache by data version */
    SRV_GEOJSON = 2, /* answers application/geo+json */
    SRV_NOCACHE = 4, /* computed each time (state outside the data version) */
    SRV_POST = 8,    /* POST with a JSON body and the CSRF header; changes state */
    SRV_PUBLIC = 16, /* answers without a session (health, login) */
    SRV_FILE = 32,   /* answers a file (rq->file), not JSON: a download */
};

/* One row per route. `action` is what the caller must be allowed (privacy.h);
 * a route without SRV_PUBLIC always needs a session. */
typedef struct srv_route {
    const char *path;
    srv_handler fn;
    int flags;
    const char *const *params; /* allowed query parameters, NULL-terminated */
    stad_privacy_action action;
} srv_route;
/* The route table (for the authorisation matrix test). */
const srv_route *srv_routes(size_t *n);
/* 1 when url is a route that takes POST. */
int srv_route_is_post(const char *url);

/* Reads rq->version and rq->auth_gen from rq->store (in the request's transaction);
 * -1 with a 500 recorded. */
int srv_read_versions(srv_req *rq);
/* THE access check of every route: reads the session cookie, checks the session
 * (in the session cache at rq->auth_gen, else in the store), the route's action for
 * the caller's roles, the CSRF token on POST, and puts the caller's scope (readable
 * sources) in rq->scope. Call srv_read_versions first. -1 with 401/403 recorded. */
int srv_authorize(srv_req *rq, const srv_route *r);
/* Ends the session of token in the store (the caller holds wr_mu) and drops it from
 * the session cache; 0 or a STAD_E* code. */
int srv_session_end(stad_server *srv, const char *token, int64_t now);
/* Applies rq->scope to an event filter (fails closed without one). */
void srv_scope_filter(srv_req *rq, stad_event_filter *f);
/* Client address as text. */
void srv_client_addr(srv_req *rq, char *buf, size_t size);
/* Login back-off per client address. */
int64_t srv_throttle_wait(stad_server *srv, const char *addr, int64_t now);
void srv_throttle_note(stad_server *srv, const char *addr, int ok, int64_t now);
/* The request's JSON body (object) or -1 with a 400 recorded. */
int srv_body_json(srv_req *rq, json_t **out);

/* Audit queue: rows are written by a thread of their own in batches, so a request
 * never waits for the write lock; stop flushes what is queued. */
int srv_audit_start(stad_server *srv);
void srv_audit_stop(stad_server *srv);
/* Queues an audit row for this request (actor, route, query, scope, rows). */
void srv_audit_request(srv_req *rq, const char *action, const char *outcome);
/* Queues a last-seen update of the request's session. */
void srv_audit_touch(stad_server *srv, const char *token);
/* Waits until everything queued so far is written (tests, logout). */
void srv_audit_flush(stad_server *srv);

int srv_h_login(srv_req *rq, json_t **out);
int srv_h_logout(srv_req *rq, json_t **out);
int srv_h_session(srv_req *rq, json_t **out);
int srv_h_register(srv_req *rq, json_t **out);
int srv_h_register_set(srv_req *rq, json_t **out);
int srv_h_register_approve(srv_req *rq, json_t **out);
int srv_h_audit(srv_req *rq, json_t **out);
int srv_h_users(srv_req *rq, json_t **out);

enum MHD_Result srv_dispatch(srv_req *rq);
enum MHD_Result srv_static(srv_req *rq);
enum MHD_Result srv_sse_start(srv_req *rq);

int srv_h_health(srv_req *rq, json_t **out);
int srv_h_meta(srv_req *rq, json_t **out);
int srv_h_areas(srv_req *rq, json_t **out);
int srv_h_events(srv_req *rq, json_t **out);
int srv_h_stats(srv_req *rq, json_t **out);
int srv_h_trend(srv_req *rq, json_t **out);
int srv_h_status(srv_req *rq, json_t **out);
int srv_h_change(srv_req *rq, json_t **out);
int srv_h_hotspots(srv_req *rq, json_t **out);
int srv_h_kde(srv_req *rq, json_t **out);
int srv_h_flexteam(srv_req *rq, json_t **out);
int srv_h_forecast(srv_req *rq, json_t **out);  /* handlers_predict.c */
int srv_h_backtest(srv_req *rq, json_t **out);
int srv_h_social_meta(srv_req *rq, json_t **out); /* handlers_social.c */
int srv_h_social_analyse(srv_req *rq, json_t **out);
int srv_h_social_holder_meta(srv_req *rq, json_t **out);
int srv_h_social_holder(srv_req *rq, json_t **out);
int srv_h_bikes_plan(srv_req *rq, json_t **out);     /* handlers_bikes.c */
int srv_h_bikes_followup(srv_req *rq, json_t **out);
int srv_h_bikes_record(srv_req *rq, json_t **out);
int srv_h_bikes_sheet(srv_req *rq, json_t **out);

/* Area id -> code lookups for one request (handlers_areas.c). */
typedef struct srv_area_codes {
    int64_t *ids;
    char **codes;
    size_t n;
} srv_area_codes;
int srv_area_codes_load(srv_req *rq, srv_area_codes *ac);
const char *srv_area_code(const srv_area_codes *ac, int64_t id); /* NULL when none */
void srv_area_codes_free(srv_area_codes *ac);

/* ---- event streams and the version monitor (server_sse.c) ------------------ */
int srv_monitor_start(stad_server *srv);
/* Ends every stream and the monitor; call before MHD_stop_daemon. */
void srv_monitor_stop(stad_server *srv);

/* ---- watcher (server_watch.c) ---------------------------------------------- */
int srv_watch_start(stad_server *srv, stad_ctx *ctx, const char *dir,
                    const stad_ingest_opts *opts);
void srv_watch_stop(stad_server *srv);
/* The watch state as JSON for /api/status (null without a watcher). */
json_t *srv_watch_json(stad_server *srv);

#endif

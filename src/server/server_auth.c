/* Access to every route: the session cookie, the caller's roles against the route's
 * action, the CSRF token on state-changing requests, and the caller's scope (the
 * sources it may read), all in srv_authorize. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "server/server_internal.h"

void srv_client_addr(srv_req *rq, char *buf, size_t size)
{
    snprintf(buf, size, "?");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                  (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                  (socklen_t)size);
}

/* A client address gets more free attempts than an account: several people may
 * share one address (NAT, a proxy). */
static stad_session_policy addr_policy(const stad_server *srv)
{
    stad_session_policy p = srv->session;
    p.free_failures = 3 * srv->session.free_failures + 1;
    return p;
}

static srv_throttle_slot *slot_of(stad_server *srv, const char *addr)
{
    uint32_t h = srv_fnv1a(addr, SRV_FNV_INIT) % SRV_THROTTLE_SLOTS;
    return &srv->throttle[h];
}

int64_t srv_throttle_wait(stad_server *srv, const char *addr, int64_t now)
{
    stad_session_policy p = addr_policy(srv);
    pthread_mutex_lock(&srv->throttle_mu);
    srv_throttle_slot *sl = slot_of(srv, addr);
    int64_t wait = strcmp(sl->addr, addr) == 0
                       ? stad_privacy_backoff(&p, sl->failures, sl->last_failure, now)
                       : 0;
    pthread_mutex_unlock(&srv->throttle_mu);
    return wait;
}

void srv_throttle_note(stad_server *srv, const char *addr, int ok, int64_t now)
{
    pthread_mutex_lock(&srv->throttle_mu);
    srv_throttle_slot *sl = slot_of(srv, addr);
    if (strcmp(sl->addr, addr) != 0) {
        /* A colliding address takes the slot over only when the old one is quiet. */
        if (ok || (sl->failures && now - sl->last_failure < srv->session.backoff_max)) {
            pthread_mutex_unlock(&srv->throttle_mu);
            return;
        }
        snprintf(sl->addr, sizeof sl->addr, "%s", addr);
        sl->failures = 0;
    }
    if (ok) {
        sl->failures = 0;
    } else {
        sl->failures++;
        sl->last_failure = now;
    }
    pthread_mutex_unlock(&srv->throttle_mu);
}

/* The value of our cookie in the Cookie header(s), copied into out (""). */
static void session_cookie(srv_req *rq, char *out, size_t size)
{
    out[0] = '\0';
    const char *v = MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, SRV_COOKIE);
    if (v && strlen(v) < size)
        snprintf(out, size, "%s", v);
}

/* A POST must come from our own pages: an Origin header, when sent, must name the
 * Host the request went to. */
static int origin_ok(srv_req *rq)
{
    const char *origin = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Origin");
    if (!origin)
        return 1;
    const char *host = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    const char *p = strstr(origin, "://");
    return host && p && strcasecmp(p + 3, host) == 0;
}

int srv_read_versions(srv_req *rq)
{
    if (stad_store_versions(rq->store, &rq->version, &rq->auth_gen))
        return srv_fail_internal(rq, "reading the data version");
    return 0;
}

int srv_session_end(stad_server *srv, const char *token, int64_t now)
{
    unsigned char digest[STAD_TOKEN_DIGEST_LEN];
    if (stad_privacy_token_digest(token, digest) == 0)
        srv_sessions_drop(srv->sessions, digest);
    /* The store's trigger also bumps the access generation: other servers on the
     * same store drop it on their next request. */
    return stad_privacy_session_end(srv->wr, token, now);
}

/* Checks the cookie's session: in the session cache at the request's access
 * generation, else in the store (then cached). On success fills rq->who and
 * rq->token and may hand over a cached scope. */
static void check_session(srv_req *rq, const char *cookie, int64_t now, stad_scope **scope)
{
    stad_server *srv = rq->srv;
    unsigned char digest[STAD_TOKEN_DIGEST_LEN];
    if (stad_privacy_token_digest(cookie, digest) != 0)
        return;
    stad_session_state ss;
    int touch = 0;
    if (!srv_sessions_get(srv->sessions, digest, rq->auth_gen, &srv->session, now, &ss, scope,
                          &touch)) {
        const char *why;
        if (stad_privacy_session_read(rq->store, cookie, &ss) != 0 ||
            !stad_privacy_session_usable(&srv->session, &ss, now, &touch, &why))
            return;
        if (touch)
            ss.last_seen = now; /* as the store will have it once touched */
        srv_sessions_put(srv->sessions, digest, rq->auth_gen, &ss);
    }
    rq->authed = 1;
    rq->who = ss.who;
    snprintf(rq->token, sizeof rq->token, "%s", cookie);
    if (touch)
        srv_audit_touch(srv, rq->token);
}

int srv_authorize(srv_req *rq, const srv_route *r)
{
    stad_server *srv = rq->srv;
    int post = (r->flags & SRV_POST) != 0;
    if (post && !origin_ok(rq))
        return srv_fail(rq, 403, NULL, "cross-origin request refused");
    char cookie[STAD_TOKEN_LEN + 8];
    session_cookie(rq, cookie, sizeof cookie);
    int64_t now = (int64_t)time(NULL);
    stad_scope *cached_scope = NULL;
    if (cookie[0])
        check_session(rq, cookie, now, &cached_scope);
    stad_clear_error(rq->ctx);
    if (r->flags & SRV_PUBLIC) {
        stad_privacy_scope_free(cached_scope);
        return 0;
    }
    if (!rq->authed)
        return srv_fail(rq, 401, NULL, "log in first");
    if (!stad_privacy_may(&rq->who, r->action)) {
        stad_privacy_scope_free(cached_scope);
        srv_audit_request(rq, "denied", "forbidden");
        return srv_fail(rq, 403, NULL, "your roles do not allow this");
    }
    if (post) {
        const char *sent =
            MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, SRV_CSRF_HEADER);
        char want[STAD_TOKEN_LEN + 1];
        stad_privacy_csrf(rq->token, want);
        if (!sent || !stad_privacy_token_equal(sent, want)) {
            stad_privacy_scope_free(cached_scope);
            srv_audit_request(rq, "denied", "csrf");
            return srv_fail(rq, 403, NULL, "missing or wrong " SRV_CSRF_HEADER);
        }
    }
    if (cached_scope) {
        rq->scope = cached_scope;
        return 0;
    }
    if (stad_privacy_scope(rq->store, &rq->who, &rq->scope))
        return srv_fail_internal(rq, "reading the source register");
    /* The scope follows from the roles and the register, both under the access
     * generation: keep it with the session. */
    unsigned char digest[STAD_TOKEN_DIGEST_LEN];
    if (stad_privacy_token_digest(rq->token, digest) == 0)
        srv_sessions_put_scope(srv->sessions, digest, rq->auth_gen, rq->scope);
    return 0;
}

void srv_scope_filter(srv_req *rq, stad_event_filter *f)
{
    /* Without a scope (a public route) the filter reads nothing. */
    stad_privacy_scope_apply(rq->scope, f);
}

int srv_body_json(srv_req *rq, json_t **out)
{
    *out = NULL;
    json_error_t err;
    json_t *j = rq->body ? json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &err)
                         : NULL;
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return srv_fail(rq, 400, NULL, "the body must be a JSON object");
    }
    *out = j;
    return 0;
}

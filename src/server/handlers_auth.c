/* POST /api/login, POST /api/logout, GET /api/session: sessions for the dashboard.
 * The token travels only in an HttpOnly, SameSite=Strict cookie; the page gets the
 * CSRF token that goes with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/server_internal.h"
#include "stad/strbuf.h"

static int set_cookie(srv_req *rq, const char *token, int64_t max_age)
{
    stad_strbuf b = STAD_STRBUF_INIT;
    stad_strbuf_printf(&b, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
                       SRV_COOKIE, token, (long long)max_age,
                       rq->srv->secure_cookies ? "; Secure" : "");
    if (b.oom) {
        stad_strbuf_free(&b);
        return srv_fail(rq, 500, NULL, "out of memory");
    }
    free(rq->set_cookie);
    rq->set_cookie = strdup(stad_strbuf_str(&b));
    stad_strbuf_free(&b);
    return rq->set_cookie ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

static json_t *session_json(const stad_principal *p, const char *token)
{
    char csrf[STAD_TOKEN_LEN + 1];
    stad_privacy_csrf(token, csrf);
    json_t *roles = json_array();
    for (const char *q = p->roles; *q;) {
        while (*q == ',' || *q == ' ')
            q++;
        size_t k = strcspn(q, ", ");
        if (k)
            json_array_append_new(roles, json_stringn(q, k));
        q += k;
    }
    return json_pack("{s:o, s:o, s:s, s:{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}}", "user",
                     srv_json_str(p->name), "roles", roles, "csrf", csrf, "may", "data",
                     stad_privacy_may(p, STAD_MAY_READ_DATA), "register",
                     stad_privacy_may(p, STAD_MAY_READ_REGISTER), "approve",
                     stad_privacy_may(p, STAD_MAY_WRITE_REGISTER), "audit",
                     stad_privacy_may(p, STAD_MAY_READ_AUDIT), "users",
                     stad_privacy_may(p, STAD_MAY_MANAGE_USERS), "social",
                     stad_privacy_may(p, STAD_MAY_READ_SOCIAL), "social_own",
                     stad_privacy_may(p, STAD_MAY_READ_SOCIAL_OWN), "campaigns",
                     stad_privacy_may(p, STAD_MAY_PLAN_CAMPAIGN));
}

int srv_h_login(srv_req *rq, json_t **out)
{
    stad_server *srv = rq->srv;
    json_t *body;
    if (srv_body_json(rq, &body))
        return -1;
    const char *name = json_string_value(json_object_get(body, "name"));
    const char *password = json_string_value(json_object_get(body, "password"));
    if (!name || !password) {
        json_decref(body);
        return srv_fail(rq, 400, NULL, "name and password are required");
    }
    char addr[48];
    srv_client_addr(rq, addr, sizeof addr);
    int64_t now = (int64_t)time(NULL);
    int64_t wait = srv_throttle_wait(srv, addr, now);
    if (wait > 0) {
        json_decref(body);
        rq->retry_after = (int)wait;
        srv_audit_request(rq, "login.throttled", "throttled");
        return srv_fail(rq, 429, NULL, "too many failed logins from here: wait %lld s",
                        (long long)wait);
    }
    /* A session that came with the request ends: the new one gets a fresh token
     * (no session fixation). */
    char token[STAD_TOKEN_LEN + 1];
    stad_principal p;
    int64_t retry = 0;
    pthread_mutex_lock(&srv->wr_mu);
    if (rq->token[0])
        srv_session_end(srv, rq->token, now);
    int rc = stad_privacy_login(srv->wr, &srv->session, "http", name, password, now, token,
                                &p, &retry);
    if (rc && rc != STAD_EDENIED && rc != STAD_EAGAIN)
        srv_log(srv, STAD_LOG_ERROR, "server: login: %s", stad_errmsg(srv->wr_ctx));
    pthread_mutex_unlock(&srv->wr_mu);
    json_decref(body);
    srv_throttle_note(srv, addr, rc == 0, now);
    if (rc == STAD_EAGAIN) {
        rq->retry_after = (int)retry;
        return srv_fail(rq, 429, NULL, "too many failed logins: wait %lld s", (long long)retry);
    }
    if (rc == STAD_EDENIED)
        return srv_fail(rq, 401, NULL, "wrong name or password, or the account is locked");
    if (rc)
        return srv_fail(rq, 500, NULL, "internal error while logging in");
    rq->token[0] = '\0';
    if (set_cookie(rq, token, srv->session.absolute_seconds))
        return -1;
    *out = session_json(&p, token);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

int srv_h_logout(srv_req *rq, json_t **out)
{
    stad_server *srv = rq->srv;
    pthread_mutex_lock(&srv->wr_mu);
    int rc = srv_session_end(srv, rq->token, (int64_t)time(NULL));
    pthread_mutex_unlock(&srv->wr_mu);
    if (rc)
        return srv_fail(rq, 500, NULL, "internal error while logging out");
    srv_audit_request(rq, "logout", "ok");
    if (set_cookie(rq, "", 0))
        return -1;
    *out = json_pack("{s:s}", "status", "logged out");
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

int srv_h_session(srv_req *rq, json_t **out)
{
    *out = session_json(&rq->who, rq->token);
    return *out ? 0 : srv_fail(rq, 500, NULL, "out of memory");
}

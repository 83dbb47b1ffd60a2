/* Answering: errors as JSON, the headers every response carries, 304s. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/server_internal.h"

/* Messages and names may echo client input: printable ASCII only, so the JSON is
 * always valid and logs cannot be forged with control characters. */
static void sanitise(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            *s = '?';
}

int srv_fail(srv_req *rq, int status, const char *param, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rq->err_msg, sizeof rq->err_msg, fmt, ap);
    va_end(ap);
    sanitise(rq->err_msg);
    rq->err_status = status;
    rq->err_param[0] = '\0';
    if (param) {
        snprintf(rq->err_param, sizeof rq->err_param, "%s", param);
        sanitise(rq->err_param);
    }
    return -1;
}

int srv_fail_internal(srv_req *rq, const char *what)
{
    /* The detail (SQL, file names) is for the log, not for the client. */
    srv_log(rq->srv, STAD_LOG_ERROR, "%s %s: %s: %s", rq->method, rq->route, what,
            rq->ctx ? stad_errmsg(rq->ctx) : "");
    return srv_fail(rq, 500, NULL, "internal error while %s", what);
}

static void common_headers(struct MHD_Response *r, const char *ctype, int no_store)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    /* no-cache: browsers keep the body but ask again with If-None-Match. */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            no_store ? "no-store" : "no-cache");
}

enum MHD_Result srv_respond(srv_req *rq, int status, const char *ctype, const char *body,
                            size_t len, int gzip, const char *etag, int no_store)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    common_headers(r, ctype, no_store);
    if (gzip)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (etag)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (status == 405)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
                                srv_route_is_post(rq->url) ? "POST" : "GET, HEAD");
    if (rq->set_cookie)
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, rq->set_cookie);
    if (status == 429 && rq->retry_after > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%d", rq->retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    if (rq->file_name[0] && status == 200) {
        /* a download: saved under its name, and never run as a page of this origin */
        char cd[160];
        snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", rq->file_name);
        MHD_add_response_header(r, "Content-Disposition", cd);
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    }
    /* Pages may not be framed (clickjacking of the register and login pages). */
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    if (status == 413 || status >= 500)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(rq->conn, (unsigned)status, r);
    MHD_destroy_response(r);
    rq->status = status;
    return ret;
}

enum MHD_Result srv_respond_error(srv_req *rq)
{
    int status = rq->err_status ? rq->err_status : 500;
    size_t len;
    char *body = srv_json_error(rq->err_msg[0] ? rq->err_msg : "internal error",
                                rq->err_param[0] ? rq->err_param : NULL, &len);
    if (!body)
        return MHD_NO;
    enum MHD_Result ret = srv_respond(rq, status, SRV_CT_JSON, body, len, 0, NULL, 1);
    free(body);
    return ret;
}

enum MHD_Result srv_respond_304(srv_req *rq, const char *etag)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    enum MHD_Result ret = MHD_queue_response(rq->conn, MHD_HTTP_NOT_MODIFIED, r);
    MHD_destroy_response(r);
    rq->status = 304;
    return ret;
}

int srv_etag_matches(srv_req *rq, const char *etag)
{
    const char *inm =
        MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (!inm)
        return 0;
    size_t n = strlen(etag);
    /* A list of tags, maybe weak (W/"..."): look for ours as a whole tag. */
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (*p == '*')
            return 1;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return 1;
        while (*p && *p != ',')
            p++;
    }
    return 0;
}

int srv_accepts_gzip(srv_req *rq)
{
    const char *ae =
        MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    if (!ae)
        return 0;
    for (const char *p = ae; (p = strstr(p, "gzip")) != NULL; p += 4) {
        const char *q = p + 4;
        while (*q == ' ')
            q++;
        if (*q != ';')
            return 1;
        /* "gzip;q=0" refuses it */
        q++;
        while (*q == ' ')
            q++;
        if (strncasecmp(q, "q=0", 3) == 0) {
            const char *d = q + 3;
            if (*d == '.')
                d++;
            while (*d == '0')
                d++;
            if (*d == '\0' || *d == ',' || *d == ' ')
                return 0;
        }
        return 1;
    }
    return 0;
}

/* libFuzzer target: JSON request bodies of every POST route, through a real stad serve
 * on 127.0.0.1 (login, logout, register changes, campaign results). Any bytes give a
 * 2xx or 4xx answer and a server that goes on answering; never a 5xx, a hang or a
 * crash. One server and one admin session per process. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "stad.h"
#include "stad/privacy.h"
#include "stad/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int port;
static char cookie[256], csrf[128];
/* The server and its context live as long as the process (reachable, not leaked). */
static stad_ctx *ctx;
static stad_server *srv;

/* Sends one request and returns the status code (0 when there was no answer). The
 * body of the answer goes into out (NUL-terminated, truncated) when out is given. */
static int request(const char *head, const uint8_t *body, size_t n, char *out, size_t out_size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct timeval tv = {30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int status = 0;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        send(fd, head, strlen(head), MSG_NOSIGNAL) == (ssize_t)strlen(head) &&
        (n == 0 || send(fd, body, n, MSG_NOSIGNAL) == (ssize_t)n)) {
        static char buf[1 << 16];
        size_t got = 0;
        ssize_t k;
        while (got < sizeof buf - 1 && (k = recv(fd, buf + got, sizeof buf - 1 - got, 0)) > 0)
            got += (size_t)k;
        buf[got] = '\0';
        if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
            status = 0;
        if (out) {
            const char *b = strstr(buf, "\r\n\r\n");
            snprintf(out, out_size, "%s", b ? b + 4 : "");
        }
        /* the Set-Cookie of the set-up login; later (fuzzed) logins are not kept */
        const char *sc = strstr(buf, "Set-Cookie: ");
        if (sc && !cookie[0]) {
            sc += 12;
            size_t l = strcspn(sc, ";\r\n");
            if (l < sizeof cookie)
                snprintf(cookie, sizeof cookie, "%.*s", (int)l, sc);
        }
    }
    close(fd);
    return status;
}

static void setup(void)
{
    if (port)
        return;
    char db[600];
    if (fuzz_path("body.db", db, sizeof db))
        abort();
    stad_store *s;
    if (stad_ctx_new(&ctx) || stad_store_open(ctx, db, &s) ||
        stad_privacy_user_add(s, "fuzz", "cli", "admin", "admin,privacy_officer,enforcer",
                              "fuzz-password-1234"))
        abort();
    stad_store_close(s);
    stad_server_opts o;
    stad_server_opts_init(&o);
    o.store_path = db;
    o.port = 0;
    o.log_level = STAD_LOG_QUIET;
    if (stad_server_start(ctx, &o, &srv))
        abort();
    port = stad_server_port(srv);
    const char *login = "{\"name\":\"admin\",\"password\":\"fuzz-password-1234\"}";
    char head[512], body[1024];
    snprintf(head, sizeof head,
             "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n",
             strlen(login));
    if (request(head, (const uint8_t *)login, strlen(login), body, sizeof body) != 200)
        abort();
    const char *c = strstr(body, "\"csrf\"");
    if (!c || sscanf(c, "\"csrf\": \"%127[^\"]\"", csrf) != 1)
        if (!c || sscanf(c, "\"csrf\":\"%127[^\"]\"", csrf) != 1)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    static const char *const routes[] = {"/api/register/set", "/api/register/approve",
                                         "/api/bikes/record", "/api/login"};
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        char head[1024];
        /* The login route gets no session, so a fuzzed login cannot end the admin's. */
        int is_login = strcmp(routes[i], "/api/login") == 0;
        snprintf(head, sizeof head,
                 "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\n%s%s%s%s%sConnection: close\r\n\r\n",
                 routes[i], size, is_login ? "" : "Cookie: ", is_login ? "" : cookie,
                 is_login ? "" : "\r\nX-CSRF-Token: ", is_login ? "" : csrf,
                 is_login ? "" : "\r\n");
        int status = request(head, data, size, NULL, 0);
        if (status < 200 || (status >= 300 && status < 400) || status >= 500) {
            fprintf(stderr, "fuzz_body: %s answered %d\n", routes[i], status);
            abort();
        }
    }
    return 0;
}

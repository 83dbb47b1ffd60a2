/* The social-domain routes of the server on a real social store: a small extract with
 * hand-chosen counts goes through the whole chain (stad pseudo -> transcrypt ->
 * import), the server opens the store read-only (--social-db), and plain sockets ask.
 *
 * The table, per wijk in 2024-01 (one child per household):
 *   A: 20 households, 5 absent     published: rate 0.25, Wilson [0.11186, 0.46870]
 *   B: 12 households, 3 absent     secondary suppression (B mends the line of C)
 *   C:  4 households, 1 absent     primary suppression (4 < 10)
 *   total 36 households, 9 absent  (Wilson [0.13750, 0.41070])
 * and in 2024-02 the 20 children of A again, 10 absent. The Wilson bounds were
 * computed by hand from the score formula with z = 1.959964. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "stad/base.h"
#include "stad/privacy.h"
#include "stad/server.h"
#include "stad/social.h"
#include "stad/store.h"

static struct {
    char dir[1024];
    char db[1100], social[1100];
    stad_ctx *ctx;
    stad_store *s;
    stad_server *srv;
    int port;
} W;

#define OK(expr)                                                              \
    do {                                                                      \
        int rc_ = (expr);                                                     \
        if (rc_ != 0)                                                         \
            fail_msg("%s -> %d: %s", #expr, rc_, stad_errmsg(W.ctx));         \
    } while (0)

static const char *const ROLES[] = {"admin", "privacy_officer", "safety_analyst", "enforcement",
                                    "enforcer", "social_policy", "source_holder", "public"};
#define N_ROLES (sizeof ROLES / sizeof ROLES[0])

/* ---- fixture ------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void path_in(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", W.dir, name);
}

/* The i-th valid BSN (eleven test) from 900000000 up, as the synthetic data does. */
static void bsn(int i, char out[10])
{
    for (long v = 90000000L + 13L * i;; v++) {
        long sum = 0, x = v;
        for (int w = 2; w <= 9; w++, x /= 10)
            sum += (x % 10) * w;
        int check = (int)(sum % 11);
        if (check < 10) {
            snprintf(out, 10, "%08d%c", (int)(v % 100000000L), (char)('0' + check));
            char norm[10];
            if (stad_bsn_check(out, norm))
                return;
        }
    }
}

static void social_fixture(void)
{
    char keys[1100], csv[1100], pol[1100], ps[1200], tc[1200], tmp[1200];
    snprintf(keys, sizeof keys, "%s/keys", W.dir);
    mkdir(keys, 0700);
    const char *kf[] = {"source-v1.key", "transcryptor-v1.key", "domain-sociaal-v1.key"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(tmp, sizeof tmp, "%s/%s", keys, kf[i]);
        unlink(tmp);
    }
    OK(stad_pseudo_keys_generate(W.ctx, keys, "sociaal", 1));
    stad_pseudo_key *sk = NULL, *tk = NULL, *dk = NULL;
    snprintf(tmp, sizeof tmp, "%s/%s", keys, kf[0]);
    OK(stad_pseudo_key_load(W.ctx, tmp, &sk));
    snprintf(tmp, sizeof tmp, "%s/%s", keys, kf[1]);
    OK(stad_pseudo_key_load(W.ctx, tmp, &tk));
    snprintf(tmp, sizeof tmp, "%s/%s", keys, kf[2]);
    OK(stad_pseudo_key_load(W.ctx, tmp, &dk));
    unlink(W.social);

    /* leerplicht: 36 children in 36 households */
    path_in(csv, sizeof csv, "leerplicht.csv");
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("bsn,postcode,huisnummer,maand,wijk,verzuim\n", f);
    for (int i = 0; i < 36; i++) {
        char b[10];
        bsn(i, b);
        const char *wijk = i < 20 ? "A" : i < 32 ? "B" : "C";
        int absent = i < 20 ? i < 5 : i < 32 ? i < 23 : i < 33;
        fprintf(f, "%s,3511AA,%d,2024-01,%s,%s\n", b, i + 1, wijk, absent ? "ja" : "nee");
        if (i < 20)
            fprintf(f, "%s,3511AA,%d,2024-02,A,%s\n", b, i + 1, i < 10 ? "ja" : "nee");
    }
    fclose(f);
    path_in(pol, sizeof pol, "leerplicht.policy");
    write_file(pol, "[policy]\nsource = leerplicht\n[columns]\nbsn = person child\n"
                    "postcode = household-postcode\nhuisnummer = household-number\n"
                    "maand = period\nwijk = keep\nverzuim = keep\n");
    /* inkomen: ten of the children's households, a source nobody is approved for */
    char icsv[1100], ipol[1100];
    path_in(icsv, sizeof icsv, "inkomen.csv");
    f = fopen(icsv, "w");
    assert_non_null(f);
    fputs("postcode,huisnummer,maand,regeling\n", f);
    for (int i = 0; i < 10; i++)
        fprintf(f, "3511AA,%d,2024-01,P\n", i + 1);
    fclose(f);
    path_in(ipol, sizeof ipol, "inkomen.policy");
    write_file(ipol, "[policy]\nsource = inkomen\n[columns]\npostcode = household-postcode\n"
                     "huisnummer = household-number\nmaand = period\nregeling = keep\n");

    const char *srcs[2][3] = {{"leerplicht", csv, pol}, {"inkomen", icsv, ipol}};
    stad_social_db *db = NULL;
    OK(stad_social_db_open(W.ctx, W.social, &db));
    for (int k = 0; k < 2; k++) {
        stad_pseudo_policy *p = NULL;
        stad_pseudo_report rep = {0};
        int64_t n = 0, rows = 0;
        snprintf(ps, sizeof ps, "%s.pseudo.csv", srcs[k][1]);
        snprintf(tc, sizeof tc, "%s.tc.csv", srcs[k][1]);
        OK(stad_pseudo_policy_load(W.ctx, srcs[k][2], &p));
        OK(stad_pseudo_file(W.ctx, sk, p, srcs[k][1], ps, &rep));
        stad_pseudo_report_free(&rep);
        stad_pseudo_policy_free(p);
        OK(stad_pseudo_transcrypt_file(W.ctx, tk, "sociaal", ps, tc, &n));
        OK(stad_social_import(db, dk, srcs[k][0], tc, &rows));
        assert_int_equal(rows, k == 0 ? 56 : 10);
    }
    stad_social_db_close(db);
    stad_pseudo_key_free(sk);
    stad_pseudo_key_free(tk);
    stad_pseudo_key_free(dk);
}

static void set_holder(const char *holder)
{
    stad_source_update u;
    stad_source_update_init(&u);
    u.holder = holder;
    OK(stad_privacy_source_set(W.s, "test", "cli", "leerplicht", &u));
}

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    const char *tmp = getenv("STAD_TMP");
    snprintf(W.dir, sizeof W.dir, "%s/server_social", tmp && *tmp ? tmp : "/tmp/stad-test");
    mkdir(tmp && *tmp ? tmp : "/tmp/stad-test", 0777);
    if (mkdir(W.dir, 0777) != 0 && errno != EEXIST)
        fail_msg("mkdir %s: %s", W.dir, strerror(errno));
    path_in(W.db, sizeof W.db, "main.db");
    path_in(W.social, sizeof W.social, "social.db");
    char side[1200];
    unlink(W.db);
    snprintf(side, sizeof side, "%s-wal", W.db);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", W.db);
    unlink(side);
    assert_int_equal(stad_ctx_new(&W.ctx), 0);
    social_fixture();

    OK(stad_store_open(W.ctx, W.db, &W.s));
    OK(stad_store_meta_set(W.s, "city.crs", "EPSG:28992"));
    int64_t id;
    OK(stad_store_source_ensure(W.s, "leerplicht", &id));
    stad_source_update u;
    stad_source_update_init(&u);
    u.holder = "source_holder"; /* the account of the holder (docs/social-dashboard.md) */
    u.purpose = "what works for whom";
    u.legal_basis = "test basis";
    u.retention_days = 730;
    u.sensitivity = "social";
    u.roles = "social_policy,source_holder";
    OK(stad_privacy_source_set(W.s, "test", "cli", "leerplicht", &u));
    OK(stad_privacy_source_approve(W.s, "test", "cli", "leerplicht", 1));
    for (size_t r = 0; r < N_ROLES; r++) {
        char pw[64];
        snprintf(pw, sizeof pw, "pw-of-%s-0123", ROLES[r]);
        OK(stad_privacy_user_add(W.s, "test", "cli", ROLES[r], ROLES[r], pw));
    }
    stad_server_opts o;
    stad_server_opts_init(&o);
    o.store_path = W.db;
    o.port = 0;
    o.threads = 2;
    o.log_level = STAD_LOG_QUIET;
    o.social_db = W.social;
    OK(stad_server_start(W.ctx, &o, &W.srv));
    W.port = stad_server_port(W.srv);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    stad_server_stop(W.srv);
    stad_store_close(W.s);
    stad_ctx_free(W.ctx);
    return 0;
}

/* ---- a small HTTP client -------------------------------------------------- */

typedef struct resp {
    int status;
    char *head, *body;
} resp;

static void resp_free(resp *r)
{
    free(r->head);
    r->head = r->body = NULL;
}

static void request(const char *req, resp *r)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)W.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    size_t len = strlen(req), off = 0;
    while (off < len) {
        ssize_t k = write(fd, req + off, len - off);
        assert_true(k > 0);
        off += (size_t)k;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        if (n + 4096 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        ssize_t k = read(fd, buf + n, cap - n - 1);
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    buf[n] = '\0';
    r->head = buf;
    r->status = 0;
    sscanf(buf, "HTTP/1.1 %d", &r->status);
    char *sep = strstr(buf, "\r\n\r\n");
    r->body = sep ? sep + 4 : buf + n;
}

static void get(const char *path, const char *cookie, resp *r)
{
    char req[2048];
    snprintf(req, sizeof req,
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: %s\r\n\r\n",
             path, cookie ? cookie : "");
    request(req, r);
}

static void login(const char *role, char *cookie, size_t size)
{
    char body[256], req[1024];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"pw-of-%s-0123\"}", role, role);
    snprintf(req, sizeof req,
             "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    resp r;
    request(req, &r);
    assert_int_equal(r.status, 200);
    const char *c = strstr(r.head, "stad_session=");
    assert_non_null(c);
    size_t k = strcspn(c, ";\r\n");
    assert_true(k < size);
    snprintf(cookie, size, "%.*s", (int)k, c);
    resp_free(&r);
}

static json_t *get_json(const char *path, const char *cookie, int want)
{
    resp r;
    get(path, cookie, &r);
    if (r.status != want)
        fail_msg("%s: %d, expected %d: %.300s", path, r.status, want, r.body);
    json_error_t e;
    json_t *j = json_loads(r.body, 0, &e);
    if (!j)
        fail_msg("%s: not JSON: %s", path, e.text);
    resp_free(&r);
    return j;
}

/* ---- tests ------------------------------------------------------------------ */

#define ANALYSE "/api/social/analyse?base=leerplicht&outcome=verzuim=ja"
#define HOLDER "/api/social/holder?outcome=verzuim=ja"

static void test_roles(void **state)
{
    (void)state;
    static const struct {
        const char *path, *allowed;
    } routes[] = {{"/api/social/meta", "social_policy"},
                  {ANALYSE "&by=wijk", "social_policy"},
                  {"/api/social/holder/meta", "source_holder"},
                  {HOLDER "&by=wijk", "source_holder"}};
    for (size_t k = 0; k < 4; k++) {
        resp r;
        get(routes[k].path, NULL, &r);
        assert_int_equal(r.status, 401);
        resp_free(&r);
    }
    for (size_t i = 0; i < N_ROLES; i++) {
        char cookie[160];
        login(ROLES[i], cookie, sizeof cookie);
        for (size_t k = 0; k < 4; k++) {
            resp r;
            get(routes[k].path, cookie, &r);
            int want = strcmp(ROLES[i], routes[k].allowed) == 0 ? 200 : 403;
            if (r.status != want)
                fail_msg("%s %s: %d, expected %d", ROLES[i], routes[k].path, r.status, want);
            resp_free(&r);
        }
    }
}

/* A suppressed cell has its labels and the flag, and nothing else. */
static void assert_suppressed(json_t *cell, const char *reason)
{
    assert_true(json_is_true(json_object_get(cell, "suppressed")));
    assert_string_equal(json_string_value(json_object_get(cell, "reason")), reason);
    assert_int_equal(json_object_size(cell), 3);
}

static void assert_cell(json_t *c, const char *wijk, json_int_t n, json_int_t k, double lo,
                        double hi)
{
    if (wijk)
        assert_string_equal(json_string_value(json_array_get(json_object_get(c, "values"), 0)),
                            wijk);
    assert_true(json_is_false(json_object_get(c, "suppressed")));
    assert_int_equal(json_integer_value(json_object_get(c, "n")), n);
    assert_int_equal(json_integer_value(json_object_get(c, "households")), n);
    assert_int_equal(json_integer_value(json_object_get(c, "successes")), k);
    assert_true(fabs(json_real_value(json_object_get(c, "rate")) - (double)k / (double)n) < 1e-6);
    assert_true(fabs(json_real_value(json_object_get(c, "lo")) - lo) < 1e-5);
    assert_true(fabs(json_real_value(json_object_get(c, "hi")) - hi) < 1e-5);
}

static void check_wijk_table(json_t *j)
{
    json_t *cells = json_object_get(j, "cells");
    assert_int_equal(json_array_size(cells), 3);
    assert_cell(json_array_get(cells, 0), "A", 20, 5, 0.1118617014, 0.4687008776);
    assert_suppressed(json_array_get(cells, 1), "secondary");
    assert_suppressed(json_array_get(cells, 2), "primary");
    assert_cell(json_object_get(j, "total"), NULL, 36, 9, 0.1375047766, 0.4107045377);
    /* the coefficient of C (4 households) is withheld as well */
    json_t *coefs = json_object_get(json_object_get(j, "model"), "coefficients");
    size_t nsup = 0;
    for (size_t i = 0; i < json_array_size(coefs); i++) {
        json_t *c = json_array_get(coefs, i);
        if (json_is_true(json_object_get(c, "suppressed"))) {
            nsup++;
            assert_null(json_object_get(c, "beta"));
            assert_string_equal(json_string_value(json_object_get(c, "name")), "wijk=C (vs A)");
        }
    }
    assert_int_equal(nsup, 1);
}

static void test_policy_view(void **state)
{
    (void)state;
    char cookie[160];
    login("social_policy", cookie, sizeof cookie);
    json_t *j = get_json(ANALYSE "&by=wijk&from=2024-01&to=2024-01", cookie, 200);
    check_wijk_table(j);
    json_decref(j);

    /* per month: 2024-01 all 36 (9 absent), 2024-02 the 20 of A (10 absent) */
    j = get_json(ANALYSE, cookie, 200);
    json_t *p = json_object_get(j, "periods");
    assert_int_equal(json_array_size(p), 2);
    json_t *feb = json_array_get(p, 1);
    assert_string_equal(json_string_value(json_object_get(feb, "previous")), "2024-01");
    double diff = json_real_value(json_object_get(feb, "diff"));
    assert_true(fabs(diff - (0.5 - 0.25)) < 1e-9);
    assert_true(json_real_value(json_object_get(feb, "lo")) < diff &&
                diff < json_real_value(json_object_get(feb, "hi")));
    json_decref(j);

    /* meta: only the registered source, and only values of >= 10 households */
    j = get_json("/api/social/meta", cookie, 200);
    json_t *srcs = json_object_get(j, "sources");
    assert_int_equal(json_array_size(srcs), 1);
    json_t *s = json_array_get(srcs, 0);
    assert_string_equal(json_string_value(json_object_get(s, "name")), "leerplicht");
    assert_int_equal(json_array_size(json_object_get(s, "linked")), 0);
    json_t *cols = json_object_get(s, "columns");
    int seen = 0;
    for (size_t i = 0; i < json_array_size(cols); i++) {
        json_t *c = json_array_get(cols, i);
        if (strcmp(json_string_value(json_object_get(c, "name")), "wijk") != 0)
            continue;
        json_t *lv = json_object_get(c, "levels");
        assert_int_equal(json_array_size(lv), 2); /* A and B; C has 4 households */
        assert_string_equal(json_string_value(json_array_get(lv, 0)), "A");
        assert_string_equal(json_string_value(json_array_get(lv, 1)), "B");
        seen = 1;
    }
    assert_true(seen);
    json_decref(j);

    /* a source not approved for the role: not as base, not linked, not in a filter */
    resp r;
    get("/api/social/analyse?base=inkomen&outcome=regeling=P", cookie, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    get(ANALYSE "&by=in_inkomen", cookie, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    get(ANALYSE "&where=in_inkomen=yes", cookie, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    /* the threshold is the server's: no parameter lowers it */
    get(ANALYSE "&by=wijk&threshold=1", cookie, &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    get(ANALYSE "&by=nosuch", cookie, &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    get("/api/social/analyse?base=leerplicht&outcome=verzuim", cookie, &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);
}

static void test_holder_view(void **state)
{
    (void)state;
    char cookie[160];
    login("source_holder", cookie, sizeof cookie);
    json_t *j = get_json(HOLDER "&by=wijk&from=2024-01&to=2024-01", cookie, 200);
    assert_string_equal(json_string_value(json_object_get(j, "base")), "leerplicht");
    check_wijk_table(j);
    json_decref(j);
    j = get_json("/api/social/holder/meta", cookie, 200);
    assert_int_equal(json_array_size(json_object_get(j, "sources")), 1);
    json_decref(j);
    resp r;
    get(HOLDER "&by=in_inkomen", cookie, &r); /* no linkage for a holder */
    assert_int_equal(r.status, 400);
    resp_free(&r);
    get("/api/social/holder?source=inkomen&outcome=regeling=P", cookie, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    /* the register decides: another holder, and this account holds nothing */
    set_holder("someone-else");
    get(HOLDER "&by=wijk", cookie, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    j = get_json("/api/social/holder/meta", cookie, 200);
    assert_int_equal(json_array_size(json_object_get(j, "sources")), 0);
    json_decref(j);
    set_holder("source_holder");
}

static void test_no_social_store(void **state)
{
    (void)state;
    stad_server_opts o;
    stad_server_opts_init(&o);
    o.store_path = W.db;
    o.port = 0;
    o.log_level = STAD_LOG_QUIET;
    o.social_db = "/nonexistent/social.db";
    stad_server *s = NULL;
    assert_int_equal(stad_server_start(W.ctx, &o, &s), STAD_ENOTFOUND);
    assert_null(s);
    o.social_db = W.db; /* the main store is not a social store */
    assert_int_equal(stad_server_start(W.ctx, &o, &s), STAD_ESCHEMA);
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_policy_view),
        cmocka_unit_test(test_holder_view),
        cmocka_unit_test(test_no_social_store),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

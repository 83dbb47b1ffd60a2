/* libFuzzer target: HTTP query parameters (src/server/server_params.c). The input is a
 * raw query string, split at '&' and '=' and percent-decoded as libmicrohttpd does;
 * the parameters then go through the checks every data route uses, against a store
 * with the Groningen wijken (for area codes and the bbox-in-city check). A bad query is
 * a 400 with a printable message, never a 500 or a crash; a good one gives a sane
 * filter. */
#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "server/server_internal.h"
#include "stad/geo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static stad_ctx *g_ctx;
static stad_store *g_store;
static stad_server g_srv;

static void setup(void)
{
    char path[600];
    if (stad_ctx_new(&g_ctx) || fuzz_path("params.db", path, sizeof path) ||
        stad_store_open(g_ctx, path, &g_store) ||
        stad_store_meta_set(g_store, "city.crs", "EPSG:28992"))
        abort();
    const char *src = getenv("STAD_SOURCE_DIR");
    if (src) {
        char wijk[1024];
        snprintf(wijk, sizeof wijk, "%s/tests/fuzz/data/groningen-wijken.geojson",
                 src);
        stad_area_load_opts o = {.level = "wijk", .city_crs = "EPSG:28992"};
        size_t n = 0;
        if (stad_areas_load_file(g_ctx, g_store, wijk, &o, &n)) {
            fprintf(stderr, "fuzz_params: %s\n", stad_errmsg(g_ctx));
            abort();
        }
    }
    pthread_mutex_init(&g_srv.extent_mu, NULL);
}

/* The message goes into a JSON answer and the log: printable, no control bytes. */
static void check_text(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            abort();
}

static const char *const ALLOWED[] = {SRV_FILTER_PARAMS, "level", "period", "page",
                                      "page_size", "cell", "bandwidth", "kernel", "fdr",
                                      "shifts", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_store)
        setup();
    char *q = malloc(size + 1);
    if (!q)
        abort();
    memcpy(q, data, size);
    q[size] = '\0';

    srv_req rq;
    memset(&rq, 0, sizeof rq);
    rq.srv = &g_srv;
    rq.method = "GET";
    rq.url = "/api/events";
    rq.route = "/api/events";
    rq.ctx = g_ctx;
    rq.store = g_store;
    rq.version = 1;
    /* a=b&c=d as MHD splits it: '&' between pairs, the first '=' in a pair, then
     * percent-decoding of key and value (MHD_http_unescape, in place). */
    for (char *p = q; p && *p;) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(p, '=');
        if (eq)
            *eq = '\0';
        /* a decoded NUL is flagged as srv_params_collect does */
        if (MHD_http_unescape(p) != strlen(p) || (eq && MHD_http_unescape(eq + 1) != strlen(eq + 1)))
            rq.nul_in_params = 1;
        if (rq.n_params >= SRV_MAX_PARAMS) {
            rq.too_many_params = 1;
            break;
        }
        rq.params[rq.n_params].key = p;
        rq.params[rq.n_params].value = eq ? eq + 1 : "";
        rq.n_params++;
        p = amp ? amp + 1 : NULL;
    }

    char *norm = srv_params_normalised(&rq);
    if (!norm)
        abort();
    free(norm);

    static const char *const levels[] = {"wijk", "buurt", NULL};
    static const char *const kernels[] = {"quartic", "gaussian", NULL};
    stad_event_filter f;
    srv_filter_buf fb;
    long page, page_size;
    double cell, fdr;
    int level, kernel;
    int rc = srv_params_check(&rq, ALLOWED);
    if (!rc)
        rc = srv_params_filter(&rq, &f, &fb);
    if (!rc)
        rc = srv_param_int(&rq, "page", 1, 1000000, 1, &page) ||
             srv_param_int(&rq, "page_size", 1, 10000, 1000, &page_size) ||
             srv_param_double(&rq, "cell", 25, 1000, 100, &cell) ||
             srv_param_double(&rq, "fdr", 0.001, 0.5, 0.05, &fdr) ||
             srv_param_enum(&rq, "level", levels, 0, &level) ||
             srv_param_enum(&rq, "kernel", kernels, 0, &kernel);
    if (rc) {
        if (rq.err_status != 400 || !rq.err_msg[0])
            abort();
        check_text(rq.err_msg);
        check_text(rq.err_param);
    } else {
        if (rq.err_status != 0 || page < 1 || page_size > 10000 || cell < 25 || fdr > 0.5)
            abort();
        if (f.has_period && f.t_min >= f.t_max)
            abort();
        if (f.n_kinds > sizeof fb.kinds / sizeof fb.kinds[0])
            abort();
        if (f.has_bbox && !(f.bbox[0] < f.bbox[2] && f.bbox[1] < f.bbox[3]))
            abort();
    }
    free(q);
    return 0;
}

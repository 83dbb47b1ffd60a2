/* The PDF route sheet (src/bikes/bikes_pdf.c), read back with stad's own PDF table
 * reader: a plan long enough to flow over pages gives one table whose rows are the
 * stops of every route in order, with street id, road class, wijk and task; the
 * columns to fill in are empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stad/bikes.h"
#include "stad/ingest.h"
#include "stad/strbuf.h"
#include "stad/timeparse.h"
#include "test_util.h"

#define N_STREETS 90

static char tmpdir[512];

/* Streets on a 10 x 9 grid, 120 m apart; road class and wijk alternate. */
static stad_bikes_streets *grid_streets(void)
{
    stad_bikes_streets *st = calloc(1, sizeof *st);
    assert_non_null(st);
    size_t n = N_STREETS;
    st->n = n;
    st->id = calloc(n, sizeof *st->id);
    double **arr[] = {&st->x, &st->y, &st->lon, &st->lat, &st->x0, &st->y0,
                      &st->x1, &st->y1, &st->length, &st->traffic};
    for (size_t k = 0; k < sizeof arr / sizeof arr[0]; k++)
        assert_non_null(*arr[k] = calloc(n, sizeof(double)));
    st->wijk = calloc(n, sizeof *st->wijk);
    st->buurt = calloc(n, sizeof *st->buurt);
    st->kind = calloc(n, sizeof *st->kind);
    for (size_t i = 0; i < n; i++) {
        st->id[i] = 1000 + (int64_t)i * 7;
        st->x[i] = 233000 + (double)(i % 10) * 120;
        st->y[i] = 582000 + (double)(i / 10) * 120;
        st->x0[i] = st->x[i] - 50;
        st->x1[i] = st->x[i] + 50;
        st->y0[i] = st->y1[i] = st->y[i];
        st->length[i] = 100;
        st->lon[i] = 6.56;
        st->lat[i] = 53.2;
        st->wijk[i] = i % 3 ? 0 : 1 + (int64_t)(i % 2);
        st->kind[i] = strdup(i % 2 ? "residential" : "tertiary");
    }
    return st;
}

/* Route 1: 50 stops, route 2: 31 stops, route 3: none. */
static stad_bikes_plan *long_plan(void)
{
    stad_bikes_plan *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->date = stad_days_from_civil(2017, 10, 2) * 86400;
    p->enforcers = 3;
    p->hours = 8;
    p->n_stops = 81;
    p->stops = calloc(p->n_stops, sizeof *p->stops);
    p->route_s = calloc(3, sizeof *p->route_s);
    p->depot_x = 233500;
    p->depot_y = 582500;
    for (size_t k = 0; k < p->n_stops; k++) {
        stad_bikes_stop *s = &p->stops[k];
        s->enforcer = k < 50 ? 0 : 1;
        s->order = (int)(k < 50 ? k + 1 : k - 49);
        s->street = (k * 37) % N_STREETS; /* 37 and 90 are coprime: all different */
        s->action = k % 9 == 4 ? STAD_BIKES_FOLLOWUP : STAD_BIKES_LABEL;
        s->expected = 1.5 + (double)(k % 5);
        s->lo = 0;
        s->hi = 3 * s->expected;
        s->arrive_s = 300.0 * (double)s->order;
        p->route_s[s->enforcer] = s->arrive_s + 600;
    }
    return p;
}

static int add_wijk(stad_store *s, const char *code, const char *name)
{
    stad_area_row a = {.level = "wijk", .code = code, .name = name};
    int64_t id;
    return stad_store_area_upsert(s, &a, &id);
}

static void test_pdf_reads_back(void **state)
{
    (void)state;
    stad_ctx *ctx = NULL;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_bikes_theme t;
    stad_bikes_theme_default(&t);
    stad_bikes_streets *st = grid_streets();
    stad_bikes_plan *p = long_plan();

    /* wijk names from a store, as the CLI and the server look them up */
    char path[600];
    snprintf(path, sizeof path, "%s/sheet.db", tmpdir);
    remove(path);
    stad_store *s = NULL;
    assert_int_equal(stad_store_open(ctx, path, &s), 0);
    assert_int_equal(add_wijk(s, "WK001", "Binnenstad"), 0);
    assert_int_equal(add_wijk(s, "WK002", "Oosterparkwijk"), 0);
    stad_bikes_area_names *wijken = NULL;
    assert_int_equal(stad_bikes_area_names_load(ctx, s, "wijk", &wijken), 0);
    assert_string_equal(stad_bikes_area_name(wijken, 1), "Binnenstad");
    assert_null(stad_bikes_area_name(wijken, 99));

    stad_strbuf b = STAD_STRBUF_INIT;
    assert_int_equal(stad_bikes_plan_pdf(ctx, &t, st, p, wijken, &b), 0);
    assert_true(b.len > 1000);
    assert_memory_equal(b.s, "%PDF-", 5);
    snprintf(path, sizeof path, "%s/sheet.pdf", tmpdir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b.s, 1, b.len, f), b.len);
    assert_int_equal(fclose(f), 0);

    stad_tables *tb = NULL;
    if (stad_tables_read(ctx, path, 1000, &tb))
        fail_msg("reading the sheet back: %s", stad_errmsg(ctx));
    /* route 1: its first page and one more; route 2: two pages; route 3: one page */
    assert_int_equal(tb->pages, 5);
    assert_int_equal(tb->n, 1);
    const stad_table_info *ti = &tb->table[0];
    static const char *const heads[] = {"stop", "tijd", "nr", "straat", "wijk", "taak",
                                        "verwacht", "labels", "verwijderd", "opmerking"};
    assert_int_equal(ti->ncols, 10);
    for (size_t c = 0; c < 10; c++)
        assert_string_equal(ti->headers[c], heads[c]);
    assert_int_equal(ti->nrows, p->n_stops);
    assert_int_equal(ti->nsample, p->n_stops);
    for (size_t k = 0; k < p->n_stops; k++) {
        const stad_bikes_stop *sp = &p->stops[k];
        char **row = ti->sample[k];
        char want[64];
        snprintf(want, sizeof want, "%d", sp->order);
        assert_string_equal(row[0], want);
        snprintf(want, sizeof want, "%lld", (long long)st->id[sp->street]);
        assert_string_equal(row[2], want);
        /* streets without a name: the road class as the dashboard says it */
        assert_string_equal(row[3], strcmp(st->kind[sp->street], "residential") ? "(buurtweg)"
                                                                               : "(woonstraat)");
        int64_t w = st->wijk[sp->street];
        assert_string_equal(row[4], w == 1 ? "Binnenstad" : w == 2 ? "Oosterparkwijk" : "-");
        assert_string_equal(row[5], sp->action == STAD_BIKES_FOLLOWUP ? "nacontrole" : "labelen");
        for (size_t c = 7; c < 10; c++)
            assert_string_equal(row[c], "");
    }
    stad_tables_free(tb);
    stad_strbuf_free(&b);
    stad_bikes_area_names_free(wijken);
    stad_store_close(s);
    free(p->stops);
    free(p->route_s);
    free(p);
    stad_bikes_streets_free(st);
    stad_ctx_free(ctx);
}

int main(void)
{
    const char *tmp = getenv("STAD_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_bikes_sheet", tmp && *tmp ? tmp : "/tmp");
    mkdir_p(tmpdir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_reads_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

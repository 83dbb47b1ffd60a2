/* Unit tests of the opendata module: which register entries may be published, and
 * the suppression of a small wijk with two buurten x two months, worked by hand in
 * the comments. The end-to-end test (tests/e2e/opendata.sh) covers the real data,
 * the metadata and the ledger. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "opendata/opendata_internal.h"

static void test_source_public(void **state)
{
    (void)state;
    stad_source_row r;
    memset(&r, 0, sizeof r);
    r.status = "approved";
    r.roles = "safety_analyst,public";
    assert_int_equal(stad_opendata_source_public(&r), 1);
    r.roles = "safety_analyst,publication"; /* not the role public */
    assert_int_equal(stad_opendata_source_public(&r), 0);
    r.roles = "public";
    r.status = "pending"; /* a pending source is never published */
    assert_int_equal(stad_opendata_source_public(&r), 0);
    r.status = NULL;
    assert_int_equal(stad_opendata_source_public(&r), 0);
}

/* areas: 0 = wijk W (id 1), 1 = buurt A (id 2), 2 = buurt B (id 3); one kind. */
static void make(od_table *t, od_area *areas, char **kinds, int64_t *u, int *sp, int *forced)
{
    memset(t, 0, sizeof *t);
    areas[0] = (od_area){1, 0, OD_WIJK, "W", "W", ""};
    areas[1] = (od_area){2, 1, OD_BUURT, "A", "A", ""};
    areas[2] = (od_area){3, 1, OD_BUURT, "B", "B", ""};
    t->areas = areas;
    t->n_areas = 3;
    t->n_months = 2;
    t->first_month = 2017 * 12;
    t->kinds = kinds;
    t->n_kinds = 1;
    t->units = u;
    t->supp = sp;
    t->forced = forced;
}

static void test_suppress_threshold(void **state)
{
    (void)state;
    stad_ctx *ctx = NULL;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    od_area areas[3];
    char *kinds[] = {"theft"};
    /* cell order: area x month. W = A + B: A = [12, 3], B = [15, 20], W = [27, 23].
     * W's cells are >= 10: published. A/m1 = 3 < 10: primary. Row A then holds one
     * hidden cell: A/m0 (12) goes (secondary); column m1 holds one: B/m1 (20); then
     * column m0 holds only A/m0 hidden: B/m0 goes too. W minus anything published
     * reveals nothing. */
    int64_t u[6] = {27, 23, 12, 3, 15, 20};
    int sp[6] = {0}, forced[6] = {0};
    od_table t;
    make(&t, areas, kinds, u, sp, forced);
    assert_int_equal(od_table_suppress(ctx, &t, 10), 0);
    int want[6] = {OD_PUBLISHED, OD_PUBLISHED, OD_SECONDARY, OD_PRIMARY, OD_SECONDARY,
                   OD_SECONDARY};
    for (int i = 0; i < 6; i++)
        assert_int_equal(sp[i], want[i]);
    char mk[8];
    od_month_key(&t, 1, mk);
    assert_string_equal(mk, "2017-02");
    stad_ctx_free(ctx);
}

static void test_suppress_ledger(void **state)
{
    (void)state;
    stad_ctx *ctx = NULL;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    od_area areas[3];
    char *kinds[] = {"theft"};
    /* A = [12, 13], B = [15, 20]: nothing under 10. The ledger refused A/m0: it is
     * hidden (ledger), and to protect it A/m1 (row A), B/m0 (column m0) and then
     * B/m1 (column m1 and row B) go as secondary. */
    int64_t u[6] = {27, 33, 12, 13, 15, 20};
    int sp[6] = {0}, forced[6] = {0, 0, 1, 0, 0, 0};
    od_table t;
    make(&t, areas, kinds, u, sp, forced);
    assert_int_equal(od_table_suppress(ctx, &t, 10), 0);
    int want[6] = {OD_PUBLISHED, OD_PUBLISHED, OD_LEDGER, OD_SECONDARY, OD_SECONDARY,
                   OD_SECONDARY};
    for (int i = 0; i < 6; i++)
        assert_int_equal(sp[i], want[i]);
    /* nothing refused: all published */
    memset(forced, 0, sizeof forced);
    assert_int_equal(od_table_suppress(ctx, &t, 10), 0);
    for (int i = 0; i < 6; i++)
        assert_int_equal(sp[i], OD_PUBLISHED);
    stad_ctx_free(ctx);
}

static void test_theme(void **state)
{
    (void)state;
    assert_int_equal(od_theme_of("complaint"), OD_COMPLAINTS);
    assert_int_equal(od_theme_of("bike"), OD_ENFORCEMENT);
    assert_int_equal(od_theme_of("theft"), OD_INCIDENTS);
    assert_int_equal(od_theme_of("burglary"), OD_INCIDENTS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_public),
        cmocka_unit_test(test_suppress_threshold),
        cmocka_unit_test(test_suppress_ledger),
        cmocka_unit_test(test_theme),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

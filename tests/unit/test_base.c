/* Unit tests of the base layer: errors, strings, arena, dates, configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stad.h"

static void test_error_table(void **state)
{
    (void)state;
    assert_string_equal(stad_strerror(STAD_ENOMEM), "out of memory");
    assert_string_equal(stad_err_name(STAD_EPARSE), "STAD_EPARSE");
    assert_string_equal(stad_strerror(0), "success");
    assert_string_equal(stad_err_name(-999), "STAD_EUNKNOWN");
}

static void test_ctx_error_message(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    assert_string_equal(stad_errmsg(ctx), "");
    assert_int_equal(stad_fail(ctx, STAD_EPARSE, "%s:%d:%d: bad", "f.csv", 3, 7), STAD_EPARSE);
    assert_string_equal(stad_errmsg(ctx), "f.csv:3:7: bad");
    stad_clear_error(ctx);
    assert_string_equal(stad_errmsg(ctx), "");
    stad_ctx_free(ctx);
    stad_ctx_free(NULL);
}

static void capture_log(void *user, int level, const char *msg)
{
    stad_strbuf *b = user;
    stad_strbuf_printf(b, "%d:%s;", level, msg);
}

static void test_log_levels(void **state)
{
    (void)state;
    stad_ctx *ctx;
    stad_strbuf b = STAD_STRBUF_INIT;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_set_logger(ctx, STAD_LOG_WARN, capture_log, &b);
    stad_log(ctx, STAD_LOG_INFO, "hidden");
    stad_log(ctx, STAD_LOG_ERROR, "shown %d", 1);
    assert_string_equal(stad_strbuf_str(&b), "3:shown 1;");
    stad_strbuf_free(&b);
    stad_ctx_free(ctx);
}

static int stop_after(void *user, const char *what, uint64_t done, uint64_t total)
{
    (void)what;
    (void)total;
    return done >= *(uint64_t *)user;
}

static void test_progress_can_stop(void **state)
{
    (void)state;
    stad_ctx *ctx;
    uint64_t limit = 10;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    assert_int_equal(stad_progress(ctx, "x", 5, 0), 0);
    stad_set_progress(ctx, stop_after, &limit);
    assert_int_equal(stad_progress(ctx, "x", 5, 20), 0);
    assert_int_equal(stad_progress(ctx, "x", 10, 20), STAD_EINTERRUPTED);
    stad_ctx_free(ctx);
}

static void test_strbuf(void **state)
{
    (void)state;
    stad_strbuf b = STAD_STRBUF_INIT;
    assert_string_equal(stad_strbuf_str(&b), "");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(stad_strbuf_printf(&b, "%d,", i), 0);
    assert_true(strncmp(stad_strbuf_str(&b), "0,1,2,", 6) == 0);
    stad_strbuf_clear(&b);
    stad_strbuf_append_csv(&b, "a,\"b\"");
    stad_strbuf_append_char(&b, ' ');
    stad_strbuf_append_csv(&b, "plain");
    stad_strbuf_append_char(&b, ' ');
    stad_strbuf_append_json(&b, "q\"\n\x01");
    assert_string_equal(stad_strbuf_str(&b), "\"a,\"\"b\"\"\" plain \"q\\\"\\n\\u0001\"");
    char *s = stad_strbuf_take(&b);
    assert_non_null(s);
    free(s);
    assert_string_equal(stad_strbuf_str(&b), "");
    stad_strbuf_free(&b);
}

static void test_arena(void **state)
{
    (void)state;
    stad_arena a;
    stad_arena_init(&a, 128);
    char *first = stad_arena_strdup(&a, "hello");
    for (int i = 0; i < 1000; i++) {
        double *d = stad_arena_alloc(&a, sizeof(double) * 3);
        assert_non_null(d);
        assert_int_equal((uintptr_t)d % _Alignof(max_align_t), 0);
        d[2] = i;
    }
    void *big = stad_arena_alloc(&a, 10000);
    assert_non_null(big);
    memset(big, 1, 10000);
    assert_string_equal(first, "hello");
    stad_arena_reset(&a);
    assert_non_null(stad_arena_alloc(&a, 16));
    stad_arena_free(&a);
}

static int64_t parse_ok(const char *s, int expect_precision)
{
    int64_t t = 0;
    int prec = 0;
    const char *why = NULL;
    int rc = stad_time_parse(s, &t, &prec, &why);
    if (rc)
        fail_msg("'%s' did not parse: %s", s, why ? why : "?");
    assert_int_equal(prec, expect_precision);
    return t;
}

static void expect_time(const char *s, const char *iso)
{
    int64_t t = parse_ok(s, strchr(iso, 'T') ? STAD_TIME_MINUTE : STAD_TIME_DAY);
    char buf[32];
    if (strchr(iso, 'T'))
        stad_time_format(t, buf, sizeof buf);
    else
        stad_date_format(t, buf, sizeof buf);
    if (strcmp(buf, iso) != 0)
        fail_msg("'%s' parsed as %s, expected %s", s, buf, iso);
}

static void test_time_formats(void **state)
{
    (void)state;
    expect_time("2017-09-20T17:30", "2017-09-20T17:30:00");
    expect_time("2017-09-20 17:30:05", "2017-09-20T17:30:05");
    expect_time("2016-01-01T01:00:00Z", "2016-01-01T01:00:00");
    expect_time("2016-01-01T01:00:00+01:00", "2016-01-01T01:00:00");
    expect_time("2017-09-20", "2017-09-20");
    expect_time("20-09-2017", "2017-09-20");
    expect_time("2-9-2017", "2017-09-02");
    expect_time("20/09/2017 17:30", "2017-09-20T17:30:00");
    expect_time("20.09.2017", "2017-09-20");
    expect_time("20 september 2017", "2017-09-20");
    expect_time("20 sept. 2017 17:30", "2017-09-20T17:30:00");
    expect_time("woensdag 20 september 2017", "2017-09-20");
    expect_time("1-mrt-2016", "2016-03-01");
    expect_time("3 Oktober 2015 09.15 uur", "2015-10-03T09:15:00");
    expect_time("20170920", "2017-09-20");
    expect_time("  2017-09-20  ", "2017-09-20");
    /* Excel serials, 1900 system. */
    expect_time("42998", "2017-09-20");
    expect_time("42998.729166666664", "2017-09-20T17:30:00");
    expect_time("42998,5", "2017-09-20T12:00:00");
    expect_time("1", "1900-01-01");
    expect_time("61", "1900-03-01");
    expect_time("109939", "2200-12-31"); /* the last day of the written year range */
}

static void expect_bad(const char *s)
{
    int64_t t;
    const char *why = NULL;
    int rc = stad_time_parse(s, &t, NULL, &why);
    if (rc == 0)
        fail_msg("'%s' parsed but should not", s);
    assert_non_null(why);
}

static void test_time_bad(void **state)
{
    (void)state;
    expect_bad("");
    expect_bad("   ");
    expect_bad("31-02-2017");
    expect_bad("29-02-2017");
    expect_bad("2017-13-01");
    expect_bad("2017-09-20 25:00");
    expect_bad("2017-09-20 12:61");
    expect_bad("gisteren");
    expect_bad("109940");  /* Excel serial of 2201-01-01: beyond written dates (fuzzer) */
    expect_bad("0109999");
    expect_bad("20 brumaire 2017");
    expect_bad("2017-09-20 17:30 extra");
    expect_bad("60");
    expect_bad("0");
    expect_bad("99999999");
    expect_bad("NULL");
    /* A leap day that exists. */
    expect_time("29-02-2016", "2016-02-29");
}

static void expect_month_first(const char *s, const char *iso)
{
    int64_t t;
    const char *why = NULL;
    if (stad_time_parse_order(s, STAD_DATE_MONTH_FIRST, &t, NULL, &why))
        fail_msg("'%s' did not parse month first: %s", s, why ? why : "?");
    char buf[32];
    stad_time_format(t, buf, sizeof buf);
    if (strcmp(buf, iso) != 0)
        fail_msg("'%s' parsed month first as %s, expected %s", s, buf, iso);
}

/* US exports: month first and a 12-hour clock. */
static void test_time_us_exports(void **state)
{
    (void)state;
    expect_month_first("01/05/2018 10:00:00 PM", "2018-01-05T22:00:00");
    expect_month_first("12/25/2017 12:00:00 AM", "2017-12-25T00:00:00");
    expect_month_first("12/25/2017 12:30 PM", "2017-12-25T12:30:00");
    expect_month_first("7/4/2017 9:05 a.m.", "2017-07-04T09:05:00");
    /* Only d-m-y style dates depend on the order. */
    expect_month_first("2017-09-20 05:00 pm", "2017-09-20T17:00:00");
    expect_month_first("20 september 2017", "2017-09-20T00:00:00");
    expect_time("20/09/2017 5:30 PM", "2017-09-20T17:30:00");
    expect_time("Jan 5, 2018 10:00 PM", "2018-01-05T22:00:00");
    expect_time("September 20, 2017", "2017-09-20");
    expect_time("sept. 20 2017 17:30", "2017-09-20T17:30:00");
    expect_bad("Jan 2018");
    expect_bad("Jan 5");
    expect_time("20-09-2017 17:30 uur", "2017-09-20T17:30:00");
    expect_bad("2017-09-20 13:00 PM");
    expect_bad("2017-09-20 00:30 PM");
    expect_bad("2017-09-20 10:00 PMX");
    int64_t t;
    assert_true(stad_time_parse_order("25/12/2017", STAD_DATE_MONTH_FIRST, &t, NULL, NULL));
    /* What a value says about its file's order. */
    assert_int_equal(stad_time_order_evidence("25/12/2017"), STAD_DATE_DAY_FIRST);
    assert_int_equal(stad_time_order_evidence("12/25/2017 1:00 PM"), STAD_DATE_MONTH_FIRST);
    assert_int_equal(stad_time_order_evidence("03/04/2017"), STAD_DATE_ORDER_EITHER);
    assert_int_equal(stad_time_order_evidence("04/04/2017"), STAD_DATE_ORDER_NONE);
    assert_int_equal(stad_time_order_evidence("2017-04-03"), STAD_DATE_ORDER_NONE);
    assert_int_equal(stad_time_order_evidence("gisteren"), STAD_DATE_ORDER_NONE);
    int32_t secs;
    assert_int_equal(stad_time_parse_clock("10:15 PM", &secs, NULL), 0);
    assert_int_equal(secs, 22 * 3600 + 15 * 60);
    assert_int_equal(stad_time_parse_clock("12:15 am", &secs, NULL), 0);
    assert_int_equal(secs, 15 * 60);
    assert_true(stad_time_parse_clock("14:15 PM", &secs, NULL) != 0);
}

static void test_clock_and_keys(void **state)
{
    (void)state;
    int32_t secs;
    assert_int_equal(stad_time_parse_clock("17:30", &secs, NULL), 0);
    assert_int_equal(secs, 17 * 3600 + 30 * 60);
    assert_int_equal(stad_time_parse_clock("0.75", &secs, NULL), 0);
    assert_int_equal(secs, 18 * 3600);
    assert_int_equal(stad_time_parse_clock("1730", &secs, NULL), 0);
    assert_int_equal(secs, 17 * 3600 + 30 * 60);
    assert_true(stad_time_parse_clock("27:00", &secs, NULL) != 0);
    char key[16];
    int64_t t = parse_ok("2017-01-01", STAD_TIME_DAY); /* a Sunday: ISO week 52 of 2016 */
    stad_time_week_key(t, key, sizeof key);
    assert_string_equal(key, "2016-W52");
    t = parse_ok("2015-12-31", STAD_TIME_DAY); /* Thursday: week 53 of 2015 */
    stad_time_week_key(t, key, sizeof key);
    assert_string_equal(key, "2015-W53");
    t = parse_ok("2017-09-20", STAD_TIME_DAY);
    stad_time_week_key(t, key, sizeof key);
    assert_string_equal(key, "2017-W38");
    stad_time_month_key(t, key, sizeof key);
    assert_string_equal(key, "2017-09");
    /* Days round-trip over four centuries, before and after 1970. */
    for (int64_t d = -200000; d < 200000; d += 37) {
        int y, m, dd;
        stad_civil_from_days(d, &y, &m, &dd);
        assert_true(stad_date_valid(y, m, dd));
        assert_int_equal(stad_days_from_civil(y, m, dd), d);
    }
}

static void test_conf(void **state)
{
    (void)state;
    stad_ctx *ctx;
    stad_conf *c;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    const char *text = "\xEF\xBB\xBF# comment\n[kinds]\ntheft.bike = Fietsdiefstal | Bicycle theft\n"
                       "\n[map]\n  Diefstal fiets = theft.bike  \r\n; other\nA72=theft.bike\n";
    assert_int_equal(stad_conf_parse(ctx, "t.conf", text, strlen(text), &c), 0);
    assert_int_equal(stad_conf_count(c), 3);
    assert_string_equal(stad_conf_get(c, "map", "diefstal FIETS"), "theft.bike");
    assert_string_equal(stad_conf_get(c, "kinds", "theft.bike"), "Fietsdiefstal | Bicycle theft");
    assert_int_equal(stad_conf_at(c, 1)->line, 6);
    assert_null(stad_conf_get(c, "map", "nothing"));
    stad_conf_free(c);

    const char *bad = "[ok]\nkey = value\nno equals sign here\n";
    assert_int_equal(stad_conf_parse(ctx, "bad.conf", bad, strlen(bad), &c), STAD_EPARSE);
    assert_string_equal(stad_errmsg(ctx), "bad.conf:3:1: expected 'key = value'");
    const char *bad2 = "[broken\n";
    assert_int_equal(stad_conf_parse(ctx, "b2.conf", bad2, strlen(bad2), &c), STAD_EPARSE);
    assert_non_null(strstr(stad_errmsg(ctx), "b2.conf:1:"));
    assert_int_equal(stad_conf_load(ctx, "/nonexistent/x.conf", &c), STAD_EIO);
    assert_non_null(strstr(stad_errmsg(ctx), "/nonexistent/x.conf"));
    stad_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_table),    cmocka_unit_test(test_ctx_error_message),
        cmocka_unit_test(test_log_levels),     cmocka_unit_test(test_progress_can_stop),
        cmocka_unit_test(test_strbuf),         cmocka_unit_test(test_arena),
        cmocka_unit_test(test_time_formats),   cmocka_unit_test(test_time_bad),
        cmocka_unit_test(test_time_us_exports),
        cmocka_unit_test(test_clock_and_keys), cmocka_unit_test(test_conf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

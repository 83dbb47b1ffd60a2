/* Unit tests of the ingest module: the pieces (encoding, CSV reader, numbers, time
 * windows, columns, taxonomy) and whole files into a store, including every kind of
 * bad input named in the issue. Real data comes from $STAD_SHARED_DATA; small
 * fixtures live in tests/data/ingest/. */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ingest/ingest_internal.h"
#include "stad/geo.h"
#include "stad/ingest.h"
#include "stad/store.h"
#include "stad/timeparse.h"

/* ---------- helpers ---------- */

static char *path_join(const char *env, const char *fallback, const char *rel)
{
    const char *dir = getenv(env);
    stad_strbuf b = STAD_STRBUF_INIT;
    stad_strbuf_printf(&b, "%s/%s", dir && *dir ? dir : fallback, rel);
    return stad_strbuf_take(&b);
}

static char *fixture(const char *name)
{
    stad_strbuf b = STAD_STRBUF_INIT;
    const char *src = getenv("STAD_SOURCE_DIR");
    stad_strbuf_printf(&b, "%s/tests/data/ingest/%s", src && *src ? src : ".", name);
    return stad_strbuf_take(&b);
}

static char *tmpfile_path(const char *name)
{
    const char *t = getenv("STAD_TMP");
    if (!t || !*t)
        t = "/tmp";
    mkdir(t, 0755);
    stad_strbuf b = STAD_STRBUF_INIT;
    stad_strbuf_printf(&b, "%s/ingest-%d-%s", t, (int)getpid(), name);
    return stad_strbuf_take(&b);
}

static char *shared(const char *rel)
{
    char *p = path_join("STAD_SHARED_DATA", "../shared/data", rel);
    if (access(p, R_OK) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

static void remove_db(const char *path)
{
    stad_strbuf b = STAD_STRBUF_INIT;
    unlink(path);
    stad_strbuf_printf(&b, "%s-wal", path);
    unlink(b.s);
    stad_strbuf_clear(&b);
    stad_strbuf_printf(&b, "%s-shm", path);
    unlink(b.s);
    stad_strbuf_free(&b);
}

static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    if (!a || !b) {
        if (a)
            fclose(a);
        if (b)
            fclose(b);
        return -1;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, a)) > 0)
        fwrite(buf, 1, n, b);
    fclose(a);
    return fclose(b);
}

static int64_t q_int(stad_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(stad_store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* "col|reason|raw" of the reject at `line` of the batch, or "" (caller frees). */
static char *reject_at(stad_store *s, int64_t batch, int64_t line)
{
    sqlite3_stmt *st = NULL;
    stad_strbuf b = STAD_STRBUF_INIT;
    if (sqlite3_prepare_v2(stad_store_db(s),
                           "SELECT col, reason, raw FROM reject WHERE batch_id = ? AND line = ?",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, batch);
        sqlite3_bind_int64(st, 2, line);
        if (sqlite3_step(st) == SQLITE_ROW)
            stad_strbuf_printf(&b, "%s|%s|%s", sqlite3_column_text(st, 0),
                               sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    return stad_strbuf_take(&b);
}

static void quiet_log(void *user, int level, const char *msg)
{
    (void)user;
    (void)level;
    (void)msg;
}

typedef struct fx {
    stad_ctx *ctx;
    stad_store *s;
    char *db;
} fx;

static char *groningen_template;

/* A store with Groningen's buurten and wijken (CBS 2017), built once and copied. */
static int build_template(void)
{
    if (groningen_template)
        return 0;
    char *buurt = shared("groningen/cbs-wijk-buurtkaart-2017/groningen_cbs_buurt2017_wgs84.geojson");
    char *wijk = shared("groningen/cbs-wijk-buurtkaart-2017/groningen_cbs_wijk2017_wgs84.geojson");
    if (!buurt || !wijk) {
        free(buurt);
        free(wijk);
        return -1;
    }
    char *db = tmpfile_path("template.db");
    remove_db(db);
    stad_ctx *ctx;
    stad_store *s;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_set_logger(ctx, STAD_LOG_ERROR, quiet_log, NULL);
    assert_int_equal(stad_store_open(ctx, db, &s), 0);
    stad_area_load_opts wo = {0}, bo = {0};
    wo.level = "wijk";
    bo.level = "buurt";
    size_t n = 0;
    int rc = stad_areas_load_file(ctx, s, wijk, &wo, &n);
    if (rc)
        fprintf(stderr, "loading wijken: %s\n", stad_errmsg(ctx));
    assert_int_equal(rc, 0);
    rc = stad_areas_load_file(ctx, s, buurt, &bo, &n);
    if (rc)
        fprintf(stderr, "loading buurten: %s\n", stad_errmsg(ctx));
    assert_int_equal(rc, 0);
    stad_store_close(s);
    stad_ctx_free(ctx);
    free(buurt);
    free(wijk);
    groningen_template = db;
    return 0;
}

static int setup_store(void **state, int with_areas, const char *city_crs)
{
    static int counter;
    fx *f = calloc(1, sizeof *f);
    char name[64];
    snprintf(name, sizeof name, "store%d.db", ++counter);
    f->db = tmpfile_path(name);
    remove_db(f->db);
    if (with_areas) {
        if (build_template() != 0) {
            free(f->db);
            free(f);
            return -1;
        }
        assert_int_equal(copy_file(groningen_template, f->db), 0);
    }
    assert_int_equal(stad_ctx_new(&f->ctx), 0);
    stad_set_logger(f->ctx, STAD_LOG_ERROR, quiet_log, NULL);
    assert_int_equal(stad_store_open(f->ctx, f->db, &f->s), 0);
    if (city_crs)
        assert_int_equal(stad_store_meta_set(f->s, "city.crs", city_crs), 0);
    *state = f;
    return 0;
}

static int setup_groningen(void **state) { return setup_store(state, 1, NULL); }
static int setup_bare(void **state) { return setup_store(state, 0, NULL); }
static int setup_cincinnati(void **state) { return setup_store(state, 0, "EPSG:32616"); }

static int teardown_store(void **state)
{
    fx *f = *state;
    if (!f)
        return 0;
    stad_store_close(f->s);
    stad_ctx_free(f->ctx);
    if (!getenv("STAD_KEEP_TMP")) /* keep the store for a look after a failure */
        remove_db(f->db);
    free(f->db);
    free(f);
    return 0;
}

/* Ingests a fixture as events; returns rc. */
static int ingest(fx *f, const char *path, stad_ingest_report *r)
{
    stad_ingest_opts o = {0};
    o.area_tolerance = -1;
    stad_clear_error(f->ctx);
    return stad_ingest_file(f->ctx, f->s, path, &o, r);
}

static int64_t kind_count(const stad_ingest_report *r, const char *kind)
{
    for (size_t i = 0; i < r->n_kinds; i++)
        if (strcmp(r->kinds[i].name, kind) == 0)
            return r->kinds[i].n;
    return 0;
}

/* ---------- pieces ---------- */

static void t_encoding(void **state)
{
    (void)state;
    assert_true(ingest_utf8_valid("Caf\xc3\xa9", 5));
    assert_false(ingest_utf8_valid("Caf\xe9", 4));
    assert_false(ingest_utf8_valid("\xc0\xaf", 2));         /* overlong */
    assert_false(ingest_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    stad_strbuf b = STAD_STRBUF_INIT;
    assert_int_equal(ingest_cp1252_to_utf8(&b, "Caf\xe9 \x80 \x93x", 9), 0);
    assert_string_equal(b.s, "Caf\xc3\xa9 \xe2\x82\xac \xe2\x80\x9cx");
    stad_strbuf_free(&b);
    assert_int_equal(ingest_encoding_from_name("Latin1"), INGEST_ENC_CP1252);
    assert_int_equal(ingest_encoding_from_name("klingon"), -1);
}

static void t_numbers(void **state)
{
    (void)state;
    double v;
    assert_int_equal(ingest_parse_number("155000,5", &v), 0);
    assert_true(v == 155000.5);
    assert_int_equal(ingest_parse_number(" 52,0907 ", &v), 0);
    assert_true(fabs(v - 52.0907) < 1e-12);
    assert_int_equal(ingest_parse_number("1.234,5", &v), 0);
    assert_true(v == 1234.5);
    assert_int_equal(ingest_parse_number("1,234.5", &v), 0);
    assert_true(v == 1234.5);
    assert_int_equal(ingest_parse_number("-84.4897306", &v), 0);
    assert_true(v == -84.4897306);
    assert_int_equal(ingest_parse_number("abc", &v), STAD_EPARSE);
    assert_int_equal(ingest_parse_number("", &v), STAD_EPARSE);
    assert_int_equal(ingest_parse_number("nan", &v), STAD_EPARSE);
    assert_int_equal(ingest_parse_number("0x10", &v), STAD_EPARSE);
}

static void t_window(void **state)
{
    (void)state;
    int64_t a, b, d = stad_days_from_civil(2017, 9, 20) * 86400;
    int col;
    const char *why;
    ingest_time_in in = {"2017-09-20T17:30", NULL, NULL, "2017-09-21T06:00", NULL, NULL, STAD_DATE_DAY_FIRST};
    assert_int_equal(ingest_parse_window(&in, &a, &b, &col, &why), 0);
    assert_true(a == d + 17 * 3600 + 1800 && b == d + 86400 + 6 * 3600);
    /* a date alone covers the day */
    ingest_time_in day = {NULL, "20-09-2017", NULL, NULL, NULL, NULL, STAD_DATE_DAY_FIRST};
    assert_int_equal(ingest_parse_window(&day, &a, &b, &col, &why), 0);
    assert_true(a == d && b == d + 86399);
    /* date + time columns, end time only (crossing midnight) */
    ingest_time_in split = {NULL, "20-09-2017", "22:00", NULL, NULL, "02:00", STAD_DATE_DAY_FIRST};
    assert_int_equal(ingest_parse_window(&split, &a, &b, &col, &why), 0);
    assert_true(a == d + 22 * 3600 && b == d + 86400 + 2 * 3600);
    /* end before begin names the end column */
    ingest_time_in rev = {"2017-09-21T06:00", NULL, NULL, "2017-09-20T17:30", NULL, NULL, STAD_DATE_DAY_FIRST};
    assert_int_equal(ingest_parse_window(&rev, &a, &b, &col, &why), STAD_ERANGE);
    assert_int_equal(col, INGEST_ROLE_TIME_TO);
    assert_string_equal(why, "end before begin");
    /* impossible date */
    ingest_time_in bad = {"31-02-2017", NULL, NULL, NULL, NULL, NULL, STAD_DATE_DAY_FIRST};
    assert_true(ingest_parse_window(&bad, &a, &b, &col, &why) < 0);
    assert_int_equal(col, INGEST_ROLE_TIME_FROM);
    assert_non_null(strstr(why, "impossible"));
    /* no date at all */
    /* month first, a 12-hour clock */
    ingest_time_in us = {"09/20/2017 05:30 PM", NULL, NULL, NULL, NULL, NULL,
                         STAD_DATE_MONTH_FIRST};
    assert_int_equal(ingest_parse_window(&us, &a, &b, &col, &why), 0);
    assert_true(a == d + 17 * 3600 + 1800);
    ingest_time_in none = {"", NULL, NULL, NULL, NULL, NULL, STAD_DATE_DAY_FIRST};
    assert_true(ingest_parse_window(&none, &a, &b, &col, &why) < 0);
}

static ingest_synonyms *load_synonyms(stad_ctx *ctx)
{
    stad_strbuf p = STAD_STRBUF_INIT;
    assert_int_equal(ingest_config_path("columns.conf", &p), 0);
    ingest_synonyms *syn = NULL;
    int rc = ingest_synonyms_load(ctx, p.s, &syn);
    if (rc)
        fprintf(stderr, "%s\n", stad_errmsg(ctx));
    assert_int_equal(rc, 0);
    stad_strbuf_free(&p);
    return syn;
}

static void t_columns(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    ingest_synonyms *syn = load_synonyms(ctx);
    char norm[64];
    ingest_header_norm(" X-co\xc3\xb6rdinaat (RD) ", norm, sizeof norm);
    assert_string_equal(norm, "x_coordinaat_rd");

    char *gro[] = {"incident_id", "bronregistratie", "incidentsoort_code", "incidentsoort",
                   "straat", "huisnummer", "postcode", "plaats", "wijk", "buurt", "begin_dag",
                   "begin_dagdeel", "begin_datumtijd", "eind_dag", "eind_dagdeel",
                   "eind_datumtijd", "kennisname_datumtijd", "x_rd", "y_rd", "lon", "lat"};
    ingest_columns c;
    assert_int_equal(ingest_columns_detect(ctx, syn, NULL, "g.csv", gro, 21, &c), 0);
    assert_int_equal(c.col[INGEST_ROLE_ID], 0);
    assert_int_equal(c.col[INGEST_ROLE_CATEGORY_CODE], 2);
    assert_int_equal(c.col[INGEST_ROLE_CATEGORY], 3);
    assert_int_equal(c.col[INGEST_ROLE_STREET], 4);
    assert_int_equal(c.col[INGEST_ROLE_HOUSE_NUMBER], 5);
    assert_int_equal(c.col[INGEST_ROLE_POSTCODE], 6);
    assert_int_equal(c.col[INGEST_ROLE_TIME_FROM], 12);
    assert_int_equal(c.col[INGEST_ROLE_TIME_TO], 15);
    assert_int_equal(c.col[INGEST_ROLE_X], 17);
    assert_int_equal(c.col[INGEST_ROLE_Y], 18);
    assert_int_equal(c.col[INGEST_ROLE_LON], 19);
    assert_int_equal(c.col[INGEST_ROLE_LAT], 20);
    assert_string_equal(c.xy_crs, "EPSG:28992");
    ingest_columns_free(&c);

    char *semi[] = {"Pleegdatum", "Pleegtijd", "Delict", "X-co\xc3\xb6rdinaat", "Y-co\xc3\xb6rdinaat"};
    assert_int_equal(ingest_columns_detect(ctx, syn, NULL, "s.csv", semi, 5, &c), 0);
    assert_int_equal(c.col[INGEST_ROLE_TIME_FROM], 0);
    assert_int_equal(c.col[INGEST_ROLE_TIME], 1);
    assert_int_equal(c.col[INGEST_ROLE_CATEGORY], 2);
    assert_int_equal(c.col[INGEST_ROLE_X], 3);
    assert_null(c.xy_crs); /* generic: the city's CRS */
    ingest_columns_free(&c);

    /* headers that name their own CRS: UTM zone and hemisphere, or an EPSG code */
    char *utm[] = {"datetime_local", "offense", "x_utm16n_m", "y_utm16n_m"};
    assert_int_equal(ingest_columns_detect(ctx, syn, NULL, "u.csv", utm, 4, &c), 0);
    assert_int_equal(c.col[INGEST_ROLE_X], 2);
    assert_int_equal(c.col[INGEST_ROLE_Y], 3);
    assert_string_equal(c.xy_crs, "EPSG:32616");
    ingest_columns_free(&c);
    char *south[] = {"date", "X UTM33S", "Y UTM33S"};
    assert_int_equal(ingest_columns_detect(ctx, syn, NULL, "s.csv", south, 3, &c), 0);
    assert_string_equal(c.xy_crs, "EPSG:32733");
    ingest_columns_free(&c);
    char *epsg[] = {"date", "x_epsg2154", "y_epsg2154"};
    assert_int_equal(ingest_columns_detect(ctx, syn, NULL, "e.csv", epsg, 3, &c), 0);
    assert_int_equal(c.col[INGEST_ROLE_X], 1);
    assert_string_equal(c.xy_crs, "EPSG:2154");
    ingest_columns_free(&c);
    char *mixed[] = {"date", "x_utm16n_m", "y_utm17n_m"}; /* no pair: not taken */
    assert_int_equal(ingest_columns_detect(ctx, syn, NULL, "m.csv", mixed, 3, &c), 0);
    assert_int_equal(c.col[INGEST_ROLE_X], -1);
    ingest_columns_free(&c);

    /* a mapping wins; a mapping naming an absent column fails with line and file */
    const char *m = "[columns]\ncategory = Bronregistratie\n[source]\ncrs = EPSG:4326\n"
                    "decimal = comma\nencoding = latin1\n";
    stad_conf *conf;
    assert_int_equal(stad_conf_parse(ctx, "map.conf", m, strlen(m), &conf), 0);
    assert_int_equal(ingest_columns_detect(ctx, syn, conf, "g.csv", gro, 21, &c), 0);
    assert_int_equal(c.col[INGEST_ROLE_CATEGORY], 1);
    assert_int_equal(c.col[INGEST_ROLE_CATEGORY_CODE], 2);
    assert_string_equal(c.crs, "EPSG:4326");
    assert_int_equal(c.decimal_comma, 1);
    assert_int_equal(c.encoding, INGEST_ENC_CP1252);
    ingest_columns_free(&c);
    stad_conf_free(conf);
    const char *m2 = "[columns]\n\ntime_from = Pleegmoment\n";
    assert_int_equal(stad_conf_parse(ctx, "map2.conf", m2, strlen(m2), &conf), 0);
    assert_int_equal(ingest_columns_detect(ctx, syn, conf, "g.csv", gro, 21, &c), STAD_ECOLUMNS);
    assert_non_null(strstr(stad_errmsg(ctx), "map2.conf:3"));
    assert_non_null(strstr(stad_errmsg(ctx), "Pleegmoment"));
    assert_non_null(strstr(stad_errmsg(ctx), "g.csv"));
    stad_conf_free(conf);
    ingest_synonyms_free(syn);
    stad_ctx_free(ctx);
}

static void t_taxonomy(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_strbuf p = STAD_STRBUF_INIT;
    assert_int_equal(ingest_config_path("taxonomy.conf", &p), 0);
    ingest_taxonomy *t = NULL;
    int rc = ingest_taxonomy_load(ctx, p.s, &t);
    if (rc)
        fprintf(stderr, "%s\n", stad_errmsg(ctx));
    assert_int_equal(rc, 0);
    assert_string_equal(ingest_taxonomy_lookup(t, "A72", "Diefstal Fiets"), "theft.bike");
    assert_string_equal(ingest_taxonomy_lookup(t, NULL, "A72 Diefstal Fiets"), "theft.bike");
    assert_string_equal(ingest_taxonomy_lookup(t, NULL, "a72 iets anders"), "theft.bike");
    assert_string_equal(ingest_taxonomy_lookup(t, "A72", NULL), "theft.bike");
    assert_string_equal(ingest_taxonomy_lookup(t, NULL, "BURGLARY"), "burglary");
    assert_string_equal(ingest_taxonomy_lookup(t, NULL, "  woninginbraak "), "burglary.residential");
    assert_string_equal(ingest_taxonomy_lookup(t, NULL, "Fietswrak"), "complaint.bike_wreck");
    assert_string_equal(ingest_taxonomy_lookup(t, NULL, "1.2.3 Diefstal van brom-, snor-, fietsen"),
                        "theft.bike");
    assert_string_equal(ingest_taxonomy_lookup(t, NULL, "vehicle.break_in"), "vehicle.break_in");
    assert_string_equal(ingest_taxonomy_lookup(t, NULL, "Residential burglary"),
                        "burglary.residential");
    assert_string_equal(ingest_taxonomy_lookup(t, NULL, "theft.bike.ebike"), "theft.bike");
    assert_null(ingest_taxonomy_lookup(t, NULL, "Onbekend feit"));
    assert_null(ingest_taxonomy_lookup(t, "", ""));
    assert_true(ingest_taxonomy_has(t, "bike.removed"));
    ingest_taxonomy_free(t);

    /* a map line to an unknown kind is an error naming the line */
    char *bad = tmpfile_path("bad-taxonomy.conf");
    FILE *fp = fopen(bad, "w");
    fputs("[kinds]\nother = Overig | Other\n[map]\nFoo = nonsense\n", fp);
    fclose(fp);
    assert_int_equal(ingest_taxonomy_load(ctx, bad, &t), STAD_EPARSE);
    assert_non_null(strstr(stad_errmsg(ctx), ":4:"));
    unlink(bad);
    free(bad);
    stad_strbuf_free(&p);
    stad_ctx_free(ctx);
}

static void t_csv_reader(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    char *path = fixture("quoted.csv");
    ingest_reader *r;
    ingest_reader_opts o = {NULL, INGEST_ENC_AUTO, 0, 0};
    assert_int_equal(ingest_reader_open(ctx, path, &o, &r), 0);
    assert_int_equal(r->ncols, 6);
    assert_string_equal(r->headers[0], "incident_id"); /* BOM gone */
    assert_int_equal(r->delimiter, ',');
    ingest_row row;
    assert_int_equal(ingest_reader_next(r, &row), 1);
    assert_int_equal(row.line, 2);
    assert_string_equal(row.field[3], "fiets, blauw");
    assert_null(row.error);
    assert_int_equal(ingest_reader_next(r, &row), 1);
    assert_int_equal(row.line, 3);
    assert_string_equal(row.field[3], "twee\r\nregels \"lang\"");
    assert_string_equal(row.field[5], "582747");
    assert_int_equal(ingest_reader_next(r, &row), 1); /* the blank line 5 is skipped */
    assert_int_equal(row.line, 6);
    assert_string_equal(row.field[0], "q3");
    assert_string_equal(row.field[4], "233163");
    assert_int_equal(ingest_reader_next(r, &row), 1);
    assert_int_equal(row.line, 7);
    assert_non_null(row.error); /* quote never closed */
    assert_int_equal(ingest_reader_next(r, &row), 0);
    ingest_reader_close(r);
    free(path);

    path = fixture("latin1.csv");
    assert_int_equal(ingest_reader_open(ctx, path, &o, &r), 0);
    assert_int_equal(r->delimiter, ';');
    assert_int_equal(ingest_reader_next(r, &row), 1);
    assert_string_equal(row.field[2], "Caf\xc3\xa9straat");
    assert_int_equal(ingest_reader_next(r, &row), 1);
    assert_int_equal(row.line, 3);
    assert_string_equal(row.field[2], "Str\xc3\xb6hmweg");
    assert_string_equal(row.field[5], "582747"); /* CR stripped */
    assert_true(r->recoded);
    ingest_reader_close(r);
    free(path);

    assert_int_equal(ingest_csv_sniff_delimiter("a\tb\tc;d\n", 8), '\t');
    assert_int_equal(ingest_csv_sniff_delimiter("\"a;b\",c\n", 8), ',');
    assert_int_equal(ingest_csv_sniff_delimiter("a|b|c", 5), '|');
    stad_ctx_free(ctx);
}

/* ---------- whole files ---------- */

static void t_groningen(void **state)
{
    fx *f = *state;
    char *path = shared("groningen/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz");
    if (!path)
        skip();
    stad_ingest_report r;
    int rc = ingest(f, path, &r);
    if (rc)
        fprintf(stderr, "%s\n", stad_errmsg(f->ctx));
    assert_int_equal(rc, 0);
    assert_int_equal(r.rows_read, 15947);
    assert_int_equal(r.accepted + r.rejected, 15947);
    assert_true(r.accepted >= 15900);
    double in_buurt = (double)(r.accepted - r.without_area) / (double)r.accepted;
    fprintf(stderr, "groningen: %lld accepted, %lld rejected, %.2f%% in a buurt\n",
            (long long)r.accepted, (long long)r.rejected, 100.0 * in_buurt);
    assert_true(in_buurt >= 0.99);
    assert_int_equal(kind_count(&r, "theft.bike"), r.accepted);
    assert_int_equal(r.n_unmapped, 0);
    assert_int_equal(r.swapped_axes, 0);
    assert_non_null(strstr(r.columns, "x=x_rd"));
    assert_non_null(strstr(r.columns, "time_from=begin_datumtijd"));
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event"), r.accepted);
    /* both coordinate systems, and wijk from the buurt's parent */
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE lon BETWEEN 6.4 AND 6.8 AND "
                                 "lat BETWEEN 53.1 AND 53.3 AND x BETWEEN 220000 AND 245000"),
                     r.accepted);
    assert_true(q_int(f->s, "SELECT count(*) FROM event WHERE buurt_id > 0 AND wijk_id > 0") >=
                r.accepted - r.without_area - 10);
    assert_int_equal(q_int(f->s, "SELECT t_from FROM event WHERE ext_id = 'PL0100_BVH_3606792'"),
                     stad_days_from_civil(2017, 9, 20) * 86400 + 17 * 3600 + 1800);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE attrs LIKE '%\"bronregistratie\"%'"),
                     r.accepted);
    int64_t batch = r.batch_id;
    stad_ingest_report_free(&r);

    /* the same file again: nothing happens */
    assert_int_equal(ingest(f, path, &r), 0);
    assert_int_equal(r.unchanged, 1);
    assert_int_equal(r.batch_id, batch);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM batch"), 1);
    stad_ingest_report_free(&r);
    free(path);
}

static void t_replace(void **state)
{
    fx *f = *state;
    char *src = fixture("small.xlsx");
    char *dir = tmpfile_path("replace");
    mkdir(dir, 0755);
    stad_strbuf p = STAD_STRBUF_INIT;
    stad_strbuf_printf(&p, "%s/dagmonitor.csv", dir);
    FILE *fp = fopen(p.s, "w");
    fputs("begin_datumtijd,incidentsoort,x_rd,y_rd\n2017-09-20T17:30,Diefstal fiets,234234,583983\n"
          "2017-09-21T17:30,Diefstal fiets,235012,582747\n", fp);
    fclose(fp);
    stad_ingest_report r;
    assert_int_equal(ingest(f, p.s, &r), 0);
    int64_t first = r.batch_id;
    assert_int_equal(r.accepted, 2);
    stad_ingest_report_free(&r);
    /* corrected: one row fixed, one added */
    fp = fopen(p.s, "w");
    fputs("begin_datumtijd,incidentsoort,x_rd,y_rd\n2017-09-20T17:30,Woninginbraak,234234,583983\n"
          "2017-09-21T17:30,Diefstal fiets,235012,582747\n2017-09-22T10:00,Vernieling,233163,579988\n",
          fp);
    fclose(fp);
    assert_int_equal(ingest(f, p.s, &r), 0);
    assert_int_equal(r.unchanged, 0);
    assert_int_equal(r.replaced_batch, first);
    assert_int_equal(r.accepted, 3);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event"), 3);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE kind = 'burglary.residential'"), 1);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM batch WHERE status = 'replaced'"), 1);
    stad_ingest_report_free(&r);
    unlink(p.s);
    rmdir(dir);
    stad_strbuf_free(&p);
    free(dir);
    free(src);
}

static void t_semicolon_decimal_comma(void **state)
{
    fx *f = *state;
    char *path = fixture("semicolon_decimal_comma.csv");
    stad_ingest_report r;
    int rc = ingest(f, path, &r);
    if (rc)
        fprintf(stderr, "%s\n", stad_errmsg(f->ctx));
    assert_int_equal(rc, 0);
    assert_int_equal(r.accepted, 3);
    assert_int_equal(r.rejected, 0);
    assert_int_equal(r.without_area, 0);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE x = 234234.5 AND y = 583983.25"), 1);
    assert_int_equal(q_int(f->s, "SELECT sum(count) FROM event"), 4);
    /* Pleegdatum + Pleegtijd combined, "12.15" as a clock */
    assert_int_equal(q_int(f->s, "SELECT max(t_from) FROM event"),
                     stad_days_from_civil(2017, 9, 22) * 86400 + 12 * 3600 + 15 * 60);
    assert_int_equal(kind_count(&r, "vandalism"), 1);
    stad_ingest_report_free(&r);
    free(path);
}

static void t_latin1(void **state)
{
    fx *f = *state;
    char *path = fixture("latin1.csv");
    stad_ingest_report r;
    assert_int_equal(ingest(f, path, &r), 0);
    assert_int_equal(r.accepted, 2);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE street = 'Caf\xc3\xa9straat'"), 1);
    assert_int_equal(kind_count(&r, "nuisance"), 1);
    /* a whole day without end: t_to is the end of the day */
    assert_int_equal(q_int(f->s, "SELECT t_to - t_from FROM event WHERE street = 'Caf\xc3\xa9straat'"), 0);
    stad_ingest_report_free(&r);
    free(path);
}

static void t_mixed_dates(void **state)
{
    fx *f = *state;
    char *path = fixture("mixed_dates.csv");
    stad_ingest_report r;
    assert_int_equal(ingest(f, path, &r), 0);
    assert_int_equal(r.rows_read, 8);
    assert_int_equal(r.accepted, 5);
    assert_int_equal(r.rejected, 3);
    int64_t d = stad_days_from_civil(2017, 9, 20) * 86400;
    assert_int_equal(q_int(f->s, "SELECT t_from FROM event WHERE ext_id = '4'"), d + 18 * 3600);
    assert_int_equal(q_int(f->s, "SELECT t_to - t_from FROM event WHERE ext_id = '5'"), 86399);
    assert_int_equal(q_int(f->s, "SELECT t_to FROM event WHERE ext_id = '3'"),
                     d + 86400 + 7 * 3600);
    char *rej = reject_at(f->s, r.batch_id, 7);
    assert_non_null(strstr(rej, "begin_datumtijd|"));
    assert_non_null(strstr(rej, "impossible date"));
    assert_non_null(strstr(rej, "31-02-2017"));
    free(rej);
    rej = reject_at(f->s, r.batch_id, 8);
    assert_non_null(strstr(rej, "begin_datumtijd|"));
    assert_non_null(strstr(rej, "25:00"));
    free(rej);
    rej = reject_at(f->s, r.batch_id, 9);
    assert_non_null(strstr(rej, "gisteren"));
    free(rej);
    stad_ingest_report_free(&r);
    free(path);
}

static char *write_tmp(const char *name, const char *text)
{
    char *path = tmpfile_path(name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

/* Day and month order is found per file: day first until a date says otherwise; a
 * month-first date after ambiguous ones reads the whole file again, once. */
static void t_date_order(void **state)
{
    fx *f = *state;
    stad_ingest_report r;
    int64_t apr3 = stad_days_from_civil(2017, 4, 3) * 86400;
    int64_t mar4 = stad_days_from_civil(2017, 3, 4) * 86400;
    /* nothing tells: day first, and the rows that could be the other way are counted */
    char *amb = write_tmp("order_amb.csv", "id,datum,lat,lon\n"
                                           "1,03/04/2017 10:00 PM,53.2195,6.5665\n"
                                           "2,01/01/2017,53.2196,6.5666\n");
    assert_int_equal(ingest(f, amb, &r), 0);
    assert_int_equal(r.accepted, 2);
    assert_int_equal(r.dates_month_first, 0);
    assert_int_equal(r.dates_ambiguous, 1);
    assert_int_equal(r.dates_order_line, 0);
    assert_int_equal(q_int(f->s, "SELECT t_from FROM event WHERE ext_id = '1'"),
                     apr3 + 22 * 3600);
    stad_ingest_report_free(&r);
    /* line 4 shows month first after an ambiguous line 2: all read month first, once */
    char *us = write_tmp("order_us.csv", "id,datum,lat,lon\n"
                                          "11,03/04/2017 10:00 PM,53.2195,6.5665\n"
                                          "12,01/01/2017,53.2196,6.5666\n"
                                          "13,12/25/2017 12:15 AM,53.2197,6.5667\n"
                                          "14,13/25/2017,53.2198,6.5668\n");
    assert_int_equal(ingest(f, us, &r), 0);
    assert_int_equal(r.rows_read, 4);
    assert_int_equal(r.accepted, 3);
    assert_int_equal(r.rejected, 1);
    assert_int_equal(r.dates_month_first, 1);
    assert_int_equal(r.dates_order_line, 4);
    assert_int_equal(q_int(f->s, "SELECT t_from FROM event WHERE ext_id = '11'"),
                     mar4 + 22 * 3600);
    assert_int_equal(q_int(f->s, "SELECT t_from FROM event WHERE ext_id = '13'"),
                     stad_days_from_civil(2017, 12, 25) * 86400 + 15 * 60);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE ext_id IN "
                                 "('11', '12', '13')"), 3);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM reject WHERE batch_id = (SELECT "
                                 "max(id) FROM batch)"), 1);
    char *rej = reject_at(f->s, r.batch_id, 5);
    assert_non_null(strstr(rej, "impossible date (this file's dates are read month first)"));
    free(rej);
    stad_ingest_report_free(&r);
    /* a mapping says month first: no guessing */
    char *conf = write_tmp("order.conf", "[source]\ndate_format = mdy\n");
    char *m = write_tmp("order_map.csv", "id,datum,lat,lon\n"
                                          "21,03/04/2017,53.2195,6.5665\n");
    stad_ingest_opts o = {0};
    o.area_tolerance = -1;
    o.mapping_path = conf;
    assert_int_equal(stad_ingest_file(f->ctx, f->s, m, &o, &r), 0);
    assert_int_equal(r.dates_month_first, 1);
    assert_int_equal(r.dates_ambiguous, 0);
    assert_int_equal(q_int(f->s, "SELECT t_from FROM event WHERE ext_id = '21'"), mar4);
    stad_ingest_report_free(&r);
    /* and a mapping with a date_format that means nothing is refused */
    char *badconf = write_tmp("order_bad.conf", "[source]\ndate_format = ymd\n");
    o.mapping_path = badconf;
    assert_int_equal(stad_ingest_file(f->ctx, f->s, m, &o, &r), STAD_EPARSE);
    assert_non_null(strstr(stad_errmsg(f->ctx), "date_format must be"));
    stad_ingest_report_free(&r);
    free(amb);
    free(us);
    free(conf);
    free(m);
    free(badconf);
}

/* One cell holding the point: WKT or "(lat, lon)"; words in such a column are an
 * attribute when the file has addresses, and an error naming the column when not. */
static void t_point_column(void **state)
{
    fx *f = *state;
    double a, b;
    int lat_first;
    long srid;
    assert_int_equal(ingest_parse_point(" POINT (6.5665 53.2195) ", &a, &b, &lat_first, &srid), 0);
    assert_true(a == 6.5665 && b == 53.2195 && !lat_first);
    assert_int_equal(ingest_parse_point("SRID=28992;point(233500.5 582300)", &a, &b,
                                        &lat_first, &srid), 0);
    assert_true(a == 233500.5 && b == 582300 && !lat_first && srid == 28992);
    assert_int_equal(ingest_parse_point("(53.2195, 6.5665)", &a, &b, &lat_first, &srid), 0);
    assert_true(a == 53.2195 && b == 6.5665 && lat_first);
    assert_int_equal(ingest_parse_point("POINT (1 2) x", &a, &b, &lat_first, &srid), STAD_EPARSE);
    assert_int_equal(ingest_parse_point("POINT EMPTY", &a, &b, &lat_first, &srid), STAD_EPARSE);
    assert_int_equal(ingest_parse_point("(53.2, )", &a, &b, &lat_first, &srid), STAD_EPARSE);
    assert_int_equal(ingest_parse_point("voor de deur", &a, &b, &lat_first, &srid), STAD_EPARSE);
    assert_int_equal(ingest_parse_point("SRID=x;POINT (1 2)", &a, &b, &lat_first, &srid),
                     STAD_EPARSE);

    stad_ingest_report r;
    char *latlon = write_tmp("pt_latlon.csv", "id,datum,feit,Location\n"
                                               "1,2017-09-20,Woninginbraak,\"(53.2195, 6.5665)\"\n"
                                               "2,2017-09-21,Woninginbraak,\"(53.21, oops)\"\n");
    assert_int_equal(ingest(f, latlon, &r), 0);
    assert_int_equal(r.accepted, 1);
    assert_int_equal(r.rejected, 1);
    assert_non_null(strstr(r.columns, "point=Location"));
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE ext_id = '1' AND "
                                 "abs(lon - 6.5665) < 1e-9 AND abs(lat - 53.2195) < 1e-9 AND "
                                 "buurt_id > 0"), 1);
    char *rej = reject_at(f->s, r.batch_id, 3);
    assert_non_null(strstr(rej, "Location|not a point"));
    free(rej);
    stad_ingest_report_free(&r);
    /* WKT in the city's CRS (RD) */
    char *wkt = write_tmp("pt_wkt.csv", "id,datum,feit,wkt\n"
                                        "11,2017-09-20,Woninginbraak,POINT (233500 582300)\n");
    assert_int_equal(ingest(f, wkt, &r), 0);
    assert_int_equal(r.accepted, 1);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE ext_id = '11' AND "
                                 "x = 233500 AND y = 582300"), 1);
    stad_ingest_report_free(&r);
    /* EWKT names its CRS: UTM 32N metres of the same place land where they should */
    char *ewkt = write_tmp("pt_ewkt.csv", "id,datum,feit,geometry\n"
                                          "12,2017-09-20,Woninginbraak,"
                                          "SRID=32632;POINT (337860.5 5899600.0)\n");
    assert_int_equal(ingest(f, ewkt, &r), 0);
    assert_int_equal(r.accepted, 1);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE ext_id = '12' AND "
                                 "buurt_id > 0 AND abs(lon - 6.566) < 0.01 AND "
                                 "abs(lat - 53.22) < 0.01"), 1);
    stad_ingest_report_free(&r);
    free(ewkt);
    /* words next to an address: kept as an attribute */
    char *words = write_tmp("pt_words.csv", "id,datum,feit,straat,locatie\n"
                                            "21,2017-09-20,Woninginbraak,Vismarkt,voor de deur\n");
    assert_int_equal(ingest(f, words, &r), 0);
    assert_int_equal(r.accepted, 1);
    assert_null(strstr(r.columns, "point="));
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE ext_id = '21' AND "
                                 "json_extract(attrs, '$.locatie') = 'voor de deur'"), 1);
    stad_ingest_report_free(&r);
    /* words and nothing else: refused, naming the column, nothing written */
    int64_t before = q_int(f->s, "SELECT count(*) FROM batch");
    char *only = write_tmp("pt_only.csv", "id,datum,feit,locatie\n"
                                          "31,2017-09-20,Woninginbraak,voor de deur\n");
    assert_int_equal(ingest(f, only, &r), STAD_ECOLUMNS);
    assert_non_null(strstr(stad_errmsg(f->ctx), "column 'locatie' was taken for the location"));
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM batch"), before);
    stad_ingest_report_free(&r);
    free(latlon);
    free(wkt);
    free(words);
    free(only);
}

static void t_end_before_begin(void **state)
{
    fx *f = *state;
    char *path = fixture("end_before_begin.csv");
    stad_ingest_report r;
    assert_int_equal(ingest(f, path, &r), 0);
    assert_int_equal(r.accepted, 2);
    assert_int_equal(r.rejected, 1);
    char *rej = reject_at(f->s, r.batch_id, 3);
    assert_string_equal(rej, "eind_datumtijd|end before begin|2017-09-20T17:30");
    free(rej);
    /* an unknown category is kept, as 'unmapped', and reported */
    assert_int_equal(r.n_unmapped, 1);
    assert_string_equal(r.unmapped[0].name, "Onbekend feit");
    assert_int_equal(r.unmapped[0].n, 1);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE kind = 'unmapped' AND "
                                 "category = 'Onbekend feit'"), 1);
    stad_ingest_report_free(&r);
    free(path);
}

static void t_swapped(void **state)
{
    fx *f = *state;
    char *path = fixture("swapped_latlon.csv");
    stad_ingest_report r;
    assert_int_equal(ingest(f, path, &r), 0);
    assert_int_equal(r.swapped_axes, 1);
    assert_int_equal(r.accepted, 4);
    assert_int_equal(r.without_area, 0);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE lat > 53 AND lon < 7"), 4);
    stad_ingest_report_free(&r);
    free(path);
}

static void t_outside(void **state)
{
    fx *f = *state;
    char *path = fixture("outside_city.csv");
    stad_ingest_report r;
    assert_int_equal(ingest(f, path, &r), 0);
    assert_int_equal(r.swapped_axes, 0);
    assert_int_equal(r.accepted, 4);
    assert_int_equal(r.rejected, 2);
    char *rej = reject_at(f->s, r.batch_id, 3);
    assert_non_null(strstr(rej, "x_rd|coordinates outside the city|121000 487000"));
    free(rej);
    rej = reject_at(f->s, r.batch_id, 4);
    assert_non_null(strstr(rej, "coordinates outside the city (swapped?)"));
    free(rej);
    stad_ingest_report_free(&r);
    free(path);
}

static void t_duplicates(void **state)
{
    fx *f = *state;
    char *path = fixture("duplicates.csv");
    stad_ingest_report r;
    assert_int_equal(ingest(f, path, &r), 0);
    assert_int_equal(r.accepted, 3);
    assert_int_equal(r.rejected, 2);
    char *rej = reject_at(f->s, r.batch_id, 4);
    assert_non_null(strstr(rej, "|duplicate of line 2|"));
    free(rej);
    rej = reject_at(f->s, r.batch_id, 6);
    assert_non_null(strstr(rej, "|duplicate of line 3|"));
    free(rej);
    stad_ingest_report_free(&r);
    free(path);
}

/* Files that cannot be used at all: an error naming the file, the store untouched. */
static void expect_unreadable(fx *f, const char *name, int code, const char *needle)
{
    char *path = fixture(name);
    int64_t batches = q_int(f->s, "SELECT count(*) FROM batch");
    int64_t sources = q_int(f->s, "SELECT count(*) FROM source");
    stad_ingest_report r;
    int rc = ingest(f, path, &r);
    assert_int_equal(rc, code);
    assert_non_null(strstr(stad_errmsg(f->ctx), name));
    if (needle && !strstr(stad_errmsg(f->ctx), needle))
        fail_msg("message '%s' lacks '%s'", stad_errmsg(f->ctx), needle);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM batch"), batches);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM source"), sources);
    stad_ingest_report_free(&r);
    free(path);
}

static void t_unreadable(void **state)
{
    fx *f = *state;
    /* something loaded first, so "unchanged" means more than "empty" */
    char *ok = fixture("duplicates.csv");
    stad_ingest_report r;
    assert_int_equal(ingest(f, ok, &r), 0);
    stad_ingest_report_free(&r);
    free(ok);
    int64_t events = q_int(f->s, "SELECT count(*) FROM event");
    expect_unreadable(f, "empty.csv", STAD_EEMPTY, "empty");
    expect_unreadable(f, "truncated.xlsx", STAD_EFORMAT, NULL);
    expect_unreadable(f, "corrupt.xlsx", STAD_EFORMAT, NULL);
    expect_unreadable(f, "missing_columns.csv", STAD_ECOLUMNS, "time");
    assert_non_null(strstr(stad_errmsg(f->ctx), "naam, incidentsoort, x_rd, y_rd"));
    expect_unreadable(f, "no_such_file.csv", STAD_EIO, NULL);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event"), events);
}

static void t_spreadsheets(void **state)
{
    fx *f = *state;
    const char *names[] = {"small.xlsx", "small.ods"};
    for (int i = 0; i < 2; i++) {
        char *path = fixture(names[i]);
        stad_ingest_report r;
        int rc = ingest(f, path, &r);
        if (rc)
            fprintf(stderr, "%s\n", stad_errmsg(f->ctx));
        assert_int_equal(rc, 0);
        assert_int_equal(r.rows_read, 4);
        assert_int_equal(r.accepted, 3);
        assert_int_equal(r.rejected, 1);
        /* s3 is in sheet row 4 (row 1 is the header) */
        char *rej = reject_at(f->s, r.batch_id, 4);
        assert_non_null(strstr(rej, "eind_datumtijd|end before begin"));
        free(rej);
        assert_int_equal(kind_count(&r, "vandalism"), 1);
        stad_ingest_report_free(&r);
        free(path);
    }
}

static void t_quoted(void **state)
{
    fx *f = *state;
    char *path = fixture("quoted.csv");
    stad_ingest_report r;
    assert_int_equal(ingest(f, path, &r), 0);
    assert_int_equal(r.rows_read, 4);
    assert_int_equal(r.accepted, 3);
    assert_int_equal(r.rejected, 1);
    char *rej = reject_at(f->s, r.batch_id, 7);
    assert_non_null(strstr(rej, "quoted field not closed"));
    free(rej);
    assert_int_equal(kind_count(&r, "nuisance.youth"), 1);
    assert_int_equal(q_int(f->s, "SELECT line FROM event WHERE ext_id = 'q3'"), 6);
    stad_ingest_report_free(&r);
    free(path);
}

static int kill_on_progress(void *user, const char *what, uint64_t done, uint64_t total)
{
    (void)user;
    (void)what;
    (void)done;
    (void)total;
    kill(getpid(), SIGKILL);
    return 0;
}

static void t_kill9(void **state)
{
    fx *f = *state;
    char *big = shared("groningen/fietsdiefstallen-2013-2017/groningen_fietsdiefstallen_2013_2017.csv.gz");
    if (!big)
        skip();
    char *small = fixture("duplicates.csv");
    stad_ingest_report r;
    assert_int_equal(ingest(f, small, &r), 0);
    stad_ingest_report_free(&r);
    int64_t events = q_int(f->s, "SELECT count(*) FROM event");
    int64_t batches = q_int(f->s, "SELECT count(*) FROM batch");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        stad_ctx *ctx;
        stad_store *s;
        if (stad_ctx_new(&ctx) || stad_store_open(ctx, f->db, &s))
            _exit(3);
        stad_set_logger(ctx, STAD_LOG_QUIET, quiet_log, NULL);
        stad_set_progress(ctx, kill_on_progress, NULL);
        stad_ingest_report cr;
        stad_ingest_file(ctx, s, big, NULL, &cr);
        _exit(4); /* not reached: killed at the first progress report */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    /* reopen as a new process would */
    stad_store_close(f->s);
    assert_int_equal(stad_store_open(f->ctx, f->db, &f->s), 0);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event"), events);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM batch"), batches);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM reject WHERE batch_id NOT IN "
                                 "(SELECT id FROM batch)"), 0);
    /* and the file loads afterwards */
    assert_int_equal(ingest(f, big, &r), 0);
    assert_int_equal(r.rows_read, 15947);
    stad_ingest_report_free(&r);
    free(small);
    free(big);
}

static void t_cincinnati(void **state)
{
    fx *f = *state;
    char *path = shared("crime/cincinnati-burglary-2016-2018/cincinnati_burglary_incidents.csv.gz");
    if (!path)
        skip();
    stad_ingest_report r;
    int rc = ingest(f, path, &r);
    if (rc)
        fprintf(stderr, "%s\n", stad_errmsg(f->ctx));
    assert_int_equal(rc, 0);
    assert_int_equal(r.rows_read, 6660);
    assert_int_equal(r.accepted, 6660);
    assert_int_equal(kind_count(&r, "burglary"), 6660);
    assert_int_equal(r.n_unmapped, 0);
    /* the file's own UTM 16N columns say their CRS in the header (x_utm16n_m) and are
     * taken as they are; the lon/lat computed from them match the file's to 1e-5 deg
     * (incident 169634966: 714859.7, 4339171.7; -84.5127164, 39.1752513) */
    assert_non_null(strstr(r.columns, "x=x_utm16n_m"));
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM event WHERE ext_id = '169634966' AND "
                                 "abs(x - 714859.7) < 0.01 AND abs(y - 4339171.7) < 0.01 AND "
                                 "abs(lon + 84.5127164) < 1e-5 AND abs(lat - 39.1752513) < 1e-5"),
                     1);
    stad_ingest_report_free(&r);
    free(path);

    /* the raw extract repeats whole rows; they are rejected as duplicates */
    path = shared("crime/cincinnati-burglary-2016-2018/cincinnati_burglary.csv.gz");
    assert_int_equal(ingest(f, path, &r), 0);
    assert_int_equal(r.rows_read, 8723);
    assert_true(r.rejected >= 57);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM reject WHERE reason LIKE 'duplicate of line %'"),
                     q_int(f->s, "SELECT count(*) FROM reject WHERE reason LIKE 'duplicate%'"));
    stad_ingest_report_free(&r);
    free(path);
}

static void t_assets(void **state)
{
    fx *f = *state;
    char *path = shared("groningen/fietsenstallingen/groningen_fietsenstallingen_veiligstallen_2017.csv");
    if (!path)
        skip();
    stad_ingest_opts o = {0};
    o.target = STAD_INGEST_ASSETS;
    o.kind = "bike_rack";
    o.area_tolerance = -1;
    stad_ingest_report r;
    int rc = stad_ingest_file(f->ctx, f->s, path, &o, &r);
    if (rc)
        fprintf(stderr, "%s\n", stad_errmsg(f->ctx));
    assert_int_equal(rc, 0);
    assert_true(r.accepted > 0);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM asset WHERE kind = 'bike_rack'"), r.accepted);
    assert_int_equal(kind_count(&r, "bike_rack"), r.accepted);
    stad_ingest_report_free(&r);
    free(path);

    /* without a kind, assets are refused before anything is written */
    path = fixture("semicolon_decimal_comma.csv");
    o.kind = NULL;
    assert_int_equal(stad_ingest_file(f->ctx, f->s, path, &o, &r), STAD_EINVAL);
    stad_ingest_report_free(&r);
    free(path);
}

static void t_geojson_assets(void **state)
{
    fx *f = *state;
    char *path = shared("denhaag/afvalcontainers-ondergronds/denhaag_ondergrondse_afvalcontainers_wgs84.geojson");
    if (!path)
        skip();
    stad_ingest_opts o = {0};
    o.target = STAD_INGEST_ASSETS;
    o.kind = "container";
    o.area_tolerance = -1;
    stad_ingest_report r;
    int rc = stad_ingest_file(f->ctx, f->s, path, &o, &r);
    if (rc)
        fprintf(stderr, "%s\n", stad_errmsg(f->ctx));
    assert_int_equal(rc, 0);
    assert_true(r.accepted >= 8000);
    /* Den Haag in RD New */
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM asset WHERE x BETWEEN 70000 AND 90000 AND "
                                 "y BETWEEN 440000 AND 470000"),
                     r.accepted);
    stad_ingest_report_free(&r);
    free(path);
}

typedef struct watch_state {
    const char *dir;
    int calls;
    int reports, failures;
    int64_t accepted;
} watch_state;

static void on_watch_report(void *user, const char *path, int rc, const stad_ingest_report *r)
{
    watch_state *w = user;
    (void)path;
    w->reports++;
    if (rc)
        w->failures++;
    else
        w->accepted += r->accepted;
}

static void put_file(const char *dir, const char *name, const char *text)
{
    stad_strbuf tmp = STAD_STRBUF_INIT, fin = STAD_STRBUF_INIT;
    stad_strbuf_printf(&tmp, "%s/.%s.part", dir, name);
    stad_strbuf_printf(&fin, "%s/%s", dir, name);
    FILE *fp = fopen(tmp.s, "w");
    fputs(text, fp);
    fclose(fp);
    rename(tmp.s, fin.s);
    stad_strbuf_free(&tmp);
    stad_strbuf_free(&fin);
}

static int watch_stop(void *user)
{
    watch_state *w = user;
    w->calls++;
    if (w->calls == 2) {
        /* a bad file, then a good one: the watch goes on after the bad one */
        put_file(w->dir, "kapot.csv", "");
        put_file(w->dir, "dag2.csv", "datum,incidentsoort,x_rd,y_rd\n2017-09-21,Vernieling,"
                                     "235012,582747\n");
    }
    return w->reports >= 3 || w->calls > 40;
}

static void t_watch(void **state)
{
    fx *f = *state;
    char *dir = tmpfile_path("watch");
    mkdir(dir, 0755);
    put_file(dir, "dag1.csv", "datum,incidentsoort,x_rd,y_rd\n2017-09-20,Diefstal fiets,"
                              "234234,583983\n");
    stad_strbuf ign = STAD_STRBUF_INIT;
    stad_strbuf_printf(&ign, "%s/~$dag1.xlsx", dir);
    FILE *fp = fopen(ign.s, "w");
    fputs("lock", fp);
    fclose(fp);
    watch_state w = {dir, 0, 0, 0, 0};
    int rc = stad_watch_dir(f->ctx, f->s, dir, NULL, on_watch_report, watch_stop, &w);
    assert_int_equal(rc, 0);
    assert_int_equal(w.reports, 3);
    assert_int_equal(w.failures, 1);
    assert_int_equal(w.accepted, 2);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM batch"), 2);
    const char *names[] = {"dag1.csv", "dag2.csv", "kapot.csv"};
    for (int i = 0; i < 3; i++) {
        stad_strbuf p = STAD_STRBUF_INIT;
        stad_strbuf_printf(&p, "%s/%s", dir, names[i]);
        unlink(p.s);
        stad_strbuf_free(&p);
    }
    unlink(ign.s);
    stad_strbuf_free(&ign);
    rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_encoding),
        cmocka_unit_test(t_numbers),
        cmocka_unit_test(t_window),
        cmocka_unit_test(t_columns),
        cmocka_unit_test(t_taxonomy),
        cmocka_unit_test(t_csv_reader),
        cmocka_unit_test_setup_teardown(t_groningen, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_replace, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_semicolon_decimal_comma, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_latin1, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_mixed_dates, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_date_order, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_point_column, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_end_before_begin, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_swapped, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_outside, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_duplicates, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_unreadable, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_spreadsheets, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_quoted, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_kill9, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_cincinnati, setup_cincinnati, teardown_store),
        cmocka_unit_test_setup_teardown(t_assets, setup_groningen, teardown_store),
        cmocka_unit_test_setup_teardown(t_geojson_assets, setup_bare, teardown_store),
        cmocka_unit_test_setup_teardown(t_watch, setup_groningen, teardown_store),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (groningen_template) {
        remove_db(groningen_template);
        free(groningen_template);
    }
    return rc;
}

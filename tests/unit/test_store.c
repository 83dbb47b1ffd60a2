/* Unit tests of the store: schema, sources, batches, events, stats, columns,
 * rejects, assets, areas. Stores live under $STAD_TMP. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"
#include <sqlite3.h>

#include "stad/base.h"
#include "stad/store.h"
#include "stad/timeparse.h"

static char tmpdir[1024];


/* A fresh store path: removes leftovers of an earlier run. */
static void store_path(char *buf, size_t size, const char *name)
{
    if (snprintf(buf, size, "%s/%s.db", tmpdir, name) >= (int)size)
        fail_msg("temp path too long");
    char side[1100];
    unlink(buf);
    snprintf(side, sizeof side, "%s-wal", buf);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", buf);
    unlink(side);
}

typedef struct fixture {
    stad_ctx *ctx;
    stad_store *s;
    char path[1024];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(stad_ctx_new(&f->ctx), 0);
    /* Each test its own file, named after a counter. */
    static int n;
    char name[32];
    snprintf(name, sizeof name, "store_%d", n++);
    store_path(f->path, sizeof f->path, name);
    int rc = stad_store_open(f->ctx, f->path, &f->s);
    if (rc)
        fail_msg("open: %s", stad_errmsg(f->ctx));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    stad_store_close(f->s);
    stad_ctx_free(f->ctx);
    free(f);
    return 0;
}

#define OK(expr)                                                              \
    do {                                                                      \
        int rc_ = (expr);                                                     \
        if (rc_ != 0)                                                         \
            fail_msg("%s -> %d: %s", #expr, rc_, stad_errmsg(f->ctx));        \
    } while (0)

static int64_t T(int y, int m, int d, int hh, int mm)
{
    return stad_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

/* ---- open, schema, meta ---- */

static void test_open_reopen(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    char path[1024];
    store_path(path, sizeof path, "reopen");
    stad_store *s = NULL;
    assert_int_equal(stad_store_open(ctx, path, &s), 0);
    assert_string_equal(stad_store_path(s), path);
    assert_non_null(stad_store_db(s));
    assert_ptr_equal(stad_store_ctx(s), ctx);
    int v = -1;
    assert_int_equal(stad_store_schema_version(s, &v), 0);
    assert_int_equal(v, STAD_SCHEMA_VERSION);
    assert_int_equal(stad_store_meta_set(s, "city", "Utrecht"), 0);
    stad_store_close(s);

    /* Reopen: no migration again, data still there, WAL on. */
    assert_int_equal(stad_store_open(ctx, path, &s), 0);
    assert_int_equal(stad_store_schema_version(s, &v), 0);
    assert_int_equal(v, STAD_SCHEMA_VERSION);
    char *val = NULL;
    assert_int_equal(stad_store_meta_get(s, "city", &val), 0);
    assert_string_equal(val, "Utrecht");
    free(val);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(stad_store_db(s), "PRAGMA journal_mode", -1, &st,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(stad_store_db(s), "PRAGMA foreign_keys", -1, &st,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    stad_store_close(s);

    stad_store_close(NULL); /* destructors accept NULL */
    stad_ctx_free(ctx);
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    char path[1024];
    store_path(path, sizeof path, "newer");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", STAD_SCHEMA_VERSION + 1);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    stad_store *s = (stad_store *)1;
    assert_int_equal(stad_store_open(ctx, path, &s), STAD_ESCHEMA);
    assert_null(s);
    assert_non_null(strstr(stad_errmsg(ctx), "schema version"));
    stad_ctx_free(ctx);
}

/* Step 3 -> 4 moved the open-data ledger into the schema. Before it, `stad publish`
 * created the two tables itself (the DDL below, as that code ran it), so a version-3
 * store may or may not have them. Both upgrade, and the old ledger rows survive.
 * A version-3 store is the current one taken back: the later steps dropped
 * (step 5 only adds the auth_generation table and its triggers) and user_version set
 * to 3. */
static const char *const od_ledger_v3 =
    "CREATE TABLE IF NOT EXISTS opendata_release ("
    "  id INTEGER PRIMARY KEY, created INTEGER NOT NULL, threshold INTEGER NOT NULL,"
    "  digest TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS opendata_cell ("
    "  release INTEGER NOT NULL REFERENCES opendata_release(id),"
    "  cell TEXT NOT NULL,"
    "  units INTEGER,"
    "  status INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS opendata_cell_key ON opendata_cell(cell, units);";

static void make_v3(stad_ctx *ctx, const char *path, int with_ledger)
{
    stad_store *s = NULL;
    assert_int_equal(stad_store_open(ctx, path, &s), 0);
    assert_int_equal(stad_store_meta_set(s, "city.name", "Groningen"), 0);
    stad_store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db,
                          "DROP TABLE opendata_cell; DROP TABLE opendata_release;"
                          "DROP TABLE auth_generation;",
                          NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fail_msg("to v3: %s", err);
    /* the triggers of step 5, whatever their names */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = "
                                            "'trigger' AND name LIKE 'auth_gen_%'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    char drops[4096] = "";
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t n = strlen(drops);
        snprintf(drops + n, sizeof drops - n, "DROP TRIGGER %s;",
                 (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_exec(db, drops, NULL, NULL, NULL), SQLITE_OK);
    if (with_ledger) {
        assert_int_equal(sqlite3_exec(db, od_ledger_v3, NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db,
                                      "INSERT INTO opendata_release VALUES(1, 1700000000, 10, 'd1');"
                                      "INSERT INTO opendata_cell VALUES(1, 'wijk|WK001401|2017-09|theft', 27, 0);"
                                      "INSERT INTO opendata_cell VALUES(1, 'buurt|BU00140000|2017-09|theft', NULL, 1);",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    }
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static int64_t one_int(stad_store *s, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(stad_store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(stad_store_db(s)));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_upgrade_v3_opendata_ledger(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    for (int with = 0; with <= 1; with++) {
        char path[1024];
        store_path(path, sizeof path, with ? "v3_with_ledger" : "v3_without_ledger");
        make_v3(ctx, path, with);
        stad_store *s = NULL;
        if (stad_store_open(ctx, path, &s))
            fail_msg("upgrade (%s ledger): %s", with ? "with" : "without", stad_errmsg(ctx));
        int v = 0;
        assert_int_equal(stad_store_schema_version(s, &v), 0);
        assert_int_equal(v, STAD_SCHEMA_VERSION);
        assert_int_equal(one_int(s, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                    "('opendata_release', 'opendata_cell', 'opendata_cell_key')"),
                         3);
        /* the old ledger as it was; a new release goes in beside it */
        assert_int_equal(one_int(s, "SELECT count(*) FROM opendata_cell"), with ? 2 : 0);
        if (with)
            assert_int_equal(one_int(s, "SELECT units FROM opendata_cell WHERE cell = "
                                        "'wijk|WK001401|2017-09|theft'"),
                             27);
        char *err = NULL;
        if (sqlite3_exec(stad_store_db(s),
                         "INSERT INTO opendata_release(created, threshold, digest) "
                         "VALUES(1700000001, 10, 'd2');"
                         "INSERT INTO opendata_cell(release, cell, units, status) VALUES("
                         "last_insert_rowid(), 'wijk|WK001401|2017-10|theft', 12, 0);",
                         NULL, NULL, &err) != SQLITE_OK)
            fail_msg("ledger after upgrade: %s", err);
        assert_int_equal(one_int(s, "SELECT count(*) FROM opendata_release"), with ? 2 : 1);
        assert_int_equal(one_int(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
        char *city = NULL;
        assert_int_equal(stad_store_meta_get(s, "city.name", &city), 0);
        assert_string_equal(city, "Groningen");
        free(city);
        stad_store_close(s);
    }
    stad_ctx_free(ctx);
}

static void test_open_fails_cleanly(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_store *s = NULL;
    char path[1100];
    snprintf(path, sizeof path, "%s/no/such/dir/x.db", tmpdir);
    assert_int_equal(stad_store_open(ctx, path, &s), STAD_ESTORE);
    assert_null(s);
    assert_true(strlen(stad_errmsg(ctx)) > 0);
    stad_ctx_free(ctx);
}

static void test_meta(void **state)
{
    fixture *f = *state;
    char *v = (char *)"x";
    assert_int_equal(stad_store_meta_get(f->s, "crs", &v), STAD_ENOTFOUND);
    assert_null(v);
    OK(stad_store_meta_set(f->s, "crs", "EPSG:28992"));
    OK(stad_store_meta_set(f->s, "crs", "EPSG:4326"));
    OK(stad_store_meta_get(f->s, "crs", &v));
    assert_string_equal(v, "EPSG:4326");
    free(v);
}

/* ---- sources and batches ---- */

static int count_source(void *user, const stad_source_row *r)
{
    int *n = user;
    assert_string_equal(r->status, "pending");
    assert_true(r->created > 0);
    (*n)++;
    return 0;
}

static void test_source_ensure(void **state)
{
    fixture *f = *state;
    int64_t a = 0, b = 0, c = 0;
    OK(stad_store_source_ensure(f->s, "politie", &a));
    OK(stad_store_source_ensure(f->s, "politie", &b));
    OK(stad_store_source_ensure(f->s, "meldingen", &c));
    assert_true(a > 0);
    assert_int_equal(a, b);
    assert_int_not_equal(a, c);
    int n = 0;
    OK(stad_store_sources_each(f->s, count_source, &n));
    assert_int_equal(n, 2);
    assert_int_equal(stad_store_source_ensure(f->s, "", &a), STAD_EINVAL);
}

static int64_t make_batch(fixture *f, int64_t src, const char *file, const char *sha)
{
    stad_batch_row b = {.source_id = src, .file_name = file, .file_path = file,
                        .sha256 = sha, .target = "event"};
    int64_t id = 0;
    OK(stad_store_batch_create(f->s, &b, &id));
    assert_true(id > 0);
    return id;
}

static stad_event_row ev(int64_t batch, const char *kind, int64_t t, double lon, double lat,
                         int64_t wijk, int64_t buurt)
{
    stad_event_row e = {.batch_id = batch, .line = 2, .kind = kind, .category = "cat",
                        .t_from = t, .t_to = t + 3600, .has_xy = 1, .x = 136000 + lon,
                        .y = 455000 + lat, .lon = lon, .lat = lat, .wijk_id = wijk,
                        .buurt_id = buurt, .count = 1};
    return e;
}

static int count_events(void *user, const stad_event_row *e)
{
    (void)e;
    (*(int *)user)++;
    return 0;
}

static int count_batch(void *user, const stad_batch_row *b)
{
    (void)b;
    (*(int *)user)++;
    return 0;
}

static int n_events(fixture *f, const stad_event_filter *flt)
{
    int n = 0;
    OK(stad_store_events_each(f->s, flt, count_events, &n));
    return n;
}

typedef struct batch_seen {
    char status[16];
    int64_t accepted, replaces;
    char source[32];
} batch_seen;

static int read_batch(void *user, const stad_batch_row *b)
{
    batch_seen *s = user;
    snprintf(s->status, sizeof s->status, "%s", b->status);
    snprintf(s->source, sizeof s->source, "%s", b->source_name);
    s->accepted = b->rows_accepted;
    s->replaces = b->replaces;
    return 0;
}

static void test_batches(void **state)
{
    fixture *f = *state;
    const char *sha1 = "1111111111111111111111111111111111111111111111111111111111111111";
    const char *sha2 = "2222222222222222222222222222222222222222222222222222222222222222";
    int64_t src, id;
    OK(stad_store_source_ensure(f->s, "politie", &src));
    assert_int_equal(stad_store_batch_find_sha(f->s, src, sha1, &id), STAD_ENOTFOUND);

    OK(stad_store_begin(f->s));
    int64_t b1 = make_batch(f, src, "dagmonitor.csv", sha1);
    stad_event_row e = ev(b1, "burglary.residential", T(2017, 9, 20, 10, 0), 5.1, 52.1, 0, 0);
    OK(stad_store_event_insert(f->s, &e));
    OK(stad_store_event_insert(f->s, &e));
    OK(stad_store_batch_finish(f->s, b1, 3, 2, 1));
    OK(stad_store_commit(f->s));

    OK(stad_store_batch_find_sha(f->s, src, sha1, &id));
    assert_int_equal(id, b1);
    OK(stad_store_batch_find_file(f->s, src, "dagmonitor.csv", &id));
    assert_int_equal(id, b1);
    assert_int_equal(stad_store_batch_find_file(f->s, src, "other.csv", &id),
                     STAD_ENOTFOUND);
    batch_seen seen = {0};
    OK(stad_store_batch_get(f->s, b1, read_batch, &seen));
    assert_string_equal(seen.status, "loaded");
    assert_string_equal(seen.source, "politie");
    assert_int_equal(seen.accepted, 2);
    assert_int_equal(n_events(f, NULL), 2);

    /* An updated file replaces the old batch and its events. */
    OK(stad_store_begin(f->s));
    int64_t b2 = make_batch(f, src, "dagmonitor.csv", sha2);
    e.batch_id = b2;
    OK(stad_store_event_insert(f->s, &e));
    OK(stad_store_batch_replace(f->s, b1, b2));
    OK(stad_store_commit(f->s));

    assert_int_equal(n_events(f, NULL), 1);
    assert_int_equal(stad_store_batch_find_sha(f->s, src, sha1, &id), STAD_ENOTFOUND);
    OK(stad_store_batch_find_file(f->s, src, "dagmonitor.csv", &id));
    assert_int_equal(id, b2);
    OK(stad_store_batch_get(f->s, b1, read_batch, &seen));
    assert_string_equal(seen.status, "replaced");
    OK(stad_store_batch_get(f->s, b2, read_batch, &seen));
    assert_int_equal(seen.replaces, b1);
    int n = 0;
    OK(stad_store_batches_each(f->s, count_batch,
                               &n));
    assert_int_equal(n, 2);
    assert_int_equal(stad_store_batch_get(f->s, 999, read_batch, &seen), STAD_ENOTFOUND);
    assert_int_equal(stad_store_batch_replace(f->s, 999, b2), STAD_ENOTFOUND);
}

static void test_rollback(void **state)
{
    fixture *f = *state;
    int64_t src;
    OK(stad_store_source_ensure(f->s, "politie", &src));
    OK(stad_store_begin(f->s));
    int64_t b = make_batch(f, src, "a.csv", "aa");
    stad_event_row e = ev(b, "theft.bike", T(2017, 9, 1, 0, 0), 5, 52, 0, 0);
    OK(stad_store_event_insert(f->s, &e));
    stad_reject_row r = {.batch_id = b, .line = 3, .column = "datum", .reason = "bad",
                         .raw = "x"};
    OK(stad_store_reject_insert(f->s, &r));
    assert_int_equal(stad_store_rollback(f->s), 0);
    assert_int_equal(stad_store_rollback(f->s), 0); /* safe without a transaction */

    int64_t id;
    assert_int_equal(stad_store_batch_find_sha(f->s, src, "aa", &id), STAD_ENOTFOUND);
    assert_int_equal(n_events(f, NULL), 0);
    int n = 0;
    OK(stad_store_batches_each(f->s, count_batch,
                               &n));
    assert_int_equal(n, 0);
    /* The cached statements still work after a rollback. */
    OK(stad_store_begin(f->s));
    b = make_batch(f, src, "a.csv", "aa");
    e.batch_id = b;
    OK(stad_store_event_insert(f->s, &e));
    OK(stad_store_commit(f->s));
    assert_int_equal(n_events(f, NULL), 1);
}

/* ---- events and filters ---- */

typedef struct area_ids {
    int64_t w1, w2, b11, b12, b21;
} area_ids;

static area_ids make_areas(fixture *f)
{
    area_ids a;
    stad_area_row r = {.level = "wijk", .code = "WK034401", .name = "Binnenstad"};
    OK(stad_store_area_upsert(f->s, &r, &a.w1));
    r = (stad_area_row){.level = "wijk", .code = "WK034402", .name = "Oost"};
    OK(stad_store_area_upsert(f->s, &r, &a.w2));
    r = (stad_area_row){.level = "buurt", .code = "BU03440101", .name = "Domplein",
                        .parent_id = a.w1};
    OK(stad_store_area_upsert(f->s, &r, &a.b11));
    r = (stad_area_row){.level = "buurt", .code = "BU03440102", .name = "Lange Elisabeth",
                        .parent_id = a.w1};
    OK(stad_store_area_upsert(f->s, &r, &a.b12));
    r = (stad_area_row){.level = "buurt", .code = "BU03440201", .name = "Wilhelminapark",
                        .parent_id = a.w2};
    OK(stad_store_area_upsert(f->s, &r, &a.b21));
    return a;
}

/* 6 events: 3 burglaries (2 residential) and 2 bike thefts and 1 "burglaryx"
 * (must not match "burglary"), over two weeks and two wijken. */
static area_ids load_events(fixture *f)
{
    area_ids a = make_areas(f);
    int64_t src;
    OK(stad_store_source_ensure(f->s, "politie", &src));
    OK(stad_store_begin(f->s));
    int64_t b = make_batch(f, src, "x.csv", "ab");
    stad_event_row rows[] = {
        ev(b, "burglary.residential", T(2017, 9, 18, 10, 0), 5.10, 52.09, a.w1, a.b11),
        ev(b, "burglary.residential", T(2017, 9, 24, 23, 0), 5.12, 52.09, a.w1, a.b12),
        ev(b, "burglary", T(2017, 9, 25, 1, 0), 5.14, 52.08, a.w2, a.b21),
        ev(b, "theft.bike", T(2017, 9, 26, 12, 0), 5.11, 52.10, a.w1, a.b11),
        ev(b, "theft.bike", T(2017, 10, 2, 12, 0), 5.20, 52.20, 0, 0),
        ev(b, "burglaryx", T(2017, 10, 3, 12, 0), 5.10, 52.09, a.w2, a.b21),
    };
    rows[3].count = 2;
    rows[4].has_xy = 0;
    rows[4].ext_id = "PL0900-123";
    rows[4].street = "Oudegracht";
    rows[4].attrs = "{\"a\":1}";
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        OK(stad_store_event_insert(f->s, &rows[i]));
    OK(stad_store_commit(f->s));
    return a;
}

static int check_event(void *user, const stad_event_row *e)
{
    (void)user;
    if (strcmp(e->kind, "theft.bike") == 0 && !e->has_xy) {
        assert_string_equal(e->ext_id, "PL0900-123");
        assert_string_equal(e->street, "Oudegracht");
        assert_string_equal(e->attrs, "{\"a\":1}");
        assert_int_equal(e->wijk_id, 0);
        assert_int_equal(e->buurt_id, 0);
    } else {
        assert_true(e->has_xy);
        assert_null(e->ext_id);
        assert_true(e->x > 136000);
        assert_true(e->wijk_id > 0);
    }
    assert_true(e->t_to >= e->t_from);
    assert_string_equal(e->category, "cat");
    return 0;
}

static int stop_at_first(void *user, const stad_event_row *e)
{
    (void)e;
    (*(int *)user)++;
    return 7;
}

/* The latest t_from by walking every filtered event, to check the indexed search. */
static int max_t_from(void *user, const stad_event_row *e)
{
    int64_t *m = user;
    if (e->t_from > *m)
        *m = e->t_from;
    return 0;
}

static void check_latest(fixture *f, const stad_event_filter *flt)
{
    stad_store *s = f->s;
    int64_t walked = INT64_MIN, latest = 0;
    OK(stad_store_events_each(s, flt, max_t_from, &walked));
    if (walked == INT64_MIN) {
        assert_int_equal(stad_store_events_latest(s, flt, &latest), STAD_EEMPTY);
    } else {
        OK(stad_store_events_latest(s, flt, &latest));
        assert_int_equal(latest, walked);
    }
}

static void test_events_filter(void **state)
{
    fixture *f = *state;
    load_events(f);
    OK(stad_store_events_each(f->s, NULL, check_event, NULL));
    assert_int_equal(n_events(f, NULL), 6);

    const char *burg[] = {"burglary"};
    stad_event_filter flt = {.kinds = burg, .n_kinds = 1};
    assert_int_equal(n_events(f, &flt), 3); /* not "burglaryx" */
    const char *two[] = {"burglary.residential", "theft"};
    flt = (stad_event_filter){.kinds = two, .n_kinds = 2};
    assert_int_equal(n_events(f, &flt), 4);

    flt = (stad_event_filter){.has_period = 1, .t_min = T(2017, 9, 24, 23, 0),
                              .t_max = T(2017, 10, 2, 12, 0)};
    assert_int_equal(n_events(f, &flt), 3); /* [t_min, t_max) */

    flt = (stad_event_filter){.area_code = "WK034401"};
    assert_int_equal(n_events(f, &flt), 3);
    flt = (stad_event_filter){.area_code = "BU03440201"};
    assert_int_equal(n_events(f, &flt), 2);
    flt = (stad_event_filter){.area_code = "nope"};
    assert_int_equal(n_events(f, &flt), 0);

    flt = (stad_event_filter){.has_bbox = 1, .bbox = {5.095, 52.085, 5.115, 52.105}};
    assert_int_equal(n_events(f, &flt), 3);

    flt = (stad_event_filter){.kinds = burg, .n_kinds = 1, .area_code = "WK034401",
                              .has_bbox = 1, .bbox = {5.0, 52.0, 5.11, 52.2}};
    assert_int_equal(n_events(f, &flt), 1);

    flt = (stad_event_filter){.limit = 2};
    assert_int_equal(n_events(f, &flt), 2);
    /* Paging: offset skips in (t_from, id) order; count ignores limit and offset. */
    flt = (stad_event_filter){.limit = 4, .offset = 4};
    assert_int_equal(n_events(f, &flt), 2);
    flt = (stad_event_filter){.offset = 6};
    assert_int_equal(n_events(f, &flt), 0);
    int64_t total = -1;
    flt = (stad_event_filter){.kinds = burg, .n_kinds = 1, .limit = 1, .offset = 1};
    OK(stad_store_events_count(f->s, &flt, &total));
    assert_int_equal(total, 3);
    OK(stad_store_events_count(f->s, NULL, &total));
    assert_int_equal(total, 6);
    /* Latest t_from of the filtered events: the burglaries end on 25 Sep 01:00
     * ("burglaryx" is not a sub-kind); nothing matches -> STAD_EEMPTY. */
    int64_t latest = 0;
    flt = (stad_event_filter){.kinds = burg, .n_kinds = 1};
    OK(stad_store_events_latest(f->s, &flt, &latest));
    assert_int_equal(latest, T(2017, 9, 25, 1, 0));
    flt = (stad_event_filter){.has_period = 1, .t_min = T(2018, 1, 1, 0, 0),
                              .t_max = T(2019, 1, 1, 0, 0)};
    assert_int_equal(stad_store_events_latest(f->s, &flt, &latest), STAD_EEMPTY);
    /* The same as walking the events, under every kind of filter. */
    check_latest(f, NULL);
    flt = (stad_event_filter){.kinds = two, .n_kinds = 2};
    check_latest(f, &flt);
    const char *prefix[] = {"burg"}; /* not a kind: a prefix without the dot */
    flt = (stad_event_filter){.kinds = prefix, .n_kinds = 1};
    check_latest(f, &flt);
    flt = (stad_event_filter){.kinds = burg, .n_kinds = 1, .area_code = "WK034401"};
    check_latest(f, &flt);
    flt = (stad_event_filter){.has_period = 1, .t_min = T(2017, 9, 24, 23, 0),
                              .t_max = T(2017, 10, 2, 12, 0)};
    check_latest(f, &flt);
    flt = (stad_event_filter){.restrict_sources = 1};
    check_latest(f, &flt);

    int n = 0;
    assert_int_equal(stad_store_events_each(f->s, NULL, stop_at_first, &n), 7);
    assert_int_equal(n, 1);

    const char *empty[] = {""};
    flt = (stad_event_filter){.kinds = empty, .n_kinds = 1};
    assert_int_equal(stad_store_events_each(f->s, &flt, count_events, &n), STAD_EINVAL);
}

static void test_event_invalid(void **state)
{
    fixture *f = *state;
    int64_t src;
    OK(stad_store_source_ensure(f->s, "p", &src));
    OK(stad_store_begin(f->s));
    int64_t b = make_batch(f, src, "x.csv", "ab");
    stad_event_row e = ev(b, "theft.bike", T(2017, 9, 1, 0, 0), 5, 52, 0, 0);
    e.t_to = e.t_from - 1;
    assert_int_equal(stad_store_event_insert(f->s, &e), STAD_EINVAL);
    e = ev(b, NULL, T(2017, 9, 1, 0, 0), 5, 52, 0, 0);
    assert_int_equal(stad_store_event_insert(f->s, &e), STAD_EINVAL);
    /* A batch that does not exist: the foreign key refuses. */
    e = ev(b + 100, "theft.bike", T(2017, 9, 1, 0, 0), 5, 52, 0, 0);
    assert_int_equal(stad_store_event_insert(f->s, &e), STAD_ESTORE);
    assert_non_null(strstr(stad_errmsg(f->ctx), "storing event"));
    stad_store_rollback(f->s);
}

/* ---- stats ---- */

typedef struct stats_seen {
    int n;
    char rows[16][96];
} stats_seen;

static int collect_stat(void *user, const stad_stat_row *r)
{
    stats_seen *s = user;
    assert_true(s->n < 16);
    snprintf(s->rows[s->n++], sizeof s->rows[0], "%s|%s|%s|%s|%lld", r->area_code,
             r->area_name, r->kind, r->period, (long long)r->count);
    return 0;
}

static void test_stats(void **state)
{
    fixture *f = *state;
    load_events(f);
    stats_seen s = {0};
    const char *k[] = {"burglary", "theft"};
    stad_event_filter flt = {.kinds = k, .n_kinds = 2};
    OK(stad_store_stats_each(f->s, &flt, "wijk", "week", collect_stat, &s));
    /* 2017-09-18 (Mon) and 2017-09-24 (Sun) are week 38; 25 and 26 Sept week 39;
     * 2 Oct week 40. The no-area event reports code "". */
    assert_int_equal(s.n, 4);
    assert_string_equal(s.rows[0], "||theft.bike|2017-W40|1");
    assert_string_equal(s.rows[1], "WK034401|Binnenstad|burglary.residential|2017-W38|2");
    assert_string_equal(s.rows[2], "WK034401|Binnenstad|theft.bike|2017-W39|2");
    assert_string_equal(s.rows[3], "WK034402|Oost|burglary|2017-W39|1");

    memset(&s, 0, sizeof s);
    OK(stad_store_stats_each(f->s, NULL, "buurt", "month", collect_stat, &s));
    assert_int_equal(s.n, 6);
    assert_string_equal(s.rows[0], "||theft.bike|2017-10|1");
    assert_string_equal(s.rows[1], "BU03440101|Domplein|burglary.residential|2017-09|1");
    assert_string_equal(s.rows[2], "BU03440101|Domplein|theft.bike|2017-09|2");
    assert_string_equal(s.rows[3], "BU03440102|Lange Elisabeth|burglary.residential|2017-09|1");
    assert_string_equal(s.rows[4], "BU03440201|Wilhelminapark|burglary|2017-09|1");
    assert_string_equal(s.rows[5], "BU03440201|Wilhelminapark|burglaryx|2017-10|1");

    memset(&s, 0, sizeof s);
    flt = (stad_event_filter){.area_code = "WK034401"};
    OK(stad_store_stats_each(f->s, &flt, "wijk", "all", collect_stat, &s));
    assert_int_equal(s.n, 2);
    assert_string_equal(s.rows[0], "WK034401|Binnenstad|burglary.residential|all|2");
    assert_string_equal(s.rows[1], "WK034401|Binnenstad|theft.bike|all|2");

    assert_int_equal(stad_store_stats_each(f->s, NULL, "gemeente", "week", collect_stat, &s),
                     STAD_EINVAL);
    assert_int_equal(stad_store_stats_each(f->s, NULL, "wijk", "day", collect_stat, &s),
                     STAD_EINVAL);
}

/* ---- column arrays ---- */

static void test_events_load(void **state)
{
    fixture *f = *state;
    area_ids a = load_events(f);
    stad_events *e = NULL;
    OK(stad_events_load(f->s, NULL, &e));
    assert_int_equal(e->n, 6);
    assert_int_equal(e->n_kind_names, 4);
    /* Ordered by t_from. */
    for (size_t i = 1; i < e->n; i++)
        assert_true(e->t_from[i - 1] <= e->t_from[i]);
    assert_string_equal(e->kind_names[e->kind[0]], "burglary.residential");
    assert_int_equal(e->kind[0], e->kind[1]);
    assert_string_equal(e->kind_names[e->kind[3]], "theft.bike");
    assert_int_equal(e->count[3], 2);
    assert_int_equal(e->wijk[0], a.w1);
    assert_int_equal(e->buurt[0], a.b11);
    assert_true(isnan(e->x[4]));
    assert_int_equal(e->wijk[4], 0);
    assert_true(fabs(e->x[0] - (136000 + 5.10)) < 1e-6);
    assert_int_equal(e->t_to[0] - e->t_from[0], 3600);
    stad_events_free(e);

    const char *k[] = {"theft"};
    stad_event_filter flt = {.kinds = k, .n_kinds = 1};
    OK(stad_events_load(f->s, &flt, &e));
    assert_int_equal(e->n, 2);
    assert_int_equal(e->n_kind_names, 1);
    stad_events_free(e);

    flt = (stad_event_filter){.area_code = "nope"};
    OK(stad_events_load(f->s, &flt, &e));
    assert_int_equal(e->n, 0);
    stad_events_free(e);
    stad_events_free(NULL);
}

/* ---- rejects ---- */

typedef struct rejects_seen {
    int n;
    int64_t lines[4];
    char col[4][16];
} rejects_seen;

static int collect_reject(void *user, const stad_reject_row *r)
{
    rejects_seen *s = user;
    assert_true(s->n < 4);
    s->lines[s->n] = r->line;
    snprintf(s->col[s->n], sizeof s->col[0], "%s", r->column);
    s->n++;
    assert_non_null(r->raw);
    return 0;
}

static void test_rejects(void **state)
{
    fixture *f = *state;
    int64_t src;
    OK(stad_store_source_ensure(f->s, "p", &src));
    OK(stad_store_begin(f->s));
    int64_t b = make_batch(f, src, "x.csv", "ab");
    int64_t b2 = make_batch(f, src, "y.csv", "cd");
    stad_reject_row r = {.batch_id = b, .line = 7, .column = "datum",
                         .reason = "impossible date", .raw = "31-02-2017"};
    OK(stad_store_reject_insert(f->s, &r));
    r = (stad_reject_row){.batch_id = b, .line = 3, .reason = "no kind"};
    OK(stad_store_reject_insert(f->s, &r));
    r = (stad_reject_row){.batch_id = b2, .line = 1, .reason = "other batch"};
    OK(stad_store_reject_insert(f->s, &r));
    OK(stad_store_commit(f->s));
    rejects_seen s = {0};
    OK(stad_store_rejects_each(f->s, b, collect_reject, &s));
    assert_int_equal(s.n, 2);
    assert_int_equal(s.lines[0], 3);
    assert_string_equal(s.col[0], "");
    assert_int_equal(s.lines[1], 7);
    assert_string_equal(s.col[1], "datum");
}

/* ---- assets ---- */

static int collect_asset_count(void *user, const char *kind, int64_t n)
{
    char *out = user;
    size_t len = strlen(out);
    snprintf(out + len, 128 - len, "%s=%lld;", kind, (long long)n);
    return 0;
}

static void test_assets(void **state)
{
    fixture *f = *state;
    int64_t src;
    OK(stad_store_source_ensure(f->s, "assets", &src));
    OK(stad_store_begin(f->s));
    stad_batch_row br = {.source_id = src, .file_name = "lights.gpkg", .sha256 = "ee",
                         .target = "asset"};
    int64_t b;
    OK(stad_store_batch_create(f->s, &br, &b));
    stad_asset_row a = {.batch_id = b, .line = 1, .kind = "streetlight", .x = 1, .y = 2,
                        .lon = 5, .lat = 52};
    OK(stad_store_asset_insert(f->s, &a));
    OK(stad_store_asset_insert(f->s, &a));
    a.kind = "container";
    a.ext_id = "C-1";
    a.attrs = "{\"fraction\":\"rest\"}";
    OK(stad_store_asset_insert(f->s, &a));
    OK(stad_store_commit(f->s));
    char out[128] = "";
    OK(stad_store_assets_count_each(f->s, collect_asset_count, out));
    assert_string_equal(out, "container=1;streetlight=2;");

    /* Replacing the batch drops its assets. */
    OK(stad_store_begin(f->s));
    br.sha256 = "ff";
    int64_t b2;
    OK(stad_store_batch_create(f->s, &br, &b2));
    OK(stad_store_batch_replace(f->s, b, b2));
    OK(stad_store_commit(f->s));
    out[0] = '\0';
    OK(stad_store_assets_count_each(f->s, collect_asset_count, out));
    assert_string_equal(out, "");
}

/* ---- areas ---- */

typedef struct areas_seen {
    int n;
    int64_t parent[8];
    char code[8][16];
    size_t wkb_len[8];
} areas_seen;

static int collect_area(void *user, const stad_area_row *a)
{
    areas_seen *s = user;
    assert_true(s->n < 8);
    s->parent[s->n] = a->parent_id;
    snprintf(s->code[s->n], sizeof s->code[0], "%s", a->code);
    s->wkb_len[s->n] = a->wkb_len;
    s->n++;
    return 0;
}

static void test_areas(void **state)
{
    fixture *f = *state;
    area_ids a = make_areas(f);
    int64_t id;
    OK(stad_store_area_find(f->s, "BU03440102", &id));
    assert_int_equal(id, a.b12);
    assert_int_equal(stad_store_area_find(f->s, "XX", &id), STAD_ENOTFOUND);

    /* Upsert by level + code keeps the id and replaces the rest. */
    const unsigned char wkb[] = {1, 3, 0, 0, 0, 0, 0, 0, 0};
    stad_area_row r = {.level = "wijk", .code = "WK034401", .name = "Centrum", .wkb = wkb,
                       .wkb_len = sizeof wkb, .geojson = "{}", .minx = 1, .maxx = 2};
    OK(stad_store_area_upsert(f->s, &r, &id));
    assert_int_equal(id, a.w1);

    areas_seen s = {0};
    OK(stad_store_areas_each(f->s, "buurt", collect_area, &s));
    assert_int_equal(s.n, 3);
    assert_string_equal(s.code[0], "BU03440101");
    assert_int_equal(s.parent[0], a.w1);
    assert_int_equal(s.parent[2], a.w2);

    OK(stad_store_area_set_parent(f->s, a.b21, a.w1));
    OK(stad_store_area_set_parent(f->s, a.w1, 0));
    assert_int_equal(stad_store_area_set_parent(f->s, 9999, a.w1), STAD_ENOTFOUND);
    memset(&s, 0, sizeof s);
    OK(stad_store_areas_each(f->s, NULL, collect_area, &s));
    assert_int_equal(s.n, 5);
    /* Ordered by level then code: buurten first. */
    assert_int_equal(s.parent[2], a.w1);
    assert_string_equal(s.code[3], "WK034401");
    assert_int_equal(s.wkb_len[3], sizeof wkb);
    assert_int_equal(s.wkb_len[4], 0);

    /* Every area change bumps the data version. */
    int64_t v1, v2;
    OK(stad_store_data_version(f->s, &v1));
    assert_true(v1 > 0);

    /* Key figures: set by code, read by id, replaced on a second set. */
    char *json = NULL;
    OK(stad_store_area_figures(f->s, a.b12, &json));
    assert_null(json);
    OK(stad_store_area_set_figures(f->s, "BU03440102", "{\"a_inw\":1200}"));
    OK(stad_store_area_set_figures(f->s, "BU03440102", "{\"a_inw\":1250}"));
    OK(stad_store_area_figures(f->s, a.b12, &json));
    assert_string_equal(json, "{\"a_inw\":1250}");
    free(json);
    assert_int_equal(stad_store_area_set_figures(f->s, "BU9999", "{}"), STAD_ENOTFOUND);
    assert_int_equal(stad_store_area_figures(f->s, 99999, &json), STAD_ENOTFOUND);
    OK(stad_store_data_version(f->s, &v2));
    assert_int_equal(v2, v1 + 2);

    /* A same code at another level is a different area. */
    r = (stad_area_row){.level = "custom", .code = "WK034401", .name = "x"};
    OK(stad_store_area_upsert(f->s, &r, &id));
    assert_int_not_equal(id, a.w1);
}

int main(void)
{
    const char *t = getenv("STAD_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_store", t && *t ? t : "/tmp/stad-test");
    mkdir_p(tmpdir);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_reopen),
        cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_open_fails_cleanly),
        cmocka_unit_test(test_upgrade_v3_opendata_ledger),
        cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_ensure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_assets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_areas, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

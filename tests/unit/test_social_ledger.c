/* Unit tests of the social ledger for tables published outside the analyses (open
 * data): nested cells within one table and against earlier releases, worked by hand;
 * recording is idempotent per release name. Stores live under $STAD_TMP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "stad/social.h"
#include "test_util.h"

static int64_t *range(int64_t from, int64_t to)
{
    int64_t *v = malloc((size_t)(to - from + 1) * sizeof *v);
    assert_non_null(v);
    for (int64_t i = from; i <= to; i++)
        v[i - from] = i;
    return v;
}

static int64_t count_rows(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_pubcell_ledger(void **state)
{
    (void)state;
    const char *tmp = getenv("STAD_TMP");
    char dir[1024], path[1100], side[1200];
    snprintf(dir, sizeof dir, "%s/unit-social-ledger", tmp && *tmp ? tmp : "/tmp");
    mkdir_p(dir);
    snprintf(path, sizeof path, "%s/social.db", dir);
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    stad_ctx *ctx = NULL;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_social_db *db = NULL;
    assert_int_equal(stad_social_db_open(ctx, path, &db), 0);
    char **names = (char **)1;
    size_t nn = 9;
    assert_int_equal(stad_social_sources(db, &names, &nn), 0);
    assert_int_equal(nn, 0);
    free(names);

    /* A wijk of 25 households: buurt A holds 20 of them, buurt B the other 5 (hidden
     * by the threshold). W minus A would describe B's 5: A, the smaller, is marked. */
    int64_t *w = range(1, 25), *a = range(1, 20), *b = range(21, 25);
    stad_social_pubcell cells[3] = {{"wijk|W|2024-01|x", w, 25, 1},
                                    {"buurt|A|2024-01|x", a, 20, 1},
                                    {"buurt|B|2024-01|x", b, 5, 0}};
    int conflict[3] = {9, 9, 9};
    size_t nc = 0;
    char why[512];
    assert_int_equal(stad_social_ledger_check(db, cells, 3, 10, conflict, &nc, why, sizeof why), 0);
    assert_int_equal(nc, 1);
    assert_int_equal(conflict[0], 0);
    assert_int_equal(conflict[1], 1);
    assert_int_equal(conflict[2], 0);
    assert_non_null(strstr(why, "differ by 5 households"));
    /* A hidden too (as the publisher does next): nothing left to compare */
    cells[1].published = 0;
    assert_int_equal(stad_social_ledger_check(db, cells, 3, 10, conflict, &nc, why, sizeof why), 0);
    assert_int_equal(nc, 0);
    assert_string_equal(why, "");
    assert_int_equal(stad_social_ledger_record(db, "r1", "test", cells, 3, 10), 0);
    /* the same name again: already recorded, nothing added */
    assert_int_equal(stad_social_ledger_record(db, "r1", "test", cells, 3, 10), 0);
    stad_social_db_close(db);
    assert_int_equal(count_rows(path, "SELECT count(*) FROM release"), 1);
    assert_int_equal(count_rows(path, "SELECT count(*) FROM release_cell"), 3);
    /* members of published cells only: W's 25 */
    assert_int_equal(count_rows(path, "SELECT count(*) FROM release_member"), 25);
    assert_int_equal(count_rows(path, "SELECT count(*) FROM release_cell WHERE households "
                                      "IS NULL"), 2);

    /* Later: three households joined W. W' minus the published W = those three. */
    assert_int_equal(stad_social_db_open(ctx, path, &db), 0);
    int64_t *w2 = range(1, 28);
    stad_social_pubcell later = {"wijk|W|2024-01|x", w2, 28, 1};
    int c1 = 9;
    assert_int_equal(stad_social_ledger_check(db, &later, 1, 10, &c1, &nc, why, sizeof why), 0);
    assert_int_equal(nc, 1);
    assert_int_equal(c1, 1);
    assert_non_null(strstr(why, "of release r1"));
    assert_non_null(strstr(why, "differ by 3 households"));
    /* ten joined: a group as large as the threshold may be described */
    int64_t *w3 = range(1, 35);
    later.households = w3;
    later.n = 35;
    assert_int_equal(stad_social_ledger_check(db, &later, 1, 10, &c1, &nc, why, sizeof why), 0);
    assert_int_equal(nc, 0);
    assert_int_equal(c1, 0);
    /* not nested (two left, five joined): no set difference describes a group; the
     * count ledger of open data still sees the difference of 3 */
    int64_t *w4 = range(3, 30);
    later.households = w4;
    later.n = 28;
    assert_int_equal(stad_social_ledger_check(db, &later, 1, 10, &c1, &nc, why, sizeof why), 0);
    assert_int_equal(nc, 0);
    /* a cell smaller than W by 2 inside it: also refused (the other direction) */
    int64_t *w5 = range(1, 23);
    later.households = w5;
    later.n = 23;
    assert_int_equal(stad_social_ledger_check(db, &later, 1, 10, &c1, &nc, why, sizeof why), 0);
    assert_int_equal(nc, 1);
    assert_non_null(strstr(why, "differ by 2 households"));
    stad_social_db_close(db);
    free(w);
    free(a);
    free(b);
    free(w2);
    free(w3);
    free(w4);
    free(w5);
    stad_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pubcell_ledger),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

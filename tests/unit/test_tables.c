/* Golden tests of the tables in .docx/.odt/.pdf files (tests/data/tables, made by
 * make-fixtures.sh from the real Groningen and Cincinnati records): the rows ingest
 * reads from each document are compared, field by field, with NAME.expected.csv (the
 * rows as written into the document, read with the CSV reader). Prints the share of
 * records recovered exactly per fixture; the targets are 100% for docx/odt
 * and at least 99% for PDF. Also: page/row references, --table, bad files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "stad/base.h"
#include "stad/ingest.h"
#include "ingest/ingest_internal.h"

static char *fixture(const char *name)
{
    const char *src = getenv("STAD_SOURCE_DIR");
    static char buf[8][4096];
    static int k;
    char *b = buf[k++ % 8];
    snprintf(b, sizeof buf[0], "%s/tests/data/tables/%s", src ? src : ".", name);
    return b;
}

typedef struct rows {
    size_t ncols, n;
    char **header;
    char ***cell;
    int *page;
    int64_t *ref;
} rows;

static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        for (size_t c = 0; c < r->ncols; c++)
            free(r->cell[i][c]);
        free(r->cell[i]);
    }
    for (size_t c = 0; c < r->ncols; c++)
        free(r->header[c]);
    free(r->header);
    free(r->cell);
    free(r->page);
    free(r->ref);
    memset(r, 0, sizeof *r);
}

/* Every row the ingest reader gives for path (table 0: the default choice). */
static int read_rows(stad_ctx *ctx, const char *path, int table, rows *out)
{
    memset(out, 0, sizeof *out);
    ingest_reader_opts o = {NULL, INGEST_ENC_AUTO, 0, table};
    ingest_reader *r;
    int rc = ingest_reader_open(ctx, path, &o, &r);
    if (rc)
        return rc;
    out->ncols = r->ncols;
    out->header = calloc(r->ncols, sizeof *out->header);
    for (size_t c = 0; c < r->ncols; c++)
        out->header[c] = strdup(r->headers[c]);
    ingest_row row;
    size_t cap = 0;
    while ((rc = ingest_reader_next(r, &row)) == 1) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 256;
            out->cell = realloc(out->cell, cap * sizeof *out->cell);
            out->page = realloc(out->page, cap * sizeof *out->page);
            out->ref = realloc(out->ref, cap * sizeof *out->ref);
            assert_non_null(out->cell);
        }
        out->cell[out->n] = calloc(r->ncols, sizeof **out->cell);
        for (size_t c = 0; c < r->ncols; c++)
            out->cell[out->n][c] = strdup(c < row.n ? row.field[c] : "");
        out->page[out->n] = row.page ? row.page : row.table;
        out->ref[out->n] = row.ref;
        out->n++;
    }
    ingest_reader_close(r);
    return rc < 0 ? rc : 0;
}

/* Share of expected records found exactly (all fields equal, in order). */
static double compare(stad_ctx *ctx, const char *doc, const char *expected, size_t *n_exp)
{
    rows got, want;
    int rc = read_rows(ctx, fixture(doc), 0, &got);
    if (rc)
        fail_msg("%s: %s", doc, stad_errmsg(ctx));
    assert_int_equal(read_rows(ctx, fixture(expected), 0, &want), 0);
    assert_int_equal(got.ncols, want.ncols);
    for (size_t c = 0; c < want.ncols; c++)
        if (strcmp(got.header[c], want.header[c]) != 0)
            fail_msg("%s: header %zu is '%s', expected '%s'", doc, c + 1, got.header[c],
                     want.header[c]);
    size_t exact = 0, shown = 0;
    for (size_t i = 0; i < want.n && i < got.n; i++) {
        int same = 1;
        for (size_t c = 0; c < want.ncols && same; c++)
            same = strcmp(got.cell[i][c], want.cell[i][c]) == 0;
        exact += (size_t)same;
        if (!same && shown++ < 5) /* show the first differences */
            print_message("  %s row %zu differs (first field '%s', expected '%s')\n", doc,
                          i + 1, got.cell[i][0], want.cell[i][0]);
    }
    if (got.n != want.n)
        print_message("  %s: %zu rows, expected %zu\n", doc, got.n, want.n);
    *n_exp = want.n;
    double share = want.n ? (double)exact / (double)(got.n > want.n ? got.n : want.n) : 0;
    print_message("recovered exactly: %-20s %4zu of %4zu records (%.1f%%)\n", doc, exact,
                  want.n, 100 * share);
    rows_free(&got);
    rows_free(&want);
    return share;
}

static void check(const char *doc, const char *expected, double min_share, size_t min_rows)
{
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    size_t n;
    double share = compare(ctx, doc, expected, &n);
    assert_true(n >= min_rows); /* the fixture is the one make-fixtures.sh writes */
    if (share < min_share)
        fail_msg("%s: %.2f%% of the records recovered exactly, need %.0f%%", doc, 100 * share,
                 100 * min_share);
    stad_ctx_free(ctx);
}

static void test_docx_monthly(void **s) { (void)s; check("monthly.docx", "monthly.expected.csv", 1.0, 283); }
static void test_odt_monthly(void **s) { (void)s; check("monthly.odt", "monthly.expected.csv", 1.0, 283); }
static void test_docx_merged(void **s) { (void)s; check("merged.docx", "merged.expected.csv", 1.0, 150); }
static void test_odt_merged(void **s) { (void)s; check("merged.odt", "merged.expected.csv", 1.0, 150); }
static void test_docx_spanning(void **s) { (void)s; check("spanning.docx", "spanning.expected.csv", 1.0, 343); }
static void test_odt_dutch(void **s) { (void)s; check("dutch.odt", "dutch.expected.csv", 1.0, 120); }
static void test_pdf_monthly(void **s) { (void)s; check("monthly.pdf", "monthly.expected.csv", 0.99, 283); }
static void test_pdf_spanning(void **s) { (void)s; check("spanning.pdf", "spanning.expected.csv", 0.99, 343); }
static void test_pdf_groff(void **s) { (void)s; check("spanning-groff.pdf", "spanning.expected.csv", 0.99, 343); }
static void test_pdf_merged(void **s) { (void)s; check("merged.pdf", "merged.expected.csv", 0.99, 150); }
static void test_pdf_dutch(void **s) { (void)s; check("dutch.pdf", "dutch.expected.csv", 0.99, 120); }

/* The monthly list has one table per week (5) with one header; the preview numbers
 * them and says which share a header; --table picks one. */
static void test_tables_preview(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_tables *t;
    assert_int_equal(stad_tables_read(ctx, fixture("monthly.docx"), 2, &t), 0);
    assert_string_equal(t->format, "docx");
    assert_int_equal(t->n, 5);
    size_t total = 0;
    for (size_t i = 0; i < t->n; i++) {
        assert_int_equal(t->table[i].same_header_as, 1);
        assert_int_equal(t->table[i].ncols, 9);
        total += t->table[i].nrows;
    }
    assert_int_equal(total, 283);
    assert_string_equal(t->table[0].headers[1], "Begin datum/tijd");
    assert_int_equal(t->table[0].nsample, 2);
    /* first record of March 2016 in the source: PL0100_BVH_2533470 at 01-03-2016 00:00 */
    assert_string_equal(t->table[0].sample[0][0], "PL0100_BVH_2533470");
    assert_string_equal(t->table[0].sample[0][1], "01-03-2016 00:00");
    stad_tables_free(t);

    /* the PDF of the same list: five tables over all pages, page header/footer dropped */
    assert_int_equal(stad_tables_read(ctx, fixture("monthly.pdf"), 1, &t), 0);
    assert_string_equal(t->format, "pdf");
    assert_int_equal(t->n, 5);
    assert_int_equal(t->table[0].first_page, 1);
    assert_true(t->pages >= 5);
    assert_int_equal(t->table[4].last_page, t->pages); /* week 13 ends the list */
    stad_tables_free(t);

    rows r;
    assert_int_equal(read_rows(ctx, fixture("monthly.docx"), 2, &r), 0);
    assert_int_equal(r.n, 56); /* week 10 only */
    assert_string_equal(r.cell[0][0], "PL0100_BVH_2543370");
    rows_free(&r);
    assert_int_equal(read_rows(ctx, fixture("monthly.docx"), 6, &r), STAD_ENOTFOUND);
    assert_non_null(strstr(stad_errmsg(ctx), "no table 6"));
    stad_ctx_free(ctx);
}

/* Row 41 of merged.expected.csv carries the impossible date; in the PDF it is on
 * page 2 (28 rows on page 1), in the docx row 43 of the table (2 header rows). */
static void test_page_refs(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    rows r;
    assert_int_equal(read_rows(ctx, fixture("merged.pdf"), 0, &r), 0);
    assert_true(r.n >= 41);
    assert_string_equal(r.cell[40][1], "31-02-2016 10:00");
    assert_int_equal(r.page[0], 1);
    assert_int_equal(r.ref[0], 2); /* the header is row 1 of page 1 */
    assert_true(r.page[40] >= 2);
    /* the rows of one page are numbered on from the header (row 1) */
    size_t first = 40;
    while (first > 0 && r.page[first - 1] == r.page[40])
        first--;
    assert_int_equal(r.ref[40], (int64_t)(40 - first) + 2);
    rows_free(&r);
    assert_int_equal(read_rows(ctx, fixture("merged.docx"), 0, &r), 0);
    assert_string_equal(r.cell[40][1], "31-02-2016 10:00");
    assert_int_equal(r.page[40], 1); /* table 1 */
    assert_int_equal(r.ref[40], 43);
    rows_free(&r);
    stad_ctx_free(ctx);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void test_bad_files(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_tables *t = NULL;
    assert_int_equal(stad_tables_read(ctx, fixture("scanned.pdf"), 1, &t), STAD_EFORMAT);
    assert_non_null(strstr(stad_errmsg(ctx), "needs OCR"));
    assert_null(t);

    const char *tmp = getenv("STAD_TMP");
    char dir[4096], p[4200];
    snprintf(dir, sizeof dir, "%s", tmp && *tmp ? tmp : "/tmp");
    mkdir(dir, 0777);
    snprintf(p, sizeof p, "%s/not-a-zip.docx", dir);
    write_file(p, "this is no zip", 14);
    assert_int_equal(stad_tables_read(ctx, p, 1, &t), STAD_EFORMAT);
    assert_non_null(strstr(stad_errmsg(ctx), "not a zip"));
    snprintf(p, sizeof p, "%s/broken.pdf", dir);
    write_file(p, "%PDF-1.4\n1 0 obj\n<<", 20);
    assert_int_equal(stad_tables_read(ctx, p, 1, &t), STAD_EFORMAT);
    assert_non_null(strstr(stad_errmsg(ctx), "not a readable PDF"));
    /* an odt in place of a docx: the zip has no word/document.xml */
    snprintf(p, sizeof p, "%s/odt-as.docx", dir);
    FILE *in = fopen(fixture("merged.odt"), "rb");
    assert_non_null(in);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    write_file(p, buf, n);
    assert_int_equal(stad_tables_read(ctx, p, 1, &t), STAD_EFORMAT);
    assert_non_null(strstr(stad_errmsg(ctx), "no word/document.xml"));
    stad_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docx_monthly),  cmocka_unit_test(test_odt_monthly),
        cmocka_unit_test(test_docx_merged),   cmocka_unit_test(test_odt_merged),
        cmocka_unit_test(test_docx_spanning), cmocka_unit_test(test_odt_dutch),
        cmocka_unit_test(test_pdf_monthly),   cmocka_unit_test(test_pdf_spanning),
        cmocka_unit_test(test_pdf_groff),     cmocka_unit_test(test_pdf_merged),
        cmocka_unit_test(test_pdf_dutch),     cmocka_unit_test(test_tables_preview),
        cmocka_unit_test(test_page_refs),     cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tables of documents (.docx, .odt, .pdf): the table model the two readers fill, the
 * choice of table(s) for ingest, the row reader over them, and the preview of
 * `stad tables`. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stad/tables.h"
#include "stad/timeparse.h"
#include "ingest/ingest_internal.h"

static int has_suffix(const char *path, const char *suffix)
{
    size_t n = strlen(path), k = strlen(suffix);
    return n > k && strcasecmp(path + n - k, suffix) == 0;
}

int stad_tables_path_is_document(const char *path)
{
    return path && (has_suffix(path, ".docx") || has_suffix(path, ".odt") ||
                    has_suffix(path, ".pdf"));
}

/* ---------- the model ---------- */

void ingest_doc_init(ingest_doc *d, const char *format)
{
    memset(d, 0, sizeof *d);
    d->format = format;
    stad_arena_init(&d->arena, 0);
}

void ingest_doc_free(ingest_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->t[i].row);
    free(d->t);
    stad_arena_free(&d->arena);
    memset(d, 0, sizeof *d);
}

ingest_table *ingest_doc_add_table(ingest_doc *d, size_t ncols)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        ingest_table *t = realloc(d->t, cap * sizeof *t);
        if (!t)
            return NULL;
        d->t = t;
        d->cap = cap;
    }
    ingest_table *t = &d->t[d->n];
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->header = stad_arena_alloc(&d->arena, (ncols + 1) * sizeof *t->header);
    if (!t->header)
        return NULL;
    for (size_t i = 0; i < ncols; i++)
        t->header[i] = "";
    d->n++;
    return t;
}

int ingest_table_add_row(ingest_doc *d, ingest_table *t, const char *const *cells, int page,
                         int64_t ref)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        ingest_trow *r = realloc(t->row, cap * sizeof *r);
        if (!r)
            return STAD_ENOMEM;
        t->row = r;
        t->cap = cap;
    }
    ingest_trow *r = &t->row[t->nrows];
    r->cell = stad_arena_alloc(&d->arena, (t->ncols + 1) * sizeof *r->cell);
    if (!r->cell)
        return STAD_ENOMEM;
    for (size_t i = 0; i < t->ncols; i++) {
        r->cell[i] = stad_arena_strdup(&d->arena, cells[i] ? cells[i] : "");
        if (!r->cell[i])
            return STAD_ENOMEM;
    }
    r->page = page;
    r->ref = ref;
    t->nrows++;
    if (page && (!t->first_page || page < t->first_page))
        t->first_page = page;
    if (page > t->last_page)
        t->last_page = page;
    return 0;
}

void ingest_text_squeeze(char *s)
{
    char *w = s;
    int space = 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        /* U+00A0 (no-break space) is white space in a table cell too */
        int ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
        if (c == 0xC2 && (unsigned char)p[1] == 0xA0) {
            ws = 1;
            p++;
        }
        if (ws) {
            space = w != s;
            continue;
        }
        if (space)
            *w++ = ' ';
        space = 0;
        *w++ = *p;
    }
    *w = '\0';
}

int ingest_text_is_value(const char *s)
{
    size_t digits = 0, alpha = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (isalpha((unsigned char)*p))
            alpha++;
    }
    if (!digits)
        return 0;
    int64_t t;
    int prec;
    const char *why;
    if (stad_time_parse(s, &t, &prec, &why) == 0)
        return 1;
    /* numbers, codes ("A72", "9715PZ", "15 A") and times: mostly digits */
    return digits >= alpha;
}

/* Same header: same number of columns and the same names, compared as ingest compares
 * headers (case, punctuation and spacing do not matter). */
static int same_header(const ingest_table *a, const ingest_table *b)
{
    if (a->ncols != b->ncols)
        return 0;
    for (size_t i = 0; i < a->ncols; i++) {
        char x[256], y[256];
        ingest_header_norm(a->header[i], x, sizeof x);
        ingest_header_norm(b->header[i], y, sizeof y);
        if (strcmp(x, y) != 0)
            return 0;
    }
    return 1;
}

int ingest_doc_load(stad_ctx *ctx, const char *path, ingest_doc *out)
{
    if (has_suffix(path, ".pdf"))
        return ingest_pdf_load(ctx, path, out);
    return ingest_docx_load(ctx, path, out);
}

/* ---------- the row reader ---------- */

typedef struct doc_impl {
    ingest_doc doc;
    int *use;      /* table indexes to read, in order */
    size_t nuse, at;
    size_t next_row;
    int64_t line;  /* header = 1, as a sheet */
} doc_impl;

static int doc_next(ingest_reader *r, ingest_row *row)
{
    doc_impl *d = r->impl;
    while (d->at < d->nuse) {
        const ingest_table *t = &d->doc.t[d->use[d->at]];
        if (d->next_row < t->nrows) {
            const ingest_trow *tr = &t->row[d->next_row++];
            memset(row, 0, sizeof *row);
            row->field = (const char *const *)tr->cell;
            row->n = t->ncols;
            row->line = ++d->line;
            row->page = tr->page;
            row->table = tr->page ? 0 : d->use[d->at] + 1;
            row->ref = tr->ref;
            r->bytes_done++;
            return 1;
        }
        d->at++;
        d->next_row = 0;
    }
    return 0;
}

static void doc_close(ingest_reader *r)
{
    doc_impl *d = r->impl;
    if (!d)
        return;
    ingest_doc_free(&d->doc);
    free(d->use);
    free(d);
}

static const ingest_reader_ops doc_ops = {doc_next, doc_close};

/* The default table: the first with a header of two or more columns and data. */
static int first_data_table(const ingest_doc *doc)
{
    for (size_t i = 0; i < doc->n; i++)
        if (doc->t[i].ncols >= 2 && doc->t[i].nrows > 0)
            return (int)i;
    return -1;
}

int ingest_doc_open(stad_ctx *ctx, const char *path, const ingest_reader_opts *o,
                    ingest_reader **out)
{
    *out = NULL;
    ingest_reader *r = calloc(1, sizeof *r);
    doc_impl *d = calloc(1, sizeof *d);
    int rc = 0;
    if (!r || !d) {
        free(r);
        free(d);
        return stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
    }
    r->ops = &doc_ops;
    r->ctx = ctx;
    r->impl = d;
    r->delimiter = ',';
    r->spreadsheet = 1; /* a table: no geometry of its own */
    r->path = strdup(path);
    if (!r->path) {
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    if ((rc = ingest_doc_load(ctx, path, &d->doc)))
        goto fail;
    r->format = d->doc.format;
    int want = o ? o->table : 0;
    int first;
    if (want > 0) {
        if ((size_t)want > d->doc.n) {
            rc = stad_fail(ctx, STAD_ENOTFOUND, "%s: there is no table %d; the file has %zu "
                           "(see stad tables)", path, want, d->doc.n);
            goto fail;
        }
        first = want - 1;
    } else if ((first = first_data_table(&d->doc)) < 0) {
        rc = stad_fail(ctx, STAD_EEMPTY, "%s: no table with a header and rows found%s", path,
                       d->doc.n ? " (see stad tables)" : "");
        goto fail;
    }
    d->use = malloc(d->doc.n * sizeof *d->use);
    if (!d->use) {
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    d->use[d->nuse++] = first;
    for (size_t i = (size_t)first + 1; want == 0 && i < d->doc.n; i++)
        if (same_header(&d->doc.t[first], &d->doc.t[i]))
            d->use[d->nuse++] = (int)i;
    const ingest_table *t = &d->doc.t[first];
    r->ncols = t->ncols;
    r->headers = calloc(t->ncols + 1, sizeof *r->headers);
    if (!r->headers) {
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    for (size_t i = 0; i < t->ncols; i++)
        if (!(r->headers[i] = strdup(t->header[i]))) {
            rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
    for (size_t i = 0; i < d->nuse; i++)
        r->bytes_total += d->doc.t[d->use[i]].nrows;
    d->line = 1;
    *out = r;
    return 0;
fail:
    ingest_reader_close(r);
    return rc;
}

/* ---------- the preview ---------- */

void stad_tables_free(stad_tables *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        stad_table_info *ti = &t->table[i];
        for (size_t c = 0; ti->headers && c < ti->ncols; c++)
            free(ti->headers[c]);
        free(ti->headers);
        for (size_t r = 0; ti->sample && r < ti->nsample; r++) {
            for (size_t c = 0; ti->sample[r] && c < ti->ncols; c++)
                free(ti->sample[r][c]);
            free(ti->sample[r]);
        }
        free(ti->sample);
    }
    free(t->table);
    free(t);
}

static char **copy_strings(char *const *s, size_t n)
{
    char **out = calloc(n + 1, sizeof *out);
    for (size_t i = 0; out && i < n; i++)
        if (!(out[i] = strdup(s[i]))) {
            for (size_t k = 0; k < i; k++)
                free(out[k]);
            free(out);
            return NULL;
        }
    return out;
}

int stad_tables_read(stad_ctx *ctx, const char *path, size_t sample_rows, stad_tables **out)
{
    *out = NULL;
    if (!stad_tables_path_is_document(path))
        return stad_fail(ctx, STAD_EFORMAT, "%s: not a .docx, .odt or .pdf file", path);
    ingest_doc doc;
    int rc = ingest_doc_load(ctx, path, &doc);
    if (rc) {
        ingest_doc_free(&doc);
        return rc;
    }
    stad_tables *t = calloc(1, sizeof *t);
    if (!t || !(t->table = calloc(doc.n + 1, sizeof *t->table))) {
        free(t);
        ingest_doc_free(&doc);
        return stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
    }
    t->format = doc.format;
    t->pages = doc.pages;
    t->n = doc.n;
    for (size_t i = 0; i < doc.n && !rc; i++) {
        const ingest_table *src = &doc.t[i];
        stad_table_info *ti = &t->table[i];
        ti->index = (int)i + 1;
        ti->first_page = src->first_page;
        ti->last_page = src->last_page;
        ti->same_header_as = ti->index;
        for (size_t k = 0; k < i; k++)
            if (same_header(&doc.t[k], src)) {
                ti->same_header_as = (int)k + 1;
                break;
            }
        ti->ncols = src->ncols;
        ti->nrows = src->nrows;
        ti->headers = copy_strings(src->header, src->ncols);
        size_t ns = src->nrows < sample_rows ? src->nrows : sample_rows;
        ti->sample = calloc(ns + 1, sizeof *ti->sample);
        if (!ti->headers || !ti->sample) {
            rc = STAD_ENOMEM;
            break;
        }
        for (size_t r = 0; r < ns; r++, ti->nsample++)
            if (!(ti->sample[r] = copy_strings(src->row[r].cell, src->ncols))) {
                rc = STAD_ENOMEM;
                break;
            }
    }
    ingest_doc_free(&doc);
    if (rc) {
        stad_tables_free(t);
        return stad_fail(ctx, rc, "%s: out of memory", path);
    }
    *out = t;
    return 0;
}

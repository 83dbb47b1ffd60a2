/* Tables from the words of PDF pages (no ruling lines needed).
 *
 * 1. Lines: words on one baseline. Phrases: words of a line closer than 0.4 line
 *    heights (a space is about 0.3; the gap between two cells is wider).
 * 2. Page furniture: a line with the same text (the page number ignored) at the same
 *    height on at least half of the pages is a page header or footer and dropped,
 *    unless it has several phrases and rows follow it closely (a repeated table header).
 * 3. Blocks: runs of lines with two or more phrases, less than 2.5 line heights apart;
 *    a one-phrase line right under a block line (a wrapped cell) belongs to the block.
 * 4. Header: the first lines of a block with no number or date (at most three).
 *    Columns: the gaps that no phrase of a data line crosses. A header phrase is
 *    given to every column it overlaps; a group label ("Pleegdatum") also to the next
 *    columns without a label of their own that have sub-labels on a lower line.
 * 5. Rows: a data line with nothing in the anchor column (the column filled most often)
 *    close under the previous one continues its row (a wrapped cell).
 * 6. Pages: the first block of a page continues the open table when it repeats its
 *    header or starts with data in no more columns than the table has. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_internal.h"

#define PHRASE_GAP 0.4   /* line heights */
#define BLOCK_GAP 2.5
#define WRAP_GAP 0.8
#define MAX_HEADER_LINES 3

typedef struct phrase {
    double x0, x1;
    char *text;
    int value;
} phrase;

typedef struct line {
    double y0, y1, base, h;
    phrase *p;
    size_t np;
    int page;      /* 1-based */
    int drop;      /* page furniture */
} line;

typedef struct open_table {
    size_t ti;          /* index in doc->t; (size_t)-1: none */
    size_t ncols;
    double *cx0, *cx1;  /* column extents */
    char *hkey;         /* header lines' text, to recognise a repeated header */
    size_t nhead;       /* header lines */
    int anchor;
    /* the row being built (flushed when the next starts) */
    stad_strbuf *cell;
    int have_row, row_page;
    int64_t row_ref;
    double last_y1;     /* bottom of the last line added */
} open_table;

typedef struct layout {
    stad_ctx *ctx;
    const char *path;
    ingest_doc *doc;
    stad_arena a;       /* lines and phrases */
    line *ln;
    size_t nln, cap;
    open_table ot;
    stad_strbuf tmp;
} layout;

static int cmp_word(const void *pa, const void *pb)
{
    const ingest_word *a = *(ingest_word *const *)pa, *b = *(ingest_word *const *)pb;
    if (a->base != b->base)
        return a->base < b->base ? -1 : 1;
    return a->x0 < b->x0 ? -1 : a->x0 > b->x0;
}

static int cmp_wordx(const void *pa, const void *pb)
{
    const ingest_word *a = *(ingest_word *const *)pa, *b = *(ingest_word *const *)pb;
    return a->x0 < b->x0 ? -1 : a->x0 > b->x0;
}

static line *add_line(layout *L)
{
    if (L->nln == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 256;
        line *n = realloc(L->ln, cap * sizeof *n);
        if (!n)
            return NULL;
        L->ln = n;
        L->cap = cap;
    }
    line *l = &L->ln[L->nln++];
    memset(l, 0, sizeof *l);
    return l;
}

/* One line from words w[0..n) (sorted by x). */
static int make_line(layout *L, ingest_word **w, size_t n, int page)
{
    line *l = add_line(L);
    if (!l)
        return STAD_ENOMEM;
    l->page = page;
    l->y0 = w[0]->y0;
    l->y1 = w[0]->y1;
    l->base = w[0]->base;
    double hs = 0;
    for (size_t i = 0; i < n; i++) {
        if (w[i]->y0 < l->y0) l->y0 = w[i]->y0;
        if (w[i]->y1 > l->y1) l->y1 = w[i]->y1;
        hs += w[i]->y1 - w[i]->y0;
    }
    l->h = hs / (double)n;
    if (l->h <= 0)
        l->h = 1;
    l->p = stad_arena_alloc(&L->a, n * sizeof *l->p);
    if (!l->p)
        return STAD_ENOMEM;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        double x1 = w[i]->x1;
        while (j < n && w[j]->x0 - x1 < PHRASE_GAP * l->h) {
            if (w[j]->x1 > x1)
                x1 = w[j]->x1;
            j++;
        }
        stad_strbuf_clear(&L->tmp);
        for (size_t k = i; k < j; k++) {
            if (k > i)
                stad_strbuf_append_char(&L->tmp, ' ');
            stad_strbuf_append(&L->tmp, w[k]->text);
        }
        phrase *p = &l->p[l->np++];
        p->x0 = w[i]->x0;
        p->x1 = x1;
        p->text = stad_arena_strdup(&L->a, stad_strbuf_str(&L->tmp));
        if (!p->text || L->tmp.oom)
            return STAD_ENOMEM;
        p->value = ingest_text_is_value(p->text);
        i = j;
    }
    return 0;
}

static int page_lines(layout *L, const ingest_pdf_page *pg, int page)
{
    if (!pg->n)
        return 0;
    ingest_word **w = malloc(pg->n * sizeof *w);
    if (!w)
        return STAD_ENOMEM;
    for (size_t i = 0; i < pg->n; i++)
        w[i] = &pg->w[i];
    qsort(w, pg->n, sizeof *w, cmp_word);
    int rc = 0;
    for (size_t i = 0; i < pg->n && !rc;) {
        size_t j = i + 1;
        double h = w[i]->y1 - w[i]->y0;
        while (j < pg->n && w[j]->base - w[i]->base <= 0.35 * (h > 0 ? h : 1))
            j++;
        qsort(w + i, j - i, sizeof *w, cmp_wordx);
        rc = make_line(L, w + i, j - i, page);
        i = j;
    }
    free(w);
    return rc;
}

/* ---------- page furniture ---------- */

/* The line's text with the page number written as '#', and its height in 4 pt steps. */
static void furniture_key(layout *L, const line *l, int bucket, stad_strbuf *out)
{
    char pn[16];
    snprintf(pn, sizeof pn, "%d", l->page);
    stad_strbuf_clear(out);
    for (size_t i = 0; i < l->np; i++) {
        const char *s = l->p[i].text;
        if (i)
            stad_strbuf_append_char(out, '|');
        /* each maximal digit run equal to the page number becomes '#' */
        for (const char *q = s; *q;) {
            if (*q >= '0' && *q <= '9') {
                const char *e = q;
                while (*e >= '0' && *e <= '9')
                    e++;
                if ((size_t)(e - q) == strlen(pn) && strncmp(q, pn, (size_t)(e - q)) == 0)
                    stad_strbuf_append_char(out, '#');
                else
                    stad_strbuf_append_n(out, q, (size_t)(e - q));
                q = e;
            } else {
                stad_strbuf_append_char(out, *q++);
            }
        }
    }
    stad_strbuf_printf(out, "@%d", bucket);
    (void)L;
}

static int mark_furniture(layout *L, int npages)
{
    if (npages < 2)
        return 0;
    ingest_map m;
    ingest_map_init(&m);
    stad_strbuf k = STAD_STRBUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < L->nln && !rc; i++) {
        furniture_key(L, &L->ln[i], (int)floor(L->ln[i].y0 / 4.0), &k);
        int64_t *v = ingest_map_upsert(&m, stad_strbuf_str(&k), 0);
        if (!v || k.oom)
            rc = STAD_ENOMEM;
        else
            (*v)++;
    }
    int64_t need = npages / 2 > 2 ? npages / 2 : 2;
    for (size_t i = 0; i < L->nln && !rc; i++) {
        int64_t n = 0;
        int b = (int)floor(L->ln[i].y0 / 4.0);
        for (int d = -1; d <= 1; d++) {
            furniture_key(L, &L->ln[i], b + d, &k);
            int64_t *v = ingest_map_get(&m, stad_strbuf_str(&k));
            if (v)
                n += *v;
        }
        L->ln[i].drop = n >= need;
    }
    /* a repeated line with several phrases, with table rows close under it (maybe
     * through more repeated lines), is a table header repeated on each page */
    for (size_t i = 0; i < L->nln; i++) {
        if (!L->ln[i].drop || L->ln[i].np < 2)
            continue;
        for (size_t j = i + 1; j < L->nln && L->ln[j].page == L->ln[i].page; j++) {
            double gap = L->ln[j].y0 - L->ln[j - 1].y1;
            if (gap > (L->ln[j].np < 2 ? WRAP_GAP : BLOCK_GAP) * L->ln[j - 1].h)
                break;
            if (!L->ln[j].drop) {
                for (size_t q = i; q < j; q++)
                    L->ln[q].drop = 0;
                break;
            }
        }
    }
    ingest_map_free(&m);
    stad_strbuf_free(&k);
    return rc;
}

/* ---------- tables ---------- */

static void ot_reset(open_table *ot)
{
    if (ot->cell)
        for (size_t i = 0; i < ot->ncols; i++)
            stad_strbuf_free(&ot->cell[i]);
    free(ot->cell);
    free(ot->cx0);
    free(ot->cx1);
    free(ot->hkey);
    memset(ot, 0, sizeof *ot);
    ot->ti = (size_t)-1;
}

static int flush_row(layout *L)
{
    open_table *ot = &L->ot;
    if (!ot->have_row)
        return 0;
    const char **cells = malloc((ot->ncols + 1) * sizeof *cells);
    if (!cells)
        return STAD_ENOMEM;
    for (size_t c = 0; c < ot->ncols; c++)
        cells[c] = stad_strbuf_str(&ot->cell[c]);
    int rc = ingest_table_add_row(L->doc, &L->doc->t[ot->ti], cells, ot->row_page, ot->row_ref);
    free(cells);
    for (size_t c = 0; c < ot->ncols; c++)
        stad_strbuf_clear(&ot->cell[c]);
    ot->have_row = 0;
    return rc;
}

/* Column of a phrase: the one it overlaps most, else the nearest. */
static size_t column_of(const open_table *ot, const phrase *p)
{
    size_t best = 0;
    double bo = -1e300;
    for (size_t c = 0; c < ot->ncols; c++) {
        double ov = fmin(p->x1, ot->cx1[c]) - fmax(p->x0, ot->cx0[c]);
        if (ov <= 0) /* negative distance when apart */
            ov = -fmin(fabs(p->x0 - ot->cx1[c]), fabs(ot->cx0[c] - p->x1));
        if (ov > bo) {
            bo = ov;
            best = c;
        }
    }
    return best;
}

static int put_cell(stad_strbuf *b, const char *s)
{
    if (b->len)
        stad_strbuf_append_char(b, ' ');
    return stad_strbuf_append(b, s);
}

typedef struct span {
    double x0, x1;
} span;

static int cmp_span(const void *pa, const void *pb)
{
    const span *a = pa, *b = pb;
    return a->x0 < b->x0 ? -1 : a->x0 > b->x0;
}

/* Columns of a block from its data lines: the union of their phrases' extents. Header
 * phrases over no data column (a column empty on this page) add columns of their own. */
static int block_columns(layout *L, const line *ln, size_t nhead, size_t n)
{
    open_table *ot = &L->ot;
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        np += ln[i].np;
    span *s = malloc((np + 1) * sizeof *s);
    if (!s)
        return STAD_ENOMEM;
    size_t k = 0;
    for (size_t i = nhead; i < n; i++)
        for (size_t j = 0; j < ln[i].np; j++)
            s[k++] = (span){ln[i].p[j].x0, ln[i].p[j].x1};
    qsort(s, k, sizeof *s, cmp_span);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m && s[i].x0 <= s[m - 1].x1 + 0.5)
            s[m - 1].x1 = fmax(s[m - 1].x1, s[i].x1);
        else
            s[m++] = s[i];
    }
    /* A header phrase between data columns labels the column to its right (a left-
     * aligned label over right-aligned numbers) or left, when that column has no
     * label on the same header line; else it is a column of its own, empty here. */
    for (size_t i = 0; i < nhead; i++)
        for (size_t j = 0; j < ln[i].np; j++) {
            const phrase *p = &ln[i].p[j];
            int over = 0;
            for (size_t c = 0; c < m && !over; c++)
                over = p->x1 > s[c].x0 && p->x0 < s[c].x1;
            if (over)
                continue;
            size_t r = 0;
            while (r < m && s[r].x0 < p->x1)
                r++;
            int taken_r = r >= m, taken_l = r == 0;
            for (size_t q = 0; q < ln[i].np; q++) {
                const phrase *o = &ln[i].p[q];
                if (q == j)
                    continue;
                if (r < m && o->x1 > s[r].x0 && o->x0 < s[r].x1)
                    taken_r = 1;
                if (r > 0 && o->x1 > s[r - 1].x0 && o->x0 < s[r - 1].x1)
                    taken_l = 1;
            }
            if (!taken_r)
                s[r].x0 = p->x0;
            else if (!taken_l)
                s[r - 1].x1 = p->x1;
            else {
                s[m++] = (span){p->x0, p->x1};
                qsort(s, m, sizeof *s, cmp_span);
            }
        }
    ot->ncols = m;
    ot->cx0 = malloc((m + 1) * sizeof *ot->cx0);
    ot->cx1 = malloc((m + 1) * sizeof *ot->cx1);
    ot->cell = calloc(m + 1, sizeof *ot->cell);
    int rc = ot->cx0 && ot->cx1 && ot->cell ? 0 : STAD_ENOMEM;
    for (size_t c = 0; c < m && !rc; c++) {
        ot->cx0[c] = s[c].x0;
        ot->cx1[c] = s[c].x1;
    }
    free(s);
    return rc;
}

/* Header names from the header lines (see 4. above). */
static int block_header(layout *L, const line *ln, size_t nhead)
{
    open_table *ot = &L->ot;
    ingest_table *t = &L->doc->t[ot->ti];
    size_t nc = ot->ncols;
    stad_strbuf *h = calloc(nc + 1, sizeof *h);
    unsigned char *has = calloc(nhead * nc + 1, 1); /* header line i has a label in c */
    int *last_line = malloc((nc + 1) * sizeof *last_line); /* last label: its line, end */
    double *last_x1 = malloc((nc + 1) * sizeof *last_x1);
    int rc = h && has && last_line && last_x1 ? 0 : STAD_ENOMEM;
    for (size_t c = 0; c < nc && !rc; c++)
        last_line[c] = -1;
    for (size_t i = 0; i < nhead && !rc; i++)
        for (size_t j = 0; j < ln[i].np; j++) {
            const phrase *p = &ln[i].p[j];
            for (size_t c = 0; c < nc; c++)
                if (p->x1 > ot->cx0[c] && p->x0 < ot->cx1[c])
                    has[i * nc + c] = 1;
            has[i * nc + column_of(ot, p)] = 1;
        }
    for (size_t i = 0; i < nhead && !rc; i++) {
        for (size_t j = 0; j < ln[i].np; j++) {
            const phrase *p = &ln[i].p[j];
            size_t first = nc, last = 0;
            for (size_t c = 0; c < nc; c++)
                if (p->x1 > ot->cx0[c] && p->x0 < ot->cx1[c]) {
                    if (first == nc)
                        first = c;
                    last = c;
                }
            if (first == nc)
                first = last = column_of(ot, p);
            /* a group label reaches over the unlabelled columns with sub-labels below */
            while (last + 1 < nc && !has[i * nc + last + 1] && has[i * nc + last]) {
                int below = 0, below_here = 0;
                for (size_t q = i + 1; q < nhead; q++) {
                    below |= has[q * nc + last + 1];
                    below_here |= has[q * nc + last];
                }
                if (!below || !below_here)
                    break;
                last++;
                has[i * nc + last] = 1;
            }
            for (size_t c = first; c <= last; c++) {
                /* a word broken over two lines of a narrow cell ("Huisnumme" "r") */
                double limit = c + 1 < nc ? ot->cx0[c + 1] : ot->cx1[c] + 0.3 * ln[i].h;
                const char *e = h[c].len ? h[c].s + h[c].len - 1 : NULL;
                int broken = i > 0 && last_line[c] == (int)i - 1 &&
                             ln[i].y0 - ln[i - 1].y1 < 0.25 * ln[i].h && e &&
                             *e >= 'a' && *e <= 'z' && p->text[0] >= 'a' &&
                             p->text[0] <= 'z' && !strchr(p->text, ' ') &&
                             limit - last_x1[c] < ln[i].h;
                if (broken)
                    stad_strbuf_append(&h[c], p->text);
                else
                    put_cell(&h[c], p->text);
                last_line[c] = (int)i;
                last_x1[c] = p->x1;
            }
        }
    }
    for (size_t c = 0; c < nc && !rc; c++) {
        if (!h[c].len)
            stad_strbuf_printf(&h[c], "column %zu", c + 1);
        if (h[c].oom || !(t->header[c] = stad_arena_strdup(&L->doc->arena, stad_strbuf_str(&h[c]))))
            rc = STAD_ENOMEM;
    }
    for (size_t c = 0; h && c < nc; c++)
        stad_strbuf_free(&h[c]);
    free(h);
    free(has);
    free(last_line);
    free(last_x1);
    return rc;
}

static char *header_key(const line *ln, size_t nhead)
{
    stad_strbuf k = STAD_STRBUF_INIT;
    for (size_t i = 0; i < nhead; i++)
        for (size_t j = 0; j < ln[i].np; j++) {
            stad_strbuf_append(&k, ln[i].p[j].text);
            stad_strbuf_append_char(&k, '|');
        }
    return stad_strbuf_take(&k);
}

static size_t count_header_lines(const line *ln, size_t n)
{
    size_t h = 0;
    while (h < n && h < MAX_HEADER_LINES && h + 1 < n) {
        int value = 0;
        for (size_t j = 0; j < ln[h].np && !value; j++)
            value = ln[h].p[j].value;
        if (value)
            break;
        h++;
    }
    return h;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

/* Median vertical gap between consecutive lines (-1e300 when there is none). */
static double median_gap(const line *ln, size_t n)
{
    if (n < 2)
        return -1e300;
    double *g = malloc((n - 1) * sizeof *g);
    if (!g)
        return -1e300;
    for (size_t i = 1; i < n; i++)
        g[i - 1] = ln[i].y0 - ln[i - 1].y1;
    qsort(g, n - 1, sizeof *g, cmp_double);
    double m = g[(n - 1) / 2];
    free(g);
    return m;
}

/* Adds the data lines ln[from..n) of a block to the open table. */
static int block_rows(layout *L, const line *ln, size_t from, size_t n, int header_on_page,
                      int *row_on_page)
{
    open_table *ot = &L->ot;
    int rc = 0;
    double gmed = median_gap(ln + from, n - from);
    for (size_t i = from; i < n && !rc; i++) {
        const line *l = &ln[i];
        int anchor_filled = 0;
        for (size_t j = 0; j < l->np; j++)
            anchor_filled |= (int)column_of(ot, &l->p[j]) == ot->anchor;
        double gap = i > from ? l->y0 - ln[i - 1].y1 : 0;
        int close = i > from ? gap < WRAP_GAP * l->h
                             : (*row_on_page == 0 && !header_on_page); /* split over pages */
        /* clearly tighter than the usual space between rows, and as close as the
         * lines of a paragraph: the same cell, wrapped */
        int tight = i > from && gap < gmed - 0.25 * l->h && gap < 0.1 * l->h;
        int cont = ot->have_row && ((!anchor_filled && close) || tight);
        if (!cont && l->np == 1 && ot->ncols >= 3)
            continue; /* a paragraph under the table ("Einde overzicht."), not a row */
        if (!cont) {
            if ((rc = flush_row(L)))
                break;
            ot->have_row = 1;
            ot->row_page = l->page;
            ot->row_ref = ++*row_on_page + (header_on_page ? 1 : 0);
        }
        for (size_t j = 0; j < l->np && !rc; j++)
            rc = put_cell(&ot->cell[column_of(ot, &l->p[j])], l->p[j].text);
        for (size_t c = 0; c < ot->ncols && !rc; c++)
            rc = ot->cell[c].oom ? STAD_ENOMEM : 0;
    }
    return rc;
}

/* The anchor column: filled on (nearly) every row. */
static int anchor_column(const open_table *ot, const line *ln, size_t from, size_t n)
{
    size_t *cnt = calloc(ot->ncols + 1, sizeof *cnt);
    if (!cnt)
        return 0;
    for (size_t i = from; i < n; i++) {
        unsigned char seen[4096] = {0};
        for (size_t j = 0; j < ln[i].np; j++) {
            size_t c = column_of(ot, &ln[i].p[j]);
            if (c < sizeof seen && !seen[c]) {
                seen[c] = 1;
                cnt[c]++;
            }
        }
    }
    /* wrapped cells add lines to their column: the leftmost of the nearly full ones */
    size_t max = 0;
    for (size_t c = 0; c < ot->ncols; c++)
        if (cnt[c] > max)
            max = cnt[c];
    int best = 0;
    while ((size_t)best + 1 < ot->ncols && (double)cnt[best] < 0.9 * (double)max)
        best++;
    free(cnt);
    return best;
}

static int block_done(layout *L, const line *ln, size_t n, int first_on_page)
{
    open_table *ot = &L->ot;
    size_t nhead = count_header_lines(ln, n);
    int rc = 0;
    int row_on_page = 0;
    /* the first block of a page may go on with the table of the page before */
    if (first_on_page && ot->ti != (size_t)-1) {
        int data_first = nhead == 0 && ln[0].np <= ot->ncols;
        char *key = nhead ? header_key(ln, nhead) : NULL;
        int repeat = key && ot->hkey && strcmp(key, ot->hkey) == 0;
        /* fewer header-like lines than the table's header: a row of text only */
        if (!repeat && nhead && nhead < ot->nhead)
            repeat = 0;
        free(key);
        if (repeat || data_first) {
            rc = block_rows(L, ln, repeat ? nhead : 0, n, repeat, &row_on_page);
            L->doc->t[ot->ti].last_page = ln[0].page;
            return rc;
        }
    }
    if (n < 2 && !first_on_page)
        return 0; /* a lone line between blocks: not a table */
    if (n < 2 || (ln[0].np < 2 && n < 3))
        return 0;
    if ((rc = flush_row(L)))
        return rc;
    ot_reset(ot);
    if ((rc = block_columns(L, ln, nhead, n)))
        return rc;
    if (ot->ncols < 2) {
        ot_reset(ot);
        return 0;
    }
    if (!ingest_doc_add_table(L->doc, ot->ncols))
        return STAD_ENOMEM;
    ot->ti = L->doc->n - 1;
    ot->nhead = nhead;
    ot->hkey = nhead ? header_key(ln, nhead) : NULL;
    L->doc->t[ot->ti].first_page = L->doc->t[ot->ti].last_page = ln[0].page;
    if ((rc = block_header(L, ln, nhead)))
        return rc;
    ot->anchor = anchor_column(ot, ln, nhead, n);
    return block_rows(L, ln, nhead, n, nhead > 0, &row_on_page);
}

/* Splits the kept lines of one page ln[0..n) into blocks. */
static int page_blocks(layout *L, line *ln, size_t n)
{
    size_t i = 0;
    int first = 1;
    line *buf = malloc((n + 1) * sizeof *buf);
    if (!buf)
        return STAD_ENOMEM;
    int rc = 0;
    while (i < n && !rc) {
        if (ln[i].drop || ln[i].np < 2) {
            /* a one-phrase line opens a block only as a continued row on a new page */
            if (!(first && !ln[i].drop && L->ot.ti != (size_t)-1 && i + 1 < n &&
                  !ln[i + 1].drop && ln[i + 1].np >= 2 &&
                  ln[i + 1].y0 - ln[i].y1 < BLOCK_GAP * ln[i].h)) {
                i++;
                continue;
            }
        }
        size_t k = 0;
        buf[k++] = ln[i];
        size_t j = i + 1;
        for (; j < n; j++) {
            if (ln[j].drop)
                continue;
            const line *prev = &buf[k - 1];
            double gap = ln[j].y0 - prev->y1;
            if (ln[j].np >= 2 ? gap > BLOCK_GAP * prev->h : gap > WRAP_GAP * prev->h)
                break;
            buf[k++] = ln[j];
        }
        rc = block_done(L, buf, k, first);
        first = 0;
        i = j;
    }
    free(buf);
    return rc;
}

int ingest_pdf_tables(stad_ctx *ctx, const char *path, const ingest_pdf_page *pages,
                      size_t npages, ingest_doc *doc)
{
    layout L;
    memset(&L, 0, sizeof L);
    L.ctx = ctx;
    L.path = path;
    L.doc = doc;
    L.ot.ti = (size_t)-1;
    stad_arena_init(&L.a, 0);
    int rc = 0;
    for (size_t p = 0; p < npages && !rc; p++)
        rc = page_lines(&L, &pages[p], (int)p + 1);
    if (!rc)
        rc = mark_furniture(&L, (int)npages);
    for (size_t i = 0; i < L.nln && !rc;) {
        size_t j = i;
        while (j < L.nln && L.ln[j].page == L.ln[i].page)
            j++;
        rc = page_blocks(&L, L.ln + i, j - i);
        i = j;
    }
    if (!rc && L.ot.ti != (size_t)-1)
        rc = flush_row(&L);
    ot_reset(&L.ot);
    free(L.ln);
    stad_arena_free(&L.a);
    stad_strbuf_free(&L.tmp);
    if (rc)
        return stad_fail(ctx, rc, "%s: out of memory", path);
    if (doc->n == 0)
        return stad_fail(ctx, STAD_EEMPTY, "%s: no table found in the PDF's text (no "
                         "lines with aligned columns)", path);
    return 0;
}

/* Tables of .docx (word/document.xml) and .odt (content.xml) documents, from the
 * document's own table markup: minizip opens the zip, libxml2 parses the XML.
 *
 * Merged cells: a cell spanning columns (w:gridSpan, table:number-columns-spanned) or
 * rows (w:vMerge, table:number-rows-spanned) gives its text to every grid cell it
 * covers, so a date merged over the incidents of one day lands on each of them.
 * Header rows: those marked to repeat on each page (w:tblHeader, table-header-rows),
 * else the first row, plus the next one while a header cell spans columns (a grouped
 * header "Pleegdatum" over "van" and "tot" gives "Pleegdatum van", "Pleegdatum tot").
 * A data row equal to a header row (a header typed again by hand) is dropped. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unzip.h>

#include "ingest/ingest_internal.h"

#define MAX_PART (512u << 20) /* uncompressed XML part; more is a zip bomb, not a report */
#define MAX_COLS 512
#define MAX_HEADER_ROWS 3

static const char NS_W[] = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
static const char NS_TABLE[] = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
static const char NS_TEXT[] = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
static const char NS_OFFICE[] = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";

static int is(const xmlNode *n, const char *ns, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, ns) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

/* Attribute by namespace and local name, as a long; `dflt` when absent or bad. */
static long attr_long(const xmlNode *n, const char *ns, const char *name, long dflt)
{
    xmlChar *v = xmlGetNsProp(n, (const xmlChar *)name, (const xmlChar *)ns);
    if (!v)
        return dflt;
    char *end;
    long x = strtol((const char *)v, &end, 10);
    if (end == (char *)v || *end)
        x = dflt;
    xmlFree(v);
    return x;
}

/* ---------- reading one part of the zip ---------- */

static int read_part(stad_ctx *ctx, const char *path, const char *part, char **buf,
                     size_t *len)
{
    *buf = NULL;
    *len = 0;
    unzFile z = unzOpen64(path);
    if (!z)
        return stad_fail(ctx, STAD_EFORMAT, "%s: not a readable .docx/.odt file (not a zip "
                         "archive, or damaged)", path);
    int rc = 0;
    unz_file_info64 info;
    if (unzLocateFile(z, part, 1) != UNZ_OK) {
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: not a %s document (no %s inside)", path,
                       strcmp(part, "content.xml") == 0 ? "OpenDocument" : "Word", part);
        goto out;
    }
    if (unzGetCurrentFileInfo64(z, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK ||
        unzOpenCurrentFile(z) != UNZ_OK) {
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: cannot read %s (damaged zip)", path, part);
        goto out;
    }
    if (info.uncompressed_size > MAX_PART) {
        unzCloseCurrentFile(z);
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: %s is larger than %u MiB", path, part,
                       MAX_PART >> 20);
        goto out;
    }
    /* the size in the zip directory may lie: read until the end, within the limit */
    size_t cap = (size_t)info.uncompressed_size + 1, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n + 1 >= cap) {
            if (cap > MAX_PART) {
                free(b);
                b = NULL;
                rc = stad_fail(ctx, STAD_EFORMAT, "%s: %s is larger than %u MiB", path, part,
                               MAX_PART >> 20);
                break;
            }
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        int k = unzReadCurrentFile(z, b + n, (unsigned)(cap - 1 - n > (1u << 30) ? (1u << 30)
                                                                              : cap - 1 - n));
        if (k < 0) {
            free(b);
            b = NULL;
            rc = stad_fail(ctx, STAD_EFORMAT, "%s: %s is damaged (zip error %d)", path, part, k);
            break;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    if (unzCloseCurrentFile(z) == UNZ_CRCERROR && b) {
        free(b);
        b = NULL;
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: %s is damaged (checksum)", path, part);
    }
    if (!b && !rc)
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
    if (b) {
        b[n] = '\0';
        *buf = b;
        *len = n;
    }
out:
    unzClose(z);
    return rc;
}

/* ---------- cell text ---------- */

typedef struct cell_text {
    int odt;
    stad_strbuf buf;
} cell_text;

static void text_of(cell_text *ct, const xmlNode *n, int in_t)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if ((ct->odt || in_t) && c->content)
                stad_strbuf_append(&ct->buf, (const char *)c->content);
            continue;
        }
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!ct->odt) {
            if (is(c, NS_W, "t")) {
                text_of(ct, c, 1);
            } else if (is(c, NS_W, "tab") || is(c, NS_W, "br") || is(c, NS_W, "cr")) {
                stad_strbuf_append_char(&ct->buf, ' ');
            } else if (is(c, NS_W, "noBreakHyphen")) {
                stad_strbuf_append_char(&ct->buf, '-');
            } else if (is(c, NS_W, "delText") || is(c, NS_W, "instrText") ||
                       is(c, NS_W, "rPr") || is(c, NS_W, "pPr") || is(c, NS_W, "tcPr")) {
                /* deleted text, field codes, formatting */
            } else {
                text_of(ct, c, 0);
                if (is(c, NS_W, "p"))
                    stad_strbuf_append_char(&ct->buf, ' ');
            }
        } else {
            if (is(c, NS_TEXT, "s")) {
                long k = attr_long(c, NS_TEXT, "c", 1);
                for (long i = 0; i < k && i < 64; i++)
                    stad_strbuf_append_char(&ct->buf, ' ');
            } else if (is(c, NS_TEXT, "tab") || is(c, NS_TEXT, "line-break")) {
                stad_strbuf_append_char(&ct->buf, ' ');
            } else if (is(c, NS_TEXT, "note") || is(c, NS_OFFICE, "annotation") ||
                       is(c, NS_TEXT, "tracked-changes")) {
                /* footnotes and comments are not the cell's value */
            } else {
                text_of(ct, c, 0);
                if (is(c, NS_TEXT, "p") || is(c, NS_TEXT, "h"))
                    stad_strbuf_append_char(&ct->buf, ' ');
            }
        }
    }
}

/* ---------- the grid of one table ---------- */

typedef struct grid {
    size_t ncols;
    char ***row;       /* each ncols strings (arena) */
    int *header;       /* row is marked as a repeated header row */
    int *spans;        /* row has a cell spanning columns */
    size_t n, cap;
    char **carry;      /* per column: text of a cell spanning down */
    long *left;        /* per column: rows that text still covers (this one included) */
} grid;

static int grid_add_row(ingest_doc *d, grid *g, int header)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 32;
        char ***r = realloc(g->row, cap * sizeof *r);
        if (!r)
            return STAD_ENOMEM;
        g->row = r;
        int *h = realloc(g->header, cap * sizeof *h);
        if (!h)
            return STAD_ENOMEM;
        g->header = h;
        int *s = realloc(g->spans, cap * sizeof *s);
        if (!s)
            return STAD_ENOMEM;
        g->spans = s;
        g->cap = cap;
    }
    char **cells = stad_arena_alloc(&d->arena, (g->ncols + 1) * sizeof *cells);
    if (!cells)
        return STAD_ENOMEM;
    for (size_t i = 0; i < g->ncols; i++)
        cells[i] = "";
    g->row[g->n] = cells;
    g->header[g->n] = header;
    g->spans[g->n] = 0;
    g->n++;
    return 0;
}

static void grid_free(grid *g)
{
    free(g->row);
    free(g->header);
    free(g->spans);
    free(g->carry);
    free(g->left);
}

/* Puts text in columns [c, c+cs) of the current row, covering `rs` rows down. */
static void grid_put(grid *g, size_t c, size_t cs, long rs, char *text)
{
    char **cells = g->row[g->n - 1];
    if (cs > 1)
        g->spans[g->n - 1] = 1;
    for (size_t k = c; k < c + cs && k < g->ncols; k++) {
        cells[k] = text;
        g->carry[k] = text;
        g->left[k] = rs;
    }
}

/* Text of a covered cell in column c of the current row: the spanning cell's. */
static char *grid_covered(const grid *g, size_t c)
{
    return c < g->ncols && g->left[c] > 0 && g->carry[c] ? g->carry[c] : "";
}

static void grid_end_row(grid *g)
{
    for (size_t k = 0; k < g->ncols; k++)
        if (g->left[k] > 0)
            g->left[k]--;
}

static char *cell_string(ingest_doc *d, cell_text *ct, const xmlNode *cell)
{
    stad_strbuf_clear(&ct->buf);
    text_of(ct, cell, 0);
    if (ct->buf.oom)
        return NULL;
    char *s = stad_arena_strdup(&d->arena, stad_strbuf_str(&ct->buf));
    if (s)
        ingest_text_squeeze(s);
    return s;
}

/* Turns the grid into a table: header rows, header names, data rows. */
static int grid_finish(ingest_doc *d, grid *g, stad_strbuf *tmp)
{
    if (g->n == 0 || g->ncols == 0)
        return 0;
    size_t nh = 0;
    while (nh < g->n && nh < MAX_HEADER_ROWS && g->header[nh])
        nh++;
    if (nh == 0) {
        nh = 1;
        /* a header cell spanning columns groups the names on the next row */
        while (nh < g->n && nh < MAX_HEADER_ROWS && g->spans[nh - 1]) {
            int values = 0;
            for (size_t c = 0; c < g->ncols; c++)
                values += ingest_text_is_value(g->row[nh][c]);
            if (values)
                break;
            nh++;
        }
    }
    ingest_table *t = ingest_doc_add_table(d, g->ncols);
    if (!t)
        return STAD_ENOMEM;
    for (size_t c = 0; c < g->ncols; c++) {
        stad_strbuf_clear(tmp);
        const char *prev = NULL;
        for (size_t r = 0; r < nh; r++) {
            const char *s = g->row[r][c];
            if (!*s || (prev && strcmp(prev, s) == 0))
                continue; /* merged down, or empty */
            if (tmp->len)
                stad_strbuf_append_char(tmp, ' ');
            stad_strbuf_append(tmp, s);
            prev = s;
        }
        if (!tmp->len)
            stad_strbuf_printf(tmp, "column %zu", c + 1);
        if (tmp->oom || !(t->header[c] = stad_arena_strdup(&d->arena, tmp->s)))
            return STAD_ENOMEM;
    }
    for (size_t r = nh; r < g->n; r++) {
        int empty = 1, repeat = 0;
        for (size_t c = 0; c < g->ncols && empty; c++)
            empty = !*g->row[r][c];
        for (size_t h = 0; h < nh && !repeat && !empty; h++) {
            repeat = 1;
            for (size_t c = 0; c < g->ncols && repeat; c++)
                repeat = strcmp(g->row[r][c], g->row[h][c]) == 0;
        }
        if (empty || repeat)
            continue;
        int rc = ingest_table_add_row(d, t, (const char *const *)g->row[r], 0, (int64_t)r + 1);
        if (rc)
            return rc;
    }
    return 0;
}

static int grid_start(grid *g, size_t ncols)
{
    memset(g, 0, sizeof *g);
    if (ncols > MAX_COLS)
        ncols = MAX_COLS;
    g->ncols = ncols;
    g->carry = calloc(ncols + 1, sizeof *g->carry);
    g->left = calloc(ncols + 1, sizeof *g->left);
    return g->carry && g->left ? 0 : STAD_ENOMEM;
}

/* ---------- docx ---------- */

static const xmlNode *first_child(const xmlNode *n, const char *ns, const char *name)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is(c, ns, name))
            return c;
    return NULL;
}

/* Rows of a w:tbl, also inside content controls (w:sdt/w:sdtContent). */
static size_t docx_rows(const xmlNode *parent, const xmlNode **out, size_t max, size_t n)
{
    for (const xmlNode *c = parent->children; c; c = c->next) {
        if (is(c, NS_W, "tr")) {
            if (out && n < max)
                out[n] = c;
            n++;
        } else if (is(c, NS_W, "sdt") || is(c, NS_W, "sdtContent") ||
                   is(c, NS_W, "customXml")) {
            n = docx_rows(c, out, max, n);
        }
    }
    return n;
}

static size_t docx_cells(const xmlNode *tr, const xmlNode **out, size_t max, size_t n)
{
    for (const xmlNode *c = tr->children; c; c = c->next) {
        if (is(c, NS_W, "tc")) {
            if (out && n < max)
                out[n] = c;
            n++;
        } else if (is(c, NS_W, "sdt") || is(c, NS_W, "sdtContent") ||
                   is(c, NS_W, "customXml")) {
            n = docx_cells(c, out, max, n);
        }
    }
    return n;
}

static long w_val(const xmlNode *n, long dflt)
{
    return n ? attr_long(n, NS_W, "val", dflt) : dflt;
}

static int docx_table(ingest_doc *d, const xmlNode *tbl, cell_text *ct, stad_strbuf *tmp)
{
    size_t nrows = docx_rows(tbl, NULL, 0, 0);
    const xmlNode **rows = calloc(nrows + 1, sizeof *rows);
    if (!rows)
        return STAD_ENOMEM;
    docx_rows(tbl, rows, nrows, 0);
    /* columns: the table grid, or the widest row when the grid is missing */
    size_t ncols = 0;
    const xmlNode *tg = first_child(tbl, NS_W, "tblGrid");
    for (const xmlNode *c = tg ? tg->children : NULL; c; c = c->next)
        ncols += is(c, NS_W, "gridCol");
    for (size_t r = 0; r < nrows; r++) {
        const xmlNode *trpr = first_child(rows[r], NS_W, "trPr");
        size_t w = (size_t)w_val(first_child(trpr, NS_W, "gridBefore"), 0);
        const xmlNode *cells[MAX_COLS];
        size_t nc = docx_cells(rows[r], cells, MAX_COLS, 0);
        for (size_t i = 0; i < nc && i < MAX_COLS; i++) {
            long span = w_val(first_child(first_child(cells[i], NS_W, "tcPr"), NS_W, "gridSpan"), 1);
            w += span > 0 && span <= MAX_COLS ? (size_t)span : 1;
        }
        if (w > ncols)
            ncols = w;
    }
    grid g;
    int rc = grid_start(&g, ncols);
    for (size_t r = 0; r < nrows && !rc; r++) {
        const xmlNode *trpr = first_child(rows[r], NS_W, "trPr");
        const xmlNode *th = first_child(trpr, NS_W, "tblHeader");
        int header = th && attr_long(th, NS_W, "val", 1) != 0;
        if ((rc = grid_add_row(d, &g, header)))
            break;
        size_t col = (size_t)w_val(first_child(trpr, NS_W, "gridBefore"), 0);
        const xmlNode *cells[MAX_COLS];
        size_t nc = docx_cells(rows[r], cells, MAX_COLS, 0);
        for (size_t i = 0; i < nc && i < MAX_COLS && col < g.ncols; i++) {
            const xmlNode *tcpr = first_child(cells[i], NS_W, "tcPr");
            long span = w_val(first_child(tcpr, NS_W, "gridSpan"), 1);
            size_t cs = span > 0 && span <= MAX_COLS ? (size_t)span : 1;
            const xmlNode *vm = first_child(tcpr, NS_W, "vMerge");
            xmlChar *vv = vm ? xmlGetNsProp(vm, (const xmlChar *)"val", (const xmlChar *)NS_W)
                             : NULL;
            int cont = vm && (!vv || strcmp((const char *)vv, "restart") != 0);
            xmlFree(vv);
            if (cont) {
                /* continues the cell above: its text, as far as it reaches */
                for (size_t k = col; k < col + cs && k < g.ncols; k++)
                    g.row[g.n - 1][k] = g.n > 1 ? g.row[g.n - 2][k] : "";
                if (cs > 1)
                    g.spans[g.n - 1] = 1;
            } else {
                char *s = cell_string(d, ct, cells[i]);
                if (!s) {
                    rc = STAD_ENOMEM;
                    break;
                }
                grid_put(&g, col, cs, 1, s);
            }
            col += cs;
        }
    }
    free(rows);
    if (!rc)
        rc = grid_finish(d, &g, tmp);
    grid_free(&g);
    return rc;
}

/* Every w:tbl in document order, not descending into tables (a table inside a cell
 * is part of that cell's text). */
static int docx_walk(ingest_doc *d, const xmlNode *n, cell_text *ct, stad_strbuf *tmp)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        int rc = is(c, NS_W, "tbl") ? docx_table(d, c, ct, tmp) : docx_walk(d, c, ct, tmp);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---------- odt ---------- */

static size_t odt_columns(const xmlNode *n)
{
    size_t k = 0;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (is(c, NS_TABLE, "table-column")) {
            long rep = attr_long(c, NS_TABLE, "number-columns-repeated", 1);
            k += rep > 0 && rep <= MAX_COLS ? (size_t)rep : 1;
        } else if (is(c, NS_TABLE, "table-columns") || is(c, NS_TABLE, "table-header-columns") ||
                   is(c, NS_TABLE, "table-column-group")) {
            k += odt_columns(c);
        }
    }
    return k;
}

static int odt_row(ingest_doc *d, grid *g, const xmlNode *tr, int header, cell_text *ct)
{
    long rep = attr_long(tr, NS_TABLE, "number-rows-repeated", 1);
    if (rep < 1)
        rep = 1;
    if (rep > 1 && !tr->children)
        rep = 1; /* a run of empty rows: one is enough (dropped as empty) */
    for (long k = 0; k < rep && k < 100000; k++) {
        int rc = grid_add_row(d, g, header);
        if (rc)
            return rc;
        size_t col = 0;
        for (const xmlNode *c = tr->children; c && col < g->ncols; c = c->next) {
            int covered = is(c, NS_TABLE, "covered-table-cell");
            if (!covered && !is(c, NS_TABLE, "table-cell"))
                continue;
            long crep = attr_long(c, NS_TABLE, "number-columns-repeated", 1);
            for (long i = 0; i < crep && col < g->ncols; i++) {
                if (covered) {
                    g->row[g->n - 1][col] = grid_covered(g, col);
                    col++;
                    continue;
                }
                long cs = attr_long(c, NS_TABLE, "number-columns-spanned", 1);
                long rs = attr_long(c, NS_TABLE, "number-rows-spanned", 1);
                char *s = cell_string(d, ct, c);
                if (!s)
                    return STAD_ENOMEM;
                size_t w = cs > 0 && cs <= MAX_COLS ? (size_t)cs : 1;
                grid_put(g, col, w, rs > 0 ? rs : 1, s);
                col++; /* the covered cells that follow take the other columns */
            }
        }
        grid_end_row(g);
    }
    return 0;
}

static int odt_rows(ingest_doc *d, grid *g, const xmlNode *n, int header, cell_text *ct)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        int rc = 0;
        if (is(c, NS_TABLE, "table-row"))
            rc = odt_row(d, g, c, header, ct);
        else if (is(c, NS_TABLE, "table-header-rows"))
            rc = odt_rows(d, g, c, 1, ct);
        else if (is(c, NS_TABLE, "table-rows") || is(c, NS_TABLE, "table-row-group"))
            rc = odt_rows(d, g, c, header, ct);
        if (rc)
            return rc;
    }
    return 0;
}

static int odt_table(ingest_doc *d, const xmlNode *tbl, cell_text *ct, stad_strbuf *tmp)
{
    grid g;
    int rc = grid_start(&g, odt_columns(tbl));
    if (!rc)
        rc = odt_rows(d, &g, tbl, 0, ct);
    if (!rc)
        rc = grid_finish(d, &g, tmp);
    grid_free(&g);
    return rc;
}

static int odt_walk(ingest_doc *d, const xmlNode *n, cell_text *ct, stad_strbuf *tmp)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        int rc = is(c, NS_TABLE, "table") ? odt_table(d, c, ct, tmp) : odt_walk(d, c, ct, tmp);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---------- entry ---------- */

int ingest_docx_load(stad_ctx *ctx, const char *path, ingest_doc *out)
{
    size_t n = strlen(path);
    int odt = n > 4 && strcasecmp(path + n - 4, ".odt") == 0;
    ingest_doc_init(out, odt ? "odt" : "docx");
    char *buf;
    size_t len;
    int rc = read_part(ctx, path, odt ? "content.xml" : "word/document.xml", &buf, &len);
    if (rc)
        return rc;
    if (len > (size_t)0x7fffffff) {
        free(buf);
        return stad_fail(ctx, STAD_EFORMAT, "%s: document too large", path);
    }
    /* no network, no external entities, no entity expansion into the tree */
    xmlDoc *doc = xmlReadMemory(buf, (int)len, odt ? "content.xml" : "document.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    free(buf);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        return stad_fail(ctx, STAD_EFORMAT, "%s: %s:%d:%d: damaged XML: %s", path,
                         odt ? "content.xml" : "word/document.xml", e ? e->line : 0,
                         e ? e->int2 : 0, e && e->message ? e->message : "parse error");
    }
    cell_text ct = {odt, STAD_STRBUF_INIT};
    stad_strbuf tmp = STAD_STRBUF_INIT;
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (root)
        rc = odt ? odt_walk(out, root, &ct, &tmp) : docx_walk(out, root, &ct, &tmp);
    stad_strbuf_free(&ct.buf);
    stad_strbuf_free(&tmp);
    xmlFreeDoc(doc);
    if (rc)
        return stad_fail(ctx, rc, "%s: out of memory", path);
    return 0;
}

/* CSV through a streaming RFC 4180 state machine: any of , ; TAB | as delimiter,
 * quoted fields with doubled quotes and embedded newlines, UTF-8 with or without BOM
 * or Windows-1252, and the physical line where each record starts (for rejects).
 * Input goes through GDAL's VSI layer so that ".csv.gz" streams from /vsigzip/.
 * Measured against OGR's CSV driver in bench/bench_ingest.c. */
/* VSIStatBufL is struct stat64 */
#define _LARGEFILE64_SOURCE 1
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <cpl_vsi.h>

#include "ingest/ingest_internal.h"

#define CSV_CHUNK (1u << 20)

typedef struct csv_impl {
    VSILFILE *fp;
    unsigned char *buf;
    size_t pos, len;
    int eof;
    int after_cr;       /* last byte was a CR ending a line; swallow a following LF */
    int64_t line;       /* physical line of the next byte, 1-based */
    int encoding;
    unsigned char cls[256]; /* byte classes for the unquoted fast path */
    /* the current record: field bytes separated by NULs */
    char *rec;
    size_t rec_len, rec_cap;
    size_t *fstart;
    size_t nf, f_cap;
    const char **fields;
    size_t fields_cap;
    stad_strbuf conv;
    size_t *conv_off;
    size_t conv_cap;
    int io_error; /* the last read stopped short because of an error, not the end */
} csv_impl;

enum { C_PLAIN = 0, C_DELIM, C_NL, C_CR, C_QUOTE };

static int refill(csv_impl *c)
{
    if (c->eof)
        return 0;
    /* A short read is the end of the file or an error (a truncated .gz): GDAL
     * tells them apart only through its error state. */
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    c->len = VSIFReadL(c->buf, 1, CSV_CHUNK, c->fp);
    CPLPopErrorHandler();
    c->pos = 0;
    if (c->len < CSV_CHUNK) {
        c->eof = 1;
        c->io_error = CPLGetLastErrorType() >= CE_Failure;
    }
    return c->len > 0;
}

static int rec_put(csv_impl *c, const void *p, size_t n)
{
    if (c->rec_len + n + 1 > c->rec_cap) {
        size_t cap = c->rec_cap ? c->rec_cap : 1024;
        while (cap < c->rec_len + n + 1)
            cap *= 2;
        char *r = realloc(c->rec, cap);
        if (!r)
            return STAD_ENOMEM;
        c->rec = r;
        c->rec_cap = cap;
    }
    memcpy(c->rec + c->rec_len, p, n);
    c->rec_len += n;
    return 0;
}

static int field_end(csv_impl *c)
{
    if (rec_put(c, "", 1))
        return STAD_ENOMEM;
    if (c->nf + 1 >= c->f_cap) {
        size_t cap = c->f_cap ? c->f_cap * 2 : 64;
        size_t *f = realloc(c->fstart, cap * sizeof *f);
        if (!f)
            return STAD_ENOMEM;
        c->fstart = f;
        c->f_cap = cap;
    }
    c->nf++;
    c->fstart[c->nf] = c->rec_len; /* start of the next field */
    return 0;
}

enum { S_START, S_UNQUOTED, S_QUOTED, S_QUOTE_IN_QUOTED };

/* Reads one record into rec/fstart. Returns 1 with a record, 0 at the end,
 * STAD_ENOMEM / STAD_EIO. *start_line is the record's first physical line, *err a
 * row-level problem (unterminated quote). */
static int read_record(csv_impl *c, char delim, int64_t *start_line, const char **err)
{
    int state = S_START;
    int any = 0;
    c->rec_len = 0;
    c->nf = 0;
    c->fstart[0] = 0;
    *err = NULL;
    *start_line = c->line;
    for (;;) {
        if (c->pos == c->len && !refill(c)) {
            if (c->io_error)
                return STAD_EIO;
            if (!any)
                return 0;
            if (state == S_QUOTED)
                *err = "quoted field not closed before the end of the file";
            if (field_end(c))
                return STAD_ENOMEM;
            return 1;
        }
        unsigned char ch = c->buf[c->pos];
        if (c->after_cr) {
            c->after_cr = 0;
            if (ch == '\n') {
                c->pos++;
                continue;
            }
        }
        if (!any) {
            *start_line = c->line;
            any = 1;
        }
        if (state == S_START || state == S_UNQUOTED) {
            /* fast path: copy a run of ordinary bytes at once */
            size_t i = c->pos;
            while (i < c->len && c->cls[c->buf[i]] == C_PLAIN)
                i++;
            if (i > c->pos) {
                if (rec_put(c, c->buf + c->pos, i - c->pos))
                    return STAD_ENOMEM;
                c->pos = i;
                state = S_UNQUOTED;
                continue;
            }
            c->pos++;
            switch (c->cls[ch]) {
            case C_DELIM:
                if (field_end(c))
                    return STAD_ENOMEM;
                state = S_START;
                break;
            case C_CR:
                c->after_cr = 1;
                /* fallthrough */
            case C_NL:
                c->line++;
                if (field_end(c))
                    return STAD_ENOMEM;
                return 1;
            case C_QUOTE:
                if (state == S_START) {
                    state = S_QUOTED;
                } else if (rec_put(c, &ch, 1)) { /* a stray quote mid-field is text */
                    return STAD_ENOMEM;
                }
                break;
            }
            continue;
        }
        if (state == S_QUOTED) {
            const unsigned char *q = memchr(c->buf + c->pos, '"', c->len - c->pos);
            size_t end = q ? (size_t)(q - c->buf) : c->len;
            for (size_t i = c->pos; i < end; i++)
                if (c->buf[i] == '\n')
                    c->line++;
            if (end > c->pos && rec_put(c, c->buf + c->pos, end - c->pos))
                return STAD_ENOMEM;
            c->pos = end;
            if (q) {
                c->pos++;
                state = S_QUOTE_IN_QUOTED;
            }
            continue;
        }
        /* S_QUOTE_IN_QUOTED */
        c->pos++;
        if (ch == '"') {
            if (rec_put(c, &ch, 1))
                return STAD_ENOMEM;
            state = S_QUOTED;
        } else if (ch == (unsigned char)delim) {
            if (field_end(c))
                return STAD_ENOMEM;
            state = S_START;
        } else if (ch == '\n' || ch == '\r') {
            c->after_cr = ch == '\r';
            c->line++;
            if (field_end(c))
                return STAD_ENOMEM;
            return 1;
        } else {
            /* "abc"def: keep the text, as spreadsheet programs do */
            if (rec_put(c, &ch, 1))
                return STAD_ENOMEM;
            state = S_UNQUOTED;
        }
    }
}

/* Points fields[] at the record, converting Windows-1252 values to UTF-8. */
static int expose_fields(ingest_reader *r, csv_impl *c, size_t n_out)
{
    if (n_out > c->fields_cap) {
        const char **f = realloc(c->fields, n_out * sizeof *f);
        size_t *o = realloc(c->conv_off, n_out * sizeof *o);
        if (f)
            c->fields = f;
        if (o)
            c->conv_off = o;
        if (!f || !o)
            return STAD_ENOMEM;
        c->fields_cap = n_out;
    }
    stad_strbuf_clear(&c->conv);
    int any_conv = 0;
    for (size_t i = 0; i < n_out; i++) {
        c->conv_off[i] = (size_t)-1;
        if (i >= c->nf)
            continue;
        const char *s = c->rec + c->fstart[i];
        size_t len = c->fstart[i + 1] - c->fstart[i] - 1;
        int need = c->encoding == INGEST_ENC_CP1252;
        if (c->encoding == INGEST_ENC_AUTO) {
            size_t k = 0;
            while (k < len && (unsigned char)s[k] < 0x80)
                k++;
            need = k < len && !ingest_utf8_valid(s + k, len - k);
        }
        if (need) {
            c->conv_off[i] = c->conv.len;
            if (ingest_cp1252_to_utf8(&c->conv, s, len) ||
                stad_strbuf_append_char(&c->conv, '\0'))
                return STAD_ENOMEM;
            any_conv = 1;
        }
    }
    if (any_conv)
        r->recoded = 1;
    for (size_t i = 0; i < n_out; i++) {
        if (i >= c->nf)
            c->fields[i] = "";
        else if (c->conv_off[i] != (size_t)-1)
            c->fields[i] = c->conv.s + c->conv_off[i];
        else
            c->fields[i] = c->rec + c->fstart[i];
    }
    return 0;
}

static int record_blank(const csv_impl *c)
{
    return c->nf == 1 && c->fstart[1] == 1;
}

static int csv_next(ingest_reader *r, ingest_row *row)
{
    csv_impl *c = r->impl;
    const char *err;
    int64_t line;
    int rc;
    do {
        rc = read_record(c, r->delimiter, &line, &err);
        if (rc <= 0) {
            if (rc == STAD_EIO)
                return stad_fail(r->ctx, rc,
                                 "%s:%lld: read error (the file is damaged or cut short; "
                                 "nothing was loaded)",
                                 r->path, (long long)c->line);
            if (rc)
                return stad_fail(r->ctx, rc, "%s: out of memory", r->path);
            return 0;
        }
    } while (record_blank(c) && !err);
    size_t n = r->ncols;
    memset(row, 0, sizeof *row);
    if (c->nf > n) {
        /* trailing empty fields (a delimiter at the end of the line) are harmless */
        size_t last = c->nf;
        while (last > n && c->fstart[last] - c->fstart[last - 1] == 1)
            last--;
        if (last > n && !err)
            err = "more fields than the header has columns";
        n = c->nf;
    }
    if (expose_fields(r, c, n))
        return stad_fail(r->ctx, STAD_ENOMEM, "%s: out of memory", r->path);
    row->field = c->fields;
    row->n = n;
    row->line = line;
    row->error = err;
    r->bytes_done = (uint64_t)VSIFTellL(c->fp) - (c->len - c->pos);
    return 1;
}

static void csv_close(ingest_reader *r)
{
    csv_impl *c = r->impl;
    if (!c)
        return;
    if (c->fp)
        VSIFCloseL(c->fp);
    free(c->buf);
    free(c->rec);
    free(c->fstart);
    free(c->fields);
    free(c->conv_off);
    stad_strbuf_free(&c->conv);
    free(c);
}

static const ingest_reader_ops csv_ops = {csv_next, csv_close};

char ingest_csv_sniff_delimiter(const char *line, size_t n)
{
    static const char cand[] = {',', ';', '\t', '|'};
    size_t count[4] = {0, 0, 0, 0};
    int quoted = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = line[i];
        if (ch == '"')
            quoted = !quoted;
        else if (!quoted && (ch == '\n' || ch == '\r'))
            break;
        else if (!quoted)
            for (int k = 0; k < 4; k++)
                if (ch == cand[k])
                    count[k]++;
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (count[k] > count[best])
            best = k;
    return cand[best];
}

int ingest_csv_open(stad_ctx *ctx, const char *path, const ingest_reader_opts *o,
                    ingest_reader **out)
{
    ingest_reader *r = calloc(1, sizeof *r);
    csv_impl *c = calloc(1, sizeof *c);
    stad_strbuf vpath = STAD_STRBUF_INIT;
    int rc = 0;
    if (!r || !c) {
        free(r);
        free(c);
        return stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
    }
    r->ops = &csv_ops;
    r->ctx = ctx;
    r->impl = c;
    r->format = "csv";
    r->path = strdup(path);
    c->line = 1;
    c->encoding = o ? o->encoding : INGEST_ENC_AUTO;
    c->buf = malloc(CSV_CHUNK);
    c->fstart = malloc(64 * sizeof *c->fstart);
    c->f_cap = 64;
    size_t plen = strlen(path);
    int gz = plen > 3 && strcmp(path + plen - 3, ".gz") == 0;
    if (gz)
        stad_strbuf_append(&vpath, "/vsigzip/");
    stad_strbuf_append(&vpath, path);
    if (!r->path || !c->buf || !c->fstart || vpath.oom) {
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    VSIStatBufL st;
    if (VSIStatL(path, &st) != 0) {
        rc = stad_fail(ctx, STAD_EIO, "%s: cannot open: no such file", path);
        goto fail;
    }
    if (!gz)
        r->bytes_total = (uint64_t)st.st_size;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    c->fp = VSIFOpenL(vpath.s, "rb");
    CPLPopErrorHandler();
    if (!c->fp) {
        rc = stad_fail(ctx, STAD_EIO, "%s: cannot open for reading", path);
        goto fail;
    }
    refill(c);
    if (gz && c->len == 0 && st.st_size > 0) {
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: not a readable gzip file", path);
        goto fail;
    }
    if (c->len >= 2 && ((c->buf[0] == 0xFF && c->buf[1] == 0xFE) ||
                        (c->buf[0] == 0xFE && c->buf[1] == 0xFF))) {
        rc = stad_fail(ctx, STAD_EFORMAT,
                       "%s: UTF-16 text is not supported; save the file as UTF-8 CSV", path);
        goto fail;
    }
    if (c->len >= 3 && memcmp(c->buf, "\xEF\xBB\xBF", 3) == 0)
        c->pos = 3;
    if (memchr(c->buf + c->pos, '\0', c->len - c->pos)) {
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: binary data, not a CSV text file", path);
        goto fail;
    }
    size_t ws = c->pos;
    while (ws < c->len && (c->buf[ws] == ' ' || c->buf[ws] == '\t' || c->buf[ws] == '\r' ||
                           c->buf[ws] == '\n'))
        ws++;
    if (ws == c->len) {
        rc = stad_fail(ctx, STAD_EEMPTY, "%s: the file is empty", path);
        goto fail;
    }
    r->delimiter = ingest_csv_sniff_delimiter((const char *)c->buf + c->pos, c->len - c->pos);
    for (int k = 0; k < 256; k++)
        c->cls[k] = C_PLAIN;
    c->cls[(unsigned char)r->delimiter] = C_DELIM;
    c->cls['\n'] = C_NL;
    c->cls['\r'] = C_CR;
    c->cls['"'] = C_QUOTE;

    /* the header: the first non-blank record */
    const char *err;
    int64_t line;
    do {
        rc = read_record(c, r->delimiter, &line, &err);
    } while (rc == 1 && record_blank(c));
    if (rc < 0) {
        rc = stad_fail(ctx, rc, "%s: cannot read the header", path);
        goto fail;
    }
    if (rc == 0) {
        rc = stad_fail(ctx, STAD_EEMPTY, "%s: the file is empty", path);
        goto fail;
    }
    rc = 0;
    if (expose_fields(r, c, c->nf)) {
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    r->ncols = c->nf;
    r->headers = calloc(r->ncols, sizeof *r->headers);
    if (!r->headers) {
        rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    for (size_t i = 0; i < r->ncols; i++) {
        r->headers[i] = strdup(c->fields[i]);
        if (!r->headers[i]) {
            rc = stad_fail(ctx, STAD_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
    }
    stad_strbuf_free(&vpath);
    *out = r;
    return 0;
fail:
    stad_strbuf_free(&vpath);
    ingest_reader_close(r);
    return rc;
}

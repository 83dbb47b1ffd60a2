/* stad tables: the tables inside Word (.docx), OpenDocument (.odt) and text PDF files,
 * as `stad ingest` reads them. Part of the ingest module (included by ingest.h).
 *
 * .docx/.odt: the document's own table markup (merged cells are copied into every
 * cell they cover; header rows marked "repeat on each page" and grouped headers over
 * two rows become one header line "Pleegdatum van"). PDF: words with positions;
 * columns from the gaps that no row crosses, rows from baselines (wrapped cells
 * joined), the header from the first rows before any number or date, lines repeated
 * at the same place on most pages (page headers and footers) dropped, a table that
 * goes on over the next page (with or without a repeated header) joined.
 *
 * Tables are numbered from 1 in document order. Ingest reads table N when
 * stad_ingest_opts.table is N; with 0 it reads the first table and every later table
 * with the same header (a monthly list with one table per month), as one table.
 * Rejects of these files name their place: "page 3, row 12" (PDF: the row of the
 * table on that page, header rows included) or "table 2, row 14" (docx/odt).
 *
 * A PDF without a text layer (a scan) fails with STAD_EFORMAT and a message that it
 * needs OCR first.
 *
 * Ownership: stad_tables_read hands out a stad_tables the caller frees with
 * stad_tables_free (NULL is fine); every string in it belongs to it. */
#ifndef STAD_TABLES_H
#define STAD_TABLES_H

#include <stddef.h>

#include "base.h"

typedef struct stad_table_info {
    int index;            /* 1-based, as in --table N */
    int first_page;       /* PDF: pages the table runs over; docx/odt: 0 */
    int last_page;
    int same_header_as;   /* index of the first table with this header (itself if first) */
    size_t ncols;
    char **headers;       /* ncols names */
    size_t nrows;         /* data rows (header rows not counted) */
    size_t nsample;       /* the first rows, ncols fields each */
    char ***sample;
} stad_table_info;

typedef struct stad_tables {
    const char *format;   /* "docx", "odt" or "pdf" (static) */
    int pages;            /* PDF pages; 0 for docx/odt */
    size_t n;
    stad_table_info *table;
} stad_tables;

/* 1 when the path names a document whose tables stad reads (.docx, .odt, .pdf). */
int stad_tables_path_is_document(const char *path);

/* Reads every table of the document, keeping the first `sample_rows` rows of each. */
int stad_tables_read(stad_ctx *ctx, const char *path, size_t sample_rows,
                     stad_tables **out);
void stad_tables_free(stad_tables *t);

#endif

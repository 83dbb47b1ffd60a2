/* Text PDFs: the words of each page with their boxes, through poppler-glib (the text
 * and one rectangle per character); ingest_pdflayout.c rebuilds the tables. A PDF
 * with no text at all is a scan or a picture and needs OCR first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <poppler.h>

#include "ingest/ingest_internal.h"

/* Length of the UTF-8 sequence starting with byte c (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static int is_space(const char *p, size_t k)
{
    if (k == 1)
        return *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == '\f';
    return k == 2 && (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0;
}

typedef struct word_buf {
    ingest_word *w;
    size_t n, cap;
} word_buf;

static int push_word(ingest_doc *doc, word_buf *b, const char *s, size_t len,
                     const PopplerRectangle *box)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        ingest_word *w = realloc(b->w, cap * sizeof *w);
        if (!w)
            return STAD_ENOMEM;
        b->w = w;
        b->cap = cap;
    }
    ingest_word *w = &b->w[b->n];
    w->text = stad_arena_strndup(&doc->arena, s, len);
    if (!w->text)
        return STAD_ENOMEM;
    w->x0 = box->x1;
    w->y0 = box->y1;
    w->x1 = box->x2;
    w->y1 = box->y2;
    w->base = box->y2;
    b->n++;
    return 0;
}

/* Words of one page: runs of non-blank characters on one baseline without a gap. */
static int page_words(ingest_doc *doc, PopplerPage *page, word_buf *b, size_t *chars)
{
    char *text = poppler_page_get_text(page);
    PopplerRectangle *rects = NULL;
    guint nrects = 0;
    int rc = 0;
    if (!text || !poppler_page_get_text_layout(page, &rects, &nrects)) {
        g_free(text);
        g_free(rects);
        return 0;
    }
    const char *start = NULL;
    size_t slen = 0;
    PopplerRectangle box = {0, 0, 0, 0};
    guint ri = 0;
    for (const char *p = text; *p && ri < nrects && !rc; ri++) {
        size_t k = utf8_len((unsigned char)*p);
        if (strnlen(p, k) < k)
            break;
        const PopplerRectangle *r = &rects[ri];
        int space = is_space(p, k);
        if (start && !space) {
            double h = box.y2 - box.y1;
            double rh = r->y2 - r->y1;
            double hh = h > rh ? h : rh;
            /* a gap, a step back or another baseline ends the word */
            if (r->x1 - box.x2 > 0.15 * hh || r->x1 < box.x1 - 0.5 ||
                r->y2 - box.y2 > 0.3 * hh || box.y2 - r->y2 > 0.3 * hh) {
                rc = push_word(doc, b, start, slen, &box);
                start = NULL;
            }
        }
        if (space) {
            if (start)
                rc = push_word(doc, b, start, slen, &box);
            start = NULL;
        } else if (!start) {
            start = p;
            slen = k;
            box = *r;
            (*chars)++;
        } else {
            slen += k;
            if (r->x1 < box.x1) box.x1 = r->x1;
            if (r->y1 < box.y1) box.y1 = r->y1;
            if (r->x2 > box.x2) box.x2 = r->x2;
            if (r->y2 > box.y2) box.y2 = r->y2;
            (*chars)++;
        }
        p += k;
    }
    if (start && !rc)
        rc = push_word(doc, b, start, slen, &box);
    g_free(text);
    g_free(rects);
    return rc;
}

static int page_has_images(PopplerPage *page)
{
    GList *m = poppler_page_get_image_mapping(page);
    int has = m != NULL;
    poppler_page_free_image_mapping(m);
    return has;
}

int ingest_pdf_load(stad_ctx *ctx, const char *path, ingest_doc *out)
{
    ingest_doc_init(out, "pdf");
    GError *err = NULL;
    char *abs = realpath(path, NULL);
    if (!abs)
        return stad_fail(ctx, STAD_EIO, "%s: cannot open: %s", path, strerror(errno));
    gchar *uri = g_filename_to_uri(abs, NULL, NULL);
    free(abs);
    PopplerDocument *pdf = uri ? poppler_document_new_from_file(uri, NULL, &err) : NULL;
    g_free(uri);
    if (!pdf) {
        int rc;
        if (err && err->domain == POPPLER_ERROR && err->code == POPPLER_ERROR_ENCRYPTED)
            rc = stad_fail(ctx, STAD_EFORMAT, "%s: the PDF is protected with a password; "
                           "save an unprotected copy first", path);
        else
            rc = stad_fail(ctx, STAD_EFORMAT, "%s: not a readable PDF: %s", path,
                           err && err->message ? err->message : "unknown error");
        if (err)
            g_error_free(err);
        return rc;
    }
    int npages = poppler_document_get_n_pages(pdf);
    out->pages = npages;
    ingest_pdf_page *pages = calloc((size_t)npages + 1, sizeof *pages);
    word_buf *bufs = calloc((size_t)npages + 1, sizeof *bufs);
    int rc = pages && bufs ? 0 : STAD_ENOMEM;
    size_t chars = 0;
    int images = 0;
    for (int i = 0; i < npages && !rc; i++) {
        PopplerPage *page = poppler_document_get_page(pdf, i);
        if (!page)
            continue;
        poppler_page_get_size(page, &pages[i].width, &pages[i].height);
        size_t before = chars;
        rc = page_words(out, page, &bufs[i], &chars);
        if (chars == before && !images)
            images = page_has_images(page);
        pages[i].w = bufs[i].w;
        pages[i].n = bufs[i].n;
        g_object_unref(page);
    }
    g_object_unref(pdf);
    if (rc)
        rc = stad_fail(ctx, rc, "%s: out of memory", path);
    else if (npages == 0)
        rc = stad_fail(ctx, STAD_EEMPTY, "%s: the PDF has no pages", path);
    else if (chars == 0 && images)
        rc = stad_fail(ctx, STAD_EFORMAT, "%s: the PDF has no text, only images (a scan?): "
                       "it needs OCR first (e.g. ocrmypdf), then stad can read its tables", path);
    else if (chars == 0)
        rc = stad_fail(ctx, STAD_EEMPTY, "%s: the PDF has no text", path);
    else
        rc = ingest_pdf_tables(ctx, path, pages, (size_t)npages, out);
    for (int i = 0; bufs && i < npages; i++)
        free(bufs[i].w);
    free(bufs);
    free(pages);
    return rc;
}

/* The printable route sheet as PDF (cairo), in Dutch: per enforcer a first page with
 * a small map of the route (the street network around it, the stops' streets, the way
 * between them in order, numbered stops and the depot) and the ordered stop table,
 * which flows over as many pages as it needs with its header row repeated. The
 * columns to fill in (labels, removed, remark) are left empty on ruled rows.
 *
 * The map is drawn in the city CRS (metres, north up): each street as the chord
 * from one end through its middle to the other end, which is what the street table
 * keeps and close enough at the scale of a sheet. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>

#include "bikes_internal.h"
#include "stad/strbuf.h"
#include "stad/timeparse.h"

/* A4 portrait in points. */
#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 36.0
#define MAP_H 330.0
#define ROW_H 17.0
#define FONT 8.5

/* Route colours (colour-blind safe, dark enough to print in grey). */
static const double ROUTE_RGB[][3] = {
    {0.00, 0.45, 0.70}, {0.84, 0.37, 0.00}, {0.00, 0.62, 0.45}, {0.80, 0.47, 0.65},
    {0.34, 0.71, 0.91}, {0.90, 0.62, 0.00}, {0.35, 0.35, 0.35},
};
#define N_RGB (sizeof ROUTE_RGB / sizeof ROUTE_RGB[0])

typedef struct column {
    const char *head;
    int right; /* numbers right-aligned */
} column;

/* stop, arrival, street id, street name (else the road class), wijk, task, expected,
 * then the columns the enforcer fills in */
static const column COLS[] = {
    {"stop", 1}, {"tijd", 1}, {"nr", 1}, {"straat", 0}, {"wijk", 0}, {"taak", 0},
    {"verwacht", 1}, {"labels", 0}, {"verwijderd", 0}, {"opmerking", 0},
};
#define N_COLS (sizeof COLS / sizeof COLS[0])
#define FIRST_FILL_IN 7 /* labels, removed and remark are filled in by hand */
#define COL_STREET 3
#define COL_WIJK 4
#define CELL_PAD 8.0     /* 3 points either side and some air */
#define MIN_BOX 36.0     /* a box to write a count in */
#define MIN_REMARK 60.0  /* a line to write a remark on */

static cairo_status_t to_strbuf(void *closure, const unsigned char *data, unsigned int len)
{
    stad_strbuf *b = closure;
    return stad_strbuf_append_n(b, (const char *)data, len) ? CAIRO_STATUS_NO_MEMORY
                                                            : CAIRO_STATUS_SUCCESS;
}

static void set_font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* Length of the longest prefix of s (whole UTF-8 characters) that fits in w. */
static size_t fitting(cairo_t *cr, const char *s, double w)
{
    char buf[256];
    size_t n = strlen(s);
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    for (;;) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        cairo_text_extents_t e;
        cairo_text_extents(cr, buf, &e);
        if (e.x_advance <= w || n == 0)
            return n;
        do
            n--;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80);
    }
}

/* Text in a cell of width w at baseline y, cut to fit (a cut word would run into
 * the next column and join it when the table is read back). */
static void cell(cairo_t *cr, double x, double y, double w, int right, const char *s)
{
    char buf[256];
    size_t n = fitting(cr, s, w - 6);
    memcpy(buf, s, n);
    buf[n] = '\0';
    cairo_text_extents_t e;
    cairo_text_extents(cr, buf, &e);
    cairo_move_to(cr, right ? x + w - 3 - e.x_advance : x + 3, y);
    cairo_show_text(cr, buf);
}

static void clock_text(double s, char *buf, size_t size)
{
    int m = (int)(s / 60 + 0.5);
    snprintf(buf, size, "%d:%02d", m / 60, m % 60);
}

/* ---- the map --------------------------------------------------------------------- */

typedef struct frame {
    double minx, miny, scale; /* metres -> points */
    double ox, oy, w, h;      /* the box on the page */
} frame;

/* Map labels are drawn as outlines, not text: words on the map would be read as
 * part of the stop table by PDF table readers (stad's own included). */
static void label(cairo_t *cr, double x, double y, const char *s)
{
    cairo_move_to(cr, x, y);
    cairo_text_path(cr, s);
    cairo_fill(cr);
}

static double fx(const frame *f, double x) { return f->ox + (x - f->minx) * f->scale; }
static double fy(const frame *f, double y) { return f->oy + f->h - (y - f->miny) * f->scale; }

static int in_box(const frame *f, double x, double y, double maxx, double maxy)
{
    return x >= f->minx && x <= maxx && y >= f->miny && y <= maxy;
}

static void street_path(cairo_t *cr, const frame *f, const stad_bikes_streets *st, size_t i)
{
    cairo_move_to(cr, fx(f, st->x0[i]), fy(f, st->y0[i]));
    cairo_line_to(cr, fx(f, st->x[i]), fy(f, st->y[i]));
    cairo_line_to(cr, fx(f, st->x1[i]), fy(f, st->y1[i]));
}

/* A scale bar of a round length near a fifth of the map's width. */
static void scale_bar(cairo_t *cr, const frame *f)
{
    double want = f->w / 5 / f->scale, len = 1;
    while (len * 10 <= want)
        len *= 10;
    if (len * 5 <= want)
        len *= 5;
    else if (len * 2 <= want)
        len *= 2;
    double x = f->ox + 8, y = f->oy + f->h - 10, w = len * f->scale;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1.5);
    cairo_move_to(cr, x, y - 4);
    cairo_line_to(cr, x, y);
    cairo_line_to(cr, x + w, y);
    cairo_line_to(cr, x + w, y - 4);
    cairo_stroke(cr);
    char txt[32];
    if (len >= 1000)
        snprintf(txt, sizeof txt, "%g km", len / 1000);
    else
        snprintf(txt, sizeof txt, "%g m", len);
    set_font(cr, 7, 0);
    label(cr, x + w + 4, y, txt);
}

static void draw_map(cairo_t *cr, const stad_bikes_streets *st, const stad_bikes_plan *p,
                     int e, double top)
{
    const double *rgb = ROUTE_RGB[e % N_RGB];
    /* the extent of the route and the depot, padded */
    double minx = p->depot_x, maxx = p->depot_x, miny = p->depot_y, maxy = p->depot_y;
    for (size_t k = 0; k < p->n_stops; k++) {
        const stad_bikes_stop *s = &p->stops[k];
        if (s->enforcer != e)
            continue;
        size_t i = s->street;
        double xs[3] = {st->x0[i], st->x1[i], st->x[i]}, ys[3] = {st->y0[i], st->y1[i], st->y[i]};
        for (int j = 0; j < 3; j++) {
            minx = fmin(minx, xs[j]);
            maxx = fmax(maxx, xs[j]);
            miny = fmin(miny, ys[j]);
            maxy = fmax(maxy, ys[j]);
        }
    }
    for (size_t i = p->way_first ? p->way_first[e] : 0; p->way_first && i < p->way_first[e + 1]; i++) {
        minx = fmin(minx, p->way_x[i]);
        maxx = fmax(maxx, p->way_x[i]);
        miny = fmin(miny, p->way_y[i]);
        maxy = fmax(maxy, p->way_y[i]);
    }
    double pad = fmax(150, 0.08 * fmax(maxx - minx, maxy - miny));
    minx -= pad, maxx += pad, miny -= pad, maxy += pad;
    frame f = {.ox = MARGIN, .oy = top, .w = PAGE_W - 2 * MARGIN, .h = MAP_H};
    /* same scale on both axes; the extent grows along the axis with room to spare */
    f.scale = fmin(f.w / (maxx - minx), f.h / (maxy - miny));
    double cx = (minx + maxx) / 2, cy = (miny + maxy) / 2;
    f.minx = cx - f.w / f.scale / 2;
    f.miny = cy - f.h / f.scale / 2;
    maxx = f.minx + f.w / f.scale;
    maxy = f.miny + f.h / f.scale;

    cairo_save(cr);
    cairo_rectangle(cr, f.ox, f.oy, f.w, f.h);
    cairo_set_source_rgb(cr, 0.98, 0.98, 0.97);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke_preserve(cr);
    cairo_clip(cr);

    /* the network around the route, thin and grey */
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    cairo_set_line_width(cr, 0.5);
    for (size_t i = 0; i < st->n; i++)
        if (in_box(&f, st->x0[i], st->y0[i], maxx, maxy) ||
            in_box(&f, st->x1[i], st->y1[i], maxx, maxy))
            street_path(cr, &f, st, i);
    cairo_stroke(cr);

    /* the way from the depot through the stops in order and back, dashed: along the
     * streets when the plan was traced, else straight from stop to stop */
    cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], 0.7);
    cairo_set_line_width(cr, 1.2);
    double dash[] = {4, 3};
    cairo_set_dash(cr, dash, 2, 0);
    if (p->way_first && p->way_first[e + 1] > p->way_first[e]) {
        for (size_t i = p->way_first[e]; i < p->way_first[e + 1]; i++)
            (i == p->way_first[e] ? cairo_move_to : cairo_line_to)(cr, fx(&f, p->way_x[i]),
                                                                   fy(&f, p->way_y[i]));
    } else {
        cairo_move_to(cr, fx(&f, p->depot_x), fy(&f, p->depot_y));
        for (size_t k = 0; k < p->n_stops; k++)
            if (p->stops[k].enforcer == e)
                cairo_line_to(cr, fx(&f, st->x[p->stops[k].street]),
                              fy(&f, st->y[p->stops[k].street]));
        cairo_line_to(cr, fx(&f, p->depot_x), fy(&f, p->depot_y));
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);

    /* the stops' streets, thick */
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_set_line_width(cr, 3.5);
    for (size_t k = 0; k < p->n_stops; k++)
        if (p->stops[k].enforcer == e)
            street_path(cr, &f, st, p->stops[k].street);
    cairo_stroke(cr);

    /* the depot: a black square marked D */
    double dx = fx(&f, p->depot_x), dy = fy(&f, p->depot_y);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, dx - 6, dy - 6, 12, 12);
    cairo_fill(cr);
    set_font(cr, 8, 1);
    cairo_set_source_rgb(cr, 1, 1, 1);
    label(cr, dx - 3, dy + 3, "D");

    /* numbered stops: white discs with a coloured ring */
    for (size_t k = 0; k < p->n_stops; k++) {
        const stad_bikes_stop *s = &p->stops[k];
        if (s->enforcer != e)
            continue;
        double x = fx(&f, st->x[s->street]), y = fy(&f, st->y[s->street]);
        char nr[16];
        snprintf(nr, sizeof nr, "%d", s->order);
        cairo_arc(cr, x, y, 7, 0, 2 * M_PI);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_set_line_width(cr, s->action == STAD_BIKES_FOLLOWUP ? 2.5 : 1.5);
        cairo_stroke(cr);
        set_font(cr, 6.5, 1);
        cairo_text_extents_t ex;
        cairo_text_extents(cr, nr, &ex);
        cairo_set_source_rgb(cr, 0, 0, 0);
        label(cr, x - ex.x_advance / 2, y + 2.3, nr);
    }
    scale_bar(cr, &f);
    cairo_restore(cr);
}

/* ---- the table --------------------------------------------------------------------- */

static void table_head(cairo_t *cr, double y, const double *w)
{
    set_font(cr, FONT, 1);
    cairo_set_source_rgb(cr, 0, 0, 0);
    double x = MARGIN;
    for (size_t c = 0; c < N_COLS; c++) {
        cell(cr, x, y, w[c], COLS[c].right, COLS[c].head);
        x += w[c];
    }
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, MARGIN, y + 5);
    cairo_line_to(cr, x, y + 5);
    cairo_stroke(cr);
}

/* The texts of a stop's row (the first FIRST_FILL_IN columns). */
static void row_text(const stad_bikes_streets *st, const stad_bikes_stop *s,
                     const stad_bikes_area_names *wijken, char (*text)[96])
{
    size_t i = s->street;
    char at[16];
    clock_text(s->arrive_s, at, sizeof at);
    snprintf(text[0], sizeof text[0], "%d", s->order);
    snprintf(text[1], sizeof text[1], "%s", at);
    snprintf(text[2], sizeof text[2], "%lld", (long long)st->id[i]);
    bikes_street_label(st, i, text[3], sizeof text[3]);
    const char *w = stad_bikes_area_name(wijken, st->wijk[i]);
    snprintf(text[4], sizeof text[4], "%s", w && *w ? w : "-");
    snprintf(text[5], sizeof text[5], "%s", bikes_task_nl(s->action));
    if (s->action == STAD_BIKES_FOLLOWUP)
        snprintf(text[6], sizeof text[6], "%.0f uit", s->expected);
    else
        snprintf(text[6], sizeof text[6], "%.1f (%.0f-%.0f)", s->expected, s->lo, s->hi);
}

/* Column widths that fit the header and every row's text in the fonts at hand (fonts
 * differ between machines); the remark takes what is left of the page. Where the
 * page is too narrow, street and wijk names are cut. */
static void column_widths(cairo_t *cr, const stad_bikes_streets *st, const stad_bikes_plan *p,
                          const stad_bikes_area_names *wijken, double *w)
{
    cairo_text_extents_t e;
    set_font(cr, FONT, 1);
    for (size_t c = 0; c < N_COLS; c++) {
        cairo_text_extents(cr, COLS[c].head, &e);
        w[c] = e.x_advance + CELL_PAD;
    }
    set_font(cr, FONT, 0);
    char text[N_COLS][96];
    for (size_t k = 0; k < p->n_stops; k++) {
        row_text(st, &p->stops[k], wijken, text);
        for (size_t c = 0; c < FIRST_FILL_IN; c++) {
            cairo_text_extents(cr, text[c], &e);
            w[c] = fmax(w[c], e.x_advance + CELL_PAD);
        }
    }
    w[FIRST_FILL_IN] = fmax(w[FIRST_FILL_IN], MIN_BOX);
    w[FIRST_FILL_IN + 1] = fmax(w[FIRST_FILL_IN + 1], MIN_BOX);
    double used = 0, room = PAGE_W - 2 * MARGIN;
    for (size_t c = 0; c + 1 < N_COLS; c++)
        used += w[c];
    /* too wide: the longest of street and wijk gives way first */
    while (used + MIN_REMARK > room) {
        size_t c = w[COL_STREET] >= w[COL_WIJK] ? COL_STREET : COL_WIJK;
        double cut = fmin(used + MIN_REMARK - room, w[c] - 60);
        if (cut <= 0)
            break;
        w[c] -= cut;
        used -= cut;
    }
    w[N_COLS - 1] = fmax(room - used, MIN_REMARK);
}

static void table_row(cairo_t *cr, double y, const stad_bikes_streets *st,
                      const stad_bikes_stop *s, const stad_bikes_area_names *wijken,
                      const double *w)
{
    char text[N_COLS][96];
    row_text(st, s, wijken, text);
    set_font(cr, FONT, 0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    double x = MARGIN;
    for (size_t c = 0; c < FIRST_FILL_IN; c++) {
        cell(cr, x, y, w[c], COLS[c].right, text[c]);
        x += w[c];
    }
    /* a ruled line to write on, and boxes for the counts */
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 0.4);
    for (size_t c = FIRST_FILL_IN; c < N_COLS; c++) {
        cairo_rectangle(cr, x + 2, y - ROW_H + 6, w[c] - 4, ROW_H - 3);
        x += w[c];
    }
    cairo_stroke(cr);
    cairo_move_to(cr, MARGIN, y + 5);
    cairo_line_to(cr, x, y + 5);
    cairo_stroke(cr);
}

/* Title and summary lines of an enforcer's first page; returns the y below them. */
static double title(cairo_t *cr, const stad_bikes_theme *t, const stad_bikes_plan *p, int e,
                    const char *date, size_t n_stops)
{
    char line[320], dur[16], take[64] = "";
    clock_text(p->route_s[e], dur, sizeof dur);
    set_font(cr, 15, 1);
    cairo_set_source_rgb(cr, 0, 0, 0);
    snprintf(line, sizeof line, "%s %s - handhaver %d van %d", t->title, date, e + 1, p->enforcers);
    cairo_move_to(cr, MARGIN, MARGIN + 12);
    cairo_show_text(cr, line);
    set_font(cr, 9, 0);
    int labels = stad_bikes_plan_labels_to_take(p, e);
    if (labels > 0)
        snprintf(take, sizeof take, " Neem %d labels mee.", labels);
    /* two lines: one would not fit the page's width */
    snprintf(line, sizeof line, "%zu stops, %s van %.1f uur, start en einde bij D.%s", n_stops,
             dur, p->hours, take);
    cell(cr, MARGIN - 3, MARGIN + 28, PAGE_W - 2 * MARGIN + 6, 0, line);
    snprintf(line, sizeof line,
             "Wat na %d dagen nog gelabeld is, wordt bij de nacontrole verwijderd.",
             t->waiting_days);
    cell(cr, MARGIN - 3, MARGIN + 40, PAGE_W - 2 * MARGIN + 6, 0, line);
    return MARGIN + 50;
}

int stad_bikes_plan_pdf(stad_ctx *ctx, const stad_bikes_theme *t, const stad_bikes_streets *st,
                        const stad_bikes_plan *p, const stad_bikes_area_names *wijken,
                        stad_strbuf *b)
{
    char date[16];
    stad_date_format(p->date, date, sizeof date);
    size_t start = b->len;
    cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(to_strbuf, b, PAGE_W, PAGE_H);
    cairo_t *cr = cairo_create(surf);
    char meta[128];
    snprintf(meta, sizeof meta, "Routeblad %s %s", t->title, date);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, meta);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "stad");
    /* one set of widths for every page, so all pages' tables read back as one */
    double widths[N_COLS];
    column_widths(cr, st, p, wijken, widths);
    for (int e = 0; e < p->enforcers; e++) {
        size_t n = 0;
        for (size_t k = 0; k < p->n_stops; k++)
            n += p->stops[k].enforcer == e;
        double y = title(cr, t, p, e, date, n) + 6;
        draw_map(cr, st, p, e, y);
        y += MAP_H + 22;
        if (n) {
            table_head(cr, y, widths);
        } else {
            /* no table at all: a note under a header would read back as a stop */
            set_font(cr, FONT + 1, 0);
            cairo_move_to(cr, MARGIN, y);
            cairo_show_text(cr, "Geen stops passen in de tijd van deze route.");
        }
        for (size_t k = 0; k < p->n_stops; k++) {
            const stad_bikes_stop *s = &p->stops[k];
            if (s->enforcer != e)
                continue;
            if (y + ROW_H > PAGE_H - MARGIN) {
                /* the table goes on over the page under its header row; no title
                 * above it, which a reader would take for part of the header */
                cairo_show_page(cr);
                y = MARGIN + 10;
                table_head(cr, y, widths);
            }
            y += ROW_H;
            table_row(cr, y, st, s, wijken, widths);
        }
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(surf);
    cairo_status_t cs = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    if (cs != CAIRO_STATUS_SUCCESS || b->oom) {
        /* nothing half-written stays in the buffer */
        b->len = start;
        if (b->s)
            b->s[start] = '\0';
        return stad_fail(ctx, cs == CAIRO_STATUS_NO_MEMORY || b->oom ? STAD_ENOMEM : STAD_EIO,
                         "route sheet PDF: %s", cairo_status_to_string(cs));
    }
    return 0;
}

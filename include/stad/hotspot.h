/* stad hotspot: counts per area and grid cell, change against the previous period,
 * kernel density, Getis-Ord Gi* hotspots and a flex-team proposal.
 *
 * Ownership: every stad_*_compute/_new hands out a result released with the matching
 * _free (NULL accepted). All strings and arrays inside a result belong to it. Results
 * are plain data: they may be read from any thread once made.
 *
 * Conventions:
 * - Geometry in the city CRS (metres). Cell c of a grid is column c % nx, row c / nx,
 *   rows counted from the south: its centre is (x0 + (col + .5) cell, y0 + (row + .5) cell).
 * - Each event row weighs its `count` (a row that stands for 3 events counts 3).
 *   Events without coordinates count in area totals but not on grids.
 * - The period: the filter's [t_min, t_max) when it has one; otherwise the 28 days
 *   ending at the end of the day of the latest matching event
 *   (stad_hotspot_period). The previous period has the same length and ends where the
 *   period starts.
 * - Densities are events per km^2. */
#ifndef STAD_HOTSPOT_H
#define STAD_HOTSPOT_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "geo.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STAD_HOTSPOT_CELL_DEFAULT 100.0      /* metres */
#define STAD_HOTSPOT_BANDWIDTH_DEFAULT 250.0 /* metres */
#define STAD_HOTSPOT_FDR_DEFAULT 0.05
#define STAD_HOTSPOT_RECENT_DAYS 28

/* ---------------------------------------------------------------- grid ---- */

typedef struct stad_hotspot_grid {
    double x0, y0; /* south-west corner, a multiple of `cell` */
    double cell;   /* metres */
    int nx, ny;
} stad_hotspot_grid;

/* Grid with origin snapped to a multiple of cell, covering the points (NaN skipped)
 * plus `margin` metres on each side. STAD_EEMPTY without points; STAD_ERANGE when
 * it would exceed 4096 x 4096 cells. */
int stad_hotspot_grid_fit(stad_ctx *ctx, const double *x, const double *y, size_t n,
                          double cell, double margin, stad_hotspot_grid *out);
/* Cell index of a point, or -1 outside the grid (or NaN). */
long stad_hotspot_grid_cell(const stad_hotspot_grid *g, double x, double y);
/* Adds weight w[i] (1 when w is NULL) of each point to counts[cell] (nx*ny, not
 * zeroed first). Points outside the grid are ignored; returns how many were. */
size_t stad_hotspot_grid_count(const stad_hotspot_grid *g, const double *x,
                               const double *y, const double *w, size_t n,
                               double *counts);

/* City-CRS -> WGS84 transform for this store (meta "city.crs", default EPSG:28992).
 * The caller frees it with stad_transform_free; one per thread. */
int stad_hotspot_transform(stad_ctx *ctx, stad_store *s, stad_transform **out);
/* Cell outline as a closed WGS84 ring: 5 lon/lat pairs, counter-clockwise from the
 * south-west corner (RFC 7946 orientation). */
int stad_hotspot_cell_ring(stad_transform *t, const stad_hotspot_grid *g, size_t cell,
                           double ring[10]);

/* ------------------------------------------------------------- statistics ---- */

/* Two-sided p-value of the exact conditional test of equal Poisson rates: given
 * n = a + b events, a ~ Binomial(n, w) under "no change", where w is the share of
 * time of a's period (0.5 for periods of equal length). The p-value sums the
 * probabilities of all outcomes no more likely than a (with 1e-7 relative slack).
 * 1 when a + b == 0. */
double stad_hotspot_rate_p(int64_t a, int64_t b, double w);

/* Benjamini-Hochberg at level q over n p-values. qvalue (may be NULL) gets the
 * adjusted p-values; reject (may be NULL) gets 1 where qvalue <= q. NaN p-values
 * are left out of the family (qvalue NaN, reject 0). Returns the number rejected,
 * or STAD_ENOMEM. */
long stad_hotspot_fdr(const double *p, size_t n, double q, double *qvalue,
                      unsigned char *reject);

/* ---------------------------------------------------- change per area ---- */

typedef struct stad_hotspot_change_row {
    int64_t area_id;     /* 0: events without an area */
    const char *code;    /* "" when none */
    const char *name;
    int64_t count;       /* in the period */
    int64_t previous;    /* in the previous period of equal length */
    double ratio;        /* count / previous; INFINITY if previous is 0, NaN if both */
    double p_value;      /* stad_hotspot_rate_p(count, previous, 0.5) */
    double q_value;      /* Benjamini-Hochberg over the rows */
    int significant;     /* q_value <= alpha */
} stad_hotspot_change_row;

typedef struct stad_hotspot_change {
    int64_t from, to;           /* [from, to) */
    int64_t prev_from, prev_to; /* [prev_from, prev_to) */
    int64_t total, total_previous;
    size_t n;
    stad_hotspot_change_row *rows; /* by count descending, then code */
    void *priv_;
} stad_hotspot_change;

/* Counts per area of `level` ("wijk" | "buurt") in the period and the previous one,
 * for the filter's kinds/area/bbox. alpha 0 = 0.05. Areas with no events in either
 * period are left out. */
int stad_hotspot_change_compute(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                                const char *level, double alpha,
                                stad_hotspot_change **out);
void stad_hotspot_change_free(stad_hotspot_change *c);

/* The period the filter means (see the top of this file); STAD_EEMPTY when the
 * filter has no period and no events match. */
int stad_hotspot_period(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                        int64_t *from, int64_t *to);

/* ------------------------------------------------------------------ KDE ---- */

typedef enum stad_kde_kernel {
    STAD_KDE_QUARTIC = 0,  /* K(r) = 3/(pi h^2) (1 - r^2/h^2)^2 for r < h; h = bandwidth */
    STAD_KDE_GAUSSIAN = 1  /* K(r) = 1/(2 pi s^2) exp(-r^2 / 2 s^2); s = bandwidth */
} stad_kde_kernel;

/* BINNED (default): events are linearly binned on a sub-grid of the cells (spacing
 * at most 1/16 of the kernel's standard deviation per axis, so the binning error
 * stays under 1%), then the binned grid is convolved and read at the cell
 * centres. The Gaussian is separable and runs as two 1-D passes truncated at 4 s;
 * the radial quartic is NOT separable, so it runs as a direct 2-D disc stencil. Both
 * cost cells x stencil, independent of the number of events. With few events the
 * quartic instead scatters each event onto the cells of its disc (exact, and cheaper
 * then: events x disc cells); `oversample` > 0 forces the stencil.
 * EXACT: the sum over all events for every cell centre (no truncation); for small
 * inputs, tests and as the reference of the benchmark. */
typedef enum stad_kde_mode { STAD_KDE_BINNED = 0, STAD_KDE_EXACT = 1 } stad_kde_mode;

typedef struct stad_kde_opts {
    double cell;       /* metres; 0 = 100 */
    double bandwidth;  /* metres; 0 = 250 */
    stad_kde_kernel kernel;
    stad_kde_mode mode;
    int oversample;    /* sub-cells per cell per axis in BINNED mode; 0 = automatic */
    const stad_hotspot_grid *grid; /* NULL: fitted to the points, margin = support */
} stad_kde_opts;

typedef struct stad_kde {
    stad_hotspot_grid grid;
    double *density;  /* nx * ny, events per km^2 at the cell centres */
    double max;       /* largest density */
    double total;     /* weight of the events used */
} stad_kde;

/* KDE of points with weights w (NULL = 1 each); NaN points are skipped. */
int stad_kde_points(stad_ctx *ctx, const double *x, const double *y, const double *w,
                    size_t n, const stad_kde_opts *opts, stad_kde **out);
/* KDE of the events matching the filter (all of its period; no default period). */
int stad_kde_compute(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                     const stad_kde_opts *opts, stad_kde **out);
void stad_kde_free(stad_kde *k);

/* ------------------------------------------------------------------ Gi* ---- */

/* Getis-Ord Gi* z-score of every cell of a value grid (nx*ny), with binary weights:
 * the cells whose centres lie within `distance` metres of the cell's centre,
 * including itself. mask (NULL = all cells) marks the study area: cells outside it
 * are neither tested nor neighbours, and their z is NaN. n in the formula is the
 * number of cells in the mask. STAD_EEMPTY when the values do not vary. */
int stad_gi_star(stad_ctx *ctx, const stad_hotspot_grid *g, const double *value,
                 const unsigned char *mask, double distance, double *z);

/* 8-connected components of the cells where hot[c] != 0: label[c] = 1..k for hot
 * cells, 0 elsewhere, numbered in cell order. Returns k, or STAD_ENOMEM. */
long stad_hotspot_label(const stad_hotspot_grid *g, const unsigned char *hot,
                        int32_t *label);

/* Like stad_hotspot_label, but a component of more than max_cells cells keeps only its
 * cells above its median z (repeatedly, clearing hot[] for the others) until every
 * component has at most max_cells cells (0 = no limit), and components without
 * events (count) are dropped. Returns the number of components or STAD_ENOMEM. */
long stad_hotspot_label_bounded(const stad_hotspot_grid *g, const double *z,
                                const double *count, unsigned char *hot, int32_t *label,
                                size_t max_cells);

/* ------------------------------------------------------------- hotspots ---- */

typedef struct stad_hotspot_opts {
    double cell;        /* metres; 0 = 100 */
    double bandwidth;   /* metres; 0 = 250 (KDE bandwidth) */
    double distance;    /* Gi* distance band in metres; 0 = bandwidth */
    stad_kde_kernel kernel; /* for the density of each hot cell */
    double fdr;         /* q; 0 = 0.05 */
    size_t max_cells;   /* largest hotspot in cells before it is split into its
                           cores; 0 = 25 (0.25 km² with 100 m cells) */
    int all_cells;      /* 1: test every grid cell; 0: only cells whose centre lies in
                           a buurt (or wijk) when the store has areas */
} stad_hotspot_opts;

typedef struct stad_hotspot_cell {
    size_t cell;       /* index in the grid */
    int hotspot;       /* rank of its hotspot, 1-based */
    int64_t count;     /* events in the cell in the period */
    double z, p, q;    /* Gi* z, one-sided p (upper tail), BH-adjusted p */
    double density;    /* KDE, events per km^2 */
} stad_hotspot_cell;

typedef struct stad_hotspot {
    int rank;               /* 1 = most events */
    int64_t count;          /* events in its cells in the period */
    double share;           /* count / events on the grid */
    size_t n_cells;
    double x, y;            /* centroid of its events, city CRS */
    double lon, lat;
    int64_t wijk_id, buurt_id;        /* majority of its events; 0 = none */
    const char *wijk_code, *wijk_name; /* "" when none */
    const char *buurt_code, *buurt_name;
    const char *streets[3]; /* most frequent street names of its events */
    size_t n_streets;
    /* trend: the same cells in the previous period */
    int64_t previous;
    double ratio;           /* count / previous (INFINITY if previous is 0) */
    double p_value;         /* stad_hotspot_rate_p(count, previous, 0.5) */
} stad_hotspot;

typedef struct stad_hotspots {
    stad_hotspot_grid grid;
    int64_t from, to, prev_from, prev_to;
    int64_t total;              /* events on the grid in the period */
    size_t n_tested;            /* cells in the study area */
    size_t n;
    stad_hotspot *items;        /* by rank */
    size_t n_hot;
    stad_hotspot_cell *cells;   /* hot cells, by hotspot rank then cell index */
    double *z;                  /* nx*ny Gi* z (NaN outside the study area) */
    double *count;              /* nx*ny events per cell in the period */
    double *density;            /* nx*ny KDE in the period (events per km^2) */
    void *priv_;
} stad_hotspots;

/* Hotspots of the period. No located events in the period is not an error: the
 * result then has n = 0, n_hot = 0, a 0 x 0 grid and NULL z/count/density. */
int stad_hotspot_compute(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                         const stad_hotspot_opts *opts, stad_hotspots **out);
void stad_hotspot_free(stad_hotspots *h);

/* ------------------------------------------------------------ flex team ---- */

/* Forecast hook (for the predict module): fills expected[nx*ny] with the expected
 * events per cell in [from, to). Returns 0 or a STAD_E* code. */
typedef int (*stad_flexteam_forecast_fn)(void *user, const stad_hotspot_grid *g,
                                         int64_t from, int64_t to, double *expected);

typedef struct stad_flexteam_opts {
    int shifts;                 /* K >= 1 */
    int horizon_days;           /* length of the next period; 0 = 14 */
    int recent_days;            /* rate window before the period's end; 0 = 28 */
    stad_hotspot_opts hotspot;  /* how hotspots are found */
    stad_flexteam_forecast_fn forecast; /* NULL: expected = recent rate x horizon */
    void *forecast_user;
} stad_flexteam_opts;

typedef struct stad_flexteam_pick {
    int rank;
    int hotspot;            /* rank in `hotspots`, or 0 when the pick is a buurt */
    int64_t area_id;        /* buurt of the pick (majority of its events) */
    const char *area_code, *area_name; /* "" when none */
    double expected;        /* expected events in the next period */
    int64_t recent;         /* events in the recent window */
    double lon, lat;
    const char *reason;     /* one line of plain English with the numbers */
} stad_flexteam_pick;

typedef struct stad_flexteam {
    int shifts;
    int64_t from, to;           /* the next period [from, to) */
    int64_t recent_from;        /* the recent window [recent_from, from) */
    size_t n;                   /* <= shifts: fewer when there is too little to cover */
    stad_flexteam_pick *picks;  /* hotspots by expected events, then buurten */
    double expected_total;      /* all expected events on the grid */
    stad_hotspots *hotspots;    /* the hotspots of the recent window, owned */
    void *priv_;
} stad_flexteam;

/* Chooses K hotspots, then buurten (events outside the chosen hotspots) when there
 * are fewer hotspots than shifts, greedily by expected events. The filter's period
 * end (or the latest event) is where the next period begins. */
int stad_flexteam_compute(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                          const stad_flexteam_opts *opts, stad_flexteam **out);
void stad_flexteam_free(stad_flexteam *ft);

#ifdef __cplusplus
}
#endif
#endif

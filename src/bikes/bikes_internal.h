/* Internals shared by the bikes module's files. Not a public header. */
#ifndef STAD_BIKES_INTERNAL_H
#define STAD_BIKES_INTERNAL_H

#include "stad/bikes.h"

/* Indexes of o->visits ordered by street, then time, then label before follow-up;
 * malloc'ed (caller frees), NULL when out of memory (or no visits: check n). */
size_t *bikes_visit_order(const stad_bikes_obs *o);

/* Seconds of work at a street: the fixed time, walking its length, and per item. */
double bikes_service_s(const stad_bikes_theme *t, double length_m, double labels,
                       double removals);

/* The yield model's prior (bikes_prior.c). rate has one entry per street and is the
 * caller's (n doubles). */
typedef struct bikes_prior {
    double *rate;        /* prior mean items per metre-day, per street */
    double city_rate;    /* the city-wide one */
    double alpha;        /* gamma shape */
    double slope_traffic, slope_hint;
    size_t n_visited;
} bikes_prior;

/* From the items R and exposures E (metre-days) per street (E = 0: never visited);
 * fallback_rate while fewer than 5 streets were visited or nothing was found; while
 * fewer than 20 were visited, the rates go with cyclists and hint by cold_elasticity
 * (0: one rate for all). */
void bikes_prior_fit(const stad_bikes_streets *st, const double *R, const double *E,
                     double fallback_rate, double cold_elasticity, bikes_prior *out);

/* Fills st->near (bikes_near.c): for every unnamed segment the name of the nearest
 * named one within within_m, middle to middle. 0 or STAD_ENOMEM. */
int bikes_streets_find_near(stad_bikes_streets *st, double within_m);

/* Points bucketed on a grid (bikes_grid.c): the points of cell c = cy * nx + cx are
 * idx[start[c]] .. idx[start[c + 1] - 1], indexes into the arrays the grid was built
 * from. The cell is at least the one asked for (it grows to keep the grid small). */
typedef struct bikes_grid {
    double x0, y0, cell;
    size_t nx, ny;
    size_t *start, *idx;
} bikes_grid;
/* 0 or STAD_ENOMEM (g empty); no points give an empty grid. */
int bikes_grid_build(bikes_grid *g, const double *x, const double *y, size_t n, double cell);
void bikes_grid_free(bikes_grid *g);
/* The cells [cx0, cx1] x [cy0, cy1] that cover the box; 0 when the box misses the grid. */
int bikes_grid_cells(const bikes_grid *g, double xmin, double ymin, double xmax, double ymax,
                     size_t *cx0, size_t *cy0, size_t *cx1, size_t *cy1);

/* Adds to o the campaign results that came in as events of the theme's three kinds
 * from files (not the theme's own campaign source, whose visits are in
 * campaign_visit) before `until`, of the sources scope allows (NULL: all), each at
 * the street nearest its location (bikes_import.c). */
int bikes_obs_add_imported(stad_ctx *ctx, stad_store *s, const stad_bikes_theme *t,
                           const stad_bikes_streets *st, int64_t until,
                           const stad_event_filter *scope, stad_bikes_obs *o);

/* The source a theme's recorded visits are written under as events,
 * "campaign.<theme>", into buf (64 bytes are enough). */
void bikes_campaign_source(const stad_bikes_theme *t, char *buf, size_t size);

/* Position of v in the ascending array a[0..n-1], or -1. */
long bikes_sorted_find(const int64_t *a, size_t n, int64_t v);

/* The source restriction of scope (NULL: none) into f. */
void bikes_scope_copy(const stad_event_filter *scope, stad_event_filter *f);

/* Dutch words of the route sheets (bikes_words.c); static strings. The road class
 * of a street file ("residential") as an enforcer says it ("woonstraat"); unknown
 * classes come back as given, an empty one as "straat". */
const char *bikes_kind_nl(const char *kind);
/* What an enforcer looks for: the street's name, else its road class in brackets
 * and the nearest named street ("(voetpad bij Vismarkt)", "(fietspad)"), into buf. */
void bikes_street_label(const stad_bikes_streets *st, size_t i, char *buf, size_t size);
/* "labelen" or "nacontrole". */
const char *bikes_task_nl(int action);

#endif

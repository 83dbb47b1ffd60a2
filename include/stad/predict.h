/* stad predict: grid forecasts of where events (residential burglary by default) are
 * most likely in the next period, and rolling-origin backtests that say how good each
 * method has been. The evaluation follows data/crime/PROTOCOL.md (see
 * docs/forecasting.md): square cells, origin floor(min/cell)*cell - cell, a study area
 * of the cells within `mask_cells` (Chebyshev) of an event before the test start,
 * consecutive windows, ties broken by the higher cell index, hits pooled over windows
 * (all events of the windows, also those outside the study area, are the denominator).
 *
 * Ownership: stad_predict_data_load/_new hands out data released with
 * stad_predict_data_free; stad_predict_forecast and stad_predict_backtest hand out
 * results released with stad_forecast_free / stad_backtest_free (NULL accepted). All
 * strings and arrays inside a result belong to it. A data object is read-only once
 * made and may be shared by threads; results are plain data.
 *
 * Honesty: a forecast made at time `at` sees only events with t_from < at; every
 * model (including the regression and the point process) is fitted afresh on those
 * events alone for every window of a backtest. Covariate layers (assets, area figures)
 * are static. */
#ifndef STAD_PREDICT_H
#define STAD_PREDICT_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "hotspot.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STAD_PREDICT_CELL_DEFAULT 125.0 /* metres (Amsterdam's forecasting grid) */
#define STAD_PREDICT_HORIZON_DEFAULT 14 /* days */
#define STAD_PREDICT_MASK_DEFAULT 2     /* cells */
#define STAD_PREDICT_N_COVERAGE 6       /* 1, 2, 3, 5, 10, 20 % of the study area */

/* The reported coverages, in per cent. */
extern const double stad_predict_coverage[STAD_PREDICT_N_COVERAGE];

typedef struct stad_predict_opts {
    double cell;          /* metres; 0 = 125 */
    int horizon_days;     /* forecast window; 0 = 14 */
    int mask_cells;       /* study area radius in cells; 0 = 2, -1 = every grid cell */
    int64_t history_from; /* events before this are not loaded; 0 = all */
    const char *const *kinds; /* taxonomy slugs (children match); n_kinds 0 = all */
    size_t n_kinds;
    /* Covariate layers for the regression. Asset kinds to use as point layers (NULL =
     * "streetlight,container"); area-figure keys (NULL = the synonyms in
     * config/forecast.conf). A layer missing from the store, or covering less than half
     * of the study area, is left out, and the result says so. */
    const char *layers;
    const char *figures;
    /* Where and whose events: when not NULL, the place (area_code, bbox) and the
     * source restriction (restrict_sources, source_ids) of this filter apply to the
     * events read, and the source restriction also to the asset points of the layers
     * (no ids = nothing, as in stad_events_load). The server passes the caller's
     * filter here, so a forecast reads only the sources the caller may read; NULL =
     * everything (the command line). Its kinds and period are not used; it must
     * outlive the load. */
    const stad_event_filter *where;
} stad_predict_opts;

/* Events (one kind filter), their grid and the covariate layers. */
typedef struct stad_predict_data stad_predict_data;

/* Loads the events matching opts with t_from in [history_from, until) (until 0 = no
 * bound) that have coordinates, fits the grid to them (PROTOCOL.md), and loads the
 * covariate layers. STAD_EEMPTY when no located event matches. */
int stad_predict_data_load(stad_ctx *ctx, stad_store *s, const stad_predict_opts *opts,
                           int64_t until, stad_predict_data **out);
/* The same from arrays (for tests and other front ends): times t (naive local
 * seconds), coordinates in metres, weights w (NULL = 1). Points need not be sorted. */
int stad_predict_data_new(stad_ctx *ctx, const stad_predict_opts *opts, const int64_t *t,
                          const double *x, const double *y, const double *w, size_t n,
                          stad_predict_data **out);
/* Adds a point layer (e.g. street lights) by name; copies the points. Names
 * "streetlight" and "container" get plain-word reasons; others are used as given. */
int stad_predict_data_add_layer(stad_ctx *ctx, stad_predict_data *d, const char *name,
                                const double *x, const double *y, size_t n);
/* Adds a per-cell value (e.g. an area figure joined to the cells), nx*ny values; NaN =
 * unknown (replaced by the mean of the known ones). Copies the values. */
int stad_predict_data_add_figure(stad_ctx *ctx, stad_predict_data *d, const char *name,
                                 const double *value);
void stad_predict_data_free(stad_predict_data *d);
const stad_hotspot_grid *stad_predict_data_grid(const stad_predict_data *d);
size_t stad_predict_data_events(const stad_predict_data *d);
/* Notes gathered while loading (layers left out, ...), one per line; "" if none. */
const char *stad_predict_data_notes(const stad_predict_data *d);

/* ------------------------------------------------------------- methods ---- */

/* The methods, by name:
 *   last         events of the last horizon (naive)
 *   count365     events of the last 365 days (reference baseline)
 *   count56      events of the last 56 days
 *   longrun      events of the last 730 days, smoothed with a Gaussian of 1 cell
 *   prospective  Bowers/Johnson/Pease weights 1/((1+d)(1+w)), d < 4 cells (Chebyshev),
 *                w < 8 whole weeks (as open_cp's grid ProspectiveHotSpot)
 *   prospective8 the same with d < 8 cells
 *   decay        all history, exponentially decayed and smoothed, plus a near-repeat
 *                share; half-life, smoothing and share chosen before each forecast by
 *                the hit rate on the windows before it
 *   sepp         self-exciting point process: smoothed background plus exponential-in-
 *                time, Gaussian-in-space triggering, fitted by EM (Mohler et al. 2011)
 *   covariate    regularised Poisson regression on per-cell features (lagged counts,
 *                neighbour rings, days since the last event nearby, layers, figures,
 *                season) fitted on the year of windows before the forecast
 *   ensemble     rank blend: two parts decay, one part covariate
 * A model that cannot be fitted (too few events) falls back to longrun and says so. */
extern const char *const stad_predict_methods[];
extern const size_t stad_predict_n_methods;
/* 1 when name is a method. */
int stad_predict_method_known(const char *name);

/* ------------------------------------------------------------ forecast ---- */

typedef struct stad_forecast_cell {
    size_t cell;        /* grid index */
    int rank;           /* 1 = highest risk; ties: higher cell index first */
    double risk;        /* expected events in [from, to) (or a score, see rate) */
    int64_t recent;     /* events in the cell in the last 365 days */
    double x, y;        /* centre, city CRS */
    const char *reason; /* the main reasons in plain words */
} stad_forecast_cell;

typedef struct stad_forecast {
    stad_hotspot_grid grid;
    int64_t from, to;          /* the forecast window [from, to) */
    const char *method;        /* the method asked for */
    const char *used;          /* the method that made it (differs after a fallback) */
    const char *note;          /* why a fallback happened, layers left out; "" if none */
    int rate;                  /* 1: risk is expected events; 0: a relative score */
    size_t n;                  /* cells in the study area */
    stad_forecast_cell *cells; /* by rank */
    double expected_total;     /* sum of risk when rate */
    size_t n_coef;             /* covariate model: standardised coefficients */
    const char **coef_name;
    double *coef;
    void *priv_;
} stad_forecast;

/* Forecast for [at, at + horizon) from the events before `at`. */
int stad_predict_forecast(stad_ctx *ctx, const stad_predict_data *d, const char *method,
                          int64_t at, stad_forecast **out);
void stad_forecast_free(stad_forecast *f);

/* Risk of every grid cell (nx*ny) by one method for [at, at + horizon): the building
 * block of forecasts and backtests. *used (may be NULL) gets the method that ran. */
int stad_predict_risk(stad_ctx *ctx, const stad_predict_data *d, const char *method,
                      int64_t at, double *risk, const char **used);

/* Forecast hook for stad_flexteam_opts.forecast: `user` is a stad_flexteam_forecast
 * below. Fills expected[] on the flex team's grid (any cell size) with the method's
 * expected events, each of our cells spread over the grid cells its centre falls in. */
typedef struct stad_flexteam_forecast {
    stad_ctx *ctx;
    const stad_predict_data *data;
    const char *method; /* NULL = "sepp" (expected counts) */
} stad_flexteam_forecast;
int stad_predict_flexteam_hook(void *user, const stad_hotspot_grid *g, int64_t from,
                               int64_t to, double *expected);

/* Sets up the flex team's forecast for the filter f of stad_flexteam_compute: finds
 * where its next period begins (the period end of f, or the day after the latest
 * event), loads f's events (kinds, place, sources) of the two years before it, and
 * when they are enough to fit the point process (STAD_PREDICT_FLEX_MIN events), points
 * o->forecast at stad_predict_flexteam_hook with *hook (method "sepp"). *data gets the
 * loaded events (release with stad_predict_data_free after the flex team is
 * computed; *hook points to it); with too little history *data is NULL and o is left
 * as it was (expected = the recent rate). `why` (may be NULL) gets one line in plain
 * words saying which it is. Nothing to forecast is no error here (0, *data NULL):
 * stad_flexteam_compute reports that itself. */
#define STAD_PREDICT_FLEX_MIN 30
int stad_predict_flexteam_prepare(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                                  stad_flexteam_opts *o, stad_flexteam_forecast *hook,
                                  stad_predict_data **data, char *why, size_t why_size);

/* ------------------------------------------------------------ backtest ---- */

typedef struct stad_backtest_row {
    const char *method;
    const char *used;        /* methods that ran after fallbacks ("sepp" or "longrun") */
    int windows;
    int64_t events;          /* events in the windows inside the study area */
    int64_t events_all;      /* all events in the windows */
    size_t cells[STAD_PREDICT_N_COVERAGE];   /* flagged cells per window */
    double hit[STAD_PREDICT_N_COVERAGE];     /* pooled hit rate (0..1) */
    double pai[STAD_PREDICT_N_COVERAGE];     /* hit / coverage share */
    double pei[STAD_PREDICT_N_COVERAGE];     /* captured / best possible captured */
    double calib[STAD_PREDICT_N_COVERAGE];   /* predicted / observed in the flagged cells
                                                (rate methods; NaN otherwise) */
    double predicted, observed; /* all study cells, pooled (rate methods) */
    double seconds;             /* CPU time of this method over all windows */
} stad_backtest_row;

typedef struct stad_backtest {
    int64_t from, to;       /* [from, to): the scored windows */
    int windows;
    size_t study_cells;
    int64_t history_from;   /* first event used */
    int64_t events_history; /* events before the test start */
    size_t n;
    stad_backtest_row *rows; /* in the order asked */
    const char *notes;       /* gaps, fallbacks, layers left out; "" if none */
    void *priv_;
} stad_backtest;

/* Scores each method on the consecutive horizon-long windows from `from` that end by
 * `to` ([from, to)). STAD_ERANGE when the test period lies outside the data or holds no
 * whole window; STAD_EEMPTY when there are no events before `from`. */
int stad_predict_backtest(stad_ctx *ctx, const stad_predict_data *d,
                          const char *const *methods, size_t n_methods, int64_t from,
                          int64_t to, stad_backtest **out);
void stad_backtest_free(stad_backtest *b);

#ifdef __cplusplus
}
#endif
#endif

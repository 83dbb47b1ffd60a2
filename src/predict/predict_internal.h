/* Shared by the files of the predict module only. */
#ifndef STAD_PREDICT_INTERNAL_H
#define STAD_PREDICT_INTERNAL_H

#include "stad/predict.h"
#include "stad/strbuf.h"

#define PD_DAY 86400
#define PD_MAX_LAYERS 8
#define PD_MAX_FIGURES 12

typedef struct pd_layer {
    char *name;
    double *near;  /* nx*ny: points within the cell and its 8 neighbours */
    double *dist;  /* nx*ny: metres from the cell centre to the nearest point (capped) */
} pd_layer;

typedef struct pd_figure {
    char *name;
    double *value; /* nx*ny, NaN filled with the mean */
} pd_figure;

struct stad_predict_data {
    double cell;
    int horizon_days, mask_cells;
    stad_hotspot_grid g;
    size_t n;      /* events, sorted by t */
    int64_t *t;
    double *x, *y, *w;
    long *c;       /* grid cell of each event */
    pd_layer layers[PD_MAX_LAYERS];
    size_t n_layers;
    pd_figure figures[PD_MAX_FIGURES];
    size_t n_figures;
    stad_strbuf notes;
};

/* Method ids, in the order of stad_predict_methods. */
enum {
    PM_LAST,
    PM_COUNT365,
    PM_COUNT56,
    PM_LONGRUN,
    PM_PROSPECTIVE,
    PM_PROSPECTIVE8,
    PM_DECAY,
    PM_SEPP,
    PM_COVARIATE,
    PM_ENSEMBLE,
    PM_N
};
int pm_method_id(const char *name);
int pm_is_rate(int id);

/* First event index with t >= at (events sorted by t). */
size_t pd_index_at(const stad_predict_data *d, int64_t at);
/* Adds the weights of the events with t in [a, b) to out[cell] (not zeroed). */
void pd_count(const stad_predict_data *d, int64_t a, int64_t b, double *out);
/* Study area: cells within d->mask_cells (Chebyshev) of an event before `at`; returns the
 * number of cells, sets mask[nx*ny] (0/1). */
size_t pd_mask(const stad_predict_data *d, int64_t at, unsigned char *mask);
/* Gaussian smoothing over the grid (sigma in cells, truncated at 3 sigma). */
int pd_smooth(const stad_hotspot_grid *g, const double *in, double sigma, double *out);
/* Prospective hotspotting with Chebyshev band `cells` and `weeks`. */
void pd_prospective(const stad_predict_data *d, int64_t at, int cells, int weeks, double *out);

/* A run: caches what successive windows share (features, parameters). */
#define PM_MAX_FEATURES 40
#define PM_CACHE 160

typedef struct pm_cache_entry {
    int64_t at;
    float *x; /* ncells x nf */
} pm_cache_entry;

/* State of the decay method (predict_decay.c): its scores of the training windows. */
typedef struct pm_decay pm_decay;
void pm_decay_free(pm_decay *z);

typedef struct pm_run {
    stad_ctx *ctx;
    const stad_predict_data *d;
    size_t nc;            /* grid cells */
    size_t *cells;        /* the cell set (study area) */
    size_t ncells;
    double *tmp1, *tmp2, *tmp3; /* nc each */
    /* sepp */
    size_t *pair_start;   /* n + 1 */
    uint32_t *pair_i;     /* parent of each pair */
    float *pair_dt, *pair_d2;
    size_t n_pairs;
    double *pb;           /* background probability per event */
    /* covariate */
    int nf;
    const char *fname[PM_MAX_FEATURES];
    char *fname_own[PM_MAX_FEATURES];
    int has_beta;
    double beta[PM_MAX_FEATURES + 1]; /* [0] intercept, standardised features */
    double mean[PM_MAX_FEATURES], sd[PM_MAX_FEATURES];
    pm_cache_entry cache[PM_CACHE];
    size_t n_cache;
    /* decay */
    pm_decay *decay;
    /* The decay and covariate surfaces computed so far, with what they used and
     * noted: the ensemble blends those two for the same forecast times, and as every
     * forecast is fitted afresh from (data, time) alone, reusing them changes nothing
     * but the time a backtest of all methods takes. Kept up to PM_MEMO_BYTES. */
    struct pm_memo {
        int id, used;
        int64_t at;
        double *risk;     /* nc */
        char *note;       /* what the run appended to the note, or NULL */
    } *memo;
    size_t n_memo, cap_memo;
} pm_run;
#define PM_MEMO_BYTES (64u << 20)
int pm_run_new(stad_ctx *ctx, const stad_predict_data *d, const unsigned char *cellset,
               pm_run **out);
void pm_run_free(pm_run *r);
/* Risk of every cell (nx*ny) for [at, at + horizon). *used = method that ran; a
 * fallback appends its reason to note. */
int pm_risk(pm_run *r, int id, int64_t at, double *risk, int *used, stad_strbuf *note);
/* Coefficients of the last covariate fit (standardised), or 0. */
size_t pm_coef(const pm_run *r, const char ***names, const double **coef);
/* Per-cell feature contributions of the last covariate fit for `cell` at `at`:
 * writes up to k reasons (feature index, contribution) sorted by contribution. */
size_t pm_top_reasons(pm_run *r, int64_t at, size_t cell, size_t k, int *feat,
                      double *contrib);
const char *pm_feature_words(const pm_run *r, int feat, int positive);

/* Sorts cells by risk[cell] descending, ties by higher cell index (PROTOCOL.md); 0 or
 * STAD_ENOMEM. */
int pm_sort_cells(size_t *cells, size_t n, const double *risk);

/* Method implementations. */
int pm_sepp(pm_run *r, int64_t at, double *risk);
int pm_covariate(pm_run *r, int64_t at, double *risk);
int pm_decay_risk(pm_run *r, int64_t at, double *risk);
/* The settings the last decay forecast chose, in words; 0 when there is none. */
int pm_decay_choice(const pm_run *r, char *buf, size_t size);
stad_ctx *pm_ctx(pm_run *r);
const stad_predict_data *pm_data(pm_run *r);

#endif

/* stad bikes: enforcement campaigns on street segments — orphan bikes first, and by
 * configuration other themes (car wrecks, waste): which streets to visit on a date,
 * in which order for how many enforcers, the follow-up after the waiting period, the
 * results of each visit, and a simulator to evaluate it all without real data.
 *
 * Ownership: every *_load/_read/_fit/_make function hands out an object the caller
 * frees with the matching _free (accepts NULL). Themes are plain structs filled in
 * place. Streets, observations and yields are indexed by street position 0..n-1 in a
 * stad_bikes_streets; `id` maps a position to the store's street id. */
#ifndef STAD_BIKES_H
#define STAD_BIKES_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "store.h"

/* ---- themes (config/themes/<name>.conf) ---- */

#define STAD_BIKES_MAX_SIGNALS 8

typedef struct stad_bikes_theme {
    char name[32];
    char title[64];          /* what the sheets call it ("Weesfietsen"); default: name */
    char kind_labelled[64], kind_removed[64], kind_returned[64];
    char signals[STAD_BIKES_MAX_SIGNALS][64]; /* complaint kinds that hint at yield */
    size_t n_signals;
    char street_kinds[256];  /* comma-separated street kinds worth visiting; "" = all */
    int waiting_days;        /* label -> removal (28) */
    double service_street_s; /* fixed time per street visit */
    double service_label_s;  /* per label placed */
    double service_removal_s;/* per bike removed at the follow-up */
    double walk_kmh;         /* along the street while working */
    double travel_kmh;       /* between streets */
    double detour;           /* straight line x detour where the network has no path */
    double half_life_days;   /* evidence halves in weight every half_life_days */
    double max_exposure_days;/* accumulation counted back at most this far */
    double prior_per_km_day; /* prior removable items per km per day before any data */
    double cold_start_elasticity; /* before 20 streets were visited, a street's prior
                              * goes with (1 + cyclists)^e x (1 + hint)^e (0.5; 0:
                              * by length alone) */
    double signal_weight;    /* pseudo-items per complaint */
    double removal_share;    /* share of labels removed, until data says otherwise */
    double explore;          /* plan on mean + explore x sd of the yield */
    char hints[STAD_BIKES_MAX_SIGNALS][64]; /* event kinds counted near each street as
                              * a prior hint of yield (theft.bike); none = no hint */
    size_t n_hints;
    double hint_radius_m;    /* within this of a street's middle (200) */
    int has_depot;           /* routes start and end at depot_lon/lat (WGS84); else at
                              * the middle of the streets */
    double depot_lon, depot_lat;
    double min_yield_per_hour; /* a street whose (mean + explore x sd) removals per hour
                              * of work there is below this is not planned, so a
                              * team does not spend hours where nothing is expected
                              * (0 = plan until the hours are full) */
} stad_bikes_theme;

/* The defaults of the bikes theme (bike.labelled, 28 days, ...). */
void stad_bikes_theme_default(stad_bikes_theme *t);
/* The themes of config/themes/ (file names without ".conf", sorted); *out is the
 * caller's (free). No directory: none. */
typedef char stad_bikes_theme_name[32];
int stad_bikes_themes_list(stad_ctx *ctx, stad_bikes_theme_name **out, size_t *n);
/* Loads `name` from config/themes/<name>.conf (stad_config_dir), or a path ending
 * in .conf. Missing keys keep the defaults. Errors name file and line. */
int stad_bikes_theme_load(stad_ctx *ctx, const char *name_or_path, stad_bikes_theme *t);

/* Campaign planning reads (complaints, hints) the sources the register lists for
 * this role and has approved, whoever asks for the plan: purpose binding, and the
 * same plan on the command line, the dashboard and the handhelds. */
#define STAD_BIKES_PLANNING_ROLE "enforcement"

/* ---- street segments ---- */

/* How far from an unnamed segment a named one may be to say where it is. */
#define STAD_BIKES_NEAR_M 150.0

typedef struct stad_bikes_streets {
    size_t n;
    int64_t *id;              /* store id (or 1..n when read from a file) */
    double *x, *y;            /* middle of the segment, city CRS */
    double *lon, *lat;
    double *x0, *y0, *x1, *y1;/* end points, city CRS */
    double *length;           /* metres */
    double *traffic;          /* a count attribute (cyclists per week, ...), 0 if none */
    int64_t *wijk, *buurt;    /* area ids, 0 = none */
    char **kind;              /* road class ("residential"), "" when unknown */
    char **name;              /* street name, or NULL when unknown (the array itself may
                               * be NULL: no names at all) */
    const char **near;        /* for an unnamed segment read from the store, the name of
                               * the nearest named one within STAD_BIKES_NEAR_M (its
                               * middle), else NULL; points into name[] (owned there).
                               * The array may be NULL (a file read) */
    char **geojson;           /* WGS84 geometry text, or NULL */
    double *hint;             /* optional (NULL): a second count the city knows that
                               * may go with yield, e.g. bike thefts nearby; the yield
                               * model learns how much it matters */
} stad_bikes_streets;

/* Reads line features (GeoJSON, Shapefile, GeoPackage, ...; ".gz" read as it is)
 * through GDAL/OGR and projects them to city_crs (NULL: RD New). The count attribute
 * is the first of "aantal", "count", "intensiteit" that exists, the name the first of
 * "name", "naam", "straatnaam", "straat". */
int stad_bikes_streets_read(stad_ctx *ctx, const char *path, const char *city_crs,
                            stad_bikes_streets **out);
/* Replaces the store's streets by those of the file (one transaction), with wijk and
 * buurt when areas are loaded. Street ids are the feature order (1..n), so reloading
 * the same file keeps campaign history attached. Sets *n_loaded. */
int stad_bikes_streets_load(stad_ctx *ctx, stad_store *s, const char *path,
                            size_t *n_loaded);
int stad_bikes_streets_from_store(stad_ctx *ctx, stad_store *s, stad_bikes_streets **out);
void stad_bikes_streets_free(stad_bikes_streets *st);
/* Names the store's unnamed streets after the street names of the asset points
 * (street lights, containers, ...: an attribute named like the street column of
 * config/columns.conf, "straat", "openbare_ruimte", "street", ...) within `within_m`
 * metres of each segment: the name most of them carry. Sets *named (streets named now) and *points (asset points
 * with a name); both may be NULL. One transaction. */
int stad_bikes_streets_name_from_assets(stad_ctx *ctx, stad_store *s, double within_m,
                                        size_t *named, size_t *points);
/* Position of the street whose middle is nearest (x, y) within max_dist, or -1. */
long stad_bikes_streets_nearest(const stad_bikes_streets *st, double x, double y,
                                double max_dist);
/* Sets st->hint to the number of points within radius of each street's middle
 * (e.g. bike thefts from the police data). */
int stad_bikes_streets_hint_near(stad_ctx *ctx, stad_bikes_streets *st, const double *px,
                                 const double *py, size_t np, double radius);
/* Sets st->hint from the store: the theme's hint events (all times) within its
 * hint radius of each street's middle. No hint kinds: st->hint stays NULL. scope
 * (NULL: every source) limits the events to its sources (a filter made by
 * stad_privacy_scope_apply: what campaign planning may read). */
int stad_bikes_streets_hint_from_store(stad_ctx *ctx, stad_store *s,
                                       const stad_bikes_theme *t, stad_bikes_streets *st,
                                       const stad_event_filter *scope);
/* 1 if street i is of a kind the theme visits. */
int stad_bikes_street_wanted(const stad_bikes_theme *t, const stad_bikes_streets *st,
                             size_t i);

/* ---- observations: what a city sees ---- */

enum { STAD_BIKES_LABEL = 0, STAD_BIKES_FOLLOWUP = 1 };

typedef struct stad_bikes_visit {
    size_t street; /* position in the streets */
    int64_t t;
    int action;    /* STAD_BIKES_LABEL or STAD_BIKES_FOLLOWUP */
    int labels, removed, returned;
} stad_bikes_visit;

typedef struct stad_bikes_obs {
    stad_bikes_visit *visits;
    size_t n_visits, cap_visits;
    size_t *complaint_street; /* complaints (signals) by street and time */
    int64_t *complaint_t;
    size_t n_complaints, cap_complaints;
} stad_bikes_obs;

int stad_bikes_obs_add_visit(stad_bikes_obs *o, const stad_bikes_visit *v);
int stad_bikes_obs_add_complaint(stad_bikes_obs *o, size_t street, int64_t t);
void stad_bikes_obs_clear(stad_bikes_obs *o); /* frees the arrays */
/* Campaign visits of the theme, campaign results ingested from files (events of the
 * theme's labelled/removed/returned kinds from other sources than its own campaign
 * source: per street and day one labelling or follow-up) and complaint events (both
 * matched to the nearest street within 60 m) from the store, up to (not including)
 * time `until`; results and complaints of the sources of scope only (NULL: every
 * source; see stad_bikes_streets_hint_from_store). */
int stad_bikes_obs_from_store(stad_ctx *ctx, stad_store *s, const stad_bikes_theme *t,
                              const stad_bikes_streets *st, int64_t until,
                              const stad_event_filter *scope, stad_bikes_obs *o);

/* ---- yield model ---- */

/* Expected removable items per street at `date`: gamma-Poisson rate per street
 * (prior per metre fitted by empirical Bayes over the visited streets, evidence
 * weighted by recency), times the days since the last labelling there (at most
 * max_exposure_days). */
typedef struct stad_bikes_yield {
    size_t n;
    int64_t date;
    double *rate;       /* posterior mean items per day */
    double *alpha, *beta; /* posterior gamma shape and rate (per day) */
    double *mean;       /* expected items found on `date` */
    double *lo, *hi;    /* 90% interval of that expectation */
    int64_t *last_label;/* time of the last labelling visit, or INT64_MIN */
    int *outstanding;   /* labels placed and not yet followed up */
    int64_t *labelled_t;/* time of those labels */
    double prior_alpha, prior_beta_per_m; /* the fitted prior (beta per metre) */
    double *prior_rate_per_m; /* prior mean items per metre-day of each street: the
                               * city-wide rate, or with at least 20 visited streets a
                               * Poisson regression on log(1 + traffic) and log(1 +
                               * hint) (what the city knows before visiting a street) */
    double prior_slope_traffic, prior_slope_hint; /* that regression's slopes (0: none) */
    double removal_share; /* removed / labels over completed follow-ups */
    double *labels;     /* expected labels at a labelling visit on `date`: the items
                         * plus the street's bikes in daily use (learnt per street
                         * from labels minus removals at completed follow-ups, shrunk
                         * towards a regression on cyclists and hint), or items /
                         * removal_share while fewer than 5 streets say so */
    double in_use_alpha;  /* gamma shape of the in-use model (0: not fitted) */
    size_t n_visited;   /* streets with at least one labelling visit */
} stad_bikes_yield;

int stad_bikes_yield_fit(stad_ctx *ctx, const stad_bikes_theme *t,
                         const stad_bikes_streets *st, const stad_bikes_obs *o,
                         int64_t date, stad_bikes_yield **out);
void stad_bikes_yield_free(stad_bikes_yield *y);
/* The recency weight of evidence `age_days` old: 0.5^(age / half_life). */
double stad_bikes_decay(const stad_bikes_theme *t, double age_days);
/* Quantile p of a gamma(shape, rate) distribution (Wilson-Hilferty approximation,
 * exact enough for intervals). */
double stad_bikes_gamma_quantile(double shape, double rate, double p);

/* ---- planning ---- */

typedef struct stad_bikes_plan_opts {
    int64_t date;
    int enforcers;        /* >= 1 */
    double hours;         /* per enforcer */
    int has_depot;
    double depot_x, depot_y; /* city CRS; default: the middle of the streets */
    size_t max_candidates;/* streets given to the router (0 = 250) */
    long iterations;      /* router iterations (0 = its default) */
    uint64_t seed;
    double min_yield_per_hour; /* 0 = the theme's; < 0 = none (baselines that
                                * fill their hours whatever they expect) */
    const double *matrix_override; /* tests: travel seconds between candidates */
    void *graph;          /* a stad_route_graph of the streets for street distances,
                           * or NULL for straight line x detour */
} stad_bikes_plan_opts;

typedef struct stad_bikes_stop {
    size_t street;      /* position in the streets */
    int enforcer;       /* 0-based */
    int order;          /* 1-based within the enforcer's route */
    int action;         /* STAD_BIKES_LABEL or STAD_BIKES_FOLLOWUP */
    double expected;    /* expected items (label) or outstanding labels (follow-up) */
    double lo, hi;
    double labels;      /* expected labels to place at a labelling: its items and its
                         * bikes in use; 0 at a follow-up */
    double arrive_s;    /* seconds after the start */
    double service_s;
} stad_bikes_stop;

typedef struct stad_bikes_plan {
    int64_t date;
    int enforcers;
    double hours;
    size_t n_stops;
    stad_bikes_stop *stops; /* by enforcer, then order */
    double *route_s;        /* per enforcer: duration in seconds */
    double expected_total;  /* expected items to label */
    size_t followups_due, followups_planned;
    double depot_x, depot_y;
    /* Filled by stad_bikes_plan_trace (NAN / NULL before): the depot in WGS84, and
     * each enforcer's way, points way_first[e] .. way_first[e+1]-1 of way_x/y (city
     * CRS) and way_lon/lat. */
    double depot_lon, depot_lat;
    size_t *way_first;
    double *way_x, *way_y, *way_lon, *way_lat;
} stad_bikes_plan;

/* Picks the streets and orders them: follow-ups that are due come first (they are
 * promised), then streets by expected items per minute through team orienteering. */
int stad_bikes_plan_make(stad_ctx *ctx, const stad_bikes_theme *t,
                         const stad_bikes_streets *st, const stad_bikes_yield *y,
                         const stad_bikes_plan_opts *o, stad_bikes_plan **out);
void stad_bikes_plan_free(stad_bikes_plan *p);
/* The labels enforcer e (0-based) should take along: enough for the route with 90%
 * certainty (the stops' expected labels summed, plus 1.28 standard deviations of the
 * sum, each stop's from its items' 90% interval), rounded up. */
int stad_bikes_plan_labels_to_take(const stad_bikes_plan *p, int e);

/* The depot at lon/lat (WGS84) as po's start and end, in the store's city CRS. */
int stad_bikes_depot_set(stad_ctx *ctx, stad_store *s, double lon, double lat,
                         stad_bikes_plan_opts *po);
/* The theme's depot (`depot = LON, LAT`) into po; nothing when the theme has none. */
int stad_bikes_depot_from_theme(stad_ctx *ctx, stad_store *s, const stad_bikes_theme *t,
                                stad_bikes_plan_opts *po);
/* The streets as a routing graph (a stad_route_graph, freed by stad_route_graph_free)
 * for street distances and the ways: every segment an edge of its length between its
 * end points, with its bends (its WGS84 geometry brought into the city CRS of s) so
 * that a way follows the curves. */
int stad_bikes_streets_graph(stad_ctx *ctx, stad_store *s, const stad_bikes_streets *st,
                             void **out);
/* Fills the plan's depot_lon/lat and ways: from the depot along the street network
 * (graph: a stad_route_graph of the streets, or NULL for straight lines) through the
 * stops in order and back; a straight line where the network does not join two
 * points. The arrays belong to the plan. */
int stad_bikes_plan_trace(stad_ctx *ctx, stad_store *s, void *graph,
                          const stad_bikes_streets *st, stad_bikes_plan *p);

/* Route sheet writers (appending to b): printable HTML, GPX (one route per
 * enforcer), GeoJSON (stops as points with their order). */
struct stad_strbuf;
int stad_bikes_plan_html(const stad_bikes_theme *t, const stad_bikes_streets *st,
                         const stad_bikes_plan *p, struct stad_strbuf *b);
int stad_bikes_plan_gpx(const stad_bikes_streets *st, const stad_bikes_plan *p,
                        struct stad_strbuf *b);
int stad_bikes_plan_geojson(const stad_bikes_streets *st, const stad_bikes_plan *p,
                            struct stad_strbuf *b);

/* Names of the areas of one level ("wijk") by area id, for the sheets. */
typedef struct stad_bikes_area_names stad_bikes_area_names;
int stad_bikes_area_names_load(stad_ctx *ctx, stad_store *s, const char *level,
                               stad_bikes_area_names **out);
void stad_bikes_area_names_free(stad_bikes_area_names *a);
/* The name (or code) of area `id`; NULL when unknown (also for a NULL table). The
 * text belongs to the table. */
const char *stad_bikes_area_name(const stad_bikes_area_names *a, int64_t id);

/* The printable route sheet as PDF (appended to b; binary, use b->len): per
 * enforcer a page with a small map of the route (streets, numbered stops, depot)
 * and the ordered stop table (stop, arrival, street id, road class, wijk, task,
 * expected, and empty columns for labels, removed and a remark), continued over
 * pages. wijken may be NULL. On failure b is as before. */
int stad_bikes_plan_pdf(stad_ctx *ctx, const stad_bikes_theme *t, const stad_bikes_streets *st,
                        const stad_bikes_plan *p, const stad_bikes_area_names *wijken,
                        struct stad_strbuf *b);

/* ---- recording and follow-up ---- */

typedef struct stad_bikes_record {
    int64_t street_id;     /* store id */
    int64_t t;
    int action;            /* STAD_BIKES_LABEL or STAD_BIKES_FOLLOWUP */
    int labels, removed, returned;
    const char *remark;    /* may be NULL */
    const char *idem_key;  /* may be NULL; a key seen before makes this a no-op */
} stad_bikes_record;

/* Stores one visit (and its labels/removals/returns as events) in one transaction.
 * *duplicate (may be NULL) is set to 1 when the idempotency key was already there,
 * and nothing is written. */
int stad_bikes_record_visit(stad_ctx *ctx, stad_store *s, const stad_bikes_theme *t,
                            const stad_bikes_record *r, int *duplicate);

typedef struct stad_bikes_followup {
    size_t street;
    int64_t labelled_t;
    int labels;
    int64_t due_t;
} stad_bikes_followup;

/* Label visits with labels whose follow-up has not been recorded and is due by
 * `date` + horizon_days, oldest first. *out is malloc'ed (caller frees). */
int stad_bikes_followups(stad_ctx *ctx, const stad_bikes_theme *t,
                         const stad_bikes_obs *o, int64_t date, int horizon_days,
                         stad_bikes_followup **out, size_t *n);

/* ---- simulator ---- */

/* The oracle is the planner's router fed the simulator's hidden truth (the orphans on
 * each street now, and its mean bikes in use): no city has it, it measures how far any
 * choice of streets could go. */
enum {
    STAD_BIKES_POLICY_PLANNER = 0,
    STAD_BIKES_POLICY_OLD = 1,
    STAD_BIKES_POLICY_RANDOM = 2,
    STAD_BIKES_POLICY_ORACLE = 3
};

typedef struct stad_bikes_sim_opts {
    uint64_t seed;
    int policy;
    int days;                /* simulated days (365) */
    int campaign_every;      /* a campaign day every N days (7) */
    int enforcers;           /* 2 */
    double hours;            /* per enforcer per campaign day (6) */
    double abandon_per_day;  /* new orphan items per day, city-wide (10) */
    double heterogeneity;    /* sd of the log random effect per street (1.0) */
    double parked_labels;    /* mean labels on bikes that are not orphans per
                              * visit of a busy street (0.5) */
    double complaint_rate;   /* complaints per orphan-day after 3 weeks (0.003) */
    int stock_days;          /* orphans at the start: what accumulated over this many
                              * days before (60; a city whose old practice sweeps a
                              * street every year or two has about a year's worth) */
    /* Inputs that drive the hidden intensity (may be NULL/0): bike-theft points and
     * bike parkings, city CRS. */
    const double *theft_x, *theft_y;
    size_t n_thefts;
    const double *parking_x, *parking_y;
    size_t n_parkings;
    long iterations;         /* router iterations per campaign day (0 = 20) */
} stad_bikes_sim_opts;

void stad_bikes_sim_opts_init(stad_bikes_sim_opts *o);

/* The simulator's real inputs from a store: bike-theft events (theft.bike) and
 * assets of kind bike_parking or bike_rack, city CRS. Arrays are malloc'ed (caller
 * frees; NULL with count 0 when there are none). */
int stad_bikes_sim_inputs(stad_ctx *ctx, stad_store *s, double **theft_x, double **theft_y,
                          size_t *n_thefts, double **park_x, double **park_y,
                          size_t *n_parks);

typedef struct stad_bikes_sim_result {
    int64_t abandoned;        /* orphan items abandoned over the simulated days */
    int64_t stock;            /* orphan items present at the start */
    int64_t removed;          /* orphan items removed */
    int64_t false_removals;   /* items removed that were not orphans */
    int64_t eligible_8w;      /* orphans abandoned at least 8 weeks before the end */
    int64_t removed_8w;       /* of those, removed within 8 weeks */
    int64_t labels, visits, followups, complaints;
    int64_t empty_visits;     /* labelling visits that found no orphan */
    double enforcer_hours;    /* budgeted: enforcers x hours x campaign days */
    double worked_hours;      /* of those, spent travelling and working (the rest
                               * is free: the plan stopped where nothing was worth it) */
    double removed_per_hour;  /* per budgeted hour */
    double removed_per_worked_hour;
    double share_8w;
} stad_bikes_sim_result;

/* Simulates `days` of abandonment on the streets and a campaign policy that sees only
 * campaign results and complaints. Deterministic per seed. */
int stad_bikes_simulate(stad_ctx *ctx, const stad_bikes_theme *t,
                        const stad_bikes_streets *st, const stad_bikes_sim_opts *o,
                        stad_bikes_sim_result *r);

#endif

/* Shared by the files of the hotspot module only. */
#ifndef STAD_HOTSPOT_INTERNAL_H
#define STAD_HOTSPOT_INTERNAL_H

#include "stad/arena.h"
#include "stad/hotspot.h"

#define HS_DAY 86400

/* The period of a filter and the previous one of equal length. */
typedef struct hs_period {
    int64_t from, to, prev_from;
} hs_period;

/* Loads the events of [prev_from, to) for the filter, resolving the default period
 * (`default_days` ending at the end of the latest event's day) when it has none. */
int hs_load_periods(stad_ctx *ctx, stad_store *s, const stad_event_filter *f,
                    int default_days, hs_period *p, stad_events **ev);

/* Area ids -> code, name, level; strings live in the arena. */
typedef struct hs_area {
    int64_t id;
    const char *code, *name, *level;
    double minx, miny, maxx, maxy;
} hs_area;

typedef struct hs_areas {
    stad_arena arena;
    hs_area *v; /* sorted by id */
    size_t n;
} hs_areas;

int hs_areas_load(stad_ctx *ctx, stad_store *s, hs_areas *a);
const hs_area *hs_areas_find(const hs_areas *a, int64_t id);
void hs_areas_free(hs_areas *a);

/* The id (not 0) with the largest total weight w (NULL = 1) over rows[0..n) (rows
 * NULL = 0..n-1); 0 when none. */
int64_t hs_majority(const int32_t *ids, const double *w, const size_t *rows, size_t n);

/* The "burglary/theft.bike" label of a filter's kinds, or "events". */
void hs_kinds_label(const stad_event_filter *f, char *buf, size_t size);

#endif

/* Area names for the route sheets: the street table keeps wijk ids, a sheet shows
 * the wijk's name. */
#include <stdlib.h>
#include <string.h>

#include "stad/bikes.h"

typedef struct area_name {
    int64_t id;
    char *name;
} area_name;

struct stad_bikes_area_names {
    size_t n, cap;
    area_name *a; /* by id, for binary search */
};

void stad_bikes_area_names_free(stad_bikes_area_names *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        free(a->a[i].name);
    free(a->a);
    free(a);
}

static int add_area(void *user, const stad_area_row *r)
{
    stad_bikes_area_names *a = user;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        area_name *grown = realloc(a->a, cap * sizeof *grown);
        if (!grown)
            return STAD_ENOMEM;
        a->a = grown;
        a->cap = cap;
    }
    const char *text = r->name && *r->name ? r->name : (r->code ? r->code : "");
    if (!(a->a[a->n].name = strdup(text)))
        return STAD_ENOMEM;
    a->a[a->n++].id = r->id;
    return 0;
}

static int by_id(const void *x, const void *y)
{
    int64_t a = ((const area_name *)x)->id, b = ((const area_name *)y)->id;
    return (a > b) - (a < b);
}

int stad_bikes_area_names_load(stad_ctx *ctx, stad_store *s, const char *level,
                               stad_bikes_area_names **out)
{
    *out = NULL;
    stad_bikes_area_names *a = calloc(1, sizeof *a);
    if (!a)
        return stad_fail(ctx, STAD_ENOMEM, "area names: out of memory");
    int rc = stad_store_areas_each(s, level, add_area, a);
    if (rc) {
        stad_bikes_area_names_free(a);
        return rc == STAD_ENOMEM ? stad_fail(ctx, rc, "area names: out of memory") : rc;
    }
    if (a->n)
        qsort(a->a, a->n, sizeof *a->a, by_id);
    *out = a;
    return 0;
}

const char *stad_bikes_area_name(const stad_bikes_area_names *a, int64_t id)
{
    if (!a || id <= 0)
        return NULL;
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->a[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < a->n && a->a[lo].id == id ? a->a[lo].name : NULL;
}

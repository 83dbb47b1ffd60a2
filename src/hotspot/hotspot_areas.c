/* Area names for results, majority area of a set of events, labels for reasons. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotspot/hotspot_internal.h"

typedef struct areas_fill {
    hs_areas *a;
    size_t cap;
} areas_fill;

static int add_area(void *user, const stad_area_row *r)
{
    areas_fill *af = user;
    hs_areas *a = af->a;
    if (a->n == af->cap) {
        size_t cap = af->cap ? af->cap * 2 : 64;
        hs_area *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return STAD_ENOMEM;
        a->v = v;
        af->cap = cap;
    }
    hs_area *x = &a->v[a->n];
    x->id = r->id;
    x->code = stad_arena_strdup(&a->arena, r->code ? r->code : "");
    x->name = stad_arena_strdup(&a->arena, r->name ? r->name : "");
    x->level = stad_arena_strdup(&a->arena, r->level ? r->level : "");
    if (!x->code || !x->name || !x->level)
        return STAD_ENOMEM;
    x->minx = r->minx;
    x->miny = r->miny;
    x->maxx = r->maxx;
    x->maxy = r->maxy;
    a->n++;
    return 0;
}

static int cmp_area(const void *x, const void *y)
{
    const hs_area *a = x, *b = y;
    return a->id < b->id ? -1 : a->id > b->id;
}

int hs_areas_load(stad_ctx *ctx, stad_store *s, hs_areas *a)
{
    memset(a, 0, sizeof *a);
    stad_arena_init(&a->arena, 0);
    areas_fill af = {a, 0};
    int rc = stad_store_areas_each(s, NULL, add_area, &af);
    if (rc == STAD_ENOMEM)
        rc = stad_fail(ctx, STAD_ENOMEM, "loading area names");
    if (rc) {
        hs_areas_free(a);
        return rc;
    }
    if (a->n)
        qsort(a->v, a->n, sizeof *a->v, cmp_area);
    return 0;
}

const hs_area *hs_areas_find(const hs_areas *a, int64_t id)
{
    if (!a || id == 0 || a->n == 0)
        return NULL;
    hs_area key = {.id = id};
    return bsearch(&key, a->v, a->n, sizeof *a->v, cmp_area);
}

void hs_areas_free(hs_areas *a)
{
    if (!a)
        return;
    free(a->v);
    stad_arena_free(&a->arena);
    memset(a, 0, sizeof *a);
}

int64_t hs_majority(const int32_t *ids, const double *w, const size_t *rows, size_t n)
{
    /* A hotspot spans a handful of areas, so a short list beats a hash table. */
    enum { MAXK = 64 };
    int64_t id[MAXK];
    double tot[MAXK];
    size_t k = 0;
    for (size_t r = 0; r < n; r++) {
        size_t i = rows ? rows[r] : r;
        int64_t a = ids[i];
        if (a == 0)
            continue;
        size_t j = 0;
        while (j < k && id[j] != a)
            j++;
        if (j == k) {
            if (k == MAXK)
                continue;
            id[k] = a;
            tot[k++] = 0;
        }
        tot[j] += w ? w[i] : 1.0;
    }
    int64_t best = 0;
    double bw = -1;
    for (size_t j = 0; j < k; j++)
        if (tot[j] > bw || (tot[j] == bw && id[j] < best)) {
            bw = tot[j];
            best = id[j];
        }
    return best;
}

void hs_kinds_label(const stad_event_filter *f, char *buf, size_t size)
{
    if (!size)
        return;
    buf[0] = '\0';
    if (!f || f->n_kinds == 0) {
        snprintf(buf, size, "events");
        return;
    }
    size_t len = 0;
    for (size_t i = 0; i < f->n_kinds && len + 1 < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? "/" : "", f->kinds[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

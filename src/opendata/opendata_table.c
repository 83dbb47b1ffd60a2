/* The aggregated table: events of publishable sources counted per wijk and buurt x
 * month x top-level kind, and its disclosure control (stad_suppress of the social
 * domain, applied so that wijk figures and their buurten cannot be subtracted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opendata_internal.h"
#include "stad/social.h"
#include "stad/timeparse.h"

int od_theme_of(const char *kind)
{
    if (strncmp(kind, "complaint", 9) == 0)
        return OD_COMPLAINTS;
    if (strncmp(kind, "bike", 4) == 0 || strncmp(kind, "enforcement", 11) == 0)
        return OD_ENFORCEMENT;
    return OD_INCIDENTS;
}

const char *od_theme_slug(int theme)
{
    static const char *const s[] = {"incidents", "complaints", "enforcement"};
    return s[theme];
}

void od_month_key(const od_table *t, size_t m, char buf[8])
{
    int v = t->first_month + (int)m;
    unsigned y = v > 0 ? (unsigned)(v / 12) % 10000u : 0, mo = v > 0 ? (unsigned)(v % 12) + 1 : 1;
    snprintf(buf, 8, "%04u-%02u", y, mo % 13u);
}

static char *dup(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s ? s : "", n + 1);
    return d;
}

static int area_cb(void *user, const stad_area_row *r)
{
    od_table *t = user;
    int level = strcmp(r->level, "wijk") == 0 ? OD_WIJK : strcmp(r->level, "buurt") == 0 ? OD_BUURT : -1;
    if (level < 0)
        return 0;
    od_area *na = realloc(t->areas, (t->n_areas + 1) * sizeof *na);
    if (!na)
        return STAD_ENOMEM;
    t->areas = na;
    od_area *a = &na[t->n_areas];
    a->id = r->id;
    a->parent = r->parent_id;
    a->level = level;
    a->code = dup(r->code);
    a->name = dup(r->name);
    a->geojson = dup(r->geojson);
    t->n_areas++;
    return a->code && a->name && a->geojson ? 0 : STAD_ENOMEM;
}

static long find_area(const od_table *t, int64_t id)
{
    for (size_t i = 0; i < t->n_areas; i++)
        if (t->areas[i].id == id)
            return (long)i;
    return -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int month_of(int64_t t)
{
    int y, m, d;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    stad_civil_from_days(days, &y, &m, &d);
    return y * 12 + m - 1;
}

int od_table_load_areas(stad_store *s, od_table *t)
{
    int rc = stad_store_areas_each(s, NULL, area_cb, t);
    return rc == STAD_ENOMEM ? stad_fail(stad_store_ctx(s), rc, "out of memory") : rc;
}

int od_table_alloc(od_table *t)
{
    size_t n = t->n_areas * t->n_months * t->n_kinds;
    if (!n)
        return 0;
    t->units = calloc(n, sizeof *t->units);
    t->supp = calloc(n, sizeof *t->supp);
    t->forced = calloc(n, sizeof *t->forced);
    return t->units && t->supp && t->forced ? 0 : STAD_ENOMEM;
}

int od_table_load(stad_store *s, const int64_t *sources, size_t n_sources, od_table *t)
{
    stad_ctx *ctx = stad_store_ctx(s);
    memset(t, 0, sizeof *t);
    int rc = od_table_load_areas(s, t);
    if (rc)
        return rc;
    stad_event_filter f;
    memset(&f, 0, sizeof f);
    f.restrict_sources = 1;
    f.source_ids = sources;
    f.n_source_ids = n_sources;
    stad_events *e = NULL;
    if ((rc = stad_events_load(s, &f, &e)))
        return rc;
    /* top-level kinds, sorted and unique */
    char **kinds = calloc(e->n_kind_names + 1, sizeof *kinds);
    size_t *kmap = calloc(e->n_kind_names + 1, sizeof *kmap);
    size_t nk = 0;
    for (size_t i = 0; kinds && kmap && i < e->n_kind_names; i++) {
        const char *kn = e->kind_names[i];
        size_t len = strcspn(kn, ".");
        char top[64];
        snprintf(top, sizeof top, "%.*s", (int)(len < 63 ? len : 63), kn);
        size_t j = 0;
        while (j < nk && strcmp(kinds[j], top) != 0)
            j++;
        if (j == nk && !(kinds[nk++] = dup(top))) {
            rc = STAD_ENOMEM;
            break;
        }
    }
    if (!kinds || !kmap)
        rc = STAD_ENOMEM;
    if (!rc) {
        qsort(kinds, nk, sizeof *kinds, cmp_str);
        for (size_t i = 0; i < e->n_kind_names; i++) {
            size_t len = strcspn(e->kind_names[i], ".");
            for (size_t j = 0; j < nk; j++)
                if (strlen(kinds[j]) == len && strncmp(kinds[j], e->kind_names[i], len) == 0)
                    kmap[i] = j;
        }
    }
    t->kinds = kinds;
    t->n_kinds = nk;
    int lo = 0, hi = -1;
    for (size_t i = 0; !rc && i < e->n; i++) {
        int mo = month_of(e->t_from[i]);
        if (hi < lo || mo < lo)
            lo = mo;
        if (mo > hi)
            hi = mo;
    }
    t->first_month = lo;
    t->n_months = hi >= lo ? (size_t)(hi - lo + 1) : 0;
    size_t n = t->n_areas * t->n_months * t->n_kinds;
    if (!rc)
        rc = od_table_alloc(t);
    for (size_t i = 0; !rc && n && i < e->n; i++) {
        size_t m = (size_t)(month_of(e->t_from[i]) - lo), k = kmap[e->kind[i]];
        long b = e->buurt[i] ? find_area(t, e->buurt[i]) : -1;
        long w = e->wijk[i] ? find_area(t, e->wijk[i]) : -1;
        if (w < 0 && b >= 0 && t->areas[b].parent)
            w = find_area(t, t->areas[b].parent);
        if (b >= 0)
            t->units[od_cell(t, (size_t)b, m, k)] += e->count[i];
        if (w >= 0)
            t->units[od_cell(t, (size_t)w, m, k)] += e->count[i];
        t->events += e->count[i];
    }
    free(kmap);
    stad_events_free(e);
    if (rc == STAD_ENOMEM)
        return stad_fail(ctx, rc, "out of memory");
    return rc;
}

void od_table_free(od_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_areas; i++) {
        free(t->areas[i].code);
        free(t->areas[i].name);
        free(t->areas[i].geojson);
    }
    for (size_t i = 0; i < t->n_kinds; i++)
        free(t->kinds[i]);
    free(t->areas);
    free(t->kinds);
    free(t->units);
    free(t->supp);
    free(t->forced);
    if (t->members) {
        size_t n = t->n_areas * t->n_months * t->n_kinds;
        for (size_t c = 0; c < n; c++)
            free(t->members[c]);
    }
    free(t->members);
    free(t->n_members);
    memset(t, 0, sizeof *t);
}

/* Suppresses a table of `na` areas x months of kind k: the ledger's refused cells
 * count as 1 unit so that the threshold rule takes them and protects them. */
static int suppress_block(od_table *t, const size_t *areas, size_t na, size_t k,
                          int threshold)
{
    size_t nm = t->n_months, n = na * nm;
    if (!n)
        return 0;
    int64_t *u = calloc(n, sizeof *u);
    int *sp = calloc(n, sizeof *sp);
    int rc = u && sp ? 0 : STAD_ENOMEM;
    for (size_t i = 0; !rc && i < na; i++)
        for (size_t m = 0; m < nm; m++) {
            size_t c = od_cell(t, areas[i], m, k);
            u[i * nm + m] = t->forced[c] && t->units[c] ? 1 : t->units[c];
        }
    size_t dims[2] = {na, nm};
    if (!rc)
        rc = stad_suppress(u, dims, 2, threshold, sp);
    for (size_t i = 0; !rc && i < na; i++)
        for (size_t m = 0; m < nm; m++) {
            size_t c = od_cell(t, areas[i], m, k);
            int v = sp[i * nm + m];
            if (t->forced[c] && t->units[c])
                v = OD_LEDGER;
            if (v > t->supp[c])
                t->supp[c] = v;
        }
    free(u);
    free(sp);
    return rc;
}

int od_table_suppress(stad_ctx *ctx, od_table *t, int threshold)
{
    size_t n = t->n_areas * t->n_months * t->n_kinds;
    if (!n)
        return 0;
    memset(t->supp, 0, n * sizeof *t->supp);
    size_t *idx = malloc(t->n_areas * sizeof *idx);
    if (!idx)
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t k = 0; k < t->n_kinds && !rc; k++) {
        size_t nw = 0;
        for (size_t a = 0; a < t->n_areas; a++)
            if (t->areas[a].level == OD_WIJK)
                idx[nw++] = a;
        if (nw)
            rc = suppress_block(t, idx, nw, k, threshold);
        for (size_t w = 0; w < t->n_areas && !rc; w++) {
            if (t->areas[w].level != OD_WIJK)
                continue;
            size_t nb = 0;
            for (size_t a = 0; a < t->n_areas; a++)
                if (t->areas[a].level == OD_BUURT && t->areas[a].parent == t->areas[w].id)
                    idx[nb++] = a;
            if (!nb)
                continue;
            rc = suppress_block(t, idx, nb, k, threshold);
            /* a hidden wijk figure is not to be recovered by adding its buurten */
            for (size_t m = 0; m < t->n_months && !rc; m++)
                if (t->supp[od_cell(t, w, m, k)])
                    for (size_t i = 0; i < nb; i++) {
                        size_t c = od_cell(t, idx[i], m, k);
                        if (t->units[c] && !t->supp[c])
                            t->supp[c] = OD_SECONDARY;
                    }
        }
        /* buurten without a wijk: their own block */
        size_t no = 0;
        for (size_t a = 0; a < t->n_areas; a++)
            if (t->areas[a].level == OD_BUURT) {
                int has = 0;
                for (size_t w = 0; w < t->n_areas; w++)
                    has |= t->areas[w].level == OD_WIJK && t->areas[w].id == t->areas[a].parent;
                if (!has)
                    idx[no++] = a;
            }
        if (no && !rc)
            rc = suppress_block(t, idx, no, k, threshold);
    }
    free(idx);
    if (rc == STAD_ENOMEM)
        return stad_fail(ctx, rc, "out of memory");
    return rc;
}

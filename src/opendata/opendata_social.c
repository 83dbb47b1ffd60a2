/* Social-domain aggregates in the open data: households per wijk and buurt x month, one
 * kind per social source the register allows, counted from the social store's records
 * (their kept columns `buurt` and `wijk`, matched to the store's areas by code). The
 * same threshold and secondary suppression as every other table (od_table_suppress);
 * the social domain's ledger, with the households behind each published cell, on top
 * of the count ledger of open data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opendata_internal.h"
#include "stad/social.h"

typedef struct area_ix { const char *code; size_t area; } area_ix;

static int cmp_area_ix(const void *a, const void *b)
{
    return strcmp(((const area_ix *)a)->code, ((const area_ix *)b)->code);
}

typedef struct hit { size_t cell; int64_t hh; } hit;

static int cmp_hit(const void *a, const void *b)
{
    const hit *x = a, *y = b;
    if (x->cell != y->cell)
        return (x->cell > y->cell) - (x->cell < y->cell);
    return (x->hh > y->hh) - (x->hh < y->hh);
}

typedef struct loader {
    od_table *t;
    const area_ix *ix;
    size_t n_ix;
    size_t kind;
    int pass;              /* 0: months only; 1: the cells */
    int lo, hi;            /* months seen (y*12 + m-1) */
    hit *hits;
    size_t n_hits, cap;
    int64_t records; /* placed in an area */
} loader;

static long area_of(const loader *l, const char *code)
{
    if (!code || !*code)
        return -1;
    area_ix key = {code, 0};
    const area_ix *f = bsearch(&key, l->ix, l->n_ix, sizeof *l->ix, cmp_area_ix);
    return f ? (long)f->area : -1;
}

/* "yyyy-mm" -> y*12 + m-1; -1 when it is not that. */
static int month_of(const char *p)
{
    if (!p || strlen(p) != 7 || p[4] != '-')
        return -1;
    int y = 0, m = 0;
    for (int i = 0; i < 7; i++) {
        if (i == 4)
            continue;
        if (p[i] < '0' || p[i] > '9')
            return -1;
        if (i < 4)
            y = y * 10 + (p[i] - '0');
        else
            m = m * 10 + (p[i] - '0');
    }
    return y > 0 && m >= 1 && m <= 12 ? y * 12 + m - 1 : -1;
}

static int add_hit(loader *l, size_t cell, int64_t hh)
{
    if (l->n_hits == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 4096;
        hit *nh = realloc(l->hits, nc * sizeof *nh);
        if (!nh)
            return STAD_ENOMEM;
        l->hits = nh;
        l->cap = nc;
    }
    l->hits[l->n_hits++] = (hit){cell, hh};
    return 0;
}

static int record_cb(void *user, const stad_social_record *r)
{
    loader *l = user;
    int mo = month_of(r->period);
    long b = area_of(l, r->values[0]), w = -1;
    if (b >= 0 && l->t->areas[b].level != OD_BUURT)
        b = -1;
    /* the wijk of a known buurt is its parent, so that a wijk's figure is made of its
     * buurten' as the suppression assumes; the record's wijk only without a buurt */
    if (b >= 0)
        for (size_t i = 0; i < l->t->n_areas && l->t->areas[b].parent; i++)
            if (l->t->areas[i].id == l->t->areas[b].parent && l->t->areas[i].level == OD_WIJK)
                w = (long)i;
    if (b < 0 && (w = area_of(l, r->values[1])) >= 0 && l->t->areas[w].level != OD_WIJK)
        w = -1;
    if (mo < 0 || (b < 0 && w < 0))
        return 0; /* no month or no known area: in no cell */
    if (l->pass == 0) {
        if (l->hi < l->lo || mo < l->lo)
            l->lo = mo;
        if (mo > l->hi)
            l->hi = mo;
        return 0;
    }
    if (mo < l->t->first_month || mo >= l->t->first_month + (int)l->t->n_months)
        return 0; /* an import between the two passes */
    size_t m = (size_t)(mo - l->t->first_month);
    l->records++;
    int rc = 0;
    if (b >= 0)
        rc = add_hit(l, od_cell(l->t, (size_t)b, m, l->kind), r->household);
    if (!rc && w >= 0)
        rc = add_hit(l, od_cell(l->t, (size_t)w, m, l->kind), r->household);
    return rc;
}

int od_social_load(stad_store *s, struct stad_social_db *db, char *const *names, size_t n,
                   od_table *t, int64_t *records)
{
    stad_ctx *ctx = stad_store_ctx(s);
    memset(t, 0, sizeof *t);
    *records = 0;
    t->key_prefix = "social:";
    int rc = od_table_load_areas(s, t);
    if (rc)
        return rc;
    loader l;
    memset(&l, 0, sizeof l);
    l.t = t;
    l.lo = 0;
    l.hi = -1;
    area_ix *ix = malloc((t->n_areas ? t->n_areas : 1) * sizeof *ix);
    t->kinds = calloc(n ? n : 1, sizeof *t->kinds);
    if (!ix || !t->kinds)
        rc = STAD_ENOMEM;
    for (size_t i = 0; !rc && i < t->n_areas; i++)
        ix[i] = (area_ix){t->areas[i].code, i};
    if (!rc) {
        qsort(ix, t->n_areas, sizeof *ix, cmp_area_ix);
        l.ix = ix;
        l.n_ix = t->n_areas;
    }
    for (size_t k = 0; !rc && k < n; k++)
        if (!(t->kinds[k] = strdup(names[k])))
            rc = STAD_ENOMEM;
    if (!rc)
        t->n_kinds = n;
    static const char *const cols[] = {"buurt", "wijk"};
    for (size_t k = 0; !rc && k < n; k++)
        rc = stad_social_records_each(db, names[k], cols, 2, record_cb, &l);
    if (!rc && l.hi >= l.lo) {
        t->first_month = l.lo;
        t->n_months = (size_t)(l.hi - l.lo + 1);
        rc = od_table_alloc(t);
        size_t nc = t->n_areas * t->n_months * t->n_kinds;
        if (!rc) {
            t->members = calloc(nc, sizeof *t->members);
            t->n_members = calloc(nc, sizeof *t->n_members);
            if (!t->members || !t->n_members)
                rc = STAD_ENOMEM;
        }
        l.pass = 1;
        for (size_t k = 0; !rc && k < n; k++) {
            l.kind = k;
            rc = stad_social_records_each(db, names[k], cols, 2, record_cb, &l);
        }
        /* sorted (cell, household): each cell's distinct households in one run */
        if (!rc)
            qsort(l.hits, l.n_hits, sizeof *l.hits, cmp_hit);
        for (size_t i = 0; !rc && i < l.n_hits;) {
            size_t j = i, c = l.hits[i].cell, u = 0;
            while (j < l.n_hits && l.hits[j].cell == c)
                j++;
            int64_t *mem = malloc((j - i) * sizeof *mem);
            if (!mem) {
                rc = STAD_ENOMEM;
                break;
            }
            for (size_t q = i; q < j; q++)
                if (!u || mem[u - 1] != l.hits[q].hh)
                    mem[u++] = l.hits[q].hh;
            t->members[c] = mem;
            t->n_members[c] = u;
            t->units[c] = (int64_t)u;
            i = j;
        }
    }
    *records = l.records;
    free(l.hits);
    free(ix);
    if (rc == STAD_ENOMEM)
        return stad_fail(ctx, rc, "out of memory");
    return rc;
}

/* The cells of t as the social ledger sees them; labels point into `labels`. */
static int pubcells(const od_table *t, stad_social_pubcell **out, char **labels, size_t *n)
{
    size_t nc = t->n_areas * t->n_months * t->n_kinds, k = 0;
    *out = NULL;
    *labels = NULL;
    *n = 0;
    for (size_t c = 0; c < nc; c++)
        k += t->units[c] > 0;
    stad_social_pubcell *pc = calloc(k ? k : 1, sizeof *pc);
    char *lab = malloc((k ? k : 1) * 128);
    if (!pc || !lab) {
        free(pc);
        free(lab);
        return STAD_ENOMEM;
    }
    char mk[8];
    k = 0;
    for (size_t c = 0; c < nc; c++) {
        if (!t->units[c])
            continue;
        size_t kind = c % t->n_kinds, m = (c / t->n_kinds) % t->n_months,
               a = c / t->n_kinds / t->n_months;
        od_month_key(t, m, mk);
        snprintf(lab + k * 128, 128, "%s|%s|%s|%s%s",
                 t->areas[a].level == OD_WIJK ? "wijk" : "buurt", t->areas[a].code, mk,
                 t->key_prefix ? t->key_prefix : "", t->kinds[kind]);
        pc[k].label = lab + k * 128;
        pc[k].households = t->members[c];
        pc[k].n = t->n_members[c];
        pc[k].published = !t->supp[c] && !t->forced[c];
        k++;
    }
    *out = pc;
    *labels = lab;
    *n = k;
    return 0;
}

int od_social_check(stad_store *s, struct stad_social_db *db, od_table *t, int threshold,
                    int strict, int64_t *n)
{
    stad_ctx *ctx = stad_store_ctx(s);
    *n = 0;
    stad_social_pubcell *pc = NULL;
    char *labels = NULL;
    size_t np = 0, nconf = 0;
    if (!t->units)
        return 0;
    if (pubcells(t, &pc, &labels, &np))
        return stad_fail(ctx, STAD_ENOMEM, "out of memory");
    int *conf = calloc(np ? np : 1, sizeof *conf);
    char why[768];
    int rc = conf ? stad_social_ledger_check(db, pc, np, threshold, conf, &nconf, why, sizeof why)
                  : stad_fail(ctx, STAD_ENOMEM, "out of memory");
    if (!rc && nconf) {
        size_t nc = t->n_areas * t->n_months * t->n_kinds, k = 0;
        for (size_t c = 0; c < nc; c++) {
            if (!t->units[c])
                continue;
            if (conf[k++]) {
                t->forced[c] = 1;
                (*n)++;
            }
        }
        if (strict)
            rc = stad_fail(ctx, STAD_ERANGE, "refused: %s; publishing both would reveal that "
                                             "group", why);
    }
    free(conf);
    free(pc);
    free(labels);
    return rc;
}

int od_social_record(stad_store *s, struct stad_social_db *db, const od_table *t,
                     int threshold, const char *name)
{
    if (!t->units)
        return 0;
    stad_social_pubcell *pc = NULL;
    char *labels = NULL;
    size_t np = 0;
    if (pubcells(t, &pc, &labels, &np))
        return stad_fail(stad_store_ctx(s), STAD_ENOMEM, "out of memory");
    stad_strbuf spec = STAD_STRBUF_INIT;
    stad_strbuf_append(&spec, "open data: households per wijk and buurt x month; sources=");
    for (size_t k = 0; k < t->n_kinds; k++)
        stad_strbuf_printf(&spec, "%s%s", k ? "," : "", t->kinds[k]);
    stad_strbuf_printf(&spec, "; threshold=%d", threshold);
    int rc = stad_social_ledger_record(db, name, stad_strbuf_str(&spec), pc, np, threshold);
    stad_strbuf_free(&spec);
    free(pc);
    free(labels);
    return rc;
}

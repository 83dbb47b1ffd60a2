/* Linkage quality of the Bloom-filter fallback (keyed CLKs, 1024 bits, Dice) on the
 * FEBRL sets in $STAD_SHARED_DATA/linkage/febrl against their ground truth: precision,
 * recall and F1 per threshold. febrl1-3 are deduplications (every pair at or above the
 * threshold is a link); febrl4 links 4a to 4b one-to-one (greedy, best pairs first).
 * Baseline in the same run: exact match on a hash of soc_sec_id (febrl4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/ingest/ingest_internal.h"
#include "stad/social.h"

typedef struct rec {
    char id[32];
    int entity;
    char ssn[16];
    stad_clk clk;
} rec;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void trim(const char *in, char *out, size_t size)
{
    while (*in == ' ')
        in++;
    snprintf(out, size, "%s", in);
    size_t n = strlen(out);
    while (n && out[n - 1] == ' ')
        out[--n] = '\0';
}

/* "rec-123-dup-0" -> 123 (the ground truth: same entity number = same person) */
static int entity_of(const char *id)
{
    const char *p = strchr(id, '-');
    return p ? (int)strtol(p + 1, NULL, 10) : -1;
}

static const unsigned char key[32] = "stad bench linkage key 0123456";

static rec *load(stad_ctx *ctx, const char *path, size_t *n)
{
    ingest_reader *rd;
    if (ingest_reader_open(ctx, path, NULL, &rd)) {
        fprintf(stderr, "%s\n", stad_errmsg(ctx));
        return NULL;
    }
    rec *r = calloc(10000, sizeof *r);
    size_t k = 0;
    ingest_row row;
    /* columns: rec_id, given_name, surname, street_number, address_1, address_2,
     * suburb, postcode, state, date_of_birth, soc_sec_id */
    static const int kk[] = {15, 15, 6, 10, 8, 8, 20};
    while (ingest_reader_next(rd, &row) == 1 && k < 10000) {
        if (row.n < 11)
            continue;
        char f[11][128];
        for (int i = 0; i < 11; i++)
            trim(row.field[i], f[i], sizeof f[i]);
        snprintf(r[k].id, sizeof r[k].id, "%.31s", f[0]);
        r[k].entity = entity_of(f[0]);
        snprintf(r[k].ssn, sizeof r[k].ssn, "%.15s", f[10]);
        const char *fields[] = {f[1], f[2], f[3], f[4], f[6], f[7], f[9]};
        stad_clk_encode(key, fields, kk, 7, &r[k].clk);
        k++;
    }
    ingest_reader_close(rd);
    *n = k;
    return r;
}

static void report(const char *name, double t, long tp, long fp, long truth, double secs)
{
    double p = tp + fp ? (double)tp / (double)(tp + fp) : 1, r = (double)tp / (double)truth;
    printf("  %-10s t=%.2f  TP %6ld  FP %5ld  FN %5ld  precision %.3f  recall %.3f  F1 %.3f"
           "  (%.2f s)\n", name, t, tp, fp, truth - tp, p, r, 2 * p * r / (p + r), secs);
}

static int dedup(stad_ctx *ctx, const char *dir, const char *name, const double *ts, int nt)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    size_t n;
    rec *r = load(ctx, path, &n);
    if (!r)
        return 1;
    long truth = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            truth += r[i].entity == r[j].entity;
    for (int k = 0; k < nt; k++) {
        double t0 = now();
        long tp = 0, fp = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (stad_clk_dice(&r[i].clk, &r[j].clk) >= ts[k]) {
                    if (r[i].entity == r[j].entity)
                        tp++;
                    else
                        fp++;
                }
        report(name, ts[k], tp, fp, truth, now() - t0);
    }
    free(r);
    return 0;
}

int main(void)
{
    stad_ctx *ctx;
    if (stad_ctx_new(&ctx))
        return 1;
    const char *data = getenv("STAD_SHARED_DATA");
    char dir[900];
    snprintf(dir, sizeof dir, "%.800s/linkage/febrl", data && *data ? data : "../shared/data");
    const double ts[] = {0.75, 0.80, 0.85, 0.90};
    printf("FEBRL, keyed CLK (1024 bits; given name, surname, street number, street, suburb,\n"
           "postcode, date of birth), Dice >= t; truth from the record ids\n");
    if (dedup(ctx, dir, "dataset1", ts, 4) || dedup(ctx, dir, "dataset2", ts, 4) ||
        dedup(ctx, dir, "dataset3", ts, 4))
        return 1;
    char pa[1024], pb[1024];
    snprintf(pa, sizeof pa, "%s/dataset4a.csv", dir);
    snprintf(pb, sizeof pb, "%s/dataset4b.csv", dir);
    size_t na, nb;
    rec *a = load(ctx, pa, &na), *b = load(ctx, pb, &nb);
    if (!a || !b)
        return 1;
    long truth = 0;
    {
        /* one duplicate per original: truth pairs = entities present in both */
        for (size_t i = 0; i < na; i++)
            for (size_t j = 0; j < nb; j++)
                truth += a[i].entity == b[j].entity;
    }
    stad_clk *ca = malloc(na * sizeof *ca), *cb = malloc(nb * sizeof *cb);
    long *m = malloc(na * sizeof *m);
    for (size_t i = 0; i < na; i++)
        ca[i] = a[i].clk;
    for (size_t j = 0; j < nb; j++)
        cb[j] = b[j].clk;
    for (int k = 0; k < 4; k++) {
        double t0 = now();
        if (stad_clk_match(ca, na, cb, nb, ts[k], m))
            return 1;
        long tp = 0, fp = 0;
        for (size_t i = 0; i < na; i++)
            if (m[i] >= 0) {
                if (a[i].entity == b[m[i]].entity)
                    tp++;
                else
                    fp++;
            }
        report("dataset4", ts[k], tp, fp, truth, now() - t0);
    }
    /* baseline: exact match on a hash of the (sometimes corrupted) soc_sec_id */
    {
        double t0 = now();
        long tp = 0, fp = 0;
        for (size_t i = 0; i < na; i++)
            for (size_t j = 0; j < nb; j++)
                if (a[i].ssn[0] && strcmp(a[i].ssn, b[j].ssn) == 0) {
                    if (a[i].entity == b[j].entity)
                        tp++;
                    else
                        fp++;
                }
        printf("  baseline: exact match on soc_sec_id (what a keyed hash of an id gives)\n");
        report("dataset4", 1.0, tp, fp, truth, now() - t0);
    }
    free(ca);
    free(cb);
    free(m);
    free(a);
    free(b);
    stad_ctx_free(ctx);
    return 0;
}

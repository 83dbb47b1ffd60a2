/* Bloom-filter encodings (cryptographic long-term keys, Schnell, Bachteler and Reiher
 * 2011) for the error-tolerant fallback: records without a usable BSN are compared on
 * name, date of birth and address by the Dice similarity of their filters, so that a
 * typo changes a few bits instead of the whole key. Hardening: the hash is keyed
 * (BLAKE2b with a secret of the linkage party), each field hashes with its own index
 * (the same q-gram in surname and street sets different bits), and each field has its
 * own number of hash functions. Bloom filters remain open to frequency attacks by
 * whoever holds many of them, so they stay inside the linkage party. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "social_internal.h"

static void set_bit(stad_clk *c, uint64_t pos)
{
    pos %= STAD_CLK_BITS;
    c->w[pos / 64] |= 1ull << (pos % 64);
}

void stad_clk_encode(const unsigned char key[32], const char *const *fields, const int *k,
                     size_t n, stad_clk *out)
{
    memset(out, 0, sizeof *out);
    for (size_t f = 0; f < n; f++) {
        if (k[f] <= 0 || !fields[f])
            continue;
        /* normalise: lower case, letters and digits only, padded with '_' */
        char norm[130];
        size_t m = 0;
        norm[m++] = '_';
        for (const char *p = fields[f]; *p && m < sizeof norm - 2; p++)
            if (isalnum((unsigned char)*p))
                norm[m++] = (char)tolower((unsigned char)*p);
        if (m == 1)
            continue; /* empty field: no bits */
        norm[m++] = '_';
        for (size_t i = 0; i + 1 < m; i++) {
            unsigned char msg[3] = {(unsigned char)f, (unsigned char)norm[i],
                                    (unsigned char)norm[i + 1]};
            uint64_t h[2];
            crypto_generichash((unsigned char *)h, sizeof h, msg, sizeof msg, key, 32);
            /* double hashing: positions h1 + j * h2 */
            uint64_t h2 = h[1] | 1;
            for (int j = 0; j < k[f]; j++)
                set_bit(out, h[0] + (uint64_t)j * h2);
        }
    }
    int pop = 0;
    for (size_t i = 0; i < STAD_CLK_BITS / 64; i++)
        pop += __builtin_popcountll(out->w[i]);
    out->pop = pop;
}

double stad_clk_dice(const stad_clk *a, const stad_clk *b)
{
    if (a->pop + b->pop == 0)
        return 0;
    int both = 0;
    for (size_t i = 0; i < STAD_CLK_BITS / 64; i++)
        both += __builtin_popcountll(a->w[i] & b->w[i]);
    return 2.0 * both / (a->pop + b->pop);
}

typedef struct cand {
    float score;
    uint32_t a, b;
} cand;

static int cmp_cand(const void *x, const void *y)
{
    const cand *p = x, *q = y;
    if (p->score != q->score)
        return p->score < q->score ? 1 : -1;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

int stad_clk_match(const stad_clk *a, size_t na, const stad_clk *b, size_t nb,
                   double threshold, long *match)
{
    cand *c = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < na; i++) {
        match[i] = -1;
        /* a pair can only reach the threshold when the popcounts are close enough:
         * dice <= 2 min / (pa + pb) */
        for (size_t j = 0; j < nb; j++) {
            int lo = a[i].pop < b[j].pop ? a[i].pop : b[j].pop;
            if (2.0 * lo < threshold * (a[i].pop + b[j].pop))
                continue;
            double d = stad_clk_dice(&a[i], &b[j]);
            if (d < threshold)
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 4096;
                cand *nc = realloc(c, cap * sizeof *nc);
                if (!nc) {
                    free(c);
                    return STAD_ENOMEM;
                }
                c = nc;
            }
            c[n++] = (cand){(float)d, (uint32_t)i, (uint32_t)j};
        }
    }
    qsort(c, n, sizeof *c, cmp_cand);
    unsigned char *used = calloc(nb ? nb : 1, 1);
    if (!used) {
        free(c);
        return STAD_ENOMEM;
    }
    for (size_t k = 0; k < n; k++)
        if (match[c[k].a] < 0 && !used[c[k].b]) {
            match[c[k].a] = (long)c[k].b;
            used[c[k].b] = 1;
        }
    free(used);
    free(c);
    return 0;
}

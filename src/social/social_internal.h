/* Internals of the social module; not a public header.
 *
 *   social_bsn.c        eleven test
 *   social_household.c  household key from an address
 *   social_pep.c        ElGamal on ristretto255: encrypt, transcrypt, decrypt
 *   social_keys.c       key files: generate, load
 *   social_policy.c     column policy files
 *   social_pseudo.c     a source extract -> pseudonymised CSV + report
 *   social_transcrypt.c the transcryptor's pass over a pseudonymised file
 *   social_csvout.c     CSV writing to a temporary file renamed at the end
 *   social_db.c         the separate social store: schema, import
 *   social_link.c       link rates
 *   social_dataset.c    analysis units with their profile variables
 *   social_stats.c      Wilson, Newcombe
 *   social_logit.c      logistic regression
 *   social_suppress.c   threshold rule and secondary suppression
 *   social_analyse.c    grouped rates, model, period change
 *   social_ledger.c     release ledger and the differencing check (also for open data)
 *   social_records.c    source names and records for tables published elsewhere
 *   social_synth.c      synthetic population from CBS figures
 *   social_clk.c        Bloom-filter encodings for the error-tolerant fallback */
#ifndef STAD_SOCIAL_INTERNAL_H
#define STAD_SOCIAL_INTERNAL_H

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>

#include "stad/social.h"
#include "stad/strbuf.h"

struct stad_pseudo_key {
    int role, version;
    char domain[64];
    unsigned char pub[crypto_core_ristretto255_BYTES];        /* Y = y G */
    unsigned char secret[crypto_core_ristretto255_SCALARBYTES]; /* t, or x_d */
};

/* Scalar derived from the transcryptor secret for (what, domain, version). */
void social_pep_derive(const unsigned char t[32], const char *what, const char *domain,
                       int version, unsigned char scalar[32]);
/* The transcryptor's per-domain factors, derived once per file. */
typedef struct social_pep_tc {
    unsigned char s[32], sk[32], yd[32]; /* s, s/k, k Y */
    int version;
    char domain[64];
} social_pep_tc;
int social_pep_prepare(stad_ctx *ctx, const stad_pseudo_key *tk, const char *domain,
                       social_pep_tc *tc);
int social_pep_transcrypt(stad_ctx *ctx, const social_pep_tc *tc, const char *in,
                          char out[STAD_PSEUDO_TEXT_MAX]);
/* 1 when s is a usable domain name (1..63 of [A-Za-z0-9_-]). */
int social_domain_ok(const char *s);

struct stad_social_db {
    stad_ctx *ctx;
    sqlite3 *db;
    char *path;
};
int social_db_exec(stad_social_db *db, const char *sql);
int social_db_fail(stad_social_db *db, const char *what);
void social_db_rollback(stad_social_db *db);

/* CSV output to path via path.tmp, renamed on social_csv_close(ok = 1). */
typedef struct social_csv {
    FILE *f;
    char *path, *tmp;
    stad_strbuf line;
} social_csv;
int social_csv_open(stad_ctx *ctx, const char *path, social_csv *w);
int social_csv_row(stad_ctx *ctx, social_csv *w, const char *const *cells, size_t n);
int social_csv_close(stad_ctx *ctx, social_csv *w, int ok);

/* Analysis units: one row of the base source each, with coded variables. */
typedef struct social_var {
    char *name;
    char **levels;   /* sorted level names */
    size_t n_levels;
    int32_t *code;   /* per unit; -1 when missing */
} social_var;

typedef struct social_dataset {
    size_t n;          /* units */
    int64_t *hh;       /* household id per unit (distinct households count) */
    int32_t *period;   /* index into periods */
    char **periods;
    size_t n_periods;
    int8_t *y;         /* outcome 0/1 */
    social_var *vars;  /* the query's `by` variables */
    size_t n_vars;
} social_dataset;
int social_dataset_load(stad_social_db *db, const stad_social_query *q, social_dataset **out);
void social_dataset_free(social_dataset *d);

/* Households of a result cell, kept for the ledger: sorted unique ids. */
typedef struct social_cellset {
    int64_t *hh;
    size_t n;
} social_cellset;
/* Sorted unique households of the units in idx[0..n). */
int social_cellset_make(const social_dataset *d, const size_t *idx, size_t n,
                        social_cellset *out);

/* impl_ of a stad_social_result: what the ledger needs. */
typedef struct social_result_impl {
    social_cellset *sets; /* n_cells + 1 (the total last) */
    size_t n_sets;
    char *spec;
} social_result_impl;

#endif

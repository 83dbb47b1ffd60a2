/* stad social: pseudonymisation at the source, linkage of pseudonymised extracts,
 * outcomes of interventions per profile, and disclosure control.
 *
 * The parties (docs/pseudonyms.md explains them for a privacy officer):
 *   source holder  has BSNs and addresses; holds only a PUBLIC key. `stad pseudo`
 *                  encrypts each identity (ElGamal on ristretto255) and drops or
 *                  coarsens the other identifying columns.
 *   transcryptor   an independent party with its own secret; turns source ciphertexts
 *                  into ciphertexts of domain-specific pseudonyms. Sees no identity.
 *   analysis domain holds the domain's decryption key; gets pseudonyms (s_d * H(id))
 *                  that neither it nor anyone else alone can turn back into a BSN.
 *
 * Ownership: every _load/_open/_new/_compute hands out an object released by its
 * _free/_close (NULL accepted). Strings and arrays inside a result belong to it.
 * Nothing here logs a BSN, a name or an address; reports give line numbers only. */
#ifndef STAD_SOCIAL_H
#define STAD_SOCIAL_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------------- BSN ---- */

/* 1 when s is a valid BSN: 8 or 9 digits (surrounding spaces, inner dots and spaces
 * allowed; 8 digits get a leading 0) that pass the eleven test
 * 9*d1 + 8*d2 + ... + 2*d8 - d9 = 0 (mod 11) and are not all zero; then `norm` holds
 * the 9 digits. 0 otherwise (norm is then ""). */
int stad_bsn_check(const char *s, char norm[10]);

/* Household key from an address: "bag:<16 digits>" when a BAG id is given, else
 * "adr:<PC6>|<number>|<ADDITION>" with postcode upper-cased without spaces, the house
 * number without leading zeros and the addition upper-cased alphanumerics only.
 * 0, or STAD_EINVAL when neither a BAG id nor postcode + number is usable. */
int stad_household_key(const char *bag_id, const char *postcode, const char *number,
                       const char *addition, char *out, size_t size);

/* ---------------------------------------------------------------- keys ---- */

#define STAD_PSEUDO_SCHEME "pep1"

enum stad_pseudo_role {
    STAD_KEY_SOURCE = 1,       /* public key only */
    STAD_KEY_TRANSCRYPTOR = 2, /* the transcryptor's secret */
    STAD_KEY_DOMAIN = 3        /* an analysis domain's decryption key */
};

typedef struct stad_pseudo_key stad_pseudo_key;

/* Writes a fresh key set for `domain` (letters, digits, '-', '_') and key `version`
 * (>= 1) into dir: source-v<N>.key, transcryptor-v<N>.key, domain-<domain>-v<N>.key,
 * mode 0600. The master secret is used once and wiped; it is written nowhere.
 * Refuses (STAD_EINVAL) to overwrite existing files. */
int stad_pseudo_keys_generate(stad_ctx *ctx, const char *dir, const char *domain,
                              int version);
int stad_pseudo_key_load(stad_ctx *ctx, const char *path, stad_pseudo_key **out);
void stad_pseudo_key_free(stad_pseudo_key *k);
int stad_pseudo_key_role(const stad_pseudo_key *k);
int stad_pseudo_key_version(const stad_pseudo_key *k);
/* The domain of a domain key; "" for other roles. */
const char *stad_pseudo_key_domain(const stad_pseudo_key *k);

/* Text sizes (with NUL). A source ciphertext reads "pep1.<ver>.c.<86 base64url>",
 * a transcrypted one "pep1.<ver>.<domain>.c.<86>", a pseudonym "pep1.<ver>.<domain>.<32 hex>". */
#define STAD_PSEUDO_TEXT_MAX 160

/* Identity kinds: a person (BSN) and a household (stad_household_key). */
enum stad_pseudo_kind { STAD_PSEUDO_PERSON = 1, STAD_PSEUDO_HOUSEHOLD = 2 };

/* Step 1, at the source (source key): randomised encryption of the identity. */
int stad_pseudo_encrypt(stad_ctx *ctx, const stad_pseudo_key *src, int kind,
                        const char *identity, char out[STAD_PSEUDO_TEXT_MAX]);
/* Step 2, at the transcryptor: source ciphertext -> ciphertext for `domain`. */
int stad_pseudo_transcrypt(stad_ctx *ctx, const stad_pseudo_key *tk, const char *domain,
                           const char *in, char out[STAD_PSEUDO_TEXT_MAX]);
/* Step 3, in the analysis domain (domain key): the final pseudonym. */
int stad_pseudo_decrypt(stad_ctx *ctx, const stad_pseudo_key *dk, const char *in,
                        char out[STAD_PSEUDO_TEXT_MAX]);

/* ------------------------------------------------- pseudonymising files ---- */

/* Column policy (INI, see docs/pseudonyms.md):
 *   [policy]  source = leerplicht     reference_date = 2024-01-01
 *             age_bands = 0,4,12,18,27,45,65
 *   [columns] <header> = <action> [output name]
 * actions: person (a BSN column), household-postcode / household-number /
 * household-addition / household-bag (parts of the household address), keep, drop,
 * age-band (a birth date), year, month, period (date or yyyy-mm -> yyyy-mm), pc4.
 * Columns the policy does not name are dropped (and reported). */
typedef struct stad_pseudo_policy stad_pseudo_policy;
int stad_pseudo_policy_load(stad_ctx *ctx, const char *path, stad_pseudo_policy **out);
void stad_pseudo_policy_free(stad_pseudo_policy *p);
const char *stad_pseudo_policy_source(const stad_pseudo_policy *p);

typedef struct stad_pseudo_report {
    int64_t rows;
    int64_t persons;          /* person values pseudonymised */
    int64_t bsn_missing;      /* empty person cells */
    int64_t bsn_invalid;      /* failed the eleven test */
    int64_t households;       /* rows with a household pseudonym */
    int64_t household_missing;
    /* first lines (of the input) with an invalid BSN, at most 20 */
    int64_t invalid_lines[20];
    size_t n_invalid_lines;
    /* "kept: a, b; coarsened: c (age-band); dropped: d, e; not in policy (dropped): f" */
    char *columns;
} stad_pseudo_report;
void stad_pseudo_report_free(stad_pseudo_report *r); /* frees the inside only */

/* Reads in_path (csv/xlsx/... through the ingest readers), writes the pseudonymised
 * CSV to out_path (atomically: a temporary file renamed at the end). */
int stad_pseudo_file(stad_ctx *ctx, const stad_pseudo_key *src,
                     const stad_pseudo_policy *pol, const char *in_path,
                     const char *out_path, stad_pseudo_report *rep);
/* The transcryptor's step on a whole pseudonymised file: every cell that is a source
 * ciphertext becomes a ciphertext for `domain`; nothing else changes. *n counts cells. */
int stad_pseudo_transcrypt_file(stad_ctx *ctx, const stad_pseudo_key *tk,
                                const char *domain, const char *in_path,
                                const char *out_path, int64_t *n);

/* ------------------------------------------------------ the social store ---- */

/* A separate SQLite file that holds only pseudonyms and coarsened attributes. */
typedef struct stad_social_db stad_social_db;
int stad_social_db_open(stad_ctx *ctx, const char *path, stad_social_db **out);
void stad_social_db_close(stad_social_db *db);
/* Opens an existing social store for reading only (the server's analyses): nothing is
 * created or migrated; STAD_ENOTFOUND when it cannot be opened, STAD_ESCHEMA when it
 * is not a social store of this version. Analyses work on it; imports and releases
 * fail. */
int stad_social_db_open_readonly(stad_ctx *ctx, const char *path, stad_social_db **out);

/* What a social store holds per source, for choosing filters: its periods, rows,
 * and its columns, each with the values that at least `min_households` households
 * have (values of fewer households are not listed: a rare value is itself a fact
 * about someone), or none when the column has more than max_levels such values. */
typedef struct stad_social_column {
    char *name;
    char **levels; /* sorted */
    size_t n_levels;
    int many;      /* more than max_levels values: levels not listed */
} stad_social_column;
typedef struct stad_social_source {
    char *name;
    char *first, *last; /* periods yyyy-mm */
    stad_social_column *columns;
    size_t n_columns;
} stad_social_source;
typedef struct stad_social_catalog {
    stad_social_source *sources;
    size_t n;
} stad_social_catalog;
int stad_social_describe(stad_social_db *db, int min_households, size_t max_levels,
                         stad_social_catalog **out);
void stad_social_catalog_free(stad_social_catalog *c);

/* Imports a transcrypted file of `source`: pseudonym columns are decrypted with the
 * domain key; the column "period" (yyyy-mm) is required. Re-importing the same source
 * and period range replaces it. *rows gets the number of rows stored. */
int stad_social_import(stad_social_db *db, const stad_pseudo_key *dk, const char *source,
                       const char *path, int64_t *rows);

/* Link rates: per source and period, the share of the base source's rows that link to
 * each other source in the same period by person (any person column) or household. */
typedef struct stad_social_linkrate {
    char *source;  /* the other source */
    char *period;  /* yyyy-mm */
    int64_t rows;  /* base rows in the period */
    int64_t by_person, by_household, linked; /* linked: by either */
} stad_social_linkrate;
typedef struct stad_social_links {
    char *base;
    stad_social_linkrate *items;
    size_t n;
} stad_social_links;
int stad_social_link(stad_social_db *db, const char *base, stad_social_links **out);
void stad_social_links_free(stad_social_links *l);

/* ------------------------------------------------------------- analysis ---- */

#define STAD_SOCIAL_THRESHOLD_DEFAULT 10

typedef struct stad_social_query {
    const char *base;         /* the source whose rows are the units of analysis */
    const char *outcome;      /* column of the base source */
    const char *success;      /* value of `outcome` that counts as success; rows with
                                 an empty outcome are left out */
    const char *const *where; /* "column=value" filters (NULL-terminated, may be NULL) */
    const char *const *by;    /* profile variables: base columns, "period", or
                                 "in_<source>" (linked in the same period) */
    size_t n_by;
    const char *from, *to;    /* periods yyyy-mm, inclusive; NULL = open */
    int threshold;            /* minimum households per published cell (0: default) */
} stad_social_query;

enum stad_social_supp { STAD_CELL_PUBLISHED = 0, STAD_CELL_PRIMARY = 1, STAD_CELL_SECONDARY = 2 };

typedef struct stad_social_cell {
    const char **values; /* n_by level names */
    int64_t n, successes, households;
    double rate, lo, hi; /* Wilson 95 % */
    int suppressed;      /* enum stad_social_supp; then n/successes/rate are not to be shown */
} stad_social_cell;

typedef struct stad_social_coef {
    char *name;      /* "(intercept)" or "variable=level" (against the first level) */
    double beta, se, lo, hi; /* log odds, 95 % */
    int64_t households;      /* in the level; coefficient withheld when < threshold */
    int suppressed;
} stad_social_coef;

typedef struct stad_social_change {
    char *period, *previous;
    int64_t n, households, prev_n, prev_households;
    double rate, prev_rate, diff, lo, hi; /* Newcombe 95 % interval of the difference */
    int suppressed;
} stad_social_change;

typedef struct stad_social_result {
    size_t n_by;
    char **by;
    stad_social_cell *cells;
    size_t n_cells;
    stad_social_cell total;
    stad_social_coef *coefs;  /* logistic regression on the `by` variables (no period) */
    size_t n_coefs;
    int model_ok;             /* 0 when the model did not converge or had no data */
    stad_social_change *changes; /* rate per period and change against the one before */
    size_t n_changes;
    int threshold;
    void *impl_;
} stad_social_result;

int stad_social_analyse(stad_social_db *db, const stad_social_query *q,
                        stad_social_result **out);
void stad_social_result_free(stad_social_result *r);

/* Records the result as release `name` in the ledger after checking it against every
 * earlier release: a published cell whose households differ from an earlier published
 * cell's only by a set of 1..threshold-1 households (one contains the other) would let
 * a reader recover that small set by subtraction; then nothing is recorded and
 * STAD_ERANGE is returned with the release it conflicts with in the message. */
int stad_social_release(stad_social_db *db, const char *name, const stad_social_query *q,
                        stad_social_result **out);

/* ------------------------------------------- tables published elsewhere ---- */

/* Open data (docs/opendata.md) publishes household counts per area and month of the
 * sources the register allows, under the same threshold, secondary suppression and
 * this ledger. These functions give it the records and the ledger without the
 * analysis. */

/* Sorted names of the sources in the social store. *out (array and strings) is the
 * caller's: free each name, then the array. */
int stad_social_sources(stad_social_db *db, char ***out, size_t *n);

/* One record as a publication counts it: its month, its household (a record without
 * one counts as a household of its own, as in the analyses) and the values of the
 * requested columns (NULL where the record has none). Valid during the callback. */
typedef struct stad_social_record {
    const char *period; /* yyyy-mm */
    int64_t household;
    const char *const *values;
} stad_social_record;
/* Calls cb for every record of `source` with the values of cols[0..n_cols). A non-zero
 * return of cb stops the walk and is returned. */
int stad_social_records_each(stad_social_db *db, const char *source,
                             const char *const *cols, size_t n_cols,
                             int (*cb)(void *, const stad_social_record *), void *user);

/* A cell of such a table: its label (e.g. "buurt|BU03440111|2024-01|leerplicht"), its
 * households (sorted, unique) and whether it is published. Borrowed. */
typedef struct stad_social_pubcell {
    const char *label;
    const int64_t *households;
    size_t n;
    int published;
} stad_social_pubcell;

/* The differencing check of stad_social_release for a table of cells: conflict[i] = 1
 * for a published cell whose households and those of a published cell of an earlier
 * release are nested and differ by 1..threshold-1, and for the smaller of two
 * published cells of this table that are nested so (a wijk and its only published
 * buurt, one source's households inside another's). *n_conflicts counts the cells
 * marked; `why` (may be NULL) gets the first conflict in words. Only reads. */
int stad_social_ledger_check(stad_social_db *db, const stad_social_pubcell *cells, size_t n,
                             int threshold, int *conflict, size_t *n_conflicts, char *why,
                             size_t why_size);
/* Records the table as release `name` with `spec` in the ledger (the published cells
 * with their households), so later releases of either kind are checked against it.
 * A release of that name existing already: nothing is recorded, 0 (the same tables
 * were recorded under that name). */
int stad_social_ledger_record(stad_social_db *db, const char *name, const char *spec,
                              const stad_social_pubcell *cells, size_t n, int threshold);

/* ------------------------------------------------------ statistics (pure) ---- */

/* Wilson score interval for k successes of n at normal quantile z (1.96 for 95 %). */
void stad_wilson(int64_t k, int64_t n, double z, double *lo, double *hi);
/* Newcombe's hybrid score interval for p1 - p2. */
void stad_newcombe(int64_t k1, int64_t n1, int64_t k2, int64_t n2, double z, double *lo,
                   double *hi);
/* Logistic regression by Newton-Raphson: X is n x p row-major (include a column of 1s
 * for an intercept), y in {0,1}. beta and se get p values. 0, STAD_ERANGE (no
 * convergence or singular), STAD_ENOMEM. */
int stad_logit_fit(const double *X, const double *y, size_t n, size_t p, double *beta,
                   double *se);

/* Threshold rule and secondary suppression on a table of `ndim` dimensions with
 * dims[d] levels each (cells in row-major order): a cell with 0 < units < threshold is
 * suppressed (primary); then in every line (all cells that differ in one coordinate,
 * whose sum is a published margin) holding one suppressed cell, or several that hold
 * fewer than `threshold` units together, the non-empty unsuppressed cell with the
 * fewest units is suppressed too (secondary), until every line passes or has no
 * non-empty cell left (preferring a cell that also mends another line). supp[] gets
 * enum stad_social_supp. */
int stad_suppress(const int64_t *units, const size_t *dims, size_t ndim, int threshold,
                  int *supp);

/* ------------------------------------------------------ synthetic data ---- */

typedef struct stad_synth_opts {
    const char *kwb_csv;   /* CBS kerncijfers (buurt rows: a_hh_m_k, a_soz_wb, a_hh, ...) */
    const char *out_dir;
    double scale;          /* share of the households with children (default 0.05) */
    uint64_t seed;
    /* planted log-odds of intervention success (defaults in docs/social.md) */
    double b0, b_benefit, b_single, b_wijkteam, b_teen;
    /* planted log-odds of absence */
    double a0, a_benefit;
    /* realistic problems */
    double p_bsn_missing, p_bsn_typo, p_move;
} stad_synth_opts;

typedef struct stad_synth_report {
    int64_t households, children, benefit_households, rows[3];
} stad_synth_report;

/* Writes leerplicht.csv, inkomen.csv, wijkteam.csv (three source extracts with BSNs,
 * invented names and addresses) and the matching policy files into out_dir. All
 * identities are invented: BSNs are valid-by-construction numbers from 900000000 up. */
int stad_synth_generate(stad_ctx *ctx, const stad_synth_opts *o, stad_synth_report *rep);
void stad_synth_defaults(stad_synth_opts *o);

/* ---------------------------------------------- Bloom-filter fallback (CLK) ---- */

/* A cryptographic long-term key (Schnell et al.): the q-grams (q = 2, padded) of each
 * field are hashed k times with keyed BLAKE2b (double hashing) into a bits-bit filter.
 * Used only inside the linkage party for records without a usable BSN. */
#define STAD_CLK_BITS 1024
typedef struct stad_clk { uint64_t w[STAD_CLK_BITS / 64]; int pop; } stad_clk;
/* fields[i] weighted by k[i] hash functions (0 skips the field). */
void stad_clk_encode(const unsigned char key[32], const char *const *fields,
                     const int *k, size_t n, stad_clk *out);
double stad_clk_dice(const stad_clk *a, const stad_clk *b);
/* Greedy one-to-one matching of a x b by Dice >= threshold (best pairs first).
 * match[i] = index in b or -1. Pairs compared: all (n_a * n_b). */
int stad_clk_match(const stad_clk *a, size_t na, const stad_clk *b, size_t nb,
                   double threshold, long *match);

#ifdef __cplusplus
}
#endif
#endif

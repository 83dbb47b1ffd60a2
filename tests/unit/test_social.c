/* Unit tests of the social module against values computed by hand (in the comments):
 * the BSN eleven test, household keys, Wilson and Newcombe intervals, logistic
 * regression on a 2 x 2 table, secondary suppression on a 2 x 3 table; and, on a
 * synthetic population under $STAD_TMP, the pseudonym chain, key separation, planted
 * effects recovered within their intervals, and the ledger catching a differencing
 * attack. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "social/social_internal.h"
#include "stad/base.h"
#include "stad/social.h"

#define NEAR(a, b, tol)                                                          \
    do {                                                                         \
        double a_ = (a), b_ = (b);                                               \
        if (!(fabs(a_ - b_) <= (tol)))                                           \
            fail_msg("%s = %.12g, expected %.12g (tol %g)", #a, a_, b_, (double)(tol)); \
    } while (0)

static void test_bsn(void **state)
{
    (void)state;
    char n[10];
    /* 111222333: 9+8+7+2*6+2*5+2*4+3*3+3*2 - 3 = 66 = 6*11 */
    assert_int_equal(stad_bsn_check("111222333", n), 1);
    assert_string_equal(n, "111222333");
    /* 123456782: 9+16+21+24+25+24+21+16 - 2 = 154 = 14*11; dots and spaces allowed */
    assert_int_equal(stad_bsn_check(" 1234.56.782 ", n), 1);
    assert_string_equal(n, "123456782");
    /* 123456789: 156 - 9 = 147 = 4 (mod 11) */
    assert_int_equal(stad_bsn_check("123456789", n), 0);
    assert_string_equal(n, "");
    /* 8 digits get a leading 0: 012345678 -> 112 - 8 = 104 = 5 (mod 11): invalid;
     * 11122233 -> 011122233: 8+7+12+10+8+9+6 - 3 = 57... = 2 (mod 11): invalid;
     * 10000008 -> 010000008: 8 - 8 = 0: valid */
    assert_int_equal(stad_bsn_check("12345678", n), 0);
    assert_int_equal(stad_bsn_check("10000008", n), 1);
    assert_string_equal(n, "010000008");
    assert_int_equal(stad_bsn_check("000000000", n), 0);
    assert_int_equal(stad_bsn_check("", n), 0);
    assert_int_equal(stad_bsn_check("1234567820", n), 0);
    assert_int_equal(stad_bsn_check("12345678a", n), 0);
    assert_int_equal(stad_bsn_check(NULL, n), 0);
    /* Every single wrong digit and every swap of two different neighbours fails. */
    const char *good = "123456782";
    for (int i = 0; i < 9; i++)
        for (char d = '0'; d <= '9'; d++) {
            char t[10];
            memcpy(t, good, 10);
            if (t[i] == d)
                continue;
            t[i] = d;
            assert_int_equal(stad_bsn_check(t, n), 0);
        }
    for (int i = 0; i < 8; i++) {
        char t[10];
        memcpy(t, good, 10);
        char c = t[i];
        t[i] = t[i + 1];
        t[i + 1] = c;
        assert_int_equal(stad_bsn_check(t, n), 0);
    }
}

static void test_household_key(void **state)
{
    (void)state;
    char a[96], b[96], c[96];
    assert_int_equal(stad_household_key(NULL, "3511 ab", "012", "-a", a, sizeof a), 0);
    assert_string_equal(a, "adr:3511AB|12|A");
    assert_int_equal(stad_household_key("", "3511AB", "12a", "", b, sizeof b), 0);
    assert_string_equal(b, "adr:3511AB|12|A");
    assert_int_equal(stad_household_key(NULL, "3511AB", "12", NULL, c, sizeof c), 0);
    assert_string_equal(c, "adr:3511AB|12|");
    /* a BAG id wins, leading zeros restored to 16 digits */
    assert_int_equal(stad_household_key("344010000123456", "3511AB", "12", "", a, sizeof a), 0);
    assert_string_equal(a, "bag:0344010000123456");
    assert_int_equal(stad_household_key(NULL, "351AB", "12", "", a, sizeof a), STAD_EINVAL);
    assert_int_equal(stad_household_key(NULL, "0511AB", "12", "", a, sizeof a), STAD_EINVAL);
    assert_int_equal(stad_household_key(NULL, "3511AB", "", "a", a, sizeof a), STAD_EINVAL);
    assert_int_equal(stad_household_key("12x", NULL, NULL, NULL, a, sizeof a), STAD_EINVAL);
}

static void test_intervals(void **state)
{
    (void)state;
    double lo, hi;
    /* 5 of 10, z = 1.96: centre 0.5, half = 1.96 sqrt(0.025 + 3.8416/400) / 1.38416
     * = 0.263410 */
    stad_wilson(5, 10, 1.96, &lo, &hi);
    NEAR(lo, 0.236590, 1e-6);
    NEAR(hi, 0.763410, 1e-6);
    /* 0 of 20: lo 0, hi = (z^2/40 + z sqrt(z^2/1600)) / (1 + z^2/20)
     * = (0.09604 + 0.09604) / 1.19208 = 0.161130 */
    stad_wilson(0, 20, 1.96, &lo, &hi);
    NEAR(lo, 0, 0);
    NEAR(hi, 0.161130, 1e-6);
    stad_wilson(0, 0, 1.96, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
    /* Newcombe (1998), example (a): 56/70 - 48/80 = 0.2, method 10: 0.0524 to 0.3339 */
    stad_newcombe(56, 70, 48, 80, 1.959964, &lo, &hi);
    NEAR(lo, 0.0524, 1e-4);
    NEAR(hi, 0.3339, 1e-4);
}

static void test_logit(void **state)
{
    (void)state;
    /* x = 0: 30 successes, 10 failures; x = 1: 10 successes, 20 failures. The MLE is
     * the saturated fit: b0 = ln 3, b1 = ln((10/20) / (30/10)) = ln(1/6);
     * se(b0) = sqrt(1/30 + 1/10), se(b1) = sqrt(1/30 + 1/10 + 1/10 + 1/20). */
    double X[140], y[70];
    for (int i = 0; i < 70; i++) {
        X[2 * i] = 1;
        X[2 * i + 1] = i >= 40;
        y[i] = i < 30 || (i >= 40 && i < 50);
    }
    double b[2], se[2];
    assert_int_equal(stad_logit_fit(X, y, 70, 2, b, se), 0);
    NEAR(b[0], log(3), 1e-8);
    NEAR(b[1], log(1.0 / 6), 1e-8);
    NEAR(se[0], sqrt(1.0 / 30 + 0.1), 1e-8);
    NEAR(se[1], sqrt(1.0 / 30 + 0.1 + 0.1 + 0.05), 1e-8);
    /* complete separation: no finite MLE */
    for (int i = 0; i < 70; i++)
        y[i] = i >= 40;
    assert_int_equal(stad_logit_fit(X, y, 70, 2, b, se), STAD_ERANGE);
}

static void test_suppress(void **state)
{
    (void)state;
    /* [[20, 5, 30], [40, 50, 60]], threshold 10: (0,1) primary. Columns first: column
     * 1 = [5P, 50] has a lone suppression -> (1,1). Rows: row 0 = [20, 5P, 30] ->
     * smallest -> (0,0); row 1 = [40, 50S, 60]: (1,0) mends column 0 (which now holds
     * the lone (0,0)) -> (1,0). Then every line has 0 or >= 2 suppressed cells. */
    int64_t u[] = {20, 5, 30, 40, 50, 60};
    size_t dims[] = {2, 3};
    int s[6];
    assert_int_equal(stad_suppress(u, dims, 2, 10, s), 0);
    int want[] = {STAD_CELL_SECONDARY, STAD_CELL_PRIMARY, 0, STAD_CELL_SECONDARY,
                  STAD_CELL_SECONDARY, 0};
    for (int i = 0; i < 6; i++)
        assert_int_equal(s[i], want[i]);
    /* one dimension: [3, 0, 12, 40] -> 3 primary; 0 is empty (not a candidate); 12 secondary */
    int64_t v[] = {3, 0, 12, 40};
    size_t d1[] = {4};
    assert_int_equal(stad_suppress(v, d1, 1, 10, s), 0);
    assert_int_equal(s[0], STAD_CELL_PRIMARY);
    assert_int_equal(s[1], 0);
    assert_int_equal(s[2], STAD_CELL_SECONDARY);
    assert_int_equal(s[3], 0);
    /* two small cells hide each other but their sum (3 + 4 = 7) would still be the
     * margin minus the rest: the smallest other cell (12) joins them, 19 >= 10 */
    int64_t x[] = {3, 4, 40, 12, 25};
    size_t d5[] = {5};
    assert_int_equal(stad_suppress(x, d5, 1, 10, s), 0);
    int want_x[] = {STAD_CELL_PRIMARY, STAD_CELL_PRIMARY, 0, STAD_CELL_SECONDARY, 0};
    for (int i = 0; i < 5; i++)
        assert_int_equal(s[i], want_x[i]);
    /* nothing under the threshold: nothing suppressed */
    int64_t w[] = {10, 11};
    size_t d2[] = {2};
    assert_int_equal(stad_suppress(w, d2, 1, 10, s), 0);
    assert_int_equal(s[0] + s[1], 0);
}

/* ---- the chain on a synthetic population ---- */

static char dir[512];

static const char *tmp_path(const char *name)
{
    static char p[8][800];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static void rm_rf_dir(void)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static int setup_chain(void **state)
{
    (void)state;
    const char *tmp = getenv("STAD_TMP");
    if (snprintf(dir, sizeof dir, "%.400s/test_social.%d", tmp && *tmp ? tmp : "/tmp",
                 (int)getpid()) >= (int)sizeof dir)
        return -1;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown_chain(void **state)
{
    (void)state;
    rm_rf_dir();
    return 0;
}

static void test_pep(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    assert_int_equal(stad_pseudo_keys_generate(ctx, dir, "sociaal", 1), 0);
    /* never overwritten */
    assert_int_equal(stad_pseudo_keys_generate(ctx, dir, "sociaal", 1), STAD_EINVAL);
    stad_pseudo_key *src, *tk, *dk;
    assert_int_equal(stad_pseudo_key_load(ctx, tmp_path("source-v1.key"), &src), 0);
    assert_int_equal(stad_pseudo_key_load(ctx, tmp_path("transcryptor-v1.key"), &tk), 0);
    assert_int_equal(stad_pseudo_key_load(ctx, tmp_path("domain-sociaal-v1.key"), &dk), 0);
    assert_int_equal(stad_pseudo_key_role(src), STAD_KEY_SOURCE);
    assert_int_equal(stad_pseudo_key_role(tk), STAD_KEY_TRANSCRYPTOR);
    assert_string_equal(stad_pseudo_key_domain(dk), "sociaal");
    struct stat st;
    assert_int_equal(stat(tmp_path("transcryptor-v1.key"), &st), 0);
    assert_int_equal(st.st_mode & 077, 0);

    char c1[STAD_PSEUDO_TEXT_MAX], c2[STAD_PSEUDO_TEXT_MAX], t1[STAD_PSEUDO_TEXT_MAX],
        t2[STAD_PSEUDO_TEXT_MAX], p1[STAD_PSEUDO_TEXT_MAX], p2[STAD_PSEUDO_TEXT_MAX],
        p3[STAD_PSEUDO_TEXT_MAX];
    /* randomised: the same BSN twice gives two different ciphertexts ... */
    assert_int_equal(stad_pseudo_encrypt(ctx, src, STAD_PSEUDO_PERSON, "123456782", c1), 0);
    assert_int_equal(stad_pseudo_encrypt(ctx, src, STAD_PSEUDO_PERSON, "123456782", c2), 0);
    assert_string_not_equal(c1, c2);
    assert_memory_equal(c1, "pep1.1.c.", 9);
    /* ... that become the same pseudonym after transcryptor and domain */
    assert_int_equal(stad_pseudo_transcrypt(ctx, tk, "sociaal", c1, t1), 0);
    assert_int_equal(stad_pseudo_transcrypt(ctx, tk, "sociaal", c2, t2), 0);
    assert_string_not_equal(t1, t2);
    assert_int_equal(stad_pseudo_decrypt(ctx, dk, t1, p1), 0);
    assert_int_equal(stad_pseudo_decrypt(ctx, dk, t2, p2), 0);
    assert_string_equal(p1, p2);
    assert_memory_equal(p1, "pep1.1.sociaal.", 15);
    assert_int_equal(strlen(p1), 15 + 32);
    /* another BSN, or the same number as a household, is another pseudonym */
    assert_int_equal(stad_pseudo_encrypt(ctx, src, STAD_PSEUDO_PERSON, "111222333", c2), 0);
    assert_int_equal(stad_pseudo_transcrypt(ctx, tk, "sociaal", c2, t2), 0);
    assert_int_equal(stad_pseudo_decrypt(ctx, dk, t2, p3), 0);
    assert_string_not_equal(p1, p3);
    assert_int_equal(stad_pseudo_encrypt(ctx, src, STAD_PSEUDO_HOUSEHOLD, "123456782", c2), 0);
    assert_int_equal(stad_pseudo_transcrypt(ctx, tk, "sociaal", c2, t2), 0);
    assert_int_equal(stad_pseudo_decrypt(ctx, dk, t2, p3), 0);
    assert_string_not_equal(p1, p3);

    /* Key separation. The domain key alone cannot open what a source sends ... */
    assert_int_equal(stad_pseudo_decrypt(ctx, dk, c1, p3), STAD_EINVAL);
    /* ... not even by doing the ElGamal arithmetic itself: c - x b on a source
     * ciphertext is y-blinded (x = k y, not y), so it is neither H(BSN) nor the
     * pseudonym's point. */
    {
        unsigned char ct[64], xb[32], pt[32], h[16];
        size_t len;
        assert_int_equal(sodium_base642bin(ct, 64, c1 + 9, strlen(c1 + 9), NULL, &len, NULL,
                                           sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
        assert_int_equal(crypto_scalarmult_ristretto255(xb, dk->secret, ct), 0);
        crypto_core_ristretto255_sub(pt, ct + 32, xb);
        crypto_generichash(h, sizeof h, pt, 32, NULL, 0);
        char hex[33];
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        assert_null(strstr(p1, hex));
        /* and it is not the hash-to-group point of the BSN either */
        unsigned char m[32], sh[64];
        crypto_hash_sha512(sh, (const unsigned char *)"stad-pep1|person|123456782", 26);
        crypto_core_ristretto255_from_hash(m, sh);
        assert_memory_not_equal(m, pt, 32);
    }
    /* a transcryptor output for another domain does not decrypt with this key */
    assert_int_equal(stad_pseudo_transcrypt(ctx, tk, "politie", c1, t2), 0);
    assert_int_equal(stad_pseudo_decrypt(ctx, dk, t2, p3), STAD_EINVAL);
    /* the wrong key role is refused at each step */
    assert_int_equal(stad_pseudo_encrypt(ctx, dk, STAD_PSEUDO_PERSON, "123456782", c2),
                     STAD_EINVAL);
    assert_int_equal(stad_pseudo_transcrypt(ctx, src, "sociaal", c1, t2), STAD_EINVAL);
    /* a tampered ciphertext is refused, not turned into some pseudonym */
    memcpy(c2, t1, sizeof c2);
    c2[strlen(c2) - 3] = c2[strlen(c2) - 3] == 'A' ? 'B' : 'A';
    int rc = stad_pseudo_decrypt(ctx, dk, c2, p3);
    assert_true(rc == STAD_EPARSE || strcmp(p3, p1) != 0);
    /* a rotated key set (version 2) makes unlinkable pseudonyms; mixing is refused */
    assert_int_equal(stad_pseudo_keys_generate(ctx, dir, "sociaal", 2), 0);
    stad_pseudo_key *tk2;
    assert_int_equal(stad_pseudo_key_load(ctx, tmp_path("transcryptor-v2.key"), &tk2), 0);
    assert_int_equal(stad_pseudo_transcrypt(ctx, tk2, "sociaal", c1, t2), STAD_EINVAL);
    stad_pseudo_key_free(tk2);
    stad_pseudo_key_free(src);
    stad_pseudo_key_free(tk);
    stad_pseudo_key_free(dk);
    stad_ctx_free(ctx);
}

/* Pseudonymise, transcrypt and import one synthetic source. */
static void chain_one(stad_ctx *ctx, stad_social_db *db, const char *name)
{
    stad_pseudo_key *src, *tk, *dk;
    assert_int_equal(stad_pseudo_key_load(ctx, tmp_path("source-v1.key"), &src), 0);
    assert_int_equal(stad_pseudo_key_load(ctx, tmp_path("transcryptor-v1.key"), &tk), 0);
    assert_int_equal(stad_pseudo_key_load(ctx, tmp_path("domain-sociaal-v1.key"), &dk), 0);
    char f[5][64];
    snprintf(f[0], sizeof f[0], "%s.policy", name);
    snprintf(f[1], sizeof f[1], "%s.csv", name);
    snprintf(f[2], sizeof f[2], "%s.pseudo.csv", name);
    snprintf(f[3], sizeof f[3], "%s.tc.csv", name);
    stad_pseudo_policy *pol;
    if (stad_pseudo_policy_load(ctx, tmp_path(f[0]), &pol))
        fail_msg("%s", stad_errmsg(ctx));
    stad_pseudo_report rep;
    if (stad_pseudo_file(ctx, src, pol, tmp_path(f[1]), tmp_path(f[2]), &rep))
        fail_msg("%s", stad_errmsg(ctx));
    assert_true(rep.rows > 0);
    assert_int_equal(rep.persons + rep.bsn_missing + rep.bsn_invalid > 0, 1);
    stad_pseudo_report_free(&rep);
    int64_t n, rows;
    if (stad_pseudo_transcrypt_file(ctx, tk, "sociaal", tmp_path(f[2]), tmp_path(f[3]), &n))
        fail_msg("%s", stad_errmsg(ctx));
    if (stad_social_import(db, dk, name, tmp_path(f[3]), &rows))
        fail_msg("%s", stad_errmsg(ctx));
    assert_true(rows > 0);
    stad_pseudo_policy_free(pol);
    stad_pseudo_key_free(src);
    stad_pseudo_key_free(tk);
    stad_pseudo_key_free(dk);
}

/* memmem is a GNU extension. */
static const void *find_bytes(const char *hay, size_t n, const char *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

static const char *kwb(void)
{
    static char p[1024];
    const char *src = getenv("STAD_SOURCE_DIR");
    snprintf(p, sizeof p, "%.800s/data/demo/utrecht/cbs-kerncijfers-wijken-buurten/"
                          "utrecht_kwb_2023.csv", src ? src : ".");
    return p;
}

static void test_chain(void **state)
{
    (void)state;
    stad_ctx *ctx;
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_synth_opts o;
    stad_synth_defaults(&o);
    o.kwb_csv = kwb();
    o.out_dir = dir;
    o.scale = 0.012; /* about 600 households: the pseudonym chain costs ~0.3 ms a value */
    stad_synth_report sr;
    if (stad_synth_generate(ctx, &o, &sr))
        fail_msg("%s", stad_errmsg(ctx));
    assert_true(sr.households > 500);

    /* The policy: a missing column of the policy is an error naming it. */
    stad_social_db *db;
    assert_int_equal(stad_social_db_open(ctx, tmp_path("social.db"), &db), 0);
    chain_one(ctx, db, "leerplicht");
    chain_one(ctx, db, "inkomen");
    chain_one(ctx, db, "wijkteam");

    /* Link rates: inkomen covers 2023-10..2024-04, so leerplicht's May links to nothing. */
    stad_social_links *l;
    assert_int_equal(stad_social_link(db, "leerplicht", &l), 0);
    int seen = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].source, "inkomen")) {
            if (!strcmp(l->items[i].period, "2024-05"))
                assert_int_equal(l->items[i].linked, 0);
            if (!strcmp(l->items[i].period, "2024-01")) {
                assert_true(l->items[i].linked > 0);
                seen = 1;
            }
        }
    assert_true(seen);
    stad_social_links_free(l);

    /* Planted effects (stad_synth_defaults) recovered within their 95 % intervals
     * (the effects, not the intercept: the reference group absorbs linkage misses). */
    const char *by[] = {"in_inkomen", "gezin", "in_wijkteam", "leeftijd"};
    const char *where[] = {"interventie=ja", NULL};
    stad_social_query q = {.base = "leerplicht", .outcome = "resultaat",
                           .success = "verbeterd", .where = where, .by = by, .n_by = 4,
                           .from = "2024-01", .to = "2024-04"};
    stad_social_result *r;
    if (stad_social_analyse(db, &q, &r))
        fail_msg("%s", stad_errmsg(ctx));
    assert_true(r->model_ok);
    struct { const char *name; double planted; } want[] = {
        {"in_inkomen=yes (vs no)", o.b_benefit},
        {"gezin=eenouder (vs tweeouder)", o.b_single},
        {"in_wijkteam=yes (vs no)", o.b_wijkteam},
        {"leeftijd=12-17 (vs 4-11)", o.b_teen}};
    for (size_t k = 0; k < 4; k++) {
        int found = 0;
        for (size_t i = 0; i < r->n_coefs; i++)
            if (!strcmp(r->coefs[i].name, want[k].name)) {
                found = 1;
                if (!(r->coefs[i].lo <= want[k].planted && want[k].planted <= r->coefs[i].hi))
                    fail_msg("%s: planted %.2f outside [%.3f, %.3f]", want[k].name,
                             want[k].planted, r->coefs[i].lo, r->coefs[i].hi);
            }
        if (!found)
            fail_msg("no coefficient %s", want[k].name);
    }
    /* no published cell under the threshold; suppressed cells come in pairs per line */
    for (size_t i = 0; i < r->n_cells; i++)
        if (!r->cells[i].suppressed)
            assert_true(r->cells[i].households == 0 || r->cells[i].households >= 10);
    stad_social_result_free(r);

    /* Key separation in the store: no BSN and no address of the extracts is in the
     * social store file. */
    {
        FILE *f = fopen(tmp_path("social.db"), "rb");
        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        long sz = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *buf = malloc((size_t)sz + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
        buf[sz] = '\0';
        fclose(f);
        /* invented BSNs start at 900000000: the first few households' numbers */
        for (uint64_t ctr = 90000000; ctr < 90000040; ctr++) {
            char d[10];
            uint64_t v = ctr;
            for (int i = 7; i >= 0; i--, v /= 10)
                d[i] = (char)('0' + v % 10);
            int sum = 0;
            for (int i = 0; i < 8; i++)
                sum += (9 - i) * (d[i] - '0');
            if (sum % 11 == 10)
                continue;
            d[8] = (char)('0' + sum % 11);
            d[9] = '\0';
            assert_null(find_bytes(buf, (size_t)sz, d, 9));
        }
        assert_null(find_bytes(buf, (size_t)sz, "adr:", 4));
        assert_null(find_bytes(buf, (size_t)sz, "(synthetisch)", 13));
        free(buf);
    }

    /* Differencing attack: the total of absence, then the total of absence without
     * the households known to the wijkteam. Their difference is the wijkteam
     * households; with a threshold above that number, the second is refused. */
    stad_social_query a = {.base = "leerplicht", .outcome = "verzuim", .success = "ja",
                           .from = "2024-01", .to = "2024-04"};
    const char *w2[] = {"in_wijkteam=no", NULL};
    stad_social_query b = a;
    b.where = w2;
    stad_social_result *ra, *rb;
    assert_int_equal(stad_social_analyse(db, &a, &ra), 0);
    assert_int_equal(stad_social_analyse(db, &b, &rb), 0);
    int64_t diff = ra->total.households - rb->total.households;
    assert_true(diff > 0 && rb->total.households > diff + 1);
    a.threshold = b.threshold = (int)diff + 1;
    stad_social_result_free(ra);
    stad_social_result_free(rb);
    assert_int_equal(stad_social_release(db, "absence-total", &a, &ra), 0);
    assert_false(ra->total.suppressed);
    stad_social_result_free(ra);
    assert_int_equal(stad_social_release(db, "absence-no-wijkteam", &b, &rb), STAD_ERANGE);
    assert_null(rb);
    assert_non_null(strstr(stad_errmsg(ctx), "absence-total"));
    /* the refused release left no trace; the same name is free */
    assert_int_equal(stad_social_release(db, "absence-total", &a, &ra), STAD_EINVAL);
    /* with a threshold at the difference the subtraction reveals >= threshold
     * households: allowed */
    b.threshold = (int)diff;
    assert_int_equal(stad_social_release(db, "absence-no-wijkteam", &b, &rb), 0);
    stad_social_result_free(rb);

    stad_social_db_close(db);
    stad_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bsn),
        cmocka_unit_test(test_household_key),
        cmocka_unit_test(test_intervals),
        cmocka_unit_test(test_logit),
        cmocka_unit_test(test_suppress),
        cmocka_unit_test(test_pep),
        cmocka_unit_test(test_chain),
    };
    return cmocka_run_group_tests(tests, setup_chain, teardown_chain);
}

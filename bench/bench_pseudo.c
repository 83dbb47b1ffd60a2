/* Benchmark of pseudonymisation throughput (records/s on one core) against the bare
 * keyed hash (keyed BLAKE2b of the BSN, libsodium) measured in the same run: the
 * single keyed hash is what the two-party scheme replaces, so the ratio is its cost.
 * Steps: source encryption, transcryption, domain decryption. Asserts nothing. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/social/social_internal.h"
#include "stad/social.h"

#define N 20000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(void)
{
    stad_ctx *ctx;
    if (stad_ctx_new(&ctx) || sodium_init() < 0)
        return 1;
    const char *tmp = getenv("STAD_TMP");
    char dir[512];
    snprintf(dir, sizeof dir, "%.400s/bench_pseudo.%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0 || stad_pseudo_keys_generate(ctx, dir, "bench", 1))
        return 1;
    stad_pseudo_key *src, *tk, *dk;
    char p[1024];
    snprintf(p, sizeof p, "%s/source-v1.key", dir);
    if (stad_pseudo_key_load(ctx, p, &src))
        return 1;
    snprintf(p, sizeof p, "%s/transcryptor-v1.key", dir);
    if (stad_pseudo_key_load(ctx, p, &tk))
        return 1;
    snprintf(p, sizeof p, "%s/domain-bench-v1.key", dir);
    if (stad_pseudo_key_load(ctx, p, &dk))
        return 1;
    static char bsn[N][10], ct[N][STAD_PSEUDO_TEXT_MAX], tc[N][STAD_PSEUDO_TEXT_MAX];
    for (int i = 0; i < N; i++)
        snprintf(bsn[i], sizeof bsn[i], "%09d", 100000000 + i * 37);
    unsigned char key[32], h[32];
    randombytes_buf(key, sizeof key);
    unsigned acc = 0;
    double t0 = now();
    for (int i = 0; i < N; i++) {
        crypto_generichash(h, sizeof h, (const unsigned char *)bsn[i], 9, key, sizeof key);
        acc += h[0];
    }
    double base = (now() - t0) / N;
    t0 = now();
    for (int i = 0; i < N; i++)
        if (stad_pseudo_encrypt(ctx, src, STAD_PSEUDO_PERSON, bsn[i], ct[i]))
            return 1;
    double enc = (now() - t0) / N;
    social_pep_tc pt;
    if (social_pep_prepare(ctx, tk, "bench", &pt))
        return 1;
    t0 = now();
    for (int i = 0; i < N; i++)
        if (social_pep_transcrypt(ctx, &pt, ct[i], tc[i]))
            return 1;
    double trn = (now() - t0) / N;
    char out[STAD_PSEUDO_TEXT_MAX];
    t0 = now();
    for (int i = 0; i < N; i++)
        if (stad_pseudo_decrypt(ctx, dk, tc[i], out))
            return 1;
    double dec = (now() - t0) / N;
    printf("pseudonyms of %d BSNs, one core (checksum %u)\n", N, acc & 1);
    printf("  %-34s %12.0f records/s  (baseline)\n", "keyed hash (BLAKE2b, libsodium)", 1 / base);
    printf("  %-34s %12.0f records/s  %6.0fx the baseline time\n", "source: encrypt", 1 / enc, enc / base);
    printf("  %-34s %12.0f records/s  %6.0fx\n", "transcryptor: transcrypt", 1 / trn, trn / base);
    printf("  %-34s %12.0f records/s  %6.0fx\n", "domain: decrypt", 1 / dec, dec / base);
    printf("  %-34s %12.0f records/s  %6.0fx\n", "whole chain", 1 / (enc + trn + dec),
           (enc + trn + dec) / base);
    stad_pseudo_key_free(src);
    stad_pseudo_key_free(tk);
    stad_pseudo_key_free(dk);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    stad_ctx_free(ctx);
    return 0;
}

/* libFuzzer target: the source holder's tool (stad pseudo) on arbitrary extracts.
 * Any bytes either fail with a message and leave no output file, or give an output in
 * which no input BSN survives: every value of the person column is a ciphertext. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "stad.h"
#include "stad/social.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static stad_pseudo_key *source_key;
static stad_pseudo_policy *policy;

/* Keys and policy once per process: making keys is slow and not what is fuzzed. */
static int setup(stad_ctx *ctx)
{
    if (source_key)
        return 0;
    char keydir[600], keyfile[700], polfile[600];
    if (fuzz_path("keys", keydir, sizeof keydir))
        return -1;
    mkdir(keydir, 0700);
    if (stad_pseudo_keys_generate(ctx, keydir, "fuzz", 1))
        return -1;
    snprintf(keyfile, sizeof keyfile, "%s/source-v1.key", keydir);
    const char *pol = "[policy]\nsource = fuzz\nreference_date = 2024-01-01\n"
                      "age_bands = 0,4,12,18,27,45,65\n"
                      "[columns]\nbsn = person\npostcode = household-postcode\n"
                      "huisnummer = household-number\ngeboortedatum = age-band\n"
                      "datum = period\nnaam = drop\n";
    if (fuzz_write("policy.conf", (const uint8_t *)pol, strlen(pol), polfile, sizeof polfile))
        return -1;
    if (stad_pseudo_key_load(ctx, keyfile, &source_key) ||
        stad_pseudo_policy_load(ctx, polfile, &policy))
        return -1;
    return 0;
}

/* 1 when the 9 digits of bsn occur in data. */
static int contains(const uint8_t *data, size_t size, const char *bsn)
{
    for (size_t i = 0; i + 9 <= size; i++)
        if (memcmp(data + i, bsn, 9) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stad_ctx *ctx;
    if (stad_ctx_new(&ctx))
        return 0;
    if (setup(ctx)) {
        fprintf(stderr, "fuzz_pseudo: set-up failed: %s\n", stad_errmsg(ctx));
        abort();
    }
    char in[600], out[600];
    if (fuzz_write("extract.csv", data, size, in, sizeof in) ||
        fuzz_path("pseudo.csv", out, sizeof out)) {
        stad_ctx_free(ctx);
        return 0;
    }
    unlink(out);
    stad_pseudo_report rep;
    memset(&rep, 0, sizeof rep);
    int rc = stad_pseudo_file(ctx, source_key, policy, in, out, &rep);
    if (rc) {
        if (!stad_errmsg(ctx)[0] || access(out, F_OK) == 0)
            abort(); /* a failure says why and writes nothing */
    } else {
        /* The policy keeps no column as it is, only pseudonyms and coarsened values, so
         * a valid BSN from the input that shows up in the output is a leak. */
        FILE *f = fopen(out, "rb");
        if (!f)
            abort();
        char buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        for (size_t i = 0; i < n; i++) {
            if (buf[i] < '0' || buf[i] > '9' || (i && buf[i - 1] >= '0' && buf[i - 1] <= '9'))
                continue;
            size_t k = i;
            while (k < n && buf[k] >= '0' && buf[k] <= '9')
                k++;
            if (k - i == 9) {
                char bsn[10], norm[10];
                memcpy(bsn, buf + i, 9);
                bsn[9] = '\0';
                if (stad_bsn_check(bsn, norm) == 1 && contains(data, size, bsn))
                    abort();
            }
        }
    }
    stad_pseudo_report_free(&rep);
    stad_ctx_free(ctx);
    return 0;
}

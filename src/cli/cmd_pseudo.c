/* stad pseudo: the source holder's tool. Pseudonymises an extract on the holder's own
 * machine with the public source key and a column policy; no server, no secret. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "stad/social.h"

static int run(cli_env *env, int argc, char **argv)
{
    const char *key_path = NULL, *policy_path = NULL, *report_path = NULL;
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"policy", required_argument, NULL, 'p'},
                                         {"report", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "k:p:r:", opts, NULL)) != -1) {
        if (c == 'k')
            key_path = optarg;
        else if (c == 'p')
            policy_path = optarg;
        else if (c == 'r')
            report_path = optarg;
        else
            return cli_usage_error(&cmd_pseudo, "unknown option");
    }
    if (!key_path || !policy_path || argc - optind != 2)
        return cli_usage_error(&cmd_pseudo, "needs --key, --policy, an input and an output file");
    const char *in = argv[optind], *out = argv[optind + 1];
    stad_pseudo_key *k = NULL;
    stad_pseudo_policy *pol = NULL;
    stad_pseudo_report rep = {0};
    int rc = stad_pseudo_key_load(env->ctx, key_path, &k);
    if (!rc && stad_pseudo_key_role(k) != STAD_KEY_SOURCE)
        rc = stad_fail(env->ctx, STAD_EINVAL, "%s: not a source key; a source holder gets "
                                              "only the public source key", key_path);
    if (!rc)
        rc = stad_pseudo_policy_load(env->ctx, policy_path, &pol);
    if (!rc)
        rc = stad_pseudo_file(env->ctx, k, pol, in, out, &rep);
    if (!rc) {
        stad_strbuf b = STAD_STRBUF_INIT;
        stad_strbuf_printf(&b,
                           "%s: %" PRId64 " rows -> %s (source %s, key version %d)\n"
                           "  persons pseudonymised: %" PRId64 "; BSN missing: %" PRId64
                           "; BSN invalid (eleven test): %" PRId64 "\n"
                           "  households pseudonymised: %" PRId64 "; without a usable "
                           "address: %" PRId64 "\n",
                           in, rep.rows, out, stad_pseudo_policy_source(pol),
                           stad_pseudo_key_version(k), rep.persons, rep.bsn_missing,
                           rep.bsn_invalid, rep.households, rep.household_missing);
        if (rep.n_invalid_lines) {
            stad_strbuf_append(&b, "  lines with an invalid BSN:");
            for (size_t i = 0; i < rep.n_invalid_lines; i++)
                stad_strbuf_printf(&b, " %" PRId64, rep.invalid_lines[i]);
            stad_strbuf_append(&b, rep.bsn_invalid > (int64_t)rep.n_invalid_lines ? " ...\n" : "\n");
        }
        stad_strbuf_printf(&b, "  columns: %s\n", rep.columns ? rep.columns : "");
        fputs(stad_strbuf_str(&b), stdout);
        if (report_path) {
            FILE *f = fopen(report_path, "w");
            if (!f || fputs(stad_strbuf_str(&b), f) < 0)
                rc = stad_fail(env->ctx, STAD_EIO, "%s: cannot write the report", report_path);
            if (f && fclose(f) != 0 && !rc)
                rc = stad_fail(env->ctx, STAD_EIO, "%s: cannot write the report", report_path);
        }
        stad_strbuf_free(&b);
    }
    if (rc)
        cli_error(env, rc);
    stad_pseudo_report_free(&rep);
    stad_pseudo_policy_free(pol);
    stad_pseudo_key_free(k);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_pseudo = {
    "pseudo",
    "pseudonymise a source extract at the source (BSN check, person/household pseudonyms)",
    "usage: stad pseudo --key source-v1.key --policy POLICY IN OUT.csv [--report FILE]\n"
    "\n"
    "The source holder's tool; it needs no server and no secret. Reads the extract IN\n"
    "(csv, xlsx, ods, ...), checks every BSN with the eleven test (missing and invalid\n"
    "BSNs are counted and their line numbers reported, never guessed), replaces each\n"
    "valid BSN by a person ciphertext and the address (postcode + house number +\n"
    "addition, or a BAG id) by a household ciphertext, both encrypted with the public\n"
    "source key, and keeps, coarsens or drops the other columns as the POLICY says.\n"
    "Columns the policy does not name are dropped. Writes OUT.csv; the report (also\n"
    "--report FILE) holds counts, line numbers and column names, never a value.\n"
    "\n"
    "Policy file (INI):\n"
    "  [policy]\n"
    "  source = leerplicht\n"
    "  age_bands = 0,4,12,18          (optional; default 0,4,12,18,27,45,65)\n"
    "  reference_date = 2024-01-01    (age for age bands when there is no period)\n"
    "  [columns]\n"
    "  bsn_leerling = person child    (action, optional output name)\n"
    "  postcode = household-postcode   huisnummer = household-number\n"
    "  toevoeging = household-addition (or: bag_id = household-bag)\n"
    "  geboortedatum = age-band leeftijd\n"
    "  maand = period                 (yyyy-mm; required to import the extract)\n"
    "  naam = drop                    other actions: keep, year, month, pc4\n"
    "\n"
    "The output goes to the transcryptor (stad social transcrypt), never straight to\n"
    "the analysts: see docs/pseudonyms.md.\n",
    run,
};

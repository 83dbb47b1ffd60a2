/* stad social: the social-domain chain after the source: keys, a synthetic
 * population, the transcryptor's step, import into the social store, link rates,
 * analysis and releases under disclosure control. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "stad/social.h"

#define SOCIAL_DB_DEFAULT "social.db"

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int sub_keys(cli_env *env, int argc, char **argv)
{
    const char *dir = ".", *domain = NULL;
    long version = 1;
    static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
                                         {"domain", required_argument, NULL, 'D'},
                                         {"version", required_argument, NULL, 'V'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "d:D:V:", opts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else if (c == 'D')
            domain = optarg;
        else if (c != 'V' || parse_int(optarg, 1, 99999, &version))
            return cli_usage_error(&cmd_social, "keys: --version is 1..99999");
    }
    if (!domain)
        return cli_usage_error(&cmd_social, "keys needs --domain NAME");
    int rc = stad_pseudo_keys_generate(env->ctx, dir, domain, (int)version);
    if (rc)
        return cli_error(env, rc);
    printf("key set version %ld in %s:\n"
           "  source-v%ld.key             public: give it to every source holder\n"
           "  transcryptor-v%ld.key       secret: only for the transcryptor\n"
           "  domain-%s-v%ld.key  secret: only for the analysis domain '%s'\n"
           "The master secret was used once and is written nowhere.\n",
           version, dir, version, version, domain, version, domain);
    return CLI_OK;
}

static int sub_synth(cli_env *env, int argc, char **argv)
{
    stad_synth_opts o;
    stad_synth_defaults(&o);
    static const struct option opts[] = {{"kwb", required_argument, NULL, 'k'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"scale", required_argument, NULL, 's'},
                                         {"seed", required_argument, NULL, 'S'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "k:o:s:S:", opts, NULL)) != -1) {
        char *end;
        if (c == 'k') {
            o.kwb_csv = optarg;
        } else if (c == 'o') {
            o.out_dir = optarg;
        } else if (c == 's') {
            o.scale = strtod(optarg, &end);
            if (end == optarg || *end || !(o.scale > 0) || o.scale > 1)
                return cli_usage_error(&cmd_social, "synth: --scale is in (0, 1]");
        } else if (c == 'S') {
            long v;
            if (parse_int(optarg, 0, 2147483647L, &v))
                return cli_usage_error(&cmd_social, "synth: --seed is a number");
            o.seed = (uint64_t)v;
        } else {
            return cli_usage_error(&cmd_social, "synth: unknown option");
        }
    }
    if (!o.kwb_csv || !o.out_dir)
        return cli_usage_error(&cmd_social, "synth needs --kwb FILE and --out DIR");
    stad_synth_report rep;
    int rc = stad_synth_generate(env->ctx, &o, &rep);
    if (rc)
        return cli_error(env, rc);
    printf("synthetic population: %" PRId64 " households with %" PRId64 " children (%" PRId64
           " on benefits)\n"
           "  %s/leerplicht.csv  %" PRId64 " rows (2024-01..2024-06)\n"
           "  %s/inkomen.csv     %" PRId64 " rows (2023-10..2024-04)\n"
           "  %s/wijkteam.csv    %" PRId64 " rows (2024-01..2024-06)\n"
           "  policies: leerplicht.policy, inkomen.policy, wijkteam.policy\n"
           "planted log odds of success: intercept %.2f, benefit %+.2f, single parent %+.2f,"
           " wijkteam %+.2f, age 12-17 %+.2f;\n  of absence: intercept %.2f, benefit %+.2f\n",
           rep.households, rep.children, rep.benefit_households, o.out_dir, rep.rows[0],
           o.out_dir, rep.rows[1], o.out_dir, rep.rows[2], o.b0, o.b_benefit, o.b_single,
           o.b_wijkteam, o.b_teen, o.a0, o.a_benefit);
    return CLI_OK;
}

static int sub_transcrypt(cli_env *env, int argc, char **argv)
{
    const char *key = NULL, *domain = NULL;
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"domain", required_argument, NULL, 'D'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "k:D:", opts, NULL)) != -1) {
        if (c == 'k')
            key = optarg;
        else if (c == 'D')
            domain = optarg;
        else
            return cli_usage_error(&cmd_social, "transcrypt: unknown option");
    }
    if (!key || !domain || argc - optind != 2)
        return cli_usage_error(&cmd_social, "transcrypt needs --key, --domain, IN and OUT");
    stad_pseudo_key *k = NULL;
    int64_t n = 0;
    int rc = stad_pseudo_key_load(env->ctx, key, &k);
    if (!rc)
        rc = stad_pseudo_transcrypt_file(env->ctx, k, domain, argv[optind], argv[optind + 1], &n);
    stad_pseudo_key_free(k);
    if (rc)
        return cli_error(env, rc);
    printf("%s: %" PRId64 " pseudonyms transcrypted for domain %s -> %s\n", argv[optind], n,
           domain, argv[optind + 1]);
    return CLI_OK;
}

static int sub_import(cli_env *env, int argc, char **argv)
{
    const char *db_path = SOCIAL_DB_DEFAULT, *key = NULL, *source = NULL;
    static const struct option opts[] = {{"db", required_argument, NULL, 'b'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"source", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "b:k:s:", opts, NULL)) != -1) {
        if (c == 'b')
            db_path = optarg;
        else if (c == 'k')
            key = optarg;
        else if (c == 's')
            source = optarg;
        else
            return cli_usage_error(&cmd_social, "import: unknown option");
    }
    if (!key || !source || argc - optind != 1)
        return cli_usage_error(&cmd_social, "import needs --key, --source and a file");
    stad_pseudo_key *k = NULL;
    stad_social_db *db = NULL;
    int64_t rows = 0;
    int rc = stad_pseudo_key_load(env->ctx, key, &k);
    if (!rc)
        rc = stad_social_db_open(env->ctx, db_path, &db);
    if (!rc)
        rc = stad_social_import(db, k, source, argv[optind], &rows);
    stad_social_db_close(db);
    stad_pseudo_key_free(k);
    if (rc)
        return cli_error(env, rc);
    printf("%s: %" PRId64 " rows of source %s imported into %s\n", argv[optind], rows, source,
           db_path);
    return CLI_OK;
}

static int sub_link(cli_env *env, int argc, char **argv)
{
    const char *db_path = SOCIAL_DB_DEFAULT, *base = NULL;
    static const struct option opts[] = {{"db", required_argument, NULL, 'b'},
                                         {"base", required_argument, NULL, 'B'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "b:B:", opts, NULL)) != -1) {
        if (c == 'b')
            db_path = optarg;
        else if (c == 'B')
            base = optarg;
        else
            return cli_usage_error(&cmd_social, "link: unknown option");
    }
    if (!base)
        return cli_usage_error(&cmd_social, "link needs --base SOURCE");
    stad_social_db *db = NULL;
    stad_social_links *l = NULL;
    int rc = stad_social_db_open(env->ctx, db_path, &db);
    if (!rc)
        rc = stad_social_link(db, base, &l);
    if (!rc) {
        printf("rows of %s linked to other sources in the same month\n", base);
        printf("%-12s %-8s %8s %9s %9s %9s %7s\n", "source", "period", "rows", "person",
               "household", "either", "rate");
        for (size_t i = 0; i < l->n; i++) {
            const stad_social_linkrate *it = &l->items[i];
            printf("%-12s %-8s %8" PRId64 " %9" PRId64 " %9" PRId64 " %9" PRId64 " %6.1f%%\n",
                   it->source, it->period, it->rows, it->by_person, it->by_household,
                   it->linked, it->rows ? 100.0 * (double)it->linked / (double)it->rows : 0.0);
        }
    }
    stad_social_links_free(l);
    stad_social_db_close(db);
    return rc ? cli_error(env, rc) : CLI_OK;
}

static void print_rate(const stad_social_cell *c)
{
    if (c->suppressed)
        printf(" %8s %8s %9s %8s  %s\n", "-", "-", "-", "-",
               c->suppressed == STAD_CELL_PRIMARY ? "suppressed (fewer households than the "
                                                    "threshold)"
                                                  : "suppressed (secondary)");
    else
        printf(" %8" PRId64 " %8" PRId64 " %9" PRId64 " %7.1f%%  [%.1f%%, %.1f%%]\n", c->n,
               c->households, c->successes, 100 * c->rate, 100 * c->lo, 100 * c->hi);
}

static void print_result(const stad_social_result *r, const stad_social_query *q)
{
    printf("%s: share of '%s' = '%s', per profile (threshold %d households; 95%% "
           "Wilson intervals)\n",
           q->base, q->outcome, q->success, r->threshold);
    for (size_t k = 0; k < r->n_by; k++)
        printf("%-14s ", r->by[k]);
    printf(" %8s %8s %9s %8s  %s\n", "rows", "househ.", "successes", "rate", "95% interval");
    for (size_t i = 0; i < r->n_cells; i++) {
        const stad_social_cell *c = &r->cells[i];
        if (c->n == 0)
            continue;
        for (size_t k = 0; k < r->n_by; k++)
            printf("%-14s ", c->values[k]);
        print_rate(c);
    }
    for (size_t k = 0; k < r->n_by; k++)
        printf("%-14s ", k ? "" : "(total)");
    if (!r->n_by)
        printf("(total)");
    print_rate(&r->total);
    if (r->n_coefs) {
        printf("\nlogistic regression (log odds of success; 95%% intervals)%s\n",
               r->model_ok ? "" : ": did not converge (a level with all or no successes?)");
        for (size_t i = 0; r->model_ok && i < r->n_coefs; i++) {
            const stad_social_coef *c = &r->coefs[i];
            if (c->suppressed)
                printf("  %-44s suppressed (fewer households than the threshold)\n", c->name);
            else
                printf("  %-44s %+7.3f  [%+.3f, %+.3f]  odds ratio %.2f\n", c->name, c->beta,
                       c->lo, c->hi, exp(c->beta));
        }
    }
    if (r->n_changes) {
        printf("\nper period (change against the period before; 95%% Newcombe interval)\n");
        for (size_t i = 0; i < r->n_changes; i++) {
            const stad_social_change *c = &r->changes[i];
            if (c->suppressed)
                printf("  %s  suppressed\n", c->period);
            else if (!c->previous)
                printf("  %s  %6" PRId64 " rows  %5.1f%%\n", c->period, c->n, 100 * c->rate);
            else
                printf("  %s  %6" PRId64 " rows  %5.1f%%  %+5.1f points [%+.1f, %+.1f]\n",
                       c->period, c->n, 100 * c->rate, 100 * c->diff, 100 * c->lo, 100 * c->hi);
        }
    }
}

static int sub_analyse(cli_env *env, int argc, char **argv, int release)
{
    const char *db_path = SOCIAL_DB_DEFAULT, *name = NULL;
    stad_social_query q = {0};
    char *by_copy = NULL, *outcome_copy = NULL;
    const char **by = NULL, *where[33] = {0};
    size_t nw = 0;
    static const struct option opts[] = {{"db", required_argument, NULL, 'b'},
                                         {"base", required_argument, NULL, 'B'},
                                         {"outcome", required_argument, NULL, 'o'},
                                         {"where", required_argument, NULL, 'w'},
                                         {"by", required_argument, NULL, 'y'},
                                         {"from", required_argument, NULL, 'f'},
                                         {"to", required_argument, NULL, 't'},
                                         {"threshold", required_argument, NULL, 'T'},
                                         {NULL, 0, NULL, 0}};
    int c, bad = 0;
    while (!bad && (c = getopt_long(argc, argv, "b:B:o:w:y:f:t:T:", opts, NULL)) != -1) {
        long v = 0;
        if (c == 'b') {
            db_path = optarg;
        } else if (c == 'B') {
            q.base = optarg;
        } else if (c == 'o') {
            free(outcome_copy);
            outcome_copy = strdup(optarg);
            char *eq = outcome_copy ? strchr(outcome_copy, '=') : NULL;
            if (!eq) {
                bad = cli_usage_error(&cmd_social, "--outcome is COLUMN=SUCCESS-VALUE");
            } else {
                *eq = '\0';
                q.outcome = outcome_copy;
                q.success = eq + 1;
            }
        } else if (c == 'w') {
            if (nw == 32 || !strchr(optarg, '='))
                bad = cli_usage_error(&cmd_social, "--where is COLUMN=VALUE (at most 32)");
            else
                where[nw++] = optarg;
        } else if (c == 'y') {
            free(by_copy);
            free(by);
            by_copy = strdup(optarg);
            by = by_copy ? cli_split_list(by_copy, &q.n_by) : NULL;
        } else if (c == 'f') {
            q.from = optarg;
        } else if (c == 't') {
            q.to = optarg;
        } else if (c == 'T') {
            if (parse_int(optarg, 1, 1000000, &v))
                bad = cli_usage_error(&cmd_social, "--threshold is a number >= 1");
            q.threshold = (int)v;
        } else {
            bad = cli_usage_error(&cmd_social, "unknown option");
        }
    }
    if (!bad && release) {
        if (argc - optind != 1)
            bad = cli_usage_error(&cmd_social, "release needs a NAME");
        else
            name = argv[optind];
    } else if (!bad && argc != optind) {
        bad = cli_usage_error(&cmd_social, "unexpected argument '%s'", argv[optind]);
    }
    if (!bad && (!q.base || !q.outcome))
        bad = cli_usage_error(&cmd_social, "needs --base SOURCE and --outcome COLUMN=VALUE");
    int rc = 0;
    if (!bad) {
        q.by = by;
        q.where = where;
        stad_social_db *db = NULL;
        stad_social_result *r = NULL;
        rc = stad_social_db_open(env->ctx, db_path, &db);
        if (!rc)
            rc = release ? stad_social_release(db, name, &q, &r) : stad_social_analyse(db, &q, &r);
        if (!rc) {
            if (release)
                printf("release '%s' recorded in the ledger of %s\n", name, db_path);
            print_result(r, &q);
        }
        stad_social_result_free(r);
        stad_social_db_close(db);
        if (rc)
            cli_error(env, rc);
    }
    free(by_copy);
    free(by);
    free(outcome_copy);
    return bad ? CLI_USAGE : rc ? CLI_FAIL : CLI_OK;
}

static int run(cli_env *env, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(&cmd_social, "which step?");
    const char *sub = argv[1];
    argc--;
    argv++;
    optind = 1;
    if (!strcmp(sub, "keys"))
        return sub_keys(env, argc, argv);
    if (!strcmp(sub, "synth"))
        return sub_synth(env, argc, argv);
    if (!strcmp(sub, "transcrypt"))
        return sub_transcrypt(env, argc, argv);
    if (!strcmp(sub, "import"))
        return sub_import(env, argc, argv);
    if (!strcmp(sub, "link"))
        return sub_link(env, argc, argv);
    if (!strcmp(sub, "analyse") || !strcmp(sub, "analyze"))
        return sub_analyse(env, argc, argv, 0);
    if (!strcmp(sub, "release"))
        return sub_analyse(env, argc, argv, 1);
    return cli_usage_error(&cmd_social, "unknown step '%s'", sub);
}

const cli_command cmd_social = {
    "social",
    "social domain: keys, synthetic data, transcrypt, import, link, analyse, release",
    "usage: stad social STEP [options]\n"
    "\n"
    "  keys --domain NAME [--dir DIR] [--version N]\n"
    "      make a key set: the public source key, the transcryptor's secret and the\n"
    "      domain's decryption key (docs/pseudonyms.md says who gets which)\n"
    "  synth --kwb KWB.csv --out DIR [--scale 0.05] [--seed N]\n"
    "      synthetic households per buurt from CBS key figures, with planted effects;\n"
    "      writes three source extracts (leerplicht, inkomen, wijkteam) and policies\n"
    "  transcrypt --key transcryptor-v1.key --domain NAME IN OUT\n"
    "      the transcryptor's step on a file made by `stad pseudo`\n"
    "  import [--db social.db] --key domain-NAME-v1.key --source NAME FILE\n"
    "      decrypt the pseudonyms of a transcrypted file into the social store (a\n"
    "      separate file); a newer extract replaces the months it covers\n"
    "  link [--db social.db] --base SOURCE\n"
    "      link rates: rows of SOURCE that find the same person or household in each\n"
    "      other source, per month\n"
    "  analyse [--db social.db] --base SOURCE --outcome COLUMN=VALUE [--where COL=VAL]...\n"
    "          [--by VAR,VAR] [--from yyyy-mm] [--to yyyy-mm] [--threshold 10]\n"
    "      share of rows with COLUMN=VALUE per profile (VAR: a column of SOURCE,\n"
    "      'period', or in_OTHER = linked to source OTHER in the same month), Wilson\n"
    "      intervals, a logistic regression on the VARs and the change per month. Cells\n"
    "      with fewer households than the threshold are suppressed, and a second cell in\n"
    "      the same row or column so that margins do not give them away.\n"
    "  release NAME (options as analyse)\n"
    "      the same table for publication: checked against every earlier release in\n"
    "      the ledger and refused when subtracting would reveal fewer households than\n"
    "      the threshold; recorded when it passes.\n",
    run,
};

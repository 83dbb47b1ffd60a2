/* stad publish: aggregated, suppressed open data with DCAT-AP-DONL metadata. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(cli_env *env, int argc, char **argv)
{
    stad_opendata_opts o;
    stad_opendata_opts_init(&o);
    static const struct option opts[] = {{"base-url", required_argument, NULL, 'u'},
                                         {"publisher", required_argument, NULL, 'p'},
                                         {"authority", required_argument, NULL, 'a'},
                                         {"contact", required_argument, NULL, 'c'},
                                         {"threshold", required_argument, NULL, 't'},
                                         {"strict", no_argument, NULL, 's'},
                                         {"social-db", required_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'u': o.base_url = optarg; break;
        case 'p': o.publisher = optarg; break;
        case 'a': o.authority_uri = optarg; break;
        case 'c': o.contact_email = optarg; break;
        case 's': o.strict = 1; break;
        case 'd': o.social_db = optarg; break;
        case 't': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 2 || v > 1000)
                return cli_usage_error(&cmd_publish, "--threshold wants 2..1000");
            o.threshold = (int)v;
            break;
        }
        default:
            return cli_usage_error(&cmd_publish, "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(&cmd_publish, "say which directory to publish into");
    o.dir = argv[optind];
    size_t n = strlen(o.base_url);
    if (n == 0 || o.base_url[n - 1] != '/')
        return cli_usage_error(&cmd_publish, "--base-url must end in '/'");
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    stad_opendata_report r;
    int rc = stad_opendata_publish(s, &o, &r);
    if (rc) {
        cli_error(env, rc);
    } else if (!env->quiet) {
        printf("published %d datasets into %s: %" PRId64 " events of %" PRId64
               " sources, %" PRId64 " cells: %" PRId64 " published, %" PRId64
               " suppressed (%" PRId64 " threshold, %" PRId64 " secondary, %" PRId64
               " ledger)\n",
               r.datasets, o.dir, r.events, r.sources, r.cells, r.published,
               r.primary + r.secondary + r.ledger, r.primary, r.secondary, r.ledger);
        if (o.social_db)
            printf("social domain: %" PRId64 " records of %" PRId64
                   " sources allowed by the register\n",
                   r.social_records, r.social_sources);
        if (r.release)
            printf("recorded as release %" PRId64 " in the ledger\n", r.release);
        else
            printf("unchanged since the last release\n");
    }
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_publish = {
    "publish",
    "write aggregated, suppressed open data with DCAT-AP-DONL metadata",
    "usage: stad publish [options] DIR\n"
    "\n"
    "Writes per theme (incidents, complaints, enforcement) a CSV and a GeoJSON of the\n"
    "event counts per buurt and wijk x month x kind, catalog.ttl and catalog.jsonld\n"
    "(DCAT-AP-DONL) and index.html into DIR. With --social-db, also per social source\n"
    "the households per buurt and wijk x month. Only sources that are approved and list\n"
    "the role `public` in the register are included. Cells under the threshold, cells\n"
    "that would reveal them, and cells whose figure differs from an earlier release by\n"
    "less than the threshold are written as suppressed. docs/opendata.md explains it.\n"
    "\n"
    "  --base-url URL    where DIR is served (default http://127.0.0.1:8080/opendata/)\n"
    "  --publisher NAME  organisation (default \"Gemeente <city>\")\n"
    "  --authority URI   overheid:authority (default the OWMS term of the city)\n"
    "  --contact EMAIL   contact point\n"
    "  --threshold N     minimum events per published cell (default 10)\n"
    "  --strict          refuse the whole publication on a ledger conflict\n"
    "  --social-db FILE  the social store (stad social import): add its sources the\n"
    "                    register allows, under its release ledger\n",
    run,
};

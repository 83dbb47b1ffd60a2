/* stad audit: read the audit log. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "cli_table.h"

static int add_row(void *user, const stad_audit_row *r)
{
    char id[24], when[32] = "", rows[24] = "";
    snprintf(id, sizeof id, "%" PRId64, r->id);
    time_t tt = (time_t)r->t;
    struct tm tm;
    if (gmtime_r(&tt, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (r->rows >= 0)
        snprintf(rows, sizeof rows, "%" PRId64, r->rows);
    const char *cells[] = {id, when, r->actor, r->interface, r->action, r->route,
                           r->query, r->sources, r->rows >= 0 ? rows : NULL, r->outcome};
    return cli_table_add(user, cells) ? STAD_ENOMEM : 0;
}

static int run(cli_env *env, int argc, char **argv)
{
    stad_audit_filter f = {0};
    int fmt = FMT_TABLE;
    enum { O_SINCE = 256, O_USER, O_ACTION, O_LIMIT, O_FMT };
    static const struct option opts[] = {{"since", required_argument, NULL, O_SINCE},
                                         {"user", required_argument, NULL, O_USER},
                                         {"action", required_argument, NULL, O_ACTION},
                                         {"limit", required_argument, NULL, O_LIMIT},
                                         {"format", required_argument, NULL, O_FMT},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case O_SINCE:
            if (cli_parse_time(optarg, &f.since, 0))
                return cli_usage_error(&cmd_audit, "--since must be a date");
            break;
        case O_USER: f.actor = optarg; break;
        case O_ACTION: f.action = optarg; break;
        case O_LIMIT:
            errno = 0;
            f.limit = strtoll(optarg, &end, 10);
            if (!*optarg || *end || errno || f.limit < 1 || f.limit > 10000000)
                return cli_usage_error(&cmd_audit, "--limit must be 1..10000000");
            break;
        case O_FMT:
            if ((fmt = cli_format_parse(optarg, 0)) < 0)
                return cli_usage_error(&cmd_audit, "unknown format");
            break;
        default:
            return cli_usage_error(&cmd_audit, "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error(&cmd_audit, "unexpected argument '%s'", argv[optind]);
    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    static const char *names[] = {"id", "time_utc", "actor", "interface", "action",
                                  "route", "query", "sources", "rows", "outcome"};
    static const int numeric[] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    cli_table *t = cli_table_new(10, names, numeric);
    int rc = t ? stad_privacy_audit_each(s, &f, add_row, t) : STAD_ENOMEM;
    if (!rc) {
        /* Reading the log is itself logged, after the read so it does not list itself. */
        stad_principal me;
        stad_privacy_cli_principal(&me);
        stad_audit_row a = {.t = (int64_t)time(NULL), .actor = me.name, .interface = "cli",
                            .action = "audit.read", .route = "audit", .query = "",
                            .sources = "", .rows = (int64_t)cli_table_rows(t), .outcome = "ok"};
        rc = stad_privacy_audit(s, &a);
    }
    if (rc)
        cli_error(env, rc);
    else
        cli_table_print(t, fmt, stdout);
    cli_table_free(t);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_audit = {
    "audit",
    "read the audit log (who read or changed what, when, how)",
    "usage: stad audit [--since DATE] [--user NAME] [--action A] [--limit N]\n"
    "                  [--format table|csv|json]\n"
    "\n"
    "Lists the audit log, newest first (1000 rows unless --limit): every data read\n"
    "through the dashboard (http) or the command line (cli) with the route or\n"
    "command, the filter parameters, the sources in the reader's scope and the rows\n"
    "returned; logins and failed logins; register, account and retention changes.\n"
    "--action matches a prefix: `--action login` also lists login.failed. Times are\n"
    "UTC. The log is append-only: the store refuses to change or delete its rows.\n",
    run,
};

/* stad source: the source register (show, set, approve). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_table.h"

typedef struct show_ctx {
    const char *only; /* NULL = all */
    cli_table *t;
    int found;
} show_ctx;

static int add_row(void *user, const stad_source_row *r)
{
    show_ctx *sc = user;
    if (sc->only && strcmp(sc->only, r->name) != 0)
        return 0;
    sc->found = 1;
    char id[24], retention[24], events[24], approved[40] = "";
    snprintf(id, sizeof id, "%" PRId64, r->id);
    snprintf(retention, sizeof retention, "%d", r->retention_days);
    snprintf(events, sizeof events, "%" PRId64, r->n_events);
    if (r->approved_at) {
        time_t tt = (time_t)r->approved_at;
        struct tm tm;
        if (gmtime_r(&tt, &tm))
            strftime(approved, sizeof approved, "%Y-%m-%d %H:%M", &tm);
    }
    const char *cells[] = {id, r->name, r->status, r->holder, r->purpose, r->legal_basis,
                           r->retention_days ? retention : "", r->sensitivity, r->roles,
                           r->approved_by, approved, events};
    return cli_table_add(sc->t, cells) ? STAD_ENOMEM : 0;
}

static int parse_days(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > 36525)
        return -1;
    *out = (int)v;
    return 0;
}

static int run(cli_env *env, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(&cmd_source, "say what to do: show, set, approve");
    const char *verb = argv[1];
    stad_source_update u;
    stad_source_update_init(&u);
    int fmt = FMT_TABLE, revoke = 0, any = 0;
    enum { O_HOLDER = 256, O_PURPOSE, O_BASIS, O_RET, O_SENS, O_ROLES, O_FMT, O_REVOKE };
    static const struct option opts[] = {
        {"holder", required_argument, NULL, O_HOLDER},
        {"purpose", required_argument, NULL, O_PURPOSE},
        {"legal-basis", required_argument, NULL, O_BASIS},
        {"retention-days", required_argument, NULL, O_RET},
        {"sensitivity", required_argument, NULL, O_SENS},
        {"roles", required_argument, NULL, O_ROLES},
        {"format", required_argument, NULL, O_FMT},
        {"revoke", no_argument, NULL, O_REVOKE},
        {NULL, 0, NULL, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        any |= c >= O_HOLDER && c <= O_ROLES;
        switch (c) {
        case O_HOLDER: u.holder = optarg; break;
        case O_PURPOSE: u.purpose = optarg; break;
        case O_BASIS: u.legal_basis = optarg; break;
        case O_SENS: u.sensitivity = optarg; break;
        case O_ROLES: u.roles = optarg; break;
        case O_RET:
            if (parse_days(optarg, &u.retention_days))
                return cli_usage_error(&cmd_source, "--retention-days must be 0..36525");
            break;
        case O_FMT:
            if ((fmt = cli_format_parse(optarg, 0)) < 0)
                return cli_usage_error(&cmd_source, "unknown format");
            break;
        case O_REVOKE: revoke = 1; break;
        default: return cli_usage_error(&cmd_source, "unknown option");
        }
    }
    int show = strcmp(verb, "show") == 0, set = strcmp(verb, "set") == 0,
        approve = strcmp(verb, "approve") == 0;
    if (!show && !set && !approve)
        return cli_usage_error(&cmd_source, "unknown action '%s'", verb);
    if (show ? optind + 1 < argc : optind + 1 != argc)
        return cli_usage_error(&cmd_source, "give %s source name", show ? "at most one" : "one");
    if (set && !any)
        return cli_usage_error(&cmd_source, "set needs at least one field to set");
    const char *name = optind < argc ? argv[optind] : NULL;

    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    stad_principal me;
    stad_privacy_cli_principal(&me);
    int rc;
    if (show) {
        static const char *names[] = {"id", "name", "status", "holder", "purpose",
                                      "legal_basis", "retention_days", "sensitivity",
                                      "roles", "approved_by", "approved_utc", "events"};
        static const int numeric[] = {1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
        show_ctx sc = {name, cli_table_new(12, names, numeric), 0};
        rc = sc.t ? stad_store_sources_each(s, add_row, &sc) : STAD_ENOMEM;
        if (!rc && name && !sc.found)
            rc = stad_fail(env->ctx, STAD_ENOTFOUND, "no source named %s", name);
        if (!rc) {
            stad_audit_row a = {.t = (int64_t)time(NULL), .actor = me.name, .interface = "cli",
                                .action = "register.read", .route = "source show",
                                .query = "", .sources = "all",
                                .rows = (int64_t)cli_table_rows(sc.t), .outcome = "ok"};
            rc = stad_privacy_audit(s, &a);
        }
        if (!rc)
            cli_table_print(sc.t, fmt, stdout);
        cli_table_free(sc.t);
    } else if (set) {
        rc = stad_privacy_source_set(s, me.name, "cli", name, &u);
        if (!rc && !env->quiet)
            printf("register: %s updated\n", name);
    } else {
        rc = stad_privacy_source_approve(s, me.name, "cli", name, !revoke);
        if (!rc && !env->quiet)
            printf("register: %s %s\n", name, revoke ? "back to pending" : "approved");
    }
    if (rc)
        cli_error(env, rc);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_source = {
    "source",
    "the source register: show, set and approve sources",
    "usage: stad source show [NAME] [--format table|csv|json]\n"
    "       stad source set NAME [--holder H] [--purpose P] [--legal-basis B]\n"
    "                            [--retention-days N] [--sensitivity S] [--roles R1,R2]\n"
    "       stad source approve NAME [--revoke]\n"
    "\n"
    "Every source (created by its first `stad ingest`) is pending until it is\n"
    "approved; the dashboard shows a pending source to no one but the privacy officer\n"
    "and the administrator. Approval needs holder, purpose (doelbinding), legal\n"
    "basis, retention and the roles that may read the source. Changing the purpose\n"
    "or the roles of an approved source sends it back to pending.\n"
    "\n"
    "`stad retention run` deletes events older than their source's retention.\n"
    "Every change is written to the audit log.\n",
    run,
};

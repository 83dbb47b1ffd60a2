/* stad user: accounts for the dashboard (add, list, passwd, lock, roles). */
#include <getopt.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_password.h"
#include "cli_table.h"

static void utc_date(int64_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || !gmtime_r(&tt, &tm)) {
        snprintf(buf, size, "-");
        return;
    }
    strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
}

static int add_row(void *user, const stad_account_row *r)
{
    char failures[16], created[32];
    snprintf(failures, sizeof failures, "%d", r->failures);
    utc_date(r->created, created, sizeof created);
    const char *cells[] = {r->name, r->roles, r->locked ? "locked" : "active", failures,
                           created};
    return cli_table_add(user, cells) ? STAD_ENOMEM : 0;
}

static int do_list(cli_env *env, stad_store *s, int fmt)
{
    static const char *names[] = {"name", "roles", "status", "failures", "created_utc"};
    static const int numeric[] = {0, 0, 0, 1, 0};
    cli_table *t = cli_table_new(5, names, numeric);
    int rc = t ? stad_privacy_users_each(s, add_row, t) : STAD_ENOMEM;
    if (rc)
        cli_error(env, rc);
    else
        cli_table_print(t, fmt, stdout);
    cli_table_free(t);
    return rc ? CLI_FAIL : CLI_OK;
}

static int run(cli_env *env, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(&cmd_user, "say what to do: add, list, passwd, lock, roles");
    const char *verb = argv[1];
    const char *roles = NULL;
    int fmt = FMT_TABLE, unlock = 0;
    enum { OPT_ROLE = 256, OPT_FORMAT, OPT_UNLOCK };
    static const struct option opts[] = {{"role", required_argument, NULL, OPT_ROLE},
                                         {"roles", required_argument, NULL, OPT_ROLE},
                                         {"format", required_argument, NULL, OPT_FORMAT},
                                         {"unlock", no_argument, NULL, OPT_UNLOCK},
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == OPT_ROLE)
            roles = optarg;
        else if (c == OPT_FORMAT && (fmt = cli_format_parse(optarg, 0)) >= 0)
            ;
        else if (c == OPT_UNLOCK)
            unlock = 1;
        else
            return cli_usage_error(&cmd_user, "unknown option or format");
    }
    int is_list = strcmp(verb, "list") == 0;
    if (!is_list && strcmp(verb, "add") && strcmp(verb, "passwd") && strcmp(verb, "lock") &&
        strcmp(verb, "roles"))
        return cli_usage_error(&cmd_user, "unknown action '%s'", verb);
    if (is_list ? optind != argc : optind + 1 != argc)
        return cli_usage_error(&cmd_user, is_list ? "list takes no account name"
                                                  : "give exactly one account name");
    if ((!strcmp(verb, "add") || !strcmp(verb, "roles")) && !roles)
        return cli_usage_error(&cmd_user, "%s needs --role ROLE[,ROLE...]", verb);
    const char *name = is_list ? NULL : argv[optind];

    stad_store *s = cli_open_store(env);
    if (!s)
        return CLI_FAIL;
    stad_principal me;
    stad_privacy_cli_principal(&me);
    int rc = 0;
    if (is_list) {
        int ret = do_list(env, s, fmt);
        stad_store_close(s);
        return ret;
    }
    if (!strcmp(verb, "add") || !strcmp(verb, "passwd")) {
        char pw[STAD_PASSWORD_MAX + 2];
        if (cli_read_password("password", 1, pw, sizeof pw)) {
            stad_store_close(s);
            return CLI_FAIL;
        }
        rc = !strcmp(verb, "add") ? stad_privacy_user_add(s, me.name, "cli", name, roles, pw)
                                  : stad_privacy_user_passwd(s, me.name, "cli", name, pw);
        sodium_memzero(pw, sizeof pw);
        if (!rc && !env->quiet)
            printf("%s %s\n", !strcmp(verb, "add") ? "added account" : "new password for", name);
    } else if (!strcmp(verb, "lock")) {
        rc = stad_privacy_user_lock(s, me.name, "cli", name, !unlock);
        if (!rc && !env->quiet)
            printf("%s %s%s\n", unlock ? "unlocked" : "locked", name,
                   unlock ? "" : " (its sessions ended)");
    } else {
        rc = stad_privacy_user_set_roles(s, me.name, "cli", name, roles);
        if (!rc && !env->quiet)
            printf("roles of %s: %s\n", name, roles);
    }
    if (rc)
        cli_error(env, rc);
    stad_store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

const cli_command cmd_user = {
    "user",
    "accounts for the dashboard: add, list, passwd, lock, roles",
    "usage: stad user add NAME --role ROLE[,ROLE...]\n"
    "       stad user list [--format table|csv|json]\n"
    "       stad user passwd NAME\n"
    "       stad user lock NAME [--unlock]\n"
    "       stad user roles NAME --role ROLE[,ROLE...]\n"
    "\n"
    "Accounts log in to `stad serve`. The password is asked on the terminal without\n"
    "echo (twice), or read as one line from stdin when stdin is not a terminal; it\n"
    "is never taken from the command line. At least 10 characters; it is kept as an\n"
    "argon2id hash. A new password or a lock ends the account's sessions.\n"
    "\n"
    "Roles: admin, privacy_officer, safety_analyst, enforcement, enforcer,\n"
    "social_policy, source_holder, public (see docs/privacy.md for what each sees).\n"
    "\n"
    "The command line acts as the local user who can open the store file; every\n"
    "change is written to the audit log as cli:<user>.\n",
    run,
};

/* Roles and what each may do. Reading source data is decided per source by the
 * scope (privacy_scope.c); this table covers everything else. Roles other than the
 * defaults (added to the role table) read data like the analysts, within their scope. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privacy/privacy_internal.h"

int stad_privacy_has_role(const char *roles, const char *role)
{
    if (!roles || !role || !*role)
        return 0;
    size_t n = strlen(role);
    for (const char *p = roles; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t k = strcspn(p, ", ");
        if (k == n && memcmp(p, role, n) == 0)
            return 1;
        p += k;
    }
    return 0;
}

int stad_privacy_roles_check(stad_store *s, const char *roles)
{
    stad_ctx *ctx = stad_store_ctx(s);
    if (!roles || strlen(roles) >= STAD_ROLES_MAX)
        return stad_fail(ctx, STAD_EINVAL, "roles: a comma-separated list is required");
    sqlite3_stmt *st;
    int rc = priv_prepare(s, "SELECT 1 FROM role WHERE name = ?", &st, "checking roles");
    if (rc)
        return rc;
    int any = 0;
    for (const char *p = roles; *p && !rc;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t k = strcspn(p, ", ");
        if (!k)
            break;
        any = 1;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, p, (int)k, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            rc = stad_fail(ctx, STAD_EINVAL, "roles: unknown role '%.*s'", (int)k, p);
        else if (step != SQLITE_ROW)
            rc = priv_fail_sql(s, "checking roles");
        p += k;
    }
    sqlite3_finalize(st);
    if (!rc && !any)
        rc = stad_fail(ctx, STAD_EINVAL, "roles: at least one role is required");
    return rc;
}

static const char *const action_names[] = {
    [STAD_MAY_READ_DATA] = "read_data",         [STAD_MAY_READ_AREAS] = "read_areas",
    [STAD_MAY_READ_REGISTER] = "read_register", [STAD_MAY_WRITE_REGISTER] = "write_register",
    [STAD_MAY_READ_AUDIT] = "read_audit",       [STAD_MAY_MANAGE_USERS] = "manage_users",
    [STAD_MAY_PLAN_CAMPAIGN] = "plan_campaign", [STAD_MAY_WORK_CAMPAIGN] = "work_campaign",
    [STAD_MAY_READ_SOCIAL] = "read_social",     [STAD_MAY_READ_SOCIAL_OWN] = "read_social_own",
};

const char *stad_privacy_action_name(stad_privacy_action a)
{
    return (unsigned)a < sizeof action_names / sizeof action_names[0] && action_names[a]
               ? action_names[a]
               : "?";
}

int stad_privacy_may(const stad_principal *p, stad_privacy_action a)
{
    if (!p || !p->roles[0])
        return 0;
    int admin = stad_privacy_has_role(p->roles, "admin");
    int officer = stad_privacy_has_role(p->roles, "privacy_officer");
    switch (a) {
    case STAD_MAY_READ_AREAS:
        return 1; /* any account: wijk and buurt polygons are open data */
    case STAD_MAY_READ_DATA: {
        /* public alone reads open data only; any other role reads within its scope */
        for (const char *q = p->roles; *q;) {
            while (*q == ' ' || *q == ',')
                q++;
            size_t k = strcspn(q, ", ");
            if (k && !(k == 6 && memcmp(q, "public", 6) == 0))
                return 1;
            q += k;
        }
        return 0;
    }
    case STAD_MAY_READ_REGISTER:
    case STAD_MAY_WRITE_REGISTER:
    case STAD_MAY_READ_AUDIT:
        return admin || officer;
    case STAD_MAY_MANAGE_USERS:
        return admin;
    case STAD_MAY_PLAN_CAMPAIGN:
        /* the enforcement coordinator plans; enforcers see their own route only */
        return admin || stad_privacy_has_role(p->roles, "enforcement");
    case STAD_MAY_WORK_CAMPAIGN:
        return admin || stad_privacy_has_role(p->roles, "enforcement") ||
               stad_privacy_has_role(p->roles, "enforcer");
    case STAD_MAY_READ_SOCIAL:
        /* Social-domain figures only for the role made for them, not for admin: an
         * administrator who needs them gives himself the role, which is audited. */
        return stad_privacy_has_role(p->roles, "social_policy");
    case STAD_MAY_READ_SOCIAL_OWN:
        return stad_privacy_has_role(p->roles, "source_holder");
    }
    return 0;
}

void stad_privacy_cli_principal(stad_principal *p)
{
    memset(p, 0, sizeof *p);
    const struct passwd *pw = getpwuid(getuid());
    char who[STAD_NAME_MAX];
    snprintf(who, sizeof who, "%s", pw && pw->pw_name ? pw->pw_name : "uid");
    if (!pw)
        snprintf(who, sizeof who, "uid%u", (unsigned)getuid());
    snprintf(p->name, sizeof p->name, "cli:%s", who);
    /* Whoever can open the file can read it with any SQLite tool: the CLI does not
     * pretend otherwise, it acts with every role and records what it reads. */
    snprintf(p->roles, sizeof p->roles, "admin,privacy_officer");
}

/* The source register: holder, purpose (doelbinding), legal basis, retention,
 * sensitivity and the roles that may read each source; approval by a privacy officer. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "privacy/privacy_internal.h"

void stad_source_update_init(stad_source_update *u)
{
    memset(u, 0, sizeof *u);
    u->retention_days = -1;
}

static int set_text(stad_store *s, int64_t id, const char *col, const char *v)
{
    char sql[96];
    snprintf(sql, sizeof sql, "UPDATE source SET %s = ? WHERE id = ?", col);
    sqlite3_stmt *st;
    int rc = priv_prepare(s, sql, &st, "updating the register");
    if (rc)
        return rc;
    if (v && *v)
        sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, id);
    return priv_step_done(s, st, "updating the register");
}

/* Current status and whether roles/purpose differ from the new values. */
static int read_source(stad_store *s, int64_t id, char *status, size_t n, char *roles,
                       size_t rn, char *purpose, size_t pn)
{
    sqlite3_stmt *st;
    int rc = priv_prepare(s, "SELECT status, roles, purpose FROM source WHERE id = ?", &st,
                          "reading the register");
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(status, n, "%s", priv_col_text(st, 0));
        snprintf(roles, rn, "%s", priv_col_text(st, 1));
        snprintf(purpose, pn, "%s", priv_col_text(st, 2));
    } else {
        rc = priv_fail_sql(s, "reading the register");
    }
    sqlite3_finalize(st);
    return rc;
}

static int source_id(stad_store *s, const char *name, int64_t *id)
{
    sqlite3_stmt *st;
    int rc = priv_prepare(s, "SELECT id FROM source WHERE name = ?", &st, "finding source");
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else if (step == SQLITE_DONE)
        rc = stad_fail(stad_store_ctx(s), STAD_ENOTFOUND, "no source named %s", name);
    else
        rc = priv_fail_sql(s, "finding source");
    sqlite3_finalize(st);
    return rc;
}

int stad_privacy_source_set(stad_store *s, const char *actor, const char *interface,
                            const char *name, const stad_source_update *u)
{
    stad_ctx *ctx = stad_store_ctx(s);
    if (u->roles && *u->roles) {
        int rc = stad_privacy_roles_check(s, u->roles);
        if (rc)
            return rc;
    }
    if (u->retention_days < -1 || u->retention_days > 36525)
        return stad_fail(ctx, STAD_EINVAL, "retention: 0..36525 days");
    int64_t id;
    /* stad_store_source_ensure runs its own statements; then the changes in one go. */
    int rc = stad_store_source_ensure(s, name, &id);
    if (rc)
        return rc;
    if ((rc = stad_store_begin(s)))
        return rc;
    char status[32] = "", roles[STAD_ROLES_MAX] = "", purpose[1024] = "";
    rc = read_source(s, id, status, sizeof status, roles, sizeof roles, purpose,
                     sizeof purpose);
    int back_to_pending = 0;
    if (!rc && strcmp(status, "approved") == 0 &&
        ((u->roles && strcmp(u->roles, roles) != 0) ||
         (u->purpose && strcmp(u->purpose, purpose) != 0)))
        back_to_pending = 1;
    char what[160] = "";
    size_t used = 0;
#define FIELD(col, v)                                                                   \
    if (!rc && (v)) {                                                                   \
        rc = set_text(s, id, col, v);                                                   \
        int k_ = snprintf(what + used, sizeof what - used, "%s%s", used ? "," : "", col); \
        if (k_ > 0 && (size_t)k_ < sizeof what - used)                                  \
            used += (size_t)k_;                                                         \
    }
    FIELD("holder", u->holder)
    FIELD("purpose", u->purpose)
    FIELD("legal_basis", u->legal_basis)
    FIELD("sensitivity", u->sensitivity)
    FIELD("roles", u->roles)
#undef FIELD
    if (!rc && u->retention_days >= 0) {
        sqlite3_stmt *st;
        rc = priv_prepare(s, "UPDATE source SET retention_days = ? WHERE id = ?", &st,
                          "updating the register");
        if (!rc) {
            if (u->retention_days)
                sqlite3_bind_int(st, 1, u->retention_days);
            else
                sqlite3_bind_null(st, 1);
            sqlite3_bind_int64(st, 2, id);
            rc = priv_step_done(s, st, "updating the register");
        }
        int k = snprintf(what + used, sizeof what - used, "%sretention_days", used ? "," : "");
        if (k > 0 && (size_t)k < sizeof what - used)
            used += (size_t)k;
    }
    if (!rc && back_to_pending)
        rc = set_text(s, id, "status", "pending");
    if (!rc) {
        char q[256];
        snprintf(q, sizeof q, "source=%lld&fields=%s%s", (long long)id, what,
                 back_to_pending ? "&status=pending" : "");
        rc = priv_audit(s, actor, interface, "register.set", "", q, -1, "ok");
    }
    if (!rc)
        rc = stad_store_bump_data_version(s); /* who sees what may have changed */
    if (!rc)
        rc = stad_store_commit(s);
    if (rc)
        stad_store_rollback(s);
    return rc;
}

int stad_privacy_source_approve(stad_store *s, const char *actor, const char *interface,
                                const char *name, int approve)
{
    stad_ctx *ctx = stad_store_ctx(s);
    int64_t id = 0;
    int rc = stad_store_begin(s);
    if (rc)
        return rc;
    rc = source_id(s, name, &id);
    sqlite3_stmt *st;
    if (!rc && approve) {
        rc = priv_prepare(s,
                          "SELECT coalesce(holder,''), coalesce(purpose,''), "
                          "coalesce(legal_basis,''), coalesce(retention_days,0), "
                          "coalesce(roles,'') FROM source WHERE id = ?",
                          &st, "reading the register");
        if (!rc) {
            sqlite3_bind_int64(st, 1, id);
            if (sqlite3_step(st) == SQLITE_ROW) {
                static const char *const names[] = {"holder", "purpose", "legal basis",
                                                    "retention", "roles"};
                for (int i = 0; i < 5 && !rc; i++) {
                    int missing = i == 3 ? sqlite3_column_int(st, i) <= 0
                                         : !*priv_col_text(st, i);
                    if (missing)
                        rc = stad_fail(ctx, STAD_EINVAL,
                                       "source %s cannot be approved: %s is not set "
                                       "(stad source set)",
                                       name, names[i]);
                }
            } else {
                rc = priv_fail_sql(s, "reading the register");
            }
            sqlite3_finalize(st);
        }
    }
    if (!rc) {
        rc = priv_prepare(s,
                          approve ? "UPDATE source SET status = 'approved', approved_by = ?, "
                                    "approved_at = ? WHERE id = ?"
                                  : "UPDATE source SET status = 'pending', approved_by = ?, "
                                    "approved_at = ? WHERE id = ?",
                          &st, "approving a source");
        if (!rc) {
            if (approve) {
                sqlite3_bind_text(st, 1, actor, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
            }
            sqlite3_bind_int64(st, 3, id);
            rc = priv_step_done(s, st, "approving a source");
        }
    }
    if (!rc) {
        char q[64];
        snprintf(q, sizeof q, "source=%lld", (long long)id);
        rc = priv_audit(s, actor, interface, approve ? "register.approve" : "register.revoke",
                        "", q, -1, "ok");
    }
    if (!rc)
        rc = stad_store_bump_data_version(s);
    if (!rc)
        rc = stad_store_commit(s);
    if (rc)
        stad_store_rollback(s);
    return rc;
}

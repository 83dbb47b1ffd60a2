/* Accounts: argon2id password hashes (libsodium crypto_pwhash_str), roles, locks. */
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "privacy/privacy_internal.h"

static int check_password(stad_ctx *ctx, const char *pw)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n < STAD_PASSWORD_MIN)
        return stad_fail(ctx, STAD_EINVAL, "password: at least %d characters",
                         STAD_PASSWORD_MIN);
    if (n > STAD_PASSWORD_MAX)
        return stad_fail(ctx, STAD_EINVAL, "password: at most %d characters",
                         STAD_PASSWORD_MAX);
    return 0;
}

static int hash_password(stad_ctx *ctx, const char *pw, char out[crypto_pwhash_STRBYTES])
{
    if (sodium_init() < 0)
        return stad_fail(ctx, STAD_ENOMEM, "libsodium cannot be initialised");
    /* INTERACTIVE limits (64 MiB, 2 passes): the libsodium advice for online logins. */
    if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return stad_fail(ctx, STAD_ENOMEM, "password hashing ran out of memory");
    return 0;
}

static int check_name(stad_ctx *ctx, const char *name)
{
    if (!priv_name_ok(name))
        return stad_fail(ctx, STAD_EINVAL,
                         "account name: 1..%d of a-z, 0-9, '.', '_', '-' (not starting "
                         "with '.' or '-')",
                         STAD_NAME_MAX - 1);
    return 0;
}

int stad_privacy_user_add(stad_store *s, const char *actor, const char *interface,
                          const char *name, const char *roles, const char *password)
{
    stad_ctx *ctx = stad_store_ctx(s);
    char hash[crypto_pwhash_STRBYTES];
    int rc = check_name(ctx, name);
    if (!rc)
        rc = check_password(ctx, password);
    if (!rc)
        rc = stad_privacy_roles_check(s, roles);
    if (!rc)
        rc = hash_password(ctx, password, hash);
    if (rc)
        return rc;
    if ((rc = stad_store_begin(s)))
        return rc;
    sqlite3_stmt *st;
    rc = priv_prepare(s,
                      "INSERT INTO account(name, pwhash, roles, created, pw_changed) "
                      "VALUES(?, ?, ?, ?, ?)",
                      &st, "adding account");
    if (!rc) {
        int64_t now = (int64_t)time(NULL);
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, roles, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now);
        sqlite3_bind_int64(st, 5, now);
        int step = sqlite3_step(st);
        if ((step & 0xff) == SQLITE_CONSTRAINT)
            rc = stad_fail(ctx, STAD_EINVAL, "account %s exists already", name);
        else if (step != SQLITE_DONE)
            rc = priv_fail_sql(s, "adding account");
        sqlite3_finalize(st);
    }
    if (!rc)
        rc = priv_audit(s, actor, interface, "user.add", "", "", -1, "ok");
    if (!rc)
        rc = stad_store_commit(s);
    if (rc)
        stad_store_rollback(s);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* Runs an UPDATE with parameters ?1 = text1 (when given), ?2 = now, ?3 = the account
 * name (numbered, so a statement may leave some out); STAD_ENOTFOUND when there is
 * no such account. Audits `action` in the same transaction. */
static int update_account(stad_store *s, const char *actor, const char *interface,
                          const char *action, const char *sql, const char *text1,
                          const char *name, int also_end_sessions)
{
    stad_ctx *ctx = stad_store_ctx(s);
    int rc = stad_store_begin(s);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    rc = priv_prepare(s, sql, &st, "changing account");
    if (!rc) {
        if (text1)
            sqlite3_bind_text(st, 1, text1, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
        sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
        rc = priv_step_done(s, st, "changing account");
    }
    if (!rc && sqlite3_changes(stad_store_db(s)) == 0)
        rc = stad_fail(ctx, STAD_ENOTFOUND, "no account named %s", name);
    if (!rc && also_end_sessions &&
        (rc = priv_prepare(s,
                           "DELETE FROM session WHERE account_id = "
                           "(SELECT id FROM account WHERE name = ?)",
                           &st, "ending sessions")) == 0) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        rc = priv_step_done(s, st, "ending sessions");
    }
    if (!rc)
        rc = priv_audit(s, actor, interface, action, "", "", -1, "ok");
    if (!rc)
        rc = stad_store_commit(s);
    if (rc)
        stad_store_rollback(s);
    return rc;
}

int stad_privacy_user_passwd(stad_store *s, const char *actor, const char *interface,
                             const char *name, const char *password)
{
    stad_ctx *ctx = stad_store_ctx(s);
    char hash[crypto_pwhash_STRBYTES];
    int rc = check_password(ctx, password);
    if (!rc)
        rc = hash_password(ctx, password, hash);
    if (rc)
        return rc;
    /* A new password ends the sessions opened with the old one. */
    rc = update_account(s, actor, interface, "user.passwd",
                        "UPDATE account SET pwhash = ?1, pw_changed = ?2, failures = 0 "
                        "WHERE name = ?3",
                        hash, name, 1);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int stad_privacy_user_lock(stad_store *s, const char *actor, const char *interface,
                           const char *name, int locked)
{
    return locked ? update_account(s, actor, interface, "user.lock",
                                   "UPDATE account SET locked = 1 WHERE name = ?3",
                                   NULL, name, 1)
                  : update_account(s, actor, interface, "user.unlock",
                                   "UPDATE account SET locked = 0, failures = 0 "
                                   "WHERE name = ?3",
                                   NULL, name, 0);
}

int stad_privacy_user_set_roles(stad_store *s, const char *actor, const char *interface,
                                const char *name, const char *roles)
{
    int rc = stad_privacy_roles_check(s, roles);
    if (rc)
        return rc;
    return update_account(s, actor, interface, "user.roles",
                          "UPDATE account SET roles = ?1 WHERE name = ?3",
                          roles, name, 0);
}

int stad_privacy_users_each(stad_store *s, int (*cb)(void *, const stad_account_row *),
                            void *user)
{
    sqlite3_stmt *st;
    int rc = priv_prepare(s,
                          "SELECT id, name, roles, locked, failures, last_failure, created, "
                          "pw_changed FROM account ORDER BY name",
                          &st, "listing accounts");
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        stad_account_row r = {.id = sqlite3_column_int64(st, 0),
                              .name = priv_col_text(st, 1),
                              .roles = priv_col_text(st, 2),
                              .locked = sqlite3_column_int(st, 3),
                              .failures = sqlite3_column_int(st, 4),
                              .last_failure = sqlite3_column_int64(st, 5),
                              .created = sqlite3_column_int64(st, 6),
                              .pw_changed = sqlite3_column_int64(st, 7)};
        if ((rc = cb(user, &r)))
            break;
    }
    if (!rc && step != SQLITE_DONE)
        rc = priv_fail_sql(s, "listing accounts");
    sqlite3_finalize(st);
    return rc;
}

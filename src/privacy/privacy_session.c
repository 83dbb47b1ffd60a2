/* Logins and sessions. A session token is 32 random bytes (libsodium) shown to the
 * client once, as hex; the store keeps only its BLAKE2b hash. Failed logins back off
 * exponentially per account; the server adds a back-off per client address. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "privacy/privacy_internal.h"

void stad_session_policy_init(stad_session_policy *p)
{
    p->idle_seconds = 30 * 60;
    p->absolute_seconds = 12 * 3600;
    p->free_failures = 3;
    p->backoff_max = 900;
    p->lock_after = 0;
}

int64_t stad_privacy_backoff(const stad_session_policy *pol, int failures,
                             int64_t last_failure, int64_t now)
{
    if (failures < pol->free_failures)
        return 0;
    int k = failures - pol->free_failures;
    int64_t wait = k >= 20 ? pol->backoff_max : (int64_t)1 << k;
    if (wait > pol->backoff_max)
        wait = pol->backoff_max;
    int64_t left = last_failure + wait - now;
    return left > 0 ? left : 0;
}

static void token_hash(const char *token, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

void stad_privacy_csrf(const char *token, char out[STAD_TOKEN_LEN + 1])
{
    unsigned char mac[32];
    static const char msg[] = "stad csrf v1";
    size_t kn = strlen(token);
    if (kn > crypto_generichash_KEYBYTES_MAX)
        kn = crypto_generichash_KEYBYTES_MAX;
    crypto_generichash(mac, sizeof mac, (const unsigned char *)msg, sizeof msg - 1,
                       (const unsigned char *)token, kn);
    sodium_bin2hex(out, STAD_TOKEN_LEN + 1, mac, sizeof mac);
}

int stad_privacy_token_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && n > 0 && sodium_memcmp(a, b, n) == 0;
}

static int token_ok(const char *token)
{
    if (!token || strlen(token) != STAD_TOKEN_LEN)
        return 0;
    for (const char *p = token; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

typedef struct acct {
    int found;
    int64_t id;
    char name[STAD_NAME_MAX];
    char roles[STAD_ROLES_MAX];
    char pwhash[crypto_pwhash_STRBYTES];
    int locked, failures;
    int64_t last_failure;
} acct;

static int load_account(stad_store *s, const char *name, acct *a)
{
    memset(a, 0, sizeof *a);
    if (!priv_name_ok(name))
        return 0;
    sqlite3_stmt *st;
    int rc = priv_prepare(s,
                          "SELECT id, name, roles, pwhash, locked, failures, last_failure "
                          "FROM account WHERE name = ?",
                          &st, "reading account");
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        a->found = 1;
        a->id = sqlite3_column_int64(st, 0);
        snprintf(a->name, sizeof a->name, "%s", priv_col_text(st, 1));
        snprintf(a->roles, sizeof a->roles, "%s", priv_col_text(st, 2));
        snprintf(a->pwhash, sizeof a->pwhash, "%s", priv_col_text(st, 3));
        a->locked = sqlite3_column_int(st, 4);
        a->failures = sqlite3_column_int(st, 5);
        a->last_failure = sqlite3_column_int64(st, 6);
    } else if (step != SQLITE_DONE) {
        rc = priv_fail_sql(s, "reading account");
    }
    sqlite3_finalize(st);
    return rc;
}

static int record_failure(stad_store *s, const stad_session_policy *pol, const acct *a,
                          const char *interface, int64_t now)
{
    int rc = stad_store_begin(s);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    if (a->found) {
        rc = priv_prepare(s,
                          "UPDATE account SET failures = failures + 1, last_failure = ?, "
                          "locked = locked OR (? > 0 AND failures + 1 >= ?) WHERE id = ?",
                          &st, "recording a failed login");
        if (!rc) {
            sqlite3_bind_int64(st, 1, now);
            sqlite3_bind_int(st, 2, pol->lock_after);
            sqlite3_bind_int(st, 3, pol->lock_after);
            sqlite3_bind_int64(st, 4, a->id);
            rc = priv_step_done(s, st, "recording a failed login");
        }
    }
    /* The name typed is not logged for unknown accounts: it may be a password. */
    if (!rc)
        rc = priv_audit(s, a->found ? a->name : "-", interface, "login.failed", "", "", -1,
                        a->locked ? "locked" : "denied");
    if (!rc)
        rc = stad_store_commit(s);
    if (rc)
        stad_store_rollback(s);
    return rc;
}

int stad_privacy_login(stad_store *s, const stad_session_policy *pol, const char *interface,
                       const char *name, const char *password, int64_t now,
                       char token[STAD_TOKEN_LEN + 1], stad_principal *p,
                       int64_t *retry_after)
{
    stad_ctx *ctx = stad_store_ctx(s);
    token[0] = '\0';
    *retry_after = 0;
    if (sodium_init() < 0)
        return stad_fail(ctx, STAD_ENOMEM, "libsodium cannot be initialised");
    acct a;
    int rc = load_account(s, name, &a);
    if (rc)
        return rc;
    if (a.found) {
        int64_t wait = stad_privacy_backoff(pol, a.failures, a.last_failure, now);
        if (wait > 0) {
            *retry_after = wait;
            priv_audit(s, a.name, interface, "login.throttled", "", "", -1, "throttled");
            return stad_fail(ctx, STAD_EAGAIN, "too many failed logins: wait %lld s",
                             (long long)wait);
        }
    }
    size_t pwlen = password ? strlen(password) : 0;
    int ok = 0;
    if (a.found && pwlen <= STAD_PASSWORD_MAX) {
        ok = crypto_pwhash_str_verify(a.pwhash, password, pwlen) == 0;
    } else {
        /* Spend the same time for an unknown name, so timing does not tell names. */
        char dummy[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str(dummy, "x", 1, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            dummy[0] = '\0';
    }
    if (!ok || a.locked) {
        rc = record_failure(s, pol, &a, interface, now);
        sodium_memzero(&a, sizeof a);
        return rc ? rc : stad_fail(ctx, STAD_EDENIED, "wrong name or password, or locked");
    }

    unsigned char raw[32], hash[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, STAD_TOKEN_LEN + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    token_hash(token, hash);
    if ((rc = stad_store_begin(s)))
        goto out;
    sqlite3_stmt *st;
    rc = priv_prepare(s, "UPDATE account SET failures = 0 WHERE id = ?", &st,
                      "recording a login");
    if (!rc) {
        sqlite3_bind_int64(st, 1, a.id);
        rc = priv_step_done(s, st, "recording a login");
    }
    if (!rc && !(rc = priv_prepare(s, "DELETE FROM session WHERE expires <= ? OR last_seen <= ?",
                                   &st, "removing old sessions"))) {
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_int64(st, 2, now - pol->idle_seconds);
        rc = priv_step_done(s, st, "removing old sessions");
    }
    if (!rc && !(rc = priv_prepare(s,
                                   "INSERT INTO session(token_hash, account_id, created, "
                                   "last_seen, expires) VALUES(?, ?, ?, ?, ?)",
                                   &st, "opening a session"))) {
        sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, a.id);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_int64(st, 4, now);
        sqlite3_bind_int64(st, 5, now + pol->absolute_seconds);
        rc = priv_step_done(s, st, "opening a session");
    }
    if (!rc)
        rc = priv_audit(s, a.name, interface, "login", "", "", -1, "ok");
    if (!rc)
        rc = stad_store_commit(s);
    if (rc)
        stad_store_rollback(s);
    if (!rc) {
        memset(p, 0, sizeof *p);
        p->account_id = a.id;
        snprintf(p->name, sizeof p->name, "%s", a.name);
        snprintf(p->roles, sizeof p->roles, "%s", a.roles);
    }
out:
    if (rc)
        token[0] = '\0';
    sodium_memzero(&a, sizeof a);
    return rc;
}

int stad_privacy_token_digest(const char *token, unsigned char digest[STAD_TOKEN_DIGEST_LEN])
{
    if (!token_ok(token)) {
        memset(digest, 0, STAD_TOKEN_DIGEST_LEN);
        return -1;
    }
    token_hash(token, digest);
    return 0;
}

int stad_privacy_session_read(stad_store *s, const char *token, stad_session_state *out)
{
    stad_ctx *ctx = stad_store_ctx(s);
    memset(out, 0, sizeof *out);
    if (!token_ok(token))
        return stad_fail(ctx, STAD_EDENIED, "no session");
    unsigned char hash[32];
    token_hash(token, hash);
    sqlite3_stmt *st;
    int rc = priv_prepare(s,
                          "SELECT a.id, a.name, a.roles, a.locked, s.last_seen, s.expires "
                          "FROM session s JOIN account a ON a.id = s.account_id "
                          "WHERE s.token_hash = ?",
                          &st, "checking a session");
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        out->who.account_id = sqlite3_column_int64(st, 0);
        snprintf(out->who.name, sizeof out->who.name, "%s", priv_col_text(st, 1));
        snprintf(out->who.roles, sizeof out->who.roles, "%s", priv_col_text(st, 2));
        out->locked = sqlite3_column_int(st, 3) != 0;
        out->last_seen = sqlite3_column_int64(st, 4);
        out->expires = sqlite3_column_int64(st, 5);
    } else if (step == SQLITE_DONE) {
        rc = stad_fail(ctx, STAD_EDENIED, "no session");
    } else {
        rc = priv_fail_sql(s, "checking a session");
    }
    sqlite3_finalize(st);
    return rc;
}

int stad_privacy_session_usable(const stad_session_policy *pol, const stad_session_state *ss,
                                int64_t now, int *touch, const char **why)
{
    *touch = 0;
    *why = NULL;
    if (ss->locked)
        *why = "account locked";
    else if (now >= ss->expires)
        *why = "session expired";
    else if (now - ss->last_seen >= pol->idle_seconds)
        *why = "session idle too long";
    if (*why)
        return 0;
    *touch = now - ss->last_seen >= 60;
    return 1;
}

int stad_privacy_session_check(stad_store *s, const stad_session_policy *pol,
                               const char *token, int64_t now, stad_principal *p,
                               int *touch)
{
    *touch = 0;
    stad_session_state ss;
    int rc = stad_privacy_session_read(s, token, &ss);
    if (rc)
        return rc;
    const char *why;
    if (!stad_privacy_session_usable(pol, &ss, now, touch, &why))
        return stad_fail(stad_store_ctx(s), STAD_EDENIED, "%s", why);
    *p = ss.who;
    return 0;
}

int stad_privacy_session_touch(stad_store *s, const char *token, int64_t now)
{
    if (!token_ok(token))
        return 0;
    unsigned char hash[32];
    token_hash(token, hash);
    sqlite3_stmt *st;
    int rc = priv_prepare(s, "UPDATE session SET last_seen = max(last_seen, ?) "
                             "WHERE token_hash = ?",
                          &st, "touching a session");
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_blob(st, 2, hash, sizeof hash, SQLITE_STATIC);
    return priv_step_done(s, st, "touching a session");
}

int stad_privacy_session_end(stad_store *s, const char *token, int64_t now)
{
    unsigned char hash[32];
    if (token_ok(token))
        token_hash(token, hash);
    else
        memset(hash, 0, sizeof hash);
    sqlite3_stmt *st;
    int rc = priv_prepare(s, "DELETE FROM session WHERE token_hash = ? OR expires <= ?", &st,
                          "ending a session");
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    return priv_step_done(s, st, "ending a session");
}

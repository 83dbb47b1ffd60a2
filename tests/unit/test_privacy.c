/* Unit tests of the privacy module on a real store: accounts (argon2id), logins with
 * back-off, sessions (idle, absolute, lock, logout), CSRF tokens, the access scope
 * against hand-counted events, the register's approval rules, retention and the
 * append-only audit log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "stad/privacy.h"
#include "stad/store.h"

static stad_ctx *ctx;
static stad_store *st;
static char db[1024];

#define OK(expr)                                                              \
    do {                                                                      \
        int rc_ = (expr);                                                     \
        if (rc_ != 0)                                                         \
            fail_msg("%s -> %d: %s", #expr, rc_, stad_errmsg(ctx));           \
    } while (0)

static int64_t sql_int(const char *sql)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(stad_store_db(st), sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static int sql_exec(const char *sql)
{
    return sqlite3_exec(stad_store_db(st), sql, NULL, NULL, NULL);
}

/* A source with one batch of n events of `kind`; returns the source id. */
static int64_t add_source(const char *name, const char *kind, int n)
{
    int64_t src, batch;
    OK(stad_store_source_ensure(st, name, &src));
    OK(stad_store_begin(st));
    char sha[65];
    snprintf(sha, sizeof sha, "%064d", (int)src);
    stad_batch_row b = {.source_id = src, .file_name = name, .file_path = name,
                        .sha256 = sha, .target = "event"};
    OK(stad_store_batch_create(st, &b, &batch));
    for (int i = 0; i < n; i++) {
        stad_event_row e = {.batch_id = batch, .line = i + 2, .kind = kind,
                            .t_from = 1500000000 + i * 3600, .t_to = 1500000000 + i * 3600,
                            .count = 1};
        OK(stad_store_event_insert(st, &e));
    }
    OK(stad_store_batch_finish(st, batch, n, n, 0));
    OK(stad_store_commit(st));
    return src;
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("STAD_TMP");
    char dir[900];
    snprintf(dir, sizeof dir, "%s", tmp && *tmp ? tmp : "/tmp");
    mkdir(dir, 0777);
    snprintf(db, sizeof db, "%s/privacy-%d.db", dir, (int)getpid());
    unlink(db);
    assert_int_equal(stad_ctx_new(&ctx), 0);
    stad_set_logger(ctx, STAD_LOG_QUIET, NULL, NULL);
    OK(stad_store_open(ctx, db, &st));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stad_store_close(st);
    stad_ctx_free(ctx);
    char side[1100];
    unlink(db);
    snprintf(side, sizeof side, "%s-wal", db);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db);
    unlink(side);
    return 0;
}

static void test_schema_and_audit_append_only(void **state)
{
    (void)state;
    assert_int_equal(sql_int("SELECT count(*) FROM role"), 8);
    stad_audit_row r = {.t = 100, .actor = "tester", .interface = "cli", .action = "read",
                        .route = "events", .query = "kind=theft", .sources = "all",
                        .rows = 12, .outcome = "ok"};
    OK(stad_privacy_audit(st, &r));
    assert_int_not_equal(sql_exec("UPDATE audit SET actor = 'someone else'"), SQLITE_OK);
    assert_int_not_equal(sql_exec("DELETE FROM audit"), SQLITE_OK);
    assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE actor = 'tester'"), 1);
    assert_int_equal(sql_int("SELECT rows FROM audit WHERE actor = 'tester'"), 12);
}

static void test_roles(void **state)
{
    (void)state;
    assert_true(stad_privacy_has_role("safety_analyst,enforcer", "enforcer"));
    assert_false(stad_privacy_has_role("safety_analyst,enforcer", "enforce"));
    assert_false(stad_privacy_has_role("admin_x", "admin"));
    OK(stad_privacy_roles_check(st, "admin, public"));
    assert_int_equal(stad_privacy_roles_check(st, "admin,root"), STAD_EINVAL);
    assert_non_null(strstr(stad_errmsg(ctx), "root"));
    assert_int_equal(stad_privacy_roles_check(st, ","), STAD_EINVAL);

    stad_principal p = {0};
    snprintf(p.roles, sizeof p.roles, "public");
    assert_false(stad_privacy_may(&p, STAD_MAY_READ_DATA));
    assert_true(stad_privacy_may(&p, STAD_MAY_READ_AREAS));
    snprintf(p.roles, sizeof p.roles, "safety_analyst");
    assert_true(stad_privacy_may(&p, STAD_MAY_READ_DATA));
    assert_false(stad_privacy_may(&p, STAD_MAY_READ_AUDIT));
    snprintf(p.roles, sizeof p.roles, "privacy_officer");
    assert_true(stad_privacy_may(&p, STAD_MAY_WRITE_REGISTER));
    assert_false(stad_privacy_may(&p, STAD_MAY_MANAGE_USERS));
    snprintf(p.roles, sizeof p.roles, "admin");
    assert_true(stad_privacy_may(&p, STAD_MAY_MANAGE_USERS));
}

static void test_accounts(void **state)
{
    (void)state;
    assert_int_equal(stad_privacy_user_add(st, "t", "cli", "Bad Name", "admin", "long enough pw"),
                     STAD_EINVAL);
    assert_int_equal(stad_privacy_user_add(st, "t", "cli", "ann", "admin", "short"), STAD_EINVAL);
    assert_int_equal(stad_privacy_user_add(st, "t", "cli", "ann", "wizard", "long enough pw"),
                     STAD_EINVAL);
    OK(stad_privacy_user_add(st, "t", "cli", "ann", "safety_analyst", "correct horse 1"));
    assert_int_equal(stad_privacy_user_add(st, "t", "cli", "ann", "admin", "another pw 22"),
                     STAD_EINVAL);
    /* argon2id, and the password itself is nowhere in the row */
    assert_int_equal(sql_int("SELECT pwhash LIKE '$argon2id$%' FROM account WHERE name='ann'"), 1);
    assert_int_equal(sql_int("SELECT instr(pwhash, 'correct horse') FROM account WHERE name='ann'"),
                     0);
    assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE action = 'user.add'"), 1);
    assert_int_equal(stad_privacy_user_lock(st, "t", "cli", "nobody", 1), STAD_ENOTFOUND);
}

static void test_backoff_values(void **state)
{
    (void)state;
    stad_session_policy p;
    stad_session_policy_init(&p);
    /* 3 free failures, then 1, 2, 4, ... seconds after the last, capped at 900 */
    assert_int_equal(stad_privacy_backoff(&p, 2, 1000, 1000), 0);
    assert_int_equal(stad_privacy_backoff(&p, 3, 1000, 1000), 1);
    assert_int_equal(stad_privacy_backoff(&p, 4, 1000, 1000), 2);
    assert_int_equal(stad_privacy_backoff(&p, 4, 1000, 1001), 1);
    assert_int_equal(stad_privacy_backoff(&p, 4, 1000, 1002), 0);
    assert_int_equal(stad_privacy_backoff(&p, 10, 1000, 1000), 128);
    assert_int_equal(stad_privacy_backoff(&p, 13, 1000, 1000), 900);
    assert_int_equal(stad_privacy_backoff(&p, 60, 1000, 1000), 900);
}

static void test_login_sessions(void **state)
{
    (void)state;
    stad_session_policy pol;
    stad_session_policy_init(&pol);
    OK(stad_privacy_user_add(st, "t", "cli", "bob", "social_policy,enforcer", "bobs password!"));
    char tok[STAD_TOKEN_LEN + 1], tok2[STAD_TOKEN_LEN + 1];
    stad_principal p;
    int64_t retry, now = 2000000000;
    int touch;
    OK(stad_privacy_login(st, &pol, "http", "bob", "bobs password!", now, tok, &p, &retry));
    assert_int_equal(strlen(tok), STAD_TOKEN_LEN);
    assert_string_equal(p.name, "bob");
    assert_string_equal(p.roles, "social_policy,enforcer");
    /* only the hash is stored */
    char q[256];
    snprintf(q, sizeof q, "SELECT count(*) FROM session WHERE hex(token_hash) LIKE '%%%.16s%%' "
                          "COLLATE NOCASE", tok);
    assert_int_equal(sql_int(q), 0);
    assert_int_equal(sql_int("SELECT length(token_hash) FROM session"), 32);

    stad_principal q1;
    OK(stad_privacy_session_check(st, &pol, tok, now + 10, &q1, &touch));
    assert_string_equal(q1.name, "bob");
    assert_false(touch);
    OK(stad_privacy_session_check(st, &pol, tok, now + 61, &q1, &touch));
    assert_true(touch);
    /* idle: 30 minutes without a touch */
    assert_int_equal(stad_privacy_session_check(st, &pol, tok, now + 1800, &q1, &touch),
                     STAD_EDENIED);
    OK(stad_privacy_session_touch(st, tok, now + 1700));
    OK(stad_privacy_session_check(st, &pol, tok, now + 1800, &q1, &touch));
    /* absolute: 12 hours after login, touched or not */
    for (int64_t t = now + 1800; t < now + 12 * 3600; t += 1500)
        OK(stad_privacy_session_touch(st, tok, t));
    assert_int_equal(stad_privacy_session_check(st, &pol, tok, now + 12 * 3600, &q1, &touch),
                     STAD_EDENIED);
    /* garbage and unknown tokens */
    assert_int_equal(stad_privacy_session_check(st, &pol, "abc", now, &q1, &touch), STAD_EDENIED);
    char fake[STAD_TOKEN_LEN + 1];
    memset(fake, 'a', STAD_TOKEN_LEN);
    fake[STAD_TOKEN_LEN] = '\0';
    assert_int_equal(stad_privacy_session_check(st, &pol, fake, now, &q1, &touch), STAD_EDENIED);

    /* a new login gets a new token; logout ends it */
    OK(stad_privacy_login(st, &pol, "http", "bob", "bobs password!", now + 5, tok2, &p, &retry));
    assert_string_not_equal(tok, tok2);
    OK(stad_privacy_session_end(st, tok2, now + 6));
    assert_int_equal(stad_privacy_session_check(st, &pol, tok2, now + 7, &q1, &touch), STAD_EDENIED);

    /* lock ends sessions; unlock lets the account in again */
    OK(stad_privacy_login(st, &pol, "http", "bob", "bobs password!", now + 10, tok, &p, &retry));
    OK(stad_privacy_user_lock(st, "t", "cli", "bob", 1));
    assert_int_equal(stad_privacy_session_check(st, &pol, tok, now + 11, &q1, &touch), STAD_EDENIED);
    assert_int_equal(stad_privacy_login(st, &pol, "http", "bob", "bobs password!", now + 12, tok,
                                        &p, &retry),
                     STAD_EDENIED);
    OK(stad_privacy_user_lock(st, "t", "cli", "bob", 0));
    OK(stad_privacy_login(st, &pol, "http", "bob", "bobs password!", now + 13, tok, &p, &retry));
    /* a new password ends the sessions of the old one */
    OK(stad_privacy_user_passwd(st, "t", "cli", "bob", "new bob password"));
    assert_int_equal(stad_privacy_session_check(st, &pol, tok, now + 14, &q1, &touch), STAD_EDENIED);
    assert_int_equal(stad_privacy_login(st, &pol, "http", "bob", "bobs password!", now + 15, tok,
                                        &p, &retry),
                     STAD_EDENIED);
    OK(stad_privacy_login(st, &pol, "http", "bob", "new bob password", now + 16, tok, &p, &retry));
}

static void test_brute_force(void **state)
{
    (void)state;
    stad_session_policy pol;
    stad_session_policy_init(&pol);
    pol.lock_after = 6;
    OK(stad_privacy_user_add(st, "t", "cli", "carol", "safety_analyst", "carols password"));
    char tok[STAD_TOKEN_LEN + 1];
    stad_principal p;
    int64_t retry, now = 2100000000;
    for (int i = 0; i < 3; i++)
        assert_int_equal(stad_privacy_login(st, &pol, "http", "carol", "guess", now, tok, &p,
                                            &retry),
                         STAD_EDENIED);
    /* the 4th attempt in the same second is refused without checking the password */
    assert_int_equal(stad_privacy_login(st, &pol, "http", "carol", "carols password", now, tok,
                                        &p, &retry),
                     STAD_EAGAIN);
    assert_int_equal(retry, 1);
    assert_int_equal(tok[0], '\0');
    assert_int_equal(stad_privacy_login(st, &pol, "http", "carol", "guess", now + 1, tok, &p,
                                        &retry),
                     STAD_EDENIED);
    /* 4 failures: wait 2 s */
    assert_int_equal(stad_privacy_login(st, &pol, "http", "carol", "carols password", now + 2,
                                        tok, &p, &retry),
                     STAD_EAGAIN);
    assert_int_equal(retry, 1);
    OK(stad_privacy_login(st, &pol, "http", "carol", "carols password", now + 3, tok, &p, &retry));
    assert_int_equal(sql_int("SELECT failures FROM account WHERE name = 'carol'"), 0);
    /* lock_after 6: six failures in a row lock the account */
    int64_t t = now + 10;
    for (int i = 0; i < 6; i++) {
        t += 1000;
        assert_int_equal(stad_privacy_login(st, &pol, "http", "carol", "guess", t, tok, &p, &retry),
                         STAD_EDENIED);
    }
    assert_int_equal(sql_int("SELECT locked FROM account WHERE name = 'carol'"), 1);
    assert_int_equal(stad_privacy_login(st, &pol, "http", "carol", "carols password", t + 5000,
                                        tok, &p, &retry),
                     STAD_EDENIED);
    /* unknown names fail the same way and are not written to the log */
    assert_int_equal(stad_privacy_login(st, &pol, "http", "mallory", "x", t, tok, &p, &retry),
                     STAD_EDENIED);
    assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE actor = 'mallory'"), 0);
    assert_true(sql_int("SELECT count(*) FROM audit WHERE action = 'login.failed' AND actor='-'") >= 1);
    assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE action = 'login.throttled'"), 2);
}

static void test_csrf(void **state)
{
    (void)state;
    char a[STAD_TOKEN_LEN + 1], b[STAD_TOKEN_LEN + 1], c[STAD_TOKEN_LEN + 1];
    const char *t1 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const char *t2 = "1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    stad_privacy_csrf(t1, a);
    stad_privacy_csrf(t1, b);
    stad_privacy_csrf(t2, c);
    assert_int_equal(strlen(a), STAD_TOKEN_LEN);
    assert_true(stad_privacy_token_equal(a, b));
    assert_false(stad_privacy_token_equal(a, c));
    assert_false(stad_privacy_token_equal(a, t1)); /* not the session token itself */
    assert_false(stad_privacy_token_equal("", ""));
}

static int64_t count_in_scope(const stad_principal *p, int *all)
{
    stad_scope *sc = NULL;
    OK(stad_privacy_scope(st, p, &sc));
    stad_event_filter f = {0};
    stad_privacy_scope_apply(sc, &f);
    int64_t n = -1;
    OK(stad_store_events_count(st, &f, &n));
    *all = sc->all;
    stad_privacy_scope_free(sc);
    return n;
}

static void test_scope_and_register(void **state)
{
    (void)state;
    /* A fresh store for exact counts. */
    teardown(NULL);
    setup(NULL);
    int64_t a = add_source("politie", "theft.bike", 3);
    int64_t b = add_source("wijkteams", "social.contact", 5);
    add_source("nieuw", "complaint.bike_wreck", 7);
    (void)b;
    /* approval needs every field; the message names the first one missing */
    assert_int_equal(stad_privacy_source_approve(st, "po", "cli", "politie", 1), STAD_EINVAL);
    assert_non_null(strstr(stad_errmsg(ctx), "holder"));
    stad_source_update u;
    stad_source_update_init(&u);
    u.holder = "Politie Noord-Nederland";
    u.purpose = "hotspots for the enforcement meeting";
    u.legal_basis = "Wpg art. 20";
    u.retention_days = 365;
    u.sensitivity = "police";
    u.roles = "safety_analyst,enforcement";
    OK(stad_privacy_source_set(st, "po", "cli", "politie", &u));
    OK(stad_privacy_source_approve(st, "po", "cli", "politie", 1));
    u.holder = "Wijkteams";
    u.purpose = "outcomes per profile";
    u.legal_basis = "Wmo";
    u.roles = "social_policy";
    OK(stad_privacy_source_set(st, "po", "cli", "wijkteams", &u));
    OK(stad_privacy_source_approve(st, "po", "cli", "wijkteams", 1));
    u.holder = "KCC";
    u.roles = "safety_analyst";
    OK(stad_privacy_source_set(st, "po", "cli", "nieuw", &u)); /* not approved: pending */
    assert_int_equal(sql_int("SELECT count(*) FROM source WHERE status = 'approved'"), 2);
    assert_int_equal(
        sql_int("SELECT count(*) FROM audit WHERE action IN ('register.set','register.approve')"), 5);

    stad_principal p = {0};
    int all;
    snprintf(p.roles, sizeof p.roles, "safety_analyst");
    assert_int_equal(count_in_scope(&p, &all), 3); /* politie only; nieuw is pending */
    assert_false(all);
    snprintf(p.roles, sizeof p.roles, "social_policy");
    assert_int_equal(count_in_scope(&p, &all), 5);
    snprintf(p.roles, sizeof p.roles, "social_policy,enforcement");
    assert_int_equal(count_in_scope(&p, &all), 8);
    snprintf(p.roles, sizeof p.roles, "privacy_officer");
    assert_int_equal(count_in_scope(&p, &all), 7); /* vets the pending source only */
    snprintf(p.roles, sizeof p.roles, "admin");
    assert_int_equal(count_in_scope(&p, &all), 15);
    assert_true(all);
    snprintf(p.roles, sizeof p.roles, "public");
    assert_int_equal(count_in_scope(&p, &all), 0);
    snprintf(p.roles, sizeof p.roles, "enforcer");
    assert_int_equal(count_in_scope(&p, &all), 0);
    /* no scope at all reads nothing (fails closed) */
    stad_event_filter f = {0};
    stad_privacy_scope_apply(NULL, &f);
    int64_t n = -1;
    OK(stad_store_events_count(st, &f, &n));
    assert_int_equal(n, 0);

    /* changing the roles of an approved source sends it back to pending */
    stad_source_update_init(&u);
    u.roles = "safety_analyst,enforcer";
    OK(stad_privacy_source_set(st, "po", "cli", "politie", &u));
    assert_int_equal(sql_int("SELECT status = 'pending' FROM source WHERE name = 'politie'"), 1);
    snprintf(p.roles, sizeof p.roles, "safety_analyst");
    assert_int_equal(count_in_scope(&p, &all), 0);
    OK(stad_privacy_source_approve(st, "po", "cli", "politie", 1));
    snprintf(p.roles, sizeof p.roles, "enforcer");
    assert_int_equal(count_in_scope(&p, &all), 3);
    stad_scope *sc;
    OK(stad_privacy_scope(st, &p, &sc));
    assert_true(stad_privacy_scope_has(sc, a));
    assert_false(stad_privacy_scope_has(sc, b));
    char key[32];
    snprintf(key, sizeof key, "%lld", (long long)a);
    assert_string_equal(sc->key, key);
    stad_privacy_scope_free(sc);
    stad_privacy_scope_free(NULL);
}

static int count_ret(void *user, const stad_retention_row *r)
{
    if (strcmp(r->source, "politie") == 0)
        *(int64_t *)user = r->events;
    return 0;
}

static void test_retention(void **state)
{
    (void)state;
    /* politie (retention 365 d, 3 events) gets a second, new batch of 2 events */
    int64_t src, batch;
    OK(stad_store_source_ensure(st, "politie", &src));
    OK(stad_store_begin(st));
    stad_batch_row b = {.source_id = src, .file_name = "new.csv", .file_path = "new.csv",
                        .sha256 = "ab", .target = "event"};
    OK(stad_store_batch_create(st, &b, &batch));
    for (int i = 0; i < 2; i++) {
        stad_event_row e = {.batch_id = batch, .kind = "theft.bike", .t_from = 1600000000,
                            .t_to = 1600000000, .count = 1};
        OK(stad_store_event_insert(st, &e));
    }
    OK(stad_store_batch_finish(st, batch, 2, 2, 0));
    OK(stad_store_commit(st));
    int64_t now = (int64_t)time(NULL);
    char sql[256];
    /* the first batch was loaded 400 days ago, the new one 10 days ago */
    snprintf(sql, sizeof sql,
             "UPDATE batch SET finished = %lld WHERE source_id = %lld AND id <> %lld",
             (long long)(now - 400 * 86400), (long long)src, (long long)batch);
    assert_int_equal(sql_exec(sql), SQLITE_OK);
    snprintf(sql, sizeof sql, "UPDATE batch SET finished = %lld WHERE id = %lld",
             (long long)(now - 10 * 86400), (long long)batch);
    assert_int_equal(sql_exec(sql), SQLITE_OK);
    int64_t v0, v1, n = -1;
    OK(stad_store_data_version(st, &v0));
    OK(stad_privacy_retention_run(st, "t", "cli", now, 1, count_ret, &n));
    assert_int_equal(n, 3);
    assert_int_equal(sql_int("SELECT count(*) FROM event e JOIN batch b ON b.id = e.batch_id "
                             "JOIN source s ON s.id = b.source_id WHERE s.name = 'politie'"),
                     5);
    n = -1;
    OK(stad_privacy_retention_run(st, "t", "cli", now, 0, count_ret, &n));
    assert_int_equal(n, 3);
    assert_int_equal(sql_int("SELECT count(*) FROM event e JOIN batch b ON b.id = e.batch_id "
                             "JOIN source s ON s.id = b.source_id WHERE s.name = 'politie'"),
                     2);
    assert_int_equal(sql_int("SELECT count(*) FROM batch WHERE status = 'expired'"), 1);
    /* the other sources (same 365 days, but loaded now) keep their events */
    assert_int_equal(sql_int("SELECT count(*) FROM event"), 2 + 5 + 7);
    assert_int_equal(sql_int("SELECT rows FROM audit WHERE action = 'retention.delete'"), 3);
    OK(stad_store_data_version(st, &v1));
    assert_true(v1 > v0);
    /* a second run finds nothing more */
    n = -1;
    OK(stad_privacy_retention_run(st, "t", "cli", now, 0, count_ret, &n));
    assert_int_equal(n, 0);
}

typedef struct seen {
    int n;
    char first_action[32];
} seen;

static int see(void *user, const stad_audit_row *r)
{
    seen *s = user;
    if (s->n++ == 0)
        snprintf(s->first_action, sizeof s->first_action, "%s", r->action);
    return 0;
}

static void test_audit_filter(void **state)
{
    (void)state;
    stad_audit_row r = {.t = 5000, .actor = "dora", .interface = "http", .action = "login",
                        .rows = -1};
    OK(stad_privacy_audit(st, &r));
    r.action = "login.failed";
    r.t = 6000;
    OK(stad_privacy_audit(st, &r));
    r.action = "loginx";
    OK(stad_privacy_audit(st, &r));
    stad_audit_filter f = {.actor = "dora", .action = "login"};
    seen s = {0};
    OK(stad_privacy_audit_each(st, &f, see, &s));
    assert_int_equal(s.n, 2); /* login and login.failed, not loginx */
    assert_string_equal(s.first_action, "login.failed"); /* newest first */
    f.since = 5500;
    s.n = 0;
    OK(stad_privacy_audit_each(st, &f, see, &s));
    assert_int_equal(s.n, 1);
    assert_int_equal(sql_int("SELECT rows IS NULL FROM audit WHERE actor = 'dora' LIMIT 1"), 1);
}

static int64_t auth_gen(void)
{
    int64_t dv, gen;
    OK(stad_store_versions(st, &dv, &gen));
    assert_int_equal(dv, sql_int("SELECT CAST(value AS INTEGER) FROM meta "
                                 "WHERE key = 'data_version'"));
    return gen;
}

/* The access generation counts exactly the changes that can alter what a session may
 * do, whichever way they are made: a server caching sessions depends on it. */
static void test_access_generation(void **state)
{
    (void)state;
    stad_session_policy pol;
    stad_session_policy_init(&pol);
    int64_t g = auth_gen();
    assert_true(g >= 0);
    OK(stad_privacy_user_add(st, "t", "cli", "cara", "safety_analyst", "caras password"));
    assert_int_equal(auth_gen(), g); /* a new account has no session to change */
    char tok[STAD_TOKEN_LEN + 1];
    stad_principal p;
    int64_t retry, now = (int64_t)time(NULL);
    OK(stad_privacy_login(st, &pol, "http", "cara", "caras password", now, tok, &p, &retry));
    OK(stad_privacy_session_touch(st, tok, now + 120));
    assert_int_equal(auth_gen(), g); /* logins and touches change nobody's rights */
    assert_int_equal(stad_privacy_login(st, &pol, "http", "cara", "wrong password", now, tok,
                                        &p, &retry),
                     STAD_EDENIED);
    assert_int_equal(auth_gen(), g); /* nor do failed logins (locked stays 0) */
    OK(stad_privacy_login(st, &pol, "http", "cara", "caras password", now, tok, &p, &retry));

    OK(stad_privacy_user_set_roles(st, "t", "cli", "cara", "public"));
    assert_true(auth_gen() > g);
    g = auth_gen();
    OK(stad_privacy_user_set_roles(st, "t", "cli", "cara", "public"));
    assert_int_equal(auth_gen(), g); /* the same roles again: nothing changed */
    OK(stad_privacy_session_end(st, tok, now));
    assert_true(auth_gen() > g);
    g = auth_gen();
    stad_source_update u;
    stad_source_update_init(&u);
    u.holder = "h";
    OK(stad_privacy_source_set(st, "t", "cli", "gen.source", &u));
    assert_true(auth_gen() > g); /* a new source changes an "all sources" scope */
    g = auth_gen();
    OK(stad_privacy_user_lock(st, "t", "cli", "cara", 1));
    assert_true(auth_gen() > g);
    g = auth_gen();
    /* also a change made outside stad, with any SQLite tool */
    assert_int_equal(sql_exec("UPDATE account SET locked = 0 WHERE name = 'cara'"), SQLITE_OK);
    assert_true(auth_gen() > g);
    g = auth_gen();
    OK(stad_privacy_user_passwd(st, "t", "cli", "cara", "caras new password"));
    assert_true(auth_gen() > g);
    /* a store without the counter says so: nothing may be cached then */
    assert_int_equal(sql_exec("DELETE FROM auth_generation"), SQLITE_OK);
    assert_int_equal(auth_gen(), -1);
    assert_int_equal(sql_exec("INSERT INTO auth_generation(id, value) VALUES(1, 7)"),
                     SQLITE_OK);
    assert_int_equal(auth_gen(), 7);
}

/* The session rule on a row in memory, at its boundaries; the store check agrees. */
static void test_session_rule(void **state)
{
    (void)state;
    stad_session_policy pol;
    stad_session_policy_init(&pol);
    stad_session_state ss = {.last_seen = 1000, .expires = 1000 + 12 * 3600};
    int touch;
    const char *why;
    assert_true(stad_privacy_session_usable(&pol, &ss, 1059, &touch, &why));
    assert_false(touch);
    assert_true(stad_privacy_session_usable(&pol, &ss, 1060, &touch, &why));
    assert_true(touch);
    assert_true(stad_privacy_session_usable(&pol, &ss, 1000 + 1799, &touch, &why));
    assert_false(stad_privacy_session_usable(&pol, &ss, 1000 + 1800, &touch, &why));
    assert_string_equal(why, "session idle too long");
    ss.last_seen = ss.expires - 1;
    assert_true(stad_privacy_session_usable(&pol, &ss, ss.expires - 1, &touch, &why));
    assert_false(stad_privacy_session_usable(&pol, &ss, ss.expires, &touch, &why));
    assert_string_equal(why, "session expired");
    ss.locked = 1;
    assert_false(stad_privacy_session_usable(&pol, &ss, ss.expires - 1, &touch, &why));
    assert_string_equal(why, "account locked");

    /* the row as read from the store, and the digest it is keyed by */
    OK(stad_privacy_user_add(st, "t", "cli", "dirk", "enforcer", "dirks password"));
    char tok[STAD_TOKEN_LEN + 1];
    stad_principal p;
    int64_t retry, now = 2100000000;
    OK(stad_privacy_login(st, &pol, "http", "dirk", "dirks password", now, tok, &p, &retry));
    stad_session_state row;
    OK(stad_privacy_session_read(st, tok, &row));
    assert_string_equal(row.who.name, "dirk");
    assert_string_equal(row.who.roles, "enforcer");
    assert_int_equal(row.last_seen, now);
    assert_int_equal(row.expires, now + pol.absolute_seconds);
    assert_false(row.locked);
    unsigned char d[STAD_TOKEN_DIGEST_LEN];
    assert_int_equal(stad_privacy_token_digest(tok, d), 0);
    char hex[2 * STAD_TOKEN_DIGEST_LEN + 1], q[256];
    for (int i = 0; i < STAD_TOKEN_DIGEST_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02X", d[i]);
    snprintf(q, sizeof q, "SELECT count(*) FROM session WHERE hex(token_hash) = '%s'", hex);
    assert_int_equal(sql_int(q), 1);
    assert_int_equal(stad_privacy_token_digest("not a token", d), -1);
    OK(stad_privacy_user_lock(st, "t", "cli", "dirk", 1));
    assert_int_equal(stad_privacy_session_read(st, tok, &row), STAD_EDENIED); /* ended */
}

static void test_scope_dup_and_audit_rows(void **state)
{
    (void)state;
    stad_principal p = {0};
    snprintf(p.roles, sizeof p.roles, "privacy_officer");
    stad_scope *sc, *copy;
    OK(stad_privacy_scope(st, &p, &sc));
    assert_true(sc->n > 0);
    OK(stad_privacy_scope_dup(sc, &copy));
    assert_int_equal(copy->n, sc->n);
    assert_int_equal(copy->all, sc->all);
    assert_string_equal(copy->key, sc->key);
    assert_ptr_not_equal(copy->source_ids, sc->source_ids);
    assert_memory_equal(copy->source_ids, sc->source_ids, sc->n * sizeof *sc->source_ids);
    stad_privacy_scope_free(sc);
    stad_privacy_scope_free(copy);

    stad_audit_row rows[3];
    const char *actions[3] = {"read", "denied", "logout"};
    for (int i = 0; i < 3; i++)
        rows[i] = (stad_audit_row){.t = 7000 + i, .actor = "erik", .interface = "http",
                                   .action = actions[i], .rows = i == 0 ? 5 : -1};
    OK(stad_privacy_audit_rows(st, rows, 3));
    OK(stad_privacy_audit_rows(st, rows, 0));
    assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE actor = 'erik'"), 3);
    assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE actor = 'erik' AND "
                             "action = 'read' AND rows = 5 AND t = 7000"), 1);
    /* in the order given */
    assert_int_equal(sql_int("SELECT t FROM audit WHERE actor = 'erik' ORDER BY id LIMIT 1"),
                     7000);
    assert_int_equal(sql_int("SELECT t FROM audit WHERE actor = 'erik' ORDER BY id DESC "
                             "LIMIT 1"), 7002);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_and_audit_append_only),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_accounts),
        cmocka_unit_test(test_backoff_values),
        cmocka_unit_test(test_login_sessions),
        cmocka_unit_test(test_brute_force),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_scope_and_register),
        cmocka_unit_test(test_retention),
        cmocka_unit_test(test_audit_filter),
        cmocka_unit_test(test_access_generation),
        cmocka_unit_test(test_session_rule),
        cmocka_unit_test(test_scope_dup_and_audit_rows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

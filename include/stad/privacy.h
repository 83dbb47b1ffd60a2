/* stad privacy: the source register, accounts, roles, sessions, the access scope and
 * the audit log. See docs/privacy.md.
 *
 * Who may read what is decided in one place, stad_privacy_scope: a principal (an
 * account with its roles, or the local CLI user) gets the list of sources whose
 * events it may read; stad_privacy_scope_apply puts that list into an event filter,
 * so every read through the store's filters sees only those sources.
 *
 * Ownership: stad_privacy_scope hands out a scope released with
 * stad_privacy_scope_free (accepts NULL). Rows passed to callbacks are valid during
 * the callback only. Passwords and tokens passed in are not kept. All functions take
 * the store of the caller's thread; those that write open their own transaction
 * unless noted. */
#ifndef STAD_PRIVACY_H
#define STAD_PRIVACY_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "store.h"

#define STAD_NAME_MAX 64        /* account names: [a-z0-9._-], 1..63 chars */
#define STAD_ROLES_MAX 256      /* comma-separated role list */
#define STAD_PASSWORD_MIN 10    /* characters */
#define STAD_PASSWORD_MAX 1024
#define STAD_TOKEN_LEN 64       /* session token: 32 random bytes as hex */

/* Who is asking. */
typedef struct stad_principal {
    int64_t account_id;           /* 0 for the local CLI user */
    char name[STAD_NAME_MAX + 8]; /* account name, or "cli:<os user>" */
    char roles[STAD_ROLES_MAX];   /* comma-separated */
} stad_principal;

/* 1 when the comma-separated list has role. */
int stad_privacy_has_role(const char *roles, const char *role);
/* Checks that every role in the comma-separated list exists in the store's role
 * table and that the list is not empty; STAD_EINVAL with the unknown role. */
int stad_privacy_roles_check(stad_store *s, const char *roles);

/* What a principal may do besides reading source data; the table is in
 * privacy_roles.c and docs/privacy.md. */
typedef enum stad_privacy_action {
    STAD_MAY_READ_DATA,      /* data routes (events, stats, hotspots, ...) */
    STAD_MAY_READ_AREAS,     /* area polygons (open geography) */
    STAD_MAY_READ_REGISTER,  /* the source register with its pending sources */
    STAD_MAY_WRITE_REGISTER, /* set and approve sources */
    STAD_MAY_READ_AUDIT,
    STAD_MAY_MANAGE_USERS,
    STAD_MAY_PLAN_CAMPAIGN,  /* whole campaign plans on any date, the follow-up list */
    STAD_MAY_WORK_CAMPAIGN,  /* one's own route of today, recording visit results */
    STAD_MAY_READ_SOCIAL,    /* social-domain analyses (suppressed aggregates) */
    STAD_MAY_READ_SOCIAL_OWN, /* the same, of the source one holds (register's holder) */
} stad_privacy_action;
int stad_privacy_may(const stad_principal *p, stad_privacy_action a);
/* Short name of an action ("read_data"), for messages and tests. */
const char *stad_privacy_action_name(stad_privacy_action a);

/* ---- accounts ---- */
typedef struct stad_account_row {
    int64_t id;
    const char *name;
    const char *roles;
    int locked;
    int failures;
    int64_t last_failure, created, pw_changed; /* unix seconds (UTC) */
} stad_account_row;

/* `actor` names who makes the change, for the audit log. */
int stad_privacy_user_add(stad_store *s, const char *actor, const char *interface,
                          const char *name, const char *roles, const char *password);
int stad_privacy_user_passwd(stad_store *s, const char *actor, const char *interface,
                             const char *name, const char *password);
/* Locks (ending every session of the account) or unlocks (clearing the failures). */
int stad_privacy_user_lock(stad_store *s, const char *actor, const char *interface,
                           const char *name, int locked);
int stad_privacy_user_set_roles(stad_store *s, const char *actor, const char *interface,
                                const char *name, const char *roles);
int stad_privacy_users_each(stad_store *s, int (*cb)(void *, const stad_account_row *),
                            void *user);

/* ---- login and sessions ---- */
typedef struct stad_session_policy {
    int64_t idle_seconds;     /* a session unused this long ends; default 30 min */
    int64_t absolute_seconds; /* and every session ends this long after login; 12 h */
    int free_failures;        /* failed logins before the back-off starts; 3 */
    int64_t backoff_max;      /* longest wait between attempts, seconds; 900 */
    int lock_after;           /* lock the account after this many failures; 0 = never */
} stad_session_policy;
void stad_session_policy_init(stad_session_policy *p);

/* Seconds an account (or client) with `failures` consecutive failures, the last at
 * `last_failure`, must still wait at `now` before the next attempt (0 = may try). */
int64_t stad_privacy_backoff(const stad_session_policy *pol, int failures,
                             int64_t last_failure, int64_t now);

/* Checks name and password (argon2id) and on success opens a session: token gets
 * STAD_TOKEN_LEN hex characters and a NUL; *p describes the account. Fails with
 * STAD_EDENIED (unknown name, wrong password, locked account: one message for all)
 * or STAD_EAGAIN while the account's back-off lasts (*retry_after in seconds).
 * Every attempt is audited (login / login.failed / login.throttled). */
int stad_privacy_login(stad_store *s, const stad_session_policy *pol, const char *interface,
                       const char *name, const char *password, int64_t now,
                       char token[STAD_TOKEN_LEN + 1], stad_principal *p,
                       int64_t *retry_after);
/* Read-only check of a session token: STAD_EDENIED when unknown, expired, idle too
 * long or its account is locked. *touch is set when last_seen is more than a minute
 * old (the caller then calls stad_privacy_session_touch, possibly later).
 * It is stad_privacy_session_read followed by stad_privacy_session_usable. */
int stad_privacy_session_check(stad_store *s, const stad_session_policy *pol,
                               const char *token, int64_t now, stad_principal *p,
                               int *touch);

/* A session as the store keeps it, with its account. */
typedef struct stad_session_state {
    stad_principal who;
    int locked;                /* the account is locked */
    int64_t last_seen, expires; /* unix seconds (UTC) */
} stad_session_state;
#define STAD_TOKEN_DIGEST_LEN 32
/* The digest (BLAKE2b) the store keys a session by: a token is kept only in this
 * form. Returns 0, or -1 (digest zeroed) for a token that is not 64 hex digits. */
int stad_privacy_token_digest(const char *token,
                              unsigned char digest[STAD_TOKEN_DIGEST_LEN]);
/* Reads the session of token with its account, no rule applied; STAD_EDENIED
 * ("no session") when there is none. */
int stad_privacy_session_read(stad_store *s, const char *token, stad_session_state *out);
/* THE session rule, without I/O, so that a copy held in memory is judged exactly as
 * the store's row: 1 when usable at now, else 0 with the reason in *why (locked,
 * expired, idle too long). *touch as in stad_privacy_session_check. */
int stad_privacy_session_usable(const stad_session_policy *pol, const stad_session_state *ss,
                                int64_t now, int *touch, const char **why);
int stad_privacy_session_touch(stad_store *s, const char *token, int64_t now);
/* Ends the session (logout); no error when it does not exist. Also removes
 * sessions that expired before now. */
int stad_privacy_session_end(stad_store *s, const char *token, int64_t now);
/* The CSRF token bound to a session token (keyed BLAKE2b, hex): sent to the page
 * and required in a header on every state-changing request. */
void stad_privacy_csrf(const char *token, char out[STAD_TOKEN_LEN + 1]);
/* Constant-time comparison of two NUL-terminated tokens; 1 when equal. */
int stad_privacy_token_equal(const char *a, const char *b);

/* The principal of the local command-line user: the OS user who can open the store
 * file, with role admin (file permissions are the protection; docs/privacy.md). */
void stad_privacy_cli_principal(stad_principal *p);

/* ---- access scope: THE function that decides which sources a caller reads ---- */
typedef struct stad_scope {
    int all;             /* every source is readable (no restriction needed) */
    int64_t *source_ids; /* readable sources, ascending */
    size_t n;
    char key[80];        /* short text naming the scope, for cache keys and audit */
} stad_scope;

/* A source is readable by p when
 *   p has role admin; or
 *   the source is pending and p has role privacy_officer (to vet it); or
 *   the source is approved and its roles list one of p's roles.
 * Role public reads no source. */
int stad_privacy_scope(stad_store *s, const stad_principal *p, stad_scope **out);
/* The scope of work done for a function rather than a person (campaign planning reads
 * what role "enforcement" may, whoever asks): a principal with that role only. */
int stad_privacy_scope_of_role(stad_store *s, const char *role, stad_scope **out);
void stad_privacy_scope_free(stad_scope *sc);
/* A copy of sc (the caller's, released with stad_privacy_scope_free); 0 or
 * STAD_ENOMEM. */
int stad_privacy_scope_dup(const stad_scope *sc, stad_scope **out);
/* Restricts f to the scope (f keeps pointing into sc). */
void stad_privacy_scope_apply(const stad_scope *sc, stad_event_filter *f);
int stad_privacy_scope_has(const stad_scope *sc, int64_t source_id);
/* Sources listed in the register for p: all for admin and privacy_officer, else the
 * readable ones; pending sources are never shown to others. */
int stad_privacy_may_see_source(const stad_principal *p, const stad_scope *sc,
                                int64_t source_id);

/* ---- source register ---- */
typedef struct stad_source_update {
    const char *holder, *purpose, *legal_basis, *sensitivity, *roles; /* NULL: keep */
    int retention_days; /* -1: keep; 0: unset */
} stad_source_update;
void stad_source_update_init(stad_source_update *u);
/* Creates the source when missing (pending) and updates the given fields. Changing
 * the roles or the purpose of an approved source sends it back to pending. */
int stad_privacy_source_set(stad_store *s, const char *actor, const char *interface,
                            const char *name, const stad_source_update *u);
/* Approves (holder, purpose, legal basis, retention and roles must be set) or,
 * with approve = 0, withdraws the approval. */
int stad_privacy_source_approve(stad_store *s, const char *actor, const char *interface,
                                const char *name, int approve);

/* ---- retention ---- */
typedef struct stad_retention_row {
    const char *source;
    int retention_days;
    int64_t batches, events; /* expired batches and the events deleted (or to delete) */
} stad_retention_row;
/* Deletes the events of batches that finished more than the source's retention
 * before now, marks those batches "expired", and audits the counts; with dry_run
 * only reports. cb (may be NULL) gets one row per source with a retention. */
int stad_privacy_retention_run(stad_store *s, const char *actor, const char *interface,
                               int64_t now, int dry_run,
                               int (*cb)(void *, const stad_retention_row *), void *user);

/* ---- audit log (append-only) ---- */
typedef struct stad_audit_row {
    int64_t id;
    int64_t t;             /* unix seconds (UTC) */
    const char *actor;     /* account name or cli:<os user> */
    const char *interface; /* "http" | "cli" */
    const char *action;    /* "read", "login", "login.failed", "register.approve", ... */
    const char *route;     /* route or command, "" when none */
    const char *query;     /* parameters without personal values, "" when none */
    const char *sources;   /* readable source ids the read covered ("all", "1,3"), or "" */
    int64_t rows;          /* rows returned or exported; -1 = not applicable */
    const char *outcome;   /* "ok", "denied", ... */
} stad_audit_row;

/* Appends one row (its own statement; inside the caller's transaction if any). */
int stad_privacy_audit(stad_store *s, const stad_audit_row *r);
/* Appends n rows in order with one prepared statement (a server's batch). */
int stad_privacy_audit_rows(stad_store *s, const stad_audit_row *rows, size_t n);

typedef struct stad_audit_filter {
    int64_t since, until; /* unix seconds; 0 = open */
    const char *actor;    /* NULL = all */
    const char *action;   /* prefix ("login" matches login.failed); NULL = all */
    int64_t limit;        /* newest first; 0 = 1000 */
} stad_audit_filter;
int stad_privacy_audit_each(stad_store *s, const stad_audit_filter *f,
                            int (*cb)(void *, const stad_audit_row *), void *user);

#endif

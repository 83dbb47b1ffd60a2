/* Internals of the privacy module: SQL helpers over the store's connection. */
#ifndef STAD_PRIVACY_INTERNAL_H
#define STAD_PRIVACY_INTERNAL_H

#include <sqlite3.h>

#include "stad/privacy.h"

/* Prepares sql; on failure records "<what>: <sqlite message>" and returns STAD_ESTORE. */
int priv_prepare(stad_store *s, const char *sql, sqlite3_stmt **st, const char *what);
/* Records the connection's last SQLite error and returns STAD_ESTORE. */
int priv_fail_sql(stad_store *s, const char *what);
/* Runs a statement without rows; 0 or STAD_ESTORE. Finalizes st. */
int priv_step_done(stad_store *s, sqlite3_stmt *st, const char *what);
/* Name rules for accounts: 1..63 of [a-z0-9._-], starting with a letter or digit. */
int priv_name_ok(const char *name);
/* Text column as "" when NULL. */
const char *priv_col_text(sqlite3_stmt *st, int i);
/* Appends an audit row with the common fields; rows -1 = none. */
int priv_audit(stad_store *s, const char *actor, const char *interface, const char *action,
               const char *route, const char *query, int64_t rows, const char *outcome);

#endif

/* SQL helpers shared by the privacy files. */
#include <string.h>
#include <time.h>

#include "privacy/privacy_internal.h"

int priv_fail_sql(stad_store *s, const char *what)
{
    return stad_fail(stad_store_ctx(s), STAD_ESTORE, "%s: %s", what,
                     sqlite3_errmsg(stad_store_db(s)));
}

int priv_prepare(stad_store *s, const char *sql, sqlite3_stmt **st, const char *what)
{
    *st = NULL;
    if (sqlite3_prepare_v2(stad_store_db(s), sql, -1, st, NULL) != SQLITE_OK)
        return priv_fail_sql(s, what);
    return 0;
}

int priv_step_done(stad_store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : priv_fail_sql(s, what);
    sqlite3_finalize(st);
    return rc;
}

int priv_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= STAD_NAME_MAX || name[0] == '.' || name[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return 0;
    }
    return 1;
}

const char *priv_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

int priv_audit(stad_store *s, const char *actor, const char *interface, const char *action,
               const char *route, const char *query, int64_t rows, const char *outcome)
{
    stad_audit_row r = {.t = (int64_t)time(NULL), .actor = actor, .interface = interface,
                        .action = action, .route = route, .query = query, .sources = "",
                        .rows = rows, .outcome = outcome};
    return stad_privacy_audit(s, &r);
}

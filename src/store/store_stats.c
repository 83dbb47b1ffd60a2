/* Counts per area x kind x period, and the SQL functions that make period keys. */
#include <string.h>

#include "stad/timeparse.h"
#include "store/store_internal.h"

/* stad_week(t) -> "2017-W38", stad_month(t) -> "2017-09" on naive local seconds;
 * the same keys as timeparse.h so SQL and C group alike. */
static void sql_period_key(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    char buf[32];
    int64_t t = sqlite3_value_int64(argv[0]);
    if (sqlite3_user_data(c))
        stad_time_week_key(t, buf, sizeof buf);
    else
        stad_time_month_key(t, buf, sizeof buf);
    sqlite3_result_text(c, buf, -1, SQLITE_TRANSIENT);
}

int store_register_functions(stad_store *s)
{
    static int week = 1; /* any non-NULL pointer marks the week variant */
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    if (sqlite3_create_function_v2(s->db, "stad_week", 1, flags, &week, sql_period_key,
                                   NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(s->db, "stad_month", 1, flags, NULL, sql_period_key,
                                   NULL, NULL, NULL) != SQLITE_OK)
        return store_fail_sql(s, "registering SQL functions");
    return 0;
}

int stad_store_stats_each(stad_store *s, const stad_event_filter *f, const char *level,
                          const char *period, int (*cb)(void *, const stad_stat_row *),
                          void *user)
{
    const char *area_col, *period_expr;
    if (level && strcmp(level, "wijk") == 0)
        area_col = "e.wijk_id";
    else if (level && strcmp(level, "buurt") == 0)
        area_col = "e.buurt_id";
    else
        return stad_fail(s->ctx, STAD_EINVAL, "stats level must be wijk or buurt, not %s",
                         level ? level : "(null)");
    if (period && strcmp(period, "week") == 0)
        period_expr = "stad_week(e.t_from)";
    else if (period && strcmp(period, "month") == 0)
        period_expr = "stad_month(e.t_from)";
    else if (period && strcmp(period, "all") == 0)
        period_expr = "'all'";
    else
        return stad_fail(s->ctx, STAD_EINVAL,
                         "stats period must be week, month or all, not %s",
                         period ? period : "(null)");

    stad_strbuf sql = STAD_STRBUF_INIT;
    stad_strbuf_printf(&sql,
                       "SELECT coalesce(a.code, ''), coalesce(a.name, ''), e.kind, "
                       "%s AS p, sum(e.count) FROM event e LEFT JOIN area a ON a.id = %s",
                       period_expr, area_col);
    int rc = store_filter_sql(s, f, &sql);
    if (!rc)
        stad_strbuf_append(&sql, " GROUP BY a.id, e.kind, p ORDER BY 1, 3, 4");
    if (!rc && sql.oom)
        rc = stad_fail(s->ctx, STAD_ENOMEM, "building stats query");
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = store_prepare(s, stad_strbuf_str(&sql), &st, "counting events");
    stad_strbuf_free(&sql);
    if (rc)
        return rc;
    int idx = 1;
    rc = store_filter_bind(s, st, f, &idx);
    /* f->limit is about events, not about count rows: ignored here. */
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        stad_stat_row r = {
            .area_code = store_col_text(st, 0),
            .area_name = store_col_text(st, 1),
            .kind = store_col_text(st, 2),
            .period = store_col_text(st, 3),
            .count = sqlite3_column_int64(st, 4),
        };
        rc = cb(user, &r);
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail_sql(s, "counting events");
    sqlite3_finalize(st);
    return rc;
}

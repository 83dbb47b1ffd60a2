/* Values as municipal files write them: numbers with decimal commas, and time
 * windows spread over one or two columns per end. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stad/timeparse.h"
#include "ingest/ingest_internal.h"

int ingest_parse_number(const char *s, double *out)
{
    char buf[64];
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof buf)
        return STAD_EPARSE;
    const char *lastdot = NULL, *lastcomma = NULL;
    size_t ndot = 0, ncomma = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            lastdot = s + i;
            ndot++;
        } else if (c == ',') {
            lastcomma = s + i;
            ncomma++;
        } else if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e' || c == 'E')) {
            return STAD_EPARSE;
        }
    }
    /* The decimal mark: the later of '.' and ',' when both appear; a single ','
     * alone is a decimal comma; repeated marks of one kind are thousands marks. */
    char dec = '.';
    if (ndot && ncomma)
        dec = lastcomma > lastdot ? ',' : '.';
    else if (ncomma)
        dec = ncomma == 1 ? ',' : 0;
    else if (ndot > 1)
        dec = 0;
    if ((dec == ',' && ncomma > 1) || (dec == '.' && ndot > 1))
        return STAD_EPARSE;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.' || c == ',') {
            if (c == dec)
                buf[k++] = '.';
            continue; /* a thousands mark */
        }
        buf[k++] = c;
    }
    buf[k] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (end == buf || *end || !isfinite(v))
        return STAD_EPARSE;
    *out = v;
    return 0;
}

/* Reads a number up to one of the stop characters (or the end); the number may not
 * contain them. Returns the position after it, or NULL. */
static const char *number_until(const char *s, const char *stops, double *out)
{
    char buf[64];
    size_t n = strcspn(s, stops);
    if (n == 0 || n >= sizeof buf)
        return NULL;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return ingest_parse_number(buf, out) == 0 ? s + n : NULL;
}

static const char *skip_blanks(const char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

int ingest_parse_point(const char *s, double *a, double *b, int *lat_first, long *srid)
{
    s = skip_blanks(s);
    *srid = 0;
    if (strncasecmp(s, "SRID=", 5) == 0) {
        char *end;
        *srid = strtol(s + 5, &end, 10);
        if (*end != ';' || *srid <= 0 || *srid > 999999)
            return STAD_EPARSE;
        s = end + 1;
    }
    if (strncasecmp(s, "POINT", 5) == 0) {
        s = skip_blanks(s + 5);
        if (*s++ != '(')
            return STAD_EPARSE;
        if (!(s = number_until(skip_blanks(s), " ", a)))
            return STAD_EPARSE;
        if (!(s = number_until(skip_blanks(s), " )", b)))
            return STAD_EPARSE;
        *lat_first = 0;
    } else if (*s == '(') {
        if (!(s = number_until(s + 1, ",", a)) || !(s = number_until(s + 1, ")", b)))
            return STAD_EPARSE;
        *lat_first = 1;
    } else {
        return STAD_EPARSE;
    }
    s = skip_blanks(s);
    if (*s++ != ')')
        return STAD_EPARSE;
    return *skip_blanks(s) ? STAD_EPARSE : 0;
}

static int empty(const char *s)
{
    if (!s)
        return 1;
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

/* Date (and time) of one end of the window, from a datetime column or a date column
 * plus a time column. *t_end is the last second the value covers (end of day for a
 * date). Returns 1 when a value was present, 0 when absent, or an error. */
static int one_end(const char *dt, int dt_role, const char *date, int date_role,
                   const char *clock, int clock_role, int order, int64_t *t, int64_t *t_end,
                   int *col_out, const char **why)
{
    const char *v = !empty(dt) ? dt : date;
    int role = !empty(dt) ? dt_role : date_role;
    if (empty(v))
        return 0;
    int prec = 0;
    int rc = stad_time_parse_order(v, order, t, &prec, why);
    if (rc) {
        *col_out = role;
        return rc;
    }
    *t_end = *t;
    if (prec == STAD_TIME_DAY) {
        if (!empty(clock)) {
            int32_t secs;
            rc = stad_time_parse_clock(clock, &secs, why);
            if (rc) {
                *col_out = clock_role;
                return rc;
            }
            *t += secs;
            *t_end = *t;
        } else {
            *t_end = *t + 86399;
        }
    }
    return 1;
}

int ingest_parse_window(const ingest_time_in *in, int64_t *t_from, int64_t *t_to,
                        int *col_out, const char **why)
{
    int64_t from, from_end, to = 0, to_end = 0;
    *why = NULL;
    int rc = one_end(in->from, INGEST_ROLE_TIME_FROM, in->date, INGEST_ROLE_DATE, in->time,
                     INGEST_ROLE_TIME, in->date_order, &from, &from_end, col_out, why);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        *col_out = in->from ? INGEST_ROLE_TIME_FROM : INGEST_ROLE_DATE;
        *why = "no date";
        return STAD_EPARSE;
    }
    rc = one_end(in->to, INGEST_ROLE_TIME_TO, in->to_date, INGEST_ROLE_TO_DATE, in->to_time,
                 INGEST_ROLE_TO_TIME, in->date_order, &to, &to_end, col_out, why);
    if (rc < 0)
        return rc;
    if (rc == 0 && !empty(in->to_time)) {
        /* only an end time: the same day as the begin, or the next when it is earlier */
        int32_t secs;
        rc = stad_time_parse_clock(in->to_time, &secs, why);
        if (rc) {
            *col_out = INGEST_ROLE_TO_TIME;
            return rc;
        }
        int64_t day = from - ((from % 86400) + 86400) % 86400;
        to_end = day + secs;
        if (to_end < from)
            to_end += 86400;
        rc = 1;
    }
    if (rc == 0) {
        *t_from = from;
        *t_to = from_end;
        return 0;
    }
    if (to_end < from) {
        *col_out = !empty(in->to) ? INGEST_ROLE_TIME_TO
                   : !empty(in->to_date) ? INGEST_ROLE_TO_DATE : INGEST_ROLE_TO_TIME;
        *why = "end before begin";
        return STAD_ERANGE;
    }
    *t_from = from;
    *t_to = to_end;
    return 0;
}

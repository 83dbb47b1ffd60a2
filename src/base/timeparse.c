/* Date and time parsing for the formats municipal and police files use. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stad/base.h"
#include "stad/timeparse.h"

int64_t stad_days_from_civil(int y, int m, int d)
{
    /* Days from civil (Howard Hinnant's algorithm, public domain description). */
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void stad_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int stad_date_valid(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* ---- a small cursor over the text ---- */

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_space(cursor *c)
{
    while (c->p < c->end && isspace((unsigned char)*c->p))
        c->p++;
}

/* Reads 1..maxdigits digits; returns the number of digits read. */
static int read_int(cursor *c, int maxdigits, int *out)
{
    int n = 0, v = 0;
    while (c->p < c->end && n < maxdigits && isdigit((unsigned char)*c->p)) {
        v = v * 10 + (*c->p - '0');
        c->p++;
        n++;
    }
    *out = v;
    return n;
}

static int accept(cursor *c, const char *chars)
{
    if (c->p < c->end && strchr(chars, *c->p) && *c->p) {
        c->p++;
        return 1;
    }
    return 0;
}

static size_t read_word(cursor *c, char *buf, size_t size)
{
    size_t n = 0;
    while (c->p < c->end && isalpha((unsigned char)*c->p)) {
        if (n + 1 < size)
            buf[n++] = (char)tolower((unsigned char)*c->p);
        c->p++;
    }
    buf[n] = '\0';
    return n;
}

/* Month number for Dutch and English names and abbreviations, 0 if none. */
static int month_from_word(const char *w)
{
    static const struct { const char *name; int month; } names[] = {
        {"januari", 1}, {"january", 1}, {"jan", 1},
        {"februari", 2}, {"february", 2}, {"feb", 2}, {"febr", 2},
        {"maart", 3}, {"march", 3}, {"mrt", 3}, {"mar", 3}, {"maa", 3},
        {"april", 4}, {"apr", 4},
        {"mei", 5}, {"may", 5},
        {"juni", 6}, {"june", 6}, {"jun", 6},
        {"juli", 7}, {"july", 7}, {"jul", 7},
        {"augustus", 8}, {"august", 8}, {"aug", 8},
        {"september", 9}, {"sep", 9}, {"sept", 9},
        {"oktober", 10}, {"october", 10}, {"okt", 10}, {"oct", 10},
        {"november", 11}, {"nov", 11},
        {"december", 12}, {"dec", 12},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(w, names[i].name) == 0)
            return names[i].month;
    return 0;
}

static int is_weekday(const char *w)
{
    static const char *days[] = {
        "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
        "ma", "di", "wo", "do", "vr", "za", "zo",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "mon", "tue", "wed", "thu", "fri", "sat", "sun",
    };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        if (strcmp(w, days[i]) == 0)
            return 1;
    return 0;
}

static int fail(const char **why, const char *reason, int code)
{
    if (why)
        *why = reason;
    return code;
}

/* hh:mm[:ss[.fff]] or hh.mm; the cursor stands on the first digit. */
static int parse_clock(cursor *c, int32_t *secs, const char **why)
{
    int h, m = 0, s = 0;
    int nd = read_int(c, 2, &h);
    if (nd == 0)
        return fail(why, "expected a time of day", STAD_EPARSE);
    if (accept(c, ":.")) {
        if (read_int(c, 2, &m) != 2)
            return fail(why, "expected minutes after the hour", STAD_EPARSE);
        if (accept(c, ":")) {
            if (read_int(c, 2, &s) != 2)
                return fail(why, "expected seconds after the minutes", STAD_EPARSE);
            if (accept(c, ".,")) {
                int frac;
                read_int(c, 9, &frac); /* fractions of a second are dropped */
            }
        }
    } else if (nd == 2 && c->p + 2 <= c->end && isdigit((unsigned char)c->p[0]) &&
               isdigit((unsigned char)c->p[1])) {
        read_int(c, 2, &m); /* "1730" */
    } else {
        return fail(why, "expected hh:mm", STAD_EPARSE);
    }
    if (h > 24 || m > 59 || s > 60 || (h == 24 && (m || s)))
        return fail(why, "impossible time of day", STAD_ERANGE);
    if (s == 60)
        s = 59; /* a leap second is not worth a reject */
    *secs = h * 3600 + m * 60 + s;
    return 0;
}

/* A 12-hour clock's "AM"/"PM" ("a.m.", "p.m." too) after the time, as US exports write
 * it: 12 AM is midnight, 12 PM noon. Leaves the cursor alone when none follows.
 * Returns 0, or STAD_ERANGE for an hour that no 12-hour clock shows ("13:00 PM"). */
static int apply_meridiem(cursor *c, int32_t *secs, const char **why)
{
    cursor save = *c;
    skip_space(c);
    char w[3] = {0};
    size_t n = 0;
    while (c->p < c->end && n < 2 && (isalpha((unsigned char)*c->p) || *c->p == '.')) {
        if (*c->p != '.')
            w[n++] = (char)tolower((unsigned char)*c->p);
        c->p++;
    }
    accept(c, ".");
    int pm = strcmp(w, "pm") == 0, am = strcmp(w, "am") == 0;
    if ((!pm && !am) || (c->p < c->end && isalpha((unsigned char)*c->p))) {
        *c = save;
        return 0;
    }
    int h = *secs / 3600;
    if (h > 12 || (pm && h == 0))
        return fail(why, "impossible time of day for a 12-hour clock", STAD_ERANGE);
    if (h == 12)
        *secs -= 12 * 3600;
    if (pm)
        *secs += 12 * 3600;
    return 0;
}

/* Optional zone suffix: Z, +01:00, +0100. stad keeps naive local time, so a zone is
 * accepted and ignored (the sources we know write local clock time with a 'Z'). */
static void skip_zone(cursor *c)
{
    if (accept(c, "Zz"))
        return;
    if (c->p < c->end && (*c->p == '+' || *c->p == '-') && c->end - c->p >= 3 &&
        isdigit((unsigned char)c->p[1])) {
        c->p++;
        int v;
        read_int(c, 2, &v);
        accept(c, ":");
        read_int(c, 2, &v);
    }
}

static int finish(int y, int mo, int d, cursor *c, int64_t *t, int *precision,
                  const char **why)
{
    if (y < 100)
        y += y < 70 ? 2000 : 1900; /* two-digit years in police exports */
    if (y < 1800 || y > 2200)
        return fail(why, "year out of range", STAD_ERANGE);
    if (!stad_date_valid(y, mo, d))
        return fail(why, "impossible date", STAD_ERANGE);
    int32_t secs = 0;
    int prec = STAD_TIME_DAY;
    const char *before = c->p;
    accept(c, "T,");
    skip_space(c);
    if (c->p < c->end && isdigit((unsigned char)*c->p)) {
        int rc = parse_clock(c, &secs, why);
        if (rc)
            return rc;
        prec = STAD_TIME_MINUTE;
        if ((rc = apply_meridiem(c, &secs, why)))
            return rc;
        skip_space(c);
        skip_zone(c);
        skip_space(c);
        char w[8];
        cursor save = *c;
        if (read_word(c, w, sizeof w) && strcmp(w, "uur") != 0 && strcmp(w, "u") != 0)
            *c = save;
    } else {
        c->p = before;
        skip_space(c);
    }
    skip_space(c);
    if (c->p != c->end)
        return fail(why, "unexpected text after the date", STAD_EPARSE);
    *t = stad_days_from_civil(y, mo, d) * 86400 + secs;
    if (precision)
        *precision = prec;
    return 0;
}

/* Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 the fictitious
 * 1900-02-29, so serials from 61 on count from 1899-12-30. */
static int parse_excel_serial(const char *s, const char *end, int64_t *t, int *precision,
                              const char **why)
{
    char buf[64];
    size_t n = (size_t)(end - s);
    if (n >= sizeof buf)
        return fail(why, "number too long for a date", STAD_EPARSE);
    for (size_t i = 0; i < n; i++)
        buf[i] = s[i] == ',' ? '.' : s[i];
    buf[n] = '\0';
    char *stop;
    double v = strtod(buf, &stop);
    if (*stop != '\0')
        return fail(why, "not a number", STAD_EPARSE);
    /* The same year range as written dates: up to the end of 2200. */
    double last = (double)(stad_days_from_civil(2201, 1, 1) - stad_days_from_civil(1899, 12, 30));
    if (!(v >= 1.0 && v < last))
        return fail(why, "Excel serial date out of range", STAD_ERANGE);
    double day = floor(v);
    int64_t secs = (int64_t)llround((v - day) * 86400.0);
    int64_t base = day >= 61 ? stad_days_from_civil(1899, 12, 30)
                             : stad_days_from_civil(1899, 12, 31);
    if (day == 60)
        return fail(why, "Excel serial 60 is the non-existent 1900-02-29", STAD_ERANGE);
    *t = (base + (int64_t)day) * 86400 + secs;
    if (precision)
        *precision = secs ? STAD_TIME_MINUTE : STAD_TIME_DAY;
    return 0;
}

int stad_time_parse(const char *s, int64_t *t, int *precision, const char **why)
{
    return stad_time_parse_order(s, STAD_DATE_DAY_FIRST, t, precision, why);
}

int stad_time_parse_order(const char *s, int order, int64_t *t, int *precision,
                          const char **why)
{
    if (!s)
        return fail(why, "empty date", STAD_EPARSE);
    cursor c = {s, s + strlen(s)};
    skip_space(&c);
    while (c.end > c.p && isspace((unsigned char)c.end[-1]))
        c.end--;
    if (c.p == c.end)
        return fail(why, "empty date", STAD_EPARSE);

    /* A bare number: yyyymmdd or an Excel serial. */
    const char *q = c.p;
    int digits = 0, seps = 0;
    for (; q < c.end; q++) {
        if (isdigit((unsigned char)*q))
            digits++;
        else if (*q == '.' || *q == ',')
            seps++;
        else
            break;
    }
    if (q == c.end && seps <= 1) {
        if (digits == 8 && seps == 0) {
            int v;
            read_int(&c, 4, &v);
            int y = v, mo, d;
            read_int(&c, 2, &mo);
            read_int(&c, 2, &d);
            return finish(y, mo, d, &c, t, precision, why);
        }
        /* dd.mm is not a date; a short number with one separator is a serial. */
        return parse_excel_serial(c.p, c.end, t, precision, why);
    }

    /* Leading weekday ("woensdag 20 september 2017", "wo 20-09-2017"). */
    char word[16];
    cursor save = c;
    if (read_word(&c, word, sizeof word)) {
        if (is_weekday(word)) {
            accept(&c, ".,");
            skip_space(&c);
        } else {
            c = save;
        }
    }

    int a, b, y;
    /* month name first, as US text writes it: "Jan 5, 2018 10:00 PM" */
    save = c;
    if (read_word(&c, word, sizeof word) && (b = month_from_word(word)) != 0) {
        accept(&c, ".");
        skip_space(&c);
        if (!read_int(&c, 2, &a))
            return fail(why, "expected a day after the month", STAD_EPARSE);
        accept(&c, ",");
        skip_space(&c);
        if (read_int(&c, 4, &y) != 4)
            return fail(why, "expected a year", STAD_EPARSE);
        accept(&c, ",");
        return finish(y, b, a, &c, t, precision, why);
    }
    c = save;
    int na = read_int(&c, 4, &a);
    if (na == 0)
        return fail(why, "no date found", STAD_EPARSE);
    if (na == 4) { /* yyyy-mm-dd or yyyy/mm/dd */
        if (!accept(&c, "-/."))
            return fail(why, "expected '-' after the year", STAD_EPARSE);
        if (!read_int(&c, 2, &b) || !accept(&c, "-/."))
            return fail(why, "expected a month", STAD_EPARSE);
        int d;
        if (!read_int(&c, 2, &d))
            return fail(why, "expected a day", STAD_EPARSE);
        return finish(a, b, d, &c, t, precision, why);
    }
    if (na > 2)
        return fail(why, "unrecognised date", STAD_EPARSE);
    /* d-m-yyyy, d/m/yyyy, d.m.yyyy, or d month yyyy (m/d/yyyy when month first) */
    skip_space(&c);
    int sep_dash = accept(&c, "-/.");
    skip_space(&c);
    if (c.p < c.end && isalpha((unsigned char)*c.p)) {
        read_word(&c, word, sizeof word);
        b = month_from_word(word);
        if (!b)
            return fail(why, "unknown month name", STAD_EPARSE);
        accept(&c, ".");
        skip_space(&c);
        accept(&c, "-/");
        skip_space(&c);
    } else {
        if (!sep_dash)
            return fail(why, "unrecognised date", STAD_EPARSE);
        if (!read_int(&c, 2, &b))
            return fail(why, "expected a month", STAD_EPARSE);
        if (!accept(&c, "-/."))
            return fail(why, "expected a separator after the month", STAD_EPARSE);
        if (order == STAD_DATE_MONTH_FIRST) {
            int m = a;
            a = b;
            b = m;
        }
    }
    int ny = read_int(&c, 4, &y);
    if (ny != 4 && ny != 2)
        return fail(why, "expected a year", STAD_EPARSE);
    return finish(y, b, a, &c, t, precision, why);
}

int stad_time_order_evidence(const char *s)
{
    /* Only "d-m-..." with two numbers up front can depend on the order; most files
     * write ISO dates, and this runs for every row until a file shows its order. */
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    int n1 = 0, n2 = 0;
    while (n1 < 3 && isdigit((unsigned char)p[n1]))
        n1++;
    if (n1 == 0 || n1 > 2 || !p[n1] || !strchr("-/.", p[n1]))
        return STAD_DATE_ORDER_NONE;
    p += n1 + 1;
    while (n2 < 3 && isdigit((unsigned char)p[n2]))
        n2++;
    if (n2 == 0 || n2 > 2)
        return STAD_DATE_ORDER_NONE;
    int64_t day_first, month_first;
    int ok_d = stad_time_parse_order(s, STAD_DATE_DAY_FIRST, &day_first, NULL, NULL) == 0;
    int ok_m = stad_time_parse_order(s, STAD_DATE_MONTH_FIRST, &month_first, NULL, NULL) == 0;
    if (ok_d && ok_m)
        return day_first == month_first ? STAD_DATE_ORDER_NONE : STAD_DATE_ORDER_EITHER;
    if (ok_d)
        return STAD_DATE_DAY_FIRST;
    if (ok_m)
        return STAD_DATE_MONTH_FIRST;
    return STAD_DATE_ORDER_NONE;
}

int stad_time_parse_clock(const char *s, int32_t *secs, const char **why)
{
    if (!s)
        return fail(why, "empty time", STAD_EPARSE);
    cursor c = {s, s + strlen(s)};
    skip_space(&c);
    while (c.end > c.p && isspace((unsigned char)c.end[-1]))
        c.end--;
    if (c.p == c.end)
        return fail(why, "empty time", STAD_EPARSE);
    /* An Excel time is a fraction of a day: "0.729166666". */
    if (c.end - c.p > 2 && c.p[0] == '0' && (c.p[1] == '.' || c.p[1] == ',')) {
        char buf[32];
        size_t n = (size_t)(c.end - c.p);
        if (n >= sizeof buf)
            return fail(why, "time too long", STAD_EPARSE);
        for (size_t i = 0; i < n; i++)
            buf[i] = c.p[i] == ',' ? '.' : c.p[i];
        buf[n] = '\0';
        char *stop;
        double v = strtod(buf, &stop);
        if (*stop || v < 0 || v >= 1)
            return fail(why, "not a time of day", STAD_EPARSE);
        *secs = (int32_t)llround(v * 86400.0) % 86400;
        return 0;
    }
    int rc = parse_clock(&c, secs, why);
    if (rc || (rc = apply_meridiem(&c, secs, why)))
        return rc;
    skip_space(&c);
    char w[8];
    read_word(&c, w, sizeof w);
    skip_space(&c);
    if (c.p != c.end)
        return fail(why, "unexpected text after the time", STAD_EPARSE);
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void stad_time_format(int64_t t, char *buf, size_t size)
{
    int64_t days = floor_div(t, 86400), secs = t - days * 86400;
    int y, m, d;
    stad_civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
}

void stad_date_format(int64_t t, char *buf, size_t size)
{
    int y, m, d;
    stad_civil_from_days(floor_div(t, 86400), &y, &m, &d);
    snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

void stad_time_week_key(int64_t t, char *buf, size_t size)
{
    /* ISO 8601 week: the week belongs to the year of its Thursday. */
    int64_t days = floor_div(t, 86400);
    int64_t dow = days + 3 - floor_div(days + 3, 7) * 7; /* 0 = Monday; 1970-01-01 was a Thursday */
    int64_t thursday = days - dow + 3;
    int y, m, d;
    stad_civil_from_days(thursday, &y, &m, &d);
    int64_t jan1 = stad_days_from_civil(y, 1, 1);
    int week = (int)((thursday - jan1) / 7 + 1);
    snprintf(buf, size, "%04d-W%02d", y, week);
}

void stad_time_month_key(int64_t t, char *buf, size_t size)
{
    int y, m, d;
    stad_civil_from_days(floor_div(t, 86400), &y, &m, &d);
    snprintf(buf, size, "%04d-%02d", y, m);
}

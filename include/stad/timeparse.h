/* Dates and times as municipal files write them.
 *
 * stad keeps times as int64 seconds since 1970-01-01 00:00 of the local wall clock
 * ("naive local time"): police and municipal files record local clock time without
 * a zone, and analysis works in local days and weeks, so no zone is applied. */
#ifndef STAD_TIMEPARSE_H
#define STAD_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/* What a parsed value contained. */
enum stad_time_precision {
    STAD_TIME_DAY = 1,    /* a date only: covers the whole day */
    STAD_TIME_MINUTE = 2, /* date and time to the minute (or second) */
};

/* Parses one value. Accepted: ISO 8601 (2017-09-20, 2017-09-20T17:30[:00][Z|+01:00]
 * with 'T' or ' '), dd-mm-yyyy, dd/mm/yyyy, d-m-yyyy, dd.mm.yyyy, each optionally followed
 * by hh:mm[:ss] (with AM/PM on a 12-hour clock); Dutch and English month names
 * ("20 september 2017", "20-sep-2017", "Sep 20, 2017", "woensdag 20 sept. 2017 17:30");
 * Excel serial dates (42998 or 42998.729166...) in the
 * 1900 system. Impossible dates (31-02-2017) and times (25:00) are errors.
 * Returns 0 and sets *t (and *precision if not NULL), or STAD_EPARSE / STAD_ERANGE
 * with a reason in *why (static string; may be NULL). */
int stad_time_parse(const char *s, int64_t *t, int *precision, const char **why);

/* Which of two numeric fields is the day: dd/mm/yyyy (Dutch, the default) or
 * mm/dd/yyyy (US exports). Only d-m-y style dates depend on it; ISO dates, month
 * names and Excel serials read the same either way. */
enum stad_date_order {
    STAD_DATE_DAY_FIRST = 0,
    STAD_DATE_MONTH_FIRST = 1,
};

/* stad_time_parse with the order of day and month given. */
int stad_time_parse_order(const char *s, int order, int64_t *t, int *precision,
                          const char **why);

/* What one value says about the order of its file's dates: STAD_DATE_DAY_FIRST or
 * STAD_DATE_MONTH_FIRST when only that order makes it a real date ("25/12/2017",
 * "12/25/2017"), STAD_DATE_ORDER_EITHER when both orders give different real dates
 * ("03/04/2017"), STAD_DATE_ORDER_NONE when it says nothing (ISO, "01/01/2017",
 * no date at all). */
enum { STAD_DATE_ORDER_NONE = -1, STAD_DATE_ORDER_EITHER = -2 };
int stad_time_order_evidence(const char *s);

/* Parses a time of day "17:30", "17.30", "1730", "17:30:05", "5:30 PM", or an Excel fraction
 * "0.7291666"; returns seconds since midnight in *secs. */
int stad_time_parse_clock(const char *s, int32_t *secs, const char **why);

/* Civil date <-> days since 1970-01-01 (proleptic Gregorian). */
int64_t stad_days_from_civil(int y, int m, int d);
void stad_civil_from_days(int64_t days, int *y, int *m, int *d);
/* 1 if y-m-d is a real date. */
int stad_date_valid(int y, int m, int d);

/* Formats t as "YYYY-MM-DDTHH:MM:SS" into buf (at least 20 bytes). */
void stad_time_format(int64_t t, char *buf, size_t size);
/* Formats t as "YYYY-MM-DD". */
void stad_date_format(int64_t t, char *buf, size_t size);
/* ISO week "2017-W38" and month "2017-09" keys for aggregation. */
void stad_time_week_key(int64_t t, char *buf, size_t size);
void stad_time_month_key(int64_t t, char *buf, size_t size);

#endif

/*
 * report.h: figures for supervisors, computed from the local database
 * (docs/reports.md).  A report is a table: a few key columns and a count.
 * The core only counts; front ends lay the table out.  Small counts are a
 * re-identification risk: every format writes a count under the workspace's
 * threshold (setting report.min_count, default 5) as "<5" (report_count_text).
 */
#ifndef HW_REPORT_H
#define HW_REPORT_H

#include <stddef.h>

#include "workspace.h"

/* Setting: counts under this are written as "<N" (an integer of 1 to 1000). */
#define REPORT_MIN_COUNT "report.min_count"
#define REPORT_MIN_COUNT_DEFAULT 5

/* Which cases a report covers (every member NULL: all cases, all time). */
typedef struct report_filter {
	const char *from, *to;   /* YYYY-MM-DD, both days included */
	const char *country;     /* country of return, two letters (any case) */
	const char *assigned;    /* a person the case is assigned to */
} report_filter;

#define REPORT_FILTER_INIT { NULL, NULL, NULL, NULL }

/* One row: nkeys key values (never NULL; "" for none) and how many. */
typedef struct report_row {
	char **keys;
	long count;
} report_row;

typedef struct report {
	const char *const *columns;   /* names of the key columns (static) */
	size_t nkeys;
	report_row *rows;
	size_t nrows;
	long min_count;               /* the threshold in force */
} report;

#define REPORT_INIT { NULL, 0, NULL, 0, REPORT_MIN_COUNT_DEFAULT }

/* Free what a report holds and make it empty again; NULL is fine. */
void report_clear(report *r);

/*
 * Check a filter: dates that are real days (from not after to) and a
 * two-letter country.  HW_EINVALID with a message naming the option.
 */
int report_filter_check(const report_filter *f, hw_error *err);

/*
 * The threshold of the workspace (setting report.min_count, else 5): an
 * invalid setting is HW_EINVALID naming it.
 */
int report_min_count(hw_ws *ws, long *out);

/* 0 if text is a valid report.min_count (1 to 1000), else HW_EINVALID. */
int report_min_count_check(const char *text);

/*
 * Caseload: columns measure, value.  Rows, in this order:
 *   total      ""                      every case the filter keeps
 *   stage      each stage of case_stages (all of them, 0 included)
 *   assignee   each person ("" = nobody), by person
 *   country    each country of return ("" = not known), by code
 *   vulnerability  each flag cases hold, by flag
 *   minors     "all", "unaccompanied"
 * A case counts when it was opened on or before filter->to and, when it
 * is closed, closed on or after filter->from; its stage is the one it has
 * now.  out is cleared first.
 */
int report_caseload(hw_ws *ws, const report_filter *f, report *out);

/*
 * Returns (Regulation (EU) 2020/851's breakdown): columns month (YYYY-MM),
 * country, type_of_return, assistance_kind, from the departures the fold of
 * case.departed events gives, in the period by day of departure.  For each
 * month, country and type one row with assistance_kind "" (all returns of
 * that type), then one row for each kind of assistance granted; sorted by
 * month, country, type, kind.  out is cleared first.
 */
int report_returns(hw_ws *ws, const report_filter *f, report *out);

/*
 * The text of a count in every format: "<N" when 0 < count < r->min_count,
 * else the number (buf holds it; returns buf or a static string).
 */
const char *report_count_text(const report *r, long count, char buf[32]);

/* True if the count is shown as "<N" (JSON writes it as a string). */
int report_count_hidden(const report *r, long count);

#endif

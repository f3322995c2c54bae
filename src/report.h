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

/* Setting: a case waiting longer than this many days at a step is counted (timeliness). */
#define REPORT_WAIT_DAYS "report.wait_days"
#define REPORT_WAIT_DAYS_DEFAULT 30

/* What a value column (after the count) holds. */
enum {
	REPORT_VALUE_COUNT,   /* a count of people: "<5" under the threshold, as the count */
	REPORT_VALUE_DAYS,    /* a duration in days, withheld when the row's count is hidden */
	REPORT_VALUE_PLAIN,   /* a figure that says nothing of people (a threshold) */
	REPORT_VALUE_SCORE    /* a mean score from 0 to 1, withheld as days are */
};

/* No value: nothing was measured, or the figure does not apply to the row. */
#define REPORT_NONE (-1.0)

/*
 * One row: nkeys key values (never NULL; "" for none), how many, and the
 * report's nvalues further figures (NULL when it has none).
 */
typedef struct report_row {
	char **keys;
	long count;
	double *values;
} report_row;

typedef struct report {
	const char *const *columns;   /* names of the key columns (static) */
	size_t nkeys;
	report_row *rows;
	size_t nrows;
	long min_count;               /* the threshold in force */
	const char *count_column;     /* name of the count column (static; NULL: "count") */
	const char *const *value_columns; /* names of the columns after the count (static) */
	const int *value_kinds;       /* REPORT_VALUE_* of each */
	size_t nvalues;
} report;

#define REPORT_INIT { NULL, 0, NULL, 0, REPORT_MIN_COUNT_DEFAULT, NULL, NULL, NULL, 0 }

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

/* The name of the count column ("count" unless the report says otherwise). */
const char *report_count_name(const report *r);

/*
 * Value j of a row as every format writes it: a count as report_count_text;
 * days with at most one decimal ("12", "12.5"); a score with two ("0.65");
 * "" when there is none or it is withheld (days or a score of a row whose
 * count is hidden: one person's dates or answers are as telling as a
 * count).  Returns buf or a static string.
 */
const char *report_value_text(const report *r, const report_row *row, size_t j, char buf[32]);

/* True if value j of the row is written as text other than a number ("<5", ""). */
int report_value_hidden(const report *r, const report_row *row, size_t j);

/*
 * The waiting threshold of the workspace (setting report.wait_days, else
 * 30): an invalid setting is HW_EINVALID naming it.
 */
int report_wait_days(hw_ws *ws, long *out);

/* 0 if text is a valid report.wait_days (1 to 3650), else HW_EINVALID. */
int report_wait_days_check(const char *text);

/* The steps of a case that timeliness measures, in order. */
extern const char *const report_steps[];   /* contact, decision, departure, arrival, follow_up */

/*
 * Timeliness: columns from, to (two consecutive steps of report_steps),
 * count column "cases", values median_days, p90_days, waiting, wait_days.
 * One row per pair of steps:
 *   cases        cases that reached both steps, the second one in the period
 *   median_days  the median of the days between the two (the mean of the two
 *                middle ones for an even number of cases)
 *   p90_days     the 90th percentile (nearest rank: the ceil(0.9 n)-th shortest)
 *   waiting      cases at the first step that had not reached the second on
 *                the last day of the period (filter->to, else today) and had
 *                waited more than wait_days; closed cases do not wait, and
 *                only a decision to return waits for a departure
 *   wait_days    the threshold (setting report.wait_days)
 * First contact is the day the case was opened; first follow-up the first
 * follow-up round done.  Dates out of order (a step before the one it
 * follows) are left out of the figures.  out is cleared first.
 */
int report_timeliness(hw_ws *ws, const report_filter *f, report *out);

/*
 * Referrals: columns provider, measure, value; count; values median_days,
 * p90_days.  Referrals are chosen by the day they were sent; the filter's
 * country and person are those of the referral's case.  Rows by provider,
 * then:
 *   status    each status (sent, accepted, ...: all of them, 0 included)
 *             with the referrals that have it now
 *   accepted  ""  referrals that were ever accepted, with the median and 90th
 *             percentile of the days from sending to the first acceptance
 *   declined  each reason given, for the referrals declined now (the note
 *             of their decline)
 * out is cleared first.
 */
int report_referrals(hw_ws *ws, const report_filter *f, report *out);

/* The form whose scores the follow-up report reads (docs/reintegration-score.md). */
#define REPORT_FOLLOW_UP_FORM "reintegration-follow-up"

/* The dimensions of the reintegration score, in order. */
extern const char *const report_dimensions[];   /* economic, social, psychosocial, composite */

/*
 * Follow-up: columns round, measure, dimension; count; value mean_score.
 * For each follow-up round (m3, m6, ... by months), in this order:
 *   due       ""   round appointments (docs/agenda.md) dated in the period,
 *                  on or before its last day (filter->to, else today), or
 *                  already done or missed; rescheduled ones are not counted
 *   done      ""   of those, done
 *   missed    ""   of those, missed
 *   overdue   ""   of those, still planned and dated before the last day
 *   score     each dimension: follow-up forms submitted in the period for
 *                  that round with a score in that dimension, and the mean
 *                  of those scores (as the form computes them; a corrected
 *                  form counts with its correction only)
 * out is cleared first.
 */
int report_followup(hw_ws *ws, const report_filter *f, report *out);

#endif

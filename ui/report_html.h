/*
 * report_html.h: how the command line shows a report (ui/cli_report.c) and
 * the self-contained HTML page of a report (ui/report_html.c): SVG charts
 * and the tables, no scripts, nothing fetched from elsewhere.
 */
#ifndef HW_UI_REPORT_HTML_H
#define HW_UI_REPORT_HTML_H

#include <stddef.h>

#include "report.h"
#include "util.h"

/* Which report a table is (the cells and charts depend on it). */
enum {
	CLI_REPORT_CASELOAD,
	CLI_REPORT_RETURNS,
	CLI_REPORT_TIMELINESS,
	CLI_REPORT_REFERRALS,
	CLI_REPORT_FOLLOWUP
};

/* The translated name of a step of report_steps. */
const char *cli_report_step(const char *step);

/*
 * Value j of a row as the table and the page show it: the figure, "-" when
 * it is withheld, "" when there is none.
 */
const char *cli_report_value(const report *r, const report_row *row, size_t j, char buf[32]);

/* The translated name of a dimension of the reintegration score (report_dimensions). */
const char *cli_report_dimension(const char *dimension);

/* Key k of row i as a reader sees it (translated names, "(nobody)", ...). */
const char *cli_report_cell(int kind, const report *r, size_t i, size_t k);

/* The translated heading of a column (key, count or value column). */
const char *cli_report_heading(const char *column);

/*
 * Append to b the whole HTML page of report r (its kind, the filter it was
 * made with): the charts of the report, then its table.  Every count under
 * the threshold is "<5" there too, and draws no bar.  0, or HW_ERROR when
 * out of memory.
 */
int cli_report_html(hw_buf *b, const report *r, int kind, const report_filter *f);

#endif

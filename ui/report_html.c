/*
 * report_html.c: a report as one HTML page that opens offline: the style
 * inline, charts as inline SVG, then the table.  No script and no link to
 * anything outside the page, so it can be mailed or archived as it is.
 * Values come from other devices: every text is escaped.  A count under the
 * threshold is "<5" and draws no bar (a bar's length would tell the count).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "report_html.h"
#include "util.h"

#define CHART_WIDTH 720
#define LABEL_WIDTH 260      /* room for the labels, left of the bars */
#define BAR_ROOM 360         /* the longest bar */
#define ROW_HEIGHT 24
#define MAX_BARS 60          /* more rows than this are in the table only */

/* Append s with &, <, >, " and ' escaped. */
static void esc(hw_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': hw_buf_puts(b, "&amp;"); break;
		case '<': hw_buf_puts(b, "&lt;"); break;
		case '>': hw_buf_puts(b, "&gt;"); break;
		case '"': hw_buf_puts(b, "&quot;"); break;
		case '\'': hw_buf_puts(b, "&#39;"); break;
		default:
			/* Control characters other than tab and newline say nothing to a reader. */
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
				hw_buf_puts(b, "\xef\xbf\xbd");
			else
				hw_buf_add(b, s, 1);
		}
	}
}

/* One bar of a chart. */
typedef struct bar {
	char label[256];
	double value;        /* its length, in the unit of the chart */
	double mark;         /* a second figure drawn as a lighter bar behind (REPORT_NONE: none) */
	char text[64];       /* what is written after it */
	int hidden;          /* no bar: the count is "<5" or the figure withheld */
} bar;

/* Draw bars as a horizontal bar chart titled title; the longest bar is fixed (0: the largest value). */
static void chart_to(hw_buf *b, const char *title, const char *caption, const bar *bars, size_t n,
		     double fixed)
{
	double max = fixed;
	int height = (int)n * ROW_HEIGHT + 8;

	if (!n)
		return;
	for (size_t i = 0; i < n && !fixed; i++) {
		if (!bars[i].hidden && bars[i].value > max)
			max = bars[i].value;
		if (!bars[i].hidden && bars[i].mark != REPORT_NONE && bars[i].mark > max)
			max = bars[i].mark;
	}
	hw_buf_puts(b, "<figure>\n<h2>");
	esc(b, title);
	hw_buf_printf(b, "</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
		      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" aria-label=\"",
		      CHART_WIDTH, height, CHART_WIDTH, height);
	esc(b, title);
	hw_buf_puts(b, "\">\n");
	for (size_t i = 0; i < n; i++) {
		int y = (int)i * ROW_HEIGHT + 4;
		int w = max > 0 && !bars[i].hidden ? (int)(bars[i].value / max * BAR_ROOM + 0.5) : 0;
		int m = max > 0 && !bars[i].hidden && bars[i].mark != REPORT_NONE
			? (int)(bars[i].mark / max * BAR_ROOM + 0.5) : 0;

		hw_buf_printf(b, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			      LABEL_WIDTH - 8, y + 15);
		esc(b, bars[i].label);
		hw_buf_puts(b, "</text>\n");
		if (m > w)
			hw_buf_printf(b, "<rect class=\"mark\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\"/>\n",
				      LABEL_WIDTH, y + 1, m);
		if (w > 0)
			hw_buf_printf(b, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\"/>\n",
				      LABEL_WIDTH, y + 1, w);
		hw_buf_printf(b, "<text class=\"value\" x=\"%d\" y=\"%d\">", LABEL_WIDTH + (m > w ? m : w) + 6,
			      y + 15);
		esc(b, bars[i].text);
		hw_buf_puts(b, "</text>\n");
	}
	hw_buf_puts(b, "</svg>\n");
	if (caption) {
		hw_buf_puts(b, "<figcaption>");
		esc(b, caption);
		hw_buf_puts(b, "</figcaption>\n");
	}
	hw_buf_puts(b, "</figure>\n");
}

static void chart(hw_buf *b, const char *title, const char *caption, const bar *bars, size_t n)
{
	chart_to(b, title, caption, bars, n, 0);
}

/* A bar for a count of the report. */
static void count_bar(bar *x, const report *r, long count, const char *label)
{
	char buf[32];

	snprintf(x->label, sizeof(x->label), "%s", label);
	x->value = (double)count;
	x->mark = REPORT_NONE;
	x->hidden = report_count_hidden(r, count);
	snprintf(x->text, sizeof(x->text), "%s", report_count_text(r, count, buf));
}

/* The charts of each report: what people would rather look at than read. */
static int charts(hw_buf *b, const report *r, int kind)
{
	bar *bars = calloc(r->nrows ? r->nrows : 1, sizeof(*bars));
	size_t n = 0;
	char buf[32], buf2[32];

	if (!bars)
		return HW_ERROR;
	switch (kind) {
	case CLI_REPORT_CASELOAD:
		for (size_t i = 0; i < r->nrows && n < MAX_BARS; i++)
			if (!strcmp(r->rows[i].keys[0], "stage"))
				count_bar(&bars[n++], r, r->rows[i].count, cli_report_cell(kind, r, i, 1));
		chart(b, _("Cases by stage"), NULL, bars, n);
		n = 0;
		for (size_t i = 0; i < r->nrows && n < MAX_BARS; i++)
			if (!strcmp(r->rows[i].keys[0], "country"))
				count_bar(&bars[n++], r, r->rows[i].count, cli_report_cell(kind, r, i, 1));
		chart(b, _("Cases by country of return"), NULL, bars, n);
		break;
	case CLI_REPORT_RETURNS:
		for (size_t i = 0; i < r->nrows && n < MAX_BARS; i++) {
			char label[256];

			if (*r->rows[i].keys[3])
				continue;
			snprintf(label, sizeof(label), "%s %s %s", r->rows[i].keys[0],
				 cli_report_cell(kind, r, i, 1), cli_report_cell(kind, r, i, 2));
			count_bar(&bars[n++], r, r->rows[i].count, label);
		}
		chart(b, _("Returns by month, country and type"), NULL, bars, n);
		break;
	case CLI_REPORT_TIMELINESS:
		for (size_t i = 0; i < r->nrows && n < MAX_BARS; i++) {
			bar *x = &bars[n++];
			const char *med = report_value_text(r, &r->rows[i], 0, buf);
			const char *p90 = report_value_text(r, &r->rows[i], 1, buf2);

			snprintf(x->label, sizeof(x->label), "%s \xe2\x86\x92 %s",
				 cli_report_cell(kind, r, i, 0), cli_report_cell(kind, r, i, 1));
			x->hidden = !*med;
			x->value = r->rows[i].values[0];
			x->mark = r->rows[i].values[1];
			if (x->hidden)
				snprintf(x->text, sizeof(x->text), "-");
			else
				/* TRANSLATORS: median and 90th percentile of days in a chart */
				snprintf(x->text, sizeof(x->text), _("%s d (90%%: %s d)"), med, p90);
		}
		chart(b, _("Days between steps"),
		      _("The dark bar is the median, the light one the 90th percentile."), bars, n);
		n = 0;
		for (size_t i = 0; i < r->nrows && n < MAX_BARS; i++) {
			char label[256];

			snprintf(label, sizeof(label), "%s", cli_report_cell(kind, r, i, 0));
			count_bar(&bars[n++], r, (long)r->rows[i].values[2], label);
		}
		snprintf(buf, sizeof(buf), "%.0f", r->nrows ? r->rows[0].values[3] : 0.0);
		{
			char title[256];

			snprintf(title, sizeof(title), _("Cases waiting longer than %s days, by step"), buf);
			chart(b, title, NULL, bars, n);
		}
		break;
	case CLI_REPORT_REFERRALS:
		for (size_t i = 0; i < r->nrows && n < MAX_BARS; i++) {
			char label[256];

			if (strcmp(r->rows[i].keys[1], "status") || r->rows[i].count == 0)
				continue;
			snprintf(label, sizeof(label), "%s: %s", r->rows[i].keys[0],
				 cli_report_cell(kind, r, i, 2));
			count_bar(&bars[n++], r, r->rows[i].count, label);
		}
		chart(b, _("Referrals by provider and status"), NULL, bars, n);
		break;
	case CLI_REPORT_FOLLOWUP:
		for (size_t i = 0; i < r->nrows && n < MAX_BARS; i++) {
			char label[256];

			if (!strcmp(r->rows[i].keys[1], "score") || r->rows[i].count == 0)
				continue;
			snprintf(label, sizeof(label), "%s: %s", r->rows[i].keys[0],
				 cli_report_cell(kind, r, i, 1));
			count_bar(&bars[n++], r, r->rows[i].count, label);
		}
		chart(b, _("Follow-up rounds: due, done, missed, overdue"), NULL, bars, n);
		n = 0;
		for (size_t i = 0; i < r->nrows && n < MAX_BARS; i++) {
			bar *x;

			if (strcmp(r->rows[i].keys[1], "score"))
				continue;
			x = &bars[n++];
			snprintf(x->label, sizeof(x->label), "%s: %s", r->rows[i].keys[0],
				 cli_report_dimension(r->rows[i].keys[2]));
			snprintf(x->text, sizeof(x->text), "%s", report_value_text(r, &r->rows[i], 0, buf));
			x->hidden = !*x->text;
			x->value = r->rows[i].values[0];
			x->mark = REPORT_NONE;
			if (x->hidden)
				snprintf(x->text, sizeof(x->text), "-");
		}
		/* Scores are drawn against the whole scale, 0 to 1. */
		chart_to(b, _("Mean reintegration score by round (0 to 1)"), NULL, bars, n, 1.0);
		break;
	default:
		break;
	}
	free(bars);
	return 0;
}

/* The title of each report. */
static const char *title_of(int kind)
{
	switch (kind) {
	case CLI_REPORT_CASELOAD: return _("Caseload");
	case CLI_REPORT_RETURNS: return _("Returns");
	case CLI_REPORT_TIMELINESS: return _("Timeliness");
	case CLI_REPORT_REFERRALS: return _("Referrals");
	default: return _("Follow-up");
	}
}

static void table(hw_buf *b, const report *r, int kind)
{
	char buf[32];

	hw_buf_puts(b, "<table>\n<thead><tr>");
	for (size_t k = 0; k < r->nkeys; k++) {
		hw_buf_puts(b, "<th>");
		esc(b, cli_report_heading(r->columns[k]));
		hw_buf_puts(b, "</th>");
	}
	hw_buf_puts(b, "<th class=\"num\">");
	esc(b, cli_report_heading(report_count_name(r)));
	hw_buf_puts(b, "</th>");
	for (size_t j = 0; j < r->nvalues; j++) {
		hw_buf_puts(b, "<th class=\"num\">");
		esc(b, cli_report_heading(r->value_columns[j]));
		hw_buf_puts(b, "</th>");
	}
	hw_buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < r->nrows; i++) {
		hw_buf_puts(b, "<tr>");
		for (size_t k = 0; k < r->nkeys; k++) {
			hw_buf_puts(b, "<td>");
			esc(b, cli_report_cell(kind, r, i, k));
			hw_buf_puts(b, "</td>");
		}
		hw_buf_puts(b, "<td class=\"num\">");
		esc(b, report_count_text(r, r->rows[i].count, buf));
		hw_buf_puts(b, "</td>");
		for (size_t j = 0; j < r->nvalues; j++) {
			hw_buf_puts(b, "<td class=\"num\">");
			esc(b, cli_report_value(r, &r->rows[i], j, buf));
			hw_buf_puts(b, "</td>");
		}
		hw_buf_puts(b, "</tr>\n");
	}
	hw_buf_puts(b, "</tbody>\n</table>\n");
}

int cli_report_html(hw_buf *b, const report *r, int kind, const report_filter *f)
{
	const char *lang = ui_i18n_language();
	int rtl = !strncmp(lang, "ar", 2) || !strncmp(lang, "fa", 2);
	char today[HW_TIME_LEN + 1], line[512];

	hw_now_iso(today);
	hw_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"");
	esc(b, lang);
	hw_buf_printf(b, "\" dir=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n", rtl ? "rtl" : "ltr");
	/* Nothing may be fetched: no script, no style sheet, no image from outside. */
	hw_buf_puts(b, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		    "style-src 'unsafe-inline'; img-src data:\">\n<title>");
	esc(b, "Homeward: ");
	esc(b, title_of(kind));
	hw_buf_puts(b, "</title>\n<style>\n"
		    "body { font-family: sans-serif; margin: 2em; color: #1a1a1a; }\n"
		    "h1 { font-size: 1.5em; } h2 { font-size: 1.1em; margin: 1.2em 0 0.4em; }\n"
		    "figure { margin: 0 0 1.5em; } figcaption { font-size: 0.9em; color: #555; }\n"
		    "svg text { font-family: sans-serif; font-size: 13px; fill: #1a1a1a; }\n"
		    "svg .bar { fill: #2b6cb0; } svg .mark { fill: #a9c6e8; }\n"
		    "table { border-collapse: collapse; margin-top: 1em; }\n"
		    "th, td { border-bottom: 1px solid #ccc; padding: 0.2em 0.8em; text-align: start; }\n"
		    "th { background: #f0f0f0; } .num { text-align: end; font-variant-numeric: tabular-nums; }\n"
		    ".note { font-size: 0.9em; color: #555; }\n"
		    "</style>\n</head>\n<body>\n<h1>");
	esc(b, title_of(kind));
	hw_buf_puts(b, "</h1>\n<p class=\"period\">");
	if (f->from && f->to)
		snprintf(line, sizeof(line), _("Period: %s to %s"), f->from, f->to);
	else if (f->from)
		snprintf(line, sizeof(line), _("Period: from %s"), f->from);
	else if (f->to)
		snprintf(line, sizeof(line), _("Period: until %s"), f->to);
	else
		snprintf(line, sizeof(line), "%s", _("Period: all time"));
	esc(b, line);
	if (f->country) {
		snprintf(line, sizeof(line), _("Country of return: %s"), f->country);
		hw_buf_puts(b, "<br>");
		esc(b, line);
	}
	if (f->assigned) {
		snprintf(line, sizeof(line), _("Assigned to: %s"), f->assigned);
		hw_buf_puts(b, "<br>");
		esc(b, line);
	}
	snprintf(line, sizeof(line), _("Made on %.10s."), today);
	hw_buf_puts(b, "<br>");
	esc(b, line);
	hw_buf_puts(b, "</p>\n");
	if (r->nrows == 0) {
		hw_buf_puts(b, "<p>");
		esc(b, _("Nothing to report in this period."));
		hw_buf_puts(b, "</p>\n");
	} else {
		if (charts(b, r, kind) < 0)
			return HW_ERROR;
		table(b, r, kind);
	}
	if (r->min_count > 1) {
		snprintf(line, sizeof(line), _("Counts from 1 to %ld are shown as <%ld."),
			 r->min_count - 1, r->min_count);
		hw_buf_puts(b, "<p class=\"note\">");
		esc(b, line);
		hw_buf_puts(b, "</p>\n");
	}
	hw_buf_puts(b, "</body>\n</html>\n");
	return hw_buf_oom(b) ? HW_ERROR : 0;
}

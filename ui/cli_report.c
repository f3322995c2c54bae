/*
 * cli_report.c: `report caseload` and `report returns` (docs/reports.md).
 * The core counts (src/report.c); this file lays the table out as an
 * aligned table, CSV or JSON.  A count under the workspace's threshold is
 * "<5" in every format: nothing here prints a raw count without
 * report_count_text.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export.h"
#include "i18n.h"
#include "report.h"
#include "report_html.h"
#include "text.h"
#include "util.h"
#include "work.h"
#include "workspace.h"

enum { FMT_TABLE, FMT_CSV, FMT_JSON, FMT_XLSX, FMT_HTML };

/* Widest a column of the table gets (longer values are cut with "…"). */
#define MAX_COLS 32

/* One CSV cell (RFC 4180).  A cell that a spreadsheet would run as a formula
 * (starting with = + - @, a tab or a carriage return) gets a leading ' so it
 * stays text: values come from other devices. */
static void csv_cell(hw_buf *b, const char *s)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		hw_buf_puts(b, "\"");
	if (*s && strchr("=+-@\t\r", *s))
		hw_buf_puts(b, "'");
	for (; *s; s++) {
		if (*s == '"')
			hw_buf_puts(b, "\"");
		hw_buf_add(b, s, 1);
	}
	if (quote)
		hw_buf_puts(b, "\"");
}

static void json_str(hw_buf *b, const char *s)
{
	hw_buf_puts(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			hw_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			hw_buf_printf(b, "\\u%04x", c);
		else
			hw_buf_add(b, s, 1);
	}
	hw_buf_puts(b, "\"");
}

/* Write b to stdout: 0, or prints why not and returns 1. */
static int flush_out(hw_buf *b)
{
	if (hw_buf_oom(b))
		return cli_error("%s", _("out of memory"));
	if ((b->len && fwrite(b->ptr, 1, b->len, stdout) != b->len) || fflush(stdout) != 0 ||
	    ferror(stdout))
		return cli_error("%s", _("could not write the report"));
	return 0;
}

static void print_csv(hw_buf *b, const report *r)
{
	char buf[32];

	for (size_t k = 0; k < r->nkeys; k++)
		hw_buf_printf(b, "%s,", r->columns[k]);
	hw_buf_puts(b, report_count_name(r));
	for (size_t j = 0; j < r->nvalues; j++)
		hw_buf_printf(b, ",%s", r->value_columns[j]);
	hw_buf_puts(b, "\n");
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t k = 0; k < r->nkeys; k++) {
			csv_cell(b, r->rows[i].keys[k]);
			hw_buf_puts(b, ",");
		}
		hw_buf_puts(b, report_count_text(r, r->rows[i].count, buf));
		for (size_t j = 0; j < r->nvalues; j++)
			hw_buf_printf(b, ",%s", report_value_text(r, &r->rows[i], j, buf));
		hw_buf_puts(b, "\n");
	}
}

static void print_json(hw_buf *b, const report *r)
{
	char buf[32];

	hw_buf_puts(b, "[");
	for (size_t i = 0; i < r->nrows; i++) {
		const report_row *row = &r->rows[i];

		hw_buf_puts(b, i ? ",\n {" : "{");
		for (size_t k = 0; k < r->nkeys; k++) {
			hw_buf_printf(b, "\"%s\":", r->columns[k]);
			json_str(b, row->keys[k]);
			hw_buf_puts(b, ",");
		}
		if (report_count_hidden(r, row->count))
			hw_buf_printf(b, "\"%s\":\"%s\"", report_count_name(r),
				      report_count_text(r, row->count, buf));
		else
			hw_buf_printf(b, "\"%s\":%ld", report_count_name(r), row->count);
		/* A hidden count is the string "<5"; a withheld or absent figure null. */
		for (size_t j = 0; j < r->nvalues; j++) {
			const char *t = report_value_text(r, row, j, buf);

			hw_buf_printf(b, ",\"%s\":", r->value_columns[j]);
			if (!*t)
				hw_buf_puts(b, "null");
			else if (report_value_hidden(r, row, j))
				json_str(b, t);
			else
				hw_buf_puts(b, t);
		}
		hw_buf_puts(b, "}");
	}
	hw_buf_puts(b, "]\n");
}

const char *cli_report_value(const report *r, const report_row *row, size_t j, char buf[32])
{
	const char *t = report_value_text(r, row, j, buf);

	/* Withheld (a figure of fewer cases than the threshold): "-"; none
	 * (no case to measure, or not a figure of this row): blank. */
	if (*t || !row->values || row->values[j] == REPORT_NONE)
		return t;
	return "-";
}

const char *cli_report_step(const char *step)
{
	if (!strcmp(step, "contact")) return _("first contact");
	if (!strcmp(step, "decision")) return _("decision");
	if (!strcmp(step, "departure")) return _("departure");
	if (!strcmp(step, "arrival")) return _("arrival");
	if (!strcmp(step, "follow_up")) return _("first follow-up");
	return step;
}

const char *cli_report_dimension(const char *dimension)
{
	if (!strcmp(dimension, "economic")) return _("Economic");
	if (!strcmp(dimension, "social")) return _("Social");
	if (!strcmp(dimension, "psychosocial")) return _("Psychosocial");
	/* TRANSLATORS: the composite reintegration score, as the follow-up form calls it. */
	if (!strcmp(dimension, "composite")) return _("Overall");
	return dimension;
}

/* The translated name of a caseload or referrals measure. */
static const char *measure_name(const char *m)
{
	if (!strcmp(m, "total")) return _("All cases");
	if (!strcmp(m, "stage")) return _("Stage");
	if (!strcmp(m, "assignee")) return _("Assigned to");
	if (!strcmp(m, "country")) return _("Country of return");
	if (!strcmp(m, "vulnerability")) return _("Vulnerability");
	if (!strcmp(m, "minors")) return _("Minors");
	if (!strcmp(m, "status")) return _("Status");
	if (!strcmp(m, "accepted")) return _("Accepted");
	if (!strcmp(m, "declined")) return _("Declined, reason");
	if (!strcmp(m, "due")) return _("Due");
	if (!strcmp(m, "done")) return _("Done");
	if (!strcmp(m, "missed")) return _("Missed");
	if (!strcmp(m, "overdue")) return _("Overdue");
	if (!strcmp(m, "score")) return _("Reintegration score");
	return m;
}

/*
 * The words of a measure whose values are codes (the caseload's stages,
 * flags and minors, the referrals' statuses), or NULL: its values are
 * written as they are (a person's id, a country, a reason typed).
 */
static const ui_word *measure_words(int kind, const char *m)
{
	if (kind == CLI_REPORT_CASELOAD) {
		if (!strcmp(m, "stage")) return ui_stages;
		if (!strcmp(m, "vulnerability")) return ui_vulnerabilities;
		if (!strcmp(m, "minors")) return ui_minors;
	} else if (kind == CLI_REPORT_REFERRALS && !strcmp(m, "status")) {
		return ui_referral_statuses;
	}
	return NULL;
}

const char *cli_report_cell(int kind, const report *r, size_t i, size_t k)
{
	const char *column = r->columns[k], *value = r->rows[i].keys[k];
	const char *measure = NULL;
	const ui_word *words;

	if (kind == CLI_REPORT_CASELOAD)
		measure = r->rows[i].keys[0];
	else if (kind == CLI_REPORT_REFERRALS || kind == CLI_REPORT_FOLLOWUP)
		measure = r->rows[i].keys[1];
	if (!strcmp(column, "measure"))
		return measure_name(value);
	if (kind == CLI_REPORT_TIMELINESS)
		return cli_report_step(value);
	if (!strcmp(column, "dimension") && *value)
		return cli_report_dimension(value);
	/* Codes in CSV and JSON; their names where people read. */
	if (!strcmp(column, "type_of_return") && *value)
		return ui_word_label(ui_return_types, value);
	if (!strcmp(column, "assistance_kind") && *value)
		return ui_word_label(ui_kinds, value);
	/* The same names as the Reports screen's; a code it does not know stays as written. */
	if (measure && !strcmp(column, "value") && *value && (words = measure_words(kind, measure)))
		return ui_word_label(words, value);
	if (*value)
		return value;
	if (!strcmp(column, "assistance_kind"))
		return _("(all kinds)");
	if (measure && !strcmp(measure, "assignee"))
		return _("(nobody)");
	if (!strcmp(column, "country") || (measure && !strcmp(measure, "country")))
		return _("(unknown)");
	if (measure && !strcmp(measure, "declined"))
		return _("(no reason given)");
	return "";
}

const char *cli_report_heading(const char *column)
{
	if (!strcmp(column, "measure")) return _("Measure");
	if (!strcmp(column, "value")) return _("Value");
	if (!strcmp(column, "month")) return _("Month");
	if (!strcmp(column, "country")) return _("Country");
	if (!strcmp(column, "type_of_return")) return _("Type of return");
	if (!strcmp(column, "assistance_kind")) return _("Assistance");
	if (!strcmp(column, "count")) return _("Count");
	if (!strcmp(column, "from")) return _("From");
	if (!strcmp(column, "to")) return _("To");
	if (!strcmp(column, "cases")) return _("Cases");
	if (!strcmp(column, "median_days")) return _("Median days");
	if (!strcmp(column, "p90_days")) return _("90th percentile days");
	if (!strcmp(column, "waiting")) return _("Waiting longer");
	if (!strcmp(column, "wait_days")) return _("Threshold days");
	if (!strcmp(column, "provider")) return _("Provider");
	if (!strcmp(column, "round")) return _("Round");
	if (!strcmp(column, "due")) return _("Due");
	if (!strcmp(column, "done")) return _("Done");
	if (!strcmp(column, "missed")) return _("Missed");
	if (!strcmp(column, "dimension")) return _("Dimension");
	if (!strcmp(column, "mean_score")) return _("Mean score");
	if (!strcmp(column, "overdue")) return _("Overdue");
	return column;
}

/* How many leading key columns are written once for a group of rows. */
static size_t grouped(int kind)
{
	return kind == CLI_REPORT_CASELOAD ? 1
	       : kind == CLI_REPORT_REFERRALS || kind == CLI_REPORT_FOLLOWUP ? 2 : 0;
}

/* One line of the table: key cells padded by columns (not bytes), figures to the right. */
static int table_line(const char *const *cells, const int *width, size_t nkeys, size_t ncells)
{
	for (size_t k = 0; k < ncells; k++) {
		if (k < nkeys) {
			char *cell = text_pad(cells[k], width[k]);

			if (!cell)
				return -1;
			printf("%s  ", cell);
			free(cell);
		} else {
			printf("%*s%s%s", width[k] - text_width(cells[k]), "", cells[k],
			       k + 1 < ncells ? "  " : "\n");
		}
	}
	return 0;
}

#define MAX_CELLS 12

/* The cells of row i as the table shows them (bufs hold the figures). */
static size_t table_cells(int kind, const report *r, size_t i, const char **cells,
			  char bufs[][32])
{
	size_t n = 0, k;

	for (k = 0; k < r->nkeys && n < MAX_CELLS; k++)
		cells[n++] = cli_report_cell(kind, r, i, k);
	/* A group's key is said once, on the first row of the group. */
	for (k = 0; i && k < grouped(kind) && k < r->nkeys; k++) {
		if (strcmp(r->rows[i - 1].keys[k], r->rows[i].keys[k]))
			break;
		cells[k] = "";
	}
	cells[n] = report_count_text(r, r->rows[i].count, bufs[n]);
	n++;
	for (size_t j = 0; j < r->nvalues && n < MAX_CELLS; j++, n++)
		cells[n] = cli_report_value(r, &r->rows[i], j, bufs[n]);
	return n;
}

/* Said when a report has no row. */
static const char *empty_text(int kind)
{
	switch (kind) {
	case CLI_REPORT_CASELOAD: return _("No cases in this period.");
	case CLI_REPORT_RETURNS: return _("No returns in this period.");
	case CLI_REPORT_REFERRALS: return _("No referrals in this period.");
	default: return _("Nothing to report in this period.");
	}
}

static int print_table(const report *r, int kind)
{
	const char *cells[MAX_CELLS];
	char bufs[MAX_CELLS][32];
	int width[MAX_CELLS];
	size_t n = r->nkeys + 1 + r->nvalues;

	if (r->nrows == 0) {
		puts(empty_text(kind));
		return 0;
	}
	if (n > MAX_CELLS)
		n = MAX_CELLS;
	for (size_t k = 0; k < n; k++) {
		const char *col = k < r->nkeys ? r->columns[k] : k == r->nkeys ? report_count_name(r)
				  : r->value_columns[k - r->nkeys - 1];

		cells[k] = cli_report_heading(col);
		width[k] = text_width(cells[k]);
	}
	for (size_t i = 0; i < r->nrows; i++) {
		table_cells(kind, r, i, cells, bufs);
		for (size_t k = 0; k < n; k++) {
			int w = text_width(cells[k]);

			if (w > width[k])
				width[k] = w < MAX_COLS ? w : MAX_COLS;
		}
	}
	for (size_t k = 0; k < n; k++)
		cells[k] = cli_report_heading(k < r->nkeys ? r->columns[k] : k == r->nkeys
					      ? report_count_name(r) : r->value_columns[k - r->nkeys - 1]);
	if (table_line(cells, width, r->nkeys, n) < 0)
		return -1;
	for (size_t i = 0; i < r->nrows; i++) {
		table_cells(kind, r, i, cells, bufs);
		if (table_line(cells, width, r->nkeys, n) < 0)
			return -1;
	}
	if (r->min_count > 1) {
		printf(_("\nCounts from 1 to %ld are shown as <%ld.\n"), r->min_count - 1, r->min_count);
		for (size_t j = 0; j < r->nvalues; j++)
			if (r->value_kinds[j] == REPORT_VALUE_DAYS) {
				printf(_("Days are not shown (-) for fewer than %ld cases.\n"), r->min_count);
				break;
			} else if (r->value_kinds[j] == REPORT_VALUE_SCORE) {
				printf(_("Mean scores are not shown (-) for fewer than %ld forms.\n"),
				       r->min_count);
				break;
			}
	}
	return 0;
}

typedef int (*report_fn)(hw_ws *ws, const report_filter *f, report *out);

static int run(int argc, char **argv, const cli_globals *g, report_fn fn, int kind,
	       const char *usage)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "country", required_argument, NULL, 'c' },
		{ "team", no_argument, NULL, 'T' },
		{ "assigned", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	report_filter f = REPORT_FILTER_INIT;
	report r = REPORT_INIT;
	hw_buf out = HW_BUF_INIT;
	hw_ws *ws = NULL;
	int c, st, fmt = FMT_TABLE, team = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': f.from = optarg; break;
		case 't': f.to = optarg; break;
		case 'c': f.country = optarg; break;
		case 'T': team = 1; break;
		case 'a': f.assigned = optarg; break;
		case 'F':
			if (!strcmp(optarg, "table")) fmt = FMT_TABLE;
			else if (!strcmp(optarg, "csv")) fmt = FMT_CSV;
			else if (!strcmp(optarg, "json")) fmt = FMT_JSON;
			else if (!strcmp(optarg, "html")) fmt = FMT_HTML;
			else return cli_error(_("unknown format \"%s\" (table, csv, json or html)"), optarg);
			break;
		default: return cli_usage(usage);
		}
	}
	if (optind != argc) {
		cli_error(_("unexpected argument: %s"), argv[optind]);
		return cli_usage(usage);
	}
	if (team && f.assigned)
		return cli_usage(_("--team and --assigned cannot be used together"));
	if ((st = cli_open_workspace(&ws, g, WS_OPEN_READONLY)) != 0)
		return st;
	if (f.assigned && !strcmp(f.assigned, "me"))
		f.assigned = ws_device_id(ws);
	if (fn(ws, &f, &r) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	switch (fmt) {
	case FMT_CSV: print_csv(&out, &r); st = flush_out(&out); break;
	case FMT_JSON: print_json(&out, &r); st = flush_out(&out); break;
	case FMT_HTML:
		st = cli_report_html(&out, &r, kind, &f) < 0 ? cli_error("%s", _("out of memory"))
							      : flush_out(&out);
		break;
	default:
		if (print_table(&r, kind) < 0)
			st = cli_error("%s", _("out of memory"));
		else if (fflush(stdout) != 0 || ferror(stdout))
			st = cli_error("%s", _("could not write the report"));
	}
done:
	hw_buf_free(&out);
	report_clear(&r);
	ws_free(ws);
	return st;
}

int cli_report_caseload(int argc, char **argv, const cli_globals *g)
{
	return run(argc, argv, g, report_caseload, CLI_REPORT_CASELOAD,
		   _("usage: homeward report caseload [--from D] [--to D] [--country CC] [--team|--assigned PERSON] [--format table|csv|json|html]"));
}

int cli_report_returns(int argc, char **argv, const cli_globals *g)
{
	return run(argc, argv, g, report_returns, CLI_REPORT_RETURNS,
		   _("usage: homeward report returns [--from D] [--to D] [--country CC] [--team|--assigned PERSON] [--format table|csv|json|html]"));
}

int cli_report_timeliness(int argc, char **argv, const cli_globals *g)
{
	return run(argc, argv, g, report_timeliness, CLI_REPORT_TIMELINESS,
		   _("usage: homeward report timeliness [--from D] [--to D] [--country CC] [--team|--assigned PERSON] [--format table|csv|json|html]"));
}

int cli_report_followup(int argc, char **argv, const cli_globals *g)
{
	return run(argc, argv, g, report_followup, CLI_REPORT_FOLLOWUP,
		   _("usage: homeward report follow-up [--from D] [--to D] [--country CC] [--team|--assigned PERSON] [--format table|csv|json|html]"));
}

int cli_report_referrals(int argc, char **argv, const cli_globals *g)
{
	return run(argc, argv, g, report_referrals, CLI_REPORT_REFERRALS,
		   _("usage: homeward report referrals [--from D] [--to D] [--country CC] [--team|--assigned PERSON] [--format table|csv|json|html]"));
}

/* --- export cases and the audit log ----------------------------------------- */

typedef struct export_ctx {
	hw_buf *b;
	int fmt;
	long n;
} export_ctx;

/* How a column of `export cases` is written in JSON. */
static void json_value(hw_buf *b, const char *column, const char *v)
{
	if (!*v)
		hw_buf_puts(b, "null");
	else if ((!strcmp(column, "minor") || !strcmp(column, "assistance_granted")) &&
		 (!strcmp(v, "true") || !strcmp(v, "false")))
		hw_buf_puts(b, v);
	else if ((!strcmp(column, "conflicts") || !strcmp(column, "birth_year")) &&
		 strspn(v, "0123456789") == strlen(v) && strlen(v) < 10)
		hw_buf_puts(b, v);
	else
		json_str(b, v);
}

static int export_row(const char *const *values, void *payload)
{
	export_ctx *c = payload;

	if (c->fmt == FMT_JSON) {
		hw_buf_puts(c->b, c->n ? ",\n {" : "{");
		for (size_t k = 0; export_case_columns[k]; k++) {
			hw_buf_printf(c->b, "%s\"%s\":", k ? "," : "", export_case_columns[k]);
			json_value(c->b, export_case_columns[k], values[k]);
		}
		hw_buf_puts(c->b, "}");
	} else {
		for (size_t k = 0; export_case_columns[k]; k++) {
			if (k)
				hw_buf_puts(c->b, ",");
			csv_cell(c->b, values[k]);
		}
		hw_buf_puts(c->b, "\n");
	}
	c->n++;
	return hw_buf_oom(c->b) ? HW_ERROR : 0;
}

/*
 * `export cases --format csv|json [--out FILE]`: the export is recorded in
 * the audit log before any of it is written, and written whole or not at
 * all (--out: a temporary file renamed into place).
 */
int cli_export_cases(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = _("usage: homeward export cases --format csv|json|xlsx [--out FILE]");
	const char *file = NULL;
	hw_buf b = HW_BUF_INIT;
	export_ctx ctx = { &b, -1, 0 };
	hw_error err = { 0, "" };
	hw_ws *ws = NULL;
	int c, st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!strcmp(optarg, "csv")) ctx.fmt = FMT_CSV;
			else if (!strcmp(optarg, "json")) ctx.fmt = FMT_JSON;
			else if (!strcmp(optarg, "xlsx")) ctx.fmt = FMT_XLSX;
			else return cli_error(_("unknown format \"%s\" (csv, xlsx or json)"), optarg);
			break;
		case 'o': file = optarg; break;
		default: return cli_usage(usage);
		}
	}
	if (optind != argc) {
		cli_error(_("unexpected argument: %s"), argv[optind]);
		return cli_usage(usage);
	}
	if (ctx.fmt < 0)
		return cli_usage(usage);
	if (ctx.fmt == FMT_XLSX)
		return cli_export_cases_xlsx(file, g);
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	if (ctx.fmt == FMT_JSON) {
		hw_buf_puts(&b, "[");
	} else {
		for (size_t k = 0; export_case_columns[k]; k++)
			hw_buf_printf(&b, "%s%s", k ? "," : "", export_case_columns[k]);
		hw_buf_puts(&b, "\n");
	}
	if ((st = export_cases_each(ws, export_row, &ctx)) < 0) {
		st = hw_buf_oom(&b) ? cli_error("%s", _("out of memory")) : cli_fail(ws_error(ws));
		goto done;
	}
	if (ctx.fmt == FMT_JSON)
		hw_buf_puts(&b, "]\n");
	if (hw_buf_oom(&b)) {
		st = cli_error("%s", _("out of memory"));
		goto done;
	}
	/* The trail first: an export that cannot be recorded does not happen. */
	if (audit_record(ws, "export cases", ctx.fmt == FMT_JSON ? "json" : "csv", ctx.n) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	if (!file) {
		st = flush_out(&b);
	} else if (hw_write_file_atomic(file, b.ptr, b.len, &err) < 0) {
		st = cli_fail(&err);
	} else {
		printf(P_("Exported %ld case to %s.\n", "Exported %ld cases to %s.\n",
				(unsigned long)ctx.n), ctx.n, file);
		st = 0;
	}
done:
	hw_buf_free(&b);
	ws_free(ws);
	return st;
}

typedef struct audit_ctx {
	hw_buf *b;
	int fmt;
	const char *from, *to;
	long n;
	int width[5];
} audit_ctx;

static const char *const audit_columns[] = { "at", "device", "person", "what", "format", "count" };

static int audit_kept(const audit_ctx *c, const audit_entry *e)
{
	return (!c->from || strncmp(e->at, c->from, 10) >= 0) &&
	       (!c->to || strncmp(e->at, c->to, 10) <= 0);
}

static int audit_measure(const audit_entry *e, void *payload)
{
	audit_ctx *c = payload;
	const char *v[5] = { e->at, e->device, e->person, e->what, e->format };

	if (audit_kept(c, e))
		for (int k = 0; k < 5; k++)
			if (text_width(v[k]) > c->width[k])
				c->width[k] = text_width(v[k]) < MAX_COLS ? text_width(v[k]) : MAX_COLS;
	return 0;
}

static int audit_row(const audit_entry *e, void *payload)
{
	audit_ctx *c = payload;
	const char *v[5] = { e->at, e->device, e->person, e->what, e->format };
	char count[32];

	if (!audit_kept(c, e))
		return 0;
	snprintf(count, sizeof(count), "%ld", e->count);
	if (c->fmt == FMT_CSV) {
		for (int k = 0; k < 5; k++) {
			csv_cell(c->b, v[k]);
			hw_buf_puts(c->b, ",");
		}
		hw_buf_printf(c->b, "%s\n", count);
	} else if (c->fmt == FMT_JSON) {
		hw_buf_puts(c->b, c->n ? ",\n {" : "{");
		for (int k = 0; k < 5; k++) {
			hw_buf_printf(c->b, "\"%s\":", audit_columns[k]);
			json_str(c->b, v[k]);
			hw_buf_puts(c->b, ",");
		}
		hw_buf_printf(c->b, "\"count\":%s}", count);
	} else {
		for (int k = 0; k < 5; k++) {
			char *cell = text_pad(v[k], c->width[k]);

			if (!cell)
				return HW_ERROR;
			hw_buf_printf(c->b, "%s  ", cell);
			free(cell);
		}
		hw_buf_printf(c->b, "%s\n", count);
	}
	c->n++;
	return 0;
}

/* `report audit [--from D] [--to D] [--format table|csv|json]`: every export, oldest first. */
int cli_report_audit(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = _("usage: homeward report audit [--from D] [--to D] [--format table|csv|json]");
	report_filter f = REPORT_FILTER_INIT;
	hw_buf b = HW_BUF_INIT;
	audit_ctx ctx = { &b, FMT_TABLE, NULL, NULL, 0, { 0 } };
	hw_ws *ws = NULL;
	size_t skipped = 0;
	int c, st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': f.from = optarg; break;
		case 't': f.to = optarg; break;
		case 'F':
			if (!strcmp(optarg, "table")) ctx.fmt = FMT_TABLE;
			else if (!strcmp(optarg, "csv")) ctx.fmt = FMT_CSV;
			else if (!strcmp(optarg, "json")) ctx.fmt = FMT_JSON;
			else return cli_error(_("unknown format \"%s\" (table, csv or json)"), optarg);
			break;
		default: return cli_usage(usage);
		}
	}
	if (optind != argc) {
		cli_error(_("unexpected argument: %s"), argv[optind]);
		return cli_usage(usage);
	}
	if ((st = cli_open_workspace(&ws, g, WS_OPEN_READONLY)) != 0)
		return st;
	if (report_filter_check(&f, ws_err(ws)) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	ctx.from = f.from;
	ctx.to = f.to;
	if (ctx.fmt == FMT_CSV) {
		hw_buf_puts(&b, "at,device,person,what,format,count\n");
	} else if (ctx.fmt == FMT_JSON) {
		hw_buf_puts(&b, "[");
	} else {
		const char *h[5] = { _("When"), _("Device"), _("Person"), _("What"), _("Format") };

		for (int k = 0; k < 5; k++)
			ctx.width[k] = text_width(h[k]);
		if (audit_each(ws, audit_measure, &ctx, NULL) < 0) {
			st = cli_fail(ws_error(ws));
			goto done;
		}
		for (int k = 0; k < 5; k++) {
			char *cell = text_pad(h[k], ctx.width[k]);

			hw_buf_printf(&b, "%s  ", cell ? cell : "");
			free(cell);
		}
		hw_buf_printf(&b, "%s\n", _("Count"));
	}
	if (audit_each(ws, audit_row, &ctx, &skipped) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	if (ctx.fmt == FMT_JSON)
		hw_buf_puts(&b, "]\n");
	else if (ctx.fmt == FMT_TABLE && ctx.n == 0) {
		hw_buf_truncate(&b, 0);
		hw_buf_printf(&b, "%s\n", _("Nothing was exported in this period."));
	}
	st = flush_out(&b);
	/* A line this program did not write: the log was damaged or edited. */
	if (st == 0 && skipped)
		st = cli_error(P_("%zu line of the audit log could not be read",
					"%zu lines of the audit log could not be read", skipped), skipped);
done:
	hw_buf_free(&b);
	ws_free(ws);
	return st;
}

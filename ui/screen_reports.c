/*
 * screen_reports.c: the Reports screen.  The figures come from the core's
 * reports (report.h): caseload, timeliness, returns, referrals and
 * follow-up, all time.  This file only lays them out, as bar charts, range bars of days
 * (the median solid, shaded to the 90th percentile) and a sparkline of
 * returns per month, drawn with block characters (plain ASCII when the terminal's locale is not UTF-8)
 * and mirrored in a right-to-left language: labels on the right, bars
 * growing leftwards, time running from right to left.
 *
 * Small counts are a re-identification risk: like every report format, the
 * screen shows a count under the threshold as "<5", with no bar: any length
 * would say more than "<5" (or, scaled on the threshold, suggest a large
 * value beside small ones), and the other bars are scaled on the figures
 * shown.  A month of the sparkline under the threshold is a shade of its
 * own with a legend, never a height: the lowest block would read as "a few"
 * and a blank as "none".  A key shows the exact counts, with their bars, on
 * this screen only, until it is pressed again or the screen is left.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "curses.h"
#include "i18n.h"
#include "providers.h"
#include "report.h"
#include "report_html.h"
#include "text.h"
#include "util.h"
#include "view.h"
#include "work.h"

/* The reports the screen shows, in the order Tab goes through them. */
enum { REP_CASELOAD, REP_TIMELINESS, REP_RETURNS, REP_REFERRALS, REP_FOLLOWUP, NREPORTS };

enum {
	ITEM_HEADING, ITEM_BAR, ITEM_TEXT, ITEM_SPARK, ITEM_AXIS, ITEM_LEGEND, ITEM_BLANK, ITEM_RANGE
};

typedef struct rep_item {
	int kind;
	char *label;     /* translated, copied ("" for none) */
	long count;      /* ITEM_BAR, ITEM_TEXT: the count shown */
	long max;        /* ITEM_BAR: the largest count of its section */
	int has_count;   /* ITEM_TEXT: show count after the label */
	double lo, hi;   /* ITEM_RANGE: median and 90th percentile days (REPORT_NONE: none) */
	double top;      /* ITEM_RANGE: the largest hi of its section */
	int withheld;    /* ITEM_RANGE: the days are withheld (the count is hidden) */
	int score;       /* ITEM_RANGE: a mean score from 0 to 1 (lo = hi), not days */
} rep_item;

/* One value of an aggregate (a section of a chart). */
typedef struct tally {
	char *key;
	long count;
} tally;

typedef struct rep_view {
	int which;            /* REP_* */
	int exact;            /* exact small counts shown (this screen only) */
	report r;             /* the report shown */
	rep_item *items;
	int nitems, top, visible;
	long *months;         /* returns per month, first to last (ITEM_SPARK) */
	int *months_vague;
	char **month_names;
	int nmonths;
	hw_ws *ws;
} rep_view;

static const ui_binding rep_bindings[] = {
	{ UI_KEY_FN(KEY_UP), ACT_UP },
	{ UI_KEY_FN(KEY_DOWN), ACT_DOWN },
	{ UI_KEY_FN(KEY_PPAGE), ACT_PAGE_UP },
	{ UI_KEY_FN(KEY_NPAGE), ACT_PAGE_DOWN },
	{ UI_KEY_FN(KEY_HOME), ACT_FIRST },
	{ UI_KEY_FN(KEY_END), ACT_LAST },
	{ '\t', ACT_NEXT_REPORT },
	{ UI_KEY_FN(KEY_F(6)), ACT_NEXT_REPORT },
	{ UI_KEY_FN(KEY_F(3)), ACT_EXACT_COUNTS },
	{ UI_KEY_ESC, ACT_BACK },
	{ UI_KEY_FN(KEY_LEFT), ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_keymap rep_keymap = { "reports", rep_bindings, NULL };

static const ui_hint rep_hints[] = {
	/* TRANSLATORS: key hints on the bottom row, after the key name;
	 * keep each to one or two short words: they share 80 columns. */
	{ ACT_NEXT_REPORT, N_("Next report") },
	/* TRANSLATORS: key hint: show counts under 5 exactly, or as <5. */
	{ ACT_EXACT_COUNTS, N_("Exact counts") },
	{ ACT_BACK, N_("Back") },
	{ ACT_HELP, N_("Help") },
	{ ACT_QUIT, N_("Quit") },
	{ ACT_NONE, NULL },
};

static void items_free(rep_view *v)
{
	for (int i = 0; i < v->nitems; i++)
		free(v->items[i].label);
	free(v->items);
	v->items = NULL;
	v->nitems = 0;
	for (int i = 0; i < v->nmonths; i++)
		free(v->month_names[i]);
	free(v->month_names);
	free(v->months);
	free(v->months_vague);
	v->month_names = NULL;
	v->months = NULL;
	v->months_vague = NULL;
	v->nmonths = 0;
}

/* Append an item; the label is copied.  0 or HW_ERROR. */
static int add_item(rep_view *v, int kind, const char *label, long count, int has_count)
{
	rep_item *grown = realloc(v->items, (size_t)(v->nitems + 1) * sizeof *grown);

	if (!grown)
		return HW_ERROR;
	v->items = grown;
	grown[v->nitems].kind = kind;
	grown[v->nitems].count = count;
	grown[v->nitems].max = 0;
	grown[v->nitems].has_count = has_count;
	grown[v->nitems].lo = grown[v->nitems].hi = REPORT_NONE;
	grown[v->nitems].top = 0;
	grown[v->nitems].withheld = 0;
	grown[v->nitems].score = 0;
	if (!(grown[v->nitems].label = strdup(label ? label : "")))
		return HW_ERROR;
	v->nitems++;
	return 0;
}

/* True when the count is withheld ("<5"): unless the exact counts are shown. */
static int withheld_count(const rep_view *v, long count)
{
	return !v->exact && report_count_hidden(&v->r, count);
}

/* Set the section's largest shown count on its bars, from item first on. */
static void close_section(rep_view *v, int first)
{
	long max = 0;
	int i;

	for (i = first; i < v->nitems; i++)
		if (v->items[i].kind == ITEM_BAR && !withheld_count(v, v->items[i].count) &&
		    v->items[i].count > max)
			max = v->items[i].count;
	for (i = first; i < v->nitems; i++)
		v->items[i].max = max;
}

/* Add count to key in a list of tallies (kept in first-seen order). */
static int tally_add(tally **list, int *n, const char *key, long count)
{
	tally *grown;
	int i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*list)[i].key, key)) {
			(*list)[i].count += count;
			return 0;
		}
	if (!(grown = realloc(*list, (size_t)(*n + 1) * sizeof *grown)))
		return HW_ERROR;
	*list = grown;
	if (!(grown[*n].key = strdup(key)))
		return HW_ERROR;
	grown[*n].count = count;
	(*n)++;
	return 0;
}

static void tallies_free(tally *list, int n)
{
	for (int i = 0; i < n; i++)
		free(list[i].key);
	free(list);
}

static int cmp_tally_key(const void *a, const void *b)
{
	return strcmp(((const tally *)a)->key, ((const tally *)b)->key);
}

/* The translated heading of a caseload measure. */
static const char *measure_heading(const char *m)
{
	if (!strcmp(m, "stage")) return _("Stage");
	if (!strcmp(m, "assignee")) return _("Assigned to");
	if (!strcmp(m, "country")) return _("Country of return");
	if (!strcmp(m, "vulnerability")) return _("Vulnerability");
	if (!strcmp(m, "minors")) return _("Minors");
	return m;
}

/* The label of one value of a caseload measure. */
static const char *measure_value(const char *m, const char *value)
{
	if (!strcmp(m, "stage"))
		return ui_word_label(ui_stages, value);
	if (!strcmp(m, "assignee") && !*value)
		return _("(nobody)");
	if (!strcmp(m, "country"))
		return *value ? ui_country_name(value) : _("(unknown)");
	if (!strcmp(m, "vulnerability"))
		return ui_word_label(ui_vulnerabilities, value);
	if (!strcmp(m, "minors"))
		return ui_word_label(ui_minors, value);
	return value;
}

/* The caseload as a bar chart per measure. */
static int build_caseload(rep_view *v)
{
	const char *measure = NULL;
	int first = 0, rc = 0;

	for (size_t i = 0; i < v->r.nrows && rc == 0; i++) {
		const report_row *row = &v->r.rows[i];

		if (!strcmp(row->keys[0], "total")) {
			rc = add_item(v, ITEM_TEXT, _("All cases"), row->count, 1);
			continue;
		}
		if (!measure || strcmp(measure, row->keys[0])) {
			if (measure)
				close_section(v, first);
			measure = row->keys[0];
			if ((rc = add_item(v, ITEM_BLANK, "", 0, 0)) < 0)
				break;
			first = v->nitems;
			if ((rc = add_item(v, ITEM_HEADING, measure_heading(measure), 0, 0)) < 0)
				break;
		}
		rc = add_item(v, ITEM_BAR, measure_value(measure, row->keys[1]), row->count, 0);
	}
	if (rc == 0 && measure)
		close_section(v, first);
	if (rc == 0 && v->r.nrows == 0)
		rc = add_item(v, ITEM_TEXT, _("No cases in this period."), 0, 0);
	return rc;
}

/* The month after YYYY-MM into next (8 bytes). */
static void month_next(const char *m, char next[8])
{
	int y = atoi(m), mo = atoi(m + 5);

	if (++mo > 12) {
		mo = 1;
		y++;
	}
	y %= 10000;
	if (y < 0)
		y = 0;
	next[0] = (char)('0' + y / 1000);
	next[1] = (char)('0' + y / 100 % 10);
	next[2] = (char)('0' + y / 10 % 10);
	next[3] = (char)('0' + y % 10);
	next[4] = '-';
	next[5] = (char)('0' + mo / 10);
	next[6] = (char)('0' + mo % 10);
	next[7] = '\0';
}

/* Every month from the first return to the last, with the returns of each. */
static int build_months(rep_view *v, const tally *months, int n)
{
	char m[8];
	int count = 0, i, k;

	if (n == 0)
		return 0;
	/* At most ten years of months: a date from far away is not a chart. */
	snprintf(m, sizeof m, "%.7s", months[0].key);
	for (count = 1; count < 120 && strcmp(m, months[n - 1].key) < 0; count++)
		month_next(m, m);
	if (!(v->months = calloc((size_t)count, sizeof *v->months)) ||
	    !(v->months_vague = calloc((size_t)count, sizeof *v->months_vague)) ||
	    !(v->month_names = calloc((size_t)count, sizeof *v->month_names)))
		return HW_ERROR;
	v->nmonths = count;
	snprintf(m, sizeof m, "%.7s", months[0].key);
	for (i = 0, k = 0; i < count; i++, month_next(m, m)) {
		if (!(v->month_names[i] = strdup(m)))
			return HW_ERROR;
		while (k < n && strcmp(months[k].key, m) < 0)
			k++;
		if (k < n && !strcmp(months[k].key, m)) {
			v->months[i] = months[k].count;
			v->months_vague[i] = !v->exact && report_count_hidden(&v->r, months[k].count);
		}
	}
	return 0;
}

/*
 * A section of bars from tallies, sorted by key, labels from list or from
 * name (either may be NULL; neither: the key itself).
 */
static int add_section(rep_view *v, const char *heading, tally *t, int n, const ui_word *list,
		       const char *(*name)(const char *key), const char *empty)
{
	int first, rc;

	if (n == 0)
		return 0;
	qsort(t, (size_t)n, sizeof *t, cmp_tally_key);
	if ((rc = add_item(v, ITEM_BLANK, "", 0, 0)) < 0)
		return rc;
	first = v->nitems;
	if ((rc = add_item(v, ITEM_HEADING, heading, 0, 0)) < 0)
		return rc;
	for (int i = 0; i < n && rc == 0; i++)
		rc = add_item(v, ITEM_BAR, !*t[i].key ? empty : list ? ui_word_label(list, t[i].key)
			      : name ? name(t[i].key) : t[i].key, t[i].count, 0);
	close_section(v, first);
	return rc;
}

/*
 * Returns: per month (a sparkline), by type of return, by country and by
 * kind of assistance.  The core gives one row per month, country and type
 * with assistance_kind "" for all its returns, then one per kind granted.
 */
static int build_returns(rep_view *v)
{
	tally *months = NULL, *types = NULL, *countries = NULL, *kinds = NULL;
	int nm = 0, nt = 0, nc = 0, nk = 0, rc = 0;
	long total = 0;

	for (size_t i = 0; i < v->r.nrows && rc == 0; i++) {
		char *const *k = v->r.rows[i].keys;
		long c = v->r.rows[i].count;

		if (*k[3]) {
			rc = tally_add(&kinds, &nk, k[3], c);
			continue;
		}
		total += c;
		if ((rc = tally_add(&months, &nm, k[0], c)) == 0 &&
		    (rc = tally_add(&types, &nt, k[2], c)) == 0)
			rc = tally_add(&countries, &nc, k[1], c);
	}
	if (rc == 0 && total == 0) {
		rc = add_item(v, ITEM_TEXT, _("No returns in this period."), 0, 0);
		goto cleanup;
	}
	if (rc == 0)
		rc = add_item(v, ITEM_TEXT, _("All returns"), total, 1);
	if (rc == 0) {
		qsort(months, (size_t)nm, sizeof *months, cmp_tally_key);
		rc = build_months(v, months, nm);
	}
	if (rc == 0 && (rc = add_item(v, ITEM_BLANK, "", 0, 0)) == 0 &&
	    (rc = add_item(v, ITEM_HEADING, _("Returns per month"), 0, 0)) == 0 &&
	    (rc = add_item(v, ITEM_SPARK, "", 0, 0)) == 0)
		rc = add_item(v, ITEM_AXIS, "", 0, 0);
	/* A withheld month has a mark of its own: say what it means. */
	for (int i = 0; rc == 0 && i < v->nmonths; i++)
		if (v->months_vague[i]) {
			rc = add_item(v, ITEM_LEGEND, "", 0, 0);
			break;
		}
	if (rc == 0)
		rc = add_section(v, _("Type of return"), types, nt, ui_return_types, NULL, "");
	if (rc == 0)
		rc = add_section(v, _("Country of return"), countries, nc, NULL, ui_country_name,
				 _("(unknown)"));
	if (rc == 0)
		rc = add_section(v, _("Assistance granted"), kinds, nk, ui_kinds, NULL, "");
cleanup:
	tallies_free(months, nm);
	tallies_free(types, nt);
	tallies_free(countries, nc);
	tallies_free(kinds, nk);
	return rc;
}

/* The name of a step that timeliness measures. */
static const char *step_name(const char *step)
{
	if (!strcmp(step, "contact")) return _("First contact");
	if (!strcmp(step, "decision")) return _("Decision");
	if (!strcmp(step, "departure")) return _("Departure");
	if (!strcmp(step, "arrival")) return _("Arrival");
	if (!strcmp(step, "follow_up")) return _("First follow-up");
	return step;
}

/* The index of a value column by name, or -1. */
static int value_index(const report *r, const char *name)
{
	for (size_t j = 0; j < r->nvalues; j++)
		if (!strcmp(r->value_columns[j], name))
			return (int)j;
	return -1;
}

/* Set the largest high end of the ranges from item first on. */
static void close_ranges(rep_view *v, int first)
{
	double top = 0;
	int i;

	for (i = first; i < v->nitems; i++)
		if (v->items[i].kind == ITEM_RANGE && v->items[i].hi > top)
			top = v->items[i].hi;
	for (i = first; i < v->nitems; i++)
		v->items[i].top = top;
}

/* A range item: count, median and 90th percentile of a row. */
static int add_range(rep_view *v, const char *label, const report_row *row, int jm, int jp)
{
	rep_item *it;
	int rc;

	if ((rc = add_item(v, ITEM_RANGE, label, row->count, 0)) < 0)
		return rc;
	it = &v->items[v->nitems - 1];
	if (jm < 0 || jp < 0)
		return 0;
	/* Days of fewer cases than the threshold are withheld; none measured is a dash. */
	it->withheld = !v->exact && report_count_hidden(&v->r, row->count);
	if (row->values[jm] == REPORT_NONE)
		return 0;
	it->lo = row->values[jm];
	it->hi = row->values[jp] >= row->values[jm] ? row->values[jp] : row->values[jm];
	if (it->withheld)
		it->lo = it->hi = REPORT_NONE;
	return 0;
}

/*
 * Timeliness: for each pair of steps the days between them (median solid,
 * shaded to the 90th percentile) over the cases that went through both,
 * then the cases waiting longer than the threshold at each step.
 */
static int build_timeliness(rep_view *v)
{
	int jm = value_index(&v->r, "median_days"), jp = value_index(&v->r, "p90_days");
	int jw = value_index(&v->r, "waiting"), jt = value_index(&v->r, "wait_days");
	char label[256], heading[256];
	int first, rc = 0;
	size_t i;

	if (v->r.nrows == 0)
		return add_item(v, ITEM_TEXT, _("No cases in this period."), 0, 0);
	if ((rc = add_item(v, ITEM_BLANK, "", 0, 0)) < 0)
		return rc;
	first = v->nitems;
	if ((rc = add_item(v, ITEM_HEADING, _("Days between steps: the median, shaded to the 90th percentile"), 0, 0)) < 0)
		return rc;
	for (i = 0; i < v->r.nrows && rc == 0; i++) {
		const report_row *row = &v->r.rows[i];

		/* TRANSLATORS: two steps of a case: "Decision → Departure". */
		snprintf(label, sizeof label, _("%s \xe2\x86\x92 %s"), step_name(row->keys[0]),
			 step_name(row->keys[1]));
		rc = add_range(v, label, row, jm, jp);
	}
	close_ranges(v, first);
	if (rc < 0 || jw < 0 || (rc = add_item(v, ITEM_BLANK, "", 0, 0)) < 0)
		return rc;
	first = v->nitems;
	/* TRANSLATORS: %ld is the threshold in days (setting report.wait_days);
	 * the rows under it are "step → next step". */
	snprintf(heading, sizeof heading, _("Waiting longer than %ld days for the next step"),
		 v->r.nrows && jt >= 0 ? (long)v->r.rows[0].values[jt] : 0L);
	if ((rc = add_item(v, ITEM_HEADING, heading, 0, 0)) < 0)
		return rc;
	for (i = 0; i < v->r.nrows && rc == 0; i++) {
		const report_row *row = &v->r.rows[i];

		snprintf(label, sizeof label, _("%s \xe2\x86\x92 %s"), step_name(row->keys[0]),
			 step_name(row->keys[1]));
		rc = add_item(v, ITEM_BAR, label, row->values[jw] < 0 ? 0 : (long)row->values[jw], 0);
	}
	close_section(v, first);
	return rc;
}

/*
 * Referrals: for each provider, its referrals by status, the days from
 * sending to acceptance (median, shaded to the 90th percentile), and the
 * reasons of those declined.
 */
static int build_referrals(rep_view *v)
{
	int jm = value_index(&v->r, "median_days"), jp = value_index(&v->r, "p90_days");
	const char *provider = NULL, *measure = NULL;
	char label[512];
	int first = 0, rc = 0;
	hw_provider_list *providers = NULL;

	if (v->r.nrows == 0)
		return add_item(v, ITEM_TEXT, _("No referrals."), 0, 0);
	if (providers_load(v->ws, &providers) < 0)
		hw_error_clear(ws_err(v->ws));   /* names are a nicety: ids do */
	for (size_t i = 0; i < v->r.nrows && rc == 0; i++) {
		const report_row *row = &v->r.rows[i];

		if (!provider || strcmp(provider, row->keys[0]) || strcmp(measure, row->keys[1])) {
			const hw_provider *p = providers_find(providers, row->keys[0]);

			if (provider) {
				close_section(v, first);
				close_ranges(v, first);
			}
			if ((!provider || strcmp(provider, row->keys[0])) &&
			    ((rc = add_item(v, ITEM_BLANK, "", 0, 0)) < 0 ||
			     (rc = add_item(v, ITEM_HEADING, p ? p->name : row->keys[0], 0, 0)) < 0))
				break;
			provider = row->keys[0];
			measure = row->keys[1];
			first = v->nitems;
		}
		if (!strcmp(row->keys[1], "status")) {
			rc = add_item(v, ITEM_BAR, ui_word_label(ui_referral_statuses, row->keys[2]),
				      row->count, 0);
		} else if (!strcmp(row->keys[1], "accepted")) {
			rc = add_range(v, _("Days to acceptance"), row, jm, jp);
		} else {
			/* TRANSLATORS: a referral declined, and the reason given. */
			snprintf(label, sizeof label, _("Declined: %s"),
				 *row->keys[2] ? row->keys[2] : _("(no reason given)"));
			rc = add_item(v, ITEM_BAR, label, row->count, 0);
		}
	}
	if (rc == 0 && provider) {
		close_section(v, first);
		close_ranges(v, first);
	}
	providers_free(providers);
	return rc;
}

/*
 * Follow-up: for each round the appointments due, done, missed and
 * overdue as bars; then the mean reintegration score of each round and
 * dimension as a bar on the whole scale, 0 to 1, with the forms counted.
 */
static int build_followup(rep_view *v)
{
	char label[256];
	int first, rc = 0;
	size_t i;

	if (v->r.nrows == 0)
		return add_item(v, ITEM_TEXT, _("No follow-up rounds in this period."), 0, 0);
	if ((rc = add_item(v, ITEM_BLANK, "", 0, 0)) < 0 ||
	    (rc = add_item(v, ITEM_HEADING, _("Follow-up rounds: due, done, missed, overdue"), 0, 0)) < 0)
		return rc;
	first = v->nitems;
	for (i = 0; i < v->r.nrows && rc == 0; i++) {
		const report_row *row = &v->r.rows[i];

		if (!strcmp(row->keys[1], "score"))
			continue;
		snprintf(label, sizeof label, "%s: %s", row->keys[0],
			 cli_report_cell(CLI_REPORT_FOLLOWUP, &v->r, i, 1));
		rc = add_item(v, ITEM_BAR, label, row->count, 0);
	}
	close_section(v, first);
	if (rc < 0 || (rc = add_item(v, ITEM_BLANK, "", 0, 0)) < 0 ||
	    (rc = add_item(v, ITEM_HEADING, _("Mean reintegration score by round (0 to 1)"), 0, 0)) < 0)
		return rc;
	first = v->nitems;
	for (i = 0; i < v->r.nrows && rc == 0; i++) {
		const report_row *row = &v->r.rows[i];
		rep_item *it;

		if (strcmp(row->keys[1], "score"))
			continue;
		snprintf(label, sizeof label, "%s: %s", row->keys[0], cli_report_dimension(row->keys[2]));
		if ((rc = add_item(v, ITEM_RANGE, label, row->count, 0)) < 0)
			break;
		it = &v->items[v->nitems - 1];
		it->score = 1;
		it->top = 1.0;
		/* The mean of fewer forms than the threshold is withheld, like days. */
		it->withheld = !v->exact && report_count_hidden(&v->r, row->count);
		if (!it->withheld && row->values[0] != REPORT_NONE)
			it->lo = it->hi = row->values[0];
	}
	if (v->nitems == first && rc == 0)
		rc = add_item(v, ITEM_TEXT, _("No follow-up form with scores in this period."), 0, 0);
	return rc;
}

/* Compute the report shown and lay it out as items. */
static void reload(rep_view *v, tui *t)
{
	report_filter f = REPORT_FILTER_INIT;
	int rc;

	items_free(v);
	report_clear(&v->r);
	switch (v->which) {
	case REP_CASELOAD:
		if ((rc = report_caseload(v->ws, &f, &v->r)) == 0)
			rc = build_caseload(v);
		break;
	case REP_TIMELINESS:
		if ((rc = report_timeliness(v->ws, &f, &v->r)) == 0)
			rc = build_timeliness(v);
		break;
	case REP_RETURNS:
		if ((rc = report_returns(v->ws, &f, &v->r)) == 0)
			rc = build_returns(v);
		break;
	case REP_REFERRALS:
		if ((rc = report_referrals(v->ws, &f, &v->r)) == 0)
			rc = build_referrals(v);
		break;
	default:
		if ((rc = report_followup(v->ws, &f, &v->r)) == 0)
			rc = build_followup(v);
		break;
	}
	if (rc < 0) {
		items_free(v);
		tui_error(t, rc);
	}
}

static int rep_open(ui_view *vw, tui *t, void *arg)
{
	rep_view *v = calloc(1, sizeof *v);
	report empty = REPORT_INIT;

	(void)arg;
	if (!v)
		return HW_ERROR;
	vw->data = v;
	v->r = empty;
	v->ws = tui_ws(t);
	v->visible = 10;
	reload(v, t);
	return 0;
}

static void rep_close(ui_view *vw, tui *t)
{
	rep_view *v = vw->data;

	(void)t;
	if (!v)
		return;
	items_free(v);
	report_clear(&v->r);
	free(v);
}

static void rep_resume(ui_view *vw, tui *t)
{
	reload(vw->data, t);
}

/* The count's text as drawn: "<5" unless exact counts are shown. */
static const char *count_text(const rep_view *v, long count, char buf[32])
{
	if (v->exact) {
		snprintf(buf, 32, "%ld", count);
		return buf;
	}
	return report_count_text(&v->r, count, buf);
}

/* s in a cell of width columns from x, against its right edge in a right-to-left layout. */
static void put_side(tui *t, int y, int x, int width, const char *s, enum ui_role role, int rtl)
{
	int w = text_width(s);

	if (rtl && w < width)
		ui_put(t, y, x + width - w, w, s, role, 1);
	else
		ui_put(t, y, x, width, s, role, rtl);
}

/* A count in a cell of width columns, against the bar: right-aligned (left in RTL). */
static void put_count(tui *t, int y, int x, int width, const char *text, enum ui_role role, int rtl)
{
	char cell[64];
	int w = text_width(text);

	if (w > width)
		w = width;
	if (rtl)
		snprintf(cell, sizeof cell, "%s%*s", text, width - w, "");
	else
		snprintf(cell, sizeof cell, "%*s%s", width - w, "", text);
	ui_put(t, y, x, width, cell, role, 0);
}

enum { W_COUNT = 6 };

static void draw_bar(rep_view *v, tui *t, const rep_item *it, int y, int cols, int rtl,
		     unsigned cflags)
{
	int lw = cols / 3 > 30 ? 30 : cols / 3, bw = cols - 2 - lw - 1 - W_COUNT - 1;
	int hidden = withheld_count(v, it->count);
	char buf[32], *bar = NULL;

	if (bw < 1)
		bw = 1;
	/* A withheld count has no bar: "<5" is all it says. */
	if (!hidden)
		bar = chart_bar(it->count, it->max, bw, cflags);
	if (!rtl) {
		ui_put(t, y, 1, lw, it->label, ROLE_NORMAL, 0);
		put_count(t, y, 1 + lw + 1, W_COUNT, count_text(v, it->count, buf),
			  hidden ? ROLE_DIM : ROLE_NORMAL, 0);
		if (bar && *bar)
			ui_put(t, y, 1 + lw + 1 + W_COUNT + 1, text_width(bar), bar, ROLE_INFO, 0);
	} else {
		int lx = cols - 1 - lw, cx = lx - 1 - W_COUNT, bend = cx - 1;

		put_side(t, y, lx, lw, it->label, ROLE_NORMAL, 1);
		put_count(t, y, cx, W_COUNT, count_text(v, it->count, buf),
			  hidden ? ROLE_DIM : ROLE_NORMAL, 1);
		if (bar && *bar)
			ui_put(t, y, bend - text_width(bar), text_width(bar), bar, ROLE_INFO, 0);
	}
	free(bar);
}

enum { W_DAYS = 14 };

/* A range row: label, count, the bar of days and "12 / 30 d" after it. */
static void draw_range(rep_view *v, tui *t, const rep_item *it, int y, int cols, int rtl,
		       unsigned cflags)
{
	int lw = cols / 3 > 30 ? 30 : cols / 3, bw = cols - 2 - lw - 1 - W_COUNT - 1 - W_DAYS;
	int hidden = !v->exact && report_count_hidden(&v->r, it->count);
	char buf[32], days[64], *bar = NULL;

	if (bw < 1)
		bw = 1;
	if (it->lo >= 0 && it->top > 0)
		bar = chart_range(it->lo, it->hi, it->top, bw, cflags);
	if (it->withheld || it->lo < 0)
		snprintf(days, sizeof days, "%s", it->withheld ? "" : "\xe2\x80\x94");
	else if (it->score)
		snprintf(days, sizeof days, "%.2f", it->lo);
	else
		/* TRANSLATORS: days: the median, then the 90th percentile ("12 / 30 d"). */
		snprintf(days, sizeof days, _("%.0f / %.0f d"), it->lo, it->hi);
	if (!rtl) {
		int x = 1 + lw + 1 + W_COUNT + 1;

		ui_put(t, y, 1, lw, it->label, ROLE_NORMAL, 0);
		put_count(t, y, 1 + lw + 1, W_COUNT, count_text(v, it->count, buf),
			  hidden ? ROLE_DIM : ROLE_NORMAL, 0);
		if (bar && *bar) {
			ui_put(t, y, x, text_width(bar), bar, ROLE_INFO, 0);
			x += text_width(bar);
		}
		ui_put(t, y, x + 1, W_DAYS, days, ROLE_NORMAL, 0);
	} else {
		int lx = cols - 1 - lw, cx = lx - 1 - W_COUNT, bend = cx - 1, w = bar ? text_width(bar) : 0;

		put_side(t, y, lx, lw, it->label, ROLE_NORMAL, 1);
		put_count(t, y, cx, W_COUNT, count_text(v, it->count, buf),
			  hidden ? ROLE_DIM : ROLE_NORMAL, 1);
		if (w)
			ui_put(t, y, bend - w, w, bar, ROLE_INFO, 0);
		put_side(t, y, bend - w - 1 - W_DAYS, W_DAYS, days, ROLE_NORMAL, 1);
	}
	free(bar);
}

/* The sparkline of returns per month; the last months when they do not all fit. */
static int spark_range(const rep_view *v, int cols, int *from)
{
	int n = v->nmonths, room = cols - 4;

	*from = 0;
	if (room < 1)
		return 0;
	if (n > room) {
		*from = n - room;
		n = room;
	}
	return n;
}

static void draw_spark(rep_view *v, tui *t, int y, int cols, int rtl, unsigned cflags)
{
	int from, n = spark_range(v, cols, &from);
	char *line;

	if (n <= 0)
		return;
	line = chart_sparkline(v->months + from, v->months_vague + from, (size_t)n,
			       cflags | (rtl ? CHART_RTL : 0));
	if (line)
		ui_put(t, y, rtl ? cols - 2 - n : 2, n, line, ROLE_INFO, 0);
	free(line);
}

/* The first and last month under the sparkline, at its two ends. */
static void draw_axis(rep_view *v, tui *t, int y, int cols, int rtl)
{
	int from, n = spark_range(v, cols, &from);
	const char *first, *last;

	if (n <= 0)
		return;
	first = v->month_names[from];
	last = v->month_names[from + n - 1];
	if (!rtl) {
		ui_put(t, y, 2, 7, first, ROLE_DIM, 0);
		if (n > 8)
			ui_put(t, y, 2 + n - 7, 7, last, ROLE_DIM, 0);
	} else {
		ui_put(t, y, cols - 2 - 7, 7, first, ROLE_DIM, 0);
		if (n > 8)
			ui_put(t, y, cols - 2 - n, 7, last, ROLE_DIM, 0);
	}
}

/* What the mark of a withheld month means, under the sparkline. */
static void draw_legend(rep_view *v, tui *t, int y, int cols, int rtl, unsigned cflags)
{
	char line[256], buf[32];

	/* TRANSLATORS: the legend under the sparkline of returns per month:
	 * the first %s is the mark drawn for a month whose count is withheld,
	 * the second how such a count is written ("<5"). */
	snprintf(line, sizeof line, _("%s a month of %s returns: its height is not shown"),
		 chart_withheld_mark(cflags), report_count_text(&v->r, 1, buf));
	put_side(t, y, 2, cols - 4, line, ROLE_DIM, rtl);
}

static void rep_draw(ui_view *vw, tui *t, int top, int rows, int cols)
{
	rep_view *v = vw->data;
	int rtl = tui_is_rtl(t), y = top, i;
	unsigned cflags = (chart_utf8_locale() ? 0 : CHART_ASCII) | (rtl ? CHART_RTL : 0);
	char title[256], note[512], buf[32];
	const char *name = v->which == REP_CASELOAD ? _("Caseload")
			   : v->which == REP_TIMELINESS ? _("Timeliness")
			   : v->which == REP_RETURNS ? _("Returns")
			   : v->which == REP_REFERRALS ? _("Referrals") : _("Follow-up");

	/* TRANSLATORS: the title of the Reports screen: "Reports · Caseload". */
	snprintf(title, sizeof title, _("Reports \xc2\xb7 %s"), name);
	tui_set_title(t, title);
	tui_set_hints(t, &rep_keymap, rep_hints);
	if (v->exact)
		snprintf(note, sizeof note, "%s",
			 _("Exact counts are shown, on this screen only: do not copy them into a report."));
	else
		/* TRANSLATORS: %s is "<5": how a small count is shown. */
		snprintf(note, sizeof note, _("Counts under the threshold are shown as %s."),
			 report_count_text(&v->r, 1, buf));
	ui_blank(y, 0, cols, ROLE_HINT);
	put_side(t, y, 1, cols - 2, note, v->exact ? ROLE_CONFLICT : ROLE_HINT, rtl);
	y++;
	v->visible = rows - 1;
	if (v->top > v->nitems - v->visible)
		v->top = v->nitems - v->visible;
	if (v->top < 0)
		v->top = 0;
	for (i = v->top; i < v->nitems && y < top + rows; i++, y++) {
		const rep_item *it = &v->items[i];

		switch (it->kind) {
		case ITEM_HEADING:
			ui_blank(y, 0, cols, ROLE_HEADER);
			put_side(t, y, 1, cols - 2, it->label, ROLE_HEADER, rtl);
			break;
		case ITEM_TEXT:
			if (it->has_count) {
				char line[256];

				snprintf(line, sizeof line, "%s: %s", it->label, count_text(v, it->count, buf));
				put_side(t, y, 1, cols - 2, line, ROLE_NORMAL, rtl);
			} else {
				put_side(t, y, 1, cols - 2, it->label, ROLE_HINT, rtl);
			}
			break;
		case ITEM_BAR:
			draw_bar(v, t, it, y, cols, rtl, cflags);
			break;
		case ITEM_SPARK:
			draw_spark(v, t, y, cols, rtl, cflags);
			break;
		case ITEM_AXIS:
			draw_axis(v, t, y, cols, rtl);
			break;
		case ITEM_LEGEND:
			draw_legend(v, t, y, cols, rtl, cflags);
			break;
		case ITEM_RANGE:
			draw_range(v, t, it, y, cols, rtl, cflags);
			break;
		default:
			break;
		}
	}
}

static int rep_key(ui_view *vw, tui *t, int key, enum ui_action act)
{
	rep_view *v = vw->data;
	int last = v->nitems - v->visible > 0 ? v->nitems - v->visible : 0;

	(void)key;
	switch (act) {
	case ACT_UP: if (v->top > 0) v->top--; return UI_HANDLED | UI_REDRAW;
	case ACT_DOWN: if (v->top < last) v->top++; return UI_HANDLED | UI_REDRAW;
	case ACT_PAGE_UP: v->top -= v->visible; if (v->top < 0) v->top = 0; return UI_HANDLED | UI_REDRAW;
	case ACT_PAGE_DOWN: v->top += v->visible; if (v->top > last) v->top = last; return UI_HANDLED | UI_REDRAW;
	case ACT_FIRST: v->top = 0; return UI_HANDLED | UI_REDRAW;
	case ACT_LAST: v->top = last; return UI_HANDLED | UI_REDRAW;
	case ACT_NEXT_REPORT:
		v->which = (v->which + 1) % NREPORTS;
		v->top = 0;
		reload(v, t);
		return UI_HANDLED | UI_REDRAW;
	case ACT_EXACT_COUNTS:
		v->exact = !v->exact;
		reload(v, t);
		return UI_HANDLED | UI_REDRAW;
	case ACT_BACK:
		return UI_CLOSE;
	default:
		return UI_IGNORED;
	}
}

const ui_view_ops ui_screen_reports = {
	"reports", &rep_keymap, rep_open, rep_draw, rep_key, NULL, rep_resume, rep_close,
};

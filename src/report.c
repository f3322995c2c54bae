/*
 * report.c: caseload and returns figures from the cases' rows and the case
 * work the fold derived (src/cases.c).  Reports never write: they work on a
 * workspace opened read-only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agenda.h"
#include "cases.h"
#include "forms.h"
#include "store.h"
#include "event.h"
#include "report.h"
#include "team.h"
#include "util.h"
#include "xform/xform.h"

static const char *const caseload_columns[] = { "measure", "value", NULL };
static const char *const returns_columns[] = {
	"month", "country", "type_of_return", "assistance_kind", NULL
};

/* The measures of the caseload report, in the order they are listed. */
static const char *const measures[] = {
	"total", "stage", "assignee", "country", "vulnerability", "minors", NULL
};

void report_clear(report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t k = 0; k < r->nkeys; k++)
			free(r->rows[i].keys[k]);
		free(r->rows[i].keys);
		free(r->rows[i].values);
	}
	free(r->rows);
	r->rows = NULL;
	r->nrows = 0;
}

int report_filter_check(const report_filter *f, hw_error *err)
{
	if (!f)
		return 0;
	if (f->from && !event_date_valid(f->from))
		return hw_error_set(err, HW_EINVALID, "--from \"%s\" is not a date (YYYY-MM-DD)", f->from);
	if (f->to && !event_date_valid(f->to))
		return hw_error_set(err, HW_EINVALID, "--to \"%s\" is not a date (YYYY-MM-DD)", f->to);
	if (f->from && f->to && strcmp(f->from, f->to) > 0)
		return hw_error_set(err, HW_EINVALID, "--from %s is after --to %s", f->from, f->to);
	if (f->country && (strlen(f->country) != 2 ||
			   !strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", f->country[0]) ||
			   !strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", f->country[1])))
		return hw_error_set(err, HW_EINVALID,
				    "--country \"%s\" is not a two-letter country code (ISO 3166, e.g. NG)",
				    f->country);
	return 0;
}

/* The value of a report.min_count text, or -1 when it is not 1 to 1000. */
static long min_count_value(const char *text)
{
	char *end = NULL;
	long n;

	if (!text || *text < '0' || *text > '9')
		return -1;
	n = strtol(text, &end, 10);
	return *end || n < 1 || n > 1000 ? -1 : n;
}

int report_min_count_check(const char *text)
{
	return min_count_value(text) < 0 ? HW_EINVALID : 0;
}

int report_min_count(hw_ws *ws, long *out)
{
	char *v = NULL;
	long n;
	int rc;

	*out = REPORT_MIN_COUNT_DEFAULT;
	rc = team_setting_value(ws, REPORT_MIN_COUNT, &v);
	if (rc == HW_ENOTFOUND) {
		hw_error_clear(ws_err(ws));
		return 0;
	}
	if (rc < 0)
		return rc;
	if ((n = min_count_value(v)) < 0) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "setting %s \"%s\" is not a whole number from 1 to 1000",
				  REPORT_MIN_COUNT, v);
	} else {
		*out = n;
	}
	free(v);
	return rc;
}

int report_count_hidden(const report *r, long count)
{
	return count > 0 && count < r->min_count;
}

const char *report_count_text(const report *r, long count, char buf[32])
{
	if (report_count_hidden(r, count))
		snprintf(buf, 32, "<%ld", r->min_count);
	else
		snprintf(buf, 32, "%ld", count);
	return buf;
}

/* Add n to the row with these keys, making it (count 0) when there is none. */
static int tally(report *r, const char *const *keys, long n, hw_error *err)
{
	report_row *row;
	size_t i, k;

	for (i = 0; i < r->nrows; i++) {
		for (k = 0; k < r->nkeys && !strcmp(r->rows[i].keys[k], keys[k] ? keys[k] : ""); k++)
			;
		if (k == r->nkeys) {
			r->rows[i].count += n;
			return 0;
		}
	}
	row = realloc(r->rows, (r->nrows + 1) * sizeof(*row));
	if (!row)
		return hw_error_set(err, HW_ERROR, "out of memory");
	r->rows = row;
	row = &r->rows[r->nrows];
	row->count = n;
	row->values = NULL;
	if (!(row->keys = calloc(r->nkeys, sizeof(char *))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	r->nrows++;
	if (r->nvalues) {
		if (!(row->values = malloc(r->nvalues * sizeof(double))))
			return hw_error_set(err, HW_ERROR, "out of memory");
		for (k = 0; k < r->nvalues; k++)
			row->values[k] = REPORT_NONE;
	}
	for (k = 0; k < r->nkeys; k++)
		if (!(row->keys[k] = strdup(keys[k] ? keys[k] : "")))
			return hw_error_set(err, HW_ERROR, "out of memory");
	return 0;
}

/* tally once for each word of a space-separated list; empty ("" key) when none. */
static int tally_words(report *r, const char *measure, const char *list, int none_too,
		       hw_error *err)
{
	const char *keys[2] = { measure, "" };
	char word[256];
	int rc, any = 0;

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, " ");

		if (len) {
			snprintf(word, sizeof(word), "%.*s", (int)(len < 255 ? len : 255), p);
			keys[1] = word;
			if ((rc = tally(r, keys, 1, err)) < 0)
				return rc;
			any = 1;
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	keys[1] = "";
	return !any && none_too ? tally(r, keys, 1, err) : 0;
}

/* True if the space-separated list holds word. */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, " ");

		if (len == n && !strncmp(p, word, n))
			return 1;
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

typedef struct walk {
	hw_ws *ws;
	const report_filter *f;
	report *r;
	void *more;             /* what one report needs besides */
} walk;

/* True if the filter's country and person keep the case. */
static int kept(const report_filter *f, const store_report_case *c)
{
	if (f->country && (!c->return_country || strcasecmp(c->return_country, f->country)))
		return 0;
	if (f->assigned && !has_word(c->assigned_to, f->assigned))
		return 0;
	return 1;
}

static int caseload_case(const store_report_case *row, void *payload)
{
	walk *c = payload;
	const report_filter *f = c->f;
	const char *keys[2];
	int rc;

	if (!kept(f, row))
		return 0;
	/* Active in the period: opened by its end, not closed before its start. */
	if (f->to && row->opened_at && strncmp(row->opened_at, f->to, 10) > 0)
		return 0;
	if (f->from && !strcmp(row->stage, "closed") && row->closed_on &&
	    strncmp(row->closed_on, f->from, 10) < 0)
		return 0;
	keys[0] = "total", keys[1] = "";
	if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
		return rc;
	keys[0] = "stage", keys[1] = row->stage;
	if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0 ||
	    (rc = tally_words(c->r, "assignee", row->assigned_to, 1, ws_err(c->ws))) < 0)
		return rc;
	keys[0] = "country", keys[1] = row->return_country;
	if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0 ||
	    (rc = tally_words(c->r, "vulnerability", row->vulnerability, 0, ws_err(c->ws))) < 0)
		return rc;
	keys[0] = "minors";
	keys[1] = "all";
	if (row->minor && (rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
		return rc;
	keys[1] = "unaccompanied";
	if (has_word(row->vulnerability, "unaccompanied_minor") &&
	    (rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
		return rc;
	return 0;
}

static size_t rank(const char *const *list, const char *word)
{
	size_t i;

	for (i = 0; list[i] && strcmp(list[i], word); i++)
		;
	return i;
}

/* Measures in their order; stages in theirs; other values by their text. */
static int caseload_order(const void *a, const void *b)
{
	const report_row *x = a, *y = b;
	size_t mx = rank(measures, x->keys[0]), my = rank(measures, y->keys[0]);

	if (mx != my)
		return mx < my ? -1 : 1;
	if (!strcmp(x->keys[0], "stage")) {
		mx = rank(case_stages, x->keys[1]);
		my = rank(case_stages, y->keys[1]);
		if (mx != my)
			return mx < my ? -1 : 1;
	}
	return strcmp(x->keys[1], y->keys[1]);
}

static int start(hw_ws *ws, const report_filter *f, report *out, const char *const *columns)
{
	int rc;

	report_clear(out);
	out->columns = columns;
	out->count_column = NULL;
	out->value_columns = NULL;
	out->value_kinds = NULL;
	out->nvalues = 0;
	for (out->nkeys = 0; columns[out->nkeys]; out->nkeys++)
		;
	if ((rc = report_filter_check(f, ws_err(ws))) < 0)
		return rc;
	return report_min_count(ws, &out->min_count);
}

int report_caseload(hw_ws *ws, const report_filter *f, report *out)
{
	static const report_filter all = REPORT_FILTER_INIT;
	walk c = { ws, f ? f : &all, out, NULL };
	const char *keys[2] = { "total", "" };
	int rc;

	if ((rc = start(ws, c.f, out, caseload_columns)) < 0)
		goto cleanup;
	/* Every stage is listed, also when no case is in it. */
	if ((rc = tally(out, keys, 0, ws_err(ws))) < 0)
		goto cleanup;
	keys[0] = "stage";
	for (size_t i = 0; case_stages[i]; i++) {
		keys[1] = case_stages[i];
		if ((rc = tally(out, keys, 0, ws_err(ws))) < 0)
			goto cleanup;
	}
	keys[0] = "minors";
	keys[1] = "all";
	if ((rc = tally(out, keys, 0, ws_err(ws))) < 0)
		goto cleanup;
	keys[1] = "unaccompanied";
	if ((rc = tally(out, keys, 0, ws_err(ws))) < 0)
		goto cleanup;
	if ((rc = store_report_cases(ws_store(ws), caseload_case, &c, ws_err(ws))) < 0)
		goto cleanup;
	qsort(out->rows, out->nrows, sizeof(*out->rows), caseload_order);
cleanup:
	if (rc < 0)
		report_clear(out);
	return rc;
}

static int returns_case(const store_report_case *row, void *payload)
{
	walk *c = payload;
	const report_filter *f = c->f;
	const char *keys[4];
	char month[8];
	int rc;

	if (!kept(f, row))
		return 0;
	if (!row->departed_on || !row->return_type || strlen(row->departed_on) < 10 ||
	    (f->from && strncmp(row->departed_on, f->from, 10) < 0) ||
	    (f->to && strncmp(row->departed_on, f->to, 10) > 0))
		return 0;
	snprintf(month, sizeof(month), "%.7s", row->departed_on);
	keys[0] = month;
	keys[1] = row->return_country;
	keys[2] = row->return_type;
	keys[3] = "";
	if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
		return rc;
	if (!row->assistance_granted)
		return 0;
	for (const char *p = row->assistance; p && *p;) {
		size_t len = strcspn(p, " ");
		char kind[64];

		if (len && len < sizeof(kind)) {
			snprintf(kind, sizeof(kind), "%.*s", (int)len, p);
			keys[3] = kind;
			if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
				return rc;
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

static int returns_order(const void *a, const void *b)
{
	const report_row *x = a, *y = b;
	int d = 0;

	for (size_t k = 0; k < 4 && !d; k++)
		d = strcmp(x->keys[k], y->keys[k]);
	return d;
}

int report_returns(hw_ws *ws, const report_filter *f, report *out)
{
	static const report_filter all = REPORT_FILTER_INIT;
	walk c = { ws, f ? f : &all, out, NULL };
	int rc;

	if ((rc = start(ws, c.f, out, returns_columns)) < 0)
		goto cleanup;
	if ((rc = store_report_cases(ws_store(ws), returns_case, &c, ws_err(ws))) < 0)
		goto cleanup;
	qsort(out->rows, out->nrows, sizeof(*out->rows), returns_order);
cleanup:
	if (rc < 0)
		report_clear(out);
	return rc;
}

/* --- values after the count ----------------------------------------------- */

const char *report_count_name(const report *r)
{
	return r->count_column ? r->count_column : "count";
}

int report_value_hidden(const report *r, const report_row *row, size_t j)
{
	double v = row->values ? row->values[j] : REPORT_NONE;

	if (v == REPORT_NONE)
		return 1;
	switch (r->value_kinds[j]) {
	case REPORT_VALUE_COUNT: return report_count_hidden(r, (long)v);
	case REPORT_VALUE_DAYS:
	case REPORT_VALUE_SCORE: return report_count_hidden(r, row->count);
	default: return 0;
	}
}

const char *report_value_text(const report *r, const report_row *row, size_t j, char buf[32])
{
	double v = row->values ? row->values[j] : REPORT_NONE;

	if (v == REPORT_NONE)
		return "";
	if (r->value_kinds[j] == REPORT_VALUE_COUNT)
		return report_count_text(r, (long)v, buf);
	if ((r->value_kinds[j] == REPORT_VALUE_DAYS || r->value_kinds[j] == REPORT_VALUE_SCORE) &&
	    report_count_hidden(r, row->count))
		return "";
	if (r->value_kinds[j] == REPORT_VALUE_SCORE) {
		snprintf(buf, 32, "%.2f", v);
		return buf;
	}
	if (v == (double)(long)v)
		snprintf(buf, 32, "%ld", (long)v);
	else
		snprintf(buf, 32, "%.1f", v);
	return buf;
}

/* The value of a report.wait_days text, or -1 when it is not 1 to 3650. */
static long wait_days_value(const char *text)
{
	char *end = NULL;
	long n;

	if (!text || *text < '0' || *text > '9')
		return -1;
	n = strtol(text, &end, 10);
	return *end || n < 1 || n > 3650 ? -1 : n;
}

int report_wait_days_check(const char *text)
{
	return wait_days_value(text) < 0 ? HW_EINVALID : 0;
}

int report_wait_days(hw_ws *ws, long *out)
{
	char *v = NULL;
	long n;
	int rc;

	*out = REPORT_WAIT_DAYS_DEFAULT;
	rc = team_setting_value(ws, REPORT_WAIT_DAYS, &v);
	if (rc == HW_ENOTFOUND) {
		hw_error_clear(ws_err(ws));
		return 0;
	}
	if (rc < 0)
		return rc;
	if ((n = wait_days_value(v)) < 0) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "setting %s \"%s\" is not a whole number of days from 1 to 3650",
				  REPORT_WAIT_DAYS, v);
	} else {
		*out = n;
	}
	free(v);
	return rc;
}

/*
 * The day number of a date (the first ten characters of s, YYYY-MM-DD),
 * counted from 1970-01-01; -1 when s is not a date.  (Days from civil, in
 * the proleptic Gregorian calendar.)
 */
static long day_number(const char *s)
{
	char d[11];
	long y, m, dd, era, yoe, doy, doe;

	if (!s || strlen(s) < 10)
		return -1;
	memcpy(d, s, 10);
	d[10] = '\0';
	if (!event_date_valid(d))
		return -1;
	y = strtol(d, NULL, 10);
	m = strtol(d + 5, NULL, 10);
	dd = strtol(d + 8, NULL, 10);
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* A growable list of durations in days. */
typedef struct days {
	long *v;
	size_t n, cap;
} days;

static int days_add(days *d, long v)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		long *p = realloc(d->v, cap * sizeof(*p));

		if (!p)
			return HW_ERROR;
		d->v = p;
		d->cap = cap;
	}
	d->v[d->n++] = v;
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* Sort d and put its median and 90th percentile (nearest rank) in row's values 0 and 1. */
static void days_figures(days *d, report_row *row)
{
	size_t n = d->n, k;

	row->count = (long)n;
	if (!n)
		return;
	qsort(d->v, n, sizeof(*d->v), cmp_long);
	row->values[0] = n % 2 ? (double)d->v[n / 2]
			       : ((double)d->v[n / 2 - 1] + (double)d->v[n / 2]) / 2.0;
	k = (9 * n + 9) / 10;   /* ceil(0.9 n), at least 1 */
	row->values[1] = (double)d->v[k - 1];
}

/* --- timeliness ------------------------------------------------------------ */

const char *const report_steps[] = { "contact", "decision", "departure", "arrival", "follow_up", NULL };
#define NSTEPS 5

static const char *const timeliness_columns[] = { "from", "to", NULL };
static const char *const timeliness_values[] = { "median_days", "p90_days", "waiting", "wait_days", NULL };
static const int timeliness_kinds[] = {
	REPORT_VALUE_DAYS, REPORT_VALUE_DAYS, REPORT_VALUE_COUNT, REPORT_VALUE_PLAIN
};

typedef struct timeliness {
	days d[NSTEPS - 1];
	long waiting[NSTEPS - 1];
	long from, to;          /* the period as day numbers (-1: open) */
	long as_of;             /* the day waiting is measured on */
	long wait_days;
} timeliness;

static int timeliness_case(const store_report_case *row, void *payload)
{
	walk *c = payload;
	timeliness *t = c->more;
	long at[NSTEPS];
	int closed;

	if (!kept(c->f, row))
		return 0;
	at[0] = day_number(row->opened_at);
	at[1] = day_number(row->decision_date);
	at[2] = day_number(row->departed_on);
	at[3] = day_number(row->arrived_on);
	at[4] = day_number(row->follow_up_on);
	closed = !strcmp(row->stage, "closed") && day_number(row->closed_on) >= 0 &&
		 day_number(row->closed_on) <= t->as_of;
	for (int i = 0; i < NSTEPS - 1; i++) {
		long a = at[i], b = at[i + 1];

		/* Time between the steps, when the second was reached in the period. */
		if (a >= 0 && b >= a && (t->from < 0 || b >= t->from) && (t->to < 0 || b <= t->to) &&
		    days_add(&t->d[i], b - a) < 0)
			return hw_error_set(ws_err(c->ws), HW_ERROR, "out of memory");
		/* Waiting at the first step on the last day of the period. */
		if (closed || a < 0 || a > t->as_of || (b >= 0 && b <= t->as_of))
			continue;
		if (i == 1 && (!row->decision || strcmp(row->decision, "return")))
			continue;
		if (t->as_of - a > t->wait_days)
			t->waiting[i]++;
	}
	return 0;
}

int report_timeliness(hw_ws *ws, const report_filter *f, report *out)
{
	static const report_filter all = REPORT_FILTER_INIT;
	timeliness t;
	walk c = { ws, f ? f : &all, out, &t };
	char today[HW_TIME_LEN + 1];
	int rc;

	memset(&t, 0, sizeof(t));
	if ((rc = start(ws, c.f, out, timeliness_columns)) < 0)
		goto cleanup;
	out->count_column = "cases";
	out->value_columns = timeliness_values;
	out->value_kinds = timeliness_kinds;
	out->nvalues = 4;
	if ((rc = report_wait_days(ws, &t.wait_days)) < 0)
		goto cleanup;
	hw_now_iso(today);
	t.from = c.f->from ? day_number(c.f->from) : -1;
	t.to = c.f->to ? day_number(c.f->to) : -1;
	t.as_of = c.f->to ? t.to : day_number(today);
	for (int i = 0; i < NSTEPS - 1; i++) {
		const char *keys[2] = { report_steps[i], report_steps[i + 1] };

		if ((rc = tally(out, keys, 0, ws_err(ws))) < 0)
			goto cleanup;
	}
	if ((rc = store_report_cases(ws_store(ws), timeliness_case, &c, ws_err(ws))) < 0)
		goto cleanup;
	for (int i = 0; i < NSTEPS - 1; i++) {
		days_figures(&t.d[i], &out->rows[i]);
		out->rows[i].values[2] = (double)t.waiting[i];
		out->rows[i].values[3] = (double)t.wait_days;
	}
cleanup:
	for (int i = 0; i < NSTEPS - 1; i++)
		free(t.d[i].v);
	if (rc < 0)
		report_clear(out);
	return rc;
}

/* --- referrals ------------------------------------------------------------- */

static const char *const referral_columns[] = { "provider", "measure", "value", NULL };
static const char *const referral_values[] = { "median_days", "p90_days", NULL };
static const int referral_kinds[] = { REPORT_VALUE_DAYS, REPORT_VALUE_DAYS };
static const char *const referral_measures[] = { "status", "accepted", "declined", NULL };
/* Statuses in the order a referral usually goes through them. */
static const char *const referral_statuses[] = {
	"sent", "accepted", "declined", "in_progress", "service_delivered", "closed", NULL
};

typedef struct referrals {
	char **cases;           /* ids of the cases the filter keeps (sorted); NULL: all */
	size_t ncases, capcases;
	struct { char *provider; long days; } *waits;
	size_t nwaits, capwaits;
	long from, to;
} referrals;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Grow an array of n elements of size to hold one more (HW_ERROR when out of memory). */
static int grow(void **arr, size_t n, size_t *cap, size_t size)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	if (!(p = realloc(*arr, c * size)))
		return HW_ERROR;
	*arr = p;
	*cap = c;
	return 0;
}

static int referral_case(const store_report_case *row, void *payload)
{
	walk *c = payload;
	referrals *x = c->more;

	if (!kept(c->f, row))
		return 0;
	if (grow((void **)&x->cases, x->ncases, &x->capcases, sizeof(char *)) < 0 ||
	    !(x->cases[x->ncases] = strdup(row->id)))
		return hw_error_set(ws_err(c->ws), HW_ERROR, "out of memory");
	x->ncases++;
	return 0;
}

static int referral_row(const store_referral *ref, void *payload)
{
	walk *c = payload;
	referrals *x = c->more;
	const char *keys[3] = { ref->provider, "status", ref->status };
	long sent = day_number(ref->sent_at), accepted;
	int rc;

	if (x->cases && !bsearch(&ref->case_id, x->cases, x->ncases, sizeof(char *), cmp_str))
		return 0;
	if (sent < 0 || (x->from >= 0 && sent < x->from) || (x->to >= 0 && sent > x->to))
		return 0;
	/* Every status of a provider is listed, also when none has it. */
	for (size_t i = 0; referral_statuses[i]; i++) {
		keys[2] = referral_statuses[i];
		if ((rc = tally(c->r, keys, 0, ws_err(c->ws))) < 0)
			return rc;
	}
	keys[2] = ref->status;
	if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
		return rc;
	if (!strcmp(ref->status, "declined")) {
		keys[1] = "declined";
		keys[2] = ref->status_note;
		if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
			return rc;
	}
	/* Days from sending to the first acceptance (kept with the referral by the fold). */
	accepted = ref->accepted_at ? day_number(ref->accepted_at) : -1;
	if (accepted >= sent) {
		if (grow((void **)&x->waits, x->nwaits, &x->capwaits, sizeof(*x->waits)) < 0 ||
		    !(x->waits[x->nwaits].provider = strdup(ref->provider)))
			return hw_error_set(ws_err(c->ws), HW_ERROR, "out of memory");
		x->waits[x->nwaits++].days = accepted - sent;
	}
	return 0;
}

static int referral_order(const void *a, const void *b)
{
	const report_row *x = a, *y = b;
	int d = strcmp(x->keys[0], y->keys[0]);
	size_t mx, my;

	if (d)
		return d;
	mx = rank(referral_measures, x->keys[1]);
	my = rank(referral_measures, y->keys[1]);
	if (mx != my)
		return mx < my ? -1 : 1;
	if (!strcmp(x->keys[1], "status")) {
		mx = rank(referral_statuses, x->keys[2]);
		my = rank(referral_statuses, y->keys[2]);
		if (mx != my)
			return mx < my ? -1 : 1;
	}
	return strcmp(x->keys[2], y->keys[2]);
}

static int cmp_wait(const void *a, const void *b)
{
	const struct { char *provider; long days; } *x = a, *y = b;

	return strcmp(x->provider, y->provider);
}

int report_referrals(hw_ws *ws, const report_filter *f, report *out)
{
	static const report_filter all = REPORT_FILTER_INIT;
	referrals x;
	walk c = { ws, f ? f : &all, out, &x };
	days d = { NULL, 0, 0 };
	int rc;

	memset(&x, 0, sizeof(x));
	if ((rc = start(ws, c.f, out, referral_columns)) < 0)
		goto cleanup;
	out->value_columns = referral_values;
	out->value_kinds = referral_kinds;
	out->nvalues = 2;
	x.from = c.f->from ? day_number(c.f->from) : -1;
	x.to = c.f->to ? day_number(c.f->to) : -1;
	if (c.f->country || c.f->assigned) {
		if ((rc = store_report_cases(ws_store(ws), referral_case, &c, ws_err(ws))) < 0)
			goto cleanup;
		if (!x.cases && !(x.cases = malloc(sizeof(char *)))) {
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
			goto cleanup;
		}
		qsort(x.cases, x.ncases, sizeof(char *), cmp_str);
	}
	if ((rc = store_referrals(ws_store(ws), NULL, referral_row, &c, ws_err(ws))) < 0)
		goto cleanup;
	/* One row of acceptance times for each provider with an accepted referral. */
	qsort(x.waits, x.nwaits, sizeof(*x.waits), cmp_wait);
	for (size_t i = 0; i < x.nwaits;) {
		const char *keys[3] = { x.waits[i].provider, "accepted", "" };
		size_t j;

		d.n = 0;
		for (j = i; j < x.nwaits && !strcmp(x.waits[j].provider, x.waits[i].provider); j++)
			if ((rc = days_add(&d, x.waits[j].days)) < 0) {
				rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
				goto cleanup;
			}
		if ((rc = tally(out, keys, 0, ws_err(ws))) < 0)
			goto cleanup;
		days_figures(&d, &out->rows[out->nrows - 1]);
		i = j;
	}
	qsort(out->rows, out->nrows, sizeof(*out->rows), referral_order);
cleanup:
	for (size_t i = 0; i < x.ncases; i++)
		free(x.cases[i]);
	free(x.cases);
	for (size_t i = 0; i < x.nwaits; i++)
		free(x.waits[i].provider);
	free(x.waits);
	free(d.v);
	if (rc < 0)
		report_clear(out);
	return rc;
}

/* --- follow-up ------------------------------------------------------------- */

static const char *const followup_columns[] = { "round", "measure", "dimension", NULL };
static const char *const followup_values[] = { "mean_score", NULL };
static const int followup_kinds[] = { REPORT_VALUE_SCORE };
static const char *const followup_measures[] = { "due", "done", "missed", "overdue", "score", NULL };
const char *const report_dimensions[] = { "economic", "social", "psychosocial", "composite", NULL };
#define NDIMS 4

/* One score read from a follow-up form. */
typedef struct score {
	char round[16];
	int dim;
	double value;
} score;

typedef struct followup {
	referrals kept;         /* the cases the filter keeps (kept.cases; NULL: all) */
	long from, to, as_of;
	char **deprecated;      /* instance ids a later correction replaced (sorted) */
	size_t ndeprecated, capdeprecated;
	struct sub { char *instance_id, *round; long day; double v[NDIMS]; } *subs;
	size_t nsubs, capsubs;
	score *scores;
	size_t nscores, capscores;
} followup;

/* The number of months of a round ("m12" -> 12; anything else after them). */
static long round_months(const char *r)
{
	char *end;
	long n;

	if (!r || r[0] != 'm' || r[1] < '0' || r[1] > '9')
		return 100000;
	n = strtol(r + 1, &end, 10);
	return *end ? 100000 : n;
}

/* True if the case of this id is one the filter keeps. */
static int case_kept(const referrals *x, const char *case_id)
{
	return !x->cases || (case_id && bsearch(&case_id, x->cases, x->ncases, sizeof(char *), cmp_str));
}

static int followup_appointment(const store_appointment *a, void *payload)
{
	walk *c = payload;
	followup *x = c->more;
	const char *keys[3] = { a->round, "due", "" };
	long day = day_number(a->date);
	int rc, done = !strcmp(a->status, "done"), missed = !strcmp(a->status, "missed");

	if (!a->round || !*a->round || !strcmp(a->status, "rescheduled") || !case_kept(&x->kept, a->case_id))
		return 0;
	if (day < 0 || (x->from >= 0 && day < x->from) || (x->to >= 0 && day > x->to))
		return 0;
	/* Every measure of a round is listed, also at 0. */
	for (size_t i = 0; followup_measures[i + 1]; i++) {
		keys[1] = followup_measures[i];
		if ((rc = tally(c->r, keys, 0, ws_err(c->ws))) < 0)
			return rc;
	}
	if (day > x->as_of && !done && !missed)
		return 0;     /* not due yet */
	keys[1] = "due";
	if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
		return rc;
	keys[1] = done ? "done" : missed ? "missed" : day < x->as_of ? "overdue" : NULL;
	return keys[1] ? tally(c->r, keys, 1, ws_err(c->ws)) : 0;
}

/* A score as the form wrote it: a number from 0 to 1, else REPORT_NONE. */
static double score_value(const char *text)
{
	char *end = NULL;
	double v;

	if (!text)
		return REPORT_NONE;
	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	if (!*text)
		return REPORT_NONE;
	v = strtod(text, &end);
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	return !*end && v >= 0 && v <= 1 ? v : REPORT_NONE;
}

/*
 * Each follow-up form stored: its instance, round, day and scores (the
 * values the form computed when it was submitted, as the field officer
 * saw them), and the form a correction replaces.
 */
static int followup_form(const store_follow_up *f, void *payload)
{
	walk *c = payload;
	followup *x = c->more;
	struct sub *s;
	const char *r = f->round;
	size_t rlen;

	if (f->deprecated_id && *f->deprecated_id) {
		if (grow((void **)&x->deprecated, x->ndeprecated, &x->capdeprecated, sizeof(char *)) < 0 ||
		    !(x->deprecated[x->ndeprecated] = strdup(f->deprecated_id)))
			return hw_error_set(ws_err(c->ws), HW_ERROR, "out of memory");
		x->ndeprecated++;
	}
	while (r && (*r == ' ' || *r == '\n' || *r == '\t'))
		r++;
	for (rlen = r ? strlen(r) : 0; rlen && (r[rlen - 1] == ' ' || r[rlen - 1] == '\n' || r[rlen - 1] == '\t');)
		rlen--;
	if (!f->instance_id || !rlen || rlen >= sizeof(((score *)0)->round) || !case_kept(&x->kept, f->case_id))
		return 0;
	if (grow((void **)&x->subs, x->nsubs, &x->capsubs, sizeof(*x->subs)) < 0)
		return hw_error_set(ws_err(c->ws), HW_ERROR, "out of memory");
	s = &x->subs[x->nsubs];
	if (!(s->instance_id = strdup(f->instance_id)) || !(s->round = strndup(r, rlen))) {
		free(s->instance_id);
		return hw_error_set(ws_err(c->ws), HW_ERROR, "out of memory");
	}
	s->day = day_number(f->submitted_at);
	for (int d = 0; d < NDIMS; d++)
		s->v[d] = score_value(f->score[d]);
	x->nsubs++;
	return 0;
}

static int followup_order(const void *a, const void *b)
{
	const report_row *x = a, *y = b;
	long mx = round_months(x->keys[0]), my = round_months(y->keys[0]);
	int d;

	if (mx != my)
		return mx < my ? -1 : 1;
	if ((d = strcmp(x->keys[0], y->keys[0])) != 0)
		return d;
	mx = (long)rank(followup_measures, x->keys[1]);
	my = (long)rank(followup_measures, y->keys[1]);
	if (mx != my)
		return mx < my ? -1 : 1;
	mx = (long)rank(report_dimensions, x->keys[2]);
	my = (long)rank(report_dimensions, y->keys[2]);
	return mx < my ? -1 : mx > my;
}

int report_followup(hw_ws *ws, const report_filter *f, report *out)
{
	static const report_filter all = REPORT_FILTER_INIT;
	followup x;
	walk c = { ws, f ? f : &all, out, &x };
	char today[HW_TIME_LEN + 1];
	int rc;

	memset(&x, 0, sizeof(x));
	if ((rc = start(ws, c.f, out, followup_columns)) < 0)
		goto cleanup;
	out->value_columns = followup_values;
	out->value_kinds = followup_kinds;
	out->nvalues = 1;
	hw_now_iso(today);
	x.from = c.f->from ? day_number(c.f->from) : -1;
	x.to = c.f->to ? day_number(c.f->to) : -1;
	x.as_of = c.f->to ? x.to : day_number(today);
	if (c.f->country || c.f->assigned) {
		c.more = &x.kept;
		rc = store_report_cases(ws_store(ws), referral_case, &c, ws_err(ws));
		c.more = &x;
		if (rc < 0)
			goto cleanup;
		if (!x.kept.cases && !(x.kept.cases = malloc(sizeof(char *)))) {
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
			goto cleanup;
		}
		qsort(x.kept.cases, x.kept.ncases, sizeof(char *), cmp_str);
	}
	/* Rounds: the follow-up appointments the arrivals scheduled (docs/agenda.md). */
	if ((rc = store_report_rounds(ws_store(ws), followup_appointment, &c, ws_err(ws))) < 0)
		goto cleanup;
	/* Scores: the follow-up forms submitted in the period, corrections replacing what they correct. */
	if ((rc = store_follow_ups(ws_store(ws), followup_form, &c, ws_err(ws))) < 0)
		goto cleanup;
	qsort(x.deprecated, x.ndeprecated, sizeof(char *), cmp_str);
	for (size_t i = 0; i < x.nsubs; i++) {
		const struct sub *s = &x.subs[i];

		if ((x.from >= 0 && s->day < x.from) || (x.to >= 0 && s->day > x.to) ||
		    (x.ndeprecated && bsearch(&s->instance_id, x.deprecated, x.ndeprecated,
					     sizeof(char *), cmp_str)))
			continue;
		for (int d = 0; d < NDIMS; d++) {
			if (s->v[d] == REPORT_NONE)
				continue;
			if (grow((void **)&x.scores, x.nscores, &x.capscores, sizeof(*x.scores)) < 0) {
				rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
				goto cleanup;
			}
			snprintf(x.scores[x.nscores].round, sizeof(x.scores[x.nscores].round), "%s", s->round);
			x.scores[x.nscores].dim = d;
			x.scores[x.nscores++].value = s->v[d];
		}
	}
	/* One row of means for each round and dimension scored. */
	for (size_t i = 0; i < x.nscores; i++) {
		const char *keys[3] = { x.scores[i].round, "due", "" };
		report_row *row = NULL;

		for (size_t k = 0; followup_measures[k + 1]; k++) {
			keys[1] = followup_measures[k];
			if ((rc = tally(out, keys, 0, ws_err(ws))) < 0)
				goto cleanup;
		}
		keys[1] = "score";
		keys[2] = report_dimensions[x.scores[i].dim];
		if ((rc = tally(out, keys, 1, ws_err(ws))) < 0)
			goto cleanup;
		for (size_t r = 0; r < out->nrows && !row; r++)
			if (!strcmp(out->rows[r].keys[0], keys[0]) && !strcmp(out->rows[r].keys[1], "score") &&
			    !strcmp(out->rows[r].keys[2], keys[2]))
				row = &out->rows[r];
		/* The sum for now; divided by the count below. */
		row->values[0] = (row->count == 1 ? 0 : row->values[0]) + x.scores[i].value;
	}
	for (size_t r = 0; r < out->nrows; r++)
		if (!strcmp(out->rows[r].keys[1], "score") && out->rows[r].count > 0)
			out->rows[r].values[0] /= (double)out->rows[r].count;
	qsort(out->rows, out->nrows, sizeof(*out->rows), followup_order);
cleanup:
	for (size_t i = 0; i < x.kept.ncases; i++)
		free(x.kept.cases[i]);
	free(x.kept.cases);
	for (size_t i = 0; i < x.ndeprecated; i++)
		free(x.deprecated[i]);
	free(x.deprecated);
	for (size_t i = 0; i < x.nsubs; i++) {
		free(x.subs[i].instance_id);
		free(x.subs[i].round);
	}
	free(x.subs);
	free(x.scores);
	if (rc < 0)
		report_clear(out);
	return rc;
}
